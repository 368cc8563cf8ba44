"""Write-downs: approval rules, scrapping, value write-downs the ledger and the as-of
valuation both follow, suggestions, and refusals that change nothing (both engines)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from app.models import (
    AuditEvent,
    Base,
    CostLayer,
    CostRevaluation,
    Item,
    MoveKind,
    Role,
    StockLevel,
    StockMove,
    User,
    WriteDown,
    WriteDownKind,
    WriteDownReason,
    WriteDownStatus,
)
from app.services import ledger, lots, settings, valuation, write_downs
from app.services.database import Database, _alembic_config, unit_of_work
from app.services.errors import (
    DatabaseError,
    NotAllowedError,
    NotFoundError,
    StockError,
    ValidationError,
)
from app.services.settings import CostingMethod
from app.services.users import UserId
from app.services.write_downs import SuggestionKind, WriteDownInput
from tests import factories as f

D = Decimal
VALUE = WriteDownKind.VALUE
SCRAP = WriteDownKind.SCRAP
TODAY = dt.date.today()


@dataclass(frozen=True)
class World:
    p: f.Places
    staff: UserId
    manager: UserId
    item: int


def _user(s: Session, username: str, role: Role) -> UserId:
    user = User(username=username, display_name=username.capitalize(), role=role)
    s.add(user)
    s.flush()
    return UserId(user.id)


def world(db: Database, method: str = "fifo", limit: str = "100") -> World:
    """Bolt B-1 (sales price 20): 10 @ 10.00 then 10 @ 14.00 in the first bin."""
    with unit_of_work(db) as s:
        settings.set_setting(s, "costing_method", method)
        settings.set_setting(s, "write_down_approval_limit", limit)
        p = f.places(s)
        item = f.item(s, p.user, "B-1", sales_price="20").id
        f.receive(s, p, item, "10", "10")
        f.receive(s, p, item, "10", "14")
        return World(p, _user(s, "anna", Role.STAFF), _user(s, "lena", Role.MANAGER), item)


def _ask(db: Database, user: UserId, **kw: object) -> write_downs.WriteDownResult:
    return db.run(write_downs.request_write_down, user, WriteDownInput(**kw))  # type: ignore[arg-type]


def _state(db: Database, item: int) -> tuple[D, list[tuple[D, D]], int, int]:
    """(avg cost, open layers (remaining, cost), revaluations, moves) of the item."""
    with unit_of_work(db) as s:
        avg = s.scalar(select(Item.avg_cost).where(Item.id == item))
        layers = [
            (remaining, cost)
            for remaining, cost in s.execute(
                select(CostLayer.remaining, CostLayer.unit_cost)
                .where(CostLayer.item_id == item, CostLayer.remaining > 0)
                .order_by(CostLayer.id)
            ).tuples()
        ]
        revaluations = s.scalar(select(func.count()).select_from(CostRevaluation)) or 0
        moves = s.scalar(select(func.count()).select_from(StockMove)) or 0
    assert avg is not None
    return avg, layers, revaluations, moves


def _audit(db: Database) -> list[str]:
    with unit_of_work(db) as s:
        return [
            action
            for (action,) in s.execute(
                select(AuditEvent.action)
                .where(AuditEvent.entity == "write_down")
                .order_by(AuditEvent.id)
            ).tuples()
        ]


# --- approval ------------------------------------------------------------------------------


def test_staff_above_the_limit_waits_and_only_a_manager_may_approve(db: Database) -> None:
    w = world(db)
    before = _state(db, w.item)
    # FIFO value 10 x 10 + 10 x 14 = 240; down to 5 a unit (100) takes off 140, above the
    # limit of 100, so a staff member's request waits.
    asked = _ask(db, w.staff, item_id=w.item, kind=VALUE, reason="obsolete", new_unit_value="5")
    assert not asked.posted
    view = asked.write_down
    assert (view.number, view.status, view.needs_approval) == ("WD-1001", "requested", True)
    assert view.estimated_value == D("140")
    assert "waits for a manager" in asked.message
    assert _state(db, w.item) == before  # nothing posted
    with pytest.raises(NotAllowedError, match="Only a manager or an administrator may approve"):
        db.run(write_downs.approve_write_down, w.staff, view.id)
    assert _state(db, w.item) == before
    assert db.read(write_downs.get_write_down, view.id).status is WriteDownStatus.REQUESTED
    assert [v.number for v in db.read(write_downs.pending_write_downs)] == ["WD-1001"]

    approved = db.run(write_downs.approve_write_down, w.manager, view.id, "checked on the shelf")
    assert approved.posted
    posted = approved.write_down
    assert (posted.status, posted.decided_by, posted.decision_note) == (
        "approved",
        "Lena",
        "checked on the shelf",
    )
    assert (posted.value_before, posted.value_after, posted.written_down) == (
        D("240"),
        D("100"),
        D("140"),
    )
    avg, layers, revaluations, _moves = _state(db, w.item)
    assert (avg, layers, revaluations) == (D("5"), [(D("10"), D("5")), (D("10"), D("5"))], 1)
    assert db.read(write_downs.pending_write_downs) == []
    assert _audit(db) == ["request", "approve"]
    with pytest.raises(ValidationError, match="WD-1001 is already decided"):
        db.run(write_downs.approve_write_down, w.manager, view.id)


def test_staff_at_or_below_the_limit_posts_at_once(db: Database) -> None:
    w = world(db)
    # 10 % of 240 = 24, below the limit of 100.
    result = _ask(db, w.staff, item_id=w.item, kind=VALUE, reason="damaged", percent="10")
    assert result.posted and not result.write_down.needs_approval
    assert result.write_down.decided_by == ""
    assert (result.write_down.value_before, result.write_down.value_after) == (D("240"), D("216"))
    avg, layers, _revaluations, _moves = _state(db, w.item)
    assert layers == [(D("10"), D("9")), (D("10"), D("12.6"))]
    assert avg == D("10.8")
    assert _audit(db) == ["request", "post"]


def test_a_managers_own_write_down_above_the_limit_is_posted_and_names_them(db: Database) -> None:
    w = world(db)
    result = _ask(db, w.manager, item_id=w.item, kind=VALUE, reason="obsolete", new_unit_value="1")
    assert result.posted
    assert (result.write_down.needs_approval, result.write_down.decided_by) == (True, "Lena")


def test_rejecting_needs_a_manager_and_a_reason_and_posts_nothing(db: Database) -> None:
    w = world(db)
    view = _ask(db, w.staff, item_id=w.item, kind=SCRAP, reason="damaged", quantity="15").write_down
    assert view.status is WriteDownStatus.REQUESTED  # 10 x 10 + 5 x 14 = 170 > 100
    with pytest.raises(NotAllowedError, match="may reject"):
        db.run(write_downs.reject_write_down, w.staff, view.id, "no")
    with pytest.raises(ValidationError, match="Say why the write-down is rejected"):
        db.run(write_downs.reject_write_down, w.manager, view.id, "  ")
    before = _state(db, w.item)
    rejected = db.run(write_downs.reject_write_down, w.manager, view.id, "They can be repaired")
    assert rejected.write_down.status is WriteDownStatus.REJECTED
    assert rejected.write_down.decision_note == "They can be repaired"
    assert _state(db, w.item) == before
    with pytest.raises(ValidationError, match="already decided"):
        db.run(write_downs.approve_write_down, w.manager, view.id)
    assert _audit(db) == ["request", "reject"]


def test_an_inactive_or_unknown_user_is_refused(db: Database) -> None:
    w = world(db)
    with unit_of_work(db) as s:
        s.get(User, w.manager).active = False  # type: ignore[union-attr]
    with pytest.raises(NotAllowedError, match="inactive"):
        _ask(db, w.manager, item_id=w.item, kind=VALUE, reason="obsolete", percent="5")
    with pytest.raises(NotFoundError):
        _ask(db, UserId(999), item_id=w.item, kind=VALUE, reason="obsolete", percent="5")


def test_approval_of_a_request_the_stock_no_longer_allows_is_refused(db: Database) -> None:
    w = world(db)
    view = _ask(db, w.staff, item_id=w.item, kind=SCRAP, reason="damaged", quantity="15").write_down
    with unit_of_work(db) as s:
        f.issue(s, w.p, w.item, "10")
    before = _state(db, w.item)
    with pytest.raises(StockError, match="WD-1001 cannot be posted as asked: Only 10 pcs"):
        db.run(write_downs.approve_write_down, w.manager, view.id)
    assert _state(db, w.item) == before
    assert db.read(write_downs.get_write_down, view.id).status is WriteDownStatus.REQUESTED


# --- what posting does ---------------------------------------------------------------------


def test_scrap_moves_the_quantity_to_scrap_through_the_ledger(db: Database) -> None:
    w = world(db, limit="1000")
    with unit_of_work(db) as s:
        f.receive(s, w.p, w.item, "5", "14", bin_index=1)
    result = _ask(db, w.staff, item_id=w.item, kind=SCRAP, reason="damaged", quantity="22")
    assert result.posted
    assert "scrapped 22 pcs of B-1" in result.message
    # FIFO: 10 x 10 + 10 x 14 + 2 x 14 leave; 20 from A-01-01, 2 from A-01-02 (code order).
    assert (result.write_down.value_before, result.write_down.value_after) == (D("268"), D("0"))
    assert result.write_down.posted_quantity == D("22")
    with unit_of_work(db) as s:
        moves = s.execute(
            select(
                StockMove.quantity, StockMove.kind, StockMove.to_location_id, StockMove.reference
            )
            .where(StockMove.kind == MoveKind.SCRAP)
            .order_by(StockMove.id)
        ).all()
        assert [tuple(m) for m in moves] == [
            (D("20"), MoveKind.SCRAP, w.p.scrap, "WD-1001"),
            (D("2"), MoveKind.SCRAP, w.p.scrap, "WD-1001"),
        ]
        levels = dict(s.execute(select(StockLevel.location_id, StockLevel.quantity)).tuples().all())
        assert levels == {w.p.bins[0]: D("0"), w.p.bins[1]: D("3")}
    # Scrap is not COGS; the valuation no longer has the scrapped units.
    assert db.read(valuation.cogs, TODAY, TODAY) == {}
    assert db.read(valuation.item_values_as_of, TODAY)[w.item].value == D("42")


def test_scrap_of_a_lot_from_one_bin(db: Database) -> None:
    with unit_of_work(db) as s:
        p = f.places(s)
        item = f.item(s, p.user, "M-1", lot_tracked=True).id
        lot_a = lots.get_or_create_lot(s, item, "A", dt.date(2026, 1, 1)).id
        lot_b = lots.get_or_create_lot(s, item, "B", dt.date(2027, 1, 1)).id
        f.receive(s, p, item, "4", "3", lot_id=lot_a)
        f.receive(s, p, item, "4", "3", bin_index=1, lot_id=lot_a)
        f.receive(s, p, item, "4", "3", lot_id=lot_b)
    with pytest.raises(ValidationError, match="lot-tracked: choose the lot"):
        _ask(db, p.user, item_id=item, kind=SCRAP, reason="expired", quantity="1")
    result = _ask(
        db,
        p.user,
        item_id=item,
        kind=SCRAP,
        reason="expired",
        quantity="4",
        lot_id=lot_a,
        location_id=p.bins[1],
    )
    assert result.write_down.lot_code == "A" and result.write_down.location_code == "A-01-02"
    with unit_of_work(db) as s:
        levels = {
            (loc, lot): qty
            for loc, lot, qty in s.execute(
                select(StockLevel.location_id, StockLevel.lot_id, StockLevel.quantity)
            ).tuples()
        }
    assert levels == {(p.bins[0], lot_a): D(4), (p.bins[1], lot_a): D(0), (p.bins[0], lot_b): D(4)}


@pytest.mark.parametrize("method", ["fifo", "average"])
def test_value_write_down_then_issue_uses_the_lowered_cost(db: Database, method: str) -> None:
    w = world(db, method=method, limit="1000")
    # Down to 9: FIFO [10@10, 10@14] -> [10@9, 10@9]; average 12 -> 9.
    result = _ask(db, w.staff, item_id=w.item, kind=VALUE, reason="price-fall", new_unit_value="9")
    assert result.posted
    assert (result.write_down.value_before, result.write_down.value_after) == (D("240"), D("180"))
    with unit_of_work(db) as s:
        issued = f.issue(s, w.p, w.item, "4")
    assert issued.unit_cost == D("9")
    assert db.read(valuation.cogs, TODAY, TODAY) == {w.item: D("36")}
    # The valuation replays the revaluation: 16 left at 9.
    method_enum = CostingMethod(method)
    assert db.read(valuation.item_values_as_of, TODAY, method_enum)[w.item].value == D("144")


def test_a_ceiling_leaves_cheaper_fifo_layers_alone(db: Database) -> None:
    w = world(db, limit="1000")
    result = _ask(db, w.staff, item_id=w.item, kind=VALUE, reason="price-fall", new_unit_value="11")
    # Unit cost 12 before; layers 10 and 14 -> 10 and 11: 240 -> 210.
    assert (result.write_down.value_before, result.write_down.value_after) == (D("240"), D("210"))
    assert _state(db, w.item)[1] == [(D("10"), D("10")), (D("10"), D("11"))]
    with unit_of_work(db) as s:
        assert f.issue(s, w.p, w.item, "15").unit_cost == D("10.3333")  # (100 + 55) / 15


def test_a_lot_write_down_takes_off_the_lots_loss_spread_over_the_item(db: Database) -> None:
    """Lots A (4) and B (6), all at 10.00: writing lot A down to 5 loses 4 x 5 = 20 of
    100; the ledger keeps one cost per receipt, so every unit goes to 10 x 0.8 = 8."""
    with unit_of_work(db) as s:
        settings.set_setting(s, "write_down_approval_limit", "1000")
        p = f.places(s)
        item = f.item(s, p.user, "L-1", lot_tracked=True).id
        lot_a = lots.get_or_create_lot(s, item, "A").id
        lot_b = lots.get_or_create_lot(s, item, "B").id
        f.receive(s, p, item, "4", "10", lot_id=lot_a)
        f.receive(s, p, item, "6", "10", lot_id=lot_b)
    result = _ask(
        db, p.user, item_id=item, kind=VALUE, reason="damaged", new_unit_value="5", lot_id=lot_a
    )
    view = result.write_down
    assert (view.posted_quantity, view.value_before, view.value_after) == (D(4), D(40), D(20))
    assert _state(db, item)[:2] == (D("8"), [(D("4"), D("8")), (D("6"), D("8"))])
    assert db.read(valuation.item_values_as_of, TODAY)[item].value == D("80")


def test_valuation_as_of_includes_write_downs_only_from_their_day(db: Database) -> None:
    yesterday = TODAY - dt.timedelta(days=1)
    with unit_of_work(db) as s:
        settings.set_setting(s, "write_down_approval_limit", "1000")
        p = f.places(s)
        item = f.item(s, p.user, "Y-1").id
        ledger.post_move(
            s,
            item_id=item,
            quantity=D(10),
            from_location_id=p.supplier,
            to_location_id=p.bins[0],
            kind=MoveKind.RECEIPT,
            user_id=p.user,
            unit_cost=D(24),
            moved_at=dt.datetime.combine(yesterday, dt.time(12)).astimezone(),
        )
    _ask(db, p.user, item_id=item, kind=VALUE, reason="obsolete", percent="50")
    assert db.read(valuation.item_values_as_of, yesterday)[item].value == D("240")
    assert db.read(valuation.item_values_as_of, TODAY)[item].value == D("120")
    # The book value of a period drops by the write-down on its day: 240, then 120.
    figures = db.read(valuation.period_figures, yesterday, TODAY)
    assert (figures.opening_value, figures.closing_value) == ({}, {item: D("120")})
    assert figures.average_value[item] == D("180")


def test_the_replays_agree_with_the_ledger_after_write_downs(db: Database) -> None:
    w = world(db, limit="1000")
    _ask(db, w.staff, item_id=w.item, kind=VALUE, reason="obsolete", new_unit_value="11")
    with unit_of_work(db) as s:
        f.issue(s, w.p, w.item, "3")
        f.receive(s, w.p, w.item, "5", "13")
    _ask(db, w.staff, item_id=w.item, kind=VALUE, reason="damaged", quantity="2", percent="40")
    with unit_of_work(db) as s:
        f.issue(s, w.p, w.item, "6")
    avg, layers, revaluations, _moves = _state(db, w.item)
    assert revaluations == 2
    fifo = db.read(valuation.item_values_as_of, TODAY, CostingMethod.FIFO)[w.item]
    assert fifo.value == sum((remaining * cost for remaining, cost in layers), D(0))
    assert db.read(valuation.fifo_replay_values, TODAY)[w.item] == fifo.value
    average = db.read(valuation.item_values_as_of, TODAY, CostingMethod.AVERAGE)[w.item]
    assert average.value == average.quantity * avg


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "error", "message"),
    [
        ({"reason": "other"}, ValidationError, "“Other” needs a text"),
        ({"note": "x" * 501}, ValidationError, "at most 500 characters"),
        ({"reason": "mouldy"}, ValidationError, "Choose a reason"),
        ({"new_unit_value": "5", "percent": "10"}, ValidationError, "not both"),
        ({"percent": None}, ValidationError, "Give the new unit value or the percentage"),
        ({"percent": "0"}, ValidationError, "more than 0 and at most 100"),
        ({"percent": "101"}, ValidationError, "more than 0 and at most 100"),
        ({"percent": "abc"}, ValidationError, "is not a number"),
        ({"percent": None, "new_unit_value": "12"}, ValidationError, "not below the current"),
        ({"percent": None, "new_unit_value": "-1"}, ValidationError, "cannot be negative"),
        ({"quantity": "21"}, StockError, "Only 20 pcs of B-1 in stock"),
        ({"quantity": "-2"}, ValidationError, "greater than zero"),
        ({"kind": "scrap", "percent": None}, ValidationError, "quantity to scrap"),
        ({"kind": "scrap", "quantity": "1"}, ValidationError, "give no new value"),
        ({"location_id": "scrap"}, ValidationError, "Choose a bin"),
        ({"item_id": 999}, NotFoundError, "Item 999 does not exist"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    db: Database, kw: dict[str, object], error: type[Exception], message: str
) -> None:
    w = world(db)
    data: dict[str, object] = {
        "item_id": w.item,
        "kind": "value",
        "reason": "obsolete",
        "percent": "10",
    }
    data.update(kw)
    if data.get("location_id") == "scrap":
        data["location_id"] = w.p.scrap
    before = _state(db, w.item)
    with pytest.raises(error, match=message):
        _ask(db, w.manager, **data)
    with pytest.raises(error, match=message):
        db.read(write_downs.preview_write_down, w.manager, WriteDownInput(**data))  # type: ignore[arg-type]
    assert _state(db, w.item) == before
    with unit_of_work(db) as s:
        assert s.scalar(select(func.count()).select_from(WriteDown)) == 0


def test_a_lot_of_another_item_and_an_empty_bin_are_refused(db: Database) -> None:
    w = world(db)
    with unit_of_work(db) as s:
        other = f.item(s, w.p.user, "O-1", lot_tracked=True).id
        foreign = lots.get_or_create_lot(s, other, "X").id
    with pytest.raises(ValidationError, match="does not belong to item B-1"):
        _ask(
            db,
            w.manager,
            item_id=w.item,
            kind=VALUE,
            reason="obsolete",
            percent="5",
            lot_id=foreign,
        )
    with pytest.raises(StockError, match=r"no stock of B-1 \(A-01-02\)"):
        _ask(
            db,
            w.manager,
            item_id=w.item,
            kind=VALUE,
            reason="obsolete",
            percent="5",
            location_id=w.p.bins[1],
        )


def test_bad_settings_are_named(db: Database) -> None:
    w = world(db, limit="lots")
    with pytest.raises(ValidationError, match="approval limit setting"):
        _ask(db, w.manager, item_id=w.item, kind=VALUE, reason="obsolete", percent="5")
    with unit_of_work(db) as s:
        settings.set_setting(s, "dead_stock_days", "soon")
    with pytest.raises(ValidationError, match="days without issue"):
        db.read(write_downs.write_down_suggestions)


def test_preview_tells_whether_it_will_wait(db: Database) -> None:
    w = world(db)
    data = WriteDownInput(w.item, VALUE, WriteDownReason.OBSOLETE, new_unit_value="5")
    staff = db.read(write_downs.preview_write_down, w.staff, data)
    assert (staff.written_down, staff.needs_approval, staff.will_post) == (D("140"), True, False)
    manager = db.read(write_downs.preview_write_down, w.manager, data)
    assert (manager.needs_approval, manager.will_post) == (True, True)
    assert (staff.unit_cost, staff.value_before, staff.value_after) == (D("12"), D("240"), D("100"))


# --- suggestions ---------------------------------------------------------------------------


def test_suggestions_find_expired_expiring_dead_and_below_cost_stock(db: Database) -> None:
    long_ago = dt.datetime.now().astimezone() - dt.timedelta(days=400)
    with unit_of_work(db) as s:
        p = f.places(s)
        milk = f.item(s, p.user, "MILK", lot_tracked=True, sales_price="30").id
        old = lots.get_or_create_lot(s, milk, "OLD", TODAY - dt.timedelta(days=2)).id
        soon = lots.get_or_create_lot(s, milk, "SOON", TODAY + dt.timedelta(days=10)).id
        later = lots.get_or_create_lot(s, milk, "LATER", TODAY + dt.timedelta(days=90)).id
        for lot in (old, soon, later):
            f.receive(s, p, milk, "2", "10", lot_id=lot)
        dusty = f.item(s, p.user, "DUSTY", sales_price="100").id
        ledger.post_move(
            s,
            item_id=dusty,
            quantity=D(3),
            from_location_id=p.supplier,
            to_location_id=p.bins[0],
            kind=MoveKind.RECEIPT,
            user_id=p.user,
            unit_cost=D(50),
            moved_at=long_ago,
        )
        cheap = f.item(s, p.user, "CHEAP", sales_price="10").id
        f.receive(s, p, cheap, "5", "12")
        f.issue(s, p, cheap, "1")
    found = db.read(write_downs.write_down_suggestions)
    summary = [(s.kind, s.sku, s.lot_code, s.quantity, s.value) for s in found]
    assert summary == [
        (SuggestionKind.EXPIRED, "MILK", "OLD", D(2), D(20)),
        (SuggestionKind.EXPIRING, "MILK", "SOON", D(2), D(20)),
        (SuggestionKind.DEAD_STOCK, "DUSTY", "", D(3), D(150)),
        (SuggestionKind.BELOW_COST, "CHEAP", "", D(4), D(48)),
    ]
    expired, _expiring, dusty_row, cheap_row = found
    assert (expired.suggested_kind, expired.suggested_reason) == (SCRAP, WriteDownReason.EXPIRED)
    assert dusty_row.idle_days == 400 and dusty_row.last_issue is None
    assert "Never issued" in dusty_row.text
    # 10 less 5 % selling costs = 9.50 < 12.
    assert (cheap_row.net_realisable_value, cheap_row.suggested_unit_value) == (D("9.5"), D("9.5"))
    assert cheap_row.suggested_reason is WriteDownReason.PRICE_FALL
    with unit_of_work(db) as s:
        settings.set_setting(s, "write_down_expiry_days", "120")
    assert [s.lot_code for s in db.read(write_downs.write_down_suggestions)][:3] == [
        "OLD",
        "SOON",
        "LATER",
    ]


def test_a_suggestion_names_a_write_down_already_waiting(db: Database) -> None:
    w = world(db)
    with unit_of_work(db) as s:
        cheap = f.item(s, w.p.user, "C-9", sales_price="1").id
        f.receive(s, w.p, cheap, "300", "2")
    asked = _ask(db, w.staff, item_id=cheap, kind=VALUE, reason="price-fall", new_unit_value="0.95")
    assert asked.write_down.status is WriteDownStatus.REQUESTED
    (row,) = db.read(write_downs.write_down_suggestions)
    assert (row.sku, row.pending) == ("C-9", "WD-1001")


# --- schema --------------------------------------------------------------------------------


def test_revaluations_are_append_only(db: Database) -> None:
    w = world(db, limit="1000")
    _ask(db, w.staff, item_id=w.item, kind=VALUE, reason="obsolete", percent="5")
    for statement in ("UPDATE cost_revaluation SET factor = 0", "DELETE FROM cost_revaluation"):
        with pytest.raises(DatabaseError, match="A posted write-down cannot be changed"):
            with unit_of_work(db) as s:
                s.execute(text(statement))
    with unit_of_work(db) as s:
        assert s.scalar(select(func.count()).select_from(CostRevaluation)) == 1


def test_the_migration_matches_the_models_and_downgrades(db: Database) -> None:
    ours = {"write_down", "cost_revaluation"}
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    assert [d for d in diffs if any(name in repr(d) for name in ours)] == []
    with db.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0005")
    assert not ours & set(inspect(db.engine).get_table_names())
    with db.engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")
    assert ours <= set(inspect(db.engine).get_table_names())


def test_history_lists_by_period_and_status(db: Database) -> None:
    w = world(db, limit="1000")
    _ask(db, w.staff, item_id=w.item, kind=VALUE, reason="obsolete", percent="5")
    _ask(db, w.staff, item_id=w.item, kind=SCRAP, reason="damaged", quantity="1")
    listed = db.read(write_downs.list_write_downs, start=TODAY, end=TODAY)
    assert [v.number for v in listed] == ["WD-1002", "WD-1001"]
    assert [v.reason_text for v in listed] == ["Damaged", "Obsolete"]
    assert db.read(write_downs.list_write_downs, status=WriteDownStatus.REJECTED) == []
    assert db.read(write_downs.list_write_downs, end=TODAY - dt.timedelta(days=1)) == []
    with pytest.raises(ValidationError, match="before it starts"):
        db.read(write_downs.list_write_downs, start=TODAY, end=TODAY - dt.timedelta(days=1))
