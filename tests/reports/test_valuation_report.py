"""The inventory valuation PDF on the demo warehouse: book value, tax values, categories
and items are the valuation service's; the LIFO column is marked as a what-if."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

import pytest

from app import i18n
from app.services import reports, valuation
from app.services.database import Database
from app.services.reports import ReportKind, ReportRequest
from tests.reports.conftest import DEMO_TODAY
from tests.reports.pdf_tools import pdf_tables, pdf_text

REQUEST = ReportRequest(ReportKind.VALUATION, as_of=DEMO_TODAY)
CENT = Decimal("0.01")


def _plain(number: str) -> Decimal:
    return Decimal(number.replace(",", ""))


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


@pytest.fixture
def swedish() -> Iterator[None]:
    i18n.set_language("sv")
    try:
        yield
    finally:
        i18n.set_language("en")


def test_the_valuation_pdf_prints_the_services_values(demo_db: Database) -> None:
    items = demo_db.read(valuation.valuation_as_of, DEMO_TODAY)
    tax = demo_db.read(valuation.tax_value, DEMO_TODAY)
    pdf = demo_db.read(reports.report_pdf, REQUEST)
    tables = pdf_tables(pdf)
    tax_table = next(t for t in tables if t[0] == ["Valuation", "Value"])
    assert _plain(tax_table[1][1]) == _cents(tax.book_value)
    assert _plain(tax_table[2][1]) == _cents(tax.lowest_value)
    assert _plain(tax_table[3][1]) == _cents(tax.rule_97_value)
    assert _plain(tax_table[4][1]) == _cents(tax.lower_value)
    assert tax.rule_97_value == (tax.acquisition_value * Decimal("0.97")).quantize(
        Decimal("0.0001"), ROUND_HALF_UP
    )
    item_tables = [t for t in tables if t[0][:3] == ["SKU", "Item", "Category"]]
    assert item_tables[0][0][-1] == "LIFO (what-if only)"
    rows = [row for t in item_tables for row in t[1:]]
    total = rows.pop()
    assert total[0] == "Total"
    assert _plain(total[6]) == _cents(sum((row.value for row in items), Decimal(0)))
    stocked = {row.sku: row for row in items}
    assert {row[0] for row in rows} == set(stocked)
    for printed in rows[:40]:
        row = stocked[printed[0]]
        assert _plain(printed[6]) == _cents(row.value)
    text = "\n".join(pdf_text(pdf))
    assert "LIFO is not allowed under IAS 2" in text
    assert "<b>Fish & Chips</b> AB" in text


def test_the_swedish_valuation_report_writes_swedish_numbers(
    demo_db: Database, swedish: None
) -> None:
    tax = demo_db.read(valuation.tax_value, DEMO_TODAY)
    pdf = demo_db.read(reports.report_pdf, REQUEST)
    text = "\n".join(pdf_text(pdf)).replace("\u00a0", " ")
    assert "Lagervärdering" in text and "97-procentsregeln" in text
    book = f"{_cents(tax.book_value):,.2f}".replace(",", " ").replace(".", ",")
    assert book in text
