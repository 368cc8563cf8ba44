"""Plain values the documents share that need no PDF library: a party's address and
money rounding. Kept apart from common.py so the services can use them without
importing reportlab, which the window then loads only when a PDF is first made."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Party:
    """A company as a document names it: ours in the header, a supplier's in the address."""

    name: str
    address: str = ""
    email: str = ""


def round_money(value: Decimal) -> Decimal:
    """An amount rounded to whole cents (öre), half up, as invoices round."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
