"""Picking: scans verified against the order, typed quantities, short picks with a reason,
undo, the append-only pick log, and the pick list's data in bin-path order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from app.models import LocationKind, OrderStatus, PickEvent, ShortReason
from app.services import locations, orders, picking
from app.services.database import Database, unit_of_work
from app.services.errors import DatabaseError, NotFoundError, ValidationError
from app.services.lots import get_or_create_lot
from app.services.picking import PickStatus
from tests import factories as f

D = Decimal


def _world_with_order(s, *lines: tuple[str, str]):  # type: ignore[no-untyped-def]
    """World, stock of 6 coffee in A-01-01 and 4 in A-01-02, and a confirmed order."""
    w = f.order_world(s)
    f.receive(s, w.places, w.stocked, "6", bin_index=0)
    f.receive(s, w.places, w.stocked, "4", bin_index=1)
    ids = {"stocked": w.stocked, "zero_point": w.zero_point, "lotted": w.lotted}
    order_id = f.confirmed_order(s, w.user, w.customer, *[(ids[k], q) for k, q in lines])
    return w, order_id


def _pick_events(s) -> int:  # type: ignore[no-untyped-def]
    return int(s.scalar(select(func.count()).select_from(PickEvent)) or 0)


def test_scanning_the_bin_then_the_item_picks_it(db: Database) -> None:
    with unit_of_work(db) as s:
        w, order_id = _world_with_order(s, ("stocked", "3"))
        started = picking.start_picking(s, w.staff, order_id)
        at_bin = picking.pick_scan(s, w.staff, order_id, "A-01-01")
        first = picking.pick_scan(s, w.staff, order_id, f.STOCKED_EAN)
    assert started.status is OrderStatus.PICKING
    assert [b.bin_code for b in started.lines[0].bins] == ["A-01-01", "A-01-02"]
    assert at_bin.status is PickStatus.BIN and at_bin.saved
    assert at_bin.message == "Bin A-01-01: pick KAFFE."
    assert first.status is PickStatus.PICKED and first.saved
    assert first.message == "Picked 1 pcs Kaffe mellanrost from A-01-01 (1 of 3)."
    line = first.view.lines[0]
    assert (line.to_pick, line.picked, line.remaining) == (D(3), D(1), D(2))
    assert first.view.current_bin_code == "A-01-01"
    assert first.view.last_pick is not None and first.view.last_pick.bin_code == "A-01-01"
    # What is left in the bin for picking counts what this pick already took.
    assert first.view.lines[0].bins[0].quantity == D(5)


def test_a_wrong_item_is_refused_and_saves_nothing(db: Database) -> None:
    with unit_of_work(db) as s:
        w, order_id = _world_with_order(s, ("stocked", "3"))
        picking.pick_scan(s, w.staff, order_id, "A-01-01")
        before = _pick_events(s)
        wrong = picking.pick_scan(s, w.staff, order_id, f.LOTTED_EAN)
        unknown = picking.pick_scan(s, w.staff, order_id, "0000000000000")
        gibberish = picking.pick_scan(s, w.staff, order_id, "NO-SUCH-THING")
        other_list = picking.pick_scan(s, w.staff, order_id, "SO-1077")
        own_list = picking.pick_scan(s, w.staff, order_id, "]C0SO-1001")
        after = _pick_events(s)
    assert wrong.status is PickStatus.WRONG_ITEM and not wrong.saved
    assert wrong.message == "Wrong item: MJOLK Mjölk 1 l is not on order SO-1001. Put it back."
    assert not unknown.saved and unknown.status in (PickStatus.UNKNOWN, PickStatus.INVALID)
    assert gibberish.status is PickStatus.UNKNOWN and "not a barcode" in gibberish.message
    assert other_list.status is PickStatus.WRONG_ITEM and "SO-1077" in other_list.message
    assert own_list.status is PickStatus.ORDER and not own_list.saved
    assert after == before
    assert wrong.view.lines[0].picked == 0


def test_picks_are_checked_against_the_bin_and_what_is_left(db: Database) -> None:
    with unit_of_work(db) as s:
        w, order_id = _world_with_order(s, ("stocked", "8"))
        line_id = orders.get_order(s, order_id).lines[0].id
        no_bin = picking.pick_scan(s, w.staff, order_id, f.STOCKED_EAN)
        picking.set_pick_bin(s, w.staff, order_id, "a-01-03")
        empty_bin = picking.pick_scan(s, w.staff, order_id, f.STOCKED_EAN)
        picking.set_pick_bin(s, w.staff, order_id, "A-01-02")
        too_few = picking.pick_quantity(s, w.staff, order_id, line_id, "5")
        typed = picking.pick_quantity(s, w.staff, order_id, line_id, "4")
        from_first = picking.pick_quantity(s, w.staff, order_id, line_id, "4", bin_id=w.bins[0])
        too_many = picking.pick_scan(s, w.staff, order_id, f.STOCKED_EAN)
    assert no_bin.status is PickStatus.NEEDS_BIN and "Scan the bin" in no_bin.message
    assert empty_bin.status is PickStatus.NOT_IN_BIN
    assert empty_bin.message == "Bin A-01-03 holds no KAFFE. Check the bin: A-01-01, A-01-02."
    assert too_few.status is PickStatus.NOT_IN_BIN
    assert too_few.message == "Bin A-01-02 holds only 4 pcs of KAFFE."
    assert typed.status is PickStatus.PICKED and from_first.status is PickStatus.PICKED
    assert too_many.status is PickStatus.TOO_MANY
    assert too_many.message == "All of KAFFE is already picked (8 pcs)."
    assert too_many.view.complete


def test_more_than_is_left_is_refused(db: Database) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        f.receive(s, w.places, w.stocked, "50")
        order_id = f.confirmed_order(s, w.user, w.customer, (w.stocked, "5"))
        line_id = orders.get_order(s, order_id).lines[0].id
        picking.set_pick_bin(s, w.staff, order_id, "A-01-01")
        over = picking.pick_quantity(s, w.staff, order_id, line_id, "6")
    assert over.status is PickStatus.TOO_MANY and not over.saved
    # Typed, so there is nothing to put back: only the number to fix.
    assert over.message == "Only 5 pcs of KAFFE are left to pick, not 6: type 5 or less."


def test_a_backordered_line_is_not_picked(db: Database) -> None:
    with unit_of_work(db) as s:
        w, order_id = _world_with_order(s, ("stocked", "2"), ("zero_point", "5"))
        picking.set_pick_bin(s, w.staff, order_id, "A-01-01")
        outcome = picking.pick_scan(s, w.staff, order_id, f.ZERO_POINT_EAN)
    assert outcome.status is PickStatus.TOO_MANY
    assert (
        outcome.message == "SKRUV-ZP is on backorder for SO-1001; none of it is to be picked now."
    )


def test_an_order_with_nothing_in_stock_cannot_start_picking(db: Database) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        order_id = f.confirmed_order(s, w.user, w.customer, (w.zero_point, "5"))
    with pytest.raises(ValidationError, match="every line waits for stock"):
        with unit_of_work(db) as s:
            picking.start_picking(s, w.user, order_id)
    with unit_of_work(db, read_only=True) as s:
        assert orders.get_order(s, order_id).status is OrderStatus.CONFIRMED


def test_drafts_and_cancelled_orders_are_not_picked(sqlite_db: Database) -> None:
    with unit_of_work(sqlite_db) as s:
        w = f.order_world(s)
        draft = orders.create_order(s, w.user, w.customer).id
        gone = f.confirmed_order(s, w.user, w.customer, (w.stocked, "1"))
        orders.cancel_order(s, w.user, gone)
    with pytest.raises(ValidationError, match="Confirm it before picking"):
        with unit_of_work(sqlite_db) as s:
            picking.pick_scan(s, w.user, draft, "A-01-01")
    with pytest.raises(ValidationError, match="cancelled; there is nothing to pick"):
        with unit_of_work(sqlite_db) as s:
            picking.start_picking(s, w.user, gone)


def test_a_short_pick_needs_a_reason_and_fits_what_is_left(db: Database) -> None:
    with unit_of_work(db) as s:
        w, order_id = _world_with_order(s, ("stocked", "5"))
        line_id = orders.get_order(s, order_id).lines[0].id
        picking.set_pick_bin(s, w.staff, order_id, "A-01-01")
        picking.pick_quantity(s, w.staff, order_id, line_id, "3")
    for quantity, reason, note, message in (
        ("3", ShortReason.NOT_FOUND, "", "Only 2 pcs of KAFFE are left to pick"),
        ("1", ShortReason.OTHER, "", "Say what happened"),
        ("1", "lost-in-space", "", "Choose why"),
        ("0", ShortReason.DAMAGED, "", "greater than zero"),
    ):
        with pytest.raises(ValidationError, match=message), unit_of_work(db) as s:
            picking.record_short_pick(s, w.staff, order_id, line_id, quantity, reason, note)
    with unit_of_work(db) as s:
        short = picking.record_short_pick(
            s, w.staff, order_id, line_id, "2", ShortReason.DAMAGED, "Trasig kartong"
        )
    assert short.status is PickStatus.SHORT and short.saved
    assert short.message == "2 pcs of KAFFE reported short: Damaged."
    line = short.view.lines[0]
    assert (line.picked, line.short, line.short_reason, line.remaining) == (
        D(3),
        D(2),
        ShortReason.DAMAGED,
        D(0),
    )
    assert short.view.complete


def test_undo_takes_back_the_last_pick_with_a_new_row(db: Database) -> None:
    with unit_of_work(db) as s:
        w, order_id = _world_with_order(s, ("stocked", "3"))
        picking.set_pick_bin(s, w.staff, order_id, "A-01-01")
        picking.pick_scan(s, w.staff, order_id, f.STOCKED_EAN)
        picking.pick_scan(s, w.staff, order_id, f.STOCKED_EAN)
        undone = picking.undo_last_pick(s, w.staff, order_id)
        picking.undo_last_pick(s, w.staff, order_id)
        events = _pick_events(s)
    assert undone.status is PickStatus.UNDONE
    assert undone.message == "Undone: picked 1 of KAFFE. Put the goods back."
    assert undone.view.lines[0].picked == 1
    assert events == 5  # bin, two picks, two undos: nothing was deleted
    with pytest.raises(ValidationError, match="no pick to undo"), unit_of_work(db) as s:
        picking.undo_last_pick(s, w.staff, order_id)


def test_the_pick_log_cannot_be_changed_or_deleted(db: Database) -> None:
    with unit_of_work(db) as s:
        w, order_id = _world_with_order(s, ("stocked", "3"))
        picking.set_pick_bin(s, w.staff, order_id, "A-01-01")
        picking.pick_scan(s, w.staff, order_id, f.STOCKED_EAN)
    for statement in ("UPDATE pick_event SET quantity = 2000", "DELETE FROM pick_event"):
        with pytest.raises(DatabaseError, match="Saved scans cannot be changed"):
            with unit_of_work(db) as s:
                s.execute(text(statement))
    with unit_of_work(db, read_only=True) as s:
        assert picking.get_pick(s, order_id).lines[0].picked == 1


def test_every_acknowledged_scan_survives_a_new_session(sqlite_db: Database) -> None:
    with unit_of_work(sqlite_db) as s:
        w, order_id = _world_with_order(s, ("stocked", "3"))
    for scan in ("A-01-02", f.STOCKED_EAN, f.STOCKED_EAN):
        with unit_of_work(sqlite_db) as s:
            assert picking.pick_scan(s, w.staff, order_id, scan).saved
    # A failing action later rolls back only itself.
    with pytest.raises(NotFoundError, match="not on SO-1001"), unit_of_work(sqlite_db) as s:
        picking.record_short_pick(s, w.staff, order_id, 999_999, "1", ShortReason.SHORT)
    with unit_of_work(sqlite_db, read_only=True) as s:
        view = picking.get_pick(s, order_id)
    assert view.current_bin_code == "A-01-02" and view.lines[0].picked == 2 and view.picks == 2


def test_lots_are_picked_by_scan_or_asked_for(db: Database) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        early = get_or_create_lot(s, w.lotted, "L1", dt.date(2030, 1, 1)).id
        late = get_or_create_lot(s, w.lotted, "L2", dt.date(2030, 6, 1)).id
        f.receive(s, w.places, w.lotted, "2", bin_index=0, lot_id=late)
        f.receive(s, w.places, w.lotted, "2", bin_index=0, lot_id=early)
        order_id = f.confirmed_order(s, w.user, w.customer, (w.lotted, "3"))
        view = picking.start_picking(s, w.staff, order_id)
        picking.set_pick_bin(s, w.staff, order_id, "A-01-01")
        ask = picking.pick_scan(s, w.staff, order_id, f.LOTTED_EAN)
        gs1 = "]C101" + "0" + f.LOTTED_EAN + "10L1"
        by_lot = picking.pick_scan(s, w.staff, order_id, gs1)
        missing_lot = picking.pick_scan(s, w.staff, order_id, "]C101" + "0" + f.LOTTED_EAN + "10L9")
        line_id = view.lines[0].line_id
        typed = picking.pick_quantity(s, w.staff, order_id, line_id, "1", lot="L2")
    # First expiry first: lot L1 is offered before L2.
    assert [(b.lot, b.quantity) for b in view.lines[0].bins] == [("L1", D(2)), ("L2", D(2))]
    assert ask.status is PickStatus.NEEDS_LOT and "L1, L2" in ask.message
    assert by_lot.status is PickStatus.PICKED
    assert missing_lot.status is PickStatus.NOT_IN_BIN and "lot L9" in missing_lot.message
    assert typed.status is PickStatus.PICKED
    assert typed.view.lines[0].picked == 2


def test_the_lot_of_a_typed_quantity_can_be_the_goods_label_scanned(db: Database) -> None:
    """The pick screen's lot question takes a lot typed, or the label scanned into it."""
    with unit_of_work(db) as s:
        w = f.order_world(s)
        early = get_or_create_lot(s, w.lotted, "L1", dt.date(2030, 1, 1)).id
        late = get_or_create_lot(s, w.lotted, "L2", dt.date(2030, 6, 1)).id
        f.receive(s, w.places, w.lotted, "2", bin_index=0, lot_id=late)
        f.receive(s, w.places, w.lotted, "2", bin_index=0, lot_id=early)
        order_id = f.confirmed_order(s, w.user, w.customer, (w.lotted, "3"), (w.stocked, "1"))
        f.receive(s, w.places, w.stocked, "1", bin_index=0)
        view = picking.start_picking(s, w.staff, order_id)
        line_id = next(ln.line_id for ln in view.lines if ln.item_id == w.lotted)
        picking.set_pick_bin(s, w.staff, order_id, "A-01-01")
        at_start = _pick_events(s)
        asked = picking.pick_quantity(s, w.staff, order_id, line_id, "2")
        # The unit barcode names no lot; another item's code is no answer either.
        with pytest.raises(ValidationError) as plain:
            picking.pick_quantity(s, w.staff, order_id, line_id, "2", lot=f.LOTTED_EAN)
        with pytest.raises(ValidationError) as other:
            picking.pick_quantity(s, w.staff, order_id, line_id, "2", lot=f.STOCKED_EAN)
        # The label's own date is what the picker holds: past it, the lot is refused.
        dated = "]C101" + "0" + f.LOTTED_EAN + "17250101" + "10L1"
        expired = picking.pick_quantity(s, w.staff, order_id, line_id, "1", lot=dated)
        before = _pick_events(s)
        label = "]C101" + "0" + f.LOTTED_EAN + "17300601" + "10L2"
        by_label = picking.pick_quantity(s, w.staff, order_id, line_id, "2", lot=label)
        typed = picking.pick_quantity(s, w.staff, order_id, line_id, "1", lot="  L1 ")
    assert asked.status is PickStatus.NEEDS_LOT and asked.quantity == D(2)
    assert asked.message == (
        "Bin A-01-01 holds several lots of MJOLK: which did you take? Scan its label, or "
        "choose or type the lot (L1, L2)."
    )
    assert plain.value.field == "lot"
    assert plain.value.message == (
        "That barcode names MJOLK but not its lot. Scan the label that shows the lot, or "
        "choose the lot."
    )
    assert other.value.field == "lot"
    assert other.value.message == (
        "That is the label of KAFFE, not of MJOLK. Scan the label of the MJOLK you took."
    )
    assert (expired.status, expired.lot) == (PickStatus.EXPIRED, "L1")
    assert expired.message.startswith("Lot L1 of MJOLK expired on 01/01/2025.")
    assert before == at_start  # nothing of the questions and refusals was saved
    assert (by_label.status, by_label.lot, by_label.quantity) == (PickStatus.PICKED, "L2", D(2))
    assert (typed.status, typed.lot) == (PickStatus.PICKED, "L1")
    line = next(ln for ln in typed.view.lines if ln.line_id == line_id)
    assert line.picked == D(3) and line.remaining == 0


def test_the_pick_list_walks_the_bins_in_path_order(db: Database) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        b_bin = locations.save_bin(s, w.user, "B-01-01").id
        z_item = f.item(s, w.user, "AAA", name="Först i SKU men sist i gången", sales_price="1").id
        receive_to = {z_item: b_bin}
        for item_id, bin_id in receive_to.items():
            from app.models import MoveKind
            from app.services import ledger

            ledger.post_move(
                s,
                item_id=item_id,
                quantity=D(5),
                from_location_id=locations.virtual_location_id(s, LocationKind.SUPPLIER),
                to_location_id=bin_id,
                kind=MoveKind.RECEIPT,
                user_id=w.user,
                unit_cost=D(1),
            )
        f.receive(s, w.places, w.stocked, "2", bin_index=1)
        f.receive(s, w.places, w.stocked, "2", bin_index=0)
        order_id = f.confirmed_order(
            s, w.user, w.customer, (z_item, "1"), (w.stocked, "3"), (w.zero_point, "4")
        )
        data = picking.pick_list_data(s, order_id)
        draft = orders.create_order(s, w.user, w.customer).id
    # The item's usual bin (A-01-01) is emptied first; rows then sorted by bin.
    assert [(r.bin_code, r.sku, r.quantity) for r in data.lines] == [
        ("A-01-01", "KAFFE", D(2)),
        ("A-01-02", "KAFFE", D(1)),
        ("B-01-01", "AAA", D(1)),
    ]
    assert [(r.sku, r.quantity) for r in data.waiting] == [("SKRUV-ZP", D(4))]
    assert data.number == "SO-1001" and data.customer.name == "Kund Ett AB"
    with pytest.raises(ValidationError, match="Confirm it before printing"):
        with unit_of_work(db, read_only=True) as s:
            picking.pick_list_data(s, draft)
