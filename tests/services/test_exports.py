"""Exports: canonical CSV, formula neutralisation, and exact round trips through imports."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app.models import DemandHistory, Item
from app.services import items as items_service
from app.services.csvio import (
    FORMATS,
    FORMULA_TRIGGERS,
    IMPORT_KINDS,
    cell_text,
    neutralise,
    restore,
    sniff_delimiter,
    write_table,
)
from app.services.database import Database, open_database, unit_of_work
from app.services.errors import HyllaError, ValidationError
from app.services.exports import export_file
from app.services.items import BarcodeInput, ItemInput, SupplierItemInput
from app.services.lots import get_or_create_lot
from app.services.suppliers import SupplierInput, save_supplier
from tests import factories as f
from tests.services.test_imports import counts, imported, snapshot

D = Decimal
# Bins and suppliers before the items that name them, items before stock and terms.
IMPORT_ORDER = ("locations", "suppliers", "items", "supplier-items", "stock", "history")


@pytest.fixture
def empty_db(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """A second, empty database to import an export into."""
    path = tmp_path / "empty.db"
    shutil.copyfile(sqlite_template, path)
    database = open_database(path)
    yield database
    database.dispose()


def populate(db: Database, *, name: str = "Skruv M6", category: str = "Fästelement") -> None:
    """A little of everything: suppliers and terms, carton codes, lots, FIFO layers, history."""
    with unit_of_work(db) as s:
        p = f.places(s)
        save_supplier(
            s,
            p.user,
            SupplierInput(
                "ACME",
                "Acme Järn AB",
                email="order@acme.se",
                lead_time_days=5,
                min_order_value="1500",
                currency="EUR",
            ),
        )
        save_supplier(s, p.user, SupplierInput("NORD", "Nordgross"))
        screw = items_service.save_item(
            s,
            p.user,
            ItemInput(
                sku="HX-1",
                name=name,
                category=category,
                sales_price="12.5",
                policy="min-max",
                min_qty="10",
                max_qty="50",
                barcodes=(BarcodeInput("7310865004703"), BarcodeInput("17310865004700", "12")),
                supplier_items=(
                    SupplierItemInput("ACME", "A-1", "4.5", "10", "20", 3, True),
                    SupplierItemInput("NORD", price="5"),
                ),
            ),
        )
        milk = items_service.save_item(
            s,
            p.user,
            ItemInput(
                sku="MJ-1",
                name="Mjölk 1 l",
                unit="l",
                service_level="97.5",
                lot_tracked=True,
                shelf_life_days=10,
                policy="zero-point",
            ),
        )
        f.item(s, p.user, "EMPTY-1", name="Never stocked")
        f.receive(s, p, screw.id, "10", "4")
        f.receive(s, p, screw.id, "10", "5", bin_index=1)
        f.issue(s, p, screw.id, "3")  # FIFO: 7 left at 4, 10 at 5
        lot = get_or_create_lot(s, milk.id, "L-1", dt.date(2027, 1, 31))
        f.receive(s, p, milk.id, "2.5", "9.9", lot_id=lot.id)
        s.add_all(
            [
                DemandHistory(item_id=screw.id, day=dt.date(2025, 1, 2), quantity=D(3)),
                DemandHistory(item_id=screw.id, day=dt.date(2025, 1, 3), quantity=D("0.5")),
            ]
        )


def export_all(
    db: Database, folder: Path, kinds: tuple[str, ...] = IMPORT_KINDS
) -> dict[str, Path]:
    folder.mkdir(exist_ok=True)
    paths = {kind: folder / f"{kind}.csv" for kind in kinds}
    for kind, path in paths.items():
        db.run(export_file, kind, path)
    return paths


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_exports_use_canonical_columns_and_plain_formats(db: Database, tmp_path: Path) -> None:
    populate(db)
    paths = export_all(db, tmp_path / "out", ("items", "stock", "supplier-items", "suppliers"))
    raw = paths["items"].read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert read_rows(paths["items"]) == [
        [
            "sku",
            "name",
            "unit",
            "category",
            "barcode",
            "sales_price",
            "policy",
            "min_qty",
            "max_qty",
            "service_level",
            "lot_tracked",
            "shelf_life_days",
        ],
        ["EMPTY-1", "Never stocked", "pcs", "", "", "", "reorder-point", "", "", "", "no", ""],
        [
            "HX-1",
            "Skruv M6",
            "pcs",
            "Fästelement",
            "7310865004703|17310865004700",
            "12.5",
            "min-max",
            "10",
            "50",
            "",
            "no",
            "",
        ],
        ["MJ-1", "Mjölk 1 l", "l", "", "", "", "zero-point", "", "", "97.5", "yes", "10"],
    ]
    # FIFO: 7 × 4 + 10 × 5 over 17 units, to 4 decimals.
    assert read_rows(paths["stock"])[1:] == [
        ["HX-1", "A-01-01", "", "", "7", "4.5882"],
        ["HX-1", "A-01-02", "", "", "10", "4.5882"],
        ["MJ-1", "A-01-01", "L-1", "2027-01-31", "2.5", "9.9"],
    ]
    assert read_rows(paths["supplier-items"])[1:] == [
        ["ACME", "HX-1", "A-1", "4.5", "10", "20", "3", "yes"],
        ["NORD", "HX-1", "", "5", "1", "0", "", "no"],
    ]
    assert read_rows(paths["suppliers"])[1:] == [
        ["ACME", "Acme Järn AB", "order@acme.se", "5", "1500", "EUR"],
        ["NORD", "Nordgross", "", "7", "0", "SEK"],
    ]


def test_export_then_import_into_the_same_database_changes_nothing(
    db: Database, tmp_path: Path
) -> None:
    populate(db)
    paths = export_all(db, tmp_path / "out")
    before = snapshot(db)
    for kind in IMPORT_ORDER:
        summary = imported(db, kind, paths[kind])
        assert (summary.created, summary.updated) == (0, 0), kind
    after = snapshot(db)
    # The imports themselves are audited; everything else is as it was.
    del before["audit_event"], after["audit_event"]
    assert after == before


def test_export_into_an_empty_database_exports_identically(
    db: Database, empty_db: Database, tmp_path: Path
) -> None:
    populate(db)
    first = export_all(db, tmp_path / "first")
    for kind in IMPORT_ORDER:
        imported(empty_db, kind, first[kind])
    second = export_all(empty_db, tmp_path / "second")
    for kind in IMPORT_KINDS:
        assert second[kind].read_bytes() == first[kind].read_bytes(), kind


def test_formula_cells_are_neutralised_and_come_back_exactly(
    db: Database, empty_db: Database, tmp_path: Path
) -> None:
    populate(db, name='=HYPERLINK("http://evil","x")', category="'=already quoted")
    with unit_of_work(db) as s:
        user = f.places(s, n_bins=0).user
        save_supplier(s, user, SupplierInput("EVIL", "+46 Handel", email="=x@evil.se"))
    paths = export_all(db, tmp_path / "out")
    text = paths["items"].read_text(encoding="utf-8")
    assert '\'=HYPERLINK(""http://evil"",""x"")' in text
    assert ",''=already quoted," in text
    suppliers = read_rows(paths["suppliers"])
    assert ["EVIL", "'+46 Handel", "'=x@evil.se"] == suppliers[2][:3]
    for kind in IMPORT_ORDER:
        imported(empty_db, kind, paths[kind])
    with unit_of_work(empty_db) as s:
        item = s.scalars(select(Item).where(Item.sku == "HX-1")).one()
        assert item.name == '=HYPERLINK("http://evil","x")'
        assert item.category == "'=already quoted"
    again = export_all(empty_db, tmp_path / "again")
    assert again["items"].read_bytes() == paths["items"].read_bytes()


def test_negative_numbers_stay_numbers(db: Database, tmp_path: Path) -> None:
    with unit_of_work(db) as s:
        p = f.places(s)
        item = f.item(s, p.user, "NEG-1", allow_negative=True)
        f.issue(s, p, item.id, "3")
    path = tmp_path / "stock.csv"
    assert db.run(export_file, "stock", path) == 1
    assert path.read_text(encoding="utf-8").splitlines()[1] == "NEG-1,A-01-01,,,-3,0"


def test_moves_export_lists_every_move_in_time_order(db: Database, tmp_path: Path) -> None:
    populate(db)
    path = tmp_path / "moves.csv"
    assert db.run(export_file, "moves", path) == 4
    rows = read_rows(path)
    assert rows[0] == [
        "moved_at",
        "sku",
        "lot",
        "qty",
        "from",
        "to",
        "unit_cost",
        "kind",
        "reference",
        "user",
    ]
    assert [r[1:] for r in rows[1:]] == [
        ["HX-1", "", "10", "SUPPLIERS", "A-01-01", "4", "receipt", "", "tester"],
        ["HX-1", "", "10", "SUPPLIERS", "A-01-02", "5", "receipt", "", "tester"],
        ["HX-1", "", "3", "A-01-01", "CUSTOMERS", "4", "issue", "", "tester"],
        ["MJ-1", "L-1", "2.5", "SUPPLIERS", "A-01-01", "9.9", "receipt", "", "tester"],
    ]
    times = [dt.datetime.fromisoformat(r[0]) for r in rows[1:]]
    assert all(t.tzinfo is not None for t in times) and times == sorted(times)


def test_export_refuses_xlsx_names_and_unwritable_places(db: Database, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"Name the file items\.csv"):
        db.run(export_file, "items", tmp_path / "items.xlsx")
    with pytest.raises(HyllaError, match="Cannot write"):
        db.run(export_file, "items", tmp_path / "no" / "such" / "items.csv")
    with pytest.raises(HyllaError, match="is a folder"):
        db.run(export_file, "items", tmp_path)
    with pytest.raises(ValidationError, match="is not a kind of file"):
        db.run(export_file, "orders", tmp_path / "o.csv")
    assert not (tmp_path / "items.xlsx").exists() and not (tmp_path / "no").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_a_failed_export_keeps_the_old_file_and_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "items.csv"
    target.write_text("old content", encoding="utf-8")

    def rows() -> Iterator[list[str]]:
        yield ["A-1", "Name", "pcs", "", "", "", "manual", "", "", "", "no", ""]
        raise HyllaError("the database went away")

    with pytest.raises(HyllaError, match="went away"):
        write_table(target, FORMATS["items"], rows())
    assert target.read_text(encoding="utf-8") == "old content"
    assert [p.name for p in tmp_path.iterdir()] == ["items.csv"]


# --- the cell rules ---------------------------------------------------------------------------


@given(st.text(max_size=12))
def test_neutralise_is_undone_by_restore_and_never_starts_a_formula(text: str) -> None:
    written = neutralise(text)
    assert restore(written) == text
    assert not written or written[0] not in FORMULA_TRIGGERS


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+46", "'+46"),
        ("-x", "'-x"),
        ("@a", "'@a"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),
        ("''", "'''"),
        ("'t Hooft", "'t Hooft"),
        ("'", "'"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise_examples(text: str, written: str) -> None:
    assert neutralise(text) == written


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.1, "0.1"),
        (12.0, "12"),
        (7.5, "7.5"),
        (1e20, "100000000000000000000"),
        (1.5e-05, "0.000015"),
        (7310865004703, "7310865004703"),
        (True, "yes"),
        (None, ""),
        (dt.datetime(2026, 3, 31), "2026-03-31"),
        (dt.date(2026, 3, 31), "2026-03-31"),
        (D("2.50"), "2.50"),
        (" text ", " text "),
    ],
)
def test_spreadsheet_cells_become_exact_text(value: object, text: str) -> None:
    assert cell_text(value) == text


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [
        ("sku,name", ","),
        ("sku;name", ";"),
        ("sku\tname", "\t"),
        ("sku", ","),
        ("name;note,with comma;x", ";"),
    ],
)
def test_the_delimiter_is_sniffed_from_the_header(header: str, delimiter: str) -> None:
    assert sniff_delimiter(header + "\r\nA,1;2\n") == delimiter


def test_counts_of_reimport_match_the_export(db: Database, tmp_path: Path) -> None:
    populate(db)
    paths = export_all(db, tmp_path / "out", ("items",))
    assert counts(imported(db, "items", paths["items"])) == (0, 0, 3)
