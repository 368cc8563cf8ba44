"""What the Counts page reads besides a count itself: the page's overview in one
transaction, the people a recount can go to, and the scopes an ad hoc count can take.

Kept apart from :mod:`app.services.counting` (the counting use cases) because these
are plain reads for the screen: the overview gathers today's due counts, the list of
counts and the inventory accuracy in one round trip to the database worker, so the
three agree with each other and the page opens in one step.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Item, Role, User
from app.services import counting, items, locations
from app.services.counting import CountSummary, DueCounts, InventoryAccuracy

# Aisle prefixes are the parts of a bin code up to a separator: B-01-03 gives B- and B-01-.
_SEPARATOR = re.compile(r"[-./_]")
ACCURACY_MONTHS = 12


@dataclass(frozen=True)
class CountsOverview:
    """The Counts page's start panel: due today, the counts, the accuracy."""

    due: DueCounts
    counts: tuple[CountSummary, ...]
    accuracy: InventoryAccuracy


@dataclass(frozen=True)
class Counter:
    """A person a count line can be assigned to."""

    id: int
    username: str
    name: str
    role: Role


@dataclass(frozen=True)
class ScopeChoices:
    """Suggestions for an ad hoc count's scope, per kind of count."""

    bins: tuple[str, ...]
    aisles: tuple[str, ...]
    items: tuple[tuple[str, str], ...]
    categories: tuple[str, ...]


def counts_overview(
    session: Session, today: dt.date, limit: int = 100, months: int = ACCURACY_MONTHS
) -> CountsOverview:
    """Today's due cycle counts, the newest ``limit`` counts and the inventory accuracy
    of the last ``months`` months, read in one transaction."""
    return CountsOverview(
        due=counting.due_counts(session, today),
        counts=tuple(counting.list_counts(session, limit=limit)),
        accuracy=counting.inventory_accuracy(session, months=months, today=today),
    )


def list_counters(session: Session) -> list[Counter]:
    """The active users, by name: who a recount can be assigned to."""
    users = session.scalars(select(User).where(User.active.is_(True)))
    counters = [
        Counter(user.id, user.username, user.display_name or user.username, user.role)
        for user in users
    ]
    return sorted(counters, key=lambda c: (c.name.casefold(), c.id))


def aisle_prefixes(codes: list[str]) -> list[str]:
    """The aisle prefixes of bin ``codes``: each code cut after each separator but the
    last piece (``B-01-03`` gives ``B-`` and ``B-01-``), sorted, each once."""
    prefixes: set[str] = set()
    for code in codes:
        for match in _SEPARATOR.finditer(code):
            if match.end() < len(code):
                prefixes.add(code[: match.end()])
    return sorted(prefixes, key=str.casefold)


def count_scope_choices(session: Session) -> ScopeChoices:
    """What an ad hoc count can cover: the active bins, their aisle prefixes, the active
    items (SKU and name) and the categories in use."""
    codes = [row.code for row in locations.list_bins(session)]
    item_rows = session.execute(
        select(Item.sku, Item.name).where(Item.active.is_(True)).order_by(Item.sku)
    ).all()
    return ScopeChoices(
        bins=tuple(codes),
        aisles=tuple(aisle_prefixes(codes)),
        items=tuple((sku, name) for sku, name in item_rows),
        categories=tuple(items.list_categories(session)),
    )
