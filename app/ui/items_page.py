"""The Items page: every item in one list, filtered as you type, opened in the editor.

The filter matches SKU, name and barcodes, so scanning a barcode into it finds the
item; Enter opens the one item left (or the selected one).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.models import Role
from app.services import items
from app.services.auth import role_allows
from app.services.items import ItemDetail, ItemRow
from app.services.labels import LabelKind
from app.services.scanning import ScanResult
from app.services.users import UserRef
from app.ui.item_editor import ItemEditor
from app.ui.items_model import ItemTableModel
from app.ui.labels_dialog import LabelsDialog
from app.ui.list_page import count_text, filter_field, muted_label
from app.ui.runner import Runner
from app.ui.widgets import ListLoader, icon, make_table_view, set_column_widths

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class ItemsPage(QWidget):
    """The item list with its filter, count and "New item" button."""

    status_message = Signal(str)
    #: Emitted each time a fresh list is shown, with the number of items.
    items_loaded = Signal(int)
    #: Emitted after an item was saved, so other pages know their data is stale.
    data_changed = Signal()
    #: Emitted when an editor window opens (for tests and the main window).
    editor_opened = Signal(object)

    def __init__(self, runner: Runner, user: UserRef, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._user = user
        self._editors: dict[int, ItemEditor] = {}
        self._select_after_load: int | None = None
        self._loaded_once = False
        self._loader = ListLoader(runner, items.list_items, self._show_rows, self)

        self.model = ItemTableModel(self)
        self.filter_edit = filter_field(
            "items_filter", _("Filter by SKU, name or barcode  (Ctrl+F)"), min_width=260
        )
        self.count_label = muted_label()
        self.new_button = QPushButton(icon("add"), _("New item"))
        self.new_button.setToolTip(_("Create an item (Ctrl+N)"))
        if not role_allows(user.role, Role.MANAGER):
            # The service refuses staff anyway; the button says so before anyone tries.
            self.new_button.setEnabled(False)
            self.new_button.setToolTip(_("Only a manager or an administrator can create items."))
        self.open_button = QPushButton(_("Open"))
        self.open_button.setToolTip(_("Open the selected item (Enter)"))
        self.open_button.setEnabled(False)
        self.print_button = QPushButton(icon("labels"), _("Print labels…"))
        self.print_button.setToolTip(_("Labels for the selected items (Ctrl+P)"))
        self.print_button.setEnabled(False)

        self.table = make_table_view(self.model)
        # Several items at once for their labels (Shift/Ctrl+click); Enter and "Open"
        # still open the current one.
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setObjectName("items_table")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(ItemTableModel.SKU, Qt.SortOrder.AscendingOrder)
        set_column_widths(
            self.table,
            {
                ItemTableModel.SKU: 150,
                ItemTableModel.NAME: 320,
                ItemTableModel.CATEGORY: 170,
                ItemTableModel.ON_HAND: 110,
                ItemTableModel.UNIT: 70,
                ItemTableModel.POLICY: 130,
                ItemTableModel.ACTIVE: 70,
            },
            stretch=ItemTableModel.NAME,
        )
        self.empty_hint = QLabel(
            _(
                "No items yet. Create one with “New item”, or import a list: "
                "python main.py import items FILE.csv"
            )
        )
        self.empty_hint.setProperty("role", "muted")
        self.empty_hint.setWordWrap(True)
        self.empty_hint.hide()

        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 2)
        bar.addWidget(self.count_label, 1)
        bar.addStretch(1)
        bar.addWidget(self.open_button)
        bar.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.addLayout(bar)
        layout.addWidget(self.empty_hint)
        layout.addWidget(self.table, 1)
        # Actions on the selection sit under the list (the bar above is full).
        actions = QHBoxLayout()
        selection_hint = QLabel(_("Shift+click or Ctrl+click selects several items."))
        selection_hint.setProperty("role", "muted")
        actions.addWidget(selection_hint, 1)
        actions.addWidget(self.print_button)
        layout.addLayout(actions)

        self.filter_edit.textChanged.connect(self._filter_changed)
        self.filter_edit.installEventFilter(self)
        self.table.installEventFilter(self)
        self.table.doubleClicked.connect(self._open_index)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)
        self.new_button.clicked.connect(self.new_item)
        self.open_button.clicked.connect(self.open_selected)
        self.print_button.clicked.connect(self.print_labels)
        print_shortcut = QShortcut(QKeySequence.StandardKey.Print, self, self.print_labels)
        print_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._update_count()

    # --- data ----------------------------------------------------------------------------
    def refresh(self, select_item: int | None = None) -> None:
        """Reload the list from the database (keeps filter, sort and selection)."""
        self._select_after_load = select_item if select_item is not None else self.selected_id()
        self._loader.refresh()

    def activate(self) -> None:
        """The page was shown: load it if it never was, or if its data went stale."""
        self._loader.activate()

    def mark_stale(self) -> None:
        """Something changed elsewhere: reload when next shown."""
        self._loader.mark_stale()

    def _show_rows(self, rows: list[ItemRow]) -> None:
        first_load = not self._loaded_once
        self._loaded_once = True
        self.model.set_rows(rows)
        self.empty_hint.setVisible(not rows)
        self._update_count()
        if self._select_after_load is not None:
            self.select_item(self._select_after_load)
        elif self.model.visible_count() and first_load:
            self.table.selectRow(0)
        self.items_loaded.emit(len(rows))

    # --- filter --------------------------------------------------------------------------
    def focus_filter(self) -> None:
        """Put the cursor in the filter with its text selected (Ctrl+F)."""
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def _filter_changed(self, text: str) -> None:
        selected = self.selected_id()
        self.model.set_filter(text)
        self._update_count()
        if self.model.visible_count() == 1:
            self.table.selectRow(0)
        elif selected is not None:
            self.select_item(selected)

    def _update_count(self) -> None:
        total = self.model.total_count()
        self.count_label.setText(
            count_text(
                self.model.visible_count(),
                total,
                ngettext("{n} item", "{n} items", total),
                ngettext("{shown} of {n} item", "{shown} of {n} items", total),
            )
        )

    # --- selection and opening --------------------------------------------------------
    def selected_id(self) -> int | None:
        """The id of the selected item, if one is selected and shown."""
        selection = self.table.selectionModel()
        rows = selection.selectedRows()
        if not rows:
            return None
        # With several selected, the one last clicked (the current row) is "the" item.
        current = selection.currentIndex()
        if current.isValid() and selection.isRowSelected(current.row()):
            return int(self.model.row_at(current.row()).id)
        return int(self.model.row_at(rows[0].row()).id)

    def selected_ids(self) -> list[int]:
        """Ids of every selected item that the filter shows, in the order shown."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [int(self.model.row_at(row).id) for row in rows]

    def select_item(self, item_id: int) -> bool:
        """Select and show the item if the filter lets it through."""
        row = self.model.view_row_of(item_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def _selection_changed(self, *_args: object) -> None:
        self.open_button.setEnabled(self.selected_id() is not None)
        self.print_button.setEnabled(bool(self.table.selectionModel().selectedRows()))

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_item(int(self.model.row_at(index.row()).id))

    def open_selected(self) -> None:
        """Open the selected item in the editor."""
        item_id = self.selected_id()
        if item_id is not None:
            self.open_item(item_id)

    def open_item(self, item_id: int) -> ItemEditor:
        """Open the item's editor, or bring its open editor to the front."""
        editor = self._editors.get(item_id)
        if editor is not None:
            editor.raise_()
            editor.activateWindow()
            return editor
        editor = self._new_editor(item_id)
        self._editors[item_id] = editor
        # finished comes at once when the dialog closes; its deletion only comes later.
        editor.finished.connect(lambda _result, item_id=item_id: self._editors.pop(item_id, None))
        return editor

    def new_item(self) -> ItemEditor:
        """Open an empty editor for a new item (Ctrl+N)."""
        return self._new_editor(None)

    def _new_editor(self, item_id: int | None) -> ItemEditor:
        editor = ItemEditor(self._runner, self._user, item_id, parent=self.window())
        editor.saved.connect(self._item_saved)
        editor.status_message.connect(self.status_message)
        editor.show()
        self.editor_opened.emit(editor)
        return editor

    def print_labels(self) -> LabelsDialog | None:
        """Open the label dialog for the selected items (Ctrl+P)."""
        ids = self.selected_ids()
        if not ids:
            self.status_message.emit(_("Select the items to print labels for."))
            return None
        dialog = LabelsDialog(self._runner, LabelKind.ITEMS, ids, parent=self.window())
        dialog.saved.connect(
            lambda path: self.status_message.emit(_("Labels saved to {path}.").format(path=path))
        )
        dialog.open()
        return dialog

    def _item_saved(self, detail: ItemDetail) -> None:
        self.data_changed.emit()
        self.refresh(select_item=int(detail.id))

    # --- scans ---------------------------------------------------------------------------
    def handle_scan(self, result: ScanResult) -> bool:
        """A scanned item is selected in the list (the filter is cleared if it hides the
        item) and the list takes the focus, so Enter opens it; the scan banner stays in
        sight. Other scans are not for this page (False)."""
        if result.outcome != "item" or result.item_id is None:
            return False
        item_id = int(result.item_id)
        if self.model.view_row_of(item_id) < 0 and self.model.filter_text():
            self.filter_edit.clear()
        if not self.select_item(item_id):
            # Not in the list yet (created or linked meanwhile): select it once reloaded.
            self.refresh(select_item=item_id)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    # --- keys ----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.filter_edit:
                if key in ENTER_KEYS:
                    # A scan or a typed SKU that leaves one item opens it at once.
                    if self.model.visible_count() == 1:
                        self.open_item(int(self.model.row_at(0).id))
                    elif self.selected_id() is not None:
                        self.table.setFocus()
                    return True
                if key == Qt.Key.Key_Down and self.model.visible_count():
                    self.table.setFocus()
                    if self.selected_id() is None:
                        self.table.selectRow(0)
                    return True
            elif watched is self.table and key in ENTER_KEYS:
                self.open_selected()
                return True
        return super().eventFilter(watched, event)
