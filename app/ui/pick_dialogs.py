"""The Picking page's lot question: "Which lot did you take?"

When a lot-tracked item is picked from a bin that holds more than one lot of it (or an
expired lot beside a good one), the picking service asks which lot is in hand instead of
guessing. :class:`PickLotDialog` lists the lots of that item in that bin that may be
picked, first expiry first, says which expired lots are not offered, and has a field for
the lot: chosen from the list (arrow keys), typed as printed on the goods, or the goods'
label scanned into it. Enter picks the quantity with that lot through
:func:`app.services.picking.pick_quantity` on the database worker; its objection (a
lot that is not in the bin, or has expired) appears under the field and nothing is
picked. Like the other scan-screen dialogs it opens with ``open()``, answers Enter and
Esc, and the screen takes the keyboard back when it closes.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.services import picking
from app.services.picking import PickBin, PickLineView, PickOutcome
from app.services.users import UserRef
from app.ui.formatting import fmt_date, fmt_qty
from app.ui.receipt_dialogs import answer_buttons
from app.ui.runner import Runner
from app.ui.scan_screen import scaled_font
from app.ui.scanner import ScanField
from app.ui.widgets import error_label, mark_error

QUESTION_POINT_SIZE = 16.0
FIELD_POINT_SIZE = 15.0
ERROR_POINT_SIZE = 13.0


class LotField(ScanField):
    """The lot field: Up and Down step through the lots listed above it (the keyboard
    stays here, where a typed lot or a scan goes), and a scan is answered at once."""

    #: Up (-1) or Down (+1) was pressed.
    stepped = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.stepped.emit(-1 if event.key() == Qt.Key.Key_Up else 1)
            return
        super().keyPressEvent(event)


def lot_text(pick_bin: PickBin, unit: str) -> str:
    """A lot as the list shows it: code, expiry and how many of it the bin holds."""
    if pick_bin.expiry is None:
        return _("{lot}  ·  {qty} {unit} here").format(
            lot=pick_bin.lot, qty=fmt_qty(pick_bin.quantity), unit=unit
        )
    return _("{lot}  ·  expires {date}  ·  {qty} {unit} here").format(
        lot=pick_bin.lot,
        date=fmt_date(pick_bin.expiry),
        qty=fmt_qty(pick_bin.quantity),
        unit=unit,
    )


def expired_text(bins: tuple[PickBin, ...]) -> str:
    """The expired lots of a bin (oldest first, as the service lists them), said so the
    picker leaves them there."""
    lots = ", ".join(
        _("{lot} (expired {date})").format(lot=b.lot, date=fmt_date(b.expiry))
        if b.expiry is not None
        else b.lot
        for b in bins
    )
    return ngettext(
        "Not offered: {lots}. Leave it in the bin.",
        "Not offered: {lots}. Leave them in the bin.",
        len(bins),
    ).format(lots=lots)


class PickLotDialog(QDialog):
    """Ask which lot of a line's item was taken from the bin, then pick it."""

    #: The goods were picked (a PickOutcome).
    completed = Signal(object)

    def __init__(
        self,
        runner: Runner,
        user: UserRef,
        order_id: int,
        line: PickLineView,
        bin_id: int,
        bin_code: str,
        quantity: Decimal,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("pick_lot_dialog")
        self.setWindowTitle(_("Which lot did you take?"))
        self._runner = runner
        self._user = user
        self._order_id = order_id
        self._line = line
        self._bin_id = bin_id
        self._quantity = quantity
        self._sending = False
        big = scaled_font(self.font(), FIELD_POINT_SIZE)

        self.question_label = QLabel(
            _("{qty} {unit} {sku} {name} from {bin}: which lot did you take?").format(
                qty=fmt_qty(quantity), unit=line.unit, sku=line.sku, name=line.name, bin=bin_code
            )
        )
        self.question_label.setObjectName("pick_lot_question")
        self.question_label.setWordWrap(True)
        self.question_label.setFont(scaled_font(self.font(), QUESTION_POINT_SIZE, bold=True))

        fresh = tuple(b for b in line.bins if b.bin_id == bin_id and b.lot)
        expired = tuple(b for b in line.expired_bins if b.bin_id == bin_id and b.lot)
        self.lot_list = QListWidget()
        self.lot_list.setObjectName("pick_lot_list")
        self.lot_list.setFont(big)
        # The keyboard stays in the field (a scan must land there); the list follows it.
        self.lot_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for pick_bin in fresh:
            item = QListWidgetItem(lot_text(pick_bin, line.unit))
            item.setData(Qt.ItemDataRole.UserRole, pick_bin.lot)
            self.lot_list.addItem(item)
        rows = max(1, min(len(fresh), 5))
        self.lot_list.setFixedHeight(rows * (self.lot_list.fontMetrics().height() + 10) + 6)
        self.lot_list.setVisible(bool(fresh))
        self.expired_label = QLabel(expired_text(expired) if expired else "")
        self.expired_label.setObjectName("pick_lot_expired")
        self.expired_label.setWordWrap(True)
        self.expired_label.setVisible(bool(expired))

        field_title = QLabel(_("&Lot:"))
        field_title.setFont(big)
        self.lot_edit = LotField()
        self.lot_edit.setObjectName("pick_lot")
        self.lot_edit.setFont(big)
        self.lot_edit.setMaxLength(200)  # a scanned GS1 label is longer than a lot code
        self.lot_edit.setPlaceholderText(_("Scan the label, or type the lot"))
        field_title.setBuddy(self.lot_edit)
        self.lot_error = error_label()
        self.lot_error.setObjectName("pick_lot_error")
        self.lot_error.setFont(scaled_font(self.font(), ERROR_POINT_SIZE))
        self.ok_button, self.cancel_button, buttons = answer_buttons(
            self,
            _("Pick this lot"),
            "pick_lot_ok",
            _("Cancel"),
            _("Esc: nothing is picked"),
            big,
            self.submit,
        )

        column = QVBoxLayout(self)
        column.addWidget(self.question_label)
        column.addWidget(self.lot_list)
        column.addWidget(self.expired_label)
        column.addWidget(field_title)
        column.addWidget(self.lot_edit)
        column.addWidget(self.lot_error)
        column.addWidget(buttons)
        self.setMinimumWidth(560)

        self.lot_list.currentRowChanged.connect(self._row_chosen)
        self.lot_list.itemDoubleClicked.connect(lambda _item: self.submit())
        self.lot_edit.stepped.connect(self._step)
        self.lot_edit.returnPressed.connect(self.submit)
        # A scanned label replaces what was there and is answered at once.
        self.lot_edit.take_scan_as_entry()
        if fresh:
            self.lot_list.setCurrentRow(0)
        self.lot_edit.setFocus()

    def chosen_lot(self) -> str:
        """The lot in the field, as it will be sent."""
        return self.lot_edit.text().strip()

    def _row_chosen(self, row: int) -> None:
        item = self.lot_list.item(row)
        if item is None:
            return
        self.lot_edit.setText(str(item.data(Qt.ItemDataRole.UserRole)))
        self.lot_edit.selectAll()
        self._show_error("")

    def _step(self, delta: int) -> None:
        count = self.lot_list.count()
        if count:
            row = self.lot_list.currentRow()
            self.lot_list.setCurrentRow(max(0, min(count - 1, row + delta)))

    def submit(self) -> None:
        """Pick the quantity with the lot in the field (Enter)."""
        if self._sending:
            return  # one pick per answer, however often Enter is pressed
        lot = self.chosen_lot()
        if not lot:
            self._show_error(_("Choose the lot above, type it, or scan the goods' label."))
            return
        self._sending = True
        self.ok_button.setEnabled(False)
        self._runner.run(
            picking.pick_quantity,
            self._user.id,
            self._order_id,
            self._line.line_id,
            self._quantity,
            bin_id=self._bin_id,
            lot=lot,
            on_done=self._done,
            on_error=lambda error: self._refused(error.message),
            owner=self,
        )

    def _done(self, outcome: PickOutcome) -> None:
        if not outcome.saved:
            # Not in this bin, or expired: the service says what to take instead.
            self._refused(outcome.message)
            return
        self._sending = False
        self.completed.emit(outcome)
        self.accept()

    def _refused(self, message: str) -> None:
        self._sending = False
        self.ok_button.setEnabled(True)
        self._show_error(message)

    def _show_error(self, message: str) -> None:
        self.lot_error.setText(message)
        self.lot_error.setVisible(bool(message))
        mark_error(self.lot_edit, bool(message))
        if message:
            self.lot_edit.setFocus()
            self.lot_edit.selectAll()
