"""ABC classification on plain numbers: Pareto cut-offs, exact, deterministic."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.planning.abc import AbcCutoffs, classify, classify_items

D = Decimal


def test_items_are_classed_by_the_share_of_value_ranked_above_them() -> None:
    # Total 1000: 700 (0 % above: A), 150 (70 % above: A, crosses 80 %), 80 (85 %: B),
    # 40 (93 %: B), 20 (97 %: C), 10 (99 %: C), 0 (never consumed: C).
    values = [D(40), D(700), D(10), D(150), D(0), D(80), D(20)]
    assert classify(values) == ["B", "A", "C", "A", "C", "B", "C"]


def test_other_cut_offs_move_the_boundaries() -> None:
    values = [D(700), D(150), D(80), D(40), D(20), D(10)]
    assert classify(values, AbcCutoffs(D(50), D(30), D(20))) == ["A", "B", "C", "C", "C", "C"]


def test_nothing_consumed_is_all_c_and_nothing_is_nothing() -> None:
    assert classify([D(0), D(0)]) == ["C", "C"]
    assert classify([]) == []


def test_net_returns_count_as_no_consumption() -> None:
    assert classify([D(-50), D(100)]) == ["C", "A"]


def test_equal_values_keep_their_order_and_item_ids_break_ties() -> None:
    assert classify([D(10)] * 10) == ["A"] * 8 + ["B", "B"]
    cutoffs = AbcCutoffs(D(85), D(10), D(5))
    assert classify_items({9: D(80), 7: D(10), 3: D(10)}, cutoffs) == {9: "A", 3: "A", 7: "B"}


def test_exact_arithmetic_puts_a_value_on_the_boundary_where_the_rule_says() -> None:
    # In floats 0.7 + 0.1 is 0.7999…; exactly 80 % ranked above the third item makes it B.
    values = [D("0.70"), D("0.10"), D("0.10"), D("0.10")]
    assert classify(values) == ["A", "A", "B", "B"]


@pytest.mark.parametrize(
    ("cutoffs", "problem"),
    [
        ((D(80), D(15), D(10)), "must add up to 100"),
        ((D(80), D(20), D(0)), "must be a positive Decimal"),
        ((D("79.999"), D("15.001"), D(5)), "more than two decimals"),
    ],
)
def test_bad_cut_offs_are_refused(cutoffs: tuple[Decimal, Decimal, Decimal], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        AbcCutoffs(*cutoffs)


def test_a_value_that_is_not_a_finite_decimal_is_refused() -> None:
    with pytest.raises(ValueError, match="finite Decimal"):
        classify([D("NaN")])
    with pytest.raises(ValueError, match="finite Decimal"):
        classify([1.5])  # type: ignore[list-item]


@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=60))
def test_classes_follow_the_ranking_and_a_takes_at_most_the_first_crossing(
    cents: list[int],
) -> None:
    values = [D(c).scaleb(-2) for c in cents]
    classes = classify(values)
    order = sorted(range(len(values)), key=lambda i: -values[i])
    ranked = [classes[i] for i in order]
    # Higher value never gets a lower class: the ranked classes are A…A B…B C…C.
    assert ranked == sorted(ranked)
    total = sum(values)
    above = D(0)
    for index in order:
        expected = "C"
        if values[index] > 0:
            expected = "A" if above * 100 < 80 * total else "B" if above * 100 < 95 * total else "C"
        assert classes[index] == expected
        above += values[index]
