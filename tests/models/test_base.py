"""Exact storage of quantities and money."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.models.base import InexactValueError, ScaledDecimal, from_units, to_units


@pytest.mark.parametrize(
    ("value", "units"),
    [("0.001", 1), ("10", 10000), ("-2.5", -2500), ("123456789.123", 123456789123)],
)
def test_quantities_round_trip_exactly(value: str, units: int) -> None:
    assert to_units(Decimal(value), 3) == units
    assert from_units(units, 3) == Decimal(value)


def test_an_inexact_value_is_refused_not_rounded() -> None:
    with pytest.raises(InexactValueError):
        to_units(Decimal("0.0005"), 3)


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        ScaledDecimal(3).process_bind_param(0.1, None)  # type: ignore[arg-type]
