"""Build DESIGN.md's large data set on a SQLite file, fast, by bulk inserts.

20,000 items with barcodes, ~200 bins and 1,000,000 moves over two years would take
some twenty minutes through ``ledger.post_move`` (about 1 ms a posting), so this
builder writes the tables directly, in one transaction, in large ``executemany``
batches, while keeping every rule the ledger keeps:

* the moves are simulated in time order per item and written with their final ids;
  an issue never takes more than the bin holds, so no level is ever negative and no
  FIFO shortfall arises;
* ``stock_level`` is written at the end as the sum of the moves per item, bin and
  lot (no lots here);
* ``cost_layer`` gets one layer per receipt, consumed oldest first by the issues
  exactly as ``ledger._consume_layers`` does, so the open layers add up to what is on
  hand; each issue's ``unit_cost`` is the FIFO value taken over its quantity, rounded
  to 4 decimals half-even like the ledger's ``Decimal.quantize``;
* ``item.avg_cost`` follows the ledger's running weighted average on receipts.

Quantities and money are written as the exact scaled integers the schema stores
(``ScaledDecimal``: thousandths and ten-thousandths), timestamps in the text form
SQLAlchemy's SQLite dialect reads back. The schema itself comes from the app's own
migrations (``open_database``), users from ``users.workstation_user``. Only SQLite is
supported (the benchmark's database).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.barcodes.gtin import with_check_digit
from app.models import LocationKind
from app.services import locations, users
from app.services.database import Database, open_database, unit_of_work

QTY = 1000  # stored units per item unit (3 decimals)
MONEY = 10000  # stored units per krona (4 decimals)
BATCH = 50_000
STAMP = "%Y-%m-%d %H:%M:%S.%f"

NOUNS = (
    "Hammare",
    "Gummihammare",
    "Slägghammare",
    "Skruv",
    "Träskruv",
    "Maskinskruv",
    "Mutter",
    "Bricka",
    "Spik",
    "Expander",
    "Tång",
    "Skruvmejsel",
    "Bits",
    "Borr",
    "Såg",
    "Kniv",
    "Handske",
    "Skyddsglasögon",
    "Hörselskydd",
    "Tejp",
    "Kabel",
    "Lampa",
    "Batteri",
    "Säkring",
    "Strömbrytare",
    "Uttag",
    "Slang",
    "Koppling",
    "Ventil",
    "Rör",
    "Pensel",
    "Roller",
    "Färg",
    "Lim",
    "Silikon",
    "Fogskum",
    "Sandpapper",
    "Mopp",
    "Hink",
    "Trasa",
    "Borste",
    "Diskmedel",
    "Tvål",
    "Papper",
    "Kartong",
    "Påse",
    "Etikett",
    "Penna",
    "Pärm",
    "Kaffe",
    "Te",
    "Knäckebröd",
    "Vatten",
    "Juice",
    "Saft",
    "Kex",
    "Sylt",
    "Gryn",
)
ADJECTIVES = (
    "förzinkad",
    "rostfri",
    "svart",
    "vit",
    "blå",
    "röd",
    "grön",
    "gul",
    "stor",
    "liten",
    "kraftig",
    "lätt",
    "proffs",
    "standard",
    "ekonomi",
    "premium",
    "inne",
    "ute",
)
SIZES = (
    "10 mm",
    "16 mm",
    "25 mm",
    "40 mm",
    "60 mm",
    "100 mm",
    "250 ml",
    "500 ml",
    "1 l",
    "5 l",
    "100 g",
    "500 g",
    "1 kg",
    "5 kg",
    "S",
    "M",
    "L",
    "XL",
    "2-p",
    "10-p",
    "100-p",
)
UNITS = ("pcs", "pcs", "pcs", "pack", "box", "roll", "pair", "kg", "l", "m")
POLICIES = (
    ("reorder-point", 60),
    ("min-max", 20),
    ("zero-point", 10),
    ("manual", 10),
)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DatasetInfo:
    """What the builder wrote, and how long it took."""

    path: Path
    items: int
    bins: int
    suppliers: int
    barcodes: int
    moves: int
    receipts: int
    issues: int
    layers: int
    first_day: dt.date
    last_day: dt.date
    user_id: int
    seconds: float


def _half_even(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half-even, as ``Decimal.quantize`` rounds."""
    q, r = divmod(numerator, denominator)
    if 2 * r > denominator or (2 * r == denominator and q % 2 == 1):
        q += 1
    return q


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        candidate = Path(str(path) + suffix)
        if candidate.exists():
            candidate.unlink()


def build_dataset(
    path: Path | str,
    *,
    items: int = 20_000,
    moves: int = 1_000_000,
    bins: int = 200,
    suppliers: int = 40,
    days: int = 730,
    seed: int = 1,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> DatasetInfo:
    """Create ``path`` anew (an existing file is replaced) holding the large data set.

    ``moves`` counts every move, including one opening receipt per item on the first day,
    so it must be at least ``items``.
    """
    if items < 1 or bins < 1 or suppliers < 1 or days < 2:
        raise ValueError("items, bins, suppliers must be positive and days at least 2")
    if moves < items:
        raise ValueError("moves must be at least items (every item gets an opening receipt)")
    say = progress or (lambda message: None)
    started = time.perf_counter()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove(path)
    db = open_database(path)
    try:
        with unit_of_work(db) as session:
            user_id = int(users.workstation_user(session, "bench").id)
            supplier_loc = locations.virtual_location_id(session, LocationKind.SUPPLIER)
            customer_loc = locations.virtual_location_id(session, LocationKind.CUSTOMER)
        raw = db.engine.raw_connection()
        try:
            connection = raw.driver_connection
            assert isinstance(connection, sqlite3.Connection)
            connection.execute("BEGIN IMMEDIATE")
            try:
                info = _build(
                    connection,
                    random.Random(seed),
                    path=path,
                    items=items,
                    moves=moves,
                    bins=bins,
                    suppliers=suppliers,
                    days=days,
                    today=today or dt.date.today(),
                    user_id=user_id,
                    supplier_loc=supplier_loc,
                    customer_loc=customer_loc,
                    say=say,
                )
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            # A fresh database has no multi-gigabyte WAL; neither should the benchmark's.
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    finally:
        db.dispose()
    return dataclasses.replace(info, seconds=time.perf_counter() - started)


def _build(
    con: sqlite3.Connection,
    rng: random.Random,
    *,
    path: Path,
    items: int,
    moves: int,
    bins: int,
    suppliers: int,
    days: int,
    today: dt.date,
    user_id: int,
    supplier_loc: int,
    customer_loc: int,
    say: Progress,
) -> DatasetInfo:
    now = dt.datetime.now(dt.UTC).strftime(STAMP)
    first_day = today - dt.timedelta(days=days)

    # Bins: aisles A, B, … (then A1, B1, …) of 10 sections × 4 levels.
    bin_codes = [f"{_aisle(n // 40)}-{n % 40 // 4 + 1:02d}-{n % 4 + 1:02d}" for n in range(bins)]
    con.executemany(
        "INSERT INTO location (code, name, kind, active) VALUES (?, '', 'internal', 1)",
        [(code,) for code in bin_codes],
    )
    bin_ids = [
        row[0]
        for row in con.execute(
            "SELECT id FROM location WHERE kind = 'internal' ORDER BY id"
        ).fetchall()
    ]
    con.executemany(
        "INSERT INTO supplier (code, name, email, address, lead_time_days, min_order_value, "
        "currency, active) VALUES (?, ?, ?, '', ?, ?, 'SEK', 1)",
        [
            (
                f"SUP{n:03d}",
                f"Leverantör {n} AB",
                f"order{n}@supplier.example",
                rng.randint(2, 21),
                rng.randint(0, 50) * 100 * MONEY,
            )
            for n in range(1, suppliers + 1)
        ],
    )
    supplier_ids = [row[0] for row in con.execute("SELECT id FROM supplier ORDER BY id")]
    say(f"{bins} bins and {suppliers} suppliers")

    # Items, their barcodes and supplier terms. Ids are given, 1..items.
    cost = [0] * (items + 1)  # today's price in money units
    typical = [0] * (items + 1)  # a typical issue, in whole units
    bin_of = [0] * (items + 1)
    item_rows = []
    barcode_rows = []
    supplier_rows = []
    policy_names = [p for p, _w in POLICIES]
    policy_weights = [w for _p, w in POLICIES]
    for item_id in range(1, items + 1):
        price = rng.randint(5, 2000) * MONEY // rng.choice((1, 2, 4))
        cost[item_id] = price
        typical[item_id] = rng.choice((1, 1, 2, 3, 5, 10, 20))
        bin_of[item_id] = bin_ids[(item_id - 1) * len(bin_ids) // items]
        policy = rng.choices(policy_names, weights=policy_weights)[0]
        minimum = maximum = order = level = None
        if policy == "min-max":
            minimum = typical[item_id] * rng.randint(3, 10) * QTY
            maximum = minimum * 3
        elif policy == "reorder-point":
            order = typical[item_id] * rng.randint(10, 30) * QTY
            level = rng.choice((9000, 9500, 9700, 9900))
        item_rows.append(
            (
                item_id,
                f"BX-{item_id:06d}",
                f"{rng.choice(NOUNS)} {rng.choice(ADJECTIVES)} {rng.choice(SIZES)}",
                rng.choice(UNITS),
                f"Kategori {item_id % 30 + 1:02d}",
                price * rng.randint(130, 220) // 100 // 100 * 100,
                policy,
                minimum,
                maximum,
                order,
                level,
                bin_of[item_id],
                now,
                now,
            )
        )
        ean = with_check_digit(f"7350{item_id:08d}")
        barcode_rows.append((ean, item_id, QTY, ""))
        if item_id % 4 == 0:
            barcode_rows.append(
                (
                    with_check_digit("1" + ean[:12]),
                    item_id,
                    rng.choice((6, 12, 24)) * QTY,
                    "Kartong",
                )
            )
        supplier_rows.append(
            (
                rng.choice(supplier_ids),
                item_id,
                f"S-{item_id:06d}",
                price,
                rng.choice((1, 1, 6, 12)) * QTY,
                0,
                1,
            )
        )
    con.executemany(
        "INSERT INTO item (id, sku, name, unit, category, sales_price, policy, min_qty, "
        "max_qty, order_qty, service_level, lot_tracked, allow_negative, active, "
        "default_location_id, avg_cost, fifo_shortfall, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 1, ?, 0, 0, ?, ?)",
        item_rows,
    )
    con.executemany(
        "INSERT INTO barcode (code, item_id, pack_qty, label) VALUES (?, ?, ?, ?)", barcode_rows
    )
    con.executemany(
        "INSERT INTO supplier_item (supplier_id, item_id, supplier_sku, price, pack_size, moq, "
        "preferred) VALUES (?, ?, ?, ?, ?, ?, ?)",
        supplier_rows,
    )
    say(f"{items:,} items, {len(barcode_rows):,} barcodes")

    # Moves, simulated day by day. Popularity is skewed: a few items move a lot.
    ranks = list(range(1, items + 1))
    rng.shuffle(ranks)
    cumulative = []
    total_weight = 0.0
    for item_id in range(1, items + 1):
        total_weight += 1.0 / (ranks[item_id - 1] + 20) ** 0.9
        cumulative.append(total_weight)
    population = list(range(1, items + 1))

    on_hand = [0] * (items + 1)  # qty units
    avg = [0] * (items + 1)  # money units
    layers: list[list[list[int]]] = [[] for _ in range(items + 1)]  # [layer id, left, cost]
    head = [0] * (items + 1)  # first open layer of each item
    layer_rows: list[tuple[int, int, int, int, int, str]] = []  # without remaining
    move_id = 0
    receipts = issues = 0
    batch: list[tuple[object, ...]] = []
    insert_moves = (
        "INSERT INTO stock_move (id, item_id, lot_id, quantity, from_location_id, "
        "to_location_id, unit_cost, kind, reference, user_id, moved_at, reverses_move_id) "
        "VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, NULL)"
    )
    later = moves - items
    per_day = [later // (days - 1)] * (days - 1)
    for extra in range(later % (days - 1)):
        per_day[extra] += 1

    def receive(item_id: int, qty: int, unit_cost: int, stamp: str, reference: str) -> None:
        nonlocal move_id, receipts
        move_id += 1
        receipts += 1
        held = on_hand[item_id]
        if held <= 0:
            avg[item_id] = unit_cost
        else:
            avg[item_id] = _half_even(held * avg[item_id] + qty * unit_cost, held + qty)
        on_hand[item_id] = held + qty
        layers[item_id].append([len(layer_rows) + 1, qty, unit_cost])
        layer_rows.append((len(layer_rows) + 1, item_id, move_id, qty, unit_cost, stamp))
        batch.append(
            (
                move_id,
                item_id,
                qty,
                supplier_loc,
                bin_of[item_id],
                unit_cost,
                "receipt",
                reference,
                user_id,
                stamp,
            )
        )

    def issue(item_id: int, qty: int, stamp: str, reference: str) -> None:
        nonlocal move_id, issues
        move_id += 1
        issues += 1
        on_hand[item_id] -= qty
        need = qty
        value = 0
        open_layers = layers[item_id]
        index = head[item_id]
        while need:
            layer = open_layers[index]
            take = min(need, layer[1])
            value += take * layer[2]
            layer[1] -= take
            need -= take
            if layer[1] == 0:
                index += 1
        head[item_id] = index
        # Money units per qty unit, as the ledger's (value / qty).quantize(0.0001).
        unit_cost = _half_even(value, qty)
        batch.append(
            (
                move_id,
                item_id,
                qty,
                bin_of[item_id],
                customer_loc,
                unit_cost,
                "issue",
                reference,
                user_id,
                stamp,
            )
        )

    def flush() -> None:
        con.executemany(insert_moves, batch)
        batch.clear()

    opening = dt.datetime.combine(first_day, dt.time(6, 0)).strftime(STAMP)
    for item_id in range(1, items + 1):
        receive(
            item_id,
            typical[item_id] * rng.randint(10, 40) * QTY,
            _drifted(cost[item_id], days, rng),
            opening,
            "OPENING",
        )
        if len(batch) >= BATCH:
            flush()
    po = so = 0
    for offset in range(1, days):
        day = first_day + dt.timedelta(days=offset)
        count = per_day[offset - 1]
        chosen = rng.choices(population, cum_weights=cumulative, k=count)
        prefix = day.strftime("%Y-%m-%d")
        for n, item_id in enumerate(chosen):
            seconds = 6 * 3600 + n * 12 * 3600 // max(1, count)
            clock = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
            stamp = f"{prefix} {clock}.000000"
            qty = rng.randint(1, typical[item_id]) * QTY
            if on_hand[item_id] < qty:
                po += 1
                receive(
                    item_id,
                    typical[item_id] * rng.randint(10, 30) * QTY,
                    _drifted(cost[item_id], days - offset, rng),
                    stamp,
                    f"PO-{po}",
                )
            else:
                so += 1
                issue(item_id, qty, stamp, f"SO-{so // 3 + 1}")
            if len(batch) >= BATCH:
                flush()
                if move_id % 200_000 < BATCH:
                    say(f"{move_id:,} moves")
    flush()
    say(f"{move_id:,} moves ({receipts:,} receipts, {issues:,} issues)")

    remaining = {layer_id: left for per_item in layers for layer_id, left, _cost in per_item}
    con.executemany(
        "INSERT INTO cost_layer (id, item_id, move_id, quantity, remaining, unit_cost, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (layer_id, item_id, mid, qty, remaining[layer_id], unit_cost, stamp)
            for layer_id, item_id, mid, qty, unit_cost, stamp in layer_rows
        ],
    )
    con.executemany(
        "INSERT INTO stock_level (item_id, location_id, lot_key, lot_id, quantity) "
        "VALUES (?, ?, 0, NULL, ?)",
        [(item_id, bin_of[item_id], on_hand[item_id]) for item_id in range(1, items + 1)],
    )
    con.executemany(
        "UPDATE item SET avg_cost = ? WHERE id = ?",
        [(avg[item_id], item_id) for item_id in range(1, items + 1)],
    )
    say(f"{len(layer_rows):,} cost layers, {items:,} levels")
    return DatasetInfo(
        path=path,
        items=items,
        bins=len(bin_ids),
        suppliers=len(supplier_ids),
        barcodes=len(barcode_rows),
        moves=move_id,
        receipts=receipts,
        issues=issues,
        layers=len(layer_rows),
        first_day=first_day,
        last_day=today - dt.timedelta(days=1),
        user_id=user_id,
        seconds=0.0,
    )


def _aisle(number: int) -> str:
    letter = chr(ord("A") + number % 26)
    return letter if number < 26 else f"{letter}{number // 26}"


def _drifted(price_today: int, days_ago: int, rng: random.Random) -> int:
    """A past purchase price: about 4 % a year cheaper than today's, ±2 %, whole öre."""
    factor = 10000 - 400 * days_ago // 365 + rng.randint(-200, 200)
    return max(100, price_today * factor // 10000 // 100 * 100)


def open_dataset(path: Path | str) -> Database:
    """Open a built data set the way the application opens its database."""
    if not os.path.exists(path):
        raise FileNotFoundError(path)
    return open_database(path)
