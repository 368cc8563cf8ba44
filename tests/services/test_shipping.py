"""Shipping: picks become moves bin → customers valued by the ledger, COGS computed by hand
for FIFO and for weighted average, short picks to backorder, the delivery note's data, and
customer returns back to a bin or to scrap."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.models import (
    AuditEvent,
    CustomerReturn,
    LocationKind,
    MoveKind,
    NeedStatus,
    OrderStatus,
    ReturnDisposition,
    ShortReason,
    StockMove,
)
from app.services import orders, picking, settings, shipping
from app.services.database import Database, unit_of_work
from app.services.errors import NotAllowedError, NotFoundError, ValidationError
from app.services.locations import virtual_location_id
from app.services.stock import item_stock
from tests import factories as f

D = Decimal


def _pick(s, w: f.OrderWorld, order_id: int, picks: list[tuple[str, str]]) -> None:  # type: ignore[no-untyped-def]
    """Pick (bin code, quantity) of the order's first line."""
    line_id = orders.get_order(s, order_id).lines[0].id
    for bin_code, qty in picks:
        picking.set_pick_bin(s, w.staff, order_id, bin_code)
        outcome = picking.pick_quantity(s, w.staff, order_id, line_id, qty)
        assert outcome.saved, outcome.message


def _two_layers(s) -> f.OrderWorld:  # type: ignore[no-untyped-def]
    """10 coffee at 20.00 in A-01-01, then 10 at 26.00 in A-01-02."""
    w = f.order_world(s)
    f.receive(s, w.places, w.stocked, "10", cost="20", bin_index=0)
    f.receive(s, w.places, w.stocked, "10", cost="26", bin_index=1)
    return w


def test_fifo_cogs_on_a_hand_computed_example(db: Database) -> None:
    with unit_of_work(db) as s:
        w = _two_layers(s)
        first = f.confirmed_order(s, w.user, w.customer, (w.stocked, "15"))
        second = f.confirmed_order(s, w.user, w.other_customer, (w.stocked, "5"))
        _pick(s, w, first, [("A-01-01", "10"), ("A-01-02", "5")])
        shipped = shipping.ship_order(s, w.staff, first)
        _pick(s, w, second, [("A-01-02", "5")])
        later = shipping.ship_order(s, w.staff, second)
        moves = s.scalars(select(StockMove).where(StockMove.kind == MoveKind.ISSUE)).all()
        customers = virtual_location_id(s, LocationKind.CUSTOMER)
    # FIFO by hand: 10 × 20.00 from the first layer, then 5 × 26.00 from the second.
    assert [(ln.bin_code, ln.quantity, ln.unit_cost, ln.cogs) for ln in shipped.shipment.lines] == [
        ("A-01-01", D(10), D(20), D(200)),
        ("A-01-02", D(5), D(26), D(130)),
    ]
    assert shipped.shipment.cogs == D(330)
    # The rest of the second layer: 5 × 26.00.
    assert later.shipment.cogs == D(130)
    assert [(m.quantity, m.to_location_id, m.reference) for m in moves] == [
        (D(10), customers, "SO-1001"),
        (D(5), customers, "SO-1001"),
        (D(5), customers, "SO-1002"),
    ]
    assert shipped.shipment.number == "DN-1001" and later.shipment.number == "DN-1002"
    assert shipped.order_status is OrderStatus.SHIPPED and shipped.backorder == ()


def test_weighted_average_cogs_on_a_hand_computed_example(db: Database) -> None:
    with unit_of_work(db) as s:
        settings.set_setting(s, "costing_method", "average")
        w = _two_layers(s)  # average (10 × 20 + 10 × 26) / 20 = 23.00
        first = f.confirmed_order(s, w.user, w.customer, (w.stocked, "15"))
        _pick(s, w, first, [("A-01-01", "10"), ("A-01-02", "5")])
        shipped = shipping.ship_order(s, w.staff, first)
        # 5 left at 23.00, 5 more at 35.00: average (5 × 23 + 5 × 35) / 10 = 29.00
        f.receive(s, w.places, w.stocked, "5", cost="35", bin_index=0)
        second = f.confirmed_order(s, w.user, w.other_customer, (w.stocked, "10"))
        _pick(s, w, second, [("A-01-01", "5"), ("A-01-02", "5")])
        later = shipping.ship_order(s, w.staff, second)
    assert [ln.unit_cost for ln in shipped.shipment.lines] == [D(23), D(23)]
    assert shipped.shipment.cogs == D(345)  # 15 × 23.00
    assert later.shipment.cogs == D(290)  # 10 × 29.00


def test_a_partial_shipment_leaves_the_rest_reserved_and_a_short_pick_on_backorder(
    db: Database,
) -> None:
    with unit_of_work(db) as s:
        w = _two_layers(s)
        order_id = f.confirmed_order(s, w.user, w.customer, (w.stocked, "12"), (w.lotted, "2"))
        line_id = orders.get_order(s, order_id).lines[0].id
        _pick(s, w, order_id, [("A-01-01", "7")])
        picking.record_short_pick(s, w.staff, order_id, line_id, "3", ShortReason.NOT_FOUND)
        shipped = shipping.ship_order(s, w.staff, order_id)
        detail = orders.get_order(s, order_id)
        audit = s.scalar(select(AuditEvent).where(AuditEvent.action == "ship"))
    line, lotted = detail.lines
    assert shipped.order_status is OrderStatus.PARTLY_SHIPPED
    # 7 shipped; 3 not found went to backorder; 2 neither picked nor short stay reserved.
    assert (line.shipped, line.reserved, line.backordered) == (D(7), D(2), D(3))
    assert line.expected_date is not None
    assert (lotted.shipped, lotted.backordered) == (D(0), D(2))
    assert [(b.sku, b.quantity) for b in shipped.backorder] == [("KAFFE", D(5)), ("MJOLK", D(2))]
    assert "2 lines are still to come" in shipped.message
    assert audit is not None and json.loads(audit.details)["shipment"] == "DN-1001"
    with unit_of_work(db) as s:
        # Starting the next round hands the backorder free stock first: A-01-02 holds 10.
        view = picking.start_picking(s, w.staff, order_id)
        assert (view.lines[0].to_pick, view.lines[0].backordered) == (D(5), D(0))
        assert view.lines[0].picked == 0
        assert item_stock(s, w.stocked)[0].quantity == D(3)  # A-01-01: 10 − 7


def test_shipping_refusals_change_nothing(db: Database) -> None:
    with unit_of_work(db) as s:
        w = _two_layers(s)
        order_id = f.confirmed_order(s, w.user, w.customer, (w.stocked, "2"))
        draft = orders.create_order(s, w.user, w.customer).id
    with pytest.raises(ValidationError, match="pick the goods first"), unit_of_work(db) as s:
        shipping.ship_order(s, w.user, order_id)
    with pytest.raises(ValidationError, match="draft; there is nothing to ship"):
        with unit_of_work(db) as s:
            shipping.ship_order(s, w.user, draft)
    with unit_of_work(db) as s:
        picking.start_picking(s, w.staff, order_id)
    with pytest.raises(ValidationError, match="pick the goods first"), unit_of_work(db) as s:
        shipping.ship_order(s, w.user, order_id)
    with unit_of_work(db, read_only=True) as s:
        assert s.scalars(select(StockMove).where(StockMove.kind == MoveKind.ISSUE)).all() == []


def test_a_short_zero_point_pick_grows_its_open_need(db: Database) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        f.receive(s, w.places, w.zero_point, "20")  # excess from an earlier purchase
        order_id = f.confirmed_order(s, w.user, w.customer, (w.zero_point, "5"))
        line_id = orders.get_order(s, order_id).lines[0].id
        _pick(s, w, order_id, [("A-01-01", "3")])
        picking.record_short_pick(s, w.staff, order_id, line_id, "2", ShortReason.DAMAGED)
        shipping.ship_order(s, w.staff, order_id)
        line = orders.get_order(s, order_id).lines[0]
    assert (line.shipped, line.backordered) == (D(3), D(2))
    assert line.need is not None and line.need.status is NeedStatus.OPEN
    assert (line.need.needed, line.need.order_qty) == (D(2), D(24))


def test_the_delivery_note_shows_contents_and_what_is_still_to_come(db: Database) -> None:
    with unit_of_work(db) as s:
        w = _two_layers(s)
        order_id = f.confirmed_order(s, w.user, w.customer, (w.stocked, "12"), (w.zero_point, "4"))
        _pick(s, w, order_id, [("A-01-01", "10")])
        first = shipping.ship_order(s, w.staff, order_id)
        _pick(s, w, order_id, [("A-01-02", "2")])
        second = shipping.ship_order(s, w.staff, order_id)
        data = shipping.delivery_note_data(s, second.shipment.id)
        assert shipping.latest_shipment_id(s, order_id) == second.shipment.id
        assert shipping.shipment_id_by_number(s, "dn-1001") == first.shipment.id
        assert [i.number for i in shipping.list_shipments(s, order_id)] == ["DN-1001", "DN-1002"]
    assert data.number == "DN-1002" and data.order_number == "SO-1001"
    assert [(ln.sku, ln.quantity) for ln in data.lines] == [("KAFFE", D(2))]
    assert [
        (ln.sku, ln.ordered, ln.shipped_before, ln.shipped_now, ln.backordered)
        for ln in data.order_lines
    ] == [("KAFFE", D(12), D(10), D(2), D(0)), ("SKRUV-ZP", D(4), D(0), D(0), D(4))]
    assert data.order_lines[1].expected_date is not None
    assert data.customer.name == "Kund Ett AB" and data.shipped_by == "stina"
    with pytest.raises(NotFoundError), unit_of_work(db, read_only=True) as s:
        shipping.shipment_id_by_number(s, "DN-4711")


def test_returns_go_back_to_a_bin_at_the_cost_they_left_with(db: Database) -> None:
    with unit_of_work(db) as s:
        w = _two_layers(s)
        order_id = f.confirmed_order(s, w.user, w.customer, (w.stocked, "15"))
        _pick(s, w, order_id, [("A-01-01", "10"), ("A-01-02", "5")])
        shipped = shipping.ship_order(s, w.staff, order_id).shipment
        waiting = f.confirmed_order(s, w.user, w.other_customer, (w.stocked, "7"))
        line_b = shipped.lines[1]  # 5 at 26.00 from A-01-02
        back = shipping.return_goods(s, w.staff, line_b.id, "2", reason="Fel färg")
        move = s.get(StockMove, back.return_move_id)
        after = shipping.get_shipment(s, shipped.id)
        waiting_line = orders.get_order(s, waiting).lines[0]
    assert back.disposition is ReturnDisposition.RESTOCK and back.bin_code == "A-01-02"
    assert back.message == "2 pcs of KAFFE returned to bin A-01-02."
    assert move is not None and move.kind is MoveKind.RETURN and move.unit_cost == D(26)
    assert (back.unit_cost, back.value) == (D(26), D(52))
    assert after.lines[1].returned == D(2) and after.lines[1].returnable == D(3)
    # The 5 left after shipping plus the 2 back: the waiting order gets all 7.
    assert (waiting_line.reserved, waiting_line.backordered) == (D(7), D(0))


def test_scrapping_a_return_is_a_managers_decision(db: Database) -> None:
    with unit_of_work(db) as s:
        w = _two_layers(s)
        order_id = f.confirmed_order(s, w.user, w.customer, (w.stocked, "3"))
        _pick(s, w, order_id, [("A-01-01", "3")])
        line = shipping.ship_order(s, w.staff, order_id).shipment.lines[0]
    cases = [
        (w.staff, "1", ReturnDisposition.SCRAP, "Krossad", NotAllowedError, "Only a manager"),
        (w.user, "1", ReturnDisposition.SCRAP, "", ValidationError, "Say why"),
        (w.user, "4", ReturnDisposition.RESTOCK, "", ValidationError, "Only 3 pcs"),
        (w.user, "1", "elsewhere", "", ValidationError, "back on the shelf, or to scrap"),
    ]
    for user, qty, disposition, reason, error, message in cases:
        with pytest.raises(error, match=message), unit_of_work(db) as s:
            shipping.return_goods(s, user, line.id, qty, disposition=disposition, reason=reason)
    with pytest.raises(ValidationError, match="choose a bin"), unit_of_work(db) as s:
        scrap = virtual_location_id(s, LocationKind.SCRAP)
        shipping.return_goods(s, w.user, line.id, "1", bin_id=scrap)
    with unit_of_work(db, read_only=True) as s:
        assert s.scalars(select(CustomerReturn)).all() == []
    with unit_of_work(db) as s:
        scrapped = shipping.return_goods(
            s, w.user, line.id, "3", disposition=ReturnDisposition.SCRAP, reason="Krossad"
        )
        scrap_move = s.get(StockMove, scrapped.scrap_move_id)
        stock = item_stock(s, w.stocked)
    assert scrap_move is not None and scrap_move.kind is MoveKind.SCRAP
    assert scrap_move.unit_cost == D(20)  # the returned goods' own cost
    # A-01-01 holds what it held after the shipment (7): in and straight out to scrap.
    assert [(r.location_code, r.quantity) for r in stock] == [("A-01-01", D(7)), ("A-01-02", D(10))]
    with pytest.raises(ValidationError, match="Only 0 pcs"), unit_of_work(db) as s:
        shipping.return_goods(s, w.user, line.id, "1")


def test_a_mixed_order_from_entry_to_delivery_note(db: Database) -> None:
    """Kund Ett orders coffee (in stock) and special screws (zero-point). The screws are
    bought for the order, arrive, are reserved for it, and everything ships together."""
    from app.services import receiving
    from app.services.commitments import mark_needs_ordered, open_purchase_needs
    from app.services.purchase_orders import (
        PurchaseOrderLineInput,
        create_purchase_order,
        send_purchase_order,
    )

    with unit_of_work(db) as s:
        w = f.order_world(s)
        f.receive(s, w.places, w.stocked, "10", cost="30")
    with unit_of_work(db) as s:
        entry = orders.create_order(s, w.staff, w.customer, customer_reference="Bygget v. 49")
        choice = orders.find_items_for_order(s, f.STOCKED_EAN)[0]
        orders.add_order_line(s, w.staff, entry.id, choice.item_id, "4")
        screw = orders.find_items_for_order(s, "specialskruv")[0]
        orders.add_order_line(s, w.staff, entry.id, screw.item_id, "30")
        confirmed = orders.confirm_order(s, w.staff, entry.id)
    coffee_line, screw_line = confirmed.order.lines
    assert (coffee_line.reserved, screw_line.backordered) == (D(4), D(30))
    with unit_of_work(db) as s:
        (need,) = open_purchase_needs(s)
        assert (need.order_number, need.order_qty, need.excess) == ("SO-1001", D(36), D(6))
        po = create_purchase_order(
            s, w.user, w.supplier, lines=[PurchaseOrderLineInput(w.zero_point, need.order_qty)]
        )
        mark_needs_ordered(s, [(need.need_id, po.lines[0].id)])
        send_purchase_order(s, w.user, po.id)
        receipt = receiving.start_receipt(s, w.staff, po_id=po.id)
        receiving.add_quantity(s, receipt.id, w.zero_point, "36", w.staff, bin_id=w.bins[2])
        posted = receiving.post_receipt(s, receipt.id, w.staff)
    assert "30 pcs of SKRUV-ZP reserved for SO-1001" in posted.message
    with unit_of_work(db) as s:
        for scan in ("A-01-01", f.STOCKED_EAN, f.STOCKED_EAN):
            assert picking.pick_scan(s, w.staff, entry.id, scan).saved
        line_ids = [line.id for line in orders.get_order(s, entry.id).lines]
        picking.pick_quantity(s, w.staff, entry.id, line_ids[0], "2")
        picking.set_pick_bin(s, w.staff, entry.id, "A-01-03")
        done = picking.pick_quantity(s, w.staff, entry.id, line_ids[1], "30")
        assert done.view.complete
        shipped = shipping.ship_order(s, w.staff, entry.id)
        note = shipping.delivery_note_data(s, shipped.shipment.id)
        stock = item_stock(s, w.zero_point)
    assert shipped.order_status is OrderStatus.SHIPPED
    # Coffee 4 × 30.00 and screws 30 × 1.20 (their purchase price): 156.00.
    assert shipped.shipment.cogs == D("156")
    assert [(ln.sku, ln.quantity) for ln in note.lines] == [("KAFFE", D(4)), ("SKRUV-ZP", D(30))]
    assert note.customer_reference == "Bygget v. 49"
    assert [(r.location_code, r.quantity) for r in stock] == [("A-01-03", D(6))]  # the excess
