"""Shipping: post what was picked as one shipment, print its delivery note, take returns.

``ship_order`` turns the order's picks (the live pick events since its last shipment)
into stock moves bin → customers through the ledger, in one transaction: each move is
valued by the ledger (FIFO layers or the weighted average, by the setting), and the
shipment stores each move's cost of goods sold (quantity × the move's unit cost,
rounded to the money scale) and their sum. Lines move from reserved to shipped;
a short pick goes from reserved to backorder; what is not shipped stays reserved or on
backorder, and the order becomes partly shipped or shipped.

A customer return takes shipped goods back: onto a shelf as a RETURN move at the cost
they left with, or to scrap (a manager's decision): in through the bin they came from
at that cost, then straight out to the scrap location, so the ledger shows both.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NewType

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.i18n import N_, _, format_number, ngettext
from app.models import (
    Customer,
    CustomerOrderLine,
    CustomerReturn,
    Item,
    Location,
    LocationKind,
    Lot,
    MoveKind,
    OrderStatus,
    ReturnDisposition,
    Role,
    Shipment,
    ShipmentLine,
    User,
    utcnow,
)
from app.models.base import MONEY_QUANTUM
from app.reports.common import Party
from app.reports.delivery_note import (
    DeliveryNoteOrderLine,
    DeliveryNotePdf,
    DeliveryNotePdfLine,
    render_delivery_note,
)
from app.services import ledger
from app.services.errors import NotFoundError, ValidationError
from app.services.locations import virtual_location_id
from app.services.numbering import next_number, number_seq
from app.services.orders import (
    OrderId,
    allocate_backorders,
    load_order,
    lock_items,
    move_to_backorder,
    require_role,
    status_label,
)
from app.services.picking import pick_fold
from app.services.purchase_orders import company_party
from app.services.users import UserId, record_audit

ShipmentId = NewType("ShipmentId", int)

NUMBER_PREFIX = "DN-"
# PostgreSQL advisory lock key for shipment numbering (see purchase_orders.PO_NUMBER_LOCK).
SHIPMENT_NUMBER_LOCK = 4_201_066
ZERO = Decimal(0)
_NUMBER_PATTERN = re.compile(r"^(?:DN-?)?(\d{1,9})$", re.IGNORECASE)

DISPOSITION_LABELS = {
    ReturnDisposition.RESTOCK: N_("Back on the shelf"),
    ReturnDisposition.SCRAP: N_("Scrapped"),
}


def disposition_label(disposition: ReturnDisposition) -> str:
    """Where returned goods went, as people read it."""
    return _(DISPOSITION_LABELS[disposition])


@dataclass(frozen=True)
class ShippedLine:
    """One move of a shipment, with what has come back of it."""

    id: int
    move_id: int
    order_line_id: int
    item_id: int
    sku: str
    name: str
    unit: str
    lot: str
    expiry: dt.date | None
    bin_id: int
    bin_code: str
    quantity: Decimal
    unit_cost: Decimal
    cogs: Decimal
    returned: Decimal

    @property
    def returnable(self) -> Decimal:
        """What can still be returned of this line."""
        return self.quantity - self.returned


@dataclass(frozen=True)
class ShipmentInfo:
    """A posted shipment and its lines."""

    id: ShipmentId
    number: str
    order_id: OrderId
    order_number: str
    customer_name: str
    shipped_at: dt.datetime
    shipped_by: str
    cogs: Decimal
    lines: tuple[ShippedLine, ...]


@dataclass(frozen=True)
class BackorderLeft:
    """An order line with goods still to come after a shipment."""

    sku: str
    name: str
    unit: str
    quantity: Decimal
    expected_date: dt.date | None


@dataclass(frozen=True)
class ShipmentPosted:
    """What ``ship_order`` did."""

    shipment: ShipmentInfo
    order_status: OrderStatus
    order_status_text: str
    backorder: tuple[BackorderLeft, ...]
    message: str


@dataclass(frozen=True)
class ReturnPosted:
    """What ``return_goods`` did."""

    return_id: int
    shipment_number: str
    order_number: str
    sku: str
    quantity: Decimal
    disposition: ReturnDisposition
    bin_code: str
    unit_cost: Decimal
    value: Decimal
    return_move_id: int
    scrap_move_id: int | None
    message: str


def _qty(value: Decimal) -> str:
    return format_number(value)


def _cogs(quantity: Decimal, unit_cost: Decimal) -> Decimal:
    # qty (3 decimals) × cost (4 decimals) has 7; money is kept to 4, rounded half up.
    return (quantity * unit_cost).quantize(MONEY_QUANTUM, rounding=ROUND_HALF_UP)


def _user_name(session: Session, user_id: int | None) -> str:
    if user_id is None:
        return ""
    row = session.execute(
        select(User.display_name, User.username).where(User.id == user_id)
    ).first()
    return (row[0] or row[1]) if row else ""


# --- shipping ----------------------------------------------------------------------------


def ship_order(session: Session, user_id: UserId, order_id: int) -> ShipmentPosted:
    """Post everything picked and not yet shipped as one shipment. All or nothing."""
    order = load_order(session, order_id, lock=True)
    if order.status is not OrderStatus.PICKING:
        if order.status in (OrderStatus.CONFIRMED, OrderStatus.PARTLY_SHIPPED):
            raise ValidationError(
                _("Nothing of {number} has been picked yet: pick the goods first.").format(
                    number=order.number
                )
            )
        raise ValidationError(
            _("{number} is {status}; there is nothing to ship.").format(
                number=order.number, status=status_label(order.status).lower()
            )
        )
    fold = pick_fold(session, order.id)
    if not fold.picked:
        raise ValidationError(
            _("Nothing of {number} has been picked yet: pick the goods first.").format(
                number=order.number
            )
        )
    lines = {
        line.id: line
        for line in session.scalars(
            select(CustomerOrderLine).where(CustomerOrderLine.order_id == order.id)
        )
    }
    items = {
        item.id: item
        for item in session.scalars(
            select(Item).where(Item.id.in_({line.item_id for line in lines.values()}))
        )
    }
    lock_items(session, items)
    picked_per_line: dict[int, Decimal] = {}
    for (line_id, _bin, _lot), qty in fold.picked.items():
        picked_per_line[line_id] = picked_per_line.get(line_id, ZERO) + qty
    for line_id, qty in picked_per_line.items():
        line = lines[line_id]
        if qty > line.reserved_qty:
            # Only possible if the order changed under the picker (another workstation).
            item = items[line.item_id]
            raise ValidationError(
                _(
                    "{qty} {unit} of {sku} are picked but only {reserved} are reserved for "
                    "{number}. Undo the extra picks and put the goods back."
                ).format(
                    qty=_qty(qty),
                    unit=item.unit,
                    sku=item.sku,
                    reserved=_qty(line.reserved_qty),
                    number=order.number,
                )
            )
    seq, number = next_number(session, Shipment.seq, NUMBER_PREFIX, SHIPMENT_NUMBER_LOCK)
    shipment = Shipment(
        seq=seq,
        number=number,
        order_id=order.id,
        last_pick_event_id=fold.last_event_id,
        cogs=ZERO,
        shipped_by=user_id,
        shipped_at=utcnow(),
    )
    session.add(shipment)
    session.flush()
    customers = virtual_location_id(session, LocationKind.CUSTOMER)
    total = ZERO
    bin_codes = dict(
        session.execute(
            select(Location.id, Location.code).where(
                Location.id.in_({bin_id for (_l, bin_id, _t) in fold.picked})
            )
        )
        .tuples()
        .all()
    )
    # Bin path order, so the moves read like the walk that picked them.
    for (line_id, bin_id, lot_id), qty in sorted(
        fold.picked.items(), key=lambda kv: (lines[kv[0][0]].line_no, bin_codes[kv[0][1]])
    ):
        line = lines[line_id]
        move = ledger.post_move(
            session,
            item_id=line.item_id,
            quantity=qty,
            from_location_id=bin_id,
            to_location_id=customers,
            kind=MoveKind.ISSUE,
            user_id=user_id,
            lot_id=lot_id,
            reference=order.number,
        )
        cogs = _cogs(qty, move.unit_cost)
        total += cogs
        session.add(
            ShipmentLine(
                shipment_id=shipment.id,
                order_line_id=line.id,
                item_id=line.item_id,
                lot_id=lot_id,
                bin_id=bin_id,
                quantity=qty,
                unit_cost=move.unit_cost,
                cogs=cogs,
                move_id=move.id,
            )
        )
    notes: list[str] = []
    for line_id, qty in picked_per_line.items():
        line = lines[line_id]
        line.shipped_qty += qty
        line.reserved_qty -= qty
    for line_id, (short, _reason, _text) in fold.short.items():
        note = move_to_backorder(session, lines[line_id], short)
        if note:
            notes.append(note)
    complete = all(line.shipped_qty >= line.quantity for line in lines.values())
    order.status = OrderStatus.SHIPPED if complete else OrderStatus.PARTLY_SHIPPED
    order.updated_at = utcnow()
    shipment.cogs = total
    session.flush()
    record_audit(
        session,
        user_id,
        "ship",
        "customer_order",
        order.id,
        {
            "number": order.number,
            "shipment": number,
            "cogs": str(total),
            "short": {str(k): str(v[0]) for k, v in fold.short.items()},
        },
    )
    info = get_shipment(session, shipment.id)
    backorder = tuple(
        BackorderLeft(
            sku=items[line.item_id].sku,
            name=items[line.item_id].name,
            unit=items[line.item_id].unit,
            quantity=line.quantity - line.shipped_qty,
            expected_date=line.expected_date if line.backorder_qty > 0 else None,
        )
        for line in sorted(lines.values(), key=lambda ln: ln.line_no)
        if line.shipped_qty < line.quantity
    )
    message = ngettext(
        "{shipment} posted for {number}: {n} line shipped.",
        "{shipment} posted for {number}: {n} lines shipped.",
        len(picked_per_line),
    ).format(shipment=number, number=order.number, n=len(picked_per_line))
    if backorder:
        message += " " + ngettext(
            "{n} line is still to come.", "{n} lines are still to come.", len(backorder)
        ).format(n=len(backorder))
    if notes:
        message += " " + " ".join(notes)
    return ShipmentPosted(
        shipment=info,
        order_status=order.status,
        order_status_text=status_label(order.status),
        backorder=backorder,
        message=message,
    )


# --- reading -----------------------------------------------------------------------------


def _load(session: Session, shipment_id: int) -> Shipment:
    shipment = session.get(Shipment, shipment_id)
    if shipment is None:
        raise NotFoundError(_("Shipment {id} does not exist.").format(id=shipment_id))
    return shipment


def _info(session: Session, shipment: Shipment) -> ShipmentInfo:
    order = load_order(session, shipment.order_id)
    customer = session.scalar(select(Customer.name).where(Customer.id == order.customer_id))
    returned = dict(
        session.execute(
            select(CustomerReturn.shipment_line_id, func.sum(CustomerReturn.quantity))
            .join(ShipmentLine, ShipmentLine.id == CustomerReturn.shipment_line_id)
            .where(ShipmentLine.shipment_id == shipment.id)
            .group_by(CustomerReturn.shipment_line_id)
        )
        .tuples()
        .all()
    )
    rows = session.execute(
        select(ShipmentLine, Item.sku, Item.name, Item.unit, Lot.code, Lot.expiry, Location.code)
        .join(Item, Item.id == ShipmentLine.item_id)
        .join(Location, Location.id == ShipmentLine.bin_id)
        .join(CustomerOrderLine, CustomerOrderLine.id == ShipmentLine.order_line_id)
        .outerjoin(Lot, Lot.id == ShipmentLine.lot_id)
        .where(ShipmentLine.shipment_id == shipment.id)
        .order_by(CustomerOrderLine.line_no, ShipmentLine.id)
    ).tuples()
    lines = tuple(
        ShippedLine(
            id=sl.id,
            move_id=sl.move_id,
            order_line_id=sl.order_line_id,
            item_id=sl.item_id,
            sku=sku,
            name=name,
            unit=unit,
            lot=lot or "",
            expiry=expiry,
            bin_id=sl.bin_id,
            bin_code=bin_code,
            quantity=sl.quantity,
            unit_cost=sl.unit_cost,
            cogs=sl.cogs,
            returned=returned.get(sl.id, ZERO),
        )
        for sl, sku, name, unit, lot, expiry, bin_code in rows
    )
    return ShipmentInfo(
        id=ShipmentId(shipment.id),
        number=shipment.number,
        order_id=OrderId(order.id),
        order_number=order.number,
        customer_name=customer or "",
        shipped_at=shipment.shipped_at,
        shipped_by=_user_name(session, shipment.shipped_by),
        cogs=shipment.cogs,
        lines=lines,
    )


def get_shipment(session: Session, shipment_id: int) -> ShipmentInfo:
    """One shipment with its lines."""
    return _info(session, _load(session, shipment_id))


def list_shipments(session: Session, order_id: int) -> list[ShipmentInfo]:
    """An order's shipments, oldest first."""
    load_order(session, order_id)
    return [
        _info(session, shipment)
        for shipment in session.scalars(
            select(Shipment).where(Shipment.order_id == order_id).order_by(Shipment.seq)
        )
    ]


def shipment_id_by_number(session: Session, text: str) -> ShipmentId:
    """The shipment a typed or scanned number names (``DN-1001``, ``1001``)."""
    seq = number_seq(text, _NUMBER_PATTERN)
    shipment_id = (
        session.scalar(select(Shipment.id).where(Shipment.seq == seq)) if seq is not None else None
    )
    if shipment_id is None:
        raise NotFoundError(_("There is no shipment {number}.").format(number=text.strip()))
    return ShipmentId(shipment_id)


def latest_shipment_id(session: Session, order_id: int) -> ShipmentId:
    """The order's newest shipment, or a NotFoundError that says there is none."""
    order = load_order(session, order_id)
    shipment_id = session.scalar(
        select(Shipment.id).where(Shipment.order_id == order.id).order_by(Shipment.seq.desc())
    )
    if shipment_id is None:
        raise NotFoundError(
            _("{number} has not been shipped yet, so it has no delivery note.").format(
                number=order.number
            )
        )
    return ShipmentId(shipment_id)


# --- the delivery note -------------------------------------------------------------------


def delivery_note_data(session: Session, shipment_id: int) -> DeliveryNotePdf:
    """Everything the delivery note of one shipment shows, as plain data."""
    shipment = _load(session, shipment_id)
    info = _info(session, shipment)
    order = load_order(session, shipment.order_id)
    customer = session.get(Customer, order.customer_id)
    assert customer is not None
    order_lines = session.execute(
        select(CustomerOrderLine, Item.sku, Item.name, Item.unit)
        .join(Item, Item.id == CustomerOrderLine.item_id)
        .where(CustomerOrderLine.order_id == order.id)
        .order_by(CustomerOrderLine.line_no)
    ).tuples()
    before = dict(
        session.execute(
            select(ShipmentLine.order_line_id, func.sum(ShipmentLine.quantity))
            .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
            .where(Shipment.order_id == order.id, Shipment.seq < shipment.seq)
            .group_by(ShipmentLine.order_line_id)
        )
        .tuples()
        .all()
    )
    now: dict[int, Decimal] = {}
    for shipped in info.lines:
        now[shipped.order_line_id] = now.get(shipped.order_line_id, ZERO) + shipped.quantity
    still_open = order.status in (
        OrderStatus.CONFIRMED,
        OrderStatus.PICKING,
        OrderStatus.PARTLY_SHIPPED,
    )
    progress = []
    for line, sku, name, unit in order_lines:
        earlier = before.get(line.id, ZERO)
        this = now.get(line.id, ZERO)
        to_come = max(ZERO, line.quantity - earlier - this) if still_open else ZERO
        progress.append(
            DeliveryNoteOrderLine(
                sku=sku,
                name=name,
                unit=unit,
                ordered=line.quantity,
                shipped_before=earlier,
                shipped_now=this,
                backordered=to_come,
                expected_date=line.expected_date if line.backorder_qty > 0 else None,
            )
        )
    return DeliveryNotePdf(
        number=shipment.number,
        order_number=order.number,
        shipped_at=shipment.shipped_at,
        company=company_party(session),
        customer=Party(customer.name, customer.address, customer.email),
        customer_code=customer.code,
        customer_reference=order.customer_reference,
        shipped_by=info.shipped_by,
        lines=tuple(
            DeliveryNotePdfLine(
                sku=line.sku,
                name=line.name,
                lot=line.lot,
                expiry=line.expiry,
                quantity=line.quantity,
                unit=line.unit,
            )
            for line in info.lines
        ),
        order_lines=tuple(progress),
        note=order.note,
    )


def delivery_note_pdf(session: Session, shipment_id: int) -> bytes:
    """The delivery note of one shipment as PDF bytes."""
    return render_delivery_note(delivery_note_data(session, shipment_id))


# --- returns -----------------------------------------------------------------------------


def return_goods(
    session: Session,
    user_id: UserId,
    shipment_line_id: int,
    quantity: Decimal | str | int,
    *,
    disposition: ReturnDisposition | str = ReturnDisposition.RESTOCK,
    bin_id: int | None = None,
    reason: str = "",
) -> ReturnPosted:
    """Take back shipped goods: onto a shelf (``bin_id``, default the bin they were picked
    from) at the cost they left with, or to scrap (managers only). All or nothing."""
    shipped = session.get(ShipmentLine, shipment_line_id)
    if shipped is None:
        raise NotFoundError(_("Shipment line {id} does not exist.").format(id=shipment_line_id))
    shipment = _load(session, shipped.shipment_id)
    order = load_order(session, shipment.order_id, lock=True)
    item = session.get(Item, shipped.item_id)
    assert item is not None
    try:
        where_to = ReturnDisposition(disposition)
    except ValueError:
        raise ValidationError(
            _("Say where the returned goods go: back on the shelf, or to scrap."),
            field="disposition",
        ) from None
    qty = ledger.parse_quantity(quantity)
    reason = reason.strip()
    if len(reason) > 200:
        raise ValidationError(_("A reason can be at most 200 characters."), field="reason")
    if where_to is ReturnDisposition.SCRAP:
        if not reason:
            raise ValidationError(_("Say why the returned goods are scrapped."), field="reason")
        require_role(
            session,
            user_id,
            Role.MANAGER,
            _("Only a manager can scrap returned goods; put them on a shelf instead."),
        )
    lock_items(session, [item.id])
    already = session.scalar(
        select(func.coalesce(func.sum(CustomerReturn.quantity), 0)).where(
            CustomerReturn.shipment_line_id == shipped.id
        )
    )
    left = shipped.quantity - Decimal(already or 0)
    if qty > left:
        raise ValidationError(
            _(
                "Only {left} {unit} of {sku} on {shipment} can still come back "
                "({shipped} shipped); {qty} is too many."
            ).format(
                left=_qty(left),
                unit=item.unit,
                sku=item.sku,
                shipment=shipment.number,
                shipped=_qty(shipped.quantity),
                qty=_qty(qty),
            ),
            field="quantity",
        )
    target = bin_id if bin_id is not None else shipped.bin_id
    row = session.execute(
        select(Location.code, Location.kind, Location.active).where(Location.id == target)
    ).first()
    if row is None or row[1] is not LocationKind.INTERNAL:
        raise ValidationError(
            _("Returned goods go back into a bin of the warehouse; choose a bin."), field="bin"
        )
    bin_code, _kind, active = row
    if not active:
        raise ValidationError(
            _("Bin {code} is inactive. Choose another bin.").format(code=bin_code), field="bin"
        )
    reference = f"{order.number} {shipment.number}"
    back = ledger.post_move(
        session,
        item_id=item.id,
        quantity=qty,
        from_location_id=virtual_location_id(session, LocationKind.CUSTOMER),
        to_location_id=target,
        kind=MoveKind.RETURN,
        user_id=user_id,
        lot_id=shipped.lot_id,
        unit_cost=shipped.unit_cost,
        reference=reference,
    )
    scrapped = None
    if where_to is ReturnDisposition.SCRAP:
        # Takes the return's own cost layer, so the scrap is valued at what came back.
        scrapped = ledger.post_move(
            session,
            item_id=item.id,
            quantity=qty,
            from_location_id=target,
            to_location_id=virtual_location_id(session, LocationKind.SCRAP),
            kind=MoveKind.SCRAP,
            user_id=user_id,
            lot_id=shipped.lot_id,
            reference=reference,
            prefer_layer_of_move=back.id,
        )
    record = CustomerReturn(
        shipment_line_id=shipped.id,
        quantity=qty,
        disposition=where_to,
        bin_id=target,
        unit_cost=shipped.unit_cost,
        reason=reason,
        return_move_id=back.id,
        scrap_move_id=scrapped.id if scrapped else None,
        user_id=user_id,
        at=utcnow(),
    )
    session.add(record)
    session.flush()
    value = _cogs(qty, shipped.unit_cost)
    record_audit(
        session,
        user_id,
        "return",
        "customer_order",
        order.id,
        {
            "number": order.number,
            "shipment": shipment.number,
            "sku": item.sku,
            "quantity": str(qty),
            "disposition": where_to.value,
            "value": str(value),
            "reason": reason,
        },
    )
    if where_to is ReturnDisposition.RESTOCK:
        allocate_backorders(session, [item.id], user_id)
        message = _("{qty} {unit} of {sku} returned to bin {code}.").format(
            qty=_qty(qty), unit=item.unit, sku=item.sku, code=bin_code
        )
    else:
        message = _("{qty} {unit} of {sku} returned and scrapped.").format(
            qty=_qty(qty), unit=item.unit, sku=item.sku
        )
    return ReturnPosted(
        return_id=record.id,
        shipment_number=shipment.number,
        order_number=order.number,
        sku=item.sku,
        quantity=qty,
        disposition=where_to,
        bin_code=bin_code,
        unit_cost=shipped.unit_cost,
        value=value,
        return_move_id=back.id,
        scrap_move_id=scrapped.id if scrapped else None,
        message=message,
    )
