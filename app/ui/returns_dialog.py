"""The returns dialog: goods a customer sent back, booked line by line from the order.

It lists every shipped line of the order (delivery note, item, lot, the bin it was
picked from, shipped and already returned). Select a line, type how many came back,
choose where they go (back into a bin, by default the one they came from, or to
scrap, which a manager does and which needs a reason) and press Enter: that one return
is booked by :func:`app.services.shipping.return_goods` in its own transaction, and
the list shows it. Refusals appear under the field they concern and book nothing. When
it closes, the window takes the keyboard back where it was, as after the scan screens'
dialogs, so the next key or scan lands there.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.models.orders import ReturnDisposition
from app.services import locations, shipping
from app.services.errors import HyllaError, ValidationError
from app.services.locations import LocationRow
from app.services.orders import OrderDetail
from app.services.shipping import ReturnPosted, ShipmentInfo, ShippedLine
from app.services.users import UserRef
from app.ui.field_errors import show_field_errors
from app.ui.formatting import fmt_qty, fmt_qty_edit
from app.ui.runner import Runner
from app.ui.table_model import MUTED, Column, RowTableModel
from app.ui.widgets import error_label, make_table_view, mark_error, set_column_widths


class ReturnableLine(NamedTuple):
    """A shipped line with the delivery note it went out on."""

    shipment: str
    line: ShippedLine

    @property
    def left(self) -> Decimal:
        """What can still come back."""
        return self.line.quantity - self.line.returned


def returnable_lines(shipments: list[ShipmentInfo]) -> list[ReturnableLine]:
    """Every shipped line of the order, oldest delivery first."""
    return [ReturnableLine(s.number, line) for s in shipments for line in s.lines]


def return_columns() -> list[Column[ReturnableLine]]:
    """Columns of the shipped lines."""
    return [
        Column(_("Delivery note"), lambda r: r.shipment),
        Column(_("SKU"), lambda r: r.line.sku),
        Column(_("Item"), lambda r: r.line.name),
        Column(_("Lot"), lambda r: r.line.lot),
        Column(_("From bin"), lambda r: r.line.bin_code),
        Column(
            _("Shipped"),
            lambda r: f"{fmt_qty(r.line.quantity)} {r.line.unit}",
            sort_key=lambda r: r.line.quantity,
            numeric=True,
        ),
        Column(
            _("Returned"),
            lambda r: fmt_qty(r.line.returned) if r.line.returned else "",
            sort_key=lambda r: r.line.returned,
            numeric=True,
        ),
        Column(
            _("Can come back"), lambda r: fmt_qty(r.left), sort_key=lambda r: r.left, numeric=True
        ),
    ]


def _done_muted(row: ReturnableLine) -> QColor | None:
    # A line returned in full can take no more: it steps back.
    return MUTED if row.left <= 0 else None


def give_back_focus(came_from: QWidget | None) -> None:
    """Give the keyboard back to ``came_from`` (where it was before a dialog opened) and
    its window, unless it is gone or another dialog is open now."""
    # A window system without a window manager (a kiosk workstation) leaves the keyboard
    # with the closed dialog unless the window takes it back.
    if came_from is None or not shiboken6.isValid(came_from):
        return
    if QApplication.activeModalWidget() is not None or not came_from.isVisible():
        return
    came_from.window().activateWindow()
    if came_from.isEnabled():
        came_from.setFocus(Qt.FocusReason.OtherFocusReason)


class ReturnsDialog(QDialog):
    """Book customer returns for one order, a shipped line at a time."""

    #: A return was booked (a ReturnPosted).
    returned = Signal(object)
    #: The shipped lines (and bins) are on screen.
    loaded = Signal()

    RESTOCK, SCRAP = range(2)

    def __init__(
        self,
        runner: Runner,
        user: UserRef,
        order: OrderDetail,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("returns_dialog")
        self.setWindowTitle(
            _("Returns — {number} — {customer}").format(
                number=order.number, customer=order.customer_name
            )
        )
        self._runner = runner
        self._user = user
        self._order = order
        self._bins: list[LocationRow] = []
        self._booking = False
        # Where the keyboard was when the dialog was asked for (the Returns button).
        self._came_from = QApplication.focusWidget()

        intro = QLabel(
            _(
                "Select the line that came back, type how many, choose where they go and "
                "press Enter. Each return is booked at once."
            )
        )
        intro.setWordWrap(True)
        self.model: RowTableModel[ReturnableLine] = RowTableModel(
            return_columns(),
            lambda r: f"{r.shipment}\n{r.line.sku}\n{r.line.name}",
            foreground=_done_muted,
            parent=self,
        )
        self.table = make_table_view(self.model)
        self.table.setObjectName("returns_lines")
        set_column_widths(
            self.table, {0: 90, 1: 100, 2: 200, 3: 80, 4: 90, 5: 90, 6: 80, 7: 100}, stretch=2
        )
        self.qty_edit = QLineEdit()
        self.qty_edit.setObjectName("return_quantity")
        self.qty_edit.setMaximumWidth(140)
        self.where_combo = QComboBox()
        self.where_combo.setObjectName("return_where")
        self.where_combo.addItem(_("Back into a bin"), ReturnDisposition.RESTOCK.value)
        self.where_combo.addItem(_("To scrap (manager)"), ReturnDisposition.SCRAP.value)
        self.bin_combo = QComboBox()
        self.bin_combo.setObjectName("return_bin")
        self.bin_combo.setMinimumWidth(220)
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("return_reason")
        self.reason_edit.setMaxLength(200)
        self.reason_edit.setPlaceholderText(_("Why it came back (needed for scrap)"))
        self.qty_error = error_label()
        self.where_error = error_label()
        self.bin_error = error_label()
        self.reason_error = error_label()
        self.other_error = error_label()
        self.result_label = QLabel()
        self.result_label.setObjectName("return_result")
        self.result_label.setWordWrap(True)
        self.result_label.setProperty("role", "heading")
        form = QFormLayout()
        form.addRow(_("&Quantity back:"), self.qty_edit)
        form.addRow("", self.qty_error)
        form.addRow(_("&Where to:"), self.where_combo)
        form.addRow("", self.where_error)
        form.addRow(_("&Bin:"), self.bin_combo)
        form.addRow("", self.bin_error)
        form.addRow(_("&Reason:"), self.reason_edit)
        form.addRow("", self.reason_error)
        self.book_button = QPushButton(_("Book &return"))
        self.book_button.setObjectName("return_book")
        self.book_button.setToolTip(_("Book the return of the selected line (Enter)"))
        self.close_button = QPushButton(_("Close"))
        self.close_button.setToolTip(_("Esc"))
        for button in (self.book_button, self.close_button):
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.result_label, 1)
        buttons.addWidget(self.book_button)
        buttons.addWidget(self.close_button)
        column = QVBoxLayout(self)
        column.addWidget(intro)
        column.addWidget(self.table, 1)
        column.addLayout(form)
        column.addWidget(self.other_error)
        column.addLayout(buttons)
        self.resize(900, 560)

        self.table.selectionModel().selectionChanged.connect(self._line_selected)
        self.where_combo.currentIndexChanged.connect(self._where_changed)
        self.book_button.clicked.connect(self.book)
        self.close_button.clicked.connect(self.reject)
        self._set_enabled(False)
        # Not a method of the dialog: it is deleted on close, perhaps before this runs.
        came_from = self._came_from
        self.finished.connect(
            lambda _result: QTimer.singleShot(0, lambda: give_back_focus(came_from))
        )
        self._load()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter books the return wherever the cursor is in the form.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.book()
            return
        super().keyPressEvent(event)

    # --- loading -------------------------------------------------------------------------
    def _load(self) -> None:
        self._runner.run(
            locations.list_bins, on_done=self._bins_loaded, on_error=self._failed, owner=self
        )

    def _bins_loaded(self, rows: list[LocationRow]) -> None:
        self._bins = rows
        self.bin_combo.clear()
        for row in rows:
            self.bin_combo.addItem(f"{row.code} — {row.name}" if row.name else row.code, row.id)
        self._reload_lines()

    def _reload_lines(self, select_line: int | None = None) -> None:
        def shown(shipments: list[ShipmentInfo]) -> None:
            lines = returnable_lines(shipments)
            self.model.set_rows(lines)
            row = self.model.find_row(lambda r: r.line.id == select_line) if select_line else -1
            if row < 0:
                row = self.model.find_row(lambda r: r.left > 0)
            if row >= 0:
                self.table.selectRow(row)
            if select_line is not None:
                # Just booked: the quantity is typed afresh, never offered. A second Enter
                # (a key pressed twice) must not book the rest of the line back as well.
                self.qty_edit.clear()
            self._set_enabled(bool(lines))
            if not lines:
                self.other_error.setText(
                    _("Nothing of {number} has been shipped, so nothing can come back.").format(
                        number=self._order.number
                    )
                )
                self.other_error.show()
            self.qty_edit.setFocus()
            self.loaded.emit()

        self._runner.run(
            shipping.list_shipments,
            self._order.id,
            on_done=shown,
            on_error=self._failed,
            owner=self,
        )

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.qty_edit, self.where_combo, self.bin_combo, self.reason_edit):
            widget.setEnabled(enabled)
        self.book_button.setEnabled(enabled)
        if enabled:
            self._where_changed()

    def selected(self) -> ReturnableLine | None:
        """The shipped line selected in the list."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _line_selected(self, *_args: object) -> None:
        row = self.selected()
        if row is None:
            return
        self.qty_edit.setText(fmt_qty_edit(row.left) if row.left > 0 else "")
        index = self.bin_combo.findData(row.line.bin_id)
        if index >= 0:
            self.bin_combo.setCurrentIndex(index)

    def _where_changed(self, *_args: object) -> None:
        self.bin_combo.setEnabled(self.where_combo.currentIndex() == self.RESTOCK)

    # --- booking -------------------------------------------------------------------------
    def book(self) -> None:
        """Book the return of the selected line as typed."""
        if self._booking:
            # One return at a time: an Enter pressed again while it is booked is no second one.
            return
        row = self.selected()
        self._clear_errors()
        if row is None:
            self._show_errors(ValidationError(_("Select the line that came back.")))
            return
        if not self.qty_edit.text().strip():
            self._show_errors(ValidationError(_("Type how many came back."), field="quantity"))
            return
        disposition = str(self.where_combo.currentData())
        bin_id = self.bin_combo.currentData()
        self._booking = True
        self.book_button.setEnabled(False)
        self._runner.run(
            shipping.return_goods,
            self._user.id,
            row.line.id,
            self.qty_edit.text(),
            disposition=disposition,
            bin_id=int(bin_id) if bin_id is not None else None,
            reason=self.reason_edit.text(),
            on_done=lambda result: self._booked(result, row.line.id),
            on_error=self._failed,
            owner=self,
        )

    def _booked(self, result: ReturnPosted, line_id: int) -> None:
        self._booking = False
        self.book_button.setEnabled(True)
        self.result_label.setText(result.message)
        self.reason_edit.clear()
        self.returned.emit(result)
        self._reload_lines(select_line=line_id)

    def _failed(self, error: HyllaError) -> None:
        self._booking = False
        self.book_button.setEnabled(True)
        self._show_errors(error)

    def _fields(self) -> dict[str, tuple[QWidget, QLabel]]:
        return {
            "quantity": (self.qty_edit, self.qty_error),
            "disposition": (self.where_combo, self.where_error),
            "bin": (self.bin_combo, self.bin_error),
            "reason": (self.reason_edit, self.reason_error),
        }

    def _clear_errors(self) -> None:
        for widget, label in self._fields().values():
            label.hide()
            mark_error(widget, False)
        self.other_error.hide()

    def _show_errors(self, error: HyllaError) -> None:
        show_field_errors(error, self._fields(), self.other_error)
