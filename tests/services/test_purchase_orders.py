"""Purchase orders: numbering, lines in whole packs, the draft-only rule, status changes,
lookup by a scanned number, and the schema the migration builds — on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text

from app.models import (
    AuditEvent,
    Base,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Supplier,
)
from app.services import receiving
from app.services.database import Database, _alembic_config, schema_head, unit_of_work
from app.services.errors import NotFoundError, ValidationError
from app.services.items import ItemInput, get_item, save_item
from app.services.purchase_orders import (
    PurchaseOrderLineInput,
    add_line,
    cancel_purchase_order,
    create_purchase_order,
    find_po_by_number,
    get_purchase_order,
    list_purchase_orders,
    po_pdf_data,
    remove_line,
    send_purchase_order,
    update_line,
    update_purchase_order,
)
from app.services.suppliers import SupplierInput, save_supplier
from tests.services.purchasing_setup import COFFEE_CARTON, Shop, build_shop, sent_order

D = Decimal
TODAY = dt.date.today()


@pytest.fixture
def shop(db: Database) -> Shop:
    with unit_of_work(db) as s:
        return build_shop(s)


def _count_orders(db: Database) -> int:
    with unit_of_work(db, read_only=True) as s:
        return int(s.scalar(select(func.count()).select_from(PurchaseOrder)) or 0)


def test_a_new_order_is_numbered_and_takes_the_suppliers_terms(db: Database, shop: Shop) -> None:
    with unit_of_work(db) as s:
        first = create_purchase_order(
            s,
            shop.user,
            shop.supplier,
            lines=[
                PurchaseOrderLineInput(shop.coffee, "48"),
                PurchaseOrderLineInput(shop.milk, "20", unit_price="10,90"),
            ],
        )
        second = create_purchase_order(s, shop.user, shop.supplier)
    assert (first.number, second.number) == ("PO-1001", "PO-1002")
    assert first.status is PurchaseOrderStatus.DRAFT and first.editable
    assert first.delivery_date == TODAY + dt.timedelta(days=5)  # the supplier's lead time
    assert first.currency == "SEK" and first.created_by == "maja"
    coffee, milk = first.lines
    assert (coffee.line_no, coffee.supplier_sku, coffee.pack_size) == (1, "NB-4703", D(12))
    assert (coffee.packs, coffee.quantity, coffee.unit_price) == (D(4), D(48), D("38.50"))
    assert coffee.amount == D("1848.00") and coffee.outstanding == D(48)
    assert (milk.unit_price, milk.amount) == (D("10.90"), D("218.00"))
    assert first.total == D("2066.00")


def test_amounts_round_to_cents_per_line_and_the_total_adds_the_rounded_lines(
    db: Database, shop: Shop
) -> None:
    with unit_of_work(db) as s:
        po = create_purchase_order(
            s,
            shop.user,
            shop.supplier,
            lines=[
                PurchaseOrderLineInput(shop.screw, "300", unit_price="0.3333"),
                PurchaseOrderLineInput(shop.tea, "1", unit_price="0.005"),
            ],
        )
    assert [line.amount for line in po.lines] == [D("99.99"), D("0.01")]
    assert po.total == D("100.00")
    with unit_of_work(db, read_only=True) as s:
        (row,) = list_purchase_orders(s)
    assert row.total == po.total and row.lines == 2


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("50", r"KAFFE-500 comes in packs of 12 pcs: order 48 or 60, not 50\."),
        ("5", r"KAFFE-500 comes in packs of 12 pcs: order at least 12, not 5\."),
        ("0", r"greater than zero"),
        ("-12", r"greater than zero"),
        ("tolv", r"“tolv” is not a number"),
        ("12.0005", r"at most 3 decimals"),
    ],
)
def test_a_quantity_that_is_not_whole_packs_is_refused_and_nothing_is_saved(
    db: Database, shop: Shop, quantity: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        with unit_of_work(db) as s:
            create_purchase_order(
                s, shop.user, shop.supplier, lines=[PurchaseOrderLineInput(shop.coffee, quantity)]
            )
    assert _count_orders(db) == 0


def test_a_pack_size_can_be_given_for_the_line(db: Database, shop: Shop) -> None:
    with unit_of_work(db) as s:
        po = create_purchase_order(
            s,
            shop.user,
            shop.supplier,
            lines=[PurchaseOrderLineInput(shop.coffee, "50", pack_size="1", supplier_sku="X-1")],
        )
    assert (po.lines[0].pack_size, po.lines[0].packs, po.lines[0].supplier_sku) == (
        D(1),
        D(50),
        "X-1",
    )


def test_an_item_without_supplier_terms_needs_a_typed_price(db: Database, shop: Shop) -> None:
    with unit_of_work(db) as s:
        other = save_supplier(s, shop.user, SupplierInput(code="SYD", name="Sydlager AB")).id
    with pytest.raises(ValidationError, match=r"no price for KAFFE-500\. Type the price per pcs"):
        with unit_of_work(db) as s:
            create_purchase_order(
                s, shop.user, other, lines=[PurchaseOrderLineInput(shop.coffee, "10")]
            )
    with unit_of_work(db) as s:
        po = create_purchase_order(
            s, shop.user, other, lines=[PurchaseOrderLineInput(shop.coffee, "10", unit_price="40")]
        )
    assert (po.lines[0].pack_size, po.lines[0].supplier_sku, po.total) == (D(1), "", D("400.00"))


def test_an_item_can_be_on_an_order_only_once(db: Database, shop: Shop) -> None:
    with unit_of_work(db) as s:
        po = create_purchase_order(
            s, shop.user, shop.supplier, lines=[PurchaseOrderLineInput(shop.coffee, "12")]
        )
    with pytest.raises(
        ValidationError, match=r"KAFFE-500 is already on line 1 of PO-1001: change that line"
    ):
        with unit_of_work(db) as s:
            add_line(s, shop.user, po.id, shop.coffee, "24")


def test_unknown_and_inactive_suppliers_and_items_are_refused(db: Database, shop: Shop) -> None:
    with pytest.raises(NotFoundError, match="Supplier 999 does not exist"):
        with unit_of_work(db) as s:
            create_purchase_order(s, shop.user, 999)
    with pytest.raises(NotFoundError, match="Item 999 does not exist"):
        with unit_of_work(db) as s:
            create_purchase_order(
                s, shop.user, shop.supplier, lines=[PurchaseOrderLineInput(999, "1")]
            )
    with unit_of_work(db) as s:
        tea = get_item(s, shop.tea)
        save_item(s, shop.user, ItemInput(sku=tea.sku, name=tea.name, active=False), tea.id)
        save_supplier(
            s, shop.user, SupplierInput(code="GAMLA", name="Gamla leverantören", active=False)
        )
    with pytest.raises(ValidationError, match="TE-GRON is inactive and cannot be ordered"):
        with unit_of_work(db) as s:
            create_purchase_order(
                s, shop.user, shop.supplier, lines=[PurchaseOrderLineInput(shop.tea, "1")]
            )
    with pytest.raises(ValidationError, match="Supplier GAMLA is inactive"):
        with unit_of_work(db) as s:
            supplier_id = s.scalar(select(Supplier.id).where(Supplier.code == "GAMLA"))
            assert supplier_id is not None
            create_purchase_order(s, shop.user, supplier_id)
    assert _count_orders(db) == 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ((TODAY - dt.timedelta(days=1)).isoformat(), r"is in the past"),
        ("31/12/2026", r"Write it as YYYY-MM-DD"),
    ],
)
def test_a_bad_delivery_date_is_refused(db: Database, shop: Shop, value: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        with unit_of_work(db) as s:
            create_purchase_order(s, shop.user, shop.supplier, delivery_date=value)
    with pytest.raises(ValidationError, match=message):
        with unit_of_work(db) as s:
            create_purchase_order(
                s,
                shop.user,
                shop.supplier,
                lines=[PurchaseOrderLineInput(shop.coffee, "12", expected_date=value)],
            )
    assert _count_orders(db) == 0


def test_a_note_longer_than_500_characters_is_refused(db: Database, shop: Shop) -> None:
    with pytest.raises(ValidationError, match="at most 500 characters"):
        with unit_of_work(db) as s:
            create_purchase_order(s, shop.user, shop.supplier, note="x" * 501)
    with unit_of_work(db) as s:
        po = create_purchase_order(s, shop.user, shop.supplier, note="kort")
    with pytest.raises(ValidationError, match="at most 500 characters"):
        with unit_of_work(db) as s:
            update_purchase_order(s, shop.user, po.id, delivery_date=None, note="x" * 501)
    with pytest.raises(ValidationError, match="A supplier SKU can be at most 64 characters"):
        with unit_of_work(db) as s:
            add_line(s, shop.user, po.id, shop.coffee, "12", supplier_sku="x" * 65)
    with unit_of_work(db, read_only=True) as s:
        assert get_purchase_order(s, po.id) == po


def test_a_draft_can_be_edited_line_by_line(db: Database, shop: Shop) -> None:
    later = TODAY + dt.timedelta(days=20)
    with unit_of_work(db) as s:
        po = create_purchase_order(s, shop.user, shop.supplier)
        po = add_line(s, shop.user, po.id, shop.coffee, "24")
        po = add_line(s, shop.user, po.id, shop.milk, "10", expected_date=later)
        po = add_line(s, shop.user, po.id, shop.screw, "200")
        coffee, milk, screw = po.lines
        po = update_line(s, shop.user, coffee.id, quantity="36", unit_price="37.90")
        po = update_line(s, shop.user, milk.id, expected_date="")
        po = remove_line(s, shop.user, screw.id)
        po = update_purchase_order(
            s, shop.user, po.id, delivery_date=later, note="Ring vid leverans"
        )
    assert [(line.sku, line.quantity, line.unit_price) for line in po.lines] == [
        ("KAFFE-500", D(36), D("37.90")),
        ("MJOLK-1L", D(10), D("11.20")),
    ]
    assert po.lines[1].expected_date is None
    assert (po.delivery_date, po.note) == (later, "Ring vid leverans")
    with unit_of_work(db) as s:
        po = add_line(s, shop.user, po.id, shop.tea, "5")
    assert [(line.line_no, line.sku) for line in po.lines] == [
        (1, "KAFFE-500"),
        (2, "MJOLK-1L"),
        (3, "TE-GRON"),
    ]


def test_update_line_checks_whole_packs_and_values(db: Database, shop: Shop) -> None:
    with unit_of_work(db) as s:
        po = create_purchase_order(
            s, shop.user, shop.supplier, lines=[PurchaseOrderLineInput(shop.coffee, "12")]
        )
    line_id = po.lines[0].id
    for kwargs, message in [
        ({"quantity": "13"}, "comes in packs of 12"),
        ({"pack_size": "5"}, "comes in packs of 5"),
        ({"unit_price": "-1"}, "cannot be negative"),
        ({"supplier_sku": "x" * 65}, "at most 64 characters"),
    ]:
        with pytest.raises(ValidationError, match=message):
            with unit_of_work(db) as s:
                update_line(s, shop.user, line_id, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(NotFoundError, match="Order line 999 does not exist"):
        with unit_of_work(db) as s:
            update_line(s, shop.user, 999, quantity="12")
    with unit_of_work(db, read_only=True) as s:
        assert get_purchase_order(s, po.id).lines == po.lines


def test_sending_makes_the_order_read_only(db: Database, shop: Shop) -> None:
    with unit_of_work(db) as s:
        po = sent_order(s, shop)
    assert po.status is PurchaseOrderStatus.SENT and not po.editable and po.receivable
    assert po.sent_at is not None
    line_id = po.lines[0].id
    refused = r"PO-1001 has been sent to the supplier \(sent\) and cannot be changed"
    for attempt in (
        lambda s: add_line(s, shop.user, po.id, shop.tea, "1"),
        lambda s: update_line(s, shop.user, line_id, quantity="60"),
        lambda s: remove_line(s, shop.user, line_id),
        lambda s: update_purchase_order(s, shop.user, po.id, delivery_date=None, note="x"),
        lambda s: send_purchase_order(s, shop.user, po.id),
    ):
        with pytest.raises(ValidationError, match=refused):
            with unit_of_work(db) as s:
                attempt(s)
    with unit_of_work(db, read_only=True) as s:
        assert get_purchase_order(s, po.id) == po


def test_an_empty_draft_cannot_be_sent(db: Database, shop: Shop) -> None:
    with unit_of_work(db) as s:
        po = create_purchase_order(s, shop.user, shop.supplier)
    with pytest.raises(ValidationError, match="PO-1001 has no lines. Add what to order"):
        with unit_of_work(db) as s:
            send_purchase_order(s, shop.user, po.id)


def test_cancelling_a_draft_or_a_sent_order(db: Database, shop: Shop) -> None:
    with unit_of_work(db) as s:
        draft = create_purchase_order(s, shop.user, shop.supplier)
        sent = sent_order(s, shop)
        draft = cancel_purchase_order(s, shop.user, draft.id, "fel leverantör")
        sent = cancel_purchase_order(s, shop.user, sent.id)
    assert draft.status is sent.status is PurchaseOrderStatus.CANCELLED
    assert draft.cancelled_at is not None and not sent.receivable
    with pytest.raises(ValidationError, match="PO-1001 is cancelled and cannot be changed"):
        with unit_of_work(db) as s:
            add_line(s, shop.user, draft.id, shop.tea, "1")
    with pytest.raises(ValidationError, match="PO-1002 is already cancelled"):
        with unit_of_work(db) as s:
            cancel_purchase_order(s, shop.user, sent.id)
    with unit_of_work(db, read_only=True) as s:
        details = s.scalar(
            select(AuditEvent.details).where(
                AuditEvent.entity == "purchase_order", AuditEvent.action == "cancel"
            )
        )
    assert json.loads(details or "{}") == {"number": "PO-1001", "reason": "fel leverantör"}


def test_statuses_follow_the_receipts_and_a_received_order_cannot_be_cancelled(
    db: Database, shop: Shop
) -> None:
    with unit_of_work(db) as s:
        po = sent_order(s, shop, coffee="24", milk="1")
        receipt = receiving.start_receipt(s, shop.user, po_id=po.id)
        receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user)
        receiving.post_receipt(s, receipt.id, shop.user)
        assert get_purchase_order(s, po.id).status is PurchaseOrderStatus.PARTLY_RECEIVED
        receipt = receiving.start_receipt(s, shop.user, po_id=po.id)
        receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user)
        receiving.add_quantity(
            s, receipt.id, shop.milk, "1", shop.user, lot="L1", expiry="2099-01-01"
        )
        receiving.post_receipt(s, receipt.id, shop.user)
        done = get_purchase_order(s, po.id)
    assert done.status is PurchaseOrderStatus.RECEIVED and not done.receivable
    assert [(line.received, line.outstanding) for line in done.lines] == [
        (D(24), D(0)),
        (D(1), D(0)),
    ]
    with pytest.raises(ValidationError, match="PO-1001 is fully received; there is nothing left"):
        with unit_of_work(db) as s:
            cancel_purchase_order(s, shop.user, po.id)


def test_cancelling_a_partly_received_order_closes_the_backorder(db: Database, shop: Shop) -> None:
    with unit_of_work(db) as s:
        po = sent_order(s, shop)
        receipt = receiving.start_receipt(s, shop.user, po_id=po.id)
        receiving.add_scan(s, receipt.id, COFFEE_CARTON, shop.user)
        receiving.post_receipt(s, receipt.id, shop.user)
        po = cancel_purchase_order(s, shop.user, po.id, "resten utgår")
    assert po.status is PurchaseOrderStatus.CANCELLED
    assert po.lines[0].received == D(12)  # what came in stays received


def test_orders_are_listed_newest_first_and_by_status(db: Database, shop: Shop) -> None:
    with unit_of_work(db) as s:
        create_purchase_order(s, shop.user, shop.supplier)
        sent_order(s, shop)
        create_purchase_order(s, shop.user, shop.supplier)
    with unit_of_work(db, read_only=True) as s:
        everything = list_purchase_orders(s)
        drafts = list_purchase_orders(s, status=PurchaseOrderStatus.DRAFT)
        sent = list_purchase_orders(s, status=PurchaseOrderStatus.SENT)
        by_supplier = list_purchase_orders(s, supplier_id=shop.supplier + 1000)
    assert [row.number for row in everything] == ["PO-1003", "PO-1002", "PO-1001"]
    assert [row.number for row in drafts] == ["PO-1003", "PO-1001"]
    assert [(row.number, row.status_text, row.total) for row in sent] == [
        ("PO-1002", "Sent", D("2072.00"))
    ]
    assert everything[0].supplier_name == "Nordgrossisten AB" and everything[0].lines == 0
    assert by_supplier == []


@pytest.mark.parametrize(
    "scanned",
    ["PO-1001", "po-1001", "]C0PO-1001", " PO-1001\r\n", "1001", "PO1001"],
)
def test_a_scanned_or_typed_order_number_finds_the_order(
    db: Database, shop: Shop, scanned: str
) -> None:
    with unit_of_work(db) as s:
        sent_order(s, shop)
    with unit_of_work(db, read_only=True) as s:
        found = find_po_by_number(s, scanned)
    assert found is not None and found.number == "PO-1001"


@pytest.mark.parametrize("scanned", ["PO-1002", "", "7310865004703-", "PO-", "GR-1001", "x" * 80])
def test_other_text_finds_no_order(db: Database, shop: Shop, scanned: str) -> None:
    with unit_of_work(db) as s:
        sent_order(s, shop)
    with unit_of_work(db, read_only=True) as s:
        assert find_po_by_number(s, scanned) is None


def test_an_unknown_order_id_is_reported(db: Database, shop: Shop) -> None:
    with pytest.raises(NotFoundError, match="Purchase order 999 does not exist"):
        with unit_of_work(db, read_only=True) as s:
            get_purchase_order(s, 999)


def test_pdf_data_carries_our_header_their_address_and_the_packs(db: Database, shop: Shop) -> None:
    with unit_of_work(db) as s:
        draft = create_purchase_order(
            s, shop.user, shop.supplier, lines=[PurchaseOrderLineInput(shop.coffee, "48")]
        )
        data = po_pdf_data(s, draft.id)
        sent = send_purchase_order(s, shop.user, draft.id)
        sent_data = po_pdf_data(s, sent.id)
    assert data.company.name == "Hylla Testlager AB"
    assert data.company.address == "Lagervägen 3\n123 45 Älmhult"
    assert data.company.email == "inköp@testlager.se"
    assert (data.supplier.name, data.supplier.address) == (
        "Nordgrossisten AB",
        "Box 12\n581 02 Linköping",
    )
    assert data.supplier_code == "NORD" and data.our_reference == "maja"
    (line,) = data.lines
    assert (line.supplier_sku, line.packs, line.pack_size, line.quantity) == (
        "NB-4703",
        D(4),
        D(12),
        D(48),
    )
    assert data.total == D("1848.00")
    assert data.stamp == "Draft" and sent_data.stamp == ""


def test_orders_are_audited(db: Database, shop: Shop) -> None:
    with unit_of_work(db) as s:
        sent_order(s, shop)
    with unit_of_work(db, read_only=True) as s:
        actions = s.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity == "purchase_order")
            .order_by(AuditEvent.id)
        ).all()
    assert actions == ["create", "send"]


def test_the_database_refuses_a_line_that_breaks_the_rules(db: Database, shop: Shop) -> None:
    """The CHECK constraints back the service rules, whatever code writes."""
    with unit_of_work(db) as s:
        po = create_purchase_order(
            s, shop.user, shop.supplier, lines=[PurchaseOrderLineInput(shop.coffee, "12")]
        )
    for column in ("quantity", "pack_size"):
        with pytest.raises(Exception, match="(?i)check"):
            with unit_of_work(db) as s:
                s.execute(
                    text(f"UPDATE purchase_order_line SET {column} = 0 WHERE id = :id"),
                    {"id": po.lines[0].id},
                )
    with unit_of_work(db, read_only=True) as s:
        assert s.scalar(select(PurchaseOrderLine.quantity)) == D(12)


def test_the_migration_builds_exactly_the_models_schema_and_can_be_undone(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    with db.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0001")
    with unit_of_work(db, read_only=True) as s:
        tables = set(
            s.scalars(
                text(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    if db.is_sqlite
                    else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                )
            )
        )
    assert not tables & {"purchase_order", "purchase_order_line", "receipt", "receipt_event"}
    with db.engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")
    with unit_of_work(db, read_only=True) as s:
        assert s.scalar(text("SELECT version_num FROM alembic_version")) == schema_head()
