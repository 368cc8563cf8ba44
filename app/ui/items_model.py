"""The item list's table model: SKU, name, category, on hand, unit, policy, active.

Filtering matches SKU, name and barcodes (every word typed, any case, anywhere).
"""

from __future__ import annotations

from typing import Any

from app.i18n import _
from app.services.items import ItemRow
from app.ui.formatting import fmt_qty
from app.ui.labels import policy_label, yes_no
from app.ui.table_model import MUTED, Column, RowTableModel


def item_search_text(row: ItemRow) -> str:
    """What the filter looks in: SKU, name and every barcode."""
    return "\n".join((row.sku, row.name, *row.barcodes))


def item_columns() -> list[Column[ItemRow]]:
    """The item list's columns, titles in the current language."""
    return [
        Column(_("SKU"), lambda r: r.sku),
        Column(_("Name"), lambda r: r.name),
        Column(_("Category"), lambda r: r.category),
        Column(
            _("On hand"), lambda r: fmt_qty(r.on_hand), sort_key=lambda r: r.on_hand, numeric=True
        ),
        Column(_("Unit"), lambda r: r.unit),
        Column(_("Policy"), lambda r: policy_label(r.policy)),
        Column(_("Active"), lambda r: yes_no(r.active)),
    ]


class ItemTableModel(RowTableModel[ItemRow]):
    """Items as :func:`app.services.items.list_items` returns them; inactive ones greyed."""

    SKU, NAME, CATEGORY, ON_HAND, UNIT, POLICY, ACTIVE = range(7)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(
            item_columns(),
            item_search_text,
            foreground=lambda r: None if r.active else MUTED,
            parent=parent,
        )

    def view_row_of(self, item_id: int) -> int:
        """Where the item with ``item_id`` is shown, or -1 if filtered out or unknown."""
        return self.find_row(lambda r: r.id == item_id)
