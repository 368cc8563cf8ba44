"""The review of a count: every line's variance in quantity and value, the lines beyond
the tolerance marked in colour *and* words, the rule by which variances are measured,
and the decisions: approve (which posts the adjustments) or recount.

The review is not blind: it is where expected and counted meet. Whether the viewer may
see the figures, approve a line beyond the tolerance, or only recount, the service
decides; the screen shows its answer, a refusal included, and never guesses.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.models import CountLineStatus
from app.services import counting, counting_queries
from app.services.counting import (
    CountApproved,
    CountLineView,
    CountView,
    PostedAdjustment,
    RecountRequested,
)
from app.services.counting_queries import Counter
from app.services.errors import HyllaError
from app.services.users import UserRef
from app.ui.count_dialogs import RecountDialog, fmt_percent
from app.ui.formatting import fmt_count, fmt_money, fmt_qty, fmt_unit_cost
from app.ui.receipt_dialogs import ConfirmDialog
from app.ui.runner import Runner
from app.ui.scan_feedback import Tone
from app.ui.scan_screen import message_style, scaled_font
from app.ui.table_model import CachedRowsModel, Column, RowTableModel
from app.ui.widgets import make_table_view, set_column_widths

Index = QModelIndex | QPersistentModelIndex

HEADING_POINT_SIZE = 15.0
MESSAGE_POINT_SIZE = 16.0
TABLE_POINT_SIZE = 11.0

BEYOND_BG = QColor("#ef9a9a")
WITHIN_BG = QColor("#fff9c4")
MATCH_BG = QColor("#c8e6c9")
APPROVED_BG = QColor("#e0e0e0")
RECOUNT_BG = QColor("#ffe0b2")
DARK_TEXT = QColor("#111111")
MUTED_TEXT = QColor("#5f6b73")


def signed(value: Decimal) -> str:
    """A quantity with its sign, ``+2`` or ``−3`` (a true minus sign, read at a glance)."""
    text = fmt_qty(abs(value))
    if value > 0:
        return "+" + text
    if value < 0:
        return "−" + text
    return text


def signed_money(value: Decimal) -> str:
    """An amount with its sign, ``+12.50`` or ``−3.00``."""
    text = fmt_money(abs(value))
    if value > 0:
        return "+" + text
    if value < 0:
        return "−" + text
    return text


@dataclass(frozen=True)
class ReviewMark:
    """How a line is marked in the review: words, a background, muted or not."""

    text: str
    background: QColor | None
    muted: bool = False
    tooltip: str = ""


def review_mark(line: CountLineView) -> ReviewMark:
    """The mark of a line in the review: approved, skipped, recount, not counted, beyond
    the tolerance, within it, or no variance."""
    if line.status is CountLineStatus.APPROVED:
        text = _("✓ Approved by {name}").format(name=line.approved_by)
        if line.move_id is not None:
            text += " · " + _("move {id}").format(id=line.move_id)
        return ReviewMark(text, APPROVED_BG)
    if line.status is CountLineStatus.SKIPPED:
        return ReviewMark(_("Skipped: not counted"), None, muted=True)
    if line.status is CountLineStatus.RECOUNT and not line.is_counted:
        if line.assigned_to:
            return ReviewMark(_("Recount: {name}").format(name=line.assigned_to), RECOUNT_BG)
        return ReviewMark(_("Recount"), RECOUNT_BG)
    if not line.is_counted:
        return ReviewMark(_("Not counted"), None, muted=True)
    if line.beyond_tolerance:
        return ReviewMark(
            _("BEYOND TOLERANCE"),
            BEYOND_BG,
            tooltip=_("Beyond the tolerance: a manager approves it, or it is counted again."),
        )
    if line.variance is None:
        return ReviewMark(_("Counted"), None)
    if line.variance == 0:
        return ReviewMark(_("No variance"), MATCH_BG)
    return ReviewMark(_("Within tolerance"), WITHIN_BG)


@dataclass(frozen=True)
class _Row:
    line: CountLineView
    texts: tuple[str, ...]
    background: QBrush | None
    foreground: QBrush | None
    bold: bool
    tooltip: str


class ReviewLinesModel(CachedRowsModel):
    """The lines of the count under review, each with its variance and its mark."""

    (
        BIN,
        SKU,
        NAME,
        LOT,
        EXPECTED,
        SYSTEM,
        COUNTED,
        VARIANCE,
        VALUE,
        COUNTED_BY,
        MARK,
    ) = range(11)
    NUMERIC = frozenset({EXPECTED, SYSTEM, COUNTED, VARIANCE, VALUE})

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._all: list[_Row] = []
        self.only_variances = False
        self.set_columns(
            [
                _("Bin"),
                _("SKU"),
                _("Item"),
                _("Lot"),
                _("Expected"),
                _("System at count"),
                _("Counted"),
                _("Variance"),
                _("Value"),
                _("Counted by"),
                _("Status"),
            ],
            self.NUMERIC,
            {
                self.EXPECTED: _("The system quantity when the count started (its snapshot)."),
                self.SYSTEM: _(
                    "The system quantity when the line was counted: the variance is measured "
                    "against it."
                ),
                self.VARIANCE: _("Counted minus the system quantity at the time of counting."),
                self.VALUE: _("The variance valued at the item's current unit cost."),
            },
        )
        self._bold = QFont()
        self._bold.setBold(True)
        self._dark = QBrush(DARK_TEXT)
        self._muted = QBrush(MUTED_TEXT)

    def set_lines(self, lines: tuple[CountLineView, ...]) -> None:
        """Show ``lines`` (filtered if :attr:`only_variances`)."""
        self.beginResetModel()
        self._all = [self._row(line) for line in lines]
        self._rows = self._filtered()
        self.endResetModel()

    def set_only_variances(self, only: bool) -> None:
        """Show only lines with a variance (or still to count) when ``only``."""
        self.beginResetModel()
        self.only_variances = only
        self._rows = self._filtered()
        self.endResetModel()

    def _filtered(self) -> list[_Row]:
        if not self.only_variances:
            return list(self._all)
        return [
            r
            for r in self._all
            if not r.line.is_counted or r.line.variance is None or r.line.variance != 0
        ]

    def _row(self, line: CountLineView) -> _Row:
        mark = review_mark(line)
        unit = line.unit

        def qty(value: Decimal | None) -> str:
            return "" if value is None else f"{fmt_qty(value)} {unit}"

        variance = "" if line.variance is None else f"{signed(line.variance)} {unit}"
        value = "" if line.variance_value is None else signed_money(line.variance_value)
        names = ", ".join(dict.fromkeys(c.user for c in line.contributions))
        texts = (
            line.bin_code,
            line.sku,
            line.name,
            line.lot or "",
            qty(line.expected),
            qty(line.system_at_count),
            qty(line.counted),
            variance,
            value,
            names,
            mark.text,
        )
        return _Row(
            line=line,
            texts=texts,
            background=QBrush(mark.background) if mark.background is not None else None,
            foreground=self._muted if mark.muted else (self._dark if mark.background else None),
            bold=bool(line.beyond_tolerance) and not line.decided,
            tooltip=mark.tooltip,
        )

    def row_of(self, line_id: int) -> int:
        """The row of line ``line_id``, or -1."""
        return next((n for n, row in enumerate(self._rows) if row.line.id == line_id), -1)

    def text(self, line_id: int, column: int) -> str:
        """The text of ``line_id``'s cell in ``column`` ("" when the line is not shown)."""
        row = self.row_of(line_id)
        return self._rows[row].texts[column] if row >= 0 else ""

    def row_data(self, row: Any, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.BackgroundRole and column in (
            self.VARIANCE,
            self.VALUE,
            self.MARK,
        ):
            return row.background
        if role == Qt.ItemDataRole.ForegroundRole:
            if column in (self.VARIANCE, self.VALUE, self.MARK):
                return row.foreground
            return self._muted if row.foreground is self._muted else None
        if role == Qt.ItemDataRole.ToolTipRole and column == self.MARK:
            return row.tooltip or None
        if role == Qt.ItemDataRole.FontRole and (row.bold or column == self.MARK):
            return self._bold
        return None


def adjustment_columns(currency: str) -> list[Column[PostedAdjustment]]:
    """Columns of the adjustments an approval posted."""
    return [
        Column(_("Bin"), lambda a: a.bin_code),
        Column(_("SKU"), lambda a: a.sku),
        Column(_("Item"), lambda a: a.name),
        Column(_("Lot"), lambda a: a.lot or ""),
        Column(_("Adjusted"), lambda a: f"{signed(a.variance)} {a.unit}", numeric=True),
        Column(_("Unit cost"), lambda a: fmt_unit_cost(a.unit_cost), numeric=True),
        Column(
            _("Value ({currency})").format(currency=currency),
            lambda a: signed_money(a.value),
            numeric=True,
        ),
        Column(
            _("Move"),
            lambda a: (
                _("move {id}").format(id=a.move_id)
                if a.move_id is not None
                else _("no variance, nothing posted")
            ),
        ),
    ]


class CountReview(QWidget):
    """Review a count: variances, approve (posts adjustments), recount."""

    feedback = Signal(object, str, str, object)
    status_message = Signal(str)
    #: The count was shown anew (a CountView).
    count_shown = Signal(object)
    #: Lines were approved and their adjustments posted (a CountApproved).
    approved = Signal(object)
    #: Lines were sent for recount (a RecountRequested).
    recount_requested = Signal(object)
    #: An approval or recount was refused (the error's message).
    refused = Signal(str)
    #: The recount lines are to be counted now (a CountView).
    count_requested = Signal(object)
    #: Stock changed (adjustments posted): other pages are stale.
    data_changed = Signal()
    #: Back to the list.
    leave_requested = Signal()
    #: The variance report PDF is wanted (a CountView).
    report_requested = Signal(object)
    #: A dialog opened (for tests).
    dialog_opened = Signal(object)

    def __init__(self, runner: Runner, user: UserRef, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._user = user
        self.view: CountView | None = None
        self.last_approved: CountApproved | None = None

        self.title_label = QLabel()
        self.title_label.setObjectName("review_title")
        self.title_label.setFont(scaled_font(self.font(), HEADING_POINT_SIZE, bold=True))
        self.title_label.setWordWrap(True)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("review_summary")
        self.summary_label.setFont(scaled_font(self.font(), HEADING_POINT_SIZE - 2))
        self.summary_label.setWordWrap(True)
        self.rule_label = QLabel()
        self.rule_label.setObjectName("review_rule")
        self.rule_label.setWordWrap(True)
        self.rule_label.setStyleSheet(
            "QLabel#review_rule { background: #e3f2fd; color: #0d2a4a;"
            " border: 1px solid #90caf9; border-radius: 4px; padding: 6px 10px; }"
        )
        self.hidden_label = QLabel(
            _(
                "This is a blind count: only a manager sees its expected quantities and "
                "variances. You can send lines for a recount."
            )
        )
        self.hidden_label.setObjectName("review_hidden")
        self.hidden_label.setWordWrap(True)
        self.hidden_label.setProperty("role", "muted")
        self.message_label = QLabel()
        self.message_label.setObjectName("review_message")
        self.message_label.setWordWrap(True)
        self.message_label.setFont(scaled_font(self.font(), MESSAGE_POINT_SIZE, bold=True))
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()

        self.only_variances = QCheckBox(_("Only lines with a &variance"))
        self.only_variances.setObjectName("review_only_variances")
        self.model = ReviewLinesModel(self)
        self.table = make_table_view(self.model)
        self.table.setObjectName("review_lines")
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setFont(scaled_font(self.font(), TABLE_POINT_SIZE))
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        model = self.model
        set_column_widths(
            self.table,
            {
                model.BIN: 75,
                model.SKU: 90,
                model.NAME: 200,
                model.LOT: 80,
                model.EXPECTED: 80,
                model.SYSTEM: 110,
                model.COUNTED: 80,
                model.VARIANCE: 80,
                model.VALUE: 100,  # "−1,014.35" in bold
                model.COUNTED_BY: 82,
                model.MARK: 200,
            },
            stretch=model.NAME,
        )
        self.selection_label = QLabel()
        self.selection_label.setObjectName("review_selection")
        self.selection_label.setProperty("role", "muted")

        self.adjustments_title = QLabel()
        self.adjustments_title.setObjectName("review_adjustments_title")
        self.adjustments_title.setProperty("role", "heading")
        self.adjustments_model: RowTableModel[PostedAdjustment] = RowTableModel(
            adjustment_columns(""), lambda a: a.sku, parent=self
        )
        self.adjustments_table = make_table_view(self.adjustments_model)
        self.adjustments_table.setObjectName("review_adjustments")
        self.adjustments_table.horizontalHeader().setStretchLastSection(True)
        self.adjustments_table.setMaximumHeight(180)
        self.adjustments_title.hide()
        self.adjustments_table.hide()

        self.approve_button = QPushButton(_("&Approve selected…"))
        self.approve_button.setObjectName("review_approve")
        self.approve_button.setToolTip(
            _(
                "Approve the selected lines and post their adjustments to or from "
                "count differences (Alt+A). Lines beyond the tolerance need a manager."
            )
        )
        self.recount_button = QPushButton(_("&Recount selected…"))
        self.recount_button.setObjectName("review_recount")
        self.recount_button.setToolTip(_("Have the selected lines counted again (Alt+R)"))
        self.count_button = QPushButton(_("&Count the recount lines"))
        self.count_button.setObjectName("review_count")
        self.count_button.setToolTip(_("Open the counting screen for the lines sent back"))
        self.report_button = QPushButton(_("Variance report &PDF…"))
        self.report_button.setObjectName("review_report")
        self.leave_button = QPushButton(_("Back to the &list"))
        self.leave_button.setObjectName("review_leave")
        for button in (self.approve_button, self.recount_button):
            button.setFont(scaled_font(self.font(), TABLE_POINT_SIZE + 1, bold=True))
            button.setMinimumHeight(40)
        for button in (self.count_button, self.report_button, self.leave_button):
            button.setMinimumHeight(40)

        header = QHBoxLayout()
        header.addWidget(self.title_label, 1)
        filter_row = QHBoxLayout()
        filter_row.addWidget(self.only_variances)
        filter_row.addStretch(1)
        filter_row.addWidget(self.selection_label)
        actions = QHBoxLayout()
        actions.addWidget(self.approve_button)
        actions.addWidget(self.recount_button)
        actions.addWidget(self.count_button)
        actions.addStretch(1)
        actions.addWidget(self.report_button)
        actions.addWidget(self.leave_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(header)
        column.addWidget(self.summary_label)
        column.addWidget(self.rule_label)
        column.addWidget(self.hidden_label)
        column.addWidget(self.message_label)
        column.addLayout(filter_row)
        column.addWidget(self.table, 1)
        column.addWidget(self.adjustments_title)
        column.addWidget(self.adjustments_table)
        column.addLayout(actions)

        self.only_variances.toggled.connect(self._filter_changed)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)
        self.approve_button.clicked.connect(self.approve_selected)
        self.recount_button.clicked.connect(self.recount_selected)
        self.count_button.clicked.connect(self._count_recount_lines)
        self.report_button.clicked.connect(self._report)
        self.leave_button.clicked.connect(self.leave_requested)

    # --- showing -----------------------------------------------------------------------
    def show_count(
        self, view: CountView, message: str | None = None, tone: Tone | None = None
    ) -> None:
        """Show ``view`` under review (or done), with ``message`` above the lines."""
        self.view = view
        self.title_label.setText(
            _("Review of {number} — {title} · {status}").format(
                number=view.number, title=view.title, status=view.status_text
            )
        )
        tolerance = view.tolerance
        self.rule_label.setText(
            counting.variance_rule_text()
            + "\n"
            + _("Tolerance: {percent} of the system quantity, or {value} {currency}.").format(
                percent=fmt_percent(tolerance.percent),
                value=fmt_money(tolerance.value),
                currency=tolerance.currency,
            )
        )
        self.hidden_label.setVisible(not view.shows_expected)
        self.summary_label.setText(self._summary(view))
        self.model.set_lines(view.lines)
        for column in (
            self.model.EXPECTED,
            self.model.SYSTEM,
            self.model.VARIANCE,
            self.model.VALUE,
        ):
            self.table.setColumnHidden(column, not view.shows_expected)
        self.table.setColumnHidden(self.model.LOT, not any(ln.lot for ln in view.lines))
        if message:
            self._say(message, tone or Tone.INFO)
        undecided = any(not ln.decided for ln in view.lines)
        recount = any(ln.status is CountLineStatus.RECOUNT for ln in view.lines)
        self.approve_button.setEnabled(view.in_review and undecided)
        self.recount_button.setEnabled(view.in_review and undecided)
        self.count_button.setVisible(view.in_review and recount)
        self.count_shown.emit(view)

    def _summary(self, view: CountView) -> str:
        lines = view.lines
        varied = sum(1 for ln in lines if ln.variance is not None and ln.variance != 0)
        parts = [
            ngettext("{n} line", "{n} lines", len(lines)).format(n=fmt_count(len(lines))),
            ngettext("{n} counted", "{n} counted", view.counted_lines).format(
                n=fmt_count(view.counted_lines)
            ),
        ]
        if view.shows_expected:
            parts.append(
                ngettext("{n} with a variance", "{n} with a variance", varied).format(
                    n=fmt_count(varied)
                )
            )
            parts.append(
                ngettext(
                    "{n} beyond tolerance",
                    "{n} beyond tolerance",
                    view.lines_beyond_tolerance,
                ).format(n=fmt_count(view.lines_beyond_tolerance))
            )
            parts.append(
                _("variance value {value} {currency}").format(
                    value=signed_money(view.variance_value_total),
                    currency=view.tolerance.currency,
                )
            )
        # Approved and skipped apart: "1 decided" read as if a skipped line were approved.
        approved = sum(1 for ln in lines if ln.status is CountLineStatus.APPROVED)
        skipped = sum(1 for ln in lines if ln.status is CountLineStatus.SKIPPED)
        parts.append(_("{n} approved").format(n=fmt_count(approved)))
        if skipped:
            parts.append(_("{n} skipped").format(n=fmt_count(skipped)))
        return " · ".join(parts)

    def _say(self, message: str, tone: Tone) -> None:
        self.message_label.setStyleSheet(message_style("review_message", tone, 8, "6px 12px"))
        self.message_label.setText(message)
        self.message_label.setVisible(bool(message))

    def _filter_changed(self, only: bool) -> None:
        self.model.set_only_variances(only)

    def selected_lines(self) -> list[CountLineView]:
        """The lines selected in the table, in table order."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.line_at(row) for row in rows]

    def select_lines(self, line_ids: list[int]) -> None:
        """Select the lines ``line_ids`` (those shown)."""
        selection = self.table.selectionModel()
        selection.clearSelection()
        for line_id in line_ids:
            row = self.model.row_of(line_id)
            if row >= 0:
                selection.select(
                    self.model.index(row, 0),
                    selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
                )

    def _selection_changed(self, *_args: object) -> None:
        chosen = self.selected_lines()
        if not chosen:
            self.selection_label.setText(
                _("Select lines (Ctrl+A: all), then approve or recount them.")
            )
            return
        value = sum(
            (ln.variance_value for ln in chosen if ln.variance_value is not None), Decimal(0)
        )
        text = ngettext("{n} line selected", "{n} lines selected", len(chosen)).format(
            n=fmt_count(len(chosen))
        )
        if self.view is not None and self.view.shows_expected:
            text += " · " + _("variance value {value}").format(value=signed_money(value))
        self.selection_label.setText(text)

    # --- approving -----------------------------------------------------------------------
    def approve_selected(self) -> ConfirmDialog | None:
        """Ask, then approve the selected counted lines and post their adjustments."""
        view = self.view
        if view is None or not view.in_review:
            return None
        chosen = [ln for ln in self.selected_lines() if ln.is_counted and not ln.decided]
        if not chosen:
            self._say(_("Select the counted lines to approve (Ctrl+A selects all)."), Tone.PROBLEM)
            return None
        beyond = sum(1 for ln in chosen if ln.beyond_tolerance)
        with_variance = [ln for ln in chosen if ln.variance is not None and ln.variance != 0]
        value = sum(
            (ln.variance_value for ln in chosen if ln.variance_value is not None), Decimal(0)
        )
        if view.shows_expected:
            parts = [
                ngettext(
                    "{n} line with a variance gets an adjustment move.",
                    "{n} lines with a variance get an adjustment move.",
                    len(with_variance),
                ).format(n=fmt_count(len(with_variance))),
                _("Net value: {value} {currency}.").format(
                    value=signed_money(value), currency=view.tolerance.currency
                ),
            ]
        else:
            # A blind count hides the variances from this viewer: saying "0 lines with a
            # variance" would be untrue.
            parts = [
                _(
                    "Where a counted quantity differs from the stock figures, an adjustment "
                    "move is posted (a blind count does not show you the differences)."
                )
            ]
        if beyond:
            parts.append(
                ngettext(
                    "{n} line is beyond the tolerance: approving it is a manager's decision.",
                    "{n} lines are beyond the tolerance: approving them is a manager's decision.",
                    beyond,
                ).format(n=fmt_count(beyond))
                if view.viewer_is_manager
                else ngettext(
                    "{n} line is beyond the tolerance: only a manager may approve it.",
                    "{n} lines are beyond the tolerance: only a manager may approve them.",
                    beyond,
                ).format(n=fmt_count(beyond))
            )
        dialog = ConfirmDialog(
            _("Approve count lines"),
            ngettext(
                "Approve {n} line of {number} and post its adjustment?",
                "Approve {n} lines of {number} and post their adjustments?",
                len(chosen),
            ).format(n=fmt_count(len(chosen)), number=view.number),
            _("Approve and post"),
            _("Not yet"),
            default_yes=True,
            detail="\n".join(parts),
            parent=self.window(),
        )
        dialog.setObjectName("approve_dialog")
        line_ids = [ln.id for ln in chosen]

        def answered(result: int) -> None:
            if result:
                self.approve_button.setEnabled(False)
                self._runner.run(
                    counting.approve_count,
                    self._user.id,
                    view.id,
                    line_ids,
                    on_done=self._approved,
                    on_error=self._refused,
                    owner=self,
                )

        dialog.finished.connect(answered)
        self._open_dialog(dialog)
        return dialog

    def _approved(self, result: CountApproved) -> None:
        self.last_approved = result
        posted = [a for a in result.adjustments if a.move_id is not None]
        self.adjustments_model = RowTableModel(
            adjustment_columns(result.count.tolerance.currency), lambda a: a.sku, parent=self
        )
        self.adjustments_table.setModel(self.adjustments_model)
        self.adjustments_model.set_rows(list(result.adjustments))
        set_column_widths(
            self.adjustments_table, {0: 80, 1: 100, 3: 80, 4: 100, 5: 90, 6: 110}, stretch=2
        )
        self.adjustments_table.setColumnHidden(3, not any(a.lot for a in result.adjustments))
        self.adjustments_title.setText(
            ngettext(
                "Approved {n} line; {moves} adjustment move posted, net {value} {currency}:",
                "Approved {n} lines; {moves} adjustment moves posted, net {value} {currency}:",
                len(result.adjustments),
            ).format(
                n=fmt_count(len(result.adjustments)),
                moves=fmt_count(len(posted)),
                value=signed_money(result.value),
                currency=result.count.tolerance.currency,
            )
        )
        self.adjustments_title.show()
        self.adjustments_table.show()
        self.feedback.emit(Tone.SUCCESS, result.message, "", None)
        self.status_message.emit(result.message)
        self.show_count(result.count, result.message, Tone.SUCCESS)
        self.data_changed.emit()
        self.approved.emit(result)

    def _refused(self, error: HyllaError) -> None:
        self.feedback.emit(Tone.PROBLEM, error.message, "", None)
        self._say(error.message, Tone.PROBLEM)
        if self.view is not None:
            self.approve_button.setEnabled(self.view.in_review)
        self.refused.emit(error.message)

    # --- recount -------------------------------------------------------------------------
    def recount_selected(self) -> None:
        """Ask whom the selected lines go to, then send them for a recount."""
        view = self.view
        if view is None or not view.in_review:
            return
        chosen = [ln for ln in self.selected_lines() if not ln.decided]
        if not chosen:
            self._say(_("Select the lines to count again."), Tone.PROBLEM)
            return
        previous = list(
            dict.fromkeys(
                [name for ln in chosen for name in ln.previous_counters]
                + [c.user for ln in chosen for c in ln.contributions]
            )
        )
        line_ids = [ln.id for ln in chosen]

        def counters_loaded(counters: list[Counter]) -> None:
            dialog = RecountDialog(
                self._runner,
                self._user,
                view.id,
                line_ids,
                previous,
                counters,
                self.window(),
            )
            dialog.requested.connect(self._recount_done)
            self._open_dialog(dialog)

        self._runner.run(
            counting_queries.list_counters,
            on_done=counters_loaded,
            on_error=self._refused,
            owner=self,
        )

    def _recount_done(self, result: RecountRequested) -> None:
        message = result.message + (f"\n{result.warning}" if result.warning else "")
        self.feedback.emit(
            Tone.INFO if not result.warning else Tone.PROBLEM, result.message, result.warning, None
        )
        self.status_message.emit(result.message)
        self.show_count(result.count, message, Tone.INFO)
        self.recount_requested.emit(result)

    def _count_recount_lines(self) -> None:
        if self.view is not None:
            self.count_requested.emit(self.view)

    def _report(self) -> None:
        if self.view is not None:
            self.report_requested.emit(self.view)

    # --- helpers -------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the count again."""
        if self.view is None:
            return
        self._runner.run(
            counting.get_count,
            self._user.id,
            self.view.id,
            on_done=lambda view: self.show_count(view),
            owner=self,
        )

    def focus_table(self) -> None:
        """The keyboard in the lines table (select with arrows, Shift, Ctrl+A)."""
        self.table.setFocus()

    def _open_dialog(self, dialog: QDialog) -> None:
        dialog.finished.connect(lambda _result: QTimer.singleShot(0, self._refocus))
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _refocus(self) -> None:
        if not self.isVisible() or QApplication.activeModalWidget() is not None:
            return
        self.window().activateWindow()
        self.table.setFocus()
