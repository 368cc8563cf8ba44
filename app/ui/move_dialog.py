r"""The Move dialog of the Stock page: move the selected stock (an item in one bin and
lot) to another bin, by scanning that bin's label or typing its code.

Like the receiving and count dialogs it opens window-modal with ``open()``, answers
Enter (move) and Esc (cancel), runs the move on the database worker and shows the
service's objection beside the field it concerns, so nothing typed is lost.

A scan while the dialog has the keyboard is meant for it: both fields are
``ScanField``\ s (app/ui/scanner.py), told of a whole scan instead of having it typed in,
and take it as a bin label, so a label scanned while the cursor is in the quantity still
fills in the target bin instead of spoiling the quantity.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import transfers
from app.services.errors import HyllaError
from app.services.stock import WarehouseStockRow
from app.services.transfers import BinMove
from app.services.users import UserRef
from app.ui.field_errors import show_field_errors, show_messages
from app.ui.formatting import fmt_qty, fmt_qty_edit
from app.ui.receipt_dialogs import FIELD_POINT_SIZE, QUESTION_POINT_SIZE, answer_buttons
from app.ui.runner import Runner
from app.ui.scan_screen import scaled_font
from app.ui.scanner import ScanField
from app.ui.widgets import error_label


def move_question(row: WarehouseStockRow) -> str:
    """What the dialog asks: which stock moves, where it is and how much is there."""
    if row.lot_code:
        text = _("Move {sku} {name} (lot {lot}, {qty} {unit} in {bin})")
    else:
        text = _("Move {sku} {name} ({qty} {unit} in {bin})")
    return text.format(
        sku=row.sku,
        name=row.name,
        lot=row.lot_code,
        qty=fmt_qty(row.quantity),
        unit=row.unit,
        bin=row.location_code,
    )


class MoveDialog(QDialog):
    """Move one stock row to another bin; ``moved`` carries the posted BinMove."""

    #: The move was posted (a BinMove).
    moved = Signal(object)

    def __init__(
        self,
        runner: Runner,
        user: UserRef,
        row: WarehouseStockRow,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("move_dialog")
        self.setWindowTitle(_("Move to another bin"))
        self._runner = runner
        self._user = user
        self._row = row

        big = scaled_font(self.font(), FIELD_POINT_SIZE)
        self.question_label = QLabel(move_question(row))
        self.question_label.setObjectName("move_question")
        self.question_label.setWordWrap(True)
        self.question_label.setFont(scaled_font(self.font(), QUESTION_POINT_SIZE, bold=True))
        self.bin_edit = ScanField()
        self.bin_edit.setObjectName("move_to_bin")
        self.bin_edit.setMaxLength(100)
        self.bin_edit.setPlaceholderText(_("Scan the bin's label or type its code"))
        self.quantity_edit = ScanField(fmt_qty_edit(row.quantity))
        self.quantity_edit.setObjectName("move_quantity")
        self.quantity_edit.setMaxLength(30)
        self.quantity_edit.setToolTip(_("All of it by default; type less to move part of it"))
        for edit in (self.bin_edit, self.quantity_edit):
            edit.setFont(big)
            edit.scanned.connect(self.take_bin_code)
        self.bin_edit.setMinimumWidth(280)
        self.quantity_edit.setMinimumWidth(140)
        self.unit_label = QLabel(row.unit)
        self.unit_label.setFont(big)
        self.bin_error = error_label()
        self.quantity_error = error_label()
        self.other_error = error_label()

        self.move_button, self.cancel_button, buttons = answer_buttons(
            self,
            _("&Move"),
            "move_ok",
            _("Cancel"),
            _("Esc: nothing is moved"),
            big,
            self.submit,
        )

        bin_title = QLabel(_("To bin:"))
        quantity_title = QLabel(_("Quantity:"))
        for title in (bin_title, quantity_title):
            title.setFont(big)
        quantity_row = QHBoxLayout()
        quantity_row.addWidget(self.quantity_edit)
        quantity_row.addWidget(self.unit_label)
        quantity_row.addStretch(1)
        form = QFormLayout()
        form.addRow(bin_title, self.bin_edit)
        form.addRow("", self.bin_error)
        form.addRow(quantity_title, quantity_row)
        form.addRow("", self.quantity_error)
        column = QVBoxLayout(self)
        column.setSpacing(10)
        column.addWidget(self.question_label)
        column.addLayout(form)
        column.addWidget(self.other_error)
        column.addWidget(buttons)
        self.setMinimumWidth(560)
        # The scanner's first: the target bin is what the worker scans next.
        self.bin_edit.setFocus()

    @property
    def row(self) -> WarehouseStockRow:
        """The stock being moved."""
        return self._row

    def take_bin_code(self, code: str) -> None:
        """A scanned bin label (or a bin code) is the bin to move to; Enter then moves."""
        self.bin_edit.setText(code.strip())
        self.bin_edit.setFocus()
        self._show_error(None)

    def submit(self) -> None:
        """Post the move on the worker; a refusal appears beside its field."""
        if not self.move_button.isEnabled():
            return  # the move already on its way answers first
        self.move_button.setEnabled(False)
        row = self._row
        self._runner.run(
            transfers.move_between_bins,
            self._user.id,
            row.item_id,
            row.location_id,
            self.bin_edit.text(),
            self.quantity_edit.text(),
            row.lot_id,
            on_done=self._moved,
            on_error=self._failed,
            owner=self,
        )

    def _moved(self, result: BinMove) -> None:
        self.moved.emit(result)
        self.accept()

    def _failed(self, error: HyllaError) -> None:
        self.move_button.setEnabled(True)
        self._show_error(error)

    def _show_error(self, error: HyllaError | None) -> None:
        fields = {
            transfers.TO_BIN_FIELD: (self.bin_edit, self.bin_error),
            transfers.QUANTITY_FIELD: (self.quantity_edit, self.quantity_error),
        }
        if error is None:
            show_messages({}, fields, self.other_error)
            return
        show_field_errors(error, fields, self.other_error)
        focused = self.focusWidget()
        if isinstance(focused, QLineEdit):
            # The next scan or typing replaces the wrong text instead of adding to it.
            focused.selectAll()
