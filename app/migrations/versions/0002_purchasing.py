"""purchase orders and receipts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

Quantities and money are BigInteger (exact thousandths / ten-thousandths, as in 0001);
timestamps are timezone-aware. ``receipt_event`` is append-only like ``stock_move``:
the scans of a receipt are its record of what arrived, so the database refuses to
change or delete them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY = ("receipt_event",)


def _create_append_only_triggers() -> None:
    """Refuse UPDATE and DELETE on the receipt log (PostgreSQL reuses 0001's function)."""
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
        "purchase_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "sent",
                "partly-received",
                "received",
                "cancelled",
                name="purchase_order_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("delivery_date", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("length(number) > 0", name=op.f("ck_purchase_order_number_not_empty")),
        sa.CheckConstraint("seq > 0", name=op.f("ck_purchase_order_seq_positive")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name=op.f("fk_purchase_order_created_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["supplier.id"], name=op.f("fk_purchase_order_supplier_id_supplier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_order")),
        sa.UniqueConstraint("number", name=op.f("uq_purchase_order_number")),
        sa.UniqueConstraint("seq", name=op.f("uq_purchase_order_seq")),
    )
    with op.batch_alter_table("purchase_order", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_purchase_order_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_purchase_order_supplier_id"), ["supplier_id"], unique=False
        )

    op.create_table(
        "purchase_order_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purchase_order_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("supplier_sku", sa.String(length=64), nullable=False),
        sa.Column("pack_size", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("expected_date", sa.Date(), nullable=True),
        sa.Column("received_qty", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("line_no > 0", name=op.f("ck_purchase_order_line_line_no_positive")),
        sa.CheckConstraint("pack_size > 0", name=op.f("ck_purchase_order_line_pack_size_positive")),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_purchase_order_line_quantity_positive")),
        sa.CheckConstraint(
            "received_qty >= 0", name=op.f("ck_purchase_order_line_received_qty_not_negative")
        ),
        sa.CheckConstraint(
            "unit_price >= 0", name=op.f("ck_purchase_order_line_unit_price_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_purchase_order_line_item_id_item")
        ),
        sa.ForeignKeyConstraint(
            ["purchase_order_id"],
            ["purchase_order.id"],
            name=op.f("fk_purchase_order_line_purchase_order_id_purchase_order"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_order_line")),
        sa.UniqueConstraint("purchase_order_id", "item_id", name="uq_purchase_order_line_item"),
        sa.UniqueConstraint("purchase_order_id", "line_no", name="uq_purchase_order_line_line_no"),
    )
    with op.batch_alter_table("purchase_order_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_purchase_order_line_item_id"), ["item_id"], unique=False
        )

    op.create_table(
        "receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("purchase_order_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "posted",
                "cancelled",
                name="receipt_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("started_by", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posted_by", sa.Integer(), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'posted') = (posted_at IS NOT NULL)",
            name=op.f("ck_receipt_posted_at_when_posted"),
        ),
        sa.CheckConstraint("seq > 0", name=op.f("ck_receipt_seq_positive")),
        sa.ForeignKeyConstraint(
            ["posted_by"], ["app_user.id"], name=op.f("fk_receipt_posted_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["purchase_order_id"],
            ["purchase_order.id"],
            name=op.f("fk_receipt_purchase_order_id_purchase_order"),
        ),
        sa.ForeignKeyConstraint(
            ["started_by"], ["app_user.id"], name=op.f("fk_receipt_started_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["supplier.id"], name=op.f("fk_receipt_supplier_id_supplier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt")),
        sa.UniqueConstraint("number", name=op.f("uq_receipt_number")),
        sa.UniqueConstraint("seq", name=op.f("uq_receipt_seq")),
    )
    with op.batch_alter_table("receipt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_receipt_purchase_order_id"), ["purchase_order_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_receipt_status"), ["status"], unique=False)

    op.create_table(
        "receipt_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "add",
                "bin",
                "undo",
                name="receipt_event_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=True),
        sa.Column("lot", sa.String(length=64), nullable=True),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("bin_id", sa.Integer(), nullable=True),
        sa.Column("scanned_text", sa.String(length=200), nullable=False),
        sa.Column("over_confirmed", sa.Boolean(), nullable=False),
        sa.Column("unordered_confirmed", sa.Boolean(), nullable=False),
        sa.Column("undoes_event_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind <> 'add' OR (item_id IS NOT NULL AND quantity > 0 AND bin_id IS NOT NULL)",
            name=op.f("ck_receipt_event_add_complete"),
        ),
        sa.CheckConstraint(
            "kind <> 'undo' OR undoes_event_id IS NOT NULL",
            name=op.f("ck_receipt_event_undo_names_event"),
        ),
        sa.ForeignKeyConstraint(
            ["bin_id"], ["location.id"], name=op.f("fk_receipt_event_bin_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_receipt_event_item_id_item")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["receipt.id"], name=op.f("fk_receipt_event_receipt_id_receipt")
        ),
        sa.ForeignKeyConstraint(
            ["undoes_event_id"],
            ["receipt_event.id"],
            name=op.f("fk_receipt_event_undoes_event_id_receipt_event"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_receipt_event_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_event")),
        sa.UniqueConstraint("undoes_event_id", name=op.f("uq_receipt_event_undoes_event_id")),
    )
    with op.batch_alter_table("receipt_event", schema=None) as batch_op:
        batch_op.create_index("ix_receipt_event_receipt", ["receipt_id", "id"], unique=False)

    _create_append_only_triggers()


def downgrade() -> None:
    _drop_append_only_triggers()
    with op.batch_alter_table("receipt_event", schema=None) as batch_op:
        batch_op.drop_index("ix_receipt_event_receipt")
    op.drop_table("receipt_event")
    with op.batch_alter_table("receipt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_receipt_status"))
        batch_op.drop_index(batch_op.f("ix_receipt_purchase_order_id"))
    op.drop_table("receipt")
    with op.batch_alter_table("purchase_order_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchase_order_line_item_id"))
    op.drop_table("purchase_order_line")
    with op.batch_alter_table("purchase_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchase_order_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_purchase_order_status"))
    op.drop_table("purchase_order")
