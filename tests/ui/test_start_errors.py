"""Every bad state of the database at start gets its own explanation and ways out, never
a traceback: busy (locked), read-only, missing, damaged, not a database, a folder, a
foreign SQLite file, made by a newer Hylla, and a server out of reach."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from app.services import backup
from app.services import database as database_module
from app.services.database import open_database
from app.ui import start_errors
from app.ui.start_errors import Choice, Problem, StartError, StartErrorDialog, open_at_start


class Answers:
    """Stands in for the start dialog: records each error, answers from a script."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen: list[StartError] = []
        self.script: list[Choice] = []
        self.before: dict[int, object] = {}
        monkeypatch.setattr(start_errors, "ask", self.ask)
        self.told: list[str] = []
        monkeypatch.setattr(start_errors, "tell", lambda message, _title: self.told.append(message))

    def ask(self, error: StartError) -> Choice:
        self.seen.append(error)
        action = self.before.get(len(self.seen))
        if callable(action):
            action()
        return self.script.pop(0) if self.script else Choice.QUIT

    @property
    def problems(self) -> list[Problem]:
        return [error.problem for error in self.seen]


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    return Answers(monkeypatch)


@pytest.fixture
def good_db(tmp_path: Path, sqlite_template: Path) -> Path:
    path = tmp_path / "good" / "hylla.db"
    path.parent.mkdir()
    shutil.copyfile(sqlite_template, path)
    return path


def _open(target: Path | str, settings: QSettings) -> bool:
    db = open_at_start(str(target), settings)
    if db is None:
        return False
    db.dispose()
    return True


def test_a_good_database_opens_without_a_question(
    good_db: Path, settings: QSettings, answers: Answers
) -> None:
    assert _open(good_db, settings)
    assert answers.seen == []


def test_a_file_that_is_not_a_database_is_left_alone(
    tmp_path: Path, settings: QSettings, answers: Answers
) -> None:
    path = tmp_path / "notes.db"
    path.write_text("shopping list: nails, screws\n")
    assert not _open(path, settings)
    (error,) = answers.seen
    assert error.problem is Problem.NOT_DATABASE
    assert error.title == "That file is not a Hylla database"
    assert "Traceback" not in error.message and str(path) in error.message
    assert error.choices == (Choice.CHOOSE_FILE, Choice.NEW_DATABASE, Choice.QUIT)
    assert path.read_text() == "shopping list: nails, screws\n"


def test_another_programs_sqlite_file_is_not_touched(
    tmp_path: Path, settings: QSettings, answers: Answers
) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
    connection.close()
    before = path.read_bytes()
    assert not _open(path, settings)
    assert answers.problems == [Problem.NOT_DATABASE]
    assert "holds tables but is not a Hylla database" in answers.seen[0].message
    assert path.read_bytes() == before


def test_a_folder_offers_to_choose_a_file_which_then_opens(
    tmp_path: Path,
    good_db: Path,
    settings: QSettings,
    answers: Answers,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(start_errors, "choose_database_file", lambda _start: str(good_db))
    answers.script = [Choice.CHOOSE_FILE]
    assert _open(tmp_path, settings)
    assert answers.problems == [Problem.FOLDER]


def test_a_database_from_a_newer_hylla_says_update(
    good_db: Path, settings: QSettings, answers: Answers
) -> None:
    with sqlite3.connect(good_db) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'f00dfeed9999'")
    connection.close()
    assert not _open(good_db, settings)
    (error,) = answers.seen
    assert error.problem is Problem.NEWER and "Update Hylla" in error.advice
    assert error.choices == (Choice.CHOOSE_FILE, Choice.QUIT)


def _damage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    path.write_bytes(bytes(data))


def test_a_damaged_database_is_replaced_by_its_newest_backup_and_kept_aside(
    good_db: Path, settings: QSettings, answers: Answers
) -> None:
    db = open_database(good_db)
    made = backup.daily_backup(db)
    db.dispose()
    assert made is not None
    _damage(good_db)
    damaged = good_db.read_bytes()
    answers.script = [Choice.RESTORE_BACKUP]
    assert _open(good_db, settings)
    (error,) = answers.seen
    assert error.problem is Problem.DAMAGED and error.backup is not None
    assert error.choices[0] is Choice.RESTORE_BACKUP
    assert start_errors.choice_label(Choice.RESTORE_BACKUP, error).startswith(
        "Restore the backup of "
    )
    (aside,) = (good_db.parent / "backups").glob("hylla.db.damaged-*")
    assert backup.list_damaged_copies(good_db)[0].path == aside
    assert aside.read_bytes() == damaged
    assert answers.told and str(aside) in answers.told[0]


def test_a_damaged_database_without_backups_says_so(
    good_db: Path, settings: QSettings, answers: Answers
) -> None:
    _damage(good_db)
    assert not _open(good_db, settings)
    (error,) = answers.seen
    assert error.problem is Problem.DAMAGED and error.backup is None
    assert Choice.RESTORE_BACKUP not in error.choices
    assert "There is no backup beside it" in error.advice


def test_a_missing_database_this_workstation_used_is_not_silently_recreated(
    good_db: Path, settings: QSettings, answers: Answers, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _open(good_db, settings)  # remembered from now on
    moved = good_db.with_name("on-the-usb-disk.db")
    good_db.replace(moved)
    # Quit: nothing was created in its place.
    assert not _open(good_db, settings)
    assert answers.problems == [Problem.MISSING]
    assert answers.seen[0].choices == (
        Choice.RETRY,
        Choice.CHOOSE_FILE,
        Choice.NEW_DATABASE,
        Choice.QUIT,
    )
    assert not good_db.exists()
    # The disk is connected again, and "Try again" opens it.
    answers.script = [Choice.RETRY]
    answers.before = {2: lambda: moved.replace(good_db)}
    assert _open(good_db, settings)
    # Or a new, empty database is made there on purpose.
    good_db.unlink()
    monkeypatch.setattr(start_errors, "choose_new_database_file", lambda _start: str(good_db))
    answers.script = [Choice.NEW_DATABASE]
    assert _open(good_db, settings)
    assert good_db.exists()


def test_a_new_database_never_overwrites_a_file(
    good_db: Path,
    tmp_path: Path,
    settings: QSettings,
    answers: Answers,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    errors: list[str] = []
    monkeypatch.setattr(start_errors.feedback, "show_error", lambda _p, m, *_a: errors.append(m))
    notes = tmp_path / "notes.db"
    notes.write_text("not a database")
    monkeypatch.setattr(start_errors, "choose_new_database_file", lambda _start: str(notes))
    answers.script = [Choice.NEW_DATABASE]
    assert not _open(notes, settings)
    assert errors and "already exists" in errors[0]
    assert notes.read_text() == "not a database"


def test_a_database_unseen_before_is_created_without_asking(
    tmp_path: Path, settings: QSettings, answers: Answers
) -> None:
    assert _open(tmp_path / "first-start.db", settings)
    assert answers.seen == []


@pytest.fixture
def locked(good_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[sqlite3.Connection]:
    monkeypatch.setattr(database_module, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(good_db, isolation_level=None, timeout=0.2)
    holder.execute("PRAGMA journal_mode = DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    yield holder
    holder.close()


def test_a_locked_database_waits_for_try_again(
    good_db: Path, settings: QSettings, answers: Answers, locked: sqlite3.Connection
) -> None:
    answers.script = [Choice.RETRY]
    answers.before = {1: lambda: locked.execute("ROLLBACK")}
    assert _open(good_db, settings)
    (error,) = answers.seen
    assert error.problem is Problem.BUSY and error.title == "The database is in use"
    assert error.choices == (Choice.RETRY, Choice.QUIT)


def test_a_read_only_database_is_found_out_at_start(
    good_db: Path, settings: QSettings, answers: Answers
) -> None:
    # At this Hylla's schema (a read-only file cannot be upgraded; that is another case).
    open_database(good_db).dispose()
    # As root, file permissions do not stop writes: SQLite's read-only mode does.
    url = f"sqlite:///file:{good_db}?mode=ro&uri=true"
    assert not _open(url, settings)
    (error,) = answers.seen
    assert error.problem is Problem.READ_ONLY
    assert "read-only" in error.message and "write access" in error.advice
    assert Choice.RETRY in error.choices


def test_a_server_out_of_reach_offers_try_again(settings: QSettings, answers: Answers) -> None:
    assert not _open("postgresql://nobody@127.0.0.1:1/hylla", settings)
    (error,) = answers.seen
    assert error.problem is Problem.SERVER
    assert error.choices == (Choice.RETRY, Choice.QUIT)
    assert "password" not in error.where


def test_the_dialog_shows_what_happened_and_a_button_per_way_out(qtbot: QtBot) -> None:
    error = start_errors.describe(
        Problem.MISSING, "There is no database at /media/usb/hylla.db any more.", "x", Path("x")
    )
    dialog = StartErrorDialog(error)
    qtbot.addWidget(dialog)
    dialog.show()
    texts = [dialog.buttons[choice].text() for choice in error.choices]
    assert texts == ["Try again", "Choose another file…", "Create a new database…", "Quit"]
    dialog.buttons[Choice.NEW_DATABASE].click()
    assert dialog.choice is Choice.NEW_DATABASE and not dialog.isVisible()
