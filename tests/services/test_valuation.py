"""Valuation, COGS, turnover and the tax value, on hand-computed histories (both engines).

The story used by most tests (item T-1, category Tools, sales price 20; moves at local
noon in January 2026):

    Jan 1  receive 10 @ 10.00            FIFO [10@10]            avg 10
    Jan 2  receive 10 @ 12.00            FIFO [10@10, 10@12]     avg 11
           (F-1: receive 2 @ 7.50 into the second bin; Fasteners, sales price 5)
    Jan 3  issue 16                      FIFO 10x10 + 6x12 = 172 (10.75)   avg 16x11 = 176
                                         left [4@12] = 48                  4x11 = 44
    Jan 4  receive 4 @ 15.00             FIFO [4@12, 4@15] = 108           avg (44+60)/8 = 13
    Jan 5  issue 6                       FIFO 4x12 + 2x15 = 78 (13.00)     avg 6x13 = 78
                                         left [2@15] = 30                  2x13 = 26
           transfer 1 of T-1 to the second bin (no value change)

LIFO what-if (newest first): Jan 3 takes 10@12 + 6@10 leaving [4@10]; Jan 5 takes 4@15
+ 2@10 leaving [2@10] = 20.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, inspect, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.models import Base, CostLayer, Item, MoveKind
from app.services import ledger, orders, picking, settings, shipping, valuation
from app.services.database import Database, _alembic_config, unit_of_work
from app.services.errors import ValidationError
from app.services.settings import CostingMethod
from tests import factories as f

D = Decimal
JAN = [dt.date(2026, 1, day) for day in range(1, 32)]


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12)).astimezone()


def _post(s, p, item_id, qty, day, *, cost=None, source=None, target=None, kind=MoveKind.RECEIPT):  # type: ignore[no-untyped-def]
    return ledger.post_move(
        s,
        item_id=item_id,
        quantity=D(qty),
        from_location_id=source if source is not None else p.supplier,
        to_location_id=target if target is not None else p.bins[0],
        kind=kind,
        user_id=p.user,
        unit_cost=D(cost) if cost is not None else None,
        moved_at=noon(day),
    )


def story(db: Database, method: str) -> tuple[int, int]:
    """Post the module docstring's story under ``method``; return (T-1 id, F-1 id)."""
    with unit_of_work(db) as s:
        settings.set_setting(s, "costing_method", method)
        p = f.places(s)
        tool = f.item(s, p.user, "T-1", category="Tools", sales_price="20").id
        fastener = f.item(s, p.user, "F-1", category="Fasteners", sales_price="5").id
        _post(s, p, tool, "10", JAN[0], cost="10")
        _post(s, p, tool, "10", JAN[1], cost="12")
        _post(s, p, fastener, "2", JAN[1], cost="7.5", target=p.bins[1])
        _post(s, p, tool, "16", JAN[2], source=p.bins[0], target=p.customer, kind=MoveKind.ISSUE)
        _post(s, p, tool, "4", JAN[3], cost="15")
        _post(s, p, tool, "6", JAN[4], source=p.bins[0], target=p.customer, kind=MoveKind.ISSUE)
        _post(s, p, tool, "1", JAN[4], source=p.bins[0], target=p.bins[1], kind=MoveKind.TRANSFER)
    return tool, fastener


def _values(db: Database, day: dt.date, method: CostingMethod | None = None) -> dict[str, D]:
    rows = db.read(valuation.valuation_as_of, day, method=method)
    return {row.sku: row.value for row in rows}


def test_fifo_as_of_values_and_cogs_follow_the_hand_computed_story(db: Database) -> None:
    tool, fastener = story(db, "fifo")
    assert _values(db, JAN[0]) == {"T-1": D("100")}
    assert _values(db, JAN[1]) == {"T-1": D("220"), "F-1": D("15")}
    assert _values(db, JAN[2]) == {"T-1": D("48"), "F-1": D("15")}
    assert _values(db, JAN[3]) == {"T-1": D("108"), "F-1": D("15")}
    assert _values(db, JAN[4]) == {"T-1": D("30"), "F-1": D("15")}
    rows = {row.sku: row for row in db.read(valuation.valuation_as_of, JAN[3])}
    assert rows["T-1"].quantity == D("8")
    assert rows["T-1"].unit_cost == D("13.5")
    assert rows["T-1"].method is CostingMethod.FIFO
    assert db.read(valuation.cogs, JAN[0], JAN[4]) == {tool: D("250")}
    assert db.read(valuation.cogs, JAN[3], JAN[4]) == {tool: D("78")}
    assert db.read(valuation.cogs, JAN[5], JAN[9]) == {}


def test_average_as_of_values_and_cogs_follow_the_hand_computed_story(db: Database) -> None:
    tool, _fastener = story(db, "average")
    assert _values(db, JAN[1]) == {"T-1": D("220"), "F-1": D("15")}
    assert _values(db, JAN[2]) == {"T-1": D("44"), "F-1": D("15")}
    assert _values(db, JAN[3]) == {"T-1": D("104"), "F-1": D("15")}
    assert _values(db, JAN[4]) == {"T-1": D("26"), "F-1": D("15")}
    assert db.read(valuation.cogs, JAN[0], JAN[4]) == {tool: D("254")}
    # The other method is a replay of the same moves: FIFO figures from an average ledger.
    assert _values(db, JAN[4], CostingMethod.FIFO) == {"T-1": D("30"), "F-1": D("15")}


def test_valuation_of_today_matches_the_ledgers_own_cost_state(db: Database) -> None:
    story(db, "fifo")
    today = dt.date.today()
    with unit_of_work(db) as s:
        layers: dict[int, D] = {}
        for item_id, remaining, cost in s.execute(
            select(CostLayer.item_id, CostLayer.remaining, CostLayer.unit_cost)
        ).tuples():
            layers[item_id] = layers.get(item_id, D(0)) + remaining * cost
        averages = dict(s.execute(select(Item.id, Item.avg_cost)).tuples().all())
    fifo = db.read(valuation.item_values_as_of, today, CostingMethod.FIFO)
    assert {i: v.value for i, v in fifo.items()} == {i: v for i, v in layers.items() if v}
    average = db.read(valuation.item_values_as_of, today, CostingMethod.AVERAGE)
    assert {i: v.value for i, v in average.items()} == {
        i: v.quantity * averages[i] for i, v in average.items()
    }
    assert db.read(valuation.fifo_replay_values, today) == {i: v.value for i, v in fifo.items()}


def test_quantities_from_todays_levels_equal_the_sum_of_moves(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    story(db, "fifo")
    for day in JAN[:6]:
        summed = db.read(valuation.item_values_as_of, day)
        # Pretend it is 6 January: every date is then "recent" and read from the levels.
        monkeypatch.setattr(valuation, "utcnow", lambda: noon(JAN[5]))
        from_levels = db.read(valuation.item_values_as_of, day)
        monkeypatch.undo()
        assert from_levels == summed


def test_valuation_by_category_and_by_bin(db: Database) -> None:
    story(db, "fifo")
    by_category = db.read(valuation.valuation_as_of, JAN[4], group_by="category")
    assert [(r.key, r.items, r.value) for r in by_category] == [
        ("Fasteners", 1, D("15")),
        ("Tools", 1, D("30")),
    ]
    by_bin = db.read(valuation.valuation_as_of, JAN[4], group_by="location")
    # T-1's two units (2@15) were split over the bins by the transfer: 15 each.
    assert [(r.key, r.items, r.quantity, r.value) for r in by_bin] == [
        ("A-01-01", 1, D("1"), D("15")),
        ("A-01-02", 2, D("3"), D("30")),
    ]
    assert all(r.unit_cost is None for r in by_bin)


def test_lifo_is_only_a_marked_what_if_column(db: Database) -> None:
    tool, fastener = story(db, "fifo")
    assert db.read(valuation.lifo_what_if, JAN[4]) == {tool: D("20"), fastener: D("15")}
    rows = {r.sku: r for r in db.read(valuation.valuation_as_of, JAN[4], with_lifo=True)}
    assert rows["T-1"].value == D("30") and rows["T-1"].lifo_value == D("20")
    assert rows["T-1"].method is CostingMethod.FIFO
    with pytest.raises(ValidationError):
        with unit_of_work(db) as s:
            settings.set_setting(s, "costing_method", "lifo")


def test_average_inventory_value_from_daily_balances(db: Database) -> None:
    tool, fastener = story(db, "fifo")
    # Day-end values of T-1 on Jan 1..5: 100, 220, 48, 108, 30 -> 506 / 5.
    average = db.read(valuation.average_inventory_value, JAN[0], JAN[4])
    assert average[tool] == D("101.2")
    # F-1: nothing on Jan 1, then 15 for four days -> 60 / 5.
    assert average[fastener] == D("12")
    # Opening value (end of Jan 2) 220, then 48, 108, 30: the mean of the three day ends.
    assert db.read(valuation.average_inventory_value, JAN[2], JAN[4])[tool] == D("62")
    # Not (start + end) / 2: Jan 1..10 ends at 30 for six days -> (506 + 150) / 10.
    assert db.read(valuation.average_inventory_value, JAN[0], JAN[9])[tool] == D("65.6")


def test_the_per_day_fallback_gives_the_same_sums(db: Database) -> None:
    story(db, "fifo")
    with unit_of_work(db) as s:
        weighted = valuation._sums(s, JAN[1], JAN[6], 6, daily=False)
        assert weighted and weighted == valuation._sums(s, JAN[1], JAN[6], 6, daily=True)


def test_turnover_dsi_and_gmroi_on_a_small_case(db: Database) -> None:
    """Ten days; C-1 (sales price 12) holds 100 @ 5.00 = 500 from before the period.

    Day 3: sell 40 (COGS 200), day 7: sell 20 (COGS 100); day ends: 500, 500, 300, 300,
    300, 300, 200, 200, 200, 200 = 3000 -> average 300. COGS 300 -> turnover 1.0, DSI
    10 days / 1.0 = 10, revenue 60 x 12 = 720, gross margin 420, GMROI 420 / 300 = 1.4.
    """
    with unit_of_work(db) as s:
        p = f.places(s)
        item = f.item(s, p.user, "C-1", category="Cables", sales_price="12").id
        idle = f.item(s, p.user, "C-2", category="Cables", sales_price="1").id
        _post(s, p, item, "100", dt.date(2025, 12, 20), cost="5")
        _post(s, p, idle, "10", dt.date(2025, 12, 20), cost="2")
        _post(s, p, item, "40", JAN[2], source=p.bins[0], target=p.customer, kind=MoveKind.ISSUE)
        _post(s, p, item, "20", JAN[6], source=p.bins[0], target=p.customer, kind=MoveKind.ISSUE)
    result = db.read(valuation.turnover_report, JAN[0], JAN[9])
    assert result.days == 10
    rows = {row.sku: row for row in result.items}
    row = rows["C-1"]
    assert (row.cogs, row.average_inventory_value, row.revenue) == (D("300"), D("300"), D("720"))
    assert (row.turnover, row.dsi, row.gross_margin, row.gmroi) == (
        D("1"),
        D("10"),
        D("420"),
        D("1.4"),
    )
    assert (row.opening_value, row.closing_value, row.sold_quantity) == (
        D("500"),
        D("200"),
        D("60"),
    )
    assert row.abc_class == "A"
    # Stock that never moved: no turnover, no DSI (nothing sold), GMROI 0.
    still = rows["C-2"]
    assert (still.turnover, still.dsi, still.gmroi, still.abc_class) == (D("0"), None, D("0"), "C")
    assert [row.sku for row in result.items] == ["C-1", "C-2"]  # fastest first
    (cables,) = result.categories
    assert (cables.key, cables.items, cables.cogs, cables.average_inventory_value) == (
        "Cables",
        2,
        D("300"),
        D("320"),
    )
    assert cables.turnover == D("0.9375")  # 300 / 320
    assert result.total.cogs == D("300")


def test_returns_reduce_cogs_but_scrap_and_count_differences_do_not_count(db: Database) -> None:
    with unit_of_work(db) as s:
        p = f.places(s)
        item = f.item(s, p.user, "R-1", sales_price="10").id
        _post(s, p, item, "10", JAN[0], cost="4")
        _post(s, p, item, "5", JAN[1], source=p.bins[0], target=p.customer, kind=MoveKind.ISSUE)
        _post(s, p, item, "1", JAN[2], cost="4", source=p.customer, kind=MoveKind.RETURN)
        _post(s, p, item, "2", JAN[3], source=p.bins[0], target=p.scrap, kind=MoveKind.SCRAP)
        _post(
            s, p, item, "1", JAN[3], source=p.bins[0], target=p.count_diff, kind=MoveKind.ADJUSTMENT
        )
    assert db.read(valuation.cogs, JAN[0], JAN[4]) == {item: D("16")}  # 5x4 - 1x4
    row = db.read(valuation.turnover, JAN[0], JAN[4])[0]
    assert row.sold_quantity == D("4") and row.revenue == D("40")
    assert row.closing_value == D("12")  # 3 left at 4


def test_tax_value_lowest_value_principle_and_the_97_percent_rule(db: Database) -> None:
    story(db, "fifo")
    tax = db.read(valuation.tax_value, JAN[4])
    # T-1: 2 @ 15 = 30, NRV 2 x 20 x 0.95 = 38 -> 30. F-1: 2 @ 7.50 = 15, NRV 2 x 4.75 = 9.50.
    assert tax.book_value == D("45") and tax.acquisition_value == D("45")
    assert {row.sku: row.lowest_value for row in tax.rows} == {"F-1": D("9.5"), "T-1": D("30")}
    assert tax.lowest_value == D("39.5")
    assert tax.rule_97_value == D("43.65")
    assert tax.lower_rule is valuation.TaxRule.LOWEST_VALUE and tax.lower_value == D("39.5")
    with unit_of_work(db) as s:
        settings.set_setting(s, "selling_cost_percent", "0")
    # Without selling costs F-1's NRV is 10.00: 40 against 43.65 still.
    assert db.read(valuation.tax_value, JAN[4]).lowest_value == D("40")


def test_the_97_percent_rule_wins_when_nothing_is_below_cost(db: Database) -> None:
    with unit_of_work(db) as s:
        p = f.places(s)
        item = f.item(s, p.user, "N-1", sales_price="100").id
        _post(s, p, item, "10", JAN[0], cost="10")
    tax = db.read(valuation.tax_value, JAN[0])
    assert (tax.lowest_value, tax.rule_97_value) == (D("100"), D("97"))
    assert tax.lower_rule is valuation.TaxRule.RULE_97 and tax.lower_value == D("97")


def test_bad_dates_and_settings_are_refused_with_a_clear_message(db: Database) -> None:
    with pytest.raises(ValidationError, match="ends .*2026-01-01.* before it starts"):
        db.read(valuation.turnover_report, JAN[4], JAN[0])
    with pytest.raises(ValidationError, match="not a date"):
        db.read(valuation.valuation_as_of, "2026-01-01")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="item, category or location"):
        db.read(valuation.valuation_as_of, JAN[0], group_by="bin")  # type: ignore[arg-type]
    with unit_of_work(db) as s:
        settings.set_setting(s, "selling_cost_percent", "lots")
    with pytest.raises(ValidationError, match="selling cost setting “lots”"):
        db.read(valuation.tax_value, JAN[0])


def test_an_empty_database_values_to_nothing(db: Database) -> None:
    assert db.read(valuation.valuation_as_of, JAN[0]) == []
    assert db.read(valuation.turnover, JAN[0], JAN[9]) == []
    tax = db.read(valuation.tax_value, JAN[0])
    assert (tax.book_value, tax.lower_value) == (D(0), D(0))


def test_every_method_agrees_with_its_replay_on_a_long_mixed_history(db: Database) -> None:
    """Sixty receipts, issues, returns and transfers at varied costs over two items: the
    fast paths (FIFO's newest layers, LIFO's running minimum, the average's replay at the
    receipts) give what replaying every move gives, and what the ledger itself holds."""
    rng = random.Random(8)
    with unit_of_work(db) as s:
        p = f.places(s)
        ids = [f.item(s, p.user, f"M-{n}").id for n in range(2)]
        on_hand = {item: D(0) for item in ids}
        for step in range(60):
            item = ids[step % 2]
            day = JAN[step // 4]
            if on_hand[item] < 5 or rng.random() < 0.4:
                qty = D(rng.randint(1, 20))
                _post(s, p, item, str(qty), day, cost=str(D(rng.randint(500, 1500)) / 100))
                on_hand[item] += qty
            elif rng.random() < 0.15:
                _post(s, p, item, "1", day, cost="9.99", source=p.customer, kind=MoveKind.RETURN)
                on_hand[item] += 1
            elif rng.random() < 0.2:
                _post(
                    s, p, item, "1", day, source=p.bins[0], target=p.bins[1], kind=MoveKind.TRANSFER
                )
                _post(
                    s, p, item, "1", day, source=p.bins[1], target=p.bins[0], kind=MoveKind.TRANSFER
                )
            else:
                qty = D(rng.randint(1, int(on_hand[item])))
                _post(
                    s,
                    p,
                    item,
                    str(qty),
                    day,
                    source=p.bins[0],
                    target=p.customer,
                    kind=MoveKind.ISSUE,
                )
                on_hand[item] -= qty
        layers: dict[int, D] = {}
        for item_id, remaining, cost in s.execute(
            select(CostLayer.item_id, CostLayer.remaining, CostLayer.unit_cost)
        ).tuples():
            layers[item_id] = layers.get(item_id, D(0)) + remaining * cost
        averages = dict(s.execute(select(Item.id, Item.avg_cost)).tuples().all())
    for day in (JAN[4], JAN[9], JAN[14]):
        fifo = {i: v.value for i, v in db.read(valuation.item_values_as_of, day).items()}
        assert fifo == db.read(valuation.fifo_replay_values, day)
        assert db.read(valuation.lifo_what_if, day) == db.read(valuation.lifo_replay_values, day)
    today = dt.date.today()
    fifo_today = db.read(valuation.item_values_as_of, today, CostingMethod.FIFO)
    assert {i: v.value for i, v in fifo_today.items()} == {
        i: valuation._money(v) for i, v in layers.items() if v
    }
    average = db.read(valuation.item_values_as_of, today, CostingMethod.AVERAGE)
    assert {i: v.value for i, v in average.items()} == {
        i: valuation._money(v.quantity * averages[i]) for i, v in average.items()
    }


# --- the reports' speed: indexes, query plans and the fast paths' exactness ----------------


def test_the_report_indexes_match_the_models_and_downgrade(db: Database) -> None:
    ours = {"ix_stock_move_report", "ix_stock_move_reverses"}

    def indexes() -> set[str]:
        return {index["name"] or "" for index in inspect(db.engine).get_indexes("stock_move")}

    assert ours <= indexes()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    assert [d for d in diffs if any(name in repr(d) for name in ours)] == []
    with db.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0007")
    assert not ours & indexes()
    with db.engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")
    assert ours <= indexes()


def _plans(db: Database, *calls: Callable[[Session], object]) -> list[tuple[str, list[str]]]:
    """(statement, SQLite's query plan) of each statement the calls run."""
    statements: list[tuple[str, Any]] = []
    with unit_of_work(db, read_only=True) as s:
        connection = s.connection()

        def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            statements.append((statement, parameters))

        event.listen(connection, "before_cursor_execute", record)
        for call in calls:
            call(s)
        event.remove(connection, "before_cursor_execute", record)
        raw = connection.connection.dbapi_connection
        assert raw is not None
        return [
            (statement, [row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + statement, params)])
            for statement, params in statements
        ]


def test_the_whole_ledger_reads_stream_from_the_covering_index(sqlite_db: Database) -> None:
    """Turnover, valuation and the LIFO what-if read every move: SQLite must answer them
    from ix_stock_move_report in its order, never sorting the moves in a temporary B-tree
    (a million moves sorted cost more than the rest of a report's data)."""
    story(sqlite_db, "fifo")
    plans = _plans(
        sqlite_db,
        lambda s: valuation.period_figures(s, JAN[1], JAN[6]),
        lambda s: valuation.valuation_as_of(s, JAN[3], with_lifo=True),
        lambda s: valuation.valuation_as_of(s, dt.date.today(), method=CostingMethod.AVERAGE),
    )
    on_moves = [(sql, plan) for sql, plan in plans if "FROM stock_move" in sql]
    assert not [sql for sql, plan in plans if any("TEMP B-TREE" in step for step in plan)]
    scans = [(sql, plan) for sql, plan in on_moves if any("SCAN stock_move" in s for s in plan)]
    # Every scan of the ledger but the one-row look at its first move uses the index.
    assert [
        sql
        for sql, plan in scans
        if "LIMIT" not in sql and not any("COVERING INDEX ix_stock_move_report" in s for s in plan)
    ] == []
    assert sum("group by" in sql.lower() for sql, _plan in scans) >= 3
    reversals = [plan for sql, plan in on_moves if "reverses_move_id IS NOT NULL" in sql]
    assert reversals and all(any("ix_stock_move_reverses" in s for s in p) for p in reversals)


def test_period_figures_stay_exact_where_sqlites_integer_products_overflow(db: Database) -> None:
    """1,000,000 units at 100,000.00 held for ten days weigh 10**19 in the integer units
    the database works in, beyond 2**63: SQLite would make that product a float, so the
    figures are then worked out per day in Python.

    Day ends: Jan 1-4 hold 100,000,000,000, Jan 5-10 half of it after selling 500,000
    -> average (4 x 1e11 + 6 x 5e10) / 10 = 7e10; COGS 5e10."""
    with unit_of_work(db) as s:
        p = f.places(s)
        item = f.item(s, p.user, "BIG").id
        _post(s, p, item, "1000000", dt.date(2025, 12, 20), cost="100000")
        _post(
            s, p, item, "500000", JAN[4], source=p.bins[0], target=p.customer, kind=MoveKind.ISSUE
        )
    if db.is_sqlite:
        with unit_of_work(db, read_only=True) as s, pytest.raises(valuation._InexactSum):
            valuation._sums(s, JAN[0], JAN[9], 10, daily=False)
    figures = db.read(valuation.period_figures, JAN[0], JAN[9])
    assert figures.opening_value == {item: D("100000000000")}
    assert figures.average_value == {item: D("70000000000")}
    assert figures.closing_value == {item: D("50000000000")}
    assert figures.cogs == {item: D("50000000000")}
    assert figures.sold_quantity == {item: D("500000")}


def test_period_figures_stay_exact_where_sqlites_integer_sums_overflow(db: Database) -> None:
    """Four receipts of 3,000 units at 10,000,000.00, ten days each: 3 x 10**18 units of
    weighted value apiece, 1.2 x 10**19 together (SQLite refuses that sum)."""
    with unit_of_work(db) as s:
        p = f.places(s)
        item = f.item(s, p.user, "WIDE").id
        for _ in range(4):
            _post(s, p, item, "3000", dt.date(2025, 12, 20), cost="10000000")
    if db.is_sqlite:
        with (
            unit_of_work(db, read_only=True) as s,
            pytest.raises(OperationalError, match="overflow"),
        ):
            valuation._sums(s, JAN[0], JAN[9], 10, daily=False)
    figures = db.read(valuation.period_figures, JAN[0], JAN[9])
    assert figures.average_value == {item: D("120000000000")}
    assert figures.closing_value == figures.opening_value == figures.average_value


def test_ids_too_large_to_pack_give_the_same_replays(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item and move ids travel packed in one integer while they fit; past that the moves
    are read column by column, with the same results."""
    story(db, "average")
    packed = [
        (db.read(valuation.lifo_what_if, day), db.read(valuation.item_values_as_of, day))
        for day in JAN[:6]
    ]
    monkeypatch.setattr(valuation, "PACKED_MOVE_LIMIT", 1)
    unpacked = [
        (db.read(valuation.lifo_what_if, day), db.read(valuation.item_values_as_of, day))
        for day in JAN[:6]
    ]
    assert unpacked == packed
    assert packed[4][0] != {} and packed[4][1] != {}


def test_the_valuation_reports_one_read_gives_what_the_three_give(db: Database) -> None:
    for method in ("fifo", "average"):
        with unit_of_work(db) as s:
            settings.set_setting(s, "costing_method", method)
        if method == "fifo":
            story(db, "fifo")
        for day in (JAN[2], JAN[4]):
            one = db.read(valuation.stock_valuation, day)
            assert one.items == tuple(db.read(valuation.valuation_as_of, day, with_lifo=True))
            assert one.locations == tuple(
                db.read(valuation.valuation_as_of, day, group_by="location")
            )
            assert one.tax == db.read(valuation.tax_value, day)
            assert one.method is CostingMethod(method)
            assert {row.sku for row in one.items} == {"T-1", "F-1"}


def test_revenue_is_the_order_price_of_what_shipped_less_returns(db: Database) -> None:
    """15 coffee shipped on an order at 1.00 (sales price 50.00), 2 of them returned, and 1
    issued without an order: revenue 13 x 1.00 + 1 x 50.00 = 63.00; COGS 10 x 20 + 5 x 26
    - 2 x 26 + 1 x 26 = 304."""
    with unit_of_work(db) as s:
        w = f.order_world(s)
        f.receive(s, w.places, w.stocked, "10", cost="20", bin_index=0)
        f.receive(s, w.places, w.stocked, "10", cost="26", bin_index=1)
        order_id = f.confirmed_order(s, w.user, w.customer, (w.stocked, "15"))
        line_id = orders.get_order(s, order_id).lines[0].id
        for bin_code, qty in (("A-01-01", "10"), ("A-01-02", "5")):
            picking.set_pick_bin(s, w.staff, order_id, bin_code)
            assert picking.pick_quantity(s, w.staff, order_id, line_id, qty).saved
        shipped = shipping.ship_order(s, w.staff, order_id).shipment
        shipping.return_goods(s, w.staff, shipped.lines[1].id, "2")
        f.issue(s, w.places, w.stocked, "1", bin_index=1)
    today = dt.datetime.now().astimezone().date()
    row = {r.sku: r for r in db.read(valuation.turnover, today - dt.timedelta(days=6), today)}[
        "KAFFE"
    ]
    assert (row.sold_quantity, row.revenue, row.cogs) == (D("14"), D("63"), D("304"))
    yesterday = today - dt.timedelta(days=1)
    sold = {w.stocked: D("14")}
    assert db.read(valuation.revenue, yesterday, yesterday, {}) == {}
    assert db.read(valuation.revenue, today, today, sold) == {w.stocked: D("63")}
