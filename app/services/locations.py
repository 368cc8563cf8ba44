"""Locations: the bins of the warehouse and the virtual ends of moves."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.i18n import N_, _
from app.models import Location, LocationKind, Role, StockLevel
from app.services.auth import require_role
from app.services.errors import FieldErrors, NotFoundError
from app.services.users import UserId, record_audit

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")


@dataclass(frozen=True)
class LocationRow:
    """A location as lists show it."""

    id: int
    code: str
    name: str
    kind: LocationKind
    active: bool


def _row(location: Location) -> LocationRow:
    return LocationRow(location.id, location.code, location.name, location.kind, location.active)


VIRTUAL_LABELS = {
    LocationKind.SUPPLIER: N_("Suppliers"),
    LocationKind.CUSTOMER: N_("Customers"),
    LocationKind.COUNT_DIFFERENCE: N_("Count differences"),
    LocationKind.SCRAP: N_("Scrap"),
    LocationKind.OPENING: N_("Opening balance"),
}


def location_label(kind: LocationKind, code: str) -> str:
    """How people see a location: a bin by its code, a virtual location by its role."""
    label = VIRTUAL_LABELS.get(kind)
    return _(label) if label is not None else code


def virtual_location_id(session: Session, kind: LocationKind) -> int:
    """The id of the one virtual location of ``kind`` (created by the first migration)."""
    cache: dict[LocationKind, int] = session.info.setdefault("hylla_virtual", {})
    if kind not in cache:
        found = session.scalar(
            select(Location.id).where(Location.kind == kind).order_by(Location.id).limit(1)
        )
        if found is None:
            raise NotFoundError(
                _("The database lacks its {kind} location.").format(kind=kind.value)
            )
        cache[kind] = found
    return cache[kind]


def list_bins(session: Session, include_inactive: bool = False) -> list[LocationRow]:
    """The bins of the warehouse in code order."""
    query = select(Location).where(Location.kind == LocationKind.INTERNAL).order_by(Location.code)
    if not include_inactive:
        query = query.where(Location.active.is_(True))
    return [_row(loc) for loc in session.scalars(query)]


def find_location(session: Session, code: str) -> LocationRow | None:
    """The location with this code (case-insensitive), if any."""
    location = session.scalar(
        select(Location).where(func.upper(Location.code) == code.strip().upper())
    )
    return _row(location) if location else None


def get_location(session: Session, location_id: int) -> LocationRow | None:
    """The location with this id, if any."""
    location = session.get(Location, location_id)
    return _row(location) if location else None


def save_bin(
    session: Session, user_id: UserId, code: str, name: str = "", location_id: int | None = None
) -> LocationRow:
    """Create a bin, or rename an existing one (managers and administrators)."""
    require_role(session, user_id, Role.MANAGER, _("create or rename bins"))
    code = code.strip().upper()
    errors: dict[str, str] = {}
    if not CODE_PATTERN.match(code):
        errors["code"] = _(
            "A bin code is 1–40 letters, digits, '-', '.', '_' or '/', e.g. A-01-03."
        )
    clash = session.scalar(
        select(Location.kind).where(
            func.upper(Location.code) == code, Location.id != (location_id or 0)
        )
    )
    if clash == LocationKind.INTERNAL:
        errors["code"] = _("There is already a bin {code}.").format(code=code)
    elif clash is not None:
        # Suppliers, customers, scrap and the like are virtual locations, not bins a
        # worker has seen on the floor: say why the code is taken.
        errors["code"] = _(
            "{code} is a code Hylla keeps for its own use (suppliers, customers, scrap"
            " and the like). Choose another code."
        ).format(code=code)
    if errors:
        raise FieldErrors(errors)
    if location_id is None:
        location = Location(code=code, name=name.strip(), kind=LocationKind.INTERNAL, active=True)
        session.add(location)
        action = "create"
    else:
        found = session.get(Location, location_id)
        if found is None or found.kind is not LocationKind.INTERNAL:
            raise NotFoundError(_("Bin {id} does not exist.").format(id=location_id))
        location = found
        location.code, location.name = code, name.strip()
        action = "update"
    session.flush()
    record_audit(session, user_id, action, "location", location.id, {"code": code, "name": name})
    return _row(location)


def bin_has_stock(session: Session, location_id: int) -> bool:
    """True if any item has non-zero stock in the bin."""
    return (
        session.scalar(
            select(StockLevel.item_id)
            .where(StockLevel.location_id == location_id, StockLevel.quantity != 0)
            .limit(1)
        )
        is not None
    )


@dataclass(frozen=True)
class BinSummary:
    """A bin with what it holds, for the Locations page."""

    id: int
    code: str
    name: str
    active: bool
    item_count: int
    total_quantity: Decimal


def list_bin_summaries(session: Session) -> list[BinSummary]:
    """Every bin (inactive ones too) with how many items it holds and their total quantity."""
    held = {
        location_id: (count, total)
        for location_id, count, total in session.execute(
            select(
                StockLevel.location_id,
                func.count(func.distinct(StockLevel.item_id)),
                func.sum(StockLevel.quantity),
            )
            .where(StockLevel.quantity != 0)
            .group_by(StockLevel.location_id)
        ).tuples()
    }
    query = select(Location).where(Location.kind == LocationKind.INTERNAL).order_by(Location.code)
    return [
        BinSummary(
            location.id,
            location.code,
            location.name,
            location.active,
            *held.get(location.id, (0, Decimal(0))),
        )
        for location in session.scalars(query)
    ]
