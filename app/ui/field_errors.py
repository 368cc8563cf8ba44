"""A service's objections shown where they belong: each beside the field it concerns,
the rest under the form, and the keyboard on the first field to correct."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QLabel, QWidget

from app.services.errors import FieldErrors, HyllaError, ValidationError
from app.ui.widgets import mark_error


def show_field_errors(
    error: HyllaError, fields: Mapping[str, tuple[QWidget, QLabel]], other: QLabel
) -> None:
    """Show ``error``: a message about a field in ``fields`` (field name → its widget and
    its error label) beside it, any other message in ``other``; fields without one are
    cleared. The first field with a message gets the focus."""
    if isinstance(error, FieldErrors):
        errors = dict(error.errors)
    elif isinstance(error, ValidationError) and error.field:
        errors = {error.field: error.message}
    else:
        errors = {"": error.message}
    first: QWidget | None = None
    for key, (widget, label) in fields.items():
        message = errors.pop(key, "")
        label.setText(message)
        label.setVisible(bool(message))
        mark_error(widget, bool(message))
        if message and first is None:
            first = widget
    rest = "\n".join(errors.values())
    other.setText(rest)
    other.setVisible(bool(rest))
    if first is not None:
        first.setFocus()
