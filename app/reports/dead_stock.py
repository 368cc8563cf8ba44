"""Dead stock and slow movers: what sits on the shelves without being issued, how long
it has sat there and how much money it ties up.

An item is *dead* when it has stock and no issue for ``dead_days`` days (an item never
issued: ``dead_days`` since its first receipt);
a *slow mover* when it was issued, but its stock would last more than
``slow_cover_days`` days at the rate of the last 365 days' issues. The service
(``app.services.reports.dead_stock_data``) decides; this module lays out the result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from reportlab.platypus import Flowable

from app.i18n import _, ngettext
from app.reports.charts import vertical_bars
from app.reports.common import fmt_date
from app.reports.frame import (
    Column,
    Emphasis,
    ReportFrame,
    fmt_share,
    key_figures,
    no_rows_note,
    numbers,
    render_report,
    row_table,
    section,
    widths,
)

DEAD = "dead"
SLOW = "slow"


@dataclass(frozen=True)
class DeadStockLine:
    """One item that is dead or slow, with the figures that make it so."""

    sku: str
    name: str
    category: str
    unit: str
    on_hand: Decimal
    value: Decimal
    last_issue: dt.date | None
    # Days since the last issue; for an item never issued, days since it came in.
    idle_days: int
    issued_last_year: Decimal
    # Days the stock lasts at last year's rate of issue; None when nothing was issued.
    cover_days: Decimal | None
    status: str


@dataclass(frozen=True)
class AgeBucket:
    """Stock value of the items whose last issue was this long ago (for the chart)."""

    label: str
    items: int
    value: Decimal


@dataclass(frozen=True)
class DeadStockReport:
    """Everything the dead stock report shows (built by ``reports.dead_stock_data``)."""

    frame: ReportFrame
    as_of: dt.date
    dead_days: int
    slow_cover_days: int
    lines: tuple[DeadStockLine, ...]
    items_in_stock: int
    stock_value: Decimal
    buckets: tuple[AgeBucket, ...]

    @property
    def dead(self) -> list[DeadStockLine]:
        """The dead items, most money first."""
        return [line for line in self.lines if line.status == DEAD]

    @property
    def slow(self) -> list[DeadStockLine]:
        """The slow movers, most money first."""
        return [line for line in self.lines if line.status == SLOW]

    @property
    def dead_value(self) -> Decimal:
        """Value tied up in dead stock."""
        return sum((line.value for line in self.dead), Decimal(0))

    @property
    def slow_value(self) -> Decimal:
        """Value tied up in slow movers."""
        return sum((line.value for line in self.slow), Decimal(0))


def _columns() -> list[Column]:
    w = widths(24, 50, 16, 9, 20, 16, 18, 16, 22)
    return [
        Column(_("SKU"), w[0]),
        Column(_("Item"), w[1]),
        Column(_("On hand"), w[2], right=True),
        Column(_("Unit"), w[3]),
        Column(_("Last issue"), w[4]),
        Column(_("Days idle"), w[5], right=True),
        Column(_("Issued, last 365 days"), w[6], right=True),
        Column(_("Cover (days)"), w[7], right=True),
        Column(_("Value tied up"), w[8], right=True),
    ]


def _rows(lines: list[DeadStockLine]) -> list[tuple[str, ...]]:
    n = numbers()
    rows: list[tuple[str, ...]] = []
    for line in lines:
        rows.append(
            (
                line.sku,
                line.name,
                n.qty(line.on_hand),
                line.unit,
                fmt_date(line.last_issue) if line.last_issue else _("never"),
                n.integer(line.idle_days),
                n.qty(line.issued_last_year),
                n.integer(line.cover_days) if line.cover_days is not None else "–",
                n.amount(line.value),
            )
        )
    total = sum((line.value for line in lines), Decimal(0))
    rows.append(Emphasis((_("Total"), "", "", "", "", "", "", "", n.amount(total))))
    return rows


def render_dead_stock(data: DeadStockReport) -> bytes:
    """The dead stock and slow movers report as PDF bytes."""
    n = numbers()
    dead, slow = data.dead, data.slow
    figures = [
        (_("Items in stock"), n.integer(data.items_in_stock)),
        (_("Stock value"), n.amount(data.stock_value)),
        (
            _("Dead items"),
            n.integer(len(dead)),
        ),
        (_("Value in dead stock"), n.amount(data.dead_value)),
        (_("Share of stock value"), fmt_share(data.dead_value, data.stock_value)),
        (_("Slow movers"), n.integer(len(slow))),
        (_("Value in slow movers"), n.amount(data.slow_value)),
        (_("Share of stock value"), fmt_share(data.slow_value, data.stock_value)),
    ]
    rule = ngettext(
        "Dead: in stock and not issued for {days} day or more.",
        "Dead: in stock and not issued for {days} days or more.",
        data.dead_days,
    ).format(days=n.integer(data.dead_days))
    rule += " " + _(
        "Slow: issued, but the stock lasts more than {days} days at the rate of the "
        "last 365 days. Days idle of an item never issued count from its first receipt."
    ).format(days=n.integer(data.slow_cover_days))
    story: list[Flowable] = [
        key_figures(figures, columns=4),
        *section(_("Stock value by days since the last issue"), rule),
        vertical_bars(
            [bucket.label for bucket in data.buckets],
            [bucket.value for bucket in data.buckets],
            value_format=lambda v: n.integer(Decimal(repr(v))),
        ),
        *section(_("Dead stock"), _("Most value tied up first.")),
    ]
    story.append(row_table(_columns(), _rows(dead)) if dead else no_rows_note(_("No dead stock.")))
    story += section(_("Slow movers"), _("Most value tied up first."))
    story.append(row_table(_columns(), _rows(slow)) if slow else no_rows_note(_("No slow movers.")))
    return render_report(data.frame, story, period_label=_("As of"))
