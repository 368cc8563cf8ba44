"""Codes typed into a scan screen's table arrive as scans, whole (TypedCodeCatcher)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from app.barcodes.diagnose import GS
from app.ui.scanner import TypedCodeCatcher


def _table(qtbot: QtBot) -> tuple[QTableView, TypedCodeCatcher, list[str]]:
    model = QStandardItemModel(3, 2)
    table = QTableView()
    table.setModel(model)
    qtbot.addWidget(table)
    table.show()
    qtbot.waitExposed(table)
    table.setFocus()
    codes: list[str] = []
    return table, TypedCodeCatcher(table, codes.append), codes


def test_keys_typed_into_a_table_then_enter_are_one_code(qtbot: QtBot) -> None:
    table, catcher, codes = _table(qtbot)
    table.selectRow(0)
    # Slowly, as the scanner filter replays a scan it took for typing.
    qtbot.keyClicks(table, "B-02", delay=80)
    qtbot.keyClicks(table, "-01", delay=80)
    assert catcher.pending == "B-02-01"
    assert codes == []
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert codes == ["B-02-01"]
    assert catcher.pending == ""
    # The keys did not move the selection (no keyboard search in the table).
    assert table.selectionModel().selectedRows()[0].row() == 0


def test_arrows_and_a_bare_enter_still_work_and_escape_forgets(qtbot: QtBot) -> None:
    table, catcher, codes = _table(qtbot)
    table.setCurrentIndex(table.model().index(0, 0))
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert table.currentIndex().row() == 1
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert codes == []
    qtbot.keyClicks(table, "735")
    qtbot.keyClick(table, Qt.Key.Key_Escape)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert codes == [] and catcher.pending == ""


def test_the_group_separator_of_a_gs1_code_is_kept(qtbot: QtBot) -> None:
    table, _catcher, codes = _table(qtbot)
    qtbot.keyClicks(table, "0107350104822125")
    qtbot.keyClicks(table, "10L25")
    qtbot.keyClick(table, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(table, "17270417")
    qtbot.keyClick(table, Qt.Key.Key_Enter)
    assert codes == [f"010735010482212510L25{GS}17270417"]
