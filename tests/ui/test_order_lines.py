"""The lines table and total the two order editors share: Enter or a double click
changes the selected line, Delete removes it, and only while the table has the focus."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.ui.order_lines import lines_table, total_label, total_text
from app.ui.table_model import Column, RowTableModel


@dataclass(frozen=True)
class Line:
    line_no: int
    sku: str


class _Editor(QWidget):
    """An editor's lines and a field of its line form; records what the keys asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []
        self.model: RowTableModel[Line] = RowTableModel(
            [Column("#", lambda r: str(r.line_no)), Column("SKU", lambda r: r.sku)],
            lambda r: r.sku,
            parent=self,
        )
        self.model.set_rows([Line(1, "A-1"), Line(2, "B-2")])
        self.table = lines_table(
            self.model,
            "test_lines",
            {0: 36, 1: 100},
            stretch=1,
            change=lambda: self.asked.append("change"),
            remove=lambda: self.asked.append("remove"),
        )
        self.field = QLineEdit()
        column = QVBoxLayout(self)
        column.addWidget(self.table)
        column.addWidget(self.field)


def _shown(qtbot: QtBot) -> _Editor:
    editor = _Editor()
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    editor.activateWindow()
    return editor


def test_enter_changes_and_delete_removes_the_selected_line(qtbot: QtBot) -> None:
    editor = _shown(qtbot)
    editor.table.setFocus()
    editor.table.selectRow(1)
    qtbot.waitUntil(editor.table.hasFocus)
    qtbot.keyClick(editor.table, Qt.Key.Key_Return)
    qtbot.keyClick(editor.table, Qt.Key.Key_Delete)
    assert editor.asked == ["change", "remove"]


def test_a_double_click_changes_the_line(qtbot: QtBot) -> None:
    editor = _shown(qtbot)
    index = editor.model.index(0, 1)
    editor.table.doubleClicked.emit(index)
    assert editor.asked == ["change"]


def test_enter_and_delete_in_a_field_leave_the_lines_alone(qtbot: QtBot) -> None:
    editor = _shown(qtbot)
    editor.table.selectRow(0)
    editor.field.setFocus()
    qtbot.waitUntil(editor.field.hasFocus)
    qtbot.keyClicks(editor.field, "abc")
    qtbot.keyClick(editor.field, Qt.Key.Key_Delete)
    qtbot.keyClick(editor.field, Qt.Key.Key_Return)
    assert editor.asked == []


def test_the_table_is_named_and_its_columns_sized() -> None:
    editor = _Editor()
    assert editor.table.objectName() == "test_lines"
    assert editor.table.horizontalHeader().sectionSize(0) == 36
    editor.deleteLater()


def test_the_total_is_a_heading_in_money_and_currency() -> None:
    label = total_label("order_total")
    assert label.objectName() == "order_total"
    assert label.property("role") == "heading"
    assert total_text(Decimal("2072"), "SEK") == "Total: 2,072.00 SEK"
    assert total_text(Decimal("0.5"), "EUR") == "Total: 0.50 EUR"
    label.deleteLater()
