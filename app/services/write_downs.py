"""Write-downs: scrap stock or lower its value, with a reason, approval and an audit trail.

A write-down covers an item, or one lot of it, optionally in one bin:

* **Scrap** moves the quantity to the scrap location through ``ledger.post_move`` (kind
  SCRAP, referenced by the write-down's number ``WD-1001``…): the quantity and the cost
  the ledger takes out with it leave the stock. Value before = that cost, after = 0.
* **Value** keeps the quantity and lowers its value, to a new unit value or by a
  percentage. Moves are immutable, so the revaluation is its own append-only row
  (``cost_revaluation``) and, in the same transaction, the ledger's cost state is
  lowered by the same rule: the item's weighted average and the unit cost of its open
  FIFO layers. Issues after it are therefore costed at the lowered cost, and
  ``valuation.valuation_as_of`` replays the row, so the value at any later date
  includes it.

  The ledger keeps one cost per item (the average) or per receipt (FIFO layers), not
  per lot or bin. A write-down of the item's whole stock applies its rule to every
  unit: a new unit value is a ceiling ("no unit above 8.00": cheaper layers stay as
  they are), a percentage lowers every unit cost by it. A write-down of part of the
  stock (one lot, one bin, or a quantity) takes off exactly what that part loses,
  quantity x (current unit cost - new unit value), spread over the item's stock as one
  factor, since its units cannot be told apart in the costs.

**Approval.** The value a write-down takes off is estimated when it is asked for. Above
the limit of setting ``write_down_approval_limit`` (default 1000 in the company
currency) a staff member's write-down waits as *requested* until a manager or admin
approves it (then it is posted, at the stock's cost at that moment) or rejects it (with
a reason). A manager's or admin's own write-down, and any at or below the limit, is
posted at once. The services check the role themselves (``NotAllowedError``). Every
request, posting, approval and rejection is in the audit trail.

**Suggestions** (``write_down_suggestions``): lots past their expiry (scrap them), lots
expiring within setting ``write_down_expiry_days`` days (default 30), dead stock (items
in stock with no issue in setting ``dead_stock_days`` days, default 180, counted from
the last issue or, never issued, from the first receipt) and items whose net realisable
value (sales price less the selling-cost percentage) is below their unit cost.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NewType

from babel.dates import format_date
from babel.numbers import format_decimal
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session, aliased

from app.i18n import N_, _, locale_name
from app.models import (
    CostLayer,
    CostRevaluation,
    Item,
    Location,
    LocationKind,
    Lot,
    MoveKind,
    RevaluationRule,
    StockLevel,
    StockMove,
    User,
    WriteDown,
    WriteDownKind,
    WriteDownReason,
    WriteDownStatus,
    utcnow,
)
from app.models.base import MONEY_QUANTUM
from app.models.write_downs import FACTOR_SCALE
from app.services import ledger
from app.services.actors import Actor, load_actor
from app.services.errors import NotAllowedError, NotFoundError, StockError, ValidationError
from app.services.locations import virtual_location_id
from app.services.numbering import next_number
from app.services.parsing import parse_decimal
from app.services.settings import CostingMethod, costing_method, get_setting
from app.services.users import UserId, record_audit
from app.services.valuation import (
    apply_revaluation,
    day_start,
    net_realisable_unit_value,
    scanned_item_id,
    selling_cost_percent,
)

WriteDownId = NewType("WriteDownId", int)

NUMBER_PREFIX = "WD-"
# PostgreSQL advisory lock key for write-down numbering (see purchase_orders.PO_NUMBER_LOCK).
WRITE_DOWN_NUMBER_LOCK = 4_201_008
APPROVAL_LIMIT_SETTING = "write_down_approval_limit"
DEFAULT_APPROVAL_LIMIT = "1000"
EXPIRY_DAYS_SETTING = "write_down_expiry_days"
DEFAULT_EXPIRY_DAYS = "30"
DEAD_DAYS_SETTING = "dead_stock_days"
DEFAULT_DEAD_DAYS = "180"
NOTE_LENGTH = 500
ZERO = Decimal(0)
HUNDRED = Decimal(100)
FACTOR_QUANTUM = Decimal(1).scaleb(-FACTOR_SCALE)

REASON_LABELS: dict[WriteDownReason, str] = {
    WriteDownReason.OBSOLETE: N_("Obsolete"),
    WriteDownReason.DAMAGED: N_("Damaged"),
    WriteDownReason.EXPIRED: N_("Expired"),
    WriteDownReason.PRICE_FALL: N_("Price fall"),
    WriteDownReason.OTHER: N_("Other"),
}
STATUS_LABELS: dict[WriteDownStatus, str] = {
    WriteDownStatus.REQUESTED: N_("Waiting for approval"),
    WriteDownStatus.APPROVED: N_("Posted"),
    WriteDownStatus.REJECTED: N_("Rejected"),
}
KIND_LABELS: dict[WriteDownKind, str] = {
    WriteDownKind.SCRAP: N_("Scrap"),
    WriteDownKind.VALUE: N_("Lower the value"),
}


def reason_label(reason: WriteDownReason) -> str:
    """The reason as people read it."""
    return _(REASON_LABELS[reason])


def status_label(status: WriteDownStatus) -> str:
    """The status as people read it."""
    return _(STATUS_LABELS[status])


def kind_label(kind: WriteDownKind) -> str:
    """What the write-down does, as people read it."""
    return _(KIND_LABELS[kind])


# --- settings and users --------------------------------------------------------------------


def _whole_number_setting(session: Session, key: str, default: str, what: str) -> int:
    raw = get_setting(session, key).strip() or default
    if not raw.isdigit() or int(raw) > 36_500:
        raise ValidationError(
            _(
                "The setting {what} (“{value}”) is not a whole number of days. "
                "Set it to a number such as {default} in Settings."
            ).format(what=what, value=raw, default=default),
            field=key,
        )
    return int(raw)


def approval_limit(session: Session) -> Decimal:
    """The value above which a staff member's write-down needs a manager's approval."""
    raw = get_setting(session, APPROVAL_LIMIT_SETTING).strip() or DEFAULT_APPROVAL_LIMIT
    problem = _(
        "The write-down approval limit setting (“{value}”) is not an amount. "
        "Set it to an amount such as 1000 in Settings."
    ).format(value=raw)
    try:
        limit = parse_decimal(raw, APPROVAL_LIMIT_SETTING)
    except ValidationError:
        raise ValidationError(problem, field=APPROVAL_LIMIT_SETTING) from None
    if limit < 0:
        raise ValidationError(problem, field=APPROVAL_LIMIT_SETTING)
    return limit


def expiry_warning_days(session: Session) -> int:
    """How many days ahead an expiring lot is suggested for a write-down."""
    return _whole_number_setting(
        session, EXPIRY_DAYS_SETTING, DEFAULT_EXPIRY_DAYS, _("days before expiry")
    )


def dead_stock_days(session: Session) -> int:
    """After how many days without an issue stock counts as dead."""
    return _whole_number_setting(
        session, DEAD_DAYS_SETTING, DEFAULT_DEAD_DAYS, _("days without issue for dead stock")
    )


def _user(session: Session, user_id: int) -> Actor:
    """The user as the database knows them now (the role is never taken from the caller);
    an inactive one cannot write stock down."""
    return load_actor(
        session, user_id, inactive=_("User {name} is inactive and cannot write stock down.")
    )


# --- what a write-down would do ------------------------------------------------------------


@dataclass(frozen=True)
class WriteDownInput:
    """What someone asks to write down.

    ``quantity``: for scrap, how much (required); for a value write-down, how much of the
    stock it covers (empty: all of the item, lot or bin). ``new_unit_value`` or
    ``percent`` (a reduction: 25 means "25 % less") says what a value write-down does.
    """

    item_id: int
    kind: WriteDownKind
    reason: WriteDownReason
    note: str = ""
    lot_id: int | None = None
    location_id: int | None = None
    quantity: Decimal | str | None = None
    new_unit_value: Decimal | str | None = None
    percent: Decimal | str | None = None


@dataclass(frozen=True)
class _Request:
    """A validated request: the input in exact figures."""

    item_id: int
    kind: WriteDownKind
    reason: WriteDownReason
    note: str
    lot_id: int | None
    location_id: int | None
    quantity: Decimal | None
    new_unit_value: Decimal | None
    percent: Decimal | None


@dataclass(frozen=True)
class _Plan:
    """What posting a request would do to the stock as it is now."""

    request: _Request
    sku: str
    unit: str
    method: CostingMethod
    on_hand: Decimal  # the item's whole stock
    available: Decimal  # in the lot / bin the request covers
    quantity: Decimal  # what the write-down covers
    unit_cost: Decimal  # the item's current unit cost (stock value / on hand)
    value_before: Decimal  # of the covered quantity
    value_after: Decimal
    rule: RevaluationRule | None
    floor_value: Decimal | None
    factor: Decimal | None
    item_value_before: Decimal
    item_value_after: Decimal
    avg_before: Decimal
    avg_after: Decimal
    sources: tuple[tuple[int, int | None, Decimal], ...]  # scrap: (bin, lot, quantity)

    @property
    def amount(self) -> Decimal:
        """The value the write-down takes off."""
        return self.value_before - self.value_after


def _qty(value: Decimal) -> str:
    """A quantity in messages: every significant decimal, in the language's format."""
    return format_decimal(value, locale=locale_name(), decimal_quantization=False)


def _amount(value: Decimal) -> str:
    """An amount of money in messages: two decimals, in the language's format."""
    return format_decimal(
        value.quantize(Decimal("0.01"), ROUND_HALF_UP), format="#,##0.00", locale=locale_name()
    )


def _price(value: Decimal) -> str:
    """A unit price in messages: two decimals, up to four when it has them."""
    return format_decimal(value, format="#,##0.00##", locale=locale_name())


def _day(value: dt.date) -> str:
    """A date in messages, in the language's short form."""
    return format_date(value, format="short", locale=locale_name())


def _money(value: Decimal) -> Decimal:
    return value.quantize(MONEY_QUANTUM, ROUND_HALF_UP)


def _parse_request(data: WriteDownInput) -> _Request:
    try:
        kind = WriteDownKind(data.kind)
    except ValueError:
        raise ValidationError(
            _("Choose whether to scrap the stock or lower its value."), field="kind"
        ) from None
    try:
        reason = WriteDownReason(data.reason)
    except ValueError:
        raise ValidationError(_("Choose a reason for the write-down."), field="reason") from None
    note = (data.note or "").strip()
    if reason is WriteDownReason.OTHER and not note:
        raise ValidationError(_("Say why: the reason “Other” needs a text."), field="note")
    if len(note) > NOTE_LENGTH:
        raise ValidationError(
            _("The note can be at most {n} characters.").format(n=NOTE_LENGTH), field="note"
        )
    quantity: Decimal | None = None
    if data.quantity is not None and str(data.quantity).strip():
        quantity = ledger.parse_quantity(data.quantity)
    new_value: Decimal | None = None
    percent: Decimal | None = None
    given_value = data.new_unit_value is not None and str(data.new_unit_value).strip()
    given_percent = data.percent is not None and str(data.percent).strip()
    if kind is WriteDownKind.SCRAP:
        if quantity is None:
            raise ValidationError(_("Give the quantity to scrap."), field="quantity")
        if given_value or given_percent:
            raise ValidationError(
                _("Scrapping takes the whole value of the quantity; give no new value."),
                field="new_unit_value",
            )
    else:
        if given_value and given_percent:
            raise ValidationError(
                _("Give either the new unit value or the percentage to write down, not both."),
                field="new_unit_value",
            )
        if not given_value and not given_percent:
            raise ValidationError(
                _("Give the new unit value or the percentage to write down."),
                field="new_unit_value",
            )
        if given_value:
            assert data.new_unit_value is not None
            new_value = ledger.parse_money(data.new_unit_value, field="new_unit_value")
        else:
            assert data.percent is not None
            percent = parse_decimal(data.percent, "percent")
            if percent <= 0 or percent > 100:
                raise ValidationError(
                    _("The percentage must be more than 0 and at most 100."), field="percent"
                )
            if percent != percent.quantize(Decimal("0.0001")):
                raise ValidationError(
                    _("A percentage can have at most 4 decimals."), field="percent"
                )
    return _Request(
        item_id=data.item_id,
        kind=kind,
        reason=reason,
        note=note,
        lot_id=data.lot_id,
        location_id=data.location_id,
        quantity=quantity,
        new_unit_value=new_value,
        percent=percent,
    )


def _request_of(row: WriteDown) -> _Request:
    return _Request(
        item_id=row.item_id,
        kind=row.kind,
        reason=row.reason,
        note=row.note,
        lot_id=row.lot_id,
        location_id=row.location_id,
        quantity=row.quantity,
        new_unit_value=row.new_unit_value,
        percent=row.percent,
    )


def _plan(session: Session, request: _Request, *, lock: bool) -> _Plan:
    """Check the request against the stock as it is now and work out its figures.

    ``lock`` takes the item's row lock (as ``ledger.post_move`` does), so nothing posts
    for the item between this and the posting of the same transaction.
    """
    query = select(Item.sku, Item.unit, Item.lot_tracked, Item.avg_cost).where(
        Item.id == request.item_id
    )
    item = session.execute(query.with_for_update() if lock else query).first()
    if item is None:
        raise NotFoundError(_("Item {id} does not exist.").format(id=request.item_id))
    sku, unit, lot_tracked, avg = item
    where = sku
    if request.lot_id is not None:
        lot = session.execute(select(Lot.item_id, Lot.code).where(Lot.id == request.lot_id)).first()
        if lot is None or lot.item_id != request.item_id:
            raise ValidationError(
                _("That lot does not belong to item {sku}.").format(sku=sku), field="lot"
            )
        where += " / " + lot.code
    elif lot_tracked and request.kind is WriteDownKind.SCRAP:
        raise ValidationError(
            _("{sku} is lot-tracked: choose the lot to scrap.").format(sku=sku), field="lot"
        )
    if request.location_id is not None:
        location = session.execute(
            select(Location.kind, Location.code).where(Location.id == request.location_id)
        ).first()
        if location is None or location.kind is not LocationKind.INTERNAL:
            raise ValidationError(_("Choose a bin of the warehouse."), field="location")
        where += " (" + location.code + ")"

    levels = select(StockLevel.location_id, StockLevel.lot_id, StockLevel.quantity).where(
        StockLevel.item_id == request.item_id, StockLevel.quantity > 0
    )
    all_levels = session.execute(levels).tuples().all()
    on_hand = sum((quantity for _loc, _lot, quantity in all_levels), ZERO)
    codes = dict(session.execute(select(Location.id, Location.code)).tuples().all())
    covered = sorted(
        (
            (location_id, lot_id, quantity)
            for location_id, lot_id, quantity in all_levels
            if (request.lot_id is None or lot_id == request.lot_id)
            and (request.location_id is None or location_id == request.location_id)
        ),
        key=lambda level: (codes.get(level[0], ""), level[1] or 0),
    )
    available = sum((quantity for _loc, _lot, quantity in covered), ZERO)
    if available <= 0:
        raise StockError(_("There is no stock of {where} to write down.").format(where=where))
    quantity = request.quantity if request.quantity is not None else available
    if quantity > available:
        raise StockError(
            _("Only {available} {unit} of {where} in stock; cannot write down {qty}.").format(
                available=_qty(available), unit=unit, where=where, qty=_qty(quantity)
            )
        )

    method = costing_method(session)
    layers = (
        session.execute(
            select(CostLayer.id, CostLayer.remaining, CostLayer.unit_cost)
            .where(CostLayer.item_id == request.item_id, CostLayer.remaining > 0)
            .order_by(CostLayer.id)
        )
        .tuples()
        .all()
    )
    fifo_value = sum((remaining * cost for _id, remaining, cost in layers), ZERO)
    layer_qty = sum((remaining for _id, remaining, _cost in layers), ZERO)
    fifo = method is CostingMethod.FIFO and layer_qty == on_hand
    item_value = fifo_value if fifo else on_hand * avg
    unit_cost = _money(item_value / on_hand)

    if request.kind is WriteDownKind.SCRAP:
        if fifo:
            # The ledger takes the oldest layers first: the value that will leave.
            need, value = quantity, ZERO
            for _id, remaining, cost in layers:
                take = min(need, remaining)
                value += take * cost
                need -= take
                if need == 0:
                    break
        else:
            value = quantity * avg
        sources: list[tuple[int, int | None, Decimal]] = []
        need = quantity
        for location_id, lot_id, level_qty in covered:
            take = min(need, level_qty)
            sources.append((location_id, lot_id, take))
            need -= take
            if need == 0:
                break
        return _Plan(
            request=request,
            sku=sku,
            unit=unit,
            method=method,
            on_hand=on_hand,
            available=available,
            quantity=quantity,
            unit_cost=unit_cost,
            value_before=_money(value),
            value_after=ZERO,
            rule=None,
            floor_value=None,
            factor=None,
            item_value_before=item_value,
            item_value_after=item_value - value,
            avg_before=avg,
            avg_after=avg,
            sources=tuple(sources),
        )

    if request.new_unit_value is not None:
        target = request.new_unit_value
        if target >= unit_cost:
            raise ValidationError(
                _(
                    "The new unit value {value} is not below the current unit cost {cost} of "
                    "{sku}; a write-down must lower the value."
                ).format(value=_price(target), cost=_price(unit_cost), sku=sku),
                field="new_unit_value",
            )
    else:
        assert request.percent is not None
        target = unit_cost * (HUNDRED - request.percent) / HUNDRED
    if quantity == on_hand:
        if request.new_unit_value is not None:
            rule, floor_value, factor = RevaluationRule.FLOOR, request.new_unit_value, None
        else:
            assert request.percent is not None
            rule, floor_value = RevaluationRule.FACTOR, None
            factor = ((HUNDRED - request.percent) / HUNDRED).quantize(FACTOR_QUANTUM)
    else:
        # Part of the stock: take off what that part loses, spread over the item.
        loss = quantity * (unit_cost - target)
        rule, floor_value = RevaluationRule.FACTOR, None
        factor = (1 - loss / item_value).quantize(FACTOR_QUANTUM, ROUND_HALF_UP)
        factor = max(factor, ZERO)
    avg_after = apply_revaluation(avg, rule, floor_value, factor)
    if fifo:
        item_after = sum(
            (
                remaining * apply_revaluation(cost, rule, floor_value, factor)
                for _id, remaining, cost in layers
            ),
            ZERO,
        )
    else:
        item_after = on_hand * avg_after
    amount = item_value - item_after
    if amount <= 0:
        raise ValidationError(
            _("This write-down would not lower the value of {where}.").format(where=where),
            field="new_unit_value",
        )
    value_before = _money(quantity * unit_cost)
    return _Plan(
        request=request,
        sku=sku,
        unit=unit,
        method=method,
        on_hand=on_hand,
        available=available,
        quantity=quantity,
        unit_cost=unit_cost,
        value_before=value_before,
        value_after=value_before - _money(amount),
        rule=rule,
        floor_value=floor_value,
        factor=factor,
        item_value_before=item_value,
        item_value_after=item_after,
        avg_before=avg,
        avg_after=avg_after,
        sources=(),
    )


@dataclass(frozen=True)
class WriteDownPreview:
    """What a write-down would do now, for the dialog to show before it is asked for."""

    sku: str
    unit: str
    kind: WriteDownKind
    method: CostingMethod
    available: Decimal
    quantity: Decimal
    unit_cost: Decimal
    value_before: Decimal
    value_after: Decimal
    written_down: Decimal
    limit: Decimal
    needs_approval: bool
    will_post: bool


def preview_write_down(session: Session, user_id: UserId, data: WriteDownInput) -> WriteDownPreview:
    """The figures of a write-down as it would be posted now, and whether it must wait for
    a manager. Raises the same errors as ``request_write_down``; changes nothing."""
    user = _user(session, user_id)
    plan = _plan(session, _parse_request(data), lock=False)
    limit = approval_limit(session)
    needs = plan.amount > limit
    return WriteDownPreview(
        sku=plan.sku,
        unit=plan.unit,
        kind=plan.request.kind,
        method=plan.method,
        available=plan.available,
        quantity=plan.quantity,
        unit_cost=plan.unit_cost,
        value_before=plan.value_before,
        value_after=plan.value_after,
        written_down=plan.amount,
        limit=limit,
        needs_approval=needs,
        will_post=not needs or user.manager,
    )


# --- what the dialog offers ----------------------------------------------------------------


@dataclass(frozen=True)
class StockPlace:
    """Stock of the item in one bin and lot."""

    location_id: int
    location_code: str
    lot_id: int | None
    lot_code: str
    expiry: dt.date | None
    quantity: Decimal


@dataclass(frozen=True)
class WriteDownTarget:
    """An item as the write-down dialog shows it: where its stock is, and its unit cost."""

    item_id: int
    sku: str
    name: str
    unit: str
    lot_tracked: bool
    on_hand: Decimal
    unit_cost: Decimal
    places: tuple[StockPlace, ...]


def write_down_target(
    session: Session, item_id: int | None = None, sku: str | None = None
) -> WriteDownTarget:
    """The item (by id, or by SKU as typed) with its stock per bin and lot."""
    query = select(Item.id, Item.sku, Item.name, Item.unit, Item.lot_tracked)
    if item_id is not None:
        row = session.execute(query.where(Item.id == item_id)).first()
        missing = _("Item {id} does not exist.").format(id=item_id)
    else:
        text = (sku or "").strip()
        if not text:
            raise ValidationError(_("Give the SKU of the item to write down."), field="sku")
        row = session.execute(query.where(func.upper(Item.sku) == text.upper())).first()
        missing = _("There is no item with SKU {sku}.").format(sku=text)
    if row is None:
        raise NotFoundError(missing)
    found_id, found_sku, name, unit, lot_tracked = row
    places = tuple(
        StockPlace(location_id, code, lot_id, lot_code or "", expiry, quantity)
        for location_id, code, lot_id, lot_code, expiry, quantity in session.execute(
            select(
                StockLevel.location_id,
                Location.code,
                StockLevel.lot_id,
                Lot.code,
                Lot.expiry,
                StockLevel.quantity,
            )
            .join(Location, Location.id == StockLevel.location_id)
            .outerjoin(Lot, Lot.id == StockLevel.lot_id)
            .where(StockLevel.item_id == found_id, StockLevel.quantity > 0)
            .order_by(Location.code, Lot.expiry, Lot.code)
        ).tuples()
    )
    return WriteDownTarget(
        item_id=found_id,
        sku=found_sku,
        name=name,
        unit=unit,
        lot_tracked=lot_tracked,
        on_hand=sum((place.quantity for place in places), ZERO),
        unit_cost=current_unit_costs(session, {found_id}).get(found_id, ZERO),
        places=places,
    )


# --- the views -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WriteDownView:
    """A write-down as lists and reports show it."""

    id: WriteDownId
    number: str
    item_id: int
    sku: str
    name: str
    unit: str
    lot_id: int | None
    lot_code: str
    expiry: dt.date | None
    location_code: str
    kind: WriteDownKind
    reason: WriteDownReason
    note: str
    quantity: Decimal | None
    new_unit_value: Decimal | None
    percent: Decimal | None
    estimated_value: Decimal
    needs_approval: bool
    status: WriteDownStatus
    requested_by: str
    requested_at: dt.datetime
    decided_by: str
    decided_at: dt.datetime | None
    decision_note: str
    posted_quantity: Decimal | None
    value_before: Decimal | None
    value_after: Decimal | None

    @property
    def written_down(self) -> Decimal:
        """The value taken off when posted, else the estimate."""
        if self.value_before is not None and self.value_after is not None:
            return self.value_before - self.value_after
        return self.estimated_value

    @property
    def status_text(self) -> str:
        """The status in words."""
        return status_label(self.status)

    @property
    def reason_text(self) -> str:
        """The reason in words, with the note for "other"."""
        label = reason_label(self.reason)
        return f"{label}: {self.note}" if self.reason is WriteDownReason.OTHER else label

    @property
    def kind_text(self) -> str:
        """What it does, in words."""
        return kind_label(self.kind)


def _views(session: Session, *conditions: Any, limit: int | None = None) -> list[WriteDownView]:
    requester = aliased(User)
    decider = aliased(User)
    query = (
        select(
            WriteDown,
            Item.sku,
            Item.name,
            Item.unit,
            Lot.code,
            Lot.expiry,
            Location.code,
            requester.display_name,
            requester.username,
            decider.display_name,
            decider.username,
        )
        .join(Item, Item.id == WriteDown.item_id)
        .outerjoin(Lot, Lot.id == WriteDown.lot_id)
        .outerjoin(Location, Location.id == WriteDown.location_id)
        .join(requester, requester.id == WriteDown.requested_by)
        .outerjoin(decider, decider.id == WriteDown.decided_by)
        .where(*conditions)
        .order_by(WriteDown.seq.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    views = []
    for row in session.execute(query).tuples():
        (
            wd,
            sku,
            name,
            unit,
            lot_code,
            expiry,
            location_code,
            r_display,
            r_user,
            d_display,
            d_user,
        ) = row
        views.append(
            WriteDownView(
                id=WriteDownId(wd.id),
                number=wd.number,
                item_id=wd.item_id,
                sku=sku,
                name=name,
                unit=unit,
                lot_id=wd.lot_id,
                lot_code=lot_code or "",
                expiry=expiry,
                location_code=location_code or "",
                kind=wd.kind,
                reason=wd.reason,
                note=wd.note,
                quantity=wd.quantity,
                new_unit_value=wd.new_unit_value,
                percent=wd.percent,
                estimated_value=wd.estimated_value,
                needs_approval=wd.needs_approval,
                status=wd.status,
                requested_by=r_display or r_user,
                requested_at=wd.requested_at,
                decided_by=(d_display or d_user or "") if wd.decided_by is not None else "",
                decided_at=wd.decided_at,
                decision_note=wd.decision_note,
                posted_quantity=wd.posted_quantity,
                value_before=wd.value_before,
                value_after=wd.value_after,
            )
        )
    return views


def get_write_down(session: Session, write_down_id: int) -> WriteDownView:
    """One write-down."""
    found = _views(session, WriteDown.id == write_down_id)
    if not found:
        raise NotFoundError(_("Write-down {id} does not exist.").format(id=write_down_id))
    return found[0]


def pending_write_downs(session: Session) -> list[WriteDownView]:
    """The write-downs waiting for a manager, oldest first."""
    return list(reversed(_views(session, WriteDown.status == WriteDownStatus.REQUESTED)))


def list_write_downs(
    session: Session,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    status: WriteDownStatus | None = None,
    item_id: int | None = None,
    limit: int | None = 1000,
) -> list[WriteDownView]:
    """Write-downs asked for from ``start`` to ``end`` (local days), newest first."""
    conditions: list[Any] = []
    if start is not None and end is not None and end < start:
        raise ValidationError(
            _("The period ends ({end}) before it starts ({start}). Swap the dates.").format(
                start=start.isoformat(), end=end.isoformat()
            ),
            field="end",
        )
    if start is not None:
        conditions.append(WriteDown.requested_at >= day_start(start))
    if end is not None:
        conditions.append(WriteDown.requested_at < day_start(end + dt.timedelta(days=1)))
    if status is not None:
        conditions.append(WriteDown.status == status)
    if item_id is not None:
        conditions.append(WriteDown.item_id == item_id)
    return _views(session, *conditions, limit=limit)


# --- asking, approving, rejecting ----------------------------------------------------------


@dataclass(frozen=True)
class WriteDownResult:
    """What became of a request, approval or rejection, with a message to show."""

    write_down: WriteDownView
    posted: bool
    message: str


def _post(session: Session, row: WriteDown, plan: _Plan, user: Actor) -> None:
    """Post a write-down's plan: scrap moves, or the revaluation and the ledger's costs."""
    request = plan.request
    if request.kind is WriteDownKind.SCRAP:
        scrap = virtual_location_id(session, LocationKind.SCRAP)
        value = ZERO
        for location_id, lot_id, quantity in plan.sources:
            move = ledger.post_move(
                session,
                item_id=request.item_id,
                quantity=quantity,
                from_location_id=location_id,
                to_location_id=scrap,
                kind=MoveKind.SCRAP,
                user_id=user.id,
                lot_id=lot_id,
                reference=row.number,
            )
            value += move.quantity * move.unit_cost
        row.value_before = _money(value)
        row.value_after = ZERO
    else:
        assert plan.rule is not None
        last_move = session.scalar(select(func.max(StockMove.id))) or 0
        session.add(
            CostRevaluation(
                write_down_id=row.id,
                item_id=request.item_id,
                lot_id=request.lot_id,
                rule=plan.rule,
                floor_value=plan.floor_value,
                factor=plan.factor,
                last_move_id=last_move,
                method=plan.method.value,
                quantity=plan.on_hand,
                value_before=_money(plan.item_value_before),
                value_after=_money(plan.item_value_after),
                avg_before=plan.avg_before,
                avg_after=plan.avg_after,
                user_id=user.id,
                at=utcnow(),
            )
        )
        session.execute(
            update(Item).where(Item.id == request.item_id).values(avg_cost=plan.avg_after)
        )
        layers = session.execute(
            select(CostLayer.id, CostLayer.unit_cost).where(
                CostLayer.item_id == request.item_id, CostLayer.remaining > 0
            )
        ).tuples()
        changes = [
            {"layer_id": layer_id, "cost": new}
            for layer_id, cost in layers
            if (new := apply_revaluation(cost, plan.rule, plan.floor_value, plan.factor)) != cost
        ]
        for change in changes:
            session.execute(
                update(CostLayer)
                .where(CostLayer.id == change["layer_id"])
                .values(unit_cost=change["cost"])
            )
        row.value_before = plan.value_before
        row.value_after = plan.value_after
    row.posted_quantity = plan.quantity
    row.status = WriteDownStatus.APPROVED
    row.decided_at = utcnow()
    session.flush()


def _audit_details(row: WriteDown, plan: _Plan) -> dict[str, Any]:
    return {
        "number": row.number,
        "sku": plan.sku,
        "kind": row.kind.value,
        "reason": row.reason.value,
        "quantity": plan.quantity,
        "value_before": row.value_before if row.value_before is not None else plan.value_before,
        "value_after": row.value_after if row.value_after is not None else plan.value_after,
    }


def request_write_down(session: Session, user_id: UserId, data: WriteDownInput) -> WriteDownResult:
    """Ask for a write-down; post it at once unless it needs a manager's approval.

    It waits (status *requested*) when the value it takes off is above the approval
    limit and the user is staff; a manager's or admin's own write-down is posted.
    Raises a domain error and changes nothing if the request is not possible.
    """
    user = _user(session, user_id)
    request = _parse_request(data)
    plan = _plan(session, request, lock=True)
    limit = approval_limit(session)
    needs = plan.amount > limit
    seq, number = next_number(session, WriteDown.seq, NUMBER_PREFIX, WRITE_DOWN_NUMBER_LOCK)
    row = WriteDown(
        seq=seq,
        number=number,
        item_id=request.item_id,
        lot_id=request.lot_id,
        location_id=request.location_id,
        kind=request.kind,
        reason=request.reason,
        note=request.note,
        quantity=request.quantity,
        new_unit_value=request.new_unit_value,
        percent=request.percent,
        estimated_value=_money(plan.amount),
        needs_approval=needs,
        status=WriteDownStatus.REQUESTED,
        requested_by=user.id,
        requested_at=utcnow(),
        decision_note="",
    )
    session.add(row)
    session.flush()
    record_audit(session, user.id, "request", "write_down", row.id, _audit_details(row, plan))
    if needs and not user.manager:
        message = _(
            "{number}: writing down {value} of {sku} is above the limit of {limit}; "
            "it waits for a manager's approval."
        ).format(number=number, value=_amount(plan.amount), sku=plan.sku, limit=_amount(limit))
        return WriteDownResult(get_write_down(session, row.id), False, message)
    if needs:
        row.decided_by = user.id
    _post(session, row, plan, user)
    record_audit(session, user.id, "post", "write_down", row.id, _audit_details(row, plan))
    return WriteDownResult(get_write_down(session, row.id), True, _posted_message(row, plan))


def _posted_message(row: WriteDown, plan: _Plan) -> str:
    assert row.value_before is not None and row.value_after is not None
    if row.kind is WriteDownKind.SCRAP:
        return _("{number}: scrapped {qty} {unit} of {sku}, value {value}.").format(
            number=row.number,
            qty=_qty(plan.quantity),
            unit=plan.unit,
            sku=plan.sku,
            value=_amount(row.value_before),
        )
    return _("{number}: {sku} written down from {before} to {after}.").format(
        number=row.number,
        sku=plan.sku,
        before=_amount(row.value_before),
        after=_amount(row.value_after),
    )


def _load_pending(session: Session, write_down_id: int) -> WriteDown:
    row = session.get(WriteDown, write_down_id, with_for_update=True)
    if row is None:
        raise NotFoundError(_("Write-down {id} does not exist.").format(id=write_down_id))
    if row.status is not WriteDownStatus.REQUESTED:
        raise ValidationError(
            _("{number} is already decided ({status}).").format(
                number=row.number, status=status_label(row.status).lower()
            )
        )
    return row


def _require_manager(user: Actor, action: str) -> None:
    if not user.manager:
        raise NotAllowedError(
            _("Only a manager or an administrator may {action} a write-down.").format(action=action)
        )


def approve_write_down(
    session: Session, user_id: UserId, write_down_id: int, note: str = ""
) -> WriteDownResult:
    """A manager or admin approves a waiting write-down, which posts it now (at the
    stock's cost now). Staff are refused (``NotAllowedError``)."""
    user = _user(session, user_id)
    _require_manager(user, _("approve"))
    row = _load_pending(session, write_down_id)
    note = note.strip()
    if len(note) > NOTE_LENGTH:
        raise ValidationError(
            _("The note can be at most {n} characters.").format(n=NOTE_LENGTH), field="note"
        )
    try:
        plan = _plan(session, _request_of(row), lock=True)
    except (StockError, ValidationError) as exc:
        raise type(exc)(
            _("{number} cannot be posted as asked: {problem} Reject it and ask anew.").format(
                number=row.number, problem=exc.message
            )
        ) from exc
    row.decided_by = user.id
    row.decision_note = note
    _post(session, row, plan, user)
    record_audit(session, user.id, "approve", "write_down", row.id, _audit_details(row, plan))
    return WriteDownResult(get_write_down(session, row.id), True, _posted_message(row, plan))


def reject_write_down(
    session: Session, user_id: UserId, write_down_id: int, note: str
) -> WriteDownResult:
    """A manager or admin rejects a waiting write-down, saying why; nothing is posted."""
    user = _user(session, user_id)
    _require_manager(user, _("reject"))
    row = _load_pending(session, write_down_id)
    note = note.strip()
    if not note:
        raise ValidationError(_("Say why the write-down is rejected."), field="note")
    if len(note) > NOTE_LENGTH:
        raise ValidationError(
            _("The note can be at most {n} characters.").format(n=NOTE_LENGTH), field="note"
        )
    row.status = WriteDownStatus.REJECTED
    row.decided_by = user.id
    row.decided_at = utcnow()
    row.decision_note = note
    session.flush()
    record_audit(
        session, user.id, "reject", "write_down", row.id, {"number": row.number, "note": note}
    )
    return WriteDownResult(
        get_write_down(session, row.id),
        False,
        _("{number} rejected.").format(number=row.number),
    )


# --- suggestions ---------------------------------------------------------------------------


class SuggestionKind(enum.StrEnum):
    """Why stock is suggested for a write-down."""

    EXPIRED = "expired"
    EXPIRING = "expiring"
    DEAD_STOCK = "dead-stock"
    BELOW_COST = "below-cost"


SUGGESTION_LABELS: dict[SuggestionKind, str] = {
    SuggestionKind.EXPIRED: N_("Expired"),
    SuggestionKind.EXPIRING: N_("Expiring soon"),
    SuggestionKind.DEAD_STOCK: N_("Dead stock"),
    SuggestionKind.BELOW_COST: N_("Sales price below cost"),
}


@dataclass(frozen=True)
class Suggestion:
    """Stock that may need writing down, with what the write-down dialog should start
    from (``suggested_*``) and why (``text``)."""

    kind: SuggestionKind
    item_id: int
    sku: str
    name: str
    unit: str
    lot_id: int | None
    lot_code: str
    expiry: dt.date | None
    quantity: Decimal
    unit_cost: Decimal
    value: Decimal
    last_issue: dt.date | None
    idle_days: int | None
    net_realisable_value: Decimal | None
    suggested_kind: WriteDownKind
    suggested_reason: WriteDownReason
    suggested_unit_value: Decimal | None
    pending: str  # the number of a write-down of this item already waiting, or ""
    text: str

    @property
    def kind_text(self) -> str:
        """The kind of suggestion in words."""
        return _(SUGGESTION_LABELS[self.kind])


def current_unit_costs(session: Session, item_ids: set[int]) -> dict[int, Decimal]:
    """The items' unit cost now by the costing method in force (FIFO: the open layers'
    value over their quantity; weighted average: the average)."""
    if not item_ids:
        return {}
    costs = {
        item_id: avg
        for item_id, avg in session.execute(select(Item.id, Item.avg_cost)).tuples()
        if item_id in item_ids
    }
    if costing_method(session) is CostingMethod.FIFO:
        value: dict[int, Decimal] = {}
        quantity: dict[int, Decimal] = {}
        for item_id, remaining, cost in session.execute(
            select(CostLayer.item_id, CostLayer.remaining, CostLayer.unit_cost).where(
                CostLayer.remaining > 0
            )
        ).tuples():
            if item_id in item_ids:
                value[item_id] = value.get(item_id, ZERO) + remaining * cost
                quantity[item_id] = quantity.get(item_id, ZERO) + remaining
        for item_id, total in value.items():
            costs[item_id] = _money(total / quantity[item_id])
    return costs


def _as_datetime(value: Any) -> dt.datetime | None:
    """A timestamp read through an aggregate (SQLite may give text; naive means UTC)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def write_down_suggestions(session: Session, today: dt.date | None = None) -> list[Suggestion]:
    """Expired and soon-expiring lots, dead stock and items whose net realisable value is
    below cost, most valuable first within each kind (expired first)."""
    today = today or dt.datetime.now().astimezone().date()
    warn_days = expiry_warning_days(session)
    dead_days = dead_stock_days(session)
    selling = selling_cost_percent(session)
    stock: dict[int, Decimal] = {}
    lots: dict[int, Decimal] = {}
    for item_id, lot_id, quantity in session.execute(
        select(StockLevel.item_id, StockLevel.lot_id, StockLevel.quantity).where(
            StockLevel.quantity > 0
        )
    ).tuples():
        stock[item_id] = stock.get(item_id, ZERO) + quantity
        if lot_id is not None:
            lots[lot_id] = lots.get(lot_id, ZERO) + quantity
    if not stock:
        return []
    items = {
        row[0]: row[1:]
        for row in session.execute(
            select(Item.id, Item.sku, Item.name, Item.unit, Item.sales_price)
        ).tuples()
        if row[0] in stock
    }
    costs = current_unit_costs(session, set(stock))
    pending = {
        item_id: number
        for item_id, number in session.execute(
            select(WriteDown.item_id, WriteDown.number)
            .where(WriteDown.status == WriteDownStatus.REQUESTED)
            .order_by(WriteDown.seq)
        ).tuples()
    }
    found: list[Suggestion] = []

    def add(
        kind: SuggestionKind,
        item_id: int,
        quantity: Decimal,
        text: str,
        *,
        write_kind: WriteDownKind,
        reason: WriteDownReason,
        lot: tuple[int, str, dt.date | None] | None = None,
        last_issue: dt.date | None = None,
        idle: int | None = None,
        nrv: Decimal | None = None,
        suggested_value: Decimal | None = None,
    ) -> None:
        sku, name, unit, _price = items[item_id]
        cost = costs.get(item_id, ZERO)
        found.append(
            Suggestion(
                kind=kind,
                item_id=item_id,
                sku=sku,
                name=name,
                unit=unit,
                lot_id=lot[0] if lot else None,
                lot_code=lot[1] if lot else "",
                expiry=lot[2] if lot else None,
                quantity=quantity,
                unit_cost=cost,
                value=_money(quantity * cost),
                last_issue=last_issue,
                idle_days=idle,
                net_realisable_value=nrv,
                suggested_kind=write_kind,
                suggested_reason=reason,
                suggested_unit_value=suggested_value,
                pending=pending.get(item_id, ""),
                text=text,
            )
        )

    horizon = today + dt.timedelta(days=warn_days)
    for lot_id, item_id, code, expiry in session.execute(
        select(Lot.id, Lot.item_id, Lot.code, Lot.expiry).where(
            Lot.expiry.is_not(None), Lot.expiry <= horizon
        )
    ).tuples():
        quantity = lots.get(lot_id, ZERO)
        if quantity <= 0 or expiry is None:
            continue
        if expiry < today:
            add(
                SuggestionKind.EXPIRED,
                item_id,
                quantity,
                _("Lot {lot} expired on {date}.").format(lot=code, date=_day(expiry)),
                write_kind=WriteDownKind.SCRAP,
                reason=WriteDownReason.EXPIRED,
                lot=(lot_id, code, expiry),
            )
        else:
            add(
                SuggestionKind.EXPIRING,
                item_id,
                quantity,
                _("Lot {lot} expires on {date}, in {days} days.").format(
                    lot=code, date=_day(expiry), days=(expiry - today).days
                ),
                write_kind=WriteDownKind.VALUE,
                reason=WriteDownReason.EXPIRED,
                lot=(lot_id, code, expiry),
            )

    source = aliased(Location)
    out_of_bins = (StockMove.kind == MoveKind.ISSUE) & (source.kind == LocationKind.INTERNAL)
    into_bins = source.kind != LocationKind.INTERNAL
    scanned_item = scanned_item_id()
    activity = session.execute(
        select(
            scanned_item,
            func.max(case((out_of_bins, StockMove.moved_at), else_=None)),
            func.min(case((into_bins, StockMove.moved_at), else_=None)),
        )
        .join(source, source.id == StockMove.from_location_id)
        .group_by(scanned_item)
    ).tuples()
    threshold = today - dt.timedelta(days=dead_days)
    for item_id, last_issue_at, first_in_at in activity:
        if item_id not in stock:
            continue
        last_issue = _local_date(_as_datetime(last_issue_at))
        since = last_issue or _local_date(_as_datetime(first_in_at))
        if since is None or since > threshold:
            continue
        idle = (today - since).days
        text = (
            _("No issue for {days} days (last on {date}).").format(days=idle, date=_day(last_issue))
            if last_issue
            else _("Never issued; in stock for {days} days.").format(days=idle)
        )
        add(
            SuggestionKind.DEAD_STOCK,
            item_id,
            stock[item_id],
            text,
            write_kind=WriteDownKind.VALUE,
            reason=WriteDownReason.OBSOLETE,
            last_issue=last_issue,
            idle=idle,
        )

    for item_id, (_sku, _name, _unit, price) in items.items():
        nrv = net_realisable_unit_value(price, selling)
        cost = costs.get(item_id, ZERO)
        if nrv is None or nrv >= cost:
            continue
        add(
            SuggestionKind.BELOW_COST,
            item_id,
            stock[item_id],
            _(
                "Sales price {price} less selling costs ({percent} %) is {nrv}, "
                "below the cost {cost}."
            ).format(
                price=_price(price or ZERO),
                percent=_qty(selling),
                nrv=_price(nrv),
                cost=_price(cost),
            ),
            write_kind=WriteDownKind.VALUE,
            reason=WriteDownReason.PRICE_FALL,
            nrv=nrv,
            suggested_value=nrv,
        )
    order = list(SuggestionKind)
    # Expiring lots soonest first; the rest by the value they tie up.
    found.sort(
        key=lambda s: (order.index(s.kind), s.expiry or dt.date.max, -s.value, s.sku, s.lot_code)
    )
    return found


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return moment.astimezone().date() if moment is not None else None


@dataclass(frozen=True)
class WriteDownOverview:
    """Everything the Write-downs page shows, read in one transaction."""

    suggestions: tuple[Suggestion, ...]
    pending: tuple[WriteDownView, ...]
    history: tuple[WriteDownView, ...]
    limit: Decimal


def write_down_overview(session: Session, today: dt.date | None = None) -> WriteDownOverview:
    """Suggestions, the write-downs waiting for approval, and the newest 1,000 of all."""
    return WriteDownOverview(
        suggestions=tuple(write_down_suggestions(session, today)),
        pending=tuple(pending_write_downs(session)),
        history=tuple(list_write_downs(session, limit=1000)),
        limit=approval_limit(session),
    )
