"""Users as the rest of Hylla sees them, and the audit trail's writer."""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass
from typing import Any, NewType

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEvent, Role, User, utcnow

UserId = NewType("UserId", int)


@dataclass(frozen=True)
class UserRef:
    """Who is working."""

    id: UserId
    username: str
    display_name: str
    role: Role


def _ref(user: User) -> UserRef:
    return UserRef(UserId(user.id), user.username, user.display_name or user.username, user.role)


def workstation_user(session: Session, username: str | None = None) -> UserRef:
    """The user this workstation posts as, created on first use.

    Until sign-in exists the operating-system account names the user; the first user
    of a database becomes its administrator. No password is set here, so there is no
    default password to leak.
    """
    name = (username or getpass.getuser() or "hylla").strip()[:64] or "hylla"
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        first = session.scalar(select(User.id).limit(1)) is None
        user = User(username=name, display_name=name, role=Role.ADMIN if first else Role.STAFF)
        session.add(user)
        session.flush()
        record_audit(session, UserId(user.id), "create", "user", user.id, {"username": name})
    return _ref(user)


def record_audit(
    session: Session,
    user_id: UserId | None,
    action: str,
    entity: str,
    entity_id: int | None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one audit event in the caller's transaction."""
    session.add(
        AuditEvent(
            at=utcnow(),
            user_id=user_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            details=json.dumps(details or {}, default=str, ensure_ascii=False, sort_keys=True),
        )
    )
