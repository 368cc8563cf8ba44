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
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.models import CostLayer, Item, MoveKind
from app.services import ledger, settings, valuation
from app.services.database import Database, unit_of_work
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
        moves = valuation._period_moves(s, JAN[1], JAN[6], 6)
        assert valuation._sums_weighted(s, moves, 6) == valuation._sums_daily(s, moves, 6)


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
