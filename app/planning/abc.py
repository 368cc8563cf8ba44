"""ABC classification by annual consumption value (Pareto), on plain numbers.

Items are ranked by consumption value, highest first. An item is class A when the items
ranked above it make up less than the A cut-off (80 % by default) of the total value,
class B when they make up less than A + B (95 %), else class C. So the item that
crosses a boundary belongs to the class it crosses into from above (there is always at
least one A item when anything was consumed), and items with no consumption are C.
Equal values keep their input order, so the result is deterministic.

The arithmetic is exact: values are taken in whole hundredths (öre, cents) as
integers, so no float rounding can move an item across a boundary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

CLASSES = ("A", "B", "C")
DEFAULT_CUTOFFS = (Decimal(80), Decimal(15), Decimal(5))
_CENT = Decimal("0.01")
# The largest total (in hundredths) whose products with percentages stay in int64.
_MAX_UNITS = 2**62 // 10_000


@dataclass(frozen=True)
class AbcCutoffs:
    """Shares of the total consumption value (percent) that classes A, B and C take."""

    a: Decimal = DEFAULT_CUTOFFS[0]
    b: Decimal = DEFAULT_CUTOFFS[1]
    c: Decimal = DEFAULT_CUTOFFS[2]

    def __post_init__(self) -> None:
        for name, value in (("A", self.a), ("B", self.b), ("C", self.c)):
            if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
                raise ValueError(f"the {name} cut-off must be a positive Decimal, not {value!r}")
            if value != value.quantize(_CENT):
                raise ValueError(f"the {name} cut-off has more than two decimals: {value}")
        if self.a + self.b + self.c != 100:
            raise ValueError(
                f"the cut-offs must add up to 100 percent, not {self.a + self.b + self.c}"
            )


def _units(values: Sequence[Decimal]) -> np.ndarray:
    """The values as exact int64 hundredths; negative values (net returns) count as 0."""
    units = []
    for value in values:
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValueError(f"a consumption value must be a finite Decimal, not {value!r}")
        units.append(max(0, int(value.quantize(_CENT, rounding=ROUND_HALF_UP).scaleb(2))))
    array = np.array(units, dtype=np.int64)
    if array.size and int(array.sum(dtype=object)) > _MAX_UNITS:
        raise ValueError("the total consumption value is too large to classify exactly")
    return array


def classify(values: Sequence[Decimal], cutoffs: AbcCutoffs | None = None) -> list[str]:
    """The ABC class ("A", "B" or "C") of each value, in the order given."""
    cut = cutoffs or AbcCutoffs()
    units = _units(values)
    if units.size == 0:
        return []
    total = int(units.sum())
    if total == 0:
        return ["C"] * units.size
    # Stable sort on the negated values: highest first, ties in input order.
    order = np.argsort(-units, kind="stable")
    ranked = units[order]
    before = np.concatenate(([0], np.cumsum(ranked)[:-1]))
    # share_before < cut-off  <=>  before * 100 * 100 < cut-off(hundredths) * total
    a_limit = int(cut.a.scaleb(2)) * total
    b_limit = int((cut.a + cut.b).scaleb(2)) * total
    scaled = before * 10_000
    classes_ranked = np.where(
        ranked == 0, 2, np.where(scaled < a_limit, 0, np.where(scaled < b_limit, 1, 2))
    )
    result = np.empty(units.size, dtype=np.int64)
    result[order] = classes_ranked
    return [CLASSES[int(index)] for index in result]


def classify_items(values: dict[int, Decimal], cutoffs: AbcCutoffs | None = None) -> dict[int, str]:
    """The ABC class of each key (an item id) by its value; ties go by ascending key."""
    keys = sorted(values)
    return dict(zip(keys, classify([values[key] for key in keys], cutoffs), strict=True))
