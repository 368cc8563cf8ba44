"""The five management reports: their data, their PDFs and their CSV files.

Each report is asked for with a :class:`ReportRequest` (which report, and its period or
the date it is as of), checked by :func:`check_request`, and made by
:func:`report_pdf` or :func:`write_report_csv`, both from the same data, so the CSV
carries exactly the figures the PDF prints:

* **stock turnover** (``turnover``): per item and category for a period, from
  ``valuation.turnover``; fastest and slowest items; a chart by category;
* **write-downs** (``write-downs``): the write-downs posted in a period, totals per
  reason and a chart, from ``write_downs``;
* **valuation** (``valuation``): the stock as of the end of a day, from
  ``valuation.valuation_as_of``, with the Swedish tax value beside the book value
  (``valuation.tax_value``) and the LIFO what-if column, marked as such;
* **dead stock and slow movers** (``dead-stock``): queried here; values from
  ``valuation.valuation_as_of``;
* **ABC analysis** (``abc``): consumption values of ``abc_classes.consumption_values``,
  classed by ``app.planning.abc`` with the cut-offs of the ``abc_cutoffs`` setting.

Days are local days: a period from D1 to D2 runs from local midnight starting D1 to
local midnight ending D2, and "as of D" means at the end of D. The report language is
the language in force (``app.i18n``); numbers and dates follow it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import gc
import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import BigInteger, String, case, func, select, type_coerce
from sqlalchemy.orm import Session

from app.i18n import N_, _
from app.models import Item, Location, LocationKind, MoveKind, StockMove
from app.models.write_downs import WriteDownKind, WriteDownStatus
from app.planning.abc import classify_items
from app.reports.abc_analysis import AbcClassTotal, AbcLine, AbcReport, render_abc_analysis
from app.reports.common import Party, fmt_date
from app.reports.dead_stock import (
    DEAD,
    SLOW,
    AgeBucket,
    DeadStockLine,
    DeadStockReport,
    render_dead_stock,
)
from app.reports.frame import ReportFrame, as_of_text, period_text
from app.reports.stock_turnover import (
    TurnoverFigures,
    TurnoverGroup,
    TurnoverLine,
    TurnoverReport,
    render_stock_turnover,
)
from app.reports.valuation import (
    TaxValues,
    ValuationGroup,
    ValuationLine,
    ValuationReport,
    render_valuation,
)
from app.reports.write_downs import (
    ReasonTotal,
    WriteDownLine,
    WriteDownsReport,
    render_write_downs,
)
from app.services import abc_classes, valuation, write_downs
from app.services.csvio import TableFormat, format_date, format_decimal, write_table
from app.services.errors import ValidationError
from app.services.settings import CostingMethod, costing_method, get_setting

ProgressFn = Callable[[int, int], None]
T = TypeVar("T")
ZERO = Decimal(0)
# A report covers at most this many days: longer periods are better split, and the
# daily balances of 20,000 items over more days stop being quick.
MAX_PERIOD_DAYS = 5 * 366
DEAD_DAYS = 180
SLOW_COVER_DAYS = 365
YEAR_DAYS = 365
PERCENT_QUANTUM = Decimal("0.0001")


class ReportKind(enum.StrEnum):
    """The reports there are; the values are the command line's names."""

    TURNOVER = "turnover"
    WRITE_DOWNS = "write-downs"
    VALUATION = "valuation"
    DEAD_STOCK = "dead-stock"
    ABC = "abc"


REPORT_TITLES: dict[ReportKind, str] = {
    ReportKind.TURNOVER: N_("Stock turnover"),
    ReportKind.WRITE_DOWNS: N_("Write-downs"),
    ReportKind.VALUATION: N_("Inventory valuation"),
    ReportKind.DEAD_STOCK: N_("Dead stock and slow movers"),
    ReportKind.ABC: N_("ABC analysis"),
}
REPORT_DESCRIPTIONS: dict[ReportKind, str] = {
    ReportKind.TURNOVER: N_(
        "Per item and category for a period: cost of goods sold, average inventory value, "
        "turnover, days of supply (DSI), GMROI and ABC class; the fastest and slowest items."
    ),
    ReportKind.WRITE_DOWNS: N_(
        "The write-downs of a period: item and lot, reason, quantity, value before and "
        "after, who approved; totals per reason."
    ),
    ReportKind.VALUATION: N_(
        "The stock as of the end of a day: quantity, unit cost, value and method, with the "
        "Swedish tax value (lowest value principle and the 97 percent rule) beside the book value."
    ),
    ReportKind.DEAD_STOCK: N_(
        "Items in stock that are not issued, or issued so little that the stock lasts more "
        "than a year: days since the last issue and the value tied up."
    ),
    ReportKind.ABC: N_(
        "The items ranked by consumption value over a period: classes A, B and C, their "
        "shares of the items and of the value, and a Pareto chart."
    ),
}
# The reports that cover a period; the others are as of the end of one day.
PERIOD_KINDS = frozenset({ReportKind.TURNOVER, ReportKind.WRITE_DOWNS, ReportKind.ABC})


def report_title(kind: ReportKind) -> str:
    """The translated title of a report."""
    return _(REPORT_TITLES[kind])


def report_description(kind: ReportKind) -> str:
    """One translated sentence on what a report shows."""
    return _(REPORT_DESCRIPTIONS[kind])


def is_period_report(kind: ReportKind) -> bool:
    """True for a report over a period (from–to), False for one as of a date."""
    return kind in PERIOD_KINDS


@dataclass(frozen=True)
class ReportRequest:
    """Which report, and for when: a period (``start``–``end``) or a day (``as_of``).

    Dates left out take defaults: the year up to today, or today.
    """

    kind: ReportKind
    start: dt.date | None = None
    end: dt.date | None = None
    as_of: dt.date | None = None


def local_today() -> dt.date:
    """Today in the workstation's time zone."""
    return dt.datetime.now().astimezone().date()


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The year up to and including today: 365 days."""
    end = today or local_today()
    return end - dt.timedelta(days=YEAR_DAYS - 1), end


def check_request(request: ReportRequest, today: dt.date | None = None) -> ReportRequest:
    """The request with its defaults filled in, or a ValidationError that says what to fix.

    A period must not start after it ends, must not end after today and may be at most
    five years long; the as-of date must not be after today.
    """
    today = today or local_today()
    try:
        kind = ReportKind(request.kind)
    except ValueError:
        raise ValidationError(
            _("“{name}” is not a report Hylla makes. Choose one of: {names}.").format(
                name=request.kind, names=", ".join(k.value for k in ReportKind)
            ),
            field="kind",
        ) from None
    if is_period_report(kind):
        if request.as_of is not None:
            raise ValidationError(
                _("The {report} report covers a period: give its first and last day.").format(
                    report=report_title(kind)
                ),
                field="as_of",
            )
        # A date left out makes the period a year long, ending today at the latest.
        end = request.end or (
            today if request.start is None else min(today, request.start + _year())
        )
        start = request.start or end - _year()
        if start > end:
            raise ValidationError(
                _("The period starts on {start}, after its last day {end}. Swap the dates.").format(
                    start=fmt_date(start), end=fmt_date(end)
                ),
                field="start",
            )
        if end > today:
            raise ValidationError(
                _("The period ends on {end}, after today. Choose a last day up to {today}.").format(
                    end=fmt_date(end), today=fmt_date(today)
                ),
                field="end",
            )
        if (end - start).days + 1 > MAX_PERIOD_DAYS:
            raise ValidationError(
                _("A report covers at most five years; make one report per year instead."),
                field="start",
            )
        return ReportRequest(kind, start=start, end=end)
    if request.start is not None or request.end is not None:
        raise ValidationError(
            _("The {report} report is as of one day: give that date, not a period.").format(
                report=report_title(kind)
            ),
            field="start",
        )
    as_of = request.as_of or today
    if as_of > today:
        raise ValidationError(
            _("{date} is after today: a report can be as of today at the latest.").format(
                date=fmt_date(as_of)
            ),
            field="as_of",
        )
    return ReportRequest(kind, as_of=as_of)


def _year() -> dt.timedelta:
    return dt.timedelta(days=YEAR_DAYS - 1)


def report_file_name(request: ReportRequest, suffix: str) -> str:
    """A file name for the report: ``Stock turnover 2025-01-01–2025-12-31.pdf``."""
    title = report_title(request.kind)
    if request.start is not None and request.end is not None:
        when = f"{request.start.isoformat()}–{request.end.isoformat()}"
    else:
        when = (request.as_of or local_today()).isoformat()
    return f"{title} {when}.{suffix.lstrip('.')}"


# --- Shared parts ---------------------------------------------------------------------------


def company_party(session: Session) -> Party:
    """Our company as the report header shows it (settings company_name, _address, _email)."""
    return Party(
        name=get_setting(session, "company_name"),
        address=get_setting(session, "company_address"),
        email=get_setting(session, "company_email"),
    )


def _frame(
    session: Session,
    kind: ReportKind,
    period: str,
    facts: tuple[tuple[str, str], ...] = (),
) -> ReportFrame:
    return ReportFrame(
        title=report_title(kind),
        company=company_party(session),
        period=period,
        generated_at=dt.datetime.now(dt.UTC),
        currency=get_setting(session, "currency") or "SEK",
        facts=facts,
    )


def day_start(day: dt.date) -> dt.datetime:
    """Local midnight at the start of ``day``, as an aware datetime."""
    return dt.datetime.combine(day, dt.time()).astimezone()


def _local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone().date()


def _report(progress: ProgressFn | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


# --- Dead stock and slow movers -------------------------------------------------------------


def _issue_activity(
    session: Session, as_of: dt.date
) -> dict[int, tuple[dt.datetime | None, Decimal, dt.datetime | None]]:
    """Per item: its last issue up to the end of ``as_of``, the net quantity issued in the
    365 days up to then, and when stock first came in.

    The moves are summed per item and route (from, to) straight from the covering index
    ``ix_stock_move_report``, in its order; whether a route leaves the bins or comes into
    them is decided once per route instead of joining the locations to every move. The
    times stay as the database gives them (ISO text on SQLite, which sorts as time does)
    until one per item is chosen.
    """
    end = day_start(as_of + dt.timedelta(days=1))
    year_start = day_start(as_of - dt.timedelta(days=YEAR_DAYS - 1))
    internal = {
        location_id
        for location_id, kind in session.execute(select(Location.id, Location.kind)).tuples()
        if kind is LocationKind.INTERNAL
    }
    is_issue = StockMove.kind == MoveKind.ISSUE
    recent = StockMove.moved_at >= year_start
    units = type_coerce(StockMove.quantity, BigInteger)
    moved_at = type_coerce(StockMove.moved_at, String)
    route = (StockMove.item_id, StockMove.from_location_id, StockMove.to_location_id)
    rows = session.execute(
        select(
            *route,
            func.max(case((is_issue, moved_at), else_=None)),
            func.sum(case((is_issue & recent, units), else_=0)),
            func.min(moved_at),
        )
        .where(StockMove.moved_at < end)
        .group_by(*route)
    ).tuples()
    last_issues: dict[int, Any] = {}
    issued: dict[int, int] = {}
    first_ins: dict[int, Any] = {}
    for item_id, source, target, last_issue, issued_units, first_move in rows:
        issued.setdefault(item_id, 0)
        if source in internal:
            known = last_issues.get(item_id)
            if last_issue is not None and (known is None or last_issue > known):
                last_issues[item_id] = last_issue
            issued[item_id] += int(issued_units or 0)
        elif target in internal:
            # A reversed issue moves goods back into a bin with kind ISSUE: it counts negative.
            issued[item_id] -= int(issued_units or 0)
            known = first_ins.get(item_id)
            if known is None or first_move < known:
                first_ins[item_id] = first_move
    return {
        item_id: (
            _aware(last_issues.get(item_id)),
            Decimal(units).scaleb(-3),
            _aware(first_ins.get(item_id)),
        )
        for item_id, units in issued.items()
    }


def _aware(value: dt.datetime | str | None) -> dt.datetime | None:
    """A timestamp read through an aggregate (SQLite gives text, naive means UTC)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _age_buckets() -> tuple[tuple[int, str], ...]:
    return (
        (90, _("under 90 days")),
        (180, _("90–179 days")),
        (365, _("180–364 days")),
        (730, _("1–2 years")),
        (10**9, _("2 years or more")),
    )


def dead_stock_data(
    session: Session,
    as_of: dt.date,
    *,
    dead_days: int = DEAD_DAYS,
    slow_cover_days: int = SLOW_COVER_DAYS,
    progress: ProgressFn | None = None,
) -> DeadStockReport:
    """The dead stock and slow movers as of the end of ``as_of`` (see the report module)."""
    if dead_days < 1 or slow_cover_days < 1:
        raise ValidationError(_("The number of days must be at least 1."), field="days")
    _report(progress, 0, 3)
    stock = [
        row
        for row in valuation.valuation_as_of(session, as_of, group_by="item")
        if row.quantity > 0
    ]
    _report(progress, 1, 3)
    activity = _issue_activity(session, as_of)
    _report(progress, 2, 3)
    items = {
        item_id: (sku, name, category, unit)
        for item_id, sku, name, category, unit in session.execute(
            select(Item.id, Item.sku, Item.name, Item.category, Item.unit)
        ).tuples()
    }
    buckets = _age_buckets()
    bucket_items = [0] * len(buckets)
    bucket_values = [ZERO] * len(buckets)
    lines: list[DeadStockLine] = []
    for row in stock:
        item_id = row.item_id or 0
        last_issue, issued, first_in = activity.get(item_id, (None, ZERO, None))
        since = last_issue or first_in
        idle = (as_of - _local_date(since)).days if since is not None else 0
        for index, (limit, _label) in enumerate(buckets):
            if idle < limit:
                bucket_items[index] += 1
                bucket_values[index] += row.value
                break
        cover: Decimal | None = None
        if issued > 0:
            cover = (row.quantity * YEAR_DAYS / issued).quantize(Decimal(1), ROUND_HALF_UP)
        if idle >= dead_days:
            status = DEAD
        elif cover is not None and cover > slow_cover_days:
            status = SLOW
        else:
            continue
        sku, name, category, unit = items[item_id]
        lines.append(
            DeadStockLine(
                sku=sku,
                name=name,
                category=category,
                unit=unit,
                on_hand=row.quantity,
                value=row.value,
                last_issue=_local_date(last_issue) if last_issue else None,
                idle_days=idle,
                issued_last_year=issued,
                cover_days=cover,
                status=status,
            )
        )
    lines.sort(key=lambda line: (-line.value, line.sku))
    _report(progress, 3, 3)
    return DeadStockReport(
        frame=_frame(session, ReportKind.DEAD_STOCK, as_of_text(as_of)),
        as_of=as_of,
        dead_days=dead_days,
        slow_cover_days=slow_cover_days,
        lines=tuple(lines),
        items_in_stock=len(stock),
        stock_value=sum((row.value for row in stock), ZERO),
        buckets=tuple(
            AgeBucket(label, count, value)
            for (_limit, label), count, value in zip(
                buckets, bucket_items, bucket_values, strict=True
            )
        ),
    )


DEAD_STOCK_CSV = TableFormat(
    "dead-stock",
    (
        "status",
        "sku",
        "name",
        "category",
        "unit",
        "on_hand",
        "last_issue",
        "days_idle",
        "issued_last_365_days",
        "cover_days",
        "value",
    ),
    frozenset(),
    frozenset({"status", "sku", "name", "category", "unit"}),
)


def _dead_stock_rows(data: DeadStockReport) -> Iterator[list[str]]:
    for line in data.lines:
        yield [
            line.status,
            line.sku,
            line.name,
            line.category,
            line.unit,
            format_decimal(line.on_hand),
            format_date(line.last_issue),
            str(line.idle_days),
            format_decimal(line.issued_last_year),
            format_decimal(line.cover_days),
            format_decimal(line.value),
        ]


# --- ABC analysis ---------------------------------------------------------------------------


def abc_data(
    session: Session, start: dt.date, end: dt.date, *, progress: ProgressFn | None = None
) -> AbcReport:
    """Every active item ranked by its consumption value from ``start`` to ``end``."""
    _report(progress, 0, 2)
    cutoffs = abc_classes.abc_cutoffs(session)
    values = abc_classes.consumption_values(session, end, (end - start).days + 1)
    _report(progress, 1, 2)
    items = session.execute(
        select(Item.id, Item.sku, Item.name, Item.category, Item.active)
    ).tuples()
    details: dict[int, tuple[str, str, str]] = {}
    all_values: dict[int, Decimal] = {}
    for item_id, sku, name, category, active in items:
        # An inactive item still counts if it was consumed in the period.
        if active or values.get(item_id, ZERO) != 0:
            details[item_id] = (sku, name, category)
            all_values[item_id] = max(values.get(item_id, ZERO), ZERO)
    classes = classify_items(all_values, cutoffs)
    total = sum(all_values.values(), ZERO)
    ranked = sorted(
        (item_id for item_id, value in all_values.items() if value > 0),
        key=lambda item_id: (-all_values[item_id], details[item_id][0]),
    )
    lines: list[AbcLine] = []
    running = ZERO
    for rank, item_id in enumerate(ranked, start=1):
        value = all_values[item_id]
        running += value
        sku, name, category = details[item_id]
        lines.append(
            AbcLine(
                rank=rank,
                sku=sku,
                name=name,
                category=category,
                value=value,
                share=(100 * value / total).quantize(PERCENT_QUANTUM, ROUND_HALF_UP),
                cumulative=(100 * running / total).quantize(PERCENT_QUANTUM, ROUND_HALF_UP),
                abc_class=classes[item_id],
            )
        )
    cut = {"A": cutoffs.a, "B": cutoffs.b, "C": cutoffs.c}
    totals = tuple(
        AbcClassTotal(
            abc_class=abc,
            items=sum(1 for item_id in all_values if classes[item_id] == abc),
            value=sum(
                (value for item_id, value in all_values.items() if classes[item_id] == abc), ZERO
            ),
            cutoff=cut[abc],
        )
        for abc in ("A", "B", "C")
    )
    _report(progress, 2, 2)
    return AbcReport(
        frame=_frame(session, ReportKind.ABC, period_text(start, end)),
        start=start,
        end=end,
        lines=tuple(lines),
        classes=totals,
        items_without_issues=sum(1 for value in all_values.values() if value == 0),
    )


ABC_CSV = TableFormat(
    "abc",
    (
        "rank",
        "sku",
        "name",
        "category",
        "consumption_value",
        "share_percent",
        "cumulative_percent",
        "class",
    ),
    frozenset(),
    frozenset({"sku", "name", "category", "class"}),
)


def _abc_rows(data: AbcReport) -> Iterator[list[str]]:
    for line in data.lines:
        yield [
            str(line.rank),
            line.sku,
            line.name,
            line.category,
            format_decimal(line.value),
            format_decimal(line.share),
            format_decimal(line.cumulative),
            line.abc_class,
        ]


# --- Stock turnover ----------------------------------------------------------------------------

FASTEST_SLOWEST = 20


def _figures(row: valuation.TurnoverRow) -> TurnoverFigures:
    return TurnoverFigures(
        cogs=row.cogs,
        average_value=row.average_inventory_value,
        revenue=row.revenue,
        turnover=row.turnover,
        dsi=row.dsi,
        gmroi=row.gmroi,
    )


def turnover_data(
    session: Session, start: dt.date, end: dt.date, *, progress: ProgressFn | None = None
) -> TurnoverReport:
    """Turnover per item and category from ``start`` to ``end`` (``valuation.turnover_report``),
    with the fastest and the slowest items."""
    _report(progress, 0, 2)
    result = valuation.turnover_report(session, start, end)
    _report(progress, 1, 2)

    def line(row: valuation.TurnoverRow) -> TurnoverLine:
        return TurnoverLine(
            sku=row.sku,
            name=row.name,
            category=valuation.category_label(row.category),
            abc_class=row.abc_class,
            figures=_figures(row),
        )

    lines = sorted(
        (line(row) for row in result.items), key=lambda item: (item.category.casefold(), item.sku)
    )
    # ``result.items`` comes fastest first; items without a turnover had no stock.
    fastest = tuple(line(row) for row in result.items[:FASTEST_SLOWEST] if row.turnover)
    slowest = tuple(
        line(row)
        for row in heapq.nsmallest(
            FASTEST_SLOWEST,
            (row for row in result.items if row.turnover is not None),
            key=lambda row: (row.turnover, row.sku),
        )
    )
    _report(progress, 2, 2)
    return TurnoverReport(
        frame=_frame(
            session,
            ReportKind.TURNOVER,
            period_text(start, end),
            ((_("Costing method"), method_label(costing_method(session))),),
        ),
        start=start,
        end=end,
        lines=tuple(lines),
        categories=tuple(
            TurnoverGroup(valuation.category_label(row.category), row.items, _figures(row))
            for row in result.categories
        ),
        total=TurnoverGroup(_("Total"), result.total.items, _figures(result.total)),
        fastest=fastest,
        slowest=slowest,
    )


TURNOVER_CSV = TableFormat(
    "turnover",
    (
        "sku",
        "name",
        "category",
        "abc_class",
        "cogs",
        "average_inventory_value",
        "revenue",
        "turnover",
        "dsi_days",
        "gmroi",
    ),
    frozenset(),
    frozenset({"sku", "name", "category", "abc_class"}),
)


def _turnover_rows(data: TurnoverReport) -> Iterator[list[str]]:
    for line in data.lines:
        f = line.figures
        yield [
            line.sku,
            line.name,
            line.category,
            line.abc_class,
            format_decimal(f.cogs),
            format_decimal(f.average_value),
            format_decimal(f.revenue),
            format_decimal(f.turnover),
            format_decimal(f.dsi),
            format_decimal(f.gmroi),
        ]


# --- Write-downs ----------------------------------------------------------------------------


def write_downs_data(
    session: Session, start: dt.date, end: dt.date, *, progress: ProgressFn | None = None
) -> WriteDownsReport:
    """The write-downs posted from ``start`` to ``end`` (approved at once, or later by a
    manager), oldest first, with the values before and after that
    ``app.services.write_downs`` recorded when posting them."""
    _report(progress, 0, 1)
    since, until = day_start(start), day_start(end + dt.timedelta(days=1))
    posted = [
        (view.decided_at or view.requested_at, view)
        for view in write_downs.list_write_downs(
            session, status=WriteDownStatus.APPROVED, limit=None
        )
    ]
    lines: list[WriteDownLine] = []
    for at, view in sorted(
        ((at, view) for at, view in posted if since <= at < until),
        key=lambda pair: (pair[0], pair[1].number),
    ):
        scrap = view.kind is WriteDownKind.SCRAP
        lines.append(
            WriteDownLine(
                number=view.number,
                day=_local_date(at),
                sku=view.sku,
                name=view.name,
                lot=view.lot_code,
                kind=write_downs.kind_label(view.kind),
                reason=write_downs.reason_label(view.reason),
                note=view.note,
                quantity=view.posted_quantity if scrap else None,
                unit=view.unit,
                value_before=view.value_before or ZERO,
                value_after=view.value_after or ZERO,
                approved_by=view.decided_by
                if view.needs_approval and view.decided_by
                else _("no approval needed"),
            )
        )
    totals: dict[str, list[Decimal]] = {}
    counts: dict[str, int] = {}
    for line in lines:
        before, after = totals.setdefault(line.reason, [ZERO, ZERO])
        totals[line.reason] = [before + line.value_before, after + line.value_after]
        counts[line.reason] = counts.get(line.reason, 0) + 1
    reasons = sorted(
        (
            ReasonTotal(reason, counts[reason], before, after)
            for reason, (before, after) in totals.items()
        ),
        key=lambda total: (-total.written_down, total.reason),
    )
    _report(progress, 1, 1)
    return WriteDownsReport(
        frame=_frame(session, ReportKind.WRITE_DOWNS, period_text(start, end)),
        start=start,
        end=end,
        lines=tuple(lines),
        reasons=tuple(reasons),
    )


WRITE_DOWNS_CSV = TableFormat(
    "write-downs",
    (
        "number",
        "date",
        "sku",
        "name",
        "lot",
        "kind",
        "reason",
        "note",
        "quantity",
        "unit",
        "value_before",
        "value_after",
        "written_down",
        "approved_by",
    ),
    frozenset(),
    frozenset({"number", "sku", "name", "lot", "kind", "reason", "note", "unit", "approved_by"}),
)


def _write_down_rows(data: WriteDownsReport) -> Iterator[list[str]]:
    for line in data.lines:
        yield [
            line.number,
            format_date(line.day),
            line.sku,
            line.name,
            line.lot,
            line.kind,
            line.reason,
            line.note,
            format_decimal(line.quantity),
            line.unit,
            format_decimal(line.value_before),
            format_decimal(line.value_after),
            format_decimal(line.written_down),
            line.approved_by,
        ]


# --- Valuation ----------------------------------------------------------------------------------


def method_label(method: CostingMethod) -> str:
    """The costing method as people name it."""
    return _("FIFO") if method is CostingMethod.FIFO else _("Weighted average")


def valuation_data(
    session: Session, as_of: dt.date, *, progress: ProgressFn | None = None
) -> ValuationReport:
    """The stock at the end of ``as_of`` per item, category and bin, with the tax values
    and the LIFO what-if (``valuation.stock_valuation``: the figures of
    ``valuation.valuation_as_of`` and ``valuation.tax_value`` from one read)."""
    _report(progress, 0, 2)
    figures = valuation.stock_valuation(session, as_of, with_lifo=True)
    method, bins, tax = figures.method, figures.locations, figures.tax
    _report(progress, 1, 2)
    lowest: dict[int, Decimal] = {row.item_id: row.lowest_value for row in tax.rows}
    stocked = [row for row in figures.items if row.quantity != 0 or row.value != 0]
    lines = sorted(
        (
            ValuationLine(
                sku=row.sku,
                name=row.name,
                category=valuation.category_label(row.category),
                unit=row.unit,
                quantity=row.quantity,
                unit_cost=row.unit_cost if row.unit_cost is not None else ZERO,
                value=row.value,
                lowest_value=lowest.get(row.item_id or 0),
                lifo_value=row.lifo_value,
            )
            for row in stocked
        ),
        key=lambda line: (line.category.casefold(), line.sku),
    )
    categories: dict[str, tuple[int, Decimal]] = {}
    for line in lines:
        count, value = categories.get(line.category, (0, ZERO))
        categories[line.category] = (count + 1, value + line.value)
    chosen = (
        _("lowest value principle")
        if tax.lower_rule is valuation.TaxRule.LOWEST_VALUE
        else _("97 percent rule")
    )
    _report(progress, 2, 2)
    return ValuationReport(
        frame=_frame(
            session,
            ReportKind.VALUATION,
            as_of_text(as_of),
            ((_("Costing method"), method_label(method)),),
        ),
        as_of=as_of,
        method=method_label(method),
        lines=tuple(lines),
        categories=tuple(
            ValuationGroup(label, count, value)
            for label, (count, value) in sorted(
                categories.items(), key=lambda entry: (-entry[1][1], entry[0])
            )
        ),
        locations=tuple(
            ValuationGroup(
                f"{row.key} {row.label}".strip() if row.label != row.key else row.key,
                row.items,
                row.value,
            )
            for row in bins
        ),
        tax=TaxValues(
            book_value=tax.book_value,
            lowest_value=tax.lowest_value,
            rule_97=tax.rule_97_value,
            tax_value=tax.lower_value,
            chosen=chosen,
        ),
        lifo_total=sum((line.lifo_value or ZERO for line in lines), ZERO),
    )


VALUATION_CSV = TableFormat(
    "valuation",
    (
        "sku",
        "name",
        "category",
        "unit",
        "quantity",
        "unit_cost",
        "value",
        "method",
        "lowest_value",
        "lifo_what_if",
    ),
    frozenset(),
    frozenset({"sku", "name", "category", "unit", "method"}),
)


def _valuation_rows(data: ValuationReport) -> Iterator[list[str]]:
    for line in data.lines:
        yield [
            line.sku,
            line.name,
            line.category,
            line.unit,
            format_decimal(line.quantity),
            format_decimal(line.unit_cost),
            format_decimal(line.value),
            data.method,
            format_decimal(line.lowest_value),
            format_decimal(line.lifo_value),
        ]


# --- Making a report --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Maker:
    data: Callable[[Session, ReportRequest, ProgressFn | None], object]
    render: Callable[[object], bytes]
    csv_format: TableFormat
    csv_rows: Callable[[object], Iterator[list[str]]]


def _dead_stock_maker() -> _Maker:
    return _Maker(
        data=lambda s, r, p: dead_stock_data(s, _day(r.as_of), progress=p),
        render=lambda d: render_dead_stock(_as(d, DeadStockReport)),
        csv_format=DEAD_STOCK_CSV,
        csv_rows=lambda d: _dead_stock_rows(_as(d, DeadStockReport)),
    )


def _abc_maker() -> _Maker:
    return _Maker(
        data=lambda s, r, p: abc_data(s, _day(r.start), _day(r.end), progress=p),
        render=lambda d: render_abc_analysis(_as(d, AbcReport)),
        csv_format=ABC_CSV,
        csv_rows=lambda d: _abc_rows(_as(d, AbcReport)),
    )


def _day(value: dt.date | None) -> dt.date:
    assert value is not None, "check_request fills every date"
    return value


def _as(value: object, kind: type[T]) -> T:
    assert isinstance(value, kind)
    return value


def _turnover_maker() -> _Maker:
    return _Maker(
        data=lambda s, r, p: turnover_data(s, _day(r.start), _day(r.end), progress=p),
        render=lambda d: render_stock_turnover(_as(d, TurnoverReport)),
        csv_format=TURNOVER_CSV,
        csv_rows=lambda d: _turnover_rows(_as(d, TurnoverReport)),
    )


def _valuation_maker() -> _Maker:
    return _Maker(
        data=lambda s, r, p: valuation_data(s, _day(r.as_of), progress=p),
        render=lambda d: render_valuation(_as(d, ValuationReport)),
        csv_format=VALUATION_CSV,
        csv_rows=lambda d: _valuation_rows(_as(d, ValuationReport)),
    )


def _write_downs_maker() -> _Maker:
    return _Maker(
        data=lambda s, r, p: write_downs_data(s, _day(r.start), _day(r.end), progress=p),
        render=lambda d: render_write_downs(_as(d, WriteDownsReport)),
        csv_format=WRITE_DOWNS_CSV,
        csv_rows=lambda d: _write_down_rows(_as(d, WriteDownsReport)),
    )


def _maker(kind: ReportKind) -> _Maker:
    makers: dict[ReportKind, Callable[[], _Maker]] = {
        ReportKind.WRITE_DOWNS: _write_downs_maker,
        ReportKind.TURNOVER: _turnover_maker,
        ReportKind.VALUATION: _valuation_maker,
        ReportKind.DEAD_STOCK: _dead_stock_maker,
        ReportKind.ABC: _abc_maker,
    }
    return makers[kind]()


@contextlib.contextmanager
def _collector_spared() -> Iterator[None]:
    """Keep Python's garbage collector off the objects that existed before a report.

    A report of 20,000 items makes and drops about a million objects; each full
    collection meanwhile would also walk every object of the program (the window's,
    SQLAlchemy's, the fonts'), a tenth of the report's time. ``gc.freeze`` sets those
    aside while the report is made (its own garbage is still collected) and they are
    handed back after. When something else has frozen objects, it is left alone.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def report_data(
    session: Session, request: ReportRequest, *, progress: ProgressFn | None = None
) -> object:
    """The data of the report asked for (a ``…Report`` dataclass of ``app.reports``)."""
    checked = check_request(request)
    with _collector_spared():
        return _maker(checked.kind).data(session, checked, progress)


def report_pdf(
    session: Session, request: ReportRequest, *, progress: ProgressFn | None = None
) -> bytes:
    """The report as PDF bytes, in the language in force."""
    checked = check_request(request)
    maker = _maker(checked.kind)
    with _collector_spared():
        data = maker.data(session, checked, progress)
        return maker.render(data)


def write_report_csv(
    session: Session, request: ReportRequest, path: Path, *, progress: ProgressFn | None = None
) -> int:
    """Write the report's rows as a formula-safe CSV file; return how many rows."""
    checked = check_request(request)
    maker = _maker(checked.kind)
    with _collector_spared():
        data = maker.data(session, checked, progress)
        return write_table(Path(path), maker.csv_format, maker.csv_rows(data))
