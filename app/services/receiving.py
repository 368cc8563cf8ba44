"""Receiving: goods scanned in against a purchase order or blind, onto shelves.

A receipt is a draft document saved scan by scan. Its record is an append-only log
(``receipt_event``): every accepted scan or typed quantity is one row, committed in
the caller's transaction before the worker sees "added"; a change of put-away bin is
a row; an undo is a row naming the row it cancels. Nothing is ever updated or deleted,
so a crash or a power cut loses no acknowledged scan, the log shows exactly what the
worker did, and reopening a receipt (``open_receipts``, ``get_receipt``) rebuilds its
lines, its current bin and its last scan from the log. (A mutable line table would
need an update per scan and a separate history for undo; the log is both, and one
INSERT per scan is the cheapest durable write there is.)

A scan that needs an answer first (the lot, the expiry, the bin, "not on the order —
receive it anyway?", "more than the tolerance over — sure?") saves nothing: the outcome
carries a ``PendingScan`` that the caller completes with ``complete_scan``.

``post_receipt`` turns the lines into stock moves supplier → bin through the ledger in
one transaction, costed at the order's price, and updates the order. It runs once.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple, NewType, cast

from sqlalchemy import ColumnElement, Table, func, insert, select
from sqlalchemy.orm import Session

from app.i18n import N_, _, format_number, ngettext
from app.models import (
    Item,
    Location,
    LocationKind,
    Lot,
    MoveKind,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Receipt,
    ReceiptEvent,
    ReceiptEventKind,
    ReceiptStatus,
    Supplier,
    SupplierItem,
    User,
    utcnow,
)
from app.reports.values import Party, round_money
from app.services import ledger
from app.services.errors import NotFoundError, ValidationError
from app.services.locations import virtual_location_id
from app.services.lots import get_or_create_lot
from app.services.numbering import next_number
from app.services.orders import allocate_backorders, allocation_message, backorders_for_item
from app.services.parsing import parse_date, parse_decimal
from app.services.purchase_orders import (
    RECEIVABLE,
    company_party,
    find_po_by_number,
    status_label,
)
from app.services.scanning import resolve_scan, short_date
from app.services.settings import get_setting
from app.services.users import UserId, record_audit

if TYPE_CHECKING:
    # reportlab is loaded when a PDF is first made, not when the window starts.
    from app.reports.goods_received import GoodsReceivedPdf

ReceiptId = NewType("ReceiptId", int)

NUMBER_PREFIX = "GR-"
RECEIPT_NUMBER_LOCK = 4_201_002
TOLERANCE_SETTING = "receiving_over_tolerance_percent"
ZERO = Decimal(0)

STATUS_LABELS = {
    ReceiptStatus.OPEN: N_("In progress"),
    ReceiptStatus.POSTED: N_("Posted"),
    ReceiptStatus.CANCELLED: N_("Cancelled"),
}


def receipt_status_label(status: ReceiptStatus) -> str:
    """The receipt's status as people read it."""
    return _(STATUS_LABELS[status])


class ScanStatus(enum.StrEnum):
    """What became of a scan (or typed quantity, bin choice, undo)."""

    ADDED = "added"  # saved: goods counted in
    BIN = "bin"  # saved: the put-away bin for the next lines changed
    UNDONE = "undone"  # saved: the last scan was undone
    NEEDS_DETAILS = "needs_details"  # nothing saved: give lot / expiry / bin
    NOT_ON_ORDER = "not_on_order"  # nothing saved: confirm with add_unordered=True
    OVER_TOLERANCE = "over_tolerance"  # nothing saved: confirm with confirm_over=True
    ORDER = "order"  # nothing saved: that was a purchase order's barcode
    UNKNOWN = "unknown"  # nothing saved: the code is not linked to an item
    INVALID = "invalid"  # nothing saved: the code cannot be read, or the item is unusable


SAVED = frozenset({ScanStatus.ADDED, ScanStatus.BIN, ScanStatus.UNDONE})


@dataclass(frozen=True)
class BackorderNeed:
    """Customer orders waiting for an item that is arriving."""

    order_number: str
    customer: str
    quantity: Decimal


@dataclass(frozen=True)
class Allocation:
    """Part of a line: so much of one lot into one bin."""

    lot: str | None
    expiry: dt.date | None
    bin_id: int
    bin_code: str
    quantity: Decimal


@dataclass(frozen=True)
class ReceiptLine:
    """One item of a receipt: what the order expects and what has come in.

    ``ordered`` is None for an item that is not on the order (or a blind receipt).
    ``received_before`` came in on earlier receipts of the order; ``received`` on this
    one; ``outstanding`` is what is still to come; ``over`` what is above the order.
    """

    item_id: int
    sku: str
    name: str
    unit: str
    lot_tracked: bool
    expiry_required: bool
    default_bin_code: str
    po_line_id: int | None
    ordered: Decimal | None
    unit_price: Decimal | None
    received_before: Decimal
    received: Decimal
    outstanding: Decimal
    over: Decimal
    beyond_tolerance: bool
    allocations: tuple[Allocation, ...]

    @property
    def on_order(self) -> bool:
        """True when the item is on the purchase order."""
        return self.ordered is not None

    @property
    def is_over(self) -> bool:
        """True when more came in than was ordered (shown marked on the screen)."""
        return self.over > 0


@dataclass(frozen=True)
class ScanRecord:
    """One saved scan, as "last scan" shows it."""

    event_id: int
    item_id: int
    sku: str
    name: str
    unit: str
    quantity: Decimal
    lot: str | None
    expiry: dt.date | None
    bin_code: str
    at: dt.datetime


@dataclass(frozen=True)
class ReceiptView:
    """Everything the receiving screen shows, rebuilt from the receipt's log."""

    id: ReceiptId
    number: str
    status: ReceiptStatus
    status_text: str
    supplier_id: int
    supplier_code: str
    supplier_name: str
    po_id: int | None
    po_number: str
    po_status: PurchaseOrderStatus | None
    started_at: dt.datetime
    started_by: str
    posted_at: dt.datetime | None
    posted_by: str
    current_bin_id: int | None
    current_bin_code: str
    tolerance_percent: Decimal
    lines: tuple[ReceiptLine, ...]
    scan_count: int
    last_scan: ScanRecord | None
    last_message: str
    can_undo: bool

    @property
    def is_open(self) -> bool:
        """True while scans can be added."""
        return self.status is ReceiptStatus.OPEN

    @property
    def is_blind(self) -> bool:
        """True for a receipt without a purchase order."""
        return self.po_id is None

    @property
    def total_received(self) -> Decimal:
        """All quantities of this receipt added up (mixed units; for a quick count)."""
        return sum((line.received for line in self.lines), ZERO)

    @property
    def complete(self) -> bool:
        """True when every ordered line has come in in full."""
        return all(line.outstanding == 0 for line in self.lines if line.on_order)


@dataclass(frozen=True)
class PendingScan:
    """A scan that waits for an answer; hand it back to ``complete_scan`` with the answer."""

    item_id: int
    quantity: Decimal
    lot: str | None = None
    expiry: dt.date | None = None
    bin_id: int | None = None
    text: str = ""
    confirm_over: bool = False
    add_unordered: bool = False


@dataclass(frozen=True)
class ScanOutcome:
    """What a scan did, with the whole receipt as it now is.

    ``message`` is one line for the worker. Statuses in ``SAVED`` were committed with
    the caller's transaction; the others saved nothing and say what is needed.
    """

    status: ScanStatus
    message: str
    receipt: ReceiptView
    item_id: int | None = None
    sku: str = ""
    name: str = ""
    quantity: Decimal | None = None
    lot: str | None = None
    expiry: dt.date | None = None
    bin_id: int | None = None
    bin_code: str = ""
    needs_lot: bool = False
    needs_expiry: bool = False
    needs_bin: bool = False
    over_by: Decimal = ZERO
    problem: str | None = None
    pending: PendingScan | None = None
    po_id: int | None = None
    backorders: tuple[BackorderNeed, ...] = ()
    event_id: int | None = None
    # Saved, but the worker must see it: the goods received had expired already.
    warning: str | None = None

    @property
    def saved(self) -> bool:
        """True when the scan changed the receipt (and is safe on disk once committed)."""
        return self.status in SAVED


@dataclass(frozen=True)
class ReceiptSummary:
    """An open receipt as the "continue a receipt" list shows it."""

    id: ReceiptId
    number: str
    po_number: str
    supplier_code: str
    supplier_name: str
    started_at: dt.datetime
    started_by: str
    scans: int
    last_scan_at: dt.datetime | None


@dataclass(frozen=True)
class PostedLine:
    """One move a posting made."""

    move_id: int
    item_id: int
    sku: str
    name: str
    unit: str
    quantity: Decimal
    lot: str | None
    expiry: dt.date | None
    bin_id: int
    bin_code: str
    unit_cost: Decimal


@dataclass(frozen=True)
class LabelOffer:
    """Labels the worker may want for what came in: one item (and lot), how many units."""

    item_id: int
    sku: str
    quantity: Decimal
    lot: str | None
    expiry: dt.date | None


@dataclass(frozen=True)
class ReceiptPosted:
    """What ``post_receipt`` did: the moves, the order's new state, labels to offer."""

    receipt_id: ReceiptId
    number: str
    po_id: int | None
    po_number: str
    po_status: PurchaseOrderStatus | None
    lines: tuple[PostedLine, ...]
    labels: tuple[LabelOffer, ...]
    backorder: tuple[ReceiptLine, ...]
    value: Decimal
    message: str


# --- the log, folded ---------------------------------------------------------------------


@dataclass
class _ItemInfo:
    id: int
    sku: str
    name: str
    unit: str
    lot_tracked: bool
    shelf_life_days: int | None
    default_location_id: int | None
    active: bool


@dataclass
class _Fold:
    """The live content of a receipt's log."""

    current_bin_id: int | None = None
    # item id -> (lot, expiry, bin id) -> quantity, both in first-scan order
    received: dict[int, dict[tuple[str | None, dt.date | None, int], Decimal]] = field(
        default_factory=dict
    )
    scan_count: int = 0
    last_add: _Event | None = None
    last_live_id: int | None = None


class _Event(NamedTuple):
    """A row of the receipt log, read as a plain tuple (scans fold these every time)."""

    id: int
    receipt_id: int
    kind: ReceiptEventKind
    item_id: int | None
    quantity: Decimal | None
    lot: str | None
    expiry: dt.date | None
    bin_id: int | None
    undoes_event_id: int | None
    at: dt.datetime


class _PoLine(NamedTuple):
    """What a receipt needs of an order line."""

    id: int
    item_id: int
    quantity: Decimal
    unit_price: Decimal
    received_qty: Decimal


event_t = cast(Table, ReceiptEvent.__table__)
po_line_t = cast(Table, PurchaseOrderLine.__table__)
_EVENT_COLUMNS = (
    event_t.c.id,
    event_t.c.receipt_id,
    event_t.c.kind,
    event_t.c.item_id,
    event_t.c.quantity,
    event_t.c.lot,
    event_t.c.expiry,
    event_t.c.bin_id,
    event_t.c.undoes_event_id,
    event_t.c.at,
)


def _fold(events: Sequence[_Event]) -> _Fold:
    undone = {e.undoes_event_id for e in events if e.kind is ReceiptEventKind.UNDO}
    fold = _Fold()
    for event in events:
        if event.kind is ReceiptEventKind.UNDO or event.id in undone:
            continue
        fold.last_live_id = event.id
        if event.kind is ReceiptEventKind.BIN:
            fold.current_bin_id = event.bin_id
            continue
        assert event.item_id is not None and event.quantity is not None
        assert event.bin_id is not None
        per_item = fold.received.setdefault(event.item_id, {})
        key = (event.lot, event.expiry, event.bin_id)
        per_item[key] = per_item.get(key, ZERO) + event.quantity
        fold.scan_count += 1
        fold.last_add = event
    return fold


def _fold_add(fold: _Fold, event: _Event) -> None:
    """Fold one more ADD row, written after everything ``fold`` holds, into it."""
    assert event.item_id is not None and event.quantity is not None
    assert event.bin_id is not None
    per_item = fold.received.setdefault(event.item_id, {})
    key = (event.lot, event.expiry, event.bin_id)
    per_item[key] = per_item.get(key, ZERO) + event.quantity
    fold.scan_count += 1
    fold.last_add = event
    fold.last_live_id = event.id


def _db_fold(session: Session, receipt_id: int) -> _Fold:
    """The same as ``_fold(_receipt_events(...))``, added up by the database.

    A scan must not read the receipt's whole log back (hundreds of rows by the end of
    a big delivery, each turned into Python objects): the live ADD rows are summed per
    item, lot, expiry and bin in SQL, in first-scan order, and only the last live ADD
    and BIN rows are read whole. Two statements, whatever the size of the receipt.
    """
    undone = select(event_t.c.undoes_event_id).where(
        event_t.c.receipt_id == receipt_id,
        event_t.c.kind == ReceiptEventKind.UNDO,
        event_t.c.undoes_event_id.is_not(None),
    )
    live = (event_t.c.receipt_id == receipt_id, event_t.c.id.not_in(undone))
    first = func.min(event_t.c.id)
    groups = session.execute(
        select(
            event_t.c.item_id,
            event_t.c.lot,
            event_t.c.expiry,
            event_t.c.bin_id,
            func.sum(event_t.c.quantity).label("quantity"),
            func.count().label("scans"),
        )
        .where(*live, event_t.c.kind == ReceiptEventKind.ADD)
        .group_by(event_t.c.item_id, event_t.c.lot, event_t.c.expiry, event_t.c.bin_id)
        .order_by(first)
    ).tuples()
    fold = _Fold()
    for item_id, lot, expiry, bin_id, quantity, scans in groups:
        fold.received.setdefault(item_id, {})[(lot, expiry, bin_id)] = quantity
        fold.scan_count += scans
    latest = (
        select(func.max(event_t.c.id))
        .where(*live, event_t.c.kind.in_((ReceiptEventKind.ADD, ReceiptEventKind.BIN)))
        .group_by(event_t.c.kind)
    )
    for event in _events(session, event_t.c.id.in_(latest)):
        fold.last_live_id = event.id  # rows come in id order: the last one stays
        if event.kind is ReceiptEventKind.BIN:
            fold.current_bin_id = event.bin_id
        else:
            fold.last_add = event
    return fold


def _events(session: Session, *where: ColumnElement[bool]) -> list[_Event]:
    """Log rows in the order they were written (plain tuples: a scan reads them all)."""
    rows = session.execute(
        select(*_EVENT_COLUMNS).where(*where).order_by(event_t.c.receipt_id, event_t.c.id)
    ).tuples()
    return [_Event(*row) for row in rows]


def _receipt_events(session: Session, receipt_id: int) -> list[_Event]:
    return _events(session, event_t.c.receipt_id == receipt_id)


def _append(session: Session, values: dict[str, object]) -> _Event:
    """Write one log row (a single INSERT) and return it as read back."""
    row = {
        "item_id": None,
        "quantity": None,
        "lot": None,
        "expiry": None,
        "bin_id": None,
        "scanned_text": "",
        "over_confirmed": False,
        "unordered_confirmed": False,
        "undoes_event_id": None,
        "at": utcnow(),
        **values,
    }
    event_id = session.execute(insert(event_t).returning(event_t.c.id), row).scalar_one()
    return _Event(
        event_id,
        cast(int, row["receipt_id"]),
        cast(ReceiptEventKind, row["kind"]),
        cast("int | None", row["item_id"]),
        cast("Decimal | None", row["quantity"]),
        cast("str | None", row["lot"]),
        cast("dt.date | None", row["expiry"]),
        cast("int | None", row["bin_id"]),
        cast("int | None", row["undoes_event_id"]),
        cast(dt.datetime, row["at"]),
    )


def _items(session: Session, item_ids: set[int]) -> dict[int, _ItemInfo]:
    if not item_ids:
        return {}
    rows = session.execute(
        select(
            Item.id,
            Item.sku,
            Item.name,
            Item.unit,
            Item.lot_tracked,
            Item.shelf_life_days,
            Item.default_location_id,
            Item.active,
        ).where(Item.id.in_(item_ids))
    ).tuples()
    return {row[0]: _ItemInfo(*row) for row in rows}


def _item(session: Session, item_id: int) -> _ItemInfo:
    found = _items(session, {item_id}).get(item_id)
    if found is None:
        raise NotFoundError(_("Item {id} does not exist.").format(id=item_id))
    return found


def _bin_codes(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(
        session.execute(select(Location.id, Location.code).where(Location.id.in_(ids)))
        .tuples()
        .all()
    )


def _received_earlier(session: Session, receipt: Receipt) -> dict[int, Decimal]:
    """Per item, what the receipts of the same order posted before ``receipt`` brought."""
    if receipt.purchase_order_id is None or receipt.posted_at is None:
        return {}
    ids = select(Receipt.id).where(
        Receipt.purchase_order_id == receipt.purchase_order_id,
        Receipt.status == ReceiptStatus.POSTED,
        Receipt.id != receipt.id,
        Receipt.posted_at <= receipt.posted_at,
    )
    events = _events(session, event_t.c.receipt_id.in_(ids))
    totals: dict[int, Decimal] = {}
    for item_id, per_item in _fold(events).received.items():
        totals[item_id] = sum(per_item.values(), ZERO)
    return totals


def _user_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {
        user_id: display or username
        for user_id, display, username in session.execute(
            select(User.id, User.display_name, User.username).where(User.id.in_(wanted))
        ).tuples()
    }


def _po_lines(session: Session, po_id: int | None) -> list[_PoLine]:
    if po_id is None:
        return []
    rows = session.execute(
        select(
            po_line_t.c.id,
            po_line_t.c.item_id,
            po_line_t.c.quantity,
            po_line_t.c.unit_price,
            po_line_t.c.received_qty,
        )
        .where(po_line_t.c.purchase_order_id == po_id)
        .order_by(po_line_t.c.line_no)
    ).tuples()
    return [_PoLine(*row) for row in rows]


def tolerance_percent(session: Session) -> Decimal:
    """How far (percent) a line may go over the ordered quantity before it asks."""
    raw = get_setting(session, TOLERANCE_SETTING)
    try:
        value = parse_decimal(raw, TOLERANCE_SETTING)
    except ValidationError:
        value = Decimal(-1)
    if value < 0:
        raise ValidationError(
            _(
                "The over-receipt tolerance setting “{value}” is not a percentage. "
                "Set it to a number such as 10 in Settings."
            ).format(value=raw),
            field=TOLERANCE_SETTING,
        )
    return value


def _limit(ordered: Decimal, tolerance: Decimal) -> Decimal:
    return ordered + ordered * tolerance / 100


def _qty(value: Decimal) -> str:
    return format_number(value)


# --- loading and checking a receipt --------------------------------------------------------


def _load(session: Session, receipt_id: int, *, lock: bool = False) -> Receipt:
    receipt = session.get(Receipt, receipt_id, with_for_update=lock or None)
    if receipt is None:
        raise NotFoundError(_("Receipt {id} does not exist.").format(id=receipt_id))
    return receipt


def _require_open(
    session: Session, receipt: Receipt, *, lock_po: bool = False
) -> PurchaseOrder | None:
    """Refuse a receipt that takes no more scans; return its order (``lock_po``: locked
    for update on PostgreSQL, so a cancel cannot slip in while posting)."""
    if receipt.status is ReceiptStatus.POSTED:
        raise ValidationError(
            _("Receipt {number} is already posted. Start a new receipt for more goods.").format(
                number=receipt.number
            )
        )
    if receipt.status is ReceiptStatus.CANCELLED:
        raise ValidationError(
            _("Receipt {number} was cancelled. Start a new receipt.").format(number=receipt.number)
        )
    if receipt.purchase_order_id is None:
        return None
    query = select(PurchaseOrder).where(PurchaseOrder.id == receipt.purchase_order_id)
    if lock_po:
        query = query.with_for_update().execution_options(populate_existing=True)
    po = session.scalar(query)
    assert po is not None
    if po.status is PurchaseOrderStatus.CANCELLED:
        raise ValidationError(
            _(
                "Purchase order {po} was cancelled, so nothing can be received against it. "
                "Cancel receipt {number} and receive the goods blind if they stay."
            ).format(po=po.number, number=receipt.number)
        )
    return po


def _view(
    session: Session,
    receipt: Receipt,
    *,
    fold: _Fold | None = None,
    po_lines: list[_PoLine] | None = None,
    message: str | None = None,
) -> ReceiptView:
    if fold is None:
        fold = _db_fold(session, receipt.id)
    if po_lines is None:
        po_lines = _po_lines(session, receipt.purchase_order_id)
    supplier_code, supplier_name = session.execute(
        select(Supplier.code, Supplier.name).where(Supplier.id == receipt.supplier_id)
    ).one()
    po = (
        session.get(PurchaseOrder, receipt.purchase_order_id) if receipt.purchase_order_id else None
    )
    item_ids = {line.item_id for line in po_lines} | set(fold.received)
    items = _items(session, item_ids)
    bin_ids = {key[2] for per_item in fold.received.values() for key in per_item}
    bin_ids |= {i.default_location_id for i in items.values() if i.default_location_id}
    if fold.current_bin_id is not None:
        bin_ids.add(fold.current_bin_id)
    codes = _bin_codes(session, bin_ids)
    tolerance = tolerance_percent(session)
    # While open, what the order has received came before this receipt; once posted, the
    # order's totals include this receipt and maybe later ones, so earlier ones are summed.
    earlier = (
        _received_earlier(session, receipt) if receipt.status is ReceiptStatus.POSTED else None
    )

    def line(item_id: int, po_line: _PoLine | None) -> ReceiptLine:
        info = items[item_id]
        per_item = fold.received.get(item_id, {})
        received = sum(per_item.values(), ZERO)
        allocations = tuple(
            Allocation(lot, expiry, bin_id, codes.get(bin_id, "?"), qty)
            for (lot, expiry, bin_id), qty in per_item.items()
        )
        if po_line is None:
            ordered = before = None
            outstanding = over = ZERO
            beyond = False
        else:
            ordered = po_line.quantity
            before = po_line.received_qty if earlier is None else earlier.get(item_id, ZERO)
            total = before + received
            outstanding = max(ZERO, ordered - total)
            over = max(ZERO, total - ordered)
            beyond = total > _limit(ordered, tolerance)
        return ReceiptLine(
            item_id=item_id,
            sku=info.sku,
            name=info.name,
            unit=info.unit,
            lot_tracked=info.lot_tracked,
            expiry_required=info.shelf_life_days is not None,
            default_bin_code=codes.get(info.default_location_id or 0, ""),
            po_line_id=po_line.id if po_line else None,
            ordered=ordered,
            unit_price=po_line.unit_price if po_line else None,
            received_before=before if before is not None else ZERO,
            received=received,
            outstanding=outstanding,
            over=over,
            beyond_tolerance=beyond,
            allocations=allocations,
        )

    on_order = {pl.item_id for pl in po_lines}
    lines = [line(pl.item_id, pl) for pl in po_lines]
    lines += [line(item_id, None) for item_id in fold.received if item_id not in on_order]

    last = fold.last_add
    last_scan = None
    if last is not None:
        assert last.item_id is not None and last.quantity is not None
        assert last.bin_id is not None
        info = items[last.item_id]
        last_scan = ScanRecord(
            event_id=last.id,
            item_id=last.item_id,
            sku=info.sku,
            name=info.name,
            unit=info.unit,
            quantity=last.quantity,
            lot=last.lot,
            expiry=last.expiry,
            bin_code=codes.get(last.bin_id, "?"),
            at=last.at,
        )
    if message is None:
        message = _added_message(last_scan) if last_scan else ""
    names = _user_names(session, {receipt.started_by, receipt.posted_by})
    return ReceiptView(
        id=ReceiptId(receipt.id),
        number=receipt.number,
        status=receipt.status,
        status_text=receipt_status_label(receipt.status),
        supplier_id=receipt.supplier_id,
        supplier_code=supplier_code,
        supplier_name=supplier_name,
        po_id=po.id if po else None,
        po_number=po.number if po else "",
        po_status=po.status if po else None,
        started_at=receipt.started_at,
        started_by=names.get(receipt.started_by, ""),
        posted_at=receipt.posted_at,
        posted_by=names.get(receipt.posted_by or 0, ""),
        current_bin_id=fold.current_bin_id,
        current_bin_code=codes.get(fold.current_bin_id or 0, ""),
        tolerance_percent=tolerance,
        lines=tuple(lines),
        scan_count=fold.scan_count,
        last_scan=last_scan,
        last_message=message,
        can_undo=receipt.status is ReceiptStatus.OPEN and fold.last_live_id is not None,
    )


def _added_message(scan: ScanRecord) -> str:
    text = _("+{qty} {unit} {name} → {bin}").format(
        qty=_qty(scan.quantity), unit=scan.unit, name=scan.name, bin=scan.bin_code
    )
    if scan.lot:
        text += " · " + _("lot {lot}").format(lot=scan.lot)
    if scan.expiry and scan.expiry < dt.date.today():
        text += " · " + _("EXPIRED {date}").format(date=short_date(scan.expiry))
    elif scan.expiry:
        text += " · " + _("expires {date}").format(date=scan.expiry.isoformat())
    return text


# --- starting, listing, reopening ----------------------------------------------------------


def start_receipt(
    session: Session,
    user_id: UserId,
    po_id: int | None = None,
    supplier_id: int | None = None,
) -> ReceiptView:
    """Start receiving against purchase order ``po_id``, or blind from ``supplier_id``.

    An order that already has an open receipt reopens that one (where it was), so two
    workstations never count the same delivery twice. Refuses a draft, cancelled or
    fully received order.
    """
    if po_id is None and supplier_id is None:
        raise ValidationError(
            _("Choose the purchase order the goods came with, or the supplier for a blind receipt.")
        )
    po: PurchaseOrder | None = None
    if po_id is not None:
        po = session.get(PurchaseOrder, po_id, with_for_update=True)
        if po is None:
            raise NotFoundError(_("Purchase order {id} does not exist.").format(id=po_id))
        if supplier_id is not None and supplier_id != po.supplier_id:
            raise ValidationError(
                _("Purchase order {po} is to another supplier.").format(po=po.number),
                field="supplier",
            )
        _require_receivable(po)
        existing = session.scalar(
            select(Receipt)
            .where(Receipt.purchase_order_id == po.id, Receipt.status == ReceiptStatus.OPEN)
            .order_by(Receipt.id)
            .limit(1)
        )
        if existing is not None:
            return _view(session, existing)
        supplier_id = po.supplier_id
    assert supplier_id is not None
    if session.get(Supplier, supplier_id) is None:
        raise NotFoundError(_("Supplier {id} does not exist.").format(id=supplier_id))
    seq, number = next_number(session, Receipt.seq, NUMBER_PREFIX, RECEIPT_NUMBER_LOCK)
    receipt = Receipt(
        seq=seq,
        number=number,
        supplier_id=supplier_id,
        purchase_order_id=po.id if po else None,
        status=ReceiptStatus.OPEN,
        started_by=user_id,
        started_at=utcnow(),
    )
    session.add(receipt)
    session.flush()
    record_audit(
        session,
        user_id,
        "start",
        "receipt",
        receipt.id,
        {"number": number, "po": po.number if po else None},
    )
    return _view(session, receipt, fold=_Fold())


def _require_receivable(po: PurchaseOrder) -> None:
    if po.status in RECEIVABLE:
        return
    if po.status is PurchaseOrderStatus.DRAFT:
        message = _(
            "{po} is still a draft: it has not been sent to the supplier. Send it first, "
            "or receive the goods blind."
        )
    elif po.status is PurchaseOrderStatus.CANCELLED:
        message = _(
            "{po} was cancelled, so nothing can be received against it. "
            "Receive the goods blind if they stay."
        )
    else:
        message = _("{po} is already fully received. Receive extra goods blind, or on a new order.")
    raise ValidationError(message.format(po=po.number), field="purchase_order")


def start_receipt_from_scan(session: Session, user_id: UserId, text: str) -> ReceiptView:
    """Start (or reopen) the receipt of the purchase order whose barcode was scanned."""
    po = find_po_by_number(session, text)
    if po is None:
        raise NotFoundError(
            _("“{text}” is not the number of a purchase order.").format(text=text.strip())
        )
    return start_receipt(session, user_id, po_id=po.id)


def get_receipt(session: Session, receipt_id: int) -> ReceiptView:
    """A receipt as it is now, rebuilt from its log (also after a crash)."""
    return _view(session, _load(session, receipt_id))


def open_receipts(session: Session) -> list[ReceiptSummary]:
    """Receipts started but not posted or cancelled, oldest first, to continue them."""
    counts: dict[int, tuple[int, dt.datetime | None]] = {}
    open_ids = select(Receipt.id).where(Receipt.status == ReceiptStatus.OPEN)
    by_receipt: dict[int, list[_Event]] = {}
    for event in _events(session, event_t.c.receipt_id.in_(open_ids)):
        by_receipt.setdefault(event.receipt_id, []).append(event)
    for receipt_id, its_events in by_receipt.items():
        fold = _fold(its_events)
        counts[receipt_id] = (fold.scan_count, fold.last_add.at if fold.last_add else None)
    rows = (
        session.execute(
            select(Receipt, Supplier.code, Supplier.name, PurchaseOrder.number)
            .join(Supplier, Supplier.id == Receipt.supplier_id)
            .outerjoin(PurchaseOrder, PurchaseOrder.id == Receipt.purchase_order_id)
            .where(Receipt.status == ReceiptStatus.OPEN)
            .order_by(Receipt.id)
        )
        .tuples()
        .all()
    )
    result: list[ReceiptSummary] = []
    names = _user_names(session, {receipt.started_by for receipt, *_rest in rows})
    for receipt, code, name, po_number in rows:
        scans, last_at = counts.get(receipt.id, (0, None))
        result.append(
            ReceiptSummary(
                id=ReceiptId(receipt.id),
                number=receipt.number,
                po_number=po_number or "",
                supplier_code=code,
                supplier_name=name,
                started_at=receipt.started_at,
                started_by=names.get(receipt.started_by, ""),
                scans=scans,
                last_scan_at=last_at,
            )
        )
    return result


def cancel_receipt(session: Session, receipt_id: int, user_id: UserId) -> ReceiptView:
    """Drop an open receipt without posting anything (its log stays, for the record)."""
    receipt = _load(session, receipt_id, lock=True)
    if receipt.status is not ReceiptStatus.OPEN:
        raise ValidationError(
            _("Receipt {number} is {status}; only an open receipt can be cancelled.").format(
                number=receipt.number, status=receipt_status_label(receipt.status).lower()
            )
        )
    receipt.status = ReceiptStatus.CANCELLED
    session.flush()
    record_audit(session, user_id, "cancel", "receipt", receipt.id, {"number": receipt.number})
    return _view(session, receipt)


# --- backorders (hook for order entry) -----------------------------------------------------


def waiting_backorders(session: Session, item_id: int) -> list[BackorderNeed]:
    """Customer orders waiting for ``item_id``, oldest first, so a scan can say
    "3 of these are for order SO-1042". Posting the receipt reserves the goods for them
    (``orders.allocate_backorders``), in this order.
    """
    if session.get(Item, item_id) is None:
        raise NotFoundError(_("Item {id} does not exist.").format(id=item_id))
    return [
        BackorderNeed(row.order_number, row.customer_name, row.quantity)
        for row in backorders_for_item(session, item_id)
    ]


def _backorder_note(needs: list[BackorderNeed], unit: str) -> str:
    return " · ".join(
        _("{qty} {unit} of these are for order {order}").format(
            qty=_qty(need.quantity), unit=unit, order=need.order_number
        )
        for need in needs
    )


# --- scanning ----------------------------------------------------------------------------


def _check_bin(session: Session, bin_id: int) -> str:
    row = session.execute(
        select(Location.code, Location.kind, Location.active).where(Location.id == bin_id)
    ).first()
    if row is None:
        raise NotFoundError(_("Location {id} does not exist.").format(id=bin_id))
    code, kind, active = row
    if kind is not LocationKind.INTERNAL:
        raise ValidationError(
            _("{code} is not a bin of the warehouse; choose a bin.").format(code=code),
            field="bin",
        )
    if not active:
        raise ValidationError(
            _("Bin {code} is inactive; choose another bin.").format(code=code), field="bin"
        )
    return str(code)


def _clean_lot(lot: str | None) -> str | None:
    if lot is None:
        return None
    lot = lot.strip()
    if not lot:
        return None
    if len(lot) > 64:
        raise ValidationError(_("A lot number can be at most 64 characters."), field="lot")
    return lot


def _clean_expiry(expiry: dt.date | str | None) -> dt.date | None:
    if expiry is None or (isinstance(expiry, str) and not expiry.strip()):
        return None
    return parse_date(expiry, "expiry")


def _known_lot_expiry(
    session: Session, fold: _Fold, item: _ItemInfo, lot: str, expiry: dt.date | None
) -> dt.date | None:
    """The expiry lot ``lot`` already has (in the database or this receipt), checked
    against ``expiry``; a lot has one expiry date."""
    known: dt.date | None = session.scalar(
        select(Lot.expiry).where(Lot.item_id == item.id, Lot.code == lot)
    )
    if known is None:
        known = next(
            (e for (code, e, _bin) in fold.received.get(item.id, {}) if code == lot and e),
            None,
        )
    if known is not None and expiry is not None and known != expiry:
        raise ValidationError(
            _("Lot {code} of {sku} already has expiry {known}, not {given}.").format(
                code=lot, sku=item.sku, known=known.isoformat(), given=expiry.isoformat()
            ),
            field="expiry",
        )
    return known


def _outcome(
    session: Session,
    receipt: Receipt,
    status: ScanStatus,
    message: str,
    *,
    fold: _Fold | None = None,
    po_lines: list[_PoLine] | None = None,
    **details: Any,
) -> ScanOutcome:
    view = _view(session, receipt, fold=fold, po_lines=po_lines, message=message)
    return ScanOutcome(status=status, message=message, receipt=view, **details)


def _add(
    session: Session,
    receipt: Receipt,
    po: PurchaseOrder | None,
    user_id: UserId,
    pending: PendingScan,
) -> ScanOutcome:
    """Add goods to the receipt, or say what must be answered first."""
    item = _item(session, pending.item_id)
    if not item.active:
        raise ValidationError(
            _("{sku} is inactive. Activate the item before receiving it.").format(sku=item.sku),
            field="item",
        )
    quantity = ledger.parse_quantity(pending.quantity)
    lot = _clean_lot(pending.lot)
    expiry = _clean_expiry(pending.expiry)
    fold = _db_fold(session, receipt.id)
    po_lines = _po_lines(session, po.id if po is not None else None)
    po_line = next((pl for pl in po_lines if pl.item_id == item.id), None)
    # The screen's view of the receipt is built from what was read here, not read again.
    common: dict[str, Any] = {
        "item_id": item.id,
        "sku": item.sku,
        "name": item.name,
        "quantity": quantity,
    }

    # 1. An item the order does not have is asked about, never slipped in.
    already_taken = item.id in fold.received
    if po is not None and po_line is None and not (pending.add_unordered or already_taken):
        ask = replace(pending, quantity=quantity, lot=lot, expiry=expiry)
        return _outcome(
            session,
            receipt,
            ScanStatus.NOT_ON_ORDER,
            _("{sku} {name} is not on order {po}. Receive it anyway?").format(
                sku=item.sku, name=item.name, po=po.number
            ),
            fold=fold,
            po_lines=po_lines,
            pending=ask,
            **common,
        )

    # 2. Lot, expiry and bin, from the code, the lot's record, the receipt or the item.
    if lot is not None:
        known = _known_lot_expiry(session, fold, item, lot, expiry)
        expiry = expiry or known
    bin_id = pending.bin_id or fold.current_bin_id or item.default_location_id
    bin_code = _check_bin(session, bin_id) if bin_id is not None else ""
    needs_lot = item.lot_tracked and lot is None
    needs_expiry = item.shelf_life_days is not None and expiry is None
    needs_bin = bin_id is None
    if needs_lot or needs_expiry or needs_bin:
        parts = []
        if needs_lot and needs_expiry:
            parts.append(_("Give the lot number and expiry date of {name}.").format(name=item.name))
        elif needs_lot:
            parts.append(_("Give the lot number of {name}.").format(name=item.name))
        elif needs_expiry:
            parts.append(_("Give the expiry date of {name}.").format(name=item.name))
        if needs_bin:
            parts.append(
                _("{name} has no usual bin: scan the label of the bin it goes to.").format(
                    name=item.name
                )
            )
        return _outcome(
            session,
            receipt,
            ScanStatus.NEEDS_DETAILS,
            " ".join(parts),
            fold=fold,
            po_lines=po_lines,
            pending=replace(pending, quantity=quantity, lot=lot, expiry=expiry),
            lot=lot,
            expiry=expiry,
            bin_id=bin_id,
            bin_code=bin_code,
            needs_lot=needs_lot,
            needs_expiry=needs_expiry,
            needs_bin=needs_bin,
            **common,
        )
    assert bin_id is not None

    # 3. Beyond the tolerance over the order, the worker confirms.
    over_by = ZERO
    if po_line is not None:
        total = po_line.received_qty + sum(fold.received.get(item.id, {}).values(), ZERO)
        total += quantity
        over_by = max(ZERO, total - po_line.quantity)
        tolerance = tolerance_percent(session)
        if total > _limit(po_line.quantity, tolerance) and not pending.confirm_over:
            return _outcome(
                session,
                receipt,
                ScanStatus.OVER_TOLERANCE,
                _(
                    "{name}: {total} {unit} would be received against {ordered} ordered, "
                    "more than {tolerance} percent over. Confirm to receive it."
                ).format(
                    name=item.name,
                    total=_qty(total),
                    unit=item.unit,
                    ordered=_qty(po_line.quantity),
                    tolerance=_qty(tolerance),
                ),
                fold=fold,
                po_lines=po_lines,
                pending=replace(pending, quantity=quantity, lot=lot, expiry=expiry),
                lot=lot,
                expiry=expiry,
                bin_id=bin_id,
                bin_code=bin_code,
                over_by=over_by,
                **common,
            )

    event = _append(
        session,
        {
            "receipt_id": receipt.id,
            "kind": ReceiptEventKind.ADD,
            "item_id": item.id,
            "quantity": quantity,
            "lot": lot,
            "expiry": expiry,
            "bin_id": bin_id,
            "scanned_text": pending.text[:200],
            "over_confirmed": pending.confirm_over,
            "unordered_confirmed": pending.add_unordered and po is not None and po_line is None,
            "user_id": user_id,
        },
    )
    _fold_add(fold, event)
    backorders = waiting_backorders(session, item.id)
    record = ScanRecord(
        event.id, item.id, item.sku, item.name, item.unit, quantity, lot, expiry, bin_code, event.at
    )
    message = _added_message(record)
    if over_by > 0:
        message += " · " + _("{over} {unit} more than ordered").format(
            over=_qty(over_by), unit=item.unit
        )
    if backorders:
        message += " · " + _backorder_note(backorders, item.unit)
    warning = None
    if expiry is not None and expiry < dt.date.today():
        # Received all the same (a return, goods for quarantine), but never silently.
        warning = _("These goods expired on {date}. Keep them apart for a manager.").format(
            date=short_date(expiry)
        )
    return _outcome(
        session,
        receipt,
        ScanStatus.ADDED,
        message,
        fold=fold,
        po_lines=po_lines,
        lot=lot,
        expiry=expiry,
        bin_id=bin_id,
        bin_code=bin_code,
        over_by=over_by,
        backorders=tuple(backorders),
        event_id=event.id,
        warning=warning,
        **common,
    )


def _set_bin(
    session: Session, receipt: Receipt, user_id: UserId, bin_id: int | None, text: str
) -> ScanOutcome:
    code = _check_bin(session, bin_id) if bin_id is not None else ""
    event = _append(
        session,
        {
            "receipt_id": receipt.id,
            "kind": ReceiptEventKind.BIN,
            "bin_id": bin_id,
            "scanned_text": text[:200],
            "user_id": user_id,
        },
    )
    message = (
        _("Next goods go to bin {code}.").format(code=code)
        if bin_id is not None
        else _("Next goods go to each item's usual bin.")
    )
    return _outcome(
        session,
        receipt,
        ScanStatus.BIN,
        message,
        bin_id=bin_id,
        bin_code=code,
        event_id=event.id,
    )


def add_scan(
    session: Session,
    receipt_id: int,
    text: str,
    user_id: UserId,
    *,
    confirm_over: bool = False,
    add_unordered: bool = False,
) -> ScanOutcome:
    """Take one scan: an item code adds its quantity (a carton its pack, a GS1 count that
    count, with the code's lot and expiry); a bin label sets the bin for the next lines.

    Unknown and unreadable codes, and scans that need an answer, save nothing and say so
    in the outcome. Raises for a receipt that is posted or cancelled.
    """
    receipt = _load(session, receipt_id, lock=True)
    po = _require_open(session, receipt)
    result = resolve_scan(session, text)
    if result.outcome == "bin":
        return _set_bin(session, receipt, user_id, result.bin_id, text)
    if result.outcome == "item" and result.problem is None:
        assert result.item_id is not None
        return _add(
            session,
            receipt,
            po,
            user_id,
            PendingScan(
                item_id=result.item_id,
                quantity=result.quantity,
                lot=result.lot,
                expiry=result.expiry,
                text=text,
                confirm_over=confirm_over,
                add_unordered=add_unordered,
            ),
        )
    if result.outcome == "unknown":
        order = find_po_by_number(session, text)
        if order is not None:
            message = (
                _("This is order {po}, the one being received.")
                if order.id == receipt.purchase_order_id
                else _("That is order {po}. Post or leave this receipt first, then start that one.")
            ).format(po=order.number)
            return _outcome(
                session, receipt, ScanStatus.ORDER, message, po_id=order.id, problem=message
            )
        return _outcome(
            session,
            receipt,
            ScanStatus.UNKNOWN,
            result.problem or result.message,
            problem=result.problem,
        )
    return _outcome(
        session,
        receipt,
        ScanStatus.INVALID,
        result.problem or result.message,
        problem=result.problem or result.message,
        item_id=result.item_id,
        sku=result.sku or "",
    )


def complete_scan(
    session: Session,
    receipt_id: int,
    pending: PendingScan,
    user_id: UserId,
    *,
    lot: str | None = None,
    expiry: dt.date | str | None = None,
    bin_id: int | None = None,
    confirm_over: bool = False,
    add_unordered: bool = False,
) -> ScanOutcome:
    """Finish a scan that asked for something: the lot, expiry or bin it needed, or the
    worker's yes to an item not on the order or an over-receipt. It may ask again."""
    receipt = _load(session, receipt_id, lock=True)
    po = _require_open(session, receipt)
    return _add(
        session,
        receipt,
        po,
        user_id,
        PendingScan(
            item_id=pending.item_id,
            quantity=pending.quantity,
            lot=lot if lot is not None and lot.strip() else pending.lot,
            expiry=_clean_expiry(expiry) or pending.expiry,
            bin_id=bin_id if bin_id is not None else pending.bin_id,
            text=pending.text,
            confirm_over=confirm_over or pending.confirm_over,
            add_unordered=add_unordered or pending.add_unordered,
        ),
    )


def add_quantity(
    session: Session,
    receipt_id: int,
    item_id: int,
    quantity: Decimal | str | int,
    user_id: UserId,
    *,
    lot: str | None = None,
    expiry: dt.date | str | None = None,
    bin_id: int | None = None,
    confirm_over: bool = False,
    add_unordered: bool = False,
) -> ScanOutcome:
    """Add a typed quantity of an item (for damaged labels or counting by hand).

    The bin is ``bin_id``, else the receipt's current bin, else the item's usual bin.
    """
    receipt = _load(session, receipt_id, lock=True)
    po = _require_open(session, receipt)
    qty = ledger.parse_quantity(quantity)
    if bin_id is not None:
        _check_bin(session, bin_id)
    return _add(
        session,
        receipt,
        po,
        user_id,
        PendingScan(
            item_id=item_id,
            quantity=qty,
            lot=lot,
            expiry=_clean_expiry(expiry),
            bin_id=bin_id,
            confirm_over=confirm_over,
            add_unordered=add_unordered,
        ),
    )


def set_bin(
    session: Session, receipt_id: int, user_id: UserId, bin_code: str | None
) -> ScanOutcome:
    """Choose the bin for the next lines by its code (as if its label were scanned);
    None or "" goes back to each item's usual bin."""
    receipt = _load(session, receipt_id, lock=True)
    _require_open(session, receipt)
    if bin_code is None or not bin_code.strip():
        return _set_bin(session, receipt, user_id, None, "")
    bin_id = session.scalar(
        select(Location.id).where(func.upper(Location.code) == bin_code.strip().upper())
    )
    if bin_id is None:
        raise NotFoundError(_("There is no bin {code}.").format(code=bin_code.strip().upper()))
    return _set_bin(session, receipt, user_id, bin_id, "")


def undo_last_scan(session: Session, receipt_id: int, user_id: UserId) -> ScanOutcome:
    """Undo the latest scan, typed quantity or bin change still in force."""
    receipt = _load(session, receipt_id, lock=True)
    _require_open(session, receipt)
    events = _receipt_events(session, receipt.id)
    fold = _fold(events)
    if fold.last_live_id is None:
        raise ValidationError(
            _("Nothing to undo on receipt {number}.").format(number=receipt.number)
        )
    target = next(e for e in events if e.id == fold.last_live_id)
    undo = _append(
        session,
        {
            "receipt_id": receipt.id,
            "kind": ReceiptEventKind.UNDO,
            "undoes_event_id": target.id,
            "user_id": user_id,
        },
    )
    if target.kind is ReceiptEventKind.BIN:
        message = _("Undone: the bin change.")
        details: dict[str, Any] = {}
    else:
        assert target.item_id is not None and target.quantity is not None
        info = _item(session, target.item_id)
        message = _("Undone: {qty} {unit} {name}.").format(
            qty=_qty(target.quantity), unit=info.unit, name=info.name
        )
        details = {
            "item_id": info.id,
            "sku": info.sku,
            "name": info.name,
            "quantity": target.quantity,
            "lot": target.lot,
            "expiry": target.expiry,
        }
    return _outcome(
        session,
        receipt,
        ScanStatus.UNDONE,
        message,
        fold=_fold([*events, undo]),
        event_id=undo.id,
        **details,
    )


# --- posting -----------------------------------------------------------------------------


def _blind_cost(session: Session, supplier_id: int, item_id: int) -> Decimal:
    price = session.scalar(
        select(SupplierItem.price).where(
            SupplierItem.supplier_id == supplier_id, SupplierItem.item_id == item_id
        )
    )
    return price if price is not None else ledger.current_unit_cost(session, item_id)


def post_receipt(session: Session, receipt_id: int, user_id: UserId) -> ReceiptPosted:
    """Put everything received on the shelves: one move supplier → bin per item, lot and
    bin, at the order's price (blind: the supplier's price, else the item's current cost),
    then the order's received quantities and status. All or nothing; only once.
    """
    receipt = _load(session, receipt_id, lock=True)
    if receipt.status is ReceiptStatus.POSTED:
        names = _user_names(session, {receipt.posted_by})
        assert receipt.posted_at is not None
        raise ValidationError(
            _(
                "Receipt {number} was already posted by {user} at {when}; "
                "it cannot be posted twice."
            ).format(
                number=receipt.number,
                user=names.get(receipt.posted_by or 0, "?"),
                when=receipt.posted_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            )
        )
    po = _require_open(session, receipt, lock_po=True)
    view = _view(session, receipt)
    if not view.scan_count:
        raise ValidationError(
            _("Nothing has been received on {number} yet: scan the goods first.").format(
                number=receipt.number
            )
        )
    po_lines: dict[int, PurchaseOrderLine] = {}
    if po is not None:
        po_lines = {
            pl.item_id: pl
            for pl in session.scalars(
                select(PurchaseOrderLine).where(PurchaseOrderLine.purchase_order_id == po.id)
            )
        }
    supplier_location = virtual_location_id(session, LocationKind.SUPPLIER)
    reference = receipt.number + (f" {po.number}" if po else "")
    posted: list[PostedLine] = []
    labels: list[LabelOffer] = []
    value = ZERO
    for line in view.lines:
        if line.received == 0:
            continue
        po_line = po_lines.get(line.item_id)
        cost = (
            po_line.unit_price
            if po_line is not None
            else _blind_cost(session, receipt.supplier_id, line.item_id)
        )
        for allocation in line.allocations:
            lot_id = None
            lot_code = allocation.lot
            if lot_code is None and allocation.expiry is not None:
                # An item with a shelf life but no lot tracking keeps its expiry on a lot
                # named by the date, so first-expiry-first-out still sees it.
                lot_code = allocation.expiry.isoformat()
            if lot_code is not None:
                lot_id = get_or_create_lot(session, line.item_id, lot_code, allocation.expiry).id
            move = ledger.post_move(
                session,
                item_id=line.item_id,
                quantity=allocation.quantity,
                from_location_id=supplier_location,
                to_location_id=allocation.bin_id,
                kind=MoveKind.RECEIPT,
                user_id=user_id,
                lot_id=lot_id,
                unit_cost=cost,
                reference=reference,
            )
            value += allocation.quantity * move.unit_cost
            posted.append(
                PostedLine(
                    move_id=move.id,
                    item_id=line.item_id,
                    sku=line.sku,
                    name=line.name,
                    unit=line.unit,
                    quantity=allocation.quantity,
                    lot=lot_code,
                    expiry=allocation.expiry,
                    bin_id=allocation.bin_id,
                    bin_code=allocation.bin_code,
                    unit_cost=move.unit_cost,
                )
            )
            labels.append(
                LabelOffer(line.item_id, line.sku, allocation.quantity, lot_code, allocation.expiry)
            )
        if po_line is not None:
            po_line.received_qty = po_line.received_qty + line.received
    if po is not None:
        lines = list(po_lines.values())
        if all(pl.received_qty >= pl.quantity for pl in lines):
            po.status = PurchaseOrderStatus.RECEIVED
        elif any(pl.received_qty > 0 for pl in lines):
            po.status = PurchaseOrderStatus.PARTLY_RECEIVED
    receipt.status = ReceiptStatus.POSTED
    receipt.posted_at = utcnow()
    receipt.posted_by = user_id
    session.flush()
    record_audit(
        session,
        user_id,
        "post",
        "receipt",
        receipt.id,
        {"number": receipt.number, "po": po.number if po else None, "moves": len(posted)},
    )
    # What arrived goes to waiting customer backorders at once, oldest order first.
    allocated = allocate_backorders(session, {line.item_id for line in posted}, user_id)
    after = _view(session, receipt)
    backorder = tuple(line for line in after.lines if line.on_order and line.outstanding > 0)
    message = ngettext(
        "Receipt {number} posted: {n} move.", "Receipt {number} posted: {n} moves.", len(posted)
    ).format(number=receipt.number, n=len(posted))
    if allocated:
        message += " " + allocation_message(allocated, {line.item_id: line.unit for line in posted})
    if po is not None:
        message += " " + _("Order {po} is now {status}.").format(
            po=po.number, status=status_label(po.status).lower()
        )
    return ReceiptPosted(
        receipt_id=ReceiptId(receipt.id),
        number=receipt.number,
        po_id=po.id if po else None,
        po_number=po.number if po else "",
        po_status=po.status if po else None,
        lines=tuple(posted),
        labels=tuple(labels),
        backorder=backorder,
        value=round_money(value),
        message=message,
    )


# --- the goods-received note ---------------------------------------------------------------


def grn_pdf_data(session: Session, receipt_id: int) -> GoodsReceivedPdf:
    """Everything the goods-received note of a posted receipt shows, as plain data."""
    from app.reports.goods_received import (
        GoodsReceivedPdf,
        GoodsReceivedPdfLine,
        OrderProgressPdfLine,
    )

    receipt = _load(session, receipt_id)
    if receipt.status is not ReceiptStatus.POSTED or receipt.posted_at is None:
        raise ValidationError(
            _(
                "Receipt {number} is not posted yet; the goods-received note is made when "
                "it is posted."
            ).format(number=receipt.number)
        )
    view = _view(session, receipt)
    supplier = session.get(Supplier, receipt.supplier_id)
    assert supplier is not None
    lines = tuple(
        GoodsReceivedPdfLine(
            sku=line.sku,
            name=line.name,
            lot=allocation.lot or (allocation.expiry.isoformat() if allocation.expiry else ""),
            expiry=allocation.expiry,
            bin_code=allocation.bin_code,
            quantity=allocation.quantity,
            unit=line.unit,
        )
        for line in view.lines
        for allocation in line.allocations
    )
    order_lines = tuple(
        OrderProgressPdfLine(
            sku=line.sku,
            name=line.name,
            unit=line.unit,
            ordered=line.ordered,
            received_before=line.received_before,
            received_now=line.received,
            outstanding=line.outstanding,
        )
        for line in view.lines
        if line.ordered is not None
    )
    return GoodsReceivedPdf(
        number=receipt.number,
        po_number=view.po_number,
        company=company_party(session),
        supplier=Party(supplier.name, supplier.address, supplier.email),
        supplier_code=supplier.code,
        received_by=view.posted_by,
        posted_at=receipt.posted_at,
        lines=lines,
        order_lines=order_lines,
    )


def goods_received_pdf(session: Session, receipt_id: int) -> bytes:
    """The goods-received note of a posted receipt as PDF bytes."""
    from app.reports.goods_received import render_goods_received

    return render_goods_received(grn_pdf_data(session, receipt_id))
