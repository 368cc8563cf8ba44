"""The cycle plan as the services read it (``app.services.count_plan``): the plan kept
for the process follows every change of its inputs, and items are planned by their
class as stored (both engines)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from app.models import Item
from app.planning.count_schedule import plan_classes, year_days
from app.services import count_plan, counting, settings
from app.services.database import Database, unit_of_work
from tests import factories as f

DAY = dt.date(2026, 6, 30)


def _warehouse(db: Database, n: int = 24) -> list[int]:
    with unit_of_work(db) as s:
        p = f.places(s)
        ids = [f.item(s, p.user, f"ART-{i:02d}").id for i in range(n)]
        s.execute(update(Item).values(abc_class="A"))
    return ids


def _due(db: Database, day: dt.date = DAY) -> int:
    return db.read(count_plan.due_summary, day).due


def test_the_kept_plan_follows_items_classes_and_settings(db: Database) -> None:
    ids = _warehouse(db)
    # A items are counted monthly: by the end of June every one has been due.
    assert _due(db) == len(ids)
    with unit_of_work(db) as s:
        s.execute(update(Item).where(Item.id == ids[0]).values(active=False))
    assert _due(db) == len(ids) - 1
    with unit_of_work(db) as s:
        s.execute(update(Item).where(Item.id.in_(ids[:12])).values(abc_class="C"))
        settings.set_setting(s, "count_frequency_c", "0")
    assert _due(db) == len(ids) - 12
    with unit_of_work(db) as s:
        settings.set_setting(s, "count_working_days", "6,7")
    # Counting on weekends only: 30 June 2026 is a Tuesday, not a counting day.
    summary = db.read(count_plan.due_summary, DAY)
    assert (summary.is_working_day, summary.due) == (False, len(ids) - 12)
    assert db.read(count_plan.due_summary, dt.date(2026, 1, 2)).due < summary.due


def test_items_are_planned_by_their_class_read_as_stored(db: Database) -> None:
    ids = _warehouse(db, 6)
    with unit_of_work(db) as s:
        s.execute(update(Item).where(Item.id == ids[0]).values(abc_class="b"))
        s.execute(update(Item).where(Item.id == ids[1]).values(abc_class=None))
        s.execute(update(Item).where(Item.id == ids[2]).values(abc_class="D"))
    # Lower case counts as its class; unclassified and unknown classes count as C.
    expected = plan_classes(
        {ids[0]: "B", ids[1]: "C", ids[2]: "C", **{i: "A" for i in ids[3:]}},
        year_days(DAY.year),
    ).latest_planned(DAY)
    with unit_of_work(db, read_only=True) as s:
        state = count_plan.due_state(s, DAY)
        due = counting.due_counts(s, DAY)
    assert state.planned == expected
    assert {item.item_id: item.abc_class for item in due.items} == {
        item_id: {ids[0]: "B", ids[1]: "C", ids[2]: "D"}.get(item_id, "A") for item_id in expected
    }
    assert {item.item_id: item.planned_on for item in due.items} == expected
