"""Purchase proposals on a real database (SQLite and PostgreSQL): what is proposed, why,
and that nothing is bought twice."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.models import (
    AuditEvent,
    Item,
    MoveKind,
    NeedStatus,
    PurchaseNeed,
    PurchaseOrder,
    PurchaseOrderStatus,
)
from app.services import ledger, lots, orders, proposals, purchase_orders, receiving, users
from app.services.customers import CustomerInput, save_customer
from app.services.database import Database
from app.services.errors import FieldErrors, NotAllowedError, ValidationError
from app.services.proposals import AcceptLine, LineKind, ProposalLine, ProposalRun
from app.services.suppliers import SupplierInput, save_supplier
from tests.services.proposals_setup import TODAY, World, item, world

D = Decimal


def run(db: Database, w: World) -> ProposalRun:
    return db.run(proposals.run_proposals, w.user, TODAY)


def line_for(result: ProposalRun, item_id: int) -> ProposalLine | None:
    return next((line for line in result.lines if line.item_id == item_id), None)


def proposed(result: ProposalRun, item_id: int) -> ProposalLine:
    line = line_for(result, item_id)
    assert line is not None and line.proposed, f"item {item_id} is not proposed"
    return line


def test_an_item_below_its_reorder_point_is_proposed_and_says_why(db: Database) -> None:
    def build(s: Session) -> tuple[World, int]:
        w = world(s)
        return w, item(s, w, "KAFFE", daily="2", on_hand="10")

    w, coffee = db.run(build)
    result = run(db, w)
    line = proposed(result, coffee)
    assert line.supplier_code == "NORD" and line.quantity > 0
    assert line.quantity % line.pack_size == 0
    assert line.reason == "below-reorder-point" and line.basis == "eoq"
    assert line.reorder_point is not None and line.available <= line.reorder_point
    assert line.forecast_daily is not None and abs(line.forecast_daily - 2) < D("0.2")
    text = line.explanation
    assert text.startswith("On hand 10, on order 0, reserved 0, backordered 0: 10 pcs available.")
    assert "Reorder point" in text and "safety stock for a 95 % fill rate" in text
    assert "Lead time 7 days." in text and "economic order quantity" in text
    assert line.due_date == TODAY + dt.timedelta(days=7) and line.order_date == TODAY
    assert line.value == line.quantity * D(10)
    assert result.suppliers[0].code == "NORD" and result.suppliers[0].value == line.value
    # A well-stocked item with the same demand is not.
    assert "1 item to order from 1 supplier" in result.message


def test_an_item_with_enough_stock_is_not_proposed(db: Database) -> None:
    def build(s: Session) -> tuple[World, int]:
        w = world(s)
        return w, item(s, w, "TE", daily="1", on_hand="500")

    w, tea = db.run(build)
    assert line_for(run(db, w), tea) is None


def test_expired_lots_are_not_counted_as_on_hand(db: Database) -> None:
    """Stock in a lot that expired before the run may not be sold: it cannot cover
    demand, so the item is proposed as if it were not there, and the line says why."""

    def build(s: Session) -> tuple[World, int, int]:
        w = world(s)
        # 480 on hand would be plenty; 470 of it expired yesterday.
        milk = item(s, w, "MJOLK", daily="2", on_hand="0", lot_tracked=True)
        tea = item(s, w, "TE", daily="2", on_hand="0", lot_tracked=True)
        later = TODAY + dt.timedelta(days=60)
        for item_id, code, expiry, quantity in (
            (milk, "L-NEW", later, 10),
            (milk, "L-OLD", TODAY - dt.timedelta(days=1), 470),
            (tea, "L-NEW", later, 10),
            # Expiring today is still sellable today.
            (tea, "L-TODAY", TODAY, 470),
        ):
            lot = lots.get_or_create_lot(s, item_id, code, expiry)
            ledger.post_move(
                s,
                item_id=item_id,
                quantity=D(quantity),
                from_location_id=w.supplier_location,
                to_location_id=w.bin,
                kind=MoveKind.RECEIPT,
                user_id=w.user,
                unit_cost=D(10),
                lot_id=lot.id,
            )
        return w, milk, tea

    w, milk, tea = db.run(build)
    result = run(db, w)
    line = proposed(result, milk)
    assert line.on_hand == 10 and line.available == 10
    assert line.explanation.startswith(
        "On hand 10, on order 0, reserved 0, backordered 0: 10 pcs available. Not counted: "
        "470 pcs in lots that have expired (they may not be sold; write them down)."
    )
    assert line_for(result, tea) is None


def test_on_order_counts_whatever_its_expected_date(db: Database) -> None:
    def build(s: Session) -> tuple[World, int, int]:
        w = world(s)
        late = item(s, w, "SENT-LATE", daily="2", on_hand="0")
        draft = item(s, w, "DRAFT", daily="2", on_hand="0")
        far = TODAY + dt.timedelta(days=300)
        po = purchase_orders.create_purchase_order(
            s,
            w.user,
            w.supplier,
            lines=[purchase_orders.PurchaseOrderLineInput(late, "200", expected_date=far)],
        )
        purchase_orders.send_purchase_order(s, w.user, po.id)
        purchase_orders.create_purchase_order(
            s, w.user, w.supplier, lines=[purchase_orders.PurchaseOrderLineInput(draft, "200")]
        )
        return w, late, draft

    w, late, draft = db.run(build)
    result = run(db, w)
    assert line_for(result, late) is None
    assert line_for(result, draft) is None
    on_order = db.read(proposals.on_order_by_item)
    assert on_order[late] == on_order[draft] == D(200)


def test_received_and_cancelled_orders_no_longer_count_as_on_order(db: Database) -> None:
    def build(s: Session) -> tuple[World, int, int, int]:
        w = world(s)
        part = item(s, w, "PART", daily="2", on_hand="0")
        gone = item(s, w, "GONE", daily="2", on_hand="0")
        po = purchase_orders.create_purchase_order(
            s,
            w.user,
            w.supplier,
            lines=[
                purchase_orders.PurchaseOrderLineInput(part, "40"),
                purchase_orders.PurchaseOrderLineInput(gone, "40"),
            ],
        )
        purchase_orders.send_purchase_order(s, w.user, po.id)
        receipt = receiving.start_receipt(s, w.user, po.id)
        receiving.add_quantity(s, receipt.id, part, "30", w.user, bin_id=w.bin)
        receiving.post_receipt(s, receipt.id, w.user)
        other = purchase_orders.create_purchase_order(
            s, w.user, w.supplier, lines=[purchase_orders.PurchaseOrderLineInput(gone, "70")]
        )
        purchase_orders.cancel_purchase_order(s, w.user, other.id, "wrong")
        return w, part, gone, po.id

    w, part, gone, _po = db.run(build)
    on_order = db.read(proposals.on_order_by_item)
    assert on_order[part] == D(10)  # 40 ordered, 30 received
    assert on_order[gone] == D(40)  # the cancelled order's 70 does not count
    line = line_for(run(db, w), part)
    if line is not None:
        assert line.on_hand == D(30) and line.on_order == D(10)


def test_a_second_run_after_accepting_proposes_nothing_again(db: Database) -> None:
    def build(s: Session) -> tuple[World, list[int]]:
        w = world(s)
        return w, [
            item(s, w, "A", daily="2", on_hand="5", pack="6"),
            item(s, w, "B", daily="5", on_hand="0", moq="40"),
            item(s, w, "C", policy="min-max", min_qty="10", max_qty="50", daily="1", on_hand="4"),
        ]

    w, ids = db.run(build)
    first = run(db, w)
    lines = [proposed(first, item_id) for item_id in ids]
    accepted = db.run(proposals.accept_proposals, w.user, [AcceptLine.of(line) for line in lines])
    assert len(accepted.orders) == 1
    po = accepted.orders[0]
    assert po.status is PurchaseOrderStatus.DRAFT and po.supplier_code == "NORD"
    assert {(line.item_id, line.quantity) for line in po.lines} == {
        (line.item_id, line.quantity) for line in lines
    }
    assert all(line.expected_date == TODAY + dt.timedelta(days=7) for line in po.lines)
    assert po.number in accepted.message
    again = run(db, w)
    assert again.proposed() == []
    # Also the next day, when the same stock and orders stand (the draft still counts).
    tomorrow = db.run(proposals.run_proposals, w.user, TODAY + dt.timedelta(days=1))
    assert tomorrow.proposed() == []


def test_running_twice_without_accepting_proposes_the_same(db: Database) -> None:
    def build(s: Session) -> tuple[World, int]:
        w = world(s)
        return w, item(s, w, "SAME", daily="3", on_hand="2")

    w, same = db.run(build)
    first, second = run(db, w), run(db, w)
    assert proposed(first, same).quantity == proposed(second, same).quantity
    assert proposed(first, same).fingerprint == proposed(second, same).fingerprint


def test_a_dismissal_is_remembered_until_the_situation_changes(db: Database) -> None:
    def build(s: Session) -> tuple[World, int]:
        w = world(s)
        return w, item(s, w, "DISMISS", daily="2", on_hand="6")

    w, item_id = db.run(build)
    line = proposed(run(db, w), item_id)
    db.run(proposals.dismiss_proposal, w.user, line, "supplier is closed this week")
    hidden = run(db, w)
    assert line_for(hidden, item_id) is None
    assert [d.item_id for d in hidden.dismissed] == [item_id]
    assert "1 dismissed line is hidden" in hidden.message
    # The next day the forecast has moved a little, but nothing the buyer saw has changed.
    tomorrow = db.run(proposals.run_proposals, w.user, TODAY + dt.timedelta(days=1))
    assert line_for(tomorrow, item_id) is None and len(tomorrow.dismissed) == 1
    # Stock moves: the situation has changed, so the line is back and says so.
    db.run(
        lambda s: ledger.post_move(
            s,
            item_id=item_id,
            quantity=D(1),
            from_location_id=w.bin,
            to_location_id=w.customer_location,
            kind=MoveKind.ISSUE,
            user_id=w.user,
        )
    )
    back = proposed(run(db, w), item_id)
    assert back.dismissed_quantity == line.quantity
    assert any("Dismissed earlier" in warning for warning in back.warnings)
    # Dismissed again, then restored by hand.
    db.run(proposals.dismiss_proposal, w.user, back)
    assert line_for(run(db, w), item_id) is None
    db.run(proposals.restore_proposal, w.user, item_id)
    assert proposed(run(db, w), item_id).dismissed_quantity is None


def test_a_dismissal_note_has_a_limit(db: Database) -> None:
    def build(s: Session) -> tuple[World, int]:
        w = world(s)
        return w, item(s, w, "NOTE", daily="2", on_hand="0")

    w, item_id = db.run(build)
    line = proposed(run(db, w), item_id)
    with pytest.raises(ValidationError, match="at most 200"):
        db.run(proposals.dismiss_proposal, w.user, line, "x" * 201)
    assert line_for(run(db, w), item_id) is not None


def test_pack_size_and_moq_round_the_quantity_up(db: Database) -> None:
    def build(s: Session) -> tuple[World, int, int]:
        w = world(s)
        packed = item(s, w, "PACK", daily="2", on_hand="0", pack="12", price="5")
        minimum = item(s, w, "MOQ", daily="0.5", on_hand="0", pack="10", moq="45", order_qty="8")
        return w, packed, minimum

    w, packed, minimum = db.run(build)
    result = run(db, w)
    pack_line = proposed(result, packed)
    assert pack_line.quantity % 12 == 0 and pack_line.pack_size == D(12)
    assert "pack" in pack_line.explanation and "of 12." in pack_line.explanation
    moq_line = proposed(result, minimum)
    assert moq_line.quantity >= 45 and moq_line.quantity % 10 == 0
    assert moq_line.quantity == D(50)
    assert "minimum order quantity of 45 pcs" in moq_line.explanation


def test_a_supplier_below_its_minimum_order_value_is_told(db: Database) -> None:
    def build(s: Session) -> tuple[World, int]:
        w = world(s, min_order_value="100000")
        return w, item(s, w, "SMALL", daily="1", on_hand="0", price="3")

    w, small = db.run(build)
    result = run(db, w)
    total = next(t for t in result.suppliers if t.supplier_id == w.supplier)
    assert total.below_minimum and total.lines == 1
    assert "Below the minimum order value of 100,000.00 SEK" in total.note
    assert proposed(result, small).quantity > 0


def test_supplier_order_days_set_the_order_date_and_the_cover(db: Database) -> None:
    def build(s: Session) -> tuple[World, int]:
        w = world(s, lead_time=3)
        return w, item(s, w, "DAYS", daily="2", on_hand="0")

    w, item_id = db.run(build)
    plain = proposed(run(db, w), item_id)
    later = (TODAY.weekday() + 2) % 7
    assert db.run(proposals.set_supplier_order_days, w.user, w.supplier, {later}) == (later,)
    result = run(db, w)
    line = proposed(result, item_id)
    assert line.order_date == TODAY + dt.timedelta(days=2)
    assert line.due_date == line.order_date + dt.timedelta(days=3)
    # Two days of waiting and a week to the order day after: more must be covered.
    assert line.reorder_point is not None and plain.reorder_point is not None
    assert line.reorder_point > plain.reorder_point
    assert "takes orders on" in line.explanation
    total = next(t for t in result.suppliers if t.supplier_id == w.supplier)
    assert total.order_days == (later,) and total.order_date == line.order_date
    assert "next order day" in total.note
    assert db.run(proposals.set_supplier_order_days, w.user, w.supplier, []) == ()
    assert proposed(run(db, w), item_id).order_date == TODAY


def test_order_days_are_checked(db: Database) -> None:
    w = db.run(world)
    with pytest.raises(ValidationError, match="Monday to Sunday"):
        db.run(proposals.set_supplier_order_days, w.user, w.supplier, {7})
    staff = db.run(users.workstation_user, "staff").id
    with pytest.raises(NotAllowedError):
        db.run(proposals.set_supplier_order_days, staff, w.supplier, {1})
    assert db.read(proposals.supplier_order_days) == {}


def test_next_order_day_and_cycle() -> None:
    monday = dt.date(2026, 3, 16)
    assert proposals.next_order_day(monday, ()) == monday
    assert proposals.next_order_day(monday, (0, 3)) == monday
    assert proposals.next_order_day(monday + dt.timedelta(days=1), (0, 3)) == dt.date(2026, 3, 19)
    assert proposals.order_cycle_days(monday, (0, 3)) == 3
    assert proposals.order_cycle_days(dt.date(2026, 3, 19), (0, 3)) == 4
    assert proposals.order_cycle_days(monday, (0,)) == 7
    assert proposals.order_cycle_days(monday, ()) == 0


def test_zero_point_needs_appear_with_the_order_that_caused_them(db: Database) -> None:
    def build(s: Session) -> tuple[World, int, str]:
        w = world(s)
        zero = item(s, w, "ZERO", policy="zero-point", daily=None, on_hand="0", pack="5")
        customer = save_customer(s, w.user, CustomerInput(code="KUND", name="Kund & Co AB")).id
        order = orders.create_order(
            s, w.user, customer, lines=[orders.OrderLineInput(zero, "7", "100")]
        )
        orders.confirm_order(s, w.user, order.id)
        return w, zero, order.number

    w, zero, number = db.run(build)
    result = run(db, w)
    line = proposed(result, zero)
    assert line.reason == "zero-point-need" and line.quantity == D(10)
    assert [(n.order_number, n.customer_name, n.needed) for n in line.needs] == [
        (number, "Kund & Co AB", D(7))
    ]
    assert f"{number} for Kund & Co AB needs 7 pcs" in line.explanation
    accepted = db.run(proposals.accept_proposals, w.user, [AcceptLine.of(line)])
    po_line = accepted.orders[0].lines[0]
    assert po_line.item_id == zero and po_line.quantity == D(10)
    need = db.read(
        lambda s: s.execute(select(PurchaseNeed.status, PurchaseNeed.purchase_order_line_id)).one()
    )
    assert tuple(need) == (NeedStatus.ORDERED, po_line.id)
    assert line_for(run(db, w), zero) is None
    # Accepting the same line again buys nothing twice.
    with pytest.raises(ValidationError):
        db.run(proposals.accept_proposals, w.user, [AcceptLine.of(line)])


def test_manual_items_are_shown_but_never_proposed(db: Database) -> None:
    def build(s: Session) -> tuple[World, int]:
        w = world(s)
        return w, item(s, w, "MANUAL", policy="manual", daily="3", on_hand="0", min_qty="5")

    w, manual = db.run(build)
    result = run(db, w)
    line = line_for(result, manual)
    assert line is not None and line.kind is LineKind.MANUAL
    assert line.quantity == 0 and not line.orderable and not line.proposed
    assert "Manual item: Hylla never proposes it." in line.explanation
    assert result.proposed() == []
    assert next(t for t in result.suppliers if t.supplier_id == w.supplier).lines == 0
    with pytest.raises(ValidationError, match="greater than zero"):
        db.run(proposals.accept_proposals, w.user, [AcceptLine.of(line)])
    rows = proposals.proposal_rows(result)
    assert rows == []


def test_min_max_orders_up_to_the_maximum(db: Database) -> None:
    def build(s: Session) -> tuple[World, int, int]:
        w = world(s)
        low = item(s, w, "LOW", policy="min-max", min_qty="10", max_qty="40", on_hand="8")
        high = item(s, w, "HIGH", policy="min-max", min_qty="10", max_qty="40", on_hand="11")
        return w, low, high

    w, low, high = db.run(build)
    result = run(db, w)
    line = proposed(result, low)
    assert line.quantity == D(32) and line.reason == "at-or-below-min"
    assert "order up to the maximum of 40 pcs" in line.explanation
    assert line_for(result, high) is None


def test_garbage_in_gives_lines_with_warnings_not_crashes(db: Database) -> None:
    def build(s: Session) -> tuple[World, dict[str, int]]:
        w = world(s)
        return w, {
            "new": item(
                s, w, "NEW", policy="min-max", min_qty="5", max_qty="20", daily=None, on_hand="0"
            ),
            "orphan": item(s, w, "ORPHAN", supplier=None, daily="2", on_hand="0"),
            "instant": item(s, w, "INSTANT", lead=0, daily="2", on_hand="0"),
            "free": item(s, w, "FREE", price="0", daily="2", on_hand="0"),
        }

    w, ids = db.run(build)
    result = run(db, w)
    new = proposed(result, ids["new"])
    assert any("No demand recorded yet" in text for text in new.warnings)
    orphan = proposed(result, ids["orphan"])
    assert orphan.supplier_id is None and not orphan.orderable
    assert any("No supplier sells this item" in text for text in orphan.warnings)
    assert result.suppliers[-1].supplier_id is None
    assert "no supplier" in result.suppliers[-1].note
    with pytest.raises(ValidationError, match="has no supplier"):
        AcceptLine.of(orphan)
    instant = proposed(result, ids["instant"])
    assert instant.lead_time_days == 0
    assert any("No lead time is set" in text for text in instant.warnings)
    free = proposed(result, ids["free"])
    assert free.basis == "cover-days" and free.value == 0
    assert any("No purchase price" in text for text in free.warnings)
    assert "covers 30 days of forecast demand" in free.explanation


def test_the_buyers_quantity_is_checked_against_the_suppliers_terms(db: Database) -> None:
    def build(s: Session) -> tuple[World, int, int]:
        w = world(s)
        packed = item(s, w, "BOX", pack="12", moq="30")
        other = save_supplier(s, w.user, SupplierInput(code="OTHER", name="Other AB")).id
        return w, packed, other

    w, packed, other = db.run(build)
    check = proposals.check_quantity
    assert db.read(check, packed, w.supplier, "48") == D(48)
    with pytest.raises(ValidationError, match="order 36 or 48, not 40"):
        db.read(check, packed, w.supplier, "40")
    with pytest.raises(ValidationError, match="order at least 12, not 5"):
        db.read(check, packed, w.supplier, "5")
    with pytest.raises(ValidationError, match="in at least 30 pcs: order 36 or more"):
        db.read(check, packed, w.supplier, "24")
    with pytest.raises(ValidationError, match="greater than zero"):
        db.read(check, packed, w.supplier, "0")
    with pytest.raises(ValidationError, match="not a number"):
        db.read(check, packed, w.supplier, "tolv")
    with pytest.raises(ValidationError, match="OTHER does not sell BOX"):
        db.read(check, packed, other, "48")


def test_accepting_refuses_what_cannot_be_ordered(db: Database) -> None:
    def build(s: Session) -> tuple[World, int]:
        w = world(s)
        return w, item(s, w, "STALE", daily="2", on_hand="0", pack="6")

    w, stale = db.run(build)
    line = proposed(run(db, w), stale)
    with pytest.raises(ValidationError, match="Choose the proposal lines"):
        db.run(proposals.accept_proposals, w.user, [])
    with pytest.raises(ValidationError, match="accepted twice"):
        db.run(proposals.accept_proposals, w.user, [AcceptLine.of(line)] * 2)
    with pytest.raises(ValidationError, match="packs of 6"):
        db.run(proposals.accept_proposals, w.user, [AcceptLine.of(line, D(7))])
    # Another workstation orders it meanwhile: the proposal is stale.
    db.run(
        purchase_orders.create_purchase_order,
        w.user,
        w.supplier,
        lines=[purchase_orders.PurchaseOrderLineInput(stale, "6")],
    )
    with pytest.raises(ValidationError, match="has been ordered since"):
        db.run(proposals.accept_proposals, w.user, [AcceptLine.of(line)])
    # None of the refusals made an order of its own.
    assert db.read(lambda s: len(s.scalars(select(PurchaseOrder)).all())) == 1


def test_an_edited_quantity_is_ordered_and_the_rest_proposed_again(db: Database) -> None:
    def build(s: Session) -> tuple[World, int]:
        w = world(s)
        return w, item(s, w, "EDIT", policy="min-max", min_qty="10", max_qty="40", on_hand="0")

    w, edit = db.run(build)
    line = proposed(run(db, w), edit)
    assert line.quantity == D(40)
    db.run(proposals.accept_proposals, w.user, [AcceptLine.of(line, D(5))])
    again = proposed(run(db, w), edit)
    assert again.on_order == D(5) and again.quantity == D(35)


def test_settings_have_defaults_are_checked_and_are_a_managers(db: Database) -> None:
    w = db.run(world)
    defaults = db.read(proposals.proposal_settings)
    assert defaults == proposals.ProposalSettings(
        D(250), D(25), D(95), proposals.ServiceMeasure.FILL_RATE
    )
    saved = db.run(
        proposals.save_proposal_settings,
        w.user,
        ordering_cost="400",
        holding_rate_percent="20,5",
        service_level_percent="98",
        measure="cycle",
    )
    assert db.read(proposals.proposal_settings) == saved
    assert saved.holding_rate_percent == D("20.5")
    with pytest.raises(FieldErrors) as bad:
        db.run(
            proposals.save_proposal_settings,
            w.user,
            ordering_cost="-1",
            holding_rate_percent="0",
            service_level_percent="100",
            measure="sometimes",
        )
    assert set(bad.value.errors) == {
        proposals.ORDERING_COST_SETTING,
        proposals.HOLDING_RATE_SETTING,
        proposals.SERVICE_LEVEL_SETTING,
        proposals.SERVICE_MEASURE_SETTING,
    }
    assert db.read(proposals.proposal_settings) == saved
    staff = db.run(users.workstation_user, "staff").id
    with pytest.raises(NotAllowedError):
        db.run(
            proposals.save_proposal_settings,
            staff,
            ordering_cost="1",
            holding_rate_percent="1",
            service_level_percent="90",
            measure="cycle",
        )


def test_the_service_level_setting_and_measure_shape_the_reorder_point(db: Database) -> None:
    def build(s: Session) -> tuple[World, int]:
        w = world(s)
        return w, item(s, w, "LEVEL", daily="4", on_hand="0")

    w, item_id = db.run(build)

    def rop(level: str, measure: str) -> tuple[Decimal, str]:
        db.run(
            proposals.save_proposal_settings,
            w.user,
            ordering_cost="250",
            holding_rate_percent="25",
            service_level_percent=level,
            measure=measure,
        )
        line = proposed(run(db, w), item_id)
        assert line.reorder_point is not None
        return line.reorder_point, line.explanation

    low, _text = rop("80", "cycle")
    high, text = rop("99", "cycle")
    assert high > low
    assert "for a 99 % cycle service level" in text


def test_a_broken_stored_setting_is_refused_with_a_way_out(db: Database) -> None:
    from app.services.settings import set_setting

    w = db.run(world)
    db.run(set_setting, proposals.HOLDING_RATE_SETTING, "lots")
    with pytest.raises(ValidationError, match="proposal settings are not valid"):
        run(db, w)


def test_a_run_stores_the_abc_classes(db: Database) -> None:
    def build(s: Session) -> tuple[World, int, int]:
        w = world(s)
        dear = item(s, w, "DEAR", daily="2", on_hand="100", price="500")
        cheap = item(s, w, "CHEAP", daily="2", on_hand="100", price="1")
        for item_id in (dear, cheap):
            ledger.post_move(
                s,
                item_id=item_id,
                quantity=D(10),
                from_location_id=w.bin,
                to_location_id=w.customer_location,
                kind=MoveKind.ISSUE,
                user_id=w.user,
            )
        return w, dear, cheap

    w, dear, cheap = db.run(build)

    def classified() -> int:
        return int(
            db.read(
                lambda s: s.scalar(
                    select(func.count()).where(
                        AuditEvent.action == "classify", AuditEvent.entity == "item"
                    )
                )
            )
        )

    first = run(db, w)
    classes = dict(db.read(lambda s: s.execute(select(Item.id, Item.abc_class)).tuples().all()))
    assert classes[dear] == "A" and classes[cheap] == "C"
    assert classified() == 1 and dict(first.timings)["abc"] >= 0
    # Once a day is enough: a second run the same day keeps the classes it stored.
    again = run(db, w)
    assert classified() == 1
    assert {line.abc_class for line in again.lines} <= {"A", "C"}
    db.run(proposals.run_proposals, w.user, TODAY + dt.timedelta(days=1))
    assert classified() == 2


def test_lead_time_spread_comes_from_past_deliveries(db: Database) -> None:
    def build(s: Session) -> tuple[World, int]:
        w = world(s, lead_time=7)
        item_id = item(s, w, "LATE", daily="2", on_hand="0")
        for days_ago in (9, 12, 15):
            po = purchase_orders.create_purchase_order(
                s, w.user, w.supplier, lines=[purchase_orders.PurchaseOrderLineInput(item_id, "1")]
            )
            purchase_orders.send_purchase_order(s, w.user, po.id)
            receipt = receiving.start_receipt(s, w.user, po.id)
            receiving.add_quantity(s, receipt.id, item_id, "1", w.user, bin_id=w.bin)
            receiving.post_receipt(s, receipt.id, w.user)
            # Orders cannot be dated back through the services; this one went out earlier.
            sent = dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(9))
            s.execute(
                update(PurchaseOrder)
                .where(PurchaseOrder.id == po.id)
                .values(order_date=sent.date(), sent_at=sent.astimezone())
            )
        return w, item_id

    w, item_id = db.run(build)
    seen = db.read(proposals.lead_time_history, TODAY)[w.supplier]
    assert (seen.deliveries, seen.mean_days, seen.std_days) == (3, 12.0, 3.0)
    line = proposed(run(db, w), item_id)
    assert "varying by ± 3 days over 3 deliveries" in line.explanation
    assert any("took 12 days on average, not the 7 days" in text for text in line.warnings)


def test_the_proposals_file_is_the_interchange_format(db: Database, tmp_path: Path) -> None:
    def build(s: Session) -> tuple[World, int]:
        w = world(s)
        return w, item(s, w, "CSV-1", daily="2", on_hand="0", pack="4")

    w, item_id = db.run(build)
    path = tmp_path / "proposals.csv"
    result = db.run(proposals.export_proposals, w.user, path, TODAY)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["supplier", "sku", "qty", "order_date", "due_date", "policy", "reason"]
    line = proposed(result, item_id)
    assert rows[1][:6] == [
        "NORD",
        "CSV-1",
        str(line.quantity.normalize()),
        TODAY.isoformat(),
        (TODAY + dt.timedelta(days=7)).isoformat(),
        "reorder-point",
    ]
    assert rows[1][6].startswith("On hand 0")
    assert len(rows) == 2


def test_progress_is_reported_in_steps(db: Database) -> None:
    w = db.run(world)
    seen: list[tuple[int, int]] = []
    db.run(proposals.run_proposals, w.user, TODAY, lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, proposals.STEPS) and seen[-1] == (proposals.STEPS, proposals.STEPS)
    assert [done for done, _total in seen] == sorted(done for done, _total in seen)


def test_whole_packs_is_exact() -> None:
    assert proposals.whole_packs(D("0.3"), D("0.1"), D(0)) == D("0.3")
    assert proposals.whole_packs(D("25"), D("12"), D(0)) == D(36)
    assert proposals.whole_packs(D("1"), D("12"), D(30)) == D(36)
    assert proposals.whole_packs(D("0"), D("12"), D(30)) == D(0)


def test_the_supplier_is_the_preferred_one_else_the_cheapest_with_a_price(db: Database) -> None:
    from app.services.items import ItemInput, SupplierItemInput, save_item

    def build(s: Session) -> tuple[World, dict[str, int]]:
        w = world(s)
        for code in ("BILLIG", "DYR", "GRATIS"):
            save_supplier(s, w.user, SupplierInput(code=code, name=f"{code} AB"))

        def offered(sku: str, preferred: str | None) -> int:
            terms = tuple(
                SupplierItemInput(code, "", price, "1", preferred=code == preferred)
                for code, price in (("DYR", "20"), ("BILLIG", "12"), ("GRATIS", "0"))
            )
            return save_item(
                s,
                w.user,
                ItemInput(
                    sku=sku,
                    name=sku,
                    policy="min-max",
                    min_qty="5",
                    max_qty="10",
                    supplier_items=terms,
                ),
            ).id

        return w, {"cheapest": offered("VALFRI", None), "preferred": offered("FAST", "DYR")}

    w, ids = db.run(build)
    result = run(db, w)
    cheapest = proposed(result, ids["cheapest"])
    assert cheapest.supplier_code == "BILLIG" and cheapest.unit_price == D(12)
    assert any("2 other suppliers sell it too" in text for text in cheapest.warnings)
    preferred = proposed(result, ids["preferred"])
    assert preferred.supplier_code == "DYR"
    assert not any("other suppliers" in text for text in preferred.warnings)


def test_the_migration_builds_the_proposal_tables_and_can_be_undone(db: Database) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from app.services.database import _alembic_config

    tables = {"supplier_order_day", "proposal_dismissal"}
    assert tables <= set(inspect(db.engine).get_table_names())
    with db.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0004")
    assert not tables & set(inspect(db.engine).get_table_names())
    with db.engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")
    assert tables <= set(inspect(db.engine).get_table_names())
