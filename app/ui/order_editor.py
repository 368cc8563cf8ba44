"""The order editor: a customer order entered from the keyboard (and the scanner) at speed.

The customer field completes code and name as you type; Enter takes the customer and
moves to the item field. There a SKU, a barcode or part of a name and Enter (or Tab)
choose the item, and the cursor is in the quantity; a scan does the same from anywhere in
the editor, with a carton's pack as the quantity. Enter in the quantity (or the price or
date after it) puts the line on the order and the cursor is back in the item field for
the next line, at once: the line is saved in the background while the next one is typed.
The price is the item's sales price unless one is typed. Ctrl+Enter confirms the order
(taking a line still in the form with it).

Customers and items are resolved here from lists loaded when the editor opens, so
nothing typed waits for the database; anything not in them (an item made since) is
asked of :func:`app.services.orders.find_items_for_order`. The first line creates the
draft; lines typed before it exists wait for it, so one order is never created twice.

Once confirmed, each line says what became of it: reserved, on backorder "expected on
DATE", or for a zero-point item its purchase need ("purchase need 24 pcs (excess 4 pcs),
expected 2026-12-03"). From there: pick it (the Picking page), print its pick list,
cancel it (after asking; its reservations go back to stock), close it, or book a return.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCompleter,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.models.enums import Policy
from app.models.orders import NeedStatus, OrderStatus
from app.services import customers, items, orders, picking, shipping
from app.services.customers import CustomerRow
from app.services.errors import HyllaError, ValidationError
from app.services.items import ItemRow
from app.services.ledger import parse_quantity
from app.services.orders import ItemChoice, OrderConfirmed, OrderDetail, OrderLineInfo
from app.services.scanning import ScanResult
from app.services.users import UserRef
from app.ui.field_errors import field_messages, show_messages
from app.ui.formatting import (
    fmt_date,
    fmt_money,
    fmt_money_edit,
    fmt_qty,
    fmt_qty_edit,
    fmt_unit_cost,
)
from app.ui.order_lines import lines_table, total_label, total_text
from app.ui.pdf_actions import save_pdf_then_offer
from app.ui.purchase_orders_page import choose_pdf_path, suggested_pdf_path
from app.ui.reason_dialog import ReasonDialog
from app.ui.runner import Runner
from app.ui.table_model import Column, RowTableModel
from app.ui.widgets import contains_completer, error_label, icon, mark_error

BACKORDER_TEXT = QColor("#8a4b00")
DONE_TEXT = QColor("#1b5e20")
MUTED_TEXT = QColor(128, 128, 128)
# Orders that can be picked (and whose pick list means something).
PICKABLE = (OrderStatus.CONFIRMED, OrderStatus.PICKING, OrderStatus.PARTLY_SHIPPED)
SHIPPED_ANY = (OrderStatus.PARTLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.CLOSED)


# --- what a line says ----------------------------------------------------------------------


def _qty_unit(value: Decimal, unit: str) -> str:
    return f"{fmt_qty(value)} {unit}".strip()


def line_status(line: OrderLineInfo, status: OrderStatus) -> str:
    """What became of a line, in words: reserved, shipped, on backorder (expected on DATE),
    or a zero-point line's purchase need with its rounding excess."""
    if status is OrderStatus.DRAFT:
        return ""
    if status is OrderStatus.CANCELLED:
        return _("Cancelled")
    parts: list[str] = []
    if line.shipped > 0:
        parts.append(_("shipped {qty}").format(qty=_qty_unit(line.shipped, line.unit)))
    if status is OrderStatus.CLOSED:
        return " · ".join(parts) or _("Closed")
    if line.reserved > 0:
        parts.append(_("reserved {qty}").format(qty=_qty_unit(line.reserved, line.unit)))
    need = line.need
    if need is not None and need.status is not NeedStatus.WITHDRAWN and line.backordered > 0:
        expected = line.expected_date or need.required_date
        if need.status is NeedStatus.ORDERED and need.po_number:
            text = _("bought on {po}: {qty}").format(
                po=need.po_number, qty=_qty_unit(need.order_qty, line.unit)
            )
        elif need.excess > 0:
            text = _("purchase need {qty} (excess {excess})").format(
                qty=_qty_unit(need.order_qty, line.unit),
                excess=_qty_unit(need.excess, line.unit),
            )
        else:
            text = _("purchase need {qty}").format(qty=_qty_unit(need.order_qty, line.unit))
        if expected is not None:
            text += ", " + _("expected {date}").format(date=fmt_date(expected))
        parts.append(text)
    elif line.backordered > 0:
        text = _("backordered {qty}").format(qty=_qty_unit(line.backordered, line.unit))
        if line.expected_date is not None:
            text += ", " + _("expected on {date}").format(date=fmt_date(line.expected_date))
        parts.append(text)
    if not parts:
        return "✓ " + _("shipped") if line.open == 0 else ""
    if line.open == 0 and line.shipped > 0:
        return "✓ " + " · ".join(parts)
    return " · ".join(parts)


def _line_colour(line: OrderLineInfo) -> QColor | None:
    if line.backordered > 0:
        return BACKORDER_TEXT
    return None


def line_columns(status: Callable[[], OrderStatus]) -> list[Column[OrderLineInfo]]:
    """Columns of the order's lines; ``status`` tells the order's status when drawn."""
    return [
        Column(_("#"), lambda r: str(r.line_no), sort_key=lambda r: r.line_no, numeric=True),
        Column(_("SKU"), lambda r: r.sku),
        Column(_("Item"), lambda r: r.name),
        Column(
            _("Quantity"),
            lambda r: _qty_unit(r.quantity, r.unit),
            sort_key=lambda r: r.quantity,
            numeric=True,
        ),
        Column(
            _("Price"),
            lambda r: fmt_unit_cost(r.unit_price),
            sort_key=lambda r: r.unit_price,
            numeric=True,
            tooltip=_("Price per unit of the item."),
        ),
        Column(
            _("Amount"), lambda r: fmt_money(r.amount), sort_key=lambda r: r.amount, numeric=True
        ),
        Column(
            _("Requested"),
            lambda r: fmt_date(r.requested_date),
            sort_key=lambda r: r.requested_date,
            tooltip=_("When the customer wants this line; empty: the order's date."),
        ),
        Column(
            _("Status"),
            lambda r: line_status(r, status()),
            tooltip=_("Reserved from stock, on backorder with its expected date, or shipped."),
        ),
    ]


# --- small dialogs ---------------------------------------------------------------------------


class CancelOrderDialog(ReasonDialog):
    """Ask whether to cancel an order, and why; Enter keeps it (a cancel is not undone)."""

    def __init__(self, detail: OrderDetail, parent: QWidget | None = None) -> None:
        if detail.status is OrderStatus.DRAFT:
            text = _("Cancel {number} for {customer}? Nothing of it was reserved yet.")
        else:
            text = _(
                "Cancel {number} for {customer}? Its reserved stock goes back for other orders "
                "and its purchase needs not yet bought are withdrawn."
            )
        super().__init__(
            text.format(number=detail.number, customer=detail.customer_name),
            "cancel_order_reason",
            _("Why, for the record (e.g. the customer called)"),
            480,
            parent,
        )
        self.setObjectName("cancel_customer_order_dialog")
        self.setWindowTitle(_("Cancel order {number}").format(number=detail.number))
        self.cancel_order_button = self.buttons.addButton(
            _("Cancel the order"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_order_button.setObjectName("cancel_order_yes")
        self.keep_button = self.buttons.addButton(
            _("Keep it"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.keep_button.setObjectName("cancel_order_no")
        self.cancel_order_button.setToolTip(_("Tab to it, then Enter"))
        self.keep_button.setToolTip(_("Esc · Enter"))
        for button in (self.cancel_order_button, self.keep_button):
            button.setAutoDefault(False)
        self.keep_button.setDefault(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter keeps the order unless the cancel button itself has the focus: cancelling
        # cannot be undone, so it takes a deliberate Tab first.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.focusWidget() is self.cancel_order_button:
                self.accept()
            else:
                self.reject()
            return
        super().keyPressEvent(event)


class CloseOrderDialog(ReasonDialog):
    """Ask whether to close an order (what is still open is dropped), and why."""

    def __init__(self, detail: OrderDetail, parent: QWidget | None = None) -> None:
        still_open = [line for line in detail.lines if line.open > 0]
        if still_open:
            text = _(
                "Close {number}? {n} lines are not shipped in full: what is still open is "
                "dropped and its reserved stock goes back for other orders."
            ).format(number=detail.number, n=len(still_open))
        else:
            text = _("Close {number}? Everything is shipped.").format(number=detail.number)
        super().__init__(
            text, "close_order_reason", _("Why, for the record (optional)"), 460, parent
        )
        self.setObjectName("close_customer_order_dialog")
        self.setWindowTitle(_("Close order {number}").format(number=detail.number))
        yes = self.buttons.addButton(_("Close the order"), QDialogButtonBox.ButtonRole.AcceptRole)
        yes.setObjectName("close_order_yes")
        self.buttons.addButton(_("Keep it open"), QDialogButtonBox.ButtonRole.RejectRole)


# --- the editor ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _LineDraft:
    """A line as typed, on its way to the service."""

    item_id: int
    sku: str
    item_text: str
    quantity: str
    price: str
    date: str
    line_id: int | None = None  # set when the line exists and is being changed


def customer_text(row: CustomerRow) -> str:
    """How a customer reads in the customer field and its suggestions."""
    return f"{row.code} — {row.name}"


def item_text(sku: str, name: str) -> str:
    """How an item reads in the item field and its suggestions."""
    return f"{sku} — {name}"


class _ItemField(QLineEdit):
    """The item field: Tab chooses the item typed, as Enter does, before moving on."""

    tab_pressed = Signal()

    def event(self, event: Any) -> bool:
        if (
            isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Tab
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
        ):
            self.tab_pressed.emit()
            return True
        return super().event(event)


class OrderEditor(QWidget):
    """Enter, confirm and follow one customer order."""

    #: The order changed (an OrderDetail), after any saved action.
    saved = Signal(object)
    #: The order was confirmed (an OrderConfirmed).
    confirmed = Signal(object)
    #: The order (or, for a new one, the customers and items) is on screen (OrderDetail|None).
    loaded = Signal(object)
    #: A customer was taken for a new order (a CustomerRow).
    customer_chosen = Signal(object)
    #: An item was taken for the line being typed (an ItemChoice).
    item_chosen = Signal(object)
    #: A line the form sent was refused (the error message).
    line_refused = Signal(str)
    #: Back to the list of orders.
    close_requested = Signal()
    #: "Pick": the Picking page should open on this order (its id).
    pick_requested = Signal(int)
    #: "Returns…" on a shipped order (its OrderDetail): the page opens the returns dialog.
    returns_requested = Signal(object)
    #: A dialog opened (for tests).
    dialog_opened = Signal(object)
    #: The pick list or a delivery note was saved (its path).
    pdf_saved = Signal(object)
    status_message = Signal(str)

    def __init__(
        self,
        runner: Runner,
        user: UserRef,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("order_editor")
        self._runner = runner
        self._user = user
        self._settings = settings if settings is not None else QSettings()
        self.detail: OrderDetail | None = None
        self.customer: CustomerRow | None = None
        self._customers: list[CustomerRow] = []
        self._customers_by_text: dict[str, CustomerRow] = {}
        self._items_by_text: dict[str, int] = {}
        self._items_by_code: dict[str, int] = {}
        self._item_rows: dict[int, ItemRow] = {}
        self._lists_loaded = False
        self._lists_stale = True
        self._item: ItemChoice | None = None
        self._chosen_text = ""
        self._editing_line: OrderLineInfo | None = None
        self._price_typed = False
        self._creating = False
        self._queued: list[_LineDraft] = []
        self._in_flight = 0
        self._confirm_wanted = False
        self._open_when_loaded: int | None = None

        # --- header
        self.number_label = QLabel(_("New order"))
        self.number_label.setObjectName("customer_order_number")
        font = QFont(self.number_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.number_label.setFont(font)
        self.status_label = QLabel()
        self.status_label.setObjectName("customer_order_status")
        self.back_button = QPushButton(_("&Back to orders"))
        self.back_button.setObjectName("order_back")
        self.back_button.setToolTip(_("Back to the list; everything entered is saved (Alt+B)"))

        self.customer_edit = QLineEdit()
        self.customer_edit.setObjectName("order_customer")
        self.customer_edit.setPlaceholderText(_("Customer code or name, then Enter"))
        self._customer_choices, self.customer_completer = contains_completer(
            self.customer_edit, self
        )
        self.requested_edit = QLineEdit()
        self.requested_edit.setObjectName("order_requested")
        self.requested_edit.setPlaceholderText(_("YYYY-MM-DD (optional)"))
        self.requested_edit.setMaximumWidth(150)
        self.requested_edit.setToolTip(_("When the customer wants the goods"))
        self.reference_edit = QLineEdit()
        self.reference_edit.setObjectName("order_reference")
        self.reference_edit.setMaxLength(100)
        self.reference_edit.setPlaceholderText(_("The customer's order number or name"))
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("order_note")
        self.note_edit.setMaxLength(500)
        self.note_edit.setPlaceholderText(_("Printed on the pick list and delivery note"))
        self.customer_error = error_label()
        self.requested_error = error_label()
        self.reference_error = error_label()
        self.note_error = error_label()
        header = QGridLayout()
        customer_title = QLabel(_("&Customer:"))
        customer_title.setBuddy(self.customer_edit)
        header.addWidget(customer_title, 0, 0)
        header.addWidget(self.customer_edit, 0, 1)
        header.addWidget(QLabel(_("Requested date:")), 0, 2)
        header.addWidget(self.requested_edit, 0, 3)
        header.addWidget(self.customer_error, 1, 1)
        header.addWidget(self.requested_error, 1, 3)
        header.addWidget(QLabel(_("Reference:")), 2, 0)
        header.addWidget(self.reference_edit, 2, 1)
        header.addWidget(QLabel(_("Note:")), 2, 2)
        header.addWidget(self.note_edit, 2, 3)
        header.addWidget(self.reference_error, 3, 1)
        header.addWidget(self.note_error, 3, 3)
        header.setColumnStretch(1, 3)
        header.setColumnStretch(3, 2)

        # --- lines
        self.lines_model: RowTableModel[OrderLineInfo] = RowTableModel(
            line_columns(self._status),
            lambda r: f"{r.sku}\n{r.name}",
            foreground=_line_colour,
            parent=self,
        )
        self.lines_table = lines_table(
            self.lines_model,
            "customer_order_lines",
            {0: 36, 1: 110, 2: 230, 3: 100, 4: 80, 5: 95, 6: 95, 7: 360},
            stretch=7,
            change=self.edit_selected_line,
            remove=self.remove_line,
        )
        self.lines_table.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.total_label = total_label("customer_order_total")

        # --- the line form
        self.item_edit = _ItemField()
        self.item_edit.setObjectName("order_line_item")
        self.item_edit.setPlaceholderText(_("SKU, barcode or name (or scan it), then Enter"))
        self.item_edit.setMinimumWidth(300)
        self._item_choices, self.item_completer = contains_completer(self.item_edit, self)
        self.qty_edit = QLineEdit()
        self.qty_edit.setObjectName("order_line_quantity")
        self.qty_edit.setPlaceholderText(_("Quantity"))
        self.qty_edit.setMaximumWidth(110)
        self.qty_edit.setToolTip(
            _("How many, in the item's unit; Enter puts the line on the order")
        )
        self.price_edit = QLineEdit()
        self.price_edit.setObjectName("order_line_price")
        self.price_edit.setPlaceholderText(_("sales price"))
        self.price_edit.setMaximumWidth(110)
        self.price_edit.setToolTip(_("Price per unit; empty: the item's sales price"))
        self.date_edit = QLineEdit()
        self.date_edit.setObjectName("order_line_date")
        self.date_edit.setPlaceholderText(_("YYYY-MM-DD"))
        self.date_edit.setMaximumWidth(120)
        self.date_edit.setToolTip(_("When the customer wants this line; empty: the order's date"))
        self.item_hint = QLabel()
        self.item_hint.setObjectName("order_line_hint")
        self.item_hint.setProperty("role", "muted")
        self.item_hint.setWordWrap(True)
        self.item_error = error_label()
        self.qty_error = error_label()
        self.price_error = error_label()
        self.date_error = error_label()
        self.add_button = QPushButton(icon("add"), _("&Add line"))
        self.add_button.setObjectName("order_add_line")
        self.add_button.setToolTip(_("Put the line on the order (Enter in the quantity)"))
        self.remove_button = QPushButton(icon("remove"), _("&Remove line"))
        self.remove_button.setObjectName("order_remove_line")
        self.remove_button.setToolTip(_("Take the selected line off the order (Delete)"))
        form = QGridLayout()
        titles = (_("&Item:"), _("&Quantity:"), _("Price:"), _("Requested:"))
        fields = (self.item_edit, self.qty_edit, self.price_edit, self.date_edit)
        for position, (title, widget) in enumerate(zip(titles, fields, strict=True)):
            title_label = QLabel(title)
            title_label.setBuddy(widget)
            form.addWidget(title_label, 0, position)
            form.addWidget(widget, 1, position)
        form.addWidget(self.add_button, 1, 4)
        form.addWidget(self.remove_button, 1, 5)
        form.addWidget(self.item_hint, 2, 0)
        form.addWidget(self.item_error, 3, 0)
        form.addWidget(self.qty_error, 2, 1, 2, 1)
        form.addWidget(self.price_error, 2, 2, 2, 1)
        form.addWidget(self.date_error, 2, 3, 2, 1)
        form.setColumnStretch(0, 1)
        self.line_group = QGroupBox(_("New line"))
        self.line_group.setObjectName("order_line_form")
        QVBoxLayout(self.line_group).addLayout(form)

        # --- bottom
        self.info_label = QLabel()
        self.info_label.setObjectName("order_info")
        self.info_label.setWordWrap(True)
        self.info_label.setProperty("role", "muted")
        self.other_error = error_label()
        self.confirm_button = QPushButton(_("Con&firm order"))
        self.confirm_button.setObjectName("order_confirm")
        self.confirm_button.setToolTip(
            _("Reserve the stock, put the rest on backorder (Ctrl+Enter)")
        )
        self.pick_button = QPushButton(icon("picking"), _("&Pick"))
        self.pick_button.setObjectName("order_pick")
        self.pick_button.setToolTip(_("Open the Picking page on this order (Alt+P)"))
        self.pick_list_button = QPushButton(_("Pick &list…"))
        self.pick_list_button.setObjectName("order_pick_list")
        self.pick_list_button.setToolTip(_("Save the pick list as PDF, sorted by bin (Alt+L)"))
        self.returns_button = QPushButton(_("Re&turns…"))
        self.returns_button.setObjectName("order_returns")
        self.returns_button.setToolTip(_("Book goods the customer sent back (Alt+T)"))
        self.note_button = QPushButton(_("&Delivery note…"))
        self.note_button.setObjectName("order_delivery_note")
        self.note_button.setToolTip(_("Save the delivery note of the latest shipment as PDF"))
        self.close_order_button = QPushButton(_("Cl&ose order…"))
        self.close_order_button.setObjectName("order_close")
        self.close_order_button.setToolTip(_("Close the order; what is still open is dropped"))
        self.cancel_button = QPushButton(_("Cancel order…"))
        self.cancel_button.setObjectName("order_cancel")
        self.cancel_button.setToolTip(_("Cancel the order after asking; its stock is released"))
        self.confirm_button.setMinimumHeight(36)
        bottom = QHBoxLayout()
        bottom.addWidget(self.total_label, 1)
        for button in (
            self.cancel_button,
            self.close_order_button,
            self.returns_button,
            self.note_button,
            self.pick_list_button,
            self.pick_button,
            self.confirm_button,
        ):
            bottom.addWidget(button)

        title_row = QHBoxLayout()
        title_row.addWidget(self.number_label)
        title_row.addWidget(self.status_label, 1)
        title_row.addWidget(self.back_button)
        page = QVBoxLayout(self)
        page.setContentsMargins(0, 8, 0, 0)
        page.addLayout(title_row)
        page.addLayout(header)
        page.addWidget(self.lines_table, 1)
        page.addWidget(self.line_group)
        page.addWidget(self.info_label)
        page.addWidget(self.other_error)
        page.addLayout(bottom)

        self.customer_edit.returnPressed.connect(self.choose_customer)
        self.customer_completer.activated.connect(lambda _text: self.choose_customer())
        self.item_edit.returnPressed.connect(self.choose_item)
        self.item_edit.tab_pressed.connect(self._item_tab)
        self.item_completer.activated.connect(lambda _text: self.choose_item())
        self.item_edit.textEdited.connect(self._item_edited)
        self.price_edit.textEdited.connect(self._price_edited)
        for edit in (self.qty_edit, self.price_edit, self.date_edit):
            edit.returnPressed.connect(self.submit_line)
        for edit in (self.requested_edit, self.reference_edit, self.note_edit):
            edit.returnPressed.connect(self._header_enter)
        self.add_button.clicked.connect(self.submit_line)
        self.remove_button.clicked.connect(self.remove_line)
        self.confirm_button.clicked.connect(self.confirm)
        self.pick_button.clicked.connect(self._pick)
        self.pick_list_button.clicked.connect(self.save_pick_list)
        self.returns_button.clicked.connect(self._returns)
        self.note_button.clicked.connect(self.save_delivery_note)
        self.close_order_button.clicked.connect(self.close_order)
        self.cancel_button.clicked.connect(self.cancel_order)
        self.back_button.clicked.connect(self.close_requested)
        self.lines_table.selectionModel().selectionChanged.connect(self._update_buttons)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            confirm = QShortcut(QKeySequence(keys), self, self.confirm)
            confirm.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._escape)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._show_detail(None)

    # --- opening -------------------------------------------------------------------------
    def mark_stale(self) -> None:
        """Customers or items changed elsewhere: load them again when next opened."""
        self._lists_stale = True

    def new_order(self) -> None:
        """Start a new order: the cursor is in the customer field."""
        self._reset_state()
        self._show_detail(None)
        self.customer_edit.setFocus()
        self._ensure_lists(lambda: self.loaded.emit(None))

    def open_order(self, order_id: int) -> None:
        """Show order ``order_id`` (a draft can be changed, any other followed)."""
        self._reset_state()
        self._ensure_lists(lambda: self._load_order(order_id))

    def _reset_state(self) -> None:
        self.detail = None
        self.customer = None
        self._creating = False
        self._queued = []
        self._in_flight = 0
        self._confirm_wanted = False
        self._reset_form()
        self._clear_errors()
        for edit in (self.customer_edit, self.requested_edit, self.reference_edit, self.note_edit):
            edit.clear()

    def _ensure_lists(self, then: Callable[[], None]) -> None:
        if self._lists_loaded and not self._lists_stale:
            then()
            return
        self._lists_stale = False

        def customers_loaded(rows: list[CustomerRow]) -> None:
            self._customers = rows
            self._customers_by_text = {customer_text(row): row for row in rows}
            self._customer_choices.setStringList(list(self._customers_by_text))
            self._runner.run(
                items.list_items,
                False,
                on_done=items_loaded,
                on_error=self._failed,
                owner=self,
            )

        def items_loaded(rows: list[ItemRow]) -> None:
            texts = [item_text(row.sku, row.name) for row in rows]
            self._items_by_text = {text: row.id for text, row in zip(texts, rows, strict=True)}
            self._item_rows = {row.id: row for row in rows}
            codes: dict[str, int] = {}
            for row in rows:
                for code in row.barcodes:
                    codes.setdefault(code, row.id)
            for row in rows:
                codes[row.sku.lower()] = row.id
            self._items_by_code = codes
            self._item_choices.setStringList(texts)
            self._lists_loaded = True
            then()

        self._runner.run(
            customers.list_customers,
            False,
            on_done=customers_loaded,
            on_error=self._failed,
            owner=self,
        )

    def _load_order(self, order_id: int) -> None:
        def shown(detail: OrderDetail) -> None:
            self._show_detail(detail)
            if detail.editable:
                self.item_edit.setFocus()
            else:
                self.lines_table.setFocus()
            self.loaded.emit(detail)

        self._runner.run(
            orders.get_order, order_id, on_done=shown, on_error=self._failed, owner=self
        )

    def reload(self) -> None:
        """Read the order again (it may have been picked or shipped elsewhere)."""
        if self.detail is not None:
            self._load_order(self.detail.id)

    # --- showing -------------------------------------------------------------------------
    def _status(self) -> OrderStatus:
        return self.detail.status if self.detail is not None else OrderStatus.DRAFT

    def _show_detail(self, detail: OrderDetail | None) -> None:
        self.detail = detail
        editable = detail is None or detail.editable
        if detail is None:
            self.number_label.setText(_("New order"))
            self.status_label.setText(_("not saved yet: the first line saves it as a draft"))
            self.lines_model.set_rows([])
            self.total_label.setText("")
            self.info_label.setText(
                _(
                    "Customer, Enter; then per line: item, Enter, quantity, Enter. "
                    "Ctrl+Enter confirms the order."
                )
            )
        else:
            self.number_label.setText(detail.number)
            self.status_label.setText(detail.status_text)
            self.customer = next(
                (c for c in self._customers if c.id == detail.customer_id), self.customer
            )
            self.customer_edit.setText(f"{detail.customer_code} — {detail.customer_name}")
            self.requested_edit.setText(
                detail.requested_date.isoformat() if detail.requested_date else ""
            )
            self.reference_edit.setText(detail.customer_reference)
            self.note_edit.setText(detail.note)
            self.lines_model.set_rows(detail.lines)
            self.total_label.setText(total_text(detail.total, detail.currency))
            self.info_label.setText(_order_info(detail))
        # The customer is chosen once: the draft is theirs.
        self.customer_edit.setReadOnly(detail is not None)
        for edit in (self.requested_edit, self.reference_edit, self.note_edit):
            edit.setReadOnly(not editable)
        self.line_group.setVisible(editable)
        self._update_buttons()

    def _update_buttons(self, *_args: object) -> None:
        detail = self.detail
        status = detail.status if detail is not None else OrderStatus.DRAFT
        editable = detail is None or detail.editable
        self.confirm_button.setVisible(editable)
        self.confirm_button.setEnabled(detail is not None and bool(detail.lines))
        self.remove_button.setEnabled(editable and self.selected_line() is not None)
        self.pick_button.setVisible(status in PICKABLE)
        self.pick_list_button.setVisible(status in PICKABLE)
        self.returns_button.setVisible(status in SHIPPED_ANY)
        self.note_button.setVisible(status in SHIPPED_ANY)
        self.close_order_button.setVisible(
            status in (OrderStatus.PARTLY_SHIPPED, OrderStatus.SHIPPED)
        )
        # An order that has shipped something is closed, not cancelled.
        self.cancel_button.setVisible(
            detail is not None
            and status in (OrderStatus.DRAFT, OrderStatus.CONFIRMED, OrderStatus.PICKING)
        )
        self.line_group.setTitle(
            _("Change line {n}").format(n=self._editing_line.line_no)
            if self._editing_line is not None
            else _("New line")
        )
        self.add_button.setText(_("&Save line") if self._editing_line else _("&Add line"))

    def selected_line(self) -> OrderLineInfo | None:
        """The line selected in the table."""
        rows = self.lines_table.selectionModel().selectedRows()
        return self.lines_model.row_at(rows[0].row()) if rows else None

    # --- the customer --------------------------------------------------------------------
    def choose_customer(self) -> None:
        """Take the customer typed (a suggestion, a code, or a unique part of a name)."""
        if self.detail is not None:
            self.item_edit.setFocus()
            return
        text = self.customer_edit.text().strip()
        if self.customer is not None and text == customer_text(self.customer):
            self.item_edit.setFocus()  # Enter after picking a suggestion: already taken
            return
        self._set_error("customer", "")
        if not text:
            self._set_error("customer", _("Type the customer's code or name."))
            return
        found = self._customers_by_text.get(text)
        if found is None:
            lowered = text.lower()
            found = next((c for c in self._customers if c.code.lower() == lowered), None)
        if found is None:
            matches = [
                c for c in self._customers if lowered in c.code.lower() or lowered in c.name.lower()
            ]
            if len(matches) == 1:
                found = matches[0]
            elif matches:
                self._set_error(
                    "customer",
                    _("“{text}” matches {n} customers: pick one from the list.").format(
                        text=text, n=len(matches)
                    ),
                )
                self.customer_completer.setCompletionPrefix(text)
                self.customer_completer.complete()
                return
            else:
                self._set_error(
                    "customer",
                    _(
                        "No active customer has the code or name “{text}”. Add the customer "
                        "on the Customers tab first."
                    ).format(text=text),
                )
                return
        self.customer = found
        _hide_popup(self.customer_completer)
        self.customer_edit.setText(customer_text(found))
        self.item_edit.setFocus()
        self.item_edit.selectAll()
        self.customer_chosen.emit(found)

    # --- the item of a line --------------------------------------------------------------
    def _item_edited(self, _text: str) -> None:
        # Typing over a chosen item starts a new choice.
        if self._item is not None and self.item_edit.text() != self._chosen_text:
            self._item = None
            self._chosen_text = ""
            self.item_hint.clear()

    def _price_edited(self, _text: str) -> None:
        self._price_typed = True

    def _item_tab(self) -> None:
        if self.item_edit.text().strip() and self._item is None:
            self.choose_item()
        else:
            self.qty_edit.setFocus(Qt.FocusReason.TabFocusReason)

    def choose_item(self) -> None:
        """Take the item typed or scanned in the item field: a suggestion, a SKU, a
        barcode or a unique part of a name; then the cursor goes to the quantity."""
        text = self.item_edit.text().strip()
        self._set_error("item", "")
        if not text:
            if self._item is None:
                self._set_error("item", _("Type the item's SKU, barcode or name."))
            return
        if self._item is not None and text == self._chosen_text:
            self.qty_edit.setFocus()
            self.qty_edit.selectAll()
            return
        item_id = (
            self._items_by_text.get(text)
            or self._items_by_code.get(text)
            or (self._items_by_code.get(text.lower()))
        )
        if item_id is not None:
            self._take_item(item_id)
            return
        lowered = text.lower()
        matches = [t for t in self._items_by_text if lowered in t.lower()]
        if len(matches) == 1:
            self._take_item(self._items_by_text[matches[0]])
            return
        if matches:
            self._set_error(
                "item",
                _("“{text}” matches {n} items: pick one from the list.").format(
                    text=text, n=len(matches)
                ),
            )
            self.item_completer.setCompletionPrefix(text)
            self.item_completer.complete()
            return

        # Not in the list loaded at opening (made since, or a code only the database knows).
        def found(choices: list[ItemChoice]) -> None:
            if len(choices) == 1:
                self._item_shown(choices[0], None)
            elif choices:
                self._set_error(
                    "item",
                    _("“{text}” matches {n} items: pick one from the list.").format(
                        text=text, n=len(choices)
                    ),
                )
            else:
                self._set_error(
                    "item",
                    _("No active item has the SKU, barcode or name “{text}”.").format(text=text),
                )

        self._runner.run(
            orders.find_items_for_order, text, on_done=found, on_error=self._failed, owner=self
        )

    def _take_item(self, item_id: int, quantity: Decimal | None = None) -> None:
        """Choose ``item_id`` at once (from the list loaded at opening); its price and what
        is available follow from the database without holding up the typing."""
        row = self._item_rows.get(item_id)
        if row is None:
            self._runner.run(
                items.get_item,
                item_id,
                on_done=lambda detail: self._choose_by_sku(detail.sku, quantity),
                on_error=self._failed,
                owner=self,
            )
            return
        choice = ItemChoice(
            item_id=row.id,
            sku=row.sku,
            name=row.name,
            unit=row.unit,
            policy=row.policy,
            sales_price=None,
            available=Decimal(0),
        )
        self._item_shown(choice, quantity, complete=False)
        self._choose_by_sku(row.sku, quantity, refine=True)

    def _choose_by_sku(self, sku: str, quantity: Decimal | None, refine: bool = False) -> None:
        def found(choices: list[ItemChoice]) -> None:
            match = next((c for c in choices if c.sku == sku), None)
            if match is None:
                self._set_error(
                    "item",
                    _("{sku} cannot be sold: it is inactive or gone.").format(sku=sku),
                )
                return
            if refine and (self._item is None or self._item.item_id != match.item_id):
                return  # the worker has moved on to another item meanwhile
            self._item_shown(match, None if refine else quantity, move_focus=not refine)

        self._runner.run(
            orders.find_items_for_order, sku, on_done=found, on_error=self._failed, owner=self
        )

    def _item_shown(
        self,
        choice: ItemChoice,
        quantity: Decimal | None,
        *,
        complete: bool = True,
        move_focus: bool = True,
    ) -> None:
        first = self._item is None or self._item.item_id != choice.item_id
        self._item = choice
        self._chosen_text = item_text(choice.sku, choice.name)
        _hide_popup(self.item_completer)
        self.item_edit.setText(self._chosen_text)
        self._set_error("item", "")
        on_order = self._line_of(choice.item_id)
        if first and on_order is not None and self._editing_line is None:
            # The same item twice: its line is changed instead (a second scan adds to it).
            self._editing_line = on_order
            self.qty_edit.setText(fmt_qty_edit(on_order.quantity + (quantity or Decimal(0))))
            self.price_edit.setText(fmt_money_edit(on_order.unit_price))
            self._price_typed = True
            self.date_edit.setText(
                on_order.requested_date.isoformat() if on_order.requested_date else ""
            )
            self._update_buttons()
        elif quantity is not None:
            if self._editing_line is not None and not first:
                current = _parsed(self.qty_edit.text()) or Decimal(0)
                self.qty_edit.setText(fmt_qty_edit(current + quantity))
            else:
                self.qty_edit.setText(fmt_qty_edit(quantity))
        if complete and not self._price_typed and choice.sales_price is not None:
            self.price_edit.setText(fmt_money_edit(choice.sales_price))
        self.item_hint.setText(self._hint(choice, on_order, complete))
        if move_focus:
            self.qty_edit.setFocus()
            self.qty_edit.selectAll()
        if complete:
            self.item_chosen.emit(choice)

    def _hint(self, choice: ItemChoice, on_order: OrderLineInfo | None, known: bool) -> str:
        parts: list[str] = []
        if on_order is not None:
            parts.append(
                _("Already on line {n}: Enter saves its new quantity.").format(n=on_order.line_no)
            )
        if choice.policy is Policy.ZERO_POINT:
            parts.append(_("Zero-point item: bought for this order when it is confirmed."))
        elif known:
            if choice.available > 0:
                parts.append(
                    _("{qty} {unit} available").format(
                        qty=fmt_qty(choice.available), unit=choice.unit
                    )
                )
            else:
                parts.append(_("None available: it goes on backorder."))
        if known:
            if choice.sales_price is None:
                parts.append(_("No sales price: type the price."))
            else:
                parts.append(
                    _("sales price {price} per {unit}").format(
                        price=fmt_unit_cost(choice.sales_price), unit=choice.unit
                    )
                )
        return " · ".join(parts)

    def _line_of(self, item_id: int) -> OrderLineInfo | None:
        if self.detail is None:
            return None
        return next((line for line in self.detail.lines if line.item_id == item_id), None)

    def take_scan(self, result: ScanResult) -> bool:
        """A scan while entering: its item goes into the line, its count into the quantity."""
        if self.detail is not None and not self.detail.editable:
            return False
        if result.outcome == "bin":
            # Not the Stock page's bin view in the middle of an order: say what it was.
            self._set_error(
                "item",
                _("That is the label of bin {code}: scan the goods.").format(code=result.bin_code),
            )
            return True
        if result.outcome != "item" or result.item_id is None:
            return False
        if self.customer is None and self.detail is None:
            self._set_error("customer", _("Choose the customer first, then scan the goods."))
            self.customer_edit.setFocus()
            return True
        if self._item is not None and self._item.item_id == result.item_id:
            current = _parsed(self.qty_edit.text()) or Decimal(0)
            self.qty_edit.setText(fmt_qty_edit(current + result.quantity))
            self.qty_edit.setFocus()
            self.qty_edit.selectAll()
            return True
        if self._item is not None and self.qty_edit.text().strip():
            # A scan of the next item puts the line being typed on the order first.
            self.submit_line()
            if self._item is not None:
                return True  # the line was refused; its error shows
        self._reset_form()
        self._take_item(result.item_id, result.quantity)
        return True

    # --- line actions --------------------------------------------------------------------
    def submit_line(self) -> None:
        """Put the line in the form on the order (or save the changed line); the form is
        free for the next line at once."""
        if self.detail is not None and not self.detail.editable:
            return
        draft = self._line_draft()
        if draft is None:
            return
        self._reset_form()
        self.item_edit.setFocus()
        self._send(draft)

    def _line_draft(self) -> _LineDraft | None:
        """The line as typed, checked as far as that needs no database; None (with the
        problem shown under its field) when it cannot be sent."""
        self._clear_line_errors()
        if self.customer is None and self.detail is None:
            self._set_error("customer", _("Choose the customer first."))
            self.customer_edit.setFocus()
            return None
        if self._item is None:
            if self.item_edit.text().strip():
                self._set_error(
                    "item", _("Press Enter in the item field to choose the item first.")
                )
            else:
                self._set_error("item", _("Type the item's SKU, barcode or name."))
            self.item_edit.setFocus()
            return None
        text = self.qty_edit.text().strip()
        if not text:
            self._set_error("quantity", _("Type how many the customer wants."))
            self.qty_edit.setFocus()
            return None
        try:
            parse_quantity(text)
        except ValidationError as error:
            self._set_error("quantity", error.message)
            self.qty_edit.setFocus()
            self.qty_edit.selectAll()
            return None
        return _LineDraft(
            item_id=self._item.item_id,
            sku=self._item.sku,
            item_text=self._chosen_text,
            quantity=text,
            price=self.price_edit.text().strip() if self._price_typed else "",
            date=self.date_edit.text().strip(),
            line_id=self._editing_line.id if self._editing_line is not None else None,
        )

    def _send(self, draft: _LineDraft) -> None:
        if self.detail is None:
            if self._creating:
                self._queued.append(draft)
                return
            self._create(draft)
            return
        self._in_flight += 1
        if draft.line_id is not None:
            self._runner.run(
                orders.update_order_line,
                self._user.id,
                draft.line_id,
                quantity=draft.quantity,
                unit_price=draft.price or None,
                requested_date=draft.date,
                on_done=self._line_saved,
                on_error=lambda error: self._line_failed(error, draft),
                owner=self,
            )
            return
        self._runner.run(
            orders.add_order_line,
            self._user.id,
            self.detail.id,
            draft.item_id,
            draft.quantity,
            unit_price=draft.price or None,
            requested_date=draft.date or None,
            on_done=self._line_saved,
            on_error=lambda error: self._line_failed(error, draft),
            owner=self,
        )

    def _create(self, draft: _LineDraft) -> None:
        assert self.customer is not None
        self._creating = True
        self._in_flight += 1
        self._runner.run(
            orders.create_order,
            self._user.id,
            self.customer.id,
            requested_date=self.requested_edit.text().strip() or None,
            customer_reference=self.reference_edit.text(),
            note=self.note_edit.text(),
            lines=[
                orders.OrderLineInput(
                    draft.item_id, draft.quantity, draft.price or None, draft.date or None
                )
            ],
            on_done=self._created,
            on_error=lambda error: self._create_failed(error, draft),
            owner=self,
        )

    def _created(self, detail: OrderDetail) -> None:
        self._creating = False
        self.status_message.emit(_("{number} is saved as a draft.").format(number=detail.number))
        queued, self._queued = self._queued, []
        self._line_saved(detail)
        for draft in queued:
            self._send(draft)

    def _create_failed(self, error: HyllaError, draft: _LineDraft) -> None:
        self._creating = False
        queued, self._queued = self._queued, []
        self._line_failed(error, draft)
        if queued:
            self.other_error.setText(
                self.other_error.text()
                + "\n"
                + _("Not saved either: {lines}. Enter them again.").format(
                    lines=", ".join(d.sku for d in queued)
                )
            )
            self.other_error.show()

    def _line_saved(self, detail: OrderDetail) -> None:
        self._in_flight = max(0, self._in_flight - 1)
        keep_editing = self._editing_line
        self._show_detail(detail)
        if keep_editing is not None:
            self._editing_line = next((ln for ln in detail.lines if ln.id == keep_editing.id), None)
            self._update_buttons()
        if detail.lines:
            self.lines_table.scrollToBottom()
        self.saved.emit(detail)
        if self._in_flight == 0 and self._confirm_wanted:
            self._confirm_now()

    def _line_failed(self, error: HyllaError, draft: _LineDraft) -> None:
        self._in_flight = max(0, self._in_flight - 1)
        self._confirm_wanted = False
        if self._item is None and not self.item_edit.text().strip() and not self.qty_edit.text():
            # Nothing typed since: the refused line goes back into the form to be put right.
            self._restore(draft)
            self._show_errors(error, line=True)
        else:
            self.other_error.setText(
                _("{sku} was not put on the order: {reason}").format(
                    sku=draft.sku, reason=error.message
                )
            )
            self.other_error.show()
        self.line_refused.emit(error.message)

    def _restore(self, draft: _LineDraft) -> None:
        row = self._item_rows.get(draft.item_id)
        self._item = ItemChoice(
            item_id=draft.item_id,
            sku=draft.sku,
            name=row.name if row else "",
            unit=row.unit if row else "",
            policy=row.policy if row else Policy.MANUAL,
            sales_price=None,
            available=Decimal(0),
        )
        self._chosen_text = draft.item_text
        self.item_edit.setText(draft.item_text)
        self.qty_edit.setText(draft.quantity)
        self.price_edit.setText(draft.price)
        self._price_typed = bool(draft.price)
        self.date_edit.setText(draft.date)
        if draft.line_id is not None and self.detail is not None:
            self._editing_line = next(
                (ln for ln in self.detail.lines if ln.id == draft.line_id), None
            )
        self._update_buttons()

    def edit_selected_line(self) -> None:
        """Load the selected line into the form to change it (Enter in the table)."""
        line = self.selected_line()
        if line is None or self.detail is None or not self.detail.editable:
            return
        self._reset_form()
        self._editing_line = line
        self._item = ItemChoice(
            item_id=line.item_id,
            sku=line.sku,
            name=line.name,
            unit=line.unit,
            policy=line.policy,
            sales_price=None,
            available=Decimal(0),
        )
        self._chosen_text = item_text(line.sku, line.name)
        self.item_edit.setText(self._chosen_text)
        self.qty_edit.setText(fmt_qty_edit(line.quantity))
        self.price_edit.setText(fmt_money_edit(line.unit_price))
        self._price_typed = True
        self.date_edit.setText(line.requested_date.isoformat() if line.requested_date else "")
        self.item_hint.setText(_("Changing line {n}: Enter saves it.").format(n=line.line_no))
        self._update_buttons()
        self.qty_edit.setFocus()
        self.qty_edit.selectAll()

    def remove_line(self) -> None:
        """Take the selected line off the draft (Delete)."""
        line = self.selected_line()
        if line is None or self.detail is None or not self.detail.editable:
            return
        self._in_flight += 1
        self._runner.run(
            orders.remove_order_line,
            self._user.id,
            line.id,
            on_done=self._line_saved,
            on_error=self._remove_failed,
            owner=self,
        )

    def _remove_failed(self, error: HyllaError) -> None:
        self._in_flight = max(0, self._in_flight - 1)
        self._action_failed(error)

    def _reset_form(self) -> None:
        self._item = None
        self._chosen_text = ""
        self._editing_line = None
        self._price_typed = False
        for edit in (self.item_edit, self.qty_edit, self.price_edit, self.date_edit):
            edit.clear()
        self.item_hint.clear()
        self._clear_line_errors()
        self._update_buttons()

    def _escape(self) -> None:
        # Esc drops the line being typed; on an empty form it goes back to the list.
        if self._item is not None or self.item_edit.text() or self.qty_edit.text():
            self._reset_form()
            self.item_edit.setFocus()
            return
        for completer in (self.item_completer, self.customer_completer):
            popup = completer.popup()
            if popup is not None and popup.isVisible():
                return
        self.close_requested.emit()

    # --- header --------------------------------------------------------------------------
    def _header_values(self) -> tuple[str, str, str]:
        return (
            self.requested_edit.text().strip(),
            self.reference_edit.text().strip(),
            self.note_edit.text().strip(),
        )

    def _header_dirty(self) -> bool:
        detail = self.detail
        if detail is None or not detail.editable:
            return False
        stored = (
            detail.requested_date.isoformat() if detail.requested_date else "",
            detail.customer_reference,
            detail.note,
        )
        return self._header_values() != stored

    def _header_enter(self) -> None:
        if self.detail is None:
            self.item_edit.setFocus()
            return
        if self._header_dirty():
            self.save_header()
        self.item_edit.setFocus()

    def save_header(self) -> None:
        """Save the draft's requested date, reference and note."""
        if self.detail is None or not self.detail.editable:
            return
        requested, reference, note = self._header_values()
        self._in_flight += 1
        self._runner.run(
            orders.update_order,
            self._user.id,
            self.detail.id,
            requested_date=requested or None,
            customer_reference=reference,
            note=note,
            on_done=self._line_saved,
            on_error=self._header_failed,
            owner=self,
        )

    def _header_failed(self, error: HyllaError) -> None:
        self._in_flight = max(0, self._in_flight - 1)
        self._confirm_wanted = False
        self._show_errors(error)

    # --- confirming ----------------------------------------------------------------------
    def confirm(self) -> None:
        """Confirm the order (Ctrl+Enter), with the line still in the form if there is one:
        stock is reserved, the rest goes on backorder, zero-point items get their need."""
        if self.detail is not None and not self.detail.editable:
            return
        if self._item is not None or self.qty_edit.text().strip():
            draft = self._line_draft()
            if draft is None:
                return
            self._reset_form()
            self._send(draft)
        elif self.item_edit.text().strip():
            self._set_error("item", _("Press Enter in the item field to choose the item first."))
            self.item_edit.setFocus()
            return
        if self.detail is None and not self._creating:
            self._set_error("item", _("Add what the customer orders before confirming."))
            self.item_edit.setFocus()
            return
        if self._header_dirty():
            self.save_header()
        self._confirm_wanted = True
        if self._in_flight == 0:
            self._confirm_now()

    def _confirm_now(self) -> None:
        self._confirm_wanted = False
        if self.detail is None:
            return
        self.confirm_button.setEnabled(False)
        self._runner.run(
            orders.confirm_order,
            self._user.id,
            self.detail.id,
            on_done=self._confirmed,
            on_error=self._action_failed,
            owner=self,
        )

    def _confirmed(self, result: OrderConfirmed) -> None:
        self._clear_errors()
        self._show_detail(result.order)
        self.info_label.setText(result.message + "\n" + _order_info(result.order))
        self.status_message.emit(result.message)
        self.lines_table.setFocus()
        self.saved.emit(result.order)
        self.confirmed.emit(result)

    # --- after confirming ----------------------------------------------------------------
    def cancel_order(self) -> CancelOrderDialog | None:
        """Ask (with a reason), then cancel the order; its reservations are released."""
        if self.detail is None:
            return None
        dialog = CancelOrderDialog(self.detail, self.window())
        self._ask_then_run(
            dialog,
            self.detail.id,
            orders.cancel_order,
            lambda done: _("{number} is cancelled.").format(number=done.number),
        )
        return dialog

    def close_order(self) -> CloseOrderDialog | None:
        """Ask, then close a shipped (or partly shipped) order."""
        if self.detail is None:
            return None
        dialog = CloseOrderDialog(self.detail, self.window())
        self._ask_then_run(
            dialog,
            self.detail.id,
            orders.close_order,
            lambda done: _("{number} is closed.").format(number=done.number),
        )
        return dialog

    def _ask_then_run(
        self,
        dialog: ReasonDialog,
        order_id: int,
        action: Callable[..., OrderDetail],
        done_text: Callable[[OrderDetail], str],
    ) -> None:
        """Open ``dialog``; once it is accepted, run ``action`` on order ``order_id`` with
        the reason given, and say ``done_text`` of the order it returns."""

        def answered(result: int) -> None:
            if result:
                self._runner.run(
                    action,
                    self._user.id,
                    order_id,
                    dialog.reason(),
                    on_done=lambda done: self._changed(done, done_text(done)),
                    on_error=self._action_failed,
                    owner=self,
                )

        dialog.finished.connect(answered)
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _changed(self, detail: OrderDetail, message: str) -> None:
        self._clear_errors()
        self._show_detail(detail)
        self.status_message.emit(message)
        self.saved.emit(detail)

    def _pick(self) -> None:
        if self.detail is not None and self.detail.status in PICKABLE:
            self.pick_requested.emit(self.detail.id)

    def _returns(self) -> None:
        if self.detail is not None and self.detail.status in SHIPPED_ANY:
            self.returns_requested.emit(self.detail)

    def save_pick_list(self) -> None:
        """Save the pick list (sorted by bin) as PDF, then offer to open it."""
        detail = self.detail
        if detail is None or detail.status not in PICKABLE:
            return
        path = choose_pdf_path(
            self,
            _("Save pick list"),
            suggested_pdf_path(
                self._settings, _("pick-list-{number}").format(number=detail.number)
            ),
        )
        if path is None:
            return
        save_pdf_then_offer(
            self,
            self._runner,
            self._settings,
            path,
            picking.pick_list_pdf,
            detail.id,
            saved=lambda saved: self._pdf_saved(_("Pick list saved: {path}"), saved),
            title=_("Pick list saved"),
            question=_("The pick list is saved in {path}. Open it now?"),
            failed=self._action_failed,
        )

    def save_delivery_note(self) -> None:
        """Save the delivery note of the order's latest shipment as PDF (a copy for the
        customer, say), then offer to open it."""
        detail = self.detail
        if detail is None or detail.status not in SHIPPED_ANY:
            return

        def found(shipment_id: int) -> None:
            path = choose_pdf_path(
                self,
                _("Save delivery note"),
                suggested_pdf_path(
                    self._settings, _("delivery-note-{number}").format(number=detail.number)
                ),
            )
            if path is None:
                return
            save_pdf_then_offer(
                self,
                self._runner,
                self._settings,
                path,
                shipping.delivery_note_pdf,
                shipment_id,
                saved=lambda saved: self._pdf_saved(_("Delivery note saved: {path}"), saved),
                title=_("Delivery note saved"),
                question=_("The delivery note is saved in {path}. Open it now?"),
                failed=self._action_failed,
            )

        self._runner.run(
            shipping.latest_shipment_id,
            detail.id,
            on_done=found,
            on_error=self._action_failed,
            owner=self,
        )

    def _pdf_saved(self, said: str, path: Path) -> None:
        """A document of the order was written to ``path``: say so (``said`` has a
        ``{path}`` field) and tell who listens."""
        self.status_message.emit(said.format(path=path))
        self.pdf_saved.emit(path)

    # --- errors --------------------------------------------------------------------------
    def _fields(self) -> dict[str, tuple[QWidget, QLabel]]:
        return {
            "customer": (self.customer_edit, self.customer_error),
            "requested_date": (self.requested_edit, self.requested_error),
            "customer_reference": (self.reference_edit, self.reference_error),
            "note": (self.note_edit, self.note_error),
            "item": (self.item_edit, self.item_error),
            "quantity": (self.qty_edit, self.qty_error),
            "unit_price": (self.price_edit, self.price_error),
            "line_date": (self.date_edit, self.date_error),
        }

    def _set_error(self, field: str, message: str) -> None:
        widget, label = self._fields()[field]
        label.setText(message)
        label.setVisible(bool(message))
        mark_error(widget, bool(message))
        if message:
            widget.setFocus()

    def _clear_line_errors(self) -> None:
        for field in ("item", "quantity", "unit_price", "line_date"):
            self._set_error(field, "")
        self.other_error.hide()

    def _clear_errors(self) -> None:
        for field in self._fields():
            self._set_error(field, "")
        self.other_error.hide()

    def _show_errors(self, error: HyllaError, line: bool = False) -> None:
        errors = field_messages(error)
        if line and "requested_date" in errors:
            # A line's own date and the order's share the service's field name.
            errors["line_date"] = errors.pop("requested_date")
        # Earlier objections stand until their field is changed.
        show_messages(errors, self._fields(), self.other_error, clear_others=False)

    def _action_failed(self, error: HyllaError) -> None:
        self._confirm_wanted = False
        self._update_buttons()
        self._show_errors(error)
        self.line_refused.emit(error.message)

    def _failed(self, error: HyllaError) -> None:
        self.other_error.setText(error.message)
        self.other_error.show()


def _hide_popup(completer: QCompleter) -> None:
    # The choice is made: the suggestions must not stay open over the next field. The
    # window takes the keyboard back at once (a window system without a window manager,
    # as on a kiosk workstation, leaves it with the closed popup).
    popup = completer.popup()
    if popup is not None and popup.isVisible():
        popup.hide()
        widget = completer.widget()
        if widget is not None:
            widget.window().activateWindow()


def _parsed(text: str) -> Decimal | None:
    try:
        return parse_quantity(text, allow_zero=True)
    except ValidationError:
        return None


def _order_info(detail: OrderDetail) -> str:
    """One line about the order: for whom, from whom, what is waiting."""
    parts = [
        _("{customer} · entered {date} by {user}").format(
            customer=detail.customer_name,
            date=fmt_date(detail.order_date),
            user=detail.created_by,
        )
    ]
    if detail.customer_reference:
        parts.append(_("their reference {ref}").format(ref=detail.customer_reference))
    waiting = [line for line in detail.lines if line.backordered > 0]
    if detail.active and waiting:
        latest = max((ln.expected_date for ln in waiting if ln.expected_date), default=None)
        text = _("{n} of {lines} lines on backorder").format(
            n=len(waiting), lines=len(detail.lines)
        )
        if latest is not None:
            text += ", " + _("all expected by {date}").format(date=fmt_date(latest))
        parts.append(text)
    return " · ".join(parts)
