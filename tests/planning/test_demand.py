"""Weekly buckets, ADI/CV² demand classes and the undershoot of daily review."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.planning.demand import (
    CLASS_NAMES,
    ERRATIC,
    INTERMITTENT,
    LUMPY,
    NO_DEMAND,
    SMOOTH,
    classify_demand,
    undershoot,
    weekly_buckets,
)

NAN = math.nan


def test_weeks_end_yesterday_and_leading_odd_days_are_dropped() -> None:
    daily = np.array([[9.0] + [1.0] * 7 + [2.0] * 7])
    assert weekly_buckets(daily).tolist() == [[7.0, 14.0]]
    assert weekly_buckets(np.ones(6)).shape == (1, 0)


def test_weeks_before_the_history_are_not_observed_and_gaps_count_as_no_demand() -> None:
    started = [NAN] * 10 + [1.0] * 11  # history starts on a Thursday of week 2
    gap = [1.0] * 7 + [1.0, NAN, NAN, 1.0, 1.0, 1.0, 1.0] + [1.0] * 7
    buckets = weekly_buckets(np.array([started, gap]))
    assert np.isnan(buckets[0, :2]).all() and buckets[0, 2] == 7.0
    assert buckets[1].tolist() == [7.0, 5.0, 7.0]


def test_bad_demand_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        weekly_buckets(np.array([[1.0, -1.0] + [0.0] * 5]))
    with pytest.raises(ValueError, match="finite"):
        weekly_buckets(np.array([[math.inf] + [0.0] * 6]))
    with pytest.raises(ValueError, match="items × days"):
        weekly_buckets(np.zeros((2, 2, 7)))


def test_each_class_from_hand_worked_adi_and_cv2() -> None:
    weeks = np.array(
        [
            [5, 6, 5, 4, 5, 5],  # ADI 1, sizes mean 5, variance 1/3: CV² 0.013 → smooth
            [1, 10, 1, 10, 1, 10],  # ADI 1, mean 5.5, variance 20.25: CV² 0.669 → erratic
            [0, 4, 0, 4, 0, 4],  # ADI 2, CV² 0 → intermittent
            [0, 1, 0, 0, 9, 0],  # ADI 3, sizes 1 and 9: mean 5, variance 16, CV² 0.64 → lumpy
            [0, 0, 0, 0, 0, 0],  # nothing
            [NAN] * 6,  # never observed
        ],
        dtype=float,
    )
    result = classify_demand(weeks)
    assert result.demand_class.tolist() == [
        SMOOTH,
        ERRATIC,
        INTERMITTENT,
        LUMPY,
        NO_DEMAND,
        NO_DEMAND,
    ]
    assert result.adi[:4].tolist() == [1.0, 1.0, 2.0, 3.0]
    assert result.cv2[:4] == pytest.approx([1 / 75, 20.25 / 30.25, 0.0, 0.64])
    assert np.isnan(result.adi[4:]).all() and np.isnan(result.cv2[4:]).all()
    assert result.observed.tolist() == [6, 6, 6, 6, 6, 0]
    assert [CLASS_NAMES[c] for c in result.demand_class[:4]] == [
        "smooth",
        "erratic",
        "intermittent",
        "lumpy",
    ]


def test_the_cut_offs_belong_to_the_sparse_and_variable_side() -> None:
    # 33 weeks observed, 25 with demand: ADI exactly 1.32, so not frequent.
    at_adi = np.array([[2.0] * 25 + [0.0] * 8])
    assert classify_demand(at_adi).demand_class.tolist() == [INTERMITTENT]
    # Sizes 3 and 17: mean 10, variance 49: CV² exactly 0.49, so not steady.
    at_cv2 = np.array([[3.0, 17.0] * 5])
    assert classify_demand(at_cv2).demand_class.tolist() == [ERRATIC]
    # Weeks not observed do not count towards the interval.
    late = np.array([[NAN, NAN, NAN, 4.0, 0.0, 4.0, 4.0]])
    assert classify_demand(late).adi.tolist() == [4 / 3]


def test_undershoot_from_hand_worked_moments() -> None:
    daily = np.array([[1.0] * 8, [4.0] * 8, [0.0, 2.0, 0.0, 6.0] * 2, [NAN, NAN] + [0.0] * 6])
    result = undershoot(daily)
    # One unit a day never passes the level by anything; 4 a day by 4²/8 − ½ = 1.5;
    # days of 0, 2, 0, 6: Σx = 8, Σx² = 40 per four days → 40/16 − ½ = 2.
    assert result.mean.tolist() == pytest.approx([0.0, 1.5, 2.0, 0.0])
    # Spread: days of 4 leave 0, 1, 2 or 3 alike (variance 1.25). Days of 2 and 6 are hit
    # ¼ and ¾ of the time: E[U²] = ¼ × ½ + ¾ × (0 + 1 + 4 + 9 + 16 + 25)/6 = 7, minus 2².
    assert result.std[0] == 0.0
    assert result.std[1] == pytest.approx(math.sqrt(1.25))
    assert result.std[2] == pytest.approx(math.sqrt(3.0))
    assert result.std[3] == 0.0


@given(st.lists(st.floats(min_value=0, max_value=100), min_size=7, max_size=60))
def test_buckets_keep_the_demand_of_whole_weeks(days: list[float]) -> None:
    daily = np.array([days])
    buckets = weekly_buckets(daily)
    whole = (len(days) // 7) * 7
    assert buckets.sum() == pytest.approx(sum(days[len(days) - whole :]), abs=1e-6)
    assert classify_demand(buckets).demand_class[0] in range(len(CLASS_NAMES))
