"""Demand history in weekly buckets, and its class by ADI and CV² (Syntetos–Boylan).

Forecasts work on weeks, not days: a small warehouse ships nothing at weekends and
little on some weekdays, so daily series would make every item look intermittent and
every weekday pattern look like noise. A week is the sum of seven days ending with the
last day of the history (yesterday), so the newest bucket is always a whole week.

Days before an item's history starts are ``NaN`` (not observed, unlike 0 = no demand);
a week with such a day is not observed. A ``NaN`` after the first observed week is a gap
in the data and counts as no demand that day.

The classes (Syntetos, Boylan & Croston 2005), on the observed weeks:
- ADI, the average demand interval = observed weeks / weeks with demand;
- CV², the squared coefficient of variation of the non-zero weekly demands;
- smooth: ADI < 1.32 and CV² < 0.49; erratic: ADI < 1.32, CV² ≥ 0.49;
  intermittent: ADI ≥ 1.32, CV² < 0.49; lumpy: ADI ≥ 1.32, CV² ≥ 0.49;
  no-demand: nothing observed or all zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BUCKET_DAYS = 7
ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49

CLASS_NAMES: tuple[str, ...] = ("smooth", "erratic", "intermittent", "lumpy", "no-demand")
SMOOTH, ERRATIC, INTERMITTENT, LUMPY, NO_DEMAND = range(5)


@dataclass(frozen=True)
class DemandClasses:
    """Per item: class code (index of ``CLASS_NAMES``), ADI, CV² (NaN without demand),
    the number of observed buckets and of buckets with demand."""

    demand_class: np.ndarray
    adi: np.ndarray
    cv2: np.ndarray
    observed: np.ndarray
    nonzero: np.ndarray


def as_daily_matrix(demand: np.ndarray) -> np.ndarray:
    """``demand`` as a 2-D float64 array (items × days); a 1-D series is one item."""
    daily = np.asarray(demand, dtype=np.float64)
    if daily.ndim == 1:
        daily = daily[np.newaxis, :]
    if daily.ndim != 2:
        raise ValueError(f"demand must be items × days, not an array of shape {daily.shape}")
    return daily


def weekly_buckets(demand: np.ndarray, bucket_days: int = BUCKET_DAYS) -> np.ndarray:
    """Daily demand (items × days, oldest first) summed into buckets of ``bucket_days``
    ending on the last day; leading days that make no whole bucket are dropped. A bucket
    with any day before the item's history (NaN) is NaN; later NaN days count as 0.

    Raises ValueError for negative or infinite demand (returns are not demand).
    """
    if bucket_days < 1:
        raise ValueError(f"a bucket must be at least one day, not {bucket_days}")
    daily = as_daily_matrix(demand)
    n_items, n_days = daily.shape
    if daily.size and np.fmin.reduce(daily, axis=None) < 0:
        raise ValueError("demand cannot be negative: returns are not demand")
    n_buckets = n_days // bucket_days
    whole = daily[:, n_days - n_buckets * bucket_days :].reshape(n_items, n_buckets, bucket_days)
    # NaN propagates through the sum: a week with an unobserved day is not observed.
    buckets = whole.sum(axis=2)
    if np.isinf(buckets).any():
        raise ValueError("demand must be finite numbers, or NaN for days not observed")
    missing = np.isnan(buckets)
    if missing.any():
        seen = ~missing
        started = np.cumsum(seen, axis=1) > 0
        gaps = missing & started
        if gaps.any():
            rows = np.flatnonzero(gaps.any(axis=1))
            # A gap inside the history is no demand on the missing days.
            refilled = np.nansum(whole[rows], axis=2)
            buckets[rows] = np.where(started[rows], refilled, np.nan)
    return buckets


def classify_demand(buckets: np.ndarray) -> DemandClasses:
    """The ADI/CV² class of each row of ``buckets`` (items × periods, NaN = not observed)."""
    values = np.asarray(buckets, dtype=np.float64)
    if values.ndim == 1:
        values = values[np.newaxis, :]
    seen = ~np.isnan(values)
    filled = np.where(seen, values, 0.0)
    positive = filled > 0
    observed = seen.sum(axis=1)
    nonzero = positive.sum(axis=1)
    has = nonzero > 0
    safe_nonzero = np.maximum(nonzero, 1)
    adi = np.where(has, observed / safe_nonzero, np.nan)
    mean = filled.sum(axis=1) / safe_nonzero
    # Population variance of the non-zero sizes: one demand is its own mean (CV² 0).
    squares = np.where(positive, (filled - mean[:, np.newaxis]) ** 2, 0.0).sum(axis=1)
    variance = squares / safe_nonzero
    square = mean * mean
    # Sizes so tiny that their square underflows have no spread worth the name.
    usable = square > 0
    cv2 = np.where(usable, variance / np.where(usable, square, 1.0), 0.0)
    cv2 = np.where(has, cv2, np.nan)
    frequent = adi < ADI_CUTOFF
    steady = cv2 < CV2_CUTOFF
    demand_class = np.where(
        frequent,
        np.where(steady, SMOOTH, ERRATIC),
        np.where(steady, INTERMITTENT, LUMPY),
    )
    demand_class = np.where(has, demand_class, NO_DEMAND).astype(np.int64)
    return DemandClasses(
        demand_class=demand_class,
        adi=adi,
        cv2=cv2,
        observed=observed.astype(np.int64),
        nonzero=nonzero.astype(np.int64),
    )


@dataclass(frozen=True)
class Undershoot:
    """How far below a reorder level the projected available has fallen, on average and
    in spread, when a daily run finds it there (per item, in the item's unit)."""

    mean: np.ndarray
    std: np.ndarray


# Rows per block when summing powers of daily demand: keeps the temporaries small.
_BLOCK_ROWS = 2048


def undershoot(demand: np.ndarray) -> Undershoot:
    """The undershoot of the reorder level under daily review, from renewal theory.

    Demand comes in daily amounts X (whole units); the level is crossed inside one of
    them, picked with chance in proportion to its size, anywhere in it alike. So the
    shortfall below the level when the run sees it is E[X²]/(2E[X]) − 1/2 on average (0
    when every day takes one unit), with second moment (2E[X³] − 3E[X²] + E[X]) /
    (6E[X]). Lumpy items fall far below their reorder point; a reorder point that
    ignores it protects them less than it says. Days not observed (NaN) are left out.
    """
    daily = as_daily_matrix(demand)
    n_items = daily.shape[0]
    first = np.zeros(n_items)
    second = np.zeros(n_items)
    third = np.zeros(n_items)
    for start in range(0, n_items, _BLOCK_ROWS):
        block = np.fmax(daily[start : start + _BLOCK_ROWS], 0.0)
        square = block * block
        rows = slice(start, start + block.shape[0])
        first[rows] = block.sum(axis=1)
        second[rows] = square.sum(axis=1)
        third[rows] = np.einsum("ij,ij->i", square, block)
    has = first > 0
    safe = np.where(has, first, 1.0)
    mean = np.where(has, np.maximum(second / (2.0 * safe) - 0.5, 0.0), 0.0)
    moment2 = (2.0 * third - 3.0 * second + first) / (6.0 * safe)
    spread = np.sqrt(np.maximum(moment2 - mean**2, 0.0))
    return Undershoot(mean=mean, std=np.where(has, spread, 0.0))
