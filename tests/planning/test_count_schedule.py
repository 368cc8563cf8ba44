"""The cycle-count plan over a year: every A item 12 times, B 4, C 2, in even daily lists."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.planning.count_schedule import (
    PlannedItem,
    plan_counts,
    working_days,
    year_days,
)

YEAR = year_days(2026)
TIMES = {"A": 12, "B": 4, "C": 2}


def _items(n: int, seed: int = 1) -> list[PlannedItem]:
    rng = random.Random(seed)
    return [PlannedItem(i, rng.choices("ABC", [20, 30, 50])[0]) for i in range(1, n + 1)]


def _per_item(plan) -> Counter[int]:  # type: ignore[no-untyped-def]
    return Counter(item for day in plan.days for item in plan.on(day))


def test_working_days_are_monday_to_friday_without_holidays() -> None:
    assert len(YEAR) == 261 and YEAR[0] == dt.date(2026, 1, 1) and YEAR[-1] == dt.date(2026, 12, 31)
    assert all(day.isoweekday() <= 5 for day in YEAR)
    christmas = [dt.date(2026, 12, 24), dt.date(2026, 12, 25)]
    assert len(year_days(2026, holidays=christmas)) == 259
    assert working_days(dt.date(2026, 3, 2), dt.date(2026, 3, 8), weekdays=(1, 6)) == [
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 7),
    ]
    with pytest.raises(ValueError, match="ISO weekdays"):
        working_days(dt.date(2026, 1, 1), dt.date(2026, 1, 2), weekdays=(0,))


def test_over_a_year_a_items_are_counted_12_times_b_4_and_c_2_in_even_daily_lists() -> None:
    items = _items(3000)
    plan = plan_counts(items, YEAR)
    counted = _per_item(plan)
    assert all(counted[item.item_id] == TIMES[item.abc_class] for item in items)
    lengths = [len(plan.on(day)) for day in YEAR]
    assert sum(lengths) == sum(TIMES[item.abc_class] for item in items)
    assert max(lengths) - min(lengths) <= 1


def test_an_a_item_is_counted_once_in_each_twelfth_of_the_year_about_a_month_apart() -> None:
    items = _items(600)
    plan = plan_counts(items, YEAR)
    for item in items:
        days = plan.counts_by_item[item.item_id]
        times, n = TIMES[item.abc_class], len(YEAR)
        assert len(days) == times
        # The k-th count falls in the day where window k = [k·n/times, (k+1)·n/times) lies.
        for k, day in enumerate(days):
            index = YEAR.index(day)
            assert k * n // times <= index and index * times < (k + 1) * n
        if item.abc_class == "A":
            gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
            assert min(gaps) >= 14 and max(gaps) <= 46


def test_the_plan_is_deterministic_and_independent_of_input_order() -> None:
    items = _items(500)
    first = plan_counts(items, YEAR)
    again = plan_counts(list(reversed(items)), YEAR)
    assert first.items_by_day == again.items_by_day


def test_frequencies_are_configurable_and_a_class_can_be_left_out() -> None:
    items = _items(200)
    plan = plan_counts(items, YEAR, {"A": 24, "B": 6, "C": 0})
    counted = _per_item(plan)
    assert all(counted[item.item_id] == {"A": 24, "B": 6, "C": 0}[item.abc_class] for item in items)
    lengths = [len(plan.on(day)) for day in YEAR]
    assert max(lengths) - min(lengths) <= 1


def test_a_few_items_spread_as_single_counts_on_separate_days() -> None:
    plan = plan_counts([PlannedItem(1, "A"), PlannedItem(2, "B"), PlannedItem(3, "C")], YEAR)
    assert max(len(plan.on(day)) for day in YEAR) == 1
    assert plan.latest_on_or_before(1, dt.date(2026, 1, 1)) in (None, dt.date(2026, 1, 1))
    assert plan.latest_on_or_before(1, dt.date(2026, 12, 31)) == plan.counts_by_item[1][-1]


@pytest.mark.parametrize(
    ("items", "frequencies", "problem"),
    [
        ([PlannedItem(1, "A"), PlannedItem(1, "B")], None, "listed twice"),
        ([PlannedItem(1, "X")], None, "no count frequency"),
        ([PlannedItem(1, "A")], {"A": 300}, "cannot be counted 300 times"),
        ([PlannedItem(1, "A")], {"A": -1}, "cannot be counted -1 times"),
    ],
)
def test_impossible_plans_are_refused(
    items: list[PlannedItem], frequencies: dict[str, int] | None, problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        plan_counts(items, YEAR, frequencies)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from("ABC"), min_size=1, max_size=120),
    st.integers(min_value=20, max_value=261),
    st.integers(min_value=1, max_value=12),
)
def test_any_mix_of_items_gets_its_counts_in_lists_that_differ_by_at_most_one(
    classes: list[str], n_days: int, a_times: int
) -> None:
    frequencies = {"A": a_times, "B": 4, "C": 2}
    days = YEAR[:n_days]
    items = [PlannedItem(i * 7 + 3, c) for i, c in enumerate(classes)]
    plan = plan_counts(items, days, frequencies)
    counted = _per_item(plan)
    assert all(counted[item.item_id] == frequencies[item.abc_class] for item in items)
    lengths = [len(plan.on(day)) for day in days]
    assert max(lengths) - min(lengths) <= 1
