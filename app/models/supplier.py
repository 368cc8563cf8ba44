"""Suppliers and the terms on which they sell each item."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Money, Qty


class Supplier(Base):
    """A company Hylla buys from."""

    __tablename__ = "supplier"
    __table_args__ = (
        CheckConstraint("lead_time_days >= 0", name="lead_time_not_negative"),
        CheckConstraint("min_order_value >= 0", name="min_order_value_not_negative"),
        CheckConstraint("length(code) > 0", name="code_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    lead_time_days: Mapped[int] = mapped_column(Integer, default=7)
    min_order_value: Mapped[Money] = mapped_column(default=Decimal(0))
    currency: Mapped[str] = mapped_column(String(3), default="SEK")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class SupplierItem(Base):
    """What one supplier charges for one item, in which packs, with which lead time."""

    __tablename__ = "supplier_item"
    __table_args__ = (
        UniqueConstraint("supplier_id", "item_id", name="uq_supplier_item_supplier_item"),
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("pack_size > 0", name="pack_size_positive"),
        CheckConstraint("moq >= 0", name="moq_not_negative"),
        CheckConstraint(
            "lead_time_days IS NULL OR lead_time_days >= 0", name="lead_time_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    supplier_sku: Mapped[str] = mapped_column(String(64), default="")
    price: Mapped[Money] = mapped_column(default=Decimal(0))
    pack_size: Mapped[Qty] = mapped_column(default=Decimal(1))
    moq: Mapped[Qty] = mapped_column(default=Decimal(0))
    lead_time_days: Mapped[int | None] = mapped_column(Integer)
    preferred: Mapped[bool] = mapped_column(Boolean, default=False)
