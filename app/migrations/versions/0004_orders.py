"""customer orders, reservations, zero-point purchase needs, picking, shipments, returns

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

Quantities and money are BigInteger (exact thousandths / ten-thousandths, as in 0001);
timestamps are timezone-aware. ``pick_event`` is append-only like ``stock_move`` and
``receipt_event``: the scans of a pick are its record of what was taken, so the database
refuses to change or delete them. ``purchase_need.order_line_id`` is UNIQUE: one
purchase per order line, never two.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

APPEND_ONLY = ("pick_event",)


def _create_append_only_triggers() -> None:
    """Refuse UPDATE and DELETE on the pick log (PostgreSQL reuses 0001's function)."""
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
    """Create the order tables and the pick log's triggers."""
    op.create_table(
        "customer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(code) > 0", name=op.f("ck_customer_code_not_empty")),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_customer_name_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer")),
        sa.UniqueConstraint("code", name=op.f("uq_customer_code")),
    )
    op.create_table(
        "customer_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "confirmed",
                "picking",
                "partly-shipped",
                "shipped",
                "closed",
                "cancelled",
                name="order_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("requested_date", sa.Date(), nullable=True),
        sa.Column("customer_reference", sa.String(length=100), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("length(number) > 0", name=op.f("ck_customer_order_number_not_empty")),
        sa.CheckConstraint("seq > 0", name=op.f("ck_customer_order_seq_positive")),
        sa.ForeignKeyConstraint(
            ["confirmed_by"], ["app_user.id"], name=op.f("fk_customer_order_confirmed_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name=op.f("fk_customer_order_created_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_customer_order_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_order")),
        sa.UniqueConstraint("number", name=op.f("uq_customer_order_number")),
        sa.UniqueConstraint("seq", name=op.f("uq_customer_order_seq")),
    )
    with op.batch_alter_table("customer_order", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_order_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_customer_order_status"), ["status"], unique=False)

    op.create_table(
        "customer_order_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("requested_date", sa.Date(), nullable=True),
        sa.Column("reserved_qty", sa.BigInteger(), nullable=False),
        sa.Column("backorder_qty", sa.BigInteger(), nullable=False),
        sa.Column("shipped_qty", sa.BigInteger(), nullable=False),
        sa.Column("expected_date", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "backorder_qty >= 0", name=op.f("ck_customer_order_line_backorder_not_negative")
        ),
        sa.CheckConstraint("line_no > 0", name=op.f("ck_customer_order_line_line_no_positive")),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_customer_order_line_quantity_positive")),
        sa.CheckConstraint(
            "reserved_qty + backorder_qty + shipped_qty <= quantity",
            name=op.f("ck_customer_order_line_commitments_in_range"),
        ),
        sa.CheckConstraint(
            "reserved_qty >= 0", name=op.f("ck_customer_order_line_reserved_not_negative")
        ),
        sa.CheckConstraint(
            "shipped_qty >= 0", name=op.f("ck_customer_order_line_shipped_not_negative")
        ),
        sa.CheckConstraint(
            "unit_price >= 0", name=op.f("ck_customer_order_line_unit_price_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_customer_order_line_item_id_item")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["customer_order.id"],
            name=op.f("fk_customer_order_line_order_id_customer_order"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_order_line")),
        sa.UniqueConstraint("order_id", "item_id", name="uq_customer_order_line_item"),
        sa.UniqueConstraint("order_id", "line_no", name="uq_customer_order_line_line_no"),
    )
    with op.batch_alter_table("customer_order_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_order_line_item_id"), ["item_id"], unique=False
        )

    op.create_table(
        "pick_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "bin",
                "pick",
                "short",
                "undo",
                name="pick_event_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("order_line_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("bin_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=True),
        sa.Column(
            "reason",
            sa.Enum(
                "not-found",
                "damaged",
                "short",
                "other",
                name="short_reason",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("reason_text", sa.String(length=200), nullable=False),
        sa.Column("scanned_text", sa.String(length=200), nullable=False),
        sa.Column("undoes_event_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind <> 'bin' OR bin_id IS NOT NULL", name=op.f("ck_pick_event_bin_names_bin")
        ),
        sa.CheckConstraint(
            "kind <> 'pick' OR (order_line_id IS NOT NULL AND item_id IS NOT NULL "
            "AND bin_id IS NOT NULL AND quantity > 0)",
            name=op.f("ck_pick_event_pick_complete"),
        ),
        sa.CheckConstraint(
            "kind <> 'short' OR (order_line_id IS NOT NULL AND quantity > 0 "
            "AND reason IS NOT NULL)",
            name=op.f("ck_pick_event_short_complete"),
        ),
        sa.CheckConstraint(
            "kind <> 'undo' OR undoes_event_id IS NOT NULL",
            name=op.f("ck_pick_event_undo_names_event"),
        ),
        sa.ForeignKeyConstraint(
            ["bin_id"], ["location.id"], name=op.f("fk_pick_event_bin_id_location")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_pick_event_item_id_item")),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"], name=op.f("fk_pick_event_lot_id_lot")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["customer_order.id"], name=op.f("fk_pick_event_order_id_customer_order")
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["customer_order_line.id"],
            name=op.f("fk_pick_event_order_line_id_customer_order_line"),
        ),
        sa.ForeignKeyConstraint(
            ["undoes_event_id"],
            ["pick_event.id"],
            name=op.f("fk_pick_event_undoes_event_id_pick_event"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_pick_event_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pick_event")),
        sa.UniqueConstraint("undoes_event_id", name=op.f("uq_pick_event_undoes_event_id")),
    )
    with op.batch_alter_table("pick_event", schema=None) as batch_op:
        batch_op.create_index("ix_pick_event_order", ["order_id", "id"], unique=False)

    op.create_table(
        "purchase_need",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("needed_qty", sa.BigInteger(), nullable=False),
        sa.Column("order_qty", sa.BigInteger(), nullable=False),
        sa.Column("excess", sa.BigInteger(), nullable=False),
        sa.Column("pack_size", sa.BigInteger(), nullable=False),
        sa.Column("moq", sa.BigInteger(), nullable=False),
        sa.Column("required_date", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "ordered",
                "withdrawn",
                name="purchase_need_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("purchase_order_line_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status <> 'ordered' OR ordered_at IS NOT NULL",
            name=op.f("ck_purchase_need_ordered_at_when_ordered"),
        ),
        sa.CheckConstraint("excess >= 0", name=op.f("ck_purchase_need_excess_not_negative")),
        sa.CheckConstraint("moq >= 0", name=op.f("ck_purchase_need_moq_not_negative")),
        sa.CheckConstraint("needed_qty > 0", name=op.f("ck_purchase_need_needed_qty_positive")),
        sa.CheckConstraint(
            "order_qty = needed_qty + excess", name=op.f("ck_purchase_need_order_qty_adds_up")
        ),
        sa.CheckConstraint("pack_size > 0", name=op.f("ck_purchase_need_pack_size_positive")),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_purchase_need_item_id_item")
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["customer_order_line.id"],
            name=op.f("fk_purchase_need_order_line_id_customer_order_line"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["purchase_order_line_id"],
            ["purchase_order_line.id"],
            name=op.f("fk_purchase_need_purchase_order_line_id_purchase_order_line"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["supplier.id"], name=op.f("fk_purchase_need_supplier_id_supplier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_need")),
        sa.UniqueConstraint("order_line_id", name=op.f("uq_purchase_need_order_line_id")),
    )
    with op.batch_alter_table("purchase_need", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_purchase_need_item_id"), ["item_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_purchase_need_purchase_order_line_id"),
            ["purchase_order_line_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_purchase_need_status"), ["status"], unique=False)

    op.create_table(
        "shipment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("last_pick_event_id", sa.Integer(), nullable=True),
        sa.Column("cogs", sa.BigInteger(), nullable=False),
        sa.Column("shipped_by", sa.Integer(), nullable=False),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("cogs >= 0", name=op.f("ck_shipment_cogs_not_negative")),
        sa.CheckConstraint("seq > 0", name=op.f("ck_shipment_seq_positive")),
        sa.ForeignKeyConstraint(
            ["last_pick_event_id"],
            ["pick_event.id"],
            name=op.f("fk_shipment_last_pick_event_id_pick_event"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["customer_order.id"], name=op.f("fk_shipment_order_id_customer_order")
        ),
        sa.ForeignKeyConstraint(
            ["shipped_by"], ["app_user.id"], name=op.f("fk_shipment_shipped_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment")),
        sa.UniqueConstraint("number", name=op.f("uq_shipment_number")),
        sa.UniqueConstraint("seq", name=op.f("uq_shipment_seq")),
    )
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipment_order_id"), ["order_id"], unique=False)

    op.create_table(
        "shipment_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("bin_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=False),
        sa.Column("cogs", sa.BigInteger(), nullable=False),
        sa.Column("move_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("cogs >= 0", name=op.f("ck_shipment_line_cogs_not_negative")),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_shipment_line_quantity_positive")),
        sa.CheckConstraint("unit_cost >= 0", name=op.f("ck_shipment_line_unit_cost_not_negative")),
        sa.ForeignKeyConstraint(
            ["bin_id"], ["location.id"], name=op.f("fk_shipment_line_bin_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_shipment_line_item_id_item")
        ),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"], name=op.f("fk_shipment_line_lot_id_lot")),
        sa.ForeignKeyConstraint(
            ["move_id"], ["stock_move.id"], name=op.f("fk_shipment_line_move_id_stock_move")
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["customer_order_line.id"],
            name=op.f("fk_shipment_line_order_line_id_customer_order_line"),
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipment.id"], name=op.f("fk_shipment_line_shipment_id_shipment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_line")),
        sa.UniqueConstraint("move_id", name=op.f("uq_shipment_line_move_id")),
    )
    with op.batch_alter_table("shipment_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shipment_line_order_line_id"), ["order_line_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_shipment_line_shipment_id"), ["shipment_id"], unique=False
        )

    op.create_table(
        "customer_return",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_line_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column(
            "disposition",
            sa.Enum(
                "restock",
                "scrap",
                name="return_disposition",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("bin_id", sa.Integer(), nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("return_move_id", sa.Integer(), nullable=False),
        sa.Column("scrap_move_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "disposition <> 'scrap' OR scrap_move_id IS NOT NULL",
            name=op.f("ck_customer_return_scrap_has_move"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_customer_return_quantity_positive")),
        sa.CheckConstraint(
            "unit_cost >= 0", name=op.f("ck_customer_return_unit_cost_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["bin_id"], ["location.id"], name=op.f("fk_customer_return_bin_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["return_move_id"],
            ["stock_move.id"],
            name=op.f("fk_customer_return_return_move_id_stock_move"),
        ),
        sa.ForeignKeyConstraint(
            ["scrap_move_id"],
            ["stock_move.id"],
            name=op.f("fk_customer_return_scrap_move_id_stock_move"),
        ),
        sa.ForeignKeyConstraint(
            ["shipment_line_id"],
            ["shipment_line.id"],
            name=op.f("fk_customer_return_shipment_line_id_shipment_line"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_customer_return_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_return")),
        sa.UniqueConstraint("return_move_id", name=op.f("uq_customer_return_return_move_id")),
        sa.UniqueConstraint("scrap_move_id", name=op.f("uq_customer_return_scrap_move_id")),
    )
    with op.batch_alter_table("customer_return", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_return_shipment_line_id"), ["shipment_line_id"], unique=False
        )

    _create_append_only_triggers()


def downgrade() -> None:
    """Drop the order tables."""
    _drop_append_only_triggers()
    with op.batch_alter_table("customer_return", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_return_shipment_line_id"))

    op.drop_table("customer_return")
    with op.batch_alter_table("shipment_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipment_line_shipment_id"))
        batch_op.drop_index(batch_op.f("ix_shipment_line_order_line_id"))

    op.drop_table("shipment_line")
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipment_order_id"))

    op.drop_table("shipment")
    with op.batch_alter_table("purchase_need", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchase_need_status"))
        batch_op.drop_index(batch_op.f("ix_purchase_need_purchase_order_line_id"))
        batch_op.drop_index(batch_op.f("ix_purchase_need_item_id"))

    op.drop_table("purchase_need")
    with op.batch_alter_table("pick_event", schema=None) as batch_op:
        batch_op.drop_index("ix_pick_event_order")

    op.drop_table("pick_event")
    with op.batch_alter_table("customer_order_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_order_line_item_id"))

    op.drop_table("customer_order_line")
    with op.batch_alter_table("customer_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_order_status"))
        batch_op.drop_index(batch_op.f("ix_customer_order_customer_id"))

    op.drop_table("customer_order")
    op.drop_table("customer")
