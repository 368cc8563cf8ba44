"""A receiving workstation in a separate process, for the crash tests to kill (SIGKILL).

python -m tests.services.receiving_crash_worker scan DB RECEIPT_ID USER_ID SCANS SEED
    scans as fast as it can (item codes, cartons, GS1 codes with lots, bin labels,
    undos) and prints ``ack EVENT_ID`` after each scan's transaction has committed.
python -m tests.services.receiving_crash_worker post DB RECEIPT_ID USER_ID
    prints ``posting``, posts the receipt, prints ``posted SECONDS``.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time

os.environ["HYLLA_LANG"] = "en"

from app.services import receiving  # noqa: E402
from app.services.database import open_database  # noqa: E402
from app.services.users import UserId  # noqa: E402
from tests.services.purchasing_setup import COFFEE_CARTON, COFFEE_EAN, MILK_EAN, gs1  # noqa: E402

EXPIRY = dt.date(2030, 12, 31)


def _scan(path: str, receipt_id: int, user: UserId, scans: int, seed: int) -> None:
    rng = random.Random(seed)
    db = open_database(path, migrate=False)
    codes = [COFFEE_EAN, COFFEE_CARTON, gs1("0" + MILK_EAN, lot="L1", expiry=EXPIRY)]
    can_undo = False
    for number in range(scans):
        roll = rng.random()
        if roll < 0.12 and can_undo:
            outcome = db.run(receiving.undo_last_scan, receipt_id, user)
        elif roll < 0.24:
            outcome = db.run(
                receiving.add_scan, receipt_id, rng.choice(["A-01-01", "C-03-01"]), user
            )
        else:
            outcome = db.run(receiving.add_scan, receipt_id, rng.choice(codes), user)
        if not outcome.saved:
            raise SystemExit(f"scan {number} was not saved: {outcome.message}")
        can_undo = outcome.receipt.can_undo
        print(f"ack {outcome.event_id}", flush=True)
    db.dispose()


def _post(path: str, receipt_id: int, user: UserId) -> None:
    db = open_database(path, migrate=False)
    print("posting", flush=True)
    started = time.perf_counter()
    db.run(receiving.post_receipt, receipt_id, user)
    print(f"posted {time.perf_counter() - started:.3f}", flush=True)
    db.dispose()


def main(argv: list[str]) -> None:
    """Run the mode named by the first argument."""
    mode, path, receipt_id, user = argv[0], argv[1], int(argv[2]), UserId(int(argv[3]))
    if mode == "scan":
        _scan(path, receipt_id, user, int(argv[4]), int(argv[5]))
    elif mode == "post":
        _post(path, receipt_id, user)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])
