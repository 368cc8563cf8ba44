"""The count sheet: a count's bins and lines in bin order, with an empty column to write
the counted quantity in, for those who count on paper and type the figures in later.

On a blind count the sheet carries no expected quantity. Under each bin's lines is an
empty row for goods found there that the sheet does not list; a bin the system thinks
empty is listed with such a row only, so nobody skips it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table

from app.i18n import _
from app.reports.common import (
    ROWS_PER_TABLE,
    Party,
    bold,
    build_document,
    document_header,
    fmt_datetime,
    fmt_qty,
    grid_style,
    styles,
    text,
)

# Empty rows are drawn this tall, so a quantity or an item number fits in by hand.
WRITING_ROW_HEIGHT = 7.5 * mm
WRITING_FILL = colors.HexColor("#f4f5f7")
BIN_RULE = colors.HexColor("#3c4043")
LONG_NAME = 40


@dataclass(frozen=True)
class CountSheetLine:
    """One expected item (and lot) in one bin; ``expected`` is None on a blind sheet."""

    bin_code: str
    sku: str
    name: str
    unit: str
    lot: str
    expected: Decimal | None


@dataclass(frozen=True)
class CountSheetPdf:
    """Everything the count sheet shows (built by ``counting.count_sheet_data``).

    ``bins`` are every bin to visit, in order, including bins with no lines.
    """

    number: str
    title: str
    company: Party
    blind: bool
    created_at: dt.datetime
    created_by: str
    bins: tuple[str, ...]
    lines: tuple[CountSheetLine, ...]
    recount_only: bool = False


def _header(data: CountSheetPdf) -> Table:
    fields = [
        (_("Count"), data.number),
        (_("Scope"), data.title),
        (_("Started"), fmt_datetime(data.created_at)),
        (_("Started by"), data.created_by),
        (_("Blind count"), _("Yes") if data.blind else _("No")),
    ]
    heading = _("Recount sheet") if data.recount_only else _("Count sheet")
    return document_header(data.company, heading, fields, company_share=0.45)


def _lines(data: CountSheetPdf) -> list[Flowable]:
    s = styles()
    header = [
        text(_("Bin"), s.head),
        text(_("SKU"), s.head),
        text(_("Description"), s.head),
        text(_("Lot"), s.head),
        text(_("Unit"), s.head),
    ]
    if not data.blind:
        header.append(text(_("Expected"), s.head_right))
    header.append(text(_("Counted"), s.head_right))
    by_bin = {
        code: list(lines) for code, lines in groupby(data.lines, key=lambda line: line.bin_code)
    }
    rows: list[list[Flowable]] = []
    heights: list[float | None] = []
    bin_starts: list[int] = []
    for code in data.bins:
        bin_starts.append(len(rows) + 1)
        for index, line in enumerate(by_bin.get(code, [])):
            row = [
                bold(code, s.cell) if index == 0 else text("", s.cell),
                text(line.sku, s.cell),
                text(line.name, s.cell),
                text(line.lot, s.cell),
                text(line.unit, s.cell),
            ]
            if not data.blind:
                row.append(
                    text(fmt_qty(line.expected) if line.expected is not None else "", s.cell_right)
                )
            row.append(text("", s.cell))
            rows.append(row)
            # A name that wraps makes the row tall enough by itself.
            heights.append(None if len(line.name) > LONG_NAME else WRITING_ROW_HEIGHT)
        # A row to write in goods found here that the sheet does not list.
        first = not by_bin.get(code)
        found = [
            bold(code, s.cell) if first else text("", s.cell),
            text("", s.cell),
            text(_("(not listed: write SKU and quantity)") if first else "", s.small),
            text("", s.cell),
            text("", s.cell),
        ]
        if not data.blind:
            found.append(text("", s.cell))
        found.append(text("", s.cell))
        rows.append(found)
        heights.append(WRITING_ROW_HEIGHT)
    if data.blind:
        widths = [w * mm for w in (24, 28, 70, 24, 12, 22)]
    else:
        widths = [w * mm for w in (22, 26, 60, 22, 12, 18, 20)]
    counted = len(widths) - 1
    tables: list[Flowable] = []
    for start in range(0, max(len(rows), 1), ROWS_PER_TABLE):
        chunk = rows[start : start + ROWS_PER_TABLE]
        extra: list[Any] = [("BACKGROUND", (counted, 1), (counted, -1), WRITING_FILL)]
        # A heavier rule where a new bin starts, so each bin reads as one block.
        extra += [
            ("LINEABOVE", (0, row - start), (-1, row - start), 1.2, BIN_RULE)
            for row in bin_starts
            if start < row <= start + len(chunk)
        ]
        table = Table(
            [header, *chunk],
            colWidths=widths,
            rowHeights=[None, *heights[start : start + ROWS_PER_TABLE]],
            repeatRows=1,
        )
        table.setStyle(grid_style(right_columns=(counted,), extra=extra))
        tables.append(table)
    return tables


def render_count_sheet(data: CountSheetPdf) -> bytes:
    """The count sheet as PDF bytes (A4, "page X of Y")."""
    s = styles()
    if data.blind:
        how = _(
            "Count what is in each bin and write the quantity in the Counted column. "
            "Write 0 when an item listed is not there. Write goods found that are not "
            "listed on the empty row of their bin, with their SKU."
        )
    else:
        how = _(
            "Count what is in each bin and write the quantity in the Counted column, "
            "whatever the Expected column says. Write 0 when an item listed is not "
            "there. Write goods found that are not listed on the empty row of their bin."
        )
    story: list[Flowable] = [
        _header(data),
        Spacer(1, 5 * mm),
        text(how, s.small),
        Spacer(1, 3 * mm),
        *_lines(data),
        Spacer(1, 12 * mm),
        text(
            _("Counted by")
            + ": ____________________    "
            + _("Date")
            + ": ____________    "
            + _("Signature")
            + ": ____________________",
            s.body,
        ),
    ]
    title = _("Count sheet {number}").format(number=data.number)
    return build_document(story, title=title, company=data.company)
