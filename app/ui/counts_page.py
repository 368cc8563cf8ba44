"""The Counts page: today's cycle counts first, then every count, its counting screen and
its review, and how accurate the stock has been.

The start panel opens with what the ABC cycle plan has due today and one button that
starts (or continues) that count; below it, "Start a count…" for an ad hoc count of a
bin, an aisle, an item or a category, or a full stock-take; the open and recent counts
with their progress; the inventory accuracy per month and ABC class; and the count
sheet and variance report as PDF.

Opening a count shows the counting screen (:mod:`app.ui.count_screen`) while it is
being counted, and the review (:mod:`app.ui.count_review`) once counting is finished.
The main window hands scans to :meth:`CountsPage.handle_raw_scan` as raw text: on the
counting screen the service resolves and saves each scan in one transaction; on the
start panel a scanned count number (as printed on the count sheet) opens that count.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.models import CountLineStatus, CountStatus
from app.services import counting, counting_queries
from app.services.counting import (
    AccuracyCell,
    CountId,
    CountSummary,
    CountView,
    DueCounts,
    DueItem,
    InventoryAccuracy,
)
from app.services.counting_queries import CountsOverview
from app.services.errors import HyllaError
from app.services.scanning import ScanResult
from app.services.users import UserRef
from app.ui import count_dialogs
from app.ui.count_dialogs import StartCountDialog, fmt_percent
from app.ui.count_review import CountReview
from app.ui.count_screen import CountScreen
from app.ui.formatting import fmt_count, fmt_date, fmt_datetime, fmt_qty
from app.ui.runner import Runner
from app.ui.scan_feedback import Tone
from app.ui.scan_screen import EnterTable, adopt_table_setup, scaled_font, stacked_panels
from app.ui.table_model import ALERT, MUTED, Column, RowTableModel
from app.ui.widgets import ListLoader, error_label, make_table_view, set_column_widths

DUE_POINT_SIZE = 17.0
ABC_CLASSES = ("A", "B", "C")


def due_columns() -> list[Column[DueItem]]:
    """Columns of the items due for their cycle count."""
    return [
        Column(_("SKU"), lambda d: d.sku),
        Column(_("Item"), lambda d: d.name),
        Column(_("Class"), lambda d: d.abc_class),
        Column(_("Planned"), lambda d: fmt_date(d.planned_on), sort_key=lambda d: d.planned_on),
        Column(
            _("Last counted"),
            lambda d: fmt_date(d.last_counted) if d.last_counted else _("never"),
            sort_key=lambda d: d.last_counted,
        ),
        Column(_("Overdue"), lambda d: _("overdue") if d.overdue else ""),
    ]


def progress_text(row: CountSummary) -> str:
    """How far a count is: lines counted of all, and lines beyond the tolerance."""
    text = _("{counted} of {lines}").format(
        counted=fmt_count(row.counted), lines=fmt_count(row.lines)
    )
    if row.beyond_tolerance:
        text += " · " + ngettext(
            "{n} beyond tolerance", "{n} beyond tolerance", row.beyond_tolerance
        ).format(n=fmt_count(row.beyond_tolerance))
    return text


def count_columns() -> list[Column[CountSummary]]:
    """Columns of the counts list."""
    return [
        Column(_("Count"), lambda r: r.number, sort_key=lambda r: r.id),
        Column(_("Scope"), lambda r: r.title + ("" if r.blind else " · " + _("open"))),
        Column(_("Status"), lambda r: r.status_text),
        Column(_("Progress"), progress_text, sort_key=lambda r: (r.counted, r.lines)),
        Column(_("Started by"), lambda r: r.created_by),
        Column(_("Started"), lambda r: fmt_datetime(r.created_at), sort_key=lambda r: r.created_at),
        Column(
            _("Planned for"),
            lambda r: fmt_date(r.planned_for),
            sort_key=lambda r: r.planned_for,
        ),
    ]


def count_colour(row: CountSummary) -> Any:
    """Counts waiting for a decision in red, finished and cancelled ones grey."""
    if row.status is CountStatus.REVIEW and row.beyond_tolerance:
        return ALERT
    if row.status in (CountStatus.DONE, CountStatus.CANCELLED):
        return MUTED
    return None


class AccuracyRow:
    """One row of the accuracy table: a month (or the whole period) and its cells."""

    def __init__(self, label: str, total: AccuracyCell, by_class: dict[str, AccuracyCell]):
        self.label = label
        self.total = total
        self.by_class = by_class


def accuracy_cell_text(cell: AccuracyCell | None) -> str:
    """``96.5% of 200`` (lines within tolerance of lines counted), or a dash."""
    if cell is None or cell.percent is None:
        return "—"
    return _("{percent} of {lines}").format(
        percent=fmt_percent(cell.percent), lines=fmt_count(cell.lines)
    )


def accuracy_columns() -> list[Column[AccuracyRow]]:
    """Columns of the accuracy table: the month, all lines, and each ABC class."""
    columns: list[Column[AccuracyRow]] = [
        Column(_("Month"), lambda r: r.label),
        Column(_("All lines"), lambda r: accuracy_cell_text(r.total), numeric=True),
    ]
    for abc in ABC_CLASSES:
        columns.append(Column(_("Class {abc}").format(abc=abc), _class_text(abc), numeric=True))
    return columns


def _class_text(abc: str) -> Callable[[AccuracyRow], str]:
    return lambda row: accuracy_cell_text(row.by_class.get(abc))


def accuracy_rows(accuracy: InventoryAccuracy) -> list[AccuracyRow]:
    """The months with counted lines, newest first, then the whole period."""
    rows = [
        AccuracyRow(month.month.strftime("%Y-%m"), month.total, month.by_class)
        for month in sorted(accuracy.months, key=lambda m: m.month, reverse=True)
        if month.total.lines
    ]
    rows.append(AccuracyRow(_("All months"), accuracy.total, accuracy.by_class))
    return rows


def _configure(view: QTableView, model: RowTableModel[Any]) -> None:
    adopt_table_setup(view, model)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    view.horizontalHeader().setStretchLastSection(True)


class _FitLayout(QVBoxLayout):
    """A layout that claims no height-for-width: a scroll area then fits its panel to the
    viewport (word-wrapped labels inside still wrap) instead of making it as tall as its
    preferred size, and scrolls only when the window is smaller than the panel's minimum."""

    def hasHeightForWidth(self) -> bool:
        return False


def _scrolled(panel: QWidget) -> QScrollArea:
    """``panel`` in a frameless scroll area: a small window scrolls the panel instead of
    growing to fit its large type."""
    holder = QWidget()
    layout = _FitLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(panel)
    area = QScrollArea()
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    area.setWidget(holder)
    return area


class CountsPage(QWidget):
    """Counts: due today, start, list, accuracy; the counting screen; the review."""

    status_message = Signal(str)
    #: Scan feedback for the window's banner and sound: (Tone, title, detail, since).
    feedback = Signal(object, str, str, object)
    #: Stock changed (adjustments posted): other pages are stale.
    data_changed = Signal()
    #: An unknown code that could be linked to an item (a ScanResult).
    link_requested = Signal(object)
    #: A dialog opened (for tests).
    dialog_opened = Signal(object)
    #: The start panel's overview was loaded (a CountsOverview).
    overview_loaded = Signal(object)
    #: What is due today is known (a DueCounts): the window shows it on the navigation.
    due_changed = Signal(object)
    #: A count was opened on the counting screen or the review (a CountView).
    count_opened = Signal(object)
    #: A PDF was saved (its path).
    pdf_saved = Signal(object)

    LIST, COUNT, REVIEW = range(3)

    def __init__(
        self,
        runner: Runner,
        user: UserRef,
        parent: QWidget | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._user = user
        self._settings = settings if settings is not None else QSettings()
        self.overview: CountsOverview | None = None
        #: The count to select in the list once it loads (the one just left).
        self._select_next: int | None = None
        #: Today's date (the cycle plan's day); tests may stand in another day.
        self.clock: Callable[[], dt.date] = dt.date.today
        self._loader = ListLoader(
            runner,
            lambda session: counting_queries.counts_overview(session, self.clock()),
            self._show_overview,
            self,
        )

        self.count_screen = CountScreen(runner, user)
        self.review = CountReview(runner, user)
        self.stack = stacked_panels(
            self, (self._build_list(), self.count_screen, self.review), _scrolled
        )
        self._connect_children()

    # --- building ----------------------------------------------------------------------
    def _build_list(self) -> QWidget:
        panel = QWidget()
        self.due_label = QLabel(_("Loading today's counts…"))
        self.due_label.setObjectName("due_label")
        self.due_label.setWordWrap(True)
        self.due_label.setFont(scaled_font(self.font(), DUE_POINT_SIZE, bold=True))
        self.due_model: RowTableModel[DueItem] = RowTableModel(
            due_columns(),
            lambda d: "\n".join((d.sku, d.name, d.abc_class)),
            foreground=lambda d: ALERT if d.overdue else None,
            parent=self,
        )
        # A plain table: starting a count of many items takes the button, never a stray Enter.
        self.due_table = QTableView()
        _configure(self.due_table, self.due_model)
        self.due_table.setObjectName("due_table")
        # The due list and the accuracy keep a few rows each; the counts list takes the rest.
        rows = self.due_table.verticalHeader().defaultSectionSize()
        self.due_table.setMaximumHeight(rows * 5 + 4)
        set_column_widths(self.due_table, {0: 130, 1: 260, 2: 60, 3: 100, 4: 110}, stretch=1)
        self.start_due_button = QPushButton(_("Start today's count"))
        self.start_due_button.setObjectName("start_due_count")
        self.start_due_button.setFont(scaled_font(self.font(), DUE_POINT_SIZE - 3, bold=True))
        self.start_due_button.setMinimumHeight(44)
        self.start_due_button.setToolTip(
            _("Count the items the ABC cycle plan has due today (and those overdue)")
        )
        self.due_group = QGroupBox(_("Due today"))
        due_layout = QVBoxLayout(self.due_group)
        due_row = QHBoxLayout()
        due_row.addWidget(self.due_label, 1)
        due_row.addWidget(self.start_due_button)
        due_layout.addLayout(due_row)
        due_layout.addWidget(self.due_table)

        self.new_button = QPushButton(_("&Start a count…"))
        self.new_button.setObjectName("new_count")
        self.new_button.setToolTip(
            _("Count a bin, an aisle, an item or a category now, or the whole warehouse")
        )
        self.new_button.setMinimumHeight(36)
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("counts_filter")
        self.filter_edit.setPlaceholderText(
            _("Filter by number, scope, status or person  (Ctrl+F)")
        )
        self.filter_edit.setClearButtonEnabled(True)
        self.counts_model: RowTableModel[CountSummary] = RowTableModel(
            count_columns(),
            lambda r: "\n".join((r.number, r.title, r.scope, r.status_text, r.created_by)),
            foreground=count_colour,
            parent=self,
        )
        self.counts_table = EnterTable()
        _configure(self.counts_table, self.counts_model)
        self.counts_table.setObjectName("counts_table")
        set_column_widths(
            self.counts_table, {0: 90, 1: 260, 2: 100, 3: 190, 4: 110, 5: 140}, stretch=1
        )
        self.open_button = QPushButton(_("&Open"))
        self.open_button.setObjectName("open_count")
        self.open_button.setToolTip(_("Count or review the selected count (Enter)"))
        self.sheet_button = QPushButton(_("Count s&heet PDF…"))
        self.sheet_button.setObjectName("count_sheet_pdf")
        self.sheet_button.setToolTip(
            _("The selected count's bins and lines with a blank quantity column, to count on paper")
        )
        self.report_button = QPushButton(_("&Variance report PDF…"))
        self.report_button.setObjectName("variance_report_pdf")
        self.report_button.setToolTip(_("The variances of the selected count, once counted"))
        self.list_error = error_label()
        counts_group = QGroupBox(_("Open and recent counts"))
        counts_layout = QVBoxLayout(counts_group)
        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(self.new_button)
        counts_layout.addLayout(bar)
        counts_layout.addWidget(self.counts_table, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sheet_button)
        buttons.addWidget(self.report_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        counts_layout.addLayout(buttons)

        self.accuracy_model: RowTableModel[AccuracyRow] = RowTableModel(
            accuracy_columns(), lambda r: r.label, parent=self
        )
        self.accuracy_table = make_table_view(self.accuracy_model)
        self.accuracy_table.setObjectName("accuracy_table")
        self.accuracy_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.accuracy_table.horizontalHeader().setStretchLastSection(True)
        set_column_widths(
            self.accuracy_table, {0: 110, 1: 150, 2: 150, 3: 150, 4: 150}, stretch=None
        )
        self.accuracy_table.setMaximumHeight(
            self.accuracy_table.verticalHeader().defaultSectionSize() * 5 + 4
        )
        self.accuracy_label = QLabel()
        self.accuracy_label.setObjectName("accuracy_label")
        self.accuracy_label.setWordWrap(True)
        self.accuracy_label.setProperty("role", "muted")
        accuracy_group = QGroupBox(_("Inventory accuracy"))
        accuracy_layout = QVBoxLayout(accuracy_group)
        accuracy_layout.addWidget(self.accuracy_label)
        accuracy_layout.addWidget(self.accuracy_table, 1)

        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.due_group)
        column.addWidget(self.list_error)
        column.addWidget(counts_group, 1)
        column.addWidget(accuracy_group)

        self.start_due_button.clicked.connect(self.start_due_count)
        self.new_button.clicked.connect(self.start_count_dialog)
        self.filter_edit.textChanged.connect(self.counts_model.set_filter)
        self.open_button.clicked.connect(self.open_selected)
        self.counts_table.activated_by_key.connect(self.open_selected)
        self.counts_table.doubleClicked.connect(lambda _i: self.open_selected())
        self.sheet_button.clicked.connect(lambda: self.save_pdf(variance=False))
        self.report_button.clicked.connect(lambda: self.save_pdf(variance=True))
        self.counts_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.counts_model.modelReset.connect(self._update_buttons)
        return panel

    def _connect_children(self) -> None:
        screen, review = self.count_screen, self.review
        for child in (screen, review):
            child.feedback.connect(self.feedback)
            child.status_message.connect(self.status_message)
            child.dialog_opened.connect(self.dialog_opened)
            child.leave_requested.connect(self.show_list)
        screen.link_requested.connect(self.link_requested)
        screen.review_requested.connect(self._show_review)
        screen.cancelled.connect(lambda _view: self.show_list())
        review.count_requested.connect(self._count_recount)
        review.data_changed.connect(self.data_changed)
        review.data_changed.connect(self._loader.mark_stale)
        review.report_requested.connect(
            lambda view: self._save_count_pdf(view.id, view.number, variance=True)
        )

    # --- page protocol -----------------------------------------------------------------
    def activate(self) -> None:
        """The page was shown: the start panel loads (first: what is due today); an open
        count is read again, as another workstation may have counted meanwhile."""
        index = self.stack.currentIndex()
        if index == self.COUNT:
            self.count_screen.reload()
            self.count_screen.focus_scan_target()
        elif index == self.REVIEW:
            self.review.reload()
        else:
            self._loader.activate()

    def refresh(self) -> None:
        """Reload what is on screen (F5)."""
        index = self.stack.currentIndex()
        if index == self.COUNT:
            self.count_screen.reload()
        elif index == self.REVIEW:
            self.review.reload()
        else:
            self._loader.refresh()

    def mark_stale(self) -> None:
        """Stock changed elsewhere: reload the start panel when next shown."""
        self._loader.mark_stale()

    def shortcuts(self) -> list[tuple[str, str]]:
        """The keys of counting, for the keyboard help (F1)."""
        return [
            (_("Scan"), _("A bin label chooses the bin; an item counts one, a carton its pack")),
            ("Alt+Q", _("Type the count of the chosen line; Enter sets it")),
            ("Ctrl+Z", _("Undo your last entry")),
            ("Ctrl+Enter", _("Close the bin (asks about expected items not scanned)")),
            ("Alt+F", _("Finish counting and open the review")),
            ("Ctrl+A", _("In the review: select every line, then Alt+A approve or Alt+R recount")),
            ("Ctrl+F", _("The counts filter, or the quantity field while counting")),
        ]

    def focus_filter(self) -> None:
        """Ctrl+F: the counts filter on the start panel, the quantity on the counting screen."""
        index = self.stack.currentIndex()
        if index == self.COUNT:
            self.count_screen.qty_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.count_screen.qty_edit.selectAll()
        elif index == self.LIST:
            self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.filter_edit.selectAll()

    def check_due(self) -> None:
        """Find out what is due today (at start, for the navigation's badge)."""
        self._runner.run(
            counting.due_counts,
            self.clock(),
            on_done=self.due_changed.emit,
            on_error=lambda _error: None,  # the page says why when opened
            owner=self,
        )

    def show_list(self) -> None:
        """Back to the start panel (a count being counted stays saved)."""
        view = self.count_screen.view
        if self.stack.currentIndex() == self.COUNT and view is not None and view.is_counting:
            self.status_message.emit(
                _("Count {number} is saved; continue it from the list.").format(number=view.number)
            )
        shown = view if self.stack.currentIndex() == self.COUNT else self.review.view
        if self.stack.currentIndex() != self.LIST and shown is not None:
            self._select_next = shown.id
        self.stack.setCurrentIndex(self.LIST)
        self._loader.refresh()
        self.counts_table.setFocus()

    # --- the start panel -----------------------------------------------------------------
    def _show_overview(self, overview: CountsOverview) -> None:
        self.overview = overview
        self.list_error.hide()
        self._show_due(overview.due)
        selected = self.selected_count()
        wanted = (
            self._select_next
            if self._select_next is not None
            else (selected.id if selected is not None else None)
        )
        self._select_next = None
        self.counts_model.set_rows(list(overview.counts))
        row = -1
        if wanted is not None:
            row = self.counts_model.find_row(lambda r: r.id == wanted)
        if row < 0:
            # The first count still open (the newest may be cancelled or done).
            row = self.counts_model.find_row(
                lambda r: r.status in (CountStatus.COUNTING, CountStatus.REVIEW)
            )
        if row < 0 and self.counts_model.visible_count():
            row = 0
        if row >= 0:
            self.counts_table.selectRow(row)
        self._show_accuracy(overview.accuracy)
        if self.stack.currentIndex() == self.LIST and not self.filter_edit.hasFocus():
            self.counts_table.setFocus()
        self.due_changed.emit(overview.due)
        self.overview_loaded.emit(overview)

    def _show_due(self, due: DueCounts) -> None:
        self.due_group.setTitle(
            _("Due today, {date}").format(date=fmt_date(due.today))
            if due.is_working_day
            else _("Today, {date}: not a working day").format(date=fmt_date(due.today))
        )
        items = len(due.items)
        open_cycle = [c for c in due.open_cycle_counts if c.status is CountStatus.COUNTING]
        if items:
            text = ngettext(
                "{n} item is due for its cycle count.",
                "{n} items are due for their cycle count.",
                items,
            ).format(n=fmt_count(items))
            if due.overdue:
                text += " " + ngettext(
                    "{n} of them is overdue.", "{n} of them are overdue.", due.overdue
                ).format(n=fmt_count(due.overdue))
        elif open_cycle:
            text = _("Today's cycle count is started.")
        else:
            text = due.message or _("Nothing is due for counting today.")
        self.due_label.setText(text)
        self.due_model.set_rows(list(due.items))
        self.due_table.setVisible(bool(due.items))
        if open_cycle:
            self.start_due_button.setText(
                _("Continue {number}").format(number=open_cycle[0].number)
            )
            self.start_due_button.setEnabled(True)
        else:
            self.start_due_button.setText(
                ngettext(
                    "Start today's count ({n} item)", "Start today's count ({n} items)", items
                ).format(n=fmt_count(items))
            )
            self.start_due_button.setEnabled(bool(items))

    def _show_accuracy(self, accuracy: InventoryAccuracy) -> None:
        self.accuracy_model.set_rows(accuracy_rows(accuracy))
        tolerance = accuracy.tolerance
        self.accuracy_label.setText(
            _(
                "Share of counted lines within tolerance ({percent} or {value} {currency}), "
                "per month of counting and ABC class."
            ).format(
                percent=fmt_percent(tolerance.percent),
                value=fmt_qty(tolerance.value),
                currency=tolerance.currency,
            )
            if accuracy.total.lines
            else _("No count has been approved yet: accuracy shows once lines are approved.")
        )

    def selected_count(self) -> CountSummary | None:
        """The count selected in the list."""
        rows = self.counts_table.selectionModel().selectedRows()
        return self.counts_model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self, *_args: object) -> None:
        row = self.selected_count()
        self.open_button.setEnabled(row is not None and row.status is not CountStatus.CANCELLED)
        # A sheet lists what is still to count: while counting, and recount lines in review.
        self.sheet_button.setEnabled(
            row is not None and row.status in (CountStatus.COUNTING, CountStatus.REVIEW)
        )
        self.report_button.setEnabled(
            row is not None and row.status in (CountStatus.REVIEW, CountStatus.DONE)
        )

    def start_due_count(self) -> None:
        """One click: start today's cycle count, or continue it when started."""
        due = self.overview.due if self.overview is not None else None
        open_cycle = (
            [c for c in due.open_cycle_counts if c.status is CountStatus.COUNTING] if due else []
        )
        if open_cycle:
            self.open_count(open_cycle[0].id)
            return
        self._runner.run(
            counting.start_cycle_count,
            self._user.id,
            self.clock(),
            on_done=lambda view: self._started(view),
            on_error=self._list_failed,
            owner=self,
        )

    def start_count_dialog(self) -> StartCountDialog:
        """The dialog that starts an ad hoc count or a stock-take."""
        dialog = StartCountDialog(self._runner, self._user, self.window())
        dialog.started.connect(self._started)
        dialog.open()
        self.dialog_opened.emit(dialog)
        return dialog

    def _started(self, view: CountView) -> None:
        text = _("Count {number} started: {title}.").format(number=view.number, title=view.title)
        self.status_message.emit(text)
        self.feedback.emit(Tone.SUCCESS, text, _("Scan the label of the first bin."), None)
        self._loader.mark_stale()
        self._show_view(view)

    def open_selected(self) -> None:
        """Open the count selected in the list."""
        row = self.selected_count()
        if row is None:
            self.status_message.emit(_("Select the count to open."))
            return
        self.open_count(row.id)

    def open_count(self, count_id: int, since: float | None = None) -> None:
        """Open count ``count_id``: its counting screen, or its review (``since``: when
        the scan of its number ended, for the banner)."""

        def opened(view: CountView) -> None:
            if since is not None:
                self.feedback.emit(
                    Tone.SUCCESS,
                    _("Count {number}").format(number=view.number),
                    view.title,
                    since,
                )
            self._show_view(view)

        self._runner.run(
            counting.get_count,
            self._user.id,
            count_id,
            on_done=opened,
            on_error=self._list_failed,
            owner=self,
        )

    def _show_view(self, view: CountView) -> None:
        if view.status is CountStatus.CANCELLED:
            self._list_failed(
                HyllaError(_("Count {number} is cancelled.").format(number=view.number))
            )
            return
        if view.is_counting or (view.in_review and self._recount_is_mine(view)):
            self.count_screen.show_count(view)
            self.stack.setCurrentIndex(self.COUNT)
            self.count_screen.focus_scan_target()
        else:
            self._show_review(view)
        self.count_opened.emit(view)

    def _recount_is_mine(self, view: CountView) -> bool:
        """True when the viewer should count rather than review: lines sent back to them
        (or to anyone), and the viewer may not decide the count."""
        recount = [ln for ln in view.lines if ln.status is CountLineStatus.RECOUNT]
        if not recount:
            return False
        if any(ln.assigned_to_id == view.viewer_id for ln in recount):
            return True
        return not view.viewer_is_manager

    def _show_review(self, view: CountView) -> None:
        self.review.show_count(view)
        self.stack.setCurrentIndex(self.REVIEW)
        self.review.focus_table()

    def _count_recount(self, view: CountView) -> None:
        self.count_screen.show_count(view)
        self.stack.setCurrentIndex(self.COUNT)
        self.count_screen.focus_scan_target()

    def _list_failed(self, error: HyllaError) -> None:
        self.feedback.emit(Tone.PROBLEM, error.message, "", None)
        self.list_error.setText(error.message)
        self.list_error.show()

    # --- scans -------------------------------------------------------------------------
    def handle_raw_scan(self, text: str, since: float | None = None) -> None:
        """A scan as the scanner sent it: counted on the counting screen; elsewhere, a
        count's number (the barcode on its count sheet) opens that count."""
        if since is None:
            since = time.perf_counter()
        if self.stack.currentIndex() == self.COUNT and self.count_screen.view is not None:
            self.count_screen.handle_raw_scan(text, since)
            return

        def found(count_id: CountId) -> None:
            self.open_count(count_id, since)

        def not_found(error: HyllaError) -> None:
            self.feedback.emit(
                Tone.PROBLEM,
                _("Open a count first"),
                error.message
                + " "
                + _("Scan the number on a count sheet, or pick the count in the list."),
                since,
            )

        self._runner.run(
            counting.count_id_by_number,
            text,
            on_done=found,
            on_error=not_found,
            owner=self,
        )

    def handle_scan(self, result: ScanResult) -> bool:
        """A scan the window resolved (after linking an unknown code)."""
        self.handle_raw_scan(result.raw)
        return True

    # --- PDFs ----------------------------------------------------------------------------
    def save_pdf(self, variance: bool) -> None:
        """Save the selected count's count sheet (or variance report) as PDF."""
        row = self.selected_count()
        if row is None:
            self.status_message.emit(_("Select the count first."))
            return
        self._save_count_pdf(row.id, row.number, variance=variance)

    def _save_count_pdf(self, count_id: int, number: str, *, variance: bool) -> None:
        def saved(path: Path) -> None:
            text = (
                _("Variance report saved: {path}") if variance else _("Count sheet saved: {path}")
            ).format(path=path)
            self.status_message.emit(text)
            self.pdf_saved.emit(path)

        if count_dialogs.save_count_pdf(
            self,
            self._runner,
            self._settings,
            count_id,
            number,
            variance=variance,
            user_id=self._user.id,
            on_saved=saved,
        ):
            self.status_message.emit(_("Making the PDF of {number}…").format(number=number))
