"""An unknown barcode: link it to an item found by SKU or name, or create the item with
the code filled in; then the interrupted scan carries on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.barcodes.diagnose import GS
from app.services import items, scanning
from app.services.database import Database
from app.services.users import UserRef
from app.ui.item_editor import ItemEditor
from app.ui.link_barcode_dialog import LinkBarcodeDialog, can_link, code_for_new_item
from app.ui.main_window import MainWindow
from app.ui.runner import Runner
from tests import factories
from tests.ui.conftest import TIMEOUT_MS
from tests.ui.test_scanner import focus, scan

UNKNOWN_EAN = "5901234123457"


@pytest.mark.parametrize(
    ("text", "linkable", "code"),
    [
        (UNKNOWN_EAN, True, UNKNOWN_EAN),
        ("]E0" + UNKNOWN_EAN, True, UNKNOWN_EAN),
        (f"010590123412345710L1{GS}17271231", True, UNKNOWN_EAN),
        ("SHELF-X/9", True, "SHELF-X/9"),
        ("00373100000000000011", False, None),  # a pallet (SSCC), not an item
        ("5901234123458", False, None),  # a wrong check digit
    ],
)
def test_which_unknown_codes_can_be_linked(
    sqlite_db: Database, text: str, linkable: bool, code: str | None
) -> None:
    result = sqlite_db.run(scanning.resolve_scan, text)
    assert can_link(result) is linkable
    if code is not None:
        assert code_for_new_item(result) == code


@pytest.fixture
def dialog(qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database) -> LinkBarcodeDialog:
    sqlite_db.run(factories.item, tester.id, "COF-500", name="Coffee 500 g")
    sqlite_db.run(factories.item, tester.id, "TEA-100", name="Green tea")
    result = sqlite_db.run(scanning.resolve_scan, UNKNOWN_EAN)
    made = LinkBarcodeDialog(runner, tester, result)
    with qtbot.waitSignal(made.items_loaded, timeout=TIMEOUT_MS):
        made.show()
    yield made
    # The dialog deletes itself once closed.
    if shiboken6.isValid(made):
        made.close()


def test_search_by_sku_or_name_and_link_with_a_pack_quantity(
    qtbot: QtBot, dialog: LinkBarcodeDialog, sqlite_db: Database
) -> None:
    assert dialog.count_label.text() == "2 items"
    assert not dialog.link_button.isEnabled()
    qtbot.keyClicks(dialog.search_edit, "tea-1")
    assert dialog.count_label.text() == "1 of 2 items"
    assert dialog.selected_item() is not None and dialog.selected_item().sku == "TEA-100"
    dialog.search_edit.clear()
    qtbot.keyClicks(dialog.search_edit, "coffee")
    assert dialog.selected_item().sku == "COF-500"
    dialog.pack_edit.setText("12")
    with qtbot.waitSignal(dialog.linked, timeout=TIMEOUT_MS) as linked:
        qtbot.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
    result = linked.args[0]
    assert (result.outcome, result.sku, result.quantity) == ("item", "COF-500", 12)
    coffee = sqlite_db.run(items.find_item, UNKNOWN_EAN)
    assert coffee is not None and coffee.sku == "COF-500"
    assert [(b.code, b.pack_qty) for b in coffee.barcodes] == [(UNKNOWN_EAN, 12)]


def test_a_bad_pack_quantity_links_nothing(
    qtbot: QtBot, dialog: LinkBarcodeDialog, sqlite_db: Database
) -> None:
    assert dialog.select_sku("COF-500")
    dialog.pack_edit.setText("-2")
    dialog.link()
    qtbot.waitUntil(lambda: dialog.pack_error.isVisible(), timeout=TIMEOUT_MS)
    assert dialog.pack_error.text()
    assert dialog.isVisible() and dialog.link_button.isEnabled()
    assert sqlite_db.run(items.find_item, UNKNOWN_EAN) is None
    # Typing again clears the error.
    qtbot.keyClicks(dialog.pack_edit, "4")
    assert not dialog.pack_error.isVisible()


def test_linking_without_choosing_an_item_says_what_to_do(dialog: LinkBarcodeDialog) -> None:
    dialog.search_edit.setText("nothing like this")
    dialog.link()
    assert dialog.error.text() == "Choose the item this barcode belongs to."


def test_new_item_asks_for_the_code(qtbot: QtBot, dialog: LinkBarcodeDialog) -> None:
    with qtbot.waitSignal(dialog.create_requested, timeout=TIMEOUT_MS) as asked:
        qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    assert asked.args == [UNKNOWN_EAN]
    assert not dialog.isVisible()


@pytest.fixture
def window(
    qtbot: QtBot,
    qapp: QApplication,
    runner: Runner,
    tester: UserRef,
    sqlite_db: Database,
    settings: QSettings,
) -> Iterator[MainWindow]:
    places = sqlite_db.run(factories.places)
    coffee = sqlite_db.run(factories.item, tester.id, "COF-500", name="Coffee 500 g")
    sqlite_db.run(factories.receive, places, coffee.id, "3")
    made = MainWindow(runner, tester, sqlite_db.describe(), settings)
    qtbot.addWidget(made)
    made.scanner.install(qapp)
    with qtbot.waitSignal(made.items_page.items_loaded, timeout=TIMEOUT_MS):
        made.show()
        made.start()
    qtbot.waitExposed(made)
    yield made
    made.scanner.uninstall()
    for editor in made.findChildren(ItemEditor):
        editor.close()


def test_a_new_item_gets_the_code_and_the_scan_carries_on_where_it_came(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database
) -> None:
    gs1 = f"010590123412345710L7{GS}17271231"
    with qtbot.waitSignal(window.stock_page.stock_loaded, timeout=TIMEOUT_MS):
        window.show_page(window.STOCK)
    focus(qtbot, window.stock_page.filter_edit)
    with qtbot.waitSignal(window.link_dialog_opened, timeout=TIMEOUT_MS) as opened:
        scan(qtbot, window, window.stock_page.filter_edit, gs1)
    dialog = opened.args[0]
    with qtbot.waitSignal(window.items_page.editor_opened, timeout=TIMEOUT_MS) as made:
        qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    editor = made.args[0]
    qtbot.waitUntil(editor.isEnabled, timeout=TIMEOUT_MS)
    # The GTIN, as printed under the symbol, is the new item's barcode.
    assert editor.barcodes.rows()[0].code_edit.text() == UNKNOWN_EAN
    editor.sku_edit.setText("NEW-1")
    editor.name_edit.setText("New thing")
    with qtbot.waitSignal(window.scan_resolved, timeout=TIMEOUT_MS) as resolved:
        editor.save()
    result = resolved.args[0]
    assert (result.outcome, result.sku, result.lot) == ("item", "NEW-1", "L7")
    # The scan went on to the page it interrupted.
    assert window.stock_page.filter_edit.text() == "NEW-1"
    saved = sqlite_db.run(items.find_item, UNKNOWN_EAN)
    assert saved is not None and saved.sku == "NEW-1"


def test_cancelling_the_new_item_links_nothing(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, dialogs: object
) -> None:
    focus(qtbot, window.items_page.filter_edit)
    with qtbot.waitSignal(window.link_dialog_opened, timeout=TIMEOUT_MS) as opened:
        scan(qtbot, window, window.items_page.filter_edit, UNKNOWN_EAN)
    dialog = opened.args[0]
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert sqlite_db.run(items.find_item, UNKNOWN_EAN) is None
