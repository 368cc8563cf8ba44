"""Feedback on every scan: a large coloured banner and a sound.

Green says what was recognised, red says what is wrong with the code, amber says the code
is fine but the goods need a second look (a lot past its expiry); the person at the
scanner looks at the shelf, not the screen, so the sound matters as much as the colour
(a warning plays the problem sound).

Sound: PySide6-Essentials has no QtMultimedia, and adding PySide6-Addons for two beeps
would bring a very large wheel and a media stack that needs its own system libraries.
So the two short WAV files in ``resources/sounds`` are played by the best means at hand:
QtMultimedia's QSoundEffect if it happens to be installed, ``winsound`` on Windows, the
system's own player (``paplay``, ``pw-play``, ``aplay``, ``afplay``) started as a detached
process on Linux and macOS, else the window system's bell. Playing never blocks the GUI
thread and never raises, and is silent on the offscreen platform (tests) or when the
workstation turned sounds off.
"""

from __future__ import annotations

import enum
import importlib
import logging
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QProcess, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QPaintEvent
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QVBoxLayout, QWidget

from app.i18n import _

if TYPE_CHECKING:
    from app.services.scanning import ScanResult

log = logging.getLogger(__name__)

SOUNDS_DIR = Path(__file__).resolve().parent.parent.parent / "resources" / "sounds"
# A result stays this long (the next scan replaces it at once), then the banner goes
# back to its quiet "ready" look.
BANNER_TIMEOUT_MS = 20_000
SILENT_PLATFORMS = frozenset({"offscreen", "minimal"})
PLAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("paplay", ()),
    ("pw-play", ()),
    ("aplay", ("-q",)),
    ("afplay", ()),
)


class Tone(enum.StrEnum):
    """What a scan turned out to be, as the banner colours it and the sound says it."""

    SUCCESS = "success"
    PROBLEM = "problem"
    WARNING = "warning"  # recognised, but look twice (an expired lot)
    INFO = "info"
    IDLE = "idle"  # no scan yet, or the last one is old news


def scan_tone(result: ScanResult) -> Tone:
    """The banner level of a resolved scan: red when something is wrong with it, amber
    when it carries a warning (an expired lot), else green."""
    if not result.ok:
        return Tone.PROBLEM
    return Tone.WARNING if result.warning else Tone.SUCCESS


class ScanSounds:
    """Plays the success and problem sounds, by whatever means this computer has."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        #: The last sound asked for (played or not): what tests look at.
        self.last: Tone | None = None
        self._play: Callable[[Tone], None] | None = None

    def play(self, tone: Tone) -> None:
        """Play ``tone`` (INFO and IDLE play nothing, WARNING the problem sound); never
        blocks, never raises."""
        if tone is Tone.INFO or tone is Tone.IDLE:
            return
        self.last = tone
        if not self.enabled or QGuiApplication.platformName() in SILENT_PLATFORMS:
            return
        # Two sounds only: a warning must make the picker look up, like a problem.
        sound = Tone.PROBLEM if tone is Tone.WARNING else tone
        try:
            if self._play is None:
                self._play = self._choose()
            self._play(sound)
        except Exception:  # noqa: BLE001 - a sound must never stop a scan
            log.warning("playing the %s sound failed", tone.value, exc_info=True)
            self._play = _beep

    def _choose(self) -> Callable[[Tone], None]:
        paths = {tone: SOUNDS_DIR / f"{tone.value}.wav" for tone in (Tone.SUCCESS, Tone.PROBLEM)}
        if not all(path.exists() for path in paths.values()):
            return _beep
        effects = _sound_effects(paths)
        if effects is not None:
            return lambda tone: effects[tone].play()
        if sys.platform == "win32":
            import winsound

            flags = winsound.SND_FILENAME | winsound.SND_ASYNC | winsound.SND_NODEFAULT
            return lambda tone: winsound.PlaySound(str(paths[tone]), flags)
        for program, options in PLAYERS:
            found = shutil.which(program)
            if found:
                return lambda tone: _start_detached(found, [*options, str(paths[tone])])
        return _beep


def _sound_effects(paths: dict[Tone, Path]) -> dict[Tone, Any] | None:
    """QSoundEffects for the sounds, if QtMultimedia (PySide6-Addons) is installed."""
    try:
        multimedia = importlib.import_module("PySide6.QtMultimedia")
    except ImportError:
        return None
    from PySide6.QtCore import QUrl

    effects = {}
    for tone, path in paths.items():
        effect = multimedia.QSoundEffect(QApplication.instance())
        effect.setSource(QUrl.fromLocalFile(str(path)))
        effects[tone] = effect
    return effects


def _start_detached(program: str, arguments: list[str]) -> None:
    process = QProcess()
    process.setProgram(program)
    process.setArguments(arguments)
    process.setStandardOutputFile(QProcess.nullDevice())
    process.setStandardErrorFile(QProcess.nullDevice())
    process.startDetached()


def _beep(_tone: Tone) -> None:
    QApplication.beep()


class ScanBanner(QFrame):
    """A large, high-contrast band across the window: what the last scan was.

    It is always there, at one height (quiet and grey while there is nothing to say),
    so that a scan never moves the page under the mouse.
    """

    #: Milliseconds from the end of a scan to this banner showing its result on screen.
    shown = Signal(float)

    STYLE = """
    QFrame#scan_banner { border-radius: 6px; }
    QFrame#scan_banner[tone="success"] { background: #1b5e20; }
    QFrame#scan_banner[tone="problem"] { background: #b71c1c; }
    QFrame#scan_banner[tone="warning"] { background: #ffb300; }
    QFrame#scan_banner[tone="info"] { background: #263238; }
    QFrame#scan_banner[tone="idle"] { background: #e4e9ec; }
    QFrame#scan_banner QLabel { color: white; background: transparent; }
    QFrame#scan_banner[tone="idle"] QLabel { color: #455a64; }
    QFrame#scan_banner[tone="warning"] QLabel { color: #111111; }
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scan_banner")
        self.setStyleSheet(self.STYLE)
        self.title = QLabel()
        self.title.setObjectName("scan_banner_title")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.title.font()
        font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.6)
        font.setBold(True)
        self.title.setFont(font)
        self.detail = QLabel()
        self.detail.setObjectName("scan_banner_detail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        detail_font = self.detail.font()
        detail_font.setPointSizeF(max(detail_font.pointSizeF(), 9.0) * 1.15)
        self.detail.setFont(detail_font)
        margins = (16, 10, 16, 10)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(*margins)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        # Room for a title and a detail line whatever is shown: no jumps.
        self.setMinimumHeight(
            self.title.fontMetrics().height()
            + self.detail.fontMetrics().height()
            + layout.spacing()
            + margins[1]
            + margins[3]
        )
        self.tone: Tone | None = None
        self._since: float | None = None
        self._idle_timer = QTimer(self)
        self._idle_timer.setSingleShot(True)
        self._idle_timer.timeout.connect(self.show_idle)
        self.show_idle()

    def show_idle(self) -> None:
        """The quiet look: ready for a scan."""
        self._show(
            Tone.IDLE,
            _("Ready to scan"),
            _("Scan a barcode on any page. A label that will not scan can be typed at the top."),
        )

    def show_result(
        self, tone: Tone, title: str, detail: str = "", since: float | None = None
    ) -> None:
        """Show ``title`` (and ``detail`` below it) in the colour of ``tone``.

        ``since`` is the ``time.perf_counter()`` of the scan's end: the banner reports
        the time until it is painted through :attr:`shown`.
        """
        self._show(tone, title, detail)
        self._since = since
        self._idle_timer.start(BANNER_TIMEOUT_MS)

    def _show(self, tone: Tone, title: str, detail: str) -> None:
        self.tone = tone
        self.setProperty("tone", tone.value)
        style = self.style()
        # The labels' colour depends on the banner's tone: restyle them too.
        for widget in (self, self.title, self.detail):
            style.unpolish(widget)
            style.polish(widget)
        self.title.setText(title)
        self.detail.setText(detail)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._since is not None:
            elapsed = (time.perf_counter() - self._since) * 1000.0
            self._since = None
            self.shown.emit(elapsed)
