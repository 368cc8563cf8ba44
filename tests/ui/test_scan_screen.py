"""The parts the scan screens share: the message's style per tone, the list table whose
Enter starts the panel's action, and a service's objections shown beside their fields."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from app.services.errors import FieldErrors, NotFoundError, ValidationError
from app.ui.field_errors import show_field_errors
from app.ui.scan_feedback import Tone
from app.ui.scan_screen import EnterTable, message_style


def test_message_style_colours_the_tone_and_falls_back_to_information() -> None:
    assert message_style("pick_message", Tone.PROBLEM, 10, "6px 12px") == (
        "QLabel#pick_message { background: #ffebee; color: #b71c1c;"
        " border-left: 10px solid #b71c1c; padding: 6px 12px; }"
    )
    information = message_style("count_message", Tone.INFO, 8, "8px 14px")
    assert message_style("count_message", None, 8, "8px 14px") == information
    assert "#263238" in information and "border-left: 8px" in information
    assert "#ffb300" in message_style("receipt_message", Tone.WARNING, 8, "6px 12px")


def test_enter_table_starts_the_action_and_may_leave_modified_enter_alone(qtbot: QtBot) -> None:
    any_enter = EnterTable()
    plain_only = EnterTable(plain_enter_only=True)
    for table in (any_enter, plain_only):
        qtbot.addWidget(table)
        with qtbot.waitSignal(table.activated_by_key, timeout=1000):
            qtbot.keyClick(table, Qt.Key.Key_Return)
    with qtbot.waitSignal(any_enter.activated_by_key, timeout=1000):
        qtbot.keyClick(any_enter, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    with qtbot.assertNotEmitted(plain_only.activated_by_key):
        qtbot.keyClick(plain_only, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    # The number pad's Enter is a plain Enter to a person, whatever Qt marks on it.
    with qtbot.waitSignal(plain_only.activated_by_key, timeout=1000):
        qtbot.keyClick(plain_only, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)


def _form(qtbot: QtBot) -> tuple[QWidget, dict[str, tuple[QWidget, QLabel]], QLabel]:
    holder = QWidget()
    qtbot.addWidget(holder)
    fields: dict[str, tuple[QWidget, QLabel]] = {
        name: (QLineEdit(holder), QLabel(holder)) for name in ("quantity", "reason")
    }
    other = QLabel(holder)
    holder.show()
    qtbot.waitExposed(holder)
    holder.activateWindow()
    return holder, fields, other


def test_field_errors_stand_beside_their_fields_and_the_rest_below(qtbot: QtBot) -> None:
    holder, fields, other = _form(qtbot)
    error = FieldErrors({"reason": "Give a reason.", "": "The order is closed."})
    show_field_errors(error, fields, other)
    quantity, reason = fields["quantity"], fields["reason"]
    assert reason[1].text() == "Give a reason." and reason[1].isVisible()
    assert quantity[1].text() == "" and not quantity[1].isVisible()
    assert other.text() == "The order is closed." and other.isVisible()
    qtbot.waitUntil(lambda: reason[0].hasFocus(), timeout=1000)

    show_field_errors(ValidationError("Type a number.", field="quantity"), fields, other)
    assert quantity[1].text() == "Type a number." and not reason[1].isVisible()
    assert not other.isVisible()

    show_field_errors(NotFoundError("Order 7 does not exist."), fields, other)
    assert other.text() == "Order 7 does not exist."
    assert not quantity[1].isVisible() and not reason[1].isVisible()
