"""What a scanned text is: a GTIN, a GS1 code (any of its three written forms), an SSCC,
or plain text such as a bin label — with the symbology identifier the scanner put first.

``parse_scan`` never looks anything up; ``app.services.scanning`` says what the result
means in this warehouse.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

from app.barcodes.digital_link import is_digital_link, parse_digital_link
from app.barcodes.errors import BarcodeError
from app.barcodes.gs1 import GS, AIValue, parse_element_string, parse_hri
from app.barcodes.gtin import (
    check_digit,
    expand_upce,
    gtin_problem,
    has_valid_check_digit,
    sscc_problem,
    upce_body,
)
from app.barcodes.symbology import Symbology, split_symbology
from app.i18n import _

ScanKind = Literal["gtin", "gs1", "sscc", "text"]
ScanForm = Literal["plain", "element_string", "hri", "digital_link"]

# A GS1 string from a scanner that sends neither a symbology identifier nor FNC1 first:
# (00) with an 18-digit SSCC or (01)/(02) with a 14-digit GTIN, then more.
_BARE_GS1 = re.compile(r"^(?:00\d{18}|0[12]\d{14})")
_HRI_START = re.compile(r"^\(\d{2,4}\)")
# Whitespace a scanner's suffix or a hand-typed code may add around the data (never GS).
_SURROUNDING = " \t\r\n"


@dataclass(frozen=True)
class ScanData:
    """A scanned text, read.

    ``code`` is the data as scanned, after the symbology identifier; ``gtin14`` the
    item number it carries as 14 digits (AI 01, else AI 02 "content" of a logistic unit;
    a UPC-E is given as its UPC-A). ``ais`` holds every GS1 field of a GS1 code.
    """

    raw: str
    symbology: str | None
    symbology_id: str | None
    kind: ScanKind
    code: str
    form: ScanForm = "plain"
    gtin14: str | None = None
    ais: tuple[AIValue, ...] = ()

    def field(self, ai: str) -> AIValue | None:
        """The field with AI ``ai``, if the code has it."""
        return next((f for f in self.ais if f.ai == ai), None)

    def _first(self, *ais: str) -> Decimal | dt.date | str | None:
        for ai in ais:
            found = self.field(ai)
            if found is not None:
                return found.parsed
        return None

    @property
    def lot(self) -> str | None:
        """BATCH/LOT, AI (10)."""
        value = self._first("10")
        return value if isinstance(value, str) else None

    @property
    def serial(self) -> str | None:
        """SERIAL, AI (21)."""
        value = self._first("21")
        return value if isinstance(value, str) else None

    @property
    def expiry(self) -> dt.date | None:
        """The date the goods must be used by: AI (17), else best before, AI (15)."""
        value = self._first("17", "15")
        return value if isinstance(value, dt.date) else None

    @property
    def best_before(self) -> dt.date | None:
        """BEST BEFORE, AI (15)."""
        value = self._first("15")
        return value if isinstance(value, dt.date) else None

    @property
    def production_date(self) -> dt.date | None:
        """PROD DATE, AI (11)."""
        value = self._first("11")
        return value if isinstance(value, dt.date) else None

    @property
    def count(self) -> Decimal | None:
        """How many units the code stands for: COUNT, AI (37), else VAR. COUNT, AI (30)."""
        value = self._first("37", "30")
        return value if isinstance(value, Decimal) else None

    @property
    def net_weight_kg(self) -> Decimal | None:
        """NET WEIGHT (kg), AI (310n), exact."""
        value = self._first(*(f"310{n}" for n in range(6)))
        return value if isinstance(value, Decimal) else None

    @property
    def sscc(self) -> str | None:
        """The pallet or parcel code: AI (00), or 18 scanned digits."""
        value = self._first("00")
        if isinstance(value, str):
            return value
        return self.code if self.kind == "sscc" else None

    @property
    def order_number(self) -> str | None:
        """ORDER NUMBER, AI (400)."""
        value = self._first("400")
        return value if isinstance(value, str) else None


def parse_scan(text: str, today: dt.date | None = None) -> ScanData:
    """Read a scanned (or typed) text; raise ``BarcodeError`` only for a malformed code.

    Plain text that is no GTIN or GS1 code (a bin label ``A-01-03``, a SKU) is
    ``kind="text"``; digits of a GTIN length with a wrong check digit are an error, never
    text. ``today`` fixes the century of GS1 dates (default: today).
    """
    stripped = text.strip(_SURROUNDING)
    if not stripped:
        raise BarcodeError(_("Nothing was scanned."))
    symbology, data = split_symbology(stripped)
    data = data.strip(_SURROUNDING)
    if not data:
        raise BarcodeError(_("The scan holds a symbology identifier but no data."))

    # Plain text until proven otherwise; the readers below replace what they find.
    result = ScanData(
        raw=text,
        symbology=symbology.name if symbology else None,
        symbology_id=symbology.identifier if symbology else None,
        kind="text",
        code=data,
    )

    if symbology is not None and symbology.identifier in ("]E0", "]E3", "]E4"):
        return _ean_upc(symbology, data, result)
    gs1_symbol = symbology is not None and symbology.gs1
    # Only GS1 symbols and scanners that send no identifier can carry element strings.
    may_be_gs1 = symbology is None or gs1_symbol
    if _HRI_START.match(data) and not gs1_symbol:
        return _gs1(parse_hri(data, today), "hri", result)
    if is_digital_link(data):
        return _gs1(parse_digital_link(data, today), "digital_link", result)
    if gs1_symbol or (may_be_gs1 and (data.startswith(GS) or (GS in data and data[0].isdigit()))):
        return _gs1(parse_element_string(data, today), "element_string", result)
    if data.isascii() and data.isdigit():
        plain = _digits(data, result)
        if plain is not None:
            return plain
    if may_be_gs1 and _BARE_GS1.match(data):
        return _gs1(parse_element_string(data, today), "element_string", result)
    return result


def _gs1(fields: tuple[AIValue, ...], form: ScanForm, result: ScanData) -> ScanData:
    gtin = next((f.value for f in fields if f.ai == "01"), None) or next(
        (f.value for f in fields if f.ai == "02"), None
    )
    kind: ScanKind = "sscc" if all(f.ai == "00" for f in fields) else "gs1"
    return replace(result, kind=kind, form=form, gtin14=gtin, ais=fields)


def _digits(data: str, result: ScanData) -> ScanData | None:
    """A GTIN or SSCC written as bare digits; None for a digit string of no GS1 length."""
    if len(data) == 8:
        if has_valid_check_digit(data):
            return replace(result, kind="gtin", gtin14=data.zfill(14))
        if data[0] in "01":
            upc_a = upce_body(data)
            if has_valid_check_digit(upc_a + data[-1]):
                return replace(result, kind="gtin", gtin14=expand_upce(data).zfill(14))
            # Without a symbology identifier it may be either symbol: give both digits.
            raise BarcodeError(
                _(
                    "The check digit of {code} should be {ean8} (as EAN-8) or {upce} (as UPC-E)."
                ).format(code=data, ean8=check_digit(data[:-1]), upce=check_digit(upc_a))
            )
        raise BarcodeError(
            _("The check digit of {code} should be {digit}.").format(
                code=data, digit=check_digit(data[:-1])
            )
        )
    if len(data) in (12, 13, 14):
        problem = gtin_problem(data)
        if problem:
            raise BarcodeError(problem)
        return replace(result, kind="gtin", gtin14=data.zfill(14))
    if len(data) == 18:
        problem = sscc_problem(data)
        if problem:
            raise BarcodeError(problem)
        return replace(result, kind="sscc")
    return None


def _ean_upc(symbology: Symbology, data: str, result: ScanData) -> ScanData:
    """The data of an EAN/UPC symbol: only digits of the lengths the symbol can hold."""
    digits = data.isascii() and data.isdigit()
    if symbology.identifier == "]E4" and digits and len(data) == 8:
        problem = gtin_problem(data)
        if problem:
            raise BarcodeError(problem)
        return replace(result, kind="gtin", gtin14=data.zfill(14))
    if symbology.identifier == "]E0" and digits and len(data) == 8:
        return replace(result, kind="gtin", gtin14=expand_upce(data).zfill(14), symbology="UPC-E")
    if symbology.identifier == "]E3" and digits and len(data) in (15, 18):
        # EAN-13 with a 2- or 5-digit add-on (issue number, price): the item is the EAN.
        problem = gtin_problem(data[:13])
        if problem:
            raise BarcodeError(problem)
        return replace(result, kind="gtin", gtin14=data[:13].zfill(14))
    if symbology.identifier == "]E0" and digits and len(data) in (12, 13):
        problem = gtin_problem(data)
        if problem:
            raise BarcodeError(problem)
        name = "UPC-A" if len(data) == 12 or data.startswith("0") else "EAN-13"
        return replace(result, kind="gtin", gtin14=data.zfill(14), symbology=name)
    raise BarcodeError(
        _("An EAN or UPC symbol holds 8, 12 or 13 digits, not “{code}”.").format(code=data)
    )
