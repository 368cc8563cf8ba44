"""The benchmark's bulk data builder writes a ledger the real code agrees with (tiny scale).

No timings are asserted here: the benchmark measures, tests only check correctness.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.barcodes.gtin import gtin_problem
from app.models import (
    Barcode,
    CostLayer,
    Item,
    Location,
    LocationKind,
    MoveKind,
    StockLevel,
    StockMove,
)
from app.models.base import MONEY_QUANTUM
from app.services import ledger, locations
from app.services.database import Database, unit_of_work
from app.services.users import UserId
from benchmarks.dataset import DatasetInfo, build_dataset, open_dataset

TODAY = dt.date(2026, 3, 2)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> DatasetInfo:
    path = tmp_path_factory.mktemp("bench") / "bench.db"
    return build_dataset(path, items=200, moves=5_000, bins=12, suppliers=5, today=TODAY)


@pytest.fixture
def bench_db(built: DatasetInfo) -> Iterator[Database]:
    db = open_dataset(built.path)
    yield db
    db.dispose()


def test_counts_and_barcodes(built: DatasetInfo, bench_db: Database) -> None:
    assert (built.items, built.bins, built.suppliers, built.moves) == (200, 12, 5, 5_000)
    assert built.receipts + built.issues == built.moves and built.layers == built.receipts
    with unit_of_work(bench_db) as s:
        assert s.scalar(select(func.count(Item.id))) == 200
        assert s.scalar(select(func.count(StockMove.id))) == 5_000
        assert s.scalar(select(func.count(CostLayer.id))) == built.receipts
        codes = list(s.scalars(select(Barcode.code)))
        assert len(codes) == built.barcodes > 200
        assert all(gtin_problem(code) is None for code in codes)
        stamps = list(s.scalars(select(StockMove.moved_at).order_by(StockMove.id)))
        assert stamps == sorted(stamps)
        assert stamps[0].date() == TODAY - dt.timedelta(days=730)
        assert stamps[-1].date() == TODAY - dt.timedelta(days=1)


def test_levels_are_the_sum_of_moves_and_layers_what_is_on_hand(bench_db: Database) -> None:
    with unit_of_work(bench_db) as s:
        internal = set(s.scalars(select(Location.id).where(Location.kind == LocationKind.INTERNAL)))
        expected: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
        for item_id, qty, src, dst in s.execute(
            select(
                StockMove.item_id,
                StockMove.quantity,
                StockMove.from_location_id,
                StockMove.to_location_id,
            )
        ):
            if src in internal:
                expected[(item_id, src)] -= qty
            if dst in internal:
                expected[(item_id, dst)] += qty
        levels = {
            (item_id, loc): qty
            for item_id, loc, qty in s.execute(
                select(StockLevel.item_id, StockLevel.location_id, StockLevel.quantity)
            )
        }
        assert levels == dict(expected)
        assert min(levels.values()) >= 0
        remaining = dict(
            s.execute(
                select(CostLayer.item_id, func.sum(CostLayer.remaining)).group_by(CostLayer.item_id)
            )
            .tuples()
            .all()
        )
        on_hand: dict[int, Decimal] = defaultdict(Decimal)
        for (item_id, _loc), qty in levels.items():
            on_hand[item_id] += qty
        assert remaining == dict(on_hand)
        assert s.scalar(select(func.sum(Item.fifo_shortfall))) == 0


def test_issue_costs_and_averages_follow_the_ledgers_rules(bench_db: Database) -> None:
    """Replay every move with Decimal FIFO and weighted average, as ledger.post_move does."""
    layers: dict[int, deque[list[Decimal]]] = defaultdict(deque)
    held: dict[int, Decimal] = defaultdict(Decimal)
    average: dict[int, Decimal] = {}
    with unit_of_work(bench_db) as s:
        for item_id, kind, qty, cost in s.execute(
            select(
                StockMove.item_id, StockMove.kind, StockMove.quantity, StockMove.unit_cost
            ).order_by(StockMove.id)
        ):
            if kind is MoveKind.RECEIPT:
                before = held[item_id]
                average[item_id] = (
                    cost
                    if before <= 0
                    else ((before * average[item_id] + qty * cost) / (before + qty)).quantize(
                        MONEY_QUANTUM
                    )
                )
                layers[item_id].append([qty, cost])
                held[item_id] += qty
                continue
            need, value = qty, Decimal(0)
            while need:
                layer = layers[item_id][0]
                take = min(need, layer[0])
                value += take * layer[1]
                layer[0] -= take
                need -= take
                if layer[0] == 0:
                    layers[item_id].popleft()
            held[item_id] -= qty
            assert cost == (value / qty).quantize(MONEY_QUANTUM)
        stored = dict(s.execute(select(Item.id, Item.avg_cost)).tuples().all())
    assert stored == average


def test_the_real_ledger_posts_on_top_of_the_bulk_data(tmp_path: Path) -> None:
    # A data set of its own: this test adds a move.
    built = build_dataset(tmp_path / "post.db", items=50, moves=1_000, bins=4, today=TODAY)
    bench_db = open_dataset(built.path)
    try:
        _post_fifo_issue(built, bench_db)
    finally:
        bench_db.dispose()


def _post_fifo_issue(built: DatasetInfo, bench_db: Database) -> None:
    with unit_of_work(bench_db) as s:
        item_id, bin_id, on_hand = s.execute(
            select(StockLevel.item_id, StockLevel.location_id, StockLevel.quantity)
            .where(StockLevel.quantity > 0)
            .order_by(StockLevel.item_id)
            .limit(1)
        ).one()
        oldest = s.execute(
            select(CostLayer.remaining, CostLayer.unit_cost)
            .where(CostLayer.item_id == item_id, CostLayer.remaining > 0)
            .order_by(CostLayer.id)
            .limit(1)
        ).one()
        customer = locations.virtual_location_id(s, LocationKind.CUSTOMER)
        posted = ledger.post_move(
            s,
            item_id=item_id,
            quantity=min(on_hand, oldest.remaining),
            from_location_id=bin_id,
            to_location_id=customer,
            kind=MoveKind.ISSUE,
            user_id=UserId(built.user_id),
        )
    assert posted.unit_cost == oldest.unit_cost
    with unit_of_work(bench_db) as s:
        left = s.scalar(
            select(StockLevel.quantity).where(
                StockLevel.item_id == item_id, StockLevel.location_id == bin_id
            )
        )
        layered = s.scalar(
            select(func.sum(CostLayer.remaining)).where(CostLayer.item_id == item_id)
        )
    assert left == on_hand - posted.quantity == layered


def test_refuses_fewer_moves_than_items(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least items"):
        build_dataset(tmp_path / "x.db", items=100, moves=50)
