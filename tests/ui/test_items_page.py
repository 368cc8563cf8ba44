"""The Items page: loading, the count, filtering as you type, keys that open items."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.barcodes.gtin import with_check_digit
from app.services.database import Database
from app.services.users import UserRef
from app.ui.items_page import ItemsPage
from app.ui.runner import Runner
from tests import factories
from tests.ui.conftest import TIMEOUT_MS, Dialogs


def loaded_page(qtbot: QtBot, runner: Runner, user: UserRef) -> ItemsPage:
    page = ItemsPage(runner, user)
    qtbot.addWidget(page)
    page.resize(1000, 600)
    with qtbot.waitSignal(page.items_loaded, timeout=TIMEOUT_MS):
        page.show()
        page.activate()
    return page


def test_an_empty_database_shows_how_to_get_items(
    qtbot: QtBot, runner: Runner, tester: UserRef
) -> None:
    page = loaded_page(qtbot, runner, tester)
    assert page.count_label.text() == "0 items"
    assert page.empty_hint.isVisible()
    assert not page.open_button.isEnabled()


def test_filter_as_you_type_and_open_with_enter(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database
) -> None:
    code = with_check_digit("590123412345")
    for sku, name in (
        ("BOLT-8", "Bolt M8 x 40"),
        ("BOLT-10", "Bolt M10 x 60"),
        ("NUT-8", "Nut M8"),
        ("WASH-8", "Washer M8"),
    ):
        sqlite_db.run(
            factories.item, tester.id, sku, name=name, barcodes=(code,) if sku == "NUT-8" else ()
        )
    page = loaded_page(qtbot, runner, tester)
    assert page.count_label.text() == "4 items"
    assert page.table.model().rowCount() == 4

    qtbot.keyClicks(page.filter_edit, "m8")
    assert [page.model.row_at(i).sku for i in range(page.model.rowCount())] == [
        "BOLT-8",
        "NUT-8",
        "WASH-8",
    ]
    assert page.count_label.text() == "3 of 4 items"
    qtbot.keyClicks(page.filter_edit, " bolt")
    assert page.count_label.text() == "1 of 4 items"
    assert page.selected_id() is not None

    # A scanned barcode (digits, then Enter) opens its item directly.
    page.filter_edit.clear()
    with qtbot.waitSignal(page.editor_opened, timeout=TIMEOUT_MS) as opened:
        qtbot.keyClicks(page.filter_edit, code)
        qtbot.keyClick(page.filter_edit, Qt.Key.Key_Return)
    editor = opened.args[0]
    qtbot.waitUntil(editor.isEnabled, timeout=TIMEOUT_MS)
    assert editor.sku_edit.text() == "NUT-8"
    editor.close()

    # Down moves from the filter into the list; Enter there opens the selected item.
    page.filter_edit.clear()
    page.filter_edit.setFocus()
    qtbot.keyClick(page.filter_edit, Qt.Key.Key_Down)
    assert page.selected_id() is not None
    with qtbot.waitSignal(page.editor_opened, timeout=TIMEOUT_MS):
        qtbot.keyClick(page.table, Qt.Key.Key_Return)


def test_refresh_keeps_the_filter_and_the_selection(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database
) -> None:
    first = sqlite_db.run(factories.item, tester.id, "A-1")
    sqlite_db.run(factories.item, tester.id, "A-2")
    page = loaded_page(qtbot, runner, tester)
    qtbot.keyClicks(page.filter_edit, "a-")
    assert page.select_item(first.id)
    sqlite_db.run(factories.item, tester.id, "A-3")
    sqlite_db.run(factories.item, tester.id, "B-1")
    with qtbot.waitSignal(page.items_loaded, timeout=TIMEOUT_MS):
        page.refresh()
    assert page.count_label.text() == "3 of 4 items"
    assert page.selected_id() == first.id


def test_double_click_opens_the_item(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database, dialogs: Dialogs
) -> None:
    sqlite_db.run(factories.item, tester.id, "D-1", name="Dubbel")
    page = loaded_page(qtbot, runner, tester)
    rect = page.table.visualRect(page.model.index(0, 1))
    with qtbot.waitSignal(page.editor_opened, timeout=TIMEOUT_MS) as opened:
        # Qt 6's QTest double-click needs the press of a first click before it, as a mouse gives.
        qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    editor = opened.args[0]
    qtbot.waitUntil(editor.isEnabled, timeout=TIMEOUT_MS)
    assert editor.name_edit.text() == "Dubbel"
    assert dialogs.errors == []


def test_a_refresh_asked_for_while_loading_is_not_lost(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database
) -> None:
    sqlite_db.run(factories.item, tester.id, "OLD-1")
    page = loaded_page(qtbot, runner, tester)
    read = threading.Event()
    page.refresh()
    runner.run(lambda session: read.set())
    # Wait without running the GUI's event loop: the list is read (without NEW-1) but
    # the page has not received it yet, so it is still loading.
    assert read.wait(TIMEOUT_MS / 1000)
    added = sqlite_db.run(factories.item, tester.id, "NEW-1")
    page.refresh(select_item=added.id)  # must not be swallowed by the load in flight
    qtbot.waitUntil(lambda: page.model.total_count() == 2, timeout=TIMEOUT_MS)
    assert page.selected_id() == added.id
