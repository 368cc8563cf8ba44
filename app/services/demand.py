"""Daily demand per item, read from the ledger and the imported history into one matrix.

Demand is what left the warehouse for customers (or any other consumer of goods), less
what customers sent back: every move from a bin to a *demand location* counts, every
move from a demand location back into a bin counts negative, whatever its kind (so a
reversed shipment or a reversed return cancels what it reverses). Demand locations are
the virtual locations that are neither suppliers, count differences, scrap nor opening
balances; today that is the customers. Write-downs, scrapping, count adjustments,
receipts and transfers between bins are therefore not demand. A day whose returns
exceed its shipments counts as no demand, not negative demand. Rows of
``demand_history`` (imported from an earlier system) are added on their day.

Days are the workstation's local calendar days. An item's history starts on the day of
its first move or its first imported row, whichever is earlier; days before that are
``NaN`` ("not observed", unlike 0 = "nothing sold"), which is what the forecasts in
``app.planning`` expect.

Speed: 20,000 items over two years is some 15 million cells and a million moves. Asking
the database for one row per item and day costs seconds on SQLite (a temporary B-tree
for the GROUP BY, then a Python tuple per row), so each query instead returns its three
columns (item, day number, signed quantity in stored thousandths) as three
comma-separated strings, aggregated by SQLite's ``group_concat`` or PostgreSQL's
``string_agg``; numpy parses them in C and sums them per item and day with ``bincount``.
The sums are exact: quantities stay integers of thousandths until the final division.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

import numpy as np
from sqlalchemy import BigInteger, ColumnElement, Integer, Table, Text, case, func, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import DemandHistory, Item, Location, LocationKind, MoveKind, StockMove
from app.models.base import MONEY_SCALE, QTY_SCALE
from app.services.errors import NotFoundError, ValidationError

HISTORY_DAYS = 730
# Location kinds goods leave to without being demand (or come from without being returns).
NOT_DEMAND_KINDS = (
    LocationKind.INTERNAL,
    LocationKind.SUPPLIER,
    LocationKind.COUNT_DIFFERENCE,
    LocationKind.SCRAP,
    LocationKind.OPENING,
)
QTY_FACTOR = 10**QTY_SCALE
MONEY_FACTOR = 10**MONEY_SCALE
# Julian day number of 0001-01-01 00:00 minus its proleptic ordinal (1): julianday() of a
# date at midnight is its ordinal + this.
_JULIAN_OFFSET = 1721424.5
# Julian days are floats: a move at exactly local midnight could come out a hair below
# the day boundary. A millisecond's nudge puts it on its own day.
_JULIAN_NUDGE = 1e-8
_FLOOR_SHIFT = 1_000_000
# Up to this many item ids are filtered in SQL; more are read in full and picked in numpy.
_MAX_IN_LIST = 500

move_t = cast(Table, StockMove.__table__)
history_t = cast(Table, DemandHistory.__table__)


@dataclass(frozen=True)
class DailyDemand:
    """Demand per item (rows, in ``item_ids`` order) and day (columns, oldest first).

    ``quantities`` is float64 in the item's unit; ``NaN`` before the item's history
    starts. ``started`` is the column where each item's history starts (``days`` when it
    has none yet). ``issue_values`` (float64, in money) is each item's consumption value
    when asked for (see :func:`read_daily_demand`).
    """

    item_ids: np.ndarray
    first_day: dt.date
    quantities: np.ndarray
    started: np.ndarray
    issue_values: np.ndarray | None = None

    @property
    def days(self) -> int:
        """Number of days (columns)."""
        return int(self.quantities.shape[1])

    @property
    def last_day(self) -> dt.date:
        """The newest day (the last column)."""
        return self.first_day + dt.timedelta(days=self.days - 1)

    def row_of(self, item_id: int) -> int:
        """The row of ``item_id``; KeyError if it is not in the matrix."""
        row = int(np.searchsorted(self.item_ids, item_id))
        if row >= len(self.item_ids) or int(self.item_ids[row]) != item_id:
            raise KeyError(item_id)
        return row


@dataclass(frozen=True)
class WeekDemand:
    """Demand of one item in one week (``start`` … ``end``, both included)."""

    start: dt.date
    end: dt.date
    quantity: Decimal
    observed: bool


def local_today() -> dt.date:
    """Today in the workstation's time zone."""
    return dt.datetime.now().astimezone().date()


def history_window(today: dt.date, days: int = HISTORY_DAYS) -> tuple[dt.date, dt.date]:
    """The first and last day of ``days`` whole days of history before ``today``.

    Today is left out: its demand is not complete yet.
    """
    if days < 1:
        raise ValidationError(_("The history must be at least one day long."), field="days")
    last = today - dt.timedelta(days=1)
    return last - dt.timedelta(days=days - 1), last


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()).astimezone()


def _shift_seconds(day: dt.date) -> int:
    """The workstation's offset from UTC around ``day`` (seconds), to date moves locally."""
    offset = _local_midnight(day).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def demand_location_ids(session: Session) -> list[int]:
    """Ids of the locations goods go to as demand (the customers, today)."""
    return list(
        session.scalars(select(Location.id).where(Location.kind.not_in(NOT_DEMAND_KINDS))).all()
    )


def _aggregate(session: Session, *columns: ColumnElement[Any]) -> list[ColumnElement[Any]]:
    """Each column as one comma-separated string over all rows (see the module docstring)."""
    if session.get_bind().dialect.name == "postgresql":
        return [func.string_agg(sql_cast(column, Text), ",") for column in columns]
    return [func.group_concat(column, ",") for column in columns]


def _parse(text: str | None) -> np.ndarray:
    if not text:
        return np.zeros(0, dtype=np.int64)
    return np.fromstring(text, dtype=np.int64, sep=",")


def _day_number(
    session: Session, moved_at: ColumnElement[Any], first_day: dt.date
) -> ColumnElement[Any]:
    """The local day of a timestamp, counted from ``first_day`` (0), as SQL."""
    shift = _shift_seconds(first_day)
    if session.get_bind().dialect.name == "postgresql":
        day0 = (first_day - dt.date(1970, 1, 1)).days
        return (
            sql_cast(func.floor((func.extract("epoch", moved_at) + shift) / 86400), BigInteger)
            - day0
        )
    # SQLite: julianday() is the fastest date arithmetic it has (strftime('%s') is slower).
    # CAST truncates towards zero; shifted by _FLOOR_SHIFT days it floors days before
    # first_day too (to negative numbers, which the caller drops).
    constant = (
        shift / 86400 - (first_day.toordinal() + _JULIAN_OFFSET) + _JULIAN_NUDGE + _FLOOR_SHIFT
    )
    return sql_cast(func.julianday(moved_at) + constant, Integer) - _FLOOR_SHIFT


def _date_number(
    session: Session, day: ColumnElement[Any], first_day: dt.date
) -> ColumnElement[Any]:
    """A DATE column counted in days from ``first_day`` (0), as SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return day - first_day
    return sql_cast(func.julianday(day) - (first_day.toordinal() + _JULIAN_OFFSET) + 0.5, Integer)


def _select_items(session: Session, item_ids: Sequence[int] | None) -> np.ndarray:
    if item_ids is None:
        ids = session.scalars(select(Item.id).order_by(Item.id)).all()
        return np.asarray(ids, dtype=np.int64)
    return np.unique(np.asarray(list(item_ids), dtype=np.int64))


def _rows_of(ids: np.ndarray, item_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row of each id in ``item_ids`` (sorted) and whether it is there at all."""
    if item_ids.size == 0 or ids.size == 0:
        return np.zeros(ids.shape, dtype=np.int64), np.zeros(ids.shape, dtype=bool)
    top = int(max(item_ids[-1], ids.max()))
    if top <= 4 * item_ids.size + 1_000_000:
        # Ids are small dense integers: a lookup table beats a binary search per move.
        lookup = np.full(top + 1, -1, dtype=np.int64)
        lookup[item_ids] = np.arange(item_ids.size)
        rows = lookup[np.maximum(ids, 0)]
        present = (rows >= 0) & (ids >= 0)
        return np.where(present, rows, 0), present
    rows = np.minimum(np.searchsorted(item_ids, ids), item_ids.size - 1)
    return rows, item_ids[rows] == ids


def _first_days(
    session: Session, item_ids: np.ndarray, first_day: dt.date, days: int
) -> np.ndarray:
    """Column where each item's history starts: its first move or imported row (clipped to
    0 … ``days``; ``days`` for an item with neither)."""
    first_move = func.min(move_t.c.moved_at)
    move_first = select(move_t.c.item_id, _day_number(session, first_move, first_day)).group_by(
        move_t.c.item_id
    )
    history_first = select(
        history_t.c.item_id, _date_number(session, func.min(history_t.c.day), first_day)
    ).group_by(history_t.c.item_id)
    if item_ids.size <= _MAX_IN_LIST:
        wanted = [int(i) for i in item_ids]
        move_first = move_first.where(move_t.c.item_id.in_(wanted))
        history_first = history_first.where(history_t.c.item_id.in_(wanted))
    started = np.full(item_ids.size, days, dtype=np.int64)
    for query in (move_first, history_first):
        # One row per item: read as two strings too (20,000 rows cost more as tuples).
        pairs = query.subquery()
        ids, first = (
            _parse(text) for text in session.execute(select(*_aggregate(session, *pairs.c))).one()
        )
        rows, present = _rows_of(ids, item_ids)
        np.minimum.at(started, rows[present], np.clip(first[present], 0, days))
    return started


def read_daily_demand(
    session: Session,
    first_day: dt.date,
    last_day: dt.date,
    item_ids: Sequence[int] | None = None,
    issue_values_since: dt.date | None = None,
    issue_values_until: dt.date | None = None,
) -> DailyDemand:
    """Daily demand of ``item_ids`` (default: every item) from ``first_day`` to
    ``last_day`` (both included, local days), as described in the module docstring.

    With ``issue_values_since`` the same pass also sums each item's consumption value
    from that day to ``issue_values_until`` (default ``last_day``; both included) as
    :mod:`app.services.abc_classes` defines it (ISSUE moves out of bins at their recorded
    cost, taken back negative), so the ABC classes need no second pass over the moves.
    """
    if last_day < first_day:
        raise ValidationError(
            _("The last day {last} is before the first day {first}.").format(
                last=last_day.isoformat(), first=first_day.isoformat()
            ),
            field="last_day",
        )
    days = (last_day - first_day).days + 1
    items = _select_items(session, item_ids)
    filtered = items.size <= _MAX_IN_LIST
    wanted = [int(i) for i in items] if filtered else []
    demand_ids = demand_location_ids(session)
    totals: np.ndarray | None = None
    values: np.ndarray | None = None if issue_values_since is None else np.zeros(items.size)

    if demand_ids and items.size:
        outward = move_t.c.to_location_id.in_(demand_ids)
        signed = case((outward, move_t.c.quantity), else_=-move_t.c.quantity)
        scan_first, scan_last = first_day, last_day
        if issue_values_since is not None:
            value_last = issue_values_until or last_day
            scan_first = min(scan_first, issue_values_since)
            scan_last = max(scan_last, value_last)
        # A reversal takes back demand on the day of the move it reverses, so a shipment
        # booked by mistake leaves no trace in the history (reversals are rare: a primary
        # key lookup each, and only for them).
        original = move_t.alias("original")
        reversed_at = (
            select(original.c.moved_at)
            .where(original.c.id == move_t.c.reverses_move_id)
            .scalar_subquery()
        )
        when = case((move_t.c.reverses_move_id.is_(None), move_t.c.moved_at), else_=reversed_at)
        columns = [move_t.c.item_id, _day_number(session, when, first_day), signed]
        if issue_values_since is not None:
            # The ABC value keeps abc_classes' definition: each move on its own day.
            columns.append(
                case(
                    (
                        (move_t.c.kind == MoveKind.ISSUE)
                        & (move_t.c.moved_at >= _local_midnight(issue_values_since))
                        & (move_t.c.moved_at < _local_midnight(value_last + dt.timedelta(days=1))),
                        signed * move_t.c.unit_cost,
                    ),
                    else_=0,
                )
            )
        query = select(*_aggregate(session, *columns)).where(
            outward | move_t.c.from_location_id.in_(demand_ids),
            (
                (move_t.c.moved_at >= _local_midnight(scan_first))
                & (move_t.c.moved_at < _local_midnight(scan_last + dt.timedelta(days=1)))
            )
            | move_t.c.reverses_move_id.is_not(None),
        )
        if filtered:
            query = query.where(move_t.c.item_id.in_(wanted))
        parsed = [_parse(text) for text in session.execute(query).one()]
        totals = _sums(items, days, parsed[:3])
        # Returns are netted against the same day's shipments: a net return is no demand.
        if totals is not None and (parsed[2] < 0).any():
            np.maximum(totals, 0.0, out=totals)
        if values is not None and parsed[0].size:
            rows, present = _rows_of(parsed[0], items)
            values = np.bincount(
                rows[present], weights=parsed[3][present].astype(np.float64), minlength=items.size
            ) / (QTY_FACTOR * MONEY_FACTOR)

    if items.size:
        query = select(
            *_aggregate(
                session,
                history_t.c.item_id,
                _date_number(session, history_t.c.day, first_day),
                history_t.c.quantity,
            )
        ).where(history_t.c.day >= first_day, history_t.c.day <= last_day)
        if filtered:
            query = query.where(history_t.c.item_id.in_(wanted))
        imported = _sums(items, days, [_parse(text) for text in session.execute(query).one()])
        if imported is not None:
            totals = imported if totals is None else np.add(totals, imported, out=totals)

    if totals is None:
        totals = np.zeros(items.size * days, dtype=np.float64)
    quantities = totals.reshape(items.size, days)
    # Sums of whole thousandths, divided once: exact to the last stored decimal.
    quantities /= QTY_FACTOR
    started = _first_days(session, items, first_day, days)
    young = np.nonzero(started > 0)[0]
    if young.size:
        block = quantities[young]
        block[np.arange(days)[np.newaxis, :] < started[young, np.newaxis]] = np.nan
        quantities[young] = block
    return DailyDemand(
        item_ids=items,
        first_day=first_day,
        quantities=quantities,
        started=started,
        issue_values=values,
    )


def _sums(items: np.ndarray, days: int, columns: Sequence[np.ndarray]) -> np.ndarray | None:
    """The parsed (item, day, quantity) triples summed per item and day into a flat array
    (row-major, ``items × days``); None when there were none."""
    ids, offsets, quantities = columns
    if ids.size == 0:
        return None
    rows, present = _rows_of(ids, items)
    keep = present & (offsets >= 0) & (offsets < days)
    summed = np.bincount(
        rows[keep] * days + offsets[keep],
        weights=quantities[keep].astype(np.float64),
        minlength=items.size * days,
    )
    # bincount of nothing is an integer array whatever the weights.
    return summed.astype(np.float64, copy=False)


def weekly_demand(
    session: Session, item_id: int, today: dt.date | None = None, weeks: int = 52
) -> list[WeekDemand]:
    """The item's demand per week over the ``weeks`` whole weeks before ``today``,
    oldest first (for the small demand chart of a proposal)."""
    if weeks < 1:
        raise ValidationError(_("Show at least one week."), field="weeks")
    if session.get(Item, item_id) is None:
        raise NotFoundError(_("Item {id} does not exist.").format(id=item_id))
    first, last = history_window(today or local_today(), weeks * 7)
    daily = read_daily_demand(session, first, last, [item_id]).quantities[0]
    result: list[WeekDemand] = []
    for week in range(weeks):
        chunk = daily[week * 7 : week * 7 + 7]
        observed = not np.isnan(chunk).any()
        total = float(np.nansum(chunk))
        start = first + dt.timedelta(days=week * 7)
        result.append(
            WeekDemand(
                start=start,
                end=start + dt.timedelta(days=6),
                # Sums of thousandths: rounding to 3 decimals gives the exact value back.
                quantity=Decimal(round(total * QTY_FACTOR)).scaleb(-QTY_SCALE),
                observed=observed,
            )
        )
    return result
