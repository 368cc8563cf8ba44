"""The scanner filter: a burst of keys at scanner speed is one scan, wherever the focus is,
and never types into a field; typing stays typing, in order; Ctrl+] and a substitute
become the GS1 group separator; Tab as suffix; a prefix key; scans in other windows.

Most tests send key events stamped with the time a scanner would have sent them (what
the window system does), so the timing is exact whatever the machine's load; the first
two use real time with ``qtbot.keyClicks``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from app.barcodes.diagnose import GS, Keystroke, ScannerSetup, Suffix
from app.services import lots
from app.services.database import Database
from app.services.scanning import ScanResult
from app.services.users import UserRef
from app.ui import scan_feedback
from app.ui.item_editor import ItemEditor
from app.ui.link_barcode_dialog import LinkBarcodeDialog
from app.ui.main_window import MainWindow
from app.ui.runner import Runner
from app.ui.scan_feedback import ScanSounds, Tone
from app.ui.scanner import ScannerInput, load_setup, save_setup
from tests import factories
from tests.ui.conftest import TIMEOUT_MS

EAN = "7310865004703"
NO_MOD = Qt.KeyboardModifier.NoModifier
CTRL = Qt.KeyboardModifier.ControlModifier


class Host(QWidget):
    """A stand-in for the main window: a text field and a button."""

    def __init__(self) -> None:
        super().__init__()
        self.edit = QLineEdit()
        self.button = QPushButton("OK")
        self.entered = 0
        self.edit.returnPressed.connect(self._entered)
        layout = QVBoxLayout(self)
        layout.addWidget(self.edit)
        layout.addWidget(self.button)

    def _entered(self) -> None:
        self.entered += 1


def focus(qtbot: QtBot, widget: QWidget) -> None:
    window = widget.window()
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=TIMEOUT_MS)


@pytest.fixture
def host(qtbot: QtBot) -> Host:
    widget = Host()
    qtbot.addWidget(widget)
    focus(qtbot, widget.edit)
    return widget


def make_scanner(qapp: QApplication, host: QWidget, setup: ScannerSetup) -> ScannerInput:
    scanner = ScannerInput(setup)
    scanner.set_home(host)
    scanner.install(qapp)
    return scanner


@pytest.fixture
def scanner(qapp: QApplication, host: Host) -> Iterator[ScannerInput]:
    made = make_scanner(qapp, host, ScannerSetup())
    yield made
    made.uninstall()


class Keyboard:
    """Sends key presses and releases stamped with a time, as the window system does."""

    def __init__(self, start_ms: int = 10_000) -> None:
        self.now = start_ms

    def key(
        self,
        widget: QWidget,
        key: Qt.Key,
        text: str = "",
        modifiers: Qt.KeyboardModifier = NO_MOD,
        after_ms: int = 3,
    ) -> None:
        self.now += after_ms
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, key, modifiers, text)
            event.setTimestamp(self.now)
            QApplication.sendEvent(widget, event)

    def type(self, widget: QWidget, text: str, gap_ms: int = 3) -> None:
        for char in text:
            if char == GS:
                self.key(widget, Qt.Key.Key_BracketRight, "\x1d", CTRL, gap_ms)
            else:
                modifiers = Qt.KeyboardModifier.ShiftModifier if char.isupper() else NO_MOD
                self.key(widget, Qt.Key(ord(char.upper())), char, modifiers, gap_ms)

    def enter(self, widget: QWidget, after_ms: int = 3) -> None:
        self.key(widget, Qt.Key.Key_Return, "\r", after_ms=after_ms)


def test_a_scanner_burst_is_one_scan_and_never_types_into_the_field(
    qtbot: QtBot, qapp: QApplication, host: Host
) -> None:
    # Real time: keys 1 ms apart. A generous gap keeps a busy test machine from splitting
    # the burst; the 30 ms default is tested with time-stamped keys below.
    scanner = make_scanner(qapp, host, ScannerSetup(max_gap_ms=150))
    try:
        scan_in_real_time(qtbot, host, scanner)
    finally:
        scanner.uninstall()


def scan_in_real_time(qtbot: QtBot, host: Host, scanner: ScannerInput) -> None:
    edited: list[str] = []
    host.edit.textEdited.connect(edited.append)
    scans: list[str] = []
    scanner.scanned.connect(scans.append)
    with qtbot.waitSignal(scanner.scanned, timeout=TIMEOUT_MS) as blocker:
        qtbot.keyClicks(host.edit, EAN, delay=1)
        qtbot.keyClick(host.edit, Qt.Key.Key_Return, delay=1)
    assert blocker.args == [EAN]
    assert scans == [EAN]
    assert host.edit.text() == "" and edited == [] and host.entered == 0
    assert not scanner.holding


def test_slow_typing_stays_typing(qtbot: QtBot, host: Host, scanner: ScannerInput) -> None:
    scans: list[str] = []
    scanner.scanned.connect(scans.append)
    qtbot.keyClicks(host.edit, "Bolt M8", delay=80)
    qtbot.keyClick(host.edit, Qt.Key.Key_Return, delay=80)
    qtbot.waitUntil(lambda: not scanner.holding, timeout=TIMEOUT_MS)
    assert host.edit.text() == "Bolt M8"
    assert host.entered == 1  # Enter reached the field after the text
    assert scans == []


@pytest.mark.parametrize(
    ("max_gap", "gap", "scanned"), [(30, 25, True), (30, 35, False), (50, 35, True)]
)
def test_the_longest_gap_decides(
    qapp: QApplication, host: Host, max_gap: int, gap: int, scanned: bool
) -> None:
    scanner = make_scanner(qapp, host, ScannerSetup(max_gap_ms=max_gap))
    try:
        scans: list[str] = []
        scanner.scanned.connect(scans.append)
        keyboard = Keyboard()
        keyboard.type(host.edit, "A-0101", gap_ms=gap)
        keyboard.enter(host.edit, after_ms=gap)
        assert scans == (["A-0101"] if scanned else [])
        assert host.edit.text() == ("" if scanned else "A-0101")
    finally:
        scanner.uninstall()


def test_a_short_fast_burst_is_typing(host: Host, scanner: ScannerInput) -> None:
    scans: list[str] = []
    scanner.scanned.connect(scans.append)
    keyboard = Keyboard()
    keyboard.type(host.edit, "ab")
    keyboard.enter(host.edit)
    assert (host.edit.text(), host.entered, scans) == ("ab", 1, [])


def test_held_keys_are_replayed_in_order_before_the_key_that_ends_them(
    host: Host, scanner: ScannerInput
) -> None:
    keyboard = Keyboard()
    keyboard.type(host.edit, "abc")
    assert host.edit.text() == "" and scanner.holding  # held: could be a scan
    keyboard.key(host.edit, Qt.Key.Key_Backspace)
    assert host.edit.text() == "ab"
    keyboard.type(host.edit, "x", gap_ms=200)  # a pause: the next key starts afresh
    keyboard.key(host.edit, Qt.Key.Key_Left, after_ms=200)
    keyboard.type(host.edit, "y", gap_ms=200)
    keyboard.key(host.edit, Qt.Key.Key_End, after_ms=200)
    assert host.edit.text() == "abyx"


def test_typing_is_held_only_briefly(qtbot: QtBot, host: Host, scanner: ScannerInput) -> None:
    Keyboard().type(host.edit, "q")
    assert host.edit.text() == ""
    qtbot.waitUntil(lambda: host.edit.text() == "q", timeout=TIMEOUT_MS)


def test_a_click_lets_held_typing_in_first(qtbot: QtBot, host: Host, scanner: ScannerInput) -> None:
    Keyboard().type(host.edit, "ab")
    qtbot.mouseClick(host.button, Qt.MouseButton.LeftButton)
    assert host.edit.text() == "ab"


def test_scans_while_a_button_has_the_focus(
    qtbot: QtBot, host: Host, scanner: ScannerInput
) -> None:
    clicked: list[bool] = []
    host.button.clicked.connect(lambda *_args: clicked.append(True))
    focus(qtbot, host.button)
    keyboard = Keyboard()
    with qtbot.waitSignal(scanner.scanned, timeout=TIMEOUT_MS) as blocker:
        keyboard.type(host.button, "A 1")
        keyboard.type(host.button, "-2")
        keyboard.enter(host.button)
    assert blocker.args == ["A 1-2"]  # the space did not press the button
    assert clicked == []


def test_ctrl_bracket_in_a_burst_becomes_the_group_separator(
    qtbot: QtBot, host: Host, scanner: ScannerInput
) -> None:
    code = f"010731086500470310L2401{GS}17271231"
    keyboard = Keyboard()
    with qtbot.waitSignal(scanner.scanned, timeout=TIMEOUT_MS) as blocker:
        keyboard.type(host.edit, code)
        keyboard.enter(host.edit)
    assert blocker.args == [code]
    assert host.edit.text() == ""


def test_ctrl_bracket_without_its_control_character_still_counts(
    qtbot: QtBot, host: Host, scanner: ScannerInput
) -> None:
    # Some platforms (and QTest) send Ctrl+] with no text: the key itself is the GS.
    keyboard = Keyboard()
    with qtbot.waitSignal(scanner.scanned, timeout=TIMEOUT_MS) as blocker:
        keyboard.type(host.edit, "010731086500470310AB")
        keyboard.key(host.edit, Qt.Key.Key_Control, "", CTRL)
        keyboard.key(host.edit, Qt.Key.Key_BracketRight, "", CTRL)
        keyboard.type(host.edit, "17271231")
        keyboard.enter(host.edit)
    assert blocker.args == [f"010731086500470310AB{GS}17271231"]


@pytest.mark.parametrize("substitute", ["~", "<GS>"])
def test_a_substitute_becomes_the_group_separator(
    qtbot: QtBot, qapp: QApplication, host: Host, substitute: str
) -> None:
    scanner = make_scanner(qapp, host, ScannerSetup(gs_substitute=substitute))
    try:
        keyboard = Keyboard()
        with qtbot.waitSignal(scanner.scanned, timeout=TIMEOUT_MS) as blocker:
            keyboard.type(host.edit, f"010731086500470310L1{substitute}17271231")
            keyboard.enter(host.edit)
        assert blocker.args == [f"010731086500470310L1{GS}17271231"]
        # Typed codes (the "type a code" field) go the same way.
        with qtbot.waitSignal(scanner.scanned, timeout=TIMEOUT_MS) as typed:
            scanner.submit(f" 10L1{substitute}17271231 ")
        assert typed.args == [f"10L1{GS}17271231"]
    finally:
        scanner.uninstall()


def test_tab_as_suffix(qtbot: QtBot, qapp: QApplication, host: Host) -> None:
    scanner = make_scanner(qapp, host, ScannerSetup(suffix=Suffix.TAB))
    try:
        keyboard = Keyboard()
        with qtbot.waitSignal(scanner.scanned, timeout=TIMEOUT_MS) as blocker:
            keyboard.type(host.edit, EAN)
            keyboard.key(host.edit, Qt.Key.Key_Tab, "\t")
        assert blocker.args == [EAN]
        assert QApplication.focusWidget() is host.edit  # the Tab did not move the focus
        # Enter is no suffix now: a fast burst ending in Enter is typing.
        keyboard.type(host.edit, "1234", gap_ms=500)
        keyboard.enter(host.edit)
        assert host.edit.text() == "1234" and host.entered == 1
    finally:
        scanner.uninstall()


def test_no_suffix_a_pause_ends_the_scan(qtbot: QtBot, qapp: QApplication, host: Host) -> None:
    scanner = make_scanner(qapp, host, ScannerSetup(suffix=Suffix.NONE))
    try:
        with qtbot.waitSignal(scanner.scanned, timeout=TIMEOUT_MS) as blocker:
            Keyboard().type(host.edit, EAN)
        assert blocker.args == [EAN]
        assert host.edit.text() == ""
    finally:
        scanner.uninstall()


def test_prefix_key_makes_a_scan_certain_and_never_holds_typing(
    qtbot: QtBot, qapp: QApplication, host: Host
) -> None:
    scanner = make_scanner(qapp, host, ScannerSetup(prefix="F12"))
    try:
        keyboard = Keyboard()
        keyboard.type(host.edit, "abc")  # fast, but no prefix: typing, at once
        assert host.edit.text() == "abc" and not scanner.holding
        with qtbot.waitSignal(scanner.scanned, timeout=TIMEOUT_MS) as blocker:
            keyboard.key(host.edit, Qt.Key.Key_F12)
            keyboard.type(host.edit, "A-1", gap_ms=90)  # slow, but after the prefix
            keyboard.enter(host.edit, after_ms=90)
        assert blocker.args == ["A-1"]  # even shorter than the minimum length
        assert host.edit.text() == "abc"
    finally:
        scanner.uninstall()


def test_a_scan_in_another_window_goes_into_its_field_in_one_piece(
    qtbot: QtBot, host: Host, scanner: ScannerInput
) -> None:
    dialog = QDialog(host)
    field = QLineEdit(dialog)
    QVBoxLayout(dialog).addWidget(field)
    accepted: list[int] = []
    dialog.finished.connect(accepted.append)
    focus(qtbot, field)
    scans: list[str] = []
    scanner.scanned.connect(scans.append)
    keyboard = Keyboard()
    keyboard.type(field, f"0107310865004703{GS}")
    keyboard.type(field, "10L1")
    keyboard.enter(field)
    assert field.text() == f"0107310865004703{GS}10L1"
    assert scans == [] and accepted == []  # the Enter did not close the dialog
    dialog.close()


def test_a_scan_in_another_window_without_a_field_is_the_keys_it_was(
    qtbot: QtBot, host: Host, scanner: ScannerInput
) -> None:
    dialog = QDialog(host)
    button = QPushButton("Go", dialog)
    button.setAutoDefault(False)
    QVBoxLayout(dialog).addWidget(button)
    pressed: list[bool] = []
    button.clicked.connect(lambda *_args: pressed.append(True))
    focus(qtbot, button)
    keyboard = Keyboard()
    keyboard.type(button, "12 4")
    keyboard.enter(button)
    assert pressed == [True]  # the space, replayed, clicked it as a keyboard would
    dialog.close()


def test_capture_records_keys_with_timing_for_the_test_box(
    qtbot: QtBot, host: Host, scanner: ScannerInput
) -> None:
    scanner.start_capture()
    keyboard = Keyboard()
    with qtbot.waitSignal(scanner.captured, timeout=TIMEOUT_MS) as blocker:
        keyboard.key(host.edit, Qt.Key.Key_F12)
        keyboard.type(host.edit, "a")
        keyboard.key(host.edit, Qt.Key.Key_BracketRight, "\x1d", CTRL, after_ms=7)
        keyboard.key(host.edit, Qt.Key.Key_Dead_Diaeresis, "", CTRL)
        keyboard.key(host.edit, Qt.Key.Key_Tab, "\t")
    assert blocker.args[0] == (
        Keystroke("", 0.0, "F12"),
        Keystroke("a", 3.0),
        Keystroke(GS, 7.0),
        Keystroke("", 3.0, "Ctrl+\u00a8"),
        Keystroke("\t", 3.0),
    )
    assert host.edit.text() == "" and not scanner.capturing
    # Escape before any key stops listening.
    scanner.start_capture()
    with qtbot.waitSignal(scanner.capture_cancelled, timeout=TIMEOUT_MS):
        keyboard.key(host.edit, Qt.Key.Key_Escape)
    assert not scanner.capturing


def test_settings_round_trip_and_unusable_values(settings: QSettings) -> None:
    assert load_setup(settings) == ScannerSetup()
    wanted = ScannerSetup(Suffix.TAB, "~", 45, 6, "F12")
    save_setup(settings, wanted)
    assert load_setup(settings) == wanted
    for key, value in (
        ("scanner/suffix", "space"),
        ("scanner/gs_substitute", "GS"),
        ("scanner/max_gap_ms", "fast"),
        ("scanner/min_length", "0"),
    ):
        settings.setValue(key, value)
    assert load_setup(settings) == ScannerSetup(Suffix.ENTER, "", 30, 4, "F12")


# --- scans in the window ---------------------------------------------------------------
SALT_EAN = "7350000000016"
SALT_GS1 = f"010{SALT_EAN}10L2401{GS}17271231"


def warehouse(session: Session) -> None:
    """Coffee (EAN) in bin A-01-01, road salt (lot-tracked) in lot L2401 in A-01-02."""
    places = factories.places(session)
    coffee = factories.item(session, places.user, "COF-500", name="Coffee 500 g", barcodes=(EAN,))
    salt = factories.item(
        session,
        places.user,
        "SALT-1",
        name="Road salt",
        unit="kg",
        lot_tracked=True,
        barcodes=(SALT_EAN,),
    )
    lot = lots.get_or_create_lot(session, salt.id, "L2401", dt.date(2027, 12, 31))
    factories.receive(session, places, coffee.id, "10")
    factories.receive(session, places, salt.id, "5", bin_index=1, lot_id=lot.id)


@pytest.fixture
def window(
    qtbot: QtBot,
    qapp: QApplication,
    runner: Runner,
    tester: UserRef,
    sqlite_db: Database,
    settings: QSettings,
) -> Iterator[MainWindow]:
    sqlite_db.run(warehouse)
    made = MainWindow(runner, tester, sqlite_db.describe(), settings)
    qtbot.addWidget(made)
    made.scanner.install(qapp)
    with qtbot.waitSignal(made.items_page.items_loaded, timeout=TIMEOUT_MS):
        made.show()
        made.start()
    qtbot.waitExposed(made)
    yield made
    made.scanner.uninstall()
    for editor in made.findChildren(ItemEditor):
        editor.close()


def scan(qtbot: QtBot, window: MainWindow, widget: QWidget, code: str) -> ScanResult:
    """Scan ``code`` at scanner speed into ``widget`` (which has the focus)."""
    keyboard = Keyboard()
    with qtbot.waitSignal(window.scan_resolved, timeout=TIMEOUT_MS) as blocker:
        keyboard.type(widget, code)
        keyboard.enter(widget)
    result = blocker.args[0]
    assert isinstance(result, ScanResult)
    return result


def test_a_scan_on_the_items_page_selects_the_item_and_leaves_the_filter_alone(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = window.items_page
    page.filter_edit.setText("salt")  # a filter that hides the scanned item
    focus(qtbot, page.filter_edit)
    result = scan(qtbot, window, page.filter_edit, EAN)
    assert (result.outcome, result.sku) == ("item", "COF-500")
    assert page.filter_edit.text() == ""  # cleared, not typed into
    assert page.selected_id() == result.item_id
    assert QApplication.focusWidget() is page.table  # Enter opens it
    with qtbot.waitSignal(page.editor_opened, timeout=TIMEOUT_MS) as opened:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert opened.args[0].item_id == result.item_id
    assert window.banner.isVisible() and window.banner.tone is Tone.SUCCESS
    assert window.banner.title.text() == "Coffee 500 g"
    assert window.banner.detail.text() == "SKU COF-500"
    assert window.sounds.last is Tone.SUCCESS
    # The banner reports when it was on screen: the scan's end-to-end time.
    qtbot.waitUntil(lambda: window.last_scan_latency_ms is not None, timeout=TIMEOUT_MS)


def test_a_gs1_scan_with_a_group_separator_shows_item_lot_and_expiry(
    qtbot: QtBot, window: MainWindow
) -> None:
    with qtbot.waitSignal(window.stock_page.stock_loaded, timeout=TIMEOUT_MS):
        window.show_page(window.STOCK)
    page = window.stock_page
    focus(qtbot, page.filter_edit)
    result = scan(qtbot, window, page.filter_edit, SALT_GS1)
    assert (result.outcome, result.sku, result.lot) == ("item", "SALT-1", "L2401")
    assert result.expiry == dt.date(2027, 12, 31)
    assert "L2401" in window.banner.title.text() and "2027-12-31" in window.banner.title.text()
    # The stock page shows that item's stock in that lot.
    assert page.filter_edit.text() == "SALT-1 L2401"
    assert [(r.sku, r.lot_code) for r in page.model.visible_rows()] == [("SALT-1", "L2401")]


def test_a_bin_scan_shows_the_stock_in_that_bin(qtbot: QtBot, window: MainWindow) -> None:
    focus(qtbot, window.items_page.table)
    with qtbot.waitSignal(window.stock_page.stock_loaded, timeout=TIMEOUT_MS):
        result = scan(qtbot, window, window.items_page.table, "A-01-02")
    assert (result.outcome, result.bin_code) == ("bin", "A-01-02")
    assert window.pages.currentWidget() is window.stock_page
    assert window.stock_page.filter_edit.text() == "A-01-02"
    assert {r.sku for r in window.stock_page.model.visible_rows()} == {"SALT-1"}


def test_an_invalid_check_digit_gives_a_red_banner_that_says_so(
    qtbot: QtBot, window: MainWindow
) -> None:
    focus(qtbot, window.items_page.filter_edit)
    result = scan(qtbot, window, window.items_page.filter_edit, "7310865004704")
    assert result.outcome == "invalid"
    assert window.banner.tone is Tone.PROBLEM
    assert "check digit" in window.banner.detail.text()
    assert "should be 3" in window.banner.detail.text()
    assert window.sounds.last is Tone.PROBLEM
    assert window.items_page.filter_edit.text() == ""


def test_an_unknown_code_opens_the_link_dialog_and_linking_makes_it_resolve(
    qtbot: QtBot, window: MainWindow
) -> None:
    unknown = "5901234123457"
    salt = window.items_page.model.find_row(lambda r: r.sku == "SALT-1")
    window.items_page.table.selectRow(salt)  # another item is selected before the scan
    focus(qtbot, window.items_page.filter_edit)
    with qtbot.waitSignal(window.link_dialog_opened, timeout=TIMEOUT_MS) as opened:
        result = scan(qtbot, window, window.items_page.filter_edit, unknown)
    assert result.outcome == "unknown" and window.banner.tone is Tone.PROBLEM
    dialog = opened.args[0]
    assert isinstance(dialog, LinkBarcodeDialog)
    qtbot.waitUntil(lambda: dialog.model.total_count() == 2, timeout=TIMEOUT_MS)
    qtbot.keyClicks(dialog.search_edit, "coffee", delay=80)
    assert dialog.selected_item() is not None and dialog.selected_item().sku == "COF-500"
    with (
        qtbot.waitSignal(window.items_page.items_loaded, timeout=TIMEOUT_MS),
        qtbot.waitSignal(window.scan_resolved, timeout=TIMEOUT_MS) as linked,
    ):
        qtbot.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
    assert (linked.args[0].outcome, linked.args[0].sku) == ("item", "COF-500")
    assert window.banner.tone is Tone.SUCCESS
    # The interrupted work carries on: the list (reloaded) shows the linked item.
    assert window.items_page.selected_id() == linked.args[0].item_id
    # The next scan of the code finds the item.
    focus(qtbot, window.items_page.filter_edit)
    again = scan(qtbot, window, window.items_page.filter_edit, unknown)
    assert (again.outcome, again.sku) == ("item", "COF-500")


def test_the_type_a_code_field_goes_the_same_way(qtbot: QtBot, window: MainWindow) -> None:
    focus(qtbot, window.code_edit)
    window.code_edit.setText(f"(01)0{SALT_EAN}(10)L2401")
    with qtbot.waitSignal(window.scan_resolved, timeout=TIMEOUT_MS) as blocker:
        qtbot.keyClick(window.code_edit, Qt.Key.Key_Return)
    assert (blocker.args[0].sku, blocker.args[0].lot) == ("SALT-1", "L2401")
    assert window.code_edit.text() == ""
    # A scan while the field has the focus is a scan too, and leaves the field empty.
    result = scan(qtbot, window, window.code_edit, EAN)
    assert result.sku == "COF-500" and window.code_edit.text() == ""


# --- sounds ------------------------------------------------------------------------------
def test_sounds_are_silent_offscreen_and_never_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    sounds = ScanSounds()
    played: list[Tone] = []
    beeps: list[bool] = []

    def broken(tone: Tone) -> None:
        played.append(tone)
        raise OSError("no audio device")

    sounds._play = broken
    sounds.play(Tone.SUCCESS)
    assert sounds.last is Tone.SUCCESS and played == []  # offscreen: silent

    monkeypatch.setattr(QGuiApplication, "platformName", staticmethod(lambda: "xcb"))
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: beeps.append(True)))
    sounds.play(Tone.PROBLEM)  # the player fails: logged, and the bell from now on
    assert played == [Tone.PROBLEM] and sounds.last is Tone.PROBLEM
    sounds.play(Tone.SUCCESS)
    assert beeps == [True]
    sounds.enabled = False
    sounds.play(Tone.PROBLEM)
    assert beeps == [True] and sounds.last is Tone.PROBLEM


def test_the_sound_player_is_chosen_from_what_the_computer_has(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(scan_feedback, "_sound_effects", lambda paths: None)
    monkeypatch.setattr(scan_feedback.sys, "platform", "linux")
    monkeypatch.setattr(
        scan_feedback.shutil, "which", lambda name: "/usr/bin/aplay" if name == "aplay" else None
    )
    monkeypatch.setattr(
        scan_feedback, "_start_detached", lambda program, args: started.append((program, args))
    )
    play = ScanSounds()._choose()
    play(Tone.PROBLEM)
    assert started == [("/usr/bin/aplay", ["-q", str(scan_feedback.SOUNDS_DIR / "problem.wav")])]
    monkeypatch.setattr(scan_feedback.shutil, "which", lambda name: None)
    assert ScanSounds()._choose() is scan_feedback._beep


def test_the_banner_keeps_its_place_and_goes_quiet(qtbot: QtBot, window: MainWindow) -> None:
    banner = window.banner
    assert banner.isVisible() and banner.tone is Tone.IDLE
    assert banner.title.text() == "Ready to scan"
    top = window.items_page.mapTo(window, window.items_page.rect().topLeft())
    focus(qtbot, window.items_page.filter_edit)
    scan(qtbot, window, window.items_page.filter_edit, EAN)
    assert banner.tone is Tone.SUCCESS
    # The page did not move under the mouse.
    assert window.items_page.mapTo(window, window.items_page.rect().topLeft()) == top
    banner._idle_timer.timeout.emit()
    assert banner.tone is Tone.IDLE and banner.isVisible()


def test_the_test_label_outside_the_test_is_no_unknown_barcode(
    qtbot: QtBot, window: MainWindow
) -> None:
    opened: list[object] = []
    window.link_dialog_opened.connect(opened.append)
    focus(qtbot, window.items_page.filter_edit)
    result = scan(qtbot, window, window.items_page.filter_edit, "Scan-Test/Zy42")
    assert result.outcome == "unknown"
    assert window.banner.tone is Tone.INFO
    assert "Start test" in window.banner.detail.text()
    assert opened == []
