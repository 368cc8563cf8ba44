"""Which lot did you take? The Picking page asks, when a bin holds more than one lot of a
lot-tracked item (or an expired lot beside a good one) and the picker typed a quantity
or scanned a code that names no lot.

The dialog lists the lots of that item in that bin that may be picked (never an expired
one: it says those are not offered), takes a lot chosen with the arrow keys, typed, or
scanned from the goods' label, and picks with Enter. A lot that is not there, or has
expired, is refused under the field and nothing is picked. Afterwards the keyboard is
back on the screen, and the selection is on the next line still to pick.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from app.barcodes.gs1 import encode_date
from app.models import LocationKind, MoveKind
from app.services import ledger, locations, orders, picking
from app.services.database import Database
from app.services.lots import get_or_create_lot
from app.services.picking import PickOutcome, PickStatus
from app.ui.formatting import fmt_date
from app.ui.main_window import MainWindow
from app.ui.pick_dialogs import PickLotDialog
from app.ui.pick_screen import PickScreen
from app.ui.runner import Runner
from app.ui.scan_feedback import Tone
from tests.ui.conftest import TIMEOUT_MS
from tests.ui.orders_setup import (
    COFFEE_EAN,
    MILK_EAN,
    OrderShop,
    Typist,
    build_order_shop,
    focused,
    in_days,
    scanner_keys,
)
from tests.ui.test_pick_screen import open_window, scan, select, start_by_scan

D = Decimal
ALT = Qt.KeyboardModifier.AltModifier
EXPIRED = dt.date(2025, 7, 8)  # long past; "08/07/2025" in the tests' language


def _label(lot: str, expiry: dt.date) -> str:
    """The GS1-128 on a milk carton: (01), (17), then (10) last."""
    return "]C101" + "0" + MILK_EAN + "17" + encode_date(expiry) + "10" + lot


@pytest.fixture
def shop(sqlite_db: Database) -> OrderShop:
    """The order shop with three lots of milk in A-01-02: L250526 (expired), L251027 and
    L260115 (both good, the first expiring first), 3 of each; SO-1001 for 2 milk and
    14 coffee (in A-01-01)."""

    def build(session: Session) -> OrderShop:
        made = build_order_shop(session)
        supplier = locations.virtual_location_id(session, LocationKind.SUPPLIER)
        for lot, expiry in (
            ("L250526", EXPIRED),
            ("L251027", in_days(300)),
            ("L260115", in_days(400)),
        ):
            ledger.post_move(
                session,
                item_id=made.milk,
                quantity=D(3),
                from_location_id=supplier,
                to_location_id=made.bins["A-01-02"],
                kind=MoveKind.RECEIPT,
                user_id=made.maja.id,
                unit_cost=D(9),
                lot_id=get_or_create_lot(session, made.milk, lot, expiry).id,
            )
        order = orders.create_order(
            session,
            made.maja.id,
            made.customer,
            lines=[
                orders.OrderLineInput(made.milk, "2"),
                orders.OrderLineInput(made.coffee, "14"),
            ],
        )
        orders.confirm_order(session, made.maja.id, order.id)
        return made

    return sqlite_db.run(build)


@pytest.fixture
def window(
    qtbot: QtBot,
    qapp: QApplication,
    runner: Runner,
    sqlite_db: Database,
    settings: QSettings,
    shop: OrderShop,
) -> Iterator[MainWindow]:
    """The window as stina, the picker."""
    made = open_window(qtbot, qapp, runner, shop.stina, sqlite_db, settings)
    yield made
    made.scanner.uninstall()


def _milk(page: PickScreen) -> int:
    assert page.view is not None
    return next(ln.line_id for ln in page.view.lines if ln.sku == "MJOLK")


def _ask_by_typing(qtbot: QtBot, page: PickScreen, quantity: str) -> PickLotDialog:
    """At A-01-02, type ``quantity`` of milk: the lot dialog opens."""
    start_by_scan(qtbot, page, "SO-1001")
    assert scan(qtbot, page, "A-01-02").status is PickStatus.BIN
    qtbot.keyClick(focused(qtbot), Qt.Key.Key_Q, ALT)
    assert QApplication.focusWidget() is page.qty_edit
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        Typist(qtbot).line(quantity)
    dialog = opened.args[0]
    assert isinstance(dialog, PickLotDialog)
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.lot_edit, timeout=TIMEOUT_MS)
    return dialog


def test_a_typed_quantity_asks_which_lot_and_enter_picks_the_one_chosen(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database
) -> None:
    page: PickScreen = window.page("picking")
    dialog = _ask_by_typing(qtbot, page, "2")
    # The question is a question: no red, no error sound; the screen says what to do.
    assert window.banner.tone is Tone.INFO
    assert page.message_label.text() == (
        "Bin A-01-02 holds several lots of MJOLK: which did you take? Scan its label, or "
        "choose or type the lot (L251027, L260115). Leave lot L250526 in the bin: it "
        "expired on 08/07/2025."
    )
    assert dialog.question_label.text() == (
        "2 pcs MJOLK Mjölk 1 l from A-01-02: which lot did you take?"
    )
    # The good lots, first expiry first; the expired one is not offered, and said so.
    listed = [dialog.lot_list.item(n).text() for n in range(dialog.lot_list.count())]
    assert listed == [
        f"L251027  ·  expires {fmt_date(in_days(300))}  ·  3 pcs here",
        f"L260115  ·  expires {fmt_date(in_days(400))}  ·  3 pcs here",
    ]
    assert dialog.expired_label.text() == (
        "Not offered: L250526 (expired 08/07/2025). Leave it in the bin."
    )
    assert dialog.lot_edit.text() == "L251027"

    # Down chooses the second lot; Enter picks it.
    qtbot.keyClick(dialog.lot_edit, Qt.Key.Key_Down)
    assert dialog.lot_edit.text() == "L260115"
    with qtbot.waitSignal(page.scan_done, timeout=TIMEOUT_MS) as done:
        qtbot.keyClick(dialog.lot_edit, Qt.Key.Key_Return)
    picked = done.args[0]
    assert isinstance(picked, PickOutcome)
    assert (picked.status, picked.lot, picked.quantity) == (PickStatus.PICKED, "L260115", D(2))
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT_MS)
    assert window.banner.tone is Tone.SUCCESS
    # The quantity typed is used up; the keyboard is back on the screen for the next scan.
    assert page.qty_edit.text() == ""
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.lines_table, timeout=TIMEOUT_MS)
    assert QApplication.activeWindow() is window

    last = sqlite_db.run(picking.get_pick, picked.view.order_id).last_pick
    assert last is not None and (last.lot, last.quantity) == ("L260115", D(2))


def test_an_expired_lot_typed_is_refused_and_a_scanned_label_picks(
    qtbot: QtBot, window: MainWindow
) -> None:
    page: PickScreen = window.page("picking")
    dialog = _ask_by_typing(qtbot, page, "1")

    # The expired lot, typed: refused under the field, nothing picked, the dialog stays.
    Typist(qtbot).line("L250526")
    qtbot.waitUntil(dialog.lot_error.isVisible, timeout=TIMEOUT_MS)
    assert dialog.lot_error.text() == (
        "Lot L250526 of MJOLK expired on 08/07/2025. Put it back and take lot L251027 from A-01-02."
    )
    assert dialog.isVisible() and dialog.lot_edit.selectedText() == "L250526"
    assert page.view is not None and page.view.lines[0].picked == 0

    # Nothing in the field: said, nothing sent.
    dialog.lot_edit.clear()
    qtbot.keyClick(dialog.lot_edit, Qt.Key.Key_Return)
    assert dialog.lot_error.text() == "Choose the lot above, type it, or scan the goods' label."

    # The good lot's label, scanned into the dialog: picked at once, no Enter needed.
    with qtbot.waitSignal(page.scan_done, timeout=TIMEOUT_MS) as done:
        scanner_keys(focused(qtbot), _label("L260115", in_days(400)))
    picked = done.args[0]
    assert (picked.status, picked.lot, picked.quantity) == (PickStatus.PICKED, "L260115", D(1))
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT_MS)


def test_a_scan_that_names_no_lot_asks_too_and_esc_picks_nothing(
    qtbot: QtBot, window: MainWindow
) -> None:
    page: PickScreen = window.page("picking")
    start_by_scan(qtbot, page, "SO-1001")
    scan(qtbot, page, "A-01-02")
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        asked = scan(qtbot, page, MILK_EAN)
    assert asked.status is PickStatus.NEEDS_LOT and asked.quantity == D(1)
    dialog = opened.args[0]
    assert isinstance(dialog, PickLotDialog)
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.lot_edit, timeout=TIMEOUT_MS)
    qtbot.keyClick(dialog.lot_edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.lines_table, timeout=TIMEOUT_MS)
    assert page.view is not None and all(ln.picked == 0 for ln in page.view.lines)


def test_after_a_line_is_done_the_next_line_to_pick_is_selected(
    qtbot: QtBot, window: MainWindow
) -> None:
    page: PickScreen = window.page("picking")
    start_by_scan(qtbot, page, "SO-1001")
    # At the coffee's bin, the coffee is the line the quantity field is for.
    scan(qtbot, page, "A-01-01")
    selected = page.selected_line()
    assert selected is not None and selected.sku == "KAFFE"
    # Scanning the milk's bin selects the milk: that is what is picked here.
    scan(qtbot, page, "A-01-02")
    selected = page.selected_line()
    assert selected is not None and selected.sku == "MJOLK"

    # Back at the coffee: 12 typed, the rest (2) reported short. The finished line is
    # not left selected; the milk, still to pick, is.
    scan(qtbot, page, "A-01-01")
    select(page, "KAFFE")
    qtbot.keyClick(focused(qtbot), Qt.Key.Key_Q, ALT)
    with qtbot.waitSignal(page.scan_done, timeout=TIMEOUT_MS):
        Typist(qtbot).line("12")
    selected = page.selected_line()
    assert selected is not None and selected.sku == "KAFFE"  # 2 still to pick
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        qtbot.keyClick(page.lines_table, Qt.Key.Key_S, ALT)
    short = opened.args[0]
    qtbot.waitExposed(short)
    with qtbot.waitSignal(page.scan_done, timeout=TIMEOUT_MS) as shorted:
        qtbot.keyClick(short.qty_edit, Qt.Key.Key_Return)
    assert shorted.args[0].status is PickStatus.SHORT
    selected = page.selected_line()
    assert selected is not None and selected.line_id == _milk(page)
    assert page.qty_item_label.text() == "of MJOLK Mjölk 1 l (pcs), 2 left to pick"


def test_a_full_pick_by_scan_moves_the_selection_on_too(qtbot: QtBot, window: MainWindow) -> None:
    page: PickScreen = window.page("picking")
    start_by_scan(qtbot, page, "SO-1001")
    scan(qtbot, page, "A-01-01")
    select(page, "KAFFE")
    qtbot.keyClick(focused(qtbot), Qt.Key.Key_Q, ALT)
    with qtbot.waitSignal(page.scan_done, timeout=TIMEOUT_MS):
        Typist(qtbot).line("13")
    assert scan(qtbot, page, COFFEE_EAN).status is PickStatus.PICKED
    selected = page.selected_line()
    assert selected is not None and selected.sku == "MJOLK"
