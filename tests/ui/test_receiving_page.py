"""The Receiving page in the window, driven like a worker drives it: scans typed at
scanner speed through the real ScannerInput filter, Enter and Esc in the dialogs.

Scan the order's barcode, scan cartons and single units, answer the lot dialog, undo,
post with Ctrl+Enter and Enter, then see the stock and the order move; over-receipt and
items not on the order ask first (Enter means no); a receipt in progress reopens in a
new window exactly as it was; bad input says what is wrong and saves nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from app.models import PurchaseOrderStatus
from app.services import receiving, stock
from app.services.database import Database, open_database
from app.services.labels import LabelKind
from app.services.purchase_orders import get_purchase_order
from app.services.receiving import ReceiptPosted, ReceiptView, ScanOutcome, ScanStatus
from app.services.users import UserRef
from app.ui import receiving_page as receiving_module
from app.ui.labels_dialog import LabelsDialog
from app.ui.main_window import MainWindow
from app.ui.receipt_dialogs import ConfirmDialog, LotDialog
from app.ui.receiving_page import ReceivingPage
from app.ui.runner import Runner
from app.ui.scan_feedback import Tone
from tests.services.purchasing_setup import (
    COFFEE_CARTON,
    COFFEE_EAN,
    MILK_EAN,
    TEA_EAN,
    Shop,
    build_shop,
    gs1,
    sent_order,
)
from tests.ui.conftest import TIMEOUT_MS, Dialogs
from tests.ui.scan_helpers import open_window_on, scan_for, scanner_keys
from tests.ui.test_scanner import focus

D = Decimal
EXPIRY = dt.date.today() + dt.timedelta(days=8)
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def shop(sqlite_db: Database) -> Shop:
    return sqlite_db.run(build_shop)


def open_window(
    qtbot: QtBot,
    qapp: QApplication,
    runner: Runner,
    user: UserRef,
    db: Database,
    settings: QSettings,
) -> MainWindow:
    """The window on the Receiving page, its scanner filter installed, start lists loaded."""
    return open_window_on(qtbot, qapp, runner, user, db, settings, "receiving", "start_loaded")


@pytest.fixture
def window(
    qtbot: QtBot,
    qapp: QApplication,
    runner: Runner,
    tester: UserRef,
    sqlite_db: Database,
    settings: QSettings,
    shop: Shop,
) -> Iterator[MainWindow]:
    made = open_window(qtbot, qapp, runner, tester, sqlite_db, settings)
    yield made
    made.scanner.uninstall()


def scan(qtbot: QtBot, page: ReceivingPage, code: str) -> ScanOutcome:
    """Scan ``code`` on a receipt in progress and wait for the service's answer."""
    return scan_for(qtbot, page, code, ScanOutcome)


def start_by_scan(qtbot: QtBot, window: MainWindow, number: str) -> ReceiptView:
    page = window.receiving_page
    with qtbot.waitSignal(page.start_loaded, timeout=TIMEOUT_MS):
        page.refresh()
    focus(qtbot, page.orders_table)
    with qtbot.waitSignal(page.receipt_shown, timeout=TIMEOUT_MS) as blocker:
        scanner_keys(page.orders_table, number)
    view = blocker.args[0]
    assert isinstance(view, ReceiptView)
    return view


def line(page: ReceivingPage, sku: str) -> receiving.ReceiptLine:
    return next(ln for ln in page.lines_model.lines() if ln.sku == sku)


def cell(page: ReceivingPage, sku: str, column: int) -> str:
    row = page.lines_model.row_of(line(page, sku).item_id)
    return str(page.lines_model.index(row, column).data())


def opened_dialog(qtbot: QtBot, page: ReceivingPage, trigger: object) -> QDialog:
    """Run ``trigger`` (a callable) and return the dialog the page opened."""
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as blocker:
        assert callable(trigger)
        trigger()
    dialog = blocker.args[0]
    assert isinstance(dialog, QDialog)
    qtbot.waitExposed(dialog)
    return dialog


def test_receive_an_order_with_the_scanner_and_post_it(
    qtbot: QtBot,
    window: MainWindow,
    sqlite_db: Database,
    shop: Shop,
    dialogs: Dialogs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    po = sqlite_db.run(sent_order, shop)
    page = window.receiving_page
    with qtbot.waitSignal(page.start_loaded, timeout=TIMEOUT_MS):
        page.refresh()
    assert [r.number for r in page.orders_model.visible_rows()] == [po.number]

    # The barcode on the printed order (a scanner may put ]C0 before Code 128 data).
    view = start_by_scan(qtbot, window, "]C0" + po.number)
    assert page.stack.currentIndex() == page.RECEIPT
    assert view.po_number == po.number and view.is_open
    assert "PO-1001" in page.title_label.text() and "Nordgrossisten" in page.title_label.text()
    assert window.banner.tone is Tone.SUCCESS
    assert [cell(page, sku, page.lines_model.MARK) for sku in ("KAFFE-500", "MJOLK-1L")] == [
        "Waiting",
        "Waiting",
    ]
    focus(qtbot, page.lines_table)

    # A carton counts its pack of 12, a single packet one.
    carton = scan(qtbot, page, COFFEE_CARTON)
    assert (carton.status, carton.quantity) == (ScanStatus.ADDED, D(12))
    single = scan(qtbot, page, COFFEE_EAN)
    assert (single.status, single.quantity) == (ScanStatus.ADDED, D(1))
    assert line(page, "KAFFE-500").received == D(13)
    assert cell(page, "KAFFE-500", page.lines_model.RECEIVED) == "13 pcs"
    assert cell(page, "KAFFE-500", page.lines_model.OUTSTANDING) == "35 pcs"
    assert cell(page, "KAFFE-500", page.lines_model.MARK) == "35 to come"
    assert page.message_label.text() == "+1 pcs Kaffe mellanrost 500 g → A-01-01"
    assert "13 of 48 pcs received" in page.current_label.text()
    assert window.banner.tone is Tone.SUCCESS and window.sounds.last is Tone.SUCCESS
    assert window.banner.title.text() == "+1 pcs Kaffe mellanrost 500 g → A-01-01"
    qtbot.waitUntil(lambda: window.last_scan_latency_ms is not None, timeout=TIMEOUT_MS)
    assert page.count_label.text() == "2 scans"

    # Milk is lot-tracked and its plain EAN carries no lot: the lot dialog asks.
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        asked = scan(qtbot, page, MILK_EAN)
    assert asked.status is ScanStatus.NEEDS_DETAILS and asked.needs_lot and asked.needs_expiry
    lot_dialog = opened.args[0]
    assert isinstance(lot_dialog, LotDialog)
    qtbot.waitExposed(lot_dialog)
    assert QApplication.focusWidget() is lot_dialog.lot_edit
    # A date that is no date: the service's reason appears beside the field.
    # (Typed into the fields: keys sent in one burst would be taken for a scan.)
    lot_dialog.lot_edit.setText("M-77")
    lot_dialog.expiry_edit.setText("31/12")
    qtbot.keyClick(lot_dialog.lot_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lot_dialog.expiry_error.isVisible, timeout=TIMEOUT_MS)
    assert "is not a date" in lot_dialog.expiry_error.text()
    assert line(page, "MJOLK-1L").received == 0
    lot_dialog.expiry_edit.setText(EXPIRY.isoformat())
    with qtbot.waitSignal(page.scan_done, timeout=TIMEOUT_MS) as answered:
        qtbot.keyClick(lot_dialog.expiry_edit, Qt.Key.Key_Return)
    assert answered.args[0].status is ScanStatus.ADDED
    assert line(page, "MJOLK-1L").received == D(1)
    assert cell(page, "MJOLK-1L", page.lines_model.LOT) == "M-77"

    # A GS1 label brings lot and expiry itself: no question.
    labelled = scan(qtbot, page, gs1("0" + MILK_EAN, lot="M-77", expiry=EXPIRY))
    assert (labelled.status, labelled.lot, labelled.expiry) == (ScanStatus.ADDED, "M-77", EXPIRY)
    assert line(page, "MJOLK-1L").received == D(2)

    # Scanned twice by mistake: Ctrl+Z takes the last one back.
    with qtbot.waitSignal(page.scan_done, timeout=TIMEOUT_MS) as undone:
        qtbot.keyClick(page.lines_table, Qt.Key.Key_Z, CTRL)
    assert undone.args[0].status is ScanStatus.UNDONE
    assert line(page, "MJOLK-1L").received == D(1)
    assert page.message_label.text() == "Undone: 1 pcs Mjölk 1 l."

    # A bin label changes where the next goods go, shown in its own box.
    moved = scan(qtbot, page, "C-03-01")
    assert moved.status is ScanStatus.BIN
    assert page.bin_label.text() == "Put away in bin C-03-01 (scanned)"
    scan(qtbot, page, COFFEE_EAN)
    assert cell(page, "KAFFE-500", page.lines_model.BIN) == "A-01-01, C-03-01"

    # Ctrl+Enter asks, summing up what came and what stays outstanding; Enter posts.
    post_dialog = opened_dialog(
        qtbot, page, lambda: qtbot.keyClick(page.lines_table, Qt.Key.Key_Return, CTRL)
    )
    assert isinstance(post_dialog, ConfirmDialog)
    summary = post_dialog.detail_label.text()
    assert "2 lines received, 15 units in all." in summary
    assert "2 lines stay outstanding on backorder: KAFFE-500 34 pcs, MJOLK-1L 19 pcs." in summary
    with qtbot.waitSignal(page.posted, timeout=TIMEOUT_MS) as done:
        qtbot.keyClick(post_dialog, Qt.Key.Key_Return)
    posted = done.args[0]
    assert isinstance(posted, ReceiptPosted)
    assert posted.po_status is PurchaseOrderStatus.PARTLY_RECEIVED
    assert "Receipt GR-1001 posted" in page.message_label.text()
    assert page.labels_button.isVisible() and page.note_button.isVisible()
    assert not page.post_button.isVisible() and not page.qty_edit.isVisible()

    # The stock is on the shelves and the order knows what came.
    coffee = sqlite_db.run(stock.item_stock, shop.coffee)
    assert sorted((r.location_code, r.quantity) for r in coffee) == [
        ("A-01-01", D(13)),
        ("C-03-01", D(1)),
    ]
    milk = sqlite_db.run(stock.item_stock, shop.milk)
    assert [(r.lot_code, r.expiry, r.quantity) for r in milk] == [("M-77", EXPIRY, D(1))]
    order = sqlite_db.run(get_purchase_order, po.id)
    assert order.status is PurchaseOrderStatus.PARTLY_RECEIVED
    assert [(ln.received, ln.outstanding) for ln in order.lines] == [(D(14), D(34)), (D(1), D(19))]

    # Labels for what came in, and the goods-received note as a PDF.
    labels = opened_dialog(qtbot, page, page.print_labels)
    assert isinstance(labels, LabelsDialog)
    assert labels.subject_label.text() == "2 items selected"
    # Lot labels are for the lot that came in, not every lot of the item in stock.
    labels.kind_combo.setCurrentIndex(labels.kind_combo.findData(LabelKind.LOTS))
    assert labels.request().lot_codes == ("M-77",)
    labels.kind_combo.setCurrentIndex(labels.kind_combo.findData(LabelKind.ITEMS))
    assert labels.request().lot_codes == ()
    labels.close()
    target = tmp_path / "note"
    monkeypatch.setattr(receiving_module, "choose_pdf_path", lambda *_a: target)
    dialogs.answer = False
    with qtbot.waitSignal(page.note_saved, timeout=TIMEOUT_MS) as saved:
        qtbot.mouseClick(page.note_button, Qt.MouseButton.LeftButton)
    assert saved.args[0] == target
    assert target.read_bytes().startswith(b"%PDF")
    assert dialogs.questions[-1].startswith("The goods-received note is saved in")

    # The next order's barcode starts the next receipt; "Next delivery" goes to the list.
    with qtbot.waitSignal(page.start_loaded, timeout=TIMEOUT_MS):
        qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentIndex() == page.START
    assert [r.status for r in page.orders_model.visible_rows()] == [
        PurchaseOrderStatus.PARTLY_RECEIVED
    ]


def test_over_the_tolerance_asks_and_enter_means_no(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, shop: Shop
) -> None:
    po = sqlite_db.run(lambda s: sent_order(s, shop, coffee="12"))
    page = window.receiving_page
    start_by_scan(qtbot, window, po.number)
    focus(qtbot, page.lines_table)
    scan(qtbot, page, COFFEE_CARTON)
    assert cell(page, "KAFFE-500", page.lines_model.MARK) == "✓ Complete"
    # One packet more is within the 10 % tolerance: marked over, not asked.
    assert scan(qtbot, page, COFFEE_EAN).status is ScanStatus.ADDED
    assert cell(page, "KAFFE-500", page.lines_model.MARK) == "OVER +1"
    assert (
        page.lines_model.index(0, page.lines_model.MARK)
        .data(Qt.ItemDataRole.BackgroundRole)
        .color()
        == receiving_module.OVER_BG
    )

    # Another carton would be 25 of 12: asked, with No as the default.
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        over = scan(qtbot, page, COFFEE_CARTON)
    assert over.status is ScanStatus.OVER_TOLERANCE
    assert window.banner.tone is Tone.PROBLEM and window.sounds.last is Tone.PROBLEM
    dialog = opened.args[0]
    assert isinstance(dialog, ConfirmDialog) and not dialog.default_yes
    assert "25 pcs would be received against 12 ordered" in dialog.question_label.text()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT_MS)
    assert line(page, "KAFFE-500").received == D(13)
    assert page.message_label.text() == "Not received: Kaffe mellanrost 500 g"

    # Asked again, the worker means it: the Yes button.
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        scan(qtbot, page, COFFEE_CARTON)
    dialog = opened.args[0]
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(page.scan_done, timeout=TIMEOUT_MS) as confirmed:
        qtbot.mouseClick(dialog.yes_button, Qt.MouseButton.LeftButton)
    assert confirmed.args[0].status is ScanStatus.ADDED
    assert line(page, "KAFFE-500").received == D(25)
    assert cell(page, "KAFFE-500", page.lines_model.MARK) == "OVER +13 — beyond tolerance"


def test_an_item_not_on_the_order_is_asked_about_never_slipped_in(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, shop: Shop
) -> None:
    po = sqlite_db.run(sent_order, shop)
    page = window.receiving_page
    start_by_scan(qtbot, window, po.number)
    focus(qtbot, page.lines_table)

    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        asked = scan(qtbot, page, TEA_EAN)
    assert asked.status is ScanStatus.NOT_ON_ORDER
    dialog = opened.args[0]
    assert isinstance(dialog, ConfirmDialog)
    assert dialog.question_label.text() == (
        "TE-GRON Grönt te 20 påsar is not on order PO-1001. Receive it anyway?"
    )
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT_MS)
    assert [ln.sku for ln in page.lines_model.lines()] == ["KAFFE-500", "MJOLK-1L"]

    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        scan(qtbot, page, TEA_EAN)
    dialog = opened.args[0]
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(page.scan_done, timeout=TIMEOUT_MS) as confirmed:
        qtbot.mouseClick(dialog.yes_button, Qt.MouseButton.LeftButton)
    assert confirmed.args[0].status is ScanStatus.ADDED
    assert cell(page, "TE-GRON", page.lines_model.MARK) == "NOT ON ORDER"
    assert cell(page, "TE-GRON", page.lines_model.ORDERED) == "—"
    # A second box of it is not asked again: it is on the receipt now.
    assert scan(qtbot, page, TEA_EAN).status is ScanStatus.ADDED
    assert line(page, "TE-GRON").received == D(2)


def test_a_receipt_in_progress_reopens_in_a_new_window_exactly_where_it_was(
    qtbot: QtBot,
    qapp: QApplication,
    make_runner: Callable[[Database], Runner],
    tester: UserRef,
    sqlite_db: Database,
    sqlite_url: str,
    settings: QSettings,
    shop: Shop,
) -> None:
    po = sqlite_db.run(sent_order, shop)
    first = open_window(qtbot, qapp, make_runner(sqlite_db), tester, sqlite_db, settings)
    page = first.receiving_page
    start_by_scan(qtbot, first, po.number)
    focus(qtbot, page.lines_table)
    scan(qtbot, page, COFFEE_CARTON)
    scan(qtbot, page, "C-03-01")
    scan(qtbot, page, COFFEE_EAN)
    before = [(ln.sku, ln.received, ln.outstanding, _bins(ln)) for ln in page.lines_model.lines()]
    # The window goes away without posting or leaving (a crash, a power cut).
    first.scanner.uninstall()
    first.hide()

    again_db = open_database(sqlite_url)
    try:
        again = MainWindow(make_runner(again_db), tester, again_db.describe(), settings)
        qtbot.addWidget(again)
        page = again.receiving_page
        with qtbot.waitSignal(page.receipt_shown, timeout=TIMEOUT_MS) as shown:
            again.show()
            again.show_page(again.RECEIVING)
        view = shown.args[0]
        assert view.number == "GR-1001" and view.is_open and view.scan_count == 2
        assert page.stack.currentIndex() == page.RECEIPT
        after = [
            (ln.sku, ln.received, ln.outstanding, _bins(ln)) for ln in page.lines_model.lines()
        ]
        assert (
            after
            == before
            == [
                ("KAFFE-500", D(13), D(35), "A-01-01, C-03-01"),
                ("MJOLK-1L", D(0), D(20), "A-01-02"),
            ]
        )
        assert page.bin_label.text() == "Put away in bin C-03-01 (scanned)"
        assert page.message_label.text() == "+1 pcs Kaffe mellanrost 500 g → C-03-01"
        assert again.banner.title.text() == "Continuing receipt GR-1001: 2 scans so far."
    finally:
        again_db.dispose()


def _bins(ln: receiving.ReceiptLine) -> str:
    return receiving_module._bins_text(ln)


def test_bad_input_says_what_is_wrong_and_saves_nothing(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, shop: Shop
) -> None:
    po = sqlite_db.run(sent_order, shop)
    page = window.receiving_page

    # Goods scanned before any receipt is started: say how to start.
    focus(qtbot, page.orders_table)
    with qtbot.waitSignal(window.banner.shown, timeout=TIMEOUT_MS):
        scanner_keys(page.orders_table, COFFEE_EAN)
    assert window.banner.tone is Tone.PROBLEM
    assert window.banner.title.text() == "Start a receipt first"
    assert "is not the number of a purchase order" in window.banner.detail.text()
    assert page.stack.currentIndex() == page.START

    start_by_scan(qtbot, window, po.number)
    focus(qtbot, page.lines_table)
    # An unknown code and an unreadable one: red, nothing counted.
    with qtbot.waitSignal(window.link_dialog_opened, timeout=TIMEOUT_MS) as offered:
        unknown = scan(qtbot, page, "5901234123457")
    assert unknown.status is ScanStatus.UNKNOWN and window.banner.tone is Tone.PROBLEM
    # An unknown code offers to link it to an item, as everywhere in the window.
    offered.args[0].reject()
    focus(qtbot, page.lines_table)
    invalid = scan(qtbot, page, "7310865004704")
    assert invalid.status is ScanStatus.INVALID
    assert "check digit" in window.banner.title.text()
    assert page.view is not None and page.view.scan_count == 0
    # Another order's barcode: finish this one first.
    other = sqlite_db.run(sent_order, shop)
    wrong_order = scan(qtbot, page, other.number)
    assert wrong_order.status is ScanStatus.ORDER
    assert "Post or leave this receipt first" in page.message_label.text()

    # A typed quantity that is no number: the reason beside the field.
    page.lines_table.selectRow(page.lines_model.row_of(shop.coffee))
    page.qty_edit.setText("tolv")
    qtbot.keyClick(page.qty_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(page.qty_error.isVisible, timeout=TIMEOUT_MS)
    assert "tolv" in page.qty_error.text()
    assert page.qty_edit.property("error") is True
    # A good one is added to the selected line.
    page.qty_edit.setText("6")
    with qtbot.waitSignal(page.scan_done, timeout=TIMEOUT_MS) as typed:
        qtbot.keyClick(page.qty_edit, Qt.Key.Key_Return)
    assert typed.args[0].status is ScanStatus.ADDED
    assert line(page, "KAFFE-500").received == D(6)
    assert not page.qty_error.isVisible() and page.qty_edit.text() == ""

    # Nothing left to undo after undoing it: the service says so, in red.
    with qtbot.waitSignal(page.scan_done, timeout=TIMEOUT_MS):
        page.undo_last_scan()
    with qtbot.waitSignal(page.feedback, timeout=TIMEOUT_MS):
        page.undo_last_scan()
    assert window.banner.title.text() == "Nothing to undo on receipt GR-1001."
    # Posting an empty receipt is refused before asking.
    assert page.post_receipt() is None
    assert "scan the goods first" in window.banner.title.text()


def test_a_blind_receipt_from_a_supplier(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, shop: Shop
) -> None:
    page = window.receiving_page
    assert page.supplier_combo.currentText() == "NORD — Nordgrossisten AB"
    assert page.no_orders_label.isVisible()
    with qtbot.waitSignal(page.receipt_shown, timeout=TIMEOUT_MS) as shown:
        qtbot.mouseClick(page.blind_button, Qt.MouseButton.LeftButton)
    assert shown.args[0].is_blind
    assert "blind, no order" in page.title_label.text()
    focus(qtbot, page.lines_table)
    scan(qtbot, page, TEA_EAN)
    assert cell(page, "TE-GRON", page.lines_model.MARK) == "Received"
    dialog = page.post_receipt()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    # One line has one unit to name: "1 pcs", never "1 units in all".
    assert dialog.detail_label.text() == "1 line received: 1 pcs."
    with qtbot.waitSignal(page.posted, timeout=TIMEOUT_MS) as done:
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert done.args[0].po_id is None
    tea = sqlite_db.run(stock.item_stock, shop.tea)
    assert [(r.location_code, r.quantity) for r in tea] == [("B-02-01", D(1))]


def test_receive_from_the_purchase_orders_page_opens_receiving_on_the_order(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, shop: Shop
) -> None:
    po = sqlite_db.run(sent_order, shop)
    orders = window.purchase_orders_page
    with qtbot.waitSignal(orders.orders_loaded, timeout=TIMEOUT_MS):
        window.show_page(window.PURCHASE_ORDERS)
    assert orders.select_order(po.id)
    with qtbot.waitSignal(window.receiving_page.receipt_shown, timeout=TIMEOUT_MS) as shown:
        qtbot.mouseClick(orders.receive_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.receiving_page
    assert shown.args[0].po_number == po.number
    # The cancelled order cannot be received: the service's reason is shown.
    sqlite_db.run(lambda s: receiving.cancel_receipt(s, shown.args[0].id, shop.user))
    from app.services.purchase_orders import cancel_purchase_order

    sqlite_db.run(lambda s: cancel_purchase_order(s, shop.user, po.id))
    with qtbot.waitSignal(window.receiving_page.feedback, timeout=TIMEOUT_MS):
        window.receiving_page.receive_order(po.id)
    assert "was cancelled, so nothing can be received" in window.banner.title.text()
