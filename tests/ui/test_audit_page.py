"""The Audit trail page: managers see who changed what, filter it and export it; staff
are told they may not."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.models import Role
from app.services import auth, locations
from app.services.auth import UserInput
from app.services.database import Database
from app.services.users import UserRef
from app.ui import widgets
from app.ui.audit_page import AuditPage
from app.ui.runner import Runner
from tests import factories
from tests.ui.conftest import TIMEOUT_MS


def _people(db: Database) -> tuple[UserRef, UserRef]:
    admin = db.run(auth.create_first_admin, "anna", "Anna Berg", "lager-lösen-1")
    kim = db.run(auth.create_user, admin.id, UserInput("kim", "Kim", Role.STAFF, True, "2580"))
    return admin, UserRef(kim.id, "kim", "Kim", Role.STAFF)


def _page(qtbot: QtBot, runner: Runner, user: UserRef) -> AuditPage:
    page = AuditPage(runner, user)
    qtbot.addWidget(page)
    page.resize(1100, 500)
    with qtbot.waitSignal(page.events_loaded, timeout=TIMEOUT_MS):
        page.show()
        page.activate()
    return page


def _column(page: AuditPage, column: int) -> list[str]:
    model = page.model
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_events_show_newest_first_and_filter(
    qtbot: QtBot, runner: Runner, sqlite_db: Database
) -> None:
    admin, _kim = _people(sqlite_db)
    sqlite_db.run(locations.save_bin, admin.id, "A-01", "Aisle A")
    sqlite_db.run(factories.item, admin.id, "KAF-1")
    page = _page(qtbot, runner, admin)
    assert _column(page, page.WHAT)[:2] == ["Item", "Bin"]
    assert _column(page, page.WHO)[0] == "Anna Berg"
    assert _column(page, page.ACTION)[0] == "created"
    assert _column(page, page.DETAILS)[0] == "sku: KAF-1"
    assert page.count_label.text() == f"{page.result.total} events"  # type: ignore[union-attr]

    index = page.entity_combo.findData("location")
    assert index > 0 and page.entity_combo.itemText(index) == "Bin"
    with qtbot.waitSignal(page.events_loaded, timeout=TIMEOUT_MS):
        page.entity_combo.setCurrentIndex(index)
    assert _column(page, page.DETAILS) == ["code: A-01, name: Aisle A"]
    assert page.count_label.text() == "1 event"

    page.entity_combo.setCurrentIndex(0)
    with qtbot.waitSignal(page.events_loaded, timeout=TIMEOUT_MS):
        qtbot.keyClicks(page.text_edit, "kaf-1")
    qtbot.waitUntil(lambda: _column(page, page.DETAILS) == ["sku: KAF-1"], timeout=TIMEOUT_MS)


def test_a_date_range_the_wrong_way_round_is_explained(
    qtbot: QtBot, runner: Runner, sqlite_db: Database
) -> None:
    admin, _kim = _people(sqlite_db)
    page = _page(qtbot, runner, admin)
    page.to_edit.setDate(page.from_edit.date().addDays(-3))
    page.to_check.setChecked(True)
    page.from_check.setChecked(True)
    qtbot.waitUntil(lambda: page.error_label.isVisibleTo(page), timeout=TIMEOUT_MS)
    assert "“from” date is after the “to” date" in page.error_label.text()


def test_the_export_writes_what_the_filters_show(
    qtbot: QtBot,
    runner: Runner,
    sqlite_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin, _kim = _people(sqlite_db)
    sqlite_db.run(locations.save_bin, admin.id, "A-01")
    page = _page(qtbot, runner, admin)
    with qtbot.waitSignal(page.events_loaded, timeout=TIMEOUT_MS):
        page.entity_combo.setCurrentIndex(page.entity_combo.findData("location"))
    target = tmp_path / "audit"
    monkeypatch.setattr(widgets, "get_save_file_name", lambda *_a: str(target))
    with qtbot.waitSignal(page.exported, timeout=TIMEOUT_MS) as exported:
        page.export()
    assert exported.args == [1]
    with target.with_name("audit.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert [row[2:5] for row in rows[1:]] == [["create", "location", rows[1][4]]]


def test_staff_are_told_they_may_not_read_the_trail(
    qtbot: QtBot, runner: Runner, sqlite_db: Database
) -> None:
    _admin, kim = _people(sqlite_db)
    page = AuditPage(runner, kim)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    assert page.not_allowed.isVisibleTo(page)
    assert not page.export_button.isEnabled() and not page.text_edit.isEnabled()
    assert runner.pending_count() == 0 and page.model.rowCount() == 0
