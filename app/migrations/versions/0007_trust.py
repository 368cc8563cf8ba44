"""trust

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25

Sign-in: each user gets a count of wrong passwords in a row, the time until which they
are locked out after too many, and the time of their last sign-in. The audit trail gets
the two indexes its viewer filters by (who; what was changed). ``audit_event`` stays
append-only by 0001's triggers; adding an index does not touch its rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

USER_COLUMNS = ("failed_sign_ins", "locked_until", "last_sign_in_at")


def upgrade() -> None:
    """Add the sign-in columns and the audit trail's indexes."""
    # Plain ADD COLUMN on both databases (never a table copy: app_user is referenced
    # by every posting, and copying it would fight the foreign keys).
    op.add_column(
        "app_user",
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("app_user", sa.Column("locked_until", sa.DateTime(timezone=True)))
    op.add_column("app_user", sa.Column("last_sign_in_at", sa.DateTime(timezone=True)))
    op.create_index("ix_audit_event_user", "audit_event", ["user_id", "id"], unique=False)
    op.create_index("ix_audit_event_entity", "audit_event", ["entity", "entity_id"], unique=False)


def downgrade() -> None:
    """Remove what :func:`upgrade` added."""
    op.drop_index("ix_audit_event_entity", table_name="audit_event")
    op.drop_index("ix_audit_event_user", table_name="audit_event")
    # SQLite (3.35+) and PostgreSQL both drop a column in place; alembic's batch mode
    # would copy the table instead.
    for column in reversed(USER_COLUMNS):
        op.execute(f"ALTER TABLE app_user DROP COLUMN {column}")
