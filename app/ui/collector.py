"""Python's cyclic garbage collector, run on the GUI thread only.

The database work runs on the runner's worker thread (``app.ui.runner``). Left to
itself, Python collects cyclic garbage on whichever thread happens to allocate when a
generation fills up, and a dropped dialog or editor is cyclic garbage (its slots refer
back to it): collected on the worker thread, its Qt objects are destroyed there, beside
the GUI thread that is painting them, and the process dies with a segmentation fault
(seen in the test suite, about once in eight runs of a test that built an item editor
while the worker loaded its choices). So while the window runs, automatic collection
is off and a timer on the GUI thread collects instead, each generation when Python's
own thresholds say it would have.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

__all__ = ["MainThreadCollector"]

# How often the GUI thread looks at the collector's counts. Python's own pace is every
# 700 net allocations; a second's garbage is small, and the check itself is free.
INTERVAL_MS = 500


class MainThreadCollector(QObject):
    """Turns automatic collection off and collects on the GUI thread's timer instead;
    :meth:`stop` gives collection back to Python."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> int | None:
        """Collect the oldest generation whose count has passed its threshold, as Python
        would have; the generation collected, None when none was due."""
        counts = gc.get_count()
        due = [
            generation
            for generation, (count, threshold) in enumerate(
                zip(counts, self._thresholds, strict=True)
            )
            if threshold and count > threshold
        ]
        if not due:
            return None
        generation = due[-1]
        gc.collect(generation)
        return generation

    def stop(self) -> None:
        """Stop the timer, collect what is due, and let Python collect by itself again
        (if it did before)."""
        self._timer.stop()
        self.check()
        if self._was_enabled:
            gc.enable()
