"""What customer orders have committed, as purchase proposals (issue 7) read it.

This module is the contract between order entry and purchasing:

- ``item_commitments`` — per item, what open orders have reserved, what they have on
  backorder, and the quantity open zero-point purchase needs still want bought
  (``zero_point_open``: the needs' ``order_qty``, pack and minimum rounding included).
  A zero-point line's backorder is also in ``backordered``; its need is what buys it.
- ``open_purchase_needs`` — the zero-point needs waiting to be bought, with the order
  and customer they are for, so the proposals page can say why each exists.
- ``mark_needs_ordered`` — link needs to the purchase order lines that buy them. A need
  that is not open is refused, so accepting a proposal twice never buys a line twice.

A need whose purchase order line was later taken off a draft order (the link is cleared
by the database, ``ON DELETE SET NULL``) counts as open again: nothing buys it any more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import (
    Customer,
    CustomerOrder,
    CustomerOrderLine,
    Item,
    NeedStatus,
    OrderStatus,
    PurchaseNeed,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    utcnow,
)
from app.services.errors import NotFoundError, ValidationError
from app.services.users import record_audit

ZERO = Decimal(0)
# Orders that hold reservations and backorders.
ACTIVE_STATUSES = (OrderStatus.CONFIRMED, OrderStatus.PICKING, OrderStatus.PARTLY_SHIPPED)


class ItemCommitment(NamedTuple):
    """What open customer orders hold of one item."""

    item_id: int
    reserved: Decimal
    backordered: Decimal
    zero_point_open: Decimal


class NeedRow(NamedTuple):
    """An open zero-point purchase need and the order line it is for."""

    need_id: int
    item_id: int
    supplier_id: int | None
    order_number: str
    customer_name: str
    order_line_id: int
    needed_qty: Decimal
    order_qty: Decimal
    excess: Decimal
    required_date: dt.date | None
    status: str


def need_is_open() -> ColumnElement[bool]:
    """Open, or marked ordered but its purchase order line has since been removed."""
    return or_(
        PurchaseNeed.status == NeedStatus.OPEN,
        and_(
            PurchaseNeed.status == NeedStatus.ORDERED,
            PurchaseNeed.purchase_order_line_id.is_(None),
        ),
    )


def item_commitments(
    session: Session, item_ids: Collection[int] | None = None
) -> dict[int, ItemCommitment]:
    """Reserved, backordered and open zero-point quantities per item (``None``: all items).

    Items with nothing committed may be absent from the result.
    """
    ids = None if item_ids is None else list(item_ids)
    if ids is not None and not ids:
        return {}
    lines = (
        select(
            CustomerOrderLine.item_id,
            func.sum(CustomerOrderLine.reserved_qty),
            func.sum(CustomerOrderLine.backorder_qty),
        )
        .join(CustomerOrder, CustomerOrder.id == CustomerOrderLine.order_id)
        .where(
            CustomerOrder.status.in_(ACTIVE_STATUSES),
            or_(CustomerOrderLine.reserved_qty > 0, CustomerOrderLine.backorder_qty > 0),
        )
        .group_by(CustomerOrderLine.item_id)
    )
    needs = (
        select(PurchaseNeed.item_id, func.sum(PurchaseNeed.order_qty))
        .where(need_is_open())
        .group_by(PurchaseNeed.item_id)
    )
    if ids is not None:
        lines = lines.where(CustomerOrderLine.item_id.in_(ids))
        needs = needs.where(PurchaseNeed.item_id.in_(ids))
    held: dict[int, tuple[Decimal, Decimal]] = {
        item_id: (reserved or ZERO, backordered or ZERO)
        for item_id, reserved, backordered in session.execute(lines).tuples()
    }
    wanted: dict[int, Decimal] = dict(session.execute(needs).tuples().all())
    return {
        item_id: ItemCommitment(
            item_id,
            held.get(item_id, (ZERO, ZERO))[0],
            held.get(item_id, (ZERO, ZERO))[1],
            wanted.get(item_id, ZERO),
        )
        for item_id in held.keys() | wanted.keys()
    }


def open_purchase_needs(session: Session) -> list[NeedRow]:
    """Every open zero-point need, oldest first, with its order and customer."""
    rows = session.execute(
        select(
            PurchaseNeed,
            CustomerOrder.number,
            Customer.name,
        )
        .join(CustomerOrderLine, CustomerOrderLine.id == PurchaseNeed.order_line_id)
        .join(CustomerOrder, CustomerOrder.id == CustomerOrderLine.order_id)
        .join(Customer, Customer.id == CustomerOrder.customer_id)
        .where(need_is_open())
        .order_by(PurchaseNeed.id)
    ).tuples()
    return [
        NeedRow(
            need_id=need.id,
            item_id=need.item_id,
            supplier_id=need.supplier_id,
            order_number=number,
            customer_name=customer,
            order_line_id=need.order_line_id,
            needed_qty=need.needed_qty,
            order_qty=need.order_qty,
            excess=need.excess,
            required_date=need.required_date,
            status=NeedStatus.OPEN.value,
        )
        for need, number, customer in rows
    ]


def mark_needs_ordered(session: Session, links: Sequence[tuple[int, int]]) -> None:
    """Record that each need ``(need_id, purchase_order_line_id)`` is bought by that line.

    All or nothing: a need that is not open (already ordered, or withdrawn because its
    order was cancelled), a purchase order line for another item, or a cancelled order is
    refused with a message naming it, and nothing is marked. The order line's expected
    date becomes the purchase order line's delivery date when it has one.
    """
    if not links:
        return
    need_ids = [need_id for need_id, _line in links]
    if len(set(need_ids)) != len(need_ids):
        raise ValidationError(_("A purchase need can be bought only once; it is listed twice."))
    needs = {
        need.id: need
        for need in session.scalars(
            select(PurchaseNeed).where(PurchaseNeed.id.in_(need_ids)).with_for_update()
        )
    }
    now = utcnow()
    marked: list[tuple[int, int]] = []
    for need_id, po_line_id in links:
        need = needs.get(need_id)
        if need is None:
            raise NotFoundError(_("Purchase need {id} does not exist.").format(id=need_id))
        number, sku = session.execute(
            select(CustomerOrder.number, Item.sku)
            .join(CustomerOrderLine, CustomerOrderLine.order_id == CustomerOrder.id)
            .join(Item, Item.id == CustomerOrderLine.item_id)
            .where(CustomerOrderLine.id == need.order_line_id)
        ).one()
        reopened = need.status is NeedStatus.ORDERED and need.purchase_order_line_id is None
        if need.status is not NeedStatus.OPEN and not reopened:
            if need.status is NeedStatus.ORDERED:
                po_number = session.scalar(
                    select(PurchaseOrder.number)
                    .join(
                        PurchaseOrderLine, PurchaseOrderLine.purchase_order_id == PurchaseOrder.id
                    )
                    .where(PurchaseOrderLine.id == need.purchase_order_line_id)
                )
                raise ValidationError(
                    _(
                        "{sku} for {order} is already on purchase order {po}; it is not "
                        "bought twice. Refresh the proposals."
                    ).format(sku=sku, order=number, po=po_number or "?")
                )
            raise ValidationError(
                _(
                    "{sku} for {order} is no longer needed (the order was cancelled or "
                    "filled from stock). Refresh the proposals."
                ).format(sku=sku, order=number)
            )
        po_line = session.execute(
            select(PurchaseOrderLine, PurchaseOrder.status, PurchaseOrder.delivery_date)
            .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
            .where(PurchaseOrderLine.id == po_line_id)
        ).first()
        if po_line is None:
            raise NotFoundError(_("Purchase order line {id} does not exist.").format(id=po_line_id))
        line, po_status, delivery = po_line
        if line.item_id != need.item_id:
            raise ValidationError(
                _(
                    "The need for {sku} ({order}) cannot be bought by a purchase order line "
                    "for another item."
                ).format(sku=sku, order=number)
            )
        if po_status is PurchaseOrderStatus.CANCELLED:
            raise ValidationError(
                _("A cancelled purchase order cannot buy the need for {sku} ({order}).").format(
                    sku=sku, order=number
                )
            )
        need.status = NeedStatus.ORDERED
        need.purchase_order_line_id = line.id
        need.ordered_at = now
        expected = line.expected_date or delivery
        if expected is not None:
            order_line = session.get(CustomerOrderLine, need.order_line_id)
            if order_line is not None and order_line.backorder_qty > 0:
                order_line.expected_date = expected
        marked.append((need_id, po_line_id))
    session.flush()
    record_audit(
        session, None, "mark_ordered", "purchase_need", None, {"links": [list(m) for m in marked]}
    )


def reopen_needs_of_cancelled_order(session: Session, po_id: int) -> int:
    """Make the zero-point needs bought by the cancelled purchase order ``po_id`` open
    again, so the next proposals buy them elsewhere; return how many.

    Only needs whose customer order still waits for goods (an active order with a
    backorder) reopen, for what it still waits for (a partly received purchase may have
    served some of it), rounded again to packs and the minimum order. The customer
    order line's expected date, which came from the cancelled purchase, is cleared.
    """
    # orders.py builds on this module; its rounding is imported when needed.
    from app.services.orders import round_to_pack

    rows = session.execute(
        select(PurchaseNeed, CustomerOrderLine)
        .join(PurchaseOrderLine, PurchaseOrderLine.id == PurchaseNeed.purchase_order_line_id)
        .join(CustomerOrderLine, CustomerOrderLine.id == PurchaseNeed.order_line_id)
        .join(CustomerOrder, CustomerOrder.id == CustomerOrderLine.order_id)
        .where(
            PurchaseOrderLine.purchase_order_id == po_id,
            PurchaseNeed.status == NeedStatus.ORDERED,
            CustomerOrder.status.in_(ACTIVE_STATUSES),
            CustomerOrderLine.backorder_qty > 0,
        )
        .with_for_update(of=PurchaseNeed)
    ).tuples()
    reopened = 0
    for need, order_line in rows:
        waiting = order_line.backorder_qty
        if waiting < need.needed_qty:
            need.needed_qty = waiting
            need.order_qty = round_to_pack(waiting, need.pack_size, need.moq)
            need.excess = need.order_qty - waiting
        need.status = NeedStatus.OPEN
        need.purchase_order_line_id = None
        order_line.expected_date = None
        reopened += 1
    session.flush()
    return reopened
