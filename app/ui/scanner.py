"""Scanner input: one application-wide event filter that tells a USB scanner from typing.

A keyboard-wedge scanner types a code as a burst of key presses a few milliseconds
apart, then Enter (or Tab). :class:`ScannerInput` watches every key press the
application receives, whichever widget has the focus, and delivers such a burst as one
``scanned(text)`` signal instead of letting it type into the focused field.

The first keys of a burst arrive before anyone can know that they are a scan. So,
unless the scanner sends a prefix key (then detection is certain and typing is never
delayed), the filter *holds* each key press that could start or continue a burst and
waits at most ``max_gap_ms`` (plus a little slack for a busy GUI thread) for the next
one. When the burst ends with the suffix key and is long enough, it is a scan and the
held keys are dropped; otherwise they were typing and are *replayed*, as copies sent
synchronously to the widget they were meant for, in their original order, while a flag
tells the filter to let its own replays pass. A person typing sees each character
about 50 ms late, well below what anyone notices.

GS1 codes carry the group separator (ASCII 29), which scanners send as Ctrl+] (a plain
QLineEdit drops that) or as a configured substitute such as ``~``; both become ASCII 29
in the scanned text. Symbology identifiers (``]C1``) are passed through; the parser
strips them.

Scans are meant for the page on screen. When the focus is in another window (the item
editor, a dialog), a scan is typed into the focused text field in one piece (with its
group separators intact) or, where no text field has the focus, replayed as the keys
it was.

For the "test your scanner" box, :meth:`ScannerInput.start_capture` records the next
burst key by key (with timing and the keys that type nothing) instead of interpreting
it, and delivers it as ``captured``.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Sequence

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QKeyCombination,
    QObject,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QLineEdit, QWidget

from app.barcodes.diagnose import (
    GS,
    MAX_GAP_RANGE,
    MIN_LENGTH_RANGE,
    Keystroke,
    ScannerSetup,
    Suffix,
    substitute_problem,
)

# A busy GUI thread may fire the hold timer a little late; this much slack keeps a
# scan in one piece without making typing feel slow.
HOLD_SLACK_MS = 25
# With a prefix key the end of a scan is its suffix; this long without a key ends it too.
PREFIX_TIMEOUT_MS = 1000
# The test box takes a burst as ended after this long without a key.
CAPTURE_IDLE_MS = 400

_KEY_PRESS = QEvent.Type.KeyPress
_KEY_RELEASE = QEvent.Type.KeyRelease
_MOUSE_PRESS = QEvent.Type.MouseButtonPress
_MODIFIER_KEYS = frozenset(
    {
        Qt.Key.Key_Shift,
        Qt.Key.Key_Control,
        Qt.Key.Key_Alt,
        Qt.Key.Key_AltGr,
        Qt.Key.Key_Meta,
        Qt.Key.Key_Super_L,
        Qt.Key.Key_Super_R,
        Qt.Key.Key_CapsLock,
        Qt.Key.Key_NumLock,
        Qt.Key.Key_Mode_switch,
        Qt.Key.Key_unknown,
    }
)
_ENTER_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter})
# Keys that put an accent on the next letter, as the layouts of the scanner test name them.
_DEAD_KEYS = {
    Qt.Key.Key_Dead_Grave: "`",
    Qt.Key.Key_Dead_Acute: "´",
    Qt.Key.Key_Dead_Circumflex: "^",
    Qt.Key.Key_Dead_Tilde: "~",
    Qt.Key.Key_Dead_Diaeresis: "¨",
    Qt.Key.Key_Dead_Cedilla: "¸",
    Qt.Key.Key_Dead_Abovering: "°",
}
_CTRL = Qt.KeyboardModifier.ControlModifier
_ALT = Qt.KeyboardModifier.AltModifier
_META = Qt.KeyboardModifier.MetaModifier


class _Kind(enum.Enum):
    CHAR = enum.auto()  # types a character that can be part of a code
    GS = enum.auto()  # Ctrl+]: the GS1 group separator
    SUFFIX = enum.auto()  # the configured end-of-scan key
    MODIFIER = enum.auto()  # Shift, Ctrl… on their own
    OTHER = enum.auto()  # anything else: arrows, Backspace, Escape, shortcuts


class _State(enum.Enum):
    IDLE = enum.auto()
    BURST = enum.auto()  # holding keys that may be a scan (timing decides)
    PREFIXED = enum.auto()  # the prefix key came: this is a scan
    CAPTURE = enum.auto()  # recording keys for the test box


# --- settings --------------------------------------------------------------------------
def load_setup(settings: QSettings) -> ScannerSetup:
    """The scanner set-up stored for this workstation (defaults for anything unusable)."""
    default = ScannerSetup()
    try:
        suffix = Suffix(str(settings.value("scanner/suffix", default.suffix.value)))
    except ValueError:
        suffix = default.suffix
    substitute = str(settings.value("scanner/gs_substitute", "") or "")
    if substitute_problem(substitute) is not None:
        substitute = ""
    return ScannerSetup(
        suffix=suffix,
        gs_substitute=substitute,
        max_gap_ms=_stored_int(settings, "scanner/max_gap_ms", default.max_gap_ms, MAX_GAP_RANGE),
        min_length=_stored_int(
            settings, "scanner/min_length", default.min_length, MIN_LENGTH_RANGE
        ),
        prefix=str(settings.value("scanner/prefix", "") or ""),
    )


def save_setup(settings: QSettings, setup: ScannerSetup) -> None:
    """Store the scanner set-up for this workstation."""
    settings.setValue("scanner/suffix", setup.suffix.value)
    settings.setValue("scanner/gs_substitute", setup.gs_substitute)
    settings.setValue("scanner/max_gap_ms", setup.max_gap_ms)
    settings.setValue("scanner/min_length", setup.min_length)
    settings.setValue("scanner/prefix", setup.prefix)
    settings.sync()


def _stored_int(settings: QSettings, key: str, default: int, limits: tuple[int, int]) -> int:
    try:
        value = int(str(settings.value(key, default)))
    except ValueError:
        return default
    return value if limits[0] <= value <= limits[1] else default


def key_name(event: QKeyEvent, ignore_shift: bool = False) -> str:
    """A key press as a portable name ("F12", "Ctrl+B", "§").

    With ``ignore_shift``, Shift is left out: it is part of the character on many
    layouts (a "$" may be Shift+4), not a modifier the person chose.
    """
    modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    if ignore_shift:
        modifiers &= ~Qt.KeyboardModifier.ShiftModifier
    portable = QKeySequence.SequenceFormat.PortableText
    key = Qt.Key(event.key())
    accent = _DEAD_KEYS.get(key)
    if accent is not None:
        # Qt has no printable name for dead keys: "Ctrl+" and the accent they put on.
        with_a = QKeySequence(QKeyCombination(modifiers, Qt.Key.Key_A)).toString(portable)
        return with_a[:-1] + accent
    return QKeySequence(QKeyCombination(modifiers, key)).toString(portable)


# --- the filter ------------------------------------------------------------------------
class ScannerInput(QObject):
    """Turns scanner bursts into ``scanned(text)``, wherever the keyboard focus is."""

    #: A complete scan (group separators as ASCII 29), for the page on screen.
    scanned = Signal(str)
    #: The keys of one burst recorded for the test box: a tuple of Keystroke.
    captured = Signal(object)
    #: The test box stopped listening without a scan (Escape).
    capture_cancelled = Signal()

    def __init__(self, setup: ScannerSetup | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._setup = setup or ScannerSetup()
        self._prefix = self._prefix_name(self._setup.prefix)
        self._home: QWidget | None = None
        self._installed_on: QCoreApplication | None = None
        self._state = _State.IDLE
        self._held: list[QKeyEvent] = []
        self._chars: list[str] = []
        self._receiver: QWidget | None = None
        self._last_key_ms = 0.0
        self._last_clock = (0, 0.0)  # (window-system stamp, moment) of the last key press
        self._timer_started_ms = 0.0
        self._timer_extended = False
        self._replaying = False
        # Keys of a finished scan whose releases still have to be swallowed.
        self._swallow_releases: set[int] = set()
        self._capture: list[Keystroke] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._timer_expired)
        #: perf_counter() when the last scan was complete (its suffix key arrived).
        self.last_scan_at = 0.0

    # --- set-up ----------------------------------------------------------------------
    def install(self, app: QCoreApplication) -> None:
        """Watch every key press of ``app``."""
        if self._installed_on is not None:
            return
        app.installEventFilter(self)
        self._installed_on = app

    def uninstall(self) -> None:
        """Stop watching (held keys are given back as typing first)."""
        if self._installed_on is None:
            return
        self._flush_as_typing()
        self._installed_on.removeEventFilter(self)
        self._installed_on = None

    def set_home(self, window: QWidget) -> None:
        """The main window: scans while it has the focus go to ``scanned``."""
        self._home = window

    @property
    def setup(self) -> ScannerSetup:
        """The thresholds and keys in force."""
        return self._setup

    def set_setup(self, setup: ScannerSetup) -> None:
        """Use new thresholds and keys from now on."""
        self._flush_as_typing()
        self._setup = setup
        self._prefix = self._prefix_name(setup.prefix)

    @staticmethod
    def _prefix_name(name: str) -> str | None:
        if not name:
            return None
        sequence = QKeySequence(name, QKeySequence.SequenceFormat.PortableText)
        if sequence.count() != 1:
            return None
        return sequence.toString(QKeySequence.SequenceFormat.PortableText)

    @property
    def holding(self) -> bool:
        """True while keys are held back waiting to be told apart."""
        return bool(self._held) or self._state is not _State.IDLE

    # --- manual entry and the test box -------------------------------------------------
    def submit(self, text: str) -> None:
        """Deliver typed text (the "type a code" field) exactly as a scan of it."""
        code = self._normalise(text.strip())
        if code:
            self.scanned.emit(code)

    def start_capture(self) -> None:
        """Record the next burst of keys for the test box instead of interpreting it."""
        self._flush_as_typing()
        self._state = _State.CAPTURE
        self._capture = []

    def cancel_capture(self) -> None:
        """Stop recording without a result."""
        if self._state is _State.CAPTURE:
            self._timer.stop()
            self._state = _State.IDLE
            self._capture = []

    @property
    def capturing(self) -> bool:
        """True while the test box waits for a scan."""
        return self._state is _State.CAPTURE

    # --- the filter ------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == _KEY_PRESS or kind == _KEY_RELEASE:
            if self._replaying or not isinstance(watched, QWidget):
                return False
            # Keys reaching an open suggestion list belong to its field, in the home
            # window and in any other (an editor of its own) alike.
            watched = _typing_target(watched)
            if not isinstance(event, QKeyEvent) or not _first_receiver(watched):
                return False
            return self._key(watched, event, kind == _KEY_PRESS)
        if kind == _MOUSE_PRESS and self._held and self._state is _State.BURST:
            # A click ends typing: what was typed goes in before the click acts.
            self._flush_as_typing()
        return False

    def _classify(self, event: QKeyEvent) -> _Kind:
        key = event.key()
        if key in _MODIFIER_KEYS:
            return _Kind.MODIFIER
        modifiers = event.modifiers()
        text = event.text()
        if text == GS or (key == Qt.Key.Key_BracketRight and modifiers & _CTRL):
            return _Kind.GS
        suffix = self._setup.suffix
        plain = not (modifiers & (_CTRL | _ALT | _META))
        if plain and (
            (suffix is Suffix.ENTER and key in _ENTER_KEYS)
            or (suffix is Suffix.TAB and key == Qt.Key.Key_Tab)
        ):
            return _Kind.SUFFIX
        if event.isAutoRepeat() or not text or not text.isprintable():
            return _Kind.OTHER
        # Ctrl or Alt with a key is a shortcut, unless it is AltGr typing a character
        # (Windows reports AltGr as Ctrl+Alt).
        if modifiers & (_CTRL | _ALT | _META) and not (modifiers & _CTRL and modifiers & _ALT):
            return _Kind.OTHER
        return _Kind.CHAR

    def _key(self, receiver: QWidget, event: QKeyEvent, press: bool) -> bool:
        state = self._state
        if state is _State.CAPTURE:
            return self._capture_key(event, press)
        if not press:
            key = int(event.key())
            if state is not _State.IDLE:
                self._hold(event)
                return True
            if key in self._swallow_releases:
                self._swallow_releases.discard(key)
                return True
            return False
        now = self._clock(event)
        kind = self._classify(event)
        if self._prefix is not None:
            return self._prefixed_key(receiver, event, kind, now)
        if kind is _Kind.MODIFIER:
            if state is _State.BURST:
                self._hold(event)
                return True
            return False
        if state is _State.BURST and (
            receiver is not self._receiver or now - self._last_key_ms > self._setup.max_gap_ms
        ):
            # Too slow to be the same scanner burst: it was typing.
            self._flush_as_typing()
            state = self._state
        if state is _State.IDLE:
            if kind is _Kind.CHAR or kind is _Kind.GS:
                self._begin(_State.BURST, receiver, now)
                self._add(event, kind, now)
                return True
            return False
        # A burst is under way.
        if kind is _Kind.CHAR or kind is _Kind.GS:
            self._add(event, kind, now)
            return True
        if kind is _Kind.SUFFIX and len(self._chars) >= self._setup.min_length:
            return self._finish_with_suffix(event)
        # Another key (or the suffix after too short a burst): typing after all. The
        # held keys go first, then this one, in order.
        self._flush_as_typing()
        return False

    def _prefixed_key(self, receiver: QWidget, event: QKeyEvent, kind: _Kind, now: float) -> bool:
        if self._state is _State.IDLE:
            if key_name(event, ignore_shift=True) == self._prefix and not event.isAutoRepeat():
                self._begin(_State.PREFIXED, receiver, now)
                return True
            return False
        if kind is _Kind.MODIFIER:
            self._hold(event)
            return True
        if kind is _Kind.CHAR or kind is _Kind.GS:
            self._add(event, kind, now)
            return True
        if kind is _Kind.SUFFIX and self._chars:
            return self._finish_with_suffix(event)
        self._flush_as_typing()
        return False

    # --- holding and deciding --------------------------------------------------------
    def _begin(self, state: _State, receiver: QWidget, now: float) -> None:
        self._state = state
        self._receiver = receiver
        self._held = []
        self._chars = []
        self._last_key_ms = now

    def _hold(self, event: QKeyEvent) -> None:
        self._held.append(_copy(event))

    def _add(self, event: QKeyEvent, kind: _Kind, now: float) -> None:
        self._hold(event)
        self._chars.append(GS if kind is _Kind.GS else event.text())
        self._swallow_releases.discard(int(event.key()))
        self._last_key_ms = now
        self._arm_timer()

    def _clock(self, event: QKeyEvent) -> float:
        """When ``event`` happened, in ms: the window system's time of the key press
        when it has one (queued keys keep their real spacing while the GUI thread is
        busy), else the time it reached the filter."""
        stamp = int(event.timestamp())
        previous_stamp, previous_moment = self._last_clock
        if stamp and previous_stamp and 0 <= stamp - previous_stamp < 60_000:
            moment = previous_moment + (stamp - previous_stamp)
        else:
            moment = _event_ms()
        self._last_clock = (stamp, moment)
        return moment

    def _arm_timer(self) -> None:
        if self._state is _State.PREFIXED and self._setup.suffix is not Suffix.NONE:
            interval = PREFIX_TIMEOUT_MS
        else:
            interval = self._setup.max_gap_ms + HOLD_SLACK_MS
        self._timer_started_ms = _event_ms()
        self._timer_extended = False
        self._timer.start(interval)

    def _timer_expired(self) -> None:
        if self._state is _State.CAPTURE:
            self._finish_capture()
            return
        if self._state is _State.IDLE:
            return
        late = _event_ms() - self._timer_started_ms - self._timer.interval()
        if late > self._setup.max_gap_ms and not self._timer_extended:
            # The GUI thread was busy: keys of this burst may be waiting in the queue.
            # Let them in before deciding.
            self._timer_extended = True
            self._timer.start(self._setup.max_gap_ms)
            return
        if (
            self._setup.suffix is Suffix.NONE
            and self._chars
            and (self._state is _State.PREFIXED or len(self._chars) >= self._setup.min_length)
        ):
            self._finish_scan()
        else:
            self._flush_as_typing()

    def _finish_with_suffix(self, suffix: QKeyEvent) -> bool:
        receiver = self._receiver
        if self._outside_home(receiver) and self._field_outside_home(receiver) is None:
            # No text field to take it in another window: the keys were meant as typed,
            # the suffix included.
            self._flush_as_typing()
            return False
        self._swallow_releases.add(int(suffix.key()))
        self._finish_scan()
        return True

    def _finish_scan(self) -> None:
        self.last_scan_at = time.perf_counter()
        text = self._normalise("".join(self._chars))
        receiver = self._receiver
        held = self._held
        self._reset()
        if not text:
            return
        target = self._field_outside_home(receiver)
        if isinstance(target, ScanField):
            # The field says what a scan means to it (its Enter is swallowed so that it
            # cannot trip a dialog's default button).
            target.scanned.emit(text)
        elif target is not None:
            target.insert(text)
        elif self._outside_home(receiver):
            self._replay(receiver, held)
        else:
            self.scanned.emit(text)

    def _flush_as_typing(self) -> None:
        """The held keys were typing: give them to their widget, in order."""
        if self._state is _State.CAPTURE:
            return
        receiver, held = self._receiver, self._held
        self._reset()
        self._replay(receiver, held)

    def _replay(self, receiver: QWidget | None, held: Sequence[QKeyEvent]) -> None:
        if receiver is None or not held or not shiboken6.isValid(receiver):
            return
        self._replaying = True
        try:
            for event in held:
                QCoreApplication.sendEvent(receiver, event)
        finally:
            self._replaying = False

    def _reset(self) -> None:
        self._timer.stop()
        self._state = _State.IDLE
        self._held = []
        self._chars = []
        self._receiver = None

    def _normalise(self, text: str) -> str:
        substitute = self._setup.gs_substitute
        return text.replace(substitute, GS) if substitute else text

    def _outside_home(self, receiver: QWidget | None) -> bool:
        if self._home is None or receiver is None or not shiboken6.isValid(receiver):
            return False
        return receiver.window() is not self._home.window()

    def _field_outside_home(self, receiver: QWidget | None) -> QLineEdit | None:
        if not self._outside_home(receiver):
            return None
        field = receiver
        if isinstance(field, QAbstractSpinBox):
            return None  # a scan is never a number typed into a spin box
        if isinstance(field, QLineEdit) and not field.isReadOnly():
            return field
        return None

    # --- the test box ----------------------------------------------------------------
    def _capture_key(self, event: QKeyEvent, press: bool) -> bool:
        if not press:
            return True
        key = event.key()
        if key in _MODIFIER_KEYS:
            return True
        if key == Qt.Key.Key_Escape and not self._capture:
            self._state = _State.IDLE
            self.capture_cancelled.emit()
            return True
        now = self._clock(event)
        gap = now - self._last_key_ms if self._capture else 0.0
        self._last_key_ms = now
        self._capture.append(_keystroke(event, gap))
        self._timer.start(CAPTURE_IDLE_MS)
        return True

    def _finish_capture(self) -> None:
        keys = tuple(self._capture)
        self._state = _State.IDLE
        self._capture = []
        self.captured.emit(keys)


class ScanField(QLineEdit):
    """A field, in a window other than the main one, that is told of a whole scan made
    while it has the keyboard (``scanned``, the code), instead of having the code typed
    in at its cursor: it decides what the scan means (look the code up, pick with that
    lot, take it as a bin). Keys typed by hand reach it as to any field."""

    #: A whole scan arrived while this field had the keyboard (the scanned text).
    scanned = Signal(str)

    def take_scan_as_entry(self) -> None:
        """Let a scan stand for what it replaces: the field's text, then Enter (a field
        that looks a code up)."""
        self.scanned.connect(self._enter_scan)

    def _enter_scan(self, text: str) -> None:
        self.setText(text)
        self.returnPressed.emit()


def _keystroke(event: QKeyEvent, gap_ms: float) -> Keystroke:
    key = event.key()
    modifiers = event.modifiers()
    if event.text() == GS or (key == Qt.Key.Key_BracketRight and modifiers & _CTRL):
        return Keystroke(GS, gap_ms)
    if key in _ENTER_KEYS:
        return Keystroke("\r", gap_ms)
    if key == Qt.Key.Key_Tab:
        return Keystroke("\t", gap_ms)
    text = event.text()
    if text and text.isprintable() and not (modifiers & _CTRL and not modifiers & _ALT):
        return Keystroke(text, gap_ms)
    return Keystroke("", gap_ms, key_name(event))


def _typing_target(widget: QWidget) -> QWidget:
    """The widget a key is meant for: keys reaching an open suggestion list (a completer's
    popup) are the field's, whose held keys must stay in order with them (else a key
    typed while the list opens overtakes the one held before it: "bygg" became "bgyg"),
    in the home window and in windows of their own (the purchase-order editor's
    "Te påsar" arrived as "T epåsar")."""
    proxy = widget.focusProxy() if widget.isWindow() else None
    return proxy if proxy is not None and proxy is QApplication.focusWidget() else widget


def _first_receiver(widget: QWidget) -> bool:
    """True when ``widget`` is where the key event starts (not a parent it propagates to)."""
    focus = QApplication.focusWidget()
    if focus is None:
        return widget.isWindow()
    return widget is focus


def _event_ms() -> float:
    return time.perf_counter() * 1000.0


def _copy(event: QKeyEvent) -> QKeyEvent:
    return QKeyEvent(
        event.type(),
        event.key(),
        event.modifiers(),
        event.nativeScanCode(),
        event.nativeVirtualKey(),
        event.nativeModifiers(),
        event.text(),
        event.isAutoRepeat(),
        event.count(),
    )


class TypedCodeCatcher(QObject):
    """Takes what is typed into a widget that holds no text — the table a scan screen
    keeps the focus on — and, with Enter, delivers it as a code through ``submit``.

    The scanner filter tells a scan from typing by its speed. A scan it took for typing
    (a burst split because the machine was busy, a scanner slower than its setting) is
    replayed as keys into the focused widget; in a table those keys would only jump
    between rows, and the scan would be lost without a word. Caught here, it arrives
    whole, exactly as if it had been typed into the "type a code" field, and is shown
    as found or not found like any scan. A person typing a code there gets the same.
    """

    #: A pause this long starts a new code (old keys typed by mistake are dropped).
    RESET_AFTER_S = 3.0

    def __init__(self, widget: QWidget, submit: Callable[[str], None]) -> None:
        super().__init__(widget)
        self._submit = submit
        self._buffer = ""
        self._last = 0.0
        widget.installEventFilter(self)

    @property
    def pending(self) -> str:
        """What has been typed since the last Enter."""
        return self._buffer

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.FocusOut:
            self._buffer = ""
            return False
        if kind != _KEY_PRESS or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if not self._buffer:
                return False
            code, self._buffer = self._buffer, ""
            self._submit(code)
            return True
        if key == Qt.Key.Key_Escape:
            self._buffer = ""
            return False
        text = event.text()
        command = event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier
            | Qt.KeyboardModifier.AltModifier
            | Qt.KeyboardModifier.MetaModifier
        )
        if key == Qt.Key.Key_BracketRight and command == Qt.KeyboardModifier.ControlModifier:
            text = GS  # Ctrl+] is the group separator of a GS1 code
        elif not text or not text.isprintable() or command:
            return False
        now = time.perf_counter()
        if now - self._last > self.RESET_AFTER_S:
            self._buffer = ""
        self._last = now
        self._buffer += text
        return True


def catch_typed_codes(widget: QWidget) -> TypedCodeCatcher:
    """Make codes typed into ``widget`` (a scan screen's table) arrive as scans, through
    the scanner of the window it is in (see :class:`TypedCodeCatcher`)."""

    def submit(code: str) -> None:
        scanner = getattr(widget.window(), "scanner", None)
        if isinstance(scanner, ScannerInput):
            scanner.submit(code)

    return TypedCodeCatcher(widget, submit)
