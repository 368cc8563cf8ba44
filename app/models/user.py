"""Users, settings and the append-only audit trail."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Timestamp, utcnow
from app.models.enums import Role, enum_column


class User(Base):
    """A person who works in Hylla; every posting names one."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), default=Role.STAFF)
    password_hash: Mapped[str | None] = mapped_column(String(400))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    # Wrong passwords in a row; after a few the user is locked out for a while, so a
    # short PIN cannot be guessed at the sign-in dialog (app.services.auth).
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[Timestamp | None]
    last_sign_in_at: Mapped[Timestamp | None]


class AuditEvent(Base):
    """Who changed what and when. Rows are never updated or deleted (trigger)."""

    __tablename__ = "audit_event"
    # The audit viewer filters by who and by what was changed.
    __table_args__ = (
        Index("ix_audit_event_user", "user_id", "id"),
        Index("ix_audit_event_entity", "entity", "entity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[Timestamp] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    details: Mapped[str] = mapped_column(Text, default="")


class Setting(Base):
    """One application setting shared by every workstation on this database."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
