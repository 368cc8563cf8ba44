"""The variance report of a count: snapshot, system quantity at count, counted, variance in
quantity and value, tolerance flags and statuses, totals, and the rule of measurement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from app import i18n
from app.models import CountKind, Role, User
from app.reports.common import Party
from app.reports.variance_report import (
    VarianceReportLine,
    VarianceReportPdf,
    render_variance_report,
)
from app.services import counting
from app.services.database import Database, unit_of_work
from app.services.errors import NotAllowedError, ValidationError
from app.services.users import UserId
from tests.reports.pdf_tools import pdf_tables, pdf_text, render_pages
from tests.services.purchasing_setup import COFFEE_CARTON, build_shop

D = Decimal
AT = dt.datetime(2026, 3, 2, 7, 30, tzinfo=dt.UTC)
HEADER = [
    "Bin",
    "SKU",
    "Description",
    "At start",
    "At count",
    "Counted",
    "Variance",
    "Value",
    "Status",
]


def _line(**kw: object) -> VarianceReportLine:
    data: dict[str, object] = {
        "bin_code": "B-01-01",
        "sku": "KAFFE-500",
        "name": "Kaffe",
        "unit": "pcs",
        "lot": "",
        "unexpected": False,
        "expected": D(24),
        "system_at_count": D(36),
        "counted": D(35),
        "variance": D(-1),
        "value": D("-40.00"),
        "beyond_tolerance": False,
        "status": "Approved",
        "counted_by": "Anna",
    }
    data.update(kw)
    return VarianceReportLine(**data)  # type: ignore[arg-type]


def _report(**kw: object) -> VarianceReportPdf:
    data: dict[str, object] = {
        "number": "CC-1001",
        "title": "Aisle B-",
        "company": Party("Hylla Testlager AB"),
        "currency": "SEK",
        "status": "In review",
        "blind": True,
        "created_at": AT,
        "finished_at": AT,
        "finished_by": "Anna",
        "tolerance_percent": D(5),
        "tolerance_value": D(500),
        "rule_text": counting.variance_rule_text(),
        "lines": (
            _line(),
            _line(
                bin_code="B-01-02",
                sku="TE-GRON",
                name="Te <grönt>",
                unexpected=True,
                expected=D(0),
                system_at_count=D(0),
                counted=D(2),
                variance=D(2),
                value=D("40.00"),
                beyond_tolerance=True,
                status="Pending",
                counted_by="Anna, Erik",
            ),
            _line(
                bin_code="B-02-01",
                sku="MJOLK-1L",
                lot="L1",
                system_at_count=None,
                counted=None,
                variance=None,
                value=None,
                beyond_tolerance=None,
                status="Skipped",
                counted_by="",
            ),
        ),
    }
    data.update(kw)
    return VarianceReportPdf(**data)  # type: ignore[arg-type]


def test_the_report_shows_each_line_and_the_totals() -> None:
    pdf = render_variance_report(_report())
    (page,) = pdf_text(pdf)
    page = " ".join(page.split())  # wrapped lines read as one text
    for expected in (
        "Count variance report",
        "Count CC-1001",
        "Lines 3",
        "Counted 2",
        "With a variance 2",
        "Beyond tolerance 1",
        "Within tolerance 50 %",
        "Found more SEK 40.00",
        "Found less SEK -40.00",
        "Net variance SEK 0.00",
        "more than 5 percent of the system quantity or more than SEK 500.00 in value",
        "at the moment the line was",
        "Page 1 of 1",
    ):
        assert expected in page, expected
    (table,) = pdf_tables(pdf)
    assert table == [
        HEADER,
        [
            "B-01-01",
            "KAFFE-500",
            "Kaffe counted by Anna",
            "24",
            "36",
            "35",
            "-1",
            "-40.00",
            "Approved",
        ],
        [
            "B-01-02",
            "TE-GRON",
            "Te <grönt> not expected here · counted by Anna, Erik",
            "0",
            "0",
            "2",
            "+2",
            "40.00",
            "Pending",
        ],
        ["B-02-01", "MJOLK-1L", "Kaffe lot L1", "24", "–", "–", "–", "–", "Skipped"],
    ]


def test_in_swedish_every_header_fits_its_column() -> None:
    i18n.set_language("sv")
    try:
        pdf = render_variance_report(_report())
    finally:
        i18n.set_language("en")
    (table,) = pdf_tables(pdf)
    assert table[0] == [
        "Lagerplats",
        "Artikelnummer",
        "Benämning",
        "Vid start",
        "Vid räkning",
        "Räknat",
        "Differens",
        "Värde",
        "Status",
    ]
    assert "Inventeringsdifferenser" in pdf_text(pdf)[0]


def test_lines_beyond_tolerance_are_shaded(tmp_path: Path) -> None:
    pages = render_pages(render_variance_report(_report()), tmp_path, 80)
    with Image.open(pages[0]) as image:
        rgb = image.convert("RGB")
        # Find the pink of a shaded row somewhere across the table's middle.
        pink = [
            y
            for y in range(image.size[1])
            if rgb.getpixel((image.size[0] // 2, y)) == (253, 231, 228)
        ]
        assert pink, "no shaded row"


def test_the_report_of_a_count_exists_only_once_counting_is_finished(db: Database) -> None:
    with unit_of_work(db) as s:
        shop = build_shop(s)
        view = counting.start_count(s, shop.user, CountKind.BIN, "A-01-01")
        counting.add_scan(s, shop.user, view.id, COFFEE_CARTON)
        with pytest.raises(ValidationError, match="still being counted"):
            counting.variance_report_pdf(s, view.id)
        counting.finish_count(s, shop.user, view.id)
        pdf = counting.variance_report_pdf(s, view.id)
    (table,) = pdf_tables(pdf)
    assert table[1][:8] == [
        "A-01-01",
        "KAFFE-500",
        "Kaffe mellanrost 500 g not expected here · counted by maja",
        "0",
        "0",
        "12",
        "+12",
        "0.00",
    ]


def test_staff_get_no_variance_report_of_a_blind_count_still_in_review(db: Database) -> None:
    """The report shows expected quantities: a counter who may yet recount its lines
    must not read them off paper; a manager may, and anyone once the count is done."""
    with unit_of_work(db) as s:
        shop = build_shop(s)
        staff = User(username="kim", display_name="Kim", role=Role.STAFF)
        s.add(staff)
        s.flush()
        kim = UserId(staff.id)
        blind = counting.start_count(s, shop.user, CountKind.BIN, "A-01-01")
        counting.add_scan(s, shop.user, blind.id, COFFEE_CARTON)
        counting.finish_count(s, shop.user, blind.id)
        with pytest.raises(NotAllowedError, match="only a manager may print its variance"):
            counting.variance_report_pdf(s, blind.id, viewer_id=kim)
        assert counting.variance_report_pdf(s, blind.id, viewer_id=shop.user)
        open_count = counting.start_count(s, shop.user, CountKind.BIN, "A-01-02", blind=False)
        counting.finish_count(s, shop.user, open_count.id)
        assert counting.variance_report_pdf(s, open_count.id, viewer_id=kim)
        (line,) = counting.get_count(s, shop.user, blind.id).lines
        counting.approve_count(s, shop.user, blind.id, [line.id])
        assert counting.variance_report_pdf(s, blind.id, viewer_id=kim)
