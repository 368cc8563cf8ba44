"""Processes posting to the same database at once lose nothing and overdraw nothing: two
processes here, and four through the concurrency harness (benchmarks/concurrency.py)."""

from __future__ import annotations

import multiprocessing
from decimal import Decimal

from sqlalchemy import func, select

from app.models import MoveKind, StockLevel, StockMove
from app.services import ledger
from app.services.database import open_database, unit_of_work
from app.services.errors import StockError
from benchmarks import concurrency
from tests import factories as f

POSTINGS = 60


def _worker(
    url: str,
    item_id: int,
    supplier: int,
    customer: int,
    bin_id: int,
    user: int,
    results: multiprocessing.Queue,
) -> None:  # type: ignore[type-arg]
    db = open_database(url, migrate=False)
    received = issued = refused = 0
    for n in range(POSTINGS):
        try:
            with unit_of_work(db) as s:
                if n % 2 == 0:
                    ledger.post_move(
                        s,
                        item_id=item_id,
                        quantity="1",
                        from_location_id=supplier,
                        to_location_id=bin_id,
                        kind=MoveKind.RECEIPT,
                        user_id=user,
                        unit_cost=Decimal("2.5"),
                    )
                    received += 1
                else:
                    # Both processes try to take 2 while usually only ~1 is there.
                    ledger.post_move(
                        s,
                        item_id=item_id,
                        quantity="2",
                        from_location_id=bin_id,
                        to_location_id=customer,
                        kind=MoveKind.ISSUE,
                        user_id=user,
                    )
                    issued += 2
        except StockError:
            refused += 1
    db.dispose()
    results.put((received, issued, refused))


def test_two_processes_posting_at_once_lose_nothing(db_url: str) -> None:
    db = open_database(db_url)
    with unit_of_work(db) as s:
        p = f.places(s, n_bins=1)
        item = f.item(s, p.user)
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    procs = [
        ctx.Process(
            target=_worker,
            args=(db_url, item.id, p.supplier, p.customer, p.bins[0], p.user, results),
        )
        for _ in range(2)
    ]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    received = sum(o[0] for o in outcomes)
    issued = sum(o[1] for o in outcomes)
    with unit_of_work(db) as s:
        level = s.scalar(select(StockLevel.quantity))
        moves = s.scalar(select(func.count()).select_from(StockMove))
        layer_sum = s.scalar(select(func.sum(ledger.layer_t.c.remaining)))
    db.dispose()
    assert received == POSTINGS  # every receipt got through (one waited, none failed)
    assert level == Decimal(received - issued)
    assert level >= 0
    assert layer_sum == level
    assert moves == received + issued // 2


def test_four_processes_receiving_picking_and_adjusting_at_once(db_url: str) -> None:
    """The harness, short: 4 processes post receipts, picks, count adjustments and
    two-item transfer documents for the same items at once."""
    result = concurrency.run(db_url, processes=4, postings=30, n_items=3, seed=11)
    assert result.problems == ()
    assert (result.lost, result.negative, result.level_mismatches, result.layer_mismatches) == (
        0,
        0,
        0,
        0,
    )
    # Most postings got through (the rest were refused for want of stock, not lost).
    assert result.postings + result.refused == 4 * 30
    assert result.postings > 60


def test_the_harness_sees_a_lost_update(sqlite_url: str) -> None:
    """A posting a process saw committed but that is not in the database is counted as
    lost: the check is not one that cannot fail."""
    db = open_database(sqlite_url)
    try:
        setup = concurrency.prepare(db, n_items=2)
        report = concurrency.WorkerReport(
            worker=0,
            postings=1,
            moves=1,
            deltas={f"{setup.items[0]}:{setup.bins[0]}": "3"},
            moves_per_item={str(setup.items[0]): 1},
        )
        checked = concurrency.check(db, setup, [report])
    finally:
        db.dispose()
    assert checked["lost"] == 2  # the bin's level, and the move count of the item
    assert any("committed postings say" in problem for problem in checked["problems"])
