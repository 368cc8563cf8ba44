"""A count of aisle B of the demo warehouse, told through the services as the day goes.

Lena, the manager, works out the ABC classes in the morning and sees what the cycle plan
has due. She also wants aisle B counted: she starts a blind count of every bin whose code
starts with ``B-`` and prints the count sheet. Anna counts by scanning: a bin label, the
first item, then how many she sees. The warehouse keeps working — a pick is taken from a
bin before Anna gets there, and a delivery is put away in a bin she has already counted —
and neither shows up as a variance. Anna finds one item short, a stray box from aisle A,
and overlooks a box at the back of a bin, which she confirms as zero when she closes it.
She approves what is within tolerance; the rest is refused to her. Lena sends the zeroed
line to Erik for a recount (he finds the box), approves the rest, and the adjustments are
posted to count differences with the count's number. The variance report is printed and
the month's inventory accuracy shows the two lines that were wrong.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    Barcode,
    CountKind,
    CountStatus,
    Item,
    Location,
    LocationKind,
    MoveKind,
    Role,
    StockLevel,
    StockMove,
    User,
)
from app.services import abc_classes, counting, demo, ledger, locations, users
from app.services.counting import CountLineView, CountScanStatus
from app.services.database import Database, unit_of_work
from app.services.errors import NotAllowedError
from app.services.users import UserId
from tests.reports.pdf_tools import pdf_tables, pdf_text, render_pages

D = Decimal
DEMO_DAY = dt.date(2026, 3, 2)


def _person(s: Session, name: str, role: Role) -> UserId:
    user = User(username=name.lower(), display_name=name, role=role)
    s.add(user)
    s.flush()
    return UserId(user.id)


def _label(s: Session, item_id: int, sku: str) -> str:
    """What Anna scans for an item: its single-unit barcode, else the SKU on its label."""
    code = s.scalar(
        select(Barcode.code).where(Barcode.item_id == item_id, Barcode.pack_qty == 1).limit(1)
    )
    return code or sku


def _move(
    s: Session, user: UserId, item: int, qty: str, src: int, dst: int, kind: MoveKind
) -> None:
    ledger.post_move(
        s,
        item_id=item,
        quantity=D(qty),
        from_location_id=src,
        to_location_id=dst,
        kind=kind,
        user_id=user,
        unit_cost=D("10") if kind is MoveKind.RECEIPT else None,
    )


def _level(s: Session, item: int, bin_id: int) -> Decimal:
    value = s.scalar(
        select(StockLevel.quantity).where(
            StockLevel.item_id == item, StockLevel.location_id == bin_id, StockLevel.lot_key == 0
        )
    )
    return value if value is not None else D(0)


def test_a_count_of_aisle_b(db: Database, tmp_path: Path) -> None:
    # The demo warehouse (a quarter of its items), and the three people of the story.
    with unit_of_work(db) as s:
        root = users.workstation_user(s, "demo").id
        demo.create_demo(s, root, seed=7, today=DEMO_DAY, scale=0.25)
        lena = _person(s, "Lena", Role.MANAGER)
        anna = _person(s, "Anna", Role.STAFF)
        erik = _person(s, "Erik", Role.STAFF)
        supplier = locations.virtual_location_id(s, LocationKind.SUPPLIER)
        customer = locations.virtual_location_id(s, LocationKind.CUSTOMER)
        count_diff = locations.virtual_location_id(s, LocationKind.COUNT_DIFFERENCE)

    # 07:00 Lena computes the ABC classes and looks at today's cycle counts.
    with unit_of_work(db) as s:
        classes = abc_classes.classify_abc(s, lena, DEMO_DAY)
        due = counting.due_counts(s, DEMO_DAY)
    assert classes.counts["A"] >= 1 and sum(classes.counts.values()) == 72
    assert due.items and due.is_working_day

    # 07:05 She starts a blind count of aisle B and prints the count sheet.
    with unit_of_work(db) as s:
        count = counting.start_count(s, lena, CountKind.AISLE, "B-", note="Aisle B, March")
        sheet = counting.count_sheet_pdf(s, count.id)
        b_bins = [
            code
            for code in s.scalars(
                select(Location.code)
                .where(Location.kind == LocationKind.INTERNAL, Location.code.like("B-%"))
                .order_by(Location.code)
            )
        ]
    assert count.number == "CC-1001" and count.blind
    tables = pdf_tables(sheet)
    printed = [row for table in tables for row in table[1:]]
    assert [row[0] for row in printed if row[0]] == b_bins  # every bin of the aisle, in order
    assert tables[0][0] == ["Bin", "SKU", "Description", "Lot", "Unit", "Counted"]  # blind
    assert all(row[-1] == "" for row in printed)  # the Counted column is left blank
    # The manager's view of the same count: the story's bookkeeping.
    with unit_of_work(db, read_only=True) as s:
        plan = counting.get_count(s, lena, count.id).lines
    assert len(plan) >= 10 and all(line.expected is not None for line in plan)

    def pick(predicate, exclude=()):  # type: ignore[no-untyped-def]
        return next(line for line in plan if predicate(line) and line not in exclude)

    picked: CountLineView = pick(lambda line: line.expected >= 5)
    short: CountLineView = pick(lambda line: 10 <= line.expected < 60, [picked])
    overlooked: CountLineView = pick(lambda line: True, [picked, short])
    delivered: CountLineView = pick(lambda line: True, [picked, short, overlooked])
    with unit_of_work(db, read_only=True) as s:
        stray_item, stray_sku = s.execute(
            select(Item.id, Item.sku)
            .join(StockLevel, StockLevel.item_id == Item.id)
            .join(Location, Location.id == StockLevel.location_id)
            .where(Location.code.like("A-%"), StockLevel.quantity > 0)
            .order_by(Item.sku)
            .limit(1)
        ).one()
        labels = {line.id: _label(s, line.item_id, line.sku) for line in plan}
        stray_label = _label(s, stray_item, stray_sku)

    # 08:10 Before Anna reaches it, two are picked from one of the bins.
    with unit_of_work(db) as s:
        _move(s, root, picked.item_id, "2", picked.bin_id, customer, MoveKind.ISSUE)

    # 08:15 Anna counts: bin label, the first item by its barcode, then how many in all.
    truth = {line.id: D(line.expected or 0) for line in plan}
    truth[picked.id] -= 2
    truth[short.id] -= 3  # three really are missing
    for line in plan:
        if line.id == overlooked.id:
            continue  # the box at the back of the bin: Anna does not see it
        with unit_of_work(db) as s:
            assert counting.add_scan(s, anna, count.id, line.bin_code).status is CountScanStatus.BIN
            first = counting.add_scan(s, anna, count.id, labels[line.id])
            assert first.status is CountScanStatus.ADDED, first.message
            assert first.line_id == line.id and first.counted == first.quantity
            typed = counting.set_counted(s, anna, count.id, line.item_id, truth[line.id])
            assert typed.counted == truth[line.id]
            if line.id == short.id:
                stray = counting.add_scan(s, anna, count.id, stray_label)
                assert stray.unexpected and stray.counted == D(1)
        if line.id == delivered.id:
            # 09:00 A delivery is put away in a bin Anna has just counted.
            with unit_of_work(db) as s:
                _move(s, root, line.item_id, "5", supplier, line.bin_id, MoveKind.RECEIPT)
    assert "expected" not in first.message.lower()  # blind: Anna never saw a system figure

    # She closes the bin with the overlooked box and, asked, confirms it as zero.
    with unit_of_work(db) as s:
        counting.set_bin(s, anna, count.id, overlooked.bin_code)
        closed = counting.close_bin(s, anna, count.id)
        assert [u.line_id for u in closed.unscanned] == [overlooked.id]
        counting.confirm_zero(s, anna, count.id, [overlooked.id])
        review = counting.finish_count(s, anna, count.id)
    assert review.status is CountStatus.REVIEW and not review.shows_expected

    # Anna may approve what is within tolerance, not the rest.
    within = [line.id for line in review.lines if not line.needs_manager]
    with pytest.raises(NotAllowedError, match="beyond tolerance"):
        with unit_of_work(db) as s:
            counting.approve_count(s, anna, count.id)
    with unit_of_work(db) as s:
        by_anna = counting.approve_count(s, anna, count.id, within)
    assert all(a.move_id is None for a in by_anna.adjustments)  # the pick and delivery: no variance

    # 10:00 Lena reviews the rest: the shortage, the stray box, the zeroed box.
    with unit_of_work(db, read_only=True) as s:
        lena_view = counting.get_count(s, lena, count.id)
    waiting = {line.sku: line for line in lena_view.lines if line.needs_manager}
    assert set(waiting) == {short.sku, stray_sku, overlooked.sku}
    assert waiting[short.sku].variance == D(-3)
    assert waiting[stray_sku].unexpected and waiting[stray_sku].variance == D(1)
    assert waiting[overlooked.sku].variance == -D(overlooked.expected or 0)
    assert "at the moment the line was counted" in lena_view.rule_text
    with unit_of_work(db) as s:
        sent = counting.request_recount(s, lena, count.id, [overlooked.id], assign_to=erik)
    assert sent.warning == ""

    # Erik recounts the zeroed line and finds the box.
    with unit_of_work(db) as s:
        counting.add_scan(s, erik, count.id, overlooked.bin_code)
        counting.add_scan(s, erik, count.id, labels[overlooked.id])
        recount = counting.set_counted(
            s, erik, count.id, overlooked.item_id, D(overlooked.expected or 0)
        )
    assert recount.counted == overlooked.expected

    with unit_of_work(db) as s:
        by_lena = counting.approve_count(s, lena, count.id)
        report = counting.variance_report_pdf(s, count.id)
        accuracy = counting.inventory_accuracy(s, months=1)
        after = {
            "short": _level(s, short.item_id, short.bin_id),
            "stray": _level(s, stray_item, short.bin_id),
            "picked": _level(s, picked.item_id, picked.bin_id),
        }
        moves = s.execute(
            select(StockMove.item_id, StockMove.from_location_id, StockMove.to_location_id)
            .where(StockMove.kind == MoveKind.ADJUSTMENT, StockMove.reference == "CC-1001")
            .order_by(StockMove.id)
        ).all()
    assert by_lena.count.status is CountStatus.DONE
    assert {(a.sku, a.variance) for a in by_lena.adjustments if a.move_id} == {
        (short.sku, D(-3)),
        (stray_sku, D(1)),
    }
    assert sorted(moves) == sorted(
        [(short.item_id, short.bin_id, count_diff), (stray_item, count_diff, short.bin_id)]
    )
    assert after == {"short": truth[short.id], "stray": D(1), "picked": truth[picked.id]}
    # Inventory accuracy: of all lines counted, two were beyond tolerance when approved.
    lines = len(plan) + 1
    assert (accuracy.total.lines, accuracy.total.within) == (lines, lines - 2)

    text = " ".join(pdf_text(report)[0].split())
    assert "CC-1001" in text and "Done" in text and "Beyond tolerance 2" in text
    pages = render_pages(report, tmp_path / "variance", 80)
    assert pages and pages[0].stat().st_size > 10_000
