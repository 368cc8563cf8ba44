"""Forecasts of demand for many items at once, each item's method chosen by a backtest.

Everything runs on weekly buckets (see ``app.planning.demand``) and is vectorised over
items: one pass over the weeks updates every candidate's state for every item, so the
cost is a loop over about a hundred weeks, never over items.

Methods, by demand class:
- smooth and erratic: simple exponential smoothing (SES), Holt's additive damped trend
  (φ = 0.9), and, for items whose first year or more shows a yearly pattern, SES on
  the demand divided by a seasonal index;
- intermittent and lumpy: Croston's method, its bias-corrected form SBA (Syntetos &
  Boylan 2005: × (1 − α/2)) and TSB (Teunter, Syntetos & Babai 2011), which smooths the
  probability of demand every week and so lets the forecast of a dying item decay.

The seasonal index is a yearly profile of two harmonics (sine and cosine of the year and
of the half year) fitted by least squares to the observed weeks before the backtest; an
item is seasonal when at least ``MIN_SEASONAL_WEEKS`` weeks were fitted and the profile
explains significantly more than the mean (F statistic ≥ ``SEASONAL_F``, about the 1 %
level). Two harmonics cannot chase noise the way 52 weekly indices fitted to one or two
years would.

Choosing: each candidate (method and smoothing parameters from a small grid) forecasts,
at the end of each week of the holdout (the last ``HOLDOUT_WEEKS`` weeks, longer for long
lead times), the demand over the item's horizon in days, which is compared with what the
daily history says happened. The candidate with the smallest mean squared error wins,
and the root of that error is the forecast error over the horizon (RMSE) that safety
stock is built on. An item without enough history to backtest (fewer than
``MIN_ORIGINS`` such forecasts) gets default parameters and an error from the spread of
its weekly demand, sqrt(H σ² + H² σ²/m) for H weeks ahead and m weeks seen.

States start from the first ``INIT_WEEKS`` observed weeks (mean level; mean non-zero
size, weeks per demand and share of weeks with demand); backtest forecasts start once
that many weeks are behind them. Weeks before an item's history starts are filled with
a value that leaves its state unchanged, so all items share one loop.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from app.planning.demand import (
    BUCKET_DAYS,
    ERRATIC,
    INTERMITTENT,
    LUMPY,
    SMOOTH,
    classify_demand,
    weekly_buckets,
)

METHOD_NAMES: tuple[str, ...] = ("none", "ses", "damped-trend", "croston", "sba", "tsb", "seasonal")
NONE, SES, DAMPED_TREND, CROSTON, SBA, TSB, SEASONAL = range(7)

INIT_WEEKS = 13
HOLDOUT_WEEKS = 26
# Long horizons get this many more weeks of holdout than the horizon is long.
HOLDOUT_MARGIN_WEEKS = 13
MIN_ORIGINS = 4
YEAR_WEEKS = 365.25 / BUCKET_DAYS
MIN_SEASONAL_WEEKS = 52
SEASONAL_F = 4.0
# A seasonal index is kept within these factors of the average week.
SEASONAL_INDEX_RANGE = (0.05, 20.0)

SES_ALPHAS = (0.05, 0.1, 0.2, 0.3, 0.5)
DAMPED_PHI = 0.9
DAMPED_PARAMETERS = ((0.1, 0.05), (0.1, 0.2), (0.3, 0.05), (0.3, 0.2))
SEASONAL_ALPHAS = (0.05, 0.1, 0.2, 0.3)
CROSTON_ALPHAS = (0.05, 0.1, 0.2, 0.3)
TSB_ALPHAS = (0.1, 0.2, 0.3)
TSB_BETAS = (0.05, 0.1, 0.2)
# Without a backtest: SES for smooth and erratic items, SBA for the others.
DEFAULT_SES_ALPHA = 0.2
DEFAULT_SBA_ALPHA = 0.1


@dataclass(frozen=True)
class Forecast:
    """Per item (arrays of length n).

    ``weekly``: demand expected next week; ``horizon``: demand expected over the
    horizon (days) asked for; ``annual``: over the next 365 days, without trend or
    season (for order quantities); ``rmse``: the backtest's root mean squared error of
    the horizon forecast (or the fallback's); ``method`` (index of ``METHOD_NAMES``),
    ``alpha`` and ``beta`` (NaN where unused) say what was chosen; ``origins``: how
    many backtest forecasts were scored (0: defaults were used); ``demand_class``,
    ``observed_weeks``: from the classification.
    """

    weekly: np.ndarray
    horizon: np.ndarray
    annual: np.ndarray
    rmse: np.ndarray
    method: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    origins: np.ndarray
    demand_class: np.ndarray
    observed_weeks: np.ndarray


@dataclass(frozen=True)
class _Start:
    """Initial states from the first observed weeks (arrays of length n)."""

    level: np.ndarray
    size: np.ndarray
    interval: np.ndarray
    probability: np.ndarray


def _first_weeks(seen: np.ndarray, count: int) -> np.ndarray:
    """Mask of each row's first ``count`` observed weeks."""
    return seen & (np.cumsum(seen, axis=1) <= count)


def _initial_states(weeks: np.ndarray, seen: np.ndarray, init_weeks: int) -> _Start:
    """Level, non-zero size, interval and probability of demand in the first weeks."""
    window = _first_weeks(seen, init_weeks)
    values = np.where(seen, weeks, 0.0)
    in_window = window.sum(axis=1)
    positive = (values > 0) & window
    with_demand = positive.sum(axis=1)
    level = np.where(window, values, 0.0).sum(axis=1) / np.maximum(in_window, 1)
    size = np.where(positive, values, 0.0).sum(axis=1) / np.maximum(with_demand, 1)
    interval = in_window / np.maximum(with_demand, 1)
    probability = with_demand / np.maximum(in_window, 1)
    # No demand in the window: Croston's own start, the first demand and its wait.
    late = with_demand == 0
    if late.any():
        any_demand = (values > 0).any(axis=1)
        first = np.argmax(values > 0, axis=1)
        start = np.argmax(seen, axis=1)
        first_size = values[np.arange(values.shape[0]), first]
        size = np.where(late & any_demand, first_size, size)
        interval = np.where(late & any_demand, first - start + 1.0, interval)
    return _Start(
        level=level, size=size, interval=np.maximum(interval, 1.0), probability=probability
    )


class _Family(ABC):
    """Candidates of one kind of method for a set of items (``rows``), stepped together.

    ``step`` takes week ``week`` of the family's inputs; ``rates`` is the demand expected
    in the coming week and ``horizon`` over each item's horizon, per candidate (rows)
    and item (columns), made at the end of the last week taken.
    """

    methods: list[int]
    alphas: list[float]
    betas: list[float]

    def __init__(self, rows: np.ndarray, horizon_weeks: np.ndarray) -> None:
        self.rows = rows
        self.horizon_weeks = horizon_weeks
        self.sse = np.zeros((0, rows.size))

    @abstractmethod
    def step(self, week: int) -> None:
        """Update every candidate's state with the week's demand."""

    @abstractmethod
    def rates(self, week: int) -> np.ndarray:
        """Demand expected in the week after ``week`` (the last week taken)."""

    def horizon(self, week: int) -> np.ndarray:
        """Demand expected over each item's horizon after ``week``; level methods
        spread the weekly rate over the horizon's (fractional) weeks."""
        return self.rates(week) * self.horizon_weeks

    def annual(self) -> np.ndarray:
        """Demand expected over a year, without trend or season."""
        return self.rates(-1) * YEAR_WEEKS

    def score(self, week: int, actual: np.ndarray, valid: np.ndarray) -> None:
        """Add the squared errors of the horizon forecasts made after ``week``."""
        error = self.horizon(week) - actual
        error *= error
        error *= valid
        self.sse += error


class _Ses(_Family):
    """Simple exponential smoothing of the weekly demand."""

    def __init__(
        self,
        rows: np.ndarray,
        horizon_weeks: np.ndarray,
        inputs: np.ndarray,
        level: np.ndarray,
        alphas: tuple[float, ...],
    ) -> None:
        super().__init__(rows, horizon_weeks)
        self.inputs = inputs
        self.methods = [SES] * len(alphas)
        self.alphas = list(alphas)
        self.betas = [math.nan] * len(alphas)
        self.weights = np.array(alphas)[:, np.newaxis]
        self.level = np.repeat(level[np.newaxis, :], len(alphas), axis=0)
        self.sse = np.zeros_like(self.level)
        self._scratch = np.empty_like(self.level)

    def step(self, week: int) -> None:
        """l ← l + α (y − l)."""
        np.subtract(self.inputs[week], self.level, out=self._scratch)
        self._scratch *= self.weights
        self.level += self._scratch

    def rates(self, week: int) -> np.ndarray:
        """The level (never below zero)."""
        return np.maximum(self.level, 0.0)


class _Seasonal(_Ses):
    """SES of demand divided by the seasonal index, multiplied back for the future."""

    def __init__(
        self,
        rows: np.ndarray,
        horizon_weeks: np.ndarray,
        inputs: np.ndarray,
        level: np.ndarray,
        alphas: tuple[float, ...],
        index: np.ndarray,
    ) -> None:
        super().__init__(rows, horizon_weeks, inputs, level, alphas)
        self.methods = [SEASONAL] * len(alphas)
        # index: items × weeks, covering every week a horizon can reach.
        self.index = index
        steps = max(1, math.ceil(float(horizon_weeks.max(initial=1.0))))
        self.steps = steps
        self.fractions = _fractions(horizon_weeks, steps)

    def rates(self, week: int) -> np.ndarray:
        """The level times next week's index."""
        return np.maximum(self.level, 0.0) * self.index[:, week + 1]

    def horizon(self, week: int) -> np.ndarray:
        """The level times the sum of the horizon's weekly indices."""
        ahead = self.index[:, week + 1 : week + 1 + self.steps]
        return np.maximum(self.level, 0.0) * (ahead * self.fractions).sum(axis=1)

    def annual(self) -> np.ndarray:
        """The level over a year (the index averages about one over a year)."""
        return np.maximum(self.level, 0.0) * YEAR_WEEKS


class _DampedTrend(_Family):
    """Holt's additive damped trend: forecast h weeks ahead l + (φ + … + φ^h) b."""

    def __init__(
        self,
        rows: np.ndarray,
        horizon_weeks: np.ndarray,
        inputs: np.ndarray,
        level: np.ndarray,
        parameters: tuple[tuple[float, float], ...],
    ) -> None:
        super().__init__(rows, horizon_weeks)
        self.inputs = inputs
        self.methods = [DAMPED_TREND] * len(parameters)
        self.alphas = [a for a, _b in parameters]
        self.betas = [b for _a, b in parameters]
        self.alpha_column = np.array(self.alphas)[:, np.newaxis]
        self.beta_column = np.array(self.betas)[:, np.newaxis]
        self.level = np.repeat(level[np.newaxis, :], len(parameters), axis=0)
        self.trend = np.zeros_like(self.level)
        self.sse = np.zeros_like(self.level)
        self.trend_weights = _damped_weights(horizon_weeks)

    def step(self, week: int) -> None:
        """l ← l + φb + α (y − l − φb); b ← φb + β (l_new − l − φb)."""
        damped = self.trend * DAMPED_PHI
        previous = self.level + damped
        self.level = previous + self.alpha_column * (self.inputs[week] - previous)
        self.trend = damped + self.beta_column * (self.level - previous)

    def rates(self, week: int) -> np.ndarray:
        """l + φb, never below zero."""
        return np.maximum(self.level + DAMPED_PHI * self.trend, 0.0)

    def horizon(self, week: int) -> np.ndarray:
        """l H + b Σ_j (φ + … + φ^j), never below zero."""
        total = self.level * self.horizon_weeks + self.trend * self.trend_weights
        return np.maximum(total, 0.0)

    def annual(self) -> np.ndarray:
        """The level over a year (a trend is not carried a year ahead)."""
        return np.maximum(self.level, 0.0) * YEAR_WEEKS


class _Croston(_Family):
    """Croston's method and SBA: sizes and intervals smoothed when demand occurs."""

    def __init__(
        self,
        rows: np.ndarray,
        horizon_weeks: np.ndarray,
        values: np.ndarray,
        seen: np.ndarray,
        start: _Start,
        alphas: tuple[float, ...],
    ) -> None:
        super().__init__(rows, horizon_weeks)
        self.values = values
        self.seen = seen
        count = len(alphas)
        self.methods = [CROSTON] * count + [SBA] * count
        self.alphas = list(alphas) * 2
        self.betas = [math.nan] * (2 * count)
        self.weights = np.array(alphas)[:, np.newaxis]
        self.bias = np.concatenate((np.ones(count), 1.0 - np.array(alphas) / 2.0))[:, np.newaxis]
        self.size = np.repeat(start.size[np.newaxis, :], count, axis=0)
        self.interval = np.repeat(start.interval[np.newaxis, :], count, axis=0)
        self.since = np.zeros(rows.size)
        self.sse = np.zeros((2 * count, rows.size))

    def step(self, week: int) -> None:
        """Count the week; on demand: z ← z + α (y − z), p ← p + α (q − p), q ← 0."""
        value = self.values[week]
        self.since += self.seen[week]
        demand = value > 0
        if demand.any():
            weight = self.weights * demand
            self.size += weight * (value - self.size)
            self.interval += weight * (self.since - self.interval)
            self.since[demand] = 0.0

    def rates(self, week: int) -> np.ndarray:
        """z / p for Croston, (1 − α/2) z / p for SBA."""
        rate = self.size / self.interval
        return np.concatenate((rate, rate)) * self.bias


class _Tsb(_Family):
    """TSB: probability of demand smoothed every week (β), size when demand occurs (α)."""

    def __init__(
        self,
        rows: np.ndarray,
        horizon_weeks: np.ndarray,
        values: np.ndarray,
        occurred: np.ndarray,
        start: _Start,
        alphas: tuple[float, ...],
        betas: tuple[float, ...],
    ) -> None:
        super().__init__(rows, horizon_weeks)
        self.values = values
        self.occurred = occurred
        self.methods = [TSB] * (len(alphas) * len(betas))
        self.alphas = [a for a in alphas for _b in betas]
        self.betas = [b for _a in alphas for b in betas]
        self.alpha_column = np.array(alphas)[:, np.newaxis]
        self.beta_column = np.array(betas)[:, np.newaxis]
        self.size = np.repeat(start.size[np.newaxis, :], len(alphas), axis=0)
        self.probability = np.repeat(start.probability[np.newaxis, :], len(betas), axis=0)
        self.sse = np.zeros((len(self.methods), rows.size))

    def step(self, week: int) -> None:
        """p ← p + β (1[y > 0] − p) every week; z ← z + α (y − z) on demand."""
        self.probability += self.beta_column * (self.occurred[week] - self.probability)
        value = self.values[week]
        demand = value > 0
        if demand.any():
            self.size += (self.alpha_column * demand) * (value - self.size)

    def rates(self, week: int) -> np.ndarray:
        """p z for every (α, β) pair, α-major."""
        product = self.size[:, np.newaxis, :] * self.probability[np.newaxis, :, :]
        return product.reshape(-1, self.rows.size)


def _fractions(horizon_weeks: np.ndarray, count: int) -> np.ndarray:
    """Share of each of the next ``count`` weeks inside each item's horizon (n × count)."""
    steps = np.arange(count)[np.newaxis, :]
    return np.clip(horizon_weeks[:, np.newaxis] - steps, 0.0, 1.0)


def _damped_weights(horizon_weeks: np.ndarray) -> np.ndarray:
    """Σ over the horizon's weeks j of (φ + … + φ^j), each week by its share."""
    count = max(1, math.ceil(float(horizon_weeks.max(initial=0.0))))
    steps = np.arange(1, count + 1)
    sums = DAMPED_PHI * (1.0 - DAMPED_PHI**steps) / (1.0 - DAMPED_PHI)
    return _fractions(horizon_weeks, count) @ sums


def _harmonics(week: np.ndarray) -> np.ndarray:
    """The seasonal regressors at week indices: 1, cos and sin of the year and half year."""
    angle = 2.0 * np.pi * np.asarray(week, dtype=np.float64) / YEAR_WEEKS
    return np.stack(
        (np.ones_like(angle), np.cos(angle), np.sin(angle), np.cos(2 * angle), np.sin(2 * angle)),
        axis=-1,
    )


def seasonal_profiles(
    weeks: np.ndarray, fit_mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit the yearly profile by least squares to each row's weeks where ``fit_mask``.

    Returns (coefficients n × 5, F statistic of the profile against the mean alone, the
    number of weeks fitted). The index at week w is (coefficients · regressors(w)) /
    intercept, the intercept being the average week.
    """
    n_items, n_weeks = weeks.shape
    design = _harmonics(np.arange(n_weeks))
    terms = design.shape[1]
    mask = fit_mask.astype(np.float64)
    values = np.where(fit_mask, weeks, 0.0)
    # Normal equations for every item at once: Σ_t mask x_t x_tᵀ as one matrix product.
    outer = (design[:, :, np.newaxis] * design[:, np.newaxis, :]).reshape(n_weeks, -1)
    normal = (mask @ outer).reshape(n_items, terms, terms)
    right = values @ design
    fitted_weeks = mask.sum(axis=1)
    coefficients = np.zeros((n_items, terms))
    enough = fitted_weeks > terms + 1
    if enough.any():
        # A tiny ridge keeps every system solvable however the weeks fall.
        ridge = 1e-9 * np.eye(terms)
        coefficients[enough] = np.linalg.solve(
            normal[enough] + ridge, right[enough][:, :, np.newaxis]
        )[:, :, 0]
    # Sums of squares without the residuals: Σ(y − Xc)² = Σy² − c·Xᵀy at the solution.
    squares = (values * values).sum(axis=1)
    residual = np.maximum(squares - (coefficients * right).sum(axis=1), 0.0)
    total = np.maximum(squares - values.sum(axis=1) ** 2 / np.maximum(fitted_weeks, 1), 0.0)
    freedom = np.maximum(fitted_weeks - terms, 1)
    explained = np.maximum(total - residual, 0.0) / (terms - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        f_stat = explained / (residual / freedom)
    f_stat = np.where(enough & (total > 0), np.nan_to_num(f_stat, nan=0.0, posinf=1e12), 0.0)
    return coefficients, f_stat, fitted_weeks.astype(np.int64)


def seasonal_index(coefficients: np.ndarray, week_indices: np.ndarray) -> np.ndarray:
    """Each item's seasonal index at the given week indices (n × weeks), kept within
    ``SEASONAL_INDEX_RANGE``."""
    raw = coefficients @ _harmonics(week_indices).T
    with np.errstate(divide="ignore", invalid="ignore"):
        index = raw / coefficients[:, :1]
    return np.clip(np.nan_to_num(index, nan=1.0), *SEASONAL_INDEX_RANGE)


def _fallback_rmse(weeks: np.ndarray, seen: np.ndarray, horizon_weeks: np.ndarray) -> np.ndarray:
    """sqrt(H σ² + H² σ²/m) from the weekly spread σ (one week seen: σ = that week)."""
    observed = seen.sum(axis=1)
    values = np.where(seen, weeks, 0.0)
    mean = values.sum(axis=1) / np.maximum(observed, 1)
    squares = (np.where(seen, weeks - mean[:, np.newaxis], 0.0) ** 2).sum(axis=1)
    spread = np.where(observed >= 2, np.sqrt(squares / np.maximum(observed - 1, 1)), mean)
    variance = spread**2 * (horizon_weeks + horizon_weeks**2 / np.maximum(observed, 1))
    return np.where(observed > 0, np.sqrt(variance), 0.0)


class _Windows:
    """Demand over each item's horizon after a given day, from the daily history.

    The horizon may end part-way through a day; that day counts pro rata.
    """

    def __init__(self, daily: np.ndarray, horizon: np.ndarray) -> None:
        n_items, n_days = daily.shape
        prefix = np.zeros((n_items, n_days + 1))
        # NaN days (before the history) never fall inside a scored window; fmax with 0
        # turns them into 0 and leaves demand (never negative) as it is.
        np.cumsum(np.fmax(daily, 0.0), axis=1, out=prefix[:, 1:])
        self.flat = prefix.ravel()
        self.starts = np.arange(n_items) * (n_days + 1)
        whole = np.floor(horizon).astype(np.intp)
        self.part = horizon - whole
        self.ends = self.starts + whole
        self.last = n_days

    def sums(self, first: int) -> np.ndarray:
        """Demand over the horizon from day ``first`` (index into the daily history);
        only meaningful where ``first`` + horizon ≤ the number of days."""
        end = np.minimum(self.ends + first, self.starts + self.last)
        after = np.minimum(end + 1, self.starts + self.last)
        at_end = self.flat[end]
        at_end += self.part * (self.flat[after] - at_end)
        return at_end - self.flat[self.starts + first]


def _subset(start: _Start, rows: np.ndarray) -> _Start:
    """The starting states of some items."""
    return _Start(
        level=start.level[rows],
        size=start.size[rows],
        interval=start.interval[rows],
        probability=start.probability[rows],
    )


def _families(
    weeks: np.ndarray,
    seen: np.ndarray,
    classes: np.ndarray,
    horizon_weeks: np.ndarray,
    first_origin: np.ndarray,
    init_weeks: int,
) -> tuple[tuple[np.ndarray, list[_Family]], tuple[np.ndarray, list[_Family]]]:
    """The rows and candidate families of the frequent (smooth, erratic) and of the sparse
    (intermittent, lumpy) items; a group without items has no families."""
    start = _initial_states(weeks, seen, init_weeks)
    frequent = np.flatnonzero((classes == SMOOTH) | (classes == ERRATIC))
    sparse = np.flatnonzero((classes == INTERMITTENT) | (classes == LUMPY))
    frequent_families: list[_Family] = []
    sparse_families: list[_Family] = []
    if frequent.size:
        # Time-major inputs (one contiguous row per week); weeks before an item's
        # history are filled with values that leave its states as they started.
        level_input = np.where(seen[frequent], weeks[frequent], start.level[frequent, None])
        level_input = np.ascontiguousarray(level_input.T)
        frequent_families += [
            _Ses(frequent, horizon_weeks[frequent], level_input, start.level[frequent], SES_ALPHAS),
            _DampedTrend(
                frequent,
                horizon_weeks[frequent],
                level_input,
                start.level[frequent],
                DAMPED_PARAMETERS,
            ),
        ]
        seasonal = _seasonal_family(weeks, seen, frequent, horizon_weeks, first_origin, init_weeks)
        if seasonal is not None:
            frequent_families.append(seasonal)
    if sparse.size:
        values = np.ascontiguousarray(np.where(seen[sparse], weeks[sparse], 0.0).T)
        seen_t = np.ascontiguousarray(seen[sparse].T, dtype=np.float64)
        occurred = np.where(seen[sparse], values.T > 0, start.probability[sparse, np.newaxis])
        sparse_start = _subset(start, sparse)
        sparse_families += [
            _Croston(sparse, horizon_weeks[sparse], values, seen_t, sparse_start, CROSTON_ALPHAS),
            _Tsb(
                sparse,
                horizon_weeks[sparse],
                values,
                np.ascontiguousarray(occurred.T, dtype=np.float64),
                sparse_start,
                TSB_ALPHAS,
                TSB_BETAS,
            ),
        ]
    return (frequent, frequent_families), (sparse, sparse_families)


def _seasonal_family(
    weeks: np.ndarray,
    seen: np.ndarray,
    frequent: np.ndarray,
    horizon_weeks: np.ndarray,
    first_origin: np.ndarray,
    init_weeks: int,
) -> _Seasonal | None:
    """Seasonal SES for the frequent items whose fitted year shows a significant profile."""
    n_weeks = weeks.shape[1]
    # The profile is fitted to the weeks up to each item's first backtest origin, so the
    # backtest judges it on weeks it has not seen.
    fit_mask = seen[frequent] & (np.arange(n_weeks)[np.newaxis, :] <= first_origin[frequent, None])
    eligible = fit_mask.sum(axis=1) >= MIN_SEASONAL_WEEKS
    if not eligible.any():
        return None
    candidates = frequent[eligible]
    coefficients, f_stat, _fitted = seasonal_profiles(weeks[candidates], fit_mask[eligible])
    keep = (f_stat >= SEASONAL_F) & (coefficients[:, 0] > 0)
    if not keep.any():
        return None
    rows = candidates[keep]
    coefficients = coefficients[keep]
    steps = max(1, math.ceil(float(horizon_weeks[rows].max(initial=1.0))))
    index = seasonal_index(coefficients, np.arange(n_weeks + steps + 1))
    adjusted = weeks[rows] / index[:, :n_weeks]
    start = _initial_states(adjusted, seen[rows], init_weeks)
    inputs = np.ascontiguousarray(np.where(seen[rows], adjusted, start.level[:, np.newaxis]).T)
    return _Seasonal(rows, horizon_weeks[rows], inputs, start.level, SEASONAL_ALPHAS, index)


def _choose(
    families: list[_Family],
    rows: np.ndarray,
    backtested: np.ndarray,
    default: int,
    last_week: int,
    out: dict[str, np.ndarray],
) -> None:
    """Pick each item's candidate with the least squared error (``default`` where the item
    was not backtested) and write its forecasts into ``out``."""
    if rows.size == 0:
        return
    count = sum(len(family.methods) for family in families)
    sse = np.full((count, rows.size), np.inf)
    horizon = np.zeros((count, rows.size))
    weekly = np.zeros((count, rows.size))
    annual = np.zeros((count, rows.size))
    methods: list[int] = []
    alphas: list[float] = []
    betas: list[float] = []
    first = 0
    for family in families:
        size = len(family.methods)
        # A family may serve only some of the rows (the seasonal one).
        columns = np.searchsorted(rows, family.rows)
        block = slice(first, first + size)
        sse[block, columns] = family.sse
        horizon[block, columns] = family.horizon(last_week)
        weekly[block, columns] = family.rates(last_week)
        annual[block, columns] = family.annual()
        methods += family.methods
        alphas += family.alphas
        betas += family.betas
        first += size
    tested = backtested[rows]
    best = np.where(tested, np.argmin(sse, axis=0), default)
    columns = np.arange(rows.size)
    chosen_sse = sse[best, columns]
    origins = np.maximum(out["origins"][rows], 1)
    out["method"][rows] = np.array(methods)[best]
    out["alpha"][rows] = np.array(alphas)[best]
    out["beta"][rows] = np.array(betas)[best]
    out["horizon"][rows] = horizon[best, columns]
    out["weekly"][rows] = weekly[best, columns]
    out["annual"][rows] = annual[best, columns]
    out["rmse"][rows] = np.where(tested, np.sqrt(chosen_sse / origins), out["rmse"][rows])


def forecast_demand(
    demand: np.ndarray,
    horizon_days: np.ndarray | float,
    *,
    init_weeks: int = INIT_WEEKS,
) -> Forecast:
    """Forecast each item's demand over its horizon, choosing the method by backtest.

    ``demand``: daily demand (items × days, oldest first, the last column yesterday, NaN
    before an item's history starts); ``horizon_days``: per item (or one number), the
    days ahead to forecast; less than one day is taken as one.
    """
    weeks = weekly_buckets(demand)
    daily = np.asarray(demand, dtype=np.float64)
    if daily.ndim == 1:
        daily = daily[np.newaxis, :]
    n_items, n_days = daily.shape
    n_weeks = weeks.shape[1]
    horizon = np.broadcast_to(np.asarray(horizon_days, dtype=np.float64), (n_items,))
    horizon = np.maximum(np.nan_to_num(horizon, nan=1.0), 1.0)
    horizon_weeks = horizon / BUCKET_DAYS

    classes = classify_demand(weeks)
    seen = ~np.isnan(weeks)
    start_week = np.where(seen.any(axis=1), np.argmax(seen, axis=1), n_weeks)
    holdout = np.maximum(HOLDOUT_WEEKS, np.ceil(horizon_weeks) + HOLDOUT_MARGIN_WEEKS)
    first_origin = np.maximum(start_week + init_weeks - 1, n_weeks - 1 - holdout)
    first_origin = first_origin.astype(np.int64)
    (frequent_rows, frequent), (sparse_rows, sparse) = _families(
        weeks, seen, classes.demand_class, horizon_weeks, first_origin, init_weeks
    )
    families = frequent + sparse

    # Actual demand after each origin comes from the daily history's prefix sums.
    offset = n_days - n_weeks * BUCKET_DAYS
    earliest = int(first_origin.min(initial=n_weeks))
    tail_start = min(offset + BUCKET_DAYS * (max(earliest, 0) + 1), n_days)
    windows = _Windows(daily[:, tail_start:], horizon)
    origins = np.zeros(n_items, dtype=np.int64)
    for week in range(n_weeks):
        for family in families:
            family.step(week)
        if week < earliest or week >= n_weeks - 1:
            continue
        first_day = offset + BUCKET_DAYS * (week + 1)
        valid = (week >= first_origin) & (first_day + horizon <= n_days)
        if not valid.any():
            continue
        actual = windows.sums(first_day - tail_start)
        origins += valid
        for family in families:
            family.score(week, actual[family.rows], valid[family.rows])

    backtested = origins >= MIN_ORIGINS
    out: dict[str, np.ndarray] = {
        "weekly": np.zeros(n_items),
        "horizon": np.zeros(n_items),
        "annual": np.zeros(n_items),
        "rmse": _fallback_rmse(weeks, seen, horizon_weeks),
        "method": np.full(n_items, NONE, dtype=np.int64),
        "alpha": np.full(n_items, np.nan),
        "beta": np.full(n_items, np.nan),
        "origins": np.where(backtested, origins, 0),
    }
    last = n_weeks - 1
    default_frequent = SES_ALPHAS.index(DEFAULT_SES_ALPHA)
    default_sparse = len(CROSTON_ALPHAS) + CROSTON_ALPHAS.index(DEFAULT_SBA_ALPHA)
    _choose(frequent, frequent_rows, backtested, default_frequent, last, out)
    _choose(sparse, sparse_rows, backtested, default_sparse, last, out)
    no_demand = ~np.isin(out["method"], np.arange(1, len(METHOD_NAMES)))
    out["rmse"] = np.where(no_demand, 0.0, out["rmse"])
    return Forecast(
        demand_class=classes.demand_class,
        observed_weeks=classes.observed,
        **out,
    )


def method_path(
    weekly: np.ndarray,
    method: str,
    alpha: float,
    beta: float = math.nan,
    *,
    init_weeks: int = INIT_WEEKS,
) -> np.ndarray:
    """One method's forecast of next week's demand after each week (n × weeks), from
    weekly demand (n × weeks, NaN before the history starts): the recursions the
    backtest runs, for one candidate, to check and to show. ``method`` is one of
    "ses", "damped-trend", "croston", "sba", "tsb"; ``beta`` is the trend (damped
    trend) or probability (TSB) parameter.
    """
    weeks = np.asarray(weekly, dtype=np.float64)
    if weeks.ndim == 1:
        weeks = weeks[np.newaxis, :]
    seen = ~np.isnan(weeks)
    start = _initial_states(weeks, seen, init_weeks)
    rows = np.arange(weeks.shape[0])
    ones = np.ones(rows.size)
    family: _Family
    if method in ("ses", "damped-trend"):
        inputs = np.ascontiguousarray(np.where(seen, weeks, start.level[:, np.newaxis]).T)
        if method == "ses":
            family = _Ses(rows, ones, inputs, start.level, (alpha,))
        else:
            family = _DampedTrend(rows, ones, inputs, start.level, ((alpha, beta),))
        pick = 0
    elif method in ("croston", "sba"):
        values = np.ascontiguousarray(np.where(seen, weeks, 0.0).T)
        family = _Croston(
            rows, ones, values, np.ascontiguousarray(seen.T, dtype=np.float64), start, (alpha,)
        )
        pick = 0 if method == "croston" else 1
    elif method == "tsb":
        values = np.ascontiguousarray(np.where(seen, weeks, 0.0).T)
        occurred = np.where(seen, weeks > 0, start.probability[:, np.newaxis])
        family = _Tsb(
            rows,
            ones,
            values,
            np.ascontiguousarray(occurred.T, dtype=np.float64),
            start,
            (alpha,),
            (beta,),
        )
        pick = 0
    else:
        raise ValueError(f"unknown method {method!r}")
    path = np.empty(weeks.shape)
    for week in range(weeks.shape[1]):
        family.step(week)
        path[:, week] = family.rates(week)[pick]
    return path
