"""A document the user saves as PDF from a screen: made on the database worker, written
where the user chose, then offered to open.

The screen still asks where to save (``choose_pdf_path``, so that each screen names its
own dialog), and says in its own words that the document was saved; what follows the
choice is the same for a delivery note, a pick list, a goods-received note, a count
sheet and a variance report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from app.i18n import _
from app.services.errors import HyllaError
from app.ui import feedback
from app.ui.purchase_orders_page import open_pdf, write_pdf
from app.ui.runner import Runner


def save_pdf_then_offer(
    parent: QWidget,
    runner: Runner,
    settings: QSettings,
    path: Path,
    make: Callable[..., bytes],
    *args: Any,
    saved: Callable[[Path], None],
    title: str,
    question: str,
    fields: Mapping[str, str] | None = None,
    failed: Callable[[HyllaError], None] | None = None,
) -> None:
    """Make a PDF with ``make(*args)`` on the worker and write it to ``path``; then
    ``saved`` hears of it and the user is asked (``title``; ``question`` with a
    ``{path}`` field and those of ``fields``) whether to open it now. ``path``'s folder
    is where the next document is offered to go. A failure to make it goes to
    ``failed`` (by default shown as an error), one to write it is shown as an error;
    then nothing else happens."""
    settings.setValue("documents/folder", str(path.parent))

    def write(pdf: bytes) -> None:
        if not write_pdf(parent, pdf, path):
            return
        saved(path)
        if feedback.ask(
            parent, title, question.format(path=path, **(fields or {})), _("Open"), _("Not now")
        ):
            open_pdf(path)

    runner.run(
        make,
        *args,
        on_done=write,
        on_error=failed or (lambda error: feedback.show_error(parent, error.message)),
        owner=parent,
    )
