"""Signing in: the dialog at start, "Switch user…" and "Change my password…".

At start the dialog asks who is working (a list of the users who can sign in) and their
password or PIN; a wrong one says so under the field and nothing else happens. A new
database has no administrator yet: the same dialog then asks for one to be created,
with a password the person chooses (Hylla has no default password).

"Switch user…" (Ctrl+Shift+U, and the user's name in the status bar) signs someone
else in without closing the window; the window rebuilds its pages for them, since what
a page offers depends on the role. Cancelling keeps the current user.

The services do the checking (:mod:`app.services.auth`); this module only asks. Tests
and automation reach every field by its object name and call :meth:`SignInDialog.submit`.
"""

from __future__ import annotations

import getpass

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import auth
from app.services.auth import SignInResult, SignInScreen
from app.services.errors import FieldErrors, HyllaError, ValidationError
from app.services.users import UserRef
from app.ui.runner import Runner
from app.ui.widgets import error_label, mark_error

SWITCH_USER_SHORTCUT = "Ctrl+Shift+U"
LAST_USER_KEY = "sign_in/last_user"


def _password_edit(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(auth.MAX_PASSWORD)
    return edit


def _show(label: QLabel, edit: QWidget | None, message: str) -> None:
    label.setText(message)
    label.setVisible(bool(message))
    if edit is not None:
        mark_error(edit, bool(message))
    fit_dialog(label)


def fit_dialog(widget: QWidget) -> None:
    """Let a dialog grow to show an error that wraps onto more lines."""
    dialog = widget.window()
    if isinstance(dialog, QDialog) and dialog.isVisible():
        dialog.adjustSize()


def _errors_of(error: HyllaError) -> dict[str, str]:
    if isinstance(error, FieldErrors):
        return dict(error.errors)
    if isinstance(error, ValidationError) and error.field:
        return {error.field: error.message}
    return {"": error.message}


class SignInDialog(QDialog):
    """Who is working: sign in, or (new database) create the administrator."""

    #: The dialog has loaded what it shows (a SignInScreen).
    loaded = Signal(object)
    #: Someone signed in, or the administrator was created (a UserRef).
    signed_in = Signal(object)
    #: A sign-in was refused; the message is on screen (a str).
    refused = Signal(str)

    SIGN_IN, FIRST_ADMIN, LOADING = range(3)

    def __init__(
        self,
        runner: Runner,
        settings: QSettings,
        parent: QWidget | None = None,
        *,
        switching: bool = False,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._settings = settings
        self._switching = switching
        self.user: UserRef | None = None
        self.contents: SignInScreen | None = None
        self.setWindowTitle(_("Switch user") if switching else _("Sign in to Hylla"))
        self.setMinimumWidth(540)

        # --- sign in ---
        self.user_combo = QComboBox()
        self.user_combo.setObjectName("sign_in_user")
        self.user_combo.setMinimumWidth(260)
        self.password_edit = _password_edit("sign_in_password")
        self.password_edit.setPlaceholderText(_("Password or PIN"))
        self.sign_in_error = error_label()
        self.sign_in_error.setObjectName("sign_in_error")
        sign_in_page = QWidget()
        sign_in_form = QFormLayout(sign_in_page)
        sign_in_form.addRow(_("User:"), self.user_combo)
        sign_in_form.addRow(_("Password or PIN:"), self.password_edit)
        sign_in_form.addRow("", self.sign_in_error)

        # --- first start: the administrator ---
        intro = QLabel(
            _(
                "Welcome to Hylla. First create the administrator: the person who adds the "
                "other users and changes settings. Hylla has no default password: choose "
                "one now (at least {n} characters, or a PIN of at least {pin} digits) and "
                "keep it safe."
            ).format(n=auth.MIN_PASSWORD, pin=auth.MIN_PIN)
        )
        intro.setWordWrap(True)
        self.admin_name_edit = QLineEdit(getpass.getuser() if not switching else "")
        self.admin_name_edit.setObjectName("admin_username")
        self.admin_name_edit.setMaxLength(64)
        self.admin_display_edit = QLineEdit()
        self.admin_display_edit.setObjectName("admin_display_name")
        self.admin_display_edit.setPlaceholderText(_("e.g. Anna Berg"))
        self.admin_display_edit.setMaxLength(200)
        self.admin_password_edit = _password_edit("admin_password")
        self.admin_repeat_edit = _password_edit("admin_repeat")
        self.admin_name_error = error_label()
        self.admin_display_error = error_label()
        self.admin_password_error = error_label()
        self.admin_repeat_error = error_label()
        self.admin_other_error = error_label()
        admin_page = QWidget()
        admin_column = QVBoxLayout(admin_page)
        admin_column.setContentsMargins(0, 0, 0, 0)
        admin_column.addWidget(intro)
        admin_form = QFormLayout()
        admin_form.addRow(_("User name:"), self.admin_name_edit)
        admin_form.addRow("", self.admin_name_error)
        admin_form.addRow(_("Full name:"), self.admin_display_edit)
        admin_form.addRow("", self.admin_display_error)
        admin_form.addRow(_("Password or PIN:"), self.admin_password_edit)
        admin_form.addRow("", self.admin_password_error)
        admin_form.addRow(_("Repeat it:"), self.admin_repeat_edit)
        admin_form.addRow("", self.admin_repeat_error)
        admin_column.addLayout(admin_form)
        admin_column.addWidget(self.admin_other_error)

        loading = QLabel(_("Loading…"))
        loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(sign_in_page)
        self.stack.addWidget(admin_page)
        self.stack.addWidget(loading)
        self.stack.setCurrentIndex(self.LOADING)

        self.buttons = QDialogButtonBox()
        self.ok_button = QPushButton(_("Sign in"))
        self.ok_button.setObjectName("sign_in_ok")
        self.ok_button.setDefault(True)
        self.ok_button.setEnabled(False)
        self.cancel_button = QPushButton(_("Cancel") if switching else _("Quit"))
        self.cancel_button.setObjectName("sign_in_cancel")
        self.buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        column = QVBoxLayout(self)
        column.addWidget(self.stack)
        column.addWidget(self.buttons)

        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.password_edit.textEdited.connect(lambda _t: _show(self.sign_in_error, None, ""))
        self.user_combo.currentIndexChanged.connect(lambda _i: self._user_changed())
        self._busy = False
        runner.run(
            auth.sign_in_screen, on_done=self._loaded, on_error=self._load_failed, owner=self
        )

    # --- loading ---------------------------------------------------------------------------
    def _loaded(self, screen: SignInScreen) -> None:
        self.contents = screen
        if screen.needs_first_admin and not self._switching:
            self.stack.setCurrentIndex(self.FIRST_ADMIN)
            self.setWindowTitle(_("Create the administrator"))
            self.ok_button.setText(_("Create administrator"))
            self.admin_name_edit.setFocus()
            self.admin_name_edit.selectAll()
        else:
            self.stack.setCurrentIndex(self.SIGN_IN)
            last = str(self._settings.value(LAST_USER_KEY, "") or "")
            for choice in screen.choices:
                shown = choice.display_name
                if choice.display_name.casefold() != choice.username.casefold():
                    shown = f"{choice.display_name} ({choice.username})"
                self.user_combo.addItem(shown, choice.username)
            index = self.user_combo.findData(last)
            self.user_combo.setCurrentIndex(max(index, 0))
            # Signing in, the last user is who comes back: straight to the password.
            # Switching, someone else is taking over: the list first, where typing the
            # first letter of a name chooses it.
            (self.user_combo if self._switching else self.password_edit).setFocus()
        self.ok_button.setEnabled(True)
        # The button was disabled and outside the dialog when first made default, so Qt
        # chose another (Quit) on show: Enter in a field must sign in, not quit.
        self.ok_button.setDefault(True)
        self.loaded.emit(screen)

    def _load_failed(self, error: HyllaError) -> None:
        self.stack.setCurrentIndex(self.SIGN_IN)
        _show(self.sign_in_error, None, error.message)
        self.loaded.emit(None)

    def _user_changed(self) -> None:
        _show(self.sign_in_error, None, "")
        self.password_edit.clear()

    # --- submitting ------------------------------------------------------------------------
    def select_user(self, username: str) -> bool:
        """Choose ``username`` in the list; False if it is not there."""
        index = self.user_combo.findData(username)
        if index < 0:
            return False
        self.user_combo.setCurrentIndex(index)
        return True

    def submit(self) -> None:
        """Sign in (or create the administrator) with what the form holds."""
        if self._busy or self.contents is None:
            return
        if self.stack.currentIndex() == self.FIRST_ADMIN:
            self._create_admin()
            return
        username = self.user_combo.currentData()
        if not username:
            _show(self.sign_in_error, None, _("Choose who you are in the list."))
            return
        if not self.password_edit.text():
            _show(self.sign_in_error, self.password_edit, _("Type your password or PIN."))
            self.password_edit.setFocus()
            return
        self._set_busy(True)
        self._runner.run(
            auth.sign_in,
            str(username),
            self.password_edit.text(),
            on_done=self._signed_in,
            on_error=self._sign_in_failed,
            owner=self,
        )

    def _signed_in(self, result: SignInResult) -> None:
        self._set_busy(False)
        if result.user is None:
            self.password_edit.clear()
            self.password_edit.setFocus()
            _show(self.sign_in_error, self.password_edit, result.message)
            self.refused.emit(result.message)
            return
        self._settings.setValue(LAST_USER_KEY, result.user.username)
        self._done(result.user)

    def _sign_in_failed(self, error: HyllaError) -> None:
        self._set_busy(False)
        _show(self.sign_in_error, None, error.message)
        self.refused.emit(error.message)

    def _create_admin(self) -> None:
        for label, edit in (
            (self.admin_name_error, self.admin_name_edit),
            (self.admin_display_error, self.admin_display_edit),
            (self.admin_password_error, self.admin_password_edit),
            (self.admin_repeat_error, self.admin_repeat_edit),
            (self.admin_other_error, None),
        ):
            _show(label, edit, "")
        if self.admin_password_edit.text() != self.admin_repeat_edit.text():
            _show(
                self.admin_repeat_error,
                self.admin_repeat_edit,
                _("The two passwords differ. Type the same password twice."),
            )
            self.admin_repeat_edit.clear()
            self.admin_repeat_edit.setFocus()
            return
        self._set_busy(True)
        self._runner.run(
            auth.create_first_admin,
            self.admin_name_edit.text(),
            self.admin_display_edit.text(),
            self.admin_password_edit.text(),
            on_done=self._admin_created,
            on_error=self._admin_failed,
            owner=self,
        )

    def _admin_created(self, user: UserRef) -> None:
        self._set_busy(False)
        self._settings.setValue(LAST_USER_KEY, user.username)
        self._done(user)

    def _admin_failed(self, error: HyllaError) -> None:
        self._set_busy(False)
        errors = _errors_of(error)
        for key, label, edit in (
            ("username", self.admin_name_error, self.admin_name_edit),
            ("display_name", self.admin_display_error, self.admin_display_edit),
            ("password", self.admin_password_error, self.admin_password_edit),
        ):
            _show(label, edit, errors.pop(key, ""))
        _show(self.admin_other_error, None, "\n".join(errors.values()))
        self.refused.emit(error.message)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.ok_button.setEnabled(not busy)

    def _done(self, user: UserRef) -> None:
        self.user = user
        self.signed_in.emit(user)
        self.accept()


def ask_sign_in(
    runner: Runner, settings: QSettings, parent: QWidget | None = None, *, switching: bool = False
) -> UserRef | None:
    """Show the sign-in dialog and wait; the user who signed in, or None if cancelled.

    Called through the module (``sign_in.ask_sign_in``) so tests can stand in for it.
    """
    dialog = SignInDialog(runner, settings, parent, switching=switching)
    dialog.exec()
    user = dialog.user
    dialog.deleteLater()
    return user


class ChangePasswordDialog(QDialog):
    """The signed-in user changes their own password or PIN."""

    changed = Signal()

    def __init__(self, runner: Runner, user: UserRef, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(_("Change my password"))
        self._runner = runner
        self._user = user
        self.current_edit = _password_edit("current_password")
        self.new_edit = _password_edit("new_password")
        self.repeat_edit = _password_edit("repeat_password")
        self.current_error = error_label()
        self.new_error = error_label()
        self.repeat_error = error_label()
        self.other_error = error_label()
        form = QFormLayout()
        form.addRow(_("Current password or PIN:"), self.current_edit)
        form.addRow("", self.current_error)
        form.addRow(_("New password or PIN:"), self.new_edit)
        form.addRow("", self.new_error)
        form.addRow(_("Repeat it:"), self.repeat_edit)
        form.addRow("", self.repeat_error)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(
            _("Change password"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setDefault(True)
        self.buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        column = QVBoxLayout(self)
        column.addWidget(QLabel(_("User: {name}").format(name=user.display_name)))
        column.addLayout(form)
        column.addWidget(self.other_error)
        column.addWidget(self.buttons)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

    def save(self) -> None:
        """Check the repeat, then change the password on the worker."""
        for label, edit in (
            (self.current_error, self.current_edit),
            (self.new_error, self.new_edit),
            (self.repeat_error, self.repeat_edit),
            (self.other_error, None),
        ):
            _show(label, edit, "")
        if self.new_edit.text() != self.repeat_edit.text():
            _show(
                self.repeat_error,
                self.repeat_edit,
                _("The two passwords differ. Type the same password twice."),
            )
            return
        self.save_button.setEnabled(False)
        self._runner.run(
            auth.change_own_password,
            self._user.id,
            self.current_edit.text(),
            self.new_edit.text(),
            on_done=self._saved,
            on_error=self._failed,
            owner=self,
        )

    def _saved(self, _result: object) -> None:
        self.changed.emit()
        self.accept()

    def _failed(self, error: HyllaError) -> None:
        self.save_button.setEnabled(True)
        self.save_button.setDefault(True)  # not Cancel, which had the focus meanwhile
        errors = _errors_of(error)
        wrong_current = errors.pop("current", "")
        _show(self.current_error, self.current_edit, wrong_current)
        _show(self.new_error, self.new_edit, errors.pop("password", ""))
        (self.current_edit if wrong_current else self.new_edit).setFocus()
        _show(self.other_error, None, "\n".join(errors.values()))


class UserMenu(QToolButton):
    """The signed-in user's name in the status bar, with "Switch user…" and "Change my
    password…". Works on any window with ``user``, ``set_user(user)`` and
    ``show_status(text)`` (the main window)."""

    #: Another user signed in (a UserRef) and the window was handed to them.
    switched = Signal(object)

    def __init__(self, window: QMainWindow, runner: Runner, settings: QSettings) -> None:
        super().__init__(window)
        self.setObjectName("user_menu")
        self._window = window
        self._runner = runner
        self._settings = settings
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setAutoRaise(True)
        menu = QMenu(self)
        self.switch_action = QAction(_("Switch user…"), window)
        self.switch_action.setObjectName("switch_user")
        self.switch_action.setShortcut(QKeySequence(SWITCH_USER_SHORTCUT))
        self.switch_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.switch_action.triggered.connect(self.switch_user)
        self.password_action = QAction(_("Change my password…"), window)
        self.password_action.triggered.connect(self.change_password)
        menu.addAction(self.switch_action)
        menu.addAction(self.password_action)
        self.setMenu(menu)
        # On the window too, so the shortcut works whichever widget has the focus.
        window.addAction(self.switch_action)
        self.show_user(window.user)  # type: ignore[attr-defined]

    def show_user(self, user: UserRef) -> None:
        """Name the signed-in user and their role on the button."""
        self.setText(
            _("{name} ({role}) ▾").format(
                name=user.display_name or user.username, role=auth.role_label(user.role).lower()
            )
        )
        self.setToolTip(
            _("Signed in as {name}. Switch user ({key})").format(
                name=user.username, key=SWITCH_USER_SHORTCUT
            )
        )

    def switch_user(self) -> UserRef | None:
        """Ask who signs in; hand the window to them (cancel: nothing changes)."""
        user = ask_sign_in(self._runner, self._settings, self._window, switching=True)
        if user is None:
            return None
        self._window.set_user(user)  # type: ignore[attr-defined]
        self.show_user(user)
        self._window.show_status(  # type: ignore[attr-defined]
            _("{name} is signed in.").format(name=user.display_name or user.username)
        )
        self.switched.emit(user)
        return user

    def change_password(self) -> ChangePasswordDialog:
        """Open the dialog that changes the signed-in user's own password."""
        user: UserRef = self._window.user  # type: ignore[attr-defined]
        dialog = ChangePasswordDialog(self._runner, user, self._window)
        dialog.changed.connect(
            lambda: self._window.show_status(  # type: ignore[attr-defined]
                _("Your password is changed.")
            )
        )
        dialog.open()
        return dialog


def install_user_menu(window: QMainWindow, runner: Runner, settings: QSettings) -> UserMenu:
    """Put the user menu in the window's status bar (beside who is working)."""
    menu = UserMenu(window, runner, settings)
    # The menu names the user; the window's own plain label would say it twice.
    label = getattr(window, "user_label", None)
    if isinstance(label, QLabel):
        label.hide()
    window.statusBar().addPermanentWidget(menu)
    return menu
