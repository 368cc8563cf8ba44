"""The stock ledger: immutable moves, cached levels, FIFO cost layers, demand history."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Money, Qty, Timestamp, utcnow
from app.models.enums import MoveKind, enum_column


class StockMove(Base):
    """One immutable ledger row; on hand = moves in - moves out.

    The database refuses UPDATE and DELETE on this table (a trigger on both SQLite and
    PostgreSQL); a mistake is reversed by a new move that names ``reverses_move_id``.
    """

    __tablename__ = "stock_move"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("from_location_id <> to_location_id", name="distinct_locations"),
        CheckConstraint("unit_cost >= 0", name="unit_cost_not_negative"),
        Index("ix_stock_move_item_moved_at", "item_id", "moved_at"),
        # Covers the reports' whole-ledger reads (migration 0008): grouped by item and
        # route they stream from the index without a sort.
        Index(
            "ix_stock_move_report",
            "item_id",
            "from_location_id",
            "to_location_id",
            "moved_at",
            "quantity",
            "unit_cost",
            "kind",
        ),
        # The few reversing moves, found without a scan of the ledger (migration 0008).
        Index(
            "ix_stock_move_reverses",
            "reverses_move_id",
            sqlite_where=text("reverses_move_id IS NOT NULL"),
            postgresql_where=text("reverses_move_id IS NOT NULL"),
        ),
        # A recent period's moves in time order (migration 0009); partial on a condition
        # every move meets, so only a query that states it opts in (the Start page's year).
        Index(
            "ix_stock_move_period",
            "moved_at",
            "from_location_id",
            "to_location_id",
            "quantity",
            "unit_cost",
            sqlite_where=text("quantity > 0"),
            postgresql_where=text("quantity > 0"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    quantity: Mapped[Qty]
    from_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    to_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    unit_cost: Mapped[Money]
    kind: Mapped[MoveKind] = mapped_column(enum_column(MoveKind, "move_kind"))
    reference: Mapped[str] = mapped_column(String(100), default="")
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    moved_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    reverses_move_id: Mapped[int | None] = mapped_column(ForeignKey("stock_move.id"))


class StockLevel(Base):
    """Cached on-hand of one item in one bin and lot, kept in step with the moves.

    ``lot_key`` is the lot id or 0, so "no lot" is one row under the primary key.
    Only internal locations have levels.
    """

    __tablename__ = "stock_level"
    __table_args__ = (Index("ix_stock_level_location", "location_id"),)

    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), primary_key=True)
    lot_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    quantity: Mapped[Qty]


class CostLayer(Base):
    """Quantity received at one cost; FIFO issues consume the oldest layers first."""

    __tablename__ = "cost_layer"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("remaining >= 0 AND remaining <= quantity", name="remaining_in_range"),
        CheckConstraint("unit_cost >= 0", name="unit_cost_not_negative"),
        Index("ix_cost_layer_open", "item_id", "remaining", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    move_id: Mapped[int] = mapped_column(ForeignKey("stock_move.id"), unique=True)
    quantity: Mapped[Qty]
    remaining: Mapped[Qty]
    unit_cost: Mapped[Money]
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)


class DemandHistory(Base):
    """Demand imported from an earlier system, one row per item and day."""

    __tablename__ = "demand_history"
    __table_args__ = (
        UniqueConstraint("item_id", "day", name="uq_demand_history_item_day"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
    quantity: Mapped[Qty]
    source: Mapped[str] = mapped_column(String(40), default="import")
    imported_at: Mapped[Timestamp] = mapped_column(default=utcnow)
