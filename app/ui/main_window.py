"""The main window: a navigation list on the left (only areas that work), the current
page on the right, and a status bar that says where the data is and who is working."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from app.i18n import _
from app.services.users import UserRef
from app.ui.item_editor import ItemEditor
from app.ui.items_page import ItemsPage
from app.ui.runner import Runner
from app.ui.stock_page import StockPage
from app.ui.widgets import icon

DEFAULT_SIZE = QSize(1280, 800)
STATUS_TIMEOUT_MS = 10_000
# The "working…" hint appears only for work that takes noticeably long.
BUSY_HINT_DELAY_MS = 400


class MainWindow(QMainWindow):
    """Hylla's one window."""

    ITEMS, STOCK = range(2)

    def __init__(
        self,
        runner: Runner,
        user: UserRef,
        database: str,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._user = user
        self._settings = settings if settings is not None else QSettings()
        self.setWindowTitle(_("Hylla — {database}").format(database=database))
        self.setWindowIcon(icon("hylla"))

        self.items_page = ItemsPage(runner, user)
        self.stock_page = StockPage(runner)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.items_page)
        self.pages.addWidget(self.stock_page)

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
        ):
            entry = QListWidgetItem(icon(name), title)
            entry.setToolTip(tip)
            self.nav.addItem(entry)
        separator = QFrame()
        separator.setFrameShape(QFrame.Shape.VLine)
        separator.setFrameShadow(QFrame.Shadow.Sunken)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(separator)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

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
        for page in (self.items_page, self.stock_page):
            page.status_message.connect(self.show_status)
        self.items_page.data_changed.connect(self.stock_page.mark_stale)
        self.stock_page.open_item_requested.connect(self._open_item_from_stock)

        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_filter)
        QShortcut(QKeySequence.StandardKey.New, self, self.new_item)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.refresh)
        QShortcut(QKeySequence("Ctrl+1"), self, lambda: self.show_page(self.ITEMS))
        QShortcut(QKeySequence("Ctrl+2"), self, lambda: self.show_page(self.STOCK))

        self._restore_state()

    # --- pages ---------------------------------------------------------------------------
    def start(self) -> None:
        """Load the page shown first (called once the window is on screen)."""
        self.current_page().activate()

    def current_page(self) -> ItemsPage | StockPage:
        """The page on screen."""
        page = self.pages.currentWidget()
        assert isinstance(page, (ItemsPage, StockPage))
        return page

    def show_page(self, index: int) -> None:
        """Switch to page ``index`` (ITEMS or STOCK)."""
        self.nav.setCurrentRow(index)

    def _show_page(self, index: int) -> None:
        if index < 0:
            return
        self.pages.setCurrentIndex(index)
        self.current_page().activate()

    def refresh(self) -> None:
        """Reload the page on screen (F5)."""
        self.current_page().refresh()
        self.show_status(_("Refreshing…"))

    def refresh_all(self) -> None:
        """Reload the page on screen and let the others reload when shown."""
        for page in (self.items_page, self.stock_page):
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
        self.nav.setCurrentRow(index if index in (self.ITEMS, self.STOCK) else self.ITEMS)
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
