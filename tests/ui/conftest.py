"""Fixtures for window tests: a runner per database, isolated Qt settings, and message
boxes replaced by recorders so that no test ever waits behind a modal dialog."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app.services import users
from app.services.database import Database
from app.services.users import UserRef
from app.ui import feedback, start_errors
from app.ui.collector import MainThreadCollector
from app.ui.runner import Runner
from app.ui.widgets import STYLE_SHEET

TIMEOUT_MS = 20_000
# A new workstation opens on the Start page; the window tests written before it existed
# expect the Items page first, so their settings say it was the page shown last. The
# Start page's own tests remove the setting (tests/ui/test_start_page.py).
ITEMS_FIRST = "items"


@dataclass
class Dialogs:
    """What the code under test tried to show; ``answer`` is what ``ask`` returns."""

    errors: list[str] = field(default_factory=list)
    startup_errors: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    answer: bool = True


@pytest.fixture(autouse=True)
def collected_on_the_gui_thread(qapp: QApplication) -> Iterator[None]:
    """As in the running application (app.ui.app.run_gui): garbage is collected on the
    GUI thread only, never on a runner's worker thread, where destroying a dropped
    widget crashes the process."""
    collector = MainThreadCollector(qapp)
    yield
    collector.stop()
    collector.deleteLater()


@pytest.fixture(autouse=True)
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    """Every message box is recorded instead of shown."""
    seen = Dialogs()

    def show_error(_parent: object, message: str, title: str | None = None) -> None:
        seen.errors.append(message)

    def ask(_parent: object, _title: str, text: str, _accept: str, _reject: str) -> bool:
        seen.questions.append(text)
        return seen.answer

    monkeypatch.setattr(feedback, "show_error", show_error)
    monkeypatch.setattr(feedback, "show_startup_error", seen.startup_errors.append)
    monkeypatch.setattr(feedback, "ask", ask)

    def start_error(error: start_errors.StartError) -> start_errors.Choice:
        # A database that cannot be opened at start: recorded, and the answer is Quit.
        seen.startup_errors.append(error.message)
        return start_errors.Choice.QUIT

    monkeypatch.setattr(start_errors, "ask", start_error)
    return seen


@pytest.fixture(autouse=True)
def _isolated_qt_settings(qapp: QApplication, tmp_path: Path) -> None:
    """QSettings() writes under the test's folder, never the real user's."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings")
    )
    qapp.setOrganizationName("HyllaTest")
    qapp.setApplicationName("HyllaTest")
    qapp.setStyleSheet(STYLE_SHEET)
    QSettings().setValue("main/page", ITEMS_FIRST)


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    """A settings file of the test's own (the window opens on the Items page, see
    :data:`ITEMS_FIRST`)."""
    made = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    made.setValue("main/page", ITEMS_FIRST)
    return made


@pytest.fixture
def make_runner() -> Iterator[Callable[[Database], Runner]]:
    """Runners for databases; each is shut down (its worker stopped) after the test."""
    made: list[Runner] = []

    def make(db: Database) -> Runner:
        runner = Runner(db)
        made.append(runner)
        return runner

    yield make
    for runner in made:
        assert runner.shutdown(), "the database worker did not stop"


@pytest.fixture
def runner(sqlite_db: Database, make_runner: Callable[[Database], Runner]) -> Runner:
    """A runner on a fresh SQLite database."""
    return make_runner(sqlite_db)


@pytest.fixture
def tester(sqlite_db: Database) -> UserRef:
    """The user "tester" of the SQLite database."""
    return sqlite_db.run(users.workstation_user, "tester")
