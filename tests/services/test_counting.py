"""Counting below the screen, on SQLite and PostgreSQL: snapshots of every kind of scope,
blind views, scans that add and typed counts that set, two counters adding up, moves
during a count, unexpected items, lots from GS1 codes, closing bins, tolerance routing,
recounts, approval by managers only (refused for staff in the service), adjustments
through the ledger, imports, the cycle plan's due list and inventory accuracy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, text, update
from sqlalchemy.orm import Session

from app.models import (
    AuditEvent,
    Base,
    CountKind,
    CountLineStatus,
    CountStatus,
    Item,
    LocationKind,
    Lot,
    MoveKind,
    Role,
    StockCountEvent,
    StockMove,
    User,
)
from app.services import count_plan, counting, ledger, locations, settings
from app.services.counting import CountEntry, CountScanStatus, CountView
from app.services.database import Database, _alembic_config, unit_of_work
from app.services.errors import (
    DatabaseError,
    ImportFileError,
    NotAllowedError,
    NotFoundError,
    StockError,
    ValidationError,
)
from app.services.lots import get_or_create_lot
from app.services.stock import item_stock
from app.services.users import UserId
from tests.services.purchasing_setup import (
    COFFEE_CARTON,
    COFFEE_EAN,
    MILK_EAN,
    SCREW_EAN,
    TEA_EAN,
    Shop,
    build_shop,
    gs1,
)

D = Decimal
EXPIRY = dt.date(2027, 1, 31)


@dataclass(frozen=True)
class World:
    """The shop with stock on its shelves and three more people."""

    shop: Shop
    anna: UserId  # staff
    erik: UserId  # staff
    lena: UserId  # manager
    count_diff: int
    supplier_loc: int
    customer_loc: int
    lot1: int
    lot2: int


def _user(s: Session, username: str, role: Role) -> UserId:
    user = User(username=username, display_name=username.capitalize(), role=role)
    s.add(user)
    s.flush()
    return UserId(user.id)


def _receive(
    s: Session, w: World | None, shop: Shop, item: int, qty: str, bin_code: str, **kw: object
) -> None:
    ledger.post_move(
        s,
        item_id=item,
        quantity=D(qty),
        from_location_id=locations.virtual_location_id(s, LocationKind.SUPPLIER),
        to_location_id=shop.bins[bin_code],
        kind=MoveKind.RECEIPT,
        user_id=shop.user,
        unit_cost=D(str(kw.pop("cost", "10"))),
        lot_id=kw.pop("lot_id", None),  # type: ignore[arg-type]
    )


def _issue(
    s: Session, w: World, item: int, qty: str, bin_code: str, lot_id: int | None = None
) -> None:
    ledger.post_move(
        s,
        item_id=item,
        quantity=D(qty),
        from_location_id=w.shop.bins[bin_code],
        to_location_id=w.customer_loc,
        kind=MoveKind.ISSUE,
        user_id=w.shop.user,
        lot_id=lot_id,
    )


@pytest.fixture
def world(db: Database) -> World:
    """Coffee 24 in A-01-01 (at 40), milk lots L1 ×10 and L2 ×5 in A-01-02 (at 11),
    tea 10 in B-02-01 (at 20), screws 1000 in C-03-01 (at 0.35)."""
    with unit_of_work(db) as s:
        shop = build_shop(s)
        lot1 = get_or_create_lot(s, shop.milk, "L1", EXPIRY).id
        lot2 = get_or_create_lot(s, shop.milk, "L2", EXPIRY).id
        _receive(s, None, shop, shop.coffee, "24", "A-01-01", cost="40")
        _receive(s, None, shop, shop.milk, "10", "A-01-02", cost="11", lot_id=lot1)
        _receive(s, None, shop, shop.milk, "5", "A-01-02", cost="11", lot_id=lot2)
        _receive(s, None, shop, shop.tea, "10", "B-02-01", cost="20")
        _receive(s, None, shop, shop.screw, "1000", "C-03-01", cost="0.35")
        return World(
            shop=shop,
            anna=_user(s, "anna", Role.STAFF),
            erik=_user(s, "erik", Role.STAFF),
            lena=_user(s, "lena", Role.MANAGER),
            count_diff=locations.virtual_location_id(s, LocationKind.COUNT_DIFFERENCE),
            supplier_loc=locations.virtual_location_id(s, LocationKind.SUPPLIER),
            customer_loc=locations.virtual_location_id(s, LocationKind.CUSTOMER),
            lot1=lot1,
            lot2=lot2,
        )


def _start(db: Database, w: World, kind: CountKind, scope: str = "", **kw: object) -> CountView:
    with unit_of_work(db) as s:
        return counting.start_count(s, w.anna, kind, scope, **kw)  # type: ignore[arg-type]


def _scan(db: Database, user: UserId, count_id: int, *texts: str) -> counting.CountScanOutcome:
    outcome = None
    with unit_of_work(db) as s:
        for scanned in texts:
            outcome = counting.add_scan(s, user, count_id, scanned)
    assert outcome is not None
    return outcome


def _view(db: Database, user: UserId, count_id: int) -> CountView:
    with unit_of_work(db, read_only=True) as s:
        return counting.get_count(s, user, count_id)


def _line(view: CountView, sku: str, bin_code: str | None = None, lot: str | None = None):  # type: ignore[no-untyped-def]
    return next(
        line
        for line in view.lines
        if line.sku == sku
        and (bin_code is None or line.bin_code == bin_code)
        and (lot is None or line.lot == lot)
    )


def _moves(db: Database) -> int:
    with unit_of_work(db, read_only=True) as s:
        return int(s.scalar(select(func.count()).select_from(StockMove)) or 0)


def _on_hand(db: Database, item: int, bin_id: int, lot: str | None = None) -> Decimal:
    with unit_of_work(db, read_only=True) as s:
        return sum(
            (
                row.quantity
                for row in item_stock(s, item)
                if row.location_id == bin_id and (lot is None or row.lot_code == lot)
            ),
            D(0),
        )


# --- snapshots and scopes --------------------------------------------------------------------


def test_an_aisle_count_snapshots_every_bin_item_and_lot_under_its_prefix(
    db: Database, world: World
) -> None:
    view = _start(db, world, CountKind.AISLE, "a-")
    assert view.number == "CC-1001" and view.status is CountStatus.COUNTING
    assert view.scope == "A-" and view.blind
    with unit_of_work(db, read_only=True) as s:
        manager = counting.get_count(s, world.lena, view.id)
    found = {(line.bin_code, line.sku, line.lot, line.expected) for line in manager.lines}
    assert found == {
        ("A-01-01", "KAFFE-500", None, D(24)),
        ("A-01-02", "MJOLK-1L", "L1", D(10)),
        ("A-01-02", "MJOLK-1L", "L2", D(5)),
    }
    assert [b.bin_code for b in manager.bins] == ["A-01-01", "A-01-02"]
    assert all(line.counted is None for line in manager.lines)


def test_bin_item_category_and_full_counts_snapshot_their_scope(db: Database, world: World) -> None:
    with unit_of_work(db) as s:
        s.execute(
            update(Item)
            .where(Item.id.in_([world.shop.tea, world.shop.coffee]))
            .values(category="Drycker")
        )
    by_bin = _start(db, world, CountKind.BIN, "c-03-01")
    by_item = _start(db, world, CountKind.ITEM, "mjolk-1l")
    by_category = _start(db, world, CountKind.CATEGORY, "drycker")
    full = _start(db, world, CountKind.FULL)
    assert (by_bin.scope, [line.sku for line in by_bin.lines]) == ("C-03-01", ["SKRUV-440"])
    assert (by_item.scope, [line.lot for line in by_item.lines]) == ("MJOLK-1L", ["L1", "L2"])
    assert by_category.scope == "Drycker"
    assert sorted(line.sku for line in by_category.lines) == ["KAFFE-500", "TE-GRON"]
    assert len(full.lines) == 5 and full.title == "Stock-take of the whole warehouse"
    assert [c.number for c in (by_bin, by_item, by_category, full)] == [
        "CC-1001",
        "CC-1002",
        "CC-1003",
        "CC-1004",
    ]


@pytest.mark.parametrize(
    ("kind", "scope", "message"),
    [
        (CountKind.BIN, "X-99", "There is no bin X-99."),
        (CountKind.BIN, "", "Give the code of the bin to count."),
        (CountKind.AISLE, "Q-", "No bin code starts with Q-."),
        (CountKind.AISLE, " ", "Give the start of the bin codes to count, e.g. B- or B-03."),
        (CountKind.ITEM, "NOPE", "There is no item with SKU NOPE."),
        (CountKind.ITEM, "", "Give the SKU of the item to count."),
        (CountKind.CATEGORY, " ", "Give the category to count."),
        (CountKind.CATEGORY, "Nothing", "No item is in category “Nothing”."),
        (
            CountKind.CYCLE,
            "",
            "A cycle count counts the items due today: start it from the cycle plan.",
        ),
    ],
)
def test_a_count_of_nothing_real_is_refused_and_creates_nothing(
    db: Database, world: World, kind: CountKind, scope: str, message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        _start(db, world, kind, scope)
    assert error.value.message == message
    with unit_of_work(db, read_only=True) as s:
        assert counting.list_counts(s) == []


def test_the_count_number_finds_the_count(db: Database, world: World) -> None:
    view = _start(db, world, CountKind.FULL)
    with unit_of_work(db, read_only=True) as s:
        assert counting.count_id_by_number(s, " cc-1001 ") == view.id
        assert counting.count_id_by_number(s, "1001") == view.id
        with pytest.raises(NotFoundError, match="There is no count CC-1002."):
            counting.count_id_by_number(s, "CC-1002")


# --- blind -------------------------------------------------------------------------------------


def test_a_blind_count_hides_expected_quantities_from_staff_but_not_from_managers(
    db: Database, world: World
) -> None:
    view = _start(db, world, CountKind.BIN, "A-01-01")
    outcome = _scan(db, world.anna, view.id, COFFEE_EAN)
    staff = outcome.count
    assert not staff.shows_expected
    line = _line(staff, "KAFFE-500")
    assert line.counted == D(1)
    assert (line.expected, line.system_at_count, line.variance, line.variance_value) == (
        None,
        None,
        None,
        None,
    )
    assert line.beyond_tolerance is None and "24" not in outcome.message
    manager = _view(db, world.lena, view.id)
    assert manager.shows_expected
    assert _line(manager, "KAFFE-500").expected == D(24)
    assert _line(manager, "KAFFE-500").variance == D(-23)
    open_count = _start(db, world, CountKind.BIN, "B-02-01", blind=False)
    assert _line(_view(db, world.anna, open_count.id), "TE-GRON").expected == D(10)


# --- scanning ------------------------------------------------------------------------------------


def test_each_scan_adds_one_a_carton_its_pack_and_nothing_posts(db: Database, world: World) -> None:
    view = _start(db, world, CountKind.AISLE, "A-")
    moves = _moves(db)
    needs_bin = _scan(db, world.anna, view.id, COFFEE_EAN)
    assert needs_bin.status is CountScanStatus.NEEDS_BIN and not needs_bin.saved
    assert needs_bin.message == "Scan the label of the bin Kaffe mellanrost 500 g is in first."
    in_bin = _scan(db, world.anna, view.id, "A-01-01")
    assert in_bin.status is CountScanStatus.BIN and in_bin.count.current_bin_code == "A-01-01"
    _scan(db, world.anna, view.id, COFFEE_EAN, COFFEE_EAN)
    outcome = _scan(db, world.anna, view.id, COFFEE_CARTON)
    assert outcome.status is CountScanStatus.ADDED and outcome.saved
    assert outcome.quantity == D(12) and outcome.counted == D(14)
    assert outcome.message == "+12 pcs Kaffe mellanrost 500 g in A-01-01 · counted 14"
    assert _moves(db) == moves
    with unit_of_work(db, read_only=True) as s:
        assert s.scalar(select(func.count()).select_from(StockCountEvent)) == 4


def test_a_typed_count_sets_the_counted_quantity_and_never_adds(db: Database, world: World) -> None:
    view = _start(db, world, CountKind.BIN, "A-01-01")
    _scan(db, world.anna, view.id, COFFEE_EAN, COFFEE_EAN)
    with unit_of_work(db) as s:
        first = counting.set_counted(s, world.anna, view.id, world.shop.coffee, "20")
        second = counting.set_counted(s, world.anna, view.id, world.shop.coffee, "21,5")
    assert first.status is CountScanStatus.SET and first.counted == D(20)
    assert second.counted == D("21.5") and second.mine == D("21.5")
    assert (
        second.message == "Kaffe mellanrost 500 g in A-01-01: your count is 21.5 pcs · counted 21.5"
    )
    with unit_of_work(db) as s:
        zero = counting.set_counted(s, world.anna, view.id, world.shop.coffee, 0)
    assert zero.counted == D(0)
    assert _on_hand(db, world.shop.coffee, world.shop.bins["A-01-01"]) == D(24)


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("-1", "The quantity cannot be negative."),
        ("abc", "“abc” is not a number. Type digits, e.g. 12 or 12.5."),
        ("1.2345", "A quantity can have at most 3 decimals."),
    ],
)
def test_a_bad_typed_quantity_is_refused_and_saves_nothing(
    db: Database, world: World, quantity: str, message: str
) -> None:
    view = _start(db, world, CountKind.BIN, "A-01-01")
    with pytest.raises(ValidationError) as error:
        with unit_of_work(db) as s:
            counting.set_counted(s, world.anna, view.id, world.shop.coffee, quantity)
    assert error.value.message == message
    with unit_of_work(db, read_only=True) as s:
        assert s.scalar(select(func.count()).select_from(StockCountEvent)) == 0


def test_two_counters_of_the_same_line_add_up_and_never_overwrite_each_other(
    db: Database, world: World
) -> None:
    view = _start(db, world, CountKind.BIN, "A-01-01")
    _scan(db, world.anna, view.id, COFFEE_CARTON)
    with unit_of_work(db) as s:
        erik = counting.set_counted(s, world.erik, view.id, world.shop.coffee, "10")
    assert erik.counted == D(22) and erik.mine == D(10)
    assert erik.message.endswith("· counted 22 (10 by you)")
    with unit_of_work(db) as s:
        anna = counting.set_counted(s, world.anna, view.id, world.shop.coffee, "13")
    assert anna.counted == D(23)
    line = _line(_view(db, world.lena, view.id), "KAFFE-500")
    assert {(c.user, c.quantity) for c in line.contributions} == {("Anna", D(13)), ("Erik", D(10))}


def test_unknown_and_unreadable_codes_save_nothing(db: Database, world: World) -> None:
    view = _start(db, world, CountKind.BIN, "A-01-01")
    unknown = _scan(db, world.anna, view.id, "7350000000993")
    assert unknown.status is CountScanStatus.UNKNOWN and not unknown.saved
    assert unknown.message == "Barcode 7350000000993 is not linked to an item."
    invalid = _scan(db, world.anna, view.id, "7310865004704")
    assert invalid.status is CountScanStatus.INVALID and not invalid.saved
    with unit_of_work(db, read_only=True) as s:
        assert s.scalar(select(func.count()).select_from(StockCountEvent)) == 0


def test_bins_and_items_outside_the_count_are_refused_not_counted(
    db: Database, world: World
) -> None:
    aisle = _start(db, world, CountKind.AISLE, "A-")
    other_bin = _scan(db, world.anna, aisle.id, "B-02-01")
    assert other_bin.status is CountScanStatus.OUT_OF_SCOPE
    assert other_bin.message == (
        "Bin B-02-01 is not part of count CC-1001 (Aisle A-): scan a bin of this count."
    )
    by_item = _start(db, world, CountKind.ITEM, "KAFFE-500")
    _scan(db, world.anna, by_item.id, "B-02-01")
    tea = _scan(db, world.anna, by_item.id, TEA_EAN)
    assert tea.status is CountScanStatus.OUT_OF_SCOPE and not tea.saved
    assert tea.message == (
        "TE-GRON Grönt te 20 påsar is not part of count CC-1002 (Item KAFFE-500): leave it "
        "uncounted, or put it back where it belongs."
    )


def test_undo_takes_back_the_counters_own_last_entry(db: Database, world: World) -> None:
    view = _start(db, world, CountKind.BIN, "A-01-01")
    _scan(db, world.anna, view.id, COFFEE_CARTON, COFFEE_EAN)
    _scan(db, world.erik, view.id, COFFEE_EAN)
    with unit_of_work(db) as s:
        undone = counting.undo_last_scan(s, world.anna, view.id)
    assert undone.status is CountScanStatus.UNDONE
    assert undone.message == "Undone: +1 pcs Kaffe mellanrost 500 g in A-01-01."
    assert undone.counted == D(13) and undone.mine == D(12)
    with unit_of_work(db) as s:
        counting.undo_last_scan(s, world.anna, view.id)
    with pytest.raises(ValidationError, match="Nothing of yours to undo on count CC-1001."):
        with unit_of_work(db) as s:
            counting.undo_last_scan(s, world.anna, view.id)
    assert _line(_view(db, world.lena, view.id), "KAFFE-500").counted == D(1)


def test_count_events_cannot_be_changed_or_deleted(db: Database, world: World) -> None:
    view = _start(db, world, CountKind.BIN, "A-01-01")
    _scan(db, world.anna, view.id, COFFEE_CARTON)
    for statement in ("UPDATE stock_count_event SET quantity = 1", "DELETE FROM stock_count_event"):
        with pytest.raises(DatabaseError):
            with unit_of_work(db) as s:
                s.execute(text(statement))
    with unit_of_work(db, read_only=True) as s:
        assert s.scalar(select(StockCountEvent.quantity)) == D(12)


# --- moves during a count ------------------------------------------------------------------------


def test_receipts_and_picks_posted_during_the_count_make_no_false_variance(
    db: Database, world: World
) -> None:
    view = _start(db, world, CountKind.AISLE, "A-")  # snapshot: coffee 24
    with unit_of_work(db) as s:
        # Between the snapshot and the count a delivery of 12 is put away…
        _receive(s, world, world.shop, world.shop.coffee, "12", "A-01-01", cost="40")
    _scan(db, world.anna, view.id, "A-01-01", COFFEE_CARTON, COFFEE_CARTON, COFFEE_CARTON)
    with unit_of_work(db) as s:
        # …and after the coffee was counted (36 on the shelf), 5 are picked.
        _issue(s, world, world.shop.coffee, "5", "A-01-01")
        # Milk: 3 of lot L1 are picked before anyone counts the milk.
        _issue(s, world, world.shop.milk, "3", "A-01-02", world.lot1)
    _scan(db, world.anna, view.id, "A-01-02")
    with unit_of_work(db) as s:
        counting.set_counted(s, world.anna, view.id, world.shop.milk, "7", lot="L1")
        counting.set_counted(s, world.anna, view.id, world.shop.milk, "5", lot="L2")
        counting.finish_count(s, world.anna, view.id)
    review = _view(db, world.lena, view.id)
    coffee = _line(review, "KAFFE-500")
    assert (coffee.expected, coffee.system_at_count, coffee.counted) == (D(24), D(36), D(36))
    assert coffee.variance == D(0) and coffee.beyond_tolerance is False
    milk = _line(review, "MJOLK-1L", lot="L1")
    assert (milk.expected, milk.system_at_count, milk.variance) == (D(10), D(7), D(0))
    moves = _moves(db)
    with unit_of_work(db) as s:
        approved = counting.approve_count(s, world.anna, view.id)
    assert [a.move_id for a in approved.adjustments] == [None, None, None]
    assert _moves(db) == moves
    assert _on_hand(db, world.shop.coffee, world.shop.bins["A-01-01"]) == D(31)
    assert approved.count.status is CountStatus.DONE


def test_the_variance_rule_is_explained_in_words(db: Database, world: World) -> None:
    rule = counting.variance_rule_text()
    assert "at the moment the line was counted" in rule
    assert _start(db, world, CountKind.FULL).rule_text == rule


# --- unexpected items and lots ----------------------------------------------------------------


def test_an_item_found_where_none_was_expected_is_counted_on_a_new_line(
    db: Database, world: World
) -> None:
    view = _start(db, world, CountKind.BIN, "A-01-01")
    tea = _scan(db, world.anna, view.id, TEA_EAN, TEA_EAN)
    assert tea.status is CountScanStatus.ADDED and tea.unexpected
    assert tea.message.endswith("· not expected in this bin: counted on a new line")
    with unit_of_work(db) as s:
        counting.set_counted(s, world.anna, view.id, world.shop.coffee, "24")
        counting.finish_count(s, world.anna, view.id)
    line = _line(_view(db, world.lena, view.id), "TE-GRON")
    assert line.unexpected and line.expected == D(0) and line.counted == D(2)
    assert line.variance == D(2) and line.beyond_tolerance is True
    with unit_of_work(db) as s:
        counting.approve_count(s, world.lena, view.id)
    assert _on_hand(db, world.shop.tea, world.shop.bins["A-01-01"]) == D(2)
    with unit_of_work(db, read_only=True) as s:
        move = s.scalars(select(StockMove).order_by(StockMove.id.desc())).first()
        assert move is not None
        assert (move.from_location_id, move.to_location_id) == (
            world.count_diff,
            world.shop.bins["A-01-01"],
        )
        assert move.unit_cost == D(20)


def test_lots_are_counted_by_their_gs1_data_and_asked_for_otherwise(
    db: Database, world: World
) -> None:
    view = _start(db, world, CountKind.BIN, "A-01-02")
    l1 = _scan(db, world.anna, view.id, gs1("0" + MILK_EAN, lot="L1", expiry=EXPIRY))
    assert l1.status is CountScanStatus.ADDED and l1.lot == "L1" and not l1.unexpected
    asked = _scan(db, world.anna, view.id, MILK_EAN)
    assert asked.status is CountScanStatus.NEEDS_LOT and not asked.saved
    assert asked.lot_choices == ("L1", "L2") and asked.pending is not None
    with unit_of_work(db) as s:
        l2 = counting.complete_scan(s, world.anna, view.id, asked.pending, lot="L2")
    assert l2.status is CountScanStatus.ADDED and l2.lot == "L2" and l2.counted == D(1)
    new_lot = _scan(db, world.anna, view.id, gs1("0" + MILK_EAN, lot="L9", expiry=EXPIRY))
    assert new_lot.unexpected and new_lot.lot == "L9"
    with unit_of_work(db) as s:
        counting.set_counted(s, world.anna, view.id, world.shop.milk, "10", lot="L1")
        counting.set_counted(s, world.anna, view.id, world.shop.milk, "4", lot="L2")
        counting.finish_count(s, world.anna, view.id)
        approved = counting.approve_count(s, world.lena, view.id)
    # Anna's typed figures replace her own scans of L1 and L2 (10 and 4, not 11 and 5).
    assert {(a.lot, a.variance) for a in approved.adjustments} == {
        ("L1", D(0)),
        ("L2", D(-1)),
        ("L9", D(1)),
    }
    assert _on_hand(db, world.shop.milk, world.shop.bins["A-01-02"], "L9") == D(1)
    with unit_of_work(db, read_only=True) as s:
        assert s.scalar(select(Lot.code).where(Lot.code == "L9")) == "L9"


# --- closing bins and finishing ---------------------------------------------------------------


def test_closing_a_bin_returns_what_was_expected_but_not_counted_to_confirm_as_zero(
    db: Database, world: World
) -> None:
    view = _start(db, world, CountKind.AISLE, "A-")
    _scan(db, world.anna, view.id, "A-01-02", gs1("0" + MILK_EAN, lot="L1"))
    with unit_of_work(db) as s:
        closed = counting.close_bin(s, world.anna, view.id)
    assert closed.bin_code == "A-01-02"
    assert [(u.sku, u.lot) for u in closed.unscanned] == [("MJOLK-1L", "L2")]
    assert closed.message == (
        "Bin A-01-02 closed. 1 expected item was not counted: confirm it as zero, or count it."
    )
    assert closed.count.current_bin_id is None
    assert next(b for b in closed.count.bins if b.bin_code == "A-01-02").closed
    with unit_of_work(db) as s:
        after = counting.confirm_zero(s, world.anna, view.id, [u.line_id for u in closed.unscanned])
    assert _line(after, "MJOLK-1L", lot="L2").counted == D(0)
    assert after.last_message == "1 line confirmed as zero."
    with unit_of_work(db) as s:
        again = counting.close_bin(s, world.anna, view.id, world.shop.bins["A-01-02"])
    assert again.unscanned == ()
    assert again.message == "Bin A-01-02 closed: everything expected in it was counted."


def test_a_closed_bin_scanned_again_is_open_until_it_is_closed_again(
    db: Database, world: World
) -> None:
    """'No, I will count it' at the close takes the counter back into the bin: the bin
    is not shown as closed while they count what was missing."""
    view = _start(db, world, CountKind.AISLE, "A-")
    _scan(db, world.anna, view.id, "A-01-02")
    with unit_of_work(db) as s:
        closed = counting.close_bin(s, world.anna, view.id)
        assert next(b for b in closed.count.bins if b.bin_code == "A-01-02").closed
        back = counting.set_bin(s, world.anna, view.id, "A-01-02")
    assert back.count.current_bin_code == "A-01-02"
    assert not next(b for b in back.count.bins if b.bin_code == "A-01-02").closed
    with unit_of_work(db) as s:
        again = counting.close_bin(s, world.anna, view.id)
        assert next(b for b in again.count.bins if b.bin_code == "A-01-02").closed
        # Undoing the scan that reopened it leaves it closed, as it was.
        counting.set_bin(s, world.anna, view.id, "A-01-02")
        undone = counting.undo_last_scan(s, world.anna, view.id)
    assert next(b for b in undone.count.bins if b.bin_code == "A-01-02").closed


def test_closing_needs_a_bin(db: Database, world: World) -> None:
    view = _start(db, world, CountKind.AISLE, "A-")
    with pytest.raises(ValidationError, match="Scan the label of the bin you are closing first."):
        with unit_of_work(db) as s:
            counting.close_bin(s, world.anna, view.id)


def test_finishing_is_refused_while_lines_are_uncounted_unless_they_are_skipped(
    db: Database, world: World
) -> None:
    view = _start(db, world, CountKind.AISLE, "A-")
    _scan(db, world.anna, view.id, "A-01-01", COFFEE_CARTON)
    with pytest.raises(ValidationError) as error:
        with unit_of_work(db) as s:
            counting.finish_count(s, world.anna, view.id)
    assert error.value.message == (
        "2 lines are not counted yet (bins A-01-02). Count them, confirm them as zero when "
        "closing their bins, or finish and skip them."
    )
    with unit_of_work(db) as s:
        finished = counting.finish_count(s, world.anna, view.id, skip_uncounted=True)
    assert finished.status is CountStatus.REVIEW
    assert {line.status for line in finished.lines if line.sku == "MJOLK-1L"} == {
        CountLineStatus.SKIPPED
    }
    with pytest.raises(ValidationError, match="already finished"):
        with unit_of_work(db) as s:
            counting.finish_count(s, world.anna, view.id)


# --- tolerance, approval, roles ---------------------------------------------------------------


def _counted_and_finished(db: Database, w: World, counts: dict[str, str]) -> CountView:
    """A full stock-take with the given counts (SKU → quantity; lots by their own SKU key)."""
    view = _start(db, w, CountKind.FULL)
    bins = {"KAFFE-500": "A-01-01", "TE-GRON": "B-02-01", "SKRUV-440": "C-03-01"}
    ids = {"KAFFE-500": w.shop.coffee, "TE-GRON": w.shop.tea, "SKRUV-440": w.shop.screw}
    with unit_of_work(db) as s:
        for sku, qty in counts.items():
            counting.set_counted(s, w.anna, view.id, ids[sku], qty, bin_id=w.shop.bins[bins[sku]])
        counting.set_counted(
            s, w.anna, view.id, w.shop.milk, "10", bin_id=w.shop.bins["A-01-02"], lot="L1"
        )
        counting.set_counted(
            s, w.anna, view.id, w.shop.milk, "5", bin_id=w.shop.bins["A-01-02"], lot="L2"
        )
        return counting.finish_count(s, w.anna, view.id)


def test_lines_beyond_the_tolerance_percentage_or_value_need_a_manager(
    db: Database, world: World
) -> None:
    view = _counted_and_finished(
        db,
        world,
        # coffee -1 of 24 = 4.2 % (within), tea -1 of 10 = 10 % (beyond),
        # screws -40 of 1000 = 4 % but only 14 kr (within).
        {"KAFFE-500": "23", "TE-GRON": "9", "SKRUV-440": "960"},
    )
    review = _view(db, world.lena, view.id)
    flags = {line.sku + (line.lot or ""): line.beyond_tolerance for line in review.lines}
    assert flags == {
        "KAFFE-500": False,
        "TE-GRON": True,
        "SKRUV-440": False,
        "MJOLK-1LL1": False,
        "MJOLK-1LL2": False,
    }
    coffee = _line(review, "KAFFE-500")
    assert (coffee.variance, coffee.unit_cost, coffee.variance_value) == (
        D(-1),
        D(40),
        D("-40.00"),
    )
    assert review.lines_beyond_tolerance == 1
    assert review.variance_value_total == D("-40.00") + D("-20.00") + D("-14.00")
    with unit_of_work(db) as s:
        settings.set_setting(s, "count_tolerance_value", "30")
    expensive = _line(_view(db, world.lena, view.id), "KAFFE-500")
    assert expensive.beyond_tolerance is True  # 40 kr > 30 kr, although only 4.2 %


def test_staff_cannot_approve_lines_beyond_tolerance_and_nothing_is_posted(
    db: Database, world: World
) -> None:
    view = _counted_and_finished(
        db, world, {"KAFFE-500": "23", "TE-GRON": "9", "SKRUV-440": "1000"}
    )
    tea = _line(_view(db, world.lena, view.id), "TE-GRON")
    moves = _moves(db)
    for line_ids in (None, [tea.id]):
        with pytest.raises(NotAllowedError) as error:
            with unit_of_work(db) as s:
                counting.approve_count(s, world.anna, view.id, line_ids)
        assert error.value.message == (
            "1 line is beyond tolerance (B-02-01 TE-GRON) and needs a manager's approval or a "
            "recount. Nothing was approved."
        )
    assert _moves(db) == moves
    assert all(line.status is CountLineStatus.OPEN for line in _view(db, world.lena, view.id).lines)


def test_staff_may_approve_lines_within_tolerance_and_a_manager_the_rest(
    db: Database, world: World
) -> None:
    view = _counted_and_finished(
        db, world, {"KAFFE-500": "23", "TE-GRON": "9", "SKRUV-440": "1000"}
    )
    staff_view = _view(db, world.anna, view.id)
    within = [line.id for line in staff_view.lines if not line.needs_manager]
    assert len(within) == 4 and staff_view.lines_beyond_tolerance == 1
    with unit_of_work(db) as s:
        by_staff = counting.approve_count(s, world.anna, view.id, within)
    assert by_staff.message == "4 lines of CC-1001 approved: 1 adjustment posted."
    assert by_staff.count.status is CountStatus.REVIEW
    assert _on_hand(db, world.shop.coffee, world.shop.bins["A-01-01"]) == D(23)
    with unit_of_work(db) as s:
        by_manager = counting.approve_count(s, world.lena, view.id)
    assert [(a.sku, a.variance, a.value) for a in by_manager.adjustments] == [
        ("TE-GRON", D(-1), D("-20.00"))
    ]
    assert by_manager.count.status is CountStatus.DONE
    assert by_manager.message.endswith("The count is done.")
    assert _on_hand(db, world.shop.tea, world.shop.bins["B-02-01"]) == D(9)
    with unit_of_work(db, read_only=True) as s:
        moves = s.scalars(
            select(StockMove).where(StockMove.kind == MoveKind.ADJUSTMENT).order_by(StockMove.id)
        ).all()
        assert [(m.reference, m.from_location_id, m.to_location_id, m.user_id) for m in moves] == [
            ("CC-1001", world.shop.bins["A-01-01"], world.count_diff, world.anna),
            ("CC-1001", world.shop.bins["B-02-01"], world.count_diff, world.lena),
        ]
        audits = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "approve").order_by(AuditEvent.id)
        ).all()
        assert [a.user_id for a in audits] == [world.anna, world.lena]
        assert '"sku": "TE-GRON"' in audits[1].details


def test_the_role_is_read_from_the_database_at_approval(db: Database, world: World) -> None:
    view = _counted_and_finished(
        db, world, {"KAFFE-500": "24", "TE-GRON": "5", "SKRUV-440": "1000"}
    )
    with unit_of_work(db) as s:
        s.execute(update(User).where(User.id == world.lena).values(role=Role.STAFF))
    with pytest.raises(NotAllowedError):
        with unit_of_work(db) as s:
            counting.approve_count(s, world.lena, view.id)
    with unit_of_work(db) as s:
        s.execute(update(User).where(User.id == world.anna).values(role=Role.ADMIN))
    with unit_of_work(db) as s:
        counting.approve_count(s, world.anna, view.id)
    with unit_of_work(db) as s:
        s.execute(update(User).where(User.id == world.erik).values(active=False))
    with pytest.raises(NotAllowedError, match="Erik is inactive"):
        with unit_of_work(db) as s:
            counting.get_count(s, world.erik, view.id)


def test_nothing_is_approved_while_counting_or_twice(db: Database, world: World) -> None:
    view = _start(db, world, CountKind.BIN, "A-01-01")
    _scan(db, world.anna, view.id, COFFEE_CARTON)
    with pytest.raises(ValidationError, match="still being counted: finish counting first"):
        with unit_of_work(db) as s:
            counting.approve_count(s, world.lena, view.id)
    with unit_of_work(db) as s:
        counting.finish_count(s, world.anna, view.id)
        counting.approve_count(s, world.lena, view.id)
    with pytest.raises(ValidationError, match="is done: every line is decided"):
        with unit_of_work(db) as s:
            counting.approve_count(s, world.lena, view.id)


# --- recount ----------------------------------------------------------------------------------


def test_a_recount_counts_the_line_again_in_a_new_round_by_someone_else(
    db: Database, world: World
) -> None:
    view = _counted_and_finished(
        db, world, {"KAFFE-500": "24", "TE-GRON": "6", "SKRUV-440": "1000"}
    )
    tea = _line(_view(db, world.lena, view.id), "TE-GRON")
    with unit_of_work(db) as s:
        same = counting.request_recount(s, world.lena, view.id, [tea.id], assign_to=world.anna)
    assert same.warning == (
        "Anna counted B-02-01 TE-GRON before; a recount by someone else is more reliable."
    )
    line = _line(same.count, "TE-GRON")
    assert line.status is CountLineStatus.RECOUNT and line.round == 2 and line.counted is None
    assert line.previous_counters == ("Anna",) and line.assigned_to == "Anna"
    # In review only recount lines take counts; the coffee is not one of them.
    refused = _scan(db, world.erik, view.id, "A-01-01", COFFEE_EAN)
    assert refused.status is CountScanStatus.NOT_RECOUNT and not refused.saved
    _scan(db, world.erik, view.id, "B-02-01", *([TEA_EAN] * 10))
    recounted = _line(_view(db, world.lena, view.id), "TE-GRON")
    assert recounted.counted == D(10) and recounted.variance == D(0)
    assert [c.user for c in recounted.contributions] == ["Erik"]
    with unit_of_work(db) as s:
        approved = counting.approve_count(s, world.anna, view.id)  # all within tolerance now
    assert {a.sku: a.move_id for a in approved.adjustments}["TE-GRON"] is None


def test_recounts_are_refused_for_lines_not_counted_or_decided(db: Database, world: World) -> None:
    view = _counted_and_finished(
        db, world, {"KAFFE-500": "24", "TE-GRON": "10", "SKRUV-440": "1000"}
    )
    coffee = _line(_view(db, world.lena, view.id), "KAFFE-500")
    with unit_of_work(db) as s:
        counting.request_recount(s, world.lena, view.id, [coffee.id])
    with pytest.raises(ValidationError, match="waiting for its recount already"):
        with unit_of_work(db) as s:
            counting.request_recount(s, world.lena, view.id, [coffee.id])
    with pytest.raises(ValidationError, match="has not been counted yet"):
        with unit_of_work(db) as s:
            counting.approve_count(s, world.lena, view.id, [coffee.id])
    with pytest.raises(NotFoundError, match="Line 999 is not on count CC-1001."):
        with unit_of_work(db) as s:
            counting.request_recount(s, world.lena, view.id, [999])


# --- stale counts, cancelling ---------------------------------------------------------------


def test_a_count_whose_stock_was_adjusted_after_counting_must_be_recounted(
    db: Database, world: World
) -> None:
    first = _start(db, world, CountKind.BIN, "B-02-01")
    second = _start(db, world, CountKind.AISLE, "B-")
    _scan(db, world.anna, first.id, *([TEA_EAN] * 8))
    _scan(db, world.erik, second.id, "B-02-01", *([TEA_EAN] * 8))
    with unit_of_work(db) as s:
        counting.finish_count(s, world.anna, first.id)
        counting.finish_count(s, world.erik, second.id)
        counting.approve_count(s, world.lena, first.id)
    assert _on_hand(db, world.shop.tea, world.shop.bins["B-02-01"]) == D(8)
    with pytest.raises(ValidationError) as error:
        with unit_of_work(db) as s:
            counting.approve_count(s, world.lena, second.id)
    assert error.value.message == (
        "The stock of B-02-01 TE-GRON was adjusted (CC-1001) after it was counted, so its "
        "count is out of date. Send it for recount. Nothing was approved."
    )
    assert _on_hand(db, world.shop.tea, world.shop.bins["B-02-01"]) == D(8)


def test_a_count_can_be_cancelled_until_something_is_approved(db: Database, world: World) -> None:
    view = _start(db, world, CountKind.BIN, "A-01-01")
    with unit_of_work(db) as s:
        cancelled = counting.cancel_count(s, world.anna, view.id)
    assert cancelled.status is CountStatus.CANCELLED
    with pytest.raises(ValidationError, match="was cancelled. Start a new count."):
        _scan(db, world.anna, view.id, COFFEE_EAN)
    other = _counted_and_finished(
        db, world, {"KAFFE-500": "24", "TE-GRON": "10", "SKRUV-440": "999"}
    )
    with unit_of_work(db) as s:
        counting.approve_count(s, world.anna, other.id, [_line(other, "KAFFE-500").id])
    with pytest.raises(ValidationError, match="approved and posted already"):
        with unit_of_work(db) as s:
            counting.cancel_count(s, world.lena, other.id)


def test_an_approval_that_would_overdraw_a_bin_is_refused_with_the_line_named(
    db: Database, world: World
) -> None:
    view = _start(db, world, CountKind.BIN, "B-02-01")
    with unit_of_work(db) as s:
        counting.set_counted(s, world.anna, view.id, world.shop.tea, "2")  # 8 missing…
        _issue(s, world, world.shop.tea, "9", "B-02-01")  # …but 9 were picked since
        counting.finish_count(s, world.anna, view.id)
    with pytest.raises(StockError) as error:
        with unit_of_work(db) as s:
            counting.approve_count(s, world.lena, view.id)
    assert error.value.message.startswith("B-02-01 TE-GRON: Only 1 pcs of TE-GRON in B-02-01")
    assert error.value.message.endswith("Send the line for recount.")


# --- import -------------------------------------------------------------------------------------


def test_an_imported_sheet_sets_counts_all_or_nothing(db: Database, world: World) -> None:
    view = _start(db, world, CountKind.AISLE, "A-")
    bad = [
        CountEntry("A-01-01", "KAFFE-500", "20"),
        CountEntry("A-09-09", "KAFFE-500", "1"),
        CountEntry("A-01-02", "MJOLK-1L", "3"),
        CountEntry("B-02-01", "TE-GRON", "1"),
        CountEntry("A-01-01", "NOPE", "x"),
    ]
    with pytest.raises(ImportFileError) as error:
        with unit_of_work(db) as s:
            counting.import_counts(s, world.anna, view.id, bad)
    assert error.value.problems == [
        "Row 2: there is no bin A-09-09.",
        "Row 3: MJOLK-1L is lot-tracked: give the lot.",
        "Row 4: bin B-02-01 is not part of this count.",
        "Row 5: there is no item with SKU NOPE.",
        "Row 5: “x” is not a number. Type digits, e.g. 12 or 12.5.",
    ]
    with unit_of_work(db, read_only=True) as s:
        assert s.scalar(select(func.count()).select_from(StockCountEvent)) == 0
    good = [
        CountEntry("a-01-01", "kaffe-500", "20"),
        CountEntry("A-01-01", "KAFFE-500", "3"),
        CountEntry("A-01-02", "MJOLK-1L", "9", "L1"),
        CountEntry("A-01-01", "TE-GRON", "2"),
    ]
    with unit_of_work(db) as s:
        imported = counting.import_counts(s, world.anna, view.id, good)
    assert imported.lines == 3 and imported.message == "3 lines set from the sheet."
    manager = _view(db, world.lena, view.id)
    assert _line(manager, "KAFFE-500").counted == D(23)
    assert _line(manager, "MJOLK-1L", lot="L1").counted == D(9)
    assert _line(manager, "TE-GRON").unexpected


# --- the cycle plan -------------------------------------------------------------------------------


def test_due_counts_list_what_the_plan_has_due_until_it_is_counted(
    db: Database, world: World
) -> None:
    with unit_of_work(db) as s:
        s.execute(update(Item).values(abc_class="A"))
        due = counting.due_counts(s, dt.date(2026, 3, 2))
    # Four A items counted monthly over the year's working days: each has been due at
    # least once by March 2.
    assert {d.sku for d in due.items} == {"KAFFE-500", "MJOLK-1L", "SKRUV-440", "TE-GRON"}
    assert due.is_working_day and due.due_today + due.overdue == 4
    assert all(d.planned_on <= dt.date(2026, 3, 2) for d in due.items)
    with unit_of_work(db) as s:
        cycle = counting.start_cycle_count(s, world.anna, dt.date(2026, 3, 2))
        assert counting.due_counts(s, dt.date(2026, 3, 2)).items == ()
        assert [c.id for c in counting.due_counts(s, dt.date(2026, 3, 2)).open_cycle_counts] == [
            cycle.id
        ]
    assert cycle.kind is CountKind.CYCLE and cycle.title == "Cycle count 2026-03-02"
    assert len(cycle.lines) == 5


def test_counts_planned_before_cycle_counting_began_are_not_due(db: Database, world: World) -> None:
    day = dt.date(2026, 3, 2)
    with unit_of_work(db) as s:
        s.execute(update(Item).values(abc_class="A"))
        everything = counting.due_counts(s, day)
        # Each A item's latest planned day up to March 2 lies within the last month.
        planned = {d.sku: d.planned_on for d in everything.items}
        begin = sorted(planned.values())[2]  # two of the four were planned earlier
        settings.set_setting(s, "count_plan_start", begin.isoformat())
        due = counting.due_counts(s, day)
    assert {d.sku for d in due.items} == {sku for sku, on in planned.items() if on >= begin}
    assert len(due.items) < len(everything.items)
    with unit_of_work(db) as s:
        settings.set_setting(s, "count_plan_start", (day + dt.timedelta(days=1)).isoformat())
        assert counting.due_counts(s, day).items == ()


@pytest.mark.parametrize("whole_pass_from", [0, 10_000], ids=["one-pass", "in-lists"])
def test_the_due_summary_gives_the_due_lists_numbers(
    db: Database, world: World, monkeypatch: pytest.MonkeyPatch, whole_pass_from: int
) -> None:
    # Last counts are read in one pass over every count or in IN lists, by how many items
    # are asked for: both ways must give the same.
    monkeypatch.setattr(count_plan, "_WHOLE_PASS_ITEMS", whole_pass_from)
    day = dt.date(2026, 3, 2)

    def both() -> tuple[counting.DueCounts, counting.DueSummary]:
        with unit_of_work(db, read_only=True) as s:
            return counting.due_counts(s, day), counting.due_summary(s, day)

    def agree(due: counting.DueCounts, summary: counting.DueSummary) -> None:
        assert summary.today == due.today == day
        assert summary.is_working_day == due.is_working_day
        assert summary.due == len(due.items)
        assert summary.overdue == due.overdue == sum(1 for d in due.items if d.overdue)
        assert summary.open_cycle_counts == len(due.open_cycle_counts)

    with unit_of_work(db) as s:
        s.execute(update(Item).values(abc_class="A"))
    due, summary = both()
    agree(due, summary)
    assert summary.due == 4 and summary.overdue > 0
    # Counted since its planned day (in today's stock-take, still open): no longer due.
    view = _start(db, world, CountKind.FULL)
    with unit_of_work(db) as s:
        counting.set_counted(
            s, world.anna, view.id, world.shop.coffee, "24", bin_id=world.shop.bins["A-01-01"]
        )
    due, summary = both()
    agree(due, summary)
    assert {d.sku for d in due.items} == {"MJOLK-1L", "SKRUV-440", "TE-GRON"}
    # The rest go into an open cycle count: nothing due, one count open.
    with unit_of_work(db) as s:
        counting.start_cycle_count(s, world.anna, day)
    due, summary = both()
    agree(due, summary)
    assert (summary.due, summary.open_cycle_counts) == (0, 1)


def test_a_cycle_count_of_nothing_due_is_refused(db: Database, world: World) -> None:
    with unit_of_work(db) as s:
        s.execute(update(Item).values(abc_class="C"))
        settings.set_setting(s, "count_frequency_c", "0")
    with pytest.raises(ValidationError, match="No item is due for counting today."):
        with unit_of_work(db) as s:
            counting.start_cycle_count(s, world.anna, dt.date(2026, 3, 2))


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("count_frequency_a", "monthly", "The count frequency of class A (“monthly”)"),
        ("count_working_days", "mon-fri", "The counting days setting “mon-fri”"),
        ("count_tolerance_percent", "-5", "The count tolerance setting “-5”"),
        ("count_plan_start", "25/11", "The setting for when cycle counting began (“25/11”)"),
    ],
)
def test_bad_count_settings_are_named(
    db: Database, world: World, key: str, value: str, message: str
) -> None:
    with unit_of_work(db) as s:
        settings.set_setting(s, key, value)
    with pytest.raises(ValidationError) as error:
        with unit_of_work(db) as s:
            counting.due_counts(s, dt.date(2026, 3, 2))
            counting.count_tolerance(s)
    assert error.value.message.startswith(message)


# --- inventory accuracy ---------------------------------------------------------------------------


def test_inventory_accuracy_is_the_share_of_lines_within_tolerance_per_month_and_class(
    db: Database, world: World
) -> None:
    with unit_of_work(db) as s:
        s.execute(update(Item).where(Item.id == world.shop.tea).values(abc_class="A"))
        s.execute(update(Item).where(Item.id != world.shop.tea).values(abc_class="B"))
    view = _counted_and_finished(
        db, world, {"KAFFE-500": "24", "TE-GRON": "9", "SKRUV-440": "1000"}
    )
    with unit_of_work(db) as s:
        counting.approve_count(s, world.lena, view.id)
        today = dt.datetime.now().astimezone().date()
        accuracy = counting.inventory_accuracy(s, months=3, today=today)
    assert [m.month for m in accuracy.months][-1] == today.replace(day=1)
    assert len(accuracy.months) == 3
    assert (accuracy.total.lines, accuracy.total.within) == (5, 4)
    assert accuracy.total.percent == D("80.0")
    assert accuracy.by_class["A"].percent == D("0.0")
    assert accuracy.by_class["B"].percent == D("100.0")
    assert accuracy.by_class["C"].percent is None
    assert accuracy.months[0].total.lines == 0
    with pytest.raises(ValidationError, match="Choose between 1 and 120 months."):
        with unit_of_work(db, read_only=True) as s:
            counting.inventory_accuracy(s, months=0)


def test_listing_counts_shows_progress(db: Database, world: World) -> None:
    view = _start(db, world, CountKind.AISLE, "A-")
    _scan(db, world.anna, view.id, "A-01-01", SCREW_EAN, COFFEE_EAN)
    with unit_of_work(db, read_only=True) as s:
        (summary,) = counting.list_counts(s, active_only=True)
    assert (summary.number, summary.lines, summary.counted) == ("CC-1001", 4, 2)
    assert summary.status_text == "Counting"


# --- schema -----------------------------------------------------------------------------------


def test_the_migration_builds_the_count_tables_and_can_be_undone(db: Database) -> None:
    count_tables = {"stock_count", "stock_count_item", "stock_count_line", "stock_count_event"}
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    with db.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0002")
    assert not count_tables & set(inspect(db.engine).get_table_names())
    with db.engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")
    assert count_tables <= set(inspect(db.engine).get_table_names())
