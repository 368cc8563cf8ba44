"""The small dialogs of the receiving screen: the lot and expiry of goods whose code did
not carry them, and the questions a worker answers with one key.

They are built for a person with a scanner in one hand: large text, the safe answer on
Enter where a wrong "yes" would put goods on the books that should not be there (more
than the tolerance over the order, an item nobody ordered), Esc for the other answer,
and a tooltip on each button naming its key. They open window-modal with ``open()``,
never ``exec()``, so the window keeps painting and tests never sit behind them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import receiving
from app.services.errors import FieldErrors, HyllaError, ValidationError
from app.services.receiving import ScanOutcome
from app.services.users import UserRef
from app.ui.formatting import fmt_qty
from app.ui.runner import Runner
from app.ui.scan_screen import scaled_font
from app.ui.widgets import error_label, mark_error

# Text a worker reads from a step away.
QUESTION_POINT_SIZE = 16.0
FIELD_POINT_SIZE = 15.0


def answer_buttons(
    dialog: QDialog,
    ok_text: str,
    ok_name: str,
    cancel_text: str,
    cancel_tip: str,
    font: QFont,
    on_ok: Callable[[], None],
) -> tuple[QPushButton, QPushButton, QDialogButtonBox]:
    """The answer buttons of a dialog that sends something: ``ok_text`` on Enter runs
    ``on_ok``, ``cancel_text`` on Esc closes ``dialog`` (``cancel_tip`` says what that
    means). Returns the OK and cancel buttons and the box holding them."""
    ok = QPushButton(ok_text)
    ok.setObjectName(ok_name)
    ok.setDefault(True)
    ok.setToolTip(_("Enter"))
    cancel = QPushButton(cancel_text)
    cancel.setToolTip(cancel_tip)
    for button in (ok, cancel):
        button.setFont(font)
        button.setMinimumHeight(40)
    box = QDialogButtonBox()
    box.addButton(ok, QDialogButtonBox.ButtonRole.AcceptRole)
    box.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole)
    ok.clicked.connect(on_ok)
    cancel.clicked.connect(dialog.reject)
    return ok, cancel, box


class ConfirmDialog(QDialog):
    """A yes/no question with buttons that say what they do; ``default_yes`` decides what
    Enter means (Esc always means no)."""

    def __init__(
        self,
        title: str,
        question: str,
        yes_text: str,
        no_text: str,
        *,
        default_yes: bool,
        detail: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(title)
        self.setObjectName("confirm_dialog")
        self.question_label = QLabel(question)
        self.question_label.setObjectName("confirm_question")
        self.question_label.setWordWrap(True)
        self.question_label.setFont(scaled_font(self.font(), QUESTION_POINT_SIZE, bold=True))
        self.detail_label = QLabel(detail)
        self.detail_label.setObjectName("confirm_detail")
        self.detail_label.setWordWrap(True)
        self.detail_label.setFont(scaled_font(self.font(), FIELD_POINT_SIZE - 2))
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_label.setVisible(bool(detail))
        self.yes_button = QPushButton(yes_text)
        self.yes_button.setObjectName("confirm_yes")
        self.no_button = QPushButton(no_text)
        self.no_button.setObjectName("confirm_no")
        for button in (self.yes_button, self.no_button):
            button.setFont(scaled_font(self.font(), FIELD_POINT_SIZE, bold=True))
            button.setMinimumHeight(44)
            button.setAutoDefault(False)
        default = self.yes_button if default_yes else self.no_button
        default.setDefault(True)
        self.yes_button.setToolTip(_("Enter") if default_yes else _("Tab to it, then Enter"))
        self.no_button.setToolTip(_("Esc") + ("" if default_yes else " · " + _("Enter")))
        buttons = QDialogButtonBox()
        buttons.addButton(self.yes_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.no_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.yes_button.clicked.connect(self.accept)
        self.no_button.clicked.connect(self.reject)
        column = QVBoxLayout(self)
        column.setSpacing(12)
        column.addWidget(self.question_label)
        column.addWidget(self.detail_label)
        column.addWidget(buttons)
        self.setMinimumWidth(560)
        self.default_yes = default_yes
        default.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter answers with the default button wherever the focus is (a tabbed-to button
        # answers with itself, as Qt does); Esc is no.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        ):
            focused = self.focusWidget()
            if focused is self.yes_button:
                self.accept()
            elif focused is self.no_button:
                self.reject()
            else:
                self.accept() if self.default_yes else self.reject()
            return
        super().keyPressEvent(event)


class LotDialog(QDialog):
    """Ask the lot and/or expiry of a scan that needs them, and finish the scan with
    ``receiving.complete_scan``; the service's objections appear beside the fields."""

    #: The scan was completed (a ScanOutcome: added, or asking for something else).
    completed = Signal(object)

    def __init__(
        self,
        runner: Runner,
        user: UserRef,
        receipt_id: int,
        outcome: ScanOutcome,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        assert outcome.pending is not None
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("lot_dialog")
        self._runner = runner
        self._user = user
        self._receipt_id = receipt_id
        self._pending = outcome.pending
        needs_lot, needs_expiry = outcome.needs_lot, outcome.needs_expiry
        if needs_lot and needs_expiry:
            self.setWindowTitle(_("Lot and expiry"))
        elif needs_lot:
            self.setWindowTitle(_("Lot number"))
        else:
            self.setWindowTitle(_("Expiry date"))

        big = scaled_font(self.font(), FIELD_POINT_SIZE)
        self.item_label = QLabel(
            _("{qty} × {name} ({sku})").format(
                qty=fmt_qty(outcome.quantity), name=outcome.name, sku=outcome.sku
            )
        )
        self.item_label.setObjectName("lot_item")
        self.item_label.setWordWrap(True)
        self.item_label.setFont(scaled_font(self.font(), QUESTION_POINT_SIZE, bold=True))
        self.lot_edit = QLineEdit(outcome.lot or "")
        self.lot_edit.setObjectName("lot_edit")
        self.lot_edit.setMaxLength(64)
        self.lot_edit.setPlaceholderText(_("As printed on the goods"))
        self.expiry_edit = QLineEdit(outcome.expiry.isoformat() if outcome.expiry else "")
        self.expiry_edit.setObjectName("expiry_edit")
        self.expiry_edit.setPlaceholderText(_("YYYY-MM-DD, e.g. {date}").format(date=_example()))
        for edit in (self.lot_edit, self.expiry_edit):
            edit.setFont(big)
            edit.setMinimumWidth(280)
        self.lot_error = error_label()
        self.expiry_error = error_label()
        self.other_error = error_label()
        form = QFormLayout()
        self._show_lot = needs_lot or outcome.lot is not None
        self._show_expiry = needs_expiry or outcome.expiry is not None
        if self._show_lot:
            lot_title = QLabel(_("Lot:"))
            lot_title.setFont(big)
            form.addRow(lot_title, self.lot_edit)
            form.addRow("", self.lot_error)
        if self._show_expiry:
            expiry_title = QLabel(_("Expiry:"))
            expiry_title.setFont(big)
            form.addRow(expiry_title, self.expiry_edit)
            form.addRow("", self.expiry_error)
        self.ok_button, self.cancel_button, buttons = answer_buttons(
            self,
            _("Receive"),
            "lot_ok",
            _("Do not receive"),
            _("Esc: nothing of this scan is saved"),
            big,
            self.submit,
        )
        column = QVBoxLayout(self)
        column.setSpacing(10)
        column.addWidget(self.item_label)
        column.addLayout(form)
        column.addWidget(self.other_error)
        column.addWidget(buttons)
        self.setMinimumWidth(520)
        # The first field still to fill gets the cursor.
        if needs_lot:
            self.lot_edit.setFocus()
        elif self._show_expiry:
            self.expiry_edit.setFocus()

    def submit(self) -> None:
        """Complete the scan with what was typed, on the worker."""
        self.ok_button.setEnabled(False)
        self._runner.run(
            receiving.complete_scan,
            self._receipt_id,
            self._pending,
            self._user.id,
            lot=self.lot_edit.text() if self._show_lot else None,
            expiry=self.expiry_edit.text() if self._show_expiry else None,
            on_done=self._done,
            on_error=self._failed,
            owner=self,
        )

    def _done(self, outcome: ScanOutcome) -> None:
        self.completed.emit(outcome)
        self.accept()

    def _failed(self, error: HyllaError) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(error, FieldErrors):
            errors = dict(error.errors)
        elif isinstance(error, ValidationError) and error.field:
            errors = {error.field: error.message}
        else:
            errors = {"": error.message}
        for key, edit, label in (
            ("lot", self.lot_edit, self.lot_error),
            ("expiry", self.expiry_edit, self.expiry_error),
        ):
            message = errors.pop(key, "")
            label.setText(message)
            label.setVisible(bool(message))
            mark_error(edit, bool(message))
            if message:
                edit.setFocus()
                edit.selectAll()
        rest = "\n".join(errors.values())
        self.other_error.setText(rest)
        self.other_error.setVisible(bool(rest))


def _example() -> str:
    return (dt.date.today() + dt.timedelta(days=30)).isoformat()
