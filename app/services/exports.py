"""Exporting items, bins, suppliers, supplier terms, stock, demand history and moves as CSV.

Files use the canonical columns of DESIGN.md "Interchange formats": UTF-8 without BOM,
``,`` delimiter, decimal point, ISO dates, yes/no flags, and text cells neutralised
against spreadsheet formulas (see :mod:`app.services.csvio`). An export imports back
exactly: into the same database it changes nothing, into an empty one it recreates
what a second export shows identically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.models import (
    Barcode,
    CostLayer,
    DemandHistory,
    Item,
    Location,
    LocationKind,
    Lot,
    StockLevel,
    StockMove,
    Supplier,
    SupplierItem,
    User,
)
from app.models.base import MONEY_QUANTUM
from app.services.csvio import (
    EXPORT_KINDS,
    format_bool,
    format_date,
    format_decimal,
    format_int,
    table_format,
    write_table,
)
from app.services.settings import CostingMethod, costing_method

Cells = list[str]
# Moves are streamed in batches: an export of a million moves must not load them all.
BATCH = 5000


def export_file(session: Session, kind: str, path: Path) -> int:
    """Write every row of ``kind`` to the CSV file ``path``; return how many rows."""
    fmt = table_format(kind, EXPORT_KINDS)
    return write_table(Path(path), fmt, _ROWS[kind](session))


def _items(session: Session) -> Iterator[Cells]:
    codes: dict[int, list[str]] = {}
    for item_id, code in session.execute(
        select(Barcode.item_id, Barcode.code).order_by(Barcode.id)
    ).tuples():
        codes.setdefault(item_id, []).append(code)
    for item in session.scalars(select(Item).order_by(Item.sku)):
        # Stored as a fraction (0.95); people and the import read it as a percentage.
        level = item.service_level * 100 if item.service_level is not None else None
        yield [
            item.sku,
            item.name,
            item.unit,
            item.category,
            "|".join(codes.get(item.id, ())),
            format_decimal(item.sales_price),
            item.policy.value,
            format_decimal(item.min_qty),
            format_decimal(item.max_qty),
            format_decimal(level),
            format_bool(item.lot_tracked),
            format_int(item.shelf_life_days),
        ]


def _locations(session: Session) -> Iterator[Cells]:
    query = (
        select(Location.code, Location.name)
        .where(Location.kind == LocationKind.INTERNAL)
        .order_by(Location.code)
    )
    for code, name in session.execute(query).tuples():
        yield [code, name]


def _suppliers(session: Session) -> Iterator[Cells]:
    for s in session.scalars(select(Supplier).order_by(Supplier.code)):
        yield [
            s.code,
            s.name,
            s.email,
            format_int(s.lead_time_days),
            format_decimal(s.min_order_value),
            s.currency,
        ]


def _supplier_items(session: Session) -> Iterator[Cells]:
    query = (
        select(SupplierItem, Supplier.code, Item.sku)
        .join(Supplier, Supplier.id == SupplierItem.supplier_id)
        .join(Item, Item.id == SupplierItem.item_id)
        .order_by(Supplier.code, Item.sku)
    )
    for si, code, sku in session.execute(query).tuples():
        yield [
            code,
            sku,
            si.supplier_sku,
            format_decimal(si.price),
            format_decimal(si.pack_size),
            format_decimal(si.moq),
            format_int(si.lead_time_days),
            format_bool(si.preferred),
        ]


def _stock_unit_costs(session: Session) -> dict[int, Decimal]:
    """What one unit of each item in stock is carried at.

    FIFO: the value of the open cost layers per unit; weighted average: the average.
    Importing the file as opening balances then values the stock the same.
    """
    costs = dict(session.execute(select(Item.id, Item.avg_cost)).tuples().all())
    if costing_method(session) is CostingMethod.FIFO:
        totals: dict[int, tuple[Decimal, Decimal]] = {}
        for item_id, remaining, unit_cost in session.execute(
            select(CostLayer.item_id, CostLayer.remaining, CostLayer.unit_cost).where(
                CostLayer.remaining > 0
            )
        ).tuples():
            qty, value = totals.get(item_id, (Decimal(0), Decimal(0)))
            totals[item_id] = (qty + remaining, value + remaining * unit_cost)
        for item_id, (qty, value) in totals.items():
            costs[item_id] = (value / qty).quantize(MONEY_QUANTUM)
    return costs


def _stock(session: Session) -> Iterator[Cells]:
    costs = _stock_unit_costs(session)
    query = (
        select(
            StockLevel.item_id, Item.sku, Location.code, Lot.code, Lot.expiry, StockLevel.quantity
        )
        .join(Item, Item.id == StockLevel.item_id)
        .join(Location, Location.id == StockLevel.location_id)
        .outerjoin(Lot, Lot.id == StockLevel.lot_id)
        .where(StockLevel.quantity != 0)
        .order_by(Item.sku, Location.code, Lot.code)
    )
    for item_id, sku, code, lot, expiry, quantity in session.execute(query).tuples():
        yield [
            sku,
            code,
            lot or "",
            format_date(expiry),
            format_decimal(quantity),
            format_decimal(costs.get(item_id, Decimal(0))),
        ]


def _history(session: Session) -> Iterator[Cells]:
    query = (
        select(DemandHistory.day, Item.sku, DemandHistory.quantity)
        .join(Item, Item.id == DemandHistory.item_id)
        .order_by(Item.sku, DemandHistory.day)
        .execution_options(yield_per=BATCH)
    )
    for day, sku, quantity in session.execute(query).tuples():
        yield [format_date(day), sku, format_decimal(quantity)]


def _moves(session: Session) -> Iterator[Cells]:
    source = aliased(Location)
    target = aliased(Location)
    query = (
        select(
            StockMove.moved_at,
            Item.sku,
            Lot.code,
            StockMove.quantity,
            source.code,
            target.code,
            StockMove.unit_cost,
            StockMove.kind,
            StockMove.reference,
            User.username,
        )
        .join(Item, Item.id == StockMove.item_id)
        .join(source, source.id == StockMove.from_location_id)
        .join(target, target.id == StockMove.to_location_id)
        .join(User, User.id == StockMove.user_id)
        .outerjoin(Lot, Lot.id == StockMove.lot_id)
        .order_by(StockMove.moved_at, StockMove.id)
        .execution_options(yield_per=BATCH)
    )
    for moved_at, sku, lot, qty, src, dst, cost, kind, reference, user in session.execute(
        query
    ).tuples():
        yield [
            # Local time with its UTC offset: readable, and unambiguous in any zone.
            moved_at.astimezone().isoformat(timespec="seconds"),
            sku,
            lot or "",
            format_decimal(qty),
            src,
            dst,
            format_decimal(cost),
            kind.value,
            reference,
            user,
        ]


_ROWS: dict[str, Callable[[Session], Iterator[Cells]]] = {
    "items": _items,
    "locations": _locations,
    "suppliers": _suppliers,
    "supplier-items": _supplier_items,
    "stock": _stock,
    "history": _history,
    "moves": _moves,
}
