"""A believable demo warehouse with 18 months of history, the same for the same seed.

``create_demo`` fills an empty database with about 300 items in eleven categories,
eight suppliers, 96 bins and the receipts, sales, scrapping and count adjustments of
a small Scandinavian warehouse, so every list and report has something real to show:
fast and slow movers, seasonal items (garden in summer, salt in winter, Christmas
food), dead stock that has not sold for over six months, and lot-tracked food with
expired lots and lots expiring soon.

How it works: the whole history is first simulated in plain Python (integers, a
private ``random.Random(seed)``; stock is tracked per item and lot so nothing is ever
sold that is not there), then posted in time order through ``ledger.post_move`` with
``moved_at`` in the past. Items, bins, suppliers and lots are made with their own
services, so the demo obeys the same rules as typed data. Everything happens in the
caller's one transaction.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from babel.numbers import format_decimal
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.barcodes.gtin import with_check_digit
from app.i18n import _, locale_name
from app.models import Item, Location, LocationKind, MoveKind, Policy, Supplier
from app.services import ledger, locations, lots, settings
from app.services.demo_data import CATEGORIES, SEASONS, SUPPLIERS, Category, Family
from app.services.errors import ValidationError
from app.services.items import BarcodeInput, ItemInput, SupplierItemInput, save_item
from app.services.suppliers import SupplierInput, save_supplier
from app.services.users import UserId

HISTORY_DAYS = 548  # 18 months
AISLES = "ABCD"
SECTIONS = 12
LEVELS = 2
COMPANY_NAME = "Hylla Demolager AB"
COMPANY_ADDRESS = "Lagergatan 14\n451 32 Uddevalla"
COMPANY_EMAIL = "inkop@hylla-demolager.se"
# Days the demo warehouse is closed besides weekends (fixed-date Swedish holidays).
HOLIDAYS = frozenset({(1, 1), (1, 6), (5, 1), (6, 6), (12, 24), (12, 25), (12, 26), (12, 31)})
SERVICE_LEVELS = (("0.90", 1.28), ("0.95", 1.65), ("0.97", 1.88), ("0.98", 2.05), ("0.99", 2.33))
PROGRESS_EVERY = 250

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class DemoSummary:
    """What ``create_demo`` made."""

    items: int
    suppliers: int
    bins: int
    lots: int
    moves: int
    receipts: int
    issues: int
    scraps: int
    adjustments: int
    first_day: dt.date
    last_day: dt.date

    def describe(self) -> str:
        """A one-line, translated account, e.g. for the command line."""

        def n(value: int) -> str:
            return format_decimal(value, locale=locale_name())

        return _(
            "Demo warehouse created: {items} items, {suppliers} suppliers, {bins} bins, "
            "{moves} moves."
        ).format(
            items=n(self.items), suppliers=n(self.suppliers), bins=n(self.bins), moves=n(self.moves)
        )


@dataclass
class _Held:
    """Simulated stock of one lot."""

    expiry: dt.date
    qty: int


@dataclass
class _Plan:
    """One demo item: what it is, how it sells and how it is bought (quantities in steps)."""

    sku: str
    name: str
    category: str
    unit: str
    step: Decimal
    lot_tracked: bool
    shelf_life: int | None
    season: tuple[float, ...]
    velocity: str
    policy: Policy
    p_day: float
    qty_lo: int
    qty_hi: int
    qty_round: int
    cost_ore: int
    sales_price_ore: int
    supplier: int
    alt_supplier: int | None
    alt_cost_ore: int
    pack: int
    moq: int
    lead: int
    lead_override: bool
    z: float
    service_level: str
    cover_days: int
    ean: str
    carton: tuple[str, int] | None
    bin_index: int = 0
    stop_day: dt.date | None = None
    scrap_expired: bool = True
    # Simulation state.
    stock: int = 0
    lots: dict[str, _Held] = field(default_factory=dict)
    pending: list[tuple[dt.date, int, int, str, str]] = field(default_factory=list)
    forced_last_buy: bool = False

    def mean_qty(self) -> float:
        return (self.qty_lo + self.qty_hi) / 2

    def steps_per_unit(self) -> int:
        return int(1 / self.step)


class _Event(NamedTuple):
    """One planned move; quantities in the item's steps, costs in öre."""

    day: dt.date
    minute: int
    kind: MoveKind
    item: int
    qty: int
    lot: str | None
    expiry: dt.date | None
    cost_ore: int | None
    reference: str
    inward: bool  # for adjustments: found (True) or lost (False)


def database_is_empty(session: Session) -> bool:
    """True while the database holds no items (a new database, ready for the demo)."""
    return session.scalar(select(Item.id).limit(1)) is None


def _check_can_create(session: Session, scale: float) -> None:
    if not database_is_empty(session):
        count = session.scalar(select(func.count(Item.id))) or 0
        raise ValidationError(
            _(
                "This database already holds {count} items. The demo warehouse can only be "
                "created in an empty database: choose a new database file."
            ).format(count=count)
        )
    if (
        session.scalar(select(Supplier.id).limit(1)) is not None
        or session.scalar(
            select(Location.id).where(Location.kind == LocationKind.INTERNAL).limit(1)
        )
        is not None
    ):
        raise ValidationError(
            _(
                "This database already has bins or suppliers. The demo warehouse can only be "
                "created in an empty database: choose a new database file."
            )
        )
    if not (0 < scale <= 1):
        raise ValidationError(
            _("The demo size must be above 0 and at most 1 (the full demo)."), field="scale"
        )


def create_demo(
    session: Session,
    user_id: UserId,
    *,
    seed: int = 7,
    progress: ProgressFn | None = None,
    today: dt.date | None = None,
    scale: float = 1.0,
) -> DemoSummary:
    """Fill an empty database with the demo warehouse and its history up to yesterday.

    The same ``seed``, ``today`` and ``scale`` always give the same items, barcodes,
    lots and moves. ``scale`` below 1 keeps that share of the items (for quick tests).
    ``progress(done, total)`` is called now and then. Refuses a database that already
    has items, bins or suppliers, and changes nothing then.
    """
    _check_can_create(session, scale)
    today = today or dt.date.today()
    rng = random.Random(seed)
    end = today - dt.timedelta(days=1)
    start = today - dt.timedelta(days=HISTORY_DAYS)

    inflation_bp = [rng.randint(200, 700) for _spec in SUPPLIERS]
    plans = _plan_items(rng, scale)
    events = _simulate(rng, plans, start, end, today, inflation_bp)
    total = len(plans) + len(events)
    report = progress or (lambda done, total: None)
    report(0, total)

    if not settings.get_setting(session, "company_name"):
        settings.set_setting(session, "company_name", COMPANY_NAME)
    # The header of the demo's purchase orders and goods-received notes.
    if not settings.get_setting(session, "company_address"):
        settings.set_setting(session, "company_address", COMPANY_ADDRESS)
    if not settings.get_setting(session, "company_email"):
        settings.set_setting(session, "company_email", COMPANY_EMAIL)
    supplier_ids = [
        save_supplier(
            session,
            user_id,
            SupplierInput(
                code=spec.code,
                name=spec.name,
                email=spec.email,
                address=spec.address,
                lead_time_days=spec.lead_time_days,
                min_order_value=Decimal(spec.min_order_value_ore).scaleb(-2),
                currency="SEK",
            ),
        ).id
        for spec in SUPPLIERS
    ]
    bin_codes = [
        f"{aisle}-{section:02d}-{level:02d}"
        for aisle in AISLES
        for section in range(1, SECTIONS + 1)
        for level in range(1, LEVELS + 1)
    ]
    bin_ids = [
        locations.save_bin(
            session,
            user_id,
            code,
            _("Aisle {aisle}, section {section}, level {level}").format(
                aisle=code[0], section=code[2:4], level=code[5:].lstrip("0")
            ),
        ).id
        for code in bin_codes
    ]
    item_ids: list[int] = []
    for index, plan in enumerate(plans):
        plan.bin_index = index * len(bin_ids) // len(plans)
        item_ids.append(save_item(session, user_id, _item_input(plan, bin_codes)).id)
        if index % 25 == 0:
            report(index, total)

    supplier_loc = locations.virtual_location_id(session, LocationKind.SUPPLIER)
    customer_loc = locations.virtual_location_id(session, LocationKind.CUSTOMER)
    scrap_loc = locations.virtual_location_id(session, LocationKind.SCRAP)
    count_loc = locations.virtual_location_id(session, LocationKind.COUNT_DIFFERENCE)
    lot_ids: dict[tuple[int, str], int] = {}
    counts = dict.fromkeys(MoveKind, 0)
    for done, event in enumerate(events, start=len(plans)):
        plan = plans[event.item]
        item_id = item_ids[event.item]
        bin_id = bin_ids[plan.bin_index]
        lot_id = None
        if event.lot is not None:
            key = (event.item, event.lot)
            if key not in lot_ids:
                lot_ids[key] = lots.get_or_create_lot(session, item_id, event.lot, event.expiry).id
            lot_id = lot_ids[key]
        if event.kind is MoveKind.RECEIPT:
            source, target = supplier_loc, bin_id
        elif event.kind is MoveKind.ISSUE:
            source, target = bin_id, customer_loc
        elif event.kind is MoveKind.SCRAP:
            source, target = bin_id, scrap_loc
        elif event.inward:
            source, target = count_loc, bin_id
        else:
            source, target = bin_id, count_loc
        ledger.post_move(
            session,
            item_id=item_id,
            quantity=plan.step * event.qty,
            from_location_id=source,
            to_location_id=target,
            kind=event.kind,
            user_id=user_id,
            lot_id=lot_id,
            unit_cost=None if event.cost_ore is None else Decimal(event.cost_ore).scaleb(-2),
            reference=event.reference,
            moved_at=dt.datetime.combine(event.day, dt.time(), dt.UTC)
            + dt.timedelta(minutes=event.minute),
        )
        counts[event.kind] += 1
        if done % PROGRESS_EVERY == 0:
            report(done, total)
    session.flush()
    # Imported here, not at the top: the window imports this module at every start (to
    # offer the demo) and ABC classification brings numpy with it.
    from app.services import abc_classes, counting

    # Cycle counts and proposals go by ABC class: give the demo its classes from the
    # history just made, as a manager would on the first morning.
    abc_classes.classify_abc(session, user_id, today)
    # Cycle counting starts today: the plan's earlier days are no backlog.
    if not settings.get_setting(session, counting.PLAN_START_SETTING):
        settings.set_setting(session, counting.PLAN_START_SETTING, today.isoformat())
    report(total, total)
    return DemoSummary(
        items=len(plans),
        suppliers=len(supplier_ids),
        bins=len(bin_ids),
        lots=len(lot_ids),
        moves=len(events),
        receipts=counts[MoveKind.RECEIPT],
        issues=counts[MoveKind.ISSUE],
        scraps=counts[MoveKind.SCRAP],
        adjustments=counts[MoveKind.ADJUSTMENT],
        first_day=events[0].day if events else start,
        last_day=events[-1].day if events else end,
    )


def _item_input(plan: _Plan, bin_codes: list[str]) -> ItemInput:
    unit = Decimal(1)
    min_qty = max_qty = order_qty = None
    service_level = None
    if plan.policy in (Policy.REORDER_POINT, Policy.MIN_MAX):
        rop = _reorder_point(plan, 1.0)
        order = _order_size(plan, 1.0)
        if plan.policy is Policy.REORDER_POINT:
            service_level = plan.service_level
            order_qty = plan.step * order
        else:
            min_qty = plan.step * rop
            max_qty = plan.step * (rop + order)
    suppliers = [
        SupplierItemInput(
            supplier_code=SUPPLIERS[plan.supplier].code,
            supplier_sku=f"{SUPPLIERS[plan.supplier].gs1_company}-{plan.ean[8:12]}",
            price=Decimal(plan.cost_ore).scaleb(-2),
            pack_size=plan.step * plan.pack,
            moq=plan.step * plan.moq,
            lead_time_days=plan.lead if plan.lead_override else None,
            preferred=True,
        )
    ]
    if plan.alt_supplier is not None:
        alt = SUPPLIERS[plan.alt_supplier]
        suppliers.append(
            SupplierItemInput(
                supplier_code=alt.code,
                supplier_sku=f"{alt.code[:3]}-{plan.sku}",
                price=Decimal(plan.alt_cost_ore).scaleb(-2),
                pack_size=unit,
                moq=Decimal(0),
            )
        )
    barcodes = [BarcodeInput(plan.ean)]
    if plan.carton is not None:
        barcodes.append(BarcodeInput(plan.carton[0], str(plan.carton[1]), "Kartong"))
    return ItemInput(
        sku=plan.sku,
        name=plan.name,
        unit=plan.unit,
        category=plan.category,
        sales_price=Decimal(plan.sales_price_ore).scaleb(-2),
        policy=plan.policy,
        min_qty=min_qty,
        max_qty=max_qty,
        order_qty=order_qty,
        service_level=service_level,
        lot_tracked=plan.lot_tracked,
        shelf_life_days=plan.shelf_life,
        default_location=bin_codes[plan.bin_index],
        barcodes=tuple(barcodes),
        supplier_items=tuple(suppliers),
    )


# --- The catalogue --------------------------------------------------------------------------


def _plan_items(rng: random.Random, scale: float) -> list[_Plan]:
    catalogue = [
        (category, family, variant, position)
        for category in CATEGORIES
        for family in category.families
        for position, variant in enumerate(family.variants)
    ]
    keep = max(10, round(len(catalogue) * scale))
    chosen = sorted(rng.sample(range(len(catalogue)), keep)) if keep < len(catalogue) else None
    supplier_index = {spec.code: i for i, spec in enumerate(SUPPLIERS)}
    used_refs: dict[int, set[int]] = {}
    plans: list[_Plan] = []
    numbers: dict[str, int] = {}
    for index, entry in enumerate(catalogue):
        # Every catalogue entry draws its numbers even when left out, so a smaller demo
        # holds the same items with the same barcodes and terms as the full one.
        plan = _plan_one(rng, *entry, supplier_index, used_refs, numbers)
        if chosen is None or index in chosen:
            plans.append(plan)
    return plans


def _plan_one(
    rng: random.Random,
    category: Category,
    family: Family,
    variant: str,
    position: int,
    supplier_index: dict[str, int],
    used_refs: dict[int, set[int]],
    numbers: dict[str, int],
) -> _Plan:
    numbers[category.sku_prefix] = numbers.get(category.sku_prefix, 1000) + 1
    sku = f"{category.sku_prefix}-{numbers[category.sku_prefix]}"
    step = Decimal(family.step)
    per_unit = int(1 / step)
    cost = family.cost_ore
    for _step in range(position):
        cost = cost * (100 + family.step_pct) // 100
    cost = max(100, cost)
    markup = rng.randint(135, 220)
    sales = -(-cost * markup // 10000) * 100 - 10  # whole kronor less ten öre: 49.90
    if sales <= cost:
        sales += 100
    supplier = supplier_index[category.suppliers[0]]
    alt_supplier = (
        supplier_index[category.suppliers[1]]
        if len(category.suppliers) > 1 and rng.random() < 0.35
        else None
    )
    alt_cost = cost * rng.randint(104, 112) // 100
    spec = SUPPLIERS[supplier]
    refs = used_refs.setdefault(supplier, set())
    ref = rng.randrange(10000)
    while ref in refs:
        ref = rng.randrange(10000)
    refs.add(ref)
    ean = with_check_digit(f"7350{spec.gs1_company}{ref:04d}")
    cartons = [p for p in family.packs if p > 1]
    carton = None
    if cartons and rng.random() < 0.75:
        carton = (with_check_digit("1" + ean[:12]), cartons[0])

    velocity = rng.choices(("fast", "medium", "slow", "dead"), weights=category.velocity)[0]
    if family.season and velocity == "dead":
        velocity = "medium"
    roll = rng.random()
    if velocity == "dead":
        policy = Policy.REORDER_POINT if roll < 0.8 else Policy.MIN_MAX
    elif roll < 0.08 and not category.lot_tracked and not family.season:
        policy = Policy.ZERO_POINT
    elif roll < 0.15:
        policy = Policy.MANUAL
    elif roll < 0.37:
        policy = Policy.MIN_MAX
    else:
        policy = Policy.REORDER_POINT
    p_day = {
        "fast": rng.uniform(0.30, 0.45),
        "medium": rng.uniform(0.08, 0.15),
        "slow": rng.uniform(0.015, 0.035),
        "dead": rng.uniform(0.06, 0.12),
    }[velocity]
    if policy is Policy.ZERO_POINT:
        p_day = rng.uniform(0.03, 0.07)
    if per_unit > 1:
        lo, hi, rounding = 5 * per_unit, 40 * per_unit, per_unit // 2
    elif cost < 3000:
        lo, hi, rounding = 4, 20, 1
    elif cost < 10000:
        lo, hi, rounding = 2, 8, 1
    elif cost < 30000:
        lo, hi, rounding = 1, 4, 1
    else:
        lo, hi, rounding = 1, 2, 1
    if velocity == "fast" and per_unit == 1:
        hi = hi * 3 // 2
    pack = 1
    if cartons and rng.random() < 0.6 and policy is not Policy.ZERO_POINT:
        pack = cartons[0]
    elif per_unit > 1:
        pack = per_unit * (25 if family.unit == "kg" else 100)
    moq = 0
    if policy is not Policy.ZERO_POINT and cost < 3000 and rng.random() < 0.3:
        moq = pack * rng.randint(2, 5)
    lead_override = rng.random() < 0.2
    lead = spec.lead_time_days
    if lead_override:
        lead = min(21, max(2, lead + rng.randint(-2, 5)))
    service_level, z = rng.choice(SERVICE_LEVELS)
    return _Plan(
        sku=sku,
        name=f"{family.base} {variant}",
        category=category.name,
        unit=family.unit,
        step=step,
        lot_tracked=category.lot_tracked,
        shelf_life=family.shelf_life_days,
        season=SEASONS[family.season],
        velocity=velocity,
        policy=policy,
        p_day=p_day,
        qty_lo=lo,
        qty_hi=hi,
        qty_round=rounding,
        cost_ore=cost,
        sales_price_ore=sales,
        supplier=supplier,
        alt_supplier=alt_supplier,
        alt_cost_ore=alt_cost,
        pack=pack,
        moq=moq,
        lead=lead,
        lead_override=lead_override,
        z=z,
        service_level=service_level,
        cover_days=rng.randint(10, 30),
        ean=ean,
        carton=carton,
        scrap_expired=velocity != "dead" and rng.random() < 0.75,
    )


# --- The simulation --------------------------------------------------------------------------


def _working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in HOLIDAYS


def _next_working_day(day: dt.date) -> dt.date:
    while not _working_day(day):
        day += dt.timedelta(days=1)
    return day


def _daily_demand(plan: _Plan, season_factor: float) -> float:
    """Expected demand in steps per working day, as the simulation draws it."""
    boost = min(2.0, math.sqrt(season_factor)) if season_factor > 1 else 1.0
    return min(0.9, plan.p_day * season_factor) * plan.mean_qty() * boost


def _reorder_point(plan: _Plan, season_factor: float) -> int:
    demand = _daily_demand(plan, season_factor)
    lead_days = max(1, math.ceil(plan.lead * 5 / 7))
    safety = plan.z * demand * math.sqrt(lead_days) * 0.8
    return max(plan.steps_per_unit(), math.ceil(demand * lead_days + safety))


def _order_size(plan: _Plan, season_factor: float) -> int:
    demand = _daily_demand(plan, season_factor)
    want = max(math.ceil(demand * plan.cover_days), plan.moq, plan.steps_per_unit())
    return -(-want // plan.pack) * plan.pack


def _price(
    cost_today: int, inflation_bp: int, day: dt.date, today: dt.date, rng: random.Random
) -> int:
    """Öre paid on ``day``: today's price less inflation since, with a little noise."""
    years_bp = inflation_bp * (today - day).days // 365
    return max(1, cost_today * (10000 - years_bp + rng.randint(-150, 150)) // 10000)


def _simulate(
    rng: random.Random,
    plans: list[_Plan],
    start: dt.date,
    end: dt.date,
    today: dt.date,
    inflation_bp: list[int],
) -> list[_Event]:
    """The whole history as events in time order; stock never goes below zero."""
    for plan in plans:
        if plan.velocity == "dead":
            plan.stop_day = today - dt.timedelta(days=rng.randint(200, 330))
    events: list[_Event] = []
    po_numbers: dict[tuple[int, dt.date], str] = {}
    counters = {"po": 24000, "so": 100000, "scrap": 0}
    first = _next_working_day(start)
    next_count = first + dt.timedelta(days=60)

    def order(plan: _Plan, day: dt.date, qty: int, customer_ref: str = "") -> None:
        use_alt = plan.alt_supplier is not None and rng.random() < 0.15
        supplier = plan.alt_supplier if use_alt and plan.alt_supplier is not None else plan.supplier
        lead = SUPPLIERS[supplier].lead_time_days if use_alt else plan.lead
        arrival = _next_working_day(day + dt.timedelta(days=lead + rng.randint(-1, 2)))
        key = (supplier, day)
        if key not in po_numbers:
            counters["po"] += 1
            po_numbers[key] = f"PO-{counters['po']}"
        plan.pending.append((arrival, qty, supplier, po_numbers[key], customer_ref))

    def on_hand(plan: _Plan, day: dt.date) -> int:
        if not plan.lot_tracked:
            return plan.stock
        return sum(held.qty for held in plan.lots.values() if held.expiry >= day)

    for plan in plans:
        if plan.policy is not Policy.ZERO_POINT:
            qty = _reorder_point(plan, 1.0) + _order_size(plan, 1.0)
            plan.pending.append((first, qty, plan.supplier, "PO-23999", ""))

    day = first
    while day <= end:
        if not _working_day(day):
            day += dt.timedelta(days=1)
            continue
        season = [plan.season[day.month - 1] for plan in plans]
        receipts: list[_Event] = []
        expired: list[_Event] = []
        sales: list[_Event] = []
        others: list[_Event] = []
        so_base = counters["so"]

        # Goods arrive in the morning.
        for index, plan in enumerate(plans):
            arriving = [p for p in plan.pending if p[0] <= day]
            if not arriving:
                continue
            plan.pending = [p for p in plan.pending if p[0] > day]
            for _arrival, qty, supplier, reference, customer_ref in arriving:
                cost_today = plan.cost_ore if supplier == plan.supplier else plan.alt_cost_ore
                cost = _price(cost_today, inflation_bp[supplier], day, today, rng)
                lot = expiry = None
                if plan.lot_tracked:
                    assert plan.shelf_life is not None
                    lot = f"L{day:%y%m%d}"
                    # Goods arrive some days after they were made, now and then short-dated.
                    life = plan.shelf_life - day.toordinal() % 9
                    if rng.random() < 0.12:
                        life = plan.shelf_life * rng.randint(25, 45) // 100
                    elif (today - day).days < 60 and rng.random() < 0.3:
                        # Recent short-dated deliveries: the lots the expiry list should warn of.
                        life = min(life, rng.randint(20, 60))
                    held = plan.lots.setdefault(lot, _Held(day + dt.timedelta(days=life), 0))
                    held.qty += qty
                    expiry = held.expiry
                else:
                    plan.stock += qty
                receipts.append(
                    _Event(day, 0, MoveKind.RECEIPT, index, qty, lot, expiry, cost, reference, True)
                )
                if customer_ref:
                    # Zero-point stock: the customer's order ships the day the goods arrive.
                    plan.stock -= qty
                    sales.append(
                        _Event(
                            day,
                            0,
                            MoveKind.ISSUE,
                            index,
                            qty,
                            None,
                            None,
                            None,
                            customer_ref,
                            False,
                        )
                    )

        # Expired lots are thrown away a few days after their date, for most items.
        for index, plan in enumerate(plans):
            if not plan.lot_tracked or not plan.scrap_expired:
                continue
            grace = dt.timedelta(days=2 + index % 6)
            for lot, held in plan.lots.items():
                if held.qty > 0 and held.expiry + grace < day:
                    counters["scrap"] += 1
                    expired.append(
                        _Event(
                            day,
                            0,
                            MoveKind.SCRAP,
                            index,
                            held.qty,
                            lot,
                            held.expiry,
                            None,
                            f"SCRAP-{counters['scrap']:04d}",
                            False,
                        )
                    )
                    held.qty = 0

        # Customers' orders, one line per item and day.
        for index, plan in enumerate(plans):
            if plan.stop_day is not None and day >= plan.stop_day:
                continue
            factor = season[index]
            if rng.random() >= min(0.9, plan.p_day * factor):
                continue
            qty = rng.randint(plan.qty_lo, plan.qty_hi)
            if factor > 1:
                qty = round(qty * min(2.0, math.sqrt(factor)))
            qty = max(plan.qty_round, qty // plan.qty_round * plan.qty_round)
            reference = f"SO-{so_base + 1 + rng.randrange(max(1, len(plans) // 12))}"
            if plan.policy is Policy.ZERO_POINT:
                order(plan, day, qty, reference)
                continue
            qty = min(qty, on_hand(plan, day))
            if qty <= 0:
                continue  # out of stock: the sale is lost
            if not plan.lot_tracked:
                plan.stock -= qty
                sales.append(
                    _Event(day, 0, MoveKind.ISSUE, index, qty, None, None, None, reference, False)
                )
                continue
            # First expiry, first out; expired lots are never sold.
            for lot, held in sorted(plan.lots.items(), key=lambda kv: (kv[1].expiry, kv[0])):
                if qty == 0:
                    break
                if held.expiry < day or held.qty <= 0:
                    continue
                take = min(qty, held.qty)
                held.qty -= take
                qty -= take
                sales.append(
                    _Event(
                        day,
                        0,
                        MoveKind.ISSUE,
                        index,
                        take,
                        lot,
                        held.expiry,
                        None,
                        reference,
                        False,
                    )
                )
        counters["so"] += max(1, len(plans) // 12)

        # Now and then something breaks on the shelf.
        if rng.random() < 0.12:
            index = rng.randrange(len(plans))
            plan = plans[index]
            unit = plan.steps_per_unit()
            if not plan.lot_tracked and plan.stock >= unit:
                plan.stock -= unit
                counters["scrap"] += 1
                others.append(
                    _Event(
                        day,
                        0,
                        MoveKind.SCRAP,
                        index,
                        unit,
                        None,
                        None,
                        None,
                        f"SCRAP-{counters['scrap']:04d}",
                        False,
                    )
                )

        # A quarterly cycle count finds small differences in a sample of items.
        if day >= next_count:
            next_count = day + dt.timedelta(days=91)
            quarter = f"CC-{day.year}-Q{(day.month - 1) // 3 + 1}"
            for index, plan in enumerate(plans):
                if rng.random() >= 0.08 or rng.random() >= 0.5:
                    continue
                unit = plan.steps_per_unit()
                delta = unit * rng.randint(1, 3)
                found = rng.random() < 0.4
                if plan.lot_tracked:
                    live = [
                        (lot, held)
                        for lot, held in plan.lots.items()
                        if held.qty > 0 and held.expiry >= day
                    ]
                    if not live:
                        continue
                    lot, held = live[-1]
                    if not found:
                        delta = min(delta, held.qty)
                    held.qty += delta if found else -delta
                    others.append(
                        _Event(
                            day,
                            0,
                            MoveKind.ADJUSTMENT,
                            index,
                            delta,
                            lot,
                            held.expiry,
                            None,
                            quarter,
                            found,
                        )
                    )
                    continue
                if not found:
                    delta = min(delta, plan.stock)
                    if delta <= 0:
                        continue
                plan.stock += delta if found else -delta
                others.append(
                    _Event(
                        day, 0, MoveKind.ADJUSTMENT, index, delta, None, None, None, quarter, found
                    )
                )

        # In the afternoon the planner orders what will run short.
        for plan in plans:
            if plan.policy is Policy.ZERO_POINT:
                continue
            if plan.stop_day is not None:
                if day >= plan.stop_day:
                    continue
                if not plan.forced_last_buy and day >= plan.stop_day - dt.timedelta(days=30):
                    # The last big buy before the item stopped selling: it is still there.
                    plan.forced_last_buy = True
                    order(plan, day, _order_size(plan, 1.0) * 2)
                    continue
            arrival_month = (day + dt.timedelta(days=plan.lead)).month
            factor = plan.season[arrival_month - 1]
            position = on_hand(plan, day) + sum(p[1] for p in plan.pending)
            if plan.policy is Policy.MANUAL:
                if day.weekday() != 0:
                    continue
                if position <= _daily_demand(plan, factor) * (plan.lead * 5 / 7 + 5):
                    order(plan, day, _order_size(plan, factor))
                continue
            rop = _reorder_point(plan, factor)
            if position <= rop:
                if plan.policy is Policy.MIN_MAX:
                    qty = rop + _order_size(plan, factor) - position
                    qty = max(qty, plan.moq)
                    qty = -(-qty // plan.pack) * plan.pack
                else:
                    qty = _order_size(plan, factor)
                order(plan, day, qty)

        # Times of day: deliveries from 07:00, expired goods out at 08:00, orders picked
        # 09:00–15:00, breakage and counts late in the afternoon.
        for offset, batch, span in (
            (7 * 60, receipts, 60),
            (8 * 60, expired, 45),
            (9 * 60, sales, 360),
            (15 * 60 + 30, others, 60),
        ):
            for position_in_day, event in enumerate(batch):
                minute = offset + position_in_day * span // max(1, len(batch))
                events.append(event._replace(minute=minute))
        day += dt.timedelta(days=1)
    return events
