"""Stock counts: what was to be counted, every scan of what was found, and the decisions.

A count (``stock_count``) is numbered ``CC-1001``… and covers a scope: the items due in
the cycle plan, one bin, an aisle (a bin-code prefix), one item, a category or the whole
warehouse. Starting it snapshots the system's stock of the scope into lines
(``stock_count_line``: one per bin, item and lot). What the counters find is an
append-only log (``stock_count_event``), like receiving's: each scan or typed count is
one INSERT committed as it happens and records the system quantity of its line at that
moment, so the variance is measured against the stock at the time of counting, not at
the snapshot. The database refuses to change or delete an event (trigger).

Lines are the only mutable rows: an item found where the system expected nothing adds
a line; a recount raises the line's round; an approval freezes the line's figures
(counted, system quantity, variance, cost, within tolerance) and names the adjustment
move it posted, so reports and inventory accuracy read settled numbers.
"""

from __future__ import annotations

import datetime as dt
import enum

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


class CountKind(enum.StrEnum):
    """What a count covers."""

    CYCLE = "cycle"  # the items the ABC cycle plan has due
    BIN = "bin"  # one bin (scope: its code)
    AISLE = "aisle"  # bins whose code starts with the scope, e.g. ``B-`` or ``B-03``
    ITEM = "item"  # one item in every bin (scope: its SKU)
    CATEGORY = "category"  # the items of one category (scope: the category)
    FULL = "full"  # every bin of the warehouse: a stock-take


class CountStatus(enum.StrEnum):
    """Counting, then review until every line is decided; or cancelled."""

    COUNTING = "counting"
    REVIEW = "review"
    DONE = "done"
    CANCELLED = "cancelled"


class CountLineStatus(enum.StrEnum):
    """Where a line is: open (to count or review), recount, approved (posted), skipped."""

    OPEN = "open"
    RECOUNT = "recount"
    APPROVED = "approved"
    SKIPPED = "skipped"


class CountEventKind(enum.StrEnum):
    """What one row of a count's log records."""

    BIN = "bin"  # the counter's current bin (NULL: none)
    ADD = "add"  # counted: +quantity on a line (a scan, a carton, a GS1 count)
    SET = "set"  # counted: the counter's own count of a line is quantity (typed/imported)
    CLOSE = "close"  # the counter closed a bin
    RECOUNT = "recount"  # the line is to be counted again (a new round); earlier rounds void
    UNDO = "undo"  # cancels the earlier row named by undoes_event_id


class StockCount(Base):
    """A count of part or all of the warehouse, numbered ``CC-1001``, ``CC-1002``…"""

    __tablename__ = "stock_count"
    __table_args__ = (
        CheckConstraint("seq > 0", name="seq_positive"),
        CheckConstraint("length(number) > 0", name="number_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[CountKind] = mapped_column(enum_column(CountKind, "count_kind"))
    scope: Mapped[str] = mapped_column(String(100), default="")
    blind: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[CountStatus] = mapped_column(
        enum_column(CountStatus, "count_status"), default=CountStatus.COUNTING, index=True
    )
    note: Mapped[str] = mapped_column(String(500), default="")
    planned_for: Mapped[dt.date | None] = mapped_column(Date)
    created_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    finished_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    finished_at: Mapped[Timestamp | None]
    done_at: Mapped[Timestamp | None]
    cancelled_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    cancelled_at: Mapped[Timestamp | None]


class StockCountItem(Base):
    """An item in the scope of an item-based count (cycle, item, category), fixed at start."""

    __tablename__ = "stock_count_item"

    count_id: Mapped[int] = mapped_column(
        ForeignKey("stock_count.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), primary_key=True)


class StockCountLine(Base):
    """One item (and lot) in one bin of a count.

    ``expected`` is the system quantity at the snapshot (0 for a line added because the
    item was found where nothing was expected: ``unexpected``). ``lot_code`` is "" for
    no lot; ``lot_id`` is NULL until a lot found by the count exists in the database.
    The figures from ``counted`` on are written once, when the line is approved.
    """

    __tablename__ = "stock_count_line"
    __table_args__ = (
        UniqueConstraint(
            "count_id", "bin_id", "item_id", "lot_code", name="uq_stock_count_line_key"
        ),
        CheckConstraint("round > 0", name="round_positive"),
        CheckConstraint(
            "(status = 'approved') = (approved_at IS NOT NULL)", name="approved_at_when_approved"
        ),
        Index("ix_stock_count_line_item", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("stock_count.id", ondelete="CASCADE"))
    bin_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    lot_code: Mapped[str] = mapped_column(String(64), default="")
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    expected: Mapped[Qty]
    unexpected: Mapped[bool] = mapped_column(Boolean, default=False)
    abc_class: Mapped[str | None] = mapped_column(String(1))
    status: Mapped[CountLineStatus] = mapped_column(
        enum_column(CountLineStatus, "count_line_status"), default=CountLineStatus.OPEN
    )
    round: Mapped[int] = mapped_column(Integer, default=1)
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    # Settled at approval.
    counted: Mapped[Qty | None]
    system_qty: Mapped[Qty | None]
    variance: Mapped[Qty | None]
    unit_cost: Mapped[Money | None]
    within_tolerance: Mapped[bool | None] = mapped_column(Boolean)
    counted_at: Mapped[Timestamp | None]
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    approved_at: Mapped[Timestamp | None]
    move_id: Mapped[int | None] = mapped_column(ForeignKey("stock_move.id"))


class StockCountEvent(Base):
    """One scan, typed count, bin change, bin close, recount or undo. Never updated or deleted.

    ``system_qty`` is the system's on-hand of the line's bin, item and lot when the row
    was written (ADD and SET): the stock the count is compared with.
    """

    __tablename__ = "stock_count_event"
    __table_args__ = (
        CheckConstraint(
            "kind <> 'add' OR (line_id IS NOT NULL AND quantity > 0 AND system_qty IS NOT NULL)",
            name="add_complete",
        ),
        CheckConstraint(
            "kind <> 'set' OR (line_id IS NOT NULL AND quantity >= 0 AND system_qty IS NOT NULL)",
            name="set_complete",
        ),
        CheckConstraint("kind <> 'recount' OR line_id IS NOT NULL", name="recount_names_line"),
        CheckConstraint("kind <> 'close' OR bin_id IS NOT NULL", name="close_names_bin"),
        CheckConstraint("kind <> 'undo' OR undoes_event_id IS NOT NULL", name="undo_names_event"),
        Index("ix_stock_count_event_count", "count_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("stock_count.id"))
    kind: Mapped[CountEventKind] = mapped_column(enum_column(CountEventKind, "count_event_kind"))
    line_id: Mapped[int | None] = mapped_column(ForeignKey("stock_count_line.id"))
    bin_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    quantity: Mapped[Qty | None]
    system_qty: Mapped[Qty | None]
    round: Mapped[int | None] = mapped_column(Integer)
    scanned_text: Mapped[str] = mapped_column(String(200), default="")
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    undoes_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("stock_count_event.id"), unique=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[Timestamp] = mapped_column(default=utcnow)
