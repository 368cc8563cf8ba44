"""A buyer's world for proposal tests, built through the services: one supplier, one bin,
and items with imported daily demand and stock on the shelf."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.models import DemandHistory, LocationKind, MoveKind
from app.services import ledger, locations, users
from app.services.demand import local_today
from app.services.items import ItemInput, SupplierItemInput, save_item
from app.services.suppliers import SupplierInput, save_supplier
from app.services.users import UserId

TODAY = local_today()
D = Decimal


@dataclass(frozen=True)
class World:
    user: UserId
    supplier: int
    bin: int
    supplier_location: int
    customer_location: int


def world(session: Session, *, min_order_value: str = "0", lead_time: int = 7) -> World:
    """A buyer (the first user: an administrator), one bin and one supplier."""
    user = users.workstation_user(session, "buyer").id
    bin_id = locations.save_bin(session, user, "A-01-01").id
    supplier = save_supplier(
        session,
        user,
        SupplierInput(
            code="NORD",
            name="Nordgrossisten AB",
            lead_time_days=lead_time,
            min_order_value=min_order_value,
        ),
    ).id
    return World(
        user,
        supplier,
        bin_id,
        locations.virtual_location_id(session, LocationKind.SUPPLIER),
        locations.virtual_location_id(session, LocationKind.CUSTOMER),
    )


def item(
    session: Session,
    w: World,
    sku: str,
    *,
    policy: str = "reorder-point",
    daily: str | None = "2",
    history_days: int = 140,
    on_hand: str = "10",
    price: str = "10",
    pack: str = "1",
    moq: str = "0",
    lead: int | None = None,
    supplier: str | None = "NORD",
    **fields: object,
) -> int:
    """An item with ``history_days`` of imported daily demand ``daily`` and ``on_hand`` in
    the bin."""
    terms = (
        (SupplierItemInput(supplier, f"S-{sku}", price, pack, moq, lead, preferred=True),)
        if supplier
        else ()
    )
    item_id = save_item(
        session,
        w.user,
        ItemInput(sku=sku, name=f"Item {sku}", policy=policy, supplier_items=terms, **fields),  # type: ignore[arg-type]
    ).id
    if daily is not None:
        session.execute(
            insert(DemandHistory),
            [
                {"item_id": item_id, "day": TODAY - dt.timedelta(days=d), "quantity": D(daily)}
                for d in range(1, history_days + 1)
            ],
        )
    if D(on_hand) > 0:
        ledger.post_move(
            session,
            item_id=item_id,
            quantity=D(on_hand),
            from_location_id=w.supplier_location,
            to_location_id=w.bin,
            kind=MoveKind.RECEIPT,
            user_id=w.user,
            unit_cost=D(price),
        )
    return item_id
