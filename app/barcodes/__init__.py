"""Barcodes: GS1 check digits and parsing, label rendering. No Qt, no database.

The scanning API in one place: ``parse_scan`` reads a scanned text into ``ScanData``;
``format_hri`` and ``to_element_string`` write GS1 fields for a label.
"""

from __future__ import annotations

from app.barcodes.errors import BarcodeError
from app.barcodes.gs1 import GS, AIValue, ai_value, format_hri, to_element_string
from app.barcodes.scan import ScanData, parse_scan

__all__ = [
    "GS",
    "AIValue",
    "BarcodeError",
    "ScanData",
    "ai_value",
    "format_hri",
    "parse_scan",
    "to_element_string",
]
