"""The Start page: what needs doing today, each a click (or a key) away from its page.

Large, calm tiles readable from a step away: purchases to make, backorders, cycle counts
due, lots about to expire, deliveries being received, write-downs waiting for approval,
and the stock's value and turnover. A tile with something to do gets an amber edge; the
others stay grey. Its number key (1…7), or Tab to it and Enter, or a click, opens the
page where the work is done.

The figures come from :func:`app.services.dashboard.read_dashboard`, one read on the
database worker, each tile falling back to "not available" on its own. Purchase
proposals take a second or two to work out on a large warehouse, so the "To order" tile
shows the last run (when it was worked out, and by the Proposals page too) and works
them out again in the background when asked (Alt+W), with progress.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, locale_name, ngettext
from app.services import dashboard
from app.services.dashboard import (
    Backorders,
    CountsDue,
    Dashboard,
    ExpiringLots,
    ProposalSummary,
    ReceiptsInProgress,
    StockValue,
    ToOrder,
    Unavailable,
    WriteDownsWaiting,
)
from app.services.errors import HyllaError
from app.services.scanning import ScanResult
from app.services.settings import CostingMethod
from app.services.users import UserRef
from app.ui.formatting import fmt_count, fmt_date, fmt_datetime
from app.ui.runner import TaskCancelled, TaskHandle
from app.ui.widgets import icon

if TYPE_CHECKING:
    from app.services.proposals import ProposalRun
    from app.ui.main_window import MainWindow
    from app.ui.runner import Runner

# Figures older than this are read again when the page is shown (another workstation
# may have received or picked meanwhile); while the page is on screen, as often.
FRESH_FOR_MS = 3 * 60 * 1000
NUMBER_POINT_SIZE = 30
TITLE_POINT_SIZE = 14
DETAIL_POINT_SIZE = 11.5
GREETING_POINT_SIZE = 20
COLUMNS = 3

STYLE = """
QFrame#tile { background: #ffffff; border: 2px solid #d5dde2; border-radius: 10px; }
QFrame#tile[state="unavailable"] { background: #f4f6f7; }
QFrame#tile[link="true"]:hover { background: #f3f8fb; }
QFrame#tile:focus { border-color: #1565c0; }
QFrame#tile_accent { background: #b7c6cf; border: none; border-radius: 3px; }
QFrame#tile_accent[state="attention"] { background: #d98200; }
QFrame#tile_accent[state="unavailable"] { background: #dde3e7; }
QFrame#tile QLabel { background: transparent; border: none; }
QLabel#tile_number { color: #1c2a33; }
QLabel#tile_title { color: #2f4452; }
QLabel#tile_detail { color: #4a5b66; }
QLabel#tile_key { color: #6b7d88; border: 1px solid #b9c6ce; border-radius: 4px;
                  padding: 0 6px; }
"""


@dataclass(frozen=True)
class TileSpec:
    """One tile: its key, title, icon, and the pages it opens (the first one there is)."""

    key: str
    title: str
    icon: str
    targets: tuple[str, ...]


TILES: tuple[TileSpec, ...] = (
    TileSpec("to-order", N_("To order"), "proposals", ("proposals",)),
    TileSpec("backorders", N_("Backorders"), "orders", ("orders",)),
    TileSpec("counts", N_("Counts due today"), "counts", ("counts",)),
    TileSpec("expiring", N_("Lots expiring"), "expiring", ("write-downs", "stock")),
    TileSpec("receipts", N_("Receipts in progress"), "receiving", ("receiving",)),
    TileSpec("write-downs", N_("Write-downs to approve"), "write-downs", ("write-downs",)),
    TileSpec("stock-value", N_("Stock value"), "value", ("reports", "stock")),
)


def _font(base: QFont, points: float, weight: QFont.Weight = QFont.Weight.Normal) -> QFont:
    font = QFont(base)
    font.setPointSizeF(points)
    font.setWeight(weight)
    return font


def fmt_whole_money(value: Decimal, currency: str) -> str:
    """An amount rounded to whole units for a glance: ``974 794 409 SEK``."""
    whole = value.quantize(Decimal(1), ROUND_HALF_UP)
    return _("{amount} {currency}").format(
        amount=format_decimal(whole, format="#,##0", locale=locale_name()), currency=currency
    )


def fmt_ratio(value: Decimal) -> str:
    """A ratio such as a turnover with up to two decimals: ``0,87``."""
    return format_decimal(value, format="#,##0.0#", locale=locale_name())


def greeting(now: dt.datetime, name: str) -> str:
    """ "Good morning, Maja" by the time of day."""
    if now.hour < 10:
        return _("Good morning, {name}").format(name=name)
    if now.hour < 18:
        return _("Hello, {name}").format(name=name)
    return _("Good evening, {name}").format(name=name)


class Tile(QFrame):
    """A large, calm tile: a title, a big number and a line or two of detail; it opens its
    page when clicked or when Enter or Space is pressed on it."""

    clicked = Signal()

    def __init__(self, spec: TileSpec, number_key: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.number_key = number_key
        self.target: str | None = None
        self.setObjectName("tile")
        self.setProperty("state", "calm")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(QSize(260, 170))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        base = self.font()
        self.icon_label = QLabel()
        self.icon_label.setPixmap(icon(spec.icon).pixmap(QSize(28, 28)))
        self.title_label = QLabel(_(spec.title))
        self.title_label.setObjectName("tile_title")
        self.title_label.setFont(_font(base, TITLE_POINT_SIZE, QFont.Weight.DemiBold))
        self.title_label.setWordWrap(True)
        self.key_label = QLabel(str(number_key))
        self.key_label.setObjectName("tile_key")
        self.key_label.setFont(_font(base, DETAIL_POINT_SIZE))
        self.number_label = QLabel("…")
        self.number_label.setObjectName("tile_number")
        self.number_label.setFont(_font(base, NUMBER_POINT_SIZE, QFont.Weight.Bold))
        self.detail_label = QLabel()
        self.detail_label.setObjectName("tile_detail")
        self.detail_label.setFont(_font(base, DETAIL_POINT_SIZE))
        self.detail_label.setWordWrap(True)
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        # A stripe down the left edge: amber when something needs doing, grey when not.
        self.accent = QFrame()
        self.accent.setObjectName("tile_accent")
        self.accent.setFixedWidth(6)

        top = QHBoxLayout()
        top.setSpacing(10)
        top.addWidget(self.icon_label)
        top.addWidget(self.title_label, 1)
        top.addWidget(self.key_label, 0, Qt.AlignmentFlag.AlignTop)
        self.body = QVBoxLayout()
        self.body.setSpacing(4)
        self.body.addLayout(top)
        self.body.addWidget(self.number_label)
        self.body.addWidget(self.detail_label, 1)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(10, 12, 16, 12)
        outer.setSpacing(12)
        outer.addWidget(self.accent)
        outer.addLayout(self.body, 1)

    def set_target(self, target: str | None, title: str = "") -> None:
        """The page this tile opens (None: no such page here; the tile only shows)."""
        self.target = target
        self.setProperty("link", target is not None)
        self.key_label.setVisible(target is not None)
        self.setCursor(
            Qt.CursorShape.PointingHandCursor if target is not None else Qt.CursorShape.ArrowCursor
        )
        if target is not None:
            self.setToolTip(
                _("Open {page} (key {key}, or Enter)").format(page=title, key=self.number_key)
            )
        self._restyle()

    def show_figures(self, number: str, detail: str, attention: bool, tip: str = "") -> None:
        """Show the tile's figures; ``attention`` when something needs doing."""
        self.number_label.setText(number)
        self.detail_label.setText(detail)
        self.number_label.setToolTip(tip)
        self.detail_label.setToolTip(tip)
        self.setProperty("state", "attention" if attention else "calm")
        self.setAccessibleName(f"{_(self.spec.title)}: {number}")
        self.setAccessibleDescription(detail)
        self._restyle()

    def show_unavailable(self, reason: str) -> None:
        """The tile's figures could not be read: a dash, and why."""
        self.show_figures("—", _("Not available: {reason}").format(reason=reason), False)
        self.setProperty("state", "unavailable")
        self._restyle()

    @property
    def state(self) -> str:
        """``attention``, ``calm`` or ``unavailable``."""
        return str(self.property("state"))

    def _restyle(self) -> None:
        # Qt re-reads a style sheet's property selectors only when the style is re-applied.
        self.accent.setProperty("state", self.property("state"))
        for widget in (self, self.accent):
            widget.style().unpolish(widget)
            widget.style().polish(widget)
            widget.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and (
            self.target is not None
        ):
            self.clicked.emit()
            return
        super().keyPressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.target is not None:
            if self.rect().contains(event.position().toPoint()):
                self.clicked.emit()
                return
        super().mouseReleaseEvent(event)


class StartPage(QWidget):
    """What needs doing today, as tiles that open their pages."""

    status_message = Signal(str)
    #: Proposals worked out here stored ABC classes: other pages read again.
    data_changed = Signal()
    #: A tile asked for its page (the page key).
    open_requested = Signal(str)
    #: A scanned item asked for its editor (the item id).
    open_item_requested = Signal(int)
    #: The figures were read and shown (a Dashboard).
    loaded = Signal(object)
    #: Proposals were worked out from here (a ProposalSummary).
    proposals_worked_out = Signal(object)

    def __init__(
        self,
        runner: Runner,
        user: UserRef,
        settings: QSettings | None = None,
        pages: Collection[str] = (),
        page_titles: dict[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._user = user
        self._settings = settings if settings is not None else QSettings()
        self._pages = set(pages)
        self._titles = dict(page_titles or {})
        #: Today's date and the time now (tests set others).
        self.clock: Callable[[], dt.date] = dt.date.today
        self.now: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone()
        #: The Proposals page's latest run, if that page was opened (set by the window).
        self.latest_run: Callable[[], ProposalRun | None] = lambda: None
        self.dashboard: Dashboard | None = None
        self._loading = False
        self._again = False
        self._stale = True
        self._read_at: dt.datetime | None = None
        self._work: TaskHandle | None = None
        self._remembered: object | None = None
        self.setStyleSheet(STYLE)

        self.greeting_label = QLabel()
        self.greeting_label.setObjectName("start_greeting")
        self.greeting_label.setFont(_font(self.font(), GREETING_POINT_SIZE, QFont.Weight.DemiBold))
        self.date_label = QLabel()
        self.date_label.setObjectName("start_date")
        self.date_label.setFont(_font(self.font(), TITLE_POINT_SIZE))
        self.updated_label = QLabel(_("Reading today's figures…"))
        self.updated_label.setObjectName("start_updated")
        self.updated_label.setProperty("role", "muted")
        self.updated_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.error_label = QLabel()
        self.error_label.setObjectName("start_error")
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        self.tiles: dict[str, Tile] = {}
        grid = QGridLayout()
        grid.setSpacing(16)
        for index, spec in enumerate(TILES):
            tile = Tile(spec, index + 1)
            target = next((key for key in spec.targets if key in self._pages), None)
            tile.set_target(target, self._titles.get(target or "", ""))
            tile.clicked.connect(lambda tile=tile: self.open_tile(tile.spec.key))
            self.tiles[spec.key] = tile
            grid.addWidget(tile, index // COLUMNS, index % COLUMNS)
        for index in range(COLUMNS):
            grid.setColumnStretch(index, 1)

        # The "To order" tile also works the proposals out, with progress.
        order_tile = self.tiles["to-order"]
        self.work_out_button = QPushButton(_("&Work out now"))
        self.work_out_button.setObjectName("work_out_proposals")
        self.work_out_button.setToolTip(
            _(
                "Work out today's purchase proposals now ({key}). It reads two years of "
                "demand: on a large warehouse it takes a few seconds."
            ).format(key=self.work_out_key())
        )
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.setObjectName("cancel_proposals")
        self.cancel_button.hide()
        self.progress = QProgressBar()
        self.progress.setObjectName("proposals_progress")
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(10)
        self.progress.hide()
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.work_out_button)
        order_tile.body.addLayout(row)
        self.work_out_button.clicked.connect(self.work_out_proposals)
        self.cancel_button.clicked.connect(self.cancel_work)
        self.work_out_button.setEnabled(order_tile.target is not None)

        header = QHBoxLayout()
        names = QVBoxLayout()
        names.setSpacing(2)
        names.addWidget(self.greeting_label)
        names.addWidget(self.date_label)
        header.addLayout(names, 1)
        header.addWidget(self.updated_label)

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(20, 16, 20, 16)
        column.setSpacing(14)
        column.addLayout(header)
        column.addWidget(self.error_label)
        column.addLayout(grid, 1)
        area = QScrollArea()
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidgetResizable(True)
        area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        area.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(area)

        self._timer = QTimer(self)
        self._timer.setInterval(FRESH_FOR_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self._show_header()

    # --- page protocol -------------------------------------------------------------------
    def activate(self) -> None:
        """Shown: read the figures if they are stale or a few minutes old; take in a run
        the Proposals page made meanwhile."""
        self._show_header()
        self._take_latest_run()
        if self._stale or self._is_old():
            self.refresh()
        self.focus_filter()

    def refresh(self) -> None:
        """Read every figure again (F5)."""
        if self._loading:
            self._again = True
            return
        self._loading = True
        self._again = False
        self.updated_label.setText(_("Reading today's figures…"))
        self._runner.run(
            dashboard.read_dashboard,
            self.clock(),
            on_done=self._loaded,
            on_error=self._failed,
            owner=self,
        )

    def mark_stale(self) -> None:
        """Something changed elsewhere: read again when next shown."""
        self._stale = True

    def focus_filter(self) -> None:
        """The page has no filter: Ctrl+F puts the focus on the first tile instead."""
        first = self.tiles[TILES[0].key]
        if not first.hasFocus():
            first.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def shortcuts(self) -> list[tuple[str, str]]:
        """The Start page's keys, for the keyboard help (F1)."""
        return [
            ("1 … 7", _("Open the page of a tile")),
            (_("Tab, Enter"), _("Move from tile to tile; open the page of the tile chosen")),
            (self.work_out_key(), _("Work out today's purchase proposals")),
            ("F5", _("Read the figures again")),
            (_("Scan"), _("A scanned item opens it; a scanned bin shows what it holds")),
        ]

    def work_out_key(self) -> str:
        """The key of "Work out now" (its underlined letter differs by language)."""
        return self.work_out_button.shortcut().toString(QKeySequence.SequenceFormat.NativeText)

    def handle_scan(self, result: ScanResult) -> bool:
        """A scanned item opens it (a bin is left to the window: it shows its stock)."""
        if result.outcome == "item" and result.item_id is not None and "items" in self._pages:
            self.open_item_requested.emit(result.item_id)
            return True
        return False

    # --- tiles ---------------------------------------------------------------------------
    def open_tile(self, key: str) -> None:
        """Open the page of the tile ``key`` (nothing when there is no such page)."""
        target = self.tiles[key].target
        if target is not None:
            self.open_requested.emit(key)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        number = event.key() - Qt.Key.Key_0
        if modifiers == Qt.KeyboardModifier.NoModifier and 1 <= number <= len(TILES):
            self.open_tile(TILES[number - 1].key)
            return
        super().keyPressEvent(event)

    # --- reading -------------------------------------------------------------------------
    def _is_old(self) -> bool:
        if self._read_at is None:
            return True
        age = dt.datetime.now(dt.UTC) - self._read_at
        return age.total_seconds() * 1000 >= FRESH_FOR_MS

    def _tick(self) -> None:
        if self.isVisible() and self._work is None:
            self.refresh()

    def _loaded(self, figures: Dashboard) -> None:
        self._loading = False
        self._stale = False
        self._read_at = dt.datetime.now(dt.UTC)
        self.dashboard = figures
        self.error_label.hide()
        self._show(figures)
        self.loaded.emit(figures)
        if self._again:
            self.refresh()

    def _failed(self, error: HyllaError) -> None:
        self._loading = False
        self._again = False
        self.updated_label.setText("")
        self.error_label.setText(
            _("Today's figures could not be read: {reason}").format(reason=error.message)
        )
        self.error_label.show()

    def _show_header(self) -> None:
        now = self.now()
        self.greeting_label.setText(greeting(now, self._user.display_name or self._user.username))
        self.date_label.setText(format_date(self.clock(), format="full", locale=locale_name()))

    def _show(self, figures: Dashboard) -> None:
        self._show_header()
        self.updated_label.setText(
            _("Figures of {time} · F5 reads them again").format(time=self._time(figures.read_at))
        )
        self._show_to_order(figures.to_order, figures.today)
        self._show_part("backorders", figures.backorders, self._backorders)
        self._show_part("counts", figures.counts, self._counts)
        self._show_part("expiring", figures.expiring, self._expiring)
        self._show_part("receipts", figures.receipts, self._receipts)
        self._show_part("write-downs", figures.write_downs, self._write_downs)
        self._show_part("stock-value", figures.stock_value, self._stock_value)

    def _time(self, moment: dt.datetime) -> str:
        return format_time(moment.astimezone(), format="short", locale=locale_name())

    def _when(self, moment: dt.datetime) -> str:
        """A time today as 07:02, another day's with its date."""
        local = moment.astimezone()
        if local.date() == self.clock():
            return self._time(local)
        return fmt_datetime(moment)

    def _show_part(
        self,
        key: str,
        part: Any,
        show: Callable[[Any], tuple[str, str, bool, str]],
    ) -> None:
        tile = self.tiles[key]
        if isinstance(part, Unavailable):
            tile.show_unavailable(part.reason)
            return
        tile.show_figures(*show(part))

    def _show_to_order(self, part: ToOrder | Unavailable, today: dt.date) -> None:
        tile = self.tiles["to-order"]
        if isinstance(part, Unavailable):
            tile.show_unavailable(part.reason)
            return
        lines: list[str] = []
        run = part.last_run
        if run is None:
            number = "—"
            lines.append(_("Not worked out yet: press Work out now."))
        else:
            number = fmt_count(run.to_order)
            lines.append(self._run_text(run))
            if run.as_of != today:
                lines.append(
                    _("Worked out {when}, not today: press Work out now.").format(
                        when=self._when(run.worked_out_at)
                    )
                )
            else:
                lines.append(_("Worked out at {time}.").format(time=self._time(run.worked_out_at)))
        if part.needs_waiting:
            lines.append(
                ngettext(
                    "{n} customer order line waits to be bought.",
                    "{n} customer order lines wait to be bought.",
                    part.needs_waiting,
                ).format(n=fmt_count(part.needs_waiting))
            )
        if part.draft_orders:
            lines.append(
                ngettext(
                    "{n} purchase order drafted, not sent.",
                    "{n} purchase orders drafted, not sent.",
                    part.draft_orders,
                ).format(n=fmt_count(part.draft_orders))
            )
        attention = bool(
            (run is not None and run.to_order) or part.needs_waiting or part.draft_orders
        )
        tile.show_figures(
            number,
            "\n".join(lines),
            attention,
            _(
                "Items to order by the last purchase proposal run. The run reads two years of "
                "demand, so it is worked out on request, not at every start."
            ),
        )

    def _run_text(self, run: ProposalSummary) -> str:
        parts = [
            ngettext("{n} item to order", "{n} items to order", run.to_order).format(
                n=fmt_count(run.to_order)
            )
        ]
        if run.below_reorder_point:
            parts.append(
                ngettext(
                    "{n} below its reorder point",
                    "{n} below their reorder point",
                    run.below_reorder_point,
                ).format(n=fmt_count(run.below_reorder_point))
            )
        if run.for_customer_orders:
            parts.append(
                ngettext(
                    "{n} for customer orders", "{n} for customer orders", run.for_customer_orders
                ).format(n=fmt_count(run.for_customer_orders))
            )
        if run.suppliers:
            parts.append(
                ngettext("from {n} supplier", "from {n} suppliers", run.suppliers).format(
                    n=fmt_count(run.suppliers)
                )
            )
        return " · ".join(parts)

    def _backorders(self, part: Backorders) -> tuple[str, str, bool, str]:
        if not part.lines:
            return "0", _("No customer order is waiting for stock."), False, ""
        lines = [
            ngettext("order line waits for stock,", "order lines wait for stock,", part.lines)
            + " "
            + ngettext("on {n} customer order.", "on {n} customer orders.", part.orders).format(
                n=fmt_count(part.orders)
            )
        ]
        if part.late:
            lines.append(
                ngettext(
                    "{n} is past its expected date.", "{n} are past their expected date.", part.late
                ).format(n=fmt_count(part.late))
            )
        if part.next_expected is not None:
            lines.append(_("Next expected {date}.").format(date=fmt_date(part.next_expected)))
        return fmt_count(part.lines), "\n".join(lines), True, ""

    def _counts(self, part: CountsDue) -> tuple[str, str, bool, str]:
        lines: list[str] = []
        if not part.is_working_day:
            lines.append(_("Not a counting day."))
        if part.due:
            lines.append(
                ngettext(
                    "item due for its cycle count", "items due for their cycle count", part.due
                )
            )
            if part.overdue:
                lines.append(
                    ngettext(
                        "{n} of them is overdue.", "{n} of them are overdue.", part.overdue
                    ).format(n=fmt_count(part.overdue))
                )
        else:
            lines.append(_("Nothing is due for counting."))
        if part.open_counts:
            lines.append(
                ngettext(
                    "{n} cycle count is open.", "{n} cycle counts are open.", part.open_counts
                ).format(n=fmt_count(part.open_counts))
            )
        return fmt_count(part.due), "\n".join(lines), bool(part.due or part.open_counts), ""

    def _expiring(self, part: ExpiringLots) -> tuple[str, str, bool, str]:
        tip = _(
            "Lots in stock that expire within {days} days (the write-downs' warning days, "
            "a setting)."
        ).format(days=part.within_days)
        if not part.lots:
            text = ngettext(
                "No lot in stock expires within {days} day.",
                "No lot in stock expires within {days} days.",
                part.within_days,
            ).format(days=part.within_days)
            return "0", text, False, tip
        lines = [
            ngettext("lot in stock expires", "lots in stock expire", part.lots)
            + " "
            + ngettext("within {days} day.", "within {days} days.", part.within_days).format(
                days=part.within_days
            )
        ]
        if part.expired:
            lines.append(
                ngettext(
                    "{n} has expired already.", "{n} have expired already.", part.expired
                ).format(n=fmt_count(part.expired))
            )
        if part.first_expiry is not None:
            lines.append(_("First: {date}.").format(date=fmt_date(part.first_expiry)))
        return fmt_count(part.lots), "\n".join(lines), True, tip

    def _receipts(self, part: ReceiptsInProgress) -> tuple[str, str, bool, str]:
        if not part.receipts:
            return "0", _("No delivery is being received."), False, ""
        lines = [
            ngettext(
                "delivery being received, {scans} scans so far",
                "deliveries being received, {scans} scans so far",
                part.receipts,
            ).format(scans=fmt_count(part.scans))
        ]
        if part.oldest_started is not None:
            lines.append(
                _("The oldest was started {when}.").format(when=self._when(part.oldest_started))
            )
        return fmt_count(part.receipts), "\n".join(lines), True, ""

    def _write_downs(self, part: WriteDownsWaiting) -> tuple[str, str, bool, str]:
        if not part.count:
            return "0", _("No write-down is waiting for approval."), False, ""
        currency = self._currency()
        lines = [
            ngettext(
                "write-down waits for a manager, {value} in all",
                "write-downs wait for a manager, {value} in all",
                part.count,
            ).format(value=fmt_whole_money(part.value, currency))
        ]
        if part.oldest_requested is not None:
            lines.append(
                _("The oldest was asked for {when}.").format(when=self._when(part.oldest_requested))
            )
        return fmt_count(part.count), "\n".join(lines), True, ""

    def _currency(self) -> str:
        figures = self.dashboard
        if figures is not None and isinstance(figures.stock_value, StockValue):
            return figures.stock_value.currency
        return "SEK"

    def _stock_value(self, part: StockValue) -> tuple[str, str, bool, str]:
        method = _("FIFO") if part.method is CostingMethod.FIFO else _("weighted average")
        lines = [_("Valued by {method}.").format(method=method)]
        if part.turnover is not None:
            lines.append(
                _("Turns over {turnover} times a year.").format(turnover=fmt_ratio(part.turnover))
            )
            days = part.days_of_supply
            if days is not None:
                lines.append(
                    ngettext(
                        "About {n} day of stock.", "About {n} days of stock.", int(days)
                    ).format(n=fmt_count(int(days)))
                )
        else:
            lines.append(_("No turnover: there was no stock in the last year."))
        tip = _(
            "Turnover = cost of goods sold in the last {days} days ({cogs}) divided by the "
            "average of the stock value now and {days} days ago ({average}). The Stock "
            "turnover report has the exact figures, per item."
        ).format(
            days=part.days,
            cogs=fmt_whole_money(part.cogs, part.currency),
            average=fmt_whole_money(part.average_value, part.currency),
        )
        return fmt_whole_money(part.value, part.currency), "\n".join(lines), False, tip

    # --- proposals ------------------------------------------------------------------------
    def work_out_proposals(self) -> None:
        """Work today's purchase proposals out on the database worker, with progress."""
        if self._work is not None or self.tiles["to-order"].target is None:
            return
        self.work_out_button.setEnabled(False)
        self.cancel_button.show()
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status_message.emit(_("Working out today's purchase proposals…"))
        self._work = self._runner.run(
            dashboard.work_out_proposals,
            self._user.id,
            self.clock(),
            progress=self._progressed,
            on_done=self._worked_out,
            on_error=self._work_failed,
            owner=self,
        )

    def cancel_work(self) -> None:
        """Stop working the proposals out (nothing is saved)."""
        if self._work is not None:
            self._work.cancel()

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, total))

    def _end_work(self) -> None:
        self._work = None
        self.progress.hide()
        self.cancel_button.hide()
        self.work_out_button.setEnabled(True)

    def _worked_out(self, summary: ProposalSummary) -> None:
        self._end_work()
        self.status_message.emit(
            _("Purchase proposals worked out: {text}.").format(text=self._run_text(summary))
        )
        self.proposals_worked_out.emit(summary)
        # The run stored every item's ABC class: pages showing them read again.
        self.data_changed.emit()
        self.refresh()

    def _work_failed(self, error: HyllaError) -> None:
        self._end_work()
        if isinstance(error, TaskCancelled):
            self.status_message.emit(_("Working out the proposals was cancelled."))
            return
        self.status_message.emit(error.message)
        self.error_label.setText(
            _("The purchase proposals could not be worked out: {reason}").format(
                reason=error.message
            )
        )
        self.error_label.show()

    def _take_latest_run(self) -> None:
        """A run the Proposals page made (on this workstation) becomes the one the tile
        shows, and is kept for the other workstations."""
        run = self.latest_run()
        if run is None or run is self._remembered:
            return
        self._remembered = run
        self._runner.run(
            dashboard.remember_proposals,
            dashboard.summarize_run(run),
            on_done=lambda _summary: self.mark_stale(),
            on_error=lambda _error: None,  # the tile keeps the older run; nothing is lost
            owner=self,
        )
        self._stale = True


# --- the registry's hooks -------------------------------------------------------------------


def wire(page: StartPage, window: MainWindow) -> None:
    """Connect the Start page to the window: tiles open pages, a scanned item its editor,
    and the Proposals page's runs feed the "To order" tile."""
    page.open_requested.connect(lambda key: open_target(window, page, key))
    page.open_item_requested.connect(lambda item_id: window.open_page("items").open_item(item_id))

    def latest_run() -> ProposalRun | None:
        if not window.is_built("proposals"):
            return None
        run: ProposalRun | None = getattr(window.page("proposals"), "run_result", None)
        return run

    page.latest_run = latest_run


def open_target(window: MainWindow, page: StartPage, key: str) -> None:
    """Open the page of tile ``key`` and put it where the tile points: expiring lots among
    the write-down suggestions (or the stock sorted by expiry), write-downs at those
    waiting for approval, the stock value at the stock turnover report."""
    target = page.tiles[key].target
    if target is None:
        return
    opened = window.open_page(target)
    if target == "write-downs":
        _show_tab_of(opened, "suggestions_table" if key == "expiring" else "pending_table")
    elif key == "expiring" and target == "stock":
        table = getattr(opened, "table", None)
        column = getattr(opened, "EXPIRY", None)
        if table is not None and column is not None:
            table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    elif key == "stock-value" and target == "reports":
        select_report = getattr(opened, "select_report", None)
        if select_report is not None:
            from app.services.reports import ReportKind

            select_report(ReportKind.TURNOVER)


def _show_tab_of(page: Any, name: str) -> None:
    """On a page with tabs, show the tab holding its widget ``name`` (if it has both)."""
    tabs = getattr(page, "tabs", None)
    widget = getattr(page, name, None)
    if tabs is None or widget is None:
        return
    for index in range(tabs.count()):
        if tabs.widget(index).isAncestorOf(widget):
            tabs.setCurrentIndex(index)
            return
