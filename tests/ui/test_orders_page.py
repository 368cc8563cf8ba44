"""Order entry in the window, driven from the keyboard as an order clerk drives it.

The whole way: New order (Alt+N), the customer by code, lines by SKU, barcode and name
with quantities, Ctrl+Enter to confirm, each line then saying reserved, on backorder
with its date, or (a zero-point item) its purchase need; the Picking page opened from
the order, the order picked by scans (a wrong item refused in red with the error
sound), shipped with Ctrl+Enter and its delivery note saved. Then bad input: an unknown
SKU, a quantity that is no number, a customer nobody has; cancelling (asked first)
releases the stock; the customer register validates beside each field.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from app.models import NeedStatus, OrderStatus
from app.services import commitments, orders, stock
from app.services import customers as customers_service
from app.services.database import Database
from app.services.orders import OrderConfirmed, OrderDetail
from app.services.picking import PickOutcome, PickStatus
from app.services.shipping import ShipmentPosted
from app.ui import order_editor as editor_module
from app.ui import pick_screen as pick_module
from app.ui.customers_page import CustomerDialog
from app.ui.formatting import fmt_date
from app.ui.main_window import MainWindow
from app.ui.order_editor import CancelOrderDialog, OrderEditor
from app.ui.orders_page import OrdersPage
from app.ui.pick_screen import PickScreen
from app.ui.receipt_dialogs import ConfirmDialog
from app.ui.runner import Runner
from app.ui.scan_feedback import Tone
from tests.ui.conftest import TIMEOUT_MS, Dialogs
from tests.ui.orders_setup import (
    COFFEE_EAN,
    MILK_EAN,
    TEA_EAN,
    TYPING_GAP_MS,
    OrderShop,
    Typist,
    build_order_shop,
    focused,
    in_days,
    scanner_keys,
)
from tests.ui.scan_helpers import open_window_on
from tests.ui.test_scanner import Keyboard

D = Decimal
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def shop(sqlite_db: Database) -> OrderShop:
    return sqlite_db.run(build_order_shop)


@pytest.fixture
def window(
    qtbot: QtBot,
    qapp: QApplication,
    runner: Runner,
    sqlite_db: Database,
    settings: QSettings,
    shop: OrderShop,
) -> Iterator[MainWindow]:
    """The window on the Orders page as maja (the admin), the scanner filter installed."""
    made = open_window_on(
        qtbot, qapp, runner, shop.maja, sqlite_db, settings, "orders", "orders_loaded"
    )
    yield made
    made.scanner.uninstall()


def new_order(qtbot: QtBot, page: OrdersPage) -> OrderEditor:
    """Alt+N from the list: the editor opens on a new order, the cursor in the customer."""
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(page.editor.loaded, timeout=TIMEOUT_MS):
        qtbot.keyClick(focused(qtbot), Qt.Key.Key_N, ALT)
    editor = page.editor
    assert QApplication.focusWidget() is editor.customer_edit
    return editor


def status_of(editor: OrderEditor, sku: str) -> str:
    row = editor.lines_model.find_row(lambda r: r.sku == sku)
    assert row >= 0, sku
    return str(editor.lines_model.index(row, 7).data())


def test_an_order_from_keyboard_entry_to_delivery_note(
    qtbot: QtBot,
    window: MainWindow,
    sqlite_db: Database,
    shop: OrderShop,
    dialogs: Dialogs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page: OrdersPage = window.page("orders")
    typist = Typist(qtbot)
    editor = new_order(qtbot, page)

    # The customer by code; Enter moves on to the first line.
    with qtbot.waitSignal(editor.customer_chosen, timeout=TIMEOUT_MS):
        typist.line("kund1")
    assert editor.customer_edit.text() == "KUND1 — Kund Ett AB"
    assert QApplication.focusWidget() is editor.item_edit

    # Coffee by SKU: Enter goes to the quantity with its sales price and what is free.
    with qtbot.waitSignal(editor.item_chosen, timeout=TIMEOUT_MS):
        typist.line("KAFFE")
    assert QApplication.focusWidget() is editor.qty_edit
    assert editor.price_edit.text() == "50.00"
    assert "30 pcs available" in editor.item_hint.text()
    # Enter puts the line on the order (the first line saves the draft), the cursor is
    # back in the item field for the next line at once.
    with qtbot.waitSignal(editor.saved, timeout=TIMEOUT_MS) as saved:
        typist.line("3")
    assert QApplication.focusWidget() is editor.item_edit
    draft = saved.args[0]
    assert isinstance(draft, OrderDetail) and draft.status is OrderStatus.DRAFT
    assert editor.number_label.text() == draft.number == "SO-1001"

    # Tea by its barcode, typed: 8 wanted, 5 on the shelf.
    with qtbot.waitSignal(editor.item_chosen, timeout=TIMEOUT_MS):
        typist.line(TEA_EAN)
    with qtbot.waitSignal(editor.saved, timeout=TIMEOUT_MS):
        typist.line("8")
    # The zero-point screw by part of its name, Tab to the quantity.
    with qtbot.waitSignal(editor.item_chosen, timeout=TIMEOUT_MS):
        typist.type("specialskr")
        typist.keyboard.key(focused(qtbot), Qt.Key.Key_Tab, "\t", after_ms=150)
    assert editor.item_edit.text() == "SKRUV-ZP — Specialskruv"
    assert "Zero-point item" in editor.item_hint.text()
    assert QApplication.focusWidget() is editor.qty_edit
    typist.type("20")
    qtbot.waitUntil(lambda: editor.qty_edit.text() == "20", timeout=TIMEOUT_MS)

    # Ctrl+Enter takes the line in the form along and confirms the order.
    with qtbot.waitSignal(editor.confirmed, timeout=TIMEOUT_MS) as confirmed:
        qtbot.keyClick(focused(qtbot), Qt.Key.Key_Return, CTRL)
    result = confirmed.args[0]
    assert isinstance(result, OrderConfirmed)
    assert result.order.status is OrderStatus.CONFIRMED
    assert [(ln.sku, ln.quantity) for ln in result.order.lines] == [
        ("KAFFE", D(3)),
        ("TE", D(8)),
        ("SKRUV-ZP", D(20)),
    ]
    assert editor.status_label.text() == "Confirmed"
    assert not editor.line_group.isVisible()
    assert status_of(editor, "KAFFE") == "reserved 3 pcs"
    assert status_of(editor, "TE") == (
        f"reserved 5 pcs · backordered 3 pcs, expected on {fmt_date(in_days(5))}"
    )
    assert status_of(editor, "SKRUV-ZP") == (
        f"purchase need 24 pcs (excess 4 pcs), expected {fmt_date(in_days(10))}"
    )
    assert "1 purchase need created" in editor.info_label.text()
    # The proposals see the need, with the order that caused it.
    needs = sqlite_db.run(commitments.open_purchase_needs)
    assert [(n.order_number, n.needed_qty, n.order_qty, n.excess) for n in needs] == [
        ("SO-1001", D(20), D(24), D(4))
    ]

    # Pick (Alt+P) opens the Picking page on the order.
    picker: PickScreen = window.page("picking")
    with qtbot.waitSignal(picker.pick_shown, timeout=TIMEOUT_MS):
        qtbot.keyClick(focused(qtbot), Qt.Key.Key_P, ALT)
    assert window.current_page() is picker
    assert picker.stack.currentIndex() == picker.PICK
    assert "SO-1001 — Kund Ett AB" in picker.title_label.text()
    assert picker.bin_label.text() == "Scan a bin label"

    def scan(code: str) -> PickOutcome:
        with qtbot.waitSignal(picker.scan_done, timeout=TIMEOUT_MS) as blocker:
            scanner_keys(focused(qtbot), code)
        outcome = blocker.args[0]
        assert isinstance(outcome, PickOutcome)
        return outcome

    assert scan("A-01-01").status is PickStatus.BIN
    assert picker.bin_label.text() == "A-01-01"
    for _n in range(3):
        assert scan(COFFEE_EAN).status is PickStatus.PICKED
    assert window.banner.tone is Tone.SUCCESS and window.sounds.last is Tone.SUCCESS
    coffee_row = picker.lines_model.row_of(
        next(ln.line_id for ln in picker.view.lines if ln.sku == "KAFFE")  # type: ignore[union-attr]
    )
    assert picker.lines_model.texts()[coffee_row][picker.lines_model.MARK] == "✓ Picked"

    # Milk is not on the order: red, the error sound, nothing saved.
    picks_before = picker.view.picks  # type: ignore[union-attr]
    wrong = scan(MILK_EAN)
    assert wrong.status is PickStatus.WRONG_ITEM
    assert "not on order SO-1001" in wrong.message
    assert window.banner.tone is Tone.PROBLEM and window.sounds.last is Tone.PROBLEM
    assert picker.view.picks == picks_before  # type: ignore[union-attr]
    assert "#b71c1c" in picker.message_label.styleSheet()

    # Tea from its bin, the quantity typed (Alt+Q) instead of five scans.
    scan("B-02-01")
    tea_row = picker.lines_model.row_of(
        next(ln.line_id for ln in picker.view.lines if ln.sku == "TE")  # type: ignore[union-attr]
    )
    picker.lines_table.selectRow(tea_row)
    qtbot.keyClick(focused(qtbot), Qt.Key.Key_Q, ALT)
    assert QApplication.focusWidget() is picker.qty_edit
    with qtbot.waitSignal(picker.scan_done, timeout=TIMEOUT_MS) as typed:
        typist.line("5")
    assert typed.args[0].status is PickStatus.PICKED

    # Ctrl+Enter asks with what goes; Enter ships.
    with qtbot.waitSignal(picker.dialog_opened, timeout=TIMEOUT_MS) as opened:
        qtbot.keyClick(focused(qtbot), Qt.Key.Key_Return, CTRL)
    ship_dialog = opened.args[0]
    assert isinstance(ship_dialog, ConfirmDialog)
    qtbot.waitExposed(ship_dialog)
    assert "2 lines go to the customer." in ship_dialog.detail_label.text()
    with qtbot.waitSignal(picker.shipped, timeout=TIMEOUT_MS) as done:
        qtbot.keyClick(ship_dialog, Qt.Key.Key_Return)
    shipment = done.args[0]
    assert isinstance(shipment, ShipmentPosted)
    assert shipment.order_status is OrderStatus.PARTLY_SHIPPED
    assert shipment.shipment.number in picker.message_label.text()
    # COGS from the costs the goods came in at: 3 × 30 + 5 × 12.
    assert shipment.shipment.cogs == D(150)

    # The delivery note is offered: Enter on its button saves it.
    target = tmp_path / "delivery"
    monkeypatch.setattr(pick_module, "choose_pdf_path", lambda *_a: target.with_suffix(".pdf"))
    dialogs.answer = False
    qtbot.waitUntil(lambda: QApplication.focusWidget() is picker.note_button, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(picker.note_saved, timeout=TIMEOUT_MS):
        qtbot.keyClick(picker.note_button, Qt.Key.Key_Return)
    assert target.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    assert dialogs.questions[-1].startswith("The delivery note is saved in")

    # Stock left the shelves; the rest of the order waits.
    coffee = sqlite_db.run(stock.item_stock, shop.coffee)
    assert [(r.location_code, r.quantity) for r in coffee] == [("A-01-01", D(27))]
    assert sqlite_db.run(stock.item_stock, shop.tea) == []
    order = sqlite_db.run(orders.get_order, result.order.id)
    assert order.status is OrderStatus.PARTLY_SHIPPED
    assert [(ln.sku, ln.shipped, ln.backordered) for ln in order.lines] == [
        ("KAFFE", D(3), D(0)),
        ("TE", D(5), D(3)),
        ("SKRUV-ZP", D(0), D(20)),
    ]
    assert [ln.need.status for ln in order.lines if ln.need] == [NeedStatus.OPEN]


def test_bad_input_says_what_is_wrong_and_saves_nothing(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database
) -> None:
    page: OrdersPage = window.page("orders")
    typist = Typist(qtbot)
    editor = new_order(qtbot, page)

    # A customer nobody has.
    typist.line("NOBODY")
    qtbot.waitUntil(editor.customer_error.isVisible, timeout=TIMEOUT_MS)
    assert "No active customer has the code or name “NOBODY”" in editor.customer_error.text()
    assert editor.customer is None

    # A line before the customer is chosen.
    editor.item_edit.setFocus()
    typist.line("KAFFE")
    typist.line("1")
    assert editor.customer_error.text() == "Choose the customer first."
    assert QApplication.focusWidget() is editor.customer_edit

    editor.customer_edit.clear()
    with qtbot.waitSignal(editor.customer_chosen, timeout=TIMEOUT_MS):
        typist.line("KUND1")

    # Esc drops the line begun before the customer; the cursor is in the item field.
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor.item_edit, timeout=TIMEOUT_MS)
    qtbot.keyClick(editor.item_edit, Qt.Key.Key_Escape)
    assert editor.item_edit.text() == "" and editor.qty_edit.text() == ""
    assert QApplication.focusWidget() is editor.item_edit

    # An unknown SKU: asked of the database too, then said plainly.
    typist.line("NO-SUCH-SKU")
    qtbot.waitUntil(editor.item_error.isVisible, timeout=TIMEOUT_MS)
    assert editor.item_error.text() == "No active item has the SKU, barcode or name “NO-SUCH-SKU”."
    assert editor.item_edit.property("error") is True
    assert QApplication.focusWidget() is editor.item_edit

    # A quantity that is no number, and one that is not more than zero.
    editor.item_edit.clear()
    with qtbot.waitSignal(editor.item_chosen, timeout=TIMEOUT_MS):
        typist.line("KAFFE")
    typist.line("abc")
    assert editor.qty_error.text() == "“abc” is not a number. Type digits, e.g. 12 or 12.5."
    assert QApplication.focusWidget() is editor.qty_edit
    editor.qty_edit.clear()
    typist.line("0")
    assert editor.qty_error.text() == "The quantity must be greater than zero."

    # A price that is no price: refused by the service, the line comes back to the form.
    editor.qty_edit.setText("2")
    editor.price_edit.setText("gratis")
    editor.price_edit.textEdited.emit("gratis")
    with qtbot.waitSignal(editor.line_refused, timeout=TIMEOUT_MS):
        qtbot.keyClick(editor.price_edit, Qt.Key.Key_Return)
    assert "“gratis” is not a number" in editor.price_error.text()
    assert editor.item_edit.text() == "KAFFE — Kaffe mellanrost"
    assert editor.qty_edit.text() == "2"

    # Nothing was saved: no order at all.
    assert sqlite_db.run(orders.list_orders) == []

    # Confirming with nothing on the order says what to do.
    editor._reset_form()
    qtbot.keyClick(editor.item_edit, Qt.Key.Key_Return, CTRL)
    assert editor.item_error.text() == "Add what the customer orders before confirming."


def test_a_scan_goes_into_the_line_and_a_second_scan_adds_to_it(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database
) -> None:
    page: OrdersPage = window.page("orders")
    typist = Typist(qtbot)
    editor = new_order(qtbot, page)
    with qtbot.waitSignal(editor.customer_chosen, timeout=TIMEOUT_MS):
        typist.line("KUND1")

    # A carton: the item and its pack of 12 go into the line.
    with qtbot.waitSignal(editor.item_chosen, timeout=TIMEOUT_MS):
        scanner_keys(focused(qtbot), "17310865004700")
    assert editor.item_edit.text() == "KAFFE — Kaffe mellanrost"
    assert editor.qty_edit.text() == "12"
    # One more packet of the same: 13.
    scanner_keys(focused(qtbot), COFFEE_EAN)
    qtbot.waitUntil(lambda: editor.qty_edit.text() == "13", timeout=TIMEOUT_MS)
    # The next item's scan puts the coffee line on the order first.
    with qtbot.waitSignal(editor.saved, timeout=TIMEOUT_MS):
        scanner_keys(focused(qtbot), TEA_EAN)
    qtbot.waitUntil(lambda: editor.item_edit.text() == "TE — Grönt te", timeout=TIMEOUT_MS)
    assert editor.qty_edit.text() == "1"
    with qtbot.waitSignal(editor.saved, timeout=TIMEOUT_MS) as saved:
        qtbot.keyClick(editor.qty_edit, Qt.Key.Key_Return)
    assert [(ln.sku, ln.quantity) for ln in saved.args[0].lines] == [
        ("KAFFE", D(13)),
        ("TE", D(1)),
    ]

    # Coffee again: its line is changed instead of a second line.
    with qtbot.waitSignal(editor.item_chosen, timeout=TIMEOUT_MS):
        scanner_keys(focused(qtbot), COFFEE_EAN)
    assert "Already on line 1" in editor.item_hint.text()
    assert editor.qty_edit.text() == "14"
    with qtbot.waitSignal(editor.saved, timeout=TIMEOUT_MS) as changed:
        qtbot.keyClick(editor.qty_edit, Qt.Key.Key_Return)
    assert [(ln.sku, ln.quantity) for ln in changed.args[0].lines] == [
        ("KAFFE", D(14)),
        ("TE", D(1)),
    ]

    # A bin label is no item: said in the item field, the page stays.
    scanner_keys(focused(qtbot), "A-01-02")
    qtbot.waitUntil(editor.item_error.isVisible, timeout=TIMEOUT_MS)
    assert editor.item_error.text() == "That is the label of bin A-01-02: scan the goods."
    assert window.current_page() is page


def test_cancel_asks_first_and_releases_the_stock(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, shop: OrderShop
) -> None:
    order_id = sqlite_db.run(
        lambda s: (
            orders.create_order(
                s,
                shop.maja.id,
                shop.customer,
                lines=[
                    orders.OrderLineInput(shop.coffee, "10"),
                    orders.OrderLineInput(shop.screw, "5"),
                ],
            ).id
        )
    )
    sqlite_db.run(orders.confirm_order, shop.maja.id, order_id)
    page: OrdersPage = window.page("orders")
    page.refresh()
    with qtbot.waitSignal(page.editor.loaded, timeout=TIMEOUT_MS):
        page.open_order(order_id)
    editor = page.editor
    assert status_of(editor, "KAFFE") == "reserved 10 pcs"
    assert editor.cancel_button.isVisible() and editor.pick_button.isVisible()

    # Enter in the question keeps the order.
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        qtbot.mouseClick(editor.cancel_button, Qt.MouseButton.LeftButton)
    dialog = opened.args[0]
    assert isinstance(dialog, CancelOrderDialog)
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT_MS)
    assert sqlite_db.run(orders.get_order, order_id).status is OrderStatus.CONFIRMED

    # Asked again, with a reason and the cancel button itself.
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        qtbot.mouseClick(editor.cancel_button, Qt.MouseButton.LeftButton)
    dialog = opened.args[0]
    assert isinstance(dialog, CancelOrderDialog)
    qtbot.waitExposed(dialog)
    dialog.reason_edit.setText("The customer called")
    with qtbot.waitSignal(editor.saved, timeout=TIMEOUT_MS) as cancelled:
        qtbot.mouseClick(dialog.cancel_order_button, Qt.MouseButton.LeftButton)
    detail = cancelled.args[0]
    assert detail.status is OrderStatus.CANCELLED
    assert editor.status_label.text() == "Cancelled"
    assert not editor.cancel_button.isVisible()
    availability = sqlite_db.run(orders.item_availability, [shop.coffee])[shop.coffee]
    assert (availability.reserved, availability.available) == (D(0), D(30))
    assert sqlite_db.run(commitments.open_purchase_needs) == []


def test_the_pick_list_is_saved_from_the_order_and_offered_to_open(
    qtbot: QtBot,
    window: MainWindow,
    sqlite_db: Database,
    shop: OrderShop,
    dialogs: Dialogs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order_id = sqlite_db.run(
        lambda s: (
            orders.create_order(
                s, shop.maja.id, shop.customer, lines=[orders.OrderLineInput(shop.coffee, "4")]
            ).id
        )
    )
    sqlite_db.run(orders.confirm_order, shop.maja.id, order_id)
    page: OrdersPage = window.page("orders")
    page.refresh()
    with qtbot.waitSignal(page.editor.loaded, timeout=TIMEOUT_MS):
        page.open_order(order_id)
    editor = page.editor
    target = tmp_path / "pick list.pdf"
    monkeypatch.setattr(editor_module, "choose_pdf_path", lambda *_a: target)
    dialogs.answer = False  # "Not now"
    with qtbot.waitSignal(editor.pdf_saved, timeout=TIMEOUT_MS) as saved:
        editor.save_pick_list()
    assert saved.args == [target]
    assert target.read_bytes().startswith(b"%PDF")
    assert dialogs.questions[-1] == f"The pick list is saved in {target}. Open it now?"
    assert dialogs.errors == []

    # A folder that cannot be written: said, and nothing is offered to open.
    asked = len(dialogs.questions)
    blocked = tmp_path / "no such folder" / "pick list.pdf"
    monkeypatch.setattr(editor_module, "choose_pdf_path", lambda *_a: blocked)
    editor.save_pick_list()
    qtbot.waitUntil(lambda: bool(dialogs.errors), timeout=TIMEOUT_MS)
    assert not blocked.exists() and len(dialogs.questions) == asked


def test_staff_cannot_cancel_a_confirmed_order_and_is_told_why(
    qtbot: QtBot,
    qapp: QApplication,
    make_runner: object,
    sqlite_db: Database,
    settings: QSettings,
    shop: OrderShop,
) -> None:
    order_id = sqlite_db.run(
        lambda s: (
            orders.create_order(
                s, shop.maja.id, shop.customer, lines=[orders.OrderLineInput(shop.coffee, "2")]
            ).id
        )
    )
    sqlite_db.run(orders.confirm_order, shop.maja.id, order_id)
    assert callable(make_runner)
    page = OrdersPage(make_runner(sqlite_db), shop.stina, settings=settings)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.editor.loaded, timeout=TIMEOUT_MS):
        page.open_order(order_id)
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        page.editor.cancel_order()
    dialog = opened.args[0]
    assert isinstance(dialog, QDialog)
    with qtbot.waitSignal(page.editor.line_refused, timeout=TIMEOUT_MS) as refused:
        dialog.accept()
    assert refused.args[0] == "Only a manager can cancel a confirmed order (SO-1001)."
    assert page.editor.other_error.text() == refused.args[0]
    assert sqlite_db.run(orders.get_order, order_id).status is OrderStatus.CONFIRMED


def test_the_list_filters_by_status_and_text(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, shop: OrderShop
) -> None:
    def make(qty: str, confirm: bool) -> int:
        order_id = sqlite_db.run(
            lambda s: (
                orders.create_order(
                    s, shop.maja.id, shop.customer, lines=[orders.OrderLineInput(shop.tea, qty)]
                ).id
            )
        )
        if confirm:
            sqlite_db.run(orders.confirm_order, shop.maja.id, order_id)
        return order_id

    make("2", True)
    make("9", True)
    cancelled = make("1", False)
    sqlite_db.run(orders.cancel_order, shop.maja.id, cancelled)
    page: OrdersPage = window.page("orders")
    with qtbot.waitSignal(page.orders_loaded, timeout=TIMEOUT_MS):
        page.refresh()
    # Open orders by default; the backorder column says what waits, and until when.
    assert [r.number for r in page.model.visible_rows()] == ["SO-1002", "SO-1001"]
    second = page.model.find_row(lambda r: r.number == "SO-1002")
    assert page.model.index(second, page.BACKORDER).data() == (
        f"1 line · expected {fmt_date(in_days(5))}"
    )
    page.status_combo.setCurrentIndex(page.status_combo.findData("all"))
    assert page.model.visible_count() == 3
    page.status_combo.setCurrentIndex(page.status_combo.findData(OrderStatus.CANCELLED.value))
    assert [r.number for r in page.model.visible_rows()] == ["SO-1003"]
    page.status_combo.setCurrentIndex(page.status_combo.findData("all"))
    page.filter_edit.setText("1002")
    assert [r.number for r in page.model.visible_rows()] == ["SO-1002"]
    assert page.count_label.text() == "1 of 3 orders"


def test_the_customer_register_shows_each_refusal_beside_its_field(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database
) -> None:
    page: OrdersPage = window.page("orders")
    page.tabs.setCurrentIndex(page.CUSTOMERS_TAB)
    customers = page.customers
    qtbot.waitUntil(lambda: customers.model.visible_count() == 1, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        qtbot.mouseClick(customers.new_button, Qt.MouseButton.LeftButton)
    dialog = opened.args[0]
    assert isinstance(dialog, CustomerDialog)
    qtbot.waitExposed(dialog)
    dialog.code_edit.setText("kund1")
    dialog.email_edit.setText("not-an-address")
    dialog.phone_edit.setText("ring mig")
    dialog.save()
    qtbot.waitUntil(dialog.errors["code"].isVisible, timeout=TIMEOUT_MS)
    assert dialog.errors["code"].text() == "There is already a customer kund1."
    assert dialog.errors["name"].text() == "Give the customer a name."
    assert "is not an e-mail address" in dialog.errors["email"].text()
    assert "is not a phone number" in dialog.errors["phone"].text()
    assert dialog.isVisible()
    assert len(sqlite_db.run(customers_service.list_customers)) == 1

    dialog.code_edit.setText("KUND2")
    dialog.name_edit.setText("Kund Två AB")
    dialog.email_edit.setText("order@kundtva.se")
    dialog.phone_edit.setText("08-123 45 67")
    with qtbot.waitSignal(customers.customer_saved, timeout=TIMEOUT_MS):
        dialog.save()
    qtbot.waitUntil(lambda: customers.model.visible_count() == 2, timeout=TIMEOUT_MS)
    assert customers.selected_row() is not None
    assert customers.selected_row().code == "KUND2"  # type: ignore[union-attr]

    # The new customer is at once one to take orders from.
    page.tabs.setCurrentIndex(page.ORDERS_TAB)
    typist = Typist(qtbot)
    editor = new_order(qtbot, page)
    with qtbot.waitSignal(editor.customer_chosen, timeout=TIMEOUT_MS) as chosen:
        typist.line("Två")
    assert chosen.args[0].code == "KUND2"


def test_keys_typed_while_the_suggestions_open_stay_in_order(
    qtbot: QtBot, window: MainWindow
) -> None:
    """A window system gives the keys to the suggestion list once it is open; the key
    the scanner filter still holds must not be overtaken by them ("bygg", not "bgyg")."""
    page: OrdersPage = window.page("orders")
    editor = new_order(qtbot, page)
    keyboard = Keyboard(start_ms=70_000)
    keyboard.type(editor.customer_edit, "k", gap_ms=TYPING_GAP_MS)  # held: typing or scan?
    editor.customer_completer.setCompletionPrefix("k")
    editor.customer_completer.complete()
    popup = editor.customer_completer.popup()
    assert popup is not None and popup.isVisible()
    for char in "und1":
        keyboard.type(popup, char, gap_ms=TYPING_GAP_MS)
    qtbot.waitUntil(lambda: editor.customer_edit.text() == "kund1", timeout=TIMEOUT_MS)


def test_a_draft_line_is_changed_with_enter_and_taken_off_with_delete(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, shop: OrderShop
) -> None:
    order_id = sqlite_db.run(
        lambda s: (
            orders.create_order(
                s,
                shop.maja.id,
                shop.customer,
                lines=[
                    orders.OrderLineInput(shop.coffee, "2"),
                    orders.OrderLineInput(shop.tea, "1"),
                ],
            ).id
        )
    )
    page: OrdersPage = window.page("orders")
    with qtbot.waitSignal(page.editor.loaded, timeout=TIMEOUT_MS):
        page.open_order(order_id)
    editor = page.editor
    typist = Typist(qtbot)

    # Enter on a line puts it in the form; a new quantity and Enter save it.
    editor.lines_table.setFocus()
    editor.lines_table.selectRow(0)
    qtbot.keyClick(editor.lines_table, Qt.Key.Key_Return)
    assert editor.line_group.title() == "Change line 1"
    assert QApplication.focusWidget() is editor.qty_edit and editor.qty_edit.text() == "2"
    editor.qty_edit.clear()
    with qtbot.waitSignal(editor.saved, timeout=TIMEOUT_MS) as changed:
        typist.line("6")
    assert [(ln.sku, ln.quantity) for ln in changed.args[0].lines] == [
        ("KAFFE", D(6)),
        ("TE", D(1)),
    ]

    # Delete takes the selected line off the draft.
    editor.lines_table.setFocus()
    editor.lines_table.selectRow(1)
    with qtbot.waitSignal(editor.saved, timeout=TIMEOUT_MS) as removed:
        qtbot.keyClick(editor.lines_table, Qt.Key.Key_Delete)
    assert [ln.sku for ln in removed.args[0].lines] == ["KAFFE"]
    assert [ln.sku for ln in sqlite_db.run(orders.get_order, order_id).lines] == ["KAFFE"]


def test_the_keypad_enter_opens_what_the_return_key_opens(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, shop: OrderShop
) -> None:
    """A hand on the number pad stays there: its Enter opens the selected order, the
    selected customer and the selected draft line, as the main Enter does."""
    keypad = Qt.KeyboardModifier.KeypadModifier
    order_id = sqlite_db.run(
        lambda s: (
            orders.create_order(
                s, shop.maja.id, shop.customer, lines=[orders.OrderLineInput(shop.coffee, "2")]
            ).id
        )
    )
    page: OrdersPage = window.page("orders")
    page.refresh()
    qtbot.waitUntil(lambda: page.model.visible_count() == 1, timeout=TIMEOUT_MS)
    page.table.setFocus()
    page.table.selectRow(0)
    with qtbot.waitSignal(page.editor.loaded, timeout=TIMEOUT_MS) as loaded:
        qtbot.keyClick(page.table, Qt.Key.Key_Enter, keypad)
    assert loaded.args[0].id == order_id

    editor = page.editor
    editor.lines_table.setFocus()
    editor.lines_table.selectRow(0)
    qtbot.keyClick(editor.lines_table, Qt.Key.Key_Enter, keypad)
    assert editor.line_group.title() == "Change line 1"
    assert QApplication.focusWidget() is editor.qty_edit

    page.tabs.setCurrentIndex(page.CUSTOMERS_TAB)
    customers = page.customers
    qtbot.waitUntil(lambda: customers.model.visible_count() == 1, timeout=TIMEOUT_MS)
    customers.table.setFocus()
    customers.table.selectRow(0)
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        qtbot.keyClick(customers.table, Qt.Key.Key_Enter, keypad)
    dialog = opened.args[0]
    assert isinstance(dialog, CustomerDialog)
    assert dialog.code_edit.text() == customers.model.row_at(0).code
    dialog.reject()
