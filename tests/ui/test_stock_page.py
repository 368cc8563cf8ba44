"""The Stock page: stock per bin and lot with its value, filtering, and the selected
item's moves underneath."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services import lots
from app.services.database import Database
from app.services.users import UserRef
from app.ui.runner import Runner
from app.ui.stock_page import StockPage
from tests import factories
from tests.ui.conftest import TIMEOUT_MS


def test_stock_per_bin_and_lot_with_value_and_moves(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database
) -> None:
    places = sqlite_db.run(factories.places)
    salt = sqlite_db.run(
        factories.item, places.user, "SALT-1", name="Road salt", unit="kg", lot_tracked=True
    )
    nails = sqlite_db.run(factories.item, places.user, "NAIL-1", name="Nails 50 mm")
    old = sqlite_db.run(lots.get_or_create_lot, salt.id, "L-OLD", dt.date(2020, 1, 31))
    new = sqlite_db.run(lots.get_or_create_lot, salt.id, "L-NEW", dt.date(2099, 12, 31))
    sqlite_db.run(factories.receive, places, salt.id, "12.5", "4", 0, old.id)
    sqlite_db.run(factories.receive, places, salt.id, "0.125", "4", 1, new.id)
    sqlite_db.run(factories.receive, places, nails.id, "100", "0.25", 0)
    sqlite_db.run(factories.issue, places, nails.id, "40", 0)

    page = StockPage(runner)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    with qtbot.waitSignal(page.stock_loaded, timeout=TIMEOUT_MS):
        page.show()
        page.activate()

    model = page.model
    shown = [
        [model.data(model.index(r, c)) for c in (0, 2, 3, 5, 6, 8)] for r in range(model.rowCount())
    ]
    assert shown == [
        ["NAIL-1", "A-01-01", "", "60", "pcs", "15.00"],
        ["SALT-1", "A-01-01", "L-OLD", "12.5", "kg", "50.00"],
        ["SALT-1", "A-01-02", "L-NEW", "0.125", "kg", "0.50"],
    ]
    assert page.count_label.text() == "3 rows"
    assert page.value_label.text() == "Value: 65.50"
    # An expired lot stands out.
    foreground = Qt.ItemDataRole.ForegroundRole
    assert model.data(model.index(1, 4), foreground) is not None
    assert model.data(model.index(2, 4), foreground) is None

    qtbot.keyClicks(page.filter_edit, "salt l-new")
    assert page.count_label.text() == "1 of 3 rows"
    assert page.value_label.text() == "Value: 0.50"

    with qtbot.waitSignal(page.moves_loaded, timeout=TIMEOUT_MS) as loaded:
        page.table.selectRow(0)
    assert loaded.args == [2]
    assert page.moves_title.text() == "Moves of SALT-1 — Road salt"
    moves = page.moves_model.visible_rows()
    assert sorted(m.quantity for m in moves) == [Decimal("0.125"), Decimal("12.5")]

    # Stock changes elsewhere; a refresh shows it and reloads the selected item's moves.
    sqlite_db.run(factories.issue, places, salt.id, "0.125", 1, new.id)
    page.filter_edit.clear()
    with qtbot.waitSignal(page.moves_loaded, timeout=TIMEOUT_MS) as loaded:
        page.refresh()
    assert loaded.args == [3]
    assert page.count_label.text() == "2 rows"


def test_double_click_asks_to_open_the_item(
    qtbot: QtBot, runner: Runner, sqlite_db: Database
) -> None:
    places = sqlite_db.run(factories.places)
    nails = sqlite_db.run(factories.item, places.user, "NAIL-1")
    sqlite_db.run(factories.receive, places, nails.id, "5")
    page = StockPage(runner)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.stock_loaded, timeout=TIMEOUT_MS):
        page.show()
        page.activate()
    rect = page.table.visualRect(page.model.index(0, 0))
    with qtbot.waitSignal(page.open_item_requested, timeout=TIMEOUT_MS) as asked:
        qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert asked.args == [nails.id]


def test_an_empty_warehouse_says_where_stock_comes_from(qtbot: QtBot, runner: Runner) -> None:
    page = StockPage(runner)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.stock_loaded, timeout=TIMEOUT_MS):
        page.show()
        page.activate()
    assert page.empty_hint.isVisible()
    assert page.value_label.text() == "Value: 0.00"
