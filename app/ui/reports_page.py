"""The Reports page: pick one of the five management reports, its period or the day it is
as of, PDF or CSV; it is made on the database worker with a progress bar (and can be
cancelled), saved where the user chose and offered to be opened.

The reports speak the window's language, numbers and dates included. The dates are
checked (``reports.check_request``, which needs no database) before the save dialog
opens, so a wrong period is said at once, beside the fields.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, QSettings, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.services import reports
from app.services.errors import HyllaError, ValidationError
from app.services.reports import ReportKind, ReportRequest
from app.ui import feedback, widgets
from app.ui.purchase_orders_page import choose_pdf_path, suggested_pdf_path, write_pdf
from app.ui.runner import Runner, TaskCancelled, TaskHandle
from app.ui.widgets import error_label

DATE_FORMAT = "yyyy-MM-dd"


def open_file(path: Path) -> bool:
    """Open ``path`` with the desktop's program for it (a PDF viewer, a spreadsheet)."""
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(edit: QDateEdit) -> dt.date:
    day = edit.date()
    return dt.date(day.year(), day.month(), day.day())


def _date_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_FORMAT)
    return edit


class ReportsPage(QWidget):
    """Choose a report and its dates, make it in the background, save and open it."""

    status_message = Signal(str)
    #: A report was saved (its path).
    report_saved = Signal(object)
    #: Making a report failed or was cancelled (the message shown).
    report_failed = Signal(str)

    def __init__(
        self, runner: Runner, parent: QWidget | None = None, settings: QSettings | None = None
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._settings = settings if settings is not None else QSettings()
        self._task: TaskHandle | None = None

        heading = QLabel(_("Reports"))
        heading.setProperty("role", "heading")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        heading.setFont(font)

        self.report_list = QListWidget()
        self.report_list.setObjectName("report_list")
        self.report_list.setMaximumWidth(300)
        for kind in ReportKind:
            entry = QListWidgetItem(reports.report_title(kind))
            entry.setData(Qt.ItemDataRole.UserRole, kind.value)
            self.report_list.addItem(entry)

        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setProperty("role", "muted")

        today = reports.local_today()
        start, end = reports.default_period(today)
        self.from_edit = _date_edit("report_from")
        self.to_edit = _date_edit("report_to")
        self.as_of_edit = _date_edit("report_as_of")
        self.from_edit.setDate(_qdate(start))
        self.to_edit.setDate(_qdate(end))
        self.as_of_edit.setDate(_qdate(today))
        for edit in (self.from_edit, self.to_edit, self.as_of_edit):
            edit.setMaximumDate(_qdate(today))
            edit.dateChanged.connect(self._clear_error)

        self.pdf_radio = QRadioButton(_("&PDF to read and print"))
        self.csv_radio = QRadioButton(_("C&SV for a spreadsheet"))
        self.pdf_radio.setChecked(True)
        self._formats = QButtonGroup(self)
        self._formats.addButton(self.pdf_radio)
        self._formats.addButton(self.csv_radio)
        format_row = QHBoxLayout()
        format_row.addWidget(self.pdf_radio)
        format_row.addWidget(self.csv_radio)
        format_row.addStretch(1)

        self.form = QFormLayout()
        self.form.addRow(_("&From"), self.from_edit)
        self.form.addRow(_("&To"), self.to_edit)
        self.form.addRow(_("&As of the end of"), self.as_of_edit)
        self.form.addRow(_("Format"), format_row)

        self.error = error_label()
        self.make_button = QPushButton(_("&Make report…"))
        self.make_button.setObjectName("make_report")
        self.make_button.setDefault(True)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.setObjectName("cancel_report")
        self.cancel_button.hide()
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setMaximumWidth(260)
        self.progress.hide()
        self.progress_label = QLabel()
        self.progress_label.setProperty("role", "muted")
        buttons = QHBoxLayout()
        buttons.addWidget(self.make_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.progress)
        buttons.addWidget(self.progress_label, 1)

        right = QVBoxLayout()
        self.report_heading = QLabel()
        self.report_heading.setProperty("role", "heading")
        right.addWidget(self.report_heading)
        right.addWidget(self.description)
        right.addSpacing(8)
        right.addLayout(self.form)
        right.addWidget(self.error)
        right.addSpacing(8)
        right.addLayout(buttons)
        right.addStretch(1)

        body = QHBoxLayout()
        body.addWidget(self.report_list)
        body.addSpacing(12)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(heading)
        layout.addLayout(body, 1)

        self.report_list.currentRowChanged.connect(self._report_chosen)
        self.make_button.clicked.connect(self.make_report)
        self.cancel_button.clicked.connect(self.cancel)
        self.report_list.setCurrentRow(0)

    # --- the page protocol ---------------------------------------------------------------
    def activate(self) -> None:
        """Shown: nothing to load; the report list takes the keyboard."""
        self.report_list.setFocus(Qt.FocusReason.OtherFocusReason)

    def refresh(self) -> None:
        """Nothing is listed from the database here."""

    def mark_stale(self) -> None:
        """Reports read the data when made; nothing goes stale."""

    def focus_filter(self) -> None:
        """Ctrl+F: the report list."""
        self.report_list.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # --- choosing -------------------------------------------------------------------------
    def current_kind(self) -> ReportKind:
        """The report chosen in the list."""
        entry = self.report_list.currentItem()
        value = entry.data(Qt.ItemDataRole.UserRole) if entry is not None else None
        return ReportKind(value) if value else ReportKind.TURNOVER

    def select_report(self, kind: ReportKind) -> None:
        """Choose ``kind`` in the list."""
        self.report_list.setCurrentRow(list(ReportKind).index(kind))

    def _report_chosen(self, _row: int) -> None:
        kind = self.current_kind()
        self.report_heading.setText(reports.report_title(kind))
        self.description.setText(reports.report_description(kind))
        period = reports.is_period_report(kind)
        for edit in (self.from_edit, self.to_edit):
            self.form.setRowVisible(edit, period)
        self.form.setRowVisible(self.as_of_edit, not period)
        self._clear_error()

    def _clear_error(self) -> None:
        self.error.hide()
        for edit in (self.from_edit, self.to_edit, self.as_of_edit):
            widgets.mark_error(edit, False)

    def request(self) -> ReportRequest:
        """The report and dates as chosen on the page."""
        kind = self.current_kind()
        if reports.is_period_report(kind):
            return ReportRequest(kind, start=_pydate(self.from_edit), end=_pydate(self.to_edit))
        return ReportRequest(kind, as_of=_pydate(self.as_of_edit))

    # --- making ---------------------------------------------------------------------------
    def make_report(self) -> None:
        """Check the dates, ask where to save, and make the report in the background."""
        if self._task is not None:
            return
        try:
            request = reports.check_request(self.request())
        except ValidationError as exc:
            self._show_error(exc)
            return
        as_csv = self.csv_radio.isChecked()
        path = self._choose_path(request, as_csv)
        if path is None:
            return
        self._settings.setValue("documents/folder", str(path.parent))
        title = reports.report_title(request.kind)
        self._busy(True, _("Making “{report}”…").format(report=title))
        if as_csv:
            self._task = self._runner.run(
                reports.write_report_csv,
                request,
                path,
                on_done=lambda rows: self._csv_written(path, title, rows),
                on_error=self._failed,
                progress=self._progressed,
                owner=self,
            )
        else:
            self._task = self._runner.run(
                reports.report_pdf,
                request,
                on_done=lambda pdf: self._pdf_made(path, title, pdf),
                on_error=self._failed,
                progress=self._progressed,
                owner=self,
            )

    def cancel(self) -> None:
        """Stop the report being made (nothing is written)."""
        if self._task is not None:
            self._task.cancel()
            self.progress_label.setText(_("Cancelling…"))

    def _choose_path(self, request: ReportRequest, as_csv: bool) -> Path | None:
        title = _("Save report")
        if not as_csv:
            name = reports.report_file_name(request, "pdf")
            return choose_pdf_path(self, title, suggested_pdf_path(self._settings, name))
        name = reports.report_file_name(request, "csv")
        folder = str(
            self._settings.value("documents/folder", "")
        ) or QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        start = Path(folder) / name if folder and Path(folder).is_dir() else Path.home() / name
        chosen = widgets.get_save_file_name(self, title, str(start), _("CSV files (*.csv)"))
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() == ".csv" else path.with_name(path.name + ".csv")

    def _show_error(self, error: ValidationError) -> None:
        self.error.setText(error.message)
        self.error.show()
        target = {"start": self.from_edit, "end": self.to_edit, "as_of": self.as_of_edit}.get(
            error.field or ""
        )
        if target is not None:
            widgets.mark_error(target, True)
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _busy(self, busy: bool, message: str = "") -> None:
        self.make_button.setEnabled(not busy)
        self.report_list.setEnabled(not busy)
        self.cancel_button.setVisible(busy)
        self.progress.setVisible(busy)
        self.progress.setRange(0, 0)
        self.progress_label.setText(message)
        if message:
            self.status_message.emit(message)

    def _progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _pdf_made(self, path: Path, title: str, pdf: bytes) -> None:
        self._task = None
        self._busy(False)
        if not write_pdf(self, pdf, path):
            self.report_failed.emit(_("The PDF could not be saved."))
            return
        self._saved(path, _("“{report}” is saved in {path}.").format(report=title, path=path))

    def _csv_written(self, path: Path, title: str, rows: int) -> None:
        self._task = None
        self._busy(False)
        message = ngettext(
            "“{report}” is saved in {path} ({n} row).",
            "“{report}” is saved in {path} ({n} rows).",
            rows,
        ).format(report=title, path=path, n=rows)
        self._saved(path, message)

    def _saved(self, path: Path, message: str) -> None:
        self.progress_label.setText(message)
        self.status_message.emit(message)
        self.report_saved.emit(path)
        if feedback.ask(
            self, _("Report saved"), message + " " + _("Open it now?"), _("Open"), _("Not now")
        ):
            open_file(path)

    def _failed(self, error: HyllaError) -> None:
        self._task = None
        self._busy(False)
        if isinstance(error, TaskCancelled):
            message = _("The report was cancelled; nothing was saved.")
            self.progress_label.setText(message)
            self.status_message.emit(message)
        else:
            message = error.message
            self.progress_label.setText("")
            feedback.show_error(self, message)
        self.report_failed.emit(message)
