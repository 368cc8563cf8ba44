"""``parse_scan``: every way a scanner or a person hands Hylla a code, and nothing else escapes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.barcodes import GS, BarcodeError, ScanData, parse_scan
from app.barcodes.gs1 import (
    AI_TABLE,
    CHARSET_82,
    AIDefinition,
    AIValue,
    ai_value,
    format_hri,
    parse_element_string,
    parse_hri,
    to_element_string,
)
from app.barcodes.gtin import with_check_digit
from app.barcodes.symbology import KNOWN, split_symbology

TODAY = dt.date(2026, 6, 1)


def scan(text: str) -> ScanData:
    return parse_scan(text, TODAY)


def problem(text: str) -> str:
    with pytest.raises(BarcodeError) as caught:
        parse_scan(text, TODAY)
    return caught.value.message


# --- Plain codes ------------------------------------------------------------------------------


def test_an_ean13_as_a_scanner_without_identifier_sends_it() -> None:
    data = scan("7310865004703\r\n")
    assert (data.kind, data.code, data.gtin14, data.symbology) == (
        "gtin",
        "7310865004703",
        "07310865004703",
        None,
    )
    assert data.ais == () and data.lot is None and data.expiry is None and data.count is None


def test_gtin_8_12_and_14_and_an_sscc() -> None:
    assert scan("96385074").gtin14 == "00000096385074"
    assert scan("036000291452").gtin14 == "00036000291452"
    assert scan("17310865004700").gtin14 == "17310865004700"
    pallet = scan("106141411234567897")
    assert (pallet.kind, pallet.sscc, pallet.gtin14) == ("sscc", "106141411234567897", None)


def test_a_upce_is_read_as_its_upca() -> None:
    data = scan("04252614")
    assert (data.kind, data.code, data.gtin14) == ("gtin", "04252614", "00042100005264")


def test_a_wrong_check_digit_is_an_error_never_text() -> None:
    assert problem("7310865004704") == "The check digit of 7310865004704 should be 3."
    assert problem("17310865004701") == "The check digit of 17310865004701 should be 0."
    assert problem("106141411234567890") == "The check digit of 106141411234567890 should be 7."
    # Eight digits may be an EAN-8 or a UPC-E: both readings are offered.
    assert problem("04252615") == (
        "The check digit of 04252615 should be 0 (as EAN-8) or 4 (as UPC-E)."
    )
    assert problem("96385075") == "The check digit of 96385075 should be 4."


def test_plain_text_is_text() -> None:
    for text in ("A-01-03", "HX-1001", "12345", "hello world", "0107", "1234567890"):
        data = scan(text)
        assert (data.kind, data.code, data.gtin14, data.ais) == ("text", text, None, ())
    assert scan("  A-01-03\t").code == "A-01-03"
    assert scan("https://example.com/menu").kind == "text"


def test_nothing_scanned() -> None:
    assert problem("") == "Nothing was scanned."
    assert problem(" \r\n") == "Nothing was scanned."
    assert problem("]C1") == "The scan holds a symbology identifier but no data."


# --- Symbology identifiers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "name", "gs1"),
    [
        ("]C1", "GS1-128", True),
        ("]E0", "EAN-13", False),
        ("]E4", "EAN-8", False),
        ("]d2", "GS1 DataMatrix", True),
        ("]Q3", "GS1 QR", True),
        ("]e0", "GS1 DataBar", True),
        ("]C0", "Code 128", False),
        ("]d1", "DataMatrix", False),
        ("]Q1", "QR", False),
    ],
)
def test_symbology_identifiers_are_stripped_and_named(prefix: str, name: str, gs1: bool) -> None:
    symbology, data = split_symbology(prefix + "DATA")
    assert symbology is not None and data == "DATA"
    assert (symbology.identifier, symbology.name, symbology.gs1) == (prefix, name, gs1)
    assert KNOWN[prefix] is symbology


def test_an_unknown_identifier_is_still_stripped() -> None:
    symbology, data = split_symbology("]X5ABC")
    assert symbology is not None and symbology.name == "]X5" and data == "ABC"
    assert split_symbology("]") == (None, "]")
    assert split_symbology("A]C1") == (None, "A]C1")


def test_ean_upc_identifiers() -> None:
    ean = scan("]E07310865004703")
    assert (ean.symbology, ean.symbology_id, ean.gtin14) == ("EAN-13", "]E0", "07310865004703")
    assert scan("]E0036000291452").symbology == "UPC-A"
    assert scan("]E00036000291452").symbology == "UPC-A"  # UPC-A sent as 13 digits
    upce = scan("]E004252614")
    assert (upce.symbology, upce.gtin14) == ("UPC-E", "00042100005264")
    assert scan("]E496385074").symbology == "EAN-8"
    add_on = scan("]E3731086500470312")
    assert (add_on.gtin14, add_on.code) == ("07310865004703", "731086500470312")
    assert problem("]E07310865004704") == "The check digit of 7310865004704 should be 3."
    assert problem("]E0A-01") == "An EAN or UPC symbol holds 8, 12 or 13 digits, not “A-01”."


def test_a_gs1_identifier_makes_the_data_an_element_string() -> None:
    data = scan("]C10107310865004703" + "17271231" + "10AB12")
    assert (data.kind, data.form, data.symbology, data.symbology_id) == (
        "gs1",
        "element_string",
        "GS1-128",
        "]C1",
    )
    assert (data.gtin14, data.lot, data.expiry) == ("07310865004703", "AB12", dt.date(2027, 12, 31))
    # Under a GS1 identifier, a malformed string is an error, not text.
    assert problem("]d2A-01-03").startswith("A GS1 code continues with an Application Identifier")


def test_a_non_gs1_identifier_keeps_digits_as_text() -> None:
    # Code 128 without FNC1 is plain text: "01…" digits there are no element string.
    data = scan("]C00107310865004703" + "10AB12")
    assert (data.kind, data.symbology) == ("text", "Code 128")
    assert scan("]C0A-01-03").code == "A-01-03"
    # ...but 13 digits in any symbol are still an EAN (its check digit must hold).
    assert scan("]C07310865004703").kind == "gtin"


# --- GS1 codes in their three written forms ---------------------------------------------------


def test_gs1_from_a_scanner_that_sends_no_identifier() -> None:
    # FNC1 first arrives as GS; separators as GS.
    data = scan(GS + "0107310865004703" + "10AB12" + GS + "3712")
    assert (data.kind, data.symbology, data.lot, data.count) == ("gs1", None, "AB12", Decimal(12))
    # No identifier and no leading FNC1: (01) with 14 digits first is still GS1.
    bare = scan("0107310865004703" + "17271231" + "10AB12")
    assert (bare.kind, bare.gtin14, bare.lot) == ("gs1", "07310865004703", "AB12")
    assert scan("0107310865004703").form == "element_string"
    assert problem("0107310865004704" + "10AB") == "The check digit of 07310865004704 should be 3."


def test_hri_and_digital_link_forms() -> None:
    hri = scan("(01)07310865004703(17)271231(10)AB12")
    assert (hri.form, hri.kind, hri.lot, hri.expiry) == (
        "hri",
        "gs1",
        "AB12",
        dt.date(2027, 12, 31),
    )
    link = scan("]Q1https://id.gs1.org/01/07310865004703/10/AB12?17=271231")
    assert (link.form, link.symbology, link.gtin14) == ("digital_link", "QR", "07310865004703")
    assert link.ais == hri.ais[0:1] + hri.ais[2:] + hri.ais[1:2]


def test_sscc_and_logistic_unit_content() -> None:
    pallet = scan("]C100106141411234567897")
    assert (pallet.kind, pallet.sscc, pallet.gtin14) == ("sscc", "106141411234567897", None)
    content = scan("]C1" + "00106141411234567897" + "0210614141000415" + "3720")
    assert (content.kind, content.sscc, content.gtin14, content.count) == (
        "gs1",
        "106141411234567897",
        "10614141000415",
        Decimal(20),
    )


def test_convenience_properties() -> None:
    data = scan(
        "]C1"
        + "0107310865004703"
        + "11260101"
        + "15270600"
        + "3103001250"
        + "21SN1"
        + GS
        + "400PO-1"
        + GS
        + "3012"
    )
    assert data.production_date == dt.date(2026, 1, 1)
    assert data.best_before == dt.date(2027, 6, 30)
    assert data.expiry == dt.date(2027, 6, 30)  # no (17): best before is the expiry
    assert data.net_weight_kg == Decimal("1.250")
    assert data.serial == "SN1" and data.order_number == "PO-1" and data.count == Decimal(12)
    assert data.field("3103") == AIValue("3103", "NET WEIGHT (kg)", "001250", Decimal("1.250"))
    assert data.field("10") is None and data.sscc is None


# --- Nothing but ScanData or BarcodeError -----------------------------------------------------


def _valid_value(spec: AIDefinition) -> st.SearchStrategy[str]:
    """Values that the AI accepts."""
    if spec.check_digit:
        return st.text(
            "0123456789", min_size=spec.max_length - 1, max_size=spec.max_length - 1
        ).map(with_check_digit)
    if spec.content == "date":
        return st.dates(dt.date(1977, 1, 1), dt.date(2076, 12, 31)).map(
            lambda d: d.strftime("%y%m%d")
        )
    if spec.content == "count":
        return st.integers(1, 10**spec.max_length - 1).map(str)
    if spec.numeric:
        return st.text("0123456789", min_size=spec.min_length, max_size=spec.max_length)
    # "(" is left out so the printed form never holds something that reads as an AI.
    return st.text(sorted(CHARSET_82 - {"("}), min_size=1, max_size=spec.max_length)


SPECS = sorted(AI_TABLE.values(), key=lambda s: s.ai)


@st.composite
def valid_fields(draw: st.DrawFn) -> tuple[AIValue, ...]:
    """One to five valid GS1 fields with distinct AIs."""
    specs = draw(st.lists(st.sampled_from(SPECS), min_size=1, max_size=5, unique_by=lambda s: s.ai))
    return tuple(ai_value(spec.ai, draw(_valid_value(spec))) for spec in specs)


@st.composite
def near_valid_gs1(draw: st.DrawFn) -> str:
    """GS1-looking strings: real and made-up AIs, good and bad values, separators or not,
    a symbology identifier or not, and sometimes cut off anywhere."""
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        ai = (
            draw(st.sampled_from(SPECS)).ai
            if draw(st.booleans())
            else draw(st.text("0123456789", min_size=2, max_size=4))
        )
        value = draw(
            st.one_of(
                _valid_value(AI_TABLE[ai]) if ai in AI_TABLE else st.just("1"),
                st.text(min_size=0, max_size=25),
                st.text("0123456789ABZ-/", min_size=0, max_size=25),
            )
        )
        separator = draw(st.sampled_from(["", GS, GS + GS, "(", ")"]))
        parts.append(ai + value + separator)
    text = draw(st.sampled_from(["", "]C1", "]d2", "]Q3", "]e0", "]E0", "]C0", GS, "]C1" + GS]))
    text += "".join(parts)
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]
    return text


def _only_scan_data_or_barcode_error(text: str) -> None:
    try:
        result = parse_scan(text)
    except BarcodeError as exc:
        assert isinstance(exc.message, str) and exc.message
        return
    assert isinstance(result, ScanData)
    assert result.kind in ("gtin", "gs1", "sscc", "text")


@settings(max_examples=400)
@given(st.text())
def test_any_text_is_read_or_refused_with_a_barcode_error(text: str) -> None:
    _only_scan_data_or_barcode_error(text)


@settings(max_examples=400)
@given(near_valid_gs1())
def test_any_gs1_looking_text_is_read_or_refused_with_a_barcode_error(text: str) -> None:
    _only_scan_data_or_barcode_error(text)


@given(
    st.sampled_from(["http://", "https://", "HTTPS://"]),
    st.text(max_size=15),
    st.lists(st.sampled_from(["01", "10", "17", "gtin", "414", "00", "x"]) | st.text(), max_size=6),
    st.text(max_size=20),
)
def test_any_web_address_is_read_or_refused_with_a_barcode_error(
    scheme: str, host: str, segments: list[str], query: str
) -> None:
    _only_scan_data_or_barcode_error(scheme + host + "/" + "/".join(segments) + "?" + query)


@given(valid_fields())
def test_valid_fields_survive_every_written_form(ais: tuple[AIValue, ...]) -> None:
    assert parse_element_string(to_element_string(ais)) == ais
    assert parse_scan("]C1" + to_element_string(ais)).ais == ais
    assert parse_hri(format_hri(ais)) == ais
