"""Killing a process mid-posting (SIGKILL) never leaves a database that does not open, a
half-posted document or a lost acknowledged move: a few kills of the crash harness
(benchmarks/crash.py, which runs hundreds), spread over a count approval, a receipt
posting and single moves. (Receiving scans are killed in test_receiving_crash.py.)"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.models import LocationKind, MoveKind
from app.services import ledger, locations
from app.services.database import open_database
from app.services.users import UserId
from benchmarks import crash

pytestmark = pytest.mark.slow


def test_kills_mid_posting_leave_every_document_whole() -> None:
    summary = crash.run(runs=6, jobs=3, n_items=12, seed=3)
    assert summary.problems == ()
    assert summary.runs == 6 and summary.kills >= 4
    assert (summary.lost, summary.half_posted, summary.open_failures) == (0, 0, 0)
    assert summary.integrity_failures == 0
    assert summary.kills_during_count and summary.kills_during_receipt


def test_the_check_finds_a_half_posted_receipt(tmp_path: Path) -> None:
    """A receipt left open with some of its moves is reported, so the harness can fail."""
    base = crash.build_base(tmp_path / "base.db", n_items=3)
    db = open_database(base.path)
    try:

        def half_post(session: Session) -> None:
            source = locations.virtual_location_id(session, LocationKind.SUPPLIER)
            target = locations.find_location(session, "R-02")
            assert target is not None
            ledger.post_move(
                session,
                item_id=1,
                quantity=Decimal(1),
                from_location_id=source,
                to_location_id=target.id,
                kind=MoveKind.RECEIPT,
                user_id=UserId(base.user),
                unit_cost=Decimal(1),
                reference=base.receipt_number,
            )

        db.run(half_post)
    finally:
        db.dispose()
    outcome = crash.verify(base, base.path, ["start", "ack 999999"], crash.RunOutcome(True, "x"))
    assert outcome.opened and outcome.integrity == "ok"
    assert outcome.half_posted == ["receipt open with 1 moves"]
    assert outcome.lost == 1
