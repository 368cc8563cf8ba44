"""Enumerations stored as short strings (CHECK-constrained, portable to both databases)."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import Enum as SAEnum


class Policy(enum.StrEnum):
    """How an item is replenished."""

    ZERO_POINT = "zero-point"
    REORDER_POINT = "reorder-point"
    MIN_MAX = "min-max"
    MANUAL = "manual"


class LocationKind(enum.StrEnum):
    """Bins hold stock; the other kinds are virtual ends of moves."""

    INTERNAL = "internal"
    SUPPLIER = "supplier"
    CUSTOMER = "customer"
    COUNT_DIFFERENCE = "count-difference"
    SCRAP = "scrap"
    OPENING = "opening"


class MoveKind(enum.StrEnum):
    """Why a move happened."""

    RECEIPT = "receipt"
    ISSUE = "issue"
    TRANSFER = "transfer"
    ADJUSTMENT = "adjustment"
    SCRAP = "scrap"
    RETURN = "return"
    OPENING = "opening"


class Role(enum.StrEnum):
    """What a user may do; each role includes the ones before it."""

    STAFF = "staff"
    MANAGER = "manager"
    ADMIN = "admin"


def enum_column(enum_class: type[enum.Enum], name: str) -> SAEnum:
    """A VARCHAR + CHECK column type that stores the enum's value, not its name."""
    values: Any = lambda e: [member.value for member in e]  # noqa: E731
    return SAEnum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=values,
        validate_strings=True,
    )
