"""The fast demand reading against a plain reading of the ledger, move by move.

``app.services.demand`` reads a million moves in a few hundred milliseconds by letting
the database hand back strings and numpy do the sums, and by putting reversals on their
day in a second, small query. These tests build a ledger with every kind of awkward move
(returns, reversals inside and outside the window, moves on the stroke of midnight,
imported history, items that start late or never) and check the matrix against what a
straightforward loop over the same moves gives. They also check that the reading keeps
to the indexes that make it fast on SQLite.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

import numpy as np
import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from app.models import DemandHistory, Item, MoveKind, StockMove
from app.services import abc_classes, demand, ledger
from app.services.database import Database
from tests import factories

TODAY = dt.date(2026, 3, 16)
FIRST, LAST = demand.history_window(TODAY, 21)


def at(
    day: dt.date, hour: int = 12, minute: int = 0, second: int = 0, micro: int = 0
) -> dt.datetime:
    """A local time on ``day`` (aware), as the ledger stores it."""
    return dt.datetime.combine(day, dt.time(hour, minute, second, micro)).astimezone()


def _post(
    session: Session,
    p: factories.Places,
    item_id: int,
    qty: str,
    src: int,
    dst: int,
    kind: MoveKind,
    when: dt.datetime,
    reverses: int | None = None,
) -> int:
    return ledger.post_move(
        session,
        item_id=item_id,
        quantity=Decimal(qty),
        from_location_id=src,
        to_location_id=dst,
        kind=kind,
        user_id=p.user,
        unit_cost=Decimal("2.5") if kind is MoveKind.RECEIPT else None,
        moved_at=when,
        reverses_move_id=reverses,
    ).id


def build_ledger(session: Session) -> list[int]:
    """Six items with a month of mixed moves around a three-week window (seeded)."""
    rng = random.Random(7)
    p = factories.places(session)
    ids = [factories.item(session, p.user, f"R-{n}").id for n in range(6)]
    early = FIRST - dt.timedelta(days=10)
    for item_id in ids[:4]:
        _post(session, p, item_id, "10000", p.supplier, p.bins[0], MoveKind.RECEIPT, at(early, 6))
    # Item 4 starts in the middle of the window; item 5 never moves (history only).
    start4 = FIRST + dt.timedelta(days=9)
    _post(session, p, ids[4], "500", p.supplier, p.bins[1], MoveKind.RECEIPT, at(start4, 7))
    shipments: list[tuple[int, int, dt.datetime]] = []
    for item_id in ids[:5]:
        first_day = start4 if item_id == ids[4] else early
        for _n in range(40):
            day = first_day + dt.timedelta(days=rng.randrange((TODAY - first_day).days + 2))
            # Some on the stroke of midnight and a tenth of a second before it (SQLite's
            # julianday() keeps milliseconds: closer than that is not told apart).
            hour, minute, second, micro = rng.choice(
                [(0, 0, 0, 0), (23, 59, 59, 900_000), (rng.randrange(8, 18), 30, 0, 0)]
            )
            when = at(day, hour, minute, second, micro)
            if when <= at(first_day, 8):
                continue
            qty = str(Decimal(rng.randrange(1, 4000)).scaleb(-3))
            kind_roll = rng.random()
            if kind_roll < 0.65:
                move = _post(
                    session,
                    p,
                    item_id,
                    qty,
                    p.bins[item_id == ids[4]],
                    p.customer,
                    MoveKind.ISSUE,
                    when,
                )
                shipments.append((item_id, move, when))
            elif kind_roll < 0.8:
                _post(
                    session,
                    p,
                    item_id,
                    qty,
                    p.customer,
                    p.bins[item_id == ids[4]],
                    MoveKind.RETURN,
                    when,
                )
            elif kind_roll < 0.9:
                _post(
                    session,
                    p,
                    item_id,
                    qty,
                    p.bins[item_id == ids[4]],
                    p.scrap,
                    MoveKind.SCRAP,
                    when,
                )
            else:
                _post(
                    session,
                    p,
                    item_id,
                    qty,
                    p.bins[item_id == ids[4]],
                    p.count_diff,
                    MoveKind.ADJUSTMENT,
                    when,
                )
    # Reversals: some posted days later inside the window, some the day after it ends, one
    # of a shipment from before the window posted inside it, and some posted today.
    rng.shuffle(shipments)
    reversed_ids: set[int] = set()
    for item_id, move_id, when in shipments[:12]:
        later = when + dt.timedelta(days=rng.choice([0, 2, 5, 30]), hours=1)
        if later.astimezone().date() >= TODAY:
            ledger.reverse_move(session, move_id, p.user, "wrong customer")
        else:
            original = session.get(StockMove, move_id)
            assert original is not None
            _post(
                session,
                p,
                item_id,
                str(original.quantity),
                original.to_location_id,
                original.from_location_id,
                original.kind,
                later,
                reverses=move_id,
            )
        reversed_ids.add(move_id)
    before = next(
        (
            s
            for s in shipments[12:]
            if s[2].astimezone().date() < FIRST and s[1] not in reversed_ids
        ),
        None,
    )
    assert before is not None  # the seed makes one
    original = session.get(StockMove, before[1])
    assert original is not None
    _post(
        session,
        p,
        before[0],
        str(original.quantity),
        p.customer,
        original.from_location_id,
        MoveKind.ISSUE,
        at(FIRST + dt.timedelta(days=3), 9),
        reverses=before[1],
    )
    # Imported history: overlapping the ledger for item 0, the only demand of item 5, and
    # on a day where item 1's returns outweigh its shipments (both are added).
    session.execute(
        insert(DemandHistory),
        [
            {"item_id": ids[0], "day": FIRST + dt.timedelta(days=d), "quantity": Decimal("1.5")}
            for d in range(0, 21, 4)
        ]
        + [
            {"item_id": ids[5], "day": FIRST + dt.timedelta(days=d), "quantity": Decimal(d)}
            for d in range(5, 21)
        ]
        + [
            {"item_id": ids[1], "day": FIRST - dt.timedelta(days=2), "quantity": Decimal(9)},
            {"item_id": ids[1], "day": LAST, "quantity": Decimal("0.25")},
        ],
    )
    return ids


def reference(session: Session, item_ids: list[int], first: dt.date, last: dt.date) -> np.ndarray:
    """The demand matrix the slow, obvious way: each move on its local day, a reversal on
    the day of the move it reverses, a day's net returns as no demand, then the history."""
    customers = set(demand.demand_location_ids(session))
    moves = session.scalars(select(StockMove)).all()
    by_id = {move.id: move for move in moves}
    # Days are the local calendar days as of the window's start (one offset for all).
    offset = demand._local_midnight(first).utcoffset() or dt.timedelta()
    start, end = demand._local_midnight(first), demand._local_midnight(last + dt.timedelta(days=1))
    ledger_sums: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
    for move in moves:
        outward = move.to_location_id in customers
        if not outward and move.from_location_id not in customers:
            continue
        if move.reverses_move_id is None and not start <= move.moved_at < end:
            continue
        when = by_id[move.reverses_move_id].moved_at if move.reverses_move_id else move.moved_at
        day = (when.astimezone(dt.UTC) + offset).date()
        ledger_sums[(move.item_id, day)] += move.quantity if outward else -move.quantity
    days = (last - first).days + 1
    row = {item_id: index for index, item_id in enumerate(item_ids)}
    cells: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for (item_id, day), qty in ledger_sums.items():
        if item_id in row and first <= day <= last:
            cells[(row[item_id], (day - first).days)] += max(qty, Decimal(0))
    history = session.execute(
        select(DemandHistory.item_id, DemandHistory.day, DemandHistory.quantity)
    ).all()
    for item_id, day, qty in history:
        if item_id in row and first <= day <= last:
            cells[(row[item_id], (day - first).days)] += qty
    matrix = np.zeros((len(item_ids), days))
    for cell, qty in cells.items():
        matrix[cell] = float(qty)
    for item_id, index in row.items():
        starts = [
            (when.astimezone(dt.UTC) + offset).date()
            for when in session.scalars(
                select(StockMove.moved_at).where(StockMove.item_id == item_id)
            )
        ] + list(session.scalars(select(DemandHistory.day).where(DemandHistory.item_id == item_id)))
        if not starts:
            matrix[index, :] = np.nan
        elif min(starts) > first:
            matrix[index, : min((min(starts) - first).days, days)] = np.nan
    return matrix


def test_the_matrix_is_the_ledger_read_move_by_move(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = db.run(build_ledger)
    everything = db.read(lambda s: list(s.scalars(select(Item.id).order_by(Item.id))))
    expected = db.read(reference, everything, FIRST, LAST)
    found = db.read(demand.read_daily_demand, FIRST, LAST)
    assert found.item_ids.tolist() == everything
    np.testing.assert_array_equal(found.quantities, expected)
    # A few items are filtered in SQL, many are read whole and picked: the same figures.
    some = [ids[4], ids[1], ids[5]]
    picked = db.read(demand.read_daily_demand, FIRST, LAST, some)
    np.testing.assert_array_equal(picked.quantities, db.read(reference, sorted(some), FIRST, LAST))
    monkeypatch.setattr(demand, "_MAX_IN_LIST", 0)
    whole = db.read(demand.read_daily_demand, FIRST, LAST, some)
    np.testing.assert_array_equal(whole.quantities, picked.quantities)
    np.testing.assert_array_equal(whole.started, picked.started)


def test_where_each_items_history_starts(db: Database) -> None:
    ids = db.run(build_ledger)
    found = db.read(demand.read_daily_demand, FIRST, LAST, ids)
    # Items 0-3 moved before the window; item 4 from its ninth day; item 5 from its
    # first imported day (the fifth).
    assert found.started.tolist() == [0, 0, 0, 0, 9, 5]
    assert np.isnan(found.quantities[4, :9]).all() and not np.isnan(found.quantities[4, 9:]).any()
    later = db.read(
        demand.read_daily_demand, LAST + dt.timedelta(days=5), TODAY + dt.timedelta(days=9)
    )
    assert later.started.tolist() == [0] * 6


def test_consumption_values_agree_with_the_abc_definition_with_reversals(db: Database) -> None:
    ids = db.run(build_ledger)
    found = db.read(
        demand.read_daily_demand,
        FIRST,
        LAST,
        issue_values_since=TODAY - dt.timedelta(days=20),
        issue_values_until=TODAY,
    )
    expected = db.read(abc_classes.consumption_values, TODAY, 21)
    assert found.issue_values is not None
    for item_id in ids:
        value = Decimal(f"{found.issue_values[found.row_of(item_id)]:.4f}")
        assert value == expected.get(item_id, Decimal(0)).quantize(Decimal("0.0001"))


def test_a_reversal_of_a_shipment_before_the_window_leaves_the_window_alone(db: Database) -> None:
    def build(session: Session) -> int:
        p = factories.places(session)
        item_id = factories.item(session, p.user, "OLD").id
        _post(
            session,
            p,
            item_id,
            "50",
            p.supplier,
            p.bins[0],
            MoveKind.RECEIPT,
            at(FIRST - dt.timedelta(days=9)),
        )
        old = _post(
            session,
            p,
            item_id,
            "4",
            p.bins[0],
            p.customer,
            MoveKind.ISSUE,
            at(FIRST - dt.timedelta(days=2)),
        )
        _post(
            session,
            p,
            item_id,
            "4",
            p.customer,
            p.bins[0],
            MoveKind.ISSUE,
            at(FIRST + dt.timedelta(days=6)),
            reverses=old,
        )
        # And a shipment in the window reversed after it (today): gone from its day too.
        late = _post(
            session,
            p,
            item_id,
            "3",
            p.bins[0],
            p.customer,
            MoveKind.ISSUE,
            at(FIRST + dt.timedelta(days=8)),
        )
        ledger.reverse_move(session, late, p.user, "wrong item")
        return item_id

    item_id = db.run(build)
    row = db.read(demand.read_daily_demand, FIRST, LAST, [item_id]).quantities[0]
    np.testing.assert_array_equal(row, np.zeros(21))


def test_integer_columns_come_back_aligned(db: Database) -> None:
    def build(session: Session) -> list[int]:
        p = factories.places(session)
        return [
            factories.item(session, p.user, f"C-{n}", shelf_life_days=n + 3).id for n in range(4)
        ]

    ids = db.run(build)
    columns = db.read(
        demand.read_integer_columns, select(Item.id, Item.shelf_life_days * 10, Item.id * -1)
    )
    ids_found, shelf, negative = columns
    order = np.argsort(ids_found)
    assert ids_found[order].tolist() == ids
    assert shelf[order].tolist() == [30, 40, 50, 60]
    assert negative[order].tolist() == [-i for i in ids]
    empty = db.read(demand.read_integer_columns, select(Item.id).where(Item.id < 0))
    assert [column.size for column in empty] == [0]


def test_on_sqlite_the_ledger_is_read_from_its_covering_indexes(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A column outside ``ix_stock_move_report`` (or a bound group_concat separator, read
    again for every row) would cost a good part of the proposals' speed budget."""
    sqlite_db.run(build_ledger)
    # Every item, as a proposal run reads them (a few are looked up by item instead).
    monkeypatch.setattr(demand, "_MAX_IN_LIST", 0)
    statements: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append((statement, parameters))

    event.listen(sqlite_db.engine, "before_cursor_execute", keep)
    try:
        sqlite_db.read(demand.read_daily_demand, FIRST, LAST)
    finally:
        event.remove(sqlite_db.engine, "before_cursor_execute", keep)

    def plan(statement: str, parameters: object) -> str:
        with sqlite_db.engine.connect() as connection:
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)  # type: ignore[arg-type]
            return " | ".join(str(row[-1]) for row in rows)

    ledger_reads = [
        s for s in statements if "group_concat" in s[0] and "stock_move.moved_at >=" in s[0]
    ]
    assert len(ledger_reads) == 1
    assert "COVERING INDEX ix_stock_move_report" in plan(*ledger_reads[0])
    starts = [s for s in statements if "min(stock_move.moved_at)" in s[0]]
    assert len(starts) == 1
    assert "SEARCH stock_move USING COVERING INDEX ix_stock_move_item_moved_at" in plan(*starts[0])
    reversals = [s for s in statements if "original" in s[0]]
    assert len(reversals) == 1 and "ix_stock_move_reverses" in plan(*reversals[0])
    for statement, _parameters in statements:
        if "group_concat" in statement:
            # Each aggregate's separator is the literal ',' (named "AS group_concat_N").
            calls = statement.count("group_concat(")
            assert calls == statement.count(", ',') AS group_concat_") > 0
