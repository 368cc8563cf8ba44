"""A small wholesaler's world for purchasing and receiving tests, built through the services.

One supplier (Nordgrossisten), four bins and four items: coffee sold by the piece and in
cartons of 12, lot-tracked milk with a shelf life, screws bought in packs of 100 that have
no usual bin, and tea that the supplier also sells but that is not on the orders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.barcodes.gs1 import encode_date
from app.models import Role, User
from app.services import locations, settings, users
from app.services.items import BarcodeInput, ItemInput, SupplierItemInput, save_item
from app.services.purchase_orders import (
    PurchaseOrderDetail,
    PurchaseOrderLineInput,
    create_purchase_order,
    send_purchase_order,
)
from app.services.suppliers import SupplierInput, save_supplier
from app.services.users import UserId

GS = "\x1d"
COFFEE_EAN = "7310865004703"
COFFEE_CARTON = "17310865004700"
MILK_EAN = "7350000000016"
SCREW_EAN = "7350000000023"
TEA_EAN = "7350000000030"


@dataclass(frozen=True)
class Shop:
    """Ids of everything the tests use."""

    user: UserId
    supplier: int
    bins: dict[str, int]
    coffee: int
    milk: int
    screw: int
    tea: int


def build_shop(session: Session) -> Shop:
    """Create the supplier, bins and items (with supplier terms) and the company header."""
    maja = users.workstation_user(session, "maja")
    # Maja keeps the master data, a manager's work (app/services/auth.py); she is not the
    # database's first user (its administrator) when a test made another user before.
    if maja.role is Role.STAFF:
        session.execute(update(User).where(User.id == maja.id).values(role=Role.MANAGER))
    user = maja.id
    settings.set_setting(session, "company_name", "Hylla Testlager AB")
    settings.set_setting(session, "company_address", "Lagervägen 3\n123 45 Älmhult")
    settings.set_setting(session, "company_email", "inköp@testlager.se")
    bins = {
        code: locations.save_bin(session, user, code).id
        for code in ("A-01-01", "A-01-02", "B-02-01", "C-03-01")
    }
    supplier = save_supplier(
        session,
        user,
        SupplierInput(
            code="NORD",
            name="Nordgrossisten AB",
            email="order@nordgrossisten.se",
            address="Box 12\n581 02 Linköping",
            lead_time_days=5,
        ),
    ).id

    def item(sku: str, name: str, barcodes: tuple[BarcodeInput, ...], **kw: object) -> int:
        terms = kw.pop("terms")
        assert isinstance(terms, SupplierItemInput)
        return save_item(
            session,
            user,
            ItemInput(sku=sku, name=name, barcodes=barcodes, supplier_items=(terms,), **kw),  # type: ignore[arg-type]
        ).id

    coffee = item(
        "KAFFE-500",
        "Kaffe mellanrost 500 g",
        (BarcodeInput(COFFEE_EAN), BarcodeInput(COFFEE_CARTON, "12", "Kartong")),
        default_location="A-01-01",
        terms=SupplierItemInput("NORD", "NB-4703", "38.50", "12"),
    )
    milk = item(
        "MJOLK-1L",
        "Mjölk 1 l",
        (BarcodeInput(MILK_EAN),),
        default_location="A-01-02",
        lot_tracked=True,
        shelf_life_days=10,
        terms=SupplierItemInput("NORD", "NB-0016", "11.20", "1"),
    )
    screw = item(
        "SKRUV-440",
        "Skruv 4×40 förzinkad",
        (BarcodeInput(SCREW_EAN),),
        terms=SupplierItemInput("NORD", "NB-0023", "0.35", "100"),
    )
    tea = item(
        "TE-GRON",
        "Grönt te 20 påsar",
        (BarcodeInput(TEA_EAN),),
        default_location="B-02-01",
        terms=SupplierItemInput("NORD", "NB-0030", "24.00", "1"),
    )
    return Shop(user, supplier, bins, coffee, milk, screw, tea)


def sent_order(
    session: Session,
    shop: Shop,
    *,
    coffee: str = "48",
    milk: str = "20",
    screw: str | None = None,
) -> PurchaseOrderDetail:
    """A sent order for coffee (4 cartons) and milk, and screws if asked."""
    lines = [
        PurchaseOrderLineInput(shop.coffee, Decimal(coffee)),
        PurchaseOrderLineInput(shop.milk, Decimal(milk)),
    ]
    if screw is not None:
        lines.append(PurchaseOrderLineInput(shop.screw, Decimal(screw)))
    po = create_purchase_order(session, shop.user, shop.supplier, lines=lines)
    return send_purchase_order(session, shop.user, po.id)


def gs1(gtin14: str, *, lot: str | None = None, expiry: dt.date | None = None) -> str:
    """A GS1-128 scan as a scanner sends it: ]C1, (01), (17), then (10) last."""
    text = "]C1" + "01" + gtin14
    if expiry is not None:
        text += "17" + encode_date(expiry)
    if lot is not None:
        text += "10" + lot
    return text


def gs1_count(content_gtin14: str, count: int, *, lot: str | None = None) -> str:
    """A logistic unit's GS1-128: (02) content, (37) count, then (10) lot."""
    text = "]C1" + "02" + content_gtin14 + "37" + str(count)
    if lot is not None:
        text += GS + "10" + lot
    return text
