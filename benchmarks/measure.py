"""The measurements, each through the real code path on the built data set.

Every function returns :class:`Metric` rows (or a :class:`Skipped` reason); nothing
here asserts anything: the budgets are DESIGN.md's, compared by ``__main__``.
"""

from __future__ import annotations

import json
import math
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.models import Item, LocationKind, MoveKind, StockLevel
from app.services import items, ledger, locations
from app.services.database import Database, unit_of_work
from app.services.users import UserId


@dataclass(frozen=True)
class Metric:
    """One measured figure and the budget it is held to (None: reported only)."""

    name: str
    value: float
    unit: str
    budget: float | None = None

    @property
    def ok(self) -> bool | None:
        """True within budget, False over it, None without a budget."""
        return None if self.budget is None else self.value < self.budget


@dataclass(frozen=True)
class Skipped:
    """A measurement that could not run, and why."""

    name: str
    reason: str


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` 0.95 for p95)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def _summary(name: str, samples_ms: list[float], budget_p95: float | None) -> list[Metric]:
    return [
        Metric(f"{name} p50", percentile(samples_ms, 0.50), "ms"),
        Metric(f"{name} p95", percentile(samples_ms, 0.95), "ms", budget_p95),
        Metric(f"{name} max", max(samples_ms), "ms"),
    ]


# --- Posting ------------------------------------------------------------------------------


def measure_posting(db: Database, user_id: int, count: int = 2000, seed: int = 3) -> list[Metric]:
    """Receipts and issues alternately, each its own committed unit of work (fsync).

    A receipt brings 10 units of a random item at a price; the issue after it takes 1
    unit of the same item, so it always has stock, and consumes its oldest FIFO layer.
    The first 20 postings warm the statement caches and are not counted.
    """
    rng = random.Random(seed)
    with unit_of_work(db) as session:
        supplier = locations.virtual_location_id(session, LocationKind.SUPPLIER)
        customer = locations.virtual_location_id(session, LocationKind.CUSTOMER)
        bins = dict(
            session.execute(select(StockLevel.item_id, StockLevel.location_id)).tuples().all()
        )
        item_ids = list(session.scalars(select(Item.id).where(Item.id.in_(list(bins)))))
    user = UserId(user_id)
    receipts: list[float] = []
    issues: list[float] = []
    warm_up = 20
    for n in range(warm_up + count):
        item_id = rng.choice(item_ids)
        cost = Decimal(rng.randint(100, 50000)).scaleb(-2)
        started = time.perf_counter()
        with unit_of_work(db) as session:
            ledger.post_move(
                session,
                item_id=item_id,
                quantity=Decimal(10),
                from_location_id=supplier,
                to_location_id=bins[item_id],
                kind=MoveKind.RECEIPT,
                user_id=user,
                unit_cost=cost,
                reference="BENCH",
            )
        received = time.perf_counter()
        with unit_of_work(db) as session:
            ledger.post_move(
                session,
                item_id=item_id,
                quantity=Decimal(1),
                from_location_id=bins[item_id],
                to_location_id=customer,
                kind=MoveKind.ISSUE,
                user_id=user,
                reference="BENCH",
            )
        issued = time.perf_counter()
        if n >= warm_up and len(receipts) < count // 2 + count % 2:
            receipts.append((received - started) * 1000)
        if n >= warm_up and len(issues) < count // 2:
            issues.append((issued - received) * 1000)
        if len(receipts) + len(issues) >= count:
            break
    return [
        *_summary("post receipt, committed", receipts, 3.0),
        *_summary("post issue, committed", issues, 3.0),
        Metric("post any move p95", percentile(receipts + issues, 0.95), "ms", 3.0),
    ]


def measure_posting_parts(db: Database, user_id: int, count: int = 500) -> list[Metric]:
    """What a committed posting is made of: the code's own cost, and the disk's commit.

    ``post_move`` calls timed inside one open transaction (no commit each), and the
    commit floor of this disk: a one-row insert committed with the same SQLite settings
    (WAL, ``synchronous=FULL``) in a scratch file beside the data set.
    """
    rng = random.Random(5)
    times: list[float] = []
    with unit_of_work(db) as session:
        supplier = locations.virtual_location_id(session, LocationKind.SUPPLIER)
        customer = locations.virtual_location_id(session, LocationKind.CUSTOMER)
        bins = dict(
            session.execute(select(StockLevel.item_id, StockLevel.location_id)).tuples().all()
        )
        item_ids = sorted(bins)
        item_id = item_ids[0]
        for n in range(count):
            receipt = n % 2 == 0
            if receipt:
                # The issue that follows takes from this item, so it always has stock.
                item_id = rng.choice(item_ids)
            started = time.perf_counter()
            ledger.post_move(
                session,
                item_id=item_id,
                quantity=Decimal(10 if receipt else 1),
                from_location_id=supplier if receipt else bins[item_id],
                to_location_id=bins[item_id] if receipt else customer,
                kind=MoveKind.RECEIPT if receipt else MoveKind.ISSUE,
                user_id=UserId(user_id),
                unit_cost=Decimal("12.50") if receipt else None,
                reference="BENCH",
            )
            times.append((time.perf_counter() - started) * 1000)
    path = db.path
    commits: list[float] = []
    if path is not None:
        scratch = path.with_name("fsync-probe.db")
        for suffix in ("", "-wal", "-shm"):
            Path(str(scratch) + suffix).unlink(missing_ok=True)
        probe = sqlite3.connect(scratch, isolation_level=None)
        try:
            probe.execute("PRAGMA journal_mode = WAL")
            probe.execute("PRAGMA synchronous = FULL")
            probe.execute("CREATE TABLE t (x INTEGER)")
            for n in range(200):
                started = time.perf_counter()
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("INSERT INTO t VALUES (?)", (n,))
                probe.execute("COMMIT")
                commits.append((time.perf_counter() - started) * 1000)
        finally:
            probe.close()
            for suffix in ("", "-wal", "-shm"):
                Path(str(scratch) + suffix).unlink(missing_ok=True)
    metrics = [
        Metric("post_move in an open transaction p50", percentile(times, 0.5), "ms"),
        Metric("post_move in an open transaction p95", percentile(times, 0.95), "ms"),
    ]
    if commits:
        metrics += [
            Metric("disk: 1-row commit, WAL + fsync p50", percentile(commits, 0.5), "ms"),
            Metric("disk: 1-row commit, WAL + fsync p95", percentile(commits, 0.95), "ms"),
        ]
    return metrics


# --- Item list ----------------------------------------------------------------------------


def measure_list_items(db: Database, runs: int = 3) -> tuple[list[Metric], int]:
    """``items.list_items`` in its own unit of work, first run and median of ``runs``."""
    times: list[float] = []
    count = 0
    for _run in range(runs):
        started = time.perf_counter()
        rows = db.run(items.list_items)
        times.append((time.perf_counter() - started) * 1000)
        count = len(rows)
    return (
        [
            Metric(f"items.list_items ({count:,} rows), first", times[0], "ms"),
            Metric(f"items.list_items ({count:,} rows), median", percentile(times, 0.5), "ms"),
        ],
        count,
    )


def measure_item_view(db: Database) -> list[Metric] | Skipped:
    """First paint of the item list and filter-as-you-type latency, offscreen Qt.

    First paint: from the start of the service call to the table view's first paint,
    with ``app.ui.items_model.ItemTableModel`` in the UI's own table view. Filter: each
    keystroke of typed prefixes and a barcode fragment (and clearing the filter), timed
    from ``set_filter`` until the view has repainted.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from PySide6.QtCore import QEvent, QEventLoop, QObject
        from PySide6.QtWidgets import QApplication, QTableView

        from app.ui.items_model import ItemTableModel
    except ImportError as exc:
        return Skipped("item list first paint / filter", f"UI not available: {exc}")
    app = QApplication.instance() or QApplication([sys.argv[0]])

    class PaintWatch(QObject):
        painted = False

        def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint:
                self.painted = True
            return False

    def wait_painted(watch: PaintWatch, timeout_s: float = 10.0) -> bool:
        deadline = time.perf_counter() + timeout_s
        while not watch.painted and time.perf_counter() < deadline:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        return watch.painted

    watch = PaintWatch()
    started = time.perf_counter()
    rows = db.run(items.list_items)
    listed = time.perf_counter()
    model = ItemTableModel()
    model.set_rows(rows)
    try:
        # The UI's own table settings (fixed row heights matter at 20,000 rows).
        from app.ui.widgets import make_table_view

        view = make_table_view(model)
    except ImportError:
        view = QTableView()
        view.setModel(model)
    view.viewport().installEventFilter(watch)
    view.resize(1200, 800)
    view.show()
    if not wait_painted(watch):
        return Skipped("item list first paint", "the view never painted (offscreen platform?)")
    painted = time.perf_counter()
    metrics = [
        Metric(f"item list: service call ({len(rows):,} rows)", (listed - started) * 1000, "ms"),
        Metric("item list: service call to first paint", (painted - started) * 1000, "ms", 1000.0),
    ]

    barcode = next((row.barcodes[0] for row in rows[len(rows) // 2 :] if row.barcodes), "7350")
    words = ["hammare", "skruv", "tejp"]
    keystrokes: list[str] = []
    for word in words:
        keystrokes += [word[:n] for n in range(1, min(len(word), 5) + 1)] + [""]
    keystrokes += [barcode[:n] for n in range(1, min(len(barcode), 10) + 1)] + [""]
    latencies: list[float] = []
    for _repeat in range(3):
        for text in keystrokes:
            watch.painted = False
            started = time.perf_counter()
            model.set_filter(text)
            wait_painted(watch, 2.0)
            latencies.append((time.perf_counter() - started) * 1000)
    metrics += _summary(f"filter keystroke ({len(latencies)} typed)", latencies, 100.0)
    view.close()
    view.deleteLater()
    app.processEvents()
    return metrics


# --- The window ---------------------------------------------------------------------------


def measure_window(
    db_path: Path, timeout_s: float = 120.0, page: str = "items"
) -> list[Metric] | Skipped:
    """Start a fresh Python that opens the window on the data set, as ``main.py`` would,
    showing ``page`` first (``items``, or ``start``: the Start page's figures).

    Timed by this process from spawning the child until the child reports the page's
    data loaded and painted (the child's own figures, from its first line of Python, are
    shown too, with its CPU time: other work on the machine inflates the wall-clock
    times, hardly the CPU time).
    """
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    with tempfile.TemporaryDirectory(prefix="hylla-bench-") as scratch:
        env["HYLLA_DATA_DIR"] = scratch
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.window_probe", str(db_path), scratch, page],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=root,
        )
        assert child.stdout is not None
        line = child.stdout.readline()
        reported = time.perf_counter()
        try:
            _out, errors = child.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            child.kill()
            _out, errors = child.communicate()
    if not line.strip():
        tail = (errors or "").strip().splitlines()[-3:]
        return Skipped("window open", "the window probe failed: " + " | ".join(tail))
    result = json.loads(line)
    if "skip" in result:
        return Skipped("window open", result["skip"])
    shown = "items page" if page == "items" else f"{page} page figures"
    prefix = "window" if page == "items" else f"window on {page}"
    metrics = [
        Metric(
            f"{prefix}: process start to {shown} painted", (reported - started) * 1000, "ms", 2000.0
        ),
        Metric(f"{prefix}: in-process, imports to {shown} painted", result["ready_ms"], "ms"),
        Metric(f"{prefix}: of which imports and QApplication", result["imports_ms"], "ms"),
    ]
    if "cpu_ms" in result:
        metrics.append(Metric(f"{prefix}: CPU time until painted", result["cpu_ms"], "ms"))
    if "loaded_ms" in result and "shown_ms" in result:
        metrics.append(
            Metric(
                f"{prefix}: window shown to its data in",
                result["loaded_ms"] - result["shown_ms"],
                "ms",
            )
        )
    return metrics


# --- Receiving: scan to screen --------------------------------------------------------------


def _receiving_order(db: Database, user_id: int, lines: int) -> tuple[int, list[str]]:
    """A sent purchase order of ``lines`` items from the supplier with the most items, and
    the unit barcode of each line (24 units a line: whole packs of 1, 6, 12 or 24)."""
    from sqlalchemy import func

    from app.models import Barcode, SupplierItem
    from app.services import purchase_orders

    with unit_of_work(db) as session:
        supplier_id = session.scalar(
            select(SupplierItem.supplier_id)
            .group_by(SupplierItem.supplier_id)
            .order_by(func.count().desc(), SupplierItem.supplier_id)
            .limit(1)
        )
        assert supplier_id is not None
        item_ids = list(
            session.scalars(
                select(SupplierItem.item_id)
                .join(Barcode, Barcode.item_id == SupplierItem.item_id)
                .where(SupplierItem.supplier_id == supplier_id, Barcode.pack_qty == 1)
                .order_by(SupplierItem.item_id)
                .limit(lines)
            )
        )
        order = purchase_orders.create_purchase_order(
            session,
            UserId(user_id),
            supplier_id,
            lines=[purchase_orders.PurchaseOrderLineInput(i, Decimal(24)) for i in item_ids],
        )
        purchase_orders.send_purchase_order(session, UserId(user_id), order.id)
        codes = [
            str(
                session.scalar(
                    select(Barcode.code).where(Barcode.item_id == i, Barcode.pack_qty == 1)
                )
            )
            for i in item_ids
        ]
    return order.id, codes


# Time between two scans: a worker scanning as fast as one can is slower than this.
SCAN_GAP_S = 0.1


def measure_receiving_scans(
    db: Database, user_id: int, count: int = 300, lines: int = 20
) -> list[Metric] | Skipped:
    """Scan-to-screen while receiving, through the real window (offscreen Qt).

    A sent order of ``lines`` lines is received in the window's Receiving page; each of
    ``count`` scans of a unit barcode (the lines in turn, 15 a line: all within the
    order) is delivered as the scanner filter delivers it, ``ScannerInput.scanned``, and
    timed until the window's banner has painted its result (``ScanBanner.shown``, the
    figure the window keeps as ``last_scan_latency_ms``) and until the page's table has
    repainted with the new quantity. The service part alone (``receiving.add_scan`` in
    its committed unit of work, on the database worker) is timed on the worker too.
    Scans go one after the other, as a worker scans: each waits for the last to show,
    and ``SCAN_GAP_S`` more.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, QTimer
        from PySide6.QtWidgets import QApplication

        from app.services import receiving, users
        from app.ui.main_window import MainWindow
        from app.ui.runner import Runner
    except ImportError as exc:
        return Skipped("receiving scan to screen", f"UI not available: {exc}")
    app = QApplication.instance() or QApplication([sys.argv[0]])
    po_id, codes = _receiving_order(db, user_id, lines)
    user = db.run(users.workstation_user, "bench")

    # The service's own share: add_scan timed where it runs (on the worker thread).
    service_ms: list[float] = []
    real_add_scan = receiving.add_scan

    def timed_add_scan(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return real_add_scan(*args, **kwargs)
        finally:
            service_ms.append((time.perf_counter() - started) * 1000)

    class PaintWatch(QObject):
        painted = False

        def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint:
                self.painted = True
                QTimer.singleShot(0, poke)
            return False

    # Waiting runs a Qt event loop, as the window does between scans: a loop spinning
    # in Python (or one that keeps the GIL while it waits) would starve the database
    # worker and measure itself, not Hylla. The events awaited poke the loop; a slow
    # timer only guards against waiting forever.
    waiting: list[tuple[QEventLoop, Any, float]] = []

    def poke(*_args: Any) -> None:
        for loop, done, deadline in waiting:
            if done() or time.perf_counter() > deadline:
                loop.quit()

    guard = QTimer()
    guard.setInterval(100)
    guard.timeout.connect(poke)
    guard.start()

    def pump_until(done: Any, timeout_s: float = 10.0) -> bool:
        if done():
            return True
        loop = QEventLoop()
        waiting.append((loop, done, time.perf_counter() + timeout_s))
        try:
            loop.exec()
        finally:
            waiting.clear()
        return bool(done())

    runner = Runner(db)
    with tempfile.TemporaryDirectory(prefix="hylla-bench-") as scratch:
        settings = QSettings(str(Path(scratch) / "hylla.ini"), QSettings.Format.IniFormat)
        window = MainWindow(runner, user, db.describe(), settings)
        window.resize(1280, 800)
        window.show()
        page = window.receiving_page
        shown: list[Any] = []
        page.receipt_shown.connect(shown.append)
        window.show_page(window.RECEIVING)
        page.receive_order(po_id)
        if not pump_until(lambda: page.view is not None and page.view.po_id == po_id):
            runner.shutdown()
            return Skipped("receiving scan to screen", "the receipt did not open")
        watch = PaintWatch()
        page.lines_table.viewport().installEventFilter(watch)
        done: list[Any] = []
        page.scan_done.connect(done.append)
        page.scan_done.connect(poke)
        window.banner.shown.connect(poke)
        page.receipt_shown.connect(poke)
        receiving.add_scan = timed_add_scan  # type: ignore[assignment]
        banner_ms: list[float] = []
        table_ms: list[float] = []
        try:
            warm_up = 10
            for n in range(warm_up + count):
                window.last_scan_latency_ms = None
                watch.painted = False
                done.clear()
                started = time.perf_counter()
                window.scanner.scanned.emit(codes[n % len(codes)])
                if not pump_until(lambda: bool(done) and window.last_scan_latency_ms is not None):
                    return Skipped("receiving scan to screen", "a scan never came back")
                if done[0].status.value != "added":
                    return Skipped("receiving scan to screen", f"scan {n}: {done[0].message}")
                pump_until(lambda: watch.painted, 2.0)
                repainted = time.perf_counter()
                if n >= warm_up:
                    assert window.last_scan_latency_ms is not None
                    banner_ms.append(window.last_scan_latency_ms)
                    table_ms.append((repainted - started) * 1000)
                # The window settles (layouts, the status bar) before the next scan, as
                # it does between a worker's scans: nobody scans ten items a second.
                settled = time.perf_counter() + SCAN_GAP_S
                QTimer.singleShot(round(SCAN_GAP_S * 1000), poke)
                pump_until(lambda until=settled: time.perf_counter() >= until, 1.0)
        finally:
            receiving.add_scan = real_add_scan  # type: ignore[assignment]
            if page.view is not None and page.view.is_open:
                # Leave no receipt in progress behind for a --reuse run to reopen.
                db.run(receiving.cancel_receipt, page.view.id, user.id)
            window.close()
            runner.shutdown()
            window.deleteLater()
            guard.stop()
            app.processEvents()
    service = service_ms[-count:]
    return [
        *_summary(
            f"receiving: scan to banner ({count} scans, {lines}-line order)", banner_ms, 15.0
        ),
        *_summary("receiving: scan to table repainted", table_ms, None),
        Metric("receiving: of which add_scan (before commit) p50", percentile(service, 0.5), "ms"),
        Metric("receiving: of which add_scan (before commit) p95", percentile(service, 0.95), "ms"),
    ]
