"""ABC classes from a year of issues × their cost, stored on the items (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.models import AuditEvent, Item, MoveKind
from app.services import abc_classes, ledger, settings
from app.services.database import Database, unit_of_work
from app.services.errors import ValidationError
from tests import factories as f

D = Decimal
TODAY = dt.date(2026, 3, 2)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12)).astimezone()


def _issue(s, p, item: int, qty: str, day: dt.date) -> ledger.PostedMove:  # type: ignore[no-untyped-def]
    return ledger.post_move(
        s,
        item_id=item,
        quantity=D(qty),
        from_location_id=p.bins[0],
        to_location_id=p.customer,
        kind=MoveKind.ISSUE,
        user_id=p.user,
        moved_at=_at(day),
    )


def test_consumption_value_is_a_years_issues_times_their_cost(db: Database) -> None:
    with unit_of_work(db) as s:
        p = f.places(s)
        gold = f.item(s, p.user, "GOLD").id
        iron = f.item(s, p.user, "IRON").id
        f.receive(s, p, gold, "100", cost="50")
        f.receive(s, p, iron, "100", cost="2")
        _issue(s, p, gold, "10", TODAY - dt.timedelta(days=364))  # first day of the window
        _issue(s, p, gold, "5", TODAY - dt.timedelta(days=365))  # a day too old
        _issue(s, p, iron, "30", TODAY)
        back = _issue(s, p, iron, "4", TODAY - dt.timedelta(days=3))
        ledger.post_move(  # an issue taken back counts negative
            s,
            item_id=iron,
            quantity=D(4),
            from_location_id=p.customer,
            to_location_id=p.bins[0],
            kind=MoveKind.ISSUE,
            user_id=p.user,
            moved_at=_at(TODAY),
            reverses_move_id=back.id,
        )
        ledger.post_move(  # an adjustment is not consumption
            s,
            item_id=iron,
            quantity=D(1),
            from_location_id=p.bins[0],
            to_location_id=p.count_diff,
            kind=MoveKind.ADJUSTMENT,
            user_id=p.user,
        )
        values = abc_classes.consumption_values(s, TODAY)
    assert values == {gold: D(500), iron: D(60)}


def test_classes_are_stored_on_the_items_and_audited(db: Database) -> None:
    with unit_of_work(db) as s:
        p = f.places(s)
        ids = {}
        for sku, qty in (("A1", "80"), ("B1", "12"), ("C1", "2"), ("C2", "1"), ("NONE", "0")):
            ids[sku] = f.item(s, p.user, sku).id
            f.receive(s, p, ids[sku], "100", cost="10")
            if qty != "0":
                _issue(s, p, ids[sku], qty, TODAY - dt.timedelta(days=10))
        result = abc_classes.classify_abc(s, p.user, TODAY)
    assert result.counts == {"A": 1, "B": 1, "C": 3}
    assert result.values == {"A": D(800), "B": D(120), "C": D(30)}
    assert result.message == "ABC classes: 1 A items, 1 B items, 3 C items (5 changed)."
    assert [(row.sku, row.abc_class) for row in result.items] == [
        ("A1", "A"),
        ("B1", "B"),
        ("C1", "C"),
        ("C2", "C"),
        ("NONE", "C"),
    ]
    with unit_of_work(db) as s:
        stored = dict(s.execute(select(Item.sku, Item.abc_class)).tuples().all())
        assert stored == {"A1": "A", "B1": "B", "C1": "C", "C2": "C", "NONE": "C"}
        assert s.scalar(select(AuditEvent.action).where(AuditEvent.action == "classify"))
        again = abc_classes.classify_abc(s, p.user, TODAY)
    assert again.changed == 0


@pytest.mark.parametrize("value", ["80,15", "80,15,10", "80;x;5", "0,95,5"])
def test_bad_cut_offs_in_settings_are_named_and_change_nothing(db: Database, value: str) -> None:
    with unit_of_work(db) as s:
        p = f.places(s)
        f.item(s, p.user, "X")
        settings.set_setting(s, "abc_cutoffs", value)
    with pytest.raises(ValidationError) as error:
        with unit_of_work(db) as s:
            abc_classes.classify_abc(s, p.user, TODAY)
    assert error.value.message.startswith(f"The ABC cut-offs setting “{value}”")
    with unit_of_work(db, read_only=True) as s:
        assert s.scalar(select(Item.abc_class)) is None


def test_custom_cut_offs_from_settings(db: Database) -> None:
    with unit_of_work(db) as s:
        settings.set_setting(s, "abc_cutoffs", "50; 30; 20")
        assert abc_classes.abc_cutoffs(s).a == D(50)
