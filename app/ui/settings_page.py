"""The Settings page: the language of this workstation, how its scanner is set up, and a
scanner test.

The language (Svenska, English, or as the computer's own) is kept in QSettings and used
from the next start (app/ui/app.py ``configure_application``): the window is built in
one language, so switching it while open would leave half of it in the other.

Scanner settings belong to the workstation (each desk may have its own scanner), so
they live in QSettings, not in the shared database. The "Test your scanner" box records
one scan of the printed test label key by key and shows what arrived, invisible
characters drawn (␝ for the GS1 group separator, ⏎ Enter, ⇥ Tab), and what to change
when the scanner's keyboard country, Caps Lock, suffix or group separator is wrong.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.barcodes.diagnose import (
    MAX_GAP_RANGE,
    MIN_LENGTH_RANGE,
    Diagnosis,
    Keystroke,
    ScannerSetup,
    Suffix,
    diagnose,
    render_test_label,
    substitute_problem,
)
from app.i18n import LANGUAGES, _, system_language
from app.ui import feedback, widgets
from app.ui.scan_feedback import ScanSounds
from app.ui.scanner import ScannerInput, save_setup
from app.ui.widgets import error_label, mark_error

TEST_LABEL_FILE = "hylla-scanner-test-label.pdf"
LANGUAGE_SETTING = "ui/language"
# Each language is named in its own words: someone who reads only that one finds it.
LANGUAGE_NAMES = {"sv": "Svenska", "en": "English"}


def chosen_language(settings: QSettings) -> str | None:
    """The language chosen on this workstation ("sv" or "en"), None for the computer's."""
    value = str(settings.value(LANGUAGE_SETTING, "") or "")
    return value if value in LANGUAGES else None


def sounds_enabled(settings: QSettings) -> bool:
    """Whether this workstation plays the scan sounds (on unless turned off)."""
    return str(settings.value("scanner/sounds", "true")).lower() not in ("false", "0", "no")


class SettingsPage(QWidget):
    """Scanner set-up and the scanner test."""

    status_message = Signal(str)
    #: The scanner set-up was saved (a ScannerSetup).
    setup_saved = Signal(object)
    #: A test scan was analysed (a Diagnosis).
    diagnosed = Signal(object)

    def __init__(
        self,
        scanner: ScannerInput,
        settings: QSettings,
        sounds: ScanSounds,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._scanner = scanner
        self._settings = settings
        self._sounds = sounds
        self.last_diagnosis: Diagnosis | None = None

        # --- language ---
        self.language_combo = QComboBox()
        self.language_combo.setObjectName("language")
        self.language_combo.addItem(
            _("As on this computer ({language})").format(
                language=LANGUAGE_NAMES[system_language()]
            ),
            "",
        )
        for code, name in LANGUAGE_NAMES.items():
            self.language_combo.addItem(name, code)
        self.language_note = QLabel(_("Hylla speaks the language chosen here from its next start."))
        self.language_note.setObjectName("language_note")
        self.language_note.setProperty("role", "muted")
        self.language_note.setWordWrap(True)
        language_box = QGroupBox(_("Language"))
        language_form = QFormLayout(language_box)
        language_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        language_form.addRow(_("Language of Hylla"), self.language_combo)
        language_form.addRow(self.language_note)

        # --- scanner set-up ---
        self.suffix_combo = QComboBox()
        self.suffix_combo.setObjectName("scanner_suffix")
        self.suffix_combo.addItem(_("Enter"), Suffix.ENTER.value)
        self.suffix_combo.addItem(_("Tab"), Suffix.TAB.value)
        self.suffix_combo.addItem(_("None (a short pause ends the scan)"), Suffix.NONE.value)
        self.substitute_edit = QLineEdit()
        self.substitute_edit.setObjectName("scanner_gs_substitute")
        self.substitute_edit.setMaximumWidth(160)
        self.substitute_edit.setPlaceholderText(_("none: Ctrl+]"))
        self.substitute_edit.setToolTip(
            _(
                "Scanners send the GS1 group separator as Ctrl+]. If yours is set to send "
                "another character or text instead (such as ~), enter it here."
            )
        )
        self.substitute_error = error_label()
        self.gap_spin = QSpinBox()
        self.gap_spin.setObjectName("scanner_max_gap")
        self.gap_spin.setRange(*MAX_GAP_RANGE)
        self.gap_spin.setSuffix(_(" ms"))
        self.gap_spin.setToolTip(
            _(
                "Keys further apart than this are typing, not a scanner. Scanners send a key "
                "every few ms."
            )
        )
        self.length_spin = QSpinBox()
        self.length_spin.setObjectName("scanner_min_length")
        self.length_spin.setRange(*MIN_LENGTH_RANGE)
        self.length_spin.setToolTip(_("Shorter bursts of keys are taken as typing."))
        self.prefix_edit = QKeySequenceEdit()
        self.prefix_edit.setObjectName("scanner_prefix")
        self.prefix_edit.setMaximumSequenceLength(1)
        self.prefix_edit.setClearButtonEnabled(True)
        self.prefix_edit.setToolTip(
            _(
                "If the scanner is set to send a key before each code (such as F12), press "
                "that key here: Hylla then knows a scan for certain and never delays typing."
            )
        )
        self.sounds_check = QCheckBox(_("Play a sound for each scan"))
        self.sounds_check.setObjectName("scanner_sounds")
        self.save_button = QPushButton(_("Save scanner settings"))
        self.save_button.setObjectName("scanner_save")
        self.defaults_button = QPushButton(_("Restore defaults"))
        self.saved_label = QLabel()
        self.saved_label.setProperty("role", "muted")

        setup_box = QGroupBox(_("Scanner on this workstation"))
        form = QFormLayout(setup_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(_("Suffix after each code"), self.suffix_combo)
        substitute = QVBoxLayout()
        substitute.setSpacing(2)
        substitute.addWidget(self.substitute_edit)
        substitute.addWidget(self.substitute_error)
        form.addRow(_("Substitute for GS"), substitute)
        form.addRow(_("Longest gap between keys"), self.gap_spin)
        form.addRow(_("Shortest scan (characters)"), self.length_spin)
        form.addRow(_("Prefix key"), self.prefix_edit)
        form.addRow("", self.sounds_check)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.defaults_button)
        buttons.addWidget(self.saved_label, 1)
        form.addRow("", buttons)

        # --- the scanner test ---
        intro = QLabel(
            _(
                "Print the test label, press “Start test” and scan one of its two codes. "
                "Hylla shows exactly what arrived and what to change if it is wrong."
            )
        )
        intro.setWordWrap(True)
        self.label_button = QPushButton(_("Save test label as PDF…"))
        self.label_button.setObjectName("scanner_test_label")
        self.test_button = QPushButton(_("Start test"))
        self.test_button.setObjectName("scanner_test")
        self.test_status = QLabel()
        self.test_status.setProperty("role", "muted")
        self.arrived_label = QLabel()
        self.arrived_label.setObjectName("scanner_arrived")
        self.arrived_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSizeF(max(self.font().pointSizeF(), 9.0) * 1.4)
        self.arrived_label.setFont(mono)
        self.verdict_label = QLabel()
        self.verdict_label.setObjectName("scanner_verdict")
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        test_box = QGroupBox(_("Test your scanner"))
        test_layout = QVBoxLayout(test_box)
        test_layout.addWidget(intro)
        test_buttons = QHBoxLayout()
        test_buttons.addWidget(self.label_button)
        test_buttons.addWidget(self.test_button)
        test_buttons.addWidget(self.test_status, 1)
        test_layout.addLayout(test_buttons)
        test_layout.addWidget(self.arrived_label)
        test_layout.addWidget(self.verdict_label)

        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(12, 12, 12, 8)
        column.addWidget(language_box)
        column.addWidget(setup_box)
        column.addWidget(test_box)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

        self.language_combo.activated.connect(
            lambda index: self.choose_language(str(self.language_combo.itemData(index)))
        )
        self.save_button.clicked.connect(self.save)
        self.defaults_button.clicked.connect(lambda: self._show_setup(ScannerSetup()))
        self.substitute_edit.textEdited.connect(lambda _text: self._show_substitute_error(None))
        self.label_button.clicked.connect(self.save_test_label)
        self.test_button.clicked.connect(self._toggle_test)
        scanner.captured.connect(self._captured)
        scanner.capture_cancelled.connect(self._capture_stopped)
        self.refresh()

    # --- the page protocol of the main window ------------------------------------------
    def activate(self) -> None:
        """The page was shown: nothing to load."""

    def refresh(self) -> None:
        """Show the settings as stored."""
        self._show_setup(self._scanner.setup)
        self.sounds_check.setChecked(sounds_enabled(self._settings))
        choice = chosen_language(self._settings) or ""
        self.language_combo.setCurrentIndex(max(self.language_combo.findData(choice), 0))

    def mark_stale(self) -> None:
        """Nothing here depends on the database."""

    def focus_filter(self) -> None:
        """Ctrl+F: there is no filter here; the first field takes the cursor."""
        self.suffix_combo.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def deactivate(self) -> None:
        """The page is left: stop listening for a test scan."""
        if self._scanner.capturing:
            self._scanner.cancel_capture()
            self._capture_stopped()

    # --- set-up ----------------------------------------------------------------------
    def _show_setup(self, setup: ScannerSetup) -> None:
        self.suffix_combo.setCurrentIndex(self.suffix_combo.findData(setup.suffix.value))
        self.substitute_edit.setText(setup.gs_substitute)
        self.gap_spin.setValue(setup.max_gap_ms)
        self.length_spin.setValue(setup.min_length)
        self.prefix_edit.setKeySequence(
            QKeySequence(setup.prefix, QKeySequence.SequenceFormat.PortableText)
        )
        self._show_substitute_error(None)

    def form_setup(self) -> ScannerSetup | None:
        """The set-up as the form shows it, or None (with the error shown) if it is not
        usable."""
        substitute = self.substitute_edit.text()
        problem = substitute_problem(substitute)
        self._show_substitute_error(problem)
        if problem is not None:
            return None
        return ScannerSetup(
            suffix=Suffix(str(self.suffix_combo.currentData())),
            gs_substitute=substitute,
            max_gap_ms=self.gap_spin.value(),
            min_length=self.length_spin.value(),
            prefix=self.prefix_edit.keySequence().toString(
                QKeySequence.SequenceFormat.PortableText
            ),
        )

    def save(self) -> bool:
        """Store the form's set-up for this workstation and use it from now on."""
        setup = self.form_setup()
        if setup is None:
            self.saved_label.setText("")
            return False
        save_setup(self._settings, setup)
        self._settings.setValue("scanner/sounds", self.sounds_check.isChecked())
        self._settings.sync()
        self._sounds.enabled = self.sounds_check.isChecked()
        self._scanner.set_setup(setup)
        self.saved_label.setText(_("Saved. Scans use these settings now."))
        self.status_message.emit(_("Scanner settings saved."))
        self.setup_saved.emit(setup)
        return True

    def choose_language(self, code: str) -> None:
        """Keep ``code`` ("sv", "en", or "" for the computer's language) for the next start."""
        if code and code not in LANGUAGES:
            return
        self._settings.setValue(LANGUAGE_SETTING, code)
        self._settings.sync()
        language = LANGUAGE_NAMES[code or system_language()]
        message = _("Saved: Hylla speaks {language} from its next start.").format(language=language)
        self.language_note.setText(message)
        self.status_message.emit(message)

    def _show_substitute_error(self, message: str | None) -> None:
        self.substitute_error.setText(message or "")
        self.substitute_error.setVisible(bool(message))
        mark_error(self.substitute_edit, bool(message))

    # --- the test label --------------------------------------------------------------
    def save_test_label(self) -> Path | None:
        """Ask where to save the test label PDF, write it and open it for printing."""
        start = str(Path.home() / TEST_LABEL_FILE)
        chosen = widgets.get_save_file_name(
            self, _("Save the scanner test label"), start, _("PDF files (*.pdf)")
        )
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            path.write_bytes(render_test_label())
        except OSError as exc:
            feedback.show_error(
                self,
                _("The test label could not be saved to {path}: {reason}").format(
                    path=path, reason=exc.strerror or exc
                ),
            )
            return None
        self.status_message.emit(_("Test label saved: {path}").format(path=path))
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        return path

    # --- the test ----------------------------------------------------------------------
    def _toggle_test(self) -> None:
        if self._scanner.capturing:
            self._scanner.cancel_capture()
            self._capture_stopped()
        else:
            self.start_test()

    def start_test(self) -> None:
        """Listen for one scan of the test label."""
        self._scanner.start_capture()
        self.test_button.setText(_("Stop test"))
        self.test_status.setText(_("Waiting for a scan of the test label… (Esc stops)"))

    def _capture_stopped(self) -> None:
        self.test_button.setText(_("Start test"))
        self.test_status.setText(_("Test stopped."))

    def _captured(self, keys: tuple[Keystroke, ...]) -> None:
        self.test_button.setText(_("Start test"))
        self.test_status.setText(_("Press “Start test” to scan again."))
        setup = self.form_setup() or self._scanner.setup
        result = diagnose(keys, setup)
        self.last_diagnosis = result
        self.arrived_label.setText(_("Arrived: {text}").format(text=result.shown))
        lines: list[str] = []
        if result.ok:
            lines.append(_("The scanner works with Hylla as set up here."))
        lines += [f"• {finding.message}" for finding in result.findings]
        lines += [f"• {note}" for note in result.notes]
        self.verdict_label.setText("\n".join(lines))
        self.verdict_label.setProperty("role", "success" if result.ok else "error")
        style = self.verdict_label.style()
        style.unpolish(self.verdict_label)
        style.polish(self.verdict_label)
        self.diagnosed.emit(result)
