"""The "Print labels" dialog: choose the label stock, copies and price, see how many
labels and pages that makes, then save the PDF (and open it) or send it to a printer.

The PDF is made on the database worker (it reads the labels' data and draws them), so
the window never freezes, however many labels are asked for. Saving writes the file
the user chose; printing hands the same PDF to the system's print spooler (CUPS
``lp``) for the printer picked in Qt's print dialog.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.services import labels
from app.services.errors import HyllaError
from app.services.labels import LabelKind, LabelRequest, LabelsPdf
from app.ui import feedback, widgets
from app.ui.formatting import fmt_count
from app.ui.runner import Runner
from app.ui.widgets import error_label, icon

PRINT_TIMEOUT_S = 60


# --- what the dialog asks of the desktop (module functions, so tests can stand in) -------------
def choose_save_path(parent: QWidget, suggested: Path) -> Path | None:
    """Ask where to save the PDF; None when the user cancels."""
    chosen = widgets.get_save_file_name(
        parent, _("Save labels as PDF"), str(suggested), _("PDF files (*.pdf)")
    )
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")


def open_in_viewer(path: Path) -> bool:
    """Open ``path`` in the desktop's PDF viewer."""
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))


def can_print() -> bool:
    """True when PDFs can be sent to a printer here (CUPS' ``lp`` and Qt's print dialog)."""
    try:
        import PySide6.QtPrintSupport  # noqa: F401
    except ImportError:
        return False
    return shutil.which("lp") is not None


def choose_printer(parent: QWidget) -> str | None:
    """Qt's print dialog; the printer chosen, or None when the user cancels."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter()
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(_("Print labels"))
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return printer.printerName() or None


def send_to_printer(path: Path, printer: str, title: str) -> None:
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
            _("The printer {printer} did not take the labels: {reason}").format(
                printer=printer, reason=exc
            )
        ) from exc
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise HyllaError(
            _("The printer {printer} did not take the labels: {reason}").format(
                printer=printer, reason=reason[0] if reason else done.returncode
            )
        )


def _kind_text(kind: LabelKind) -> str:
    return {
        LabelKind.ITEMS: _("Item labels"),
        LabelKind.BINS: _("Bin labels"),
        LabelKind.LOTS: _("Lot labels (every lot in stock, GS1-128)"),
    }[kind]


def _file_stem(kind: LabelKind) -> str:
    return {
        LabelKind.ITEMS: _("item-labels"),
        LabelKind.BINS: _("bin-labels"),
        LabelKind.LOTS: _("lot-labels"),
    }[kind]


class LabelsDialog(QDialog):
    """Print labels for items (or their lots) or for bins, chosen on a page."""

    #: The PDF was saved (its path).
    saved = Signal(object)
    #: The labels went to a printer (its name).
    printed = Signal(str)
    #: The preview knows how many labels one copy makes (the count).
    counted = Signal(int)

    def __init__(
        self,
        runner: Runner,
        kind: LabelKind,
        ids: Sequence[int],
        parent: QWidget | None = None,
        settings: QSettings | None = None,
        lot_codes: Sequence[str] = (),
    ) -> None:
        """``lot_codes``: lot labels only for these lots of the items (the lots a receipt
        brought in), not for every lot of theirs in stock."""
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(_("Print labels"))
        self.setWindowIcon(icon("labels"))
        self._runner = runner
        self._ids = tuple(ids)
        self._lot_codes = tuple(lot_codes)
        self._settings = settings if settings is not None else QSettings()
        self._layouts = labels.list_layouts()
        # Labels one copy makes, per kind; None while being counted, -1 when it failed.
        self._counts: dict[LabelKind, int | None] = {}
        self._count_serial = 0
        self._lot_problem = ""
        self._busy = False

        if kind is LabelKind.BINS:
            subject = ngettext("{n} bin selected", "{n} bins selected", len(ids))
        else:
            subject = ngettext("{n} item selected", "{n} items selected", len(ids))
        self.subject_label = QLabel(subject.format(n=fmt_count(len(ids))))
        self.subject_label.setProperty("role", "heading")

        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("labels_kind")
        kinds = (kind,) if kind is LabelKind.BINS else (LabelKind.ITEMS, LabelKind.LOTS)
        for option in kinds:
            self.kind_combo.addItem(_kind_text(option), option)
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(kind)))
        self.kind_combo.setEnabled(len(kinds) > 1)

        self.layout_combo = QComboBox()
        self.layout_combo.setObjectName("labels_layout")
        for stock in self._layouts:
            self.layout_combo.addItem(stock.title, stock.name)
        remembered = self._settings.value("labels/layout", labels.DEFAULT_LAYOUT)
        index = self.layout_combo.findData(remembered)
        self.layout_combo.setCurrentIndex(index if index >= 0 else 0)

        self.copies_spin = QSpinBox()
        self.copies_spin.setObjectName("labels_copies")
        self.copies_spin.setRange(1, labels.MAX_COPIES)
        self.copies_spin.setValue(1)
        self.copies_spin.setToolTip(_("How many labels of each item, bin or lot"))
        self.price_check = QCheckBox(_("Print the sales price"))
        self.price_check.setObjectName("labels_price")

        self.preview_label = QLabel()
        self.preview_label.setObjectName("labels_preview")
        self.preview_label.setWordWrap(True)
        self.problem_label = error_label()

        form = QFormLayout()
        form.addRow(_("Labels:"), self.kind_combo)
        form.addRow(_("Label stock:"), self.layout_combo)
        form.addRow(_("Copies of each:"), self.copies_spin)
        form.addRow("", self.price_check)
        # Bins have no price; lot labels (chosen in the same dialog) only grey it out.
        self.price_check.setVisible(kind is not LabelKind.BINS)

        self.buttons = QDialogButtonBox()
        self.save_button = QPushButton(_("Save PDF…"))
        self.save_button.setDefault(True)
        self.print_button = QPushButton(_("Print…"))
        self.close_button = QPushButton(_("Close"))
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self._printing_possible = can_print()
        if not self._printing_possible:
            self.print_button.setToolTip(
                _("Printing from Hylla needs the system's print service (CUPS); save the PDF.")
            )

        column = QVBoxLayout(self)
        column.addWidget(self.subject_label)
        column.addLayout(form)
        column.addWidget(self.preview_label)
        column.addWidget(self.problem_label)
        column.addStretch(1)
        column.addWidget(self.buttons)
        self.setMinimumWidth(460)

        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.layout_combo.currentIndexChanged.connect(self._update_preview)
        self.copies_spin.valueChanged.connect(self._update_preview)
        self.save_button.clicked.connect(self.save_pdf)
        self.print_button.clicked.connect(self.print_labels)
        self.close_button.clicked.connect(self.reject)
        self._kind_changed()

    # --- the request ---------------------------------------------------------------------------
    def kind(self) -> LabelKind:
        """What the labels are for, as chosen."""
        value = self.kind_combo.currentData()
        return value if isinstance(value, LabelKind) else LabelKind(str(value))

    def layout_name(self) -> str:
        """The label stock chosen."""
        return str(self.layout_combo.currentData())

    def request(self) -> LabelRequest:
        """The labels the dialog would print now."""
        kind = self.kind()
        if kind is LabelKind.BINS:
            return LabelRequest(
                kind, bin_ids=self._ids, layout=self.layout_name(), copies=self.copies_spin.value()
            )
        return LabelRequest(
            kind,
            item_ids=self._ids,
            lot_codes=self._lot_codes if kind is LabelKind.LOTS else (),
            layout=self.layout_name(),
            copies=self.copies_spin.value(),
            with_price=kind is LabelKind.ITEMS and self.price_check.isChecked(),
        )

    # --- preview -------------------------------------------------------------------------------
    def _kind_changed(self, *_args: object) -> None:
        kind = self.kind()
        self.price_check.setEnabled(kind is LabelKind.ITEMS)
        if kind is not LabelKind.LOTS:
            # One label per item or bin: known without asking the database.
            self._counts[kind] = len(self._ids)
        elif kind not in self._counts:
            self._count_lots()
        self._update_preview()

    def _count_lots(self) -> None:
        self._counts[LabelKind.LOTS] = None
        self._count_serial += 1
        serial = self._count_serial
        request = LabelRequest(LabelKind.LOTS, item_ids=self._ids)

        def done(count: int) -> None:
            if serial == self._count_serial:
                self._counts[LabelKind.LOTS] = count
                self._lot_problem = ""
                self._update_preview()
                self.counted.emit(count)

        def failed(error: HyllaError) -> None:
            if serial == self._count_serial:
                self._counts[LabelKind.LOTS] = -1
                self._lot_problem = error.message
                self._update_preview()
                self.counted.emit(-1)

        self._runner.run(labels.count_labels, request, on_done=done, on_error=failed, owner=self)

    def label_count(self) -> int | None:
        """Labels one copy makes for the kind chosen; None while still counting, -1 when
        these labels cannot be made (the reason is shown)."""
        return self._counts.get(self.kind())

    def _update_preview(self, *_args: object) -> None:
        count = self.label_count()
        problem = ""
        if count is None:
            text = _("Counting the lots in stock…")
        elif count < 0:
            text = ""
            problem = self._lot_problem
        else:
            total = count * self.copies_spin.value()
            pages = labels.page_count(total, self.layout_name())
            info = next(x for x in self._layouts if x.name == self.layout_name())
            if info.per_page == 1:
                where = ngettext("{n} roll label", "{n} roll labels", pages)
            else:
                where = ngettext("{n} A4 sheet", "{n} A4 sheets", pages)
            text = ngettext(
                "{total} label, on {where}.", "{total} labels, on {where}.", total
            ).format(total=fmt_count(total), where=where.format(n=fmt_count(pages)))
        self.preview_label.setText(text)
        self.problem_label.setText(problem)
        self.problem_label.setVisible(bool(problem))
        ready = count is not None and count > 0 and not self._busy
        self.save_button.setEnabled(ready)
        self.print_button.setEnabled(ready and self._printing_possible)
        self.layout_combo.setEnabled(not self._busy)
        self.copies_spin.setEnabled(not self._busy)

    def _set_busy(self, busy: bool, message: str = "") -> None:
        self._busy = busy
        self._update_preview()
        if busy:
            self.preview_label.setText(message)

    # --- save ----------------------------------------------------------------------------------
    def _suggested_path(self) -> Path:
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        for folder in (str(self._settings.value("labels/folder", "")), documents):
            if folder and Path(folder).is_dir():
                break
        else:
            folder = str(Path.home())
        return Path(folder) / f"{_file_stem(self.kind())}.pdf"

    def save_pdf(self) -> None:
        """Ask where to save, make the PDF on the worker and write it there."""
        path = choose_save_path(self, self._suggested_path())
        if path is None:
            return
        self._settings.setValue("labels/layout", self.layout_name())
        self._settings.setValue("labels/folder", str(path.parent))
        self._set_busy(True, _("Making the labels…"))
        self._runner.run(
            labels.make_labels_pdf,
            self.request(),
            on_done=lambda made: self._write(made, path),
            on_error=self._failed,
            owner=self,
        )

    def _write(self, made: LabelsPdf, path: Path) -> None:
        self._set_busy(False)
        try:
            path.write_bytes(made.pdf)
        except OSError as exc:
            feedback.show_error(
                self,
                _("The labels could not be saved to {path}: {reason}").format(
                    path=path, reason=exc.strerror or exc
                ),
            )
            return
        self.preview_label.setText(
            ngettext(
                "Saved {n} label to {path}.", "Saved {n} labels to {path}.", made.labels
            ).format(n=fmt_count(made.labels), path=path)
        )
        self.saved.emit(path)
        if feedback.ask(
            self,
            _("Labels saved"),
            _("The labels are saved in {path}. Open them now?").format(path=path),
            _("Open"),
            _("Not now"),
        ):
            open_in_viewer(path)

    def _failed(self, error: HyllaError) -> None:
        self._set_busy(False)
        feedback.show_error(self, error.message)

    # --- print ---------------------------------------------------------------------------------
    def print_labels(self) -> None:
        """Pick a printer in Qt's print dialog, make the PDF and queue it there."""
        printer = choose_printer(self)
        if printer is None:
            return
        self._settings.setValue("labels/layout", self.layout_name())
        self._set_busy(True, _("Making the labels…"))
        self._runner.run(
            labels.make_labels_pdf,
            self.request(),
            on_done=lambda made: self._spool(made, printer),
            on_error=self._failed,
            owner=self,
        )

    def _spool(self, made: LabelsPdf, printer: str) -> None:
        with tempfile.NamedTemporaryFile(
            prefix="hylla-labels-", suffix=".pdf", delete=False
        ) as handle:
            handle.write(made.pdf)
        path = Path(handle.name)

        def done(_result: object) -> None:
            path.unlink(missing_ok=True)
            self._set_busy(False)
            self.preview_label.setText(
                ngettext(
                    "Sent {n} label to {printer}.", "Sent {n} labels to {printer}.", made.labels
                ).format(n=fmt_count(made.labels), printer=printer)
            )
            self.printed.emit(printer)

        def failed(error: HyllaError) -> None:
            path.unlink(missing_ok=True)
            self._failed(error)

        self._set_busy(True, _("Sending the labels to {printer}…").format(printer=printer))
        self._runner.call(
            send_to_printer,
            path,
            printer,
            _("Hylla labels"),
            on_done=done,
            on_error=failed,
            owner=self,
        )
