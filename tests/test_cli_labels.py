"""``python main.py labels``: label PDFs from the command line, and one-line refusals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app import cli
from app.services import lots
from app.services.database import open_database
from tests import factories
from tests.barcodes.test_labels import decode_pdf

EAN = "7310865004703"
EAN_MILK = "7310865000057"


@pytest.fixture
def database(tmp_path: Path, sqlite_template: Path) -> Path:
    """A warehouse with a hammer (EAN-13), gloves (no EAN), milk in two lots, two bins."""
    path = tmp_path / "labels.db"
    path.write_bytes(sqlite_template.read_bytes())
    db = open_database(path)

    def fill(session):  # type: ignore[no-untyped-def]
        p = factories.places(session)
        factories.item(session, p.user, "HX-1001", name="Hammare", barcodes=(EAN,))
        factories.item(session, p.user, "GL-N/L", name="Handskar", sales_price="12.5")
        milk = factories.item(
            session, p.user, "MJ-1", name="Mjölk", barcodes=(EAN_MILK,), lot_tracked=True
        )
        for code, expiry in (("L2", dt.date(2027, 2, 1)), ("L1", dt.date(2027, 1, 1))):
            lot = lots.get_or_create_lot(session, milk.id, code, expiry)
            factories.receive(session, p, milk.id, "5", lot_id=lot.id)

    try:
        db.run(fill)
    finally:
        db.dispose()
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_item_labels(capsys: pytest.CaptureFixture[str], database: Path, tmp_path: Path) -> None:
    out_pdf = tmp_path / "items.pdf"
    code, out, err = run(
        capsys,
        "labels",
        "items",
        "--database",
        database,
        "--sku",
        "HX-1001",
        "--sku",
        "gl-n/l",
        "--copies",
        "2",
        "--price",
        "-o",
        out_pdf,
    )
    assert (code, err) == (0, "")
    assert out.strip() == f"Wrote 4 labels (1 page) to {out_pdf}."
    found = [(d.format, d.text) for d in decode_pdf(out_pdf.read_bytes(), "a4-3x8", tmp_path)]
    assert found == [("EAN-13", EAN)] * 2 + [("Code 128", "GL-N/L")] * 2


def test_bin_and_lot_labels(
    capsys: pytest.CaptureFixture[str], database: Path, tmp_path: Path
) -> None:
    bins_pdf, lots_pdf, one_pdf = (tmp_path / f"{n}.pdf" for n in ("bins", "lots", "one"))
    code, out, _err = run(
        capsys,
        "--database",
        database,
        "labels",
        "bins",
        "--bin",
        "a-01-02",
        "--bin",
        "A-01-01",
        "--layout",
        "roll-57x32",
        "-o",
        bins_pdf,
    )
    assert code == 0 and "2 labels (2 pages)" in out
    assert [d.text for d in decode_pdf(bins_pdf.read_bytes(), "roll-57x32", tmp_path)] == [
        "A-01-02",
        "A-01-01",
    ]

    code, _out, _err = run(
        capsys, "labels", "lots", "--database", database, "--sku", "MJ-1", "-o", lots_pdf
    )
    assert code == 0
    assert [d.text for d in decode_pdf(lots_pdf.read_bytes(), "a4-3x8", tmp_path)] == [
        f"(01)0{EAN_MILK}(17)270101(10)L1",
        f"(01)0{EAN_MILK}(17)270201(10)L2",
    ]
    code, out, _err = run(
        capsys, "labels", "lots", "--database", database, "--lot", "L2", "-o", one_pdf
    )
    assert code == 0 and out.strip() == f"Wrote 1 label (1 page) to {one_pdf}."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["items", "--sku", "NOPE"], "There is no item with SKU NOPE."),
        (["items"], "Name the items with --sku SKU (repeat it for more)."),
        (["bins", "--bin", "Z-9"], "There is no bin Z-9."),
        (["bins"], "Name the bins with --bin CODE (repeat it for more)."),
        (["bins", "--bin", "A-01-01", "--price"], "--price cannot be used for bin labels."),
        (["items", "--sku", "HX-1001", "--lot", "L1"], "--lot cannot be used for item labels."),
        (["lots"], "Name the items with --sku SKU, or the lots with --lot CODE."),
        (["lots", "--sku", "HX-1001"], "Item HX-1001 is not lot-tracked"),
        (["lots", "--sku", "GL-N/L", "--lot", "L1"], "There is no lot L1 of GL-N/L."),
        (["items", "--sku", "HX-1001", "--layout", "letter"], "There is no label layout “letter”"),
        (["items", "--sku", "HX-1001", "--copies", "0"], "copies must be a whole number"),
        (["items", "--sku", "HX-1001", "--copies", "two"], "copies must be a whole number"),
    ],
)
def test_bad_requests_fail_in_one_line_and_write_nothing(
    capsys: pytest.CaptureFixture[str],
    database: Path,
    tmp_path: Path,
    args: list[str],
    message: str,
) -> None:
    out_pdf = tmp_path / "never.pdf"

    code, out, err = run(capsys, "labels", "--database", database, *args, "-o", out_pdf)

    assert code in (1, 2) and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hylla: ")
    assert message in lines[0]
    assert not out_pdf.exists()


def test_a_missing_folder_is_refused_before_the_database_is_touched(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    database = tmp_path / "not-created.db"
    code, _out, err = run(
        capsys,
        "labels",
        "items",
        "--database",
        database,
        "--sku",
        "X",
        "-o",
        tmp_path / "no" / "such" / "labels.pdf",
    )
    assert code == 1
    assert err.strip() == f"hylla: The folder {tmp_path / 'no' / 'such'} does not exist."
    assert not database.exists()
