"""What customers and suppliers have in common: a unique code, a name, an e-mail and
an address checked the same way, and a register kept the same way (create or update
with an audit record, list in code order, find by code in any case).

The messages that name the kind of party ("Give the supplier a code…") stay with the
caller, so each register still says what it keeps.
"""

from __future__ import annotations

import re
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import Customer, Supplier
from app.services.errors import NotFoundError
from app.services.users import UserId, record_audit

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/&+-]{0,39}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

PartyModel = TypeVar("PartyModel", Customer, Supplier)


def clean_code(
    session: Session,
    model: type[PartyModel],
    code: str,
    party_id: int | None,
    errors: dict[str, str],
    *,
    missing: str,
    malformed: str,
    taken: str,
) -> str:
    """The code trimmed; ``errors["code"]`` set when it is ``missing``, ``malformed`` or
    ``taken`` (another party of this kind has it, in any case; ``taken`` may name it as
    ``{code}``)."""
    code = code.strip()
    if not code:
        errors["code"] = missing
    elif not CODE_PATTERN.match(code):
        errors["code"] = malformed
    else:
        clash = session.scalar(
            select(model.id).where(
                func.upper(model.code) == code.upper(), model.id != (party_id or 0)
            )
        )
        if clash is not None:
            errors["code"] = taken.format(code=code)
    return code


def clean_name(name: str, errors: dict[str, str], *, missing: str) -> str:
    """The name with its white space folded; ``errors["name"]`` set when it is empty
    (``missing``) or too long."""
    name = " ".join(name.split())
    if not name:
        errors["name"] = missing
    elif len(name) > 200:
        errors["name"] = _("A name can be at most 200 characters.")
    return name


def clean_email(email: str, errors: dict[str, str]) -> str:
    """The e-mail address trimmed (it may be empty); ``errors["email"]`` set when it is
    not one."""
    email = email.strip()
    if email and (len(email) > 200 or not EMAIL_PATTERN.match(email)):
        errors["email"] = _("“{value}” is not an e-mail address, e.g. orders@example.com.").format(
            value=email
        )
    return email


def clean_address(address: str, errors: dict[str, str]) -> str:
    """The postal address trimmed; ``errors["address"]`` set when it is too long."""
    address = address.strip()
    if len(address) > 500:
        errors["address"] = _("An address can be at most 500 characters.")
    return address


def save_party(
    session: Session,
    user_id: UserId,
    model: type[PartyModel],
    clean: dict[str, object],
    party_id: int | None,
    *,
    entity: str,
    not_found: str,
) -> PartyModel:
    """Create a party from ``clean`` values (``party_id`` None) or update one, and record
    it in the audit trail as ``entity``; ``not_found`` (which may name the ``{id}``) when
    there is no such party."""
    if party_id is None:
        party = model(**clean)
        session.add(party)
        action = "create"
    else:
        found = session.get(model, party_id)
        if found is None:
            raise NotFoundError(not_found.format(id=party_id))
        party = found
        for key, value in clean.items():
            setattr(party, key, value)
        action = "update"
    session.flush()
    record_audit(session, user_id, action, entity, party.id, {"code": party.code})
    return party


def list_parties(
    session: Session, model: type[PartyModel], include_inactive: bool
) -> list[PartyModel]:
    """Every party of this kind in code order (only the active ones unless asked)."""
    query = select(model).order_by(model.code)
    if not include_inactive:
        query = query.where(model.active.is_(True))
    return list(session.scalars(query))


def find_party(session: Session, model: type[PartyModel], code: str) -> PartyModel | None:
    """The party of this kind with this code (case-insensitive), if any."""
    return session.scalar(select(model).where(func.upper(model.code) == code.strip().upper()))
