"""Reading numbers and dates typed by people or found in files."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from app.i18n import _
from app.services.errors import ValidationError

_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_decimal(text: str | Decimal | int, field: str = "value") -> Decimal:
    """A Decimal from ``12``, ``12.5``, ``12,5`` (decimal comma) or ``1 234,5``.

    Floats are not accepted: they are not exact.
    """
    if isinstance(text, Decimal):
        return text
    if isinstance(text, int) and not isinstance(text, bool):
        return Decimal(text)
    if not isinstance(text, str):
        raise ValidationError(_("“{value}” is not a number.").format(value=text), field=field)
    cleaned = _SPACES.sub("", text.strip())
    if "," in cleaned and "." in cleaned:
        # 1.234,50 (Swedish/German) or 1,234.50 (English): the last one is the decimal mark.
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    elif cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")
    cleaned = cleaned.replace("\u2212", "-")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not cleaned:
        raise ValidationError(
            _("“{value}” is not a number. Type digits, e.g. 12 or 12.5.").format(value=text),
            field=field,
        )
    return value


def parse_optional_decimal(text: str | Decimal | None, field: str = "value") -> Decimal | None:
    """Like :func:`parse_decimal`, but an empty value is None."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    return parse_decimal(text, field)


def parse_date(text: str | dt.date, field: str = "date") -> dt.date:
    """An ISO date ``YYYY-MM-DD``."""
    if isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            _("“{value}” is not a date. Write it as YYYY-MM-DD, e.g. 2026-03-31.").format(
                value=text
            ),
            field=field,
        ) from None


def parse_bool(text: str | bool | None, field: str = "value") -> bool:
    """yes/no, true/false, 1/0, ja/nej, x or empty (false)."""
    if isinstance(text, bool):
        return text
    value = (text or "").strip().lower()
    if value in ("1", "true", "yes", "y", "ja", "j", "x"):
        return True
    if value in ("", "0", "false", "no", "n", "nej"):
        return False
    raise ValidationError(
        _("“{value}” is not yes or no. Write yes or no (or 1 or 0).").format(value=text),
        field=field,
    )
