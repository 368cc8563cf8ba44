"""Economic order quantity and rounding to packs and MOQ."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.planning.eoq import annual_cost, eoq, round_to_packs, round_up_to_step


def test_eoq_textbook_example() -> None:
    # 1,000 a year, 100 per order, unit cost 25 held at 20 % a year (5 per unit):
    # Q* = sqrt(2 × 1,000 × 100 / 5) = 200; ordering 500 + holding 500 a year.
    q = float(eoq(1000, 100, 25, 0.20))
    assert q == pytest.approx(200.0)
    assert float(annual_cost(q, 1000, 100, 25, 0.20)) == pytest.approx(1000.0)
    # Any other quantity costs more.
    assert float(annual_cost(150, 1000, 100, 25, 0.20)) > 1000
    assert float(annual_cost(250, 1000, 100, 25, 0.20)) > 1000


def test_eoq_chopra_best_buy_example() -> None:
    # 1,000 computers a month, 4,000 per order, 500 each, holding 20 %: Q* = 980.
    assert float(eoq(12_000, 4_000, 500, 0.2)) == pytest.approx(979.8, abs=0.1)


def test_eoq_without_a_usable_cost_is_not_a_number() -> None:
    values = eoq(
        np.array([100.0, 100.0, 100.0, 100.0, 0.0]),
        50.0,
        np.array([0.0, -3.0, np.nan, 10.0, 10.0]),
        0.25,
    )
    assert np.isnan(values[:3]).all()
    assert values[3] == pytest.approx(math.sqrt(2 * 100 * 50 / 2.5))
    assert values[4] == 0.0
    assert np.isnan(eoq(100.0, 50.0, 10.0, 0.0))  # no holding cost: no optimum


def test_rounding_up_to_packs_and_moq() -> None:
    raw = np.array([22.0, 24.0, 24.0000000001, 0.0, -5.0, 10.0, 22.3714, 0.25, 5.0])
    pack = np.array([12.0, 12.0, 12.0, 12.0, 12.0, 12.0, np.nan, 0.1, 12.0])
    moq = np.array([np.nan, np.nan, np.nan, 30.0, 30.0, 30.0, np.nan, np.nan, -1.0])
    quantity, moq_applied = round_to_packs(raw, pack, moq)
    assert quantity.tolist() == [24.0, 24.0, 24.0, 0.0, 0.0, 36.0, 22.372, 0.3, 12.0]
    assert moq_applied.tolist() == [False] * 5 + [True] + [False] * 3


def test_rounding_to_the_qty_scale() -> None:
    assert round_up_to_step(np.array([1.0001, 2.0, 0.0004])).tolist() == [1.001, 2.0, 0.001]


@given(
    st.floats(min_value=0.001, max_value=10_000),
    st.sampled_from([1.0, 6.0, 12.0, 0.5, 0.25, 2.5, 1000.0]),
    st.one_of(st.just(math.nan), st.floats(min_value=0, max_value=5_000)),
)
def test_rounded_quantity_is_whole_packs_at_least_raw_and_moq(
    raw: float, pack: float, moq: float
) -> None:
    quantity, moq_applied = round_to_packs(np.array([raw]), np.array([pack]), np.array([moq]))
    q = float(quantity[0])
    packs = q / pack
    assert abs(packs - round(packs)) < 1e-6
    assert q >= raw - 1e-9
    if not math.isnan(moq):
        assert q >= moq - 1e-9
    if not moq_applied[0]:
        assert q < raw + pack + 1e-9
