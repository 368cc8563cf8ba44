"""People: password hashing, the first administrator, signing in, lock-outs, roles, and
the administration of users, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Row, func, select, update
from sqlalchemy.orm import Session

from app.models import AuditEvent, Role, User, utcnow
from app.services import auth, imports, items, locations, settings, suppliers
from app.services.auth import UserInput
from app.services.database import Database, unit_of_work
from app.services.errors import FieldErrors, NotAllowedError, ValidationError
from app.services.items import BarcodeInput, ItemInput
from app.services.suppliers import SupplierInput
from app.services.users import UserId, UserRef, workstation_user
from tests import factories as f

PASSWORD = "lager-2026-vår"


def _admin(db: Database, name: str = "anna") -> UserRef:
    return db.run(auth.create_first_admin, name, "Anna Berg", PASSWORD)


def _user(db: Database, admin: UserRef, name: str, role: Role, password: str = "4711") -> int:
    return int(
        db.run(auth.create_user, admin.id, UserInput(name, name.title(), role, True, password)).id
    )


def _events(db: Database) -> list[Row[tuple[str, str, int | None, int | None, str]]]:
    def read(session: Session) -> list[Row[tuple[str, str, int | None, int | None, str]]]:
        columns = (
            AuditEvent.action,
            AuditEvent.entity,
            AuditEvent.entity_id,
            AuditEvent.user_id,
            AuditEvent.details,
        )
        return list(session.execute(select(*columns).order_by(AuditEvent.id)))

    return db.read(read)


def _audit(db: Database, action: str) -> list[Row[tuple[str, str, int | None, int | None, str]]]:
    return [event for event in _events(db) if event.action == action]


# --- hashing -----------------------------------------------------------------------------------


def test_hashes_are_salted_scrypt_with_their_parameters_and_verify() -> None:
    first, second = auth.hash_password("4711"), auth.hash_password("4711")
    assert first != second  # a salt of its own each time
    scheme, n, r, p, salt, key = first.split("$")
    assert (scheme, n, r, p) == ("scrypt", str(auth.SCRYPT_N), str(auth.SCRYPT_R), "1")
    assert auth.verify_password("4711", first) and auth.verify_password("4711", second)
    assert not auth.verify_password("4712", first)
    assert not auth.verify_password("4711", None)
    assert not auth.verify_password("4711", "plain-text-4711")
    assert not auth.verify_password("4711", "scrypt$99999999999$8$1$AAAA$AAAA")  # refused, not run
    assert not auth.verify_password("4711", "scrypt$1048576$32$1$AAAA$AAAA")  # 4 GiB: refused
    assert not auth.needs_rehash(first)


def test_an_old_hash_with_other_parameters_still_verifies_and_is_upgraded(db: Database) -> None:
    admin = _admin(db)
    # The kind of hash an earlier Hylla with cheaper parameters would have stored.
    salt = b"0123456789abcdef"
    key = hashlib.scrypt(b"gammal-kod", salt=salt, n=2**12, r=8, p=1, dklen=32)
    old = f"scrypt$4096$8$1${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"
    assert auth.verify_password("gammal-kod", old) and auth.needs_rehash(old)

    def plant(session: Session) -> None:
        session.execute(update(User).where(User.id == admin.id).values(password_hash=old))

    db.run(plant)
    assert db.run(auth.sign_in, "anna", "gammal-kod").ok
    stored = db.read(lambda s: s.scalar(select(User.password_hash).where(User.id == admin.id)))
    assert stored != old and not auth.needs_rehash(stored)
    assert db.run(auth.sign_in, "anna", "gammal-kod").ok


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("", "Choose a password or a PIN."),
        ("123", "A PIN needs at least 4 digits."),
        ("1111", "A PIN of one digit repeated is too easy to guess; choose another."),
        ("kort", "A password needs at least 8 characters (or use a PIN of at least 4 digits)."),
        (" mellanslag ", "A password cannot start or end with a space."),
        ("x" * 257, "A password can be at most 256 characters long."),
        ("AnnaBerg1", "The password cannot be the user name."),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, problem: str) -> None:
    assert auth.password_problem(password, "annaberg1") == problem


def test_good_passwords_and_pins_pass() -> None:
    for password in ("4711", "0042", "lagerlokal", "Kaffe & kakor"):
        assert auth.password_problem(password, "anna") is None


# --- the first administrator ---------------------------------------------------------------


def test_a_new_database_needs_its_administrator_and_has_no_default_password(db: Database) -> None:
    assert db.read(auth.needs_first_admin)
    screen = db.read(auth.sign_in_screen)
    assert screen.needs_first_admin and screen.choices == ()
    # No user can sign in with any password before one is chosen.
    for guess in ("admin", "password", "hylla", "1234", ""):
        assert not db.run(auth.sign_in, "admin", guess).ok
    admin = _admin(db)
    assert admin.role is Role.ADMIN and admin.display_name == "Anna Berg"
    assert not db.read(auth.needs_first_admin)
    assert db.run(auth.sign_in, "anna", PASSWORD).ok
    assert [e.entity_id for e in _audit(db, "create_admin")] == [admin.id]
    # And only once.
    with pytest.raises(NotAllowedError, match="already has an administrator"):
        db.run(auth.create_first_admin, "bertil", "", "annat-lösen")


def test_the_first_administrator_form_refuses_bad_input_and_saves_nothing(db: Database) -> None:
    with pytest.raises(FieldErrors) as caught:
        db.run(auth.create_first_admin, "anna berg", "", "12")
    assert set(caught.value.errors) == {"username", "password"}
    assert db.read(lambda s: s.scalar(select(func.count()).select_from(User))) == 0
    assert db.read(auth.needs_first_admin)


def test_a_command_line_user_without_password_can_become_the_administrator(db: Database) -> None:
    # The command line made "ossi" (the first user: admin, no password) and "staffan".
    ossi = db.run(workstation_user, "ossi")
    db.run(workstation_user, "staffan")
    assert ossi.role is Role.ADMIN and db.read(auth.needs_first_admin)
    admin = db.run(auth.create_first_admin, "OSSI", "Ossi Nyström", PASSWORD)
    assert admin.id == ossi.id and admin.display_name == "Ossi Nyström"
    assert db.run(auth.sign_in, "ossi", PASSWORD).ok


def test_a_user_with_a_password_is_never_taken_over_by_the_first_start_form(db: Database) -> None:
    admin = _admin(db)
    kim = _user(db, admin, "kim", Role.STAFF)
    # The administrator is deactivated behind Hylla's back: the form appears again …

    def drop(session: Session) -> None:
        session.execute(update(User).where(User.id == admin.id).values(active=False))

    db.run(drop)
    assert db.read(auth.needs_first_admin)
    # … but cannot claim an account that has a password.
    with pytest.raises(FieldErrors, match="already has a password"):
        db.run(auth.create_first_admin, "kim", "", "nytt-lösen-1")
    assert db.run(auth.sign_in, "kim", "4711").ok
    assert db.read(lambda s: s.get(User, kim).role) is Role.STAFF


# --- signing in --------------------------------------------------------------------------------


def test_two_workstations_creating_the_first_administrator_at_once_make_only_one(
    db: Database,
) -> None:
    # The second waits for the first (PostgreSQL: an advisory lock; SQLite: the write
    # lock taken when the transaction begins), then finds an administrator and is refused.
    outcome: list[object] = []

    def second() -> None:
        try:
            outcome.append(db.run(auth.create_first_admin, "bo", "Bo", "lagret-456"))
        except NotAllowedError as exc:
            outcome.append(exc)

    with unit_of_work(db) as session:
        auth.create_first_admin(session, "anna", "Anna Berg", PASSWORD)
        other = threading.Thread(target=second)
        other.start()
        time.sleep(0.5)
        assert other.is_alive(), "the second workstation did not wait for the first"
    other.join(timeout=30)
    assert len(outcome) == 1 and isinstance(outcome[0], NotAllowedError)
    admins = db.read(
        lambda s: s.scalars(select(User.username).where(User.role == Role.ADMIN)).all()
    )
    assert admins == ["anna"]


def test_sign_in_names_what_is_wrong(db: Database) -> None:
    admin = _admin(db)
    assert db.run(auth.sign_in, "ANNA", PASSWORD).user == admin  # any case of the name
    assert db.run(auth.sign_in, "nobody", "x").message == (
        "There is no user “nobody”. Check the name, or ask your administrator."
    )
    no_password = db.run(workstation_user, "cli-only")
    assert db.run(auth.sign_in, "cli-only", "x").message == (
        "cli-only has no password yet. Ask your administrator to set one."
    )
    kim = _user(db, admin, "kim", Role.STAFF)
    db.run(auth.update_user, admin.id, kim, UserInput("kim", "Kim", Role.STAFF, False))
    assert db.run(auth.sign_in, "kim", "4711").message == (
        "Kim is deactivated. Ask your administrator to activate the user."
    )
    # Only those who can sign in are offered.
    assert no_password.username == "cli-only"
    assert [c.username for c in db.read(auth.sign_in_choices)] == ["anna"]


def test_five_wrong_passwords_lock_the_user_out_for_five_minutes(db: Database) -> None:
    admin = _admin(db)
    kim = _user(db, admin, "kim", Role.STAFF)
    now = utcnow()
    messages = [db.run(auth.sign_in, "kim", "0000", now).message for _ in range(4)]
    assert messages[0] == "Wrong password for Kim. 4 more tries before a 5-minute lock."
    assert messages[3] == "Wrong password for Kim. 1 more try before a 5-minute lock."
    fifth = db.run(auth.sign_in, "kim", "0000", now)
    assert not fifth.ok and fifth.locked_until == now + auth.LOCKOUT
    assert "locked out until" in fifth.message
    # While locked, even the right PIN is not checked.
    locked = db.run(auth.sign_in, "kim", "4711", now + dt.timedelta(minutes=4))
    assert not locked.ok and "Too many wrong passwords" in locked.message
    # After the lock, the right PIN works and the count starts again.
    assert db.run(auth.sign_in, "kim", "4711", now + dt.timedelta(minutes=5, seconds=1)).ok
    assert db.read(lambda s: s.get(User, kim).failed_sign_ins) == 0
    assert len(_audit(db, "sign_in_failed")) == 4 and len(_audit(db, "lock")) == 1
    # An administrator can lift a lock at once.
    for _ in range(5):
        db.run(auth.sign_in, "kim", "0000", now + dt.timedelta(minutes=6))
    assert db.read(auth.list_users)[1].locked
    db.run(auth.unlock_user, admin.id, kim)
    assert db.run(auth.sign_in, "kim", "4711").ok


def test_unattended_sign_in_creates_the_administrator_of_a_new_database_only(db: Database) -> None:
    first = db.run(auth.sign_in_unattended, "robot", "skript-lösen-1")
    assert first.user is not None and first.user.role is Role.ADMIN
    assert db.run(auth.sign_in_unattended, "robot", "skript-lösen-1").ok
    again = db.run(auth.sign_in_unattended, "intruder", "skript-lösen-1")
    assert not again.ok and "There is no user" in again.message


# --- users -------------------------------------------------------------------------------------


def test_an_administrator_manages_users_and_everything_is_audited(db: Database) -> None:
    admin = _admin(db)
    lena = _user(db, admin, "lena", Role.MANAGER)
    changed = db.run(
        auth.update_user, admin.id, lena, UserInput("lena.s", "Lena Svensson", "admin", True)
    )
    assert (changed.username, changed.role) == ("lena.s", Role.ADMIN)
    db.run(auth.set_password, admin.id, lena, "nytt-lösen-7")
    assert db.run(auth.sign_in, "lena.s", "nytt-lösen-7").ok
    db.run(auth.update_user, admin.id, lena, UserInput("lena.s", "Lena Svensson", "staff", False))
    rows = {row.username: row for row in db.read(auth.list_users)}
    assert rows["lena.s"].active is False and rows["lena.s"].role is Role.STAFF
    assert [row.username for row in db.read(auth.list_users)] == ["anna", "lena.s"]
    actions = [e.action for e in _events(db)]
    for action in ("create", "update", "set_password", "deactivate"):
        assert action in actions
    details = [e.details for e in _events(db)]
    assert not any("scrypt" in text or "nytt-lösen" in text for text in details)


def test_staff_and_managers_cannot_manage_users(db: Database) -> None:
    admin = _admin(db)
    kim = UserId(_user(db, admin, "kim", Role.STAFF))
    lena = UserId(_user(db, admin, "lena", Role.MANAGER))
    for actor in (kim, lena):
        with pytest.raises(NotAllowedError, match="Only an administrator may add users"):
            db.run(auth.create_user, actor, UserInput("eve", "", Role.ADMIN, True, "4711-x"))
        with pytest.raises(NotAllowedError, match="Only an administrator"):
            db.run(auth.update_user, actor, actor, UserInput("x", "", Role.ADMIN, True))
        with pytest.raises(NotAllowedError, match="Only an administrator"):
            db.run(auth.set_password, actor, admin.id, "takeover-1")
    assert db.run(auth.sign_in, "anna", PASSWORD).ok
    assert {row.username for row in db.read(auth.list_users)} == {"anna", "kim", "lena"}


def test_the_last_administrator_cannot_be_demoted_or_deactivated(db: Database) -> None:
    admin = _admin(db)
    for data in (
        UserInput("anna", "Anna", Role.MANAGER, True),
        UserInput("anna", "Anna", Role.ADMIN, False),
    ):
        with pytest.raises(NotAllowedError, match="only administrator who can sign in"):
            db.run(auth.update_user, admin.id, admin.id, data)
    second = _user(db, admin, "bo", Role.ADMIN, "bo-lösen-12")
    db.run(auth.update_user, admin.id, admin.id, UserInput("anna", "Anna", Role.STAFF, True))
    assert db.read(lambda s: s.get(User, admin.id).role) is Role.STAFF
    assert db.read(lambda s: s.get(User, second).role) is Role.ADMIN


def test_bad_user_input_is_refused_field_by_field(db: Database) -> None:
    admin = _admin(db)
    _user(db, admin, "kim", Role.STAFF)
    with pytest.raises(FieldErrors) as caught:
        db.run(
            auth.create_user,
            admin.id,
            UserInput("KIM", "x" * 201, "boss", True, "1"),
        )
    assert set(caught.value.errors) == {"username", "display_name", "role", "password"}
    assert caught.value.errors["username"] == "There is already a user “KIM”."
    assert len(db.read(auth.list_users)) == 2
    with pytest.raises(ValidationError, match="at least 4 digits"):
        db.run(auth.set_password, admin.id, admin.id, "12")


def test_a_user_changes_their_own_password_knowing_the_old_one(db: Database) -> None:
    admin = _admin(db)
    kim = UserId(_user(db, admin, "kim", Role.STAFF))
    with pytest.raises(FieldErrors, match="current password is wrong"):
        db.run(auth.change_own_password, kim, "0000", "8642")
    with pytest.raises(FieldErrors, match="at least 4 digits"):
        db.run(auth.change_own_password, kim, "4711", "86")
    db.run(auth.change_own_password, kim, "4711", "8642")
    assert db.run(auth.sign_in, "kim", "8642").ok and not db.run(auth.sign_in, "kim", "4711").ok


# --- roles in the other services ----------------------------------------------------------------


def test_roles_are_enforced_in_the_services_whatever_the_window_shows(db: Database) -> None:
    admin = _admin(db)
    kim = UserId(_user(db, admin, "kim", Role.STAFF))
    lena = UserId(_user(db, admin, "lena", Role.MANAGER))
    item = db.run(f.item, admin.id, "KAF-1", barcodes=("7310865004703",))

    # Items: a manager creates and changes; staff only add a barcode (linking a scan).
    with pytest.raises(NotAllowedError, match="Only a manager or an administrator may create"):
        db.run(items.save_item, kim, ItemInput(sku="NEW-1", name="New"))
    data = ItemInput(sku="KAF-1", name="Kaffe", policy="manual", supplier_items=None)
    with pytest.raises(NotAllowedError, match="change items"):
        db.run(items.save_item, kim, data, item.id)
    with_barcode = ItemInput(
        sku=item.sku,
        name=item.name,
        unit=item.unit,
        policy=item.policy,
        barcodes=(BarcodeInput("7310865004703"), BarcodeInput("7310865000064")),
        supplier_items=None,
    )
    saved = db.run(items.save_item, kim, with_barcode, item.id)
    assert {b.code for b in saved.barcodes} == {"7310865004703", "7310865000064"}
    # … but not remove one.
    removed = ItemInput(
        sku=item.sku, name=item.name, unit=item.unit, policy=item.policy, supplier_items=None
    )
    with pytest.raises(NotAllowedError):
        db.run(items.save_item, kim, removed, item.id)
    assert db.run(items.save_item, lena, ItemInput(sku="NEW-2", name="Ny")).sku == "NEW-2"

    # Suppliers and bins: managers and administrators.
    with pytest.raises(NotAllowedError, match="suppliers"):
        db.run(suppliers.save_supplier, kim, SupplierInput(code="ACME", name="Acme"))
    with pytest.raises(NotAllowedError, match="bins"):
        db.run(locations.save_bin, kim, "Z-99")
    db.run(locations.save_bin, lena, "Z-99")

    # Settings: administrators.
    with pytest.raises(NotAllowedError, match="Only an administrator may change settings"):
        db.run(settings.change_setting, lena, "company_name", "Fel AB")
    db.run(settings.change_setting, admin.id, "company_name", "Rätt AB")
    assert db.read(settings.get_setting, "company_name") == "Rätt AB"
    (event,) = [e for e in _audit(db, "update") if e.entity == "setting"]
    assert '"value": ["", "Rätt AB"]' in event.details and event.user_id == admin.id

    # A deactivated manager can do nothing.
    db.run(auth.update_user, admin.id, lena, UserInput("lena", "Lena", Role.MANAGER, False))
    with pytest.raises(NotAllowedError, match="is deactivated"):
        db.run(locations.save_bin, lena, "Z-98")
    assert db.run(locations.find_location, "Z-98") is None


def test_imports_need_a_manager_but_anyone_may_check_a_file(db: Database, tmp_path: Path) -> None:
    admin = _admin(db)
    kim = UserId(_user(db, admin, "kim", Role.STAFF))
    path = tmp_path / "bins.csv"
    path.write_text("code,name\nB-01,Hylla B1\n", encoding="utf-8")
    assert db.run(imports.import_file, kim, "locations", path, dry_run=True).created == 1
    with pytest.raises(NotAllowedError, match="import files"):
        db.run(imports.import_file, kim, "locations", path)
    assert db.run(locations.find_location, "B-01") is None
    db.run(imports.import_file, admin.id, "locations", path)
    assert db.run(locations.find_location, "B-01") is not None
