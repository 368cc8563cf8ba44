"""What the item editor shows, read in one transaction: the item, its stock, its moves,
and the choices its fields offer (units, categories, bins, suppliers)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.services.items import UNITS, ItemDetail, get_item, list_categories
from app.services.locations import list_bins
from app.services.stock import MoveRow, StockRow, item_moves, item_stock
from app.services.suppliers import list_suppliers


@dataclass(frozen=True)
class SupplierChoice:
    """A supplier the editor can link an item to."""

    code: str
    name: str


@dataclass(frozen=True)
class ItemFormChoices:
    """The values the editor's combo boxes offer."""

    units: tuple[str, ...]
    categories: tuple[str, ...]
    bins: tuple[str, ...]
    suppliers: tuple[SupplierChoice, ...]


@dataclass(frozen=True)
class ItemOverview:
    """An existing item as the editor shows it: fields, stock per bin and lot, history."""

    detail: ItemDetail
    stock: tuple[StockRow, ...]
    moves: tuple[MoveRow, ...]
    choices: ItemFormChoices


def item_form_choices(session: Session) -> ItemFormChoices:
    """Units, categories in use, active bins and active suppliers, each in order."""
    return ItemFormChoices(
        units=UNITS,
        categories=tuple(list_categories(session)),
        bins=tuple(row.code for row in list_bins(session)),
        suppliers=tuple(
            SupplierChoice(s.code, s.name) for s in list_suppliers(session, include_inactive=False)
        ),
    )


def item_overview(session: Session, item_id: int, move_limit: int = 1000) -> ItemOverview:
    """Everything the editor shows for one item; NotFoundError if it does not exist."""
    detail = get_item(session, item_id)
    choices = item_form_choices(session)
    # A supplier made inactive still shows on items that use it, so it is not dropped
    # from the form (and from the item) just by opening and saving it.
    known = {choice.code for choice in choices.suppliers}
    extra = tuple(
        SupplierChoice(si.supplier_code, si.supplier_name)
        for si in detail.supplier_items
        if si.supplier_code not in known
    )
    if extra:
        choices = ItemFormChoices(
            units=choices.units,
            categories=choices.categories,
            bins=choices.bins,
            suppliers=tuple(sorted(choices.suppliers + extra, key=lambda s: s.code)),
        )
    return ItemOverview(
        detail=detail,
        stock=tuple(item_stock(session, item_id)),
        moves=tuple(item_moves(session, item_id, limit=move_limit)),
        choices=choices,
    )
