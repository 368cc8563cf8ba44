"""Starting the window: databases that cannot be opened, the daily backup, and the demo
warehouse offered for an empty database."""

from __future__ import annotations

import functools
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from app import i18n
from app.services import backup, demo, items, locations, users
from app.services.database import Database
from app.services.users import UserId, UserRef
from app.ui import app as app_module
from app.ui.app import configure_application, install_qt_translations, run_gui, start_chores
from app.ui.demo_offer import DemoOffer
from app.ui.main_window import MainWindow
from app.ui.runner import Runner
from app.ui.scan_feedback import ScanSounds
from app.ui.scanner import ScannerInput, load_setup
from app.ui.settings_page import SettingsPage
from tests import factories
from tests.ui.conftest import TIMEOUT_MS, Dialogs

WELCOME = "Your warehouse is empty. Fill it with a demo warehouse to try Hylla?"


def test_a_file_that_is_not_a_database_is_explained_not_traced(
    tmp_path: Path, dialogs: Dialogs
) -> None:
    path = tmp_path / "notes.db"
    path.write_text("shopping list: nails, screws\n")
    assert run_gui(str(path)) == 1
    assert len(dialogs.startup_errors) == 1
    message = dialogs.startup_errors[0]
    assert str(path) in message and "not a Hylla database" in message
    assert "Traceback" not in message


def test_a_folder_is_not_a_database(tmp_path: Path, dialogs: Dialogs) -> None:
    assert run_gui(str(tmp_path)) == 1
    assert dialogs.startup_errors == [
        f"{tmp_path} is a folder, not a database file. Choose a file name."
    ]


def test_a_database_from_a_newer_hylla_is_refused(
    tmp_path: Path, sqlite_template: Path, dialogs: Dialogs
) -> None:
    path = tmp_path / "newer.db"
    shutil.copyfile(sqlite_template, path)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'f00dfeed9999'")
    connection.close()
    assert run_gui(str(path)) == 1
    assert "newer version of Hylla" in dialogs.startup_errors[0]
    assert "Update Hylla" in dialogs.startup_errors[0]


def _window(qtbot: QtBot, runner: Runner, user: UserRef, db: Database) -> MainWindow:
    window = MainWindow(runner, user, db.describe(), QSettings())
    qtbot.addWidget(window)
    window.show()
    return window


def small_demo(scale: float = 0.04) -> Callable[..., demo.DemoSummary]:
    """The real demo at a fraction of its size, so the test stays quick."""
    return functools.partial(demo.create_demo, scale=scale)


def test_an_empty_database_is_offered_the_demo_and_gets_it(
    qtbot: QtBot,
    runner: Runner,
    tester: UserRef,
    sqlite_db: Database,
    dialogs: Dialogs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(demo, "create_demo", small_demo())
    window = _window(qtbot, runner, tester, sqlite_db)
    progress: list[int] = []
    with qtbot.waitSignal(window.items_page.items_loaded, timeout=30_000) as loaded:
        offer = start_chores(window, runner, sqlite_db, tester)
        offer.finished.connect(lambda created: progress.append(int(created)))
        qtbot.waitUntil(lambda: offer.progress_dialog is not None, timeout=TIMEOUT_MS)
        assert offer.progress_dialog is not None and offer.progress_dialog.isVisible()
        # The items page reloads once the demo is in (after loading the empty list).
        qtbot.waitUntil(lambda: progress == [1], timeout=30_000)
    assert dialogs.questions == [WELCOME]
    assert offer.progress_dialog is None
    count = len(sqlite_db.run(items.list_items))
    assert count > 0
    qtbot.waitUntil(lambda: window.items_page.model.total_count() == count, timeout=TIMEOUT_MS)
    assert loaded.signal_triggered
    assert window.statusBar().currentMessage().startswith("Demo warehouse created:")
    # Today's backup was taken before the demo, beside the database.
    assert list((Path(sqlite_db.describe()).parent / "backups").glob("hylla-daily-*.db"))


def test_the_database_page_shows_todays_backup_once_it_is_written(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database
) -> None:
    # Seen under Xvfb: a window reopened on the Database page said "Last backup: none
    # yet" while the status bar said today's backup was saved.
    window = _window(qtbot, runner, tester, sqlite_db)
    page = window.page("database")
    with qtbot.waitSignal(page.status_loaded, timeout=TIMEOUT_MS):
        window.open_page("database")
    assert page.last_label.text() == "none yet"
    result = backup.daily_backup(sqlite_db)
    assert result is not None
    with qtbot.waitSignal(page.status_loaded, timeout=TIMEOUT_MS):
        app_module._backup_done(window, result)
    assert result.path.name in page.last_label.text()


def test_start_empty_leaves_the_database_alone(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database, dialogs: Dialogs
) -> None:
    dialogs.answer = False
    window = _window(qtbot, runner, tester, sqlite_db)
    outcome: list[bool] = []
    offer = start_chores(window, runner, sqlite_db, tester)
    offer.finished.connect(outcome.append)
    qtbot.waitUntil(lambda: bool(outcome), timeout=TIMEOUT_MS)
    assert outcome == [False]
    assert window.statusBar().currentMessage() == "Starting with an empty warehouse."
    assert dialogs.questions == [WELCOME]
    assert sqlite_db.run(demo.database_is_empty)


def test_a_database_with_items_is_not_offered_the_demo(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database, dialogs: Dialogs
) -> None:
    sqlite_db.run(factories.item, tester.id, "HAVE-1")
    offer = DemoOffer(_window(qtbot, runner, tester, sqlite_db), runner, tester)
    with qtbot.waitSignal(offer.finished, timeout=TIMEOUT_MS) as finished:
        offer.start()
    assert finished.args == [False]
    assert dialogs.questions == []


def test_cancelling_the_demo_saves_nothing(
    qtbot: QtBot,
    runner: Runner,
    tester: UserRef,
    sqlite_db: Database,
    dialogs: Dialogs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def slow_demo(
        session: Session, user_id: UserId, *, progress: Callable[[int, int], None]
    ) -> demo.DemoSummary:
        locations.save_bin(session, user_id, "DEMO-01")
        for done in range(1, 1001):
            progress(done, 1000)
            time.sleep(0.005)
        raise AssertionError("the demo should have been cancelled")

    monkeypatch.setattr(demo, "create_demo", slow_demo)
    window = _window(qtbot, runner, tester, sqlite_db)
    offer = DemoOffer(window, runner, tester)
    offer.status_message.connect(window.show_status)
    offer.start()
    qtbot.waitUntil(
        lambda: offer.progress_dialog is not None and offer.progress_dialog.value() > 0,
        timeout=TIMEOUT_MS,
    )
    dialog = offer.progress_dialog
    assert dialog is not None
    cancel_button = dialog.findChild(QPushButton)
    assert cancel_button is not None and cancel_button.text() == "Cancel"
    with qtbot.waitSignal(offer.finished, timeout=TIMEOUT_MS) as finished:
        qtbot.mouseClick(cancel_button, Qt.MouseButton.LeftButton)
    assert finished.args == [False]
    assert dialogs.errors == []
    assert window.statusBar().currentMessage() == "The demo warehouse was not created."
    assert sqlite_db.run(locations.find_location, "DEMO-01") is None
    assert sqlite_db.run(demo.database_is_empty)


def test_a_failed_backup_is_reported(
    qtbot: QtBot,
    runner: Runner,
    tester: UserRef,
    sqlite_db: Database,
    dialogs: Dialogs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.services import backup
    from app.services.errors import DatabaseError

    def failing(db: Database) -> None:
        raise DatabaseError("The backup to /nowhere failed: disk full")

    monkeypatch.setattr(backup, "daily_backup", failing)
    sqlite_db.run(users.workstation_user, "someone")
    sqlite_db.run(factories.item, tester.id, "HAVE-1")
    window = _window(qtbot, runner, tester, sqlite_db)
    start_chores(window, runner, sqlite_db, tester)
    qtbot.waitUntil(lambda: bool(dialogs.errors), timeout=TIMEOUT_MS)
    assert "disk full" in dialogs.errors[0]
    assert "python main.py backup" in dialogs.errors[0]


# --- language: Qt's own words, and the choice made in Settings -------------------------------


@pytest.fixture
def restored_application(qapp: QApplication) -> Iterator[QApplication]:
    """``configure_application`` renames the application and sets Qt's locale; put the
    test suite's back (English, names of the isolated settings) afterwards."""
    locale = QLocale()
    names = (qapp.organizationName(), qapp.applicationName())
    yield qapp
    i18n.set_language("en")
    install_qt_translations(qapp, "en")
    QLocale.setDefault(locale)
    qapp.setOrganizationName(names[0])
    qapp.setApplicationName(names[1])


def _qt_cancel() -> str:
    """How Qt's own dialogs write "Cancel" now."""
    return QCoreApplication.translate("QPlatformTheme", "Cancel")


def test_qt_s_own_dialogs_speak_swedish_with_hylla(restored_application: QApplication) -> None:
    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    assert (folder / "qtbase_sv.qm").is_file()
    assert _qt_cancel() == "Cancel"
    i18n.set_language("sv")
    configure_application(restored_application)
    assert _qt_cancel() == "Avbryt"
    box = QMessageBox()
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    yes = box.button(QMessageBox.StandardButton.Yes)
    assert yes is not None and yes.text().replace("&", "") == "Ja"
    assert QLocale().decimalPoint() == ","
    # Back to English: the Swedish catalog is taken out again, not stacked.
    i18n.set_language("en")
    configure_application(restored_application)
    assert _qt_cancel() == "Cancel"
    assert QLocale().decimalPoint() == "."


def test_a_language_without_qt_translations_leaves_qt_in_english(
    restored_application: QApplication, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(QLibraryInfo, "path", lambda _which: str(tmp_path))
    assert not install_qt_translations(restored_application, "sv")
    assert _qt_cancel() == "Cancel"


def test_the_language_chosen_in_settings_is_spoken_from_the_next_start(
    qtbot: QtBot,
    restored_application: QApplication,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The application's own settings, under the names configure_application gives it.
    restored_application.setOrganizationName("Hylla")
    restored_application.setApplicationName("Hylla")
    settings = QSettings()
    page = SettingsPage(ScannerInput(load_setup(settings)), settings, ScanSounds(False))
    qtbot.addWidget(page)
    assert page.language_combo.currentData() == ""  # the computer's language
    statuses: list[str] = []
    page.status_message.connect(statuses.append)
    index = page.language_combo.findData("sv")
    page.language_combo.setCurrentIndex(index)
    page.language_combo.activated.emit(index)
    assert settings.value("ui/language") == "sv"
    assert statuses == ["Saved: Hylla speaks Svenska from its next start."]
    assert i18n.current_language() == "en"  # not while this window is open

    # HYLLA_LANG names the language of one run and wins over the choice.
    configure_application(restored_application)
    assert i18n.current_language() == "en"
    monkeypatch.delenv("HYLLA_LANG")
    configure_application(restored_application)
    assert i18n.current_language() == "sv"
    assert _qt_cancel() == "Avbryt"
    assert i18n._("Items") == "Artiklar"
