"""The contract with purchase proposals: what orders commit per item, the open zero-point
needs, and marking needs bought exactly once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.models import NeedStatus, PurchaseNeed
from app.services import orders, receiving
from app.services.commitments import (
    ItemCommitment,
    item_commitments,
    mark_needs_ordered,
    open_purchase_needs,
)
from app.services.database import Database, unit_of_work
from app.services.errors import NotFoundError, ValidationError
from app.services.purchase_orders import (
    PurchaseOrderLineInput,
    cancel_purchase_order,
    create_purchase_order,
    remove_line,
    send_purchase_order,
)
from tests import factories as f

D = Decimal


def test_item_commitments_sum_open_orders_only(db: Database) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        f.receive(s, w.places, w.stocked, "4")
        f.confirmed_order(s, w.user, w.customer, (w.stocked, "3"), (w.zero_point, "7"))
        f.confirmed_order(s, w.user, w.other_customer, (w.stocked, "5"), (w.zero_point, "30"))
        cancelled = f.confirmed_order(s, w.user, w.customer, (w.zero_point, "1"))
        orders.cancel_order(s, w.user, cancelled)
        # A draft commits nothing.
        orders.create_order(
            s, w.user, w.customer, lines=[orders.OrderLineInput(w.lotted, "9", unit_price="1")]
        )
    with unit_of_work(db, read_only=True) as s:
        everything = item_commitments(s)
        some = item_commitments(s, [w.stocked, w.lotted])
        nothing = item_commitments(s, [])
    assert everything == {
        w.stocked: ItemCommitment(w.stocked, D(4), D(4), D(0)),
        # 7 → 24 (minimum), 30 → 36 (packs of 12); the cancelled order's need is withdrawn.
        w.zero_point: ItemCommitment(w.zero_point, D(0), D(37), D(60)),
    }
    assert some == {w.stocked: everything[w.stocked]}
    assert nothing == {}


def test_open_needs_say_which_order_and_customer_they_are_for(db: Database) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        when = dt.date.today() + dt.timedelta(days=20)
        order = orders.create_order(
            s,
            w.user,
            w.other_customer,
            requested_date=when,
            lines=[orders.OrderLineInput(w.zero_point, "13")],
        )
        orders.confirm_order(s, w.user, order.id)
        line_id = orders.get_order(s, order.id).lines[0].id
    with unit_of_work(db, read_only=True) as s:
        needs = open_purchase_needs(s)
    assert len(needs) == 1
    need = needs[0]
    assert (need.item_id, need.supplier_id, need.order_number, need.customer_name) == (
        w.zero_point,
        w.supplier,
        "SO-1001",
        "Kund Två AB",
    )
    assert (need.order_line_id, need.needed_qty, need.order_qty, need.excess) == (
        line_id,
        D(13),
        D(24),
        D(11),
    )
    assert (need.required_date, need.status) == (when, "open")


def _po_line(s, w: f.OrderWorld, item_id: int, qty: str, days: int = 3) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    po = create_purchase_order(
        s,
        w.user,
        w.supplier,
        delivery_date=dt.date.today() + dt.timedelta(days=days),
        lines=[PurchaseOrderLineInput(item_id, D(qty))],
    )
    return po.id, po.lines[0].id


def test_a_need_is_bought_once_and_the_order_learns_when_it_comes(db: Database) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        order_id = f.confirmed_order(s, w.user, w.customer, (w.zero_point, "7"))
        need_id = open_purchase_needs(s)[0].need_id
        po_id, line_id = _po_line(s, w, w.zero_point, "24", days=3)
        mark_needs_ordered(s, [(need_id, line_id)])
        line = orders.get_order(s, order_id).lines[0]
        assert open_purchase_needs(s) == []
        assert item_commitments(s)[w.zero_point].zero_point_open == 0
    assert line.need is not None and line.need.status is NeedStatus.ORDERED
    assert line.need.po_number == "PO-1001"
    assert line.expected_date == dt.date.today() + dt.timedelta(days=3)
    with pytest.raises(ValidationError, match="already on purchase order PO-1001"):
        with unit_of_work(db) as s:
            _po, second = _po_line(s, w, w.zero_point, "24")
            mark_needs_ordered(s, [(need_id, second)])
    with unit_of_work(db, read_only=True) as s:
        need = s.get(PurchaseNeed, need_id)
        assert need is not None and need.purchase_order_line_id == line_id


def test_marking_refuses_bad_links_and_marks_nothing(db: Database) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        f.confirmed_order(s, w.user, w.customer, (w.zero_point, "7"))
        withdrawn = f.confirmed_order(s, w.user, w.customer, (w.zero_point, "2"))
        needs = {n.order_number: n.need_id for n in open_purchase_needs(s)}
        orders.cancel_order(s, w.user, withdrawn)
        _po, good = _po_line(s, w, w.zero_point, "24")
        _po, wrong_item = _po_line(s, w, w.stocked, "1")
        cancelled_po, on_cancelled = _po_line(s, w, w.zero_point, "24")
        send_purchase_order(s, w.user, cancelled_po)
        cancel_purchase_order(s, w.user, cancelled_po)
    open_need = needs["SO-1001"]
    cases = [
        ([(open_need, good), (needs["SO-1002"], good)], "no longer needed"),
        ([(open_need, wrong_item)], "another item"),
        ([(open_need, on_cancelled)], "cancelled purchase order"),
        ([(open_need, good), (open_need, good)], "listed twice"),
    ]
    for links, message in cases:
        with pytest.raises(ValidationError, match=message), unit_of_work(db) as s:
            mark_needs_ordered(s, links)
    with pytest.raises(NotFoundError), unit_of_work(db) as s:
        mark_needs_ordered(s, [(999, good)])
    with pytest.raises(NotFoundError), unit_of_work(db) as s:
        mark_needs_ordered(s, [(open_need, 999)])
    with unit_of_work(db, read_only=True) as s:
        assert [n.need_id for n in open_purchase_needs(s)] == [open_need]
        statuses = s.scalars(select(PurchaseNeed.status).order_by(PurchaseNeed.id)).all()
    assert statuses == [NeedStatus.OPEN, NeedStatus.WITHDRAWN]


def test_a_need_whose_purchase_line_is_removed_from_the_draft_is_open_again(
    db: Database,
) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        f.confirmed_order(s, w.user, w.customer, (w.zero_point, "7"))
        need_id = open_purchase_needs(s)[0].need_id
        _po, line_id = _po_line(s, w, w.zero_point, "24")
        mark_needs_ordered(s, [(need_id, line_id)])
    with unit_of_work(db) as s:
        remove_line(s, w.user, line_id)
    with unit_of_work(db) as s:
        assert [n.need_id for n in open_purchase_needs(s)] == [need_id]
        assert item_commitments(s)[w.zero_point].zero_point_open == D(24)
        _po, again = _po_line(s, w, w.zero_point, "24")
        mark_needs_ordered(s, [(need_id, again)])
        assert open_purchase_needs(s) == []


def test_cancelling_the_purchase_order_reopens_what_customers_still_wait_for(
    db: Database,
) -> None:
    # Before, a cancelled purchase left its zero-point needs "ordered": the customer
    # waited for goods nobody was buying, and the proposals never bought them again.
    with unit_of_work(db) as s:
        w = f.order_world(s)
        waiting = f.confirmed_order(s, w.user, w.customer, (w.zero_point, "30"))
        served = f.confirmed_order(s, w.user, w.other_customer, (w.zero_point, "7"))
        needs = {n.order_number: n.need_id for n in open_purchase_needs(s)}
        po = create_purchase_order(
            s,
            w.user,
            w.supplier,
            delivery_date=dt.date.today() + dt.timedelta(days=5),
            lines=[PurchaseOrderLineInput(w.zero_point, D(60))],
        )
        mark_needs_ordered(
            s, [(needs["SO-1001"], po.lines[0].id), (needs["SO-1002"], po.lines[0].id)]
        )
        send_purchase_order(s, w.user, po.id)
        # 12 arrive (oldest backorder first: SO-1001 now waits for 18), and SO-1002 is
        # cancelled by its customer.
        receipt = receiving.start_receipt(s, w.user, po_id=po.id)
        receiving.add_scan(s, receipt.id, f.ZERO_POINT_EAN, w.user)
        receiving.add_quantity(s, receipt.id, w.zero_point, "12", w.user, bin_id=w.bins[0])
        receiving.post_receipt(s, receipt.id, w.user)
        orders.cancel_order(s, w.user, served)
        assert open_purchase_needs(s) == []
        cancel_purchase_order(s, w.user, po.id)
        reopened = open_purchase_needs(s)
        line = orders.get_order(s, waiting).lines[0]
    assert [(n.order_number, n.needed_qty, n.order_qty, n.excess) for n in reopened] == [
        ("SO-1001", D(18), D(24), D(6))  # packs of 12, at least 24
    ]
    assert (line.backordered, line.expected_date) == (D(18), None)
    with unit_of_work(db) as s:
        assert item_commitments(s)[w.zero_point].zero_point_open == D(24)
        _po, again = _po_line(s, w, w.zero_point, "24")
        mark_needs_ordered(s, [(needs["SO-1001"], again)])
        assert open_purchase_needs(s) == []
