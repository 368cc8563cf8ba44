"""``hylla barcode TEXT``: what Hylla reads in a scan, as JSON, and an exit code that says
whether it was recognised."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app import cli
from app.services import locations, users
from app.services.database import open_database
from app.services.items import BarcodeInput, ItemInput, save_item

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def database(tmp_path: Path, sqlite_template: Path) -> Path:
    path = tmp_path / "cli.db"
    path.write_bytes(sqlite_template.read_bytes())
    db = open_database(path)
    try:

        def fill(session: Session) -> None:
            user = users.workstation_user(session, "tester")
            save_item(
                session,
                user.id,
                ItemInput(
                    "KAFFE-500",
                    "Kaffe mellanrost 500 g",
                    barcodes=(BarcodeInput("7310865004703"), BarcodeInput("17310865004700", "12")),
                ),
            )
            locations.save_bin(session, user.id, "A-01-03")

        db.run(fill)
    finally:
        db.dispose()
    return path


def run(
    capsys: pytest.CaptureFixture[str], *argv: str | Path
) -> tuple[int, dict[str, object], str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def test_a_gs1_code_prints_its_fields_and_item(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    code, report, err = run(
        capsys,
        "barcode",
        "]C10117310865004700" + "17271231" + "10AB12\x1d3702",
        "--database",
        database,
    )
    assert code == 0 and err == ""
    assert (report["symbology"], report["kind"], report["gtin"]) == (
        "GS1-128",
        "gs1",
        "17310865004700",
    )
    assert report["ais"] == [
        {"ai": "01", "title": "GTIN", "value": "17310865004700", "parsed": "17310865004700"},
        {"ai": "17", "title": "USE BY OR EXPIRY", "value": "271231", "parsed": "2027-12-31"},
        {"ai": "10", "title": "BATCH/LOT", "value": "AB12", "parsed": "AB12"},
        {"ai": "37", "title": "COUNT", "value": "02", "parsed": "2"},
    ]
    item = report["item"]
    assert isinstance(item, dict)
    assert (item["sku"], item["pack_qty"], item["quantity"]) == ("KAFFE-500", "12", "24")
    assert report["message"] == "Kaffe mellanrost 500 g ×24 · lot AB12 · expires 2027-12-31"


def test_a_bin_label(capsys: pytest.CaptureFixture[str], database: Path) -> None:
    code, report, _err = run(capsys, "barcode", "a-01-03", "--database", database)
    assert code == 0 and report["outcome"] == "bin" and report["kind"] == "text"
    assert isinstance(report["bin"], dict) and report["bin"]["code"] == "A-01-03"


def test_unknown_and_invalid_print_json_and_fail_in_one_line(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    code, report, err = run(capsys, "barcode", "4006381333931", "--database", database)
    assert code == 1 and report["outcome"] == "unknown" and report["item"] is None
    assert err == "hylla: Barcode 4006381333931 is not linked to an item.\n"
    code, report, err = run(capsys, "barcode", "7310865004704", "--database", database)
    assert code == 1 and report["outcome"] == "invalid" and report["kind"] is None
    assert report["problem"] == "The check digit of 7310865004704 should be 3."
    assert err == "hylla: The check digit of 7310865004704 should be 3.\n"


def test_as_a_process_with_a_group_separator(database: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "main.py",
            "barcode",
            "--database",
            str(database),
            "\x1d0107310865004703" + "10L1\x1d3712",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"HYLLA_LANG": "en", "PATH": "/usr/bin:/bin", "HYLLA_DATA_DIR": str(database.parent)},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["lot"] == "L1" and report["count"] == "12"
    assert report["message"] == "Kaffe mellanrost 500 g ×12 · lot L1"
