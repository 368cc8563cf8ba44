"""write_downs

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25

Write-downs of stock (``write_down``: the request, its reason and the decision) and the
value revaluations they post (``cost_revaluation``). Money and quantities are BigInteger
(exact ten-thousandths / thousandths, as in 0001); a revaluation factor is BigInteger
billionths. ``cost_revaluation`` is append-only like ``stock_move``: it is the ledger's
record that stock lost value, so the database refuses to change or delete it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

APPEND_ONLY = ("cost_revaluation",)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=24)


def _create_append_only_triggers() -> None:
    """Refuse UPDATE and DELETE on revaluations (PostgreSQL reuses 0001's function)."""
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        if dialect == "postgresql":
            op.execute(
                f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION hylla_refuse_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION hylla_refuse_change()"
            )
        else:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} rows are immutable: "
                    "post a reversing entry instead'); END"
                )


def _drop_append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


def upgrade() -> None:
    op.create_table(
        "write_down",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("kind", _enum("write_down_kind", "scrap", "value"), nullable=False),
        sa.Column(
            "reason",
            _enum("write_down_reason", "obsolete", "damaged", "expired", "price-fall", "other"),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=True),
        sa.Column("new_unit_value", sa.BigInteger(), nullable=True),
        sa.Column("percent", sa.BigInteger(), nullable=True),
        sa.Column("estimated_value", sa.BigInteger(), nullable=False),
        sa.Column("needs_approval", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            _enum("write_down_status", "requested", "approved", "rejected"),
            nullable=False,
        ),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=False),
        sa.Column("posted_quantity", sa.BigInteger(), nullable=True),
        sa.Column("value_before", sa.BigInteger(), nullable=True),
        sa.Column("value_after", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("seq > 0", name=op.f("ck_write_down_seq_positive")),
        sa.CheckConstraint(
            "quantity IS NULL OR quantity > 0", name=op.f("ck_write_down_quantity_positive")
        ),
        sa.CheckConstraint(
            "new_unit_value IS NULL OR new_unit_value >= 0",
            name=op.f("ck_write_down_new_unit_value_not_negative"),
        ),
        sa.CheckConstraint(
            "percent IS NULL OR (percent > 0 AND percent <= 1000000)",
            name=op.f("ck_write_down_percent_range"),
        ),
        sa.CheckConstraint(
            "estimated_value >= 0", name=op.f("ck_write_down_estimated_value_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["app_user.id"], name=op.f("fk_write_down_decided_by_app_user")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_write_down_item_id_item")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_write_down_location_id_location")
        ),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"], name=op.f("fk_write_down_lot_id_lot")),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["app_user.id"], name=op.f("fk_write_down_requested_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_write_down")),
        sa.UniqueConstraint("number", name=op.f("uq_write_down_number")),
        sa.UniqueConstraint("seq", name=op.f("uq_write_down_seq")),
    )
    with op.batch_alter_table("write_down", schema=None) as batch_op:
        batch_op.create_index("ix_write_down_item", ["item_id"], unique=False)
        batch_op.create_index("ix_write_down_status", ["status", "requested_at"], unique=False)

    op.create_table(
        "cost_revaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("write_down_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("rule", _enum("revaluation_rule", "floor", "factor"), nullable=False),
        sa.Column("floor_value", sa.BigInteger(), nullable=True),
        sa.Column("factor", sa.BigInteger(), nullable=True),
        sa.Column("last_move_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("value_before", sa.BigInteger(), nullable=False),
        sa.Column("value_after", sa.BigInteger(), nullable=False),
        sa.Column("avg_before", sa.BigInteger(), nullable=False),
        sa.Column("avg_after", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(rule = 'floor' AND floor_value IS NOT NULL AND floor_value >= 0) OR "
            "(rule = 'factor' AND factor IS NOT NULL AND factor >= 0 AND factor < 1000000000)",
            name=op.f("ck_cost_revaluation_rule_parameters"),
        ),
        sa.CheckConstraint(
            "last_move_id >= 0", name=op.f("ck_cost_revaluation_last_move_id_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_cost_revaluation_item_id_item")
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["lot.id"], name=op.f("fk_cost_revaluation_lot_id_lot")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_cost_revaluation_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["write_down_id"],
            ["write_down.id"],
            name=op.f("fk_cost_revaluation_write_down_id_write_down"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_revaluation")),
    )
    with op.batch_alter_table("cost_revaluation", schema=None) as batch_op:
        batch_op.create_index("ix_cost_revaluation_item", ["item_id", "id"], unique=False)

    _create_append_only_triggers()


def downgrade() -> None:
    _drop_append_only_triggers()
    with op.batch_alter_table("cost_revaluation", schema=None) as batch_op:
        batch_op.drop_index("ix_cost_revaluation_item")
    op.drop_table("cost_revaluation")
    with op.batch_alter_table("write_down", schema=None) as batch_op:
        batch_op.drop_index("ix_write_down_status")
        batch_op.drop_index("ix_write_down_item")
    op.drop_table("write_down")
