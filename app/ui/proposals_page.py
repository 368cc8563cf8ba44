"""The Proposals page: what to order today, grouped by supplier, each line with its reasons.

"Run proposals" works the proposals out on the database worker (with progress, and a
Cancel that rolls the run back) and lists the lines under their suppliers with each
supplier's value and what its minimum order value and order days mean. Selecting a line
shows its reasoning in words, its warnings and a small chart of a year's weekly demand
with the forecast. The buyer edits a quantity in place (checked against the supplier's
packs and minimum on the worker), unticks or dismisses lines (a dismissal holds until
the line's situation changes), and orders the ticked lines: one draft purchase order per
supplier, whose PDFs the page then offers to save.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPointF, QRectF, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QHideEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.models import Policy, Role
from app.services import auth, demand, proposals, purchase_orders
from app.services.demand import WeekDemand
from app.services.errors import FieldErrors, HyllaError
from app.services.proposals import (
    AcceptLine,
    AcceptResult,
    LineKind,
    ProposalLine,
    ProposalRun,
    ProposalSettings,
    ServiceMeasure,
    SupplierTotal,
)
from app.services.purchase_orders import PurchaseOrderDetail
from app.services.scanning import ScanResult
from app.services.users import UserRef
from app.ui import feedback
from app.ui import purchase_orders_page as documents
from app.ui.formatting import (
    fmt_count,
    fmt_date,
    fmt_money,
    fmt_money_edit,
    fmt_qty,
    fmt_qty_edit,
)
from app.ui.list_page import filter_field
from app.ui.runner import Runner, TaskCancelled, TaskHandle
from app.ui.table_model import ALERT, MUTED
from app.ui.widgets import error_label, icon, mark_error

LINE_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2
CHART_WEEKS = 52
# Moving through the lines with the arrow keys asks for one chart, not one per line.
CHART_DELAY_MS = 150
SUPPLIER_ROW = "supplier"
LINE_ROW = "line"
DISMISSED_ROW = "dismissed"
WARNING_COLOUR = QColor(158, 92, 0)
BAR_COLOUR = QColor(91, 127, 149)
FORECAST_COLOUR = QColor(198, 40, 40)


def policy_label(policy: Policy) -> str:
    """The item's policy as people read it."""
    return _(proposals.POLICY_LABELS[policy])


class DemandChart(QWidget):
    """A year of weekly demand as bars and the forecast as a dashed line (QPainter only:
    QtCharts is not part of the Qt Hylla ships)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("demand_chart")
        self.weeks: list[WeekDemand] = []
        self.forecast_weekly: Decimal | None = None
        self.unit = ""
        self.setMinimumHeight(110)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(420, 130)

    def show_weeks(
        self, weeks: list[WeekDemand], forecast_daily: Decimal | None, unit: str
    ) -> None:
        """Draw ``weeks`` with the forecast (per day, drawn per week)."""
        self.weeks = list(weeks)
        self.forecast_weekly = forecast_daily * 7 if forecast_daily is not None else None
        self.unit = unit
        total = sum((week.quantity for week in weeks), Decimal(0))
        self.setToolTip(
            _("Demand in the last {n} weeks: {total} {unit}").format(
                n=len(weeks), total=fmt_qty(total), unit=unit
            )
        )
        self.update()

    def clear(self) -> None:
        """Nothing to draw."""
        self.weeks = []
        self.forecast_weekly = None
        self.setToolTip("")
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = QRectF(self.rect()).adjusted(4, 18, -4, -16)
        muted = self.palette().placeholderText().color()
        painter.setPen(muted)
        if not self.weeks:
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter, _("Select a line to see its demand.")
            )
            return
        peak = max(
            max((float(week.quantity) for week in self.weeks), default=0.0),
            float(self.forecast_weekly or 0),
        )
        top = peak if peak > 0 else 1.0
        painter.drawText(
            QRectF(self.rect()).adjusted(4, 0, -4, 0),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
            _("Weekly demand, max {peak} {unit}").format(
                peak=fmt_qty(Decimal(f"{peak:.3f}")), unit=self.unit
            ),
        )
        painter.drawText(
            QRectF(self.rect()).adjusted(4, 0, -4, 0),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
            fmt_date(self.weeks[0].start),
        )
        painter.drawText(
            QRectF(self.rect()).adjusted(4, 0, -4, 0),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
            fmt_date(self.weeks[-1].end),
        )
        painter.setPen(QPen(muted, 1))
        painter.drawLine(area.bottomLeft(), area.bottomRight())
        slot = area.width() / len(self.weeks)
        width = max(1.0, slot * 0.75)
        painter.setPen(Qt.PenStyle.NoPen)
        for n, week in enumerate(self.weeks):
            x = area.left() + n * slot + (slot - width) / 2
            if not week.observed:
                # Before the item's history began: nothing was measured, not zero sold.
                painter.setBrush(QBrush(muted, Qt.BrushStyle.Dense6Pattern))
                painter.drawRect(QRectF(x, area.bottom() - 3, width, 3))
                continue
            height = area.height() * float(week.quantity) / top
            painter.setBrush(BAR_COLOUR)
            painter.drawRect(QRectF(x, area.bottom() - height, width, height))
        if self.forecast_weekly is not None and self.forecast_weekly > 0:
            y = area.bottom() - area.height() * float(self.forecast_weekly) / top
            pen = QPen(FORECAST_COLOUR, 1.6, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.drawText(
                QRectF(area.left(), y - 16, area.width(), 14),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
                _("forecast {qty}/week").format(
                    qty=fmt_qty(self.forecast_weekly.quantize(Decimal("0.1")))
                ),
            )


class PlanningSettingsDialog(QDialog):
    """The costs and service level proposals plan with (a manager's to change)."""

    #: The settings were saved (the ProposalSettings).
    saved = Signal(object)

    def __init__(self, runner: Runner, user: UserRef, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("planning_settings_dialog")
        self.setWindowTitle(_("Planning settings"))
        self._runner = runner
        self._user = user
        self.cost_edit = QLineEdit()
        self.cost_edit.setObjectName("ordering_cost")
        self.cost_edit.setToolTip(
            _("What placing one order line costs: the buyer's time, goods-in work, freight")
        )
        self.rate_edit = QLineEdit()
        self.rate_edit.setObjectName("holding_rate")
        self.rate_edit.setToolTip(
            _("Capital, space, shrinkage and obsolescence per year, in percent of the unit cost")
        )
        self.level_edit = QLineEdit()
        self.level_edit.setObjectName("service_level")
        self.level_edit.setToolTip(_("Used for items that have no service level of their own"))
        self.measure_combo = QComboBox()
        self.measure_combo.setObjectName("service_measure")
        for measure in ServiceMeasure:
            self.measure_combo.addItem(_(proposals.MEASURE_LABELS[measure]), measure.value)
        self.fields = {
            proposals.ORDERING_COST_SETTING: self.cost_edit,
            proposals.HOLDING_RATE_SETTING: self.rate_edit,
            proposals.SERVICE_LEVEL_SETTING: self.level_edit,
            proposals.SERVICE_MEASURE_SETTING: self.measure_combo,
        }
        self.error = error_label()
        form = QFormLayout()
        form.addRow(_("&Ordering cost per line"), self.cost_edit)
        form.addRow(_("&Holding rate, % a year"), self.rate_edit)
        form.addRow(_("Default &service level, %"), self.level_edit)
        form.addRow(_("Service level is &measured as"), self.measure_combo)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.error)
        column.addWidget(buttons)
        self.setMinimumWidth(420)
        self.save_button.setEnabled(False)
        runner.call(
            runner.db.read,
            proposals.proposal_settings,
            on_done=self._loaded,
            on_error=self._failed,
            owner=self,
        )

    def _loaded(self, settings: ProposalSettings) -> None:
        self.cost_edit.setText(fmt_money_edit(settings.ordering_cost))
        self.rate_edit.setText(fmt_qty_edit(settings.holding_rate_percent))
        self.level_edit.setText(fmt_qty_edit(settings.service_level_percent))
        self.measure_combo.setCurrentIndex(self.measure_combo.findData(settings.measure.value))
        self.save_button.setEnabled(True)

    def save(self) -> None:
        """Save the settings (the service checks them and the user's role)."""
        for widget in self.fields.values():
            mark_error(widget, False)
        self._runner.run(
            proposals.save_proposal_settings,
            self._user.id,
            ordering_cost=self.cost_edit.text(),
            holding_rate_percent=self.rate_edit.text(),
            service_level_percent=self.level_edit.text(),
            measure=str(self.measure_combo.currentData()),
            on_done=self._saved,
            on_error=self._failed,
            owner=self,
        )

    def _saved(self, settings: ProposalSettings) -> None:
        self.saved.emit(settings)
        self.accept()

    def _failed(self, error: HyllaError) -> None:
        if isinstance(error, FieldErrors):
            for key, widget in self.fields.items():
                mark_error(widget, key in error.errors)
        self.error.setText(error.message)
        self.error.show()


class ProposalsPage(QWidget):
    """Today's purchase proposals: run, review, edit, dismiss, order."""

    status_message = Signal(str)
    #: Draft purchase orders were made: the order and receiving lists are stale.
    data_changed = Signal()
    #: A run finished and is shown (the ProposalRun).
    run_finished = Signal(object)
    #: Lines were ordered (the AcceptResult).
    accepted = Signal(object)
    #: A purchase order's PDF was saved (its path).
    pdf_saved = Signal(object)
    #: A chart was drawn for the selected line (the item id).
    chart_shown = Signal(int)
    #: The planning settings dialog opened (the dialog).
    dialog_opened = Signal(object)

    (ITEM, NAME, POLICY, ABC, AVAILABLE, TRIGGER, QUANTITY, UNIT, PACKS, VALUE, ORDER_DATE) = range(
        11
    )

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
        self.run_result: ProposalRun | None = None
        self._task: TaskHandle | None = None
        self._stale = True
        # The buyer's quantities, kept for a line while its inputs stay the same.
        self._edited: dict[tuple[int, str], Decimal] = {}
        self._checking: set[int] = set()
        self._charts: dict[int, list[WeekDemand]] = {}
        self._chart_item: int | None = None
        self.orders: list[PurchaseOrderDetail] = []

        heading = QLabel(_("Purchase proposals"))
        heading.setProperty("role", "heading")
        self.run_button = QPushButton(_("&Run proposals"))
        self.run_button.setObjectName("run_proposals")
        self.run_button.setToolTip(
            _("Work out what to order today from stock, orders, demand and supplier terms (F5)")
        )
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.setObjectName("cancel_proposals")
        self.cancel_button.hide()
        self.progress = QProgressBar()
        self.progress.setObjectName("proposals_progress")
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.summary_label = QLabel(_("Proposals have not been run yet."))
        self.summary_label.setObjectName("proposals_summary")
        self.summary_label.setProperty("role", "muted")
        self.filter_edit = filter_field(
            "proposals_filter", _("Filter by SKU, name or supplier  (Ctrl+F)")
        )
        self.can_plan = auth.role_allows(user.role, Role.MANAGER)
        self.settings_button = QPushButton(_("Planning &settings…"))
        self.settings_button.setObjectName("planning_settings")
        self.settings_button.setToolTip(
            _("Ordering cost, holding rate and the default service level")
            if self.can_plan
            else _("Only a manager or an administrator may change the planning settings.")
        )
        self.settings_button.setEnabled(self.can_plan)
        self.dismissed_check = QCheckBox(_("Show &dismissed"))
        self.dismissed_check.setObjectName("show_dismissed")
        self.dismissed_check.setToolTip(_("List the lines dismissed earlier, to show them again"))

        self.model = QStandardItemModel(self)
        self.model.setHorizontalHeaderLabels(
            [
                _("Item"),
                _("Name"),
                _("Policy"),
                _("ABC"),
                _("Available"),
                _("Reorder at"),
                _("To order"),
                _("Unit"),
                _("Packs"),
                _("Value"),
                _("Order date"),
            ]
        )
        header_tips = {
            self.AVAILABLE: _("On hand + on order − reserved − backordered"),
            self.TRIGGER: _("The reorder point, or the minimum of a min/max item"),
            self.QUANTITY: _("What to order, in the item's unit; double-click to change it"),
        }
        for column, tip in header_tips.items():
            self.model.horizontalHeaderItem(column).setToolTip(tip)
        self.tree = QTreeView()
        self.tree.setObjectName("proposals_tree")
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        header = self.tree.header()
        header.setStretchLastSection(False)
        for column, width in {
            self.ITEM: 150,
            self.NAME: 260,
            self.POLICY: 130,
            self.ABC: 44,
            self.AVAILABLE: 84,
            self.TRIGGER: 84,
            self.QUANTITY: 84,
            self.UNIT: 50,
            self.PACKS: 80,
            self.VALUE: 110,
            self.ORDER_DATE: 96,
        }.items():
            header.resizeSection(column, width)
        header.setSectionResizeMode(self.NAME, QHeaderView.ResizeMode.Stretch)
        self.empty_hint = QLabel()
        self.empty_hint.setProperty("role", "muted")
        self.empty_hint.setWordWrap(True)
        self.empty_hint.hide()
        self.error_label = error_label()

        # The selected line: its reasons, warnings and demand.
        self.detail_title = QLabel()
        self.detail_title.setObjectName("proposal_title")
        self.detail_title.setProperty("role", "heading")
        self.detail_title.setWordWrap(True)
        self.explanation = QLabel()
        self.explanation.setObjectName("proposal_explanation")
        self.explanation.setWordWrap(True)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.warnings_label = QLabel()
        self.warnings_label.setObjectName("proposal_warnings")
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setStyleSheet(f"color: {WARNING_COLOUR.name()};")
        self.warnings_label.hide()
        self.chart = DemandChart()
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("dismiss_note")
        self.note_edit.setMaxLength(200)
        self.note_edit.setPlaceholderText(_("Why it is dismissed (optional)"))
        self.dismiss_button = QPushButton(_("Dis&miss"))
        self.dismiss_button.setObjectName("dismiss_line")
        self.dismiss_button.setToolTip(
            _("Hide this line until its situation changes (stock, orders, terms)")
        )
        self.restore_button = QPushButton(_("Show &again"))
        self.restore_button.setObjectName("restore_line")
        self.restore_button.setToolTip(_("Bring the dismissed line back in the next run"))
        self.day_checks: list[QCheckBox] = []
        self.order_days_row = QWidget()
        days_layout = QHBoxLayout(self.order_days_row)
        days_layout.setContentsMargins(0, 0, 0, 0)
        days_layout.addWidget(QLabel(_("Takes orders on:")))
        for day, name in enumerate(proposals.WEEKDAYS):
            check = QCheckBox(_(name)[:3])
            check.setObjectName(f"order_day_{day}")
            check.setToolTip(_(name))
            self.day_checks.append(check)
            days_layout.addWidget(check)
        self.save_days_button = QPushButton(_("Save order &days"))
        self.save_days_button.setObjectName("save_order_days")
        self.save_days_button.setToolTip(
            _("None ticked: the supplier takes orders any day")
            if self.can_plan
            else _("Only a manager or an administrator may change a supplier's order days.")
        )
        self.save_days_button.setEnabled(self.can_plan)
        days_layout.addWidget(self.save_days_button)
        days_layout.addStretch(1)
        self.order_days_row.hide()
        detail_buttons = QHBoxLayout()
        detail_buttons.addWidget(self.note_edit, 1)
        detail_buttons.addWidget(self.dismiss_button)
        detail_buttons.addWidget(self.restore_button)
        detail = QFrame()
        detail.setObjectName("proposal_detail")
        detail.setFrameShape(QFrame.Shape.StyledPanel)
        detail_layout = QVBoxLayout(detail)
        detail_layout.addWidget(self.detail_title)
        detail_layout.addWidget(self.explanation, 1)
        detail_layout.addWidget(self.warnings_label)
        detail_layout.addWidget(self.chart)
        detail_layout.addWidget(self.order_days_row)
        detail_layout.addLayout(detail_buttons)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("proposals_splitter")
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        self.order_button = QPushButton(icon("purchase-orders"), _("&Order ticked lines…"))
        self.order_button.setObjectName("order_proposals")
        self.order_button.setToolTip(_("Make one draft purchase order per supplier"))
        self.ticked_label = QLabel()
        self.ticked_label.setObjectName("ticked_summary")
        self.ticked_label.setProperty("role", "muted")
        self.orders_label = QLabel()
        self.orders_label.setObjectName("made_orders")
        self.orders_label.hide()
        self.pdf_button = QPushButton(_("Save order &PDFs…"))
        self.pdf_button.setObjectName("proposal_order_pdfs")
        self.pdf_button.setToolTip(_("Save the PDFs of the draft orders just made"))
        self.pdf_button.hide()

        top = QHBoxLayout()
        top.addWidget(heading)
        top.addSpacing(12)
        top.addWidget(self.run_button)
        top.addWidget(self.cancel_button)
        top.addWidget(self.progress)
        top.addWidget(self.summary_label, 1)
        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 2)
        bar.addWidget(self.dismissed_check)
        bar.addStretch(1)
        bar.addWidget(self.settings_button)
        actions = QHBoxLayout()
        actions.addWidget(self.ticked_label, 1)
        actions.addWidget(self.orders_label)
        actions.addWidget(self.pdf_button)
        actions.addWidget(self.order_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.addLayout(top)
        layout.addLayout(bar)
        layout.addWidget(self.empty_hint)
        layout.addWidget(self.error_label)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(actions)

        self._chart_timer = QTimer(self)
        self._chart_timer.setSingleShot(True)
        self._chart_timer.setInterval(CHART_DELAY_MS)
        self._chart_timer.timeout.connect(self._load_chart)
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        self.filter_edit.textChanged.connect(self._apply_filter)
        self.dismissed_check.toggled.connect(lambda _on: self._show(self.run_result))
        self.tree.selectionModel().currentRowChanged.connect(self._current_changed)
        self.model.itemChanged.connect(self._item_changed)
        self.dismiss_button.clicked.connect(self.dismiss_selected)
        self.restore_button.clicked.connect(self.restore_selected)
        self.order_button.clicked.connect(self.order_ticked)
        self.pdf_button.clicked.connect(self.save_order_pdfs)
        self.settings_button.clicked.connect(self.open_settings)
        self.save_days_button.clicked.connect(self.save_order_days)
        self._show_detail(None)
        self._update_actions()

    # --- page protocol -------------------------------------------------------------------
    def activate(self) -> None:
        """Shown: run the proposals if they never ran or something changed since."""
        if self._stale and self._task is None:
            self.run()

    def refresh(self) -> None:
        """F5: run the proposals again."""
        self.run()

    def mark_stale(self) -> None:
        """Stock or orders changed elsewhere: run again when next shown."""
        self._stale = True

    def focus_filter(self) -> None:
        """Put the cursor in the filter (Ctrl+F)."""
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def handle_scan(self, result: ScanResult) -> bool:
        """A scanned item selects its line, if it has one."""
        if result.outcome != "item" or result.item_id is None:
            return False
        found = self._find_line(result.item_id)
        if found is None:
            self.status_message.emit(
                _("{sku} has no proposal today.").format(sku=result.sku or result.item_id)
            )
            return True
        self.tree.setCurrentIndex(found)
        self.tree.scrollTo(found)
        return True

    # --- running -------------------------------------------------------------------------
    def run(self) -> None:
        """Work the proposals out on the database worker, with progress."""
        if self._task is not None:
            return
        self._stale = False
        self.error_label.hide()
        self._busy(True)
        self._task = self._runner.run(
            proposals.run_proposals,
            self._user.id,
            progress=self._progressed,
            on_done=self._ran,
            on_error=self._run_failed,
            owner=self,
        )

    def cancel(self) -> None:
        """Stop the run in progress (it saves nothing)."""
        if self._task is not None:
            self._task.cancel()
            self.summary_label.setText(_("Cancelling…"))

    def _busy(self, busy: bool) -> None:
        self.run_button.setEnabled(not busy)
        self.order_button.setEnabled(not busy and self._ticked_count() > 0)
        self.cancel_button.setVisible(busy)
        self.progress.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)
            self.summary_label.setText(_("Working out the proposals…"))

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, total))

    def _ran(self, result: ProposalRun) -> None:
        self._task = None
        self._busy(False)
        self.run_result = result
        self._show(result)
        self.summary_label.setText(
            _("{date}: {message}").format(date=fmt_date(result.as_of), message=result.message)
        )
        self.status_message.emit(result.message)
        self.run_finished.emit(result)

    def _run_failed(self, error: HyllaError) -> None:
        self._task = None
        self._busy(False)
        if isinstance(error, TaskCancelled):
            self._stale = True
            self.summary_label.setText(_("The run was cancelled."))
            return
        self.summary_label.setText(_("The proposals could not be worked out."))
        self._fail(error)

    def _fail(self, error: HyllaError) -> None:
        self.error_label.setText(error.message)
        self.error_label.show()
        feedback.show_error(self, error.message)

    # --- the tree ------------------------------------------------------------------------
    def _show(self, result: ProposalRun | None) -> None:
        """Fill the tree: supplier rows with their lines under them."""
        selected = self.selected_line()
        self.model.blockSignals(True)
        self.model.removeRows(0, self.model.rowCount())
        if result is not None:
            by_supplier: dict[int | None, list[ProposalLine]] = {}
            for line in result.lines:
                by_supplier.setdefault(line.supplier_id, []).append(line)
            for total in result.suppliers:
                parent = self._supplier_row(total)
                for line in by_supplier.get(total.supplier_id, []):
                    parent[0].appendRow(self._line_row(line, dismissed=False))
                self.model.appendRow(parent)
            if self.dismissed_check.isChecked() and result.dismissed:
                parent = self._dismissed_row(len(result.dismissed))
                for line in result.dismissed:
                    parent[0].appendRow(self._line_row(line, dismissed=True))
                self.model.appendRow(parent)
        self.model.blockSignals(False)
        self.tree.expandAll()
        self._apply_filter(self.filter_edit.text())
        self._update_totals()
        shown = result is not None and bool(result.lines)
        self.empty_hint.setVisible(result is not None and not shown)
        if result is not None and not shown:
            self.empty_hint.setText(
                _("Nothing needs ordering today. {message}").format(message=result.message)
            )
        target = self._find_line(selected.item_id) if selected is not None else None
        if target is None and shown:
            target = self.model.index(0, 0, self.model.index(0, 0))
        if target is not None and target.isValid():
            self.tree.setCurrentIndex(target)
        else:
            self._show_detail(None)
        self._update_actions()

    def _cells(self, texts: list[str], *, numeric: set[int]) -> list[QStandardItem]:
        cells = []
        for column, text in enumerate(texts):
            cell = QStandardItem(text)
            cell.setEditable(False)
            if column in numeric:
                cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            cells.append(cell)
        return cells

    def _supplier_row(self, total: SupplierTotal) -> list[QStandardItem]:
        code = total.code if total.supplier_id is not None else _("No supplier")
        name = total.name
        if total.note:
            name = f"{name} · {total.note}" if name else total.note
        lines = ngettext("{n} line", "{n} lines", total.lines).format(n=fmt_count(total.lines))
        value = f"{fmt_money(total.value)} {total.currency}" if total.supplier_id else ""
        texts = [code, name, "", "", "", "", lines, "", "", value]
        texts.append(fmt_date(total.order_date) if total.supplier_id else "")
        row = self._cells(texts, numeric={self.QUANTITY, self.VALUE})
        bold = QFont(row[0].font())
        bold.setBold(True)
        for cell in row:
            cell.setFont(bold)
            cell.setData(SUPPLIER_ROW, KIND_ROLE)
            cell.setToolTip(total.note or total.name)
        if total.below_minimum or total.supplier_id is None:
            row[self.NAME].setForeground(ALERT)
            row[self.ITEM].setIcon(icon("warning"))
        row[0].setData(total, LINE_ROLE)
        return row

    def _dismissed_row(self, count: int) -> list[QStandardItem]:
        texts = [_("Dismissed ({n})").format(n=fmt_count(count))] + [""] * 10
        row = self._cells(texts, numeric=set())
        for cell in row:
            cell.setData(DISMISSED_ROW, KIND_ROLE)
            cell.setForeground(MUTED)
        return row

    def _quantity_of(self, line: ProposalLine) -> Decimal:
        return self._edited.get((line.item_id, line.fingerprint), line.quantity)

    def _line_row(self, line: ProposalLine, *, dismissed: bool) -> list[QStandardItem]:
        quantity = self._quantity_of(line)
        # What the available stock is held against: the reorder point (worked out, shown to
        # a tenth), or the minimum (as set).
        if line.policy is Policy.MIN_MAX:
            trigger = line.min_qty
        elif line.reorder_point is not None:
            trigger = line.reorder_point.quantize(Decimal("0.1"))
        else:
            trigger = None
        texts = [
            line.sku,
            line.name,
            policy_label(line.policy),
            line.abc_class or "",
            fmt_qty(line.available),
            fmt_qty(trigger) if trigger is not None else "",
            fmt_qty_edit(quantity) if line.proposed else "",
            line.unit,
            self._packs_text(line, quantity),
            f"{fmt_money(line.value)}" if line.proposed and line.supplier_id else "",
            fmt_date(line.order_date) if line.proposed and line.supplier_id else "",
        ]
        row = self._cells(
            texts, numeric={self.AVAILABLE, self.TRIGGER, self.QUANTITY, self.PACKS, self.VALUE}
        )
        for cell in row:
            cell.setData(LINE_ROW if not dismissed else DISMISSED_ROW, KIND_ROLE)
            cell.setData(line, LINE_ROLE)
        first = row[self.ITEM]
        if line.orderable and not dismissed:
            first.setCheckable(True)
            first.setCheckState(Qt.CheckState.Checked)
            first.setToolTip(_("Ticked lines are ordered"))
            row[self.QUANTITY].setEditable(True)
            row[self.QUANTITY].setToolTip(_("Double-click or type to change the quantity"))
        if line.available < 0:
            row[self.AVAILABLE].setForeground(ALERT)
        if line.warnings:
            first.setIcon(icon("warning"))
        if dismissed or line.kind is LineKind.MANUAL:
            for cell in row:
                cell.setForeground(MUTED)
                font = cell.font()
                font.setItalic(True)
                cell.setFont(font)
        return row

    def _packs_text(self, line: ProposalLine, quantity: Decimal) -> str:
        if not line.proposed or line.pack_size <= 1 or quantity <= 0:
            return ""
        packs = (quantity / line.pack_size).quantize(Decimal(1))
        return f"{fmt_count(int(packs))} × {fmt_qty(line.pack_size)}"

    def _line_rows(self) -> list[tuple[QModelIndex, ProposalLine]]:
        """Every line row (not the dismissed ones) with its line."""
        found = []
        for group in range(self.model.rowCount()):
            parent = self.model.index(group, 0)
            if parent.data(KIND_ROLE) != SUPPLIER_ROW:
                continue
            for row in range(self.model.rowCount(parent)):
                index = self.model.index(row, 0, parent)
                found.append((index, index.data(LINE_ROLE)))
        return found

    def _find_line(self, item_id: int) -> QModelIndex | None:
        for group in range(self.model.rowCount()):
            parent = self.model.index(group, 0)
            for row in range(self.model.rowCount(parent)):
                index = self.model.index(row, 0, parent)
                line = index.data(LINE_ROLE)
                if isinstance(line, ProposalLine) and line.item_id == item_id:
                    return index
        return None

    def lines_shown(self) -> list[ProposalLine]:
        """The lines in the tree (not filtered out, dismissed ones not included)."""
        return [
            line
            for index, line in self._line_rows()
            if not self.tree.isRowHidden(index.row(), index.parent())
        ]

    def _apply_filter(self, text: str) -> None:
        words = text.lower().split()
        for group in range(self.model.rowCount()):
            parent = self.model.index(group, 0)
            supplier = (parent.data() or "").lower()
            visible = 0
            for row in range(self.model.rowCount(parent)):
                index = self.model.index(row, 0, parent)
                line = index.data(LINE_ROLE)
                hay = supplier
                if isinstance(line, ProposalLine):
                    hay = "\n".join((line.sku, line.name, supplier)).lower()
                hidden = bool(words) and not all(word in hay for word in words)
                self.tree.setRowHidden(row, parent, hidden)
                visible += not hidden
            self.tree.setRowHidden(group, QModelIndex(), bool(words) and visible == 0)

    # --- ticking and editing ---------------------------------------------------------------
    def _ticked(self) -> list[tuple[ProposalLine, Decimal]]:
        return [
            (line, self._quantity_of(line))
            for index, line in self._line_rows()
            if self.model.itemFromIndex(index).checkState() == Qt.CheckState.Checked
        ]

    def _ticked_count(self) -> int:
        return len(self._ticked())

    def _update_totals(self) -> None:
        ticked = self._ticked()
        values: dict[str, Decimal] = {}
        for line, quantity in ticked:
            values[line.currency] = values.get(line.currency, Decimal(0)) + (
                quantity * line.unit_price
            )
        money = ", ".join(
            f"{fmt_money(value)} {currency}" for currency, value in sorted(values.items())
        )
        self.ticked_label.setText(
            ngettext(
                "{n} line ticked ({value}).", "{n} lines ticked ({value}).", len(ticked)
            ).format(n=fmt_count(len(ticked)), value=money or "0")
            if ticked
            else _("No lines ticked.")
        )
        self.order_button.setEnabled(bool(ticked) and self._task is None)

    def _item_changed(self, item: QStandardItem) -> None:
        if item.column() == self.ITEM:
            self._update_totals()
            return
        if item.column() != self.QUANTITY:
            return
        line = item.data(LINE_ROLE)
        if not isinstance(line, ProposalLine) or line.supplier_id is None:
            return
        text = item.text().strip()
        if text == fmt_qty_edit(self._quantity_of(line)):
            return
        self._checking.add(line.item_id)
        self._runner.run(
            proposals.check_quantity,
            line.item_id,
            line.supplier_id,
            text,
            on_done=lambda quantity: self._quantity_set(line, quantity),
            on_error=lambda error: self._quantity_refused(line, error),
            owner=self,
        )

    def set_quantity(self, item_id: int, text: str) -> None:
        """Type ``text`` as the quantity of ``item_id``'s line (as the editor would)."""
        index = self._find_line(item_id)
        if index is None:
            return
        cell = self.model.itemFromIndex(index.siblingAtColumn(self.QUANTITY))
        cell.setText(text)

    def _quantity_set(self, line: ProposalLine, quantity: Decimal) -> None:
        self._checking.discard(line.item_id)
        self._edited[(line.item_id, line.fingerprint)] = quantity
        self.error_label.hide()
        self._refresh_line(line)
        self.status_message.emit(
            _("{sku}: order {qty} {unit}.").format(
                sku=line.sku, qty=fmt_qty(quantity), unit=line.unit
            )
        )

    def _quantity_refused(self, line: ProposalLine, error: HyllaError) -> None:
        self._checking.discard(line.item_id)
        self._refresh_line(line)
        self.error_label.setText(error.message)
        self.error_label.show()
        self.status_message.emit(error.message)

    def _refresh_line(self, line: ProposalLine) -> None:
        index = self._find_line(line.item_id)
        if index is None:
            return
        quantity = self._quantity_of(line)
        self.model.blockSignals(True)
        self.model.itemFromIndex(index.siblingAtColumn(self.QUANTITY)).setText(
            fmt_qty_edit(quantity)
        )
        self.model.itemFromIndex(index.siblingAtColumn(self.PACKS)).setText(
            self._packs_text(line, quantity)
        )
        self.model.itemFromIndex(index.siblingAtColumn(self.VALUE)).setText(
            fmt_money(quantity * line.unit_price)
        )
        self.model.blockSignals(False)
        self.tree.viewport().update()
        self._update_totals()

    # --- the selected line -----------------------------------------------------------------
    def selected_line(self) -> ProposalLine | None:
        """The line selected in the tree, if a line (not a supplier) is selected."""
        index = self.tree.currentIndex()
        line = index.siblingAtColumn(0).data(LINE_ROLE) if index.isValid() else None
        return line if isinstance(line, ProposalLine) else None

    def select_line(self, item_id: int) -> bool:
        """Select ``item_id``'s line."""
        index = self._find_line(item_id)
        if index is not None:
            self.tree.setCurrentIndex(index)
        return index is not None

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        value = current.siblingAtColumn(0).data(LINE_ROLE) if current.isValid() else None
        self._show_detail(value)
        self._update_actions()

    def _show_detail(self, value: Any) -> None:
        self._chart_timer.stop()
        is_supplier = isinstance(value, SupplierTotal) and value.supplier_id is not None
        self.order_days_row.setVisible(is_supplier)
        # A supplier row has no demand of its own to draw.
        self.chart.setVisible(not isinstance(value, SupplierTotal))
        if isinstance(value, SupplierTotal) and value.supplier_id is not None:
            for day, check in enumerate(self.day_checks):
                check.setChecked(day in value.order_days)
        if isinstance(value, SupplierTotal):
            name = _("No supplier") if value.supplier_id is None else f"{value.code} — {value.name}"
            self.detail_title.setText(name)
            self.explanation.setText(
                value.note
                or ngettext(
                    "{n} line, {value} {currency}.", "{n} lines, {value} {currency}.", value.lines
                ).format(
                    n=fmt_count(value.lines), value=fmt_money(value.value), currency=value.currency
                )
            )
            self.warnings_label.hide()
            self.chart.clear()
            return
        if not isinstance(value, ProposalLine):
            self.detail_title.setText(_("Select a line to see why it is proposed."))
            self.explanation.setText("")
            self.warnings_label.hide()
            self.chart.clear()
            return
        self.detail_title.setText(f"{value.sku} — {value.name}")
        self.explanation.setText(value.explanation)
        self.warnings_label.setText("\n".join(f"⚠ {text}" for text in value.warnings))
        self.warnings_label.setVisible(bool(value.warnings))
        cached = self._charts.get(value.item_id)
        if cached is not None:
            self.chart.show_weeks(cached, value.forecast_daily, value.unit)
            self.chart_shown.emit(value.item_id)
        else:
            self.chart.clear()
            self._chart_item = value.item_id
            self._chart_timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        # A chart asked for just before the page went away is not wanted any more.
        self._chart_timer.stop()
        super().hideEvent(event)

    def _load_chart(self) -> None:
        line = self.selected_line()
        if line is None or line.item_id != self._chart_item or self.run_result is None:
            return
        if not self.isVisible():
            return
        item_id = line.item_id
        # A read, not a write: the chart never queues behind another workstation.
        self._runner.call(
            self._runner.db.read,
            demand.weekly_demand,
            item_id,
            self.run_result.as_of,
            CHART_WEEKS,
            on_done=lambda weeks: self._chart_loaded(item_id, weeks),
            on_error=lambda error: self.status_message.emit(error.message),
            owner=self,
        )

    def _chart_loaded(self, item_id: int, weeks: list[WeekDemand]) -> None:
        self._charts[item_id] = weeks
        line = self.selected_line()
        if line is not None and line.item_id == item_id:
            self.chart.show_weeks(weeks, line.forecast_daily, line.unit)
            self.chart_shown.emit(item_id)

    def _update_actions(self) -> None:
        index = self.tree.currentIndex()
        kind = index.data(KIND_ROLE) if index.isValid() else None
        line = self.selected_line()
        self.dismiss_button.setEnabled(line is not None and kind == LINE_ROW and line.proposed)
        self.restore_button.setVisible(kind == DISMISSED_ROW and line is not None)
        # Only a line can be dismissed: a supplier row has nothing to dismiss.
        self.dismiss_button.setVisible(kind not in (DISMISSED_ROW, SUPPLIER_ROW))
        self.note_edit.setVisible(self.dismiss_button.isVisible())
        self.note_edit.setEnabled(self.dismiss_button.isEnabled())

    # --- planning settings and order days ----------------------------------------------------
    def open_settings(self) -> PlanningSettingsDialog:
        """The planning settings; saving them runs the proposals again."""
        dialog = PlanningSettingsDialog(self._runner, self._user, self.window())
        dialog.saved.connect(lambda _settings: self._settings_saved())
        dialog.open()
        self.dialog_opened.emit(dialog)
        return dialog

    def _settings_saved(self) -> None:
        self.status_message.emit(_("Planning settings saved; the proposals are run again."))
        self.run()

    def save_order_days(self) -> None:
        """Store the ticked weekdays as the selected supplier's order days."""
        index = self.tree.currentIndex()
        total = index.siblingAtColumn(0).data(LINE_ROLE) if index.isValid() else None
        if not isinstance(total, SupplierTotal) or total.supplier_id is None:
            return
        days = [day for day, check in enumerate(self.day_checks) if check.isChecked()]
        self._runner.run(
            proposals.set_supplier_order_days,
            self._user.id,
            total.supplier_id,
            days,
            on_done=lambda saved: self._order_days_saved(total, saved),
            on_error=self._fail,
            owner=self,
        )

    def _order_days_saved(self, total: SupplierTotal, days: tuple[int, ...]) -> None:
        if days:
            message = _("{supplier} takes orders on {days}.").format(
                supplier=total.code, days=proposals.weekday_names(days)
            )
        else:
            message = _("{supplier} takes orders any day.").format(supplier=total.code)
        self.status_message.emit(message)
        self.run()

    # --- dismissing ------------------------------------------------------------------------
    def dismiss_selected(self) -> None:
        """Hide the selected line until its situation changes."""
        line = self.selected_line()
        if line is None or not line.proposed:
            return
        note = self.note_edit.text()
        self._runner.run(
            proposals.dismiss_proposal,
            self._user.id,
            line,
            note,
            on_done=lambda _none: self._dismissed(line),
            on_error=self._fail,
            owner=self,
        )

    def _dismissed(self, line: ProposalLine) -> None:
        self.note_edit.clear()
        if self.run_result is not None:
            result = self.run_result
            kept = tuple(other for other in result.lines if other.item_id != line.item_id)
            self.run_result = ProposalRun(
                as_of=result.as_of,
                lines=kept,
                dismissed=(*result.dismissed, line),
                suppliers=result.suppliers,
                items_planned=result.items_planned,
                seconds=result.seconds,
                message=result.message,
            )
            self._show(self.run_result)
        self.status_message.emit(
            _("{sku} is dismissed until its situation changes.").format(sku=line.sku)
        )

    def restore_selected(self) -> None:
        """Bring the selected dismissed line back (from the next run on)."""
        line = self.selected_line()
        if line is None:
            return
        self._runner.run(
            proposals.restore_proposal,
            self._user.id,
            line.item_id,
            on_done=lambda _none: self._restored(line),
            on_error=self._fail,
            owner=self,
        )

    def _restored(self, line: ProposalLine) -> None:
        self.status_message.emit(_("{sku} will be proposed again.").format(sku=line.sku))
        self.run()

    # --- ordering ------------------------------------------------------------------------
    def order_ticked(self) -> None:
        """Make draft purchase orders of the ticked lines, one per supplier."""
        if self._checking:
            self.status_message.emit(_("Wait a moment: a quantity is being checked."))
            return
        ticked = self._ticked()
        if not ticked:
            self.status_message.emit(_("Tick the lines to order first."))
            return
        suppliers = {line.supplier_id for line, _quantity in ticked}
        question = ngettext(
            "Order {n} line as a draft purchase order to {s} supplier?",
            "Order {n} lines as draft purchase orders to {s} suppliers?",
            len(ticked),
        ).format(n=len(ticked), s=len(suppliers))
        if not feedback.ask(
            self, _("Order proposals"), question, _("Make draft orders"), _("Not now")
        ):
            return
        lines = [AcceptLine.of(line, quantity) for line, quantity in ticked]
        self.order_button.setEnabled(False)
        self._runner.run(
            proposals.accept_proposals,
            self._user.id,
            lines,
            on_done=self._ordered,
            on_error=self._order_failed,
            owner=self,
        )

    def _order_failed(self, error: HyllaError) -> None:
        self._update_totals()
        self._fail(error)

    def _ordered(self, result: AcceptResult) -> None:
        self.orders = list(result.orders)
        self.orders_label.setText(
            _("Draft orders: {orders}").format(orders=", ".join(po.number for po in result.orders))
        )
        self.orders_label.show()
        self.pdf_button.show()
        self.status_message.emit(result.message)
        self.accepted.emit(result)
        self.data_changed.emit()
        self.run()
        question = ngettext(
            "{orders} is made as a draft. Save its PDF for the supplier now?",
            "{orders} are made as drafts. Save their PDFs for the suppliers now?",
            len(result.orders),
        ).format(orders=", ".join(po.number for po in result.orders))
        if feedback.ask(self, _("Orders made"), question, _("Save PDF"), _("Not now")):
            self.save_order_pdfs()

    def save_order_pdfs(self) -> None:
        """Save the PDF of each order just made: one order where the user says, several
        into one folder the user chooses (one question, not one per supplier), each
        named by its number."""
        if len(self.orders) == 1:
            po = self.orders[0]
            path = documents.choose_pdf_path(
                self,
                _("Save purchase order {number} as PDF").format(number=po.number),
                documents.suggested_pdf_path(self._settings, po.number),
            )
            if path is not None:
                self._save_pdfs([(po, path)], path.parent)
            return
        folder = documents.choose_pdf_folder(
            self,
            _("Save the {n} purchase orders as PDF in").format(n=len(self.orders)),
            self._settings,
        )
        if folder is None:
            return
        targets = [(po, folder / f"{po.number}.pdf") for po in self.orders]
        there = [path.name for _po, path in targets if path.exists()]
        if there and not feedback.ask(
            self,
            _("Replace files?"),
            ngettext(
                "{files} is already in {folder}. Replace it?",
                "{files} are already in {folder}. Replace them?",
                len(there),
            ).format(files=", ".join(there), folder=folder),
            _("Replace"),
            _("Not now"),
        ):
            return
        self._save_pdfs(targets, folder)

    def _save_pdfs(self, targets: list[tuple[PurchaseOrderDetail, Path]], folder: Path) -> None:
        self._settings.setValue("documents/folder", str(folder))
        for po, path in targets:
            self._runner.run(
                purchase_orders.purchase_order_pdf,
                po.id,
                on_done=functools.partial(self._write_pdf, path=path, number=po.number),
                on_error=self._fail,
                owner=self,
            )

    def _write_pdf(self, pdf: bytes, *, path: Path, number: str) -> None:
        if not documents.write_pdf(self, pdf, path):
            return
        self.status_message.emit(_("{number} saved: {path}").format(number=number, path=path))
        self.pdf_saved.emit(path)
        if len(self.orders) == 1 and feedback.ask(
            self,
            _("Order saved"),
            _("{number} is saved in {path}. Open it now?").format(number=number, path=path),
            _("Open"),
            _("Not now"),
        ):
            documents.open_pdf(path)

    def as_of(self) -> dt.date | None:
        """The day of the proposals shown."""
        return self.run_result.as_of if self.run_result is not None else None
