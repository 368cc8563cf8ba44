"""Stock counts: cycle counts by ABC class, ad hoc counts, stock-takes; counting by scanning,
review of variances, approval that posts the adjustments.

A count starts with a snapshot of the system's stock in its scope (one line per bin,
item and lot). Counters scan a bin label, then what is in it: each scan adds one (a
carton code its pack, a GS1 code its count and lot); a typed or imported figure *sets*
the counter's own count of that line. Every accepted entry is one row of an append-only
log (``stock_count_event``) written in the caller's transaction, so a scan is on disk
once the screen says so, and the log shows who counted what and when. Two counters of
the same line add up; one never overwrites the other (a typed figure replaces only the
typist's own earlier entries). An item found where the system expected none gets a new
line: it is counted, never rejected.

**Moves during a count.** The warehouse keeps working. Every counted entry records the
system quantity of its line (bin, item, lot) at the moment it was written; the variance
of a line is its counted quantity minus the system quantity recorded with the line's
latest counted entry (of the current round). A receipt or pick posted between the
snapshot and the count is thus in both figures and makes no false variance; one posted
after the line's last entry is in neither (see ``variance_rule_text``).

**Blind.** A count is blind by default: views for staff carry no expected quantity,
system quantity or variance (``CountView.shows_expected``); managers and admins see them.

**Review and approval.** After ``finish_count`` every line has a variance in quantity and
in value (at the item's current unit cost). A line whose variance exceeds the tolerance
percentage of the system quantity *or* the tolerance value (settings
``count_tolerance_percent``, default 5, and ``count_tolerance_value``, default 500 in
the company currency) needs a manager's approval or a recount. Lines within tolerance
may be approved by any user (the one who closes the count, usually); lines beyond it
only by a manager or admin, and the service refuses a staff user who tries. Approval
posts one ADJUSTMENT move per line with a variance, to or from the count-difference
location, referenced by the count number; nothing is posted before. Every approval and
recount is in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple, NewType, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from app.i18n import N_, _, format_number, ngettext
from app.models import (
    CountEventKind,
    CountKind,
    CountLineStatus,
    CountStatus,
    Item,
    Location,
    LocationKind,
    Lot,
    MoveKind,
    StockCount,
    StockCountEvent,
    StockCountItem,
    StockCountLine,
    StockLevel,
    StockMove,
    User,
    utcnow,
)
from app.reports.values import round_money
from app.services import ledger
from app.services.actors import Actor, load_actor
from app.services.count_plan import ACTIVE, PLAN_DEFAULTS, UNCLASSIFIED, due_state
from app.services.count_plan import FREQUENCY_SETTINGS as FREQUENCY_SETTINGS
from app.services.count_plan import PLAN_START_SETTING as PLAN_START_SETTING
from app.services.count_plan import WORKING_DAYS_SETTING as WORKING_DAYS_SETTING
from app.services.count_plan import DueSummary as DueSummary
from app.services.count_plan import chunks as _chunks
from app.services.count_plan import count_frequencies as count_frequencies
from app.services.count_plan import count_plan_start as count_plan_start
from app.services.count_plan import count_weekdays as count_weekdays
from app.services.count_plan import due_summary as due_summary
from app.services.errors import (
    HyllaError,
    ImportFileError,
    NotAllowedError,
    NotFoundError,
    StockError,
    ValidationError,
)
from app.services.locations import virtual_location_id
from app.services.lots import get_or_create_lot
from app.services.numbering import next_number
from app.services.parsing import parse_decimal
from app.services.purchase_orders import company_party
from app.services.scanning import resolve_scan
from app.services.settings import get_setting
from app.services.users import UserId, record_audit

if TYPE_CHECKING:
    # The PDF modules import reportlab: loaded when a PDF is first made, not at start.
    from app.reports.count_sheet import CountSheetPdf
    from app.reports.variance_report import VarianceReportPdf

CountId = NewType("CountId", int)
CountLineId = NewType("CountLineId", int)

ZERO = Decimal(0)


class CountScanStatus(enum.StrEnum):
    """What became of a scan, typed count, bin choice or undo."""

    BIN = "bin"  # saved: the counter is now in this bin
    ADDED = "added"  # saved: +quantity on a line
    SET = "set"  # saved: the counter's count of a line is now the typed quantity
    UNDONE = "undone"  # saved: the counter's last entry was undone
    NEEDS_BIN = "needs_bin"  # nothing saved: scan a bin label first
    NEEDS_LOT = "needs_lot"  # nothing saved: give the lot (complete_scan)
    OUT_OF_SCOPE = "out_of_scope"  # nothing saved: the bin or item is not in this count
    NOT_RECOUNT = "not_recount"  # nothing saved: in review, only recount lines are counted
    UNKNOWN = "unknown"  # nothing saved: the code is not linked to an item
    INVALID = "invalid"  # nothing saved: the code cannot be read, or the item is unusable


SAVED = frozenset(
    {CountScanStatus.BIN, CountScanStatus.ADDED, CountScanStatus.SET, CountScanStatus.UNDONE}
)


@dataclass(frozen=True)
class Tolerance:
    """When a variance needs a manager: beyond ``percent`` of the system quantity or
    beyond ``value`` (in ``currency``); within both, anyone may approve it."""

    percent: Decimal
    value: Decimal
    currency: str


@dataclass(frozen=True)
class Contribution:
    """What one counter counted of a line in the current round."""

    user_id: int
    user: str
    quantity: Decimal


@dataclass(frozen=True)
class CountLineView:
    """One bin × item × lot of a count, as the counting and review screens show it.

    ``counted`` is None until someone counts the line in the current round.
    ``expected`` (the snapshot), ``system_at_count`` (the system quantity when the line
    was last counted), ``variance``, ``variance_value`` and ``unit_cost`` are None when
    the viewer may not see them (a blind count viewed by staff) or, for the last four,
    before the line is counted. ``beyond_tolerance`` is None until counted.
    """

    id: CountLineId
    bin_id: int
    bin_code: str
    item_id: int
    sku: str
    name: str
    unit: str
    category: str
    abc_class: str | None
    lot: str | None
    expiry: dt.date | None
    unexpected: bool
    status: CountLineStatus
    status_text: str
    round: int
    assigned_to_id: int | None
    assigned_to: str
    counted: Decimal | None
    contributions: tuple[Contribution, ...]
    counted_at: dt.datetime | None
    expected: Decimal | None
    system_at_count: Decimal | None
    variance: Decimal | None
    unit_cost: Decimal | None
    variance_value: Decimal | None
    beyond_tolerance: bool | None
    approved_by: str
    approved_at: dt.datetime | None
    move_id: int | None
    previous_counters: tuple[str, ...]

    @property
    def is_counted(self) -> bool:
        """True when the line has a count in its current round."""
        return self.counted is not None

    @property
    def needs_manager(self) -> bool:
        """True when only a manager may approve the line (counted, beyond tolerance)."""
        return bool(self.beyond_tolerance) and self.status in (
            CountLineStatus.OPEN,
            CountLineStatus.RECOUNT,
        )

    @property
    def decided(self) -> bool:
        """True once approved (posted) or skipped."""
        return self.status in (CountLineStatus.APPROVED, CountLineStatus.SKIPPED)


@dataclass(frozen=True)
class BinProgress:
    """A bin of the count: how many of its lines are counted, whether someone closed it."""

    bin_id: int
    bin_code: str
    lines: int
    counted: int
    closed: bool


@dataclass(frozen=True)
class CountView:
    """Everything the counting and review screens show of one count, for one viewer.

    ``shows_expected`` says whether this viewer sees expected quantities and variances
    (False for staff on a blind count). ``current_bin_*`` is the viewer's own bin.
    Totals are over the lines the viewer may see figures of (zero when hidden).
    """

    id: CountId
    number: str
    kind: CountKind
    kind_text: str
    scope: str
    title: str
    blind: bool
    status: CountStatus
    status_text: str
    note: str
    planned_for: dt.date | None
    created_at: dt.datetime
    created_by: str
    finished_at: dt.datetime | None
    finished_by: str
    shows_expected: bool
    viewer_id: int
    viewer_is_manager: bool
    current_bin_id: int | None
    current_bin_code: str
    tolerance: Tolerance
    lines: tuple[CountLineView, ...]
    bins: tuple[BinProgress, ...]
    last_message: str
    can_undo: bool
    variance_value_total: Decimal
    rule_text: str

    @property
    def is_counting(self) -> bool:
        """True while counters can scan freely."""
        return self.status is CountStatus.COUNTING

    @property
    def in_review(self) -> bool:
        """True once counting is finished and lines are being decided."""
        return self.status is CountStatus.REVIEW

    @property
    def counted_lines(self) -> int:
        """Lines with a count in their current round."""
        return sum(1 for line in self.lines if line.is_counted)

    @property
    def uncounted_lines(self) -> int:
        """Open lines nobody has counted yet (in their current round)."""
        return sum(1 for line in self.lines if not line.is_counted and not line.decided)

    @property
    def lines_beyond_tolerance(self) -> int:
        """Undecided counted lines that need a manager (or a recount)."""
        return sum(1 for line in self.lines if line.needs_manager)


@dataclass(frozen=True)
class PendingCountScan:
    """A scan or typed count that waits for the lot or the bin; give it back to
    ``complete_scan`` with the answer. ``sets``: a typed count (sets), not a scan (adds)."""

    item_id: int
    quantity: Decimal
    bin_id: int | None
    text: str = ""
    lot: str | None = None
    expiry: dt.date | None = None
    sets: bool = False


@dataclass(frozen=True)
class CountScanOutcome:
    """What a scan, typed count or undo did, with the count as it now is.

    ``message`` is one line for the counter (never an expected quantity on a blind count
    for staff). Statuses in ``SAVED`` were written with the caller's transaction.
    ``counted`` is the line's counted total after the entry; ``mine`` the counter's own
    part of it. ``lot_choices`` lists the lots the system has of the item in the bin,
    for a NEEDS_LOT answer.
    """

    status: CountScanStatus
    message: str
    count: CountView
    item_id: int | None = None
    sku: str = ""
    name: str = ""
    unit: str = ""
    quantity: Decimal | None = None
    lot: str | None = None
    bin_id: int | None = None
    bin_code: str = ""
    line_id: CountLineId | None = None
    counted: Decimal | None = None
    mine: Decimal | None = None
    unexpected: bool = False
    problem: str | None = None
    pending: PendingCountScan | None = None
    lot_choices: tuple[str, ...] = ()
    event_id: int | None = None

    @property
    def saved(self) -> bool:
        """True when the entry changed the count (and is on disk once committed)."""
        return self.status in SAVED


@dataclass(frozen=True)
class UncountedLine:
    """An expected line of a bin that nobody has counted: confirm it as zero, or count it.

    No quantity: the counter must not learn the expected figure of a blind count.
    """

    line_id: CountLineId
    sku: str
    name: str
    unit: str
    lot: str | None


@dataclass(frozen=True)
class BinClosed:
    """What ``close_bin`` found: the expected lines of the bin not counted yet."""

    bin_id: int
    bin_code: str
    unscanned: tuple[UncountedLine, ...]
    message: str
    count: CountView


@dataclass(frozen=True)
class CountEntry:
    """One row of an imported or typed-in count sheet: a bin, an item, a lot, a quantity."""

    bin_code: str
    sku: str
    quantity: Decimal | str | int
    lot: str | None = None


@dataclass(frozen=True)
class CountsImported:
    """What ``import_counts`` set: how many lines, and the count after."""

    lines: int
    message: str
    count: CountView


@dataclass(frozen=True)
class RecountRequested:
    """Lines sent for recount: to whom, and a warning if it is the same person again."""

    line_ids: tuple[CountLineId, ...]
    assigned_to: str
    message: str
    warning: str
    count: CountView


@dataclass(frozen=True)
class PostedAdjustment:
    """One approved line and the adjustment move it posted (None: no variance)."""

    line_id: CountLineId
    bin_code: str
    sku: str
    name: str
    unit: str
    lot: str | None
    variance: Decimal
    unit_cost: Decimal
    value: Decimal
    move_id: int | None


@dataclass(frozen=True)
class CountApproved:
    """What ``approve_count`` did: the lines approved, their moves, the count after."""

    count_id: CountId
    number: str
    adjustments: tuple[PostedAdjustment, ...]
    value: Decimal
    message: str
    count: CountView


@dataclass(frozen=True)
class CountSummary:
    """A count as lists show it."""

    id: CountId
    number: str
    kind: CountKind
    kind_text: str
    scope: str
    title: str
    blind: bool
    status: CountStatus
    status_text: str
    planned_for: dt.date | None
    created_at: dt.datetime
    created_by: str
    lines: int
    counted: int
    beyond_tolerance: int


@dataclass(frozen=True)
class DueItem:
    """An item the cycle plan wants counted: its latest planned day and whether it is late."""

    item_id: int
    sku: str
    name: str
    abc_class: str
    planned_on: dt.date
    overdue: bool
    last_counted: dt.date | None


@dataclass(frozen=True)
class DueCounts:
    """Today's cycle counts: the items due (overdue ones too) and open cycle counts."""

    today: dt.date
    is_working_day: bool
    items: tuple[DueItem, ...]
    due_today: int
    overdue: int
    open_cycle_counts: tuple[CountSummary, ...]
    message: str


@dataclass(frozen=True)
class AccuracyCell:
    """Counted lines within tolerance out of all counted lines, and the share (percent)."""

    lines: int
    within: int

    @property
    def percent(self) -> Decimal | None:
        """Share within tolerance in percent (one decimal), None with no lines."""
        if not self.lines:
            return None
        return (Decimal(100) * self.within / self.lines).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class AccuracyMonth:
    """Inventory accuracy of one calendar month: overall and per ABC class."""

    month: dt.date
    total: AccuracyCell
    by_class: dict[str, AccuracyCell]


@dataclass(frozen=True)
class InventoryAccuracy:
    """Share of approved count lines within tolerance, per month and per ABC class."""

    months: tuple[AccuracyMonth, ...]
    by_class: dict[str, AccuracyCell]
    total: AccuracyCell
    tolerance: Tolerance


def variance_rule_text() -> str:
    """The rule by which variances are measured, in the user's language (for the review)."""
    return _(
        "Variance = counted quantity minus the system quantity at the moment the line was "
        "counted (its latest count entry), not at the start of the count. Receipts and "
        "picks posted while counting therefore make no false variance. A line beyond the "
        "tolerance needs a manager's approval or a recount."
    )


# --- settings, labels, users ------------------------------------------------------------------

NUMBER_PREFIX = "CC-"
COUNT_NUMBER_LOCK = 4_201_005
TOLERANCE_PERCENT_SETTING = "count_tolerance_percent"
TOLERANCE_VALUE_SETTING = "count_tolerance_value"
# Defaults of the count settings (the Settings page stores overrides under these keys).
COUNT_DEFAULTS = {
    TOLERANCE_PERCENT_SETTING: "5",
    TOLERANCE_VALUE_SETTING: "500",
    **PLAN_DEFAULTS,
}
ITEM_SCOPED = (CountKind.CYCLE, CountKind.ITEM, CountKind.CATEGORY)
DECIDED = (CountLineStatus.APPROVED, CountLineStatus.SKIPPED)
_NUMBER_PATTERN = re.compile(r"^(?:CC-?)?(\d{1,9})$", re.IGNORECASE)

KIND_LABELS = {
    CountKind.CYCLE: N_("Cycle count"),
    CountKind.BIN: N_("Bin"),
    CountKind.AISLE: N_("Aisle"),
    CountKind.ITEM: N_("Item"),
    CountKind.CATEGORY: N_("Category"),
    CountKind.FULL: N_("Stock-take"),
}
STATUS_LABELS = {
    CountStatus.COUNTING: N_("Counting"),
    CountStatus.REVIEW: N_("In review"),
    CountStatus.DONE: N_("Done"),
    CountStatus.CANCELLED: N_("Cancelled"),
}
LINE_STATUS_LABELS = {
    CountLineStatus.OPEN: N_("Pending"),
    CountLineStatus.RECOUNT: N_("Recount"),
    CountLineStatus.APPROVED: N_("Approved"),
    CountLineStatus.SKIPPED: N_("Skipped"),
}


def count_kind_label(kind: CountKind) -> str:
    """What a kind of count is called."""
    return _(KIND_LABELS[kind])


def count_status_label(status: CountStatus) -> str:
    """A count's status as people read it."""
    return _(STATUS_LABELS[status])


def line_status_label(status: CountLineStatus) -> str:
    """A count line's status as people read it."""
    return _(LINE_STATUS_LABELS[status])


def _setting(session: Session, key: str) -> str:
    return get_setting(session, key).strip() or COUNT_DEFAULTS[key]


def _setting_number(session: Session, key: str, message: str) -> Decimal:
    raw = _setting(session, key)
    try:
        value = parse_decimal(raw, key)
    except ValidationError:
        value = Decimal(-1)
    if value < 0:
        raise ValidationError(message.format(value=raw), field=key)
    return value


def count_tolerance(session: Session) -> Tolerance:
    """The tolerance in force (settings ``count_tolerance_percent`` and ``_value``)."""
    percent = _setting_number(
        session,
        TOLERANCE_PERCENT_SETTING,
        _(
            "The count tolerance setting “{value}” is not a percentage. "
            "Set it to a number such as 5 in Settings."
        ),
    )
    value = _setting_number(
        session,
        TOLERANCE_VALUE_SETTING,
        _(
            "The count tolerance value setting “{value}” is not an amount. "
            "Set it to a number such as 500 in Settings."
        ),
    )
    return Tolerance(percent=percent, value=value, currency=get_setting(session, "currency"))


def _user(session: Session, user_id: int) -> Actor:
    """The user as the database knows them now (the role is never taken from the caller);
    an inactive one can neither count nor approve."""
    return load_actor(
        session, user_id, inactive=_("User {name} is inactive and cannot count or approve.")
    )


def _user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {
        user_id: display or username
        for user_id, display, username in session.execute(
            select(User.id, User.display_name, User.username).where(User.id.in_(wanted))
        ).tuples()
    }


def _qty(value: Decimal) -> str:
    return format_number(value)


# --- the log and the lines --------------------------------------------------------------------

event_t = cast(Table, StockCountEvent.__table__)
line_t = cast(Table, StockCountLine.__table__)


class _Event(NamedTuple):
    """A row of a count's log, as a plain tuple (views fold these every time)."""

    id: int
    kind: CountEventKind
    line_id: int | None
    bin_id: int | None
    quantity: Decimal | None
    system_qty: Decimal | None
    round: int | None
    assigned_to: int | None
    undoes_event_id: int | None
    user_id: int
    at: dt.datetime


_EVENT_COLUMNS = (
    event_t.c.id,
    event_t.c.kind,
    event_t.c.line_id,
    event_t.c.bin_id,
    event_t.c.quantity,
    event_t.c.system_qty,
    event_t.c.round,
    event_t.c.assigned_to,
    event_t.c.undoes_event_id,
    event_t.c.user_id,
    event_t.c.at,
)


def _events(session: Session, count_id: int) -> list[_Event]:
    rows = session.execute(
        select(*_EVENT_COLUMNS).where(event_t.c.count_id == count_id).order_by(event_t.c.id)
    ).tuples()
    return [_Event(*row) for row in rows]


def _append(
    session: Session, count_id: int, user_id: int, kind: CountEventKind, **values: Any
) -> _Event:
    """Write one log row (a single INSERT) and return it as read back."""
    row: dict[str, Any] = {
        "count_id": count_id,
        "kind": kind,
        "line_id": None,
        "bin_id": None,
        "quantity": None,
        "system_qty": None,
        "round": None,
        "scanned_text": "",
        "assigned_to": None,
        "undoes_event_id": None,
        "user_id": user_id,
        "at": utcnow(),
        **values,
    }
    row["scanned_text"] = str(row["scanned_text"])[:200]
    event_id = session.execute(insert(event_t).returning(event_t.c.id), row).scalar_one()
    return _Event(
        event_id,
        kind,
        row["line_id"],
        row["bin_id"],
        row["quantity"],
        row["system_qty"],
        row["round"],
        row["assigned_to"],
        row["undoes_event_id"],
        user_id,
        row["at"],
    )


@dataclass
class _LineFold:
    """A line's counts in its current round."""

    round: int = 1
    contributions: dict[int, Decimal] = field(default_factory=dict)
    last_entry: _Event | None = None
    previous_counters: set[int] = field(default_factory=set)

    @property
    def counted(self) -> Decimal | None:
        if not self.contributions:
            return None
        return sum(self.contributions.values(), ZERO)


@dataclass
class _Fold:
    """The live content of a count's log."""

    lines: dict[int, _LineFold] = field(default_factory=dict)
    current_bin: dict[int, int | None] = field(default_factory=dict)
    closed_bins: set[int] = field(default_factory=set)
    # Per user, the live entries they could undo, oldest first.
    undoable: dict[int, list[_Event]] = field(default_factory=dict)

    def line(self, line_id: int) -> _LineFold:
        return self.lines.get(line_id) or _LineFold()


def _fold(events: Sequence[_Event]) -> _Fold:
    undone = {e.undoes_event_id for e in events if e.kind is CountEventKind.UNDO}
    fold = _Fold()
    for event in events:
        if event.kind is CountEventKind.UNDO or event.id in undone:
            continue
        if event.kind is CountEventKind.BIN:
            fold.current_bin[event.user_id] = event.bin_id
            # Scanning a closed bin's label opens it again (to count what was missed):
            # it is closed once more when its counter closes it.
            fold.closed_bins.discard(cast(int, event.bin_id))
            fold.undoable.setdefault(event.user_id, []).append(event)
        elif event.kind is CountEventKind.CLOSE:
            assert event.bin_id is not None
            fold.closed_bins.add(event.bin_id)
            if fold.current_bin.get(event.user_id) == event.bin_id:
                fold.current_bin[event.user_id] = None
        elif event.kind is CountEventKind.RECOUNT:
            assert event.line_id is not None and event.round is not None
            line = fold.lines.setdefault(event.line_id, _LineFold())
            line.previous_counters |= set(line.contributions)
            line.round = event.round
            line.contributions = {}
            line.last_entry = None
        else:
            assert event.line_id is not None and event.quantity is not None
            line = fold.lines.setdefault(event.line_id, _LineFold())
            if event.round != line.round:
                continue
            if event.kind is CountEventKind.ADD:
                line.contributions[event.user_id] = (
                    line.contributions.get(event.user_id, ZERO) + event.quantity
                )
            else:
                line.contributions[event.user_id] = event.quantity
            line.last_entry = event
            fold.undoable.setdefault(event.user_id, []).append(event)
    return fold


class _Line(NamedTuple):
    """A count line with what views need of its item, bin and lot."""

    id: int
    bin_id: int
    bin_code: str
    item_id: int
    sku: str
    name: str
    unit: str
    category: str
    lot_tracked: bool
    lot_code: str
    lot_id: int | None
    expiry: dt.date | None
    expected: Decimal
    unexpected: bool
    abc_class: str | None
    status: CountLineStatus
    round: int
    assigned_to: int | None
    counted: Decimal | None
    system_qty: Decimal | None
    variance: Decimal | None
    unit_cost: Decimal | None
    within_tolerance: bool | None
    counted_at: dt.datetime | None
    approved_by: int | None
    approved_at: dt.datetime | None
    move_id: int | None

    @property
    def decided(self) -> bool:
        return self.status in DECIDED


_LINE_COLUMNS = (
    line_t.c.id,
    line_t.c.bin_id,
    Location.code,
    line_t.c.item_id,
    Item.sku,
    Item.name,
    Item.unit,
    Item.category,
    Item.lot_tracked,
    line_t.c.lot_code,
    line_t.c.lot_id,
    Lot.expiry,
    line_t.c.expected,
    line_t.c.unexpected,
    line_t.c.abc_class,
    line_t.c.status,
    line_t.c.round,
    line_t.c.assigned_to,
    line_t.c.counted,
    line_t.c.system_qty,
    line_t.c.variance,
    line_t.c.unit_cost,
    line_t.c.within_tolerance,
    line_t.c.counted_at,
    line_t.c.approved_by,
    line_t.c.approved_at,
    line_t.c.move_id,
)


def _lines(session: Session, count_id: int) -> list[_Line]:
    """The count's lines in bin order (then SKU, then lot)."""
    rows = session.execute(
        select(*_LINE_COLUMNS)
        .join(Location, Location.id == line_t.c.bin_id)
        .join(Item, Item.id == line_t.c.item_id)
        .outerjoin(Lot, Lot.id == line_t.c.lot_id)
        .where(line_t.c.count_id == count_id)
        .order_by(Location.code, Item.sku, line_t.c.lot_code)
    ).tuples()
    return [_Line(*row) for row in rows]


def _is_ghost(line: _Line, fold: _Fold) -> bool:
    """A line added by a scan that was undone: nothing expected, nothing counted."""
    return (
        line.unexpected
        and line.status is CountLineStatus.OPEN
        and fold.line(line.id).counted is None
    )


def _system_qty(session: Session, item_id: int, bin_id: int, lot_id: int | None) -> Decimal:
    """The system's on-hand of the item (and lot) in the bin now."""
    value = session.scalar(
        select(StockLevel.quantity).where(
            StockLevel.item_id == item_id,
            StockLevel.location_id == bin_id,
            StockLevel.lot_key == (lot_id or 0),
        )
    )
    return value if value is not None else ZERO


def _unit_costs(session: Session, item_ids: Iterable[int]) -> dict[int, Decimal]:
    """Each item's current unit cost, as ``ledger.current_unit_cost`` values it."""
    return {item_id: ledger.current_unit_cost(session, item_id) for item_id in set(item_ids)}


@dataclass(frozen=True)
class _Figures:
    counted: Decimal | None
    counted_at: dt.datetime | None
    system: Decimal | None
    variance: Decimal | None
    unit_cost: Decimal | None
    value: Decimal | None
    beyond: bool | None


_NO_FIGURES = _Figures(None, None, None, None, None, None, None)


def _beyond(variance: Decimal, system: Decimal, value: Decimal, tolerance: Tolerance) -> bool:
    """True when the variance exceeds the tolerance percentage of the system quantity or
    the tolerance value. Any variance against a system quantity of 0 is beyond."""
    if variance == 0:
        return False
    if system == 0:
        return True
    return abs(variance) * 100 > tolerance.percent * abs(system) or abs(value) > tolerance.value


def _figures(line: _Line, fold: _Fold, costs: dict[int, Decimal], tolerance: Tolerance) -> _Figures:
    if line.status is CountLineStatus.APPROVED:
        assert line.variance is not None and line.unit_cost is not None
        return _Figures(
            counted=line.counted,
            counted_at=line.counted_at,
            system=line.system_qty,
            variance=line.variance,
            unit_cost=line.unit_cost,
            value=round_money(line.variance * line.unit_cost),
            beyond=not line.within_tolerance,
        )
    if line.status is CountLineStatus.SKIPPED:
        return _NO_FIGURES
    counts = fold.line(line.id)
    counted = counts.counted
    if counted is None or counts.last_entry is None:
        return _NO_FIGURES
    system = counts.last_entry.system_qty
    assert system is not None
    variance = counted - system
    cost = costs.get(line.item_id)
    value = round_money(variance * cost) if cost is not None else None
    beyond = _beyond(variance, system, value, tolerance) if value is not None else None
    return _Figures(counted, counts.last_entry.at, system, variance, cost, value, beyond)


# --- loading, scope, views --------------------------------------------------------------------


def _load(session: Session, count_id: int, *, lock: bool = False) -> StockCount:
    count = session.get(StockCount, count_id, with_for_update=lock or None)
    if count is None:
        raise NotFoundError(_("Count {id} does not exist.").format(id=count_id))
    return count


def _require_active(count: StockCount) -> None:
    if count.status is CountStatus.DONE:
        raise ValidationError(
            _(
                "Count {number} is done: every line is decided. Start a new count to count again."
            ).format(number=count.number)
        )
    if count.status is CountStatus.CANCELLED:
        raise ValidationError(
            _("Count {number} was cancelled. Start a new count.").format(number=count.number)
        )


def _title(count: StockCount) -> str:
    if count.kind is CountKind.CYCLE:
        when = count.planned_for.isoformat() if count.planned_for else ""
        return _("Cycle count {date}").format(date=when).strip()
    if count.kind is CountKind.FULL:
        return _("Stock-take of the whole warehouse")
    return f"{count_kind_label(count.kind)} {count.scope}"


def _bin_in_scope(count: StockCount, code: str) -> bool:
    if count.kind is CountKind.BIN:
        return code.upper() == count.scope.upper()
    if count.kind is CountKind.AISLE:
        return code.upper().startswith(count.scope.upper())
    return True


def _scope_items(session: Session, count: StockCount) -> set[int] | None:
    """The items an item-based count covers; None when it covers every item."""
    if count.kind not in ITEM_SCOPED:
        return None
    return set(
        session.scalars(
            select(StockCountItem.item_id).where(StockCountItem.count_id == count.id)
        ).all()
    )


def _scope_bins(session: Session, count: StockCount) -> dict[int, str]:
    """The bins a location-based count covers (active ones), id → code; empty otherwise."""
    if count.kind in ITEM_SCOPED:
        return {}
    query = select(Location.id, Location.code).where(
        Location.kind == LocationKind.INTERNAL, Location.active.is_(True)
    )
    if count.kind is CountKind.BIN:
        query = query.where(Location.code == count.scope)
    elif count.kind is CountKind.AISLE:
        query = query.where(Location.code.startswith(count.scope, autoescape=True))
    return dict(session.execute(query).tuples().all())


def _single_bin(session: Session, count: StockCount) -> int | None:
    if count.kind is not CountKind.BIN:
        return None
    return session.scalar(select(Location.id).where(Location.code == count.scope))


def _shows_expected(count: StockCount, viewer: Actor) -> bool:
    return not count.blind or viewer.manager


def _view(
    session: Session,
    count: StockCount,
    viewer: Actor,
    *,
    lines: list[_Line] | None = None,
    fold: _Fold | None = None,
    message: str = "",
) -> CountView:
    if lines is None:
        lines = _lines(session, count.id)
    if fold is None:
        fold = _fold(_events(session, count.id))
    shows = _shows_expected(count, viewer)
    tolerance = count_tolerance(session)
    # Costs are read only when someone will see a value or a tolerance flag.
    need_costs = shows or count.status is not CountStatus.COUNTING
    costs = (
        _unit_costs(session, (line.item_id for line in lines if not line.decided))
        if need_costs
        else {}
    )
    visible = [line for line in lines if not _is_ghost(line, fold)]
    user_ids: set[int | None] = {count.created_by, count.finished_by}
    for line in visible:
        counts = fold.line(line.id)
        user_ids |= set(counts.contributions) | counts.previous_counters
        user_ids |= {line.assigned_to, line.approved_by}
    names = _user_names(session, user_ids)
    views: list[CountLineView] = []
    total_value = ZERO
    for line in visible:
        counts = fold.line(line.id)
        figures = _figures(line, fold, costs, tolerance)
        if shows and figures.value is not None:
            total_value += figures.value
        beyond = figures.beyond if (shows or count.status is not CountStatus.COUNTING) else None
        views.append(
            CountLineView(
                id=CountLineId(line.id),
                bin_id=line.bin_id,
                bin_code=line.bin_code,
                item_id=line.item_id,
                sku=line.sku,
                name=line.name,
                unit=line.unit,
                category=line.category,
                abc_class=line.abc_class,
                lot=line.lot_code or None,
                expiry=line.expiry,
                unexpected=line.unexpected,
                status=line.status,
                status_text=line_status_label(line.status),
                round=line.round,
                assigned_to_id=line.assigned_to,
                assigned_to=names.get(line.assigned_to or 0, ""),
                counted=figures.counted,
                contributions=tuple(
                    Contribution(user_id, names.get(user_id, "?"), quantity)
                    for user_id, quantity in counts.contributions.items()
                ),
                counted_at=figures.counted_at,
                expected=line.expected if shows else None,
                system_at_count=figures.system if shows else None,
                variance=figures.variance if shows else None,
                unit_cost=figures.unit_cost if shows else None,
                variance_value=figures.value if shows else None,
                beyond_tolerance=beyond,
                approved_by=names.get(line.approved_by or 0, ""),
                approved_at=line.approved_at,
                move_id=line.move_id,
                previous_counters=tuple(
                    sorted(names.get(user_id, "?") for user_id in counts.previous_counters)
                ),
            )
        )
    bins: dict[int, str] = _scope_bins(session, count)
    bins.update({line.bin_id: line.bin_code for line in visible})
    progress = []
    for bin_id, code in sorted(bins.items(), key=lambda pair: pair[1]):
        its = [v for v in views if v.bin_id == bin_id and v.status is not CountLineStatus.SKIPPED]
        progress.append(
            BinProgress(
                bin_id=bin_id,
                bin_code=code,
                lines=len(its),
                counted=sum(1 for v in its if v.is_counted),
                closed=bin_id in fold.closed_bins,
            )
        )
    current = fold.current_bin.get(viewer.id)
    if current is None and viewer.id not in fold.current_bin:
        current = _single_bin(session, count)
    current_code = ""
    if current is not None:
        current_code = bins.get(current) or (
            session.scalar(select(Location.code).where(Location.id == current)) or ""
        )
    return CountView(
        id=CountId(count.id),
        number=count.number,
        kind=count.kind,
        kind_text=count_kind_label(count.kind),
        scope=count.scope,
        title=_title(count),
        blind=count.blind,
        status=count.status,
        status_text=count_status_label(count.status),
        note=count.note,
        planned_for=count.planned_for,
        created_at=count.created_at,
        created_by=names.get(count.created_by, ""),
        finished_at=count.finished_at,
        finished_by=names.get(count.finished_by or 0, ""),
        shows_expected=shows,
        viewer_id=viewer.id,
        viewer_is_manager=viewer.manager,
        current_bin_id=current,
        current_bin_code=current_code,
        tolerance=tolerance,
        lines=tuple(views),
        bins=tuple(progress),
        last_message=message,
        can_undo=count.status in ACTIVE
        and _undo_target(count, fold, {line.id: line for line in lines}, viewer.id) is not None,
        variance_value_total=total_value,
        rule_text=variance_rule_text(),
    )


def _undo_target(
    count: StockCount, fold: _Fold, lines: dict[int, _Line], user_id: int
) -> _Event | None:
    """The user's latest entry that may still be undone."""
    for event in reversed(fold.undoable.get(user_id, [])):
        if event.kind is CountEventKind.BIN:
            return event if count.status is CountStatus.COUNTING else None
        assert event.line_id is not None
        line = lines.get(event.line_id)
        if line is None or line.decided or event.round != fold.line(line.id).round:
            continue
        if count.status is CountStatus.REVIEW and line.status is not CountLineStatus.RECOUNT:
            continue
        return event
    return None


# --- starting and listing counts --------------------------------------------------------------


def _create(
    session: Session,
    user: Actor,
    kind: CountKind,
    scope: str,
    *,
    blind: bool,
    note: str,
    planned_for: dt.date | None = None,
    items: Iterable[int] = (),
) -> StockCount:
    seq, number = next_number(session, StockCount.seq, NUMBER_PREFIX, COUNT_NUMBER_LOCK)
    count = StockCount(
        seq=seq,
        number=number,
        kind=kind,
        scope=scope,
        blind=blind,
        status=CountStatus.COUNTING,
        note=note,
        planned_for=planned_for,
        created_by=user.id,
        created_at=utcnow(),
    )
    session.add(count)
    session.flush()
    item_rows = [{"count_id": count.id, "item_id": item_id} for item_id in sorted(set(items))]
    if item_rows:
        session.execute(insert(cast(Table, StockCountItem.__table__)), item_rows)
    _snapshot(session, count)
    record_audit(
        session,
        UserId(user.id),
        "start",
        "stock_count",
        count.id,
        {"number": number, "kind": kind.value, "scope": scope, "blind": blind},
    )
    return count


def _snapshot(session: Session, count: StockCount) -> None:
    """One line per bin, item and lot the system holds (non-zero) in the count's scope."""
    query = (
        select(
            StockLevel.location_id,
            StockLevel.item_id,
            StockLevel.lot_id,
            Lot.code,
            StockLevel.quantity,
            Item.abc_class,
        )
        .join(Location, Location.id == StockLevel.location_id)
        .join(Item, Item.id == StockLevel.item_id)
        .outerjoin(Lot, Lot.id == StockLevel.lot_id)
        .where(Location.kind == LocationKind.INTERNAL, StockLevel.quantity != 0)
    )
    if count.kind is CountKind.BIN:
        query = query.where(Location.code == count.scope)
    elif count.kind is CountKind.AISLE:
        query = query.where(Location.code.startswith(count.scope, autoescape=True))
    elif count.kind in ITEM_SCOPED:
        query = query.where(
            StockLevel.item_id.in_(
                select(StockCountItem.item_id).where(StockCountItem.count_id == count.id)
            )
        )
    now = utcnow()
    rows = [
        {
            "count_id": count.id,
            "bin_id": bin_id,
            "item_id": item_id,
            "lot_code": lot_code or "",
            "lot_id": lot_id,
            "expected": quantity,
            "unexpected": False,
            "abc_class": abc_class,
            "status": CountLineStatus.OPEN,
            "round": 1,
            "created_at": now,
        }
        for bin_id, item_id, lot_id, lot_code, quantity, abc_class in session.execute(query)
    ]
    if rows:
        session.execute(insert(line_t), rows)


def _find_bin(session: Session, code: str) -> tuple[int, str] | None:
    row = session.execute(
        select(Location.id, Location.code).where(
            func.upper(Location.code) == code.strip().upper(),
            Location.kind == LocationKind.INTERNAL,
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


def start_count(
    session: Session,
    user_id: UserId,
    kind: CountKind,
    scope: str = "",
    *,
    blind: bool = True,
    note: str = "",
) -> CountView:
    """Start a count of ``scope`` (a bin code, an aisle prefix such as ``B-`` or ``B-03``,
    a SKU, a category; nothing for a full stock-take) and snapshot the system's stock
    in it. A cycle count is started with ``start_cycle_count``."""
    user = _user(session, user_id)
    scope = (scope or "").strip()
    note = (note or "").strip()[:500]
    items: list[int] = []
    if kind is CountKind.CYCLE:
        raise ValidationError(
            _("A cycle count counts the items due today: start it from the cycle plan."),
            field="kind",
        )
    if kind is CountKind.BIN:
        if not scope:
            raise ValidationError(_("Give the code of the bin to count."), field="scope")
        found = _find_bin(session, scope)
        if found is None:
            raise ValidationError(
                _("There is no bin {code}.").format(code=scope.upper()), field="scope"
            )
        scope = found[1]
    elif kind is CountKind.AISLE:
        scope = scope.upper()
        if not scope:
            raise ValidationError(
                _("Give the start of the bin codes to count, e.g. B- or B-03."), field="scope"
            )
        if (
            session.scalar(
                select(Location.id)
                .where(
                    Location.kind == LocationKind.INTERNAL,
                    Location.code.startswith(scope, autoescape=True),
                )
                .limit(1)
            )
            is None
        ):
            raise ValidationError(
                _("No bin code starts with {prefix}.").format(prefix=scope), field="scope"
            )
    elif kind in (CountKind.ITEM, CountKind.CATEGORY) and not scope:
        raise ValidationError(
            _("Give the SKU of the item to count.")
            if kind is CountKind.ITEM
            else _("Give the category to count."),
            field="scope",
        )
    elif kind is CountKind.ITEM:
        row = session.execute(
            select(Item.id, Item.sku).where(func.lower(Item.sku) == scope.lower())
        ).first()
        if row is None:
            raise ValidationError(
                _("There is no item with SKU {sku}.").format(sku=scope), field="scope"
            )
        items, scope = [row[0]], row[1]
    elif kind is CountKind.CATEGORY:
        rows = session.execute(
            select(Item.id, Item.category).where(
                func.lower(Item.category) == scope.lower(), Item.category != ""
            )
        ).all()
        if not rows:
            raise ValidationError(
                _("No item is in category “{category}”.").format(category=scope), field="scope"
            )
        items, scope = [row[0] for row in rows], rows[0][1]
    else:
        scope = ""
    count = _create(session, user, kind, scope, blind=blind, note=note, items=items)
    return _view(session, count, user)


def start_cycle_count(
    session: Session,
    user_id: UserId,
    today: dt.date,
    item_ids: Sequence[int] | None = None,
    *,
    blind: bool = True,
) -> CountView:
    """Start the cycle count of the items due today (``due_counts``), or of ``item_ids``."""
    user = _user(session, user_id)
    if item_ids is None:
        wanted = [due.item_id for due in due_counts(session, today).items]
        if not wanted:
            raise ValidationError(_("No item is due for counting today."))
    else:
        wanted = list(dict.fromkeys(item_ids))
        if not wanted:
            raise ValidationError(_("Choose the items to count."), field="items")
        known = set(session.scalars(select(Item.id).where(Item.id.in_(wanted))).all())
        missing = [item_id for item_id in wanted if item_id not in known]
        if missing:
            raise NotFoundError(_("Item {id} does not exist.").format(id=missing[0]))
    count = _create(
        session, user, CountKind.CYCLE, "", blind=blind, note="", planned_for=today, items=wanted
    )
    return _view(session, count, user)


def _summaries(session: Session, counts: Sequence[StockCount]) -> list[CountSummary]:
    names = _user_names(session, {count.created_by for count in counts})
    tolerance = count_tolerance(session)
    result = []
    for count in counts:
        lines = _lines(session, count.id)
        fold = _fold(_events(session, count.id)) if count.status in ACTIVE else _Fold()
        visible = [line for line in lines if not _is_ghost(line, fold)]
        costs = (
            _unit_costs(session, (line.item_id for line in visible if not line.decided))
            if count.status is CountStatus.REVIEW
            else {}
        )
        counted = beyond = 0
        for line in visible:
            figures = _figures(line, fold, costs, tolerance)
            if figures.counted is not None:
                counted += 1
                if figures.beyond and not line.decided:
                    beyond += 1
        result.append(
            CountSummary(
                id=CountId(count.id),
                number=count.number,
                kind=count.kind,
                kind_text=count_kind_label(count.kind),
                scope=count.scope,
                title=_title(count),
                blind=count.blind,
                status=count.status,
                status_text=count_status_label(count.status),
                planned_for=count.planned_for,
                created_at=count.created_at,
                created_by=names.get(count.created_by, ""),
                lines=len(visible),
                counted=counted,
                beyond_tolerance=beyond,
            )
        )
    return result


def list_counts(
    session: Session, *, active_only: bool = False, limit: int = 200
) -> list[CountSummary]:
    """Counts newest first (``active_only``: those counting or in review)."""
    query = select(StockCount).order_by(StockCount.id.desc()).limit(max(1, limit))
    if active_only:
        query = query.where(StockCount.status.in_(ACTIVE))
    return _summaries(session, list(session.scalars(query)))


def count_id_by_number(session: Session, number: str) -> CountId:
    """The id of count ``number`` (``CC-1001``; case and spaces do not matter)."""
    match = _NUMBER_PATTERN.match(number.strip().replace(" ", ""))
    found = None
    if match is not None:
        found = session.scalar(
            select(StockCount.id).where(StockCount.number == f"{NUMBER_PREFIX}{match.group(1)}")
        )
    if found is None:
        raise NotFoundError(_("There is no count {number}.").format(number=number.strip().upper()))
    return CountId(found)


def get_count(session: Session, user_id: UserId, count_id: int) -> CountView:
    """The count as ``user_id`` may see it, rebuilt from its lines and log."""
    user = _user(session, user_id)
    return _view(session, _load(session, count_id), user)


# --- the cycle plan ---------------------------------------------------------------------------
# Its reading (settings, the plan, what is due) is app.services.count_plan, light to load for
# the Start page; its public names are imported above and are counting's as well.


def due_counts(session: Session, today: dt.date) -> DueCounts:
    """What the ABC cycle plan has due on ``today``: items planned today or earlier in the
    year and not counted since their latest planned day (items already in an open cycle
    count are left out: they are being counted), and the open cycle counts."""
    plan, classes, planned, local, due_ids = due_state(session, today)
    info = {
        item_id: (sku, name)
        for chunk in _chunks(due_ids)
        for item_id, sku, name in session.execute(
            select(Item.id, Item.sku, Item.name).where(Item.id.in_(chunk))
        ).tuples()
    }
    items = sorted(
        (
            DueItem(
                item_id=item_id,
                sku=info[item_id][0],
                name=info[item_id][1],
                abc_class=classes[item_id],
                planned_on=planned[item_id],
                overdue=planned[item_id] < today,
                last_counted=local.get(item_id),
            )
            for item_id in due_ids
        ),
        key=lambda due: (due.planned_on, due.abc_class, due.sku),
    )
    overdue = sum(1 for due in items if due.overdue)
    open_cycle = _summaries(
        session,
        list(
            session.scalars(
                select(StockCount)
                .where(StockCount.kind == CountKind.CYCLE, StockCount.status.in_(ACTIVE))
                .order_by(StockCount.id)
            )
        ),
    )
    if not items:
        message = _("No item is due for counting today.")
    elif overdue:
        message = ngettext(
            "{n} item is due for counting ({late} overdue).",
            "{n} items are due for counting ({late} overdue).",
            len(items),
        ).format(n=len(items), late=overdue)
    else:
        message = ngettext(
            "{n} item is due for counting today.",
            "{n} items are due for counting today.",
            len(items),
        ).format(n=len(items))
    return DueCounts(
        today=today,
        is_working_day=today in plan.days,
        items=tuple(items),
        due_today=len(items) - overdue,
        overdue=overdue,
        open_cycle_counts=tuple(open_cycle),
        message=message,
    )


# --- counting ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ItemInfo:
    id: int
    sku: str
    name: str
    unit: str
    lot_tracked: bool
    abc_class: str | None


def _item(session: Session, item_id: int) -> _ItemInfo:
    row = session.execute(
        select(Item.sku, Item.name, Item.unit, Item.lot_tracked, Item.abc_class).where(
            Item.id == item_id
        )
    ).first()
    if row is None:
        raise NotFoundError(_("Item {id} does not exist.").format(id=item_id))
    return _ItemInfo(item_id, *row)


def _clean_lot(lot: str | None) -> str | None:
    if lot is None or not lot.strip():
        return None
    lot = lot.strip()
    if len(lot) > 64:
        raise ValidationError(_("A lot number can be at most 64 characters."), field="lot")
    return lot


def _bin_code(session: Session, bin_id: int) -> str:
    row = session.execute(select(Location.code, Location.kind).where(Location.id == bin_id)).first()
    if row is None:
        raise NotFoundError(_("Location {id} does not exist.").format(id=bin_id))
    if row[1] is not LocationKind.INTERNAL:
        raise ValidationError(
            _("{code} is not a bin of the warehouse; choose a bin.").format(code=row[0]),
            field="bin",
        )
    return str(row[0])


def _outcome(
    session: Session,
    count: StockCount,
    viewer: Actor,
    status: CountScanStatus,
    message: str,
    *,
    lines: list[_Line] | None = None,
    fold: _Fold | None = None,
    **details: Any,
) -> CountScanOutcome:
    view = _view(session, count, viewer, lines=lines, fold=fold, message=message)
    return CountScanOutcome(status=status, message=message, count=view, **details)


def _out_of_scope_bin(count: StockCount, code: str) -> str:
    return _(
        "Bin {code} is not part of count {number} ({title}): scan a bin of this count."
    ).format(code=code, number=count.number, title=_title(count))


def _set_bin(
    session: Session, count: StockCount, viewer: Actor, bin_id: int, text: str
) -> CountScanOutcome:
    code = _bin_code(session, bin_id)
    if not _bin_in_scope(count, code):
        message = _out_of_scope_bin(count, code)
        return _outcome(
            session,
            count,
            viewer,
            CountScanStatus.OUT_OF_SCOPE,
            message,
            bin_id=bin_id,
            bin_code=code,
            problem=message,
        )
    event = _append(
        session, count.id, viewer.id, CountEventKind.BIN, bin_id=bin_id, scanned_text=text
    )
    return _outcome(
        session,
        count,
        viewer,
        CountScanStatus.BIN,
        _("Counting bin {code}: scan what is in it.").format(code=code),
        bin_id=bin_id,
        bin_code=code,
        event_id=event.id,
    )


def _choose_lot(item: _ItemInfo, pending: PendingCountScan, candidates: list[_Line]) -> str | None:
    """The lot code a count of ``item`` in a bin goes to ("" for none); None when a
    lot-tracked item still needs its lot. ``candidates``: the item's lines in the bin."""
    if item.lot_tracked:
        return _clean_lot(pending.lot)
    codes = {line.lot_code for line in candidates}
    # An item kept by expiry date (not lot-tracked) has lots named by the date.
    for guess in (_clean_lot(pending.lot), pending.expiry.isoformat() if pending.expiry else None):
        if guess is not None and guess in codes:
            return guess
    if len(candidates) == 1:
        return candidates[0].lot_code
    return ""


def _count(
    session: Session, count: StockCount, viewer: Actor, pending: PendingCountScan
) -> CountScanOutcome:
    """Add (scan) or set (typed) a counted quantity, or say what is needed first."""
    item = _item(session, pending.item_id)
    quantity = ledger.parse_quantity(pending.quantity, allow_zero=pending.sets)
    common: dict[str, Any] = {
        "item_id": item.id,
        "sku": item.sku,
        "name": item.name,
        "unit": item.unit,
        "quantity": quantity,
    }
    scope_items = _scope_items(session, count)
    lines = _lines(session, count.id)
    events = _events(session, count.id)
    fold = _fold(events)
    if scope_items is not None and item.id not in scope_items:
        message = _(
            "{sku} {name} is not part of count {number} ({title}): leave it uncounted, "
            "or put it back where it belongs."
        ).format(sku=item.sku, name=item.name, number=count.number, title=_title(count))
        return _outcome(
            session,
            count,
            viewer,
            CountScanStatus.OUT_OF_SCOPE,
            message,
            lines=lines,
            fold=fold,
            problem=message,
            **common,
        )
    bin_id = pending.bin_id
    if bin_id is None:
        bin_id = fold.current_bin.get(viewer.id)
    if bin_id is None:
        bin_id = _single_bin(session, count)
    if bin_id is None:
        message = _("Scan the label of the bin {name} is in first.").format(name=item.name)
        return _outcome(
            session,
            count,
            viewer,
            CountScanStatus.NEEDS_BIN,
            message,
            lines=lines,
            fold=fold,
            pending=replace(pending, quantity=quantity),
            **common,
        )
    code = _bin_code(session, bin_id)
    if not _bin_in_scope(count, code):
        message = _out_of_scope_bin(count, code)
        return _outcome(
            session,
            count,
            viewer,
            CountScanStatus.OUT_OF_SCOPE,
            message,
            lines=lines,
            fold=fold,
            bin_id=bin_id,
            bin_code=code,
            problem=message,
            **common,
        )
    candidates = [line for line in lines if line.bin_id == bin_id and line.item_id == item.id]
    lot = _choose_lot(item, pending, candidates)
    if lot is None:
        return _outcome(
            session,
            count,
            viewer,
            CountScanStatus.NEEDS_LOT,
            _("Give the lot number of {name}.").format(name=item.name),
            lines=lines,
            fold=fold,
            bin_id=bin_id,
            bin_code=code,
            pending=replace(pending, quantity=quantity, bin_id=bin_id),
            lot_choices=tuple(line.lot_code for line in candidates if line.lot_code),
            **common,
        )
    line = next((c for c in candidates if c.lot_code == lot), None)
    refusal = None
    if line is not None and line.decided:
        refusal = _("{sku} in {bin} is already {status} on count {number}.").format(
            sku=item.sku,
            bin=code,
            status=line_status_label(line.status).lower(),
            number=count.number,
        )
    elif count.status is CountStatus.REVIEW and (
        line is None or line.status is not CountLineStatus.RECOUNT
    ):
        refusal = _(
            "Count {number} is in review: only lines sent for recount are counted, and "
            "{sku} in {bin} is not one of them."
        ).format(number=count.number, sku=item.sku, bin=code)
    if refusal is not None:
        return _outcome(
            session,
            count,
            viewer,
            CountScanStatus.NOT_RECOUNT,
            refusal,
            lines=lines,
            fold=fold,
            bin_id=bin_id,
            bin_code=code,
            lot=lot or None,
            problem=refusal,
            **common,
        )
    lot_id = line.lot_id if line is not None else None
    if lot and lot_id is None:
        lot_id = session.scalar(select(Lot.id).where(Lot.item_id == item.id, Lot.code == lot))
    if line is None:
        # Found where the system expected nothing: counted on a line of its own.
        line_id = session.execute(
            insert(line_t).returning(line_t.c.id),
            {
                "count_id": count.id,
                "bin_id": bin_id,
                "item_id": item.id,
                "lot_code": lot,
                "lot_id": lot_id,
                "expected": ZERO,
                "unexpected": True,
                "abc_class": item.abc_class,
                "status": CountLineStatus.OPEN,
                "round": 1,
                "created_at": utcnow(),
            },
        ).scalar_one()
        line_round, unexpected = 1, True
    else:
        line_id, line_round, unexpected = line.id, line.round, line.unexpected
        if lot_id is not None and line.lot_id is None:
            session.execute(update(line_t).where(line_t.c.id == line_id).values(lot_id=lot_id))
    event = _append(
        session,
        count.id,
        viewer.id,
        CountEventKind.SET if pending.sets else CountEventKind.ADD,
        line_id=line_id,
        bin_id=bin_id,
        quantity=quantity,
        system_qty=_system_qty(session, item.id, bin_id, lot_id),
        round=line_round,
        scanned_text=pending.text,
    )
    fold = _fold([*events, event])
    counts = fold.line(line_id)
    counted = counts.counted or ZERO
    mine = counts.contributions.get(viewer.id, ZERO)
    if pending.sets:
        message = _("{name} in {bin}: your count is {qty} {unit}").format(
            name=item.name, bin=code, qty=_qty(quantity), unit=item.unit
        )
    else:
        message = _("+{qty} {unit} {name} in {bin}").format(
            qty=_qty(quantity), unit=item.unit, name=item.name, bin=code
        )
    if lot:
        message += " · " + _("lot {lot}").format(lot=lot)
    message += " · " + _("counted {qty}").format(qty=_qty(counted))
    if mine != counted:
        message += " " + _("({qty} by you)").format(qty=_qty(mine))
    if unexpected:
        message += " · " + _("not expected in this bin: counted on a new line")
    return _outcome(
        session,
        count,
        viewer,
        CountScanStatus.SET if pending.sets else CountScanStatus.ADDED,
        message,
        lines=_lines(session, count.id) if line is None else lines,
        fold=fold,
        bin_id=bin_id,
        bin_code=code,
        lot=lot or None,
        line_id=CountLineId(line_id),
        counted=counted,
        mine=mine,
        unexpected=unexpected,
        event_id=event.id,
        **common,
    )


def add_scan(session: Session, user_id: UserId, count_id: int, text: str) -> CountScanOutcome:
    """Take one scan: a bin label makes it the counter's bin; an item code adds its
    quantity (a carton its pack, a GS1 code its count and lot) to the item's line in
    that bin, creating the line if the item was not expected there.

    Unknown and unreadable codes, and scans that need an answer, save nothing and say
    so in the outcome. An inactive item found on a shelf is counted all the same.
    """
    viewer = _user(session, user_id)
    count = _load(session, count_id, lock=True)
    _require_active(count)
    result = resolve_scan(session, text)
    if result.outcome == "bin" and result.bin_id is not None:
        return _set_bin(session, count, viewer, result.bin_id, text)
    if result.outcome == "item" and result.item_id is not None:
        return _count(
            session,
            count,
            viewer,
            PendingCountScan(
                item_id=result.item_id,
                quantity=result.quantity,
                bin_id=None,
                text=text,
                lot=result.lot,
                expiry=result.expiry,
            ),
        )
    status = CountScanStatus.UNKNOWN if result.outcome == "unknown" else CountScanStatus.INVALID
    problem = result.problem or result.message
    return _outcome(session, count, viewer, status, problem, problem=problem)


def complete_scan(
    session: Session,
    user_id: UserId,
    count_id: int,
    pending: PendingCountScan,
    *,
    lot: str | None = None,
    bin_id: int | None = None,
) -> CountScanOutcome:
    """Finish a scan or typed count that asked for the lot or the bin."""
    viewer = _user(session, user_id)
    count = _load(session, count_id, lock=True)
    _require_active(count)
    return _count(
        session,
        count,
        viewer,
        replace(
            pending,
            lot=_clean_lot(lot) or pending.lot,
            bin_id=bin_id if bin_id is not None else pending.bin_id,
        ),
    )


def set_bin(session: Session, user_id: UserId, count_id: int, bin_code: str) -> CountScanOutcome:
    """Choose the counter's bin by its code (as if its label were scanned)."""
    viewer = _user(session, user_id)
    count = _load(session, count_id, lock=True)
    _require_active(count)
    found = _find_bin(session, bin_code)
    if found is None:
        raise NotFoundError(_("There is no bin {code}.").format(code=bin_code.strip().upper()))
    return _set_bin(session, count, viewer, found[0], "")


def set_counted(
    session: Session,
    user_id: UserId,
    count_id: int,
    item_id: int,
    quantity: Decimal | str | int,
    *,
    bin_id: int | None = None,
    lot: str | None = None,
) -> CountScanOutcome:
    """Type a count: the counter's own count of the item (and lot) in ``bin_id`` (else
    the counter's bin) becomes ``quantity`` (0 allowed). Other counters' counts stay."""
    viewer = _user(session, user_id)
    count = _load(session, count_id, lock=True)
    _require_active(count)
    qty = ledger.parse_quantity(quantity, allow_zero=True)
    if bin_id is not None:
        _bin_code(session, bin_id)
    return _count(
        session,
        count,
        viewer,
        PendingCountScan(item_id=item_id, quantity=qty, bin_id=bin_id, lot=lot, sets=True),
    )


def import_counts(
    session: Session, user_id: UserId, count_id: int, entries: Sequence[CountEntry]
) -> CountsImported:
    """Set counted quantities from a typed-in sheet, all or nothing; every bad row is
    reported by its number (``ImportFileError``; rows count from 1).

    Rows for the same bin, item and lot add up to one figure, which becomes the
    importing user's count of that line (other counters' counts stay).
    """
    viewer = _user(session, user_id)
    count = _load(session, count_id, lock=True)
    _require_active(count)
    if not entries:
        raise ValidationError(_("The sheet has no rows to import."))
    scope_items = _scope_items(session, count)
    lines = _lines(session, count.id)
    fold = _fold(_events(session, count.id))
    by_key = {(line.bin_id, line.item_id, line.lot_code): line for line in lines}
    problems: list[str] = []
    totals: dict[tuple[int, int, str], Decimal] = {}
    items: dict[int, _ItemInfo] = {}
    for number, entry in enumerate(entries, start=1):
        row_problems: list[str] = []
        found_bin = _find_bin(session, entry.bin_code or "")
        if found_bin is None:
            row_problems.append(
                _("there is no bin {code}").format(code=(entry.bin_code or "").strip().upper())
            )
        elif not _bin_in_scope(count, found_bin[1]):
            row_problems.append(_("bin {code} is not part of this count").format(code=found_bin[1]))
        item_row = session.execute(
            select(Item.id).where(func.lower(Item.sku) == (entry.sku or "").strip().lower())
        ).first()
        item: _ItemInfo | None = None
        if item_row is None:
            row_problems.append(_("there is no item with SKU {sku}").format(sku=entry.sku))
        else:
            item = items.setdefault(item_row[0], _item(session, item_row[0]))
            if scope_items is not None and item.id not in scope_items:
                row_problems.append(_("{sku} is not part of this count").format(sku=item.sku))
        quantity = None
        try:
            quantity = ledger.parse_quantity(entry.quantity, allow_zero=True)
        except ValidationError as exc:
            row_problems.append(exc.message.rstrip("."))
        try:
            lot = _clean_lot(entry.lot)
        except ValidationError as exc:
            row_problems.append(exc.message.rstrip("."))
            lot = None
        if not row_problems and item is not None and found_bin is not None:
            candidates = [
                line for line in lines if line.bin_id == found_bin[0] and line.item_id == item.id
            ]
            chosen = _choose_lot(
                item, PendingCountScan(item.id, ZERO, found_bin[0], lot=lot), candidates
            )
            if chosen is None:
                row_problems.append(_("{sku} is lot-tracked: give the lot").format(sku=item.sku))
            else:
                key = (found_bin[0], item.id, chosen)
                line = by_key.get(key)
                if line is not None and line.decided:
                    row_problems.append(
                        _("{sku} in {bin} is already decided").format(
                            sku=item.sku, bin=found_bin[1]
                        )
                    )
                elif count.status is CountStatus.REVIEW and (
                    line is None or line.status is not CountLineStatus.RECOUNT
                ):
                    row_problems.append(
                        _("{sku} in {bin} is not sent for recount").format(
                            sku=item.sku, bin=found_bin[1]
                        )
                    )
                elif quantity is not None:
                    totals[key] = totals.get(key, ZERO) + quantity
        problems += [
            _("Row {row}: {problem}.").format(row=number, problem=problem)
            for problem in row_problems
        ]
    if problems:
        raise ImportFileError(
            ngettext(
                "Nothing was imported: {n} problem in the sheet.",
                "Nothing was imported: {n} problems in the sheet.",
                len(problems),
            ).format(n=len(problems)),
            problems,
        )
    events: list[_Event] = []
    for (bin_id, item_id, lot), quantity in totals.items():
        line = by_key.get((bin_id, item_id, lot))
        lot_id = line.lot_id if line is not None else None
        if lot and lot_id is None:
            lot_id = session.scalar(select(Lot.id).where(Lot.item_id == item_id, Lot.code == lot))
        if line is None:
            line_id = session.execute(
                insert(line_t).returning(line_t.c.id),
                {
                    "count_id": count.id,
                    "bin_id": bin_id,
                    "item_id": item_id,
                    "lot_code": lot,
                    "lot_id": lot_id,
                    "expected": ZERO,
                    "unexpected": True,
                    "abc_class": items[item_id].abc_class,
                    "status": CountLineStatus.OPEN,
                    "round": 1,
                    "created_at": utcnow(),
                },
            ).scalar_one()
            line_round = 1
        else:
            line_id, line_round = line.id, line.round
        events.append(
            _append(
                session,
                count.id,
                viewer.id,
                CountEventKind.SET,
                line_id=line_id,
                bin_id=bin_id,
                quantity=quantity,
                system_qty=_system_qty(session, item_id, bin_id, lot_id),
                round=line_round,
            )
        )
    record_audit(
        session,
        UserId(viewer.id),
        "import",
        "stock_count",
        count.id,
        {"number": count.number, "rows": len(entries), "lines": len(totals)},
    )
    message = ngettext(
        "{n} line set from the sheet.", "{n} lines set from the sheet.", len(totals)
    ).format(n=len(totals))
    del fold
    return CountsImported(
        lines=len(totals), message=message, count=_view(session, count, viewer, message=message)
    )


def undo_last_scan(session: Session, user_id: UserId, count_id: int) -> CountScanOutcome:
    """Undo the counter's own latest entry (scan, typed count or bin change) still in force."""
    viewer = _user(session, user_id)
    count = _load(session, count_id, lock=True)
    _require_active(count)
    lines = _lines(session, count.id)
    events = _events(session, count.id)
    fold = _fold(events)
    by_id = {line.id: line for line in lines}
    target = _undo_target(count, fold, by_id, viewer.id)
    if target is None:
        raise ValidationError(
            _("Nothing of yours to undo on count {number}.").format(number=count.number)
        )
    undo = _append(session, count.id, viewer.id, CountEventKind.UNDO, undoes_event_id=target.id)
    details: dict[str, Any] = {}
    if target.kind is CountEventKind.BIN:
        message = _("Undone: the change of bin.")
    else:
        assert target.line_id is not None and target.quantity is not None
        line = by_id[target.line_id]
        if target.kind is CountEventKind.ADD:
            message = _("Undone: +{qty} {unit} {name} in {bin}.").format(
                qty=_qty(target.quantity), unit=line.unit, name=line.name, bin=line.bin_code
            )
        else:
            message = _("Undone: your count of {qty} {unit} {name} in {bin}.").format(
                qty=_qty(target.quantity), unit=line.unit, name=line.name, bin=line.bin_code
            )
        details = {
            "item_id": line.item_id,
            "sku": line.sku,
            "name": line.name,
            "unit": line.unit,
            "quantity": target.quantity,
            "lot": line.lot_code or None,
            "bin_id": line.bin_id,
            "bin_code": line.bin_code,
            "line_id": CountLineId(line.id),
        }
    fold = _fold([*events, undo])
    if "line_id" in details:
        counts = fold.line(details["line_id"])
        details["counted"] = counts.counted
        details["mine"] = counts.contributions.get(viewer.id)
    return _outcome(
        session,
        count,
        viewer,
        CountScanStatus.UNDONE,
        message,
        lines=lines,
        fold=fold,
        event_id=undo.id,
        **details,
    )


def close_bin(
    session: Session, user_id: UserId, count_id: int, bin_id: int | None = None
) -> BinClosed:
    """Close the counter's bin (or ``bin_id``): returns the expected lines nobody has
    counted, for the counter to confirm as zero (``confirm_zero``) or count."""
    viewer = _user(session, user_id)
    count = _load(session, count_id, lock=True)
    _require_active(count)
    lines = _lines(session, count.id)
    events = _events(session, count.id)
    fold = _fold(events)
    if bin_id is None:
        bin_id = fold.current_bin.get(viewer.id)
    if bin_id is None:
        bin_id = _single_bin(session, count)
    if bin_id is None:
        raise ValidationError(_("Scan the label of the bin you are closing first."), field="bin")
    code = _bin_code(session, bin_id)
    if not _bin_in_scope(count, code):
        raise ValidationError(_out_of_scope_bin(count, code), field="bin")
    unscanned = tuple(
        UncountedLine(CountLineId(line.id), line.sku, line.name, line.unit, line.lot_code or None)
        for line in lines
        if line.bin_id == bin_id
        and not line.decided
        and not line.unexpected
        and fold.line(line.id).counted is None
        and (count.status is CountStatus.COUNTING or line.status is CountLineStatus.RECOUNT)
    )
    event = _append(session, count.id, viewer.id, CountEventKind.CLOSE, bin_id=bin_id)
    fold = _fold([*events, event])
    if unscanned:
        message = ngettext(
            "Bin {code} closed. {n} expected item was not counted: confirm it as zero, "
            "or count it.",
            "Bin {code} closed. {n} expected items were not counted: confirm them as zero, or "
            "count them.",
            len(unscanned),
        ).format(code=code, n=len(unscanned))
    else:
        message = _("Bin {code} closed: everything expected in it was counted.").format(code=code)
    return BinClosed(
        bin_id=bin_id,
        bin_code=code,
        unscanned=unscanned,
        message=message,
        count=_view(session, count, viewer, lines=lines, fold=fold, message=message),
    )


def _pick_lines(count: StockCount, lines: list[_Line], line_ids: Sequence[int]) -> list[_Line]:
    by_id = {line.id: line for line in lines}
    picked = []
    for line_id in dict.fromkeys(line_ids):
        line = by_id.get(line_id)
        if line is None:
            raise NotFoundError(
                _("Line {id} is not on count {number}.").format(id=line_id, number=count.number)
            )
        picked.append(line)
    return picked


def _line_name(line: _Line) -> str:
    lot = f" / {line.lot_code}" if line.lot_code else ""
    return f"{line.bin_code} {line.sku}{lot}"


def confirm_zero(
    session: Session, user_id: UserId, count_id: int, line_ids: Sequence[int]
) -> CountView:
    """Record the lines as counted zero (those someone counted meanwhile are left as is)."""
    viewer = _user(session, user_id)
    count = _load(session, count_id, lock=True)
    _require_active(count)
    lines = _lines(session, count.id)
    events = _events(session, count.id)
    fold = _fold(events)
    written: list[_Event] = []
    for line in _pick_lines(count, lines, line_ids):
        if line.decided or (
            count.status is CountStatus.REVIEW and line.status is not CountLineStatus.RECOUNT
        ):
            raise ValidationError(
                _("{line} is not open for counting on count {number}.").format(
                    line=_line_name(line), number=count.number
                )
            )
        if fold.line(line.id).counted is not None:
            continue
        written.append(
            _append(
                session,
                count.id,
                viewer.id,
                CountEventKind.SET,
                line_id=line.id,
                bin_id=line.bin_id,
                quantity=ZERO,
                system_qty=_system_qty(session, line.item_id, line.bin_id, line.lot_id),
                round=line.round,
            )
        )
    message = ngettext(
        "{n} line confirmed as zero.", "{n} lines confirmed as zero.", len(written)
    ).format(n=len(written))
    return _view(
        session, count, viewer, lines=lines, fold=_fold([*events, *written]), message=message
    )


def finish_count(
    session: Session, user_id: UserId, count_id: int, *, skip_uncounted: bool = False
) -> CountView:
    """End counting and open the review. Refused while lines are uncounted, unless
    ``skip_uncounted``: then those lines are skipped (no adjustment, not in accuracy).
    A count whose lines are all skipped is done at once."""
    viewer = _user(session, user_id)
    count = _load(session, count_id, lock=True)
    _require_active(count)
    if count.status is CountStatus.REVIEW:
        raise ValidationError(
            _("Counting of {number} is already finished; it is in review.").format(
                number=count.number
            )
        )
    lines = _lines(session, count.id)
    fold = _fold(_events(session, count.id))
    uncounted = [
        line
        for line in lines
        if not line.decided and fold.line(line.id).counted is None and not line.unexpected
    ]
    ghosts = [line for line in lines if _is_ghost(line, fold)]
    if uncounted and not skip_uncounted:
        codes = sorted({line.bin_code for line in uncounted})
        shown = ", ".join(codes[:5]) + (" …" if len(codes) > 5 else "")
        raise ValidationError(
            ngettext(
                "{n} line is not counted yet (bin {bins}). Count it, confirm it as zero "
                "when closing its bin, or finish and skip it.",
                "{n} lines are not counted yet (bins {bins}). Count them, confirm them as "
                "zero when closing their bins, or finish and skip them.",
                len(uncounted),
            ).format(n=len(uncounted), bins=shown)
        )
    skipped = [line.id for line in (*uncounted, *ghosts)]
    for chunk in _chunks(skipped):
        session.execute(
            update(line_t).where(line_t.c.id.in_(chunk)).values(status=CountLineStatus.SKIPPED)
        )
    now = utcnow()
    count.status = CountStatus.REVIEW
    count.finished_by = viewer.id
    count.finished_at = now
    if all(line.decided or line.id in set(skipped) for line in lines):
        count.status = CountStatus.DONE
        count.done_at = now
    session.flush()
    record_audit(
        session,
        UserId(viewer.id),
        "finish",
        "stock_count",
        count.id,
        {"number": count.number, "skipped": len(uncounted)},
    )
    message = _("Counting of {number} finished: review the variances.").format(number=count.number)
    return _view(session, count, viewer, message=message)


def _require_review(count: StockCount) -> None:
    _require_active(count)
    if count.status is CountStatus.COUNTING:
        raise ValidationError(
            _("Count {number} is still being counted: finish counting first.").format(
                number=count.number
            )
        )


def request_recount(
    session: Session,
    user_id: UserId,
    count_id: int,
    line_ids: Sequence[int],
    assign_to: int | None = None,
) -> RecountRequested:
    """Send lines back to be counted again (a new round; the earlier counts stay in the
    log but no longer count), assigned to ``assign_to`` — ideally someone else. Refused
    for lines not counted in their current round or already decided."""
    viewer = _user(session, user_id)
    count = _load(session, count_id, lock=True)
    _require_review(count)
    if not line_ids:
        raise ValidationError(_("Choose the lines to count again."), field="lines")
    assignee = _user(session, assign_to) if assign_to is not None else None
    lines = _lines(session, count.id)
    fold = _fold(_events(session, count.id))
    picked = _pick_lines(count, lines, line_ids)
    same_person: list[str] = []
    for line in picked:
        if line.decided:
            raise ValidationError(
                _("{line} is already {status}; it cannot be counted again.").format(
                    line=_line_name(line), status=line_status_label(line.status).lower()
                )
            )
        counts = fold.line(line.id)
        if counts.counted is None:
            raise ValidationError(
                _("{line} is waiting for its recount already.").format(line=_line_name(line))
            )
        if assignee is not None and assignee.id in counts.contributions:
            same_person.append(_line_name(line))
    for line in picked:
        _append(
            session,
            count.id,
            viewer.id,
            CountEventKind.RECOUNT,
            line_id=line.id,
            bin_id=line.bin_id,
            round=line.round + 1,
            assigned_to=assignee.id if assignee else None,
        )
        session.execute(
            update(line_t)
            .where(line_t.c.id == line.id)
            .values(
                round=line.round + 1,
                status=CountLineStatus.RECOUNT,
                assigned_to=assignee.id if assignee else None,
            )
        )
    record_audit(
        session,
        UserId(viewer.id),
        "recount",
        "stock_count",
        count.id,
        {
            "number": count.number,
            "lines": [line.id for line in picked],
            "assigned_to": assignee.id if assignee else None,
        },
    )
    who = assignee.name if assignee else ""
    if assignee:
        message = ngettext(
            "{n} line of {number} sent for recount to {user}.",
            "{n} lines of {number} sent for recount to {user}.",
            len(picked),
        ).format(n=len(picked), number=count.number, user=who)
    else:
        message = ngettext(
            "{n} line of {number} sent for recount.",
            "{n} lines of {number} sent for recount.",
            len(picked),
        ).format(n=len(picked), number=count.number)
    warning = ""
    if same_person and assignee is not None:
        warning = _(
            "{user} counted {lines} before; a recount by someone else is more reliable."
        ).format(user=assignee.name, lines=", ".join(same_person))
    return RecountRequested(
        line_ids=tuple(CountLineId(line.id) for line in picked),
        assigned_to=who,
        message=message,
        warning=warning,
        count=_view(session, count, viewer, message=message),
    )


def _adjusted_since(
    session: Session, count: StockCount, line: _Line, since: dt.datetime
) -> str | None:
    """The reference of an adjustment of the line's stock posted after it was counted
    (by another count or by hand), if any: the count predates it, so it is stale."""
    lot_filter = (
        StockMove.lot_id.is_(None) if line.lot_id is None else StockMove.lot_id == line.lot_id
    )
    return session.scalar(
        select(StockMove.reference)
        .where(
            StockMove.item_id == line.item_id,
            StockMove.kind == MoveKind.ADJUSTMENT,
            (StockMove.from_location_id == line.bin_id) | (StockMove.to_location_id == line.bin_id),
            lot_filter,
            StockMove.moved_at > since,
            StockMove.reference != count.number,
        )
        .order_by(StockMove.id)
        .limit(1)
    )


def approve_count(
    session: Session, user_id: UserId, count_id: int, line_ids: Sequence[int] | None = None
) -> CountApproved:
    """Approve counted lines (all undecided counted lines if None) and post their
    adjustments. Lines beyond tolerance need a manager or admin: a staff user asking
    for any of them is refused (``NotAllowedError``) and nothing is approved. Lines
    within tolerance may be approved by any user.

    Each line with a variance posts one ADJUSTMENT move between its bin and the
    count-difference location (found more: in, at the item's current unit cost; found
    less: out, costed by the ledger), with the count number as reference. A line whose
    stock was adjusted by someone else after it was counted is refused: recount it.
    """
    approver = _user(session, user_id)
    count = _load(session, count_id, lock=True)
    _require_review(count)
    lines = _lines(session, count.id)
    fold = _fold(_events(session, count.id))
    if line_ids is None:
        picked = [
            line for line in lines if not line.decided and fold.line(line.id).counted is not None
        ]
        if not picked:
            raise ValidationError(
                _("Nothing on count {number} is waiting for approval.").format(number=count.number)
            )
    else:
        if not line_ids:
            raise ValidationError(_("Choose the lines to approve."), field="lines")
        picked = _pick_lines(count, lines, line_ids)
        for line in picked:
            if line.decided:
                raise ValidationError(
                    _("{line} is already {status}.").format(
                        line=_line_name(line), status=line_status_label(line.status).lower()
                    )
                )
            if fold.line(line.id).counted is None:
                raise ValidationError(
                    _("{line} has not been counted yet; it cannot be approved.").format(
                        line=_line_name(line)
                    )
                )
    tolerance = count_tolerance(session)
    costs = _unit_costs(session, (line.item_id for line in picked))
    figures = {line.id: _figures(line, fold, costs, tolerance) for line in picked}
    beyond = [line for line in picked if figures[line.id].beyond]
    if beyond and not approver.manager:
        names = ", ".join(_line_name(line) for line in beyond[:5])
        raise NotAllowedError(
            ngettext(
                "{n} line is beyond tolerance ({lines}) and needs a manager's approval or a "
                "recount. Nothing was approved.",
                "{n} lines are beyond tolerance ({lines}) and need a manager's approval or a "
                "recount. Nothing was approved.",
                len(beyond),
            ).format(n=len(beyond), lines=names + (" …" if len(beyond) > 5 else ""))
        )
    stale = []
    for line in picked:
        counted_at = figures[line.id].counted_at
        assert counted_at is not None
        reference = _adjusted_since(session, count, line, counted_at)
        if reference is not None:
            stale.append((line, reference))
    if stale:
        line, reference = stale[0]
        raise ValidationError(
            _(
                "The stock of {line} was adjusted ({reference}) after it was counted, so its "
                "count is out of date. Send it for recount. Nothing was approved."
            ).format(line=_line_name(line), reference=reference or "?")
        )
    count_difference = virtual_location_id(session, LocationKind.COUNT_DIFFERENCE)
    now = utcnow()
    adjustments: list[PostedAdjustment] = []
    total = ZERO
    for line in picked:
        figure = figures[line.id]
        assert figure.variance is not None and figure.unit_cost is not None
        assert figure.value is not None and figure.system is not None
        lot_id = line.lot_id
        if line.lot_code and lot_id is None and figure.variance > 0:
            lot_id = get_or_create_lot(session, line.item_id, line.lot_code).id
        move_id = None
        if figure.variance != 0:
            inward = figure.variance > 0
            try:
                move = ledger.post_move(
                    session,
                    item_id=line.item_id,
                    quantity=abs(figure.variance),
                    from_location_id=count_difference if inward else line.bin_id,
                    to_location_id=line.bin_id if inward else count_difference,
                    kind=MoveKind.ADJUSTMENT,
                    user_id=UserId(approver.id),
                    lot_id=lot_id,
                    unit_cost=figure.unit_cost if inward else None,
                    reference=count.number,
                )
            except HyllaError as exc:
                raise StockError(
                    _("{line}: {problem} Send the line for recount.").format(
                        line=_line_name(line), problem=exc.message
                    )
                ) from exc
            move_id = move.id
        session.execute(
            update(line_t)
            .where(line_t.c.id == line.id)
            .values(
                status=CountLineStatus.APPROVED,
                lot_id=lot_id,
                counted=figure.counted,
                system_qty=figure.system,
                variance=figure.variance,
                unit_cost=figure.unit_cost,
                within_tolerance=not figure.beyond,
                counted_at=figure.counted_at,
                approved_by=approver.id,
                approved_at=now,
                move_id=move_id,
            )
        )
        total += figure.value
        adjustments.append(
            PostedAdjustment(
                line_id=CountLineId(line.id),
                bin_code=line.bin_code,
                sku=line.sku,
                name=line.name,
                unit=line.unit,
                lot=line.lot_code or None,
                variance=figure.variance,
                unit_cost=figure.unit_cost,
                value=figure.value,
                move_id=move_id,
            )
        )
    picked_ids = {line.id for line in picked}
    if all(line.decided or line.id in picked_ids for line in lines):
        count.status = CountStatus.DONE
        count.done_at = now
    session.flush()
    record_audit(
        session,
        UserId(approver.id),
        "approve",
        "stock_count",
        count.id,
        {
            "number": count.number,
            "role": approver.role.value,
            "value": total,
            "lines": [
                {
                    "line": a.line_id,
                    "bin": a.bin_code,
                    "sku": a.sku,
                    "lot": a.lot,
                    "variance": a.variance,
                    "value": a.value,
                    "move": a.move_id,
                    "beyond_tolerance": bool(figures[a.line_id].beyond),
                }
                for a in adjustments
            ],
        },
    )
    moves = sum(1 for a in adjustments if a.move_id is not None)
    message = ngettext(
        "{n} line of {number} approved", "{n} lines of {number} approved", len(adjustments)
    ).format(n=len(adjustments), number=count.number)
    message += ": " + ngettext(
        "{moves} adjustment posted.", "{moves} adjustments posted.", moves
    ).format(moves=moves)
    if count.status is CountStatus.DONE:
        message += " " + _("The count is done.")
    return CountApproved(
        count_id=CountId(count.id),
        number=count.number,
        adjustments=tuple(adjustments),
        value=total,
        message=message,
        count=_view(session, count, approver, message=message),
    )


def cancel_count(session: Session, user_id: UserId, count_id: int) -> CountView:
    """Drop a count before anything of it is approved (its log stays, for the record)."""
    viewer = _user(session, user_id)
    count = _load(session, count_id, lock=True)
    _require_active(count)
    approved = session.scalar(
        select(func.count())
        .select_from(line_t)
        .where(line_t.c.count_id == count.id, line_t.c.status == CountLineStatus.APPROVED)
    )
    if approved:
        raise ValidationError(
            _(
                "Lines of count {number} are approved and posted already, so it cannot be "
                "cancelled. Finish its review instead."
            ).format(number=count.number)
        )
    count.status = CountStatus.CANCELLED
    count.cancelled_by = viewer.id
    count.cancelled_at = utcnow()
    session.flush()
    record_audit(
        session, UserId(viewer.id), "cancel", "stock_count", count.id, {"number": count.number}
    )
    return _view(
        session, count, viewer, message=_("Count {number} cancelled.").format(number=count.number)
    )


# --- inventory accuracy -----------------------------------------------------------------------


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def inventory_accuracy(
    session: Session, months: int = 12, today: dt.date | None = None
) -> InventoryAccuracy:
    """Share of approved count lines within tolerance, per month of counting (the last
    ``months`` months up to ``today``, local time) and per ABC class.

    A line is within tolerance when its approved variance was (see ``count_tolerance``);
    a line recounted before approval is judged by its final count. Skipped lines and
    cancelled counts are not measured.
    """
    if months < 1 or months > 120:
        raise ValidationError(_("Choose between 1 and 120 months."), field="months")
    today = today or dt.datetime.now().astimezone().date()
    first = _month_start(today, months - 1)
    since = dt.datetime.combine(first, dt.time(), tzinfo=dt.datetime.now().astimezone().tzinfo)
    rows = session.execute(
        select(line_t.c.counted_at, line_t.c.abc_class, line_t.c.within_tolerance).where(
            line_t.c.status == CountLineStatus.APPROVED, line_t.c.counted_at >= since
        )
    ).tuples()
    cells: dict[tuple[dt.date, str], list[int]] = {}
    for counted_at, abc, within in rows:
        if counted_at is None:
            continue
        local_day = counted_at.astimezone().date()
        if local_day > today:
            continue
        key = (_month_start(local_day), (abc or UNCLASSIFIED).upper())
        cell = cells.setdefault(key, [0, 0])
        cell[0] += 1
        cell[1] += 1 if within else 0

    def add(cells_: Iterable[list[int]]) -> AccuracyCell:
        lines = within = 0
        for n, w in cells_:
            lines, within = lines + n, within + w
        return AccuracyCell(lines=lines, within=within)

    classes = sorted({abc for _month, abc in cells} | {"A", "B", "C"})
    month_rows = []
    for back in range(months - 1, -1, -1):
        month = _month_start(today, back)
        by_class = {
            abc: add([cells[(month, abc)]] if (month, abc) in cells else []) for abc in classes
        }
        month_rows.append(
            AccuracyMonth(
                month=month,
                total=add([cells[key] for key in cells if key[0] == month]),
                by_class=by_class,
            )
        )
    return InventoryAccuracy(
        months=tuple(month_rows),
        by_class={
            abc: add([cell for key, cell in cells.items() if key[1] == abc]) for abc in classes
        },
        total=add(cells.values()),
        tolerance=count_tolerance(session),
    )


# --- paper and reports ------------------------------------------------------------------------


def count_sheet_data(session: Session, count_id: int) -> CountSheetPdf:
    """Everything the count sheet shows: while counting every open line; in review the
    lines sent for recount only. No expected quantities on a blind count."""
    from app.reports.count_sheet import CountSheetLine, CountSheetPdf

    count = _load(session, count_id)
    _require_active(count)
    lines = _lines(session, count.id)
    fold = _fold(_events(session, count.id))
    recount_only = count.status is CountStatus.REVIEW
    if recount_only:
        shown = [line for line in lines if line.status is CountLineStatus.RECOUNT]
        if not shown:
            raise ValidationError(
                _(
                    "Counting of {number} is finished and no line is waiting for a recount: "
                    "there is nothing to count on paper."
                ).format(number=count.number)
            )
        bins = sorted({line.bin_code for line in shown})
    else:
        shown = [line for line in lines if not line.decided and not _is_ghost(line, fold)]
        bins = sorted(set(_scope_bins(session, count).values()) | {line.bin_code for line in shown})
    names = _user_names(session, {count.created_by})
    return CountSheetPdf(
        number=count.number,
        title=_title(count),
        company=company_party(session),
        blind=count.blind,
        created_at=count.created_at,
        created_by=names.get(count.created_by, ""),
        bins=tuple(bins),
        lines=tuple(
            CountSheetLine(
                bin_code=line.bin_code,
                sku=line.sku,
                name=line.name,
                unit=line.unit,
                lot=line.lot_code,
                expected=None if count.blind else line.expected,
            )
            for line in shown
        ),
        recount_only=recount_only,
    )


def count_sheet_pdf(session: Session, count_id: int) -> bytes:
    """The count sheet: the count's bins and lines in bin order with a blank quantity
    column for counting on paper (no expected quantities on a blind count)."""
    from app.reports.count_sheet import render_count_sheet

    return render_count_sheet(count_sheet_data(session, count_id))


def variance_report_data(
    session: Session, count_id: int, *, viewer_id: int | None = None
) -> VarianceReportPdf:
    """Everything the variance report of a count shows; only once counting is finished
    (before, it would show a blind count's expected quantities). A ``viewer`` who is
    not a manager gets no report of a blind count still in review: its lines may yet be
    recounted, by them, and the report shows what they are expected to find. (The
    command line passes no viewer: it runs with the whole database at hand.)"""
    from app.reports.variance_report import VarianceReportLine, VarianceReportPdf

    count = _load(session, count_id)
    if (
        viewer_id is not None
        and count.blind
        and count.status is CountStatus.REVIEW
        and not _shows_expected(count, _user(session, viewer_id))
    ):
        raise NotAllowedError(
            _(
                "{number} is a blind count still in review: only a manager may print its "
                "variance report, which shows the expected quantities. Ask a manager, or "
                "print it once the count is done."
            ).format(number=count.number)
        )
    if count.status is CountStatus.CANCELLED:
        raise ValidationError(
            _("Count {number} was cancelled; it has no variances.").format(number=count.number)
        )
    if count.status is CountStatus.COUNTING:
        raise ValidationError(
            _(
                "Count {number} is still being counted; the variance report is made once "
                "counting is finished."
            ).format(number=count.number)
        )
    lines = _lines(session, count.id)
    fold = _fold(_events(session, count.id))
    tolerance = count_tolerance(session)
    costs = _unit_costs(session, (line.item_id for line in lines if not line.decided))
    user_ids: set[int | None] = {count.finished_by}
    for line in lines:
        user_ids |= set(fold.line(line.id).contributions)
    names = _user_names(session, user_ids)
    report_lines = []
    for line in lines:
        if _is_ghost(line, fold):
            continue
        figures = _figures(line, fold, costs, tolerance)
        report_lines.append(
            VarianceReportLine(
                bin_code=line.bin_code,
                sku=line.sku,
                name=line.name,
                unit=line.unit,
                lot=line.lot_code,
                unexpected=line.unexpected,
                expected=line.expected,
                system_at_count=figures.system,
                counted=figures.counted,
                variance=figures.variance,
                value=figures.value,
                beyond_tolerance=figures.beyond,
                status=line_status_label(line.status),
                counted_by=", ".join(
                    sorted(names.get(u, "?") for u in fold.line(line.id).contributions)
                ),
            )
        )
    return VarianceReportPdf(
        number=count.number,
        title=_title(count),
        company=company_party(session),
        currency=tolerance.currency,
        status=count_status_label(count.status),
        blind=count.blind,
        created_at=count.created_at,
        finished_at=count.finished_at,
        finished_by=names.get(count.finished_by or 0, ""),
        tolerance_percent=tolerance.percent,
        tolerance_value=tolerance.value,
        rule_text=variance_rule_text(),
        lines=tuple(report_lines),
    )


def variance_report_pdf(session: Session, count_id: int, *, viewer_id: int | None = None) -> bytes:
    """The variance report of a count whose counting is finished (for ``viewer_id``:
    see ``variance_report_data``)."""
    from app.reports.variance_report import render_variance_report

    return render_variance_report(variance_report_data(session, count_id, viewer_id=viewer_id))
