"""The main window: title, navigation with only working areas, status bar, shortcuts,
remembered geometry."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.models.enums import Role
from app.services.database import Database
from app.services.users import UserRef
from app.ui import main_window as main_window_module
from app.ui.customers_page import CustomerDialog
from app.ui.item_editor import ItemEditor
from app.ui.locations_page import BinDialog
from app.ui.main_window import MainWindow
from app.ui.purchase_order_editor import PurchaseOrderEditor
from app.ui.runner import Runner
from app.ui.users_page import UserDialog
from tests import factories
from tests.ui.conftest import TIMEOUT_MS, Dialogs


def shown_window(
    qtbot: QtBot, runner: Runner, user: UserRef, db: Database, settings: QSettings
) -> MainWindow:
    window = MainWindow(runner, user, db.describe(), settings)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.due_counts_shown, timeout=TIMEOUT_MS):
        with qtbot.waitSignal(window.items_page.items_loaded, timeout=TIMEOUT_MS):
            window.show()
            window.start()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=TIMEOUT_MS)
    return window


def test_title_navigation_and_status_bar(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database, settings: QSettings
) -> None:
    window = shown_window(qtbot, runner, tester, sqlite_db, settings)
    assert window.windowTitle() == f"Hylla — {sqlite_db.describe()}"
    assert [window.nav.item(i).text() for i in range(window.nav.count())][:3] == [
        "Start",
        "Items",
        "Stock",
    ]
    assert window.nav.item(window.nav.count() - 1).text() == "Settings"
    assert window.database_label.text() == f"Database: {sqlite_db.describe()}"
    assert window.user_label.text() == "User: tester"
    assert window.size().width() <= 1280 and window.size().height() <= 800

    with qtbot.waitSignal(window.stock_page.stock_loaded, timeout=TIMEOUT_MS):
        window.nav.setCurrentRow(window.STOCK)
    assert window.pages.currentWidget() is window.stock_page


def test_keyboard_shortcuts(
    qtbot: QtBot,
    runner: Runner,
    tester: UserRef,
    sqlite_db: Database,
    settings: QSettings,
    dialogs: Dialogs,
) -> None:
    window = shown_window(qtbot, runner, tester, sqlite_db, settings)
    window.items_page.table.setFocus()

    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.items_page.filter_edit

    # F5 reloads: an item added meanwhile appears.
    sqlite_db.run(factories.item, tester.id, "NEW-1")
    with qtbot.waitSignal(window.items_page.items_loaded, timeout=TIMEOUT_MS):
        qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.items_page.count_label.text() == "1 item"

    # Ctrl+N opens a new item's editor, from the Stock page too.
    with qtbot.waitSignal(window.stock_page.stock_loaded, timeout=TIMEOUT_MS):
        qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    with qtbot.waitSignal(window.items_page.editor_opened, timeout=TIMEOUT_MS) as opened:
        qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    editor = opened.args[0]
    assert isinstance(editor, ItemEditor) and editor.item_id is None
    assert window.pages.currentWidget() is window.items_page
    qtbot.waitUntil(editor.isEnabled, timeout=TIMEOUT_MS)
    editor.close()


def test_ctrl_n_makes_the_new_thing_of_the_page_on_screen(
    qtbot: QtBot,
    runner: Runner,
    tester: UserRef,
    sqlite_db: Database,
    settings: QSettings,
    dialogs: Dialogs,
) -> None:
    window = shown_window(qtbot, runner, tester, sqlite_db, settings)

    def ctrl_n(signal: object) -> object:
        # Closed dialogs leave the offscreen platform without an active window.
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=TIMEOUT_MS)
        with qtbot.waitSignal(signal, timeout=TIMEOUT_MS) as opened:
            qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        return opened.args[0]

    def f1_says() -> str:
        help_dialog = window.show_shortcuts()
        text = help_dialog.plain_text()
        help_dialog.close()
        return text

    locations = window.open_page("locations")
    assert "Ctrl+N\tNew bin" in f1_says()
    bin_dialog = ctrl_n(locations.dialog_opened)
    assert isinstance(bin_dialog, BinDialog) and bin_dialog.windowTitle() == "New bin"
    assert window.current_page() is locations  # not sent off to the Items page
    bin_dialog.reject()

    users = window.open_page("users")
    assert "Ctrl+N\tNew user" in f1_says()
    user_dialog = ctrl_n(users.dialog_opened)
    assert isinstance(user_dialog, UserDialog)
    user_dialog.reject()

    orders = window.open_page("orders")
    assert "Ctrl+N\tNew order" in f1_says()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(orders.editor.loaded, timeout=TIMEOUT_MS):
        qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert orders.stack.currentIndex() == orders.EDITOR and orders.editor.detail is None
    orders.tabs.setCurrentIndex(orders.CUSTOMERS_TAB)
    assert "Ctrl+N\tNew customer" in f1_says()
    customer_dialog = ctrl_n(orders.dialog_opened)
    assert isinstance(customer_dialog, CustomerDialog)
    customer_dialog.reject()

    purchase_orders = window.open_page("purchase-orders")
    assert "Ctrl+N\tNew order" in f1_says()
    editor = ctrl_n(purchase_orders.dialog_opened)
    assert isinstance(editor, PurchaseOrderEditor)
    editor.close()

    # A page with no "new" of its own keeps Ctrl+N for a new item.
    window.open_page("audit")
    assert "Ctrl+N\tNew item" in f1_says()
    item_editor = ctrl_n(window.items_page.editor_opened)
    assert isinstance(item_editor, ItemEditor) and item_editor.item_id is None
    qtbot.waitUntil(item_editor.isEnabled, timeout=TIMEOUT_MS)
    item_editor.close()


def test_ctrl_n_does_no_more_than_the_page_button_for_the_user(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database, settings: QSettings
) -> None:
    window = shown_window(qtbot, runner, tester, sqlite_db, settings)
    window.set_user(UserRef(tester.id, "kim", "Kim", Role.STAFF))
    locations = window.open_page("locations")
    opened: list[object] = []
    locations.dialog_opened.connect(opened.append)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert opened == [] and window.current_page() is locations
    assert window.statusBar().currentMessage() == (
        "Only a manager or an administrator can add or rename bins."
    )


def test_a_saved_item_makes_the_stock_page_reload(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database, settings: QSettings
) -> None:
    window = shown_window(qtbot, runner, tester, sqlite_db, settings)
    with qtbot.waitSignal(window.stock_page.stock_loaded, timeout=TIMEOUT_MS):
        window.show_page(window.STOCK)
    window.show_page(window.ITEMS)
    editor = window.items_page.new_item()
    qtbot.waitUntil(editor.isEnabled, timeout=TIMEOUT_MS)
    qtbot.keyClicks(editor.sku_edit, "S-1")
    qtbot.keyClicks(editor.name_edit, "Saved")
    with qtbot.waitSignal(window.items_page.items_loaded, timeout=TIMEOUT_MS):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.stock_page.stock_loaded, timeout=TIMEOUT_MS):
        window.show_page(window.STOCK)


def test_geometry_and_page_are_remembered(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database, settings: QSettings
) -> None:
    window = shown_window(qtbot, runner, tester, sqlite_db, settings)
    window.resize(760, 520)  # within the offscreen screen (800×800)
    size = (window.size().width(), window.size().height())
    assert size[1] == 520
    with qtbot.waitSignal(window.stock_page.stock_loaded, timeout=TIMEOUT_MS):
        window.show_page(window.STOCK)
    window.close()
    assert settings.value("main/page") == "stock"

    again = MainWindow(runner, tester, sqlite_db.describe(), settings)
    qtbot.addWidget(again)
    assert (again.size().width(), again.size().height()) == size
    assert again.pages.currentWidget() is again.stock_page


def test_closing_asks_about_an_unsaved_editor(
    qtbot: QtBot,
    runner: Runner,
    tester: UserRef,
    sqlite_db: Database,
    settings: QSettings,
    dialogs: Dialogs,
) -> None:
    window = shown_window(qtbot, runner, tester, sqlite_db, settings)
    editor = window.items_page.new_item()
    qtbot.waitUntil(editor.isEnabled, timeout=TIMEOUT_MS)
    qtbot.keyClicks(editor.name_edit, "unsaved")
    dialogs.answer = False  # keep editing
    assert not window.close()
    assert window.isVisible() and editor.isVisible()
    dialogs.answer = True
    assert window.close()


def test_pages_are_built_when_first_shown_and_again_for_another_user(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database, settings: QSettings
) -> None:
    window = shown_window(qtbot, runner, tester, sqlite_db, settings)
    # Only the page on screen exists at start: the rest cost nothing until opened.
    assert [k for k in ("items", "stock", "locations", "counts") if window.is_built(k)] == ["items"]
    with qtbot.waitSignal(window.stock_page.stock_loaded, timeout=TIMEOUT_MS):
        window.show_page(window.STOCK)
    assert window.is_built("stock") and window.current_page() is window.stock_page
    assert window.pages.currentWidget() is window.stock_page
    stock_before = window.stock_page

    other = UserRef(id=tester.id, username="eva", display_name="Eva", role=tester.role)
    window.set_user(other)
    assert window.user == other
    assert window.user_label.text() == "User: Eva"
    # The page on screen is there again, built anew; the others wait to be opened.
    assert window.is_built("stock") and not window.is_built("items")
    assert window.stock_page is not stock_before
    assert window.pages.currentWidget() is window.stock_page
    assert window.nav.currentRow() == window.STOCK


def test_f1_lists_the_keys_of_the_window_and_of_the_page(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database, settings: QSettings
) -> None:
    window = shown_window(qtbot, runner, tester, sqlite_db, settings)
    help_dialog = window.show_shortcuts()
    text = help_dialog.plain_text()
    assert "F1\tThis list of keys" in text
    assert "Ctrl+1\tItems" in text and "Ctrl+6\tCounts" in text
    assert "On this page" not in text  # the Items page lists no keys of its own
    help_dialog.close()
    window.show_page(window.COUNTS)
    text = window.show_shortcuts().plain_text()
    assert "On this page: Counts" in text
    assert "Ctrl+Enter\tClose the bin (asks about expected items not scanned)" in text


def test_work_that_takes_a_while_shows_a_moving_bar(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database, settings: QSettings
) -> None:
    window = shown_window(qtbot, runner, tester, sqlite_db, settings)
    assert not window.busy_bar.isVisible()
    done: list[object] = []
    runner.call(time.sleep, 1.0, on_done=done.append, owner=window)
    qtbot.waitUntil(window.busy_bar.isVisible, timeout=TIMEOUT_MS)
    assert window.busy_label.isVisible() and window.busy_bar.maximum() == 0
    qtbot.waitUntil(lambda: bool(done), timeout=TIMEOUT_MS)
    assert not window.busy_bar.isVisible() and not window.busy_label.isVisible()


def test_the_due_counts_wait_until_the_first_page_has_its_data(
    qtbot: QtBot,
    runner: Runner,
    tester: UserRef,
    sqlite_db: Database,
    settings: QSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Worked out at once they would compete with the first page building its rows.
    started: list[float] = []
    real = main_window_module._due_counts

    def timed(session: object, today: dt.date) -> object:
        started.append(time.perf_counter())
        return real(session, today)

    monkeypatch.setattr(main_window_module, "_due_counts", timed)
    window = MainWindow(runner, tester, sqlite_db.describe(), settings)
    qtbot.addWidget(window)
    loaded: list[float] = []
    window.items_page.items_loaded.connect(lambda _n: loaded.append(time.perf_counter()))
    with qtbot.waitSignal(window.due_counts_shown, timeout=TIMEOUT_MS):
        window.show()
        window.start()
    assert len(loaded) == 1 and len(started) == 1
    grace_s = main_window_module.FIRST_PAINT_GRACE_MS / 1000
    assert started[0] >= loaded[0] + grace_s * 0.9
