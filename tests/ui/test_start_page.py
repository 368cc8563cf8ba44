"""The Start page: first on a new workstation, tiles that show today's figures, and a
click, a number key or Enter that opens the tile's page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from app import i18n
from app.services import dashboard, proposals, receiving
from app.services.database import Database, unit_of_work
from app.services.items import SupplierItemInput
from app.services.suppliers import SupplierInput, save_supplier
from app.services.users import UserRef
from app.ui.main_window import MainWindow
from app.ui.runner import Runner
from app.ui.start_page import StartPage, fmt_ratio, fmt_whole_money, greeting
from tests import factories as f
from tests.ui.conftest import TIMEOUT_MS

TODAY = dt.date.today()


def _stock(db: Database) -> None:
    """One coffee item, 4 @ 25 in stock, and a lot of milk expiring in three days."""
    with unit_of_work(db) as s:
        p = f.places(s)
        coffee = f.item(s, p.user, "KAFFE", name="Kaffe").id
        f.receive(s, p, coffee, "4", "25")
        milk = f.item(s, p.user, "MJOLK", lot_tracked=True).id
        from app.services import lots

        lot = lots.get_or_create_lot(s, milk, "L1", TODAY + dt.timedelta(days=3)).id
        f.receive(s, p, milk, "2", "10", lot_id=lot)


def _window(
    qtbot: QtBot, runner: Runner, user: UserRef, db: Database, settings: QSettings
) -> MainWindow:
    settings.remove("main/page")  # a new workstation
    window = MainWindow(runner, user, db.describe(), settings)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    start = window.page("start")
    with qtbot.waitSignal(start.loaded, timeout=TIMEOUT_MS):
        window.show()
        window.start()
    return window


def test_a_new_workstation_opens_on_the_start_page_with_todays_figures(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database, settings: QSettings
) -> None:
    _stock(sqlite_db)
    window = _window(qtbot, runner, tester, sqlite_db, settings)
    page = window.page("start")
    assert window.current_page() is page
    assert window.nav.item(0).text() == "Start"
    tiles = page.tiles
    assert tiles["stock-value"].number_label.text() == "120 SEK"
    assert tiles["stock-value"].state == "calm"
    assert tiles["expiring"].number_label.text() == "1"
    assert tiles["expiring"].state == "attention"
    assert "expires within 30 days" in tiles["expiring"].detail_label.text()
    assert tiles["backorders"].number_label.text() == "0"
    assert tiles["backorders"].state == "calm"
    assert tiles["to-order"].number_label.text() == "—"
    assert "Work out now" in tiles["to-order"].detail_label.text()
    assert page.greeting_label.text().endswith("tester")
    assert page.updated_label.text().startswith("Figures of ")
    # Every tile names its key, and each key is a page of the window.
    assert [tile.key_label.text() for tile in tiles.values()] == [str(n) for n in range(1, 8)]
    assert all(tile.target is not None for tile in tiles.values())
    # The first tile has the focus: Enter opens it without a mouse.
    assert tiles["to-order"].hasFocus()


def test_a_click_a_number_key_or_enter_opens_the_tiles_page(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database, settings: QSettings
) -> None:
    window = _window(qtbot, runner, tester, sqlite_db, settings)
    page = window.page("start")

    qtbot.mouseClick(page.tiles["receipts"], Qt.MouseButton.LeftButton)
    assert window.current_page() is window.page("receiving")

    window.open_page("start")
    qtbot.keyClick(page.tiles["to-order"], Qt.Key.Key_3)
    assert window.current_page() is window.page("counts")

    window.open_page("start")
    page.tiles["stock-value"].setFocus()
    qtbot.keyClick(page.tiles["stock-value"], Qt.Key.Key_Return)
    assert window.current_page() is window.page("reports")
    assert window.page("reports").current_kind() == "turnover"

    # Ctrl+0 comes back from anywhere.
    qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() is page

    qtbot.keyClick(page.tiles["to-order"], Qt.Key.Key_6)
    write_downs = window.page("write-downs")
    assert window.current_page() is write_downs
    assert write_downs.tabs.currentWidget().isAncestorOf(write_downs.pending_table)


def test_the_page_shown_last_is_still_remembered(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database, settings: QSettings
) -> None:
    settings.setValue("main/page", "stock")
    window = MainWindow(runner, tester, sqlite_db.describe(), settings)
    qtbot.addWidget(window)
    assert window.current_page() is window.page("stock")
    assert not window.is_built("start")


def test_a_tile_that_cannot_be_read_says_so_and_the_rest_show(
    qtbot: QtBot,
    runner: Runner,
    tester: UserRef,
    sqlite_db: Database,
    settings: QSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(_session: object) -> list[object]:
        raise RuntimeError("receipt log unreadable")

    monkeypatch.setattr(receiving, "open_receipts", broken)
    _stock(sqlite_db)
    with unit_of_work(sqlite_db) as s:
        # A delivery being received: the tile asks receiving (with none, it need not).
        supplier = save_supplier(s, tester.id, SupplierInput(code="NORD", name="Nord AB")).id
        receiving.start_receipt(s, tester.id, supplier_id=supplier)
    window = _window(qtbot, runner, tester, sqlite_db, settings)
    tile = window.page("start").tiles["receipts"]
    assert tile.number_label.text() == "—"
    assert tile.detail_label.text() == "Not available: Could not be read: receipt log unreadable"
    assert tile.state == "unavailable"
    assert window.page("start").tiles["stock-value"].number_label.text() == "120 SEK"


def test_tiles_of_pages_not_installed_only_show(
    qtbot: QtBot, runner: Runner, tester: UserRef, settings: QSettings
) -> None:
    page = StartPage(runner, tester, settings, pages={"counts", "receiving"})
    qtbot.addWidget(page)
    opened: list[str] = []
    page.open_requested.connect(opened.append)
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.show()
        page.activate()
    assert page.tiles["backorders"].target is None
    assert not page.tiles["backorders"].key_label.isVisible()
    assert not page.work_out_button.isEnabled()
    qtbot.keyClick(page, Qt.Key.Key_2)  # backorders: no Orders page here
    qtbot.mouseClick(page.tiles["backorders"], Qt.MouseButton.LeftButton)
    assert opened == []
    qtbot.keyClick(page, Qt.Key.Key_5)
    assert opened == ["receipts"]


def _proposal_world(db: Database) -> None:
    with unit_of_work(db) as s:
        p = f.places(s)
        save_supplier(s, p.user, SupplierInput(code="NORD", name="Nord AB", lead_time_days=5))
        terms = (SupplierItemInput("NORD", price="2"),)
        for sku in ("LOW-1", "LOW-2"):
            item = f.item(
                s, p.user, sku, policy="min-max", min_qty="5", max_qty="20", supplier_items=terms
            )
            f.receive(s, p, item.id, "1", "2")


def test_work_out_now_runs_the_proposals_in_the_background(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database, settings: QSettings
) -> None:
    _proposal_world(sqlite_db)
    page = StartPage(runner, tester, settings, pages={"proposals"})
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.show()
        page.activate()
    assert page.work_out_key() == "Alt+W"
    assert ("Alt+W", "Work out today's purchase proposals") in page.shortcuts()
    with qtbot.waitSignal(page.proposals_worked_out, timeout=15_000) as worked:
        page.work_out_button.click()
        assert page.progress.isVisible() and page.cancel_button.isVisible()
    assert worked.args is not None and worked.args[0].to_order == 2
    qtbot.waitUntil(lambda: page.tiles["to-order"].number_label.text() == "2", timeout=TIMEOUT_MS)
    tile = page.tiles["to-order"]
    assert tile.state == "attention"
    assert "2 items to order · 2 below their reorder point · from 1 supplier" in (
        tile.detail_label.text()
    )
    assert "Worked out at" in tile.detail_label.text()
    assert not page.progress.isVisible()


def test_a_run_made_on_the_proposals_page_feeds_the_tile(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database, settings: QSettings
) -> None:
    _proposal_world(sqlite_db)
    run = sqlite_db.run(proposals.run_proposals, tester.id, TODAY)
    page = StartPage(runner, tester, settings, pages={"proposals"})
    qtbot.addWidget(page)
    page.latest_run = lambda: run
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT_MS):
        page.show()
        page.activate()
    qtbot.waitUntil(lambda: page.tiles["to-order"].number_label.text() == "2", timeout=TIMEOUT_MS)
    stored = sqlite_db.read(dashboard.last_proposals)
    assert stored is not None and stored.to_order == 2


def test_a_scanned_item_asks_for_its_editor(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database, settings: QSettings
) -> None:
    from app.services.scanning import resolve_scan

    with unit_of_work(sqlite_db) as s:
        p = f.places(s)
        item = f.item(s, p.user, "KAFFE", barcodes=("7310865004703",)).id
    result = sqlite_db.read(resolve_scan, "7310865004703")
    page = StartPage(runner, tester, settings, pages={"items"})
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.open_item_requested) as asked:
        assert page.handle_scan(result)
    assert asked.args == [item]


def test_greeting_and_glance_numbers_follow_the_language() -> None:
    morning = dt.datetime(2026, 3, 4, 7, 2)
    assert greeting(morning, "Maja") == "Good morning, Maja"
    assert greeting(morning.replace(hour=13), "Maja") == "Hello, Maja"
    assert greeting(morning.replace(hour=19), "Maja") == "Good evening, Maja"
    assert fmt_whole_money(Decimal("1234567.5"), "SEK") == "1,234,568 SEK"
    assert fmt_ratio(Decimal("0.87")) == "0.87"
    i18n.set_language("sv")
    try:
        assert greeting(morning, "Maja") == "God morgon, Maja"
        assert fmt_whole_money(Decimal("1234567.5"), "SEK") == "1\u00a0234\u00a0568 SEK"
        assert fmt_ratio(Decimal("0.87")) == "0,87"
        assert fmt_ratio(Decimal("2")) == "2,0"
    finally:
        i18n.set_language("en")


def test_every_page_in_the_navigation_has_its_own_icon() -> None:
    from app.ui.pages import PAGES
    from app.ui.widgets import ICONS_DIR, icon

    for spec in PAGES:
        assert (ICONS_DIR / f"{spec.key}.svg").is_file(), spec.key
        assert not icon(spec.key).isNull(), spec.key
    for tile_icon in ("expiring", "value"):
        assert (ICONS_DIR / f"{tile_icon}.svg").is_file()
