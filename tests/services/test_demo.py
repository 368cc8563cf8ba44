"""The demo warehouse: deterministic, valid barcodes, a consistent ledger, empty databases only."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app.barcodes.gtin import gtin_problem
from app.models import (
    Barcode,
    CostLayer,
    Item,
    Location,
    LocationKind,
    Lot,
    MoveKind,
    Policy,
    StockLevel,
    StockMove,
    Supplier,
    SupplierItem,
)
from app.services import demo, locations, users
from app.services.database import Database, open_database, unit_of_work
from app.services.errors import ValidationError
from tests import factories as f

TODAY = dt.date(2026, 3, 2)
SMALL = 0.1


def _build(db: Database, *, seed: int = 7, scale: float = SMALL, **kw: Any) -> demo.DemoSummary:
    with unit_of_work(db) as s:
        user = users.workstation_user(s, "demo")
        return demo.create_demo(s, user.id, seed=seed, today=TODAY, scale=scale, **kw)


def _snapshot(s: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Everything the demo made, keyed by codes (never by ids)."""
    source, target = aliased(Location), aliased(Location)
    bin_ = aliased(Location)
    return {
        "items": [
            tuple(row)
            for row in s.execute(
                select(
                    Item.sku,
                    Item.name,
                    Item.category,
                    Item.unit,
                    Item.policy,
                    Item.min_qty,
                    Item.max_qty,
                    Item.order_qty,
                    Item.service_level,
                    Item.sales_price,
                    Item.lot_tracked,
                    Item.shelf_life_days,
                    bin_.code,
                )
                .join(bin_, bin_.id == Item.default_location_id)
                .order_by(Item.sku)
            )
        ],
        "barcodes": [
            tuple(row)
            for row in s.execute(
                select(Item.sku, Barcode.code, Barcode.pack_qty)
                .join(Item, Item.id == Barcode.item_id)
                .order_by(Barcode.code)
            )
        ],
        "supplier_items": [
            tuple(row)
            for row in s.execute(
                select(
                    Supplier.code,
                    Item.sku,
                    SupplierItem.price,
                    SupplierItem.pack_size,
                    SupplierItem.moq,
                    SupplierItem.lead_time_days,
                    SupplierItem.preferred,
                )
                .join(Supplier, Supplier.id == SupplierItem.supplier_id)
                .join(Item, Item.id == SupplierItem.item_id)
                .order_by(Supplier.code, Item.sku)
            )
        ],
        "moves": [
            tuple(row)
            for row in s.execute(
                select(
                    Item.sku,
                    StockMove.kind,
                    StockMove.quantity,
                    StockMove.unit_cost,
                    source.code,
                    target.code,
                    Lot.code,
                    Lot.expiry,
                    StockMove.reference,
                    StockMove.moved_at,
                )
                .join(Item, Item.id == StockMove.item_id)
                .join(source, source.id == StockMove.from_location_id)
                .join(target, target.id == StockMove.to_location_id)
                .outerjoin(Lot, Lot.id == StockMove.lot_id)
                .order_by(StockMove.id)
            )
        ],
        "levels": [
            tuple(row)
            for row in s.execute(
                select(Item.sku, Location.code, Lot.code, StockLevel.quantity)
                .join(Item, Item.id == StockLevel.item_id)
                .join(Location, Location.id == StockLevel.location_id)
                .outerjoin(Lot, Lot.id == StockLevel.lot_id)
                .order_by(Item.sku, Location.code, Lot.code)
            )
        ],
    }


def _assert_ledger_consistent(s: Session) -> None:
    """Levels equal the sum of moves, none negative; open layers equal what is on hand."""
    internal = set(s.scalars(select(Location.id).where(Location.kind == LocationKind.INTERNAL)))
    expected: dict[tuple[int, int, int], Decimal] = defaultdict(Decimal)
    for item_id, lot_id, qty, src, dst in s.execute(
        select(
            StockMove.item_id,
            StockMove.lot_id,
            StockMove.quantity,
            StockMove.from_location_id,
            StockMove.to_location_id,
        )
    ):
        if src in internal:
            expected[(item_id, src, lot_id or 0)] -= qty
        if dst in internal:
            expected[(item_id, dst, lot_id or 0)] += qty
    levels = {
        (item_id, location_id, lot_key): qty
        for item_id, location_id, lot_key, qty in s.execute(
            select(
                StockLevel.item_id,
                StockLevel.location_id,
                StockLevel.lot_key,
                StockLevel.quantity,
            )
        )
    }
    assert {k: v for k, v in levels.items() if v} == {k: v for k, v in expected.items() if v}
    assert all(qty >= 0 for qty in levels.values())
    on_hand: dict[int, Decimal] = defaultdict(Decimal)
    for (item_id, _loc, _lot), qty in levels.items():
        on_hand[item_id] += qty
    layers = select(CostLayer.item_id, func.sum(CostLayer.remaining)).group_by(CostLayer.item_id)
    layered = dict(s.execute(layers).tuples().all())
    shortfall = dict(s.execute(select(Item.id, Item.fifo_shortfall)).tuples().all())
    for item_id, qty in on_hand.items():
        assert layered.get(item_id, Decimal(0)) - shortfall[item_id] == qty


def _second_database(tmp_path: Path, template: Path) -> Database:
    path = tmp_path / "second.db"
    shutil.copyfile(template, path)
    return open_database(path)


def test_small_demo_has_valid_barcodes_and_a_consistent_ledger(db: Database) -> None:
    calls: list[tuple[int, int]] = []
    summary = _build(db, progress=lambda done, total: calls.append((done, total)))
    assert summary.suppliers == 8 and summary.bins == 96
    assert 20 <= summary.items <= 40
    assert summary.moves == summary.receipts + summary.issues + summary.scraps + summary.adjustments
    assert summary.moves > 20 * summary.items
    assert summary.last_day < TODAY and (TODAY - summary.first_day).days >= 540
    # Progress only grows and ends complete.
    assert calls[-1][0] == calls[-1][1]
    assert [done for done, _total in calls] == sorted(done for done, _total in calls)
    with unit_of_work(db) as s:
        _assert_ledger_consistent(s)
        codes = list(s.execute(select(Barcode.code, Barcode.pack_qty)).tuples())
        assert codes and all(gtin_problem(code) is None for code, _pack in codes)
        for code, pack in codes:
            if len(code) == 13:
                assert code.startswith("7350") and pack == 1
            else:
                assert len(code) == 14 and pack > 1
        assert s.scalar(select(func.count(StockMove.id))) == summary.moves
        last = s.scalar(select(func.max(StockMove.moved_at)))
        assert last is not None and last < dt.datetime.combine(TODAY, dt.time(), dt.UTC)
        # Bought cheaper than sold, one preferred supplier each, and every item has a bin.
        for price, sales in s.execute(
            select(SupplierItem.price, Item.sales_price).join(Item, Item.id == SupplierItem.item_id)
        ):
            assert 0 < price < sales
        preferred = s.execute(
            select(SupplierItem.item_id, func.count())
            .where(SupplierItem.preferred.is_(True))
            .group_by(SupplierItem.item_id)
        ).all()
        assert len(preferred) == summary.items and {n for _i, n in preferred} == {1}
        assert s.scalar(select(func.count()).where(Item.default_location_id.is_(None))) == 0
        for currency, lead in s.execute(select(Supplier.currency, Supplier.lead_time_days)):
            assert currency == "SEK" and 2 <= lead <= 21


def test_the_same_seed_gives_the_same_demo_and_another_seed_another(
    db: Database, tmp_path: Path, sqlite_template: Path
) -> None:
    _build(db, seed=11)
    second = _second_database(tmp_path, sqlite_template)
    third_path = tmp_path / "third.db"
    shutil.copyfile(sqlite_template, third_path)
    third = open_database(third_path)
    try:
        _build(second, seed=11)
        _build(third, seed=12)
        with unit_of_work(db) as a, unit_of_work(second) as b, unit_of_work(third) as c:
            first_snapshot = _snapshot(a)
            assert first_snapshot == _snapshot(b)
            assert first_snapshot["moves"] != _snapshot(c)["moves"]
    finally:
        second.dispose()
        third.dispose()


def test_refuses_a_database_with_items_and_changes_nothing(db: Database) -> None:
    with unit_of_work(db) as s:
        user = users.workstation_user(s, "demo")
        f.item(s, user.id, "OWN-1")
        assert not demo.database_is_empty(s)
    with pytest.raises(ValidationError, match="already holds 1 items.*new database file"):
        _build(db)
    with unit_of_work(db) as s:
        assert s.scalar(select(func.count(Item.id))) == 1
        assert s.scalar(select(func.count(Supplier.id))) == 0
        assert s.scalar(select(func.count(StockMove.id))) == 0


def test_refuses_a_database_that_already_has_bins(db: Database) -> None:
    with unit_of_work(db) as s:
        user = users.workstation_user(s, "demo")
        locations.save_bin(s, user.id, "A-01-01")
        assert demo.database_is_empty(s)
    with pytest.raises(ValidationError, match="already has bins or suppliers"):
        _build(db)
    with unit_of_work(db) as s:
        assert s.scalar(select(func.count(Supplier.id))) == 0


@pytest.mark.parametrize("scale", [0, -1, 1.5])
def test_refuses_a_size_outside_zero_to_one(sqlite_db: Database, scale: float) -> None:
    with pytest.raises(ValidationError, match="demo size"):
        _build(sqlite_db, scale=scale)
    with unit_of_work(sqlite_db) as s:
        assert demo.database_is_empty(s)
        assert s.scalar(select(func.count(Supplier.id))) == 0


def test_a_new_database_is_empty(db: Database) -> None:
    with unit_of_work(db) as s:
        assert demo.database_is_empty(s)


@pytest.mark.slow
def test_full_demo_has_what_the_reports_need(sqlite_db: Database) -> None:
    summary = _build(sqlite_db, scale=1.0)
    assert summary.items >= 280 and summary.suppliers == 8 and summary.bins == 96
    assert 10_000 <= summary.moves <= 25_000
    assert summary.scraps > 0 and summary.adjustments > 0
    assert summary.describe() == (
        f"Demo warehouse created: {summary.items} items, 8 suppliers, 96 bins, "
        f"{summary.moves:,} moves."
    )
    with unit_of_work(sqlite_db) as s:
        _assert_ledger_consistent(s)
        policies = dict(
            s.execute(select(Item.policy, func.count()).group_by(Item.policy)).tuples().all()
        )
        assert set(policies) == set(Policy)
        assert policies[Policy.REORDER_POINT] > summary.items / 2
        assert (s.scalar(select(func.count(func.distinct(Item.category)))) or 0) >= 10
        # Classified by consumption value, so cycle counts and proposals differ by class:
        # A items, fewer than half of all, carry 80 % of the value.
        classes = dict(
            s.execute(select(Item.abc_class, func.count()).group_by(Item.abc_class)).tuples().all()
        )
        assert set(classes) == {"A", "B", "C"}
        assert classes["A"] < summary.items / 2
        cartons = s.scalar(select(func.count()).where(func.length(Barcode.code) == 14))
        assert cartons and cartons > 30
        in_stock = (
            select(Lot.expiry)
            .join(StockLevel, StockLevel.lot_id == Lot.id)
            .where(StockLevel.quantity > 0)
        )
        expiries = [e for e in s.scalars(in_stock) if e is not None]
        assert len(expiries) == len(list(s.scalars(in_stock))), "every lot has an expiry"
        assert any(e < TODAY for e in expiries), "some expired lots are still on the shelf"
        assert any(TODAY <= e < TODAY + dt.timedelta(days=30) for e in expiries)
        # Dead stock: on the shelf, yet not sold for over six months.
        cutoff = dt.datetime.combine(TODAY - dt.timedelta(days=183), dt.time(), dt.UTC)
        sold_lately = select(StockMove.item_id).where(
            StockMove.kind == MoveKind.ISSUE, StockMove.moved_at >= cutoff
        )
        dead = s.scalar(
            select(func.count(func.distinct(StockLevel.item_id))).where(
                StockLevel.quantity > 0, StockLevel.item_id.not_in(sold_lately)
            )
        )
        assert dead and dead >= 10
        # Seasonal: garden goods sell more in June than in January.
        grill = select(Item.id).where(Item.name.like("Grillkol%"))

        def sold_in(month: int) -> Decimal:
            return s.scalar(  # type: ignore[return-value]  # coalesce: never None
                select(func.coalesce(func.sum(StockMove.quantity), 0)).where(
                    StockMove.item_id.in_(grill),
                    StockMove.kind == MoveKind.ISSUE,
                    func.extract("month", StockMove.moved_at) == month,
                )
            )

        assert sold_in(6) > 3 * sold_in(1)
