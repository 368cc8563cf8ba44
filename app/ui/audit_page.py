"""The Audit trail page: who changed what and when, newest first, with filters and a CSV
export.

Filters: a user, a kind of thing (item, supplier, bin, user, count, receipt…), an
action, a date range (the workstation's local days) and a text searched in the details.
The newest 2,000 matching events are listed, with how many matched in all; the export
writes every matching event, oldest first, as a formula-safe CSV file.

Reading the trail is for managers and administrators (the service refuses others); for
staff the page says so and loads nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.models import Role
from app.services import audit, auth
from app.services.audit import AuditChoices, AuditFilter, AuditResult, AuditRow
from app.services.errors import HyllaError
from app.services.users import UserRef
from app.ui import feedback, widgets
from app.ui.formatting import fmt_count, fmt_datetime
from app.ui.list_page import filter_field
from app.ui.runner import Runner
from app.ui.table_model import Column, RowTableModel
from app.ui.widgets import make_table_view, set_column_widths

SEARCH_DELAY_MS = 300


def audit_columns() -> list[Column[AuditRow]]:
    """Columns of the event list."""
    return [
        Column(_("When"), lambda r: fmt_datetime(r.at), sort_key=lambda r: r.id),
        Column(_("Who"), lambda r: r.user_name),
        Column(_("What"), lambda r: r.entity_text),
        Column(
            _("No."),
            lambda r: "" if r.entity_id is None else str(r.entity_id),
            sort_key=lambda r: r.entity_id,
            numeric=True,
            tooltip=_("The internal number of the thing changed"),
        ),
        Column(_("Action"), lambda r: r.action_text),
        Column(_("Details"), lambda r: r.details_text),
    ]


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class AuditPage(QWidget):
    """The audit trail, filtered."""

    status_message = Signal(str)
    #: Events were shown (an AuditResult).
    events_loaded = Signal(object)
    #: The trail was exported (the number of events written).
    exported = Signal(int)

    WHEN, WHO, WHAT, NUMBER, ACTION, DETAILS = range(6)

    def __init__(
        self,
        runner: Runner,
        user: UserRef,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._user = user
        self._settings = settings
        self.allowed = auth.role_allows(user.role, Role.MANAGER)
        self._stale = True
        self._loading = False
        self._again = False
        self._choices_loaded = False
        self.result: AuditResult | None = None

        self.user_combo = QComboBox()
        self.user_combo.setObjectName("audit_user")
        self.user_combo.addItem(_("Everyone"), None)
        self.entity_combo = QComboBox()
        self.entity_combo.setObjectName("audit_entity")
        self.entity_combo.addItem(_("Everything"), "")
        self.action_combo = QComboBox()
        self.action_combo.setObjectName("audit_action")
        self.action_combo.addItem(_("Any action"), "")
        today = dt.date.today()
        self.from_check = QCheckBox(_("From"))
        self.from_check.setObjectName("audit_from_on")
        self.from_edit = QDateEdit(_qdate(today - dt.timedelta(days=30)))
        self.from_edit.setObjectName("audit_from")
        self.to_check = QCheckBox(_("to"))
        self.to_check.setObjectName("audit_to_on")
        self.to_edit = QDateEdit(_qdate(today))
        self.to_edit.setObjectName("audit_to")
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setEnabled(False)
        self.text_edit = filter_field("audit_text", _("Search the details, e.g. a SKU  (Ctrl+F)"))
        self.text_edit.setMaxLength(audit.MAX_TEXT)
        self.count_label = QLabel()
        self.count_label.setObjectName("audit_count")
        self.count_label.setProperty("role", "muted")
        self.error_label = QLabel()
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.export_button = QPushButton(_("Export CSV…"))
        self.export_button.setObjectName("audit_export")
        self.export_button.setToolTip(_("Write every event that matches the filters to a CSV file"))
        self.not_allowed = QLabel(_("Only managers and administrators can read the audit trail."))
        self.not_allowed.setObjectName("audit_not_allowed")
        self.not_allowed.setWordWrap(True)

        self.model: RowTableModel[AuditRow] = RowTableModel(
            audit_columns(), lambda r: "", parent=self
        )
        self.table = make_table_view(self.model)
        self.table.setObjectName("audit_table")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(self.WHEN, Qt.SortOrder.DescendingOrder)
        set_column_widths(
            self.table,
            {
                self.WHEN: 150,
                self.WHO: 150,
                self.WHAT: 130,
                self.NUMBER: 70,
                self.ACTION: 150,
                self.DETAILS: 400,
            },
            stretch=self.DETAILS,
        )

        filters = QHBoxLayout()
        filters.addWidget(self.user_combo)
        filters.addWidget(self.entity_combo)
        filters.addWidget(self.action_combo)
        filters.addWidget(self.from_check)
        filters.addWidget(self.from_edit)
        filters.addWidget(self.to_check)
        filters.addWidget(self.to_edit)
        filters.addStretch(1)
        search = QHBoxLayout()
        search.addWidget(self.text_edit, 2)
        search.addWidget(self.count_label, 1)
        search.addStretch(1)
        search.addWidget(self.export_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 12, 12, 8)
        column.addWidget(self.not_allowed)
        column.addLayout(filters)
        column.addLayout(search)
        column.addWidget(self.error_label)
        column.addWidget(self.table, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.text_edit.textChanged.connect(lambda _t: self._search_timer.start())
        for combo in (self.user_combo, self.entity_combo, self.action_combo):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.from_check.toggled.connect(self._dates_toggled)
        self.to_check.toggled.connect(self._dates_toggled)
        self.from_edit.dateChanged.connect(lambda _d: self.refresh())
        self.to_edit.dateChanged.connect(lambda _d: self.refresh())
        self.export_button.clicked.connect(self.export)

        self.not_allowed.setVisible(not self.allowed)
        for widget in (
            self.user_combo,
            self.entity_combo,
            self.action_combo,
            self.from_check,
            self.to_check,
            self.text_edit,
            self.export_button,
            self.table,
        ):
            widget.setEnabled(self.allowed)

    # --- the page protocol ---------------------------------------------------------------
    def activate(self) -> None:
        """Shown: load the filters' choices once, and the events when stale."""
        if not self.allowed:
            return
        if not self._choices_loaded:
            self._runner.run(
                audit.audit_choices,
                self._user.id,
                on_done=self._show_choices,
                on_error=self._failed,
                owner=self,
            )
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Load the events that match the filters (one load at a time)."""
        if not self.allowed:
            return
        if self._loading:
            self._again = True
            return
        self._loading = True
        self._again = False
        self._runner.run(
            audit.find_audit_events,
            self._user.id,
            self.current_filter(),
            on_done=self._show_events,
            on_error=self._failed,
            owner=self,
        )

    def mark_stale(self) -> None:
        """Other pages changed data: new events to show when next shown."""
        self._stale = True

    def focus_filter(self) -> None:
        """Put the cursor in the search field (Ctrl+F)."""
        self.text_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.text_edit.selectAll()

    # --- filters ---------------------------------------------------------------------------
    def current_filter(self) -> AuditFilter:
        """The filters as the page shows them."""
        user_id = self.user_combo.currentData()
        return AuditFilter(
            user_id=int(user_id) if user_id is not None else None,
            entity=str(self.entity_combo.currentData() or ""),
            action=str(self.action_combo.currentData() or ""),
            date_from=_pydate(self.from_edit.date()) if self.from_check.isChecked() else None,
            date_to=_pydate(self.to_edit.date()) if self.to_check.isChecked() else None,
            text=self.text_edit.text(),
        )

    def _dates_toggled(self) -> None:
        self.from_edit.setEnabled(self.from_check.isChecked())
        self.to_edit.setEnabled(self.to_check.isChecked())
        self.refresh()

    def _show_choices(self, choices: AuditChoices) -> None:
        self._choices_loaded = True
        for combo in (self.user_combo, self.entity_combo, self.action_combo):
            combo.blockSignals(True)
        for user_id, name in choices.users:
            self.user_combo.addItem(name, user_id)
        for entity in choices.entities:
            self.entity_combo.addItem(audit.entity_label(entity), entity)
        for action in choices.actions:
            self.action_combo.addItem(audit.action_label(action), action)
        for combo in (self.user_combo, self.entity_combo, self.action_combo):
            combo.blockSignals(False)

    # --- events ----------------------------------------------------------------------------
    def _show_events(self, result: AuditResult) -> None:
        self._loading = False
        self._stale = False
        self.result = result
        self.error_label.hide()
        self.model.set_rows(list(result.rows))
        if result.truncated:
            text = _("The newest {shown} of {n} events").format(
                shown=fmt_count(len(result.rows)), n=fmt_count(result.total)
            )
        else:
            text = ngettext("{n} event", "{n} events", result.total).format(
                n=fmt_count(result.total)
            )
        self.count_label.setText(text)
        self.events_loaded.emit(result)
        if self._again:
            self.refresh()

    def _failed(self, error: HyllaError) -> None:
        self._loading = False
        self._again = False
        self.error_label.setText(error.message)
        self.error_label.show()

    # --- export ----------------------------------------------------------------------------
    def export(self) -> None:
        """Ask where, then write every matching event as CSV (on the worker)."""
        if not self.allowed:
            return
        start = str(Path.home() / f"hylla-audit-{dt.date.today().isoformat()}.csv")
        chosen = widgets.get_save_file_name(
            self, _("Export the audit trail"), start, _("CSV files (*.csv)")
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != ".csv":
            path = path.with_name(path.name + ".csv")
        self._runner.run(
            audit.export_audit_csv,
            self._user.id,
            self.current_filter(),
            path,
            on_done=lambda count: self._exported(count, path),
            on_error=lambda error: feedback.show_error(self, error.message),
            owner=self,
        )

    def _exported(self, count: int, path: Path) -> None:
        self.status_message.emit(
            ngettext(
                "Exported {n} event to {path}.", "Exported {n} events to {path}.", count
            ).format(n=fmt_count(count), path=path)
        )
        self.exported.emit(count)
