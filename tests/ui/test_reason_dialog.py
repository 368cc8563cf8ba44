"""The question-with-a-reason dialog that cancelling and closing orders share."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel
from pytestqt.qtbot import QtBot

from app.ui.reason_dialog import REASON_MAX, ReasonDialog


def _dialog(qtbot: QtBot) -> ReasonDialog:
    dialog = ReasonDialog("Cancel PO-1001?", "cancel_reason", "Why, for the record", 460)
    dialog.buttons.addButton("Cancel the order", QDialogButtonBox.ButtonRole.AcceptRole)
    dialog.buttons.addButton("Keep it", QDialogButtonBox.ButtonRole.RejectRole)
    qtbot.addWidget(dialog)
    return dialog


def test_the_reason_typed_is_what_the_dialog_gives(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert [label.text() for label in dialog.findChildren(QLabel)] == [
        "Cancel PO-1001?",
        "Reason:",
    ]
    assert dialog.reason_edit.objectName() == "cancel_reason"
    assert dialog.reason_edit.placeholderText() == "Why, for the record"
    assert dialog.minimumWidth() == 460
    assert dialog.focusWidget() is dialog.reason_edit
    qtbot.keyClicks(dialog.reason_edit, "x" * (REASON_MAX + 20))
    assert dialog.reason() == "x" * REASON_MAX
    accept = next(
        button
        for button in dialog.buttons.buttons()
        if dialog.buttons.buttonRole(button) is QDialogButtonBox.ButtonRole.AcceptRole
    )
    with qtbot.waitSignal(dialog.finished) as finished:
        accept.click()
    assert finished.args == [QDialog.DialogCode.Accepted.value]


def test_the_no_button_rejects(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.show()
    keep = next(
        button
        for button in dialog.buttons.buttons()
        if dialog.buttons.buttonRole(button) is QDialogButtonBox.ButtonRole.RejectRole
    )
    with qtbot.waitSignal(dialog.finished) as finished:
        keep.click()
    assert finished.args == [QDialog.DialogCode.Rejected.value]
