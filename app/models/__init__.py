"""SQLAlchemy 2 mapped classes: the schema and its invariants."""

from __future__ import annotations

from app.models.base import MONEY_SCALE, QTY_SCALE, Base, InexactValueError, utcnow
from app.models.counting import (
    CountEventKind,
    CountKind,
    CountLineStatus,
    CountStatus,
    StockCount,
    StockCountEvent,
    StockCountItem,
    StockCountLine,
)
from app.models.enums import LocationKind, MoveKind, Policy, Role
from app.models.item import Barcode, Item
from app.models.location import Location, Lot
from app.models.purchasing import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Receipt,
    ReceiptEvent,
    ReceiptEventKind,
    ReceiptStatus,
)
from app.models.stock import CostLayer, DemandHistory, StockLevel, StockMove
from app.models.supplier import Supplier, SupplierItem
from app.models.user import AuditEvent, Setting, User

__all__ = [
    "MONEY_SCALE",
    "QTY_SCALE",
    "AuditEvent",
    "Barcode",
    "Base",
    "CostLayer",
    "CountEventKind",
    "CountKind",
    "CountLineStatus",
    "CountStatus",
    "DemandHistory",
    "InexactValueError",
    "Item",
    "Location",
    "LocationKind",
    "Lot",
    "MoveKind",
    "Policy",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseOrderStatus",
    "Receipt",
    "ReceiptEvent",
    "ReceiptEventKind",
    "ReceiptStatus",
    "Role",
    "Setting",
    "StockCount",
    "StockCountEvent",
    "StockCountItem",
    "StockCountLine",
    "StockLevel",
    "StockMove",
    "Supplier",
    "SupplierItem",
    "User",
    "utcnow",
]
