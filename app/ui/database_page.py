"""The Database page: which database this window works on, its schema version, and its
backups, with "Back up now" and "Restore…".

A SQLite file shows its path and size and the backups beside it (the daily ones Hylla
takes at start, kept 7 daily and 4 weekly, and those made here by hand). A PostgreSQL
database shows its server and name (never the password); it is backed up on the server
with pg_dump, so the backup buttons are not offered.

Restoring is for administrators (the service checks it too). The backup file is checked
first, and a file that is not a Hylla backup, is damaged, or comes from a newer Hylla is
refused with a message that says so, before anything changes. The current data is backed
up, the backup put in place, and the window reopens the database (asking everyone to
sign in again: the users are the backup's) through :data:`reopen_requests`.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.models import Role
from app.services import auth, backup
from app.services.backup import BackupFile, BackupResult, DatabaseStatus
from app.services.errors import HyllaError
from app.services.users import UserRef
from app.ui import feedback, widgets
from app.ui.formatting import fmt_count, fmt_datetime, fmt_qty
from app.ui.runner import Runner
from app.ui.table_model import Column, RowTableModel
from app.ui.widgets import NameOnlyIconProvider, make_table_view, set_column_widths


class ReopenRequests(QObject):
    """The database was replaced under the window; app.py reopens it (and signs in)."""

    requested = Signal()


#: One per process: the window that started the application listens.
reopen_requests = ReopenRequests()


def fmt_size(size_bytes: int | None) -> str:
    """A file size as people read it: ``840 kB``, ``12,5 MB``."""
    if size_bytes is None:
        return ""
    if size_bytes < 1024 * 1024:
        return _("{n} kB").format(n=fmt_count(max(1, round(size_bytes / 1024))))
    tenths = Decimal(round(size_bytes * 10 / (1024 * 1024))) / 10
    return _("{n} MB").format(n=fmt_qty(tenths))


def backup_columns() -> list[Column[BackupFile]]:
    """Columns of the backup list."""
    return [
        Column(_("Made"), lambda b: fmt_datetime(b.modified), sort_key=lambda b: b.modified),
        Column(_("File"), lambda b: b.path.name),
        Column(
            _("Size"),
            lambda b: fmt_size(b.size_bytes),
            sort_key=lambda b: b.size_bytes,
            numeric=True,
        ),
    ]


def choose_backup_file(parent: QWidget | None, start: str) -> str:
    """Ask for the backup file to restore ("" when cancelled); the dialog never reads the
    files it lists. Called through the module so tests can stand in for it."""
    dialog = QFileDialog(parent, _("Choose the backup to restore"), start)
    dialog.setNameFilters([_("Hylla backups (*.db)"), _("All files (*)")])
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.setIconProvider(NameOnlyIconProvider())
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    chosen = dialog.selectedFiles()
    dialog.deleteLater()
    return chosen[0] if accepted and chosen else ""


class DatabasePage(QWidget):
    """Which database is in use, and its backups."""

    status_message = Signal(str)
    #: The database's status was shown (a DatabaseStatus).
    status_loaded = Signal(object)
    #: A backup was made (a BackupResult).
    backed_up = Signal(object)
    #: A restore was refused or failed; the message is shown (a str).
    restore_refused = Signal(str)
    #: The backup was restored and the database is to be reopened.
    restored = Signal()

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
        self._stale = True
        self.status: DatabaseStatus | None = None
        self.can_restore = auth.role_allows(user.role, Role.ADMIN)

        self.kind_label = QLabel()
        self.kind_label.setObjectName("database_kind")
        self.where_label = QLabel()
        self.where_label.setObjectName("database_where")
        self.where_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.where_label.setWordWrap(True)
        self.schema_label = QLabel()
        self.schema_label.setObjectName("database_schema")
        self.size_label = QLabel()
        in_use = QGroupBox(_("Database in use"))
        in_use_form = QFormLayout(in_use)
        in_use_form.addRow(_("Kind:"), self.kind_label)
        in_use_form.addRow(_("Where:"), self.where_label)
        in_use_form.addRow(_("Schema version:"), self.schema_label)
        in_use_form.addRow(_("Size:"), self.size_label)

        self.folder_label = QLabel()
        self.folder_label.setObjectName("backup_folder")
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_label.setWordWrap(True)
        self.last_label = QLabel()
        self.last_label.setObjectName("last_backup")
        self.policy_label = QLabel(
            _(
                "Hylla backs the database up when it starts, once a day, and keeps the last "
                "{daily} daily and {weekly} weekly backups; backups made here are kept until "
                "you remove them. Copy backups to another disk now and then."
            ).format(daily=backup.KEEP_DAILY, weekly=backup.KEEP_WEEKLY)
        )
        self.policy_label.setWordWrap(True)
        self.policy_label.setProperty("role", "muted")
        self.model: RowTableModel[BackupFile] = RowTableModel(
            backup_columns(), lambda b: b.path.name, parent=self
        )
        self.table = make_table_view(self.model)
        self.table.setObjectName("backups_table")
        set_column_widths(self.table, {0: 180, 1: 320, 2: 110}, stretch=1)
        self.backup_button = QPushButton(_("Back up now"))
        self.backup_button.setObjectName("backup_now")
        self.backup_button.setToolTip(_("Copy the database into the backups folder now"))
        self.backup_to_button = QPushButton(_("Back up to a file…"))
        self.backup_to_button.setObjectName("backup_to_file")
        self.backup_to_button.setToolTip(_("Copy the database to a file of your choice"))
        self.folder_button = QPushButton(_("Open the folder"))
        self.restore_button = QPushButton(_("Restore…"))
        self.restore_button.setObjectName("restore")
        self.restore_button.setEnabled(self.can_restore)
        self.restore_button.setToolTip(
            _("Replace the data with a backup (the current data is backed up first)")
            if self.can_restore
            else _("Only an administrator can restore a backup.")
        )
        self.server_note = QLabel(
            _(
                "This database lives on a server. Back it up there with pg_dump (ask your "
                "administrator); Hylla's own backups are for SQLite files."
            )
        )
        self.server_note.setWordWrap(True)
        self.server_note.hide()
        # Damaged copies a restore kept aside: not backups, but not Hylla's to delete.
        self.damaged_label = QLabel()
        self.damaged_label.setObjectName("damaged_copies")
        self.damaged_label.setWordWrap(True)
        self.damaged_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.damaged_label.setProperty("role", "error")
        self.damaged_label.hide()
        backups = QGroupBox(_("Backups"))
        backups_column = QVBoxLayout(backups)
        backups_form = QFormLayout()
        backups_form.addRow(_("Folder:"), self.folder_label)
        backups_form.addRow(_("Last backup:"), self.last_label)
        backups_column.addLayout(backups_form)
        backups_column.addWidget(self.policy_label)
        backups_column.addWidget(self.server_note)
        backups_column.addWidget(self.table, 1)
        backups_column.addWidget(self.damaged_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.backup_to_button)
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)
        buttons.addWidget(self.restore_button)
        backups_column.addLayout(buttons)

        column = QVBoxLayout(self)
        column.setContentsMargins(12, 12, 12, 8)
        column.addWidget(in_use)
        column.addWidget(backups, 1)

        self.backup_button.clicked.connect(self.back_up_now)
        self.backup_to_button.clicked.connect(self.back_up_to_file)
        self.folder_button.clicked.connect(self._open_folder)
        self.restore_button.clicked.connect(self.restore)
        self._set_sqlite_buttons(False)

    # --- the page protocol -------------------------------------------------------------------
    def activate(self) -> None:
        """Shown: load the status the first time, and after anything changed it."""
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Read the database's status and its backups again."""
        self._runner.call(
            backup.database_status,
            self._runner.db,
            on_done=self._show_status,
            on_error=self._status_failed,
            owner=self,
        )

    def mark_stale(self) -> None:
        """Nothing shown here changes with other pages' data; a backup list refreshes on
        its own when this page makes one."""

    def focus_filter(self) -> None:
        """Ctrl+F: there is no filter here; the backup list takes the focus."""
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # --- showing -----------------------------------------------------------------------------
    def _show_status(self, status: DatabaseStatus) -> None:
        self._stale = False
        self.status = status
        self.kind_label.setText(
            _("SQLite file (this computer or a shared folder)")
            if status.is_sqlite
            else _("PostgreSQL server (several workstations)")
        )
        self.where_label.setText(status.where)
        if status.revision == status.head:
            schema = _("{revision} (up to date)").format(revision=status.revision)
        else:
            schema = _("{revision} (this Hylla knows {head})").format(
                revision=status.revision or _("none"), head=status.head
            )
        self.schema_label.setText(schema)
        self.size_label.setText(fmt_size(status.size_bytes) if status.is_sqlite else "—")
        self.server_note.setVisible(not status.is_sqlite)
        self.policy_label.setVisible(status.is_sqlite)
        self.table.setVisible(status.is_sqlite)
        self.folder_label.setText(str(status.backup_folder) if status.backup_folder else "—")
        last = status.last_backup
        if last is not None:
            self.last_label.setText(
                _("{time}: {name} ({size})").format(
                    time=fmt_datetime(last.modified),
                    name=last.path.name,
                    size=fmt_size(last.size_bytes),
                )
            )
        else:
            self.last_label.setText(_("none yet") if status.is_sqlite else "—")
        self.model.set_rows(list(status.backups))
        self._show_damaged_copies(status.damaged_copies)
        self._set_sqlite_buttons(status.is_sqlite)
        self.status_loaded.emit(status)

    def _show_damaged_copies(self, copies: tuple[BackupFile, ...]) -> None:
        """Say which damaged copies of the database are kept in the backups folder."""
        self.damaged_label.setVisible(bool(copies))
        if not copies:
            return
        listed = "; ".join(
            _("{name} ({size}, {time})").format(
                name=copy.path.name,
                size=fmt_size(copy.size_bytes),
                time=fmt_datetime(copy.modified),
            )
            for copy in copies
        )
        self.damaged_label.setText(
            ngettext(
                "A damaged copy of this database is kept in the backups folder: {copies}. "
                "It is not a backup and is never restored; once the restored data has been "
                "checked, delete it (or keep it for whoever looks into the damage).",
                "Damaged copies of this database are kept in the backups folder: {copies}. "
                "They are not backups and are never restored; once the restored data has "
                "been checked, delete them (or keep them for whoever looks into the damage).",
                len(copies),
            ).format(copies=listed)
        )

    def _status_failed(self, error: HyllaError) -> None:
        self.where_label.setText(self._runner.db.describe())
        self.schema_label.setText(error.message)

    def _set_sqlite_buttons(self, sqlite: bool) -> None:
        for button in (self.backup_button, self.backup_to_button, self.folder_button):
            button.setEnabled(sqlite)
        self.restore_button.setEnabled(sqlite and self.can_restore)

    def _open_folder(self) -> None:
        if self.status is not None and self.status.backup_folder is not None:
            self.status.backup_folder.mkdir(parents=True, exist_ok=True)
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.status.backup_folder)))

    # --- backing up --------------------------------------------------------------------------
    def back_up_now(self) -> None:
        """Copy the database into the backups folder (on the worker)."""
        self.backup_button.setEnabled(False)
        self._runner.call(
            backup.backup_now,
            self._runner.db,
            self._user.id,
            on_done=self._backed_up,
            on_error=self._backup_failed,
            owner=self,
        )

    def back_up_to_file(self) -> None:
        """Ask where, then copy the database there (on the worker)."""
        folder = self.status.backup_folder if self.status and self.status.backup_folder else None
        start = str((folder.parent if folder else Path.home()) / "hylla-backup.db")
        chosen = widgets.get_save_file_name(
            self, _("Back up the database to"), start, _("Hylla backups (*.db)")
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != ".db":
            path = path.with_name(path.name + ".db")
        self._runner.call(
            backup.backup_now,
            self._runner.db,
            self._user.id,
            path,
            on_done=self._backed_up,
            on_error=self._backup_failed,
            owner=self,
        )

    def _backed_up(self, result: BackupResult) -> None:
        self.backup_button.setEnabled(True)
        self.status_message.emit(
            _("Backed up to {path} ({size}).").format(
                path=result.path, size=fmt_size(result.size_bytes)
            )
        )
        self.backed_up.emit(result)
        self.refresh()

    def _backup_failed(self, error: HyllaError) -> None:
        self.backup_button.setEnabled(True)
        feedback.show_error(self, error.message)

    # --- restoring ---------------------------------------------------------------------------
    def restore(self) -> None:
        """Choose a backup, check it, ask, and restore it (administrators only)."""
        if not self.can_restore:
            feedback.show_error(self, _("Only an administrator can restore a backup."))
            return
        folder = self.status.backup_folder if self.status else None
        chosen = choose_backup_file(self, str(folder) if folder else str(Path.home()))
        if not chosen:
            return
        path = Path(chosen)
        self._runner.call(
            backup.check_backup_file,
            path,
            on_done=lambda revision: self._confirm_restore(path, str(revision)),
            on_error=self._restore_failed,
            owner=self,
        )

    def _confirm_restore(self, path: Path, revision: str) -> None:
        where = self.status.where if self.status else self._runner.db.describe()
        wanted = feedback.ask(
            self,
            _("Restore a backup"),
            _(
                "Replace all data in {where} with the backup {file} (schema {revision})?\n\n"
                "The current data is backed up first. Every workstation then works on the "
                "restored data; Hylla reopens the database and asks you to sign in again."
            ).format(where=where, file=path.name, revision=revision),
            _("Restore the backup"),
            _("Cancel"),
        )
        if not wanted:
            return
        self.restore_button.setEnabled(False)
        self._runner.call(
            backup.restore_backup,
            self._runner.db,
            self._user.id,
            path,
            on_done=self._restored,
            on_error=self._restore_failed,
            owner=self,
        )

    def _restored(self, _result: BackupResult) -> None:
        self.status_message.emit(_("The backup is restored. Reopening the database…"))
        self.restored.emit()
        reopen_requests.requested.emit()

    def _restore_failed(self, error: HyllaError) -> None:
        self.restore_button.setEnabled(self.can_restore)
        feedback.show_error(self, error.message, _("The backup was not restored"))
        self.restore_refused.emit(error.message)
