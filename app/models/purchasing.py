"""Purchase orders and receipts: what was ordered, and every scan of what came in.

A receipt is a draft document whose scans are an append-only event log
(``receipt_event``): each scan is one INSERT committed as it happens, an undo is a
later row naming the scan it cancels, and a change of put-away bin is a row too. The
receipt's lines are the fold of its live events, so a crash loses nothing that was
acknowledged, and the database itself refuses to change or delete an event (trigger,
as for stock moves). Only ``post_receipt`` turns the lines into stock moves.
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


class PurchaseOrderStatus(enum.StrEnum):
    """Where a purchase order is in its life; only a draft can be edited."""

    DRAFT = "draft"
    SENT = "sent"
    PARTLY_RECEIVED = "partly-received"
    RECEIVED = "received"
    CANCELLED = "cancelled"


class ReceiptStatus(enum.StrEnum):
    """An open receipt takes scans; a posted one is in the ledger; a cancelled one is void."""

    OPEN = "open"
    POSTED = "posted"
    CANCELLED = "cancelled"


class ReceiptEventKind(enum.StrEnum):
    """What one row of a receipt's log records."""

    ADD = "add"  # goods counted in: item, quantity, lot, expiry, bin
    BIN = "bin"  # the put-away bin for the next lines (NULL: each item's usual bin)
    UNDO = "undo"  # cancels the earlier row named by undoes_event_id


class PurchaseOrder(Base):
    """An order to a supplier, numbered ``PO-1001``, ``PO-1002``…"""

    __tablename__ = "purchase_order"
    __table_args__ = (
        CheckConstraint("seq > 0", name="seq_positive"),
        CheckConstraint("length(number) > 0", name="number_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), index=True)
    status: Mapped[PurchaseOrderStatus] = mapped_column(
        enum_column(PurchaseOrderStatus, "purchase_order_status"),
        default=PurchaseOrderStatus.DRAFT,
        index=True,
    )
    currency: Mapped[str] = mapped_column(String(3))
    order_date: Mapped[dt.date] = mapped_column(Date)
    delivery_date: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow, onupdate=utcnow)
    sent_at: Mapped[Timestamp | None]
    cancelled_at: Mapped[Timestamp | None]


class PurchaseOrderLine(Base):
    """One item on an order: ``quantity`` in the item's unit, bought in packs of ``pack_size``.

    ``unit_price`` is per item unit, so the line total is ``quantity × unit_price`` and
    receipts cost goods at it. One line per item and order.
    """

    __tablename__ = "purchase_order_line"
    __table_args__ = (
        UniqueConstraint("purchase_order_id", "item_id", name="uq_purchase_order_line_item"),
        UniqueConstraint("purchase_order_id", "line_no", name="uq_purchase_order_line_line_no"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("pack_size > 0", name="pack_size_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        CheckConstraint("received_qty >= 0", name="received_qty_not_negative"),
        CheckConstraint("line_no > 0", name="line_no_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_order.id", ondelete="CASCADE")
    )
    line_no: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    supplier_sku: Mapped[str] = mapped_column(String(64), default="")
    pack_size: Mapped[Qty] = mapped_column(default=Decimal(1))
    quantity: Mapped[Qty]
    unit_price: Mapped[Money]
    expected_date: Mapped[dt.date | None] = mapped_column(Date)
    received_qty: Mapped[Qty] = mapped_column(default=Decimal(0))


class Receipt(Base):
    """Goods coming in from a supplier, against an order or blind, numbered ``GR-1001``…"""

    __tablename__ = "receipt"
    __table_args__ = (
        CheckConstraint("seq > 0", name="seq_positive"),
        CheckConstraint(
            "(status = 'posted') = (posted_at IS NOT NULL)", name="posted_at_when_posted"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"))
    purchase_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("purchase_order.id"), index=True
    )
    status: Mapped[ReceiptStatus] = mapped_column(
        enum_column(ReceiptStatus, "receipt_status"), default=ReceiptStatus.OPEN, index=True
    )
    started_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    started_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    posted_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    posted_at: Mapped[Timestamp | None]


class ReceiptEvent(Base):
    """One scan, typed quantity, bin change or undo of a receipt. Never updated or deleted."""

    __tablename__ = "receipt_event"
    __table_args__ = (
        CheckConstraint(
            "kind <> 'add' OR (item_id IS NOT NULL AND quantity > 0 AND bin_id IS NOT NULL)",
            name="add_complete",
        ),
        CheckConstraint("kind <> 'undo' OR undoes_event_id IS NOT NULL", name="undo_names_event"),
        Index("ix_receipt_event_receipt", "receipt_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipt.id"))
    kind: Mapped[ReceiptEventKind] = mapped_column(
        enum_column(ReceiptEventKind, "receipt_event_kind")
    )
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"))
    quantity: Mapped[Qty | None]
    lot: Mapped[str | None] = mapped_column(String(64))
    expiry: Mapped[dt.date | None] = mapped_column(Date)
    bin_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    scanned_text: Mapped[str] = mapped_column(String(200), default="")
    # The worker's answers to the questions a scan raised, kept for the audit trail.
    over_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    unordered_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    undoes_event_id: Mapped[int | None] = mapped_column(ForeignKey("receipt_event.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[Timestamp] = mapped_column(default=utcnow)
