"""Valuation: what the stock was worth at any date, COGS, turnover and the tax value.

Everything here is rebuilt from the ledger (``stock_move``) and the value write-downs
(``cost_revaluation``), never from today's cached levels or cost layers, so a date in
the past gives the figures of that date. A date means the end of that day in local
time (the same days the ABC classes and the rest of Hylla use).

**Valuation as of a date** (``valuation_as_of``) applies one costing method to the
whole history, by default the one in force (setting ``costing_method``):

* FIFO: the stock on hand at the date consists of the newest layers (every move into
  the warehouse from a supplier, customer, count difference or opening balance starts
  a layer at its cost, and issues consume the oldest layers first), so the value is the
  newest layers that cover the quantity on hand. A layer's cost is lowered by each value
  write-down posted after it was created and before the date (the rule it recorded,
  e.g. "no unit above 8.00" or "times 0.7"). This is exactly what the ledger's own open
  ``cost_layer`` rows hold. (A reversed receipt takes its own layer back, as the ledger
  does; if that layer was consumed before the reversal the ledger takes the oldest
  instead, and the as-of FIFO value can then differ by the two layers' cost gap.)
* Weighted average: the running average replayed move by move exactly as the ledger
  computes it (a receipt into empty stock starts it anew; rounded to four decimals the
  same way), lowered by each value write-down at the point it was posted, times the
  quantity on hand.
* LIFO is not allowed under IAS 2 or Swedish accounting law and is never a costing
  setting; ``lifo_what_if`` replays the moves consuming the newest layers first, only
  to show what-if figures beside the real ones, marked so.

**COGS** of a period (``cogs``) is the cost the ledger recorded on the moves to
customers (issues, shipments) minus the cost of the moves back from customers
(returns, reversed issues). Scrap, count differences and write-downs are *not* COGS:
they are inventory losses, reported on their own (write-downs report, count
variances), and keeping them out keeps turnover and GMROI about selling.

**Average inventory value** (``average_inventory_value``) is the mean of the 365 (or
however many) day-end values of the period: the opening value plus each day's net
change, where a move changes the value by its quantity times the cost recorded on it
and a value write-down by the value it took off. This is the ledger's book value (it
equals the valuation by the method in force up to the rounding of unit costs to four
decimals). The value at the end of day k counts for the days k..N-1, so the sum of
the N day-end values is ``opening * N + sum(change_k * (N - k))``: one grouped SQL pass
over the moves weighs each move by its days and sums per item and route (from, to), in
exact integers, instead of building the (items x days) matrix of balances (20,000 x 365
cells); it reads only the covering index ``ix_stock_move_report`` (migration 0008), in
its order. Where SQLite's 64-bit integers would not hold a sum or a product, the
quantities are summed per route, day and unit cost instead and valued and weighed in
Python integers.

**Turnover** (``turnover``, ``turnover_by_category``): turnover = COGS / average
inventory value; days of supply (DSI) = days in the period / turnover; gross margin =
revenue - COGS; GMROI = gross margin / average inventory value (at cost). Revenue is the
order line's price for goods shipped on a customer order (in the company currency),
and for any other move to a customer the item's current sales price (returns count
negative the same way). The ABC class is by the period's COGS with the cut-offs of
setting ``abc_cutoffs``.

**Tax value** (``tax_value``): beside the book value, what a Swedish firm may value the
stock at for tax (inkomstskattelagen 17 kap.): the lowest value principle (per item the
lower of the acquisition value by FIFO and the real value, here the net realisable
value = sales price less the selling-cost percentage of setting
``selling_cost_percent``, or the written-down value when lower), and the 97 % rule
(schablonmetoden: 97 % of the FIFO acquisition value of the whole stock). Both are
returned, and which is lower.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import functools
import itertools
import sqlite3
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Numeric,
    case,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import type_coerce

from app.i18n import _
from app.models import (
    CostRevaluation,
    CustomerOrder,
    CustomerOrderLine,
    CustomerReturn,
    Item,
    Location,
    LocationKind,
    RevaluationRule,
    ShipmentLine,
    StockLevel,
    StockMove,
    utcnow,
)
from app.models.base import MONEY_QUANTUM, MONEY_SCALE, QTY_SCALE
from app.services.errors import ValidationError
from app.services.parsing import parse_decimal
from app.services.settings import CostingMethod, costing_method, get_setting

# numpy (and the ABC classification, which uses it) is imported by the functions that
# replay the ledger: the write-downs and the Start page import this module for lighter
# work, and numpy costs a sixth of a second to load.
if TYPE_CHECKING:
    import numpy as np

ZERO = Decimal(0)
RATIO_QUANTUM = Decimal("0.0001")
SELLING_COST_SETTING = "selling_cost_percent"
DEFAULT_SELLING_COST_PERCENT = "5"
RULE_97_SHARE = Decimal("0.97")
# A move's value (quantity x unit cost) in integers is in units of 10**-7.
VALUE_SCALE = QTY_SCALE + MONEY_SCALE
# Item and move ids below these travel as one integer, item * 2**32 + move (see _flows).
PACKED_ITEM_LIMIT = 2**31
PACKED_MOVE_LIMIT = 2**32

GroupBy = Literal["item", "category", "location"]


# --- shared helpers ------------------------------------------------------------------------


def day_end(day: dt.date) -> dt.datetime:
    """The end of ``day`` in local time (the next local midnight), as an aware datetime."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time()).astimezone()


def day_start(day: dt.date) -> dt.datetime:
    """The start of ``day`` in local time (local midnight), as an aware datetime."""
    return dt.datetime.combine(day, dt.time()).astimezone()


def _check_date(value: object, name: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValidationError(
            _("“{value}” is not a date. Give a date such as 2026-12-31.").format(value=value),
            field=name,
        )
    return value


def _check_period(start: object, end: object) -> tuple[dt.date, dt.date]:
    first = _check_date(start, "start")
    last = _check_date(end, "end")
    if last < first:
        raise ValidationError(
            _("The period ends ({end}) before it starts ({start}). Swap the dates.").format(
                start=first.isoformat(), end=last.isoformat()
            ),
            field="end",
        )
    return first, last


def apply_revaluation(
    cost: Decimal, rule: RevaluationRule, floor_value: Decimal | None, factor: Decimal | None
) -> Decimal:
    """A unit cost after a value write-down's rule (the ledger and the replay share it)."""
    if rule is RevaluationRule.FLOOR:
        assert floor_value is not None
        return min(cost, floor_value)
    assert factor is not None
    return (cost * factor).quantize(MONEY_QUANTUM, ROUND_HALF_UP)


def _money(value: Decimal) -> Decimal:
    return value.quantize(MONEY_QUANTUM, ROUND_HALF_UP)


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if denominator == 0:
        return None
    return (numerator / denominator).quantize(RATIO_QUANTUM, ROUND_HALF_UP)


def _value_from_units(units: int) -> Decimal:
    return Decimal(units).scaleb(-VALUE_SCALE)


def _qty_from_units(units: int) -> Decimal:
    return Decimal(units).scaleb(-QTY_SCALE)


@dataclass(frozen=True)
class _Places:
    """Location ids by role (all locations are read: there are a few hundred)."""

    internal: frozenset[int]
    virtual: tuple[int, ...]
    customer: tuple[int, ...]
    codes: dict[int, tuple[str, str]]


def _places(session: Session) -> _Places:
    internal: set[int] = set()
    virtual: list[int] = []
    customer: list[int] = []
    codes: dict[int, tuple[str, str]] = {}
    for location_id, kind, code, name in session.execute(
        select(Location.id, Location.kind, Location.code, Location.name)
    ).tuples():
        codes[location_id] = (code, name)
        if kind is LocationKind.INTERNAL:
            internal.add(location_id)
        else:
            virtual.append(location_id)
            if kind is LocationKind.CUSTOMER:
                customer.append(location_id)
    return _Places(frozenset(internal), tuple(sorted(virtual)), tuple(sorted(customer)), codes)


def _raw(column: Any) -> ColumnElement[int]:
    """The stored integer of a scaled column (no Decimal conversion for bulk reads)."""
    return type_coerce(column, BigInteger)


@dataclass(frozen=True)
class _Revaluation:
    id: int
    last_move_id: int
    rule: RevaluationRule
    floor_value: Decimal | None
    factor: Decimal | None
    amount: Decimal  # value taken off, by the method in force then
    at: dt.datetime

    def apply(self, cost: Decimal) -> Decimal:
        return apply_revaluation(cost, self.rule, self.floor_value, self.factor)


def _revaluations(session: Session, cutoff: dt.datetime) -> dict[int, list[_Revaluation]]:
    """The value write-downs posted before ``cutoff``, per item, oldest first."""
    result: dict[int, list[_Revaluation]] = {}
    rows = session.execute(
        select(
            CostRevaluation.item_id,
            CostRevaluation.id,
            CostRevaluation.last_move_id,
            CostRevaluation.rule,
            CostRevaluation.floor_value,
            CostRevaluation.factor,
            CostRevaluation.value_before,
            CostRevaluation.value_after,
            CostRevaluation.at,
        )
        .where(CostRevaluation.at < cutoff)
        .order_by(CostRevaluation.item_id, CostRevaluation.id)
    ).tuples()
    for item_id, rev_id, last_move, rule, floor_value, factor, before, after, at in rows:
        result.setdefault(item_id, []).append(
            _Revaluation(rev_id, last_move, rule, floor_value, factor, before - after, at)
        )
    return result


# --- quantities and values as of a date ----------------------------------------------------


def scanned_item_id() -> ColumnElement[int]:
    """``stock_move.item_id`` for grouping a scan of many moves.

    SQLite would otherwise walk the (item, time) index and fetch every move by its row
    id, four times slower than reading the table in order; ``+ 0`` makes the column
    unusable for the index, so the table is scanned and grouped.
    """
    return StockMove.item_id + literal_column("0", Integer)


def _bulk_rows(session: Session, statement: Any) -> list[tuple[Any, ...]]:
    """All rows of a large read as the driver's plain tuples.

    Building a SQLAlchemy ``Row`` costs more than the database's own work for a million
    moves, so bulk reads of raw integer columns (no result processing needed) take the
    driver cursor's rows directly.
    """
    session.flush()
    result = session.connection().execute(statement)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def _core_rows(session: Session, statement: Any) -> list[tuple[Any, ...]]:
    """The rows of a read through SQLAlchemy Core as plain tuples: the ORM's own rows cost
    more than the query itself for 20,000 items. Pending changes are flushed first, as
    the ORM's execute would."""
    session.flush()
    return list(session.connection().execute(statement).tuples())


def _money_from_units(units: int) -> Decimal:
    return Decimal(int(units)).scaleb(-MONEY_SCALE)


def _quantities_as_of(
    session: Session, cutoff: dt.datetime, places: _Places
) -> dict[int, dict[int, int]]:
    """On hand per item and bin (in thousandths) at ``cutoff``, from the moves.

    The cached levels always equal the sum of all moves (the ledger writes both in one
    transaction), so for a recent date the quantities are read as today's levels less
    the moves since, which touches far fewer rows than summing everything before it;
    for an older date the moves before it are summed. Both give the same numbers.
    """
    first = session.execute(
        select(StockMove.moved_at).order_by(StockMove.id).limit(1)
    ).scalar_one_or_none()
    if first is None:
        return {}
    now = utcnow()
    internal = places.internal
    result: dict[int, dict[int, int]] = {}
    if now - cutoff < cutoff - first:
        for item_id, location_id, total in _core_rows(
            session,
            select(
                StockLevel.item_id, StockLevel.location_id, func.sum(_raw(StockLevel.quantity))
            ).group_by(StockLevel.item_id, StockLevel.location_id),
        ):
            if total:
                result.setdefault(item_id, {})[location_id] = int(total)
        condition = StockMove.moved_at >= cutoff
        sign = -1
    else:
        condition = StockMove.moved_at < cutoff
        sign = 1
    # Grouped by item and route in the order of the covering index ix_stock_move_report:
    # SQLite sums straight from the index, without the table and without a sort.
    route = (StockMove.item_id, StockMove.from_location_id, StockMove.to_location_id)
    rows = _core_rows(
        session,
        select(*route, func.sum(_raw(StockMove.quantity))).where(condition).group_by(*route),
    )
    for item_id, source, target, total in rows:
        units = sign * int(total)
        bins = result.setdefault(item_id, {})
        if source in internal:
            bins[source] = bins.get(source, 0) - units
        if target in internal:
            bins[target] = bins.get(target, 0) + units
    return result


@dataclass(frozen=True)
class _Layers:
    """The FIFO layers before a cutoff: per item (move id, thousandths, cost units), oldest
    first, and what reversals took back from each receipt."""

    by_item: dict[int, list[tuple[int, int, int]]]
    taken_back: dict[int, int]


def _fifo_layers(
    session: Session, cutoff: dt.datetime, places: _Places, wanted: set[int]
) -> _Layers:
    layers: dict[int, list[tuple[int, int, int]]] = {}
    if not wanted:
        return _Layers(layers, {})
    rows = _bulk_rows(
        session,
        # No ORDER BY: the covering index ix_stock_move_report answers this without the
        # table, item by item; each item's few layers are put in posting order below.
        select(
            StockMove.item_id, StockMove.id, _raw(StockMove.quantity), _raw(StockMove.unit_cost)
        ).where(StockMove.moved_at < cutoff, StockMove.from_location_id.in_(places.virtual)),
    )
    for item_id, move_id, units, cost in rows:
        if item_id in wanted:
            layers.setdefault(item_id, []).append((move_id, int(units), int(cost)))
    for item_layers in layers.values():
        item_layers.sort()
    taken_back: dict[int, int] = {}
    for reversed_id, units in session.execute(
        select(StockMove.reverses_move_id, _raw(StockMove.quantity)).where(
            StockMove.moved_at < cutoff,
            StockMove.reverses_move_id.is_not(None),
            StockMove.to_location_id.in_(places.virtual),
        )
    ).tuples():
        assert reversed_id is not None
        taken_back[reversed_id] = taken_back.get(reversed_id, 0) + int(units)
    return _Layers(layers, taken_back)


def _fifo_values(
    totals: dict[int, int],
    layers: _Layers,
    revaluations: dict[int, list[_Revaluation]] | None,
) -> dict[int, Decimal]:
    """Each item's FIFO value of ``totals`` (on hand, thousandths): the newest layers
    cover what is on hand; ``revaluations`` None values them at their original costs
    (the acquisition value, before write-downs)."""
    values: dict[int, Decimal] = {}
    for item_id, need in totals.items():
        if need == 0:
            continue
        revs = (revaluations or {}).get(item_id, [])
        value = ZERO
        last_cost = ZERO
        for move_id, units, cost_units in reversed(layers.by_item.get(item_id, [])):
            units -= layers.taken_back.get(move_id, 0)
            if units <= 0:
                continue
            cost = Decimal(cost_units).scaleb(-MONEY_SCALE)
            for rev in revs:
                if move_id <= rev.last_move_id:
                    cost = rev.apply(cost)
            last_cost = cost
            if need <= 0:
                break
            take = min(need, units)
            value += _qty_from_units(take) * cost
            need -= take
        if need != 0:
            # Only where the history has no layer for the stock (negative stock, or a
            # reversal whose layer was gone): value it at the newest cost known.
            value += _qty_from_units(need) * last_cost
        values[item_id] = value
    return values


@dataclass(frozen=True)
class _Flows:
    """Every move across the warehouse's edge before a cutoff, in posting order."""

    item: np.ndarray  # item id per move
    move: np.ndarray  # move id
    qty: np.ndarray  # signed thousandths: + into the warehouse, - out of it
    cost: np.ndarray  # recorded unit cost of a move in, ten-thousandths (0 for moves out)


def _flows(session: Session, cutoff: dt.datetime, places: _Places) -> _Flows:
    """Every move across the warehouse's edge before ``cutoff``, by item in posting order.

    A million rows cross from the database into Python here, and each value of a row
    becomes a Python object, so the rows are kept lean: the item and move id in one
    integer (when they fit, which is checked), and the cost only for moves in (0 for
    moves out, a number Python does not allocate; the replays read no cost there).
    """
    import numpy as np

    incoming = StockMove.from_location_id.in_(places.virtual)
    qty = _raw(StockMove.quantity)
    signed = case((incoming, qty), else_=-qty)
    cost_in = case((incoming, _raw(StockMove.unit_cost)), else_=0)
    where = (
        StockMove.moved_at < cutoff,
        or_(incoming, StockMove.to_location_id.in_(places.virtual)),
    )
    # Two queries: each maximum alone is one step down an index, together a full scan.
    highest_item = session.scalar(select(func.max(StockMove.item_id)))
    highest_move = session.scalar(select(func.max(StockMove.id)))
    packed = (highest_item or 0) < PACKED_ITEM_LIMIT and (highest_move or 0) < PACKED_MOVE_LIMIT
    if packed:
        key = sql_cast(StockMove.item_id, BigInteger) * 2**32 + StockMove.id
        rows = _bulk_rows(session, select(key, signed, cost_in).where(*where))
        width = 3
    else:
        rows = _bulk_rows(
            session, select(StockMove.item_id, StockMove.id, signed, cost_in).where(*where)
        )
        width = 4
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return _Flows(empty, empty, empty, empty)
    array = np.fromiter(
        itertools.chain.from_iterable(rows), dtype=np.int64, count=width * len(rows)
    ).reshape(-1, width)
    del rows
    if packed:
        # The rows come in the covering index's order, item by item, so each item's few
        # runs (one per route) merge: a stable sort (timsort) takes a twentieth of the
        # time of the default quicksort here.
        array = array[np.argsort(array[:, 0], kind="stable")]
        return _Flows(array[:, 0] >> 32, array[:, 0] & (2**32 - 1), array[:, 1], array[:, 2])
    array = array[np.lexsort((array[:, 1], array[:, 0]))]
    return _Flows(array[:, 0], array[:, 1], array[:, 2], array[:, 3])


def _item_slices(items: np.ndarray) -> list[tuple[int, int, int]]:
    """(item id, start, stop) of each item's run in an item-sorted array."""
    import numpy as np

    if items.size == 0:
        return []
    starts = np.flatnonzero(np.concatenate(([True], items[1:] != items[:-1])))
    stops = np.concatenate((starts[1:], [items.size]))
    return [
        (int(items[start]), int(start), int(stop))
        for start, stop in zip(starts.tolist(), stops.tolist(), strict=True)
    ]


def _average_values(
    flows: _Flows, revaluations: dict[int, list[_Revaluation]]
) -> dict[int, tuple[Decimal, Decimal]]:
    """(on hand, weighted average) per item, replayed as ``ledger.post_move`` computes it.

    Only moves into the warehouse and write-downs change the average, so the on hand
    before each move comes from a cumulative sum and Python visits only those.
    """
    import numpy as np

    result: dict[int, tuple[Decimal, Decimal]] = {}
    running = np.cumsum(flows.qty)
    for item_id, start, stop in _item_slices(flows.item):
        base = int(running[start - 1]) if start else 0
        qty = flows.qty[start:stop]
        before = running[start:stop] - qty - base
        incoming = np.flatnonzero(qty > 0)
        revs = revaluations.get(item_id, [])
        avg = ZERO
        r = 0
        moves = flows.move[start:stop]
        costs = flows.cost[start:stop]
        for index in incoming.tolist():
            move_id = int(moves[index])
            while r < len(revs) and revs[r].last_move_id < move_id:
                avg = revs[r].apply(avg)
                r += 1
            on_hand = _qty_from_units(int(before[index]))
            units = _qty_from_units(int(qty[index]))
            cost = Decimal(int(costs[index])).scaleb(-MONEY_SCALE)
            if on_hand <= 0:
                avg = cost
            else:
                avg = ((on_hand * avg + units * cost) / (on_hand + units)).quantize(MONEY_QUANTUM)
        for rev in revs[r:]:
            avg = rev.apply(avg)
        total = int(running[stop - 1]) - base
        result[item_id] = (_qty_from_units(total), avg)
    return result


def _layer_replay_values(
    flows: _Flows, revaluations: dict[int, list[_Revaluation]], *, newest_first: bool
) -> dict[int, Decimal]:
    """Each item's value by replaying cost layers, consuming the newest (LIFO) or the
    oldest (FIFO) first; a shortfall (negative stock) is filled by the next receipt."""
    result: dict[int, Decimal] = {}
    for item_id, start, stop in _item_slices(flows.item):
        revs = revaluations.get(item_id, [])
        r = 0
        layers: deque[list[Any]] = deque()  # [thousandths left, unit cost]
        shortfall = 0
        qty = flows.qty[start:stop].tolist()
        moves = flows.move[start:stop].tolist()
        costs = flows.cost[start:stop].tolist()
        for units, move_id, cost_units in zip(qty, moves, costs, strict=True):
            while r < len(revs) and revs[r].last_move_id < move_id:
                for layer in layers:
                    layer[1] = revs[r].apply(layer[1])
                r += 1
            if units > 0:
                fill = min(shortfall, units)
                shortfall -= fill
                if units > fill:
                    layers.append([units - fill, Decimal(cost_units).scaleb(-MONEY_SCALE)])
                continue
            need = -units
            while need and layers:
                layer = layers[-1] if newest_first else layers[0]
                take = min(need, layer[0])
                layer[0] -= take
                need -= take
                if layer[0] == 0:
                    if newest_first:
                        layers.pop()
                    else:
                        layers.popleft()
            shortfall += need
        for rev in revs[r:]:
            for layer in layers:
                layer[1] = rev.apply(layer[1])
        result[item_id] = sum(
            (_qty_from_units(units) * cost for units, cost in layers), ZERO
        ) - _qty_from_units(shortfall) * (layers[-1][1] if layers else ZERO)
    return result


def _lifo_values(flows: _Flows, revaluations: dict[int, list[_Revaluation]]) -> dict[int, Decimal]:
    """Each item's value under perpetual LIFO, without replaying move by move.

    Under LIFO the layers are a stack: a layer pushed when S units were in stock sits on
    units (max(S, 0), S + q]; it is never refilled once taken from, so what is left of
    it at the end is the lowest stock level reached since it was pushed, clipped to that
    range. The lowest levels are one reversed running minimum over all items (numpy), each
    item's levels lifted above the previous item's so the minimum restarts per item.
    """
    import numpy as np

    result: dict[int, Decimal] = {}
    if flows.item.size == 0:
        return result
    starts = np.flatnonzero(np.concatenate(([True], flows.item[1:] != flows.item[:-1])))
    segment = np.repeat(np.arange(starts.size), np.diff(np.append(starts, flows.item.size)))
    running = np.cumsum(flows.qty)
    level = running - np.concatenate(([0], running[starts[1:] - 1]))[segment]
    span = int(level.max() - level.min()) + 1
    # Walking backwards, each earlier item's levels lie wholly below the later ones'.
    shifted = (level + segment * span)[::-1]
    lowest = np.minimum.accumulate(shifted)[::-1] - segment * span
    before = level - flows.qty
    incoming = np.flatnonzero(flows.qty > 0)
    base = np.maximum(before[incoming], 0)
    top = level[incoming]
    left = np.clip(lowest[incoming], base, np.maximum(top, base)) - base
    for index, units in zip(incoming.tolist(), left.tolist(), strict=True):
        if units <= 0:
            continue
        item_id = int(flows.item[index])
        move_id = int(flows.move[index])
        cost = Decimal(int(flows.cost[index])).scaleb(-MONEY_SCALE)
        for rev in revaluations.get(item_id, ()):
            if move_id <= rev.last_move_id:
                cost = rev.apply(cost)
        result[item_id] = result.get(item_id, ZERO) + _qty_from_units(int(units)) * cost
    return result


@dataclass(frozen=True)
class ItemValue:
    """One item's stock at a date: quantity per bin and in total, and its value."""

    item_id: int
    quantity: Decimal
    value: Decimal
    bins: dict[int, Decimal]

    @property
    def unit_cost(self) -> Decimal:
        """Value per unit (0 when nothing is on hand)."""
        return _money(self.value / self.quantity) if self.quantity else ZERO


def item_values_as_of(
    session: Session, as_of: dt.date, method: CostingMethod | None = None
) -> dict[int, ItemValue]:
    """Each item with stock at the end of ``as_of``: its quantity (per bin) and value by
    ``method`` (default: the costing method in force), write-downs included."""
    as_of = _check_date(as_of, "as_of")
    return _AsOf(session, as_of).values(method or costing_method(session))


class _AsOf:
    """What the valuations at one date start from, each part read once and only when
    first needed: a report that shows the FIFO book value, the value per bin, the tax
    values and the LIFO what-if reads the quantities, layers and moves one time each."""

    def __init__(self, session: Session, as_of: dt.date) -> None:
        self.session = session
        self.as_of = as_of
        self.cutoff = day_end(as_of)
        self.places = _places(session)
        self._values: dict[CostingMethod, dict[int, ItemValue]] = {}
        self._fifo: dict[bool, dict[int, Decimal]] = {}

    @functools.cached_property
    def per_bin(self) -> dict[int, dict[int, int]]:
        """On hand per item and bin, in thousandths."""
        return _quantities_as_of(self.session, self.cutoff, self.places)

    @functools.cached_property
    def totals(self) -> dict[int, int]:
        """On hand per item, in thousandths."""
        return {item_id: sum(bins.values()) for item_id, bins in self.per_bin.items()}

    @functools.cached_property
    def revaluations(self) -> dict[int, list[_Revaluation]]:
        """The value write-downs before the date, per item."""
        return _revaluations(self.session, self.cutoff)

    @functools.cached_property
    def layers(self) -> _Layers:
        """The FIFO layers of the items on hand."""
        wanted = {item_id for item_id, units in self.totals.items() if units != 0}
        return _fifo_layers(self.session, self.cutoff, self.places, wanted)

    @functools.cached_property
    def flows(self) -> _Flows:
        """Every move across the warehouse's edge before the date (for the replays)."""
        return _flows(self.session, self.cutoff, self.places)

    def fifo(self, *, revalued: bool) -> dict[int, Decimal]:
        """Each item's FIFO value (not rounded), after the write-downs or (the
        acquisition value) before them."""
        if revalued not in self._fifo:
            self._fifo[revalued] = _fifo_values(
                self.totals, self.layers, self.revaluations if revalued else None
            )
        return self._fifo[revalued]

    def values(self, method: CostingMethod) -> dict[int, ItemValue]:
        """Each item with stock, valued by ``method``."""
        if method not in self._values:
            self._values[method] = self._item_values(method)
        return self._values[method]

    def _item_values(self, method: CostingMethod) -> dict[int, ItemValue]:
        totals = self.totals
        if method is CostingMethod.FIFO:
            values = self.fifo(revalued=True)
        else:
            averages = _average_values(self.flows, self.revaluations)
            values = {
                item_id: _qty_from_units(units) * averages.get(item_id, (ZERO, ZERO))[1]
                for item_id, units in totals.items()
                if units != 0
            }
        result: dict[int, ItemValue] = {}
        for item_id, bins in self.per_bin.items():
            total = totals[item_id]
            value = values.get(item_id, ZERO)
            if total == 0 and value == 0:
                continue
            result[item_id] = ItemValue(
                item_id=item_id,
                quantity=_qty_from_units(total),
                value=_money(value),
                bins={loc: _qty_from_units(units) for loc, units in bins.items() if units != 0},
            )
        return result

    def lifo(self) -> dict[int, Decimal]:
        """The LIFO what-if value per item (rounded; items valued at zero left out)."""
        values = _lifo_values(self.flows, self.revaluations)
        return {item_id: _money(value) for item_id, value in values.items() if value != 0}


def lifo_what_if(session: Session, as_of: dt.date) -> dict[int, Decimal]:
    """WHAT-IF ONLY: each item's value at the end of ``as_of`` had issues consumed the
    newest layers first (perpetual LIFO). LIFO is not allowed under IAS 2 or Swedish
    accounting law; show these figures only beside the real ones, marked as what-if."""
    as_of = _check_date(as_of, "as_of")
    return _AsOf(session, as_of).lifo()


def lifo_replay_values(session: Session, as_of: dt.date) -> dict[int, Decimal]:
    """The LIFO what-if by replaying every move (slower than ``lifo_what_if``; kept as an
    independent check of it)."""
    as_of = _check_date(as_of, "as_of")
    cutoff = day_end(as_of)
    places = _places(session)
    values = _layer_replay_values(
        _flows(session, cutoff, places), _revaluations(session, cutoff), newest_first=True
    )
    return {item_id: _money(value) for item_id, value in values.items() if value != 0}


def fifo_replay_values(session: Session, as_of: dt.date) -> dict[int, Decimal]:
    """Each item's FIFO value at the end of ``as_of`` by replaying every move (slower than
    ``item_values_as_of``; kept as an independent check of it)."""
    as_of = _check_date(as_of, "as_of")
    cutoff = day_end(as_of)
    places = _places(session)
    values = _layer_replay_values(
        _flows(session, cutoff, places), _revaluations(session, cutoff), newest_first=False
    )
    return {item_id: _money(value) for item_id, value in values.items() if value != 0}


@dataclass(frozen=True)
class ValuationRow:
    """One line of a valuation as of a date.

    ``key`` is the SKU (by item), the category (by category) or the bin code (by
    location); ``label`` the item name, the category as shown, or the bin's name.
    ``unit_cost`` only for items (units differ between items). ``lifo_value`` is a
    what-if figure (LIFO is not an allowed method), filled only when asked for.
    """

    key: str
    label: str
    item_id: int | None
    sku: str
    name: str
    unit: str
    category: str
    location_code: str
    quantity: Decimal
    unit_cost: Decimal | None
    value: Decimal
    method: CostingMethod
    items: int
    lifo_value: Decimal | None = None


class _ItemInfo(NamedTuple):
    # A tuple, not a dataclass: one is made for every item of a report.
    sku: str
    name: str
    unit: str
    category: str
    sales_price: Decimal | None


def _item_info(session: Session, ids: Iterable[int] | None) -> dict[int, _ItemInfo]:
    """Names and prices of the items ``ids`` (all items for None)."""
    wanted = None if ids is None else set(ids)
    if wanted is not None and not wanted:
        return {}
    rows = _core_rows(
        session,
        select(Item.id, Item.sku, Item.name, Item.unit, Item.category, _raw(Item.sales_price)),
    )
    return {
        item_id: _ItemInfo(
            sku, name, unit, category or "", None if price is None else _money_from_units(price)
        )
        for item_id, sku, name, unit, category, price in rows
        if wanted is None or item_id in wanted
    }


def category_label(category: str) -> str:
    """How a category shows in lists and reports (an empty one has a name too)."""
    return category or _("(no category)")


def _check_group_by(group_by: object) -> GroupBy:
    if group_by not in ("item", "category", "location"):
        raise ValidationError(
            _("Group a valuation by item, category or location, not “{value}”.").format(
                value=group_by
            ),
            field="group_by",
        )
    return cast(GroupBy, group_by)


def valuation_as_of(
    session: Session,
    as_of: dt.date,
    *,
    group_by: GroupBy = "item",
    method: CostingMethod | None = None,
    with_lifo: bool = False,
) -> list[ValuationRow]:
    """The stock's value at the end of ``as_of``, by item, category or bin.

    Rebuilt from the ledger by ``method`` (default: the costing method in force), value
    write-downs included; see the module's docstring. Items by SKU, categories and bins
    in name order. ``with_lifo`` adds the LIFO what-if value (slower: every move is
    replayed).
    """
    group_by = _check_group_by(group_by)
    as_of = _check_date(as_of, "as_of")
    method = method or costing_method(session)
    state = _AsOf(session, as_of)
    values = state.values(method)
    lifo = state.lifo() if with_lifo else None
    return _valuation_rows(state, values, _item_info(session, values), group_by, method, lifo)


def _valuation_rows(
    state: _AsOf,
    values: dict[int, ItemValue],
    info: dict[int, _ItemInfo],
    group_by: GroupBy,
    method: CostingMethod,
    lifo: dict[int, Decimal] | None,
) -> list[ValuationRow]:
    """The rows of a valuation: per item by SKU, or per category or bin by name.

    ``lifo`` None leaves the what-if column out.
    """
    with_lifo = lifo is not None
    lifo = lifo or {}
    if group_by == "item":
        rows = [
            ValuationRow(
                key=info[item_id].sku,
                label=info[item_id].name,
                item_id=item_id,
                sku=info[item_id].sku,
                name=info[item_id].name,
                unit=info[item_id].unit,
                category=info[item_id].category,
                location_code="",
                quantity=value.quantity,
                unit_cost=value.unit_cost,
                value=value.value,
                method=method,
                items=1,
                lifo_value=lifo.get(item_id, ZERO) if with_lifo else None,
            )
            for item_id, value in values.items()
        ]
        return sorted(rows, key=lambda row: row.sku)
    groups: dict[str, dict[str, Any]] = {}
    for item_id, value in values.items():
        if group_by == "category":
            parts = [(info[item_id].category, value.quantity, value.value, lifo.get(item_id))]
        else:
            parts = []
            for location_id, quantity in value.bins.items():
                share = quantity / value.quantity if value.quantity else ZERO
                item_lifo = lifo.get(item_id)
                parts.append(
                    (
                        str(location_id),
                        quantity,
                        value.value * share,
                        item_lifo * share if item_lifo is not None else None,
                    )
                )
        for key, quantity, amount, lifo_amount in parts:
            group = groups.setdefault(
                key, {"quantity": ZERO, "value": ZERO, "lifo": ZERO, "items": set()}
            )
            group["quantity"] += quantity
            group["value"] += amount
            group["lifo"] += lifo_amount or ZERO
            group["items"].add(item_id)
    rows = []
    for key, group in groups.items():
        if group_by == "location":
            code, name = state.places.codes[int(key)]
            row_key, label, location_code, category = code, name, code, ""
        else:
            row_key, label, location_code, category = key, category_label(key), "", key
        rows.append(
            ValuationRow(
                key=row_key,
                label=label,
                item_id=None,
                sku="",
                name="",
                unit="",
                category=category,
                location_code=location_code,
                quantity=group["quantity"],
                unit_cost=None,
                value=_money(group["value"]),
                method=method,
                items=len(group["items"]),
                lifo_value=_money(group["lifo"]) if with_lifo else None,
            )
        )
    return sorted(rows, key=lambda row: (row.key.casefold(), row.key))


# --- tax value -----------------------------------------------------------------------------


class TaxRule(enum.StrEnum):
    """Which Swedish tax valuation gives the lower value."""

    LOWEST_VALUE = "lowest-value"  # lägsta värdets princip, ITL 17 kap. 3 §
    RULE_97 = "rule-97"  # schablonmetoden (97 %), ITL 17 kap. 4 §


@dataclass(frozen=True)
class TaxRow:
    """One item's figures for the tax valuation.

    ``acquisition_value``: FIFO at original cost (before write-downs);
    ``written_down_value``: FIFO after write-downs; ``net_realisable_value``: quantity x
    (sales price less selling costs), None without a sales price; ``lowest_value``: the
    lowest of the three that apply.
    """

    item_id: int
    sku: str
    name: str
    quantity: Decimal
    acquisition_value: Decimal
    written_down_value: Decimal
    net_realisable_value: Decimal | None
    lowest_value: Decimal


@dataclass(frozen=True)
class TaxValuation:
    """The stock's book value and its Swedish tax values at a date."""

    as_of: dt.date
    method: CostingMethod
    book_value: Decimal
    acquisition_value: Decimal
    lowest_value: Decimal
    rule_97_value: Decimal
    lower_rule: TaxRule
    lower_value: Decimal
    selling_cost_percent: Decimal
    rows: tuple[TaxRow, ...] = field(default_factory=tuple)


def selling_cost_percent(session: Session) -> Decimal:
    """The selling costs, in percent of the sales price, that net realisable value deducts."""
    raw = get_setting(session, SELLING_COST_SETTING).strip() or DEFAULT_SELLING_COST_PERCENT
    problem = _(
        "The selling cost setting “{value}” is not a percentage from 0 to 100. "
        "Write it like 5 in Settings."
    ).format(value=raw)
    try:
        percent = parse_decimal(raw, SELLING_COST_SETTING)
    except ValidationError:
        raise ValidationError(problem, field=SELLING_COST_SETTING) from None
    if percent < 0 or percent > 100:
        raise ValidationError(problem, field=SELLING_COST_SETTING)
    return percent


def net_realisable_unit_value(sales_price: Decimal | None, percent: Decimal) -> Decimal | None:
    """What one unit fetches net of selling costs; None when the item has no sales price."""
    if sales_price is None:
        return None
    return _money(sales_price * (100 - percent) / 100)


def tax_value(session: Session, as_of: dt.date) -> TaxValuation:
    """The book value and the Swedish tax values of the stock at the end of ``as_of``.

    Net realisable value uses the items' sales prices as they are now (Hylla keeps no
    price history).
    """
    as_of = _check_date(as_of, "as_of")
    percent = selling_cost_percent(session)
    method = costing_method(session)
    state = _AsOf(session, as_of)
    book = state.values(method)
    return _tax_valuation(state, method, book, _item_info(session, book), percent)


def _tax_valuation(
    state: _AsOf,
    method: CostingMethod,
    book: dict[int, ItemValue],
    info: dict[int, _ItemInfo],
    percent: Decimal,
) -> TaxValuation:
    # Under FIFO the written-down FIFO values are the book values' own (computed once).
    written = state.fifo(revalued=True)
    acquired = state.fifo(revalued=False)
    rows: list[TaxRow] = []
    for item_id, value in book.items():
        acquisition = _money(acquired.get(item_id, ZERO))
        written_down = _money(written.get(item_id, ZERO))
        unit_nrv = net_realisable_unit_value(info[item_id].sales_price, percent)
        nrv = _money(value.quantity * unit_nrv) if unit_nrv is not None else None
        candidates = [acquisition, written_down] + ([nrv] if nrv is not None else [])
        rows.append(
            TaxRow(
                item_id=item_id,
                sku=info[item_id].sku,
                name=info[item_id].name,
                quantity=value.quantity,
                acquisition_value=acquisition,
                written_down_value=written_down,
                net_realisable_value=nrv,
                lowest_value=min(candidates),
            )
        )
    rows.sort(key=lambda row: row.sku)
    acquisition_total = sum((row.acquisition_value for row in rows), ZERO)
    lowest_total = sum((row.lowest_value for row in rows), ZERO)
    rule_97 = _money(acquisition_total * RULE_97_SHARE)
    lower_rule = TaxRule.LOWEST_VALUE if lowest_total <= rule_97 else TaxRule.RULE_97
    return TaxValuation(
        as_of=state.as_of,
        method=method,
        book_value=sum((value.value for value in book.values()), ZERO),
        acquisition_value=acquisition_total,
        lowest_value=lowest_total,
        rule_97_value=rule_97,
        lower_rule=lower_rule,
        lower_value=min(lowest_total, rule_97),
        selling_cost_percent=percent,
        rows=tuple(rows),
    )


@dataclass(frozen=True)
class StockValuation:
    """The stock at the end of one day as the valuation report shows it: per item (with
    the LIFO what-if when asked for), per bin, and the tax values."""

    as_of: dt.date
    method: CostingMethod
    items: tuple[ValuationRow, ...]
    locations: tuple[ValuationRow, ...]
    tax: TaxValuation


def stock_valuation(session: Session, as_of: dt.date, *, with_lifo: bool = True) -> StockValuation:
    """``valuation_as_of`` by item (``with_lifo``) and by bin, and ``tax_value``, as of the
    end of ``as_of``, the same figures those give, from one read of the ledger instead of
    three (the quantities, FIFO layers and moves are each read once)."""
    as_of = _check_date(as_of, "as_of")
    percent = selling_cost_percent(session)
    method = costing_method(session)
    state = _AsOf(session, as_of)
    book = state.values(method)
    info = _item_info(session, book)
    lifo = state.lifo() if with_lifo else None
    return StockValuation(
        as_of=as_of,
        method=method,
        items=tuple(_valuation_rows(state, book, info, "item", method, lifo)),
        locations=tuple(_valuation_rows(state, book, info, "location", method, None)),
        tax=_tax_valuation(state, method, book, info, percent),
    )


# --- a period: COGS, average inventory, revenue -------------------------------------------


def _epoch_seconds(dialect: str) -> ColumnElement[int]:
    if dialect == "sqlite":
        if sqlite3.sqlite_version_info >= (3, 38, 0):
            # The same whole seconds as strftime('%s'), for a quarter of its cost: it is
            # worked out for every move of the period.
            return func.unixepoch(StockMove.moved_at, type_=BigInteger)
        return sql_cast(func.strftime("%s", StockMove.moved_at), BigInteger)
    return sql_cast(func.floor(func.extract("epoch", StockMove.moved_at)), BigInteger)


def _day_weight(dialect: str, start: dt.date, days: int) -> ColumnElement[int]:
    """For a move up to the period's end: the number of the period's day-end values it is
    part of (N for a move before the period, N - k for one on day k, local days).

    Local days are 24 hours except where the clocks change, so runs of whole days are
    split by integer division and each 23- or 25-hour day gets its own branch.
    """
    moments = [day_start(start + dt.timedelta(days=k)) for k in range(days + 1)]
    bounds = [int(moment.timestamp()) for moment in moments]
    seconds = _epoch_seconds(dialect)
    # The branches compare the stored time itself (cheap); only the chosen branch
    # converts it to seconds.
    whens: list[tuple[ColumnElement[bool], ColumnElement[int]]] = [
        (StockMove.moved_at < moments[0], sql_cast(days, Integer))
    ]
    k = 0
    while k < days:
        run_end = k
        while run_end < days and bounds[run_end + 1] - bounds[run_end] == 86400:
            run_end += 1
        if run_end > k:
            whens.append(
                (StockMove.moved_at < moments[run_end], days - k - (seconds - bounds[k]) // 86400)
            )
            k = run_end
        else:
            whens.append((StockMove.moved_at < moments[k + 1], sql_cast(days - k, Integer)))
            k += 1
    return case(*whens, else_=sql_cast(0, Integer))


@dataclass(frozen=True)
class PeriodFigures:
    """Per-item figures of a period, from one pass over the ledger (exact Decimals).

    Values are book values: quantity x the cost recorded on each move, less value
    write-downs. ``average_value`` is the mean of the day-end values of the period.
    """

    start: dt.date
    end: dt.date
    days: int
    cogs: dict[int, Decimal]
    sold_quantity: dict[int, Decimal]
    average_value: dict[int, Decimal]
    opening_value: dict[int, Decimal]
    closing_value: dict[int, Decimal]


# Per item, in integers: opening value, sum of day-end values, closing value (values in
# 10**-7), COGS (10**-7) and net quantity sold (10**-3).
_Sums = dict[int, list[int]]


def _route_sums(session: Session, start: dt.date, end: dt.date, days: int, *, daily: bool) -> Any:
    """The moves up to the period's end summed per item and route (from, to): value before
    the period, value weighed by its days in the period (see ``_day_weight``), all value,
    and the quantity moved in the period.

    Grouped by (item, from, to) the sums come straight out of the covering index
    ``ix_stock_move_report`` in its order (SQLite needs no sort of a million moves), and
    no row needs a CASE on its locations: the route decides in Python, once per group,
    whether its value comes in, goes out, or is COGS.

    With ``daily`` the database only adds up quantities, per route, day (before the
    period or its weight) and unit cost, and Python multiplies: no product is formed in
    SQL, where SQLite would turn one beyond 2**63 into an inexact float.
    """
    dialect = session.get_bind().dialect.name
    qty: ColumnElement[Any] = _raw(StockMove.quantity)
    if dialect != "sqlite":
        # PostgreSQL's bigint would overflow where SQLite's sums fail loudly; numeric is exact.
        qty = sql_cast(qty, Numeric)
    cost = _raw(StockMove.unit_cost)
    value = qty * cost
    before = StockMove.moved_at < day_start(start)
    weight = _day_weight(dialect, start, days)
    route = (StockMove.item_id, StockMove.from_location_id, StockMove.to_location_id)
    statement = select(*route)
    if daily:
        statement = statement.add_columns(
            before.label("is_before"), weight.label("day_weight"), cost, func.sum(qty)
        ).group_by(*route, literal_column("is_before"), literal_column("day_weight"), cost)
    else:
        statement = statement.add_columns(
            func.sum(case((before, value), else_=0)),
            func.sum(value * weight),
            func.sum(value),
            func.sum(case((before, 0), else_=qty)),
        ).group_by(*route)
    return session.execute(statement.where(StockMove.moved_at < day_end(end))).tuples()


class _InexactSum(Exception):  # noqa: N818 - a signal for the exact fallback, not an error
    """SQLite answered with a float: an integer product went beyond 2**63."""


def _sums(session: Session, start: dt.date, end: dt.date, days: int, *, daily: bool) -> _Sums:
    """Per item: opening value, sum of the day-end values, closing value, COGS and net
    quantity sold, in exact integers.

    The value at the end of day k counts for days k..N-1, so the sum of day-end values is
    opening x N + sum(change_k x (N - k)). The database weighs and sums each route's
    moves; with ``daily`` it only adds up quantities and Python values and weighs them
    in unbounded integers (used where the database's 64-bit integers would not do).
    Raises ``_InexactSum`` (SQLite) or ``OperationalError`` (overflow) where they do not.
    """
    places = _places(session)
    virtual = frozenset(places.virtual)
    customers = frozenset(places.customer)
    result: _Sums = {}
    for row in _route_sums(session, start, end, days, daily=daily):
        item_id, source, target = row[0], row[1], row[2]
        # A move into the warehouse (from a virtual place) adds value, one out of it
        # takes value away, one between bins changes nothing.
        if source in virtual:
            sign = 1
        elif target in virtual:
            sign = -1
        else:
            continue
        if daily:
            before, weight = bool(row[3]), int(row[4])
            moved = int(row[6] or 0)
            total = moved * int(row[5])
            opening = total if before else 0
            weighted = total * weight
            moved_in_period = 0 if before else moved
        else:
            if float in (type(row[3]), type(row[4]), type(row[5])):
                raise _InexactSum
            opening, weighted, total, moved_in_period = (int(v or 0) for v in row[3:7])
        acc = result.get(item_id)
        if acc is None:
            acc = result[item_id] = [0, 0, 0, 0, 0]
        acc[0] += sign * opening
        acc[1] += sign * weighted
        acc[2] += sign * total
        # Goods to a customer are COGS at their recorded cost, goods back from one reduce
        # it; scrap and count differences are not COGS (see the module docstring).
        if target in customers:
            acc[3] += total - opening
            acc[4] += moved_in_period
        elif source in customers:
            acc[3] -= total - opening
            acc[4] -= moved_in_period
    return result


def period_figures(session: Session, start: dt.date, end: dt.date) -> PeriodFigures:
    """COGS, quantity sold, and the average, opening and closing book value per item for
    the period from ``start`` to ``end`` (both days included)."""
    start, end = _check_period(start, end)
    days = (end - start).days + 1
    try:
        sums = _sums(session, start, end, days, daily=False)
    except (OperationalError, _InexactSum) as exc:
        # SQLite refuses an integer sum beyond 2**63 and turns a product beyond it into
        # a float; either way (a read that fails leaves the transaction usable) the
        # quantities are summed per day and cost instead and valued in Python.
        if isinstance(exc, OperationalError) and "overflow" not in str(exc).lower():
            raise
        sums = _sums(session, start, end, days, daily=True)
    _add_revaluations(session, sums, start, end, days)
    return _figures(start, end, days, sums)


def _add_revaluations(
    session: Session, sums: _Sums, start: dt.date, end: dt.date, days: int
) -> None:
    """Value write-downs lower the value from the day they were posted on."""
    bounds = [day_start(start + dt.timedelta(days=k)) for k in range(days + 1)]
    scale_up = 10 ** (VALUE_SCALE - MONEY_SCALE)
    for item_id, at, before, after in session.execute(
        select(
            CostRevaluation.item_id,
            CostRevaluation.at,
            _raw(CostRevaluation.value_before),
            _raw(CostRevaluation.value_after),
        ).where(CostRevaluation.at < day_end(end))
    ).tuples():
        change = -(int(before) - int(after)) * scale_up
        acc = sums.setdefault(item_id, [0, 0, 0, 0, 0])
        acc[2] += change
        if at < bounds[0]:
            acc[0] += change
            acc[1] += change * days
        else:
            acc[1] += change * (days - (bisect.bisect_right(bounds, at) - 1))


def _figures(start: dt.date, end: dt.date, days: int, sums: _Sums) -> PeriodFigures:
    figures: tuple[dict[int, Decimal], ...] = ({}, {}, {}, {}, {})
    opening, average, closing, cogs_values, sold = figures
    for item_id, (open_units, day_sum, close_units, cogs_units, sold_units) in sums.items():
        if open_units:
            opening[item_id] = _money(_value_from_units(open_units))
        if day_sum:
            average[item_id] = _money(_value_from_units(day_sum) / days)
        if close_units:
            closing[item_id] = _money(_value_from_units(close_units))
        if cogs_units or sold_units:
            cogs_values[item_id] = _money(_value_from_units(cogs_units))
            sold[item_id] = _qty_from_units(sold_units)
    return PeriodFigures(
        start=start,
        end=end,
        days=days,
        cogs=cogs_values,
        sold_quantity=sold,
        average_value=average,
        opening_value=opening,
        closing_value=closing,
    )


def cogs(session: Session, start: dt.date, end: dt.date) -> dict[int, Decimal]:
    """Cost of goods sold per item from ``start`` to ``end`` (both days included): moves
    to customers at their recorded cost, less moves back from customers. Scrap, count
    differences and write-downs are not COGS (see the module's docstring)."""
    return period_figures(session, start, end).cogs


def average_inventory_value(session: Session, start: dt.date, end: dt.date) -> dict[int, Decimal]:
    """Each item's mean day-end book value over the period (both days included)."""
    return period_figures(session, start, end).average_value


def revenue(
    session: Session,
    start: dt.date,
    end: dt.date,
    sold_quantity: dict[int, Decimal],
    sales_prices: dict[int, Decimal | None] | None = None,
) -> dict[int, Decimal]:
    """Revenue per item for the period: shipped order lines at their price (company
    currency), the rest of ``sold_quantity`` (net quantity to customers) at the item's
    current sales price."""
    start, end = _check_period(start, end)
    since, until = day_start(start), day_end(end)
    currency = get_setting(session, "currency")
    priced_qty: dict[int, Decimal] = {}
    priced_value: dict[int, Decimal] = {}

    def moves_of(move_id: Any) -> tuple[Any, Any]:
        # The move's time and quantity are looked up per order line by its id: joined
        # instead, SQLite would scan every move of the ledger for the few that ship.
        found = select(StockMove).where(StockMove.id == move_id)
        moved_at = found.with_only_columns(StockMove.moved_at).scalar_subquery()
        quantity = found.with_only_columns(StockMove.quantity).scalar_subquery()
        return moved_at, quantity

    moved_at, quantity = moves_of(ShipmentLine.move_id)
    shipped = session.execute(
        select(ShipmentLine.item_id, quantity, CustomerOrderLine.unit_price)
        .join(CustomerOrderLine, CustomerOrderLine.id == ShipmentLine.order_line_id)
        .join(CustomerOrder, CustomerOrder.id == CustomerOrderLine.order_id)
        .where(moved_at >= since, moved_at < until, CustomerOrder.currency == currency)
    ).tuples()
    moved_at, quantity = moves_of(CustomerReturn.return_move_id)
    returned = session.execute(
        select(ShipmentLine.item_id, quantity, CustomerOrderLine.unit_price)
        .select_from(CustomerReturn)
        .join(ShipmentLine, ShipmentLine.id == CustomerReturn.shipment_line_id)
        .join(CustomerOrderLine, CustomerOrderLine.id == ShipmentLine.order_line_id)
        .join(CustomerOrder, CustomerOrder.id == CustomerOrderLine.order_id)
        .where(moved_at >= since, moved_at < until, CustomerOrder.currency == currency)
    ).tuples()
    for sign, rows in ((1, shipped), (-1, returned)):
        for item_id, quantity, price in rows:
            priced_qty[item_id] = priced_qty.get(item_id, ZERO) + sign * quantity
            priced_value[item_id] = priced_value.get(item_id, ZERO) + sign * quantity * price
    prices = sales_prices
    if prices is None:
        prices = {
            item_id: price
            for item_id, price in session.execute(select(Item.id, Item.sales_price)).tuples()
        }
    result: dict[int, Decimal] = {}
    for item_id in set(sold_quantity) | set(priced_value):
        rest = sold_quantity.get(item_id, ZERO) - priced_qty.get(item_id, ZERO)
        amount = priced_value.get(item_id, ZERO) + rest * (prices.get(item_id) or ZERO)
        if amount:
            result[item_id] = _money(amount)
    return result


@dataclass(frozen=True)
class TurnoverRow:
    """One item's (or category's) turnover figures for a period.

    ``turnover`` = COGS / average inventory value; ``dsi`` (days of supply) = days /
    turnover; ``gmroi`` = (revenue - COGS) / average inventory value. Each is None when
    its denominator is zero (nothing in stock, or nothing sold).
    """

    key: str
    item_id: int | None
    sku: str
    name: str
    unit: str
    category: str
    items: int
    sold_quantity: Decimal
    revenue: Decimal
    cogs: Decimal
    gross_margin: Decimal
    average_inventory_value: Decimal
    opening_value: Decimal
    closing_value: Decimal
    turnover: Decimal | None
    dsi: Decimal | None
    gmroi: Decimal | None
    abc_class: str


@dataclass(frozen=True)
class TurnoverResult:
    """Turnover per item and per category, with totals, from one pass over the ledger."""

    start: dt.date
    end: dt.date
    days: int
    items: tuple[TurnoverRow, ...]
    categories: tuple[TurnoverRow, ...]
    total: TurnoverRow


def _turnover_row(
    key: str,
    days: int,
    *,
    item_id: int | None,
    info: _ItemInfo | None,
    category: str,
    items: int,
    sold: Decimal,
    revenue_value: Decimal,
    cogs_value: Decimal,
    average: Decimal,
    opening: Decimal,
    closing: Decimal,
    abc_class: str,
) -> TurnoverRow:
    turnover_ratio = _ratio(cogs_value, average)
    return TurnoverRow(
        key=key,
        item_id=item_id,
        sku=info.sku if info else "",
        name=info.name if info else "",
        unit=info.unit if info else "",
        category=category,
        items=items,
        sold_quantity=sold,
        revenue=revenue_value,
        cogs=cogs_value,
        gross_margin=revenue_value - cogs_value,
        average_inventory_value=average,
        opening_value=opening,
        closing_value=closing,
        turnover=turnover_ratio,
        dsi=_ratio(Decimal(days) * average, cogs_value) if cogs_value > 0 else None,
        gmroi=_ratio(revenue_value - cogs_value, average),
        abc_class=abc_class,
    )


def turnover_report(session: Session, start: dt.date, end: dt.date) -> TurnoverResult:
    """Turnover, DSI, GMROI and ABC class per item and per category for a period.

    Items with no stock, no sales and no revenue in the period are left out. Items are
    sorted by turnover, fastest first (those without a turnover last, by SKU).
    """
    from app.planning.abc import classify_items
    from app.services.abc_classes import abc_cutoffs

    figures = period_figures(session, start, end)
    info = _item_info(session, None)
    sales = revenue(
        session,
        figures.start,
        figures.end,
        figures.sold_quantity,
        {item_id: item.sales_price for item_id, item in info.items()},
    )
    ids = (
        set(figures.cogs)
        | set(figures.average_value)
        | set(sales)
        | set(figures.closing_value)
        | set(figures.opening_value)
    )
    classes = classify_items(
        {item_id: figures.cogs.get(item_id, ZERO) for item_id in ids}, abc_cutoffs(session)
    )
    rows = [
        _turnover_row(
            info[item_id].sku,
            figures.days,
            item_id=item_id,
            info=info[item_id],
            category=info[item_id].category,
            items=1,
            sold=figures.sold_quantity.get(item_id, ZERO),
            revenue_value=sales.get(item_id, ZERO),
            cogs_value=figures.cogs.get(item_id, ZERO),
            average=figures.average_value.get(item_id, ZERO),
            opening=figures.opening_value.get(item_id, ZERO),
            closing=figures.closing_value.get(item_id, ZERO),
            abc_class=classes[item_id],
        )
        for item_id in ids
    ]
    # Fastest first, ties by SKU: two stable sorts, the second reversed (a reversed sort
    # keeps ties in order), instead of negating 20,000 Decimals in one key.
    rows.sort(key=lambda row: row.sku)
    rows.sort(key=lambda row: (row.turnover is not None, row.turnover or ZERO), reverse=True)

    def combine(key: str, category: str, members: Sequence[TurnoverRow]) -> TurnoverRow:
        return _turnover_row(
            key,
            figures.days,
            item_id=None,
            info=None,
            category=category,
            items=sum(row.items for row in members),
            sold=sum((row.sold_quantity for row in members), ZERO),
            revenue_value=sum((row.revenue for row in members), ZERO),
            cogs_value=sum((row.cogs for row in members), ZERO),
            average=sum((row.average_inventory_value for row in members), ZERO),
            opening=sum((row.opening_value for row in members), ZERO),
            closing=sum((row.closing_value for row in members), ZERO),
            abc_class="",
        )

    by_category: dict[str, list[TurnoverRow]] = {}
    for row in rows:
        by_category.setdefault(row.category, []).append(row)
    categories = sorted(
        (combine(category, category, members) for category, members in by_category.items()),
        key=lambda row: (row.category.casefold(), row.category),
    )
    # The total from the category sums: the same exact Decimal sums, added up from a few
    # dozen figures instead of 20,000.
    return TurnoverResult(
        start=figures.start,
        end=figures.end,
        days=figures.days,
        items=tuple(rows),
        categories=tuple(categories),
        total=combine("", "", categories),
    )


def turnover(session: Session, start: dt.date, end: dt.date) -> list[TurnoverRow]:
    """Turnover per item for a period (see ``turnover_report``)."""
    return list(turnover_report(session, start, end).items)


def turnover_by_category(session: Session, start: dt.date, end: dt.date) -> list[TurnoverRow]:
    """Turnover per category for a period (see ``turnover_report``)."""
    return list(turnover_report(session, start, end).categories)
