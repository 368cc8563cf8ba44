"""Reading the audit trail: who changed what and when, filtered, and exported as CSV.

The trail itself is written by :func:`app.services.users.record_audit` in the same
transaction as the change it records, and the database refuses to change or delete its
rows (triggers, migration 0001). Reading it is for managers and administrators: it
names who did what.

Dates in filters are the user's local days; the events are stored in UTC.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from app.i18n import N_, _
from app.models import AuditEvent, Role, User
from app.services.auth import require_role
from app.services.csvio import TableFormat, write_table
from app.services.errors import ValidationError

DEFAULT_LIMIT = 2000
MAX_TEXT = 200

ENTITY_LABELS: dict[str, str] = {
    "item": N_("Item"),
    "supplier": N_("Supplier"),
    "supplier_item": N_("Supplier item"),
    "location": N_("Bin"),
    "user": N_("User"),
    "setting": N_("Setting"),
    "purchase_order": N_("Purchase order"),
    "receipt": N_("Receipt"),
    "stock_count": N_("Count"),
    "import": N_("Import"),
    "abc": N_("ABC classes"),
    "database": N_("Database"),
    "customer": N_("Customer"),
    "customer_order": N_("Customer order"),
    "write_down": N_("Write-down"),
    "proposal": N_("Purchase proposal"),
    "purchase_need": N_("Purchase need"),
}
ACTION_LABELS: dict[str, str] = {
    "create": N_("created"),
    "update": N_("changed"),
    "cancel": N_("cancelled"),
    "start": N_("started"),
    "finish": N_("finished"),
    "post": N_("posted"),
    "approve": N_("approved"),
    "reject": N_("rejected"),
    "recount": N_("recount asked"),
    "send": N_("sent"),
    "add_line": N_("line added"),
    "update_line": N_("line changed"),
    "remove_line": N_("line removed"),
    "import": N_("imported"),
    "classify": N_("classified"),
    "sign_in": N_("signed in"),
    "sign_in_failed": N_("wrong password"),
    "lock": N_("locked out"),
    "unlock": N_("unlocked"),
    "activate": N_("activated"),
    "deactivate": N_("deactivated"),
    "set_password": N_("password set"),
    "change_password": N_("own password changed"),
    "create_admin": N_("administrator created"),
    "backup": N_("backed up"),
    "restore": N_("restored"),
    "confirm": N_("confirmed"),
    "allocate": N_("allocated"),
    "start_picking": N_("picking started"),
    "ship": N_("shipped"),
    "return": N_("returned"),
    "close": N_("closed"),
    "request": N_("requested"),
    "dismiss": N_("dismissed"),
    "order_days": N_("order days changed"),
    "mark_ordered": N_("marked ordered"),
}
EXPORT_FORMAT = TableFormat(
    "audit",
    ("at", "user", "action", "entity", "entity_id", "details"),
    frozenset(),
    frozenset({"user", "action", "entity", "details"}),
)


def entity_label(entity: str) -> str:
    """What kind of thing an event is about, for people (the code if unknown)."""
    label = ENTITY_LABELS.get(entity)
    return _(label) if label else entity.replace("_", " ")


def action_label(action: str) -> str:
    """What happened, for people (the code if unknown)."""
    label = ACTION_LABELS.get(action)
    return _(label) if label else action.replace("_", " ")


@dataclass(frozen=True)
class AuditFilter:
    """Which events to show; every field left empty matches everything."""

    user_id: int | None = None
    entity: str = ""
    action: str = ""
    entity_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    text: str = ""


@dataclass(frozen=True)
class AuditRow:
    """One event as the viewer shows it."""

    id: int
    at: dt.datetime
    user_id: int | None
    user_name: str
    action: str
    entity: str
    entity_id: int | None
    details: str

    @property
    def action_text(self) -> str:
        """What happened, in words."""
        return action_label(self.action)

    @property
    def entity_text(self) -> str:
        """What it happened to, in words."""
        return entity_label(self.entity)

    @property
    def details_text(self) -> str:
        """The details as ``key: value`` pairs (the stored JSON if it is not a dict)."""
        return details_summary(self.details)


@dataclass(frozen=True)
class AuditResult:
    """The newest matching events (at most the limit) and how many matched in all."""

    rows: tuple[AuditRow, ...]
    total: int

    @property
    def truncated(self) -> bool:
        """True when more events matched than are shown."""
        return self.total > len(self.rows)


@dataclass(frozen=True)
class AuditChoices:
    """What the viewer's filters can choose from."""

    users: tuple[tuple[int, str], ...]
    entities: tuple[str, ...]
    actions: tuple[str, ...]


def details_summary(details: str) -> str:
    """Stored JSON details as ``key: value, …`` for people."""
    try:
        data = json.loads(details) if details else {}
    except ValueError:
        return details
    if not isinstance(data, dict):
        return details
    parts = []
    for key, value in data.items():
        if isinstance(value, list) and len(value) == 2:
            shown = f"{value[0]} → {value[1]}"
        elif isinstance(value, (dict, list)):
            shown = json.dumps(value, ensure_ascii=False)
        else:
            shown = str(value)
        parts.append(f"{key}: {shown}")
    return ", ".join(parts)


def _local_midnight(day: dt.date) -> dt.datetime:
    # A naive datetime's astimezone() takes it as local time, daylight saving included.
    return dt.datetime.combine(day, dt.time()).astimezone().astimezone(dt.UTC)


def _check(filt: AuditFilter) -> None:
    if filt.date_from and filt.date_to and filt.date_from > filt.date_to:
        raise ValidationError(
            _("The “from” date is after the “to” date. Swap them or widen the range."),
            field="date_from",
        )
    if len(filt.text) > MAX_TEXT:
        raise ValidationError(
            _("Search for at most {n} characters.").format(n=MAX_TEXT), field="text"
        )


def _filtered(statement: Select[Any], filt: AuditFilter, sqlite: bool) -> Select[Any]:
    if filt.user_id is not None:
        statement = statement.where(AuditEvent.user_id == filt.user_id)
    if filt.entity:
        statement = statement.where(AuditEvent.entity == filt.entity)
    if filt.action:
        statement = statement.where(AuditEvent.action == filt.action)
    if filt.entity_id is not None:
        statement = statement.where(AuditEvent.entity_id == filt.entity_id)
    if filt.date_from is not None:
        statement = statement.where(AuditEvent.at >= _local_midnight(filt.date_from))
    if filt.date_to is not None:
        statement = statement.where(
            AuditEvent.at < _local_midnight(filt.date_to + dt.timedelta(days=1))
        )
    text = filt.text.strip()
    if text:
        # SQLite's lower() folds ASCII only; the connection's hylla_fold() is Python's
        # casefold, so "ÅSA" finds "Åsa" there as lower() does on PostgreSQL.
        fold = func.hylla_fold if sqlite else func.lower
        text = text.casefold() if sqlite else text.lower()
        statement = statement.where(
            or_(
                fold(AuditEvent.details).contains(text, autoescape=True),
                fold(AuditEvent.action).contains(text, autoescape=True),
                fold(AuditEvent.entity).contains(text, autoescape=True),
                fold(func.coalesce(User.username, "")).contains(text, autoescape=True),
                fold(func.coalesce(User.display_name, "")).contains(text, autoescape=True),
            )
        )
    return statement


def _base() -> Select[Any]:
    return select(AuditEvent, User.display_name, User.username).outerjoin(
        User, User.id == AuditEvent.user_id
    )


def _rows(session: Session, filt: AuditFilter, limit: int | None) -> list[AuditRow]:
    sqlite = session.get_bind().dialect.name == "sqlite"
    statement = _filtered(_base(), filt, sqlite).order_by(AuditEvent.id.desc())
    if limit is not None:
        statement = statement.limit(limit)
    return [
        AuditRow(
            event.id,
            event.at,
            event.user_id,
            (display or username or "") if event.user_id is not None else _("(system)"),
            event.action,
            event.entity,
            event.entity_id,
            event.details,
        )
        for event, display, username in session.execute(statement)
    ]


def find_audit_events(
    session: Session, user_id: int, filt: AuditFilter, limit: int = DEFAULT_LIMIT
) -> AuditResult:
    """The newest events matching ``filt`` (at most ``limit``), newest first, and the
    number matching in all. Managers and administrators only."""
    require_role(session, user_id, Role.MANAGER, _("read the audit trail"))
    _check(filt)
    rows = _rows(session, filt, limit)
    count = _filtered(
        select(func.count(AuditEvent.id))
        .select_from(AuditEvent)
        .outerjoin(User, User.id == AuditEvent.user_id),
        filt,
        session.get_bind().dialect.name == "sqlite",
    )
    total = int(session.scalar(count) or 0)
    return AuditResult(tuple(rows), total)


def audit_choices(session: Session, user_id: int) -> AuditChoices:
    """The users, kinds of thing and actions that occur in the trail."""
    require_role(session, user_id, Role.MANAGER, _("read the audit trail"))
    users = session.execute(
        select(User.id, User.display_name, User.username).order_by(func.lower(User.username))
    ).all()
    entities = session.scalars(select(AuditEvent.entity).distinct()).all()
    actions = session.scalars(select(AuditEvent.action).distinct()).all()
    return AuditChoices(
        tuple((uid, display or username) for uid, display, username in users),
        tuple(sorted(entities, key=lambda e: entity_label(e).casefold())),
        tuple(sorted(actions, key=lambda a: action_label(a).casefold())),
    )


def export_audit_csv(session: Session, user_id: int, filt: AuditFilter, path: Path) -> int:
    """Write every event matching ``filt`` (oldest first) to a CSV file; return how many.

    Text cells that a spreadsheet would run as a formula are neutralised (see
    :mod:`app.services.csvio`); times are ISO 8601 in UTC.
    """
    require_role(session, user_id, Role.MANAGER, _("export the audit trail"))
    _check(filt)
    rows = _rows(session, filt, None)
    rows.reverse()
    return write_table(
        path,
        EXPORT_FORMAT,
        (
            (
                row.at.astimezone(dt.UTC).isoformat(timespec="seconds"),
                row.user_name,
                row.action,
                row.entity,
                "" if row.entity_id is None else str(row.entity_id),
                row.details,
            )
            for row in rows
        ),
    )
