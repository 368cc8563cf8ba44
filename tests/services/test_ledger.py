"""The posting service: levels, costs, rules and exactness, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from app.models import CostLayer, Item, MoveKind, StockLevel, StockMove
from app.services import ledger, lots, settings
from app.services.database import Database, unit_of_work
from app.services.errors import DatabaseError, NotFoundError, StockError, ValidationError
from tests import factories as f

D = Decimal


def test_receipt_then_issue_updates_levels_fifo_and_average(db: Database) -> None:
    with unit_of_work(db) as s:
        p = f.places(s)
        item = f.item(s, p.user)
        f.receive(s, p, item.id, "10", "5")
        f.receive(s, p, item.id, "10", "7")
        issued = f.issue(s, p, item.id, "15")
    assert issued.unit_cost == D("5.6667")  # FIFO: 10 × 5 + 5 × 7 over 15
    with unit_of_work(db) as s:
        assert s.scalar(select(StockLevel.quantity)) == D("5")
        layers = s.execute(
            select(CostLayer.remaining, CostLayer.unit_cost).order_by(CostLayer.id)
        ).all()
        assert [tuple(x) for x in layers] == [(D("0"), D("5")), (D("5"), D("7"))]
        assert s.scalar(select(Item.avg_cost)) == D("6")


def test_weighted_average_costing_values_issues_at_average(db: Database) -> None:
    with unit_of_work(db) as s:
        settings.set_setting(s, "costing_method", "average")
        p = f.places(s)
        item = f.item(s, p.user)
        f.receive(s, p, item.id, "3", "10")
        f.receive(s, p, item.id, "1", "14")
        issued = f.issue(s, p, item.id, "2")
    assert issued.unit_cost == D("11")


def test_issue_more_than_on_hand_is_refused_and_changes_nothing(db: Database) -> None:
    with unit_of_work(db) as s:
        p = f.places(s)
        item = f.item(s, p.user)
        f.receive(s, p, item.id, "2")
    with pytest.raises(StockError, match=r"Only 2 pcs of SKU-1 in A-01-01; cannot take 3"):
        with unit_of_work(db) as s:
            f.issue(s, p, item.id, "3")
    with unit_of_work(db) as s:
        assert s.scalar(select(func.count()).select_from(StockMove)) == 1
        assert s.scalar(select(StockLevel.quantity)) == D("2")


def test_negative_stock_when_the_item_allows_it_and_the_next_receipt_fills_the_gap(
    db: Database,
) -> None:
    with unit_of_work(db) as s:
        p = f.places(s)
        item = f.item(s, p.user, allow_negative=True)
        f.receive(s, p, item.id, "1", "4")
        f.issue(s, p, item.id, "3")
        assert s.scalar(select(StockLevel.quantity)) == D("-2")
        assert s.scalar(select(Item.fifo_shortfall)) == D("2")
        f.receive(s, p, item.id, "5", "6")
        assert s.scalar(select(Item.fifo_shortfall)) == D("0")
        assert s.scalar(select(func.sum(CostLayer.remaining))) == D("3")


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("0", "greater than zero"),
        ("-1", "greater than zero"),
        ("abc", "not a number"),
        ("0.0001", "at most 3 decimals"),
        ("NaN", "not a number"),
    ],
)
def test_bad_quantities_are_refused_with_a_clear_message(
    sqlite_db: Database, quantity: str, message: str
) -> None:
    with unit_of_work(sqlite_db) as s:
        p = f.places(s)
        item = f.item(s, p.user)
    with pytest.raises(ValidationError, match=message), unit_of_work(sqlite_db) as s:
        ledger.post_move(
            s,
            item_id=item.id,
            quantity=quantity,
            from_location_id=p.supplier,
            to_location_id=p.bins[0],
            kind=MoveKind.RECEIPT,
            user_id=p.user,
            unit_cost=D(1),
        )
    with unit_of_work(sqlite_db) as s:
        assert s.scalar(select(func.count()).select_from(StockMove)) == 0


def test_floats_are_refused(sqlite_db: Database) -> None:
    with unit_of_work(sqlite_db) as s:
        p = f.places(s)
        item = f.item(s, p.user)
        with pytest.raises(ValidationError):
            ledger.post_move(
                s,
                item_id=item.id,
                quantity=0.1,
                from_location_id=p.supplier,  # type: ignore[arg-type]
                to_location_id=p.bins[0],
                kind=MoveKind.RECEIPT,
                user_id=p.user,
                unit_cost=D(1),
            )


def test_move_rules(sqlite_db: Database) -> None:
    with unit_of_work(sqlite_db) as s:
        p = f.places(s)
        item = f.item(s, p.user)
        lot_item = f.item(s, p.user, "LOT-1", lot_tracked=True)
        common = {"kind": MoveKind.RECEIPT, "user_id": p.user, "unit_cost": D(1), "quantity": "1"}
        with pytest.raises(StockError, match="two different locations"):
            ledger.post_move(
                s, item_id=item.id, from_location_id=p.bins[0], to_location_id=p.bins[0], **common
            )
        with pytest.raises(StockError, match="start or end in a bin"):
            ledger.post_move(
                s, item_id=item.id, from_location_id=p.supplier, to_location_id=p.customer, **common
            )
        with pytest.raises(NotFoundError):
            ledger.post_move(
                s, item_id=99999, from_location_id=p.supplier, to_location_id=p.bins[0], **common
            )
        with pytest.raises(ValidationError, match="lot-tracked"):
            ledger.post_move(
                s,
                item_id=lot_item.id,
                from_location_id=p.supplier,
                to_location_id=p.bins[0],
                **common,
            )
        other_lot = lots.get_or_create_lot(s, lot_item.id, "L1")
        with pytest.raises(ValidationError, match="does not belong"):
            ledger.post_move(
                s,
                item_id=item.id,
                from_location_id=p.supplier,
                to_location_id=p.bins[0],
                lot_id=other_lot.id,
                **common,
            )
        with pytest.raises(ValidationError, match="negative"):
            ledger.post_move(
                s,
                item_id=item.id,
                from_location_id=p.supplier,
                to_location_id=p.bins[0],
                **{**common, "unit_cost": D(-1)},
            )


def test_lots_keep_separate_levels(db: Database) -> None:
    with unit_of_work(db) as s:
        p = f.places(s)
        item = f.item(s, p.user, lot_tracked=True)
        a = lots.get_or_create_lot(s, item.id, "A")
        b = lots.get_or_create_lot(s, item.id, "B")
        f.receive(s, p, item.id, "4", lot_id=a.id)
        f.receive(s, p, item.id, "6", lot_id=b.id)
        f.issue(s, p, item.id, "3", lot_id=b.id)
        with pytest.raises(StockError, match="A-01-01 / A"):
            f.issue(s, p, item.id, "5", lot_id=a.id)
        levels = dict(s.execute(select(StockLevel.lot_id, StockLevel.quantity)).tuples().all())
    assert levels == {a.id: D("4"), b.id: D("3")}


def test_transfer_moves_stock_between_bins_without_touching_cost(db: Database) -> None:
    with unit_of_work(db) as s:
        p = f.places(s)
        item = f.item(s, p.user)
        f.receive(s, p, item.id, "5", "8")
        moved = ledger.post_move(
            s,
            item_id=item.id,
            quantity="2",
            from_location_id=p.bins[0],
            to_location_id=p.bins[1],
            kind=MoveKind.TRANSFER,
            user_id=p.user,
        )
        assert moved.unit_cost == D("8")
        levels = dict(s.execute(select(StockLevel.location_id, StockLevel.quantity)).tuples().all())
        assert s.scalar(select(func.sum(CostLayer.remaining))) == D("5")
    assert levels == {p.bins[0]: D("3"), p.bins[1]: D("2")}


def test_reversal_posts_an_opposite_move_and_takes_back_its_own_layer(db: Database) -> None:
    with unit_of_work(db) as s:
        p = f.places(s)
        item = f.item(s, p.user)
        f.receive(s, p, item.id, "5", "3")
        wrong = f.receive(s, p, item.id, "5", "9")
        back = ledger.reverse_move(s, wrong.id, p.user, "typed the wrong quantity")
        assert back.from_location_id == p.bins[0] and back.to_location_id == p.supplier
        assert back.unit_cost == D("9")
        remaining = s.execute(
            select(CostLayer.unit_cost, CostLayer.remaining).order_by(CostLayer.id)
        ).all()
        assert [tuple(r) for r in remaining] == [(D("3"), D("5")), (D("9"), D("0"))]
        with pytest.raises(StockError, match="already reversed"):
            ledger.reverse_move(s, wrong.id, p.user, "again")
        with pytest.raises(ValidationError, match="why"):
            ledger.reverse_move(s, back.id, p.user, " ")


def test_moves_are_immutable_in_the_database(db: Database) -> None:
    with unit_of_work(db) as s:
        p = f.places(s)
        item = f.item(s, p.user)
        f.receive(s, p, item.id, "1")
    for statement in ("UPDATE stock_move SET quantity = 5000", "DELETE FROM stock_move"):
        with pytest.raises(DatabaseError, match="cannot be changed or deleted"):
            with unit_of_work(db) as s:
                s.execute(text(statement))
    with unit_of_work(db) as s:
        assert s.scalar(select(StockMove.quantity)) == D("1")


def test_audit_events_are_append_only(db: Database) -> None:
    with unit_of_work(db) as s:
        f.places(s)
    with pytest.raises(DatabaseError, match="audit trail cannot be changed"):
        with unit_of_work(db) as s:
            s.execute(text("DELETE FROM audit_event"))


def test_ten_thousand_postings_of_a_gram_sum_to_exactly_ten_kilos(db: Database) -> None:
    with unit_of_work(db) as s:
        p = f.places(s)
        item = f.item(s, p.user, unit="kg")
        for _ in range(10_000):
            ledger.post_move(
                s,
                item_id=item.id,
                quantity=D("0.001"),
                from_location_id=p.supplier,
                to_location_id=p.bins[0],
                kind=MoveKind.RECEIPT,
                user_id=p.user,
                unit_cost=D("0.0001"),
            )
    with unit_of_work(db) as s:
        total = s.scalar(select(func.sum(StockMove.quantity)))
        level = s.scalar(select(StockLevel.quantity))
    assert total == D("10.000") and level == D("10.000")
    assert str(total) == "10.000"


def test_stock_messages_show_plain_numbers(sqlite_db: Database) -> None:
    with unit_of_work(sqlite_db) as s:
        p = f.places(s)
        item = f.item(s, p.user)
        f.receive(s, p, item.id, "10")
        with pytest.raises(StockError, match=r"Only 10 pcs of SKU-1 in A-01-01; cannot take 20\."):
            f.issue(s, p, item.id, "20")
