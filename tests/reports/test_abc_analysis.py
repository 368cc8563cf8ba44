"""The ABC analysis PDF on the demo warehouse: its tables add up to the service's
numbers, in English and in Swedish, and the company name prints literally."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from app import i18n
from app.services import reports
from app.services.database import Database
from app.services.reports import ReportKind, ReportRequest
from tests.reports.conftest import DEMO_TODAY, YEAR_START
from tests.reports.pdf_tools import pdf_tables, pdf_text

REQUEST = ReportRequest(ReportKind.ABC, start=YEAR_START, end=DEMO_TODAY)


def _plain(number: str) -> Decimal:
    """An English number as printed (``1,234.50`` or ``12.5%``) as a Decimal."""
    return Decimal(number.replace(",", "").rstrip("%"))


@pytest.fixture
def swedish() -> Iterator[None]:
    i18n.set_language("sv")
    try:
        yield
    finally:
        i18n.set_language("en")


def test_the_abc_pdf_adds_up_to_the_service(demo_db: Database) -> None:
    data = demo_db.read(reports.abc_data, YEAR_START, DEMO_TODAY)
    pdf = demo_db.read(reports.report_pdf, REQUEST)
    tables = pdf_tables(pdf)
    classes = next(t for t in tables if t[0][:2] == ["Class", "Cut-off"])
    by_class = {row[0]: row for row in classes[1:]}
    for total in data.classes:
        row = by_class[total.abc_class]
        assert int(row[2]) == total.items
        assert _plain(row[4]) == total.value.quantize(Decimal("0.01"))
    assert _plain(by_class["Total"][4]) == data.total_value.quantize(Decimal("0.01"))
    assert sum(t.items for t in data.classes) == data.total_items
    # The ranked items: every line printed once, in the service's order, with its class.
    item_rows = [row for t in tables if t[0][:3] == ["Rank", "SKU", "Item"] for row in t[1:]]
    assert [row[1] for row in item_rows] == [line.sku for line in data.lines]
    assert [row[7] for row in item_rows] == [line.abc_class for line in data.lines]
    printed = sum((_plain(row[4]) for row in item_rows), Decimal(0))
    rounded = sum((line.value.quantize(Decimal("0.01")) for line in data.lines), Decimal(0))
    assert printed == rounded
    assert _plain(item_rows[-1][6]) == Decimal("100.0")
    # The classes follow the cut-offs: A first, and the A items hold about 80 %.
    assert data.lines[0].abc_class == "A"
    a_share = 100 * data.classes[0].value / data.total_value
    assert Decimal(80) <= a_share < Decimal(95)


def test_the_header_prints_the_company_literally_and_numbers_the_pages(
    demo_db: Database,
) -> None:
    pdf = demo_db.read(reports.report_pdf, REQUEST)
    pages = pdf_text(pdf)
    assert "<b>Fish & Chips</b> AB" in pages[0]
    assert "ABC analysis" in pages[0]
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]


def test_the_swedish_abc_report_writes_swedish_numbers(demo_db: Database, swedish: None) -> None:
    data = demo_db.read(reports.abc_data, YEAR_START, DEMO_TODAY)
    pdf = demo_db.read(reports.report_pdf, REQUEST)
    text = "\n".join(pdf_text(pdf)).replace("\u00a0", " ")
    assert "ABC-analys" in text
    total = data.total_value.quantize(Decimal("0.01"))
    whole, cents = f"{total:.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", " ")
    assert f"{grouped},{cents}" in text
    assert "Sida 1 av" in text
