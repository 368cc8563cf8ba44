"""Message boxes for errors and questions, in one place so every page words them alike.

The pages call these module functions through the module (``feedback.show_error``), so
tests can replace them and never sit behind a modal dialog.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from app.i18n import _


def show_error(parent: QWidget | None, message: str, title: str | None = None) -> None:
    """Tell the user that something did not work and what to do about it."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title or _("Hylla"))
    box.setText(message)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.exec()


def show_startup_error(message: str) -> None:
    """The database cannot be opened: say why and what to do, then Hylla stops."""
    box = QMessageBox()
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(_("Hylla cannot start"))
    box.setText(_("Hylla cannot open the database."))
    box.setInformativeText(message)
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.exec()


def ask(parent: QWidget | None, title: str, text: str, accept: str, reject: str) -> bool:
    """Ask a yes/no question with buttons that say what they do; True for ``accept``."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    yes = box.addButton(accept, QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton(reject, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(yes)
    box.setEscapeButton(no)
    box.exec()
    return box.clickedButton() is yes
