"""Items (the things kept in stock) and their barcodes."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Money, Qty, Ratio, Timestamp, utcnow
from app.models.enums import Policy, enum_column


class Item(Base):
    """A stock-keeping unit. Quantities are in ``unit``; costs per ``unit``."""

    __tablename__ = "item"
    __table_args__ = (
        CheckConstraint("sales_price IS NULL OR sales_price >= 0", name="sales_price_not_negative"),
        CheckConstraint("min_qty IS NULL OR min_qty >= 0", name="min_qty_not_negative"),
        CheckConstraint(
            "max_qty IS NULL OR min_qty IS NULL OR max_qty >= min_qty", name="max_not_below_min"
        ),
        CheckConstraint("order_qty IS NULL OR order_qty > 0", name="order_qty_positive"),
        CheckConstraint(
            "service_level IS NULL OR (service_level > 0 AND service_level < 10000)",
            name="service_level_range",
        ),
        CheckConstraint(
            "shelf_life_days IS NULL OR shelf_life_days > 0", name="shelf_life_positive"
        ),
        CheckConstraint("avg_cost >= 0", name="avg_cost_not_negative"),
        CheckConstraint("fifo_shortfall >= 0", name="fifo_shortfall_not_negative"),
        CheckConstraint("length(sku) > 0", name="sku_not_empty"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(16), default="pcs")
    category: Mapped[str] = mapped_column(String(100), default="", index=True)
    sales_price: Mapped[Money | None]
    policy: Mapped[Policy] = mapped_column(
        enum_column(Policy, "policy"), default=Policy.REORDER_POINT
    )
    min_qty: Mapped[Qty | None]
    max_qty: Mapped[Qty | None]
    order_qty: Mapped[Qty | None]
    service_level: Mapped[Ratio | None]
    lot_tracked: Mapped[bool] = mapped_column(Boolean, default=False)
    shelf_life_days: Mapped[int | None] = mapped_column(Integer)
    allow_negative: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    abc_class: Mapped[str | None] = mapped_column(String(1))
    default_location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    # Costing state kept by the ledger as moves post; never edited by hand.
    avg_cost: Mapped[Money] = mapped_column(default=Decimal(0), server_default=text("0"))
    fifo_shortfall: Mapped[Qty] = mapped_column(default=Decimal(0), server_default=text("0"))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow, onupdate=utcnow)

    barcodes: Mapped[list[Barcode]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="Barcode.id"
    )


class Barcode(Base):
    """A code printed on the item or its packaging; a carton code counts ``pack_qty``."""

    __tablename__ = "barcode"
    __table_args__ = (
        CheckConstraint("pack_qty > 0", name="pack_qty_positive"),
        CheckConstraint("length(code) > 0", name="code_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    pack_qty: Mapped[Qty] = mapped_column(default=Decimal(1))
    label: Mapped[str] = mapped_column(String(40), default="")

    item: Mapped[Item] = relationship(back_populates="barcodes")
