"""A story of one delivery, told through the services as the warehouse lives it.

Maja orders coffee, milk and screws from Nordgrossisten and sends the order. Two days
later the truck comes. Erik scans the order's barcode on the printed order, scans the
coffee cartons and the milk's GS1 labels, types the lot of a milk crate whose label is
torn, puts the screws on a shelf he scans, takes a box of tea that was not ordered
after being asked, undoes a scan he did twice — and then the power goes. When the
workstation is back, the receipt is where he left it; he posts it, the stock and the
order follow, the goods-received note is printed, and the rest of the screws stay on
backorder until they arrive the week after.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from app.models import PurchaseOrderStatus
from app.services import receiving, stock, users
from app.services.database import Database, open_database, unit_of_work
from app.services.purchase_orders import (
    PurchaseOrderLineInput,
    create_purchase_order,
    get_purchase_order,
    purchase_order_pdf,
    send_purchase_order,
)
from app.services.receiving import ScanStatus
from tests.reports.pdf_tools import pdf_text
from tests.services.purchasing_setup import (
    COFFEE_CARTON,
    COFFEE_EAN,
    MILK_EAN,
    SCREW_EAN,
    TEA_EAN,
    build_shop,
    gs1,
)

D = Decimal


def test_a_delivery_arrives(db_url: str, db: Database) -> None:
    best_before = dt.date.today() + dt.timedelta(days=10)

    # Monday: Maja orders 4 cartons of coffee, 20 litres of milk and 3 packs of screws.
    with unit_of_work(db) as s:
        shop = build_shop(s)
        order = create_purchase_order(
            s,
            shop.user,
            shop.supplier,
            lines=[
                PurchaseOrderLineInput(shop.coffee, "48"),
                PurchaseOrderLineInput(shop.milk, "20"),
                PurchaseOrderLineInput(shop.screw, "300"),
            ],
        )
        order = send_purchase_order(s, shop.user, order.id)
        printed = purchase_order_pdf(s, order.id)
    assert order.number == "PO-1001" and order.total == D("2177.00")
    assert "PO-1001" in pdf_text(printed)[0]

    # Wednesday 07:10: the truck. Erik scans the barcode on the printed order.
    with unit_of_work(db) as s:
        erik = users.workstation_user(s, "erik").id
        receipt = receiving.start_receipt_from_scan(s, erik, "]C0PO-1001")
    assert [line.outstanding for line in receipt.lines] == [D(48), D(20), D(300)]

    # Three cartons of coffee, then a single packet he scans twice by mistake.
    with unit_of_work(db) as s:
        for _carton in range(3):
            receiving.add_scan(s, receipt.id, COFFEE_CARTON, erik)
        receiving.add_scan(s, receipt.id, COFFEE_EAN, erik)
        receiving.add_scan(s, receipt.id, COFFEE_EAN, erik)
        undone = receiving.undo_last_scan(s, receipt.id, erik)
    assert undone.message == "Undone: 1 pcs Kaffe mellanrost 500 g."

    # Milk: 18 bottles with GS1 labels (lot and expiry read from them)…
    with unit_of_work(db) as s:
        for _bottle in range(18):
            scanned = receiving.add_scan(
                s, receipt.id, gs1("0" + MILK_EAN, lot="M-2291", expiry=best_before), erik
            )
    assert scanned.status is ScanStatus.ADDED and scanned.lot == "M-2291"
    # …and a crate of two whose label is torn: Hylla asks, Erik types lot and date.
    with unit_of_work(db) as s:
        asked = receiving.add_quantity(s, receipt.id, shop.milk, "2", erik)
        assert asked.status is ScanStatus.NEEDS_DETAILS and asked.pending is not None
        receiving.complete_scan(
            s, receipt.id, asked.pending, erik, lot="M-2291", expiry=best_before
        )

    # Screws have no usual bin: he scans the shelf label first. Only 2 of 3 packs came.
    with unit_of_work(db) as s:
        receiving.add_scan(s, receipt.id, "C-03-01", erik)
        receiving.add_quantity(s, receipt.id, shop.screw, "200", erik)
        # A box of tea nobody ordered: Hylla asks; Maja says keep it.
        asked = receiving.add_scan(s, receipt.id, TEA_EAN, erik)
        assert asked.status is ScanStatus.NOT_ON_ORDER and asked.pending is not None
        receiving.complete_scan(s, receipt.id, asked.pending, erik, add_unordered=True)

    # 07:40 — the power goes. Nothing was posted yet; every scan was saved as it happened.
    db.dispose()
    db = open_database(db_url)
    try:
        with unit_of_work(db, read_only=True) as s:
            (waiting,) = receiving.open_receipts(s)
            receipt = receiving.get_receipt(s, waiting.id)
        assert receipt.current_bin_code == "C-03-01"
        assert [(line.sku, line.received, line.outstanding) for line in receipt.lines] == [
            ("KAFFE-500", D(37), D(11)),
            ("MJOLK-1L", D(20), D(0)),
            ("SKRUV-440", D(200), D(100)),
            ("TE-GRON", D(1), D(0)),
        ]
        # The 37th coffee was a real one, but the fourth carton has not come: he undoes
        # nothing more and posts what is on the pallet.
        with unit_of_work(db) as s:
            posted = receiving.post_receipt(s, receipt.id, erik)
            note = receiving.goods_received_pdf(s, receipt.id)
        assert posted.po_status is PurchaseOrderStatus.PARTLY_RECEIVED
        assert [(line.sku, line.outstanding) for line in posted.backorder] == [
            ("KAFFE-500", D(11)),
            ("SKRUV-440", D(100)),
        ]
        assert "Still outstanding on backorder: 2 lines." in pdf_text(note)[0]
        assert [(label.sku, label.quantity, label.lot) for label in posted.labels] == [
            ("KAFFE-500", D(37), None),
            ("MJOLK-1L", D(20), "M-2291"),
            ("SKRUV-440", D(200), None),
            ("TE-GRON", D(1), None),
        ]

        # The stock page shows it on the shelves.
        with unit_of_work(db, read_only=True) as s:
            milk = stock.item_stock(s, shop.milk)
            screws = stock.item_stock(s, shop.screw)
        assert [(r.location_code, r.lot_code, r.expiry, r.quantity) for r in milk] == [
            ("A-01-02", "M-2291", best_before, D(20))
        ]
        assert [(r.location_code, r.quantity) for r in screws] == [("C-03-01", D(200))]

        # Next Tuesday the rest comes: one carton and the last pack of screws.
        with unit_of_work(db) as s:
            rest = receiving.start_receipt(s, erik, po_id=order.id)
            receiving.add_scan(s, rest.id, COFFEE_CARTON, erik)
            receiving.add_scan(s, rest.id, "C-03-01", erik)
            receiving.add_scan(s, rest.id, SCREW_EAN, erik)
            receiving.add_quantity(s, rest.id, shop.screw, "99", erik)
            over = receiving.post_receipt(s, rest.id, erik)
            final = get_purchase_order(s, order.id)
        # One coffee more than ordered (37 + 12 = 49 of 48) is within the tolerance.
        assert over.po_status is PurchaseOrderStatus.RECEIVED
        assert [(line.received, line.outstanding) for line in final.lines] == [
            (D(49), D(0)),
            (D(20), D(0)),
            (D(300), D(0)),
        ]
    finally:
        db.dispose()
