"""A scanned lot past its expiry, anywhere: the resolver still finds the item (it may be a
return, or stock to write down) but says the lot expired, from the label's (17) or from
the lot's record, and the banner's level turns from green to a warning. Receiving such a
lot is not refused, but its outcome carries the warning too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from app.models import Lot
from app.services import receiving
from app.services.database import Database, unit_of_work
from app.services.receiving import ScanStatus
from app.services.scanning import resolve_scan, scan_report
from app.ui.scan_feedback import Tone, scan_tone
from tests.services.purchasing_setup import (
    MILK_EAN,
    Shop,
    build_shop,
    gs1,
    gs1_count,
    sent_order,
)

EXPIRED = dt.date(2025, 7, 8)  # "08/07/2025" in the tests' language (English, en_GB)
TODAY = dt.date(2025, 9, 1)
GOOD = dt.date(2027, 12, 31)


@pytest.fixture
def shop(db: Database) -> Shop:
    def build(session: Session) -> Shop:
        made = build_shop(session)
        session.add(Lot(item_id=made.milk, code="L250526", expiry=EXPIRED))
        session.add(Lot(item_id=made.milk, code="L251027", expiry=GOOD))
        return made

    return db.run(build)


def test_an_expired_lot_on_the_label_is_found_with_a_warning(db: Database, shop: Shop) -> None:
    result = db.read(resolve_scan, gs1("0" + MILK_EAN, lot="NEW-9", expiry=EXPIRED), TODAY)
    assert (result.outcome, result.item_id, result.lot) == ("item", shop.milk, "NEW-9")
    assert result.ok and result.problem is None
    assert result.expired_on == EXPIRED
    assert result.message == "Mjölk 1 l · lot NEW-9 · EXPIRED 08/07/2025"
    assert result.warning == "Lot NEW-9 expired on 08/07/2025. Do not pick or ship it."
    assert scan_tone(result) is Tone.WARNING
    assert scan_report(result)["warning"] == result.warning


def test_a_lot_without_a_date_on_its_label_is_judged_by_its_record(
    db: Database, shop: Shop
) -> None:
    # A count label (02)(37)(10) carries no (17): lot L250526's stored expiry tells.
    result = db.read(resolve_scan, gs1_count("0" + MILK_EAN, 6, lot="L250526"), TODAY)
    assert result.expiry is None and result.expired_on == EXPIRED
    assert result.message == "Mjölk 1 l ×6 · lot L250526 · EXPIRED 08/07/2025"
    assert scan_tone(result) is Tone.WARNING
    fresh = db.read(resolve_scan, gs1("0" + MILK_EAN, lot="L251027"), TODAY)
    assert fresh.warning is None and fresh.expired_on is None
    assert scan_tone(fresh) is Tone.SUCCESS


def test_a_lot_is_good_up_to_and_including_its_expiry_day(db: Database, shop: Shop) -> None:
    label = gs1("0" + MILK_EAN, lot="L250526", expiry=EXPIRED)
    on_the_day = db.read(resolve_scan, label, EXPIRED)
    day_after = db.read(resolve_scan, label, EXPIRED + dt.timedelta(days=1))
    assert on_the_day.warning is None
    assert on_the_day.message == "Mjölk 1 l · lot L250526 · expires 2025-07-08"
    assert day_after.warning is not None and scan_tone(day_after) is Tone.WARNING
    # Without a day given, it is today: July 2025 is long past.
    assert db.read(resolve_scan, label).expired_on == EXPIRED


def test_a_problem_stays_red_even_for_an_expired_lot(db: Database, shop: Shop) -> None:
    unknown = db.read(resolve_scan, gs1("07350000000993", lot="X", expiry=EXPIRED), TODAY)
    assert unknown.outcome == "unknown" and scan_tone(unknown) is Tone.PROBLEM


def test_receiving_an_expired_lot_is_saved_with_a_warning(db: Database, shop: Shop) -> None:
    with unit_of_work(db) as s:
        po = sent_order(s, shop)
        receipt = receiving.start_receipt(s, shop.user, po_id=po.id)
        outcome = receiving.add_scan(
            s, receipt.id, gs1("0" + MILK_EAN, lot="RET-1", expiry=EXPIRED), shop.user
        )
        good = receiving.add_scan(
            s, receipt.id, gs1("0" + MILK_EAN, lot="L251027", expiry=GOOD), shop.user
        )
    assert outcome.status is ScanStatus.ADDED and outcome.saved
    assert outcome.quantity == Decimal(1) and outcome.expiry == EXPIRED
    assert outcome.message == "+1 pcs Mjölk 1 l → A-01-02 · lot RET-1 · EXPIRED 08/07/2025"
    assert outcome.warning == ("These goods expired on 08/07/2025. Keep them apart for a manager.")
    assert good.status is ScanStatus.ADDED and good.warning is None
    assert "expires 2027-12-31" in good.message
