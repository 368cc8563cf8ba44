"""Open Hylla's window on a database, as ``main.py`` does, and report when it is usable.

Run by ``benchmarks.measure.measure_window`` in a fresh process:
``python -m benchmarks.window_probe DB_PATH SCRATCH_DIR [items|start]``. Prints one JSON
line as soon as the first page has its data and has painted it (the items page: its
list; the Start page, where a new workstation opens: its figures), then closes the
window. If the UI cannot be started this way it prints ``{"skip": reason}``.

The line gives the milliseconds from the process's first line of Python to each step
(``imports_ms``: imports, QApplication and its set-up; ``opened_ms``: the database open
and the user known; ``window_ms``: the window built; ``shown_ms``; ``loaded_ms``: the
list arrived from the database worker; ``ready_ms``: painted) and ``cpu_ms``, the CPU
time of the process (all threads) until then, which other work on the machine does not
inflate as it does the wall-clock times.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import gc  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402


def _say(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


def main(db_path: str, scratch: str, first_page: str = "items") -> int:
    """Start the window on ``db_path`` showing ``first_page`` (``items`` or ``start``);
    settings go to ``scratch``, never the user's."""
    # As main.py does: the command line's modules (the services, SQLAlchemy, the models)
    # are imported without the garbage collector, then frozen.
    gc.disable()
    try:
        importlib.import_module("app.cli")
    finally:
        gc.freeze()
        gc.enable()
    try:
        from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, QTimer
        from PySide6.QtWidgets import QApplication

        from app.services import users
        from app.services.database import open_database
        from app.ui.app import configure_application
        from app.ui.main_window import MainWindow
        from app.ui.runner import Runner
    except ImportError as exc:
        _say({"skip": f"UI not available: {exc}"})
        return 0
    gc.freeze()  # as app.run_gui does once the window's modules are in
    app = QApplication(sys.argv[:1])
    # Style sheet, icon and translations, as app.run_gui sets them up.
    configure_application(app)
    marks = {"imports_ms": time.perf_counter()}
    db = open_database(db_path)
    user = db.run(users.workstation_user, "bench")
    marks["opened_ms"] = time.perf_counter()
    runner = Runner(db)
    settings = QSettings(str(Path(scratch) / "hylla.ini"), QSettings.Format.IniFormat)
    # The window opens on the page it showed last: this one.
    settings.setValue("main/page", first_page)
    window = MainWindow(runner, user, db.describe(), settings)
    marks["window_ms"] = time.perf_counter()
    page = window.page(first_page)
    # What says the page's data is in, and the widget whose next paint shows it.
    if first_page == "items":
        data_in, shows_it = page.items_loaded, page.table.viewport()
    else:
        # The first tile's number: in the top row, so on screen whatever the window size.
        data_in, shows_it = page.loaded, page.tiles["to-order"].number_label
    # An event loop as app.exec() runs it (waiting, not spinning: a loop that polled would
    # take the interpreter from the database worker and count its own polling as work).
    loop = QEventLoop()
    loaded: list[Any] = []

    class PaintWatch(QObject):
        def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint and loaded:
                # The data is in and this frame shows it: done once the paint is over.
                QTimer.singleShot(0, loop.quit)
            return False

    watch = PaintWatch()
    shows_it.installEventFilter(watch)

    def on_loaded(data: Any) -> None:
        marks["loaded_ms"] = time.perf_counter()
        loaded.append(data)

    data_in.connect(on_loaded)
    window.show()
    marks["shown_ms"] = time.perf_counter()
    # As app.run_gui does: the first page loads after the first frame.
    QTimer.singleShot(0, window.start)
    QTimer.singleShot(60_000, loop.quit)
    loop.exec()
    ready = time.perf_counter()
    cpu_ms = time.process_time() * 1000
    if not loaded:
        _say({"skip": f"the {first_page} page did not load within 60 s"})
    else:
        _say(
            {
                "page": first_page,
                "ready_ms": (ready - STARTED) * 1000,
                **{name: (at - STARTED) * 1000 for name, at in marks.items()},
                "cpu_ms": cpu_ms,
                # The items page: its rows; the Start page: seconds its figures took to read.
                "rows": loaded[-1] if isinstance(loaded[-1], int) else None,
                "read_s": getattr(loaded[-1], "seconds", None),
            }
        )
    window.close()
    runner.shutdown()
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
