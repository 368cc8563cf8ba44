"""A service's objections shown where they belong: each beside the field it concerns,
the rest under the form, and the keyboard on the first field to correct."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QLabel, QWidget

from app.services.errors import FieldErrors, HyllaError, ValidationError
from app.ui.widgets import mark_error


def field_messages(error: HyllaError) -> dict[str, str]:
    """``error``'s messages by the field they concern ("" for the form as a whole)."""
    if isinstance(error, FieldErrors):
        return dict(error.errors)
    if isinstance(error, ValidationError) and error.field:
        return {error.field: error.message}
    return {"": error.message}


def show_field_errors(
    error: HyllaError,
    fields: Mapping[str, tuple[QWidget, QLabel]],
    other: QLabel,
    *,
    clear_others: bool = True,
) -> None:
    """Show ``error`` (see :func:`show_messages`)."""
    show_messages(field_messages(error), fields, other, clear_others=clear_others)


def show_messages(
    errors: dict[str, str],
    fields: Mapping[str, tuple[QWidget, QLabel]],
    other: QLabel,
    *,
    clear_others: bool = True,
) -> None:
    """Show each message of ``errors`` about a field in ``fields`` (field name → its
    widget and its error label) beside it, any other message in ``other``; fields
    without one are cleared, unless ``clear_others`` is False (an editor whose earlier
    objections stand until their field is changed). The first field with a message gets
    the focus."""
    errors = dict(errors)
    first: QWidget | None = None
    for key, (widget, label) in fields.items():
        message = errors.pop(key, "")
        if not message and not clear_others:
            continue
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
