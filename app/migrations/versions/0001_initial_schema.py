"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Ledger rows and audit events are append-only: the database itself refuses to change
# them, whatever code runs against it.
APPEND_ONLY = ("stock_move", "audit_event")
# Every database has one of each virtual location, the far ends of receipts, sales,
# count adjustments, scrapping and opening balances.
VIRTUAL_LOCATIONS = (
    ("SUPPLIERS", "Suppliers", "supplier"),
    ("CUSTOMERS", "Customers", "customer"),
    ("COUNT-DIFF", "Count differences", "count-difference"),
    ("SCRAP", "Scrap", "scrap"),
    ("OPENING", "Opening balances", "opening"),
)


def create_append_only_triggers() -> None:
    """Refuse UPDATE and DELETE on the append-only tables, on SQLite and PostgreSQL."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            """
            CREATE FUNCTION hylla_refuse_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '% rows are immutable: post a reversing entry instead',
                    TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION hylla_refuse_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION hylla_refuse_change()"
            )
    else:
        for table in APPEND_ONLY:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} rows are immutable: "
                    "post a reversing entry instead'); END"
                )


def drop_append_only_triggers() -> None:
    """Undo :func:`create_append_only_triggers`."""
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS hylla_refuse_change()")


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "staff",
                "manager",
                "admin",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("password_hash", sa.String(length=400), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    op.create_table(
        "location",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "internal",
                "supplier",
                "customer",
                "count-difference",
                "scrap",
                "opening",
                name="location_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint("length(code) > 0", name=op.f("ck_location_code_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location")),
        sa.UniqueConstraint("code", name=op.f("uq_location_code")),
    )
    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_setting")),
    )
    op.create_table(
        "supplier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=False),
        sa.Column("min_order_value", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint("lead_time_days >= 0", name=op.f("ck_supplier_lead_time_not_negative")),
        sa.CheckConstraint("length(code) > 0", name=op.f("ck_supplier_code_not_empty")),
        sa.CheckConstraint(
            "min_order_value >= 0", name=op.f("ck_supplier_min_order_value_not_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier")),
        sa.UniqueConstraint("code", name=op.f("uq_supplier_code")),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_audit_event_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)

    op.create_table(
        "item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("sales_price", sa.BigInteger(), nullable=True),
        sa.Column(
            "policy",
            sa.Enum(
                "zero-point",
                "reorder-point",
                "min-max",
                "manual",
                name="policy",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("min_qty", sa.BigInteger(), nullable=True),
        sa.Column("max_qty", sa.BigInteger(), nullable=True),
        sa.Column("order_qty", sa.BigInteger(), nullable=True),
        sa.Column("service_level", sa.BigInteger(), nullable=True),
        sa.Column("lot_tracked", sa.Boolean(), nullable=False),
        sa.Column("shelf_life_days", sa.Integer(), nullable=True),
        sa.Column("allow_negative", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("abc_class", sa.String(length=1), nullable=True),
        sa.Column("default_location_id", sa.Integer(), nullable=True),
        sa.Column("avg_cost", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("fifo_shortfall", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("avg_cost >= 0", name=op.f("ck_item_avg_cost_not_negative")),
        sa.CheckConstraint("fifo_shortfall >= 0", name=op.f("ck_item_fifo_shortfall_not_negative")),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_item_name_not_empty")),
        sa.CheckConstraint("length(sku) > 0", name=op.f("ck_item_sku_not_empty")),
        sa.CheckConstraint(
            "max_qty IS NULL OR min_qty IS NULL OR max_qty >= min_qty",
            name=op.f("ck_item_max_not_below_min"),
        ),
        sa.CheckConstraint(
            "min_qty IS NULL OR min_qty >= 0", name=op.f("ck_item_min_qty_not_negative")
        ),
        sa.CheckConstraint(
            "order_qty IS NULL OR order_qty > 0", name=op.f("ck_item_order_qty_positive")
        ),
        sa.CheckConstraint(
            "sales_price IS NULL OR sales_price >= 0", name=op.f("ck_item_sales_price_not_negative")
        ),
        sa.CheckConstraint(
            "service_level IS NULL OR (service_level > 0 AND service_level < 10000)",
            name=op.f("ck_item_service_level_range"),
        ),
        sa.CheckConstraint(
            "shelf_life_days IS NULL OR shelf_life_days > 0",
            name=op.f("ck_item_shelf_life_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["default_location_id"],
            ["location.id"],
            name=op.f("fk_item_default_location_id_location"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item")),
        sa.UniqueConstraint("sku", name=op.f("uq_item_sku")),
    )
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_category"), ["category"], unique=False)

    op.create_table(
        "barcode",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("pack_qty", sa.BigInteger(), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.CheckConstraint("length(code) > 0", name=op.f("ck_barcode_code_not_empty")),
        sa.CheckConstraint("pack_qty > 0", name=op.f("ck_barcode_pack_qty_positive")),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_barcode_item_id_item"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_barcode")),
        sa.UniqueConstraint("code", name=op.f("uq_barcode_code")),
    )
    with op.batch_alter_table("barcode", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_barcode_item_id"), ["item_id"], unique=False)

    op.create_table(
        "demand_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_demand_history_quantity_not_negative")),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["item.id"],
            name=op.f("fk_demand_history_item_id_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demand_history")),
        sa.UniqueConstraint("item_id", "day", name="uq_demand_history_item_day"),
    )
    op.create_table(
        "lot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.CheckConstraint("length(code) > 0", name=op.f("ck_lot_code_not_empty")),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_lot_item_id_item")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lot")),
        sa.UniqueConstraint("item_id", "code", name="uq_lot_item_code"),
    )
    with op.batch_alter_table("lot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lot_item_id"), ["item_id"], unique=False)

    op.create_table(
        "supplier_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("supplier_sku", sa.String(length=64), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("pack_size", sa.BigInteger(), nullable=False),
        sa.Column("moq", sa.BigInteger(), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=True),
        sa.Column("preferred", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "lead_time_days IS NULL OR lead_time_days >= 0",
            name=op.f("ck_supplier_item_lead_time_not_negative"),
        ),
        sa.CheckConstraint("moq >= 0", name=op.f("ck_supplier_item_moq_not_negative")),
        sa.CheckConstraint("pack_size > 0", name=op.f("ck_supplier_item_pack_size_positive")),
        sa.CheckConstraint("price >= 0", name=op.f("ck_supplier_item_price_not_negative")),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_supplier_item_item_id_item"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["supplier.id"], name=op.f("fk_supplier_item_supplier_id_supplier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_item")),
        sa.UniqueConstraint("supplier_id", "item_id", name="uq_supplier_item_supplier_item"),
    )
    with op.batch_alter_table("supplier_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supplier_item_item_id"), ["item_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_supplier_item_supplier_id"), ["supplier_id"], unique=False
        )

    op.create_table(
        "stock_level",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("lot_key", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_stock_level_item_id_item")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_stock_level_location_id_location")
        ),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"], name=op.f("fk_stock_level_lot_id_lot")),
        sa.PrimaryKeyConstraint("item_id", "location_id", "lot_key", name=op.f("pk_stock_level")),
    )
    with op.batch_alter_table("stock_level", schema=None) as batch_op:
        batch_op.create_index("ix_stock_level_location", ["location_id"], unique=False)

    op.create_table(
        "stock_move",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("from_location_id", sa.Integer(), nullable=False),
        sa.Column("to_location_id", sa.Integer(), nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "receipt",
                "issue",
                "transfer",
                "adjustment",
                "scrap",
                "return",
                "opening",
                name="move_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reverses_move_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "from_location_id <> to_location_id", name=op.f("ck_stock_move_distinct_locations")
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_stock_move_quantity_positive")),
        sa.CheckConstraint("unit_cost >= 0", name=op.f("ck_stock_move_unit_cost_not_negative")),
        sa.ForeignKeyConstraint(
            ["from_location_id"],
            ["location.id"],
            name=op.f("fk_stock_move_from_location_id_location"),
        ),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_stock_move_item_id_item")),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"], name=op.f("fk_stock_move_lot_id_lot")),
        sa.ForeignKeyConstraint(
            ["reverses_move_id"],
            ["stock_move.id"],
            name=op.f("fk_stock_move_reverses_move_id_stock_move"),
        ),
        sa.ForeignKeyConstraint(
            ["to_location_id"], ["location.id"], name=op.f("fk_stock_move_to_location_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_stock_move_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_move")),
    )
    with op.batch_alter_table("stock_move", schema=None) as batch_op:
        batch_op.create_index("ix_stock_move_item_moved_at", ["item_id", "moved_at"], unique=False)

    op.create_table(
        "cost_layer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("move_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("remaining", sa.BigInteger(), nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_cost_layer_quantity_positive")),
        sa.CheckConstraint(
            "remaining >= 0 AND remaining <= quantity",
            name=op.f("ck_cost_layer_remaining_in_range"),
        ),
        sa.CheckConstraint("unit_cost >= 0", name=op.f("ck_cost_layer_unit_cost_not_negative")),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_cost_layer_item_id_item")),
        sa.ForeignKeyConstraint(
            ["move_id"], ["stock_move.id"], name=op.f("fk_cost_layer_move_id_stock_move")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_layer")),
        sa.UniqueConstraint("move_id", name=op.f("uq_cost_layer_move_id")),
    )
    with op.batch_alter_table("cost_layer", schema=None) as batch_op:
        batch_op.create_index("ix_cost_layer_open", ["item_id", "remaining", "id"], unique=False)

    create_append_only_triggers()
    location = sa.table(
        "location",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("kind", sa.String),
        sa.column("active", sa.Boolean),
    )
    op.bulk_insert(
        location,
        [
            {"code": code, "name": name, "kind": kind, "active": True}
            for code, name, kind in VIRTUAL_LOCATIONS
        ],
    )


def downgrade() -> None:
    drop_append_only_triggers()

    with op.batch_alter_table("cost_layer", schema=None) as batch_op:
        batch_op.drop_index("ix_cost_layer_open")

    op.drop_table("cost_layer")
    with op.batch_alter_table("stock_move", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_move_item_moved_at")

    op.drop_table("stock_move")
    with op.batch_alter_table("stock_level", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_level_location")

    op.drop_table("stock_level")
    with op.batch_alter_table("supplier_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supplier_item_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_supplier_item_item_id"))

    op.drop_table("supplier_item")
    with op.batch_alter_table("lot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lot_item_id"))

    op.drop_table("lot")
    op.drop_table("demand_history")
    with op.batch_alter_table("barcode", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_barcode_item_id"))

    op.drop_table("barcode")
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_category"))

    op.drop_table("item")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))

    op.drop_table("audit_event")
    op.drop_table("supplier")
    op.drop_table("setting")
    op.drop_table("location")
    op.drop_table("app_user")
