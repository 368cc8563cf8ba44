"""The stock turnover PDF on the demo warehouse: the totals, categories and items it
prints are the valuation service's, in English and in Swedish."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from app import i18n
from app.services import reports, valuation
from app.services.database import Database
from app.services.reports import ReportKind, ReportRequest
from tests.reports.conftest import DEMO_TODAY, YEAR_START
from tests.reports.pdf_tools import pdf_tables, pdf_text

REQUEST = ReportRequest(ReportKind.TURNOVER, start=YEAR_START, end=DEMO_TODAY)
CENT = Decimal("0.01")


def _plain(number: str) -> Decimal:
    return Decimal(number.replace(",", ""))


@pytest.fixture
def swedish() -> Iterator[None]:
    i18n.set_language("sv")
    try:
        yield
    finally:
        i18n.set_language("en")


def test_the_turnover_pdf_prints_the_services_figures(demo_db: Database) -> None:
    result = demo_db.read(valuation.turnover_report, YEAR_START, DEMO_TODAY)
    pdf = demo_db.read(reports.report_pdf, REQUEST)
    tables = pdf_tables(pdf)
    categories = next(t for t in tables if t[0][:2] == ["Category", "Items"])
    total = categories[-1]
    assert total[0] == "Total"
    assert int(total[1]) == result.total.items == len(result.items)
    assert _plain(total[2]) == result.total.cogs.quantize(CENT)
    assert _plain(total[3]) == result.total.average_inventory_value.quantize(CENT)
    assert result.total.turnover is not None
    assert _plain(total[4]) == result.total.turnover.quantize(CENT)
    assert len(categories) - 2 == len(result.categories)
    printed_cogs = sum((_plain(row[2]) for row in categories[1:-1]), Decimal(0))
    assert abs(printed_cogs - result.total.cogs) <= CENT * len(result.categories)
    # Every item once in "All items" (the last tables), with its turnover and ABC class.
    item_tables = [t for t in tables if t[0][:3] == ["SKU", "Item", "Category"]]
    fastest = item_tables[0][1:]
    assert fastest[0][0] == result.items[0].sku
    all_rows = {row[0]: row for t in item_tables[2:] for row in t[1:]}
    assert set(all_rows) == {row.sku for row in result.items}
    for row in result.items[:50]:
        printed = all_rows[row.sku]
        assert _plain(printed[3]) == row.cogs.quantize(CENT)
        assert printed[8] == row.abc_class
        if row.turnover is not None:
            assert _plain(printed[5]) == row.turnover.quantize(CENT)
        else:
            assert printed[5] == "–"
    text = pdf_text(pdf)
    assert "<b>Fish & Chips</b> AB" in text[0]


def test_the_swedish_turnover_report_writes_swedish_numbers(
    demo_db: Database, swedish: None
) -> None:
    result = demo_db.read(valuation.turnover_report, YEAR_START, DEMO_TODAY)
    pdf = demo_db.read(reports.report_pdf, REQUEST)
    text = "\n".join(pdf_text(pdf)).replace("\u00a0", " ")
    assert "Lageromsättning" in text and "Omsättningshastighet per kategori" in text
    cogs = f"{result.total.cogs.quantize(CENT):,.2f}".replace(",", " ").replace(".", ",")
    assert cogs in text
    assert "Sida 1 av" in text


def test_the_turnover_csv_has_every_item_with_the_same_figures(demo_db: Database, tmp_path) -> None:
    import csv

    result = demo_db.read(valuation.turnover_report, YEAR_START, DEMO_TODAY)
    path = tmp_path / "turnover.csv"
    rows = demo_db.read(reports.write_report_csv, REQUEST, path)
    with path.open(encoding="utf-8", newline="") as fh:
        records = list(csv.DictReader(fh))
    assert rows == len(records) == len(result.items)
    by_sku = {record["sku"]: record for record in records}
    for row in result.items[:30]:
        assert Decimal(by_sku[row.sku]["cogs"]) == row.cogs
        assert Decimal(by_sku[row.sku]["average_inventory_value"]) == row.average_inventory_value
