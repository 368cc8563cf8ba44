"""Moving stock between bins: one TRANSFER move, the same stock and value, and every way
a move can be refused changing nothing."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Location, MoveKind, StockLevel, StockMove, User
from app.services import lots, settings, stock, users, valuation
from app.services.database import Database, unit_of_work
from app.services.errors import HyllaError, NotAllowedError, ValidationError
from app.services.transfers import BinMove, move_between_bins
from tests import factories


def _levels(session: Session) -> list[tuple[int, int, int, Decimal]]:
    return [
        (level.item_id, level.location_id, level.lot_key, level.quantity)
        for level in session.scalars(
            select(StockLevel).order_by(
                StockLevel.item_id, StockLevel.location_id, StockLevel.lot_key
            )
        )
    ]


def _snapshot(session: Session) -> tuple[int, list[tuple[int, int, int, Decimal]]]:
    """The number of moves and every level: what a refused move must leave as it was."""
    moves = session.scalar(select(func.count()).select_from(StockMove)) or 0
    return moves, _levels(session)


def locations_id(session: Session, code: str) -> int:
    found = session.scalar(select(Location.id).where(Location.code == code))
    assert found is not None
    return found


def _values(session: Session) -> dict[int, tuple[Decimal, Decimal]]:
    return {
        item_id: (value.quantity, value.value)
        for item_id, value in valuation.item_values_as_of(session, dt.date.today()).items()
    }


@pytest.mark.parametrize("method", ["fifo", "average"])
def test_a_move_changes_the_bins_and_neither_the_stock_nor_its_value(
    db: Database, method: str
) -> None:
    places = db.run(factories.places, 3)
    db.run(settings.set_setting, "costing_method", method)
    item = db.run(factories.item, places.user, "BOLT-8", name="Bolt M8")
    db.run(factories.receive, places, item.id, "10", "1.00", 0)
    db.run(factories.receive, places, item.id, "6", "2.50", 0)
    db.run(factories.receive, places, item.id, "4", "3.00", 1)
    stock_before = db.run(stock.list_stock)
    values_before = db.run(_values)
    total_value_before = sum(row.value for row in stock_before)

    moved = db.run(
        move_between_bins, places.user, item.id, places.bins[0], "A-01-03", Decimal("12.5")
    )

    assert isinstance(moved, BinMove)
    assert (moved.sku, moved.from_code, moved.to_code) == ("BOLT-8", "A-01-01", "A-01-03")
    assert moved.quantity == Decimal("12.5") and moved.left_in_source == Decimal("3.5")
    assert moved.lot_id is None and moved.lot_code == ""
    assert moved.message == "Moved 12.5 pcs BOLT-8 from A-01-01 to A-01-03."
    rows = db.run(stock.list_stock)
    assert [(r.location_code, r.quantity) for r in rows] == [
        ("A-01-01", Decimal("3.5")),
        ("A-01-02", Decimal(4)),
        ("A-01-03", Decimal("12.5")),
    ]
    assert sum(r.quantity for r in rows) == Decimal(20)
    assert sum(r.value for r in rows) == total_value_before
    assert db.run(_values) == values_before
    history = db.run(stock.item_moves, item.id)
    assert history[0].id == moved.move_id
    assert history[0].kind is MoveKind.TRANSFER
    assert (history[0].from_code, history[0].to_code) == ("A-01-01", "A-01-03")
    assert history[0].user == "tester"


def test_a_lot_moves_on_its_own_and_a_scanned_code_finds_the_bin(db: Database) -> None:
    places = db.run(factories.places, 2)
    salt = db.run(factories.item, places.user, "SALT", unit="kg", lot_tracked=True)
    old = db.run(lots.get_or_create_lot, salt.id, "L-OLD", dt.date(2030, 1, 1))
    new = db.run(lots.get_or_create_lot, salt.id, "L-NEW", dt.date(2031, 1, 1))
    db.run(factories.receive, places, salt.id, "5", "2", 0, old.id)
    db.run(factories.receive, places, salt.id, "7", "2", 0, new.id)

    # As a scanner with symbology identifiers sends a Code 128 bin label, lower case too.
    moved = db.run(
        move_between_bins, places.user, salt.id, places.bins[0], "]C0a-01-02", "5", old.id
    )

    assert moved.to_code == "A-01-02" and moved.lot_code == "L-OLD"
    assert moved.left_in_source == 0
    assert moved.message == "Moved 5 kg SALT (lot L-OLD) from A-01-01 to A-01-02."
    rows = db.run(stock.list_stock)
    assert [(r.location_code, r.lot_code, r.quantity) for r in rows] == [
        ("A-01-01", "L-NEW", Decimal(7)),
        ("A-01-02", "L-OLD", Decimal(5)),
    ]


def test_a_target_bin_can_be_given_by_id_and_staff_may_move(db: Database) -> None:
    places = db.run(factories.places, 2)
    staff = db.run(users.workstation_user, "stina")  # not the first user: staff
    assert staff.role.value == "staff"
    item = db.run(factories.item, places.user, "NUT")
    db.run(factories.receive, places, item.id, "3")

    moved = db.run(move_between_bins, staff.id, item.id, places.bins[0], places.bins[1], 3)

    assert (moved.to_code, moved.left_in_source) == ("A-01-02", Decimal(0))
    assert db.run(stock.item_moves, item.id)[0].user == "stina"


def _deactivate_bin(session: Session, code: str) -> None:
    location = session.get(Location, locations_id(session, code))
    assert location is not None
    location.active = False


def _deactivate_user(session: Session, user_id: int) -> None:
    user = session.get(User, user_id)
    assert user is not None
    user.active = False


@pytest.mark.parametrize(
    ("to_bin", "quantity", "field", "message"),
    [
        (
            "X-01-01",
            "1",
            "to_bin",
            "There is no bin X-01-01. Scan the bin's label or check the code.",
        ),
        ("   ", "1", "to_bin", "Scan the label of the bin to move to, or type its code."),
        (
            "customers",
            "1",
            "to_bin",
            "CUSTOMERS is not a bin but where goods come from or go to (Customers). "
            "Scan the label of a bin on the shelves.",
        ),
        (
            "a-01-01",
            "1",
            "to_bin",
            "The goods are already in A-01-01. Scan or type the bin to move them to.",
        ),
        (
            "A-01-03",
            "1",
            "to_bin",
            "Bin A-01-03 is inactive. Choose another bin, or have it reactivated on the "
            "Locations page.",
        ),
        ("A-01-02", "0", "quantity", "The quantity must be greater than zero."),
        ("A-01-02", "-2", "quantity", "The quantity must be greater than zero."),
        ("A-01-02", "", "quantity", "“” is not a number. Type digits, e.g. 12 or 12.5."),
        ("A-01-02", "two", "quantity", "“two” is not a number. Type digits, e.g. 12 or 12.5."),
        ("A-01-02", "1.0005", "quantity", "A quantity can have at most 3 decimals."),
        (
            "A-01-02",
            "10.5",
            "quantity",
            "Only 10 pcs of NAIL are in A-01-01; you cannot move 10.5.",
        ),
    ],
)
def test_a_refused_move_says_why_beside_its_field_and_changes_nothing(
    db: Database, to_bin: str, quantity: str, field: str, message: str
) -> None:
    places = db.run(factories.places, 3)
    db.run(_deactivate_bin, "A-01-03")
    item = db.run(factories.item, places.user, "NAIL")
    db.run(factories.receive, places, item.id, "10")
    before = db.run(_snapshot)

    with pytest.raises(ValidationError) as refused:
        db.run(move_between_bins, places.user, item.id, places.bins[0], to_bin, quantity)

    assert (refused.value.field, refused.value.message) == (field, message)
    assert db.run(_snapshot) == before


def test_lots_are_checked_and_refusals_say_what_the_lot_holds(db: Database) -> None:
    places = db.run(factories.places, 2)
    salt = db.run(factories.item, places.user, "SALT", unit="kg", lot_tracked=True)
    other = db.run(factories.item, places.user, "SAND", lot_tracked=True)
    lot = db.run(lots.get_or_create_lot, salt.id, "L1")
    empty = db.run(lots.get_or_create_lot, salt.id, "L2")
    foreign = db.run(lots.get_or_create_lot, other.id, "S1")
    db.run(factories.receive, places, salt.id, "2.25", "1", 0, lot.id)
    before = db.run(_snapshot)

    def refusal(lot_id: int | None, quantity: str = "1") -> tuple[str | None, str]:
        with pytest.raises(ValidationError) as refused:
            db.run(
                move_between_bins, places.user, salt.id, places.bins[0], "A-01-02", quantity, lot_id
            )
        return refused.value.field, refused.value.message

    assert refusal(None) == ("lot", "SALT is lot-tracked: say which lot to move.")
    assert refusal(foreign.id) == ("lot", "That lot does not belong to item SALT.")
    assert refusal(lot.id, "3") == (
        "quantity",
        "Only 2.25 kg of SALT (lot L1) are in A-01-01; you cannot move 3.",
    )
    assert refusal(empty.id) == ("quantity", "There is no SALT of lot L2 in A-01-01.")
    assert db.run(_snapshot) == before


def test_an_item_that_is_not_in_the_bin_cannot_be_moved_from_it(db: Database) -> None:
    places = db.run(factories.places, 2)
    # Even an item allowed to go negative: what is not on the shelf cannot be carried off.
    item = db.run(factories.item, places.user, "GHOST", allow_negative=True)
    db.run(factories.receive, places, item.id, "1", "1", 1)
    before = db.run(_snapshot)

    with pytest.raises(ValidationError) as refused:
        db.run(move_between_bins, places.user, item.id, places.bins[0], "A-01-02", "1")

    assert refused.value.message == "There is no GHOST in A-01-01."
    assert db.run(_snapshot) == before


def test_unknown_things_and_deactivated_users_are_refused(db: Database) -> None:
    places = db.run(factories.places, 2)
    item = db.run(factories.item, places.user, "NUT")
    db.run(factories.receive, places, item.id, "3")
    staff = db.run(users.workstation_user, "stina")
    db.run(_deactivate_user, staff.id)
    before = db.run(_snapshot)

    def refused(user_id: int, item_id: int, from_bin: int, to_bin: int | str) -> str:
        with pytest.raises(HyllaError) as error:
            db.run(move_between_bins, user_id, item_id, from_bin, to_bin, "1")
        return error.value.message

    assert refused(places.user, 999_999, places.bins[0], "A-01-02") == (
        "Item 999999 does not exist."
    )
    assert refused(places.user, item.id, places.customer, "A-01-02") == (
        f"Bin {places.customer} does not exist."
    )
    assert refused(places.user, item.id, places.bins[0], 999_999) == "Bin 999999 does not exist."
    with pytest.raises(NotAllowedError):
        db.run(move_between_bins, staff.id, item.id, places.bins[0], "A-01-02", "1")
    assert db.run(_snapshot) == before


def test_two_workstations_moving_the_last_units_cannot_both_succeed(db: Database) -> None:
    places = db.run(factories.places, 3)
    item = db.run(factories.item, places.user, "LAST")
    db.run(factories.receive, places, item.id, "5")
    first_moved = threading.Event()
    outcomes: dict[str, object] = {}

    def first() -> None:
        with unit_of_work(db) as session:
            outcomes["first"] = move_between_bins(
                session, places.user, item.id, places.bins[0], "A-01-02", "5"
            )
            first_moved.set()
            # Holds its lock while the other workstation tries: without the item lock
            # the other one would read 5 still in the bin and move them again.
            threading.Event().wait(0.5)

    def second() -> None:
        assert first_moved.wait(10)
        try:
            with unit_of_work(db) as session:
                outcomes["second"] = move_between_bins(
                    session, places.user, item.id, places.bins[0], "A-01-03", "5"
                )
        except HyllaError as error:
            outcomes["second"] = error

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert isinstance(outcomes["first"], BinMove)
    assert isinstance(outcomes["second"], ValidationError)
    assert outcomes["second"].message == "There is no LAST in A-01-01."
    rows = db.run(stock.list_stock)
    assert [(r.location_code, r.quantity) for r in rows] == [("A-01-02", Decimal(5))]
