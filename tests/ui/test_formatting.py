"""Numbers and dates in the locale: exact quantities, money with cents, edit forms that
the services parse back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest

from app import i18n
from app.services.parsing import parse_decimal
from app.ui.formatting import (
    fmt_count,
    fmt_date,
    fmt_datetime,
    fmt_money,
    fmt_money_edit,
    fmt_percent_edit,
    fmt_qty,
    fmt_qty_edit,
    fmt_unit_cost,
)


@pytest.fixture(params=["en", "sv"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language("en")


def test_quantities_are_exact_and_grouped() -> None:
    assert fmt_qty(Decimal("1234567.125")) == "1,234,567.125"
    assert fmt_qty(Decimal("0.001")) == "0.001"
    assert fmt_qty(Decimal("10.000")) == "10"
    assert fmt_qty(None) == ""
    i18n.set_language("sv")
    try:
        assert fmt_qty(Decimal("1234567.125")) == "1\xa0234\xa0567,125"
        assert fmt_money(Decimal("1234.5")) == "1\xa0234,50"
        assert fmt_date(dt.date(2026, 3, 31)) == "2026-03-31"
    finally:
        i18n.set_language("en")


def test_money_and_unit_costs() -> None:
    assert fmt_money(Decimal("1234.5")) == "1,234.50"
    assert fmt_money(Decimal("0.005")) == "0.01"
    assert fmt_unit_cost(Decimal("0.1234")) == "0.1234"
    assert fmt_unit_cost(Decimal("3")) == "3.00"
    assert fmt_count(20000) == "20,000"


@pytest.mark.parametrize("value", ["0.001", "1234567.125", "10", "0", "999999999.999", "12.5"])
def test_edit_forms_read_back_exactly(language: str, value: str) -> None:
    number = Decimal(value)
    assert parse_decimal(fmt_qty_edit(number)) == number
    assert parse_decimal(fmt_money_edit(number.quantize(Decimal("0.0001")))) == number
    assert " " not in fmt_qty_edit(number) and "\xa0" not in fmt_qty_edit(number)


def test_percent_for_editing(language: str) -> None:
    mark = "," if language == "sv" else "."
    assert fmt_percent_edit(Decimal("0.95")) == "95"
    assert fmt_percent_edit(Decimal("0.975")) == f"97{mark}5"
    assert fmt_percent_edit(None) == ""


def test_times_are_shown_in_local_time() -> None:
    moment = dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.UTC)
    local = moment.astimezone()
    assert fmt_datetime(moment).endswith(local.strftime("%H:%M"))
