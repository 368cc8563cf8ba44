"""GS1 Digital Link: GS1 keys and attributes written as a web address, as QR codes carry.

``https://id.gs1.org/01/07310865004703/10/AB12?17=271231`` is the GTIN in the path (the
*primary key*), then its qualifiers (22 CPV, 10 lot, 21 serial) as more path segments,
then other attributes in the query. Any host may serve the link, and it may put a path of
its own before the first key. Segments and query values are percent-encoded.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, unquote, urlsplit

from app.barcodes.errors import BarcodeError
from app.barcodes.gs1 import AI_TABLE, AIValue, definition, read_value, without_repeats
from app.i18n import _

# Keys that can start a Digital Link path (the ones Hylla's AI table knows).
PRIMARY_KEYS = frozenset({"00", "01", "401", "402", "414"})
# The short names of Digital Link 1.0 (``/gtin/…/lot/…``), still printed on older codes.
SHORT_NAMES = {
    "gtin": "01",
    "sscc": "00",
    "gln": "414",
    "ginc": "401",
    "gsin": "402",
    "cpv": "22",
    "lot": "10",
    "ser": "21",
    "glnx": "254",
}


def _key(segment: str) -> str | None:
    """The AI a path segment or query key names, if it names one."""
    if segment in SHORT_NAMES:
        return SHORT_NAMES[segment]
    if segment.isascii() and segment.isdigit():
        return segment
    return None


def is_digital_link(text: str) -> bool:
    """True for an http(s) address whose path holds a GS1 primary key and its value."""
    return _start(text) is not None


def _segments(text: str) -> tuple[list[str], str] | None:
    lowered = text[:8].lower()
    if not (lowered.startswith("http://") or lowered.startswith("https://")):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. a malformed [IPv6] host: not a link at all
        return None
    return [s for s in parts.path.split("/") if s], parts.query


def _start(text: str) -> int | None:
    found = _segments(text)
    if found is None:
        return None
    segments, _query = found
    for index, segment in enumerate(segments[:-1]):
        key = _key(segment)
        if key in PRIMARY_KEYS:
            return index
    return None


def parse_digital_link(text: str, today: dt.date | None = None) -> tuple[AIValue, ...]:
    """The GS1 fields of a Digital Link URI; ``BarcodeError`` if it is none or is malformed.

    Query parameters that are not AIs (``linkType``, ``context``…) are ignored. A GTIN in
    the path may have 8, 12 or 13 digits; it is given as the 14 digits of AI (01).
    """
    start = _start(text)
    found = _segments(text)
    if start is None or found is None:
        raise BarcodeError(_("This web address holds no GS1 key such as /01/ followed by a GTIN."))
    segments, query = found
    path = segments[start:]
    if len(path) % 2:
        raise BarcodeError(
            _("The GS1 web address ends with “{segment}” but no value after it.").format(
                segment=unquote(path[-1])
            )
        )
    fields: list[AIValue] = []
    for index in range(0, len(path), 2):
        key = _key(path[index])
        if key is None:
            raise BarcodeError(
                _("“{segment}” in the GS1 web address is no Application Identifier.").format(
                    segment=unquote(path[index])
                )
            )
        fields.append(_field(key, unquote(path[index + 1]), today))
    for pair in query.split("&"):
        name, _sep, value = pair.partition("=")
        key = _key(unquote(name))
        if key is None or not name:
            continue  # not an AI: a Digital Link may carry other parameters
        fields.append(_field(key, unquote(value), today))
    return without_repeats(fields)


def _field(key: str, value: str, today: dt.date | None) -> AIValue:
    spec = definition(key)
    if spec.ai == "01" and value.isascii() and value.isdigit() and len(value) in (8, 12, 13):
        value = value.zfill(14)
    return read_value(spec, value, today)


def to_digital_link(ais: tuple[AIValue, ...], host: str = "https://id.gs1.org") -> str:
    """A Digital Link URI for ``ais``: the first primary key and its qualifiers in the path."""
    primary = next((f for f in ais if f.ai in PRIMARY_KEYS), None)
    if primary is None:
        raise BarcodeError(_("A GS1 web address needs a GTIN, SSCC or GLN."))
    qualifiers = {"01": ("22", "10", "21"), "414": ("254",)}.get(primary.ai, ())
    path = [primary]
    path += [f for q in qualifiers for f in ais if f.ai == q]
    rest = [f for f in ais if f not in path and f.ai in AI_TABLE]
    uri = host.rstrip("/") + "".join(f"/{f.ai}/{quote(f.value, safe='')}" for f in path)
    if rest:
        uri += "?" + "&".join(f"{f.ai}={quote(f.value, safe='')}" for f in rest)
    return uri
