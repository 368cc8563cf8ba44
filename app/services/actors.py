"""The user a service acts for, as the database knows them now.

Services that decide by role (who may approve a count variance or a write-down) read
the user's role and whether they are still active from the database at the moment of
acting, never from what the caller says about them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import Role, User
from app.services.errors import NotAllowedError, NotFoundError
from app.services.users import UserId


@dataclass(frozen=True)
class Actor:
    """An active user: id, the name people know them by, and their role."""

    id: UserId
    name: str
    role: Role

    @property
    def manager(self) -> bool:
        """Whether the user may do what needs a manager (managers and administrators)."""
        return self.role in (Role.MANAGER, Role.ADMIN)


def load_actor(session: Session, user_id: int, *, inactive: str) -> Actor:
    """The user as stored now; ``NotAllowedError(inactive)`` for a deactivated one
    (``inactive`` may name them as ``{name}``, and says what they cannot do)."""
    row = session.execute(
        select(User.display_name, User.username, User.role, User.active).where(User.id == user_id)
    ).first()
    if row is None:
        raise NotFoundError(_("User {id} does not exist.").format(id=user_id))
    display, username, role, active = row
    name = display or username
    if not active:
        raise NotAllowedError(inactive.format(name=name))
    return Actor(UserId(user_id), name, role)
