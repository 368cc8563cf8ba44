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
for the GROUP BY, then a Python tuple per row), so each query instead returns its
columns as comma-separated strings, aggregated by SQLite's ``group_concat`` or
PostgreSQL's ``string_agg`` (the separator a literal: as a bound parameter SQLite reads
it again for every row); numpy parses them in C and sums them per item and day. The
ledger query touches only columns of the covering index ``ix_stock_move_report``, so
SQLite reads that narrow index instead of the table; item and day travel as one number.
Reversals, which need the moved time of the move they reverse, are few and read apart
(:func:`_reversal_corrections`). Where each item's history starts is one index lookup
per item. The sums are exact: quantities stay integers of thousandths until the final
division.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

import numpy as np
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    Table,
    Text,
    case,
    func,
    literal_column,
    select,
    type_coerce,
)
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
item_t = cast(Table, Item.__table__)


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
    """Each column as one comma-separated string over all rows (see the module docstring).

    The separator is a literal in the SQL, not a bound parameter: SQLite reads a
    parameter again for every row, a tenth of a second over a million moves.
    """
    comma: ColumnElement[str] = literal_column("','")
    if session.get_bind().dialect.name == "postgresql":
        return [func.string_agg(sql_cast(column, Text), comma) for column in columns]
    return [func.group_concat(column, comma) for column in columns]


def _parse(text: str | None) -> np.ndarray:
    if not text:
        return np.zeros(0, dtype=np.int64)
    return np.fromstring(text, dtype=np.int64, sep=",")


def read_integer_columns(session: Session, query: Select[Any]) -> list[np.ndarray]:
    """The columns of ``query``'s rows (integers, no NULLs: coalesce them) as int64
    arrays, all in the same row order (which is otherwise unspecified).

    Read the way the demand is (see the module docstring): one comma-separated string per
    column, parsed by numpy. For 20,000 items that is a few milliseconds; as Python tuples
    and Decimals it was a tenth of a second.
    """
    rows = query.subquery()
    texts = session.execute(select(*_aggregate(session, *rows.c))).one()
    return [_parse(text) for text in texts]


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
        # Every item: 20,000 ids as Python ints cost 80 ms, as one string a few.
        (ids,) = read_integer_columns(session, select(item_t.c.id))
        return np.sort(ids)
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
    0 … ``days``; ``days`` for an item with neither).

    One index lookup per item (the first entry of (item, time) in
    ``ix_stock_move_item_moved_at``, of (item, day) in the history's unique key) instead
    of grouping the whole ledger by item: a few milliseconds instead of a tenth of a second.
    """
    first_move = (
        select(func.min(move_t.c.moved_at)).where(move_t.c.item_id == item_t.c.id).scalar_subquery()
    )
    first_import = (
        select(func.min(history_t.c.day))
        .where(history_t.c.item_id == item_t.c.id)
        .scalar_subquery()
    )
    # NULL (no move, no import) becomes "none": group_concat would skip it and shift the rest.
    query = select(
        *_aggregate(
            session,
            item_t.c.id,
            func.coalesce(_day_number(session, first_move, first_day), days),
            func.coalesce(_date_number(session, first_import, first_day), days),
        )
    )
    if item_ids.size <= _MAX_IN_LIST:
        query = query.where(item_t.c.id.in_([int(i) for i in item_ids]))
    ids, moved, imported = (_parse(text) for text in session.execute(query).one())
    started = np.full(item_ids.size, days, dtype=np.int64)
    rows, present = _rows_of(ids, item_ids)
    first = np.minimum(np.clip(moved, 0, days), np.clip(imported, 0, days))
    started[rows[present]] = first[present]
    return started


@dataclass(frozen=True)
class _Cells:
    """Quantities (signed stored thousandths) by item and day number (from ``first_day``)."""

    item_ids: np.ndarray
    days: np.ndarray
    quantities: np.ndarray

    @classmethod
    def join(cls, parts: Sequence[_Cells]) -> _Cells:
        """All of ``parts`` together."""
        return cls(*(np.concatenate([getattr(p, name) for p in parts]) for name in _CELL_FIELDS))


_CELL_FIELDS = ("item_ids", "days", "quantities")


def _signed(outward: ColumnElement[bool], quantity: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((outward, quantity), else_=-quantity)


def _ledger_demand(
    session: Session,
    wanted: list[int] | None,
    demand_ids: list[int],
    first_day: dt.date,
    scan: tuple[dt.date, dt.date],
    value_window: tuple[dt.date, dt.date] | None,
) -> tuple[_Cells, np.ndarray | None]:
    """Every demand move (to or from a demand location) whose own time falls within the
    ``scan`` days, each on its own day, and when asked for, each move's consumption value
    in ``value_window`` (signed thousandths × money units; 0 for other moves).

    The query touches only columns of ``ix_stock_move_report`` (item, from, to, time,
    quantity, unit cost, kind), so SQLite scans that narrow index instead of the ledger's
    rows; reversals are put on the right day afterwards (:func:`_reversal_corrections`).
    Item and day travel as one integer, ``item × 2^bits + day − base``: one column fewer
    to build and to parse.
    """
    scan_first, scan_last = scan
    # Day numbers are computed with the offset from UTC at first_day; a move within the
    # scan days is at most two days off at either end (offsets differ by < 28 h), so this
    # range holds every day number with room to spare.
    base = (scan_first - first_day).days - 3
    bits = ((scan_last - scan_first).days + 7).bit_length()
    outward = move_t.c.to_location_id.in_(demand_ids)
    signed = _signed(outward, move_t.c.quantity)
    item: ColumnElement[Any] = move_t.c.item_id
    if session.get_bind().dialect.name == "postgresql":
        item = sql_cast(item, BigInteger)  # item × 2^bits outgrows PostgreSQL's integer
    key = item * (1 << bits) + (_day_number(session, move_t.c.moved_at, first_day) - base)
    columns = [key, signed]
    if value_window is not None:
        # The ABC value keeps abc_classes' definition: each move on its own day.
        since, until = value_window
        columns.append(
            case(
                (
                    (move_t.c.kind == MoveKind.ISSUE)
                    & (move_t.c.moved_at >= _local_midnight(since))
                    & (move_t.c.moved_at < _local_midnight(until + dt.timedelta(days=1))),
                    signed * move_t.c.unit_cost,
                ),
                else_=0,
            )
        )
    query = select(*_aggregate(session, *columns)).where(
        outward | move_t.c.from_location_id.in_(demand_ids),
        move_t.c.moved_at >= _local_midnight(scan_first),
        move_t.c.moved_at < _local_midnight(scan_last + dt.timedelta(days=1)),
    )
    if wanted is not None:
        query = query.where(move_t.c.item_id.in_(wanted))
    parsed = [_parse(text) for text in session.execute(query).one()]
    keys = parsed[0]
    cells = _Cells(keys >> bits, (keys & ((1 << bits) - 1)) + base, parsed[1])
    return cells, parsed[2] if value_window is not None else None


def _reversal_corrections(
    session: Session,
    wanted: list[int] | None,
    demand_ids: list[int],
    first_day: dt.date,
    scan: tuple[dt.date, dt.date],
) -> _Cells:
    """What moves reversal moves of demand from their own day to the day of the move they
    reverse, so a shipment booked by mistake leaves no trace in the history.

    :func:`_ledger_demand` counted each reversal within the scan days on its own day: that
    is taken back, and the reversal is counted on its original's day instead (whenever it
    was itself posted). Reversals are rare; the partial index ``ix_stock_move_reverses``
    finds them without a scan.
    """
    scan_first, scan_last = scan
    original = move_t.alias("original")
    outward = move_t.c.to_location_id.in_(demand_ids)
    in_scan = (move_t.c.moved_at >= _local_midnight(scan_first)) & (
        move_t.c.moved_at < _local_midnight(scan_last + dt.timedelta(days=1))
    )
    query = (
        select(
            move_t.c.item_id,
            _day_number(session, move_t.c.moved_at, first_day),
            _day_number(session, original.c.moved_at, first_day),
            # The stored thousandths, not the Decimal the column type would make of them.
            type_coerce(_signed(outward, move_t.c.quantity), BigInteger),
            case((in_scan, 1), else_=0),
        )
        .join(original, original.c.id == move_t.c.reverses_move_id)
        .where(
            move_t.c.reverses_move_id.is_not(None),
            outward | move_t.c.from_location_id.in_(demand_ids),
        )
    )
    if wanted is not None:
        query = query.where(move_t.c.item_id.in_(wanted))
    rows = session.execute(query).tuples().all()
    if not rows:
        return _EMPTY
    items, own_day, original_day, quantity, counted = (
        np.asarray(column, dtype=np.int64) for column in zip(*rows, strict=True)
    )
    taken_back = counted == 1
    return _Cells(
        np.concatenate([items[taken_back], items]),
        np.concatenate([own_day[taken_back], original_day]),
        np.concatenate([-quantity[taken_back], quantity]),
    )


_EMPTY = _Cells(*(np.zeros(0, dtype=np.int64) for _name in _CELL_FIELDS))


def _imported_demand(
    session: Session, wanted: list[int] | None, first_day: dt.date, last_day: dt.date
) -> _Cells:
    """The imported history's rows within the days, by item and day number."""
    query = select(
        *_aggregate(
            session,
            history_t.c.item_id,
            _date_number(session, history_t.c.day, first_day),
            history_t.c.quantity,
        )
    ).where(history_t.c.day >= first_day, history_t.c.day <= last_day)
    if wanted is not None:
        query = query.where(history_t.c.item_id.in_(wanted))
    return _Cells(*(_parse(text) for text in session.execute(query).one()))


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
    wanted = [int(i) for i in items] if items.size <= _MAX_IN_LIST else None
    demand_ids = demand_location_ids(session)
    values: np.ndarray | None = None if issue_values_since is None else np.zeros(items.size)
    # Sums of stored thousandths: whole numbers, exact in float64 in any order.
    flat = np.zeros(items.size * days, dtype=np.float64)

    if demand_ids and items.size:
        scan = (first_day, last_day)
        value_window = None
        if issue_values_since is not None:
            value_window = (issue_values_since, issue_values_until or last_day)
            scan = (min(first_day, value_window[0]), max(last_day, value_window[1]))
        moved, value_amounts = _ledger_demand(
            session, wanted, demand_ids, first_day, scan, value_window
        )
        corrections = _reversal_corrections(session, wanted, demand_ids, first_day, scan)
        cells = _add(flat, items, days, _Cells.join([moved, corrections]))
        # Returns are netted against the same day's shipments: a net return is no demand.
        summed = flat[cells]
        if (summed < 0).any():
            flat[cells] = np.maximum(summed, 0.0)
        if values is not None and value_amounts is not None and value_amounts.size:
            rows, present = _rows_of(moved.item_ids, items)
            values = np.bincount(
                rows[present],
                weights=value_amounts[present].astype(np.float64),
                minlength=items.size,
            ) / (QTY_FACTOR * MONEY_FACTOR)

    if items.size:
        _add(flat, items, days, _imported_demand(session, wanted, first_day, last_day))

    quantities = flat.reshape(items.size, days)
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


def _add(flat: np.ndarray, items: np.ndarray, days: int, cells: _Cells) -> np.ndarray:
    """Add ``cells`` of the wanted items and days into ``flat`` (row-major ``items ×
    days``); returns the flat index of each cell added (with repeats)."""
    if cells.item_ids.size == 0:
        return np.zeros(0, dtype=np.int64)
    rows, present = _rows_of(cells.item_ids, items)
    keep = present & (cells.days >= 0) & (cells.days < days)
    index = rows[keep] * days + cells.days[keep]
    np.add.at(flat, index, cells.quantities[keep].astype(np.float64))
    return index


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
