"""ABC classes of the items, from what they were worth in issues over the last 365 days.

An item's annual consumption value is the sum, over the ISSUE moves out of the
warehouse's bins in the 365 days up to and including the day, of quantity × the move's
unit cost (the cost of goods the ledger recorded on the issue); an ISSUE move back into
a bin (a reversed issue) counts negative. The items are then classified by
``app.planning.abc`` with the cut-offs of setting ``abc_cutoffs`` (default ``80,15,5``)
and each item's ``abc_class`` is stored, which the cycle-count plan reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session, aliased

from app.i18n import _
from app.models import Item, Location, LocationKind, MoveKind, StockMove
from app.planning.abc import CLASSES, AbcCutoffs, classify_items
from app.services.errors import ValidationError
from app.services.parsing import parse_decimal
from app.services.settings import get_setting
from app.services.users import UserId, record_audit

CUTOFFS_SETTING = "abc_cutoffs"
DEFAULT_CUTOFFS = "80,15,5"
WINDOW_DAYS = 365
ZERO = Decimal(0)

item_t = cast(Table, Item.__table__)


@dataclass(frozen=True)
class ItemClass:
    """One item's consumption value and class (``previous``: its class before)."""

    item_id: int
    sku: str
    name: str
    value: Decimal
    abc_class: str
    previous: str | None


@dataclass(frozen=True)
class AbcResult:
    """What ``classify_abc`` found and stored."""

    as_of: dt.date
    since: dt.date
    cutoffs: AbcCutoffs
    items: tuple[ItemClass, ...]
    counts: dict[str, int]
    values: dict[str, Decimal]
    changed: int
    message: str


def abc_cutoffs(session: Session) -> AbcCutoffs:
    """The A, B and C shares (percent) of setting ``abc_cutoffs``, e.g. ``80,15,5``."""
    raw = get_setting(session, CUTOFFS_SETTING).strip() or DEFAULT_CUTOFFS
    problem = _(
        "The ABC cut-offs setting “{value}” is not three percentages adding up to 100. "
        "Write them like 80,15,5 (A, B, C) in Settings."
    ).format(value=raw)
    parts = [part.strip() for part in raw.replace(";", ",").split(",")]
    if len(parts) != 3:
        raise ValidationError(problem, field=CUTOFFS_SETTING)
    try:
        a, b, c = (parse_decimal(part, CUTOFFS_SETTING) for part in parts)
        return AbcCutoffs(a, b, c)
    except (ValidationError, ValueError):
        raise ValidationError(problem, field=CUTOFFS_SETTING) from None


def _day_start(day: dt.date) -> dt.datetime:
    """Local midnight of ``day`` as an aware datetime."""
    return dt.datetime.combine(day, dt.time()).astimezone()


def consumption_values(
    session: Session, today: dt.date, days: int = WINDOW_DAYS
) -> dict[int, Decimal]:
    """Each item's consumption value over the ``days`` days up to and including ``today``
    (local time); items without issues are absent."""
    if days < 1:
        raise ValidationError(_("The period must be at least one day."), field="days")
    since = _day_start(today - dt.timedelta(days=days - 1))
    until = _day_start(today + dt.timedelta(days=1))
    source = aliased(Location)
    # Summed per item, cost and direction: exact in SQL, and few rows come back.
    rows = session.execute(
        select(
            StockMove.item_id,
            StockMove.unit_cost,
            source.kind,
            func.sum(StockMove.quantity),
        )
        .join(source, source.id == StockMove.from_location_id)
        .where(
            StockMove.kind == MoveKind.ISSUE,
            StockMove.moved_at >= since,
            StockMove.moved_at < until,
        )
        .group_by(StockMove.item_id, StockMove.unit_cost, source.kind)
    ).tuples()
    values: dict[int, Decimal] = {}
    for item_id, unit_cost, from_kind, quantity in rows:
        amount = Decimal(quantity) * unit_cost
        outward = from_kind is LocationKind.INTERNAL
        values[item_id] = values.get(item_id, ZERO) + (amount if outward else -amount)
    return values


def classify_abc(session: Session, user_id: UserId, today: dt.date | None = None) -> AbcResult:
    """Compute every item's ABC class from its consumption value and store it."""
    today = today or dt.datetime.now().astimezone().date()
    return store_abc_classes(session, user_id, today, consumption_values(session, today))


def store_abc_classes(
    session: Session, user_id: UserId, today: dt.date, values: dict[int, Decimal]
) -> AbcResult:
    """Classify every item by ``values`` (its consumption value up to ``today``, as
    :func:`consumption_values` gives it; absent items count 0) and store the classes.

    For callers that already summed the values in a pass of their own over the moves
    (the purchase proposals read every issue for the demand history anyway).
    """
    cutoffs = abc_cutoffs(session)
    items = session.execute(
        select(Item.id, Item.sku, Item.name, Item.abc_class).order_by(Item.id)
    ).all()
    all_values = {item_id: values.get(item_id, ZERO) for item_id, *_rest in items}
    classes = classify_items(all_values, cutoffs)
    result: list[ItemClass] = []
    changes: dict[str, list[int]] = {}
    for item_id, sku, name, previous in items:
        new = classes[item_id]
        result.append(ItemClass(item_id, sku, name, all_values[item_id], new, previous))
        if new != previous:
            changes.setdefault(new, []).append(item_id)
    for abc, ids in changes.items():
        for start in range(0, len(ids), 500):
            session.execute(
                update(item_t)
                .where(item_t.c.id.in_(ids[start : start + 500]))
                .values(abc_class=abc)
            )
    counts = {abc: sum(1 for row in result if row.abc_class == abc) for abc in CLASSES}
    totals = {
        abc: sum((row.value for row in result if row.abc_class == abc), ZERO) for abc in CLASSES
    }
    changed = sum(len(ids) for ids in changes.values())
    record_audit(
        session,
        user_id,
        "classify",
        "item",
        None,
        {"as_of": today.isoformat(), "counts": counts, "changed": changed},
    )
    result.sort(key=lambda row: (-row.value, row.sku))
    return AbcResult(
        as_of=today,
        since=today - dt.timedelta(days=WINDOW_DAYS - 1),
        cutoffs=cutoffs,
        items=tuple(result),
        counts=counts,
        values=totals,
        changed=changed,
        message=_("ABC classes: {a} A items, {b} B items, {c} C items ({changed} changed).").format(
            a=counts["A"], b=counts["B"], c=counts["C"], changed=changed
        ),
    )
