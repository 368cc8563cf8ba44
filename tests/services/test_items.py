"""Item master data: validation beside each field, all-or-nothing saves, lookups."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.models import Barcode, Item, Policy, Supplier, SupplierItem
from app.services import items
from app.services.database import Database, unit_of_work
from app.services.errors import FieldErrors, NotFoundError
from app.services.items import BarcodeInput, ItemInput, SupplierItemInput
from tests import factories as f


def _setup(db: Database):  # type: ignore[no-untyped-def]
    with unit_of_work(db) as s:
        p = f.places(s)
        s.add(Supplier(code="ACME", name="Acme AB"))
        s.add(Supplier(code="NORD", name="Nordgross"))
    return p


def test_create_item_with_barcodes_and_supplier_terms(db: Database) -> None:
    p = _setup(db)
    data = ItemInput(
        sku="HX-1001",
        name="  Hammer   400 g ",
        unit="pcs",
        category="Tools",
        sales_price="149,50",
        policy="min-max",
        min_qty="5",
        max_qty="20",
        service_level="95",
        shelf_life_days="",
        default_location="a-01-01",
        barcodes=(BarcodeInput("7310865004703"), BarcodeInput("17310865004700", "12", "Carton")),
        supplier_items=(
            SupplierItemInput("ACME", "A-77", "80.25", "12", "24", "5", True),
            SupplierItemInput("nord", "", "82", "1", "0", None, False),
        ),
    )
    with unit_of_work(db) as s:
        saved = items.save_item(s, p.user, data)
    assert saved.name == "Hammer 400 g"
    assert saved.sales_price == Decimal("149.50")
    assert saved.policy is Policy.MIN_MAX
    assert saved.service_level == Decimal("0.95")
    assert saved.default_location == "A-01-01"
    assert [(b.code, b.pack_qty) for b in saved.barcodes] == [
        ("7310865004703", Decimal(1)),
        ("17310865004700", Decimal(12)),
    ]
    assert saved.supplier_items[0].supplier_code == "ACME" and saved.supplier_items[0].preferred
    with unit_of_work(db) as s:
        found = items.find_item(s, "17310865004700")
        assert found is not None and found.sku == "HX-1001"
        assert items.find_item(s, "hx-1001") is not None
        assert items.find_item(s, "nothing") is None


def test_every_bad_field_is_reported_and_nothing_is_saved(db: Database) -> None:
    p = _setup(db)
    with unit_of_work(db) as s:
        f.item(s, p.user, "TAKEN", barcodes=("7310865004703",))
    bad = ItemInput(
        sku="TAKEN",
        name="",
        sales_price="12,3x",
        policy="sometimes",
        min_qty="10",
        max_qty="5",
        service_level="120",
        shelf_life_days="-3",
        default_location="Z-99",
        barcodes=(
            BarcodeInput("7310865004704"),
            BarcodeInput("7310865004703"),
            BarcodeInput("12345", "0"),
        ),
        supplier_items=(
            SupplierItemInput("NOPE"),
            SupplierItemInput("ACME", price="-1"),
            SupplierItemInput(" ", "L-77", "10,50"),
        ),
    )
    with pytest.raises(FieldErrors) as caught, unit_of_work(db) as s:
        items.save_item(s, p.user, bad)
    errors = caught.value.errors
    assert "already used" in errors["sku"]
    assert "name" in errors
    assert "not a number" in errors["sales_price"]
    assert "zero-point, reorder-point, min-max or manual" in errors["policy"]
    assert "cannot be below min" in errors["max_qty"]
    assert "between 50 and 99.99" in errors["service_level"]
    assert "whole number of days" in errors["shelf_life_days"]
    assert "no bin Z-99" in errors["default_location"]
    assert "check digit of 7310865004704 should be 3" in errors["barcodes.0"]
    assert "already belongs to item TAKEN" in errors["barcodes.1"]
    assert "greater than zero" in errors["barcodes.2"]
    assert "no supplier NOPE" in errors["supplier_items.0"]
    assert "cannot be negative" in errors["supplier_items.1"]
    # A row whose supplier was never chosen says so, not "There is no supplier —".
    assert errors["supplier_items.2"] == "Choose the supplier, or remove the row with ×."
    with unit_of_work(db) as s:
        assert s.scalar(select(func.count()).select_from(Item)) == 1
        assert s.scalar(select(func.count()).select_from(Barcode)) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sku", "has space", "no spaces"),
        ("sku", "", "Give the item a SKU"),
        ("min_qty", "1.2345", "at most 3 decimals"),
        ("order_qty", "0", "greater than zero"),
        ("sales_price", "-5", "cannot be negative"),
        ("service_level", "0.2", "between 50 and 99.99"),
    ],
)
def test_single_bad_fields(sqlite_db: Database, field: str, value: str, message: str) -> None:
    p = _setup(sqlite_db)
    values: dict[str, str] = {"sku": "OK-1", "name": "Fine", field: value}
    data = ItemInput(**values)  # type: ignore[arg-type]
    with pytest.raises(FieldErrors) as caught, unit_of_work(sqlite_db) as s:
        items.save_item(s, p.user, data)
    assert message in caught.value.errors[field]


def test_min_max_needs_both_bounds(sqlite_db: Database) -> None:
    p = _setup(sqlite_db)
    with pytest.raises(FieldErrors, match="needs both"), unit_of_work(sqlite_db) as s:
        items.save_item(s, p.user, ItemInput(sku="MM", name="x", policy="min-max", min_qty="1"))


def test_update_replaces_barcodes_and_supplier_items(db: Database) -> None:
    p = _setup(db)
    with unit_of_work(db) as s:
        first = items.save_item(
            s,
            p.user,
            ItemInput(
                sku="A",
                name="A",
                barcodes=(BarcodeInput("7310865004703"),),
                supplier_items=(SupplierItemInput("ACME"), SupplierItemInput("NORD")),
            ),
        )
    with unit_of_work(db) as s:
        second = items.save_item(
            s,
            p.user,
            ItemInput(
                sku="A",
                name="A renamed",
                barcodes=(BarcodeInput("96385074"),),
                supplier_items=(SupplierItemInput("NORD", price="3"),),
            ),
            first.id,
        )
    assert second.name == "A renamed"
    assert [b.code for b in second.barcodes] == ["96385074"]
    assert [(si.supplier_code, si.price) for si in second.supplier_items] == [("NORD", Decimal(3))]
    with unit_of_work(db) as s:
        assert s.scalar(select(func.count()).select_from(SupplierItem)) == 1
        # supplier_items=None leaves the terms alone (imports of the item file do this)
        items.save_item(s, p.user, ItemInput(sku="A", name="A", barcodes=()), first.id)
        assert s.scalar(select(func.count()).select_from(SupplierItem)) == 1


def test_lot_tracking_cannot_change_while_in_stock(sqlite_db: Database) -> None:
    p = _setup(sqlite_db)
    with unit_of_work(sqlite_db) as s:
        item = f.item(s, p.user, "X")
        f.receive(s, p, item.id, "1")
    with pytest.raises(FieldErrors, match="no stock"), unit_of_work(sqlite_db) as s:
        items.save_item(s, p.user, ItemInput(sku="X", name="X", lot_tracked=True), item.id)


def test_list_items_gives_on_hand_and_barcodes(db: Database) -> None:
    p = _setup(db)
    with unit_of_work(db) as s:
        a = f.item(s, p.user, "B-2", barcodes=("96385074",))
        f.item(s, p.user, "A-1")
        f.receive(s, p, a.id, "2.5")
        f.receive(s, p, a.id, "1", bin_index=1)
    rows = db.read(items.list_items)
    assert [(r.sku, r.on_hand, r.barcodes) for r in rows] == [
        ("A-1", Decimal(0), ()),
        ("B-2", Decimal("3.5"), ("96385074",)),
    ]


def test_missing_item_is_a_clear_error(sqlite_db: Database) -> None:
    with pytest.raises(NotFoundError, match="does not exist"), unit_of_work(sqlite_db) as s:
        items.get_item(s, 12345)
