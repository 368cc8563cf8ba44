"""Open Hylla's window on a database, as ``main.py`` does, and report when it is usable.

Run by ``benchmarks.measure.measure_window`` in a fresh process:
``python -m benchmarks.window_probe DB_PATH SCRATCH_DIR``. Prints one JSON line as soon
as the items page has loaded its list and painted it, then closes the window. If the
UI cannot be started this way it prints ``{"skip": reason}``.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402


def _say(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


def main(db_path: str, scratch: str) -> int:
    """Start the window on ``db_path``; settings go to ``scratch``, never the user's."""
    try:
        from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, QTimer
        from PySide6.QtWidgets import QApplication

        from app.services import users
        from app.services.database import open_database
        from app.ui.main_window import MainWindow
        from app.ui.runner import Runner
    except ImportError as exc:
        _say({"skip": f"UI not available: {exc}"})
        return 0
    app = QApplication(sys.argv[:1])
    try:
        # Style sheet, icon and translations, as app.run_gui sets them up.
        from app.ui.app import configure_application

        configure_application(app)
    except ImportError:
        pass
    imported = time.perf_counter()
    db = open_database(db_path)
    user = db.run(users.workstation_user, "bench")
    runner = Runner(db)
    settings = QSettings(str(Path(scratch) / "hylla.ini"), QSettings.Format.IniFormat)
    # The budget is for the items list: open on it (a new workstation opens on Start).
    settings.setValue("main/page", "items")
    window = MainWindow(runner, user, db.describe(), settings)
    page = getattr(window, "items_page", None)
    if page is None or not hasattr(page, "items_loaded") or not hasattr(page, "table"):
        _say({"skip": "MainWindow has no items_page with items_loaded and table"})
        runner.shutdown()
        db.dispose()
        return 0

    class PaintWatch(QObject):
        painted = False

        def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint:
                self.painted = True
            return False

    watch = PaintWatch()
    page.table.viewport().installEventFilter(watch)
    loaded: list[int] = []

    def on_loaded(count: int) -> None:
        loaded.append(count)
        watch.painted = False  # the list is in: wait for the frame that shows it

    page.items_loaded.connect(on_loaded)
    window.show()
    # As app.run_gui does: the first page loads after the first frame.
    QTimer.singleShot(0, window.start)
    deadline = time.perf_counter() + 60
    while not (loaded and watch.painted) and time.perf_counter() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
    ready = time.perf_counter()
    if not loaded:
        _say({"skip": "the items page did not load within 60 s"})
    else:
        _say(
            {
                "ready_ms": (ready - STARTED) * 1000,
                "imports_ms": (imported - STARTED) * 1000,
                "rows": loaded[-1],
            }
        )
    window.close()
    runner.shutdown()
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
