"""The Orders page: customer orders and the customer register, in two tabs.

The Orders tab lists every order with its customer, status, dates, lines, value and what
is on backorder, filtered by status and as you type. New order (Alt+N) and Enter on an
order open the order editor in place of the list (:mod:`app.ui.order_editor`), so a scan
reaches the order being entered; Esc or "Back to orders" returns. The Customers tab is
the register (:mod:`app.ui.customers_page`).

Picking has a page of its own, built for the scanner; "Pick" here opens it on the order.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSettings, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.models.orders import OrderStatus
from app.services import orders
from app.services.orders import OrderDetail, OrderRow, status_label
from app.services.scanning import ScanResult
from app.services.users import UserRef
from app.ui.customers_page import CustomersPage
from app.ui.formatting import fmt_count, fmt_date, fmt_money
from app.ui.list_page import filter_field, muted_label
from app.ui.order_editor import PICKABLE, OrderEditor
from app.ui.order_list import ALL_STATUSES, OPEN_STATUSES, OrderListPage, status_combo
from app.ui.runner import Runner
from app.ui.table_model import MUTED, Column, RowTableModel
from app.ui.widgets import ListLoader, error_label, icon, make_table_view, set_column_widths

OPEN = (OrderStatus.DRAFT, *PICKABLE)
BACKORDER_TEXT = QColor("#8a4b00")


def order_search_text(row: OrderRow) -> str:
    """What the filter looks in: number, customer code and name, status."""
    return "\n".join((row.number, row.customer_code, row.customer_name, row.status_text))


def _backorder_text(row: OrderRow) -> str:
    if not row.backorder_lines or row.status not in PICKABLE:
        return ""
    text = ngettext("{n} line", "{n} lines", row.backorder_lines).format(n=row.backorder_lines)
    if row.expected_date is not None:
        text += " · " + _("expected {date}").format(date=fmt_date(row.expected_date))
    return text


def order_columns() -> list[Column[OrderRow]]:
    """Columns of the order list."""
    return [
        Column(_("Order"), lambda r: r.number, sort_key=lambda r: int(r.number.split("-")[-1])),
        Column(_("Customer"), lambda r: f"{r.customer_code} — {r.customer_name}"),
        Column(_("Status"), lambda r: r.status_text),
        Column(_("Order date"), lambda r: fmt_date(r.order_date), sort_key=lambda r: r.order_date),
        Column(
            _("Requested"),
            lambda r: fmt_date(r.requested_date),
            sort_key=lambda r: r.requested_date,
            tooltip=_("When the customer wants the goods."),
        ),
        Column(_("Lines"), lambda r: fmt_count(r.lines), sort_key=lambda r: r.lines, numeric=True),
        Column(
            _("Value"),
            lambda r: f"{fmt_money(r.total)} {r.currency}",
            sort_key=lambda r: r.total,
            numeric=True,
        ),
        Column(
            _("Backorder"),
            _backorder_text,
            sort_key=lambda r: r.backorder_lines,
            tooltip=_("Lines waiting for stock, and when the last of it is expected."),
        ),
    ]


def _row_colour(row: OrderRow) -> QColor | None:
    # Finished orders step back; orders waiting for stock stand out.
    if row.status in (OrderStatus.CLOSED, OrderStatus.CANCELLED, OrderStatus.SHIPPED):
        return MUTED
    if row.backorder_lines and row.status in PICKABLE:
        return BACKORDER_TEXT
    return None


class OrdersPage(OrderListPage[OrderRow], QWidget):
    """Customer orders (list and editor) and customers."""

    status_message = Signal(str)
    #: Orders or customers changed: other pages (stock, picking, proposals) are stale.
    data_changed = Signal()
    #: A fresh list is shown (the number of orders in it).
    orders_loaded = Signal(int)
    #: "Pick" on an order: the window opens the Picking page on it (the order id).
    pick_requested = Signal(int)
    #: A dialog opened (for tests).
    dialog_opened = Signal(object)

    #: What "Open orders" lists: drafts and what can still be picked.
    open_statuses = OPEN
    ORDERS_TAB, CUSTOMERS_TAB = range(2)
    LIST, EDITOR = range(2)
    NUMBER, CUSTOMER, STATUS, ORDER_DATE, REQUESTED, LINES, VALUE, BACKORDER = range(8)

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
        self._settings = settings if settings is not None else QSettings()
        self._rows: list[OrderRow] = []
        self._select_after_load: int | None = None
        self._loader = ListLoader(runner, orders.list_orders, self._show_rows, self)

        # --- the list
        self.model: RowTableModel[OrderRow] = RowTableModel(
            order_columns(), order_search_text, foreground=_row_colour, parent=self
        )
        self.filter_edit = filter_field(
            "customer_orders_filter", _("Filter by order number or customer  (Ctrl+F)")
        )
        self.status_combo = status_combo("customer_orders_status", 18)
        self.status_combo.addItem(_("Open orders"), OPEN_STATUSES)
        self.status_combo.setItemData(
            0, _("Draft, confirmed, picking and partly shipped"), Qt.ItemDataRole.ToolTipRole
        )
        self.status_combo.addItem(_("All orders"), ALL_STATUSES)
        for status in OrderStatus:
            self.status_combo.addItem(status_label(status), status.value)
        self.count_label = muted_label()
        self.table = make_table_view(self.model)
        self.table.setObjectName("customer_orders_table")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(self.NUMBER, Qt.SortOrder.DescendingOrder)
        set_column_widths(
            self.table,
            {
                self.NUMBER: 95,
                self.CUSTOMER: 260,
                self.STATUS: 120,
                self.ORDER_DATE: 100,
                self.REQUESTED: 100,
                self.LINES: 60,
                self.VALUE: 130,
                self.BACKORDER: 190,
            },
            stretch=self.CUSTOMER,
        )
        self.empty_hint = muted_label(
            _("No customer orders yet. Press New order to enter one."), hidden=True
        )
        self.error_label = error_label()
        self.new_button = QPushButton(icon("add"), _("&New order"))
        self.new_button.setObjectName("new_customer_order")
        self.new_button.setToolTip(_("Enter a new customer order (Alt+N)"))
        self.open_button = QPushButton(_("&Open"))
        self.open_button.setObjectName("open_customer_order")
        self.open_button.setToolTip(_("Open the selected order (Enter)"))
        self.pick_button = QPushButton(icon("picking"), _("&Pick"))
        self.pick_button.setObjectName("pick_customer_order")
        self.pick_button.setToolTip(_("Open the Picking page on the selected order (Alt+P)"))
        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 2)
        bar.addWidget(self.status_combo)
        bar.addWidget(self.count_label, 1)
        bar.addWidget(self.new_button)
        actions = QHBoxLayout()
        actions.addWidget(self.open_button)
        actions.addStretch(1)
        actions.addWidget(self.pick_button)
        list_panel = QWidget()
        list_layout = QVBoxLayout(list_panel)
        list_layout.setContentsMargins(0, 8, 0, 0)
        list_layout.addLayout(bar)
        list_layout.addWidget(self.empty_hint)
        list_layout.addWidget(self.error_label)
        list_layout.addWidget(self.table, 1)
        list_layout.addLayout(actions)

        # --- the editor
        self.editor = OrderEditor(runner, user, self._settings)
        self.stack = QStackedWidget()
        self.stack.addWidget(list_panel)
        self.stack.addWidget(self.editor)

        # --- the customers
        self.customers = CustomersPage(runner, user)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("orders_tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.stack, icon("orders"), _("Orders"))
        self.tabs.addTab(self.customers, _("Customers"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.tabs)

        self.filter_edit.textChanged.connect(self._filter_changed)
        self.status_combo.currentIndexChanged.connect(self._apply_status)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self.table.doubleClicked.connect(self._open_index)
        self.new_button.clicked.connect(self.new_order)
        self.open_button.clicked.connect(self.open_selected)
        self.pick_button.clicked.connect(self._pick_selected)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):  # the keypad's Enter too
            enter = QShortcut(QKeySequence(key), self.table, self.open_selected)
            enter.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.editor.saved.connect(self._order_saved)
        self.editor.close_requested.connect(self.show_list)
        self.editor.pick_requested.connect(self.pick_requested)
        self.editor.returns_requested.connect(self.open_returns)
        self.editor.status_message.connect(self.status_message)
        self.editor.dialog_opened.connect(self.dialog_opened)
        self.customers.status_message.connect(self.status_message)
        self.customers.dialog_opened.connect(self.dialog_opened)
        self.customers.data_changed.connect(self._customers_changed)
        self._update_buttons()

    # --- page protocol -------------------------------------------------------------------
    def activate(self) -> None:
        """Shown: load what is on screen if it never was, or if it went stale."""
        if self.tabs.currentIndex() == self.CUSTOMERS_TAB:
            self.customers.activate()
        elif self.stack.currentIndex() == self.EDITOR:
            self.editor.reload()
        else:
            self._loader.activate()

    def refresh(self, select_order: int | None = None) -> None:
        """Reload what is on screen (F5), keeping filter, sort and selection."""
        if self.tabs.currentIndex() == self.CUSTOMERS_TAB:
            self.customers.refresh()
            return
        if self.stack.currentIndex() == self.EDITOR:
            self.editor.reload()
            self._loader.mark_stale()
            return
        self._reload(select_order)

    def mark_stale(self) -> None:
        """Something changed elsewhere (a shipment, new items): reload when next shown."""
        self._loader.mark_stale()
        self.customers.mark_stale()
        self.editor.mark_stale()

    def focus_filter(self) -> None:
        """Ctrl+F: the filter of the list on screen (the item field in the editor)."""
        if self.tabs.currentIndex() == self.CUSTOMERS_TAB:
            self.customers.focus_filter()
        elif self.stack.currentIndex() == self.EDITOR:
            self.editor.item_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        else:
            super().focus_filter()

    def handle_scan(self, result: ScanResult) -> bool:
        """A scan while an order is being entered goes into its line."""
        if self.tabs.currentIndex() == self.ORDERS_TAB and self.stack.currentIndex() == self.EDITOR:
            return self.editor.take_scan(result)
        return False

    def _tab_changed(self, index: int) -> None:
        if index == self.CUSTOMERS_TAB:
            self.customers.activate()
        elif self.stack.currentIndex() == self.LIST:
            self._loader.activate()

    # --- the list ------------------------------------------------------------------------
    def _show_rows(self, rows: list[OrderRow]) -> None:
        self._rows = rows
        self._apply_status()
        self.empty_hint.setVisible(not rows)
        self._select_loaded()
        if self.stack.currentIndex() == self.LIST and not self.filter_edit.hasFocus():
            # Enter opens the order selected, arrows choose another: no mouse needed.
            self.table.setFocus()
        self.orders_loaded.emit(len(rows))

    def _update_buttons(self, *_args: object) -> None:
        row = self.selected_row()
        self.open_button.setEnabled(row is not None)
        self.pick_button.setEnabled(row is not None and row.status in PICKABLE)

    # --- actions -------------------------------------------------------------------------
    def new_order(self) -> OrderEditor:
        """Open the editor on a new order; the cursor is in the customer field."""
        self.tabs.setCurrentIndex(self.ORDERS_TAB)
        self.stack.setCurrentIndex(self.EDITOR)
        self.editor.new_order()
        return self.editor

    def open_selected(self) -> OrderEditor | None:
        """Open the order selected in the list."""
        row = self.selected_row()
        if row is None:
            self.status_message.emit(_("Select an order first."))
            return None
        return self.open_order(row.id)

    def open_order(self, order_id: int) -> OrderEditor:
        """Show order ``order_id`` in the editor."""
        self.tabs.setCurrentIndex(self.ORDERS_TAB)
        self.stack.setCurrentIndex(self.EDITOR)
        self.editor.open_order(order_id)
        return self.editor

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_order(self.model.row_at(index.row()).id)

    def show_list(self) -> None:
        """Back from the editor to the list, the order just worked on selected."""
        detail = self.editor.detail
        self.stack.setCurrentIndex(self.LIST)
        self.refresh(select_order=detail.id if detail is not None else None)
        self.table.setFocus()

    def _pick_selected(self) -> None:
        row = self.selected_row()
        if row is not None and row.status in PICKABLE:
            self.pick_requested.emit(row.id)

    def _order_saved(self, detail: OrderDetail) -> None:
        self._loader.mark_stale()
        self.data_changed.emit()

    def _customers_changed(self) -> None:
        self.editor.mark_stale()
        self._loader.mark_stale()
        self.data_changed.emit()

    def open_returns(self, detail: OrderDetail) -> QWidget:
        """The returns dialog for a shipped order."""
        from app.ui.returns_dialog import ReturnsDialog

        dialog = ReturnsDialog(self._runner, self._user, detail, self.window())
        dialog.returned.connect(lambda _result: self._returned())
        dialog.open()
        self.dialog_opened.emit(dialog)
        return dialog

    def _returned(self) -> None:
        self.editor.reload()
        self._loader.mark_stale()
        self.data_changed.emit()
