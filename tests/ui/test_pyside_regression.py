"""A guard against the PySide6 6.12.0 crash on Python 3.11 (DESIGN.md): after a few dozen
calls it aborts with ``Fatal Python error: none_dealloc``. This loop would kill the test
process on such a release; on 6.11 it passes quietly."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

CALLS = 5_000


def test_many_set_text_and_clear_calls_survive(qtbot: QtBot) -> None:
    label = QLabel()
    edit = QLineEdit()
    qtbot.addWidget(label)
    qtbot.addWidget(edit)
    for n in range(CALLS):
        label.setText(f"{n} of {CALLS} items")
        edit.setText(str(n))
        assert edit.text() == str(n)
        label.clear()
        edit.clear()
    label.setText("done")
    assert (label.text(), edit.text()) == ("done", "")
