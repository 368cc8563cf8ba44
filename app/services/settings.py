"""Application settings stored in the database, shared by every workstation."""

from __future__ import annotations

import enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import Role, Setting
from app.services.auth import require_role
from app.services.errors import ValidationError
from app.services.users import UserId, record_audit


class CostingMethod(enum.StrEnum):
    """How issues are valued. (LIFO is not allowed under IAS 2 or Swedish law.)"""

    FIFO = "fifo"
    AVERAGE = "average"


DEFAULTS: dict[str, str] = {
    "costing_method": CostingMethod.FIFO.value,
    "company_name": "",
    "currency": "SEK",
    "company_address": "",
    "company_email": "",
    # Receiving: how far above the ordered quantity a line may go before it asks (percent).
    "receiving_over_tolerance_percent": "10",
}


def get_setting(session: Session, key: str) -> str:
    """The stored value of ``key``, or its default."""
    cache: dict[str, str] = session.info.setdefault("hylla_settings", {})
    if key not in cache:
        value = session.scalar(select(Setting.value).where(Setting.key == key))
        cache[key] = value if value is not None else DEFAULTS.get(key, "")
    return cache[key]


def set_setting(session: Session, key: str, value: str) -> None:
    """Store ``value`` under ``key`` (validated for known keys)."""
    if key == "costing_method" and value not in {m.value for m in CostingMethod}:
        raise ValidationError(
            _("Costing method must be FIFO or weighted average."), field="costing_method"
        )
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    session.flush()
    session.info.setdefault("hylla_settings", {})[key] = value


def costing_method(session: Session) -> CostingMethod:
    """The valuation method in force."""
    return CostingMethod(get_setting(session, "costing_method"))


def change_setting(session: Session, user_id: int, key: str, value: str) -> None:
    """An administrator changes a shared setting; the change is in the audit trail."""
    require_role(session, user_id, Role.ADMIN, _("change settings"))
    before = get_setting(session, key)
    set_setting(session, key, value)
    if before != value:
        record_audit(
            session,
            UserId(user_id),
            "update",
            "setting",
            None,
            {"key": key, "value": [before, value]},
        )
