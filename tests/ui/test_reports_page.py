"""The Reports page: a report is made in the background and saved where the user chose
(PDF or CSV), wrong dates are said beside the fields before any dialog, and a report
can be cancelled."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QSettings
from pytestqt.qtbot import QtBot

from app.models import MoveKind
from app.services import ledger
from app.services.database import Database, unit_of_work
from app.services.reports import ReportKind
from app.ui import reports_page, widgets
from app.ui.pages import page_keys
from app.ui.reports_page import ReportsPage
from app.ui.runner import Runner
from tests import factories as f
from tests.ui.conftest import TIMEOUT_MS, Dialogs


@pytest.fixture
def stocked(sqlite_db: Database) -> Database:
    """Two items, one received and partly issued a month ago."""
    with unit_of_work(sqlite_db) as s:
        p = f.places(s)
        moving = f.item(s, p.user, "MOVE-1", name="<b>Fish & Chips</b>").id
        f.item(s, p.user, "IDLE-1")
        moved_at = dt.datetime.now().astimezone() - dt.timedelta(days=30)
        for into, qty in ((True, "10"), (False, "4")):
            ledger.post_move(
                s,
                item_id=moving,
                quantity=Decimal(qty),
                from_location_id=p.supplier if into else p.bins[0],
                to_location_id=p.bins[0] if into else p.customer,
                kind=MoveKind.RECEIPT if into else MoveKind.ISSUE,
                user_id=p.user,
                unit_cost=Decimal("12.50") if into else None,
                moved_at=moved_at,
            )
    return sqlite_db


@pytest.fixture
def page(qtbot: QtBot, runner: Runner, stocked: Database, settings: QSettings) -> ReportsPage:
    widget = ReportsPage(runner, settings=settings)
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Files the page asked the desktop to open."""
    seen: list[Path] = []
    monkeypatch.setattr(reports_page, "open_file", lambda path: seen.append(path) or True)
    return seen


def test_the_reports_page_is_in_the_window_before_settings() -> None:
    keys = page_keys()
    assert keys.index("reports") < keys.index("settings") == len(keys) - 1


def test_a_pdf_is_made_in_the_background_saved_and_opened(
    qtbot: QtBot,
    page: ReportsPage,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    dialogs: Dialogs,
    opened: list[Path],
) -> None:
    target = tmp_path / "abc.pdf"
    asked: list[str] = []

    def choose(_parent: object, title: str, suggested: Path) -> Path:
        asked.append(suggested.name)
        return target

    monkeypatch.setattr(reports_page, "choose_pdf_path", choose)
    page.select_report(ReportKind.ABC)
    assert page.from_edit.isVisible() and not page.as_of_edit.isVisible()
    with qtbot.waitSignal(page.report_saved, timeout=TIMEOUT_MS * 4) as saved:
        page.make_button.click()
        assert not page.make_button.isEnabled()
    assert saved.args == [target]
    assert target.read_bytes().startswith(b"%PDF")
    assert asked and asked[0].startswith("ABC analysis ") and asked[0].endswith(".pdf")
    assert dialogs.questions and "Open it now?" in dialogs.questions[0]
    assert opened == [target]
    assert page.make_button.isEnabled() and not page.progress.isVisible()
    assert not dialogs.errors


def test_a_csv_is_written_through_the_save_dialog(
    qtbot: QtBot,
    page: ReportsPage,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    dialogs: Dialogs,
    opened: list[Path],
) -> None:
    dialogs.answer = False
    monkeypatch.setattr(widgets, "get_save_file_name", lambda *_args: str(tmp_path / "dead stock"))
    page.select_report(ReportKind.DEAD_STOCK)
    assert page.as_of_edit.isVisible() and not page.from_edit.isVisible()
    page.csv_radio.setChecked(True)
    with qtbot.waitSignal(page.report_saved, timeout=TIMEOUT_MS * 4) as saved:
        page.make_report()
    path = saved.args[0]
    assert path == tmp_path / "dead stock.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("status,sku,name")
    assert opened == []


def test_wrong_dates_are_shown_beside_the_fields_before_any_dialog(
    qtbot: QtBot, page: ReportsPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[object] = []
    monkeypatch.setattr(reports_page, "choose_pdf_path", lambda *args: asked.append(args))
    page.select_report(ReportKind.TURNOVER)
    page.from_edit.setDate(QDate(2026, 5, 2))
    page.to_edit.setDate(QDate(2026, 5, 1))
    page.make_report()
    assert asked == []
    assert page.error.isVisible() and "Swap the dates" in page.error.text()
    assert page.from_edit.property("error") is True
    page.from_edit.setDate(QDate(2026, 4, 1))
    assert not page.error.isVisible()


def test_cancelling_saves_nothing(
    qtbot: QtBot, page: ReportsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "valuation.pdf"
    monkeypatch.setattr(reports_page, "choose_pdf_path", lambda *_args: target)
    page.select_report(ReportKind.VALUATION)
    with qtbot.waitSignal(page.report_failed, timeout=TIMEOUT_MS * 4) as failed:
        page.make_report()
        page.cancel()
    assert "cancelled" in failed.args[0]
    assert not target.exists()
    assert page.make_button.isEnabled()


def test_a_failure_is_shown_and_the_page_can_be_used_again(
    qtbot: QtBot,
    page: ReportsPage,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    dialogs: Dialogs,
) -> None:
    monkeypatch.setattr(widgets, "get_save_file_name", lambda *_args: str(tmp_path))
    page.select_report(ReportKind.ABC)
    page.csv_radio.setChecked(True)
    # The chosen "file" is a folder with .csv added: writing it fails with a message.
    (tmp_path.parent / (tmp_path.name + ".csv")).mkdir()
    with qtbot.waitSignal(page.report_failed, timeout=TIMEOUT_MS * 4):
        page.make_report()
    assert dialogs.errors and "folder" in dialogs.errors[0]
    assert page.make_button.isEnabled()
