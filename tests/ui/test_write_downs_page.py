"""The Write-downs page: suggestions open a filled-in dialog that posts; a staff member's
write-down above the limit waits and a manager approves or rejects it in the page; bad
input shows beside the form and changes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.models import Role, User, WriteDownKind, WriteDownReason, WriteDownStatus
from app.services import lots, settings, write_downs
from app.services.database import Database, unit_of_work
from app.services.users import UserId, UserRef
from app.ui.runner import Runner
from app.ui.stock_page import StockPage
from app.ui.write_downs_page import WriteDownDialog, WriteDownsPage
from tests import factories as f
from tests.ui.conftest import TIMEOUT_MS, Dialogs

D = Decimal
TODAY = dt.date.today()


@dataclass(frozen=True)
class Shop:
    manager: UserRef
    staff: UserRef
    milk: int
    cheap: int
    old_lot: int


@pytest.fixture
def shop(sqlite_db: Database) -> Shop:
    """MILK: lot OLD (expired) 2 @ 10; CHEAP: 5 @ 12, sales price 10 (below cost)."""
    with unit_of_work(sqlite_db) as s:
        settings.set_setting(s, "write_down_approval_limit", "30")
        p = f.places(s)
        staff = User(username="anna", display_name="Anna", role=Role.STAFF)
        s.add(staff)
        s.flush()
        milk = f.item(s, p.user, "MILK", lot_tracked=True, sales_price="30").id
        old = lots.get_or_create_lot(s, milk, "OLD", TODAY - dt.timedelta(days=3)).id
        f.receive(s, p, milk, "2", "10", lot_id=old)
        cheap = f.item(s, p.user, "CHEAP", sales_price="10").id
        f.receive(s, p, cheap, "5", "12")
        manager = UserRef(p.user, "tester", "tester", Role.ADMIN)
        return Shop(
            manager, UserRef(UserId(staff.id), "anna", "Anna", Role.STAFF), milk, cheap, old
        )


def open_page(qtbot: QtBot, runner: Runner, user: UserRef) -> WriteDownsPage:
    page = WriteDownsPage(runner, user)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.activate()
    return page


def open_dialog_for(qtbot: QtBot, page: WriteDownsPage, sku: str) -> WriteDownDialog:
    row = page.suggestions_model.find_row(lambda s: s.sku == sku)
    assert row >= 0
    page.suggestions_table.selectRow(row)
    assert page.write_down_button.isEnabled()
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        page.write_down_button.click()
    dialog: WriteDownDialog = opened.args[0]
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=TIMEOUT_MS)
    return dialog


def test_the_page_lists_suggestions_with_their_reasons(
    qtbot: QtBot, runner: Runner, shop: Shop
) -> None:
    page = open_page(qtbot, runner, shop.manager)
    rows = page.suggestions_model.visible_rows()
    assert [(r.sku, r.lot_code, r.kind_text) for r in rows] == [
        ("MILK", "OLD", "Expired"),
        ("CHEAP", "", "Sales price below cost"),
    ]
    assert "2 suggestions" in page.summary_label.text()
    page.filter_edit.setText("cheap")
    assert [r.sku for r in page.suggestions_model.visible_rows()] == ["CHEAP"]


def test_a_suggestion_opens_a_filled_in_dialog_that_posts(
    qtbot: QtBot, runner: Runner, sqlite_db: Database, shop: Shop
) -> None:
    page = open_page(qtbot, runner, shop.manager)
    dialog = open_dialog_for(qtbot, page, "CHEAP")
    # Sales price 10 less 5 % selling costs: down to 9.50 a unit, 5 x 2.50 = 12.50 off.
    assert dialog.amount_edit.text() == "9.50"
    assert dialog.reason_combo.currentData() == WriteDownReason.PRICE_FALL.value
    assert dialog.preview is not None and dialog.preview.written_down == D("12.5")
    assert "60.00 → 47.50" in dialog.preview_label.text()
    assert dialog.ok_button.text() == "Write down"
    with qtbot.waitSignal(page.data_changed, timeout=TIMEOUT_MS):
        with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
            dialog.ok_button.click()
    assert page.suggestions_model.find_row(lambda s: s.sku == "CHEAP") == -1
    (posted,) = page.history_model.visible_rows()
    assert (posted.number, posted.status, posted.value_after) == ("WD-1001", "approved", D("47.5"))


def test_staff_above_the_limit_waits_and_a_manager_approves_in_the_page(
    qtbot: QtBot, runner: Runner, sqlite_db: Database, shop: Shop, dialogs: Dialogs
) -> None:
    staff_page = open_page(qtbot, runner, shop.staff)
    assert not staff_page.not_manager.isHidden()
    dialog = open_dialog_for(qtbot, staff_page, "CHEAP")
    assert dialog.ok_button.text() == "Write down"  # 12.50 off: within the limit of 30
    dialog.amount_edit.setText("4")  # 5 x 8 = 40 off: above it
    qtbot.waitUntil(
        lambda: dialog.preview is not None and dialog.preview.written_down == D("40"),
        timeout=TIMEOUT_MS,
    )
    assert dialog.ok_button.text() == "Ask for approval"
    assert "wait for a manager" in dialog.preview_label.text()
    with qtbot.waitSignal(staff_page.loaded, timeout=TIMEOUT_MS):
        dialog.ok_button.click()
    assert staff_page.tabs.currentIndex() == staff_page.PENDING
    assert [v.number for v in staff_page.pending_model.visible_rows()] == ["WD-1001"]
    staff_page.pending_table.selectRow(0)
    assert not staff_page.approve_button.isEnabled()
    assert not staff_page.reject_button.isEnabled()

    manager_page = open_page(qtbot, runner, shop.manager)
    assert manager_page.not_manager.isHidden()
    manager_page.pending_table.selectRow(0)
    assert manager_page.approve_button.isEnabled()
    assert not manager_page.reject_button.isEnabled()  # a rejection needs a reason
    dialogs.answer = False
    manager_page.approve_button.click()
    assert dialogs.questions and "Approve WD-1001" in dialogs.questions[-1]
    assert sqlite_db.read(write_downs.get_write_down, 1).status is WriteDownStatus.REQUESTED
    dialogs.answer = True
    with qtbot.waitSignal(manager_page.data_changed, timeout=TIMEOUT_MS):
        with qtbot.waitSignal(manager_page.loaded, timeout=TIMEOUT_MS):
            manager_page.approve_button.click()
    assert manager_page.pending_model.visible_rows() == []
    view = sqlite_db.read(write_downs.get_write_down, 1)
    assert (view.status, view.decided_by, view.value_after) == ("approved", "tester", D("20"))


def test_a_manager_rejects_with_a_reason(
    qtbot: QtBot, runner: Runner, sqlite_db: Database, shop: Shop
) -> None:
    sqlite_db.run(
        write_downs.request_write_down,
        shop.staff.id,
        write_downs.WriteDownInput(
            shop.milk,
            WriteDownKind.SCRAP,
            WriteDownReason.DAMAGED,
            quantity="2",
            lot_id=shop.old_lot,
        ),
    )
    with unit_of_work(sqlite_db) as s:
        settings.set_setting(s, "write_down_approval_limit", "10")
    sqlite_db.run(
        write_downs.request_write_down,
        shop.staff.id,
        write_downs.WriteDownInput(
            shop.cheap, WriteDownKind.SCRAP, WriteDownReason.DAMAGED, quantity="5"
        ),
    )
    page = open_page(qtbot, runner, shop.manager)
    assert [v.number for v in page.pending_model.visible_rows()] == ["WD-1002"]
    assert "(1)" in page.tabs.tabText(page.PENDING)
    page.pending_table.selectRow(0)
    page.decision_note.setText("Sell them as seconds")
    assert page.reject_button.isEnabled()
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.reject_button.click()
    view = sqlite_db.read(write_downs.get_write_down, 2)
    assert (view.status, view.decision_note) == ("rejected", "Sell them as seconds")
    assert page.decision_note.text() == ""


def test_bad_input_shows_beside_the_form_and_changes_nothing(
    qtbot: QtBot, runner: Runner, sqlite_db: Database, shop: Shop
) -> None:
    page = open_page(qtbot, runner, shop.manager)
    dialog = open_dialog_for(qtbot, page, "CHEAP")
    dialog.mode_combo.setCurrentIndex(dialog.mode_combo.findData("percent"))
    dialog.amount_edit.setText("150")
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=TIMEOUT_MS)
    assert "more than 0 and at most 100" in dialog.error.text()
    assert dialog.amount_edit.property("error") is True
    assert not dialog.ok_button.isEnabled()
    dialog.amount_edit.setText("25")
    qtbot.waitUntil(lambda: not dialog.error.isVisibleTo(dialog), timeout=TIMEOUT_MS)
    assert dialog.ok_button.isEnabled()
    dialog.reject()
    assert sqlite_db.read(write_downs.list_write_downs) == []


def test_a_new_write_down_starts_from_a_sku(
    qtbot: QtBot, runner: Runner, sqlite_db: Database, shop: Shop
) -> None:
    page = open_page(qtbot, runner, shop.manager)
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        page.new_button.click()
    dialog: WriteDownDialog = opened.args[0]
    dialog.sku_edit.setText("NOPE")
    qtbot.keyClick(dialog.sku_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=TIMEOUT_MS)
    assert "There is no item with SKU NOPE" in dialog.error.text()
    assert not dialog.ok_button.isEnabled()
    dialog.sku_edit.setText("milk")
    with qtbot.waitSignal(dialog.target_loaded, timeout=TIMEOUT_MS):
        qtbot.keyClick(dialog.sku_edit, Qt.Key.Key_Return)
    assert dialog.sku_edit.text() == "MILK"
    # Lot-tracked: no "all of it" line; the lot, then its bin.
    places = [dialog.place_combo.itemText(i) for i in range(dialog.place_combo.count())]
    assert places[0].startswith("Lot OLD") and places[1].startswith("Bin A-01-01 / OLD")
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(WriteDownKind.SCRAP))
    dialog.quantity_edit.setText("1")
    qtbot.waitUntil(
        lambda: dialog.preview is not None and dialog.preview.kind is WriteDownKind.SCRAP,
        timeout=TIMEOUT_MS,
    )
    assert "Scraps 1 pcs worth 10.00" in dialog.preview_label.text()
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        dialog.ok_button.click()
    (posted,) = sqlite_db.read(write_downs.list_write_downs)
    assert (posted.kind, posted.posted_quantity, posted.lot_code) == (
        WriteDownKind.SCRAP,
        D("1"),
        "OLD",
    )


def test_the_stock_page_asks_to_write_down_its_selected_row(
    qtbot: QtBot, runner: Runner, sqlite_db: Database, shop: Shop
) -> None:
    stock_page = StockPage(runner)
    qtbot.addWidget(stock_page)
    with qtbot.waitSignal(stock_page.stock_loaded, timeout=TIMEOUT_MS):
        stock_page.activate()
    assert not stock_page.write_down_button.isEnabled()
    stock_page.table.selectRow(stock_page.model.find_row(lambda r: r.sku == "MILK"))
    assert stock_page.write_down_button.isEnabled()
    with qtbot.waitSignal(stock_page.write_down_requested, timeout=TIMEOUT_MS) as asked:
        stock_page.write_down_button.click()
    page = open_page(qtbot, runner, shop.manager)
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        page.write_down(asked.args[0])
    dialog: WriteDownDialog = opened.args[0]
    qtbot.waitUntil(
        lambda: "Type the new unit value" in dialog.preview_label.text(), timeout=TIMEOUT_MS
    )
    assert not dialog.error.isVisibleTo(dialog) and not dialog.ok_button.isEnabled()
    assert dialog.place_combo.currentText().startswith("Bin A-01-01 / OLD")
    dialog.mode_combo.setCurrentIndex(dialog.mode_combo.findData("percent"))
    dialog.amount_edit.setText("50")
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=TIMEOUT_MS)
    assert dialog.preview is not None
    assert (dialog.preview.available, dialog.preview.written_down) == (D("2"), D("10"))


def test_enter_on_a_changed_sku_looks_it_up_and_posts_nothing(
    qtbot: QtBot, runner: Runner, sqlite_db: Database, shop: Shop
) -> None:
    """A worker who types another SKU over a filled-in form and presses Enter to look it
    up must not post the write-down of the item that was there before."""
    page = open_page(qtbot, runner, shop.manager)
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        page.new_button.click()
    dialog: WriteDownDialog = opened.args[0]
    qtbot.keyClicks(dialog.sku_edit, "CHEAP")
    with qtbot.waitSignal(dialog.target_loaded, timeout=TIMEOUT_MS):
        qtbot.keyClick(dialog.sku_edit, Qt.Key.Key_Return)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(WriteDownKind.SCRAP))
    dialog.quantity_edit.setText("1")
    qtbot.waitUntil(dialog.ok_button.isEnabled, timeout=TIMEOUT_MS)
    dialog.sku_edit.selectAll()
    qtbot.keyClicks(dialog.sku_edit, "MILK")
    # The form no longer speaks of CHEAP: nothing to confirm until MILK is found.
    assert not dialog.ok_button.isEnabled()
    assert dialog.item_label.text() == ""
    with qtbot.waitSignal(dialog.target_loaded, timeout=TIMEOUT_MS) as loaded:
        qtbot.keyClick(dialog.sku_edit, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert loaded.args[0].sku == "MILK"
    assert dialog.isVisible()
    assert sqlite_db.read(write_downs.list_write_downs) == []
    dialog.reject()
