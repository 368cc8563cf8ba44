"""Printable labels as PDF: item, bin and lot labels on A4 sheets or single roll labels.

Takes plain label data (no database, no Qt) and returns the bytes of a PDF drawn with
reportlab. Barcodes are drawn as vector rectangles, module by module, never as
embedded pictures: a small raster barcode in a PDF blurs when it is printed or
rasterised and stops decoding.

Module widths (the narrowest bar) are whole printer dots. A label printer prints at
203 dpi (8 dots per mm), so a bar of 2 or 3 of its dots is exactly 0.250 or 0.375 mm;
the left edge of every symbol is put on that dot grid as well, so each bar keeps its
width when the driver rasterises the page. A symbol that does not fit at 2 dots of
203 dpi falls back to 2 dots of 300 dpi (0.169 mm), which 300 dpi label printers
(Brother QL, DYMO) and every office printer still print exactly; a symbol that does
not fit even then is refused with a message that says what to change.

GS1-128 lot labels carry the AIs (01) GTIN, (17) expiry (when the lot has one) and
(10) lot, with FNC1 in first position; (10) is variable-length and goes last, so no
separator is needed after it.

Text is drawn with ``drawString`` (no markup is interpreted, so ``<b>&`` prints as
typed), wrapped to the label's width and cut with an ellipsis where it would not fit;
each label is also clipped to its own rectangle, so nothing reaches its neighbour.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.barcodes import gs1
from app.barcodes.errors import BarcodeError
from app.barcodes.gtin import check_digit
from app.i18n import N_, _

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

# reportlab is imported where it is used: its barcode package alone takes 0.15 s to
# import, which the window's start and every headless command would otherwise pay.
mm = 72 / 25.4  # points per millimetre

MAX_COPIES = 999
FNC1 = "\xf1"  # how reportlab's Code 128 encoder is told to emit FNC1
CODE128_QUIET = 10  # modules of white each side (ISO/IEC 15417)
EAN13_QUIET = (11, 7)  # left, right (GS1 General Specifications)
ELLIPSIS = "…"


class LabelError(ValueError):
    """Label data that cannot be printed as asked; ``str()`` says what to change."""


# --- layouts ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Layout:
    """Where labels sit on a page: a grid of ``columns`` × ``rows`` equal labels.

    ``pad_x``/``pad_y`` keep text and bars away from the label's edges (office printers
    cannot print the outer few millimetres of a sheet; roll printers lose about 1.5 mm).
    All lengths are millimetres.
    """

    name: str
    title: str
    page_width: float
    page_height: float
    label_width: float
    label_height: float
    columns: int = 1
    rows: int = 1
    margin_left: float = 0.0
    margin_top: float = 0.0
    pad_x: float = 2.0
    pad_y: float = 1.5

    @property
    def per_page(self) -> int:
        """Labels on one page."""
        return self.columns * self.rows

    @property
    def is_roll(self) -> bool:
        """True for single labels on a roll (one label per page)."""
        return self.per_page == 1


def _a4_sheet(name: str, title: str, height: float, rows: int, top: float, pad_y: float) -> Layout:
    """A sheet whose labels run edge to edge: three columns of 70 mm (3 × 70 = 210 mm,
    A4's width) and ``rows`` labels ``height`` mm tall, ``top`` mm below the sheet's top."""
    return Layout(
        name=name,
        title=title,
        page_width=210,
        page_height=297,
        label_width=70,
        label_height=height,
        columns=3,
        rows=rows,
        margin_top=top,
        pad_x=4.0,
        pad_y=pad_y,
    )


LAYOUTS: dict[str, Layout] = {
    layout.name: layout
    for layout in (
        _a4_sheet("a4-3x8", N_("A4 sheet, 3 × 8 labels of 70 × 37 mm"), 37, 8, 0.5, 2.5),
        _a4_sheet("a4-3x7", N_("A4 sheet, 3 × 7 labels of 70 × 42.3 mm"), 42.3, 7, 0.45, 3.0),
        # One label per page, as a roll printer's driver expects.
        Layout("roll-62x29", N_("Roll label 62 × 29 mm"), 62, 29, 62, 29),
        Layout("roll-57x32", N_("Roll label 57 × 32 mm"), 57, 32, 57, 32),
    )
}
DEFAULT_LAYOUT = "a4-3x8"


def get_layout(name: str) -> Layout:
    """The layout called ``name``; an unknown name is refused with the known ones."""
    layout = LAYOUTS.get(name.strip().lower())
    if layout is None:
        raise LabelError(
            _("There is no label layout “{name}”. Choose one of: {names}.").format(
                name=name, names=", ".join(LAYOUTS)
            )
        )
    return layout


def page_count(label_count: int, layout: Layout) -> int:
    """Pages (sheets, or roll labels) that ``label_count`` labels fill."""
    return math.ceil(label_count / layout.per_page) if label_count > 0 else 0


# --- label data ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ItemLabel:
    """An item label: name, SKU, the EAN-13 when the item has one (else a Code 128 of
    the SKU) and an optional price already formatted for people."""

    name: str
    sku: str
    ean13: str | None = None
    price: str | None = None


@dataclass(frozen=True)
class BinLabel:
    """A bin (shelf location) label: its code large, as Code 128, and its name."""

    code: str
    name: str = ""


@dataclass(frozen=True)
class LotLabel:
    """A lot label: GS1-128 of (01) GTIN-14, (17) expiry and (10) lot, with the item's
    name; ``expiry_text`` is the expiry as people read it (ISO date if empty)."""

    name: str
    sku: str
    gtin14: str
    lot: str
    expiry: dt.date | None = None
    expiry_text: str = ""


Label = ItemLabel | BinLabel | LotLabel


# --- symbols ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Symbol:
    """A barcode ready to draw: its modules ('1' bar, '0' space), quiet zones in modules,
    and the human-readable line printed under it ('' for none)."""

    modules: str
    quiet_left: int
    quiet_right: int
    text: str
    ean13: str = ""  # the 13 digits, drawn in the EAN layout instead of ``text``


@dataclass(frozen=True)
class ModuleSize:
    """A module width of ``dots`` printer dots at ``dpi``."""

    dpi: int
    dots: int

    @property
    def width_mm(self) -> float:
        """The module width in millimetres."""
        return self.dots * 25.4 / self.dpi

    @property
    def grid_pt(self) -> float:
        """One printer dot in PDF points: symbols start on this grid."""
        return 72.0 / self.dpi


# Widest first; the first that fits the label is used.
MODULE_SIZES = (ModuleSize(203, 4), ModuleSize(203, 3), ModuleSize(203, 2), ModuleSize(300, 2))

_EAN_L = ("0001101", "0011001", "0010011", "0111101", "0100011",
          "0110001", "0101111", "0111011", "0110111", "0001011")  # fmt: skip
_EAN_G = tuple(code[::-1].translate(str.maketrans("01", "10")) for code in _EAN_L)
_EAN_R = tuple(code.translate(str.maketrans("01", "10")) for code in _EAN_L)
_EAN_PARITY = ("LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG",
               "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL")  # fmt: skip


def ean13_problem(code: str) -> str | None:
    """Why ``code`` cannot be printed as an EAN-13, or None if it can."""
    if not (len(code) == 13 and code.isascii() and code.isdigit()):
        return _("An EAN-13 has 13 digits; {code} does not.").format(code=code)
    expected = check_digit(code[:12])
    if int(code[12]) != expected:
        return _("The check digit of {code} should be {digit}.").format(code=code, digit=expected)
    return None


def ean13_symbol(code: str) -> Symbol:
    """The 95 modules of the EAN-13 ``code`` (13 digits, check digit included)."""
    problem = ean13_problem(code)
    if problem:
        raise LabelError(problem)
    parity = _EAN_PARITY[int(code[0])]
    left = "".join(
        (_EAN_L if side == "L" else _EAN_G)[int(digit)]
        for side, digit in zip(parity, code[1:7], strict=True)
    )
    right = "".join(_EAN_R[int(digit)] for digit in code[7:])
    modules = "101" + left + "01010" + right + "101"
    return Symbol(modules, EAN13_QUIET[0], EAN13_QUIET[1], code, ean13=code)


def _code128_modules(value: str) -> str:
    # reportlab's encoder picks code sets A/B/C well (digits pair up in set C); its
    # "decomposed" pattern alternates bars (upper case) and spaces, width = letter.
    from reportlab.graphics.barcode.code128 import Code128

    barcode = Code128(value, barWidth=1, quiet=False, humanReadable=False)
    barcode.validate()
    barcode.encode()
    barcode.decompose()
    return "".join(
        ("1" if part.isupper() else "0") * (ord(part.upper()) - ord("A") + 1)
        for part in barcode.decomposed
    )


def code128_symbol(text: str) -> Symbol:
    """A Code 128 symbol of ``text`` (printable ASCII), with ``text`` under it."""
    if not text or not all(" " <= char <= "~" for char in text):
        raise LabelError(
            _(
                "“{text}” cannot be printed as a Code 128 barcode: use letters A–Z, digits "
                "and ASCII punctuation only."
            ).format(text=text)
        )
    return Symbol(_code128_modules(text), CODE128_QUIET, CODE128_QUIET, text)


def lot_ais(gtin14: str, lot: str, expiry: dt.date | None) -> tuple[gs1.AIValue, ...]:
    """The GS1 AIs of a lot label, each checked by the GS1 rules: (01) GTIN-14, (17)
    expiry if the lot has one, and (10) lot last (variable length, so no separator)."""
    if not (len(gtin14) == 14 and gtin14.isascii() and gtin14.isdigit()):
        raise LabelError(
            _("A GTIN for a GS1 barcode has 14 digits; {code} does not.").format(code=gtin14)
        )
    expected = check_digit(gtin14[:13])
    if int(gtin14[13]) != expected:
        raise LabelError(
            _("The check digit of {code} should be {digit}.").format(code=gtin14, digit=expected)
        )
    ais = [gs1.ai_value("01", gtin14)]
    if expiry is not None:
        ais.append(gs1.ai_value("17", expiry))
    try:
        ais.append(gs1.ai_value("10", lot))
    except BarcodeError as exc:
        # The scanner's wording ("scan again") does not fit printing: say what a lot
        # number may hold instead.
        raise LabelError(
            _(
                "Lot {lot} cannot go into a GS1 barcode: a GS1 lot number is 1–20 letters, "
                "digits or - . / _ (no spaces or accented letters)."
            ).format(lot=lot)
        ) from exc
    return tuple(ais)


def gs1_hri(ais: Sequence[gs1.AIValue]) -> str:
    """The human-readable form printed under a GS1 symbol: ``(01)…(17)…(10)…``."""
    return gs1.format_hri(list(ais))


def gs1_128_symbol(ais: Sequence[gs1.AIValue]) -> Symbol:
    """A GS1-128 symbol of ``ais``: FNC1 first, and FNC1 as the separator after a
    variable-length AI that is not last."""
    data = FNC1 + gs1.to_element_string(list(ais)).replace(gs1.GS, FNC1)
    return Symbol(_code128_modules(data), CODE128_QUIET, CODE128_QUIET, gs1_hri(ais))


def choose_module(
    symbol: Symbol, inner_width: float, label_width: float, max_dots: int = 3
) -> ModuleSize:
    """The widest module size at which ``symbol`` fits (millimetres): bars within
    ``inner_width``, bars and quiet zones within ``label_width``."""
    count = len(symbol.modules)
    quiet = symbol.quiet_left + symbol.quiet_right
    for size in MODULE_SIZES:
        if size.dpi == 203 and size.dots > max_dots:
            continue
        x = size.width_mm
        if count * x <= inner_width + 1e-9 and (count + quiet) * x <= label_width + 1e-9:
            return size
    return MODULE_SIZES[-1]


def symbol_fits(symbol: Symbol, inner_width: float, label_width: float) -> bool:
    """True if ``symbol`` fits at the smallest module size Hylla prints."""
    x = MODULE_SIZES[-1].width_mm
    count = len(symbol.modules)
    return (
        count * x <= inner_width + 1e-9
        and (count + symbol.quiet_left + symbol.quiet_right) * x <= label_width + 1e-9
    )


# --- fonts and text ----------------------------------------------------------------------------
FONT = "HyllaSans"
FONT_BOLD = "HyllaSans-Bold"
_FONT_CANDIDATES = (
    # DejaVu has Latin, Greek and Cyrillic; the Vera fonts that ship inside reportlab are
    # the always-present fallback (Latin-1).
    (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
     Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")),
    (Path("C:/Windows/Fonts/arial.ttf"), Path("C:/Windows/Fonts/arialbd.ttf")),
    (Path("/Library/Fonts/Arial.ttf"), Path("/Library/Fonts/Arial Bold.ttf")),
)  # fmt: skip
_font_lock = threading.Lock()
_fonts_ready = threading.Event()


def _register_fonts() -> None:
    if _fonts_ready.is_set():
        return
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    with _font_lock:
        if _fonts_ready.is_set():
            return
        for regular, bold in _FONT_CANDIDATES:
            if regular.is_file() and bold.is_file():
                break
        else:
            regular, bold = Path("Vera.ttf"), Path("VeraBd.ttf")  # found on reportlab's path
        pdfmetrics.registerFont(TTFont(FONT, str(regular)))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(bold)))
        _fonts_ready.set()


def text_width(text: str, font: str, size: float) -> float:
    """Width of ``text`` in points (in Hylla's label fonts, ``FONT`` or ``FONT_BOLD``)."""
    _register_fonts()
    from reportlab.pdfbase import pdfmetrics

    return float(pdfmetrics.stringWidth(text, font, size))


def _clip(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis so that it fits ``width``."""
    if text_width(text, font, size) <= width:
        return text
    while text and text_width(text.rstrip() + ELLIPSIS, font, size) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS if text else ""


def wrap_text(text: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    """``text`` broken into at most ``max_lines`` lines no wider than ``width`` points.

    Breaks at spaces, and inside a word that is wider than a line by itself; the last
    line ends in an ellipsis when text was left out.
    """
    words = " ".join(text.split()).split(" ")
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while text_width(current, font, size) > width and len(current) > 1:
            cut = len(current) - 1
            while cut > 1 and text_width(current[:cut], font, size) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        kept = lines[:max_lines]
        kept[-1] = _clip(kept[-1] + ELLIPSIS, font, size, width)
        return kept
    return lines


def fit_size(text: str, font: str, width: float, largest: float, smallest: float) -> float:
    """The largest font size up to ``largest`` at which ``text`` fits ``width``."""
    measured = text_width(text, font, largest)
    if measured <= width:
        return largest
    return max(smallest, math.floor(largest * width / measured * 4) / 4)


# --- drawing -----------------------------------------------------------------------------------
@dataclass
class _Box:
    """The free part of a label as it fills from the top (points)."""

    x: float
    bottom: float
    width: float
    top: float

    @property
    def height(self) -> float:
        return self.top - self.bottom


def _line(
    c: Canvas,
    box: _Box,
    text: str,
    font: str,
    size: float,
    align: str = "left",
) -> None:
    """Draw one line of text at the top of ``box`` (cut to fit) and move below it."""
    baseline = box.top - size * 0.93
    text = _clip(text, font, size, box.width)
    c.setFont(font, size)
    if align == "center":
        c.drawCentredString(box.x + box.width / 2, baseline, text)
    elif align == "right":
        c.drawRightString(box.x + box.width, baseline, text)
    else:
        c.drawString(box.x, baseline, text)
    box.top -= size * 1.18


def _lines(c: Canvas, box: _Box, text: str, font: str, size: float, max_lines: int) -> None:
    for line in wrap_text(text, font, size, box.width, max_lines):
        _line(c, box, line, font, size)


def _snap(value: float, grid: float) -> float:
    return math.ceil(value / grid - 1e-6) * grid


def _draw_modules(
    c: Canvas, modules: str, x: float, y: float, module: float, height: float, tall: set[int]
) -> None:
    """Draw the bars of ``modules``; bars at indexes in ``tall`` reach lower (EAN guards)."""
    extra = module * 5 if tall else 0.0
    start: int | None = None
    for index, bit in enumerate(modules + "0"):
        if bit == "1" and start is None:
            start = index
        elif bit != "1" and start is not None:
            drop = extra if start in tall else 0.0
            c.rect(x + start * module, y - drop, (index - start) * module, height + drop, 0, 1)
            start = None


_EAN_GUARDS = {0, 2, 46, 48, 92, 94}


def _draw_symbol(
    c: Canvas,
    box: _Box,
    symbol: Symbol,
    label_x: float,
    label_width: float,
    max_bar_height: float,
    max_dots: int = 3,
    hri_size: float = 8.0,
) -> None:
    """Draw ``symbol`` centred at the bottom of ``box``: bars as tall as room allows (up to
    ``max_bar_height``), the human-readable line under them."""
    size = choose_module(symbol, box.width / mm, label_width / mm, max_dots)
    module = size.width_mm * mm
    count = len(symbol.modules)
    total = (count + symbol.quiet_left + symbol.quiet_right) * module
    # Centre bars and quiet zones on the label, then put the first bar on the dot grid.
    left = label_x + (label_width - total) / 2 + symbol.quiet_left * module
    left = _snap(left, size.grid_pt)
    if symbol.ean13:
        digit_size = min(10.0, max(5.0, 7 * module * 0.9 / text_width("0", FONT, 1)))
        text_height = digit_size * 1.05
        bar_height = min(max_bar_height, box.height - text_height)
        y = box.bottom + text_height
        _draw_modules(c, symbol.modules, left, y, module, bar_height, _EAN_GUARDS)
        c.setFont(FONT, digit_size)
        baseline = box.bottom + digit_size * 0.12
        digits = symbol.ean13
        c.drawRightString(left - module * 2, baseline, digits[0])
        for index, digit in enumerate(digits[1:7]):
            c.drawCentredString(left + (3 + 7 * index + 3.5) * module, baseline, digit)
        for index, digit in enumerate(digits[7:]):
            c.drawCentredString(left + (50 + 7 * index + 3.5) * module, baseline, digit)
    else:
        bars_width = count * module
        text_size = fit_size(symbol.text, FONT, max(bars_width, box.width), hri_size, 5.0)
        text_height = text_size * 1.2 if symbol.text else 0.0
        bar_height = min(max_bar_height, box.height - text_height)
        y = box.bottom + text_height
        _draw_modules(c, symbol.modules, left, y, module, bar_height, set())
        if symbol.text:
            c.setFont(FONT, text_size)
            text = _clip(symbol.text, FONT, text_size, box.width)
            c.drawCentredString(left + bars_width / 2, box.bottom + text_size * 0.25, text)
    box.bottom = box.top  # the symbol takes the rest of the box


def _inner(layout: Layout, x: float, y: float) -> _Box:
    return _Box(
        x=x + layout.pad_x * mm,
        bottom=y + layout.pad_y * mm,
        width=(layout.label_width - 2 * layout.pad_x) * mm,
        top=y + (layout.label_height - layout.pad_y) * mm,
    )


def _scale(layout: Layout) -> float:
    # Type sizes grow with the label: 1.0 on the smallest (29 mm tall) label.
    return min(1.25, layout.label_height / 29)


def _draw_item(c: Canvas, label: ItemLabel, layout: Layout, x: float, y: float) -> None:
    box = _inner(layout, x, y)
    s = _scale(layout)
    _lines(c, box, label.name, FONT_BOLD, 8.5 * s, 2)
    box.top -= 0.5 * mm
    if label.price:
        price_size = 11 * s
        price_width = text_width(label.price, FONT_BOLD, price_size)
        if price_width > box.width * 0.6:
            price_size = fit_size(label.price, FONT_BOLD, box.width * 0.6, price_size, 6)
            price_width = text_width(label.price, FONT_BOLD, price_size)
        line_box = _Box(box.x, box.bottom, box.width, box.top)
        _line(c, line_box, label.price, FONT_BOLD, price_size, align="right")
        sku_box = _Box(box.x, box.bottom, box.width - price_width - 2 * mm, box.top)
        sku_box.top -= (price_size - 7.5 * s) * 0.93
        _line(c, sku_box, _("SKU {sku}").format(sku=label.sku), FONT, 7.5 * s)
        box.top = line_box.top
    else:
        _line(c, box, _("SKU {sku}").format(sku=label.sku), FONT, 7.5 * s)
    box.top -= 0.8 * mm
    symbol = ean13_symbol(label.ean13) if label.ean13 else code128_symbol(label.sku)
    _draw_symbol(c, box, symbol, x, layout.label_width * mm, 20 * mm)


def _draw_bin(c: Canvas, label: BinLabel, layout: Layout, x: float, y: float) -> None:
    box = _inner(layout, x, y)
    s = _scale(layout)
    # The code as large as the width allows: it is read from a step away.
    size = fit_size(label.code, FONT_BOLD, box.width, 34 * s, 10)
    _line(c, box, label.code, FONT_BOLD, size, align="center")
    if label.name:
        _line(c, box, label.name, FONT, 7.5 * s, align="center")
    box.top -= 1 * mm
    symbol = code128_symbol(label.code)
    # The big code above is the human-readable text; none is repeated under the bars.
    bare = Symbol(symbol.modules, symbol.quiet_left, symbol.quiet_right, "")
    _draw_symbol(c, box, bare, x, layout.label_width * mm, 20 * mm, _max_dots(label))


def _draw_lot(c: Canvas, label: LotLabel, layout: Layout, x: float, y: float) -> None:
    box = _inner(layout, x, y)
    s = _scale(layout)
    ais = lot_ais(label.gtin14, label.lot, label.expiry)
    symbol = gs1_128_symbol(ais)
    _lines(c, box, label.name, FONT_BOLD, 8 * s, 1 if layout.label_height < 35 else 2)
    parts = [_("Lot {lot}").format(lot=label.lot)]
    if label.expiry is not None:
        parts.append(_("Expiry {date}").format(date=label.expiry_text or label.expiry.isoformat()))
    # Lot and expiry on one line if they fit, else one line each: neither is ever cut.
    joined = "   ".join(parts)
    if text_width(joined, FONT_BOLD, 8 * s) <= box.width:
        _line(c, box, joined, FONT_BOLD, 8 * s)
    else:
        for part in parts:
            _line(c, box, part, FONT_BOLD, fit_size(part, FONT_BOLD, box.width, 7.5 * s, 5))
    box.top -= 0.8 * mm
    _draw_symbol(c, box, symbol, x, layout.label_width * mm, 18 * mm, hri_size=7.5 * s)


def symbol_of(label: Label) -> Symbol:
    """The barcode a label carries."""
    if isinstance(label, ItemLabel):
        return ean13_symbol(label.ean13) if label.ean13 else code128_symbol(label.sku)
    if isinstance(label, BinLabel):
        return code128_symbol(label.code)
    return gs1_128_symbol(lot_ais(label.gtin14, label.lot, label.expiry))


def _max_dots(label: Label) -> int:
    # Bin labels are scanned from further away than item labels: wider bars if they fit.
    return 4 if isinstance(label, BinLabel) else 3


def module_for(label: Label, layout: Layout) -> ModuleSize:
    """The module size the label's barcode is drawn with on ``layout``."""
    inner = layout.label_width - 2 * layout.pad_x
    return choose_module(symbol_of(label), inner, layout.label_width, _max_dots(label))


def check_label(label: Label, layout: Layout) -> None:
    """Refuse a label whose data cannot be encoded, or whose symbol is too wide for the
    layout even at the smallest module, with a message that says what to change."""
    symbol = symbol_of(label)
    inner = layout.label_width - 2 * layout.pad_x
    if symbol_fits(symbol, inner, layout.label_width):
        return
    if isinstance(label, ItemLabel):
        what = _("SKU {sku}").format(sku=label.sku)
    elif isinstance(label, BinLabel):
        what = _("Bin {code}").format(code=label.code)
    else:
        what = _("Lot {lot}").format(lot=label.lot)
    raise LabelError(
        _(
            "{what} is too long for a barcode on a {width:g} mm wide label. "
            "Choose a wider layout or a shorter code."
        ).format(what=what, width=layout.label_width)
    )


def render_labels(labels: Sequence[Label], layout: Layout | str, copies: int = 1) -> bytes:
    """A PDF of ``labels`` on ``layout``, each label ``copies`` times in a row.

    Every label is checked before anything is drawn, so bad data raises
    :class:`LabelError` and no half-made PDF exists.
    """
    if isinstance(layout, str):
        layout = get_layout(layout)
    if not 1 <= copies <= MAX_COPIES:
        raise LabelError(
            _("Copies must be a whole number from 1 to {most}.").format(most=MAX_COPIES)
        )
    if not labels:
        raise LabelError(_("There are no labels to print."))
    from reportlab.pdfgen.canvas import Canvas

    _register_fonts()
    for label in labels:
        check_label(label, layout)
    buffer = io.BytesIO()
    c = Canvas(
        buffer,
        pagesize=(layout.page_width * mm, layout.page_height * mm),
        invariant=True,
        pageCompression=1,
    )
    c.setTitle(_("Labels"))
    c.setCreator("Hylla")
    slot = 0
    for label in labels:
        for _copy in range(copies):
            if slot == layout.per_page:
                c.showPage()
                slot = 0
            column, row = slot % layout.columns, slot // layout.columns
            x = (layout.margin_left + column * layout.label_width) * mm
            y = (layout.page_height - layout.margin_top - (row + 1) * layout.label_height) * mm
            c.saveState()
            clip = c.beginPath()
            clip.rect(x, y, layout.label_width * mm, layout.label_height * mm)
            c.clipPath(clip, stroke=0, fill=0)
            if isinstance(label, ItemLabel):
                _draw_item(c, label, layout, x, y)
            elif isinstance(label, BinLabel):
                _draw_bin(c, label, layout, x, y)
            else:
                _draw_lot(c, label, layout, x, y)
            c.restoreState()
            slot += 1
    c.showPage()
    c.save()
    return buffer.getvalue()
