"""Expired lots on the Picking page, scanned as a picker scans: the bin holding an expired
lot is marked, the expired lot's label is refused in red with the error sound and nothing
is picked, and the lot named instead is picked. Elsewhere in the window, a scan of an
expired lot is an amber warning (with the problem sound), not green.
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
from app.services import ledger, locations, orders
from app.services.database import Database
from app.services.lots import get_or_create_lot
from app.services.picking import PickBin, PickLineView, PickStatus
from app.ui.main_window import MainWindow
from app.ui.pick_screen import EXPIRED_BG, PickScreen, bins_text, pick_mark
from app.ui.runner import Runner
from app.ui.scan_feedback import Tone
from tests.ui.conftest import TIMEOUT_MS
from tests.ui.orders_setup import (
    MILK_EAN,
    OrderShop,
    build_order_shop,
    focused,
    in_days,
    scanner_keys,
)
from tests.ui.test_pick_screen import mark, open_window, scan, start_by_scan

D = Decimal
EXPIRED = dt.date(2025, 7, 8)  # long past; "08/07/2025" in the tests' language


def _label(lot: str, expiry: dt.date) -> str:
    """The GS1-128 on a milk carton: (01), (17), then (10) last."""
    return "]C101" + "0" + MILK_EAN + "17" + encode_date(expiry) + "10" + lot


@pytest.fixture
def shop(sqlite_db: Database) -> OrderShop:
    """The order shop, with milk lot L250526 (expired) in A-01-01 and L251027 in A-01-02,
    and SO-1001 for 2 milk."""

    def build(session: Session) -> OrderShop:
        made = build_order_shop(session)
        supplier = locations.virtual_location_id(session, LocationKind.SUPPLIER)
        for lot, expiry, code in (
            ("L250526", EXPIRED, "A-01-01"),
            ("L251027", in_days(300), "A-01-02"),
        ):
            ledger.post_move(
                session,
                item_id=made.milk,
                quantity=D(3),
                from_location_id=supplier,
                to_location_id=made.bins[code],
                kind=MoveKind.RECEIPT,
                user_id=made.maja.id,
                unit_cost=D(9),
                lot_id=get_or_create_lot(session, made.milk, lot, expiry).id,
            )
        order = orders.create_order(
            session, made.maja.id, made.customer, lines=[orders.OrderLineInput(made.milk, "2")]
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


def test_an_expired_lot_is_refused_in_red_and_the_good_lot_is_picked(
    qtbot: QtBot, window: MainWindow
) -> None:
    page: PickScreen = window.page("picking")
    view = start_by_scan(qtbot, page, "SO-1001")
    assert page.progress_label.text() == "0 of 1 line picked"
    # The expired lot is no suggestion: only the good lot's bin is named.
    assert page.lines_model.texts()[0][page.lines_model.BINS] == "A-01-02 (3) L251027"
    assert [b.lot for b in view.lines[0].expired_bins] == ["L250526"]

    # At the bin that holds only the expired lot: saved, but amber, and marked red.
    at_bin = scan(qtbot, page, "A-01-01")
    assert at_bin.status is PickStatus.BIN
    assert "Leave MJOLK lot L250526 here: it expired on 08/07/2025." in at_bin.message
    assert window.banner.tone is Tone.WARNING and window.sounds.last is Tone.WARNING
    assert mark(page, "MJOLK") == "EXPIRED HERE: leave it"

    # Its label: refused, red, the error sound; nothing picked.
    refused = scan(qtbot, page, _label("L250526", EXPIRED))
    assert refused.status is PickStatus.EXPIRED and not refused.saved
    message = (
        "Lot L250526 of MJOLK expired on 08/07/2025. Put it back and take lot L251027 from A-01-02."
    )
    assert refused.message == message
    assert window.banner.tone is Tone.PROBLEM and window.sounds.last is Tone.PROBLEM
    assert window.banner.title.text() == message
    assert window.banner.detail.text() == "Nothing was picked. MJOLK: 2 pcs left to pick"
    assert page.message_label.text() == message
    assert "#b71c1c" in page.message_label.styleSheet()
    assert page.view is not None and page.view.lines[0].picked == 0

    # The lot it names, from the bin it names: picked, green.
    assert scan(qtbot, page, "A-01-02").status is PickStatus.BIN
    picked = scan(qtbot, page, _label("L251027", in_days(300)))
    assert picked.status is PickStatus.PICKED and picked.view.lines[0].picked == 1
    assert window.banner.tone is Tone.SUCCESS and window.sounds.last is Tone.SUCCESS


def test_a_scan_of_an_expired_lot_elsewhere_is_a_warning(qtbot: QtBot, window: MainWindow) -> None:
    window.open_page("stock")
    with qtbot.waitSignal(window.scan_resolved, timeout=TIMEOUT_MS) as blocker:
        scanner_keys(focused(qtbot), _label("L250526", EXPIRED))
    result = blocker.args[0]
    assert result.expired_on == EXPIRED
    assert window.banner.tone is Tone.WARNING and window.sounds.last is Tone.WARNING
    assert window.banner.title.text() == "Mjölk 1 l · lot L250526 · EXPIRED 08/07/2025"
    assert window.banner.detail.text() == (
        "Lot L250526 expired on 08/07/2025. Do not pick or ship it.  ·  SKU MJOLK"
    )


def _line(**kw: object) -> PickLineView:
    values: dict[str, object] = {
        "line_id": 1,
        "line_no": 1,
        "item_id": 1,
        "sku": "MJOLK",
        "name": "Mjölk 1 l",
        "unit": "pcs",
        "lot_tracked": True,
        "ordered": D(2),
        "shipped": D(0),
        "to_pick": D(2),
        "picked": D(0),
        "short": D(0),
        "short_reason": None,
        "remaining": D(2),
        "backordered": D(0),
        "expected_date": None,
        "bins": (),
    }
    values.update(kw)
    return PickLineView(**values)  # type: ignore[arg-type]


def test_a_line_with_only_expired_stock_is_marked_with_what_to_do() -> None:
    gone = PickBin(7, "B-03-01", 3, "L250526", EXPIRED, D(4), expired=True)
    line = _line(expired_bins=(gone,), notice="Only expired stock: …")
    assert line.only_expired
    only = pick_mark(line, None)
    assert only.text == "ONLY EXPIRED STOCK" and only.background == EXPIRED_BG
    assert bins_text(line) == "expired: B-03-01 (4) L250526 08/07/2025"
    # With good stock elsewhere the expired lot is neither shown nor the mark's subject.
    good = PickBin(8, "B-03-02", 4, "L251027", in_days(300), D(5))
    both = _line(bins=(good,), expired_bins=(gone,))
    assert not both.only_expired
    assert bins_text(both) == "B-03-02 (5) L251027"
    assert pick_mark(both, None).text == "To pick"
    assert pick_mark(both, 7).text == "EXPIRED HERE: leave it"
    assert pick_mark(both, 8).text == "PICK HERE: 2 pcs"


def test_a_line_that_unexpired_stock_cannot_cover_is_said_at_the_start(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, shop: OrderShop
) -> None:
    def order(session: Session) -> None:
        made = orders.create_order(
            session, shop.maja.id, shop.customer, lines=[orders.OrderLineInput(shop.milk, "4")]
        )
        # Confirmed while lot L250526 was still good (expired stock is never reserved):
        # it expired before the pick.
        orders.confirm_order(session, shop.maja.id, made.id, EXPIRED - dt.timedelta(days=7))

    sqlite_db.run(order)
    page: PickScreen = window.page("picking")
    view = start_by_scan(qtbot, page, "SO-1002")
    assert view.lines[0].notice.startswith("Only 3 pcs have not expired; lot L250526")
    assert page.message_label.text() == (
        "Picking SO-1002: scan the first bin's label.\n"
        "MJOLK: only 3 pcs have not expired — ask a manager."
    )
    # The whole notice, with the lots and bins, is the line's tooltip.
    model = page.lines_model
    tooltip = model.data(model.index(0, model.BINS), Qt.ItemDataRole.ToolTipRole)
    assert tooltip == view.lines[0].notice
