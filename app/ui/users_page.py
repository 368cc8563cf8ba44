"""The Users page: who may work in Hylla and in which role (staff, manager, administrator).

Administrators add users (with a first password or PIN), change their names and roles,
deactivate and reactivate them, set a new password for someone who forgot theirs, and
unlock someone locked out after too many wrong passwords. Everyone else sees the list
only; the buttons are off and say why, and the services refuse anyway. Everyone can
change their own password here.

Users are never deleted: every posting names its user, so a person who leaves is
deactivated (they can no longer sign in; their name stays on what they did).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSettings, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.models import Role
from app.services import auth
from app.services.auth import UserInput, UserRow
from app.services.errors import FieldErrors, HyllaError, ValidationError
from app.services.users import UserRef
from app.ui import feedback
from app.ui.formatting import fmt_count, fmt_datetime
from app.ui.list_page import RowListPage, filter_field, muted_label
from app.ui.runner import Runner
from app.ui.sign_in import ChangePasswordDialog, fit_dialog
from app.ui.table_model import ALERT, MUTED, Column, RowTableModel
from app.ui.widgets import (
    ListLoader,
    error_label,
    icon,
    make_table_view,
    mark_error,
    set_column_widths,
)


def user_state(row: UserRow) -> str:
    """Whether the user can sign in, in words."""
    if not row.active:
        return _("Deactivated")
    if row.locked:
        return _("Locked out")
    if not row.has_password:
        return _("No password")
    return _("Active")


def user_columns() -> list[Column[UserRow]]:
    """Columns of the user list."""
    return [
        Column(_("Name"), lambda r: r.display_name),
        Column(_("User name"), lambda r: r.username),
        Column(_("Role"), lambda r: r.role_text, sort_key=lambda r: auth.ROLE_RANK[r.role]),
        Column(_("Status"), user_state),
        Column(
            _("Last signed in"),
            lambda r: fmt_datetime(r.last_sign_in_at),
            sort_key=lambda r: r.last_sign_in_at,
        ),
    ]


def _foreground(row: UserRow) -> QColor | None:
    if not row.active:
        return MUTED
    return ALERT if row.locked else None


def _errors_of(error: HyllaError) -> dict[str, str]:
    if isinstance(error, FieldErrors):
        return dict(error.errors)
    if isinstance(error, ValidationError) and error.field:
        return {error.field: error.message}
    return {"": error.message}


def _password_edit(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(auth.MAX_PASSWORD)
    return edit


class UserDialog(QDialog):
    """Add a user (with a first password), or change one."""

    saved = Signal(object)  # UserRow

    def __init__(
        self,
        runner: Runner,
        admin: UserRef,
        current: UserRow | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(_("New user") if current is None else _("Change user"))
        self._runner = runner
        self._admin = admin
        self._current = current
        self.username_edit = QLineEdit(current.username if current else "")
        self.username_edit.setObjectName("user_username")
        self.username_edit.setMaxLength(64)
        self.username_edit.setPlaceholderText(_("e.g. anna"))
        self.display_edit = QLineEdit(current.display_name if current else "")
        self.display_edit.setObjectName("user_display_name")
        self.display_edit.setMaxLength(200)
        self.display_edit.setPlaceholderText(_("e.g. Anna Berg"))
        self.role_combo = QComboBox()
        self.role_combo.setObjectName("user_role")
        for role in Role:
            self.role_combo.addItem(auth.role_label(role), role.value)
        self.role_combo.setCurrentIndex(
            self.role_combo.findData((current.role if current else Role.STAFF).value)
        )
        self.role_combo.setToolTip(
            _(
                "Staff receive, count and pick. Managers also approve variances and "
                "write-downs and edit items, suppliers and bins. Administrators also manage "
                "users and settings."
            )
        )
        self.active_check = QCheckBox(_("May sign in (active)"))
        self.active_check.setObjectName("user_active")
        self.active_check.setChecked(current.active if current else True)
        self.password_edit = _password_edit("user_password")
        self.repeat_edit = _password_edit("user_repeat")
        self.errors = {
            key: error_label() for key in ("username", "display_name", "role", "password", "")
        }
        form = QFormLayout()
        form.addRow(_("User name:"), self.username_edit)
        form.addRow("", self.errors["username"])
        form.addRow(_("Full name:"), self.display_edit)
        form.addRow("", self.errors["display_name"])
        form.addRow(_("Role:"), self.role_combo)
        form.addRow("", self.errors["role"])
        form.addRow("", self.active_check)
        if current is None:
            form.addRow(_("First password or PIN:"), self.password_edit)
            form.addRow(_("Repeat it:"), self.repeat_edit)
            form.addRow("", self.errors["password"])
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(_("Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.errors[""])
        column.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

    def save(self) -> None:
        """Save on the worker; errors appear under their field and nothing changes."""
        if self._current is None and self.password_edit.text() != self.repeat_edit.text():
            self._show({"password": _("The two passwords differ. Type the same password twice.")})
            return
        data = UserInput(
            username=self.username_edit.text(),
            display_name=self.display_edit.text(),
            role=str(self.role_combo.currentData()),
            active=self.active_check.isChecked(),
            password=self.password_edit.text(),
        )
        self.save_button.setEnabled(False)
        if self._current is None:
            self._runner.run(
                auth.create_user,
                self._admin.id,
                data,
                on_done=self._saved,
                on_error=self._failed,
                owner=self,
            )
        else:
            self._runner.run(
                auth.update_user,
                self._admin.id,
                self._current.id,
                data,
                on_done=self._saved,
                on_error=self._failed,
                owner=self,
            )

    def _saved(self, row: UserRow) -> None:
        self.saved.emit(row)
        self.accept()

    def _failed(self, error: HyllaError) -> None:
        self.save_button.setEnabled(True)
        # Disabled while saving, Save passed the focus (and so the default) to Cancel:
        # Enter after the correction must save, and the cursor goes to what to correct.
        self.save_button.setDefault(True)
        self._show(_errors_of(error))
        wrong = [
            edit
            for key, edit in (
                ("username", self.username_edit),
                ("display_name", self.display_edit),
                ("role", self.role_combo),
                ("password", self.password_edit),
            )
            if self.errors[key].text()
        ]
        (wrong[0] if wrong else self.username_edit).setFocus()

    def _show(self, errors: dict[str, str]) -> None:
        errors = dict(errors)
        edits: dict[str, QWidget] = {
            "username": self.username_edit,
            "display_name": self.display_edit,
            "role": self.role_combo,
            "password": self.password_edit,
        }
        for key, label in self.errors.items():
            if not key:
                continue
            message = errors.pop(key, "")
            label.setText(message)
            label.setVisible(bool(message))
            mark_error(edits[key], bool(message))
        rest = "\n".join(errors.values())
        self.errors[""].setText(rest)
        self.errors[""].setVisible(bool(rest))
        fit_dialog(self)


class PasswordDialog(QDialog):
    """An administrator gives a user a new password or PIN (it also lifts a lock-out)."""

    saved = Signal(object)  # UserRow

    def __init__(
        self, runner: Runner, admin: UserRef, row: UserRow, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(_("Set password"))
        self._runner = runner
        self._admin = admin
        self._row = row
        self.password_edit = _password_edit("set_password")
        self.repeat_edit = _password_edit("set_password_repeat")
        self.error = error_label()
        form = QFormLayout()
        form.addRow(_("New password or PIN:"), self.password_edit)
        form.addRow(_("Repeat it:"), self.repeat_edit)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(
            _("Set password"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setDefault(True)
        self.buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        column = QVBoxLayout(self)
        intro = QLabel(
            _(
                "A new password for {name}. Tell it to them in person; they can change it "
                "under Users → Change my password."
            ).format(name=row.display_name)
        )
        intro.setWordWrap(True)
        column.addWidget(intro)
        column.addLayout(form)
        column.addWidget(self.error)
        column.addWidget(self.buttons)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

    def save(self) -> None:
        """Set the password on the worker."""
        if self.password_edit.text() != self.repeat_edit.text():
            self._show(_("The two passwords differ. Type the same password twice."))
            return
        self.save_button.setEnabled(False)
        self._runner.run(
            auth.set_password,
            self._admin.id,
            self._row.id,
            self.password_edit.text(),
            on_done=self._saved,
            on_error=self._failed,
            owner=self,
        )

    def _show(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        mark_error(self.password_edit, bool(message))
        fit_dialog(self)

    def _saved(self, row: UserRow) -> None:
        self.saved.emit(row)
        self.accept()

    def _failed(self, error: HyllaError) -> None:
        self.save_button.setEnabled(True)
        self.save_button.setDefault(True)  # not Cancel, which had the focus meanwhile
        self._show(error.message)
        self.password_edit.setFocus()


class UsersPage(RowListPage[UserRow], QWidget):
    """The users and their roles."""

    status_message = Signal(str)
    #: A fresh list is shown (the number of users).
    users_loaded = Signal(int)
    #: A user was added or changed.
    data_changed = Signal()
    #: A dialog opened (for tests): the user, password or change-password dialog.
    dialog_opened = Signal(object)

    NAME, USERNAME, ROLE, STATUS, LAST = range(5)

    def __init__(
        self,
        runner: Runner,
        user: UserRef,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._user = user
        self._settings = settings
        self.is_admin = auth.role_allows(user.role, Role.ADMIN)
        self._select_after_load: int | None = None
        self._loader = ListLoader(runner, auth.list_users, self._show_rows, self)
        self.model: RowTableModel[UserRow] = RowTableModel(
            user_columns(),
            lambda r: f"{r.display_name}\n{r.username}\n{r.role_text}",
            foreground=_foreground,
            parent=self,
        )
        self.filter_edit = filter_field("users_filter", _("Filter by name or role  (Ctrl+F)"))
        self.count_label = muted_label()
        self.new_button = QPushButton(icon("add"), _("New user…"))
        self.new_button.setObjectName("new_user")
        self.edit_button = QPushButton(_("Change…"))
        self.edit_button.setObjectName("edit_user")
        self.password_button = QPushButton(_("Set password…"))
        self.password_button.setObjectName("set_password_button")
        self.unlock_button = QPushButton(_("Unlock"))
        self.unlock_button.setObjectName("unlock_user")
        self.own_password_button = QPushButton(_("Change my password…"))
        self.own_password_button.setObjectName("own_password")
        if self.is_admin:
            self.new_button.setToolTip(_("Add someone who works in Hylla"))
            self.edit_button.setToolTip(_("Change the name or role, or deactivate the user"))
            self.password_button.setToolTip(_("Give the user a new password or PIN"))
            self.unlock_button.setToolTip(_("Let a user locked out by wrong passwords in again"))
        else:
            why = _("Only an administrator can change users.")
            for button in (
                self.new_button,
                self.edit_button,
                self.password_button,
                self.unlock_button,
            ):
                button.setToolTip(why)
        self.admin_note = QLabel(
            _("Only an administrator can add or change users. You can change your own password.")
        )
        self.admin_note.setObjectName("users_admin_note")
        self.admin_note.setProperty("role", "muted")
        self.admin_note.setVisible(not self.is_admin)

        self.table = make_table_view(self.model)
        self.table.setObjectName("users_table")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(self.NAME, Qt.SortOrder.AscendingOrder)
        set_column_widths(
            self.table,
            {self.NAME: 240, self.USERNAME: 160, self.ROLE: 140, self.STATUS: 130, self.LAST: 160},
            stretch=self.NAME,
        )
        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 2)
        bar.addWidget(self.count_label, 1)
        bar.addStretch(1)
        bar.addWidget(self.new_button)
        actions = QHBoxLayout()
        actions.addWidget(self.admin_note, 1)
        actions.addStretch(1)
        actions.addWidget(self.own_password_button)
        actions.addWidget(self.unlock_button)
        actions.addWidget(self.password_button)
        actions.addWidget(self.edit_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 12, 12, 8)
        column.addLayout(bar)
        column.addWidget(self.table, 1)
        column.addLayout(actions)

        self.filter_edit.textChanged.connect(self._filter_changed)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)
        self.table.doubleClicked.connect(self._edit_index)
        self.new_button.clicked.connect(self.new_user)
        self.edit_button.clicked.connect(self.edit_selected)
        self.password_button.clicked.connect(self.set_password_of_selected)
        self.unlock_button.clicked.connect(self.unlock_selected)
        self.own_password_button.clicked.connect(self.change_own_password)
        self._selection_changed()

    # --- the page protocol ---------------------------------------------------------------
    def activate(self) -> None:
        """Shown: load the list the first time and after changes elsewhere."""
        self._loader.activate()

    def refresh(self) -> None:
        """Reload the users."""
        self._reload()

    def mark_stale(self) -> None:
        """Reload when next shown (sign-ins change the list's times and locks)."""
        self._loader.mark_stale()

    # --- list ----------------------------------------------------------------------------
    def _show_rows(self, rows: list[UserRow]) -> None:
        self.model.set_rows(rows)
        self._update_count()
        wanted = self._select_after_load
        self._select_after_load = None
        if wanted is not None:
            self.select_user(wanted)
        self.users_loaded.emit(len(rows))

    def _update_count(self) -> None:
        total = self.model.total_count()
        self.count_label.setText(
            ngettext("{n} user", "{n} users", total).format(n=fmt_count(total))
        )

    def select_user(self, user_id: int) -> None:
        """Select the user ``user_id`` where the filter shows them."""
        row = self.model.find_row(lambda r: r.id == user_id)
        if row >= 0:
            self.table.selectRow(row)

    def _selection_changed(self, *_args: object) -> None:
        row = self.selected_row()
        self.new_button.setEnabled(self.is_admin)
        self.edit_button.setEnabled(self.is_admin and row is not None)
        self.password_button.setEnabled(self.is_admin and row is not None)
        self.unlock_button.setEnabled(self.is_admin and row is not None and row.locked)

    # --- actions -------------------------------------------------------------------------
    def new_user(self) -> UserDialog | None:
        """Open the dialog that adds a user (administrators)."""
        if not self.is_admin:
            return None
        return self._open_user_dialog(None)

    def edit_selected(self) -> UserDialog | None:
        """Open the dialog that changes the selected user (administrators)."""
        row = self.selected_row()
        if row is None or not self.is_admin:
            return None
        return self._open_user_dialog(row)

    def _edit_index(self, index: QModelIndex) -> None:
        if index.isValid() and self.is_admin:
            self._open_user_dialog(self.model.row_at(index.row()))

    def _open_user_dialog(self, row: UserRow | None) -> UserDialog:
        dialog = UserDialog(self._runner, self._user, row, parent=self.window())
        dialog.saved.connect(self._user_saved)
        dialog.open()
        self.dialog_opened.emit(dialog)
        return dialog

    def _user_saved(self, row: UserRow) -> None:
        self.status_message.emit(_("User {name} saved.").format(name=row.display_name))
        self.data_changed.emit()
        self._select_after_load = row.id
        self._loader.refresh()

    def set_password_of_selected(self) -> PasswordDialog | None:
        """Open the dialog that gives the selected user a new password (administrators)."""
        row = self.selected_row()
        if row is None or not self.is_admin:
            return None
        dialog = PasswordDialog(self._runner, self._user, row, parent=self.window())
        dialog.saved.connect(
            lambda saved: self._changed(
                saved, _("{name} has a new password.").format(name=saved.display_name)
            )
        )
        dialog.open()
        self.dialog_opened.emit(dialog)
        return dialog

    def unlock_selected(self) -> None:
        """Lift the selected user's lock-out (administrators)."""
        row = self.selected_row()
        if row is None or not self.is_admin:
            return
        self._runner.run(
            auth.unlock_user,
            self._user.id,
            row.id,
            on_done=lambda saved: self._changed(
                saved, _("{name} is unlocked.").format(name=saved.display_name)
            ),
            on_error=lambda error: feedback.show_error(self, error.message),
            owner=self,
        )

    def _changed(self, row: UserRow, message: str) -> None:
        self.status_message.emit(message)
        self._select_after_load = row.id
        self._loader.refresh()

    def change_own_password(self) -> ChangePasswordDialog:
        """Open the dialog that changes the signed-in user's own password."""
        dialog = ChangePasswordDialog(self._runner, self._user, parent=self.window())
        dialog.changed.connect(lambda: self.status_message.emit(_("Your password is changed.")))
        dialog.open()
        self.dialog_opened.emit(dialog)
        return dialog
