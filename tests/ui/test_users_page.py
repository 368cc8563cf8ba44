"""The Users page: an administrator adds and changes users, sets a password, unlocks a
locked-out user; everyone else sees the list only (and changes their own password)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.models import Role
from app.services import auth
from app.services.auth import UserInput
from app.services.database import Database
from app.services.users import UserRef
from app.ui.runner import Runner
from app.ui.sign_in import ChangePasswordDialog
from app.ui.users_page import PasswordDialog, UserDialog, UsersPage
from tests.ui.conftest import TIMEOUT_MS


def _admin(db: Database) -> UserRef:
    return db.run(auth.create_first_admin, "anna", "Anna Berg", "lager-lösen-1")


def _page(qtbot: QtBot, runner: Runner, user: UserRef) -> UsersPage:
    page = UsersPage(runner, user)
    qtbot.addWidget(page)
    page.resize(900, 500)
    with qtbot.waitSignal(page.users_loaded, timeout=TIMEOUT_MS):
        page.show()
        page.activate()
    return page


def _cells(page: UsersPage) -> list[list[str]]:
    model = page.model
    return [
        [model.index(row, column).data() for column in range(model.columnCount() - 1)]
        for row in range(model.rowCount())
    ]


def test_an_administrator_adds_a_user_with_a_first_pin(
    qtbot: QtBot, runner: Runner, sqlite_db: Database
) -> None:
    page = _page(qtbot, runner, _admin(sqlite_db))
    assert _cells(page) == [["Anna Berg", "anna", "Administrator", "Active"]]
    assert page.new_button.isEnabled() and not page.admin_note.isVisibleTo(page)
    dialog = page.new_user()
    assert isinstance(dialog, UserDialog)
    dialog.username_edit.setText("kim berg")  # a space: refused
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData("manager"))
    dialog.password_edit.setText("12")
    dialog.repeat_edit.setText("12")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=TIMEOUT_MS)
    assert dialog.errors["username"].text().startswith("A user name is 1–64 letters")
    assert dialog.errors["password"].text() == "A PIN needs at least 4 digits."
    assert len(sqlite_db.read(auth.list_users)) == 1
    dialog.username_edit.setText("kim")
    dialog.display_edit.setText("Kim Berg")
    dialog.password_edit.setText("2580")
    dialog.repeat_edit.setText("2580")
    with qtbot.waitSignal(page.users_loaded, timeout=TIMEOUT_MS):
        dialog.save()
    assert ["Kim Berg", "kim", "Manager", "Active"] in _cells(page)
    assert page.selected_row() is not None and page.selected_row().username == "kim"  # type: ignore[union-attr]
    assert sqlite_db.run(auth.sign_in, "kim", "2580").ok


def test_enter_after_a_refused_save_saves_again(
    qtbot: QtBot, runner: Runner, sqlite_db: Database
) -> None:
    page = _page(qtbot, runner, _admin(sqlite_db))
    dialog = page.new_user()
    assert isinstance(dialog, UserDialog)
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=TIMEOUT_MS)
    dialog.username_edit.setText("kim")
    dialog.password_edit.setText("25")
    dialog.repeat_edit.setText("25")
    # Save clicked, disabled while it runs: the focus went to Cancel and stayed there.
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=TIMEOUT_MS)
    assert dialog.errors["password"].text() == "A PIN needs at least 4 digits."
    assert dialog.focusWidget() is dialog.password_edit and dialog.save_button.isDefault()
    dialog.password_edit.setText("2580")
    dialog.repeat_edit.setText("2580")
    with qtbot.waitSignal(page.users_loaded, timeout=TIMEOUT_MS):
        qtbot.keyClick(dialog.repeat_edit, Qt.Key.Key_Return)
    assert sqlite_db.run(auth.sign_in, "kim", "2580").ok


def test_deactivating_setting_a_password_and_unlocking(
    qtbot: QtBot, runner: Runner, sqlite_db: Database
) -> None:
    admin = _admin(sqlite_db)
    kim = sqlite_db.run(
        auth.create_user, admin.id, UserInput("kim", "Kim", Role.STAFF, True, "2580")
    )
    for _ in range(auth.MAX_FAILED_SIGN_INS):
        sqlite_db.run(auth.sign_in, "kim", "0000")
    page = _page(qtbot, runner, admin)
    page.select_user(kim.id)
    assert page.selected_row().locked  # type: ignore[union-attr]
    assert ["Kim", "kim", "Staff", "Locked out"] in _cells(page)
    assert page.unlock_button.isEnabled()
    with qtbot.waitSignal(page.users_loaded, timeout=TIMEOUT_MS):
        page.unlock_selected()
    assert ["Kim", "kim", "Staff", "Active"] in _cells(page)
    assert not page.unlock_button.isEnabled()

    dialog = page.set_password_of_selected()
    assert isinstance(dialog, PasswordDialog)
    dialog.password_edit.setText("1397")
    dialog.repeat_edit.setText("1398")
    dialog.save()
    assert dialog.error.text() == "The two passwords differ. Type the same password twice."
    dialog.repeat_edit.setText("1397")
    with qtbot.waitSignal(page.users_loaded, timeout=TIMEOUT_MS):
        dialog.save()
    assert sqlite_db.run(auth.sign_in, "kim", "1397").ok

    edit = page.edit_selected()
    assert isinstance(edit, UserDialog) and edit.username_edit.text() == "kim"
    assert not edit.password_edit.isVisibleTo(edit)  # passwords are set on their own
    edit.active_check.setChecked(False)
    with qtbot.waitSignal(page.users_loaded, timeout=TIMEOUT_MS):
        edit.save()
    assert ["Kim", "kim", "Staff", "Deactivated"] in _cells(page)
    assert not sqlite_db.run(auth.sign_in, "kim", "1397").ok


def test_the_last_administrator_cannot_be_demoted_from_the_page(
    qtbot: QtBot, runner: Runner, sqlite_db: Database
) -> None:
    admin = _admin(sqlite_db)
    page = _page(qtbot, runner, admin)
    page.select_user(admin.id)
    dialog = page.edit_selected()
    assert dialog is not None
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData("staff"))
    dialog.save()
    qtbot.waitUntil(lambda: dialog.errors[""].isVisibleTo(dialog), timeout=TIMEOUT_MS)
    assert "only administrator who can sign in" in dialog.errors[""].text()
    assert sqlite_db.read(auth.list_users)[0].role is Role.ADMIN


def test_others_see_the_list_only_and_can_change_their_own_password(
    qtbot: QtBot, runner: Runner, sqlite_db: Database
) -> None:
    admin = _admin(sqlite_db)
    row = sqlite_db.run(
        auth.create_user, admin.id, UserInput("lena", "Lena", Role.MANAGER, True, "2468")
    )
    lena = UserRef(row.id, "lena", "Lena", Role.MANAGER)
    page = _page(qtbot, runner, lena)
    page.select_user(admin.id)
    for button in (page.new_button, page.edit_button, page.password_button, page.unlock_button):
        assert not button.isEnabled()
        assert button.toolTip() == "Only an administrator can change users."
    assert page.admin_note.isVisibleTo(page)
    assert page.new_user() is None and page.edit_selected() is None
    own = page.change_own_password()
    assert isinstance(own, ChangePasswordDialog)
    own.current_edit.setText("2468")
    own.new_edit.setText("8024")
    own.repeat_edit.setText("8024")
    with qtbot.waitSignal(own.changed, timeout=TIMEOUT_MS):
        own.save()
    assert sqlite_db.run(auth.sign_in, "lena", "8024").ok


def test_the_filter_narrows_the_list(qtbot: QtBot, runner: Runner, sqlite_db: Database) -> None:
    admin = _admin(sqlite_db)
    for name, role in (("kim", Role.STAFF), ("lena", Role.MANAGER)):
        sqlite_db.run(auth.create_user, admin.id, UserInput(name, name.title(), role, True, "2580"))
    page = _page(qtbot, runner, admin)
    qtbot.keyClicks(page.filter_edit, "manager")
    assert [row[1] for row in _cells(page)] == ["lena"]
