"""Small helpers that build test data through the services (never around them)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from app.models import LocationKind, MoveKind
from app.services import ledger, locations, users
from app.services.items import BarcodeInput, ItemDetail, ItemInput, save_item
from app.services.users import UserId


@dataclass(frozen=True)
class Places:
    """The usual ids a ledger test needs."""

    user: UserId
    supplier: int
    customer: int
    count_diff: int
    scrap: int
    bins: tuple[int, ...]


def places(session: Session, n_bins: int = 2) -> Places:
    user = users.workstation_user(session, "tester")
    bins = tuple(
        locations.save_bin(session, user.id, f"A-01-{i + 1:02d}").id for i in range(n_bins)
    )
    return Places(
        user=user.id,
        supplier=locations.virtual_location_id(session, LocationKind.SUPPLIER),
        customer=locations.virtual_location_id(session, LocationKind.CUSTOMER),
        count_diff=locations.virtual_location_id(session, LocationKind.COUNT_DIFFERENCE),
        scrap=locations.virtual_location_id(session, LocationKind.SCRAP),
        bins=bins,
    )


def item(
    session: Session,
    user: UserId,
    sku: str = "SKU-1",
    *,
    barcodes: tuple[str, ...] = (),
    **kw: object,
) -> ItemDetail:
    data = ItemInput(
        sku=sku,
        name=str(kw.pop("name", f"Item {sku}")),
        barcodes=tuple(BarcodeInput(code) for code in barcodes),
        **kw,  # type: ignore[arg-type]
    )
    return save_item(session, user, data)


def receive(
    session: Session,
    p: Places,
    item_id: int,
    qty: str,
    cost: str = "10",
    bin_index: int = 0,
    lot_id: int | None = None,
) -> ledger.PostedMove:
    return ledger.post_move(
        session,
        item_id=item_id,
        quantity=Decimal(qty),
        from_location_id=p.supplier,
        to_location_id=p.bins[bin_index],
        kind=MoveKind.RECEIPT,
        user_id=p.user,
        unit_cost=Decimal(cost),
        lot_id=lot_id,
    )


def issue(
    session: Session,
    p: Places,
    item_id: int,
    qty: str,
    bin_index: int = 0,
    lot_id: int | None = None,
) -> ledger.PostedMove:
    return ledger.post_move(
        session,
        item_id=item_id,
        quantity=Decimal(qty),
        from_location_id=p.bins[bin_index],
        to_location_id=p.customer,
        kind=MoveKind.ISSUE,
        user_id=p.user,
        lot_id=lot_id,
    )
