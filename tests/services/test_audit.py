"""The audit trail: written by the changes themselves, append-only, read with filters by
managers, and exported as a formula-safe CSV file."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from app.models import AuditEvent, Role
from app.services import audit, auth, locations, receiving, suppliers
from app.services.audit import AuditFilter
from app.services.auth import UserInput
from app.services.database import Database
from app.services.errors import DatabaseError, HyllaError, NotAllowedError, ValidationError
from app.services.suppliers import SupplierInput
from app.services.users import UserId, UserRef, record_audit
from tests import factories as f
from tests.services.purchasing_setup import COFFEE_EAN, build_shop, sent_order


def _people(db: Database) -> tuple[UserRef, UserId, UserId]:
    admin = db.run(auth.create_first_admin, "anna", "Anna Berg", "lager-lösen-1")
    lena = db.run(auth.create_user, admin.id, UserInput("lena", "Lena", Role.MANAGER, True, "2468"))
    kim = db.run(auth.create_user, admin.id, UserInput("kim", "Kim", Role.STAFF, True, "1357"))
    return admin, lena.id, kim.id


def test_master_data_changes_are_in_the_trail_with_who_and_what(db: Database) -> None:
    admin, lena, _kim = _people(db)
    db.run(locations.save_bin, lena, "A-01", "Aisle A")
    db.run(suppliers.save_supplier, admin.id, SupplierInput(code="ACME", name="Acme AB"))
    db.run(f.item, lena, "KAF-1")
    result = db.read(audit.find_audit_events, admin.id, AuditFilter())
    assert result.total == len(result.rows) >= 6
    newest = result.rows[0]
    assert (newest.entity, newest.action, newest.user_name) == ("item", "create", "Lena")
    assert newest.entity_text == "Item" and newest.action_text == "created"
    assert newest.details_text == "sku: KAF-1"
    by_lena = db.read(audit.find_audit_events, admin.id, AuditFilter(user_id=lena))
    assert [(r.entity, r.action) for r in by_lena.rows] == [
        ("item", "create"),
        ("location", "create"),
    ]
    bins = db.read(audit.find_audit_events, admin.id, AuditFilter(entity="location"))
    assert [r.details_text for r in bins.rows] == ["code: A-01, name: Aisle A"]
    found = db.read(audit.find_audit_events, admin.id, AuditFilter(text="acme"))
    assert [r.entity for r in found.rows] == ["supplier"]
    choices = db.read(audit.audit_choices, admin.id)
    assert {"item", "location", "supplier", "user"} <= set(choices.entities)
    assert (lena, "Lena") in choices.users


def test_posting_a_receipt_names_its_user_in_the_trail(db: Database) -> None:
    def run(session: Session) -> tuple[int, int]:
        shop = build_shop(session)
        po = sent_order(session, shop, coffee="12")
        receipt = receiving.start_receipt(session, shop.user, po_id=po.id)
        receiving.add_scan(session, receipt.id, COFFEE_EAN, shop.user)
        receiving.post_receipt(session, receipt.id, shop.user)
        return shop.user, receipt.id

    user, receipt_id = db.run(run)
    posted = db.read(
        audit.find_audit_events, user, AuditFilter(entity="receipt", action="post")
    ).rows
    assert [(r.entity_id, r.user_id) for r in posted] == [(receipt_id, user)]


def test_dates_filter_by_local_day_and_the_limit_says_how_many_matched(db: Database) -> None:
    admin, _lena, _kim = _people(db)
    today = dt.date.today()
    for n in range(5):
        db.run(record_audit, admin.id, "update", "setting", None, {"n": n})
    everything = db.read(audit.find_audit_events, admin.id, AuditFilter(), limit=3)
    assert len(everything.rows) == 3 and everything.truncated and everything.total >= 5
    todays = db.read(audit.find_audit_events, admin.id, AuditFilter(date_from=today, date_to=today))
    assert todays.total == everything.total
    yesterday = today - dt.timedelta(days=1)
    none = db.read(
        audit.find_audit_events, admin.id, AuditFilter(date_from=yesterday, date_to=yesterday)
    )
    assert none.total == 0 and none.rows == ()
    with pytest.raises(ValidationError, match="“from” date is after the “to” date"):
        db.read(audit.find_audit_events, admin.id, AuditFilter(date_from=today, date_to=yesterday))
    with pytest.raises(ValidationError, match="at most 200 characters"):
        db.read(audit.find_audit_events, admin.id, AuditFilter(text="x" * 201))


def test_search_text_is_literal_not_a_pattern(db: Database) -> None:
    admin, _lena, _kim = _people(db)
    db.run(record_audit, admin.id, "update", "item", 1, {"sku": "A_1"})
    db.run(record_audit, admin.id, "update", "item", 2, {"sku": "AB1"})
    found = db.read(audit.find_audit_events, admin.id, AuditFilter(text="a_1"))
    assert [r.entity_id for r in found.rows] == [1]
    assert db.read(audit.find_audit_events, admin.id, AuditFilter(text="100%")).total == 0


def test_search_ignores_case_in_swedish_letters_on_both_databases(db: Database) -> None:
    admin, _lena, _kim = _people(db)
    db.run(record_audit, admin.id, "update", "item", 1, {"name": "Ärtsoppa ÖLAND"})
    db.run(record_audit, admin.id, "update", "item", 2, {"name": "Kaffe"})
    for typed in ("ärtsoppa", "ÄRTSOPPA", "öland"):
        found = db.read(audit.find_audit_events, admin.id, AuditFilter(text=typed))
        assert [r.entity_id for r in found.rows] == [1], typed
        assert found.total == 1


def test_staff_cannot_read_or_export_the_trail(db: Database, tmp_path: Path) -> None:
    _admin, _lena, kim = _people(db)
    with pytest.raises(NotAllowedError, match="read the audit trail"):
        db.read(audit.find_audit_events, kim, AuditFilter())
    with pytest.raises(NotAllowedError, match="export the audit trail"):
        db.read(audit.export_audit_csv, kim, AuditFilter(), tmp_path / "a.csv")
    assert not (tmp_path / "a.csv").exists()


def test_the_trail_cannot_be_changed_or_deleted(db: Database) -> None:
    _people(db)
    for statement in (update(AuditEvent).values(action="x"), delete(AuditEvent)):
        with pytest.raises(DatabaseError, match="audit trail cannot be changed or deleted"):
            db.run(lambda s, stmt=statement: s.execute(stmt))
    admin = db.run(auth.sign_in, "anna", "lager-lösen-1").user
    assert admin is not None
    assert db.read(audit.find_audit_events, admin.id, AuditFilter(entity="user")).total >= 3


def test_export_is_oldest_first_utc_and_formula_safe(db: Database, tmp_path: Path) -> None:
    admin, _lena, _kim = _people(db)
    # A display name is text a spreadsheet could run, too.
    sneaky = db.run(
        auth.create_user, admin.id, UserInput("sneaky", "=1+2", Role.MANAGER, True, "lager-123")
    )
    for text in ('=HYPERLINK("http://evil")', "+46 70", "-1+1", "@SUM(A1)", "\tTAB", "\rCR"):
        db.run(record_audit, sneaky.id, "update", "item", 7, {"note": text})
    path = tmp_path / "audit.csv"
    count = db.read(audit.export_audit_csv, admin.id, AuditFilter(entity="item"), path)
    assert count == 6
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["at", "user", "action", "entity", "entity_id", "details"]
    assert [row[5] for row in rows[1:3]] == [
        '{"note": "=HYPERLINK(\\"http://evil\\")"}',
        '{"note": "+46 70"}',
    ]
    for row in rows[1:]:
        assert dt.datetime.fromisoformat(row[0]).utcoffset() == dt.timedelta(0)
        assert row[1] == "'=1+2" and row[4] == "7"
        for cell in row[1:4] + row[5:]:
            assert not cell or cell[0] not in "=+-@\t\r", cell


def test_export_refuses_a_folder_and_leaves_no_partial_file(db: Database, tmp_path: Path) -> None:
    admin, _lena, _kim = _people(db)
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(HyllaError, match="is a folder"):
        db.read(audit.export_audit_csv, admin.id, AuditFilter(), folder)
    assert list(folder.iterdir()) == []
