"""The reports at DESIGN.md's scale: the stock turnover PDF of a year for every item
(budget 5 s, data and layout together) and the valuation as of a date (budget 2 s),
plus the other reports' PDFs for the record (no budget).

The 2 s budget is the valuation itself: every item's quantity and value at the end of a
day by the costing method in force, rebuilt from the ledger (``valuation_as_of``). The
valuation *report* adds the tax values (they share that read) and the LIFO what-if
column, which replays every move of the ledger (about a second of its own on a million
moves), and lays out 20,000 rows; it is timed as "valuation report PDF", beside the
budget rather than under it.

Everything runs through the real services as the window and the command line call
them: ``reports.report_pdf`` in one read-only unit of work, in the language in force.
The period ends on the day of the newest move (the data set's "today").
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from app.models import StockMove
from app.services import reports, valuation
from app.services.database import Database
from app.services.reports import ReportKind, ReportRequest
from benchmarks.measure import Metric

TURNOVER_BUDGET_MS = 5000.0
VALUATION_BUDGET_MS = 2000.0


def _last_day(db: Database) -> dt.date:
    newest = db.read(lambda s: s.scalar(select(func.max(StockMove.moved_at))))
    today = reports.local_today()
    if newest is None:
        return today
    return min(newest.astimezone().date(), today)


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    result = fn()
    return (time.perf_counter() - began) * 1000, result


def measure_reports(db: Database, *, others: bool = True) -> list[Metric]:
    """Time the turnover PDF and the valuation as of a date (and, with ``others``, the
    other reports' PDFs); each is made once, cold, as a person would ask for it."""
    end = _last_day(db)
    start = end - dt.timedelta(days=364)
    metrics: list[Metric] = []
    ms, pdf = _timed(
        lambda: db.read(
            reports.report_pdf, ReportRequest(ReportKind.TURNOVER, start=start, end=end)
        )
    )
    metrics.append(Metric("stock turnover PDF, a year, all items", ms, "ms", TURNOVER_BUDGET_MS))
    metrics.append(Metric("stock turnover PDF size", len(pdf) / 1024, "kB"))
    ms, _rows = _timed(lambda: db.read(valuation.valuation_as_of, end))
    metrics.append(Metric("valuation as of a date (all items)", ms, "ms", VALUATION_BUDGET_MS))
    if others:
        for kind, request in (
            (ReportKind.VALUATION, ReportRequest(ReportKind.VALUATION, as_of=end)),
            (ReportKind.DEAD_STOCK, ReportRequest(ReportKind.DEAD_STOCK, as_of=end)),
            (ReportKind.ABC, ReportRequest(ReportKind.ABC, start=start, end=end)),
            (ReportKind.WRITE_DOWNS, ReportRequest(ReportKind.WRITE_DOWNS, start=start, end=end)),
        ):
            ms, _pdf = _timed(lambda r=request: db.read(reports.report_pdf, r))  # type: ignore[misc]
            metrics.append(Metric(f"{kind.value} report PDF", ms, "ms"))
    return metrics
