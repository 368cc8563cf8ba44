"""Alembic migrations of the Hylla schema, applied at start after a backup."""
