"""What every Hylla PDF shares: A4 pages, fonts with Swedish letters, the company
header, "page X of Y", escaped text and numbers, money and dates in the user's locale.

Builders take plain data and return PDF bytes; nothing here knows the database.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Generic, TypeVar
from xml.sax.saxutils import escape

from babel.dates import format_date, format_datetime, get_timezone
from babel.numbers import format_decimal, get_currency_symbol
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.i18n import _, locale_name
from app.reports.values import Party, round_money

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
PAGE_SIZE = A4
MARGIN = 15 * mm
CONTENT_WIDTH = PAGE_SIZE[0] - 2 * MARGIN
# Rows per Table. reportlab splits a long table at page ends (repeating its header row)
# at a cost that grows superlinearly (DESIGN.md: 20,000 rows take 22 s as one table), so
# a list beyond this many rows is laid out as a series of tables. Orders and receipts
# stay within one table, which breaks only at page ends.
ROWS_PER_TABLE = 1000
GRID_COLOR = colors.HexColor("#9aa0a6")
HEADER_FILL = colors.HexColor("#e8eaed")
# 0.4 mm modules print and rasterise (150 dpi and up) cleanly; 12 mm is easy to aim at.
BARCODE_MODULE = 0.4 * mm
BARCODE_HEIGHT = 12 * mm
# A line of a document (an order line, a receipt line) as a line table shows it.
LineT = TypeVar("LineT")


@dataclass(frozen=True)
class Fonts:
    """The regular and bold font names registered with reportlab."""

    regular: str
    bold: str


@functools.cache
def fonts() -> Fonts:
    """DejaVu Sans (every Swedish letter, and ×, –, …) if installed; else Helvetica."""
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if regular.is_file() and bold.is_file():
        try:
            pdfmetrics.registerFont(TTFont("HyllaSans", str(regular)))
            pdfmetrics.registerFont(TTFont("HyllaSans-Bold", str(bold)))
            pdfmetrics.registerFontFamily("HyllaSans", normal="HyllaSans", bold="HyllaSans-Bold")
            return Fonts("HyllaSans", "HyllaSans-Bold")
        except Exception:  # noqa: BLE001 - a damaged font file: Helvetica still works
            pass
    return Fonts("Helvetica", "Helvetica-Bold")


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of Hylla's documents."""

    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    head: ParagraphStyle
    head_right: ParagraphStyle
    title: ParagraphStyle
    company: ParagraphStyle
    label: ParagraphStyle


@functools.cache
def styles() -> Styles:
    """Styles in the registered fonts (built once per process)."""
    f = fonts()
    body = ParagraphStyle("body", fontName=f.regular, fontSize=9.5, leading=12.5)
    cell = ParagraphStyle("cell", fontName=f.regular, fontSize=8, leading=10)
    head = ParagraphStyle("head", fontName=f.bold, fontSize=8, leading=10)
    return Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8, leading=10),
        cell=cell,
        cell_right=ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT),
        head=head,
        head_right=ParagraphStyle("head_right", parent=head, alignment=TA_RIGHT),
        title=ParagraphStyle("title", fontName=f.bold, fontSize=17, leading=21),
        company=ParagraphStyle("company", fontName=f.bold, fontSize=14, leading=18),
        label=ParagraphStyle(
            "label", fontName=f.bold, fontSize=7.5, leading=9, textColor=colors.HexColor("#555")
        ),
    )


def text(value: str, style: ParagraphStyle | None = None) -> Paragraph:
    """A paragraph of plain text: markup characters escaped, line breaks kept."""
    lines = [escape(line) for line in str(value).splitlines()] or [""]
    return Paragraph("<br/>".join(lines), style or styles().body)


def bold(value: str, style: ParagraphStyle | None = None) -> Paragraph:
    """A paragraph of plain text in bold."""
    lines = [escape(line) for line in str(value).splitlines()] or [""]
    return Paragraph("<b>" + "<br/>".join(lines) + "</b>", style or styles().body)


def fmt_qty(value: Decimal) -> str:
    """A quantity as people write it here: ``1 234,5`` (sv), ``1,234.5`` (en)."""
    return format_decimal(value, format="#,##0.###", locale=locale_name())


def fmt_price(value: Decimal) -> str:
    """A unit price: two decimals, up to four when the price has them."""
    return format_decimal(value, format="#,##0.00##", locale=locale_name())


def fmt_amount(value: Decimal) -> str:
    """An amount with two decimals, no currency: ``1 234,50``."""
    return format_decimal(round_money(value), format="#,##0.00", locale=locale_name())


def fmt_money(value: Decimal, currency: str) -> str:
    """An amount with its currency: ``1 234,50 kr`` (sv), ``SEK 1,234.50`` (en)."""
    symbol = get_currency_symbol(currency, locale=locale_name())
    amount = fmt_amount(value)
    if locale_name().startswith("sv"):
        return f"{amount}\u00a0{symbol}"
    return f"{currency}\u00a0{amount}"


def fmt_date(value: dt.date | None) -> str:
    """A date in the locale's short form (``2026-12-01`` in Swedish); empty for None."""
    if value is None:
        return ""
    return format_date(value, format="short", locale=locale_name())


def fmt_datetime(value: dt.datetime | None) -> str:
    """A moment in local time, short form."""
    if value is None:
        return ""
    return format_datetime(value, format="short", tzinfo=get_timezone(), locale=locale_name())


def fmt_lot(lot: str, expiry: dt.date | None) -> str:
    """A lot with its expiry date in brackets, unless the lot is named after that date."""
    if expiry is not None and lot != expiry.isoformat():
        return f"{lot} ({fmt_date(expiry)})" if lot else fmt_date(expiry)
    return lot


def grid_style(*, right_columns: Sequence[int] = (), extra: Sequence[Any] = ()) -> TableStyle:
    """Ruled table with a shaded header row (ruled so text extraction finds the cells)."""
    commands: list[Any] = [
        ("GRID", (0, 0), (-1, -1), 0.4, GRID_COLOR),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for column in right_columns:
        commands.append(("ALIGN", (column, 0), (column, -1), "RIGHT"))
    commands.extend(extra)
    return TableStyle(commands)


def chunked_tables(
    header: list[Any],
    rows: Sequence[list[Any]],
    widths: Sequence[float],
    style: TableStyle,
) -> list[Table]:
    """Rows as several ruled tables of at most ROWS_PER_TABLE rows, each with the header."""
    tables: list[Table] = []
    for start in range(0, max(len(rows), 1), ROWS_PER_TABLE):
        chunk = list(rows[start : start + ROWS_PER_TABLE])
        table = Table([header, *chunk], colWidths=list(widths), repeatRows=1)
        table.setStyle(style)
        tables.append(table)
    return tables


@dataclass(frozen=True)
class LineColumn(Generic[LineT]):
    """One column of a document's line table: its heading, width in millimetres, what
    it shows of a line (plain text, or a flowable of its own such as a bold figure),
    and whether heading and text align right (quantities, money)."""

    heading: str
    width: float
    cell: Callable[[LineT], str | Flowable | list[Flowable]]
    right: bool = False


def line_tables(
    columns: Sequence[LineColumn[LineT]],
    lines: Sequence[LineT],
    style: TableStyle | None = None,
) -> list[Table]:
    """A document's lines as ruled tables with a heading row (``chunked_tables``), one
    row a line; ``style`` defaults to the plain ``grid_style()``."""
    s = styles()
    header = [text(c.heading, s.head_right if c.right else s.head) for c in columns]
    rows = [[_line_cell(c, line) for c in columns] for line in lines]
    widths = [c.width * mm for c in columns]
    return chunked_tables(header, rows, widths, style or grid_style())


def _line_cell(column: LineColumn[LineT], line: LineT) -> Flowable | list[Flowable]:
    value = column.cell(line)
    if isinstance(value, str):
        s = styles()
        return text(value, s.cell_right if column.right else s.cell)
    return value


def company_block(company: Party) -> list[Flowable]:
    """Our company as the top left of a document shows it."""
    s = styles()
    parts: list[Flowable] = [text(company.name or _("(company name not set)"), s.company)]
    if company.address:
        parts.append(text(company.address, s.body))
    if company.email:
        parts.append(text(company.email, s.body))
    return parts


def party_block(label: str, party: Party, extra: Sequence[str] = ()) -> list[Flowable]:
    """A labelled address block (e.g. "Supplier"): name in bold, then address, e-mail."""
    s = styles()
    parts: list[Flowable] = [text(label.upper(), s.label), bold(party.name, s.body)]
    if party.address:
        parts.append(text(party.address, s.body))
    if party.email:
        parts.append(text(party.email, s.body))
    parts.extend(text(line, s.body) for line in extra if line)
    return parts


def fields_block(fields: Sequence[tuple[str, str]]) -> Table:
    """Label/value pairs as a small two-column table (order date, delivery date…)."""
    s = styles()
    data = [[text(label, s.label), text(value, s.body)] for label, value in fields]
    table = Table(data, colWidths=[32 * mm, None])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def order_barcode(number: str) -> Code128:
    """The order number as a vector Code 128 symbol with quiet zones."""
    return Code128(
        number,
        barWidth=BARCODE_MODULE,
        barHeight=BARCODE_HEIGHT,
        humanReadable=False,
        quiet=True,
        lquiet=10 * BARCODE_MODULE,
        rquiet=10 * BARCODE_MODULE,
    )


def document_header(
    company: Party,
    title: str,
    fields: Sequence[tuple[str, str]],
    *,
    company_share: float,
    stamp: str = "",
    barcode: str = "",
) -> Table:
    """The top of a document: our company on the left (``company_share`` of the width);
    on the right the title, a ``stamp`` under it ("Draft"), the ``barcode`` number as a
    scannable symbol with the number under it, then the document's fields."""
    s = styles()
    right: list[Flowable] = [bold(title, s.title)]
    if stamp:
        right.append(text(stamp.upper(), s.label))
    right.append(Spacer(1, 2 * mm))
    if barcode:
        right += [order_barcode(barcode), bold(barcode, s.body), Spacer(1, 2 * mm)]
    right.append(fields_block(fields))
    table = Table(
        [[company_block(company), right]], colWidths=[CONTENT_WIDTH * company_share, None]
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def address_pair(addressee: list[Flowable], other: list[Flowable]) -> Table:
    """Two address blocks side by side: the one the document goes to on the left, boxed,
    and the other (ours) on the right."""
    table = Table([[addressee, other]], colWidths=[CONTENT_WIDTH * 0.52, None])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOX", (0, 0), (0, 0), 0.4, GRID_COLOR),
                ("LEFTPADDING", (0, 0), (0, 0), 5),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (1, 0), (1, 0), 12),
            ]
        )
    )
    return table


def _numbered_canvas(footer_left: str) -> type[Canvas]:
    """A canvas class that writes "page X of Y" once the number of pages is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved_pages)
            for state in self._saved_pages:
                self.__dict__.update(state)
                self._draw_footer(total)
                super().showPage()
            super().save()

        def _draw_footer(self, total: int) -> None:
            f = fonts()
            self.saveState()
            self.setFont(f.regular, 8)
            self.setFillColor(colors.HexColor("#555"))
            y = MARGIN / 2
            self.drawString(MARGIN, y, footer_left)
            self.drawRightString(
                PAGE_SIZE[0] - MARGIN,
                y,
                _("Page {page} of {pages}").format(page=self._pageNumber, pages=total),
            )
            self.restoreState()

    return NumberedCanvas


def build_pdf(
    story: list[Flowable],
    *,
    title: str,
    author: str,
    footer: str,
    on_page: Callable[[Canvas, Any], None] | None = None,
) -> bytes:
    """Lay out ``story`` on A4 pages with a "page X of Y" footer; return the PDF bytes."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=title,
        author=author,
        creator="Hylla",
    )
    hook = on_page or (lambda canvas, doc: None)
    document.build(story, onFirstPage=hook, onLaterPages=hook, canvasmaker=_numbered_canvas(footer))
    return buffer.getvalue()


def build_document(story: list[Flowable], *, title: str, company: Party) -> bytes:
    """``build_pdf`` for one of our documents: the footer names our company and the
    document (just the document while the company name is not set)."""
    return build_pdf(
        story,
        title=title,
        author=company.name,
        footer=f"{company.name} · {title}" if company.name else title,
    )
