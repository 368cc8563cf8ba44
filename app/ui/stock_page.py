"""The Stock page: the whole warehouse's stock per bin and lot with its value, filtered
as you type, and the move history of the selected item below it. The selected stock can
be moved to another bin (Move…, Ctrl+M) or written down."""

from __future__ import annotations

from decimal import Decimal

import shiboken6
from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.services import stock
from app.services.errors import HyllaError
from app.services.scanning import ScanResult
from app.services.stock import MoveRow, WarehouseStockRow
from app.services.transfers import BinMove
from app.services.users import UserRef
from app.ui import feedback
from app.ui.formatting import fmt_date, fmt_money, fmt_qty, fmt_unit_cost
from app.ui.item_editor import move_columns, move_search_text
from app.ui.list_page import count_text, filter_field, muted_label
from app.ui.move_dialog import MoveDialog
from app.ui.runner import Runner
from app.ui.table_model import Column, RowTableModel, expired_in_red
from app.ui.widgets import ListLoader, make_table_view, set_column_widths


def stock_search_text(row: WarehouseStockRow) -> str:
    """What the stock filter looks in: SKU, name, bin and lot."""
    return "\n".join((row.sku, row.name, row.location_code, row.lot_code))


def warehouse_stock_columns() -> list[Column[WarehouseStockRow]]:
    """Columns of the warehouse stock list."""
    return [
        Column(_("SKU"), lambda r: r.sku),
        Column(_("Name"), lambda r: r.name),
        Column(_("Bin"), lambda r: r.location_code),
        Column(_("Lot"), lambda r: r.lot_code),
        Column(
            _("Expiry"),
            lambda r: fmt_date(r.expiry),
            sort_key=lambda r: r.expiry,
            tooltip=_("Expired lots are shown in red."),
        ),
        Column(
            _("Quantity"),
            lambda r: fmt_qty(r.quantity),
            sort_key=lambda r: r.quantity,
            numeric=True,
        ),
        Column(_("Unit"), lambda r: r.unit),
        Column(
            _("Unit cost"),
            lambda r: fmt_unit_cost(r.unit_cost),
            sort_key=lambda r: r.unit_cost,
            numeric=True,
            tooltip=_("The item's current cost per unit by the costing method in force."),
        ),
        Column(_("Value"), lambda r: fmt_money(r.value), sort_key=lambda r: r.value, numeric=True),
    ]


class StockPage(QWidget):
    """Stock per bin and lot; the selected item's moves underneath."""

    status_message = Signal(str)
    stock_loaded = Signal(int)
    moves_loaded = Signal(int)
    #: The user asked to open an item (double-click): the main window opens its editor.
    open_item_requested = Signal(int)
    #: "Write down…" on the selected row (a WarehouseStockRow): the Write-downs page opens.
    write_down_requested = Signal(object)
    #: Stock was moved here: other pages reload when next shown.
    data_changed = Signal()
    #: The Move dialog opened (the dialog).
    move_dialog_opened = Signal(object)

    MOVE_KEY = "Ctrl+M"

    SKU, NAME, BIN, LOT, EXPIRY, QUANTITY, UNIT, UNIT_COST, VALUE = range(9)

    def __init__(
        self, runner: Runner, user: UserRef | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        # Who moves stock; without a user the page only shows stock.
        self._user = user
        self._move_dialog: MoveDialog | None = None
        # The row (item, bin, lot) to select when the rows next arrive, after a move.
        self._select_after: tuple[int, int, int | None] | None = None
        self._loader = ListLoader(runner, stock.list_stock, self._show_rows, self)
        self._moves_for: int | None = None
        self._moves_serial = 0

        self.model: RowTableModel[WarehouseStockRow] = RowTableModel(
            warehouse_stock_columns(), stock_search_text, foreground=expired_in_red, parent=self
        )
        self.filter_edit = filter_field(
            "stock_filter", _("Filter by SKU, name, bin or lot  (Ctrl+F)"), min_width=230
        )
        self.count_label = muted_label()
        self.value_label = QLabel()
        self.value_label.setProperty("role", "heading")
        self.write_down_button = QPushButton(_("Write down…"))
        self.write_down_button.setObjectName("stock_write_down")
        self.write_down_button.setToolTip(_("Scrap the selected stock or lower its value"))
        self.write_down_button.setEnabled(False)
        self.move_button = QPushButton(_("Move…"))
        self.move_button.setObjectName("stock_move")
        self.move_button.setToolTip(
            _("Move the selected stock to another bin ({key})").format(key=self.MOVE_KEY)
        )
        self.move_button.setEnabled(False)

        self.table = make_table_view(self.model)
        self.table.setObjectName("stock_table")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(self.SKU, Qt.SortOrder.AscendingOrder)
        set_column_widths(
            self.table,
            {
                self.SKU: 140,
                self.NAME: 280,
                self.BIN: 100,
                self.LOT: 110,
                self.EXPIRY: 100,
                self.QUANTITY: 100,
                self.UNIT: 60,
                self.UNIT_COST: 100,
                self.VALUE: 110,
            },
            stretch=self.NAME,
        )
        self.moves_title = QLabel(_("Select a row to see the item's moves."))
        self.moves_title.setProperty("role", "heading")
        self.moves_model: RowTableModel[MoveRow] = RowTableModel(
            move_columns(), move_search_text, parent=self
        )
        self.moves_table = make_table_view(self.moves_model)
        self.moves_table.setObjectName("stock_moves_table")
        set_column_widths(
            self.moves_table,
            {0: 140, 1: 110, 2: 100, 3: 220, 4: 100, 5: 100, 6: 160, 7: 100},
            stretch=6,
        )
        self.empty_hint = muted_label(
            _(
                "There is no stock yet. Stock arrives with receipts or an opening-balance import: "
                "python main.py import stock FILE.csv"
            ),
            hidden=True,
            wrap=True,
        )

        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 2)
        bar.addWidget(self.count_label, 1)
        bar.addStretch(1)
        bar.addWidget(self.value_label)
        bar.addWidget(self.move_button)
        bar.addWidget(self.write_down_button)
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addLayout(bar)
        upper_layout.addWidget(self.empty_hint)
        upper_layout.addWidget(self.table, 1)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 6, 0, 0)
        lower_layout.addWidget(self.moves_title)
        lower_layout.addWidget(self.moves_table, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("stock_splitter")
        self.splitter.addWidget(upper)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.addWidget(self.splitter, 1)

        self.filter_edit.textChanged.connect(self._filter_changed)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)
        self.table.doubleClicked.connect(self._open_index)
        self.write_down_button.clicked.connect(self._write_down)
        self.move_button.clicked.connect(self.move_selected)
        # Only now that it has a parent: making a parentless widget visible opens a window.
        self.move_button.setHidden(user is None)
        if user is not None:
            QShortcut(QKeySequence(self.MOVE_KEY), self, self.move_selected)
        self._update_summary()

    # --- data ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the stock list (keeps filter and sort)."""
        self._loader.refresh()

    def activate(self) -> None:
        """The page was shown: load it if it never was, or if its data went stale."""
        self._loader.activate()

    def mark_stale(self) -> None:
        """Something changed elsewhere: reload when next shown."""
        self._loader.mark_stale()

    def _show_rows(self, rows: list[WarehouseStockRow]) -> None:
        selected = self._moves_for
        # Forget the shown item so that selecting it again reloads its (maybe new) moves.
        self._moves_for = None
        self.model.set_rows(rows)
        self.empty_hint.setVisible(not rows)
        self._update_summary()
        row = -1 if selected is None else self.model.find_row(lambda r: r.item_id == selected)
        wanted, self._select_after = self._select_after, None
        if wanted is not None:
            moved = self.model.find_row(lambda r: (r.item_id, r.location_id, r.lot_id) == wanted)
            row = moved if moved >= 0 else row
        if row >= 0:
            self.table.selectRow(row)
        else:
            self._moves_serial += 1
            self.moves_model.set_rows([])
            self.moves_title.setText(_("Select a row to see the item's moves."))
        self.stock_loaded.emit(len(rows))

    def _moves_failed(self, error: HyllaError) -> None:
        feedback.show_error(self, error.message)

    def focus_filter(self) -> None:
        """Put the cursor in the filter with its text selected (Ctrl+F)."""
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def shortcuts(self) -> list[tuple[str, str]]:
        """The keys of the Stock page, for the keyboard help (F1)."""
        keys = [
            (_("Scan"), _("A bin label shows that bin's stock; an item shows where it is")),
            (_("Double-click"), _("Open the item")),
        ]
        if self._user is not None:
            keys.append((self.MOVE_KEY, _("Move the selected stock to another bin")))
            keys.append(
                (_("Scan"), _("In the Move dialog: a bin label is the bin to move to; Enter moves"))
            )
        return keys

    def handle_scan(self, result: ScanResult) -> bool:
        """Show the stock a scan points at: a bin's stock, or an item's (in the scanned
        lot, when the code carries one and the item has stock in it). While the Move
        dialog is open, a bin label is the bin to move to."""
        dialog = self.move_dialog()
        if dialog is not None:
            if result.outcome == "bin" and result.bin_code:
                dialog.take_bin_code(result.bin_code)
                return True
            return False
        if result.outcome == "bin" and result.bin_code:
            self.filter_edit.setText(result.bin_code)
        elif result.outcome == "item" and result.sku:
            in_lot = self.model.find_row(
                lambda r: r.item_id == result.item_id and r.lot_code == result.lot
            )
            self.filter_edit.setText(
                f"{result.sku} {result.lot}" if result.lot and in_lot >= 0 else result.sku
            )
        else:
            return False
        if self.model.visible_count():
            self.table.selectRow(0)
        return True

    def _filter_changed(self, text: str) -> None:
        self.model.set_filter(text)
        self._update_summary()
        if self.model.visible_count() and self._moves_for is not None:
            row = self.model.find_row(lambda r: r.item_id == self._moves_for)
            if row >= 0:
                self.table.selectRow(row)

    def _update_summary(self) -> None:
        shown = self.model.visible_rows()
        total = self.model.total_count()
        self.count_label.setText(
            count_text(
                len(shown),
                total,
                ngettext("{n} row", "{n} rows", total),
                ngettext("{shown} of {n} row", "{shown} of {n} rows", total),
            )
        )
        value = sum((row.value for row in shown), Decimal(0))
        self.value_label.setText(_("Value: {amount}").format(amount=fmt_money(value)))

    # --- the selected item's moves ---------------------------------------------------------
    def selected_row(self) -> WarehouseStockRow | None:
        """The selected stock row, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _write_down(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.write_down_requested.emit(row)

    # --- moving stock to another bin ---------------------------------------------------------
    def move_dialog(self) -> MoveDialog | None:
        """The Move dialog, while it is open."""
        dialog = self._move_dialog
        if dialog is None or not shiboken6.isValid(dialog) or not dialog.isVisible():
            return None
        return dialog

    def move_selected(self) -> MoveDialog | None:
        """Open the Move dialog for the selected row (Move…, Ctrl+M)."""
        row = self.selected_row()
        if self._user is None or row is None or row.quantity <= 0:
            if self._user is not None:
                self.status_message.emit(_("Select the stock to move first."))
            return None
        if self.move_dialog() is not None:
            return self._move_dialog
        dialog = MoveDialog(self._runner, self._user, row, self)
        dialog.moved.connect(self._moved)
        self._move_dialog = dialog
        dialog.open()
        self.move_dialog_opened.emit(dialog)
        return dialog

    def _moved(self, result: BinMove) -> None:
        # The worker may move more of what is left; once the bin is empty, the row to
        # look at is where the goods went.
        bin_id = result.from_bin_id if result.left_in_source > 0 else result.to_bin_id
        self._select_after = (result.item_id, bin_id, result.lot_id)
        self.status_message.emit(result.message)
        self.data_changed.emit()
        self.refresh()

    def _selection_changed(self, *_args: object) -> None:
        row = self.selected_row()
        self.write_down_button.setEnabled(row is not None)
        self.move_button.setEnabled(row is not None and row.quantity > 0)
        if row is None or row.item_id == self._moves_for:
            return
        self._moves_for = row.item_id
        self._moves_serial += 1
        serial = self._moves_serial
        self.moves_title.setText(_("Moves of {sku} — {name}").format(sku=row.sku, name=row.name))

        def show(moves: list[MoveRow]) -> None:
            self._show_moves(serial, moves)

        self._runner.run(
            stock.item_moves, row.item_id, on_done=show, on_error=self._moves_failed, owner=self
        )

    def _show_moves(self, serial: int, moves: list[MoveRow]) -> None:
        # A newer selection may have asked again meanwhile; only its answer counts.
        if serial != self._moves_serial:
            return
        self.moves_model.set_rows(moves)
        self.moves_loaded.emit(len(moves))

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_item_requested.emit(self.model.row_at(index.row()).item_id)
