"""The inventory valuation as of the end of a day: per item the quantity, unit cost and
value by the costing method in force, per category and per bin; beside the book value
the Swedish tax value a small firm may use (inkomstskattelagen 17 kap.): the lowest
value principle (the lower of cost and net realisable value, item by item) and the
97 % rule (97 % of the acquisition value of the whole stock).

A LIFO value may be shown as a what-if column, always marked as such: LIFO is not
allowed under IAS 2 or Swedish accounting law. The figures come from
``app.services.valuation`` (``reports.valuation_data`` gathers them).
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
    fmt_share,
    key_figures,
    no_rows_note,
    numbers,
    render_report,
    row_table,
    section,
    widths,
)


@dataclass(frozen=True)
class ValuationLine:
    """One item in stock."""

    sku: str
    name: str
    category: str
    unit: str
    quantity: Decimal
    unit_cost: Decimal
    value: Decimal
    # The lower of cost and net realisable value (None when the item has no sales price).
    lowest_value: Decimal | None
    lifo_value: Decimal | None


@dataclass(frozen=True)
class ValuationGroup:
    """The stock of one category or one bin."""

    label: str
    items: int
    value: Decimal


@dataclass(frozen=True)
class TaxValues:
    """Book value and the two tax values beside it; ``tax_value`` is the lower."""

    book_value: Decimal
    lowest_value: Decimal
    rule_97: Decimal
    tax_value: Decimal
    chosen: str


@dataclass(frozen=True)
class ValuationReport:
    """Everything the valuation report shows (built by ``reports.valuation_data``)."""

    frame: ReportFrame
    as_of: dt.date
    method: str
    lines: tuple[ValuationLine, ...]
    categories: tuple[ValuationGroup, ...]
    locations: tuple[ValuationGroup, ...]
    tax: TaxValues
    lifo_total: Decimal | None

    @property
    def total_value(self) -> Decimal:
        """The book value of every line."""
        return sum((line.value for line in self.lines), Decimal(0))


def _item_columns(with_lifo: bool) -> list[Column]:
    if with_lifo:
        w = widths(22, 44, 24, 17, 9, 17, 21, 21, 21)
    else:
        w = widths(24, 50, 28, 18, 10, 18, 23, 23)
    columns = [
        Column(_("SKU"), w[0]),
        Column(_("Item"), w[1]),
        Column(_("Category"), w[2]),
        Column(_("Quantity"), w[3], right=True),
        Column(_("Unit"), w[4]),
        Column(_("Unit cost"), w[5], right=True),
        Column(_("Value"), w[6], right=True),
        Column(_("Lowest value (tax)"), w[7], right=True),
    ]
    if with_lifo:
        columns.append(Column(_("LIFO (what-if only)"), w[8], right=True))
    return columns


def _item_rows(data: ValuationReport, with_lifo: bool) -> list[tuple[str, ...]]:
    n = numbers()
    rows: list[tuple[str, ...]] = []
    for line in data.lines:
        row = [
            line.sku,
            line.name,
            line.category,
            n.qty(line.quantity),
            line.unit,
            n.fixed(
                line.unit_cost,
                4 if line.unit_cost != line.unit_cost.quantize(Decimal("0.01")) else 2,
            ),
            n.amount(line.value),
            n.amount(line.lowest_value if line.lowest_value is not None else line.value),
        ]
        if with_lifo:
            row.append(n.amount(line.lifo_value) if line.lifo_value is not None else "–")
        rows.append(tuple(row))
    total = [
        _("Total"),
        "",
        "",
        "",
        "",
        "",
        n.amount(data.total_value),
        n.amount(data.tax.lowest_value),
    ]
    if with_lifo:
        total.append(n.amount(data.lifo_total) if data.lifo_total is not None else "")
    rows.append(Emphasis(total))
    return rows


def _group_columns(heading: str) -> list[Column]:
    w = widths(70, 20, 35, 25)
    return [
        Column(heading, w[0]),
        Column(_("Items"), w[1], right=True),
        Column(_("Value"), w[2], right=True),
        Column(_("Share"), w[3], right=True),
    ]


def _group_rows(groups: tuple[ValuationGroup, ...], total: Decimal) -> list[tuple[str, ...]]:
    n = numbers()
    rows: list[tuple[str, ...]] = [
        (group.label, n.integer(group.items), n.amount(group.value), fmt_share(group.value, total))
        for group in groups
    ]
    rows.append(Emphasis((_("Total"), "", n.amount(total), fmt_share(total, total))))
    return rows


def _tax_rows(data: ValuationReport) -> list[tuple[str, ...]]:
    n = numbers()
    tax = data.tax
    return [
        (_("Book value ({method})").format(method=data.method), n.amount(tax.book_value)),
        (
            _("Lowest value principle: lower of cost and net realisable value, per item"),
            n.amount(tax.lowest_value),
        ),
        (
            _("97 percent rule: 97 percent of the acquisition value of the whole stock"),
            n.amount(tax.rule_97),
        ),
        Emphasis(
            (
                _("Tax value (the lower: {which})").format(which=tax.chosen),
                n.amount(tax.tax_value),
            )
        ),
    ]


def render_valuation(data: ValuationReport) -> bytes:
    """The inventory valuation report as PDF bytes."""
    n = numbers()
    with_lifo = data.lifo_total is not None
    figures = [
        (_("Book value"), n.amount(data.tax.book_value)),
        (_("Tax value"), n.amount(data.tax.tax_value)),
        (_("Items in stock"), n.integer(len(data.lines))),
    ]
    w = widths(130, 40)
    story: list[Flowable] = [
        key_figures(figures),
        *section(
            _("Book value and tax value"),
            _(
                "The tax value a small firm may use for its stock (inkomstskattelagen 17 kap.): "
                "the lowest value principle or the 97 percent rule, whichever is lower."
            ),
        ),
        row_table(
            [Column(_("Valuation"), w[0]), Column(_("Value"), w[1], right=True)], _tax_rows(data)
        ),
        *section(_("Value by category")),
    ]
    if data.categories:
        story.append(
            horizontal_bars(
                [group.label for group in data.categories],
                [group.value for group in data.categories],
                value_format=lambda v: n.integer(Decimal(str(v))),
            )
        )
    story.append(
        row_table(_group_columns(_("Category")), _group_rows(data.categories, data.total_value))
    )
    story += section(_("Value by bin"))
    story.append(row_table(_group_columns(_("Bin")), _group_rows(data.locations, data.total_value)))
    note = _("By category and SKU.")
    if with_lifo:
        note += " " + _(
            "The LIFO column is a what-if only: LIFO is not allowed under IAS 2 or Swedish "
            "accounting law and is never the book value."
        )
    story += section(_("Items"), note)
    story.append(
        row_table(_item_columns(with_lifo), _item_rows(data, with_lifo))
        if data.lines
        else no_rows_note(_("There was no stock at the end of the day."))
    )
    return render_report(data.frame, story, period_label=_("As of"))
