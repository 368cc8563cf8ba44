"""The proposals benchmark measures real runs on the benchmark's data set (tiny scale here;
no timing is asserted, only that it measures what it says)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.services import users
from benchmarks.dataset import build_dataset, open_dataset
from benchmarks.proposals import RUN_BUDGET_MS, main, measure_proposals


def test_a_run_is_timed_with_its_steps_and_lines(tmp_path: Path) -> None:
    built = build_dataset(
        tmp_path / "b.db", items=60, moves=3_000, bins=4, suppliers=3, today=dt.date.today()
    )
    db = open_dataset(built.path)
    try:
        user = db.run(users.workstation_user, "bench")
        metrics = {m.name: m for m in measure_proposals(db, user.id, runs=1)}
    finally:
        db.dispose()
    run = metrics["proposal run, 60 items (median of 1)"]
    assert run.budget == RUN_BUDGET_MS and run.value > 0 and run.unit == "ms"
    steps = [name for name in metrics if name.startswith("proposal run: ")]
    assert steps == [
        f"proposal run: {step}" for step in ("gather", "demand", "abc", "plan", "lines")
    ]
    cpu_steps = [m for name, m in metrics.items() if name.startswith("proposal run CPU: ")]
    assert [m.name.removeprefix("proposal run CPU: ") for m in cpu_steps] == [
        "gather",
        "demand",
        "abc",
        "plan",
        "lines",
    ]
    assert all(m.value >= 0 and m.unit == "ms" for m in cpu_steps)
    # The first run is reported on its own, with its steps, and the whole run's CPU time.
    assert metrics["proposal run, first (cold)"].value > 0
    assert metrics["proposal run, CPU time of this process (median)"].value > 0
    assert "proposal run, first (cold): demand" in metrics
    assert metrics["proposal lines to order"].value > 0


def test_the_command_builds_measures_and_writes_its_figures(tmp_path: Path) -> None:
    out = tmp_path / "p.json"
    code = main(
        [
            "--db",
            str(tmp_path / "c.db"),
            "--items",
            "40",
            "--moves",
            "800",
            "--runs",
            "1",
            "--out",
            str(out),
        ]
    )
    assert code == 0  # forty items are well within the budget
    assert '"proposal run, 40 items (median of 1)"' in out.read_text()
