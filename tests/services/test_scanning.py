"""Scans resolved against a real database (SQLite and PostgreSQL): items, cartons, GS1 lots,
bins, unknown and invalid codes — and linking an unknown code to an item."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.barcodes import GS
from app.models import AuditEvent
from app.services import locations, users
from app.services.database import Database
from app.services.errors import FieldErrors, NotFoundError, ValidationError
from app.services.items import BarcodeInput, ItemInput, get_item, save_item
from app.services.scanning import link_barcode, resolve_scan, scan_report
from app.services.users import UserId

EAN = "7310865004703"
CARTON = "17310865004700"  # GTIN-14 of a case of 12


@dataclass(frozen=True)
class Shop:
    user: UserId
    coffee: int
    tea: int
    bin_id: int


def _setup(session: Session) -> Shop:
    user = users.workstation_user(session, "tester")
    coffee = save_item(
        session,
        user.id,
        ItemInput(
            sku="KAFFE-500",
            name="Kaffe mellanrost 500 g",
            lot_tracked=True,
            min_qty="5",
            barcodes=(BarcodeInput(EAN), BarcodeInput(CARTON, "12", "case")),
        ),
    )
    tea = save_item(
        session,
        user.id,
        ItemInput(sku="TE-20", name="Te 20 påsar", barcodes=(BarcodeInput("036000291452"),)),
    )
    bin_row = locations.save_bin(session, user.id, "A-01-03", "Kyl")
    return Shop(user.id, coffee.id, tea.id, bin_row.id)


@pytest.fixture
def shop(db: Database) -> Shop:
    return db.run(_setup)


def test_an_ean_resolves_to_its_item(db: Database, shop: Shop) -> None:
    result = db.read(resolve_scan, EAN + "\r")
    assert (result.outcome, result.item_id, result.sku, result.unit) == (
        "item",
        shop.coffee,
        "KAFFE-500",
        "pcs",
    )
    assert (result.pack_qty, result.quantity, result.matched_code) == (Decimal(1), Decimal(1), EAN)
    assert result.message == "Kaffe mellanrost 500 g"
    assert result.problem is None and result.ok and result.lot_tracked


def test_a_carton_code_counts_its_pack(db: Database, shop: Shop) -> None:
    result = db.read(resolve_scan, CARTON)
    assert (result.item_id, result.pack_qty, result.quantity) == (shop.coffee, 12, 12)
    assert result.message == "Kaffe mellanrost 500 g ×12"


def test_a_gs1_code_gives_lot_expiry_and_finds_the_13_digit_ean(db: Database, shop: Shop) -> None:
    result = db.read(resolve_scan, "]C1010" + EAN + "17271231" + "10AB12")
    assert (result.outcome, result.item_id, result.matched_code) == ("item", shop.coffee, EAN)
    assert (result.lot, result.expiry, result.quantity) == ("AB12", dt.date(2027, 12, 31), 1)
    assert result.message == "Kaffe mellanrost 500 g · lot AB12 · expires 2027-12-31"
    assert result.scan is not None and result.scan.symbology == "GS1-128"


def test_a_gs1_carton_with_a_count_multiplies(db: Database, shop: Shop) -> None:
    # A pallet label: content GTIN (02) is the case of 12, and (37) says 10 cases.
    result = db.read(
        resolve_scan, GS + "00106141411234567897" + "02" + CARTON + "3710" + GS + "10L7"
    )
    assert (result.item_id, result.pack_qty, result.quantity) == (shop.coffee, 12, 120)
    assert result.message == "Kaffe mellanrost 500 g ×120 · lot L7"
    # The printed form and a Digital Link resolve the same way.
    hri = db.read(resolve_scan, "(01)" + CARTON + "(30)2")
    assert (hri.item_id, hri.quantity) == (shop.coffee, 24)
    link = db.read(resolve_scan, "https://id.gs1.org/01/0" + EAN + "/21/S9?17=280100")
    assert (link.item_id, link.serial, link.expiry) == (shop.coffee, "S9", dt.date(2028, 1, 31))
    assert link.message == "Kaffe mellanrost 500 g · serial S9 · expires 2028-01-31"


def test_a_upc_is_found_however_it_is_scanned(db: Database, shop: Shop) -> None:
    for text in ("036000291452", "0036000291452", "]E00036000291452", "(01)00036000291452"):
        assert db.read(resolve_scan, text).item_id == shop.tea, text


def test_a_upce_scan_finds_the_stored_upca(db: Database, shop: Shop) -> None:
    def add(session: Session) -> None:
        save_item(
            session,
            shop.user,
            ItemInput("SNACK", "Snack", barcodes=(BarcodeInput("042100005264"),)),
        )

    db.run(add)
    assert db.read(resolve_scan, "04252614").sku == "SNACK"


def test_a_bin_label_resolves_to_the_bin_ignoring_case(db: Database, shop: Shop) -> None:
    result = db.read(resolve_scan, "a-01-03")
    assert (result.outcome, result.bin_id, result.bin_code) == ("bin", shop.bin_id, "A-01-03")
    assert result.message == "Bin A-01-03 · Kyl" and result.item_id is None and result.ok


def test_a_sku_as_text_resolves_to_the_item(db: Database, shop: Shop) -> None:
    result = db.read(resolve_scan, "]C0kaffe-500")
    assert (result.outcome, result.item_id, result.matched_code) == ("item", shop.coffee, None)

    def add(session: Session) -> int:
        return save_item(session, shop.user, ItemInput("Hx-Mix", "Mixed case")).id

    mixed = db.run(add)
    # Caps Lock on while the scanner types flips every letter.
    for text in ("Hx-Mix", "hX-mIX", "HX-MIX", "hx-mix", "hX-Mix"):
        assert db.read(resolve_scan, text).item_id == mixed, text


def test_an_unknown_code_says_so(db: Database, shop: Shop) -> None:
    result = db.read(resolve_scan, "4006381333931")
    assert (result.outcome, result.item_id) == ("unknown", None)
    assert result.problem == "Barcode 4006381333931 is not linked to an item."
    assert result.message == "Unknown barcode 4006381333931"
    gs1 = db.read(resolve_scan, "]d2" + "0104006381333931" + "10X")
    assert gs1.problem == "Barcode 4006381333931 is not linked to an item." and gs1.lot == "X"
    text = db.read(resolve_scan, "B-99")
    assert text.problem == "B-99 is not a barcode, SKU or bin that Hylla knows."
    pallet = db.read(resolve_scan, "106141411234567897")
    assert pallet.outcome == "unknown" and "Pallet code (SSCC) 106141411234567897" in (
        pallet.problem or ""
    )
    no_gtin = db.read(resolve_scan, "(10)AB12")
    assert no_gtin.problem == (
        "This GS1 code holds no item number (GTIN); scan the item's own barcode."
    )


def test_an_invalid_code_is_reported_not_raised(db: Database, shop: Shop) -> None:
    result = db.read(resolve_scan, "7310865004704")
    assert (result.outcome, result.scan, result.item_id) == ("invalid", None, None)
    assert result.problem == "The check digit of 7310865004704 should be 3."
    assert result.message == "Barcode not understood" and not result.ok
    assert db.read(resolve_scan, "").outcome == "invalid"
    missing_gs = db.read(resolve_scan, "]C1010" + EAN + "10ABCDEFGHIJKLMNOPQRS17271231")
    assert missing_gs.outcome == "invalid"
    assert "group separator (GS) is missing" in (missing_gs.problem or "")


def test_a_symbology_prefix_is_stripped(db: Database, shop: Shop) -> None:
    result = db.read(resolve_scan, "]E0" + EAN)
    assert (result.item_id, result.scan and result.scan.symbology) == (shop.coffee, "EAN-13")


def test_an_inactive_item_is_found_with_a_problem(db: Database, shop: Shop) -> None:
    def deactivate(session: Session) -> None:
        save_item(session, shop.user, ItemInput("TE-20", "Te 20 påsar", active=False), shop.tea)

    db.run(deactivate)
    result = db.read(resolve_scan, "]C0TE-20")
    assert result.outcome == "item" and result.problem == "Item TE-20 is inactive."


@pytest.fixture
def statements(db: Database) -> Iterator[list[str]]:
    """Every SQL statement the database runs while the test body runs."""
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def test_resolving_a_known_code_asks_the_database_at_most_three_questions(
    db: Database, shop: Shop, statements: list[str]
) -> None:
    # Barcode, then bin, then SKU; only an unknown text with letters looks a fourth time.
    cases = {
        EAN: 1,
        "]C1010" + EAN + "10A": 1,
        "4006381333931": 1,
        "A-01-03": 2,
        "KAFFE-500": 3,
        "kaffe-500": 3,
        "12345": 3,
        "NOPE": 4,
    }
    for text, wanted in cases.items():
        statements.clear()
        db.read(resolve_scan, text)
        queries = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        assert len(queries) == wanted, (text, queries)
    statements.clear()
    db.read(resolve_scan, "7310865004704")
    assert not [s for s in statements if s.lstrip().upper().startswith("SELECT")]


def test_scan_report_is_plain_data(db: Database, shop: Shop) -> None:
    report = scan_report(db.read(resolve_scan, "]C1" + "02" + CARTON + "3710" + GS + "3103001250"))
    assert report["outcome"] == "item" and report["symbology"] == "GS1-128"
    assert report["ais"] == [
        {"ai": "02", "title": "CONTENT", "value": CARTON, "parsed": CARTON},
        {"ai": "37", "title": "COUNT", "value": "10", "parsed": "10"},
        {"ai": "3103", "title": "NET WEIGHT (kg)", "value": "001250", "parsed": "1.25"},
    ]
    assert report["item"] == {
        "id": shop.coffee,
        "sku": "KAFFE-500",
        "name": "Kaffe mellanrost 500 g",
        "unit": "pcs",
        "barcode": CARTON,
        "pack_qty": "12",
        "quantity": "120",
    }
    assert report["count"] == "10" and report["bin"] is None


# --- Linking an unknown code ----------------------------------------------------------------


def _audits(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_linking_an_unknown_code_makes_it_resolve(db: Database, shop: Shop) -> None:
    before = db.read(_audits)
    result = db.run(link_barcode, shop.user, shop.tea, "4006381333931")
    assert (result.outcome, result.item_id, result.quantity) == ("item", shop.tea, 1)
    assert db.read(resolve_scan, "4006381333931").item_id == shop.tea
    assert db.read(_audits) == before + 1
    detail = db.read(get_item, shop.tea)
    assert [b.code for b in detail.barcodes] == ["036000291452", "4006381333931"]


def test_linking_a_gs1_case_code_keeps_the_gtin_and_the_scan(db: Database, shop: Shop) -> None:
    scanned = "]C1" + "0114006381333938" + "10LOT9"
    result = db.run(link_barcode, shop.user, shop.tea, scanned, "24")
    assert (result.item_id, result.lot, result.pack_qty, result.quantity) == (
        shop.tea,
        "LOT9",
        24,
        24,
    )
    codes = {b.code: b.pack_qty for b in db.read(get_item, shop.tea).barcodes}
    assert codes["14006381333938"] == Decimal(24)
    # The plain EAN of a consumer unit is stored as 13 digits, as printed.
    db.run(link_barcode, shop.user, shop.tea, "(01)04006381333931")
    assert "4006381333931" in {b.code for b in db.read(get_item, shop.tea).barcodes}


def test_linking_keeps_the_rest_of_the_item(db: Database, shop: Shop) -> None:
    before = db.read(get_item, shop.coffee)
    db.run(link_barcode, shop.user, shop.coffee, "HX-KAFFE", "6")
    after = db.read(get_item, shop.coffee)
    assert (after.name, after.min_qty, after.lot_tracked) == (before.name, Decimal(5), True)
    assert after.barcodes[:2] == before.barcodes and after.barcodes[2].pack_qty == 6
    # Linking a code the item already has updates its pack and keeps its label.
    db.run(link_barcode, shop.user, shop.coffee, CARTON, "10")
    carton = next(b for b in db.read(get_item, shop.coffee).barcodes if b.code == CARTON)
    assert (carton.pack_qty, carton.label) == (Decimal(10), "case")


def _refused(db: Database, item_id: int, code: str, pack: str = "1") -> dict[str, str]:
    with pytest.raises((ValidationError, FieldErrors)) as caught:
        db.run(link_barcode, UserId(1), item_id, code, pack)
    exc = caught.value
    if isinstance(exc, FieldErrors):
        return exc.errors
    assert isinstance(exc, ValidationError)
    return {exc.field or "": exc.message}


def test_linking_refuses_what_cannot_be_an_item_s_barcode(db: Database, shop: Shop) -> None:
    before = db.read(get_item, shop.tea).barcodes
    assert _refused(db, shop.tea, EAN) == {
        "code": "Barcode 7310865004703 already belongs to item KAFFE-500."
    }
    assert _refused(db, shop.tea, "7310865004704") == {
        "code": "The check digit of 7310865004704 should be 3."
    }
    assert _refused(db, shop.tea, "106141411234567897") == {
        "code": "A pallet code (SSCC) belongs to one pallet, not to an item; scan the item's "
        "own barcode."
    }
    assert _refused(db, shop.tea, "(10)AB") == {
        "code": "This GS1 code holds no item number (GTIN) to link."
    }
    assert _refused(db, shop.tea, "a-01-03") == {
        "code": "a-01-03 is the code of bin A-01-03; it cannot also be an item's barcode."
    }
    assert _refused(db, shop.tea, "4006381333931", "0") == {
        "pack_qty": "The quantity must be greater than zero."
    }
    assert _refused(db, shop.tea, "HAS SPACE") == {
        "code": "Barcode “HAS SPACE” has spaces or characters a scanner cannot send."
    }
    assert db.read(get_item, shop.tea).barcodes == before
    with pytest.raises(NotFoundError):
        db.run(link_barcode, shop.user, 99999, "4006381333931")
