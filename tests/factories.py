"""Small helpers that build test data through the services (never around them)."""

from __future__ import annotations

import datetime as dt
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


def customer(session: Session, user: UserId, code: str = "KUND1", **kw: str) -> int:
    from app.services.customers import CustomerInput, save_customer

    name = kw.pop("name", f"Customer {code}")
    return save_customer(session, user, CustomerInput(code=code, name=name, **kw)).id


def confirmed_order(
    session: Session,
    user: UserId,
    customer_id: int,
    *lines: tuple[int, str],
    today: dt.date | None = None,
) -> int:
    """A confirmed customer order of (item id, quantity) lines at price 1; returns its id."""
    from app.services import orders

    order = orders.create_order(
        session,
        user,
        customer_id,
        lines=[orders.OrderLineInput(item_id, qty, unit_price="1") for item_id, qty in lines],
    )
    orders.confirm_order(session, user, order.id, today)
    return order.id


@dataclass(frozen=True)
class OrderWorld:
    """A small shop for order tests: an admin and a staff user, three bins, a supplier
    (lead time 5 days), a stocked item, a zero-point item (packs of 12, minimum 24, 10 days)
    and a lot-tracked one, each with a barcode, and two customers."""

    user: UserId
    staff: UserId
    places: Places
    supplier: int
    stocked: int
    zero_point: int
    lotted: int
    customer: int
    other_customer: int

    @property
    def bins(self) -> tuple[int, ...]:
        return self.places.bins


STOCKED_EAN = "7310865004703"
ZERO_POINT_EAN = "7350000000023"
LOTTED_EAN = "7350000000016"


def order_world(session: Session) -> OrderWorld:
    from app.services.items import SupplierItemInput
    from app.services.settings import set_setting
    from app.services.suppliers import SupplierInput, save_supplier

    p = places(session, n_bins=3)
    staff = users.workstation_user(session, "stina").id
    set_setting(session, "company_name", "Hylla Testlager AB")
    supplier = save_supplier(
        session, p.user, SupplierInput(code="NORD", name="Nordgrossisten AB", lead_time_days=5)
    ).id
    stocked = item(
        session,
        p.user,
        "KAFFE",
        name="Kaffe mellanrost",
        sales_price="50",
        barcodes=(STOCKED_EAN,),
        default_location="A-01-01",
        supplier_items=(SupplierItemInput("NORD", price="30"),),
    ).id
    zero_point = item(
        session,
        p.user,
        "SKRUV-ZP",
        name="Specialskruv",
        sales_price="2.50",
        policy="zero-point",
        barcodes=(ZERO_POINT_EAN,),
        supplier_items=(
            SupplierItemInput(
                "NORD", price="1.20", pack_size="12", moq="24", lead_time_days=10, preferred=True
            ),
        ),
    ).id
    lotted = item(
        session,
        p.user,
        "MJOLK",
        name="Mjölk 1 l",
        sales_price="15",
        lot_tracked=True,
        barcodes=(LOTTED_EAN,),
        supplier_items=(SupplierItemInput("NORD", price="9"),),
    ).id
    return OrderWorld(
        user=p.user,
        staff=staff,
        places=p,
        supplier=supplier,
        stocked=stocked,
        zero_point=zero_point,
        lotted=lotted,
        customer=customer(session, p.user, "KUND1", name="Kund Ett AB"),
        other_customer=customer(session, p.user, "KUND2", name="Kund Två AB"),
    )
