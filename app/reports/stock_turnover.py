"""Stock turnover for a period, per item and per category: cost of goods sold (COGS),
average inventory value (from the daily balances of the ledger), turnover ratio, days of
supply (DSI), GMROI and ABC class; the fastest and slowest items; turnover by category
as a chart; then every item.

The figures come from ``app.services.valuation.turnover`` (the service
``app.services.reports.turnover_data`` gathers them); this module lays them out. An
item without average inventory value has no turnover, DSI or GMROI ("–").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from reportlab.platypus import Flowable

from app.i18n import _
from app.reports.charts import horizontal_bars
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
class TurnoverFigures:
    """The turnover figures of an item, a category or the whole stock."""

    cogs: Decimal
    average_value: Decimal
    revenue: Decimal
    turnover: Decimal | None
    dsi: Decimal | None
    gmroi: Decimal | None


@dataclass(frozen=True)
class TurnoverLine:
    """One item over the period."""

    sku: str
    name: str
    category: str
    abc_class: str
    figures: TurnoverFigures


@dataclass(frozen=True)
class TurnoverGroup:
    """One category (or the total) over the period."""

    label: str
    items: int
    figures: TurnoverFigures


@dataclass(frozen=True)
class TurnoverReport:
    """Everything the stock turnover report shows (built by ``reports.turnover_data``)."""

    frame: ReportFrame
    start: dt.date
    end: dt.date
    lines: tuple[TurnoverLine, ...]
    categories: tuple[TurnoverGroup, ...]
    total: TurnoverGroup
    fastest: tuple[TurnoverLine, ...]
    slowest: tuple[TurnoverLine, ...]


def _figure_cells(f: TurnoverFigures) -> tuple[str, ...]:
    n = numbers()
    return (
        n.amount(f.cogs),
        n.amount(f.average_value),
        n.ratio(f.turnover),
        n.ratio(f.dsi, 0),
        n.ratio(f.gmroi),
    )


def _item_columns() -> list[Column]:
    w = widths(21, 40, 24, 20, 20, 14, 14, 13, 8)
    return [
        Column(_("SKU"), w[0]),
        Column(_("Item"), w[1]),
        Column(_("Category"), w[2]),
        Column(_("COGS"), w[3], right=True),
        Column(_("Average inventory"), w[4], right=True),
        Column(_("Turns"), w[5], right=True),
        Column(_("DSI (days)"), w[6], right=True),
        Column(_("GMROI"), w[7], right=True),
        Column(_("ABC"), w[8]),
    ]


def _item_rows(lines: tuple[TurnoverLine, ...]) -> list[tuple[str, ...]]:
    return [
        (line.sku, line.name, line.category, *_figure_cells(line.figures), line.abc_class)
        for line in lines
    ]


def _category_columns() -> list[Column]:
    w = widths(50, 14, 24, 24, 16, 14, 16)
    return [
        Column(_("Category"), w[0]),
        Column(_("Items"), w[1], right=True),
        Column(_("COGS"), w[2], right=True),
        Column(_("Average inventory"), w[3], right=True),
        Column(_("Turns"), w[4], right=True),
        Column(_("DSI (days)"), w[5], right=True),
        Column(_("GMROI"), w[6], right=True),
    ]


def _category_rows(data: TurnoverReport) -> list[tuple[str, ...]]:
    n = numbers()
    rows: list[tuple[str, ...]] = [
        (group.label, n.integer(group.items), *_figure_cells(group.figures))
        for group in data.categories
    ]
    rows.append(
        Emphasis((_("Total"), n.integer(data.total.items), *_figure_cells(data.total.figures)))
    )
    return rows


def render_stock_turnover(data: TurnoverReport) -> bytes:
    """The stock turnover report as PDF bytes."""
    n = numbers()
    total = data.total.figures
    figures = [
        (_("Cost of goods sold (COGS)"), n.amount(total.cogs)),
        (_("Average inventory value"), n.amount(total.average_value)),
        (_("Turnover"), n.ratio(total.turnover)),
        (_("Days of supply (DSI)"), n.ratio(total.dsi, 0)),
        (_("GMROI"), n.ratio(total.gmroi)),
        (_("Items"), n.integer(data.total.items)),
    ]
    charted = [group for group in data.categories if group.figures.turnover is not None]
    story: list[Flowable] = [
        key_figures(figures),
        *section(
            _("Turnover by category"),
            _(
                "Turnover = COGS ÷ average inventory value at cost (the mean of the daily "
                "balances). DSI = days in the period ÷ turnover. GMROI = (revenue − COGS) ÷ "
                "average inventory value."
            ),
        ),
    ]
    if charted:
        story.append(
            horizontal_bars(
                [group.label for group in charted],
                [group.figures.turnover or Decimal(0) for group in charted],
                value_format=lambda v: n.ratio(Decimal(str(v)), 1),
            )
        )
    story.append(row_table(_category_columns(), _category_rows(data)))
    story += section(_("Fastest items"), _("Highest turnover first."))
    story.append(
        row_table(_item_columns(), _item_rows(data.fastest))
        if data.fastest
        else no_rows_note(_("No item was issued in the period."))
    )
    story += section(
        _("Slowest items"), _("Lowest turnover first, among items with stock in the period.")
    )
    story.append(
        row_table(_item_columns(), _item_rows(data.slowest))
        if data.slowest
        else no_rows_note(_("No item had stock in the period."))
    )
    story += section(_("All items"), _("By category and SKU."))
    story.append(
        row_table(_item_columns(), _item_rows(data.lines))
        if data.lines
        else no_rows_note(_("No item had stock or issues in the period."))
    )
    return render_report(data.frame, story)
