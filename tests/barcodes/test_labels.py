"""Label PDFs: every layout and kind rasterised with poppler and decoded with zxing-cpp.

A label is right when a real decoder reads back exactly the data it was meant to
carry: the EAN-13 digits, the Code 128 text, the GS1-128 element string (symbology
identifier ``]C1``, so FNC1 came first) and its parenthesised form.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import zxingcpp
from barcode.ean import EAN13
from PIL import Image

from app.barcodes import labels as lb
from app.barcodes.labels import BinLabel, ItemLabel, LabelError, LotLabel

MM = 72 / 25.4


@dataclass(frozen=True)
class Decoded:
    """One symbol found on a rasterised page."""

    page: int
    format: str
    text: str  # HRI text mode: GS1 data as (01)…(10)…
    symbology: str
    raw: bytes  # the bytes carried, GS1 separators as ASCII 29


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is missing: install poppler-utils (make sysdeps)", pytrace=False)
    return path


def decode_labels(
    pdf: bytes, layout: lb.Layout, tmp_path: Path, dpi: int = 300
) -> list[list[Decoded]]:
    """The symbols found in each label of ``pdf``, label by label (page by page, row by
    row), rasterised at ``dpi`` by pdftoppm without anti-aliasing (as a printer's dots:
    black or white). Each label is decoded on its own, as a scanner sees one label."""
    # A folder of its own per call: pages of an earlier PDF must never be read again.
    work = Path(tempfile.mkdtemp(prefix="decode-", dir=tmp_path))
    source = work / "labels.pdf"
    source.write_bytes(pdf)
    prefix = work / "page"
    subprocess.run(
        [_need("pdftoppm"), "-r", str(dpi), "-gray", "-aa", "no", "-aaVector", "no"]
        + [str(source), str(prefix)],
        check=True,
    )
    scale = dpi / 25.4
    slots: list[list[Decoded]] = []
    pages = sorted(work.glob("page-*.pgm"), key=lambda p: int(p.stem.split("-")[-1]))
    for number, page in enumerate(pages, start=1):
        with Image.open(page) as image:
            for row in range(layout.rows):
                for column in range(layout.columns):
                    left = (layout.margin_left + column * layout.label_width) * scale
                    top = (layout.margin_top + row * layout.label_height) * scale
                    cell = image.crop(
                        (
                            round(left),
                            round(top),
                            round(left + layout.label_width * scale),
                            round(top + layout.label_height * scale),
                        )
                    )
                    slots.append(
                        [
                            Decoded(
                                number,
                                str(result.format),
                                result.text,
                                result.symbology_identifier,
                                bytes(result.bytes),
                            )
                            for result in zxingcpp.read_barcodes(
                                cell, text_mode=zxingcpp.TextMode.HRI
                            )
                        ]
                    )
    return slots


def decode_pdf(
    pdf: bytes, layout: lb.Layout | str, tmp_path: Path, dpi: int = 300
) -> list[Decoded]:
    """Every symbol in ``pdf``, in label order; exactly one per label is asserted."""
    if isinstance(layout, str):
        layout = lb.get_layout(layout)
    slots = decode_labels(pdf, layout, tmp_path, dpi)
    filled = [slot for slot in slots if slot]
    assert all(len(slot) == 1 for slot in filled), [s for s in filled if len(s) != 1]
    # Labels fill the slots from the first one on, without gaps.
    assert not any(slots[len(filled) :]), "a label slot was skipped"
    return [slot[0] for slot in filled]


def pdf_pages(pdf: bytes, tmp_path: Path) -> int:
    """The page count poppler reads in ``pdf``."""
    path = tmp_path / "count.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(
        [_need("pdfinfo"), str(path)], check=True, capture_output=True, text=True
    ).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    assert match
    return int(match.group(1))


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def pdf_words(pdf: bytes, tmp_path: Path) -> list[Word]:
    """Every word poppler finds, with its box in points (origin top left)."""
    path = tmp_path / "words.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(
        [_need("pdftotext"), "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    words: list[Word] = []
    for page_number, page in enumerate(html.split("<page ")[1:], start=1):
        for m in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
            page,
        ):
            text = m.group(5).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
            words.append(Word(page_number, text, *(float(m.group(i)) for i in range(1, 5))))
    return words


def expected(label: lb.Label) -> tuple[str, str, str]:
    """(format, HRI text, symbology identifier) a decoder must report for ``label``."""
    if isinstance(label, ItemLabel):
        if label.ean13:
            return ("EAN-13", label.ean13, "]E0")
        return ("Code 128", label.sku, "]C0")
    if isinstance(label, BinLabel):
        return ("Code 128", label.code, "]C0")
    return ("Code 128", lb.gs1_hri(lb.lot_ais(label.gtin14, label.lot, label.expiry)), "]C1")


ITEM_EAN = ItemLabel("Skruv M6×40 förzinkad, 100-pack", "HX-1001", "7310865004703", "129,00 kr")
ITEM_SKU = ItemLabel("Handskar nitril, storlek L", "GL-N/L-100", None, None)
ITEM_DIGITS = ItemLabel("Kabelstege 3 m", "400638133393", None, "1 249,50 kr")
BIN_DASH = BinLabel("A-01-03", "Pallrack A, hylla 1")
BIN_SLASH = BinLabel("B/12.04_X", "")
LOT_FULL = LotLabel(
    "Mjölk 1 l, laktosfri", "MJ-1", "07310865004703", "AB12", dt.date(2027, 12, 31), "31 Dec 2027"
)
LOT_NUMERIC = LotLabel("Yoghurt 500 g", "YO-5", "07310865000057", "123456", dt.date(2026, 2, 28))
LOT_NO_EXPIRY = LotLabel("Lim 250 ml", "LI-2", "00012345678905", "L-7/3", None)
ALL_LABELS: tuple[lb.Label, ...] = (
    ITEM_EAN,
    ITEM_SKU,
    ITEM_DIGITS,
    BIN_DASH,
    BIN_SLASH,
    LOT_FULL,
    LOT_NUMERIC,
    LOT_NO_EXPIRY,
)


# --- every layout, every kind, decoded --------------------------------------------------------
@pytest.mark.parametrize("layout_name", list(lb.LAYOUTS))
def test_every_label_kind_decodes_back_to_its_data_on_every_layout(
    layout_name: str, tmp_path: Path
) -> None:
    layout = lb.get_layout(layout_name)
    copies = 2
    pdf = lb.render_labels(ALL_LABELS, layout, copies=copies)

    found = decode_pdf(pdf, layout, tmp_path, dpi=300)

    # Each label decodes to its own data, in order, each copy right after its original.
    assert [(d.format, d.text, d.symbology) for d in found] == [
        expected(label) for label in ALL_LABELS for _copy in range(copies)
    ]
    assert pdf_pages(pdf, tmp_path) == lb.page_count(len(ALL_LABELS) * copies, layout)


def test_gs1_128_carries_fnc1_first_and_the_element_string(tmp_path: Path) -> None:
    pdf = lb.render_labels([LOT_FULL, LOT_NO_EXPIRY], "a4-3x8")

    found = {d.text: d for d in decode_pdf(pdf, "a4-3x8", tmp_path)}

    full = found["(01)07310865004703(17)271231(10)AB12"]
    assert full.symbology == "]C1"
    assert full.raw == b"01073108650047031727123110AB12"
    assert found["(01)00012345678905(10)L-7/3"].raw == b"010001234567890510L-7/3"


@pytest.mark.parametrize("layout_name", ["roll-62x29", "roll-57x32"])
def test_roll_labels_decode_as_a_203_dpi_label_printer_prints_them(
    layout_name: str, tmp_path: Path
) -> None:
    """Item and bin symbols on roll labels use whole dots of a 203 dpi printer and still
    decode when the page is rasterised at exactly 203 dpi; the (longer) GS1-128 lot
    symbols that need 300 dpi modules are checked at 300 dpi above."""
    layout = lb.get_layout(layout_name)
    at_203 = [label for label in ALL_LABELS if lb.module_for(label, layout).dpi == 203]
    assert {type(label) for label in at_203} >= {ItemLabel, BinLabel}
    assert all(lb.module_for(label, layout).dpi == 203 for label in ALL_LABELS[:5])

    found = decode_pdf(lb.render_labels(at_203, layout), layout, tmp_path, dpi=203)

    assert [(d.format, d.text, d.symbology) for d in found] == [expected(x) for x in at_203]


def test_module_widths_are_whole_printer_dots_and_never_below_two() -> None:
    for size in lb.MODULE_SIZES:
        assert size.dots >= 2
        assert size.width_mm == pytest.approx(size.dots * 25.4 / size.dpi)
    layout = lb.get_layout("a4-3x8")
    assert lb.module_for(ITEM_EAN, layout) == lb.ModuleSize(203, 3)  # 0.375 mm, 114 %
    assert lb.module_for(BIN_DASH, layout) == lb.ModuleSize(203, 4)  # read from a step away


# --- symbols ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "code", ["7310865004703", "4006381333931", "0012345678905", "9780201379624", "5901234123457"]
)
def test_ean13_modules_match_an_independent_encoder(code: str) -> None:
    symbol = lb.ean13_symbol(code)

    assert symbol.modules == EAN13(code).build()[0]
    assert len(symbol.modules) == 95
    assert (symbol.quiet_left, symbol.quiet_right) == (11, 7)


def test_a_wrong_ean13_check_digit_is_named() -> None:
    with pytest.raises(LabelError, match="check digit of 7310865004704 should be 3"):
        lb.ean13_symbol("7310865004704")
    with pytest.raises(LabelError, match="13 digits"):
        lb.ean13_symbol("731086500470")


def test_code128_refuses_what_it_cannot_carry() -> None:
    with pytest.raises(LabelError, match="Code 128"):
        lb.code128_symbol("HYLLA-Å1")
    with pytest.raises(LabelError, match="Code 128"):
        lb.code128_symbol("")


def test_gs1_data_of_a_lot_label() -> None:
    ais = lb.lot_ais("07310865004703", "AB12", dt.date(2027, 12, 31))

    assert [(a.ai, a.value) for a in ais] == [
        ("01", "07310865004703"),
        ("17", "271231"),
        ("10", "AB12"),
    ]
    assert lb.gs1_hri(ais) == "(01)07310865004703(17)271231(10)AB12"
    assert lb.gs1_128_symbol(ais).text == "(01)07310865004703(17)271231(10)AB12"


@pytest.mark.parametrize(
    ("gtin", "lot", "message"),
    [
        ("07310865004704", "AB12", "check digit of 07310865004704 should be 3"),
        ("7310865004703", "AB12", "14 digits"),
        ("07310865004703", "AB 12", "Lot AB 12 cannot go into a GS1 barcode"),
        ("07310865004703", "Ä12", "Lot Ä12 cannot go into a GS1 barcode"),
        ("07310865004703", "X" * 21, "cannot go into a GS1 barcode: a GS1 lot number is 1–20"),
        ("07310865004703", "", "cannot go into a GS1 barcode"),
    ],
)
def test_lot_data_a_gs1_symbol_cannot_carry_is_refused(gtin: str, lot: str, message: str) -> None:
    with pytest.raises(LabelError, match=message):
        lb.lot_ais(gtin, lot, None)


# --- text ----------------------------------------------------------------------------------------
def test_markup_in_names_prints_literally(tmp_path: Path) -> None:
    label = ItemLabel("<b>&amp; Fisk & skaldjur</b> <font size=40>", "FS-1", None, None)
    path = tmp_path / "markup.pdf"
    path.write_bytes(lb.render_labels([label], "roll-62x29"))

    text = subprocess.run(
        [_need("pdftotext"), str(path), "-"], check=True, capture_output=True, text=True
    ).stdout

    assert "<b>&amp; Fisk & skaldjur</b>" in text


def test_long_names_wrap_and_stay_inside_their_label(tmp_path: Path) -> None:
    name = (
        "Extremely long item name with a Verylongwordthatcannotpossiblyfitononelineofanylabel "
        "and many more words after it so that it needs far more than two lines"
    )
    labels = [
        ItemLabel(name, "LONG-1", "7310865004703", "99 999,00 kr"),
        BinLabel("A-01-03", name),
        LotLabel(name, "LONG-1", "07310865004703", "AB12", dt.date(2027, 1, 31)),
    ]
    for layout in lb.LAYOUTS.values():
        pdf = lb.render_labels(labels, layout)
        words = pdf_words(pdf, tmp_path)
        assert words
        width, height = layout.label_width * MM, layout.label_height * MM
        top = layout.margin_top * MM
        for word in words:
            slot = (word.page - 1) * layout.per_page
            # The label this word belongs to, from where it is on the page.
            column = int(word.x0 // width)
            row = int((word.y0 - top) // height)
            index = slot + row * layout.columns + column
            assert index < len(labels), (layout.name, word)
            left, upper = column * width, top + row * height
            pad = layout.pad_x * MM
            assert left + pad - 0.5 <= word.x0 and word.x1 <= left + width - pad + 0.5, (
                layout.name,
                word,
            )
            assert upper <= word.y0 and word.y1 <= upper + height, (layout.name, word)
        names = " ".join(w.text for w in words if w.page == 1)
        assert "…" in names


def test_wrap_text_keeps_to_width_and_line_count() -> None:
    lines = lb.wrap_text("aaa " + "b" * 80 + " ccc ddd eee", lb.FONT, 10, 100, 3)

    assert len(lines) == 3
    assert all(lb.text_width(line, lb.FONT, 10) <= 100 for line in lines)
    assert lines[-1].endswith("…")
    assert lb.wrap_text("kort namn", lb.FONT, 10, 100, 2) == ["kort namn"]


def test_bin_codes_are_printed_large(tmp_path: Path) -> None:
    pdf = lb.render_labels([BIN_DASH, BinLabel("B/12-04")], "a4-3x8")

    words = {w.text: w for w in pdf_words(pdf, tmp_path)}

    for code in ("A-01-03", "B/12-04"):
        # Readable from a step away: letters over 1 cm tall.
        assert words[code].y1 - words[code].y0 >= 10 * MM


# --- refusals --------------------------------------------------------------------------------
def test_a_code_too_long_for_the_label_is_refused_with_a_way_out() -> None:
    label = ItemLabel("Lång", "X" * 40, None, None)

    with pytest.raises(LabelError, match="too long for a barcode on a 57 mm wide label"):
        lb.render_labels([label], "roll-57x32")


def test_unknown_layout_copies_and_empty_lists_are_refused() -> None:
    with pytest.raises(LabelError, match="a4-3x8, a4-3x7, roll-62x29, roll-57x32"):
        lb.get_layout("letter")
    with pytest.raises(LabelError, match="from 1 to 999"):
        lb.render_labels([BIN_DASH], "a4-3x8", copies=0)
    with pytest.raises(LabelError, match="from 1 to 999"):
        lb.render_labels([BIN_DASH], "a4-3x8", copies=1000)
    with pytest.raises(LabelError, match="no labels"):
        lb.render_labels([], "a4-3x8")


def test_page_count() -> None:
    sheet = lb.get_layout("a4-3x8")
    assert [lb.page_count(n, sheet) for n in (0, 1, 24, 25, 48)] == [0, 1, 1, 2, 2]
    assert lb.page_count(5, lb.get_layout("roll-57x32")) == 5
