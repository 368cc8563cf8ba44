"""What the scan screens (picking, receiving, counting) share: large type read from a
step away, the last scan's message in its tone's colour, and one way of routing a scan,
a typed quantity, a refusal and a dialog.

:class:`ScanScreen` is their base: it declares the signals the window connects by name
(``feedback``, ``status_message``, ``link_requested``) and those the tests wait for
(``scan_done``, ``dialog_opened``), takes a scan the window resolved (after linking an
unknown code) as a raw one, offers to link an unknown code, and shows a refused action
in the message and the banner before reading the screen's data again. Each screen still
says what a scan means there (``handle_raw_scan``, ``show_outcome``) and lays out its own
panel; the builders below give the parts that look the same on all of them, and
:class:`MarkedLinesModel` draws their line tables alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractItemModel, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services import scanning
from app.services.errors import FieldErrors, HyllaError, ValidationError
from app.services.scanning import ScanResult
from app.ui.link_barcode_dialog import can_link
from app.ui.runner import Runner
from app.ui.scan_feedback import Tone
from app.ui.table_model import CachedRowsModel
from app.ui.widgets import make_table_view, mark_error

# The message's colours per tone: background, text, and the bar at its left edge.
_TONE_COLOURS = {
    Tone.SUCCESS: ("#e8f5e9", "#1b5e20", "#1b5e20"),
    Tone.PROBLEM: ("#ffebee", "#b71c1c", "#b71c1c"),
    Tone.WARNING: ("#fff3cd", "#5d4000", "#ffb300"),
    Tone.INFO: ("#eceff1", "#263238", "#263238"),
}


def scaled_font(font: QFont, point_size: float, bold: bool = False) -> QFont:
    """``font`` at ``point_size`` (bold if asked): text read from a step away."""
    scaled = QFont(font)
    scaled.setPointSizeF(point_size)
    scaled.setBold(bold)
    return scaled


def set_style(widget: QWidget, sheet: str) -> None:
    """Give ``widget`` the style sheet ``sheet`` unless it has it already."""
    # Setting a style sheet re-polishes the widget and its children even when nothing
    # changed: at a scan a second that is time the banner could use.
    if widget.styleSheet() != sheet:
        widget.setStyleSheet(sheet)


def message_style(name: str, tone: Tone | None, border: int, padding: str) -> str:
    """The style sheet of the message label ``name`` in ``tone``'s colours (information's
    when there is no tone), with a bar ``border`` pixels wide at its left edge."""
    background, text, edge = _TONE_COLOURS.get(tone or Tone.INFO, _TONE_COLOURS[Tone.INFO])
    return (
        f"QLabel#{name} {{ background: {background}; color: {text};"
        f" border-left: {border}px solid {edge}; padding: {padding}; }}"
    )


def message_label(name: str, base: QFont, point_size: float, min_height: int) -> QLabel:
    """The label under the bin that repeats the last scan's result in large bold type."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setFont(scaled_font(base, point_size, bold=True))
    label.setMinimumHeight(min_height)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def bin_box(
    name: str, base: QFont, bin_size: float, hint_size: float, margin: int
) -> tuple[QFrame, QLabel, QLabel]:
    """The box that names the bin being worked in very large type, with a hint under it:
    the frame (``name``\\ ``_frame``), the bin label (``name``) and the hint
    (``name``\\ ``_hint``)."""
    bin_label = QLabel()
    bin_label.setObjectName(name)
    bin_label.setFont(scaled_font(base, bin_size, bold=True))
    bin_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    hint = QLabel()
    hint.setObjectName(f"{name}_hint")
    hint.setFont(scaled_font(base, hint_size))
    hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
    frame = QFrame()
    frame.setObjectName(f"{name}_frame")
    column = QVBoxLayout(frame)
    column.setContentsMargins(12, margin, 12, margin)
    column.setSpacing(0)
    column.addWidget(bin_label)
    column.addWidget(hint)
    return frame, bin_label, hint


def highlight_current(table: QTableView, background: QColor, text: QColor) -> None:
    """Draw the selected row of ``table`` in the current line's colours, never the
    platform's blue, also while the table has no focus."""
    palette = table.palette()
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        palette.setColor(group, QPalette.ColorRole.Highlight, background)
        palette.setColor(group, QPalette.ColorRole.HighlightedText, text)
    table.setPalette(palette)


def adopt_table_setup(view: QTableView, model: QAbstractItemModel) -> None:
    """Show ``model`` in ``view`` (a table subclass :func:`make_table_view` cannot make)
    with the selection and editing of the application's tables."""
    template = make_table_view(model)
    view.setModel(model)
    view.setSelectionBehavior(template.selectionBehavior())
    view.setSelectionMode(template.selectionMode())
    view.setEditTriggers(template.editTriggers())
    template.deleteLater()


def scroll_area(panel: QWidget) -> QScrollArea:
    """``panel`` in a frameless scroll area: large type needs room; on a small screen the
    panel scrolls instead of making the whole window larger than the screen."""
    scroller = QScrollArea()
    scroller.setWidget(panel)
    scroller.setWidgetResizable(True)
    scroller.setFrameShape(QFrame.Shape.NoFrame)
    return scroller


def stacked_panels(
    page: QWidget,
    panels: Iterable[QWidget],
    scrolled: Callable[[QWidget], QScrollArea] = scroll_area,
) -> QStackedWidget:
    """The stack of ``page``'s panels (start list, screen, ...), each ``scrolled``, filling
    ``page`` inside the pages' margins."""
    stack = QStackedWidget()
    for panel in panels:
        stack.addWidget(scrolled(panel))
    layout = QVBoxLayout(page)
    layout.setContentsMargins(12, 8, 12, 8)
    layout.addWidget(stack)
    return stack


def named_button(text: str, name: str, tooltip: str) -> QPushButton:
    """A button of a scan screen: its ``text``, its object ``name`` (for the tests and the
    style) and a ``tooltip`` that names its key."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tooltip)
    return button


def size_buttons(buttons: Iterable[QPushButton], height: int, font: QFont | None = None) -> None:
    """Make ``buttons`` at least ``height`` pixels tall (a big target for a gloved hand),
    in ``font`` if given."""
    for button in buttons:
        if font is not None:
            button.setFont(font)
        button.setMinimumHeight(height)


def header_row(title: QLabel, aside: QWidget) -> QHBoxLayout:
    """The screen's title, taking the room, with ``aside`` (progress, count) at its right."""
    row = QHBoxLayout()
    row.addWidget(title, 1)
    row.addWidget(aside)
    return row


def quantity_row(
    caption: str, edit: QLineEdit, about: QLabel, *extra: QWidget, font: QFont | None = None
) -> QHBoxLayout:
    """The row of a typed quantity: ``caption`` (in ``font``; its mnemonic reaches the
    field), the field, what the quantity is for (taking the room) and ``extra`` buttons."""
    title = QLabel(caption)
    title.setBuddy(edit)
    if font is not None:
        title.setFont(font)
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(title)
    row.addWidget(edit)
    row.addWidget(about, 1)
    for widget in extra:
        row.addWidget(widget)
    return row


def button_row(left: Sequence[QWidget], right: Sequence[QWidget]) -> QHBoxLayout:
    """Buttons at the left and at the right of a row, the room between them empty."""
    row = QHBoxLayout()
    for button in left:
        row.addWidget(button)
    row.addStretch(1)
    for button in right:
        row.addWidget(button)
    return row


#: A part of a column: a widget or a layout, or one with its stretch factor.
Part = QWidget | QLayout | tuple[QWidget | QLayout, int]


def scan_column(parent: QWidget | None, *parts: Part, spacing: int | None = 8) -> QVBoxLayout:
    """``parts`` one under the other, edge to edge, ``spacing`` pixels apart (the style's
    spacing with None); a part given with a stretch factor takes the room that is left."""
    column = QVBoxLayout(parent) if parent is not None else QVBoxLayout()
    column.setContentsMargins(0, 0, 0, 0)
    if spacing is not None:
        column.setSpacing(spacing)
    for part in parts:
        item, stretch = part if isinstance(part, tuple) else (part, 0)
        if isinstance(item, QLayout):
            column.addLayout(item, stretch)
        else:
            column.addWidget(item, stretch)
    return column


@dataclass(frozen=True)
class LineMark:
    """How a line of a scan screen is marked: words for everyone, a background for a
    glance; a muted line is one nobody needs to act on now."""

    text: str
    background: QColor | None
    muted: bool = False


@dataclass(frozen=True)
class MarkedRow:
    """A line as a scan screen's table draws it, worked out once when the line changes
    (a repaint asks for every cell's text and colours several times; formatting numbers
    each time would cost more than the scan itself)."""

    line: Any
    current: bool
    texts: tuple[str, ...]
    background: QBrush | None
    mark_background: QBrush | None
    foreground: QBrush | None
    tooltip: str = ""


class MarkedLinesModel(CachedRowsModel):
    """The lines of a scan screen: each with its mark in colour and words, the current
    line (the last scanned) in bold on the current line's colour, muted lines in grey.

    A subclass names its ``MARK`` column (and ``MARK_COLUMNS``, bold and showing the
    row's tooltip) and builds its rows with :meth:`marked_row`."""

    MARK: ClassVar[int]
    MARK_COLUMNS: ClassVar[frozenset[int]]
    #: A marked line's colour fills its row; otherwise only the mark's cell.
    MARK_FILLS_ROW: ClassVar[bool] = True

    def __init__(self, parent: Any, current: QColor, dark: QColor, waiting: QColor) -> None:
        super().__init__(parent)
        self._bold = QFont()
        self._bold.setBold(True)
        self._current_brush = QBrush(current)
        self._dark_brush = QBrush(dark)
        self._waiting_brush = QBrush(waiting)

    def marked_row(
        self, line: Any, current: bool, mark: LineMark, texts: tuple[str, ...], tooltip: str = ""
    ) -> MarkedRow:
        """The row of ``line`` showing ``texts``, marked with ``mark``."""
        mark_background = QBrush(mark.background) if mark.background is not None else None
        # Dark text on every coloured background keeps the contrast high.
        if mark.background is not None or current:
            foreground: QBrush | None = self._dark_brush
        else:
            foreground = self._waiting_brush if mark.muted else None
        if current:
            background: QBrush | None = self._current_brush
        else:
            background = mark_background if self.MARK_FILLS_ROW else None
        return MarkedRow(
            line=line,
            current=current,
            texts=texts,
            background=background,
            mark_background=mark_background,
            foreground=foreground,
            tooltip=tooltip,
        )

    def row_data(self, row: Any, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.BackgroundRole:
            return row.mark_background if column == self.MARK else row.background
        if role == Qt.ItemDataRole.ForegroundRole:
            return row.foreground
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if row.current or column in self.MARK_COLUMNS else None
        if role == Qt.ItemDataRole.ToolTipRole and column in self.MARK_COLUMNS:
            return row.tooltip or None
        return None


class EnterTable(QTableView):
    """A list table whose Enter key does the panel's main action (``activated_by_key``).

    With ``plain_enter_only`` an Enter pressed with a modifier is left to the table; the
    number pad's Enter counts as plain (Qt marks it with the keypad modifier)."""

    activated_by_key = Signal()

    def __init__(self, parent: QWidget | None = None, *, plain_enter_only: bool = False) -> None:
        super().__init__(parent)
        self._plain_enter_only = plain_enter_only

    def keyPressEvent(self, event: QKeyEvent) -> None:
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            self._plain_enter_only and modifiers
        ):
            self.activated_by_key.emit()
            return
        super().keyPressEvent(event)


class ScanScreen(QWidget):
    """The base of a screen run from the scanner: what every scan screen does alike.

    A subclass builds ``message_label`` (see :func:`message_label`), ``qty_edit`` and
    ``qty_error`` for a typed quantity, and gives :meth:`handle_raw_scan`,
    :meth:`show_outcome`, :meth:`reload` and :meth:`_focus_after_dialog`.
    """

    #: Scan feedback for the window's banner and sound: (Tone, title, detail, since).
    feedback = Signal(object, str, str, object)
    status_message = Signal(str)
    #: An unknown code that could be linked to an item (a ScanResult).
    link_requested = Signal(object)
    #: A dialog opened (for tests).
    dialog_opened = Signal(object)
    #: A scan (or typed quantity, undo, answer) came back from the service (its outcome).
    scan_done = Signal(object)

    #: The width of the message's tone bar, and the room around its text.
    MESSAGE_BORDER: ClassVar[int] = 10
    MESSAGE_PADDING: ClassVar[str] = "6px 12px"
    #: A refused quantity is selected, so the next one typed replaces it.
    SELECT_REFUSED_QUANTITY: ClassVar[bool] = True
    #: A dialog is raised and given the keyboard as it opens (also where no window
    #: manager hands it over, as on a kiosk workstation).
    RAISE_DIALOGS: ClassVar[bool] = True

    message_label: QLabel
    qty_edit: QLineEdit
    qty_error: QLabel

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner

    # --- what each screen gives --------------------------------------------------------
    def handle_raw_scan(self, text: str, since: float | None = None) -> None:
        """A scan as the scanner sent it (``since``: when its last key came)."""
        raise NotImplementedError

    def show_outcome(self, outcome: Any, since: float | None = None, raw: str = "") -> None:
        """Show what a scan (or typed quantity, undo, answer) did."""
        raise NotImplementedError

    def reload(self) -> None:
        """Read what is on screen again (it may have changed at another workstation)."""
        raise NotImplementedError

    def _focus_after_dialog(self) -> None:
        """Give the keyboard to what takes the next scan or key after a dialog closed."""
        raise NotImplementedError

    # --- scans -------------------------------------------------------------------------
    def handle_scan(self, result: ScanResult) -> bool:
        """A scan the window resolved (after linking an unknown code): as if scanned."""
        self.handle_raw_scan(result.raw)
        return True

    def _offer_link(self, raw: str) -> None:
        # Only an unknown code pays for resolving it a second time, to offer linking.
        def resolved(result: ScanResult) -> None:
            if can_link(result):
                self.link_requested.emit(result)

        if raw:
            self._runner.run(scanning.resolve_scan, raw, on_done=resolved, owner=self)

    def _run_action(self, service: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run ``service`` (with ``args`` and its ``on_done``) on the worker; a refusal
        shows as every refused action does."""
        self._runner.run(
            service,
            *args,
            on_error=lambda error: self._action_failed(error, None),
            owner=self,
            **kwargs,
        )

    def _ask_then_run(
        self,
        dialog: QDialog,
        service: Callable[..., Any],
        *args: Any,
        disable: QWidget | None = None,
        **kwargs: Any,
    ) -> None:
        """Open ``dialog``; a yes runs ``service`` as :meth:`_run_action` does, with
        ``disable`` (the button that asked) off meanwhile, so a second press posts nothing
        twice."""

        def answered(result: int) -> None:
            if result:
                if disable is not None:
                    disable.setEnabled(False)
                self._run_action(service, *args, **kwargs)

        dialog.finished.connect(answered)
        self._open_dialog(dialog)

    def _add_keys(
        self,
        undo: Callable[[], object],
        finish: Callable[[], object],
        context: Qt.ShortcutContext = Qt.ShortcutContext.WindowShortcut,
    ) -> None:
        """Ctrl+Z runs ``undo`` and Ctrl+Enter (either Enter key) ``finish``, while the
        screen is on show (a hidden page's shortcuts do not fire) and within ``context``."""
        shortcut = QShortcut(QKeySequence.StandardKey.Undo, self, undo)
        shortcut.setContext(context)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self, finish)
            shortcut.setContext(context)

    def _action_failed(self, error: HyllaError, since: float | None) -> None:
        self._say(Tone.PROBLEM, error.message, "", since)
        self.message_label.setText(error.message)
        self._set_message_tone(Tone.PROBLEM)
        # What is on screen may have changed elsewhere (posted, cancelled, picked).
        self.reload()

    # --- typed quantities --------------------------------------------------------------
    def _send_quantity(self, service: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Send the quantity typed to ``service`` (with ``args``) on the worker: its
        objection appears under the field, its outcome as a scan's would."""

        def done(outcome: Any) -> None:
            self._qty_problem("")
            if self._clears_quantity(outcome):
                self.qty_edit.clear()
            self.show_outcome(outcome)

        def failed(error: HyllaError) -> None:
            if isinstance(error, (ValidationError, FieldErrors)):
                self._qty_problem(error.message)
            else:
                self._action_failed(error, None)

        self._runner.run(service, *args, on_done=done, on_error=failed, owner=self, **kwargs)

    def _clears_quantity(self, outcome: Any) -> bool:
        """True when the quantity typed is done with after ``outcome``."""
        return True

    def _qty_problem(self, message: str) -> None:
        self.qty_error.setText(message)
        self.qty_error.setVisible(bool(message))
        mark_error(self.qty_edit, bool(message))
        if message:
            self.qty_edit.setFocus()
            if self.SELECT_REFUSED_QUANTITY:
                self.qty_edit.selectAll()

    # --- showing -----------------------------------------------------------------------
    def _say(self, tone: Tone, title: str, detail: str, since: float | None = None) -> None:
        self.feedback.emit(tone, title, detail, since)

    def _set_message_tone(self, tone: Tone | None) -> None:
        set_style(
            self.message_label,
            message_style(
                self.message_label.objectName(), tone, self.MESSAGE_BORDER, self.MESSAGE_PADDING
            ),
        )

    def _open_dialog(self, dialog: QDialog) -> None:
        # Back to the window afterwards, so the next scan and key find the screen.
        dialog.finished.connect(lambda _result: QTimer.singleShot(0, self._refocus))
        dialog.open()
        if self.RAISE_DIALOGS:
            # The keyboard goes to the question at once: Enter and Esc answer it.
            dialog.raise_()
            dialog.activateWindow()
        self.dialog_opened.emit(dialog)

    def _refocus(self) -> None:
        if not self.isVisible() or QApplication.activeModalWidget() is not None:
            return
        self.window().activateWindow()
        self._focus_after_dialog()
