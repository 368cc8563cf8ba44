"""A story of one morning, told through the services as a worker would live it.

Maja opens a fresh Hylla, sets up two bins and an item, takes in two deliveries at
different prices, sells some, notices a mistyped receipt and reverses it, moves stock
to another bin, and at the end the stock on the screen matches what happened.
"""

from __future__ import annotations

from decimal import Decimal

from app.models import LocationKind, MoveKind
from app.services import ledger, locations, stock, users
from app.services.database import Database, unit_of_work
from app.services.items import BarcodeInput, ItemInput, find_item, list_items, save_item

D = Decimal


def test_a_morning_at_the_warehouse(db: Database) -> None:
    # 07:00 — Maja signs on; the first user of a fresh database administers it.
    with unit_of_work(db) as s:
        maja = users.workstation_user(s, "maja")
    assert maja.role.value == "admin"

    # She sets up two bins and the item, with its EAN and the carton code of 12.
    with unit_of_work(db) as s:
        shelf = locations.save_bin(s, maja.id, "a-01-01", "Aisle A, shelf 1")
        overflow = locations.save_bin(s, maja.id, "B-02-01")
        coffee = save_item(
            s,
            maja.id,
            ItemInput(
                sku="KAFFE-500",
                name="Kaffe mellanrost 500 g",
                unit="pcs",
                category="Food",
                sales_price="64,90",
                default_location="A-01-01",
                barcodes=(BarcodeInput("7310865004703"), BarcodeInput("17310865004700", "12")),
            ),
        )
    assert shelf.code == "A-01-01"

    # 07:30 — the first delivery: 24 at 38.50. The scanner finds the item by its carton code.
    with unit_of_work(db) as s:
        found = find_item(s, "17310865004700")
        assert found is not None and found.id == coffee.id
        supplier = locations.virtual_location_id(s, LocationKind.SUPPLIER)
        ledger.post_move(
            s,
            item_id=coffee.id,
            quantity=D(24),
            unit_cost=D("38.50"),
            from_location_id=supplier,
            to_location_id=shelf.id,
            kind=MoveKind.RECEIPT,
            user_id=maja.id,
            reference="PO-1001",
        )

    # 08:10 — a second delivery at a higher price; she types 240 instead of 24.
    with unit_of_work(db) as s:
        typo = ledger.post_move(
            s,
            item_id=coffee.id,
            quantity=D(240),
            unit_cost=D("41"),
            from_location_id=supplier,
            to_location_id=shelf.id,
            kind=MoveKind.RECEIPT,
            user_id=maja.id,
            reference="PO-1002",
        )
    # She notices, reverses it, and posts the right quantity. Nothing is edited in place.
    with unit_of_work(db) as s:
        ledger.reverse_move(s, typo.id, maja.id, "typed 240 instead of 24")
        ledger.post_move(
            s,
            item_id=coffee.id,
            quantity=D(24),
            unit_cost=D("41"),
            from_location_id=supplier,
            to_location_id=shelf.id,
            kind=MoveKind.RECEIPT,
            user_id=maja.id,
            reference="PO-1002",
        )

    # 09:00 — an order of 30 ships; FIFO values it at 24 × 38.50 + 6 × 41.
    with unit_of_work(db) as s:
        customer = locations.virtual_location_id(s, LocationKind.CUSTOMER)
        sale = ledger.post_move(
            s,
            item_id=coffee.id,
            quantity=D(30),
            from_location_id=shelf.id,
            to_location_id=customer,
            kind=MoveKind.ISSUE,
            user_id=maja.id,
            reference="SO-77",
        )
    assert sale.unit_cost == D("39.0000")  # (924 + 246) / 30

    # 09:30 — half of what is left goes to the overflow bin.
    with unit_of_work(db) as s:
        ledger.post_move(
            s,
            item_id=coffee.id,
            quantity=D(9),
            from_location_id=shelf.id,
            to_location_id=overflow.id,
            kind=MoveKind.TRANSFER,
            user_id=maja.id,
        )

    # 10:00 — the screen tells the truth: 18 on hand, 9 + 9, and six moves in the history.
    rows = {r.sku: r for r in db.read(list_items)}
    assert rows["KAFFE-500"].on_hand == D(18)
    where = db.read(stock.item_stock, coffee.id)
    assert [(r.location_code, r.quantity) for r in where] == [("A-01-01", D(9)), ("B-02-01", D(9))]
    history = db.read(stock.item_moves, coffee.id)
    assert len(history) == 6
    assert {m.user for m in history} == {"maja"}
    assert any(m.reverses_move_id == typo.id for m in history)
    # Virtual ends of moves read as what they are, not as internal codes.
    receipt = next(m for m in history if m.reference == "PO-1001")
    assert (receipt.from_code, receipt.to_code) == ("Suppliers", "A-01-01")
