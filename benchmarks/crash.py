"""Pulling the plug: a process posting documents is killed with SIGKILL at random
moments, hundreds of times, and the database must always come back whole.

    python -m benchmarks.crash [--runs 200] [--jobs 4] [--items 40] [--out FILE]

A base SQLite database holds 40 items with opening stock, a count of aisle C in review
(a counted variance on every line) and an open receipt of 40 lines. Each run copies it
and starts a worker process that, as one workstation would:

1. approves the count (40 adjustment moves, one transaction),
2. posts the receipt (40 receipt moves, one transaction),
3. posts single moves one by one (receipts and transfers), printing ``ack MOVE_ID``
   after each commit.

The harness kills the worker (SIGKILL: no clean-up of any kind) at a random moment
between its start and its end, then checks the copy:

* the database opens (Hylla's own ``open_database``) and ``PRAGMA integrity_check``
  says ok;
* no document is half-posted: the count is in review with none of its adjustments
  posted, or done with all of them; the receipt is open with none of its moves, or
  posted with all 40;
* lost = 0: every acknowledged move is there (and at most the one move that committed
  while its acknowledgement was being printed is there unacknowledged);
* the ledger agrees with itself: levels equal the sums of moves, FIFO layers the
  on-hand (:func:`benchmarks.concurrency.ledger_problems`);
* and it carries on: what was not posted posts now, exactly once.

Prints runs, kills, postings (committed, counted in the databases), lost, half-posted
documents and failures, and writes them as JSON. Exit code 1 on any failure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.models import (
    CountKind,
    CountStatus,
    LocationKind,
    MoveKind,
    Receipt,
    ReceiptStatus,
    StockCount,
    StockMove,
)
from app.services import counting, items, ledger, locations, receiving, suppliers
from app.services.database import open_database
from app.services.items import ItemInput
from app.services.suppliers import SupplierInput
from app.services.users import UserId, workstation_user
from benchmarks.concurrency import ledger_problems

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SINGLE_MOVES = 150
MOVE_TAG = "CRASH-MOVE"


@dataclass(frozen=True)
class Base:
    """The prepared database and what its documents should post."""

    path: Path
    user: int
    count_id: int
    count_number: str
    adjustments: int
    receipt_id: int
    receipt_number: str
    receipt_moves: int


@dataclass
class RunOutcome:
    """What one killed (or finished) run left behind."""

    killed: bool
    stage: str
    opened: bool = False
    integrity: str = ""
    acked: int = 0
    moves_found: int = 0
    postings: int = 0
    lost: int = 0
    unexplained: int = 0
    half_posted: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# --- the base database --------------------------------------------------------------------


def build_base(path: Path, n_items: int = 40, seed: int = 11) -> Base:
    """Items, stock, a count in review and an open receipt, in a new SQLite file."""
    rng = random.Random(seed)
    db = open_database(path)
    try:

        def setup(session: Session) -> tuple[int, int, dict[str, int]]:
            user = workstation_user(session, "crash")
            supplier = suppliers.save_supplier(
                session, user.id, SupplierInput(code="CRASH", name="Crash Supplier AB")
            )
            bins = {
                code: locations.save_bin(session, user.id, code).id
                for code in ("C-01", "C-02", "R-01", "R-02")
            }
            source = locations.virtual_location_id(session, LocationKind.SUPPLIER)
            for index in range(n_items):
                item = items.save_item(
                    session, user.id, ItemInput(sku=f"CR-{index + 1:03d}", name=f"Crash {index}")
                )
                for code, quantity in (("C-01", 50), ("C-02", 50), ("R-01", 30)):
                    ledger.post_move(
                        session,
                        item_id=item.id,
                        quantity=Decimal(quantity),
                        from_location_id=source,
                        to_location_id=bins[code],
                        kind=MoveKind.RECEIPT,
                        user_id=user.id,
                        unit_cost=Decimal("7.25"),
                        reference="OPENING",
                    )
            return user.id, supplier.id, bins

        user, supplier, bins = db.run(setup)
        user_id = UserId(user)
        count = db.run(counting.start_count, user_id, CountKind.AISLE, "C-", blind=False)
        adjustments = 0
        for line in count.lines:
            delta = rng.choice([-3, -2, -1, 1, 2, 3])
            adjustments += 1
            db.run(
                counting.set_counted,
                user_id,
                count.id,
                line.item_id,
                (line.expected or Decimal(0)) + delta,
                bin_id=line.bin_id,
            )
        db.run(counting.finish_count, user_id, count.id)
        receipt = db.run(receiving.start_receipt, user_id, supplier_id=supplier)
        item_ids = db.read(
            lambda s: list(
                s.scalars(select(StockMove.item_id).distinct().order_by(StockMove.item_id))
            )
        )
        for item_id in item_ids:
            db.run(
                receiving.add_quantity,
                receipt.id,
                item_id,
                rng.randint(1, 12),
                user_id,
                bin_id=bins["R-02"],
                add_unordered=True,
            )
        final = db.read(counting.get_count, user_id, count.id)
        assert final.status is CountStatus.REVIEW
    finally:
        db.dispose()
    return Base(
        path,
        user,
        count.id,
        count.number,
        adjustments,
        receipt.id,
        receipt.number,
        len(item_ids),
    )


# --- the worker (another process) ------------------------------------------------------------


def worker(path: str, user: int, count_id: int, receipt_id: int, seed: int) -> None:
    """Approve the count, post the receipt, then single moves; say each commit."""
    rng = random.Random(seed)
    user_id = UserId(user)
    db = open_database(path, migrate=False)
    print("start", flush=True)
    db.run(counting.approve_count, user_id, count_id)
    print("approved", flush=True)
    db.run(receiving.post_receipt, receipt_id, user_id)
    print("posted", flush=True)

    def ids(session: Session) -> tuple[list[int], int, int, int]:
        found = list(session.scalars(select(StockMove.item_id).distinct()))
        source = locations.virtual_location_id(session, LocationKind.SUPPLIER)
        r1 = locations.find_location(session, "R-01")
        r2 = locations.find_location(session, "R-02")
        assert r1 is not None and r2 is not None
        return found, source, r1.id, r2.id

    item_ids, source, r1, r2 = db.read(ids)
    for _number in range(SINGLE_MOVES):
        item = rng.choice(item_ids)
        if rng.random() < 0.5:
            move = db.run(
                ledger.post_move,
                item_id=item,
                quantity=Decimal(rng.randint(1, 4)),
                from_location_id=source,
                to_location_id=r1,
                kind=MoveKind.RECEIPT,
                user_id=user_id,
                unit_cost=Decimal("7.25"),
                reference=MOVE_TAG,
            )
        else:
            move = db.run(
                ledger.post_move,
                item_id=item,
                quantity=Decimal(1),
                from_location_id=r1,
                to_location_id=r2,
                kind=MoveKind.TRANSFER,
                user_id=user_id,
                reference=MOVE_TAG,
            )
        print(f"ack {move.id}", flush=True)
    db.dispose()
    print("done", flush=True)


# --- one run ------------------------------------------------------------------------------------


def _spawn(base: Base, path: Path, seed: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HYLLA_LANG": "en"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benchmarks.crash",
            "--worker",
            str(path),
            str(base.user),
            str(base.count_id),
            str(base.receipt_id),
            str(seed),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# Each kill lands in one stage of the worker: after its marker line, within its length.
STAGES = (
    ("count", "start", "approved"),
    ("receipt", "approved", "posted"),
    ("moves", "posted", "done"),
)


def timing(base: Base, folder: Path) -> dict[str, float]:
    """How long each stage of an uninterrupted worker takes, in seconds."""
    path = folder / "timing.db"
    shutil.copyfile(base.path, path)
    process = _spawn(base, path, 0)
    assert process.stdout is not None
    seen: dict[str, float] = {}
    for line in process.stdout:
        seen.setdefault(line.strip(), time.perf_counter())
    _rest, errors = process.communicate(timeout=300)
    if process.returncode != 0 or "done" not in seen:
        raise RuntimeError(f"the worker failed: {errors}")
    return {stage: seen[end] - seen[begin] for stage, begin, end in STAGES}


def verify(base: Base, path: Path, lines: list[str], outcome: RunOutcome) -> RunOutcome:
    """Open the killed copy and check everything a kill must not break."""
    acked = {int(line.split()[1]) for line in lines if line.startswith("ack ")}
    outcome.acked = len(acked)
    try:
        db = open_database(path)
    except Exception as exc:  # noqa: BLE001 - counted and reported, never fatal here
        outcome.problems.append(f"does not open: {exc}")
        return outcome
    outcome.opened = True
    try:
        outcome.integrity = str(db.read(lambda s: s.scalar(text("PRAGMA integrity_check"))))
        if outcome.integrity != "ok":
            outcome.problems.append(f"integrity_check: {outcome.integrity}")

        def state(session: Session) -> dict[str, object]:
            count = session.get(StockCount, base.count_id)
            receipt = session.get(Receipt, base.receipt_id)
            assert count is not None and receipt is not None

            def moves(*where: object) -> int:
                return int(session.scalar(select(func.count(StockMove.id)).where(*where)) or 0)

            return {
                "count": count.status,
                "adjustments": moves(StockMove.reference == base.count_number),
                "receipt": receipt.status,
                "receipt_moves": moves(StockMove.reference.startswith(base.receipt_number)),
                "singles": set(
                    session.scalars(select(StockMove.id).where(StockMove.reference == MOVE_TAG))
                ),
                "problems": ledger_problems(session),
            }

        found = db.read(state)
        if found["count"] is CountStatus.DONE:
            if found["adjustments"] != base.adjustments:
                outcome.half_posted.append(f"count done with {found['adjustments']} adjustments")
        elif found["count"] is CountStatus.REVIEW:
            if found["adjustments"]:
                outcome.half_posted.append(
                    f"count in review with {found['adjustments']} adjustments"
                )
        else:
            outcome.half_posted.append(f"count is {found['count']}")
        if found["receipt"] is ReceiptStatus.POSTED:
            if found["receipt_moves"] != base.receipt_moves:
                outcome.half_posted.append(f"receipt posted with {found['receipt_moves']} moves")
        elif found["receipt"] is ReceiptStatus.OPEN:
            if found["receipt_moves"]:
                outcome.half_posted.append(f"receipt open with {found['receipt_moves']} moves")
        else:
            outcome.half_posted.append(f"receipt is {found['receipt']}")
        singles: set[int] = found["singles"]  # type: ignore[assignment]
        outcome.moves_found = len(singles)
        outcome.lost = len(acked - singles)
        outcome.unexplained = max(0, len(singles - acked) - 1)
        if outcome.lost:
            outcome.problems.append(f"{outcome.lost} acknowledged moves are missing")
        if outcome.unexplained:
            outcome.problems.append(f"{len(singles - acked)} moves nobody acknowledged")
        outcome.problems += list(found["problems"])  # type: ignore[call-overload]
        outcome.postings = (
            len(singles)
            + (found["count"] is CountStatus.DONE)
            + (found["receipt"] is ReceiptStatus.POSTED)
        )
        # It carries on: what is not posted posts now, once, and the ledger still agrees.
        if found["count"] is CountStatus.REVIEW:
            db.run(counting.approve_count, UserId(base.user), base.count_id)
        if found["receipt"] is ReceiptStatus.OPEN:
            db.run(receiving.post_receipt, base.receipt_id, UserId(base.user))
        after = db.read(state)
        if (after["adjustments"], after["receipt_moves"]) != (base.adjustments, base.receipt_moves):
            outcome.problems.append(
                f"after finishing: {after['adjustments']}, {after['receipt_moves']}"
            )
        outcome.problems += [f"after finishing: {p}" for p in after["problems"]]  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001
        outcome.problems.append(f"{type(exc).__name__}: {exc}")
    finally:
        db.dispose()
    return outcome


def one_run(
    base: Base, folder: Path, index: int, marker: str, delay: float, seed: int
) -> RunOutcome:
    """Copy the base, start a worker, kill it ``delay`` seconds after it printed ``marker``."""
    path = folder / f"run-{index}.db"
    shutil.copyfile(base.path, path)
    process = _spawn(base, path, seed)
    assert process.stdout is not None
    lines: list[str] = []
    for line in process.stdout:
        lines.append(line.strip())
        if lines[-1] == marker:
            break
    time.sleep(delay)
    killed = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    # Read on through the same buffered pipe: the loop above may have read ahead past the
    # marker, and communicate() would read the raw pipe and miss those lines.
    rest = process.stdout.read()
    errors = process.stderr.read() if process.stderr is not None else ""
    process.stdout.close()
    if process.stderr is not None:
        process.stderr.close()
    lines += [line.strip() for line in rest.splitlines() if line.strip()]
    stage = (
        "done"
        if "done" in lines
        else "moves"
        if "posted" in lines
        else ("receipt" if "approved" in lines else "count")
    )
    outcome = RunOutcome(killed=killed and "done" not in lines, stage=stage)
    if "Traceback" in errors:
        outcome.problems.append("worker failed: " + errors.strip().splitlines()[-1])
    verify(base, path, lines, outcome)
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    return outcome


@dataclass(frozen=True)
class CrashSummary:
    """The counts of a crash run."""

    runs: int
    kills: int
    kills_during_count: int
    kills_during_receipt: int
    kills_during_moves: int
    postings: int
    acked: int
    lost: int
    half_posted: int
    open_failures: int
    integrity_failures: int
    failed_runs: int
    seconds: float
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when every run came back whole."""
        return self.failed_runs == 0


def run(runs: int = 200, jobs: int = 4, n_items: int = 40, seed: int = 5) -> CrashSummary:
    """Build the base, time a worker, then kill ``runs`` workers at random moments."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hylla-crash-") as name:
        folder = Path(name)
        base = build_base(folder / "base.db", n_items=n_items)
        durations = timing(base, folder)
        rng = random.Random(seed)
        plan = []
        for index in range(runs):
            # Kills spread evenly over the stages, and uniformly within each (a little
            # past its end too, so some land between two transactions).
            stage, marker, _end = STAGES[index % len(STAGES)]
            delay = rng.uniform(0, durations[stage] * 1.1)
            plan.append((index, marker, delay, rng.randrange(10**6)))
        with ThreadPoolExecutor(jobs) as pool:
            outcomes = list(pool.map(lambda p: one_run(base, folder, *p), plan))
    problems = [
        f"run {index}: {problem}"
        for index, outcome in enumerate(outcomes)
        for problem in outcome.half_posted + outcome.problems
    ]
    killed = [o for o in outcomes if o.killed]
    return CrashSummary(
        runs=len(outcomes),
        kills=len(killed),
        kills_during_count=sum(o.stage == "count" for o in killed),
        kills_during_receipt=sum(o.stage == "receipt" for o in killed),
        kills_during_moves=sum(o.stage == "moves" for o in killed),
        postings=sum(o.postings for o in outcomes),
        acked=sum(o.acked for o in outcomes),
        lost=sum(o.lost for o in outcomes),
        half_posted=sum(len(o.half_posted) for o in outcomes),
        open_failures=sum(not o.opened for o in outcomes),
        integrity_failures=sum(o.opened and o.integrity != "ok" for o in outcomes),
        failed_runs=sum(bool(o.half_posted or o.problems) for o in outcomes),
        seconds=time.perf_counter() - started,
        problems=tuple(problems),
    )


def main(argv: list[str] | None = None) -> int:
    """Run the kills (or, with ``--worker``, be the process that is killed)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--worker"]:
        path, user, count_id, receipt_id, seed = args[1:6]
        worker(path, int(user), int(count_id), int(receipt_id), int(seed))
        return 0
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.crash", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=4, help="runs side by side")
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "crash.json")
    options = parser.parse_args(args)
    summary = run(options.runs, options.jobs, options.items, options.seed)
    print(
        f"runs {summary.runs}  kills {summary.kills} (during the count approval "
        f"{summary.kills_during_count}, the receipt {summary.kills_during_receipt}, single "
        f"moves {summary.kills_during_moves})  postings {summary.postings}  "
        f"acknowledged {summary.acked}  lost {summary.lost}  half-posted {summary.half_posted}  "
        f"open failures {summary.open_failures}  integrity failures "
        f"{summary.integrity_failures}  {summary.seconds:.0f} s  "
        f"{'ok' if summary.ok else 'FAIL'}"
    )
    for problem in summary.problems[:20]:
        print(f"  {problem}")
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(
        json.dumps({**asdict(summary), "ok": summary.ok}, indent=2, ensure_ascii=False) + "\n"
    )
    print(f"written: {options.out}")
    return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
