"""When the database cannot be opened at start: what happened, what to do, and buttons
that do it. Never a traceback.

Each case has its own words and its own ways out:

* busy (another program holds the database): try again, or quit;
* read-only, or no access: ask for access and try again, choose another file, or quit;
* missing (a file this workstation used before is gone, e.g. a USB disk or a network
  folder that is not connected): connect it and try again, choose another file, create
  a new database, or quit; a database never seen before is created without asking;
* damaged: put the newest backup in its place (the damaged file is kept aside), choose
  another file, create a new database, or quit;
* not a database, a folder, or another program's SQLite file: choose another file,
  create a new database, or quit (the file is never touched);
* made by a newer Hylla: update Hylla, choose another file, or quit;
* a database server out of reach: try again, or quit.

:func:`open_at_start` runs that loop; the question itself is :func:`ask`, called through
the module so tests can answer it.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import backup
from app.services.database import (
    Database,
    check_writable,
    default_database_path,
    open_database,
    resolve_url,
)
from app.services.errors import DatabaseError, HyllaError
from app.ui import feedback, widgets
from app.ui.formatting import fmt_datetime
from app.ui.widgets import NameOnlyIconProvider

log = logging.getLogger(__name__)

KNOWN_KEY = "database/known"
KNOWN_LIMIT = 20
SQLITE_PREFIX = "sqlite:///"


class Problem(enum.StrEnum):
    """Why the database did not open (``DatabaseError.problem``, or found here)."""

    BUSY = "busy"
    READ_ONLY = "read_only"
    NO_ACCESS = "no_access"
    FOLDER = "folder"
    MISSING = "missing"
    NOT_DATABASE = "not_database"
    NEWER = "newer"
    DAMAGED = "damaged"
    CANNOT_OPEN = "cannot_open"
    SERVER = "server"
    OTHER = "other"


class Choice(enum.StrEnum):
    """What the person chose to do."""

    RETRY = "retry"
    CHOOSE_FILE = "choose"
    NEW_DATABASE = "new"
    RESTORE_BACKUP = "restore"
    QUIT = "quit"


@dataclass(frozen=True)
class StartError:
    """A database that did not open: the case, the service's message, where it is, the
    newest backup beside it (if any), and the ways out on offer."""

    problem: Problem
    message: str
    where: str
    backup: backup.BackupFile | None
    choices: tuple[Choice, ...]

    @property
    def title(self) -> str:
        """What happened, in a few words."""
        return {
            Problem.BUSY: _("The database is in use"),
            Problem.READ_ONLY: _("The database cannot be changed"),
            Problem.NO_ACCESS: _("Hylla may not read the database"),
            Problem.FOLDER: _("That is a folder, not a database"),
            Problem.MISSING: _("The database is missing"),
            Problem.NOT_DATABASE: _("That file is not a Hylla database"),
            Problem.NEWER: _("The database is from a newer Hylla"),
            Problem.DAMAGED: _("The database is damaged"),
            Problem.CANNOT_OPEN: _("The database cannot be opened"),
            Problem.SERVER: _("The database server does not answer"),
            Problem.OTHER: _("The database cannot be opened"),
        }[self.problem]

    @property
    def advice(self) -> str:
        """What to do about it."""
        advice = {
            Problem.BUSY: _(
                "Another workstation or program is holding the database (a restore or an "
                "upgrade may be running). Wait a moment and try again."
            ),
            Problem.READ_ONLY: _(
                "Hylla can read this file but not save to it. Ask your administrator for "
                "write access to the file and its folder, then try again; or choose another "
                "file."
            ),
            Problem.NO_ACCESS: _(
                "Ask your administrator for access to the file, then try again; or choose "
                "another file."
            ),
            Problem.FOLDER: _("Choose a database file, or create a new database."),
            Problem.MISSING: _(
                "This workstation has used it before. If it is on a USB disk or a network "
                "folder, connect that and try again. Or choose another file, or create a "
                "new, empty database."
            ),
            Problem.NOT_DATABASE: _(
                "Hylla leaves the file as it is. Choose your Hylla database, or create a new one."
            ),
            Problem.NEWER: _(
                "Update Hylla on this workstation to open it; an older Hylla could damage "
                "it. Or choose another file."
            ),
            Problem.DAMAGED: _(
                "Put the newest backup in its place (the damaged file is kept beside it), "
                "choose another file, or create a new database."
            ),
            Problem.CANNOT_OPEN: _(
                "Check that the folder exists and that you may write to it, then try again."
            ),
            Problem.SERVER: _(
                "Check the network and that the server is running, then try again. Ask "
                "your administrator if it goes on."
            ),
            Problem.OTHER: _("Try again; if it goes on, restore the latest backup."),
        }[self.problem]
        if self.problem is Problem.DAMAGED and self.backup is None:
            advice = _(
                "There is no backup beside it. Choose another file (a backup, for "
                "instance), or create a new database."
            )
        return advice


def choice_label(choice: Choice, error: StartError | None = None) -> str:
    """The button text of a way out."""
    if choice is Choice.RESTORE_BACKUP and error is not None and error.backup is not None:
        return _("Restore the backup of {time}").format(time=fmt_datetime(error.backup.modified))
    return {
        Choice.RETRY: _("Try again"),
        Choice.CHOOSE_FILE: _("Choose another file…"),
        Choice.NEW_DATABASE: _("Create a new database…"),
        Choice.RESTORE_BACKUP: _("Restore the newest backup"),
        Choice.QUIT: _("Quit"),
    }[choice]


def _sqlite_path(target: str | None) -> Path | None:
    url = resolve_url(target)
    if not url.startswith(SQLITE_PREFIX) or "mode=" in url:
        return None
    text = url.removeprefix(SQLITE_PREFIX)
    return Path(text) if text and text != ":memory:" else None


def _latest_backup(path: Path | None) -> backup.BackupFile | None:
    if path is None:
        return None
    found = backup.list_backups(path)
    return found[0] if found else None


def describe(problem: Problem, message: str, where: str, path: Path | None) -> StartError:
    """The start error for ``problem``, with the ways out that make sense for it."""
    latest = _latest_backup(path) if problem is Problem.DAMAGED else None
    offers = {
        Problem.BUSY: (Choice.RETRY, Choice.QUIT),
        Problem.READ_ONLY: (Choice.RETRY, Choice.CHOOSE_FILE, Choice.QUIT),
        Problem.NO_ACCESS: (Choice.RETRY, Choice.CHOOSE_FILE, Choice.QUIT),
        Problem.FOLDER: (Choice.CHOOSE_FILE, Choice.NEW_DATABASE, Choice.QUIT),
        Problem.MISSING: (Choice.RETRY, Choice.CHOOSE_FILE, Choice.NEW_DATABASE, Choice.QUIT),
        Problem.NOT_DATABASE: (Choice.CHOOSE_FILE, Choice.NEW_DATABASE, Choice.QUIT),
        Problem.NEWER: (Choice.CHOOSE_FILE, Choice.QUIT),
        Problem.DAMAGED: (
            *((Choice.RESTORE_BACKUP,) if latest is not None else ()),
            Choice.CHOOSE_FILE,
            Choice.NEW_DATABASE,
            Choice.QUIT,
        ),
        Problem.CANNOT_OPEN: (Choice.RETRY, Choice.CHOOSE_FILE, Choice.QUIT),
        Problem.SERVER: (Choice.RETRY, Choice.QUIT),
        Problem.OTHER: (Choice.RETRY, Choice.QUIT),
    }[problem]
    if path is None:
        # A server database: there are no files to choose or create here.
        offers = tuple(c for c in offers if c not in (Choice.CHOOSE_FILE, Choice.NEW_DATABASE))
        offers = offers if Choice.RETRY in offers else (Choice.RETRY, *offers)
    return StartError(problem, message, where, latest, offers)


class StartErrorDialog(QDialog):
    """What happened, what to do, and a button for each way out."""

    def __init__(self, error: StartError, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error = error
        self.choice = Choice.QUIT
        self.setWindowTitle(_("Hylla cannot start"))
        self.setMinimumWidth(520)
        icon = QLabel()
        style = self.style()
        pixmap = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(48, 48)
        icon.setPixmap(pixmap)
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        title = QLabel(error.title)
        title.setObjectName("start_error_title")
        title.setProperty("role", "heading")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        title.setFont(font)
        message = QLabel(error.message)
        message.setObjectName("start_error_message")
        message.setWordWrap(True)
        message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        advice = QLabel(error.advice)
        advice.setObjectName("start_error_advice")
        advice.setWordWrap(True)
        text = QVBoxLayout()
        text.addWidget(title)
        text.addWidget(message)
        text.addWidget(advice)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(text, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.buttons: dict[Choice, QPushButton] = {}
        for choice in error.choices:
            button = QPushButton(choice_label(choice, error))
            button.setObjectName(f"start_{choice.value}")
            button.clicked.connect(lambda _checked=False, c=choice: self._chosen(c))
            buttons.addWidget(button)
            self.buttons[choice] = button
        first = self.buttons[error.choices[0]]
        first.setDefault(True)
        first.setFocus()
        column = QVBoxLayout(self)
        column.addLayout(top)
        column.addSpacing(8)
        column.addLayout(buttons)

    def _chosen(self, choice: Choice) -> None:
        self.choice = choice
        self.accept()


def ask(error: StartError) -> Choice:
    """Show the start error and wait for the way out (closing the dialog quits)."""
    dialog = StartErrorDialog(error)
    dialog.exec()
    return dialog.choice


def tell(message: str, title: str) -> None:
    """Say that something worked (called through the module, so tests can record it)."""
    box = QMessageBox()
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle(title)
    box.setText(message)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.exec()


def choose_database_file(start: str) -> str:
    """Ask for an existing database file ("" when cancelled). The dialog never reads the
    files it lists (see :class:`NameOnlyIconProvider`)."""
    dialog = QFileDialog(None, _("Choose a Hylla database"), start)
    dialog.setNameFilters([_("Hylla databases (*.db)"), _("All files (*)")])
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.setIconProvider(NameOnlyIconProvider())
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    chosen = dialog.selectedFiles()
    dialog.deleteLater()
    return chosen[0] if accepted and chosen else ""


def choose_new_database_file(start: str) -> str:
    """Ask where to create a new database ("" when cancelled)."""
    return widgets.get_save_file_name(
        None, _("Create a new Hylla database"), start, _("Hylla databases (*.db)")
    )


def _remember(settings: QSettings, path: Path) -> None:
    known = [str(p) for p in _known(settings) if p != path]
    settings.setValue(KNOWN_KEY, [str(path), *known][:KNOWN_LIMIT])


def _known(settings: QSettings) -> list[Path]:
    value = settings.value(KNOWN_KEY, [])
    # QSettings gives a one-entry list back as a plain string (INI files).
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [Path(str(item)) for item in items]


def _error_for(exc: Exception, where: str, path: Path | None) -> StartError:
    if isinstance(exc, DatabaseError):
        try:
            problem = Problem(exc.problem)
        except ValueError:
            problem = Problem.OTHER
        return describe(problem, exc.message, where, path)
    if isinstance(exc, HyllaError):
        return describe(Problem.OTHER, exc.message, where, path)
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return describe(Problem.OTHER, reason, where, path)


def open_at_start(target: str | None, settings: QSettings) -> Database | None:
    """Open ``target`` (None: the user's own database) for the window, asking what to do
    for as long as it cannot be opened; None when the person chose to quit."""
    allowed_new: set[Path] = set()
    while True:
        path = _sqlite_path(target)
        where = str(path) if path is not None else resolve_url(target)
        error: StartError | None = None
        if (
            path is not None
            and not path.exists()
            and path not in allowed_new
            and path in _known(settings)
        ):
            error = describe(
                Problem.MISSING,
                _("There is no database at {path} any more.").format(path=path),
                where,
                path,
            )
        else:
            try:
                db = open_database(target)
            except Exception as exc:  # noqa: BLE001 - explained, never traced at the user
                if not isinstance(exc, HyllaError):
                    log.exception("opening the database failed")
                error = _error_for(exc, where, path)
            else:
                try:
                    check_writable(db)
                except Exception as exc:  # noqa: BLE001
                    db.dispose()
                    error = _error_for(exc, where, path)
                else:
                    if path is not None:
                        _remember(settings, path.resolve())
                    return db
        choice = ask(error)
        if choice is Choice.QUIT:
            return None
        if choice is Choice.CHOOSE_FILE:
            start = str(path.parent if path is not None else default_database_path().parent)
            chosen = choose_database_file(start)
            if chosen:
                target = chosen
        elif choice is Choice.NEW_DATABASE:
            start = str(path if path is not None else default_database_path())
            chosen = choose_new_database_file(start)
            if chosen and Path(chosen).exists():
                feedback.show_error(
                    None,
                    _(
                        "{path} already exists. Hylla never overwrites a file with a new "
                        "database: choose a new name."
                    ).format(path=chosen),
                )
            elif chosen:
                target = chosen
                allowed_new.add(Path(chosen).expanduser().resolve())
        elif choice is Choice.RESTORE_BACKUP and path is not None and error.backup is not None:
            try:
                aside = backup.replace_damaged_database(path, error.backup.path)
            except HyllaError as exc:
                feedback.show_error(None, exc.message)
            else:
                tell(
                    _(
                        "The backup {backup} is now the database. The damaged file was kept "
                        "as {aside}."
                    ).format(backup=error.backup.path.name, aside=aside),
                    _("Backup restored"),
                )
        # RETRY (and a cancelled file dialog): round again.
