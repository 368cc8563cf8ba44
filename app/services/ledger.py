"""The posting service: the only way stock changes.

A posting writes one immutable move and, in the same transaction, the cached levels
of the bins it touches, the FIFO cost layers and the running weighted average. The
item row is locked first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's
``BEGIN IMMEDIATE`` already serialises writers), so concurrent postings for an item
queue instead of losing an update or overdrawing a bin.

Costing invariant kept here: ``sum(layer.remaining) - item.fifo_shortfall`` equals the
item's total on hand in bins. A shortfall only exists while no layer has stock left
(issues that drove an item negative); the next receipt fills it first.
"""

from __future__ import annotations

import datetime as dt
import weakref
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.i18n import _, format_number
from app.models import CostLayer, Item, Location, LocationKind, Lot, MoveKind, StockLevel, StockMove
from app.models.base import MONEY_QUANTUM, MONEY_SCALE, QTY_QUANTUM, QTY_SCALE, utcnow
from app.services.errors import NotFoundError, StockError, ValidationError
from app.services.parsing import parse_decimal
from app.services.settings import CostingMethod, costing_method
from app.services.users import UserId

move_t = cast(Table, StockMove.__table__)
level_t = cast(Table, StockLevel.__table__)
layer_t = cast(Table, CostLayer.__table__)
item_t = cast(Table, Item.__table__)

# Statements are built once: building and cache-keying a statement costs more than
# running it on SQLite, and posting must stay within its few-millisecond budget.
_SELECT_ITEM = (
    select(
        item_t.c.sku,
        item_t.c.unit,
        item_t.c.lot_tracked,
        item_t.c.allow_negative,
        item_t.c.avg_cost,
        item_t.c.fifo_shortfall,
    )
    .where(item_t.c.id == bindparam("item_id"))
    .with_for_update()
)
_SELECT_LEVEL = select(level_t.c.quantity).where(
    level_t.c.item_id == bindparam("item_id"),
    level_t.c.location_id == bindparam("location_id"),
    level_t.c.lot_key == bindparam("lot_key"),
)
_SELECT_TOTAL = select(func.coalesce(func.sum(level_t.c.quantity), 0)).where(
    level_t.c.item_id == bindparam("item_id")
)
_SELECT_OPEN_LAYERS = (
    select(layer_t.c.id, layer_t.c.remaining, layer_t.c.unit_cost)
    .where(layer_t.c.item_id == bindparam("item_id"), layer_t.c.remaining > 0)
    .order_by(layer_t.c.id)
)
_INSERT_MOVE = insert(move_t).returning(move_t.c.id)
_INSERT_LAYER = insert(layer_t)
_UPDATE_LAYER = (
    update(layer_t).where(layer_t.c.id == bindparam("layer_id")).values(remaining=bindparam("left"))
)
_UPDATE_ITEM_COST = (
    update(item_t)
    .where(item_t.c.id == bindparam("item_id"))
    .values(avg_cost=bindparam("avg_cost"), fifo_shortfall=bindparam("shortfall"))
)
_UPSERTS: dict[str, Any] = {}


def _upsert_statement(dialect: str) -> Any:
    if dialect not in _UPSERTS:
        builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = builder(level_t)
        _UPSERTS[dialect] = stmt.on_conflict_do_update(
            index_elements=[level_t.c.item_id, level_t.c.location_id, level_t.c.lot_key],
            set_={"quantity": level_t.c.quantity + stmt.excluded.quantity},
        )
    return _UPSERTS[dialect]


# Location kinds never change once created, so they are cached per engine.
_LOCATION_KINDS: weakref.WeakKeyDictionary[Any, dict[int, LocationKind]] = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True)
class PostedMove:
    """A move as posted."""

    id: int
    item_id: int
    lot_id: int | None
    quantity: Decimal
    from_location_id: int
    to_location_id: int
    unit_cost: Decimal
    kind: MoveKind
    reference: str
    moved_at: dt.datetime


def parse_quantity(
    value: Decimal | int | str, *, allow_zero: bool = False, field: str = "quantity"
) -> Decimal:
    """A quantity as an exact Decimal of at most 3 decimals, or a ValidationError."""
    quantity = parse_decimal(value, field)
    if quantity < 0 or (quantity == 0 and not allow_zero):
        raise ValidationError(
            _("The quantity must be greater than zero.")
            if not allow_zero
            else _("The quantity cannot be negative."),
            field=field,
        )
    if quantity != quantity.quantize(QTY_QUANTUM):
        raise ValidationError(
            _("A quantity can have at most {n} decimals.").format(n=QTY_SCALE), field=field
        )
    return quantity


def parse_money(value: Decimal | int | str, *, field: str = "price") -> Decimal:
    """An amount of money as an exact Decimal of at most 4 decimals, not negative."""
    amount = parse_decimal(value, field)
    if amount < 0:
        raise ValidationError(_("An amount cannot be negative."), field=field)
    if amount != amount.quantize(MONEY_QUANTUM):
        raise ValidationError(
            _("An amount can have at most {n} decimals.").format(n=MONEY_SCALE), field=field
        )
    return amount


def _location_kind(session: Session, location_id: int) -> LocationKind:
    cache = _LOCATION_KINDS.setdefault(session.get_bind(), {})
    kind = cache.get(location_id)
    if kind is None:
        kind = session.scalar(select(Location.kind).where(Location.id == location_id))
        if kind is None:
            raise NotFoundError(_("Location {id} does not exist.").format(id=location_id))
        cache[location_id] = kind
    return kind


def _location_code(session: Session, location_id: int) -> str:
    return session.scalar(select(Location.code).where(Location.id == location_id)) or "?"


def _upsert_level(
    session: Session, item_id: int, location_id: int, lot_id: int | None, delta: Decimal
) -> None:
    session.execute(
        _upsert_statement(session.get_bind().dialect.name),
        {
            "item_id": item_id,
            "location_id": location_id,
            "lot_key": lot_id or 0,
            "lot_id": lot_id,
            "quantity": delta,
        },
    )


def _level(session: Session, item_id: int, location_id: int, lot_id: int | None) -> Decimal:
    value = session.scalar(
        _SELECT_LEVEL, {"item_id": item_id, "location_id": location_id, "lot_key": lot_id or 0}
    )
    return value if value is not None else Decimal(0)


def _total_on_hand(session: Session, item_id: int) -> Decimal:
    value = session.scalar(_SELECT_TOTAL, {"item_id": item_id})
    return value if isinstance(value, Decimal) else Decimal(value or 0)


def current_unit_cost(session: Session, item_id: int) -> Decimal:
    """What one unit of the item is worth now by the costing method in force."""
    row = session.execute(select(item_t.c.avg_cost).where(item_t.c.id == item_id)).one_or_none()
    if row is None:
        raise NotFoundError(_("Item {id} does not exist.").format(id=item_id))
    if costing_method(session) is CostingMethod.FIFO:
        layer_cost = session.scalar(
            select(layer_t.c.unit_cost)
            .where(layer_t.c.item_id == item_id, layer_t.c.remaining > 0)
            .order_by(layer_t.c.id)
            .limit(1)
        )
        if layer_cost is not None:
            return layer_cost
    return row.avg_cost


def post_move(
    session: Session,
    *,
    item_id: int,
    quantity: Decimal | int | str,
    from_location_id: int,
    to_location_id: int,
    kind: MoveKind,
    user_id: UserId,
    lot_id: int | None = None,
    unit_cost: Decimal | None = None,
    reference: str = "",
    moved_at: dt.datetime | None = None,
    reverses_move_id: int | None = None,
    prefer_layer_of_move: int | None = None,
) -> PostedMove:
    """Post one stock move and everything that follows from it, in the caller's transaction.

    ``unit_cost`` is the cost of goods coming into the warehouse (a receipt, an opening
    balance); it is ignored for moves out of or within the warehouse, whose cost comes
    from FIFO layers or the weighted average. Raises a domain error and changes nothing
    if the move breaks a rule.
    """
    qty = parse_quantity(quantity)
    if from_location_id == to_location_id:
        raise StockError(_("A move needs two different locations."))
    from_kind = _location_kind(session, from_location_id)
    to_kind = _location_kind(session, to_location_id)
    from_internal = from_kind is LocationKind.INTERNAL
    to_internal = to_kind is LocationKind.INTERNAL
    if not from_internal and not to_internal:
        raise StockError(
            _("A move must start or end in a bin of the warehouse ({src} → {dst}).").format(
                src=_location_code(session, from_location_id),
                dst=_location_code(session, to_location_id),
            )
        )
    item = session.execute(_SELECT_ITEM, {"item_id": item_id}).one_or_none()
    if item is None:
        raise NotFoundError(_("Item {id} does not exist.").format(id=item_id))
    lot_code = ""
    if lot_id is not None:
        lot = session.execute(select(Lot.item_id, Lot.code).where(Lot.id == lot_id)).one_or_none()
        if lot is None or lot.item_id != item_id:
            raise ValidationError(
                _("That lot does not belong to item {sku}.").format(sku=item.sku), field="lot"
            )
        lot_code = lot.code
    elif item.lot_tracked:
        raise ValidationError(
            _("{sku} is lot-tracked: give the lot number.").format(sku=item.sku), field="lot"
        )

    if from_internal:
        available = _level(session, item_id, from_location_id, lot_id)
        if available < qty and not item.allow_negative:
            where = _location_code(session, from_location_id)
            where += f" / {lot_code}" if lot_code else ""
            raise StockError(
                _("Only {available} {unit} of {sku} in {where}; cannot take {qty}.").format(
                    available=format_number(available),
                    unit=item.unit,
                    sku=item.sku,
                    where=where,
                    qty=format_number(qty),
                )
            )

    avg_cost: Decimal = item.avg_cost
    shortfall: Decimal = item.fifo_shortfall
    moved_at = moved_at or utcnow()
    layer_to_add: tuple[Decimal, Decimal] | None = None

    if to_internal and not from_internal:
        if unit_cost is None:
            cost = current_unit_cost(session, item_id)
        else:
            cost = parse_money(unit_cost, field="unit_cost")
        on_hand = _total_on_hand(session, item_id)
        if on_hand <= 0:
            avg_cost = cost
        else:
            avg_cost = ((on_hand * item.avg_cost + qty * cost) / (on_hand + qty)).quantize(
                MONEY_QUANTUM
            )
        fill = min(shortfall, qty)
        shortfall -= fill
        layer_to_add = (qty, qty - fill)
        move_cost = cost
    elif from_internal and not to_internal:
        fifo_value = _consume_layers(session, item_id, qty, prefer_layer_of_move)
        consumed_qty, consumed_value = fifo_value
        missing = qty - consumed_qty
        if missing > 0:
            shortfall += missing
            consumed_value += missing * avg_cost
        fifo_unit = (consumed_value / qty).quantize(MONEY_QUANTUM)
        fifo = costing_method(session) is CostingMethod.FIFO
        move_cost = fifo_unit if fifo else avg_cost
    else:
        move_cost = current_unit_cost(session, item_id)

    move_id = session.execute(
        _INSERT_MOVE,
        {
            "item_id": item_id,
            "lot_id": lot_id,
            "quantity": qty,
            "from_location_id": from_location_id,
            "to_location_id": to_location_id,
            "unit_cost": move_cost,
            "kind": kind,
            "reference": reference[:100],
            "user_id": user_id,
            "moved_at": moved_at,
            "reverses_move_id": reverses_move_id,
        },
    ).scalar_one()
    if from_internal:
        _upsert_level(session, item_id, from_location_id, lot_id, -qty)
    if to_internal:
        _upsert_level(session, item_id, to_location_id, lot_id, qty)
    if layer_to_add is not None:
        session.execute(
            _INSERT_LAYER,
            {
                "item_id": item_id,
                "move_id": move_id,
                "quantity": layer_to_add[0],
                "remaining": layer_to_add[1],
                "unit_cost": move_cost,
                "created_at": moved_at,
            },
        )
    if avg_cost != item.avg_cost or shortfall != item.fifo_shortfall:
        session.execute(
            _UPDATE_ITEM_COST, {"item_id": item_id, "avg_cost": avg_cost, "shortfall": shortfall}
        )
    return PostedMove(
        id=move_id,
        item_id=item_id,
        lot_id=lot_id,
        quantity=qty,
        from_location_id=from_location_id,
        to_location_id=to_location_id,
        unit_cost=move_cost,
        kind=kind,
        reference=reference[:100],
        moved_at=moved_at,
    )


def _consume_layers(
    session: Session, item_id: int, qty: Decimal, prefer_layer_of_move: int | None
) -> tuple[Decimal, Decimal]:
    """Take ``qty`` from the oldest layers; return (quantity taken, its value)."""
    if prefer_layer_of_move is None:
        rows = session.execute(_SELECT_OPEN_LAYERS, {"item_id": item_id})
    else:
        # A reversal of a receipt takes back that receipt's own layer first.
        rows = session.execute(
            select(layer_t.c.id, layer_t.c.remaining, layer_t.c.unit_cost)
            .where(layer_t.c.item_id == item_id, layer_t.c.remaining > 0)
            .order_by(layer_t.c.move_id != prefer_layer_of_move, layer_t.c.id)
        )
    need = qty
    value = Decimal(0)
    updates: list[tuple[int, Decimal]] = []
    for layer_id, remaining, cost in rows:
        take = min(need, remaining)
        value += take * cost
        updates.append((layer_id, remaining - take))
        need -= take
        if need == 0:
            break
    rows.close()
    if updates:
        session.execute(
            _UPDATE_LAYER, [{"layer_id": layer_id, "left": left} for layer_id, left in updates]
        )
    return qty - need, value


def reverse_move(session: Session, move_id: int, user_id: UserId, reason: str) -> PostedMove:
    """Undo a posted move with a new, opposite move (moves themselves never change)."""
    original = session.get(StockMove, move_id)
    if original is None:
        raise NotFoundError(_("Move {id} does not exist.").format(id=move_id))
    if not reason.strip():
        raise ValidationError(_("Say why the move is reversed."), field="reason")
    already = session.scalar(select(move_t.c.id).where(move_t.c.reverses_move_id == move_id))
    if already is not None:
        raise StockError(
            _("Move {id} was already reversed by move {other}.").format(id=move_id, other=already)
        )
    if original.reverses_move_id is not None:
        raise StockError(
            _("Move {id} is itself a reversal; post a new move instead.").format(id=move_id)
        )
    return post_move(
        session,
        item_id=original.item_id,
        quantity=original.quantity,
        from_location_id=original.to_location_id,
        to_location_id=original.from_location_id,
        kind=original.kind,
        user_id=user_id,
        lot_id=original.lot_id,
        unit_cost=original.unit_cost,
        reference=_("Reversal of move {id}: {reason}").format(id=move_id, reason=reason.strip()),
        reverses_move_id=move_id,
        prefer_layer_of_move=move_id,
    )
