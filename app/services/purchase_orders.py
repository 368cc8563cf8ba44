"""Purchase orders: draft, edit, send, cancel, look up by number, and print as PDF.

An order is numbered ``PO-1001``, ``PO-1002``… in creation order. Its lines hold the
quantity in the item's unit together with the supplier's pack size (ordered in whole
packs, so the PDF can say "4 × 12"), and the price per item unit. Only a draft can be
changed; a sent order is received (partly, then fully) through ``receiving``, or
cancelled, which closes what is still outstanding.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, NewType

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.i18n import N_, _, format_number
from app.models import (
    Item,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Supplier,
    SupplierItem,
    User,
    utcnow,
)
from app.reports.values import Party, round_money
from app.services.commitments import reopen_needs_of_cancelled_order
from app.services.errors import NotFoundError, ValidationError
from app.services.ledger import parse_money, parse_quantity
from app.services.numbering import next_number, number_seq
from app.services.parsing import parse_date
from app.services.settings import get_setting
from app.services.users import UserId, record_audit

if TYPE_CHECKING:
    # reportlab is loaded when a PDF is first made, not when the window starts.
    from app.reports.purchase_order import PurchaseOrderPdf

PurchaseOrderId = NewType("PurchaseOrderId", int)

NUMBER_PREFIX = "PO-"
# Keys for PostgreSQL's transaction-scoped advisory locks: two workstations creating an
# order at once must not both take the next number (SQLite's BEGIN IMMEDIATE already
# lets only one writer in).
PO_NUMBER_LOCK = 4_201_001
_NUMBER_PATTERN = re.compile(r"^(?:PO-?)?(\d{1,9})$", re.IGNORECASE)

STATUS_LABELS = {
    PurchaseOrderStatus.DRAFT: N_("Draft"),
    PurchaseOrderStatus.SENT: N_("Sent"),
    PurchaseOrderStatus.PARTLY_RECEIVED: N_("Partly received"),
    PurchaseOrderStatus.RECEIVED: N_("Received"),
    PurchaseOrderStatus.CANCELLED: N_("Cancelled"),
}
# Orders goods can still arrive against.
RECEIVABLE = (PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTLY_RECEIVED)


def status_label(status: PurchaseOrderStatus) -> str:
    """The status as people read it, in the current language."""
    return _(STATUS_LABELS[status])


@dataclass(frozen=True)
class PurchaseOrderLineInput:
    """A line to put on a new order; empty fields come from the supplier's item terms.

    ``quantity`` is in the item's unit and must be whole packs of ``pack_size``.
    """

    item_id: int
    quantity: Decimal | str | int
    pack_size: Decimal | str | int | None = None
    unit_price: Decimal | str | int | None = None
    supplier_sku: str | None = None
    expected_date: dt.date | str | None = None


@dataclass(frozen=True)
class PurchaseOrderLineInfo:
    """An order line with what has come in so far."""

    id: int
    line_no: int
    item_id: int
    sku: str
    name: str
    unit: str
    supplier_sku: str
    pack_size: Decimal
    packs: Decimal
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    expected_date: dt.date | None
    received: Decimal
    outstanding: Decimal


@dataclass(frozen=True)
class PurchaseOrderDetail:
    """One order with its lines, for the editor, the receiving screen and the PDF."""

    id: PurchaseOrderId
    number: str
    status: PurchaseOrderStatus
    status_text: str
    supplier_id: int
    supplier_code: str
    supplier_name: str
    currency: str
    order_date: dt.date
    delivery_date: dt.date | None
    note: str
    created_by: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    lines: tuple[PurchaseOrderLineInfo, ...]
    total: Decimal

    @property
    def editable(self) -> bool:
        """Only a draft can be changed."""
        return self.status is PurchaseOrderStatus.DRAFT

    @property
    def receivable(self) -> bool:
        """Goods can be received against a sent or partly received order."""
        return self.status in RECEIVABLE


@dataclass(frozen=True)
class PurchaseOrderRow:
    """An order as the list of orders shows it."""

    id: PurchaseOrderId
    number: str
    status: PurchaseOrderStatus
    status_text: str
    supplier_code: str
    supplier_name: str
    order_date: dt.date
    delivery_date: dt.date | None
    lines: int
    total: Decimal
    currency: str


# --- helpers -----------------------------------------------------------------------------


def _load(session: Session, po_id: int, *, lock: bool = False) -> PurchaseOrder:
    po = session.get(PurchaseOrder, po_id, with_for_update=lock or None)
    if po is None:
        raise NotFoundError(_("Purchase order {id} does not exist.").format(id=po_id))
    return po


def _require_draft(po: PurchaseOrder) -> None:
    if po.status is PurchaseOrderStatus.DRAFT:
        return
    if po.status is PurchaseOrderStatus.CANCELLED:
        raise ValidationError(
            _("{number} is cancelled and cannot be changed. Make a new order instead.").format(
                number=po.number
            )
        )
    raise ValidationError(
        _(
            "{number} has been sent to the supplier ({status}) and cannot be changed. "
            "Cancel it and make a new order, or agree the change with the supplier."
        ).format(number=po.number, status=status_label(po.status).lower())
    )


def _date_or_none(value: dt.date | str | None, field: str, today: dt.date) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    day = parse_date(value, field)
    if day < today:
        raise ValidationError(
            _("The delivery date {date} is in the past. Choose today or a later day.").format(
                date=day.isoformat()
            ),
            field=field,
        )
    return day


def _item(session: Session, item_id: int) -> Item:
    item = session.get(Item, item_id)
    if item is None:
        raise NotFoundError(_("Item {id} does not exist.").format(id=item_id))
    if not item.active:
        raise ValidationError(
            _("{sku} is inactive and cannot be ordered. Activate it first.").format(sku=item.sku),
            field="item",
        )
    return item


def _check_whole_packs(item: Item, quantity: Decimal, pack_size: Decimal) -> None:
    if quantity % pack_size == 0:
        return
    packs = quantity / pack_size
    lower = packs.to_integral_value(ROUND_FLOOR) * pack_size
    upper = packs.to_integral_value(ROUND_CEILING) * pack_size
    if lower > 0:
        message = _(
            "{sku} comes in packs of {pack} {unit}: order {lower} or {upper}, not {qty}."
        ).format(
            sku=item.sku,
            pack=_plain(pack_size),
            unit=item.unit,
            lower=_plain(lower),
            upper=_plain(upper),
            qty=_plain(quantity),
        )
    else:
        message = _(
            "{sku} comes in packs of {pack} {unit}: order at least {upper}, not {qty}."
        ).format(
            sku=item.sku,
            pack=_plain(pack_size),
            unit=item.unit,
            upper=_plain(upper),
            qty=_plain(quantity),
        )
    raise ValidationError(message, field="quantity")


def _plain(value: Decimal) -> str:
    return format_number(value)


def _supplier_terms(session: Session, supplier_id: int, item_id: int) -> SupplierItem | None:
    return session.scalar(
        select(SupplierItem).where(
            SupplierItem.supplier_id == supplier_id, SupplierItem.item_id == item_id
        )
    )


def _new_line(
    session: Session, po: PurchaseOrder, data: PurchaseOrderLineInput, line_no: int
) -> PurchaseOrderLine:
    item = _item(session, data.item_id)
    clash = session.scalar(
        select(PurchaseOrderLine.line_no).where(
            PurchaseOrderLine.purchase_order_id == po.id,
            PurchaseOrderLine.item_id == item.id,
        )
    )
    if clash is not None:
        raise ValidationError(
            _("{sku} is already on line {line} of {number}: change that line instead.").format(
                sku=item.sku, line=clash, number=po.number
            ),
            field="item",
        )
    terms = _supplier_terms(session, po.supplier_id, item.id)
    quantity = parse_quantity(data.quantity)
    if data.pack_size is not None and str(data.pack_size).strip():
        pack_size = parse_quantity(data.pack_size, field="pack_size")
    else:
        pack_size = terms.pack_size if terms is not None else Decimal(1)
    _check_whole_packs(item, quantity, pack_size)
    if data.unit_price is not None and str(data.unit_price).strip():
        price = parse_money(data.unit_price, field="unit_price")
    elif terms is not None:
        price = terms.price
    else:
        raise ValidationError(
            _(
                "The supplier has no price for {sku}. Type the price per {unit}, "
                "or add the item's terms to the supplier."
            ).format(sku=item.sku, unit=item.unit),
            field="unit_price",
        )
    supplier_sku = (
        data.supplier_sku.strip()
        if data.supplier_sku is not None
        else (terms.supplier_sku if terms is not None else "")
    )
    if len(supplier_sku) > 64:
        raise ValidationError(
            _("A supplier SKU can be at most 64 characters."), field="supplier_sku"
        )
    expected = _date_or_none(data.expected_date, "expected_date", dt.date.today())
    line = PurchaseOrderLine(
        purchase_order_id=po.id,
        line_no=line_no,
        item_id=item.id,
        supplier_sku=supplier_sku,
        pack_size=pack_size,
        quantity=quantity,
        unit_price=price,
        expected_date=expected,
        received_qty=Decimal(0),
    )
    session.add(line)
    return line


def _next_line_no(session: Session, po_id: int) -> int:
    last = session.scalar(
        select(func.max(PurchaseOrderLine.line_no)).where(
            PurchaseOrderLine.purchase_order_id == po_id
        )
    )
    return (last or 0) + 1


def _touch(po: PurchaseOrder) -> None:
    # Line edits change the order too; its updated_at says when it last changed.
    po.updated_at = utcnow()


# --- use cases ---------------------------------------------------------------------------


def create_purchase_order(
    session: Session,
    user_id: UserId,
    supplier_id: int,
    *,
    delivery_date: dt.date | str | None = None,
    note: str = "",
    lines: tuple[PurchaseOrderLineInput, ...] | list[PurchaseOrderLineInput] = (),
) -> PurchaseOrderDetail:
    """A new draft order to ``supplier_id``, numbered next, with ``lines`` if given.

    The delivery date defaults to today plus the supplier's lead time.
    """
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFoundError(_("Supplier {id} does not exist.").format(id=supplier_id))
    if not supplier.active:
        raise ValidationError(
            _("Supplier {code} is inactive. Activate the supplier before ordering.").format(
                code=supplier.code
            ),
            field="supplier",
        )
    today = dt.date.today()
    delivery = _date_or_none(delivery_date, "delivery_date", today)
    if delivery is None and delivery_date is None:
        delivery = today + dt.timedelta(days=supplier.lead_time_days)
    note = note.strip()
    if len(note) > 500:
        raise ValidationError(_("A note can be at most 500 characters."), field="note")
    seq, number = next_number(session, PurchaseOrder.seq, NUMBER_PREFIX, PO_NUMBER_LOCK)
    po = PurchaseOrder(
        seq=seq,
        number=number,
        supplier_id=supplier.id,
        status=PurchaseOrderStatus.DRAFT,
        currency=supplier.currency,
        order_date=today,
        delivery_date=delivery,
        note=note,
        created_by=user_id,
    )
    session.add(po)
    session.flush()
    for line_no, data in enumerate(lines, start=1):
        _new_line(session, po, data, line_no)
        session.flush()
    record_audit(session, user_id, "create", "purchase_order", po.id, {"number": number})
    return get_purchase_order(session, po.id)


def update_purchase_order(
    session: Session,
    user_id: UserId,
    po_id: int,
    *,
    delivery_date: dt.date | str | None,
    note: str,
) -> PurchaseOrderDetail:
    """Change a draft's delivery date (None: not set) and note."""
    po = _load(session, po_id, lock=True)
    _require_draft(po)
    note = note.strip()
    if len(note) > 500:
        raise ValidationError(_("A note can be at most 500 characters."), field="note")
    po.delivery_date = _date_or_none(delivery_date, "delivery_date", dt.date.today())
    po.note = note
    session.flush()
    record_audit(session, user_id, "update", "purchase_order", po.id, {"number": po.number})
    return get_purchase_order(session, po.id)


def add_line(
    session: Session,
    user_id: UserId,
    po_id: int,
    item_id: int,
    quantity: Decimal | str | int,
    *,
    pack_size: Decimal | str | int | None = None,
    unit_price: Decimal | str | int | None = None,
    supplier_sku: str | None = None,
    expected_date: dt.date | str | None = None,
) -> PurchaseOrderDetail:
    """Add an item to a draft; pack size, price and supplier SKU default to the supplier's."""
    po = _load(session, po_id, lock=True)
    _require_draft(po)
    line = _new_line(
        session,
        po,
        PurchaseOrderLineInput(
            item_id=item_id,
            quantity=quantity,
            pack_size=pack_size,
            unit_price=unit_price,
            supplier_sku=supplier_sku,
            expected_date=expected_date,
        ),
        _next_line_no(session, po.id),
    )
    _touch(po)
    session.flush()
    record_audit(session, user_id, "add_line", "purchase_order", po.id, {"line": line.line_no})
    return get_purchase_order(session, po.id)


def _load_line(session: Session, line_id: int) -> tuple[PurchaseOrderLine, PurchaseOrder]:
    line = session.get(PurchaseOrderLine, line_id)
    if line is None:
        raise NotFoundError(_("Order line {id} does not exist.").format(id=line_id))
    po = _load(session, line.purchase_order_id, lock=True)
    _require_draft(po)
    return line, po


def update_line(
    session: Session,
    user_id: UserId,
    line_id: int,
    *,
    quantity: Decimal | str | int | None = None,
    pack_size: Decimal | str | int | None = None,
    unit_price: Decimal | str | int | None = None,
    supplier_sku: str | None = None,
    expected_date: dt.date | str | None = None,
) -> PurchaseOrderDetail:
    """Change a line of a draft; arguments left None stay as they are.

    ``expected_date=""`` clears the line's own date (it then follows the order's).
    """
    line, po = _load_line(session, line_id)
    item = _item(session, line.item_id)
    new_quantity = line.quantity if quantity is None else parse_quantity(quantity)
    new_pack = line.pack_size if pack_size is None else parse_quantity(pack_size, field="pack_size")
    _check_whole_packs(item, new_quantity, new_pack)
    new_price = (
        line.unit_price if unit_price is None else parse_money(unit_price, field="unit_price")
    )
    new_sku = line.supplier_sku if supplier_sku is None else supplier_sku.strip()
    if len(new_sku) > 64:
        raise ValidationError(
            _("A supplier SKU can be at most 64 characters."), field="supplier_sku"
        )
    new_date = (
        line.expected_date
        if expected_date is None
        else _date_or_none(expected_date, "expected_date", dt.date.today())
    )
    line.quantity, line.pack_size, line.unit_price = new_quantity, new_pack, new_price
    line.supplier_sku, line.expected_date = new_sku, new_date
    _touch(po)
    session.flush()
    record_audit(session, user_id, "update_line", "purchase_order", po.id, {"line": line.line_no})
    return get_purchase_order(session, po.id)


def remove_line(session: Session, user_id: UserId, line_id: int) -> PurchaseOrderDetail:
    """Take a line off a draft."""
    line, po = _load_line(session, line_id)
    line_no = line.line_no
    session.delete(line)
    _touch(po)
    session.flush()
    record_audit(session, user_id, "remove_line", "purchase_order", po.id, {"line": line_no})
    return get_purchase_order(session, po.id)


def send_purchase_order(session: Session, user_id: UserId, po_id: int) -> PurchaseOrderDetail:
    """Mark a draft as sent to the supplier; from now on it can be received, not edited."""
    po = _load(session, po_id, lock=True)
    _require_draft(po)
    count = session.scalar(select(func.count()).where(PurchaseOrderLine.purchase_order_id == po.id))
    if not count:
        raise ValidationError(
            _("{number} has no lines. Add what to order before sending it.").format(
                number=po.number
            )
        )
    po.status = PurchaseOrderStatus.SENT
    po.sent_at = utcnow()
    session.flush()
    record_audit(session, user_id, "send", "purchase_order", po.id, {"number": po.number})
    return get_purchase_order(session, po.id)


def cancel_purchase_order(
    session: Session, user_id: UserId, po_id: int, reason: str = ""
) -> PurchaseOrderDetail:
    """Cancel an order; for a partly received one this closes the outstanding backorder.

    What was already received stays received. A fully received order cannot be cancelled.
    """
    po = _load(session, po_id, lock=True)
    if po.status is PurchaseOrderStatus.CANCELLED:
        raise ValidationError(_("{number} is already cancelled.").format(number=po.number))
    if po.status is PurchaseOrderStatus.RECEIVED:
        raise ValidationError(
            _("{number} is fully received; there is nothing left to cancel.").format(
                number=po.number
            )
        )
    po.status = PurchaseOrderStatus.CANCELLED
    po.cancelled_at = utcnow()
    session.flush()
    # Customer orders waiting for these goods must not wait for a cancelled purchase.
    reopened = reopen_needs_of_cancelled_order(session, po.id)
    details: dict[str, object] = {"number": po.number, "reason": reason.strip()}
    if reopened:
        details["needs_reopened"] = reopened
    record_audit(session, user_id, "cancel", "purchase_order", po.id, details)
    return get_purchase_order(session, po.id)


def get_purchase_order(session: Session, po_id: int) -> PurchaseOrderDetail:
    """One order with its lines in line order."""
    po = _load(session, po_id)
    supplier = session.get(Supplier, po.supplier_id)
    assert supplier is not None
    creator = session.get(User, po.created_by)
    rows = session.execute(
        select(PurchaseOrderLine, Item.sku, Item.name, Item.unit)
        .join(Item, Item.id == PurchaseOrderLine.item_id)
        .where(PurchaseOrderLine.purchase_order_id == po.id)
        .order_by(PurchaseOrderLine.line_no)
    ).all()
    lines = tuple(
        PurchaseOrderLineInfo(
            id=line.id,
            line_no=line.line_no,
            item_id=line.item_id,
            sku=sku,
            name=name,
            unit=unit,
            supplier_sku=line.supplier_sku,
            pack_size=line.pack_size,
            packs=line.quantity / line.pack_size,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=round_money(line.quantity * line.unit_price),
            expected_date=line.expected_date,
            received=line.received_qty,
            outstanding=max(Decimal(0), line.quantity - line.received_qty),
        )
        for line, sku, name, unit in rows
    )
    return PurchaseOrderDetail(
        id=PurchaseOrderId(po.id),
        number=po.number,
        status=po.status,
        status_text=status_label(po.status),
        supplier_id=supplier.id,
        supplier_code=supplier.code,
        supplier_name=supplier.name,
        currency=po.currency,
        order_date=po.order_date,
        delivery_date=po.delivery_date,
        note=po.note,
        created_by=(creator.display_name or creator.username) if creator else "",
        created_at=po.created_at,
        sent_at=po.sent_at,
        cancelled_at=po.cancelled_at,
        lines=lines,
        total=sum((line.amount for line in lines), Decimal(0)),
    )


def list_purchase_orders(
    session: Session,
    status: PurchaseOrderStatus | None = None,
    supplier_id: int | None = None,
) -> list[PurchaseOrderRow]:
    """Orders, newest first, optionally of one status or supplier."""
    query = (
        select(PurchaseOrder, Supplier.code, Supplier.name)
        .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .order_by(PurchaseOrder.seq.desc())
    )
    if status is not None:
        query = query.where(PurchaseOrder.status == status)
    if supplier_id is not None:
        query = query.where(PurchaseOrder.supplier_id == supplier_id)
    orders = session.execute(query).tuples().all()
    # Totals are summed per line rounded to cents, exactly as the PDF adds them up.
    totals: dict[int, Decimal] = {}
    counts: dict[int, int] = {}
    if orders:
        for po_id, qty, price in session.execute(
            select(
                PurchaseOrderLine.purchase_order_id,
                PurchaseOrderLine.quantity,
                PurchaseOrderLine.unit_price,
            ).where(PurchaseOrderLine.purchase_order_id.in_([po.id for po, _c, _n in orders]))
        ).tuples():
            totals[po_id] = totals.get(po_id, Decimal(0)) + round_money(qty * price)
            counts[po_id] = counts.get(po_id, 0) + 1
    return [
        PurchaseOrderRow(
            id=PurchaseOrderId(po.id),
            number=po.number,
            status=po.status,
            status_text=status_label(po.status),
            supplier_code=code,
            supplier_name=name,
            order_date=po.order_date,
            delivery_date=po.delivery_date,
            lines=counts.get(po.id, 0),
            total=totals.get(po.id, Decimal(0)),
            currency=po.currency,
        )
        for po, code, name in orders
    ]


def find_po_by_number(session: Session, text: str) -> PurchaseOrderDetail | None:
    """The order a scanned or typed number names (``PO-1001``, ``]C0PO-1001``, ``1001``)."""
    seq = number_seq(text, _NUMBER_PATTERN)
    if seq is None:
        return None
    po_id = session.scalar(select(PurchaseOrder.id).where(PurchaseOrder.seq == seq))
    return get_purchase_order(session, po_id) if po_id is not None else None


def company_party(session: Session) -> Party:
    """Our company as documents show it (settings company_name, _address, _email)."""
    return Party(
        name=get_setting(session, "company_name"),
        address=get_setting(session, "company_address"),
        email=get_setting(session, "company_email"),
    )


def po_pdf_data(session: Session, po_id: int) -> PurchaseOrderPdf:
    """Everything the purchase order PDF shows, as plain data."""
    from app.reports.purchase_order import PurchaseOrderPdf, PurchaseOrderPdfLine, total_of

    po = get_purchase_order(session, po_id)
    supplier = session.get(Supplier, po.supplier_id)
    assert supplier is not None
    lines = tuple(
        PurchaseOrderPdfLine(
            supplier_sku=line.supplier_sku,
            sku=line.sku,
            name=line.name,
            packs=line.packs,
            pack_size=line.pack_size,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            amount=line.amount,
            delivery_date=line.expected_date,
        )
        for line in po.lines
    )
    stamp = ""
    if po.status in (PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.CANCELLED):
        stamp = po.status_text
    return PurchaseOrderPdf(
        number=po.number,
        order_date=po.order_date,
        delivery_date=po.delivery_date,
        currency=po.currency,
        company=company_party(session),
        supplier=Party(supplier.name, supplier.address, supplier.email),
        supplier_code=supplier.code,
        our_reference=po.created_by,
        lines=lines,
        total=total_of(lines),
        note=po.note,
        stamp=stamp,
    )


def purchase_order_pdf(session: Session, po_id: int) -> bytes:
    """The purchase order as PDF bytes, ready to print, save or e-mail."""
    from app.reports.purchase_order import render_purchase_order

    return render_purchase_order(po_pdf_data(session, po_id))
