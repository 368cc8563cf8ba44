"""The item editor: every field of an item, its barcodes and supplier terms, and for an
existing item its stock per bin and lot and its move history.

The editor only collects text as typed (decimal comma and all) and hands it to
:func:`app.services.items.save_item`; the service parses and validates every field and
answers with :class:`FieldErrors`, which appear in red under the fields they concern.
Nothing is saved unless every field is valid.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.models.enums import Policy, Role
from app.services import item_forms, items
from app.services.auth import role_allows
from app.services.errors import FieldErrors, HyllaError, ValidationError
from app.services.item_forms import ItemFormChoices, ItemOverview, SupplierChoice
from app.services.items import BarcodeInput, ItemDetail, ItemInput, SupplierItemInput
from app.services.stock import MoveRow, StockRow
from app.services.users import UserRef
from app.ui import feedback
from app.ui.formatting import (
    fmt_date,
    fmt_datetime,
    fmt_money_edit,
    fmt_percent_edit,
    fmt_qty,
    fmt_qty_edit,
    fmt_unit_cost,
)
from app.ui.labels import move_kind_label, policy_label
from app.ui.runner import Runner
from app.ui.table_model import Column, RowTableModel, expired_in_red
from app.ui.widgets import error_label, icon, make_table_view, mark_error, set_column_widths

# Field keys of FieldErrors shown on the Details tab (everything but supplier terms).
DETAIL_KEYS = (
    "sku",
    "name",
    "unit",
    "category",
    "sales_price",
    "active",
    "default_location",
    "lot_tracked",
    "shelf_life_days",
    "allow_negative",
    "policy",
    "min_qty",
    "max_qty",
    "order_qty",
    "service_level",
)
SMALL_FIELD = 90


def _field(widget: QWidget, error: QLabel, suffix: str = "") -> QWidget:
    """``widget`` with its error label right under it (and an optional unit after it)."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    if suffix:
        row = QHBoxLayout()
        row.setSpacing(6)
        row.addWidget(widget)
        row.addWidget(QLabel(suffix))
        row.addStretch(1)
        column.addLayout(row)
    else:
        column.addWidget(widget)
    column.addWidget(error)
    return box


def _line_edit(placeholder: str = "", width: int | None = None) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    if width is not None:
        edit.setFixedWidth(width)
    return edit


class BarcodeRow(QWidget):
    """One barcode: the code, how many units one scan counts (12 for a carton), a label."""

    remove_requested = Signal(QWidget)
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.code_edit = _line_edit(_("Scan or type the code"))
        self.code_edit.setObjectName("barcode_code")
        self.pack_edit = _line_edit("1", SMALL_FIELD)
        self.pack_edit.setObjectName("barcode_pack")
        self.pack_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.pack_edit.setToolTip(
            _("How many units one scan of this code counts, e.g. 12 for a carton.")
        )
        self.label_edit = _line_edit(_("e.g. carton"), 140)
        self.label_edit.setObjectName("barcode_label")
        self.remove_button = QToolButton()
        self.remove_button.setIcon(icon("remove"))
        self.remove_button.setToolTip(_("Remove this barcode"))
        self.remove_button.setAutoRaise(True)
        self.error = error_label()
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.code_edit, 1)
        line.addWidget(self.pack_edit)
        line.addWidget(self.label_edit)
        line.addWidget(self.remove_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(line)
        column.addWidget(self.error)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        for edit in (self.code_edit, self.pack_edit, self.label_edit):
            edit.textEdited.connect(self._on_edit)

    @staticmethod
    def header() -> QWidget:
        """Column titles that line up with the rows."""
        return _header(
            [(_("Barcode"), None), (_("Pack qty"), SMALL_FIELD), (_("Label"), 140)], trailing=28
        )

    def set_value(self, code: str, pack_qty: Decimal, label: str) -> None:
        """Show a stored barcode."""
        self.code_edit.setText(code)
        self.pack_edit.setText(fmt_qty_edit(pack_qty))
        self.label_edit.setText(label)

    def value(self) -> BarcodeInput:
        """The barcode as typed."""
        return BarcodeInput(
            code=self.code_edit.text(),
            pack_qty=self.pack_edit.text().strip() or "1",
            label=self.label_edit.text(),
        )

    def show_error(self, message: str | None) -> None:
        """Show ``message`` under this row (None hides it)."""
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        mark_error(self.code_edit, bool(message))

    def _on_edit(self) -> None:
        self.show_error(None)
        self.edited.emit()


class SupplierRow(QWidget):
    """One supplier's terms: supplier, their SKU, price, pack size, MOQ, lead time."""

    remove_requested = Signal(QWidget)
    edited = Signal()

    def __init__(
        self, suppliers: tuple[SupplierChoice, ...], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.supplier_combo = QComboBox()
        self.supplier_combo.setObjectName("supplier_code")
        self.supplier_combo.setMinimumWidth(200)
        self.supplier_combo.addItem(_("Choose a supplier"), "")
        for choice in suppliers:
            self.supplier_combo.addItem(f"{choice.code} — {choice.name}", choice.code)
        self.sku_edit = _line_edit(_("Their article no."), 140)
        self.price_edit = _line_edit("0", SMALL_FIELD)
        self.pack_edit = _line_edit("1", SMALL_FIELD)
        self.moq_edit = _line_edit("0", SMALL_FIELD)
        self.lead_edit = _line_edit(_("days"), 70)
        for edit in (self.price_edit, self.pack_edit, self.moq_edit, self.lead_edit):
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.preferred_check = QCheckBox()
        self.preferred_check.setToolTip(_("Proposals order from the preferred supplier."))
        self.remove_button = QToolButton()
        self.remove_button.setIcon(icon("remove"))
        self.remove_button.setToolTip(_("Remove this supplier"))
        self.remove_button.setAutoRaise(True)
        self.error = error_label()
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.supplier_combo, 1)
        for widget in (
            self.sku_edit,
            self.price_edit,
            self.pack_edit,
            self.moq_edit,
            self.lead_edit,
        ):
            line.addWidget(widget)
        preferred_box = QWidget()
        preferred_box.setFixedWidth(80)
        preferred_layout = QHBoxLayout(preferred_box)
        preferred_layout.setContentsMargins(0, 0, 0, 0)
        preferred_layout.addWidget(self.preferred_check, 0, Qt.AlignmentFlag.AlignCenter)
        line.addWidget(preferred_box)
        line.addWidget(self.remove_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(line)
        column.addWidget(self.error)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        for edit in (self.sku_edit, self.price_edit, self.pack_edit, self.moq_edit, self.lead_edit):
            edit.textEdited.connect(self._on_edit)
        self.supplier_combo.activated.connect(self._on_edit)
        self.preferred_check.clicked.connect(self._on_edit)

    @staticmethod
    def header() -> QWidget:
        """Column titles that line up with the rows."""
        return _header(
            [
                (_("Supplier"), None),
                (_("Supplier SKU"), 140),
                (_("Price"), SMALL_FIELD),
                (_("Pack size"), SMALL_FIELD),
                (_("MOQ"), SMALL_FIELD),
                (_("Lead time"), 70),
                (_("Preferred"), 80),
            ],
            trailing=28,
        )

    def set_value(self, info: items.SupplierItemInfo) -> None:
        """Show a supplier's stored terms."""
        index = self.supplier_combo.findData(info.supplier_code)
        if index < 0:
            self.supplier_combo.addItem(
                f"{info.supplier_code} — {info.supplier_name}", info.supplier_code
            )
            index = self.supplier_combo.count() - 1
        self.supplier_combo.setCurrentIndex(index)
        self.sku_edit.setText(info.supplier_sku)
        self.price_edit.setText(fmt_money_edit(info.price))
        self.pack_edit.setText(fmt_qty_edit(info.pack_size))
        self.moq_edit.setText(fmt_qty_edit(info.moq))
        self.lead_edit.setText("" if info.lead_time_days is None else str(info.lead_time_days))
        self.preferred_check.setChecked(info.preferred)

    def is_blank(self) -> bool:
        """True for a row the user added but never filled in."""
        return not self.supplier_combo.currentData() and not any(
            edit.text().strip()
            for edit in (
                self.sku_edit,
                self.price_edit,
                self.pack_edit,
                self.moq_edit,
                self.lead_edit,
            )
        )

    def value(self) -> SupplierItemInput:
        """The terms as typed."""
        return SupplierItemInput(
            supplier_code=str(self.supplier_combo.currentData() or ""),
            supplier_sku=self.sku_edit.text(),
            price=self.price_edit.text().strip() or "0",
            pack_size=self.pack_edit.text().strip() or "1",
            moq=self.moq_edit.text().strip() or "0",
            lead_time_days=self.lead_edit.text().strip() or None,
            preferred=self.preferred_check.isChecked(),
        )

    def show_error(self, message: str | None) -> None:
        """Show ``message`` under this row (None hides it)."""
        self.error.setText(message or "")
        self.error.setVisible(bool(message))

    def _on_edit(self) -> None:
        self.show_error(None)
        self.edited.emit()


def _header(titles: list[tuple[str, int | None]], trailing: int) -> QWidget:
    box = QWidget()
    line = QHBoxLayout(box)
    line.setContentsMargins(0, 0, 0, 0)
    for title, width in titles:
        label = QLabel(title)
        label.setProperty("role", "muted")
        if width is None:
            line.addWidget(label, 1)
        else:
            label.setFixedWidth(width)
            line.addWidget(label)
    line.addSpacing(trailing)
    return box


class RowList(QWidget):
    """A growing list of row widgets under a header, with an "Add" button."""

    changed = Signal()

    def __init__(
        self,
        header: QWidget,
        make_row: Callable[[], Any],
        add_text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._make_row = make_row
        self._rows: list[Any] = []
        self.add_button = QPushButton(icon("add"), add_text)
        self.add_button.clicked.connect(self._add_and_focus)
        self.error = error_label()
        self._rows_box = QVBoxLayout()
        self._rows_box.setSpacing(4)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addLayout(self._rows_box)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        # The rows sit on the page's own background, not on a grey well.
        scroll.viewport().setAutoFillBackground(False)
        body.setAutoFillBackground(False)
        scroll.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(header)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

    def rows(self) -> list[Any]:
        """The row widgets, top to bottom."""
        return list(self._rows)

    def add_row(self) -> Any:
        """Append an empty row and return it."""
        row = self._make_row()
        row.remove_requested.connect(self.remove_row)
        row.edited.connect(self.changed)
        self._rows.append(row)
        self._rows_box.addWidget(row)
        return row

    def remove_row(self, row: QWidget) -> None:
        """Take ``row`` out of the list."""
        if row in self._rows:
            self._rows.remove(row)
            self._rows_box.removeWidget(row)
            row.deleteLater()
            self.changed.emit()

    def clear(self) -> None:
        """Remove every row."""
        for row in list(self._rows):
            self._rows.remove(row)
            self._rows_box.removeWidget(row)
            row.deleteLater()

    def show_error(self, message: str | None) -> None:
        """An error about the list as a whole (e.g. two preferred suppliers)."""
        self.error.setText(message or "")
        self.error.setVisible(bool(message))

    def _add_and_focus(self) -> None:
        row = self.add_row()
        first = row.findChildren(QLineEdit) or row.findChildren(QComboBox)
        if first:
            first[0].setFocus()
        self.changed.emit()


def stock_columns() -> list[Column[StockRow]]:
    """Columns of the editor's stock tab."""
    return [
        Column(_("Bin"), lambda r: r.location_code),
        Column(_("Lot"), lambda r: r.lot_code),
        Column(_("Expiry"), lambda r: fmt_date(r.expiry), sort_key=lambda r: r.expiry),
        Column(
            _("Quantity"),
            lambda r: fmt_qty(r.quantity),
            sort_key=lambda r: r.quantity,
            numeric=True,
        ),
    ]


def move_columns() -> list[Column[MoveRow]]:
    """Columns of a move history."""
    return [
        Column(_("Time"), lambda r: fmt_datetime(r.moved_at), sort_key=lambda r: r.moved_at),
        Column(_("Kind"), lambda r: move_kind_label(r.kind)),
        Column(
            _("Quantity"),
            lambda r: fmt_qty(r.quantity),
            sort_key=lambda r: r.quantity,
            numeric=True,
        ),
        Column(_("From → to"), lambda r: f"{r.from_code} → {r.to_code}"),
        Column(_("Lot"), lambda r: r.lot_code),
        Column(
            _("Unit cost"),
            lambda r: fmt_unit_cost(r.unit_cost),
            sort_key=lambda r: r.unit_cost,
            numeric=True,
        ),
        Column(_("Reference"), lambda r: r.reference),
        Column(_("User"), lambda r: r.user),
    ]


def move_search_text(row: MoveRow) -> str:
    """What a history filter looks in."""
    return "\n".join(
        (row.kind.value, row.from_code, row.to_code, row.lot_code, row.reference, row.user)
    )


class ItemEditor(QDialog):
    """Create or edit one item; saves through the runner in one transaction."""

    saved = Signal(object)  # ItemDetail
    loaded = Signal()
    status_message = Signal(str)

    DETAILS_TAB, SUPPLIERS_TAB, STOCK_TAB, HISTORY_TAB = range(4)

    def __init__(
        self,
        runner: Runner,
        user: UserRef,
        item_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._user = user
        self.item_id = item_id
        self._choices: ItemFormChoices | None = None
        self._sent_supplier_rows: list[SupplierRow] = []
        self._saving = False
        self._dirty = False
        self.detail: ItemDetail | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(_("New item") if item_id is None else _("Item"))
        self.resize(960, 660)
        self._build()
        self.setEnabled(False)
        self._load()

    # --- layout --------------------------------------------------------------------------
    def _build(self) -> None:
        self._errors: dict[str, QLabel] = {}
        self._inputs: dict[str, QWidget] = {}

        self.sku_edit = self._add_input("sku", _line_edit(_("e.g. HX-1001")))
        self.name_edit = self._add_input("name", _line_edit())
        self.unit_combo = self._add_input("unit", QComboBox())
        self.unit_combo.setEditable(True)
        self.category_combo = self._add_input("category", QComboBox())
        self.category_combo.setEditable(True)
        self.category_combo.setMinimumWidth(220)
        self.price_edit = self._add_input("sales_price", _line_edit("", 120))
        self.price_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.active_check = self._add_input(
            "active", QCheckBox(_("Active (can be ordered and received)"))
        )
        self.bin_combo = self._add_input("default_location", QComboBox())
        self.bin_combo.setEditable(True)
        self.bin_combo.setMinimumWidth(160)
        self.lot_check = self._add_input("lot_tracked", QCheckBox(_("Track lots and expiry dates")))
        self.shelf_edit = self._add_input("shelf_life_days", _line_edit("", SMALL_FIELD))
        self.shelf_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.negative_check = self._add_input(
            "allow_negative", QCheckBox(_("Allow negative stock"))
        )
        self.policy_combo = self._add_input("policy", QComboBox())
        for policy in Policy:
            self.policy_combo.addItem(policy_label(policy), policy.value)
        self.min_edit = self._add_input("min_qty", _line_edit("", 120))
        self.max_edit = self._add_input("max_qty", _line_edit("", 120))
        self.order_edit = self._add_input("order_qty", _line_edit("", 120))
        self.service_edit = self._add_input("service_level", _line_edit("", SMALL_FIELD))
        self.service_edit.setToolTip(_("How often stock should cover demand, e.g. 95 %."))
        for edit in (self.min_edit, self.max_edit, self.order_edit, self.service_edit):
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.sku_edit.setObjectName("sku")
        self.name_edit.setObjectName("name")

        item_box = QGroupBox(_("Item"))
        item_form = self._form(item_box)
        item_form.addRow(_("SKU"), _field(self.sku_edit, self._errors["sku"]))
        item_form.addRow(_("Name"), _field(self.name_edit, self._errors["name"]))
        item_form.addRow(_("Unit"), _field(self.unit_combo, self._errors["unit"]))
        item_form.addRow(_("Category"), _field(self.category_combo, self._errors["category"]))
        item_form.addRow(_("Sales price"), _field(self.price_edit, self._errors["sales_price"]))
        item_form.addRow("", _field(self.active_check, self._errors["active"]))

        handling_box = QGroupBox(_("Storage"))
        handling_form = self._form(handling_box)
        handling_form.addRow(
            _("Default bin"), _field(self.bin_combo, self._errors["default_location"])
        )
        handling_form.addRow("", _field(self.lot_check, self._errors["lot_tracked"]))
        handling_form.addRow(
            _("Shelf life"),
            _field(self.shelf_edit, self._errors["shelf_life_days"], suffix=_("days")),
        )
        handling_form.addRow("", _field(self.negative_check, self._errors["allow_negative"]))

        policy_box = QGroupBox(_("Replenishment"))
        policy_form = self._form(policy_box)
        policy_form.addRow(_("Policy"), _field(self.policy_combo, self._errors["policy"]))
        policy_form.addRow(_("Min quantity"), _field(self.min_edit, self._errors["min_qty"]))
        policy_form.addRow(_("Max quantity"), _field(self.max_edit, self._errors["max_qty"]))
        policy_form.addRow(_("Order quantity"), _field(self.order_edit, self._errors["order_qty"]))
        policy_form.addRow(
            _("Service level"),
            _field(self.service_edit, self._errors["service_level"], suffix="%"),
        )

        self.barcodes = RowList(BarcodeRow.header(), BarcodeRow, _("Add barcode"))
        self.barcodes.changed.connect(self._mark_dirty)
        barcode_box = QGroupBox(_("Barcodes"))
        barcode_layout = QVBoxLayout(barcode_box)
        barcode_layout.addWidget(self.barcodes)

        left = QVBoxLayout()
        left.addWidget(item_box)
        left.addWidget(handling_box)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(policy_box)
        right.addWidget(barcode_box, 1)
        details = QWidget()
        columns = QHBoxLayout(details)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)

        self.suppliers = RowList(SupplierRow.header(), self._new_supplier_row, _("Add supplier"))
        self.suppliers.changed.connect(self._mark_dirty)
        self.no_suppliers_hint = QLabel(
            _(
                "There are no suppliers yet. Import them (python main.py import suppliers FILE) "
                "to record what they charge for this item."
            )
        )
        self.no_suppliers_hint.setWordWrap(True)
        self.no_suppliers_hint.setProperty("role", "muted")
        self.no_suppliers_hint.hide()
        suppliers_tab = QWidget()
        suppliers_layout = QVBoxLayout(suppliers_tab)
        suppliers_layout.addWidget(self.no_suppliers_hint)
        suppliers_layout.addWidget(self.suppliers, 1)

        self.stock_model: RowTableModel[StockRow] = RowTableModel(
            stock_columns(),
            lambda r: f"{r.location_code}\n{r.lot_code}",
            foreground=expired_in_red,
        )
        self.stock_view = make_table_view(self.stock_model)
        set_column_widths(self.stock_view, {0: 160, 1: 160, 2: 120, 3: 120}, stretch=1)
        self.stock_total = QLabel()
        stock_tab = QWidget()
        stock_layout = QVBoxLayout(stock_tab)
        stock_layout.addWidget(self.stock_view, 1)
        stock_layout.addWidget(self.stock_total)

        self.moves_model: RowTableModel[MoveRow] = RowTableModel(move_columns(), move_search_text)
        self.moves_view = make_table_view(self.moves_model)
        set_column_widths(
            self.moves_view,
            {0: 130, 1: 100, 2: 90, 3: 200, 4: 90, 5: 90, 6: 120, 7: 90},
            stretch=6,
        )
        self.moves_note = QLabel()
        self.moves_note.setProperty("role", "muted")
        history_tab = QWidget()
        history_layout = QVBoxLayout(history_tab)
        history_layout.addWidget(self.moves_view, 1)
        history_layout.addWidget(self.moves_note)

        self.tabs = QTabWidget()
        self.tabs.addTab(details, _("Details"))
        self.tabs.addTab(suppliers_tab, _("Suppliers"))
        self.tabs.addTab(stock_tab, _("Stock"))
        self.tabs.addTab(history_tab, _("History"))
        existing = self.item_id is not None
        self.tabs.setTabVisible(self.STOCK_TAB, existing)
        self.tabs.setTabVisible(self.HISTORY_TAB, existing)

        self.general_error = error_label()
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(_("Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.save_button.setToolTip(_("Save the item (Ctrl+S)"))
        if not role_allows(self._user.role, Role.MANAGER):
            # Staff may look; items are a manager's (the service refuses staff anyway).
            self.save_button.setEnabled(False)
            self.save_button.setToolTip(_("Only a manager or an administrator can change items."))
        self.cancel_button = self.buttons.addButton(
            _("Cancel"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)

        for edit in self.findChildren(QLineEdit):
            edit.textEdited.connect(self._mark_dirty)
        for check in (self.active_check, self.lot_check, self.negative_check):
            check.clicked.connect(self._mark_dirty)
        self.policy_combo.activated.connect(self._mark_dirty)

    def _add_input(self, key: str, widget: Any) -> Any:
        self._errors[key] = error_label()
        self._inputs[key] = widget
        edit = widget.lineEdit() if isinstance(widget, QComboBox) and widget.isEditable() else None
        if isinstance(widget, QLineEdit):
            edit = widget
        if edit is not None:
            edit.textEdited.connect(lambda _text, key=key: self._clear_error(key))
        return widget

    @staticmethod
    def _form(box: QGroupBox) -> QFormLayout:
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setVerticalSpacing(6)
        return form

    def _new_supplier_row(self) -> SupplierRow:
        return SupplierRow(self._choices.suppliers if self._choices else ())

    # --- loading -------------------------------------------------------------------------
    def _load(self) -> None:
        if self.item_id is None:
            self._runner.run(
                item_forms.item_form_choices,
                on_done=self._choices_loaded,
                on_error=self._load_failed,
                owner=self,
            )
        else:
            self._runner.run(
                item_forms.item_overview,
                self.item_id,
                on_done=self._overview_loaded,
                on_error=self._load_failed,
                owner=self,
            )

    def _choices_loaded(self, choices: ItemFormChoices) -> None:
        self._set_choices(choices)
        self.unit_combo.setCurrentText("pcs")
        self.policy_combo.setCurrentIndex(self.policy_combo.findData(Policy.REORDER_POINT.value))
        self.active_check.setChecked(True)
        self.barcodes.add_row()
        self._ready()

    def _overview_loaded(self, overview: ItemOverview) -> None:
        self._set_choices(overview.choices)
        self._fill(overview.detail)
        self._show_stock(overview)
        self._ready()

    def _load_failed(self, error: HyllaError) -> None:
        feedback.show_error(self, error.message)
        self.close()

    def _ready(self) -> None:
        self._dirty = False
        self.setEnabled(True)
        self.sku_edit.setFocus()
        self.loaded.emit()

    def _set_choices(self, choices: ItemFormChoices) -> None:
        self._choices = choices
        self.unit_combo.clear()
        self.unit_combo.addItems(list(choices.units))
        self.category_combo.clear()
        self.category_combo.addItems(["", *choices.categories])
        self.bin_combo.clear()
        self.bin_combo.addItems(["", *choices.bins])
        self.no_suppliers_hint.setVisible(not choices.suppliers)
        self.suppliers.add_button.setEnabled(bool(choices.suppliers))

    def _fill(self, detail: ItemDetail) -> None:
        self.detail = detail
        self.setWindowTitle(_("Item {sku} — {name}").format(sku=detail.sku, name=detail.name))
        self.sku_edit.setText(detail.sku)
        self.name_edit.setText(detail.name)
        self.unit_combo.setCurrentText(detail.unit)
        self.category_combo.setCurrentText(detail.category)
        self.price_edit.setText(fmt_money_edit(detail.sales_price))
        self.active_check.setChecked(detail.active)
        self.bin_combo.setCurrentText(detail.default_location)
        self.lot_check.setChecked(detail.lot_tracked)
        shelf_life = detail.shelf_life_days
        self.shelf_edit.setText("" if shelf_life is None else str(shelf_life))
        self.negative_check.setChecked(detail.allow_negative)
        self.policy_combo.setCurrentIndex(self.policy_combo.findData(detail.policy.value))
        self.min_edit.setText(fmt_qty_edit(detail.min_qty))
        self.max_edit.setText(fmt_qty_edit(detail.max_qty))
        self.order_edit.setText(fmt_qty_edit(detail.order_qty))
        self.service_edit.setText(fmt_percent_edit(detail.service_level))
        self.barcodes.clear()
        for barcode in detail.barcodes:
            self.barcodes.add_row().set_value(barcode.code, barcode.pack_qty, barcode.label)
        self.barcodes.add_row()
        self.suppliers.clear()
        for info in detail.supplier_items:
            self.suppliers.add_row().set_value(info)

    def _show_stock(self, overview: ItemOverview) -> None:
        self.stock_model.set_rows(overview.stock)
        total = sum((row.quantity for row in overview.stock), Decimal(0))
        self.stock_total.setText(
            _("On hand in all bins: {qty} {unit}").format(
                qty=fmt_qty(total), unit=overview.detail.unit
            )
        )
        self.tabs.setTabText(self.STOCK_TAB, _("Stock ({qty})").format(qty=fmt_qty(total)))
        self.moves_model.set_rows(overview.moves)
        self.moves_note.setText(
            _("Newest first. Moves are never changed; a mistake is reversed by a new move.")
        )

    # --- saving --------------------------------------------------------------------------
    def collect(self) -> ItemInput:
        """The item as typed into the form."""
        supplier_rows = [row for row in self.suppliers.rows() if not row.is_blank()]
        self._sent_supplier_rows = supplier_rows
        return ItemInput(
            sku=self.sku_edit.text(),
            name=self.name_edit.text(),
            unit=self.unit_combo.currentText(),
            category=self.category_combo.currentText(),
            sales_price=self.price_edit.text(),
            policy=str(self.policy_combo.currentData()),
            min_qty=self.min_edit.text(),
            max_qty=self.max_edit.text(),
            order_qty=self.order_edit.text(),
            service_level=self.service_edit.text(),
            lot_tracked=self.lot_check.isChecked(),
            shelf_life_days=self.shelf_edit.text(),
            allow_negative=self.negative_check.isChecked(),
            active=self.active_check.isChecked(),
            default_location=self.bin_combo.currentText(),
            # Empty barcode rows are sent too (the service skips them) so that an error
            # about barcodes.N names the N-th row on screen.
            barcodes=tuple(row.value() for row in self.barcodes.rows()),
            supplier_items=tuple(row.value() for row in supplier_rows),
        )

    def save(self) -> None:
        """Validate and save through the service; errors appear beside their fields."""
        if self._saving or not self.isEnabled():
            return
        data = self.collect()
        self._saving = True
        self.save_button.setEnabled(False)
        self.show_errors({})
        self._runner.run(
            items.save_item,
            self._user.id,
            data,
            self.item_id,
            on_done=self._saved,
            on_error=self._save_failed,
            owner=self,
        )

    def _saved(self, detail: ItemDetail) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        created = self.item_id is None
        self.item_id = detail.id
        self.detail = detail
        self._dirty = False
        message = (_("Created item {sku}.") if created else _("Saved item {sku}.")).format(
            sku=detail.sku
        )
        self.status_message.emit(message)
        self.saved.emit(detail)
        self.accept()

    def _save_failed(self, error: HyllaError) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        if isinstance(error, FieldErrors):
            self.show_errors(error.errors)
            self.status_message.emit(_("The item was not saved: correct the fields marked in red."))
        elif isinstance(error, ValidationError) and error.field:
            self.show_errors({error.field: error.message})
        else:
            feedback.show_error(self, error.message)

    def show_errors(self, errors: dict[str, str]) -> None:
        """Show each message under its field; clear the others. Unknown keys go below."""
        for key, label in self._errors.items():
            message = errors.get(key)
            label.setText(message or "")
            label.setVisible(bool(message))
            mark_error(self._inputs[key], bool(message))
        barcode_rows = self.barcodes.rows()
        for index, row in enumerate(barcode_rows):
            row.show_error(errors.get(f"barcodes.{index}"))
        for index, row in enumerate(self._sent_supplier_rows):
            if row in self.suppliers.rows():
                row.show_error(errors.get(f"supplier_items.{index}"))
        self.suppliers.show_error(errors.get("supplier_items"))
        placed = set(self._errors) | {"supplier_items"}
        placed |= {f"barcodes.{i}" for i in range(len(barcode_rows))}
        placed |= {f"supplier_items.{i}" for i in range(len(self._sent_supplier_rows))}
        others = [message for key, message in errors.items() if key not in placed]
        self.general_error.setText("\n".join(others))
        self.general_error.setVisible(bool(others))
        self._mark_tabs(errors)

    def _mark_tabs(self, errors: dict[str, str]) -> None:
        on_details = any(k in DETAIL_KEYS or k.startswith("barcodes.") for k in errors)
        on_suppliers = any(k.startswith("supplier_items") for k in errors)
        bar = self.tabs.tabBar()
        warn = icon("warning")
        self.tabs.setTabIcon(self.DETAILS_TAB, warn if on_details else QIcon())
        self.tabs.setTabIcon(self.SUPPLIERS_TAB, warn if on_suppliers else QIcon())
        bar.update()
        if on_details:
            self.tabs.setCurrentIndex(self.DETAILS_TAB)
            first = next((k for k in DETAIL_KEYS if k in errors), None)
            if first is not None:
                self._inputs[first].setFocus()
        elif on_suppliers:
            self.tabs.setCurrentIndex(self.SUPPLIERS_TAB)

    def error_text(self, key: str) -> str:
        """The error shown under field ``key`` ("" if none); for tests and screen readers."""
        label: QLabel | None = None
        if key in self._errors:
            label = self._errors[key]
        elif key == "supplier_items":
            label = self.suppliers.error
        elif key.startswith(("barcodes.", "supplier_items.")):
            rows: list[Any] = (
                self.barcodes.rows() if key.startswith("barcodes.") else self._sent_supplier_rows
            )
            index = int(key.split(".")[1])
            label = rows[index].error if index < len(rows) else None
        return label.text() if label is not None and not label.isHidden() else ""

    def error_label_for(self, key: str) -> QLabel:
        """The label that shows field ``key``'s error."""
        return self._errors[key]

    def input_for(self, key: str) -> QWidget:
        """The input of field ``key``."""
        return self._inputs[key]

    def _clear_error(self, key: str) -> None:
        label = self._errors[key]
        if not label.isHidden():
            label.hide()
            mark_error(self._inputs[key], False)

    def _mark_dirty(self) -> None:
        # Only user edits get here (textEdited, clicked, activated), never setText.
        self._dirty = True

    # --- closing -------------------------------------------------------------------------
    def reject(self) -> None:
        """Close without saving; asks first when something was changed."""
        if self._saving:
            return
        if self._dirty and not feedback.ask(
            self,
            _("Discard changes?"),
            _("You have changed this item but not saved it. Discard the changes?"),
            _("Discard changes"),
            _("Keep editing"),
        ):
            return
        self._dirty = False
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._saving:
            event.ignore()
            return
        super().closeEvent(event)
