"""Scans: what a scanned text means in this warehouse — an item (and how many), a bin, or why
not.

``resolve_scan`` runs on every scan, inside the scanner's feedback budget, so it finds a
known code with one to three indexed questions (only a text about to be reported unknown
costs a fourth, case-blind look at the SKUs; a lot's stored expiry comes with the barcode
question) and never raises for bad input: an unreadable code is
``outcome="invalid"`` with the reason. A lot that expired before today is found all the
same (a return, stock to write down) with a ``warning``. ``link_barcode`` teaches Hylla an
unknown code, through the item rules every other edit goes through.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

from babel.dates import format_date
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.barcodes.errors import BarcodeError
from app.barcodes.gtin import display_gtin, gtin_forms
from app.barcodes.scan import ScanData, parse_scan
from app.i18n import _, format_number, locale_name
from app.models import Barcode, Item, Location, LocationKind, Lot
from app.services.errors import FieldErrors, ValidationError
from app.services.items import BarcodeInput, ItemDetail, ItemInput, get_item, save_item
from app.services.ledger import parse_quantity
from app.services.users import UserId

Outcome = Literal["item", "bin", "unknown", "invalid"]
ONE = Decimal(1)


@dataclass(frozen=True)
class ScanResult:
    """A scan and what it is here.

    ``pack_qty`` is what one scan of the matched code counts (a carton code counts its
    pack); ``quantity`` is that times the GS1 count (AI 37, else 30) when the code has
    one. ``message`` is one line for the worker; ``problem`` says what is wrong, if
    anything (an unknown or invalid code, an inactive item). ``expired_on`` is the lot's
    expiry (from the code's (17), else the lot's record) when it is before today, and
    ``warning`` then says so: the scan is usable, but the worker must see it.
    """

    raw: str
    outcome: Outcome
    message: str
    problem: str | None = None
    scan: ScanData | None = None
    item_id: int | None = None
    sku: str | None = None
    item_name: str | None = None
    unit: str | None = None
    lot_tracked: bool = False
    matched_code: str | None = None
    pack_qty: Decimal = ONE
    quantity: Decimal = ONE
    lot: str | None = None
    expiry: dt.date | None = None
    serial: str | None = None
    bin_id: int | None = None
    bin_code: str | None = None
    expired_on: dt.date | None = None
    warning: str | None = None

    @property
    def ok(self) -> bool:
        """True when the scan found an item or bin and nothing is wrong with it."""
        return self.outcome in ("item", "bin") and self.problem is None


def short_date(value: dt.date) -> str:
    """A date as the user's language writes it short (``08/07/2025``, ``2025-07-08``)."""
    return format_date(value, format="short", locale=locale_name())


def _number(value: Decimal) -> str:
    """A quantity as people write it: ``12``, ``1.25`` (no exponent, no trailing zeros)."""
    return format(value.normalize(), "f")


def _candidates(scan: ScanData) -> tuple[str, ...]:
    """The codes an item's barcode may be stored as, most specific first.

    The code as scanned, then the GTIN in its 14-, 13-, 12- and 8-digit forms, so an EAN
    stored as 13 digits is found from a GS1 code's (01) and a UPC-E from its UPC-A.
    """
    found: list[str] = []
    if scan.kind in ("gtin", "text"):
        found.append(scan.code)
    if scan.gtin14 is not None:
        found += [form for form in gtin_forms(scan.gtin14) if form not in found]
        stripped = scan.gtin14.lstrip("0")
        if stripped and stripped not in found:
            found.append(stripped)
    return tuple(found)


def _shown_code(scan: ScanData) -> str:
    """The code to name in a message: the GTIN as printed, else what was scanned."""
    if scan.kind == "gs1" and scan.gtin14 is not None:
        return display_gtin(scan.gtin14)
    return scan.code


def _item_message(result: ScanResult) -> str:
    parts = [result.item_name or ""]
    if result.quantity != ONE:
        parts[0] += " " + _("×{qty}").format(qty=format_number(result.quantity))
    if result.lot:
        parts.append(_("lot {lot}").format(lot=result.lot))
    if result.serial:
        parts.append(_("serial {serial}").format(serial=result.serial))
    if result.expired_on:
        parts.append(_("EXPIRED {date}").format(date=short_date(result.expired_on)))
    elif result.expiry:
        parts.append(_("expires {date}").format(date=result.expiry.isoformat()))
    return " · ".join(parts)


def _bin_message(code: str, name: str) -> str:
    text = _("Bin {code}").format(code=code)
    return f"{text} · {name}" if name else text


def _find_bin(session: Session, code: str) -> tuple[int, str, str] | None:
    # Bin codes are stored upper case (locations and imports make them so): an equality
    # on the unique index, not a scan of upper(code).
    row = session.execute(
        select(Location.id, Location.code, Location.name).where(
            Location.code.in_({code, code.upper()}),
            Location.kind == LocationKind.INTERNAL,
        )
    ).first()
    return (row[0], row[1], row[2]) if row is not None else None


def _case_variants(code: str) -> set[str]:
    """The ways case may have changed a SKU on its way from the label.

    As typed, upper, lower, and every letter flipped (Caps Lock on while the scanner
    types). Looked up on the SKU's unique index, which ``lower(sku) = …`` cannot use: at
    20,000 items that is the difference between well under a millisecond and several.
    """
    return {code, code.upper(), code.lower(), code.swapcase()}


_ITEM_COLUMNS = (Item.id, Item.sku, Item.name, Item.unit, Item.lot_tracked, Item.active)


def resolve_scan(session: Session, text: str, today: dt.date | None = None) -> ScanResult:
    """What ``text`` (as the scanner sent it) is here: item, bin, unknown or invalid.

    An item is found by its barcodes (the scanned code, then its other GTIN forms);
    plain text is also a bin's code or a SKU, in any case. A lot that expired before
    ``today`` (default: today here) comes with a warning. Never raises for bad input.
    """
    try:
        scan = parse_scan(text)
    except BarcodeError as exc:
        return ScanResult(
            raw=text, outcome="invalid", message=_("Barcode not understood"), problem=exc.message
        )
    base = ScanResult(
        raw=text,
        outcome="unknown",
        message="",
        scan=scan,
        lot=scan.lot,
        expiry=scan.expiry,
        serial=scan.serial,
    )
    candidates = _candidates(scan)
    if candidates:
        query = (
            select(Barcode.code, Barcode.pack_qty, *_ITEM_COLUMNS)
            .join(Item, Item.id == Barcode.item_id)
            .where(Barcode.code.in_(candidates))
        )
        if scan.lot and scan.expiry is None:
            # A lot without a (17) on the label: its stored expiry, in the same question.
            query = query.add_columns(Lot.expiry).outerjoin(
                Lot, (Lot.item_id == Item.id) & (Lot.code == scan.lot)
            )
        rows = session.execute(query).all()
        if rows:
            best = min(rows, key=lambda row: candidates.index(row[0]))
            code, pack_qty, item_id, sku, name, unit, lot_tracked, active = best[:8]
            stored = best[8] if len(best) > 8 else None
            result = _item_result(
                scan, base, item_id, sku, name, unit, lot_tracked, active, code, pack_qty
            )
            return _flag_expired(result, scan.expiry or stored, today)
    if scan.kind == "text":
        found_bin = _find_bin(session, scan.code)
        if found_bin is not None:
            bin_id, bin_code, bin_name = found_bin
            return ScanResult(
                raw=text,
                outcome="bin",
                message=_bin_message(bin_code, bin_name),
                scan=scan,
                bin_id=bin_id,
                bin_code=bin_code,
            )
        row = session.execute(
            select(*_ITEM_COLUMNS).where(Item.sku.in_(_case_variants(scan.code)))
        ).first()
        if row is None and scan.code.lower() != scan.code.upper():
            # A mixed-case SKU typed in some other mix: SKUs are unique regardless of
            # case, so this finds at most one. Only a code about to be reported unknown
            # pays for this scan.
            row = session.execute(
                select(*_ITEM_COLUMNS).where(func.lower(Item.sku) == scan.code.lower())
            ).first()
        if row is not None:
            item_id, sku, name, unit, lot_tracked, active = row
            return _item_result(
                scan, base, item_id, sku, name, unit, lot_tracked, active, None, ONE
            )
    return _unknown(scan, base)


def _flag_expired(result: ScanResult, expiry: dt.date | None, today: dt.date | None) -> ScanResult:
    """``result`` with a warning when ``expiry`` (the label's (17), which is what the
    worker holds, else the lot's stored expiry) is before ``today``."""
    if expiry is None or expiry >= (today or dt.date.today()):
        return result
    date = short_date(expiry)
    warning = (
        _("Lot {lot} expired on {date}. Do not pick or ship it.").format(lot=result.lot, date=date)
        if result.lot
        else _("These goods expired on {date}. Do not pick or ship them.").format(date=date)
    )
    flagged = replace(result, expired_on=expiry, warning=warning)
    return _with_message(flagged, _item_message(flagged))


def _item_result(
    scan: ScanData,
    base: ScanResult,
    item_id: int,
    sku: str,
    name: str,
    unit: str,
    lot_tracked: bool,
    active: bool,
    code: str | None,
    pack_qty: Decimal,
) -> ScanResult:
    count = scan.count
    result = ScanResult(
        raw=base.raw,
        outcome="item",
        message="",
        scan=scan,
        item_id=item_id,
        sku=sku,
        item_name=name,
        unit=unit,
        lot_tracked=lot_tracked,
        matched_code=code,
        pack_qty=pack_qty,
        quantity=pack_qty * count if count is not None else pack_qty,
        lot=base.lot,
        expiry=base.expiry,
        serial=base.serial,
        problem=None if active else _("Item {sku} is inactive.").format(sku=sku),
    )
    return _with_message(result, _item_message(result))


def _with_message(result: ScanResult, message: str) -> ScanResult:
    return replace(result, message=message)


def _unknown(scan: ScanData, base: ScanResult) -> ScanResult:
    code = _shown_code(scan)
    if scan.kind == "sscc":
        problem = _(
            "Pallet code (SSCC) {sscc}: Hylla does not track pallets; scan the item's own barcode."
        ).format(sscc=scan.sscc)
    elif scan.kind == "gs1" and scan.gtin14 is None:
        problem = _("This GS1 code holds no item number (GTIN); scan the item's own barcode.")
    elif scan.kind == "text":
        problem = _("{code} is not a barcode, SKU or bin that Hylla knows.").format(code=code)
    else:
        problem = _("Barcode {code} is not linked to an item.").format(code=code)
    return _with_message(
        ScanResult(
            raw=base.raw,
            outcome="unknown",
            message="",
            problem=problem,
            scan=scan,
            lot=base.lot,
            expiry=base.expiry,
            serial=base.serial,
        ),
        _("Unknown barcode {code}").format(code=code),
    )


def _code_to_store(scan: ScanData) -> str:
    """The code an item keeps for a scan: its GTIN as printed, or the scanned text."""
    if scan.kind == "sscc":
        raise ValidationError(
            _(
                "A pallet code (SSCC) belongs to one pallet, not to an item; scan the item's "
                "own barcode."
            ),
            field="code",
        )
    if scan.gtin14 is None and scan.kind == "gs1":
        raise ValidationError(_("This GS1 code holds no item number (GTIN) to link."), field="code")
    if scan.kind == "gtin" and scan.gtin14 is not None:
        if scan.gtin14 != scan.code.zfill(14):
            # A UPC-E: keep the UPC-A, which every other way of scanning it also gives.
            return scan.gtin14[2:]
        return scan.code
    if scan.gtin14 is not None:
        return display_gtin(scan.gtin14)
    return scan.code


def _input_from(detail: ItemDetail, barcodes: tuple[BarcodeInput, ...]) -> ItemInput:
    """The item as it is, with ``barcodes`` (supplier terms left as they are)."""
    return ItemInput(
        sku=detail.sku,
        name=detail.name,
        unit=detail.unit,
        category=detail.category,
        sales_price=detail.sales_price,
        policy=detail.policy,
        min_qty=detail.min_qty,
        max_qty=detail.max_qty,
        order_qty=detail.order_qty,
        service_level=detail.service_level,
        lot_tracked=detail.lot_tracked,
        shelf_life_days=detail.shelf_life_days,
        allow_negative=detail.allow_negative,
        active=detail.active,
        default_location=detail.default_location,
        barcodes=barcodes,
        supplier_items=None,
    )


def link_barcode(
    session: Session,
    user_id: UserId,
    item_id: int,
    code: str,
    pack_qty: str | Decimal = "1",
) -> ScanResult:
    """Add a scanned code to an item (``pack_qty`` units per scan) and resolve it again.

    ``code`` is the text as scanned: a GS1 code links its GTIN, so the lot and expiry on
    the scanned label carry through to the returned result. Refused (ValidationError,
    FieldErrors, NotFoundError) for an unreadable code, a pallet code, a bin's code, or
    a code another item already has.
    """
    pack = parse_quantity(pack_qty, field="pack_qty")
    try:
        scan = parse_scan(code)
    except BarcodeError as exc:
        raise ValidationError(exc.message, field="code") from exc
    stored = _code_to_store(scan)
    if scan.kind == "text":
        found_bin = _find_bin(session, stored)
        if found_bin is not None:
            raise ValidationError(
                _("{code} is the code of bin {bin}; it cannot also be an item's barcode.").format(
                    code=stored, bin=found_bin[1]
                ),
                field="code",
            )
    detail = get_item(session, item_id)
    kept = tuple(
        BarcodeInput(b.code, b.pack_qty, b.label) for b in detail.barcodes if b.code != stored
    )
    label = next((b.label for b in detail.barcodes if b.code == stored), "")
    try:
        save_item(
            session,
            user_id,
            _input_from(detail, (*kept, BarcodeInput(stored, pack, label))),
            item_id,
        )
    except FieldErrors as exc:
        new_key = f"barcodes.{len(kept)}"
        if new_key in exc.errors:
            raise FieldErrors({"code": exc.errors[new_key]}) from exc
        raise
    return resolve_scan(session, code)


def _plain(value: object) -> object:
    """A JSON-ready form of a parsed GS1 value (dates ISO, decimals exact as text)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return _number(value)
    return value


def scan_report(result: ScanResult) -> dict[str, object]:
    """Everything a scan was read as, as plain JSON-ready data (for scripts and support).

    Keys are fixed English identifiers; ``message``, ``problem`` and ``warning`` are in
    the user's language. Quantities and dates are strings, so nothing is lost to float.
    """
    scan = result.scan
    return {
        "text": result.raw,
        "outcome": result.outcome,
        "message": result.message,
        "problem": result.problem,
        "warning": result.warning,
        "symbology": scan.symbology if scan else None,
        "symbology_id": scan.symbology_id if scan else None,
        "kind": scan.kind if scan else None,
        "form": scan.form if scan else None,
        "code": scan.code if scan else None,
        "gtin": scan.gtin14 if scan else None,
        "sscc": scan.sscc if scan else None,
        "ais": [
            {"ai": f.ai, "title": f.title, "value": f.value, "parsed": _plain(f.parsed)}
            for f in (scan.ais if scan else ())
        ],
        "lot": result.lot,
        "expiry": _plain(result.expiry) if result.expiry else None,
        "serial": result.serial,
        "count": _plain(scan.count) if scan and scan.count is not None else None,
        "item": None
        if result.item_id is None
        else {
            "id": result.item_id,
            "sku": result.sku,
            "name": result.item_name,
            "unit": result.unit,
            "barcode": result.matched_code,
            "pack_qty": _number(result.pack_qty),
            "quantity": _number(result.quantity),
        },
        "bin": None if result.bin_id is None else {"id": result.bin_id, "code": result.bin_code},
    }
