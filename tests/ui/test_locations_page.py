"""The Locations page: bins with what they hold, filtering, adding and renaming a bin,
bin labels for the selected bins, scanned bin labels, and its place in the window."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QSettings, Qt
from pytestqt.qtbot import QtBot

from app.services.database import Database
from app.services.labels import LabelKind
from app.services.scanning import ScanResult
from app.services.users import UserRef
from app.ui import labels_dialog
from app.ui.locations_page import BinDialog, LocationsPage
from app.ui.main_window import MainWindow
from app.ui.runner import Runner
from tests import factories
from tests.barcodes.test_labels import decode_pdf
from tests.ui.conftest import TIMEOUT_MS, Dialogs


def _warehouse(db: Database) -> factories.Places:
    def fill(session):  # type: ignore[no-untyped-def]
        p = factories.places(session, n_bins=3)
        bolt = factories.item(session, p.user, "BOLT-8")
        nut = factories.item(session, p.user, "NUT-8")
        factories.receive(session, p, bolt.id, "10")
        factories.receive(session, p, nut.id, "2.5")
        factories.receive(session, p, nut.id, "4", bin_index=1)
        return p

    return db.run(fill)


def loaded_page(
    qtbot: QtBot, runner: Runner, user: UserRef, settings: QSettings | None = None
) -> LocationsPage:
    page = LocationsPage(runner, user, settings=settings)
    qtbot.addWidget(page)
    page.resize(900, 500)
    with qtbot.waitSignal(page.bins_loaded, timeout=TIMEOUT_MS):
        page.show()
        page.activate()
    return page


def _cells(page: LocationsPage) -> list[list[str]]:
    model = page.model
    return [
        [model.index(row, column).data() for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def test_bins_are_listed_with_what_they_hold(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database
) -> None:
    _warehouse(sqlite_db)
    page = loaded_page(qtbot, runner, tester)

    assert _cells(page) == [
        ["A-01-01", "", "2", "12.5"],
        ["A-01-02", "", "1", "4"],
        ["A-01-03", "", "0", "0"],
    ]
    assert page.count_label.text() == "3 bins"
    assert not page.empty_hint.isVisible()

    qtbot.keyClicks(page.filter_edit, "01-02")
    assert page.count_label.text() == "1 of 3 bins"
    assert [row.code for row in page.selected_rows()] == ["A-01-02"]
    assert page.rename_button.isEnabled() and page.print_button.isEnabled()


def test_an_empty_warehouse_says_how_to_add_bins(
    qtbot: QtBot, runner: Runner, tester: UserRef
) -> None:
    page = loaded_page(qtbot, runner, tester)
    assert page.count_label.text() == "0 bins"
    assert page.empty_hint.isVisible()
    assert not page.print_button.isEnabled() and not page.rename_button.isEnabled()
    assert page.print_labels() is None


def test_add_a_bin_and_see_a_bad_code_explained(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database
) -> None:
    _warehouse(sqlite_db)
    page = loaded_page(qtbot, runner, tester)
    dialog = page.new_bin()
    qtbot.addWidget(dialog)

    qtbot.keyClicks(dialog.code_edit, "B 12")
    dialog.save()
    qtbot.waitUntil(dialog.code_error.isVisible, timeout=TIMEOUT_MS)
    assert "A bin code is 1–40 letters" in dialog.code_error.text()
    assert dialog.code_edit.property("error") is True

    dialog.code_edit.setText("a-01-01")
    dialog.save()
    qtbot.waitUntil(
        lambda: "There is already a bin A-01-01" in dialog.code_error.text(),
        timeout=TIMEOUT_MS,
    )

    dialog.code_edit.setText("b/12-04")
    qtbot.keyClicks(dialog.name_edit, "Hylla B12")
    with qtbot.waitSignal(page.bins_loaded, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert [row.code for row in page.selected_rows()] == ["B/12-04"]
    assert page.selected_rows()[0].name == "Hylla B12"
    assert page.count_label.text() == "4 bins"


def test_enter_after_correcting_a_refused_code_saves_the_bin(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database
) -> None:
    # A clicked Save is disabled while the worker checks the code, which hands the focus
    # (and with it the default button) to Cancel: Enter then threw the new bin away.
    _warehouse(sqlite_db)
    page = loaded_page(qtbot, runner, tester)
    dialog = page.new_bin()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=TIMEOUT_MS)
    qtbot.keyClicks(dialog.code_edit, "B 12")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.code_error.isVisible, timeout=TIMEOUT_MS)
    assert dialog.focusWidget() is dialog.code_edit and dialog.save_button.isDefault()
    dialog.code_edit.selectAll()
    qtbot.keyClicks(dialog.code_edit, "B-12")
    with qtbot.waitSignal(page.bins_loaded, timeout=TIMEOUT_MS):
        qtbot.keyClick(dialog.code_edit, Qt.Key.Key_Return)
    assert [row.code for row in page.selected_rows()] == ["B-12"]


def test_rename_the_selected_bin(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database
) -> None:
    _warehouse(sqlite_db)
    page = loaded_page(qtbot, runner, tester)
    changed: list[bool] = []
    page.data_changed.connect(lambda: changed.append(True))
    page.select_bins([page.model.row_at(1).id])

    dialog = page.rename_selected()
    assert isinstance(dialog, BinDialog)
    qtbot.addWidget(dialog)
    assert (dialog.code_edit.text(), dialog.windowTitle()) == ("A-01-02", "Rename bin")
    dialog.name_edit.setText("Kylrum")
    with qtbot.waitSignal(page.bins_loaded, timeout=TIMEOUT_MS):
        dialog.save()

    assert [(r.code, r.name, r.total_quantity) for r in page.selected_rows()] == [
        ("A-01-02", "Kylrum", Decimal(4))
    ]
    assert changed == [True]


def test_print_bin_labels_for_the_selected_bins(
    qtbot: QtBot,
    runner: Runner,
    tester: UserRef,
    sqlite_db: Database,
    settings: QSettings,
    dialogs: Dialogs,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    _warehouse(sqlite_db)
    monkeypatch.setattr(labels_dialog, "open_in_viewer", lambda _path: True)
    monkeypatch.setattr(
        labels_dialog, "choose_save_path", lambda _parent, _path: tmp_path / "bins.pdf"
    )
    dialogs.answer = False
    page = loaded_page(qtbot, runner, tester, settings)
    page.select_bins([page.model.row_at(0).id])
    page.table.selectionModel().select(
        page.model.index(2, 0),
        QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert not page.rename_button.isEnabled()  # renaming is one bin at a time

    dialog = page.print_labels()
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert dialog.kind() is LabelKind.BINS and not dialog.kind_combo.isEnabled()
    assert not dialog.price_check.isVisibleTo(dialog)
    assert dialog.subject_label.text() == "2 bins selected"
    dialog.layout_combo.setCurrentIndex(dialog.layout_combo.findData("roll-62x29"))
    assert dialog.preview_label.text() == "2 labels, on 2 roll labels."
    with qtbot.waitSignal(dialog.saved, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    pdf = (tmp_path / "bins.pdf").read_bytes()
    assert [d.text for d in decode_pdf(pdf, "roll-62x29", tmp_path)] == ["A-01-01", "A-01-03"]


def test_a_scanned_bin_label_selects_its_bin(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database
) -> None:
    places = _warehouse(sqlite_db)
    page = loaded_page(qtbot, runner, tester)
    qtbot.keyClicks(page.filter_edit, "01-01")

    scanned = ScanResult("A-01-02", "bin", "Bin A-01-02", bin_id=places.bins[1], bin_code="A-01-02")
    assert page.handle_scan(scanned)

    assert page.filter_edit.text() == ""
    assert [row.code for row in page.selected_rows()] == ["A-01-02"]
    assert not page.handle_scan(ScanResult("X", "unknown", "Unknown code X"))


def test_the_window_has_a_locations_page(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database, settings: QSettings
) -> None:
    _warehouse(sqlite_db)
    window = MainWindow(runner, tester, sqlite_db.describe(), settings)
    qtbot.addWidget(window)
    window.show()
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles.index("Locations") == window.LOCATIONS

    with qtbot.waitSignal(window.locations_page.bins_loaded, timeout=TIMEOUT_MS):
        window.show_page(window.LOCATIONS)
    assert window.current_page() is window.locations_page
    assert window.locations_page.model.rowCount() == 3
    window.close()
    assert settings.value("main/page") == "locations"
    again = MainWindow(runner, tester, sqlite_db.describe(), settings)
    qtbot.addWidget(again)
    assert again.pages.currentWidget() is again.locations_page
