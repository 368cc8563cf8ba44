"""The whole warehouse's stock per bin and lot, valued at each item's current unit cost."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from app.services import lots, settings, stock
from app.services.database import Database
from tests import factories


def test_stock_rows_per_bin_and_lot_in_sku_order(db: Database) -> None:
    places = db.run(factories.places)
    salt = db.run(
        factories.item, places.user, "SALT", name="Road salt", unit="kg", lot_tracked=True
    )
    nails = db.run(factories.item, places.user, "NAIL", name="Nails")
    db.run(factories.item, places.user, "NONE", name="Never stocked")
    late = db.run(lots.get_or_create_lot, salt.id, "L2", dt.date(2031, 1, 1))
    early = db.run(lots.get_or_create_lot, salt.id, "L1", dt.date(2030, 1, 1))
    db.run(factories.receive, places, salt.id, "5", "2", 0, late.id)
    db.run(factories.receive, places, salt.id, "0.001", "2", 0, early.id)
    db.run(factories.receive, places, nails.id, "10", "1", 1)
    db.run(factories.issue, places, nails.id, "10", 1)  # emptied: not listed
    db.run(factories.receive, places, nails.id, "3", "1", 0)

    rows = db.run(stock.list_stock)

    assert [(r.sku, r.location_code, r.lot_code, r.quantity) for r in rows] == [
        ("NAIL", "A-01-01", "", Decimal(3)),
        ("SALT", "A-01-01", "L1", Decimal("0.001")),
        ("SALT", "A-01-01", "L2", Decimal(5)),
    ]
    assert rows[1].expiry == dt.date(2030, 1, 1)
    assert rows[1].unit == "kg" and rows[1].name == "Road salt"
    assert all(isinstance(r.quantity, Decimal) and isinstance(r.value, Decimal) for r in rows)
    empty_bin = db.run(stock.list_stock, True)
    assert ("NAIL", "A-01-02", Decimal(0)) in [
        (r.sku, r.location_code, r.quantity) for r in empty_bin
    ]


def test_fifo_value_spreads_the_open_layers_over_the_stock(db: Database) -> None:
    places = db.run(factories.places)
    item = db.run(factories.item, places.user, "HX")
    db.run(factories.receive, places, item.id, "10", "1.00", 0)
    db.run(factories.receive, places, item.id, "10", "2.00", 1)
    db.run(factories.issue, places, item.id, "4", 0)  # FIFO takes 4 at 1.00

    rows = db.run(stock.list_stock)

    # Open layers: 6 at 1.00 and 10 at 2.00 = 26.00 for 16 units, 1.625 a unit.
    assert {r.unit_cost for r in rows} == {Decimal("1.625")}
    assert [(r.quantity, r.value) for r in rows] == [
        (Decimal(6), Decimal("9.750")),
        (Decimal(10), Decimal("16.250")),
    ]
    assert sum(r.value for r in rows) == Decimal(26)


def test_weighted_average_values_at_the_average(db: Database) -> None:
    places = db.run(factories.places)
    db.run(settings.set_setting, "costing_method", "average")
    item = db.run(factories.item, places.user, "AVG")
    db.run(factories.receive, places, item.id, "1", "1", 0)
    db.run(factories.receive, places, item.id, "3", "3", 0)

    (row,) = db.run(stock.list_stock)

    assert row.unit_cost == Decimal("2.5")
    assert row.value == Decimal(10)
