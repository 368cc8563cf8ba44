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
from app.models.orders import (
    Customer,
    CustomerOrder,
    CustomerOrderLine,
    CustomerReturn,
    NeedStatus,
    OrderStatus,
    PickEvent,
    PickEventKind,
    PurchaseNeed,
    ReturnDisposition,
    Shipment,
    ShipmentLine,
    ShortReason,
)
from app.models.proposals import ProposalDismissal, SupplierOrderDay
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
from app.models.write_downs import (
    CostRevaluation,
    RevaluationRule,
    WriteDown,
    WriteDownKind,
    WriteDownReason,
    WriteDownStatus,
)

__all__ = [
    "MONEY_SCALE",
    "QTY_SCALE",
    "AuditEvent",
    "Barcode",
    "Base",
    "CostLayer",
    "CostRevaluation",
    "CountEventKind",
    "CountKind",
    "CountLineStatus",
    "CountStatus",
    "Customer",
    "CustomerOrder",
    "CustomerOrderLine",
    "CustomerReturn",
    "DemandHistory",
    "InexactValueError",
    "Item",
    "Location",
    "LocationKind",
    "Lot",
    "MoveKind",
    "NeedStatus",
    "OrderStatus",
    "PickEvent",
    "PickEventKind",
    "Policy",
    "ProposalDismissal",
    "PurchaseNeed",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseOrderStatus",
    "Receipt",
    "ReceiptEvent",
    "ReceiptEventKind",
    "ReceiptStatus",
    "RevaluationRule",
    "ReturnDisposition",
    "Role",
    "Setting",
    "Shipment",
    "ShipmentLine",
    "ShortReason",
    "StockCount",
    "StockCountEvent",
    "StockCountItem",
    "StockCountLine",
    "StockLevel",
    "StockMove",
    "Supplier",
    "SupplierItem",
    "SupplierOrderDay",
    "User",
    "WriteDown",
    "WriteDownKind",
    "WriteDownReason",
    "WriteDownStatus",
    "utcnow",
]
