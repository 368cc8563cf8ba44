"""Several workstations at once: 4 processes post receipts, picks and count adjustments
for the same few items, on one SQLite file and on PostgreSQL, and nothing is lost.

    python -m benchmarks.concurrency [--processes 4] [--postings 400] [--items 4]
                                     [--postgres-url URL] [--sqlite-only] [--out FILE]

Each process posts as fast as it can, in random order, through the real services
(``ledger.post_move`` inside ``Database.run``, one transaction per posting):

* receipts: supplier → a bin, 1 to 5 units;
* picks: a bin → the customer, 1 to 6 units, often more than the bin holds: refused
  ("no negative stock") unless the item allows negative stock;
* count adjustments: found more (count differences → bin) or found less (bin → count
  differences), refused like a pick when the bin has too little;
* transfer documents: two moves (out of one bin, into another) in one transaction,
  for two items taken in random order, so PostgreSQL's row locks can deadlock and the
  posting must be retried.

A posting that meets a busy database (SQLite) or a deadlock or serialisation failure
(PostgreSQL) is retried and counted as a conflict. Every process reports each posting
it saw committed. Afterwards the harness checks, in the database:

* lost = 0: every committed posting is there, and nothing else (moves counted per
  process and item; the level of each bin equals its opening plus the committed
  postings' deltas);
* levels == moves: each cached level equals the sum of its moves in and out;
* cost layers: per item, open FIFO layers minus the shortfall equal the on-hand;
* negative = 0: no level below zero for an item that does not allow it.

Prints a line per database with processes, postings, refusals, conflicts retried and
lost, and writes them as JSON. Exit code 1 if an invariant is broken. The PostgreSQL run
needs ``--postgres-url`` (or ``HYLLA_TEST_POSTGRES_URL``, as ``make test`` sets it); it
creates a throw-away database there and drops it afterwards.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.models import CostLayer, Item, Location, LocationKind, MoveKind, StockLevel, StockMove
from app.services import items, ledger, locations
from app.services.database import Database, open_database
from app.services.errors import DatabaseError, StockError
from app.services.items import ItemInput
from app.services.users import UserId, workstation_user

HERE = Path(__file__).resolve().parent
OPENING = Decimal(20)
MAX_RETRIES = 50


@dataclass(frozen=True)
class Setup:
    """The ids every process posts with."""

    user: int
    supplier: int
    customer: int
    count_diff: int
    bins: tuple[int, ...]
    items: tuple[int, ...]
    negative_ok: tuple[int, ...]


@dataclass
class WorkerReport:
    """What one process saw: its committed postings and how many were refused/retried.

    ``deltas`` maps ``"item:location"`` to the net quantity its committed postings moved
    in (+) or out (-) of that bin; ``moves`` counts its committed moves per item.
    """

    worker: int
    postings: int = 0
    moves: int = 0
    refused: int = 0
    conflicts: int = 0
    deltas: dict[str, str] = field(default_factory=dict)
    moves_per_item: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass(frozen=True)
class RunResult:
    """The outcome of one run on one database."""

    database: str
    processes: int
    postings: int
    moves: int
    refused: int
    conflicts: int
    lost: int
    negative: int
    level_mismatches: int
    layer_mismatches: int
    seconds: float
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when every invariant held."""
        return not self.problems


# --- set-up -------------------------------------------------------------------------------


def prepare(db: Database, n_items: int = 4, n_bins: int = 2) -> Setup:
    """Items, bins and opening stock that every process will fight over."""

    def build(session: Session) -> Setup:
        user = workstation_user(session, "concurrency")
        bins = tuple(
            locations.save_bin(session, user.id, f"K-{index + 1:02d}").id for index in range(n_bins)
        )
        supplier = locations.virtual_location_id(session, LocationKind.SUPPLIER)
        item_ids = []
        negative_ok = []
        for index in range(n_items):
            # The last item may go negative (an item sold before its delivery is booked).
            allow = index == n_items - 1
            detail = items.save_item(
                session,
                user.id,
                ItemInput(
                    sku=f"CONC-{index + 1}", name=f"Contended {index + 1}", allow_negative=allow
                ),
            )
            item_ids.append(detail.id)
            if allow:
                negative_ok.append(detail.id)
            for bin_id in bins:
                ledger.post_move(
                    session,
                    item_id=detail.id,
                    quantity=OPENING,
                    from_location_id=supplier,
                    to_location_id=bin_id,
                    kind=MoveKind.RECEIPT,
                    user_id=user.id,
                    unit_cost=Decimal("12.50"),
                    reference="OPENING",
                )
        return Setup(
            user=user.id,
            supplier=supplier,
            customer=locations.virtual_location_id(session, LocationKind.CUSTOMER),
            count_diff=locations.virtual_location_id(session, LocationKind.COUNT_DIFFERENCE),
            bins=bins,
            items=tuple(item_ids),
            negative_ok=tuple(negative_ok),
        )

    return db.run(build)


# --- one process --------------------------------------------------------------------------


def _is_conflict(exc: Exception) -> bool:
    if isinstance(exc, DatabaseError):
        return exc.problem == "busy"
    if isinstance(exc, DBAPIError):
        text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
        return any(
            word in text
            for word in ("deadlock", "could not serialize", "lock timeout", "database is locked")
        )
    return False


def _plan(rng: random.Random, setup: Setup) -> list[tuple[int, int, int, Decimal, MoveKind]]:
    """One posting: a list of moves (item, from, to, quantity, kind) made at once."""
    roll = rng.random()
    item = rng.choice(setup.items)
    bin_id = rng.choice(setup.bins)
    if roll < 0.30:
        return [(item, setup.supplier, bin_id, Decimal(rng.randint(1, 5)), MoveKind.RECEIPT)]
    if roll < 0.60:
        return [(item, bin_id, setup.customer, Decimal(rng.randint(1, 6)), MoveKind.ISSUE)]
    if roll < 0.85:
        quantity = Decimal(rng.randint(1, 3))
        if rng.random() < 0.5:
            return [(item, setup.count_diff, bin_id, quantity, MoveKind.ADJUSTMENT)]
        return [(item, bin_id, setup.count_diff, quantity, MoveKind.ADJUSTMENT)]
    # A transfer document of two items, locked in random order.
    first, second = rng.sample(list(setup.items), 2)
    source, target = rng.sample(list(setup.bins), 2)
    quantity = Decimal(rng.randint(1, 2))
    return [
        (first, source, target, quantity, MoveKind.TRANSFER),
        (second, source, target, quantity, MoveKind.TRANSFER),
    ]


def _post_all(
    session: Session, moves: list[tuple[int, int, int, Decimal, MoveKind]], user: int, tag: str
) -> None:
    for item, source, target, quantity, kind in moves:
        ledger.post_move(
            session,
            item_id=item,
            quantity=quantity,
            from_location_id=source,
            to_location_id=target,
            kind=kind,
            user_id=UserId(user),
            unit_cost=Decimal("12.50") if kind is MoveKind.RECEIPT else None,
            reference=tag,
        )


def work(url: str, worker: int, setup: Setup, postings: int, seed: int) -> WorkerReport:
    """Post ``postings`` random postings as fast as possible; report what committed."""
    rng = random.Random(seed * 1000 + worker)
    db = open_database(url, migrate=False)
    report = WorkerReport(worker)
    deltas: defaultdict[str, Decimal] = defaultdict(Decimal)
    per_item: Counter[str] = Counter()
    started = time.perf_counter()
    try:
        for number in range(postings):
            moves = _plan(rng, setup)
            tag = f"W{worker}-{number}"
            for attempt in range(MAX_RETRIES + 1):
                try:
                    db.run(_post_all, moves, setup.user, tag)
                except StockError:
                    report.refused += 1
                    break
                except Exception as exc:  # noqa: BLE001 - conflicts are retried, others raised
                    if not _is_conflict(exc) or attempt == MAX_RETRIES:
                        raise
                    report.conflicts += 1
                    time.sleep(rng.uniform(0.001, 0.01))
                else:
                    report.postings += 1
                    for item, source, target, quantity, _kind in moves:
                        deltas[f"{item}:{source}"] -= quantity
                        deltas[f"{item}:{target}"] += quantity
                        per_item[str(item)] += 1
                        report.moves += 1
                    break
    finally:
        db.dispose()
    report.seconds = time.perf_counter() - started
    report.deltas = {key: str(value) for key, value in deltas.items()}
    report.moves_per_item = dict(per_item)
    return report


def _child(
    url: str, worker: int, setup: Setup, postings: int, seed: int, queue: Any
) -> None:  # pragma: no cover - runs in another process
    try:
        queue.put(("ok", asdict(work(url, worker, setup, postings, seed))))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which fails
        queue.put(("error", f"worker {worker}: {type(exc).__name__}: {exc}"))


# --- checking -------------------------------------------------------------------------------


def ledger_problems(session: Session) -> list[str]:
    """Every way the ledger disagrees with itself: levels against the sum of moves, FIFO
    layers against the on-hand, and negative levels of items that do not allow them."""
    problems: list[str] = []
    moved: defaultdict[tuple[int, int, int], Decimal] = defaultdict(Decimal)
    internal = set(
        session.scalars(select(Location.id).where(Location.kind == LocationKind.INTERNAL))
    )
    for item, lot, source, target, quantity in session.execute(
        select(
            StockMove.item_id,
            StockMove.lot_id,
            StockMove.from_location_id,
            StockMove.to_location_id,
            StockMove.quantity,
        )
    ):
        if source in internal:
            moved[(item, source, lot or 0)] -= quantity
        if target in internal:
            moved[(item, target, lot or 0)] += quantity
    levels = {
        (item, location, lot): quantity
        for item, location, lot, quantity in session.execute(
            select(
                StockLevel.item_id,
                StockLevel.location_id,
                StockLevel.lot_key,
                StockLevel.quantity,
            )
        )
    }
    for key in set(moved) | set(levels):
        if levels.get(key, Decimal(0)) != moved.get(key, Decimal(0)):
            problems.append(
                f"level {key} is {levels.get(key, Decimal(0))}, moves say {moved.get(key, 0)}"
            )
    allow = {item: flag for item, flag in session.execute(select(Item.id, Item.allow_negative))}
    for (item, location, lot), quantity in levels.items():
        if quantity < 0 and not allow.get(item, False):
            problems.append(f"negative level {quantity} of item {item} in {location}/{lot}")
    on_hand: defaultdict[int, Decimal] = defaultdict(Decimal)
    for (item, _location, _lot), quantity in levels.items():
        on_hand[item] += quantity
    layers = {
        item: remaining
        for item, remaining in session.execute(
            select(CostLayer.item_id, func.coalesce(func.sum(CostLayer.remaining), 0)).group_by(
                CostLayer.item_id
            )
        )
    }
    for item, shortfall in session.execute(select(Item.id, Item.fifo_shortfall)).tuples():
        remaining = Decimal(layers.get(item, 0))
        if remaining - shortfall != on_hand.get(item, Decimal(0)):
            problems.append(
                f"item {item}: FIFO layers {remaining} - shortfall {shortfall} "
                f"!= on hand {on_hand.get(item, 0)}"
            )
    return problems


def check(db: Database, setup: Setup, reports: list[WorkerReport]) -> dict[str, Any]:
    """Compare the database with what the processes saw committed."""

    def read(session: Session) -> dict[str, Any]:
        problems = ledger_problems(session)
        levels = {
            f"{item}:{location}": quantity
            for item, location, quantity in session.execute(
                select(StockLevel.item_id, StockLevel.location_id, StockLevel.quantity)
            ).tuples()
        }
        counted = {
            item: count
            for item, count in session.execute(
                select(StockMove.item_id, func.count())
                .where(StockMove.reference != "OPENING")
                .group_by(StockMove.item_id)
            )
        }
        return {"problems": problems, "levels": levels, "moves": counted}

    found = db.read(read)
    problems: list[str] = list(found["problems"])
    expected: defaultdict[str, Decimal] = defaultdict(Decimal)
    for item in setup.items:
        for bin_id in setup.bins:
            expected[f"{item}:{bin_id}"] = OPENING
    for report in reports:
        for key, delta in report.deltas.items():
            item, location = key.split(":")
            if int(location) in setup.bins:
                expected[key] += Decimal(delta)
    lost = 0
    for key, quantity in expected.items():
        if found["levels"].get(key, Decimal(0)) != quantity:
            lost += 1
            problems.append(
                f"bin level {key} is {found['levels'].get(key)}, committed postings say {quantity}"
            )
    committed: Counter[int] = Counter()
    for report in reports:
        for item, count in report.moves_per_item.items():
            committed[int(item)] += count
    for item in setup.items:
        if found["moves"].get(item, 0) != committed[item]:
            lost += abs(found["moves"].get(item, 0) - committed[item])
            problems.append(
                f"item {item} has {found['moves'].get(item, 0)} moves, "
                f"the processes committed {committed[item]}"
            )
    negative = sum(1 for problem in problems if problem.startswith("negative"))
    return {
        "problems": problems,
        "lost": lost,
        "negative": negative,
        "level_mismatches": sum(1 for p in found["problems"] if p.startswith("level")),
        "layer_mismatches": sum(1 for p in found["problems"] if "FIFO" in p),
    }


# --- a run ----------------------------------------------------------------------------------


def run(
    url: str, *, processes: int = 4, postings: int = 400, n_items: int = 4, seed: int = 7
) -> RunResult:
    """Set up ``url`` (an empty, migrated database), let ``processes`` processes post at
    once, and check the outcome."""
    db = open_database(url)
    try:
        setup = prepare(db, n_items=n_items)
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        children = [
            context.Process(target=_child, args=(url, worker, setup, postings, seed, queue))
            for worker in range(processes)
        ]
        started = time.perf_counter()
        for child in children:
            child.start()
        outcomes = [queue.get(timeout=600) for _ in children]
        for child in children:
            child.join(timeout=60)
        seconds = time.perf_counter() - started
        errors = [detail for status, detail in outcomes if status == "error"]
        reports = [WorkerReport(**detail) for status, detail in outcomes if status == "ok"]
        checked = check(db, setup, reports)
    finally:
        db.dispose()
    problems = errors + checked["problems"]
    return RunResult(
        database="postgresql" if "postgresql" in url else "sqlite",
        processes=processes,
        postings=sum(r.postings for r in reports),
        moves=sum(r.moves for r in reports),
        refused=sum(r.refused for r in reports),
        conflicts=sum(r.conflicts for r in reports),
        lost=checked["lost"],
        negative=checked["negative"],
        level_mismatches=checked["level_mismatches"],
        layer_mismatches=checked["layer_mismatches"],
        seconds=seconds,
        problems=tuple(problems),
    )


class _PostgresScratch:
    """A throw-away database on a PostgreSQL server, dropped afterwards."""

    def __init__(self, server_url: str) -> None:
        from sqlalchemy.engine import make_url

        self.base = make_url(server_url).set(drivername="postgresql+psycopg")
        self.name = f"hylla_concurrency_{os.getpid()}_{uuid.uuid4().hex[:6]}"

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(
            host=self.base.host or "127.0.0.1",
            port=self.base.port or 5432,
            user=self.base.username or "postgres",
            password=self.base.password,
            dbname="postgres",
            autocommit=True,
        )

    def __enter__(self) -> str:
        with self._admin() as connection:
            connection.execute(f'CREATE DATABASE "{self.name}"')
        return self.base.set(database=self.name).render_as_string(hide_password=False)

    def __exit__(self, *_exc: object) -> None:
        with self._admin() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _line(result: RunResult) -> str:
    rate = result.postings / result.seconds if result.seconds else 0.0
    return (
        f"{result.database:<10} processes {result.processes}  postings {result.postings:>5}  "
        f"moves {result.moves:>5}  refused {result.refused:>4}  "
        f"conflicts retried {result.conflicts:>3}  lost {result.lost}  "
        f"negative {result.negative}  levels≠moves {result.level_mismatches}  "
        f"{result.seconds:5.1f} s  ({rate:,.0f} postings/s)  {'ok' if result.ok else 'FAIL'}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run on SQLite, then PostgreSQL if a server is given; print and write the counts."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.concurrency", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--postings", type=int, default=400, help="postings per process")
    parser.add_argument("--items", type=int, default=4, help="contended items (at least 2)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--postgres-url", default=os.environ.get("HYLLA_TEST_POSTGRES_URL", ""), metavar="URL"
    )
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "concurrency.json")
    args = parser.parse_args(argv)
    results: list[RunResult] = []
    with tempfile.TemporaryDirectory(prefix="hylla-concurrency-") as folder:
        url = str(Path(folder) / "shared.db")
        results.append(
            run(
                url,
                processes=args.processes,
                postings=args.postings,
                n_items=max(args.items, 2),
                seed=args.seed,
            )
        )
        print(_line(results[-1]), flush=True)
    if args.postgres_url and not args.sqlite_only:
        with _PostgresScratch(args.postgres_url) as url:
            results.append(
                run(
                    url,
                    processes=args.processes,
                    postings=args.postings,
                    n_items=max(args.items, 2),
                    seed=args.seed,
                )
            )
        print(_line(results[-1]), flush=True)
    elif not args.sqlite_only:
        print("postgresql skipped: give --postgres-url or set HYLLA_TEST_POSTGRES_URL")
    for result in results:
        for problem in result.problems[:20]:
            print(f"  {result.database}: {problem}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps([{**asdict(r), "ok": r.ok} for r in results], indent=2, ensure_ascii=False)
        + "\n"
    )
    print(f"written: {args.out}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
