"""Customers: create, edit, find and list the companies and people Hylla sells to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NewType

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import Customer
from app.services.errors import FieldErrors, NotFoundError
from app.services.parties import (
    clean_address,
    clean_code,
    clean_email,
    clean_name,
    find_party,
    list_parties,
    save_party,
)
from app.services.users import UserId

CustomerId = NewType("CustomerId", int)

PHONE_PATTERN = re.compile(r"^[0-9+()\-. /]{3,40}$")


@dataclass(frozen=True)
class CustomerInput:
    """Everything the customer editor or an import says about a customer (text as typed)."""

    code: str
    name: str
    email: str = ""
    phone: str = ""
    address: str = ""
    active: bool = True


@dataclass(frozen=True)
class CustomerRow:
    """A stored customer."""

    id: CustomerId
    code: str
    name: str
    email: str
    phone: str
    address: str
    active: bool


def _row(customer: Customer) -> CustomerRow:
    return CustomerRow(
        id=CustomerId(customer.id),
        code=customer.code,
        name=customer.name,
        email=customer.email,
        phone=customer.phone,
        address=customer.address,
        active=customer.active,
    )


def validate_customer(
    session: Session, data: CustomerInput, customer_id: int | None = None
) -> dict[str, object]:
    """Check every field; return the clean values or raise FieldErrors naming each field."""
    errors: dict[str, str] = {}
    code = clean_code(
        session,
        Customer,
        data.code,
        customer_id,
        errors,
        missing=_("Give the customer a code, e.g. KUND01."),
        malformed=_(
            "A customer code is up to 40 letters, digits and . _ / & + - (no spaces), e.g. KUND01."
        ),
        taken=_("There is already a customer {code}."),
    )
    name = clean_name(data.name, errors, missing=_("Give the customer a name."))
    email = clean_email(data.email, errors)
    phone = data.phone.strip()
    if phone and not PHONE_PATTERN.match(phone):
        errors["phone"] = _(
            "“{value}” is not a phone number. Use digits, spaces and + ( ) -, e.g. 08-123 45 67."
        ).format(value=phone)
    address = clean_address(data.address, errors)
    if errors:
        raise FieldErrors(errors)
    return {
        "code": code,
        "name": name,
        "email": email,
        "phone": phone,
        "address": address,
        "active": bool(data.active),
    }


def save_customer(
    session: Session, user_id: UserId, data: CustomerInput, customer_id: int | None = None
) -> CustomerRow:
    """Create a customer (``customer_id`` None) or update one; all fields or nothing."""
    clean = validate_customer(session, data, customer_id)
    customer = save_party(
        session,
        user_id,
        Customer,
        clean,
        customer_id,
        entity="customer",
        not_found=_("Customer {id} does not exist."),
    )
    return _row(customer)


def get_customer(session: Session, customer_id: int) -> CustomerRow:
    """One customer."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFoundError(_("Customer {id} does not exist.").format(id=customer_id))
    return _row(customer)


def list_customers(session: Session, include_inactive: bool = True) -> list[CustomerRow]:
    """Every customer in code order."""
    return [_row(customer) for customer in list_parties(session, Customer, include_inactive)]


def find_customer(session: Session, code: str) -> CustomerRow | None:
    """The customer with this code (case-insensitive), if any."""
    customer = find_party(session, Customer, code)
    return _row(customer) if customer else None


def search_customers(session: Session, text: str, limit: int = 20) -> list[CustomerRow]:
    """Active customers whose code or name contains ``text`` (any case), exact code first.

    For the order screen's customer field: type a few letters, pick from the list. The
    match is made in Python with Unicode case folding, because SQLite's lower() knows only
    ASCII ("åsen" would not find "Åsen"); a customer register is small enough for that.
    """
    needle = text.strip().casefold()
    rows = session.execute(
        select(Customer.id, Customer.code, Customer.name).where(Customer.active.is_(True))
    ).tuples()
    found = [
        (code.casefold() != needle, name.casefold(), code, customer_id)
        for customer_id, code, name in rows
        if needle in code.casefold() or needle in name.casefold()
    ]
    found.sort()
    ids = [customer_id for *_key, customer_id in found[:limit]]
    by_id = {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(ids)))}
    return [_row(by_id[customer_id]) for customer_id in ids]
