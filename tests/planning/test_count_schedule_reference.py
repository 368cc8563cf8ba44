"""The fast cycle-count plan is the rule of the module docstring, exactly.

``count_schedule`` ranks all counts by one sort of packed integers and fills the days
walking that ranking (it runs when the Start page first reads the counts due). Here the
rule is written out plainly, as the plan was first built (every count a tuple on two
heaps, day by day), and any mix of items, classes, frequencies and days must give the
same plan, item for item and day for day, including plans where aiming leaves a window
without room and the days are filled again earliest-deadline-first.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.planning.count_schedule import (
    CountPlan,
    PlannedItem,
    plan_classes,
    plan_counts,
    year_days,
)

YEAR = year_days(2026)
GOLDEN = 0x9E3779B97F4A7C15
ONE = 2**64


def _reference_fill(
    tasks: list[tuple[int, int, int, int, int]], n: int, *, earliest_deadline_first: bool
) -> tuple[list[list[int]], bool]:
    """Day by day: the counts whose window closes that day, then the best-aimed open ones
    (or those closing first) until the day's share; an item at most once a day."""
    total = len(tasks)
    candidates: list[tuple[int, int, int, int]] = []
    closing: list[tuple[int, int, int]] = []
    done: set[tuple[int, int]] = set()
    schedule: list[list[int]] = []
    overflowed = False
    next_task = 0
    for day in range(n):
        while next_task < total and tasks[next_task][0] <= day:
            _first, last, aim_at, item_id, k = tasks[next_task]
            primary = last if earliest_deadline_first else aim_at
            heapq.heappush(candidates, (primary, aim_at, item_id, k))
            heapq.heappush(closing, (last, item_id, k))
            next_task += 1
        capacity = (day + 1) * total // n - day * total // n
        chosen: set[int] = set()
        while closing and closing[0][0] <= day:
            _last, item_id, k = heapq.heappop(closing)
            if (item_id, k) not in done:
                done.add((item_id, k))
                chosen.add(item_id)
        overflowed = overflowed or len(chosen) > capacity
        later = []
        while len(chosen) < capacity and candidates:
            entry = heapq.heappop(candidates)
            _primary, _aim_at, item_id, k = entry
            if (item_id, k) in done:
                continue
            if item_id in chosen:
                later.append(entry)
                continue
            done.add((item_id, k))
            chosen.add(item_id)
        for entry in later:
            heapq.heappush(candidates, entry)
        schedule.append(sorted(chosen))
    return schedule, overflowed


def _reference(
    items: list[PlannedItem], days: list[dt.date], frequencies: Mapping[str, int]
) -> tuple[dict[dt.date, tuple[int, ...]], bool]:
    """The plan by the plain rule, and whether aiming overflowed a day."""
    n = len(days)
    rank: dict[str, int] = {}
    tasks = []
    for planned in sorted(items, key=lambda p: p.item_id):
        times = frequencies[planned.abc_class]
        position = rank.get(planned.abc_class, 0) + 1
        rank[planned.abc_class] = position
        aim = (position * GOLDEN) % ONE
        for k in range(times):
            first = k * n // times
            last = -(-(k + 1) * n // times) - 1
            tasks.append((first, last, (k * n * ONE + aim * n) // times, planned.item_id, k))
    tasks.sort(key=lambda t: (t[0], t[2], t[3]))
    schedule, overflowed = _reference_fill(tasks, n, earliest_deadline_first=False)
    if overflowed:
        schedule, _ = _reference_fill(tasks, n, earliest_deadline_first=True)
    return {days[i]: tuple(ids) for i, ids in enumerate(schedule) if ids}, overflowed


def _check(plan: CountPlan, expected: dict[dt.date, tuple[int, ...]]) -> None:
    assert dict(plan.items_by_day) == expected
    assert all(plan.on(day) == expected.get(day, ()) for day in plan.days)
    by_item: dict[int, list[dt.date]] = {}
    for day in sorted(expected):
        for item_id in expected[day]:
            by_item.setdefault(item_id, []).append(day)
    assert {key: list(value) for key, value in plan.counts_by_item.items()} == by_item


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.integers(min_value=1, max_value=5000), st.sampled_from("ABCD"), min_size=1, max_size=90
    ),
    st.integers(min_value=1, max_value=70),
    st.integers(min_value=0, max_value=70),
    st.integers(min_value=0, max_value=20),
    st.integers(min_value=0, max_value=6),
    st.booleans(),
)
def test_any_plan_is_the_plain_rules_plan(
    classes: dict[int, str], n_days: int, a: int, b: int, c: int, skip_days: bool
) -> None:
    days = YEAR[: n_days * 2 : 2] if skip_days else YEAR[:n_days]
    frequencies = {"A": min(a, len(days)), "B": min(b, len(days)), "C": c % (len(days) + 1)}
    frequencies["D"] = (a + b) % (len(days) + 1)
    items = [PlannedItem(item_id, abc) for item_id, abc in classes.items()]
    expected, _overflowed = _reference(items, days, frequencies)
    _check(plan_counts(items, days, frequencies), expected)
    _check(plan_classes(classes, days, frequencies), expected)


def test_plans_where_aiming_runs_out_of_room_are_filled_by_deadline_as_the_rule_says() -> None:
    # Small cases the search below finds overflowing: the second filling must agree too.
    overflowing = 0
    for n_days in range(2, 13):
        for a in range(1, n_days + 1):
            for b in range(0, n_days + 1, 2):
                frequencies = {"A": a, "B": b, "C": n_days // 2}
                items = [PlannedItem(i, "ABC"[(i * 7) % 3]) for i in range(1, 7)]
                expected, overflowed = _reference(items, YEAR[:n_days], frequencies)
                overflowing += overflowed
                _check(plan_counts(items, YEAR[:n_days], frequencies), expected)
    assert overflowing > 0


@pytest.mark.parametrize(
    ("classes", "n_days", "frequencies"),
    [
        # Dense plans, where an item's next window opens the day its last one closes and
        # its next count must wait for a later day (found by searching small plans).
        ({1: "A", 2: "A", 3: "C", 4: "B"}, 14, {"A": 11, "B": 8, "C": 5}),
        ({1: "A", 2: "B", 3: "B"}, 3, {"A": 1, "B": 2}),
        ({1: "B", 2: "A"}, 9, {"A": 1, "B": 4, "C": 5}),
    ],
)
def test_dense_plans_are_the_plain_rules_plan(
    classes: dict[int, str], n_days: int, frequencies: dict[str, int]
) -> None:
    items = [PlannedItem(item_id, abc) for item_id, abc in classes.items()]
    expected, _overflowed = _reference(items, YEAR[:n_days], frequencies)
    _check(plan_classes(classes, YEAR[:n_days], frequencies), expected)


def test_a_warehouse_sized_plan_is_the_plain_rules_plan() -> None:
    # 3,000 items in the classes' usual shares, a whole year: the shape the Start page plans.
    classes = {item_id: "ABBCCCCCCC"[(item_id * 7919) % 10] for item_id in range(11, 3011)}
    items = [PlannedItem(item_id, abc) for item_id, abc in classes.items()]
    frequencies = {"A": 12, "B": 4, "C": 2}
    expected, _overflowed = _reference(items, YEAR, frequencies)
    _check(plan_classes(classes, YEAR, frequencies), expected)


def test_the_latest_planned_day_of_every_item_at_once() -> None:
    classes = {item_id: "ABC"[item_id % 3] for item_id in range(1, 400)}
    plan = plan_classes(classes, YEAR)
    for day in (dt.date(2025, 12, 31), YEAR[0], dt.date(2026, 3, 1), YEAR[130], YEAR[-1]):
        expected = {
            item_id: latest
            for item_id in classes
            if (latest := plan.latest_on_or_before(item_id, day)) is not None
        }
        assert plan.latest_planned(day) == expected
    assert plan.latest_planned(dt.date(2025, 12, 31)) == {}
    assert len(plan.latest_planned(YEAR[-1])) == len(classes)


@pytest.mark.parametrize(
    ("classes", "frequencies", "problem"),
    [
        ({1: "A", 2: "X"}, None, "item 2 has no count frequency"),
        ({1: "A"}, {"A": 300}, "cannot be counted 300 times"),
        ({1: "A"}, {"A": -1}, "cannot be counted -1 times"),
    ],
)
def test_impossible_plans_by_class_are_refused(
    classes: dict[int, str], frequencies: dict[str, int] | None, problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        plan_classes(classes, YEAR, frequencies)


def test_days_out_of_order_are_refused() -> None:
    with pytest.raises(ValueError, match="ascending and distinct"):
        plan_classes({1: "A"}, [YEAR[1], YEAR[0]])


def test_no_items_or_no_counts_give_an_empty_plan() -> None:
    assert plan_classes({}, YEAR).items_by_day == {}
    plan = plan_classes({1: "C", 2: "C"}, YEAR, {"A": 12, "B": 4, "C": 0})
    assert plan.items_by_day == {} and plan.latest_planned(YEAR[-1]) == {}
    assert plan.on(YEAR[0]) == () and plan.on(dt.date(2026, 1, 3)) == ()
