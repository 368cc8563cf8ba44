"""The Picking page: an order's goods taken off the shelves by scanning, then shipped.

Built like the receiving and counting screens for a worker with a scanner who reads the
screen from a step away: the bin being picked from in a large yellow box, the last
scan's result in large type in its colour (green done, red refused), and the order's
lines with where to take each, how many, and a mark in colour *and* words.

Everything works from the scanner and the keyboard: scan the order number on the pick
list (or pick the order in the list and press Enter) to start; scan a bin label, then
the goods (a carton code counts its pack); a wrong item, or a lot past its expiry, is
refused, red with the error sound, and nothing is saved. Expired lots are never suggested;
a line with only expired stock is marked so, in red, with what to do. The quantity field
(Alt+Q) picks a typed quantity of the selected line from the bin; Alt+S reports a short
pick with its reason; Ctrl+Z undoes the last pick; Ctrl+Enter ships what is picked, and
the delivery note is offered.

Each action goes to :mod:`app.services.picking` on the database worker, which saves it
as it happens and answers with the whole pick as it now is; the screen only shows that.
A pick left half-way continues exactly where it was.
"""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSettings, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.models.orders import OrderStatus, ShortReason
from app.services import orders, picking, shipping
from app.services.errors import HyllaError
from app.services.orders import OrderRow
from app.services.picking import PickLineView, PickOutcome, PickStatus, PickView
from app.services.shipping import ShipmentPosted
from app.services.users import UserRef
from app.ui.field_errors import show_field_errors
from app.ui.formatting import fmt_count, fmt_date, fmt_qty, fmt_qty_edit
from app.ui.pdf_actions import save_pdf_then_offer
from app.ui.pick_dialogs import PickLotDialog
from app.ui.purchase_orders_page import choose_pdf_path, suggested_pdf_path
from app.ui.receipt_dialogs import ConfirmDialog
from app.ui.runner import Runner
from app.ui.scan_feedback import Tone
from app.ui.scan_screen import (
    EnterTable,
    LineMark,
    MarkedLinesModel,
    MarkedRow,
    ScanScreen,
    adopt_table_setup,
    bin_box,
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
from app.ui.table_model import Column, RowTableModel
from app.ui.widgets import error_label, make_table_view, set_column_widths

Index = QModelIndex | QPersistentModelIndex

BIN_POINT_SIZE = 36.0
MESSAGE_POINT_SIZE = 20.0
HEADING_POINT_SIZE = 15.0
TABLE_POINT_SIZE = 14.0
PROMPT_POINT_SIZE = 20.0

PICKED_BG = QColor("#c8e6c9")
SHORT_BG = QColor("#ffe0b2")
HERE_BG = QColor("#fff59d")
EXPIRED_BG = QColor("#ffcdd2")
DARK_TEXT = QColor("#111111")
WAITING_TEXT = QColor("#4a555c")

PICKABLE = (OrderStatus.CONFIRMED, OrderStatus.PICKING, OrderStatus.PARTLY_SHIPPED)
_BINS_SHOWN = 3


def _qty_unit(value: Decimal, unit: str) -> str:
    return f"{fmt_qty(value)} {unit}"


# --- what a line says ----------------------------------------------------------------------


def pick_mark(line: PickLineView, current_bin_id: int | None) -> LineMark:
    """The mark of a line: picked, short (with the reason), here in this bin, on
    backorder, or still to pick."""
    if line.to_pick == 0 and line.backordered > 0:
        text = _("On backorder")
        if line.expected_date is not None:
            text = _("On backorder, expected {date}").format(date=fmt_date(line.expected_date))
        return LineMark(text, None, muted=True)
    if line.to_pick == 0 and line.shipped > 0:
        return LineMark(
            "✓ " + _("Shipped {qty}").format(qty=_qty_unit(line.shipped, line.unit)), None
        )
    if line.to_pick == 0:
        return LineMark(_("Nothing to pick"), None, muted=True)
    if line.remaining == 0 and line.short > 0:
        reason = picking.short_reason_label(line.short_reason) if line.short_reason else ""
        return LineMark(
            _("SHORT {qty}: {reason}").format(qty=fmt_qty(line.short), reason=reason), SHORT_BG
        )
    if line.remaining == 0:
        return LineMark("✓ " + _("Picked"), PICKED_BG)
    if current_bin_id is not None and any(b.bin_id == current_bin_id for b in line.bins):
        return LineMark(
            _("PICK HERE: {qty}").format(qty=_qty_unit(line.remaining, line.unit)), HERE_BG
        )
    if current_bin_id is not None and any(b.bin_id == current_bin_id for b in line.expired_bins):
        return LineMark(_("EXPIRED HERE: leave it"), EXPIRED_BG)
    if line.only_expired:
        return LineMark(_("ONLY EXPIRED STOCK"), EXPIRED_BG)
    if line.picked > 0:
        return LineMark(_("{qty} still to pick").format(qty=fmt_qty(line.remaining)), None)
    return LineMark(_("To pick"), None)


def bins_text(line: PickLineView) -> str:
    """Where to take what is left of a line: "A-01-01 (12), B-02-03 (4)"."""
    if line.remaining == 0:
        return ""
    if line.only_expired:
        return _("expired: {bins}").format(
            bins=", ".join(
                f"{b.bin_code} ({fmt_qty(b.quantity)}) {b.lot} {fmt_date(b.expiry)}".rstrip()
                for b in line.expired_bins[:_BINS_SHOWN]
            )
        )
    if not line.bins:
        return _("none in stock")
    shown = [
        f"{b.bin_code} ({fmt_qty(b.quantity)})" + (f" {b.lot}" if b.lot else "")
        for b in line.bins[:_BINS_SHOWN]
    ]
    if len(line.bins) > _BINS_SHOWN:
        shown.append("…")
    return ", ".join(shown)


def _sort_key(line: PickLineView) -> tuple[int, str, int]:
    # Lines still to pick in bin path order (the walk), done ones below in line order.
    if line.remaining > 0:
        return (0, line.bins[0].bin_code if line.bins else "\uffff", line.line_no)
    return (1, "", line.line_no)


def next_line(view: PickView, current: int | None, *, prefer_here: bool) -> int | None:
    """The line to select after a saved action, so a typed quantity goes where the picker
    is: ``current`` while it has something left to pick (and, with ``prefer_here``, a
    bin just scanned holds it); else the first line still to pick here in the bin, else
    the next in the walk; ``current`` when nothing is left to pick."""
    waiting = sorted((ln for ln in view.lines if ln.remaining > 0), key=_sort_key)
    here = [
        ln
        for ln in waiting
        if view.current_bin_id is not None and any(b.bin_id == view.current_bin_id for b in ln.bins)
    ]
    line = next((ln for ln in waiting if ln.line_id == current), None)
    if line is not None and (not prefer_here or not here or line in here):
        return line.line_id
    chosen = here or waiting
    return chosen[0].line_id if chosen else current


class PickLinesModel(MarkedLinesModel):
    """The order's lines on the pick screen; the line last picked drawn as current."""

    BINS, SKU, NAME, TO_PICK, PICKED, LEFT, MARK = range(7)
    # Where to take a line is part of its mark: bold, and why not (expired) as tooltip.
    MARK_COLUMNS = frozenset({MARK, BINS})
    # Only the mark's cell takes its colour: the row's yellow means "here".
    MARK_FILLS_ROW = False

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent, HERE_BG, DARK_TEXT, WAITING_TEXT)
        self.set_columns(
            [
                _("Take from"),
                _("SKU"),
                _("Item"),
                _("To pick"),
                _("Picked"),
                _("Left"),
                _("Status"),
            ],
            {self.TO_PICK, self.PICKED, self.LEFT},
            {
                self.BINS: _("The bins holding it, with how many, in the order to take them."),
                self.TO_PICK: _("What is reserved for the order and not yet shipped."),
                self.LEFT: _("What is still to pick (neither picked nor reported short)."),
            },
        )

    def set_view(self, view: PickView, current_line: int | None) -> None:
        """Show the lines of ``view``; only rows that changed are repainted when the lines
        stay in the same order."""
        lines = sorted(view.lines, key=_sort_key)
        rows = [
            self._row(line, line.line_id == current_line, view.current_bin_id) for line in lines
        ]
        if [r.line.line_id for r in self._rows] == [r.line.line_id for r in rows]:
            for n, row in enumerate(rows):
                if self._rows[n] != row:
                    self._rows[n] = row
                    self.dataChanged.emit(self.index(n, 0), self.index(n, self.MARK))
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def _row(self, line: PickLineView, current: bool, bin_id: int | None) -> MarkedRow:
        mark = pick_mark(line, bin_id)
        texts = (
            bins_text(line),
            line.sku,
            line.name,
            _qty_unit(line.to_pick, line.unit),
            fmt_qty(line.picked),
            fmt_qty(line.remaining),
            mark.text,
        )
        # Why a line cannot be picked in full from unexpired stock, and what to do.
        return self.marked_row(line, current, mark, texts, tooltip=line.notice)

    def row_of(self, line_id: int | None) -> int:
        """The row of line ``line_id``, or -1."""
        return next((n for n, row in enumerate(self._rows) if row.line.line_id == line_id), -1)


def pickable_columns() -> list[Column[OrderRow]]:
    """Columns of the orders waiting to be picked."""
    return [
        Column(_("Order"), lambda r: r.number, sort_key=lambda r: int(r.number.split("-")[-1])),
        Column(_("Customer"), lambda r: r.customer_name),
        Column(_("Status"), lambda r: r.status_text),
        Column(
            _("Requested"),
            lambda r: fmt_date(r.requested_date),
            sort_key=lambda r: r.requested_date,
        ),
        Column(_("Lines"), lambda r: fmt_count(r.lines), sort_key=lambda r: r.lines, numeric=True),
        Column(
            _("Backorder"),
            lambda r: (
                ngettext("{n} line", "{n} lines", r.backorder_lines).format(n=r.backorder_lines)
                if r.backorder_lines
                else ""
            ),
            sort_key=lambda r: r.backorder_lines,
        ),
    ]


# --- the short pick dialog ------------------------------------------------------------------


class ShortPickDialog(QDialog):
    """Report that goods of a line cannot be picked: how many and why. Saved on the
    worker; the service's objections appear under their field."""

    #: The short pick was saved (a PickOutcome).
    completed = Signal(object)

    def __init__(
        self,
        runner: Runner,
        user: UserRef,
        order_id: int,
        line: PickLineView,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("short_pick_dialog")
        self.setWindowTitle(_("Short pick: {sku}").format(sku=line.sku))
        self._runner = runner
        self._user = user
        self._order_id = order_id
        self._line = line
        question = QLabel(
            _(
                "{sku} {name}: {left} {unit} are left to pick. How many are missing, and why?"
            ).format(sku=line.sku, name=line.name, left=fmt_qty(line.remaining), unit=line.unit)
        )
        question.setWordWrap(True)
        question.setFont(scaled_font(self.font(), HEADING_POINT_SIZE, bold=True))
        self.qty_edit = QLineEdit(fmt_qty_edit(line.remaining))
        self.qty_edit.setObjectName("short_quantity")
        self.reason_combo = QComboBox()
        self.reason_combo.setObjectName("short_reason")
        for reason in ShortReason:
            self.reason_combo.addItem(picking.short_reason_label(reason), reason.value)
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("short_note")
        self.note_edit.setMaxLength(200)
        self.note_edit.setPlaceholderText(_("What happened (needed for Other)"))
        self.qty_error = error_label()
        self.reason_error = error_label()
        self.note_error = error_label()
        self.other_error = error_label()
        for widget in (self.qty_edit, self.reason_combo, self.note_edit):
            widget.setFont(scaled_font(self.font(), HEADING_POINT_SIZE))
        form = QFormLayout()
        form.addRow(_("Missing &quantity:"), self.qty_edit)
        form.addRow("", self.qty_error)
        form.addRow(_("&Reason:"), self.reason_combo)
        form.addRow("", self.reason_error)
        form.addRow(_("&Note:"), self.note_edit)
        form.addRow("", self.note_error)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(
            _("Report short"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setObjectName("short_save")
        self.save_button.setToolTip(_("Enter"))
        cancel = buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setToolTip(_("Esc"))
        self.save_button.setDefault(True)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(question)
        column.addLayout(form)
        column.addWidget(self.other_error)
        column.addWidget(buttons)
        self.setMinimumWidth(520)
        self.qty_edit.setFocus()
        self.qty_edit.selectAll()

    def save(self) -> None:
        """Send the short pick; on success the dialog closes."""
        self.save_button.setEnabled(False)
        self._runner.run(
            picking.record_short_pick,
            self._user.id,
            self._order_id,
            self._line.line_id,
            self.qty_edit.text(),
            str(self.reason_combo.currentData()),
            self.note_edit.text(),
            on_done=self._saved,
            on_error=self._failed,
            owner=self,
        )

    def _saved(self, outcome: PickOutcome) -> None:
        self.completed.emit(outcome)
        self.accept()

    def _failed(self, error: HyllaError) -> None:
        self.save_button.setEnabled(True)
        fields = {
            "quantity": (self.qty_edit, self.qty_error),
            "reason": (self.reason_combo, self.reason_error),
            "note": (self.note_edit, self.note_error),
        }
        show_field_errors(error, fields, self.other_error)


# --- the page --------------------------------------------------------------------------------


class PickScreen(ScanScreen):
    """Pick an order by scanning, report short picks, ship, save the delivery note.

    Its ``scan_done`` carries a PickOutcome: a scan, typed quantity, short pick or undo."""

    #: Stock and orders changed (a shipment was posted): other pages are stale.
    data_changed = Signal()
    #: The start panel's list was loaded.
    start_loaded = Signal()
    #: The pick on screen was shown anew (a PickView).
    pick_shown = Signal(object)
    #: A shipment was posted (a ShipmentPosted).
    shipped = Signal(object)
    #: The delivery note was saved (its path).
    note_saved = Signal(object)

    START, PICK = range(2)

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
        self.view: PickView | None = None
        self.shipped_result: ShipmentPosted | None = None
        self._current_line: int | None = None
        self._start_stale = True

        self.stack = stacked_panels(self, (self._build_start(), self._build_pick()))
        self._add_keys(undo=self.undo_last_pick, finish=self.ship)
        self.stack.setCurrentIndex(self.START)

    # --- building ------------------------------------------------------------------------
    def _build_start(self) -> QWidget:
        panel = QWidget()
        self.prompt_label = QLabel(_("Scan the order number on the pick list to start picking."))
        self.prompt_label.setObjectName("picking_prompt")
        self.prompt_label.setWordWrap(True)
        self.prompt_label.setFont(scaled_font(self.font(), PROMPT_POINT_SIZE, bold=True))
        hint = QLabel(_("Or pick the order below and press Enter."))
        hint.setProperty("role", "muted")
        self.start_error = error_label()
        self.start_error.setFont(scaled_font(self.font(), HEADING_POINT_SIZE))
        self.orders_model: RowTableModel[OrderRow] = RowTableModel(
            pickable_columns(),
            lambda r: f"{r.number}\n{r.customer_code}\n{r.customer_name}",
            parent=self,
        )
        self.orders_table = EnterTable(plain_enter_only=True)
        adopt_table_setup(self.orders_table, self.orders_model)
        self.orders_table.setObjectName("pickable_orders")
        self.orders_table.setAlternatingRowColors(True)
        self.orders_table.setShowGrid(False)
        self.orders_table.verticalHeader().setVisible(False)
        self.orders_table.setSortingEnabled(True)
        self.orders_table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.orders_table.setFont(scaled_font(self.font(), TABLE_POINT_SIZE - 1))
        self.orders_table.verticalHeader().setDefaultSectionSize(
            self.orders_table.fontMetrics().height() + 12
        )
        set_column_widths(
            self.orders_table, {0: 110, 1: 300, 2: 140, 3: 120, 4: 70, 5: 120}, stretch=1
        )
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("pickable_filter")
        self.filter_edit.setPlaceholderText(_("Filter by order number or customer  (Ctrl+F)"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.orders_model.set_filter)
        self.no_orders_label = QLabel(
            _("No order is waiting to be picked. Confirm an order on the Orders page first.")
        )
        self.no_orders_label.setProperty("role", "muted")
        self.no_orders_label.hide()
        self.start_button = named_button(
            _("&Start picking"), "start_picking", _("Pick the selected order (Enter)")
        )
        self.start_button.setMinimumHeight(40)
        group = QGroupBox(_("Orders to pick"))
        group_layout = QVBoxLayout(group)
        group_layout.addWidget(self.filter_edit)
        group_layout.addWidget(self.no_orders_label)
        group_layout.addWidget(self.orders_table, 1)
        group_layout.addLayout(button_row([], [self.start_button]))
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.prompt_label)
        column.addWidget(hint)
        column.addWidget(self.start_error)
        column.addWidget(group, 1)
        self.start_button.clicked.connect(self.start_selected)
        self.orders_table.activated_by_key.connect(self.start_selected)
        self.orders_table.doubleClicked.connect(lambda _i: self.start_selected())
        return panel

    def _build_pick(self) -> QWidget:
        panel = QWidget()
        self.title_label = QLabel()
        self.title_label.setObjectName("pick_title")
        self.title_label.setFont(scaled_font(self.font(), HEADING_POINT_SIZE, bold=True))
        self.title_label.setWordWrap(True)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("pick_progress")
        self.progress_label.setFont(scaled_font(self.font(), HEADING_POINT_SIZE))

        self.bin_frame, self.bin_label, self.bin_hint = bin_box(
            "pick_bin", self.font(), BIN_POINT_SIZE, HEADING_POINT_SIZE, margin=4
        )
        self.message_label = message_label("pick_message", self.font(), MESSAGE_POINT_SIZE, 56)

        self.lines_model = PickLinesModel(self)
        self.lines_table = make_table_view(self.lines_model)
        self.lines_table.setObjectName("pick_lines")
        self.lines_table.setFont(scaled_font(self.font(), TABLE_POINT_SIZE))
        self.lines_table.verticalHeader().setDefaultSectionSize(
            self.lines_table.fontMetrics().height() + 16
        )
        self.lines_table.horizontalHeader().setFont(
            scaled_font(self.font(), TABLE_POINT_SIZE - 2, bold=True)
        )
        # The selected line keeps dark text on the current line's yellow, also unfocused.
        highlight_current(self.lines_table, HERE_BG, DARK_TEXT)
        model = self.lines_model
        set_column_widths(
            self.lines_table,
            {
                model.BINS: 160,
                model.SKU: 120,
                model.NAME: 240,
                model.TO_PICK: 110,
                model.PICKED: 80,
                model.LEFT: 60,
                model.MARK: 290,
            },
            stretch=model.NAME,
        )

        self.qty_edit = QLineEdit()
        self.qty_edit.setObjectName("pick_quantity")
        self.qty_edit.setPlaceholderText(_("Quantity"))
        self.qty_edit.setMaximumWidth(150)
        self.qty_edit.setFont(scaled_font(self.font(), TABLE_POINT_SIZE + 2, bold=True))
        self.qty_edit.setToolTip(
            _("Type how many you took of the selected line from the bin, then Enter")
        )
        self.qty_item_label = QLabel()
        self.qty_item_label.setObjectName("pick_quantity_item")
        self.qty_item_label.setWordWrap(True)
        self.qty_error = error_label()
        self.qty_error.setFont(scaled_font(self.font(), TABLE_POINT_SIZE))

        self.undo_button = named_button(
            _("Undo last"), "pick_undo", _("Take back the last pick or short pick (Ctrl+Z)")
        )
        self.short_button = named_button(
            _("&Short pick…"),
            "pick_short",
            _("The selected line cannot be picked in full (Alt+S)"),
        )
        self.leave_button = named_button(
            _("&Leave for now"), "pick_leave", _("Back to the list; every pick is saved (Alt+L)")
        )
        self.pick_list_button = named_button(
            _("Pick l&ist…"), "pick_list_pdf", _("Save the pick list as PDF (Alt+I)")
        )
        self.ship_button = named_button(
            _("Ship"), "pick_ship", _("Post what is picked as a shipment (Ctrl+Enter)")
        )
        self.note_button = named_button(
            _("Save delivery &note…"),
            "pick_delivery_note",
            _("The delivery note of the shipment as PDF (Alt+N)"),
        )
        self.next_button = named_button(
            _("Next &order"),
            "pick_next",
            _("Back to the orders to pick; or scan the next pick list"),
        )
        size_buttons(
            (
                self.undo_button,
                self.short_button,
                self.ship_button,
                self.note_button,
                self.next_button,
            ),
            44,
            scaled_font(self.font(), TABLE_POINT_SIZE, bold=True),
        )
        size_buttons((self.leave_button, self.pick_list_button), 36)

        self.qty_row = QWidget()
        self.qty_row.setLayout(
            quantity_row(
                _("Picked &quantity:"),
                self.qty_edit,
                self.qty_item_label,
                font=scaled_font(self.font(), TABLE_POINT_SIZE),
            )
        )
        scan_column(
            panel,
            header_row(self.title_label, self.progress_label),
            self.bin_frame,
            self.message_label,
            (self.lines_table, 1),
            self.qty_row,
            self.qty_error,
            button_row(
                [self.undo_button, self.short_button],
                [
                    self.leave_button,
                    self.pick_list_button,
                    self.note_button,
                    self.next_button,
                    self.ship_button,
                ],
            ),
        )

        self.qty_edit.returnPressed.connect(self.pick_typed_quantity)
        self.undo_button.clicked.connect(self.undo_last_pick)
        self.short_button.clicked.connect(self.short_pick)
        self.leave_button.clicked.connect(self.leave)
        self.pick_list_button.clicked.connect(self.save_pick_list)
        self.ship_button.clicked.connect(self.ship)
        self.note_button.clicked.connect(self.save_note)
        self.next_button.clicked.connect(self.leave)
        # Enter on a focused button does what it says (outside a dialog Qt only takes Space).
        for button, action in ((self.note_button, self.save_note), (self.next_button, self.leave)):
            for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                enter = QShortcut(QKeySequence(key), button, action)
                enter.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.lines_table.selectionModel().selectionChanged.connect(self._update_qty_item)
        return panel

    # --- page protocol -------------------------------------------------------------------
    def activate(self) -> None:
        """Shown: reload the pick on screen, or the list of orders to pick."""
        if self.stack.currentIndex() == self.PICK and self.view is not None:
            self.reload()
        elif self._start_stale:
            self.load_start()

    def refresh(self) -> None:
        """Reload what is on screen (F5)."""
        if self.stack.currentIndex() == self.PICK and self.view is not None:
            self.reload()
        else:
            self.load_start()

    def mark_stale(self) -> None:
        """Orders changed elsewhere: reload the list when next shown."""
        self._start_stale = True

    def focus_filter(self) -> None:
        """Ctrl+F: the filter of the order list, or the quantity field while picking."""
        if self.stack.currentIndex() == self.START:
            self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.filter_edit.selectAll()
        else:
            self.qty_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # --- the start panel -----------------------------------------------------------------
    def load_start(self) -> None:
        """Load the orders waiting to be picked."""
        self._start_stale = False
        self._runner.run(
            orders.list_orders,
            PICKABLE,
            on_done=self._orders_loaded,
            on_error=self._start_failed,
            owner=self,
        )

    def _orders_loaded(self, rows: list[OrderRow]) -> None:
        self.orders_model.set_rows(rows)
        self.no_orders_label.setVisible(not rows)
        if self.stack.currentIndex() == self.START:
            if rows and not self.orders_table.selectionModel().hasSelection():
                self.orders_table.selectRow(0)
            self.orders_table.setFocus()
        self.start_loaded.emit()

    def _start_failed(self, error: HyllaError) -> None:
        self.start_error.setText(error.message)
        self.start_error.show()

    def start_selected(self) -> None:
        """Start picking the order selected in the list."""
        rows = self.orders_table.selectionModel().selectedRows()
        if not rows:
            self.status_message.emit(_("Select the order to pick."))
            return
        self.pick_order(self.orders_model.row_at(rows[0].row()).id)

    def pick_order(self, order_id: int, since: float | None = None) -> None:
        """Start (or continue) picking order ``order_id``."""
        self._runner.run(
            picking.start_picking,
            self._user.id,
            order_id,
            on_done=lambda view: self._started(view, since),
            on_error=lambda error: self._start_refused(error, since),
            owner=self,
        )

    def _start_by_scan(self, text: str, since: float) -> None:
        def found(order_id: int) -> None:
            self.pick_order(order_id, since)

        def not_an_order(error: HyllaError) -> None:
            self._say(
                Tone.PROBLEM,
                _("Scan the pick list first"),
                error.message + " " + _("Scan the order number on the pick list."),
                since,
            )

        self._runner.run(
            orders.order_id_by_number, text, on_done=found, on_error=not_an_order, owner=self
        )

    def _start_refused(self, error: HyllaError, since: float | None) -> None:
        self._say(Tone.PROBLEM, error.message, "", since)
        if self.stack.currentIndex() == self.START:
            self.start_error.setText(error.message)
            self.start_error.show()

    def _started(self, view: PickView, since: float | None) -> None:
        self.shipped_result = None
        self.start_error.hide()
        self._current_line = view.last_pick.line_id if view.last_pick else None
        title = _("Picking {number}").format(number=view.number)
        self._say(
            Tone.SUCCESS if since is not None else Tone.INFO, title, view.customer_name, since
        )
        notice = any(line.notice for line in view.lines)
        self._show_view(view, _first_message(view), Tone.WARNING if notice else Tone.INFO)
        self.stack.setCurrentIndex(self.PICK)
        self.lines_table.setFocus()
        self.data_changed.emit()  # the order is now being picked (its status changed)

    def leave(self) -> None:
        """Back to the list; picks so far stay saved."""
        if self.view is not None and self.shipped_result is None and self.view.picks:
            self.status_message.emit(
                _("{number}: the picks are saved; continue from the list.").format(
                    number=self.view.number
                )
            )
        self.view = None
        self.shipped_result = None
        self.stack.setCurrentIndex(self.START)
        self.load_start()

    # --- scans -----------------------------------------------------------------------------
    def handle_raw_scan(self, text: str, since: float | None = None) -> None:
        """A scan as the scanner sent it: while picking, a bin or goods; otherwise (or after
        shipping) the order number on a pick list, which starts picking it."""
        if since is None:
            since = time.perf_counter()
        view = self.view
        if (
            view is None
            or self.stack.currentIndex() == self.START
            or self.shipped_result is not None
            or view.status not in PICKABLE
        ):
            self._start_by_scan(text, since)
            return
        self._runner.run(
            picking.pick_scan,
            self._user.id,
            view.order_id,
            text,
            on_done=lambda outcome: self.show_outcome(outcome, since, text),
            on_error=lambda error: self._action_failed(error, since),
            owner=self,
        )

    def show_outcome(self, outcome: PickOutcome, since: float | None = None, raw: str = "") -> None:
        """Show what a scan (or typed quantity, short pick, undo) did."""
        status = outcome.status
        if outcome.saved:
            # Saved, but expired goods are on that shelf: the picker must look twice.
            tone = Tone.WARNING if outcome.warning else Tone.SUCCESS
        elif status in (PickStatus.ORDER, PickStatus.NEEDS_LOT):
            # Which lot is a question (the lot dialog asks it), not a mistake.
            tone = Tone.INFO
        else:
            tone = Tone.PROBLEM
        if outcome.line_id is not None:
            self._current_line = outcome.line_id
        if outcome.saved:
            self._current_line = next_line(
                outcome.view, self._current_line, prefer_here=status is PickStatus.BIN
            )
        if outcome.saved and self.qty_error.isVisible():
            # The picker went on (scanned the goods instead): a quantity refused before
            # is behind them, and its complaint would now be about nothing on screen.
            self._qty_problem("")
            self.qty_edit.clear()
        self._say(tone, outcome.message, self._detail(outcome), since)
        self._show_view(outcome.view, outcome.message, tone)
        self.scan_done.emit(outcome)
        if status is PickStatus.NEEDS_LOT:
            self.ask_lot(outcome, typed=not raw)
        elif status is PickStatus.UNKNOWN:
            self._offer_link(raw)

    def ask_lot(self, outcome: PickOutcome, typed: bool) -> PickLotDialog | None:
        """Ask which lot of ``outcome``'s line was taken from the bin, then pick it;
        ``typed``: the quantity came from the quantity field (emptied once picked)."""
        view = outcome.view
        line = next((ln for ln in view.lines if ln.line_id == outcome.line_id), None)
        if line is None or view.current_bin_id is None or outcome.quantity is None:
            return None
        dialog = PickLotDialog(
            self._runner,
            self._user,
            view.order_id,
            line,
            view.current_bin_id,
            view.current_bin_code,
            outcome.quantity,
            self.window(),
        )
        dialog.completed.connect(lambda picked: self._lot_picked(picked, typed))
        self._open_dialog(dialog)
        return dialog

    def _lot_picked(self, outcome: PickOutcome, typed: bool) -> None:
        if typed:
            # The quantity typed is picked: the field is free for the next one.
            self.qty_edit.clear()
            self._qty_problem("")
        self.show_outcome(outcome)

    def _detail(self, outcome: PickOutcome) -> str:
        line = next((ln for ln in outcome.view.lines if ln.line_id == outcome.line_id), None)
        if outcome.status is PickStatus.WRONG_ITEM:
            return _("Nothing was picked. Scan an item of the order.")
        if line is None:
            return ""
        if outcome.status is PickStatus.EXPIRED:
            return _("Nothing was picked. {sku}: {left} {unit} left to pick").format(
                sku=line.sku, left=fmt_qty(line.remaining), unit=line.unit
            )
        return _("{sku}: {picked} of {to_pick} {unit} picked, {left} left").format(
            sku=line.sku,
            picked=fmt_qty(line.picked),
            to_pick=fmt_qty(line.to_pick),
            unit=line.unit,
            left=fmt_qty(line.remaining),
        )

    def reload(self) -> None:
        """Read the pick on screen again (it may have changed at another workstation)."""
        if self.view is None:
            return

        def shown(view: PickView) -> None:
            self._show_view(view, self.message_label.text() or _first_message(view), None)

        self._runner.run(picking.get_pick, self.view.order_id, on_done=shown, owner=self)

    # --- typed quantities, short picks, undo ----------------------------------------------
    def selected_line(self) -> PickLineView | None:
        """The line selected in the table (the line last picked, after a scan)."""
        rows = self.lines_table.selectionModel().selectedRows()
        return self.lines_model.line_at(rows[0].row()) if rows else None

    def pick_typed_quantity(self) -> None:
        """Pick the typed quantity of the selected line from the bin scanned."""
        view = self.view
        line = self.selected_line()
        if view is None or self.shipped_result is not None:
            return
        if line is None:
            self._qty_problem(_("Select the line the quantity is for (or scan the item)."))
            return
        text = self.qty_edit.text()
        if not text.strip():
            self._qty_problem(_("Type how many you took, then press Enter."))
            return
        self._send_quantity(picking.pick_quantity, self._user.id, view.order_id, line.line_id, text)

    def _clears_quantity(self, outcome: PickOutcome) -> bool:
        # A refused quantity stays in the field, to be corrected.
        return outcome.saved

    def short_pick(self) -> ShortPickDialog | None:
        """Report that the selected line cannot be picked in full, and why (Alt+S)."""
        view = self.view
        line = self.selected_line()
        if view is None or self.shipped_result is not None:
            return None
        if line is None or line.remaining <= 0:
            self._say(
                Tone.PROBLEM,
                _("Select a line that is still to pick first."),
                "",
                None,
            )
            return None
        dialog = ShortPickDialog(self._runner, self._user, view.order_id, line, self.window())
        dialog.completed.connect(lambda outcome: self.show_outcome(outcome))
        self._open_dialog(dialog)
        return dialog

    def undo_last_pick(self) -> None:
        """Undo the last pick or short pick (Ctrl+Z)."""
        view = self.view
        if (
            view is None
            or self.stack.currentIndex() != self.PICK
            or self.shipped_result is not None
            or not self.isVisible()
        ):
            return
        self._run_action(
            picking.undo_last_pick, self._user.id, view.order_id, on_done=self.show_outcome
        )

    # --- shipping --------------------------------------------------------------------------
    def ship(self) -> ConfirmDialog | None:
        """Ask, with what goes and what stays, then post the shipment (Ctrl+Enter)."""
        view = self.view
        if (
            view is None
            or self.stack.currentIndex() != self.PICK
            or self.shipped_result is not None
            or not self.isVisible()
        ):
            return None
        if not view.anything_picked:
            self._say(Tone.PROBLEM, _("Nothing is picked yet: scan the goods first."), "", None)
            self.message_label.setText(_("Nothing is picked yet: scan the goods first."))
            self._set_message_tone(Tone.PROBLEM)
            return None
        dialog = ConfirmDialog(
            _("Ship {number}").format(number=view.number),
            _("Ship what is picked of {number} to {customer}?").format(
                number=view.number, customer=view.customer_name
            ),
            _("Ship"),
            _("Not yet"),
            default_yes=True,
            detail=ship_summary(view),
            parent=self.window(),
        )
        dialog.setObjectName("ship_dialog")
        self._ask_then_run(
            dialog,
            shipping.ship_order,
            self._user.id,
            view.order_id,
            on_done=self._shipped,
            disable=self.ship_button,
        )
        return dialog

    def _shipped(self, result: ShipmentPosted) -> None:
        self.shipped_result = result
        self._say(Tone.SUCCESS, result.message, "", None)
        self.status_message.emit(result.message)
        self.data_changed.emit()
        self._start_stale = True

        def shown(view: PickView) -> None:
            self._show_view(view, result.message, Tone.SUCCESS)
            self.note_button.setFocus()
            self.shipped.emit(result)

        self._runner.run(picking.get_pick, result.shipment.order_id, on_done=shown, owner=self)

    def save_note(self) -> None:
        """Save the delivery note of the shipment just posted, then offer to open it."""
        result = self.shipped_result
        if result is None:
            return
        number = result.shipment.number
        path = choose_pdf_path(
            self, _("Save delivery note"), suggested_pdf_path(self._settings, number)
        )
        if path is None:
            return
        save_pdf_then_offer(
            self,
            self._runner,
            self._settings,
            path,
            shipping.delivery_note_pdf,
            result.shipment.id,
            saved=self._note_written,
            title=_("Delivery note saved"),
            question=_("The delivery note is saved in {path}. Open it now?"),
        )

    def _note_written(self, path: Path) -> None:
        self.status_message.emit(_("Delivery note saved: {path}").format(path=path))
        self.note_saved.emit(path)

    def save_pick_list(self) -> None:
        """Save the pick list of the order on screen as PDF."""
        view = self.view
        if view is None:
            return
        path = choose_pdf_path(
            self,
            _("Save pick list"),
            suggested_pdf_path(self._settings, _("pick-list-{number}").format(number=view.number)),
        )
        if path is None:
            return
        save_pdf_then_offer(
            self,
            self._runner,
            self._settings,
            path,
            picking.pick_list_pdf,
            view.order_id,
            saved=lambda saved: self.status_message.emit(
                _("Pick list saved: {path}").format(path=saved)
            ),
            title=_("Pick list saved"),
            question=_("The pick list is saved in {path}. Open it now?"),
        )

    # --- showing ---------------------------------------------------------------------------
    def _show_view(self, view: PickView, message: str, tone: Tone | None) -> None:
        self.view = view
        done = self.shipped_result is not None
        self.title_label.setText(
            _("{number} — {customer} — {status}").format(
                number=view.number, customer=view.customer_name, status=view.status_text
            )
        )
        to_pick = [line for line in view.lines if line.to_pick > 0]
        finished = sum(1 for line in to_pick if line.done)
        if done and self.shipped_result is not None:
            self.progress_label.setText(
                _("{shipment}: {status}").format(
                    shipment=self.shipped_result.shipment.number, status=view.status_text
                )
            )
        else:
            self.progress_label.setText(
                ngettext(
                    "{done} of {n} line picked", "{done} of {n} lines picked", len(to_pick)
                ).format(done=finished, n=len(to_pick))
            )
        if view.current_bin_id is not None and not done:
            self.bin_label.setText(view.current_bin_code)
            here = [
                ln
                for ln in view.lines
                if ln.remaining > 0 and any(b.bin_id == view.current_bin_id for b in ln.bins)
            ]
            self.bin_hint.setText(
                _("Scan the goods you take from this bin")
                if here
                else _("Nothing of this order here: scan the next bin")
            )
            set_style(
                self.bin_frame,
                "QFrame#pick_bin_frame { background: #ffeb3b; border: 4px solid #111;"
                " border-radius: 6px; } QLabel { color: #111; background: transparent; }",
            )
        else:
            self.bin_label.setText(_("Shipped") if done else _("Scan a bin label"))
            self.bin_hint.setText(
                _("Save the delivery note, or scan the next pick list")
                if done
                else _("Then scan the goods you take from it")
            )
            set_style(
                self.bin_frame,
                "QFrame#pick_bin_frame { background: #eceff1; border: 2px solid #90a4ae;"
                " border-radius: 6px; } QLabel { color: #263238; background: transparent; }",
            )
        self.message_label.setText(message)
        self._set_message_tone(tone)
        self.lines_model.set_view(view, self._current_line)
        row = self.lines_model.row_of(self._current_line)
        if row < 0 and self.lines_model.rowCount() and not done:
            row = 0
        if row >= 0:
            self.lines_table.selectRow(row)
            self.lines_table.scrollTo(self.lines_model.index(row, 0))
        self._update_qty_item()
        picking_now = view.status in PICKABLE and not done
        for widget in (self.qty_row, self.undo_button, self.short_button, self.ship_button):
            widget.setVisible(picking_now)
        self.leave_button.setVisible(not done)
        self.pick_list_button.setVisible(picking_now)
        self.undo_button.setEnabled(view.picks > 0 or any(ln.short for ln in view.lines))
        self.ship_button.setEnabled(view.anything_picked)
        for widget in (self.note_button, self.next_button):
            widget.setVisible(done)
        if not picking_now:
            self.qty_error.hide()
        self.pick_shown.emit(view)

    def _update_qty_item(self, *_args: object) -> None:
        line = self.selected_line()
        if line is None:
            self.qty_item_label.setText(_("Select a line to type a quantity for it."))
            return
        self.qty_item_label.setText(
            _("of {sku} {name} ({unit}), {left} left to pick").format(
                sku=line.sku, name=line.name, unit=line.unit, left=fmt_qty(line.remaining)
            )
        )

    def _focus_after_dialog(self) -> None:
        if self.stack.currentIndex() == self.PICK:
            (self.note_button if self.shipped_result is not None else self.lines_table).setFocus()


def _first_message(view: PickView) -> str:
    if view.current_bin_id is not None:
        text = _("Picking {number}: scan the goods, or the next bin.").format(number=view.number)
    else:
        text = _("Picking {number}: scan the first bin's label.").format(number=view.number)
    # Lines that unexpired stock cannot cover: said at once, not found at the shelf (in
    # short; the lots and bins are in the line's tooltip and on the pick list).
    return "\n".join([text, *(_expiry_note(line) for line in view.lines if line.notice)])


def _expiry_note(line: PickLineView) -> str:
    if line.only_expired:
        bins = dict.fromkeys(b.bin_code for b in line.expired_bins)
        return _("{sku}: only expired stock, in {bins} — ask a manager.").format(
            sku=line.sku, bins=", ".join(bins)
        )
    fresh = sum((b.quantity for b in line.bins), Decimal(0))
    return _("{sku}: only {qty} have not expired — ask a manager.").format(
        sku=line.sku, qty=_qty_unit(fresh, line.unit)
    )


def ship_summary(view: PickView) -> str:
    """What shipping ``view`` will do, in a few lines for the confirmation."""
    picked = [line for line in view.lines if line.picked > 0]
    parts = [
        ngettext(
            "{n} line goes to the customer.", "{n} lines go to the customer.", len(picked)
        ).format(n=len(picked))
    ]
    for line in picked[:8]:
        parts.append(f"  {line.sku}  {line.name}: {_qty_unit(line.picked, line.unit)}")
    if len(picked) > 8:
        parts.append("  " + _("and {n} more").format(n=len(picked) - 8))
    short = [line for line in view.lines if line.short > 0]
    if short:
        parts.append(
            ngettext(
                "{n} short line goes back on backorder.",
                "{n} short lines go back on backorder.",
                len(short),
            ).format(n=len(short))
        )
    waiting = [line for line in view.lines if line.remaining > 0]
    if waiting:
        parts.append(
            ngettext(
                "{n} line is not picked in full: the rest stays reserved for a later shipment.",
                "{n} lines are not picked in full: the rest stays reserved for a later shipment.",
                len(waiting),
            ).format(n=len(waiting))
        )
    if any(line.backordered > 0 for line in view.lines):
        parts.append(_("What is on backorder follows when it arrives."))
    return "\n".join(parts)
