"""The item editor: typing an item in, saving it, finding it by barcode and seeing its
stock; field errors shown beside their fields with nothing saved."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.barcodes.gtin import with_check_digit
from app.services import items, suppliers, users
from app.services.database import Database
from app.services.suppliers import SupplierInput
from app.services.users import UserRef
from app.ui.item_editor import BarcodeRow, ItemEditor, SupplierRow
from app.ui.items_page import ItemsPage
from app.ui.runner import Runner
from tests import factories
from tests.ui.conftest import TIMEOUT_MS, Dialogs

GTIN = with_check_digit("731086500470")  # 7310865004703
CARTON = with_check_digit("1731086500470")  # a GTIN-14 for a carton of 12


def open_editor(
    qtbot: QtBot, runner: Runner, user: UserRef, item_id: int | None = None
) -> ItemEditor:
    # Not given to qtbot.addWidget: a saved editor deletes itself (WA_DeleteOnClose), and
    # an open one goes with its Python reference at the end of the test.
    editor = ItemEditor(runner, user, item_id)
    with qtbot.waitSignal(editor.loaded, timeout=TIMEOUT_MS):
        editor.show()
    return editor


def save(qtbot: QtBot, editor: ItemEditor) -> None:
    """Click Save and wait until the worker answered (saved, or errors shown)."""
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor._saving, timeout=TIMEOUT_MS)


def below(label: QLabel, field: QWidget) -> bool:
    """True if ``label`` is shown right under ``field`` (same box, lower edge)."""
    field_box = field.parentWidget()
    return (
        label.isVisible()
        and label.parentWidget() is field_box
        and label.geometry().top() >= field.geometry().bottom()
        and label.geometry().top() - field.geometry().bottom() < 20
    )


def item_count(db: Database) -> int:
    return len(db.run(items.list_items))


def test_create_an_item_find_it_by_barcode_and_see_its_stock(
    qtbot: QtBot, db: Database, make_runner: Callable[[Database], Runner], dialogs: Dialogs
) -> None:
    runner = make_runner(db)
    places = db.run(factories.places)
    user = db.run(users.workstation_user, "tester")
    # Some other items, one with a barcode that shares a prefix with the new one.
    for sku, code in (
        ("SCREW-1", with_check_digit("731086511111")),
        ("NUT-1", None),
        ("BOLT-1", with_check_digit("400638133393")),
    ):
        db.run(factories.item, user.id, sku, barcodes=(code,) if code else ())

    page = ItemsPage(runner, user)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    with qtbot.waitSignal(page.items_loaded, timeout=TIMEOUT_MS):
        page.show()
        page.activate()
    assert page.count_label.text() == "3 items"

    # A new item, typed in as a person would.
    with qtbot.waitSignal(page.editor_opened, timeout=TIMEOUT_MS) as opened:
        qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    editor = opened.args[0]
    qtbot.waitUntil(editor.isEnabled, timeout=TIMEOUT_MS)
    qtbot.keyClicks(editor.sku_edit, "HX-1001")
    qtbot.keyClicks(editor.name_edit, "Hyllkonsol vit 200 mm")
    qtbot.keyClicks(editor.category_combo.lineEdit(), "Beslag")
    qtbot.keyClicks(editor.price_edit, "12,50")  # a decimal comma, as typed in Sweden
    qtbot.keyClicks(editor.min_edit, "5")
    qtbot.keyClicks(editor.max_edit, "40")
    qtbot.keyClicks(editor.service_edit, "97,5")
    first = editor.barcodes.rows()[0]
    qtbot.keyClicks(first.code_edit, GTIN)
    qtbot.mouseClick(editor.barcodes.add_button, Qt.MouseButton.LeftButton)
    carton: BarcodeRow = editor.barcodes.rows()[1]
    assert carton.code_edit.hasFocus() or not editor.isActiveWindow()
    qtbot.keyClicks(carton.code_edit, CARTON)
    carton.pack_edit.clear()
    qtbot.keyClicks(carton.pack_edit, "12")
    qtbot.keyClicks(carton.label_edit, "Kartong")

    with (
        qtbot.waitSignal(editor.saved, timeout=TIMEOUT_MS) as saved,
        qtbot.waitSignal(page.items_loaded, timeout=TIMEOUT_MS),
    ):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    detail = saved.args[0]
    assert dialogs.errors == []
    stored = db.run(items.get_item, detail.id)
    assert (stored.sku, stored.name, stored.category) == (
        "HX-1001",
        "Hyllkonsol vit 200 mm",
        "Beslag",
    )
    assert stored.sales_price == Decimal("12.50")
    assert (stored.min_qty, stored.max_qty) == (Decimal(5), Decimal(40))
    assert stored.service_level == Decimal("0.975")
    assert [(b.code, b.pack_qty, b.label) for b in stored.barcodes] == [
        (GTIN, Decimal(1), ""),
        (CARTON, Decimal(12), "Kartong"),
    ]
    assert page.count_label.text() == "4 items"

    # Goods arrive (posted through the ledger, as receiving will).
    db.run(factories.receive, places, detail.id, "24", "3.75")
    db.run(factories.receive, places, detail.id, "0.5", "3.75", bin_index=1)

    # Part of the barcode in the filter finds exactly that item.
    page.focus_filter()
    qtbot.keyClicks(page.filter_edit, GTIN[3:9])
    assert page.model.visible_count() == 1
    assert page.model.row_at(0).sku == "HX-1001"
    assert page.count_label.text() == "1 of 4 items"
    assert page.selected_id() == detail.id

    # Enter opens it; the editor shows its stock per bin and its moves.
    with qtbot.waitSignal(page.editor_opened, timeout=TIMEOUT_MS) as opened:
        qtbot.keyClick(page.filter_edit, Qt.Key.Key_Return)
    second = opened.args[0]
    qtbot.waitUntil(second.isEnabled, timeout=TIMEOUT_MS)
    assert second.sku_edit.text() == "HX-1001"
    assert second.price_edit.text() == "12.50"
    assert second.service_edit.text() == "97.5"
    assert second.tabs.isTabVisible(second.STOCK_TAB)
    stock_rows = [(r.location_code, r.quantity) for r in second.stock_model.visible_rows()]
    assert stock_rows == [("A-01-01", Decimal(24)), ("A-01-02", Decimal("0.5"))]
    quantity_column = 3
    assert second.stock_model.data(second.stock_model.index(1, quantity_column)) == "0.5"
    assert second.stock_total.text() == "On hand in all bins: 24.5 pcs"
    assert second.moves_model.visible_count() == 2
    kinds = {second.moves_model.data(second.moves_model.index(i, 1)) for i in range(2)}
    assert kinds == {"Receipt"}
    # Opening the same item again brings the same editor forward.
    assert page.open_item(detail.id) is second


def test_a_bad_check_digit_is_shown_beside_the_barcode_and_nothing_is_saved(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database
) -> None:
    editor = open_editor(qtbot, runner, tester)
    qtbot.keyClicks(editor.sku_edit, "HX-2002")
    qtbot.keyClicks(editor.name_edit, "Vinkeljarn")
    row = editor.barcodes.rows()[0]
    qtbot.keyClicks(row.code_edit, GTIN[:-1] + "4")
    save(qtbot, editor)

    message = editor.error_text("barcodes.0")
    assert message == f"The check digit of {GTIN[:-1]}4 should be 3."
    assert row.error.isVisible() and row.error.geometry().top() >= row.code_edit.geometry().bottom()
    assert row.code_edit.property("error") is True
    assert editor.isVisible(), "the editor stays open to correct the field"
    assert item_count(sqlite_db) == 0

    # Correcting the code clears the error and saves.
    row.code_edit.clear()
    qtbot.keyClicks(row.code_edit, GTIN)
    assert not row.error.isVisible()
    with qtbot.waitSignal(editor.saved, timeout=TIMEOUT_MS):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert [r.sku for r in sqlite_db.run(items.list_items)] == ["HX-2002"]


def test_a_duplicate_sku_and_other_errors_appear_under_their_fields(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database
) -> None:
    sqlite_db.run(factories.item, tester.id, "HX-1001", name="Original")
    editor = open_editor(qtbot, runner, tester)
    qtbot.keyClicks(editor.sku_edit, "hx-1001")
    qtbot.keyClicks(editor.price_edit, "tolv")
    qtbot.keyClicks(editor.min_edit, "10")
    qtbot.keyClicks(editor.max_edit, "5")
    save(qtbot, editor)

    expected = {
        "sku": "SKU hx-1001 is already used by another item.",
        "name": "Give the item a name.",
        "sales_price": "“tolv” is not a number. Type digits, e.g. 12 or 12.5.",
        "max_qty": "Max (5) cannot be below min (10).",
    }
    for key, message in expected.items():
        assert editor.error_text(key) == message, key
        assert below(editor.error_label_for(key), editor.input_for(key)), key
        assert editor.input_for(key).property("error") is True, key
    for key in ("min_qty", "unit", "category", "service_level"):
        assert editor.error_text(key) == ""
        assert not editor.error_label_for(key).isVisible()
    assert editor.tabs.currentIndex() == editor.DETAILS_TAB
    # Nothing was saved: the only item is still the original.
    stored = sqlite_db.run(items.list_items)
    assert [(r.sku, r.name) for r in stored] == [("HX-1001", "Original")]

    # Typing in a field takes its error away; the others stay until the next save.
    qtbot.keyClicks(editor.name_edit, "Hylla")
    assert editor.error_text("name") == ""
    assert editor.error_text("sku") != ""


def test_supplier_terms_are_saved_and_their_errors_shown_on_their_row(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database
) -> None:
    for code in ("ACME", "BETA"):
        supplier = SupplierInput(code=code, name=f"{code} AB")
        sqlite_db.run(suppliers.save_supplier, tester.id, supplier)
    editor = open_editor(qtbot, runner, tester)
    qtbot.keyClicks(editor.sku_edit, "HX-3003")
    qtbot.keyClicks(editor.name_edit, "Skruvlada")
    editor.tabs.setCurrentIndex(editor.SUPPLIERS_TAB)
    assert editor.suppliers.add_button.isEnabled()
    qtbot.mouseClick(editor.suppliers.add_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(editor.suppliers.add_button, Qt.MouseButton.LeftButton)
    acme, beta = editor.suppliers.rows()
    assert isinstance(acme, SupplierRow)
    acme.supplier_combo.setCurrentIndex(acme.supplier_combo.findData("ACME"))
    qtbot.keyClicks(acme.sku_edit, "A-77")
    qtbot.keyClicks(acme.price_edit, "4,25")
    qtbot.keyClicks(acme.pack_edit, "10")
    qtbot.keyClicks(acme.lead_edit, "5")
    acme.preferred_check.setChecked(True)
    beta.supplier_combo.setCurrentIndex(beta.supplier_combo.findData("BETA"))
    qtbot.keyClicks(beta.price_edit, "-3")
    editor.tabs.setCurrentIndex(editor.DETAILS_TAB)
    save(qtbot, editor)

    assert editor.error_text("supplier_items.1").startswith("Supplier BETA: ")
    assert editor.error_text("supplier_items.0") == ""
    assert editor.tabs.currentIndex() == editor.SUPPLIERS_TAB, "the tab with the error shows"
    assert item_count(sqlite_db) == 0

    beta.price_edit.clear()
    qtbot.keyClicks(beta.price_edit, "3")
    with qtbot.waitSignal(editor.saved, timeout=TIMEOUT_MS) as saved:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    stored = sqlite_db.run(items.get_item, saved.args[0].id)
    terms = {
        (s.supplier_code, s.supplier_sku, s.price, s.pack_size, s.lead_time_days, s.preferred)
        for s in stored.supplier_items
    }
    assert terms == {
        ("ACME", "A-77", Decimal("4.25"), Decimal(10), 5, True),
        ("BETA", "", Decimal(3), Decimal(1), None, False),
    }


def test_an_existing_item_is_shown_in_its_fields_and_saved_unchanged(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database
) -> None:
    sqlite_db.run(factories.places)
    created = sqlite_db.run(
        factories.item,
        tester.id,
        "KG-1",
        name="Salt",
        unit="kg",
        category="Kemi",
        sales_price="1234.5",
        policy="min-max",
        min_qty="0.25",
        max_qty="1000.125",
        service_level="95",
        lot_tracked=True,
        shelf_life_days="365",
        default_location="A-01-02",
        barcodes=(GTIN,),
    )
    editor = open_editor(qtbot, runner, tester, created.id)
    assert editor.windowTitle() == "Item KG-1 — Salt"
    assert editor.unit_combo.currentText() == "kg"
    assert editor.category_combo.currentText() == "Kemi"
    assert editor.price_edit.text() == "1234.50"  # no digit grouping in a field to edit
    assert editor.policy_combo.currentText() == "Min/max"
    assert (editor.min_edit.text(), editor.max_edit.text()) == ("0.25", "1000.125")
    assert editor.service_edit.text() == "95"
    assert editor.lot_check.isChecked()
    assert editor.shelf_edit.text() == "365"
    assert editor.bin_combo.currentText() == "A-01-02"
    assert [r.code_edit.text() for r in editor.barcodes.rows()] == [GTIN, ""]

    with qtbot.waitSignal(editor.saved, timeout=TIMEOUT_MS):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert sqlite_db.run(items.get_item, created.id) == created


def test_closing_with_unsaved_changes_asks_first(
    qtbot: QtBot, runner: Runner, tester: UserRef, dialogs: Dialogs
) -> None:
    editor = open_editor(qtbot, runner, tester)
    qtbot.keyClicks(editor.name_edit, "Half typed")
    dialogs.answer = False  # "Keep editing"
    editor.reject()
    assert editor.isVisible()
    assert dialogs.questions == [
        "You have changed this item but not saved it. Discard the changes?"
    ]
    dialogs.answer = True
    editor.reject()
    assert not editor.isVisible()


def test_a_missing_item_is_reported_and_the_editor_closes(
    qtbot: QtBot, runner: Runner, tester: UserRef, dialogs: Dialogs
) -> None:
    editor = ItemEditor(runner, tester, 4242)
    closed: list[int] = []
    editor.finished.connect(closed.append)
    editor.show()
    qtbot.waitUntil(lambda: bool(closed), timeout=TIMEOUT_MS)
    assert dialogs.errors == ["Item 4242 does not exist."]
