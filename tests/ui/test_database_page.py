"""The Database page: which database is in use, backing up now, and restoring a backup
(administrators only; a foreign, damaged or newer file is refused before anything
changes; a restore asks the window to reopen the database)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.models import Role
from app.services import audit, auth, locations
from app.services.audit import AuditFilter
from app.services.auth import UserInput
from app.services.database import Database, open_database, schema_head
from app.services.users import UserRef
from app.ui import database_page, widgets
from app.ui.database_page import DatabasePage, fmt_size, reopen_requests
from app.ui.runner import Runner
from tests.ui.conftest import TIMEOUT_MS, Dialogs


def _admin(db: Database) -> UserRef:
    return db.run(auth.create_first_admin, "anna", "Anna", "lager-lösen-1")


def _page(qtbot: QtBot, runner: Runner, user: UserRef) -> DatabasePage:
    page = DatabasePage(runner, user)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.status_loaded, timeout=TIMEOUT_MS):
        page.show()
        page.activate()
    return page


def test_it_shows_the_sqlite_file_its_schema_and_backs_up_now(
    qtbot: QtBot, runner: Runner, sqlite_db: Database
) -> None:
    page = _page(qtbot, runner, _admin(sqlite_db))
    assert page.kind_label.text().startswith("SQLite file")
    assert page.where_label.text() == str(sqlite_db.path)
    assert page.schema_label.text() == f"{schema_head()} (up to date)"
    before = page.model.total_count()
    if before == 0:
        assert page.last_label.text() == "none yet"
    assert page.folder_label.text() == str(sqlite_db.path.parent / "backups")  # type: ignore[union-attr]
    with qtbot.waitSignal(page.status_loaded, timeout=TIMEOUT_MS):
        page.backup_button.click()
    (made,) = (sqlite_db.path.parent / "backups").glob("hylla-manual-*.db")  # type: ignore[union-attr]
    assert page.model.total_count() == before + 1
    assert made.name in page.last_label.text()
    with sqlite3.connect(made) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()


def test_damaged_copies_kept_aside_are_listed_apart_from_the_backups(
    qtbot: QtBot, runner: Runner, sqlite_db: Database
) -> None:
    user = _admin(sqlite_db)
    page = _page(qtbot, runner, user)
    assert page.damaged_label.isHidden()
    folder = sqlite_db.path.parent / "backups"  # type: ignore[union-attr]
    folder.mkdir(exist_ok=True)
    # What a restore of a damaged database leaves (app.services.backup), and another
    # database's damaged copy in the same folder, which is not this one's business.
    (folder / "hylla.db.damaged-20261125-101500").write_bytes(b"x" * 2048)
    (folder / "hylla.db.damaged-20261125-101500-wal").write_bytes(b"x" * 10)
    (folder / "other.db.damaged-20261125-101500").write_bytes(b"x")
    with qtbot.waitSignal(page.status_loaded, timeout=TIMEOUT_MS):
        page.refresh()
    assert not page.damaged_label.isHidden()
    text = page.damaged_label.text()
    assert text.startswith(
        "A damaged copy of this database is kept in the backups folder: "
        "hylla.db.damaged-20261125-101500 (2 kB, "
    )
    assert "never restored" in text and "other.db" not in text and "-wal" not in text
    # Not a backup: never offered for restore.
    names = [backup_file.path.name for backup_file in page.model.visible_rows()]
    assert not any("damaged" in name for name in names)


def test_back_up_to_a_chosen_file(
    qtbot: QtBot,
    runner: Runner,
    sqlite_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = _page(qtbot, runner, _admin(sqlite_db))
    target = tmp_path / "usb" / "copy"
    target.parent.mkdir()
    monkeypatch.setattr(widgets, "get_save_file_name", lambda *_a: str(target))
    with qtbot.waitSignal(page.backed_up, timeout=TIMEOUT_MS) as done:
        page.back_up_to_file()
    assert done.args[0].path == target.with_name("copy.db") and target.with_name("copy.db").exists()


def _restore_with(
    qtbot: QtBot, page: DatabasePage, monkeypatch: pytest.MonkeyPatch, path: Path
) -> None:
    monkeypatch.setattr(database_page, "choose_backup_file", lambda *_a: str(path))
    page.restore()


def test_restoring_refuses_foreign_damaged_and_newer_files_and_changes_nothing(
    qtbot: QtBot,
    runner: Runner,
    sqlite_db: Database,
    tmp_path: Path,
    dialogs: Dialogs,
    monkeypatch: pytest.MonkeyPatch,
    sqlite_template: Path,
) -> None:
    admin = _admin(sqlite_db)
    sqlite_db.run(locations.save_bin, admin.id, "KEEP-1")
    page = _page(qtbot, runner, admin)
    notes = tmp_path / "notes.db"
    notes.write_text("not a backup")
    foreign = tmp_path / "recipes.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
    connection.close()
    newer = tmp_path / "newer.db"
    shutil.copyfile(sqlite_template, newer)
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'f00dfeed9999'")
    connection.close()
    for path, reason in (
        (notes, "is not a Hylla backup (it is not a SQLite file)"),
        (foreign, "is a SQLite file but not a Hylla backup"),
        (newer, "was made by a newer version of Hylla"),
    ):
        with qtbot.waitSignal(page.restore_refused, timeout=TIMEOUT_MS) as refused:
            _restore_with(qtbot, page, monkeypatch, path)
        assert reason in refused.args[0]
    assert dialogs.questions == []  # refused before asking
    assert sqlite_db.run(locations.find_location, "KEEP-1") is not None


def test_an_administrator_restores_a_backup_and_the_window_is_asked_to_reopen(
    qtbot: QtBot,
    make_runner: Callable[[Database], Runner],
    sqlite_db: Database,
    dialogs: Dialogs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin = _admin(sqlite_db)
    sqlite_db.run(locations.save_bin, admin.id, "OLD-1")
    runner = make_runner(sqlite_db)
    page = _page(qtbot, runner, admin)
    with qtbot.waitSignal(page.status_loaded, timeout=TIMEOUT_MS):
        page.back_up_now()
    (made,) = (sqlite_db.path.parent / "backups").glob("hylla-manual-*.db")  # type: ignore[union-attr]
    made_by = sqlite_db.read(audit.find_audit_events, admin.id, AuditFilter(action="backup"))
    assert [(row.user_id, json.loads(row.details)) for row in made_by.rows] == [
        (admin.id, {"file": str(made)})
    ]
    sqlite_db.run(locations.save_bin, admin.id, "NEW-1")
    with qtbot.waitSignal(reopen_requests.requested, timeout=TIMEOUT_MS):
        _restore_with(qtbot, page, monkeypatch, made)
    assert "Replace all data in" in dialogs.questions[0]
    reopened = open_database(sqlite_db.describe())
    try:
        assert reopened.run(locations.find_location, "OLD-1") is not None
        assert reopened.run(locations.find_location, "NEW-1") is None
        # The restored trail says who restored which file.
        trail = reopened.read(audit.find_audit_events, admin.id, AuditFilter(entity="database"))
        assert [(row.action, row.user_id) for row in trail.rows] == [("restore", None)]
        assert '"by": "anna"' in trail.rows[0].details
    finally:
        reopened.dispose()
    # The data before the restore was backed up first.
    assert list((sqlite_db.path.parent / "backups").glob("hylla-before-restore-*.db"))  # type: ignore[union-attr]


def test_staff_cannot_restore(
    qtbot: QtBot, runner: Runner, sqlite_db: Database, dialogs: Dialogs
) -> None:
    admin = _admin(sqlite_db)
    kim = sqlite_db.run(
        auth.create_user, admin.id, UserInput("kim", "Kim", Role.STAFF, True, "2580")
    )
    page = _page(qtbot, runner, UserRef(kim.id, "kim", "Kim", Role.STAFF))
    assert not page.restore_button.isEnabled()
    assert page.restore_button.toolTip() == "Only an administrator can restore a backup."
    assert page.backup_button.isEnabled()
    page.restore()
    assert dialogs.errors == ["Only an administrator can restore a backup."]


def test_a_postgresql_database_shows_its_server_and_no_file_backups(
    qtbot: QtBot, postgres_url: str, make_runner: Callable[[Database], Runner]
) -> None:
    db = open_database(postgres_url)
    try:
        runner = make_runner(db)
        page = _page(qtbot, runner, _admin(db))
        assert page.kind_label.text().startswith("PostgreSQL server")
        assert page.where_label.text() == db.describe() and "***" not in page.where_label.text()
        assert page.server_note.isVisibleTo(page)
        assert not page.backup_button.isEnabled() and not page.restore_button.isEnabled()
        runner.shutdown()
    finally:
        db.dispose()


def test_sizes_read_like_people_write_them() -> None:
    assert fmt_size(10) == "1 kB"
    assert fmt_size(840 * 1024) == "840 kB"
    assert fmt_size(int(12.5 * 1024 * 1024)) == "12.5 MB"
    assert fmt_size(3 * 1024 * 1024) == "3 MB"


def test_two_windows_on_one_sqlite_file_one_waits_neither_fails(
    qtbot: QtBot, sqlite_url: str, make_runner: Callable[[Database], Runner], dialogs: Dialogs
) -> None:
    """Two windows (two runners, two connections) save to the same file at once: SQLite
    lets one write at a time, the other waits for it, and every save gets through."""
    first, second = open_database(sqlite_url), open_database(sqlite_url)
    try:
        admin = _admin(first)
        runners = (make_runner(first), make_runner(second))
        saved: list[str] = []
        for number in range(15):
            for index, runner in enumerate(runners):
                runner.run(
                    locations.save_bin,
                    admin.id,
                    f"W{index}-{number:02d}",
                    on_done=lambda row: saved.append(row.code),
                )
        qtbot.waitUntil(lambda: len(saved) == 30, timeout=30_000)
        assert dialogs.errors == []
        assert len(first.read(locations.list_bins)) == 30
        for runner in runners:
            runner.shutdown()
    finally:
        first.dispose()
        second.dispose()
