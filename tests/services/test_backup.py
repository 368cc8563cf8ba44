"""Backups with SQLite's online API, rotation, and restore that refuses the wrong file."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from app.services import backup
from app.services.database import open_database, unit_of_work
from app.services.errors import DatabaseError
from tests import factories as f


def _skus(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT sku FROM item ORDER BY sku")]


def test_backup_then_restore_brings_back_the_old_content(sqlite_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sqlite_db) as s:
        p = f.places(s)
        f.item(s, p.user, "OLD")
    result = backup.backup_database(sqlite_db, tmp_path / "copy.db")
    assert result.size_bytes > 0 and _skus(result.path) == ["OLD"]
    with unit_of_work(sqlite_db) as s:
        f.item(s, p.user, "NEW")
    backup.restore_database(sqlite_db, result.path)
    reopened = open_database(sqlite_db.path)
    try:
        assert _skus(reopened.path) == ["OLD"]  # type: ignore[arg-type]
    finally:
        reopened.dispose()
    safety = list((sqlite_db.path.parent / "backups").glob("hylla-before-restore-*.db"))
    assert len(safety) == 1 and _skus(safety[0]) == ["NEW", "OLD"]


def test_restore_refuses_a_foreign_file_and_changes_nothing(sqlite_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sqlite_db) as s:
        p = f.places(s)
        f.item(s, p.user, "MINE")
    text_file = tmp_path / "notes.db"
    text_file.write_text("not a database")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE x (y)")
    with pytest.raises(DatabaseError, match="not a Hylla backup"):
        backup.restore_database(sqlite_db, text_file)
    with pytest.raises(DatabaseError, match="not a Hylla backup"):
        backup.restore_database(sqlite_db, other)
    with pytest.raises(DatabaseError, match="no backup file"):
        backup.restore_database(sqlite_db, tmp_path / "missing.db")
    assert _skus(sqlite_db.path) == ["MINE"]


def test_restore_refuses_a_backup_from_a_newer_version(sqlite_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    newer = backup.backup_database(sqlite_db, tmp_path / "newer.db").path
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(DatabaseError, match="newer version"):
        backup.restore_database(sqlite_db, newer)


def test_backup_refuses_the_database_itself_and_folders(sqlite_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DatabaseError, match="other than the database"):
        backup.backup_database(sqlite_db, sqlite_db.path)
    with pytest.raises(DatabaseError, match="is a folder"):
        backup.backup_database(sqlite_db, tmp_path)


def test_backup_never_writes_over_the_live_database_or_its_wal(sqlite_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sqlite_db) as s:
        p = f.places(s)
        f.item(s, p.user, "LIVE")
    live = sqlite_db.path
    wal = live.with_name(live.name + "-wal")
    wal_before = wal.read_bytes() if wal.exists() else None
    linked = tmp_path / "linked.db"
    linked.hardlink_to(live)
    for target in (live, wal, linked):
        with pytest.raises(DatabaseError, match="other than the database"):
            backup.backup_database(sqlite_db, target, overwrite=True)
    assert (wal.read_bytes() if wal.exists() else None) == wal_before
    assert _skus(live) == ["LIVE"]


def test_backup_keeps_an_existing_file_unless_told_to_replace_it(sqlite_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "monday.db"
    target.write_bytes(b"last week's backup")
    with pytest.raises(DatabaseError, match="already exists and was left as it is"):
        backup.backup_database(sqlite_db, target, overwrite=False)
    assert target.read_bytes() == b"last week's backup"
    assert not target.with_name("monday.db.partial").exists()
    result = backup.backup_database(sqlite_db, target, overwrite=True)
    assert result.path == target and target.read_bytes()[:16] == b"SQLite format 3\x00"


def test_daily_backup_once_a_day_and_rotated(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    start = dt.date(2026, 1, 1)
    for day in range(60):
        backup.daily_backup(sqlite_db, start + dt.timedelta(days=day))
    assert backup.daily_backup(sqlite_db, start + dt.timedelta(days=59)) is None
    kept = sorted(p.name for p in (sqlite_db.path.parent / "backups").glob("hylla-daily-*.db"))
    assert len(kept) <= backup.KEEP_DAILY + backup.KEEP_WEEKLY
    assert kept[-1] == "hylla-daily-2026-03-01.db"
    assert "hylla-daily-2026-02-23.db" in kept  # the last 7 days are all there
    assert all(name >= "hylla-daily-2026-01-" for name in kept)


@pytest.mark.postgres
def test_postgres_backups_are_pointed_to_pg_dump(postgres_url: str, tmp_path: Path) -> None:
    db = open_database(postgres_url)
    try:
        with pytest.raises(DatabaseError, match="pg_dump"):
            backup.backup_database(db, tmp_path / "x.db")
        assert backup.daily_backup(db) is None
    finally:
        db.dispose()


def test_databases_sharing_a_folder_keep_their_backups_apart(sqlite_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Found on the Database page: a second database in the same folder showed (and its
    # daily backup was skipped because of) the first one's "hylla-daily-<today>.db".
    other = open_database(f"sqlite:///{sqlite_db.path.parent / 'lager2.db'}")
    try:
        day = dt.date(2026, 3, 1)
        mine = backup.daily_backup(sqlite_db, day)
        theirs = backup.daily_backup(other, day)
        assert mine is not None and theirs is not None
        assert (mine.path.name, theirs.path.name) == (
            "hylla-daily-2026-03-01.db",
            "lager2-daily-2026-03-01.db",
        )
        assert [b.path.name for b in backup.database_status(other).backups] == [
            "lager2-daily-2026-03-01.db"
        ]
        assert [b.path.name for b in backup.list_backups(sqlite_db.path)] == [
            "hylla-daily-2026-03-01.db"
        ]
        # Rotating one database's dailies never removes the other's.
        for n in range(1, 60):
            backup.daily_backup(other, day + dt.timedelta(days=n))
        assert mine.path.exists()
    finally:
        other.dispose()


def _damage(path: Path) -> None:
    """Overwrite pages in the middle of the file, leaving its header and schema alone."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    assert pages > 20
    with path.open("r+b") as file:
        for n in range(pages // 2, pages - 2):
            file.seek(n * page)
            file.write(b"\xde\xad\xbe\xef" * (page // 4))


def test_a_damaged_database_is_never_backed_up_over_good_backups(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    # SQLite's online backup copies damaged pages as they are: without a check, the
    # damaged copies would push the good ones out of the rotation within a week.
    good = backup.daily_backup(sqlite_db, dt.date(2026, 3, 1))
    assert good is not None
    sqlite_db.dispose()
    _damage(sqlite_db.path)
    with pytest.raises(DatabaseError, match="is damaged") as caught:
        backup.daily_backup(sqlite_db, dt.date(2026, 3, 2))
    assert caught.value.problem == "damaged"
    assert [b.path.name for b in backup.list_backups(sqlite_db.path)] == [good.path.name]
    assert not list(good.path.parent.glob("*.partial"))
    with sqlite3.connect(good.path) as conn:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"


def test_damage_met_while_working_is_explained_not_traced(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sqlite_db) as s:
        p = f.places(s)
        for n in range(400):
            f.item(s, p.user, f"SKU-{n:04d}")
    sqlite_db.dispose()
    db = open_database(f"sqlite:///{sqlite_db.path}")
    db.engine.dispose()  # the file is damaged after it was opened, while at work
    _damage(sqlite_db.path)
    try:
        with pytest.raises(DatabaseError, match="is damaged: SQLite cannot read") as caught:
            with unit_of_work(db, read_only=True) as s:
                s.execute(text("SELECT count(*), max(name) FROM item")).all()
        assert caught.value.problem == "damaged"
        assert "restore the newest backup" in caught.value.message
    finally:
        db.dispose()


def test_a_damaged_database_can_be_restored_and_its_bytes_are_kept_aside(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sqlite_db) as s:
        p = f.places(s)
        for n in range(400):
            f.item(s, p.user, f"SKU-{n:04d}")
    good = backup.daily_backup(sqlite_db, dt.date(2026, 3, 1))
    assert good is not None
    sqlite_db.dispose()
    _damage(sqlite_db.path)
    # The safety copy cannot be made through SQLite: the damaged bytes go aside instead
    # of the restore being refused (which would leave the user stuck with the damage).
    backup.restore_database(sqlite_db, good.path)
    assert len(_skus(sqlite_db.path)) == 400
    with sqlite3.connect(sqlite_db.path) as conn:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    (aside,) = (
        p for p in good.path.parent.glob("hylla.db.damaged-*") if not p.name.endswith("-wal")
    )
    assert aside.stat().st_size > 0
    assert [b.path.name for b in backup.list_backups(sqlite_db.path)] == [good.path.name]
    assert [c.path for c in backup.list_damaged_copies(sqlite_db.path)] == [aside]
