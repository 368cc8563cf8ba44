"""Customers and customer orders: entry, reservation, zero-point purchase needs, picking,
shipments and returns.

An order (``customer_order``) is numbered ``SO-1001``… Its lines carry the order's
commitments as three exact quantities kept by the order services: ``reserved_qty``
(stock held for the line; available = on hand in bins − reserved of open orders),
``backorder_qty`` (what is missing, expected on ``expected_date``) and ``shipped_qty``.
For a line still open, ``reserved + backorder + shipped == quantity``.

A zero-point item's shortfall becomes one ``purchase_need`` per order line (UNIQUE on
the line, so a line is never bought twice): the exact shortfall, the quantity to buy
rounded to the supplier's pack and minimum, and the excess that rounding adds.

Picking is an append-only log (``pick_event``), like receiving's: each scan, typed
quantity, short pick and undo is one INSERT committed as it happens, and the database
refuses to change or delete one (trigger). A shipment names the last event it
consumed, so the picks still to ship are the live events after the last shipment's.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Money, Qty, Timestamp, utcnow
from app.models.enums import enum_column


class OrderStatus(enum.StrEnum):
    """Where a customer order is in its life; only a draft can be edited."""

    DRAFT = "draft"
    CONFIRMED = "confirmed"  # stock reserved, the rest on backorder
    PICKING = "picking"
    PARTLY_SHIPPED = "partly-shipped"
    SHIPPED = "shipped"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class NeedStatus(enum.StrEnum):
    """A zero-point purchase need: waiting to be bought, bought, or no longer wanted."""

    OPEN = "open"
    ORDERED = "ordered"
    WITHDRAWN = "withdrawn"


class PickEventKind(enum.StrEnum):
    """What one row of an order's pick log records."""

    BIN = "bin"  # the bin the picker is at (scanned its label)
    PICK = "pick"  # goods taken: line, item, lot, bin, quantity
    SHORT = "short"  # goods not there: line, quantity missing, reason
    UNDO = "undo"  # cancels the earlier row named by undoes_event_id


class ShortReason(enum.StrEnum):
    """Why a picker could not pick everything."""

    NOT_FOUND = "not-found"
    DAMAGED = "damaged"
    SHORT = "short"
    OTHER = "other"


class ReturnDisposition(enum.StrEnum):
    """Where returned goods went: back on a shelf, or to scrap."""

    RESTOCK = "restock"
    SCRAP = "scrap"


class Customer(Base):
    """A company or person Hylla sells to."""

    __tablename__ = "customer"
    __table_args__ = (
        CheckConstraint("length(code) > 0", name="code_not_empty"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)


class CustomerOrder(Base):
    """An order from a customer, numbered ``SO-1001``, ``SO-1002``…"""

    __tablename__ = "customer_order"
    __table_args__ = (
        CheckConstraint("seq > 0", name="seq_positive"),
        CheckConstraint("length(number) > 0", name="number_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    status: Mapped[OrderStatus] = mapped_column(
        enum_column(OrderStatus, "order_status"), default=OrderStatus.DRAFT, index=True
    )
    currency: Mapped[str] = mapped_column(String(3))
    order_date: Mapped[dt.date] = mapped_column(Date)
    requested_date: Mapped[dt.date | None] = mapped_column(Date)
    customer_reference: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow, onupdate=utcnow)
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    confirmed_at: Mapped[Timestamp | None]
    cancelled_at: Mapped[Timestamp | None]
    closed_at: Mapped[Timestamp | None]


class CustomerOrderLine(Base):
    """One item on a customer order, with what is reserved, on backorder and shipped."""

    __tablename__ = "customer_order_line"
    __table_args__ = (
        UniqueConstraint("order_id", "line_no", name="uq_customer_order_line_line_no"),
        UniqueConstraint("order_id", "item_id", name="uq_customer_order_line_item"),
        CheckConstraint("line_no > 0", name="line_no_positive"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        CheckConstraint("reserved_qty >= 0", name="reserved_not_negative"),
        CheckConstraint("backorder_qty >= 0", name="backorder_not_negative"),
        CheckConstraint("shipped_qty >= 0", name="shipped_not_negative"),
        CheckConstraint(
            "reserved_qty + backorder_qty + shipped_qty <= quantity", name="commitments_in_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id", ondelete="CASCADE"))
    line_no: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    quantity: Mapped[Qty]
    unit_price: Mapped[Money]
    requested_date: Mapped[dt.date | None] = mapped_column(Date)
    reserved_qty: Mapped[Qty] = mapped_column(default=Decimal(0))
    backorder_qty: Mapped[Qty] = mapped_column(default=Decimal(0))
    shipped_qty: Mapped[Qty] = mapped_column(default=Decimal(0))
    expected_date: Mapped[dt.date | None] = mapped_column(Date)


class PurchaseNeed(Base):
    """What a zero-point order line needs bought: exactly its shortfall, rounded up.

    ``order_qty = needed_qty + excess``: the shortfall rounded up to the supplier's pack
    size and minimum order quantity. Once bought it names the purchase order line.
    """

    __tablename__ = "purchase_need"
    __table_args__ = (
        CheckConstraint("needed_qty > 0", name="needed_qty_positive"),
        CheckConstraint("excess >= 0", name="excess_not_negative"),
        CheckConstraint("order_qty = needed_qty + excess", name="order_qty_adds_up"),
        CheckConstraint("pack_size > 0", name="pack_size_positive"),
        CheckConstraint("moq >= 0", name="moq_not_negative"),
        CheckConstraint(
            "status <> 'ordered' OR ordered_at IS NOT NULL", name="ordered_at_when_ordered"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One need per order line: the database itself refuses a second purchase for a line.
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("customer_order_line.id", ondelete="CASCADE"), unique=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id"))
    needed_qty: Mapped[Qty]
    order_qty: Mapped[Qty]
    excess: Mapped[Qty]
    pack_size: Mapped[Qty] = mapped_column(default=Decimal(1))
    moq: Mapped[Qty] = mapped_column(default=Decimal(0))
    required_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[NeedStatus] = mapped_column(
        enum_column(NeedStatus, "purchase_need_status"), default=NeedStatus.OPEN, index=True
    )
    # SET NULL: a line taken off a draft purchase order leaves its needs to buy again.
    purchase_order_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("purchase_order_line.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    ordered_at: Mapped[Timestamp | None]
    withdrawn_at: Mapped[Timestamp | None]


class PickEvent(Base):
    """One scan, typed quantity, short pick, bin change or undo. Never updated or deleted."""

    __tablename__ = "pick_event"
    __table_args__ = (
        CheckConstraint(
            "kind <> 'pick' OR (order_line_id IS NOT NULL AND item_id IS NOT NULL "
            "AND bin_id IS NOT NULL AND quantity > 0)",
            name="pick_complete",
        ),
        CheckConstraint(
            "kind <> 'short' OR (order_line_id IS NOT NULL AND quantity > 0 "
            "AND reason IS NOT NULL)",
            name="short_complete",
        ),
        CheckConstraint("kind <> 'bin' OR bin_id IS NOT NULL", name="bin_names_bin"),
        CheckConstraint("kind <> 'undo' OR undoes_event_id IS NOT NULL", name="undo_names_event"),
        Index("ix_pick_event_order", "order_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"))
    kind: Mapped[PickEventKind] = mapped_column(enum_column(PickEventKind, "pick_event_kind"))
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("customer_order_line.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    bin_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    quantity: Mapped[Qty | None]
    reason: Mapped[ShortReason | None] = mapped_column(enum_column(ShortReason, "short_reason"))
    reason_text: Mapped[str] = mapped_column(String(200), default="")
    scanned_text: Mapped[str] = mapped_column(String(200), default="")
    undoes_event_id: Mapped[int | None] = mapped_column(ForeignKey("pick_event.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[Timestamp] = mapped_column(default=utcnow)


class Shipment(Base):
    """Goods sent to the customer in one posting, numbered ``DN-1001``… (its delivery note).

    ``last_pick_event_id`` is the newest pick event the shipment consumed: the picks of
    the order still to ship are the live events after it.
    """

    __tablename__ = "shipment"
    __table_args__ = (
        CheckConstraint("seq > 0", name="seq_positive"),
        CheckConstraint("cogs >= 0", name="cogs_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"), index=True)
    last_pick_event_id: Mapped[int | None] = mapped_column(ForeignKey("pick_event.id"))
    cogs: Mapped[Money]
    shipped_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    shipped_at: Mapped[Timestamp] = mapped_column(default=utcnow)


class ShipmentLine(Base):
    """One move of a shipment: so much of an item (and lot) from one bin, at its cost."""

    __tablename__ = "shipment_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_cost >= 0", name="unit_cost_not_negative"),
        CheckConstraint("cogs >= 0", name="cogs_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipment.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("customer_order_line.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    bin_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    quantity: Mapped[Qty]
    unit_cost: Mapped[Money]
    cogs: Mapped[Money]
    move_id: Mapped[int] = mapped_column(ForeignKey("stock_move.id"), unique=True)


class CustomerReturn(Base):
    """Shipped goods the customer sent back: onto a shelf at the cost they left with, or
    to scrap (in through the bin they were picked from, then out to scrap)."""

    __tablename__ = "customer_return"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_cost >= 0", name="unit_cost_not_negative"),
        CheckConstraint(
            "disposition <> 'scrap' OR scrap_move_id IS NOT NULL", name="scrap_has_move"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_line_id: Mapped[int] = mapped_column(ForeignKey("shipment_line.id"), index=True)
    quantity: Mapped[Qty]
    disposition: Mapped[ReturnDisposition] = mapped_column(
        enum_column(ReturnDisposition, "return_disposition")
    )
    bin_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    unit_cost: Mapped[Money]
    reason: Mapped[str] = mapped_column(String(200), default="")
    return_move_id: Mapped[int] = mapped_column(ForeignKey("stock_move.id"), unique=True)
    scrap_move_id: Mapped[int | None] = mapped_column(ForeignKey("stock_move.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[Timestamp] = mapped_column(default=utcnow)
