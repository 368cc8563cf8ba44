"""Garbage is collected on the GUI thread, never on a worker thread (app.ui.collector)."""

from __future__ import annotations

import gc
import threading

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.ui.collector import MainThreadCollector


class Cycle:
    """A piece of cyclic garbage that notes the thread that collected it."""

    collected_on: list[int] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        Cycle.collected_on.append(threading.get_ident())


def test_cyclic_garbage_dropped_while_a_worker_allocates_is_collected_on_the_gui_thread(
    qapp: QApplication,
) -> None:
    # The fixture in conftest.py runs one collector already; this one nests in it.
    collector = MainThreadCollector(qapp)
    try:
        assert not gc.isenabled()
        Cycle.collected_on.clear()
        Cycle()  # dropped at once: only the cyclic collector can free it

        def allocate() -> None:
            # Enough cyclic allocations to fill every generation several times over:
            # with automatic collection on, they would collect the Cycle here.
            keep = []
            for _ in range(50_000):
                node: list[object] = []
                node.append(node)
                keep.append(node)

        worker = threading.Thread(target=allocate)
        worker.start()
        worker.join()
        assert Cycle.collected_on == []
        assert collector.check() is not None
        gc.collect()  # whatever generation holds it by now
        assert Cycle.collected_on == [threading.get_ident()]
    finally:
        collector.stop()
        collector.deleteLater()


def test_the_timer_collects_when_a_generation_is_due(qapp: QApplication, qtbot: QtBot) -> None:
    collector = MainThreadCollector(qapp, interval_ms=10)
    try:
        gc.collect()
        assert collector.check() is None  # nothing due right after a collection
        Cycle.collected_on.clear()
        Cycle()
        for _ in range(gc.get_threshold()[0] + 10):
            node: list[object] = []
            node.append(node)
        qtbot.waitUntil(lambda: Cycle.collected_on == [threading.get_ident()], timeout=2000)
    finally:
        collector.stop()
        collector.deleteLater()


def test_stopping_gives_collection_back_to_python(qapp: QApplication) -> None:
    # Inside the suite's own collector Python's collection is off; outside it is on.
    gc.enable()
    collector = MainThreadCollector(qapp)
    assert not gc.isenabled()
    collector.stop()
    assert gc.isenabled()
    gc.disable()  # as the suite's collector left it
