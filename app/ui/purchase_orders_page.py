"""The Purchase orders page: every order with its supplier, status, dates, lines and
value, filtered by status and as you type; new orders, editing drafts, sending,
cancelling with a reason, the order as PDF (saved or printed), and "Receive", which
opens the Receiving page on the order.

The PDF is made on the database worker (``purchase_orders.purchase_order_pdf``) and
written here; printing hands the same PDF to the system's print spooler (CUPS ``lp``)
for the printer picked in Qt's print dialog, as the label dialog does.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from PySide6.QtCore import QModelIndex, QSettings, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.models.purchasing import PurchaseOrderStatus
from app.services import purchase_orders
from app.services.errors import HyllaError
from app.services.purchase_orders import PurchaseOrderDetail, PurchaseOrderRow, status_label
from app.services.users import UserRef
from app.ui import feedback, widgets
from app.ui.formatting import fmt_count, fmt_date, fmt_money
from app.ui.labels_dialog import can_print
from app.ui.list_page import filter_field, muted_label
from app.ui.order_list import ALL_STATUSES, OPEN_STATUSES, OrderListPage, status_combo
from app.ui.purchase_order_editor import PurchaseOrderEditor
from app.ui.reason_dialog import ReasonDialog
from app.ui.runner import Runner
from app.ui.table_model import MUTED, Column, RowTableModel
from app.ui.widgets import ListLoader, error_label, icon, make_table_view, set_column_widths

PRINT_TIMEOUT_S = 60
# Orders still open: what "Open" lists, and what can still be cancelled.
OPEN = (PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTLY_RECEIVED)


# --- documents: save, open, print (module functions, so tests can stand in) -------------------
def choose_pdf_path(parent: QWidget, title: str, suggested: Path) -> Path | None:
    """Ask where to save a PDF; None when the user cancels. ".pdf" is added if missing."""
    chosen = widgets.get_save_file_name(parent, title, str(suggested), _("PDF files (*.pdf)"))
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")


def choose_pdf_folder(parent: QWidget, title: str, settings: QSettings) -> Path | None:
    """Ask which folder several PDFs go into (offered: the folder last used); None
    when the user cancels."""
    start = suggested_pdf_path(settings, "x").parent
    chosen = widgets.get_existing_directory(parent, title, str(start))
    return Path(chosen) if chosen else None


def suggested_pdf_path(settings: QSettings, name: str) -> Path:
    """Where to offer to save document ``name`` (".pdf" added if missing): the folder
    last used, else Documents, else the home folder."""
    filename = name if name.lower().endswith(".pdf") else f"{name}.pdf"
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    for folder in (str(settings.value("documents/folder", "")), documents):
        if folder and Path(folder).is_dir():
            return Path(folder) / filename
    return Path.home() / filename


def write_pdf(parent: QWidget, pdf: bytes, path: Path) -> bool:
    """Write ``pdf`` to ``path``; say why not (and return False) when that fails."""
    try:
        path.write_bytes(pdf)
    except OSError as exc:
        feedback.show_error(
            parent,
            _("The PDF could not be saved to {path}: {reason}").format(
                path=path, reason=exc.strerror or exc
            ),
        )
        return False
    return True


def open_pdf(path: Path) -> bool:
    """Open ``path`` in the desktop's PDF viewer."""
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))


def choose_printer(parent: QWidget, title: str) -> str | None:
    """Qt's print dialog; the printer chosen, or None when the user cancels."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter()
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(title)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return printer.printerName() or None


def send_pdf_to_printer(path: Path, printer: str, title: str) -> None:
    """Queue the PDF at ``path`` on ``printer`` (runs off the GUI thread)."""
    lp = shutil.which("lp")
    if lp is None:
        raise HyllaError(
            _("Printing needs the system's print service (CUPS). Save the PDF and print it.")
        )
    try:
        done = subprocess.run(
            [lp, "-d", printer, "-t", title, "--", str(path)],
            capture_output=True,
            text=True,
            timeout=PRINT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise HyllaError(
            _("The printer {printer} did not take {title}: {reason}").format(
                printer=printer, title=title, reason=exc
            )
        ) from exc
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise HyllaError(
            _("The printer {printer} did not take {title}: {reason}").format(
                printer=printer, title=title, reason=reason[0] if reason else done.returncode
            )
        )


# --- the list ------------------------------------------------------------------------------
def order_search_text(row: PurchaseOrderRow) -> str:
    """What the filter looks in: number, supplier code and name, status."""
    return "\n".join((row.number, row.supplier_code, row.supplier_name, row.status_text))


def purchase_order_columns() -> list[Column[PurchaseOrderRow]]:
    """Columns of the order list."""
    return [
        Column(_("Order"), lambda r: r.number, sort_key=lambda r: int(r.number.split("-")[-1])),
        Column(_("Supplier"), lambda r: f"{r.supplier_code} — {r.supplier_name}"),
        Column(_("Status"), lambda r: r.status_text),
        Column(_("Order date"), lambda r: fmt_date(r.order_date), sort_key=lambda r: r.order_date),
        Column(
            _("Delivery"),
            lambda r: fmt_date(r.delivery_date),
            sort_key=lambda r: r.delivery_date,
            tooltip=_("The delivery date asked of the supplier."),
        ),
        Column(_("Lines"), lambda r: fmt_count(r.lines), sort_key=lambda r: r.lines, numeric=True),
        Column(
            _("Value"),
            lambda r: f"{fmt_money(r.total)} {r.currency}",
            sort_key=lambda r: r.total,
            numeric=True,
        ),
    ]


def _status_colour(row: PurchaseOrderRow) -> QColor | None:
    # Closed orders step back; open ones keep the normal text colour.
    closed = (PurchaseOrderStatus.RECEIVED, PurchaseOrderStatus.CANCELLED)
    return MUTED if row.status in closed else None


class CancelOrderDialog(ReasonDialog):
    """Ask for the reason an order is cancelled; ``reason()`` is what was typed."""

    def __init__(self, number: str, parent: QWidget | None = None) -> None:
        super().__init__(
            _(
                "Cancel {number}? What has not come yet will not be received against it; "
                "what was received stays."
            ).format(number=number),
            "cancel_reason",
            _("Why, for the record (e.g. supplier cannot deliver)"),
            460,
            parent,
        )
        self.setObjectName("cancel_order_dialog")
        self.setWindowTitle(_("Cancel order {number}").format(number=number))
        self.cancel_order_button = self.buttons.addButton(
            _("Cancel the order"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.keep_button = self.buttons.addButton(
            _("Keep it"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.cancel_order_button.setToolTip(_("Enter"))
        self.keep_button.setToolTip(_("Esc"))
        self.cancel_order_button.setDefault(True)


class PurchaseOrdersPage(OrderListPage[PurchaseOrderRow], QWidget):
    """Every purchase order; new, edit, send, cancel, PDF, receive."""

    status_message = Signal(str)
    #: A fresh list is shown (the number of orders in it).
    orders_loaded = Signal(int)
    #: Orders changed (sent, cancelled, created): the receiving lists are stale.
    data_changed = Signal()
    #: A dialog or editor opened (for tests).
    dialog_opened = Signal(object)
    #: "Receive" on an order: the window opens the Receiving page on it (the order id).
    receive_requested = Signal(int)
    #: The PDF of an order was saved (its path).
    pdf_saved = Signal(object)
    #: An order changed by an action of this page (a PurchaseOrderDetail).
    order_changed = Signal(object)

    #: What "Open" lists.
    open_statuses = OPEN
    NUMBER, SUPPLIER, STATUS, ORDER_DATE, DELIVERY, LINES, VALUE = range(7)

    def __init__(
        self,
        runner: Runner,
        user: UserRef,
        parent: QWidget | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._user = user
        self._settings = settings if settings is not None else QSettings()
        self._rows: list[PurchaseOrderRow] = []
        self._select_after_load: int | None = None
        self._editors: dict[int, PurchaseOrderEditor] = {}
        self._loader = ListLoader(
            runner, purchase_orders.list_purchase_orders, self._show_rows, self
        )

        self.model: RowTableModel[PurchaseOrderRow] = RowTableModel(
            purchase_order_columns(), order_search_text, foreground=_status_colour, parent=self
        )
        self.filter_edit = filter_field(
            "orders_filter", _("Filter by order number or supplier  (Ctrl+F)"), min_width=180
        )
        self.status_combo = status_combo("orders_status", 16)
        self.status_combo.addItem(_("All orders"), ALL_STATUSES)
        self.status_combo.addItem(_("Open (draft, sent, partly received)"), OPEN_STATUSES)
        for status in PurchaseOrderStatus:
            self.status_combo.addItem(status_label(status), status.value)
        self.count_label = muted_label()

        self.table = make_table_view(self.model)
        self.table.setObjectName("orders_table")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(self.NUMBER, Qt.SortOrder.DescendingOrder)
        set_column_widths(
            self.table,
            {
                self.NUMBER: 100,
                self.SUPPLIER: 280,
                self.STATUS: 130,
                self.ORDER_DATE: 110,
                self.DELIVERY: 110,
                self.LINES: 70,
                self.VALUE: 140,
            },
            stretch=self.SUPPLIER,
        )
        self.empty_hint = muted_label(
            _("No purchase orders yet. Press New order to make one."), hidden=True
        )
        self.error_label = error_label()

        self.new_button = QPushButton(icon("add"), _("&New order…"))
        self.new_button.setObjectName("new_order")
        self.new_button.setToolTip(_("Make a new order to a supplier (Alt+N)"))
        self.open_button = QPushButton(_("&Open…"))
        self.open_button.setObjectName("open_order")
        self.open_button.setToolTip(_("Open the selected order; a draft can be edited (Enter)"))
        self.send_button = QPushButton(_("&Send"))
        self.send_button.setObjectName("send_order")
        self.send_button.setToolTip(
            _("Mark the draft as sent to the supplier; it can then be received (Alt+S)")
        )
        self.cancel_button = QPushButton(_("&Cancel order…"))
        self.cancel_button.setObjectName("cancel_order")
        self.cancel_button.setToolTip(_("Cancel the selected order, with a reason (Alt+C)"))
        self.pdf_button = QPushButton(_("Save &PDF…"))
        self.pdf_button.setObjectName("order_pdf")
        self.pdf_button.setToolTip(_("Save the order as a PDF for the supplier (Alt+P)"))
        self.print_button = QPushButton(_("P&rint…"))
        self.print_button.setObjectName("order_print")
        self.print_button.setToolTip(_("Print the order (Alt+R)"))
        self.receive_button = QPushButton(icon("receiving"), _("Recei&ve"))
        self.receive_button.setObjectName("receive_order_button")
        self.receive_button.setToolTip(_("Open the Receiving page on the selected order (Alt+V)"))
        self._printing_possible = can_print()
        if not self._printing_possible:
            self.print_button.setToolTip(
                _("Printing from Hylla needs the system's print service (CUPS); save the PDF.")
            )

        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 2)
        bar.addWidget(self.status_combo)
        bar.addWidget(self.count_label, 1)
        bar.addStretch(1)
        bar.addWidget(self.new_button)
        actions = QHBoxLayout()
        for button in (self.open_button, self.send_button, self.cancel_button):
            actions.addWidget(button)
        actions.addStretch(1)
        for button in (self.pdf_button, self.print_button, self.receive_button):
            actions.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.addLayout(bar)
        layout.addWidget(self.empty_hint)
        layout.addWidget(self.error_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)

        self.filter_edit.textChanged.connect(self._filter_changed)
        self.status_combo.currentIndexChanged.connect(self._apply_status)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self.table.doubleClicked.connect(self._open_index)
        self.new_button.clicked.connect(self.new_order)
        self.open_button.clicked.connect(self.open_selected)
        self.send_button.clicked.connect(self.send_selected)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.pdf_button.clicked.connect(self.save_pdf)
        self.print_button.clicked.connect(self.print_order)
        self.receive_button.clicked.connect(self.receive_selected)
        enter = QShortcut(QKeySequence(Qt.Key.Key_Return), self.table, self.open_selected)
        enter.setContext(Qt.ShortcutContext.WidgetShortcut)
        self._update_buttons()

    # --- page protocol -------------------------------------------------------------------
    def refresh(self, select_order: int | None = None) -> None:
        """Reload the list (keeps filter, sort and, if it can, the selection)."""
        self._reload(select_order)

    def activate(self) -> None:
        """The page was shown: load it if it never was, or if it went stale."""
        self._loader.activate()

    def mark_stale(self) -> None:
        """Something changed elsewhere (a receipt was posted): reload when next shown."""
        self._loader.mark_stale()

    def _show_rows(self, rows: list[PurchaseOrderRow]) -> None:
        self._rows = rows
        self._apply_status()
        self.empty_hint.setVisible(not rows)
        self._select_loaded()
        self.orders_loaded.emit(len(rows))

    def select_order(self, po_id: int) -> bool:
        """Select order ``po_id`` in the list, if it is shown."""
        row = self.model.find_row(lambda r: r.id == po_id)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def _update_buttons(self, *_args: object) -> None:
        row = self.selected_row()
        status = row.status if row else None
        self.open_button.setEnabled(row is not None)
        self.send_button.setEnabled(status is PurchaseOrderStatus.DRAFT)
        self.cancel_button.setEnabled(status in OPEN)
        self.pdf_button.setEnabled(row is not None)
        self.print_button.setEnabled(row is not None and self._printing_possible)
        self.receive_button.setEnabled(
            status in (PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTLY_RECEIVED)
        )

    # --- actions -------------------------------------------------------------------------
    def new_order(self) -> PurchaseOrderEditor:
        """Open the editor for a new order."""
        return self._open_editor(None)

    def open_selected(self) -> PurchaseOrderEditor | None:
        """Open the selected order in the editor (read-only unless it is a draft)."""
        row = self.selected_row()
        if row is None:
            self.status_message.emit(_("Select an order first."))
            return None
        return self.open_order(row.id)

    def open_order(self, po_id: int) -> PurchaseOrderEditor:
        """Open order ``po_id`` in the editor, or bring its open editor to the front."""
        editor = self._editors.get(po_id)
        if editor is not None:
            editor.raise_()
            editor.activateWindow()
            return editor
        return self._open_editor(po_id)

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_order(self.model.row_at(index.row()).id)

    def _open_editor(self, po_id: int | None) -> PurchaseOrderEditor:
        editor = PurchaseOrderEditor(self._runner, self._user, po_id, parent=self.window())
        if po_id is not None:
            self._editors[po_id] = editor
        editor.saved.connect(self._order_saved)
        editor.created.connect(lambda detail: self._editors.__setitem__(detail.id, editor))
        editor.finished.connect(lambda _r: self._forget_editor(editor))
        editor.status_message.connect(self.status_message)
        editor.show()
        self.dialog_opened.emit(editor)
        return editor

    def _forget_editor(self, editor: PurchaseOrderEditor) -> None:
        for po_id, open_editor in list(self._editors.items()):
            if open_editor is editor:
                del self._editors[po_id]

    def _order_saved(self, detail: PurchaseOrderDetail) -> None:
        self.data_changed.emit()
        self.order_changed.emit(detail)
        self.refresh(select_order=detail.id)

    def send_selected(self) -> None:
        """Mark the selected draft as sent to the supplier."""
        row = self.selected_row()
        if row is None:
            return
        self._runner.run(
            purchase_orders.send_purchase_order,
            self._user.id,
            row.id,
            on_done=lambda detail: self._changed(
                detail, _("{number} is sent.").format(number=detail.number)
            ),
            on_error=self._failed,
            owner=self,
        )

    def cancel_selected(self) -> CancelOrderDialog | None:
        """Ask for a reason, then cancel the selected order."""
        row = self.selected_row()
        if row is None:
            return None
        dialog = CancelOrderDialog(row.number, self.window())
        po_id = row.id

        def answered(result: int) -> None:
            if not result:
                return
            self._runner.run(
                purchase_orders.cancel_purchase_order,
                self._user.id,
                po_id,
                dialog.reason(),
                on_done=lambda detail: self._changed(
                    detail, _("{number} is cancelled.").format(number=detail.number)
                ),
                on_error=self._failed,
                owner=self,
            )

        dialog.finished.connect(answered)
        dialog.open()
        self.dialog_opened.emit(dialog)
        return dialog

    def _changed(self, detail: PurchaseOrderDetail, message: str) -> None:
        self.error_label.hide()
        self.status_message.emit(message)
        self._order_saved(detail)

    def _failed(self, error: HyllaError) -> None:
        self.error_label.setText(error.message)
        self.error_label.show()
        feedback.show_error(self, error.message)

    def receive_selected(self) -> None:
        """Open the Receiving page on the selected order."""
        row = self.selected_row()
        if row is None:
            return
        if row.status not in (PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTLY_RECEIVED):
            self._failed(
                HyllaError(
                    _("{number} is {status}; only a sent order can be received.").format(
                        number=row.number, status=row.status_text.lower()
                    )
                )
            )
            return
        self.receive_requested.emit(row.id)

    # --- PDF ---------------------------------------------------------------------------
    def save_pdf(self) -> None:
        """Ask where to save the selected order's PDF, make it on the worker, write it."""
        row = self.selected_row()
        if row is None:
            return
        path = choose_pdf_path(
            self, _("Save purchase order as PDF"), suggested_pdf_path(self._settings, row.number)
        )
        if path is None:
            return
        self._settings.setValue("documents/folder", str(path.parent))
        self.status_message.emit(_("Making the PDF of {number}…").format(number=row.number))
        self._runner.run(
            purchase_orders.purchase_order_pdf,
            row.id,
            on_done=lambda pdf: self._write(pdf, path, row.number),
            on_error=self._failed,
            owner=self,
        )

    def _write(self, pdf: bytes, path: Path, number: str) -> None:
        if not write_pdf(self, pdf, path):
            return
        self.status_message.emit(_("{number} saved: {path}").format(number=number, path=path))
        self.pdf_saved.emit(path)
        if feedback.ask(
            self,
            _("Order saved"),
            _("{number} is saved in {path}. Open it now?").format(number=number, path=path),
            _("Open"),
            _("Not now"),
        ):
            open_pdf(path)

    def print_order(self) -> None:
        """Pick a printer, make the PDF on the worker and queue it there."""
        row = self.selected_row()
        if row is None or not self._printing_possible:
            return
        printer = choose_printer(self, _("Print {number}").format(number=row.number))
        if printer is None:
            return
        self._runner.run(
            purchase_orders.purchase_order_pdf,
            row.id,
            on_done=lambda pdf: self._spool(pdf, printer, row.number),
            on_error=self._failed,
            owner=self,
        )

    def _spool(self, pdf: bytes, printer: str, number: str) -> None:
        with tempfile.NamedTemporaryFile(prefix="hylla-po-", suffix=".pdf", delete=False) as handle:
            handle.write(pdf)
        path = Path(handle.name)

        def done(_result: object) -> None:
            path.unlink(missing_ok=True)
            self.status_message.emit(
                _("{number} sent to {printer}.").format(number=number, printer=printer)
            )

        def failed(error: HyllaError) -> None:
            path.unlink(missing_ok=True)
            self._failed(error)

        self._runner.call(
            send_pdf_to_printer, path, printer, number, on_done=done, on_error=failed, owner=self
        )
