"""Customer orders: entry, confirmation, cancellation, closing, and backorder allocation.

An order is numbered ``SO-1001``, ``SO-1002``… in creation order and is edited only as a
draft. Confirming it reserves stock per item (not per bin): available = on hand in the
warehouse's bins − what open orders have reserved. What is not available becomes the
line's backorder, with the date it can be expected: from the earliest open purchase
order line whose quantity is not already promised to older backorders, else today plus
the preferred supplier's lead time. A zero-point item holds no stock of its own, so its
shortfall becomes a purchase need (one per line, never two): exactly the shortfall,
rounded up to the supplier's pack size and minimum order, with the excess recorded.

Two workstations confirming orders for the last units at once must not both get them:
the items' rows are locked (``SELECT … FOR UPDATE`` on PostgreSQL, in id order so two
confirmations cannot deadlock; SQLite's ``BEGIN IMMEDIATE`` already lets one writer in)
before availability is read, so the second confirmation sees the first one's
reservation.

Allocation is eager: stock that arrives (``receiving.post_receipt``), comes back
(returns to a bin) or is released (a cancelled or closed order) is handed to waiting
backorders at once, oldest confirmation first, by ``allocate_backorders``; picking also
runs it for the order's items before it starts, so stock that turned up otherwise
(a count) is not left idle.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import NamedTuple, NewType

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.i18n import N_, _, format_number, ngettext
from app.models import (
    Barcode,
    Customer,
    CustomerOrder,
    CustomerOrderLine,
    Item,
    Lot,
    NeedStatus,
    OrderStatus,
    Policy,
    PurchaseNeed,
    PurchaseOrder,
    PurchaseOrderLine,
    Role,
    StockLevel,
    Supplier,
    SupplierItem,
    User,
    utcnow,
)
from app.reports.values import round_money  # reportlab-free: orders load without it
from app.services.commitments import ACTIVE_STATUSES, need_is_open
from app.services.errors import NotAllowedError, NotFoundError, ValidationError
from app.services.ledger import parse_money, parse_quantity
from app.services.numbering import next_number, number_seq
from app.services.parsing import parse_date
from app.services.purchase_orders import RECEIVABLE
from app.services.settings import get_setting
from app.services.suppliers import DEFAULT_LEAD_TIME_DAYS
from app.services.users import UserId, record_audit

OrderId = NewType("OrderId", int)

NUMBER_PREFIX = "SO-"
# PostgreSQL advisory lock key for order numbering (see purchase_orders.PO_NUMBER_LOCK).
SO_NUMBER_LOCK = 4_201_006
ZERO = Decimal(0)
# Orders that hold reservations and backorders.
ACTIVE = ACTIVE_STATUSES
_NUMBER_PATTERN = re.compile(r"^(?:SO-?)?(\d{1,9})$", re.IGNORECASE)
_ROLE_RANK = {Role.STAFF: 0, Role.MANAGER: 1, Role.ADMIN: 2}

STATUS_LABELS = {
    OrderStatus.DRAFT: N_("Draft"),
    OrderStatus.CONFIRMED: N_("Confirmed"),
    OrderStatus.PICKING: N_("Picking"),
    OrderStatus.PARTLY_SHIPPED: N_("Partly shipped"),
    OrderStatus.SHIPPED: N_("Shipped"),
    OrderStatus.CLOSED: N_("Closed"),
    OrderStatus.CANCELLED: N_("Cancelled"),
}
NEED_STATUS_LABELS = {
    NeedStatus.OPEN: N_("To buy"),
    NeedStatus.ORDERED: N_("Ordered"),
    NeedStatus.WITHDRAWN: N_("Withdrawn"),
}


def status_label(status: OrderStatus) -> str:
    """The order's status as people read it, in the current language."""
    return _(STATUS_LABELS[status])


def need_status_label(status: NeedStatus) -> str:
    """A purchase need's status as people read it."""
    return _(NEED_STATUS_LABELS[status])


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderLineInput:
    """A line to put on a new order; an empty price comes from the item's sales price."""

    item_id: int
    quantity: Decimal | str | int
    unit_price: Decimal | str | int | None = None
    requested_date: dt.date | str | None = None


@dataclass(frozen=True)
class NeedInfo:
    """A zero-point line's purchase need, as the order and the proposals show it."""

    id: int
    status: NeedStatus
    status_text: str
    needed: Decimal
    order_qty: Decimal
    excess: Decimal
    pack_size: Decimal
    moq: Decimal
    supplier_id: int | None
    supplier_code: str
    required_date: dt.date | None
    po_number: str


@dataclass(frozen=True)
class OrderLineInfo:
    """An order line with its reservation, backorder and shipments.

    ``open`` is what is still to ship (0 for a closed or cancelled order); ``expected``
    is when the backorder can be expected (None when nothing is on backorder).
    """

    id: int
    line_no: int
    item_id: int
    sku: str
    name: str
    unit: str
    policy: Policy
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    requested_date: dt.date | None
    reserved: Decimal
    backordered: Decimal
    shipped: Decimal
    open: Decimal
    expected_date: dt.date | None
    need: NeedInfo | None

    @property
    def zero_point(self) -> bool:
        """True for an item bought only for customer orders."""
        return self.policy is Policy.ZERO_POINT


@dataclass(frozen=True)
class OrderDetail:
    """One order with its lines, for the order screen, picking and the documents."""

    id: OrderId
    number: str
    status: OrderStatus
    status_text: str
    customer_id: int
    customer_code: str
    customer_name: str
    customer_address: str
    customer_email: str
    currency: str
    order_date: dt.date
    requested_date: dt.date | None
    customer_reference: str
    note: str
    created_by: str
    created_at: dt.datetime
    confirmed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    closed_at: dt.datetime | None
    lines: tuple[OrderLineInfo, ...]
    total: Decimal

    @property
    def editable(self) -> bool:
        """Only a draft can be changed."""
        return self.status is OrderStatus.DRAFT

    @property
    def active(self) -> bool:
        """True while the order holds reservations or backorders."""
        return self.status in ACTIVE

    @property
    def backordered(self) -> Decimal:
        """Everything on backorder across the lines."""
        return sum((line.backordered for line in self.lines), ZERO)


@dataclass(frozen=True)
class OrderRow:
    """An order as the list of orders shows it."""

    id: OrderId
    number: str
    status: OrderStatus
    status_text: str
    customer_code: str
    customer_name: str
    order_date: dt.date
    requested_date: dt.date | None
    lines: int
    total: Decimal
    currency: str
    backorder_lines: int
    expected_date: dt.date | None


@dataclass(frozen=True)
class OrderConfirmed:
    """What confirming did: the order as it now is, one line for the worker, new needs."""

    order: OrderDetail
    message: str
    needs: tuple[NeedInfo, ...]


@dataclass(frozen=True)
class ItemAvailability:
    """One item's stock as order entry sees it."""

    item_id: int
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    backordered: Decimal


@dataclass(frozen=True)
class ItemChoice:
    """An item order entry offers for what was typed or scanned."""

    item_id: int
    sku: str
    name: str
    unit: str
    policy: Policy
    sales_price: Decimal | None
    available: Decimal


@dataclass(frozen=True)
class BackorderAllocation:
    """Stock handed to a waiting backorder."""

    order_id: OrderId
    order_number: str
    line_id: int
    item_id: int
    sku: str
    quantity: Decimal
    still_backordered: Decimal


class WaitingBackorder(NamedTuple):
    """A line waiting for an item, as receiving names it ("3 of these are for SO-1042")."""

    order_id: int
    order_number: str
    customer_name: str
    line_id: int
    quantity: Decimal
    expected_date: dt.date | None


# --- helpers -----------------------------------------------------------------------------


def _qty(value: Decimal) -> str:
    return format_number(value)


def require_role(session: Session, user_id: int, role: Role, refusal: str) -> None:
    """Raise ``NotAllowedError(refusal)`` unless the user (as stored now) has ``role``."""
    row = session.execute(select(User.role, User.active).where(User.id == user_id)).first()
    if row is None:
        raise NotFoundError(_("User {id} does not exist.").format(id=user_id))
    user_role, active = row
    if not active or _ROLE_RANK[user_role] < _ROLE_RANK[role]:
        raise NotAllowedError(refusal)


def _load(session: Session, order_id: int, *, lock: bool = False) -> CustomerOrder:
    order = session.get(CustomerOrder, order_id, with_for_update=lock or None)
    if order is None:
        raise NotFoundError(_("Customer order {id} does not exist.").format(id=order_id))
    return order


def load_order(session: Session, order_id: int, *, lock: bool = False) -> CustomerOrder:
    """The order row for the other order services (picking, shipping), locked if asked."""
    return _load(session, order_id, lock=lock)


def _require_draft(order: CustomerOrder) -> None:
    if order.status is OrderStatus.DRAFT:
        return
    if order.status is OrderStatus.CANCELLED:
        raise ValidationError(
            _("{number} is cancelled and cannot be changed. Make a new order instead.").format(
                number=order.number
            )
        )
    raise ValidationError(
        _(
            "{number} is {status} and can no longer be changed. Cancel it and enter a new "
            "order, or add a new order for what the customer wants more."
        ).format(number=order.number, status=status_label(order.status).lower())
    )


def _optional_date(value: dt.date | str | None, field: str) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    day = parse_date(value, field)
    if day < dt.date.today():
        raise ValidationError(
            _("The requested date {date} is in the past. Choose today or a later day.").format(
                date=day.isoformat()
            ),
            field=field,
        )
    return day


def _clean_text(value: str, limit: int, field: str, message: str) -> str:
    cleaned = value.strip()
    if len(cleaned) > limit:
        raise ValidationError(message, field=field)
    return cleaned


def _item(session: Session, item_id: int) -> Item:
    item = session.get(Item, item_id)
    if item is None:
        raise NotFoundError(_("Item {id} does not exist.").format(id=item_id))
    if not item.active:
        raise ValidationError(
            _("{sku} is inactive and cannot be sold. Activate it first.").format(sku=item.sku),
            field="item",
        )
    return item


def _price(item: Item, value: Decimal | str | int | None) -> Decimal:
    if value is not None and str(value).strip():
        return parse_money(value, field="unit_price")
    if item.sales_price is not None:
        return item.sales_price
    raise ValidationError(
        _(
            "{sku} has no sales price. Type the price per {unit}, or give the item a sales price."
        ).format(sku=item.sku, unit=item.unit),
        field="unit_price",
    )


def _new_line(
    session: Session, order: CustomerOrder, data: OrderLineInput, line_no: int
) -> CustomerOrderLine:
    item = _item(session, data.item_id)
    clash = session.scalar(
        select(CustomerOrderLine.line_no).where(
            CustomerOrderLine.order_id == order.id, CustomerOrderLine.item_id == item.id
        )
    )
    if clash is not None:
        raise ValidationError(
            _("{sku} is already on line {line} of {number}: change that line instead.").format(
                sku=item.sku, line=clash, number=order.number
            ),
            field="item",
        )
    line = CustomerOrderLine(
        order_id=order.id,
        line_no=line_no,
        item_id=item.id,
        quantity=parse_quantity(data.quantity),
        unit_price=_price(item, data.unit_price),
        requested_date=_optional_date(data.requested_date, "requested_date"),
        reserved_qty=ZERO,
        backorder_qty=ZERO,
        shipped_qty=ZERO,
    )
    session.add(line)
    return line


def _next_line_no(session: Session, order_id: int) -> int:
    last = session.scalar(
        select(func.max(CustomerOrderLine.line_no)).where(CustomerOrderLine.order_id == order_id)
    )
    return (last or 0) + 1


def lock_items(session: Session, item_ids: Iterable[int]) -> None:
    """Lock the items' rows (PostgreSQL) in id order before reading their availability.

    Every writer that changes reservations or stock of an item takes this lock first
    (the ledger does too), so availability read after it cannot be stale; the id order
    keeps two confirmations from deadlocking. SQLite's BEGIN IMMEDIATE already
    serialises writers.
    """
    ids = sorted(set(item_ids))
    if ids and session.get_bind().dialect.name == "postgresql":
        session.execute(select(Item.id).where(Item.id.in_(ids)).order_by(Item.id).with_for_update())


def on_hand(
    session: Session, item_ids: Collection[int], sellable_on: dt.date | None = None
) -> dict[int, Decimal]:
    """Stock in the warehouse's bins per item; with ``sellable_on``, only what may be sold
    that day: lots that expired before it are left out (picking refuses them, so
    reserving them would promise goods that cannot be shipped)."""
    if not item_ids:
        return {}
    query = select(StockLevel.item_id, func.sum(StockLevel.quantity)).where(
        StockLevel.item_id.in_(list(item_ids))
    )
    if sellable_on is not None:
        query = query.outerjoin(Lot, Lot.id == StockLevel.lot_id).where(
            or_(Lot.expiry.is_(None), Lot.expiry >= sellable_on)
        )
    return dict(session.execute(query.group_by(StockLevel.item_id)).tuples().all())


def reserved(session: Session, item_ids: Collection[int] | None) -> dict[int, Decimal]:
    """What open orders have reserved per item (all items when ``item_ids`` is None)."""
    query = (
        select(CustomerOrderLine.item_id, func.sum(CustomerOrderLine.reserved_qty))
        .join(CustomerOrder, CustomerOrder.id == CustomerOrderLine.order_id)
        .where(CustomerOrder.status.in_(ACTIVE), CustomerOrderLine.reserved_qty > 0)
        .group_by(CustomerOrderLine.item_id)
    )
    if item_ids is not None:
        if not item_ids:
            return {}
        query = query.where(CustomerOrderLine.item_id.in_(list(item_ids)))
    return dict(session.execute(query).tuples().all())


def _backordered(session: Session, item_ids: Collection[int]) -> dict[int, Decimal]:
    if not item_ids:
        return {}
    return dict(
        session.execute(
            select(CustomerOrderLine.item_id, func.sum(CustomerOrderLine.backorder_qty))
            .join(CustomerOrder, CustomerOrder.id == CustomerOrderLine.order_id)
            .where(
                CustomerOrder.status.in_(ACTIVE),
                CustomerOrderLine.backorder_qty > 0,
                CustomerOrderLine.item_id.in_(list(item_ids)),
            )
            .group_by(CustomerOrderLine.item_id)
        )
        .tuples()
        .all()
    )


def item_availability(session: Session, item_ids: Collection[int]) -> dict[int, ItemAvailability]:
    """On hand, reserved, available and backordered for each item asked about."""
    ids = list(item_ids)
    held = on_hand(session, ids)
    sellable = on_hand(session, ids, dt.date.today())
    taken = reserved(session, ids)
    waiting = _backordered(session, ids)
    result: dict[int, ItemAvailability] = {}
    for item_id in ids:
        have = held.get(item_id, ZERO)
        hold = taken.get(item_id, ZERO)
        result[item_id] = ItemAvailability(
            item_id=item_id,
            on_hand=have,
            reserved=hold,
            available=max(ZERO, sellable.get(item_id, ZERO) - hold),
            backordered=waiting.get(item_id, ZERO),
        )
    return result


class _Terms(NamedTuple):
    supplier_id: int | None
    supplier_code: str
    pack_size: Decimal
    moq: Decimal
    lead_time_days: int


def preferred_terms(session: Session, item_id: int) -> _Terms:
    """The supplier an item is bought from and on what terms.

    The supplier marked preferred, else the cheapest, else the first by code; an item no
    supplier sells is bought in ones with the default lead time.
    """
    row = session.execute(
        select(SupplierItem, Supplier.code, Supplier.lead_time_days)
        .join(Supplier, Supplier.id == SupplierItem.supplier_id)
        .where(SupplierItem.item_id == item_id, Supplier.active.is_(True))
        .order_by(SupplierItem.preferred.desc(), SupplierItem.price, Supplier.code)
        .limit(1)
    ).first()
    if row is None:
        return _Terms(None, "", Decimal(1), ZERO, DEFAULT_LEAD_TIME_DAYS)
    terms, code, supplier_lead = row
    lead = terms.lead_time_days if terms.lead_time_days is not None else supplier_lead
    return _Terms(terms.supplier_id, code, terms.pack_size, terms.moq, lead)


def round_to_pack(needed: Decimal, pack_size: Decimal, moq: Decimal) -> Decimal:
    """The quantity to buy for ``needed``: at least the minimum order, in whole packs."""
    wanted = max(needed, moq)
    packs = (wanted / pack_size).to_integral_value(ROUND_CEILING)
    return packs * pack_size


def _expected_from_purchases(
    session: Session, item_id: int, quantity: Decimal, promised: Decimal
) -> dt.date | None:
    """The date of the open purchase order line that covers the last of ``quantity``, after
    ``promised`` (older backorders) has taken its share; None if open orders fall short."""
    rows = session.execute(
        select(
            PurchaseOrderLine.quantity,
            PurchaseOrderLine.received_qty,
            func.coalesce(PurchaseOrderLine.expected_date, PurchaseOrder.delivery_date),
        )
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .where(PurchaseOrderLine.item_id == item_id, PurchaseOrder.status.in_(RECEIVABLE))
        .order_by(
            func.coalesce(PurchaseOrderLine.expected_date, PurchaseOrder.delivery_date).is_(None),
            func.coalesce(PurchaseOrderLine.expected_date, PurchaseOrder.delivery_date),
            PurchaseOrder.seq,
        )
    ).tuples()
    left_promised = promised
    left = quantity
    for ordered, received, day in rows:
        capacity = max(ZERO, ordered - received)
        taken = min(capacity, left_promised)
        capacity -= taken
        left_promised -= taken
        if capacity <= 0:
            continue
        left -= min(capacity, left)
        if left == 0:
            return day
    return None


def backorder_expected_date(
    session: Session, item_id: int, policy: Policy, quantity: Decimal, promised: Decimal
) -> dt.date:
    """When ``quantity`` of an item on backorder can be expected, after ``promised`` (older
    backorders) has had its share: from open purchase orders, else by the preferred
    supplier's lead time (always for a zero-point item, whose need is not yet bought)."""
    terms = preferred_terms(session, item_id)
    by_lead_time = dt.date.today() + dt.timedelta(days=terms.lead_time_days)
    if policy is Policy.ZERO_POINT:
        return by_lead_time
    return _expected_from_purchases(session, item_id, quantity, promised) or by_lead_time


def _new_need(
    session: Session, line: CustomerOrderLine, short: Decimal, required: dt.date | None
) -> PurchaseNeed:
    terms = preferred_terms(session, line.item_id)
    order_qty = round_to_pack(short, terms.pack_size, terms.moq)
    need = PurchaseNeed(
        order_line_id=line.id,
        item_id=line.item_id,
        supplier_id=terms.supplier_id,
        needed_qty=short,
        order_qty=order_qty,
        excess=order_qty - short,
        pack_size=terms.pack_size,
        moq=terms.moq,
        required_date=required,
        status=NeedStatus.OPEN,
    )
    session.add(need)
    return need


def move_to_backorder(session: Session, line: CustomerOrderLine, short: Decimal) -> str:
    """Put ``short`` of a line's reservation on backorder: the goods were not on the shelf
    after all (a short pick). Returns a note for the worker ("" if nothing to say).

    A zero-point line gets its shortfall bought: a new need, or its open need grown; a
    need already bought cannot grow (one purchase per line), so the note says to buy it.
    """
    short = min(short, line.reserved_qty)
    if short <= 0:
        return ""
    promised = session.scalar(
        select(func.coalesce(func.sum(CustomerOrderLine.backorder_qty), 0))
        .join(CustomerOrder, CustomerOrder.id == CustomerOrderLine.order_id)
        .where(
            CustomerOrderLine.item_id == line.item_id,
            CustomerOrder.status.in_(ACTIVE),
            CustomerOrderLine.id != line.id,
        )
    )
    item = session.get(Item, line.item_id)
    assert item is not None
    line.reserved_qty -= short
    line.backorder_qty += short
    line.expected_date = backorder_expected_date(
        session, item.id, item.policy, line.backorder_qty, Decimal(promised or 0)
    )
    if item.policy is not Policy.ZERO_POINT:
        return ""
    need = session.scalar(select(PurchaseNeed).where(PurchaseNeed.order_line_id == line.id))
    if need is None:
        _new_need(session, line, short, line.requested_date)
        return ""
    if need.status is NeedStatus.OPEN:
        need.needed_qty += short
        need.order_qty = round_to_pack(need.needed_qty, need.pack_size, need.moq)
        need.excess = need.order_qty - need.needed_qty
        return ""
    return _(
        "{sku}: {qty} {unit} more must be bought for this order; its purchase need is "
        "already ordered, so order the rest by hand."
    ).format(sku=item.sku, qty=_qty(short), unit=item.unit)


def _user_name(session: Session, user_id: int | None) -> str:
    if user_id is None:
        return ""
    row = session.execute(
        select(User.display_name, User.username).where(User.id == user_id)
    ).first()
    return (row[0] or row[1]) if row else ""


def _touch(order: CustomerOrder) -> None:
    # Line edits change the order too; its updated_at says when it last changed.
    order.updated_at = utcnow()


# --- entry -------------------------------------------------------------------------------


def create_order(
    session: Session,
    user_id: UserId,
    customer_id: int,
    *,
    requested_date: dt.date | str | None = None,
    customer_reference: str = "",
    note: str = "",
    lines: tuple[OrderLineInput, ...] | list[OrderLineInput] = (),
) -> OrderDetail:
    """A new draft order for ``customer_id``, numbered next, with ``lines`` if given."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFoundError(_("Customer {id} does not exist.").format(id=customer_id))
    if not customer.active:
        raise ValidationError(
            _("Customer {code} is inactive. Activate the customer before taking orders.").format(
                code=customer.code
            ),
            field="customer",
        )
    requested = _optional_date(requested_date, "requested_date")
    reference = _clean_text(
        customer_reference,
        100,
        "customer_reference",
        _("The customer's reference can be at most 100 characters."),
    )
    note = _clean_text(note, 500, "note", _("A note can be at most 500 characters."))
    seq, number = next_number(session, CustomerOrder.seq, NUMBER_PREFIX, SO_NUMBER_LOCK)
    order = CustomerOrder(
        seq=seq,
        number=number,
        customer_id=customer.id,
        status=OrderStatus.DRAFT,
        currency=get_setting(session, "currency") or "SEK",
        order_date=dt.date.today(),
        requested_date=requested,
        customer_reference=reference,
        note=note,
        created_by=user_id,
    )
    session.add(order)
    session.flush()
    for line_no, data in enumerate(lines, start=1):
        _new_line(session, order, data, line_no)
        session.flush()
    record_audit(session, user_id, "create", "customer_order", order.id, {"number": number})
    return get_order(session, order.id)


def update_order(
    session: Session,
    user_id: UserId,
    order_id: int,
    *,
    requested_date: dt.date | str | None,
    customer_reference: str,
    note: str,
) -> OrderDetail:
    """Change a draft's requested date (None: not set), the customer's reference and note."""
    order = _load(session, order_id, lock=True)
    _require_draft(order)
    order.requested_date = _optional_date(requested_date, "requested_date")
    order.customer_reference = _clean_text(
        customer_reference,
        100,
        "customer_reference",
        _("The customer's reference can be at most 100 characters."),
    )
    order.note = _clean_text(note, 500, "note", _("A note can be at most 500 characters."))
    _touch(order)
    session.flush()
    record_audit(session, user_id, "update", "customer_order", order.id, {"number": order.number})
    return get_order(session, order.id)


def add_order_line(
    session: Session,
    user_id: UserId,
    order_id: int,
    item_id: int,
    quantity: Decimal | str | int,
    *,
    unit_price: Decimal | str | int | None = None,
    requested_date: dt.date | str | None = None,
) -> OrderDetail:
    """Add an item to a draft; the price defaults to the item's sales price."""
    order = _load(session, order_id, lock=True)
    _require_draft(order)
    line = _new_line(
        session,
        order,
        OrderLineInput(item_id, quantity, unit_price, requested_date),
        _next_line_no(session, order.id),
    )
    _touch(order)
    session.flush()
    record_audit(session, user_id, "add_line", "customer_order", order.id, {"line": line.line_no})
    return get_order(session, order.id)


def _load_line(session: Session, line_id: int) -> tuple[CustomerOrderLine, CustomerOrder]:
    line = session.get(CustomerOrderLine, line_id)
    if line is None:
        raise NotFoundError(_("Order line {id} does not exist.").format(id=line_id))
    order = _load(session, line.order_id, lock=True)
    _require_draft(order)
    return line, order


def update_order_line(
    session: Session,
    user_id: UserId,
    line_id: int,
    *,
    quantity: Decimal | str | int | None = None,
    unit_price: Decimal | str | int | None = None,
    requested_date: dt.date | str | None = None,
) -> OrderDetail:
    """Change a line of a draft; arguments left None stay as they are.

    ``requested_date=""`` clears the line's own date (it then follows the order's).
    """
    line, order = _load_line(session, line_id)
    item = _item(session, line.item_id)
    new_quantity = line.quantity if quantity is None else parse_quantity(quantity)
    new_price = line.unit_price if unit_price is None else _price(item, unit_price)
    new_date = (
        line.requested_date
        if requested_date is None
        else _optional_date(requested_date, "requested_date")
    )
    line.quantity, line.unit_price, line.requested_date = new_quantity, new_price, new_date
    _touch(order)
    session.flush()
    record_audit(
        session, user_id, "update_line", "customer_order", order.id, {"line": line.line_no}
    )
    return get_order(session, order.id)


def remove_order_line(session: Session, user_id: UserId, line_id: int) -> OrderDetail:
    """Take a line off a draft."""
    line, order = _load_line(session, line_id)
    line_no = line.line_no
    session.delete(line)
    _touch(order)
    session.flush()
    record_audit(session, user_id, "remove_line", "customer_order", order.id, {"line": line_no})
    return get_order(session, order.id)


# --- confirmation ------------------------------------------------------------------------


def confirm_order(
    session: Session, user_id: UserId, order_id: int, today: dt.date | None = None
) -> OrderConfirmed:
    """Reserve what is available for each line; put the rest on backorder with the date it
    can be expected; for zero-point items create the purchase need. All or nothing.

    Lots that expired before ``today`` are not available: they cannot be picked.
    """
    order = _load(session, order_id, lock=True)
    _require_draft(order)
    lines = list(
        session.scalars(
            select(CustomerOrderLine)
            .where(CustomerOrderLine.order_id == order.id)
            .order_by(CustomerOrderLine.line_no)
        )
    )
    if not lines:
        raise ValidationError(
            _("{number} has no lines. Add what the customer orders before confirming.").format(
                number=order.number
            )
        )
    customer = session.get(Customer, order.customer_id)
    if customer is None or not customer.active:
        raise ValidationError(
            _("The customer of {number} is inactive. Activate the customer first.").format(
                number=order.number
            )
        )
    items = {line.item_id: _item(session, line.item_id) for line in lines}
    lock_items(session, items)
    held = on_hand(session, list(items), today or dt.date.today())
    taken = reserved(session, list(items))
    promised = _backordered(session, list(items))
    needs: list[PurchaseNeed] = []
    backordered_lines = 0
    for line in lines:
        item = items[line.item_id]
        free = max(ZERO, held.get(item.id, ZERO) - taken.get(item.id, ZERO))
        reserve = min(free, line.quantity)
        short = line.quantity - reserve
        line.reserved_qty = reserve
        line.backorder_qty = short
        taken[item.id] = taken.get(item.id, ZERO) + reserve
        line.expected_date = None
        if short <= 0:
            continue
        backordered_lines += 1
        if item.policy is Policy.ZERO_POINT:
            needs.append(
                _new_need(session, line, short, line.requested_date or order.requested_date)
            )
        line.expected_date = backorder_expected_date(
            session, item.id, item.policy, short, promised.get(item.id, ZERO)
        )
        promised[item.id] = promised.get(item.id, ZERO) + short
    order.status = OrderStatus.CONFIRMED
    order.confirmed_at = utcnow()
    order.confirmed_by = user_id
    _touch(order)
    session.flush()
    record_audit(
        session,
        user_id,
        "confirm",
        "customer_order",
        order.id,
        {
            "number": order.number,
            "reserved": {items[ln.item_id].sku: str(ln.reserved_qty) for ln in lines},
            "backordered": {
                items[ln.item_id].sku: str(ln.backorder_qty) for ln in lines if ln.backorder_qty
            },
            "needs": [need.id for need in needs],
        },
    )
    detail = get_order(session, order.id)
    if backordered_lines:
        message = ngettext(
            "{number} confirmed; {n} line is on backorder.",
            "{number} confirmed; {n} lines are on backorder.",
            backordered_lines,
        ).format(number=order.number, n=backordered_lines)
    else:
        message = _("{number} confirmed; everything is reserved.").format(number=order.number)
    if needs:
        message += " " + ngettext(
            "{n} purchase need created.", "{n} purchase needs created.", len(needs)
        ).format(n=len(needs))
    need_ids = {need.id for need in needs}
    created = tuple(
        line.need for line in detail.lines if line.need is not None and line.need.id in need_ids
    )
    return OrderConfirmed(order=detail, message=message, needs=created)


# --- releasing ---------------------------------------------------------------------------


def _release(session: Session, order: CustomerOrder) -> set[int]:
    """Drop the order's reservations and backorders and withdraw its needs not yet bought;
    return the items whose stock was freed."""
    lines = list(
        session.scalars(select(CustomerOrderLine).where(CustomerOrderLine.order_id == order.id))
    )
    freed = {line.item_id for line in lines if line.reserved_qty > 0}
    for line in lines:
        line.reserved_qty = ZERO
        line.backorder_qty = ZERO
        line.expected_date = None
    now = utcnow()
    for need in session.scalars(
        select(PurchaseNeed).where(
            PurchaseNeed.order_line_id.in_([line.id for line in lines]),
            need_is_open(),
        )
    ):
        need.status = NeedStatus.WITHDRAWN
        need.withdrawn_at = now
    return freed


def cancel_order(session: Session, user_id: UserId, order_id: int, reason: str = "") -> OrderDetail:
    """Cancel an order that has shipped nothing: its reservations go back to stock (and to
    waiting backorders, oldest first) and its purchase needs not yet bought are withdrawn.

    A confirmed order is cancelled by a manager; bought needs stay (the goods arrive as
    stock). An order that has shipped something is closed instead (``close_order``).
    """
    order = _load(session, order_id, lock=True)
    if order.status is OrderStatus.CANCELLED:
        raise ValidationError(_("{number} is already cancelled.").format(number=order.number))
    if order.status in (OrderStatus.PARTLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.CLOSED):
        raise ValidationError(
            _(
                "{number} has shipped goods and cannot be cancelled. Close it to drop what is "
                "still open, and book a return for goods that come back."
            ).format(number=order.number)
        )
    if order.status is not OrderStatus.DRAFT:
        require_role(
            session,
            user_id,
            Role.MANAGER,
            _("Only a manager can cancel a confirmed order ({number}).").format(
                number=order.number
            ),
        )
    previous = order.status
    freed = _release(session, order)
    order.status = OrderStatus.CANCELLED
    order.cancelled_at = utcnow()
    _touch(order)
    session.flush()
    record_audit(
        session,
        user_id,
        "cancel",
        "customer_order",
        order.id,
        {"number": order.number, "from": previous.value, "reason": reason.strip()},
    )
    if freed:
        allocate_backorders(session, freed, user_id)
    return get_order(session, order.id)


def close_order(session: Session, user_id: UserId, order_id: int, reason: str = "") -> OrderDetail:
    """Close a shipped order; for a partly shipped one, a manager drops what is still open
    (reservations freed, needs not yet bought withdrawn)."""
    order = _load(session, order_id, lock=True)
    if order.status is OrderStatus.CLOSED:
        raise ValidationError(_("{number} is already closed.").format(number=order.number))
    if order.status not in (OrderStatus.SHIPPED, OrderStatus.PARTLY_SHIPPED):
        raise ValidationError(
            _(
                "{number} has shipped nothing yet ({status}); cancel it instead of closing it."
            ).format(number=order.number, status=status_label(order.status).lower())
        )
    if order.status is OrderStatus.PARTLY_SHIPPED:
        require_role(
            session,
            user_id,
            Role.MANAGER,
            _("Only a manager can close {number} while part of it is still to ship.").format(
                number=order.number
            ),
        )
    freed = _release(session, order)
    order.status = OrderStatus.CLOSED
    order.closed_at = utcnow()
    _touch(order)
    session.flush()
    record_audit(
        session,
        user_id,
        "close",
        "customer_order",
        order.id,
        {"number": order.number, "reason": reason.strip()},
    )
    if freed:
        allocate_backorders(session, freed, user_id)
    return get_order(session, order.id)


# --- allocation --------------------------------------------------------------------------


def allocate_backorders(
    session: Session,
    item_ids: Collection[int] | None = None,
    user_id: UserId | None = None,
    today: dt.date | None = None,
) -> list[BackorderAllocation]:
    """Hand free stock (on hand − reserved, leaving out lots expired before ``today``) to
    waiting backorders, oldest confirmation first.

    Runs in the caller's transaction after stock arrives or is released. A zero-point
    line filled this way no longer needs its purchase need if it is not yet bought: the
    need is withdrawn.
    """
    query = (
        select(CustomerOrderLine.item_id)
        .join(CustomerOrder, CustomerOrder.id == CustomerOrderLine.order_id)
        .where(CustomerOrder.status.in_(ACTIVE), CustomerOrderLine.backorder_qty > 0)
        .distinct()
    )
    if item_ids is not None:
        if not item_ids:
            return []
        query = query.where(CustomerOrderLine.item_id.in_(list(item_ids)))
    waiting_items = sorted(session.scalars(query))
    if not waiting_items:
        return []
    lock_items(session, waiting_items)
    held = on_hand(session, waiting_items, today or dt.date.today())
    taken = reserved(session, waiting_items)
    free = {
        item_id: held.get(item_id, ZERO) - taken.get(item_id, ZERO) for item_id in waiting_items
    }
    if all(amount <= 0 for amount in free.values()):
        return []
    rows = session.execute(
        select(CustomerOrderLine, CustomerOrder.number, Item.sku)
        .join(CustomerOrder, CustomerOrder.id == CustomerOrderLine.order_id)
        .join(Item, Item.id == CustomerOrderLine.item_id)
        .where(
            CustomerOrder.status.in_(ACTIVE),
            CustomerOrderLine.backorder_qty > 0,
            CustomerOrderLine.item_id.in_([i for i, amount in free.items() if amount > 0]),
        )
        .order_by(CustomerOrder.confirmed_at, CustomerOrder.seq, CustomerOrderLine.line_no)
    ).tuples()
    done: list[BackorderAllocation] = []
    filled: list[int] = []
    for line, number, sku in rows:
        give = min(free[line.item_id], line.backorder_qty)
        if give <= 0:
            continue
        free[line.item_id] -= give
        line.backorder_qty -= give
        line.reserved_qty += give
        if line.backorder_qty == 0:
            line.expected_date = None
            filled.append(line.id)
        done.append(
            BackorderAllocation(
                order_id=OrderId(line.order_id),
                order_number=number,
                line_id=line.id,
                item_id=line.item_id,
                sku=sku,
                quantity=give,
                still_backordered=line.backorder_qty,
            )
        )
    if filled:
        now = utcnow()
        for need in session.scalars(
            select(PurchaseNeed).where(
                PurchaseNeed.order_line_id.in_(filled), PurchaseNeed.status == NeedStatus.OPEN
            )
        ):
            need.status = NeedStatus.WITHDRAWN
            need.withdrawn_at = now
    session.flush()
    if done:
        record_audit(
            session,
            user_id,
            "allocate",
            "customer_order",
            None,
            {"allocations": [[a.order_number, a.sku, str(a.quantity)] for a in done]},
        )
    return done


def allocation_message(allocations: Iterable[BackorderAllocation], unit_of: dict[int, str]) -> str:
    """One line for the worker: what went to which waiting order."""
    return " · ".join(
        _("{qty} {unit} of {sku} reserved for {order}").format(
            qty=_qty(a.quantity), unit=unit_of.get(a.item_id, ""), sku=a.sku, order=a.order_number
        )
        for a in allocations
    )


def backorders_for_item(session: Session, item_id: int) -> list[WaitingBackorder]:
    """Open order lines waiting for ``item_id``, oldest confirmation first."""
    rows = session.execute(
        select(
            CustomerOrder.id,
            CustomerOrder.number,
            Customer.name,
            CustomerOrderLine.id,
            CustomerOrderLine.backorder_qty,
            CustomerOrderLine.expected_date,
        )
        .join(CustomerOrder, CustomerOrder.id == CustomerOrderLine.order_id)
        .join(Customer, Customer.id == CustomerOrder.customer_id)
        .where(
            CustomerOrderLine.item_id == item_id,
            CustomerOrder.status.in_(ACTIVE),
            CustomerOrderLine.backorder_qty > 0,
        )
        .order_by(CustomerOrder.confirmed_at, CustomerOrder.seq, CustomerOrderLine.line_no)
    ).tuples()
    return [WaitingBackorder(*row) for row in rows]


# --- reading -----------------------------------------------------------------------------


def _needs(session: Session, line_ids: list[int]) -> dict[int, NeedInfo]:
    if not line_ids:
        return {}
    rows = session.execute(
        select(PurchaseNeed, Supplier.code, PurchaseOrder.number)
        .outerjoin(Supplier, Supplier.id == PurchaseNeed.supplier_id)
        .outerjoin(PurchaseOrderLine, PurchaseOrderLine.id == PurchaseNeed.purchase_order_line_id)
        .outerjoin(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .where(PurchaseNeed.order_line_id.in_(line_ids))
    ).tuples()
    result: dict[int, NeedInfo] = {}
    for need, supplier_code, po_number in rows:
        status = need.status
        if status is NeedStatus.ORDERED and need.purchase_order_line_id is None:
            status = NeedStatus.OPEN
        result[need.order_line_id] = NeedInfo(
            id=need.id,
            status=status,
            status_text=need_status_label(status),
            needed=need.needed_qty,
            order_qty=need.order_qty,
            excess=need.excess,
            pack_size=need.pack_size,
            moq=need.moq,
            supplier_id=need.supplier_id,
            supplier_code=supplier_code or "",
            required_date=need.required_date,
            po_number=po_number or "",
        )
    return result


def get_order(session: Session, order_id: int) -> OrderDetail:
    """One order with its lines in line order."""
    order = _load(session, order_id)
    customer = session.get(Customer, order.customer_id)
    assert customer is not None
    rows = session.execute(
        select(CustomerOrderLine, Item.sku, Item.name, Item.unit, Item.policy)
        .join(Item, Item.id == CustomerOrderLine.item_id)
        .where(CustomerOrderLine.order_id == order.id)
        .order_by(CustomerOrderLine.line_no)
    ).tuples()
    rows_list = list(rows)
    needs = _needs(session, [line.id for line, *_rest in rows_list])
    live = order.status in (OrderStatus.DRAFT, *ACTIVE)
    lines = tuple(
        OrderLineInfo(
            id=line.id,
            line_no=line.line_no,
            item_id=line.item_id,
            sku=sku,
            name=name,
            unit=unit,
            policy=policy,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=round_money(line.quantity * line.unit_price),
            requested_date=line.requested_date,
            reserved=line.reserved_qty,
            backordered=line.backorder_qty,
            shipped=line.shipped_qty,
            open=max(ZERO, line.quantity - line.shipped_qty) if live else ZERO,
            expected_date=line.expected_date,
            need=needs.get(line.id),
        )
        for line, sku, name, unit, policy in rows_list
    )
    return OrderDetail(
        id=OrderId(order.id),
        number=order.number,
        status=order.status,
        status_text=status_label(order.status),
        customer_id=customer.id,
        customer_code=customer.code,
        customer_name=customer.name,
        customer_address=customer.address,
        customer_email=customer.email,
        currency=order.currency,
        order_date=order.order_date,
        requested_date=order.requested_date,
        customer_reference=order.customer_reference,
        note=order.note,
        created_by=_user_name(session, order.created_by),
        created_at=order.created_at,
        confirmed_at=order.confirmed_at,
        cancelled_at=order.cancelled_at,
        closed_at=order.closed_at,
        lines=lines,
        total=sum((line.amount for line in lines), ZERO),
    )


def list_orders(
    session: Session,
    status: OrderStatus | Collection[OrderStatus] | None = None,
    customer_id: int | None = None,
) -> list[OrderRow]:
    """Orders, newest first, optionally of some statuses or one customer."""
    query = (
        select(CustomerOrder, Customer.code, Customer.name)
        .join(Customer, Customer.id == CustomerOrder.customer_id)
        .order_by(CustomerOrder.seq.desc())
    )
    if isinstance(status, OrderStatus):
        query = query.where(CustomerOrder.status == status)
    elif status is not None:
        query = query.where(CustomerOrder.status.in_(list(status)))
    if customer_id is not None:
        query = query.where(CustomerOrder.customer_id == customer_id)
    orders = session.execute(query).tuples().all()
    totals: dict[int, Decimal] = {}
    counts: dict[int, int] = {}
    backorders: dict[int, int] = {}
    expected: dict[int, dt.date] = {}
    if orders:
        for order_id, qty, price, waiting, day in session.execute(
            select(
                CustomerOrderLine.order_id,
                CustomerOrderLine.quantity,
                CustomerOrderLine.unit_price,
                CustomerOrderLine.backorder_qty,
                CustomerOrderLine.expected_date,
            ).where(CustomerOrderLine.order_id.in_([o.id for o, _c, _n in orders]))
        ).tuples():
            totals[order_id] = totals.get(order_id, ZERO) + round_money(qty * price)
            counts[order_id] = counts.get(order_id, 0) + 1
            if waiting > 0:
                backorders[order_id] = backorders.get(order_id, 0) + 1
                if day is not None and (order_id not in expected or day > expected[order_id]):
                    expected[order_id] = day
    return [
        OrderRow(
            id=OrderId(order.id),
            number=order.number,
            status=order.status,
            status_text=status_label(order.status),
            customer_code=code,
            customer_name=name,
            order_date=order.order_date,
            requested_date=order.requested_date,
            lines=counts.get(order.id, 0),
            total=totals.get(order.id, ZERO),
            currency=order.currency,
            backorder_lines=backorders.get(order.id, 0),
            expected_date=expected.get(order.id),
        )
        for order, code, name in orders
    ]


def find_order_by_number(session: Session, text: str) -> OrderDetail | None:
    """The order a scanned or typed number names (``SO-1001``, ``]C0SO-1001``, ``1001``)."""
    seq = number_seq(text, _NUMBER_PATTERN)
    if seq is None:
        return None
    order_id = session.scalar(select(CustomerOrder.id).where(CustomerOrder.seq == seq))
    return get_order(session, order_id) if order_id is not None else None


def order_id_by_number(session: Session, text: str) -> OrderId:
    """The id of the order ``text`` names, or a NotFoundError that says so."""
    seq = number_seq(text, _NUMBER_PATTERN)
    order_id = (
        session.scalar(select(CustomerOrder.id).where(CustomerOrder.seq == seq))
        if seq is not None
        else None
    )
    if order_id is None:
        raise NotFoundError(_("There is no customer order {number}.").format(number=text.strip()))
    return OrderId(order_id)


def find_items_for_order(session: Session, text: str, limit: int = 20) -> list[ItemChoice]:
    """Active items for what was typed or scanned: an exact barcode or SKU first (alone),
    else items whose SKU or name contains the text in any case, with what is available.

    Names are matched in Python with Unicode case folding: SQLite's lower() knows only
    ASCII, and "mjölk" must find "Mjölk" on both databases. Reading the SKUs and names of
    20,000 items takes a few tens of milliseconds, within typing speed.
    """
    needle = text.strip()
    if not needle:
        return []
    exact = session.scalar(
        select(Barcode.item_id)
        .join(Item, Item.id == Barcode.item_id)
        .where(Barcode.code == needle, Item.active.is_(True))
    )
    if exact is None:
        exact = session.scalar(
            select(Item.id).where(func.lower(Item.sku) == needle.lower(), Item.active.is_(True))
        )
    if exact is not None:
        ids = [exact]
    else:
        folded = needle.casefold()
        matches = sorted(
            (not sku.casefold().startswith(folded), sku, item_id)
            for item_id, sku, name in session.execute(
                select(Item.id, Item.sku, Item.name).where(Item.active.is_(True))
            ).tuples()
            if folded in sku.casefold() or folded in name.casefold()
        )
        ids = [item_id for *_key, item_id in matches[:limit]]
    by_id = {item.id: item for item in session.scalars(select(Item).where(Item.id.in_(ids)))}
    availability = item_availability(session, ids)
    return [
        ItemChoice(
            item_id=item_id,
            sku=by_id[item_id].sku,
            name=by_id[item_id].name,
            unit=by_id[item_id].unit,
            policy=by_id[item_id].policy,
            sales_price=by_id[item_id].sales_price,
            available=availability[item_id].available,
        )
        for item_id in ids
    ]
