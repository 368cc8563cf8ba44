"""The main window: a navigation list on the left (only areas that work), the current
page on the right, and a status bar that says where the data is and who is working.

Scans arrive here from the application-wide :class:`ScannerInput` (or from the "type a
code" field in the toolbar), are resolved on the database worker and shown in a large
banner with a sound, then handed to the page on screen; an unknown code opens the
dialog that links it to an item."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.services import scanning
from app.services.errors import HyllaError
from app.services.users import UserRef
from app.ui.pages import PAGES, PageContext, page_keys
from app.ui.runner import Runner
from app.ui.scan_feedback import ScanBanner, ScanSounds, Tone, scan_tone
from app.ui.scanner import ScannerInput, load_setup
from app.ui.settings_page import sounds_enabled
from app.ui.widgets import icon

# What only some scans, the F1 help or the Counts entry need is imported when first
# needed (the counting service alone is a tenth of a second): start-up imports only what
# the window and its first page show.
if TYPE_CHECKING:
    from app.services.counting import DueCounts
    from app.services.scanning import ScanResult
    from app.ui.item_editor import ItemEditor
    from app.ui.link_barcode_dialog import LinkBarcodeDialog
    from app.ui.shortcuts_help import ShortcutsHelp

log = logging.getLogger(__name__)

DEFAULT_SIZE = QSize(1280, 800)
STATUS_TIMEOUT_MS = 10_000
# The "working…" hint appears only for work that takes noticeably long.
BUSY_HINT_DELAY_MS = 400
# After the first page's data arrives, time for it to paint before other start-up work.
FIRST_PAINT_GRACE_MS = 150
# Pages whose own "new" button Ctrl+N presses (the Orders page: a new order, or a new
# customer on its Customers tab); on every other page Ctrl+N makes a new item.
PAGES_WITH_NEW = frozenset({"locations", "users", "orders", "purchase-orders"})


def _button_text(button: QAbstractButton) -> str:
    """A button's text as a sentence: without its mnemonic "&" or trailing "…"."""
    return button.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…")


def _due_counts(session: Any, today: dt.date) -> DueCounts:
    """``counting.due_counts``, imported on the database worker when first run (the
    window's start does not wait for the counting service's import)."""
    from app.services.counting import due_counts

    return due_counts(session, today)


class MainWindow(QMainWindow):
    """Hylla's one window."""

    #: Every scan once resolved (a ScanResult), after the banner shows it.
    scan_resolved = Signal(object)
    #: The link dialog for an unknown code opened (the dialog).
    link_dialog_opened = Signal(object)
    #: Today's due cycle counts are known (a DueCounts), shown on the Counts entry.
    due_counts_shown = Signal(object)
    #: The window closed (after any unsaved editor agreed): Hylla's session ends.
    closed = Signal()

    def __init__(
        self,
        runner: Runner,
        user: UserRef,
        database: str,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
        scanner: ScannerInput | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._user = user
        self._settings = settings if settings is not None else QSettings()
        # The scanner filter is installed on the application by app.py; a window made
        # without one still takes typed codes through the same path.
        if scanner is None:
            scanner = ScannerInput(load_setup(self._settings), self)
        self.scanner = scanner
        self.scanner.set_home(self)
        self.sounds = ScanSounds(sounds_enabled(self._settings))
        #: Today's date (tests set another day).
        self.clock: Callable[[], dt.date] = dt.date.today
        #: Milliseconds from the end of the last scan to its result on screen.
        self.last_scan_latency_ms: float | None = None
        self.setWindowTitle(_("Hylla — {database}").format(database=database))
        self.setWindowIcon(icon("hylla"))

        self.pages = QStackedWidget()
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFrameShape(QFrame.Shape.NoFrame)
        self.nav.setIconSize(QSize(22, 22))
        self.nav.setFixedWidth(180)
        self.nav.setSpacing(2)
        # Pages are reached with Ctrl+1…; the list need not take the keyboard focus.
        self.nav.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.nav.setStyleSheet(
            "QListWidget#navigation { background: palette(window); padding-top: 8px; }"
            "QListWidget#navigation::item { padding: 8px 10px; border-radius: 4px; }"
            "QListWidget#navigation::item:selected { background: palette(highlight);"
            " color: palette(highlighted-text); }"
        )
        # Every page starts as an empty stand-in; the real one is built when first shown.
        self._specs = list(PAGES)
        self._built: dict[str, Any] = {}
        self._entries: dict[str, QListWidgetItem] = {}
        for spec in self._specs:
            self.pages.addWidget(QWidget())
            entry = QListWidgetItem(icon(spec.key), spec.title())
            entry.setToolTip(spec.tip())
            self.nav.addItem(entry)
            self._entries[spec.key] = entry
            if spec.shortcut:
                QShortcut(
                    QKeySequence(spec.shortcut), self, lambda key=spec.key: self.open_page(key)
                )
        self.counts_entry = self._entries["counts"]
        separator = QFrame()
        separator.setFrameShape(QFrame.Shape.VLine)
        separator.setFrameShadow(QFrame.Shadow.Sunken)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(separator)
        self.banner = ScanBanner()
        self.banner.shown.connect(self._scan_shown)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(0)
        banner_row = QHBoxLayout()
        banner_row.setContentsMargins(12, 8, 12, 0)
        banner_row.addWidget(self.banner)
        right.addLayout(banner_row)
        right.addWidget(self.pages, 1)
        layout.addLayout(right, 1)
        self.setCentralWidget(central)
        self._build_scan_toolbar()

        self.busy_label = QLabel(_("Working…"))
        self.busy_label.hide()
        # Work whose end is not known (no progress of its own): a bar that moves to and fro.
        self.busy_bar = QProgressBar()
        self.busy_bar.setObjectName("busy_bar")
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedSize(90, 12)
        self.busy_bar.hide()
        self.database_label = QLabel(_("Database: {where}").format(where=database))
        self.database_label.setToolTip(database)
        self.user_label = QLabel(_("User: {name}").format(name=user.display_name or user.username))
        for label in (self.busy_label, self.database_label, self.user_label):
            label.setContentsMargins(10, 0, 10, 0)
        status = self.statusBar()
        status.addPermanentWidget(self.busy_bar)
        status.addPermanentWidget(self.busy_label)
        status.addPermanentWidget(self.database_label)
        status.addPermanentWidget(self.user_label)
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_HINT_DELAY_MS)
        self._busy_timer.timeout.connect(self.busy_label.show)
        self._busy_timer.timeout.connect(self.busy_bar.show)
        runner.busy_changed.connect(self._busy_changed)

        self.nav.currentRowChanged.connect(self._show_page)
        self.scanner.scanned.connect(self.handle_scan)

        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_filter)
        QShortcut(QKeySequence.StandardKey.New, self, self.new_in_page)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.refresh)
        QShortcut(QKeySequence(Qt.Key.Key_F1), self, self.show_shortcuts)

        self._restore_state()

    # --- pages ---------------------------------------------------------------------------
    @property
    def settings(self) -> QSettings:
        """This workstation's settings (window state, scanner set-up)."""
        return self._settings

    @property
    def user(self) -> UserRef:
        """Who is working now."""
        return self._user

    def index_of(self, key: str) -> int:
        """The navigation row of the page named ``key``."""
        for index, spec in enumerate(self._specs):
            if spec.key == key:
                return index
        raise KeyError(key)

    def key_at(self, index: int) -> str:
        """The name of the page at navigation row ``index``."""
        return self._specs[index].key

    def is_built(self, key: str) -> bool:
        """Whether the page named ``key`` has been built (shown or asked for) yet."""
        return key in self._built

    def page(self, key: str) -> Any:
        """The page named ``key``, built now if it has not been shown before."""
        built = self._built.get(key)
        if built is not None:
            return built
        index = self.index_of(key)
        spec = self._specs[index]
        context = PageContext(self._runner, self._user, self._settings, self)
        started = time.perf_counter()
        page = spec.build(context)
        self._connect_page(key, page)
        if spec.wire is not None:
            spec.wire(page, self)
        placeholder = self.pages.widget(index)
        # Swapping the stand-in must not switch pages or signal a change of page.
        current = self.pages.currentIndex()
        self.pages.blockSignals(True)
        self.pages.insertWidget(index, page)
        if placeholder is not None:
            self.pages.removeWidget(placeholder)
        self.pages.setCurrentIndex(current)
        self.pages.blockSignals(False)
        if placeholder is not None:
            placeholder.deleteLater()
        self._built[key] = page
        log.debug("page %s built in %.0f ms", key, (time.perf_counter() - started) * 1000)
        return page

    def _connect_page(self, key: str, page: QWidget) -> None:
        """Connect the signals every page may have (see app/ui/pages.py)."""
        status = getattr(page, "status_message", None)
        if status is not None:
            status.connect(self.show_status)
        feedback = getattr(page, "feedback", None)
        if feedback is not None:
            feedback.connect(self.show_feedback)
        link = getattr(page, "link_requested", None)
        if link is not None:
            link.connect(lambda result: self.open_link_dialog(result, page))
        changed = getattr(page, "data_changed", None)
        if changed is not None:
            changed.connect(lambda: self.mark_others_stale(key))

    def mark_others_stale(self, key: str) -> None:
        """A page changed data: every other built page reloads when next shown."""
        for other, page in self._built.items():
            mark = getattr(page, "mark_stale", None)
            if other != key and mark is not None:
                mark()

    def open_page(self, key: str) -> Any:
        """Show the page named ``key`` and return it."""
        self.show_page(self.index_of(key))
        return self.page(key)

    # The pages older code and tests reach by name.
    items_page = property(lambda self: self.page("items"))
    stock_page = property(lambda self: self.page("stock"))
    locations_page = property(lambda self: self.page("locations"))
    purchase_orders_page = property(lambda self: self.page("purchase-orders"))
    receiving_page = property(lambda self: self.page("receiving"))
    counts_page = property(lambda self: self.page("counts"))
    settings_page = property(lambda self: self.page("settings"))
    ITEMS = property(lambda self: self.index_of("items"))
    STOCK = property(lambda self: self.index_of("stock"))
    LOCATIONS = property(lambda self: self.index_of("locations"))
    PURCHASE_ORDERS = property(lambda self: self.index_of("purchase-orders"))
    RECEIVING = property(lambda self: self.index_of("receiving"))
    COUNTS = property(lambda self: self.index_of("counts"))
    SETTINGS = property(lambda self: self.index_of("settings"))

    def start(self) -> None:
        """Load the page shown first (called once the window is on screen), then find out
        which counts are due today for the Counts entry (without building that page).

        The due counts wait until the first page's data has arrived and had a moment to
        paint: worked out at once, they would share the interpreter with the page
        building its rows and delay what the user came for."""
        self.current_page().activate()
        if self._runner.pending_count():
            self._runner.busy_changed.connect(self._first_page_idle)
        else:
            self._load_due_counts()

    def _first_page_idle(self, busy: bool) -> None:
        if busy:
            return
        self._runner.busy_changed.disconnect(self._first_page_idle)
        # The page's rows are handed over right after this signal; its paint follows.
        QTimer.singleShot(FIRST_PAINT_GRACE_MS, self, self._load_due_counts)

    def _load_due_counts(self) -> None:
        try:
            self._runner.run(
                _due_counts,
                self.clock(),
                on_done=self.show_due_counts,
                on_error=lambda _error: None,  # the Counts page says why when opened
                owner=self,
            )
        except RuntimeError:
            # The window closed within the grace time and its worker has stopped.
            log.debug("due counts not loaded: the database worker has stopped")

    def current_page(self) -> Any:
        """The page on screen."""
        return self.page(self.key_at(max(self.nav.currentRow(), 0)))

    def set_user(self, user: UserRef) -> None:
        """Carry on as ``user`` without closing the window: every page is built again for
        them when next shown (what a page offers may depend on the user's role)."""
        self._user = user
        self.user_label.setText(_("User: {name}").format(name=user.display_name or user.username))
        current = max(self.nav.currentRow(), 0)
        if "stock" in self._built:
            self._settings.setValue("stock/splitter", self._built["stock"].splitter.saveState())
        for key, page in list(self._built.items()):
            index = self.index_of(key)
            self.pages.blockSignals(True)
            self.pages.insertWidget(index, QWidget())
            self.pages.removeWidget(page)
            self.pages.blockSignals(False)
            page.deleteLater()
        self._built.clear()
        self.pages.setCurrentIndex(current)
        self.current_page().activate()

    def show_due_counts(self, due: DueCounts) -> None:
        """Today's due cycle counts on the Counts entry, in bold while any are due."""
        n = len(due.items)
        # The number alone fits the narrow list; the tooltip says what it counts.
        self.counts_entry.setText(_("Counts ({n})").format(n=n) if n else _("Counts"))
        tip = _("Cycle counts, stock-takes and their review (Ctrl+6)")
        if n:
            tip += "\n" + ngettext(
                "{n} item is due for its cycle count today.",
                "{n} items are due for their cycle count today.",
                n,
            ).format(n=n)
        self.counts_entry.setToolTip(tip)
        font = self.counts_entry.font()
        font.setBold(bool(n))
        self.counts_entry.setFont(font)
        self.due_counts_shown.emit(due)

    def receive_order(self, po_id: int) -> None:
        """Open the Receiving page on purchase order ``po_id``."""
        self.open_page("receiving").receive_order(po_id)

    def show_page(self, index: int) -> None:
        """Switch to the page at navigation row ``index`` (see :meth:`index_of`)."""
        self.nav.setCurrentRow(index)

    def _show_page(self, index: int) -> None:
        if index < 0:
            return
        previous = self.pages.currentIndex()
        if previous != index and self.key_at(previous) in self._built:
            leaving = self._built[self.key_at(previous)]
            deactivate = getattr(leaving, "deactivate", None)
            if deactivate is not None:
                deactivate()
        page = self.page(self.key_at(index))
        self.pages.setCurrentIndex(index)
        page.activate()

    def refresh(self) -> None:
        """Reload the page on screen (F5)."""
        self.current_page().refresh()
        self.show_status(_("Refreshing…"))

    def refresh_all(self) -> None:
        """Reload the page on screen and let the others reload when shown."""
        current = self.current_page()
        for page in self._built.values():
            mark = getattr(page, "mark_stale", None)
            if page is not current and mark is not None:
                mark()
        current.refresh()

    def show_shortcuts(self) -> ShortcutsHelp:
        """The keyboard help (F1): the window's keys, the pages', the current page's."""
        from app.ui.shortcuts_help import ShortcutsHelp

        everywhere = [
            ("F1", _("This list of keys")),
            ("Ctrl+F", _("Find: the filter of the page on screen")),
            ("Ctrl+N", self._new_text()),
            ("F5", _("Reload the page on screen")),
        ]
        pages = [(spec.shortcut, spec.title()) for spec in self._specs if spec.shortcut]
        page = self.current_page()
        own = getattr(page, "shortcuts", None)
        index = max(self.nav.currentRow(), 0)
        dialog = ShortcutsHelp(
            everywhere, pages, own() if own is not None else [], self._specs[index].title(), self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def focus_filter(self) -> None:
        """Put the cursor in the current page's filter (Ctrl+F)."""
        self.current_page().focus_filter()

    def new_item(self) -> None:
        """Open the editor for a new item, from any page."""
        self.open_page("items").new_item()

    def new_in_page(self) -> None:
        """Ctrl+N: the "new" of the page on screen (a bin on Locations, a customer on the
        Customers tab…), a new item on pages that make nothing new of their own.

        The page's own button is pressed, so Ctrl+N can do no more than the button: where
        the user's role keeps it disabled, the status bar says why instead."""
        button = self._new_button()
        if button is None:
            self.new_item()
        elif button.isEnabled():
            button.click()
        else:
            # A disabled "new" button's tooltip says why (the user's role).
            self.statusBar().showMessage(button.toolTip(), STATUS_TIMEOUT_MS)

    def _new_button(self) -> QAbstractButton | None:
        """The "new" button of the page on screen, when its Ctrl+N should press it."""
        key = self.key_at(max(self.nav.currentRow(), 0))
        if key not in PAGES_WITH_NEW:
            return None
        page = self.current_page()
        if key == "orders" and page.tabs.currentIndex() == page.CUSTOMERS_TAB:
            page = page.customers
        button: QAbstractButton = page.new_button
        return button

    def _new_text(self) -> str:
        """What Ctrl+N does on the page on screen, for the F1 list."""
        button = self._new_button()
        return _("New item") if button is None else _button_text(button)

    # --- scans -----------------------------------------------------------------------------
    def _build_scan_toolbar(self) -> None:
        """The "type a code" field, always there for labels that will not scan."""
        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("manual_code")
        self.code_edit.setPlaceholderText(_("Type a code (when a label will not scan)"))
        self.code_edit.setToolTip(
            _("A typed code and Enter work exactly as a scan of it; GS1 codes as (01)…(10)….")
        )
        self.code_edit.setClearButtonEnabled(True)
        self.code_edit.addAction(icon("scan"), QLineEdit.ActionPosition.LeadingPosition)
        self.code_edit.setMinimumWidth(320)
        self.code_edit.returnPressed.connect(self._submit_typed_code)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar = QToolBar(_("Scanning"))
        toolbar.setObjectName("scan_toolbar")
        toolbar.setMovable(False)
        toolbar.setFloatable(False)
        toolbar.toggleViewAction().setEnabled(False)
        toolbar.addWidget(spacer)
        toolbar.addWidget(self.code_edit)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)

    def _submit_typed_code(self) -> None:
        text = self.code_edit.text()
        self.code_edit.clear()
        self.scanner.submit(text)

    def handle_scan(self, text: str) -> None:
        """Resolve a scanned (or typed) code on the worker, then show it and deliver it to
        the page on screen.

        A page with ``handle_raw_scan(text, since)`` takes the text as scanned instead
        (receiving resolves and saves a scan in one transaction; resolving it here first
        would cost a second round trip) and reports back through :meth:`show_feedback`.
        """
        since = time.perf_counter()
        page = self.current_page()
        raw_handler = getattr(page, "handle_raw_scan", None)
        if raw_handler is not None:
            raw_handler(text, since)
            return
        self.handle_scan_on(text, page, since=since)

    def handle_scan_on(self, text: str, page: QWidget, since: float | None = None) -> None:
        """Resolve ``text`` and deliver it to ``page`` (the page a scan is meant for).

        ``since`` is when the scan ended, for measuring how long its result takes to
        reach the screen (:attr:`last_scan_latency_ms`).
        """
        self._runner.run(
            scanning.resolve_scan,
            text,
            on_done=lambda result: self._scan_done(result, page, since),
            on_error=self._scan_failed,
            owner=self,
        )

    def _scan_done(self, result: ScanResult, page: QWidget, since: float | None) -> None:
        if result.outcome == "unknown" and _is_test_label(result.raw):
            self.banner.show_result(
                Tone.INFO,
                _("This is the scanner test label"),
                _("To test the scanner, open Settings and press “Start test”."),
                since,
            )
            self.scan_resolved.emit(result)
            return
        self.show_scan_result(result, since)
        if result.outcome in ("item", "bin"):
            self._deliver(result, page)
        elif _can_link(result):
            self.open_link_dialog(result, page)

    def show_scan_result(self, result: ScanResult, since: float | None = None) -> None:
        """The banner and the sound for ``result``."""
        tone = scan_tone(result)
        if result.outcome == "item":
            detail = _("SKU {sku}").format(sku=result.sku)
            if result.problem or result.warning:
                detail = f"{result.problem or result.warning}  ·  {detail}"
        else:
            detail = result.problem or ""
        if detail == result.message:
            detail = ""
        self.banner.show_result(tone, result.message, detail, since)
        # On screen now, before the page does its part (which may take longer).
        self.banner.repaint()
        self.sounds.play(tone)
        self.scan_resolved.emit(result)

    def show_feedback(
        self, tone: Tone, title: str, detail: str = "", since: float | None = None
    ) -> None:
        """The banner and the sound for a page's own scan result (``since``: when the scan
        ended, for :attr:`last_scan_latency_ms`)."""
        self.banner.show_result(tone, title, detail if detail != title else "", since)
        self.banner.repaint()
        self.sounds.play(tone)

    def _deliver(self, result: ScanResult, page: QWidget) -> None:
        """Hand a resolved scan to ``page``; a bin that page has no use for shows the
        stock in that bin."""
        handler = getattr(page, "handle_scan", None)
        if handler is not None and handler(result):
            return
        if result.outcome == "bin":
            self.open_page("stock").handle_scan(result)

    def _scan_failed(self, error: HyllaError) -> None:
        self.banner.show_result(Tone.PROBLEM, _("The scan could not be read"), error.message)
        self.sounds.play(Tone.PROBLEM)

    def _scan_shown(self, elapsed_ms: float) -> None:
        self.last_scan_latency_ms = elapsed_ms
        log.debug("scan shown %.1f ms after its last key", elapsed_ms)

    def open_link_dialog(
        self, result: ScanResult, page: QWidget | None = None
    ) -> LinkBarcodeDialog:
        """Offer to link an unknown code to an item (or to create one); then carry on
        with the scan on ``page``, the page it interrupted."""
        from app.ui.link_barcode_dialog import LinkBarcodeDialog

        target = page if page is not None else self.current_page()
        dialog = LinkBarcodeDialog(self._runner, self._user, result, self)
        dialog.linked.connect(lambda linked: self._linked(linked, target))
        dialog.create_requested.connect(
            lambda code: self._create_item_for(code, result.raw, target)
        )
        dialog.open()
        self.link_dialog_opened.emit(dialog)
        return dialog

    def _linked(self, result: ScanResult, page: QWidget) -> None:
        for key in ("items", "stock"):
            if key in self._built:
                self._built[key].mark_stale()
        if self.current_page() is self._built.get("items"):
            # The list filters by barcode too: reload it, keeping the linked item selected.
            self.items_page.refresh(select_item=result.item_id)
        self.show_status(_("Barcode linked to {sku}.").format(sku=result.sku))
        self._scan_done(result, page, None)

    def _create_item_for(self, code: str, raw: str, page: QWidget) -> ItemEditor:
        items_page = self.open_page("items")
        editor: ItemEditor = items_page.new_item()

        def prefill() -> None:
            rows = editor.barcodes.rows()
            row = rows[0] if rows else editor.barcodes.add_row()
            row.code_edit.setText(code)
            row.edited.emit()  # an unsaved barcode makes Cancel ask first

        def created(_detail: object) -> None:
            # The new item has its code now: the scan that found nothing finds it. On the
            # Items page that work is done (the list selects the new item).
            if page is not items_page:
                self.handle_scan_on(raw, page)

        editor.loaded.connect(prefill)
        editor.saved.connect(created)
        return editor

    # --- status bar ------------------------------------------------------------------------
    def show_status(self, message: str) -> None:
        """Tell the user what just happened."""
        self.statusBar().showMessage(message, STATUS_TIMEOUT_MS)

    def _busy_changed(self, busy: bool) -> None:
        if busy:
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self.busy_label.hide()
            self.busy_bar.hide()

    # --- window state ----------------------------------------------------------------------
    def _restore_state(self) -> None:
        geometry = self._settings.value("main/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            screen = QGuiApplication.primaryScreen()
            size = QSize(DEFAULT_SIZE)
            if screen is not None:
                size = size.boundedTo(screen.availableGeometry().size())
            self.resize(size)
        # The page is remembered by name: pages added in a later version keep it right.
        key = self._settings.value("main/page", "start")
        if key not in page_keys() or key == "settings":
            key = "start"
        index = self.index_of(str(key))
        self.nav.blockSignals(True)
        self.nav.setCurrentRow(index)
        self.nav.blockSignals(False)
        self.page(str(key))
        self.pages.setCurrentIndex(index)

    def save_state(self) -> None:
        """Remember size, position, splitter and page for the next start."""
        self._settings.setValue("main/geometry", self.saveGeometry())
        if "stock" in self._built:
            self._settings.setValue("stock/splitter", self._built["stock"].splitter.saveState())
        self._settings.setValue("main/page", self.key_at(max(self.nav.currentRow(), 0)))
        self._settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        # An open editor with unsaved changes asks first; "Keep editing" keeps Hylla open.
        from app.ui.item_editor import ItemEditor

        for editor in self.findChildren(ItemEditor):
            if editor.isVisible() and not editor.close():
                event.ignore()
                return
        self.save_state()
        super().closeEvent(event)
        self.closed.emit()


def _is_test_label(raw: str) -> bool:
    """Whether ``raw`` is the scanner test label (its module is loaded at the first code
    nobody knows, not at start)."""
    from app.barcodes.diagnose import is_test_label

    return is_test_label(raw)


def _can_link(result: ScanResult) -> bool:
    """Whether an unresolved scan can be linked to an item (the link dialog's module is
    loaded at the first such scan)."""
    from app.ui.link_barcode_dialog import can_link

    return can_link(result)
