"""The pages of the main window, in navigation order, built only when first shown.

Each entry names a page, its navigation text and shortcut, and how to build it. The
window builds a page the first time it is shown (or asked for), so start-up costs only
the page on screen: a page module, and whatever it imports (reportlab for PDFs, say), is
imported by its ``build`` function, not at start.

What every page widget offers the window (duck-typed, see :class:`Page`): ``activate``,
``refresh``, ``mark_stale`` and ``focus_filter``. The window connects the optional
signals by name: ``status_message(str)`` to the status bar, ``feedback(tone, title,
detail, since)`` to the scan banner, ``link_requested(result)`` to the link-a-barcode
dialog, and ``data_changed()`` to every other built page's ``mark_stale`` (so a page
shows fresh data when next opened). A page that takes scans has ``handle_scan(result)``
(return True when used) or ``handle_raw_scan(text, since)``. Anything page-specific is
done in the entry's ``wire`` function.

Adding a page is one entry in :data:`PAGES` (before Settings, which stays last).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from app.i18n import _

if TYPE_CHECKING:
    from app.services.users import UserRef
    from app.ui.main_window import MainWindow
    from app.ui.runner import Runner


class Page(Protocol):
    """What the main window calls on every page."""

    def activate(self) -> None: ...
    def refresh(self) -> None: ...
    def mark_stale(self) -> None: ...
    def focus_filter(self) -> None: ...


@dataclass(frozen=True)
class PageContext:
    """What a page is built with: the database worker, who is working, the workstation's
    settings, and the window (for pages that open another page or show feedback)."""

    runner: Runner
    user: UserRef
    settings: QSettings
    window: MainWindow


@dataclass(frozen=True)
class PageSpec:
    """One page in the navigation.

    ``key`` also names its icon in resources/icons; ``title`` and ``tip`` are functions so
    the text is translated in the language active when the window is built.
    """

    key: str
    title: Callable[[], str]
    tip: Callable[[], str]
    build: Callable[[PageContext], QWidget]
    shortcut: str | None = None
    wire: Callable[[Any, MainWindow], None] | None = None


# --- builders (each imports its page module only when the page is first shown) -------------


def _start(ctx: PageContext) -> QWidget:
    from app.ui.start_page import StartPage

    return StartPage(
        ctx.runner,
        ctx.user,
        settings=ctx.settings,
        pages=page_keys(),
        page_titles={spec.key: spec.title() for spec in PAGES},
    )


def _wire_start(page: Any, window: MainWindow) -> None:
    from app.ui.start_page import wire

    wire(page, window)


def _items(ctx: PageContext) -> QWidget:
    from app.ui.items_page import ItemsPage

    return ItemsPage(ctx.runner, ctx.user)


def _stock(ctx: PageContext) -> QWidget:
    from app.ui.stock_page import StockPage

    return StockPage(ctx.runner, ctx.user)


def _wire_stock(page: Any, window: MainWindow) -> None:
    page.open_item_requested.connect(lambda item_id: window.page("items").open_item(item_id))
    page.write_down_requested.connect(lambda row: window.open_page("write-downs").write_down(row))
    splitter = window.settings.value("stock/splitter")
    if splitter is not None:
        page.splitter.restoreState(splitter)


def _locations(ctx: PageContext) -> QWidget:
    from app.ui.locations_page import LocationsPage

    return LocationsPage(ctx.runner, ctx.user, settings=ctx.settings)


def _purchase_orders(ctx: PageContext) -> QWidget:
    from app.ui.purchase_orders_page import PurchaseOrdersPage

    return PurchaseOrdersPage(ctx.runner, ctx.user, settings=ctx.settings)


def _wire_purchase_orders(page: Any, window: MainWindow) -> None:
    page.receive_requested.connect(window.receive_order)


def _proposals(ctx: PageContext) -> QWidget:
    from app.ui.proposals_page import ProposalsPage

    return ProposalsPage(ctx.runner, ctx.user, settings=ctx.settings)


def _receiving(ctx: PageContext) -> QWidget:
    from app.ui.receiving_page import ReceivingPage

    return ReceivingPage(ctx.runner, ctx.user, settings=ctx.settings)


def _counts(ctx: PageContext) -> QWidget:
    from app.ui.counts_page import CountsPage

    return CountsPage(ctx.runner, ctx.user, settings=ctx.settings)


def _wire_counts(page: Any, window: MainWindow) -> None:
    page.due_changed.connect(window.show_due_counts)


def _reports(ctx: PageContext) -> QWidget:
    from app.ui.reports_page import ReportsPage

    return ReportsPage(ctx.runner, settings=ctx.settings)


def _write_downs(ctx: PageContext) -> QWidget:
    from app.ui.write_downs_page import WriteDownsPage

    return WriteDownsPage(ctx.runner, ctx.user, settings=ctx.settings)


def _orders(ctx: PageContext) -> QWidget:
    from app.ui.orders_page import OrdersPage

    return OrdersPage(ctx.runner, ctx.user, settings=ctx.settings)


def _wire_orders(page: Any, window: MainWindow) -> None:
    page.pick_requested.connect(lambda order_id: window.open_page("picking").pick_order(order_id))


def _picking(ctx: PageContext) -> QWidget:
    from app.ui.pick_screen import PickScreen

    return PickScreen(ctx.runner, ctx.user, settings=ctx.settings)


def _users(ctx: PageContext) -> QWidget:
    from app.ui.users_page import UsersPage

    return UsersPage(ctx.runner, ctx.user, settings=ctx.settings)


def _audit(ctx: PageContext) -> QWidget:
    from app.ui.audit_page import AuditPage

    return AuditPage(ctx.runner, ctx.user, settings=ctx.settings)


def _database(ctx: PageContext) -> QWidget:
    from app.ui.database_page import DatabasePage

    return DatabasePage(ctx.runner, ctx.user, settings=ctx.settings)


def _settings(ctx: PageContext) -> QWidget:
    from app.ui.settings_page import SettingsPage

    return SettingsPage(ctx.window.scanner, ctx.settings, ctx.window.sounds)


PAGES: list[PageSpec] = [
    PageSpec(
        "start",
        lambda: _("Start"),
        lambda: _("What needs doing today, each a key away from its page (Ctrl+0)"),
        _start,
        "Ctrl+0",
        _wire_start,
    ),
    PageSpec(
        "items",
        lambda: _("Items"),
        lambda: _("Every item: find, create and edit (Ctrl+1)"),
        _items,
        "Ctrl+1",
    ),
    PageSpec(
        "stock",
        lambda: _("Stock"),
        lambda: _("Stock per bin and lot, with its value (Ctrl+2)"),
        _stock,
        "Ctrl+2",
        _wire_stock,
    ),
    PageSpec(
        "locations",
        lambda: _("Locations"),
        lambda: _("The bins, what they hold, their labels (Ctrl+3)"),
        _locations,
        "Ctrl+3",
    ),
    PageSpec(
        "purchase-orders",
        lambda: _("Purchase orders"),
        lambda: _("Orders to suppliers: make, send, print, receive (Ctrl+4)"),
        _purchase_orders,
        "Ctrl+4",
        _wire_purchase_orders,
    ),
    PageSpec(
        "proposals",
        lambda: _("Proposals"),
        lambda: _("What to order today, from whom, and why (Ctrl+9)"),
        _proposals,
        "Ctrl+9",
    ),
    PageSpec(
        "receiving",
        lambda: _("Receiving"),
        lambda: _("Scan deliveries in against their orders (Ctrl+5)"),
        _receiving,
        "Ctrl+5",
    ),
    PageSpec(
        "counts",
        lambda: _("Counts"),
        lambda: _("Cycle counts, stock-takes and their review (Ctrl+6)"),
        _counts,
        "Ctrl+6",
        _wire_counts,
    ),
    PageSpec(
        "reports",
        lambda: _("Reports"),
        lambda: _("Stock turnover, write-downs, valuation, dead stock, ABC: PDF or CSV"),
        _reports,
    ),
    PageSpec(
        "write-downs",
        lambda: _("Write-downs"),
        lambda: _("Scrap or write down expired, damaged and obsolete stock; approvals"),
        _write_downs,
    ),
    PageSpec(
        "orders",
        lambda: _("Orders"),
        lambda: _("Customer orders and customers: enter, confirm, follow (Ctrl+7)"),
        _orders,
        "Ctrl+7",
        _wire_orders,
    ),
    PageSpec(
        "picking",
        lambda: _("Picking"),
        lambda: _("Pick orders by scanning, then ship them (Ctrl+8)"),
        _picking,
        "Ctrl+8",
    ),
    PageSpec(
        "users",
        lambda: _("Users"),
        lambda: _("Who works in Hylla, and in which role"),
        _users,
    ),
    PageSpec(
        "audit",
        lambda: _("Audit trail"),
        lambda: _("Who changed what and when"),
        _audit,
    ),
    PageSpec(
        "database",
        lambda: _("Database"),
        lambda: _("Which database is in use; backups and restore"),
        _database,
    ),
    # New pages go above this line; Settings stays last.
    PageSpec(
        "settings",
        lambda: _("Settings"),
        lambda: _("The language and the scanner of this workstation, and a scanner test"),
        _settings,
    ),
]


def page_keys() -> list[str]:
    """The keys of every page, in navigation order."""
    return [spec.key for spec in PAGES]
