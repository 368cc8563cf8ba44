"""The counting screen and the review in the window, driven like a counter drives them:
scans typed at scanner speed through the real ScannerInput filter, Enter and Esc in the
dialogs, Ctrl+Z and Ctrl+Enter.

A blind count of aisle A- by scanning: bin labels, single units and cartons, a GS1 code
with its lot, a typed count, undo, an item found where none was expected, closing a bin
with an expected item confirmed as zero; the screen never shows an expected quantity.
Then finish, review (not blind), a staff user's approval refused by the service, the
manager's approval posting the adjustments, and the stock moved. A count left half-way
reopens where it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from app.models import CountKind, CountLineStatus, CountStatus, LocationKind, MoveKind, Role, User
from app.services import counting, ledger, locations, stock, users
from app.services.counting import (
    BinClosed,
    CountApproved,
    CountLineView,
    CountScanOutcome,
    CountScanStatus,
    CountView,
)
from app.services.database import Database
from app.services.lots import get_or_create_lot
from app.services.users import UserRef
from app.ui.count_dialogs import LotChoiceDialog, StartCountDialog
from app.ui.count_review import CountReview
from app.ui.count_screen import CountScreen
from app.ui.counts_page import CountsPage
from app.ui.main_window import MainWindow
from app.ui.receipt_dialogs import ConfirmDialog
from app.ui.runner import Runner
from app.ui.scan_feedback import Tone
from tests.services.purchasing_setup import (
    COFFEE_CARTON,
    COFFEE_EAN,
    MILK_EAN,
    SCREW_EAN,
    Shop,
    build_shop,
    gs1,
)
from tests.ui.conftest import TIMEOUT_MS
from tests.ui.scan_helpers import focused, open_window_on, scan_for
from tests.ui.test_scanner import focus

D = Decimal
CTRL = Qt.KeyboardModifier.ControlModifier
EXPIRY = dt.date.today() + dt.timedelta(days=60)
# Expected quantities no counted figure of the scenario ever equals: if one of these
# shows on the counting screen, the blind count leaks.
COFFEE_EXPECTED, TEA_EXPECTED, MILK_EXPECTED = "39", "29", "43"
SECRETS = (COFFEE_EXPECTED, TEA_EXPECTED, MILK_EXPECTED)


@dataclass(frozen=True)
class Stocked:
    """The shop with goods on its shelves; maja (the first user) is the admin."""

    shop: Shop
    maja: UserRef


def stock_the_shop(session: Session) -> Stocked:
    """Coffee 39 and tea 29 in A-01-01, milk lot L1 ×43 in A-01-02, screws 1000 in
    C-03-01 (outside aisle A-)."""
    shop = build_shop(session)
    lot = get_or_create_lot(session, shop.milk, "L1", EXPIRY).id
    supplier = locations.virtual_location_id(session, LocationKind.SUPPLIER)
    for item, qty, code, cost, lot_id in (
        (shop.coffee, COFFEE_EXPECTED, "A-01-01", "40", None),
        (shop.tea, TEA_EXPECTED, "A-01-01", "20", None),
        (shop.milk, MILK_EXPECTED, "A-01-02", "11", lot),
        (shop.screw, "1000", "C-03-01", "0.35", None),
    ):
        ledger.post_move(
            session,
            item_id=item,
            quantity=D(qty),
            from_location_id=supplier,
            to_location_id=shop.bins[code],
            kind=MoveKind.RECEIPT,
            user_id=shop.user,
            unit_cost=D(cost),
            lot_id=lot_id,
        )
    return Stocked(shop, users.workstation_user(session, "maja"))


def add_user(session: Session, username: str, role: Role) -> UserRef:
    """A user with a role of the test's choosing."""
    session.add(User(username=username, display_name=username.capitalize(), role=role))
    session.flush()
    return users.workstation_user(session, username)


@pytest.fixture
def stocked(sqlite_db: Database) -> Stocked:
    return sqlite_db.run(stock_the_shop)


def open_counts_window(
    qtbot: QtBot,
    qapp: QApplication,
    runner: Runner,
    user: UserRef,
    db: Database,
    settings: QSettings,
) -> MainWindow:
    """The window on the Counts page, its scanner filter installed, the overview loaded."""
    return open_window_on(qtbot, qapp, runner, user, db, settings, "counts", "overview_loaded")


@pytest.fixture
def window(
    qtbot: QtBot,
    qapp: QApplication,
    runner: Runner,
    sqlite_db: Database,
    settings: QSettings,
    stocked: Stocked,
) -> Iterator[MainWindow]:
    made = open_counts_window(qtbot, qapp, runner, stocked.maja, sqlite_db, settings)
    yield made
    made.scanner.uninstall()


def scan(qtbot: QtBot, screen: CountScreen, code: str) -> CountScanOutcome:
    """Scan ``code`` on the counting screen and wait for the service's answer."""
    return scan_for(qtbot, screen, code, CountScanOutcome)


def opened(qtbot: QtBot, signal: object, trigger: object) -> QDialog:
    """Run ``trigger`` and return the dialog announced by ``signal``."""
    with qtbot.waitSignal(signal, timeout=TIMEOUT_MS) as blocker:
        assert callable(trigger)
        trigger()
    dialog = blocker.args[0]
    assert isinstance(dialog, QDialog)
    qtbot.waitExposed(dialog)
    return dialog


def start_aisle_count(qtbot: QtBot, page: CountsPage, scope: str = "A-") -> CountView:
    """Start a blind count of an aisle through the dialog, as a worker does."""
    dialog = opened(qtbot, page.dialog_opened, page.start_count_dialog)
    assert isinstance(dialog, StartCountDialog)
    dialog.set_kind(CountKind.AISLE)
    assert dialog.blind_check.isChecked()
    dialog.scope_edit.setText(scope)
    with qtbot.waitSignal(page.count_opened, timeout=TIMEOUT_MS) as started:
        qtbot.keyClick(dialog.scope_edit, Qt.Key.Key_Return)
    view = started.args[0]
    assert isinstance(view, CountView)
    return view


def line(screen: CountScreen, sku: str) -> CountLineView:
    return next(ln for ln in screen.lines_model.lines() if ln.sku == sku)


def cell(screen: CountScreen, sku: str, column: int) -> str:
    row = screen.lines_model.row_of(line(screen, sku).id)
    return str(screen.lines_model.index(row, column).data())


def screen_texts(screen: CountScreen) -> list[str]:
    """Every text the counting screen shows: labels, the lines' and the bins' cells."""
    texts = [label.text() for label in screen.findChildren(QLabel) if label.isVisible()]
    texts += [text for row in screen.lines_model.texts() for text in row]
    model = screen.bins_model
    texts += [str(model.index(r, c).data()) for r in range(model.rowCount()) for c in range(3)]
    return texts


def assert_blind(screen: CountScreen) -> None:
    """No expected quantity anywhere on the counting screen."""
    assert screen.lines_table.isColumnHidden(screen.lines_model.EXPECTED)
    assert all(row[screen.lines_model.EXPECTED] == "" for row in screen.lines_model.texts())
    for text in screen_texts(screen):
        for secret in SECRETS:
            assert secret not in text, f"expected quantity {secret} shown: {text!r}"


def press_enter_in(qtbot: QtBot, dialog: QDialog) -> None:
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT_MS)


def test_a_blind_count_by_scanning_then_review_and_approval(
    qtbot: QtBot,
    window: MainWindow,
    sqlite_db: Database,
    make_runner: object,
    stocked: Stocked,
) -> None:
    shop = stocked.shop
    page = window.counts_page
    screen = page.count_screen
    view = start_aisle_count(qtbot, page)
    assert view.kind is CountKind.AISLE and view.blind and view.is_counting
    assert page.stack.currentIndex() == page.COUNT
    assert screen.bin_label.text() == "Scan a bin label"
    assert screen.blind_label.text() == "BLIND COUNT"
    assert "Bins closed: 0 of 2" in screen.progress_label.text()
    assert window.banner.tone is Tone.SUCCESS
    focus(qtbot, screen.lines_table)

    # The bin label: the bin in very large type, its lines with nothing counted yet.
    in_bin = scan(qtbot, screen, "A-01-01")
    assert in_bin.status is CountScanStatus.BIN
    assert screen.bin_label.text() == "A-01-01"
    assert [ln.sku for ln in screen.lines_model.lines()] == ["KAFFE-500", "TE-GRON"]
    assert cell(screen, "KAFFE-500", screen.lines_model.MARK) == "Not counted yet"
    assert_blind(screen)

    # Three cartons of 12 and two single packets.
    for _carton in range(3):
        assert scan(qtbot, screen, COFFEE_CARTON).quantity == D(12)
    for _unit in range(2):
        single = scan(qtbot, screen, COFFEE_EAN)
        assert (single.status, single.quantity) == (CountScanStatus.ADDED, D(1))
    assert single.counted == D(38)
    assert cell(screen, "KAFFE-500", screen.lines_model.COUNTED) == "38 pcs"
    assert cell(screen, "KAFFE-500", screen.lines_model.MARK) == "✓ Counted"
    assert screen.message_label.text().startswith("+1 pcs Kaffe mellanrost 500 g")
    assert window.banner.tone is Tone.SUCCESS and window.sounds.last is Tone.SUCCESS
    qtbot.waitUntil(lambda: window.last_scan_latency_ms is not None, timeout=TIMEOUT_MS)
    assert_blind(screen)

    # A typed figure sets the count (Alt+Q: the quantity field)...
    assert screen.selected_line() is not None and screen.selected_line().sku == "KAFFE-500"
    qtbot.keyClick(screen.lines_table, Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: screen.qty_edit.hasFocus(), timeout=TIMEOUT_MS)
    screen.qty_edit.setText("50")
    with qtbot.waitSignal(screen.scan_done, timeout=TIMEOUT_MS) as typed:
        qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Return)
    assert typed.args[0].status is CountScanStatus.SET
    assert cell(screen, "KAFFE-500", screen.lines_model.COUNTED) == "50 pcs"
    assert screen.lines_table.hasFocus() and screen.qty_edit.text() == ""
    # ...and Ctrl+Z takes it back.
    with qtbot.waitSignal(screen.scan_done, timeout=TIMEOUT_MS) as undone:
        qtbot.keyClick(screen.lines_table, Qt.Key.Key_Z, CTRL)
    assert undone.args[0].status is CountScanStatus.UNDONE
    assert cell(screen, "KAFFE-500", screen.lines_model.COUNTED) == "38 pcs"
    assert screen.message_label.text().startswith("Undone: Kaffe mellanrost 500 g")

    # Ctrl+Enter closes the bin: the tea nobody scanned is listed by SKU and name only.
    with qtbot.waitSignal(screen.dialog_opened, timeout=TIMEOUT_MS) as asked:
        with qtbot.waitSignal(screen.bin_closed, timeout=TIMEOUT_MS) as closed_signal:
            qtbot.keyClick(screen.lines_table, Qt.Key.Key_Return, CTRL)
    closed = closed_signal.args[0]
    assert isinstance(closed, BinClosed)
    assert [u.sku for u in closed.unscanned] == ["TE-GRON"]
    zero_dialog = asked.args[0]
    assert isinstance(zero_dialog, ConfirmDialog)
    qtbot.waitExposed(zero_dialog)
    assert zero_dialog.question_label.text() == (
        "1 item expected here was not scanned: count it as 0?"
    )
    assert zero_dialog.detail_label.text() == "TE-GRON  Grönt te 20 påsar"
    assert TEA_EXPECTED not in zero_dialog.detail_label.text()
    with qtbot.waitSignal(screen.zeros_confirmed, timeout=TIMEOUT_MS):
        press_enter_in(qtbot, zero_dialog)
    assert cell(screen, "TE-GRON", screen.lines_model.COUNTED) == "0 pcs"
    assert "Bin A-01-01 closed: 1 item counted as 0." in screen.message_label.text()
    assert "Bins closed: 1 of 2" in screen.progress_label.text()
    assert_blind(screen)

    # The next bin: milk by its GS1 code (lot L1), then its typed count; screws, which
    # the system does not expect here, are counted all the same.
    focus(qtbot, screen.lines_table)
    assert scan(qtbot, screen, "A-01-02").status is CountScanStatus.BIN
    assert screen.bin_label.text() == "A-01-02"
    milk = scan(qtbot, screen, gs1("0" + MILK_EAN, lot="L1", expiry=EXPIRY))
    assert (milk.status, milk.lot, milk.counted) == (CountScanStatus.ADDED, "L1", D(1))
    assert cell(screen, "MJOLK-1L", screen.lines_model.LOT) == "L1"
    screen.qty_edit.setText("42")
    with qtbot.waitSignal(screen.scan_done, timeout=TIMEOUT_MS):
        qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Return)
    assert cell(screen, "MJOLK-1L", screen.lines_model.COUNTED) == "42 pcs"
    focus(qtbot, screen.lines_table)
    found = scan(qtbot, screen, SCREW_EAN)
    assert found.status is CountScanStatus.ADDED and found.unexpected
    assert cell(screen, "SKRUV-440", screen.lines_model.MARK) == "Not expected here"
    assert "not expected here" in screen.message_label.text()
    assert_blind(screen)

    # Nothing left unscanned: the bin just closes.
    with qtbot.waitSignal(screen.bin_closed, timeout=TIMEOUT_MS) as closed_signal:
        qtbot.keyClick(screen.lines_table, Qt.Key.Key_Return, CTRL)
    assert closed_signal.args[0].unscanned == ()
    assert screen.message_label.text().startswith("Bin A-01-02 closed.")
    assert "Bins closed: 2 of 2" in screen.progress_label.text()
    # A quantity typed now (meant for the next bin) changes nothing in the closed one.
    assert screen.selected_line() is None
    screen.qty_edit.setText("7")
    screen.set_typed_quantity()
    assert screen.qty_error.text() == (
        "Scan the item first (or select its line), then type its count."
    )
    assert cell(screen, "MJOLK-1L", screen.lines_model.COUNTED) == "42 pcs"
    screen.qty_edit.clear()

    # Finish: Enter in the question opens the review, which is not blind.
    finish = opened(qtbot, screen.dialog_opened, screen.finish_count)
    assert isinstance(finish, ConfirmDialog) and finish.default_yes
    assert "4 of 4 lines are counted." in finish.detail_label.text()
    with qtbot.waitSignal(page.review.count_shown, timeout=TIMEOUT_MS) as reviewed:
        press_enter_in(qtbot, finish)
    review = page.review
    under_review = reviewed.args[0]
    assert isinstance(under_review, CountView) and under_review.in_review
    assert page.stack.currentIndex() == page.REVIEW
    model = review.model
    by_sku = {ln.sku: ln for ln in model.lines()}
    assert model.text(by_sku["KAFFE-500"].id, model.EXPECTED) == "39 pcs"
    assert model.text(by_sku["KAFFE-500"].id, model.VARIANCE) == "−1 pcs"
    assert model.text(by_sku["KAFFE-500"].id, model.VALUE) == "−40.00"
    assert model.text(by_sku["KAFFE-500"].id, model.MARK) == "Within tolerance"
    assert model.text(by_sku["TE-GRON"].id, model.VARIANCE) == "−29 pcs"
    assert model.text(by_sku["TE-GRON"].id, model.MARK) == "BEYOND TOLERANCE"
    tea_row = model.row_of(by_sku["TE-GRON"].id)
    assert model.index(tea_row, model.MARK).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.text(by_sku["SKRUV-440"].id, model.VARIANCE) == "+1 pcs"
    assert model.text(by_sku["MJOLK-1L"].id, model.SYSTEM) == "43 pcs"
    assert review.rule_label.text().startswith(counting.variance_rule_text())
    assert "Tolerance: 5% of the system quantity" in review.rule_label.text()
    assert not review.hidden_label.isVisible()

    # A staff user may not approve lines beyond the tolerance: the service refuses.
    erik = sqlite_db.run(add_user, "erik", Role.STAFF)
    staff_review = CountReview(window.counts_page._runner, erik)
    qtbot.addWidget(staff_review)
    staff_view = sqlite_db.run(counting.get_count, erik.id, under_review.id)
    staff_review.show_count(staff_view)
    staff_review.show()
    assert staff_review.hidden_label.isVisible()
    assert staff_review.table.isColumnHidden(staff_review.model.VARIANCE)
    tea_line = next(ln for ln in staff_review.model.lines() if ln.sku == "TE-GRON")
    staff_review.select_lines([tea_line.id])
    ask = staff_review.approve_selected()
    assert ask is not None
    qtbot.waitExposed(ask)
    # The variances are hidden from staff: the question does not pretend there are none.
    assert "variance" not in ask.detail_label.text()
    assert "a blind count does not show you the differences" in ask.detail_label.text()
    with qtbot.waitSignal(staff_review.refused, timeout=TIMEOUT_MS) as refusal:
        press_enter_in(qtbot, ask)
    assert "manager" in refusal.args[0].lower()
    assert staff_review.message_label.text() == refusal.args[0]
    assert stock_in(sqlite_db, shop.tea) == [("A-01-01", D(29))]

    # The manager (the admin here) selects everything and approves: adjustments posted.
    focus(qtbot, review.table)
    qtbot.keyClick(review.table, Qt.Key.Key_A, CTRL)
    assert len(review.selected_lines()) == 4
    approve = opened(qtbot, review.dialog_opened, review.approve_selected)
    assert isinstance(approve, ConfirmDialog)
    assert "Approve 4 lines of" in approve.question_label.text()
    assert (
        "2 lines are beyond the tolerance: approving them is a manager's decision."
        in approve.detail_label.text()
    )
    with qtbot.waitSignal(review.approved, timeout=TIMEOUT_MS) as done:
        press_enter_in(qtbot, approve)
    result = done.args[0]
    assert isinstance(result, CountApproved)
    moves = {a.sku: a for a in result.adjustments}
    assert moves["TE-GRON"].variance == D(-29) and moves["TE-GRON"].move_id is not None
    assert review.adjustments_table.isVisible()
    assert review.adjustments_model.visible_count() == 4
    assert "4 adjustment moves posted" in review.adjustments_title.text()
    qtbot.waitUntil(lambda: "4 approved" in review.summary_label.text(), timeout=TIMEOUT_MS)
    assert "skipped" not in review.summary_label.text()
    assert model.text(moves["KAFFE-500"].line_id, model.MARK).startswith("✓ Approved by maja")
    after = sqlite_db.run(counting.get_count, stocked.maja.id, under_review.id)
    assert after.status is CountStatus.DONE
    assert all(ln.status is CountLineStatus.APPROVED for ln in after.lines)

    # The stock is what was counted, by adjustment moves that name the count.
    assert stock_in(sqlite_db, shop.coffee) == [("A-01-01", D(38))]
    assert stock_in(sqlite_db, shop.tea) == []
    assert stock_in(sqlite_db, shop.milk) == [("A-01-02", D(42))]
    assert sorted(stock_in(sqlite_db, shop.screw)) == [("A-01-02", D(1)), ("C-03-01", D(1000))]
    adjustment = sqlite_db.run(stock.item_moves, shop.coffee)[0]
    assert adjustment.kind is MoveKind.ADJUSTMENT and adjustment.quantity == D(1)
    assert adjustment.from_code == "A-01-01" and view.number in adjustment.reference

    # The Stock page, stale since the approval, shows the new level when shown.
    with qtbot.waitSignal(window.stock_page.stock_loaded, timeout=TIMEOUT_MS):
        window.show_page(window.STOCK)
    rows = window.stock_page.model.visible_rows()
    assert [(r.location_code, r.quantity) for r in rows if r.sku == "KAFFE-500"] == [
        ("A-01-01", D(38))
    ]


def stock_in(db: Database, item_id: int) -> list[tuple[str, Decimal]]:
    return [(r.location_code, r.quantity) for r in db.run(stock.item_stock, item_id)]


def test_reopening_a_count_continues_where_it_was(
    qtbot: QtBot,
    qapp: QApplication,
    window: MainWindow,
    sqlite_db: Database,
    make_runner: object,
    settings: QSettings,
    stocked: Stocked,
) -> None:
    page = window.counts_page
    screen = page.count_screen
    view = start_aisle_count(qtbot, page)
    focus(qtbot, screen.lines_table)
    scan(qtbot, screen, "A-01-01")
    scan(qtbot, screen, COFFEE_CARTON)
    scan(qtbot, screen, COFFEE_EAN)
    assert cell(screen, "KAFFE-500", screen.lines_model.COUNTED) == "13 pcs"
    # Leaving keeps everything; the list shows the count with its progress.
    with qtbot.waitSignal(page.overview_loaded, timeout=TIMEOUT_MS):
        qtbot.mouseClick(screen.leave_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentIndex() == page.LIST
    selected = page.selected_count()
    assert selected is not None and selected.id == view.id  # the count just left
    row = page.counts_model.find_row(lambda r: r.id == view.id)
    assert row >= 0
    assert page.counts_model.index(row, 3).data() == "1 of 3"
    window.close()
    window.scanner.uninstall()

    # A new window (after a crash, say): open the count from the list, continue scanning.
    assert callable(make_runner)
    again = open_counts_window(
        qtbot, qapp, make_runner(sqlite_db), stocked.maja, sqlite_db, settings
    )
    try:
        page = again.counts_page
        screen = page.count_screen
        page.counts_table.selectRow(page.counts_model.find_row(lambda r: r.id == view.id))
        focus(qtbot, page.counts_table)
        with qtbot.waitSignal(page.count_opened, timeout=TIMEOUT_MS):
            qtbot.keyClick(page.counts_table, Qt.Key.Key_Return)
        assert page.stack.currentIndex() == page.COUNT
        assert screen.bin_label.text() == "A-01-01"
        assert screen.message_label.text() == "Counting bin A-01-01: scan the goods."
        assert cell(screen, "KAFFE-500", screen.lines_model.COUNTED) == "13 pcs"
        assert_blind(screen)
        focus(qtbot, screen.lines_table)
        assert scan(qtbot, screen, COFFEE_EAN).counted == D(14)
        assert cell(screen, "KAFFE-500", screen.lines_model.COUNTED) == "14 pcs"
    finally:
        again.scanner.uninstall()


def test_a_lot_tracked_item_without_its_lot_asks_for_it(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database
) -> None:
    page = window.counts_page
    screen = page.count_screen
    start_aisle_count(qtbot, page, "A-01-02")
    focus(qtbot, screen.lines_table)
    scan(qtbot, screen, "A-01-02")
    with qtbot.waitSignal(screen.dialog_opened, timeout=TIMEOUT_MS) as asked:
        outcome = scan(qtbot, screen, MILK_EAN)
    assert outcome.status is CountScanStatus.NEEDS_LOT
    dialog = asked.args[0]
    assert isinstance(dialog, LotChoiceDialog)
    qtbot.waitExposed(dialog)
    # The lots the system has in the bin are offered; Enter takes the first.
    assert dialog.lot_combo.currentText() == "L1"
    with qtbot.waitSignal(screen.scan_done, timeout=TIMEOUT_MS) as done:
        qtbot.keyClick(focused(qtbot), Qt.Key.Key_Return)
    assert (done.args[0].status, done.args[0].lot) == (CountScanStatus.ADDED, "L1")
    assert cell(screen, "MJOLK-1L", screen.lines_model.COUNTED) == "1 pcs"

    # Asked again, Esc counts nothing.
    with qtbot.waitSignal(screen.dialog_opened, timeout=TIMEOUT_MS) as asked:
        focus(qtbot, screen.lines_table)
        scan(qtbot, screen, MILK_EAN)
    dialog = asked.args[0]
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT_MS)
    assert screen.message_label.text() == "Not counted: Mjölk 1 l"
    assert cell(screen, "MJOLK-1L", screen.lines_model.COUNTED) == "1 pcs"


def test_bad_input_on_the_counting_screen_says_what_to_do_and_saves_nothing(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, stocked: Stocked
) -> None:
    page = window.counts_page
    screen = page.count_screen
    view = start_aisle_count(qtbot, page)
    focus(qtbot, screen.lines_table)

    # An item before any bin: scan the bin first.
    first = scan(qtbot, screen, COFFEE_EAN)
    assert first.status is CountScanStatus.NEEDS_BIN
    assert screen.message_label.text().startswith("Scan the label of the bin")
    assert window.banner.tone is Tone.PROBLEM
    # A bin outside the aisle is refused.
    outside = scan(qtbot, screen, "C-03-01")
    assert outside.status is CountScanStatus.OUT_OF_SCOPE
    assert "C-03-01 is not part of count" in screen.message_label.text()
    assert screen.bin_label.text() == "Scan a bin label"
    # Ctrl+Enter without a bin says what to do.
    qtbot.keyClick(screen.lines_table, Qt.Key.Key_Return, CTRL)
    assert window.banner.title.text() == "Scan the bin label first."

    scan(qtbot, screen, "A-01-01")
    scan(qtbot, screen, COFFEE_EAN)
    # A quantity that is no number, and a negative one: the reason, nothing saved.
    for typed in ("tolv", "-3"):
        screen.qty_edit.setText(typed)
        qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Return)
        qtbot.waitUntil(screen.qty_error.isVisible, timeout=TIMEOUT_MS)
        assert screen.qty_error.text()
        screen.qty_error.hide()
    # Enter in an empty field asks for a number.
    screen.qty_edit.clear()
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Return)
    assert screen.qty_error.text() == "Type how many there are, then press Enter."
    current = sqlite_db.run(counting.get_count, stocked.maja.id, view.id)
    coffee = next(ln for ln in current.lines if ln.sku == "KAFFE-500")
    assert coffee.counted == D(1)

    # Keys that turn out to be typing (a scan split by a busy moment) never become a count.
    focus(qtbot, screen.lines_table)
    qtbot.keyClicks(screen.lines_table, "73")
    qtbot.keyClick(screen.lines_table, Qt.Key.Key_Return)
    qtbot.wait(100)
    assert screen.qty_edit.text() == ""
    assert sqlite_db.run(counting.get_count, stocked.maja.id, view.id).counted_lines == 1

    # An unknown code saves nothing and says so.
    focus(qtbot, screen.lines_table)
    unknown = scan(qtbot, screen, "7350000009999")
    assert unknown.status in (CountScanStatus.UNKNOWN, CountScanStatus.INVALID)
    assert window.banner.tone is Tone.PROBLEM
    assert screen.message_label.text() == unknown.message  # said once, not twice

    # Closing the bin, then "No": back in the bin to count what is missing.
    focus(qtbot, screen.lines_table)
    with qtbot.waitSignal(screen.dialog_opened, timeout=TIMEOUT_MS) as asked:
        qtbot.keyClick(screen.lines_table, Qt.Key.Key_Return, CTRL)
    zero_dialog = asked.args[0]
    qtbot.waitExposed(zero_dialog)
    assert zero_dialog.no_button.text() == "No, I will count it"
    with qtbot.waitSignal(screen.scan_done, timeout=TIMEOUT_MS) as back:
        qtbot.keyClick(zero_dialog, Qt.Key.Key_Escape)
    assert back.args[0].status is CountScanStatus.BIN
    assert screen.bin_label.text() == "A-01-01"
    assert screen.message_label.text() == "Count what is missing in A-01-01, then close it again."
    assert cell(screen, "TE-GRON", screen.lines_model.COUNTED) == ""

    # Finishing with lines nobody counted: Enter means "keep counting".
    finish = opened(qtbot, screen.dialog_opened, screen.finish_count)
    assert isinstance(finish, ConfirmDialog) and not finish.default_yes
    assert "2 lines nobody counted are skipped" in finish.detail_label.text()
    press_enter_in(qtbot, finish)
    assert page.stack.currentIndex() == page.COUNT
    still = sqlite_db.run(counting.get_count, stocked.maja.id, view.id)
    assert still.is_counting
