"""Imports of every kind: good files, every kind of bad file, encodings, delimiters, dry runs.

A refused import is run in a unit of work that commits anyway, so the tests prove the
import service itself wrote nothing (not merely that a rollback hid it).
"""

from __future__ import annotations

import codecs
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.models import (
    Base,
    DemandHistory,
    Item,
    Location,
    LocationKind,
    Lot,
    MoveKind,
    StockLevel,
    StockMove,
    Supplier,
    SupplierItem,
)
from app.services import items as items_service
from app.services import ledger, users
from app.services.csvio import FORMATS, IMPORT_KINDS
from app.services.database import Database, unit_of_work
from app.services.errors import ImportFileError, ValidationError
from app.services.imports import ImportSummary, import_file
from app.services.items import BarcodeInput, ItemInput, SupplierItemInput
from app.services.locations import virtual_location_id
from app.services.suppliers import SupplierInput, save_supplier
from tests import factories as f

D = Decimal
ITEMS_HEADER = (
    "sku,name,unit,category,barcode,sales_price,policy,min_qty,max_qty,service_level,"
    "lot_tracked,shelf_life_days"
)


# --- helpers ----------------------------------------------------------------------------------


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """A file as a spreadsheet would save it (``utf-8-sig`` gives the BOM)."""
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to prove that nothing changed."""
    with unit_of_work(db) as s:
        return {
            table.name: sorted((tuple(row) for row in s.execute(select(table)).all()), key=repr)
            for table in Base.metadata.sorted_tables
        }


def run_import(
    db: Database, kind: str, path: Path, *, dry_run: bool = False
) -> ImportSummary | ImportFileError:
    """Import, and commit whatever the service did even when it refuses the file."""
    with unit_of_work(db) as s:
        user = users.workstation_user(s, "tester")
        try:
            return import_file(s, user.id, kind, path, dry_run=dry_run)
        except ImportFileError as exc:
            return exc


def imported(db: Database, kind: str, path: Path, *, dry_run: bool = False) -> ImportSummary:
    result = run_import(db, kind, path, dry_run=dry_run)
    assert isinstance(result, ImportSummary), getattr(result, "message", result)
    return result


def refused(db: Database, kind: str, path: Path) -> ImportFileError:
    """Import a bad file; assert it was refused and the database is exactly as before."""
    before = snapshot(db)
    result = run_import(db, kind, path)
    assert isinstance(result, ImportFileError), result
    assert snapshot(db) == before
    return result


def counts(summary: ImportSummary) -> tuple[int, int, int]:
    return summary.created, summary.updated, summary.unchanged


@pytest.fixture
def base(db: Database) -> Database:
    """The test user, bins A-01-01 and A-01-02, and items SKU-1 (plain) and LOT-1 (lots)."""
    with unit_of_work(db) as s:
        p = f.places(s)
        f.item(s, p.user, "SKU-1", name="Screw M6")
        f.item(s, p.user, "LOT-1", name="Milk 1 l", lot_tracked=True)
    return db


def receive_one(db: Database, sku: str) -> None:
    """Receive one unit of ``sku`` into A-01-01."""
    with unit_of_work(db) as s:
        ledger.post_move(
            s,
            item_id=s.scalars(select(Item.id).where(Item.sku == sku)).one(),
            quantity=D(1),
            from_location_id=virtual_location_id(s, LocationKind.SUPPLIER),
            to_location_id=s.scalars(select(Location.id).where(Location.code == "A-01-01")).one(),
            kind=MoveKind.RECEIPT,
            user_id=users.workstation_user(s, "tester").id,
            unit_cost=D(1),
        )


def item_by_sku(db: Database, sku: str) -> items_service.ItemDetail:
    with unit_of_work(db) as s:
        found = items_service.find_item(s, sku)
        assert found is not None
        return found


# --- file level -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", IMPORT_KINDS)
def test_unknown_column_is_named_and_nothing_changes(
    base: Database, tmp_path: Path, kind: str
) -> None:
    header = ",".join(sorted(FORMATS[kind].required)) + ",Colour , weight"
    path = write(tmp_path, "bad.csv", header + "\n")
    error = refused(base, kind, path)
    assert "colour, weight" in error.problems[0]
    assert "Unknown columns" in error.problems[0]


@pytest.mark.parametrize("kind", IMPORT_KINDS)
def test_missing_required_column_is_named(base: Database, tmp_path: Path, kind: str) -> None:
    required = [c for c in FORMATS[kind].columns if c in FORMATS[kind].required]
    header = [c for c in FORMATS[kind].columns if c != required[0]]
    path = write(tmp_path, "bad.csv", ",".join(header) + "\n")
    error = refused(base, kind, path)
    assert f"Missing column: {required[0]}." in error.problems[0]
    # "A items file" read badly; the sentence must hold for every kind's name.
    kind_name = FORMATS[kind].kind
    assert f"The required columns of {kind_name} are: " in error.problems[0]


def test_header_names_are_trimmed_and_case_insensitive_in_any_order(
    base: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, "loc.csv", " Name ;CODE\nTop shelf;b-07\n")
    assert counts(imported(base, "locations", path)) == (1, 0, 0)
    with unit_of_work(base) as s:
        assert s.scalar(select(Location.name).where(Location.code == "B-07")) == "Top shelf"


def test_a_column_named_twice_is_refused(base: Database, tmp_path: Path) -> None:
    error = refused(base, "locations", write(tmp_path, "loc.csv", "code,name,Code\nX,Y,Z\n"))
    assert "more than once: code" in error.problems[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"\n\n", "is empty"),
        (codecs.BOM_UTF16_LE + "code,name\n".encode("utf-16-le"), "UTF-16"),
        (b"code,name\nA\x81,B\n", "neither UTF-8 nor Windows-1252"),
        (b"\xd0\xcf\x11\xe0rest-of-an-old-xls", "old Excel (.xls)"),
        (b"PK\x03\x04not-really-a-zip", "not a readable Excel workbook"),
        (b'code,name\n"A-1,B\n', "quotes"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(
    base: Database, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    error = refused(base, "locations", path)
    assert message in error.message
    # What Python called the failure is for the log, not for the person.
    assert "BadZipFile" not in error.message and "Error" not in error.message


def test_missing_file_and_folder_are_refused(base: Database, tmp_path: Path) -> None:
    assert "There is no file" in refused(base, "items", tmp_path / "nope.csv").message
    assert "is a folder" in refused(base, "items", tmp_path).message


def test_unknown_kind_is_refused(base: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", "code\nA\n")
    with unit_of_work(base) as s, pytest.raises(ValidationError, match="moves"):
        import_file(s, users.workstation_user(s, "tester").id, "moves", path)


def test_a_row_with_more_cells_than_the_header_is_a_row_problem(
    base: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, "loc.csv", "code,name\nB-01,One\nB-02,Two,extra\nB-03,Three,,\n")
    error = refused(base, "locations", path)
    assert error.problems == [
        "Row 3: it has 3 cells but the header has 2 columns. Check the delimiter and the quotes."
    ]


def test_blank_lines_are_skipped_but_keep_row_numbers(base: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "loc.csv", "code,name\nB-01,One\n\n,,\nB 02,Two\n")
    error = refused(base, "locations", path)
    assert error.problems[0].startswith("Row 5, code: A bin code is")


def test_every_bad_row_is_reported_in_row_order(base: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "items.csv",
        "sku,name,min_qty,max_qty\nA-1,,1,2\nA-2,Fine,3,4\nA 3,Bad sku,x,1\nA-4,Max below,5,2\n",
    )
    error = refused(base, "items", path)
    assert "Nothing was imported from items.csv: 4 problems were found." == error.summary
    assert [p.split(":")[0] for p in error.problems] == [
        "Row 2, name",
        "Row 4, sku",
        "Row 4, min_qty",
        "Row 5, max_qty",
    ]


# --- items ------------------------------------------------------------------------------------


GOOD_ITEMS = (
    ITEMS_HEADER
    + "\nHX-1001,Skruv  M6 x 20,pcs,Fästelement,7310865004703 | 96385074,12.5,min-max,10,50,,no,\n"
    + "HX-1002,Mjölk 1 l,l,Mejeri,,19.9,reorder-point,,,97.5,yes,10\n"
)


def test_items_good_file_creates_items_and_reimport_changes_nothing(
    base: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, "items.csv", GOOD_ITEMS)
    summary = imported(base, "items", path)
    assert counts(summary) == (2, 0, 0)
    assert summary.describe() == "items: 2 new, 0 changed, 0 unchanged"
    screw = item_by_sku(base, "HX-1001")
    assert screw.name == "Skruv M6 x 20"
    assert screw.category == "Fästelement"
    assert [b.code for b in screw.barcodes] == ["7310865004703", "96385074"]
    assert (screw.sales_price, screw.min_qty, screw.max_qty) == (D("12.5"), D(10), D(50))
    assert screw.policy.value == "min-max"
    milk = item_by_sku(base, "HX-1002")
    assert (milk.unit, milk.service_level, milk.lot_tracked, milk.shelf_life_days) == (
        "l",
        D("0.975"),
        True,
        10,
    )
    before = snapshot(base)
    again = imported(base, "items", path)
    assert counts(again) == (0, 0, 2)
    assert "0 new, 0 changed" in again.describe()
    after = snapshot(base)
    assert {k: v for k, v in after.items() if k != "audit_event"} == {
        k: v for k, v in before.items() if k != "audit_event"
    }


def test_items_changed_rows_are_updated_and_counted(base: Database, tmp_path: Path) -> None:
    imported(base, "items", write(tmp_path, "a.csv", GOOD_ITEMS))
    changed = GOOD_ITEMS.replace("Mjölk 1 l", "Mellanmjölk 1 l").replace(",12.5,", ",13,")
    changed += "HX-1003,Brand new,pcs,,,,,,,,,\n"
    summary = imported(base, "items", write(tmp_path, "b.csv", changed))
    assert counts(summary) == (1, 2, 0)
    assert item_by_sku(base, "HX-1002").name == "Mellanmjölk 1 l"
    assert item_by_sku(base, "HX-1001").sales_price == D(13)


def test_items_update_keeps_supplier_terms_carton_codes_and_fields_not_in_the_file(
    base: Database, tmp_path: Path
) -> None:
    with unit_of_work(base) as s:
        user = users.workstation_user(s, "tester")
        save_supplier(s, user.id, SupplierInput(code="ACME", name="Acme AB"))
        items_service.save_item(
            s,
            user.id,
            ItemInput(
                sku="HX-9",
                name="Kabel",
                category="El",
                sales_price=D(5),
                order_qty=D(24),
                default_location="A-01-02",
                barcodes=(BarcodeInput("7310865004703"), BarcodeInput("17310865004700", D(12))),
                supplier_items=(SupplierItemInput("ACME", price=D("2.5")),),
            ),
        )
    # Barcode cell lists the carton code and a new one; category column absent.
    path = write(
        tmp_path, "i.csv", "sku,name,barcode,sales_price\nhx-9,Kabel 3 m,17310865004700 96385074,\n"
    )
    assert counts(imported(base, "items", path)) == (0, 1, 0)
    item = item_by_sku(base, "HX-9")
    assert item.sku == "hx-9"  # the file's spelling of the key wins
    assert item.name == "Kabel 3 m"
    assert item.category == "El"
    assert item.sales_price is None  # an empty cell clears what may be empty
    assert item.order_qty == D(24) and item.default_location == "A-01-02"
    assert {(b.code, b.pack_qty) for b in item.barcodes} == {
        ("17310865004700", D(12)),
        ("96385074", D(1)),
    }
    assert [(si.supplier_code, si.price) for si in item.supplier_items] == [("ACME", D("2.5"))]
    # An empty barcode cell (or one of mere separators) keeps the item's barcodes.
    path = write(tmp_path, "j.csv", "sku,name,barcode\nhx-9,Kabel 3 m,\n")
    assert counts(imported(base, "items", path)) == (0, 0, 1)
    path = write(tmp_path, "k.csv", "sku,name,barcode\nhx-9,Kabel 3 m, | \n")
    assert counts(imported(base, "items", path)) == (0, 0, 1)
    assert len(item_by_sku(base, "HX-9").barcodes) == 2


def test_items_bad_number_names_row_and_column(base: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path, "items.csv", ITEMS_HEADER + "\nOK-1,Fine,,,,,,,,,,\nBAD-1,Bad,,,,12;5,,,,,,\n"
    )
    error = refused(base, "items", path)
    assert error.problems == [
        "Row 3, sales_price: “12;5” is not a number. Type digits, e.g. 12 or 12.5."
    ]


def test_items_duplicate_sku_names_both_rows(base: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "items.csv", "sku,name\nAB-1,One\nAB-2,Two\nab-1,Again\n")
    error = refused(base, "items", path)
    assert error.problems == ["Row 4, sku: SKU ab-1 is also on row 2."]


def test_items_same_barcode_on_two_rows_names_both(base: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path, "items.csv", "sku,name,barcode\nAB-1,One,X{0}Y|96385074\nAB-2,Two,|X{0}Y|\n"
    )
    error = refused(base, "items", path)
    assert error.problems == ["Row 3, barcode: Barcode X{0}Y is also on row 2."]


def test_items_field_errors_of_the_item_service_name_the_column(
    base: Database, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "items.csv",
        "sku,name,barcode,policy,service_level,lot_tracked,shelf_life_days\n"
        "AB-1,One,7310865004704,sometimes,40,maybe,\n"
        "AB-2,Two,,,,,-3\n",
    )
    error = refused(base, "items", path)
    assert error.problems == [
        "Row 2, lot_tracked: “maybe” is not yes or no. Write yes or no (or 1 or 0).",
        "Row 3, shelf_life_days: Shelf life is a whole number of days, e.g. 180.",
    ]
    path = write(
        tmp_path,
        "items2.csv",
        "sku,name,barcode,policy,service_level\nAB-1,One,7310865004704,sometimes,40\n",
    )
    problems = refused(base, "items", path).problems
    assert any(p.startswith("Row 2, barcode: The check digit of 7310865004704") for p in problems)
    assert any(p.startswith("Row 2, policy: Policy “sometimes” is unknown") for p in problems)
    assert any(p.startswith("Row 2, service_level:") for p in problems)


def test_items_lot_tracking_cannot_change_while_in_stock(base: Database, tmp_path: Path) -> None:
    receive_one(base, "SKU-1")
    path = write(tmp_path, "i.csv", "sku,name,lot_tracked\nSKU-1,Screw M6,yes\n")
    error = refused(base, "items", path)
    assert error.problems == [
        "Row 2, lot_tracked: Lot tracking can only change while the item has no stock."
    ]


def test_items_semicolon_delimiter_and_decimal_comma(base: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "items.csv",
        "sku;name;sales_price;policy;min_qty;max_qty\nAB-1;Salt 1,5 kg;1 234,50;min-max;2,5;10\n",
    )
    assert counts(imported(base, "items", path)) == (1, 0, 0)
    item = item_by_sku(base, "AB-1")
    assert (item.name, item.sales_price, item.min_qty) == ("Salt 1,5 kg", D("1234.50"), D("2.5"))


def test_items_decimal_comma_in_quotes_with_comma_delimiter(base: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "items.csv", 'sku,name,sales_price\nAB-1,"Salt, grovt","12,75"\n')
    imported(base, "items", path)
    assert (item_by_sku(base, "AB-1").name, item_by_sku(base, "AB-1").sales_price) == (
        "Salt, grovt",
        D("12.75"),
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_items_in_every_accepted_encoding(base: Database, tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, "items.csv", "sku;name;category\nAB-1;Smörgås é;Bröd å\n", encoding)
    assert counts(imported(base, "items", path)) == (1, 0, 0)
    item = item_by_sku(base, "AB-1")
    assert (item.name, item.category) == ("Smörgås é", "Bröd å")


def test_items_formula_prefix_written_by_an_export_is_removed(
    base: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, "items.csv", "sku,name,category\nAB-1,'=SUM(A1),'''+x\n")
    imported(base, "items", path)
    item = item_by_sku(base, "AB-1")
    assert (item.name, item.category) == ("=SUM(A1)", "''+x")


def test_items_xlsx_first_sheet_with_numbers_dates_and_booleans(
    base: Database, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "SKU",
            "Name",
            "Sales_Price",
            "min_qty",
            "max_qty",
            "lot_tracked",
            "shelf_life_days",
            "barcode",
        ]
    )
    sheet.append([1001, "Tändstickor", 0.1, 2, 7.5, True, 30.0, 7310865004703])
    sheet.append([None, None, None, None, None, None, None, None])
    sheet.append(["AB-2", "Andra", 12.35, None, None, False, None, None])
    workbook.create_sheet("Ignored").append(["sku"])
    path = tmp_path / "items.xlsx"
    workbook.save(path)
    assert counts(imported(base, "items", path)) == (2, 0, 0)
    first = item_by_sku(base, "1001")
    assert (first.name, first.sales_price, first.min_qty, first.max_qty) == (
        "Tändstickor",
        D("0.1"),
        D(2),
        D("7.5"),
    )
    assert (first.lot_tracked, first.shelf_life_days) == (True, 30)
    assert [b.code for b in first.barcodes] == ["7310865004703"]
    assert item_by_sku(base, "AB-2").sales_price == D("12.35")


def test_items_xlsx_bad_row_is_reported_by_its_sheet_row(base: Database, tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["sku", "name", "min_qty"])
    sheet.append(["AB-1", "Fine", 1])
    sheet.append(["AB-2", "Bad", "lots"])
    path = tmp_path / "items.xlsx"
    workbook.save(path)
    error = refused(base, "items", path)
    assert error.problems[0].startswith("Row 3, min_qty: “lots” is not a number")


def test_dry_run_counts_and_changes_nothing(base: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "items.csv", GOOD_ITEMS + "SKU-1,Screw M7,,,,,,,,,,\n")
    before = snapshot(base)
    summary = imported(base, "items", path, dry_run=True)
    assert counts(summary) == (2, 1, 0)
    assert summary.describe().startswith("Dry run, nothing was saved. items: 2 new, 1 changed")
    assert snapshot(base) == before


def test_a_write_that_fails_after_the_checks_leaves_nothing_behind(
    base: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services import imports
    from app.services.errors import StockError

    real_save_bin = imports.save_bin

    def save_bin_then_fail(session: Any, user_id: Any, code: str, *args: Any) -> Any:
        if code == "B-02":
            raise StockError("the shelf fell over")
        return real_save_bin(session, user_id, code, *args)

    monkeypatch.setattr(imports, "save_bin", save_bin_then_fail)
    error = refused(base, "locations", write(tmp_path, "l.csv", "code\nB-01\nB-02\nB-03\n"))
    assert error.problems == ["Row 3: the shelf fell over"]


# --- locations --------------------------------------------------------------------------------


def test_locations_good_file_creates_renames_and_reimport_changes_nothing(
    base: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, "loc.csv", "code,name\nb-01,Kyl\nA-01-01,Golv\n")
    assert counts(imported(base, "locations", path)) == (1, 1, 0)
    with unit_of_work(base) as s:
        names = dict(s.execute(select(Location.code, Location.name)).tuples().all())
    assert names["B-01"] == "Kyl" and names["A-01-01"] == "Golv"
    assert counts(imported(base, "locations", path)) == (0, 0, 2)
    # Without a name column, names stay.
    path = write(tmp_path, "c.csv", "code\nB-01\n")
    assert counts(imported(base, "locations", path)) == (0, 0, 1)


def test_locations_bad_codes_duplicates_and_virtual_locations(
    base: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, "loc.csv", "code,name\nB 01,x\nB-02,x\nb-02,y\nOPENING,z\n,empty\n")
    error = refused(base, "locations", path)
    assert error.problems == [
        "Row 2, code: A bin code is 1–40 letters, digits, '-', '.', '_' or '/', e.g. A-01-03.",
        "Row 4, code: Bin B-02 is also on row 3.",
        "Row 5, code: OPENING is one of Hylla's own virtual locations, not a bin. "
        "Choose another code.",
        "Row 6, code: Give the bin a code, e.g. A-01-03.",
    ]


# --- suppliers --------------------------------------------------------------------------------


SUPPLIERS = (
    "code,name,email,lead_time_days,min_order_value,currency\n"
    'ACME,Acme Järn AB,order@acme.se,5,"1 500,00",sek\n'
    "NORD,Nordgross,,,,\n"
)


def test_suppliers_good_file_with_defaults_and_reimport_changes_nothing(
    base: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, "sup.csv", SUPPLIERS)
    assert counts(imported(base, "suppliers", path)) == (2, 0, 0)
    with unit_of_work(base) as s:
        rows = {
            x.code: (x.name, x.email, x.lead_time_days, x.min_order_value, x.currency)
            for x in s.scalars(select(Supplier))
        }
    assert rows == {
        "ACME": ("Acme Järn AB", "order@acme.se", 5, D(1500), "SEK"),
        "NORD": ("Nordgross", "", 7, D(0), "SEK"),
    }
    assert counts(imported(base, "suppliers", path)) == (0, 0, 2)
    changed = SUPPLIERS.replace("order@acme.se", "inköp@acme.se").replace("acme.se,5", "acme.se,6")
    assert counts(imported(base, "suppliers", write(tmp_path, "b.csv", changed))) == (0, 1, 1)


def test_suppliers_bad_rows_name_row_and_column(base: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "sup.csv",
        "code,name,email,lead_time_days,min_order_value,currency\n"
        "ACME,Acme,not-an-address,-1,abc,KRONOR\n"
        "NORD,Nord,,,,\n"
        "nord,Nord again,,,,\n",
    )
    error = refused(base, "suppliers", path)
    assert error.problems == [
        "Row 2, email: “not-an-address” is not an e-mail address, e.g. orders@example.com.",
        "Row 2, lead_time_days: Lead time is a whole number of days, e.g. 7.",
        "Row 2, min_order_value: “abc” is not a number. Type digits, e.g. 12 or 12.5.",
        "Row 2, currency: A currency is a three-letter code, e.g. SEK or EUR.",
        "Row 4, code: Supplier nord is also on row 3.",
    ]


# --- supplier items ---------------------------------------------------------------------------


@pytest.fixture
def with_suppliers(base: Database, tmp_path: Path) -> Database:
    imported(base, "suppliers", write(tmp_path, "sup.csv", SUPPLIERS))
    return base


def test_supplier_items_good_file_and_preferred_moves_to_the_new_supplier(
    with_suppliers: Database, tmp_path: Path
) -> None:
    db = with_suppliers
    path = write(
        tmp_path,
        "si.csv",
        "supplier;sku;supplier_sku;price;pack_size;moq;lead_time_days;preferred\n"
        "acme;sku-1;A-77;12,5;10;20;3;ja\n"
        "NORD;SKU-1;;11;;;;\n",
    )
    assert counts(imported(db, "supplier-items", path)) == (2, 0, 0)
    terms = {si.supplier_code: si for si in item_by_sku(db, "SKU-1").supplier_items}
    acme, nord = terms["ACME"], terms["NORD"]
    assert (
        acme.supplier_sku,
        acme.price,
        acme.pack_size,
        acme.moq,
        acme.lead_time_days,
        acme.preferred,
    ) == ("A-77", D("12.5"), D(10), D(20), 3, True)
    assert (nord.price, nord.pack_size, nord.moq, nord.lead_time_days, nord.preferred) == (
        D(11),
        D(1),
        D(0),
        None,
        False,
    )
    assert counts(imported(db, "supplier-items", path)) == (0, 0, 2)
    # NORD becomes preferred: ACME stops being preferred although not in the file.
    path = write(tmp_path, "p.csv", "supplier,sku,preferred\nNORD,SKU-1,yes\n")
    assert counts(imported(db, "supplier-items", path)) == (0, 2, 0)
    preferred = {si.supplier_code: si.preferred for si in item_by_sku(db, "SKU-1").supplier_items}
    assert preferred == {"ACME": False, "NORD": True}


def test_supplier_items_unknown_supplier_unknown_sku_and_bad_numbers(
    with_suppliers: Database, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "si.csv",
        "supplier,sku,price,pack_size,moq,lead_time_days,preferred\n"
        "GHOST,NOPE-1,1,1,0,,\n"
        'ACME,SKU-1,"12,3,4",0,-1,soon,perhaps\n'
        "ACME,SKU-1,1,1,0,,\n"
        "NORD,LOT-1,1,1,0,,yes\n"
        "ACME,LOT-1,1,1,0,,yes\n",
    )
    error = refused(with_suppliers, "supplier-items", path)
    assert error.problems == [
        "Row 2, supplier: There is no supplier GHOST. Import the suppliers first.",
        "Row 2, sku: There is no item with SKU NOPE-1.",
        "Row 3, price: “12,3,4” is not a number. Type digits, e.g. 12 or 12.5.",
        "Row 3, pack_size: The quantity must be greater than zero.",
        "Row 3, moq: The quantity cannot be negative.",
        "Row 3, lead_time_days: Lead time is a whole number of days, e.g. 7.",
        "Row 3, preferred: “perhaps” is not yes or no. Write yes or no (or 1 or 0).",
        "Row 4, sku: Supplier ACME and SKU SKU-1 are also on row 3.",
        "Row 6, preferred: SKU LOT-1 already has a preferred supplier on row 5; mark only one.",
    ]
    path = write(tmp_path, "d.csv", "supplier,sku\nACME,SKU-1\nacme,sku-1\n")
    assert refused(with_suppliers, "supplier-items", path).problems == [
        "Row 3, sku: Supplier acme and SKU sku-1 are also on row 2."
    ]


# --- stock ------------------------------------------------------------------------------------


def levels(db: Database) -> dict[tuple[str, str, str], Decimal]:
    with unit_of_work(db) as s:
        rows = s.execute(
            select(Item.sku, Location.code, Lot.code, StockLevel.quantity)
            .join(Item, Item.id == StockLevel.item_id)
            .join(Location, Location.id == StockLevel.location_id)
            .outerjoin(Lot, Lot.id == StockLevel.lot_id)
        ).tuples()
        return {(sku, code, lot or ""): qty for sku, code, lot, qty in rows}


STOCK = (
    "sku;location;lot;expiry;qty;unit_cost\n"
    "SKU-1;a-01-01;;;10;4,50\n"
    "LOT-1;A-01-02;L1;2027-01-31;2,5;12\n"
    "LOT-1;A-01-01;L1;;1;12\n"
)


def test_stock_opening_balances_post_opening_moves_and_reimport_changes_nothing(
    base: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, "stock.csv", STOCK)
    assert counts(imported(base, "stock", path)) == (3, 0, 0)
    assert levels(base) == {
        ("SKU-1", "A-01-01", ""): D(10),
        ("LOT-1", "A-01-02", "L1"): D("2.5"),
        ("LOT-1", "A-01-01", "L1"): D(1),
    }
    with unit_of_work(base) as s:
        opening = virtual_location_id(s, LocationKind.OPENING)
        moves = s.scalars(select(StockMove).order_by(StockMove.id)).all()
        assert {(m.kind, m.from_location_id) for m in moves} == {(MoveKind.OPENING, opening)}
        assert moves[0].unit_cost == D("4.5")
        assert s.scalar(select(Lot.expiry).where(Lot.code == "L1")) == dt.date(2027, 1, 31)
    assert counts(imported(base, "stock", path)) == (0, 0, 3)
    # A new quantity posts the difference: 10 -> 4 moves 6 back to OPENING.
    lower = write(tmp_path, "lower.csv", "sku,location,qty\nSKU-1,A-01-01,4\nSKU-1,A-01-02,0\n")
    assert counts(imported(base, "stock", lower)) == (0, 1, 1)
    assert levels(base)[("SKU-1", "A-01-01", "")] == D(4)
    with unit_of_work(base) as s:
        last = s.scalars(select(StockMove).order_by(StockMove.id.desc())).first()
        assert last is not None
        assert (last.quantity, last.to_location_id) == (D(6), opening)


def test_stock_bad_rows_change_nothing(base: Database, tmp_path: Path) -> None:
    with unit_of_work(base) as s:
        item_id = s.scalar(select(Item.id).where(Item.sku == "LOT-1"))
        s.add(Lot(item_id=item_id, code="OLD", expiry=dt.date(2026, 1, 1)))
    path = write(
        tmp_path,
        "stock.csv",
        "sku,location,lot,expiry,qty,unit_cost\n"
        "NOPE,A-01-01,,,1,1\n"
        "SKU-1,Z-99,,,1,1\n"
        "SKU-1,CUSTOMERS,,,1,1\n"
        "LOT-1,A-01-01,,,1,1\n"
        "SKU-1,A-01-01,L9,,1,1\n"
        "SKU-1,A-01-02,,2027-01-01,-1,x\n"
        "LOT-1,A-01-01,OLD,2026-02-02,1,\n"
        "LOT-1,A-01-01,NEW,2026-03-03,1,\n"
        "LOT-1,A-01-02,NEW,2026-04-04,1,\n"
        "LOT-1,A-01-02,OLD,,,\n"
        "SKU-1,A-01-01,,,1,1\n"
        "sku-1,a-01-01,,,2,1\n",
    )
    error = refused(base, "stock", path)
    assert error.problems == [
        "Row 2, sku: There is no item with SKU NOPE.",
        "Row 3, location: There is no bin Z-99. Import the locations first.",
        "Row 4, location: CUSTOMERS is not a bin of the warehouse.",
        "Row 5, lot: LOT-1 is lot-tracked: give the lot number.",
        "Row 6, lot: SKU-1 is not lot-tracked: leave the lot empty.",
        "Row 7, expiry: An expiry date belongs to a lot: give the lot number.",
        "Row 7, qty: The quantity cannot be negative.",
        "Row 7, unit_cost: “x” is not a number. Type digits, e.g. 12 or 12.5.",
        "Row 8, expiry: Lot OLD already has expiry 2026-01-01, not 2026-02-02.",
        "Row 10, expiry: Lot NEW has expiry 2026-03-03 on row 9.",
        "Row 11, qty: Give the quantity on hand (0 or more).",
        "Row 13, sku: SKU SKU-1 in this bin and lot is also on row 12.",
    ]


# --- history ----------------------------------------------------------------------------------


def history(db: Database) -> dict[tuple[str, dt.date], Decimal]:
    with unit_of_work(db) as s:
        rows = s.execute(
            select(Item.sku, DemandHistory.day, DemandHistory.quantity).join(
                Item, Item.id == DemandHistory.item_id
            )
        ).tuples()
        return {(sku, day): qty for sku, day, qty in rows}


def test_history_good_file_replaces_existing_days(base: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "h.csv", 'date,sku,qty\n2025-01-02,SKU-1,3\n2025-01-03,sku-1,"0,5"\n')
    assert counts(imported(base, "history", path)) == (2, 0, 0)
    assert history(base) == {
        ("SKU-1", dt.date(2025, 1, 2)): D(3),
        ("SKU-1", dt.date(2025, 1, 3)): D("0.5"),
    }
    assert counts(imported(base, "history", path)) == (0, 0, 2)
    path = write(tmp_path, "h2.csv", "sku,qty,date\nSKU-1,4,2025-01-02\nLOT-1,1,2025-01-02\n")
    assert counts(imported(base, "history", path)) == (1, 1, 0)
    assert history(base)[("SKU-1", dt.date(2025, 1, 2))] == D(4)


def test_history_bad_rows_and_duplicate_days(base: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "h.csv",
        "date,sku,qty\n"
        "31/12/2025,SKU-1,1\n"
        "2025-01-01,NOPE,1\n"
        "2025-01-01,SKU-1,-2\n"
        "2025-01-02,SKU-1,1\n"
        "2025-01-02,SKU-1,2\n"
        "2025-01-03,SKU-1,\n",
    )
    error = refused(base, "history", path)
    assert error.problems == [
        "Row 2, date: “31/12/2025” is not a date. Write it as YYYY-MM-DD, e.g. 2026-03-31.",
        "Row 3, sku: There is no item with SKU NOPE.",
        "Row 4, qty: The quantity cannot be negative.",
        "Row 6, date: SKU SKU-1 on 2025-01-02 is also on row 5.",
        "Row 7, qty: Give the quantity (0 or more).",
    ]


def test_history_refuses_a_day_after_today(base: Database, tmp_path: Path) -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    path = write(
        tmp_path, "h.csv", f"date,sku,qty\n2025-01-02,SKU-1,3\n{tomorrow.isoformat()},SKU-1,1\n"
    )
    error = refused(base, "history", path)
    assert error.problems == [
        f"Row 3, date: {tomorrow.isoformat()} is after today: "
        "the history is demand that has already happened."
    ]
    assert history(base) == {}


def test_history_dry_run_changes_nothing(base: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "h.csv", "date,sku,qty\n2025-01-02,SKU-1,3\n")
    before = snapshot(base)
    assert counts(imported(base, "history", path, dry_run=True)) == (1, 0, 0)
    assert snapshot(base) == before


def test_stock_dry_run_changes_nothing(base: Database, tmp_path: Path) -> None:
    before = snapshot(base)
    summary = imported(base, "stock", write(tmp_path, "s.csv", STOCK), dry_run=True)
    assert counts(summary) == (3, 0, 0)
    assert snapshot(base) == before


def test_supplier_terms_survive_an_item_import(with_suppliers: Database, tmp_path: Path) -> None:
    imported(
        with_suppliers,
        "supplier-items",
        write(tmp_path, "si.csv", "supplier,sku,price\nACME,SKU-1,3\n"),
    )
    imported(with_suppliers, "items", write(tmp_path, "i.csv", "sku,name\nSKU-1,Screw M8\n"))
    with unit_of_work(with_suppliers) as s:
        assert s.scalar(select(SupplierItem.price)) == D(3)
