"""Swedish at the workstation: the decimal comma typed and shown, the window's words in
Swedish, and numbers in the services' messages written the Swedish way."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app import i18n
from app.i18n import format_number
from app.models import MoveKind
from app.services import items, ledger
from app.services.database import Database, unit_of_work
from app.services.errors import StockError, ValidationError
from app.services.parsing import parse_decimal
from app.services.users import UserRef
from app.ui.formatting import fmt_money, fmt_money_edit, fmt_qty, fmt_qty_edit
from app.ui.item_editor import ItemEditor
from app.ui.runner import Runner
from tests import factories
from tests.ui.conftest import TIMEOUT_MS

D = Decimal
NBSP = "\u00a0"


@pytest.fixture
def swedish() -> Iterator[None]:
    """Hylla in Swedish for one test (the rest of the suite runs in English)."""
    i18n.set_language("sv")
    try:
        yield
    finally:
        i18n.set_language("en")


def test_swedish_numbers_are_shown_with_a_decimal_comma_and_spaces(swedish: None) -> None:
    assert fmt_qty(D("1234.5")) == f"1{NBSP}234,5"
    assert fmt_qty(D("0.001")) == "0,001"
    assert fmt_qty_edit(D("1234.5")) == "1234,5"  # no grouping in a field to edit
    assert fmt_money(D("1234.505")) == f"1{NBSP}234,51"
    assert fmt_money_edit(D("12.5")) == "12,50"
    assert format_number(D("2.500")) == "2,5"
    assert format_number(D("1000")) == "1000"


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("12,5", D("12.5")),
        ("12.5", D("12.5")),  # the numeric keypad's point is read too
        ("1 234,5", D("1234.5")),
        (f"1{NBSP}234,5", D("1234.5")),  # as Hylla shows it, copied back
        ("1\u202f234,5", D("1234.5")),  # a narrow no-break space, as some programs write
        ("1.234,50", D("1234.50")),
        ("−3,5", D("-3.5")),  # the minus sign Swedish formatting uses
        (" 7 ", D(7)),
        (",5", D("0.5")),
    ],
)
def test_swedish_typing_is_read_exactly(swedish: None, typed: str, value: Decimal) -> None:
    assert parse_decimal(typed) == value


@pytest.mark.parametrize("typed", ["12,5 kg", "tolv", "1,2,3", "", "1e", "NaN", "∞"])
def test_what_is_not_a_number_is_refused_in_swedish(swedish: None, typed: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_decimal(typed, "quantity")
    assert refused.value.field == "quantity"
    assert "är inget tal" in refused.value.message and "12,5" in refused.value.message


@given(st.decimals(min_value=D("-1000000"), max_value=D("1000000"), places=3, allow_nan=False))
def test_every_quantity_shown_in_swedish_reads_back_exactly(value: Decimal) -> None:
    i18n.set_language("sv")
    try:
        assert parse_decimal(fmt_qty(value)) == value
        assert parse_decimal(fmt_qty_edit(value)) == value
        assert parse_decimal(format_number(value)) == value
    finally:
        i18n.set_language("en")


def test_a_stock_refusal_speaks_swedish_numbers(swedish: None, db: Database) -> None:
    with unit_of_work(db) as s:
        p = factories.places(s)
        item = factories.item(s, p.user, "SALT", unit="kg").id
        factories.receive(s, p, item, "2.5")
        with pytest.raises(StockError) as refused:
            ledger.post_move(
                s,
                item_id=item,
                quantity=D("3.25"),
                from_location_id=p.bins[0],
                to_location_id=p.customer,
                kind=MoveKind.ISSUE,
                user_id=p.user,
            )
    message = refused.value.message
    assert "2,5 kg" in message and "3,25" in message and "2.5" not in message


def test_the_item_editor_takes_and_shows_a_decimal_comma(
    qtbot: QtBot, swedish: None, runner: Runner, tester: UserRef, sqlite_db: Database
) -> None:
    sqlite_db.run(factories.places)
    editor = ItemEditor(runner, tester, None)
    with qtbot.waitSignal(editor.loaded, timeout=TIMEOUT_MS):
        editor.show()
    assert editor.save_button.text().replace("&", "") == "Spara"
    editor.sku_edit.setText("SALT-1")
    editor.name_edit.setText("Salt")
    editor.price_edit.setText("1 234,50")
    editor.policy_combo.setCurrentIndex(editor.policy_combo.findData("min-max"))
    editor.min_edit.setText("0,25")
    editor.max_edit.setText("1000,125")
    with qtbot.waitSignal(editor.saved, timeout=TIMEOUT_MS) as saved:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert saved.args is not None
    stored = sqlite_db.run(items.get_item, saved.args[0].id)
    assert (stored.sales_price, stored.min_qty, stored.max_qty) == (
        D("1234.50"),
        D("0.25"),
        D("1000.125"),
    )

    again = ItemEditor(runner, tester, stored.id)
    with qtbot.waitSignal(again.loaded, timeout=TIMEOUT_MS):
        again.show()
    assert (again.price_edit.text(), again.min_edit.text(), again.max_edit.text()) == (
        "1234,50",
        "0,25",
        "1000,125",
    )
    again.close()


def test_a_bad_swedish_quantity_in_the_editor_is_explained_and_nothing_saved(
    qtbot: QtBot, swedish: None, runner: Runner, tester: UserRef, sqlite_db: Database
) -> None:
    sqlite_db.run(factories.places)
    editor = ItemEditor(runner, tester, None)
    with qtbot.waitSignal(editor.loaded, timeout=TIMEOUT_MS):
        editor.show()
    editor.sku_edit.setText("SALT-2")
    editor.name_edit.setText("Salt")
    editor.policy_combo.setCurrentIndex(editor.policy_combo.findData("min-max"))
    editor.min_edit.setText("fem")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor._saving, timeout=TIMEOUT_MS)
    shown = editor._errors["min_qty"]
    assert shown.isVisible() and "”fem” är inget tal" in shown.text()
    assert sqlite_db.run(items.list_items) == []
    editor.close()
