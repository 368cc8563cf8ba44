"""People: passwords and PINs, signing in, roles, and the administration of users.

Passwords (and PINs, which are short all-digit passwords) are stored as scrypt hashes
(``hashlib.scrypt``: memory-hard, in the standard library) with a random salt per user.
The hash string carries its own parameters, ``scrypt$16384$8$1$<salt>$<key>`` (base64),
so stronger parameters can be introduced later: an old hash still verifies and is
replaced by a new one at the next successful sign-in. Comparing is constant-time.

There is never a default password. The first start of a database creates its
administrator with a password the person chooses (:func:`create_first_admin`); after
that only an administrator creates, edits, deactivates users and sets their passwords,
and the services check that themselves (:func:`require_role`), whatever a window shows.
Five wrong passwords in a row lock a user out for five minutes, so a four-digit PIN
cannot be guessed at the sign-in dialog.

The command line has no sign-in: it runs as the operating-system account, mapped to
the Hylla user of the same name (:func:`app.services.users.workstation_user`), and has
that user's role. Whoever may run commands as an account on this computer may act as
its Hylla user, as with PostgreSQL's "peer" authentication; a Hylla user only for the
window is one whose name is no account here.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.i18n import _, ngettext
from app.models import Role, User, utcnow
from app.services.errors import FieldErrors, NotAllowedError, NotFoundError, ValidationError
from app.services.users import UserId, UserRef, record_audit

# scrypt cost: 2**14 x 8 x 128 bytes = 16 MiB of memory and ~50 ms per guess.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
KEY_BYTES = 32
SALT_BYTES = 16
SCHEME = "scrypt"
# A stored hash asking for more than this is refused rather than run (it could take
# gigabytes of memory: a damaged or planted row must not stop the sign-in).
MAX_N = 2**20
MAX_MEMORY = 256 * 1024 * 1024
MIN_PASSWORD = 8
MIN_PIN = 4
MAX_PASSWORD = 256
MAX_FAILED_SIGN_INS = 5
# PostgreSQL advisory lock key held while the first administrator is created.
FIRST_ADMIN_LOCK = 0x48594C4C41
LOCKOUT = dt.timedelta(minutes=5)
USERNAME_PATTERN = re.compile(r"^[\w.@-]{1,64}$")
ROLE_RANK = {Role.STAFF: 0, Role.MANAGER: 1, Role.ADMIN: 2}


# --- hashing ------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        dklen=KEY_BYTES,
        # OpenSSL's default limit (32 MiB) is below what n = 2**15 and up need.
        maxmem=128 * r * (n + p + 2) + 1024 * 1024,
    )


def hash_password(password: str) -> str:
    """A new salted scrypt hash of ``password``, parameters included."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"{SCHEME}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return None
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = base64.b64decode(parts[4], validate=True)
        key = base64.b64decode(parts[5], validate=True)
    except ValueError:
        return None
    if not (2 <= n <= MAX_N and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16 and key):
        return None
    if 128 * r * n > MAX_MEMORY:
        return None
    return n, r, p, salt, key


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches the hash ``stored`` (False for no or a damaged hash)."""
    parsed = _parse(stored) if stored else None
    if parsed is None:
        # The same work as a real check, so the time taken does not tell which it was.
        _derive(password, b"\0" * SALT_BYTES, SCRYPT_N, SCRYPT_R, SCRYPT_P)
        return False
    n, r, p, salt, key = parsed
    candidate = hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        dklen=len(key),
        maxmem=128 * r * (n + p + 2) + 1024 * 1024,
    )
    return hmac.compare_digest(candidate, key)


def needs_rehash(stored: str) -> bool:
    """Whether a (valid) hash was made with other parameters than today's."""
    parsed = _parse(stored)
    return parsed is None or parsed[:3] != (SCRYPT_N, SCRYPT_R, SCRYPT_P)


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` cannot be used, or None. A PIN is all digits."""
    if not password:
        return _("Choose a password or a PIN.")
    if len(password) > MAX_PASSWORD:
        return _("A password can be at most {n} characters long.").format(n=MAX_PASSWORD)
    if password != password.strip():
        return _("A password cannot start or end with a space.")
    if password.isdigit():
        if len(password) < MIN_PIN:
            return _("A PIN needs at least {n} digits.").format(n=MIN_PIN)
        if len(set(password)) == 1:
            return _("A PIN of one digit repeated is too easy to guess; choose another.")
    elif len(password) < MIN_PASSWORD:
        return _(
            "A password needs at least {n} characters (or use a PIN of at least {pin} digits)."
        ).format(n=MIN_PASSWORD, pin=MIN_PIN)
    if username and password.casefold() == username.strip().casefold():
        return _("The password cannot be the user name.")
    return None


# --- roles -----------------------------------------------------------------------------------


def role_label(role: Role) -> str:
    """The role's name for people."""
    return {
        Role.STAFF: _("Staff"),
        Role.MANAGER: _("Manager"),
        Role.ADMIN: _("Administrator"),
    }[role]


def role_allows(role: Role, needed: Role) -> bool:
    """Whether ``role`` may do what ``needed`` may (each role includes the ones below)."""
    return ROLE_RANK[role] >= ROLE_RANK[needed]


def require_role(session: Session, user_id: int, needed: Role, action: str) -> UserRef:
    """The user ``user_id`` if they are active and at least ``needed``; else
    ``NotAllowedError`` naming ``action`` (a translated phrase such as "edit suppliers").

    The role is read from the database now, never taken from the caller.
    """
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(_("User {id} does not exist.").format(id=user_id))
    name = user.display_name or user.username
    if not user.active:
        raise NotAllowedError(
            _("{name} is deactivated and cannot {action}.").format(name=name, action=action)
        )
    if not role_allows(user.role, needed):
        if needed is Role.ADMIN:
            message = _(
                "Only an administrator may {action}. {name} is signed in as {role}; "
                "ask an administrator."
            )
        else:
            message = _(
                "Only a manager or an administrator may {action}. {name} is signed in as "
                "{role}; ask a manager."
            )
        raise NotAllowedError(
            message.format(action=action, name=name, role=role_label(user.role).lower())
        )
    return _ref(user)


def _ref(user: User) -> UserRef:
    return UserRef(UserId(user.id), user.username, user.display_name or user.username, user.role)


# --- signing in --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInChoice:
    """A user offered in the sign-in dialog's list."""

    username: str
    display_name: str


@dataclass(frozen=True)
class SignInResult:
    """The outcome of a sign-in: ``user`` when it worked, else a message that says why.

    A refusal is a result, not an exception, because the count of wrong passwords it
    stores must be committed.
    """

    user: UserRef | None
    message: str = ""
    locked_until: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        """True when the user is signed in."""
        return self.user is not None


def _find(session: Session, username: str) -> User | None:
    name = username.strip()
    if not name:
        return None
    exact = session.scalar(select(User).where(User.username == name))
    if exact is not None:
        return exact
    return session.scalar(select(User).where(func.lower(User.username) == name.lower()).limit(1))


def needs_first_admin(session: Session) -> bool:
    """True while no active administrator can sign in (a new database): the window
    then asks for the administrator to be created instead of a sign-in."""
    return (
        session.scalar(
            select(User.id)
            .where(User.role == Role.ADMIN, User.active.is_(True), User.password_hash.is_not(None))
            .limit(1)
        )
        is None
    )


def sign_in_choices(session: Session) -> list[SignInChoice]:
    """The users who can sign in (active, with a password), by name."""
    rows = session.execute(
        select(User.username, User.display_name)
        .where(User.active.is_(True), User.password_hash.is_not(None))
        .order_by(func.lower(func.coalesce(func.nullif(User.display_name, ""), User.username)))
    ).all()
    return [SignInChoice(username, display or username) for username, display in rows]


@dataclass(frozen=True)
class SignInScreen:
    """What the sign-in dialog shows: the users to choose from, or the first-start form."""

    needs_first_admin: bool
    choices: tuple[SignInChoice, ...]


def sign_in_screen(session: Session) -> SignInScreen:
    """Everything the sign-in dialog needs, in one read."""
    first = needs_first_admin(session)
    return SignInScreen(first, () if first else tuple(sign_in_choices(session)))


def _local_time(moment: dt.datetime) -> str:
    return moment.astimezone().strftime("%H:%M")


def sign_in(
    session: Session, username: str, password: str, now: dt.datetime | None = None
) -> SignInResult:
    """Check ``password`` for ``username`` (case does not matter in the name).

    A wrong password counts; the fifth in a row locks the user out for five minutes
    (no password is checked while locked). Every sign-in and every refusal of a known
    user is in the audit trail.
    """
    now = now or utcnow()
    user = _find(session, username)
    if user is None:
        verify_password(password, None)
        return SignInResult(
            None,
            _("There is no user “{name}”. Check the name, or ask your administrator.").format(
                name=username.strip()
            ),
        )
    name = user.display_name or user.username
    if not user.active:
        return SignInResult(
            None,
            _("{name} is deactivated. Ask your administrator to activate the user.").format(
                name=name
            ),
        )
    if user.password_hash is None:
        return SignInResult(
            None,
            _("{name} has no password yet. Ask your administrator to set one.").format(name=name),
        )
    if user.locked_until is not None and user.locked_until > now:
        return SignInResult(
            None,
            _(
                "Too many wrong passwords for {name}. Try again after {time}, "
                "or ask your administrator to unlock the user."
            ).format(name=name, time=_local_time(user.locked_until)),
            user.locked_until,
        )
    if not verify_password(password, user.password_hash):
        user.failed_sign_ins = (user.failed_sign_ins or 0) + 1
        left = MAX_FAILED_SIGN_INS - user.failed_sign_ins
        if left <= 0:
            user.locked_until = now + LOCKOUT
            user.failed_sign_ins = 0
            record_audit(
                session,
                UserId(user.id),
                "lock",
                "user",
                user.id,
                {"minutes": int(LOCKOUT.total_seconds() // 60)},
            )
            session.flush()
            return SignInResult(
                None,
                _(
                    "Wrong password. {name} is locked out until {time}; "
                    "your administrator can unlock the user sooner."
                ).format(name=name, time=_local_time(user.locked_until)),
                user.locked_until,
            )
        record_audit(session, UserId(user.id), "sign_in_failed", "user", user.id)
        session.flush()
        return SignInResult(
            None,
            ngettext(
                "Wrong password for {name}. {n} more try before a 5-minute lock.",
                "Wrong password for {name}. {n} more tries before a 5-minute lock.",
                left,
            ).format(name=name, n=left),
        )
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    record_audit(session, UserId(user.id), "sign_in", "user", user.id)
    session.flush()
    return SignInResult(_ref(user))


def sign_in_unattended(session: Session, username: str, password: str) -> SignInResult:
    """Sign in without the dialog (the window started with ``--user NAME
    --password-stdin``, for scripts and screenshots): as :func:`sign_in`, except that a
    database without an administrator gets ``username`` as its administrator with
    ``password``, as the first-start form would make them."""
    if needs_first_admin(session):
        return SignInResult(create_first_admin(session, username, "", password))
    return sign_in(session, username, password)


# --- users -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserRow:
    """A user as the Users page lists them."""

    id: UserId
    username: str
    display_name: str
    role: Role
    active: bool
    has_password: bool
    locked: bool
    last_sign_in_at: dt.datetime | None
    created_at: dt.datetime

    @property
    def role_text(self) -> str:
        """The role's name for people."""
        return role_label(self.role)


@dataclass(frozen=True)
class UserInput:
    """What a form gives to create or edit a user (``password`` only when creating)."""

    username: str
    display_name: str = ""
    role: Role | str = Role.STAFF
    active: bool = True
    password: str = ""


def _row(user: User, now: dt.datetime) -> UserRow:
    return UserRow(
        UserId(user.id),
        user.username,
        user.display_name or user.username,
        user.role,
        user.active,
        user.password_hash is not None,
        user.locked_until is not None and user.locked_until > now,
        user.last_sign_in_at,
        user.created_at,
    )


def list_users(session: Session) -> list[UserRow]:
    """Every user, active first, then by name."""
    now = utcnow()
    users = session.scalars(select(User)).all()
    rows = [_row(user, now) for user in users]
    rows.sort(key=lambda row: (not row.active, row.display_name.casefold(), row.username))
    return rows


def _clean_role(value: Role | str, errors: dict[str, str]) -> Role:
    try:
        return value if isinstance(value, Role) else Role(str(value).strip().lower())
    except ValueError:
        errors["role"] = _("The role must be staff, manager or administrator.")
        return Role.STAFF


def _clean_username(
    session: Session, value: str, user_id: int | None, errors: dict[str, str]
) -> str:
    name = value.strip()
    if not USERNAME_PATTERN.match(name):
        errors["username"] = _(
            "A user name is 1–64 letters, digits, '.', '_', '-' or '@', without spaces "
            "(e.g. anna or anna.berg)."
        )
        return name
    clash = session.scalar(
        select(User.id).where(func.lower(User.username) == name.lower(), User.id != (user_id or 0))
    )
    if clash is not None:
        errors["username"] = _("There is already a user “{name}”.").format(name=name)
    return name


def _clean_display(value: str, errors: dict[str, str]) -> str:
    text = " ".join(value.split())
    if len(text) > 200:
        errors["display_name"] = _("The name can be at most 200 characters long.")
    return text


def _active_admins_with_password(session: Session, other_than: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(
                User.role == Role.ADMIN,
                User.active.is_(True),
                User.password_hash.is_not(None),
                User.id != other_than,
            )
        )
        or 0
    )


def create_first_admin(
    session: Session, username: str, display_name: str, password: str
) -> UserRef:
    """Create the administrator of a new database with the password they chose.

    Only while no administrator can sign in (:func:`needs_first_admin`). A user of that
    name without a password (made by the command line) becomes the administrator; a
    user who already has a password is never taken over.
    """
    if session.get_bind().dialect.name == "postgresql":
        # Two workstations on a new server database must not both become its first
        # administrator: the second waits here, then finds the first. (SQLite's write
        # transactions already take the database's write lock when they begin.)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FIRST_ADMIN_LOCK})
    if not needs_first_admin(session):
        raise NotAllowedError(
            _("This database already has an administrator. Sign in, or ask them to add you.")
        )
    existing = _find(session, username)
    errors: dict[str, str] = {}
    name = username.strip()
    if existing is None:
        name = _clean_username(session, username, None, errors)
    elif existing.password_hash is not None:
        errors["username"] = _(
            "{name} already has a password. Choose another name for the administrator."
        ).format(name=existing.username)
    display = _clean_display(display_name, errors)
    problem = password_problem(password, name)
    if problem:
        errors["password"] = problem
    if errors:
        raise FieldErrors(errors)
    if existing is None:
        user = User(username=name, display_name=display or name, role=Role.ADMIN, active=True)
        session.add(user)
    else:
        user = existing
        user.role, user.active = Role.ADMIN, True
        if display:
            user.display_name = display
    user.password_hash = hash_password(password)
    user.failed_sign_ins, user.locked_until = 0, None
    user.last_sign_in_at = utcnow()
    session.flush()
    record_audit(
        session, UserId(user.id), "create_admin", "user", user.id, {"username": user.username}
    )
    return _ref(user)


def create_user(session: Session, admin_id: UserId, data: UserInput) -> UserRow:
    """Create a user with a first password (administrators only)."""
    require_role(session, admin_id, Role.ADMIN, _("add users"))
    errors: dict[str, str] = {}
    name = _clean_username(session, data.username, None, errors)
    display = _clean_display(data.display_name, errors)
    role = _clean_role(data.role, errors)
    problem = password_problem(data.password, name)
    if problem:
        errors["password"] = problem
    if errors:
        raise FieldErrors(errors)
    user = User(
        username=name,
        display_name=display or name,
        role=role,
        active=data.active,
        password_hash=hash_password(data.password),
    )
    session.add(user)
    session.flush()
    record_audit(
        session, admin_id, "create", "user", user.id, {"username": name, "role": role.value}
    )
    return _row(user, utcnow())


def update_user(session: Session, admin_id: UserId, user_id: int, data: UserInput) -> UserRow:
    """Change a user's name, display name, role or active flag (administrators only).

    The last administrator who can sign in cannot be demoted or deactivated: someone
    must always be able to manage the users.
    """
    require_role(session, admin_id, Role.ADMIN, _("change users"))
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(_("User {id} does not exist.").format(id=user_id))
    errors: dict[str, str] = {}
    name = _clean_username(session, data.username, user.id, errors)
    display = _clean_display(data.display_name, errors)
    role = _clean_role(data.role, errors)
    if errors:
        raise FieldErrors(errors)
    losing_admin = user.role is Role.ADMIN and (role is not Role.ADMIN or not data.active)
    if (
        losing_admin
        and user.password_hash is not None
        and _active_admins_with_password(session, user.id) == 0
    ):
        raise NotAllowedError(
            _(
                "{name} is the only administrator who can sign in. Make another user an "
                "administrator first."
            ).format(name=user.display_name or user.username)
        )
    before = {"username": user.username, "role": user.role.value, "active": user.active}
    user.username, user.display_name, user.role, user.active = (
        name,
        display or name,
        role,
        data.active,
    )
    session.flush()
    after = {"username": name, "role": role.value, "active": data.active}
    changed = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    action = "update"
    if before["active"] != data.active:
        action = "activate" if data.active else "deactivate"
    record_audit(session, admin_id, action, "user", user.id, {"username": name, **changed})
    return _row(user, utcnow())


def set_password(session: Session, admin_id: UserId, user_id: int, password: str) -> UserRow:
    """Give a user a new password (administrators only); it also lifts a lock-out."""
    require_role(session, admin_id, Role.ADMIN, _("set other users' passwords"))
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(_("User {id} does not exist.").format(id=user_id))
    problem = password_problem(password, user.username)
    if problem:
        raise ValidationError(problem, field="password")
    user.password_hash = hash_password(password)
    user.failed_sign_ins, user.locked_until = 0, None
    session.flush()
    record_audit(session, admin_id, "set_password", "user", user.id, {"username": user.username})
    return _row(user, utcnow())


def unlock_user(session: Session, admin_id: UserId, user_id: int) -> UserRow:
    """Lift a lock-out after too many wrong passwords (administrators only)."""
    require_role(session, admin_id, Role.ADMIN, _("unlock users"))
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(_("User {id} does not exist.").format(id=user_id))
    user.failed_sign_ins, user.locked_until = 0, None
    session.flush()
    record_audit(session, admin_id, "unlock", "user", user.id, {"username": user.username})
    return _row(user, utcnow())


def change_own_password(session: Session, user_id: UserId, current: str, new: str) -> None:
    """A user changes their own password; the current one must be given."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise NotFoundError(_("User {id} does not exist.").format(id=user_id))
    if user.password_hash is not None and not verify_password(current, user.password_hash):
        raise FieldErrors({"current": _("The current password is wrong.")})
    problem = password_problem(new, user.username)
    if problem:
        raise FieldErrors({"password": problem})
    user.password_hash = hash_password(new)
    user.failed_sign_ins, user.locked_until = 0, None
    session.flush()
    record_audit(session, user_id, "change_password", "user", user.id)
