"""The receipt log added up by the database (what every scan reads) is exactly the log
folded row by row in Python: the same quantities per item, lot, expiry and bin in the
same first-scan order, the same count, last scan, current bin and undo target — after
every step of a long random day of scans, typed quantities, bin changes and undos, on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from app.services import receiving
from app.services.database import Database, unit_of_work
from app.services.errors import ValidationError
from app.services.receiving import _db_fold, _fold, _receipt_events
from tests.services.purchasing_setup import (
    COFFEE_CARTON,
    COFFEE_EAN,
    MILK_EAN,
    TEA_EAN,
    Shop,
    build_shop,
    gs1,
    sent_order,
)


@pytest.fixture
def shop(db: Database) -> Shop:
    with unit_of_work(db) as s:
        return build_shop(s)


def _same(db: Database, receipt_id: int) -> None:
    with unit_of_work(db, read_only=True) as s:
        by_db = _db_fold(s, receipt_id)
        by_rows = _fold(_receipt_events(s, receipt_id))
    assert [(item, list(keys.items())) for item, keys in by_db.received.items()] == [
        (item, list(keys.items())) for item, keys in by_rows.received.items()
    ]
    assert by_db.scan_count == by_rows.scan_count
    assert by_db.last_add == by_rows.last_add
    assert by_db.last_live_id == by_rows.last_live_id
    assert by_db.current_bin_id == by_rows.current_bin_id


def test_the_database_fold_is_the_row_by_row_fold(db: Database, shop: Shop) -> None:
    rng = random.Random(20261125)
    soon = dt.date.today() + dt.timedelta(days=6)
    later = soon + dt.timedelta(days=3)
    with unit_of_work(db) as s:
        po = sent_order(s, shop, coffee="480", milk="200", screw="1000")
        receipt = receiving.start_receipt(s, shop.user, po_id=po.id)
    _same(db, receipt.id)
    scans = [
        COFFEE_EAN,
        COFFEE_CARTON,
        gs1("0" + MILK_EAN, lot="A1", expiry=soon),
        gs1("0" + MILK_EAN, lot="B2", expiry=later),
    ]
    for _step in range(160):
        roll = rng.random()
        with unit_of_work(db) as s:
            try:
                if roll < 0.55:
                    receiving.add_scan(s, receipt.id, rng.choice(scans), shop.user)
                elif roll < 0.65:
                    code = rng.choice(["A-01-01", "B-02-01", "C-03-01", ""])
                    receiving.set_bin(s, receipt.id, shop.user, code)
                elif roll < 0.75:
                    receiving.add_quantity(
                        s, receipt.id, shop.screw, rng.choice(["1", "7"]), shop.user
                    )
                elif roll < 0.8:
                    outcome = receiving.add_scan(s, receipt.id, TEA_EAN, shop.user)
                    if outcome.pending is not None:
                        receiving.complete_scan(
                            s, receipt.id, outcome.pending, shop.user, add_unordered=True
                        )
                else:
                    receiving.undo_last_scan(s, receipt.id, shop.user)
            except ValidationError:
                pass  # nothing to undo yet
        _same(db, receipt.id)
    with unit_of_work(db, read_only=True) as s:
        view = receiving.get_receipt(s, receipt.id)
    # The day did go through every path: several lots, bins, undos and an unordered item.
    assert view.scan_count > 50
    assert {line.sku for line in view.lines if line.received} >= {"KAFFE-500", "MJOLK-1L"}
    assert len({a.lot for line in view.lines for a in line.allocations}) >= 3
