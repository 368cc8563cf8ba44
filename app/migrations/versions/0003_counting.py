"""stock counts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

Counts, their lines (one per bin, item and lot), the items of item-based counts, and the
count log. Quantities and money are BigInteger (exact thousandths / ten-thousandths, as
in 0001); timestamps are timezone-aware. ``stock_count_event`` is append-only like
``stock_move`` and ``receipt_event``: the scans of a count are its record of what was
found, so the database refuses to change or delete them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APPEND_ONLY = ("stock_count_event",)


def _create_append_only_triggers() -> None:
    """Refuse UPDATE and DELETE on the count log (PostgreSQL reuses 0001's function)."""
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
        "stock_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "cycle",
                "bin",
                "aisle",
                "item",
                "category",
                "full",
                name="count_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("blind", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "counting",
                "review",
                "done",
                "cancelled",
                name="count_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("planned_for", sa.Date(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_by", sa.Integer(), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("length(number) > 0", name=op.f("ck_stock_count_number_not_empty")),
        sa.CheckConstraint("seq > 0", name=op.f("ck_stock_count_seq_positive")),
        sa.ForeignKeyConstraint(
            ["cancelled_by"], ["app_user.id"], name=op.f("fk_stock_count_cancelled_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name=op.f("fk_stock_count_created_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["finished_by"], ["app_user.id"], name=op.f("fk_stock_count_finished_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_count")),
        sa.UniqueConstraint("number", name=op.f("uq_stock_count_number")),
        sa.UniqueConstraint("seq", name=op.f("uq_stock_count_seq")),
    )
    with op.batch_alter_table("stock_count", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stock_count_status"), ["status"], unique=False)

    op.create_table(
        "stock_count_item",
        sa.Column("count_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["count_id"],
            ["stock_count.id"],
            name=op.f("fk_stock_count_item_count_id_stock_count"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_stock_count_item_item_id_item")
        ),
        sa.PrimaryKeyConstraint("count_id", "item_id", name=op.f("pk_stock_count_item")),
    )
    op.create_table(
        "stock_count_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("count_id", sa.Integer(), nullable=False),
        sa.Column("bin_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("lot_code", sa.String(length=64), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("expected", sa.BigInteger(), nullable=False),
        sa.Column("unexpected", sa.Boolean(), nullable=False),
        sa.Column("abc_class", sa.String(length=1), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "recount",
                "approved",
                "skipped",
                name="count_line_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("assigned_to", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("counted", sa.BigInteger(), nullable=True),
        sa.Column("system_qty", sa.BigInteger(), nullable=True),
        sa.Column("variance", sa.BigInteger(), nullable=True),
        sa.Column("unit_cost", sa.BigInteger(), nullable=True),
        sa.Column("within_tolerance", sa.Boolean(), nullable=True),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("move_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(status = 'approved') = (approved_at IS NOT NULL)",
            name=op.f("ck_stock_count_line_approved_at_when_approved"),
        ),
        sa.CheckConstraint("round > 0", name=op.f("ck_stock_count_line_round_positive")),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["app_user.id"], name=op.f("fk_stock_count_line_approved_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_to"], ["app_user.id"], name=op.f("fk_stock_count_line_assigned_to_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["bin_id"], ["location.id"], name=op.f("fk_stock_count_line_bin_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["count_id"],
            ["stock_count.id"],
            name=op.f("fk_stock_count_line_count_id_stock_count"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_stock_count_line_item_id_item")
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["lot.id"], name=op.f("fk_stock_count_line_lot_id_lot")
        ),
        sa.ForeignKeyConstraint(
            ["move_id"], ["stock_move.id"], name=op.f("fk_stock_count_line_move_id_stock_move")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_count_line")),
        sa.UniqueConstraint(
            "count_id", "bin_id", "item_id", "lot_code", name="uq_stock_count_line_key"
        ),
    )
    with op.batch_alter_table("stock_count_line", schema=None) as batch_op:
        batch_op.create_index("ix_stock_count_line_item", ["item_id"], unique=False)

    op.create_table(
        "stock_count_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("count_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "bin",
                "add",
                "set",
                "close",
                "recount",
                "undo",
                name="count_event_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("line_id", sa.Integer(), nullable=True),
        sa.Column("bin_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=True),
        sa.Column("system_qty", sa.BigInteger(), nullable=True),
        sa.Column("round", sa.Integer(), nullable=True),
        sa.Column("scanned_text", sa.String(length=200), nullable=False),
        sa.Column("assigned_to", sa.Integer(), nullable=True),
        sa.Column("undoes_event_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind <> 'add' OR (line_id IS NOT NULL AND quantity > 0 AND system_qty IS NOT NULL)",
            name=op.f("ck_stock_count_event_add_complete"),
        ),
        sa.CheckConstraint(
            "kind <> 'close' OR bin_id IS NOT NULL",
            name=op.f("ck_stock_count_event_close_names_bin"),
        ),
        sa.CheckConstraint(
            "kind <> 'recount' OR line_id IS NOT NULL",
            name=op.f("ck_stock_count_event_recount_names_line"),
        ),
        sa.CheckConstraint(
            "kind <> 'set' OR (line_id IS NOT NULL AND quantity >= 0 AND system_qty IS NOT NULL)",
            name=op.f("ck_stock_count_event_set_complete"),
        ),
        sa.CheckConstraint(
            "kind <> 'undo' OR undoes_event_id IS NOT NULL",
            name=op.f("ck_stock_count_event_undo_names_event"),
        ),
        sa.ForeignKeyConstraint(
            ["assigned_to"], ["app_user.id"], name=op.f("fk_stock_count_event_assigned_to_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["bin_id"], ["location.id"], name=op.f("fk_stock_count_event_bin_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["count_id"], ["stock_count.id"], name=op.f("fk_stock_count_event_count_id_stock_count")
        ),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["stock_count_line.id"],
            name=op.f("fk_stock_count_event_line_id_stock_count_line"),
        ),
        sa.ForeignKeyConstraint(
            ["undoes_event_id"],
            ["stock_count_event.id"],
            name=op.f("fk_stock_count_event_undoes_event_id_stock_count_event"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_stock_count_event_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_count_event")),
        sa.UniqueConstraint("undoes_event_id", name=op.f("uq_stock_count_event_undoes_event_id")),
    )
    with op.batch_alter_table("stock_count_event", schema=None) as batch_op:
        batch_op.create_index("ix_stock_count_event_count", ["count_id", "id"], unique=False)

    _create_append_only_triggers()


def downgrade() -> None:
    _drop_append_only_triggers()
    with op.batch_alter_table("stock_count_event", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_count_event_count")

    op.drop_table("stock_count_event")
    with op.batch_alter_table("stock_count_line", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_count_line_item")

    op.drop_table("stock_count_line")
    op.drop_table("stock_count_item")
    with op.batch_alter_table("stock_count", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_count_status"))

    op.drop_table("stock_count")
