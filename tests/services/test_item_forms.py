"""What the item editor reads in one transaction: choices, the item, its stock and moves."""

from __future__ import annotations

import pytest

from app.services import item_forms, suppliers
from app.services.database import Database
from app.services.errors import NotFoundError
from app.services.items import UNITS, ItemInput, SupplierItemInput, save_item
from app.services.suppliers import SupplierInput
from tests import factories


def test_choices_list_units_categories_active_bins_and_suppliers(db: Database) -> None:
    places = db.run(factories.places)
    db.run(factories.item, places.user, "A-1", category="Kemi")
    db.run(factories.item, places.user, "A-2", category="Beslag")
    db.run(factories.item, places.user, "A-3")
    db.run(suppliers.save_supplier, places.user, SupplierInput(code="ZETA", name="Zeta AB"))
    db.run(suppliers.save_supplier, places.user, SupplierInput(code="ACME", name="Acme AB"))

    choices = db.run(item_forms.item_form_choices)

    assert choices.units == UNITS
    assert choices.categories == ("Beslag", "Kemi")
    assert choices.bins == ("A-01-01", "A-01-02")
    assert [(s.code, s.name) for s in choices.suppliers] == [
        ("ACME", "Acme AB"),
        ("ZETA", "Zeta AB"),
    ]


def test_overview_holds_the_item_its_stock_and_its_moves_newest_first(db: Database) -> None:
    places = db.run(factories.places)
    item = db.run(factories.item, places.user, "HX-1")
    db.run(factories.receive, places, item.id, "10", "2")
    db.run(factories.receive, places, item.id, "2.5", "2", 1)
    db.run(factories.issue, places, item.id, "4")

    overview = db.run(item_forms.item_overview, item.id)

    assert (overview.detail.id, overview.detail.sku) == (item.id, "HX-1")
    assert overview.detail.avg_cost == 2  # read now, after the receipts
    assert [(s.location_code, str(s.quantity)) for s in overview.stock] == [
        ("A-01-01", "6.000"),
        ("A-01-02", "2.500"),
    ]
    assert [m.kind.value for m in overview.moves] == ["issue", "receipt", "receipt"]
    assert overview.choices.bins == ("A-01-01", "A-01-02")


def test_an_inactive_supplier_of_the_item_stays_among_the_choices(db: Database) -> None:
    places = db.run(factories.places)
    db.run(suppliers.save_supplier, places.user, SupplierInput(code="OLD", name="Old AB"))
    item = db.run(factories.item, places.user, "HX-2")

    linked = ItemInput(sku=item.sku, name=item.name, supplier_items=(SupplierItemInput("OLD"),))
    db.run(save_item, places.user, linked, item.id)
    db.run(
        suppliers.save_supplier,
        places.user,
        SupplierInput(code="OLD", name="Old AB", active=False),
        db.run(suppliers.find_supplier, "OLD").id,
    )

    assert db.run(item_forms.item_form_choices).suppliers == ()
    overview = db.run(item_forms.item_overview, item.id)
    assert [s.code for s in overview.choices.suppliers] == ["OLD"]


def test_overview_of_a_missing_item_says_so(db: Database) -> None:
    with pytest.raises(NotFoundError, match="Item 999 does not exist."):
        db.run(item_forms.item_overview, 999)
