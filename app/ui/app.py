"""Starting the window: open the database, sign in, show the window, then do the
start-up chores (the daily backup, the demo offer) in the background so the window is
usable at once.

A database that cannot be opened is explained with its ways out (app/ui/start_errors.py).
The sign-in dialog comes before the window; a new database first creates its
administrator there. For scripts and screenshots, ``python main.py --user NAME
--password-stdin`` signs in without the dialog (app/services/auth.py
``sign_in_unattended``). Restoring a backup from the Database page reopens the database
and asks everyone to sign in again, since the users are the backup's."""

from __future__ import annotations

import gc
import logging
import logging.handlers
import os
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTimer, QTranslator
from PySide6.QtWidgets import QApplication

from app.i18n import _, current_language, locale_name, set_language
from app.services import auth, backup
from app.services.backup import BackupResult
from app.services.database import Database, data_dir
from app.services.errors import HyllaError, NotAllowedError
from app.services.users import UserRef
from app.ui import feedback, sign_in, start_errors
from app.ui.collector import MainThreadCollector
from app.ui.database_page import reopen_requests
from app.ui.main_window import MainWindow
from app.ui.runner import Runner
from app.ui.settings_page import chosen_language
from app.ui.widgets import STYLE_SHEET, icon

if TYPE_CHECKING:
    from app.ui.demo_offer import DemoOffer

log = logging.getLogger(__name__)


def run_gui(database: str | None, username: str | None = None, password: str | None = None) -> int:
    """Open ``database`` (None: the user's own) in the window; return the exit code.

    A database that cannot be opened (locked, read-only, missing, damaged, not a
    database, made by a newer Hylla) is explained with its ways out; quitting there gives
    exit code 1, quitting at the sign-in 0. With ``username`` and ``password`` nobody is
    asked: a wrong password raises ``NotAllowedError`` (the command line prints it).
    """
    # The window's modules are in by now and stay for good: frozen, the garbage collector
    # no longer walks them at each full collection (during the first page's load of
    # 20,000 items that was a third of a second; main.py says more).
    gc.freeze()
    _configure_logging()
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    configure_application(app)
    # Collected on this thread only, never on the database worker's (collector.py).
    collector = MainThreadCollector(app)
    try:
        return _run_sessions(app, database, username, password)
    finally:
        collector.stop()


def _run_sessions(
    app: QApplication, database: str | None, username: str | None, password: str | None
) -> int:
    """Open the database, sign in and show the window, again after a restore."""
    settings = QSettings()

    while True:
        db = start_errors.open_at_start(database, settings)
        if db is None:
            return 1
        runner = Runner(db)
        try:
            user = _sign_in(runner, db, settings, username, password)
        except BaseException:
            runner.shutdown()
            db.dispose()
            raise
        if user is None:
            runner.shutdown()
            db.dispose()
            return 0
        code, reopen = _run_window(app, settings, db, runner, user)
        if not reopen:
            return code
        # A restored backup has its own users: everyone signs in again.
        username = password = None


def _run_window(
    app: QApplication, settings: QSettings, db: Database, runner: Runner, user: UserRef
) -> tuple[int, bool]:
    """Show the window until it closes; the exit code, and whether the database is to be
    reopened (a backup was restored). The runner and database are closed afterwards."""
    window = MainWindow(runner, user, db.describe(), settings)
    sign_in.install_user_menu(window, runner, settings)
    # One filter for the whole application: scanner bursts become scans, whichever
    # widget has the focus.
    window.scanner.install(app)
    reopen: list[bool] = []

    def reopen_database() -> None:
        reopen.append(True)
        window.close()

    reopen_requests.requested.connect(reopen_database)
    # Closing the window ends the session even if another top-level window (the F1
    # keys, a report preview) is still open: waiting for the last window to close
    # would leave Hylla running, holding its database, with no window to return to.
    # exit(), not quit(): quit() asks every window again and one may refuse; the
    # window's own close has already asked its editors.
    window.closed.connect(lambda: app.exit(0))
    window.show()
    # After the first frame: the window is usable before the chores start.
    QTimer.singleShot(0, lambda: start_chores(window, runner, db, user))
    try:
        code = app.exec()
    finally:
        reopen_requests.requested.disconnect(reopen_database)
        window.scanner.uninstall()
        runner.shutdown()
        db.dispose()
        window.deleteLater()
    return code, bool(reopen)


def _sign_in(
    runner: Runner,
    db: Database,
    settings: QSettings,
    username: str | None,
    password: str | None,
) -> UserRef | None:
    """Who works in this window: signed in unattended, or asked in the sign-in dialog."""
    if username is not None and password is not None:
        result = db.run(auth.sign_in_unattended, username, password)
        if result.user is None:
            raise NotAllowedError(result.message)
        return result.user
    return sign_in.ask_sign_in(runner, settings)


def configure_application(app: QApplication) -> None:
    """Names (for QSettings), icon, the language (chosen in Settings, else the computer's;
    ``HYLLA_LANG`` overrides both for one run), Qt's own translations and the shared style
    sheet."""
    app.setApplicationName("Hylla")
    app.setOrganizationName("Hylla")
    app.setApplicationDisplayName("Hylla")
    app.setWindowIcon(icon("hylla"))
    app.setStyleSheet(STYLE_SHEET)
    choice = chosen_language(QSettings())
    if choice is not None and not os.environ.get("HYLLA_LANG"):
        set_language(choice)
    language = current_language()
    QLocale.setDefault(QLocale(locale_name()))
    install_qt_translations(app, language)


#: Qt's own catalogs installed by :func:`install_qt_translations` (one language at a time).
_qt_translators: list[QTranslator] = []


def install_qt_translations(app: QApplication, language: str) -> bool:
    """Qt's standard dialogs and buttons (QMessageBox's Yes/No, QFileDialog, Cancel…) in
    ``language``, from the ``qtbase`` catalog PySide6 ships; False when there is none (Qt
    then speaks English). Any earlier language's catalog is removed first."""
    for translator in _qt_translators:
        app.removeTranslator(translator)
    _qt_translators.clear()
    if language == "en":
        return True
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(f"qtbase_{language}", folder):
        log.warning("Qt's own %s translations were not found in %s", language, folder)
        return False
    app.installTranslator(translator)
    _qt_translators.append(translator)
    return True


def start_chores(window: MainWindow, runner: Runner, db: Database, user: UserRef) -> DemoOffer:
    """Load the first page, take the daily backup and, for an empty database, offer the
    demo warehouse; all on the worker, in that order."""
    # Imported now, not at start: the window is on screen before the demo's module loads.
    from app.ui.demo_offer import DemoOffer

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
        # The Database page may have listed the backups before this one was written.
        if window.is_built("database"):
            page = window.page("database")
            if page is window.current_page():
                page.refresh()
            else:
                page.mark_stale()


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
