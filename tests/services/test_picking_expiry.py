"""Expired lots at the pick: never suggested, never taken automatically, refused when
scanned or typed (nothing saved), named when they are all there is — on the pick screen's
data and on the pick list. "Today" is a fixed day given to the services, so the lots'
dates below mean the same whenever the tests run.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select

from app.barcodes.gs1 import encode_date
from app.models import PickEvent, PickEventKind, ShortReason
from app.reports.pick_list import render_pick_list
from app.services import orders, picking
from app.services.database import Database, unit_of_work
from app.services.lots import get_or_create_lot
from app.services.picking import PickStatus
from tests import factories as f
from tests.reports.pdf_tools import pdf_text

D = Decimal
TODAY = dt.date(2025, 9, 1)
EXPIRED = dt.date(2025, 7, 8)  # "08/07/2025" in the tests' language (English, en_GB)
SOON = dt.date(2025, 12, 1)
LATER = dt.date(2026, 10, 27)
# Orders confirmed while every lot was still good: expired stock is never reserved, so
# the pick only meets it when a lot expired between the reservation and the pick.
RESERVED = dt.date(2025, 5, 1)


def _gs1(ean: str, lot: str, expiry: dt.date | None = None) -> str:
    """A GS1-128 scan: (01), (17) if given, then (10) last."""
    text = "]C101" + "0" + ean
    if expiry is not None:
        text += "17" + encode_date(expiry)
    return text + "10" + lot


def _events(s) -> int:  # type: ignore[no-untyped-def]
    return int(s.scalar(select(func.count()).select_from(PickEvent)) or 0)


def _milk_world(s):  # type: ignore[no-untyped-def]
    """Milk (lot-tracked): lot OLD (expired) 3 in A-01-01 and 2 in A-01-02 beside lot NEW
    (latest expiry), lot MID (earliest unexpired) 2 in A-01-03; an order for 3."""
    w = f.order_world(s)
    old = get_or_create_lot(s, w.lotted, "OLD", EXPIRED).id
    mid = get_or_create_lot(s, w.lotted, "MID", SOON).id
    new = get_or_create_lot(s, w.lotted, "NEW", LATER).id
    f.receive(s, w.places, w.lotted, "3", bin_index=0, lot_id=old)
    f.receive(s, w.places, w.lotted, "2", bin_index=1, lot_id=old)
    f.receive(s, w.places, w.lotted, "2", bin_index=1, lot_id=new)
    f.receive(s, w.places, w.lotted, "2", bin_index=2, lot_id=mid)
    order_id = f.confirmed_order(s, w.user, w.customer, (w.lotted, "3"), today=TODAY)
    return w, order_id


def test_suggestions_skip_expired_lots_and_keep_first_expiry_first(db: Database) -> None:
    with unit_of_work(db) as s:
        w, order_id = _milk_world(s)
        view = picking.start_picking(s, w.staff, order_id, today=TODAY)
        # The same stock seen on a day before lot OLD expired: OLD comes first again.
        before = picking.get_pick(s, order_id, today=EXPIRED)
    line = view.lines[0]
    assert [(b.bin_code, b.lot, b.quantity) for b in line.bins] == [
        ("A-01-03", "MID", D(2)),
        ("A-01-02", "NEW", D(2)),
    ]
    assert not any(b.expired for b in line.bins)
    assert [(b.bin_code, b.lot, b.expired) for b in line.expired_bins] == [
        ("A-01-01", "OLD", True),
        ("A-01-02", "OLD", True),
    ]
    assert line.notice == "" and not line.only_expired
    assert [b.lot for b in before.lines[0].bins] == ["OLD", "OLD", "MID", "NEW"]
    assert before.lines[0].expired_bins == ()


def test_a_scanned_or_typed_expired_lot_is_refused_and_saves_nothing(db: Database) -> None:
    with unit_of_work(db) as s:
        w, order_id = _milk_world(s)
        line_id = orders.get_order(s, order_id).lines[0].id
        # Before any bin: the expired label is refused all the same.
        no_bin = picking.pick_scan(s, w.staff, order_id, _gs1(f.LOTTED_EAN, "OLD", EXPIRED))
        picking.set_pick_bin(s, w.staff, order_id, "A-01-02", today=TODAY)
        before = _events(s)
        # The label's (17) says it; without a (17), the lot's record does; typed, too.
        by_label = picking.pick_scan(
            s, w.staff, order_id, _gs1(f.LOTTED_EAN, "OLD", EXPIRED), today=TODAY
        )
        by_record = picking.pick_scan(s, w.staff, order_id, _gs1(f.LOTTED_EAN, "OLD"), today=TODAY)
        typed = picking.pick_quantity(s, w.staff, order_id, line_id, "1", lot="OLD", today=TODAY)
        after = _events(s)
        # A label of a lot Hylla has never seen, dated in the past, is just as expired.
        unknown_lot = picking.pick_scan(
            s, w.staff, order_id, _gs1(f.LOTTED_EAN, "X9", EXPIRED), today=TODAY
        )
        good = picking.pick_scan(s, w.staff, order_id, _gs1(f.LOTTED_EAN, "NEW"), today=TODAY)
    assert no_bin.status is PickStatus.EXPIRED and not no_bin.saved
    # Where the picker stands holds an unexpired lot: take that one, no walk.
    message = "Lot OLD of MJOLK expired on 08/07/2025. Put it back and take lot NEW from A-01-02."
    for refused in (by_label, by_record, typed):
        assert refused.status is PickStatus.EXPIRED and not refused.saved
        assert refused.message == message
        assert refused.view.lines[0].picked == 0
    assert after == before
    assert unknown_lot.status is PickStatus.EXPIRED
    assert unknown_lot.message.startswith("Lot X9 of MJOLK expired on 08/07/2025.")
    assert good.status is PickStatus.PICKED and good.view.lines[0].picked == 1


def test_the_refusal_names_the_first_unexpired_lot_when_this_bin_has_none(db: Database) -> None:
    with unit_of_work(db) as s:
        w, order_id = _milk_world(s)
        at_bin = picking.set_pick_bin(s, w.staff, order_id, "A-01-01", today=TODAY)
        refused = picking.pick_scan(
            s, w.staff, order_id, _gs1(f.LOTTED_EAN, "OLD", EXPIRED), today=TODAY
        )
        # A plain unit code here: the bin holds only the expired lot.
        plain = picking.pick_scan(s, w.staff, order_id, f.LOTTED_EAN, today=TODAY)
        events = s.scalar(
            select(func.count()).select_from(PickEvent).where(PickEvent.kind == PickEventKind.PICK)
        )
    assert at_bin.status is PickStatus.BIN and at_bin.saved
    assert at_bin.message == (
        "Bin A-01-01: nothing of this order to pick here. "
        "Leave MJOLK lot OLD here: it expired on 08/07/2025."
    )
    assert at_bin.warning == "Leave MJOLK lot OLD here: it expired on 08/07/2025."
    assert refused.message == (
        "Lot OLD of MJOLK expired on 08/07/2025. Put it back and take lot MID from A-01-03."
    )
    assert plain.status is PickStatus.EXPIRED
    assert plain.message == (
        "Lot OLD of MJOLK in bin A-01-01 expired on 08/07/2025. "
        "Put it back and take lot MID from A-01-03."
    )
    assert events == 0


def test_a_plain_scan_beside_an_expired_lot_asks_which_lot(db: Database) -> None:
    with unit_of_work(db) as s:
        w, order_id = _milk_world(s)
        picking.set_pick_bin(s, w.staff, order_id, "A-01-02", today=TODAY)
        plain = picking.pick_scan(s, w.staff, order_id, f.LOTTED_EAN, today=TODAY)
    # One unexpired lot here, but the expired one is on the same shelf: which is in hand?
    assert plain.status is PickStatus.NEEDS_LOT and not plain.saved
    assert plain.message == (
        "Which lot of MJOLK did you take? Scan its label, or choose or type the lot (NEW). "
        "Leave lot OLD in the bin: it expired on 08/07/2025."
    )


def test_the_automatic_take_of_dated_lots_skips_expired_ones(db: Database) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        # Coffee is not lot-tracked but kept by expiry: dated lots, taken without asking.
        old = get_or_create_lot(s, w.stocked, "D-OLD", EXPIRED).id
        fresh = get_or_create_lot(s, w.stocked, "D-NEW", LATER).id
        gone = get_or_create_lot(s, w.stocked, "D-GONE", dt.date(2025, 6, 1)).id
        f.receive(s, w.places, w.stocked, "2", bin_index=0, lot_id=old)
        f.receive(s, w.places, w.stocked, "3", bin_index=0, lot_id=fresh)
        f.receive(s, w.places, w.stocked, "4", bin_index=1, lot_id=gone)
        order_id = f.confirmed_order(s, w.user, w.customer, (w.stocked, "2"), today=TODAY)
        line_id = orders.get_order(s, order_id).lines[0].id
        view = picking.start_picking(s, w.staff, order_id, today=TODAY)
        picking.set_pick_bin(s, w.staff, order_id, "A-01-02", today=TODAY)
        before = _events(s)
        only_expired_here = picking.pick_scan(s, w.staff, order_id, f.STOCKED_EAN, today=TODAY)
        typed_here = picking.pick_quantity(s, w.staff, order_id, line_id, "1", today=TODAY)
        after = _events(s)
        picking.set_pick_bin(s, w.staff, order_id, "A-01-01", today=TODAY)
        taken = picking.pick_quantity(s, w.staff, order_id, line_id, "2", today=TODAY)
        lots = list(
            s.scalars(
                select(PickEvent.lot_id).where(
                    PickEvent.kind == PickEventKind.PICK, PickEvent.order_id == order_id
                )
            )
        )
    assert [b.lot for b in view.lines[0].bins] == ["D-NEW"]
    for refused in (only_expired_here, typed_here):
        assert refused.status is PickStatus.EXPIRED and not refused.saved
        assert refused.message == (
            "Lot D-GONE of KAFFE in bin A-01-02 expired on 01/06/2025. "
            "Put it back and take lot D-NEW from A-01-01."
        )
    assert after == before
    # First expiry first would take D-OLD; it has expired, so D-NEW is taken.
    assert taken.status is PickStatus.PICKED and taken.saved
    assert lots == [fresh]
    assert taken.message == (
        "Picked 2 pcs Kaffe mellanrost from A-01-01 (2 of 2). "
        "Leave lot D-OLD in the bin: it expired on 08/07/2025."
    )
    assert taken.warning == "Leave lot D-OLD in the bin: it expired on 08/07/2025."


def test_a_bin_with_too_little_unexpired_stock_says_the_rest_expired(db: Database) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        old = get_or_create_lot(s, w.stocked, "D-OLD", EXPIRED).id
        fresh = get_or_create_lot(s, w.stocked, "D-NEW", LATER).id
        f.receive(s, w.places, w.stocked, "5", bin_index=0, lot_id=old)
        f.receive(s, w.places, w.stocked, "1", bin_index=0, lot_id=fresh)
        f.receive(s, w.places, w.stocked, "5", bin_index=1, lot_id=fresh)
        order_id = f.confirmed_order(s, w.user, w.customer, (w.stocked, "3"), today=TODAY)
        line_id = orders.get_order(s, order_id).lines[0].id
        picking.set_pick_bin(s, w.staff, order_id, "A-01-01", today=TODAY)
        too_few = picking.pick_quantity(s, w.staff, order_id, line_id, "3", today=TODAY)
    assert too_few.status is PickStatus.NOT_IN_BIN and not too_few.saved
    assert too_few.message == (
        "Bin A-01-01 holds only 1 pcs of KAFFE. "
        "Leave lot D-OLD in the bin: it expired on 08/07/2025."
    )


def test_only_expired_stock_is_named_and_the_line_can_be_reported_short(db: Database) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        old = get_or_create_lot(s, w.lotted, "L250526", EXPIRED).id
        f.receive(s, w.places, w.lotted, "4", bin_index=2, lot_id=old)
        order_id = f.confirmed_order(s, w.user, w.customer, (w.lotted, "2"), today=RESERVED)
        view = picking.start_picking(s, w.staff, order_id, today=TODAY)
        picking.set_pick_bin(s, w.staff, order_id, "A-01-03", today=TODAY)
        refused = picking.pick_scan(
            s, w.staff, order_id, _gs1(f.LOTTED_EAN, "L250526", EXPIRED), today=TODAY
        )
        short = picking.record_short_pick(
            s,
            w.staff,
            order_id,
            view.lines[0].line_id,
            "2",
            ShortReason.OTHER,
            "Utgånget parti",
            today=TODAY,
        )
    line = view.lines[0]
    assert line.bins == () and line.only_expired
    assert line.notice == (
        "Only expired stock: lot L250526 expired 08/07/2025 in A-01-03 — ask a manager."
    )
    assert refused.status is PickStatus.EXPIRED
    assert refused.message == (
        "Lot L250526 of MJOLK expired on 08/07/2025. "
        "Put it back: there is no MJOLK in stock that has not expired. Ask a manager."
    )
    assert short.status is PickStatus.SHORT and short.view.complete


def test_part_expired_stock_says_how_much_is_good(db: Database) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        old = get_or_create_lot(s, w.lotted, "OLD", EXPIRED).id
        new = get_or_create_lot(s, w.lotted, "NEW", LATER).id
        f.receive(s, w.places, w.lotted, "4", bin_index=0, lot_id=old)
        f.receive(s, w.places, w.lotted, "1", bin_index=1, lot_id=new)
        order_id = f.confirmed_order(s, w.user, w.customer, (w.lotted, "3"), today=RESERVED)
        line = picking.get_pick(s, order_id, today=TODAY).lines[0]
    assert not line.only_expired
    assert line.notice == (
        "Only 1 pcs have not expired; lot OLD expired 08/07/2025 in A-01-01 — ask a manager."
    )


def test_the_pick_list_skips_expired_lots_and_marks_what_only_they_hold(db: Database) -> None:
    with unit_of_work(db) as s:
        w, order_id = _milk_world(s)
        zero = get_or_create_lot(s, w.stocked, "<b>K&OLD</b>", EXPIRED).id
        f.receive(s, w.places, w.stocked, "6", bin_index=0, lot_id=zero)
        other = f.confirmed_order(s, w.user, w.customer, (w.stocked, "2"), today=RESERVED)
        data = picking.pick_list_data(s, order_id, today=TODAY)
        marked = picking.pick_list_data(s, other, today=TODAY)
    # Lot MID (first expiry among the unexpired) and NEW, in bin order; OLD is on no row.
    assert [(r.bin_code, r.lot, r.quantity, r.note) for r in data.lines] == [
        ("A-01-02", "NEW", D(1), ""),
        ("A-01-03", "MID", D(2), ""),
    ]
    # Only an expired lot holds the coffee: a row without a bin says so.
    assert [(r.bin_code, r.sku, r.lot, r.quantity) for r in marked.lines] == [
        ("", "KAFFE", "", D(2)),
    ]
    note = "Only expired stock: lot <b>K&OLD</b> expired 08/07/2025 in A-01-01 — ask a manager."
    assert marked.lines[0].note == note
    text = " ".join(pdf_text(render_pick_list(marked))).replace("\n", " ")
    assert "(no bin)" in text
    # Printed literally (markup escaped), though it may wrap in its cell.
    assert "Only expired stock: lot <b>K&OLD</b> expired 08/07/2025" in text


def test_a_notice_names_the_three_oldest_expired_lots_and_counts_the_rest(
    db: Database,
) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        for n in range(5):
            lot = get_or_create_lot(s, w.lotted, f"E{n}", EXPIRED - dt.timedelta(days=10 * n))
            f.receive(s, w.places, w.lotted, "1", bin_index=n % 3, lot_id=lot.id)
        order_id = f.confirmed_order(s, w.user, w.customer, (w.lotted, "2"), today=RESERVED)
        line = picking.get_pick(s, order_id, today=TODAY).lines[0]
        at_bin = picking.set_pick_bin(s, w.staff, order_id, "A-01-01", today=TODAY)
    assert line.notice == (
        "Only expired stock: lot E4 expired 29/05/2025 in A-01-02; "
        "lot E3 expired 08/06/2025 in A-01-01; lot E2 expired 18/06/2025 in A-01-03 "
        "and 2 more — ask a manager."
    )
    # Two expired lots on this shelf: both named, oldest first.
    assert at_bin.warning == "Leave MJOLK lots E3, E0 here: they have expired."


def test_several_expired_lots_beside_the_one_taken_are_all_named(db: Database) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        for n in range(4):
            lot = get_or_create_lot(s, w.stocked, f"D{n}", EXPIRED - dt.timedelta(days=n))
            f.receive(s, w.places, w.stocked, "1", lot_id=lot.id)
        fresh = get_or_create_lot(s, w.stocked, "D-NEW", LATER).id
        f.receive(s, w.places, w.stocked, "5", lot_id=fresh)
        order_id = f.confirmed_order(s, w.user, w.customer, (w.stocked, "1"), today=TODAY)
        picking.set_pick_bin(s, w.staff, order_id, "A-01-01", today=TODAY)
        taken = picking.pick_scan(s, w.staff, order_id, f.STOCKED_EAN, today=TODAY)
    assert taken.status is PickStatus.PICKED
    assert taken.warning == "Leave lots D3, D2, D1 and 1 more in the bin: they have expired."


def test_confirming_never_reserves_expired_stock(db: Database) -> None:
    # Picking refuses expired lots, so reserving them would promise goods that cannot
    # be shipped: the order waits (backorder) instead, and availability says so.
    with unit_of_work(db) as s:
        w = f.order_world(s)
        old = get_or_create_lot(s, w.lotted, "OLD", EXPIRED).id
        new = get_or_create_lot(s, w.lotted, "NEW", LATER).id
        f.receive(s, w.places, w.lotted, "4", bin_index=0, lot_id=old)
        f.receive(s, w.places, w.lotted, "1", bin_index=1, lot_id=new)
        order_id = f.confirmed_order(s, w.user, w.customer, (w.lotted, "3"), today=TODAY)
        line = orders.get_order(s, order_id).lines[0]
        seen = orders.item_availability(s, [w.lotted])[w.lotted]
        # Arriving good stock goes to the waiting line; expired stock never does.
        fresh = get_or_create_lot(s, w.lotted, "FRESH", LATER).id
        f.receive(s, w.places, w.lotted, "2", bin_index=2, lot_id=fresh)
        orders.allocate_backorders(s, [w.lotted], today=TODAY)
        after = orders.get_order(s, order_id).lines[0]
    assert (line.reserved, line.backordered) == (D(1), D(2))
    assert (seen.on_hand, seen.reserved) == (D(5), D(1))
    assert (after.reserved, after.backordered) == (D(3), D(0))
