"""The purchase order editor: supplier, delivery date, note and lines of an order.

A new order starts with its supplier; the first line added (or Save) creates the draft
(``create_purchase_order``), and from then on every change is its own action on the
draft: a line added, changed or taken off, the header saved. Each goes to the service
as typed and the service's objections appear beside the field they concern (a quantity
that is not whole packs, a price the supplier has not given, a date in the past).

A line is an item, found by SKU, name or barcode (a scan into the item field works
too), and a number of the supplier's packs: the editor shows "4 × 12 = 48 pcs" and the
price per unit from the supplier's terms, which can be typed over. Only a draft can be
changed; a sent, received or cancelled order opens read-only with its progress.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.models.purchasing import PurchaseOrderStatus
from app.services import items, purchase_orders, suppliers
from app.services.errors import HyllaError, ValidationError
from app.services.items import ItemDetail, ItemRow
from app.services.purchase_orders import (
    PurchaseOrderDetail,
    PurchaseOrderLineInfo,
    PurchaseOrderLineInput,
)
from app.services.suppliers import SupplierRow
from app.services.users import UserRef
from app.ui.field_errors import show_field_errors
from app.ui.formatting import fmt_date, fmt_money, fmt_money_edit, fmt_qty, fmt_unit_cost
from app.ui.order_lines import lines_table, total_label, total_text
from app.ui.runner import Runner
from app.ui.scanner import ScanField
from app.ui.table_model import Column, RowTableModel
from app.ui.widgets import contains_completer, error_label, icon, mark_error

MAX_PACKS = 999_999


def line_columns() -> list[Column[PurchaseOrderLineInfo]]:
    """Columns of the order's lines."""
    return [
        Column(_("#"), lambda r: str(r.line_no), sort_key=lambda r: r.line_no, numeric=True),
        Column(_("SKU"), lambda r: r.sku),
        Column(_("Item"), lambda r: r.name),
        Column(_("Supplier SKU"), lambda r: r.supplier_sku),
        Column(
            _("Quantity"),
            lambda r: pack_text(r.packs, r.pack_size, r.unit),
            sort_key=lambda r: r.quantity,
            numeric=True,
            tooltip=_("Packs × pack size = quantity in the item's unit."),
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
            _("Expected"), lambda r: fmt_date(r.expected_date), sort_key=lambda r: r.expected_date
        ),
        Column(
            _("Received"),
            lambda r: fmt_qty(r.received),
            sort_key=lambda r: r.received,
            numeric=True,
        ),
        Column(
            _("Outstanding"),
            lambda r: fmt_qty(r.outstanding),
            sort_key=lambda r: r.outstanding,
            numeric=True,
        ),
    ]


def pack_text(packs: Decimal, pack_size: Decimal, unit: str) -> str:
    """A quantity as packs: "4 × 12 = 48 pcs" (just "48 pcs" for packs of one)."""
    quantity = packs * pack_size
    if pack_size == 1:
        return f"{fmt_qty(quantity)} {unit}"
    return f"{fmt_qty(packs)} × {fmt_qty(pack_size)} = {fmt_qty(quantity)} {unit}"


def item_choice_text(row: ItemRow) -> str:
    """How an item reads in the item field's suggestions."""
    return f"{row.sku} — {row.name}"


class PurchaseOrderEditor(QDialog):
    """Make or change a draft order; look at any other."""

    #: The order changed (a PurchaseOrderDetail), after any saved action.
    saved = Signal(object)
    #: A new order's draft was created (a PurchaseOrderDetail).
    created = Signal(object)
    #: The order (or, for a new one, the suppliers and items) are loaded.
    loaded = Signal()
    #: The terms of the item picked for a line are shown (an ItemDetail).
    item_chosen = Signal(object)
    status_message = Signal(str)

    def __init__(
        self,
        runner: Runner,
        user: UserRef,
        po_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setObjectName("purchase_order_editor")
        self.setWindowIcon(icon("purchase-orders"))
        self._runner = runner
        self._user = user
        self.po_id = po_id
        self.detail: PurchaseOrderDetail | None = None
        self._suppliers: list[SupplierRow] = []
        self._items_by_text: dict[str, int] = {}
        self._item: ItemDetail | None = None
        self._editing_line: PurchaseOrderLineInfo | None = None
        self._busy = False
        self.setWindowTitle(_("New purchase order") if po_id is None else _("Purchase order"))

        # --- header
        self.number_label = QLabel(_("New order"))
        self.number_label.setObjectName("order_number")
        font = self.number_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.number_label.setFont(font)
        self.status_label = QLabel()
        self.status_label.setObjectName("order_status")
        self.supplier_combo = QComboBox()
        self.supplier_combo.setObjectName("order_supplier")
        self.supplier_combo.setMinimumWidth(320)
        self.delivery_edit = QLineEdit()
        self.delivery_edit.setObjectName("order_delivery")
        self.delivery_edit.setPlaceholderText(_("YYYY-MM-DD; empty: today + the lead time"))
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("order_note")
        self.note_edit.setMaxLength(500)
        self.note_edit.setPlaceholderText(_("Printed on the order, e.g. delivery instructions"))
        self.supplier_error = error_label()
        self.delivery_error = error_label()
        self.note_error = error_label()
        header = QFormLayout()
        header.addRow(_("Supplier:"), self.supplier_combo)
        header.addRow("", self.supplier_error)
        header.addRow(_("Delivery date:"), self.delivery_edit)
        header.addRow("", self.delivery_error)
        header.addRow(_("Note:"), self.note_edit)
        header.addRow("", self.note_error)

        # --- lines
        self.lines_model: RowTableModel[PurchaseOrderLineInfo] = RowTableModel(
            line_columns(), lambda r: f"{r.sku}\n{r.name}", parent=self
        )
        self.lines_table = lines_table(
            self.lines_model,
            "order_lines",
            {0: 36, 1: 100, 2: 220, 3: 95, 4: 140, 5: 75, 6: 90, 7: 90, 8: 75, 9: 90},
            stretch=2,
            change=self.edit_selected_line,
            remove=self.remove_line,
        )
        self.total_label = total_label("order_total")

        # --- the line form
        self.item_edit = ScanField()
        self.item_edit.setObjectName("line_item")
        self.item_edit.setPlaceholderText(_("SKU, name or barcode (or scan it), then Enter"))
        self.item_edit.setMinimumWidth(320)
        self._choices, self.completer = contains_completer(self.item_edit, self)
        self.item_edit.take_scan_as_entry()  # a scanned barcode is looked up at once
        self.terms_label = QLabel()
        self.terms_label.setObjectName("line_terms")
        self.terms_label.setProperty("role", "muted")
        self.terms_label.setWordWrap(True)
        self.packs_spin = QSpinBox()
        self.packs_spin.setObjectName("line_packs")
        self.packs_spin.setRange(1, MAX_PACKS)
        self.packs_spin.setToolTip(_("How many of the supplier's packs"))
        self.quantity_label = QLabel()
        self.quantity_label.setObjectName("line_quantity")
        self.quantity_label.setProperty("role", "heading")
        self.price_edit = QLineEdit()
        self.price_edit.setObjectName("line_price")
        self.price_edit.setMaximumWidth(120)
        self.price_edit.setPlaceholderText(_("from the supplier"))
        self.price_edit.setToolTip(_("Price per unit of the item; empty: the supplier's price"))
        self.expected_edit = QLineEdit()
        self.expected_edit.setObjectName("line_expected")
        self.expected_edit.setMaximumWidth(130)
        self.expected_edit.setPlaceholderText(_("YYYY-MM-DD"))
        self.expected_edit.setToolTip(_("When this line is expected; empty: the order's date"))
        self.item_error = error_label()
        self.quantity_error = error_label()
        self.price_error = error_label()
        self.expected_error = error_label()
        self.add_button = QPushButton(icon("add"), _("&Add line"))
        self.add_button.setObjectName("add_line")
        self.add_button.setToolTip(_("Put the item on the order (Alt+A)"))
        self.update_button = QPushButton(_("&Update line"))
        self.update_button.setObjectName("update_line")
        self.update_button.setToolTip(_("Save the changes to the selected line (Alt+U)"))
        self.remove_button = QPushButton(icon("remove"), _("&Remove line"))
        self.remove_button.setObjectName("remove_line")
        self.remove_button.setToolTip(_("Take the selected line off the order (Delete)"))
        line_form = QFormLayout()
        line_form.addRow(_("Item:"), self.item_edit)
        line_form.addRow("", self.terms_label)
        line_form.addRow("", self.item_error)
        qty_row = QHBoxLayout()
        qty_row.addWidget(self.packs_spin)
        qty_row.addWidget(self.quantity_label, 1)
        line_form.addRow(_("Packs:"), qty_row)
        line_form.addRow("", self.quantity_error)
        price_row = QHBoxLayout()
        price_row.addWidget(self.price_edit)
        price_row.addWidget(QLabel(_("Expected:")))
        price_row.addWidget(self.expected_edit)
        price_row.addStretch(1)
        line_form.addRow(_("Price:"), price_row)
        line_form.addRow("", self.price_error)
        line_form.addRow("", self.expected_error)
        line_buttons = QHBoxLayout()
        line_buttons.addWidget(self.add_button)
        line_buttons.addWidget(self.update_button)
        line_buttons.addWidget(self.remove_button)
        line_buttons.addStretch(1)
        self.line_group = QGroupBox(_("Line"))
        line_layout = QVBoxLayout(self.line_group)
        line_layout.addLayout(line_form)
        line_layout.addLayout(line_buttons)

        # --- bottom
        self.read_only_label = QLabel()
        self.read_only_label.setObjectName("order_read_only")
        self.read_only_label.setProperty("role", "muted")
        self.read_only_label.setWordWrap(True)
        self.read_only_label.hide()
        self.other_error = error_label()
        self.save_button = QPushButton(_("&Save"))
        self.save_button.setObjectName("save_order")
        self.save_button.setToolTip(_("Save the delivery date and note (Alt+S)"))
        self.send_button = QPushButton(_("Sen&d to supplier"))
        self.send_button.setObjectName("send_order_editor")
        self.send_button.setToolTip(
            _("Mark the order as sent; then it can be received, no longer edited (Alt+D)")
        )
        self.close_button = QPushButton(_("Close"))
        self.close_button.setToolTip(_("Esc"))
        bottom = QHBoxLayout()
        bottom.addWidget(self.total_label, 1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.send_button)
        bottom.addWidget(self.close_button)

        title_row = QHBoxLayout()
        title_row.addWidget(self.number_label)
        title_row.addWidget(self.status_label, 1)
        column = QVBoxLayout(self)
        column.addLayout(title_row)
        column.addLayout(header)
        column.addWidget(self.lines_table, 1)
        column.addWidget(self.line_group)
        column.addWidget(self.read_only_label)
        column.addWidget(self.other_error)
        column.addLayout(bottom)
        self.resize(1000, 720)

        self.item_edit.returnPressed.connect(self.find_item)
        self.completer.activated.connect(self._completed)
        self.packs_spin.valueChanged.connect(self._update_quantity)
        self.add_button.clicked.connect(self.add_line)
        self.update_button.clicked.connect(self.update_line)
        self.remove_button.clicked.connect(self.remove_line)
        self.save_button.clicked.connect(self.save_header)
        self.send_button.clicked.connect(self.send)
        self.close_button.clicked.connect(self.reject)
        self.lines_table.selectionModel().selectionChanged.connect(self._update_buttons)
        # Enter belongs to the field it is pressed in (find the item, add the line), never
        # to a "default" button of the dialog.
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)
        self._set_enabled(False)
        self._load()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # Enter in the quantity, price or date adds the line (or saves the line being
            # changed); in the header fields it saves the header.
            focused = self.focusWidget()
            if focused in (self.packs_spin, self.price_edit, self.expected_edit) or (
                focused is not None and focused.parent() is self.packs_spin
            ):
                (self.update_line if self._editing_line else self.add_line)()
            elif focused in (self.delivery_edit, self.note_edit) and self.save_button.isVisible():
                self.save_header()
            return
        super().keyPressEvent(event)

    # --- loading -------------------------------------------------------------------------
    def _load(self) -> None:
        self._runner.run(
            suppliers.list_suppliers,
            False,
            on_done=self._suppliers_loaded,
            on_error=self._failed,
            owner=self,
        )

    def _suppliers_loaded(self, rows: list[SupplierRow]) -> None:
        self._suppliers = rows
        self.supplier_combo.clear()
        for row in rows:
            self.supplier_combo.addItem(f"{row.code} — {row.name}", row.id)
        if not rows and self.po_id is None:
            self._show_errors(
                ValidationError(
                    _(
                        "There is no active supplier. Add suppliers first (python main.py import "
                        "suppliers FILE.csv)."
                    ),
                    field="supplier",
                )
            )
        self._runner.run(
            items.list_items, False, on_done=self._items_loaded, on_error=self._failed, owner=self
        )

    def _items_loaded(self, rows: list[ItemRow]) -> None:
        texts = [item_choice_text(row) for row in rows]
        self._items_by_text = {text: row.id for text, row in zip(texts, rows, strict=True)}
        self._choices.setStringList(texts)
        if self.po_id is None:
            self._set_enabled(True)
            self._show_detail(None)
            self.supplier_combo.setFocus()
            self.loaded.emit()
        else:
            self._reload()

    def _reload(self) -> None:
        assert self.po_id is not None
        self._runner.run(
            purchase_orders.get_purchase_order,
            self.po_id,
            on_done=self._first_shown,
            on_error=self._failed,
            owner=self,
        )

    def _first_shown(self, detail: PurchaseOrderDetail) -> None:
        self._show_detail(detail)
        self.loaded.emit()

    def _show_detail(self, detail: PurchaseOrderDetail | None) -> None:
        self.detail = detail
        editable = detail is None or detail.editable
        if detail is not None:
            self.po_id = detail.id
            self.setWindowTitle(
                _("Purchase order {number} — {supplier}").format(
                    number=detail.number, supplier=detail.supplier_name
                )
            )
            self.number_label.setText(detail.number)
            self.status_label.setText(detail.status_text)
            index = self.supplier_combo.findData(detail.supplier_id)
            if index < 0:
                # An inactive supplier's order still shows who it is to.
                self.supplier_combo.addItem(
                    f"{detail.supplier_code} — {detail.supplier_name}", detail.supplier_id
                )
                index = self.supplier_combo.count() - 1
            self.supplier_combo.setCurrentIndex(index)
            self.delivery_edit.setText(
                detail.delivery_date.isoformat() if detail.delivery_date else ""
            )
            self.note_edit.setText(detail.note)
            self.lines_model.set_rows(detail.lines)
            self.total_label.setText(total_text(detail.total, detail.currency))
        else:
            self.status_label.setText(_("not saved yet"))
            self.lines_model.set_rows([])
            self.total_label.setText("")
        self._set_enabled(True)
        # The supplier is chosen once: a draft's lines are priced on its terms.
        self.supplier_combo.setEnabled(detail is None)
        for widget in (self.delivery_edit, self.note_edit):
            widget.setReadOnly(not editable)
        self.line_group.setVisible(editable)
        self.save_button.setVisible(editable)
        self.send_button.setVisible(editable)
        self.send_button.setEnabled(detail is not None and bool(detail.lines))
        if not editable and detail is not None:
            self.read_only_label.setText(_read_only_text(detail))
            self.read_only_label.show()
        else:
            self.read_only_label.hide()
        self._update_buttons()

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (
            self.supplier_combo,
            self.line_group,
            self.save_button,
            self.send_button,
        ):
            widget.setEnabled(enabled and not self._busy)

    # --- the item of a line ----------------------------------------------------------------
    def find_item(self) -> None:
        """Find the item typed (or scanned) in the item field: a suggestion, a SKU or a
        barcode; then show its terms with this supplier."""
        text = self.item_edit.text().strip()
        if not text:
            self._field_error("item", _("Type the item's SKU, name or barcode."))
            return
        item_id = self._items_by_text.get(text)
        if item_id is not None:
            self._load_item(item_id)
            return
        matches = [t for t in self._items_by_text if text.lower() in t.lower()]
        if len(matches) == 1:
            self.item_edit.setText(matches[0])
            self._load_item(self._items_by_text[matches[0]])
            return

        def found(detail: ItemDetail | None) -> None:
            if detail is None:
                self._field_error(
                    "item",
                    _("No item has the SKU or barcode “{text}”.").format(text=text)
                    if not matches
                    else _("“{text}” matches {n} items: pick one from the list.").format(
                        text=text, n=len(matches)
                    ),
                )
                if matches:
                    self.completer.setCompletionPrefix(text)
                    self.completer.complete()
                return
            self._item_shown(detail)

        self._runner.run(items.find_item, text, on_done=found, on_error=self._failed, owner=self)

    def _completed(self, text: str) -> None:
        item_id = self._items_by_text.get(text)
        if item_id is not None:
            self._load_item(item_id)

    def _load_item(self, item_id: int) -> None:
        self._runner.run(
            items.get_item, item_id, on_done=self._item_shown, on_error=self._failed, owner=self
        )

    def _item_shown(self, detail: ItemDetail) -> None:
        self._item = detail
        self._clear_errors()
        self.item_edit.setText(f"{detail.sku} — {detail.name}")
        terms = self._terms(detail)
        if terms is None:
            self.terms_label.setText(
                _(
                    "{supplier} has no terms for {sku}: type the price per {unit}; "
                    "it is ordered by the {unit}."
                ).format(supplier=self._supplier_code(), sku=detail.sku, unit=detail.unit)
            )
        else:
            text = _("Pack of {pack} {unit} · {price} per {unit}").format(
                pack=fmt_qty(terms.pack_size), unit=detail.unit, price=fmt_unit_cost(terms.price)
            )
            if terms.supplier_sku:
                text += " · " + _("supplier SKU {sku}").format(sku=terms.supplier_sku)
            if terms.moq:
                text += " · " + _("minimum {qty}").format(qty=fmt_qty(terms.moq))
            self.terms_label.setText(text)
        if self._editing_line is None:
            self.price_edit.setText(fmt_money_edit(terms.price) if terms else "")
            packs = 1
            if terms is not None and terms.moq > 0 and terms.pack_size > 0:
                packs = max(1, int(-(-terms.moq // terms.pack_size)))
            self.packs_spin.setValue(packs)
        self._update_quantity()
        self.packs_spin.setFocus()
        self.packs_spin.selectAll()
        self.item_chosen.emit(detail)

    def _terms(self, detail: ItemDetail) -> Any:
        code = self._supplier_code()
        return next((t for t in detail.supplier_items if t.supplier_code == code), None)

    def _supplier_code(self) -> str:
        if self.detail is not None:
            return self.detail.supplier_code
        supplier_id = self.supplier_combo.currentData()
        found = next((s for s in self._suppliers if s.id == supplier_id), None)
        return found.code if found else ""

    def pack_size(self) -> Decimal:
        """The pack size of the line being made (the line's own when changing one)."""
        if self._editing_line is not None:
            return self._editing_line.pack_size
        terms = self._terms(self._item) if self._item is not None else None
        return terms.pack_size if terms is not None else Decimal(1)

    def quantity(self) -> Decimal:
        """Packs × pack size, in the item's unit."""
        return Decimal(self.packs_spin.value()) * self.pack_size()

    def _update_quantity(self, *_args: object) -> None:
        unit = self._item.unit if self._item is not None else ""
        self.quantity_label.setText(
            ""
            if self._item is None
            else pack_text(Decimal(self.packs_spin.value()), self.pack_size(), unit)
        )

    # --- line actions ----------------------------------------------------------------------
    def add_line(self) -> None:
        """Put the item on the order (creating the draft with it, for a new order)."""
        if self._item is None:
            self._field_error("item", _("Choose the item first: type its SKU, name or barcode."))
            return
        price = self.price_edit.text().strip() or None
        expected = self.expected_edit.text().strip() or None
        if self.detail is None:
            self._create_draft(
                PurchaseOrderLineInput(
                    self._item.id, self.quantity(), unit_price=price, expected_date=expected
                )
            )
            return
        self._run(
            purchase_orders.add_line,
            self._user.id,
            self.detail.id,
            self._item.id,
            self.quantity(),
            unit_price=price,
            expected_date=expected,
            done=self._line_saved,
        )

    def edit_selected_line(self) -> None:
        """Load the selected line into the form to change it."""
        line = self.selected_line()
        if line is None or self.detail is None or not self.detail.editable:
            return
        self._editing_line = line
        self.item_edit.setText(f"{line.sku} — {line.name}")
        self.item_edit.setReadOnly(True)
        self.price_edit.setText(fmt_money_edit(line.unit_price))
        self.expected_edit.setText(line.expected_date.isoformat() if line.expected_date else "")
        self._runner.run(
            items.get_item,
            line.item_id,
            on_done=self._item_shown,
            on_error=self._failed,
            owner=self,
        )
        self.packs_spin.setValue(int(line.packs))
        self._update_buttons()

    def update_line(self) -> None:
        """Save the changed quantity, price and date of the line being edited."""
        line = self._editing_line
        if line is None:
            return
        self._run(
            purchase_orders.update_line,
            self._user.id,
            line.id,
            quantity=self.quantity(),
            unit_price=self.price_edit.text().strip() or None,
            expected_date=self.expected_edit.text().strip(),
            done=self._line_saved,
        )

    def remove_line(self) -> None:
        """Take the selected line off the draft (Delete)."""
        line = self.selected_line()
        if line is None or self.detail is None or not self.detail.editable:
            return
        self._run(purchase_orders.remove_line, self._user.id, line.id, done=self._line_saved)

    def selected_line(self) -> PurchaseOrderLineInfo | None:
        """The line selected in the table."""
        rows = self.lines_table.selectionModel().selectedRows()
        return self.lines_model.row_at(rows[0].row()) if rows else None

    def _line_saved(self, detail: PurchaseOrderDetail) -> None:
        was_new = self.detail is None
        self._reset_line_form()
        self._show_detail(detail)
        if was_new:
            self.created.emit(detail)
            self.status_message.emit(
                _("{number} is saved as a draft.").format(number=detail.number)
            )
        self.saved.emit(detail)
        self.item_edit.setFocus()

    def _reset_line_form(self) -> None:
        self._editing_line = None
        self._item = None
        self.item_edit.setReadOnly(False)
        self.item_edit.clear()
        self.terms_label.clear()
        self.packs_spin.setValue(1)
        self.price_edit.clear()
        self.expected_edit.clear()
        self.quantity_label.clear()

    # --- header actions --------------------------------------------------------------------
    def save_header(self) -> None:
        """Save the delivery date and note (creating an empty draft for a new order)."""
        if self.detail is None:
            self._create_draft()
            return
        self._run(
            purchase_orders.update_purchase_order,
            self._user.id,
            self.detail.id,
            delivery_date=self.delivery_edit.text().strip() or None,
            note=self.note_edit.text(),
            done=self._header_saved,
        )

    def _create_draft(self, *lines: PurchaseOrderLineInput) -> None:
        # A new order is saved as a draft to the supplier chosen, with the header as typed
        # and ``lines`` (the first line added, or none when only the header is saved).
        supplier_id = self.supplier_combo.currentData()
        if supplier_id is None:
            self._field_error("supplier", _("Choose the supplier first."))
            return
        self._run(
            purchase_orders.create_purchase_order,
            self._user.id,
            int(supplier_id),
            delivery_date=self.delivery_edit.text().strip() or None,
            note=self.note_edit.text(),
            lines=lines,
            done=self._line_saved,
        )

    def _header_saved(self, detail: PurchaseOrderDetail) -> None:
        self._show_detail(detail)
        self.status_message.emit(_("{number} is saved.").format(number=detail.number))
        self.saved.emit(detail)

    def send(self) -> None:
        """Mark the draft as sent to the supplier."""
        if self.detail is None:
            self._show_errors(ValidationError(_("Add what to order before sending it.")))
            return
        self._run(
            purchase_orders.send_purchase_order,
            self._user.id,
            self.detail.id,
            done=self._sent,
        )

    def _sent(self, detail: PurchaseOrderDetail) -> None:
        self._show_detail(detail)
        self.status_message.emit(_("{number} is sent.").format(number=detail.number))
        self.saved.emit(detail)

    # --- running and errors ----------------------------------------------------------------
    def _run(self, fn: Any, *args: Any, done: Any, **kwargs: Any) -> None:
        self._busy = True
        self._set_enabled(False)
        self._clear_errors()

        def finished(result: Any) -> None:
            self._busy = False
            self._set_enabled(True)
            done(result)

        def failed(error: HyllaError) -> None:
            self._busy = False
            self._set_enabled(True)
            self.supplier_combo.setEnabled(self.detail is None)
            self._show_errors(error)

        self._runner.run(fn, *args, on_done=finished, on_error=failed, owner=self, **kwargs)

    def _failed(self, error: HyllaError) -> None:
        self._show_errors(error)

    def _fields(self) -> dict[str, tuple[QWidget, QLabel]]:
        return {
            "supplier": (self.supplier_combo, self.supplier_error),
            "delivery_date": (self.delivery_edit, self.delivery_error),
            "note": (self.note_edit, self.note_error),
            "item": (self.item_edit, self.item_error),
            "quantity": (self.packs_spin, self.quantity_error),
            "pack_size": (self.packs_spin, self.quantity_error),
            "unit_price": (self.price_edit, self.price_error),
            "expected_date": (self.expected_edit, self.expected_error),
        }

    def _clear_errors(self) -> None:
        for widget, label in self._fields().values():
            label.clear()
            label.hide()
            mark_error(widget, False)
        self.other_error.hide()

    def _field_error(self, field: str, message: str) -> None:
        self._show_errors(ValidationError(message, field=field))

    def _show_errors(self, error: HyllaError) -> None:
        # Earlier objections stand until their field is changed.
        show_field_errors(error, self._fields(), self.other_error, clear_others=False)

    def _update_buttons(self, *_args: object) -> None:
        line = self.selected_line()
        editing = self._editing_line is not None
        self.add_button.setVisible(not editing)
        self.update_button.setVisible(editing)
        self.remove_button.setEnabled(line is not None)


def _read_only_text(detail: PurchaseOrderDetail) -> str:
    if detail.status is PurchaseOrderStatus.CANCELLED:
        return _("{number} is cancelled; it cannot be changed.").format(number=detail.number)
    complete = sum(1 for line in detail.lines if line.outstanding == 0)
    return _(
        "{number} is {status}: it can no longer be changed. {complete} of {lines} lines have "
        "come in full."
    ).format(
        number=detail.number,
        status=detail.status_text.lower(),
        complete=complete,
        lines=len(detail.lines),
    )
