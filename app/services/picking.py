"""Picking: staff take an order's reserved goods off the shelves, scan by scan.

A pick is recorded as an append-only log (``pick_event``), like receiving's: scanning a
bin, picking goods (scanned or typed), reporting a short pick with its reason, and
undoing are each one INSERT committed as it happens, so a crash loses nothing the picker
saw acknowledged and the log shows exactly what happened. What is picked and still to
ship is the fold of the live events after the order's last shipment.

A line can be picked up to what is reserved for it (the rest is on backorder and is not
on the shelf for this order). A scan of an item the order does not have, of more than is
left to pick, or from a bin that does not hold it, is refused and saves nothing: the
outcome says why (the screen shows it red, with a sound).

Lots that expired before today are never suggested, never taken automatically and never
picked: a scanned or typed expired lot is refused (``PickStatus.EXPIRED``) with the lot
to take instead. There is no override, not even for a manager: expired goods do not go
to a customer. They are written down or scrapped (with the write-down approval), and a
line whose only stock has expired says so and is reported short.

Picking starts (``start_picking``, or the first scan) by handing free stock to waiting
backorders, oldest first, for the order's items, so nothing that turned up since the
order was confirmed is left on the shelf.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from app.i18n import N_, _, format_number, ngettext
from app.models import (
    Customer,
    CustomerOrder,
    CustomerOrderLine,
    Item,
    Location,
    LocationKind,
    Lot,
    OrderStatus,
    PickEvent,
    PickEventKind,
    Shipment,
    ShortReason,
    StockLevel,
    utcnow,
)
from app.reports.common import Party
from app.reports.pick_list import PickListPdf, PickListPdfLine, WaitingPdfLine, render_pick_list
from app.services.errors import NotFoundError, ValidationError
from app.services.ledger import parse_quantity
from app.services.orders import (
    OrderId,
    allocate_backorders,
    load_order,
    status_label,
)
from app.services.purchase_orders import company_party
from app.services.scanning import resolve_scan, short_date
from app.services.users import UserId, record_audit

ZERO = Decimal(0)
_event_t: Table = PickEvent.__table__  # type: ignore[assignment]
# Orders whose reserved goods can be picked: a scan on a confirmed order starts picking.
PICKABLE = (OrderStatus.CONFIRMED, OrderStatus.PICKING, OrderStatus.PARTLY_SHIPPED)
# An order number as the pick list's barcode carries it (with a symbology prefix or not);
# unlike typed order numbers, "SO" is required, so a numeric SKU is never taken for one.
_ORDER_BARCODE = re.compile(r"^(?:\][A-Za-z][0-9A-Za-z])?SO-?(\d{1,9})$", re.IGNORECASE)

SHORT_REASON_LABELS = {
    ShortReason.NOT_FOUND: N_("Not found"),
    ShortReason.DAMAGED: N_("Damaged"),
    ShortReason.SHORT: N_("Too few in the bin"),
    ShortReason.OTHER: N_("Other"),
}


def short_reason_label(reason: ShortReason) -> str:
    """A short-pick reason as people read it."""
    return _(SHORT_REASON_LABELS[reason])


class PickStatus(enum.StrEnum):
    """What became of a scan, typed quantity, short pick or undo."""

    PICKED = "picked"  # saved: goods taken
    BIN = "bin"  # saved: the picker is at this bin
    SHORT = "short"  # saved: a short pick with its reason
    UNDONE = "undone"  # saved: the last pick or short pick was undone
    ORDER = "order"  # nothing saved: that was this order's own barcode
    WRONG_ITEM = "wrong_item"  # nothing saved: the order has no such item
    NOT_IN_BIN = "not_in_bin"  # nothing saved: the bin does not hold (enough of) it
    TOO_MANY = "too_many"  # nothing saved: more than is left to pick
    NEEDS_BIN = "needs_bin"  # nothing saved: scan the bin first
    NEEDS_LOT = "needs_lot"  # nothing saved: which lot?
    EXPIRED = "expired"  # nothing saved: that lot has expired, take another
    UNKNOWN = "unknown"  # nothing saved: the code is not an item or bin Hylla knows
    INVALID = "invalid"  # nothing saved: the code cannot be read


SAVED = frozenset({PickStatus.PICKED, PickStatus.BIN, PickStatus.SHORT, PickStatus.UNDONE})


@dataclass(frozen=True)
class PickBin:
    """Where a line's goods can be taken: a bin (and lot) and what it holds for picking.

    ``expired``: the lot's expiry is before today, so it must not be taken.
    """

    bin_id: int
    bin_code: str
    lot_id: int | None
    lot: str
    expiry: dt.date | None
    quantity: Decimal
    expired: bool = False


@dataclass(frozen=True)
class PickLineView:
    """One order line as the pick screen shows it.

    ``to_pick`` is what is reserved for the line and not yet shipped; ``remaining`` is what
    of that is neither picked nor reported short; ``backordered`` is not picked now.
    ``bins`` are where to take it, first expiry first among lots that have not expired;
    ``expired_bins`` hold lots past their expiry (never to pick). ``notice`` says, when
    the unexpired stock cannot cover what is left, what the picker should do instead.
    """

    line_id: int
    line_no: int
    item_id: int
    sku: str
    name: str
    unit: str
    lot_tracked: bool
    ordered: Decimal
    shipped: Decimal
    to_pick: Decimal
    picked: Decimal
    short: Decimal
    short_reason: ShortReason | None
    remaining: Decimal
    backordered: Decimal
    expected_date: dt.date | None
    bins: tuple[PickBin, ...]
    expired_bins: tuple[PickBin, ...] = ()
    notice: str = ""

    @property
    def only_expired(self) -> bool:
        """True when something is left to pick and only expired lots are in stock."""
        return self.remaining > 0 and not self.bins and bool(self.expired_bins)

    @property
    def done(self) -> bool:
        """True when nothing is left to pick on the line."""
        return self.remaining == 0


@dataclass(frozen=True)
class PickRecord:
    """One saved pick, as "last pick" shows it."""

    event_id: int
    line_id: int
    sku: str
    name: str
    unit: str
    quantity: Decimal
    bin_code: str
    lot: str
    at: dt.datetime


@dataclass(frozen=True)
class PickView:
    """Everything the pick screen shows, rebuilt from the order and its pick log."""

    order_id: OrderId
    number: str
    status: OrderStatus
    status_text: str
    customer_name: str
    current_bin_id: int | None
    current_bin_code: str
    lines: tuple[PickLineView, ...]
    last_pick: PickRecord | None
    picks: int

    @property
    def complete(self) -> bool:
        """True when every line is picked or reported short."""
        return all(line.done for line in self.lines)

    @property
    def anything_picked(self) -> bool:
        """True when there are picked goods to ship."""
        return any(line.picked > 0 for line in self.lines)


@dataclass(frozen=True)
class PickOutcome:
    """What a pick action did, with the whole pick as it now is.

    Statuses in ``SAVED`` were committed with the caller's transaction; the others saved
    nothing and ``message`` says why, in words the picker can act on. ``warning`` is the
    part of a saved outcome's message the picker must not miss (expired goods in the bin).
    """

    status: PickStatus
    message: str
    view: PickView
    line_id: int | None = None
    item_id: int | None = None
    quantity: Decimal | None = None
    bin_code: str = ""
    lot: str = ""
    event_id: int | None = None
    warning: str = ""

    @property
    def saved(self) -> bool:
        """True when the action changed the pick (safe on disk once committed)."""
        return self.status in SAVED


class _Event(NamedTuple):
    id: int
    kind: PickEventKind
    order_line_id: int | None
    item_id: int | None
    lot_id: int | None
    bin_id: int | None
    quantity: Decimal | None
    reason: ShortReason | None
    reason_text: str
    undoes_event_id: int | None
    at: dt.datetime


@dataclass
class PickFold:
    """The live picks after the order's last shipment.

    ``picked`` maps (line, bin, lot) to the quantity taken; ``short`` maps a line to the
    quantity reported missing and the latest reason given.
    """

    last_event_id: int | None = None
    current_bin_id: int | None = None
    picked: dict[tuple[int, int, int | None], Decimal] = field(default_factory=dict)
    short: dict[int, tuple[Decimal, ShortReason, str]] = field(default_factory=dict)
    live: list[_Event] = field(default_factory=list)

    def picked_on(self, line_id: int) -> Decimal:
        """Picked for one line, all bins."""
        return sum((q for (ln, _b, _l), q in self.picked.items() if ln == line_id), ZERO)

    def picked_from(self, item_lines: set[int], bin_id: int, lot_id: int | None) -> Decimal:
        """Picked from one bin and lot for the given lines."""
        return sum(
            (
                q
                for (ln, b, lot), q in self.picked.items()
                if ln in item_lines and b == bin_id and lot == lot_id
            ),
            ZERO,
        )


_EVENT_COLUMNS = (
    PickEvent.id,
    PickEvent.kind,
    PickEvent.order_line_id,
    PickEvent.item_id,
    PickEvent.lot_id,
    PickEvent.bin_id,
    PickEvent.quantity,
    PickEvent.reason,
    PickEvent.reason_text,
    PickEvent.undoes_event_id,
    PickEvent.at,
)


def last_shipped_event(session: Session, order_id: int) -> int:
    """The newest pick event a shipment of the order consumed (0: none)."""
    value = session.scalar(
        select(func.max(Shipment.last_pick_event_id)).where(Shipment.order_id == order_id)
    )
    return int(value or 0)


def pick_fold(session: Session, order_id: int) -> PickFold:
    """The order's picks still to ship, folded from its log."""
    after = last_shipped_event(session, order_id)
    events = [
        _Event(*row)
        for row in session.execute(
            select(*_EVENT_COLUMNS)
            .where(PickEvent.order_id == order_id, PickEvent.id > after)
            .order_by(PickEvent.id)
        ).tuples()
    ]
    # The current bin survives a shipment: the picker is still standing there.
    current_bin = session.scalar(
        select(PickEvent.bin_id)
        .where(PickEvent.order_id == order_id, PickEvent.kind == PickEventKind.BIN)
        .order_by(PickEvent.id.desc())
        .limit(1)
    )
    undone = {e.undoes_event_id for e in events if e.kind is PickEventKind.UNDO}
    fold = PickFold(last_event_id=events[-1].id if events else None, current_bin_id=current_bin)
    for event in events:
        if event.id in undone or event.kind in (PickEventKind.UNDO, PickEventKind.BIN):
            continue
        assert event.order_line_id is not None and event.quantity is not None
        fold.live.append(event)
        if event.kind is PickEventKind.PICK:
            assert event.bin_id is not None
            key = (event.order_line_id, event.bin_id, event.lot_id)
            fold.picked[key] = fold.picked.get(key, ZERO) + event.quantity
        else:
            assert event.reason is not None
            before = fold.short.get(event.order_line_id, (ZERO, event.reason, ""))[0]
            fold.short[event.order_line_id] = (
                before + event.quantity,
                event.reason,
                event.reason_text,
            )
    return fold


class _Line(NamedTuple):
    id: int
    line_no: int
    item_id: int
    sku: str
    name: str
    unit: str
    lot_tracked: bool
    default_bin: int | None
    quantity: Decimal
    reserved: Decimal
    backordered: Decimal
    shipped: Decimal
    expected_date: dt.date | None


def _lines(session: Session, order_id: int) -> list[_Line]:
    return [
        _Line(*row)
        for row in session.execute(
            select(
                CustomerOrderLine.id,
                CustomerOrderLine.line_no,
                CustomerOrderLine.item_id,
                Item.sku,
                Item.name,
                Item.unit,
                Item.lot_tracked,
                Item.default_location_id,
                CustomerOrderLine.quantity,
                CustomerOrderLine.reserved_qty,
                CustomerOrderLine.backorder_qty,
                CustomerOrderLine.shipped_qty,
                CustomerOrderLine.expected_date,
            )
            .join(Item, Item.id == CustomerOrderLine.item_id)
            .where(CustomerOrderLine.order_id == order_id)
            .order_by(CustomerOrderLine.line_no)
        ).tuples()
    ]


class _Level(NamedTuple):
    item_id: int
    bin_id: int
    bin_code: str
    lot_id: int | None
    lot: str
    expiry: dt.date | None
    quantity: Decimal


def _levels(session: Session, item_ids: Sequence[int]) -> list[_Level]:
    if not item_ids:
        return []
    return [
        _Level(item_id, bin_id, code, lot_id, lot or "", expiry, qty)
        for item_id, bin_id, code, lot_id, lot, expiry, qty in session.execute(
            select(
                StockLevel.item_id,
                StockLevel.location_id,
                Location.code,
                StockLevel.lot_id,
                Lot.code,
                Lot.expiry,
                StockLevel.quantity,
            )
            .join(Location, Location.id == StockLevel.location_id)
            .outerjoin(Lot, Lot.id == StockLevel.lot_id)
            .where(
                StockLevel.item_id.in_(list(item_ids)),
                StockLevel.quantity > 0,
                Location.kind == LocationKind.INTERNAL,
            )
        ).tuples()
    ]


def _pick_order(level: _Level, default_bin: int | None) -> tuple[dt.date, int, str]:
    # First expiry first out; then the item's usual bin; then bins in path order.
    return (level.expiry or dt.date.max, 0 if level.bin_id == default_bin else 1, level.bin_code)


def _bins_for(
    line: _Line, levels: list[_Level], fold: PickFold, lines_of_item: set[int], today: dt.date
) -> tuple[tuple[PickBin, ...], tuple[PickBin, ...]]:
    """Where a line can be taken from (first expiry first), and its expired lots apart."""
    found: list[PickBin] = []
    expired: list[PickBin] = []
    for level in sorted(
        (lv for lv in levels if lv.item_id == line.item_id),
        key=lambda lv: _pick_order(lv, line.default_bin),
    ):
        left = level.quantity - fold.picked_from(lines_of_item, level.bin_id, level.lot_id)
        if left > 0:
            gone = level.expiry is not None and level.expiry < today
            (expired if gone else found).append(
                PickBin(
                    level.bin_id,
                    level.bin_code,
                    level.lot_id,
                    level.lot,
                    level.expiry,
                    left,
                    expired=gone,
                )
            )
    return tuple(found), tuple(expired)


# A notice names this many expired lots (oldest first), then how many more there are.
_EXPIRED_NAMED = 3


def _expired_lots(bins: Sequence[PickBin]) -> str:
    """Expired lots as a notice names them: "lot L1 expired 08/07/2025 in B-03-01"."""
    named = "; ".join(
        _("lot {lot} expired {date} in {bin}").format(
            lot=b.lot, date=short_date(b.expiry) if b.expiry else "", bin=b.bin_code
        )
        for b in sorted(bins, key=lambda b: b.expiry or dt.date.max)[:_EXPIRED_NAMED]
    )
    if len(bins) > _EXPIRED_NAMED:
        named += " " + _("and {n} more").format(n=len(bins) - _EXPIRED_NAMED)
    return named


def _notice(
    remaining: Decimal, unit: str, bins: tuple[PickBin, ...], expired: tuple[PickBin, ...]
) -> str:
    """What to tell the picker when only expired stock would cover what is left."""
    if remaining <= 0 or not expired:
        return ""
    fresh = sum((b.quantity for b in bins), ZERO)
    if fresh >= remaining:
        return ""
    if not bins:
        return _("Only expired stock: {lots} — ask a manager.").format(lots=_expired_lots(expired))
    return _("Only {qty} {unit} have not expired; {lots} — ask a manager.").format(
        qty=_qty(fresh), unit=unit, lots=_expired_lots(expired)
    )


def _bin_code(session: Session, bin_id: int | None) -> str:
    if bin_id is None:
        return ""
    return session.scalar(select(Location.code).where(Location.id == bin_id)) or ""


def _view(
    session: Session, order: CustomerOrder, today: dt.date, fold: PickFold | None = None
) -> PickView:
    fold = fold if fold is not None else pick_fold(session, order.id)
    lines = _lines(session, order.id)
    levels = _levels(session, sorted({line.item_id for line in lines}))
    views = []
    for line in lines:
        picked = fold.picked_on(line.id)
        short, reason, _text = fold.short.get(line.id, (ZERO, None, ""))
        to_pick = line.reserved
        remaining = max(ZERO, to_pick - picked - short)
        bins, expired = _bins_for(line, levels, fold, {line.id}, today)
        views.append(
            PickLineView(
                line_id=line.id,
                line_no=line.line_no,
                item_id=line.item_id,
                sku=line.sku,
                name=line.name,
                unit=line.unit,
                lot_tracked=line.lot_tracked,
                ordered=line.quantity,
                shipped=line.shipped,
                to_pick=to_pick,
                picked=picked,
                short=short,
                short_reason=reason,
                remaining=remaining,
                backordered=line.backordered,
                expected_date=line.expected_date,
                bins=bins,
                expired_bins=expired,
                notice=_notice(remaining, line.unit, bins, expired),
            )
        )
    last = next((e for e in reversed(fold.live) if e.kind is PickEventKind.PICK), None)
    record = None
    if last is not None:
        line = next(ln for ln in lines if ln.id == last.order_line_id)
        assert last.quantity is not None
        lot = session.scalar(select(Lot.code).where(Lot.id == last.lot_id)) if last.lot_id else ""
        record = PickRecord(
            event_id=last.id,
            line_id=line.id,
            sku=line.sku,
            name=line.name,
            unit=line.unit,
            quantity=last.quantity,
            bin_code=_bin_code(session, last.bin_id),
            lot=lot or "",
            at=last.at,
        )
    customer = session.scalar(select(Customer.name).where(Customer.id == order.customer_id))
    return PickView(
        order_id=OrderId(order.id),
        number=order.number,
        status=order.status,
        status_text=status_label(order.status),
        customer_name=customer or "",
        current_bin_id=fold.current_bin_id,
        current_bin_code=_bin_code(session, fold.current_bin_id),
        lines=tuple(views),
        last_pick=record,
        picks=sum(1 for e in fold.live if e.kind is PickEventKind.PICK),
    )


def _qty(value: Decimal) -> str:
    return format_number(value)


def _append(session: Session, values: dict[str, object]) -> int:
    values.setdefault("at", utcnow())
    values.setdefault("reason_text", "")
    values.setdefault("scanned_text", "")
    return int(session.execute(insert(_event_t).returning(_event_t.c.id), values).scalar_one())


def _require_pickable(session: Session, order: CustomerOrder, user_id: UserId) -> None:
    """Refuse an order that cannot be picked; start picking a confirmed one."""
    if order.status is OrderStatus.PICKING:
        return
    if order.status in (OrderStatus.CONFIRMED, OrderStatus.PARTLY_SHIPPED):
        _start(session, order, user_id)
        return
    if order.status is OrderStatus.DRAFT:
        raise ValidationError(
            _("{number} is a draft. Confirm it before picking.").format(number=order.number)
        )
    raise ValidationError(
        _("{number} is {status}; there is nothing to pick.").format(
            number=order.number, status=status_label(order.status).lower()
        )
    )


def _start(session: Session, order: CustomerOrder, user_id: UserId) -> None:
    item_ids = set(
        session.scalars(
            select(CustomerOrderLine.item_id).where(CustomerOrderLine.order_id == order.id)
        )
    )
    allocate_backorders(session, item_ids, user_id)
    reserved_now = session.scalar(
        select(func.coalesce(func.sum(CustomerOrderLine.reserved_qty), 0)).where(
            CustomerOrderLine.order_id == order.id
        )
    )
    if not reserved_now:
        expected = session.scalar(
            select(func.max(CustomerOrderLine.expected_date)).where(
                CustomerOrderLine.order_id == order.id
            )
        )
        if expected is not None:
            raise ValidationError(
                _(
                    "Nothing of {number} can be picked yet: every line waits for stock "
                    "(expected by {date})."
                ).format(number=order.number, date=expected.isoformat())
            )
        raise ValidationError(
            _("Nothing of {number} can be picked yet: every line waits for stock.").format(
                number=order.number
            )
        )
    previous = order.status
    order.status = OrderStatus.PICKING
    order.updated_at = utcnow()
    session.flush()
    record_audit(
        session,
        user_id,
        "start_picking",
        "customer_order",
        order.id,
        {"number": order.number, "from": previous.value},
    )


def _outcome(
    session: Session,
    order: CustomerOrder,
    today: dt.date,
    status: PickStatus,
    message: str,
    fold: PickFold | None = None,
    **details: Any,
) -> PickOutcome:
    view = _view(session, order, today, fold)
    return PickOutcome(status, message, view, **details)


# --- use cases ---------------------------------------------------------------------------


def _today(today: dt.date | None) -> dt.date:
    """The day lots are judged expired on: ``today`` as given (tests), else today here."""
    return today if today is not None else dt.date.today()


def start_picking(
    session: Session, user_id: UserId, order_id: int, *, today: dt.date | None = None
) -> PickView:
    """Begin (or resume) picking an order: waiting backorders get free stock first."""
    order = load_order(session, order_id, lock=True)
    _require_pickable(session, order, user_id)
    return _view(session, order, _today(today))


def get_pick(session: Session, order_id: int, *, today: dt.date | None = None) -> PickView:
    """The pick of an order as it now is (read only)."""
    return _view(session, load_order(session, order_id), _today(today))


def pick_scan(
    session: Session,
    user_id: UserId,
    order_id: int,
    text: str,
    *,
    today: dt.date | None = None,
) -> PickOutcome:
    """One scan at the pick screen: a bin label sets the bin; an item's barcode picks one
    (or its pack's count) from that bin. Anything wrong saves nothing and says why; a lot
    that expired before ``today`` (default: today here) is refused."""
    day = _today(today)
    order = load_order(session, order_id, lock=True)
    _require_pickable(session, order, user_id)
    named = _ORDER_BARCODE.match(text.strip())
    if named is not None:
        # The pick list's own barcode: this order, or the paper of another one.
        if int(named[1]) == order.seq:
            return _outcome(
                session,
                order,
                day,
                PickStatus.ORDER,
                _("Picking {number}.").format(number=order.number),
            )
        return _outcome(
            session,
            order,
            day,
            PickStatus.WRONG_ITEM,
            _("That is the pick list of SO-{seq}, not of {number}.").format(
                seq=named[1], number=order.number
            ),
        )
    result = resolve_scan(session, text, day)
    if result.outcome == "invalid":
        return _outcome(session, order, day, PickStatus.INVALID, result.problem or result.message)
    if result.outcome == "unknown":
        return _outcome(session, order, day, PickStatus.UNKNOWN, result.problem or result.message)
    if result.outcome == "bin":
        assert result.bin_id is not None
        return _set_bin(session, order, user_id, result.bin_id, text, day)
    assert result.item_id is not None
    return _pick(
        session,
        order,
        user_id,
        day,
        item_id=result.item_id,
        quantity=result.quantity,
        bin_id=None,
        lot=result.lot,
        label_expiry=result.expiry,
        text=text,
    )


def set_pick_bin(
    session: Session,
    user_id: UserId,
    order_id: int,
    bin_code: str,
    *,
    today: dt.date | None = None,
) -> PickOutcome:
    """The picker is at bin ``bin_code`` (typed instead of scanned)."""
    order = load_order(session, order_id, lock=True)
    _require_pickable(session, order, user_id)
    row = session.execute(
        select(Location.id, Location.kind).where(
            func.upper(Location.code) == bin_code.strip().upper()
        )
    ).first()
    if row is None or row[1] is not LocationKind.INTERNAL:
        raise ValidationError(
            _("There is no bin {code}. Scan the bin's label or check the code.").format(
                code=bin_code.strip()
            ),
            field="bin",
        )
    return _set_bin(session, order, user_id, row[0], bin_code, _today(today))


def pick_quantity(
    session: Session,
    user_id: UserId,
    order_id: int,
    line_id: int,
    quantity: Decimal | str | int,
    *,
    bin_id: int | None = None,
    lot: str | None = None,
    today: dt.date | None = None,
) -> PickOutcome:
    """Pick a typed quantity for a line, from ``bin_id`` (default: the bin last scanned).

    ``lot`` is the lot as typed or chosen, or the goods' GS1 label scanned into the lot
    field (its lot and expiry are read from it). A lot that expired before ``today`` is
    refused."""
    order = load_order(session, order_id, lock=True)
    _require_pickable(session, order, user_id)
    line = session.get(CustomerOrderLine, line_id)
    if line is None or line.order_id != order.id:
        raise NotFoundError(_("That line is not on {number}.").format(number=order.number))
    qty = parse_quantity(quantity)
    day = _today(today)
    label_expiry: dt.date | None = None
    if lot is not None:
        lot, label_expiry = _given_lot(session, line.item_id, lot, day)
    return _pick(
        session,
        order,
        user_id,
        day,
        item_id=line.item_id,
        quantity=qty,
        bin_id=bin_id,
        lot=lot,
        label_expiry=label_expiry,
        text="",
    )


def _given_lot(
    session: Session, item_id: int, text: str, today: dt.date
) -> tuple[str, dt.date | None]:
    """The lot a picker gave for item ``item_id``, and the expiry its label prints.

    A scanner in the lot field sends the whole label: (01) GTIN, (17) expiry, (10) lot.
    Its lot is taken when the label is of this item; a label of another item, or the
    item's plain barcode (which names no lot), is refused, since neither says which lot
    is in hand. Anything else (a bin's code or a SKU included) is a lot code as typed."""
    text = text.strip()
    result = resolve_scan(session, text, today)
    if result.outcome != "item" or result.item_id is None or result.matched_code is None:
        return text, None
    if result.item_id != item_id:
        sku = session.scalar(select(Item.sku).where(Item.id == item_id)) or ""
        raise ValidationError(
            _(
                "That is the label of {other}, not of {sku}. Scan the label of the {sku} you took."
            ).format(other=result.sku, sku=sku),
            field="lot",
        )
    if result.lot:
        return result.lot, result.expiry
    raise ValidationError(
        _(
            "That barcode names {sku} but not its lot. Scan the label that shows the lot, "
            "or choose the lot."
        ).format(sku=result.sku),
        field="lot",
    )


def record_short_pick(
    session: Session,
    user_id: UserId,
    order_id: int,
    line_id: int,
    quantity: Decimal | str | int,
    reason: ShortReason | str,
    note: str = "",
    *,
    today: dt.date | None = None,
) -> PickOutcome:
    """Report that ``quantity`` of a line cannot be picked, and why.

    When the order ships, the short quantity goes from reserved to backorder.
    """
    order = load_order(session, order_id, lock=True)
    _require_pickable(session, order, user_id)
    line = session.get(CustomerOrderLine, line_id)
    if line is None or line.order_id != order.id:
        raise NotFoundError(_("That line is not on {number}.").format(number=order.number))
    try:
        why = ShortReason(reason)
    except ValueError:
        raise ValidationError(
            _("Choose why the goods are missing: not found, damaged, too few or other."),
            field="reason",
        ) from None
    note = note.strip()
    if why is ShortReason.OTHER and not note:
        raise ValidationError(_("Say what happened to the missing goods."), field="note")
    if len(note) > 200:
        raise ValidationError(_("A note can be at most 200 characters."), field="note")
    qty = parse_quantity(quantity)
    day = _today(today)
    fold = pick_fold(session, order.id)
    view = _view(session, order, day, fold)
    line_view = next(lv for lv in view.lines if lv.line_id == line.id)
    if qty > line_view.remaining:
        raise ValidationError(
            _("Only {left} {unit} of {sku} are left to pick; {qty} cannot be short.").format(
                left=_qty(line_view.remaining),
                unit=line_view.unit,
                sku=line_view.sku,
                qty=_qty(qty),
            ),
            field="quantity",
        )
    event_id = _append(
        session,
        {
            "order_id": order.id,
            "kind": PickEventKind.SHORT,
            "order_line_id": line.id,
            "item_id": line.item_id,
            "quantity": qty,
            "reason": why,
            "reason_text": note,
            "user_id": user_id,
        },
    )
    message = _("{qty} {unit} of {sku} reported short: {reason}.").format(
        qty=_qty(qty), unit=line_view.unit, sku=line_view.sku, reason=short_reason_label(why)
    )
    return _outcome(
        session,
        order,
        day,
        PickStatus.SHORT,
        message,
        line_id=line.id,
        item_id=line.item_id,
        quantity=qty,
        event_id=event_id,
    )


def undo_last_pick(
    session: Session, user_id: UserId, order_id: int, *, today: dt.date | None = None
) -> PickOutcome:
    """Undo the newest pick or short pick not yet shipped (a new row names it)."""
    order = load_order(session, order_id, lock=True)
    _require_pickable(session, order, user_id)
    fold = pick_fold(session, order.id)
    if not fold.live:
        raise ValidationError(
            _("There is no pick to undo on {number}.").format(number=order.number)
        )
    target = fold.live[-1]
    _append(
        session,
        {
            "order_id": order.id,
            "kind": PickEventKind.UNDO,
            "undoes_event_id": target.id,
            "user_id": user_id,
        },
    )
    sku = session.scalar(select(Item.sku).where(Item.id == target.item_id)) or ""
    assert target.quantity is not None
    if target.kind is PickEventKind.PICK:
        message = _("Undone: picked {qty} of {sku}. Put the goods back.").format(
            qty=_qty(target.quantity), sku=sku
        )
    else:
        message = _("Undone: {qty} of {sku} reported short.").format(
            qty=_qty(target.quantity), sku=sku
        )
    return _outcome(
        session,
        order,
        _today(today),
        PickStatus.UNDONE,
        message,
        line_id=target.order_line_id,
        item_id=target.item_id,
        quantity=target.quantity,
    )


# --- the steps ---------------------------------------------------------------------------


def _set_bin(
    session: Session,
    order: CustomerOrder,
    user_id: UserId,
    bin_id: int,
    text: str,
    today: dt.date,
) -> PickOutcome:
    code = _bin_code(session, bin_id)
    event_id = _append(
        session,
        {
            "order_id": order.id,
            "kind": PickEventKind.BIN,
            "bin_id": bin_id,
            "scanned_text": text[:200],
            "user_id": user_id,
        },
    )
    fold = pick_fold(session, order.id)
    view = _view(session, order, today, fold)
    here = [
        line.sku
        for line in view.lines
        if line.remaining > 0 and any(b.bin_id == bin_id for b in line.bins)
    ]
    if here:
        message = _("Bin {code}: pick {skus}.").format(code=code, skus=", ".join(here))
    else:
        message = _("Bin {code}: nothing of this order to pick here.").format(code=code)
    # Expired lots of the order's items on this shelf: say so before anyone takes them.
    notes = []
    for line in view.lines:
        gone = [b for b in line.expired_bins if b.bin_id == bin_id]
        if line.remaining > 0 and len(gone) == 1:
            notes.append(
                _("Leave {sku} lot {lot} here: it expired on {date}.").format(
                    sku=line.sku, lot=gone[0].lot, date=_date(gone[0].expiry)
                )
            )
        elif line.remaining > 0 and gone:
            notes.append(
                _("Leave {sku} lots {lots} here: they have expired.").format(
                    sku=line.sku, lots=_lot_codes(gone)
                )
            )
    leave = " ".join(notes)
    if leave:
        message += " " + leave
    return PickOutcome(
        PickStatus.BIN, message, view, bin_code=code, event_id=event_id, warning=leave
    )


def _lot_of(session: Session, item_id: int, lot: str) -> tuple[int | None, dt.date | None]:
    """The id and stored expiry of the item's lot ``lot`` (None, None: no such lot)."""
    row = session.execute(
        select(Lot.id, Lot.expiry).where(Lot.item_id == item_id, Lot.code == lot)
    ).first()
    return (row[0], row[1]) if row is not None else (None, None)


def _lot_codes(bins: Sequence[PickBin]) -> str:
    """Lot codes for a message, oldest first: "L1, L2, L3 and 4 more"."""
    codes = [b.lot for b in sorted(bins, key=lambda b: b.expiry or dt.date.max)]
    named = ", ".join(codes[:_EXPIRED_NAMED])
    if len(codes) > _EXPIRED_NAMED:
        named += " " + _("and {n} more").format(n=len(codes) - _EXPIRED_NAMED)
    return named


def _date(value: dt.date | None) -> str:
    return short_date(value) if value is not None else ""


def _instead(line: PickLineView, sku: str, where: int | None) -> str:
    """What to take instead of an expired lot: unexpired stock in this bin if there is
    any, else the first bin to take it from; or, when none is left, who decides."""
    fresh = [b for b in line.bins if b.bin_id == where] or list(line.bins)
    if not fresh:
        return _(
            "Put it back: there is no {sku} in stock that has not expired. Ask a manager."
        ).format(sku=sku)
    take = fresh[0]
    if take.lot:
        return _("Put it back and take lot {lot} from {code}.").format(
            lot=take.lot, code=take.bin_code
        )
    return _("Put it back and take {sku} from {code}.").format(sku=sku, code=take.bin_code)


def _pick(
    session: Session,
    order: CustomerOrder,
    user_id: UserId,
    today: dt.date,
    *,
    item_id: int,
    quantity: Decimal,
    bin_id: int | None,
    lot: str | None,
    text: str,
    label_expiry: dt.date | None = None,
) -> PickOutcome:
    item = session.get(Item, item_id)
    if item is None:
        raise NotFoundError(_("Item {id} does not exist.").format(id=item_id))
    line = session.scalar(
        select(CustomerOrderLine).where(
            CustomerOrderLine.order_id == order.id, CustomerOrderLine.item_id == item.id
        )
    )
    common: dict[str, Any] = {"item_id": item.id, "quantity": quantity}
    if line is None:
        return _outcome(
            session,
            order,
            today,
            PickStatus.WRONG_ITEM,
            _("Wrong item: {sku} {name} is not on order {number}. Put it back.").format(
                sku=item.sku, name=item.name, number=order.number
            ),
            **common,
        )
    fold = pick_fold(session, order.id)
    view = _view(session, order, today, fold)
    line_view = next(lv for lv in view.lines if lv.line_id == line.id)
    common["line_id"] = line.id
    if line_view.remaining <= 0:
        if line_view.to_pick == 0:
            message = _(
                "{sku} is on backorder for {number}; none of it is to be picked now."
            ).format(sku=item.sku, number=order.number)
        else:
            message = _("All of {sku} is already picked ({picked} {unit}).").format(
                sku=item.sku, picked=_qty(line_view.picked), unit=item.unit
            )
        return _outcome(session, order, today, PickStatus.TOO_MANY, message, fold, **common)
    where = bin_id if bin_id is not None else fold.current_bin_id
    lot_id: int | None = None
    if lot:
        common["lot"] = lot
        lot_id, stored_expiry = _lot_of(session, item.id, lot)
        # The label's date is what the picker holds; the lot's record may know better.
        dates = [d for d in (label_expiry, stored_expiry) if d is not None]
        if dates and min(dates) < today:
            return _outcome(
                session,
                order,
                today,
                PickStatus.EXPIRED,
                _("Lot {lot} of {sku} expired on {date}.").format(
                    lot=lot, sku=item.sku, date=_date(min(dates))
                )
                + " "
                + _instead(line_view, item.sku, where),
                fold,
                **common,
            )
    if quantity > line_view.remaining:
        return _outcome(
            session,
            order,
            today,
            PickStatus.TOO_MANY,
            (
                _(
                    "That is {qty} {unit} of {sku}, but only {left} are left to pick. "
                    "Put back the rest or type the quantity."
                )
                if text
                # Typed, not scanned: there is nothing to put back, only a number to fix.
                else _(
                    "Only {left} {unit} of {sku} are left to pick, not {qty}: type {left} or less."
                )
            ).format(
                qty=_qty(quantity), unit=item.unit, sku=item.sku, left=_qty(line_view.remaining)
            ),
            fold,
            **common,
        )
    if where is None:
        return _outcome(
            session,
            order,
            today,
            PickStatus.NEEDS_BIN,
            _("Scan the bin you take {sku} from first.").format(sku=item.sku),
            fold,
            **common,
        )
    code = _bin_code(session, where)
    common["bin_code"] = code
    in_bin = [b for b in line_view.bins if b.bin_id == where]
    # Expired lots here are never taken: only named, so the picker leaves them.
    expired_here = [b for b in line_view.expired_bins if b.bin_id == where]
    if lot:
        in_bin = [b for b in in_bin if lot_id is not None and b.lot_id == lot_id]
        expired_here = []
    available = sum((b.quantity for b in in_bin), ZERO)
    if available == 0 and expired_here:
        gone = expired_here[0]
        return _outcome(
            session,
            order,
            today,
            PickStatus.EXPIRED,
            _("Lot {lot} of {sku} in bin {code} expired on {date}.").format(
                lot=gone.lot, sku=item.sku, code=code, date=_date(gone.expiry)
            )
            + " "
            + _instead(line_view, item.sku, None),
            fold,
            **common,
        )
    if len(expired_here) == 1:
        leave = _("Leave lot {lot} in the bin: it expired on {date}.").format(
            lot=expired_here[0].lot, date=_date(expired_here[0].expiry)
        )
    elif expired_here:
        leave = _("Leave lots {lots} in the bin: they have expired.").format(
            lots=_lot_codes(expired_here)
        )
    else:
        leave = ""
    after = " " + leave if leave else ""
    if available < quantity:
        if available == 0:
            message = (
                _("Bin {code} holds no {sku} of lot {lot}.").format(
                    code=code, sku=item.sku, lot=lot
                )
                if lot
                else _("Bin {code} holds no {sku}. Check the bin: {where}.").format(
                    code=code,
                    sku=item.sku,
                    where=", ".join(b.bin_code for b in line_view.bins) or _("none in stock"),
                )
            )
        else:
            message = _("Bin {code} holds only {available} {unit} of {sku}.").format(
                code=code, available=_qty(available), unit=item.unit, sku=item.sku
            )
        return _outcome(
            session, order, today, PickStatus.NOT_IN_BIN, message + after, fold, **common
        )
    takes: list[tuple[int | None, Decimal]] = []
    if item.lot_tracked and not lot:
        lots = [b for b in in_bin if b.quantity >= quantity]
        if len(in_bin) > 1 or not lots or expired_here:
            # With an expired lot on the same shelf, the picker must say which lot is
            # in hand: taking one for the other unseen is how expired goods ship.
            return _outcome(
                session,
                order,
                today,
                PickStatus.NEEDS_LOT,
                (
                    _(
                        "Bin {code} holds several lots of {sku}: which did you take? Scan its "
                        "label, or choose or type the lot ({lots})."
                    )
                    if len(in_bin) > 1 or not lots
                    else _(
                        "Which lot of {sku} did you take? Scan its label, or choose or type "
                        "the lot ({lots})."
                    )
                ).format(code=code, sku=item.sku, lots=", ".join(b.lot for b in in_bin))
                + after,
                fold,
                **common,
            )
        takes.append((lots[0].lot_id, quantity))
    else:
        # Untracked items kept by expiry (dated lots) are taken first-expiry-first, of
        # the lots that have not expired (``in_bin`` holds no other).
        left = quantity
        for b in in_bin:
            take = min(left, b.quantity)
            if take > 0:
                takes.append((b.lot_id, take))
                left -= take
    event_id = 0
    for take_lot, take in takes:
        event_id = _append(
            session,
            {
                "order_id": order.id,
                "kind": PickEventKind.PICK,
                "order_line_id": line.id,
                "item_id": item.id,
                "lot_id": take_lot,
                "bin_id": where,
                "quantity": take,
                "scanned_text": text[:200],
                "user_id": user_id,
            },
        )
    picked = line_view.picked + quantity
    message = _("Picked {qty} {unit} {name} from {code} ({picked} of {total}).").format(
        qty=_qty(quantity),
        unit=item.unit,
        name=item.name,
        code=code,
        picked=_qty(picked),
        total=_qty(line_view.to_pick),
    )
    return _outcome(
        session,
        order,
        today,
        PickStatus.PICKED,
        message + after,
        event_id=event_id,
        warning=leave,
        **common,
    )


# --- the pick list -----------------------------------------------------------------------


def pick_list_data(session: Session, order_id: int, *, today: dt.date | None = None) -> PickListPdf:
    """Everything the pick list PDF shows: what is left to pick, bin by bin in path order.

    Lots that expired before ``today`` are not on it; what only they could cover gets a
    row without a bin that says so."""
    order = load_order(session, order_id)
    if order.status not in PICKABLE:
        if order.status is OrderStatus.DRAFT:
            raise ValidationError(
                _("{number} is a draft. Confirm it before printing its pick list.").format(
                    number=order.number
                )
            )
        raise ValidationError(
            _("{number} is {status}; there is nothing to pick.").format(
                number=order.number, status=status_label(order.status).lower()
            )
        )
    view = _view(session, order, _today(today))
    rows: list[PickListPdfLine] = []
    waiting: list[WaitingPdfLine] = []
    for line in view.lines:
        left = line.remaining
        for b in line.bins:
            if left <= 0:
                break
            take = min(left, b.quantity)
            rows.append(
                PickListPdfLine(
                    bin_code=b.bin_code,
                    sku=line.sku,
                    name=line.name,
                    lot=b.lot,
                    expiry=b.expiry,
                    quantity=take,
                    unit=line.unit,
                )
            )
            left -= take
        if left > 0:
            # The system says it is reserved but no bin holds it (or only expired lots
            # do): the picker should know.
            rows.append(
                PickListPdfLine(
                    bin_code="",
                    sku=line.sku,
                    name=line.name,
                    lot="",
                    expiry=None,
                    quantity=left,
                    unit=line.unit,
                    note=line.notice,
                )
            )
        if line.backordered > 0:
            waiting.append(
                WaitingPdfLine(
                    sku=line.sku,
                    name=line.name,
                    quantity=line.backordered,
                    unit=line.unit,
                    expected_date=line.expected_date,
                )
            )
    rows.sort(key=lambda r: (r.bin_code == "", r.bin_code, r.sku, r.expiry or dt.date.max))
    customer = session.get(Customer, order.customer_id)
    assert customer is not None
    return PickListPdf(
        number=order.number,
        order_date=order.order_date,
        requested_date=order.requested_date,
        customer=Party(customer.name, customer.address, customer.email),
        customer_code=customer.code,
        customer_reference=order.customer_reference,
        company=company_party(session),
        printed_at=utcnow(),
        lines=tuple(rows),
        waiting=tuple(waiting),
        note=order.note,
    )


def pick_list_pdf(session: Session, order_id: int, *, today: dt.date | None = None) -> bytes:
    """The order's pick list as PDF bytes."""
    return render_pick_list(pick_list_data(session, order_id, today=today))


def picked_count_message(view: PickView) -> str:
    """A one-line summary for the status bar: how many lines are done."""
    done = sum(1 for line in view.lines if line.done and line.to_pick > 0)
    total = sum(1 for line in view.lines if line.to_pick > 0)
    return ngettext("{done} of {n} line picked.", "{done} of {n} lines picked.", total).format(
        done=done, n=total
    )
