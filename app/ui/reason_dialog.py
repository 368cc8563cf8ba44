"""A question about a document that is answered with a reason, for the record.

Cancelling or closing an order cannot be undone, and the audit trail keeps why it was
done: each such dialog is a question, a "Reason:" field and a yes and a no button.
The subclasses word the question and add their buttons to :attr:`ReasonDialog.buttons`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.i18n import _

REASON_MAX = 200


class ReasonDialog(QDialog):
    """Ask ``question``; ``reason()`` is what was typed in the reason field."""

    def __init__(
        self,
        question: str,
        reason_name: str,
        placeholder: str,
        min_width: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        label = QLabel(question)
        label.setWordWrap(True)
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName(reason_name)
        self.reason_edit.setMaxLength(REASON_MAX)
        self.reason_edit.setPlaceholderText(placeholder)
        self.buttons = QDialogButtonBox()
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(label)
        column.addWidget(QLabel(_("Reason:")))
        column.addWidget(self.reason_edit)
        column.addWidget(self.buttons)
        self.setMinimumWidth(min_width)
        self.reason_edit.setFocus()

    def reason(self) -> str:
        """The reason as typed."""
        return self.reason_edit.text()
