"""What purchase proposals remember between runs: suppliers' order days and dismissals.

A proposal run itself is not stored: it is worked out afresh from the ledger, the open
purchase orders and the customer orders each time, so it can never go stale. Two things
are the buyer's own decisions and must survive a re-run:

* ``supplier_order_day`` — the weekdays a supplier takes orders (none: any day);
* ``proposal_dismissal`` — "not this time" for an item's proposal, kept together with a
  fingerprint of the inputs that made the line. The next run hides the line while its
  fingerprint is the same and shows it again once the situation has changed (stock
  moved, an order or a customer order changed, the item's policy or terms changed).
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Qty, Timestamp, utcnow


class SupplierOrderDay(Base):
    """A weekday (0 = Monday … 6 = Sunday) on which a supplier takes orders."""

    __tablename__ = "supplier_order_day"
    __table_args__ = (CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),)

    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("supplier.id", ondelete="CASCADE"), primary_key=True
    )
    weekday: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class ProposalDismissal(Base):
    """An item's proposal the buyer dismissed, hidden while ``fingerprint`` still matches.

    One per item: dismissing again replaces the earlier one. ``quantity`` is what was
    proposed when it was dismissed, kept to say so when the line is shown again.
    """

    __tablename__ = "proposal_dismissal"
    __table_args__ = (
        CheckConstraint("length(fingerprint) > 0", name="fingerprint_not_empty"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), unique=True)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id", ondelete="SET NULL"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[Qty]
    note: Mapped[str] = mapped_column(String(200), default="")
    dismissed_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    dismissed_at: Mapped[Timestamp] = mapped_column(default=utcnow)
