"""The pick list PDF: rows in bin-path order with a blank "picked" column, the order number
scanning back from the page, backorders listed apart, page numbers, escaping, Swedish, and
the command line."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest

from app import i18n
from app.cli import main
from app.reports.common import Party
from app.reports.pick_list import PickListPdf, PickListPdfLine, WaitingPdfLine, render_pick_list
from app.services import orders, picking
from app.services.database import Database, unit_of_work
from tests import factories as f
from tests.reports.pdf_tools import decode_barcodes, pdf_text

D = Decimal
HEADER = ["Bin", "SKU", "Description", "Lot", "To pick", "Unit", "Picked"]


def _line(n: int, *, lot: str = "", qty: str = "3") -> PickListPdfLine:
    return PickListPdfLine(
        bin_code=f"A-{n // 10:02d}-{n % 10:02d}",
        sku=f"HX-{n:04d}",
        name=f"Artikel {n} åäö",
        lot=lot,
        expiry=dt.date(2027, 3, 1) if lot else None,
        quantity=D(qty),
        unit="pcs",
    )


def _data(lines: tuple[PickListPdfLine, ...], **kw: object) -> PickListPdf:
    data: dict[str, object] = {
        "number": "SO-1001",
        "order_date": dt.date(2026, 12, 1),
        "requested_date": dt.date(2026, 12, 4),
        "customer": Party("Byggvaruhuset AB", "Storgatan 1\n343 30 Älmhult"),
        "customer_code": "BYGG",
        "customer_reference": "Inköp 77",
        "company": Party("Hylla Testlager AB", "Lagervägen 3"),
        "printed_at": dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC),
        "lines": lines,
    }
    data.update(kw)
    return PickListPdf(**data)  # type: ignore[arg-type]


def pdf_tables(pdf: bytes) -> list[list[list[str]]]:
    """Like ``pdf_tools.pdf_tables``, but snapping ruled lines only 1 pt apart: the order
    number's barcode, drawn in the header, has bar edges every point or two, and the usual
    3 pt snap chains them with the column rules of the tables below."""
    tables: list[list[list[str]]] = []
    settings = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 1}
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            for table in page.extract_tables(settings):
                rows = [[(cell or "").replace("\n", " ").strip() for cell in row] for row in table]
                if any(cell for row in rows for cell in row):
                    tables.append(rows)
    return tables


@pytest.fixture
def swedish() -> Iterator[None]:
    i18n.set_language("sv")
    try:
        yield
    finally:
        i18n.set_language("en")


def test_the_pick_list_shows_what_to_take_from_where() -> None:
    waiting = (WaitingPdfLine("ZP-1", "Specialskruv", D(7), "pcs", dt.date(2026, 12, 11)),)
    pdf = render_pick_list(
        _data((_line(11), _line(12, lot="L-77", qty="1.5")), waiting=waiting, note="Ring innan")
    )
    (page,) = pdf_text(pdf)
    for expected in (
        "Hylla Testlager AB",
        "Pick list",
        "SO-1001",
        "Order date 01/12/2026",
        "Requested 04/12/2026",
        "Byggvaruhuset AB",
        "Customer number: BYGG",
        "Their reference: Inköp 77",
        "Not to pick now (on backorder)",
        "Ring innan",
        "Page 1 of 1",
    ):
        assert expected in page, expected
    picks, backorder = pdf_tables(pdf)
    assert picks == [
        HEADER,
        ["A-01-01", "HX-0011", "Artikel 11 åäö", "", "3", "pcs", ""],
        ["A-01-02", "HX-0012", "Artikel 12 åäö", "L-77 (01/03/2027)", "1.5", "pcs", ""],
    ]
    assert backorder == [
        ["SKU", "Description", "On backorder", "Unit", "Expected"],
        ["ZP-1", "Specialskruv", "7", "pcs", "11/12/2026"],
    ]


def test_a_long_pick_list_repeats_its_header_and_numbers_its_pages() -> None:
    pdf = render_pick_list(_data(tuple(_line(n) for n in range(10, 110))))
    pages = pdf_text(pdf)
    assert len(pages) >= 3
    assert all(f"Page {n} of {len(pages)}" in text for n, text in enumerate(pages, start=1))
    rows = []
    for table in pdf_tables(pdf):
        assert table[0] == HEADER
        rows += table[1:]
    assert [row[1] for row in rows] == [f"HX-{n:04d}" for n in range(10, 110)]


def test_the_order_number_scans_back_from_the_printed_pick_list(tmp_path: Path) -> None:
    pdf = render_pick_list(_data((_line(11),), number="SO-4321"))
    for dpi in (150, 300):
        found = decode_barcodes(pdf, tmp_path / f"dpi{dpi}", dpi)
        assert ("Code 128", "SO-4321") in found, (dpi, found)


def test_pick_list_text_is_escaped_and_an_empty_list_says_so() -> None:
    hostile = "<b>Fish & Chips</b>"
    pdf = render_pick_list(
        _data((), customer=Party(hostile, "<br/> & co"), note="<i>not italic</i>")
    )
    (page,) = pdf_text(pdf)
    assert hostile in page and "<br/> & co" in page and "<i>not italic</i>" in page
    assert "Nothing is left to pick on this order." in page


def test_the_pick_list_in_swedish(swedish: None) -> None:
    pdf = render_pick_list(_data((_line(11, qty="1234.5"),)))
    (page,) = pdf_text(pdf)
    assert "Plocklista" in page and "Sida 1 av 1" in page and "Orderdatum 2026-12-01" in page
    (table,) = pdf_tables(pdf)
    assert table[0] == [
        "Lagerplats",
        "Artikelnummer",
        "Benämning",
        "Parti",
        "Att plocka",
        "Enhet",
        "Plockat",
    ]
    # Every header fits its column (no word broken over two lines); numbers are Swedish.
    assert table[1][4] == "1 234,5"


def test_the_service_pdf_and_the_command_line(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        f.receive(s, w.places, w.stocked, "2", bin_index=1)
        f.receive(s, w.places, w.stocked, "2", bin_index=0)
        order_id = f.confirmed_order(s, w.user, w.customer, (w.stocked, "3"), (w.zero_point, "5"))
        pdf = picking.pick_list_pdf(s, order_id)
        draft = orders.create_order(s, w.user, w.customer).number
    picks, backorder = pdf_tables(pdf)
    assert [row[:5] for row in picks[1:]] == [
        ["A-01-01", "KAFFE", "Kaffe mellanrost", "", "2"],
        ["A-01-02", "KAFFE", "Kaffe mellanrost", "", "1"],
    ]
    assert backorder[1][:3] == ["SKRUV-ZP", "Specialskruv", "5"]
    if not db.is_sqlite:
        return
    out = tmp_path / "pick.pdf"
    where = ["--database", db.describe()]
    assert main(["order", "pick-list", "so-1001", "-o", str(out), *where]) == 0
    assert "Wrote the pick list of SO-1001 to" in capsys.readouterr().out
    assert pdf_tables(out.read_bytes())[0] == picks
    assert main(["order", "pick-list", "SO-9", "-o", str(out), *where]) == 1
    assert "There is no customer order SO-9." in capsys.readouterr().err
    assert main(["order", "pick-list", draft, "-o", str(out), *where]) == 1
    assert "Confirm it before printing its pick list" in capsys.readouterr().err
    missing = tmp_path / "no-such-folder" / "pick.pdf"
    assert main(["order", "pick-list", "SO-1001", "-o", str(missing), *where]) == 1
    assert "does not exist" in capsys.readouterr().err and not missing.parent.exists()
