"""Opening the database: SQLite by default, PostgreSQL by URL; migrations; unit of work.

SQLite is configured as DESIGN.md asks: WAL, foreign keys, a busy timeout and
``BEGIN IMMEDIATE`` for write transactions (Python's sqlite3 would otherwise open
deferred transactions of its own, so its implicit handling is switched off).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import platformdirs
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.i18n import _
from app.services.errors import DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config

P = ParamSpec("P")
R = TypeVar("R")

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
VERSIONS_DIR = MIGRATIONS_DIR / "versions"
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 15_000
ENV_URL = "HYLLA_DATABASE_URL"


def data_dir() -> Path:
    """Where Hylla keeps the user's database and backups (platformdirs)."""
    override = os.environ.get("HYLLA_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir("Hylla", "Hylla"))


def default_database_path() -> Path:
    """The SQLite file used when no database is named."""
    return data_dir() / "hylla.db"


def resolve_url(target: str | os.PathLike[str] | None) -> str:
    """A SQLAlchemy URL for ``target``: a URL as is, a plain path as a SQLite file.

    ``None`` means ``HYLLA_DATABASE_URL`` if set, else the user's own SQLite file.
    """
    if target is None:
        target = os.environ.get(ENV_URL) or default_database_path()
    text = os.fspath(target)
    if "://" in text:
        url = make_url(text)
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)
    return "sqlite:///" + str(Path(text).expanduser().resolve())


@dataclass
class Database:
    """An open database: its engine and how to start a unit of work on it."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def is_sqlite(self) -> bool:
        """True for a local SQLite file."""
        return self.engine.dialect.name == "sqlite"

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None for a server database."""
        if not self.is_sqlite:
            return None
        database = make_url(self.url).database
        return Path(database) if database else None

    def describe(self) -> str:
        """Where the data lives, for people (never shows a password)."""
        if self.is_sqlite:
            return str(self.path)
        return make_url(self.url).render_as_string(hide_password=True)

    def run(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> R:
        """Run one service function as one transaction: ``fn(session, *args, **kwargs)``."""
        with unit_of_work(self) as session:
            return fn(session, *args, **kwargs)

    def read(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> R:
        """Run a service function that only reads; it never waits for a writer."""
        with unit_of_work(self, read_only=True) as session:
            return fn(session, *args, **kwargs)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


@contextlib.contextmanager
def unit_of_work(db: Database, *, read_only: bool = False) -> Iterator[Session]:
    """One user action: commits if the block ends normally, rolls back otherwise.

    ``read_only`` starts a plain (deferred) transaction on SQLite, so reading never
    queues behind another workstation's write, and never commits.
    """
    if read_only:
        session = Session(bind=db.engine.execution_options(hylla_read_only=True))
    else:
        session = db.sessions()
    try:
        if read_only:
            try:
                yield session
            finally:
                session.rollback()
        else:
            with session.begin():
                yield session
    except DBAPIError as exc:
        raise translate_db_error(exc, db) from exc
    finally:
        session.close()


def translate_db_error(exc: DBAPIError, db: Database) -> Exception:
    """A message a person can act on for the database failures people meet."""
    text = str(exc.orig) if exc.orig is not None else str(exc)
    lowered = text.lower()
    if "database is locked" in lowered or "database is busy" in lowered:
        return DatabaseError(
            _("The database is busy: another workstation is saving. Try again in a moment."),
            problem="busy",
        )
    if "malformed" in lowered or "file is not a database" in lowered:
        return DatabaseError(
            _(
                "The database {where} is damaged: SQLite cannot read part of it. Nothing was "
                "saved. Stop working in it, quit Hylla and restore the newest backup "
                "(Database page → Restore…, or python main.py restore FILE)."
            ).format(where=db.describe()),
            problem="damaged",
        )
    if "readonly" in lowered or "read-only" in lowered:
        return DatabaseError(
            _(
                "The database file {path} is read-only. Ask your administrator for write access."
            ).format(path=db.describe()),
            problem="read_only",
        )
    if "immutable" in lowered:
        if "receipt_event" in lowered or "stock_count_event" in lowered or "pick_event" in lowered:
            return DatabaseError(
                _("Saved scans cannot be changed or deleted; undo the scan instead.")
            )
        if "audit_event" in lowered:
            return DatabaseError(_("The audit trail cannot be changed or deleted."))
        if "cost_revaluation" in lowered:
            return DatabaseError(_("A posted write-down cannot be changed or deleted."))
        return DatabaseError(
            _("Stock moves cannot be changed or deleted; post a reversing move instead.")
        )
    return exc


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's begin event decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # SQLite's lower() folds ASCII only: searches that ignore case use this one, so
        # "Åsa" finds "åsa" as it does on PostgreSQL.
        dbapi_connection.create_function(
            "hylla_fold", 1, lambda v: v.casefold() if isinstance(v, str) else v, deterministic=True
        )
        if dbapi_connection.execute("PRAGMA database_list").fetchone()[2]:
            cursor.execute("PRAGMA journal_mode = WAL")
            # FULL makes each commit durable (fsync of the WAL), as a ledger should be.
            cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        if connection.get_execution_options().get("hylla_read_only"):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not a SQLite database, with a message that says what to do."""
    if path.is_dir():
        raise DatabaseError(
            _("{path} is a folder, not a database file. Choose a file name.").format(path=path),
            problem="folder",
        )
    if not path.exists():
        if not path.parent.exists():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(
                    _("Cannot create the folder {folder}: {reason}.").format(
                        folder=path.parent, reason=exc.strerror
                    ),
                    problem="missing",
                ) from exc
        return
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_MAGIC))
    except PermissionError as exc:
        raise DatabaseError(
            _("Hylla may not read {path}. Ask your administrator for access to the file.").format(
                path=path
            ),
            problem="no_access",
        ) from exc
    if header and header != SQLITE_MAGIC:
        raise DatabaseError(
            _(
                "{path} is not a Hylla database (it is not a SQLite file). "
                "Choose another file or restore a backup."
            ).format(path=path),
            problem="not_database",
        )
    if header:
        _refuse_foreign_sqlite(path)


def _refuse_foreign_sqlite(path: Path) -> None:
    """Refuse another program's SQLite file before Hylla's connection settings (WAL)
    change it. Read-only; a damaged or busy file is left to the opening to explain."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
        finally:
            connection.close()
    except sqlite3.Error:
        return
    if tables and "alembic_version" not in tables:
        raise DatabaseError(
            _(
                "{where} holds tables but is not a Hylla database. "
                "Choose another file or an empty database."
            ).format(where=path),
            problem="not_database",
        )


def create_db_engine(url: str) -> Engine:
    """An engine configured for Hylla's needs on either database."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


# Alembic (and the Mako templates it loads) is imported only when a migration is to run
# or a revision is not the newest: importing it and scanning the migration scripts costs
# a tenth of a second or more at every start, for a check that almost always finds the
# database up to date.


def _alembic_config(connection: Any) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


# ``revision = "0008"`` / ``down_revision = "0007"`` (or None) at the start of a line, with
# or without a type annotation, as the migration template writes them.
_REVISION_LINE = re.compile(
    r"^(?P<name>revision|down_revision)\s*(?::[^=\n]*)?=\s*"
    r"(?P<value>None|'[^'\n]*'|\"[^\"\n]*\")\s*$",
    re.MULTILINE,
)


@functools.cache
def _head_from_files() -> str | None:
    """The newest revision, read from the migration scripts' text without importing them;
    None when the scripts do not give one head plainly (alembic then decides).

    Each script must name its revision and the one before as plain literals, once, and
    the revisions must form one line from the first: anything else (a merge, a branch,
    an unreadable script) is left to alembic, so this can only ever agree with it.
    """
    down_of: dict[str, str | None] = {}
    try:
        scripts = sorted(VERSIONS_DIR.glob("*.py"))
        for script in scripts:
            if script.name.startswith("_"):
                continue
            found: dict[str, list[str | None]] = {"revision": [], "down_revision": []}
            for match in _REVISION_LINE.finditer(script.read_text(encoding="utf-8")):
                value = match["value"]
                found[match["name"]].append(None if value == "None" else value[1:-1])
            revisions, downs = found["revision"], found["down_revision"]
            if len(revisions) != 1 or len(downs) != 1 or not revisions[0]:
                return None
            revision = revisions[0]
            assert revision is not None
            if revision in down_of:
                return None
            down_of[revision] = downs[0]
    except OSError:
        return None
    heads = set(down_of) - {down for down in down_of.values() if down is not None}
    roots = [revision for revision, down in down_of.items() if down is None]
    if len(heads) != 1 or len(roots) != 1:
        return None
    # One line: walking down from the head reaches every script.
    (head,) = heads
    seen: set[str] = set()
    step: str | None = head
    while step is not None and step in down_of and step not in seen:
        seen.add(step)
        step = down_of[step]
    return head if step is None and len(seen) == len(down_of) else None


def schema_head() -> str:
    """The newest schema revision this version of Hylla knows."""
    head = _head_from_files()
    if head is not None:
        return head
    from alembic.script import ScriptDirectory

    found = ScriptDirectory.from_config(_alembic_config(None)).get_current_head()
    assert found is not None
    return found


def known_revisions() -> set[str]:
    """Every schema revision this version of Hylla knows."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(None))
    return {rev.revision for rev in script.walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The schema revision stored in the database, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.execution_options(hylla_read_only=True).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _stored_revision(engine: Engine) -> str | None:
    """:func:`current_revision` by one plain query: the ``alembic_version`` row, or None
    when there is no such table or row. Anything unusual (several rows) is left to
    alembic, which explains it."""
    with engine.execution_options(hylla_read_only=True).connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        rows = list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    if len(rows) > 1:
        return current_revision(engine)
    return str(rows[0]) if rows else None


def open_database(
    target: str | os.PathLike[str] | None = None,
    *,
    migrate: bool = True,
    backup_dir: Path | None = None,
) -> Database:
    """Open (and if needed create or upgrade) the database at ``target``.

    A SQLite file with data is backed up before a migration. A database written by a
    newer Hylla is refused, never opened, so it cannot be damaged by old code.
    """
    url = resolve_url(target)
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database.startswith("file:"):
            # A SQLite URI (e.g. mode=ro); check the file it names.
            database = database.removeprefix("file:").split("?")[0]
        if database and database != ":memory:":
            check_sqlite_file(Path(database))
    engine = create_db_engine(url)
    db = Database(url=url, engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
    try:
        revision = _stored_revision(engine)
        # Only a database without a revision can be another program's (see below).
        has_tables = revision is None and bool(
            inspect(engine.execution_options(hylla_read_only=True)).get_table_names()
        )
    except DBAPIError as exc:
        engine.dispose()
        raise _open_error(exc, db) from exc
    if revision == schema_head():
        return db  # up to date, as at almost every start: alembic is not needed
    if revision is not None and revision not in known_revisions():
        engine.dispose()
        raise DatabaseError(
            _(
                "{where} was made by a newer version of Hylla (schema {revision}). "
                "Update Hylla on this workstation before opening it."
            ).format(where=db.describe(), revision=revision),
            problem="newer",
        )
    if revision is None and has_tables:
        engine.dispose()
        raise DatabaseError(
            _(
                "{where} holds tables but is not a Hylla database. "
                "Choose another file or an empty database."
            ).format(where=db.describe()),
            problem="not_database",
        )
    if migrate:
        if revision is not None and db.is_sqlite and db.path is not None:
            from app.services.backup import backup_before_migration

            backup_before_migration(db, backup_dir)
        upgrade(db)
    return db


def _open_error(exc: DBAPIError, db: Database) -> Exception:
    text = str(exc.orig).lower() if exc.orig is not None else ""
    if "file is not a database" in text or "malformed" in text:
        return DatabaseError(
            _("{where} is damaged and cannot be opened. Restore the latest backup.").format(
                where=db.describe()
            ),
            problem="damaged",
        )
    if "unable to open" in text:
        return DatabaseError(
            _(
                "Cannot open {where}. Check that the folder exists and that you may write to it."
            ).format(where=db.describe()),
            problem="cannot_open",
        )
    if "connection" in text or "could not" in text or "password" in text:
        return DatabaseError(
            _("Cannot reach the database server {where}: {reason}").format(
                where=db.describe(), reason=str(exc.orig).strip().splitlines()[0]
            ),
            problem="server",
        )
    translated = translate_db_error(exc, db)
    return translated


def check_writable(db: Database) -> None:
    """Refuse, with ``problem="read_only"``, a SQLite database this process cannot write.

    Opening only reads, so a read-only file (or a folder where SQLite cannot make its
    ``-wal`` file) would otherwise be found out at the first save. Writing the header's
    ``user_version`` back unchanged proves that a write gets through.
    """
    if not db.is_sqlite:
        return
    with unit_of_work(db) as session:
        version = session.execute(text("PRAGMA user_version")).scalar_one()
        session.execute(text(f"PRAGMA user_version = {int(version)}"))


def upgrade(db: Database) -> None:
    """Bring the schema to the newest revision."""
    from alembic import command

    with db.engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")


def timestamp() -> str:
    """A file-name-safe local timestamp."""
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S")
