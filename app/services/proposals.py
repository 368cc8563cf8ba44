"""Purchase proposals: what to order today, from whom, how much, and why.

A run gathers, for every active item: what is on hand (lots that expired before the
run's day left out: they may not be sold, so they cannot cover demand); what is on order (every open
purchase order line's quantity less what was received, whatever its expected date, a
draft included, so an accepted proposal is never proposed again); what customer orders
have reserved and backordered, and the zero-point needs they raised (from
:mod:`app.services.commitments`); the daily demand of the last two years
(:mod:`app.services.demand`); and the terms of the supplier it is bought from (the
preferred one, else the cheapest): price, pack size, minimum order quantity, lead time,
with the lead time's spread measured from past deliveries (purchase order date →
receipt posted). The decision itself — forecast, safety stock, reorder point, EOQ,
pack and MOQ rounding — is :func:`app.planning.replenishment.plan_replenishment`, one
vectorised call for all items. The items are gathered as columns of stored integers
(:class:`_Gathered`): names, texts and exact Decimals are made only for the lines
shown. This module then applies what concerns a supplier as a whole (order days,
minimum order value), puts each line's reasoning into words a buyer can check, and
stores the ABC class of every item, computed from the same pass over the moves.

The buyer edits quantities (:func:`check_quantity`), dismisses lines
(:func:`dismiss_proposal`, remembered until the line's inputs change) and accepts them
(:func:`accept_proposals`), which makes one draft purchase order per supplier and marks
the zero-point needs bought. :func:`export_proposals` writes the interchange CSV.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import hashlib
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import numpy as np
from babel.numbers import get_decimal_symbol, get_group_symbol
from sqlalchemy import BigInteger, case, delete, func, select, type_coerce
from sqlalchemy.orm import Session

from app.i18n import N_, _, locale_name, ngettext
from app.models import (
    Item,
    Lot,
    Policy,
    ProposalDismissal,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Receipt,
    ReceiptStatus,
    Role,
    StockLevel,
    Supplier,
    SupplierItem,
    SupplierOrderDay,
    utcnow,
)
from app.models.base import MONEY_SCALE, QTY_QUANTUM, QTY_SCALE, to_units
from app.planning import replenishment as plan
from app.reports.common import round_money
from app.services import abc_classes, commitments, demand
from app.services.auth import require_role
from app.services.csvio import TableFormat, format_date, write_table
from app.services.csvio import format_decimal as csv_decimal
from app.services.errors import FieldErrors, NotFoundError, ValidationError
from app.services.ledger import parse_quantity
from app.services.parsing import parse_decimal
from app.services.purchase_orders import (
    PurchaseOrderDetail,
    PurchaseOrderLineInput,
    create_purchase_order,
)
from app.services.settings import get_setting, set_setting
from app.services.users import UserId, record_audit

Progress = Callable[[int, int], None]
# Item.service_level is a Ratio, stored with four decimals (app/models/base.py).
RATIO_SCALE = 4
ZERO = Decimal(0)
HUNDRED = Decimal(100)

# --- settings ----------------------------------------------------------------------------

ORDERING_COST_SETTING = "proposal_ordering_cost"
HOLDING_RATE_SETTING = "proposal_holding_rate_percent"
SERVICE_LEVEL_SETTING = "proposal_service_level_percent"
SERVICE_MEASURE_SETTING = "proposal_service_measure"
# The day the proposals last stored the items' ABC classes.
ABC_DAY_SETTING = "proposal_abc_classified_on"


class ServiceMeasure(enum.StrEnum):
    """What an item's service level means: the share of demand met from the shelf, or the
    chance of getting through a replenishment cycle without running out."""

    FILL_RATE = "fill-rate"
    CYCLE = "cycle"


SETTING_DEFAULTS = {
    # What placing one order line costs (the buyer's time, the goods-in work): EOQ's S.
    ORDERING_COST_SETTING: "250",
    # Capital, space, shrinkage and obsolescence per year, in percent of the unit cost.
    HOLDING_RATE_SETTING: "25",
    SERVICE_LEVEL_SETTING: "95",
    SERVICE_MEASURE_SETTING: ServiceMeasure.FILL_RATE.value,
}
MEASURE_LABELS = {
    ServiceMeasure.FILL_RATE: N_("fill rate"),
    ServiceMeasure.CYCLE: N_("cycle service level"),
}
# Deliveries needed before their spread says anything about a supplier's lead time.
MIN_DELIVERIES = 3
LEAD_TIME_HISTORY_DAYS = 730
# An observed average lead time this much off the stated one earns a warning.
LEAD_TIME_DRIFT = 0.25
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
OPEN_ORDER_STATUSES = (
    PurchaseOrderStatus.DRAFT,
    PurchaseOrderStatus.SENT,
    PurchaseOrderStatus.PARTLY_RECEIVED,
)
POLICY_LABELS = {
    Policy.ZERO_POINT: N_("zero-point"),
    Policy.REORDER_POINT: N_("reorder point"),
    Policy.MIN_MAX: N_("min/max"),
    Policy.MANUAL: N_("manual"),
}
METHOD_LABELS = {
    "none": N_("no forecast"),
    "ses": N_("exponential smoothing"),
    "damped-trend": N_("exponential smoothing with a damped trend"),
    "croston": N_("Croston's method"),
    "sba": N_("Croston's method (SBA)"),
    "tsb": N_("TSB"),
    "seasonal": N_("seasonal smoothing"),
}
CLASS_LABELS = {
    "smooth": N_("smooth"),
    "erratic": N_("erratic"),
    "intermittent": N_("intermittent"),
    "lumpy": N_("lumpy"),
}
WARNING_TEXTS = {
    "no-history": N_("No demand recorded yet: the forecast is zero until sales come in."),
    "short-history": N_(
        "Little demand history yet: the forecast uses default settings until more weeks "
        "are recorded."
    ),
    "no-lead-time": N_(
        "No lead time is set: planned as if goods arrived the same day. Set the lead time "
        "in the supplier's terms."
    ),
    "no-unit-cost": N_(
        "No purchase price: the quantity covers a month of demand instead of an economic "
        "order quantity. Enter the supplier's price."
    ),
    "invalid-stock-figures": N_("The stock figures could not be read; check the item's stock."),
    "invalid-pack-size": N_("The pack size is not valid: no rounding to packs."),
    "invalid-service-level": N_("The service level is not valid: the default is used."),
    "invalid-moq": N_("The minimum order quantity is not valid and was ignored."),
    "invalid-fixed-order-qty": N_("The item's order quantity is not valid and was ignored."),
}


@dataclass(frozen=True)
class ProposalSettings:
    """The costs and the default service level proposals plan with."""

    ordering_cost: Decimal
    holding_rate_percent: Decimal
    service_level_percent: Decimal
    measure: ServiceMeasure


def _setting(session: Session, key: str) -> str:
    return get_setting(session, key).strip() or SETTING_DEFAULTS[key]


def _validated_settings(
    ordering_cost: str | Decimal,
    holding_rate_percent: str | Decimal,
    service_level_percent: str | Decimal,
    measure: str | ServiceMeasure,
) -> ProposalSettings:
    errors: dict[str, str] = {}
    cost = rate = level = ZERO
    try:
        cost = parse_decimal(ordering_cost, ORDERING_COST_SETTING)
        if cost < 0:
            errors[ORDERING_COST_SETTING] = _("The ordering cost cannot be negative.")
    except ValidationError as exc:
        errors[ORDERING_COST_SETTING] = exc.message
    try:
        rate = parse_decimal(holding_rate_percent, HOLDING_RATE_SETTING)
        if not ZERO < rate <= HUNDRED:
            errors[HOLDING_RATE_SETTING] = _(
                "The holding rate is a percentage of the unit cost per year, above 0 and "
                "at most 100 (e.g. 25)."
            )
    except ValidationError as exc:
        errors[HOLDING_RATE_SETTING] = exc.message
    try:
        level = parse_decimal(service_level_percent, SERVICE_LEVEL_SETTING)
        if not Decimal(50) <= level < HUNDRED:
            errors[SERVICE_LEVEL_SETTING] = _(
                "The service level is a percentage from 50 up to, but not including, 100 (e.g. 95)."
            )
    except ValidationError as exc:
        errors[SERVICE_LEVEL_SETTING] = exc.message
    try:
        chosen = ServiceMeasure(measure)
    except ValueError:
        chosen = ServiceMeasure.FILL_RATE
        errors[SERVICE_MEASURE_SETTING] = _(
            "The service level is measured as a fill rate or as a cycle service level."
        )
    if errors:
        raise FieldErrors(errors)
    return ProposalSettings(cost, rate, level, chosen)


def proposal_settings(session: Session) -> ProposalSettings:
    """The settings in force (defaults where none were saved)."""
    try:
        return _validated_settings(
            _setting(session, ORDERING_COST_SETTING),
            _setting(session, HOLDING_RATE_SETTING),
            _setting(session, SERVICE_LEVEL_SETTING),
            _setting(session, SERVICE_MEASURE_SETTING),
        )
    except FieldErrors as exc:
        raise ValidationError(
            _("The proposal settings are not valid: {problems} Correct them first.").format(
                problems=" ".join(exc.errors.values())
            )
        ) from None


def save_proposal_settings(
    session: Session,
    user_id: UserId,
    *,
    ordering_cost: str | Decimal,
    holding_rate_percent: str | Decimal,
    service_level_percent: str | Decimal,
    measure: str | ServiceMeasure,
) -> ProposalSettings:
    """A manager sets the ordering cost, holding rate and default service level."""
    require_role(session, user_id, Role.MANAGER, _("change the proposal settings"))
    clean = _validated_settings(ordering_cost, holding_rate_percent, service_level_percent, measure)
    values = {
        ORDERING_COST_SETTING: str(clean.ordering_cost),
        HOLDING_RATE_SETTING: str(clean.holding_rate_percent),
        SERVICE_LEVEL_SETTING: str(clean.service_level_percent),
        SERVICE_MEASURE_SETTING: clean.measure.value,
    }
    for key, value in values.items():
        set_setting(session, key, value)
    record_audit(session, user_id, "update", "setting", None, values)
    return clean


# --- supplier order days -------------------------------------------------------------------


def weekday_names(weekdays: Collection[int]) -> str:
    """ "Monday, Thursday" for (0, 3), in the current language."""
    return ", ".join(_(WEEKDAYS[day]) for day in sorted(weekdays))


def supplier_order_days(session: Session) -> dict[int, tuple[int, ...]]:
    """The weekdays (0 = Monday) each supplier takes orders; suppliers absent: any day."""
    days: dict[int, list[int]] = {}
    for supplier_id, weekday in session.execute(
        select(SupplierOrderDay.supplier_id, SupplierOrderDay.weekday).order_by(
            SupplierOrderDay.supplier_id, SupplierOrderDay.weekday
        )
    ).tuples():
        days.setdefault(supplier_id, []).append(weekday)
    return {supplier_id: tuple(found) for supplier_id, found in days.items()}


def set_supplier_order_days(
    session: Session, user_id: UserId, supplier_id: int, weekdays: Collection[int]
) -> tuple[int, ...]:
    """A manager sets the weekdays ``supplier_id`` takes orders (empty: any day)."""
    require_role(session, user_id, Role.MANAGER, _("change a supplier's order days"))
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFoundError(_("Supplier {id} does not exist.").format(id=supplier_id))
    wanted = sorted(set(weekdays))
    if any(not isinstance(day, int) or not 0 <= day <= 6 for day in wanted):
        raise ValidationError(_("Order days are weekdays from Monday to Sunday."), field="weekdays")
    session.execute(delete(SupplierOrderDay).where(SupplierOrderDay.supplier_id == supplier_id))
    session.add_all(SupplierOrderDay(supplier_id=supplier_id, weekday=day) for day in wanted)
    session.flush()
    record_audit(session, user_id, "order_days", "supplier", supplier_id, {"weekdays": wanted})
    return tuple(wanted)


def next_order_day(today: dt.date, weekdays: Collection[int]) -> dt.date:
    """The first day from ``today`` on that the supplier takes orders."""
    if not weekdays:
        return today
    return next(
        today + dt.timedelta(days=offset)
        for offset in range(7)
        if (today + dt.timedelta(days=offset)).weekday() in weekdays
    )


def order_cycle_days(order_day: dt.date, weekdays: Collection[int]) -> int:
    """Days from ``order_day`` to the supplier's following order day (0: any day)."""
    if not weekdays:
        return 0
    return next(
        offset
        for offset in range(1, 8)
        if (order_day + dt.timedelta(days=offset)).weekday() in weekdays
    )


# --- lead times ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadTimeHistory:
    """How long a supplier's deliveries took: order date → receipt posted, in days."""

    supplier_id: int
    deliveries: int
    mean_days: float
    std_days: float


def lead_time_history(session: Session, today: dt.date) -> dict[int, LeadTimeHistory]:
    """Each supplier's delivery times over the last two years (posted receipts against
    purchase orders; the order counts from the day it was sent, else its order date)."""
    since = today - dt.timedelta(days=LEAD_TIME_HISTORY_DAYS)
    taken: dict[int, list[float]] = {}
    for supplier_id, order_date, sent_at, posted_at in session.execute(
        select(
            PurchaseOrder.supplier_id,
            PurchaseOrder.order_date,
            PurchaseOrder.sent_at,
            Receipt.posted_at,
        )
        .join(Receipt, Receipt.purchase_order_id == PurchaseOrder.id)
        .where(Receipt.status == ReceiptStatus.POSTED, PurchaseOrder.order_date >= since)
    ).tuples():
        if posted_at is None:
            continue
        ordered = sent_at.astimezone().date() if sent_at is not None else order_date
        arrived = posted_at.astimezone().date()
        taken.setdefault(supplier_id, []).append(float(max(0, (arrived - ordered).days)))
    return {
        supplier_id: LeadTimeHistory(
            supplier_id,
            len(days),
            float(np.mean(days)),
            float(np.std(days, ddof=1)) if len(days) > 1 else 0.0,
        )
        for supplier_id, days in taken.items()
    }


# --- the results -------------------------------------------------------------------------------


class LineKind(enum.StrEnum):
    """A line Hylla proposes to order, or a manual item it only shows."""

    PROPOSED = "proposed"
    MANUAL = "manual"


@dataclass(frozen=True)
class NeedRef:
    """A customer order line a zero-point proposal buys for."""

    need_id: int
    order_number: str
    customer_name: str
    needed: Decimal
    order_qty: Decimal
    excess: Decimal
    required_date: dt.date | None


@dataclass(frozen=True)
class ProposalLine:
    """One item's proposal with every figure behind it and the reasoning in words.

    ``quantity`` is in the item's unit, whole packs of ``pack_size``. Figures the
    decision did not use are None. ``fingerprint`` identifies the inputs that made the
    line (a dismissal is kept while it is the same).
    """

    kind: LineKind
    item_id: int
    sku: str
    name: str
    unit: str
    policy: Policy
    abc_class: str | None
    supplier_id: int | None
    supplier_code: str
    supplier_name: str
    supplier_sku: str
    currency: str
    quantity: Decimal
    pack_size: Decimal
    moq: Decimal
    unit_price: Decimal
    value: Decimal
    on_hand: Decimal
    on_order: Decimal
    reserved: Decimal
    backordered: Decimal
    available: Decimal
    reorder_point: Decimal | None
    safety_stock: Decimal | None
    min_qty: Decimal | None
    max_qty: Decimal | None
    forecast_daily: Decimal | None
    lead_time_days: int
    order_date: dt.date
    due_date: dt.date
    demand_class: str
    method: str
    reason: str
    basis: str
    explanation: str
    warnings: tuple[str, ...]
    needs: tuple[NeedRef, ...]
    fingerprint: str
    dismissed_quantity: Decimal | None = None

    @property
    def proposed(self) -> bool:
        """True for a line to order (not a manual item only shown)."""
        return self.kind is LineKind.PROPOSED

    @property
    def orderable(self) -> bool:
        """A proposed line with a supplier can become a purchase order line."""
        return self.proposed and self.supplier_id is not None and self.quantity > 0


@dataclass(frozen=True)
class SupplierTotal:
    """A supplier's proposed lines taken together (``supplier_id`` None: no supplier)."""

    supplier_id: int | None
    code: str
    name: str
    currency: str
    lines: int
    value: Decimal
    min_order_value: Decimal
    order_days: tuple[int, ...]
    order_date: dt.date
    note: str

    @property
    def below_minimum(self) -> bool:
        """The lines add up to less than the supplier's minimum order value."""
        return self.supplier_id is not None and ZERO < self.value < self.min_order_value


@dataclass(frozen=True)
class ProposalRun:
    """A proposal run: ``lines`` grouped by supplier (proposed, then manual items shown),
    ``dismissed`` hidden until their situation changes, totals per supplier."""

    as_of: dt.date
    lines: tuple[ProposalLine, ...]
    dismissed: tuple[ProposalLine, ...]
    suppliers: tuple[SupplierTotal, ...]
    items_planned: int
    seconds: float
    message: str
    #: Seconds each step took: gathering, demand, ABC classes, the decision, the lines.
    timings: tuple[tuple[str, float], ...] = ()
    #: The same steps in CPU seconds of this process (on a busy machine the wall clock
    #: says as much about the neighbours as about the run).
    cpu_timings: tuple[tuple[str, float], ...] = ()

    def proposed(self) -> list[ProposalLine]:
        """The lines to order."""
        return [line for line in self.lines if line.proposed]


# --- gathering ---------------------------------------------------------------------------------


@dataclass
class _Terms:
    supplier_id: int
    code: str
    name: str
    currency: str
    min_order_value: Decimal
    supplier_lead_time: int
    supplier_sku: str
    price: Decimal
    pack_size: Decimal
    moq: Decimal
    lead_time_days: int
    preferred: bool
    alternatives: int = 0


@dataclass
class _Item:
    id: int
    sku: str
    name: str
    unit: str
    policy: Policy
    min_qty: Decimal | None
    max_qty: Decimal | None
    order_qty: Decimal | None
    service_level: Decimal | None
    shelf_life_days: int | None
    avg_cost: Decimal
    abc_class: str | None = None
    on_hand: Decimal = ZERO
    expired: Decimal = ZERO
    on_order: Decimal = ZERO
    reserved: Decimal = ZERO
    backordered: Decimal = ZERO
    zero_point_need: Decimal = ZERO
    terms: _Terms | None = None
    needs: list[NeedRef] = field(default_factory=list)

    @property
    def available(self) -> Decimal:
        return self.on_hand + self.on_order - self.reserved - self.backordered


def _raw(column: Any) -> Any:
    """A Qty/Money/Ratio column read as its stored integer (no Decimal per row)."""
    return type_coerce(column, BigInteger)


def _nullable(column: Any) -> tuple[Any, Any]:
    """``column`` as (its stored integer or 0, 1 where it is NULL): the column reader
    takes no NULLs."""
    return func.coalesce(_raw(column), 0), case((column.is_(None), 1), else_=0)


# Item columns that may be unset, with their scale (None: a plain integer).
_ITEM_FIGURES: dict[str, int | None] = {
    "min_qty": QTY_SCALE,
    "max_qty": QTY_SCALE,
    "order_qty": QTY_SCALE,
    "service_level": RATIO_SCALE,
    "shelf_life_days": None,
}
_POLICY_OF_CODE = {code: Policy(value) for value, code in plan.POLICY_CODES.items()}
# Line texts are read for this many items per query (an IN list each).
_TEXT_CHUNK = 500


@dataclass(frozen=True)
class _Supplier:
    code: str
    name: str
    currency: str
    min_order_value: Decimal
    lead_time_days: int


@dataclass
class _Gathered:
    """Every active item's figures as columns, row ``i`` the ``i``-th item by id.

    The planning needs all 20,000 items as numbers; only the few hundred lines need
    names, texts and exact Decimals, and :meth:`item` makes those for one row. Figures
    are the stored integers (thousandths, ten-thousandths), so nothing is rounded on the
    way: ``n / 1000.0`` is the same float as ``float(Decimal(n).scaleb(-3))``.
    """

    ids: np.ndarray
    policy: np.ndarray
    figures: dict[str, np.ndarray]
    unset: dict[str, np.ndarray]
    avg_cost: np.ndarray
    on_hand: np.ndarray
    stocked: np.ndarray
    # Stock in lots that expired before the run's day, not in ``on_hand``.
    expired: np.ndarray
    on_order: dict[int, Decimal] = field(default_factory=dict)
    held: dict[int, commitments.ItemCommitment] = field(default_factory=dict)
    needs: dict[int, list[NeedRef]] = field(default_factory=dict)
    # The chosen supplier's terms per row (supplier -1: none), stored integers.
    supplier: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    price: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pack_size: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    moq: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    lead_time: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    preferred: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    alternatives: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    suppliers: dict[int, _Supplier] = field(default_factory=dict)
    # Terms a zero-point need chose instead (row → terms), complete as they are.
    need_terms: dict[int, _Terms] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return int(self.ids.size)

    def row_of(self, item_id: int) -> int | None:
        """The row of ``item_id``, None when it is not an active item."""
        row = int(np.searchsorted(self.ids, item_id))
        return row if row < self.size and int(self.ids[row]) == item_id else None

    def rows_of(self, item_ids: Collection[int]) -> dict[int, int]:
        """The rows of those of ``item_ids`` that are active items, by id."""
        found = {item_id: self.row_of(item_id) for item_id in item_ids}
        return {item_id: row for item_id, row in found.items() if row is not None}

    def stock(self, row: int) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal]:
        """On hand, on order, reserved, backordered and open zero-point need of ``row``."""
        on_hand = _units(int(self.on_hand[row]), QTY_SCALE) if self.stocked[row] else ZERO
        held = self.held.get(row)
        if held is None:
            reserved = backordered = zero_point = ZERO
        else:
            reserved, backordered = held.reserved, held.backordered
            zero_point = held.zero_point_open
        on_order = self.on_order.get(row, ZERO)
        return on_hand, on_order, reserved, backordered, zero_point

    def scaled(self, name: str, row: int) -> Decimal | None:
        """The item's ``name`` figure as the exact Decimal it is stored as, or None."""
        scale = _ITEM_FIGURES[name]
        if self.unset[name][row] or scale is None:
            return None
        return _units(int(self.figures[name][row]), scale)

    def shelf_life_days(self, row: int) -> int | None:
        unset = self.unset["shelf_life_days"][row]
        return None if unset else int(self.figures["shelf_life_days"][row])

    def terms(self, row: int, supplier_sku: str) -> _Terms | None:
        if row in self.need_terms:
            return self.need_terms[row]
        supplier_id = int(self.supplier[row])
        if supplier_id < 0:
            return None
        supplier = self.suppliers[supplier_id]
        return _Terms(
            supplier_id,
            supplier.code,
            supplier.name,
            supplier.currency,
            supplier.min_order_value,
            supplier.lead_time_days,
            supplier_sku,
            _units(int(self.price[row]), MONEY_SCALE),
            _units(int(self.pack_size[row]), QTY_SCALE),
            _units(int(self.moq[row]), QTY_SCALE),
            int(self.lead_time[row]),
            bool(self.preferred[row]),
            alternatives=int(self.alternatives[row]),
        )

    def expired_qty(self, row: int) -> Decimal:
        """What ``row`` holds in lots that expired before the run's day."""
        return _units(int(self.expired[row]), QTY_SCALE)

    def item(self, row: int, texts: _Texts) -> _Item:
        """The item in ``row`` with exact figures, for a line."""
        item_id = int(self.ids[row])
        sku, name, unit, abc_class = texts.items[item_id]
        on_hand, on_order, reserved, backordered, zero_point = self.stock(row)
        terms = self.terms(row, texts.supplier_skus.get((item_id, int(self.supplier[row])), ""))
        return _Item(
            item_id,
            sku,
            name,
            unit,
            _POLICY_OF_CODE[int(self.policy[row])],
            self.scaled("min_qty", row),
            self.scaled("max_qty", row),
            self.scaled("order_qty", row),
            self.scaled("service_level", row),
            self.shelf_life_days(row),
            _units(int(self.avg_cost[row]), MONEY_SCALE),
            abc_class,
            on_hand,
            self.expired_qty(row),
            on_order,
            reserved,
            backordered,
            zero_point,
            terms,
            list(self.needs.get(row, ())),
        )


@dataclass(frozen=True)
class _Texts:
    """Names and codes of the items that get a line (read for those only)."""

    items: dict[int, tuple[str, str, str, str | None]]
    supplier_skus: dict[tuple[int, int], str]


def _units(value: int, scale: int) -> Decimal:
    return Decimal(value).scaleb(-scale)


def _load_items(session: Session, today: dt.date) -> _Gathered:
    """The active items' own figures and their stock on hand, as columns; stock in lots
    that expired before ``today`` is kept apart (``expired``), not on hand."""
    policy_code = case(
        *((Item.policy == policy, plan.POLICY_CODES[policy.value]) for policy in Policy),
        else_=-1,
    )
    nullable = [part for name in _ITEM_FIGURES for part in _nullable(getattr(Item, name))]
    ids, policy, *figures, avg_cost = demand.read_integer_columns(
        session,
        select(Item.id, policy_code, *nullable, _raw(Item.avg_cost)).where(Item.active.is_(True)),
    )
    order = np.argsort(ids, kind="stable")
    ids, policy, avg_cost = ids[order], policy[order], avg_cost[order]
    names = list(_ITEM_FIGURES)
    level_ids, level_sums = demand.read_integer_columns(
        session,
        select(StockLevel.item_id, func.sum(_raw(StockLevel.quantity))).group_by(
            StockLevel.item_id
        ),
    )
    gathered = _Gathered(
        ids=ids,
        policy=policy,
        figures={name: figures[2 * k][order] for k, name in enumerate(names)},
        unset={name: figures[2 * k + 1][order].astype(bool) for k, name in enumerate(names)},
        avg_cost=avg_cost,
        on_hand=np.zeros(ids.size, dtype=np.int64),
        stocked=np.zeros(ids.size, dtype=bool),
        expired=np.zeros(ids.size, dtype=np.int64),
    )
    rows, present = _rows_present(ids, level_ids)
    gathered.on_hand[rows[present]] = level_sums[present]
    gathered.stocked[rows[present]] = True
    # Only levels in lots are joined: a short read, most stock has no expiry.
    expired_ids, expired_sums = demand.read_integer_columns(
        session,
        select(StockLevel.item_id, func.sum(_raw(StockLevel.quantity)))
        .join(Lot, Lot.id == StockLevel.lot_id)
        .where(Lot.expiry < today)
        .group_by(StockLevel.item_id),
    )
    rows, present = _rows_present(ids, expired_ids)
    gathered.expired[rows[present]] = expired_sums[present]
    gathered.on_hand[rows[present]] -= expired_sums[present]
    return gathered


def _rows_present(ids: np.ndarray, found: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows in the sorted ``ids`` of the ids ``found``, and which of them are there."""
    rows = np.minimum(np.searchsorted(ids, found), max(ids.size - 1, 0))
    present = ids[rows] == found if ids.size else np.zeros(found.size, dtype=bool)
    return rows, present


def on_order_by_item(
    session: Session, item_ids: Collection[int] | None = None
) -> dict[int, Decimal]:
    """What open purchase orders (draft, sent, partly received) still bring of each item:
    ordered less received, whatever the expected date."""
    query = (
        select(
            PurchaseOrderLine.item_id,
            func.sum(PurchaseOrderLine.quantity),
            func.sum(PurchaseOrderLine.received_qty),
        )
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .where(
            PurchaseOrder.status.in_(OPEN_ORDER_STATUSES),
            PurchaseOrderLine.quantity > PurchaseOrderLine.received_qty,
        )
        .group_by(PurchaseOrderLine.item_id)
    )
    if item_ids is not None:
        query = query.where(PurchaseOrderLine.item_id.in_(list(item_ids)))
    return {
        item_id: ordered - received
        for item_id, ordered, received in session.execute(query).tuples()
    }


def _choose_terms(session: Session, items: _Gathered) -> None:
    """Each item's supplier: the preferred one, else the cheapest (then fastest)."""
    items.suppliers = {
        supplier_id: _Supplier(code, name, currency, _units(minimum, MONEY_SCALE), lead)
        for supplier_id, code, name, currency, minimum, lead in session.connection()
        .execute(
            select(
                Supplier.id,
                Supplier.code,
                Supplier.name,
                Supplier.currency,
                _raw(Supplier.min_order_value),
                Supplier.lead_time_days,
            )
        )
        .tuples()
        .all()
    }
    item_ids, supplier_ids, price, pack, moq, lead, preferred = demand.read_integer_columns(
        session,
        select(
            SupplierItem.item_id,
            Supplier.id,
            _raw(SupplierItem.price),
            _raw(SupplierItem.pack_size),
            _raw(SupplierItem.moq),
            func.coalesce(SupplierItem.lead_time_days, Supplier.lead_time_days),
            case((SupplierItem.preferred.is_(True), 1), else_=0),
        )
        .join(Supplier, Supplier.id == SupplierItem.supplier_id)
        .where(Supplier.active.is_(True)),
    )
    n = items.size
    items.supplier = np.full(n, -1, dtype=np.int64)
    items.price, items.pack_size, items.moq, items.lead_time, items.alternatives = (
        np.zeros(n, dtype=np.int64) for _column in range(5)
    )
    items.preferred = np.zeros(n, dtype=bool)
    if not item_ids.size or not n:
        return
    rows = np.minimum(np.searchsorted(items.ids, item_ids), n - 1)
    keep = items.ids[rows] == item_ids
    rows, supplier_ids, price, pack, moq, lead, preferred = (
        column[keep] for column in (rows, supplier_ids, price, pack, moq, lead, preferred)
    )
    by_code = sorted(items.suppliers, key=lambda supplier_id: items.suppliers[supplier_id].code)
    rank = np.zeros(max(items.suppliers) + 1, dtype=np.int64)
    rank[np.asarray(by_code, dtype=np.int64)] = np.arange(len(by_code))
    # Preferred first; no price (0) after any price: a gap in the data, not a bargain;
    # then the cheapest, the fastest, by code. (Stored integers compare as the values.)
    order = np.lexsort((rank[supplier_ids], lead, price, price <= 0, preferred == 0, rows))
    sorted_rows = rows[order]
    first = np.ones(sorted_rows.size, dtype=bool)
    first[1:] = sorted_rows[1:] != sorted_rows[:-1]
    best = order[first]
    chosen = rows[best]
    items.supplier[chosen] = supplier_ids[best]
    items.price[chosen] = price[best]
    items.pack_size[chosen] = pack[best]
    items.moq[chosen] = moq[best]
    items.lead_time[chosen] = lead[best]
    items.preferred[chosen] = preferred[best] == 1
    items.alternatives[chosen] = np.bincount(rows, minlength=n)[chosen] - 1


def _use_need_suppliers(
    session: Session, items: _Gathered, needs: list[commitments.NeedRow]
) -> None:
    """A zero-point need names the supplier order entry rounded it for: buy there."""
    wanted: set[tuple[int, int]] = set()
    for need in needs:
        row = items.row_of(need.item_id)
        if row is None or need.supplier_id is None:
            continue
        if int(items.supplier[row]) != need.supplier_id:
            wanted.add((need.item_id, need.supplier_id))
    for item_id, supplier_id in sorted(wanted):
        found = session.execute(
            select(Supplier, SupplierItem)
            .join(SupplierItem, SupplierItem.supplier_id == Supplier.id)
            .where(SupplierItem.item_id == item_id, Supplier.id == supplier_id)
        ).first()
        if found is None or not found[0].active:
            continue
        supplier, terms = found
        row = items.rows_of([item_id])[item_id]
        chosen = _Terms(
            supplier.id,
            supplier.code,
            supplier.name,
            supplier.currency,
            supplier.min_order_value,
            supplier.lead_time_days,
            terms.supplier_sku,
            terms.price,
            terms.pack_size,
            terms.moq,
            terms.lead_time_days if terms.lead_time_days is not None else supplier.lead_time_days,
            terms.preferred,
        )
        items.need_terms[row] = chosen
        # The planning reads the columns: they carry the need's terms too.
        items.supplier[row] = chosen.supplier_id
        items.price[row] = to_units(chosen.price, MONEY_SCALE)
        items.pack_size[row] = to_units(chosen.pack_size, QTY_SCALE)
        items.moq[row] = to_units(chosen.moq, QTY_SCALE)
        items.lead_time[row] = chosen.lead_time_days


def _texts(session: Session, items: _Gathered, rows: Sequence[int]) -> _Texts:
    """Names, units, ABC classes and supplier item numbers of the items in ``rows``."""
    item_ids = [int(items.ids[row]) for row in rows]
    found: dict[int, tuple[str, str, str, str | None]] = {}
    skus: dict[tuple[int, int], str] = {}
    for start in range(0, len(item_ids), _TEXT_CHUNK):
        chunk = item_ids[start : start + _TEXT_CHUNK]
        for item_id, sku, name, unit, abc_class in session.execute(
            select(Item.id, Item.sku, Item.name, Item.unit, Item.abc_class).where(
                Item.id.in_(chunk)
            )
        ).tuples():
            found[item_id] = (sku, name, unit, abc_class)
        for item_id, supplier_id, supplier_sku in session.execute(
            select(SupplierItem.item_id, SupplierItem.supplier_id, SupplierItem.supplier_sku).where(
                SupplierItem.item_id.in_(chunk)
            )
        ).tuples():
            skus[(item_id, supplier_id)] = supplier_sku
    return _Texts(found, skus)


# --- numbers in words ----------------------------------------------------------------------------


def _trim(value: Decimal) -> Decimal:
    """``value`` without trailing zeros, never in exponent form (24.000 → 24, 240 → 240)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


@functools.cache
def _symbols(locale: str) -> tuple[str, str]:
    """The decimal mark and the digit-group separator of ``locale``."""
    return get_decimal_symbol(locale), get_group_symbol(locale)


def _number(value: Decimal) -> str:
    """``value`` (already rounded as wanted) with the current language's marks.

    babel's ``format_decimal`` takes some 0.2 ms a call, and a run says a dozen numbers for
    each of thousands of lines; Python's own formatting with the locale's symbols
    swapped in gives the same text.
    """
    decimal_mark, group = _symbols(locale_name())
    # normalize() drops trailing zeros; "f" writes 2.4E+2 as 240 (what _trim gives).
    text = format(value.normalize(), ",f")
    return text.replace(",", "\0").replace(".", decimal_mark).replace("\0", group)


_TENTH = Decimal("0.1")


def _q(value: Decimal) -> str:
    """A quantity exactly, as people read it in the current language: ``1 234,5``."""
    return _number(value)


def _fig(value: Decimal | float) -> str:
    """A worked-out figure (a forecast, a reorder point, an EOQ) to one decimal: a float
    from the planning by its exact binary value, a Decimal as it is (never through a
    float), half to even as Python's own formatting rounds."""
    exact = value if isinstance(value, Decimal) else Decimal(float(value))
    return _number(exact.quantize(_TENTH, rounding=ROUND_HALF_EVEN))


def _rate(value: Decimal) -> str:
    """A demand rate with at most two decimals: ``0,43``."""
    return _number(value.quantize(Decimal("0.01")))


def _money(value: Decimal) -> str:
    """An amount with its cents: ``1 234,50``."""
    decimal_mark, group = _symbols(locale_name())
    text = format(round_money(value), ",.2f")
    return text.replace(",", "\0").replace(".", decimal_mark).replace("\0", group)


def _percent(ratio: Decimal) -> str:
    return _number((ratio * HUNDRED).quantize(Decimal("0.1"))) + " %"


def _dec(value: float, places: int = 3) -> Decimal | None:
    """A float of the planning maths as an exact Decimal rounded to ``places``."""
    if not np.isfinite(value):
        return None
    return Decimal(f"{value:.{places}f}")


def _qty(value: float) -> Decimal:
    found = _dec(value)
    return found if found is not None else ZERO


def whole_packs(quantity: Decimal, pack_size: Decimal, moq: Decimal) -> Decimal:
    """``quantity`` rounded up to whole packs and to at least the MOQ (itself in packs),
    exactly; 0 stays 0."""
    if quantity <= 0:
        return ZERO
    pack = pack_size if pack_size > 0 else QTY_QUANTUM
    wanted = max(quantity, moq)
    return ((wanted / pack).to_integral_value(ROUND_CEILING) * pack).quantize(QTY_QUANTUM)


# --- the run -------------------------------------------------------------------------------------


def _name(names: tuple[str, ...], code: int) -> str:
    return names[code] if 0 <= code < len(names) else "?"


def _fingerprint(item: _Item) -> str:
    """What made the line, as a hash: a dismissal holds while this is unchanged.

    The stock position, the open needs, the item's policy and the supplier's terms are
    the buyer's "situation". The forecast is left out on purpose: it moves a little
    with every day of history, and a dismissal that lapsed each morning would be no
    dismissal at all; a sale or a receipt changes the stock, and so the fingerprint.
    """
    terms = item.terms
    parts = [
        str(item.id),
        item.policy.value,
        *(str(_trim(v)) if v is not None else "" for v in (item.min_qty, item.max_qty)),
        *(str(_trim(v)) if v is not None else "" for v in (item.order_qty, item.service_level)),
        *(str(_trim(v)) for v in (item.on_hand, item.on_order, item.reserved, item.backordered)),
        ",".join(str(need.need_id) for need in item.needs),
    ]
    if terms is not None:
        parts += [
            str(terms.supplier_id),
            str(_trim(terms.pack_size)),
            str(_trim(terms.moq)),
            str(_trim(terms.price)),
            str(terms.lead_time_days),
        ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


class _Steps:
    """Reports each finished step to ``progress`` and keeps how long it took."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.timings: list[tuple[str, float]] = []
        self.cpu_timings: list[tuple[str, float]] = []
        self._since = time.perf_counter()
        self._cpu_since = time.process_time()
        if progress is not None:
            progress(0, STEPS)

    def done(self, name: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        self.timings.append((name, now - self._since))
        self.cpu_timings.append((name, cpu - self._cpu_since))
        self._since, self._cpu_since = now, cpu
        if self.progress is not None:
            self.progress(len(self.timings), STEPS)


STEPS = 5


def run_proposals(
    session: Session,
    user_id: UserId,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ProposalRun:
    """Work out today's purchase proposals for every active item (see the module
    docstring) and store each item's ABC class; ``progress(done, total)`` is told each
    step."""
    started = time.perf_counter()
    today = today or demand.local_today()
    settings = proposal_settings(session)
    steps = _Steps(progress)

    items = _load_items(session, today)
    on_order = on_order_by_item(session)
    items.on_order = {row: on_order[item_id] for item_id, row in items.rows_of(on_order).items()}
    held = commitments.item_commitments(session)
    items.held = {row: held[item_id] for item_id, row in items.rows_of(held).items()}
    needs = commitments.open_purchase_needs(session)
    for need in needs:
        row = items.row_of(need.item_id)
        if row is not None:
            items.needs.setdefault(row, []).append(
                NeedRef(
                    need.need_id,
                    need.order_number,
                    need.customer_name,
                    need.needed_qty,
                    need.order_qty,
                    need.excess,
                    need.required_date,
                )
            )
    _choose_terms(session, items)
    _use_need_suppliers(session, items, needs)
    history = lead_time_history(session, today)
    order_days = supplier_order_days(session)
    steps.done("gather")

    # One pass over the moves gives the demand history and, once a day, the ABC
    # consumption values (a year's window moves a day at a time: classifying again at
    # every run of the same day would change nothing and cost a third of a second).
    first_day, last_day = demand.history_window(today)
    classify = get_setting(session, ABC_DAY_SETTING) != today.isoformat()
    abc_since = today - dt.timedelta(days=abc_classes.WINDOW_DAYS - 1)
    daily = demand.read_daily_demand(
        session,
        first_day,
        last_day,
        items.ids.tolist(),
        issue_values_since=abc_since if classify else None,
        issue_values_until=today,
    )
    steps.done("demand")
    if daily.issue_values is not None:
        values = {
            int(item_id): Decimal(f"{value:.4f}")
            for item_id, value in zip(daily.item_ids, daily.issue_values, strict=True)
            if value != 0
        }
        # Stored now, read with the lines' names (the same transaction sees them).
        abc_classes.store_abc_classes(session, user_id, today, values)
        set_setting(session, ABC_DAY_SETTING, today.isoformat())
    steps.done("abc")

    result = _plan(items, daily, settings, history, order_days, today)
    steps.done("plan")

    lines = _lines(session, items, result, settings, history, order_days, today)
    dismissals = {
        item_id: (fingerprint, quantity)
        for item_id, fingerprint, quantity in session.execute(
            select(
                ProposalDismissal.item_id,
                ProposalDismissal.fingerprint,
                ProposalDismissal.quantity,
            )
        ).tuples()
    }
    shown: list[ProposalLine] = []
    dismissed: list[ProposalLine] = []
    for line in lines:
        kept = dismissals.get(line.item_id)
        if kept is not None and kept[0] == line.fingerprint:
            dismissed.append(line)
        elif kept is not None:
            # Dismissed before, but the situation has changed: shown again, saying so.
            shown.append(_replace_dismissed(line, kept[1]))
        else:
            shown.append(line)
    suppliers = _supplier_totals(session, shown, order_days, today)
    order = {total.supplier_id: index for index, total in enumerate(suppliers)}
    shown.sort(
        key=lambda line: (
            order.get(line.supplier_id, len(order)),
            not line.proposed,
            line.sku,
        )
    )
    steps.done("lines")
    proposed = sum(1 for line in shown if line.proposed)
    suppliers_with_lines = sum(1 for total in suppliers if total.lines)
    if proposed:
        message = _("{items} to order from {suppliers}.").format(
            items=ngettext("{n} item", "{n} items", proposed).format(n=proposed),
            suppliers=ngettext("{n} supplier", "{n} suppliers", suppliers_with_lines).format(
                n=suppliers_with_lines
            ),
        )
    else:
        message = _("Nothing to order today.")
    if dismissed:
        message += " " + ngettext(
            "{n} dismissed line is hidden.", "{n} dismissed lines are hidden.", len(dismissed)
        ).format(n=len(dismissed))
    return ProposalRun(
        as_of=today,
        lines=tuple(shown),
        dismissed=tuple(dismissed),
        suppliers=tuple(suppliers),
        items_planned=items.size,
        seconds=time.perf_counter() - started,
        message=message,
        timings=tuple(steps.timings),
        cpu_timings=tuple(steps.cpu_timings),
    )


def _replace_dismissed(line: ProposalLine, quantity: Decimal) -> ProposalLine:
    note = _(
        "Dismissed earlier at {qty} {unit}; shown again because the situation has changed."
    ).format(qty=_q(quantity), unit=line.unit)
    return replace(line, dismissed_quantity=quantity, warnings=(*line.warnings, note))


def _level(item: _Item, settings: ProposalSettings) -> float:
    if item.service_level is not None:
        return float(item.service_level)
    return float(settings.service_level_percent / HUNDRED)


def _plan(
    items: _Gathered,
    daily: demand.DailyDemand,
    settings: ProposalSettings,
    history: dict[int, LeadTimeHistory],
    order_days: dict[int, tuple[int, ...]],
    today: dt.date,
) -> plan.ReplenishmentResult:
    n = items.size
    nan = float("nan")

    def optional(name: str) -> np.ndarray:
        scale = _ITEM_FIGURES[name]
        values = items.figures[name].astype(np.float64)
        if scale is not None:
            values /= 10**scale
        values[items.unset[name]] = nan
        return values

    def held(pick: Callable[[commitments.ItemCommitment], Decimal]) -> np.ndarray:
        values = np.zeros(n)
        for row, commitment in items.held.items():
            values[row] = float(pick(commitment))
        return values

    levels = optional("service_level")
    levels[items.unset["service_level"]] = float(settings.service_level_percent / HUNDRED)
    on_order = np.zeros(n)
    for row, quantity in items.on_order.items():
        on_order[row] = float(quantity)
    has_terms = items.supplier >= 0
    # Order days and delivery spread are the supplier's: worked out once per supplier.
    review, cycle, spread = np.zeros(n), np.zeros(n), np.zeros(n)
    suppliers, supplier_rows = np.unique(items.supplier[has_terms], return_inverse=True)
    per_supplier = np.zeros((suppliers.size, 3))
    for index, supplier_id in enumerate(suppliers.tolist()):
        days = order_days.get(supplier_id, ())
        order_day = next_order_day(today, days)
        seen = history.get(supplier_id)
        per_supplier[index] = (
            (order_day - today).days,
            order_cycle_days(order_day, days),
            seen.std_days if seen is not None and seen.deliveries >= MIN_DELIVERIES else 0.0,
        )
    review[has_terms], cycle[has_terms], spread[has_terms] = per_supplier[supplier_rows].T
    # The supplier's price, else the item's average cost; neither: no cost (NaN).
    cost_units = np.where(items.price > 0, items.price, items.avg_cost)
    unit_cost = np.where(cost_units > 0, cost_units / 10**MONEY_SCALE, nan)
    inp = plan.ReplenishmentInput(
        demand=daily.quantities,
        on_hand=items.on_hand / 10**QTY_SCALE,
        on_order=on_order,
        reserved=held(lambda c: c.reserved),
        backordered=held(lambda c: c.backordered),
        zero_point_need=held(lambda c: c.zero_point_open),
        lead_time_mean=np.where(has_terms, items.lead_time.astype(np.float64), nan),
        lead_time_std=spread,
        unit_cost=unit_cost,
        policy=items.policy.copy(),
        service_level=levels,
        fill_rate=np.full(n, settings.measure is ServiceMeasure.FILL_RATE, dtype=bool),
        min_qty=optional("min_qty"),
        max_qty=optional("max_qty"),
        fixed_order_qty=optional("order_qty"),
        pack_size=np.where(has_terms, items.pack_size / 10**QTY_SCALE, nan),
        moq=np.where(has_terms, items.moq / 10**QTY_SCALE, nan),
        ordering_cost=float(settings.ordering_cost),
        holding_rate=float(settings.holding_rate_percent / HUNDRED),
        review_days=review,
        order_cycle_days=cycle,
        shelf_life_days=optional("shelf_life_days"),
    )
    return plan.plan_replenishment(inp)


def _lines(
    session: Session,
    items: _Gathered,
    r: plan.ReplenishmentResult,
    settings: ProposalSettings,
    history: dict[int, LeadTimeHistory],
    order_days: dict[int, tuple[int, ...]],
    today: dt.date,
) -> list[ProposalLine]:
    """A line for every item to order, and for manual items running low (shown only)."""
    ordered = np.nonzero(np.nan_to_num(r.order_qty) > 0)[0]
    manual_codes = items.policy == plan.POLICY_CODES[Policy.MANUAL.value]
    low = np.nan_to_num(r.projected_available, nan=0.0) <= np.nan_to_num(
        np.fmax(r.reorder_point, 0.0), nan=0.0
    )
    manual_rows = np.nonzero(manual_codes & low)[0]
    rows = sorted({*ordered.tolist(), *manual_rows.tolist()})
    texts = _texts(session, items, rows)
    lines: list[ProposalLine] = []
    for index in rows:
        item = items.item(index, texts)
        kind = LineKind.MANUAL if item.policy is Policy.MANUAL else LineKind.PROPOSED
        if kind is LineKind.MANUAL:
            negative = item.available < 0
            below_min = item.min_qty is not None and item.available <= item.min_qty
            if not (negative or below_min or np.isfinite(r.reorder_point[index])):
                continue
        lines.append(_line(item, index, kind, r, settings, history, order_days, today))
    return lines


def _line(
    item: _Item,
    i: int,
    kind: LineKind,
    r: plan.ReplenishmentResult,
    settings: ProposalSettings,
    history: dict[int, LeadTimeHistory],
    order_days: dict[int, tuple[int, ...]],
    today: dt.date,
) -> ProposalLine:
    terms = item.terms
    pack = terms.pack_size if terms is not None else QTY_QUANTUM
    moq = terms.moq if terms is not None else ZERO
    quantity = ZERO
    if kind is LineKind.PROPOSED:
        # The maths rounds to packs in floats; the order must be whole packs exactly.
        quantity = whole_packs(_qty(float(r.order_qty[i])), pack, moq)
    days = order_days.get(terms.supplier_id, ()) if terms is not None else ()
    order_date = next_order_day(today, days)
    lead = terms.lead_time_days if terms is not None else 0
    price = terms.price if terms is not None else ZERO
    warnings = [
        _(text)
        for bit, name in enumerate(plan.WARNING_NAMES)
        if int(r.warnings[i]) & (1 << bit) and (text := WARNING_TEXTS.get(name))
    ]
    if terms is None:
        warnings.insert(
            0,
            _("No supplier sells this item: add a supplier's terms to the item to order it."),
        )
    else:
        if terms.alternatives and not terms.preferred:
            warnings.append(
                ngettext(
                    "{n} other supplier sells it too and none is preferred: {code} was chosen "
                    "as the cheapest. Mark the preferred supplier in the item.",
                    "{n} other suppliers sell it too and none is preferred: {code} was chosen "
                    "as the cheapest. Mark the preferred supplier in the item.",
                    terms.alternatives,
                ).format(n=terms.alternatives, code=terms.code)
            )
        seen = history.get(terms.supplier_id)
        if (
            seen is not None
            and seen.deliveries >= MIN_DELIVERIES
            and abs(seen.mean_days - terms.lead_time_days)
            > LEAD_TIME_DRIFT * max(terms.lead_time_days, 4)
        ):
            warnings.append(
                _(
                    "{code}'s last {n} deliveries took {days} days on average, not the {lead} "
                    "days its terms say. Update the lead time."
                ).format(
                    code=terms.code,
                    n=seen.deliveries,
                    days=_rate(Decimal(f"{seen.mean_days:.1f}")),
                    lead=terms.lead_time_days,
                )
            )
    line = ProposalLine(
        kind=kind,
        item_id=item.id,
        sku=item.sku,
        name=item.name,
        unit=item.unit,
        policy=item.policy,
        abc_class=item.abc_class,
        supplier_id=terms.supplier_id if terms is not None else None,
        supplier_code=terms.code if terms is not None else "",
        supplier_name=terms.name if terms is not None else "",
        supplier_sku=terms.supplier_sku if terms is not None else "",
        currency=terms.currency if terms is not None else "",
        quantity=quantity,
        pack_size=pack,
        moq=moq,
        unit_price=price,
        value=round_money(quantity * price),
        on_hand=item.on_hand,
        on_order=item.on_order,
        reserved=item.reserved,
        backordered=item.backordered,
        available=item.available,
        reorder_point=_dec(float(r.reorder_point[i])),
        min_qty=item.min_qty,
        max_qty=item.max_qty,
        safety_stock=_dec(float(r.safety_stock[i])),
        forecast_daily=_dec(float(r.forecast_daily[i])),
        lead_time_days=lead,
        order_date=order_date,
        due_date=order_date + dt.timedelta(days=lead),
        demand_class=_name(plan.CLASS_NAMES, int(r.demand_class[i])),
        method=_name(plan.METHOD_NAMES, int(r.method[i])),
        reason=_name(plan.REASON_NAMES, int(r.reason[i])),
        basis=_name(plan.BASIS_NAMES, int(r.basis[i])),
        explanation="",
        warnings=tuple(warnings),
        needs=tuple(item.needs),
        fingerprint=_fingerprint(item),
    )
    return replace(line, explanation=_explain(line, item, i, r, settings, history, days, today))


def _explain(
    line: ProposalLine,
    item: _Item,
    i: int,
    r: plan.ReplenishmentResult,
    settings: ProposalSettings,
    history: dict[int, LeadTimeHistory],
    days: tuple[int, ...],
    today: dt.date,
) -> str:
    """The line's reasoning in words a buyer can check, one sentence per step."""
    unit = item.unit
    said = [
        _(
            "On hand {on_hand}, on order {on_order}, reserved {reserved}, backordered "
            "{backordered}: {available} {unit} available."
        ).format(
            on_hand=_q(item.on_hand),
            on_order=_q(item.on_order),
            reserved=_q(item.reserved),
            backordered=_q(item.backordered),
            available=_q(item.available),
            unit=unit,
        )
    ]
    if item.expired > 0:
        said.append(
            _(
                "Not counted: {expired} {unit} in lots that have expired (they may not be "
                "sold; write them down)."
            ).format(expired=_q(item.expired), unit=unit)
        )
    if line.kind is LineKind.MANUAL:
        said.append(_("Manual item: Hylla never proposes it. Order it yourself if it is needed."))
        if item.min_qty is not None:
            said.append(_("Its minimum is {min} {unit}.").format(min=_q(item.min_qty), unit=unit))
        return " ".join(said)
    reason = line.reason
    if reason == "zero-point-need":
        said.append(_("Zero-point item: bought only for customer orders."))
        for need in item.needs:
            when = (
                _(" by {date}").format(date=need.required_date.isoformat())
                if need.required_date is not None
                else ""
            )
            said.append(
                _("{order} for {customer} needs {needed} {unit}{when}.").format(
                    order=need.order_number,
                    customer=need.customer_name,
                    needed=_q(need.needed),
                    unit=unit,
                    when=when,
                )
            )
    elif reason == "at-or-below-min":
        said.append(
            _("At or below the minimum of {min}: order up to the maximum of {max} {unit}.").format(
                min=_q(item.min_qty or ZERO), max=_q(item.max_qty or ZERO), unit=unit
            )
        )
    elif reason in ("below-reorder-point", "covers-shortage"):
        if line.reorder_point is not None and reason == "below-reorder-point":
            level = Decimal(f"{_level(item, settings):.4f}")
            # Shown to one decimal, the parts add up to the total as printed.
            rop = Decimal(f"{float(r.reorder_point[i]):.1f}")
            expected = Decimal(f"{float(r.forecast_lead_time[i]):.1f}")
            said.append(
                _(
                    "Reorder point {rop} = {expected} expected over {days} days + {safety} "
                    "safety stock for a {level} {measure}."
                ).format(
                    rop=_number(rop),
                    expected=_number(expected),
                    days=_fig(r.protection_days[i]),
                    safety=_number(max(rop - expected, ZERO)),
                    level=_percent(level),
                    measure=_(MEASURE_LABELS[settings.measure]),
                )
            )
        else:
            said.append(
                _("No demand is forecast, but customer orders are short of {short} {unit}.").format(
                    short=_q(-min(item.available, ZERO)), unit=unit
                )
            )
        if line.forecast_daily is not None and line.demand_class != "no-demand":
            said.append(
                _("Forecast {daily} {unit} a day ({method}; {klass} demand).").format(
                    daily=_rate(line.forecast_daily),
                    unit=unit,
                    method=_(METHOD_LABELS.get(line.method, line.method)),
                    klass=_(CLASS_LABELS.get(line.demand_class, line.demand_class)),
                )
            )
        said.append(_lead_time_sentence(line, r, i, history, days, today))
    said.extend(_quantity_sentences(line, item, i, r))
    return " ".join(part for part in said if part)


def _lead_time_sentence(
    line: ProposalLine,
    r: plan.ReplenishmentResult,
    i: int,
    history: dict[int, LeadTimeHistory],
    days: tuple[int, ...],
    today: dt.date,
) -> str:
    """Why the order must cover the days it does: lead time, waiting, the next chance."""
    if line.supplier_id is None:
        return ""
    seen = history.get(line.supplier_id)
    if seen is not None and seen.deliveries >= MIN_DELIVERIES:
        text = _("Lead time {lead} days, varying by ± {spread} days over {n} deliveries.").format(
            lead=line.lead_time_days,
            spread=_rate(Decimal(f"{seen.std_days:.1f}")),
            n=seen.deliveries,
        )
    else:
        text = _("Lead time {lead} days.").format(lead=line.lead_time_days)
    protection = _qty(float(r.protection_days[i]))
    wait = (line.order_date - today).days
    after = protection - line.lead_time_days - wait
    if days:
        text += " " + _(
            "{supplier} takes orders on {days}: the {days_covered} days also cover {wait} "
            "days until the next order day and {after} days until the one after."
        ).format(
            supplier=line.supplier_code,
            days=weekday_names(days),
            days_covered=_q(protection),
            wait=wait,
            after=_q(after),
        )
    elif after > 0:
        text += " " + ngettext(
            "The {days_covered} days also cover the {after} day until the proposals run again.",
            "The {days_covered} days also cover the {after} days until the proposals run again.",
            int(after),
        ).format(days_covered=_q(protection), after=_q(after))
    return text


def _quantity_sentences(
    line: ProposalLine, item: _Item, i: int, r: plan.ReplenishmentResult
) -> list[str]:
    unit = item.unit
    qty = _q(line.quantity)
    basis = line.basis
    # A worked-out quantity to one decimal; a quantity from the item's data exactly.
    base = (
        _fig(r.base_qty[i])
        if basis in ("eoq", "cover-days", "shelf-life")
        else _q(_qty(float(r.base_qty[i])))
    )
    if basis == "eoq":
        said = [
            _("Order {qty} {unit}: the economic order quantity is {base}.").format(
                qty=qty, unit=unit, base=base
            )
        ]
    elif basis == "fixed-order-qty":
        said = [
            _("Order {qty} {unit}: the item's own order quantity is {base}.").format(
                qty=qty, unit=unit, base=base
            )
        ]
    elif basis == "cover-days":
        said = [
            _("Order {qty} {unit}: {base} covers {days} days of forecast demand.").format(
                qty=qty, unit=unit, base=base, days=int(plan.COVER_DAYS_WITHOUT_COST)
            )
        ]
    elif basis == "shelf-life":
        said = [
            _(
                "Order {qty} {unit}: the economic order quantity is cut to {base}, what is used "
                "within the shelf life of {days} days."
            ).format(qty=qty, unit=unit, base=base, days=item.shelf_life_days or 0)
        ]
    elif basis == "up-to-max":
        said = [
            _("Order {qty} {unit}: {base} brings the stock up to the maximum.").format(
                qty=qty, unit=unit, base=base
            )
        ]
    elif basis == "zero-point-need":
        said = [
            _("Order {qty} {unit}: what the customer orders need, in the supplier's packs.").format(
                qty=qty, unit=unit
            )
        ]
    elif basis == "shortage":
        said = [
            _("Order {qty} {unit}: {base} is what is missing.").format(
                qty=qty, unit=unit, base=base
            )
        ]
    else:
        said = [_("Order {qty} {unit}.").format(qty=qty, unit=unit)]
    top_up = _qty(float(r.top_up[i]))
    if top_up > 0:
        said.append(
            _("{top_up} more lifts the stock above the reorder point.").format(top_up=_fig(top_up))
        )
    if basis == "zero-point-need":
        return said
    raw = _qty(float(r.raw_qty[i]))
    if line.moq > 0 and bool(r.moq_applied[i]):
        said.append(
            _("Raised to the supplier's minimum order quantity of {moq} {unit}.").format(
                moq=_q(line.moq), unit=unit
            )
        )
    if line.pack_size > QTY_QUANTUM and line.quantity > raw:
        packs = (line.quantity / line.pack_size).to_integral_value(ROUND_FLOOR)
        said.append(
            ngettext(
                "Rounded up to {packs} pack of {pack}.",
                "Rounded up to {packs} packs of {pack}.",
                int(packs),
            ).format(packs=_q(packs), pack=_q(line.pack_size))
        )
    return said


def _supplier_totals(
    session: Session,
    lines: list[ProposalLine],
    order_days: dict[int, tuple[int, ...]],
    today: dt.date,
) -> list[SupplierTotal]:
    """Each supplier's lines and value, with what its order days and minimum mean."""
    grouped: dict[int | None, list[ProposalLine]] = {}
    for line in lines:
        grouped.setdefault(line.supplier_id, []).append(line)
    minimums = dict(
        session.execute(
            select(Supplier.id, Supplier.min_order_value).where(
                Supplier.id.in_([key for key in grouped if key is not None])
            )
        )
        .tuples()
        .all()
    )
    totals: list[SupplierTotal] = []
    for supplier_id, group in grouped.items():
        proposed = [line for line in group if line.proposed]
        value = sum((line.value for line in proposed), ZERO)
        days = order_days.get(supplier_id, ()) if supplier_id is not None else ()
        first = group[0]
        minimum = minimums.get(supplier_id, ZERO) if supplier_id is not None else ZERO
        notes: list[str] = []
        if supplier_id is None:
            notes.append(_("These items have no supplier: add one before they can be ordered."))
        if days:
            notes.append(
                _("Takes orders on {days}; next order day {date}.").format(
                    days=weekday_names(days), date=next_order_day(today, days).isoformat()
                )
            )
        if supplier_id is not None and ZERO < value < minimum:
            notes.append(
                _(
                    "Below the minimum order value of {minimum} {currency}: {short} {currency} "
                    "more is needed, or the supplier may refuse the order or charge a fee."
                ).format(
                    minimum=_money(minimum),
                    short=_money(minimum - value),
                    currency=first.currency,
                )
            )
        totals.append(
            SupplierTotal(
                supplier_id=supplier_id,
                code=first.supplier_code,
                name=first.supplier_name,
                currency=first.currency,
                lines=len(proposed),
                value=value,
                min_order_value=minimum,
                order_days=days,
                order_date=next_order_day(today, days),
                note=" ".join(notes),
            )
        )
    # Suppliers by code; the items nobody sells come last.
    totals.sort(key=lambda total: (total.supplier_id is None, total.code))
    return totals


# --- the buyer's actions -----------------------------------------------------------------------


def _terms_of(
    session: Session, item_id: int, supplier_id: int
) -> tuple[Item, Supplier, SupplierItem]:
    item = session.get(Item, item_id)
    if item is None:
        raise NotFoundError(_("Item {id} does not exist.").format(id=item_id))
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFoundError(_("Supplier {id} does not exist.").format(id=supplier_id))
    terms = session.scalar(
        select(SupplierItem).where(
            SupplierItem.item_id == item_id, SupplierItem.supplier_id == supplier_id
        )
    )
    if terms is None:
        raise ValidationError(
            _("{supplier} does not sell {sku}: add the supplier's terms to the item.").format(
                supplier=supplier.code, sku=item.sku
            ),
            field="supplier",
        )
    return item, supplier, terms


def check_quantity(
    session: Session, item_id: int, supplier_id: int, value: Decimal | str | int
) -> Decimal:
    """The quantity the buyer typed for a proposal line, if the supplier can deliver it:
    more than zero, whole packs, at least the minimum order quantity."""
    item, supplier, terms = _terms_of(session, item_id, supplier_id)
    quantity = parse_quantity(value)
    pack = terms.pack_size
    if quantity % pack != 0:
        lower = (quantity / pack).to_integral_value(ROUND_FLOOR) * pack
        upper = (quantity / pack).to_integral_value(ROUND_CEILING) * pack
        if lower > 0:
            message = _(
                "{sku} comes in packs of {pack} {unit}: order {lower} or {upper}, not {qty}."
            ).format(
                sku=item.sku,
                pack=_q(pack),
                unit=item.unit,
                lower=_q(lower),
                upper=_q(upper),
                qty=_q(quantity),
            )
        else:
            message = _(
                "{sku} comes in packs of {pack} {unit}: order at least {upper}, not {qty}."
            ).format(sku=item.sku, pack=_q(pack), unit=item.unit, upper=_q(upper), qty=_q(quantity))
        raise ValidationError(message, field="quantity")
    if quantity < terms.moq:
        raise ValidationError(
            _("{supplier} sells {sku} in at least {moq} {unit}: order {least} or more.").format(
                supplier=supplier.code,
                sku=item.sku,
                moq=_q(terms.moq),
                unit=item.unit,
                least=_q(whole_packs(terms.moq, pack, terms.moq)),
            ),
            field="quantity",
        )
    return quantity


def dismiss_proposal(
    session: Session,
    user_id: UserId,
    line: ProposalLine,
    note: str = "",
) -> None:
    """Hide ``line`` from the proposals until its situation changes (its fingerprint)."""
    note = note.strip()
    if len(note) > 200:
        raise ValidationError(_("A note can be at most 200 characters."), field="note")
    if session.get(Item, line.item_id) is None:
        raise NotFoundError(_("Item {id} does not exist.").format(id=line.item_id))
    session.execute(delete(ProposalDismissal).where(ProposalDismissal.item_id == line.item_id))
    session.add(
        ProposalDismissal(
            item_id=line.item_id,
            supplier_id=line.supplier_id,
            fingerprint=line.fingerprint,
            quantity=line.quantity,
            note=note,
            dismissed_by=user_id,
            dismissed_at=utcnow(),
        )
    )
    session.flush()
    record_audit(
        session,
        user_id,
        "dismiss",
        "proposal",
        line.item_id,
        {"sku": line.sku, "quantity": str(line.quantity), "note": note},
    )


def restore_proposal(session: Session, user_id: UserId, item_id: int) -> None:
    """Show a dismissed line again from the next run on."""
    dismissal = session.scalar(
        select(ProposalDismissal).where(ProposalDismissal.item_id == item_id)
    )
    if dismissal is None:
        return
    session.delete(dismissal)
    session.flush()
    record_audit(session, user_id, "restore", "proposal", item_id, {})


@dataclass(frozen=True)
class AcceptLine:
    """A proposal line the buyer accepts, with the quantity they settled on.

    ``seen_on_order`` is what was on order when the proposal was made: if more has been
    ordered since (another workstation accepted it too), the line is refused.
    """

    item_id: int
    supplier_id: int
    quantity: Decimal | str | int
    need_ids: tuple[int, ...] = ()
    seen_on_order: Decimal | None = None
    due_date: dt.date | None = None

    @classmethod
    def of(cls, line: ProposalLine, quantity: Decimal | None = None) -> AcceptLine:
        """Accept ``line`` as proposed, or with the buyer's ``quantity``."""
        if line.supplier_id is None:
            raise ValidationError(
                _("{sku} has no supplier: add one to the item before ordering it.").format(
                    sku=line.sku
                )
            )
        return cls(
            item_id=line.item_id,
            supplier_id=line.supplier_id,
            quantity=line.quantity if quantity is None else quantity,
            need_ids=tuple(need.need_id for need in line.needs),
            seen_on_order=line.on_order,
            due_date=line.due_date,
        )


@dataclass(frozen=True)
class AcceptResult:
    """The draft purchase orders made from accepted proposals."""

    orders: tuple[PurchaseOrderDetail, ...]
    message: str


def accept_proposals(
    session: Session, user_id: UserId, lines: Sequence[AcceptLine]
) -> AcceptResult:
    """Turn accepted lines into one draft purchase order per supplier, and mark the
    zero-point needs they buy as ordered. All or nothing."""
    if not lines:
        raise ValidationError(_("Choose the proposal lines to order first."))
    seen_items: set[int] = set()
    by_supplier: dict[int, list[tuple[AcceptLine, Decimal]]] = {}
    current = on_order_by_item(session, {line.item_id for line in lines})
    for line in lines:
        if line.item_id in seen_items:
            item = session.get(Item, line.item_id)
            raise ValidationError(
                _("{sku} is accepted twice; keep one line for it.").format(
                    sku=item.sku if item is not None else line.item_id
                )
            )
        seen_items.add(line.item_id)
        quantity = check_quantity(session, line.item_id, line.supplier_id, line.quantity)
        now = current.get(line.item_id, ZERO)
        if line.seen_on_order is not None and now > line.seen_on_order:
            item = session.get(Item, line.item_id)
            raise ValidationError(
                _(
                    "{sku} has been ordered since the proposals were made ({now} {unit} on order "
                    "now, {seen} then). Run the proposals again."
                ).format(
                    sku=item.sku if item is not None else line.item_id,
                    now=_q(now),
                    seen=_q(line.seen_on_order),
                    unit=item.unit if item is not None else "",
                )
            )
        by_supplier.setdefault(line.supplier_id, []).append((line, quantity))
    today = dt.date.today()
    orders: list[PurchaseOrderDetail] = []
    links: list[tuple[int, int]] = []
    for supplier_id, accepted in sorted(by_supplier.items()):
        po = create_purchase_order(
            session,
            user_id,
            supplier_id,
            note=_("From the purchase proposals of {date}.").format(date=today.isoformat()),
            lines=[
                PurchaseOrderLineInput(
                    item_id=line.item_id,
                    quantity=quantity,
                    expected_date=line.due_date
                    if line.due_date is not None and line.due_date >= today
                    else None,
                )
                for line, quantity in accepted
            ],
        )
        line_ids = {po_line.item_id: po_line.id for po_line in po.lines}
        for line, _quantity in accepted:
            links.extend((need_id, line_ids[line.item_id]) for need_id in line.need_ids)
        orders.append(po)
    commitments.mark_needs_ordered(session, links)
    # An accepted item's dismissal has served its purpose.
    session.execute(delete(ProposalDismissal).where(ProposalDismissal.item_id.in_(seen_items)))
    count = sum(len(po.lines) for po in orders)
    message = ngettext("{n} line ordered: {orders}.", "{n} lines ordered: {orders}.", count).format(
        n=count, orders=", ".join(po.number for po in orders)
    )
    return AcceptResult(tuple(orders), message)


# --- the interchange file ------------------------------------------------------------------------

PROPOSALS_FORMAT = TableFormat(
    "proposals",
    ("supplier", "sku", "qty", "order_date", "due_date", "policy", "reason"),
    frozenset({"supplier", "sku", "qty"}),
    frozenset({"supplier", "sku", "policy", "reason"}),
)


def proposal_rows(run: ProposalRun) -> list[list[str]]:
    """The proposed lines as rows of the proposals interchange format (DESIGN.md)."""
    return [
        [
            line.supplier_code,
            line.sku,
            csv_decimal(line.quantity),
            format_date(line.order_date),
            format_date(line.due_date),
            line.policy.value,
            " ".join((line.explanation, *line.warnings)),
        ]
        for line in run.lines
        if line.proposed
    ]


def export_proposals(
    session: Session, user_id: UserId, path: Path, today: dt.date | None = None
) -> ProposalRun:
    """Run the proposals and write them to the CSV file ``path``; returns the run."""
    run = run_proposals(session, user_id, today)
    write_table(Path(path), PROPOSALS_FORMAT, proposal_rows(run))
    return run
