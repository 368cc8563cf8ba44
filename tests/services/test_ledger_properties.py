"""Property test: any sequence of postings keeps the ledger's invariants.

After every step: cached levels == sum of moves per bin and lot, FIFO layers minus the
shortfall == on hand, the weighted average is never negative, and no bin is negative
unless the item allows it. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import shutil
import uuid
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from app.models import CostLayer, Item, Location, LocationKind, MoveKind, StockLevel, StockMove
from app.services import ledger, lots
from app.services import settings as app_settings
from app.services.database import Database, open_database, unit_of_work
from app.services.errors import StockError
from tests import factories as f

QUANTITIES = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("50"), places=3)
COSTS = st.decimals(min_value=Decimal("0"), max_value=Decimal("999"), places=4)


def check_invariants(db: Database) -> None:
    """Assert every ledger invariant against the database as it is."""
    with unit_of_work(db) as s:
        internal = set(s.scalars(select(Location.id).where(Location.kind == LocationKind.INTERNAL)))
        expected: dict[tuple[int, int, int], Decimal] = defaultdict(Decimal)
        for item_id, lot_id, qty, src, dst in s.execute(
            select(
                StockMove.item_id,
                StockMove.lot_id,
                StockMove.quantity,
                StockMove.from_location_id,
                StockMove.to_location_id,
            )
        ):
            if src in internal:
                expected[(item_id, src, lot_id or 0)] -= qty
            if dst in internal:
                expected[(item_id, dst, lot_id or 0)] += qty
        cached = {
            (row.item_id, row.location_id, row.lot_key): row.quantity
            for row in s.execute(select(StockLevel)).scalars()
        }
        assert {k: v for k, v in cached.items() if v} == {k: v for k, v in expected.items() if v}
        for item in s.scalars(select(Item)):
            on_hand = sum((q for (i, _loc, _lot), q in cached.items() if i == item.id), Decimal(0))
            layers = s.scalar(
                select(func.coalesce(func.sum(CostLayer.remaining), 0)).where(
                    CostLayer.item_id == item.id
                )
            )
            assert Decimal(layers) - item.fifo_shortfall == on_hand
            assert item.fifo_shortfall == 0 or layers == 0
            assert item.avg_cost >= 0
            if not item.allow_negative:
                assert all(q >= 0 for (i, _l, _t), q in cached.items() if i == item.id)


class LedgerMachine(RuleBasedStateMachine):
    """Random receipts, issues, transfers, adjustments, scraps and reversals."""

    new_database: Callable[[], tuple[str, Callable[[], None]]]

    @initialize(average=st.booleans())
    def setup(self, average: bool) -> None:
        url, self.drop = type(self).new_database()
        self.db = open_database(url)
        with unit_of_work(self.db) as s:
            if average:
                app_settings.set_setting(s, "costing_method", "average")
            self.p = f.places(s, n_bins=3)
            plain = f.item(s, self.p.user, "PLAIN")
            negative = f.item(s, self.p.user, "NEG", allow_negative=True)
            lotted = f.item(s, self.p.user, "LOTS", lot_tracked=True)
            lot_a = lots.get_or_create_lot(s, lotted.id, "A")
            lot_b = lots.get_or_create_lot(s, lotted.id, "B")
        self.items = [
            (plain.id, None),
            (negative.id, None),
            (lotted.id, lot_a.id),
            (lotted.id, lot_b.id),
        ]
        self.posted: list[int] = []

    def teardown(self) -> None:
        if hasattr(self, "db"):
            self.db.dispose()
            self.drop()

    def _post(self, **kw: object) -> None:
        try:
            with unit_of_work(self.db) as s:
                move = ledger.post_move(s, user_id=self.p.user, **kw)  # type: ignore[arg-type]
            self.posted.append(move.id)
        except StockError:
            pass  # refused (not enough stock): must have changed nothing, checked below

    @rule(which=st.integers(0, 3), bin_=st.integers(0, 2), qty=QUANTITIES, cost=COSTS)
    def receive(self, which: int, bin_: int, qty: Decimal, cost: Decimal) -> None:
        item_id, lot_id = self.items[which]
        self._post(
            item_id=item_id,
            lot_id=lot_id,
            quantity=qty,
            unit_cost=cost,
            from_location_id=self.p.supplier,
            to_location_id=self.p.bins[bin_],
            kind=MoveKind.RECEIPT,
        )

    @rule(
        which=st.integers(0, 3),
        bin_=st.integers(0, 2),
        qty=QUANTITIES,
        to=st.sampled_from(["customer", "scrap", "count_diff"]),
    )
    def issue(self, which: int, bin_: int, qty: Decimal, to: str) -> None:
        item_id, lot_id = self.items[which]
        kind = {
            "customer": MoveKind.ISSUE,
            "scrap": MoveKind.SCRAP,
            "count_diff": MoveKind.ADJUSTMENT,
        }[to]
        self._post(
            item_id=item_id,
            lot_id=lot_id,
            quantity=qty,
            from_location_id=self.p.bins[bin_],
            to_location_id=getattr(self.p, to),
            kind=kind,
        )

    @rule(which=st.integers(0, 3), src=st.integers(0, 2), dst=st.integers(0, 2), qty=QUANTITIES)
    def transfer(self, which: int, src: int, dst: int, qty: Decimal) -> None:
        if src == dst:
            return
        item_id, lot_id = self.items[which]
        self._post(
            item_id=item_id,
            lot_id=lot_id,
            quantity=qty,
            from_location_id=self.p.bins[src],
            to_location_id=self.p.bins[dst],
            kind=MoveKind.TRANSFER,
        )

    @rule(which=st.integers(0, 3), bin_=st.integers(0, 2), qty=QUANTITIES)
    def count_gain(self, which: int, bin_: int, qty: Decimal) -> None:
        item_id, lot_id = self.items[which]
        self._post(
            item_id=item_id,
            lot_id=lot_id,
            quantity=qty,
            from_location_id=self.p.count_diff,
            to_location_id=self.p.bins[bin_],
            kind=MoveKind.ADJUSTMENT,
        )

    @rule(index=st.integers(0, 1000))
    def reverse(self, index: int) -> None:
        if not self.posted:
            return
        move_id = self.posted[index % len(self.posted)]
        try:
            with unit_of_work(self.db) as s:
                ledger.reverse_move(s, move_id, self.p.user, "test")
        except StockError:
            pass

    @invariant()
    def ledger_is_consistent(self) -> None:
        if hasattr(self, "db"):
            check_invariants(self.db)


def test_ledger_state_machine_sqlite(sqlite_template: Path, tmp_path: Path) -> None:
    def new_database() -> tuple[str, Callable[[], None]]:
        path = tmp_path / f"{uuid.uuid4().hex}.db"
        shutil.copyfile(sqlite_template, path)
        return str(path), lambda: None

    _run(new_database, examples=30)


@pytest.mark.postgres
def test_ledger_state_machine_postgres(postgres_server: object) -> None:
    from tests.conftest import _need_postgres

    server = _need_postgres(postgres_server)  # type: ignore[arg-type]

    def new_database() -> tuple[str, Callable[[], None]]:
        name = server.create()
        return server.url_for(name), lambda: server.drop(name)

    _run(new_database, examples=12)


def _run(new_database: Callable[[], tuple[str, Callable[[], None]]], examples: int) -> None:
    machine = type("Machine", (LedgerMachine,), {"new_database": staticmethod(new_database)})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
