"""Moving stock to another bin from the Stock page: Ctrl+M on the selected row, the bin
typed or scanned, Enter moves, a refusal beside its field, the page reloaded."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
import shiboken6
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.services import lots, stock
from app.services.database import Database
from app.services.users import UserRef
from app.ui.main_window import MainWindow
from app.ui.move_dialog import MoveDialog
from app.ui.runner import Runner
from app.ui.stock_page import StockPage
from tests import factories
from tests.factories import Places
from tests.ui.conftest import TIMEOUT_MS
from tests.ui.scan_helpers import focused, open_window_on, scanner_keys

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def places(sqlite_db: Database) -> Places:
    """Three bins; nails 10 pcs in A-01-01, salt lot L1 2.5 kg in A-01-01."""
    made = sqlite_db.run(factories.places, 3)
    nails = sqlite_db.run(factories.item, made.user, "NAIL", name="Nails 50 mm")
    salt = sqlite_db.run(
        factories.item, made.user, "SALT", name="Salt", unit="kg", lot_tracked=True
    )
    lot = sqlite_db.run(lots.get_or_create_lot, salt.id, "L1")
    sqlite_db.run(factories.receive, made, nails.id, "10", "2", 0)
    sqlite_db.run(factories.receive, made, salt.id, "2.5", "4", 0, lot.id)
    return made


def shown_page(qtbot: QtBot, runner: Runner, user: UserRef | None) -> StockPage:
    page = StockPage(runner, user)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    with qtbot.waitSignal(page.stock_loaded, timeout=TIMEOUT_MS):
        page.show()
        page.activate()
    qtbot.waitExposed(page)
    page.activateWindow()
    return page


def open_move(qtbot: QtBot, page: StockPage, row: int) -> MoveDialog:
    """Select ``row`` and press Ctrl+M; the dialog that opens."""
    page.table.selectRow(row)
    # A shortcut works in the active window only.
    page.window().activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page.window(), timeout=TIMEOUT_MS)
    page.table.setFocus()
    with qtbot.waitSignal(page.move_dialog_opened, timeout=TIMEOUT_MS) as opened:
        qtbot.keyClick(page.table, Qt.Key.Key_M, CTRL)
    dialog = opened.args[0]
    assert isinstance(dialog, MoveDialog)
    qtbot.waitExposed(dialog)
    return dialog


def closed(dialog: MoveDialog) -> bool:
    """Whether the dialog is gone (it deletes itself on closing)."""
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def test_moving_part_of_a_row_from_the_keyboard(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database, places: Places
) -> None:
    page = shown_page(qtbot, runner, tester)
    messages: list[str] = []
    page.status_message.connect(messages.append)
    changed: list[bool] = []
    page.data_changed.connect(lambda: changed.append(True))

    dialog = open_move(qtbot, page, 0)

    assert dialog.question_label.text() == "Move NAIL Nails 50 mm (10 pcs in A-01-01)"
    assert dialog.quantity_edit.text() == "10"  # all of it unless told otherwise
    qtbot.waitUntil(lambda: dialog.bin_edit.hasFocus(), timeout=TIMEOUT_MS)

    # A code that is no bin: said beside the field, the dialog stays, nothing moves.
    qtbot.keyClicks(dialog.bin_edit, "X-9")
    qtbot.keyClick(dialog.bin_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.bin_error.isVisible, timeout=TIMEOUT_MS)
    assert dialog.bin_error.text() == (
        "There is no bin X-9. Scan the bin's label or check the code."
    )
    assert dialog.isVisible() and dialog.bin_edit.hasFocus()
    assert dialog.bin_edit.selectedText() == "X-9"  # typing replaces the wrong code

    qtbot.keyClicks(dialog.bin_edit, "a-01-02")
    qtbot.keyClick(dialog.bin_edit, Qt.Key.Key_Tab)
    assert dialog.quantity_edit.hasFocus()
    dialog.quantity_edit.selectAll()
    qtbot.keyClicks(dialog.quantity_edit, "11")
    qtbot.keyClick(dialog.quantity_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.quantity_error.isVisible, timeout=TIMEOUT_MS)
    assert dialog.quantity_error.text() == (
        "Only 10 pcs of NAIL are in A-01-01; you cannot move 11."
    )
    assert not dialog.bin_error.isVisible()

    qtbot.keyClick(dialog.quantity_edit, Qt.Key.Key_Backspace)
    qtbot.keyClick(dialog.quantity_edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(dialog.quantity_edit, "4")
    with qtbot.waitSignal(page.stock_loaded, timeout=TIMEOUT_MS):
        qtbot.keyClick(dialog.quantity_edit, Qt.Key.Key_Return)

    assert messages[-1] == "Moved 4 pcs NAIL from A-01-01 to A-01-02."
    assert changed == [True]
    qtbot.waitUntil(lambda: closed(dialog), timeout=TIMEOUT_MS)
    model = page.model
    shown = [[model.data(model.index(r, c)) for c in (0, 2, 3, 5)] for r in range(model.rowCount())]
    assert shown == [
        ["NAIL", "A-01-01", "", "6"],
        ["NAIL", "A-01-02", "", "4"],
        ["SALT", "A-01-01", "L1", "2.5"],
    ]
    # What is left stays selected, ready for the next move.
    selected = page.selected_row()
    assert selected is not None and (selected.sku, selected.location_code) == ("NAIL", "A-01-01")


def test_a_lot_moves_whole_and_esc_moves_nothing(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database, places: Places
) -> None:
    page = shown_page(qtbot, runner, tester)
    dialog = open_move(qtbot, page, 1)
    assert dialog.question_label.text() == "Move SALT Salt (lot L1, 2.5 kg in A-01-01)"
    qtbot.keyClick(dialog.bin_edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: closed(dialog), timeout=TIMEOUT_MS)
    assert len(sqlite_db.run(stock.list_stock)) == 2

    dialog = open_move(qtbot, page, 1)
    qtbot.keyClicks(dialog.bin_edit, "A-01-03")
    with qtbot.waitSignal(page.stock_loaded, timeout=TIMEOUT_MS):
        qtbot.keyClick(dialog.bin_edit, Qt.Key.Key_Return)
    rows = sqlite_db.run(stock.list_stock)
    assert [(r.sku, r.location_code, r.lot_code, r.quantity) for r in rows] == [
        ("NAIL", "A-01-01", "", Decimal(10)),
        ("SALT", "A-01-03", "L1", Decimal("2.5")),
    ]
    # The bin was emptied: the row where the goods went is selected.
    selected = page.selected_row()
    assert selected is not None and (selected.sku, selected.location_code) == ("SALT", "A-01-03")


def test_without_a_selection_or_a_user_nothing_opens(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database, places: Places
) -> None:
    page = shown_page(qtbot, runner, tester)
    messages: list[str] = []
    page.status_message.connect(messages.append)
    page.table.clearSelection()
    assert not page.move_button.isEnabled()
    assert page.move_selected() is None
    assert messages == ["Select the stock to move first."]

    viewer = shown_page(qtbot, runner, None)
    viewer.table.selectRow(0)
    assert not viewer.move_button.isVisibleTo(viewer)
    assert viewer.move_selected() is None


@pytest.fixture
def window(
    qtbot: QtBot,
    qapp: QApplication,
    runner: Runner,
    tester: UserRef,
    sqlite_db: Database,
    settings: QSettings,
    places: Places,
) -> Iterator[MainWindow]:
    made = open_window_on(qtbot, qapp, runner, tester, sqlite_db, settings, "stock", "stock_loaded")
    yield made
    made.scanner.uninstall()


def test_a_scanned_bin_label_fills_in_the_bin_wherever_the_cursor_is(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database
) -> None:
    page: StockPage = window.stock_page
    dialog = open_move(qtbot, page, 0)
    dialog.quantity_edit.setFocus()
    qtbot.waitUntil(lambda: focused(qtbot) is dialog.quantity_edit, timeout=TIMEOUT_MS)

    scanner_keys(dialog.quantity_edit, "A-01-03")

    # The scan is the bin, not part of the quantity; its Enter suffix moved nothing yet.
    assert dialog.bin_edit.text() == "A-01-03"
    assert dialog.quantity_edit.text() == "10"
    assert dialog.isVisible() and dialog.bin_edit.hasFocus()
    with qtbot.waitSignal(page.stock_loaded, timeout=TIMEOUT_MS):
        qtbot.keyClick(dialog.bin_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage() == "Moved 10 pcs NAIL from A-01-01 to A-01-03.",
        timeout=TIMEOUT_MS,
    )
    rows = sqlite_db.run(stock.list_stock)
    assert [(r.sku, r.location_code) for r in rows] == [("NAIL", "A-01-03"), ("SALT", "A-01-01")]


def test_a_code_typed_in_the_toolbar_reaches_the_open_dialog_and_f1_lists_the_key(
    qtbot: QtBot, window: MainWindow
) -> None:
    page: StockPage = window.stock_page
    dialog = open_move(qtbot, page, 0)

    # A scan that reaches the window (the typed-code path) is the bin to move to too.
    with qtbot.waitSignal(window.scan_resolved, timeout=TIMEOUT_MS):
        window.scanner.submit("a-01-02")
    assert dialog.bin_edit.text() == "A-01-02"
    assert page.filter_edit.text() == ""  # not taken as "show this bin's stock"
    dialog.reject()

    help_dialog = window.show_shortcuts()
    assert "Move the selected stock to another bin" in help_dialog.text.text()
    help_dialog.close()
