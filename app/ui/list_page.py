"""What the list pages share: the filter row's widgets, its count, and the list itself.

A list page is a filter field, a count, a sortable table of rows loaded on the database
worker, and actions on the selected row. Each page still builds and lays out its own
widgets (so a reader sees the whole screen in its ``__init__``); what is the same on
every page is here: :func:`filter_field` and :func:`muted_label` make the widgets,
:func:`count_text` words the count, and :class:`RowListPage` does what the Orders,
Purchase orders, Customers and Users lists do the same way with their rows (keep the
selection across a reload, filter as you type, Ctrl+F).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit

from app.ui.formatting import fmt_count
from app.ui.widgets import icon

if TYPE_CHECKING:
    from PySide6.QtWidgets import QTableView

    from app.ui.table_model import RowTableModel
    from app.ui.widgets import ListLoader


class HasId(Protocol):
    """A listed row: it is selected again after a reload by its id."""

    @property
    def id(self) -> int: ...


RowT = TypeVar("RowT", bound=HasId)


def filter_field(name: str, placeholder: str, min_width: int | None = None) -> QLineEdit:
    """The filter of a list: a search icon, a clear button, and the hint ``placeholder``
    (which names Ctrl+F, the shortcut that puts the cursor there)."""
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    edit.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
    if min_width is not None:
        edit.setMinimumWidth(min_width)
    return edit


def muted_label(text: str = "", *, hidden: bool = False, wrap: bool = False) -> QLabel:
    """A grey label: a list's count, or the hint shown (``hidden`` until then) when a
    list is empty."""
    label = QLabel(text)
    label.setProperty("role", "muted")
    if wrap:
        label.setWordWrap(True)
    if hidden:
        label.hide()
    return label


def count_text(shown: int, total: int, whole: str, part: str) -> str:
    """How many rows a list shows: ``whole`` ("{n} orders") when the filter hides none,
    else ``part`` ("{shown} of {n} orders"); both come translated for ``total``."""
    if shown == total:
        return whole.format(n=fmt_count(total))
    return part.format(shown=fmt_count(shown), n=fmt_count(total))


class RowListPage(Generic[RowT]):
    """The list half of a page whose rows have ids: mixed into the page's QWidget.

    The page makes ``model``, ``table``, ``filter_edit``, ``count_label`` and
    ``_loader``, keeps every loaded row in ``_rows`` (the model may show fewer, e.g. one
    status), and says how its count reads (:meth:`_count_text`).
    """

    model: RowTableModel[RowT]
    table: QTableView
    filter_edit: QLineEdit
    count_label: QLabel
    _loader: ListLoader
    _rows: list[RowT]
    _select_after_load: int | None

    def focus_filter(self) -> None:
        """Put the cursor in the filter (Ctrl+F)."""
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def selected_row(self) -> RowT | None:
        """The row selected in the list, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _reload(self, select_id: int | None = None) -> None:
        # Select the row asked for after the load, else the one selected now.
        selected = self.selected_row()
        self._select_after_load = select_id or (selected.id if selected else None)
        self._loader.refresh()

    def _select_loaded(self) -> None:
        """After a load: select the row wanted, else keep the selection, else the first."""
        wanted = self._select_after_load
        self._select_after_load = None
        row = -1 if wanted is None else self.model.find_row(lambda r: r.id == wanted)
        if row >= 0:
            self.table.selectRow(row)
        elif self.model.visible_count() and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)

    def _filter_changed(self, text: str) -> None:
        self.model.set_filter(text)
        self._update_count()

    def _update_count(self) -> None:
        self.count_label.setText(self._count_text(self.model.visible_count(), len(self._rows)))

    def _count_text(self, shown: int, total: int) -> str:
        """The count beside the filter, e.g. "3 of 12 orders"."""
        raise NotImplementedError
