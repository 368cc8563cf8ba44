"""The dead stock and slow movers PDF on the demo warehouse (which has dead items by
design): its totals are the service's, and every dead item is listed."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from app.services import reports, valuation
from app.services.database import Database
from app.services.reports import ReportKind, ReportRequest
from tests.reports.conftest import DEMO_TODAY
from tests.reports.pdf_tools import pdf_tables, pdf_text

REQUEST = ReportRequest(ReportKind.DEAD_STOCK, as_of=DEMO_TODAY)
CENT = Decimal("0.01")


def _plain(number: str) -> Decimal:
    return Decimal(number.replace(",", ""))


def test_the_dead_stock_pdf_adds_up_to_the_service(demo_db: Database) -> None:
    data = demo_db.read(reports.dead_stock_data, DEMO_TODAY)
    assert data.dead, "the demo has dead stock by design"
    stock = demo_db.read(valuation.valuation_as_of, DEMO_TODAY)
    assert data.stock_value == sum((row.value for row in stock if row.quantity > 0), Decimal(0))
    assert all(line.idle_days >= 180 or line.last_issue is None for line in data.dead)
    assert sum(bucket.value for bucket in data.buckets) == data.stock_value
    pdf = demo_db.read(reports.report_pdf, REQUEST)
    tables = [t for t in pdf_tables(pdf) if t[0][:2] == ["SKU", "Item"]]
    rows = [row for t in tables for row in t[1:]]
    totals = [_plain(row[8]) for row in rows if row[0] == "Total"]
    expected = [
        sum((line.value for line in group), Decimal(0)).quantize(CENT, ROUND_HALF_UP)
        for group in (data.dead, data.slow)
        if group
    ]
    assert totals == expected
    listed = [row[0] for row in rows if row[0] != "Total"]
    assert listed == [line.sku for line in data.dead + data.slow]
    text = pdf_text(pdf)[0]
    assert "Dead stock and slow movers" in text
    assert f"{data.dead_value.quantize(CENT, ROUND_HALF_UP):,.2f}" in text


def test_the_dead_stock_csv_lists_the_same_items(demo_db: Database, tmp_path) -> None:
    import csv

    data = demo_db.read(reports.dead_stock_data, DEMO_TODAY)
    path = tmp_path / "dead.csv"
    assert demo_db.read(reports.write_report_csv, REQUEST, path) == len(data.lines)
    with path.open(encoding="utf-8") as fh:
        records = list(csv.DictReader(fh))
    assert [r["sku"] for r in records] == [line.sku for line in data.lines]
    assert {r["status"] for r in records} <= {"dead", "slow"}
