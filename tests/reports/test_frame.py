"""The report frame: fast number formatting equals babel's, long tables split over pages
with their heading on each, and text is printed literally, never read as markup."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal, format_percent
from hypothesis import given
from hypothesis import strategies as st

from app.reports.common import Party
from app.reports.frame import Column, Emphasis, NumberFormat, ReportFrame, RowTable, render_report
from tests.reports.pdf_tools import pdf_tables, pdf_text

amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=4)


@given(amounts)
def test_amounts_are_formatted_as_babel_formats_them(value: Decimal) -> None:
    for locale in ("sv_SE", "en_GB"):
        expected = format_decimal(
            value.quantize(Decimal("0.01"), ROUND_HALF_UP), format="#,##0.00", locale=locale
        )
        if value.quantize(Decimal("0.01"), ROUND_HALF_UP) == 0:
            expected = expected.lstrip("-−")
        assert NumberFormat.for_locale(locale).amount(value) == expected


@given(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=3))
def test_quantities_keep_their_decimals_as_babel_does(value: Decimal) -> None:
    for locale in ("sv_SE", "en_GB"):
        expected = format_decimal(value, format="#,##0.###", locale=locale)
        assert NumberFormat.for_locale(locale).qty(value) == expected or value == 0


def test_swedish_numbers_use_a_decimal_comma_and_a_space_between_thousands() -> None:
    sv = NumberFormat.for_locale("sv_SE")
    assert sv.amount(Decimal("1234567.005")) == "1\u00a0234\u00a0567,01"
    assert sv.amount(Decimal("-0.004")) == "0,00"
    assert sv.qty(Decimal("1234.500")) == "1\u00a0234,5"
    assert sv.percent(Decimal("12.35")) == format_percent(Decimal("0.124"), locale="sv_SE").replace(
        "12", "12,4"
    ).replace(",4,", ",")
    en = NumberFormat.for_locale("en_GB")
    assert en.amount(Decimal("1234567.005")) == "1,234,567.01"
    assert en.percent(Decimal("12.35")) == "12.4%"
    assert en.ratio(None) == "–"


def test_a_long_table_splits_over_pages_with_its_heading_and_prints_text_literally() -> None:
    columns = [Column("SKU", 60), Column("Name", 200), Column("Value", 80, right=True)]
    rows = [(f"SKU-{i:04d}", "<b>Fish & Chips</b>", f"{i}.00") for i in range(300)]
    rows.append(Emphasis(("Total", "", "44,850.00")))
    frame = ReportFrame(
        title="Test report",
        company=Party("<i>Acme</i> & Co"),
        period="2025",
        generated_at=dt.datetime(2026, 1, 2, 8, 0, tzinfo=dt.UTC),
        currency="SEK",
    )
    pdf = render_report(frame, [RowTable(columns, rows)])
    pages = pdf_text(pdf)
    assert len(pages) >= 5
    assert "<i>Acme</i> & Co" in pages[0]
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    tables = pdf_tables(pdf)
    assert all(table[0] == ["SKU", "Name", "Value"] for table in tables)
    body = [row for table in tables for row in table[1:]]
    assert [row[0] for row in body[:-1]] == [f"SKU-{i:04d}" for i in range(300)]
    assert {row[1] for row in body[:-1]} == {"<b>Fish & Chips</b>"}
    assert body[-1] == ["Total", "", "44,850.00"]


def test_text_too_wide_for_its_column_is_cut_with_an_ellipsis() -> None:
    columns = [Column("Name", 60)]
    frame = ReportFrame("T", Party("X"), "", dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "SEK")
    pdf = render_report(frame, [RowTable(columns, [("A very long item name indeed " * 3,)])])
    cell = pdf_tables(pdf)[0][1][0]
    assert cell.endswith("…") and cell.startswith("A very")
