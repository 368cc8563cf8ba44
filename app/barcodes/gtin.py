"""GS1 check digits (GTIN-8/12/13/14, SSCC, GLN) by the mod-10 rule, and UPC-E expansion."""

from __future__ import annotations

from app.barcodes.errors import BarcodeError
from app.i18n import _

GTIN_LENGTHS = (8, 12, 13, 14)
SSCC_LENGTH = 18
GLN_LENGTH = 13


def check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for ``body`` (all digits, without the check digit)."""
    if not body.isascii() or not body.isdigit():
        raise ValueError("digits only")
    total = 0
    # Weights 3,1,3,1… from the rightmost digit of the body.
    for index, char in enumerate(reversed(body)):
        total += int(char) * (3 if index % 2 == 0 else 1)
    return (10 - total % 10) % 10


def with_check_digit(body: str) -> str:
    """``body`` followed by its check digit."""
    return body + str(check_digit(body))


def has_valid_check_digit(code: str) -> bool:
    """True when the last digit of ``code`` (2+ ASCII digits) is its mod-10 check digit."""
    return (
        len(code) >= 2
        and code.isascii()
        and code.isdigit()
        and int(code[-1]) == check_digit(code[:-1])
    )


def check_digit_problem(code: str) -> str | None:
    """ "The check digit of … should be …" for a digit string whose check digit is wrong."""
    expected = check_digit(code[:-1])
    if int(code[-1]) != expected:
        return _("The check digit of {code} should be {digit}.").format(code=code, digit=expected)
    return None


def is_gtin_shaped(code: str) -> bool:
    """True for a string that should be a GTIN (digits of a GTIN length)."""
    return code.isascii() and code.isdigit() and len(code) in GTIN_LENGTHS


def gtin_problem(code: str) -> str | None:
    """Why ``code`` is not a valid GTIN, or None if it is."""
    if not is_gtin_shaped(code):
        return _("A GTIN has 8, 12, 13 or 14 digits.")
    return check_digit_problem(code)


def sscc_problem(code: str) -> str | None:
    """Why ``code`` is not a valid SSCC (pallet code), or None if it is."""
    if not (code.isascii() and code.isdigit() and len(code) == SSCC_LENGTH):
        return _("An SSCC (pallet code) has 18 digits.")
    return check_digit_problem(code)


def to_gtin14(code: str) -> str:
    """A valid GTIN-8/12/13/14 as the 14 digits GS1 AI (01) carries (zeros in front)."""
    problem = gtin_problem(code)
    if problem:
        raise BarcodeError(problem)
    return code.zfill(14)


def gtin_forms(gtin14: str) -> tuple[str, ...]:
    """The ways one GTIN is written, as an item's barcode may have been stored.

    ``00000096385074`` is the EAN-8 ``96385074``; ``00042100005264`` the UPC-A
    ``042100005264`` and EAN-13 ``0042100005264``. The 14-digit form comes first, then
    13, 12 and 8 digits where the leading zeros allow them.
    """
    forms = [gtin14]
    for length in (13, 12, 8):
        if gtin14[: 14 - length] == "0" * (14 - length):
            forms.append(gtin14[14 - length :])
    return tuple(forms)


def display_gtin(gtin14: str) -> str:
    """The form printed under the symbol: 13 digits when the GTIN-14 begins with 0."""
    if gtin14.startswith("000000") and len(gtin14) == 14:
        return gtin14[6:]  # an EAN-8
    return gtin14[1:] if gtin14.startswith("0") else gtin14


def upce_body(code: str) -> str:
    """The 11-digit UPC-A body of a UPC-E code's first 7 digits (number system + six).

    The six digits compress manufacturer and product number; the last of them says how.
    """
    system, digits = code[0], code[1:7]
    last = digits[5]
    if last in "012":
        return system + digits[0:2] + last + "0000" + digits[2:5]
    if last == "3":
        return system + digits[0:3] + "00000" + digits[3:5]
    if last == "4":
        return system + digits[0:4] + "00000" + digits[4]
    return system + digits[0:5] + "0000" + last


def expand_upce(code: str) -> str:
    """The UPC-A (12 digits) a UPC-E code stands for: ``04252614`` → ``042100005264``.

    ``code`` is the 8 digits a scanner sends (number system 0 or 1, six digits, check
    digit); the check digit is the UPC-A's own, so it is verified after expansion.
    """
    if not (code.isascii() and code.isdigit() and len(code) == 8):
        raise BarcodeError(_("A UPC-E code has 8 digits."))
    if code[0] not in "01":
        raise BarcodeError(_("A UPC-E code begins with 0 or 1, not {digit}.").format(digit=code[0]))
    upc_a = upce_body(code) + code[7]
    if not has_valid_check_digit(upc_a):
        # Named by the code as scanned: the worker never saw the expanded UPC-A.
        raise BarcodeError(
            _("The check digit of {code} should be {digit}.").format(
                code=code, digit=check_digit(upc_a[:-1])
            )
        )
    return upc_a
