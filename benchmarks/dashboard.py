"""The Start page's figures at DESIGN.md's scale: ``dashboard.read_dashboard`` in one
read-only unit of work, as the window reads it at every start (budget 300 ms).

The first read of a process also imports the services behind the tiles (counting,
receiving, write-downs…) and fills SQLite's page cache: it is reported on its own. The
budget holds the median of the reads after it, what a workstation sees from then on.
"""

from __future__ import annotations

import statistics
import time

from app.services import dashboard
from app.services.database import Database
from benchmarks.measure import Metric

BUDGET_MS = 300.0
READS = 5


def measure_dashboard(db: Database) -> list[Metric]:
    """Time the first read of the Start page's figures and the median of ``READS`` more."""
    times: list[float] = []
    for _ in range(READS + 1):
        began = time.perf_counter()
        db.read(dashboard.read_dashboard)
        times.append((time.perf_counter() - began) * 1000)
    return [
        Metric("start page figures, first read", times[0], "ms"),
        Metric("start page figures, median read", statistics.median(times[1:]), "ms", BUDGET_MS),
    ]
