"""A read-only table model over a list of plain rows, filtered as the user types.

Built for tens of thousands of rows: each row's search text is lower-cased once when
the rows arrive, a filter is a plain substring scan into a list of row indices (every
word typed must occur), and cell texts are formatted only when a cell is first shown.
No ``QSortFilterProxyModel``: its per-row regular expressions are what make large
lists stutter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
MUTED = QColor(128, 128, 128)
ALERT = QColor(183, 28, 28)


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column: its (translated) title, how a row shows in it and how it sorts."""

    title: str
    text: Callable[[T], str]
    sort_key: Callable[[T], Any] | None = None
    numeric: bool = False
    tooltip: str = ""


def expired_in_red(row: Any) -> QColor | None:
    """Foreground for rows with an ``expiry`` date: red once the lot has expired (such
    stock must not be picked, and may need writing down)."""
    expiry = getattr(row, "expiry", None)
    return ALERT if expiry is not None and expiry < dt.date.today() else None


def _sortable(value: Any) -> tuple[bool, Any]:
    # None sorts last in ascending order and never meets another type in a comparison.
    if value is None:
        return (True, 0)
    if isinstance(value, str):
        return (False, value.casefold())
    return (False, value)


class RowTableModel(QAbstractTableModel, Generic[T]):
    """Rows of ``T`` shown through ``columns``, filtered by ``search_text``; ``foreground``
    may colour a row (greyed when inactive, red when expired)."""

    def __init__(
        self,
        columns: Sequence[Column[T]],
        search_text: Callable[[T], str],
        foreground: Callable[[T], QColor | None] | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._search_text = search_text
        self._foreground = foreground
        self._rows: list[T] = []
        self._haystacks: list[str] = []
        self._order: list[int] = []  # all row indices in the current sort order
        self._visible: list[int] = []  # the filtered subset of _order
        self._cells: dict[tuple[int, int], str] = {}
        self._words: tuple[str, ...] = ()
        self._filter_text = ""
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # --- feeding -----------------------------------------------------------------------
    def set_rows(self, rows: Sequence[T]) -> None:
        """Replace all rows; the current filter and sort order are kept."""
        self.beginResetModel()
        self._rows = list(rows)
        self._haystacks = [self._search_text(row).lower() for row in self._rows]
        self._cells = {}
        self._order = list(range(len(self._rows)))
        if self._sort is not None:
            self._apply_sort(*self._sort)
        self._visible = self._matching(self._order)
        self.endResetModel()

    def set_filter(self, text: str) -> None:
        """Show only rows whose search text holds every word of ``text`` (any case)."""
        words = tuple(text.lower().split())
        if words == self._words:
            self._filter_text = text
            return
        narrowing = bool(self._words) and all(
            any(old in new for new in words) for old in self._words
        )
        self._words = words
        self._filter_text = text
        self.beginResetModel()
        # Typing one more letter can only narrow the match: scan the rows shown, not all.
        self._visible = self._matching(self._visible if narrowing else self._order)
        self.endResetModel()

    def filter_text(self) -> str:
        """The filter as typed."""
        return self._filter_text

    def _matching(self, candidates: list[int]) -> list[int]:
        words = self._words
        if not words:
            return list(candidates)
        hay = self._haystacks
        if len(words) == 1:
            word = words[0]
            return [i for i in candidates if word in hay[i]]
        return [i for i in candidates if all(w in hay[i] for w in words)]

    # --- reading -----------------------------------------------------------------------
    def visible_count(self) -> int:
        """Rows that pass the filter."""
        return len(self._visible)

    def total_count(self) -> int:
        """All rows, filtered or not."""
        return len(self._rows)

    def row_at(self, view_row: int) -> T:
        """The row shown at ``view_row``."""
        return self._rows[self._visible[view_row]]

    def visible_rows(self) -> list[T]:
        """The rows that pass the filter, in the order shown."""
        return [self._rows[i] for i in self._visible]

    def find_row(self, predicate: Callable[[T], bool]) -> int:
        """The view row of the first shown row matching ``predicate``, or -1."""
        for view_row, i in enumerate(self._visible):
            if predicate(self._rows[i]):
                return view_row
        return -1

    # --- Qt model interface --------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            source = self._visible[index.row()]
            key = (source, column)
            text = self._cells.get(key)
            if text is None:
                text = self._columns[column].text(self._rows[source])
                self._cells[key] = text
            return text
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if self._columns[column].numeric else LEFT
        if role == Qt.ItemDataRole.ForegroundRole and self._foreground is not None:
            return self._foreground(self._rows[self._visible[index.row()]])
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        column = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if column.numeric else LEFT
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip:
            return column.tooltip
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        # A reset, not a layout change: no persistent index has to be mapped row by row.
        self.beginResetModel()
        self._sort = (column, order)
        self._apply_sort(column, order)
        visible = set(self._visible)
        self._visible = [i for i in self._order if i in visible]
        self.endResetModel()

    def _apply_sort(self, column: int, order: Qt.SortOrder) -> None:
        spec = self._columns[column]
        key = spec.sort_key or spec.text
        rows = self._rows
        self._order.sort(
            key=lambda i: _sortable(key(rows[i])),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )


class CachedRowsModel(QAbstractTableModel):
    """A table whose rows are worked out once, when their line changes.

    Each row in ``_rows`` carries ``line`` (the service's line) and ``texts`` (every
    cell, formatted): a repaint asks for each cell several times, and formatting numbers
    each time would cost more than a scan. Subclasses call :meth:`set_columns`, fill
    ``_rows`` and answer the other roles (colours, fonts) in :meth:`row_data`.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []
        self._titles: list[str] = []
        self._tooltips: dict[int, str] = {}
        self._alignments: list[Qt.AlignmentFlag] = []

    def set_columns(
        self,
        titles: Sequence[str],
        numeric: frozenset[int] | set[int] = frozenset(),
        tooltips: dict[int, str] | None = None,
    ) -> None:
        """The column titles; ``numeric`` columns are right-aligned."""
        self._titles = list(titles)
        self._tooltips = dict(tooltips or {})
        self._alignments = [RIGHT if c in numeric else LEFT for c in range(len(self._titles))]

    def lines(self) -> list[Any]:
        """The lines in the order shown."""
        return [row.line for row in self._rows]

    def line_at(self, row: int) -> Any:
        """The line shown at ``row``."""
        return self._rows[row].line

    def texts(self) -> list[tuple[str, ...]]:
        """Every cell's text, row by row (what the screen shows)."""
        return [row.texts for row in self._rows]

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Rows are selected whole and never edited in place."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._titles)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._titles[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltips.get(section)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._alignments[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.texts[column]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._alignments[column]
        return self.row_data(row, column, role)

    def row_data(self, row: Any, column: int, role: int) -> Any:
        """The other roles of a cell (colours, fonts, tooltips); None by default."""
        return None
