"""The one database worker: order, threads, results, errors, progress and cancelling."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from app.services import locations, users
from app.services.database import Database
from app.services.errors import HyllaError, NotFoundError
from app.ui.runner import Runner, TaskCancelled, UnexpectedError
from tests.ui.conftest import TIMEOUT_MS, Dialogs


def _thread_name(session: Session) -> str:
    return threading.current_thread().name


def test_results_arrive_on_the_gui_thread_in_submission_order(qtbot: QtBot, runner: Runner) -> None:
    seen: list[tuple[int, str, bool]] = []
    gui = threading.current_thread()

    def record(number: int) -> Callable[[str], None]:
        return lambda worker: seen.append((number, worker, threading.current_thread() is gui))

    for number in range(5):
        runner.run(_thread_name, on_done=record(number))
    qtbot.waitUntil(lambda: len(seen) == 5, timeout=TIMEOUT_MS)

    assert [number for number, _worker, _gui in seen] == [0, 1, 2, 3, 4]
    workers = {worker for _number, worker, _gui in seen}
    assert len(workers) == 1, "all database work runs on one worker thread"
    assert workers != {gui.name}
    assert all(on_gui for _n, _w, on_gui in seen), "callbacks run on the GUI thread"
    assert runner.pending_count() == 0


def test_a_service_result_and_its_transaction(
    qtbot: QtBot, runner: Runner, sqlite_db: Database
) -> None:
    results: list[Any] = []
    user = sqlite_db.run(users.workstation_user, "tester")
    runner.run(locations.save_bin, user.id, "b-01", on_done=results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=TIMEOUT_MS)

    assert results[0].code == "B-01"
    # Committed: another transaction sees it.
    assert sqlite_db.run(locations.find_location, "B-01") is not None


def test_a_domain_error_goes_to_on_error_and_rolls_back(
    qtbot: QtBot, runner: Runner, sqlite_db: Database
) -> None:
    user = sqlite_db.run(users.workstation_user, "tester")
    errors: list[HyllaError] = []

    def save_then_fail(session: Session) -> None:
        locations.save_bin(session, user.id, "C-01")
        raise NotFoundError("There is no such thing.")

    runner.run(save_then_fail, on_done=pytest.fail, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=TIMEOUT_MS)

    assert isinstance(errors[0], NotFoundError)
    assert errors[0].message == "There is no such thing."
    assert sqlite_db.run(locations.find_location, "C-01") is None


def test_an_unexpected_exception_is_logged_and_becomes_a_short_message(
    qtbot: QtBot, runner: Runner, caplog: pytest.LogCaptureFixture, dialogs: Dialogs
) -> None:
    def broken(session: Session) -> None:
        raise KeyError("lost")

    errors: list[HyllaError] = []
    with caplog.at_level(logging.ERROR, logger="app.ui.runner"):
        runner.run(broken, on_error=errors.append)
        qtbot.waitUntil(lambda: bool(errors), timeout=TIMEOUT_MS)

    assert isinstance(errors[0], UnexpectedError)
    assert "lost" in errors[0].message and "nothing was saved" in errors[0].message
    assert "Traceback" not in errors[0].message
    assert any(record.exc_info for record in caplog.records), "the traceback is in the log"

    # Without on_error the message is shown in a message box.
    runner.run(broken)
    qtbot.waitUntil(lambda: bool(dialogs.errors), timeout=TIMEOUT_MS)
    assert "lost" in dialogs.errors[0]


def test_the_worker_survives_an_error(qtbot: QtBot, runner: Runner) -> None:
    def broken(session: Session) -> None:
        raise RuntimeError("boom")

    results: list[str] = []
    runner.run(broken, on_error=lambda error: None)
    runner.run(_thread_name, on_done=results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=TIMEOUT_MS)


def test_progress_reaches_the_gui_and_cancel_rolls_back(
    qtbot: QtBot, runner: Runner, sqlite_db: Database
) -> None:
    user = sqlite_db.run(users.workstation_user, "tester")
    may_go_on = threading.Event()

    def long_work(session: Session, *, progress: Callable[[int, int], None]) -> str:
        locations.save_bin(session, user.id, "D-01")
        progress(1, 100)
        may_go_on.wait(TIMEOUT_MS / 1000)
        for done in range(2, 101):
            progress(done, 100)
        return "finished"

    reports: list[tuple[int, int]] = []
    errors: list[HyllaError] = []
    handle = runner.run(
        long_work,
        progress=lambda done, total: reports.append((done, total)),
        on_done=pytest.fail,
        on_error=errors.append,
    )
    qtbot.waitUntil(lambda: bool(reports), timeout=TIMEOUT_MS)
    assert reports[0] == (1, 100)
    handle.cancel()
    may_go_on.set()
    qtbot.waitUntil(lambda: bool(errors), timeout=TIMEOUT_MS)

    assert isinstance(errors[0], TaskCancelled)
    assert sqlite_db.run(locations.find_location, "D-01") is None


def test_a_task_cancelled_before_it_starts_never_runs(qtbot: QtBot, runner: Runner) -> None:
    gate = threading.Event()
    ran: list[str] = []
    errors: list[HyllaError] = []
    runner.run(lambda session: gate.wait(TIMEOUT_MS / 1000))
    handle = runner.run(lambda session: ran.append("ran"), on_error=errors.append)
    handle.cancel()
    gate.set()
    qtbot.waitUntil(lambda: bool(errors), timeout=TIMEOUT_MS)
    assert ran == []
    assert isinstance(errors[0], TaskCancelled)


def test_results_for_a_deleted_widget_are_dropped(
    qtbot: QtBot, runner: Runner, dialogs: Dialogs
) -> None:
    gate = threading.Event()
    widget = QWidget()
    delivered: list[object] = []
    runner.run(lambda session: gate.wait(TIMEOUT_MS / 1000))
    runner.run(_thread_name, on_done=delivered.append, owner=widget)
    runner.run(lambda session: 1 / 0, owner=widget)
    widget.deleteLater()
    qtbot.waitUntil(lambda: not _alive(widget), timeout=TIMEOUT_MS)
    gate.set()
    qtbot.waitUntil(lambda: runner.pending_count() == 0, timeout=TIMEOUT_MS)
    assert delivered == []
    assert dialogs.errors == []


def _alive(widget: QWidget) -> bool:
    import shiboken6

    return bool(shiboken6.isValid(widget))


def test_busy_signal_brackets_the_work(qtbot: QtBot, runner: Runner) -> None:
    states: list[bool] = []
    runner.busy_changed.connect(states.append)
    done: list[object] = []
    runner.run(_thread_name, on_done=done.append)
    runner.run(_thread_name, on_done=done.append)
    qtbot.waitUntil(lambda: len(done) == 2 and states[-1] is False, timeout=TIMEOUT_MS)
    assert states == [True, False]


def test_a_stopped_runner_refuses_work(sqlite_db: Database) -> None:
    runner = Runner(sqlite_db)
    assert runner.shutdown()
    with pytest.raises(RuntimeError):
        runner.run(_thread_name)
