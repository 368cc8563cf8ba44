"""The ABC cycle plan as the services read it: its settings, and what it has due today.

:func:`due_summary` is what the Start page shows of the cycle counts; :func:`due_state`
is the reading behind it and behind ``counting.due_counts`` (the Counts page's list).
They live apart from :mod:`app.services.counting` so the Start page's first read of
the day loads only what the plan needs, not the scanning, ledger and PDF machinery of
counting itself (a fifth of that read). ``counting`` re-exports all of it.

An item is due when the plan had it on a day up to today (and not before the day
cycle counting began, setting ``count_plan_start``) and it has not been counted since
that day; items in an open cycle count are being counted and are not due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import (
    CountEventKind,
    CountKind,
    CountStatus,
    Item,
    StockCount,
    StockCountEvent,
    StockCountItem,
    StockCountLine,
)
from app.planning.count_schedule import CountPlan, plan_classes, year_days
from app.services.errors import ValidationError
from app.services.settings import get_setting

FREQUENCY_SETTINGS = {"A": "count_frequency_a", "B": "count_frequency_b", "C": "count_frequency_c"}
WORKING_DAYS_SETTING = "count_working_days"
PLAN_START_SETTING = "count_plan_start"
# Defaults of the plan's settings (part of counting.COUNT_DEFAULTS).
PLAN_DEFAULTS = {
    "count_frequency_a": "12",
    "count_frequency_b": "4",
    "count_frequency_c": "2",
    WORKING_DAYS_SETTING: "1,2,3,4,5",
}
# Counts still being counted or reviewed.
ACTIVE = (CountStatus.COUNTING, CountStatus.REVIEW)
# Items never classified are counted as C items until the ABC classes are computed.
UNCLASSIFIED = "C"
IN_CHUNK = 500
# From this many items on, _last_counted reads every item's last count in one pass.
_WHOLE_PASS_ITEMS = 4 * IN_CHUNK

_event_t = cast(Table, StockCountEvent.__table__)
_line_t = cast(Table, StockCountLine.__table__)


@dataclass(frozen=True)
class DueSummary:
    """``counting.DueCounts`` in numbers only (for the Start page): the items due today
    (``overdue`` of them late) and the open cycle counts."""

    today: dt.date
    is_working_day: bool
    due: int
    overdue: int
    open_cycle_counts: int


class DueState(NamedTuple):
    """The plan's reading for a day: the plan, each active item's class, each planned
    item's latest planned day up to the day, the local day each was last counted, and
    the items due."""

    plan: CountPlan
    classes: dict[int, str]
    planned: dict[int, dt.date]
    last_counted: dict[int, dt.date]
    due_ids: list[int]


def chunks(values: Iterable[int]) -> Iterator[list[int]]:
    """``values`` without repeats, ascending, in lists short enough for an IN (...)."""
    ordered = sorted(set(values))
    for start in range(0, len(ordered), IN_CHUNK):
        yield ordered[start : start + IN_CHUNK]


# --- settings ---------------------------------------------------------------------------------


def _setting(session: Session, key: str) -> str:
    return get_setting(session, key).strip() or PLAN_DEFAULTS[key]


def count_frequencies(session: Session) -> dict[str, int]:
    """How many times a year each ABC class is counted (settings ``count_frequency_a`` …)."""
    result: dict[str, int] = {}
    for name, key in FREQUENCY_SETTINGS.items():
        raw = _setting(session, key)
        if not raw.isdigit() or int(raw) > 366:
            raise ValidationError(
                _(
                    "The count frequency of class {name} (“{value}”) is not a whole number "
                    "of counts a year. Set it to a number such as 12 in Settings."
                ).format(name=name, value=raw),
                field=key,
            )
        result[name] = int(raw)
    return result


def count_plan_start(session: Session) -> dt.date | None:
    """The day cycle counting by plan began (setting ``count_plan_start``, ISO date), or
    None when it is not set (the plan then runs from the start of the year).

    A count the plan had on an earlier day is not due: a warehouse that starts counting
    with Hylla in November starts with today's list, not with the year's backlog.
    """
    raw = get_setting(session, PLAN_START_SETTING).strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(
            _(
                "The setting for when cycle counting began (“{value}”) is not a date. "
                "Write it as 2026-11-25, or leave it empty."
            ).format(value=raw),
            field=PLAN_START_SETTING,
        ) from None


def count_weekdays(session: Session) -> tuple[int, ...]:
    """The ISO weekdays (1 = Monday) counts are planned on (setting ``count_working_days``)."""
    raw = _setting(session, WORKING_DAYS_SETTING)
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not parts or not all(part in {"1", "2", "3", "4", "5", "6", "7"} for part in parts):
        raise ValidationError(
            _(
                "The counting days setting “{value}” is not a list of weekdays. "
                "Write weekday numbers, Monday = 1, e.g. 1,2,3,4,5."
            ).format(value=raw),
            field=WORKING_DAYS_SETTING,
        )
    return tuple(sorted({int(part) for part in parts}))


# --- the plan and what it has due --------------------------------------------------------------

_PLAN_CACHE: dict[tuple[Any, ...], CountPlan] = {}


def _plan(session: Session, year: int) -> tuple[CountPlan, dict[int, str]]:
    """The year's cycle plan for the active items and their classes (cached per inputs)."""
    # On the connection, past the ORM's per-row work, in id order: the rows themselves are
    # the cache key (sorting 20,000 pairs in Python cost more than reading them).
    rows = tuple(
        session.connection()
        .execute(select(Item.id, Item.abc_class).where(Item.active.is_(True)).order_by(Item.id))
        .tuples()
        .all()
    )
    classes = {item_id: (abc or UNCLASSIFIED).upper() for item_id, abc in rows}
    frequencies = count_frequencies(session)
    weekdays = count_weekdays(session)
    key = (year, rows, tuple(sorted(frequencies.items())), weekdays)
    plan = _PLAN_CACHE.get(key)
    if plan is None:
        planned = {
            item_id: abc if abc in frequencies else UNCLASSIFIED for item_id, abc in classes.items()
        }
        plan = plan_classes(planned, year_days(year, weekdays), frequencies)
        if len(_PLAN_CACHE) >= 4:
            _PLAN_CACHE.clear()
        _PLAN_CACHE[key] = plan
    return plan, classes


def _last_counted(session: Session, item_ids: Iterable[int]) -> dict[int, dt.datetime]:
    """When each item was last counted (its latest count entry in a count not cancelled)."""
    wanted = set(item_ids)
    query = (
        select(_line_t.c.item_id, func.max(_event_t.c.at))
        .join(_line_t, _line_t.c.id == _event_t.c.line_id)
        .join(StockCount, StockCount.id == _line_t.c.count_id)
        .where(
            _event_t.c.kind.in_((CountEventKind.ADD, CountEventKind.SET)),
            StockCount.status != CountStatus.CANCELLED,
        )
        .group_by(_line_t.c.item_id)
    )
    # Asked for many items (a plan without a start day has every item due at the start
    # of a year), one pass over every count is cheaper than dozens of long IN lists.
    if len(wanted) > _WHOLE_PASS_ITEMS:
        queries = [query]
    else:
        queries = [query.where(_line_t.c.item_id.in_(chunk)) for chunk in chunks(wanted)]
    result: dict[int, dt.datetime] = {}
    for chunk_query in queries:
        for item_id, at in session.execute(chunk_query).tuples():
            if item_id not in wanted:
                continue
            # SQLite returns max() of a timestamp as text; read it back as the column would.
            result[item_id] = at if isinstance(at, dt.datetime) else _as_datetime(at)
    return result


def _as_datetime(value: Any) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def due_state(session: Session, today: dt.date) -> DueState:
    """The plan's reading for ``today`` (see :class:`DueState` and the module docstring)."""
    plan, classes = _plan(session, today.year)
    plan_start = count_plan_start(session)
    in_progress = set(
        session.scalars(
            select(StockCountItem.item_id)
            .join(StockCount, StockCount.id == StockCountItem.count_id)
            .where(StockCount.kind == CountKind.CYCLE, StockCount.status.in_(ACTIVE))
        ).all()
    )
    planned = {
        item_id: latest
        for item_id, latest in plan.latest_planned(today).items()
        if item_id not in in_progress and (plan_start is None or latest >= plan_start)
    }
    last = _last_counted(session, planned)
    local = {item_id: at.astimezone().date() for item_id, at in last.items()}
    due_ids = [
        item_id for item_id, day in planned.items() if item_id not in local or local[item_id] < day
    ]
    return DueState(plan, classes, planned, local, due_ids)


def due_summary(session: Session, today: dt.date) -> DueSummary:
    """``counting.due_counts`` in numbers only: without the items' names and the sorted
    list, which a page that shows only how many need not wait for."""
    state = due_state(session, today)
    open_counts = session.scalar(
        select(func.count())
        .select_from(StockCount)
        .where(StockCount.kind == CountKind.CYCLE, StockCount.status.in_(ACTIVE))
    )
    return DueSummary(
        today=today,
        is_working_day=today in state.plan.days,
        due=len(state.due_ids),
        overdue=sum(1 for item_id in state.due_ids if state.planned[item_id] < today),
        open_cycle_counts=int(open_counts or 0),
    )
