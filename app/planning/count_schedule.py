"""The cycle-count plan: how often each ABC class is counted, spread over working days.

Each class has a number of counts a year (by default A 12 — monthly, B 4 — quarterly,
C 2 — twice a year). The year's ``n`` working days are cut into that many equal windows
per class (``n / times`` days each, so a window may end part-way through a day); an
item is counted exactly once in each of its class's windows, so an A item is counted
12 times a year and never twice on one day. Within its windows an item aims at the
same fraction of each, taken by the golden ratio from its rank (by id) within its class:
that spreads any number of items evenly, so counts of one item are a window apart.

The days are then filled: the year's total number of counts is shared out so that
every day's list is as long as any other to within one; day by day, first each count
whose window closes that day (it cannot wait), then those whose aim is earliest, until
the day is full. Should aiming leave a window without room (possible with few days and
short windows), the plan is filled again earliest-deadline-first, which meets every
window within the daily shares whenever that can be done; only if not does a list grow
beyond its share. Everything is integer arithmetic on the inputs: the same items give
the same plan, whatever the machine.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

DEFAULT_FREQUENCIES: Mapping[str, int] = {"A": 12, "B": 4, "C": 2}
MONDAY_TO_FRIDAY = (1, 2, 3, 4, 5)
# 2**64 divided by the golden ratio (Knuth's multiplicative hashing constant): positions
# times it, modulo 2**64, spread over [0, 2**64) as evenly as any sequence can.
_GOLDEN = 0x9E3779B97F4A7C15
_ONE = 2**64


@dataclass(frozen=True)
class PlannedItem:
    """An item to plan and its ABC class."""

    item_id: int
    abc_class: str


@dataclass(frozen=True)
class CountPlan:
    """The period's plan: for each working day, the items to count (ascending ids)."""

    days: tuple[dt.date, ...]
    items_by_day: Mapping[dt.date, tuple[int, ...]]
    frequencies: Mapping[str, int]
    counts_by_item: Mapping[int, tuple[dt.date, ...]] = field(repr=False)

    def on(self, day: dt.date) -> tuple[int, ...]:
        """The items planned on ``day`` (none on a day off)."""
        return self.items_by_day.get(day, ())

    def latest_on_or_before(self, item_id: int, day: dt.date) -> dt.date | None:
        """The item's latest planned day up to and including ``day``, if any."""
        latest = None
        for planned in self.counts_by_item.get(item_id, ()):
            if planned > day:
                break
            latest = planned
        return latest


def working_days(
    start: dt.date,
    end: dt.date,
    weekdays: Iterable[int] = MONDAY_TO_FRIDAY,
    holidays: Iterable[dt.date] = (),
) -> list[dt.date]:
    """The days from ``start`` to ``end`` (inclusive) whose ISO weekday (1 = Monday) is in
    ``weekdays`` and that are not ``holidays``."""
    allowed = set(weekdays)
    if not allowed or not allowed <= set(range(1, 8)):
        raise ValueError(f"weekdays must be ISO weekdays 1-7, not {sorted(allowed)}")
    off = set(holidays)
    days: list[dt.date] = []
    day = start
    while day <= end:
        if day.isoweekday() in allowed and day not in off:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def year_days(
    year: int, weekdays: Iterable[int] = MONDAY_TO_FRIDAY, holidays: Iterable[dt.date] = ()
) -> list[dt.date]:
    """The working days of a calendar year."""
    return working_days(dt.date(year, 1, 1), dt.date(year, 12, 31), weekdays, holidays)


def _aim(position: int) -> int:
    """Where in each window the ``position``-th item of a class aims, in 2**-64ths of the
    window: the golden-ratio sequence, which spreads any first n positions evenly."""
    return (position * _GOLDEN) % _ONE


def _fill(
    tasks: list[tuple[int, int, int, int, int]], n: int, *, earliest_deadline_first: bool
) -> tuple[list[list[int]], bool]:
    """Fill ``n`` days with ``tasks`` (sorted by first day); True if a day went over its
    share because a window was closing."""
    total = len(tasks)
    # Candidates by (aim or last day, aim, item, window); windows closing, by last day.
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
        # An item whose next window opens the day its last one closes waits a day.
        later: list[tuple[int, int, int, int]] = []
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


def plan_counts(
    items: Sequence[PlannedItem],
    days: Sequence[dt.date],
    frequencies: Mapping[str, int] | None = None,
) -> CountPlan:
    """Plan counts of ``items`` over ``days`` (the working days of the period, ascending).

    Raises ValueError for an item listed twice or of a class missing from
    ``frequencies``, and for a frequency below 0 or above the number of days.
    """
    freq = dict(DEFAULT_FREQUENCIES if frequencies is None else frequencies)
    n = len(days)
    if list(days) != sorted(set(days)):
        raise ValueError("days must be ascending and distinct")
    for name, times in freq.items():
        if times < 0 or times > n:
            raise ValueError(f"class {name} cannot be counted {times} times in {n} days")
    seen: set[int] = set()
    rank: dict[str, int] = {}
    # A task: (first day, last day, aim in 2**-64ths of a day, item id, window). Window k
    # of an item counted ``times`` a year is [k*n/times, (k+1)*n/times) in days.
    tasks: list[tuple[int, int, int, int, int]] = []
    for planned in sorted(items, key=lambda p: p.item_id):
        if planned.item_id in seen:
            raise ValueError(f"item {planned.item_id} is listed twice")
        seen.add(planned.item_id)
        if planned.abc_class not in freq:
            raise ValueError(f"item {planned.item_id} has no count frequency for its class")
        times = freq[planned.abc_class]
        position = rank.get(planned.abc_class, 0) + 1
        rank[planned.abc_class] = position
        aim = _aim(position)
        for k in range(times):
            first = k * n // times
            last = -(-(k + 1) * n // times) - 1  # the day the window's end falls in
            aim_at = (k * n * _ONE + aim * n) // times
            tasks.append((first, last, aim_at, planned.item_id, k))
    tasks.sort(key=lambda t: (t[0], t[2], t[3]))
    schedule, overflowed = _fill(tasks, n, earliest_deadline_first=False)
    if overflowed:
        # Aiming let some window run out of room: earliest deadline first meets every
        # window whenever any plan within the daily shares can (the aims break ties).
        schedule, _overflowed = _fill(tasks, n, earliest_deadline_first=True)
    items_by_day = {days[index]: tuple(ids) for index, ids in enumerate(schedule) if ids}
    counts_by_item: dict[int, list[dt.date]] = {}
    for day_date, ids in items_by_day.items():
        for item_id in ids:
            counts_by_item.setdefault(item_id, []).append(day_date)
    return CountPlan(
        days=tuple(days),
        items_by_day=items_by_day,
        frequencies=freq,
        counts_by_item={key: tuple(value) for key, value in counts_by_item.items()},
    )
