"""``python main.py report NAME -o FILE``: each report as PDF or CSV, in either language,
and one clear line (with nothing written) for every wrong option or date."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from app import cli, i18n
from app.models import MoveKind
from app.services import ledger
from app.services.database import open_database, unit_of_work
from tests import factories as f
from tests.reports.pdf_tools import pdf_text


@pytest.fixture
def database(sqlite_url: str) -> Iterator[Path]:
    """A database with one item received and partly sold a month ago."""
    db = open_database(sqlite_url)
    try:
        with unit_of_work(db) as s:
            p = f.places(s)
            item = f.item(s, p.user, "CLI-1", name="Skruv <M6>", category="Fästelement").id
            moved_at = dt.datetime.now().astimezone() - dt.timedelta(days=30)
            for into, qty in ((True, "10"), (False, "4")):
                ledger.post_move(
                    s,
                    item_id=item,
                    quantity=Decimal(qty),
                    from_location_id=p.supplier if into else p.bins[0],
                    to_location_id=p.bins[0] if into else p.customer,
                    kind=MoveKind.RECEIPT if into else MoveKind.ISSUE,
                    user_id=p.user,
                    unit_cost=Decimal("2.50") if into else None,
                    moved_at=moved_at,
                )
    finally:
        db.dispose()
    yield Path(sqlite_url)
    i18n.set_language("en")


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", cli.REPORT_NAMES)
def test_each_report_is_written_as_a_pdf(
    capsys: pytest.CaptureFixture[str], database: Path, tmp_path: Path, name: str
) -> None:
    out_file = tmp_path / f"{name}.pdf"
    code, out, err = run(capsys, "report", name, "-o", out_file, "--database", database)
    assert (code, err) == (0, "")
    assert out.startswith("Wrote the report “") and str(out_file) in out
    assert out_file.read_bytes().startswith(b"%PDF")


def test_a_report_as_csv_for_a_period(
    capsys: pytest.CaptureFixture[str], database: Path, tmp_path: Path
) -> None:
    out_file = tmp_path / "turnover.csv"
    start = (dt.date.today() - dt.timedelta(days=90)).isoformat()
    code, out, err = run(
        capsys,
        "report",
        "turnover",
        "--from",
        start,
        "-o",
        out_file,
        "--csv",
        "--database",
        database,
    )
    assert (code, err) == (0, "")
    assert "Wrote 1 row of the report “Stock turnover”" in out
    with out_file.open(encoding="utf-8") as fh:
        (record,) = list(csv.DictReader(fh))
    assert record["sku"] == "CLI-1" and Decimal(record["cogs"]) == Decimal(10)


def test_a_swedish_report_on_request(
    capsys: pytest.CaptureFixture[str], database: Path, tmp_path: Path
) -> None:
    out_file = tmp_path / "abc.pdf"
    code, out, _err = run(
        capsys, "report", "abc", "-o", out_file, "--lang", "sv", "--database", database
    )
    assert code == 0 and out.startswith("Skrev rapporten ”ABC-analys”")
    text = "\n".join(pdf_text(out_file.read_bytes())).replace("\u00a0", " ")
    assert "ABC-analys" in text and "Skruv <M6>" in text and "10,00" in text


@pytest.mark.parametrize(
    ("argv", "code", "words"),
    [
        (["report", "turnover", "--as-of", "2026-01-01"], 1, "use --from and --to"),
        (["report", "valuation", "--from", "2026-01-01"], 1, "use --as-of"),
        (["report", "abc", "--from", "2026-05-02", "--to", "2026-05-01"], 1, "Swap the dates"),
        (["report", "valuation", "--as-of", "2999-01-01"], 1, "after today"),
        (["report", "abc", "--from", "2026-13-01"], 2, "YYYY-MM-DD"),
        (["report", "stock-list"], 2, "invalid choice"),
    ],
)
def test_wrong_options_get_one_line_and_write_nothing(
    capsys: pytest.CaptureFixture[str],
    database: Path,
    tmp_path: Path,
    argv: list[str],
    code: int,
    words: str,
) -> None:
    out_file = tmp_path / "report.pdf"
    result, out, err = run(capsys, *argv, "-o", out_file, "--database", database)
    assert result == code and out == ""
    assert words in err and err.count("\n") == 1
    assert not out_file.exists()


def test_the_file_kind_and_folder_are_checked_first(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing_db = tmp_path / "never.db"
    for argv, words in (
        (["report", "abc", "-o", tmp_path / "abc.csv"], "add --csv"),
        (["report", "abc", "--csv", "-o", tmp_path / "abc.pdf"], "name it abc.csv"),
        (["report", "abc", "-o", tmp_path / "no" / "abc.pdf"], "does not exist"),
    ):
        code, _out, err = run(capsys, *argv, "--database", missing_db)
        assert code == 1 and words in err
    assert not missing_db.exists()
