"""ABC analysis: the items ranked by consumption value over a period, the classes the
cut-offs give them, each class's share of the items and of the value, and a Pareto
chart of how few items make most of the value.

The service (``app.services.reports.abc_data``) takes the values from the ledger and the
classes from ``app.planning.abc``; this module lays out the result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from reportlab.platypus import Flowable

from app.i18n import _
from app.reports.charts import pareto
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

CLASSES = ("A", "B", "C")


@dataclass(frozen=True)
class AbcLine:
    """One ranked item."""

    rank: int
    sku: str
    name: str
    category: str
    value: Decimal
    share: Decimal
    cumulative: Decimal
    abc_class: str


@dataclass(frozen=True)
class AbcClassTotal:
    """One class: how many items, how much value, and the shares of both."""

    abc_class: str
    items: int
    value: Decimal
    cutoff: Decimal


@dataclass(frozen=True)
class AbcReport:
    """Everything the ABC analysis shows (built by ``reports.abc_data``)."""

    frame: ReportFrame
    start: dt.date
    end: dt.date
    # Items with consumption, highest value first.
    lines: tuple[AbcLine, ...]
    classes: tuple[AbcClassTotal, ...]
    # Active items without any consumption in the period (they are class C).
    items_without_issues: int

    @property
    def total_items(self) -> int:
        """Every item classified, with or without consumption."""
        return sum(total.items for total in self.classes)

    @property
    def total_value(self) -> Decimal:
        """The consumption value of all items."""
        return sum((total.value for total in self.classes), Decimal(0))


def _class_rows(data: AbcReport) -> list[tuple[str, ...]]:
    n = numbers()
    rows: list[tuple[str, ...]] = []
    for total in data.classes:
        rows.append(
            (
                total.abc_class,
                n.percent(total.cutoff, 0),
                n.integer(total.items),
                fmt_share(Decimal(total.items), Decimal(data.total_items)),
                n.amount(total.value),
                fmt_share(total.value, data.total_value),
            )
        )
    rows.append(
        Emphasis(
            (
                _("Total"),
                "",
                n.integer(data.total_items),
                fmt_share(Decimal(data.total_items), Decimal(data.total_items)),
                n.amount(data.total_value),
                fmt_share(data.total_value, data.total_value),
            )
        )
    )
    return rows


def _class_columns() -> list[Column]:
    w = widths(18, 24, 22, 24, 34, 24)
    return [
        Column(_("Class"), w[0]),
        Column(_("Cut-off"), w[1], right=True),
        Column(_("Items"), w[2], right=True),
        Column(_("Share of items"), w[3], right=True),
        Column(_("Consumption value"), w[4], right=True),
        Column(_("Share of value"), w[5], right=True),
    ]


def _item_columns() -> list[Column]:
    w = widths(12, 24, 56, 30, 26, 16, 21, 11)
    return [
        Column(_("Rank"), w[0], right=True),
        Column(_("SKU"), w[1]),
        Column(_("Item"), w[2]),
        Column(_("Category"), w[3]),
        Column(_("Consumption value"), w[4], right=True),
        Column(_("Share"), w[5], right=True),
        Column(_("Cumulative"), w[6], right=True),
        Column(_("Class"), w[7]),
    ]


def _item_rows(lines: tuple[AbcLine, ...]) -> list[tuple[str, ...]]:
    n = numbers()
    return [
        (
            n.integer(line.rank),
            line.sku,
            line.name,
            line.category,
            n.amount(line.value),
            n.percent(line.share, 2),
            n.percent(line.cumulative, 1),
            line.abc_class,
        )
        for line in lines
    ]


def render_abc_analysis(data: AbcReport) -> bytes:
    """The ABC analysis as PDF bytes."""
    n = numbers()
    by_class = {total.abc_class: total for total in data.classes}
    figures = [
        (_("Items classified"), n.integer(data.total_items)),
        (_("Consumption value"), n.amount(data.total_value)),
        (_("Items without issues"), n.integer(data.items_without_issues)),
    ]
    for abc in CLASSES:
        total = by_class.get(abc)
        if total is not None:
            figures.append(
                (
                    _("Class {abc}: items / value").format(abc=abc),
                    f"{fmt_share(Decimal(total.items), Decimal(data.total_items))} / "
                    f"{fmt_share(total.value, data.total_value)}",
                )
            )
    guides: list[float] = []
    running = Decimal(0)
    for total in data.classes[:-1]:
        running += total.cutoff
        guides.append(float(running))
    story: list[Flowable] = [
        key_figures(figures),
        *section(
            _("Classes"),
            _(
                "Consumption value: the cost of the goods issued in the period. An item is in "
                "class A while the items ranked above it make up less than the A cut-off of "
                "the total, then B, then C; items without issues are C."
            ),
        ),
        row_table(_class_columns(), _class_rows(data)),
        *section(_("Pareto chart")),
        pareto(
            [line.value for line in data.lines],
            value_format=lambda v: n.integer(Decimal(str(v))),
            percent_format=lambda v: n.percent(Decimal(str(v)), 0),
            guides=guides,
            x_label=_("Items ranked by consumption value, highest first"),
            title=_("Consumption value (columns) and cumulative share (line)"),
        ),
        *section(_("Items by consumption value")),
    ]
    story.append(
        row_table(_item_columns(), _item_rows(data.lines))
        if data.lines
        else no_rows_note(_("No item was issued in the period."))
    )
    return render_report(data.frame, story)
