"""What a proposal run gathers for the planning: every active item's figures, stock and
supplier terms, read as columns of stored integers (fast) and turned into exact Decimals
only for the lines shown. These tests check that nothing is lost or rounded on the way:
the planning sees the same numbers the items hold, and a line shows them exactly."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from sqlalchemy.orm import Session

from app.models import MoveKind
from app.planning import replenishment
from app.services import ledger, locations, orders, proposals
from app.services.customers import CustomerInput, save_customer
from app.services.database import Database
from app.services.items import ItemInput, SupplierItemInput, save_item
from app.services.proposals import ProposalLine, ProposalRun
from app.services.suppliers import SupplierInput, save_supplier
from tests.services.proposals_setup import TODAY, World, item, world

D = Decimal


def run(db: Database, w: World) -> ProposalRun:
    return db.run(proposals.run_proposals, w.user, TODAY)


def line_for(result: ProposalRun, item_id: int) -> ProposalLine:
    found = next((line for line in result.lines if line.item_id == item_id), None)
    assert found is not None, f"item {item_id} has no line"
    return found


def capture_inputs(monkeypatch: pytest.MonkeyPatch) -> list[replenishment.ReplenishmentInput]:
    """Keep what the run hands to the planning (the planning itself still runs)."""
    seen: list[replenishment.ReplenishmentInput] = []
    real = replenishment.plan_replenishment

    def keep(inp: replenishment.ReplenishmentInput) -> Any:
        seen.append(inp)
        return real(inp)

    monkeypatch.setattr(replenishment, "plan_replenishment", keep)
    return seen


def test_the_planning_gets_each_items_own_figures(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def build(s: Session) -> tuple[World, dict[str, int]]:
        w = world(s, lead_time=9)
        second_bin = locations.save_bin(s, w.user, "A-01-02").id
        full = item(
            s,
            w,
            "FULL",
            policy="min-max",
            on_hand="1.234",
            price="12.3456",
            pack="6",
            moq="12",
            lead=4,
            min_qty="5",
            max_qty="12.5",
            order_qty="6",
            service_level="97.5",
            shelf_life_days=30,
        )
        # More of it in a second bin: on hand is the sum, to the last decimal.
        ledger.post_move(
            s,
            item_id=full,
            quantity=D("2.5"),
            from_location_id=w.supplier_location,
            to_location_id=second_bin,
            kind=MoveKind.RECEIPT,
            user_id=w.user,
            unit_cost=D("10"),
        )
        bare = item(s, w, "BARE", supplier=None, on_hand="0", daily="1")
        # No price from the supplier: the average cost stands in.
        costed = item(s, w, "COSTED", price="0", on_hand="0")
        ledger.post_move(
            s,
            item_id=costed,
            quantity=D(4),
            from_location_id=w.supplier_location,
            to_location_id=w.bin,
            kind=MoveKind.RECEIPT,
            user_id=w.user,
            unit_cost=D("10"),
        )
        inactive = save_item(s, w.user, ItemInput(sku="GONE", name="Gone", active=False)).id
        return w, {"full": full, "bare": bare, "costed": costed, "inactive": inactive}

    w, ids = db.run(build)
    seen = capture_inputs(monkeypatch)
    result = run(db, w)
    assert len(seen) == 1 and result.items_planned == 3
    inp = seen[0]
    order = sorted(ids[name] for name in ("full", "bare", "costed"))
    full, bare, costed = (order.index(ids[name]) for name in ("full", "bare", "costed"))
    assert inp.demand.shape[0] == 3
    # Every figure is the float of the exact stored value, or NaN where it is not set.
    assert inp.on_hand[full] == float(D("3.734")) and inp.on_hand[bare] == 0.0
    assert inp.min_qty[full] == 5.0 and inp.max_qty[full] == 12.5
    assert inp.fixed_order_qty[full] == 6.0 and inp.shelf_life_days[full] == 30.0
    assert inp.service_level[full] == float(D("0.975"))
    assert inp.unit_cost[full] == float(D("12.3456"))
    assert inp.pack_size[full] == 6.0 and inp.moq[full] == 12.0
    assert inp.lead_time_mean[full] == 4.0 and inp.lead_time_mean[costed] == 9.0
    assert inp.policy[full] == replenishment.POLICY_CODES["min-max"]
    assert inp.policy[bare] == replenishment.POLICY_CODES["reorder-point"]
    for name in ("min_qty", "max_qty", "fixed_order_qty", "shelf_life_days"):
        assert math.isnan(getattr(inp, name)[bare]), name
    for name in ("pack_size", "moq", "lead_time_mean", "unit_cost"):
        assert math.isnan(getattr(inp, name)[bare]), name
    # The default service level (95 %) where the item sets none.
    assert inp.service_level[bare] == 0.95
    # Received at 10 with no price from the supplier: planned at the average cost.
    assert inp.unit_cost[costed] == 10.0
    assert not np.any(inp.on_order) and not np.any(inp.reserved)
    line = line_for(result, ids["full"])
    assert line.on_hand == D("3.734") and str(line.on_hand) == "3.734"
    assert (line.pack_size, line.moq, line.unit_price) == (D(6), D(12), D("12.3456"))
    assert (line.min_qty, line.max_qty) == (D(5), D("12.5"))
    assert line.supplier_sku == "S-FULL" and line.lead_time_days == 4
    assert "On hand 3.734" in line.explanation


def test_the_supplier_choice_breaks_ties_by_lead_time_then_code(db: Database) -> None:
    def build(s: Session) -> tuple[World, dict[str, int]]:
        w = world(s)
        for code, lead, active in (
            ("ALFA", 10, True),
            ("BETA", 3, True),
            ("CESAR", 3, True),
            ("DELTA", 1, False),
        ):
            save_supplier(
                s,
                w.user,
                SupplierInput(code=code, name=f"{code} AB", lead_time_days=lead, active=active),
            )

        def offered(sku: str, *terms: tuple[str, str, bool]) -> int:
            return save_item(
                s,
                w.user,
                ItemInput(
                    sku=sku,
                    name=sku,
                    policy="min-max",
                    min_qty="5",
                    max_qty="10",
                    supplier_items=tuple(
                        SupplierItemInput(code, f"{code}-{sku}", price, "1", preferred=preferred)
                        for code, price, preferred in terms
                    ),
                ),
            ).id

        return w, {
            # Same price: the faster supplier; same price and speed: the first by code.
            "faster": offered("SNABB", ("ALFA", "10", False), ("BETA", "10", False)),
            "by_code": offered("KOD", ("CESAR", "10", False), ("BETA", "10", False)),
            # An inactive supplier is no choice, preferred or not, nor an alternative.
            "inactive": offered("VILAR", ("DELTA", "1", True), ("ALFA", "10", False)),
        }

    w, ids = db.run(build)
    result = run(db, w)
    faster = line_for(result, ids["faster"])
    assert (faster.supplier_code, faster.supplier_sku, faster.lead_time_days) == (
        "BETA",
        "BETA-SNABB",
        3,
    )
    assert any("1 other supplier sells it too" in text for text in faster.warnings)
    assert line_for(result, ids["by_code"]).supplier_code == "BETA"
    inactive = line_for(result, ids["inactive"])
    assert inactive.supplier_code == "ALFA"
    assert not any("other supplier" in text for text in inactive.warnings)


def test_a_zero_point_need_is_bought_where_order_entry_rounded_it(db: Database) -> None:
    """Order entry takes the first supplier even without a price; the proposals would
    choose the cheapest with one. The need's supplier wins, with its own terms."""

    def build(s: Session) -> tuple[World, int]:
        w = world(s)
        for code, lead in (("BILLIG", 3), ("GRATIS", 11)):
            save_supplier(
                s, w.user, SupplierInput(code=code, name=f"{code} AB", lead_time_days=lead)
            )
        zero = save_item(
            s,
            w.user,
            ItemInput(
                sku="NOLL",
                name="Noll",
                policy="zero-point",
                supplier_items=(
                    SupplierItemInput("BILLIG", "B-1", "12", "4"),
                    SupplierItemInput("GRATIS", "G-1", "0", "5"),
                ),
            ),
        ).id
        customer = save_customer(s, w.user, CustomerInput(code="KUND", name="Kund AB")).id
        order = orders.create_order(
            s, w.user, customer, lines=[orders.OrderLineInput(zero, "7", "100")]
        )
        orders.confirm_order(s, w.user, order.id)
        return w, zero

    w, zero = db.run(build)
    line = line_for(run(db, w), zero)
    assert (line.supplier_code, line.supplier_sku, line.pack_size) == ("GRATIS", "G-1", D(5))
    assert line.quantity == D(10) and line.lead_time_days == 11
    assert (line.due_date - line.order_date).days == 11
