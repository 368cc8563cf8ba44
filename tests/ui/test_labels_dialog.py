"""The Print labels dialog: preview, saving a PDF that decodes, printing, and the
Items page's "Print labels…" for several selected items."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QSettings, Qt
from pytestqt.qtbot import QtBot

from app.services import lots
from app.services.database import Database
from app.services.labels import LabelKind
from app.services.users import UserRef
from app.ui import labels_dialog
from app.ui.items_page import ItemsPage
from app.ui.labels_dialog import LabelsDialog
from app.ui.runner import Runner
from tests import factories
from tests.barcodes.test_labels import decode_pdf
from tests.ui.conftest import TIMEOUT_MS, Dialogs

EAN = "7310865004703"


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Files the dialog asked the desktop to open (nothing really opens)."""
    seen: list[Path] = []
    monkeypatch.setattr(labels_dialog, "open_in_viewer", lambda path: seen.append(path) or True)
    return seen


def _items(db: Database, user: UserRef) -> list[int]:
    hammer = db.run(factories.item, user.id, "HX-1001", name="Hammare", barcodes=(EAN,))
    gloves = db.run(factories.item, user.id, "GL-N/L", name="Handskar <b>&", sales_price="12.5")
    return [int(hammer.id), int(gloves.id)]


def _dialog(
    qtbot: QtBot,
    runner: Runner,
    kind: LabelKind,
    ids: list[int],
    settings: QSettings,
) -> LabelsDialog:
    dialog = LabelsDialog(runner, kind, ids, settings=settings)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _choose(dialog: LabelsDialog, layout: str) -> None:
    dialog.layout_combo.setCurrentIndex(dialog.layout_combo.findData(layout))


def test_the_preview_counts_labels_and_pages(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database, settings: QSettings
) -> None:
    dialog = _dialog(qtbot, runner, LabelKind.ITEMS, _items(sqlite_db, tester), settings)

    assert dialog.subject_label.text() == "2 items selected"
    assert dialog.preview_label.text() == "2 labels, on 1 A4 sheet."
    dialog.copies_spin.setValue(13)
    assert dialog.preview_label.text() == "26 labels, on 2 A4 sheets."
    _choose(dialog, "roll-57x32")
    assert dialog.preview_label.text() == "26 labels, on 26 roll labels."
    assert dialog.price_check.isEnabled()
    assert dialog.save_button.isEnabled()


def test_save_makes_the_pdf_in_the_background_and_offers_to_open_it(
    qtbot: QtBot,
    runner: Runner,
    tester: UserRef,
    sqlite_db: Database,
    settings: QSettings,
    dialogs: Dialogs,
    opened: list[Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "out" / "etiketter"
    target.parent.mkdir()
    suggested: list[Path] = []
    monkeypatch.setattr(
        labels_dialog,
        "choose_save_path",
        lambda _parent, path: suggested.append(path) or target.with_suffix(".pdf"),
    )
    dialog = _dialog(qtbot, runner, LabelKind.ITEMS, _items(sqlite_db, tester), settings)
    _choose(dialog, "a4-3x7")
    dialog.copies_spin.setValue(2)
    dialog.price_check.setChecked(True)

    with qtbot.waitSignal(dialog.saved, timeout=TIMEOUT_MS) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        # The click returns at once: the PDF is made on the worker meanwhile.
        assert not dialog.save_button.isEnabled()
        assert dialog.preview_label.text() == "Making the labels…"

    path = saved.args[0]
    assert path == target.with_suffix(".pdf")
    assert suggested[0].name == "item-labels.pdf"
    found = [(d.format, d.text) for d in decode_pdf(path.read_bytes(), "a4-3x7", tmp_path)]
    assert found == [("EAN-13", EAN)] * 2 + [("Code 128", "GL-N/L")] * 2
    assert dialog.preview_label.text() == f"Saved 4 labels to {path}."
    assert dialogs.questions == [f"The labels are saved in {path}. Open them now?"]
    assert opened == [path]
    assert dialog.save_button.isEnabled()
    # The next dialog starts on the same label stock, in the same folder.
    again = _dialog(qtbot, runner, LabelKind.ITEMS, [1], settings)
    assert again.layout_name() == "a4-3x7"
    assert again._suggested_path().parent == target.parent


def test_cancelling_the_file_dialog_does_nothing(
    qtbot: QtBot,
    runner: Runner,
    tester: UserRef,
    sqlite_db: Database,
    settings: QSettings,
    dialogs: Dialogs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(labels_dialog, "choose_save_path", lambda _parent, _path: None)
    dialog = _dialog(qtbot, runner, LabelKind.ITEMS, _items(sqlite_db, tester), settings)

    dialog.save_pdf()

    assert runner.pending_count() == 0
    assert dialog.save_button.isEnabled() and not dialogs.errors


def test_an_unwritable_file_and_a_refused_label_are_explained(
    qtbot: QtBot,
    runner: Runner,
    tester: UserRef,
    sqlite_db: Database,
    settings: QSettings,
    dialogs: Dialogs,
    opened: list[Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = _items(sqlite_db, tester)
    long_sku = sqlite_db.run(factories.item, tester.id, "X" * 40, name="Lång")
    monkeypatch.setattr(
        labels_dialog, "choose_save_path", lambda _parent, _path: tmp_path / "gone" / "x.pdf"
    )
    dialog = _dialog(qtbot, runner, LabelKind.ITEMS, ids, settings)
    dialog.save_pdf()
    qtbot.waitUntil(lambda: bool(dialogs.errors), timeout=TIMEOUT_MS)
    assert dialogs.errors[0].startswith(f"The labels could not be saved to {tmp_path / 'gone'}")
    assert not opened

    monkeypatch.setattr(
        labels_dialog, "choose_save_path", lambda _parent, _path: tmp_path / "long.pdf"
    )
    long_dialog = _dialog(qtbot, runner, LabelKind.ITEMS, [int(long_sku.id)], settings)
    _choose(long_dialog, "roll-57x32")
    long_dialog.save_pdf()
    qtbot.waitUntil(lambda: len(dialogs.errors) == 2, timeout=TIMEOUT_MS)
    assert "too long for a barcode on a 57 mm wide label" in dialogs.errors[1]
    assert not (tmp_path / "long.pdf").exists()
    assert long_dialog.save_button.isEnabled()


def test_lot_labels_are_counted_and_their_problems_shown(
    qtbot: QtBot,
    runner: Runner,
    tester: UserRef,
    sqlite_db: Database,
    settings: QSettings,
) -> None:
    def milk_in_stock(session):  # type: ignore[no-untyped-def]
        p = factories.places(session)
        milk = factories.item(
            session, p.user, "MJ-1", barcodes=("7310865000057",), lot_tracked=True
        )
        for code, month in (("L1", 1), ("L2", 2)):
            lot = lots.get_or_create_lot(session, milk.id, code, dt.date(2027, month, 1))
            factories.receive(session, p, milk.id, "5", lot_id=lot.id)
        return int(milk.id)

    milk = sqlite_db.run(milk_in_stock)
    plain = _items(sqlite_db, tester)[1]

    dialog = _dialog(qtbot, runner, LabelKind.ITEMS, [milk], settings)
    with qtbot.waitSignal(dialog.counted, timeout=TIMEOUT_MS) as counted:
        dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(LabelKind.LOTS))
        assert dialog.preview_label.text() == "Counting the lots in stock…"
        assert not dialog.save_button.isEnabled()
    assert counted.args == [2]
    dialog.copies_spin.setValue(3)
    assert dialog.preview_label.text() == "6 labels, on 1 A4 sheet."
    assert not dialog.price_check.isEnabled()
    assert dialog.request().with_price is False

    refused = _dialog(qtbot, runner, LabelKind.ITEMS, [plain], settings)
    with qtbot.waitSignal(refused.counted, timeout=TIMEOUT_MS):
        refused.kind_combo.setCurrentIndex(refused.kind_combo.findData(LabelKind.LOTS))
    assert refused.problem_label.isVisible()
    assert "GL-N/L is not lot-tracked" in refused.problem_label.text()
    assert not refused.save_button.isEnabled()
    # Back to item labels: those can be made.
    refused.kind_combo.setCurrentIndex(refused.kind_combo.findData(LabelKind.ITEMS))
    assert refused.save_button.isEnabled() and not refused.problem_label.isVisible()


def test_print_sends_the_pdf_to_the_chosen_printer(
    qtbot: QtBot,
    runner: Runner,
    tester: UserRef,
    sqlite_db: Database,
    settings: QSettings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    sent: list[tuple[str, bytes, str]] = []

    def send(path: Path, printer: str, title: str) -> None:
        sent.append((printer, path.read_bytes(), title))

    monkeypatch.setattr(labels_dialog, "can_print", lambda: True)
    monkeypatch.setattr(labels_dialog, "choose_printer", lambda _parent: "Zebra-GK420d")
    monkeypatch.setattr(labels_dialog, "send_to_printer", send)
    dialog = _dialog(qtbot, runner, LabelKind.ITEMS, _items(sqlite_db, tester), settings)
    _choose(dialog, "roll-62x29")
    assert dialog.print_button.isEnabled()

    with qtbot.waitSignal(dialog.printed, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)

    (printer, pdf, title) = sent[0]
    assert (printer, title) == ("Zebra-GK420d", "Hylla labels")
    assert [d.text for d in decode_pdf(pdf, "roll-62x29", tmp_path)] == [EAN, "GL-N/L"]
    assert dialog.preview_label.text() == "Sent 2 labels to Zebra-GK420d."


def test_without_a_print_service_only_saving_is_offered(
    qtbot: QtBot,
    runner: Runner,
    tester: UserRef,
    sqlite_db: Database,
    settings: QSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(labels_dialog, "can_print", lambda: False)
    dialog = _dialog(qtbot, runner, LabelKind.ITEMS, _items(sqlite_db, tester), settings)

    assert not dialog.print_button.isEnabled()
    assert "CUPS" in dialog.print_button.toolTip()
    assert dialog.save_button.isEnabled()


def test_a_failing_print_spooler_is_reported(
    qtbot: QtBot,
    runner: Runner,
    tester: UserRef,
    sqlite_db: Database,
    settings: QSettings,
    dialogs: Dialogs,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    fake_lp = tmp_path / "lp"
    fake_lp.write_text("#!/bin/sh\necho 'lp: The printer or class does not exist.' >&2\nexit 1\n")
    fake_lp.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(labels_dialog, "choose_printer", lambda _parent: "Nowhere")
    dialog = _dialog(qtbot, runner, LabelKind.ITEMS, _items(sqlite_db, tester), settings)
    assert dialog.print_button.isEnabled()  # lp is found on the PATH

    dialog.print_labels()
    qtbot.waitUntil(lambda: bool(dialogs.errors), timeout=TIMEOUT_MS)

    assert dialogs.errors == [
        "The printer Nowhere did not take the labels: lp: The printer or class does not exist."
    ]
    assert dialog.print_button.isEnabled()


# --- the Items page ------------------------------------------------------------------------------
def test_items_page_prints_labels_for_every_selected_item(
    qtbot: QtBot, runner: Runner, tester: UserRef, sqlite_db: Database
) -> None:
    ids = _items(sqlite_db, tester)
    sqlite_db.run(factories.item, tester.id, "ZZ-9", name="Other")
    page = ItemsPage(runner, tester)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.items_loaded, timeout=TIMEOUT_MS):
        page.show()
        page.activate()
    # The first load selects one row; Ctrl+click adds a second.
    assert len(page.selected_ids()) == 1 and page.print_button.isEnabled()
    selection = page.table.selectionModel()
    row = page.model.view_row_of(ids[0])
    selection.select(
        page.model.index(row, 0),
        QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert sorted(page.selected_ids()) == sorted(ids)
    # With several selected, Open still means the current one.
    assert page.selected_id() in ids

    dialog = page.print_labels()

    assert dialog is not None
    qtbot.addWidget(dialog)
    assert dialog.request().item_ids == tuple(page.selected_ids())
    assert dialog.subject_label.text() == "2 items selected"
    dialog.close()
    page.table.clearSelection()
    assert not page.print_button.isEnabled()
    assert page.print_labels() is None
