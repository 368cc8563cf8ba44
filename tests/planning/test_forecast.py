"""Forecast recursions against hand-worked series, and the backtest that chooses them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.planning.demand import weekly_buckets
from app.planning.forecast import (
    CROSTON,
    DAMPED_TREND,
    DEFAULT_SES_ALPHA,
    HOLDOUT_WEEKS,
    INIT_WEEKS,
    METHOD_NAMES,
    NONE,
    SBA,
    SEASONAL,
    SES,
    SES_ALPHAS,
    TSB,
    YEAR_WEEKS,
    forecast_demand,
    method_path,
)


def test_ses_by_hand() -> None:
    # Start 11 (mean of the first two weeks), α ½: 10.5, 11.25, 9.625, 9.8125.
    path = method_path([10, 12, 8, 10], "ses", 0.5, init_weeks=2)
    assert path[0].tolist() == [10.5, 11.25, 9.625, 9.8125]


def test_croston_and_sba_by_hand() -> None:
    # Start: mean size 5 (4 and 6), 3 weeks per demand (2 in 6). α ½.
    # Week 2 (4 after 2 weeks): size 4.5, interval 2.5 → 1.8; week 5 (6 after 3
    # weeks): size 5.25, interval 2.75 → 1.90909. SBA takes (1 − ¼) of that.
    weeks = [0, 4, 0, 0, 6, 0]
    croston = method_path(weeks, "croston", 0.5, init_weeks=6)[0]
    assert croston == pytest.approx([5 / 3, 1.8, 1.8, 1.8, 5.25 / 2.75, 5.25 / 2.75])
    sba = method_path(weeks, "sba", 0.5, init_weeks=6)[0]
    assert sba == pytest.approx(0.75 * croston)


def test_tsb_by_hand() -> None:
    # Start: size 5, probability 2/6. β 0.2 every week, α ½ on demand:
    # p: 0.26667, 0.41333, 0.33067, 0.26453, 0.41163, 0.32930; z: 5, 4.5, …, 5.25.
    path = method_path([0, 4, 0, 0, 6, 0], "tsb", 0.5, 0.2, init_weeks=6)[0]
    assert path == pytest.approx([1.333333, 1.86, 1.488, 1.1904, 2.16104, 1.728832], abs=1e-6)


def test_damped_trend_by_hand() -> None:
    # Start level 10, trend 0; α ½, β ½, φ 0.9. Week 2: level 11, trend 0.5 → 11.45;
    # week 3: 11.45 + ½(14 − 11.45) = 12.725, trend 0.45 + ½(12.725 − 11.45) = 1.0875
    # → 12.725 + 0.9 × 1.0875 = 13.70375.
    path = method_path([10, 12, 14], "damped-trend", 0.5, 0.5, init_weeks=1)[0]
    assert path == pytest.approx([10.0, 11.45, 13.70375])


def test_weeks_before_the_history_change_nothing() -> None:
    weeks = [3.0, 0.0, 5.0, 2.0, 0.0, 0.0, 7.0]
    for method, beta in (
        ("ses", math.nan),
        ("croston", math.nan),
        ("tsb", 0.1),
        ("damped-trend", 0.1),
    ):
        plain = method_path(weeks, method, 0.3, beta, init_weeks=3)[0]
        later = method_path([math.nan] * 4 + weeks, method, 0.3, beta, init_weeks=3)[0]
        assert later[4:] == pytest.approx(plain), method


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown method"):
        method_path([1.0, 2.0], "holt-winters", 0.1)


def test_steady_demand_is_forecast_exactly_with_no_error() -> None:
    forecast = forecast_demand(np.full((1, 730), 2.0), 9)
    assert forecast.method.tolist() == [SES]
    assert forecast.horizon.tolist() == [18.0]
    assert forecast.weekly.tolist() == [14.0]
    assert forecast.annual[0] == pytest.approx(2.0 * 7 * YEAR_WEEKS)
    assert forecast.rmse.tolist() == [0.0]
    assert forecast.origins[0] >= HOLDOUT_WEEKS - 2


def test_intermittent_demand_gets_an_intermittent_method() -> None:
    rng = np.random.default_rng(0)
    daily = (rng.random((3, 730)) < 0.04) * 5.0
    forecast = forecast_demand(daily, 14)
    assert set(forecast.method.tolist()) <= {CROSTON, SBA, TSB}
    true_rate = 0.04 * 5.0 * 14
    assert np.all(np.abs(forecast.horizon - true_rate) < true_rate)


def test_a_yearly_season_is_followed() -> None:
    days = np.arange(730 + 14)
    pattern = 20 * (1 + 0.6 * np.sin(2 * np.pi * days / 365.25))
    daily = np.round(pattern[:730])[np.newaxis, :]
    forecast = forecast_demand(daily, 14)
    assert forecast.method.tolist() == [SEASONAL]
    expected = pattern[730:].sum()
    assert forecast.horizon[0] == pytest.approx(expected, rel=0.05)


def test_a_trend_is_followed() -> None:
    daily = np.round(np.linspace(1, 20, 730 + 14))
    forecast = forecast_demand(daily[np.newaxis, :730], 14)
    assert forecast.method.tolist() == [DAMPED_TREND]
    # A level lags behind a trend; the damped trend comes closer than any SES candidate.
    weeks = weekly_buckets(daily[np.newaxis, :730])
    best_level = max(method_path(weeks, "ses", alpha)[0, -1] * 2 for alpha in SES_ALPHAS)
    actual = daily[730:].sum()
    assert best_level < forecast.horizon[0] <= actual * 1.01
    assert forecast.horizon[0] == pytest.approx(actual, rel=0.03)


def test_short_history_uses_defaults_and_the_spread_of_its_weeks() -> None:
    daily = np.full(730, math.nan)
    daily[-21:] = [1.0] * 7 + [2.0] * 7 + [1.0] * 7  # weeks of 7, 14, 7
    forecast = forecast_demand(daily[np.newaxis, :], 7)
    assert forecast.origins.tolist() == [0]
    assert forecast.method.tolist() == [SES] and forecast.alpha[0] == DEFAULT_SES_ALPHA
    # SES ⅕ from the mean 28/3: 8.8667, 9.8933, 9.31467.
    assert forecast.weekly[0] == pytest.approx(9.31467, abs=1e-5)
    # σ of 7, 14, 7 is sqrt(49/3); one week ahead of three seen: σ sqrt(1 + 1/3) = 14/3.
    assert forecast.rmse[0] == pytest.approx(14 / 3)


def test_no_history_forecasts_nothing() -> None:
    daily = np.array([[math.nan] * 70, [0.0] * 70])
    forecast = forecast_demand(daily, 10)
    assert forecast.method.tolist() == [NONE, NONE]
    assert forecast.horizon.tolist() == [0.0, 0.0] and forecast.rmse.tolist() == [0.0, 0.0]
    assert forecast.observed_weeks.tolist() == [0, 10]


def _brute_force_rmse(daily: np.ndarray, method: str, alpha: float, beta: float) -> float:
    """The backtest for one item and one candidate, written plainly: each week of the
    holdout, the one-week-ahead forecast against the next 7 days."""
    weeks = weekly_buckets(daily)[0]
    path = method_path(weeks, method, alpha, beta)[0]
    n_weeks = weeks.size
    offset = daily.shape[1] - 7 * n_weeks
    errors = []
    for week in range(n_weeks - 1 - HOLDOUT_WEEKS, n_weeks - 1):
        if week < INIT_WEEKS - 1:
            continue
        first = offset + 7 * (week + 1)
        errors.append(path[week] - daily[0, first : first + 7].sum())
    return math.sqrt(sum(e * e for e in errors) / len(errors))


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.sampled_from([0.9, 0.3, 0.05]))
def test_backtest_error_is_the_chosen_candidates_rmse(seed: int, chance: float) -> None:
    rng = np.random.default_rng(seed)
    days = int(rng.integers(200, 400))
    daily = np.round(rng.gamma(2.0, 2.0, (1, days)) * (rng.random((1, days)) < chance))
    forecast = forecast_demand(daily, 7)
    method = METHOD_NAMES[int(forecast.method[0])]
    if method in ("none", "seasonal"):
        return
    expected = _brute_force_rmse(daily, method, float(forecast.alpha[0]), float(forecast.beta[0]))
    assert forecast.rmse[0] == pytest.approx(expected, rel=1e-9, abs=1e-9)
