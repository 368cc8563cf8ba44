"""Receiving against orders and blind: scans, cartons, GS1 lot/expiry/count, bins, over-
and unordered goods, undo, reopening, posting once at the order's cost — on SQLite and
PostgreSQL. The crash tests are in test_receiving_crash.py.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from app.models import (
    CostLayer,
    Item,
    LocationKind,
    Lot,
    MoveKind,
    PurchaseOrderStatus,
    ReceiptEvent,
    ReceiptStatus,
    StockMove,
)
from app.services import ledger, locations, receiving, settings
from app.services.database import Database, open_database, unit_of_work
from app.services.errors import DatabaseError, HyllaError, NotFoundError, ValidationError
from app.services.items import BarcodeInput, ItemInput, get_item, save_item
from app.services.purchase_orders import (
    cancel_purchase_order,
    create_purchase_order,
    get_purchase_order,
)
from app.services.receiving import BackorderNeed, ScanStatus
from app.services.stock import item_stock
from tests.services.purchasing_setup import (
    COFFEE_CARTON,
    COFFEE_EAN,
    MILK_EAN,
    SCREW_EAN,
    TEA_EAN,
    Shop,
    build_shop,
    gs1,
    gs1_count,
    sent_order,
)

D = Decimal
EXPIRY = dt.date.today() + dt.timedelta(days=9)


@pytest.fixture
def shop(db: Database) -> Shop:
    with unit_of_work(db) as s:
        return build_shop(s)


def _events(db: Database) -> int:
    with unit_of_work(db, read_only=True) as s:
        return int(s.scalar(select(func.count()).select_from(ReceiptEvent)) or 0)


def _moves(db: Database) -> int:
    with unit_of_work(db, read_only=True) as s:
        return int(s.scalar(select(func.count()).select_from(StockMove)) or 0)


def _start_order(db: Database, shop: Shop, **order: str) -> receiving.ReceiptView:
    with unit_of_work(db) as s:
        po = sent_order(s, shop, **order)
        return receiving.start_receipt(s, shop.user, po_id=po.id)


def _line(view: receiving.ReceiptView, sku: str) -> receiving.ReceiptLine:
    return next(line for line in view.lines if line.sku == sku)


# --- full, partial, over and blind receipts ------------------------------------------------


def test_a_full_receipt_puts_everything_on_the_shelves_at_the_order_price(
    db: Database, shop: Shop
) -> None:
    receipt = _start_order(db, shop)
    assert receipt.number == "GR-1001" and receipt.po_number == "PO-1001"
    assert [
        (line.sku, line.ordered, line.received, line.outstanding) for line in receipt.lines
    ] == [
        ("KAFFE-500", D(48), D(0), D(48)),
        ("MJOLK-1L", D(20), D(0), D(20)),
    ]
    with unit_of_work(db) as s:
        for _carton in range(4):
            outcome = receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user)
            assert outcome.status is ScanStatus.ADDED and outcome.saved
        outcome = receiving.add_scan(
            s, receipt.id, gs1("0" + MILK_EAN, lot="M-77", expiry=EXPIRY), shop.user
        )
        outcome = receiving.add_quantity(
            s, receipt.id, shop.milk, "19", shop.user, lot="M-77", expiry=EXPIRY
        )
    view = outcome.receipt
    assert view.complete and view.scan_count == 6
    assert [(line.received, line.outstanding, line.is_over) for line in view.lines] == [
        (D(48), D(0), False),
        (D(20), D(0), False),
    ]
    with unit_of_work(db) as s:
        posted = receiving.post_receipt(s, receipt.id, shop.user)
    assert posted.po_status is PurchaseOrderStatus.RECEIVED and posted.backorder == ()
    assert posted.message == "Receipt GR-1001 posted: 2 moves. Order PO-1001 is now received."
    assert [
        (line.sku, line.quantity, line.bin_code, line.lot, line.unit_cost) for line in posted.lines
    ] == [
        ("KAFFE-500", D(48), "A-01-01", None, D("38.50")),
        ("MJOLK-1L", D(20), "A-01-02", "M-77", D("11.20")),
    ]
    assert posted.value == D("2072.00")
    assert [(label.sku, label.quantity, label.lot) for label in posted.labels] == [
        ("KAFFE-500", D(48), None),
        ("MJOLK-1L", D(20), "M-77"),
    ]
    with unit_of_work(db, read_only=True) as s:
        moves = s.execute(
            select(
                StockMove.kind, StockMove.quantity, StockMove.unit_cost, StockMove.reference
            ).order_by(StockMove.id)
        ).all()
        assert [tuple(m) for m in moves] == [
            (MoveKind.RECEIPT, D(48), D("38.50"), "GR-1001 PO-1001"),
            (MoveKind.RECEIPT, D(20), D("11.20"), "GR-1001 PO-1001"),
        ]
        (milk,) = item_stock(s, shop.milk)
        assert (milk.location_code, milk.lot_code, milk.expiry, milk.quantity) == (
            "A-01-02",
            "M-77",
            EXPIRY,
            D(20),
        )
        po = get_purchase_order(s, posted.po_id or 0)
        assert [line.received for line in po.lines] == [D(48), D(20)]
        assert receiving.get_receipt(s, receipt.id).status is ReceiptStatus.POSTED


def test_a_partial_receipt_leaves_a_backorder_that_the_next_receipt_continues(
    db: Database, shop: Shop
) -> None:
    first = _start_order(db, shop)
    with unit_of_work(db) as s:
        receiving.add_scan(s, first.id, COFFEE_CARTON, shop.user)
        receiving.add_scan(s, first.id, COFFEE_CARTON, shop.user)
        posted = receiving.post_receipt(s, first.id, shop.user)
    assert posted.po_status is PurchaseOrderStatus.PARTLY_RECEIVED
    assert [(line.sku, line.outstanding) for line in posted.backorder] == [
        ("KAFFE-500", D(24)),
        ("MJOLK-1L", D(20)),
    ]
    with unit_of_work(db) as s:
        second = receiving.start_receipt(s, shop.user, po_id=posted.po_id)
    assert second.number == "GR-1002"
    coffee = _line(second, "KAFFE-500")
    assert (coffee.received_before, coffee.received, coffee.outstanding) == (D(24), D(0), D(24))
    with unit_of_work(db) as s:
        receiving.add_scan(s, second.id, gs1_count("0" + COFFEE_EAN, 24), shop.user)
        posted = receiving.post_receipt(s, second.id, shop.user)
    assert posted.po_status is PurchaseOrderStatus.PARTLY_RECEIVED  # the milk is still out
    assert [(line.sku, line.outstanding) for line in posted.backorder] == [("MJOLK-1L", D(20))]
    # Each note tells its own story, even after later receipts.
    with unit_of_work(db, read_only=True) as s:
        first_note = receiving.grn_pdf_data(s, first.id)
        second_note = receiving.grn_pdf_data(s, second.id)
    assert [
        (x.sku, x.received_before, x.received_now, x.outstanding) for x in first_note.order_lines
    ] == [("KAFFE-500", D(0), D(24), D(24)), ("MJOLK-1L", D(0), D(0), D(20))]
    assert [
        (x.sku, x.received_before, x.received_now, x.outstanding) for x in second_note.order_lines
    ] == [("KAFFE-500", D(24), D(24), D(0)), ("MJOLK-1L", D(0), D(0), D(20))]


def test_over_receipt_within_the_tolerance_is_marked_and_beyond_it_needs_a_confirmation(
    db: Database, shop: Shop
) -> None:
    receipt = _start_order(db, shop, coffee="48")
    with unit_of_work(db) as s:
        receiving.add_quantity(s, receipt.id, shop.coffee, "48", shop.user)
        within = receiving.add_quantity(s, receipt.id, shop.coffee, "4", shop.user)
    assert within.status is ScanStatus.ADDED and within.over_by == D(4)
    assert "4 pcs more than ordered" in within.message
    coffee = _line(within.receipt, "KAFFE-500")
    assert coffee.is_over and coffee.over == D(4) and not coffee.beyond_tolerance
    with unit_of_work(db) as s:
        beyond = receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user)
    assert beyond.status is ScanStatus.OVER_TOLERANCE and not beyond.saved
    assert beyond.message == (
        "Kaffe mellanrost 500 g: 64 pcs would be received against 48 ordered, "
        "more than 10 percent over. Confirm to receive it."
    )
    assert _line(beyond.receipt, "KAFFE-500").received == D(52)  # nothing saved
    assert beyond.pending is not None
    with unit_of_work(db) as s:
        confirmed = receiving.complete_scan(
            s, receipt.id, beyond.pending, shop.user, confirm_over=True
        )
    assert confirmed.status is ScanStatus.ADDED and confirmed.over_by == D(16)
    coffee = _line(confirmed.receipt, "KAFFE-500")
    assert (coffee.received, coffee.over, coffee.outstanding, coffee.beyond_tolerance) == (
        D(64),
        D(16),
        D(0),
        True,
    )
    with unit_of_work(db, read_only=True) as s:
        assert s.scalar(
            select(ReceiptEvent.over_confirmed).order_by(ReceiptEvent.id.desc()).limit(1)
        )
    with unit_of_work(db) as s:
        posted = receiving.post_receipt(s, receipt.id, shop.user)
        po = get_purchase_order(s, posted.po_id or 0)
    assert po.lines[0].received == D(64) and po.lines[0].outstanding == D(0)


def test_the_tolerance_is_a_setting(db: Database, shop: Shop) -> None:
    receipt = _start_order(db, shop, coffee="48")
    with unit_of_work(db) as s:
        settings.set_setting(s, receiving.TOLERANCE_SETTING, "0")
        receiving.add_quantity(s, receipt.id, shop.coffee, "48", shop.user)
        outcome = receiving.add_quantity(s, receipt.id, shop.coffee, "1", shop.user)
    assert outcome.status is ScanStatus.OVER_TOLERANCE
    assert outcome.receipt.tolerance_percent == D(0)
    with unit_of_work(db) as s:
        settings.set_setting(s, receiving.TOLERANCE_SETTING, "tio")
    with pytest.raises(ValidationError, match=r"tolerance setting “tio” is not a percentage"):
        with unit_of_work(db) as s:
            receiving.add_quantity(s, receipt.id, shop.coffee, "1", shop.user)


def test_a_blind_receipt_costs_at_the_suppliers_price_or_the_items_current_cost(
    db: Database, shop: Shop
) -> None:
    with unit_of_work(db) as s:
        # A second item the supplier has no terms for, already in stock at 7.25.
        other = save_item(s, shop.user, ItemInput(sku="OKAND-1", name="Okänd vara")).id
        ledger.post_move(
            s,
            item_id=other,
            quantity=D(4),
            from_location_id=locations.virtual_location_id(s, LocationKind.OPENING),
            to_location_id=shop.bins["C-03-01"],
            kind=MoveKind.OPENING,
            user_id=shop.user,
            unit_cost=D("7.25"),
        )
        receipt = receiving.start_receipt(s, shop.user, supplier_id=shop.supplier)
        assert receipt.is_blind and receipt.lines == ()
        tea = receiving.add_scan(s, receipt.id, TEA_EAN, shop.user)
        typed = receiving.add_quantity(
            s, receipt.id, other, "6", shop.user, bin_id=shop.bins["C-03-01"]
        )
    assert tea.status is typed.status is ScanStatus.ADDED
    line = _line(typed.receipt, "TE-GRON")
    assert (line.ordered, line.received, line.on_order, line.outstanding) == (None, D(1), False, 0)
    with unit_of_work(db) as s:
        posted = receiving.post_receipt(s, receipt.id, shop.user)
    assert posted.po_id is None and posted.po_status is None and posted.backorder == ()
    assert [(line.sku, line.unit_cost) for line in posted.lines] == [
        ("TE-GRON", D("24.00")),
        ("OKAND-1", D("7.25")),
    ]
    assert posted.message == "Receipt GR-1001 posted: 2 moves."


def test_an_item_not_on_the_order_is_asked_about_never_silently_added(
    db: Database, shop: Shop
) -> None:
    receipt = _start_order(db, shop)
    with unit_of_work(db) as s:
        asked = receiving.add_scan(s, receipt.id, TEA_EAN, shop.user)
    assert asked.status is ScanStatus.NOT_ON_ORDER and not asked.saved
    assert asked.message == "TE-GRON Grönt te 20 påsar is not on order PO-1001. Receive it anyway?"
    assert [line.sku for line in asked.receipt.lines] == ["KAFFE-500", "MJOLK-1L"]
    assert _events(db) == 0
    assert asked.pending is not None
    with unit_of_work(db) as s:
        taken = receiving.complete_scan(s, receipt.id, asked.pending, shop.user, add_unordered=True)
        # Once taken in, the next one of the same item does not ask again.
        again = receiving.add_scan(s, receipt.id, TEA_EAN, shop.user)
    assert taken.status is again.status is ScanStatus.ADDED
    tea = _line(again.receipt, "TE-GRON")
    assert (tea.on_order, tea.received, tea.default_bin_code) == (False, D(2), "B-02-01")
    with unit_of_work(db) as s:
        posted = receiving.post_receipt(s, receipt.id, shop.user)
        po = get_purchase_order(s, posted.po_id or 0)
    assert [(line.sku, line.unit_cost) for line in posted.lines] == [("TE-GRON", D("24.00"))]
    assert po.status is PurchaseOrderStatus.SENT  # nothing of the order came
    assert all(line.received == 0 for line in po.lines)


# --- lots, expiry, cartons, counts ----------------------------------------------------------


def test_lot_and_expiry_come_from_the_gs1_code(db: Database, shop: Shop) -> None:
    receipt = _start_order(db, shop)
    with unit_of_work(db) as s:
        outcome = receiving.add_scan(
            s, receipt.id, gs1("0" + MILK_EAN, lot="AB12", expiry=EXPIRY), shop.user
        )
        counted = receiving.add_scan(
            s, receipt.id, gs1_count("0" + MILK_EAN, 6, lot="AB12"), shop.user
        )
    assert outcome.status is ScanStatus.ADDED
    assert (outcome.lot, outcome.expiry, outcome.quantity) == ("AB12", EXPIRY, D(1))
    assert f"lot AB12 · expires {EXPIRY.isoformat()}" in outcome.message
    # The second label has no expiry, but lot AB12 has one already in this receipt.
    assert (counted.status, counted.expiry, counted.quantity) == (ScanStatus.ADDED, EXPIRY, D(6))
    (allocation,) = _line(counted.receipt, "MJOLK-1L").allocations
    assert (allocation.lot, allocation.expiry, allocation.quantity) == ("AB12", EXPIRY, D(7))


def test_a_lot_tracked_item_without_lot_and_expiry_on_its_code_asks_for_them(
    db: Database, shop: Shop
) -> None:
    receipt = _start_order(db, shop)
    with unit_of_work(db) as s:
        asked = receiving.add_scan(s, receipt.id, MILK_EAN, shop.user)
    assert asked.status is ScanStatus.NEEDS_DETAILS and asked.needs_lot and asked.needs_expiry
    assert asked.message == "Give the lot number and expiry date of Mjölk 1 l."
    assert asked.pending is not None and _events(db) == 0
    with unit_of_work(db) as s:
        still = receiving.complete_scan(s, receipt.id, asked.pending, shop.user, lot=" L-9 ")
    assert still.status is ScanStatus.NEEDS_DETAILS and not still.needs_lot and still.needs_expiry
    assert still.message == "Give the expiry date of Mjölk 1 l."
    assert still.pending is not None
    with unit_of_work(db) as s:
        done = receiving.complete_scan(
            s, receipt.id, still.pending, shop.user, expiry=EXPIRY.isoformat()
        )
    assert (done.status, done.lot, done.expiry) == (ScanStatus.ADDED, "L-9", EXPIRY)


def test_a_known_lot_brings_its_expiry_and_a_different_expiry_is_refused(
    db: Database, shop: Shop
) -> None:
    with unit_of_work(db) as s:
        s.add(Lot(item_id=shop.milk, code="OLD-1", expiry=EXPIRY))
    receipt = _start_order(db, shop)
    with unit_of_work(db) as s:
        outcome = receiving.add_quantity(s, receipt.id, shop.milk, "2", shop.user, lot="OLD-1")
    assert (outcome.status, outcome.expiry) == (ScanStatus.ADDED, EXPIRY)
    other_day = EXPIRY + dt.timedelta(days=1)
    with pytest.raises(
        ValidationError,
        match=f"Lot OLD-1 of MJOLK-1L already has expiry {EXPIRY.isoformat()}, "
        f"not {other_day.isoformat()}",
    ):
        with unit_of_work(db) as s:
            receiving.add_scan(
                s, receipt.id, gs1("0" + MILK_EAN, lot="OLD-1", expiry=other_day), shop.user
            )
    assert _events(db) == 1


def test_an_item_with_a_shelf_life_but_no_lots_keeps_its_expiry(db: Database, shop: Shop) -> None:
    with unit_of_work(db) as s:
        tea = get_item(s, shop.tea)
        save_item(
            s,
            shop.user,
            ItemInput(
                sku=tea.sku,
                name=tea.name,
                shelf_life_days=365,
                default_location="B-02-01",
                barcodes=(BarcodeInput(TEA_EAN),),
            ),
            tea.id,
        )
        receipt = receiving.start_receipt(s, shop.user, supplier_id=shop.supplier)
        asked = receiving.add_scan(s, receipt.id, TEA_EAN, shop.user)
        assert asked.status is ScanStatus.NEEDS_DETAILS
        assert (asked.needs_lot, asked.needs_expiry) == (False, True)
        assert asked.pending is not None
        receiving.complete_scan(s, receipt.id, asked.pending, shop.user, expiry=EXPIRY)
        receiving.post_receipt(s, receipt.id, shop.user)
        (row,) = item_stock(s, shop.tea)
    assert (row.lot_code, row.expiry, row.quantity) == (EXPIRY.isoformat(), EXPIRY, D(1))


def test_carton_codes_and_gs1_counts_add_their_quantities(db: Database, shop: Shop) -> None:
    receipt = _start_order(db, shop, coffee="120")
    with unit_of_work(db) as s:
        unit = receiving.add_scan(s, receipt.id, COFFEE_EAN, shop.user)
        carton = receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user)
        counted = receiving.add_scan(s, receipt.id, gs1_count("0" + COFFEE_EAN, 36), shop.user)
        carton_gs1 = receiving.add_scan(s, receipt.id, gs1(COFFEE_CARTON), shop.user)
    assert [o.quantity for o in (unit, carton, counted, carton_gs1)] == [D(1), D(12), D(36), D(12)]
    assert _line(carton_gs1.receipt, "KAFFE-500").received == D(61)
    assert unit.message == "+1 pcs Kaffe mellanrost 500 g → A-01-01"


# --- bins ---------------------------------------------------------------------------------


def test_a_bin_label_changes_the_bin_for_the_next_lines(db: Database, shop: Shop) -> None:
    receipt = _start_order(db, shop)
    with unit_of_work(db) as s:
        first = receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user)
        bin_scan = receiving.add_scan(s, receipt.id, "b-02-01", shop.user)
        second = receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user)
        milk = receiving.add_quantity(
            s, receipt.id, shop.milk, "1", shop.user, lot="L", expiry=EXPIRY
        )
        back = receiving.set_bin(s, receipt.id, shop.user, None)
        third = receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user)
    assert bin_scan.status is ScanStatus.BIN and bin_scan.message == "Next goods go to bin B-02-01."
    assert bin_scan.receipt.current_bin_code == "B-02-01"
    assert [o.bin_code for o in (first, second, milk, third)] == [
        "A-01-01",
        "B-02-01",
        "B-02-01",
        "A-01-01",
    ]
    assert back.message == "Next goods go to each item's usual bin."
    coffee = _line(third.receipt, "KAFFE-500")
    assert [(a.bin_code, a.quantity) for a in coffee.allocations] == [
        ("A-01-01", D(24)),
        ("B-02-01", D(12)),
    ]
    with unit_of_work(db) as s:
        receiving.post_receipt(s, receipt.id, shop.user)
        where = {(row.location_code, row.quantity) for row in item_stock(s, shop.coffee)}
    assert where == {("A-01-01", D(24)), ("B-02-01", D(12))}


def test_an_item_without_a_usual_bin_asks_for_one(db: Database, shop: Shop) -> None:
    receipt = _start_order(db, shop, screw="500")
    with unit_of_work(db) as s:
        asked = receiving.add_scan(s, receipt.id, SCREW_EAN, shop.user)
    assert asked.status is ScanStatus.NEEDS_DETAILS and asked.needs_bin
    assert not (asked.needs_lot or asked.needs_expiry)
    assert (
        asked.message
        == "Skruv 4×40 förzinkad has no usual bin: scan the label of the bin it goes to."
    )
    assert asked.pending is not None
    with unit_of_work(db) as s:
        done = receiving.complete_scan(
            s, receipt.id, asked.pending, shop.user, bin_id=shop.bins["C-03-01"]
        )
    assert (done.status, done.bin_code) == (ScanStatus.ADDED, "C-03-01")


def test_a_bin_that_is_not_usable_is_refused(db: Database, shop: Shop) -> None:
    receipt = _start_order(db, shop)
    with unit_of_work(db) as s:
        scrap = locations.virtual_location_id(s, LocationKind.SCRAP)
        locations.save_bin(s, shop.user, "Z-99")
        s.execute(text("UPDATE location SET active = :no WHERE code = 'Z-99'"), {"no": False})
        z99 = locations.find_location(s, "Z-99")
        assert z99 is not None
    for bin_id, message in [
        (scrap, "SCRAP is not a bin of the warehouse"),
        (z99.id, "Bin Z-99 is inactive"),
    ]:
        with pytest.raises(ValidationError, match=message):
            with unit_of_work(db) as s:
                receiving.add_quantity(s, receipt.id, shop.coffee, "12", shop.user, bin_id=bin_id)
    with pytest.raises(NotFoundError, match="Location 999 does not exist"):
        with unit_of_work(db) as s:
            receiving.add_quantity(s, receipt.id, shop.coffee, "12", shop.user, bin_id=999)
    with pytest.raises(NotFoundError, match="There is no bin Q-1"):
        with unit_of_work(db) as s:
            receiving.set_bin(s, receipt.id, shop.user, "q-1")
    assert _events(db) == 0


# --- bad input changes nothing -------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"quantity": "0"}, ValidationError, "greater than zero"),
        ({"quantity": "-3"}, ValidationError, "greater than zero"),
        ({"quantity": "tre"}, ValidationError, "“tre” is not a number"),
        ({"quantity": "1.0001"}, ValidationError, "at most 3 decimals"),
        ({"lot": "x" * 65}, ValidationError, "at most 64 characters"),
        ({"expiry": "31.12.2027"}, ValidationError, "Write it as YYYY-MM-DD"),
        ({"item_id": 999}, NotFoundError, "Item 999 does not exist"),
    ],
)
def test_bad_typed_input_is_refused_and_saves_nothing(
    db: Database, shop: Shop, kwargs: dict[str, object], error: type[HyllaError], message: str
) -> None:
    receipt = _start_order(db, shop)
    args: dict[str, object] = {"item_id": shop.milk, "quantity": "2", "lot": "L1", "expiry": EXPIRY}
    args.update(kwargs)
    with pytest.raises(error, match=message):
        with unit_of_work(db) as s:
            receiving.add_quantity(
                s,
                receipt.id,
                args["item_id"],  # type: ignore[arg-type]
                args["quantity"],  # type: ignore[arg-type]
                shop.user,
                lot=args["lot"],  # type: ignore[arg-type]
                expiry=args["expiry"],  # type: ignore[arg-type]
            )
    assert _events(db) == 0


def test_unknown_unreadable_and_order_codes_save_nothing(db: Database, shop: Shop) -> None:
    receipt = _start_order(db, shop)
    with unit_of_work(db) as s:
        unknown = receiving.add_scan(s, receipt.id, "7350000000047", shop.user)
        invalid = receiving.add_scan(s, receipt.id, "7310865004704", shop.user)
        order = receiving.add_scan(s, receipt.id, "]C0PO-1001", shop.user)
        other = create_purchase_order(s, shop.user, shop.supplier)
        other_order = receiving.add_scan(s, receipt.id, other.number, shop.user)
    assert unknown.status is ScanStatus.UNKNOWN and unknown.problem is not None
    assert "not linked to an item" in unknown.message
    assert invalid.status is ScanStatus.INVALID and "check digit" in invalid.message
    assert order.status is ScanStatus.ORDER and order.po_id == receipt.po_id
    assert order.message == "This is order PO-1001, the one being received."
    assert other_order.status is ScanStatus.ORDER and other_order.po_id == other.id
    assert not any(o.saved for o in (unknown, invalid, order, other_order))
    assert _events(db) == 0


def test_an_inactive_item_is_not_received(db: Database, shop: Shop) -> None:
    receipt = _start_order(db, shop)
    with unit_of_work(db) as s:
        coffee = get_item(s, shop.coffee)
        s.execute(
            text("UPDATE item SET active = :no WHERE id = :id"), {"no": False, "id": coffee.id}
        )
        scanned = receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user)
    assert scanned.status is ScanStatus.INVALID and scanned.problem == "Item KAFFE-500 is inactive."
    with pytest.raises(ValidationError, match="KAFFE-500 is inactive. Activate the item"):
        with unit_of_work(db) as s:
            receiving.add_quantity(s, receipt.id, shop.coffee, "12", shop.user)
    assert _events(db) == 0


# --- undo and reopening --------------------------------------------------------------------


def test_undo_takes_back_the_latest_scan_then_the_one_before(db: Database, shop: Shop) -> None:
    receipt = _start_order(db, shop)
    with unit_of_work(db) as s:
        receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user)
        receiving.add_scan(s, receipt.id, "B-02-01", shop.user)
        receiving.add_scan(s, receipt.id, COFFEE_EAN, shop.user)
        first = receiving.undo_last_scan(s, receipt.id, shop.user)
        second = receiving.undo_last_scan(s, receipt.id, shop.user)
        third = receiving.undo_last_scan(s, receipt.id, shop.user)
    assert first.status is ScanStatus.UNDONE
    assert first.message == "Undone: 1 pcs Kaffe mellanrost 500 g."
    assert _line(first.receipt, "KAFFE-500").received == D(12)
    assert second.message == "Undone: the bin change." and second.receipt.current_bin_id is None
    assert third.message == "Undone: 12 pcs Kaffe mellanrost 500 g."
    assert _line(third.receipt, "KAFFE-500").received == D(0) and not third.receipt.can_undo
    with pytest.raises(ValidationError, match="Nothing to undo on receipt GR-1001"):
        with unit_of_work(db) as s:
            receiving.undo_last_scan(s, receipt.id, shop.user)
    assert _events(db) == 6  # three scans and three undo rows: nothing is deleted


def test_a_receipt_reopens_where_it_was(db_url: str, db: Database, shop: Shop) -> None:
    receipt = _start_order(db, shop)
    with unit_of_work(db) as s:
        receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user)
        receiving.add_scan(s, receipt.id, "C-03-01", shop.user)
        receiving.add_scan(s, receipt.id, gs1("0" + MILK_EAN, lot="Q1", expiry=EXPIRY), shop.user)
        before = receiving.get_receipt(s, receipt.id)
    db.dispose()
    reopened_db = open_database(db_url)  # as after a restart
    try:
        with unit_of_work(reopened_db, read_only=True) as s:
            (summary,) = receiving.open_receipts(s)
            after = receiving.get_receipt(s, receipt.id)
        with unit_of_work(reopened_db) as s:
            again = receiving.start_receipt(s, shop.user, po_id=receipt.po_id)
    finally:
        reopened_db.dispose()
    assert after == before and again == before
    assert after.current_bin_code == "C-03-01" and after.scan_count == 2
    assert after.last_scan is not None and after.last_scan.lot == "Q1"
    assert (
        after.last_message == f"+1 pcs Mjölk 1 l → C-03-01 · lot Q1 · expires {EXPIRY.isoformat()}"
    )
    assert (summary.number, summary.po_number, summary.scans, summary.started_by) == (
        "GR-1001",
        "PO-1001",
        2,
        "maja",
    )


def test_open_receipts_lists_only_open_ones(db: Database, shop: Shop) -> None:
    first = _start_order(db, shop)
    with unit_of_work(db) as s:
        blind = receiving.start_receipt(s, shop.user, supplier_id=shop.supplier)
        dropped = receiving.start_receipt(s, shop.user, supplier_id=shop.supplier)
        receiving.cancel_receipt(s, dropped.id, shop.user)
        receiving.add_scan(s, first.id, COFFEE_CARTON, shop.user)
        receiving.post_receipt(s, first.id, shop.user)
        listed = receiving.open_receipts(s)
    assert [(r.number, r.po_number, r.scans) for r in listed] == [(blind.number, "", 0)]


def test_every_saved_scan_is_a_row_the_database_will_not_change(db: Database, shop: Shop) -> None:
    receipt = _start_order(db, shop)
    with unit_of_work(db) as s:
        receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user)
    for statement in ("UPDATE receipt_event SET quantity = 1", "DELETE FROM receipt_event"):
        with pytest.raises(DatabaseError):
            with unit_of_work(db) as s:
                s.execute(text(statement))
    with unit_of_work(db, read_only=True) as s:
        assert s.scalar(select(ReceiptEvent.quantity)) == D(12)


# --- starting: what can be received -------------------------------------------------------


def test_a_po_cannot_be_received_after_it_is_cancelled(db: Database, shop: Shop) -> None:
    with unit_of_work(db) as s:
        po = sent_order(s, shop)
        cancel_purchase_order(s, shop.user, po.id)
    with pytest.raises(ValidationError, match="PO-1001 was cancelled, so nothing can be received"):
        with unit_of_work(db) as s:
            receiving.start_receipt(s, shop.user, po_id=po.id)
    with unit_of_work(db, read_only=True) as s:
        assert receiving.open_receipts(s) == []


def test_cancelling_the_po_mid_receipt_stops_scans_and_posting(db: Database, shop: Shop) -> None:
    receipt = _start_order(db, shop)
    with unit_of_work(db) as s:
        receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user)
        cancel_purchase_order(s, shop.user, receipt.po_id or 0)
    refused = "Purchase order PO-1001 was cancelled, so nothing can be received against it"
    for attempt in (
        lambda s: receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user),
        lambda s: receiving.post_receipt(s, receipt.id, shop.user),
    ):
        with pytest.raises(ValidationError, match=refused):
            with unit_of_work(db) as s:
                attempt(s)
    assert _moves(db) == 0 and _events(db) == 1


def test_drafts_received_orders_and_bad_starts_are_refused(db: Database, shop: Shop) -> None:
    with unit_of_work(db) as s:
        draft = create_purchase_order(s, shop.user, shop.supplier)
        other = receiving.start_receipt(s, shop.user, supplier_id=shop.supplier)
    cases: list[tuple[dict[str, int | None], type[HyllaError], str]] = [
        ({"po_id": draft.id}, ValidationError, "PO-1001 is still a draft"),
        ({"po_id": 999}, NotFoundError, "Purchase order 999 does not exist"),
        ({"supplier_id": 999}, NotFoundError, "Supplier 999 does not exist"),
        ({}, ValidationError, "Choose the purchase order the goods came with"),
    ]
    for kwargs, error, message in cases:
        with pytest.raises(error, match=message):
            with unit_of_work(db) as s:
                receiving.start_receipt(s, shop.user, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(NotFoundError, match="“PO-7” is not the number of a purchase order"):
        with unit_of_work(db) as s:
            receiving.start_receipt_from_scan(s, shop.user, "PO-7")
    with pytest.raises(NotFoundError, match="Receipt 999 does not exist"):
        with unit_of_work(db) as s:
            receiving.get_receipt(s, 999)
    with unit_of_work(db) as s:
        po = sent_order(s, shop, coffee="12", milk="1")
        started = receiving.start_receipt_from_scan(s, shop.user, "]C0" + po.number)
        receiving.add_scan(s, started.id, COFFEE_CARTON, shop.user)
        receiving.add_quantity(s, started.id, shop.milk, "1", shop.user, lot="L", expiry=EXPIRY)
        receiving.post_receipt(s, started.id, shop.user)
        assert receiving.open_receipts(s)[0].id == other.id
    with pytest.raises(ValidationError, match="PO-1002 is already fully received"):
        with unit_of_work(db) as s:
            receiving.start_receipt(s, shop.user, po_id=po.id)
    with unit_of_work(db) as s:
        other_supplier = s.scalar(text("SELECT max(id) + 1 FROM supplier"))
    with pytest.raises(ValidationError, match="is to another supplier"):
        with unit_of_work(db) as s:
            sent = sent_order(s, shop)
            receiving.start_receipt(s, shop.user, po_id=sent.id, supplier_id=other_supplier)


# --- posting ------------------------------------------------------------------------------


def test_posting_twice_is_refused_with_a_clear_message(db: Database, shop: Shop) -> None:
    receipt = _start_order(db, shop)
    with unit_of_work(db) as s:
        receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user)
        receiving.post_receipt(s, receipt.id, shop.user)
    with pytest.raises(
        ValidationError, match=r"Receipt GR-1001 was already posted by maja at .*posted twice"
    ):
        with unit_of_work(db) as s:
            receiving.post_receipt(s, receipt.id, shop.user)
    with pytest.raises(ValidationError, match="Receipt GR-1001 is already posted. Start a new"):
        with unit_of_work(db) as s:
            receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user)
    with pytest.raises(ValidationError, match="only an open receipt can be cancelled"):
        with unit_of_work(db) as s:
            receiving.cancel_receipt(s, receipt.id, shop.user)
    assert _moves(db) == 1


def test_posting_an_empty_or_cancelled_receipt_is_refused(db: Database, shop: Shop) -> None:
    receipt = _start_order(db, shop)
    with pytest.raises(ValidationError, match="Nothing has been received on GR-1001 yet"):
        with unit_of_work(db) as s:
            receiving.post_receipt(s, receipt.id, shop.user)
    with unit_of_work(db) as s:
        receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user)
        receiving.undo_last_scan(s, receipt.id, shop.user)
    with pytest.raises(ValidationError, match="Nothing has been received on GR-1001 yet"):
        with unit_of_work(db) as s:
            receiving.post_receipt(s, receipt.id, shop.user)
    with unit_of_work(db) as s:
        receiving.cancel_receipt(s, receipt.id, shop.user)
    with pytest.raises(ValidationError, match="Receipt GR-1001 was cancelled"):
        with unit_of_work(db) as s:
            receiving.post_receipt(s, receipt.id, shop.user)
    assert _moves(db) == 0


def test_a_posting_that_fails_halfway_posts_nothing(db: Database, shop: Shop) -> None:
    receipt = _start_order(db, shop)
    with unit_of_work(db) as s:
        receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user)
        receiving.add_quantity(s, receipt.id, shop.milk, "3", shop.user, lot="K1", expiry=EXPIRY)
        # Meanwhile lot K1 was recorded elsewhere with another expiry date.
        s.add(Lot(item_id=shop.milk, code="K1", expiry=EXPIRY + dt.timedelta(days=3)))
    with pytest.raises(ValidationError, match="Lot K1 already has expiry"):
        with unit_of_work(db) as s:
            receiving.post_receipt(s, receipt.id, shop.user)
    assert _moves(db) == 0
    with unit_of_work(db, read_only=True) as s:
        view = receiving.get_receipt(s, receipt.id)
        po = get_purchase_order(s, view.po_id or 0)
    assert view.status is ReceiptStatus.OPEN and po.status is PurchaseOrderStatus.SENT
    assert all(line.received == 0 for line in po.lines)


def test_two_workstations_posting_at_once_post_once(db: Database, shop: Shop) -> None:
    receipt = _start_order(db, shop)
    with unit_of_work(db) as s:
        receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user)
    results: list[object] = []
    barrier = threading.Barrier(2)

    def post() -> None:
        barrier.wait()
        try:
            results.append(db.run(receiving.post_receipt, receipt.id, shop.user))
        except HyllaError as exc:
            results.append(exc)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(type(r).__name__ for r in results) == ["ReceiptPosted", "ValidationError"]
    assert _moves(db) == 1


@pytest.mark.parametrize("method", ["fifo", "average"])
def test_cost_layers_and_average_cost_come_from_the_order_price(
    db: Database, shop: Shop, method: str
) -> None:
    with unit_of_work(db) as s:
        settings.set_setting(s, "costing_method", method)
        # 12 already on the shelf at 30.00.
        ledger.post_move(
            s,
            item_id=shop.coffee,
            quantity=D(12),
            from_location_id=locations.virtual_location_id(s, LocationKind.SUPPLIER),
            to_location_id=shop.bins["A-01-01"],
            kind=MoveKind.RECEIPT,
            user_id=shop.user,
            unit_cost=D("30"),
        )
    receipt = _start_order(db, shop)
    with unit_of_work(db) as s:
        receiving.add_scan(s, receipt.id, gs1_count("0" + COFFEE_EAN, 36), shop.user)
        receiving.post_receipt(s, receipt.id, shop.user)
        layers = s.execute(
            select(CostLayer.quantity, CostLayer.remaining, CostLayer.unit_cost)
            .where(CostLayer.item_id == shop.coffee)
            .order_by(CostLayer.id)
        ).all()
        average = s.scalar(select(Item.avg_cost).where(Item.id == shop.coffee))
        issued = ledger.post_move(
            s,
            item_id=shop.coffee,
            quantity=D(24),
            from_location_id=shop.bins["A-01-01"],
            to_location_id=locations.virtual_location_id(s, LocationKind.CUSTOMER),
            kind=MoveKind.ISSUE,
            user_id=shop.user,
        )
    assert [tuple(layer) for layer in layers] == [
        (D(12), D(12), D("30")),
        (D(36), D(36), D("38.50")),
    ]
    assert average == D("36.375")  # (12 × 30 + 36 × 38.50) / 48
    # FIFO: 12 at 30 and 12 at 38.50; average: the running average.
    assert issued.unit_cost == (D("34.25") if method == "fifo" else D("36.375"))


# --- backorders waiting (hook until order entry exists) -------------------------------------


def test_waiting_backorders_is_empty_until_order_entry_exists(db: Database, shop: Shop) -> None:
    with unit_of_work(db, read_only=True) as s:
        assert receiving.waiting_backorders(s, shop.coffee) == []
        with pytest.raises(NotFoundError, match="Item 999 does not exist"):
            receiving.waiting_backorders(s, 999)
    receipt = _start_order(db, shop)
    with unit_of_work(db) as s:
        outcome = receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user)
    assert outcome.backorders == ()


def test_a_waiting_customer_order_is_named_at_the_scan(
    db: Database, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        receiving,
        "waiting_backorders",
        lambda session, item_id: (
            [BackorderNeed("1042", "Kafé Solen", D(3))] if item_id == shop.coffee else []
        ),
    )
    receipt = _start_order(db, shop)
    with unit_of_work(db) as s:
        outcome = receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user)
    assert outcome.backorders == (BackorderNeed("1042", "Kafé Solen", D(3)),)
    assert outcome.message.endswith("3 pcs of these are for order 1042")


# --- the goods-received note's data --------------------------------------------------------


def test_the_goods_received_note_is_made_for_posted_receipts_only(db: Database, shop: Shop) -> None:
    receipt = _start_order(db, shop)
    with unit_of_work(db) as s:
        receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user)
    with pytest.raises(ValidationError, match="Receipt GR-1001 is not posted yet"):
        with unit_of_work(db, read_only=True) as s:
            receiving.grn_pdf_data(s, receipt.id)
    with unit_of_work(db) as s:
        receiving.add_quantity(s, receipt.id, shop.milk, "5", shop.user, lot="L7", expiry=EXPIRY)
        receiving.post_receipt(s, receipt.id, shop.user)
        data = receiving.grn_pdf_data(s, receipt.id)
    assert (data.number, data.po_number, data.received_by) == ("GR-1001", "PO-1001", "maja")
    assert data.company.name == "Hylla Testlager AB" and data.supplier_code == "NORD"
    assert [(x.sku, x.lot, x.expiry, x.bin_code, x.quantity) for x in data.lines] == [
        ("KAFFE-500", "", None, "A-01-01", D(12)),
        ("MJOLK-1L", "L7", EXPIRY, "A-01-02", D(5)),
    ]
