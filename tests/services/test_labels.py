"""Label data from the database, and the PDF it makes decoding back to the same data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import i18n
from app.barcodes.labels import BinLabel, ItemLabel, LotLabel
from app.models import Item
from app.services import labels, locations, lots
from app.services.database import Database, unit_of_work
from app.services.errors import NotFoundError, ValidationError
from app.services.items import BarcodeInput, ItemInput, save_item
from app.services.labels import LabelKind, LabelRequest
from tests import factories as f
from tests.barcodes.test_labels import decode_pdf

EAN = "7310865004703"
EAN_MILK = "7310865000057"


@pytest.fixture
def swedish() -> Iterator[None]:
    i18n.set_language("sv")
    yield
    i18n.set_language("en")


def _item_id(s: Session, sku: str) -> int:
    found = s.scalar(select(Item.id).where(Item.sku == sku))
    assert found is not None
    return found


def _warehouse(db: Database) -> f.Places:
    """Two bins; a hammer with an EAN-13 and a price; gloves with only a carton code;
    lot-tracked milk with three lots, one of them sold out."""
    with unit_of_work(db) as s:
        p = f.places(s)
        f.item(s, p.user, "HX-1001", name="Hammare 400 g", barcodes=(EAN,), sales_price="149.5")
        save_item(
            s,
            p.user,
            ItemInput(
                sku="GL-N/L",
                name="Handskar <nitril> & latex",
                barcodes=(BarcodeInput("17310865004700", "12", "Kartong"),),
            ),
        )
        milk = f.item(s, p.user, "MJ-1", name="Mjölk 1 l", barcodes=(EAN_MILK,), lot_tracked=True)
        late = lots.get_or_create_lot(s, milk.id, "L270101", dt.date(2027, 1, 1))
        early = lots.get_or_create_lot(s, milk.id, "L261201", dt.date(2026, 12, 1))
        gone = lots.get_or_create_lot(s, milk.id, "L261101", dt.date(2026, 11, 1))
        f.receive(s, p, milk.id, "10", lot_id=late.id)
        f.receive(s, p, milk.id, "4", lot_id=early.id, bin_index=1)
        f.receive(s, p, milk.id, "3", lot_id=gone.id)
        f.issue(s, p, milk.id, "3", lot_id=gone.id)
        f.item(s, p.user, "NOGTIN", name="Ost", lot_tracked=True)
        f.item(s, p.user, "PLAIN", name="Spik")
    return p


# --- items -----------------------------------------------------------------------------------
def test_item_labels_carry_the_ean13_or_else_the_sku(db: Database) -> None:
    _warehouse(db)
    with unit_of_work(db) as s:
        found = labels.item_labels(s, skus=["hx-1001", "GL-N/L", "HX-1001"], with_price=True)

    assert found == [
        ItemLabel("Hammare 400 g", "HX-1001", EAN, "SEK\xa0149.50"),
        # Its only barcode counts a carton of 12: a unit label never carries it.
        ItemLabel("Handskar <nitril> & latex", "GL-N/L", None, None),
    ]


def test_prices_follow_the_language(db: Database, swedish: None) -> None:
    _warehouse(db)
    with unit_of_work(db) as s:
        (label,) = labels.item_labels(s, skus=["HX-1001"], with_price=True)
        (plain,) = labels.item_labels(s, skus=["HX-1001"])

    assert label.price == "149,50\xa0kr"
    assert plain.price is None


def test_items_by_id_keep_the_order_asked(db: Database) -> None:
    _warehouse(db)
    with unit_of_work(db) as s:
        rows = {label.sku: label for label in labels.item_labels(s, skus=["HX-1001", "PLAIN"])}
        ids = [_item_id(s, "PLAIN"), _item_id(s, "HX-1001")]
        found = labels.item_labels(s, item_ids=ids)
    assert [label.sku for label in found] == ["PLAIN", "HX-1001"]
    assert rows["PLAIN"].ean13 is None


def test_unknown_items_are_named(db: Database) -> None:
    _warehouse(db)
    with unit_of_work(db) as s:
        with pytest.raises(NotFoundError, match="There is no item with SKU NOPE, ZZ-9"):
            labels.item_labels(s, skus=["HX-1001", "NOPE", "ZZ-9"])
        with pytest.raises(NotFoundError, match="Item 999999 does not exist"):
            labels.item_labels(s, item_ids=[999999])
        with pytest.raises(ValidationError, match="at least one item"):
            labels.item_labels(s)


# --- bins ------------------------------------------------------------------------------------
def test_bin_labels_by_code_and_id(db: Database) -> None:
    p = _warehouse(db)
    with unit_of_work(db) as s:
        locations.save_bin(s, p.user, "B/12-04", "Hylla B12")
        by_code = labels.bin_labels(s, codes=["b/12-04", "A-01-01"])
        by_id = labels.bin_labels(s, bin_ids=[p.bins[1]])

    assert by_code == [BinLabel("B/12-04", "Hylla B12"), BinLabel("A-01-01", "")]
    assert by_id == [BinLabel("A-01-02", "")]


def test_unknown_and_virtual_bins_are_refused(db: Database) -> None:
    p = _warehouse(db)
    with unit_of_work(db) as s:
        with pytest.raises(NotFoundError, match="There is no bin Z-99, SUPPLIERS"):
            labels.bin_labels(s, codes=["A-01-01", "Z-99", "SUPPLIERS"])
        with pytest.raises(NotFoundError, match=f"Bin {p.supplier} does not exist"):
            labels.bin_labels(s, bin_ids=[p.supplier])
        with pytest.raises(ValidationError, match="at least one bin"):
            labels.bin_labels(s)


# --- lots ------------------------------------------------------------------------------------
def test_lot_labels_are_the_lots_in_stock_soonest_expiry_first(db: Database) -> None:
    _warehouse(db)
    with unit_of_work(db) as s:
        found = labels.lot_labels(s, skus=["MJ-1"])

    assert found == [
        LotLabel(
            "Mjölk 1 l", "MJ-1", "0" + EAN_MILK, "L261201", dt.date(2026, 12, 1), "1 Dec 2026"
        ),
        LotLabel("Mjölk 1 l", "MJ-1", "0" + EAN_MILK, "L270101", dt.date(2027, 1, 1), "1 Jan 2027"),
    ]


def test_a_named_lot_prints_even_when_sold_out(db: Database) -> None:
    _warehouse(db)
    with unit_of_work(db) as s:
        (label,) = labels.lot_labels(s, lot_codes=["L261101"])
        (same,) = labels.lot_labels(s, skus=["MJ-1"], lot_codes=["L261101"])
    assert label == same
    assert (label.sku, label.lot, label.gtin14) == ("MJ-1", "L261101", "07310865000057")


def test_lot_label_problems_each_have_their_message(db: Database) -> None:
    p = _warehouse(db)
    with unit_of_work(db) as s:
        cheese = _item_id(s, "NOGTIN")
        lots.get_or_create_lot(s, cheese, "L261201")
        lots.get_or_create_lot(s, cheese, "C1")
        f.receive(s, p, cheese, "1", lot_id=lots.get_or_create_lot(s, cheese, "C1").id)
    with unit_of_work(db) as s:
        with pytest.raises(ValidationError, match="PLAIN is not lot-tracked"):
            labels.lot_labels(s, skus=["PLAIN"])
        with pytest.raises(ValidationError, match="NOGTIN has no EAN-13 or other GTIN"):
            labels.lot_labels(s, skus=["NOGTIN"])
        with pytest.raises(ValidationError, match="L261201 exists for several items"):
            labels.lot_labels(s, lot_codes=["L261201"])
        with pytest.raises(NotFoundError, match="There is no lot X1 of MJ-1"):
            labels.lot_labels(s, skus=["MJ-1"], lot_codes=["X1"])
        with pytest.raises(NotFoundError, match="There is no lot X1."):
            labels.lot_labels(s, lot_codes=["X1"])
        with pytest.raises(ValidationError, match="Name the items"):
            labels.lot_labels(s)
    with unit_of_work(db) as s:
        milk = f.item(s, p.user, "MJ-2", barcodes=("7310865000064",), lot_tracked=True)
        assert milk.id
    with unit_of_work(db) as s:
        with pytest.raises(NotFoundError, match="MJ-2 has no lots in stock"):
            labels.lot_labels(s, skus=["MJ-2"])


# --- the PDF ---------------------------------------------------------------------------------
def test_item_label_pdf_decodes_and_counts_pages(db: Database, tmp_path: Path) -> None:
    _warehouse(db)
    request = LabelRequest(LabelKind.ITEMS, skus=("HX-1001", "GL-N/L"), copies=13, with_price=True)
    with unit_of_work(db) as s:
        made = labels.make_labels_pdf(s, request)
        assert labels.count_labels(s, request) == 26

    assert (made.labels, made.pages, made.layout) == (26, 2, "a4-3x8")
    found = [(d.format, d.text) for d in decode_pdf(made.pdf, made.layout, tmp_path)]
    assert found == [("EAN-13", EAN)] * 13 + [("Code 128", "GL-N/L")] * 13


def test_lot_label_pdf_carries_gs1_data(db: Database, tmp_path: Path) -> None:
    _warehouse(db)
    request = LabelRequest(LabelKind.LOTS, skus=("MJ-1",), layout="roll-62x29")
    with unit_of_work(db) as s:
        made = labels.make_labels_pdf(s, request)

    found = decode_pdf(made.pdf, made.layout, tmp_path)
    assert [(d.symbology, d.text) for d in found] == [
        ("]C1", "(01)07310865000057(17)261201(10)L261201"),
        ("]C1", "(01)07310865000057(17)270101(10)L270101"),
    ]
    assert made.pages == 2


def test_bin_label_pdf(db: Database, tmp_path: Path) -> None:
    p = _warehouse(db)
    with unit_of_work(db) as s:
        made = labels.make_labels_pdf(
            s, LabelRequest(LabelKind.BINS, bin_ids=p.bins, layout="roll-57x32", copies=2)
        )
    assert [d.text for d in decode_pdf(made.pdf, made.layout, tmp_path)] == [
        "A-01-01",
        "A-01-01",
        "A-01-02",
        "A-01-02",
    ]


def test_bad_requests_are_refused_before_anything_is_drawn(db: Database) -> None:
    p = _warehouse(db)
    with unit_of_work(db) as s:
        with pytest.raises(ValidationError, match="no label layout “letter”"):
            labels.make_labels_pdf(
                s, LabelRequest(LabelKind.ITEMS, skus=("HX-1001",), layout="letter")
            )
        with pytest.raises(ValidationError, match="from 1 to 999"):
            labels.make_labels_pdf(s, LabelRequest(LabelKind.ITEMS, skus=("HX-1001",), copies=0))
        lots.get_or_create_lot(
            s,
            _item_id(s, "MJ-1"),
            "LOT WITH SPACE",
        )
        with pytest.raises(ValidationError, match="Lot LOT WITH SPACE cannot go into a GS1"):
            labels.make_labels_pdf(s, LabelRequest(LabelKind.LOTS, lot_codes=("LOT WITH SPACE",)))
        f.item(s, p.user, "X" * 40)
        with pytest.raises(ValidationError, match="too long for a barcode on a 57 mm"):
            labels.make_labels_pdf(
                s, LabelRequest(LabelKind.ITEMS, skus=("X" * 40,), layout="roll-57x32")
            )


def test_layouts_are_listed_with_their_titles() -> None:
    found = labels.list_layouts()
    assert [layout.name for layout in found] == ["a4-3x8", "a4-3x7", "roll-62x29", "roll-57x32"]
    assert found[0].per_page == 24 and found[1].per_page == 21 and found[2].per_page == 1
    assert labels.page_count(25, "a4-3x8") == 2
    with pytest.raises(ValidationError, match="no label layout"):
        labels.page_count(1, "nope")


# --- bins with what they hold ------------------------------------------------------------------
def test_bin_summaries_count_items_and_quantity(db: Database) -> None:
    p = _warehouse(db)
    with unit_of_work(db) as s:
        hammer = _item_id(s, "HX-1001")
        f.receive(s, p, hammer, "2.5")
        locations.save_bin(s, p.user, "C-EMPTY", "Tom")
        found = {row.code: row for row in locations.list_bin_summaries(s)}

    assert set(found) == {"A-01-01", "A-01-02", "C-EMPTY"}
    assert (found["A-01-01"].item_count, found["A-01-01"].total_quantity) == (2, Decimal("12.5"))
    assert (found["A-01-02"].item_count, found["A-01-02"].total_quantity) == (1, Decimal(4))
    assert (
        found["C-EMPTY"].item_count,
        found["C-EMPTY"].total_quantity,
        found["C-EMPTY"].name,
    ) == (
        0,
        Decimal(0),
        "Tom",
    )
