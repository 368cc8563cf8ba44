"""GS1 element strings: Application Identifiers (AIs), their values, and the printed form.

A GS1-128, GS1 DataMatrix, GS1 QR or GS1 DataBar symbol carries *element strings*: an AI
(2–4 digits) followed by its value, one after another. AIs whose length GS1 predefines
(01, 17, 310n…) need nothing after them; a variable-length value (10 lot, 21 serial, 30
count…) ends with FNC1, which a scanner transmits as the group separator, ASCII 29,
unless it is the last field. Under a symbol the same data is printed with the AIs in
parentheses: ``(01)07310865004703(17)271231(10)AB12``.

Titles are GS1's own data titles ("BATCH/LOT"), kept in English as GS1 prints them;
every message is translated.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from app.barcodes.errors import BarcodeError
from app.barcodes.gtin import check_digit, has_valid_check_digit
from app.i18n import _

GS = "\x1d"
"""The group separator, ASCII 29: how a scanner transmits FNC1 between fields."""

# GS1 General Specifications, figure 5.10.1-2: AIs starting with these two digits have a
# predefined length and are never followed by a separator.
PREDEFINED_LENGTH_PREFIXES = frozenset(
    "00 01 02 03 04 11 12 13 14 15 16 17 18 19 20 31 32 33 34 35 36 41".split()
)

# How many digits an AI has, by its first two digits (GS1 General Specifications 3.2).
_AI_LENGTH_BY_PREFIX: dict[str, int] = {
    **{f"{n:02d}": 2 for n in range(0, 23)},
    "23": 3,
    "24": 3,
    "25": 3,
    "30": 2,
    **{f"{n:02d}": 4 for n in range(31, 37)},
    "37": 2,
    "39": 4,
    **{f"{n:02d}": 3 for n in range(40, 50)},
    "70": 4,
    "71": 4,
    "72": 4,
    "80": 4,
    "81": 4,
    "82": 4,
    **{f"{n:02d}": 2 for n in range(90, 100)},
}

# GS1 AI encodable character set 82 (General Specifications figure 7.11-1).
CHARSET_82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)

Content = Literal["text", "date", "decimal", "count"]


@dataclass(frozen=True)
class AIDefinition:
    """One Application Identifier of the GS1 table."""

    ai: str
    title: str
    numeric: bool
    min_length: int
    max_length: int
    check_digit: bool = False
    content: Content = "text"
    # For dates: what day 00 means (GS1 allows it for "only year and month are known").
    day_zero: Literal["last", "first"] = "last"

    @property
    def fixed(self) -> bool:
        """True when the value always has exactly ``max_length`` characters."""
        return self.min_length == self.max_length

    @property
    def predefined_length(self) -> bool:
        """True when GS1 predefines the length, so no separator ever follows the value."""
        return self.ai[:2] in PREDEFINED_LENGTH_PREFIXES

    @property
    def decimals(self) -> int:
        """Digits after the decimal point for the 3xxn measures (the AI's last digit)."""
        return int(self.ai[3]) if self.content == "decimal" else 0


def _n(ai: str, title: str, length: int, **kw: object) -> AIDefinition:
    return AIDefinition(ai, title, True, length, length, **kw)  # type: ignore[arg-type]


def _n_var(ai: str, title: str, max_length: int, **kw: object) -> AIDefinition:
    return AIDefinition(ai, title, True, 1, max_length, **kw)  # type: ignore[arg-type]


def _an(ai: str, title: str, max_length: int) -> AIDefinition:
    return AIDefinition(ai, title, False, 1, max_length)


_MEASURES = {
    "310": "NET WEIGHT (kg)",
    "311": "LENGTH (m)",
    "312": "WIDTH (m)",
    "313": "HEIGHT (m)",
    "314": "AREA (m2)",
    "315": "NET VOLUME (l)",
    "316": "NET VOLUME (m3)",
    "320": "NET WEIGHT (lb)",
    "330": "GROSS WEIGHT (kg)",
    "331": "LENGTH (m), log",
    "332": "WIDTH (m), log",
    "333": "HEIGHT (m), log",
    "334": "AREA (m2), log",
    "335": "VOLUME (l), log",
    "336": "VOLUME (m3), log",
}

_DEFINITIONS: tuple[AIDefinition, ...] = (
    _n("00", "SSCC", 18, check_digit=True),
    _n("01", "GTIN", 14, check_digit=True),
    _n("02", "CONTENT", 14, check_digit=True),
    _an("10", "BATCH/LOT", 20),
    _n("11", "PROD DATE", 6, content="date", day_zero="first"),
    _n("12", "DUE DATE", 6, content="date"),
    _n("13", "PACK DATE", 6, content="date", day_zero="first"),
    _n("15", "BEST BEFORE or BEST BY", 6, content="date"),
    _n("16", "SELL BY", 6, content="date"),
    _n("17", "USE BY OR EXPIRY", 6, content="date"),
    _n("20", "VARIANT", 2),
    _an("21", "SERIAL", 20),
    _an("22", "CPV", 20),
    _an("240", "ADDITIONAL ID", 30),
    _an("241", "CUST. PART No.", 30),
    _an("250", "SECONDARY SERIAL", 30),
    _an("251", "REF. TO SOURCE", 30),
    _an("254", "GLN EXTENSION COMPONENT", 20),
    _n_var("30", "VAR. COUNT", 8, content="count"),
    *(
        _n(f"{prefix}{places}", title, 6, content="decimal")
        for prefix, title in _MEASURES.items()
        for places in range(6)
    ),
    _n_var("37", "COUNT", 8, content="count"),
    _an("400", "ORDER NUMBER", 30),
    _an("401", "GINC", 30),
    _n("402", "GSIN", 17, check_digit=True),
    _an("403", "ROUTE", 30),
    _n("410", "SHIP TO LOC", 13, check_digit=True),
    _n("411", "BILL TO", 13, check_digit=True),
    _n("412", "PURCHASE FROM", 13, check_digit=True),
    _n("413", "SHIP FOR LOC", 13, check_digit=True),
    _n("414", "LOC No.", 13, check_digit=True),
    _n("415", "PAY TO", 13, check_digit=True),
    _n("416", "PROD/SERV LOC", 13, check_digit=True),
    _an("420", "SHIP TO POST", 20),
    _n("422", "ORIGIN", 3),
    _an("90", "INTERNAL", 30),
    *(_an(f"{n}", "INTERNAL", 90) for n in range(91, 100)),
)

AI_TABLE: dict[str, AIDefinition] = {d.ai: d for d in _DEFINITIONS}
"""Every AI Hylla reads, by its digits."""


@dataclass(frozen=True)
class AIValue:
    """One element string: the AI, GS1's title for it, the value as encoded, and its meaning.

    ``parsed`` is a ``date`` for dates (day 00 resolved), an exact ``Decimal`` for counts
    and measures (``3103`` ``001250`` → ``1.250``), else the value itself.
    """

    ai: str
    title: str
    value: str
    parsed: Decimal | dt.date | str


def definition(ai: str) -> AIDefinition:
    """The table entry of ``ai``; an AI Hylla does not know raises ``BarcodeError``."""
    found = AI_TABLE.get(ai)
    if found is None:
        raise BarcodeError(_unknown_ai(ai))
    return found


def _unknown_ai(ai: str) -> str:
    return _(
        "Unknown GS1 Application Identifier ({ai}): the label is damaged or uses an AI "
        "Hylla does not read. Scan it again or type the item's own code."
    ).format(ai=ai)


def _visible(char: str) -> str:
    """A character as a person can read it in a message (control characters escaped)."""
    return char if char.isprintable() and not char.isspace() else f"\\x{ord(char):02x}"


def _full_year(two_digits: int, today: dt.date) -> int:
    """The year of a YY date by the GS1 rule: within 49 years back and 50 ahead of today."""
    century = today.year - today.year % 100
    difference = two_digits - today.year % 100
    if difference >= 51:
        century -= 100
    elif difference <= -50:
        century += 100
    return century + two_digits


def _date(spec: AIDefinition, value: str, today: dt.date | None = None) -> dt.date:
    year = _full_year(int(value[0:2]), today or dt.date.today())
    month, day = int(value[2:4]), int(value[4:6])
    if not 1 <= month <= 12:
        raise BarcodeError(
            _(
                "AI ({ai}) holds {value}, which is no date: there is no month {month} "
                "(a GS1 date is YYMMDD)."
            ).format(ai=spec.ai, value=value, month=value[2:4])
        )
    last = calendar.monthrange(year, month)[1]
    if day == 0:
        return dt.date(year, month, last if spec.day_zero == "last" else 1)
    if day > last:
        raise BarcodeError(
            _(
                "AI ({ai}) holds {value}, which is no date: {year}-{month} has no day {day} "
                "(a GS1 date is YYMMDD)."
            ).format(ai=spec.ai, value=value, year=year, month=value[2:4], day=value[4:6])
        )
    return dt.date(year, month, day)


def encode_date(date: dt.date) -> str:
    """A date as the YYMMDD of AIs 11–17."""
    return date.strftime("%y%m%d")


def _check_length(spec: AIDefinition, value: str) -> None:
    if not value:
        raise BarcodeError(_("AI ({ai}) has no value.").format(ai=spec.ai))
    if len(value) < spec.min_length:
        raise BarcodeError(
            _(
                "AI ({ai}) is cut short: it needs {length} characters but has {got}. "
                "Scan the whole label again."
            ).format(ai=spec.ai, length=spec.min_length, got=len(value))
        )
    if len(value) > spec.max_length:
        if spec.fixed:
            message = _("AI ({ai}) holds {length} characters, but “{value}” has {got}.")
        else:
            message = _("AI ({ai}) holds at most {length} characters, but “{value}” has {got}.")
        raise BarcodeError(
            message.format(ai=spec.ai, length=spec.max_length, value=value, got=len(value))
        )


def _check_characters(spec: AIDefinition, value: str) -> None:
    if spec.numeric:
        if not (value.isascii() and value.isdigit()):
            raise BarcodeError(
                _("AI ({ai}) holds only digits, but this one reads “{value}”.").format(
                    ai=spec.ai, value="".join(_visible(c) for c in value)
                )
            )
        return
    for char in value:
        if char not in CHARSET_82:
            raise BarcodeError(
                _("AI ({ai}) contains “{char}”, a character a GS1 code cannot hold.").format(
                    ai=spec.ai, char=_visible(char)
                )
            )


def read_value(spec: AIDefinition, value: str, today: dt.date | None = None) -> AIValue:
    """Check ``value`` against the AI's rules and give it its meaning."""
    _check_characters(spec, value)
    _check_length(spec, value)
    parsed: Decimal | dt.date | str = value
    if spec.check_digit and not has_valid_check_digit(value):
        raise BarcodeError(
            _("The check digit of {code} should be {digit}.").format(
                code=value, digit=check_digit(value[:-1])
            )
        )
    if spec.content == "date":
        parsed = _date(spec, value, today)
    elif spec.content == "decimal":
        # Exact: the value's digits with the point moved, never through float.
        parsed = Decimal(int(value)).scaleb(-spec.decimals)
    elif spec.content == "count":
        parsed = Decimal(int(value))
        if parsed == 0:
            raise BarcodeError(
                _("AI ({ai}) counts 0 items; a count is at least 1.").format(ai=spec.ai)
            )
    return AIValue(spec.ai, spec.title, value, parsed)


def ai_value(ai: str, value: str | dt.date) -> AIValue:
    """One checked element string, e.g. ``ai_value("17", date(2027, 12, 31))`` for a label.

    A date is written as YYMMDD; anything else must already be the value as encoded.
    """
    spec = definition(ai)
    text = encode_date(value) if isinstance(value, dt.date) else value
    return read_value(spec, text)


def _match_ai(data: str, pos: int) -> AIDefinition:
    """The AI that starts at ``pos``, or the reason there is none."""
    prefix = data[pos : pos + 2]
    if not (len(prefix) == 2 and prefix.isascii() and prefix.isdigit()):
        raise BarcodeError(
            _("A GS1 code continues with an Application Identifier (digits), not “{text}”.").format(
                text="".join(_visible(c) for c in data[pos : pos + 12])
            )
        )
    length = _AI_LENGTH_BY_PREFIX.get(prefix, 2)
    ai = data[pos : pos + length]
    if len(ai) < length or not (ai.isascii() and ai.isdigit()) or ai not in AI_TABLE:
        raise BarcodeError(_unknown_ai(ai if ai.isascii() and ai.isdigit() else prefix))
    return AI_TABLE[ai]


def _parses(data: str, today: dt.date | None) -> bool:
    try:
        # No split search inside a split search: it would grow exponentially.
        _parse_fields(data, today, suggest_split=False)
    except BarcodeError:
        return False
    return True


def _missing_separator(spec: AIDefinition, value: str, today: dt.date | None) -> BarcodeError:
    """The error for a variable field longer than its AI allows.

    It is most likely two fields run together because the separator was lost (a scanner
    that drops Ctrl+]). The split is named only when exactly one place makes the rest a
    valid GS1 string; otherwise the plain length rule is reported.
    """
    splits = [
        cut
        for cut in range(spec.min_length, spec.max_length + 1)
        if value[cut : cut + 2].isdigit() and _parses(value[cut:], today)
    ]
    if len(splits) == 1:
        return BarcodeError(
            _(
                "AI ({ai}) runs on into the next field: a group separator (GS) is missing "
                "after “{value}”. Check that the scanner sends GS (Ctrl+])."
            ).format(ai=spec.ai, value=value[: splits[0]])
        )
    return BarcodeError(
        _(
            "AI ({ai}) holds at most {length} characters, but “{value}” has {got}: "
            "a group separator (GS) is probably missing after it."
        ).format(ai=spec.ai, length=spec.max_length, value=value, got=len(value))
    )


def _parse_fields(data: str, today: dt.date | None, *, suggest_split: bool = True) -> list[AIValue]:
    fields: list[AIValue] = []
    pos, end = 0, len(data)
    while pos < end:
        if data[pos] == GS:  # FNC1 in first position, or a doubled separator
            pos += 1
            continue
        spec = _match_ai(data, pos)
        start = pos + len(spec.ai)
        if spec.fixed:
            stop = data.find(GS, start, start + spec.max_length)
            if stop < 0:
                stop = min(end, start + spec.max_length)
            value = data[start:stop]
            if len(value) < spec.max_length:
                _check_characters(spec, value)  # letters are the clearer reason, if any
                raise BarcodeError(
                    _(
                        "AI ({ai}) is cut short: it needs {length} characters but has {got}. "
                        "Scan the whole label again."
                    ).format(ai=spec.ai, length=spec.max_length, got=len(value))
                )
        else:
            stop = data.find(GS, start)
            if stop < 0:
                stop = end
            value = data[start:stop]
            if len(value) > spec.max_length:
                if not suggest_split:
                    raise BarcodeError(_("AI ({ai}) is too long.").format(ai=spec.ai))
                raise _missing_separator(spec, value, today)
        fields.append(read_value(spec, value, today))
        pos = stop
    return fields


def without_repeats(fields: list[AIValue]) -> tuple[AIValue, ...]:
    """The fields with exact repeats dropped; one AI with two values is refused."""
    seen: dict[str, AIValue] = {}
    unique: list[AIValue] = []
    for field in fields:
        earlier = seen.get(field.ai)
        if earlier is None:
            seen[field.ai] = field
            unique.append(field)
        elif earlier.value != field.value:
            raise BarcodeError(
                _("AI ({ai}) appears twice with different values ({first} and {second}).").format(
                    ai=field.ai, first=earlier.value, second=field.value
                )
            )
    return tuple(unique)


def parse_element_string(data: str, today: dt.date | None = None) -> tuple[AIValue, ...]:
    """The fields of a GS1 element string as a scanner sends it (GS = ASCII 29 between).

    ``today`` fixes the century of two-digit years (GS1's rule); it defaults to today.
    """
    fields = _parse_fields(data, today)
    if not fields:
        raise BarcodeError(_("The GS1 code holds no data."))
    return without_repeats(fields)


_HRI_AI = re.compile(r"\((\d{2,4})\)")


def parse_hri(text: str, today: dt.date | None = None) -> tuple[AIValue, ...]:
    """The fields of the printed form ``(01)07310865004703(17)271231(10)AB12``.

    Spaces between the fields, as some labels print them, are ignored.
    """
    text = text.strip()
    matches = [m for m in _HRI_AI.finditer(text) if m.group(1) in AI_TABLE or m.start() == 0]
    if not matches or matches[0].start() != 0:
        raise BarcodeError(
            _("The printed form of a GS1 code begins with an AI in parentheses, e.g. (01).")
        )
    fields = []
    for index, match in enumerate(matches):
        spec = definition(match.group(1))
        stop = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        fields.append(read_value(spec, text[match.end() : stop].strip(), today))
    return without_repeats(fields)


def format_hri(ais: tuple[AIValue, ...] | list[AIValue]) -> str:
    """The printed form: each AI in parentheses before its value."""
    return "".join(f"({field.ai}){field.value}" for field in ais)


def to_element_string(ais: tuple[AIValue, ...] | list[AIValue]) -> str:
    """The data of a GS1 symbol, without the leading FNC1 (the symbol encoder adds it).

    A GS (ASCII 29) follows every field whose length GS1 does not predefine, unless it
    is the last; fields stay in the given order, as the printed form shows them.
    """
    parts: list[str] = []
    for index, field in enumerate(ais):
        parts.append(field.ai + field.value)
        if index < len(ais) - 1 and not definition(field.ai).predefined_length:
            parts.append(GS)
    return "".join(parts)
