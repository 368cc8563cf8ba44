"""Small building blocks the pages share: a configured table view, error labels, icons."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractItemModel, QEvent, QFileInfo, QObject, QStringListModel, Qt
from PySide6.QtGui import QAbstractFileIconProvider, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDialog,
    QFileDialog,
    QFileIconProvider,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QTableView,
    QWidget,
)

from app.i18n import _
from app.services.errors import HyllaError
from app.ui import feedback

if TYPE_CHECKING:
    from app.ui.runner import Runner

ICONS_DIR = Path(__file__).resolve().parent.parent.parent / "resources" / "icons"

# Only widgets marked in error get a style of their own; everything else keeps the
# platform look.
STYLE_SHEET = """
QLineEdit[error="true"] { border: 1px solid #c62828; border-radius: 3px; padding: 2px 3px;
                          background: #fff6f6; }
QLabel[role="error"] { color: #b71c1c; }
QLabel[role="muted"] { color: #5f6b73; }
QLabel[role="heading"] { font-weight: 600; }
"""


def icon(name: str) -> QIcon:
    """An icon from ``resources/icons/<name>.svg`` (an empty icon if it is missing)."""
    path = ICONS_DIR / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()


def make_table_view(model: QAbstractItemModel, parent: QWidget | None = None) -> QTableView:
    """A read-only, row-selecting table with uniform row heights (fast for long lists)."""
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    vertical = view.verticalHeader()
    vertical.setVisible(False)
    # Fixed heights let the view place 20,000 rows without measuring any of them.
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vertical.setDefaultSectionSize(view.fontMetrics().height() + 10)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setStretchLastSection(False)
    return view


# The narrowest a stretching column (an item's name, mostly) is allowed to get.
MIN_STRETCH_WIDTH = 160


def set_column_widths(view: QTableView, widths: dict[int, int], stretch: int | None) -> None:
    """Give columns sensible widths; ``stretch`` takes the room that is left, but never
    less than ``MIN_STRETCH_WIDTH`` (or its own width in ``widths``, if smaller): in a
    narrow window the table scrolls sideways instead of cutting the name to "Batteri al…"
    or its header to "Nan"."""
    header = view.horizontalHeader()
    for column, width in widths.items():
        header.resizeSection(column, width)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        least = min(widths.get(stretch, MIN_STRETCH_WIDTH), MIN_STRETCH_WIDTH)
        _StretchFloor(view, stretch, least)


class _StretchFloor(QObject):
    """Switches a table's stretching column between stretching (room to spare) and a
    fixed floor width (too little room), as the table is resized."""

    def __init__(self, view: QTableView, column: int, least: int) -> None:
        super().__init__(view)
        self._view = view
        self._column = column
        self._least = least
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        """Stretch the column when the others leave it at least its floor, else fix it
        at the floor (the table then scrolls sideways)."""
        header = self._view.horizontalHeader()
        others = sum(
            header.sectionSize(column)
            for column in range(header.count())
            if column != self._column and not header.isSectionHidden(column)
        )
        room = self._view.viewport().width() - others
        stretching = header.sectionResizeMode(self._column) == QHeaderView.ResizeMode.Stretch
        if room >= self._least and not stretching:
            header.setSectionResizeMode(self._column, QHeaderView.ResizeMode.Stretch)
        elif room < self._least and stretching:
            header.setSectionResizeMode(self._column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(self._column, self._least)


def error_label(parent: QWidget | None = None) -> QLabel:
    """A red, word-wrapped label shown under a field while it has an error."""
    label = QLabel(parent)
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def mark_error(widget: QWidget, in_error: bool) -> None:
    """Give an input (or an editable combo's line edit) the red border of an error."""
    target: QWidget = widget
    if isinstance(widget, QComboBox) and widget.isEditable():
        target = widget.lineEdit() or widget
    if bool(target.property("error")) == in_error:
        return
    target.setProperty("error", in_error)
    # Qt re-reads a style sheet's property selectors only when the style is re-applied.
    style = target.style()
    style.unpolish(target)
    style.polish(target)
    target.update()


def contains_completer(edit: QLineEdit, parent: QObject) -> tuple[QStringListModel, QCompleter]:
    """Suggestions under ``edit`` that match anywhere in the text, in any case (part of a
    name finds it); returns the list to fill (``setStringList``) and the completer."""
    choices = QStringListModel(parent)
    completer = QCompleter(choices, parent)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setMaxVisibleItems(12)
    edit.setCompleter(completer)
    return choices, completer


class ListLoader:
    """Loads a page's rows on the database worker, one load at a time.

    A refresh asked for while a load is in flight is not dropped: the rows being read
    may predate the change that asked for it, so one more load follows. Pages that
    are hidden are only marked stale and load when next shown.
    """

    def __init__(
        self,
        runner: Runner,
        load: Callable[..., Any],
        on_rows: Callable[[Any], None],
        owner: QWidget,
    ) -> None:
        self._runner = runner
        self._load = load
        self._on_rows = on_rows
        self._owner = owner
        self.loading = False
        self.stale = True
        self._again = False

    def refresh(self) -> None:
        """Load now, or once the load in flight has finished."""
        if self.loading:
            self._again = True
            return
        self.loading = True
        self._again = False
        self._runner.run(self._load, on_done=self._done, on_error=self._failed, owner=self._owner)

    def activate(self) -> None:
        """The page was shown: load if it never was, or if its data went stale."""
        if self.stale:
            self.refresh()

    def mark_stale(self) -> None:
        """Something changed elsewhere: reload when next shown."""
        self.stale = True

    def _done(self, rows: Any) -> None:
        self.loading = False
        self.stale = False
        self._on_rows(rows)
        if self._again:
            self.refresh()

    def _failed(self, error: HyllaError) -> None:
        self.loading = False
        self._again = False
        feedback.show_error(self._owner, error.message)


class NameOnlyIconProvider(QFileIconProvider):
    """Icons and types of files by their name alone, never by their content.

    Qt's own provider opens files it cannot name by extension (``hylla.db-wal``) to sniff
    their type, and closing them drops every POSIX lock this process holds on them,
    SQLite's included. Another program opening the database after that (a second
    workstation's Hylla, ``python main.py …``, a backup tool) takes the database for
    unused and deletes its WAL under Hylla: everything saved afterwards would be lost.
    A file dialog may well show the database's folder, so every one uses this.
    """

    def type(self, info: QFileInfo) -> str:
        if info.isDir():
            return _("Folder")
        suffix = info.suffix()
        return _("{suffix} file").format(suffix=suffix.upper()) if suffix else _("File")

    def icon(self, what: object) -> QIcon:  # type: ignore[override]
        # Qt calls this with a file (QFileInfo) or a kind of icon; a file gets its kind's.
        if isinstance(what, QFileInfo):
            kind = (
                QAbstractFileIconProvider.IconType.Folder
                if what.isDir()
                else QAbstractFileIconProvider.IconType.File
            )
            return super().icon(kind)
        return super().icon(what)  # type: ignore[call-overload]


def get_existing_directory(parent: QWidget | None, title: str, start: str) -> str:
    """Like ``QFileDialog.getExistingDirectory`` ("" when cancelled), with the same
    care as :func:`get_save_file_name`. Call it through the module so tests can stand
    in for it."""
    dialog = QFileDialog(parent, title, start)
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    provider = NameOnlyIconProvider()
    dialog.setIconProvider(provider)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    chosen = dialog.selectedFiles()
    dialog.deleteLater()
    return chosen[0] if accepted and chosen and chosen[0] else ""


def get_save_file_name(parent: QWidget | None, title: str, start: str, file_filter: str) -> str:
    """Like ``QFileDialog.getSaveFileName`` ("" when cancelled), but the dialog never
    reads the files it lists (see :class:`NameOnlyIconProvider`). Call it through the
    module (``widgets.get_save_file_name``) so tests can stand in for it."""
    dialog = QFileDialog(parent, title, start, file_filter)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    provider = NameOnlyIconProvider()
    dialog.setIconProvider(provider)
    start_path = Path(start)
    if start and not start_path.is_dir():
        dialog.setDirectory(str(start_path.parent))
        dialog.selectFile(start_path.name)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    chosen = dialog.selectedFiles()
    dialog.deleteLater()
    return chosen[0] if accepted and chosen and chosen[0] else ""
