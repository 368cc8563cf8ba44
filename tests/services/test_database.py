"""Opening databases: creation, SQLite settings, refusals with clear messages, migrations."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from app.services import database as database_module
from app.services.database import (
    Database,
    open_database,
    resolve_url,
    schema_head,
    unit_of_work,
)
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


# --- the migration check at start ---------------------------------------------------------------


def _alembic_head() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(database_module._alembic_config(None)).get_current_head()


def test_the_head_read_from_the_migration_scripts_is_alembics() -> None:
    database_module._head_from_files.cache_clear()
    assert database_module._head_from_files() == _alembic_head()
    assert schema_head() == _alembic_head()
    assert schema_head() in database_module.known_revisions()


def _scripts(folder: Path, *revisions: tuple[str, str]) -> None:
    for name, text_of_script in revisions:
        (folder / f"{name}.py").write_text(text_of_script, encoding="utf-8")


@pytest.mark.parametrize(
    ("scripts", "head"),
    [
        (  # a plain line, with and without annotations, either quotes
            [
                ("a", 'revision = "0001"\ndown_revision = None\n'),
                ("b", "revision: str = '0002'\ndown_revision: str | None = '0001'\n"),
                ("c", 'revision = "0003"\ndown_revision = "0002"\n'),
            ],
            "0003",
        ),
        (  # a branch: two heads
            [
                ("a", 'revision = "0001"\ndown_revision = None\n'),
                ("b", 'revision = "0002"\ndown_revision = "0001"\n'),
                ("c", 'revision = "0003"\ndown_revision = "0001"\n'),
            ],
            None,
        ),
        (  # a merge names its parents as a tuple
            [
                ("a", 'revision = "0001"\ndown_revision = None\n'),
                ("b", 'revision = "0002"\ndown_revision = ("0001", "0009")\n'),
            ],
            None,
        ),
        (  # a script whose revision is computed
            [
                ("a", 'revision = "0001"\ndown_revision = None\n'),
                ("b", 'revision = "00" + "02"\ndown_revision = "0001"\n'),
            ],
            None,
        ),
        (  # a script that points below a missing one
            [
                ("a", 'revision = "0001"\ndown_revision = None\n'),
                ("c", 'revision = "0003"\ndown_revision = "0002"\n'),
            ],
            None,
        ),
        (  # the same revision twice
            [
                ("a", 'revision = "0001"\ndown_revision = None\n'),
                ("b", 'revision = "0002"\ndown_revision = "0001"\n'),
                ("c", 'revision = "0002"\ndown_revision = "0001"\n'),
            ],
            None,
        ),
    ],
    ids=["line", "branch", "merge", "computed", "gap", "twice"],
)
def test_scripts_that_do_not_plainly_give_one_head_are_left_to_alembic(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    scripts: list[tuple[str, str]],
    head: str | None,
) -> None:
    _scripts(tmp_path, *scripts, ("__init__", ""))
    monkeypatch.setattr(database_module, "VERSIONS_DIR", tmp_path)
    database_module._head_from_files.cache_clear()
    try:
        assert database_module._head_from_files() == head
    finally:
        database_module._head_from_files.cache_clear()


def test_the_stored_revision_is_read_as_alembic_reads_it(db: Database) -> None:
    stored = database_module._stored_revision(db.engine)
    assert stored == database_module.current_revision(db.engine) == schema_head()


def test_a_new_database_has_no_stored_revision(tmp_path: Path) -> None:
    db = open_database(tmp_path / "empty.db", migrate=False)
    try:
        assert database_module._stored_revision(db.engine) is None
        assert database_module.current_revision(db.engine) is None
    finally:
        db.dispose()


def test_an_up_to_date_database_opens_without_loading_alembic(sqlite_url: str) -> None:
    # Alembic and its templates cost a tenth of a second at every start; an up-to-date
    # database (nearly every start) must not need them.
    probe = (
        "import sys\n"
        "from app.services.database import open_database\n"
        f"open_database({sqlite_url!r}).dispose()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    assert done.stdout.strip() == "[]"


def test_an_older_database_is_still_upgraded_by_alembic(sqlite_url: str) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory

    head = schema_head()
    script = ScriptDirectory.from_config(database_module._alembic_config(None))
    previous = script.get_revision(head).down_revision
    assert isinstance(previous, str)
    db = open_database(sqlite_url)
    try:
        with db.engine.begin() as connection:
            command.downgrade(database_module._alembic_config(connection), previous)
        assert database_module._stored_revision(db.engine) == previous
    finally:
        db.dispose()
    reopened = open_database(sqlite_url)
    try:
        assert database_module._stored_revision(reopened.engine) == head
    finally:
        reopened.dispose()
