"""The Start page's first read of the day: what makes it fast must leave every figure as
it was.

* The year of moves for the turnover is read from the period index (migration 0009),
  which only that read opts in to; later reads add the new moves found by id; the
  reports keep their own index.
* The virtual locations are tested as runs of ids: any set of ids, runs or not, selects
  what ``IN`` selects.
* A tile with nothing to show does not load its feature's service: a fresh process
  reading the page of a quiet warehouse imports neither counting, receiving nor
  write-downs; one with a delivery being received does load receiving.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from app.models import Base, Location, StockMove
from app.services import abc_classes, dashboard, receiving, valuation, write_downs
from app.services.dashboard import StockValue
from app.services.database import Database, _alembic_config, open_database, unit_of_work
from app.services.suppliers import SupplierInput, save_supplier
from tests import factories as f

D = Decimal
TODAY = dt.date.today()
PERIOD_INDEX = "ix_stock_move_period"


def _statements(
    db: Database, *calls: Callable[[Session], object], wanted: str = "moved_at >="
) -> list[tuple[str, Any]]:
    """The statements the calls run on ``stock_move`` that contain ``wanted``, with
    SQLite's plan of each."""
    seen: list[tuple[str, Any]] = []
    with unit_of_work(db, read_only=True) as s:
        connection = s.connection()

        def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            seen.append((statement, parameters))

        event.listen(connection, "before_cursor_execute", record)
        for call in calls:
            call(s)
        event.remove(connection, "before_cursor_execute", record)
        raw = connection.connection.dbapi_connection
        assert raw is not None
        return [
            (sql, " / ".join(row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + sql, params)))
            for sql, params in seen
            if "FROM stock_move" in sql and wanted in sql
        ]


def _a_year_of_moves(db: Database) -> f.Places:
    with unit_of_work(db) as s:
        p = f.places(s)
        item = f.item(s, p.user, "KAFFE").id
        f.receive(s, p, item, "10", "30")
        f.issue(s, p, item, "4")
    return p


def test_the_years_moves_come_from_the_period_index_and_later_ones_by_id(
    sqlite_db: Database,
) -> None:
    p = _a_year_of_moves(sqlite_db)
    dashboard._FLOWS.clear()
    first = _statements(sqlite_db, lambda s: dashboard._stock_value(s, TODAY))
    assert len(first) == 1 and f"COVERING INDEX {PERIOD_INDEX}" in first[0][1]
    with unit_of_work(sqlite_db) as s:
        f.receive(s, p, f.item(s, p.user, "TE").id, "5", "20")
    later = _statements(sqlite_db, lambda s: dashboard._stock_value(s, TODAY))
    assert len(later) == 1 and "INTEGER PRIMARY KEY (rowid>?)" in later[0][1]
    assert PERIOD_INDEX not in later[0][1]
    figures = sqlite_db.read(dashboard.read_dashboard, TODAY).stock_value
    assert isinstance(figures, StockValue)
    # 6 @ 30 + 5 @ 20 now; COGS 4 @ 30.
    assert (figures.value, figures.cogs) == (D(280), D(120))


def test_the_reports_do_not_wander_onto_the_period_index(sqlite_db: Database) -> None:
    """Queries on a period that group by item stream from ix_stock_move_report (0008);
    the period index is partial on a condition only the Start page states. (Were it not,
    the ABC classes' year of issues would take it, then look up every move's row.)"""
    _a_year_of_moves(sqlite_db)
    since = TODAY - dt.timedelta(days=30)
    plans = _statements(
        sqlite_db,
        lambda s: valuation.period_figures(s, since, TODAY),
        lambda s: valuation.valuation_as_of(s, since),
        lambda s: abc_classes.consumption_values(s, TODAY),
        wanted="stock_move.moved_at",
    )
    assert len(plans) >= 3, "the reports read moves of a period"
    assert not [sql for sql, plan in plans if PERIOD_INDEX in plan]


def test_the_period_index_matches_the_model_and_downgrades(db: Database) -> None:
    def indexes() -> set[str]:
        return {index["name"] or "" for index in inspect(db.engine).get_indexes("stock_move")}

    assert PERIOD_INDEX in indexes()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    assert [d for d in diffs if PERIOD_INDEX in repr(d)] == []
    with db.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0008")
    assert PERIOD_INDEX not in indexes()
    # Without the index the same figures come from a scan.
    _a_year_of_moves(db)
    dashboard._FLOWS.clear()
    without = db.read(dashboard.read_dashboard, TODAY).stock_value
    with db.engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")
    assert PERIOD_INDEX in indexes()
    dashboard._FLOWS.clear()
    assert db.read(dashboard.read_dashboard, TODAY).stock_value == without
    assert isinstance(without, StockValue) and without.cogs == D(120)


@pytest.mark.parametrize(
    "ids",
    [[], [3], [1, 2, 3], [5, 1, 2, 9, 10, 11, 7], [2, 2, 4]],
    ids=["none", "one", "a-run", "runs-and-singles", "repeated"],
)
def test_locations_as_runs_of_ids_select_what_in_selects(db: Database, ids: list[int]) -> None:
    with unit_of_work(db) as s:
        f.places(s, n_bins=12)
    with unit_of_work(db, read_only=True) as s:
        assert s.scalar(select(Location.id).where(Location.id == max(ids, default=0)).limit(1)) or (
            not ids
        )
        by_runs = s.scalars(select(Location.id).where(dashboard._among(Location.id, ids))).all()
        by_in = s.scalars(select(Location.id).where(Location.id.in_(ids or [-1]))).all()
        assert sorted(by_runs) == sorted(by_in) == sorted(set(ids))


def test_the_expiry_setting_is_the_write_downs_own() -> None:
    # The Start page reads the setting itself when it is not set (to not load write-downs).
    assert dashboard.EXPIRY_DAYS_SETTING == write_downs.EXPIRY_DAYS_SETTING
    assert dashboard.DEFAULT_EXPIRY_DAYS == int(write_downs.DEFAULT_EXPIRY_DAYS)


def test_a_set_expiry_setting_is_read_by_the_write_downs(db: Database) -> None:
    with unit_of_work(db) as s:
        write_downs_setting = dashboard.EXPIRY_DAYS_SETTING
        from app.services import settings

        settings.set_setting(s, write_downs_setting, " 12 ")
    expiring = db.read(dashboard.read_dashboard, TODAY).expiring
    assert not isinstance(expiring, dashboard.Unavailable) and expiring.within_days == 12


_CHILD = """
import json, sys
from app.services import dashboard
from app.services.database import open_database
db = open_database(sys.argv[1])
board = db.read(dashboard.read_dashboard)
loaded = [name for name in sys.argv[2:] if name in sys.modules]
print(json.dumps({"loaded": loaded, "receipts": board.receipts.receipts}))
"""
HEAVY = ["app.services.counting", "app.services.receiving", "app.services.write_downs"]


def _first_read_in_a_fresh_process(path: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), *HEAVY],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_a_quiet_warehouses_first_read_loads_no_feature_it_need_not(tmp_path: Path) -> None:
    path = tmp_path / "quiet.db"
    db = open_database(path)
    try:
        with unit_of_work(db) as s:
            p = f.places(s)
            item = f.item(s, p.user, "KAFFE").id
            f.receive(s, p, item, "10", "30")
            assert s.scalar(select(StockMove.id).limit(1)) is not None
    finally:
        db.dispose()
    assert _first_read_in_a_fresh_process(path) == {"loaded": [], "receipts": 0}
    db = open_database(path)
    try:
        with unit_of_work(db) as s:
            user = p.user
            supplier = save_supplier(s, user, SupplierInput(code="NORD", name="Nord AB")).id
            receiving.start_receipt(s, user, supplier_id=supplier)
    finally:
        db.dispose()
    assert _first_read_in_a_fresh_process(path) == {
        "loaded": ["app.services.receiving"],
        "receipts": 1,
    }
