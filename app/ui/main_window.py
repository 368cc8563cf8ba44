"""The main window: a navigation list on the left (only areas that work), the current
page on the right, and a status bar that says where the data is and who is working.

Scans arrive here from the application-wide :class:`ScannerInput` (or from the "type a
code" field in the toolbar), are resolved on the database worker and shown in a large
banner with a sound, then handed to the page on screen; an unknown code opens the
dialog that links it to an item."""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.barcodes.diagnose import is_test_label
from app.i18n import _, ngettext
from app.services import scanning
from app.services.counting import DueCounts
from app.services.errors import HyllaError
from app.services.scanning import ScanResult
from app.services.users import UserRef
from app.ui.counts_page import CountsPage
from app.ui.item_editor import ItemEditor
from app.ui.items_page import ItemsPage
from app.ui.link_barcode_dialog import LinkBarcodeDialog, can_link
from app.ui.locations_page import LocationsPage
from app.ui.purchase_orders_page import PurchaseOrdersPage
from app.ui.receiving_page import ReceivingPage
from app.ui.runner import Runner
from app.ui.scan_feedback import ScanBanner, ScanSounds, Tone
from app.ui.scanner import ScannerInput, load_setup
from app.ui.settings_page import SettingsPage, sounds_enabled
from app.ui.stock_page import StockPage
from app.ui.widgets import icon

log = logging.getLogger(__name__)

DEFAULT_SIZE = QSize(1280, 800)
STATUS_TIMEOUT_MS = 10_000
# The "working…" hint appears only for work that takes noticeably long.
BUSY_HINT_DELAY_MS = 400


class MainWindow(QMainWindow):
    """Hylla's one window."""

    #: Every scan once resolved (a ScanResult), after the banner shows it.
    scan_resolved = Signal(object)
    #: The link dialog for an unknown code opened (the dialog).
    link_dialog_opened = Signal(object)

    ITEMS, STOCK, LOCATIONS, PURCHASE_ORDERS, RECEIVING = range(5)

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
        #: Milliseconds from the end of the last scan to its result on screen.
        self.last_scan_latency_ms: float | None = None
        self.setWindowTitle(_("Hylla — {database}").format(database=database))
        self.setWindowIcon(icon("hylla"))

        self.items_page = ItemsPage(runner, user)
        self.stock_page = StockPage(runner)
        self.locations_page = LocationsPage(runner, user, settings=self._settings)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.items_page)
        self.pages.addWidget(self.stock_page)
        self.pages.addWidget(self.locations_page)
        self.purchase_orders_page = PurchaseOrdersPage(runner, user, settings=self._settings)
        self.receiving_page = ReceivingPage(runner, user, settings=self._settings)
        self.pages.addWidget(self.purchase_orders_page)
        self.pages.addWidget(self.receiving_page)

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFrameShape(QFrame.Shape.NoFrame)
        self.nav.setIconSize(QSize(22, 22))
        self.nav.setFixedWidth(180)
        self.nav.setSpacing(2)
        # Pages are reached with Ctrl+1/Ctrl+2; the list need not take the keyboard focus.
        self.nav.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.nav.setStyleSheet(
            "QListWidget#navigation { background: palette(window); padding-top: 8px; }"
            "QListWidget#navigation::item { padding: 8px 10px; border-radius: 4px; }"
            "QListWidget#navigation::item:selected { background: palette(highlight);"
            " color: palette(highlighted-text); }"
        )
        for name, title, tip in (
            ("items", _("Items"), _("Every item: find, create and edit (Ctrl+1)")),
            ("stock", _("Stock"), _("Stock per bin and lot, with its value (Ctrl+2)")),
            ("locations", _("Locations"), _("The bins, what they hold, their labels (Ctrl+3)")),
            (
                "purchase-orders",
                _("Purchase orders"),
                _("Orders to suppliers: make, send, print, receive (Ctrl+4)"),
            ),
            ("receiving", _("Receiving"), _("Scan deliveries in against their orders (Ctrl+5)")),
        ):
            entry = QListWidgetItem(icon(name), title)
            entry.setToolTip(tip)
            self.nav.addItem(entry)
        # Counts: today's due cycle counts show on its entry once known (check_due).
        self.counts_page = CountsPage(runner, user, settings=self._settings)
        self.pages.addWidget(self.counts_page)
        self.COUNTS = self.pages.indexOf(self.counts_page)
        self.counts_entry = QListWidgetItem(icon("counts"), _("Counts"))
        self.counts_entry.setToolTip(_("Cycle counts, stock-takes and their review (Ctrl+6)"))
        self.nav.addItem(self.counts_entry)
        # Settings come last in the list, whatever pages are added above.
        self.settings_page = SettingsPage(self.scanner, self._settings, self.sounds)
        self.pages.addWidget(self.settings_page)
        self.SETTINGS = self.pages.indexOf(self.settings_page)
        settings_entry = QListWidgetItem(icon("settings"), _("Settings"))
        settings_entry.setToolTip(_("The scanner on this workstation, and a scanner test"))
        self.nav.addItem(settings_entry)
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
        self.database_label = QLabel(_("Database: {where}").format(where=database))
        self.database_label.setToolTip(database)
        self.user_label = QLabel(_("User: {name}").format(name=user.display_name or user.username))
        for label in (self.busy_label, self.database_label, self.user_label):
            label.setContentsMargins(10, 0, 10, 0)
        status = self.statusBar()
        status.addPermanentWidget(self.busy_label)
        status.addPermanentWidget(self.database_label)
        status.addPermanentWidget(self.user_label)
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_HINT_DELAY_MS)
        self._busy_timer.timeout.connect(self.busy_label.show)
        runner.busy_changed.connect(self._busy_changed)

        self.nav.currentRowChanged.connect(self._show_page)
        for page in (self.items_page, self.stock_page, self.locations_page, self.settings_page):
            page.status_message.connect(self.show_status)
        self.scanner.scanned.connect(self.handle_scan)
        self.items_page.data_changed.connect(self.stock_page.mark_stale)
        self.locations_page.data_changed.connect(self.stock_page.mark_stale)
        self.stock_page.open_item_requested.connect(self._open_item_from_stock)
        self._connect_purchasing_pages()
        self._connect_counts_page()

        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_filter)
        QShortcut(QKeySequence.StandardKey.New, self, self.new_item)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.refresh)
        QShortcut(QKeySequence("Ctrl+1"), self, lambda: self.show_page(self.ITEMS))
        QShortcut(QKeySequence("Ctrl+2"), self, lambda: self.show_page(self.STOCK))
        QShortcut(QKeySequence("Ctrl+3"), self, lambda: self.show_page(self.LOCATIONS))
        QShortcut(QKeySequence("Ctrl+4"), self, lambda: self.show_page(self.PURCHASE_ORDERS))
        QShortcut(QKeySequence("Ctrl+5"), self, lambda: self.show_page(self.RECEIVING))
        QShortcut(QKeySequence("Ctrl+6"), self, lambda: self.show_page(self.COUNTS))

        self._restore_state()

    # --- pages ---------------------------------------------------------------------------
    def start(self) -> None:
        """Load the page shown first (called once the window is on screen)."""
        self.current_page().activate()
        self.counts_page.check_due()

    def current_page(
        self,
    ) -> (
        ItemsPage
        | StockPage
        | LocationsPage
        | PurchaseOrdersPage
        | ReceivingPage
        | CountsPage
        | SettingsPage
    ):
        """The page on screen."""
        page = self.pages.currentWidget()
        assert isinstance(
            page,
            (
                ItemsPage,
                StockPage,
                LocationsPage,
                PurchaseOrdersPage,
                ReceivingPage,
                CountsPage,
                SettingsPage,
            ),
        )
        return page

    def _connect_purchasing_pages(self) -> None:
        orders, receiving = self.purchase_orders_page, self.receiving_page
        for page in (orders, receiving):
            page.status_message.connect(self.show_status)
        orders.data_changed.connect(receiving.mark_stale)
        orders.receive_requested.connect(self.receive_order)
        receiving.feedback.connect(self.show_feedback)
        receiving.link_requested.connect(lambda result: self.open_link_dialog(result, receiving))
        for stale in (self.items_page, self.stock_page, orders):
            receiving.data_changed.connect(stale.mark_stale)

    def _connect_counts_page(self) -> None:
        counts = self.counts_page
        counts.status_message.connect(self.show_status)
        counts.feedback.connect(self.show_feedback)
        counts.link_requested.connect(lambda result: self.open_link_dialog(result, counts))
        counts.due_changed.connect(self.show_due_counts)
        # Approved counts post adjustments: stock and item figures are stale.
        for stale in (self.items_page, self.stock_page):
            counts.data_changed.connect(stale.mark_stale)

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

    def receive_order(self, po_id: int) -> None:
        """Open the Receiving page on purchase order ``po_id``."""
        self.show_page(self.RECEIVING)
        self.receiving_page.receive_order(po_id)

    def show_page(self, index: int) -> None:
        """Switch to page ``index`` (ITEMS or STOCK)."""
        self.nav.setCurrentRow(index)

    def _show_page(self, index: int) -> None:
        if index < 0:
            return
        if self.pages.currentWidget() is self.settings_page and index != self.SETTINGS:
            self.settings_page.deactivate()
        self.pages.setCurrentIndex(index)
        self.current_page().activate()

    def refresh(self) -> None:
        """Reload the page on screen (F5)."""
        self.current_page().refresh()
        self.show_status(_("Refreshing…"))

    def refresh_all(self) -> None:
        """Reload the page on screen and let the others reload when shown."""
        for page in (
            self.items_page,
            self.stock_page,
            self.locations_page,
            self.purchase_orders_page,
            self.receiving_page,
            self.counts_page,
        ):
            page.mark_stale()
        self.current_page().refresh()

    def focus_filter(self) -> None:
        """Put the cursor in the current page's filter (Ctrl+F)."""
        self.current_page().focus_filter()

    def new_item(self) -> None:
        """Open the editor for a new item (Ctrl+N), from any page."""
        self.show_page(self.ITEMS)
        self.items_page.new_item()

    def _open_item_from_stock(self, item_id: int) -> None:
        self.items_page.open_item(item_id)

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
        if result.outcome == "unknown" and is_test_label(result.raw):
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
        elif can_link(result):
            self.open_link_dialog(result, page)

    def show_scan_result(self, result: ScanResult, since: float | None = None) -> None:
        """The banner and the sound for ``result``."""
        tone = Tone.SUCCESS if result.ok else Tone.PROBLEM
        if result.outcome == "item":
            detail = _("SKU {sku}").format(sku=result.sku)
            if result.problem:
                detail = f"{result.problem}  ·  {detail}"
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
            self.show_page(self.STOCK)
            self.stock_page.handle_scan(result)

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
        self.items_page.mark_stale()
        self.stock_page.mark_stale()
        if self.current_page() is self.items_page:
            # The list filters by barcode too: reload it, keeping the linked item selected.
            self.items_page.refresh(select_item=result.item_id)
        self.show_status(_("Barcode linked to {sku}.").format(sku=result.sku))
        self._scan_done(result, page, None)

    def _create_item_for(self, code: str, raw: str, page: QWidget) -> ItemEditor:
        self.show_page(self.ITEMS)
        editor = self.items_page.new_item()

        def prefill() -> None:
            rows = editor.barcodes.rows()
            row = rows[0] if rows else editor.barcodes.add_row()
            row.code_edit.setText(code)
            row.edited.emit()  # an unsaved barcode makes Cancel ask first

        def created(_detail: object) -> None:
            # The new item has its code now: the scan that found nothing finds it. On the
            # Items page that work is done (the list selects the new item).
            if page is not self.items_page:
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

    # --- window state ----------------------------------------------------------------------
    def _restore_state(self) -> None:
        geometry = self._settings.value("main/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            screen = QGuiApplication.primaryScreen()
            size = QSize(DEFAULT_SIZE)
            if screen is not None:
                size = size.boundedTo(screen.availableGeometry().size())
            self.resize(size)
        splitter = self._settings.value("stock/splitter")
        if splitter is not None:
            self.stock_page.splitter.restoreState(splitter)
        page = self._settings.value("main/page", self.ITEMS)
        try:
            index = int(page)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            index = self.ITEMS
        self.nav.blockSignals(True)
        pages = (
            self.ITEMS,
            self.STOCK,
            self.LOCATIONS,
            self.PURCHASE_ORDERS,
            self.RECEIVING,
            self.COUNTS,
        )
        self.nav.setCurrentRow(index if index in pages else self.ITEMS)
        self.nav.blockSignals(False)
        self.pages.setCurrentIndex(self.nav.currentRow())

    def save_state(self) -> None:
        """Remember size, position, splitter and page for the next start."""
        self._settings.setValue("main/geometry", self.saveGeometry())
        self._settings.setValue("stock/splitter", self.stock_page.splitter.saveState())
        self._settings.setValue("main/page", self.nav.currentRow())
        self._settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        # An open editor with unsaved changes asks first; "Keep editing" keeps Hylla open.
        for editor in self.findChildren(ItemEditor):
            if editor.isVisible() and not editor.close():
                event.ignore()
                return
        self.save_state()
        super().closeEvent(event)
