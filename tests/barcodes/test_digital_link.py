"""GS1 Digital Link URIs as QR codes carry them: any host, keys in the path, AIs in the query."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.barcodes.digital_link import is_digital_link, parse_digital_link, to_digital_link
from app.barcodes.errors import BarcodeError
from app.barcodes.gs1 import ai_value

TODAY = dt.date(2026, 6, 1)


def read(uri: str) -> list[tuple[str, object]]:
    return [(f.ai, f.parsed) for f in parse_digital_link(uri, TODAY)]


def test_the_issue_s_example() -> None:
    assert read("https://id.gs1.org/01/07310865004703/10/AB12?17=271231") == [
        ("01", "07310865004703"),
        ("10", "AB12"),
        ("17", dt.date(2027, 12, 31)),
    ]


def test_the_digital_link_standard_s_examples() -> None:
    # GS1 Digital Link standard: GTIN with CPV, lot and serial qualifiers.
    assert read("https://id.gs1.org/01/09520123456788/22/2A/10/ABC123/21/12345") == [
        ("01", "09520123456788"),
        ("22", "2A"),
        ("10", "ABC123"),
        ("21", "12345"),
    ]
    assert read("https://id.gs1.org/00/106141411234567897") == [("00", "106141411234567897")]
    assert read("https://id.gs1.org/414/9501101020917/254/32a%2Fb") == [
        ("414", "9501101020917"),
        ("254", "32a/b"),
    ]


def test_any_host_a_path_prefix_and_other_query_parameters() -> None:
    uri = "HTTP://Example.COM/products/x/01/07310865004703?linkType=gs1:pip&3103=000500&15=280100"
    assert read(uri) == [
        ("01", "07310865004703"),
        ("3103", Decimal("0.500")),
        ("15", dt.date(2028, 1, 31)),
    ]


def test_a_short_gtin_is_padded_and_values_are_percent_decoded() -> None:
    assert read("https://brand.example/01/7310865004703/10/A%2BB%25%2F1") == [
        ("01", "07310865004703"),
        ("10", "A+B%/1"),
    ]
    # "+" is a GS1 character, not a space, even in the query.
    assert read("https://id.gs1.org/01/07310865004703?10=A+B") == [
        ("01", "07310865004703"),
        ("10", "A+B"),
    ]


def test_digital_link_1_0_short_names() -> None:
    assert read("https://id.gs1.org/gtin/07310865004703/lot/AB12/ser/7") == [
        ("01", "07310865004703"),
        ("10", "AB12"),
        ("21", "7"),
    ]


def test_other_web_addresses_are_no_digital_links() -> None:
    assert not is_digital_link("https://example.com/")
    assert not is_digital_link("https://example.com/shop/01")  # a key without its value
    assert not is_digital_link("ftp://id.gs1.org/01/07310865004703")
    assert not is_digital_link("https://[::1/01/07310865004703")  # malformed host
    with pytest.raises(BarcodeError, match="no GS1 key"):
        parse_digital_link("https://example.com/about")


def test_malformed_digital_links() -> None:
    with pytest.raises(BarcodeError, match="should be 3"):
        parse_digital_link("https://id.gs1.org/01/07310865004704")
    with pytest.raises(BarcodeError, match="ends with “10” but no value"):
        parse_digital_link("https://id.gs1.org/01/07310865004703/10")
    with pytest.raises(BarcodeError, match="“lott” in the GS1 web address"):
        parse_digital_link("https://id.gs1.org/01/07310865004703/lott/A")
    with pytest.raises(BarcodeError, match="no month 13"):
        parse_digital_link("https://id.gs1.org/01/07310865004703?17=271301")
    with pytest.raises(BarcodeError, match=r"Unknown GS1 Application Identifier \(8200\)"):
        parse_digital_link("https://id.gs1.org/01/07310865004703?8200=x")


def test_writing_a_digital_link() -> None:
    ais = (
        ai_value("01", "07310865004703"),
        ai_value("17", dt.date(2027, 12, 31)),
        ai_value("10", "A/B"),
    )
    uri = to_digital_link(ais)
    assert uri == "https://id.gs1.org/01/07310865004703/10/A%2FB?17=271231"
    assert set(parse_digital_link(uri)) == set(ais)
    with pytest.raises(BarcodeError, match="needs a GTIN"):
        to_digital_link((ai_value("10", "A"),))
