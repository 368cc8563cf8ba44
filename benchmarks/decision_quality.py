"""Decision quality of purchase proposals: a year of simulated daily operation.

    python -m benchmarks.decision_quality [--items 300] [--seed 1] [--quick]
                                          [--known-model [--known-samples 16]]
                                          [--out benchmarks/out/decision_quality.json]

Issue 7's "Benchmarks → Decision quality". A few hundred items of all four demand
classes (smooth, erratic, intermittent, lumpy; a fifth of the smooth and erratic ones
seasonal) get a year of visible history, then 365 days of operation. Each morning the
goods due that day arrive (backorders are served first), the policy decides with the
demand up to yesterday only, orders are placed with a lead time drawn per item and order
from a skewed (gamma) distribution around the supplier's mean, and the day's demand is
served from stock; what stock cannot serve is backordered (fill rate = demand served
from stock on the day it is asked for / all demand). Every policy meets the same
demand, the same lead-time draws and the same opening stock (common random numbers).

Policies compared at a 95 % fill-rate target:

* **hylla reorder-point** — Hylla's own ``app.planning.replenishment.plan_replenishment``
  called every day, vectorised over all items, with the reorder-point policy and a
  95 % fill-rate service level (EOQ order quantities, pack rounding, lead-time spread);
* **naive min/max** — the same function with the min-max policy, min = 2 weeks and
  max = 4 weeks of the average daily demand of the trailing year, recomputed daily;
* **hindsight (s,S)** — per item the cheapest fixed (s, S) (order up to S, in whole
  packs, when the inventory position is at or below s) that reaches the target on the
  realised demand, found by grid search: a coarse grid, then a finer one around the
  best point. It sees the future, so it is a bound to compare with, not a policy.

With ``--known-model`` (off by default: it adds about five minutes on 300 items and 16
fresh years, simulated a chunk of items at a time in about 250 MB) a fourth reference
joins the table and the JSON, for what knowing each item's true demand model — but not
the year that will happen — is worth:

* **known model (s,S), p = 50 % / 80 %** — per item, ``--known-samples`` M (16) fresh
  years are simulated from the model ``make_world`` drew the demand from, with fresh
  lead times from the same distribution; the same two-step grid search then picks the
  cheapest fixed (s, S) (least average cost) that reaches the target in at least the
  share p of those years, and that (s, S) runs on the real year. It never reads the
  realised year. p = 50 % behaves like the textbook (s,S) of issue 7 (cost about
  1.05 × hindsight, half of the items at target); p = 80 % shows what getting 80 % of
  the items to target costs even with the model known.
* **known model, best split 80 %** — the same, but the share of years is not the same
  for every item: per item the point of least (average cost − λ × share of years at
  target), with the least λ for which the chosen points expect 80 % of the items at
  target, judged on a second set of M fresh years (so that points lucky in the first
  set do not flatter it). Issue 7's goal counts items but weighs cost by value; this is
  the cheapest way a policy that knew the model could meet its 80 % (a few more minutes:
  it simulates the fine grids of five shares of years, twice).

The goals are judged on Hylla's policy only, with or without the reference.

Cost = holding (average on-hand value × holding rate, per year of the horizon) +
ordering (orders × ordering cost). Prints a table and writes the figures as JSON.
``--quick`` runs 60 items (about 15 s); the test runs a smaller world in-process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from app.planning.demand import CLASS_NAMES, classify_demand, weekly_buckets
from app.planning.replenishment import (
    MIN_MAX,
    REORDER_POINT,
    ReplenishmentInput,
    plan_replenishment,
)

HERE = Path(__file__).resolve().parent
KIND_NAMES: tuple[str, ...] = CLASS_NAMES[:4]  # the generated classes: smooth … lumpy
TARGET = 0.95
ORDERING_COST = 100.0
HOLDING_RATE = 0.25
# Issue 7's goals at a 95 % fill-rate target.
GOAL_AGGREGATE = 0.95
GOAL_ITEMS_SHARE = 0.80
GOAL_LUMPY = 0.93
GOAL_COST_RATIO = 1.10
# Naive min/max: 2 and 4 weeks of average demand.
NAIVE_MIN_DAYS = 14.0
NAIVE_MAX_DAYS = 28.0
# The yearly season of a seasonal item: ±40 % around its mean.
SEASON_AMPLITUDE = 0.4
# The known-model reference: fresh years simulated per item, and the shares p of them in
# which its (s,S) must reach the target ("p = 50 %" reproduces the textbook figure).
KNOWN_MODEL_SAMPLES = 16
KNOWN_MODEL_SHARES: tuple[float, ...] = (0.5, 0.8)
# The best split: the share of items it must expect at target (issue 7's goal), and the
# shares of years whose fine grids it may choose from besides ``KNOWN_MODEL_SHARES``.
KNOWN_MODEL_SPLIT = 0.8
KNOWN_MODEL_SPLIT_SHARES: tuple[float, ...] = (0.65, 0.9, 1.0)
# Its weights λ (currency per item at target) are tried on a geometric scale.
SPLIT_WEIGHTS = np.geomspace(1.0, 1e7, 281)
# Its fresh years come from their own random stream, apart from the world's; the second
# set, which the best split is checked on, from another.
KNOWN_MODEL_STREAM = 7_000
KNOWN_MODEL_CHECK_STREAM = 7_001
# Grid simulations are split by item so that no chunk holds more than this many cells
# (rows × grid points × (pipeline slots + working arrays)), about 130 MB of float64.
CHUNK_CELLS = 16_000_000

# A day's decision: (horizon step, day index, on hand, on order, backordered) → order
# quantity, each array items × variants.
Decide = Callable[[int, int, np.ndarray, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class DemandModel:
    """The true demand model of each item, the one ``make_world`` draws demand from.

    On a weekday an item is asked for with probability ``chance``; a demand's size is
    gamma distributed with mean ``rate`` and shape ``shape`` (10: little spread, 0.4:
    great spread), times a yearly season ``1 + season · sin(2π day / 365.25 + phase)``,
    rounded to whole units and at least one.
    """

    chance: np.ndarray
    rate: np.ndarray
    shape: np.ndarray
    season: np.ndarray  # amplitude of the yearly season, 0 for a flat item
    phase: np.ndarray  # radians

    def demand(
        self, size_draws: np.ndarray, chance_draws: np.ndarray, first_day: int
    ) -> np.ndarray:
        """Demand (items × days, days counted from ``first_day``) from standard gamma
        draws of the model's shapes (scale 1) and uniform draws on [0, 1)."""
        days = first_day + np.arange(size_draws.shape[1])
        weekday = (days % 7) < 5
        size = size_draws / self.shape[:, None] * self.rate[:, None]
        season = 1.0 + self.season[:, None] * np.sin(
            2 * np.pi * days[None, :] / 365.25 + self.phase[:, None]
        )
        occurs = (chance_draws < self.chance[:, None]) & weekday[None, :]
        # Demand of 0 after rounding does not happen: an order line is at least one unit.
        return np.where(occurs, np.maximum(np.round(size * season), 1.0), 0.0)

    def take(self, rows: np.ndarray) -> DemandModel:
        """The model of the items ``rows`` (an index array; items may repeat)."""
        return DemandModel(
            chance=self.chance[rows],
            rate=self.rate[rows],
            shape=self.shape[rows],
            season=self.season[rows],
            phase=self.phase[rows],
        )


@dataclass(frozen=True)
class World:
    """The simulated warehouse: demand of ``history_days + horizon_days`` days per item
    (the first ``history_days`` visible before the run starts) and everything fixed."""

    demand: np.ndarray  # items × days
    kind: np.ndarray  # generated class, index of KIND_NAMES
    history_days: int
    lead_mean: np.ndarray  # days
    lead_std: np.ndarray  # days
    lead_draws: np.ndarray  # items × horizon: the lead time of an order placed that day
    unit_cost: np.ndarray
    pack: np.ndarray
    on_hand0: np.ndarray
    ordering_cost: float
    holding_rate: float
    target: float
    # The true demand model behind ``demand``. Only the known-model reference reads it,
    # to simulate fresh years of its own; Hylla's policy and the naive min/max see the
    # demand history and the supplier terms only (``_plan_input``), never this.
    model: DemandModel

    @property
    def horizon_days(self) -> int:
        """Days of simulated operation."""
        return int(self.demand.shape[1] - self.history_days)

    @property
    def items(self) -> int:
        """Number of items."""
        return int(self.demand.shape[0])


@dataclass(frozen=True)
class Outcome:
    """A policy's year, per item and variant (items × variants; one variant except for
    the hindsight grid). ``served_by_day`` / ``demand_by_day``: sums over items per day."""

    served: np.ndarray
    demand: np.ndarray  # items, the same for every variant
    inventory_units: np.ndarray  # average on hand at the end of the day
    orders: np.ndarray
    served_by_day: np.ndarray  # horizon × variants
    demand_by_day: np.ndarray  # horizon


@dataclass(frozen=True)
class PolicyResult:
    """One policy's figures over the whole horizon (per item arrays kept for checks)."""

    name: str
    fill_rate: float
    items_at_target: float  # share of the items with demand whose own fill ≥ target
    fill_by_class: dict[str, float]
    items_at_target_by_class: dict[str, float]  # the same share within each class
    cost_by_class: dict[str, float]  # holding + ordering cost of each class's items
    inventory_value: float  # average on-hand value
    orders: int
    holding_cost: float
    ordering_cost: float
    total_cost: float
    cost_vs_hindsight: float
    item_fill: np.ndarray
    item_cost: np.ndarray
    item_orders: np.ndarray

    def summary(self) -> dict[str, object]:
        """The figures for the JSON file (no per-item arrays)."""
        data = asdict(self)
        for key in ("item_fill", "item_cost", "item_orders"):
            data.pop(key)
        return data


@dataclass(frozen=True)
class Report:
    """The whole benchmark: the world's shape, the policies and the goals."""

    items: int
    seed: int
    history_days: int
    horizon_days: int
    policies: list[PolicyResult]
    hindsight_reached: int  # items whose hindsight (s,S) reaches the target
    hindsight_s: np.ndarray
    hindsight_S: np.ndarray
    classes_found: dict[str, dict[str, int]]  # generated class → Hylla's classes
    goals: dict[str, bool]
    seconds: dict[str, float]
    known_samples: int = 0  # fresh years per item of the known-model reference; 0: not run
    known_model: tuple[KnownModelChoice, ...] = ()

    def policy(self, name: str) -> PolicyResult:
        """The result of the policy called ``name``."""
        return next(p for p in self.policies if p.name == name)


def make_world(
    items: int = 300,
    seed: int = 1,
    history_days: int = 365,
    horizon_days: int = 365,
    target: float = TARGET,
) -> World:
    """A reproducible warehouse of ``items`` items, a quarter of each demand class.

    Demand falls on weekdays only. Smooth: most weekdays, sizes of little spread;
    erratic: about every third weekday, sizes of great spread; intermittent: 3–12 % of
    weekdays, steady sizes; lumpy: as rare, sizes of great spread. A fifth of the smooth
    and erratic items have a yearly season (±40 %). Lead times 3–20 days with a spread of
    10–40 % of the mean; unit costs log-normal; a third of the items come in packs of 6
    or 12. Opening stock is what a careful buyer would hold from the visible history:
    the largest demand of any (lead time + a week) window of the visible year.
    """
    rng = np.random.default_rng(seed)
    days = history_days + horizon_days
    kind = np.arange(items) % 4
    rng.shuffle(kind)
    frequent = kind < 2
    steady = (kind == 0) | (kind == 2)
    chance = np.where(kind == 0, 0.9, np.where(kind == 1, 0.35, rng.uniform(0.03, 0.12, items)))
    rate = np.where(frequent, rng.lognormal(1.5, 0.7, items), rng.lognormal(1.2, 0.7, items))
    shape = np.where(steady, 10.0, 0.4)
    # The draws keep this order (sizes before the season's) so a seed gives the same
    # world it always gave.
    size_draws = rng.gamma(shape[:, None], 1.0, (items, days))
    seasonal = frequent & (rng.random(items) < 0.2)
    phase = rng.uniform(0, 2 * np.pi, items)
    model = DemandModel(
        chance=chance,
        rate=rate,
        shape=shape,
        season=SEASON_AMPLITUDE * np.where(seasonal, 1.0, 0.0),
        phase=phase,
    )
    demand = model.demand(size_draws, rng.random((items, days)), first_day=0)

    lead_mean = rng.integers(3, 21, items).astype(np.float64)
    lead_std = lead_mean * rng.uniform(0.1, 0.4, items)
    lead_draws = draw_lead_times(rng, lead_mean, lead_std, horizon_days)

    window = (lead_mean + 7).astype(np.int64)
    visible = np.cumsum(np.pad(demand[:, :history_days], ((0, 0), (1, 0))), axis=1)
    on_hand0 = np.array(
        [
            (visible[i, window[i] :] - visible[i, : -window[i]]).max()
            if history_days > window[i]
            else visible[i, -1]
            for i in range(items)
        ]
    )
    return World(
        demand=demand,
        kind=kind,
        history_days=history_days,
        lead_mean=lead_mean,
        lead_std=lead_std,
        lead_draws=lead_draws,
        unit_cost=np.round(rng.lognormal(3.0, 1.0, items), 2),
        pack=rng.choice([1.0, 1.0, 1.0, 1.0, 6.0, 12.0], items),
        on_hand0=on_hand0,
        ordering_cost=ORDERING_COST,
        holding_rate=HOLDING_RATE,
        target=target,
        model=model,
    )


def draw_lead_times(
    rng: np.random.Generator, lead_mean: np.ndarray, lead_std: np.ndarray, days: int
) -> np.ndarray:
    """Per item and day, the lead time of an order placed that day: gamma distributed
    (skewed: late deliveries run longer than early ones come sooner) with the item's mean
    and spread, in whole days, at least one."""
    gamma_shape = (lead_mean / lead_std) ** 2
    gamma_scale = lead_std**2 / lead_mean
    draws = rng.gamma(gamma_shape[:, None], gamma_scale[:, None], (lead_mean.size, days))
    return np.maximum(np.round(draws), 1).astype(np.int64)


def take_items(world: World, rows: np.ndarray) -> World:
    """The world of the items ``rows`` only (an index array; an item may repeat)."""
    return replace(
        world,
        demand=world.demand[rows],
        kind=world.kind[rows],
        lead_mean=world.lead_mean[rows],
        lead_std=world.lead_std[rows],
        lead_draws=world.lead_draws[rows],
        unit_cost=world.unit_cost[rows],
        pack=world.pack[rows],
        on_hand0=world.on_hand0[rows],
        model=world.model.take(rows),
    )


def simulate(world: World, decide: Decide, variants: int = 1) -> Outcome:
    """Run the horizon day by day for ``variants`` parallel policies per item.

    Morning: deliveries due today arrive and serve backorders first; then ``decide``
    sees the stock (never the demand ahead) and its orders leave with the day's lead
    time draw; then the day's demand is served from stock or backordered.
    """
    n, horizon, start = world.items, world.horizon_days, world.history_days
    ring = int(world.lead_draws.max()) + 1 if horizon else 1
    on_hand = np.repeat(world.on_hand0[:, None], variants, axis=1).astype(np.float64)
    on_order = np.zeros((n, variants))
    back = np.zeros((n, variants))
    pipeline = np.zeros((n, variants, ring))
    served = np.zeros((n, variants))
    stock_days = np.zeros((n, variants))
    orders = np.zeros((n, variants))
    served_by_day = np.zeros((horizon, variants))
    rows = np.arange(n)
    for step in range(horizon):
        day = start + step
        slot = step % ring
        arrived = pipeline[:, :, slot].copy()
        pipeline[:, :, slot] = 0.0
        on_hand += arrived
        on_order -= arrived
        late = np.minimum(on_hand, back)
        on_hand -= late
        back -= late
        quantity = np.maximum(decide(step, day, on_hand, on_order, back), 0.0)
        slots = (step + world.lead_draws[:, step]) % ring
        pipeline[rows, :, slots] += quantity
        on_order += quantity
        orders += quantity > 0
        wanted = world.demand[:, day][:, None]
        shipped = np.minimum(on_hand, wanted)
        on_hand -= shipped
        back += wanted - shipped
        served += shipped
        served_by_day[step] = shipped.sum(axis=0)
        stock_days += on_hand
    future = world.demand[:, start:]
    return Outcome(
        served=served,
        demand=future.sum(axis=1),
        inventory_units=stock_days / max(horizon, 1),
        orders=orders,
        served_by_day=served_by_day,
        demand_by_day=future.sum(axis=0),
    )


def _plan_input(
    world: World,
    day: int,
    on_hand: np.ndarray,
    on_order: np.ndarray,
    back: np.ndarray,
    policy: int,
    min_qty: np.ndarray,
    max_qty: np.ndarray,
) -> ReplenishmentInput:
    """What Hylla's proposal code gets on ``day``: the history up to yesterday only."""
    n = world.items
    unset = np.full(n, np.nan)
    return ReplenishmentInput(
        demand=world.demand[:, :day],
        on_hand=on_hand[:, 0],
        on_order=on_order[:, 0],
        reserved=np.zeros(n),
        backordered=back[:, 0],
        zero_point_need=np.zeros(n),
        lead_time_mean=world.lead_mean,
        lead_time_std=world.lead_std,
        unit_cost=world.unit_cost,
        policy=np.full(n, policy, dtype=np.int64),
        service_level=np.full(n, world.target),
        fill_rate=np.ones(n, dtype=bool),
        min_qty=min_qty,
        max_qty=max_qty,
        fixed_order_qty=unset,
        pack_size=world.pack,
        moq=unset,
        ordering_cost=world.ordering_cost,
        holding_rate=world.holding_rate,
    )


def hylla_policy(world: World, policy: int = REORDER_POINT) -> Decide:
    """Hylla's ``plan_replenishment`` with the item policy ``policy`` (reorder point by
    default; ``MANUAL`` never orders)."""
    unset = np.full(world.items, np.nan)

    def decide(
        step: int, day: int, on_hand: np.ndarray, on_order: np.ndarray, back: np.ndarray
    ) -> np.ndarray:
        plan = plan_replenishment(
            _plan_input(world, day, on_hand, on_order, back, policy, unset, unset)
        )
        return plan.order_qty[:, None]

    return decide


def naive_min_max(world: World) -> Decide:
    """Min = 2 weeks, max = 4 weeks of the trailing year's average daily demand, through
    Hylla's min-max policy (order up to max in whole packs when at or below min)."""

    def decide(
        step: int, day: int, on_hand: np.ndarray, on_order: np.ndarray, back: np.ndarray
    ) -> np.ndarray:
        average = world.demand[:, max(0, day - 365) : day].mean(axis=1)
        plan = plan_replenishment(
            _plan_input(
                world,
                day,
                on_hand,
                on_order,
                back,
                MIN_MAX,
                average * NAIVE_MIN_DAYS,
                average * NAIVE_MAX_DAYS,
            )
        )
        return plan.order_qty[:, None]

    return decide


def fixed_s_S(world: World, s: np.ndarray, S: np.ndarray) -> Decide:
    """Fixed (s, S) per item and variant (items × variants): when the inventory position
    (on hand + on order − backordered) is at or below s, order up to S in whole packs."""
    pack = world.pack[:, None]

    def decide(
        step: int, day: int, on_hand: np.ndarray, on_order: np.ndarray, back: np.ndarray
    ) -> np.ndarray:
        position = on_hand + on_order - back
        packs = np.ceil((S - position) / pack - 1e-9)
        return np.where(position <= s, np.maximum(packs, 1.0) * pack, 0.0)

    return decide


def item_costs(world: World, outcome: Outcome) -> np.ndarray:
    """Holding + ordering cost per item and variant over the horizon."""
    years = world.horizon_days / 365.0
    holding = outcome.inventory_units * world.unit_cost[:, None] * world.holding_rate * years
    return holding + outcome.orders * world.ordering_cost


def item_fill(outcome: Outcome) -> np.ndarray:
    """Fill rate per item and variant; 1 for an item nobody asked for."""
    wanted = outcome.demand[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(wanted > 0, outcome.served / wanted, 1.0)


def _grid_figures(world: World, s: np.ndarray, S: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fill and cost of every grid point (items × points) of fixed (s, S) policies."""
    outcome = simulate(world, fixed_s_S(world, s, S), variants=s.shape[1])
    return item_fill(outcome), item_costs(world, outcome)


def _grid_search(
    world: World, s: np.ndarray, S: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per item, the index of the cheapest grid point that reaches the target (the best
    fill where none does), with every point's fill and cost."""
    fill, cost = _grid_figures(world, s, S)
    reached = fill >= world.target - 1e-12
    cheapest = np.argmin(np.where(reached, cost, np.inf), axis=1)
    # Ties in fill go to the cheaper point: lexsort's last key is the primary one.
    best_fill = np.array([np.lexsort((cost[i], -fill[i]))[0] for i in range(world.items)])
    choice = np.where(reached.any(axis=1), cheapest, best_fill)
    return choice, fill, cost


def hindsight_s_S(
    world: World, coarse: tuple[int, int] = (24, 20), fine: tuple[int, int] = (11, 11)
) -> tuple[np.ndarray, np.ndarray]:
    """Per item the cheapest fixed (s, S) reaching the target on the realised demand.

    s runs from 0 to the largest demand of any window of the longest lead time drawn
    plus a day (enough to cover every lead time of the year), the order size S − s
    geometrically from one pack to a year of demand; then a finer grid spans the
    neighbours of the best coarse point."""
    n, start = world.items, world.history_days
    future = world.demand[:, start:]
    daily = np.maximum(future.mean(axis=1), 1e-3)
    worst = _worst_window(future, world.lead_draws)
    grid = _CoarseGrid.build(worst, daily, world.pack, coarse)
    choice, _fill, _cost = _grid_search(world, grid.s, grid.s + grid.q)
    s_all, q_all = grid.refine(choice, fine)
    best, _fill, _cost = _grid_search(world, s_all, s_all + q_all)
    rows = np.arange(n)
    return s_all[rows, best], s_all[rows, best] + q_all[rows, best]


def _worst_window(future: np.ndarray, lead_draws: np.ndarray) -> np.ndarray:
    """Per row, the largest demand of any window of the row's longest lead time drawn
    plus a day: a reorder point that covers every lead time of the year."""
    cumulative = np.cumsum(np.pad(future, ((0, 0), (1, 0))), axis=1)
    longest = np.minimum(lead_draws.max(axis=1) + 1, future.shape[1])
    return np.array(
        [
            (cumulative[i, longest[i] :] - cumulative[i, : -longest[i]]).max()
            for i in range(future.shape[0])
        ]
    )


@dataclass(frozen=True)
class _CoarseGrid:
    """The coarse (s, order size) grid of the (s,S) searches, per item: s from 0 to the
    worst lead-time window, the order size S − s geometrically from one pack to a year
    of demand. ``s``/``q`` hold every point (items × s steps · q steps, q fastest)."""

    s_axis: np.ndarray
    q_axis: np.ndarray
    s: np.ndarray
    q: np.ndarray

    @classmethod
    def build(
        cls, worst: np.ndarray, daily: np.ndarray, pack: np.ndarray, steps: tuple[int, int]
    ) -> _CoarseGrid:
        """The grid for items whose worst window and daily demand are given."""
        s_top = np.maximum(worst, pack)
        q_high = np.maximum(daily * 365.0, 2 * pack)
        s_axis = np.linspace(0.0, 1.0, steps[0])[None, :] * s_top[:, None]
        q_axis = (
            pack[:, None] * (q_high / pack)[:, None] ** np.linspace(0.0, 1.0, steps[1])[None, :]
        )
        return cls(
            s_axis=s_axis,
            q_axis=q_axis,
            s=np.repeat(s_axis, steps[1], axis=1),
            q=np.tile(q_axis, (1, steps[0])),
        )

    def refine(self, choice: np.ndarray, fine: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """The finer grid (s, q) between the coarse neighbours of each item's ``choice``;
        the chosen coarse point joins it (last) so the refinement can never do worse."""
        s_steps, q_steps = self.s_axis.shape[1], self.q_axis.shape[1]
        si, qi = choice // q_steps, choice % q_steps
        rows = np.arange(choice.size)
        s_lo = self.s_axis[rows, np.maximum(si - 1, 0)]
        s_hi = self.s_axis[rows, np.minimum(si + 1, s_steps - 1)]
        q_lo = self.q_axis[rows, np.maximum(qi - 1, 0)]
        q_hi = self.q_axis[rows, np.minimum(qi + 1, q_steps - 1)]
        f_s = s_lo[:, None] + (s_hi - s_lo)[:, None] * np.linspace(0, 1, fine[0])[None, :]
        f_q = q_lo[:, None] * (q_hi / q_lo)[:, None] ** np.linspace(0, 1, fine[1])[None, :]
        s_all = np.hstack([np.repeat(f_s, fine[1], axis=1), self.s[rows, choice][:, None]])
        q_all = np.hstack([np.tile(f_q, (1, fine[0])), self.q[rows, choice][:, None]])
        return s_all, q_all


@dataclass(frozen=True)
class KnownModelChoice:
    """The known-model (s,S) of each item for one share ``p`` of fresh years, or (with
    ``split``) the best split for the share ``share`` of items."""

    share: float  # p: the share of fresh years in which the item must reach the target
    s: np.ndarray
    S: np.ndarray
    years_at_target: np.ndarray  # per item, the share of its fresh years that reach it
    mean_cost: np.ndarray  # per item, the average cost of its fresh years
    # The best split: ``share`` is the share of items expected at target, checked on a
    # second set of fresh years (``checked_share``), and ``weight`` the λ that gave it.
    split: bool = False
    checked_share: float = float("nan")
    weight: float = float("nan")

    @property
    def name(self) -> str:
        """The policy's name in the table and the JSON."""
        return known_model_name(self.share, self.split)


def known_model_name(share: float, split: bool = False) -> str:
    """The name of the known-model reference for the share ``share`` of years (of items,
    for the best split)."""
    if split:
        return f"known model, best split {share * 100:.0f} %"
    return f"known model (s,S), p = {share * 100:.0f} %"


def fresh_years(world: World, samples: int, rng: np.random.Generator) -> World:
    """``samples`` fresh years per item from its true demand model and lead-time
    distribution: a world of items × samples rows (row ``i · samples + j`` is item i's
    year j) with the same visible history, opening stock and terms as ``world``.

    Only the model, the lead-time mean and spread and the visible history are used; the
    realised year's demand and lead times are replaced, never read."""
    start, horizon = world.history_days, world.horizon_days
    rows = np.repeat(np.arange(world.items), samples)
    model = world.model.take(rows)
    size_draws = rng.gamma(model.shape[:, None], 1.0, (rows.size, horizon))
    ahead = model.demand(size_draws, rng.random((rows.size, horizon)), first_day=start)
    lead_mean, lead_std = world.lead_mean[rows], world.lead_std[rows]
    return replace(
        world,
        demand=np.hstack([world.demand[rows, :start], ahead]),
        kind=world.kind[rows],
        lead_mean=lead_mean,
        lead_std=lead_std,
        lead_draws=draw_lead_times(rng, lead_mean, lead_std, horizon),
        unit_cost=world.unit_cost[rows],
        pack=world.pack[rows],
        on_hand0=world.on_hand0[rows],
        model=model,
    )


def _year_figures(
    years: World, samples: int, s: np.ndarray, S: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For every grid point (items × points), the share of each item's fresh years that
    reach the target and their average cost. The years are simulated a chunk of items at
    a time so that the pipeline array stays within ``CHUNK_CELLS``."""
    items, points = s.shape
    ring = int(years.lead_draws.max()) + 1
    per_item = samples * points * (ring + 12)
    chunk = max(1, CHUNK_CELLS // per_item)
    share = np.empty((items, points))
    cost = np.empty((items, points))
    for first in range(0, items, chunk):
        last = min(first + chunk, items)
        rows = np.arange(first * samples, last * samples)
        part = take_items(years, rows)
        s_rows = np.repeat(s[first:last], samples, axis=0)
        S_rows = np.repeat(S[first:last], samples, axis=0)
        fill, spent = _grid_figures(part, s_rows, S_rows)
        reached = (fill >= years.target - 1e-12).reshape(last - first, samples, points)
        share[first:last] = reached.mean(axis=1)
        cost[first:last] = spent.reshape(last - first, samples, points).mean(axis=1)
    return share, cost


def _cheapest_reaching(share: np.ndarray, cost: np.ndarray, p: float) -> np.ndarray:
    """Per item, the grid point of least average cost that reaches the target in at
    least the share ``p`` of the years; where none does, the one that reaches it most
    often (the cheaper of equals)."""
    ok = share >= p - 1e-12
    cheapest = np.argmin(np.where(ok, cost, np.inf), axis=1)
    # lexsort's last key is the primary one: most years at target, then least cost.
    most = np.lexsort((cost, -share), axis=1)[:, 0]
    return np.where(ok.any(axis=1), cheapest, most)


def known_model_s_S(
    world: World,
    samples: int = KNOWN_MODEL_SAMPLES,
    shares: tuple[float, ...] = KNOWN_MODEL_SHARES,
    seed: int = 1,
    coarse: tuple[int, int] = (24, 20),
    fine: tuple[int, int] = (11, 11),
    split: float | None = None,
) -> list[KnownModelChoice]:
    """Per item and share p, the cheapest fixed (s, S) that reaches the target in at
    least p of ``samples`` fresh years simulated from the item's true demand model; with
    ``split``, one more choice: the best split (``_best_split``).

    A reference for what knowing the model (but not the year that will happen) buys:
    the same two-step grid search as ``hindsight_s_S``, with the grid's span taken from
    the fresh years instead of the realised one. It never reads the realised year's
    demand or lead times."""
    if samples < 1:
        raise ValueError("the known-model reference needs at least one fresh year")
    if not shares or not all(0.0 < p <= 1.0 for p in shares):
        raise ValueError("the known-model shares must lie in (0, 1]")
    if split is not None and not 0.0 < split <= 1.0:
        raise ValueError("the best split's share of items must lie in (0, 1]")
    rng = np.random.default_rng([seed, KNOWN_MODEL_STREAM])
    years = fresh_years(world, samples, rng)
    n = world.items
    ahead = years.demand[:, years.history_days :]
    daily = np.maximum(ahead.reshape(n, samples, -1).mean(axis=(1, 2)), 1e-3)
    worst = _worst_window(ahead, years.lead_draws).reshape(n, samples).max(axis=1)
    grid = _CoarseGrid.build(worst, daily, world.pack, coarse)
    share, cost = _year_figures(years, samples, grid.s, grid.s + grid.q)

    # Every share's fine grid in one simulation: they sit side by side, and each share
    # chooses from all of them (more points to choose from can only do better).
    fine_shares = shares if split is None else tuple(sorted({*shares, *KNOWN_MODEL_SPLIT_SHARES}))
    fine_grids = [grid.refine(_cheapest_reaching(share, cost, p), fine) for p in fine_shares]
    s_all = np.hstack([s for s, _q in fine_grids])
    q_all = np.hstack([q for _s, q in fine_grids])
    fine_share, fine_cost = _year_figures(years, samples, s_all, s_all + q_all)
    rows = np.arange(n)

    def choice(best: np.ndarray, p: float, **extra: float | bool) -> KnownModelChoice:
        s = s_all[rows, best]
        return KnownModelChoice(
            share=p,
            s=s,
            S=s + q_all[rows, best],
            years_at_target=fine_share[rows, best],
            mean_cost=fine_cost[rows, best],
            **extra,  # type: ignore[arg-type]
        )

    choices = [choice(_cheapest_reaching(fine_share, fine_cost, p), p) for p in shares]
    if split is not None:
        check_rng = np.random.default_rng([seed, KNOWN_MODEL_CHECK_STREAM])
        check_share, _cost = _year_figures(
            fresh_years(world, samples, check_rng), samples, s_all, s_all + q_all
        )
        best, checked, weight = _best_split(fine_share, fine_cost, check_share, split)
        choices.append(choice(best, split, split=True, checked_share=checked, weight=weight))
    return choices


def _best_split(
    share: np.ndarray, cost: np.ndarray, check_share: np.ndarray, target: float
) -> tuple[np.ndarray, float, float]:
    """Per item the grid point of least ``cost − λ · share`` for the least λ whose
    choices reach the target in ``target`` of the items on average, judged on
    ``check_share`` (other fresh years than those the points were chosen on, so that
    points that were lucky in the first set do not flatter the split).

    Issue 7's goal counts items at target but weighs cost by value: reaching it cheaply
    means spending safety stock where one more item at target costs least, not the same
    share of years for every item. λ is the price of one more item at target; the
    result is the cheapest mix of fixed (s,S) policies that, with the model known,
    expects the target share of items. Returns the points, the checked share and λ (the
    largest λ tried, with the best share it reaches, where no λ reaches the target)."""
    rows = np.arange(share.shape[0])
    for weight in SPLIT_WEIGHTS:
        best = np.argmin(cost - weight * share, axis=1)
        checked = float(check_share[rows, best].mean())
        if checked >= target - 1e-12:
            break
    return best, checked, float(weight)


def summarise(world: World, name: str, outcome: Outcome, hindsight_cost: float) -> PolicyResult:
    """The figures of a single-variant outcome."""
    fill = item_fill(outcome)[:, 0]
    costs = item_costs(world, outcome)[:, 0]
    years = world.horizon_days / 365.0
    holding = float(
        (outcome.inventory_units[:, 0] * world.unit_cost).sum() * world.holding_rate * years
    )
    orders = int(outcome.orders[:, 0].sum())
    asked = outcome.demand > 0
    by_class = {}
    at_target = fill >= world.target - 1e-12
    at_target_by_class = {}
    cost_by_class = {}
    for code, kind in enumerate(KIND_NAMES):
        mask = (world.kind == code) & asked
        wanted = outcome.demand[mask].sum()
        by_class[kind] = float(outcome.served[mask, 0].sum() / wanted) if wanted else 1.0
        at_target_by_class[kind] = float(at_target[mask].mean()) if mask.any() else 1.0
        cost_by_class[kind] = float(costs[world.kind == code].sum())
    total_wanted = outcome.demand.sum()
    total = float(costs.sum())
    return PolicyResult(
        name=name,
        fill_rate=float(outcome.served[:, 0].sum() / total_wanted) if total_wanted else 1.0,
        items_at_target=float(at_target[asked].mean()) if asked.any() else 1.0,
        fill_by_class=by_class,
        items_at_target_by_class=at_target_by_class,
        cost_by_class=cost_by_class,
        inventory_value=float((outcome.inventory_units[:, 0] * world.unit_cost).sum()),
        orders=orders,
        holding_cost=holding,
        ordering_cost=orders * world.ordering_cost,
        total_cost=total,
        cost_vs_hindsight=total / hindsight_cost if hindsight_cost > 0 else float("nan"),
        item_fill=fill,
        item_cost=costs,
        item_orders=outcome.orders[:, 0],
    )


def run_benchmark(
    items: int = 300,
    seed: int = 1,
    history_days: int = 365,
    horizon_days: int = 365,
    log: Callable[[str], None] | None = None,
    known_samples: int = 0,
    known_shares: tuple[float, ...] = KNOWN_MODEL_SHARES,
    known_split: float | None = KNOWN_MODEL_SPLIT,
) -> Report:
    """Build the world, run the three policies and check issue 7's goals; with
    ``known_samples`` > 0 also the known-model reference (one row per share of years),
    which the goals do not look at."""
    say = log or (lambda message: None)
    world = make_world(items, seed, history_days, horizon_days)
    seconds: dict[str, float] = {}

    began = time.perf_counter()
    say("hindsight (s,S): grid search per item")
    s, S = hindsight_s_S(world)
    hind = simulate(world, fixed_s_S(world, s[:, None], S[:, None]))
    seconds["hindsight (s,S)"] = time.perf_counter() - began
    hindsight_total = float(item_costs(world, hind).sum())

    results = []
    for name, decide in (
        ("hylla reorder-point", hylla_policy(world)),
        ("naive min/max", naive_min_max(world)),
    ):
        say(name)
        began = time.perf_counter()
        results.append(summarise(world, name, simulate(world, decide), hindsight_total))
        seconds[name] = time.perf_counter() - began
    hindsight = summarise(world, "hindsight (s,S)", hind, hindsight_total)
    results.append(hindsight)

    known: list[KnownModelChoice] = []
    if known_samples > 0:
        say(f"known model (s,S): {known_samples} fresh years per item, grid search")
        began = time.perf_counter()
        known = known_model_s_S(world, known_samples, known_shares, seed, split=known_split)
        for choice in known:
            outcome = simulate(world, fixed_s_S(world, choice.s[:, None], choice.S[:, None]))
            results.append(summarise(world, choice.name, outcome, hindsight_total))
        seconds["known model (s,S)"] = time.perf_counter() - began

    asked = hind.demand > 0
    reached = int((hindsight.item_fill[asked] >= world.target - 1e-12).sum() + (~asked).sum())
    classes = classify_demand(weekly_buckets(world.demand[:, :history_days])).demand_class
    found = {
        kind: {
            name: int(((world.kind == code) & (classes == found_code)).sum())
            for found_code, name in enumerate(CLASS_NAMES)
            if ((world.kind == code) & (classes == found_code)).any()
        }
        for code, kind in enumerate(KIND_NAMES)
    }
    hylla = results[0]
    goals = {
        f"aggregate fill >= {GOAL_AGGREGATE:.0%}": hylla.fill_rate >= GOAL_AGGREGATE,
        f"items at target >= {GOAL_ITEMS_SHARE:.0%}": hylla.items_at_target >= GOAL_ITEMS_SHARE,
        f"lumpy fill >= {GOAL_LUMPY:.0%}": hylla.fill_by_class["lumpy"] >= GOAL_LUMPY,
        f"cost <= {GOAL_COST_RATIO:.2f} x hindsight": hylla.cost_vs_hindsight <= GOAL_COST_RATIO,
    }
    return Report(
        items=items,
        seed=seed,
        history_days=history_days,
        horizon_days=horizon_days,
        policies=results,
        hindsight_reached=reached,
        hindsight_s=s,
        hindsight_S=S,
        classes_found=found,
        goals=goals,
        seconds=seconds,
        known_samples=known_samples,
        known_model=tuple(known),
    )


def table(report: Report) -> str:
    """The policies side by side, one row per figure."""
    names = [p.name for p in report.policies]
    rows: list[tuple[str, list[str]]] = [
        ("fill rate, aggregate", [f"{p.fill_rate:.2%}" for p in report.policies]),
        ("items individually >= 95 %", [f"{p.items_at_target:.1%}" for p in report.policies]),
    ]
    for kind in KIND_NAMES:
        rows.append(
            (f"fill rate, {kind}", [f"{p.fill_by_class[kind]:.2%}" for p in report.policies])
        )
    for kind in KIND_NAMES:
        rows.append(
            (
                f"items >= 95 %, {kind}",
                [f"{p.items_at_target_by_class[kind]:.1%}" for p in report.policies],
            )
        )
    rows += [
        ("average inventory value", [f"{p.inventory_value:,.0f}" for p in report.policies]),
        ("orders", [f"{p.orders:,}" for p in report.policies]),
        ("holding cost", [f"{p.holding_cost:,.0f}" for p in report.policies]),
        ("ordering cost", [f"{p.ordering_cost:,.0f}" for p in report.policies]),
        ("holding + ordering cost", [f"{p.total_cost:,.0f}" for p in report.policies]),
        ("cost / hindsight (s,S)", [f"{p.cost_vs_hindsight:.3f}" for p in report.policies]),
    ]
    # Where the cost above the hindsight's lies: each class's cost against its own.
    hindsight = report.policy("hindsight (s,S)").cost_by_class
    for kind in KIND_NAMES:
        rows.append(
            (
                f"cost / hindsight, {kind}",
                [
                    f"{p.cost_by_class[kind] / hindsight[kind]:.3f}" if hindsight[kind] else "-"
                    for p in report.policies
                ],
            )
        )
    width = max(len(label) for label, _ in rows)
    columns = [max(len(name), 12) for name in names]
    lines = [
        f"{'':<{width}}  " + "  ".join(f"{n:>{w}}" for n, w in zip(names, columns, strict=True)),
        "-" * (width + sum(columns) + 2 * len(columns)),
    ]
    for label, values in rows:
        cells = "  ".join(f"{v:>{w}}" for v, w in zip(values, columns, strict=True))
        lines.append(f"{label:<{width}}  {cells}")
    return "\n".join(lines)


def to_json(report: Report, load: dict[str, list[float]]) -> dict[str, object]:
    """The report as JSON-ready data."""
    return {
        "items": report.items,
        "seed": report.seed,
        "history_days": report.history_days,
        "horizon_days": report.horizon_days,
        "target_fill_rate": TARGET,
        "ordering_cost": ORDERING_COST,
        "holding_rate": HOLDING_RATE,
        "policies": [p.summary() for p in report.policies],
        "hindsight_items_reaching_target": report.hindsight_reached,
        "known_model": {
            "fresh_years_per_item": report.known_samples,
            # In its own fresh years: how often the chosen (s,S) reaches the target.
            "policies": [
                (
                    {
                        "name": choice.name,
                        "expected_share_of_items_at_target": choice.share,
                        "checked_on_other_fresh_years": choice.checked_share,
                        "price_of_an_item_at_target": choice.weight,
                    }
                    if choice.split
                    else {
                        "name": choice.name,
                        "share_of_years": choice.share,
                        "items_reaching_share_in_fresh_years": float(
                            (choice.years_at_target >= choice.share - 1e-12).mean()
                        ),
                        "mean_share_of_fresh_years_at_target": float(choice.years_at_target.mean()),
                    }
                )
                for choice in report.known_model
            ],
        },
        "classes_found_by_hylla": report.classes_found,
        "goals": report.goals,
        "seconds": report.seconds,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            **load,
        },
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table and the goals, write the JSON."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.decision_quality", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--items", type=int, default=None, help="items (default 300)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="a smoke run on 60 items")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "decision_quality.json")
    parser.add_argument(
        "--known-model",
        action="store_true",
        help="also run the known-model (s,S) reference (takes minutes)",
    )
    parser.add_argument(
        "--known-samples",
        type=int,
        default=KNOWN_MODEL_SAMPLES,
        metavar="M",
        help=f"fresh years per item for --known-model (default {KNOWN_MODEL_SAMPLES})",
    )
    args = parser.parse_args(argv)
    items = args.items or (60 if args.quick else 300)
    if items < 4:
        parser.error("--items must be at least 4 (one of each demand class)")
    if args.known_samples < 1:
        parser.error("--known-samples must be at least 1 (fresh years per item)")
    load_start = list(os.getloadavg())
    began = time.perf_counter()
    print(f"decision quality: {items} items, seed {args.seed}, 365 + 365 days", flush=True)
    report = run_benchmark(
        items,
        args.seed,
        log=lambda m: print(f"  {time.strftime('%H:%M:%S')} {m}", flush=True),
        known_samples=args.known_samples if args.known_model else 0,
    )
    print()
    print(table(report))
    print()
    asked = report.items
    print(f"hindsight (s,S) reaches the target for {report.hindsight_reached} of {asked} items")
    for choice in report.known_model:
        if choice.split:
            print(
                f"{choice.name}: {choice.checked_share:.1%} of the items expected at target"
                f" in {report.known_samples} other fresh years (λ = {choice.weight:,.0f})"
            )
            continue
        reaching = int((choice.years_at_target >= choice.share - 1e-12).sum())
        print(
            f"{choice.name}: {reaching} of {asked} items reach the target in at least"
            f" {choice.share * 100:.0f} % of their {report.known_samples} fresh years"
        )
    for goal, met in report.goals.items():
        print(f"goal {goal}: {'met' if met else 'NOT met'}")
    print(f"whole run {time.perf_counter() - began:.1f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    load = {"load_average_at_start": load_start, "load_average_at_end": list(os.getloadavg())}
    args.out.write_text(json.dumps(to_json(report, load), indent=2) + "\n")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
