"""Daily demand per item: what counts as demand, on which day, and how fast it is read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from sqlalchemy import insert

from app.models import DemandHistory, MoveKind
from app.services import abc_classes, demand, ledger
from app.services.database import Database
from app.services.errors import NotFoundError, ValidationError
from tests import factories

TODAY = dt.date(2026, 3, 16)  # a Monday
FIRST, LAST = demand.history_window(TODAY, 14)


def at(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    """A local time on ``day``, as the ledger stores it (aware)."""
    return dt.datetime.combine(day, dt.time(hour, minute)).astimezone()


def move(session, p, item_id, qty, src, dst, kind, when, cost=None):  # type: ignore[no-untyped-def]
    return ledger.post_move(
        session,
        item_id=item_id,
        quantity=Decimal(qty),
        from_location_id=src,
        to_location_id=dst,
        kind=kind,
        user_id=p.user,
        unit_cost=None if cost is None else Decimal(cost),
        moved_at=when,
    )


def test_the_window_ends_yesterday() -> None:
    assert demand.history_window(TODAY, 14) == (dt.date(2026, 3, 2), dt.date(2026, 3, 15))
    with pytest.raises(ValidationError):
        demand.history_window(TODAY, 0)


def test_shipments_are_demand_and_returns_take_it_back(db: Database) -> None:
    def build(session):  # type: ignore[no-untyped-def]
        p = factories.places(session)
        item = factories.item(session, p.user, "KAFFE").id
        day = FIRST + dt.timedelta(days=3)
        move(session, p, item, "100", p.supplier, p.bins[0], MoveKind.RECEIPT, at(FIRST), "10")
        move(session, p, item, "5", p.bins[0], p.customer, MoveKind.ISSUE, at(day))
        move(session, p, item, "2.5", p.bins[0], p.customer, MoveKind.ISSUE, at(day, 15))
        # Scrapping, a count difference and a move between bins are not demand.
        move(session, p, item, "3", p.bins[0], p.scrap, MoveKind.SCRAP, at(day))
        move(session, p, item, "1", p.bins[0], p.count_diff, MoveKind.ADJUSTMENT, at(day))
        move(session, p, item, "4", p.bins[0], p.bins[1], MoveKind.TRANSFER, at(day))
        # A customer sends 1 back two days later: that day's demand is less.
        later = day + dt.timedelta(days=2)
        move(session, p, item, "6", p.bins[0], p.customer, MoveKind.ISSUE, at(later))
        move(session, p, item, "1", p.customer, p.bins[0], MoveKind.RETURN, at(later, 16), "10")
        # A reversed shipment cancels it.
        wrong = move(session, p, item, "7", p.bins[0], p.customer, MoveKind.ISSUE, at(LAST))
        ledger.reverse_move(session, wrong.id, p.user, "wrong customer")
        return item

    item = db.run(build)
    found = db.read(demand.read_daily_demand, FIRST, LAST)
    row = found.quantities[found.row_of(item)]
    expected = np.zeros(14)
    expected[3] = 7.5
    expected[5] = 5.0
    np.testing.assert_array_equal(row, expected)
    assert found.first_day == FIRST and found.last_day == LAST and found.days == 14


def test_a_day_with_more_returns_than_shipments_is_no_demand(db: Database) -> None:
    def build(session):  # type: ignore[no-untyped-def]
        p = factories.places(session)
        item = factories.item(session, p.user, "TE").id
        move(session, p, item, "10", p.supplier, p.bins[0], MoveKind.RECEIPT, at(FIRST), "10")
        move(session, p, item, "4", p.bins[0], p.customer, MoveKind.ISSUE, at(FIRST))
        move(session, p, item, "3", p.customer, p.bins[0], MoveKind.RETURN, at(FIRST, 14), "10")
        move(session, p, item, "1", p.bins[0], p.customer, MoveKind.ISSUE, at(LAST))
        move(session, p, item, "3", p.customer, p.bins[0], MoveKind.RETURN, at(LAST, 14), "10")
        return item

    item = db.run(build)
    row = db.read(demand.read_daily_demand, FIRST, LAST, [item]).quantities[0]
    assert row[0] == 1.0
    assert row[-1] == 0.0


def test_days_are_local_calendar_days_to_the_minute(db: Database) -> None:
    day = FIRST + dt.timedelta(days=5)

    def build(session):  # type: ignore[no-untyped-def]
        p = factories.places(session)
        item = factories.item(session, p.user, "SALT").id
        move(session, p, item, "10", p.supplier, p.bins[0], MoveKind.RECEIPT, at(FIRST), "10")
        midnight = at(day, 0)
        move(session, p, item, "1", p.bins[0], p.customer, MoveKind.ISSUE, midnight)
        move(
            session,
            p,
            item,
            "2",
            p.bins[0],
            p.customer,
            MoveKind.ISSUE,
            midnight - dt.timedelta(milliseconds=5),
        )
        move(session, p, item, "4", p.bins[0], p.customer, MoveKind.ISSUE, at(day, 23, 59))
        return item

    item = db.run(build)
    row = db.read(demand.read_daily_demand, FIRST, LAST, [item]).quantities[0]
    assert row[4] == 2.0
    assert row[5] == 5.0


def test_imported_history_adds_to_the_ledger_and_starts_the_history(db: Database) -> None:
    def build(session):  # type: ignore[no-untyped-def]
        p = factories.places(session)
        old = factories.item(session, p.user, "OLD").id
        new = factories.item(session, p.user, "NEW").id
        idle = factories.item(session, p.user, "IDLE").id
        session.execute(
            insert(DemandHistory),
            [
                {"item_id": old, "day": FIRST - dt.timedelta(days=30), "quantity": Decimal(9)},
                {"item_id": old, "day": FIRST + dt.timedelta(days=1), "quantity": Decimal("2.5")},
                {"item_id": new, "day": LAST - dt.timedelta(days=2), "quantity": Decimal(0)},
            ],
        )
        move(session, p, old, "10", p.supplier, p.bins[0], MoveKind.RECEIPT, at(FIRST), "10")
        move(session, p, old, "3", p.bins[0], p.customer, MoveKind.ISSUE, at(FIRST, 9))
        move(
            session,
            p,
            old,
            "1",
            p.bins[0],
            p.customer,
            MoveKind.ISSUE,
            at(FIRST + dt.timedelta(days=1)),
        )
        return old, new, idle

    old, new, idle = db.run(build)
    found = db.read(demand.read_daily_demand, FIRST, LAST)
    old_row = found.quantities[found.row_of(old)]
    assert old_row[0] == 3.0 and old_row[1] == 3.5 and np.nansum(old_row) == 6.5
    # A history starts with the first move or imported row; before it nothing was observed.
    new_row = found.quantities[found.row_of(new)]
    assert np.isnan(new_row[:11]).all() and (new_row[11:] == 0).all()
    assert np.isnan(found.quantities[found.row_of(idle)]).all()
    assert found.started[found.row_of(old)] == 0
    assert found.started[found.row_of(new)] == 11
    assert found.started[found.row_of(idle)] == 14
    with pytest.raises(KeyError):
        found.row_of(999_999)


def test_reading_every_item_at_once_gives_the_same_as_one_by_one(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def build(session):  # type: ignore[no-untyped-def]
        p = factories.places(session)
        ids = []
        for n in range(4):
            item = factories.item(session, p.user, f"SKU-{n}").id
            move(session, p, item, "50", p.supplier, p.bins[0], MoveKind.RECEIPT, at(FIRST), "3")
            for d in range(n, 14, 3):
                when = at(FIRST + dt.timedelta(days=d))
                move(session, p, item, str(n + 1), p.bins[0], p.customer, MoveKind.ISSUE, when)
            ids.append(item)
        return ids

    ids = db.run(build)
    one_by_one = [db.read(demand.read_daily_demand, FIRST, LAST, [i]).quantities[0] for i in ids]
    # Large selections are read whole and picked in numpy instead of an IN list.
    monkeypatch.setattr(demand, "_MAX_IN_LIST", 0)
    together = db.read(demand.read_daily_demand, FIRST, LAST, ids)
    for item_id, row in zip(ids, one_by_one, strict=True):
        np.testing.assert_array_equal(together.quantities[together.row_of(item_id)], row)
    assert sum(float(r.sum()) for r in one_by_one) == 1 * 5 + 2 * 5 + 3 * 4 + 4 * 4


def test_consumption_values_match_the_abc_definition(db: Database) -> None:
    def build(session):  # type: ignore[no-untyped-def]
        p = factories.places(session)
        a = factories.item(session, p.user, "A").id
        b = factories.item(session, p.user, "B").id
        move(session, p, a, "100", p.supplier, p.bins[0], MoveKind.RECEIPT, at(FIRST), "12.5")
        move(session, p, b, "10", p.supplier, p.bins[0], MoveKind.RECEIPT, at(FIRST), "0.3333")
        move(session, p, a, "8", p.bins[0], p.customer, MoveKind.ISSUE, at(LAST))
        move(session, p, b, "3", p.bins[0], p.customer, MoveKind.ISSUE, at(TODAY, 8))
        issued = move(session, p, a, "2", p.bins[0], p.customer, MoveKind.ISSUE, at(FIRST))
        ledger.reverse_move(session, issued.id, p.user, "typo")
        return a, b

    a, b = db.run(build)
    found = db.read(
        demand.read_daily_demand,
        FIRST,
        LAST,
        issue_values_since=FIRST + dt.timedelta(days=1),
        issue_values_until=TODAY,
    )
    expected = db.read(abc_classes.consumption_values, TODAY, 14)
    assert found.issue_values is not None
    assert Decimal(f"{found.issue_values[found.row_of(a)]:.4f}") == expected[a] == Decimal(100)
    assert Decimal(f"{found.issue_values[found.row_of(b)]:.4f}") == expected[b]


def test_weekly_demand_for_the_chart(db: Database) -> None:
    def build(session):  # type: ignore[no-untyped-def]
        p = factories.places(session)
        item = factories.item(session, p.user, "CHART").id
        start = TODAY - dt.timedelta(days=21)
        move(session, p, item, "100", p.supplier, p.bins[0], MoveKind.RECEIPT, at(start), "1")
        for d in range(21):
            when = at(start + dt.timedelta(days=d))
            move(session, p, item, "0.001", p.bins[0], p.customer, MoveKind.ISSUE, when)
        return item

    item = db.run(build)
    weeks = db.read(demand.weekly_demand, item, TODAY, 4)
    assert [w.quantity for w in weeks] == [
        Decimal(0),
        Decimal("0.007"),
        Decimal("0.007"),
        Decimal("0.007"),
    ]
    assert [w.observed for w in weeks] == [False, True, True, True]
    assert weeks[-1].end == TODAY - dt.timedelta(days=1)
    assert weeks[0].start == TODAY - dt.timedelta(days=28)


def test_bad_requests_are_refused_with_a_reason(db: Database) -> None:
    with pytest.raises(ValidationError, match="before the first day"):
        db.read(demand.read_daily_demand, LAST, FIRST)
    with pytest.raises(ValidationError, match="at least one week"):
        db.read(demand.weekly_demand, 1, TODAY, 0)
    with pytest.raises(NotFoundError):
        db.read(demand.weekly_demand, 424242, TODAY, 4)


def test_an_empty_database_has_an_empty_matrix(db: Database) -> None:
    found = db.read(demand.read_daily_demand, FIRST, LAST)
    assert found.quantities.shape == (0, 14)
