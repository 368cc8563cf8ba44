"""The variance report of a count: per line the snapshot, the system quantity when the
line was counted, the counted quantity, the variance in quantity and value, whether it
is beyond tolerance and what became of it; with totals and the rule the variances
follow, so the page can be read without the screen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from app.i18n import _
from app.reports.common import (
    ROWS_PER_TABLE,
    Party,
    build_document,
    document_header,
    fields_block,
    fmt_amount,
    fmt_datetime,
    fmt_money,
    fmt_qty,
    grid_style,
    styles,
    text,
)

BEYOND_FILL = colors.HexColor("#fde7e4")


@dataclass(frozen=True)
class VarianceReportLine:
    """One line of a count with its figures (None where not counted)."""

    bin_code: str
    sku: str
    name: str
    unit: str
    lot: str
    unexpected: bool
    expected: Decimal
    system_at_count: Decimal | None
    counted: Decimal | None
    variance: Decimal | None
    value: Decimal | None
    beyond_tolerance: bool | None
    status: str
    counted_by: str


@dataclass(frozen=True)
class VarianceReportPdf:
    """Everything the variance report shows (built by ``counting.variance_report_data``)."""

    number: str
    title: str
    company: Party
    currency: str
    status: str
    blind: bool
    created_at: dt.datetime
    finished_at: dt.datetime | None
    finished_by: str
    tolerance_percent: Decimal
    tolerance_value: Decimal
    rule_text: str
    lines: tuple[VarianceReportLine, ...]

    @property
    def counted_lines(self) -> list[VarianceReportLine]:
        """Lines with a count."""
        return [line for line in self.lines if line.counted is not None]

    @property
    def gains(self) -> Decimal:
        """Value of the variances above the system quantity."""
        return sum((v.value for v in self.lines if v.value and v.value > 0), Decimal(0))

    @property
    def losses(self) -> Decimal:
        """Value of the variances below the system quantity (negative)."""
        return sum((v.value for v in self.lines if v.value and v.value < 0), Decimal(0))


def _header(data: VarianceReportPdf) -> Table:
    fields = [
        (_("Count"), data.number),
        (_("Scope"), data.title),
        (_("Status"), data.status),
        (_("Started"), fmt_datetime(data.created_at)),
        (_("Counting ended"), fmt_datetime(data.finished_at)),
        (_("Ended by"), data.finished_by),
    ]
    return document_header(data.company, _("Count variance report"), fields, company_share=0.45)


def _summary(data: VarianceReportPdf) -> list[Flowable]:
    s = styles()
    counted = data.counted_lines
    with_variance = [line for line in counted if line.variance]
    beyond = [line for line in counted if line.beyond_tolerance]
    within = len(counted) - len(beyond)
    share = (
        f"{fmt_qty((Decimal(100) * within / len(counted)).quantize(Decimal('0.1')))} %"
        if counted
        else "–"
    )
    fields = [
        (_("Lines"), str(len(data.lines))),
        (_("Counted"), str(len(counted))),
        (_("With a variance"), str(len(with_variance))),
        (_("Beyond tolerance"), str(len(beyond))),
        (_("Within tolerance"), share),
        (_("Found more"), fmt_money(data.gains, data.currency)),
        (_("Found less"), fmt_money(data.losses, data.currency)),
        (_("Net variance"), fmt_money(data.gains + data.losses, data.currency)),
    ]
    tolerance = _(
        "Tolerance: a line is beyond tolerance when its variance is more than {percent} "
        "percent of the system quantity or more than {value} in value."
    ).format(
        percent=fmt_qty(data.tolerance_percent),
        value=fmt_money(data.tolerance_value, data.currency),
    )
    return [
        fields_block(fields),
        Spacer(1, 2 * mm),
        text(tolerance, s.small),
        text(data.rule_text, s.small),
    ]


def _cell_name(line: VarianceReportLine) -> list[Paragraph]:
    s = styles()
    parts = [text(line.name, s.cell)]
    notes = []
    if line.lot:
        notes.append(_("lot {lot}").format(lot=line.lot))
    if line.unexpected:
        notes.append(_("not expected here"))
    if line.counted_by:
        notes.append(_("counted by {names}").format(names=line.counted_by))
    if notes:
        parts.append(text(" · ".join(notes), s.small))
    return parts


def _lines(data: VarianceReportPdf) -> list[Flowable]:
    s = styles()
    header = [
        text(_("Bin"), s.head),
        text(_("SKU"), s.head),
        text(_("Description"), s.head),
        text(_("At start"), s.head_right),
        text(_("At count"), s.head_right),
        text(_("Counted"), s.head_right),
        text(_("Variance"), s.head_right),
        text(_("Value"), s.head_right),
        text(_("Status"), s.head),
    ]

    def qty(value: Decimal | None) -> Paragraph:
        return text(fmt_qty(value) if value is not None else "–", s.cell_right)

    rows: list[list[Any]] = []
    for line in data.lines:
        variance = "–"
        if line.variance is not None:
            variance = ("+" if line.variance > 0 else "") + fmt_qty(line.variance)
        rows.append(
            [
                text(line.bin_code, s.cell),
                text(line.sku, s.cell),
                _cell_name(line),
                qty(line.expected),
                qty(line.system_at_count),
                qty(line.counted),
                text(variance, s.cell_right),
                text(fmt_amount(line.value) if line.value is not None else "–", s.cell_right),
                text(line.status, s.cell),
            ]
        )
    widths = [w * mm for w in (20, 27, 37, 14, 15, 16, 18, 17, 16)]
    tables: list[Flowable] = []
    for start in range(0, max(len(rows), 1), ROWS_PER_TABLE):
        chunk = rows[start : start + ROWS_PER_TABLE]
        extra = [
            ("BACKGROUND", (0, index + 1), (-1, index + 1), BEYOND_FILL)
            for index, line in enumerate(data.lines[start : start + ROWS_PER_TABLE])
            if line.beyond_tolerance
        ]
        table = Table([header, *chunk], colWidths=widths, repeatRows=1)
        table.setStyle(grid_style(right_columns=range(3, 8), extra=extra))
        tables.append(table)
    return tables


def render_variance_report(data: VarianceReportPdf) -> bytes:
    """The variance report as PDF bytes (A4, "page X of Y")."""
    s = styles()
    story: list[Flowable] = [
        _header(data),
        Spacer(1, 5 * mm),
        *_summary(data),
        Spacer(1, 4 * mm),
        text(
            _(
                "Values at the current unit cost, in {currency}. Shaded lines are beyond tolerance."
            ).format(currency=data.currency),
            s.small,
        ),
        Spacer(1, 1.5 * mm),
        *_lines(data),
    ]
    title = _("Count variance report {number}").format(number=data.number)
    return build_document(story, title=title, company=data.company)
