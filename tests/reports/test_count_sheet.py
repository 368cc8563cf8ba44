"""The count sheet: bins in order, a blank quantity column, and on a blind count no
expected quantities; an empty row under each bin for goods the sheet does not list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from app import i18n
from app.models import CountKind
from app.reports.common import Party
from app.reports.count_sheet import CountSheetLine, CountSheetPdf, render_count_sheet
from app.services import counting
from app.services.database import Database, unit_of_work
from app.services.errors import ValidationError
from tests.reports.pdf_tools import pdf_tables, pdf_text, render_pages
from tests.services.purchasing_setup import build_shop

D = Decimal
STARTED = dt.datetime(2026, 3, 2, 7, 30, tzinfo=dt.UTC)
BLIND_HEADER = ["Bin", "SKU", "Description", "Lot", "Unit", "Counted"]
NOT_LISTED = "(not listed: write SKU and quantity)"


def _sheet(**kw: object) -> CountSheetPdf:
    data: dict[str, object] = {
        "number": "CC-1001",
        "title": "Aisle B-",
        "company": Party("Hylla Testlager AB", "Lagervägen 3"),
        "blind": True,
        "created_at": STARTED,
        "created_by": "Anna",
        "bins": ("B-01-01", "B-01-02", "B-02-01"),
        "lines": (
            CountSheetLine("B-01-01", "KAFFE-500", "Kaffe <mellan> & rost", "pcs", "", D(24)),
            CountSheetLine("B-01-01", "MJOLK-1L", "Mjölk 1 l", "pcs", "L1", D(10)),
            CountSheetLine("B-02-01", "TE-GRON", "Grönt te", "pcs", "", D("2.5")),
        ),
    }
    data.update(kw)
    return CountSheetPdf(**data)  # type: ignore[arg-type]


def test_a_blind_sheet_lists_bins_in_order_with_a_blank_counted_column_and_no_expected() -> None:
    pdf = render_count_sheet(_sheet())
    (page,) = pdf_text(pdf)
    for expected in (
        "Count sheet",
        "Count CC-1001",
        "Scope Aisle B-",
        "Blind count Yes",
        "Counted by",
        "Signature",
        "Page 1 of 1",
    ):
        assert expected in page, expected
    assert "Expected" not in page and "24" not in page and "2.5" not in page
    (table,) = pdf_tables(pdf)
    assert table == [
        BLIND_HEADER,
        ["B-01-01", "KAFFE-500", "Kaffe <mellan> & rost", "", "pcs", ""],
        ["", "MJOLK-1L", "Mjölk 1 l", "L1", "pcs", ""],
        ["", "", "", "", "", ""],
        ["B-01-02", "", NOT_LISTED, "", "", ""],
        ["B-02-01", "TE-GRON", "Grönt te", "", "pcs", ""],
        ["", "", "", "", "", ""],
    ]


def test_a_sheet_that_is_not_blind_shows_what_is_expected() -> None:
    (table,) = pdf_tables(render_count_sheet(_sheet(blind=False)))
    assert table[0] == ["Bin", "SKU", "Description", "Lot", "Unit", "Expected", "Counted"]
    assert table[1] == ["B-01-01", "KAFFE-500", "Kaffe <mellan> & rost", "", "pcs", "24", ""]
    assert table[5][5] == "2.5"


def test_a_recount_sheet_says_so() -> None:
    (page,) = pdf_text(render_count_sheet(_sheet(recount_only=True)))
    assert "Recount sheet" in page


def test_in_swedish_every_header_fits_its_column() -> None:
    i18n.set_language("sv")
    try:
        pdf = render_count_sheet(_sheet(blind=False))
    finally:
        i18n.set_language("en")
    (table,) = pdf_tables(pdf)
    assert table[0] == [
        "Lagerplats",
        "Artikelnummer",
        "Benämning",
        "Parti",
        "Enhet",
        "Förväntat",
        "Räknat",
    ]
    assert "Inventeringslista" in pdf_text(pdf)[0]


def test_a_long_sheet_breaks_into_pages_and_reads_as_an_image(tmp_path: Path) -> None:
    bins = tuple(f"B-{i // 2 + 1:02d}-{i % 2 + 1:02d}" for i in range(60))
    lines = tuple(
        CountSheetLine(code, f"SKU-{i:03d}", f"Artikel nummer {i}", "pcs", "", D(i))
        for i, code in enumerate(bins)
    )
    pdf = render_count_sheet(_sheet(bins=bins, lines=lines))
    pages = render_pages(pdf, tmp_path, 80)
    assert len(pages) >= 3
    assert "Page 1 of" in pdf_text(pdf)[0]
    with Image.open(pages[0]) as image:
        width, height = image.size
        assert width == 662 and abs(height - 935) <= 1  # A4 at 80 dpi
        # The Counted column is shaded for writing in: not white, and not text-dark.
        grey = image.convert("L").getpixel((int(width * 0.88), int(height * 0.5)))
        assert isinstance(grey, int) and 200 < grey < 255


def test_the_sheet_of_a_count(db: Database) -> None:
    with unit_of_work(db) as s:
        shop = build_shop(s)
        view = counting.start_count(s, shop.user, CountKind.AISLE, "A-")
        pdf = counting.count_sheet_pdf(s, view.id)
    (table,) = pdf_tables(pdf)
    # The shop has nothing on the shelves: each bin is listed for goods found there.
    assert table[1:] == [
        ["A-01-01", "", NOT_LISTED, "", "", ""],
        ["A-01-02", "", NOT_LISTED, "", "", ""],
    ]
    with unit_of_work(db) as s:
        counting.finish_count(s, shop.user, view.id)
        with pytest.raises(ValidationError, match="is done"):
            counting.count_sheet_pdf(s, view.id)
