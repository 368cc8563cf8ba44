"""The dialogs of the Counts page: start an ad hoc count, give the lot of a scan that
needs one, send lines for a recount, and save a count's PDFs.

Like the receiving dialogs they open window-modal with ``open()``, never ``exec()``,
answer Enter and Esc, run their service call on the database worker themselves and show
the service's objection beside the field it concerns, so nothing is lost on a mistake.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from pathlib import Path

from PySide6.QtCore import QSettings, QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.models import CountKind
from app.services import counting, counting_queries
from app.services.counting import CountScanOutcome, CountView, RecountRequested
from app.services.counting_queries import Counter, ScopeChoices
from app.services.errors import FieldErrors, HyllaError, ValidationError
from app.services.users import UserRef
from app.ui.formatting import fmt_qty
from app.ui.pdf_actions import save_pdf_then_offer
from app.ui.purchase_orders_page import (
    choose_pdf_path,
    suggested_pdf_path,
)
from app.ui.receipt_dialogs import answer_buttons
from app.ui.runner import Runner
from app.ui.scan_screen import scaled_font
from app.ui.widgets import error_label, mark_error

QUESTION_POINT_SIZE = 16.0
FIELD_POINT_SIZE = 15.0


def fmt_percent(value: Decimal) -> str:
    """A percentage as the language writes it: ``5%`` in English, ``5 %`` in Swedish."""
    return _("{value}%").format(value=fmt_qty(value))


def kind_choices() -> list[tuple[CountKind, str, str]]:
    """The ad hoc kinds of count: the kind, its name and what its scope field wants."""
    return [
        (CountKind.BIN, _("One bin"), _("The bin's code, e.g. B-01-03")),
        (
            CountKind.AISLE,
            _("An aisle (bins whose code starts with…)"),
            _("The start of the bin codes, e.g. B- or B-01-"),
        ),
        (CountKind.ITEM, _("One item, in every bin"), _("The item's SKU")),
        (CountKind.CATEGORY, _("A category of items"), _("The category")),
        (CountKind.FULL, _("Full stock-take (every bin)"), ""),
    ]


def _error_text(error: HyllaError) -> dict[str, str]:
    if isinstance(error, FieldErrors):
        return dict(error.errors)
    if isinstance(error, ValidationError) and error.field:
        return {error.field: error.message}
    return {"": error.message}


class StartCountDialog(QDialog):
    """Start an ad hoc count: of a bin, an aisle, an item, a category, or everything."""

    #: The count was started (its CountView).
    started = Signal(object)
    #: The scope suggestions arrived (for tests).
    choices_loaded = Signal()

    def __init__(self, runner: Runner, user: UserRef, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("start_count_dialog")
        self.setWindowTitle(_("Start a count"))
        self._runner = runner
        self._user = user
        self._choices: ScopeChoices | None = None

        big = scaled_font(self.font(), FIELD_POINT_SIZE)
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("count_kind")
        for kind, title, _hint in kind_choices():
            # Stored as its value: Qt hands a str enum back as a plain str.
            self.kind_combo.addItem(title, kind.value)
        self.scope_edit = QLineEdit()
        self.scope_edit.setObjectName("count_scope")
        self.scope_edit.setMaxLength(100)
        self._suggestions = QStringListModel(self)
        completer = QCompleter(self._suggestions, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.scope_edit.setCompleter(completer)
        self.scope_hint = QLabel()
        self.scope_hint.setProperty("role", "muted")
        self.scope_error = error_label()
        self.blind_check = QCheckBox(_("&Blind: counters do not see the expected quantities"))
        self.blind_check.setObjectName("count_blind")
        self.blind_check.setChecked(True)
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("count_note")
        self.note_edit.setMaxLength(500)
        self.note_edit.setPlaceholderText(_("Optional: why this count"))
        self.other_error = error_label()
        for widget in (self.kind_combo, self.scope_edit, self.note_edit):
            widget.setFont(big)
            widget.setMinimumWidth(360)

        self.start_button, self.cancel_button, buttons = answer_buttons(
            self, _("Start counting"), "start_count_ok", _("Cancel"), _("Esc"), big, self.submit
        )

        form = QFormLayout()
        form.addRow(_("Count:"), self.kind_combo)
        self.scope_title = QLabel(_("Scope:"))
        form.addRow(self.scope_title, self.scope_edit)
        form.addRow("", self.scope_hint)
        form.addRow("", self.scope_error)
        form.addRow("", self.blind_check)
        form.addRow(_("Note:"), self.note_edit)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.other_error)
        column.addWidget(buttons)
        self.setMinimumWidth(560)

        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self.scope_edit.setFocus()
        runner.run(
            counting_queries.count_scope_choices,
            on_done=self._choices_arrived,
            on_error=lambda _error: None,  # suggestions only: typing still works
            owner=self,
        )

    def kind(self) -> CountKind:
        """The kind of count chosen."""
        return CountKind(self.kind_combo.currentData())

    def set_kind(self, kind: CountKind) -> None:
        """Choose ``kind`` in the list."""
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind.value))

    def _choices_arrived(self, choices: ScopeChoices) -> None:
        self._choices = choices
        self._kind_changed()
        self.choices_loaded.emit()

    def _kind_changed(self, *_args: object) -> None:
        kind = self.kind()
        hint = next(h for k, _t, h in kind_choices() if k is kind)
        needs_scope = kind is not CountKind.FULL
        for widget in (self.scope_title, self.scope_edit, self.scope_hint):
            widget.setVisible(needs_scope)
        self.scope_hint.setText(hint)
        self.scope_edit.setPlaceholderText(hint)
        self._show_errors({})
        choices = self._choices
        words: list[str] = []
        if choices is not None:
            if kind is CountKind.BIN:
                words = list(choices.bins)
            elif kind is CountKind.AISLE:
                words = list(choices.aisles)
            elif kind is CountKind.ITEM:
                words = [sku for sku, _name in choices.items]
            elif kind is CountKind.CATEGORY:
                words = list(choices.categories)
        self._suggestions.setStringList(words)

    def submit(self) -> None:
        """Start the count on the worker; its objections appear beside the fields."""
        kind = self.kind()
        scope = self.scope_edit.text().strip() if kind is not CountKind.FULL else ""
        if kind is not CountKind.FULL and not scope:
            self._show_errors(
                {"scope": _("Say what to count: {hint}").format(hint=self.scope_hint.text())}
            )
            return
        self._show_errors({})
        self.start_button.setEnabled(False)
        self._runner.run(
            counting.start_count,
            self._user.id,
            kind,
            scope,
            blind=self.blind_check.isChecked(),
            note=self.note_edit.text().strip(),
            on_done=self._started,
            on_error=self._failed,
            owner=self,
        )

    def _started(self, view: CountView) -> None:
        self.started.emit(view)
        self.accept()

    def _failed(self, error: HyllaError) -> None:
        self.start_button.setEnabled(True)
        self._show_errors(_error_text(error))

    def _show_errors(self, errors: dict[str, str]) -> None:
        errors = dict(errors)
        scope = errors.pop("scope", "")
        self.scope_error.setText(scope)
        self.scope_error.setVisible(bool(scope))
        mark_error(self.scope_edit, bool(scope))
        if scope:
            self.scope_edit.setFocus()
            self.scope_edit.selectAll()
        rest = "\n".join(errors.values())
        self.other_error.setText(rest)
        self.other_error.setVisible(bool(rest))


class LotChoiceDialog(QDialog):
    """Ask which lot a scan (or typed count) is of, and finish it with
    ``counting.complete_scan``; the lots the system has in the bin are offered."""

    #: The scan was completed (a CountScanOutcome).
    completed = Signal(object)

    def __init__(
        self,
        runner: Runner,
        user: UserRef,
        count_id: int,
        outcome: CountScanOutcome,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        assert outcome.pending is not None
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("count_lot_dialog")
        self.setWindowTitle(_("Lot number"))
        self._runner = runner
        self._user = user
        self._count_id = count_id
        self._pending = outcome.pending
        big = scaled_font(self.font(), FIELD_POINT_SIZE)
        quantity = outcome.quantity if outcome.quantity is not None else outcome.pending.quantity
        self.item_label = QLabel(
            _("{qty} × {name} ({sku}): which lot?").format(
                qty=fmt_qty(quantity), name=outcome.name, sku=outcome.sku
            )
        )
        self.item_label.setObjectName("count_lot_item")
        self.item_label.setWordWrap(True)
        self.item_label.setFont(scaled_font(self.font(), QUESTION_POINT_SIZE, bold=True))
        self.lot_combo = QComboBox()
        self.lot_combo.setObjectName("count_lot")
        self.lot_combo.setEditable(True)
        self.lot_combo.addItems(list(outcome.lot_choices))
        self.lot_combo.setCurrentText(
            outcome.lot or (outcome.lot_choices[0] if outcome.lot_choices else "")
        )
        self.lot_combo.setFont(big)
        self.lot_combo.setMinimumWidth(300)
        line_edit = self.lot_combo.lineEdit()
        if line_edit is not None:
            line_edit.setPlaceholderText(_("As printed on the goods"))
            line_edit.setMaxLength(64)
            # An editable combo keeps Enter for itself: it means "count it" here too.
            line_edit.returnPressed.connect(self.submit)
        self.lot_error = error_label()
        self.ok_button, self.cancel_button, buttons = answer_buttons(
            self,
            _("Count it"),
            "count_lot_ok",
            _("Do not count it"),
            _("Esc: nothing of this scan is saved"),
            big,
            self.submit,
        )
        form = QFormLayout()
        lot_title = QLabel(_("Lot:"))
        lot_title.setFont(big)
        form.addRow(lot_title, self.lot_combo)
        form.addRow("", self.lot_error)
        column = QVBoxLayout(self)
        column.addWidget(self.item_label)
        column.addLayout(form)
        column.addWidget(buttons)
        self.setMinimumWidth(520)
        self.lot_combo.setFocus()

    def submit(self) -> None:
        """Complete the scan with the lot chosen or typed."""
        if not self.ok_button.isEnabled():
            return  # already on its way
        lot = self.lot_combo.currentText().strip()
        if not lot:
            self._failed(ValidationError(_("Give the lot as printed on the goods."), "lot"))
            return
        self.ok_button.setEnabled(False)
        self._runner.run(
            counting.complete_scan,
            self._user.id,
            self._count_id,
            self._pending,
            lot=lot,
            on_done=self._done,
            on_error=self._failed,
            owner=self,
        )

    def _done(self, outcome: CountScanOutcome) -> None:
        self.completed.emit(outcome)
        self.accept()

    def _failed(self, error: HyllaError) -> None:
        self.ok_button.setEnabled(True)
        errors = _error_text(error)
        message = "\n".join(errors.values())
        self.lot_error.setText(message)
        self.lot_error.setVisible(bool(message))
        mark_error(self.lot_combo, bool(message))


class RecountDialog(QDialog):
    """Send lines back to be counted again, assigned to someone (ideally not the person
    who counted them); the service's answer (and warning) comes back as ``requested``."""

    #: The recount was requested (a RecountRequested).
    requested = Signal(object)

    def __init__(
        self,
        runner: Runner,
        user: UserRef,
        count_id: int,
        line_ids: Sequence[int],
        previous_counters: list[str],
        counters: list[Counter],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("recount_dialog")
        self.setWindowTitle(_("Recount"))
        self._runner = runner
        self._user = user
        self._count_id = count_id
        self._line_ids = list(line_ids)
        big = scaled_font(self.font(), FIELD_POINT_SIZE)
        self.question_label = QLabel(
            _(
                "Count {n} lines again? Their earlier counts stay in the log but no longer count."
            ).format(n=len(line_ids))
        )
        self.question_label.setWordWrap(True)
        self.question_label.setFont(scaled_font(self.font(), QUESTION_POINT_SIZE, bold=True))
        self.previous_label = QLabel(
            _("Counted so far by: {names}. Someone else is best.").format(
                names=", ".join(previous_counters)
            )
            if previous_counters
            else ""
        )
        self.previous_label.setWordWrap(True)
        self.previous_label.setVisible(bool(previous_counters))
        self.assign_combo = QComboBox()
        self.assign_combo.setObjectName("recount_assign")
        self.assign_combo.setFont(big)
        self.assign_combo.addItem(_("Anyone"), None)
        others_first = sorted(counters, key=lambda c: c.name in previous_counters)
        for counter in others_first:
            self.assign_combo.addItem(counter.name, counter.id)
        # The first person who has not counted these lines yet is proposed.
        proposed = next(
            (n for n, c in enumerate(others_first) if c.name not in previous_counters), None
        )
        if proposed is not None:
            self.assign_combo.setCurrentIndex(proposed + 1)
        self.error = error_label()
        self.ok_button, self.cancel_button, buttons = answer_buttons(
            self, _("Recount"), "recount_ok", _("Cancel"), _("Esc"), big, self.submit
        )
        form = QFormLayout()
        form.addRow(_("Assign to:"), self.assign_combo)
        column = QVBoxLayout(self)
        column.addWidget(self.question_label)
        column.addWidget(self.previous_label)
        column.addLayout(form)
        column.addWidget(self.error)
        column.addWidget(buttons)
        self.setMinimumWidth(520)
        self.assign_combo.setFocus()

    def assign_to(self) -> int | None:
        """The user chosen (None: anyone)."""
        chosen = self.assign_combo.currentData()
        return int(chosen) if chosen is not None else None

    def submit(self) -> None:
        """Request the recount on the worker."""
        self.ok_button.setEnabled(False)
        self._runner.run(
            counting.request_recount,
            self._user.id,
            self._count_id,
            self._line_ids,
            self.assign_to(),
            on_done=self._done,
            on_error=self._failed,
            owner=self,
        )

    def _done(self, result: RecountRequested) -> None:
        self.requested.emit(result)
        self.accept()

    def _failed(self, error: HyllaError) -> None:
        self.ok_button.setEnabled(True)
        self.error.setText(error.message)
        self.error.show()


# --- the count's PDFs ------------------------------------------------------------------------


def save_count_pdf(
    parent: QWidget,
    runner: Runner,
    settings: QSettings,
    count_id: int,
    number: str,
    *,
    variance: bool,
    user_id: int,
    on_saved: Callable[[Path], None],
) -> bool:
    """Ask where to save the count sheet (or, with ``variance``, the variance report) of
    count ``number``, make it on the worker, write it and offer to open it. The report
    is made for ``user_id`` (a blind count's variances are for managers only).

    Returns False when the user cancelled the file dialog."""
    if variance:
        title = _("Save variance report")
        name = _("{number} variance report.pdf").format(number=number)
        make: Callable[..., bytes] = partial(counting.variance_report_pdf, viewer_id=user_id)
    else:
        title = _("Save count sheet")
        name = _("{number} count sheet.pdf").format(number=number)
        make = counting.count_sheet_pdf
    path = choose_pdf_path(parent, title, suggested_pdf_path(settings, name))
    if path is None:
        return False
    save_pdf_then_offer(
        parent,
        runner,
        settings,
        path,
        make,
        count_id,
        saved=on_saved,
        title=title,
        question=(
            _("The variance report of {number} is saved in {path}. Open it now?")
            if variance
            else _("The count sheet of {number} is saved in {path}. Open it now?")
        ),
        fields={"number": number},
    )
    return True
