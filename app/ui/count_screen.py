"""The counting screen: scan a bin, then what is in it; large, high-contrast, readable
from a step away, run from the scanner and the keyboard only.

The bin being counted stands in a yellow box in very large type; under it the last
scan's result, and the bin's lines: what was counted (by everyone), and a mark in colour
*and* words (counted, not counted yet, not expected here, recount). A **blind** count
never shows an expected quantity here, whoever counts: the screen has no such column
and composes its own messages from counted figures only. Progress runs over the bins.

Keys: every scan goes to the service (a bin label changes the bin, an item adds one, a
carton its pack, a GS1 code its count and lot); the quantity field (Alt+Q) *sets* the
selected line's count with Enter; Ctrl+Z undoes the last entry; Ctrl+Enter
closes the bin, asking to confirm the expected items nobody scanned as zero.

Each entry is saved by :mod:`app.services.counting` as it happens and the service
answers with the whole count as it now is, which the screen shows; reopening a count
therefore continues exactly where it was.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.models import CountLineStatus
from app.services import counting
from app.services.counting import (
    BinClosed,
    BinProgress,
    CountLineView,
    CountScanOutcome,
    CountScanStatus,
    CountView,
)
from app.services.users import UserRef
from app.ui.count_dialogs import LotChoiceDialog
from app.ui.formatting import fmt_count, fmt_qty
from app.ui.receipt_dialogs import ConfirmDialog
from app.ui.runner import Runner
from app.ui.scan_feedback import Tone
from app.ui.scan_screen import (
    LineMark,
    MarkedLinesModel,
    MarkedRow,
    ScanScreen,
    adopt_table_setup,
    bin_box,
    button_row,
    header_row,
    message_label,
    named_button,
    quantity_row,
    scaled_font,
    scan_column,
    size_buttons,
)
from app.ui.scanner import catch_typed_codes
from app.ui.table_model import Column, RowTableModel
from app.ui.widgets import error_label, make_table_view, set_column_widths

Index = QModelIndex | QPersistentModelIndex

BIN_POINT_SIZE = 40.0
MESSAGE_POINT_SIZE = 22.0
CURRENT_POINT_SIZE = 18.0
HEADING_POINT_SIZE = 15.0
TABLE_POINT_SIZE = 15.0

COUNTED_BG = QColor("#c8e6c9")
UNEXPECTED_BG = QColor("#e1bee7")
RECOUNT_BG = QColor("#ffe0b2")
CURRENT_BG = QColor("#fff59d")
DARK_TEXT = QColor("#111111")
WAITING_TEXT = QColor("#4a555c")

_DETAIL_LIMIT = 12


# --- what a line's mark says -------------------------------------------------------------


def count_mark(line: CountLineView) -> LineMark:
    """The mark of a line on the counting screen (never an expected figure)."""
    if line.status is CountLineStatus.APPROVED:
        return LineMark(_("Approved"), None, muted=True)
    if line.status is CountLineStatus.SKIPPED:
        return LineMark(_("Skipped"), None, muted=True)
    if line.unexpected:
        return LineMark(_("Not expected here"), UNEXPECTED_BG)
    if line.status is CountLineStatus.RECOUNT and not line.is_counted:
        return LineMark(_("Count again"), RECOUNT_BG)
    if line.is_counted:
        return LineMark(_("✓ Counted"), COUNTED_BG)
    return LineMark(_("Not counted yet"), None, muted=True)


def counted_text(line: CountLineView, viewer_id: int) -> str:
    """What was counted of a line: the total, and the viewer's part when others counted too."""
    if line.counted is None:
        return ""
    text = f"{fmt_qty(line.counted)} {line.unit}"
    mine = sum((c.quantity for c in line.contributions if c.user_id == viewer_id), Decimal(0))
    if len(line.contributions) > 1 or (line.contributions and mine != line.counted):
        text += "  " + _("(you {qty})").format(qty=fmt_qty(mine))
    return text


def shows_expected(view: CountView) -> bool:
    """True when the counting screen may show expected quantities: never on a blind count,
    whoever counts; on an open count only to those the service shows them to."""
    return view.shows_expected and not view.blind


class BinLinesModel(MarkedLinesModel):
    """The lines of the bin being counted; the last one scanned drawn as current."""

    SKU, NAME, LOT, EXPECTED, COUNTED, MARK = range(6)
    MARK_COLUMNS = frozenset({MARK})

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent, CURRENT_BG, DARK_TEXT, WAITING_TEXT)
        self.show_expected = False
        self.current_line: int | None = None
        self._viewer = 0
        self.set_columns(
            [_("SKU"), _("Item"), _("Lot"), _("Expected"), _("Counted"), _("Status")],
            {self.EXPECTED, self.COUNTED},
        )

    def set_lines(
        self, lines: list[CountLineView], viewer_id: int, show_expected: bool, current: int | None
    ) -> None:
        """Show ``lines``; ``current`` (a line id) is drawn as the current line. Only the
        rows that changed are repainted when the bin's lines stay the same."""
        self.current_line = current
        self._viewer = viewer_id
        if show_expected == self.show_expected and [r.line.id for r in self._rows] == [
            ln.id for ln in lines
        ]:
            for n, line in enumerate(lines):
                is_current = line.id == current
                if self._rows[n].line == line and self._rows[n].current == is_current:
                    continue
                self._rows[n] = self._row(line, is_current)
                self.dataChanged.emit(self.index(n, 0), self.index(n, self.MARK))
            return
        self.beginResetModel()
        self.show_expected = show_expected
        self._rows = [self._row(line, line.id == current) for line in lines]
        self.endResetModel()

    def _row(self, line: CountLineView, current: bool) -> MarkedRow:
        mark = count_mark(line)
        expected = ""
        if self.show_expected and line.expected is not None:
            expected = f"{fmt_qty(line.expected)} {line.unit}"
        texts = (
            line.sku,
            line.name,
            line.lot or "",
            expected,
            counted_text(line, self._viewer),
            mark.text,
        )
        return self.marked_row(line, current, mark, texts)

    def row_of(self, line_id: int | None) -> int:
        """The row of line ``line_id``, or -1."""
        return next((n for n, row in enumerate(self._rows) if row.line.id == line_id), -1)


def bin_columns() -> list[Column[BinProgress]]:
    """Columns of the bins' progress list."""
    return [
        Column(_("Bin"), lambda b: b.bin_code),
        Column(
            _("Counted"),
            lambda b: _("{counted} of {lines}").format(
                counted=fmt_count(b.counted), lines=fmt_count(b.lines)
            ),
            sort_key=lambda b: (b.counted, b.lines),
            numeric=True,
        ),
        Column(_("Closed"), lambda b: "✓" if b.closed else ""),
    ]


def _configure(view: QTableView, model: QAbstractTableModel) -> None:
    adopt_table_setup(view, model)
    view.setAlternatingRowColors(False)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)


class CountScreen(ScanScreen):
    """Count by scanning: bins, items, typed counts, undo, close bin, finish.

    Its ``scan_done`` carries a CountScanOutcome: a scan, typed count, undo or lot answer."""

    MESSAGE_PADDING = "8px 14px"
    # Its questions open without being raised over the window.
    RAISE_DIALOGS = False

    #: The count was shown anew (a CountView).
    count_shown = Signal(object)
    #: A bin was closed (a BinClosed), before any question about zeros.
    bin_closed = Signal(object)
    #: Expected lines nobody scanned were confirmed as zero (the CountView after).
    zeros_confirmed = Signal(object)
    #: Back to the list.
    leave_requested = Signal()
    #: Counting is finished (or the recount done): show the review (a CountView).
    review_requested = Signal(object)
    #: The count was cancelled (its CountView).
    cancelled = Signal(object)

    def __init__(self, runner: Runner, user: UserRef, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self._user = user
        self.view: CountView | None = None
        #: The bin whose lines are shown: the counter's bin, or the one just closed.
        self._shown_bin: tuple[int, str] | None = None
        self._current_line: int | None = None

        self.title_label = QLabel()
        self.title_label.setObjectName("count_title")
        self.title_label.setFont(scaled_font(self.font(), HEADING_POINT_SIZE, bold=True))
        self.title_label.setWordWrap(True)
        self.blind_label = QLabel()
        self.blind_label.setObjectName("count_blind_mark")
        self.blind_label.setFont(scaled_font(self.font(), HEADING_POINT_SIZE, bold=True))

        self.bin_frame, self.bin_label, self.bin_hint = bin_box(
            "count_bin", self.font(), BIN_POINT_SIZE, HEADING_POINT_SIZE, margin=6
        )
        self.message_label = message_label("count_message", self.font(), MESSAGE_POINT_SIZE, 60)

        self.lines_model = BinLinesModel(self)
        self.lines_table = QTableView()
        _configure(self.lines_table, self.lines_model)
        self.lines_table.horizontalHeader().setStretchLastSection(False)
        self.lines_table.setObjectName("count_lines")
        # A scan the scanner filter took for typing arrives here whole, not lost.
        self.typed_codes = catch_typed_codes(self.lines_table)
        self.lines_table.setFont(scaled_font(self.font(), TABLE_POINT_SIZE))
        self.lines_table.verticalHeader().setDefaultSectionSize(
            self.lines_table.fontMetrics().height() + 16
        )
        self.lines_table.horizontalHeader().setFont(
            scaled_font(self.font(), TABLE_POINT_SIZE - 2, bold=True)
        )
        self.lines_table.setStyleSheet(
            "QTableView#count_lines { background: white; color: #111; }"
            "QTableView#count_lines::item:selected { background: transparent; color: #111;"
            " border-top: 3px solid #0d47a1; border-bottom: 3px solid #0d47a1; }"
        )
        model = self.lines_model
        set_column_widths(
            self.lines_table,
            {
                model.SKU: 150,
                model.NAME: 300,
                model.LOT: 100,
                model.EXPECTED: 110,
                model.COUNTED: 150,
                model.MARK: 230,
            },
            stretch=model.NAME,
        )
        self.empty_label = QLabel()
        self.empty_label.setObjectName("count_empty")
        self.empty_label.setFont(scaled_font(self.font(), CURRENT_POINT_SIZE))
        self.empty_label.setWordWrap(True)
        self.empty_label.setProperty("role", "muted")

        self.bins_model: RowTableModel[BinProgress] = RowTableModel(
            bin_columns(), lambda b: b.bin_code, parent=self
        )
        self.bins_table = make_table_view(self.bins_model)
        self.bins_table.setObjectName("count_bins")
        self.bins_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.bins_table.setFont(scaled_font(self.font(), TABLE_POINT_SIZE - 2))
        self.bins_table.verticalHeader().setDefaultSectionSize(
            self.bins_table.fontMetrics().height() + 10
        )
        set_column_widths(self.bins_table, {0: 100, 1: 70}, stretch=2)
        self.bins_table.setMinimumWidth(270)
        self.bins_table.setMaximumWidth(340)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("count_progress")
        self.progress_label.setFont(scaled_font(self.font(), HEADING_POINT_SIZE))
        self.progress_label.setWordWrap(True)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("count_progress_bar")
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setMinimumHeight(26)

        self.qty_edit = QLineEdit()
        self.qty_edit.setObjectName("count_quantity")
        self.qty_edit.setPlaceholderText(_("Quantity"))
        self.qty_edit.setMinimumWidth(130)
        self.qty_edit.setMaximumWidth(170)
        self.qty_edit.setFont(scaled_font(self.font(), TABLE_POINT_SIZE + 3, bold=True))
        self.qty_edit.setToolTip(
            _("Type how many there are of the selected line and press Enter: it sets the count")
        )
        self.qty_item_label = QLabel()
        self.qty_item_label.setObjectName("count_quantity_item")
        self.qty_item_label.setFont(scaled_font(self.font(), TABLE_POINT_SIZE - 2))
        self.qty_item_label.setWordWrap(True)
        self.qty_error = error_label()
        self.qty_error.setFont(scaled_font(self.font(), TABLE_POINT_SIZE))

        self.undo_button = named_button(
            _("Undo last"),
            "count_undo",
            _("Take back your last scan, typed count or bin (Ctrl+Z)"),
        )
        self.close_bin_button = named_button(
            _("Close bin"),
            "count_close_bin",
            _("This bin is done; confirm what nobody scanned as zero (Ctrl+Enter)"),
        )
        self.finish_button = named_button(
            _("&Finish counting…"), "count_finish", _("End counting and open the review (Alt+F)")
        )
        self.leave_button = named_button(
            _("&Leave for now"),
            "count_leave",
            _("Back to the list; everything counted is saved and the count continues later"),
        )
        self.cancel_button = named_button(
            _("Cancel count…"), "count_cancel", _("Drop this count; nothing of it is posted")
        )
        size_buttons(
            (self.undo_button, self.close_bin_button, self.finish_button),
            46,
            scaled_font(self.font(), TABLE_POINT_SIZE, bold=True),
        )
        size_buttons((self.leave_button, self.cancel_button), 36)

        # Alt+Q (or Ctrl+F) reaches the field; digits typed elsewhere go nowhere, since
        # the keys of a scan split by a busy moment must never become a count.
        main = scan_column(
            None,
            self.bin_frame,
            self.message_label,
            (self.lines_table, 1),
            self.empty_label,
            quantity_row(
                _("Counted &quantity:"),
                self.qty_edit,
                self.qty_item_label,
                font=scaled_font(self.font(), TABLE_POINT_SIZE),
            ),
            self.qty_error,
        )
        side = QVBoxLayout()
        side.addWidget(self.progress_label)
        side.addWidget(self.progress_bar)
        side.addWidget(self.bins_table, 1)
        body = QHBoxLayout()
        body.addLayout(main, 1)
        body.addLayout(side)
        scan_column(
            self,
            header_row(self.title_label, self.blind_label),
            (body, 1),
            button_row(
                [self.undo_button, self.close_bin_button],
                [self.cancel_button, self.leave_button, self.finish_button],
            ),
            spacing=None,
        )

        self.qty_edit.returnPressed.connect(self.set_typed_quantity)
        self.lines_table.selectionModel().selectionChanged.connect(self._update_qty_item)
        self.undo_button.clicked.connect(self.undo_last_scan)
        self.close_bin_button.clicked.connect(self.close_bin)
        self.finish_button.clicked.connect(self.finish_count)
        self.leave_button.clicked.connect(self.leave_requested)
        self.cancel_button.clicked.connect(self.cancel_count)

        # On this screen only: the shortcuts go with it when another panel or page shows.
        self._add_keys(
            undo=self.undo_last_scan,
            finish=self.close_bin,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )

    # --- showing the count -------------------------------------------------------------------
    def show_count(
        self, view: CountView, message: str | None = None, tone: Tone | None = None
    ) -> None:
        """Show ``view``: its bin, that bin's lines, the progress and ``message``."""
        if self.view is None or self.view.id != view.id:
            self._shown_bin = None
            self._current_line = None
        self.view = view
        blind = _("BLIND COUNT") if view.blind else _("Open count: expected quantities shown")
        self.title_label.setText(
            _("{number} — {title}").format(number=view.number, title=view.title)
        )
        self.blind_label.setText(blind)
        self.blind_label.setStyleSheet(
            "QLabel#count_blind_mark { background: #263238; color: white; padding: 4px 10px; }"
            if view.blind
            else "QLabel#count_blind_mark { color: #263238; padding: 4px 10px; }"
        )
        in_bin = view.current_bin_id is not None
        closed_bins = {b.bin_id for b in view.bins if b.closed}
        if in_bin:
            assert view.current_bin_id is not None
            self._shown_bin = (view.current_bin_id, view.current_bin_code)
        elif self._shown_bin is not None and self._shown_bin[0] not in closed_bins:
            self._shown_bin = None  # the bin was undone, not closed
        if in_bin:
            self.bin_label.setText(view.current_bin_code)
            self.bin_hint.setText(
                _("Bin closed — scan the next bin label")
                if view.current_bin_id in closed_bins
                else _("Scan everything in this bin · Ctrl+Enter closes it")
            )
            self.bin_frame.setStyleSheet(
                "QFrame#count_bin_frame { background: #ffeb3b; border: 4px solid #111;"
                " border-radius: 6px; } QLabel { color: #111; background: transparent; }"
            )
        elif self._shown_bin is not None:
            # The bin just closed stays on screen, so the counter sees what was counted.
            self.bin_label.setText(_("{code} ✓ closed").format(code=self._shown_bin[1]))
            self.bin_hint.setText(_("Scan the next bin label"))
            self.bin_frame.setStyleSheet(
                "QFrame#count_bin_frame { background: #c8e6c9; border: 4px solid #1b5e20;"
                " border-radius: 6px; } QLabel { color: #0b3d0f; background: transparent; }"
            )
        else:
            self.bin_label.setText(_("Scan a bin label"))
            self.bin_hint.setText(_("Then scan everything in it, one scan per unit"))
            self.bin_frame.setStyleSheet(
                "QFrame#count_bin_frame { background: #eceff1; border: 2px dashed #455a64;"
                " border-radius: 6px; } QLabel { color: #263238; background: transparent; }"
            )
        if message is None:
            message = self._resume_text(view)
            tone = Tone.INFO
        self.message_label.setText(message)
        self._set_message_tone(tone)

        lines = self._bin_lines(view)
        self.lines_model.set_lines(lines, view.viewer_id, shows_expected(view), self._current_line)
        self.lines_table.setColumnHidden(self.lines_model.EXPECTED, not shows_expected(view))
        # The lot column only where lots are: the item's name needs the room.
        self.lines_table.setColumnHidden(self.lines_model.LOT, not any(ln.lot for ln in lines))
        row = self.lines_model.row_of(self._current_line)
        if row >= 0:
            self.lines_table.selectRow(row)
            self.lines_table.scrollTo(self.lines_model.index(row, 0))
        elif lines and not self.lines_table.selectionModel().hasSelection():
            self.lines_table.selectRow(0)
        self.empty_label.setVisible(in_bin and not lines)
        self.empty_label.setText(
            _("Nothing is expected in this bin. Scan what you find in it, or close it when empty.")
        )
        self._update_qty_item()

        self.bins_model.set_rows(list(view.bins))
        shown_bin = self._shown_bin[0] if self._shown_bin else None
        current = self.bins_model.find_row(lambda b: b.bin_id == shown_bin)
        if current >= 0:
            self.bins_table.selectRow(current)
            self.bins_table.scrollTo(self.bins_model.index(current, 0))
        else:
            self.bins_table.clearSelection()
        counted = sum(b.counted for b in view.bins)
        total = sum(b.lines for b in view.bins)
        self.progress_label.setText(
            _("Bins closed: {closed} of {bins}\nLines counted: {counted} of {lines}").format(
                closed=fmt_count(len(closed_bins)),
                bins=fmt_count(len(view.bins)),
                counted=fmt_count(counted),
                lines=fmt_count(total),
            )
        )
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(counted)
        counting_now = view.is_counting or (
            view.in_review and any(ln.status is CountLineStatus.RECOUNT for ln in view.lines)
        )
        for widget in (self.qty_edit, self.undo_button, self.close_bin_button):
            widget.setEnabled(counting_now)
        self.undo_button.setEnabled(counting_now and view.can_undo)
        self.close_bin_button.setEnabled(counting_now and in_bin)
        self.cancel_button.setVisible(view.is_counting)
        self.finish_button.setText(
            _("&Finish counting…") if view.is_counting else _("&Back to the review")
        )
        self.count_shown.emit(view)

    def _resume_text(self, view: CountView) -> str:
        if view.in_review:
            recount = sum(1 for ln in view.lines if ln.status is CountLineStatus.RECOUNT)
            return ngettext(
                "Recount: {n} line is to be counted again. Scan its bin, then the goods.",
                "Recount: {n} lines are to be counted again. Scan their bin, then the goods.",
                recount,
            ).format(n=fmt_count(recount))
        if view.current_bin_id is not None:
            return _("Counting bin {code}: scan the goods.").format(code=view.current_bin_code)
        return _("Scan the label of the first bin to count.")

    def _bin_lines(self, view: CountView) -> list[CountLineView]:
        if self._shown_bin is None:
            return []
        return [ln for ln in view.lines if ln.bin_id == self._shown_bin[0]]

    def selected_line(self) -> CountLineView | None:
        """The line selected in the bin's table (the last one scanned, usually)."""
        rows = self.lines_table.selectionModel().selectedRows()
        return self.lines_model.line_at(rows[0].row()) if rows else None

    def _update_qty_item(self, *_args: object) -> None:
        line = self.selected_line()
        if line is None:
            self.qty_item_label.setText(_("Scan an item, then type its count here if easier."))
        else:
            lot = _(" lot {lot}").format(lot=line.lot) if line.lot else ""
            self.qty_item_label.setText(
                _("of {sku} {name}{lot} ({unit}) — Enter sets it").format(
                    sku=line.sku, name=line.name, lot=lot, unit=line.unit
                )
            )

    def focus_scan_target(self) -> None:
        """Give the keyboard focus to the bin's table (arrows choose the line to type for)."""
        self.lines_table.setFocus()

    # --- scans ---------------------------------------------------------------------------
    def handle_raw_scan(self, text: str, since: float | None = None) -> None:
        """A scan as the scanner sent it: a bin label, an item, a carton, a GS1 code."""
        view = self.view
        if view is None:
            return
        if since is None:
            since = time.perf_counter()
        self._runner.run(
            counting.add_scan,
            self._user.id,
            view.id,
            text,
            on_done=lambda outcome: self.show_outcome(outcome, since, text),
            on_error=lambda error: self._action_failed(error, since),
            owner=self,
        )

    def show_outcome(
        self, outcome: CountScanOutcome, since: float | None = None, raw: str = ""
    ) -> None:
        """Show what a scan (typed count, undo, lot answer) did, then ask what it needs."""
        status = outcome.status
        if outcome.saved:
            tone = Tone.SUCCESS
        elif status is CountScanStatus.NEEDS_LOT:
            tone = Tone.INFO
        else:
            tone = Tone.PROBLEM
        if outcome.line_id is not None:
            self._current_line = outcome.line_id
        elif status is CountScanStatus.BIN:
            self._current_line = None
        title, detail = self._outcome_text(outcome)
        self.feedback.emit(tone, title, detail, since)
        self.show_count(outcome.count, title if not detail else f"{title}\n{detail}", tone)
        if status in (CountScanStatus.ADDED, CountScanStatus.SET, CountScanStatus.BIN):
            self.focus_scan_target()
        self.scan_done.emit(outcome)
        if status is CountScanStatus.NEEDS_LOT:
            self._ask_lot(outcome)
        elif status is CountScanStatus.UNKNOWN:
            self._offer_link(raw)

    def _outcome_text(self, outcome: CountScanOutcome) -> tuple[str, str]:
        """The title and detail of an outcome, built from counted figures only (the
        service's own message may carry an expected quantity for a manager)."""
        status = outcome.status
        unit = outcome.unit
        if status is CountScanStatus.BIN:
            return (
                _("Bin {code}").format(code=outcome.bin_code),
                _("Scan everything in it."),
            )
        if status in (CountScanStatus.ADDED, CountScanStatus.SET):
            lot = _(" lot {lot}").format(lot=outcome.lot) if outcome.lot else ""
            if status is CountScanStatus.ADDED:
                title = _("+{qty} {unit} {name}{lot}").format(
                    qty=fmt_qty(outcome.quantity), unit=unit, name=outcome.name, lot=lot
                )
            else:
                title = _("{name}{lot}: your count is {qty} {unit}").format(
                    name=outcome.name, lot=lot, qty=fmt_qty(outcome.mine), unit=unit
                )
            detail = _("{qty} {unit} counted in {bin}").format(
                qty=fmt_qty(outcome.counted), unit=unit, bin=outcome.bin_code
            )
            if outcome.unexpected:
                detail += " · " + _("not expected here")
            return title, detail
        if status is CountScanStatus.UNDONE and outcome.sku:
            lot = _(" lot {lot}").format(lot=outcome.lot) if outcome.lot else ""
            detail = ""
            if outcome.counted is not None:
                detail = _("{qty} {unit} counted in {bin}").format(
                    qty=fmt_qty(outcome.counted), unit=unit, bin=outcome.bin_code
                )
            return _("Undone: {name}{lot}").format(name=outcome.name, lot=lot), detail
        problem = outcome.problem or ""
        return outcome.message, "" if problem == outcome.message else problem

    def _ask_lot(self, outcome: CountScanOutcome) -> LotChoiceDialog:
        assert self.view is not None
        dialog = LotChoiceDialog(self._runner, self._user, self.view.id, outcome, self.window())
        dialog.completed.connect(lambda done: self.show_outcome(done))

        def closed(result: int) -> None:
            if not result:
                text = _("Not counted: {name}").format(name=outcome.name)
                self.feedback.emit(Tone.INFO, text, _("Nothing of that scan was saved."), None)
                self.message_label.setText(text)
                self._set_message_tone(Tone.INFO)

        dialog.finished.connect(closed)
        self._open_dialog(dialog)
        return dialog

    def reload(self, message: str | None = None) -> None:
        """Read the count again (it may have changed at another workstation)."""
        if self.view is None:
            return
        count_id = self.view.id
        keep = message if message is not None else self.message_label.text()

        def shown(view: CountView) -> None:
            if view.is_counting or view.in_review:
                self.show_count(view, keep or None, Tone.INFO if keep else None)
            else:
                self.leave_requested.emit()

        self._runner.run(counting.get_count, self._user.id, count_id, on_done=shown, owner=self)

    # --- typed counts, undo ------------------------------------------------------------
    def set_typed_quantity(self) -> None:
        """Set the selected line's count (the counter's own) to the typed quantity."""
        view = self.view
        line = self.selected_line()
        if view is None:
            return
        if line is None:
            self._qty_problem(_("Scan the item first (or select its line), then type its count."))
            return
        text = self.qty_edit.text()
        if not text.strip():
            self._qty_problem(_("Type how many there are, then press Enter."))
            return
        self._send_quantity(
            counting.set_counted,
            self._user.id,
            view.id,
            line.item_id,
            text,
            bin_id=line.bin_id,
            lot=line.lot,
        )

    def undo_last_scan(self) -> None:
        """Undo the counter's last scan, typed count or bin change (Ctrl+Z)."""
        view = self.view
        if view is None or not self.isVisible():
            return
        self._run_action(counting.undo_last_scan, self._user.id, view.id, on_done=self.show_outcome)

    # --- closing a bin -----------------------------------------------------------------
    def close_bin(self) -> None:
        """Close the bin being counted (Ctrl+Enter); expected lines nobody scanned are
        listed and confirmed as zero, or left to count."""
        view = self.view
        if view is None or view.current_bin_id is None or not self.isVisible():
            if view is not None and self.isVisible():
                self._say(Tone.PROBLEM, _("Scan the bin label first."), "")
            return
        self._run_action(counting.close_bin, self._user.id, view.id, on_done=self._bin_closed)

    def _bin_closed(self, closed: BinClosed) -> None:
        self.bin_closed.emit(closed)
        if not closed.unscanned:
            title = _("Bin {code} closed.").format(code=closed.bin_code)
            self._say(Tone.SUCCESS, title, _("Scan the next bin label."))
            self._current_line = None
            self.show_count(
                closed.count, title + "\n" + _("Scan the next bin label."), Tone.SUCCESS
            )
            # No line of a closed bin stays chosen: a quantity typed now, meant for the
            # next bin's first item, must not change the count of the bin just closed.
            self.lines_table.clearSelection()
            self._update_qty_item()
            self.focus_scan_target()
            return
        self.show_count(closed.count, self.message_label.text(), None)
        self.ask_zero(closed)

    def ask_zero(self, closed: BinClosed) -> ConfirmDialog:
        """Ask to count the expected lines nobody scanned as zero, listing them by SKU and
        name only (the expected quantity stays hidden)."""
        n = len(closed.unscanned)
        question = ngettext(
            "{n} item expected here was not scanned: count it as 0?",
            "{n} items expected here were not scanned: count them as 0?",
            n,
        ).format(n=n)
        shown = [
            f"{line.sku}  {line.name}"
            + (f"  ({_('lot {lot}').format(lot=line.lot)})" if line.lot else "")
            for line in closed.unscanned[:_DETAIL_LIMIT]
        ]
        if n > _DETAIL_LIMIT:
            shown.append(_("and {n} more").format(n=n - _DETAIL_LIMIT))
        dialog = ConfirmDialog(
            _("Close bin {code}").format(code=closed.bin_code),
            question,
            ngettext("Yes, count it as 0", "Yes, count them as 0", n),
            ngettext("No, I will count it", "No, I will count them", n),
            default_yes=True,
            detail="\n".join(shown),
            parent=self.window(),
        )
        dialog.setObjectName("zero_dialog")
        line_ids = [line.line_id for line in closed.unscanned]

        def answered(result: int) -> None:
            if result:
                self._run_action(
                    counting.confirm_zero,
                    self._user.id,
                    closed.count.id,
                    line_ids,
                    on_done=lambda view: self._zeros_done(view, closed, n),
                )
            else:
                # Back into the bin (its close is not confirmed), to count what is missing.
                text = _("Count what is missing in {code}, then close it again.").format(
                    code=closed.bin_code
                )
                self._run_action(
                    counting.set_bin,
                    self._user.id,
                    closed.count.id,
                    closed.bin_code,
                    on_done=lambda outcome: self._back_in_bin(outcome, text),
                )

        dialog.finished.connect(answered)
        self._open_dialog(dialog)
        return dialog

    def _back_in_bin(self, outcome: CountScanOutcome, text: str) -> None:
        self._say(Tone.INFO, text, "")
        self.show_count(outcome.count, text, Tone.INFO)
        self.scan_done.emit(outcome)

    def _zeros_done(self, view: CountView, closed: BinClosed, n: int) -> None:
        title = ngettext(
            "Bin {code} closed: {n} item counted as 0.",
            "Bin {code} closed: {n} items counted as 0.",
            n,
        ).format(code=closed.bin_code, n=n)
        self._say(Tone.SUCCESS, title, _("Scan the next bin label."))
        self.show_count(view, title + "\n" + _("Scan the next bin label."), Tone.SUCCESS)
        self.zeros_confirmed.emit(view)

    # --- finishing, cancelling ---------------------------------------------------------
    def finish_count(self) -> ConfirmDialog | None:
        """Ask, then end counting and open the review; in a recount, back to the review."""
        view = self.view
        if view is None:
            return None
        if view.in_review:
            self.review_requested.emit(view)
            return None
        if not view.is_counting:
            return None
        uncounted = view.uncounted_lines
        open_bins = sum(1 for b in view.bins if not b.closed)
        parts = [
            _("{counted} of {lines} lines are counted.").format(
                counted=fmt_count(view.counted_lines), lines=fmt_count(len(view.lines))
            )
        ]
        if uncounted:
            parts.append(
                ngettext(
                    "{n} line nobody counted is skipped: no adjustment, not in the accuracy.",
                    "{n} lines nobody counted are skipped: no adjustment, not in the accuracy.",
                    uncounted,
                ).format(n=fmt_count(uncounted))
            )
        if open_bins:
            parts.append(
                ngettext("{n} bin is not closed.", "{n} bins are not closed.", open_bins).format(
                    n=fmt_count(open_bins)
                )
            )
        dialog = ConfirmDialog(
            _("Finish counting"),
            _("Finish counting {number} and open the review?").format(number=view.number),
            _("Finish and review"),
            _("Keep counting"),
            default_yes=not uncounted,
            detail="\n".join(parts),
            parent=self.window(),
        )
        dialog.setObjectName("finish_dialog")
        self._ask_then_run(
            dialog,
            counting.finish_count,
            self._user.id,
            view.id,
            skip_uncounted=bool(uncounted),
            on_done=self._finished,
        )
        return dialog

    def _finished(self, view: CountView) -> None:
        text = _("Counting of {number} finished: review the variances.").format(number=view.number)
        self._say(Tone.SUCCESS, text, "")
        self.status_message.emit(text)
        self.view = view
        self.review_requested.emit(view)

    def cancel_count(self) -> ConfirmDialog | None:
        """Drop the count after asking (nothing of it is posted; its log stays)."""
        view = self.view
        if view is None or not view.is_counting:
            return None
        dialog = ConfirmDialog(
            _("Cancel count"),
            _(
                "Cancel count {number}? Nothing of it is posted; what was counted stays in its log."
            ).format(number=view.number),
            _("Cancel the count"),
            _("Keep it"),
            default_yes=False,
            parent=self.window(),
        )
        self._ask_then_run(
            dialog, counting.cancel_count, self._user.id, view.id, on_done=self._cancelled
        )
        return dialog

    def _cancelled(self, view: CountView) -> None:
        self._say(Tone.INFO, _("Count {number} cancelled.").format(number=view.number), "")
        self.view = None
        self.cancelled.emit(view)

    # --- helpers -----------------------------------------------------------------------
    def _focus_after_dialog(self) -> None:
        self.focus_scan_target()
