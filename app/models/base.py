"""Declarative base, exact decimal storage and the shared column types."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from sqlalchemy import BigInteger, DateTime, Dialect, MetaData
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

QTY_SCALE = 3
MONEY_SCALE = 4
QTY_QUANTUM = Decimal(1).scaleb(-QTY_SCALE)
MONEY_QUANTUM = Decimal(1).scaleb(-MONEY_SCALE)


class InexactValueError(ValueError):
    """A value has more decimals than its column stores; it is refused, never rounded."""


class ScaledDecimal(TypeDecorator[Decimal]):
    """A ``Decimal`` stored exactly as an integer count of ``10**-scale`` units.

    SQLite has no exact decimal type, so both databases store the same integers and
    sums in SQL stay exact. A value that does not fit the scale raises instead of
    being silently rounded.
    """

    impl = BigInteger
    cache_ok = True

    def __init__(self, scale: int) -> None:
        super().__init__()
        self.scale = scale
        self.factor = 10**scale

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        return to_units(value, self.scale)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return from_units(int(value), self.scale)


def to_units(value: Decimal | int | str, scale: int) -> int:
    """The exact integer count of ``10**-scale`` in ``value``; refuses extra decimals."""
    if isinstance(value, float):
        raise TypeError("floats are not exact; pass a Decimal")
    d = value if isinstance(value, Decimal) else Decimal(value)
    scaled = d.scaleb(scale)
    if scaled != scaled.to_integral_value():
        raise InexactValueError(f"{value} has more than {scale} decimals")
    return int(scaled)


def from_units(units: int, scale: int) -> Decimal:
    """The ``Decimal`` that ``units`` counts of ``10**-scale`` represent."""
    return Decimal(units).scaleb(-scale)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime on both databases (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; pass an aware UTC datetime")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


Qty = Annotated[Decimal, "qty"]
Money = Annotated[Decimal, "money"]
Ratio = Annotated[Decimal, "ratio"]
Timestamp = Annotated[dt.datetime, "timestamp"]


class Base(DeclarativeBase):
    """Base of every mapped class; named constraints keep batch migrations possible."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        Qty: ScaledDecimal(QTY_SCALE),
        Money: ScaledDecimal(MONEY_SCALE),
        Ratio: ScaledDecimal(4),
        Timestamp: UtcDateTime(),
    }


def utcnow() -> dt.datetime:
    """Now, as an aware UTC datetime."""
    return dt.datetime.now(dt.UTC)
