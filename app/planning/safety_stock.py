"""Safety stock for a service level: the normal distribution's functions, with numpy only.

scipy is not a dependency, so the three functions needed are built here:
- ``norm_ppf`` (Φ⁻¹): Acklam's rational approximation (relative error < 1.2e-9);
- ``norm_sf`` (1 − Φ): cubic Hermite interpolation, on a uniform grid of step 1/64,
  of values that ``math.erfc`` gives exactly when the module loads (the derivative,
  −φ, is known in closed form, so the interpolation error is below 1e-9 and stays
  small relative to the value far into the tails);
- ``loss`` (G(k) = φ(k) − k(1 − Φ(k))), the standard normal loss function: the expected
  shortage per unit of σ when the safety factor is k.

The policies (Silver, Pyke & Thomas, "Inventory and Production Management", ch. 6):
- cycle service level P: the chance of no stock-out in a replenishment cycle;
  k = Φ⁻¹(P);
- fill rate β: the share of demand met from stock. The expected shortage per cycle is
  σ (G(k) − G(k + Q/σ)) and must be (1 − β) Q; the second term (which the textbook
  form G(k) = (1 − β) Q/σ leaves out) removes shortages already counted in the cycle
  before, and matters when Q is small next to σ;
- a fill rate that each year reaches with a chance Φ(z) (``safety_factor_reliable_fill``):
  the year's shortage is the sum of its N cycles' shortages, whose mean and variance
  come from G and the second-order loss H(k) = (1 + k²)(1 − Φ(k)) − k φ(k), taken as
  normal: μ + z sqrt(v / N) = (1 − β) min(N, 1) Q/σ (an order that lasts longer than a
  year still allows only (1 − β) of a year's demand short in the year it runs out);
- σ of demand over the lead time L when the lead time varies:
  σ_LTD = sqrt(L σ_d² + d² σ_L²) (d: mean daily demand, σ_d its daily spread, σ_L the
  lead time's). With a forecast error measured over the lead time, that error takes
  the place of L σ_d².
"""

from __future__ import annotations

import math

import numpy as np

_ROOT_2PI = math.sqrt(2.0 * math.pi)

# Acklam's coefficients: central region (|p − 0.5| ≤ 0.47575) and the tails.
_A = (
    -3.969683028665376e01,
    2.209460984245205e02,
    -2.759285104469687e02,
    1.383577518672690e02,
    -3.066479806614716e01,
    2.506628277459239e00,
)
_B = (
    -5.447609879822406e01,
    1.615858368580409e02,
    -1.556989798598866e02,
    6.680131188771972e01,
    -1.328068155288572e01,
)
_C = (
    -7.784894002430293e-03,
    -3.223964580411365e-01,
    -2.400758277161838e00,
    -2.549732539343734e00,
    4.374664141464968e00,
    2.938163982698783e00,
)
_D = (
    7.784695709041462e-03,
    3.224671290700398e-01,
    2.445134137142996e00,
    3.754408661907416e00,
)
_P_LOW = 0.02425

# 1 − Φ on a grid, as one cubic per interval in t = (x − left end) / step: the cubic
# Hermite interpolant of the values (from math.erfc) and slopes (−φ, times the step).
_GRID_STEP = 1.0 / 64.0
_GRID_LIMIT = 9.0
_GRID = np.arange(-_GRID_LIMIT, _GRID_LIMIT + _GRID_STEP / 2, _GRID_STEP)
_LAST_T = float(_GRID.size - 1) - 1e-9


def _cubic_table() -> np.ndarray:
    """Coefficients (4 × intervals) of c0 + c1 t + c2 t² + c3 t³ on each interval."""
    value = np.array([0.5 * math.erfc(x / math.sqrt(2.0)) for x in _GRID])
    slope = -_GRID_STEP * np.exp(-0.5 * _GRID**2) / _ROOT_2PI
    v0, v1, s0, s1 = value[:-1], value[1:], slope[:-1], slope[1:]
    return np.stack((v0, s0, 3 * (v1 - v0) - 2 * s0 - s1, 2 * (v0 - v1) + s0 + s1))


_SF_CUBICS = _cubic_table()

# Safety factors are sought in this range (a 1e-19 shortage rate lies beyond 9).
K_MIN = -8.0
K_MAX = 8.0
# Newton's method from a good bracket converges in a handful of steps.
_MAX_ITERATIONS = 60
_TOLERANCE = 1e-12


def _loss_table() -> tuple[np.ndarray, np.ndarray]:
    """log G(k) ascending with the matching k (descending), for inverting G."""
    k = _GRID[::-1]
    value = np.exp(-0.5 * k * k) / _ROOT_2PI - k * np.array(
        [0.5 * math.erfc(x / math.sqrt(2.0)) for x in k]
    )
    keep = value > 1e-300
    return np.log(value[keep]), k[keep]


_LOG_LOSS_ASCENDING, _LOSS_K_DESCENDING = _loss_table()


def norm_pdf(x: np.ndarray | float) -> np.ndarray:
    """φ(x), the standard normal density."""
    values = np.asarray(x, dtype=np.float64)
    return np.exp(-0.5 * values * values) / _ROOT_2PI


def norm_sf(x: np.ndarray | float) -> np.ndarray:
    """1 − Φ(x), the chance that a standard normal variable exceeds x."""
    values = np.asarray(x, dtype=np.float64)
    missing = np.isnan(values)
    has_missing = bool(missing.any())
    if has_missing:
        values = np.where(missing, 0.0, values)
    # Beyond ±9 the function is 1 or 0 to within 1e-19: clipping gives those values.
    position = np.clip((values + _GRID_LIMIT) * (1.0 / _GRID_STEP), 0.0, _LAST_T)
    index = position.astype(np.intp)
    t = position - index
    c0, c1, c2, c3 = _SF_CUBICS
    result = c0[index] + t * (c1[index] + t * (c2[index] + t * c3[index]))
    if has_missing:
        result = np.where(missing, np.nan, result)
    return result


def norm_cdf(x: np.ndarray | float) -> np.ndarray:
    """Φ(x), the standard normal distribution function."""
    return norm_sf(-np.asarray(x, dtype=np.float64))


def norm_ppf(p: np.ndarray | float) -> np.ndarray:
    """Φ⁻¹(p) for 0 < p < 1 (−inf at 0, +inf at 1, NaN outside)."""
    prob = np.asarray(p, dtype=np.float64)
    # The lower tail formula serves both tails by symmetry (q = the smaller tail).
    lower = np.minimum(prob, 1.0 - prob)
    with np.errstate(divide="ignore", invalid="ignore"):
        q_tail = np.sqrt(-2.0 * np.log(np.where(lower > 0, lower, 1.0)))
        tail = (
            ((((_C[0] * q_tail + _C[1]) * q_tail + _C[2]) * q_tail + _C[3]) * q_tail + _C[4])
            * q_tail
            + _C[5]
        ) / ((((_D[0] * q_tail + _D[1]) * q_tail + _D[2]) * q_tail + _D[3]) * q_tail + 1.0)
        tail = np.where(prob > 0.5, -tail, tail)
        q = prob - 0.5
        r = q * q
        central = (
            (((((_A[0] * r + _A[1]) * r + _A[2]) * r + _A[3]) * r + _A[4]) * r + _A[5]) * q
        ) / (((((_B[0] * r + _B[1]) * r + _B[2]) * r + _B[3]) * r + _B[4]) * r + 1.0)
    result = np.where(lower < _P_LOW, tail, central)
    result = np.where(prob == 0.0, -np.inf, np.where(prob == 1.0, np.inf, result))
    return np.where((prob < 0) | (prob > 1) | np.isnan(prob), np.nan, result)


def loss(k: np.ndarray | float) -> np.ndarray:
    """G(k) = φ(k) − k (1 − Φ(k)): the expected shortage, in units of σ, above k σ."""
    values = np.asarray(k, dtype=np.float64)
    # Far right the two terms cancel to nothing; far left G(k) is −k (φ and Φ vanish).
    result = norm_pdf(values) - values * norm_sf(values)
    return np.maximum(result, 0.0)


def safety_factor_cycle(service_level: np.ndarray | float) -> np.ndarray:
    """k for a cycle service level (the chance of no stock-out per cycle), 0 < P < 1."""
    return norm_ppf(service_level)


def shortage_per_cycle(k: np.ndarray | float, q_over_sigma: np.ndarray | float) -> np.ndarray:
    """Expected shortage per cycle in units of σ: G(k) − G(k + Q/σ)."""
    kk = np.asarray(k, dtype=np.float64)
    return loss(kk) - loss(kk + np.asarray(q_over_sigma, dtype=np.float64))


def _loss_inverse(value: np.ndarray) -> np.ndarray:
    """k with G(k) = value (> 0), to table accuracy; a starting point for Newton's method."""
    with np.errstate(divide="ignore"):
        log_value = np.log(value)
    return np.interp(log_value, _LOG_LOSS_ASCENDING, _LOSS_K_DESCENDING)


def safety_factor_fill_rate(
    fill_rate: np.ndarray | float,
    q_over_sigma: np.ndarray | float,
    *,
    exact: bool = True,
) -> np.ndarray:
    """k for a fill rate β (0 < β < 1) with order quantity Q and lead-time σ (as Q/σ > 0).

    Solves G(k) − G(k + Q/σ) = (1 − β) Q/σ (``exact``) or the textbook G(k) = (1 − β)
    Q/σ by Newton's method inside a bracket. The exact root lies between Φ⁻¹(β) − Q/σ and
    the smaller of Φ⁻¹(β) and the textbook root (G(k) − G(k + Q/σ) is the integral of
    1 − Φ from k to k + Q/σ), so a few steps suffice. Answers are clipped to
    [K_MIN, K_MAX]; Q/σ = inf (no uncertainty) gives K_MIN.
    """
    beta = np.asarray(fill_rate, dtype=np.float64)
    ratio = np.asarray(q_over_sigma, dtype=np.float64)
    beta, ratio = np.broadcast_arrays(beta, ratio)
    usable = np.isfinite(ratio) & (ratio > 0) & (beta > 0) & (beta < 1)
    safe_ratio = np.where(usable, ratio, 1.0)
    safe_beta = np.where(usable, beta, 0.5)
    target = (1.0 - safe_beta) * safe_ratio
    textbook = _loss_inverse(target)
    if exact:
        z = norm_ppf(safe_beta)
        lo = np.maximum(z - safe_ratio, K_MIN)
        # The table's root is only close: a margin keeps the true one inside.
        hi = np.minimum(np.minimum(z, textbook + 0.01), K_MAX)
    else:
        lo = np.maximum(textbook - 0.1, K_MIN)
        hi = np.minimum(textbook + 0.1, K_MAX)
    lo = np.minimum(lo, hi)
    k = hi.copy()
    active = hi > lo
    for _ in range(_MAX_ITERATIONS):
        if not active.any():
            break
        sf_k = norm_sf(k)
        value = norm_pdf(k) - k * sf_k
        slope = -sf_k
        if exact:
            shifted = k + safe_ratio
            sf_shifted = norm_sf(shifted)
            value = value - (norm_pdf(shifted) - shifted * sf_shifted)
            slope = slope + sf_shifted
        excess = value - target
        # Shortage still too large: the root is to the right of k.
        lo = np.where(excess > 0, k, lo)
        hi = np.where(excess > 0, hi, k)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = k - excess / slope
        step_ok = np.isfinite(newton) & (newton >= lo) & (newton <= hi)
        new_k = np.where(active, np.where(step_ok, newton, 0.5 * (lo + hi)), k)
        active = active & (np.abs(new_k - k) > _TOLERANCE) & (hi - lo > _TOLERANCE)
        k = new_k
    k = np.clip(k, K_MIN, K_MAX)
    k = np.where(np.isinf(ratio) & (ratio > 0), K_MIN, k)
    return np.where(usable | (np.isinf(ratio) & (ratio > 0)), k, np.nan)


def sigma_lead_time_demand(
    lead_time: np.ndarray | float,
    sigma_daily: np.ndarray | float,
    mean_daily: np.ndarray | float,
    sigma_lead_time: np.ndarray | float,
) -> np.ndarray:
    """σ of demand over a lead time that varies: sqrt(L σ_d² + d² σ_L²)."""
    lead = np.asarray(lead_time, dtype=np.float64)
    sigma_d = np.asarray(sigma_daily, dtype=np.float64)
    mean = np.asarray(mean_daily, dtype=np.float64)
    sigma_l = np.asarray(sigma_lead_time, dtype=np.float64)
    return np.sqrt(lead * sigma_d**2 + mean**2 * sigma_l**2)


def combine_sigma(
    error_lead_time: np.ndarray | float,
    mean_daily: np.ndarray | float,
    sigma_lead_time: np.ndarray | float,
) -> np.ndarray:
    """σ over the lead time from a forecast error measured over it (which stands for
    L σ_d²) and the lead time's spread: sqrt(error² + d² σ_L²)."""
    error = np.asarray(error_lead_time, dtype=np.float64)
    mean = np.asarray(mean_daily, dtype=np.float64)
    sigma_l = np.asarray(sigma_lead_time, dtype=np.float64)
    return np.sqrt(error**2 + mean**2 * sigma_l**2)


def second_loss(k: np.ndarray | float) -> np.ndarray:
    """H(k) = E[((Z − k)⁺)²] = (1 + k²)(1 − Φ(k)) − k φ(k): the second moment of the
    shortage, in units of σ², above k σ."""
    values = np.asarray(k, dtype=np.float64)
    return _losses(values)[1]


def _losses(k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """G(k) and H(k) from one evaluation of φ and 1 − Φ."""
    tail = norm_sf(k)
    density = norm_pdf(k)
    first = np.maximum(density - k * tail, 0.0)
    second = np.maximum((1.0 + k * k) * tail - k * density, 0.0)
    return first, second


def shortage_moments(
    k: np.ndarray | float, q_over_sigma: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of one cycle's shortage, in units of σ and σ².

    A cycle's shortage is min((X − R)⁺, Q) (what the cycle before already missed is not
    counted again), so with q = Q/σ its mean is G(k) − G(k + q) and, from
    min(Y, q)² = Y² − ((Y − q)⁺)² − 2q (Y − q)⁺, its second moment H(k) − H(k + q)
    − 2q G(k + q).
    """
    kk = np.asarray(k, dtype=np.float64)
    q = np.asarray(q_over_sigma, dtype=np.float64)
    g_k, h_k = _losses(kk)
    g_q, h_q = _losses(kk + q)
    mean = g_k - g_q
    second = h_k - h_q - 2.0 * q * g_q
    return mean, np.maximum(second - mean * mean, 0.0)


def safety_factor_reliable_fill(
    fill_rate: np.ndarray | float,
    q_over_sigma: np.ndarray | float,
    cycles: np.ndarray | float,
    z: float,
    *,
    iterations: int = 24,
) -> np.ndarray:
    """k for a fill rate β that a year of ``cycles`` replenishment cycles reaches with
    a chance of Φ(z), not only on average.

    A year's fill is 1 − (the sum of its cycles' shortages) / (its demand, cycles × Q).
    With N cycles that sum has mean N μ and variance N v (μ, v: ``shortage_moments``);
    taken as normal, the year reaches β with chance Φ(z) when
    μ + z sqrt(v / N) = (1 − β) Q/σ. With many cycles this is the fill-rate formula; with
    one or two a year it asks that a stock-out be rare, as a cycle service level does.
    With fewer than one cycle a year (an order lasts longer than a year) the year in
    which the order runs out holds one cycle's shortage but only a year's demand, N Q:
    μ + z sqrt(v) = (1 − β) N Q/σ. (Counting such a cycle as one whole year of demand
    would allow a shortage of 5 % of Q, more than 5 % of the year's demand.)
    Solved by bisection between the plain fill-rate k (``safety_factor_fill_rate``) and
    ``K_MAX`` (to 16 / 2^``iterations``); the plain k where it already meets it (clipped
    at ``K_MIN``); NaN where the plain k is NaN; ``cycles`` not a positive number count
    as 1; z ≤ 0 gives the plain k.
    """
    beta = np.asarray(fill_rate, dtype=np.float64)
    ratio = np.asarray(q_over_sigma, dtype=np.float64)
    count = np.asarray(cycles, dtype=np.float64)
    beta, ratio, count = np.broadcast_arrays(beta, ratio, count)
    plain = safety_factor_fill_rate(beta, ratio)
    usable = np.isfinite(plain) & np.isfinite(ratio)
    if z <= 0 or not usable.any():
        return plain
    safe_ratio = np.where(usable, ratio, 1.0)
    safe_count = np.where(usable & np.isfinite(count) & (count > 0), count, 1.0)
    # The year's allowance: (1 − β) of a year's demand, which is less than Q below one
    # cycle a year.
    share = np.minimum(safe_count, 1.0)
    target = (1.0 - np.where(usable, beta, 0.5)) * safe_ratio * share
    weight = z / np.sqrt(np.maximum(safe_count, 1.0))
    lo = np.where(usable, plain, 0.0)
    hi = np.full(lo.shape, K_MAX)
    # A plain k clipped at K_MIN may already leave room for the spread: it stands.
    mean, variance = shortage_moments(lo, safe_ratio)
    hi = np.where(mean + weight * np.sqrt(variance) > target, hi, lo)
    for _ in range(iterations):
        middle = 0.5 * (lo + hi)
        mean, variance = shortage_moments(middle, safe_ratio)
        short = mean + weight * np.sqrt(variance) > target
        lo = np.where(short, middle, lo)
        hi = np.where(short, hi, middle)
    return np.where(usable, hi, plain)
