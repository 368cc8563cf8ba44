"""report_indexes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25

Two indexes on ``stock_move`` for the reports that read the whole ledger (stock
turnover, valuation as of a date, dead stock):

* ``ix_stock_move_report`` covers them: (item, from-location, to-location, time,
  quantity, unit cost, kind). Every column those reads touch is in it (the row id is in
  every SQLite index), so SQLite scans the narrow index instead of the table, and a sum
  grouped by item and route (from, to) comes out in index order without sorting a
  million moves first.
* ``ix_stock_move_reverses`` finds the few reversing moves (partial: only rows that
  reverse another), which the FIFO valuation and ``ledger.reverse_move`` look up and
  which were a scan of the whole table before.

``stock_move`` stays append-only by 0001's triggers; creating an index does not touch
its rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

REPORT = "ix_stock_move_report"
COLUMNS = [
    "item_id",
    "from_location_id",
    "to_location_id",
    "moved_at",
    "quantity",
    "unit_cost",
    "kind",
]
REVERSES = "ix_stock_move_reverses"
REVERSING_ONLY = "reverses_move_id IS NOT NULL"


def upgrade() -> None:
    """Add the reports' indexes on the ledger."""
    op.create_index(REPORT, "stock_move", COLUMNS, unique=False)
    op.create_index(
        REVERSES,
        "stock_move",
        ["reverses_move_id"],
        unique=False,
        sqlite_where=sa.text(REVERSING_ONLY),
        postgresql_where=sa.text(REVERSING_ONLY),
    )


def downgrade() -> None:
    """Remove what :func:`upgrade` added."""
    op.drop_index(REVERSES, table_name="stock_move")
    op.drop_index(REPORT, table_name="stock_move")
