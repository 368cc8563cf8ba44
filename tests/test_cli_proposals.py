"""``python main.py proposals [-o FILE.csv]``: printed for people, written for programs."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from app import cli
from app.services.database import open_database
from tests.services.proposals_setup import TODAY, item, world

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def database(tmp_path: Path, sqlite_template: Path) -> Path:
    """A database with one supplier, an item to order and a manual item running low."""
    path = tmp_path / "cli.db"
    path.write_bytes(sqlite_template.read_bytes())
    db = open_database(path)
    try:

        def build(session):  # type: ignore[no-untyped-def]
            w = world(session)
            item(session, w, "KAFFE", daily="2", on_hand="3", pack="6")
            item(session, w, "HANDTAG", policy="manual", daily="1", on_hand="0", min_qty="2")
            item(session, w, "LAGER", daily="1", on_hand="900")

        db.run(build)
    finally:
        db.dispose()
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_proposals_are_printed_by_supplier(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    code, out, err = run(capsys, "proposals", "--database", database)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("NORD — Nordgrossisten AB: 1 line, ")
    assert lines[0].endswith(" SEK")
    kaffe = next(line for line in lines if "KAFFE" in line)
    assert f"order {TODAY.isoformat()}" in kaffe and "pcs" in kaffe
    assert any("HANDTAG" in line and "manual: not proposed" in line for line in lines)
    assert not any("LAGER" in line for line in lines)
    assert lines[-1] == "1 item to order from 1 supplier."


def test_proposals_are_written_in_the_interchange_format(
    capsys: pytest.CaptureFixture[str], database: Path, tmp_path: Path
) -> None:
    target = tmp_path / "proposals.csv"
    code, out, err = run(capsys, "proposals", "--database", database, "-o", target)
    assert code == 0, err
    assert out.splitlines() == [
        f"Wrote 1 proposal line to {target}.",
        "1 item to order from 1 supplier.",
    ]
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["sku"] for row in rows] == ["KAFFE"]
    row = rows[0]
    assert row["supplier"] == "NORD" and row["policy"] == "reorder-point"
    assert int(row["qty"]) % 6 == 0 and int(row["qty"]) > 0
    assert row["order_date"] == TODAY.isoformat()
    assert row["reason"].startswith("On hand 3, on order 0, reserved 0, backordered 0")
    assert list(rows[0]) == ["supplier", "sku", "qty", "order_date", "due_date", "policy", "reason"]


def test_a_missing_folder_is_refused_before_anything_runs(
    capsys: pytest.CaptureFixture[str], database: Path, tmp_path: Path
) -> None:
    code, out, err = run(
        capsys, "proposals", "--database", database, "-o", tmp_path / "nope" / "p.csv"
    )
    assert code == 1 and out == ""
    assert err.strip() == f"hylla: The folder {tmp_path / 'nope'} does not exist."


def test_an_export_over_a_folder_fails_in_one_line(
    capsys: pytest.CaptureFixture[str], database: Path, tmp_path: Path
) -> None:
    code, _out, err = run(capsys, "proposals", "--database", database, "-o", tmp_path)
    assert code == 1
    assert err.count("\n") == 1 and "is a folder" in err


def test_the_command_runs_as_a_process(database: Path, tmp_path: Path) -> None:
    target = tmp_path / "p.csv"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "proposals",
            "--database",
            str(database),
            "-o",
            str(target),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={"HYLLA_LANG": "en", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert target.read_text(encoding="utf-8").startswith("supplier,sku,qty,")
