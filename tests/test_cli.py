"""The command line: commands, exit codes and one-line failures (in-process and as a process)."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from app import cli
from app.services.database import open_database
from app.services.locations import list_bins

ROOT = Path(__file__).resolve().parent.parent


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """``main(argv)`` in this process: (exit code, stdout, stderr)."""
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("hylla: "), err
    return lines[0]


def bins(database: Path) -> list[tuple[str, str]]:
    db = open_database(database)
    try:
        return [(b.code, b.name) for b in db.run(list_bins)]
    finally:
        db.dispose()


@pytest.fixture
def database(tmp_path: Path, sqlite_template: Path) -> Path:
    path = tmp_path / "cli.db"
    path.write_bytes(sqlite_template.read_bytes())
    return path


@pytest.fixture
def bins_csv(tmp_path: Path) -> Path:
    path = tmp_path / "bins.csv"
    path.write_text("code;name\nA-01;Kyl\nA-02;Frys\n", encoding="utf-8")
    return path


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "--help")
    assert code == 0
    for command in (
        "demo",
        "import",
        "export",
        "backup",
        "restore",
        "proposals",
        "report",
        "order",
    ):
        assert command in out
    code, out, _err = run(capsys, "import", "--help")
    assert code == 0 and "--dry-run" in out and "supplier-items" in out


def test_unknown_kind_is_a_one_line_usage_error(
    capsys: pytest.CaptureFixture[str], database: Path, bins_csv: Path
) -> None:
    code, out, err = run(capsys, "import", "bins", bins_csv, "--database", database)
    assert code == 2 and out == ""
    assert "invalid choice: 'bins'" in one_line(err)
    code, _out, err = run(capsys, "export", "proposals", "x.csv")
    assert code == 2 and "invalid choice" in one_line(err)
    code, _out, err = run(capsys, "frobnicate")
    assert code == 2
    one_line(err)


def test_missing_file_is_one_line_and_creates_no_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "new.db"
    code, _out, err = run(capsys, "import", "items", tmp_path / "nope.csv", "--database", target)
    assert code == 1
    assert one_line(err) == f"hylla: There is no file {tmp_path / 'nope.csv'}."
    assert not target.exists()


def test_database_that_is_not_a_database_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bins_csv: Path
) -> None:
    text_file = tmp_path / "notes.txt"
    text_file.write_text("shopping list\n", encoding="utf-8")
    for argv in (
        ("import", "locations", bins_csv, "--database", text_file),
        ("export", "items", tmp_path / "out.csv", "--database", text_file),
        ("backup", tmp_path / "b.db", "--database", text_file),
    ):
        code, _out, err = run(capsys, *argv)
        assert code == 1
        assert "is not a Hylla database" in one_line(err)
    assert text_file.read_text(encoding="utf-8") == "shopping list\n"


def test_import_dry_run_then_import_then_export(
    capsys: pytest.CaptureFixture[str], database: Path, bins_csv: Path, tmp_path: Path
) -> None:
    code, out, err = run(
        capsys, "import", "locations", bins_csv, "--dry-run", "--database", database
    )
    assert (code, err) == (0, "")
    assert out == "Dry run, nothing was saved. locations: 2 new, 0 changed, 0 unchanged\n"
    assert bins(database) == []
    # --database also works before the command.
    code, out, _err = run(capsys, "--database", database, "import", "locations", bins_csv)
    assert (code, out) == (0, "locations: 2 new, 0 changed, 0 unchanged\n")
    assert bins(database) == [("A-01", "Kyl"), ("A-02", "Frys")]
    exported = tmp_path / "out.csv"
    code, out, _err = run(capsys, "export", "locations", exported, "--database", database)
    assert (code, out) == (0, f"Exported 2 rows of locations to {exported}.\n")
    assert exported.read_bytes() == b"code,name\r\nA-01,Kyl\r\nA-02,Frys\r\n"
    code, out, _err = run(capsys, "import", "locations", exported, "--database", database)
    assert out == "locations: 0 new, 0 changed, 2 unchanged\n"


def test_a_bad_import_prints_its_summary_and_every_row_then_fails(
    capsys: pytest.CaptureFixture[str], database: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\nA 01,x\nOK-1,fine\nOK-1,twice\n", encoding="utf-8")
    code, out, err = run(capsys, "import", "locations", bad, "--database", database)
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "hylla: Nothing was imported from bad.csv: 2 problems were found.",
        "Row 2, code: A bin code is 1–40 letters, digits, '-', '.', '_' or '/', e.g. A-01-03.",
        "Row 4, code: Bin OK-1 is also on row 3.",
    ]
    assert bins(database) == []


def test_the_default_database_is_the_users_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bins_csv: Path
) -> None:
    # conftest points HYLLA_DATA_DIR at tmp_path/data.
    code, _out, _err = run(capsys, "import", "locations", bins_csv)
    assert code == 0
    assert bins(tmp_path / "data" / "hylla.db") == [("A-01", "Kyl"), ("A-02", "Frys")]


def test_export_to_an_unwritable_place_is_one_line(
    capsys: pytest.CaptureFixture[str], database: Path, tmp_path: Path
) -> None:
    nowhere = tmp_path / "no" / "x.csv"
    code, _out, err = run(capsys, "export", "items", nowhere, "--database", database)
    assert code == 1
    assert "Cannot write" in one_line(err)
    code, _out, err = run(capsys, "export", "items", tmp_path / "x.xlsx", "--database", database)
    assert code == 1
    assert one_line(err) == "hylla: Exports are CSV files. Name the file x.csv."


def test_backup_and_restore(
    capsys: pytest.CaptureFixture[str], database: Path, bins_csv: Path, tmp_path: Path
) -> None:
    run(capsys, "import", "locations", bins_csv, "--database", database)
    backup = tmp_path / "backup.db"
    code, out, _err = run(capsys, "backup", backup, "--database", database)
    assert code == 0 and out.startswith(f"Backed up {database} to {backup} (")
    more = tmp_path / "more.csv"
    more.write_text("code\nB-01\n", encoding="utf-8")
    run(capsys, "import", "locations", more, "--database", database)
    assert len(bins(database)) == 3
    code, out, err = run(capsys, "restore", backup, "--database", database)
    assert (code, err) == (0, "")
    assert out == f"Restored {backup} into {database}.\n"
    assert bins(database) == [("A-01", "Kyl"), ("A-02", "Frys")]


def test_backup_asks_for_force_before_replacing_a_file(
    capsys: pytest.CaptureFixture[str], database: Path, tmp_path: Path
) -> None:
    target = tmp_path / "backup.db"
    target.write_bytes(b"yesterday")
    code, out, err = run(capsys, "backup", target, "--database", database)
    assert (code, out) == (1, "")
    assert one_line(err) == (
        f"hylla: {target} already exists and was left as it is. Name a new backup file, "
        "or add --force to replace it."
    )
    assert target.read_bytes() == b"yesterday"
    code, out, _err = run(capsys, "backup", target, "--force", "--database", database)
    assert code == 0 and out.startswith(f"Backed up {database} to {target} (")
    assert target.read_bytes() != b"yesterday"
    # --force never reaches the live database.
    before = database.read_bytes()
    code, _out, err = run(capsys, "backup", database, "--force", "--database", database)
    assert code == 1 and "other than the database itself" in one_line(err)
    assert database.read_bytes() == before
    code, out, _err = run(capsys, "backup", "--help")
    assert code == 0 and "--force" in out and "a new file, unless --force" in " ".join(out.split())


def test_restore_refuses_a_file_that_is_not_a_backup(
    capsys: pytest.CaptureFixture[str], database: Path, tmp_path: Path
) -> None:
    not_backup = tmp_path / "notes.db"
    not_backup.write_text("hello", encoding="utf-8")
    before = database.read_bytes()
    code, _out, err = run(capsys, "restore", not_backup, "--database", database)
    assert code == 1
    assert "is not a Hylla backup" in one_line(err)
    assert database.read_bytes() == before
    code, _out, err = run(capsys, "restore", tmp_path / "missing.db", "--database", database)
    assert code == 1 and "There is no backup file" in one_line(err)


def test_demo_refuses_a_database_with_data(
    capsys: pytest.CaptureFixture[str], database: Path, bins_csv: Path, tmp_path: Path
) -> None:
    items = tmp_path / "items.csv"
    items.write_text("sku,name\nA-1,Thing\n", encoding="utf-8")
    run(capsys, "import", "items", items, "--database", database)
    code, _out, err = run(capsys, "demo", "--database", database)
    assert code == 1
    assert one_line(err) == (
        f"hylla: {database} already holds data. The demo only fills an empty database: "
        "name a new file with --database."
    )


def test_demo_then_export_and_import_round_trip(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    database = tmp_path / "demo.db"
    code, out, err = run(capsys, "demo", "--database", database)
    assert (code, err) == (0, "")
    assert out.startswith("Demo warehouse created:")
    for kind in ("items", "suppliers", "supplier-items", "locations", "stock"):
        path = tmp_path / f"{kind}.csv"
        code, out, _err = run(capsys, "export", kind, path, "--database", database)
        assert code == 0
        code, out, err = run(capsys, "import", kind, path, "--database", database)
        assert (code, err) == (0, ""), kind
        assert ": 0 new, 0 changed, " in out, out


def test_no_command_opens_the_window_with_the_database(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[str | None] = []
    fake = types.ModuleType("app.ui.app")

    def run_gui(database: str | None) -> int:
        calls.append(database)
        return 0

    fake.run_gui = run_gui  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "app.ui.app", fake)
    assert run(capsys, "--database", tmp_path / "w.db")[0] == 0
    assert run(capsys)[0] == 0
    assert calls == [str(tmp_path / "w.db"), None]


def test_a_window_that_cannot_start_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "app.ui.app", None)  # makes the import fail
    code, _out, err = run(capsys)
    assert code == 1
    assert one_line(err).startswith("hylla: The window cannot start:")


def _process(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HYLLA_LANG": "en"}
    return subprocess.run(
        [sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_main_py_runs_headless_without_loading_qt(tmp_path: Path, bins_csv: Path) -> None:
    database = tmp_path / "p.db"
    done = _process(
        str(ROOT / "main.py"),
        "import",
        "locations",
        str(bins_csv),
        "--database",
        str(database),
        cwd=tmp_path,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "locations: 2 new, 0 changed, 0 unchanged\n"
    done = _process(str(ROOT / "main.py"), "import", "pallets", "x.csv", cwd=tmp_path)
    assert done.returncode == 2
    one_line(done.stderr)
    done = _process(
        "-c",
        "import sys; from app.cli import main; "
        f"code = main(['export', 'locations', 'out.csv', '--database', {str(database)!r}]); "
        "print(code, 'PySide6' in sys.modules)",
        cwd=tmp_path,
    )
    assert done.stdout.splitlines()[-1] == "0 False", done.stderr
