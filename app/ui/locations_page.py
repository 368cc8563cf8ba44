"""The Locations page: the bins of the warehouse with what each holds, filtered as you
type; add a bin, rename one, and print bin labels for the bins selected.

A scanned bin label selects its bin here, so a worker can check a label by scanning it.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSettings, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.models import Role
from app.services import locations
from app.services.auth import role_allows
from app.services.errors import FieldErrors, HyllaError, ValidationError
from app.services.labels import LabelKind
from app.services.locations import BinSummary, LocationRow
from app.services.scanning import ScanResult
from app.services.users import UserRef
from app.ui.formatting import fmt_count, fmt_qty
from app.ui.labels_dialog import LabelsDialog
from app.ui.list_page import count_text, filter_field, muted_label
from app.ui.runner import Runner
from app.ui.table_model import MUTED, Column, RowTableModel
from app.ui.widgets import (
    ListLoader,
    error_label,
    icon,
    make_table_view,
    mark_error,
    set_column_widths,
)


def bin_search_text(row: BinSummary) -> str:
    """What the filter looks in: code and name."""
    return f"{row.code}\n{row.name}"


def bin_columns() -> list[Column[BinSummary]]:
    """Columns of the bin list."""
    return [
        Column(_("Code"), lambda r: r.code),
        Column(_("Name"), lambda r: r.name),
        Column(
            _("Items"),
            lambda r: fmt_count(r.item_count),
            sort_key=lambda r: r.item_count,
            numeric=True,
            tooltip=_("How many different items have stock in the bin."),
        ),
        Column(
            _("Total quantity"),
            lambda r: fmt_qty(r.total_quantity),
            sort_key=lambda r: r.total_quantity,
            numeric=True,
            tooltip=_("All stock in the bin added up, whatever each item's unit."),
        ),
    ]


def _inactive_muted(row: BinSummary) -> QColor | None:
    # An inactive bin takes no new stock; it stays listed, greyed, for its labels.
    return None if row.active else MUTED


class BinDialog(QDialog):
    """Add a bin, or change a bin's code and name."""

    saved = Signal(object)  # LocationRow

    def __init__(
        self,
        runner: Runner,
        user: UserRef,
        current: BinSummary | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(_("New bin") if current is None else _("Rename bin"))
        self._runner = runner
        self._user = user
        self._current = current
        self.code_edit = QLineEdit(current.code if current else "")
        self.code_edit.setObjectName("bin_code")
        self.code_edit.setPlaceholderText(_("e.g. A-01-03"))
        self.code_edit.setMaxLength(40)
        self.name_edit = QLineEdit(current.name if current else "")
        self.name_edit.setObjectName("bin_name")
        self.name_edit.setPlaceholderText(_("e.g. Aisle A, section 01, level 3"))
        self.name_edit.setMaxLength(100)
        self.code_error = error_label()
        self.name_error = error_label()
        self.other_error = error_label()
        form = QFormLayout()
        form.addRow(_("Code:"), self.code_edit)
        form.addRow("", self.code_error)
        form.addRow(_("Name:"), self.name_edit)
        form.addRow("", self.name_error)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(_("Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.other_error)
        column.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

    def save(self) -> None:
        """Save on the worker; errors appear under their field and nothing changes."""
        self.save_button.setEnabled(False)
        self._runner.run(
            locations.save_bin,
            self._user.id,
            self.code_edit.text(),
            self.name_edit.text(),
            self._current.id if self._current else None,
            on_done=self._saved,
            on_error=self._failed,
            owner=self,
        )

    def _saved(self, row: LocationRow) -> None:
        self.saved.emit(row)
        self.accept()

    def _failed(self, error: HyllaError) -> None:
        self.save_button.setEnabled(True)
        # Disabling Save while it ran passed the focus to Cancel, which thereby became the
        # default button: Enter after correcting the code would cancel the new bin.
        self.save_button.setDefault(True)
        if isinstance(error, FieldErrors):
            errors = dict(error.errors)
        elif isinstance(error, ValidationError) and error.field:
            errors = {error.field: error.message}
        else:
            errors = {"": error.message}
        for key, edit, label in (
            ("code", self.code_edit, self.code_error),
            ("name", self.name_edit, self.name_error),
        ):
            message = errors.pop(key, "")
            label.setText(message)
            label.setVisible(bool(message))
            mark_error(edit, bool(message))
        rest = "\n".join(errors.values())
        self.other_error.setText(rest)
        self.other_error.setVisible(bool(rest))
        # The cursor goes where the correction is to be typed.
        only_name = bool(self.name_error.text()) and not self.code_error.text()
        (self.name_edit if only_name else self.code_edit).setFocus()


class LocationsPage(QWidget):
    """The bins, what they hold, and their labels."""

    status_message = Signal(str)
    #: Emitted each time a fresh list is shown, with the number of bins.
    bins_loaded = Signal(int)
    #: A bin was added or renamed: pages that show bin codes are stale.
    data_changed = Signal()
    #: A dialog opened (for tests and the main window): the bin or labels dialog.
    dialog_opened = Signal(object)

    CODE, NAME, ITEMS, QUANTITY = range(4)

    def __init__(
        self,
        runner: Runner,
        user: UserRef,
        parent: QWidget | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._user = user
        self._settings = settings
        self._select_after_load: list[int] = []
        self._loader = ListLoader(runner, locations.list_bin_summaries, self._show_rows, self)

        self.model: RowTableModel[BinSummary] = RowTableModel(
            bin_columns(),
            bin_search_text,
            foreground=_inactive_muted,
            parent=self,
        )
        self.filter_edit = filter_field(
            "locations_filter", _("Filter by bin code or name  (Ctrl+F)"), min_width=220
        )
        self.count_label = muted_label()
        self.new_button = QPushButton(icon("add"), _("New bin"))
        self.new_button.setToolTip(_("Add a bin to the warehouse"))
        self.rename_button = QPushButton(_("Rename…"))
        self.rename_button.setToolTip(_("Change the selected bin's code or name"))
        # Bins are a manager's (the service refuses staff anyway); the buttons say so.
        self._may_edit = role_allows(user.role, Role.MANAGER)
        if not self._may_edit:
            self.new_button.setEnabled(False)
            why = _("Only a manager or an administrator can add or rename bins.")
            self.new_button.setToolTip(why)
            self.rename_button.setToolTip(why)
        self.print_button = QPushButton(icon("labels"), _("Print bin labels…"))
        self.print_button.setToolTip(_("Labels for the selected bins (Ctrl+P)"))

        self.table = make_table_view(self.model)
        self.table.setObjectName("locations_table")
        # Several bins at once for their labels (Shift/Ctrl+click).
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(self.CODE, Qt.SortOrder.AscendingOrder)
        set_column_widths(
            self.table,
            {self.CODE: 160, self.NAME: 360, self.ITEMS: 100, self.QUANTITY: 140},
            stretch=self.NAME,
        )
        self.empty_hint = muted_label(
            _(
                "No bins yet. Add one with “New bin”, or import a list: "
                "python main.py import locations FILE.csv"
            ),
            hidden=True,
            wrap=True,
        )

        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 2)
        bar.addWidget(self.count_label, 1)
        bar.addStretch(1)
        bar.addWidget(self.rename_button)
        bar.addWidget(self.new_button)
        actions = QHBoxLayout()
        selection_hint = muted_label(_("Shift+click or Ctrl+click selects several bins."))
        actions.addWidget(selection_hint, 1)
        actions.addWidget(self.print_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 12, 12, 8)
        column.addLayout(bar)
        column.addWidget(self.empty_hint)
        column.addWidget(self.table, 1)
        column.addLayout(actions)

        self.filter_edit.textChanged.connect(self._filter_changed)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)
        self.table.doubleClicked.connect(self._rename_index)
        self.new_button.clicked.connect(self.new_bin)
        self.rename_button.clicked.connect(self.rename_selected)
        self.print_button.clicked.connect(self.print_labels)
        shortcut = QShortcut(QKeySequence.StandardKey.Print, self, self.print_labels)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._update_count()
        self._selection_changed()

    # --- data ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the bins (keeps filter, sort and selection)."""
        self._select_after_load = self.selected_ids()
        self._loader.refresh()

    def activate(self) -> None:
        """The page was shown: reload, since stock may have moved meanwhile (the list of
        bins is short, so this is quick)."""
        self.refresh()

    def mark_stale(self) -> None:
        """Something changed elsewhere: reload when next shown."""
        self._loader.mark_stale()

    def _show_rows(self, rows: list[BinSummary]) -> None:
        self.model.set_rows(rows)
        self.empty_hint.setVisible(not rows)
        self._update_count()
        wanted = self._select_after_load
        self._select_after_load = []
        self.select_bins(wanted)
        self.bins_loaded.emit(len(rows))

    # --- filter ----------------------------------------------------------------------------
    def focus_filter(self) -> None:
        """Put the cursor in the filter with its text selected (Ctrl+F)."""
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def _filter_changed(self, text: str) -> None:
        selected = self.selected_ids()
        self.model.set_filter(text)
        self._update_count()
        if self.model.visible_count() == 1:
            self.table.selectRow(0)
        else:
            self.select_bins(selected)

    def _update_count(self) -> None:
        total = self.model.total_count()
        self.count_label.setText(
            count_text(
                self.model.visible_count(),
                total,
                ngettext("{n} bin", "{n} bins", total),
                ngettext("{shown} of {n} bin", "{shown} of {n} bins", total),
            )
        )

    # --- selection -------------------------------------------------------------------------
    def selected_rows(self) -> list[BinSummary]:
        """The bins selected and shown, in the order shown."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.row_at(row) for row in rows]

    def selected_ids(self) -> list[int]:
        """Ids of the bins selected and shown."""
        return [row.id for row in self.selected_rows()]

    def select_bins(self, bin_ids: list[int]) -> None:
        """Select these bins where the filter shows them."""
        selection = self.table.selectionModel()
        selection.clearSelection()
        wanted = set(bin_ids)
        rows = [
            row for row in range(self.model.visible_count()) if self.model.row_at(row).id in wanted
        ]
        first = True
        for row in rows:
            flags = selection.SelectionFlag.Select | selection.SelectionFlag.Rows
            if first:
                selection.setCurrentIndex(self.model.index(row, 0), flags)
                self.table.scrollTo(self.model.index(row, 0))
                first = False
            else:
                selection.select(self.model.index(row, 0), flags)

    def _selection_changed(self, *_args: object) -> None:
        count = len(self.table.selectionModel().selectedRows())
        self.rename_button.setEnabled(count == 1 and self._may_edit)
        self.print_button.setEnabled(count > 0)

    # --- actions ---------------------------------------------------------------------------
    def new_bin(self) -> BinDialog:
        """Open the dialog that adds a bin."""
        return self._bin_dialog(None)

    def rename_selected(self) -> BinDialog | None:
        """Open the dialog that renames the one selected bin."""
        rows = self.selected_rows()
        if len(rows) != 1:
            return None
        return self._bin_dialog(rows[0])

    def _rename_index(self, index: QModelIndex) -> None:
        if index.isValid() and self._may_edit:
            self._bin_dialog(self.model.row_at(index.row()))

    def _bin_dialog(self, current: BinSummary | None) -> BinDialog:
        dialog = BinDialog(self._runner, self._user, current, parent=self.window())
        dialog.saved.connect(self._bin_saved)
        dialog.open()
        self.dialog_opened.emit(dialog)
        return dialog

    def _bin_saved(self, row: LocationRow) -> None:
        self.status_message.emit(_("Bin {code} saved.").format(code=row.code))
        self.data_changed.emit()
        self.filter_edit.clear()
        self._select_after_load = [row.id]
        self._loader.refresh()

    def print_labels(self) -> LabelsDialog | None:
        """Open the label dialog for the selected bins (Ctrl+P)."""
        ids = self.selected_ids()
        if not ids:
            self.status_message.emit(_("Select the bins to print labels for."))
            return None
        dialog = LabelsDialog(
            self._runner, LabelKind.BINS, ids, parent=self.window(), settings=self._settings
        )
        dialog.saved.connect(
            lambda path: self.status_message.emit(_("Labels saved to {path}.").format(path=path))
        )
        dialog.open()
        self.dialog_opened.emit(dialog)
        return dialog

    # --- scans -----------------------------------------------------------------------------
    def handle_scan(self, result: ScanResult) -> bool:
        """A scanned bin label selects its bin (clearing a filter that hides it)."""
        if result.outcome != "bin" or result.bin_id is None:
            return False
        bin_id = int(result.bin_id)
        if self.model.find_row(lambda r: r.id == bin_id) < 0 and self.model.filter_text():
            self.filter_edit.clear()
        self.select_bins([bin_id])
        return True
