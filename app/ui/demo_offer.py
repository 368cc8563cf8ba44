"""The first-start offer: an empty warehouse can be filled with the demo warehouse.

The check, the question and the work are separate steps so that nothing blocks the
window: the emptiness check and the demo itself run on the database worker, with a
progress dialog that can cancel (the demo is one transaction, so a cancel leaves the
database empty again).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.i18n import _
from app.services import demo
from app.services.demo import DemoSummary
from app.services.errors import HyllaError
from app.services.users import UserRef
from app.ui import feedback
from app.ui.runner import Runner, TaskCancelled, TaskHandle


class DemoOffer(QObject):
    """Asks once, when the database has no items, whether to create the demo warehouse."""

    #: Emitted when the offer is over: True if a demo warehouse was created.
    finished = Signal(bool)
    status_message = Signal(str)

    def __init__(self, window: QWidget, runner: Runner, user: UserRef) -> None:
        super().__init__(window)
        self._window = window
        self._runner = runner
        self._user = user
        self._task: TaskHandle | None = None
        self.progress_dialog: QProgressDialog | None = None

    def start(self) -> None:
        """Check (in the background) whether the database is empty."""
        self._runner.run(
            demo.database_is_empty,
            on_done=self._checked,
            on_error=self._check_failed,
            owner=self._window,
        )

    def _checked(self, empty: bool) -> None:
        if not empty:
            self.finished.emit(False)
            return
        wanted = feedback.ask(
            self._window,
            _("Welcome to Hylla"),
            _("Your warehouse is empty. Fill it with a demo warehouse to try Hylla?"),
            _("Create demo warehouse"),
            _("Start empty"),
        )
        if not wanted:
            self.status_message.emit(_("Starting with an empty warehouse."))
            self.finished.emit(False)
            return
        self._create()

    def _check_failed(self, error: HyllaError) -> None:
        # Not being able to offer a demo must not stand in the way of working.
        self.status_message.emit(error.message)
        self.finished.emit(False)

    def _create(self) -> None:
        dialog = QProgressDialog(
            _("Creating the demo warehouse: items, suppliers, bins and 18 months of moves…"),
            _("Cancel"),
            0,
            0,
            self._window,
        )
        dialog.setWindowTitle(_("Demo warehouse"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumWidth(460)
        self.progress_dialog = dialog
        self._task = self._runner.run(
            demo.create_demo,
            self._user.id,
            progress=self._progress,
            on_done=self._created,
            on_error=self._failed,
            owner=self._window,
        )
        dialog.canceled.connect(self.cancel)
        dialog.show()

    def cancel(self) -> None:
        """Stop creating the demo; nothing of it is saved."""
        if self._task is not None:
            self._task.cancel()
        if self.progress_dialog is not None:
            self.progress_dialog.setLabelText(_("Cancelling…"))

    def _progress(self, done: int, total: int) -> None:
        if self.progress_dialog is not None and not self.progress_dialog.wasCanceled():
            self.progress_dialog.setMaximum(max(total, 1))
            self.progress_dialog.setValue(min(done, total))

    def _close_dialog(self) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.hide()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None

    def _created(self, summary: DemoSummary) -> None:
        self._close_dialog()
        self.status_message.emit(summary.describe())
        self.finished.emit(True)

    def _failed(self, error: HyllaError) -> None:
        self._close_dialog()
        if isinstance(error, TaskCancelled):
            self.status_message.emit(_("The demo warehouse was not created."))
        else:
            feedback.show_error(self._window, error.message)
        self.finished.emit(False)
