"""The purchase order PDF: what a supplier reads on it, that its table adds up, that the
order number scans back from the printed page, page numbers, escaping, Swedish."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from app import i18n
from app.cli import main
from app.reports.common import Party
from app.reports.purchase_order import (
    PurchaseOrderPdf,
    PurchaseOrderPdfLine,
    render_purchase_order,
    total_of,
)
from app.services.database import Database, unit_of_work
from app.services.purchase_orders import purchase_order_pdf
from tests.reports.pdf_tools import decode_barcodes, pdf_tables, pdf_text
from tests.services.purchasing_setup import build_shop, sent_order

D = Decimal
DAY = dt.date(2026, 12, 1)
HEADER = [
    "Supplier SKU",
    "Our SKU",
    "Description",
    "Packs",
    "Quantity",
    "Unit",
    "Unit price",
    "Amount",
    "Delivery",
]


def _line(n: int, *, packs: int = 4, pack: int = 12, price: str = "38.50") -> PurchaseOrderPdfLine:
    quantity = D(packs * pack)
    return PurchaseOrderPdfLine(
        supplier_sku=f"NB-{n:04d}",
        sku=f"HX-{n:04d}",
        name=f"Artikel {n} åäö",
        packs=D(packs),
        pack_size=D(pack),
        quantity=quantity,
        unit="pcs",
        unit_price=D(price),
        amount=quantity * D(price),
        delivery_date=None,
    )


def _order(lines: tuple[PurchaseOrderPdfLine, ...], **kw: object) -> PurchaseOrderPdf:
    data: dict[str, object] = {
        "number": "PO-1001",
        "order_date": DAY,
        "delivery_date": DAY + dt.timedelta(days=7),
        "currency": "SEK",
        "company": Party("Hylla Testlager AB", "Lagervägen 3\n123 45 Älmhult", "inköp@test.se"),
        "supplier": Party("Nordgrossisten AB", "Box 12\n581 02 Linköping", "order@nord.se"),
        "supplier_code": "NORD",
        "our_reference": "Maja",
        "lines": lines,
        "total": total_of(lines),
    }
    data.update(kw)
    return PurchaseOrderPdf(**data)  # type: ignore[arg-type]


@pytest.fixture
def swedish() -> Iterator[None]:
    i18n.set_language("sv")
    try:
        yield
    finally:
        i18n.set_language("en")


def test_the_order_shows_header_addresses_lines_and_totals() -> None:
    lines = (_line(1), _line(2, packs=20, pack=1, price="11.20"))
    pdf = render_purchase_order(_order(lines, note="Leverans via port 2"))
    (page,) = pdf_text(pdf)
    for expected in (
        "Hylla Testlager AB",
        "Lagervägen 3",
        "123 45 Älmhult",
        "Purchase order",
        "PO-1001",
        "Order date 01/12/2026",
        "Delivery date 08/12/2026",
        "Nordgrossisten AB",
        "581 02 Linköping",
        "Supplier number: NORD",
        "Our reference: Maja",
        "Total excl. VAT SEK 2,072.00",
        "Leverans via port 2",
        "quote the order number PO-1001",
        "Page 1 of 1",
    ):
        assert expected in page, expected
    (table,) = pdf_tables(pdf)
    assert table[0] == HEADER
    assert table[1] == [
        "NB-0001",
        "HX-0001",
        "Artikel 1 åäö",
        "4 × 12",
        "48",
        "pcs",
        "38.50",
        "1,848.00",
        "08/12/2026",
    ]
    assert table[2][3:8] == ["", "20", "pcs", "11.20", "224.00"]


def test_a_long_order_runs_over_pages_with_the_header_on_each_and_adds_up(
    tmp_path: Path,
) -> None:
    lines = tuple(_line(n, packs=n % 7 + 1, price=f"{n}.25") for n in range(1, 81))
    pdf = render_purchase_order(_order(lines))
    pages = pdf_text(pdf)
    assert len(pages) >= 3
    assert all(f"Page {n} of {len(pages)}" in text for n, text in enumerate(pages, start=1))
    rows = []
    for table in pdf_tables(pdf):
        assert table[0] == HEADER  # every table (and page) starts with the header row
        rows += table[1:]
    assert [row[1] for row in rows] == [f"HX-{n:04d}" for n in range(1, 81)]
    amounts = sum(D(row[7].replace(",", "")) for row in rows)
    assert amounts == total_of(lines)
    for row in rows:  # packs × pack size = quantity, quantity × price = amount
        packs, pack = (D(x) for x in row[3].split(" × "))
        assert packs * pack == D(row[4])
        assert D(row[4]) * D(row[6]) == D(row[7].replace(",", ""))
    assert f"SEK {total_of(lines):,.2f}" in pages[-1]


def test_the_order_number_scans_back_from_the_printed_page(tmp_path: Path) -> None:
    pdf = render_purchase_order(_order((_line(1),), number="PO-1234"))
    for dpi in (150, 300):
        found = decode_barcodes(pdf, tmp_path / f"dpi{dpi}", dpi)
        assert ("Code 128", "PO-1234") in found, (dpi, found)


def test_text_is_escaped_not_read_as_markup() -> None:
    hostile = "<b>Smith & Sons</b> <font size=40>x</font>"
    pdf = render_purchase_order(
        _order(
            (_line(1),),
            supplier=Party(hostile, "Street 1 <br/> & more"),
            note="<i>not italic</i>",
        )
    )
    (page,) = pdf_text(pdf)
    assert hostile in page and "Street 1 <br/> & more" in page and "<i>not italic</i>" in page


def test_a_draft_says_so_and_an_empty_company_is_pointed_out() -> None:
    pdf = render_purchase_order(_order((_line(1),), stamp="Draft", company=Party("")))
    (page,) = pdf_text(pdf)
    assert "DRAFT" in page and "(company name not set)" in page


def test_in_swedish_numbers_dates_and_words_are_swedish(swedish: None) -> None:
    pdf = render_purchase_order(_order((_line(1), _line(2, packs=100, price="1234.5"))))
    (page,) = pdf_text(pdf)
    assert "Inköpsorder" in page and "Sida 1 av 1" in page
    assert "Orderdatum 2026-12-01" in page and "Summa exkl. moms 1 483 248,00 kr" in page
    (table,) = pdf_tables(pdf)
    # Every header fits its column (no word broken over two lines).
    assert table[0] == [
        "Lev. artikelnr",
        "Vårt art.nr",
        "Benämning",
        "Förp.",
        "Antal",
        "Enhet",
        "À-pris",
        "Belopp",
        "Leverans",
    ]
    assert table[2][3:8] == ["100 × 12", "1 200", "pcs", "1 234,50", "1 481 400,00"]


def test_the_service_pdf_and_the_command_line(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with unit_of_work(db) as s:
        shop = build_shop(s)
        po = sent_order(s, shop)
        pdf = purchase_order_pdf(s, po.id)
    (page,) = pdf_text(pdf)
    assert "Nordgrossisten AB" in page and "Box 12" in page and "inköp@testlager.se" in page
    (table,) = pdf_tables(pdf)
    assert [row[:5] for row in table[1:]] == [
        ["NB-4703", "KAFFE-500", "Kaffe mellanrost 500 g", "4 × 12", "48"],
        ["NB-0016", "MJOLK-1L", "Mjölk 1 l", "", "20"],
    ]
    if not db.is_sqlite:
        return
    out = tmp_path / "po.pdf"
    assert main(["po", "pdf", "po-1001", "-o", str(out), "--database", db.describe()]) == 0
    assert "Wrote purchase order PO-1001 to" in capsys.readouterr().out
    assert pdf_tables(out.read_bytes()) == [table]
    assert main(["po", "pdf", "PO-9", "-o", str(out), "--database", db.describe()]) == 1
    assert "There is no purchase order PO-9." in capsys.readouterr().err
    missing = tmp_path / "no-such-folder" / "po.pdf"
    assert main(["po", "pdf", "PO-1001", "-o", str(missing), "--database", db.describe()]) == 1
    assert "does not exist" in capsys.readouterr().err and not missing.parent.exists()
