"""The Settings page: the scanner set-up stored per workstation, and the scanner test that
shows what arrived and what to change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.barcodes.diagnose import GS, TEST_GS1, TEST_TEXT, Fault, ScannerSetup, Suffix
from app.ui import widgets
from app.ui.scan_feedback import ScanSounds
from app.ui.scanner import ScannerInput, load_setup
from app.ui.settings_page import SettingsPage
from tests.ui.conftest import TIMEOUT_MS, Dialogs
from tests.ui.test_scanner import Keyboard, focus


@pytest.fixture
def page(qtbot: QtBot, qapp: QApplication, settings: QSettings) -> Iterator[SettingsPage]:
    scanner = ScannerInput(load_setup(settings))
    made = SettingsPage(scanner, settings, ScanSounds())
    qtbot.addWidget(made)
    scanner.set_home(made)
    scanner.install(qapp)
    made.resize(900, 700)
    focus(qtbot, made.suffix_combo)
    yield made
    scanner.uninstall()


def scanner_of(page: SettingsPage) -> ScannerInput:
    return page._scanner


def test_the_form_shows_the_defaults_and_saves_per_workstation(
    page: SettingsPage, settings: QSettings
) -> None:
    assert page.suffix_combo.currentData() == "enter"
    assert (page.gap_spin.value(), page.length_spin.value()) == (30, 4)
    assert page.substitute_edit.text() == "" and page.prefix_edit.keySequence().isEmpty()
    assert page.sounds_check.isChecked()

    page.suffix_combo.setCurrentIndex(page.suffix_combo.findData("tab"))
    page.substitute_edit.setText("<GS>")
    page.gap_spin.setValue(45)
    page.length_spin.setValue(6)
    page.prefix_edit.setKeySequence(QKeySequence("F12"))
    page.sounds_check.setChecked(False)
    assert page.save()

    wanted = ScannerSetup(Suffix.TAB, "<GS>", 45, 6, "F12")
    assert load_setup(settings) == wanted
    assert scanner_of(page).setup == wanted
    assert str(settings.value("scanner/sounds")).lower() == "false"
    assert not page._sounds.enabled
    assert page.saved_label.text() == "Saved. Scans use these settings now."

    page.defaults_button.click()
    assert page.suffix_combo.currentData() == "enter" and page.gap_spin.value() == 30
    assert load_setup(settings) == wanted  # only Save stores


def test_a_substitute_of_letters_is_refused_and_nothing_changes(
    page: SettingsPage, settings: QSettings
) -> None:
    page.substitute_edit.setText("GS")
    page.gap_spin.setValue(80)
    assert not page.save()
    assert page.substitute_error.isVisible()
    assert "letters and digits" in page.substitute_error.text()
    assert load_setup(settings) == ScannerSetup()
    assert scanner_of(page).setup == ScannerSetup()
    page.substitute_edit.setText("~")
    page.substitute_edit.textEdited.emit("~")
    assert not page.substitute_error.isVisible()
    assert page.save()
    assert scanner_of(page).setup.gs_substitute == "~"


def test_a_good_test_scan(qtbot: QtBot, page: SettingsPage) -> None:
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    assert scanner_of(page).capturing and page.test_button.text() == "Stop test"
    target = QApplication.focusWidget()  # the button now: keys go wherever the focus is
    assert target is not None
    keyboard = Keyboard()
    with qtbot.waitSignal(page.diagnosed, timeout=TIMEOUT_MS) as done:
        keyboard.type(target, TEST_GS1)
        keyboard.enter(target)
    assert done.args[0].ok
    assert page.arrived_label.text() == "Arrived: 010950600013435210Lot-7/b␝17301231⏎"
    assert page.verdict_label.text() == "The scanner works with Hylla as set up here."
    assert page.test_button.text() == "Start test"
    assert page.suffix_combo.currentData() == "enter"  # the keys changed nothing


def test_a_us_scanner_on_a_swedish_layout_is_recognised(qtbot: QtBot, page: SettingsPage) -> None:
    page.start_test()
    keyboard = Keyboard()
    with qtbot.waitSignal(page.diagnosed, timeout=TIMEOUT_MS) as done:
        keyboard.type(page.suffix_combo, "Scan+Test-Zy42")
        keyboard.enter(page.suffix_combo)
    assert [f.fault for f in done.args[0].findings] == [Fault.LAYOUT]
    assert "Arrived: Scan+Test-Zy42⏎" == page.arrived_label.text()
    assert "keyboard country" in page.verdict_label.text()


def test_the_test_uses_the_form_as_it_stands(qtbot: QtBot, page: SettingsPage) -> None:
    # A "~" for GS is fine once entered in the form, even before it is saved.
    page.substitute_edit.setText("~")
    page.start_test()
    keyboard = Keyboard()
    with qtbot.waitSignal(page.diagnosed, timeout=TIMEOUT_MS) as done:
        keyboard.type(page.suffix_combo, TEST_GS1.replace(GS, "~"))
        keyboard.enter(page.suffix_combo)
    assert done.args[0].ok


def test_no_suffix_is_reported(qtbot: QtBot, page: SettingsPage) -> None:
    page.start_test()
    with qtbot.waitSignal(page.diagnosed, timeout=TIMEOUT_MS) as done:
        Keyboard().type(page.suffix_combo, TEST_TEXT)
    assert [f.fault for f in done.args[0].findings] == [Fault.NO_SUFFIX]
    assert "no Enter or Tab" in page.verdict_label.text()


def test_escape_or_leaving_stops_the_test(qtbot: QtBot, page: SettingsPage) -> None:
    page.start_test()
    Keyboard().key(page.suffix_combo, Qt.Key.Key_Escape)
    assert not scanner_of(page).capturing and page.test_status.text() == "Test stopped."
    page.start_test()
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    assert not scanner_of(page).capturing
    page.start_test()
    page.deactivate()
    assert not scanner_of(page).capturing


def test_save_the_test_label(
    page: SettingsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []
    target = tmp_path / "label"
    monkeypatch.setattr(widgets, "get_save_file_name", lambda *args, **kwargs: str(target))
    monkeypatch.setattr(QDesktopServices, "openUrl", opened.append)
    path = page.save_test_label()
    assert path == tmp_path / "label.pdf"
    assert path.read_bytes().startswith(b"%PDF")
    assert opened == [QUrl.fromLocalFile(str(path))]


def test_a_test_label_that_cannot_be_saved_says_why(
    page: SettingsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dialogs: Dialogs
) -> None:
    target = tmp_path / "missing" / "label.pdf"
    monkeypatch.setattr(widgets, "get_save_file_name", lambda *args, **kwargs: str(target))
    assert page.save_test_label() is None
    assert not target.exists()
    assert len(dialogs.errors) == 1 and str(target) in dialogs.errors[0]
    # Cancelling the file dialog does nothing.
    monkeypatch.setattr(widgets, "get_save_file_name", lambda *args, **kwargs: "")
    assert page.save_test_label() is None and len(dialogs.errors) == 1
