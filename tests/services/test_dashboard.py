"""The Start page's figures: each tile on a small hand-made warehouse, the proposal run
it remembers, and tiles that degrade on their own when a feature is missing or fails
(both engines)."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.models import MoveKind, Role, User, WriteDownKind, utcnow
from app.services import dashboard, ledger, lots, purchase_orders, receiving, settings
from app.services.dashboard import (
    Backorders,
    ExpiringLots,
    ProposalSummary,
    ReceiptsInProgress,
    StockValue,
    ToOrder,
    Unavailable,
    WriteDownsWaiting,
)
from app.services.database import Database, unit_of_work
from app.services.errors import ValidationError
from app.services.items import SupplierItemInput
from app.services.settings import CostingMethod
from app.services.suppliers import SupplierInput, save_supplier
from app.services.users import UserId
from app.services.write_downs import WriteDownInput, request_write_down
from tests import factories as f

D = Decimal
TODAY = dt.date.today()


def _staff(s: Session, username: str = "stina") -> UserId:
    user = User(username=username, display_name=username.capitalize(), role=Role.STAFF)
    s.add(user)
    s.flush()
    return UserId(user.id)


def _read(db: Database) -> dashboard.Dashboard:
    return db.read(dashboard.read_dashboard, TODAY)


def test_an_empty_warehouse_has_nothing_to_do(db: Database) -> None:
    figures = _read(db)
    assert figures.today == TODAY
    assert figures.to_order == ToOrder(last_run=None, needs_waiting=0, draft_orders=0)
    assert figures.backorders == Backorders(0, 0, 0, None)
    assert figures.expiring == ExpiringLots(30, 0, 0, 0, None)
    assert figures.receipts == ReceiptsInProgress(0, 0, None)
    assert figures.write_downs == WriteDownsWaiting(0, D(0), None)
    assert figures.stock_value == StockValue(
        value=D(0),
        currency="SEK",
        method=CostingMethod.FIFO,
        days=365,
        cogs=D(0),
        average_value=D(0),
        turnover=None,
    )
    assert not isinstance(figures.counts, Unavailable)
    assert figures.counts.due == 0


def test_stock_value_and_turnover_fifo_with_a_value_write_down(db: Database) -> None:
    now = utcnow()
    with unit_of_work(db) as s:
        settings.set_setting(s, "currency", "EUR")
        p = f.places(s)
        item = f.item(s, p.user, "KAFFE").id
        # Before the year: 10 @ 30 (the opening value, 300).
        ledger.post_move(
            s,
            item_id=item,
            quantity=D(10),
            from_location_id=p.supplier,
            to_location_id=p.bins[0],
            kind=MoveKind.RECEIPT,
            user_id=p.user,
            unit_cost=D(30),
            moved_at=now - dt.timedelta(days=400),
        )
        # In the year: 10 @ 40 in, 10 + 2 out (FIFO: 10 @ 30 + 2 @ 40 = 380 of COGS; one
        # issue of 12 would record one unit cost rounded to four decimals).
        f.receive(s, p, item, "10", "40")
        f.issue(s, p, item, "10")
        f.issue(s, p, item, "2")
        # Scrap is a loss, not COGS: 1 @ 40 to scrap.
        ledger.post_move(
            s,
            item_id=item,
            quantity=D(1),
            from_location_id=p.bins[0],
            to_location_id=p.scrap,
            kind=MoveKind.SCRAP,
            user_id=p.user,
        )
        user = p.user
    figures = _read(db)
    value = figures.stock_value
    assert isinstance(value, StockValue)
    # Now 7 @ 40 = 280; a year ago 300; COGS 380; average (300 + 280) / 2 = 290.
    assert (value.value, value.cogs, value.average_value) == (D(280), D(380), D(290))
    assert (value.currency, value.method) == ("EUR", CostingMethod.FIFO)
    assert value.turnover == D("1.31")  # 380 / 290 = 1.3103…
    assert value.days_of_supply == D(279)  # 365 / 1.31 = 278.6…

    # A value write-down of 25 % (70 off) lowers the value now, not the value a year ago.
    db.run(
        request_write_down,
        user,
        WriteDownInput(item_id=item, kind=WriteDownKind.VALUE, reason="obsolete", percent="25"),
    )
    value = _read(db).stock_value
    assert isinstance(value, StockValue)
    assert (value.value, value.cogs, value.average_value) == (D(210), D(380), D(255))
    assert value.turnover == D("1.49")


def test_stock_value_by_weighted_average(db: Database) -> None:
    with unit_of_work(db) as s:
        settings.set_setting(s, "costing_method", "average")
        p = f.places(s)
        item = f.item(s, p.user, "TE").id
        f.receive(s, p, item, "10", "30")
        f.receive(s, p, item, "10", "40")
        f.issue(s, p, item, "12")  # at the average 35: COGS 420
    value = _read(db).stock_value
    assert isinstance(value, StockValue)
    # 8 @ 35 = 280 now, nothing a year ago: average 140, turnover 3.
    assert (value.value, value.cogs, value.average_value, value.turnover) == (
        D(280),
        D(420),
        D(140),
        D(3),
    )
    assert value.method is CostingMethod.AVERAGE


def test_lots_expiring_within_the_warning_days(db: Database) -> None:
    with unit_of_work(db) as s:
        settings.set_setting(s, "write_down_expiry_days", "10")
        p = f.places(s)
        milk = f.item(s, p.user, "MJOLK", lot_tracked=True).id
        cream = f.item(s, p.user, "GRADDE", lot_tracked=True).id

        def lot(item: int, code: str, days: int | None) -> int:
            expiry = TODAY + dt.timedelta(days=days) if days is not None else None
            return lots.get_or_create_lot(s, item, code, expiry).id

        expired = lot(milk, "L-OLD", -2)
        soon = lot(milk, "L-SOON", 3)
        later = lot(milk, "L-LATER", 40)
        gone = lot(cream, "G-GONE", 1)
        split = lot(cream, "G-SPLIT", 10)
        undated = lot(cream, "G-NODATE", None)
        f.receive(s, p, milk, "2", lot_id=expired)
        f.receive(s, p, milk, "3", lot_id=soon)
        f.receive(s, p, milk, "5", lot_id=later)
        f.receive(s, p, cream, "4", lot_id=gone)
        f.issue(s, p, cream, "4", lot_id=gone)  # none left: not counted
        f.receive(s, p, cream, "1", lot_id=split, bin_index=0)
        f.receive(s, p, cream, "1", lot_id=split, bin_index=1)  # one lot in two bins
        f.receive(s, p, cream, "9", lot_id=undated)
    assert _read(db).expiring == ExpiringLots(
        within_days=10,
        lots=3,
        expired=1,
        items=2,
        first_expiry=TODAY - dt.timedelta(days=2),
    )


def test_a_bad_warning_days_setting_makes_only_that_tile_unavailable(db: Database) -> None:
    with unit_of_work(db) as s:
        settings.set_setting(s, "write_down_expiry_days", "soon")
    figures = _read(db)
    assert isinstance(figures.expiring, Unavailable)
    assert "“soon”" in figures.expiring.reason and "Settings" in figures.expiring.reason
    assert isinstance(figures.stock_value, StockValue)
    assert isinstance(figures.receipts, ReceiptsInProgress)


def test_receipts_in_progress(db: Database) -> None:
    with unit_of_work(db) as s:
        p = f.places(s)
        f.item(s, p.user, "SKRUV", barcodes=("7310865004703",), default_location="A-01-01")
        supplier = save_supplier(s, p.user, SupplierInput(code="NORD", name="Nord AB")).id
        first = receiving.start_receipt(s, p.user, supplier_id=supplier)
        for _ in range(3):
            outcome = receiving.add_scan(s, first.id, "7310865004703", p.user, add_unordered=True)
            assert outcome.saved
        receiving.start_receipt(s, p.user, supplier_id=supplier)
        posted = receiving.start_receipt(s, p.user, supplier_id=supplier)
        receiving.cancel_receipt(s, posted.id, p.user)
    figures = _read(db)
    assert isinstance(figures.receipts, ReceiptsInProgress)
    assert (figures.receipts.receipts, figures.receipts.scans) == (2, 3)
    assert figures.receipts.oldest_started is not None


def test_backorders_and_zero_point_needs(db: Database) -> None:
    with unit_of_work(db) as s:
        w = f.order_world(s)
        f.receive(s, w.places, w.stocked, "3", "30")
        # 5 ordered, 3 in stock: 2 on backorder. The other order is fully reserved.
        f.confirmed_order(s, w.user, w.customer, (w.stocked, "5"), (w.lotted, "4"))
        f.confirmed_order(s, w.user, w.other_customer, (w.zero_point, "7"))
    figures = _read(db)
    backorders = figures.backorders
    assert isinstance(backorders, Backorders)
    # Coffee (2 short) and milk (none in stock) on the first order; the zero-point item's
    # line waits for the purchase its order raised.
    assert (backorders.lines, backorders.orders) == (3, 2)
    assert backorders.late == 0
    to_order = figures.to_order
    assert isinstance(to_order, ToOrder)
    assert to_order.needs_waiting == 1


def test_write_downs_waiting_for_approval(db: Database) -> None:
    with unit_of_work(db) as s:
        settings.set_setting(s, "write_down_approval_limit", "100")
        p = f.places(s)
        item = f.item(s, p.user, "B-1").id
        f.receive(s, p, item, "20", "10")
        staff = _staff(s)
        for kind, qty in ((WriteDownKind.SCRAP, "15"), (WriteDownKind.SCRAP, "12")):
            request_write_down(
                s, staff, WriteDownInput(item_id=item, kind=kind, reason="damaged", quantity=qty)
            )
        # At or below the limit it posts at once: not waiting.
        request_write_down(
            s,
            staff,
            WriteDownInput(item_id=item, kind=WriteDownKind.SCRAP, reason="damaged", quantity="1"),
        )
    waiting = _read(db).write_downs
    assert isinstance(waiting, WriteDownsWaiting)
    assert (waiting.count, waiting.value) == (2, D(270))
    assert waiting.oldest_requested is not None


def test_draft_purchase_orders_are_counted_until_sent(db: Database) -> None:
    with unit_of_work(db) as s:
        p = f.places(s)
        supplier = save_supplier(s, p.user, SupplierInput(code="NORD", name="Nord AB")).id
        item = f.item(s, p.user, "SKRUV", supplier_items=(SupplierItemInput("NORD", price="2"),))
        lines = (purchase_orders.PurchaseOrderLineInput(item.id, "10"),)
        purchase_orders.create_purchase_order(s, p.user, supplier, lines=lines)
        sent = purchase_orders.create_purchase_order(s, p.user, supplier, lines=lines)
        purchase_orders.send_purchase_order(s, p.user, sent.id)
    to_order = _read(db).to_order
    assert isinstance(to_order, ToOrder)
    assert to_order.draft_orders == 1


# --- proposals -----------------------------------------------------------------------------


def _proposal_world(s: Session) -> UserId:
    """Two items of one supplier at or below their min, one with enough stock."""
    p = f.places(s)
    save_supplier(s, p.user, SupplierInput(code="NORD", name="Nord AB", lead_time_days=5))
    terms = (SupplierItemInput("NORD", price="2"),)
    for sku, stock in (("LOW-1", "2"), ("LOW-2", "5"), ("FULL", "15")):
        item = f.item(
            s, p.user, sku, policy="min-max", min_qty="5", max_qty="20", supplier_items=terms
        )
        f.receive(s, p, item.id, stock, "2")
    return p.user


def test_working_out_proposals_is_remembered_for_the_tile(db: Database) -> None:
    with unit_of_work(db) as s:
        user = _proposal_world(s)
    summary = db.run(dashboard.work_out_proposals, user, TODAY)
    assert (summary.as_of, summary.to_order, summary.below_reorder_point) == (TODAY, 2, 2)
    assert (summary.for_customer_orders, summary.without_supplier, summary.suppliers) == (0, 0, 1)
    to_order = _read(db).to_order
    assert isinstance(to_order, ToOrder)
    assert to_order.last_run == summary
    assert to_order.is_current(TODAY)
    assert not to_order.is_current(TODAY + dt.timedelta(days=1))


def test_an_earlier_run_never_replaces_a_later_one(db: Database) -> None:
    later = ProposalSummary(TODAY, utcnow(), 5, 4, 1, 0, 2)
    earlier = ProposalSummary(TODAY, later.worked_out_at - dt.timedelta(minutes=5), 9, 9, 0, 0, 3)
    assert db.run(dashboard.remember_proposals, later) == later
    assert db.run(dashboard.remember_proposals, earlier) == later
    assert db.read(dashboard.last_proposals) == later
    newest = ProposalSummary(TODAY, later.worked_out_at + dt.timedelta(minutes=1), 1, 1, 0, 0, 1)
    assert db.run(dashboard.remember_proposals, newest) == newest


def test_a_damaged_stored_run_reads_as_never_worked_out(db: Database) -> None:
    with unit_of_work(db) as s:
        settings.set_setting(s, dashboard.PROPOSALS_SETTING, '{"as_of": "yesterday"}')
    to_order = _read(db).to_order
    assert isinstance(to_order, ToOrder)
    assert to_order.last_run is None


def test_proposals_missing_from_the_installation_are_refused_in_words(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with unit_of_work(db) as s:
        user = f.places(s).user
    monkeypatch.setitem(sys.modules, "app.services.proposals", None)
    with pytest.raises(ValidationError, match="not part of this installation"):
        db.run(dashboard.work_out_proposals, user, TODAY)
    assert db.read(dashboard.last_proposals) is None


# --- degrading tile by tile ----------------------------------------------------------------


def _open_receipt(s: Session, user: UserId) -> None:
    """A delivery started and not posted: the receipts tile then asks receiving."""
    supplier = save_supplier(s, user, SupplierInput(code="NORD", name="Nord AB")).id
    receiving.start_receipt(s, user, supplier_id=supplier)


def test_a_failing_part_degrades_only_its_own_tile(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with unit_of_work(db) as s:
        p = f.places(s)
        item = f.item(s, p.user, "KAFFE").id
        f.receive(s, p, item, "4", "25")
        _open_receipt(s, p.user)

    def broken(_session: Session) -> list[object]:
        raise RuntimeError("the disk is on fire\nmore detail")

    monkeypatch.setattr(receiving, "open_receipts", broken)
    figures = _read(db)
    assert figures.receipts == Unavailable("Could not be read: the disk is on fire")
    assert isinstance(figures.stock_value, StockValue) and figures.stock_value.value == D(100)


def test_a_failed_statement_leaves_the_other_tiles_readable(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL a failed statement poisons the transaction; the tile's savepoint
    keeps the tiles read after it working."""

    def bad_query(session: Session, _today: dt.date) -> Backorders:
        session.execute(text("SELECT nothing FROM no_such_table"))
        raise AssertionError("unreachable")

    monkeypatch.setattr(dashboard, "_backorders", bad_query)
    figures = _read(db)
    assert isinstance(figures.backorders, Unavailable)
    assert figures.backorders.reason.startswith("Could not be read:")
    assert isinstance(figures.expiring, ExpiringLots)
    assert isinstance(figures.write_downs, WriteDownsWaiting)
    assert isinstance(figures.stock_value, StockValue)


def test_a_feature_missing_from_the_installation_says_so(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with unit_of_work(db) as s:
        # A setting the write-downs would read: without them the default is used.
        settings.set_setting(s, "write_down_expiry_days", "45")
    monkeypatch.setitem(sys.modules, "app.services.write_downs", None)
    monkeypatch.setitem(sys.modules, "app.services.count_plan", None)
    monkeypatch.setitem(sys.modules, "app.services.receiving", None)
    figures = _read(db)
    missing = Unavailable("Not part of this installation of Hylla.")
    assert (figures.write_downs, figures.counts, figures.receipts) == (missing,) * 3
    # The expiring lots fall back to 30 days without the write-downs' setting.
    assert figures.expiring == ExpiringLots(30, 0, 0, 0, None)


def test_a_domain_error_shows_its_own_words(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    with unit_of_work(db) as s:
        _open_receipt(s, f.places(s).user)

    def refuse(_session: Session) -> list[object]:
        raise ValidationError("The receipt log is being repaired. Try again in a minute.")

    monkeypatch.setattr(receiving, "open_receipts", refuse)
    assert _read(db).receipts == Unavailable(
        "The receipt log is being repaired. Try again in a minute."
    )


def test_moves_posted_after_a_read_are_added_to_the_years_figures(db: Database) -> None:
    with unit_of_work(db) as s:
        p = f.places(s)
        item = f.item(s, p.user, "KAFFE").id
        f.receive(s, p, item, "10", "30")
        f.issue(s, p, item, "4")
    first = _read(db).stock_value
    assert isinstance(first, StockValue) and (first.value, first.cogs) == (D(180), D(120))
    with unit_of_work(db) as s:
        f.issue(s, p, item, "2")
        f.receive(s, p, item, "5", "30")
    second = _read(db).stock_value
    assert isinstance(second, StockValue)
    # 9 @ 30 = 270 now; COGS 6 @ 30 = 180; nothing a year ago: average 135.
    assert (second.value, second.cogs, second.average_value) == (D(270), D(180), D(135))


def test_sums_kept_from_another_database_at_the_same_place_are_not_used(
    sqlite_db: Database,
) -> None:
    """A backup restored over the file keeps its path: the kept sums must not be reused."""
    with unit_of_work(sqlite_db) as s:
        p = f.places(s)
        item = f.item(s, p.user, "KAFFE").id
        f.receive(s, p, item, "10", "30")
        f.issue(s, p, item, "4")
    assert sqlite_db.read(dashboard.read_dashboard, TODAY).stock_value == _value(D(180), D(120))
    assert len(dashboard._FLOWS) >= 1
    # What another database's history would have left behind under this one's key.
    for key, kept in list(dashboard._FLOWS.items()):
        dashboard._FLOWS[key] = dashboard._Flows(
            kept.last_id, ("another", "database"), kept.change + 10**9, kept.cogs + 10**9
        )
    assert sqlite_db.read(dashboard.read_dashboard, TODAY).stock_value == _value(D(180), D(120))


def _value(value: Decimal, cogs: Decimal) -> StockValue:
    """A stock value of ``value`` now, nothing a year ago, and ``cogs`` (FIFO, in SEK)."""
    average = (value / 2).quantize(D("0.0001"))
    return StockValue(
        value=value,
        currency="SEK",
        method=CostingMethod.FIFO,
        days=365,
        cogs=cogs,
        average_value=average,
        turnover=(cogs / average).quantize(D("0.01")),
    )
