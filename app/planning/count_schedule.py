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

The plan is worked out when the Start page first reads the counts due (20,000 items,
some 83,000 counts a year), so it is built for speed without numpy (whose import alone
would cost a third of that page's budget): all counts are ranked once by one sort of
plain integers (aim, item and window packed into one number; each class's items keep
the same order by aim in every window, so the sort merges ready-made runs), and
the days are filled walking that ranking once, with a small heap only for the counts
that had to wait (a window not open yet, an item already on that day's list).
"""

from __future__ import annotations

import datetime as dt
import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate, chain, repeat
from operator import attrgetter
from typing import NamedTuple

DEFAULT_FREQUENCIES: Mapping[str, int] = {"A": 12, "B": 4, "C": 2}
MONDAY_TO_FRIDAY = (1, 2, 3, 4, 5)
# 2**64 divided by the golden ratio (Knuth's multiplicative hashing constant): positions
# times it, modulo 2**64, spread over [0, 2**64) as evenly as any sequence can.
_GOLDEN = 0x9E3779B97F4A7C15
_ONE = 2**64
_LOW_64 = _ONE - 1


class PlannedItem(NamedTuple):
    """An item to plan and its ABC class."""

    item_id: int
    abc_class: str


@dataclass(frozen=True)
class CountPlan:
    """The period's plan: for each working day (``days``, ascending), the items to count.

    ``schedule`` holds one tuple of item ids (ascending) per day of ``days``; the views
    by date and by item are built when first asked for."""

    days: tuple[dt.date, ...]
    frequencies: Mapping[str, int]
    schedule: tuple[tuple[int, ...], ...] = field(repr=False)

    @cached_property
    def items_by_day(self) -> Mapping[dt.date, tuple[int, ...]]:
        """The items planned on each day that has any."""
        return {day: ids for day, ids in zip(self.days, self.schedule, strict=True) if ids}

    @cached_property
    def counts_by_item(self) -> Mapping[int, tuple[dt.date, ...]]:
        """Each planned item's days, ascending."""
        by_item: dict[int, list[dt.date]] = {}
        for day, ids in zip(self.days, self.schedule, strict=True):
            for item_id in ids:
                by_item.setdefault(item_id, []).append(day)
        return {item_id: tuple(days) for item_id, days in by_item.items()}

    def on(self, day: dt.date) -> tuple[int, ...]:
        """The items planned on ``day`` (none on a day off)."""
        index = bisect_left(self.days, day)
        if index < len(self.days) and self.days[index] == day:
            return self.schedule[index]
        return ()

    def latest_on_or_before(self, item_id: int, day: dt.date) -> dt.date | None:
        """The item's latest planned day up to and including ``day``, if any."""
        latest = None
        for planned in self.counts_by_item.get(item_id, ()):
            if planned > day:
                break
            latest = planned
        return latest

    def latest_planned(self, day: dt.date) -> dict[int, dt.date]:
        """Every item planned on or before ``day``, with its latest planned day up to it
        (:meth:`latest_on_or_before` for all items at once)."""
        latest: dict[int, dt.date] = {}
        for index in range(bisect_right(self.days, day)):
            # A later day overwrites an earlier one: the days are walked in order.
            latest.update(dict.fromkeys(self.schedule[index], self.days[index]))
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
    return (position * _GOLDEN) & _LOW_64


def _refuse(ordered: Sequence[PlannedItem], frequencies: Mapping[str, int]) -> None:
    """Raise ValueError for the first item (by id) listed twice or of a class without a
    count frequency."""
    seen: set[int] = set()
    for planned in ordered:
        if planned.item_id in seen:
            raise ValueError(f"item {planned.item_id} is listed twice")
        seen.add(planned.item_id)
        if planned.abc_class not in frequencies:
            raise ValueError(f"item {planned.item_id} has no count frequency for its class")


class _Tasks(NamedTuple):
    """Every count of the period. Task ``j`` is window ``k`` of item ``i`` (items numbered
    0, 1, … by ascending id) where ``j = offset(i) + k``, so task numbers ascend with
    (item, window)."""

    keys: list[int]  # per task, in no particular order: its aim, then j in the low bits
    index_bits: int  # how many low bits of a key hold the task number
    item: list[int]  # task -> item id
    first: list[int]  # task -> the first day of its window
    last: list[int]  # task -> the day its window's end falls in
    closing: list[list[int]]  # day -> the tasks whose window ends in it


def _tasks(
    ids: Sequence[int], classes: Sequence[str], frequencies: Mapping[str, int], n: int
) -> _Tasks:
    """The counts of the items ``ids`` (ascending) of ``classes`` over ``n`` days.

    Window k of an item counted ``times`` a year is [k*n/times, (k+1)*n/times) in days;
    in it the item aims at (k*n + aim*n) / times in 2**-64ths of a day, ``aim`` from its
    position in its class. Candidates are taken by (that aim, item, window): the key
    packs these into one integer, the task number standing for (item, window) as both
    ascend together. (Written as comprehensions over whole classes: at 20,000 items a
    loop per item and window took twice as long.)"""
    times_of = [frequencies[name] for name in classes]
    offsets = [0, *accumulate(times_of)]
    total = offsets[-1]
    index_bits = max(1, total.bit_length())
    windows = {
        name: [(k * n // times, -(-(k + 1) * n // times) - 1) for k in range(times)]
        for name, times in frequencies.items()
    }
    firsts = {name: [bounds[0] for bounds in window] for name, window in windows.items()}
    lasts = {name: [bounds[1] for bounds in window] for name, window in windows.items()}
    item = list(chain.from_iterable(map(repeat, ids, times_of)))
    first = list(chain.from_iterable(map(firsts.__getitem__, classes)))
    last = list(chain.from_iterable(map(lasts.__getitem__, classes)))
    closing: list[list[int]] = [[] for _ in range(n)]
    keys: list[int] = []
    for name in dict.fromkeys(classes):
        times = frequencies[name]
        if not times:
            continue
        indexes = [index for index, of in enumerate(classes) if of == name]
        aims = [_aim(position) for position in range(1, len(indexes) + 1)]
        # The class's items by aim: every window takes them in this order, so each
        # window's keys come out ascending and the sort in _plan merges runs.
        by_aim = sorted(range(len(indexes)), key=aims.__getitem__)
        scaled = [aims[rank] * n for rank in by_aim]
        starts = [offsets[indexes[rank]] for rank in by_aim]
        for k, window_last in enumerate(lasts[name]):
            base = k * n * _ONE
            numbers = list(map(k.__add__, starts))
            keys += [
                (base + aim_n) // times << index_bits | number
                for aim_n, number in zip(scaled, numbers, strict=True)
            ]
            closing[window_last] += numbers
    return _Tasks(keys, index_bits, item, first, last, closing)


def _fill(
    tasks: _Tasks, ranked: list[int], n: int, aims: list[int] | None = None
) -> tuple[list[list[int]], bool]:
    """Fill ``n`` days with the tasks, taken in the order ``ranked`` (task numbers); True
    if a day went over its share because a window was closing.

    Each day first takes the tasks whose window ends that day, then the best-ranked
    open ones until the day's share is reached. One pointer walks the ranking; a task it
    passes that cannot go today (its window opens later, or its item is on today's list
    already) waits in a heap of ranks, which always ranks before the pointer.

    Most days simply take the next share of the ranking, checked and taken as a whole.
    ``aims`` (the sorted keys, when ranked by aim) make the check cheap: a window never
    opens after the day its count aims at."""
    item, first, closing = tasks.item, tasks.first, tasks.closing
    day_shift = tasks.index_bits + 64
    total = len(ranked)
    done: set[int] = set()
    opening: list[list[int]] = [[] for _ in range(n)]  # day -> ranks waiting for it
    waiting: list[int] = []  # ranks that may go now
    schedule: list[list[int]] = []
    overflowed = False
    pointer = 0
    for day in range(n):
        for rank in opening[day]:
            heapq.heappush(waiting, rank)
        capacity = (day + 1) * total // n - day * total // n
        forced = [task for task in closing[day] if task not in done]
        done.update(forced)
        chosen = [item[task] for task in forced]
        overflowed = overflowed or len(chosen) > capacity
        end = min(total, pointer + capacity - len(chosen))
        if not waiting and end > pointer:
            # The common day: the next share of the ranking is all open and none of it
            # done yet, so it goes as it is. (No item can be in it twice or be forced
            # today too: an item's earlier window ranks first, both by aim and by
            # deadline, so it would be done already, or in it, or waiting.)
            batch = ranked[pointer:end]
            if (
                (aims is not None and aims[end - 1] >> day_shift <= day)
                or max(map(first.__getitem__, batch)) <= day
            ) and done.isdisjoint(batch):
                pointer = end
                done.update(batch)
                chosen += map(item.__getitem__, batch)
        on_list = set(chosen)
        # An item whose next window opens the day its last one closes waits a day.
        later: list[int] = []
        while len(chosen) < capacity:
            if waiting:
                rank = heapq.heappop(waiting)
                task = ranked[rank]
                if task in done:
                    continue
            elif pointer < total:
                rank = pointer
                pointer += 1
                task = ranked[rank]
                if task in done:
                    continue
                if first[task] > day:
                    opening[first[task]].append(rank)
                    continue
            else:
                break
            if item[task] in on_list:
                later.append(rank)
                continue
            done.add(task)
            on_list.add(item[task])
            chosen.append(item[task])
        for rank in later:
            heapq.heappush(waiting, rank)
        chosen.sort()
        schedule.append(chosen)
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
    freq = _frequencies(days, frequencies)
    ordered = sorted(items, key=attrgetter("item_id"))
    ids = [planned.item_id for planned in ordered]
    classes = [planned.abc_class for planned in ordered]
    if len(set(ids)) != len(ids) or not set(classes) <= freq.keys():
        _refuse(ordered, freq)
    return _plan(ids, classes, days, freq)


def plan_classes(
    classes: Mapping[int, str],
    days: Sequence[dt.date],
    frequencies: Mapping[str, int] | None = None,
) -> CountPlan:
    """:func:`plan_counts` for items given as {item id: ABC class}, the shape a service
    reads them in (20,000 :class:`PlannedItem` cost more to make than to plan).

    Raises ValueError as :func:`plan_counts` does."""
    freq = _frequencies(days, frequencies)
    ids = sorted(classes)
    of_items = list(map(classes.__getitem__, ids))
    if not set(of_items) <= freq.keys():
        _refuse([PlannedItem(item_id, classes[item_id]) for item_id in ids], freq)
    return _plan(ids, of_items, days, freq)


def _frequencies(days: Sequence[dt.date], frequencies: Mapping[str, int] | None) -> dict[str, int]:
    """The frequencies to plan with; ValueError for days out of order or a frequency
    below 0 or above the number of days."""
    freq = dict(DEFAULT_FREQUENCIES if frequencies is None else frequencies)
    n = len(days)
    if list(days) != sorted(set(days)):
        raise ValueError("days must be ascending and distinct")
    for name, times in freq.items():
        if times < 0 or times > n:
            raise ValueError(f"class {name} cannot be counted {times} times in {n} days")
    return freq


def _plan(
    ids: list[int], classes: list[str], days: Sequence[dt.date], freq: dict[str, int]
) -> CountPlan:
    """The plan of the items ``ids`` (ascending, distinct) of ``classes`` (checked)."""
    n = len(days)
    tasks = _tasks(ids, classes, freq, n)
    mask = (1 << tasks.index_bits) - 1
    keys = sorted(tasks.keys)
    schedule, overflowed = _fill(tasks, [key & mask for key in keys], n, keys)
    if overflowed:
        # Aiming let some window run out of room: earliest deadline first meets every
        # window whenever any plan within the daily shares can (the aims break ties).
        above = keys[-1].bit_length()
        by_deadline = sorted(keys, key=lambda key: tasks.last[key & mask] << above | key)
        schedule, _overflowed = _fill(tasks, [key & mask for key in by_deadline], n)
    return CountPlan(
        days=tuple(days),
        frequencies=freq,
        schedule=tuple(map(tuple, schedule)),
    )
