"""The Picking page in the window, driven as a picker drives it: the order number on the
pick list scanned to start, bins and goods scanned at scanner speed, quantities typed,
a short pick with its reason, Ctrl+Z and Ctrl+Enter.

Refusals are red with the error sound and save nothing: a wrong item, goods before their
bin, more than is left, a typed quantity that is no number, shipping with nothing
picked. A pick left half-way reopens where it was. The returns dialog books goods back
into a bin, refuses scrap to a picker, and says so beside the field.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.models import OrderStatus, ShortReason
from app.services import orders, picking, shipping, stock
from app.services.database import Database
from app.services.picking import PickOutcome, PickStatus, PickView
from app.services.users import UserRef
from app.ui import order_editor as editor_module
from app.ui.main_window import MainWindow
from app.ui.orders_page import OrdersPage
from app.ui.pick_screen import PickScreen, ShortPickDialog, pick_mark
from app.ui.receipt_dialogs import ConfirmDialog
from app.ui.returns_dialog import ReturnsDialog
from app.ui.runner import Runner
from app.ui.scan_feedback import Tone
from tests.ui.conftest import TIMEOUT_MS, Dialogs
from tests.ui.orders_setup import (
    COFFEE_CARTON,
    COFFEE_EAN,
    TEA_EAN,
    OrderShop,
    Typist,
    build_order_shop,
    focused,
    in_days,
    scanner_keys,
)
from tests.ui.scan_helpers import open_window_on

D = Decimal
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def shop(sqlite_db: Database) -> OrderShop:
    return sqlite_db.run(build_order_shop)


@pytest.fixture
def order_id(sqlite_db: Database, shop: OrderShop) -> int:
    """SO-1001: 14 coffee (30 on the shelf), 7 tea (5 on the shelf, 2 on backorder)."""

    def make(session: object) -> int:
        detail = orders.create_order(
            session,  # type: ignore[arg-type]
            shop.maja.id,
            shop.customer,
            lines=[orders.OrderLineInput(shop.coffee, "14"), orders.OrderLineInput(shop.tea, "7")],
        )
        orders.confirm_order(session, shop.maja.id, detail.id)  # type: ignore[arg-type]
        return detail.id

    return int(sqlite_db.run(make))


def open_window(
    qtbot: QtBot,
    qapp: QApplication,
    runner: Runner,
    user: UserRef,
    db: Database,
    settings: QSettings,
) -> MainWindow:
    """The window on the Picking page, its scanner filter installed, its list loaded."""
    return open_window_on(qtbot, qapp, runner, user, db, settings, "picking", "start_loaded")


@pytest.fixture
def window(
    qtbot: QtBot,
    qapp: QApplication,
    runner: Runner,
    sqlite_db: Database,
    settings: QSettings,
    shop: OrderShop,
    order_id: int,
) -> Iterator[MainWindow]:
    """The window as stina, the picker (staff)."""
    made = open_window(qtbot, qapp, runner, shop.stina, sqlite_db, settings)
    yield made
    made.scanner.uninstall()


def scan(qtbot: QtBot, page: PickScreen, code: str) -> PickOutcome:
    """Scan ``code`` while picking and wait for the service's answer."""
    with qtbot.waitSignal(page.scan_done, timeout=TIMEOUT_MS) as blocker:
        scanner_keys(focused(qtbot), code)
    outcome = blocker.args[0]
    assert isinstance(outcome, PickOutcome)
    return outcome


def start_by_scan(qtbot: QtBot, page: PickScreen, text: str) -> PickView:
    with qtbot.waitSignal(page.pick_shown, timeout=TIMEOUT_MS) as blocker:
        scanner_keys(focused(qtbot), text)
    view = blocker.args[0]
    assert isinstance(view, PickView)
    return view


def mark(page: PickScreen, sku: str) -> str:
    assert page.view is not None
    line_id = next(ln.line_id for ln in page.view.lines if ln.sku == sku)
    return page.lines_model.texts()[page.lines_model.row_of(line_id)][page.lines_model.MARK]


def select(page: PickScreen, sku: str) -> None:
    assert page.view is not None
    line_id = next(ln.line_id for ln in page.view.lines if ln.sku == sku)
    page.lines_table.selectRow(page.lines_model.row_of(line_id))


def test_pick_by_scanning_with_refusals_a_short_pick_and_undo(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, shop: OrderShop, order_id: int
) -> None:
    page: PickScreen = window.page("picking")
    assert [r.number for r in page.orders_model.visible_rows()] == ["SO-1001"]
    assert page.stack.currentIndex() == page.START

    # Something else than a pick list on the start panel says what to scan.
    scanner_keys(focused(qtbot), COFFEE_EAN)
    qtbot.waitUntil(lambda: window.banner.tone is Tone.PROBLEM, timeout=TIMEOUT_MS)
    assert window.banner.title.text() == "Scan the pick list first"
    assert page.stack.currentIndex() == page.START

    # The pick list's barcode (a scanner may put ]C0 before Code 128) starts picking.
    view = start_by_scan(qtbot, page, "]C0SO-1001")
    assert view.status is OrderStatus.PICKING
    assert page.stack.currentIndex() == page.PICK
    assert window.banner.tone is Tone.SUCCESS
    assert page.bin_label.text() == "Scan a bin label"
    # Lines in the order of the walk: coffee's bin A-01-01 before tea's B-02-01.
    texts = page.lines_model.texts()
    assert [row[1] for row in texts] == ["KAFFE", "TE"]
    assert texts[0][page.lines_model.BINS] == "A-01-01 (30)"
    assert texts[1][page.lines_model.TO_PICK] == "5 pcs"

    # Goods before their bin: refused, red, the error sound.
    first = scan(qtbot, page, COFFEE_EAN)
    assert first.status is PickStatus.NEEDS_BIN
    assert window.banner.tone is Tone.PROBLEM and window.sounds.last is Tone.PROBLEM

    assert scan(qtbot, page, "A-01-01").status is PickStatus.BIN
    assert page.bin_label.text() == "A-01-01"
    assert mark(page, "KAFFE") == "PICK HERE: 14 pcs"
    # A carton of 12, then two single packets.
    carton = scan(qtbot, page, COFFEE_CARTON)
    assert (carton.status, carton.quantity) == (PickStatus.PICKED, D(12))
    assert mark(page, "KAFFE") == "PICK HERE: 2 pcs"
    # Another carton is more than is left: refused, nothing saved.
    too_many = scan(qtbot, page, COFFEE_CARTON)
    assert too_many.status is PickStatus.TOO_MANY
    assert window.banner.tone is Tone.PROBLEM
    assert "only 2 are left to pick" in page.message_label.text()
    scan(qtbot, page, COFFEE_EAN)
    scan(qtbot, page, COFFEE_EAN)
    assert mark(page, "KAFFE") == "✓ Picked"

    # Scanned once too often: Ctrl+Z takes the last pick back.
    scan(qtbot, page, "B-02-01")
    assert scan(qtbot, page, TEA_EAN).status is PickStatus.PICKED
    with qtbot.waitSignal(page.scan_done, timeout=TIMEOUT_MS) as undone:
        qtbot.keyClick(focused(qtbot), Qt.Key.Key_Z, CTRL)
    assert undone.args[0].status is PickStatus.UNDONE
    assert page.message_label.text() == "Undone: picked 1 of TE. Put the goods back."
    tea = next(ln for ln in page.view.lines if ln.sku == "TE")  # type: ignore[union-attr]
    assert tea.picked == 0

    # A typed quantity that is no number is said beside the field; nothing saved.
    typist = Typist(qtbot)
    select(page, "TE")
    qtbot.keyClick(focused(qtbot), Qt.Key.Key_Q, ALT)
    assert QApplication.focusWidget() is page.qty_edit
    typist.line("tre")
    qtbot.waitUntil(page.qty_error.isVisible, timeout=TIMEOUT_MS)
    assert page.qty_error.text() == "“tre” is not a number. Type digits, e.g. 12 or 12.5."
    page.qty_edit.clear()
    with qtbot.waitSignal(page.scan_done, timeout=TIMEOUT_MS):
        typist.line("3")
    assert not page.qty_error.isVisible()

    # Two are not in the bin: a short pick, with its reason (Alt+S).
    select(page, "TE")
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        qtbot.keyClick(page.lines_table, Qt.Key.Key_S, ALT)
    dialog = opened.args[0]
    assert isinstance(dialog, ShortPickDialog)
    qtbot.waitExposed(dialog)
    assert dialog.qty_edit.text() == "2"
    # "Other" needs a word of what happened.
    dialog.reason_combo.setCurrentIndex(dialog.reason_combo.findData(ShortReason.OTHER.value))
    dialog.save()
    qtbot.waitUntil(dialog.note_error.isVisible, timeout=TIMEOUT_MS)
    assert dialog.note_error.text() == "Say what happened to the missing goods."
    dialog.reason_combo.setCurrentIndex(dialog.reason_combo.findData(ShortReason.DAMAGED.value))
    with qtbot.waitSignal(page.scan_done, timeout=TIMEOUT_MS) as shorted:
        qtbot.keyClick(dialog.qty_edit, Qt.Key.Key_Return)
    assert shorted.args[0].status is PickStatus.SHORT
    assert mark(page, "TE") == "SHORT 2: Damaged"
    assert page.progress_label.text() == "2 of 2 lines picked"

    # Every pick is saved as it happens: the service folds the same.
    saved = sqlite_db.run(picking.get_pick, order_id)
    assert [(ln.sku, ln.picked, ln.short) for ln in saved.lines] == [
        ("KAFFE", D(14), D(0)),
        ("TE", D(3), D(2)),
    ]

    # Ctrl+Enter; Esc means not yet; Enter ships.
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        qtbot.keyClick(focused(qtbot), Qt.Key.Key_Return, CTRL)
    ship = opened.args[0]
    assert isinstance(ship, ConfirmDialog)
    qtbot.waitExposed(ship)
    assert "1 short line goes back on backorder." in ship.detail_label.text()
    qtbot.keyClick(ship, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not ship.isVisible(), timeout=TIMEOUT_MS)
    assert sqlite_db.run(orders.get_order, order_id).status is OrderStatus.PICKING
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        page.ship()
    ship = opened.args[0]
    qtbot.waitExposed(ship)
    with qtbot.waitSignal(page.shipped, timeout=TIMEOUT_MS) as done:
        qtbot.keyClick(ship, Qt.Key.Key_Return)
    posted = done.args[0]
    assert posted.order_status is OrderStatus.PARTLY_SHIPPED
    assert page.note_button.isVisible() and page.next_button.isVisible()
    assert not page.ship_button.isVisible() and not page.qty_edit.isVisible()
    assert page.bin_label.text() == "Shipped"
    # The tea short and on backorder (2 + 2 now), the coffee gone from the shelf.
    order = sqlite_db.run(orders.get_order, order_id)
    assert [(ln.sku, ln.shipped, ln.reserved, ln.backordered) for ln in order.lines] == [
        ("KAFFE", D(14), D(0), D(0)),
        ("TE", D(3), D(0), D(4)),
    ]
    coffee = sqlite_db.run(stock.item_stock, shop.coffee)
    assert [(r.location_code, r.quantity) for r in coffee] == [("A-01-01", D(16))]

    # After shipping, a scan is the next pick list; "Next order" goes back to the list.
    with qtbot.waitSignal(page.start_loaded, timeout=TIMEOUT_MS):
        qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentIndex() == page.START
    assert page.orders_model.visible_count() == 1  # partly shipped: more to come


def test_shipping_with_nothing_picked_is_refused(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, order_id: int
) -> None:
    page: PickScreen = window.page("picking")
    start_by_scan(qtbot, page, "SO-1001")
    qtbot.keyClick(focused(qtbot), Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: window.banner.tone is Tone.PROBLEM, timeout=TIMEOUT_MS)
    assert page.message_label.text() == "Nothing is picked yet: scan the goods first."
    assert sqlite_db.run(shipping.list_shipments, order_id) == []


def test_a_pick_left_half_way_continues_where_it_was(
    qtbot: QtBot,
    qapp: QApplication,
    window: MainWindow,
    make_runner: object,
    sqlite_db: Database,
    settings: QSettings,
    shop: OrderShop,
) -> None:
    page: PickScreen = window.page("picking")
    start_by_scan(qtbot, page, "SO-1001")
    scan(qtbot, page, "A-01-01")
    scan(qtbot, page, COFFEE_EAN)
    with qtbot.waitSignal(page.start_loaded, timeout=TIMEOUT_MS):
        qtbot.keyClick(focused(qtbot), Qt.Key.Key_L, ALT)
    assert page.stack.currentIndex() == page.START
    assert [r.status for r in page.orders_model.visible_rows()] == [OrderStatus.PICKING]
    window.scanner.uninstall()
    window.close()

    # Another window (after a power cut, say): Enter on the order continues it.
    assert callable(make_runner)
    again = open_window(qtbot, qapp, make_runner(sqlite_db), shop.stina, sqlite_db, settings)
    try:
        picker: PickScreen = again.page("picking")
        picker.orders_table.setFocus()
        with qtbot.waitSignal(picker.pick_shown, timeout=TIMEOUT_MS) as shown:
            qtbot.keyClick(picker.orders_table, Qt.Key.Key_Return)
        view = shown.args[0]
        assert view.current_bin_code == "A-01-01" and view.picks == 1
        assert picker.bin_label.text() == "A-01-01"
        assert mark(picker, "KAFFE") == "PICK HERE: 13 pcs"
    finally:
        again.scanner.uninstall()


def test_an_order_with_nothing_on_the_shelf_cannot_be_started(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, shop: OrderShop
) -> None:
    waiting = sqlite_db.run(
        lambda s: (
            orders.create_order(
                s, shop.maja.id, shop.customer, lines=[orders.OrderLineInput(shop.screw, "6")]
            ).id
        )
    )
    sqlite_db.run(orders.confirm_order, shop.maja.id, waiting)
    page: PickScreen = window.page("picking")
    scanner_keys(focused(qtbot), "SO-1002")
    qtbot.waitUntil(page.start_error.isVisible, timeout=TIMEOUT_MS)
    assert page.start_error.text().startswith("Nothing of SO-1002 can be picked yet")
    assert window.banner.tone is Tone.PROBLEM
    assert page.stack.currentIndex() == page.START


def test_marks_say_in_words_what_became_of_a_line(sqlite_db: Database, order_id: int) -> None:
    view = sqlite_db.run(picking.get_pick, order_id)
    coffee, tea = view.lines
    assert pick_mark(coffee, None).text == "To pick"
    assert pick_mark(coffee, coffee.bins[0].bin_id).text == "PICK HERE: 14 pcs"
    assert pick_mark(tea, coffee.bins[0].bin_id).text == "To pick"
    assert tea.backordered == D(2) and tea.expected_date == in_days(5)


def test_returns_go_back_into_a_bin_and_scrap_is_for_managers(
    qtbot: QtBot,
    window: MainWindow,
    sqlite_db: Database,
    shop: OrderShop,
    order_id: int,
    dialogs: Dialogs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def ship_coffee(session: object) -> None:
        picking.set_pick_bin(session, shop.stina.id, order_id, "A-01-01")  # type: ignore[arg-type]
        line = orders.get_order(session, order_id).lines[0]  # type: ignore[arg-type]
        picking.pick_quantity(session, shop.stina.id, order_id, line.id, "14")  # type: ignore[arg-type]
        shipping.ship_order(session, shop.stina.id, order_id)  # type: ignore[arg-type]

    sqlite_db.run(ship_coffee)
    orders_page: OrdersPage = window.page("orders")
    window.open_page("orders")
    with qtbot.waitSignal(orders_page.editor.loaded, timeout=TIMEOUT_MS):
        orders_page.open_order(order_id)
    editor = orders_page.editor
    assert editor.returns_button.isVisible()
    with qtbot.waitSignal(orders_page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        qtbot.mouseClick(editor.returns_button, Qt.MouseButton.LeftButton)
    dialog = opened.args[0]
    assert isinstance(dialog, ReturnsDialog)
    qtbot.waitUntil(lambda: dialog.model.visible_count() == 1, timeout=TIMEOUT_MS)
    assert dialog.qty_edit.text() == "14"
    assert dialog.bin_combo.currentText() == "A-01-01"

    # More than was shipped: said beside the quantity, nothing booked.
    dialog.qty_edit.setText("15")
    qtbot.keyClick(dialog.qty_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.qty_error.isVisible, timeout=TIMEOUT_MS)
    assert "14 pcs of KAFFE on DN-1001 can still come back" in dialog.qty_error.text()

    # Scrap is a manager's decision.
    dialog.qty_edit.setText("1")
    dialog.where_combo.setCurrentIndex(dialog.SCRAP)
    assert not dialog.bin_combo.isEnabled()
    dialog.reason_edit.setText("Krossad")
    qtbot.keyClick(dialog.qty_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.other_error.isVisible, timeout=TIMEOUT_MS)
    assert dialog.other_error.text() == (
        "Only a manager can scrap returned goods; put them on a shelf instead."
    )

    # Two come back onto the shelf they left.
    dialog.where_combo.setCurrentIndex(dialog.RESTOCK)
    dialog.qty_edit.setText("2")
    with qtbot.waitSignal(dialog.returned, timeout=TIMEOUT_MS):
        qtbot.keyClick(dialog.qty_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.model.index(0, 6).data() == "2", timeout=TIMEOUT_MS)
    assert dialog.result_label.text() == "2 pcs of KAFFE returned to bin A-01-01."
    assert dialog.model.index(0, 7).data() == "12"
    coffee = sqlite_db.run(stock.item_stock, shop.coffee)
    assert [(r.location_code, r.quantity) for r in coffee] == [("A-01-01", D(18))]
    dialog.close()

    # The delivery note again, from the order (a copy for the customer).
    target = tmp_path / "copy.pdf"
    monkeypatch.setattr(editor_module, "choose_pdf_path", lambda *_a: target)
    dialogs.answer = False
    assert editor.note_button.isVisible()
    with qtbot.waitSignal(editor.pdf_saved, timeout=TIMEOUT_MS):
        qtbot.mouseClick(editor.note_button, Qt.MouseButton.LeftButton)
    assert target.read_bytes().startswith(b"%PDF")


def test_pick_and_ship_on_both_databases(
    qtbot: QtBot, db: Database, make_runner: object, settings: QSettings
) -> None:
    """The screen on its own, on SQLite and PostgreSQL: scans as the window hands them over."""
    shop = db.run(build_order_shop)
    order = db.run(
        lambda s: (
            orders.create_order(
                s, shop.maja.id, shop.customer, lines=[orders.OrderLineInput(shop.coffee, "2")]
            ).id
        )
    )
    db.run(orders.confirm_order, shop.maja.id, order)
    assert callable(make_runner)
    page = PickScreen(make_runner(db), shop.stina, settings=settings)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.pick_shown, timeout=TIMEOUT_MS):
        page.handle_raw_scan("SO-1001")
    for code, status in (
        ("A-01-01", PickStatus.BIN),
        (TEA_EAN, PickStatus.WRONG_ITEM),
        (COFFEE_EAN, PickStatus.PICKED),
        (COFFEE_EAN, PickStatus.PICKED),
    ):
        with qtbot.waitSignal(page.scan_done, timeout=TIMEOUT_MS) as done:
            page.handle_raw_scan(code)
        assert done.args[0].status is status, code
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        page.ship()
    with qtbot.waitSignal(page.shipped, timeout=TIMEOUT_MS) as shipped:
        opened.args[0].accept()
    assert shipped.args[0].order_status is OrderStatus.SHIPPED
    assert shipped.args[0].shipment.cogs == D(60)
    assert db.run(orders.get_order, order).status is OrderStatus.SHIPPED


def test_a_refused_quantity_is_not_complained_about_after_the_goods_are_scanned(
    qtbot: QtBot, window: MainWindow
) -> None:
    page: PickScreen = window.page("picking")
    start_by_scan(qtbot, page, "SO-1001")
    scan(qtbot, page, "A-01-01")
    select(page, "KAFFE")
    qtbot.keyClick(focused(qtbot), Qt.Key.Key_Q, ALT)
    Typist(qtbot).line("fyra")
    qtbot.waitUntil(page.qty_error.isVisible, timeout=TIMEOUT_MS)

    # The picker scans the packet instead: it is picked, and the old complaint goes.
    assert scan(qtbot, page, COFFEE_EAN).status is PickStatus.PICKED
    assert not page.qty_error.isVisible()
    assert page.qty_edit.text() == ""
