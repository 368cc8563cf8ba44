"""The report frame: fast number formatting equals babel's, long tables split over pages
with their heading on each, and text is printed literally, never read as markup."""

from __future__ import annotations

import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal

import pdfplumber
import pytest
from babel.numbers import format_decimal, format_percent
from hypothesis import given
from hypothesis import strategies as st

from app.reports import frame as frame_module
from app.reports.common import Fonts, Party
from app.reports.frame import Column, Emphasis, NumberFormat, ReportFrame, RowTable, render_report
from tests.reports.pdf_tools import pdf_tables, pdf_text

amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=4)


@given(amounts)
def test_amounts_are_formatted_as_babel_formats_them(value: Decimal) -> None:
    # de_DE groups with "." (the decimal mark Python writes) and fr_FR with a narrow space.
    for locale in ("sv_SE", "en_GB", "de_DE", "fr_FR"):
        expected = format_decimal(
            value.quantize(Decimal("0.01"), ROUND_HALF_UP), format="#,##0.00", locale=locale
        )
        if value.quantize(Decimal("0.01"), ROUND_HALF_UP) == 0:
            expected = expected.lstrip("-−")
        assert NumberFormat.for_locale(locale).amount(value) == expected


@given(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=3))
def test_quantities_keep_their_decimals_as_babel_does(value: Decimal) -> None:
    for locale in ("sv_SE", "en_GB", "de_DE"):
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


def _frame() -> ReportFrame:
    return ReportFrame("T", Party("X"), "", dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "SEK")


def _body_fonts(pdf: bytes) -> list[tuple[str, set[str]]]:
    """(text, fonts) of each body line of the first page's table, top to bottom."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        words = document.pages[0].extract_words(extra_attrs=["fontname"], keep_blank_chars=True)
    lines: dict[float, list[dict[str, object]]] = {}
    for word in words:
        lines.setdefault(round(float(word["top"])), []).append(word)
    return [
        (" ".join(str(w["text"]) for w in line), {str(w["fontname"]) for w in line})
        for _top, line in sorted(lines.items())
    ]


def test_emphasised_rows_are_bold_and_the_rows_after_them_regular_again() -> None:
    columns = [Column("Name", 120), Column("Value", 80, right=True)]
    rows = [
        ("Skruv", "1.00"),
        Emphasis(("Subtotal", "1.00")),
        ("Mutter", "2.00"),
        Emphasis(("Total", "3.00")),
    ]
    lines = _body_fonts(render_report(_frame(), [RowTable(columns, rows)]))
    body = {text: fonts for text, fonts in lines if text.split()[0] in {r[0] for r in rows}}
    assert all(font.endswith("-Bold") for font in body["Subtotal 1.00"] | body["Total 3.00"])
    assert not any(font.endswith("-Bold") for font in body["Skruv 1.00"] | body["Mutter 2.00"])


def test_more_characters_than_one_font_subset_holds_print_literally() -> None:
    """A font subset holds about 200 characters; Greek, Cyrillic and Latin letters together
    fill several, so later cells switch subsets in mid-table (and mid-cell)."""
    letters = [chr(c) for c in range(0x391, 0x3A9) if c != 0x3A2]
    letters += [chr(c) for c in range(0x400, 0x460)]
    letters += [chr(c) for c in range(0x3B1, 0x3CA)]
    letters += [chr(c) for c in range(0x100, 0x17F)]
    names = ["".join(letters[i : i + 12]) for i in range(0, len(letters), 12)]
    rows = [(f"R{n:02d}", name, f"{n}.00") for n, name in enumerate(names)]
    rows.append(("R99", "<b>Fish & Chips</b> " + letters[0] + letters[-1], "1.00"))
    columns = [Column("SKU", 40), Column("Name", 250), Column("Value", 60, right=True)]
    tables = pdf_tables(render_report(_frame(), [RowTable(columns, rows)]))
    body = [row for table in tables for row in table[1:]]
    assert len(letters) > 256
    assert body == [list(row) for row in rows]


def test_a_standard_font_prints_the_table_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without DejaVu Sans the reports fall back to Helvetica, which is not a TrueType font."""
    monkeypatch.setattr(frame_module, "fonts", lambda: Fonts("Helvetica", "Helvetica-Bold"))
    columns = [Column("Name", 150), Column("Value", 80, right=True)]
    rows = [("<b>Fish & Chips</b>", "1,234.50"), ("Åsa (Öl)", "2.00"), Emphasis(("Total", "3.00"))]
    pdf = render_report(_frame(), [RowTable(columns, rows)])
    body = pdf_tables(pdf)[0][1:]
    assert body == [list(row) for row in rows]
    assert {font for _text, fonts in _body_fonts(pdf) for font in fonts} >= {"Helvetica-Bold"}
