"""Backups of a SQLite database with SQLite's online backup API, and restore.

A backup is a complete, consistent SQLite file taken while Hylla may be writing.
Automatic backups live beside the database in ``backups/`` and are rotated.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.i18n import _
from app.models import Role
from app.services.auth import require_role
from app.services.database import (
    SQLITE_MAGIC,
    Database,
    current_revision,
    known_revisions,
    schema_head,
    timestamp,
)
from app.services.errors import DatabaseError
from app.services.users import UserId, record_audit

log = logging.getLogger(__name__)

KEEP_DAILY = 7
KEEP_WEEKLY = 4
REQUIRED_TABLES = {"item", "location", "stock_move", "stock_level", "alembic_version"}


@dataclass(frozen=True)
class BackupResult:
    """A finished backup."""

    path: Path
    size_bytes: int


def _require_sqlite(db: Database) -> Path:
    if not db.is_sqlite or db.path is None:
        raise DatabaseError(
            _(
                "Backups from Hylla are for SQLite databases. "
                "Back up a PostgreSQL server with pg_dump."
            )
        )
    return db.path


def backup_dir_for(db: Database) -> Path:
    """The folder of automatic backups for this database."""
    return backup_folder_of(_require_sqlite(db))


# Several databases may share a folder (and so its backups folder): each backup's name
# starts with its database's file name, and only those count as its backups.
BACKUP_KINDS = ("daily", "before-upgrade", "before-restore", "manual")


def _name(db: Database, kind: str, stamp: str) -> str:
    return f"{_require_sqlite(db).stem}-{kind}-{stamp}.db"


def is_backup_of(database: Path, backup: Path) -> bool:
    """Whether ``backup`` is named as one of Hylla's backups of ``database``."""
    return backup.suffix == ".db" and any(
        backup.name.startswith(f"{database.stem}-{kind}-") for kind in BACKUP_KINDS
    )


class DamagedSourceError(Exception):
    """The copy of the database failed SQLite's check: the database itself is damaged."""


def _copy_online(source: Path, destination: Path) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=15)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
            # The online backup copies pages as they are, damaged ones too: a copy that
            # fails the check must never become a backup (nor push a good one out of the
            # rotation).
            verdict = [row[0] for row in dst.execute("PRAGMA quick_check(5)")]
        finally:
            dst.close()
    finally:
        src.close()
    if verdict != ["ok"]:
        partial.unlink(missing_ok=True)
        raise DamagedSourceError("; ".join(str(v) for v in verdict))
    partial.replace(destination)


def _is_live_file(source: Path, destination: Path) -> bool:
    """Whether writing ``destination`` would overwrite the database ``source`` itself or
    one of SQLite's files beside it (its write-ahead log, shared memory or journal)."""
    live = [source] + [source.with_name(source.name + end) for end in ("-wal", "-shm", "-journal")]
    if destination in live:
        return True
    # Another name for the same file (a hard link) would overwrite it just the same.
    try:
        return destination.exists() and source.exists() and destination.samefile(source)
    except OSError:
        return False


def backup_database(db: Database, destination: Path, *, overwrite: bool = True) -> BackupResult:
    """Write a consistent copy of the database to ``destination``.

    An existing file there is replaced only when ``overwrite`` is true (the automatic
    backups and the window's save dialog, which has asked); the command line passes
    false unless told ``--force``. The live database is never overwritten."""
    source = _require_sqlite(db)
    destination = destination.expanduser().resolve()
    if _is_live_file(source, destination):
        raise DatabaseError(_("Choose a backup file other than the database itself."))
    if not overwrite and destination.is_file():
        raise DatabaseError(
            _(
                "{path} already exists and was left as it is. Name a new backup file, "
                "or add --force to replace it."
            ).format(path=destination)
        )
    if destination.is_dir():
        raise DatabaseError(
            _("{path} is a folder. Name the backup file, e.g. hylla-backup.db.").format(
                path=destination
            )
        )
    try:
        try:
            _copy_online(source, destination)
        except sqlite3.DatabaseError as exc:
            text = str(exc).lower()
            if "malformed" not in text and "not a database" not in text:
                raise
            destination.with_name(destination.name + ".partial").unlink(missing_ok=True)
            raise DamagedSourceError(str(exc)) from exc
    except DamagedSourceError as exc:
        log.error("the backup of %s found damage: %s", source, exc)
        raise DatabaseError(
            _(
                "{path} is damaged: SQLite's check of the copy found faults. "
                "No backup was written, and the earlier backups are kept. Stop working in "
                "this database, quit Hylla and restore the newest good backup (Database "
                "page → Restore…, or python main.py restore FILE)."
            ).format(path=source),
            problem="damaged",
        ) from exc
    except (sqlite3.Error, OSError) as exc:
        raise DatabaseError(
            _("The backup to {path} failed: {reason}").format(path=destination, reason=exc)
        ) from exc
    return BackupResult(destination, destination.stat().st_size)


def backup_before_migration(db: Database, folder: Path | None = None) -> BackupResult:
    """The automatic backup taken before the schema is changed."""
    folder = folder or backup_dir_for(db)
    return backup_database(db, folder / _name(db, "before-upgrade", timestamp()))


def daily_backup(db: Database, today: dt.date | None = None) -> BackupResult | None:
    """Take today's automatic backup unless it exists; rotate old ones. None if skipped."""
    if not db.is_sqlite or db.path is None or not db.path.exists():
        return None
    today = today or dt.date.today()
    folder = backup_dir_for(db)
    target = folder / _name(db, "daily", today.isoformat())
    if target.exists():
        return None
    result = backup_database(db, target)
    rotate_backups(folder, today, db.path.stem)
    return result


def rotate_backups(folder: Path, today: dt.date, stem: str = "hylla") -> list[Path]:
    """Keep the newest daily backups of the database named ``stem`` and one a week for
    some weeks; return what went. Other databases' backups are left alone."""
    dated: list[tuple[dt.date, Path]] = []
    prefix = f"{stem}-daily-"
    for path in folder.glob(f"{prefix}*.db"):
        try:
            dated.append((dt.date.fromisoformat(path.stem.removeprefix(prefix)), path))
        except ValueError:
            continue
    dated.sort(reverse=True)
    keep = {path for _day, path in dated[:KEEP_DAILY]}
    weeks: set[tuple[int, int]] = set()
    for day, path in dated:
        week = day.isocalendar()[:2]
        if week not in weeks and len(weeks) < KEEP_WEEKLY and (today - day).days < 7 * 6:
            weeks.add(week)
            keep.add(path)
    removed = [path for _day, path in dated if path not in keep]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def check_backup_file(path: Path) -> str:
    """Check that ``path`` is a Hylla backup this version can open; return its revision."""
    if not path.is_file():
        raise DatabaseError(_("There is no backup file at {path}.").format(path=path))
    with path.open("rb") as fh:
        if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise DatabaseError(
                _("{path} is not a Hylla backup (it is not a SQLite file).").format(path=path)
            )
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise DatabaseError(
                    _("{path} is damaged; choose another backup.").format(path=path)
                )
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if not REQUIRED_TABLES <= tables:
                raise DatabaseError(
                    _("{path} is a SQLite file but not a Hylla backup.").format(path=path)
                )
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(
            _("{path} is damaged; choose another backup ({reason}).").format(path=path, reason=exc)
        ) from exc
    revision = row[0] if row else None
    if revision not in known_revisions():
        raise DatabaseError(
            _(
                "{path} was made by a newer version of Hylla. Update Hylla before restoring it."
            ).format(path=path)
        )
    return str(revision)


# A damaged database's bytes, kept in its backups folder as they were: never listed or
# offered as a backup, never deleted by Hylla (the Database page lists them apart).
DAMAGED_MARK = ".damaged-"


def _damaged_copy_path(target: Path) -> Path:
    """Where the damaged database ``target`` is kept aside (its backups folder, created)."""
    folder = backup_folder_of(target)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{target.name}{DAMAGED_MARK}{timestamp()}"


def _keep_damaged_copy(target: Path) -> Path:
    try:
        aside = _damaged_copy_path(target)
        for suffix in ("", "-wal"):
            part = target.with_name(target.name + suffix)
            if part.exists():
                shutil.copy2(part, aside.with_name(aside.name + suffix))
    except OSError as exc:
        raise DatabaseError(
            _(
                "The damaged database could not be kept aside, so nothing was restored: {reason}"
            ).format(reason=exc)
        ) from exc
    return aside


def restore_database(db: Database, source: Path) -> BackupResult:
    """Replace the database's content with the backup at ``source``.

    The current content is backed up first, so a restore can itself be undone.
    The caller reopens the database afterwards (it may need migrating).
    """
    target = _require_sqlite(db)
    source = source.expanduser().resolve()
    check_backup_file(source)
    if target.exists():
        try:
            backup_database(db, backup_dir_for(db) / _name(db, "before-restore", timestamp()))
        except DatabaseError as exc:
            if exc.problem != "damaged":
                raise
            # SQLite cannot copy a damaged database, and refusing would leave the user
            # stuck with it: its bytes are kept aside as they are (never listed as a
            # backup), and the restore is what mends it.
            _keep_damaged_copy(target)
    db.dispose()
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(target, timeout=15)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise DatabaseError(
            _("The restore failed and nothing was changed: {reason}").format(reason=exc)
        ) from exc
    for suffix in ("-wal", "-shm"):
        leftover = target.with_name(target.name + suffix)
        if leftover.exists() and leftover.stat().st_size == 0:
            leftover.unlink(missing_ok=True)
    return BackupResult(target, target.stat().st_size)


# --- what the Database page shows, and its actions ------------------------------------------


@dataclass(frozen=True)
class BackupFile:
    """A backup file in the backups folder."""

    path: Path
    size_bytes: int
    modified: dt.datetime


@dataclass(frozen=True)
class DatabaseStatus:
    """Which database is in use, its schema, and its backups (SQLite only)."""

    is_sqlite: bool
    where: str
    revision: str | None
    head: str
    size_bytes: int | None
    backup_folder: Path | None
    backups: tuple[BackupFile, ...]
    # Damaged copies of this database kept aside by a restore, newest first.
    damaged_copies: tuple[BackupFile, ...] = ()

    @property
    def last_backup(self) -> BackupFile | None:
        """The newest backup, if any."""
        return self.backups[0] if self.backups else None


def backup_folder_of(path: Path) -> Path:
    """The folder of automatic backups of the SQLite file ``path``."""
    return path.parent / "backups"


def list_backups(database: Path) -> list[BackupFile]:
    """The backups of the SQLite file ``database`` in its backups folder, newest first
    (an unfinished copy is not one, nor another database's backup)."""
    return _files(backup_folder_of(database), "*.db", lambda path: is_backup_of(database, path))


def list_damaged_copies(database: Path) -> list[BackupFile]:
    """The damaged copies of ``database`` that restores kept aside, newest first (their
    ``-wal`` files go with them and are not listed)."""
    return _files(
        backup_folder_of(database),
        f"{database.name}{DAMAGED_MARK}*",
        lambda path: not path.name.endswith(("-wal", "-shm")),
    )


def _files(folder: Path, pattern: str, wanted: Callable[[Path], bool]) -> list[BackupFile]:
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob(pattern):
        if not wanted(path):
            continue
        try:
            stat = path.stat()
        except OSError:
            continue
        modified = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC)
        found.append(BackupFile(path, stat.st_size, modified))
    found.sort(key=lambda backup: (backup.modified, backup.path.name), reverse=True)
    return found


def database_status(db: Database) -> DatabaseStatus:
    """Where the data lives, its schema revision against this Hylla's, and the backups."""
    revision = current_revision(db.engine)
    if not db.is_sqlite or db.path is None:
        return DatabaseStatus(False, db.describe(), revision, schema_head(), None, None, ())
    size = sum(
        part.stat().st_size
        for part in (db.path, db.path.with_name(db.path.name + "-wal"))
        if part.exists()
    )
    return DatabaseStatus(
        True,
        db.describe(),
        revision,
        schema_head(),
        size,
        backup_folder_of(db.path),
        tuple(list_backups(db.path)),
        tuple(list_damaged_copies(db.path)),
    )


def backup_now(db: Database, user_id: int, destination: Path | None = None) -> BackupResult:
    """A backup by hand: into the backups folder (kept until removed: not rotated), or to
    ``destination``. It is in the audit trail."""
    target = destination or backup_dir_for(db) / _name(db, "manual", timestamp())
    result = backup_database(db, target)
    db.run(record_audit, UserId(user_id), "backup", "database", None, {"file": str(result.path)})
    return result


def restore_backup(db: Database, user_id: int, source: Path) -> BackupResult:
    """Restore ``source`` over the database, for an administrator (see
    :func:`restore_database`; the caller reopens the database afterwards).

    The restored database's audit trail then says who restored which file (by name: the
    user may not exist in the backup).
    """
    user = db.read(require_role, user_id, Role.ADMIN, _("restore a backup"))
    result = restore_database(db, source)
    db.run(
        record_audit,
        None,
        "restore",
        "database",
        None,
        {"file": str(source), "by": user.username},
    )
    return result


def replace_damaged_database(target: Path, source: Path) -> Path:
    """Move a damaged database file aside and put the backup ``source`` in its place.

    Returns where the damaged file now is (``backups/<name>.damaged-<time>``, listed on
    the Database page): it is never deleted. Its ``-wal`` and ``-shm`` files go with it,
    since they belong to it and would damage the restored file.
    """
    source = source.expanduser().resolve()
    check_backup_file(source)
    try:
        aside = _damaged_copy_path(target)
        if target.exists():
            target.replace(aside)
        for suffix in ("-wal", "-shm"):
            part = target.with_name(target.name + suffix)
            if part.exists():
                part.replace(aside.with_name(aside.name + suffix))
        _copy_online(source, target)
    except (sqlite3.Error, OSError) as exc:
        raise DatabaseError(
            _("The backup could not be put in place of {path}: {reason}").format(
                path=target, reason=exc
            )
        ) from exc
    return aside
