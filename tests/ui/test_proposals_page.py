"""The Proposals page: a run in the background, lines under their supplier with their
reasons and a demand chart, a quantity edited (and refused when not whole packs), a line
dismissed and shown again, and the ticked lines ordered as a draft purchase order whose
PDF is saved."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from app.models import PurchaseOrderStatus
from app.services import proposals, users
from app.services.database import Database
from app.services.proposals import LineKind
from app.services.purchase_orders import get_purchase_order, list_purchase_orders
from app.services.scanning import ScanResult
from app.services.suppliers import SupplierInput, save_supplier
from app.ui import proposals_page
from app.ui.pages import page_keys
from app.ui.proposals_page import (
    KIND_ROLE,
    LINE_ROLE,
    SUPPLIER_ROW,
    PlanningSettingsDialog,
    ProposalsPage,
)
from app.ui.runner import Runner
from tests.reports.pdf_tools import pdf_text
from tests.services.proposals_setup import World, item, world
from tests.ui.conftest import TIMEOUT_MS, Dialogs

D = Decimal


@dataclass(frozen=True)
class Shop:
    world: World
    coffee: int
    tea: int
    manual: int


@pytest.fixture
def shop(sqlite_db: Database) -> Shop:
    def build(session):  # type: ignore[no-untyped-def]
        w = world(session)
        return Shop(
            w,
            item(session, w, "KAFFE", daily="2", on_hand="4", pack="6"),
            item(session, w, "TE", policy="min-max", min_qty="10", max_qty="30", on_hand="2"),
            item(session, w, "HANDTAG", policy="manual", daily="1", on_hand="0", min_qty="3"),
        )

    return sqlite_db.run(build)


@pytest.fixture
def page(
    qtbot: QtBot, runner: Runner, settings: QSettings, sqlite_db: Database, shop: Shop
) -> Iterator[ProposalsPage]:
    buyer = sqlite_db.run(users.workstation_user, "buyer")
    made = ProposalsPage(runner, buyer, settings=settings)
    qtbot.addWidget(made)
    made.resize(1200, 800)
    with qtbot.waitSignal(made.run_finished, timeout=TIMEOUT_MS):
        made.show()
        made.activate()
    yield made


def line_ids(page: ProposalsPage) -> list[int]:
    return [line.item_id for line in page.lines_shown()]


def test_the_page_is_in_the_window() -> None:
    keys = page_keys()
    assert keys.index("purchase-orders") < keys.index("proposals") < keys.index("settings")


def test_a_run_lists_lines_under_their_supplier_with_reasons_and_a_chart(
    qtbot: QtBot, page: ProposalsPage, shop: Shop
) -> None:
    supplier = page.model.index(0, 0)
    assert supplier.data(KIND_ROLE) == SUPPLIER_ROW
    assert supplier.data() == "NORD"
    assert supplier.siblingAtColumn(ProposalsPage.NAME).data() == "Nordgrossisten AB"
    assert set(line_ids(page)) == {shop.coffee, shop.tea, shop.manual}
    assert "items to order from 1 supplier" in page.summary_label.text()
    assert not page.progress.isVisible() and page.run_button.isEnabled()

    with qtbot.waitSignal(page.chart_shown, timeout=TIMEOUT_MS) as shown:
        assert page.select_line(shop.coffee)
    assert shown.args == [shop.coffee]
    assert page.detail_title.text().startswith("KAFFE")
    text = page.explanation.text()
    assert text.startswith("On hand 4, on order 0") and "Reorder point" in text
    assert len(page.chart.weeks) == 52 and page.chart.forecast_weekly is not None
    page.chart.grab()  # draws without error

    manual = page._find_line(shop.manual)
    assert manual is not None
    manual_line = manual.data(LINE_ROLE)
    assert manual_line.kind is LineKind.MANUAL
    assert not page.model.itemFromIndex(manual).isCheckable()
    assert "2 lines ticked" in page.ticked_label.text()


def test_a_quantity_is_checked_edited_and_ordered_into_a_draft_po_with_its_pdf(
    qtbot: QtBot,
    page: ProposalsPage,
    shop: Shop,
    sqlite_db: Database,
    dialogs: Dialogs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page.set_quantity(shop.coffee, "7")
    qtbot.waitUntil(lambda: page.error_label.isVisible(), timeout=TIMEOUT_MS)
    assert "comes in packs of 6 pcs: order 6 or 12, not 7" in page.error_label.text()
    index = page._find_line(shop.coffee)
    assert index is not None
    quantity_cell = index.siblingAtColumn(ProposalsPage.QUANTITY)
    assert quantity_cell.data() != "7"  # the refused quantity is not kept

    page.set_quantity(shop.coffee, "12")
    qtbot.waitUntil(lambda: quantity_cell.data() == "12", timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: not page.error_label.isVisible(), timeout=TIMEOUT_MS)
    assert index.siblingAtColumn(ProposalsPage.PACKS).data() == "2 × 6"
    # Only the coffee is ordered.
    tea = page._find_line(shop.tea)
    assert tea is not None
    page.model.itemFromIndex(tea).setCheckState(Qt.CheckState.Unchecked)
    assert "1 line ticked (120.00 SEK)" in page.ticked_label.text()

    saved_to = tmp_path / "order.pdf"
    opened: list[Path] = []
    monkeypatch.setattr(proposals_page.documents, "choose_pdf_path", lambda *_args: saved_to)
    monkeypatch.setattr(proposals_page.documents, "open_pdf", lambda path: opened.append(path))
    dialogs.answer = True
    with qtbot.waitSignals([page.accepted, page.pdf_saved], timeout=TIMEOUT_MS):
        page.order_button.click()
    orders = sqlite_db.read(list_purchase_orders)
    assert len(orders) == 1 and orders[0].status is PurchaseOrderStatus.DRAFT
    detail = sqlite_db.read(get_purchase_order, orders[0].id)
    assert [(line.item_id, line.quantity) for line in detail.lines] == [(shop.coffee, D(12))]
    assert orders[0].number in page.orders_label.text()
    assert any("Order 1 line" in question for question in dialogs.questions)
    pdf = saved_to.read_bytes()
    assert pdf.startswith(b"%PDF") and orders[0].number in pdf_text(pdf)[0]
    assert opened == [saved_to]
    # The run that follows counts the draft as on order.
    qtbot.waitUntil(lambda: page.run_button.isEnabled(), timeout=TIMEOUT_MS)
    coffee = page._find_line(shop.coffee)
    if coffee is not None:
        assert coffee.data(LINE_ROLE).on_order == D(12)


def test_orders_to_several_suppliers_are_saved_into_one_folder_chosen_once(
    qtbot: QtBot,
    page: ProposalsPage,
    shop: Shop,
    sqlite_db: Database,
    dialogs: Dialogs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def second_supplier(session):  # type: ignore[no-untyped-def]
        save_supplier(
            session,
            shop.world.user,
            SupplierInput(code="SYD", name="Sydgrossisten AB", lead_time_days=5),
        )
        return item(session, shop.world, "MJOLK", daily="3", on_hand="2", supplier="SYD")

    sqlite_db.run(second_supplier)
    with qtbot.waitSignal(page.run_finished, timeout=TIMEOUT_MS):
        page.run()
    assert "from 2 suppliers" in page.summary_label.text()

    def one_at_a_time(*_args: object) -> Path:
        raise AssertionError("asked for each file")

    monkeypatch.setattr(proposals_page.documents, "choose_pdf_path", one_at_a_time)
    monkeypatch.setattr(proposals_page.documents, "choose_pdf_folder", lambda *_a: tmp_path)
    dialogs.answer = True
    with qtbot.waitSignals([page.accepted, page.pdf_saved, page.pdf_saved], timeout=TIMEOUT_MS):
        page.order_button.click()
    numbers = sorted(po.number for po in page.orders)
    assert len(numbers) == 2
    assert sorted(path.name for path in tmp_path.glob("*.pdf")) == [f"{n}.pdf" for n in numbers]
    for number in numbers:
        assert number in pdf_text((tmp_path / f"{number}.pdf").read_bytes())[0]
    assert page._settings.value("documents/folder") == str(tmp_path)

    # Saved again into the same folder: asked once before anything is replaced.
    for number in numbers:
        (tmp_path / f"{number}.pdf").write_bytes(b"kept")
    dialogs.answer = False
    page.save_order_pdfs()
    assert dialogs.questions[-1] == (
        f"{numbers[0]}.pdf, {numbers[1]}.pdf are already in {tmp_path}. Replace them?"
    )
    qtbot.wait(200)
    assert all((tmp_path / f"{n}.pdf").read_bytes() == b"kept" for n in numbers)


def test_a_dismissed_line_goes_and_comes_back_when_asked(
    qtbot: QtBot, page: ProposalsPage, shop: Shop
) -> None:
    assert page.select_line(shop.tea)
    page.note_edit.setText("season is over")
    with qtbot.waitSignal(page.status_message, timeout=TIMEOUT_MS):
        page.dismiss_button.click()
    qtbot.waitUntil(lambda: shop.tea not in line_ids(page), timeout=TIMEOUT_MS)
    page.dismissed_check.setChecked(True)
    dismissed = page._find_line(shop.tea)
    assert dismissed is not None
    page.tree.setCurrentIndex(dismissed)
    assert page.restore_button.isVisible() and not page.dismiss_button.isVisible()
    # A run keeps it hidden: nothing has changed.
    with qtbot.waitSignal(page.run_finished, timeout=TIMEOUT_MS):
        page.run()
    assert shop.tea not in line_ids(page)
    dismissed = page._find_line(shop.tea)
    assert dismissed is not None
    page.tree.setCurrentIndex(dismissed)
    with qtbot.waitSignal(page.run_finished, timeout=TIMEOUT_MS):
        page.restore_button.click()
    assert shop.tea in line_ids(page)


def test_a_run_can_be_cancelled(qtbot: QtBot, page: ProposalsPage, runner: Runner) -> None:
    gate = threading.Event()
    # Hold the database worker so the cancel lands before the run starts.
    runner.call(gate.wait, 5)
    page.run()
    assert page.cancel_button.isVisible() and not page.run_button.isEnabled()
    page.cancel()
    gate.set()
    qtbot.waitUntil(lambda: page.run_button.isEnabled(), timeout=TIMEOUT_MS)
    assert page.summary_label.text() == "The run was cancelled."


def test_the_filter_and_a_scan_find_a_line(qtbot: QtBot, page: ProposalsPage, shop: Shop) -> None:
    page.filter_edit.setText("kaffe")
    assert line_ids(page) == [shop.coffee]
    page.filter_edit.clear()
    assert len(line_ids(page)) == 3
    scan = ScanResult(raw="x", outcome="item", message="", item_id=shop.coffee, sku="KAFFE")
    assert page.handle_scan(scan)
    assert page.selected_line() is not None and page.selected_line().item_id == shop.coffee


def test_a_manager_changes_the_planning_settings_and_the_run_follows(
    qtbot: QtBot, page: ProposalsPage, sqlite_db: Database
) -> None:
    assert page.settings_button.isEnabled()
    with qtbot.waitSignal(page.dialog_opened, timeout=TIMEOUT_MS) as opened:
        page.settings_button.click()
    dialog = opened.args[0]
    assert isinstance(dialog, PlanningSettingsDialog)
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=TIMEOUT_MS)
    assert (dialog.cost_edit.text(), dialog.rate_edit.text(), dialog.level_edit.text()) == (
        "250.00",
        "25",
        "95",
    )
    dialog.rate_edit.setText("0")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=TIMEOUT_MS)
    assert "holding rate" in dialog.error.text()
    assert dialog.rate_edit.property("error") is True
    dialog.rate_edit.setText("30")
    dialog.level_edit.setText("99")
    with qtbot.waitSignal(page.run_finished, timeout=TIMEOUT_MS):
        dialog.save()
    settings = sqlite_db.read(proposals.proposal_settings)
    assert settings.holding_rate_percent == D(30) and settings.service_level_percent == D(99)


def test_order_days_are_set_on_the_supplier_row(
    qtbot: QtBot, page: ProposalsPage, shop: Shop, sqlite_db: Database
) -> None:
    page.tree.setCurrentIndex(page.model.index(0, 0))
    assert page.order_days_row.isVisible()
    page.day_checks[2].setChecked(True)
    with qtbot.waitSignal(page.run_finished, timeout=TIMEOUT_MS):
        page.save_days_button.click()
    assert sqlite_db.read(proposals.supplier_order_days) == {shop.world.supplier: (2,)}
    assert page.run_result is not None and page.run_result.suppliers[0].order_days == (2,)
    page.tree.setCurrentIndex(page.model.index(0, 0))
    assert page.day_checks[2].isChecked() and not page.day_checks[0].isChecked()


def test_staff_may_not_change_what_proposals_plan_with(
    qtbot: QtBot, runner: Runner, settings: QSettings, sqlite_db: Database, shop: Shop
) -> None:
    staff = sqlite_db.run(users.workstation_user, "lagerarbetare")
    made = ProposalsPage(runner, staff, settings=settings)
    qtbot.addWidget(made)
    assert not made.settings_button.isEnabled() and not made.save_days_button.isEnabled()
    assert "Only a manager" in made.settings_button.toolTip()
