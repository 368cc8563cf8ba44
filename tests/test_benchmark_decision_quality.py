"""The decision-quality benchmark (benchmarks/decision_quality.py) on a tiny world: its
figures are well formed, its simulator keeps the books right, the hindsight (s,S)
reaches the target by construction and Hylla's policy cannot see the future."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from app.planning.replenishment import (
    MANUAL,
    ReplenishmentInput,
    ReplenishmentResult,
)
from benchmarks import decision_quality as dq

ITEMS = 12
HORIZON = 120


@pytest.fixture(scope="module")
def world() -> dq.World:
    return dq.make_world(ITEMS, seed=3, horizon_days=HORIZON)


@pytest.fixture(scope="module")
def report() -> dq.Report:
    return dq.run_benchmark(ITEMS, seed=3, horizon_days=HORIZON)


def reference_s_S(world: dq.World, i: int, s: float, S: float) -> tuple[float, float, int]:
    """A plain, item-at-a-time (s, S) simulation: (served, average on hand, orders)."""
    on_hand, back, served, stock, orders = float(world.on_hand0[i]), 0.0, 0.0, 0.0, 0
    arrivals: dict[int, float] = {}
    pack = float(world.pack[i])
    for step in range(world.horizon_days):
        on_hand += arrivals.pop(step, 0.0)
        late = min(on_hand, back)
        on_hand, back = on_hand - late, back - late
        position = on_hand + sum(arrivals.values()) - back
        if position <= s:
            quantity = np.ceil((S - position) / pack - 1e-9) * pack
            due = step + int(world.lead_draws[i, step])
            arrivals[due] = arrivals.get(due, 0.0) + quantity
            orders += 1
        wanted = float(world.demand[i, world.history_days + step])
        shipped = min(on_hand, wanted)
        on_hand -= shipped
        back += wanted - shipped
        served += shipped
        stock += on_hand
    return served, stock / world.horizon_days, orders


def test_world_has_every_class_and_sane_terms(world: dq.World) -> None:
    assert world.demand.shape == (ITEMS, 365 + HORIZON)
    assert sorted(set(world.kind.tolist())) == [0, 1, 2, 3]
    assert (world.demand >= 0).all() and (world.lead_draws >= 1).all()
    assert (world.on_hand0 >= 0).all() and (world.unit_cost > 0).all()
    # Lead times vary: the draws are not all the mean.
    assert (world.lead_draws != world.lead_mean[:, None]).any()


def test_report_structure_and_bounds(report: dq.Report) -> None:
    names = [p.name for p in report.policies]
    assert names == ["hylla reorder-point", "naive min/max", "hindsight (s,S)"]
    for p in report.policies:
        assert 0.0 <= p.fill_rate <= 1.0
        assert 0.0 <= p.items_at_target <= 1.0
        assert ((p.item_fill >= 0) & (p.item_fill <= 1)).all()
        assert set(p.fill_by_class) == set(dq.KIND_NAMES)
        assert all(0.0 <= v <= 1.0 for v in p.fill_by_class.values())
        assert p.total_cost == pytest.approx(p.holding_cost + p.ordering_cost)
        assert p.total_cost == pytest.approx(p.item_cost.sum())
        assert p.orders == int(p.item_orders.sum())
        assert p.ordering_cost == pytest.approx(p.orders * dq.ORDERING_COST)
    assert report.policy("hindsight (s,S)").cost_vs_hindsight == pytest.approx(1.0)
    assert set(report.goals) and all(isinstance(v, bool) for v in report.goals.values())
    assert sum(sum(found.values()) for found in report.classes_found.values()) == ITEMS
    data = dq.to_json(report, {"load_average_at_start": [0.0, 0.0, 0.0]})
    assert json.loads(json.dumps(data))["policies"][0]["name"] == "hylla reorder-point"
    # A policy that orders reaches a real fill rate on this seed.
    assert report.policy("hylla reorder-point").fill_rate > 0.9


def test_hindsight_reaches_target_where_possible(world: dq.World, report: dq.Report) -> None:
    hind = report.policy("hindsight (s,S)")
    reachable = hind.item_fill >= world.target - 1e-12
    assert report.hindsight_reached == int(reachable.sum())
    # An item can miss only when its opening stock runs out before any order could land:
    # then ordering as much as possible from day one does no better.
    flood = dq.simulate(
        world,
        dq.fixed_s_S(world, np.full((ITEMS, 1), 1e9), np.full((ITEMS, 1), 2e9)),
    )
    best_possible = dq.item_fill(flood)[:, 0]
    assert (best_possible[~reachable] < world.target).all()
    assert (report.hindsight_S > report.hindsight_s).all()
    # The cheapest point reaching the target costs no more than the flood policy's.
    assert (hind.item_cost[reachable] <= dq.item_costs(world, flood)[reachable, 0] + 1e-9).all()


def test_simulator_matches_a_plain_reference(world: dq.World, report: dq.Report) -> None:
    hind = report.policy("hindsight (s,S)")
    outcome = dq.simulate(
        world, dq.fixed_s_S(world, report.hindsight_s[:, None], report.hindsight_S[:, None])
    )
    for i in range(ITEMS):
        served, stock, orders = reference_s_S(
            world, i, float(report.hindsight_s[i]), float(report.hindsight_S[i])
        )
        assert outcome.served[i, 0] == pytest.approx(served)
        assert outcome.inventory_units[i, 0] == pytest.approx(stock)
        assert outcome.orders[i, 0] == orders
        assert hind.item_orders[i] == orders


def test_never_ordering_runs_dry(world: dq.World) -> None:
    outcome = dq.simulate(world, dq.hylla_policy(world, MANUAL))
    assert outcome.orders.sum() == 0
    # Only the opening stock is ever served; after it is gone the fill rate is 0.
    np.testing.assert_allclose(outcome.served[:, 0], np.minimum(world.on_hand0, outcome.demand))
    fill = dq.item_fill(outcome)[:, 0]
    short = outcome.demand > world.on_hand0
    assert short.any() and (fill[short] < 1).all()
    tail = outcome.served_by_day[-30:, 0].sum() / outcome.demand_by_day[-30:].sum()
    head = outcome.served_by_day[:7, 0].sum() / outcome.demand_by_day[:7].sum()
    assert tail < 0.5 * head


def test_hylla_cannot_see_future_demand(world: dq.World, monkeypatch: pytest.MonkeyPatch) -> None:
    cut = 38
    # Demand falls on weekdays only: the first changed day must be one.
    assert (world.history_days + cut) % 7 < 5 and world.demand[:, world.history_days + cut].any()
    changed = world.demand.copy()
    changed[:, world.history_days + cut :] *= 3
    other = dataclasses.replace(world, demand=changed)
    plans: list[np.ndarray] = []
    plan = dq.plan_replenishment

    def recording_plan(inp: ReplenishmentInput) -> ReplenishmentResult:
        result = plan(inp)
        # The reorder point moves with any change in the history the plan is given.
        plans.append(np.concatenate([result.reorder_point, result.order_qty]))
        return result

    monkeypatch.setattr(dq, "plan_replenishment", recording_plan)

    def recorded(w: dq.World) -> list[np.ndarray]:
        plans.clear()
        dq.simulate(w, dq.hylla_policy(w))
        return list(plans)

    first, second = recorded(world), recorded(other)
    assert len(first) == HORIZON
    # Up to and including the morning of the day the demand changes, the decisions are
    # the same to the last digit: that day's demand is not known yet.
    for a, b in zip(first[: cut + 1], second[: cut + 1], strict=True):
        np.testing.assert_array_equal(a, b)
    # And the check can fail: once the changed days are history, the plans differ.
    assert not all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))


def test_main_writes_json_and_refuses_too_few_items(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        dq.main(["--items", "3", "--out", str(tmp_path / "x.json")])
    assert not (tmp_path / "x.json").exists()
    out = tmp_path / "dq.json"
    assert dq.main(["--items", "4", "--seed", "2", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["items"] == 4 and data["horizon_days"] == 365
    assert {p["name"] for p in data["policies"]} == {
        "hylla reorder-point",
        "naive min/max",
        "hindsight (s,S)",
    }
    assert "load_average_at_start" in data["machine"]
