"""Customer orders: entry, reservation and availability, backorders and their dates,
zero-point purchase needs, cancellation and closing, allocation of arriving stock."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.models import (
    AuditEvent,
    CustomerOrderLine,
    NeedStatus,
    OrderStatus,
    PurchaseNeed,
)
from app.services import orders, receiving
from app.services.customers import CustomerInput, save_customer
from app.services.database import Database, unit_of_work
from app.services.errors import NotAllowedError, NotFoundError, ValidationError
from app.services.items import ItemInput, save_item
from app.services.purchase_orders import (
    PurchaseOrderLineInput,
    create_purchase_order,
    send_purchase_order,
)
from tests import factories as f

D = Decimal
TODAY = dt.date.today()


def _order(s, w: f.OrderWorld, *lines: tuple[int, str], customer: int | None = None) -> int:  # type: ignore[no-untyped-def]
    order = orders.create_order(
        s,
        w.user,
        customer or w.customer,
        lines=[orders.OrderLineInput(item_id, qty) for item_id, qty in lines],
    )
    return order.id


# --- entry -------------------------------------------------------------------------------


def test_orders_are_numbered_and_lines_take_the_items_sales_price(db: Database) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        first = orders.create_order(s, w.user, w.customer, customer_reference="PO 77")
        second = orders.create_order(s, w.user, w.other_customer)
        detail = orders.add_order_line(s, w.user, first.id, w.stocked, "3")
        detail = orders.add_order_line(s, w.user, first.id, w.zero_point, "2,5", unit_price="2")
    assert (first.number, second.number) == ("SO-1001", "SO-1002")
    assert detail.status is OrderStatus.DRAFT and detail.editable
    assert [(ln.sku, ln.quantity, ln.unit_price, ln.amount) for ln in detail.lines] == [
        ("KAFFE", D(3), D(50), D("150.00")),
        ("SKRUV-ZP", D("2.5"), D(2), D("5.00")),
    ]
    assert detail.total == D("155.00")
    assert detail.customer_reference == "PO 77"
    with unit_of_work(db, read_only=True) as s:
        assert orders.find_order_by_number(s, "so-1002") is not None
        assert orders.find_order_by_number(s, "]C0SO-1001").id == first.id  # type: ignore[union-attr]
        assert orders.find_order_by_number(s, "SO-9999") is None
        with pytest.raises(NotFoundError, match="no customer order SO-9999"):
            orders.order_id_by_number(s, "SO-9999")
        rows = orders.list_orders(s)
    assert [r.number for r in rows] == ["SO-1002", "SO-1001"]
    assert rows[1].lines == 2 and rows[1].total == D("155.00")


@pytest.mark.parametrize(
    ("quantity", "price", "message"),
    [
        ("0", None, "greater than zero"),
        ("-2", None, "greater than zero"),
        ("two", None, "not a number"),
        ("1.0001", None, "at most 3 decimals"),
        ("1", "-5", None),
    ],
)
def test_bad_line_input_is_refused_and_changes_nothing(
    sqlite_db: Database, quantity: str, price: str | None, message: str | None
) -> None:
    with unit_of_work(sqlite_db) as s:
        w = f.order_world(s)
        order_id = orders.create_order(s, w.user, w.customer).id
    with pytest.raises(ValidationError) as caught, unit_of_work(sqlite_db) as s:
        orders.add_order_line(s, w.user, order_id, w.stocked, quantity, unit_price=price)
    if message:
        assert message in caught.value.message
    with unit_of_work(sqlite_db, read_only=True) as s:
        assert orders.get_order(s, order_id).lines == ()


def test_entry_refusals_say_what_to_do(sqlite_db: Database) -> None:
    with unit_of_work(sqlite_db) as s:
        w = f.order_world(s)
        no_price = f.item(s, w.user, "NOPRICE").id
        inactive = f.item(s, w.user, "OLD", active=False).id
        gone = save_customer(s, w.user, CustomerInput("GONE", "Borta AB", active=False)).id
        order_id = orders.create_order(s, w.user, w.customer).id
        orders.add_order_line(s, w.user, order_id, w.stocked, "1")
    cases = [
        (lambda s: orders.add_order_line(s, w.user, order_id, no_price, "1"), "no sales price"),
        (lambda s: orders.add_order_line(s, w.user, order_id, inactive, "1"), "inactive"),
        (lambda s: orders.add_order_line(s, w.user, order_id, w.stocked, "1"), "already on line 1"),
        (lambda s: orders.create_order(s, w.user, gone), "Activate the customer"),
        (
            lambda s: orders.create_order(
                s, w.user, w.customer, requested_date=TODAY - dt.timedelta(days=1)
            ),
            "in the past",
        ),
        (
            lambda s: orders.create_order(s, w.user, w.customer, requested_date="31/12"),
            "YYYY-MM-DD",
        ),
        (lambda s: orders.create_order(s, w.user, w.customer, note="x" * 501), "500"),
    ]
    for action, message in cases:
        with pytest.raises(ValidationError, match=message), unit_of_work(sqlite_db) as s:
            action(s)
    with unit_of_work(sqlite_db, read_only=True) as s:
        assert len(orders.list_orders(s)) == 1
        assert len(orders.get_order(s, order_id).lines) == 1
    with pytest.raises(NotFoundError), unit_of_work(sqlite_db) as s:
        orders.create_order(s, w.user, 999)


def test_only_a_draft_can_be_edited(sqlite_db: Database) -> None:
    with unit_of_work(sqlite_db) as s:
        w = f.order_world(s)
        f.receive(s, w.places, w.stocked, "5")
        order_id = _order(s, w, (w.stocked, "2"))
        line_id = orders.get_order(s, order_id).lines[0].id
        detail = orders.update_order_line(s, w.user, line_id, quantity="3", unit_price="45")
        assert (detail.lines[0].quantity, detail.lines[0].unit_price) == (D(3), D(45))
        orders.confirm_order(s, w.user, order_id)
    for action in (
        lambda s: orders.update_order_line(s, w.user, line_id, quantity="4"),
        lambda s: orders.remove_order_line(s, w.user, line_id),
        lambda s: orders.add_order_line(s, w.user, order_id, w.lotted, "1"),
        lambda s: orders.update_order(
            s, w.user, order_id, requested_date=None, customer_reference="", note=""
        ),
        lambda s: orders.confirm_order(s, w.user, order_id),
    ):
        with pytest.raises(ValidationError, match="can no longer be changed"):
            with unit_of_work(sqlite_db) as s:
                action(s)


def test_an_empty_order_cannot_be_confirmed(sqlite_db: Database) -> None:
    with unit_of_work(sqlite_db) as s:
        w = f.order_world(s)
        order_id = orders.create_order(s, w.user, w.customer).id
    with pytest.raises(ValidationError, match="has no lines"), unit_of_work(sqlite_db) as s:
        orders.confirm_order(s, w.user, order_id)


def test_item_search_finds_by_barcode_sku_or_name_with_availability(db: Database) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        f.receive(s, w.places, w.stocked, "8")
        f.confirmed_order(s, w.user, w.customer, (w.stocked, "3"))
        f.item(s, w.user, "OLD-KAFFE", name="Kaffe gammal", active=False)
    with unit_of_work(db, read_only=True) as s:
        by_code = orders.find_items_for_order(s, f.STOCKED_EAN)
        by_sku = orders.find_items_for_order(s, "skruv-zp")
        by_name = orders.find_items_for_order(s, "kaff")
        by_percent = orders.find_items_for_order(s, "%")
        by_swedish = orders.find_items_for_order(s, "mjöLK 1")
    assert [(c.sku, c.available) for c in by_code] == [("KAFFE", D(5))]
    assert [c.sku for c in by_sku] == ["SKRUV-ZP"]
    assert [c.sku for c in by_name] == ["KAFFE"]  # the inactive one is not offered
    assert by_percent == []
    assert [c.sku for c in by_swedish] == ["MJOLK"]  # Unicode case, on SQLite too


# --- reservation -------------------------------------------------------------------------


def test_confirming_reserves_what_is_available_and_backorders_the_rest(db: Database) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        f.receive(s, w.places, w.stocked, "6", bin_index=0)
        f.receive(s, w.places, w.stocked, "4", bin_index=1)
        first = _order(s, w, (w.stocked, "7"))
        done = orders.confirm_order(s, w.user, first)
        second = _order(s, w, (w.stocked, "5"), customer=w.other_customer)
        late = orders.confirm_order(s, w.user, second)
        availability = orders.item_availability(s, [w.stocked])[w.stocked]
    assert done.order.status is OrderStatus.CONFIRMED
    assert "everything is reserved" in done.message
    line = done.order.lines[0]
    assert (line.reserved, line.backordered, line.expected_date) == (D(7), D(0), None)
    line = late.order.lines[0]
    assert (line.reserved, line.backordered) == (D(3), D(2))
    # No purchase order is open: the supplier's lead time (5 days) dates the backorder.
    assert line.expected_date == TODAY + dt.timedelta(days=5)
    assert "1 line is on backorder" in late.message
    assert availability == orders.ItemAvailability(w.stocked, D(10), D(10), D(0), D(2))


def test_availability_holds_under_many_orders(db: Database) -> None:
    quantities = ["3", "1", "4", "1", "5", "9", "2", "6", "5", "3"]
    with unit_of_work(db) as s:
        w = f.order_world(s)
        f.receive(s, w.places, w.stocked, "20")
        ids = [_order(s, w, (w.stocked, q)) for q in quantities]
        for order_id in ids:
            orders.confirm_order(s, w.user, order_id)
        lines = [orders.get_order(s, order_id).lines[0] for order_id in ids]
        availability = orders.item_availability(s, [w.stocked])[w.stocked]
    assert sum(line.reserved for line in lines) == D(20)
    assert sum(line.backordered for line in lines) == D(sum(int(q) for q in quantities) - 20)
    for line in lines:
        assert line.reserved + line.backordered == line.quantity
    # First come, first served: the first orders are reserved in full.
    assert [line.reserved for line in lines] == [D(x) for x in (3, 1, 4, 1, 5, 6, 0, 0, 0, 0)]
    assert availability.available == 0 and availability.reserved == 20


def test_backorder_date_comes_from_the_earliest_open_purchase_order_not_yet_promised(
    db: Database,
) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        soon = TODAY + dt.timedelta(days=2)
        later = TODAY + dt.timedelta(days=9)
        for day, qty in ((soon, "4"), (later, "10")):
            po = create_purchase_order(
                s,
                w.user,
                w.supplier,
                delivery_date=day,
                lines=[PurchaseOrderLineInput(w.stocked, D(qty))],
            )
            send_purchase_order(s, w.user, po.id)
        # A draft purchase order is not a promise to anyone.
        create_purchase_order(
            s, w.user, w.supplier, lines=[PurchaseOrderLineInput(w.stocked, D(100))]
        )
        first = orders.confirm_order(s, w.user, _order(s, w, (w.stocked, "3"))).order.lines[0]
        second = orders.confirm_order(s, w.user, _order(s, w, (w.stocked, "3"))).order.lines[0]
        third = orders.confirm_order(s, w.user, _order(s, w, (w.stocked, "20"))).order.lines[0]
    assert first.expected_date == soon  # 3 of the 4 arriving first
    assert second.expected_date == later  # 1 left on the first order, the rest on the second
    assert third.expected_date == TODAY + dt.timedelta(days=5)  # beyond every open order


# --- zero-point items ----------------------------------------------------------------------


def test_zero_point_lines_create_one_rounded_need_for_exactly_the_shortfall(db: Database) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        requested = TODAY + dt.timedelta(days=14)
        small = orders.create_order(
            s,
            w.user,
            w.customer,
            requested_date=requested,
            lines=[orders.OrderLineInput(w.zero_point, "7")],
        )
        confirmed = orders.confirm_order(s, w.user, small.id)
        big = orders.confirm_order(s, w.user, _order(s, w, (w.zero_point, "30")))
        needs = s.scalars(select(PurchaseNeed).order_by(PurchaseNeed.id)).all()
        audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "confirm")).all()
    line = confirmed.order.lines[0]
    assert line.zero_point
    assert (line.reserved, line.backordered) == (D(0), D(7))
    assert line.expected_date == TODAY + dt.timedelta(days=10)  # the item's own lead time
    assert line.need is not None and confirmed.needs == (line.need,)
    # 7 wanted, minimum 24 in packs of 12: buy 24, 17 of them excess.
    assert (line.need.needed, line.need.order_qty, line.need.excess) == (D(7), D(24), D(17))
    assert line.need.required_date == requested and line.need.supplier_code == "NORD"
    # 30 wanted: three packs of 12.
    assert (big.needs[0].needed, big.needs[0].order_qty, big.needs[0].excess) == (
        D(30),
        D(36),
        D(6),
    )
    assert [(n.status, n.order_line_id) for n in needs] == [
        (NeedStatus.OPEN, line.id),
        (NeedStatus.OPEN, big.order.lines[0].id),
    ]
    assert "1 purchase need created" in confirmed.message
    assert json.loads(audit[0].details)["needs"] == [needs[0].id]


def test_a_zero_point_item_in_stock_is_reserved_first_and_only_the_rest_is_bought(
    db: Database,
) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        f.receive(s, w.places, w.zero_point, "5")  # excess of an earlier purchase
        line = orders.confirm_order(s, w.user, _order(s, w, (w.zero_point, "8"))).order.lines[0]
        fully = orders.confirm_order(s, w.user, _order(s, w, (w.stocked, "1")))
    assert (line.reserved, line.backordered) == (D(5), D(3))
    assert line.need is not None and line.need.needed == D(3) and line.need.order_qty == D(24)
    assert fully.needs == ()  # a stocked item never gets a need


def test_the_database_refuses_a_second_need_for_one_order_line(db: Database) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        order_id = f.confirmed_order(s, w.user, w.customer, (w.zero_point, "2"))
        line_id = orders.get_order(s, order_id).lines[0].id
    with pytest.raises(IntegrityError), unit_of_work(db) as s:
        s.add(
            PurchaseNeed(
                order_line_id=line_id,
                item_id=w.zero_point,
                needed_qty=D(2),
                order_qty=D(2),
                excess=D(0),
                pack_size=D(1),
                moq=D(0),
                status=NeedStatus.OPEN,
            )
        )
        s.flush()
    with unit_of_work(db, read_only=True) as s:
        assert s.scalar(select(func.count()).select_from(PurchaseNeed)) == 1


# --- cancel and close --------------------------------------------------------------------


def test_cancelling_releases_reservations_to_the_oldest_waiting_order_and_withdraws_needs(
    db: Database,
) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        f.receive(s, w.places, w.stocked, "5")
        big = f.confirmed_order(s, w.user, w.customer, (w.stocked, "5"), (w.zero_point, "4"))
        waiting_first = f.confirmed_order(s, w.user, w.other_customer, (w.stocked, "3"))
        waiting_next = f.confirmed_order(s, w.user, w.customer, (w.stocked, "4"))
        cancelled = orders.cancel_order(s, w.user, big, reason="Kunden ångrade sig")
        first = orders.get_order(s, waiting_first).lines[0]
        following = orders.get_order(s, waiting_next).lines[0]
        need = s.scalar(select(PurchaseNeed))
    assert cancelled.status is OrderStatus.CANCELLED and cancelled.cancelled_at is not None
    assert all(ln.reserved == 0 and ln.backordered == 0 and ln.open == 0 for ln in cancelled.lines)
    assert (first.reserved, first.backordered, first.expected_date) == (D(3), D(0), None)
    assert (following.reserved, following.backordered) == (D(2), D(2))
    assert need is not None and need.status is NeedStatus.WITHDRAWN and need.withdrawn_at
    with unit_of_work(db, read_only=True) as s:
        assert orders.item_availability(s, [w.stocked])[w.stocked].available == 0


def test_a_bought_need_stays_when_its_order_is_cancelled(db: Database) -> None:
    from app.services.commitments import mark_needs_ordered

    with unit_of_work(db) as s:
        w = f.order_world(s)
        order_id = f.confirmed_order(s, w.user, w.customer, (w.zero_point, "7"))
        need_id = s.scalar(select(PurchaseNeed.id))
        po = create_purchase_order(
            s, w.user, w.supplier, lines=[PurchaseOrderLineInput(w.zero_point, D(24))]
        )
        mark_needs_ordered(s, [(need_id, po.lines[0].id)])
        orders.cancel_order(s, w.user, order_id)
        need = s.get(PurchaseNeed, need_id)
        assert need is not None and need.status is NeedStatus.ORDERED


def test_cancel_and_close_refusals(sqlite_db: Database) -> None:
    with unit_of_work(sqlite_db) as s:
        w = f.order_world(s)
        draft = orders.create_order(s, w.user, w.customer).id
        confirmed = f.confirmed_order(s, w.user, w.customer, (w.stocked, "1"))
    with pytest.raises(NotAllowedError, match="Only a manager"), unit_of_work(sqlite_db) as s:
        orders.cancel_order(s, w.staff, confirmed)
    with pytest.raises(ValidationError, match="cancel it instead"), unit_of_work(sqlite_db) as s:
        orders.close_order(s, w.user, confirmed)
    with unit_of_work(sqlite_db) as s:
        # Anyone may drop a draft: it holds nothing.
        assert orders.cancel_order(s, w.staff, draft).status is OrderStatus.CANCELLED
    with pytest.raises(ValidationError, match="already cancelled"), unit_of_work(sqlite_db) as s:
        orders.cancel_order(s, w.user, draft)
    with unit_of_work(sqlite_db, read_only=True) as s:
        assert orders.get_order(s, confirmed).status is OrderStatus.CONFIRMED
        line = orders.get_order(s, confirmed).lines[0]
        assert line.backordered == 1


# --- allocation of arriving stock --------------------------------------------------------


def test_received_stock_goes_to_waiting_backorders_oldest_first(db: Database) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        older = f.confirmed_order(s, w.user, w.customer, (w.stocked, "4"))
        newer = f.confirmed_order(s, w.user, w.other_customer, (w.stocked, "4"))
        po = create_purchase_order(
            s, w.user, w.supplier, lines=[PurchaseOrderLineInput(w.stocked, D(6))]
        )
        send_purchase_order(s, w.user, po.id)
        waiting = receiving.waiting_backorders(s, w.stocked)
        receipt = receiving.start_receipt(s, w.user, po_id=po.id)
        scan = receiving.add_scan(s, receipt.id, f.STOCKED_EAN, w.user)
        receiving.add_quantity(s, receipt.id, w.stocked, "5", w.user, bin_id=w.bins[0])
        posted = receiving.post_receipt(s, receipt.id, w.user)
        first = orders.get_order(s, older).lines[0]
        second = orders.get_order(s, newer).lines[0]
        left = receiving.waiting_backorders(s, w.stocked)
    assert [(n.order_number, n.customer, n.quantity) for n in waiting] == [
        ("SO-1001", "Kund Ett AB", D(4)),
        ("SO-1002", "Kund Två AB", D(4)),
    ]
    assert "for order SO-1001" in scan.message
    assert (first.reserved, first.backordered, first.expected_date) == (D(4), D(0), None)
    assert (second.reserved, second.backordered) == (D(2), D(2))
    assert "4 pcs of KAFFE reserved for SO-1001" in posted.message
    assert "2 pcs of KAFFE reserved for SO-1002" in posted.message
    assert [(n.order_number, n.quantity) for n in left] == [("SO-1002", D(2))]


def test_stock_arriving_for_a_zero_point_line_withdraws_its_need_if_not_yet_bought(
    db: Database,
) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        order_id = f.confirmed_order(s, w.user, w.customer, (w.zero_point, "3"))
        f.receive(s, w.places, w.zero_point, "3")
        allocated = orders.allocate_backorders(s, [w.zero_point], w.user)
        line = orders.get_order(s, order_id).lines[0]
    assert [(a.order_number, a.quantity, a.still_backordered) for a in allocated] == [
        ("SO-1001", D(3), D(0))
    ]
    assert line.reserved == 3 and line.need is not None
    assert line.need.status is NeedStatus.WITHDRAWN


def test_orders_of_an_inactive_customer_cannot_be_confirmed(sqlite_db: Database) -> None:
    with unit_of_work(sqlite_db) as s:
        w = f.order_world(s)
        order_id = _order(s, w, (w.stocked, "1"))
        save_customer(s, w.user, CustomerInput("KUND1", "Kund Ett AB", active=False), w.customer)
    with pytest.raises(ValidationError, match="inactive"), unit_of_work(sqlite_db) as s:
        orders.confirm_order(s, w.user, order_id)
    with unit_of_work(sqlite_db, read_only=True) as s:
        assert s.scalar(select(func.sum(CustomerOrderLine.reserved_qty))) == 0


def test_an_item_sold_by_no_supplier_is_expected_after_the_default_lead_time(
    sqlite_db: Database,
) -> None:
    with unit_of_work(sqlite_db) as s:
        w = f.order_world(s)
        lonely = save_item(s, w.user, ItemInput("SOLO", "Ensam", sales_price="1")).id
        line = orders.confirm_order(s, w.user, _order(s, w, (lonely, "1"))).order.lines[0]
    assert line.expected_date == TODAY + dt.timedelta(days=7)


# --- two workstations at once ------------------------------------------------------------

RACE_ORDERS = 20


def _confirm_worker(url: str, user: int, order_ids: list[int], start, results) -> None:  # type: ignore[no-untyped-def]
    from app.services.database import open_database

    db = open_database(url, migrate=False)
    with unit_of_work(db, read_only=True) as s:
        orders.get_order(s, order_ids[0])  # connected and warm before the race starts
    start.wait(60)
    reserved = []
    for order_id in order_ids:
        with unit_of_work(db) as s:
            line = orders.confirm_order(s, user, order_id).order.lines[0]
            reserved.append(str(line.reserved))
    db.dispose()
    results.put(reserved)


def test_two_workstations_confirming_for_the_last_units_cannot_both_get_them(
    db_url: str,
) -> None:
    import multiprocessing

    from app.services.database import open_database

    db = open_database(db_url)
    with unit_of_work(db) as s:
        w = f.order_world(s)
        f.receive(s, w.places, w.stocked, "5")
        ids = [_order(s, w, (w.stocked, "1")) for _n in range(2 * RACE_ORDERS)]
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(2)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_confirm_worker, args=(db_url, w.user, ids[n::2], start, results))
        for n in range(2)
    ]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=120) for _p in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    with unit_of_work(db, read_only=True) as s:
        lines = [orders.get_order(s, order_id).lines[0] for order_id in ids]
        availability = orders.item_availability(s, [w.stocked])[w.stocked]
    db.dispose()
    # Five units, 40 one-unit orders confirmed from two processes: exactly five got one.
    assert sum(D(r) for outcome in outcomes for r in outcome) == D(5)
    assert sum(line.reserved for line in lines) == D(5)
    assert sum(line.backordered for line in lines) == D(2 * RACE_ORDERS - 5)
    assert all(line.reserved + line.backordered == 1 for line in lines)
    assert availability.available == 0 and availability.reserved == 5
