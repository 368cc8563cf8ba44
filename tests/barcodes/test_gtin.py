"""Check digits (GTIN-8/12/13/14, SSCC, GLN) and UPC-E expansion, on published examples."""

from __future__ import annotations

import pytest

from app.barcodes.errors import BarcodeError
from app.barcodes.gtin import (
    check_digit,
    display_gtin,
    expand_upce,
    gtin_forms,
    gtin_problem,
    has_valid_check_digit,
    is_gtin_shaped,
    sscc_problem,
    to_gtin14,
    with_check_digit,
)

# Each verified by hand with the mod-10 rule (weights 3,1,3… from the right of the body).
VALID = [
    "96385074",  # EAN-8 (the usual textbook example)
    "036000291452",  # UPC-A
    "4006381333931",  # EAN-13
    "7310865004703",  # EAN-13, a Swedish 73 prefix
    "09501101530003",  # GTIN-14 of the GS1 General Specifications' examples
    "10614141000415",  # GTIN-14 with indicator digit 1 (a case)
]


@pytest.mark.parametrize("code", VALID)
def test_published_gtins_have_valid_check_digits(code: str) -> None:
    assert has_valid_check_digit(code)
    assert gtin_problem(code) is None
    assert with_check_digit(code[:-1]) == code


def test_sscc_and_gln_use_the_same_rule() -> None:
    assert check_digit("10614141123456789") == 7  # SSCC (00)106141411234567897
    assert sscc_problem("106141411234567897") is None
    assert sscc_problem("106141411234567890") == (
        "The check digit of 106141411234567890 should be 7."
    )
    assert sscc_problem("10614141123456789") == "An SSCC (pallet code) has 18 digits."
    assert has_valid_check_digit("9501101020917")  # a GLN


def test_a_wrong_check_digit_names_the_right_one() -> None:
    assert gtin_problem("7310865004704") == "The check digit of 7310865004704 should be 3."
    assert gtin_problem("96385075") == "The check digit of 96385075 should be 4."


def test_only_ascii_digits_of_gtin_length_are_gtin_shaped() -> None:
    assert is_gtin_shaped("7310865004703")
    assert is_gtin_shaped("731086500470")
    assert not is_gtin_shaped("73108650047")
    assert not is_gtin_shaped("٧٣١٠٨٦٥٠٠٤٧٠٣")  # Arabic-Indic digits are digits, not ASCII
    assert gtin_problem("A-01-03") == "A GTIN has 8, 12, 13 or 14 digits."
    with pytest.raises(ValueError):
        check_digit("12a")


@pytest.mark.parametrize(
    ("upce", "upca"),
    [
        ("04252614", "042100005264"),  # last digit 1: manufacturer 42100, product 00526
        ("01234565", "012345000065"),  # last digit 5–9: product 0000n
        ("01234505", "012000003455"),  # last digit 0: manufacturer 12000, product 00345
        ("01234531", "012300000451"),  # last digit 3
        ("01234543", "012340000053"),  # last digit 4
        ("12345670", "123456000070"),  # number system 1
    ],
)
def test_upce_expands_to_upca(upce: str, upca: str) -> None:
    assert has_valid_check_digit(upca)
    assert expand_upce(upce) == upca


def test_upce_errors_are_specific() -> None:
    with pytest.raises(BarcodeError, match="should be 4"):
        expand_upce("04252615")
    with pytest.raises(BarcodeError, match="begins with 0 or 1, not 2"):
        expand_upce("24252614")
    with pytest.raises(BarcodeError, match="has 8 digits"):
        expand_upce("0425261")


def test_the_forms_of_one_gtin() -> None:
    assert to_gtin14("96385074") == "00000096385074"
    assert gtin_forms("00000096385074") == (
        "00000096385074",
        "0000096385074",
        "000096385074",
        "96385074",
    )
    assert gtin_forms("07310865004703") == ("07310865004703", "7310865004703")
    assert gtin_forms("17310865004700") == ("17310865004700",)
    assert display_gtin("07310865004703") == "7310865004703"
    assert display_gtin("00000096385074") == "96385074"
    assert display_gtin("17310865004700") == "17310865004700"
    with pytest.raises(BarcodeError, match="should be 3"):
        to_gtin14("7310865004704")
