"""Reading stock: levels per bin and lot, and the move history of an item."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.models import CostLayer, Item, Location, Lot, MoveKind, StockLevel, StockMove, User
from app.models.base import MONEY_QUANTUM
from app.services.locations import location_label
from app.services.settings import CostingMethod, costing_method


@dataclass(frozen=True)
class StockRow:
    """Stock of one item in one bin and lot."""

    location_id: int
    location_code: str
    lot_id: int | None
    lot_code: str
    expiry: dt.date | None
    quantity: Decimal


@dataclass(frozen=True)
class MoveRow:
    """One move of an item, as the history shows it."""

    id: int
    moved_at: dt.datetime
    kind: MoveKind
    quantity: Decimal
    from_code: str
    to_code: str
    lot_code: str
    unit_cost: Decimal
    reference: str
    user: str
    reverses_move_id: int | None


def item_stock(session: Session, item_id: int, include_zero: bool = False) -> list[StockRow]:
    """Where the item is, by bin and lot, bins in code order."""
    query = (
        select(StockLevel, Location.code, Lot.code, Lot.expiry)
        .join(Location, Location.id == StockLevel.location_id)
        .outerjoin(Lot, Lot.id == StockLevel.lot_id)
        .where(StockLevel.item_id == item_id)
        .order_by(Location.code, Lot.expiry, Lot.code)
    )
    if not include_zero:
        query = query.where(StockLevel.quantity != 0)
    return [
        StockRow(level.location_id, code, level.lot_id, lot_code or "", expiry, level.quantity)
        for level, code, lot_code, expiry in session.execute(query)
    ]


def item_moves(session: Session, item_id: int, limit: int = 1000) -> list[MoveRow]:
    """The item's moves, newest first."""
    source = aliased(Location)
    target = aliased(Location)
    query = (
        select(
            StockMove, source.kind, source.code, target.kind, target.code, Lot.code, User.username
        )
        .join(source, source.id == StockMove.from_location_id)
        .join(target, target.id == StockMove.to_location_id)
        .outerjoin(Lot, Lot.id == StockMove.lot_id)
        .join(User, User.id == StockMove.user_id)
        .where(StockMove.item_id == item_id)
        .order_by(StockMove.moved_at.desc(), StockMove.id.desc())
        .limit(limit)
    )
    return [
        MoveRow(
            id=move.id,
            moved_at=move.moved_at,
            kind=move.kind,
            quantity=move.quantity,
            from_code=location_label(from_kind, from_code),
            to_code=location_label(to_kind, to_code),
            lot_code=lot_code or "",
            unit_cost=move.unit_cost,
            reference=move.reference,
            user=username,
            reverses_move_id=move.reverses_move_id,
        )
        for move, from_kind, from_code, to_kind, to_code, lot_code, username in session.execute(
            query
        )
    ]


@dataclass(frozen=True)
class WarehouseStockRow:
    """Stock of one item in one bin and lot, with its value, for the whole-warehouse view."""

    item_id: int
    sku: str
    name: str
    unit: str
    location_code: str
    lot_code: str
    expiry: dt.date | None
    quantity: Decimal
    unit_cost: Decimal
    value: Decimal
    #: The bin and lot ids, for actions on the row (moving it to another bin).
    location_id: int
    lot_id: int | None


def _unit_costs(session: Session) -> dict[int, Decimal]:
    """Each item's current unit cost, read for all items at once.

    Under FIFO an item's stock is worth what its open cost layers hold, so the unit cost
    is that value spread over their quantity (rounded to the money scale); an item
    without open layers falls back to its weighted average. Under weighted average it is
    the average itself.
    """
    costs: dict[int, Decimal] = {
        item_id: avg for item_id, avg in session.execute(select(Item.id, Item.avg_cost))
    }
    if costing_method(session) is CostingMethod.FIFO:
        layers = session.execute(
            select(CostLayer.item_id, CostLayer.remaining, CostLayer.unit_cost).where(
                CostLayer.remaining > 0
            )
        )
        value: dict[int, Decimal] = {}
        quantity: dict[int, Decimal] = {}
        for item_id, remaining, unit_cost in layers:
            value[item_id] = value.get(item_id, Decimal(0)) + remaining * unit_cost
            quantity[item_id] = quantity.get(item_id, Decimal(0)) + remaining
        for item_id, total in value.items():
            costs[item_id] = (total / quantity[item_id]).quantize(MONEY_QUANTUM, ROUND_HALF_UP)
    return costs


def list_stock(session: Session, include_zero: bool = False) -> list[WarehouseStockRow]:
    """Every item's stock in every bin and lot, valued at its current unit cost.

    Ordered by SKU, then bin, then expiry, so an item's rows stay together.
    """
    query = (
        select(
            StockLevel.item_id,
            Item.sku,
            Item.name,
            Item.unit,
            Location.code,
            Lot.code,
            Lot.expiry,
            StockLevel.quantity,
            StockLevel.location_id,
            StockLevel.lot_id,
        )
        .join(Item, Item.id == StockLevel.item_id)
        .join(Location, Location.id == StockLevel.location_id)
        .outerjoin(Lot, Lot.id == StockLevel.lot_id)
        .order_by(Item.sku, Location.code, Lot.expiry, Lot.code)
    )
    if not include_zero:
        query = query.where(StockLevel.quantity != 0)
    costs = _unit_costs(session)
    rows: list[WarehouseStockRow] = []
    for (
        item_id,
        sku,
        name,
        unit,
        location_code,
        lot_code,
        expiry,
        qty,
        location_id,
        lot_id,
    ) in session.execute(query):
        cost = costs.get(item_id, Decimal(0))
        rows.append(
            WarehouseStockRow(
                item_id=item_id,
                sku=sku,
                name=name,
                unit=unit,
                location_code=location_code,
                lot_code=lot_code or "",
                expiry=expiry,
                quantity=qty,
                unit_cost=cost,
                value=qty * cost,
                location_id=location_id,
                lot_id=lot_id,
            )
        )
    return rows
