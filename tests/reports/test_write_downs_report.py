"""The write-downs PDF: each write-down with its values before and after and who approved
it, totals per reason that add up, escaping, Swedish numbers; and the report on the demo
warehouse's period (made from the service's data, whatever write-downs it holds)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest

from app import i18n
from app.reports.common import Party
from app.reports.frame import ReportFrame
from app.reports.write_downs import (
    ReasonTotal,
    WriteDownLine,
    WriteDownsReport,
    render_write_downs,
)
from app.services import reports
from app.services.database import Database
from app.services.reports import ReportKind, ReportRequest
from tests.reports.conftest import DEMO_TODAY, YEAR_START
from tests.reports.pdf_tools import pdf_tables, pdf_text

D = Decimal


def _line(number: str, reason: str, before: str, after: str, **kw: object) -> WriteDownLine:
    data: dict[str, object] = {
        "number": number,
        "day": dt.date(2026, 3, 4),
        "sku": "FIS-1",
        "name": "<b>Fish & Chips</b>",
        "lot": "L-77",
        "kind": "scrapped",
        "reason": reason,
        "note": "",
        "quantity": D("12.5"),
        "unit": "kg",
        "value_before": D(before),
        "value_after": D(after),
        "approved_by": "Lena Berg",
    }
    data.update(kw)
    return WriteDownLine(**data)  # type: ignore[arg-type]


def _report() -> WriteDownsReport:
    lines = (
        _line("WD-1001", "Expired", "1250.00", "0"),
        _line("WD-1002", "Price fall", "4000.00", "2800.00", kind="value", quantity=None),
        _line("WD-1003", "Expired", "99.99", "0", note="Lot past its date", lot=""),
    )
    reasons = (
        ReasonTotal("Expired", 2, D("1349.99"), D(0)),
        ReasonTotal("Price fall", 1, D("4000.00"), D("2800.00")),
    )
    frame = ReportFrame(
        title="Write-downs",
        company=Party("Hylla Testlager AB"),
        period="2026-01-01 – 2026-03-31",
        generated_at=dt.datetime(2026, 4, 1, 8, tzinfo=dt.UTC),
        currency="SEK",
    )
    return WriteDownsReport(frame, dt.date(2026, 1, 1), dt.date(2026, 3, 31), lines, reasons)


@pytest.fixture
def swedish() -> Iterator[None]:
    i18n.set_language("sv")
    try:
        yield
    finally:
        i18n.set_language("en")


def test_each_write_down_and_the_totals_per_reason() -> None:
    data = _report()
    pdf = render_write_downs(data)
    tables = pdf_tables(pdf)
    by_reason = next(t for t in tables if t[0][:2] == ["Reason", "Write-downs"])
    assert by_reason[1:] == [
        ["Expired", "2", "1,349.99", "0.00", "1,349.99"],
        ["Price fall", "1", "4,000.00", "2,800.00", "1,200.00"],
        ["Total", "3", "5,349.99", "2,800.00", "2,549.99"],
    ]
    lines = next(t for t in tables if t[0][:2] == ["Number", "Date"])
    assert lines[1][:7] == [
        "WD-1001",
        "04/03/2026",
        "FIS-1",
        "<b>Fish & Chips</b>",
        "L-77",
        "Expired",
        "12.5 kg",
    ]
    assert lines[1][7:] == ["1,250.00", "0.00", "1,250.00", "Lena Berg"]
    assert lines[2][6] == "value"
    # A note longer than its column is cut with "…" (the CSV has it whole).
    assert lines[3][5].startswith("Expired: L") and lines[3][5].endswith("…")
    assert lines[-1][7:10] == ["5,349.99", "2,800.00", "2,549.99"]
    assert data.value_before - data.value_after == D("2549.99")


def test_the_swedish_write_downs_report(swedish: None) -> None:
    text = "\n".join(pdf_text(render_write_downs(_report()))).replace("\u00a0", " ")
    assert "Nedskrivningar" in text and "Per orsak" in text
    assert "5 349,99" in text and "2 549,99" in text and "12,5 kg" in text
    assert "Sida 1 av 1" in text


def test_the_report_of_the_demo_period_matches_the_service(demo_db: Database) -> None:
    data = demo_db.read(reports.write_downs_data, YEAR_START, DEMO_TODAY)
    pdf = demo_db.read(
        reports.report_pdf, ReportRequest(ReportKind.WRITE_DOWNS, start=YEAR_START, end=DEMO_TODAY)
    )
    text = "\n".join(pdf_text(pdf))
    assert "<b>Fish & Chips</b> AB" in text
    tables = pdf_tables(pdf)
    by_reason = next(t for t in tables if t[0][:2] == ["Reason", "Write-downs"])
    assert by_reason[-1][0] == "Total" and int(by_reason[-1][1]) == len(data.lines)
    written_down = data.value_before - data.value_after
    assert by_reason[-1][4] == f"{written_down.quantize(D('0.01')):,.2f}"
    if not data.lines:
        assert "No write-down was posted in the period." in text


def test_write_downs_posted_through_the_service_are_reported(db: Database) -> None:
    from app.models import Role, User
    from app.models.write_downs import WriteDownKind, WriteDownReason
    from app.services import write_downs
    from app.services.database import unit_of_work
    from app.services.users import UserId
    from tests import factories as f

    today = reports.local_today()
    with unit_of_work(db) as s:
        p = f.places(s)
        lena = User(username="lena", display_name="Lena Berg", role=Role.MANAGER)
        anna = User(username="anna", display_name="Anna", role=Role.STAFF)
        s.add_all([lena, anna])
        s.flush()
        fish = f.item(s, p.user, "FIS-1", name="<b>Fish & Chips</b>").id
        nuts = f.item(s, p.user, "NUT-1", name="Nötter").id
        f.receive(s, p, fish, "10", cost="5")
        f.receive(s, p, nuts, "100", cost="20")
        # Anna scraps 4 expired packs (20.00: below the approval limit, posted at once).
        write_downs.request_write_down(
            s,
            UserId(anna.id),
            write_downs.WriteDownInput(
                item_id=fish,
                kind=WriteDownKind.SCRAP,
                reason=WriteDownReason.EXPIRED,
                quantity=D(4),
                location_id=p.bins[0],
            ),
        )
        # Anna halves the value of the nuts (1,000.00 off: waits for Lena, who approves).
        asked = write_downs.request_write_down(
            s,
            UserId(anna.id),
            write_downs.WriteDownInput(
                item_id=nuts,
                kind=WriteDownKind.VALUE,
                reason=WriteDownReason.PRICE_FALL,
                percent=D(50) + D("0.01"),
            ),
        )
        assert not asked.posted
        write_downs.approve_write_down(s, UserId(lena.id), asked.write_down.id)
    data = db.read(reports.write_downs_data, today, today)
    assert [(line.sku, line.reason) for line in data.lines] == [
        ("FIS-1", "Expired"),
        ("NUT-1", "Price fall"),
    ]
    scrap, value = data.lines
    assert (scrap.quantity, scrap.value_before, scrap.value_after) == (D(4), D(20), D(0))
    assert scrap.approved_by == "no approval needed"
    assert value.quantity is None and value.approved_by == "Lena Berg"
    assert value.value_before == D(2000) and value.written_down > D(1000)
    pdf = db.read(reports.report_pdf, ReportRequest(ReportKind.WRITE_DOWNS, start=today, end=today))
    tables = pdf_tables(pdf)
    by_reason = next(t for t in tables if t[0][:2] == ["Reason", "Write-downs"])
    total = data.value_before - data.value_after
    assert by_reason[-1] == [
        "Total",
        "2",
        f"{data.value_before:,.2f}",
        f"{data.value_after.quantize(D('0.01')):,.2f}",
        f"{total.quantize(D('0.01')):,.2f}",
    ]
    rows = next(t for t in tables if t[0][:2] == ["Number", "Date"])
    assert rows[1][3] == "<b>Fish & Chips</b>" and rows[2][10] == "Lena Berg"
