"""The Purchase orders page and its editor: a new order with two lines in whole packs
(found by SKU and by barcode, priced from the supplier's terms), the service's objections
beside the fields, send, save the PDF, cancel with a reason; a sent order cannot be
changed and the editor says so in the service's words.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.barcodes.diagnose import ScannerSetup
from app.models import AuditEvent, PurchaseOrderStatus
from app.services.database import Database, unit_of_work
from app.services.purchase_orders import (
    PurchaseOrderDetail,
    get_purchase_order,
    list_purchase_orders,
)
from app.services.users import UserRef
from app.ui import widgets
from app.ui.purchase_order_editor import PurchaseOrderEditor, pack_text
from app.ui.purchase_orders_page import CancelOrderDialog, PurchaseOrdersPage
from app.ui.runner import Runner
from app.ui.scanner import ScannerInput
from tests.reports.pdf_tools import pdf_text
from tests.services.purchasing_setup import COFFEE_EAN, Shop, build_shop, sent_order
from tests.ui.conftest import TIMEOUT_MS, Dialogs
from tests.ui.orders_setup import TYPING_GAP_MS
from tests.ui.scan_helpers import scanner_keys
from tests.ui.test_scanner import Keyboard

D = Decimal


@pytest.fixture
def shop(sqlite_db: Database) -> Shop:
    return sqlite_db.run(build_shop)


@pytest.fixture
def page(
    qtbot: QtBot, runner: Runner, tester: UserRef, settings: QSettings, shop: Shop
) -> Iterator[PurchaseOrdersPage]:
    made = PurchaseOrdersPage(runner, tester, settings=settings)
    qtbot.addWidget(made)
    with qtbot.waitSignal(made.orders_loaded, timeout=TIMEOUT_MS):
        made.show()
        made.activate()
    yield made
    for editor in made.findChildren(PurchaseOrderEditor):
        editor.close()


def new_editor(qtbot: QtBot, page: PurchaseOrdersPage) -> PurchaseOrderEditor:
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        editor = page.new_order()
    assert opened.args[0] is editor
    qtbot.addWidget(editor)
    qtbot.waitUntil(lambda: editor.supplier_combo.count() > 0, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: editor.line_group.isEnabled(), timeout=TIMEOUT_MS)
    return editor


def choose_item(qtbot: QtBot, editor: PurchaseOrderEditor, text: str) -> None:
    editor.item_edit.setText(text)
    with qtbot.waitSignal(editor.item_chosen, timeout=TIMEOUT_MS):
        qtbot.keyClick(editor.item_edit, Qt.Key.Key_Return)


def saved(qtbot: QtBot, editor: PurchaseOrderEditor, action: object) -> PurchaseOrderDetail:
    assert callable(action)
    with qtbot.waitSignal(editor.saved, timeout=TIMEOUT_MS) as blocker:
        action()
    detail = blocker.args[0]
    assert isinstance(detail, PurchaseOrderDetail)
    return detail


def test_pack_text() -> None:
    assert pack_text(D(4), D(12), "pcs") == "4 × 12 = 48 pcs"
    assert pack_text(D(20), D(1), "l") == "20 l"


def test_a_new_order_with_two_lines_sent_saved_as_pdf_and_cancelled(
    qtbot: QtBot,
    page: PurchaseOrdersPage,
    sqlite_db: Database,
    shop: Shop,
    dialogs: Dialogs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert page.empty_hint.isVisible()
    editor = new_editor(qtbot, page)
    assert editor.supplier_combo.currentText() == "NORD — Nordgrossisten AB"
    assert editor.status_label.text() == "not saved yet"

    # Coffee by SKU: the supplier's pack of 12 and price come with it.
    choose_item(qtbot, editor, "KAFFE-500")
    assert editor.item_edit.text() == "KAFFE-500 — Kaffe mellanrost 500 g"
    assert "Pack of 12 pcs" in editor.terms_label.text()
    assert "supplier SKU NB-4703" in editor.terms_label.text()
    assert editor.price_edit.text() == "38.50"
    editor.packs_spin.setValue(4)
    assert editor.quantity_label.text() == "4 × 12 = 48 pcs"
    # The first line creates the draft.
    with qtbot.waitSignal(editor.created, timeout=TIMEOUT_MS):
        first = saved(qtbot, editor, editor.add_line)
    assert first.number == "PO-1001" and first.status is PurchaseOrderStatus.DRAFT
    assert [(ln.sku, ln.quantity, ln.unit_price) for ln in first.lines] == [
        ("KAFFE-500", D(48), D("38.50"))
    ]
    assert not editor.supplier_combo.isEnabled()
    assert editor.number_label.text() == "PO-1001"

    # Bad input says what is wrong beside its field, and saves nothing.
    choose_item(qtbot, editor, "MJOLK")  # one item's name or SKU holds it
    assert editor.item_edit.text() == "MJOLK-1L — Mjölk 1 l"
    editor.packs_spin.setValue(20)
    editor.price_edit.setText("elva")
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(editor.price_error.isVisible, timeout=TIMEOUT_MS)
    assert "elva" in editor.price_error.text()
    assert editor.price_edit.property("error") is True
    editor.price_edit.setText("11.20")
    editor.expected_edit.setText("2001-01-01")
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(editor.expected_error.isVisible, timeout=TIMEOUT_MS)
    assert "is in the past" in editor.expected_error.text()
    assert not editor.price_error.isVisible()
    assert len(sqlite_db.run(get_purchase_order, first.id).lines) == 1
    editor.expected_edit.clear()
    second = saved(qtbot, editor, editor.add_line)
    assert [(ln.sku, ln.quantity) for ln in second.lines] == [
        ("KAFFE-500", D(48)),
        ("MJOLK-1L", D(20)),
    ]
    assert editor.total_label.text() == "Total: 2,072.00 SEK"

    # The same item twice is refused with the service's words.
    choose_item(qtbot, editor, COFFEE_EAN)  # by its barcode
    assert editor.item_edit.text() == "KAFFE-500 — Kaffe mellanrost 500 g"
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(editor.item_error.isVisible, timeout=TIMEOUT_MS)
    assert "already on line 1" in editor.item_error.text()
    # An item nobody has: said beside the field.
    editor.item_edit.setText("NO-SUCH-THING")
    qtbot.keyClick(editor.item_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "No item has" in editor.item_error.text(), timeout=TIMEOUT_MS)

    # Changing a line: 5 cartons instead of 4.
    editor.lines_table.selectRow(0)
    with qtbot.waitSignal(editor.item_chosen, timeout=TIMEOUT_MS):
        editor.edit_selected_line()
    assert editor.update_button.isVisible() and not editor.add_button.isVisible()
    editor.packs_spin.setValue(5)
    assert editor.quantity_label.text() == "5 × 12 = 60 pcs"
    changed = saved(qtbot, editor, editor.update_line)
    assert changed.lines[0].quantity == D(60)

    # The page lists it; Send from the page.
    qtbot.waitUntil(lambda: page.model.visible_count() == 1, timeout=TIMEOUT_MS)
    assert page.select_order(first.id)
    row = page.selected_row()
    assert row is not None and (row.lines, row.status_text) == (2, "Draft")
    assert page.send_button.isEnabled() and not page.receive_button.isEnabled()
    with qtbot.waitSignal(page.orders_loaded, timeout=TIMEOUT_MS):
        with qtbot.waitSignal(page.order_changed, timeout=TIMEOUT_MS) as sent:
            qtbot.mouseClick(page.send_button, Qt.MouseButton.LeftButton)
    assert sent.args[0].status is PurchaseOrderStatus.SENT

    # The editor opened while it was a draft: the service refuses the change, in its words.
    choose_item(qtbot, editor, "TE-GRON")
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(editor.other_error.isVisible, timeout=TIMEOUT_MS)
    assert "has been sent to the supplier (sent) and cannot be changed" in (
        editor.other_error.text()
    )
    editor.close()
    assert page.receive_button.isEnabled() and not page.send_button.isEnabled()

    # Save PDF…: the file dialog answers with a path; the PDF is the order.
    target = tmp_path / "orders" / "PO-1001"
    target.parent.mkdir()
    monkeypatch.setattr(widgets, "get_save_file_name", lambda *_a, **_k: str(target))
    dialogs.answer = False
    with qtbot.waitSignal(page.pdf_saved, timeout=TIMEOUT_MS) as written:
        qtbot.mouseClick(page.pdf_button, Qt.MouseButton.LeftButton)
    path = written.args[0]
    assert path == target.with_name("PO-1001.pdf")
    text = pdf_text(path.read_bytes())[0]
    assert "PO-1001" in text and "Nordgrossisten AB" in text and "NB-4703" in text
    assert dialogs.questions == [f"PO-1001 is saved in {path}. Open it now?"]

    # Cancel, with a reason for the record.
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    dialog = opened.args[0]
    assert isinstance(dialog, CancelOrderDialog)
    qtbot.waitExposed(dialog)
    dialog.reason_edit.setText("Leverantören har slutat med mjölk")
    with qtbot.waitSignal(page.orders_loaded, timeout=TIMEOUT_MS):
        with qtbot.waitSignal(page.order_changed, timeout=TIMEOUT_MS) as cancelled:
            qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    assert cancelled.args[0].status is PurchaseOrderStatus.CANCELLED
    with unit_of_work(sqlite_db, read_only=True) as s:
        audit = s.scalars(
            select(AuditEvent).where(
                AuditEvent.entity == "purchase_order", AuditEvent.action == "cancel"
            )
        ).one()
        assert "Leverantören har slutat med mjölk" in str(audit.details)
    assert page.selected_row() is not None
    assert not page.cancel_button.isEnabled() and not page.receive_button.isEnabled()


def test_status_filter_and_text_filter(
    qtbot: QtBot, page: PurchaseOrdersPage, sqlite_db: Database, shop: Shop
) -> None:
    sqlite_db.run(sent_order, shop)
    with unit_of_work(sqlite_db) as s:
        from app.services.purchase_orders import create_purchase_order

        create_purchase_order(s, shop.user, shop.supplier)
    with qtbot.waitSignal(page.orders_loaded, timeout=TIMEOUT_MS):
        page.refresh()
    assert page.count_label.text() == "2 orders"
    page.status_combo.setCurrentIndex(page.status_combo.findData(PurchaseOrderStatus.SENT.value))
    assert [r.number for r in page.model.visible_rows()] == ["PO-1001"]
    assert page.count_label.text() == "1 of 2 orders"
    page.status_combo.setCurrentIndex(page.status_combo.findData("open"))
    assert page.model.visible_count() == 2
    page.filter_edit.setText("1002")
    assert [r.number for r in page.model.visible_rows()] == ["PO-1002"]


def test_a_sent_order_opens_read_only(
    qtbot: QtBot, page: PurchaseOrdersPage, sqlite_db: Database, shop: Shop
) -> None:
    po = sqlite_db.run(sent_order, shop)
    with qtbot.waitSignal(page.orders_loaded, timeout=TIMEOUT_MS):
        page.refresh()
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        page.open_order(po.id)
    editor = opened.args[0]
    assert isinstance(editor, PurchaseOrderEditor)
    qtbot.addWidget(editor)
    qtbot.waitUntil(lambda: editor.detail is not None, timeout=TIMEOUT_MS)
    assert not editor.line_group.isVisible() and not editor.save_button.isVisible()
    assert editor.read_only_label.text() == (
        "PO-1001 is sent: it can no longer be changed. 0 of 2 lines have come in full."
    )
    assert editor.delivery_edit.isReadOnly()
    assert [editor.lines_model.index(r, 4).data() for r in range(2)] == [
        "4 × 12 = 48 pcs",
        "20 pcs",
    ]
    # Opening it again brings the same editor to the front.
    assert page.open_order(po.id) is editor
    assert len(sqlite_db.run(list_purchase_orders)) == 1


def test_keys_typed_while_the_editors_suggestions_open_stay_in_order(
    qtbot: QtBot, qapp: QApplication, page: PurchaseOrdersPage, shop: Shop
) -> None:
    """The editor is a window of its own; once its suggestion list opens the window
    system gives the keys to the list. A key the scanner filter still holds must not be
    overtaken by them ("Te påsar", not "T epåsar"), as in the main window."""
    scanner = ScannerInput(ScannerSetup())
    scanner.set_home(page)
    scanner.install(qapp)
    try:
        editor = new_editor(qtbot, page)
        editor.show()
        qtbot.waitExposed(editor)
        editor.activateWindow()
        editor.item_edit.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is editor.item_edit, timeout=TIMEOUT_MS)
        keyboard = Keyboard(start_ms=80_000)
        keyboard.type(editor.item_edit, "T", gap_ms=TYPING_GAP_MS)  # held: typing or scan?
        editor.completer.setCompletionPrefix("T")
        editor.completer.complete()
        popup = editor.completer.popup()
        assert popup is not None and popup.isVisible()
        for char in "e på":
            keyboard.type(popup, char, gap_ms=TYPING_GAP_MS)
        qtbot.waitUntil(lambda: editor.item_edit.text() == "Te på", timeout=TIMEOUT_MS)
    finally:
        scanner.uninstall()


def test_a_barcode_scanned_into_the_item_field_finds_the_item_without_another_enter(
    qtbot: QtBot, qapp: QApplication, page: PurchaseOrdersPage, shop: Shop
) -> None:
    # The editor is a window of its own: the scanner filter puts the scan into its item
    # field in one piece and swallows the scanner's Enter (so it cannot trip a default
    # button). The item field asks for that Enter: the scan alone finds the item, as the
    # field's "(or scan it)" promises, and the packs are next.
    scanner = ScannerInput(ScannerSetup())
    scanner.set_home(page)
    scanner.install(qapp)
    try:
        editor = new_editor(qtbot, page)
        editor.show()
        qtbot.waitExposed(editor)
        editor.activateWindow()
        editor.item_edit.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is editor.item_edit, timeout=TIMEOUT_MS)
        with qtbot.waitSignal(editor.item_chosen, timeout=TIMEOUT_MS) as chosen:
            scanner_keys(editor.item_edit, COFFEE_EAN)
        assert chosen.args[0].sku == "KAFFE-500"
        assert editor.item_edit.text() == "KAFFE-500 — Kaffe mellanrost 500 g"
        qtbot.waitUntil(lambda: QApplication.focusWidget() is editor.packs_spin, timeout=TIMEOUT_MS)
    finally:
        scanner.uninstall()
