"""The delivery note PDF: contents of the parcel, the order's progress with what is still
to come, the shipment number scanning back, escaping, Swedish, and the command line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from app import i18n
from app.cli import main
from app.reports.common import Party
from app.reports.delivery_note import (
    DeliveryNoteOrderLine,
    DeliveryNotePdf,
    DeliveryNotePdfLine,
    render_delivery_note,
)
from app.services import orders, picking, shipping
from app.services.database import Database, unit_of_work
from tests import factories as f
from tests.reports.pdf_tools import decode_barcodes, pdf_text
from tests.reports.test_pick_list import pdf_tables

D = Decimal
CONTENTS = ["SKU", "Description", "Lot", "Quantity", "Unit"]
PROGRESS = [
    "SKU",
    "Description",
    "Ordered",
    "Delivered before",
    "This delivery",
    "To come",
    "Expected",
]


def _data(**kw: object) -> DeliveryNotePdf:
    data: dict[str, object] = {
        "number": "DN-1001",
        "order_number": "SO-1001",
        "shipped_at": dt.datetime(2026, 12, 1, 14, 5, tzinfo=dt.UTC),
        "company": Party("Hylla Testlager AB", "Lagervägen 3\n123 45 Älmhult"),
        "customer": Party("Byggvaruhuset AB", "Storgatan 1\n343 30 Älmhult", "inkop@bygg.se"),
        "customer_code": "BYGG",
        "customer_reference": "Inköp 77",
        "shipped_by": "Stina",
        "lines": (
            DeliveryNotePdfLine("KAFFE", "Kaffe mellanrost", "", None, D(10), "pcs"),
            DeliveryNotePdfLine("MJOLK", "Mjölk 1 l", "L1", dt.date(2026, 12, 9), D(2), "pcs"),
        ),
        "order_lines": (
            DeliveryNoteOrderLine(
                "KAFFE", "Kaffe mellanrost", "pcs", D(12), D(0), D(10), D(2), None
            ),
            DeliveryNoteOrderLine(
                "SKRUV", "Specialskruv", "pcs", D(4), D(0), D(0), D(4), dt.date(2026, 12, 11)
            ),
        ),
    }
    data.update(kw)
    return DeliveryNotePdf(**data)  # type: ignore[arg-type]


@pytest.fixture
def swedish() -> Iterator[None]:
    i18n.set_language("sv")
    try:
        yield
    finally:
        i18n.set_language("en")


def test_the_delivery_note_shows_the_parcel_and_what_is_still_to_come() -> None:
    pdf = render_delivery_note(_data(note="Lämnas vid port 2"))
    (page,) = pdf_text(pdf)
    for expected in (
        "Delivery note",
        "DN-1001",
        "Order SO-1001",
        "Packed by Stina",
        "Byggvaruhuset AB",
        "343 30 Älmhult",
        "Customer number: BYGG",
        "Your reference: Inköp 77",
        "Your order SO-1001",
        "Lämnas vid port 2",
        "quoting DN-1001",
        "Page 1 of 1",
    ):
        assert expected in page, expected
    contents, progress = pdf_tables(pdf)
    assert contents == [
        CONTENTS,
        ["KAFFE", "Kaffe mellanrost", "", "10", "pcs"],
        ["MJOLK", "Mjölk 1 l", "L1 (09/12/2026)", "2", "pcs"],
    ]
    assert progress == [
        PROGRESS,
        ["KAFFE", "Kaffe mellanrost", "12", "0", "10", "2", ""],
        ["SKRUV", "Specialskruv", "4", "0", "0", "4", "11/12/2026"],
    ]


def test_the_shipment_number_scans_back_from_the_printed_note(tmp_path: Path) -> None:
    pdf = render_delivery_note(_data(number="DN-2468"))
    for dpi in (150, 300):
        found = decode_barcodes(pdf, tmp_path / f"dpi{dpi}", dpi)
        assert ("Code 128", "DN-2468") in found, (dpi, found)


def test_delivery_note_text_is_escaped() -> None:
    hostile = "<b>Fish & Chips</b>"
    line = DeliveryNotePdfLine("X&Y", hostile, "<lot>", None, D(1), "pcs")
    pdf = render_delivery_note(
        _data(customer=Party(hostile, "a < b & c"), lines=(line,), order_lines=())
    )
    (page,) = pdf_text(pdf)
    assert page.count(hostile) == 2 and "a < b & c" in page and "<lot>" in page


def test_the_delivery_note_in_swedish(swedish: None) -> None:
    pdf = render_delivery_note(_data())
    (page,) = pdf_text(pdf)
    assert "Följesedel" in page and "Sida 1 av 1" in page and "2026-12-11" in page
    contents, progress = pdf_tables(pdf)
    assert contents[0] == ["Artikelnummer", "Benämning", "Parti", "Antal", "Enhet"]
    assert progress[0] == [
        "Artikelnummer",
        "Benämning",
        "Beställt",
        "Levererat tidigare",
        "Denna leverans",
        "Kvar",
        "Förväntat",
    ]


def test_the_service_pdf_and_the_command_line(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        f.receive(s, w.places, w.stocked, "10")
        order_id = f.confirmed_order(s, w.user, w.customer, (w.stocked, "4"), (w.zero_point, "3"))
        line_id = orders.get_order(s, order_id).lines[0].id
        picking.set_pick_bin(s, w.staff, order_id, "A-01-01")
        picking.pick_quantity(s, w.staff, order_id, line_id, "4")
        shipment = shipping.ship_order(s, w.staff, order_id).shipment
        pdf = shipping.delivery_note_pdf(s, shipment.id)
        unshipped = f.confirmed_order(s, w.user, w.customer, (w.stocked, "1"))
    contents, progress = pdf_tables(pdf)
    assert contents[1] == ["KAFFE", "Kaffe mellanrost", "", "4", "pcs"]
    assert [row[:6] for row in progress[1:]] == [
        ["KAFFE", "Kaffe mellanrost", "4", "0", "4", ""],
        ["SKRUV-ZP", "Specialskruv", "3", "0", "0", "3"],
    ]
    if not db.is_sqlite:
        return
    out = tmp_path / "dn.pdf"
    where = ["--database", db.describe()]
    for number in ("DN-1001", "so-1001"):
        assert main(["order", "delivery-note", number, "-o", str(out), *where]) == 0
        assert "Wrote delivery note DN-1001 to" in capsys.readouterr().out
        assert pdf_tables(out.read_bytes()) == [contents, progress]
    assert main(["order", "delivery-note", "DN-77", "-o", str(out), *where]) == 1
    assert "There is no shipment DN-77." in capsys.readouterr().err
    with unit_of_work(db, read_only=True) as s:
        number = orders.get_order(s, unshipped).number
    assert main(["order", "delivery-note", number, "-o", str(out), *where]) == 1
    assert "has not been shipped yet" in capsys.readouterr().err
