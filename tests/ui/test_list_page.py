"""The list pages' shared parts: the filter field, the count, and a list that keeps its
selection across reloads (the Orders, Purchase orders, Customers and Users lists)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.i18n import ngettext
from app.ui.list_page import RowListPage, count_text, filter_field, muted_label
from app.ui.table_model import Column, RowTableModel
from app.ui.widgets import contains_completer, make_table_view


@dataclass(frozen=True)
class Row:
    id: int
    name: str


class _Loader:
    """Stands in for a page's ListLoader: the rows arrive at once, no database worker."""

    def __init__(self, page: _Page) -> None:
        self._page = page

    def refresh(self) -> None:
        self._page._show_rows(self._page.next_rows)


class _Page(RowListPage[Row], QWidget):
    """The smallest list page: a filter, a count and a table of named rows."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[Row] = []
        self._select_after_load: int | None = None
        self.model: RowTableModel[Row] = RowTableModel(
            [Column("Name", lambda r: r.name)], lambda r: r.name, parent=self
        )
        self.filter_edit = filter_field("test_filter", "Filter  (Ctrl+F)")
        self.count_label = muted_label()
        self.table = make_table_view(self.model)
        column = QVBoxLayout(self)
        column.addWidget(self.filter_edit)
        column.addWidget(self.count_label)
        column.addWidget(self.table)
        self.filter_edit.textChanged.connect(self._filter_changed)

        self._loader = _Loader(self)  # type: ignore[assignment]
        self.next_rows = ROWS

    def _show_rows(self, rows: list[Row]) -> None:
        self._rows = rows
        self.model.set_rows(rows)
        self._update_count()
        self._select_loaded()

    def _count_text(self, shown: int, total: int) -> str:
        return count_text(
            shown,
            total,
            ngettext("{n} order", "{n} orders", total),
            ngettext("{shown} of {n} order", "{shown} of {n} orders", total),
        )


ROWS = [Row(1, "Apple"), Row(2, "Banana"), Row(3, "Cherry")]


def test_the_count_says_how_many_the_filter_shows() -> None:
    assert count_text(3, 3, "{n} orders", "{shown} of {n} orders") == "3 orders"
    assert count_text(1, 3, "{n} orders", "{shown} of {n} orders") == "1 of 3 orders"
    assert count_text(1234, 1234, "{n} orders", "{shown} of {n} orders") == "1,234 orders"


def test_the_filter_field_has_its_name_hint_and_clear_button() -> None:
    edit = filter_field("bins_filter", "Filter by bin  (Ctrl+F)", min_width=220)
    assert edit.objectName() == "bins_filter"
    assert edit.placeholderText() == "Filter by bin  (Ctrl+F)"
    assert edit.isClearButtonEnabled()
    assert edit.minimumWidth() == 220
    hint = muted_label("Nothing yet", hidden=True, wrap=True)
    assert hint.property("role") == "muted"
    assert hint.isHidden()
    assert hint.wordWrap()


def test_a_list_selects_the_first_row_then_keeps_the_selection(qtbot: QtBot) -> None:
    page = _Page()
    qtbot.addWidget(page)
    page._reload()
    assert page.selected_row() == ROWS[0]
    assert page.count_label.text() == "3 orders"

    page.table.selectRow(2)
    page._reload()
    assert page.selected_row() == ROWS[2]

    page._reload(select_id=2)
    assert page.selected_row() == ROWS[1]

    # The row selected is gone after the reload: the first one is selected instead.
    page.next_rows = [ROWS[0], ROWS[2]]
    page._reload(select_id=2)
    assert page.selected_row() == ROWS[0]
    assert page.count_label.text() == "2 orders"


def test_typing_in_the_filter_narrows_the_list_and_the_count(qtbot: QtBot) -> None:
    page = _Page()
    qtbot.addWidget(page)
    page._reload()
    qtbot.keyClicks(page.filter_edit, "an")
    assert page.model.visible_rows() == [ROWS[1]]
    assert page.count_label.text() == "1 of 3 orders"
    page.filter_edit.clear()
    assert page.count_label.text() == "3 orders"


def test_ctrl_f_puts_the_cursor_in_the_filter_with_its_text_selected(qtbot: QtBot) -> None:
    page = _Page()
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.filter_edit.setText("ban")
    page.table.setFocus()
    page.focus_filter()
    qtbot.waitUntil(page.filter_edit.hasFocus)
    assert page.filter_edit.selectedText() == "ban"


def test_suggestions_match_anywhere_in_any_case(qtbot: QtBot) -> None:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    choices, completer = contains_completer(edit, edit)
    choices.setStringList(["KUND1 — Bygg AB", "KUND2 — Café Ost"])
    assert edit.completer() is completer
    completer.setCompletionPrefix("bygg")
    assert completer.completionCount() == 1
    assert completer.currentCompletion() == "KUND1 — Bygg AB"
