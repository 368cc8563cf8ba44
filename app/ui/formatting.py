"""Numbers and dates as people read them, in the locale of the current language.

Quantities are shown exactly (never rounded: 0.001 kg stays 0.001); money is shown
with its cents. Values meant to be edited are written without digit grouping, so
reading them back cannot mistake a thousands separator for a decimal mark.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from app.i18n import locale_name

CENT = Decimal("0.01")


def fmt_qty(value: Decimal | None) -> str:
    """A quantity with digit grouping and every significant decimal: ``1 234,5``."""
    if value is None:
        return ""
    return format_decimal(value, locale=locale_name(), decimal_quantization=False)


def fmt_qty_edit(value: Decimal | int | None) -> str:
    """A quantity for an input field: no grouping, every significant decimal: ``1234,5``."""
    if value is None:
        return ""
    return format_decimal(value, format="0.###", locale=locale_name(), decimal_quantization=False)


def fmt_money(value: Decimal | None) -> str:
    """An amount rounded to cents for display: ``1 234,50`` (half a cent rounds up, as on
    an invoice; babel alone would round half to even)."""
    if value is None:
        return ""
    cents = value.quantize(CENT, ROUND_HALF_UP)
    return format_decimal(cents, format="#,##0.00", locale=locale_name())


def fmt_unit_cost(value: Decimal | None) -> str:
    """A unit price with cents and up to two more decimals when it has them: ``0,1234``."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.00##", locale=locale_name())


def fmt_money_edit(value: Decimal | None) -> str:
    """An amount for an input field (no grouping, up to four decimals)."""
    if value is None:
        return ""
    return format_decimal(value, format="0.00##", locale=locale_name())


def fmt_percent_edit(ratio: Decimal | None) -> str:
    """A ratio such as 0.975 as the percentage typed in a field: ``97,5``."""
    if ratio is None:
        return ""
    return fmt_qty_edit(ratio * 100)


def fmt_count(count: int) -> str:
    """A whole number with digit grouping: ``20 000``."""
    return format_decimal(count, locale=locale_name())


def fmt_date(value: dt.date | None) -> str:
    """A date in the locale's short form (``2026-03-31`` in Swedish)."""
    if value is None:
        return ""
    return format_date(value, format="short", locale=locale_name())


def fmt_datetime(value: dt.datetime | None) -> str:
    """A stored (UTC) time shown in the workstation's local time zone."""
    if value is None:
        return ""
    return format_datetime(value.astimezone(), format="short", locale=locale_name())
