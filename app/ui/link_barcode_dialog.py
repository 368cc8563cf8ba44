"""An unknown barcode is not a dead end: link it to an item, or create the item.

The dialog opens when a scan finds nothing. The person searches the item by SKU or name
(the item list is loaded once and filtered in memory as they type), says how many units
one scan of the code counts, and links it; or asks for a new item with the code already
filled in. Either way the main window then delivers the same scan again, so the work
that the unknown code interrupted carries on.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.barcodes.gtin import display_gtin
from app.i18n import _, ngettext
from app.services import items, scanning
from app.services.errors import FieldErrors, HyllaError, ValidationError
from app.services.items import ItemRow
from app.services.scanning import ScanResult
from app.services.users import UserRef
from app.ui.formatting import fmt_count
from app.ui.runner import Runner
from app.ui.table_model import Column, RowTableModel
from app.ui.widgets import error_label, icon, make_table_view, mark_error, set_column_widths


def can_link(result: ScanResult) -> bool:
    """True for an unknown scan that could become an item's barcode (not a pallet code,
    not a GS1 code without an item number)."""
    scan = result.scan
    if result.outcome != "unknown" or scan is None:
        return False
    return scan.kind in ("gtin", "text") or (scan.kind == "gs1" and scan.gtin14 is not None)


def code_for_new_item(result: ScanResult) -> str:
    """The barcode a new item gets from an unknown scan: the GTIN as printed under the
    symbol for GS1 codes, else the code as scanned (without a symbology identifier)."""
    scan = result.scan
    if scan is None:
        return result.raw
    if scan.kind == "gs1" and scan.gtin14 is not None:
        return display_gtin(scan.gtin14)
    return scan.code


def _item_columns() -> list[Column[ItemRow]]:
    return [
        Column(_("SKU"), lambda r: r.sku),
        Column(_("Name"), lambda r: r.name),
        Column(_("Unit"), lambda r: r.unit),
    ]


class LinkBarcodeDialog(QDialog):
    """Link an unknown scanned code to an item, or ask for a new item with it."""

    #: The code is linked: the scan as it resolves now (a ScanResult).
    linked = Signal(object)
    #: The person wants a new item with this code (the code to prefill).
    create_requested = Signal(str)
    #: The item list arrived (for tests).
    items_loaded = Signal(int)

    def __init__(
        self, runner: Runner, user: UserRef, result: ScanResult, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._user = user
        self.scan_result = result
        self._linking = False
        self.setWindowTitle(_("Unknown barcode"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(640, 520)

        heading = QLabel(result.message)
        heading.setProperty("role", "heading")
        heading.setWordWrap(True)
        heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        explanation = QLabel(
            _(
                "Link it to the item it belongs to, and every later scan of it finds that "
                "item. Or create a new item with this barcode."
            )
        )
        explanation.setWordWrap(True)

        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("link_search")
        self.search_edit.setPlaceholderText(_("Search by SKU or name"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.count_label = QLabel(_("Loading items…"))
        self.count_label.setProperty("role", "muted")
        self.model: RowTableModel[ItemRow] = RowTableModel(
            _item_columns(), lambda r: f"{r.sku}\n{r.name}", parent=self
        )
        self.table = make_table_view(self.model)
        self.table.setObjectName("link_items")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        set_column_widths(self.table, {0: 150, 1: 300, 2: 70}, stretch=1)
        self.pack_edit = QLineEdit("1")
        self.pack_edit.setObjectName("link_pack_qty")
        self.pack_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.pack_edit.setMaximumWidth(100)
        self.pack_edit.setToolTip(
            _("How many units one scan of this code counts, e.g. 12 for a carton.")
        )
        self.pack_error = error_label()
        self.error = error_label()

        form = QFormLayout()
        pack_box = QVBoxLayout()
        pack_box.setSpacing(2)
        pack_box.addWidget(self.pack_edit)
        pack_box.addWidget(self.pack_error)
        form.addRow(_("Units per scan"), pack_box)

        self.buttons = QDialogButtonBox()
        self.link_button = self.buttons.addButton(
            _("Link to selected item"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.link_button.setDefault(True)
        self.link_button.setEnabled(False)
        self.new_button = QPushButton(icon("add"), _("New item with this barcode…"))
        self.buttons.addButton(self.new_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.cancel_button = self.buttons.addButton(
            _("Cancel"), QDialogButtonBox.ButtonRole.RejectRole
        )

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        if result.problem and result.problem != result.message:
            problem = QLabel(result.problem)
            problem.setWordWrap(True)
            problem.setProperty("role", "muted")
            layout.addWidget(problem)
        layout.addWidget(explanation)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.count_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self.search_edit.textChanged.connect(self._filter_changed)
        self.search_edit.installEventFilter(self)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)
        self.table.doubleClicked.connect(self._double_clicked)
        self.pack_edit.textEdited.connect(lambda _text: self._show_pack_error(None))
        self.link_button.clicked.connect(self.link)
        self.new_button.clicked.connect(self._create)
        self.cancel_button.clicked.connect(self.reject)
        self.search_edit.setFocus()
        runner.run(items.list_items, False, on_done=self._show_items, on_error=self._failed,
                   owner=self)  # fmt: skip

    # --- the item list -----------------------------------------------------------------
    def _show_items(self, rows: list[ItemRow]) -> None:
        self.model.set_rows(rows)
        self._update_count()
        self.items_loaded.emit(len(rows))

    def _filter_changed(self, text: str) -> None:
        self.model.set_filter(text)
        self._update_count()
        if self.model.visible_count() == 1:
            self.table.selectRow(0)

    def _update_count(self) -> None:
        total = self.model.total_count()
        shown = self.model.visible_count()
        if not total:
            self.count_label.setText(_("There are no active items yet: create one."))
        elif shown == total:
            self.count_label.setText(
                ngettext("{n} item", "{n} items", total).format(n=fmt_count(total))
            )
        else:
            self.count_label.setText(
                ngettext("{shown} of {n} item", "{shown} of {n} items", total).format(
                    shown=fmt_count(shown), n=fmt_count(total)
                )
            )

    def selected_item(self) -> ItemRow | None:
        """The item chosen in the list, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_sku(self, sku: str) -> bool:
        """Select the item with ``sku`` if the search shows it."""
        row = self.model.find_row(lambda r: r.sku == sku)
        if row < 0:
            return False
        self.table.selectRow(row)
        return True

    def _selection_changed(self, *_args: object) -> None:
        self.link_button.setEnabled(self.selected_item() is not None and not self._linking)

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.link()

    # --- linking -----------------------------------------------------------------------
    def link(self) -> None:
        """Link the scanned code to the selected item."""
        item = self.selected_item()
        if item is None or self._linking:
            if item is None:
                self._show_error(_("Choose the item this barcode belongs to."))
            return
        self._linking = True
        self._show_error(None)
        self._show_pack_error(None)
        self.link_button.setEnabled(False)
        self._runner.run(
            scanning.link_barcode,
            self._user.id,
            int(item.id),
            self.scan_result.raw,
            self.pack_edit.text().strip() or "1",
            on_done=self._linked,
            on_error=self._link_failed,
            owner=self,
        )

    def _linked(self, result: ScanResult) -> None:
        self._linking = False
        self.linked.emit(result)
        self.accept()

    def _link_failed(self, error: HyllaError) -> None:
        self._linking = False
        self._selection_changed()
        if isinstance(error, ValidationError) and error.field == "pack_qty":
            self._show_pack_error(error.message)
        elif isinstance(error, FieldErrors) and set(error.errors) <= {"pack_qty"}:
            self._show_pack_error(error.errors["pack_qty"])
        else:
            self._show_error(error.message)

    def _failed(self, error: HyllaError) -> None:
        self.count_label.setText("")
        self._show_error(error.message)

    def _create(self) -> None:
        self.create_requested.emit(code_for_new_item(self.scan_result))
        self.accept()

    def _show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))

    def _show_pack_error(self, message: str | None) -> None:
        self.pack_error.setText(message or "")
        self.pack_error.setVisible(bool(message))
        mark_error(self.pack_edit, bool(message))

    # --- keys ----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.search_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and self.model.visible_count()
        ):
            self.table.setFocus()
            if self.selected_item() is None:
                self.table.selectRow(0)
            return True
        return super().eventFilter(watched, event)
