"""Scanning in the scan screens' window tests: the window opened on a page with its
scanner filter, a code typed at scanner speed into the widget with the focus, and the
service's answer waited for."""

from __future__ import annotations

from typing import Any, TypeVar

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.services.database import Database
from app.services.users import UserRef
from app.ui.main_window import MainWindow
from app.ui.runner import Runner
from tests.ui.conftest import TIMEOUT_MS
from tests.ui.test_scanner import Keyboard

Outcome = TypeVar("Outcome")


def open_window_on(
    qtbot: QtBot,
    qapp: QApplication,
    runner: Runner,
    user: UserRef,
    db: Database,
    settings: QSettings,
    key: str,
    loaded: str,
) -> MainWindow:
    """The window as ``user`` on page ``key``, shown and active with its scanner filter
    installed (the caller uninstalls it), once the page's signal ``loaded`` came."""
    window = MainWindow(runner, user, db.describe(), settings)
    qtbot.addWidget(window)
    window.scanner.install(qapp)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    page = window.page(key)
    with qtbot.waitSignal(getattr(page, loaded), timeout=TIMEOUT_MS):
        if window.current_page() is page:
            window.start()  # the window reopened on this page (remembered)
        else:
            window.open_page(key)
    return window


def scanner_keys(widget: QWidget, code: str) -> None:
    """Type ``code`` and Enter into ``widget`` 3 ms apart, stamped like a scanner's keys."""
    keyboard = Keyboard()
    keyboard.type(widget, code)
    keyboard.enter(widget)


def focused(qtbot: QtBot) -> QWidget:
    """The widget with the keyboard focus (after a dialog, once the window has it back)."""
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=TIMEOUT_MS)
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def scan_for(qtbot: QtBot, screen: Any, code: str, kind: type[Outcome]) -> Outcome:
    """Scan ``code`` into the focused widget and return the ``kind`` of outcome that
    ``screen`` announces with its ``scan_done``."""
    target = focused(qtbot)
    with qtbot.waitSignal(screen.scan_done, timeout=TIMEOUT_MS) as blocker:
        scanner_keys(target, code)
    outcome = blocker.args[0]
    assert isinstance(outcome, kind)
    return outcome
