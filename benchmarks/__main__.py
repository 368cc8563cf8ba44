"""Hylla's benchmark: build DESIGN.md's large data set, then measure the speed budgets.

    python -m benchmarks [--items 20000] [--moves 1000000] [--out benchmarks/out/results.json]
                         [--db benchmarks/out/bench.db] [--quick] [--reuse] [--strict]

The data set (20,000 items with barcodes, ~200 bins, 1,000,000 moves over two years) is
bulk-inserted by :mod:`benchmarks.dataset` (posting a million moves one by one would
take some twenty minutes; its docstring says how the bulk rows keep the ledger's
rules). Everything measured on top of it goes through the real code:

* posting one move committed: receipts and issues through ``ledger.post_move``, each in
  its own ``unit_of_work`` (a real commit, fsync'ed: WAL with ``synchronous=FULL``);
  budget p95 < 3 ms;
* the item list: ``items.list_items`` at 20,000 items, and from that service call to
  the first paint of ``ItemTableModel`` in a table view (offscreen Qt); budget < 1 s;
* filtering as you type: each keystroke's ``set_filter`` until repainted; p95 < 100 ms;
* opening the window: a fresh process starts ``MainWindow`` with the items page
  loaded and painted; budget < 2 s; the same on the Start page (where a new
  workstation opens) until its figures are painted;
* scan to screen while receiving: a 20-line purchase order received in the window's
  Receiving page, each scan delivered as the scanner filter delivers it and timed until
  the banner shows its result (and the line table has repainted); budget p95 < 15 ms.
* reports (:mod:`benchmarks.reports`): the stock turnover PDF of a year for every item,
  budget < 5 s; the valuation as of a date, budget < 2 s; the other reports' PDFs.
* the Start page's figures (:mod:`benchmarks.dashboard`), one read; budget < 300 ms.
* purchase proposals (:mod:`benchmarks.proposals`): a whole run for every item with two
  years of daily history, reading included; budget < 2 s.

Prints a table (metric, value, budget, ok/FAIL) and writes the figures as JSON.
``--quick`` is a smoke run on 2,000 items and 50,000 moves. Measurements whose UI is
missing are skipped with a line saying why. Exit code 0, or 1 with ``--strict`` when
a budget is missed.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import sqlite3
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks.dashboard import measure_dashboard  # noqa: E402
from benchmarks.dataset import DatasetInfo, build_dataset, open_dataset  # noqa: E402
from benchmarks.measure import (  # noqa: E402
    Metric,
    Skipped,
    measure_item_view,
    measure_list_items,
    measure_posting,
    measure_posting_parts,
    measure_receiving_scans,
    measure_window,
)
from benchmarks.proposals import measure_proposals  # noqa: E402
from benchmarks.reports import measure_reports  # noqa: E402

HERE = Path(__file__).resolve().parent


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--items", type=int, default=None, help="items (default 20,000)")
    parser.add_argument("--moves", type=int, default=None, help="moves (default 1,000,000)")
    parser.add_argument("--bins", type=int, default=200, help="bins (default 200)")
    parser.add_argument(
        "--postings", type=int, default=None, help="committed postings to time (default 2,000)"
    )
    parser.add_argument(
        "--scans", type=int, default=300, help="scans to time while receiving (default 300)"
    )
    parser.add_argument("--out", type=Path, default=HERE / "out" / "results.json")
    parser.add_argument(
        "--db", type=Path, default=None, help="the SQLite file to build (default: next to --out)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 2,000 items, 50,000 moves, 500 postings"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="measure an existing --db instead of building it anew"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 if a budget is missed")
    args = parser.parse_args(argv)
    args.items = args.items or (2_000 if args.quick else 20_000)
    args.moves = args.moves or (50_000 if args.quick else 1_000_000)
    args.postings = args.postings or (500 if args.quick else 2_000)
    args.db = args.db or args.out.parent / ("bench-quick.db" if args.quick else "bench.db")
    return args


def _log(message: str) -> None:
    print(f"  {time.strftime('%H:%M:%S')} {message}", flush=True)


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:,.1f} {unit}" if value < 100 else f"{value:,.0f} {unit}"


def _table(metrics: list[Metric], skipped: list[Skipped]) -> str:
    width = max([len(m.name) for m in metrics] + [len(s.name) for s in skipped] + [6])
    lines = [f"{'metric':<{width}}  {'value':>12}  {'budget':>12}  result", "-" * (width + 36)]
    for m in metrics:
        verdict = "" if m.ok is None else ("ok" if m.ok else "FAIL")
        budget = f"< {_fmt(m.budget, m.unit)}" if m.budget is not None else ""
        lines.append(f"{m.name:<{width}}  {_fmt(m.value, m.unit):>12}  {budget:>12}  {verdict}")
    for s in skipped:
        lines.append(f"{s.name:<{width}}  {'skipped':>12}  {'':>12}  {s.reason}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Build (or reuse) the data set, measure, print the table and write the JSON."""
    args = _parse(argv)
    began = dt.datetime.now(dt.UTC)
    # Other work on the machine skews every figure; the load is recorded with them.
    load_at_start = list(os.getloadavg())
    print(
        f"Hylla benchmark: {args.items:,} items, {args.moves:,} moves, {args.bins} bins "
        f"-> {args.db}",
        flush=True,
    )
    if args.reuse and args.db.exists():
        _log("reusing the existing data set")
        info: DatasetInfo | None = None
    else:
        _log("building the data set")
        info = build_dataset(
            args.db, items=args.items, moves=args.moves, bins=args.bins, progress=_log
        )
        _log(f"built in {info.seconds:.1f} s")

    metrics: list[Metric] = []
    skipped: list[Skipped] = []

    def add(result: list[Metric] | Skipped) -> None:
        if isinstance(result, Skipped):
            skipped.append(result)
            _log(f"skipped {result.name}: {result.reason}")
        else:
            metrics.extend(result)

    if info is not None:
        metrics.append(Metric("build the data set (bulk)", info.seconds * 1000, "ms"))
    # The window first: a fresh process on a database nobody has touched since the build.
    _log("opening the window in a fresh process")
    add(measure_window(args.db))
    _log("opening the window on the Start page in a fresh process")
    add(measure_window(args.db, page="start"))
    db = open_dataset(args.db)
    try:
        from app.services.users import workstation_user

        user = db.run(workstation_user, "bench")
        _log(f"posting {args.postings:,} moves, each committed")
        add(measure_posting(db, user.id, args.postings))
        _log("posting without commits, and the disk's commit floor")
        add(measure_posting_parts(db, user.id))
        _log("listing items")
        listed, _count = measure_list_items(db)
        add(listed)
        _log("item list first paint and filter")
        add(measure_item_view(db))
        _log(f"receiving: {args.scans} scans against a 20-line order, scan to screen")
        add(measure_receiving_scans(db, user.id, args.scans))
        _log("start page: today's figures in one read")
        add(measure_dashboard(db))
        _log("reports: stock turnover PDF of a year, valuation as of a date")
        add(measure_reports(db))
        _log("purchase proposals: whole runs for every item, reading included")
        add(measure_proposals(db, user.id))
    finally:
        db.dispose()

    print()
    print(_table(metrics, skipped))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "started": began.isoformat(timespec="seconds"),
        "arguments": {
            "items": args.items,
            "moves": args.moves,
            "bins": args.bins,
            "postings": args.postings,
            "scans": args.scans,
            "quick": args.quick,
            "db": str(args.db),
        },
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "sqlite": sqlite3.sqlite_version,
            "cpus": os.cpu_count(),
            "load_average_at_start": load_at_start,
            "load_average_at_end": list(os.getloadavg()),
        },
        "dataset": None
        if info is None
        else {
            k: (str(v) if isinstance(v, (Path, dt.date)) else v)
            for k, v in dataclasses.asdict(info).items()
        },
        "metrics": [{**dataclasses.asdict(m), "ok": m.ok} for m in metrics],
        "skipped": [dataclasses.asdict(s) for s in skipped],
    }
    args.out.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten: {args.out}")
    failed = [m.name for m in metrics if m.ok is False]
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
