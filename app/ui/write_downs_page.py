"""The Write-downs page: what may need writing down, what waits for a manager, and what
was written down.

* **Suggestions**: expired and soon-expiring lots, dead stock and items sold below cost
  (``write_downs.write_down_suggestions``). "Write down…" (or a double-click) opens the
  write-down dialog filled in from the suggestion; "New write-down…" starts from a SKU.
* **Waiting for approval**: staff write-downs above the approval limit. A manager or
  administrator approves (which posts it) or rejects with a reason; for staff the
  buttons are off and the page says why (the service refuses them anyway).
* **History**: the newest 1,000 write-downs, with values before and after and who
  decided.

The dialog shows, as the fields change, what the write-down would take off and whether it
will wait for a manager (``preview_write_down`` on the database worker), and shows the
service's objection beside the form instead of closing, so nothing typed is lost.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import QModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.models import Role, WriteDownKind, WriteDownReason
from app.services import write_downs
from app.services.errors import HyllaError, ValidationError
from app.services.users import UserRef
from app.services.write_downs import (
    Suggestion,
    WriteDownInput,
    WriteDownOverview,
    WriteDownPreview,
    WriteDownResult,
    WriteDownTarget,
    WriteDownView,
)
from app.ui import feedback
from app.ui.formatting import (
    fmt_count,
    fmt_date,
    fmt_datetime,
    fmt_money,
    fmt_money_edit,
    fmt_qty,
    fmt_qty_edit,
    fmt_unit_cost,
)
from app.ui.list_page import filter_field
from app.ui.runner import Runner
from app.ui.table_model import Column, RowTableModel, expired_in_red
from app.ui.widgets import (
    ListLoader,
    error_label,
    make_table_view,
    mark_error,
    set_column_widths,
)

PREVIEW_DELAY_MS = 250
VALUE_MODE, PERCENT_MODE = "value", "percent"


def _is_manager(user: UserRef) -> bool:
    return user.role in (Role.MANAGER, Role.ADMIN)


# --- columns -------------------------------------------------------------------------------


def suggestion_columns() -> list[Column[Suggestion]]:
    """Columns of the suggestions list."""
    return [
        Column(_("Why"), lambda s: s.kind_text),
        Column(_("SKU"), lambda s: s.sku),
        Column(_("Name"), lambda s: s.name),
        Column(_("Lot"), lambda s: s.lot_code),
        Column(_("Expiry"), lambda s: fmt_date(s.expiry), sort_key=lambda s: s.expiry),
        Column(_("Quantity"), lambda s: fmt_qty(s.quantity), lambda s: s.quantity, True),
        Column(_("Unit"), lambda s: s.unit),
        Column(_("Unit cost"), lambda s: fmt_unit_cost(s.unit_cost), lambda s: s.unit_cost, True),
        Column(_("Value"), lambda s: fmt_money(s.value), lambda s: s.value, True),
        Column(_("Details"), lambda s: s.text),
        Column(
            _("Waiting"),
            lambda s: s.pending,
            tooltip=_("A write-down of this item already waits for approval"),
        ),
    ]


def suggestion_search_text(row: Suggestion) -> str:
    """What the suggestions filter looks in."""
    return "\n".join((row.sku, row.name, row.lot_code, row.kind_text))


def pending_columns() -> list[Column[WriteDownView]]:
    """Columns of the list of write-downs waiting for approval."""
    return [
        Column(_("No."), lambda v: v.number),
        Column(_("Asked"), lambda v: fmt_datetime(v.requested_at), lambda v: v.requested_at),
        Column(_("By"), lambda v: v.requested_by),
        Column(_("SKU"), lambda v: v.sku),
        Column(_("Name"), lambda v: v.name),
        Column(_("Lot"), lambda v: v.lot_code),
        Column(_("Bin"), lambda v: v.location_code),
        Column(_("Write-down"), lambda v: v.kind_text),
        Column(_("Reason"), lambda v: v.reason_text),
        Column(_("Quantity"), lambda v: fmt_qty(v.quantity), lambda v: v.quantity, True),
        Column(
            _("Value off"),
            lambda v: fmt_money(v.estimated_value),
            lambda v: v.estimated_value,
            True,
            _("What the write-down takes off, at the cost when it was asked for"),
        ),
    ]


def history_columns() -> list[Column[WriteDownView]]:
    """Columns of the write-down history."""
    return [
        Column(_("No."), lambda v: v.number, lambda v: v.number),
        Column(_("Asked"), lambda v: fmt_datetime(v.requested_at), lambda v: v.requested_at),
        Column(_("SKU"), lambda v: v.sku),
        Column(_("Name"), lambda v: v.name),
        Column(_("Lot"), lambda v: v.lot_code),
        Column(_("Write-down"), lambda v: v.kind_text),
        Column(_("Reason"), lambda v: v.reason_text),
        Column(
            _("Quantity"),
            lambda v: fmt_qty(v.posted_quantity if v.posted_quantity is not None else v.quantity),
            lambda v: v.posted_quantity,
            True,
        ),
        Column(_("Before"), lambda v: fmt_money(v.value_before), lambda v: v.value_before, True),
        Column(_("After"), lambda v: fmt_money(v.value_after), lambda v: v.value_after, True),
        Column(_("Status"), lambda v: v.status_text),
        Column(_("By"), lambda v: v.requested_by),
        Column(_("Decided by"), lambda v: v.decided_by),
        Column(_("Note"), lambda v: v.decision_note),
    ]


def view_search_text(row: WriteDownView) -> str:
    """What the history filter looks in."""
    return "\n".join((row.number, row.sku, row.name, row.lot_code, row.reason_text, row.note))


# --- the dialog ----------------------------------------------------------------------------


def reason_choices() -> list[tuple[WriteDownReason, str]]:
    """The reasons in the order the dialog offers them."""
    return [(reason, write_downs.reason_label(reason)) for reason in WriteDownReason]


class WriteDownDialog(QDialog):
    """Write down an item or a lot: scrap a quantity, or lower its value."""

    #: The write-down was asked for (its WriteDownResult).
    saved = Signal(object)
    #: The item's stock arrived (for tests).
    target_loaded = Signal(object)
    #: A preview arrived, or the preview's objection (for tests).
    previewed = Signal(object)

    def __init__(
        self,
        runner: Runner,
        user: UserRef,
        *,
        item_id: int | None = None,
        lot_id: int | None = None,
        location_id: int | None = None,
        place_codes: tuple[str, str] | None = None,
        suggestion: Suggestion | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("write_down_dialog")
        self.setWindowTitle(_("Write down stock"))
        self.setMinimumWidth(520)
        self._runner = runner
        self._user = user
        self._target: WriteDownTarget | None = None
        self._wanted_place = (location_id, lot_id)
        # A bin and lot by their codes (from the Stock page's row).
        self._wanted_codes = place_codes
        self._saving = False
        self._preview_serial = 0
        self.preview: WriteDownPreview | None = None

        self.sku_edit = QLineEdit()
        self.sku_edit.setObjectName("write_down_sku")
        self.sku_edit.setPlaceholderText(_("SKU, then Enter"))
        self.item_label = QLabel()
        self.item_label.setObjectName("write_down_item")
        self.item_label.setWordWrap(True)
        # Item names are shown as typed, never as markup.
        self.item_label.setTextFormat(Qt.TextFormat.PlainText)
        self.place_combo = QComboBox()
        self.place_combo.setObjectName("write_down_place")
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("write_down_kind")
        self.kind_combo.addItem(write_downs.kind_label(WriteDownKind.VALUE), WriteDownKind.VALUE)
        self.kind_combo.addItem(write_downs.kind_label(WriteDownKind.SCRAP), WriteDownKind.SCRAP)
        self.quantity_edit = QLineEdit()
        self.quantity_edit.setObjectName("write_down_quantity")
        self.mode_combo = QComboBox()
        self.mode_combo.setObjectName("write_down_mode")
        self.mode_combo.addItem(_("New unit value"), VALUE_MODE)
        self.mode_combo.addItem(_("Percentage off"), PERCENT_MODE)
        self.amount_edit = QLineEdit()
        self.amount_edit.setObjectName("write_down_amount")
        self.reason_combo = QComboBox()
        self.reason_combo.setObjectName("write_down_reason")
        for reason, label in reason_choices():
            self.reason_combo.addItem(label, reason.value)
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("write_down_note")
        self.note_edit.setMaxLength(write_downs.NOTE_LENGTH)
        self.note_edit.setPlaceholderText(_("What happened (needed for “Other”)"))
        self.preview_label = QLabel()
        self.preview_label.setObjectName("write_down_preview")
        self.preview_label.setWordWrap(True)
        self.preview_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error = error_label()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setObjectName("write_down_error")

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("write_down_ok")
        self.ok_button.setText(_("Write down"))
        self.ok_button.setEnabled(False)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        amount_row = QHBoxLayout()
        amount_row.addWidget(self.mode_combo)
        amount_row.addWidget(self.amount_edit, 1)
        self.amount_row = QWidget()
        self.amount_row.setLayout(amount_row)
        amount_row.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        form.addRow(_("Item"), self.sku_edit)
        form.addRow("", self.item_label)
        form.addRow(_("Stock"), self.place_combo)
        form.addRow(_("Write-down"), self.kind_combo)
        form.addRow(_("Quantity"), self.quantity_edit)
        form.addRow(_("Value"), self.amount_row)
        form.addRow(_("Reason"), self.reason_combo)
        form.addRow(_("Note"), self.note_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.update_preview)
        self.sku_edit.returnPressed.connect(self._find_sku)
        self.sku_edit.textEdited.connect(self._sku_edited)
        for edit in (self.quantity_edit, self.amount_edit, self.note_edit):
            edit.textChanged.connect(lambda _t: self._changed())
        for combo in (self.place_combo, self.kind_combo, self.mode_combo, self.reason_combo):
            combo.currentIndexChanged.connect(lambda _i: self._changed())
        self.kind_combo.currentIndexChanged.connect(lambda _i: self._kind_changed())

        if suggestion is not None:
            item_id = suggestion.item_id
            self._wanted_place = (None, suggestion.lot_id)
            self._set_combo(self.kind_combo, suggestion.suggested_kind)
            self._set_combo(self.reason_combo, suggestion.suggested_reason.value)
            if suggestion.suggested_kind is WriteDownKind.SCRAP:
                self.quantity_edit.setText(fmt_qty_edit(suggestion.quantity))
            if suggestion.suggested_unit_value is not None:
                self.amount_edit.setText(fmt_money_edit(suggestion.suggested_unit_value))
        self._kind_changed()
        if item_id is not None:
            self.sku_edit.setEnabled(False)
            self._load_target(item_id=item_id)

    # --- the item ------------------------------------------------------------------------
    @staticmethod
    def _set_combo(combo: QComboBox, data: object) -> None:
        index = combo.findData(data)
        if index >= 0:
            combo.setCurrentIndex(index)

    def _find_sku(self) -> None:
        self._load_target(sku=self.sku_edit.text())

    def _sku_edited(self, text: str) -> None:
        # Another SKU typed over the form: the item shown is no longer the one asked
        # for. Forget it, so Enter (which also presses the dialog's default button)
        # looks the new SKU up instead of posting the old item's write-down.
        if self._target is None or text.strip().casefold() == self._target.sku.casefold():
            return
        self._target = None
        self.preview = None
        self._preview_serial += 1
        self._timer.stop()
        self.item_label.setText("")
        self.preview_label.setText("")
        self.error.hide()
        self.place_combo.blockSignals(True)
        self.place_combo.clear()
        self.place_combo.blockSignals(False)
        self.ok_button.setEnabled(False)

    def _load_target(self, *, item_id: int | None = None, sku: str | None = None) -> None:
        self._runner.run(
            write_downs.write_down_target,
            item_id,
            sku,
            on_done=self._show_target,
            on_error=self._target_failed,
            owner=self,
        )

    def _show_target(self, target: WriteDownTarget) -> None:
        self._target = target
        self.sku_edit.setText(target.sku)
        mark_error(self.sku_edit, False)
        self.item_label.setText(
            _("{name}: {qty} {unit} in stock at {cost} a unit").format(
                name=target.name,
                qty=fmt_qty(target.on_hand),
                unit=target.unit,
                cost=fmt_unit_cost(target.unit_cost),
            )
        )
        self.place_combo.blockSignals(True)
        self.place_combo.clear()
        if not target.lot_tracked:
            self.place_combo.addItem(
                _("All of it ({qty} {unit})").format(qty=fmt_qty(target.on_hand), unit=target.unit),
                (None, None),
            )
        lots: dict[int, list[Any]] = {}
        for place in target.places:
            if place.lot_id is not None:
                entry = lots.setdefault(place.lot_id, [place.lot_code, place.expiry, Decimal(0)])
                entry[2] += place.quantity
        for lot_id, (code, expiry, quantity) in lots.items():
            when = _(" (expires {date})").format(date=fmt_date(expiry)) if expiry else ""
            self.place_combo.addItem(
                _("Lot {lot}{when}: {qty} {unit}").format(
                    lot=code, when=when, qty=fmt_qty(quantity), unit=target.unit
                ),
                (None, lot_id),
            )
        for place in target.places:
            where = (
                f"{place.location_code} / {place.lot_code}"
                if place.lot_code
                else (place.location_code)
            )
            self.place_combo.addItem(
                _("Bin {where}: {qty} {unit}").format(
                    where=where, qty=fmt_qty(place.quantity), unit=target.unit
                ),
                (place.location_id, place.lot_id),
            )
        if self._wanted_codes is not None:
            for place in target.places:
                if (place.location_code, place.lot_code) == self._wanted_codes:
                    self._wanted_place = (place.location_id, place.lot_id)
        # Compared in Python: Qt's findData does not compare tuples by value.
        wanted = next(
            (
                i
                for i in range(self.place_combo.count())
                if tuple(self.place_combo.itemData(i)) == self._wanted_place
            ),
            0,
        )
        self.place_combo.setCurrentIndex(wanted)
        self.place_combo.blockSignals(False)
        self.target_loaded.emit(target)
        self._changed()

    def _target_failed(self, error: HyllaError) -> None:
        self._target = None
        self.item_label.setText("")
        self.place_combo.clear()
        mark_error(self.sku_edit, True)
        self._show_error(error.message)
        self.ok_button.setEnabled(False)

    # --- the form ------------------------------------------------------------------------
    def _kind_changed(self) -> None:
        scrap = self.kind_combo.currentData() == WriteDownKind.SCRAP
        self.amount_row.setEnabled(not scrap)
        self.quantity_edit.setPlaceholderText(
            _("How many to scrap") if scrap else _("Empty: all of the stock chosen")
        )

    def current_input(self) -> WriteDownInput | None:
        """The write-down as the form says it (None until an item is chosen)."""
        if self._target is None:
            return None
        location_id, lot_id = self.place_combo.currentData() or (None, None)
        kind = WriteDownKind(self.kind_combo.currentData())
        amount = self.amount_edit.text().strip()
        value_mode = self.mode_combo.currentData() == VALUE_MODE
        return WriteDownInput(
            item_id=self._target.item_id,
            kind=kind,
            reason=WriteDownReason(self.reason_combo.currentData()),
            note=self.note_edit.text(),
            lot_id=lot_id,
            location_id=location_id,
            quantity=self.quantity_edit.text().strip() or None,
            new_unit_value=amount if kind is WriteDownKind.VALUE and value_mode else None,
            percent=amount if kind is WriteDownKind.VALUE and not value_mode else None,
        )

    def _changed(self) -> None:
        self.ok_button.setEnabled(False)
        self._timer.start()

    def update_preview(self) -> None:
        """Ask the worker what the write-down would do now (the newest answer counts)."""
        data = self.current_input()
        if data is None:
            return
        self._preview_serial += 1
        serial = self._preview_serial
        if data.kind is WriteDownKind.VALUE and not (data.new_unit_value or data.percent):
            # Nothing to work out yet: say what is missing rather than show an error.
            self.preview = None
            self.error.hide()
            self.preview_label.setText(_("Type the new unit value or the percentage off."))
            return
        self._runner.run(
            write_downs.preview_write_down,
            self._user.id,
            data,
            on_done=lambda preview: self._show_preview(serial, preview),
            on_error=lambda error: self._preview_failed(serial, error),
            owner=self,
        )

    def _show_preview(self, serial: int, preview: WriteDownPreview) -> None:
        if serial != self._preview_serial:
            return
        self.preview = preview
        self.error.hide()
        for widget in (self.quantity_edit, self.amount_edit, self.note_edit):
            mark_error(widget, False)
        if preview.kind is WriteDownKind.SCRAP:
            text = _("Scraps {qty} {unit} worth {value}.").format(
                qty=fmt_qty(preview.quantity),
                unit=preview.unit,
                value=fmt_money(preview.value_before),
            )
        else:
            text = _("{qty} {unit}: value {before} → {after}, {off} off.").format(
                qty=fmt_qty(preview.quantity),
                unit=preview.unit,
                before=fmt_money(preview.value_before),
                after=fmt_money(preview.value_after),
                off=fmt_money(preview.written_down),
            )
        if preview.needs_approval and not preview.will_post:
            text += " " + _(
                "Above the approval limit of {limit}: it will wait for a manager's approval."
            ).format(limit=fmt_money(preview.limit))
            self.ok_button.setText(_("Ask for approval"))
        else:
            self.ok_button.setText(_("Write down"))
        self.preview_label.setText(text)
        self.ok_button.setEnabled(not self._saving)
        self.previewed.emit(preview)

    def _preview_failed(self, serial: int, error: HyllaError) -> None:
        if serial != self._preview_serial:
            return
        self.preview = None
        self.preview_label.setText("")
        self._show_error(error.message, error.field if isinstance(error, ValidationError) else None)
        self.ok_button.setEnabled(False)
        self.previewed.emit(error)

    def _show_error(self, message: str, field: str | None = None) -> None:
        self.error.setText(message)
        self.error.show()
        fields = {
            "quantity": self.quantity_edit,
            "new_unit_value": self.amount_edit,
            "percent": self.amount_edit,
            "note": self.note_edit,
        }
        for name, widget in fields.items():
            mark_error(widget, name == field)

    # --- saving --------------------------------------------------------------------------
    def submit(self) -> None:
        """Ask for the write-down (the dialog closes once the service said yes)."""
        data = self.current_input()
        if data is None or self._saving:
            return
        self._saving = True
        self.ok_button.setEnabled(False)
        self._runner.run(
            write_downs.request_write_down,
            self._user.id,
            data,
            on_done=self._saved,
            on_error=self._save_failed,
            owner=self,
        )

    def _saved(self, result: WriteDownResult) -> None:
        self._saving = False
        self.saved.emit(result)
        self.accept()

    def _save_failed(self, error: HyllaError) -> None:
        self._saving = False
        self._show_error(error.message, error.field if isinstance(error, ValidationError) else None)


# --- the page ------------------------------------------------------------------------------


class WriteDownsPage(QWidget):
    """Suggestions, approvals and the history of write-downs."""

    status_message = Signal(str)
    #: Stock or values changed (the window marks the other pages stale).
    data_changed = Signal()
    #: The lists were loaded (the WriteDownOverview; for tests).
    loaded = Signal(object)
    #: A dialog was opened (for tests).
    dialog_opened = Signal(object)

    SUGGESTIONS, PENDING, HISTORY = range(3)

    def __init__(
        self,
        runner: Runner,
        user: UserRef,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._user = user
        self._settings = settings
        self.manager = _is_manager(user)
        self._loader = ListLoader(runner, write_downs.write_down_overview, self._show, self)
        self.overview: WriteDownOverview | None = None

        self.filter_edit = filter_field(
            "write_downs_filter", _("Filter by SKU, name or lot  (Ctrl+F)")
        )
        self.summary_label = QLabel()
        self.summary_label.setObjectName("write_downs_summary")
        self.summary_label.setProperty("role", "muted")
        self.new_button = QPushButton(_("New write-down…"))
        self.new_button.setObjectName("write_downs_new")

        # Suggestions.
        self.suggestions_model: RowTableModel[Suggestion] = RowTableModel(
            suggestion_columns(), suggestion_search_text, foreground=expired_in_red, parent=self
        )
        self.suggestions_table = make_table_view(self.suggestions_model)
        self.suggestions_table.setObjectName("write_downs_suggestions")
        self.suggestions_table.setSortingEnabled(False)
        set_column_widths(
            self.suggestions_table,
            {0: 180, 1: 110, 2: 220, 3: 90, 4: 90, 5: 80, 6: 50, 7: 90, 8: 100, 9: 320, 10: 80},
            stretch=9,
        )
        self.write_down_button = QPushButton(_("Write down…"))
        self.write_down_button.setObjectName("write_downs_write_down")
        self.write_down_button.setEnabled(False)
        suggestions_bar = QHBoxLayout()
        suggestions_bar.addStretch(1)
        suggestions_bar.addWidget(self.write_down_button)
        suggestions = QWidget()
        suggestions_layout = QVBoxLayout(suggestions)
        suggestions_layout.addWidget(self.suggestions_table, 1)
        suggestions_layout.addLayout(suggestions_bar)

        # Waiting for approval.
        self.pending_model: RowTableModel[WriteDownView] = RowTableModel(
            pending_columns(), view_search_text, parent=self
        )
        self.pending_table = make_table_view(self.pending_model)
        self.pending_table.setObjectName("write_downs_pending")
        set_column_widths(
            self.pending_table,
            {0: 90, 1: 130, 2: 110, 3: 110, 4: 200, 5: 80, 6: 80, 7: 110, 8: 150, 9: 80, 10: 100},
            stretch=4,
        )
        self.decision_note = QLineEdit()
        self.decision_note.setObjectName("write_downs_decision_note")
        self.decision_note.setMaxLength(write_downs.NOTE_LENGTH)
        self.decision_note.setPlaceholderText(_("Note (a reason is needed to reject)"))
        self.approve_button = QPushButton(_("Approve and post"))
        self.approve_button.setObjectName("write_downs_approve")
        self.reject_button = QPushButton(_("Reject"))
        self.reject_button.setObjectName("write_downs_reject")
        self.not_manager = QLabel(
            _("Only a manager or an administrator can approve or reject write-downs.")
        )
        self.not_manager.setObjectName("write_downs_not_manager")
        self.not_manager.setProperty("role", "muted")
        self.not_manager.setVisible(not self.manager)
        decide_bar = QHBoxLayout()
        decide_bar.addWidget(self.not_manager)
        decide_bar.addWidget(self.decision_note, 1)
        decide_bar.addWidget(self.approve_button)
        decide_bar.addWidget(self.reject_button)
        pending = QWidget()
        pending_layout = QVBoxLayout(pending)
        pending_layout.addWidget(self.pending_table, 1)
        pending_layout.addLayout(decide_bar)

        # History.
        self.history_model: RowTableModel[WriteDownView] = RowTableModel(
            history_columns(), view_search_text, parent=self
        )
        self.history_table = make_table_view(self.history_model)
        self.history_table.setObjectName("write_downs_history")
        set_column_widths(
            self.history_table,
            {0: 90, 1: 130, 2: 110, 3: 200, 4: 80, 5: 110, 6: 150, 7: 80, 8: 100, 9: 100},
            stretch=3,
        )

        self.tabs = QTabWidget()
        self.tabs.setObjectName("write_downs_tabs")
        self.tabs.addTab(suggestions, _("Suggestions"))
        self.tabs.addTab(pending, _("Waiting for approval"))
        self.tabs.addTab(self.history_table, _("History"))

        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 2)
        bar.addWidget(self.summary_label, 2)
        bar.addStretch(1)
        bar.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)

        self.filter_edit.textChanged.connect(self._filter_changed)
        self.new_button.clicked.connect(lambda: self.open_dialog())
        self.write_down_button.clicked.connect(self.write_down_selected)
        self.suggestions_table.doubleClicked.connect(self._suggestion_double_clicked)
        self.suggestions_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.pending_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.suggestions_model.modelReset.connect(self._update_buttons)
        self.pending_model.modelReset.connect(self._update_buttons)
        self.decision_note.textChanged.connect(lambda _t: self._update_buttons())
        self.approve_button.clicked.connect(self.approve_selected)
        self.reject_button.clicked.connect(self.reject_selected)
        self._update_buttons()

    # --- the page protocol ---------------------------------------------------------------
    def activate(self) -> None:
        """Shown: load the lists if they are stale."""
        self._loader.activate()

    def refresh(self) -> None:
        """Load suggestions, waiting write-downs and the history (one load at a time)."""
        self._loader.refresh()

    def mark_stale(self) -> None:
        """Stock changed elsewhere: reload when next shown."""
        self._loader.mark_stale()

    def focus_filter(self) -> None:
        """Put the cursor in the filter (Ctrl+F)."""
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def _show(self, overview: WriteDownOverview) -> None:
        self.overview = overview
        self.suggestions_model.set_rows(list(overview.suggestions))
        self.pending_model.set_rows(list(overview.pending))
        self.history_model.set_rows(list(overview.history))
        self.tabs.setTabText(
            self.PENDING,
            _("Waiting for approval ({n})").format(n=fmt_count(len(overview.pending)))
            if overview.pending
            else _("Waiting for approval"),
        )
        value = sum((row.value for row in overview.suggestions), Decimal(0))
        self.summary_label.setText(
            ngettext(
                "{n} suggestion, {value} in stock value; approval above {limit}",
                "{n} suggestions, {value} in stock value; approval above {limit}",
                len(overview.suggestions),
            ).format(
                n=fmt_count(len(overview.suggestions)),
                value=fmt_money(value),
                limit=fmt_money(overview.limit),
            )
        )
        self.loaded.emit(overview)

    def _filter_changed(self, text: str) -> None:
        for model in (self.suggestions_model, self.pending_model, self.history_model):
            model.set_filter(text)

    # --- selection -------------------------------------------------------------------------
    def selected_suggestion(self) -> Suggestion | None:
        """The suggestion selected, if any."""
        rows = self.suggestions_table.selectionModel().selectedRows()
        return self.suggestions_model.row_at(rows[0].row()) if rows else None

    def selected_pending(self) -> WriteDownView | None:
        """The waiting write-down selected, if any."""
        rows = self.pending_table.selectionModel().selectedRows()
        return self.pending_model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self, *_args: object) -> None:
        self.write_down_button.setEnabled(self.selected_suggestion() is not None)
        chosen = self.manager and self.selected_pending() is not None
        self.approve_button.setEnabled(chosen)
        self.reject_button.setEnabled(chosen and bool(self.decision_note.text().strip()))
        self.decision_note.setEnabled(self.manager)

    # --- writing down ----------------------------------------------------------------------
    def _suggestion_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_dialog(suggestion=self.suggestions_model.row_at(index.row()))

    def write_down_selected(self) -> None:
        """Open the dialog for the selected suggestion."""
        suggestion = self.selected_suggestion()
        if suggestion is not None:
            self.open_dialog(suggestion=suggestion)

    def open_dialog(
        self,
        *,
        suggestion: Suggestion | None = None,
        item_id: int | None = None,
        lot_id: int | None = None,
        location_id: int | None = None,
        place_codes: tuple[str, str] | None = None,
    ) -> WriteDownDialog:
        """Open the write-down dialog (for a suggestion, an item, or empty)."""
        dialog = WriteDownDialog(
            self._runner,
            self._user,
            item_id=item_id,
            lot_id=lot_id,
            location_id=location_id,
            place_codes=place_codes,
            suggestion=suggestion,
            parent=self,
        )
        dialog.saved.connect(self._written_down)
        dialog.open()
        self.dialog_opened.emit(dialog)
        return dialog

    def write_down(self, row: Any) -> WriteDownDialog:
        """Open the dialog for a row of the Stock page (its item, bin and lot)."""
        return self.open_dialog(item_id=row.item_id, place_codes=(row.location_code, row.lot_code))

    def _written_down(self, result: WriteDownResult) -> None:
        self.status_message.emit(result.message)
        if result.posted:
            self.data_changed.emit()
        else:
            self.tabs.setCurrentIndex(self.PENDING)
        self.refresh()

    # --- approving -------------------------------------------------------------------------
    def approve_selected(self) -> None:
        """Approve (and post) the selected waiting write-down, after asking."""
        chosen = self.selected_pending()
        if chosen is None or not self.manager:
            return
        question = _("Approve {number} and post it: {kind} of {sku}, {value} off?").format(
            number=chosen.number,
            kind=chosen.kind_text.lower(),
            sku=chosen.sku,
            value=fmt_money(chosen.estimated_value),
        )
        if not feedback.ask(self, _("Approve write-down"), question, _("Approve"), _("Cancel")):
            return
        self._runner.run(
            write_downs.approve_write_down,
            self._user.id,
            chosen.id,
            self.decision_note.text(),
            on_done=self._decided,
            on_error=lambda error: feedback.show_error(self, error.message),
            owner=self,
        )

    def reject_selected(self) -> None:
        """Reject the selected waiting write-down with the note as the reason."""
        chosen = self.selected_pending()
        if chosen is None or not self.manager:
            return
        self._runner.run(
            write_downs.reject_write_down,
            self._user.id,
            chosen.id,
            self.decision_note.text(),
            on_done=self._decided,
            on_error=lambda error: feedback.show_error(self, error.message),
            owner=self,
        )

    def _decided(self, result: WriteDownResult) -> None:
        self.decision_note.clear()
        self.status_message.emit(result.message)
        if result.posted:
            self.data_changed.emit()
        self.refresh()
