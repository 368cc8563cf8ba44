"""A document saved as PDF from a scan screen: made on the worker, written, announced,
offered to open; a document that cannot be made or written is an error and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from app.services.errors import NotFoundError
from app.ui import pdf_actions
from app.ui.runner import Runner
from tests.ui.conftest import TIMEOUT_MS, Dialogs

QUESTION = "The note is saved in {path}. Open it now?"


def note_pdf(_session: Session, number: str) -> bytes:
    if number != "GR-1001":
        raise NotFoundError(f"Receipt {number} does not exist.")
    return b"%PDF-1.4 " + number.encode()


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    seen: list[Path] = []
    monkeypatch.setattr(pdf_actions, "open_pdf", seen.append)
    return seen


def save(qtbot: QtBot, runner: Runner, settings: QSettings, path: Path, number: str) -> list[Path]:
    parent = QWidget()
    qtbot.addWidget(parent)
    saved: list[Path] = []
    pdf_actions.save_pdf_then_offer(
        parent,
        runner,
        settings,
        path,
        note_pdf,
        number,
        saved=saved.append,
        title="Note saved",
        question=QUESTION,
    )
    qtbot.waitUntil(lambda: not runner.pending_count(), timeout=TIMEOUT_MS)
    return saved


def test_the_pdf_is_written_announced_and_opened_when_the_user_says_so(
    qtbot: QtBot,
    runner: Runner,
    settings: QSettings,
    tmp_path: Path,
    dialogs: Dialogs,
    opened: list[Path],
) -> None:
    target = tmp_path / "notes" / "GR-1001.pdf"
    target.parent.mkdir()
    assert save(qtbot, runner, settings, target, "GR-1001") == [target]
    assert target.read_bytes() == b"%PDF-1.4 GR-1001"
    assert dialogs.questions == [QUESTION.format(path=target)]
    assert opened == [target]
    # The next document is offered in the same folder.
    assert settings.value("documents/folder") == str(target.parent)

    dialogs.answer = False
    again = tmp_path / "notes" / "copy.pdf"
    assert save(qtbot, runner, settings, again, "GR-1001") == [again]
    assert opened == [target]


def test_a_document_that_cannot_be_made_is_an_error_and_nothing_is_written(
    qtbot: QtBot,
    runner: Runner,
    settings: QSettings,
    tmp_path: Path,
    dialogs: Dialogs,
    opened: list[Path],
) -> None:
    target = tmp_path / "GR-9999.pdf"
    assert save(qtbot, runner, settings, target, "GR-9999") == []
    assert dialogs.errors == ["Receipt GR-9999 does not exist."]
    assert not target.exists()
    assert dialogs.questions == [] and opened == []


def test_a_pdf_that_cannot_be_written_says_why_and_offers_nothing(
    qtbot: QtBot,
    runner: Runner,
    settings: QSettings,
    tmp_path: Path,
    dialogs: Dialogs,
    opened: list[Path],
) -> None:
    target = tmp_path / "no such folder" / "GR-1001.pdf"
    assert save(qtbot, runner, settings, target, "GR-1001") == []
    assert len(dialogs.errors) == 1
    assert dialogs.errors[0].startswith(f"The PDF could not be saved to {target}")
    assert dialogs.questions == [] and opened == []
