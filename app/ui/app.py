"""Starting the window: open the database, show the window, then do the start-up chores
(the daily backup, the demo offer) in the background so the window is usable at once."""

from __future__ import annotations

import logging
import logging.handlers
import sys

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTimer, QTranslator
from PySide6.QtWidgets import QApplication

from app.i18n import _, current_language
from app.services import backup, users
from app.services.backup import BackupResult
from app.services.database import Database, data_dir, open_database
from app.services.errors import DatabaseError, HyllaError
from app.services.users import UserRef
from app.ui import feedback
from app.ui.demo_offer import DemoOffer
from app.ui.main_window import MainWindow
from app.ui.runner import Runner
from app.ui.widgets import STYLE_SHEET, icon

log = logging.getLogger(__name__)


def run_gui(database: str | None) -> int:
    """Open ``database`` (None: the user's own) in the window; return the exit code.

    A database that cannot be opened (locked, read-only, damaged, not a database, made by
    a newer Hylla) is explained in a message box and gives exit code 1.
    """
    _configure_logging()
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    configure_application(app)

    db = _open(database)
    if db is None:
        return 1
    try:
        user = db.run(users.workstation_user)
    except HyllaError as exc:
        db.dispose()
        feedback.show_startup_error(exc.message)
        return 1

    runner = Runner(db)
    window = MainWindow(runner, user, db.describe(), QSettings())
    # One filter for the whole application: scanner bursts become scans, whichever
    # widget has the focus.
    window.scanner.install(app)
    window.show()
    # After the first frame: the window is usable before the chores start.
    QTimer.singleShot(0, lambda: start_chores(window, runner, db, user))
    try:
        return app.exec()
    finally:
        runner.shutdown()
        db.dispose()


def configure_application(app: QApplication) -> None:
    """Names (for QSettings), icon, Qt's own translations and the shared style sheet."""
    app.setApplicationName("Hylla")
    app.setOrganizationName("Hylla")
    app.setApplicationDisplayName("Hylla")
    app.setWindowIcon(icon("hylla"))
    app.setStyleSheet(STYLE_SHEET)
    language = current_language()
    QLocale.setDefault(QLocale(language))
    if language != "en":
        translator = QTranslator(app)
        # Qt's standard dialogs (buttons like "Cancel" in its own dialogs) in the language.
        if translator.load(
            f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        ):
            app.installTranslator(translator)


def start_chores(window: MainWindow, runner: Runner, db: Database, user: UserRef) -> DemoOffer:
    """Load the first page, take the daily backup and, for an empty database, offer the
    demo warehouse; all on the worker, in that order."""
    window.start()
    runner.call(
        backup.daily_backup,
        db,
        on_done=lambda result: _backup_done(window, result),
        on_error=lambda error: _backup_failed(window, error),
        owner=window,
    )
    offer = DemoOffer(window, runner, user)
    offer.status_message.connect(window.show_status)
    offer.finished.connect(lambda created: window.refresh_all() if created else None)
    offer.start()
    return offer


def _backup_done(window: MainWindow, result: BackupResult | None) -> None:
    if result is not None:
        window.show_status(_("Today's backup is saved: {path}").format(path=result.path))


def _backup_failed(window: MainWindow, error: HyllaError) -> None:
    window.show_status(error.message)
    feedback.show_error(
        window,
        _(
            "Today's automatic backup failed: {reason}\n"
            "Your data is safe in the database; make a backup by hand (python main.py backup FILE) "
            "and tell your administrator."
        ).format(reason=error.message),
    )


def _open(database: str | None) -> Database | None:
    try:
        return open_database(database)
    except DatabaseError as exc:
        feedback.show_startup_error(exc.message)
    except Exception as exc:  # noqa: BLE001 - never a traceback at the user
        log.exception("opening the database failed")
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        feedback.show_startup_error(
            _("{reason}\nCheck the database location, or restore the latest backup.").format(
                reason=reason
            )
        )
    return None


def _configure_logging() -> None:
    """Log to a rotating file in the data directory (and stderr), once per process."""
    root = logging.getLogger()
    if root.handlers:
        return
    root.setLevel(logging.INFO)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    stderr = logging.StreamHandler()
    stderr.setLevel(logging.WARNING)
    stderr.setFormatter(formatter)
    root.addHandler(stderr)
    try:
        folder = data_dir() / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(
            folder / "hylla.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return  # a read-only home must not stop the window
    file_handler.setFormatter(formatter)
    root.addHandler(file_handler)
