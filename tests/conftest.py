"""Shared fixtures: a fresh database per test on SQLite and on a real PostgreSQL.

PostgreSQL comes from ``HYLLA_TEST_POSTGRES_URL`` (``make test`` starts a private
server). Without it the PostgreSQL variants skip, unless ``HYLLA_REQUIRE_POSTGRES=1``
(CI), where they fail: CI must never pass with PostgreSQL untested.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HYLLA_LANG"] = "en"

from app import i18n  # noqa: E402
from app.services.database import Database, open_database  # noqa: E402

i18n.set_language("en")

PG_URL = os.environ.get("HYLLA_TEST_POSTGRES_URL", "")
REQUIRE_PG = os.environ.get("HYLLA_REQUIRE_POSTGRES") == "1"


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the real user's data directory."""
    monkeypatch.setenv("HYLLA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("HYLLA_DATABASE_URL", raising=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated empty SQLite database, copied for each test (migrating is slower)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    open_database(path).dispose()
    return path


class PostgresServer:
    """Creates throw-away databases on the test server from a migrated template."""

    def __init__(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        self.base = make_url(url).set(drivername="postgresql+psycopg")
        # Per process: concurrent pytest runs on one server must not drop each other's template.
        self.template = f"hylla_tpl_{_worker()}_{os.getpid()}"
        self._ready = False

    def _admin(self):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(
            host=self.base.host or "127.0.0.1",
            port=self.base.port or 5432,
            user=self.base.username or "postgres",
            password=self.base.password,
            dbname="postgres",
            autocommit=True,
        )

    def url_for(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def prepare(self) -> None:
        if self._ready:
            return
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.template}"')
        open_database(self.url_for(self.template)).dispose()
        self._ready = True

    def create(self) -> str:
        self.prepare()
        name = f"hylla_t_{_worker()}_{uuid.uuid4().hex[:10]}"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    def drop(self, name: str) -> None:
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | None]:
    if not PG_URL:
        yield None
        return
    server = PostgresServer(PG_URL)
    try:
        server.prepare()
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL required but unusable at {PG_URL}: {exc}", pytrace=False)
        yield None
        return
    yield server
    with server._admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{server.template}" WITH (FORCE)')


def _need_postgres(server: PostgresServer | None) -> PostgresServer:
    if server is None:
        if REQUIRE_PG:
            pytest.fail(
                "HYLLA_REQUIRE_POSTGRES=1 but HYLLA_TEST_POSTGRES_URL is unset "
                "or the server is unreachable",
                pytrace=False,
            )
        pytest.skip("PostgreSQL not configured (set HYLLA_TEST_POSTGRES_URL)")
    return server


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A fresh migrated SQLite file for this test; returned as its path."""
    path = tmp_path / "hylla.db"
    shutil.copyfile(sqlite_template, path)
    return str(path)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer | None) -> Iterator[str]:
    """A fresh migrated PostgreSQL database for this test."""
    server = _need_postgres(postgres_server)
    name = server.create()
    yield server.url_for(name)
    server.drop(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """An open fresh database, on both engines."""
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(sqlite_url: str) -> Iterator[Database]:
    """An open fresh SQLite database, for tests where the engine does not matter."""
    database = open_database(sqlite_url)
    yield database
    database.dispose()
