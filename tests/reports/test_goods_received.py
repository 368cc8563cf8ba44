"""The goods-received note: what came in where (lot, expiry, bin), who and when, and for an
order what is still outstanding."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from app import i18n
from app.reports.common import Party
from app.reports.goods_received import (
    GoodsReceivedPdf,
    GoodsReceivedPdfLine,
    OrderProgressPdfLine,
    render_goods_received,
)
from app.services import receiving
from app.services.database import Database, unit_of_work
from tests.reports.pdf_tools import pdf_tables, pdf_text
from tests.services.purchasing_setup import COFFEE_CARTON, MILK_EAN, build_shop, gs1, sent_order

D = Decimal
POSTED = dt.datetime(2026, 12, 3, 9, 15, tzinfo=dt.UTC)
RECEIVED_HEADER = ["SKU", "Description", "Lot", "Expiry", "Bin", "Quantity", "Unit"]
ORDER_HEADER = [
    "SKU",
    "Description",
    "Ordered",
    "Received before",
    "Received now",
    "Outstanding",
    "Unit",
]


def _note(**kw: object) -> GoodsReceivedPdf:
    data: dict[str, object] = {
        "number": "GR-1001",
        "po_number": "PO-1001",
        "company": Party("Hylla Testlager AB", "Lagervägen 3"),
        "supplier": Party("Nordgrossisten AB", "Box 12\n581 02 Linköping"),
        "supplier_code": "NORD",
        "received_by": "Maja Ek",
        "posted_at": POSTED,
        "lines": (
            GoodsReceivedPdfLine("KAFFE-500", "Kaffe 500 g", "", None, "A-01-01", D(36), "pcs"),
            GoodsReceivedPdfLine(
                "MJOLK-1L", "Mjölk 1 l", "L<1>&", dt.date(2026, 12, 13), "A-01-02", D(20), "pcs"
            ),
        ),
        "order_lines": (
            OrderProgressPdfLine("KAFFE-500", "Kaffe 500 g", "pcs", D(48), D(0), D(36), D(12)),
            OrderProgressPdfLine("MJOLK-1L", "Mjölk 1 l", "pcs", D(20), D(0), D(20), D(0)),
        ),
    }
    data.update(kw)
    return GoodsReceivedPdf(**data)  # type: ignore[arg-type]


def test_the_note_lists_what_came_in_and_what_is_outstanding() -> None:
    pdf = render_goods_received(_note())
    (page,) = pdf_text(pdf)
    for expected in (
        "Goods received note",
        "Receipt GR-1001",
        "Purchase order PO-1001",
        "Received by Maja Ek",
        "Nordgrossisten AB",
        "Supplier number: NORD",
        "Order PO-1001 after this receipt",
        "Still outstanding on backorder: 1 line.",
        "Signature",
        "Page 1 of 1",
    ):
        assert expected in page, expected
    received, progress = pdf_tables(pdf)
    assert received == [
        RECEIVED_HEADER,
        ["KAFFE-500", "Kaffe 500 g", "", "", "A-01-01", "36", "pcs"],
        ["MJOLK-1L", "Mjölk 1 l", "L<1>&", "13/12/2026", "A-01-02", "20", "pcs"],
    ]
    assert progress == [
        ORDER_HEADER,
        ["KAFFE-500", "Kaffe 500 g", "48", "0", "36", "12", "pcs"],
        ["MJOLK-1L", "Mjölk 1 l", "20", "0", "20", "0", "pcs"],
    ]


def test_in_swedish_every_header_fits_its_column() -> None:
    i18n.set_language("sv")
    try:
        pdf = render_goods_received(_note())
    finally:
        i18n.set_language("en")
    assert [table[0] for table in pdf_tables(pdf)] == [
        ["Artikelnummer", "Benämning", "Parti", "Utgångsdatum", "Lagerplats", "Antal", "Enhet"],
        [
            "Artikelnummer",
            "Benämning",
            "Beställt",
            "Tidigare mottaget",
            "Mottaget nu",
            "Restnoterat",
            "Enhet",
        ],
    ]
    assert "Kvar i restorder: 1 rad." in pdf_text(pdf)[0]


def test_a_blind_receipt_has_no_order_part() -> None:
    pdf = render_goods_received(_note(po_number="", order_lines=()))
    (page,) = pdf_text(pdf)
    assert "Purchase order" not in page and "after this receipt" not in page
    assert [table[0] for table in pdf_tables(pdf)] == [RECEIVED_HEADER]


def test_a_complete_order_says_so() -> None:
    done = (OrderProgressPdfLine("KAFFE-500", "Kaffe 500 g", "pcs", D(48), D(12), D(36), D(0)),)
    (page,) = pdf_text(render_goods_received(_note(order_lines=done)))
    assert "The order is complete: nothing is outstanding." in page


def test_the_note_of_a_posted_receipt(db: Database) -> None:
    with unit_of_work(db) as s:
        shop = build_shop(s)
        po = sent_order(s, shop)
        receipt = receiving.start_receipt(s, shop.user, po_id=po.id)
        receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user)
        receiving.add_scan(s, receipt.id, "C-03-01", shop.user)
        receiving.add_scan(
            s, receipt.id, gs1("0" + MILK_EAN, lot="M1", expiry=dt.date(2030, 1, 31)), shop.user
        )
        receiving.post_receipt(s, receipt.id, shop.user)
        pdf = receiving.goods_received_pdf(s, receipt.id)
    (page,) = pdf_text(pdf)
    assert "GR-1001" in page and "PO-1001" in page and "Received by maja" in page
    received, progress = pdf_tables(pdf)
    assert received[1:] == [
        ["KAFFE-500", "Kaffe mellanrost 500 g", "", "", "A-01-01", "12", "pcs"],
        ["MJOLK-1L", "Mjölk 1 l", "M1", "31/01/2030", "C-03-01", "1", "pcs"],
    ]
    assert [row[5] for row in progress[1:]] == ["36", "19"]
