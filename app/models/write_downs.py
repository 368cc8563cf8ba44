"""Write-downs of stock: the requests and decisions, and the value revaluations they post.

A write-down (``write_down``) lowers what stock is worth, for a reason (obsolete,
damaged, expired, price fall, other). It either *scraps* a quantity (stock moves to the
scrap location through the ledger, so the quantity and its value leave the books) or
*revalues* it (the quantity stays, its unit cost goes down). Above a value threshold a
staff member's write-down waits for a manager (requested → approved or rejected); the
request row is the only mutable one here and keeps who decided and when.

A value write-down is posted as one append-only ``cost_revaluation`` row. Stock moves
are immutable, so the row is what tells the ledger's history that from this point on
the item's open cost (its weighted average and its open FIFO layers) is lower: it
records the rule that was applied (``floor``: no unit above ``floor_value``;
``factor``: every unit times ``factor``) to the cost state of the moves up to
``last_move_id``. ``valuation_as_of`` replays it, so the value at any date includes it;
the ledger's own cost state (``item.avg_cost``, ``cost_layer.unit_cost`` of open layers)
is lowered in the same transaction, so later issues are costed at the lowered cost.
"""

from __future__ import annotations

import enum
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Money, Qty, Ratio, ScaledDecimal, Timestamp, utcnow
from app.models.enums import enum_column

FACTOR_SCALE = 9


class WriteDownKind(enum.StrEnum):
    """Scrap the quantity, or keep it and lower its value."""

    SCRAP = "scrap"
    VALUE = "value"


class WriteDownReason(enum.StrEnum):
    """Why stock is written down (``other`` needs a text)."""

    OBSOLETE = "obsolete"
    DAMAGED = "damaged"
    EXPIRED = "expired"
    PRICE_FALL = "price-fall"
    OTHER = "other"


class WriteDownStatus(enum.StrEnum):
    """Requested (waiting for a manager), approved (posted) or rejected."""

    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"


class RevaluationRule(enum.StrEnum):
    """How a revaluation changed the unit costs it met."""

    FLOOR = "floor"  # every unit cost above floor_value became floor_value
    FACTOR = "factor"  # every unit cost was multiplied by factor


class WriteDown(Base):
    """One write-down of an item or a lot: what, why, how much, and who decided.

    ``quantity`` is what it covers (None for a value write-down of everything on hand
    of the item or lot); ``new_unit_value`` or ``percent`` (a reduction, 0 < p <= 100)
    says what a value write-down does. ``estimated_value`` is the value it takes off,
    at the time of the request; ``value_before``/``value_after`` are the figures posted.
    """

    __tablename__ = "write_down"
    __table_args__ = (
        CheckConstraint("seq > 0", name="seq_positive"),
        CheckConstraint("quantity IS NULL OR quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "new_unit_value IS NULL OR new_unit_value >= 0", name="new_unit_value_not_negative"
        ),
        CheckConstraint(
            "percent IS NULL OR (percent > 0 AND percent <= 1000000)", name="percent_range"
        ),
        CheckConstraint("estimated_value >= 0", name="estimated_value_not_negative"),
        Index("ix_write_down_status", "status", "requested_at"),
        Index("ix_write_down_item", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    kind: Mapped[WriteDownKind] = mapped_column(enum_column(WriteDownKind, "write_down_kind"))
    reason: Mapped[WriteDownReason] = mapped_column(
        enum_column(WriteDownReason, "write_down_reason")
    )
    note: Mapped[str] = mapped_column(String(500), default="")
    quantity: Mapped[Qty | None]
    new_unit_value: Mapped[Money | None]
    percent: Mapped[Ratio | None]
    estimated_value: Mapped[Money] = mapped_column(default=Decimal(0))
    needs_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[WriteDownStatus] = mapped_column(
        enum_column(WriteDownStatus, "write_down_status"), default=WriteDownStatus.REQUESTED
    )
    requested_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    requested_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[Timestamp | None]
    decision_note: Mapped[str] = mapped_column(String(500), default="")
    posted_quantity: Mapped[Qty | None]
    value_before: Mapped[Money | None]
    value_after: Mapped[Money | None]


class CostRevaluation(Base):
    """A value write-down as posted: append-only, read by the as-of valuation.

    ``quantity`` is the item's whole stock at the time; ``value_before``/``value_after``
    its value then by ``method`` (the costing method in force); ``avg_before`` and
    ``avg_after`` the weighted average before and after.
    """

    __tablename__ = "cost_revaluation"
    __table_args__ = (
        CheckConstraint(
            "(rule = 'floor' AND floor_value IS NOT NULL AND floor_value >= 0) OR "
            "(rule = 'factor' AND factor IS NOT NULL AND factor >= 0 AND factor < 1000000000)",
            name="rule_parameters",
        ),
        CheckConstraint("last_move_id >= 0", name="last_move_id_not_negative"),
        Index("ix_cost_revaluation_item", "item_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    write_down_id: Mapped[int] = mapped_column(ForeignKey("write_down.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    rule: Mapped[RevaluationRule] = mapped_column(enum_column(RevaluationRule, "revaluation_rule"))
    floor_value: Mapped[Money | None]
    factor: Mapped[Decimal | None] = mapped_column(ScaledDecimal(FACTOR_SCALE))
    last_move_id: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[Qty]
    value_before: Mapped[Money]
    value_after: Mapped[Money]
    avg_before: Mapped[Money]
    avg_after: Mapped[Money]
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[Timestamp] = mapped_column(default=utcnow)
