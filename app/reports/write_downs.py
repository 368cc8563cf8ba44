"""The write-downs of a period: each one's item and lot, reason, quantity, value before
and after, and who approved it; the totals per reason, and a chart of them.

The service (``app.services.reports.write_downs_data``) reads the posted write-downs
of ``app.services.write_downs``; this module lays them out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from reportlab.platypus import Flowable

from app.i18n import _
from app.reports.charts import horizontal_bars
from app.reports.common import fmt_date
from app.reports.frame import (
    Column,
    Emphasis,
    ReportFrame,
    key_figures,
    no_rows_note,
    numbers,
    render_report,
    row_table,
    section,
    widths,
)


@dataclass(frozen=True)
class WriteDownLine:
    """One posted write-down."""

    number: str
    day: dt.date
    sku: str
    name: str
    lot: str
    kind: str
    reason: str
    note: str
    quantity: Decimal | None
    unit: str
    value_before: Decimal
    value_after: Decimal
    approved_by: str

    @property
    def written_down(self) -> Decimal:
        """The value taken off."""
        return self.value_before - self.value_after


@dataclass(frozen=True)
class ReasonTotal:
    """The write-downs of one reason together."""

    reason: str
    count: int
    value_before: Decimal
    value_after: Decimal

    @property
    def written_down(self) -> Decimal:
        """The value taken off."""
        return self.value_before - self.value_after


@dataclass(frozen=True)
class WriteDownsReport:
    """Everything the write-downs report shows (built by ``reports.write_downs_data``)."""

    frame: ReportFrame
    start: dt.date
    end: dt.date
    lines: tuple[WriteDownLine, ...]
    reasons: tuple[ReasonTotal, ...]

    @property
    def value_before(self) -> Decimal:
        """The value before, all write-downs together."""
        return sum((line.value_before for line in self.lines), Decimal(0))

    @property
    def value_after(self) -> Decimal:
        """The value after, all write-downs together."""
        return sum((line.value_after for line in self.lines), Decimal(0))


def _line_columns() -> list[Column]:
    w = widths(16, 21, 18, 36, 13, 20, 16, 19, 19, 19, 18)
    return [
        Column(_("Number"), w[0]),
        Column(_("Date"), w[1]),
        Column(_("SKU"), w[2]),
        Column(_("Item"), w[3]),
        Column(_("Lot"), w[4]),
        Column(_("Reason"), w[5]),
        Column(_("Quantity"), w[6], right=True),
        Column(_("Value before"), w[7], right=True),
        Column(_("Value after"), w[8], right=True),
        Column(_("Written down"), w[9], right=True),
        Column(_("Approved by"), w[10]),
    ]


def _line_rows(data: WriteDownsReport) -> list[tuple[str, ...]]:
    n = numbers()
    rows: list[tuple[str, ...]] = []
    for line in data.lines:
        reason = f"{line.reason}: {line.note}" if line.note else line.reason
        quantity = f"{n.qty(line.quantity)} {line.unit}" if line.quantity is not None else line.kind
        rows.append(
            (
                line.number,
                fmt_date(line.day),
                line.sku,
                line.name,
                line.lot,
                reason,
                quantity,
                n.amount(line.value_before),
                n.amount(line.value_after),
                n.amount(line.written_down),
                line.approved_by,
            )
        )
    rows.append(
        Emphasis(
            (
                _("Total"),
                "",
                "",
                "",
                "",
                "",
                "",
                n.amount(data.value_before),
                n.amount(data.value_after),
                n.amount(data.value_before - data.value_after),
                "",
            )
        )
    )
    return rows


def _reason_columns() -> list[Column]:
    w = widths(50, 18, 30, 30, 30)
    return [
        Column(_("Reason"), w[0]),
        Column(_("Write-downs"), w[1], right=True),
        Column(_("Value before"), w[2], right=True),
        Column(_("Value after"), w[3], right=True),
        Column(_("Written down"), w[4], right=True),
    ]


def _reason_rows(data: WriteDownsReport) -> list[tuple[str, ...]]:
    n = numbers()
    rows: list[tuple[str, ...]] = [
        (
            total.reason,
            n.integer(total.count),
            n.amount(total.value_before),
            n.amount(total.value_after),
            n.amount(total.written_down),
        )
        for total in data.reasons
    ]
    rows.append(
        Emphasis(
            (
                _("Total"),
                n.integer(len(data.lines)),
                n.amount(data.value_before),
                n.amount(data.value_after),
                n.amount(data.value_before - data.value_after),
            )
        )
    )
    return rows


def render_write_downs(data: WriteDownsReport) -> bytes:
    """The write-downs report as PDF bytes."""
    n = numbers()
    figures = [
        (_("Write-downs"), n.integer(len(data.lines))),
        (_("Value before"), n.amount(data.value_before)),
        (_("Written down"), n.amount(data.value_before - data.value_after)),
    ]
    story: list[Flowable] = [
        key_figures(figures),
        *section(
            _("By reason"),
            _(
                "Write-downs posted in the period: scrapped stock (its quantity left the "
                "warehouse) and value write-downs (the quantity stayed, its value was lowered)."
            ),
        ),
    ]
    if data.reasons:
        story.append(
            horizontal_bars(
                [total.reason for total in data.reasons],
                [total.written_down for total in data.reasons],
                value_format=lambda v: n.amount(Decimal(str(v))),
            )
        )
    story.append(row_table(_reason_columns(), _reason_rows(data)))
    story += section(_("Write-downs"), _("In the order they were posted."))
    story.append(
        row_table(_line_columns(), _line_rows(data))
        if data.lines
        else no_rows_note(_("No write-down was posted in the period."))
    )
    return render_report(data.frame, story)
