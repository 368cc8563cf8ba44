"""GS1 element strings, the printed (HRI) form and their writing back, on GS1's own examples."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.barcodes.errors import BarcodeError
from app.barcodes.gs1 import (
    AI_TABLE,
    GS,
    ai_value,
    definition,
    encode_date,
    format_hri,
    parse_element_string,
    parse_hri,
    to_element_string,
)

TODAY = dt.date(2026, 6, 1)


def fields(data: str) -> list[tuple[str, object]]:
    return [(f.ai, f.parsed) for f in parse_element_string(data, TODAY)]


def error(data: str) -> str:
    with pytest.raises(BarcodeError) as caught:
        parse_element_string(data, TODAY)
    return caught.value.message


def test_the_general_specifications_example_of_gtin_expiry_and_lot() -> None:
    # (01)09501101530003(17)140704(10)AB-123: the fixed-length 17 needs no separator.
    assert fields("0109501101530003" + "17140704" + "10AB-123") == [
        ("01", "09501101530003"),
        ("17", dt.date(2014, 7, 4)),
        ("10", "AB-123"),
    ]


def test_an_sscc_with_content_and_count_on_a_pallet_label() -> None:
    # (00)106141411234567897(02)10614141000415(37)20 — SSCC, the cases' GTIN, how many.
    parsed = parse_element_string("00106141411234567897" + "0210614141000415" + "3720", TODAY)
    assert [(f.ai, f.title, f.value) for f in parsed] == [
        ("00", "SSCC", "106141411234567897"),
        ("02", "CONTENT", "10614141000415"),
        ("37", "COUNT", "20"),
    ]
    assert parsed[2].parsed == Decimal(20)


def test_a_variable_field_ends_at_the_group_separator() -> None:
    assert fields("0107310865004703" + "10AB12" + GS + "17271231" + "21SN-1") == [
        ("01", "07310865004703"),
        ("10", "AB12"),
        ("17", dt.date(2027, 12, 31)),
        ("21", "SN-1"),
    ]
    # FNC1 in first position arrives as a leading GS, and some scanners end with one.
    assert fields(GS + "0107310865004703" + "3712" + GS) == [
        ("01", "07310865004703"),
        ("37", Decimal(12)),
    ]


def test_measures_are_exact_decimals_from_the_ai_s_last_digit() -> None:
    assert fields("3103001250") == [("3103", Decimal("1.250"))]
    assert fields("3100000012") == [("3100", Decimal("12"))]
    assert fields("3105123456") == [("3105", Decimal("1.23456"))]
    assert fields("3202000150") == [("3202", Decimal("1.50"))]
    assert definition("3153").title == "NET VOLUME (l)"
    assert fields("3153001500") == [("3153", Decimal("1.500"))]


def test_day_00_is_the_last_day_of_the_month_for_expiry_dates() -> None:
    assert fields("17270200") == [("17", dt.date(2027, 2, 28))]
    assert fields("17280200") == [("17", dt.date(2028, 2, 29))]  # leap year
    assert fields("15271100") == [("15", dt.date(2027, 11, 30))]
    # A production date with day 00 means the month began, not ended.
    assert fields("11260300") == [("11", dt.date(2026, 3, 1))]


def test_two_digit_years_follow_the_gs1_century_rule() -> None:
    # Up to 50 years ahead and 49 back from today (2026) stay in this century.
    assert fields("17760101") == [("17", dt.date(2076, 1, 1))]
    assert fields("17770101") == [("17", dt.date(1977, 1, 1))]
    assert fields("11990101") == [("11", dt.date(1999, 1, 1))]


def test_gln_ais_check_their_check_digit() -> None:
    assert fields("4109501101020917" + "4149501101020917") == [
        ("410", "9501101020917"),
        ("414", "9501101020917"),
    ]
    assert error("4109501101020910") == "The check digit of 9501101020910 should be 7."


def test_order_number_and_internal_data() -> None:
    assert fields("400PO-4711" + GS + "91X/Y") == [("400", "PO-4711"), ("91", "X/Y")]


# --- Malformed input: every kind of fault has its own message -------------------------------


def test_truncated_ai_value() -> None:
    assert error("010731086500470") == (
        "AI (01) is cut short: it needs 14 characters but has 13. Scan the whole label again."
    )
    assert error("0107310865004703" + "172712") == (
        "AI (17) is cut short: it needs 6 characters but has 4. Scan the whole label again."
    )
    # A separator inside a fixed-length value cuts it short too.
    assert "AI (17) is cut short" in error("0107310865004703" + "1727" + GS + "10AB")


def test_empty_variable_value() -> None:
    assert error("0107310865004703" + "10" + GS + "17271231") == "AI (10) has no value."


def test_unknown_ai() -> None:
    message = error("0107310865004703" + GS + "8200https://example.com")
    assert message.startswith("Unknown GS1 Application Identifier (8200)")
    assert error("0512345").startswith("Unknown GS1 Application Identifier (05)")
    assert error("2351234").startswith("Unknown GS1 Application Identifier (235)")


def test_not_an_ai_where_one_must_start() -> None:
    assert error("0107310865004703" + GS + "AB12") == (
        "A GS1 code continues with an Application Identifier (digits), not “AB12”."
    )


def test_letters_in_a_numeric_ai() -> None:
    assert error("0107310865004703" + "17AB1231") == (
        "AI (17) holds only digits, but this one reads “AB1231”."
    )
    assert error("0107310865004703" + "3712A4") == (
        "AI (37) holds only digits, but this one reads “12A4”."
    )
    # Letters in a value that is also cut short: the letters are the clearer reason.
    assert "only digits" in error("01073108650047O3")


def test_a_character_gs1_does_not_allow() -> None:
    assert error("10AB#1") == "AI (10) contains “#”, a character a GS1 code cannot hold."
    assert error("10AB 1") == "AI (10) contains “\\x20”, a character a GS1 code cannot hold."


def test_bad_dates() -> None:
    assert error("17271331") == (
        "AI (17) holds 271331, which is no date: there is no month 13 (a GS1 date is YYMMDD)."
    )
    assert error("17270132") == (
        "AI (17) holds 270132, which is no date: 2027-01 has no day 32 (a GS1 date is YYMMDD)."
    )
    assert "2027-02 has no day 29" in error("17270229")
    assert "there is no month 00" in error("11270001")


def test_missing_separator_before_a_variable_ai_that_is_not_last() -> None:
    # The lot runs on into (17): only one split makes the rest valid, so it is named.
    assert error("0107310865004703" + "10ABCDEFGHIJKLMNOPQRS" + "17271231") == (
        "AI (10) runs on into the next field: a group separator (GS) is missing after "
        "“ABCDEFGHIJKLMNOPQRS”. Check that the scanner sends GS (Ctrl+])."
    )
    # A count longer than its 8 digits: a separator is missing, but where is ambiguous.
    assert error("0107310865004703" + "30" + "12" + "17271231") == (
        "AI (30) holds at most 8 characters, but “1217271231” has 10: a group separator "
        "(GS) is probably missing after it."
    )


def test_bad_check_digits_in_keys() -> None:
    assert error("0107310865004704") == "The check digit of 07310865004704 should be 3."
    assert error("00106141411234567890") == "The check digit of 106141411234567890 should be 7."
    assert error("0207310865004700" + "3712") == "The check digit of 07310865004700 should be 3."


def test_one_ai_with_two_values_is_refused_but_a_repeat_is_not() -> None:
    assert error("10AB" + GS + "10CD") == "AI (10) appears twice with different values (AB and CD)."
    assert fields("10AB" + GS + "10AB") == [("10", "AB")]


def test_a_zero_count_and_an_empty_string() -> None:
    assert error("3700") == "AI (37) counts 0 items; a count is at least 1."
    assert error(GS) == "The GS1 code holds no data."


def test_every_fault_has_its_own_message() -> None:
    kinds = [
        error("010731086500470"),  # truncated
        error("0512345"),  # unknown AI
        error("17AB1231"),  # letters in a numeric AI
        error("17271331"),  # bad month
        error("17270132"),  # bad day
        error("10ABCDEFGHIJKLMNOPQRS17271231"),  # missing separator
        error("0107310865004704"),  # bad check digit
    ]
    assert len(set(kinds)) == len(kinds)


# --- The printed form and writing fields for a label -----------------------------------------


def test_hri_is_read_like_the_element_string() -> None:
    hri = "(01)07310865004703(17)271231(10)AB12"
    assert [(f.ai, f.parsed) for f in parse_hri(hri, TODAY)] == [
        ("01", "07310865004703"),
        ("17", dt.date(2027, 12, 31)),
        ("10", "AB12"),
    ]
    spaced = parse_hri("(01) 07310865004703 (17) 271231 (10) AB12", TODAY)
    assert format_hri(spaced) == hri


def test_hri_errors() -> None:
    with pytest.raises(BarcodeError, match="cut short"):
        parse_hri("(01)0731086500470")
    with pytest.raises(BarcodeError, match="holds 14 characters, but “073108650047031” has 15"):
        parse_hri("(01)073108650047031")
    with pytest.raises(BarcodeError, match=r"Unknown GS1 Application Identifier \(05\)"):
        parse_hri("(05)12")
    with pytest.raises(BarcodeError, match=r"begins with an AI in parentheses"):
        parse_hri("01)0731")


def test_a_lot_label_is_written_with_separators_only_where_needed() -> None:
    label = (
        ai_value("01", "07310865004703"),
        ai_value("10", "AB12"),
        ai_value("17", dt.date(2027, 12, 31)),
        ai_value("21", "S1"),
    )
    assert format_hri(label) == "(01)07310865004703(10)AB12(17)271231(21)S1"
    # GS after the variable lot (not last); none after (01), (17) or the last field.
    assert to_element_string(label) == "0107310865004703" + "10AB12" + GS + "17271231" + "21S1"
    assert parse_element_string(to_element_string(label)) == label
    # A fixed-length AI whose length is not predefined (422) is still followed by GS.
    assert to_element_string((ai_value("422", "752"), ai_value("10", "X"))) == "422752" + GS + "10X"


def test_ai_value_refuses_what_a_label_must_not_carry() -> None:
    with pytest.raises(BarcodeError, match="should be 3"):
        ai_value("01", "07310865004704")
    with pytest.raises(BarcodeError, match="at most 20 characters"):
        ai_value("10", "L" * 21)
    with pytest.raises(BarcodeError, match="Unknown GS1"):
        ai_value("99999", "x")
    assert encode_date(dt.date(2027, 1, 5)) == "270105"


def test_the_table_has_the_warehouse_ais() -> None:
    wanted = "00 01 02 10 11 13 15 17 21 30 37 400 410 411 412 413 414".split()
    wanted += [
        f"{m}{n}" for m in ("310", "311", "312", "313", "314", "315", "320") for n in "012345"
    ]
    assert set(wanted) <= set(AI_TABLE)
    assert definition("01").predefined_length and not definition("10").predefined_length
    assert not definition("400").predefined_length and definition("410").predefined_length
