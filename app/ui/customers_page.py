"""The customer register: every customer, filtered as you type; add one, change one.

It lives as a tab of the Orders page (customers are looked up far more often while
entering an order than edited, so they get no navigation entry of their own), but it is
a page in its own right (``activate``, ``refresh``, ``mark_stale``, ``focus_filter``).

The dialog sends the fields as typed to :func:`app.services.customers.save_customer`;
the service's objections appear under the field they concern and nothing is saved.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.services import customers
from app.services.customers import CustomerInput, CustomerRow
from app.services.errors import FieldErrors, HyllaError, ValidationError
from app.services.users import UserRef
from app.ui.list_page import RowListPage, count_text, filter_field, muted_label
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

ADDRESS_MAX = 500


def customer_search_text(row: CustomerRow) -> str:
    """What the filter looks in: code, name, e-mail, phone and address."""
    return "\n".join((row.code, row.name, row.email, row.phone, row.address))


def customer_columns() -> list[Column[CustomerRow]]:
    """Columns of the customer list."""
    return [
        Column(_("Code"), lambda r: r.code),
        Column(_("Name"), lambda r: r.name),
        Column(_("E-mail"), lambda r: r.email),
        Column(_("Phone"), lambda r: r.phone),
        Column(_("Address"), lambda r: " ".join(r.address.split())),
        Column(_("Active"), lambda r: _("yes") if r.active else _("no")),
    ]


def _inactive_muted(row: CustomerRow) -> QColor | None:
    # An inactive customer takes no new orders; it stays listed, greyed, for its history.
    return None if row.active else MUTED


class CustomerDialog(QDialog):
    """Add a customer, or change one; ``saved`` carries the stored CustomerRow."""

    saved = Signal(object)

    def __init__(
        self,
        runner: Runner,
        user: UserRef,
        current: CustomerRow | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("customer_dialog")
        self.setWindowTitle(
            _("New customer") if current is None else _("Customer {code}").format(code=current.code)
        )
        self._runner = runner
        self._user = user
        self._current = current
        self.code_edit = QLineEdit(current.code if current else "")
        self.code_edit.setObjectName("customer_code")
        self.code_edit.setMaxLength(40)
        self.code_edit.setPlaceholderText(_("e.g. KUND01"))
        self.name_edit = QLineEdit(current.name if current else "")
        self.name_edit.setObjectName("customer_name")
        self.name_edit.setMaxLength(200)
        self.email_edit = QLineEdit(current.email if current else "")
        self.email_edit.setObjectName("customer_email")
        self.email_edit.setPlaceholderText(_("e.g. orders@example.com"))
        self.phone_edit = QLineEdit(current.phone if current else "")
        self.phone_edit.setObjectName("customer_phone")
        self.phone_edit.setPlaceholderText(_("e.g. 08-123 45 67"))
        self.address_edit = QPlainTextEdit(current.address if current else "")
        self.address_edit.setObjectName("customer_address")
        self.address_edit.setTabChangesFocus(True)
        self.address_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.address_edit.setPlaceholderText(_("Delivery address, printed on the delivery note"))
        self.active_check = QCheckBox(_("Active (takes new orders)"))
        self.active_check.setObjectName("customer_active")
        self.active_check.setChecked(current.active if current else True)
        self.errors = {
            "code": error_label(),
            "name": error_label(),
            "email": error_label(),
            "phone": error_label(),
            "address": error_label(),
        }
        self.other_error = error_label()
        form = QFormLayout()
        form.addRow(_("&Code:"), self.code_edit)
        form.addRow("", self.errors["code"])
        form.addRow(_("&Name:"), self.name_edit)
        form.addRow("", self.errors["name"])
        form.addRow(_("&E-mail:"), self.email_edit)
        form.addRow("", self.errors["email"])
        form.addRow(_("&Phone:"), self.phone_edit)
        form.addRow("", self.errors["phone"])
        form.addRow(_("&Address:"), self.address_edit)
        form.addRow("", self.errors["address"])
        form.addRow("", self.active_check)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(_("Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("customer_save")
        self.save_button.setDefault(True)
        self.buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.other_error)
        column.addWidget(self.buttons)
        self.setMinimumWidth(480)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.code_edit.setFocus()

    def _fields(self) -> dict[str, QWidget]:
        return {
            "code": self.code_edit,
            "name": self.name_edit,
            "email": self.email_edit,
            "phone": self.phone_edit,
            "address": self.address_edit,
        }

    def data(self) -> CustomerInput:
        """The fields as typed."""
        return CustomerInput(
            code=self.code_edit.text(),
            name=self.name_edit.text(),
            email=self.email_edit.text(),
            phone=self.phone_edit.text(),
            address=self.address_edit.toPlainText(),
            active=self.active_check.isChecked(),
        )

    def save(self) -> None:
        """Save on the worker; errors appear under their field and nothing changes."""
        address = self.address_edit.toPlainText()
        if len(address) > ADDRESS_MAX:
            # The service says the same; saying it here spares a round trip per key.
            self._show_errors(
                ValidationError(_("An address can be at most 500 characters."), field="address")
            )
            return
        self.save_button.setEnabled(False)
        self._runner.run(
            customers.save_customer,
            self._user.id,
            self.data(),
            self._current.id if self._current else None,
            on_done=self._saved,
            on_error=self._failed,
            owner=self,
        )

    def _saved(self, row: CustomerRow) -> None:
        self.saved.emit(row)
        self.accept()

    def _failed(self, error: HyllaError) -> None:
        self.save_button.setEnabled(True)
        self._show_errors(error)

    def _show_errors(self, error: HyllaError) -> None:
        if isinstance(error, FieldErrors):
            errors = dict(error.errors)
        elif isinstance(error, ValidationError) and error.field:
            errors = {error.field: error.message}
        else:
            errors = {"": error.message}
        first: QWidget | None = None
        for key, widget in self._fields().items():
            message = errors.pop(key, "")
            label = self.errors[key]
            label.setText(message)
            label.setVisible(bool(message))
            mark_error(widget, bool(message))
            if message and first is None:
                first = widget
        rest = "\n".join(errors.values())
        self.other_error.setText(rest)
        self.other_error.setVisible(bool(rest))
        if first is not None:
            first.setFocus()


class CustomersPage(RowListPage[CustomerRow], QWidget):
    """Every customer; new and edit."""

    status_message = Signal(str)
    #: Customers changed (one was saved): order entry's customer list is stale.
    data_changed = Signal()
    #: A fresh list is shown (the number of customers in it).
    customers_loaded = Signal(int)
    #: A dialog opened (for tests).
    dialog_opened = Signal(object)
    #: A customer was saved (its CustomerRow).
    customer_saved = Signal(object)

    CODE, NAME, EMAIL, PHONE, ADDRESS, ACTIVE = range(6)

    def __init__(self, runner: Runner, user: UserRef, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._user = user
        self._rows: list[CustomerRow] = []
        self._select_after_load: int | None = None
        self._loader = ListLoader(runner, customers.list_customers, self._show_rows, self)

        self.model: RowTableModel[CustomerRow] = RowTableModel(
            customer_columns(), customer_search_text, foreground=_inactive_muted, parent=self
        )
        self.filter_edit = filter_field(
            "customers_filter", _("Filter by code, name, e-mail, phone  (Ctrl+F)")
        )
        self.inactive_check = QCheckBox(_("Show inactive"))
        self.inactive_check.setObjectName("customers_inactive")
        self.count_label = muted_label()
        self.table = make_table_view(self.model)
        self.table.setObjectName("customers_table")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(self.CODE, Qt.SortOrder.AscendingOrder)
        set_column_widths(
            self.table,
            {
                self.CODE: 110,
                self.NAME: 240,
                self.EMAIL: 200,
                self.PHONE: 130,
                self.ADDRESS: 260,
                self.ACTIVE: 60,
            },
            stretch=self.ADDRESS,
        )
        self.empty_hint = muted_label(
            _("No customers yet. Press New customer to add one."), hidden=True
        )
        self.new_button = QPushButton(icon("add"), _("New c&ustomer…"))
        self.new_button.setObjectName("new_customer")
        self.new_button.setToolTip(_("Add a customer (Alt+U)"))
        self.edit_button = QPushButton(_("&Edit…"))
        self.edit_button.setObjectName("edit_customer")
        self.edit_button.setToolTip(_("Change the selected customer (Enter)"))

        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 2)
        bar.addWidget(self.inactive_check)
        bar.addWidget(self.count_label, 1)
        bar.addWidget(self.new_button)
        actions = QHBoxLayout()
        actions.addWidget(self.edit_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.empty_hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)

        self.filter_edit.textChanged.connect(self._filter_changed)
        self.inactive_check.toggled.connect(self._apply_rows)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self.table.doubleClicked.connect(self._open_index)
        self.new_button.clicked.connect(self.new_customer)
        self.edit_button.clicked.connect(self.edit_selected)
        # Both Enters: the keypad's is the one under a hand on the numbers.
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            enter = QShortcut(QKeySequence(key), self.table, self.edit_selected)
            enter.setContext(Qt.ShortcutContext.WidgetShortcut)
        self._update_buttons()

    # --- page protocol -------------------------------------------------------------------
    def activate(self) -> None:
        """Shown: load the list if it never was, or if it went stale."""
        self._loader.activate()

    def refresh(self, select_customer: int | None = None) -> None:
        """Reload the list, keeping filter, sort and (if it can) the selection."""
        self._reload(select_customer)

    def mark_stale(self) -> None:
        """Something changed elsewhere: reload when next shown."""
        self._loader.mark_stale()

    # --- the list ------------------------------------------------------------------------
    def _show_rows(self, rows: list[CustomerRow]) -> None:
        self._rows = rows
        self._apply_rows()
        self.empty_hint.setVisible(not rows)
        self._select_loaded()
        self.customers_loaded.emit(len(rows))

    def _apply_rows(self, *_args: object) -> None:
        shown = (
            self._rows if self.inactive_check.isChecked() else [r for r in self._rows if r.active]
        )
        self.model.set_rows(shown)
        self._update_count()

    def _count_text(self, shown: int, total: int) -> str:
        return count_text(
            shown,
            total,
            ngettext("{n} customer", "{n} customers", total),
            ngettext("{shown} of {n} customer", "{shown} of {n} customers", total),
        )

    def _update_buttons(self, *_args: object) -> None:
        self.edit_button.setEnabled(self.selected_row() is not None)

    # --- actions -------------------------------------------------------------------------
    def new_customer(self) -> CustomerDialog:
        """Open the dialog for a new customer."""
        return self._open(None)

    def edit_selected(self) -> CustomerDialog | None:
        """Open the selected customer in the dialog."""
        row = self.selected_row()
        if row is None:
            self.status_message.emit(_("Select a customer first."))
            return None
        return self._open(row)

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self._open(self.model.row_at(index.row()))

    def _open(self, row: CustomerRow | None) -> CustomerDialog:
        dialog = CustomerDialog(self._runner, self._user, row, self.window())
        dialog.saved.connect(self._saved)
        dialog.finished.connect(lambda _result: QTimer.singleShot(0, self._refocus))
        dialog.open()
        self.dialog_opened.emit(dialog)
        return dialog

    def _refocus(self) -> None:
        # Back to the list, so Enter and the arrows work on it without reaching for the mouse.
        if self.isVisible() and QApplication.activeModalWidget() is None:
            self.window().activateWindow()
            self.table.setFocus()

    def _saved(self, row: CustomerRow) -> None:
        self.status_message.emit(_("Customer {code} is saved.").format(code=row.code))
        self.customer_saved.emit(row)
        self.data_changed.emit()
        self.refresh(select_customer=row.id)
