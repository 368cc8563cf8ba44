"""The window benchmark's probe opens the real window in a fresh process on either first
page and reports each step (no timings are asserted: the benchmark measures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.dataset import DatasetInfo, build_dataset
from benchmarks.measure import Metric, Skipped, measure_window


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> DatasetInfo:
    path = tmp_path_factory.mktemp("window") / "bench.db"
    return build_dataset(path, items=60, moves=600, bins=6, suppliers=3)


@pytest.mark.parametrize(
    ("page", "painted"),
    [
        ("items", "window: process start to items page painted"),
        ("start", "window on start: process start to start page figures painted"),
    ],
)
def test_the_probe_opens_the_window_on_either_first_page(
    built: DatasetInfo, page: str, painted: str
) -> None:
    result = measure_window(Path(built.path), timeout_s=90, page=page)
    assert not isinstance(result, Skipped), result
    figures = {metric.name: metric for metric in result}
    assert all(isinstance(metric, Metric) and metric.value > 0 for metric in result)
    assert figures[painted].budget == 2000.0
    prefix = painted.split(":")[0]
    steps = [f"{prefix}: of which imports and QApplication", f"{prefix}: CPU time until painted"]
    assert all(name in figures for name in steps)
    # The window is shown before its first page's data is in, which is before it is painted.
    shown_to_data = figures[f"{prefix}: window shown to its data in"].value
    assert shown_to_data < figures[painted].value
