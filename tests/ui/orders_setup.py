"""A small shop for the order-entry and picking screens, and the keys a worker presses.

Built through the services: an admin (maja, the first user) and a picker (stina, staff),
three bins, one supplier, coffee (30 in A-01-01, a carton code of 12), tea (5 in B-02-01),
milk (lot-tracked, not stocked) and a zero-point screw bought in packs of 12, minimum
24, ten days away; one customer.

Typing goes through the real scanner filter, so it must look like a person's typing
(keys far apart); scans come as a scanner's burst (keys 3 ms apart).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from app.models import LocationKind, MoveKind
from app.services import ledger, locations, settings, users
from app.services.customers import CustomerInput, save_customer
from app.services.items import BarcodeInput, ItemInput, SupplierItemInput, save_item
from app.services.suppliers import SupplierInput, save_supplier
from app.services.users import UserRef
from tests.ui.conftest import TIMEOUT_MS
from tests.ui.test_scanner import Keyboard

COFFEE_EAN = "7310865004703"
COFFEE_CARTON = "17310865004700"
TEA_EAN = "7350000000030"
MILK_EAN = "7350000000016"
SCREW_EAN = "7350000000023"
# Far slower than the scanner filter's 30 ms gap: these keys are typing.
TYPING_GAP_MS = 150


@dataclass(frozen=True)
class OrderShop:
    """Ids of what the tests use."""

    maja: UserRef
    stina: UserRef
    bins: dict[str, int]
    coffee: int
    tea: int
    milk: int
    screw: int
    customer: int


def build_order_shop(session: Session) -> OrderShop:
    """Create users, bins, supplier, items with stock and a customer."""
    maja = users.workstation_user(session, "maja")
    stina = users.workstation_user(session, "stina")
    settings.set_setting(session, "company_name", "Hylla Testlager AB")
    bins = {
        code: locations.save_bin(session, maja.id, code).id
        for code in ("A-01-01", "A-01-02", "B-02-01")
    }
    save_supplier(
        session, maja.id, SupplierInput(code="NORD", name="Nordgrossisten AB", lead_time_days=5)
    )

    def item(
        sku: str, name: str, price: str, barcodes: tuple[BarcodeInput, ...], **kw: object
    ) -> int:
        terms = kw.pop("terms", SupplierItemInput("NORD", price="10"))
        return save_item(
            session,
            maja.id,
            ItemInput(
                sku=sku,
                name=name,
                sales_price=price,
                barcodes=barcodes,
                supplier_items=(terms,),  # type: ignore[arg-type]
                **kw,  # type: ignore[arg-type]
            ),
        ).id

    coffee = item(
        "KAFFE",
        "Kaffe mellanrost",
        "50",
        (BarcodeInput(COFFEE_EAN), BarcodeInput(COFFEE_CARTON, "12", "Kartong")),
        default_location="A-01-01",
    )
    tea = item("TE", "Grönt te", "24", (BarcodeInput(TEA_EAN),), default_location="B-02-01")
    milk = item("MJOLK", "Mjölk 1 l", "15", (BarcodeInput(MILK_EAN),), lot_tracked=True)
    screw = item(
        "SKRUV-ZP",
        "Specialskruv",
        "2.50",
        (BarcodeInput(SCREW_EAN),),
        policy="zero-point",
        terms=SupplierItemInput(
            "NORD", price="1.20", pack_size="12", moq="24", lead_time_days=10, preferred=True
        ),
    )
    supplier_location = locations.virtual_location_id(session, LocationKind.SUPPLIER)
    for item_id, qty, code, cost in ((coffee, "30", "A-01-01", "30"), (tea, "5", "B-02-01", "12")):
        ledger.post_move(
            session,
            item_id=item_id,
            quantity=Decimal(qty),
            from_location_id=supplier_location,
            to_location_id=bins[code],
            kind=MoveKind.RECEIPT,
            user_id=maja.id,
            unit_cost=Decimal(cost),
        )
    customer = save_customer(
        session,
        maja.id,
        CustomerInput(code="KUND1", name="Kund Ett AB", address="Storgatan 1\n123 45 Ort"),
    ).id
    return OrderShop(maja, stina, bins, coffee, tea, milk, screw, customer)


def in_days(days: int) -> dt.date:
    """A day counted from today."""
    return dt.date.today() + dt.timedelta(days=days)


def focused(qtbot: QtBot) -> QWidget:
    """The widget with the keyboard focus."""
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=TIMEOUT_MS)
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


class Typist:
    """A person at the keyboard: every key goes to whichever widget has the focus, far
    enough apart that the scanner filter lets it through as typing."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.keyboard = Keyboard(start_ms=50_000)

    def type(self, text: str) -> None:
        """Type ``text`` into the focused widget."""
        for char in text:
            self.keyboard.type(focused(self.qtbot), char, gap_ms=TYPING_GAP_MS)
            # Between a person's keys the window gets on with its events (a suggestion
            # list opening, say), as it would in life.
            QApplication.processEvents()

    def enter(self) -> None:
        """Press Enter in the focused widget."""
        self.keyboard.key(focused(self.qtbot), Qt.Key.Key_Return, "\r", after_ms=TYPING_GAP_MS)
        QApplication.processEvents()

    def line(self, text: str) -> None:
        """Type ``text`` and press Enter."""
        self.type(text)
        self.enter()


def scanner_keys(widget: QWidget, code: str) -> None:
    """``code`` and Enter 3 ms apart, stamped like a scanner's keys."""
    keyboard = Keyboard(start_ms=900_000)
    keyboard.type(widget, code)
    keyboard.enter(widget)
