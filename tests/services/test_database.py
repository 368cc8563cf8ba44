"""Opening databases: creation, SQLite settings, refusals with clear messages, migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from app.services import database as database_module
from app.services.database import open_database, resolve_url, schema_head, unit_of_work
from app.services.errors import DatabaseError
from tests import factories as f


def test_a_new_file_is_created_migrated_and_configured(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "new.db"
    db = open_database(path)
    try:
        with unit_of_work(db) as s:
            assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert s.execute(text("PRAGMA busy_timeout")).scalar() == 15000
            version = s.execute(text("SELECT version_num FROM alembic_version")).scalar()
            assert version == schema_head()
            kinds = set(s.execute(text("SELECT kind FROM location")).scalars())
        assert kinds == {"supplier", "customer", "count-difference", "scrap", "opening"}
    finally:
        db.dispose()


def test_default_database_lives_in_the_data_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HYLLA_DATA_DIR", str(tmp_path))
    assert resolve_url(None) == "sqlite:///" + str(tmp_path / "hylla.db")
    monkeypatch.setenv("HYLLA_DATABASE_URL", "postgresql://u@h/db")
    assert resolve_url(None) == "postgresql+psycopg://u@h/db"


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("hello, this is a text file, not a database at all")
    with pytest.raises(DatabaseError, match="not a Hylla database"):
        open_database(path)
    assert path.read_text().startswith("hello")


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="is a folder"):
        open_database(tmp_path)


def test_a_foreign_sqlite_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(DatabaseError, match="not a Hylla database"):
        open_database(path)
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
    assert tables == ["customers"]


def test_a_database_from_a_newer_version_is_refused(sqlite_url: str) -> None:
    with sqlite3.connect(sqlite_url) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(DatabaseError, match="newer version of Hylla"):
        open_database(sqlite_url)


def test_a_corrupt_file_gets_a_clear_message(tmp_path: Path, sqlite_template: Path) -> None:
    path = tmp_path / "broken.db"
    data = bytearray(sqlite_template.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseError, match="damaged|not a Hylla database"):
        open_database(path)


def test_an_unreachable_server_gets_a_clear_message() -> None:
    with pytest.raises(DatabaseError, match="Cannot reach the database server"):
        open_database("postgresql://nobody@127.0.0.1:9/none?connect_timeout=2")


def test_an_older_schema_is_backed_up_then_upgraded(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    db = open_database(sqlite_url)
    with unit_of_work(db) as s:
        p = f.places(s)
        f.item(s, p.user, "KEEP-ME")
    db.dispose()
    upgraded: list[str] = []
    # A revision newer than the file's, whatever the newest real one is.
    known = database_module.known_revisions() | {"9999_next"}
    monkeypatch.setattr(database_module, "schema_head", lambda: "9999_next")
    monkeypatch.setattr(database_module, "known_revisions", lambda: known)
    monkeypatch.setattr(database_module, "upgrade", lambda d: upgraded.append(d.url))
    open_database(sqlite_url).dispose()
    assert upgraded
    backups = list((Path(sqlite_url).parent / "backups").glob("hylla-before-upgrade-*.db"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("SELECT sku FROM item").fetchall() == [("KEEP-ME",)]


def test_a_read_only_database_file_gets_a_clear_message_on_write(sqlite_url: str) -> None:
    import os

    if os.geteuid() == 0:
        # root writes through file permissions; use SQLite's own read-only mode instead.
        db = open_database("sqlite:///file:" + sqlite_url + "?mode=ro&uri=true", migrate=False)
    else:
        os.chmod(sqlite_url, 0o444)
        db = open_database(sqlite_url, migrate=False)
    try:
        with pytest.raises(DatabaseError, match="read-only"):
            with unit_of_work(db) as s:
                f.places(s)
    finally:
        db.dispose()


def test_a_busy_database_gets_a_clear_message(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database_module, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(sqlite_url, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    db = open_database(sqlite_url, migrate=False)
    try:
        with pytest.raises(DatabaseError, match="busy"):
            with unit_of_work(db) as s:
                f.places(s)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        db.dispose()


def test_reading_does_not_wait_for_a_writer(sqlite_url: str) -> None:
    db = open_database(sqlite_url)
    with unit_of_work(db) as s:
        f.places(s)
    holder = sqlite3.connect(sqlite_url, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        from app.services.locations import list_bins

        assert [b.code for b in db.read(list_bins)] == ["A-01-01", "A-01-02"]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        db.dispose()
