"""purchase_proposals

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

What purchase proposals remember between runs: the weekdays each supplier takes orders
(``supplier_order_day``) and the proposals a buyer dismissed, each with the fingerprint
of the inputs that made it (``proposal_dismissal``). Quantities are BigInteger (exact
thousandths, as in 0001); timestamps are timezone-aware. The proposal settings
(ordering cost, holding rate, default service level) live in ``setting`` and need no
schema.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the order-day and dismissal tables."""
    op.create_table(
        "supplier_order_day",
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), autoincrement=False, nullable=False),
        sa.CheckConstraint(
            "weekday >= 0 AND weekday <= 6", name=op.f("ck_supplier_order_day_weekday_range")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["supplier.id"],
            name=op.f("fk_supplier_order_day_supplier_id_supplier"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("supplier_id", "weekday", name=op.f("pk_supplier_order_day")),
    )
    op.create_table(
        "proposal_dismissal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("dismissed_by", sa.Integer(), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "length(fingerprint) > 0", name=op.f("ck_proposal_dismissal_fingerprint_not_empty")
        ),
        sa.CheckConstraint(
            "quantity >= 0", name=op.f("ck_proposal_dismissal_quantity_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["dismissed_by"],
            ["app_user.id"],
            name=op.f("fk_proposal_dismissal_dismissed_by_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["item.id"],
            name=op.f("fk_proposal_dismissal_item_id_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["supplier.id"],
            name=op.f("fk_proposal_dismissal_supplier_id_supplier"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_dismissal")),
        sa.UniqueConstraint("item_id", name=op.f("uq_proposal_dismissal_item_id")),
    )


def downgrade() -> None:
    """Drop the tables again."""
    op.drop_table("proposal_dismissal")
    op.drop_table("supplier_order_day")
