"""Locations: bins that hold stock, and the virtual ends of moves."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.enums import LocationKind, enum_column


class Location(Base):
    """A bin like ``A-01-03`` (internal), or a virtual supplier/customer/scrap location."""

    __tablename__ = "location"
    __table_args__ = (CheckConstraint("length(code) > 0", name="code_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[LocationKind] = mapped_column(
        enum_column(LocationKind, "location_kind"), default=LocationKind.INTERNAL
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Lot(Base):
    """A batch of one item, with an optional expiry date."""

    __tablename__ = "lot"
    __table_args__ = (
        UniqueConstraint("item_id", "code", name="uq_lot_item_code"),
        CheckConstraint("length(code) > 0", name="code_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    expiry: Mapped[dt.date | None] = mapped_column(Date)
