"""The window's one database worker: service calls run off the GUI thread, in order.

As in Anki's task manager, every piece of database work goes to a single worker thread
(SQLite has one writer, and serialised work never races itself), and its result comes
back to the GUI thread by a queued signal. Code on the worker never touches a widget.

A page asks for work with :meth:`Runner.run`::

    runner.run(items.save_item, user.id, data, item_id,
               on_done=self._saved, on_error=self._failed, owner=self)

which calls ``db.run(items.save_item, user.id, data, item_id)`` (one transaction) on the
worker and then ``self._saved(result)`` or ``self._failed(error)`` on the GUI thread.
``on_error`` always receives a :class:`HyllaError`: a domain error as the service raised
it, :class:`TaskCancelled` when the user cancelled, or :class:`UnexpectedError` for a
bug, which is also logged with its traceback. Without ``on_error`` the message is shown
in a message box (a cancellation is not an error and shows nothing).
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QWidget

from app.i18n import _
from app.services.database import Database
from app.services.errors import HyllaError
from app.ui import feedback

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]
# Progress is reported to the GUI at most this often; a service may report every row.
PROGRESS_INTERVAL_S = 0.05


class TaskCancelled(HyllaError):
    """The user cancelled a task; its transaction was rolled back, nothing was saved."""

    def __init__(self) -> None:
        super().__init__(_("Cancelled. Nothing was saved."))


class UnexpectedError(HyllaError):
    """A failure no service foresaw (a bug), put in words instead of a traceback."""


class TaskHandle:
    """A submitted task; the GUI may cancel it while it waits or reports progress."""

    def __init__(self, task_id: int) -> None:
        self.id = task_id
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Ask the task to stop: a waiting task never starts; a running one stops at its
        next progress report, and its transaction is rolled back."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._cancel.is_set()


@dataclass
class _Pending:
    handle: TaskHandle
    on_done: Callable[[Any], None] | None
    on_error: Callable[[HyllaError], None] | None
    progress: ProgressCallback | None
    owner: QObject | None

    def owner_gone(self) -> bool:
        return self.owner is not None and not shiboken6.isValid(self.owner)


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits these, Qt queues them across threads."""

    done = Signal(int, object)
    failed = Signal(int, object)
    progressed = Signal(int, int, int)


class _Worker(QThread):
    """The single database thread: takes jobs from a queue until told to stop."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("hylla-db-worker")
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue()

    def submit(self, job: Callable[[], None]) -> None:
        self._jobs.put(job)

    def stop(self) -> None:
        self._jobs.put(None)

    def run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            job()


class Runner(QObject):
    """Runs service functions on the one database worker and hands results back."""

    #: True while work is queued or running (for a "working…" hint).
    busy_changed = Signal(bool)

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._relay = _Relay()
        self._relay.done.connect(self._deliver_done)
        self._relay.failed.connect(self._deliver_failed)
        self._relay.progressed.connect(self._deliver_progress)
        self._worker = _Worker()
        self._worker.start()
        self._stopped = False

    @property
    def db(self) -> Database:
        """The database this runner works on."""
        return self._db

    def run(
        self,
        fn: Callable[..., Any],
        /,
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[HyllaError], None] | None = None,
        progress: ProgressCallback | None = None,
        owner: QObject | None = None,
        **kwargs: Any,
    ) -> TaskHandle:
        """Run ``fn(session, *args, **kwargs)`` as one transaction on the worker.

        With ``progress``, ``fn`` is also given ``progress=report`` where
        ``report(done, total)`` forwards to ``progress`` on the GUI thread and stops the
        task (rolling it back) once the handle was cancelled. Callbacks are dropped when
        ``owner`` (a widget, usually) has been deleted meanwhile.
        """
        return self._submit(
            lambda handle: self._db.run(fn, *args, **self._with_progress(handle, progress, kwargs)),
            on_done,
            on_error,
            progress,
            owner,
        )

    def call(
        self,
        fn: Callable[..., Any],
        /,
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[HyllaError], None] | None = None,
        owner: QObject | None = None,
        **kwargs: Any,
    ) -> TaskHandle:
        """Run ``fn(*args, **kwargs)`` on the worker without opening a transaction (for work
        such as a backup that manages its own connection), in turn with the rest."""
        return self._submit(lambda _handle: fn(*args, **kwargs), on_done, on_error, None, owner)

    def pending_count(self) -> int:
        """Tasks submitted whose results have not been delivered yet."""
        return len(self._pending)

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Let queued work finish (it may be saving) and stop the worker; False on timeout."""
        if self._stopped:
            return True
        self._stopped = True
        self._worker.stop()
        finished = bool(self._worker.wait(timeout_ms))
        if not finished:
            log.error("the database worker did not stop within %d ms", timeout_ms)
        self._pending.clear()
        return finished

    # --- worker side -------------------------------------------------------------------
    def _with_progress(
        self, handle: TaskHandle, progress: ProgressCallback | None, kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        if progress is None:
            return kwargs
        last = [0.0]

        def report(done: int, total: int) -> None:
            if handle.cancelled:
                raise TaskCancelled()
            now = time.monotonic()
            if done >= total or now - last[0] >= PROGRESS_INTERVAL_S:
                last[0] = now
                self._relay.progressed.emit(handle.id, done, total)

        return {**kwargs, "progress": report}

    def _submit(
        self,
        work: Callable[[TaskHandle], Any],
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[HyllaError], None] | None,
        progress: ProgressCallback | None,
        owner: QObject | None,
    ) -> TaskHandle:
        if self._stopped:
            raise RuntimeError("the runner was shut down")
        handle = TaskHandle(next(self._ids))
        self._pending[handle.id] = _Pending(handle, on_done, on_error, progress, owner)
        relay = self._relay

        def job() -> None:
            # Runs on the worker thread: touches no widget, only emits signals.
            if handle.cancelled:
                relay.failed.emit(handle.id, TaskCancelled())
                return
            try:
                result = work(handle)
            except HyllaError as exc:
                relay.failed.emit(handle.id, exc)
            except Exception as exc:  # noqa: BLE001 - a bug must not kill the worker
                log.exception("background task %d failed", handle.id)
                relay.failed.emit(
                    handle.id,
                    UnexpectedError(
                        _("Something went wrong and nothing was saved: {reason}").format(
                            reason=str(exc).strip().splitlines()[0]
                            if str(exc).strip()
                            else type(exc).__name__
                        )
                    ),
                )
            else:
                relay.done.emit(handle.id, result)

        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        self._worker.submit(job)
        return handle

    # --- GUI side ----------------------------------------------------------------------
    def _finish(self, task_id: int) -> _Pending | None:
        pending = self._pending.pop(task_id, None)
        if not self._pending:
            self.busy_changed.emit(False)
        if pending is None or pending.owner_gone():
            return None
        return pending

    @Slot(int, object)
    def _deliver_done(self, task_id: int, result: object) -> None:
        pending = self._finish(task_id)
        if pending is not None and pending.on_done is not None:
            pending.on_done(result)

    @Slot(int, object)
    def _deliver_failed(self, task_id: int, error: object) -> None:
        pending = self._finish(task_id)
        if pending is None:
            return
        assert isinstance(error, HyllaError)
        if pending.on_error is not None:
            pending.on_error(error)
        elif not isinstance(error, TaskCancelled):
            parent = pending.owner if isinstance(pending.owner, QWidget) else None
            feedback.show_error(parent.window() if parent else None, error.message)

    @Slot(int, int, int)
    def _deliver_progress(self, task_id: int, done: int, total: int) -> None:
        pending = self._pending.get(task_id)
        if pending is not None and pending.progress is not None and not pending.owner_gone():
            pending.progress(done, total)
