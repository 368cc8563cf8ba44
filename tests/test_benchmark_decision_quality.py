"""The decision-quality benchmark (benchmarks/decision_quality.py) on a tiny world: its
figures are well formed, its simulator keeps the books right, the hindsight (s,S)
reaches the target by construction, Hylla's policy cannot see the future and the
known-model reference sees only its own fresh years."""

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
# The known-model reference in the test: 3 fresh years, in 1 of them or in all 3.
KNOWN_SAMPLES = 3
KNOWN_SHARES = (1 / 3, 1.0)


@pytest.fixture(scope="module")
def world() -> dq.World:
    return dq.make_world(ITEMS, seed=3, horizon_days=HORIZON)


@pytest.fixture(scope="module")
def report() -> dq.Report:
    return dq.run_benchmark(ITEMS, seed=3, horizon_days=HORIZON)


@pytest.fixture(scope="module")
def known(world: dq.World) -> list[dq.KnownModelChoice]:
    return dq.known_model_s_S(world, KNOWN_SAMPLES, KNOWN_SHARES, seed=3)


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
    # Nor the true demand model: a model of NaNs would spill into every plan that read it.
    nan = np.full(ITEMS, np.nan)
    other = dataclasses.replace(
        world, demand=changed, model=dq.DemandModel(nan, nan, nan, nan, nan)
    )
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


def test_world_keeps_the_model_its_demand_came_from(world: dq.World) -> None:
    rng = np.random.default_rng(5)
    size = rng.gamma(world.model.shape[:, None], 1.0, (ITEMS, 2000))
    demand = world.model.demand(size, rng.random((ITEMS, 2000)), first_day=0)
    weekdays = (np.arange(2000) % 7) < 5
    # The share of weekdays with demand is the model's chance, within sampling error.
    occurs = (demand[:, weekdays] > 0).mean(axis=1)
    np.testing.assert_allclose(occurs, world.model.chance, atol=0.05)
    assert (demand[:, ~weekdays] == 0).all()
    # And the world's own demand was drawn with those chances.
    seen = (world.demand[:, weekdays[: world.demand.shape[1]]] > 0).mean(axis=1)
    np.testing.assert_allclose(seen, world.model.chance, atol=0.08)


def test_fresh_years_follow_the_model_not_the_realised_year(world: dq.World) -> None:
    years = dq.fresh_years(world, 4, np.random.default_rng(9))
    start = world.history_days
    assert years.items == ITEMS * 4 and years.horizon_days == HORIZON
    rows = np.repeat(np.arange(ITEMS), 4)
    np.testing.assert_array_equal(years.demand[:, :start], world.demand[rows, :start])
    np.testing.assert_array_equal(years.on_hand0, world.on_hand0[rows])
    np.testing.assert_array_equal(years.pack, world.pack[rows])
    # Each year is new: not the realised one, and the four differ from each other.
    ahead = years.demand[:, start:].reshape(ITEMS, 4, HORIZON)
    frequent = world.kind < 2
    assert not (ahead[frequent] == world.demand[frequent, None, start:]).all(axis=2).any()
    assert not (ahead[frequent, 0] == ahead[frequent, 1]).all(axis=1).any()
    assert (years.lead_draws >= 1).all()
    assert not np.array_equal(years.lead_draws[::4], world.lead_draws)


def test_known_model_reference_rises_with_the_share_of_years(
    world: dq.World, known: list[dq.KnownModelChoice]
) -> None:
    assert [c.share for c in known] == list(KNOWN_SHARES)
    assert [c.name for c in known] == [
        "known model (s,S), p = 33 %",
        "known model (s,S), p = 100 %",
    ]
    at_target = []
    for choice in known:
        assert (choice.S > choice.s).all() and (choice.s >= 0).all()
        # In its own fresh years it reaches the target as often as asked, where any
        # grid point can (here: all but the items whose opening stock runs out first).
        reaching = choice.years_at_target >= choice.share - 1e-12
        assert reaching.sum() >= ITEMS - 2
        outcome = dq.simulate(world, dq.fixed_s_S(world, choice.s[:, None], choice.S[:, None]))
        at_target.append((dq.item_fill(outcome)[:, 0] >= world.target - 1e-12).mean())
    # Asking for the target in every fresh year gets more items there in the real one.
    assert at_target[1] > at_target[0]
    # A point that must reach the target more often costs at least as much on average.
    assert known[1].mean_cost.sum() >= known[0].mean_cost.sum()


def test_known_model_never_reads_the_realised_year(
    world: dq.World, known: list[dq.KnownModelChoice]
) -> None:
    start = world.history_days
    blank = world.demand.copy()
    blank[:, start:] = 0.0
    other = dataclasses.replace(
        world, demand=blank, lead_draws=np.full_like(world.lead_draws, HORIZON + 5)
    )
    again = dq.known_model_s_S(other, KNOWN_SAMPLES, KNOWN_SHARES, seed=3)
    for a, b in zip(known, again, strict=True):
        np.testing.assert_array_equal(a.s, b.s)
        np.testing.assert_array_equal(a.S, b.S)
    # The check can fail: the hindsight (s,S), which does read that year, changes.
    s, S = dq.hindsight_s_S(world)
    s_blank, S_blank = dq.hindsight_s_S(other)
    assert not (np.array_equal(s, s_blank) and np.array_equal(S, S_blank))
    # And the fresh years do depend on the model: another model, other choices.
    louder = dataclasses.replace(world.model, rate=world.model.rate * 3)
    changed = dq.known_model_s_S(
        dataclasses.replace(world, model=louder), KNOWN_SAMPLES, KNOWN_SHARES, seed=3
    )
    assert not np.array_equal(changed[1].s, known[1].s)


def test_known_model_refuses_bad_settings(world: dq.World) -> None:
    with pytest.raises(ValueError, match="at least one fresh year"):
        dq.known_model_s_S(world, 0)
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        dq.known_model_s_S(world, 2, (0.0, 0.8))
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        dq.known_model_s_S(world, 2, ())


def test_report_with_the_known_model_keeps_goals_on_hylla(report: dq.Report) -> None:
    with_known = dq.run_benchmark(
        ITEMS, seed=3, horizon_days=HORIZON, known_samples=KNOWN_SAMPLES, known_shares=(0.5,)
    )
    names = [p.name for p in with_known.policies]
    assert names == [
        "hylla reorder-point",
        "naive min/max",
        "hindsight (s,S)",
        "known model (s,S), p = 50 %",
        "known model, best split 80 %",
    ]
    # The other rows and the goals are what they are without the reference.
    for before, after in zip(report.policies, with_known.policies[:3], strict=True):
        assert before.summary() == after.summary()
    assert with_known.goals == report.goals
    row = with_known.policy("known model (s,S), p = 50 %")
    assert row.total_cost == pytest.approx(row.item_cost.sum())
    assert row.cost_vs_hindsight > 0
    assert "known model (s,S), p = 50 %" in dq.table(with_known)
    data = json.loads(json.dumps(dq.to_json(with_known, {})))
    assert data["known_model"]["fresh_years_per_item"] == KNOWN_SAMPLES
    assert [p["name"] for p in data["known_model"]["policies"]] == [
        "known model (s,S), p = 50 %",
        "known model, best split 80 %",
    ]
    split = data["known_model"]["policies"][1]
    assert split["expected_share_of_items_at_target"] == 0.8
    assert (
        split["checked_on_other_fresh_years"] >= 0.8 or split["price_of_an_item_at_target"] == 1e7
    )


def test_best_split_buys_items_at_target_where_they_cost_least() -> None:
    # Two items, two points each: (cost 10, at target in half the years) or more stock
    # (always at target), which costs item 0 two more and item 1 twenty more.
    share = np.array([[0.5, 1.0], [0.5, 1.0]])
    cost = np.array([[10.0, 12.0], [10.0, 30.0]])
    best, checked, weight = dq._best_split(share, cost, share, 0.75)
    # Not the same share of years for both (cost 42): item 0's cheap certainty only.
    assert best.tolist() == [1, 0] and checked == 0.75
    assert 4.0 <= weight < 40.0
    # Judged on other years in which item 0's extra stock does not help, item 1 must
    # be bought too (and item 0's point is still the cheaper at that price).
    check = np.array([[0.5, 0.5], [0.5, 1.0]])
    best, checked, weight = dq._best_split(share, cost, check, 0.75)
    assert best.tolist() == [1, 1] and checked == 0.75 and weight >= 40.0
    # A target no point reaches: the best it can do, at the largest price tried.
    best, checked, weight = dq._best_split(share, cost, share * 0.5, 0.9)
    assert best.tolist() == [1, 1] and checked == 0.5 and weight == dq.SPLIT_WEIGHTS[-1]


def test_known_model_refuses_a_bad_split(world: dq.World) -> None:
    with pytest.raises(ValueError, match="share of items"):
        dq.known_model_s_S(world, 2, split=1.5)


def test_main_refuses_too_few_fresh_years(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.json"
    with pytest.raises(SystemExit):
        dq.main(["--items", "4", "--known-model", "--known-samples", "0", "--out", str(out)])
    assert "--known-samples must be at least 1" in capsys.readouterr().err
    assert not out.exists()
