"""The returns dialog: one Enter is one return, however fast the keys come.

A worker booking returns from the keyboard presses Enter on the keypad; a key pressed
twice (or held a moment too long) must not book the goods twice, nor book the rest of
the line that the dialog would otherwise offer after the first booking. When the dialog
closes, the keyboard is back where it was in the window, so the next key or scan lands
there.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.services import orders, picking, shipping, stock
from app.services.database import Database
from app.ui.orders_page import OrdersPage
from app.ui.returns_dialog import ReturnsDialog
from app.ui.runner import Runner
from tests.ui.conftest import TIMEOUT_MS
from tests.ui.orders_setup import OrderShop, build_order_shop
from tests.ui.scan_helpers import open_window_on

D = Decimal


def _shipped_order(db: Database) -> tuple[OrderShop, int]:
    """14 coffee ordered, picked from A-01-01 and shipped (30 were on the shelf)."""

    def make(session: object) -> tuple[OrderShop, int]:
        shop = build_order_shop(session)  # type: ignore[arg-type]
        detail = orders.create_order(
            session,  # type: ignore[arg-type]
            shop.maja.id,
            shop.customer,
            lines=[orders.OrderLineInput(shop.coffee, "14")],
        )
        orders.confirm_order(session, shop.maja.id, detail.id)  # type: ignore[arg-type]
        picking.set_pick_bin(session, shop.maja.id, detail.id, "A-01-01")  # type: ignore[arg-type]
        line = orders.get_order(session, detail.id).lines[0]  # type: ignore[arg-type]
        picking.pick_quantity(session, shop.maja.id, detail.id, line.id, "14")  # type: ignore[arg-type]
        shipping.ship_order(session, shop.maja.id, detail.id)  # type: ignore[arg-type]
        return shop, detail.id

    return db.run(make)


def test_enter_pressed_twice_books_one_return_and_offers_no_second(
    qtbot: QtBot, runner: Runner, sqlite_db: Database
) -> None:
    shop, order_id = _shipped_order(sqlite_db)
    detail = sqlite_db.run(orders.get_order, order_id)
    dialog = ReturnsDialog(runner, shop.maja, detail)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.model.visible_count() == 1, timeout=TIMEOUT_MS)
    assert dialog.qty_edit.text() == "14"

    dialog.qty_edit.setText("1")
    with qtbot.waitSignal(dialog.returned, timeout=TIMEOUT_MS):
        # Two Enters before the first return is back from the database.
        qtbot.keyClick(dialog.qty_edit, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
        qtbot.keyClick(dialog.qty_edit, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    qtbot.waitUntil(lambda: dialog.model.index(0, 6).data() == "1", timeout=TIMEOUT_MS)
    # The rest of the line is not offered for the next Enter to book.
    assert dialog.qty_edit.text() == ""
    qtbot.keyClick(dialog.qty_edit, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert dialog.qty_error.isVisible()
    assert dialog.qty_error.text() == "Type how many came back."

    # Whatever is still queued on the worker has run: one came back, no more.
    qtbot.wait(200)
    shipments = sqlite_db.run(shipping.list_shipments, order_id)
    assert [line.returned for line in shipments[0].lines] == [D(1)]
    coffee = sqlite_db.run(stock.item_stock, shop.coffee)
    assert [(r.location_code, r.quantity) for r in coffee] == [("A-01-01", D(17))]


def test_the_keyboard_is_back_in_the_order_when_the_dialog_closes(
    qtbot: QtBot, qapp: QApplication, runner: Runner, sqlite_db: Database, settings: QSettings
) -> None:
    shop, order_id = _shipped_order(sqlite_db)
    window = open_window_on(
        qtbot, qapp, runner, shop.maja, sqlite_db, settings, "items", "items_loaded"
    )
    try:
        page: OrdersPage = window.page("orders")
        window.open_page("orders")
        with qtbot.waitSignal(page.editor.loaded, timeout=TIMEOUT_MS):
            page.open_order(order_id)
        button = page.editor.returns_button
        button.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is button, timeout=TIMEOUT_MS)
        with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
            qtbot.keyClick(button, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
        dialog = opened.args[0]
        assert isinstance(dialog, ReturnsDialog)
        qtbot.waitUntil(lambda: dialog.model.visible_count() == 1, timeout=TIMEOUT_MS)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.qty_edit, timeout=TIMEOUT_MS)

        qtbot.keyClick(dialog.qty_edit, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=TIMEOUT_MS)
        # The window has the keyboard again, on the button that opened the dialog.
        qtbot.waitUntil(lambda: QApplication.focusWidget() is button, timeout=TIMEOUT_MS)
        assert QApplication.activeWindow() is window
    finally:
        window.scanner.uninstall()
