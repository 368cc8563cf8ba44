"""The customer register: create, edit, refuse bad input field by field, find and search."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.models import AuditEvent, Customer
from app.services import users
from app.services.customers import (
    CustomerInput,
    find_customer,
    get_customer,
    list_customers,
    save_customer,
    search_customers,
)
from app.services.database import Database, unit_of_work
from app.services.errors import FieldErrors, NotFoundError


def test_a_customer_is_created_edited_and_found(db: Database) -> None:
    with unit_of_work(db) as s:
        user = users.workstation_user(s, "tester").id
        made = save_customer(
            s,
            user,
            CustomerInput(
                " BYGG-1 ",
                "  Byggvaruhuset   i Älmhult AB ",
                email="inkop@bygg.se",
                phone="+46 (0)476-123 45",
                address="Storgatan 1\n343 30 Älmhult",
            ),
        )
        save_customer(s, user, CustomerInput("CAFE", "Café Åsen"))
        edited = save_customer(
            s, user, CustomerInput("BYGG-1", "Byggvaruhuset AB", active=False), made.id
        )
        audit = s.scalars(
            select(AuditEvent).where(AuditEvent.entity == "customer").order_by(AuditEvent.id)
        ).all()
    assert made.code == "BYGG-1" and made.name == "Byggvaruhuset i Älmhult AB"
    assert edited.name == "Byggvaruhuset AB" and not edited.active
    assert [json.loads(a.details)["code"] for a in audit] == ["BYGG-1", "CAFE", "BYGG-1"]
    assert [a.action for a in audit] == ["create", "create", "update"]
    with unit_of_work(db, read_only=True) as s:
        assert find_customer(s, "bygg-1") == edited
        assert find_customer(s, "NOPE") is None
        assert get_customer(s, made.id) == edited
        assert [c.code for c in list_customers(s)] == ["BYGG-1", "CAFE"]
        assert [c.code for c in list_customers(s, include_inactive=False)] == ["CAFE"]
        with pytest.raises(NotFoundError):
            get_customer(s, 999)


def test_bad_customer_fields_are_each_named_and_nothing_is_saved(sqlite_db: Database) -> None:
    with unit_of_work(sqlite_db) as s:
        user = users.workstation_user(s, "tester").id
        save_customer(s, user, CustomerInput("KUND1", "Kund Ett"))
    with pytest.raises(FieldErrors) as caught, unit_of_work(sqlite_db) as s:
        save_customer(
            s,
            user,
            CustomerInput(
                "kund1", " ", email="not-an-address", phone="ring mig", address="x" * 501
            ),
        )
    assert set(caught.value.errors) == {"code", "name", "email", "phone", "address"}
    assert "already a customer kund1" in caught.value.errors["code"]
    with pytest.raises(FieldErrors) as caught, unit_of_work(sqlite_db) as s:
        save_customer(s, user, CustomerInput("HAS SPACE", "x" * 201))
    assert set(caught.value.errors) == {"code", "name"}
    with pytest.raises(FieldErrors, match="Give the customer a code"), unit_of_work(sqlite_db) as s:
        save_customer(s, user, CustomerInput("", "Namn"))
    with pytest.raises(NotFoundError), unit_of_work(sqlite_db) as s:
        save_customer(s, user, CustomerInput("NEW", "Ny"), 999)
    with unit_of_work(sqlite_db, read_only=True) as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 1


def test_search_matches_code_or_name_exact_code_first(db: Database) -> None:
    with unit_of_work(db) as s:
        user = users.workstation_user(s, "tester").id
        for code, name, active in (
            ("ASEN", "Café Åsen", True),
            ("BYGG", "Bygg & Järn i Åsen", True),
            ("OLD", "Åsens gamla kiosk", False),
            ("P100", "100% Ekologiskt", True),
        ):
            save_customer(s, user, CustomerInput(code, name, active=active))
    with unit_of_work(db, read_only=True) as s:
        assert [c.code for c in search_customers(s, "åsen")] == ["BYGG", "ASEN"]
        assert [c.code for c in search_customers(s, "asen")] == ["ASEN"]
        assert [c.code for c in search_customers(s, "%")] == ["P100"]
        assert [c.code for c in search_customers(s, "")] == ["P100", "BYGG", "ASEN"]
        assert [c.code for c in search_customers(s, "e", limit=1)] == ["P100"]
