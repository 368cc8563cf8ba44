"""The Counts page's start panel and the review's recount, in the window: today's due
counts first (and on the navigation), one click to start them; ad hoc counts through the
dialog, whose bad input changes nothing; the list of counts with progress and who; the
inventory accuracy table; the count sheet and variance report as PDFs; a scanned count
number opening its count; a line sent for recount to someone else and counted again.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QFileInfo, QSettings, Qt
from PySide6.QtWidgets import QApplication, QFileIconProvider
from pytestqt.qtbot import QtBot

from app.models import CountKind, CountLineStatus, CountStatus, Role
from app.services import counting
from app.services.counting import CountView
from app.services.database import Database
from app.ui import count_dialogs
from app.ui.count_dialogs import RecountDialog, StartCountDialog
from app.ui.counts_page import CountsPage, accuracy_cell_text
from app.ui.main_window import MainWindow
from app.ui.receipt_dialogs import ConfirmDialog
from app.ui.runner import Runner
from app.ui.scan_feedback import Tone
from app.ui.widgets import NameOnlyIconProvider
from tests.services.purchasing_setup import COFFEE_CARTON, COFFEE_EAN, TEA_EAN
from tests.ui.conftest import TIMEOUT_MS, Dialogs
from tests.ui.scan_helpers import focused, scanner_keys
from tests.ui.test_count_screen import (
    Stocked,
    add_user,
    cell,
    open_counts_window,
    opened,
    press_enter_in,
    scan,
    start_aisle_count,
    stock_the_shop,
)
from tests.ui.test_scanner import focus

D = Decimal
# On the last day of the year every item has had a planned day: all are due.
YEAR_END = dt.date(dt.date.today().year, 12, 31)


@pytest.fixture
def stocked(sqlite_db: Database) -> Stocked:
    return sqlite_db.run(stock_the_shop)


@pytest.fixture
def window(
    qtbot: QtBot,
    qapp: QApplication,
    runner: Runner,
    sqlite_db: Database,
    settings: QSettings,
    stocked: Stocked,
) -> Iterator[MainWindow]:
    made = open_counts_window(qtbot, qapp, runner, stocked.maja, sqlite_db, settings)
    yield made
    made.scanner.uninstall()


def reload(qtbot: QtBot, page: CountsPage) -> None:
    with qtbot.waitSignal(page.overview_loaded, timeout=TIMEOUT_MS):
        page.refresh()


def test_todays_due_counts_show_first_and_start_with_one_click(
    qtbot: QtBot,
    qapp: QApplication,
    runner: Runner,
    sqlite_db: Database,
    settings: QSettings,
    stocked: Stocked,
) -> None:
    window = MainWindow(runner, stocked.maja, sqlite_db.describe(), settings)
    qtbot.addWidget(window)
    window.clock = lambda: YEAR_END
    window.show()
    qtbot.waitExposed(window)
    # At start, whatever page shows first, the navigation says what is due, without
    # building the Counts page.
    with qtbot.waitSignal(window.due_counts_shown, timeout=TIMEOUT_MS) as checked:
        window.start()
    assert not window.is_built("counts")
    page = window.counts_page
    page.clock = lambda: YEAR_END
    due = checked.args[0]
    assert [d.sku for d in due.items] == [
        d.sku for d in sqlite_db.run(counting.due_counts, YEAR_END).items
    ]
    assert len(due.items) == 4
    assert window.counts_entry.text() == "Counts (4)"
    assert "4 items are due for their cycle count today." in window.counts_entry.toolTip()
    assert window.counts_entry.font().bold()

    # The page opens with the due list and its one button.
    with qtbot.waitSignal(page.overview_loaded, timeout=TIMEOUT_MS):
        window.show_page(window.COUNTS)
    assert page.due_label.text().startswith("4 items are due for their cycle count.")
    assert page.due_model.visible_count() == 4
    assert page.start_due_button.text() == "Start today's count (4 items)"
    assert page.due_group.title().startswith("Due today") or "not a working day" in (
        page.due_group.title()
    )
    # A stray Enter in the due list starts nothing; the button does.
    focus(qtbot, page.due_table)
    qtbot.keyClick(page.due_table, Qt.Key.Key_Return)
    qtbot.wait(200)
    assert sqlite_db.run(counting.list_counts) == []
    with qtbot.waitSignal(page.count_opened, timeout=TIMEOUT_MS) as started:
        qtbot.mouseClick(page.start_due_button, Qt.MouseButton.LeftButton)
    view = started.args[0]
    assert isinstance(view, CountView) and view.kind is CountKind.CYCLE and view.blind
    assert page.stack.currentIndex() == page.COUNT
    assert page.count_screen.title_label.text().startswith(f"{view.number} — Cycle count")
    assert {ln.sku for ln in view.lines} == {d.sku for d in due.items}

    # Back on the list, the button continues the count, and nothing more is due.
    with qtbot.waitSignal(page.overview_loaded, timeout=TIMEOUT_MS):
        qtbot.mouseClick(page.count_screen.leave_button, Qt.MouseButton.LeftButton)
    assert page.start_due_button.text() == f"Continue {view.number}"
    assert page.due_label.text() == "Today's cycle count is started."
    assert window.counts_entry.text() == "Counts"
    with qtbot.waitSignal(page.count_opened, timeout=TIMEOUT_MS) as again:
        qtbot.mouseClick(page.start_due_button, Qt.MouseButton.LeftButton)
    assert again.args[0].id == view.id
    assert len(sqlite_db.run(counting.list_counts)) == 1


def test_the_start_dialog_offers_scopes_and_refuses_bad_ones(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database
) -> None:
    page = window.counts_page
    dialog = opened(qtbot, page.dialog_opened, page.start_count_dialog)
    assert isinstance(dialog, StartCountDialog)
    if dialog._choices is None:
        qtbot.waitSignal(dialog.choices_loaded, timeout=TIMEOUT_MS).wait()
    dialog.set_kind(CountKind.AISLE)
    completer = dialog.scope_edit.completer()
    assert completer is not None
    assert {"A-", "A-01-", "B-", "C-03-"} <= set(completer.model().stringList())
    dialog.set_kind(CountKind.BIN)
    assert "A-01-01" in completer.model().stringList()

    # No scope: said beside the field, nothing started.
    dialog.scope_edit.clear()
    qtbot.keyClick(dialog.scope_edit, Qt.Key.Key_Return)
    assert dialog.scope_error.isVisible()
    assert dialog.scope_error.text().startswith("Say what to count")
    # A bin that does not exist: the service's reason beside the field, nothing started.
    dialog.scope_edit.setText("Z-99-99")
    qtbot.keyClick(dialog.scope_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: dialog.scope_error.isVisible() or dialog.other_error.isVisible(),
        timeout=TIMEOUT_MS,
    )
    assert "Z-99-99" in dialog.scope_error.text() + dialog.other_error.text()
    assert dialog.isVisible()
    assert sqlite_db.run(counting.list_counts) == []

    # A full stock-take needs no scope; an open (not blind) one shows expected figures.
    dialog.set_kind(CountKind.FULL)
    assert not dialog.scope_edit.isVisible()
    dialog.blind_check.setChecked(False)
    with qtbot.waitSignal(page.count_opened, timeout=TIMEOUT_MS) as started:
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    view = started.args[0]
    assert view.kind is CountKind.FULL and not view.blind
    screen = page.count_screen
    assert screen.blind_label.text() == "Open count: expected quantities shown"
    focus(qtbot, screen.lines_table)
    scan(qtbot, screen, "A-01-01")
    assert not screen.lines_table.isColumnHidden(screen.lines_model.EXPECTED)
    assert cell(screen, "KAFFE-500", screen.lines_model.EXPECTED) == "39 pcs"


def test_the_list_shows_counts_with_progress_and_who_and_a_scanned_number_opens_one(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, stocked: Stocked
) -> None:
    page = window.counts_page
    view = sqlite_db.run(counting.start_count, stocked.maja.id, CountKind.AISLE, "A-")
    sqlite_db.run(counting.add_scan, stocked.maja.id, view.id, "A-01-01")
    sqlite_db.run(counting.add_scan, stocked.maja.id, view.id, COFFEE_EAN)
    reload(qtbot, page)
    row = page.counts_model.find_row(lambda r: r.id == view.id)
    texts = [page.counts_model.index(row, c).data() for c in range(5)]
    assert texts == [view.number, "Aisle A-", "Counting", "1 of 3", "maja"]
    assert page.sheet_button.isEnabled() and not page.report_button.isEnabled()

    # On the list, a count's number (the barcode on its sheet) opens that count.
    focus(qtbot, page.counts_table)
    with qtbot.waitSignal(page.count_opened, timeout=TIMEOUT_MS) as found:
        scanner_keys(page.counts_table, view.number)
    assert found.args[0].id == view.id
    assert page.stack.currentIndex() == page.COUNT
    assert page.count_screen.bin_label.text() == "A-01-01"

    # Something else scanned on the list says what to do.
    with qtbot.waitSignal(page.overview_loaded, timeout=TIMEOUT_MS):
        page.count_screen.leave_button.click()
    focus(qtbot, page.counts_table)
    scanner_keys(page.counts_table, "CC-9999")
    qtbot.waitUntil(lambda: window.banner.tone is Tone.PROBLEM, timeout=TIMEOUT_MS)
    assert window.banner.title.text() == "Open a count first"
    assert page.stack.currentIndex() == page.LIST


def test_inventory_accuracy_per_month_and_class(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, stocked: Stocked
) -> None:
    page = window.counts_page
    assert page.accuracy_label.text().startswith("No count has been approved yet")
    maja = stocked.maja.id
    view = sqlite_db.run(counting.start_count, maja, CountKind.BIN, "A-01-01")
    # Coffee found right (within), tea found short by 29 (beyond).
    sqlite_db.run(counting.set_counted, maja, view.id, stocked.shop.coffee, "39")
    sqlite_db.run(counting.set_counted, maja, view.id, stocked.shop.tea, "0")
    sqlite_db.run(counting.finish_count, maja, view.id)
    sqlite_db.run(counting.approve_count, maja, view.id)
    reload(qtbot, page)
    accuracy = sqlite_db.run(counting.inventory_accuracy)
    rows = page.accuracy_model.visible_rows()
    assert [r.label for r in rows] == [dt.date.today().strftime("%Y-%m"), "All months"]
    model = page.accuracy_model
    assert [model.index(1, c).data() for c in range(5)] == [
        "All months",
        "50% of 2",
        accuracy_cell_text(accuracy.by_class.get("A")),
        accuracy_cell_text(accuracy.by_class.get("B")),
        accuracy_cell_text(accuracy.by_class.get("C")),
    ]
    assert "within tolerance (5% or 500 SEK)" in page.accuracy_label.text()


def test_count_sheet_and_variance_report_are_saved_and_offered_to_open(
    qtbot: QtBot,
    window: MainWindow,
    sqlite_db: Database,
    stocked: Stocked,
    dialogs: Dialogs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = window.counts_page
    maja = stocked.maja.id
    view = sqlite_db.run(counting.start_count, maja, CountKind.AISLE, "A-")
    reload(qtbot, page)
    page.counts_table.selectRow(page.counts_model.find_row(lambda r: r.id == view.id))
    assert not page.report_button.isEnabled()
    chosen: list[str] = []

    def choose(_parent: object, title: str, suggested: Path) -> Path:
        chosen.append(f"{title}|{suggested.name}")
        return tmp_path / suggested.name

    monkeypatch.setattr(count_dialogs, "choose_pdf_path", choose)
    dialogs.answer = False
    with qtbot.waitSignal(page.pdf_saved, timeout=TIMEOUT_MS) as saved:
        qtbot.mouseClick(page.sheet_button, Qt.MouseButton.LeftButton)
    sheet = saved.args[0]
    assert chosen == [f"Save count sheet|{view.number} count sheet.pdf"]
    assert sheet.read_bytes().startswith(b"%PDF")
    assert dialogs.questions[-1].startswith(f"The count sheet of {view.number} is saved in")

    # Once counted, the variance report; the file dialog cancelled saves nothing.
    for line in view.lines:
        sqlite_db.run(
            counting.set_counted,
            maja,
            view.id,
            line.item_id,
            "1",
            bin_id=line.bin_id,
            lot=line.lot,
        )
    sqlite_db.run(counting.finish_count, maja, view.id)
    reload(qtbot, page)
    page.counts_table.selectRow(page.counts_model.find_row(lambda r: r.id == view.id))
    assert page.report_button.isEnabled()
    monkeypatch.setattr(count_dialogs, "choose_pdf_path", lambda *_a: None)
    page.save_pdf(variance=True)
    assert len(list(tmp_path.glob("*variance*"))) == 0
    monkeypatch.setattr(count_dialogs, "choose_pdf_path", choose)
    with qtbot.waitSignal(page.pdf_saved, timeout=TIMEOUT_MS) as saved:
        qtbot.mouseClick(page.report_button, Qt.MouseButton.LeftButton)
    assert saved.args[0].name == f"{view.number} variance report.pdf"
    assert saved.args[0].read_bytes().startswith(b"%PDF")
    assert dialogs.questions[-1].startswith(f"The variance report of {view.number} is saved")

    # Once done, there is nothing left to count on paper.
    sqlite_db.run(counting.approve_count, maja, view.id)
    reload(qtbot, page)
    assert page.selected_count() is not None and page.selected_count().status is CountStatus.DONE
    assert not page.sheet_button.isEnabled() and page.report_button.isEnabled()


def test_a_line_sent_for_recount_goes_to_someone_else_and_is_counted_again(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, stocked: Stocked
) -> None:
    page = window.counts_page
    screen = page.count_screen
    erik = sqlite_db.run(add_user, "erik", Role.STAFF)
    view = start_aisle_count(qtbot, page, "A-01-01")
    focus(qtbot, screen.lines_table)
    scan(qtbot, screen, "A-01-01")
    scan(qtbot, screen, COFFEE_CARTON)
    scan(qtbot, screen, TEA_EAN)
    finish = opened(qtbot, screen.dialog_opened, screen.finish_count)
    assert isinstance(finish, ConfirmDialog)
    with qtbot.waitSignal(page.review.count_shown, timeout=TIMEOUT_MS):
        press_enter_in(qtbot, finish)
    review = page.review
    tea = next(ln for ln in review.model.lines() if ln.sku == "TE-GRON")
    assert tea.beyond_tolerance

    # Recount the tea: the dialog proposes someone who has not counted it.
    review.select_lines([tea.id])
    with qtbot.waitSignal(review.dialog_opened, timeout=TIMEOUT_MS) as asked:
        qtbot.mouseClick(review.recount_button, Qt.MouseButton.LeftButton)
    dialog = asked.args[0]
    assert isinstance(dialog, RecountDialog)
    qtbot.waitExposed(dialog)
    assert dialog.assign_combo.currentText() == "Erik"
    assert "maja" in dialog.previous_label.text()
    with qtbot.waitSignal(review.recount_requested, timeout=TIMEOUT_MS) as requested:
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert requested.args[0].assigned_to == "Erik" and not requested.args[0].warning
    model = review.model
    assert model.text(tea.id, model.MARK) == "Recount: Erik"
    assert review.count_button.isVisible()
    line = sqlite_db.run(counting.get_count, erik.id, view.id).lines
    assert next(ln for ln in line if ln.sku == "TE-GRON").status is CountLineStatus.RECOUNT

    # Counting the recount line: the counting screen, scans, back to the review.
    with qtbot.waitSignal(screen.count_shown, timeout=TIMEOUT_MS):
        qtbot.mouseClick(review.count_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentIndex() == page.COUNT
    assert screen.message_label.text().startswith("Recount: 1 line is to be counted again.")
    focus(qtbot, screen.lines_table)
    scan(qtbot, screen, "A-01-01")
    for _n in range(29):
        scan(qtbot, screen, TEA_EAN)
    # The coffee is not sent back: counting it now is refused.
    refused = scan(qtbot, screen, COFFEE_EAN)
    assert refused.status.value == "not_recount"
    with qtbot.waitSignal(review.count_shown, timeout=TIMEOUT_MS):
        qtbot.mouseClick(screen.finish_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentIndex() == page.REVIEW
    assert model.text(tea.id, model.VARIANCE) == "0 pcs"
    assert model.text(tea.id, model.MARK) == "No variance"
    assert focused(qtbot) is not None
    current = sqlite_db.run(counting.get_count, stocked.maja.id, view.id)
    assert current.status is CountStatus.REVIEW


READ_IN_ANOTHER_PROCESS = (
    "import sqlite3, sys\n"
    "c = sqlite3.connect(sys.argv[1])\n"
    "c.execute('SELECT count(*) FROM t').fetchall()\n"
    "c.close()\n"
)


def wal_survives_listing(folder: Path, provider: QFileIconProvider) -> bool:
    """Whether a database's WAL survives a file dialog's look at its folder (types and
    icons of every file) and another process opening the database afterwards."""
    folder.mkdir()
    database = folder / "hylla.db"
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE t (x)")
        connection.execute("INSERT INTO t VALUES (1)")
        for path in sorted(folder.iterdir()):
            info = QFileInfo(str(path))
            provider.type(info)
            provider.icon(info)
        subprocess.run([sys.executable, "-c", READ_IN_ANOTHER_PROCESS, database], check=True)
        return (folder / "hylla.db-wal").exists()
    finally:
        connection.close()


def test_the_pdf_file_dialog_never_reads_the_database_files(
    qapp: QApplication, tmp_path: Path
) -> None:
    # Qt's own provider sniffs the WAL's content; closing it drops SQLite's locks, and
    # the other process then deletes the WAL under the open connection.
    assert not wal_survives_listing(tmp_path / "qt", QFileIconProvider())
    assert wal_survives_listing(tmp_path / "ours", NameOnlyIconProvider())
    provider = NameOnlyIconProvider()
    assert provider.type(QFileInfo(str(tmp_path / "ours" / "hylla.db-wal"))) == "DB-WAL file"
    assert provider.type(QFileInfo(str(tmp_path / "ours"))) == "Folder"


def test_staff_saving_a_blind_counts_variance_report_in_review_are_told_why_not(
    qtbot: QtBot,
    qapp: QApplication,
    runner: Runner,
    sqlite_db: Database,
    settings: QSettings,
    stocked: Stocked,
    dialogs: Dialogs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    maja = stocked.maja.id
    view = sqlite_db.run(counting.start_count, maja, CountKind.BIN, "A-01-01")
    line = view.lines[0]
    sqlite_db.run(
        counting.set_counted, maja, view.id, line.item_id, "1", bin_id=line.bin_id, lot=line.lot
    )
    finished = sqlite_db.run(counting.finish_count, maja, view.id, skip_uncounted=True)
    assert finished.status is CountStatus.REVIEW
    kim = sqlite_db.run(add_user, "kim", Role.STAFF)
    staff_window = open_counts_window(qtbot, qapp, runner, kim, sqlite_db, settings)
    try:
        page = staff_window.counts_page
        reload(qtbot, page)
        page.counts_table.selectRow(page.counts_model.find_row(lambda r: r.id == view.id))
        monkeypatch.setattr(
            count_dialogs, "choose_pdf_path", lambda _p, _t, suggested: tmp_path / suggested.name
        )
        page.save_pdf(variance=True)
        qtbot.waitUntil(lambda: bool(dialogs.errors), timeout=TIMEOUT_MS)
        assert "only a manager may print its variance report" in dialogs.errors[-1]
        assert list(tmp_path.glob("*.pdf")) == []
    finally:
        staff_window.scanner.uninstall()
