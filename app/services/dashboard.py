"""The Start page's figures: what needs doing today, read in one transaction.

:func:`read_dashboard` gathers, in one read-only unit of work, one figure set per tile:

* **to order** — the last purchase proposal run (stored when it was worked out: a run
  reads two years of demand and takes a second or two on a large warehouse, too long
  for a page that opens at every start), plus what is live and cheap to count: customer
  order lines waiting for a zero-point purchase and purchase orders drafted but not sent;
* **backorders** — customer order lines waiting for stock;
* **counts due** — what the ABC cycle plan has due today (``counting.due_counts``);
* **expiring lots** — lots in stock that expire within the write-downs' warning days;
* **receipts in progress** — deliveries started and not yet posted;
* **write-downs waiting** — requests above the approval limit, for a manager;
* **stock value** — what the stock is worth now (as the Stock page values it) and its
  turnover over the last 365 days.

Each tile is read on its own savepoint, so a feature that is missing from this
installation or fails (a damaged setting, a table a migration has not made) makes only
its own tile :class:`Unavailable`, with the reason in words; the rest still shows.

The turnover here is the quick textbook reading: cost of goods sold over the last 365
days divided by the average of the stock value now and 365 days ago (found by undoing
the moves across the warehouse's edge since then, and the value write-downs). It takes
one pass over a year of moves. The stock turnover report averages every day-end value,
per item: the report is the one to quote.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Numeric,
    SQLColumnExpression,
    case,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import (
    CostLayer,
    CostRevaluation,
    CustomerOrder,
    CustomerOrderLine,
    Item,
    Location,
    LocationKind,
    Lot,
    OrderStatus,
    PurchaseNeed,
    PurchaseOrder,
    PurchaseOrderStatus,
    Receipt,
    ReceiptStatus,
    StockLevel,
    StockMove,
    WriteDown,
    WriteDownStatus,
    utcnow,
)
from app.models.base import MONEY_QUANTUM, MONEY_SCALE, QTY_SCALE
from app.services.errors import HyllaError, ValidationError
from app.services.settings import CostingMethod, costing_method, get_setting, set_setting
from app.services.users import UserId

if TYPE_CHECKING:
    from app.services.proposals import ProposalRun

log = logging.getLogger(__name__)

T = TypeVar("T")
Progress = Callable[[int, int], None]

ZERO = Decimal(0)
#: Where the last proposal run's summary is kept (the settings table, shared by every
#: workstation, so the first person in the morning works it out for everyone).
PROPOSALS_SETTING = "dashboard_last_proposals"
#: The write-downs' setting of how many days ahead a lot counts as expiring, and its
#: default (``write_downs.EXPIRY_DAYS_SETTING`` and ``DEFAULT_EXPIRY_DAYS``: a test holds
#: them equal), also used when the write-downs feature is not installed.
EXPIRY_DAYS_SETTING = "write_down_expiry_days"
DEFAULT_EXPIRY_DAYS = 30
TURNOVER_DAYS = 365
# A move's value (quantity x unit cost) in integers is in units of 10**-7.
VALUE_SCALE = QTY_SCALE + MONEY_SCALE
# Reasons of a proposal line that mean "below its reorder point" (or min, or short).
BELOW_REASONS = frozenset({"below-reorder-point", "at-or-below-min", "covers-shortage"})
# Customer orders that still hold reservations and backorders (as commitments.py counts).
ACTIVE_ORDER_STATUSES = (OrderStatus.CONFIRMED, OrderStatus.PICKING, OrderStatus.PARTLY_SHIPPED)


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unavailable:
    """A tile whose figures could not be read; ``reason`` says why, in words."""

    reason: str


@dataclass(frozen=True)
class ProposalSummary:
    """What a purchase proposal run found, kept to show until the next run.

    ``below_reorder_point`` counts the proposed lines whose item is at or below its
    reorder point (or min); ``for_customer_orders`` those buying for zero-point customer
    orders; ``without_supplier`` proposed lines no supplier sells.
    """

    as_of: dt.date
    worked_out_at: dt.datetime
    to_order: int
    below_reorder_point: int
    for_customer_orders: int
    without_supplier: int
    suppliers: int

    def to_json(self) -> str:
        """The summary as stored in the settings table."""
        return json.dumps(
            {
                "as_of": self.as_of.isoformat(),
                "at": self.worked_out_at.isoformat(),
                "to_order": self.to_order,
                "below": self.below_reorder_point,
                "customers": self.for_customer_orders,
                "no_supplier": self.without_supplier,
                "suppliers": self.suppliers,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> ProposalSummary:
        """A stored summary; ValueError (or KeyError, TypeError) when it is not one."""
        data = json.loads(text)
        at = dt.datetime.fromisoformat(data["at"])
        return cls(
            as_of=dt.date.fromisoformat(data["as_of"]),
            worked_out_at=at if at.tzinfo else at.replace(tzinfo=dt.UTC),
            to_order=int(data["to_order"]),
            below_reorder_point=int(data["below"]),
            for_customer_orders=int(data["customers"]),
            without_supplier=int(data["no_supplier"]),
            suppliers=int(data["suppliers"]),
        )


@dataclass(frozen=True)
class ToOrder:
    """The purchasing tile: the last proposal run (None: never worked out, or its stored
    summary could not be read) and two live counts."""

    last_run: ProposalSummary | None
    needs_waiting: int
    draft_orders: int

    def is_current(self, today: dt.date) -> bool:
        """True when the last run was worked out for ``today``."""
        return self.last_run is not None and self.last_run.as_of == today


@dataclass(frozen=True)
class Backorders:
    """Customer order lines waiting for stock; ``late`` have passed their expected date."""

    lines: int
    orders: int
    late: int
    next_expected: dt.date | None


@dataclass(frozen=True)
class CountsDue:
    """Today's cycle counts: items due (``overdue`` of them late) and open cycle counts."""

    due: int
    overdue: int
    open_counts: int
    is_working_day: bool


@dataclass(frozen=True)
class ExpiringLots:
    """Lots in stock that expire within ``within_days`` days (``expired``: already past)."""

    within_days: int
    lots: int
    expired: int
    items: int
    first_expiry: dt.date | None


@dataclass(frozen=True)
class ReceiptsInProgress:
    """Deliveries being received: started, not posted or cancelled yet."""

    receipts: int
    scans: int
    oldest_started: dt.datetime | None


@dataclass(frozen=True)
class WriteDownsWaiting:
    """Write-downs waiting for a manager's approval, and the value they would take off."""

    count: int
    value: Decimal
    oldest_requested: dt.datetime | None


@dataclass(frozen=True)
class StockValue:
    """The stock's value now and its turnover over the last ``days`` days.

    ``turnover`` is None when there was no stock to turn over (average value zero).
    """

    value: Decimal
    currency: str
    method: CostingMethod
    days: int
    cogs: Decimal
    average_value: Decimal
    turnover: Decimal | None

    @property
    def days_of_supply(self) -> Decimal | None:
        """How many days the stock lasts at the period's pace (None without turnover)."""
        if not self.turnover:
            return None
        return (Decimal(self.days) / self.turnover).quantize(Decimal(1), ROUND_HALF_UP)


@dataclass(frozen=True)
class Dashboard:
    """Every tile of the Start page, each its figures or :class:`Unavailable`."""

    today: dt.date
    read_at: dt.datetime
    to_order: ToOrder | Unavailable
    backorders: Backorders | Unavailable
    counts: CountsDue | Unavailable
    expiring: ExpiringLots | Unavailable
    receipts: ReceiptsInProgress | Unavailable
    write_downs: WriteDownsWaiting | Unavailable
    stock_value: StockValue | Unavailable
    seconds: float


# --- reading ------------------------------------------------------------------------------------


def _local_today() -> dt.date:
    return dt.datetime.now().astimezone().date()


def _tile(session: Session, name: str, read: Callable[[], T]) -> T | Unavailable:
    """``read()`` on a savepoint of its own; a failure becomes the tile's reason.

    The savepoint keeps the transaction usable after a failed statement (PostgreSQL
    refuses every later statement of a transaction in error), so the other tiles still
    read."""
    try:
        with session.begin_nested():
            return read()
    except ImportError:
        return Unavailable(_("Not part of this installation of Hylla."))
    except HyllaError as exc:
        return Unavailable(exc.message)
    except Exception as exc:  # noqa: BLE001 - one tile must never take the page down
        log.exception("dashboard tile %s could not be read", name)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return Unavailable(_("Could not be read: {reason}").format(reason=reason))


def read_dashboard(session: Session, today: dt.date | None = None) -> Dashboard:
    """Every figure of the Start page for ``today`` (default: today here), one tile at a
    time, each falling back to :class:`Unavailable` on its own (see the module docstring).
    Reads only; fast enough to run at every start."""
    started = time.perf_counter()
    day = today or _local_today()
    return Dashboard(
        today=day,
        read_at=utcnow(),
        to_order=_tile(session, "to-order", lambda: _to_order(session)),
        backorders=_tile(session, "backorders", lambda: _backorders(session, day)),
        counts=_tile(session, "counts", lambda: _counts(session, day)),
        expiring=_tile(session, "expiring", lambda: _expiring(session, day)),
        receipts=_tile(session, "receipts", lambda: _receipts(session)),
        write_downs=_tile(session, "write-downs", lambda: _write_downs(session)),
        stock_value=_tile(session, "stock-value", lambda: _stock_value(session, day)),
        seconds=time.perf_counter() - started,
    )


def _raw(column: Any) -> ColumnElement[int]:
    """A Qty/Money column read as its stored integer (sums stay exact and fast)."""
    return type_coerce(column, BigInteger)


def _require(module: str) -> None:
    """ImportError when the service ``module`` is not part of this installation, found
    without loading it (a tile with nothing to show need not)."""
    if importlib.util.find_spec(module) is None:
        raise ImportError(module)


def _any(session: Session, condition: ColumnElement[bool]) -> bool:
    """Whether any row meets ``condition`` (of one table)."""
    return session.scalar(select(literal(True)).where(condition).limit(1)) is not None


def last_proposals(session: Session) -> ProposalSummary | None:
    """The summary of the last proposal run, or None (never run, or unreadable: a damaged
    summary only means the next run writes a good one)."""
    text = get_setting(session, PROPOSALS_SETTING)
    if not text:
        return None
    try:
        return ProposalSummary.from_json(text)
    except (ValueError, KeyError, TypeError):
        log.warning("the stored proposal summary is not readable: %r", text[:200])
        return None


def _to_order(session: Session) -> ToOrder:
    from app.services.commitments import need_is_open

    needs = session.scalar(select(func.count()).select_from(PurchaseNeed).where(need_is_open()))
    drafts = session.scalar(
        select(func.count())
        .select_from(PurchaseOrder)
        .where(PurchaseOrder.status == PurchaseOrderStatus.DRAFT)
    )
    return ToOrder(last_proposals(session), int(needs or 0), int(drafts or 0))


def _backorders(session: Session, today: dt.date) -> Backorders:
    lines, orders, late, next_expected = session.execute(
        select(
            func.count(),
            func.count(func.distinct(CustomerOrderLine.order_id)),
            func.coalesce(func.sum(case((CustomerOrderLine.expected_date < today, 1), else_=0)), 0),
            func.min(
                case((CustomerOrderLine.expected_date >= today, CustomerOrderLine.expected_date))
            ),
        )
        .join(CustomerOrder, CustomerOrder.id == CustomerOrderLine.order_id)
        .where(
            CustomerOrder.status.in_(ACTIVE_ORDER_STATUSES),
            _raw(CustomerOrderLine.backorder_qty) > 0,
        )
    ).one()
    return Backorders(int(lines), int(orders), int(late), next_expected)


def _counts(session: Session, today: dt.date) -> CountsDue:
    # The numbers only: the due list with names, sorted, took most of this page's read
    # when every one of 20,000 items was due; and from count_plan, which loads only what
    # the plan needs (counting itself brings scanning, the ledger and more).
    from app.services.count_plan import due_summary

    due = due_summary(session, today)
    return CountsDue(
        due=due.due,
        overdue=due.overdue,
        open_counts=due.open_cycle_counts,
        is_working_day=due.is_working_day,
    )


def expiry_days(session: Session) -> int:
    """How many days ahead a lot counts as expiring: the write-downs' warning days (one
    setting for the whole of Hylla), or 30 where that feature is not installed."""
    if not get_setting(session, EXPIRY_DAYS_SETTING).strip():
        # Not set: the default, without loading write-downs and the valuation behind
        # them for it (a tenth of the Start page's first read).
        return DEFAULT_EXPIRY_DAYS
    try:
        from app.services.write_downs import expiry_warning_days
    except ImportError:
        return DEFAULT_EXPIRY_DAYS
    return expiry_warning_days(session)


def _expiring(session: Session, today: dt.date) -> ExpiringLots:
    days = expiry_days(session)
    horizon = today + dt.timedelta(days=days)
    in_stock = (
        select(Lot.id, Lot.item_id, Lot.expiry)
        .join(StockLevel, StockLevel.lot_id == Lot.id)
        .where(Lot.expiry.is_not(None), Lot.expiry <= horizon)
        .group_by(Lot.id, Lot.item_id, Lot.expiry)
        .having(func.sum(_raw(StockLevel.quantity)) > 0)
        .subquery()
    )
    lots, expired, items, first = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((in_stock.c.expiry < today, 1), else_=0)), 0),
            func.count(func.distinct(in_stock.c.item_id)),
            func.min(in_stock.c.expiry),
        )
    ).one()
    return ExpiringLots(days, int(lots), int(expired), int(items), first)


def _receipts(session: Session) -> ReceiptsInProgress:
    _require("app.services.receiving")
    if not _any(session, Receipt.status == ReceiptStatus.OPEN):
        # Nothing being received: no need to load receiving (and scanning behind it).
        return ReceiptsInProgress(receipts=0, scans=0, oldest_started=None)
    from app.services.receiving import open_receipts

    receipts = open_receipts(session)
    return ReceiptsInProgress(
        receipts=len(receipts),
        scans=sum(receipt.scans for receipt in receipts),
        oldest_started=min((receipt.started_at for receipt in receipts), default=None),
    )


def _write_downs(session: Session) -> WriteDownsWaiting:
    _require("app.services.write_downs")
    if not _any(session, WriteDown.status == WriteDownStatus.REQUESTED):
        # Nothing waiting: no need to load write-downs (and the valuation behind them).
        return WriteDownsWaiting(count=0, value=ZERO, oldest_requested=None)
    from app.services.write_downs import pending_write_downs

    pending = pending_write_downs(session)
    return WriteDownsWaiting(
        count=len(pending),
        value=sum((view.estimated_value for view in pending), ZERO),
        oldest_requested=min((view.requested_at for view in pending), default=None),
    )


# --- stock value and turnover ------------------------------------------------------------------


def _value_now(session: Session, method: CostingMethod) -> Decimal:
    """The stock's value as the Stock page shows it: each item's quantity on hand times its
    unit cost (FIFO: its open cost layers' value over their quantity, rounded half up to
    the money scale, else its average; weighted average: the average).

    Summed in SQL on the stored integers: the unit cost rounds per item as the Stock page
    rounds it, and 20,000 items never cross into Python."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    on_hand = (
        select(StockLevel.item_id, func.sum(_raw(StockLevel.quantity)).label("units"))
        .group_by(StockLevel.item_id)
        .subquery()
    )
    joined = on_hand.join(Item, Item.id == on_hand.c.item_id)
    cost: ColumnElement[Any] = _raw(Item.avg_cost)
    if method is CostingMethod.FIFO:
        value = func.sum(_raw(CostLayer.remaining) * _raw(CostLayer.unit_cost))
        quantity = func.sum(_raw(CostLayer.remaining))
        # Value (10**-7) over quantity (10**-3) is a unit cost in 10**-4, and (2v + q) // 2q
        # rounds it half up in whole numbers (PostgreSQL's sums are numeric: div() divides
        # them without a remainder).
        rounded: ColumnElement[Any] = (2 * value + quantity) // (2 * quantity)
        if not sqlite:
            rounded = func.div(2 * value + quantity, 2 * quantity)
        layers = (
            select(CostLayer.item_id, rounded.label("cost"))
            .where(_raw(CostLayer.remaining) > 0)
            .group_by(CostLayer.item_id)
            .subquery()
        )
        joined = joined.outerjoin(layers, layers.c.item_id == on_hand.c.item_id)
        cost = func.coalesce(layers.c.cost, _raw(Item.avg_cost))
    total = session.scalar(
        select(func.coalesce(func.sum(on_hand.c.units * cost), 0)).select_from(joined)
    )
    return Decimal(int(total or 0)).scaleb(-VALUE_SCALE).quantize(MONEY_QUANTUM, ROUND_HALF_UP)


@dataclass
class _Flows:
    """The sums of the moves across the warehouse's edge up to move ``last_id``."""

    last_id: int
    last_fingerprint: tuple[Any, ...]
    change: int
    cogs: int


# SQLite only (see _edge_flows): the sums already read, per database and period start.
_FLOWS: dict[tuple[Any, ...], _Flows] = {}
_FLOWS_LOCK = threading.Lock()


def _fingerprint(session: Session, move_id: int) -> tuple[Any, ...]:
    row = session.execute(
        select(StockMove.moved_at, StockMove.item_id, _raw(StockMove.quantity)).where(
            StockMove.id == move_id
        )
    ).first()
    return tuple(row) if row is not None else ()


def _among(column: SQLColumnExpression[int], ids: Iterable[int]) -> ColumnElement[bool]:
    """``column IN ids`` written as runs of consecutive ids (``BETWEEN``, or ``=`` for a
    single id; false for none). The virtual locations are made together, so their ids
    are one run: SQLite tests a range on each of a year of moves about a quarter faster
    than it looks a value up in an IN list."""
    runs: list[list[int]] = []
    for location_id in sorted(set(ids)):
        if runs and runs[-1][1] + 1 == location_id:
            runs[-1][1] = location_id
        else:
            runs.append([location_id, location_id])
    tests = [column == low if low == high else column.between(low, high) for low, high in runs]
    return or_(*tests) if tests else false()


def _edge_flows(
    session: Session, since: dt.datetime, virtual: list[int], customers: list[int]
) -> tuple[int, int]:
    """What the moves across the warehouse's edge since ``since`` changed the stock value
    by, and their COGS (both in 10**-7): in at their cost, out at the cost the ledger took
    out; to customers less back from customers.

    A year of moves is half the ledger: read from the period index (migration 0009), in
    time order, it is half a pass over narrow rows. On SQLite the sums are kept per
    database and period start, and later reads add only the moves posted since (found by
    their id): moves are never changed or deleted, and SQLite's one writer gives ids in
    commit order. (On PostgreSQL, workstations commit concurrently and ids need not come in
    commit order, so every read sums afresh.) A restored backup is noticed by the last
    move read no longer being the same."""
    bind = session.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    last_id = int(session.scalar(select(func.max(StockMove.id))) or 0)
    url = bind.engine.url.render_as_string(hide_password=True)
    key = (url, since, tuple(virtual), tuple(customers))
    with _FLOWS_LOCK:
        cached = _FLOWS.get(key) if sqlite else None
    if cached is not None and (
        cached.last_id > last_id or _fingerprint(session, cached.last_id) != cached.last_fingerprint
    ):
        cached = None
    after = cached.last_id if cached is not None else 0
    value: ColumnElement[Any] = _raw(StockMove.quantity) * _raw(StockMove.unit_cost)
    if not sqlite:
        # PostgreSQL's bigint product could overflow where SQLite's fails loudly anyway.
        value = _raw(StockMove.quantity).cast(Numeric) * _raw(StockMove.unit_cost)
    incoming = _among(StockMove.from_location_id, virtual)
    conditions = [
        StockMove.moved_at >= since,
        or_(incoming, _among(StockMove.to_location_id, virtual)),
    ]
    if after:
        # The moves posted since the last read: found by id, a few rows.
        conditions.append(StockMove.id > after)
    else:
        # The whole year: stating what every move meets (quantity > 0, as a literal the
        # planner can match) opts in to the period index of migration 0009.
        conditions.append(_raw(StockMove.quantity) > literal_column("0"))
    if not sqlite:
        # SQLite reads the whole transaction from one snapshot, the one max(id) came
        # from (testing the id of each of a year of moves cost a tenth of this read);
        # PostgreSQL's statements each see what has been committed by then.
        conditions.append(StockMove.id <= last_id)
    change, cogs = session.execute(
        select(
            func.coalesce(func.sum(case((incoming, value), else_=-value)), 0),
            func.coalesce(
                func.sum(
                    case(
                        (_among(StockMove.to_location_id, customers), value),
                        (_among(StockMove.from_location_id, customers), -value),
                        else_=0,
                    )
                ),
                0,
            ),
        ).where(*conditions)
    ).one()
    change, cogs = int(change), int(cogs)
    if cached is not None:
        change += cached.change
        cogs += cached.cogs
    if sqlite:
        with _FLOWS_LOCK:
            if len(_FLOWS) > 32:
                _FLOWS.clear()  # old periods and closed databases
            _FLOWS[key] = _Flows(last_id, _fingerprint(session, last_id), change, cogs)
    return change, cogs


def _stock_value(session: Session, today: dt.date) -> StockValue:
    method = costing_method(session)
    value_now = _value_now(session, method)
    # The last 365 days, today included, from local midnight.
    first_day = today - dt.timedelta(days=TURNOVER_DAYS - 1)
    since = dt.datetime.combine(first_day, dt.time()).astimezone().astimezone(dt.UTC)
    virtual: list[int] = []
    customers: list[int] = []
    for location_id, kind in session.execute(
        select(Location.id, Location.kind).order_by(Location.id)
    ).tuples():
        if kind is not LocationKind.INTERNAL:
            virtual.append(location_id)
        if kind is LocationKind.CUSTOMER:
            customers.append(location_id)
    change, cogs = _edge_flows(session, since, virtual, customers)
    # Value write-downs since then lowered the value too.
    written_down = session.scalar(
        select(
            func.coalesce(
                func.sum(_raw(CostRevaluation.value_before) - _raw(CostRevaluation.value_after)),
                0,
            )
        ).where(CostRevaluation.at >= since)
    )
    opening = (
        value_now
        - Decimal(change).scaleb(-VALUE_SCALE)
        + Decimal(int(written_down or 0)).scaleb(-MONEY_SCALE)
    )
    average = ((opening + value_now) / 2).quantize(MONEY_QUANTUM, ROUND_HALF_UP)
    cogs_value = Decimal(cogs).scaleb(-VALUE_SCALE).quantize(MONEY_QUANTUM, ROUND_HALF_UP)
    turnover = (
        (cogs_value / average).quantize(Decimal("0.01"), ROUND_HALF_UP) if average > 0 else None
    )
    return StockValue(
        value=value_now,
        currency=get_setting(session, "currency") or "SEK",
        method=method,
        days=TURNOVER_DAYS,
        cogs=cogs_value,
        average_value=average,
        turnover=turnover,
    )


# --- proposals: working them out, remembering the result ----------------------------------------


def summarize_run(run: ProposalRun, at: dt.datetime | None = None) -> ProposalSummary:
    """What the Start page keeps of a proposal run."""
    proposed = [line for line in run.lines if line.proposed and line.quantity > 0]
    return ProposalSummary(
        as_of=run.as_of,
        worked_out_at=at or utcnow(),
        to_order=len(proposed),
        below_reorder_point=sum(1 for line in proposed if line.reason in BELOW_REASONS),
        for_customer_orders=sum(1 for line in proposed if line.reason == "zero-point-need"),
        without_supplier=sum(1 for line in proposed if line.supplier_id is None),
        suppliers=len({line.supplier_id for line in proposed if line.supplier_id is not None}),
    )


def remember_proposals(session: Session, summary: ProposalSummary) -> ProposalSummary:
    """Keep ``summary`` as the last run, unless a later run is already kept (two
    workstations may work them out the same morning); returns the one kept."""
    kept = last_proposals(session)
    if kept is not None and kept.worked_out_at > summary.worked_out_at:
        return kept
    set_setting(session, PROPOSALS_SETTING, summary.to_json())
    return summary


def work_out_proposals(
    session: Session,
    user_id: UserId,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ProposalSummary:
    """Run today's purchase proposals (as the Proposals page does: it also stores each
    item's ABC class) and keep their summary for the Start page."""
    try:
        from app.services.proposals import run_proposals
    except ImportError:
        raise ValidationError(
            _("Purchase proposals are not part of this installation of Hylla.")
        ) from None
    run = run_proposals(session, user_id, today or _local_today(), progress)
    return remember_proposals(session, summarize_run(run))
