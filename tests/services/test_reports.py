"""The reports' data on small hand-made ledgers (the numbers are worked out in the
tests), the checks on a report's dates, and formula-safe CSV files."""

from __future__ import annotations

import csv
import datetime as dt
import gc
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.models import MoveKind
from app.services import ledger, reports, settings
from app.services.database import Database, unit_of_work
from app.services.errors import ValidationError
from app.services.reports import ReportKind, ReportRequest, check_request
from tests import factories as f

D = Decimal
TODAY = dt.date(2026, 6, 15)


def _at(day: dt.date) -> dt.datetime:
    """Noon local time of ``day``."""
    return dt.datetime.combine(day, dt.time(12)).astimezone()


def _ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def _move(
    s: Session, p: f.Places, item: int, qty: str, *, days_ago: int, into: bool, cost: str = "1"
) -> None:
    ledger.post_move(
        s,
        item_id=item,
        quantity=D(qty),
        from_location_id=p.supplier if into else p.bins[0],
        to_location_id=p.bins[0] if into else p.customer,
        kind=MoveKind.RECEIPT if into else MoveKind.ISSUE,
        user_id=p.user,
        unit_cost=D(cost) if into else None,
        moved_at=_at(_ago(days_ago)),
    )


# --- the dates of a report ------------------------------------------------------------------


def test_a_period_report_defaults_to_the_year_up_to_today() -> None:
    checked = check_request(ReportRequest(ReportKind.TURNOVER), today=TODAY)
    assert (checked.start, checked.end) == (dt.date(2025, 6, 16), TODAY)
    only_start = check_request(
        ReportRequest(ReportKind.ABC, start=dt.date(2026, 1, 1)), today=TODAY
    )
    assert only_start.end == TODAY
    assert check_request(ReportRequest(ReportKind.VALUATION), today=TODAY).as_of == TODAY


@pytest.mark.parametrize(
    ("request_", "field", "words"),
    [
        (
            ReportRequest(ReportKind.TURNOVER, start=dt.date(2026, 5, 2), end=dt.date(2026, 5, 1)),
            "start",
            "Swap the dates",
        ),
        (
            ReportRequest(ReportKind.ABC, start=dt.date(2026, 1, 1), end=dt.date(2026, 7, 1)),
            "end",
            "after today",
        ),
        (
            ReportRequest(ReportKind.TURNOVER, start=dt.date(2020, 1, 1), end=dt.date(2026, 1, 1)),
            "start",
            "at most five years",
        ),
        (ReportRequest(ReportKind.VALUATION, as_of=dt.date(2026, 6, 16)), "as_of", "after today"),
        (ReportRequest(ReportKind.DEAD_STOCK, start=dt.date(2026, 1, 1)), "start", "one day"),
        (ReportRequest(ReportKind.WRITE_DOWNS, as_of=dt.date(2026, 1, 1)), "as_of", "period"),
    ],
)
def test_wrong_dates_are_refused_with_what_to_fix(
    request_: ReportRequest, field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        check_request(request_, today=TODAY)
    assert caught.value.field == field
    assert words in caught.value.message


def test_an_unknown_report_is_refused_naming_the_reports_there_are() -> None:
    with pytest.raises(ValidationError, match="turnover, write-downs, valuation"):
        check_request(ReportRequest("stock-list"), today=TODAY)  # type: ignore[arg-type]


# --- dead stock and slow movers --------------------------------------------------------------


def test_dead_and_slow_items_are_found_and_valued(db: Database) -> None:
    with unit_of_work(db) as s:
        p = f.places(s)
        dead = f.item(s, p.user, "DEAD").id
        slow = f.item(s, p.user, "SLOW").id
        brisk = f.item(s, p.user, "BRISK").id
        new = f.item(s, p.user, "NEW").id
        # DEAD: 10 in at 5.00, 2 out 250 days ago: 8 left, idle 250 days, worth 40.
        _move(s, p, dead, "10", days_ago=300, into=True, cost="5")
        _move(s, p, dead, "2", days_ago=250, into=False)
        # SLOW: 100 in, 10 out 10 days ago: 90 left last 3,285 days at 10 a year.
        _move(s, p, slow, "100", days_ago=100, into=True, cost="1.50")
        _move(s, p, slow, "10", days_ago=10, into=False)
        # BRISK: 10 in, 5 out: 5 left last exactly 365 days (not more): not slow.
        _move(s, p, brisk, "10", days_ago=30, into=True, cost="2")
        _move(s, p, brisk, "5", days_ago=5, into=False)
        # NEW: came in 20 days ago and was not issued yet: not dead.
        _move(s, p, new, "4", days_ago=20, into=True, cost="3")
    data = db.read(reports.dead_stock_data, TODAY)
    assert [(line.sku, line.status) for line in data.lines] == [("SLOW", "slow"), ("DEAD", "dead")]
    slow_line, dead_line = data.lines
    assert (dead_line.on_hand, dead_line.value, dead_line.idle_days) == (D(8), D(40), 250)
    assert dead_line.last_issue == _ago(250)
    assert dead_line.issued_last_year == D(2) and dead_line.cover_days == D(1460)
    assert (slow_line.on_hand, slow_line.value, slow_line.cover_days) == (D(90), D(135), D(3285))
    assert data.items_in_stock == 4
    assert data.stock_value == D(40) + D(135) + D(10) + D(12)
    assert data.dead_value == D(40) and data.slow_value == D(135)
    assert [bucket.items for bucket in data.buckets] == [3, 0, 1, 0, 0]
    # As of a day before the SLOW item's issue, it had never been issued (idle 90 days).
    earlier = db.read(reports.dead_stock_data, _ago(11))
    assert [(line.sku, line.status) for line in earlier.lines] == [("DEAD", "dead")]


def test_dead_stock_needs_days_of_at_least_one(sqlite_db: Database) -> None:
    with pytest.raises(ValidationError, match="at least 1"):
        sqlite_db.read(reports.dead_stock_data, TODAY, dead_days=0)


# --- ABC analysis ----------------------------------------------------------------------------


def test_abc_classes_shares_and_cumulative_shares(db: Database) -> None:
    with unit_of_work(db) as s:
        p = f.places(s)
        ids = {sku: f.item(s, p.user, sku).id for sku in ("A1", "B1", "C1", "IDLE")}
        for sku, qty in (("A1", "80"), ("B1", "15"), ("C1", "5")):
            _move(s, p, ids[sku], qty, days_ago=60, into=True, cost="10")
            _move(s, p, ids[sku], qty, days_ago=30, into=False)
        # Issued before the period: not consumption of the period.
        _move(s, p, ids["IDLE"], "9", days_ago=200, into=True, cost="10")
        _move(s, p, ids["IDLE"], "9", days_ago=100, into=False)
    data = db.read(reports.abc_data, _ago(89), TODAY)
    assert [(line.sku, line.value, line.abc_class) for line in data.lines] == [
        ("A1", D(800), "A"),
        ("B1", D(150), "B"),
        ("C1", D(50), "C"),
    ]
    assert [line.share for line in data.lines] == [D(80), D(15), D(5)]
    assert [line.cumulative for line in data.lines] == [D(80), D(95), D(100)]
    assert [(c.abc_class, c.items, c.value) for c in data.classes] == [
        ("A", 1, D(800)),
        ("B", 1, D(150)),
        ("C", 2, D(50)),
    ]
    assert data.items_without_issues == 1 and data.total_value == D(1000)


# --- every report on an empty database, and the CSV files -----------------------------------


@pytest.mark.parametrize("kind", list(ReportKind))
def test_every_report_can_be_made_on_an_empty_database(
    sqlite_db: Database, kind: ReportKind
) -> None:
    if reports.is_period_report(kind):
        request = ReportRequest(kind, start=_ago(30), end=TODAY)
    else:
        request = ReportRequest(kind, as_of=TODAY)
    pdf = sqlite_db.read(reports.report_pdf, request)
    assert pdf.startswith(b"%PDF")


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(
    sqlite_db: Database, tmp_path: Path
) -> None:
    with unit_of_work(sqlite_db) as s:
        p = f.places(s)
        item = f.item(s, p.user, "EVIL-1", name='=HYPERLINK("http://x","y")', category="@cmd").id
        _move(s, p, item, "3", days_ago=300, into=True, cost="2")
    path = tmp_path / "dead.csv"
    request = ReportRequest(ReportKind.DEAD_STOCK, as_of=TODAY)
    assert sqlite_db.read(reports.write_report_csv, request, path) == 1
    with path.open(encoding="utf-8", newline="") as fh:
        record = next(csv.DictReader(fh))
    assert record["name"] == '\'=HYPERLINK("http://x","y")'
    assert record["category"] == "'@cmd"
    assert record["value"] == "6"


def test_a_csv_report_is_not_written_over_a_folder(sqlite_db: Database, tmp_path: Path) -> None:
    request = ReportRequest(ReportKind.ABC, start=_ago(30), end=TODAY)
    with pytest.raises(Exception, match="is a folder"):
        sqlite_db.read(reports.write_report_csv, request, tmp_path)


def test_the_report_benchmark_runs_on_a_small_data_set(tmp_path: Path) -> None:
    from benchmarks.dataset import build_dataset, open_dataset
    from benchmarks.reports import measure_reports

    path = tmp_path / "bench.db"
    build_dataset(path, items=40, moves=800, bins=4, suppliers=2, today=TODAY)
    db = open_dataset(path)
    try:
        metrics = measure_reports(db)
    finally:
        db.dispose()
    by_name = {metric.name: metric for metric in metrics}
    assert by_name["stock turnover PDF, a year, all items"].budget == 5000
    assert by_name["valuation as of a date (all items)"].budget == 2000
    assert {"valuation report PDF", "abc report PDF"} <= set(by_name)
    assert all(metric.value > 0 for metric in metrics)


def test_making_a_report_leaves_the_garbage_collector_as_it_found_it(sqlite_db: Database) -> None:
    """Reports set the program's objects aside from the collector while they run (gc.freeze)
    and hand them back after, also when the report fails; objects frozen by someone else
    stay frozen."""
    assert gc.get_freeze_count() == 0
    sqlite_db.read(reports.report_pdf, ReportRequest(ReportKind.VALUATION, as_of=TODAY))
    assert gc.get_freeze_count() == 0
    with unit_of_work(sqlite_db) as s:
        settings.set_setting(s, "selling_cost_percent", "lots")
    with pytest.raises(ValidationError, match="selling cost"):
        sqlite_db.read(reports.report_pdf, ReportRequest(ReportKind.VALUATION, as_of=TODAY))
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        sqlite_db.read(reports.report_data, ReportRequest(ReportKind.ABC, end=TODAY))
        # Not handed back (0), nor frozen again with what came since (more); some of the
        # frozen objects may have died meanwhile.
        assert 0 < gc.get_freeze_count() <= frozen
    finally:
        gc.unfreeze()


def test_a_reversed_issue_counts_back_but_the_issue_stays_the_last_one(db: Database) -> None:
    """REV: 20 in 400 days ago; out 2 (380 days ago, before the year), 5 (30 days ago) and
    3 (10 days ago), the last reversed today: 13 on hand, 5 issued in the year (5 + 3 - 3),
    last issue 10 days ago, the stock lasts 13 x 365 / 5 = 949 days: a slow mover."""
    today = reports.local_today()

    def post(s: Session, p: f.Places, qty: str, days_ago: int, *, into: bool) -> int:
        return ledger.post_move(
            s,
            item_id=item,
            quantity=D(qty),
            from_location_id=p.supplier if into else p.bins[0],
            to_location_id=p.bins[0] if into else p.customer,
            kind=MoveKind.RECEIPT if into else MoveKind.ISSUE,
            user_id=p.user,
            unit_cost=D("2") if into else None,
            moved_at=_at(today - dt.timedelta(days=days_ago)),
        ).id

    with unit_of_work(db) as s:
        p = f.places(s)
        item = f.item(s, p.user, "REV").id
        post(s, p, "20", 400, into=True)
        post(s, p, "2", 380, into=False)
        post(s, p, "5", 30, into=False)
        wrong = post(s, p, "3", 10, into=False)
        ledger.reverse_move(s, wrong, p.user, "Picked the wrong item")
    (line,) = db.read(reports.dead_stock_data, today).lines
    assert (line.sku, line.status, line.on_hand, line.value) == ("REV", "slow", D(13), D(26))
    assert (line.issued_last_year, line.last_issue, line.idle_days) == (
        D(5),
        today - dt.timedelta(days=10),
        10,
    )
    assert line.cover_days == D(949)
