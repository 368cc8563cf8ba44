"""The keyboard help (F1): every shortcut of the window and of the page on screen.

Staff at a workstation work from the keyboard and the scanner; this overlay lists what
the keys do, so nobody needs a mouse to find out. The window's own keys and the page
keys come from the page registry; a page adds its own with a ``shortcuts()`` method
returning ``(keys, what it does)`` pairs, already translated.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _

Shortcut = tuple[str, str]


def native(keys: str) -> str:
    """``keys`` as the user's keyboard names them (Ctrl+Enter, Ctrl+Z…)."""
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText) or keys


def _table_html(title: str, rows: Sequence[Shortcut]) -> str:
    cells = "".join(
        f"<tr><td style='padding:3px 18px 3px 0'><b>{_escape(native(keys))}</b></td>"
        f"<td style='padding:3px 0'>{_escape(text)}</td></tr>"
        for keys, text in rows
    )
    return f"<h3 style='margin:14px 0 4px 0'>{_escape(title)}</h3><table>{cells}</table>"


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class ShortcutsHelp(QDialog):
    """A large, plain list of the keys, grouped: everywhere, pages, this page."""

    def __init__(
        self,
        everywhere: Sequence[Shortcut],
        pages: Sequence[Shortcut],
        this_page: Sequence[Shortcut],
        page_title: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("shortcuts_help")
        self.setWindowTitle(_("Keyboard shortcuts"))
        html = _table_html(_("Everywhere"), everywhere) + _table_html(_("Pages"), pages)
        if this_page:
            html += _table_html(_("On this page: {page}").format(page=page_title), this_page)
        self.text = QLabel(html)
        self.text.setObjectName("shortcuts_text")
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        font = self.text.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.text.setFont(font)
        scroll = QScrollArea()
        scroll.setWidget(self.text)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        hint = QLabel(_("A scan works on every page: the page on screen takes it."))
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.resize(620, 640)

    def plain_text(self) -> str:
        """The help as plain text (for tests and screen readers)."""
        doc = self.text.text()
        for tag in ("</tr>", "</h3>"):
            doc = doc.replace(tag, "\n")
        doc = doc.replace("</td>", "\t")
        out, inside = [], False
        for ch in doc:
            if ch == "<":
                inside = True
            elif ch == ">":
                inside = False
            elif not inside:
                out.append(ch)
        return "".join(out).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
