"""The frame every management report shares: company header, title, the period or the
date the report is "as of", key figures, long tables that stay fast, and "page X of Y".

The five reports (stock turnover, write-downs, valuation, dead stock, ABC analysis)
list up to one row per item: 20,000 rows must lay out in a few seconds (DESIGN.md's
budget is 5 s for the turnover report, data included). reportlab's ``Table`` with
``Paragraph`` cells costs about 20 µs a cell and babel's ``format_decimal`` 13 µs a
number, so the long lists here are drawn by :class:`RowTable`, a flowable that writes
plain strings straight onto the canvas (plain strings are never read as markup, so
``<b>Fish & Chips</b>`` prints literally) and rules its cells so that text extraction
still finds the table; and numbers are formatted by :class:`NumberFormat`, which takes
the locale's symbols from babel once and then formats with Python's own ``format``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel.numbers import format_decimal, format_percent, get_decimal_symbol, get_group_symbol
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from app.i18n import _, locale_name
from app.reports.common import (
    CONTENT_WIDTH,
    GRID_COLOR,
    HEADER_FILL,
    Party,
    bold,
    build_document,
    document_header,
    fmt_date,
    fmt_datetime,
    fonts,
    styles,
    text,
)

ELLIPSIS = "…"
TOTAL_FILL = colors.HexColor("#f1f3f4")
SECTION_COLOR = colors.HexColor("#1a3d5c")


# --- Numbers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NumberFormat:
    """Numbers as the report language writes them, fast enough for 20,000-row tables.

    The symbols (decimal mark, digit grouping, minus sign, the percent suffix) come
    from babel for the locale; the digits from Python's ``format`` after rounding half
    up. ``tests/reports/test_frame.py`` checks the result equals babel's own.
    """

    decimal: str
    group: str
    minus: str
    percent_suffix: str

    @classmethod
    def for_locale(cls, locale: str) -> NumberFormat:
        """The format of a babel locale such as ``sv_SE``."""
        sample = format_percent(Decimal(1), locale=locale)
        return cls(
            decimal=get_decimal_symbol(locale),
            group=get_group_symbol(locale),
            # What babel's own format_decimal writes (an ASCII hyphen-minus, not U+2212).
            minus=format_decimal(Decimal(-1), locale=locale)[0],
            percent_suffix=sample.replace("100", "", 1),
        )

    def fixed(self, value: Decimal, places: int) -> str:
        """``value`` rounded half up to ``places`` decimals, grouped: ``1 234,50``."""
        rounded = value.quantize(_quantum(places), rounding=ROUND_HALF_UP)
        if rounded == 0:
            # No "-0,00" for a tiny negative amount.
            rounded = abs(rounded)
        return self._localise(format(rounded, _grouped_spec(places)))

    @functools.cached_property
    def _localise(self) -> Callable[[str], str]:
        """Python's "1,234.50" in the locale's symbols. Two ``str.replace`` cost a third
        of one ``str.translate``, which counts at 100,000 numbers a report; they serve
        wherever replacing the grouping first cannot touch the decimal mark."""
        table = str.maketrans({",": self.group, ".": self.decimal, "-": self.minus})
        if self.minus != "-" or self.group in (".", "-"):
            return lambda textual: textual.translate(table)
        if (self.group, self.decimal) == (",", "."):
            return str
        group, decimal = self.group, self.decimal
        return lambda textual: textual.replace(",", group).replace(".", decimal)

    def amount(self, value: Decimal) -> str:
        """Money without currency, two decimals: ``1 234,50``."""
        return self.fixed(value, 2)

    def qty(self, value: Decimal) -> str:
        """A quantity with up to three decimals, trailing zeros dropped: ``1 234,5``."""
        textual = self.fixed(value, 3)
        if self.decimal in textual:
            textual = textual.rstrip("0").rstrip(self.decimal)
        return textual

    def integer(self, value: int | Decimal) -> str:
        """A whole number, grouped: ``20 000``."""
        return self.fixed(Decimal(value), 0)

    def percent(self, value: Decimal, places: int = 1) -> str:
        """A percentage given in percent (``12.5`` → ``12,5 %``)."""
        return self.fixed(value, places) + self.percent_suffix

    def ratio(self, value: Decimal | None, places: int = 2) -> str:
        """A ratio such as a turnover of 4.25; a dash where there is none."""
        return "–" if value is None else self.fixed(value, places)


@functools.cache
def _quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


@functools.cache
def _grouped_spec(places: int) -> str:
    return f",.{places}f"


@functools.cache
def _number_format(locale: str) -> NumberFormat:
    return NumberFormat.for_locale(locale)


def numbers() -> NumberFormat:
    """The number format of the current report language."""
    return _number_format(locale_name())


def share_percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole`` (None when the whole is zero)."""
    if whole == 0:
        return None
    return Decimal(100) * part / whole


def fmt_share(part: Decimal, whole: Decimal, places: int = 1) -> str:
    """``part`` of ``whole`` as ``12,5 %``; a dash when the whole is zero."""
    share = share_percent(part, whole)
    return "–" if share is None else numbers().percent(share, places)


# --- The frame ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFrame:
    """What the top of every report page one says: who, what, for when, made when."""

    title: str
    company: Party
    # "Period: 2025-01-01 – 2025-12-31" or "As of: 2025-12-31", already worded.
    period: str
    generated_at: dt.datetime
    currency: str
    facts: tuple[tuple[str, str], ...] = ()


def period_text(start: dt.date, end: dt.date) -> str:
    """A period as the header shows it: ``2025-01-01 – 2025-12-31 (365 days)``."""
    days = (end - start).days + 1
    return _("{start} – {end} ({days} days)").format(
        start=fmt_date(start), end=fmt_date(end), days=numbers().integer(days)
    )


def as_of_text(day: dt.date) -> str:
    """The date a report is as of, at the end of that day."""
    return _("end of {date}").format(date=fmt_date(day))


def header(frame: ReportFrame, period_label: str) -> Table:
    """Company on the left; title, period, currency and further facts on the right."""
    fields = [
        (period_label, frame.period),
        (_("Currency"), frame.currency),
        *frame.facts,
        (_("Made"), fmt_datetime(frame.generated_at)),
    ]
    return document_header(frame.company, frame.title, fields, company_share=0.42)


def section(title: str, note: str = "") -> list[Flowable]:
    """A section heading (and an optional small note under it)."""
    s = styles()
    heading = bold(title, s.body)
    heading.style = s.body.clone("section", fontSize=11.5, leading=15, textColor=SECTION_COLOR)
    parts: list[Flowable] = [Spacer(1, 5 * mm), heading]
    if note:
        parts.append(text(note, s.small))
    parts.append(Spacer(1, 1.5 * mm))
    return parts


def key_figures(figures: Sequence[tuple[str, str]], columns: int = 3) -> Table:
    """The report's headline numbers as a ruled grid of label over value."""
    s = styles()
    big = s.body.clone("figure", fontName=fonts().bold, fontSize=11, leading=14)
    cells: list[list[Any]] = []
    row: list[Any] = []
    for label, value in figures:
        row.append([text(label, s.label), text(value, big)])
        if len(row) == columns:
            cells.append(row)
            row = []
    if row:
        row += [""] * (columns - len(row))
        cells.append(row)
    table = Table(cells or [[""]], colWidths=[CONTENT_WIDTH / columns] * columns)
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.4, GRID_COLOR),
                ("INNERGRID", (0, 0), (-1, -1), 0.4, GRID_COLOR),
                ("BACKGROUND", (0, 0), (-1, -1), TOTAL_FILL),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return table


def render_report(
    frame: ReportFrame, story: Sequence[Flowable], *, period_label: str | None = None
) -> bytes:
    """The report as PDF bytes: the header, then ``story``; A4 with "page X of Y"."""
    flowables: list[Flowable] = [
        header(frame, period_label or _("Period")),
        Spacer(1, 4 * mm),
        *story,
    ]
    return build_document(flowables, title=frame.title, company=frame.company)


# --- Long tables ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a :class:`RowTable`: its heading, width (points) and alignment."""

    heading: str
    width: float
    right: bool = False


class Emphasis(tuple[str, ...]):
    """A row drawn in bold on a shaded ground (a total, a group heading)."""

    __slots__ = ()


Row = Sequence[str]
FONT_SIZE = 7.0
ROW_HEIGHT = 10.5
PADDING = 2.5


class RowTable(Flowable):
    """A ruled table of plain-text cells that draws itself straight onto the canvas.

    Cells are never parsed as markup; text too wide for its column is cut with "…" so
    a row stays one line. The heading row (wrapped over up to three lines) repeats on
    every page. Splitting at a page end costs only the rows of that page, so a table of
    20,000 rows lays out in linear time.
    """

    def __init__(
        self,
        columns: Sequence[Column],
        rows: Sequence[Row],
        *,
        start: int = 0,
        stop: int | None = None,
        font_size: float = FONT_SIZE,
        row_height: float = ROW_HEIGHT,
    ) -> None:
        super().__init__()
        self.columns = tuple(columns)
        self.rows = rows
        self.start = start
        self.stop = len(rows) if stop is None else stop
        self.font_size = font_size
        self.row_height = row_height
        f = fonts()
        self._regular, self._bold = f.regular, f.bold
        # A heading with a word wider than its column (Swedish compounds such as
        # "Omsättningshastighet") is set smaller rather than spill into its neighbour.
        self._heading_sizes = [self._heading_size(column) for column in self.columns]
        self._heading_lines = [
            simpleSplit(column.heading, self._bold, size, column.width - 2 * PADDING)[:3] or [""]
            for column, size in zip(self.columns, self._heading_sizes, strict=True)
        ]
        lines = max(len(lines) for lines in self._heading_lines)
        self.heading_height = lines * (font_size + 1.5) + 2 * PADDING
        self.width = sum(column.width for column in self.columns)
        self.height = 0.0

    def _heading_size(self, column: Column) -> float:
        room = column.width - 2 * PADDING
        widest = max(
            (stringWidth(word, self._bold, self.font_size) for word in column.heading.split()),
            default=0.0,
        )
        if widest <= room:
            return self.font_size
        return max(4.5, self.font_size * room / widest)

    def _count(self) -> int:
        return max(self.stop - self.start, 0)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.height = self.heading_height + self._count() * self.row_height
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        fits = int((available_height - self.heading_height) // self.row_height)
        if fits < 1 or self._count() <= 1:
            return []
        if fits >= self._count():
            return [self]
        cut = self.start + fits
        return [self._part(self.start, cut), self._part(cut, self.stop)]

    def _part(self, start: int, stop: int) -> RowTable:
        return RowTable(
            self.columns,
            self.rows,
            start=start,
            stop=stop,
            font_size=self.font_size,
            row_height=self.row_height,
        )

    def _fit(self, value: str, width: float, font: str) -> str:
        if stringWidth(value, font, self.font_size) <= width:
            return value
        low, high = 0, len(value)
        while low < high:
            middle = (low + high + 1) // 2
            if stringWidth(value[:middle] + ELLIPSIS, font, self.font_size) <= width:
                low = middle
            else:
                high = middle - 1
        return value[:low].rstrip() + ELLIPSIS

    def draw(self) -> None:
        canvas = self.canv
        size = self.font_size
        edges = [0.0]
        for column in self.columns:
            edges.append(edges[-1] + column.width)
        top = self.height
        body_top = top - self.heading_height
        rows = self.rows[self.start : self.stop]
        canvas.saveState()
        # Grounds first: the heading and the emphasised rows.
        canvas.setFillColor(HEADER_FILL)
        canvas.rect(0, body_top, self.width, self.heading_height, stroke=0, fill=1)
        canvas.setFillColor(TOTAL_FILL)
        for index, row in enumerate(rows):
            if isinstance(row, Emphasis):
                y = body_top - (index + 1) * self.row_height
                canvas.rect(0, y, self.width, self.row_height, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        # All text in one text object: one BT/ET per page instead of one per cell.
        ink = canvas.beginText()
        for column, lines, heading_size, left, right in zip(
            self.columns,
            self._heading_lines,
            self._heading_sizes,
            edges[:-1],
            edges[1:],
            strict=True,
        ):
            ink.setFont(self._bold, heading_size)
            y = top - PADDING - size
            for line in lines:
                if column.right:
                    x = right - PADDING - stringWidth(line, self._bold, heading_size)
                else:
                    x = left + PADDING
                ink.setTextOrigin(x, y)
                ink.textOut(line)
                y -= size + 1.5
        self._draw_cells(canvas, ink._code, rows, edges, body_top)
        # The text object's own idea of the current font subset is stale after the
        # cells' operators: make it select its font again should it write more.
        ink._curSubset = -1
        canvas.drawText(ink)
        # Rules: one line per row edge and per column edge (text extraction finds cells).
        canvas.setStrokeColor(GRID_COLOR)
        canvas.setLineWidth(0.4)
        rules: list[tuple[float, float, float, float]] = [(0, top, self.width, top)]
        rules.append((0, body_top, self.width, body_top))
        for index in range(1, len(rows) + 1):
            y = body_top - index * self.row_height
            rules.append((0, y, self.width, y))
        bottom = body_top - len(rows) * self.row_height
        rules.extend((x, bottom, x, top) for x in edges)
        canvas.lines(rules)
        canvas.restoreState()

    def _draw_cells(
        self,
        canvas: Any,
        code: list[str],
        rows: Sequence[Row],
        edges: list[float],
        body_top: float,
    ) -> None:
        """Append the body's cells to the text object's operators ``code``.

        This loop runs for every cell of a 20,000-row report, so it does the least per
        cell: a cell is measured once (the measure decides both whether it fits and,
        right-aligned, where it starts), its text is encoded by one ``str.translate``
        (:class:`_CellWriter`), and positions are formatted once per row and column.
        """
        size = self.font_size
        selected: list[tuple[str, int] | None] = [None]
        writers = {
            font: _CellWriter.of(font, canvas, size, selected)
            for font in (self._regular, self._bold)
        }
        baseline = (self.row_height - size) / 2 + 1
        cells = [
            (column.width - 2 * PADDING, right - PADDING, column.right, f"{left + PADDING:.2f}")
            for column, left, right in zip(self.columns, edges, edges[1:], strict=False)
        ]
        append = code.append
        for index, row in enumerate(rows):
            font = self._bold if isinstance(row, Emphasis) else self._regular
            writer = writers[font]
            widths, shape, table = writer.widths, writer.shape, writer.table
            y = f"{body_top - (index + 1) * self.row_height + baseline:.2f}"
            for value, (room, right, right_aligned, left_x) in zip(row, cells, strict=False):
                if not value:
                    continue
                # Measuring costs more than all the rest of a cell, and numbers (the
                # right-aligned columns) repeat their shape ("0 000,00"): widths are kept
                # per text, numbers' per shape (see _CellWriter).
                key = value.translate(shape) if right_aligned and shape else value
                width = widths.get(key)
                if width is None:
                    width = widths[key] = writer.width(value)
                if width > room:
                    value = self._fit(value, room, font)
                    width = writer.width(value)
                x = f"{right - width:.2f}" if right_aligned else left_x
                if table is None or selected[0] != writer.first_subset:
                    writer.write(code, value, x, y)
                    continue
                try:
                    encoded = value.translate(table)
                except _OtherSubset:
                    writer.write(code, value, x, y)
                    continue
                # The same operators as ``writer.write`` with the font already selected.
                append(f"1 0 0 1 {x} {y} Tm ({encoded}) Tj")


class _CellWriter:
    """Writes table cells as PDF text operators, without reportlab's per-string work.

    ``PDFTextObject.textOut`` splits each string into the font's subsets, escapes it
    and tracks a cursor (about 8 µs a cell, the bulk of a 20,000-row report). Here
    each character's encoding in the document's first subset is looked up once and a
    cell becomes one ``str.translate``; a cell with a character outside that subset
    takes reportlab's own split (same result, just slower). Standard (non-TrueType)
    fonts always go through the text object.
    """

    def __init__(
        self, font: Any, canvas: Any, size: float, selected: list[tuple[str, int] | None]
    ) -> None:
        self.font = font
        self.canvas = canvas
        self.size = size
        self.width_of = font.stringWidth
        # (font name, subset) last selected in the text object, shared between the
        # writers of one table so that each knows when to select its own font again.
        self.selected = selected
        self.dynamic = bool(getattr(font, "_dynamicFont", False))
        self.table = _FirstSubset.of(font, canvas) if self.dynamic else None
        self.first_subset = (font.fontName, 0)
        # Widths of the texts met, per shape: where all digits are equally wide (true of
        # DejaVu's and Helvetica's figures) a text's width does not depend on which
        # digits it has, so "1 234,50" and "9 870,25" share one entry.
        stores: dict[tuple[str, float], dict[str, float]] = canvas.__dict__.setdefault(
            "_hylla_widths", {}
        )
        self.widths = stores.setdefault((font.fontName, size), {})
        digit_widths = {font.stringWidth(digit, size) for digit in "0123456789"}
        self.shape = _DIGITS_AS_ZERO if len(digit_widths) == 1 else None
        self.text = canvas.beginText() if not self.dynamic else None

    @classmethod
    def of(
        cls, font_name: str, canvas: Any, size: float, selected: list[tuple[str, int] | None]
    ) -> _CellWriter:
        """The writer of a registered font on ``canvas``."""
        return cls(pdfmetrics.getFont(font_name), canvas, size, selected)

    def width(self, text: str) -> float:
        """The width of ``text`` in points."""
        return float(self.width_of(text, self.size))

    def _select(self, code: list[str], subset: int) -> None:
        key = (self.font.fontName, subset)
        if key != self.selected[0]:
            name = self.font.getSubsetInternalName(subset, self.canvas._doc)
            code.append(f"{name} {self.size:g} Tf")
            self.selected[0] = key

    def write(self, code: list[str], text: str, x: str, y: str) -> None:
        """Append the operators that show ``text`` with its start at (x, y)."""
        if self.table is None:
            self._write_standard(code, text, x, y)
            return
        try:
            encoded = text.translate(self.table)
        except _OtherSubset:
            self._write_split(code, text, x, y)
            return
        self._select(code, 0)
        code.append(f"1 0 0 1 {x} {y} Tm ({encoded}) Tj")

    def _write_split(self, code: list[str], text: str, x: str, y: str) -> None:
        code.append(f"1 0 0 1 {x} {y} Tm")
        for subset, data in self.font.splitString(text, self.canvas._doc):
            self._select(code, subset)
            code.append(f"({self.canvas._escape(data)}) Tj")

    def _write_standard(self, code: list[str], text: str, x: str, y: str) -> None:
        ink = self.text
        assert ink is not None
        ink._code = []
        ink.setFont(self.font.fontName, self.size)
        ink.setTextOrigin(float(x), float(y))
        ink.textOut(text)
        code.extend(ink._code)
        self.selected[0] = (self.font.fontName, -1)


_DIGITS_AS_ZERO = str.maketrans("123456789", "000000000")


class _OtherSubset(Exception):  # noqa: N818 - a signal, not an error
    """A character lies outside the font's first subset in this document."""


class _FirstSubset(dict[int, str]):
    """Code point -> its escaped byte in the font's first subset, filled as characters
    are first met (assigning them the way reportlab itself does); ``str.translate``
    uses it, and a character that lands in a later subset raises :class:`_OtherSubset`."""

    def __init__(self, font: Any, canvas: Any) -> None:
        super().__init__()
        self.font = font
        self.canvas = canvas

    @classmethod
    def of(cls, font: Any, canvas: Any) -> _FirstSubset:
        """The table of ``font`` for the document on ``canvas``, kept on the canvas so
        that each page of a long report does not learn the characters again."""
        tables: dict[str, _FirstSubset] = canvas.__dict__.setdefault("_hylla_first_subsets", {})
        table = tables.get(font.fontName)
        if table is None:
            table = tables[font.fontName] = cls(font, canvas)
        return table

    def __missing__(self, code: int) -> str:
        parts = self.font.splitString(chr(code), self.canvas._doc)
        if len(parts) != 1 or parts[0][0] != 0:
            raise _OtherSubset(code)
        encoded: str = self.canvas._escape(parts[0][1])
        self[code] = encoded
        return encoded


def row_table(columns: Sequence[Column], rows: Sequence[Row]) -> Flowable:
    """A :class:`RowTable`; a short one is kept on one page with what precedes it."""
    table = RowTable(columns, rows)
    if len(rows) <= 8:
        return KeepTogether([table])
    return table


def widths(*millimetres: float) -> list[float]:
    """Column widths given in millimetres, stretched or shrunk to the content width."""
    total = sum(millimetres)
    return [CONTENT_WIDTH * value / total for value in millimetres]


def no_rows_note(message: str) -> Flowable:
    """A line in place of an empty table."""
    return text(message, styles().small)
