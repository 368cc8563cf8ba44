"""GS1 check digits (GTIN-8/12/13/14, SSCC) computed by the mod-10 rule."""

from __future__ import annotations

from app.i18n import _

GTIN_LENGTHS = (8, 12, 13, 14)


def check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for ``body`` (all digits, without the check digit)."""
    if not body.isdigit():
        raise ValueError("digits only")
    total = 0
    # Weights 3,1,3,1… from the rightmost digit of the body.
    for index, char in enumerate(reversed(body)):
        total += int(char) * (3 if index % 2 == 0 else 1)
    return (10 - total % 10) % 10


def with_check_digit(body: str) -> str:
    """``body`` followed by its check digit."""
    return body + str(check_digit(body))


def is_gtin_shaped(code: str) -> bool:
    """True for a string that should be a GTIN (digits of a GTIN length)."""
    return code.isdigit() and len(code) in GTIN_LENGTHS


def gtin_problem(code: str) -> str | None:
    """Why ``code`` is not a valid GTIN, or None if it is."""
    if not is_gtin_shaped(code):
        return _("A GTIN has 8, 12, 13 or 14 digits.")
    expected = check_digit(code[:-1])
    if int(code[-1]) != expected:
        return _("The check digit of {code} should be {digit}.").format(code=code, digit=expected)
    return None
