"""The demo warehouse the report tests read, built once per test process and engine.

Building the demo takes seconds; every report test only reads, so one database per
engine (SQLite file, and a PostgreSQL database when configured) serves them all.
The fixture is ``demo_db``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services import demo, users
from app.services.database import Database, open_database, unit_of_work
from tests.conftest import PostgresServer, _need_postgres

# The demo's "today": reports up to this day are about the past, whatever the date.
DEMO_TODAY = dt.date(2026, 6, 15)
DEMO_SCALE = 0.25
YEAR_START = DEMO_TODAY - dt.timedelta(days=364)


def build_demo(db: Database) -> None:
    """Fill ``db`` with the demo warehouse of ``DEMO_TODAY``; our company's name is one
    that must print literally."""
    from app.services.settings import set_setting

    with unit_of_work(db) as s:
        user = users.workstation_user(s, "demo")
        demo.create_demo(s, user.id, seed=11, today=DEMO_TODAY, scale=DEMO_SCALE)
        set_setting(s, "company_name", "<b>Fish & Chips</b> AB")


@pytest.fixture(scope="session")
def _demo_sqlite(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    import shutil

    path = tmp_path_factory.mktemp("report-demo") / "demo.db"
    shutil.copyfile(sqlite_template, path)
    db = open_database(path)
    try:
        build_demo(db)
    finally:
        db.dispose()
    return path


@pytest.fixture(scope="session")
def _demo_postgres(postgres_server: PostgresServer | None) -> Iterator[str]:
    server = _need_postgres(postgres_server)
    name = server.create()
    url = server.url_for(name)
    db = open_database(url)
    try:
        build_demo(db)
    finally:
        db.dispose()
    yield url
    server.drop(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def demo_db(request: pytest.FixtureRequest) -> Iterator[Database]:
    """The demo warehouse on SQLite and on PostgreSQL (read only, shared)."""
    if request.param == "sqlite":
        target = str(request.getfixturevalue("_demo_sqlite"))
    else:
        target = str(request.getfixturevalue("_demo_postgres"))
    db = open_database(target)
    yield db
    db.dispose()
