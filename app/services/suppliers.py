"""Suppliers: create, edit and list the companies Hylla buys from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from app.i18n import _
from app.models import Role, Supplier
from app.services.auth import require_role
from app.services.errors import FieldErrors, ValidationError
from app.services.ledger import parse_money
from app.services.parties import (
    clean_address,
    clean_code,
    clean_email,
    clean_name,
    find_party,
    list_parties,
    save_party,
)
from app.services.settings import get_setting
from app.services.users import UserId

CURRENCY_PATTERN = re.compile(r"^[A-Z]{3}$")
DEFAULT_LEAD_TIME_DAYS = 7


@dataclass(frozen=True)
class SupplierInput:
    """Everything the supplier editor or an import says about a supplier (text as typed).

    An empty ``currency`` means the company's currency (setting ``currency``).
    """

    code: str
    name: str
    email: str = ""
    address: str = ""
    lead_time_days: str | int = DEFAULT_LEAD_TIME_DAYS
    min_order_value: str | Decimal = "0"
    currency: str = ""
    active: bool = True


@dataclass(frozen=True)
class SupplierRow:
    """A stored supplier."""

    id: int
    code: str
    name: str
    email: str
    address: str
    lead_time_days: int
    min_order_value: Decimal
    currency: str
    active: bool


def _row(supplier: Supplier) -> SupplierRow:
    return SupplierRow(
        id=supplier.id,
        code=supplier.code,
        name=supplier.name,
        email=supplier.email,
        address=supplier.address,
        lead_time_days=supplier.lead_time_days,
        min_order_value=supplier.min_order_value,
        currency=supplier.currency,
        active=supplier.active,
    )


def _lead_time(value: str | int, errors: dict[str, str]) -> int:
    text = str(value).strip()
    if not text:
        return DEFAULT_LEAD_TIME_DAYS
    try:
        days = int(text)
    except ValueError:
        days = -1
    if days < 0 or days > 3650:
        errors["lead_time_days"] = _("Lead time is a whole number of days, e.g. 7.")
        return DEFAULT_LEAD_TIME_DAYS
    return days


def validate_supplier(
    session: Session, data: SupplierInput, supplier_id: int | None = None
) -> dict[str, object]:
    """Check every field; return the clean values or raise FieldErrors naming each field."""
    errors: dict[str, str] = {}
    code = clean_code(
        session,
        Supplier,
        data.code,
        supplier_id,
        errors,
        missing=_("Give the supplier a code, e.g. ACME."),
        malformed=_(
            "A supplier code is up to 40 letters, digits and . _ / & + - (no spaces), e.g. ACME."
        ),
        taken=_("There is already a supplier {code}."),
    )
    name = clean_name(data.name, errors, missing=_("Give the supplier a name."))
    email = clean_email(data.email, errors)
    address = clean_address(data.address, errors)
    lead_time = _lead_time(data.lead_time_days, errors)
    min_order_value = Decimal(0)
    text = data.min_order_value
    if not (isinstance(text, str) and not text.strip()):
        try:
            min_order_value = parse_money(text, field="min_order_value")
        except ValidationError as exc:
            errors["min_order_value"] = exc.message
    currency = data.currency.strip().upper() or get_setting(session, "currency") or "SEK"
    if not CURRENCY_PATTERN.match(currency):
        errors["currency"] = _("A currency is a three-letter code, e.g. SEK or EUR.")
    if errors:
        raise FieldErrors(errors)
    return {
        "code": code,
        "name": name,
        "email": email,
        "address": address,
        "lead_time_days": lead_time,
        "min_order_value": min_order_value,
        "currency": currency,
        "active": bool(data.active),
    }


def save_supplier(
    session: Session, user_id: UserId, data: SupplierInput, supplier_id: int | None = None
) -> SupplierRow:
    """Create a supplier (``supplier_id`` None) or update one; all fields or nothing."""
    require_role(session, user_id, Role.MANAGER, _("create or change suppliers"))
    clean = validate_supplier(session, data, supplier_id)
    supplier = save_party(
        session,
        user_id,
        Supplier,
        clean,
        supplier_id,
        entity="supplier",
        not_found=_("Supplier {id} does not exist."),
    )
    return _row(supplier)


def list_suppliers(session: Session, include_inactive: bool = True) -> list[SupplierRow]:
    """Every supplier in code order."""
    return [_row(supplier) for supplier in list_parties(session, Supplier, include_inactive)]


def find_supplier(session: Session, code: str) -> SupplierRow | None:
    """The supplier with this code (case-insensitive), if any."""
    supplier = find_party(session, Supplier, code)
    return _row(supplier) if supplier else None
