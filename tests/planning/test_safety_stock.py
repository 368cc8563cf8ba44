"""Normal distribution functions and safety factors against table values and textbook cases."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.planning.safety_stock import (
    K_MAX,
    K_MIN,
    combine_sigma,
    loss,
    norm_cdf,
    norm_pdf,
    norm_ppf,
    norm_sf,
    safety_factor_cycle,
    safety_factor_fill_rate,
    safety_factor_reliable_fill,
    second_loss,
    shortage_moments,
    shortage_per_cycle,
    sigma_lead_time_demand,
)


@pytest.mark.parametrize(
    ("p", "z"),
    [
        (0.5, 0.0),
        (0.8413447, 1.0),
        (0.90, 1.2816),
        (0.95, 1.6449),
        (0.975, 1.9600),
        (0.98, 2.0537),
        (0.99, 2.3263),
        (0.999, 3.0902),
        (0.05, -1.6449),
        (0.001, -3.0902),
    ],
)
def test_inverse_normal_matches_the_table(p: float, z: float) -> None:
    assert float(norm_ppf(p)) == pytest.approx(z, abs=6e-5)


def test_inverse_normal_is_accurate_across_the_range_and_in_the_tails() -> None:
    probabilities = np.concatenate((np.linspace(1e-6, 1 - 1e-6, 2001), np.logspace(-14, -2, 50)))
    exact = np.array([NormalDist().inv_cdf(p) for p in probabilities])
    assert np.allclose(norm_ppf(probabilities), exact, rtol=2e-9, atol=1e-12)


def test_inverse_normal_ends_and_nonsense() -> None:
    values = norm_ppf(np.array([0.0, 1.0, -0.1, 1.1, np.nan]))
    assert values[0] == -np.inf and values[1] == np.inf
    assert np.isnan(values[2:]).all()


def test_normal_tail_matches_erfc_to_a_billionth() -> None:
    x = np.linspace(-12, 12, 9601)
    exact = np.array([0.5 * math.erfc(v / math.sqrt(2)) for v in x])
    assert np.max(np.abs(norm_sf(x) - exact)) < 1e-9
    upper = x < 8
    assert np.max(np.abs(norm_sf(x) - exact)[upper] / exact[upper]) < 1e-5
    assert float(norm_cdf(1.6449)) == pytest.approx(0.95, abs=1e-5)
    assert float(norm_pdf(0.0)) == pytest.approx(0.398942, abs=1e-6)
    assert np.isnan(norm_sf(np.nan))
    assert norm_sf(-np.inf) == 1.0 and norm_sf(np.inf) == pytest.approx(0.0, abs=1e-18)


@pytest.mark.parametrize(
    ("k", "g"),
    [
        (-1.0, 1.0833),
        (0.0, 0.3989),
        (0.5, 0.1978),
        (1.0, 0.0833),
        (1.5, 0.0293),
        (2.0, 0.0085),
        (3.0, 0.0004),
    ],
)
def test_normal_loss_matches_the_table(k: float, g: float) -> None:
    assert float(loss(k)) == pytest.approx(g, abs=6e-5)


@given(st.floats(min_value=-6, max_value=6, allow_nan=False))
def test_normal_loss_identities(k: float) -> None:
    # G(−k) = G(k) + k; G falls (G' = Φ(k) − 1) and is convex.
    assert float(loss(-k)) == pytest.approx(float(loss(k)) + k, abs=1e-9)
    assert float(loss(k + 0.01)) < float(loss(k))
    assert float(loss(k)) <= (float(loss(k - 0.01)) + float(loss(k + 0.01))) / 2 + 1e-12


def test_cycle_service_level_safety_stock() -> None:
    # Demand over the lead time: mean 100, σ 20; 95 % chance of no stock-out per cycle:
    # k = 1.645, safety stock 32.9, reorder point 132.9.
    k = float(safety_factor_cycle(0.95))
    assert k == pytest.approx(1.6449, abs=1e-4)
    assert 100 + k * 20 == pytest.approx(132.9, abs=0.01)


def test_fill_rate_safety_factor_from_the_textbook_equation() -> None:
    # Q = 200, σ = 20, fill rate 98 %: G(k) = 0.02 × 200 / 20 = 0.2. The table has
    # G(0.49) = 0.2019 and G(0.50) = 0.1978, so k ≈ 0.4929 and safety stock ≈ 9.86.
    k = float(safety_factor_fill_rate(0.98, 200 / 20, exact=False))
    assert k == pytest.approx(0.4929, abs=1e-4)
    assert k * 20 == pytest.approx(9.86, abs=0.01)
    # With Q ten σ the second term G(k + 10) is nil: the exact equation agrees.
    assert float(safety_factor_fill_rate(0.98, 10.0)) == pytest.approx(k, abs=1e-9)


def test_fill_rate_with_a_small_order_quantity_needs_the_exact_equation() -> None:
    # Q = σ / 2, fill rate 90 %: the textbook form G(k) = 0.05 asks, between the table's
    # G(1.25) = 0.05059 and G(1.26) = 0.04954, k ≈ 1.2556; but it counts again shortages
    # of the cycle before. The exact form G(k) − G(k + 0.5) = 0.05 needs less, between
    # Φ⁻¹(0.9) − 0.5 and Φ⁻¹(0.9) = 1.2816.
    textbook = float(safety_factor_fill_rate(0.90, 0.5, exact=False))
    exact = float(safety_factor_fill_rate(0.90, 0.5))
    assert textbook == pytest.approx(1.2556, abs=1e-4)
    assert float(loss(textbook)) == pytest.approx(0.05, abs=1e-9)
    assert float(shortage_per_cycle(exact, 0.5)) == pytest.approx(0.05, abs=1e-9)
    assert 1.2816 - 0.5 < exact < min(textbook, 1.2816)
    # Orders tiny next to σ: every cycle is a stock-out chance, the fill rate is a CSL.
    assert float(safety_factor_fill_rate(0.90, 1e-3)) == pytest.approx(1.2816, abs=1e-3)


def test_fill_rate_edge_cases() -> None:
    values = safety_factor_fill_rate(
        np.array([0.95, 0.95, 1.0, 0.0, np.nan, 0.5]), np.array([np.inf, 0.0, 2.0, 2.0, 2.0, 1e6])
    )
    assert values[0] == K_MIN  # no uncertainty at all
    assert np.isnan(values[1:5]).all()  # no order quantity, or a target that is not a rate
    assert values[5] == K_MIN  # a huge order covers half the demand with any stock


@settings(max_examples=200)
@given(
    st.floats(min_value=0.5, max_value=0.9999),
    st.floats(min_value=0.01, max_value=1000.0),
)
def test_fill_rate_factor_solves_its_equation(beta: float, ratio: float) -> None:
    k = float(safety_factor_fill_rate(beta, ratio))
    target = (1 - beta) * ratio
    if K_MIN < k < K_MAX:
        assert float(shortage_per_cycle(k, ratio)) == pytest.approx(target, rel=1e-6, abs=1e-12)
    else:
        assert k == K_MIN and float(shortage_per_cycle(K_MIN, ratio)) <= target
    # A higher fill rate never needs less safety.
    assert float(safety_factor_fill_rate(min(beta + 0.0001, 0.99999), ratio)) >= k - 1e-9


def test_lead_time_variability_textbook_example() -> None:
    # Chopra & Meindl: daily demand 2,500 (σ 500), lead time 7 days (σ 7 days):
    # σ = sqrt(7 × 500² + 2,500² × 7²) = 17,550; at a 90 % cycle service level the
    # safety stock is 1.2816 × 17,550 = 22,491.
    sigma = float(sigma_lead_time_demand(7, 500, 2500, 7))
    assert sigma == pytest.approx(17_549.9, abs=0.1)
    assert float(safety_factor_cycle(0.90)) * sigma == pytest.approx(22_491, abs=1)
    # Without lead-time spread it is the plain sqrt(L) σ_d.
    assert float(sigma_lead_time_demand(9, 2, 10, 0)) == pytest.approx(6.0)


def test_forecast_error_takes_the_place_of_daily_spread() -> None:
    # Error over 9 days 6 (= sqrt(9) × 2), daily demand 10, lead time σ 2: sqrt(36 + 400).
    assert float(combine_sigma(6.0, 10.0, 2.0)) == pytest.approx(math.sqrt(436))
    assert float(combine_sigma(6.0, 10.0, 2.0)) == float(sigma_lead_time_demand(9, 2, 10, 2))


def test_second_order_loss_by_hand() -> None:
    # H(0) = E[(Z⁺)²] = 1/2. H(1) = 2 (1 − Φ(1)) − φ(1) = 2 × 0.158655 − 0.241971
    # = 0.075339. Far left H(k) → k² + 1 (the whole of E[(Z − k)²]); far right 0.
    assert float(second_loss(0.0)) == pytest.approx(0.5, abs=1e-9)
    assert float(second_loss(1.0)) == pytest.approx(0.075339, abs=1e-6)
    assert float(second_loss(-6.0)) == pytest.approx(37.0, abs=1e-6)
    assert float(second_loss(9.0)) == pytest.approx(0.0, abs=1e-15)


def test_one_cycles_shortage_moments_by_hand_and_by_integration() -> None:
    # k = 0, q = 1: mean G(0) − G(1) = 0.398942 − 0.083316 = 0.315627; second moment
    # H(0) − H(1) − 2 × 1 × G(1) = 0.5 − 0.075339 − 0.166631 = 0.258030, so the variance
    # is 0.258030 − 0.315627² = 0.158410.
    mean, variance = shortage_moments(0.0, 1.0)
    assert float(mean) == pytest.approx(0.315627, abs=1e-6)
    assert float(variance) == pytest.approx(0.158410, abs=2e-6)
    # The same from the definition, min((Z − k)⁺, q), integrated on a fine grid.
    z = np.linspace(-10, 10, 400_001)
    weight = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi) * (z[1] - z[0])
    for k, q in ((-1.0, 0.5), (0.7, 3.0), (1.5, 40.0)):
        short = np.minimum(np.maximum(z - k, 0.0), q)
        m = float((short * weight).sum())
        v = float((short * short * weight).sum()) - m * m
        mean, variance = shortage_moments(k, q)
        assert float(mean) == pytest.approx(m, abs=1e-6)
        assert float(variance) == pytest.approx(v, abs=1e-6)


def test_reliable_fill_rate_for_one_cycle_a_year() -> None:
    # One cycle a year, z = 1: the one cycle's mean + sd shortage must be 5 % of Q. With
    # Q = σ: k = 2.2741 (mean 0.003808 + sd 0.046192 = 0.05), far above the 1.2121 that
    # meets 95 % only on average.
    k = float(safety_factor_reliable_fill(0.95, 1.0, 1.0, 1.0))
    assert k == pytest.approx(2.2741, abs=1e-3)
    mean, variance = shortage_moments(k, 1.0)
    assert float(mean + np.sqrt(variance)) == pytest.approx(0.05, abs=1e-6)
    assert float(safety_factor_fill_rate(0.95, 1.0)) == pytest.approx(1.2121, abs=1e-3)


def test_reliable_fill_rate_below_one_cycle_a_year_allows_a_years_share() -> None:
    # Q = 2σ lasting two years (N = 0.5), z = 1: the year the order runs out may miss 5 %
    # of a year's demand, N Q = σ, so mean + sd of the cycle's shortage must be 0.05 σ
    # (not 5 % of Q = 0.1 σ): k = 2.3167 (mean 0.003485 + sd 0.046515), above the 1.8862
    # of one cycle a year with the same Q (mean 0.011447 + sd 0.088553 = 0.1).
    k = float(safety_factor_reliable_fill(0.95, 2.0, 0.5, 1.0))
    assert k == pytest.approx(2.3167, abs=1e-3)
    mean, variance = shortage_moments(k, 2.0)
    assert float(mean) == pytest.approx(0.003485, abs=1e-5)
    assert float(mean + np.sqrt(variance)) == pytest.approx(0.05, abs=1e-6)
    yearly = float(safety_factor_reliable_fill(0.95, 2.0, 1.0, 1.0))
    assert yearly == pytest.approx(1.8862, abs=1e-3)
    # Slower still: an ever smaller share of the order may be short, so k only grows.
    k = safety_factor_reliable_fill(0.95, 2.0, np.array([1.0, 0.5, 0.25, 0.1]), 1.0)
    assert (np.diff(k) > 0).all()


def test_reliable_fill_rate_approaches_the_average_with_many_cycles() -> None:
    ratio = np.full(4, 3.0)
    plain = float(safety_factor_fill_rate(0.95, 3.0))
    k = safety_factor_reliable_fill(0.95, ratio, np.array([1.0, 4.0, 100.0, 1e8]), 1.2816)
    # More cycles a year: a year's fill strays less from its mean, so less k is needed.
    assert (np.diff(k) < 0).all() and k[-1] == pytest.approx(plain, abs=1e-3)
    # z = 0 is the plain fill rate; a cycle count that is not a positive number is one.
    assert float(safety_factor_reliable_fill(0.95, 3.0, 5.0, 0.0)) == plain
    one = float(safety_factor_reliable_fill(0.95, 3.0, 1.0, 1.0))
    odd = safety_factor_reliable_fill(0.95, 3.0, np.array([0.0, -2.0, np.nan]), 1.0)
    assert odd.tolist() == [one, one, one]
    # What the plain factor cannot answer stays unanswered.
    unanswered = safety_factor_reliable_fill(np.array([1.2, 0.95]), np.array([3.0, 0.0]), 2.0, 1.0)
    assert np.isnan(unanswered).all()


@settings(max_examples=60, deadline=None)
@given(
    beta=st.floats(0.5, 0.999),
    ratio=st.floats(0.05, 200.0),
    cycles=st.floats(0.05, 60.0),
    z=st.floats(0.1, 3.0),
)
def test_reliable_fill_factor_solves_its_equation(
    beta: float, ratio: float, cycles: float, z: float
) -> None:
    k = float(safety_factor_reliable_fill(beta, ratio, cycles, z))
    plain = float(safety_factor_fill_rate(beta, ratio))
    assert plain <= k <= K_MAX
    if plain < k < K_MAX - 1e-3:
        mean, variance = shortage_moments(k, ratio)
        achieved = float(mean + z * np.sqrt(variance / max(cycles, 1.0)))
        allowed = (1 - beta) * ratio * min(cycles, 1.0)
        assert achieved == pytest.approx(allowed, rel=1e-3, abs=1e-6)
    elif k == plain:
        # Only a plain k clipped at K_MIN can already meet it with room to spare.
        mean, variance = shortage_moments(k, ratio)
        assert float(mean + z * np.sqrt(variance / cycles)) <= (1 - beta) * ratio + 1e-6
