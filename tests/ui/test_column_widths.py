"""A table's stretching column (an item's name) takes the room that is left, but never
gets narrower than its floor: in a narrow window the table scrolls sideways instead."""

from __future__ import annotations

from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from app.ui.widgets import MIN_STRETCH_WIDTH, set_column_widths


def _table(qtbot: QtBot, width: int) -> QTableView:
    model = QStandardItemModel(3, 5)
    view = QTableView()
    view.setModel(model)
    qtbot.addWidget(view)
    set_column_widths(view, {0: 100, 1: 300, 2: 100, 3: 100, 4: 100}, stretch=1)
    view.resize(width, 200)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_the_name_column_stretches_when_there_is_room(qtbot: QtBot) -> None:
    view = _table(qtbot, 1000)
    header = view.horizontalHeader()
    qtbot.waitUntil(lambda: header.sectionSize(1) > 500)
    assert not view.horizontalScrollBar().isVisible()


def test_in_a_narrow_window_the_name_keeps_its_floor_and_the_table_scrolls(
    qtbot: QtBot,
) -> None:
    view = _table(qtbot, 450)
    header = view.horizontalHeader()
    qtbot.waitUntil(lambda: header.sectionSize(1) == MIN_STRETCH_WIDTH)
    qtbot.waitUntil(lambda: view.horizontalScrollBar().maximum() > 0)
    # Wide again: it stretches again.
    view.resize(1200, 200)
    qtbot.waitUntil(lambda: header.sectionSize(1) > 600)
