"""The Receiving page: goods scanned in against a purchase order, or blind, onto shelves.

Built for a worker with a scanner, reading the screen from a step away: the last scan
and the line it touched in large type, the put-away bin in force in a box of its own,
and a table of expected, received and outstanding with marks in colour *and* words
for lines over the order and items not on it. Everything works from the scanner and
the keyboard: scan the order's barcode to start, scan goods (a carton counts its pack,
a GS1 count its count), scan a bin label to change the bin, Ctrl+Z undoes the last
scan, Ctrl+Enter posts, Enter and Esc answer every question.

The page holds no state of its own worth keeping: each action goes to
:mod:`app.services.receiving` on the database worker, which saves it (every scan is
committed before the worker hears "added") and answers with the whole receipt as it
now is, which the page shows. A crash mid-receipt therefore loses nothing: on start
the receipt in progress reopens exactly where it was.

The main window hands scans to :meth:`ReceivingPage.handle_raw_scan` as raw text: the
service resolves and saves a scan in one transaction, so the window does not resolve
it first (that would cost a second round trip per scan). The page reports each result
through :attr:`ReceivingPage.feedback`, which the window shows in its banner with a sound.
"""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.models.purchasing import PurchaseOrderStatus, ReceiptStatus
from app.services import purchase_orders, receiving, suppliers
from app.services.errors import HyllaError, ValidationError
from app.services.labels import LabelKind
from app.services.purchase_orders import PurchaseOrderRow
from app.services.receiving import (
    ReceiptLine,
    ReceiptPosted,
    ReceiptSummary,
    ReceiptView,
    ScanOutcome,
    ScanStatus,
)
from app.services.suppliers import SupplierRow
from app.services.users import UserRef
from app.ui.formatting import fmt_count, fmt_date, fmt_datetime, fmt_money, fmt_qty
from app.ui.labels_dialog import LabelsDialog
from app.ui.pdf_actions import save_pdf_then_offer
from app.ui.purchase_orders_page import choose_pdf_path, suggested_pdf_path
from app.ui.receipt_dialogs import ConfirmDialog, LotDialog
from app.ui.runner import Runner
from app.ui.scan_feedback import Tone
from app.ui.scan_screen import (
    EnterTable,
    LineMark,
    MarkedLinesModel,
    MarkedRow,
    ScanScreen,
    adopt_table_setup,
    button_row,
    header_row,
    highlight_current,
    message_label,
    named_button,
    quantity_row,
    scaled_font,
    scan_column,
    set_style,
    size_buttons,
    stacked_panels,
)
from app.ui.scanner import catch_typed_codes
from app.ui.table_model import Column, RowTableModel
from app.ui.widgets import error_label, make_table_view, set_column_widths

Index = QModelIndex | QPersistentModelIndex

# Point sizes read from a step away; the rest of the window keeps the platform's size.
MESSAGE_POINT_SIZE = 20.0
CURRENT_POINT_SIZE = 17.0
BIN_POINT_SIZE = 16.0
HEADING_POINT_SIZE = 14.0
TABLE_POINT_SIZE = 13.0
PROMPT_POINT_SIZE = 20.0

# Line marks: a background and a dark text that keeps high contrast on it.
COMPLETE_BG = QColor("#c8e6c9")
OVER_BG = QColor("#ffe0b2")
BEYOND_BG = QColor("#ef9a9a")
UNORDERED_BG = QColor("#e1bee7")
CURRENT_BG = QColor("#fff59d")
DARK_TEXT = QColor("#111111")
WAITING_TEXT = QColor("#5f6b73")

# Statuses whose question the worker must answer before anything is saved: they sound
# like a problem, so a worker looking at the shelf turns to the screen.
_ASKING = frozenset({ScanStatus.NOT_ON_ORDER, ScanStatus.OVER_TOLERANCE})


def _qty_unit(value: Decimal | None, unit: str) -> str:
    return "" if value is None else f"{fmt_qty(value)} {unit}"


# --- what a line's mark says -------------------------------------------------------------


def line_mark(line: ReceiptLine, blind: bool) -> LineMark:
    """The mark of a receipt line: not on the order, over (beyond the tolerance or not),
    complete, still to come, or waiting for its first scan."""
    if not line.on_order:
        if blind:
            return LineMark(_("Received"), None)
        return LineMark(_("NOT ON ORDER"), UNORDERED_BG)
    if line.beyond_tolerance:
        return LineMark(
            _("OVER +{qty} — beyond tolerance").format(qty=fmt_qty(line.over)), BEYOND_BG
        )
    if line.is_over:
        return LineMark(_("OVER +{qty}").format(qty=fmt_qty(line.over)), OVER_BG)
    if line.outstanding == 0:
        return LineMark(_("✓ Complete"), COMPLETE_BG)
    if line.received > 0:
        return LineMark(_("{qty} to come").format(qty=fmt_qty(line.outstanding)), None)
    return LineMark(_("Waiting"), None, muted=True)


def _bins_text(line: ReceiptLine) -> str:
    codes = list(dict.fromkeys(a.bin_code for a in line.allocations))
    if not codes:
        return line.default_bin_code
    return ", ".join(codes)


def _lots_text(line: ReceiptLine) -> str:
    return ", ".join(dict.fromkeys(a.lot for a in line.allocations if a.lot))


class ReceiptLinesModel(MarkedLinesModel):
    """The lines of the receipt on screen, marked, with the current line in bold."""

    SKU, NAME, ORDERED, EARLIER, RECEIVED, OUTSTANDING, BIN, LOT, MARK = range(9)
    NUMERIC = frozenset({ORDERED, EARLIER, RECEIVED, OUTSTANDING})
    MARK_COLUMNS = frozenset({MARK})

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent, CURRENT_BG, DARK_TEXT, WAITING_TEXT)
        self._blind = False
        self.current_item: int | None = None
        self.set_columns(
            [
                _("SKU"),
                _("Item"),
                _("Ordered"),
                _("Earlier"),
                _("Received now"),
                _("Outstanding"),
                _("Bin"),
                _("Lot"),
                _("Status"),
            ],
            self.NUMERIC,
            {
                self.ORDERED: _("What the purchase order asks for."),
                self.EARLIER: _("What earlier deliveries of this order brought."),
                self.RECEIVED: _("What this receipt has counted in so far."),
                self.OUTSTANDING: _("What is still to come after this receipt."),
                self.BIN: _("Where the goods are put away."),
            },
        )

    def set_view(self, view: ReceiptView, current_item: int | None) -> None:
        """Show the lines of ``view``; ``current_item`` is drawn as the current line.

        After a scan only the lines that changed are worked out and repainted."""
        self.current_item = current_item
        old = self._rows
        if view.is_blind == self._blind and [r.line.item_id for r in old] == [
            ln.item_id for ln in view.lines
        ]:
            # The usual scan: one line's numbers change (and maybe the current line).
            for n, line in enumerate(view.lines):
                current = line.item_id == current_item
                if old[n].line == line and old[n].current == current:
                    continue
                self._rows[n] = self._row(line, current)
                self.dataChanged.emit(self.index(n, 0), self.index(n, self.MARK))
            return
        self.beginResetModel()
        self._blind = view.is_blind
        self._rows = [self._row(line, line.item_id == current_item) for line in view.lines]
        self.endResetModel()

    def _row(self, line: ReceiptLine, current: bool) -> MarkedRow:
        mark = line_mark(line, self._blind)
        texts = tuple(self._text(line, column, mark) for column in range(self.MARK + 1))
        return self.marked_row(line, current, mark, texts, tooltip=self._mark_tooltip(line))

    def row_of(self, item_id: int | None) -> int:
        """The row of ``item_id``'s line, or -1."""
        return next((n for n, row in enumerate(self._rows) if row.line.item_id == item_id), -1)

    def _text(self, line: ReceiptLine, column: int, mark: LineMark) -> str:
        if column == self.SKU:
            return line.sku
        if column == self.NAME:
            return line.name
        if column == self.ORDERED:
            return _qty_unit(line.ordered, line.unit) if line.on_order else "—"
        if column == self.EARLIER:
            return fmt_qty(line.received_before) if line.received_before else ""
        if column == self.RECEIVED:
            return _qty_unit(line.received, line.unit)
        if column == self.OUTSTANDING:
            return _qty_unit(line.outstanding, line.unit) if line.on_order else ""
        if column == self.BIN:
            return _bins_text(line)
        if column == self.LOT:
            return _lots_text(line)
        return mark.text

    def _mark_tooltip(self, line: ReceiptLine) -> str:
        if not line.on_order and not self._blind:
            return _("This item is not on the purchase order; it was received after asking.")
        if line.beyond_tolerance:
            return _("More than the tolerance over the order; it was received after asking.")
        if line.is_over:
            return _("More than ordered, within the tolerance.")
        return ""


# --- the start panel's lists ---------------------------------------------------------------


def open_receipt_columns() -> list[Column[ReceiptSummary]]:
    """Columns of the receipts in progress."""
    return [
        Column(_("Receipt"), lambda r: r.number),
        Column(_("Order"), lambda r: r.po_number or _("blind")),
        Column(_("Supplier"), lambda r: r.supplier_name),
        Column(_("Started by"), lambda r: r.started_by),
        Column(_("Started"), lambda r: fmt_datetime(r.started_at), sort_key=lambda r: r.started_at),
        Column(_("Scans"), lambda r: fmt_count(r.scans), sort_key=lambda r: r.scans, numeric=True),
    ]


def order_columns() -> list[Column[PurchaseOrderRow]]:
    """Columns of the orders goods can arrive against."""
    return [
        Column(_("Order"), lambda r: r.number),
        Column(_("Supplier"), lambda r: r.supplier_name),
        Column(_("Status"), lambda r: r.status_text),
        Column(
            _("Delivery"), lambda r: fmt_date(r.delivery_date), sort_key=lambda r: r.delivery_date
        ),
        Column(_("Lines"), lambda r: fmt_count(r.lines), sort_key=lambda r: r.lines, numeric=True),
        Column(
            _("Value"),
            lambda r: f"{fmt_money(r.total)} {r.currency}",
            sort_key=lambda r: r.total,
            numeric=True,
        ),
    ]


# Both start lists show the supplier's name in their third column.
SUPPLIER_COLUMN = 2


def _search(*parts: str) -> str:
    return "\n".join(parts)


# --- the page ----------------------------------------------------------------------------


class ReceivingPage(ScanScreen):
    """Receive goods: start, scan, answer, undo, post; then labels and the note.

    Its ``scan_done`` carries a ScanOutcome; ``dialog_opened`` the lot, confirmation or
    labels dialog."""

    MESSAGE_BORDER = 8
    # The quantity refused stays as typed, the cursor after it.
    SELECT_REFUSED_QUANTITY = False

    #: Stock and orders changed (a receipt was posted): other pages are stale.
    data_changed = Signal()
    #: The receipt on screen was shown anew (a ReceiptView) after any action.
    receipt_shown = Signal(object)
    #: The start panel's lists were loaded.
    start_loaded = Signal()
    #: A receipt was posted (a ReceiptPosted).
    posted = Signal(object)
    #: The goods-received note was saved (its path).
    note_saved = Signal(object)

    START, RECEIPT = range(2)

    def __init__(
        self,
        runner: Runner,
        user: UserRef,
        parent: QWidget | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(runner, parent)
        self._user = user
        self._settings = settings if settings is not None else QSettings()
        self.view: ReceiptView | None = None
        self.posted_result: ReceiptPosted | None = None
        #: A scan waiting for a bin label (its item has no usual bin).
        self.pending_bin: ScanOutcome | None = None
        self._current_item: int | None = None
        self._first_activation = True
        self._start_stale = True
        self._suppliers: list[SupplierRow] = []

        self.stack = stacked_panels(self, (self._build_start(), self._build_receipt()))
        self._add_keys(undo=self.undo_last_scan, finish=self.post_receipt)
        self._show_panel(self.START)

    # --- building ----------------------------------------------------------------------
    def _build_start(self) -> QWidget:
        panel = QWidget()
        self.prompt_label = QLabel(_("Scan the barcode on the purchase order to start receiving."))
        self.prompt_label.setObjectName("receiving_prompt")
        self.prompt_label.setWordWrap(True)
        self.prompt_label.setFont(scaled_font(self.font(), PROMPT_POINT_SIZE, bold=True))
        self.prompt_hint = QLabel(
            _(
                "Or pick the order below and press Enter. Goods without an order are "
                "received blind from their supplier."
            )
        )
        self.prompt_hint.setProperty("role", "muted")
        self.prompt_hint.setWordWrap(True)

        self.open_model: RowTableModel[ReceiptSummary] = RowTableModel(
            open_receipt_columns(),
            lambda r: _search(r.number, r.po_number, r.supplier_name),
            parent=self,
        )
        self.open_table = EnterTable()
        self._configure_list(self.open_table, self.open_model)
        self.open_table.setObjectName("open_receipts_table")
        self.continue_button = named_button(
            _("&Continue receipt"),
            "continue_receipt",
            _("Continue the selected receipt where it was (Enter)"),
        )
        self.open_group = QGroupBox(_("Receipts in progress"))
        open_layout = QVBoxLayout(self.open_group)
        open_layout.addWidget(self.open_table)
        open_layout.addLayout(button_row([], [self.continue_button]))

        self.orders_model: RowTableModel[PurchaseOrderRow] = RowTableModel(
            order_columns(),
            lambda r: _search(r.number, r.supplier_code, r.supplier_name),
            parent=self,
        )
        self.orders_table = EnterTable()
        self._configure_list(self.orders_table, self.orders_model)
        self.orders_table.setObjectName("receivable_orders_table")
        self.orders_filter = QLineEdit()
        self.orders_filter.setObjectName("receivable_orders_filter")
        self.orders_filter.setPlaceholderText(_("Filter by order number or supplier  (Ctrl+F)"))
        self.orders_filter.setClearButtonEnabled(True)
        self.orders_filter.textChanged.connect(self.orders_model.set_filter)
        self.receive_button = named_button(
            _("&Receive this order"),
            "receive_order",
            _("Start receiving the selected order (Enter)"),
        )
        self.no_orders_label = QLabel(
            _("No order is waiting for goods. Send an order on the Purchase orders page first.")
        )
        self.no_orders_label.setProperty("role", "muted")
        self.no_orders_label.hide()
        orders_group = QGroupBox(_("Orders waiting for goods"))
        orders_layout = QVBoxLayout(orders_group)
        orders_layout.addWidget(self.orders_filter)
        orders_layout.addWidget(self.no_orders_label)
        orders_layout.addWidget(self.orders_table, 1)
        orders_layout.addLayout(button_row([], [self.receive_button]))

        self.supplier_combo = QComboBox()
        self.supplier_combo.setObjectName("blind_supplier")
        self.supplier_combo.setMinimumWidth(320)
        self.blind_button = named_button(
            _("Start &blind receipt"),
            "start_blind",
            _("Receive goods that came without a purchase order"),
        )
        blind_group = QGroupBox(_("Blind receipt (no order)"))
        blind_layout = QHBoxLayout(blind_group)
        blind_layout.addWidget(QLabel(_("Supplier:")))
        blind_layout.addWidget(self.supplier_combo, 1)
        blind_layout.addWidget(self.blind_button)
        self.start_error = error_label()

        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.prompt_label)
        column.addWidget(self.prompt_hint)
        column.addWidget(self.start_error)
        column.addWidget(self.open_group)
        column.addWidget(orders_group, 1)
        column.addWidget(blind_group)

        self.continue_button.clicked.connect(self.continue_selected)
        self.open_table.activated_by_key.connect(self.continue_selected)
        self.open_table.doubleClicked.connect(lambda _i: self.continue_selected())
        self.receive_button.clicked.connect(self.receive_selected)
        self.orders_table.activated_by_key.connect(self.receive_selected)
        self.orders_table.doubleClicked.connect(lambda _i: self.receive_selected())
        self.blind_button.clicked.connect(self.start_blind)
        return panel

    def _configure_list(self, view: QTableView, model: RowTableModel[Any]) -> None:
        adopt_table_setup(view, model)
        view.setAlternatingRowColors(True)
        view.setShowGrid(False)
        view.setWordWrap(False)
        view.verticalHeader().setVisible(False)
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 12)
        header = view.horizontalHeader()
        for column in range(model.columnCount()):
            header.resizeSection(column, 110)
        # The supplier's name takes the room that is left.
        header.setSectionResizeMode(SUPPLIER_COLUMN, QHeaderView.ResizeMode.Stretch)
        view.setSortingEnabled(True)

    def _build_receipt(self) -> QWidget:
        panel = QWidget()
        self.title_label = QLabel()
        self.title_label.setObjectName("receipt_title")
        self.title_label.setFont(scaled_font(self.font(), HEADING_POINT_SIZE, bold=True))
        self.title_label.setWordWrap(True)
        self.count_label = QLabel()
        self.count_label.setObjectName("receipt_count")
        self.count_label.setFont(scaled_font(self.font(), HEADING_POINT_SIZE))

        self.bin_label = QLabel()
        self.bin_label.setObjectName("receipt_bin")
        self.bin_label.setFont(scaled_font(self.font(), BIN_POINT_SIZE, bold=True))
        self.bin_label.setToolTip(
            _("Scan a bin label to put the next goods there; Usual bins goes back.")
        )
        self.usual_bins_button = named_button(
            _("&Usual bins"),
            "usual_bins",
            _("Put the next goods in each item's usual bin again (Alt+U)"),
        )
        self.bin_frame = QFrame()
        self.bin_frame.setObjectName("receipt_bin_frame")
        bin_row = QHBoxLayout(self.bin_frame)
        bin_row.setContentsMargins(10, 6, 10, 6)
        bin_row.addWidget(self.bin_label, 1)
        bin_row.addWidget(self.usual_bins_button)

        self.message_label = message_label("receipt_message", self.font(), MESSAGE_POINT_SIZE, 56)
        self.current_label = QLabel()
        self.current_label.setObjectName("receipt_current")
        self.current_label.setWordWrap(True)
        self.current_label.setFont(scaled_font(self.font(), CURRENT_POINT_SIZE))

        self.lines_model = ReceiptLinesModel(self)
        self.lines_table = make_table_view(self.lines_model)
        self.lines_table.setObjectName("receipt_lines")
        # A scan the scanner filter took for typing arrives here whole, not lost.
        self.typed_codes = catch_typed_codes(self.lines_table)
        self.lines_table.setFont(scaled_font(self.font(), TABLE_POINT_SIZE))
        self.lines_table.verticalHeader().setDefaultSectionSize(
            self.lines_table.fontMetrics().height() + 14
        )
        # The selected line is the current one (the last scanned): drawn in the current
        # line's yellow with dark text, never the platform's blue, also without focus.
        highlight_current(self.lines_table, CURRENT_BG, DARK_TEXT)
        model = self.lines_model
        set_column_widths(
            self.lines_table,
            {
                model.SKU: 115,
                model.NAME: 240,
                model.ORDERED: 90,
                model.EARLIER: 70,
                model.RECEIVED: 115,
                model.OUTSTANDING: 110,
                model.BIN: 85,
                model.LOT: 90,
                model.MARK: 190,
            },
            stretch=model.NAME,
        )

        self.qty_edit = QLineEdit()
        self.qty_edit.setObjectName("receipt_quantity")
        self.qty_edit.setPlaceholderText(_("Quantity"))
        self.qty_edit.setMaximumWidth(140)
        self.qty_edit.setFont(scaled_font(self.font(), TABLE_POINT_SIZE))
        self.qty_edit.setToolTip(
            _("Type a quantity of the selected line's item and press Enter (for torn labels)")
        )
        self.qty_item_label = QLabel()
        self.qty_item_label.setObjectName("receipt_quantity_item")
        self.qty_button = named_button(
            _("&Add"), "receipt_add_quantity", _("Add the typed quantity (Enter in the field)")
        )
        self.qty_error = error_label()

        self.undo_button = named_button(
            _("Undo last scan"),
            "receipt_undo",
            _("Take back the last scan, typed quantity or bin (Ctrl+Z)"),
        )
        self.post_button = named_button(
            _("Post receipt"),
            "receipt_post",
            _("Put everything received on the shelves and update the order (Ctrl+Enter)"),
        )
        self.post_button.setFont(scaled_font(self.font(), TABLE_POINT_SIZE, bold=True))
        self.leave_button = named_button(
            _("&Leave for now"),
            "receipt_leave",
            _("Back to the list; the receipt stays saved and can be continued (Alt+L)"),
        )
        self.cancel_button = named_button(
            _("Cancel receipt…"),
            "receipt_cancel",
            _("Drop this receipt without putting anything on the shelves"),
        )
        self.labels_button = named_button(
            _("Print &labels…"), "receipt_labels", _("Labels for the items that came in (Alt+L)")
        )
        self.note_button = named_button(
            _("Save goods-received &note…"),
            "receipt_note",
            _("The goods-received note as PDF (Alt+N)"),
        )
        self.next_button = named_button(
            _("Next &delivery"),
            "receipt_next",
            _("Back to the list of orders; or scan the next order's barcode (Alt+D)"),
        )
        size_buttons((self.undo_button, self.leave_button, self.cancel_button), 34)
        size_buttons((self.post_button, self.labels_button, self.note_button, self.next_button), 40)

        self.qty_row = QWidget()
        self.qty_row.setLayout(
            quantity_row(_("Quantity:"), self.qty_edit, self.qty_item_label, self.qty_button)
        )
        scan_column(
            panel,
            header_row(self.title_label, self.count_label),
            self.bin_frame,
            self.message_label,
            self.current_label,
            (self.lines_table, 1),
            self.qty_row,
            self.qty_error,
            button_row(
                [self.undo_button, self.leave_button, self.cancel_button],
                [self.labels_button, self.note_button, self.next_button, self.post_button],
            ),
        )

        self.usual_bins_button.clicked.connect(self.use_usual_bins)
        self.qty_edit.returnPressed.connect(self.add_typed_quantity)
        self.qty_button.clicked.connect(self.add_typed_quantity)
        self.undo_button.clicked.connect(self.undo_last_scan)
        self.post_button.clicked.connect(self.post_receipt)
        self.leave_button.clicked.connect(self.leave_receipt)
        self.cancel_button.clicked.connect(self.cancel_receipt)
        self.labels_button.clicked.connect(self.print_labels)
        self.note_button.clicked.connect(self.save_note)
        self.next_button.clicked.connect(self.leave_receipt)
        self.lines_table.selectionModel().selectionChanged.connect(self._line_selected)
        return panel

    # --- page protocol -----------------------------------------------------------------
    def activate(self) -> None:
        """The page was shown: reopen the receipt in progress, or load the start lists."""
        if self.view is not None and self.view.is_open:
            self.reload()
            return
        if self._first_activation or self._start_stale or self.view is None:
            self.load_start()

    def refresh(self) -> None:
        """Reload what is on screen (F5)."""
        if self.view is not None and self.view.is_open:
            self.reload()
        else:
            self.load_start()

    def mark_stale(self) -> None:
        """Orders changed elsewhere: reload the start lists when next shown."""
        self._start_stale = True

    def shortcuts(self) -> list[tuple[str, str]]:
        """The keys of receiving, for the keyboard help (F1)."""
        return [
            (
                _("Scan"),
                _(
                    "The order's barcode starts its receipt; goods count in; "
                    "a bin label changes the bin"
                ),
            ),
            ("Ctrl+Z", _("Undo the last scan")),
            ("Ctrl+Enter", _("Post the receipt")),
            ("Ctrl+F", _("The order filter, or the quantity field on a receipt")),
            (_("Enter / Esc"), _("Answer a question: yes / no")),
        ]

    def focus_filter(self) -> None:
        """Ctrl+F: the order filter on the start panel, the quantity field on a receipt."""
        if self.stack.currentIndex() == self.START:
            self.orders_filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.orders_filter.selectAll()
        else:
            self.qty_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _show_panel(self, index: int) -> None:
        self.stack.setCurrentIndex(index)

    # --- the start panel -----------------------------------------------------------------
    def load_start(self) -> None:
        """Load the receipts in progress, the orders waiting for goods and the suppliers."""
        self._start_stale = False
        self._runner.run(
            receiving.open_receipts,
            on_done=self._open_loaded,
            on_error=self._start_failed,
            owner=self,
        )

    def _open_loaded(self, rows: list[ReceiptSummary]) -> None:
        self.open_model.set_rows(rows)
        self.open_group.setVisible(bool(rows))
        first = self._first_activation
        self._first_activation = False
        if first and len(rows) == 1 and self.view is None:
            # A receipt left open (closed window, crash, power cut) carries on at once.
            self.continue_receipt(rows[0].id, announce=True)
        self._runner.run(
            purchase_orders.list_purchase_orders,
            on_done=self._orders_loaded,
            on_error=self._start_failed,
            owner=self,
        )

    def _orders_loaded(self, rows: list[PurchaseOrderRow]) -> None:
        waiting = [
            r
            for r in rows
            if r.status in (PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTLY_RECEIVED)
        ]
        self.orders_model.set_rows(waiting)
        self.no_orders_label.setVisible(not waiting)
        self._runner.run(
            suppliers.list_suppliers,
            False,
            on_done=self._suppliers_loaded,
            on_error=self._start_failed,
            owner=self,
        )

    def _suppliers_loaded(self, rows: list[SupplierRow]) -> None:
        chosen = self.supplier_combo.currentData()
        self._suppliers = rows
        self.supplier_combo.clear()
        for row in rows:
            self.supplier_combo.addItem(f"{row.code} — {row.name}", row.id)
        index = self.supplier_combo.findData(chosen)
        self.supplier_combo.setCurrentIndex(max(index, 0))
        self.blind_button.setEnabled(bool(rows))
        if self.stack.currentIndex() == self.START:
            table = self.open_table if self.open_model.visible_count() else self.orders_table
            if table.model().rowCount() and not table.selectionModel().hasSelection():
                table.selectRow(0)
            table.setFocus()
        self.start_loaded.emit()

    def _start_failed(self, error: HyllaError) -> None:
        self.start_error.setText(error.message)
        self.start_error.show()

    def continue_selected(self) -> None:
        """Continue the receipt selected in "Receipts in progress"."""
        rows = self.open_table.selectionModel().selectedRows()
        if not rows:
            self.status_message.emit(_("Select the receipt to continue."))
            return
        self.continue_receipt(self.open_model.row_at(rows[0].row()).id)

    def receive_selected(self) -> None:
        """Start (or continue) receiving the order selected in the list."""
        rows = self.orders_table.selectionModel().selectedRows()
        if not rows:
            self.status_message.emit(_("Select the order the goods came with."))
            return
        self.receive_order(self.orders_model.row_at(rows[0].row()).id)

    def receive_order(self, po_id: int) -> None:
        """Start receiving order ``po_id`` (its receipt in progress reopens, if any)."""
        self._runner.run(
            receiving.start_receipt,
            self._user.id,
            po_id=po_id,
            on_done=lambda view: self._started(view, None),
            on_error=self._start_refused,
            owner=self,
        )

    def start_blind(self) -> None:
        """Start a receipt without an order from the supplier chosen."""
        supplier_id = self.supplier_combo.currentData()
        if supplier_id is None:
            self._start_refused(ValidationError(_("Choose the supplier the goods came from.")))
            return
        self._runner.run(
            receiving.start_receipt,
            self._user.id,
            supplier_id=int(supplier_id),
            on_done=lambda view: self._started(view, None),
            on_error=self._start_refused,
            owner=self,
        )

    def continue_receipt(self, receipt_id: int, announce: bool = False) -> None:
        """Open receipt ``receipt_id`` where it was."""

        def shown(view: ReceiptView) -> None:
            self._started(view, None)
            if announce and view.is_open:
                text = ngettext(
                    "Continuing receipt {number}: {n} scan so far.",
                    "Continuing receipt {number}: {n} scans so far.",
                    view.scan_count,
                ).format(number=view.number, n=fmt_count(view.scan_count))
                self._say(Tone.INFO, text, view.last_message, None)
                self.status_message.emit(text)

        self._runner.run(
            receiving.get_receipt,
            receipt_id,
            on_done=shown,
            on_error=self._start_refused,
            owner=self,
        )

    def _start_refused(self, error: HyllaError) -> None:
        self._say(Tone.PROBLEM, error.message, "", None)
        if self.stack.currentIndex() == self.START:
            self.start_error.setText(error.message)
            self.start_error.show()

    def _started(self, view: ReceiptView, since: float | None) -> None:
        self.posted_result = None
        self.pending_bin = None
        self.start_error.hide()
        self._current_item = view.last_scan.item_id if view.last_scan else None
        if not view.is_open:
            # Posted or cancelled meanwhile (from another workstation): nothing to scan.
            self._start_refused(
                ValidationError(
                    _("Receipt {number} is {status}.").format(
                        number=view.number, status=view.status_text.lower()
                    )
                )
            )
            self.load_start()
            return
        if since is not None:
            title = (
                _("Receiving order {po}").format(po=view.po_number)
                if view.po_number
                else _("Blind receipt {number}").format(number=view.number)
            )
            self._say(Tone.SUCCESS, title, view.supplier_name, since)
        self._show_view(view, view.last_message, Tone.INFO)
        self._show_panel(self.RECEIPT)
        self.lines_table.setFocus()

    # --- scans -------------------------------------------------------------------------
    def handle_raw_scan(self, text: str, since: float | None = None) -> None:
        """A scan as the scanner sent it: on a receipt, count it in (or change the bin);
        otherwise it should be an order's barcode, which starts its receipt."""
        if since is None:
            since = time.perf_counter()
        view = self.view
        if view is None or not view.is_open or self.stack.currentIndex() == self.START:
            self._runner.run(
                receiving.start_receipt_from_scan,
                self._user.id,
                text,
                on_done=lambda started: self._started(started, since),
                on_error=lambda error: self._start_scan_failed(error, since),
                owner=self,
            )
            return
        self._runner.run(
            receiving.add_scan,
            view.id,
            text,
            self._user.id,
            on_done=lambda outcome: self.show_outcome(outcome, since, text),
            on_error=lambda error: self._action_failed(error, since),
            owner=self,
        )

    def _start_scan_failed(self, error: HyllaError, since: float) -> None:
        self._say(
            Tone.PROBLEM,
            _("Start a receipt first"),
            error.message
            + " "
            + _("Scan the barcode on the purchase order, or pick the order in the list."),
            since,
        )

    def show_outcome(self, outcome: ScanOutcome, since: float | None = None, raw: str = "") -> None:
        """Show what a scan (or typed quantity, undo, answer) did, then ask what it needs."""
        status = outcome.status
        if outcome.saved:
            tone = Tone.WARNING if outcome.warning else Tone.SUCCESS
        elif status is ScanStatus.NEEDS_DETAILS or (
            status is ScanStatus.ORDER and outcome.po_id == outcome.receipt.po_id
        ):
            tone = Tone.INFO
        else:
            tone = Tone.PROBLEM
        detail = self._detail(outcome)
        if outcome.warning:
            detail = f"{outcome.warning}  ·  {detail}" if detail else outcome.warning
        self._say(tone, outcome.message, detail, since)
        if outcome.item_id is not None and status is not ScanStatus.UNDONE:
            self._current_item = outcome.item_id
        elif status is ScanStatus.UNDONE:
            last = outcome.receipt.last_scan
            self._current_item = last.item_id if last else outcome.item_id
        self._show_view(outcome.receipt, outcome.message, tone)
        self.scan_done.emit(outcome)
        self._follow_up(outcome, raw)

    def _detail(self, outcome: ScanOutcome) -> str:
        line = next((ln for ln in outcome.receipt.lines if ln.item_id == outcome.item_id), None)
        if line is None or outcome.status in _ASKING:
            return outcome.sku and _("SKU {sku}").format(sku=outcome.sku)
        return _current_text(line, outcome.receipt.is_blind)

    def _follow_up(self, outcome: ScanOutcome, raw: str) -> None:
        status = outcome.status
        if status is ScanStatus.ADDED:
            self.pending_bin = None
        elif status is ScanStatus.BIN and self.pending_bin is not None:
            # The bin label the earlier scan waited for: it goes there now.
            waiting, self.pending_bin = self.pending_bin, None
            assert waiting.pending is not None
            self._complete(waiting, bin_id=outcome.bin_id)
        elif status is ScanStatus.NEEDS_DETAILS:
            if outcome.needs_lot or outcome.needs_expiry:
                self._ask_lot(outcome)
            elif outcome.needs_bin:
                self.pending_bin = outcome
        elif status is ScanStatus.NOT_ON_ORDER:
            self._ask(
                outcome,
                _("Not on the order"),
                _("Receive it anyway"),
                _("No, set it aside"),
                add_unordered=True,
            )
        elif status is ScanStatus.OVER_TOLERANCE:
            self._ask(
                outcome,
                _("More than ordered"),
                _("Receive it anyway"),
                _("No, do not receive"),
                confirm_over=True,
            )
        elif status is ScanStatus.UNKNOWN:
            self._offer_link(raw)

    def _ask(
        self,
        outcome: ScanOutcome,
        title: str,
        yes: str,
        no: str,
        *,
        confirm_over: bool = False,
        add_unordered: bool = False,
    ) -> ConfirmDialog:
        dialog = ConfirmDialog(
            title,
            outcome.message,
            yes,
            no,
            default_yes=False,
            detail=_("Enter or Esc: do not receive. To receive it, press Tab, then Enter."),
            parent=self.window(),
        )
        dialog.setObjectName("not_on_order_dialog" if add_unordered else "over_dialog")

        def answered(result: int) -> None:
            if result:
                self._complete(outcome, confirm_over=confirm_over, add_unordered=add_unordered)
            else:
                self._declined(outcome)

        dialog.finished.connect(answered)
        self._open_dialog(dialog)
        return dialog

    def _declined(self, outcome: ScanOutcome) -> None:
        text = _("Not received: {name}").format(name=outcome.name)
        self._say(Tone.INFO, text, _("Nothing of that scan was saved."), None)
        self.message_label.setText(text)
        self._set_message_tone(Tone.INFO)

    def _ask_lot(self, outcome: ScanOutcome) -> LotDialog:
        assert self.view is not None
        dialog = LotDialog(self._runner, self._user, self.view.id, outcome, self.window())
        dialog.completed.connect(lambda done: self.show_outcome(done))

        def closed(result: int) -> None:
            if not result:
                self._declined(outcome)

        dialog.finished.connect(closed)
        self._open_dialog(dialog)
        return dialog

    def _focus_after_dialog(self) -> None:
        if self.stack.currentIndex() == self.RECEIPT and self.view is not None:
            # An open receipt takes scans at its table; a posted one offers its note.
            (self.lines_table if self.view.is_open else self.note_button).setFocus()

    def _complete(self, outcome: ScanOutcome, **answer: Any) -> None:
        assert outcome.pending is not None and self.view is not None
        self._runner.run(
            receiving.complete_scan,
            self.view.id,
            outcome.pending,
            self._user.id,
            on_done=self.show_outcome,
            on_error=lambda error: self._action_failed(error, None),
            owner=self,
            **answer,
        )

    def reload(self) -> None:
        """Read the receipt on screen again: it may have changed elsewhere (posted,
        cancelled, its order cancelled)."""
        if self.view is None:
            return
        receipt_id = self.view.id

        def shown(view: ReceiptView) -> None:
            if view.is_open:
                self._show_view(view, self.message_label.text() or view.last_message, None)
            elif self.posted_result is None or self.posted_result.receipt_id != view.id:
                self.view = view
                self.load_start()
                self._show_panel(self.START)

        self._runner.run(receiving.get_receipt, receipt_id, on_done=shown, owner=self)

    # --- showing the receipt ---------------------------------------------------------------
    def _show_view(self, view: ReceiptView, message: str, tone: Tone | None) -> None:
        self.view = view
        po = _("order {po}").format(po=view.po_number) if view.po_number else _("blind, no order")
        self.title_label.setText(
            _("Receipt {number} — {po} — {supplier}").format(
                number=view.number, po=po, supplier=view.supplier_name
            )
        )
        self.count_label.setText(
            ngettext("{n} scan", "{n} scans", view.scan_count).format(n=fmt_count(view.scan_count))
        )
        if view.current_bin_code:
            self.bin_label.setText(
                _("Put away in bin {code} (scanned)").format(code=view.current_bin_code)
            )
            set_style(
                self.bin_frame,
                "QFrame#receipt_bin_frame { background: #fff3e0; border: 3px solid #e65100;"
                " border-radius: 6px; } QLabel { color: #bf360c; }",
            )
        else:
            self.bin_label.setText(_("Put away in each item's usual bin"))
            set_style(
                self.bin_frame,
                "QFrame#receipt_bin_frame { background: #eceff1; border: 1px solid #90a4ae;"
                " border-radius: 6px; } QLabel { color: #263238; }",
            )
        self.usual_bins_button.setVisible(bool(view.current_bin_code) and view.is_open)
        self.message_label.setText(message or _("Scan the goods."))
        self._set_message_tone(tone)
        self.lines_model.set_view(view, self._current_item)
        row = self.lines_model.row_of(self._current_item)
        if row >= 0:
            self.lines_table.selectRow(row)
            self.lines_table.scrollTo(self.lines_model.index(row, 0))
        self._update_current()
        editable = view.is_open
        # Earlier deliveries and lots get a column only when a line has them.
        self.lines_table.setColumnHidden(
            self.lines_model.EARLIER, not any(ln.received_before for ln in view.lines)
        )
        self.lines_table.setColumnHidden(
            self.lines_model.LOT,
            not any(ln.lot_tracked or ln.expiry_required for ln in view.lines),
        )
        for widget in (self.qty_row, self.cancel_button, self.leave_button, self.bin_frame):
            widget.setVisible(editable)
        if not editable:
            self.qty_error.hide()
        self.undo_button.setVisible(editable)
        self.undo_button.setEnabled(view.can_undo)
        self.post_button.setVisible(editable)
        self.post_button.setEnabled(view.scan_count > 0)
        done = view.status is ReceiptStatus.POSTED
        for widget in (self.labels_button, self.note_button, self.next_button):
            widget.setVisible(done)
        self.receipt_shown.emit(view)

    def _update_current(self) -> None:
        view = self.view
        line = None
        selected = self.lines_table.selectionModel().selectedRows() if view else []
        if selected:
            line = self.lines_model.line_at(selected[0].row())
        elif self._current_item is not None:
            row = self.lines_model.row_of(self._current_item)
            line = self.lines_model.line_at(row) if row >= 0 else None
        if line is None or view is None:
            self.current_label.setText(
                _("Scan an item: one scan is one unit, a carton code counts its pack.")
            )
            self.qty_item_label.setText(_("Select a line to type a quantity for it."))
            return
        self.current_label.setText(
            f"<b>{_html(line.sku)}  {_html(line.name)}</b><br>"
            + _html(_current_text(line, view.is_blind))
        )
        self.qty_item_label.setText(
            _("of {sku} {name} ({unit})").format(sku=line.sku, name=line.name, unit=line.unit)
        )

    def _line_selected(self, *_args: object) -> None:
        self._update_current()

    def selected_line(self) -> ReceiptLine | None:
        """The line selected in the table (the current line after a scan)."""
        rows = self.lines_table.selectionModel().selectedRows()
        return self.lines_model.line_at(rows[0].row()) if rows else None

    # --- the worker's other actions --------------------------------------------------------
    def add_typed_quantity(self) -> None:
        """Add the quantity typed for the selected line's item."""
        view = self.view
        line = self.selected_line()
        if view is None or not view.is_open:
            return
        if line is None:
            self._qty_problem(_("Select the line the quantity is for."))
            return
        text = self.qty_edit.text()
        if not text.strip():
            self._qty_problem(_("Type how many came, then press Enter."))
            return
        self._send_quantity(receiving.add_quantity, view.id, line.item_id, text, self._user.id)

    def undo_last_scan(self) -> None:
        """Undo the last scan, typed quantity or bin change (Ctrl+Z)."""
        view = self.view
        if view is None or not view.is_open or self.stack.currentIndex() != self.RECEIPT:
            return
        self.pending_bin = None
        self._run_action(
            receiving.undo_last_scan, view.id, self._user.id, on_done=self.show_outcome
        )

    def use_usual_bins(self) -> None:
        """Put the next goods in each item's usual bin again."""
        view = self.view
        if view is None or not view.is_open:
            return
        self._run_action(receiving.set_bin, view.id, self._user.id, None, on_done=self.show_outcome)

    def leave_receipt(self) -> None:
        """Back to the start lists; an open receipt stays saved for later."""
        if self.view is not None and self.view.is_open:
            self.status_message.emit(
                _("Receipt {number} is saved; continue it from the list.").format(
                    number=self.view.number
                )
            )
        self.pending_bin = None
        self.view = None
        self.posted_result = None
        self._show_panel(self.START)
        self.load_start()

    def cancel_receipt(self) -> ConfirmDialog | None:
        """Drop the receipt on screen after asking (nothing goes on the shelves)."""
        view = self.view
        if view is None or not view.is_open:
            return None
        dialog = ConfirmDialog(
            _("Cancel receipt"),
            _("Cancel receipt {number}? Its {n} scans are not put on the shelves.").format(
                number=view.number, n=fmt_count(view.scan_count)
            ),
            _("Cancel the receipt"),
            _("Keep it"),
            default_yes=False,
            parent=self.window(),
        )
        self._ask_then_run(
            dialog, receiving.cancel_receipt, view.id, self._user.id, on_done=self._cancelled
        )
        return dialog

    def _cancelled(self, view: ReceiptView) -> None:
        self._say(Tone.INFO, _("Receipt {number} cancelled.").format(number=view.number), "", None)
        self.view = None
        self._show_panel(self.START)
        self.load_start()

    # --- posting -----------------------------------------------------------------------
    def post_receipt(self) -> ConfirmDialog | None:
        """Ask, with what came in and what stays outstanding, then post (Ctrl+Enter)."""
        view = self.view
        if view is None or not view.is_open or self.stack.currentIndex() != self.RECEIPT:
            return None
        if not view.scan_count:
            self._say(
                Tone.PROBLEM,
                _("Nothing has been received yet: scan the goods first."),
                "",
                None,
            )
            return None
        dialog = ConfirmDialog(
            _("Post receipt"),
            _("Post receipt {number} and put the goods on the shelves?").format(number=view.number),
            _("Post"),
            _("Not yet"),
            default_yes=True,
            detail=post_summary(view),
            parent=self.window(),
        )
        dialog.setObjectName("post_dialog")
        self._ask_then_run(
            dialog,
            receiving.post_receipt,
            view.id,
            self._user.id,
            on_done=self._posted,
            disable=self.post_button,
        )
        return dialog

    def _posted(self, result: ReceiptPosted) -> None:
        self.posted_result = result
        self._say(Tone.SUCCESS, result.message, "", None)
        self.status_message.emit(result.message)
        self.data_changed.emit()
        self._start_stale = True

        def shown(view: ReceiptView) -> None:
            message = result.message
            if result.backorder:
                message += " " + ngettext(
                    "{n} line stays on backorder.",
                    "{n} lines stay on backorder.",
                    len(result.backorder),
                ).format(n=len(result.backorder))
            self._show_view(view, message, Tone.SUCCESS)
            self.note_button.setFocus()
            self.posted.emit(result)

        self._runner.run(receiving.get_receipt, result.receipt_id, on_done=shown, owner=self)

    def print_labels(self) -> LabelsDialog | None:
        """Labels for the items that came in on the posted receipt."""
        result = self.posted_result
        if result is None:
            return None
        item_ids = list(dict.fromkeys(label.item_id for label in result.labels))
        # Lot labels for the lots that came in, not for every older lot still in stock.
        received_lots = list(dict.fromkeys(label.lot for label in result.labels if label.lot))
        dialog = LabelsDialog(
            self._runner,
            LabelKind.ITEMS,
            item_ids,
            self.window(),
            settings=self._settings,
            lot_codes=received_lots,
        )
        if any(label.lot for label in result.labels):
            # Lot labels carry lot and expiry in GS1-128: what lot-tracked goods need.
            lots = dialog.kind_combo.findData(LabelKind.LOTS)
            if lots >= 0 and all(label.lot for label in result.labels):
                dialog.kind_combo.setCurrentIndex(lots)
        self._open_dialog(dialog)
        return dialog

    def save_note(self) -> None:
        """Save the goods-received note of the posted receipt as PDF, then offer to open it."""
        result = self.posted_result
        if result is None:
            return
        suggested = suggested_pdf_path(self._settings, result.number)
        path = choose_pdf_path(self, _("Save goods-received note"), suggested)
        if path is None:
            return
        save_pdf_then_offer(
            self,
            self._runner,
            self._settings,
            path,
            receiving.goods_received_pdf,
            result.receipt_id,
            saved=self._note_written,
            title=_("Goods-received note saved"),
            question=_("The goods-received note is saved in {path}. Open it now?"),
        )

    def _note_written(self, path: Path) -> None:
        self.status_message.emit(_("Goods-received note saved: {path}").format(path=path))
        self.note_saved.emit(path)


def post_summary(view: ReceiptView) -> str:
    """What posting ``view`` will do, in a few lines for the confirmation."""
    lines_in = [ln for ln in view.lines if ln.received > 0]
    if len(lines_in) == 1:
        # One line has one unit: "1 pack", not "1 units".
        (only,) = lines_in
        received = _("1 line received: {qty} {unit}.").format(
            qty=fmt_qty(only.received), unit=only.unit
        )
    else:
        # Lines in different units add up to a count of units, never 1 of them.
        received = _("{n} lines received, {qty} units in all.").format(
            n=len(lines_in), qty=fmt_qty(view.total_received)
        )
    parts = [received]
    outstanding = [ln for ln in view.lines if ln.on_order and ln.outstanding > 0]
    over = [ln for ln in view.lines if ln.is_over]
    unordered = [ln for ln in view.lines if not ln.on_order and not view.is_blind]
    if view.is_blind:
        pass
    elif not outstanding:
        parts.append(_("Everything ordered has come."))
    else:
        shown = ", ".join(f"{ln.sku} {fmt_qty(ln.outstanding)} {ln.unit}" for ln in outstanding[:5])
        more = len(outstanding) - 5
        if more > 0:
            shown += " " + _("and {n} more").format(n=more)
        parts.append(
            ngettext(
                "{n} line stays outstanding on backorder: {lines}.",
                "{n} lines stay outstanding on backorder: {lines}.",
                len(outstanding),
            ).format(n=len(outstanding), lines=shown)
        )
    if over:
        parts.append(
            ngettext(
                "{n} line is more than ordered.", "{n} lines are more than ordered.", len(over)
            ).format(n=len(over))
        )
    if unordered:
        parts.append(
            ngettext(
                "{n} item is not on the order.", "{n} items are not on the order.", len(unordered)
            ).format(n=len(unordered))
        )
    return "\n".join(parts)


def _current_text(line: ReceiptLine, blind: bool) -> str:
    if not line.on_order:
        text = _("{qty} {unit} received").format(qty=fmt_qty(line.received), unit=line.unit)
        return text if blind else text + " · " + _("not on the order")
    assert line.ordered is not None
    text = _("{received} of {ordered} {unit} received").format(
        received=fmt_qty(line.received_before + line.received),
        ordered=fmt_qty(line.ordered),
        unit=line.unit,
    )
    if line.is_over:
        return text + " · " + _("{qty} over").format(qty=fmt_qty(line.over))
    if line.outstanding:
        return text + " · " + _("{qty} to come").format(qty=fmt_qty(line.outstanding))
    return text + " · " + _("complete")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
