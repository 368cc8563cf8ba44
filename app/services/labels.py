"""Labels: gather item, bin and lot label data from the database and make the PDF.

The frontends name what to print (items by id or SKU, bins by id or code, lots of
items or by lot number), a layout and a number of copies; this module checks every
name, reads what goes on each label and hands plain data to
:mod:`app.barcodes.labels`, which draws it. Nothing is written to the database.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.barcodes import labels as render
from app.barcodes.gtin import gtin_problem, is_gtin_shaped
from app.barcodes.labels import BinLabel, ItemLabel, Label, LabelError, LotLabel
from app.i18n import _, locale_name
from app.models import Item, Location, LocationKind, Lot, StockLevel
from app.services.errors import NotFoundError, ValidationError
from app.services.settings import get_setting

DEFAULT_LAYOUT = render.DEFAULT_LAYOUT
MAX_COPIES = render.MAX_COPIES
_LETTER_DIGIT = re.compile(r"([^\W\d_])(\d)")


class LabelKind(enum.StrEnum):
    """What the labels are for."""

    ITEMS = "items"
    BINS = "bins"
    LOTS = "lots"


@dataclass(frozen=True)
class LayoutInfo:
    """A label layout as a frontend offers it."""

    name: str
    title: str
    per_page: int


@dataclass(frozen=True)
class LabelRequest:
    """Which labels to print, how and how many.

    Items are named by ``item_ids`` and/or ``skus``; bins by ``bin_ids`` and/or
    ``bin_codes``; lots by the items they belong to (every lot in stock), by
    ``lot_codes``, or both (those lots of those items).
    """

    kind: LabelKind
    item_ids: tuple[int, ...] = ()
    skus: tuple[str, ...] = ()
    bin_ids: tuple[int, ...] = ()
    bin_codes: tuple[str, ...] = ()
    lot_codes: tuple[str, ...] = ()
    layout: str = DEFAULT_LAYOUT
    copies: int = 1
    with_price: bool = False


@dataclass(frozen=True)
class LabelsPdf:
    """A finished PDF and what it holds."""

    pdf: bytes
    labels: int
    pages: int
    layout: str


def list_layouts() -> list[LayoutInfo]:
    """The layouts labels can be printed on, in the order they are offered."""
    return [
        LayoutInfo(layout.name, _(layout.title), layout.per_page)
        for layout in render.LAYOUTS.values()
    ]


def page_count(label_count: int, layout: str) -> int:
    """Pages (or roll labels) that ``label_count`` labels need on ``layout``."""
    return render.page_count(label_count, _layout(layout))


def _layout(name: str) -> render.Layout:
    try:
        return render.get_layout(name)
    except LabelError as exc:
        raise ValidationError(str(exc), field="layout") from exc


def _unique(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    result: list[str] = []
    for value in values:
        text = value.strip()
        if text and text.lower() not in seen:
            seen.add(text.lower())
            result.append(text)
    return result


def _items(session: Session, item_ids: Sequence[int], skus: Sequence[str]) -> list[Item]:
    """The items named, in the order named, each once; unknown names are refused."""
    found: dict[int, Item] = {}
    order: list[int] = []
    if item_ids:
        by_id = {
            item.id: item
            for item in session.scalars(
                select(Item).where(Item.id.in_(item_ids)).options(selectinload(Item.barcodes))
            )
        }
        missing = [str(item_id) for item_id in item_ids if item_id not in by_id]
        if missing:
            raise NotFoundError(
                _("Item {ids} does not exist (it may have been deleted); refresh the list.").format(
                    ids=", ".join(missing)
                )
            )
        found.update(by_id)
        order.extend(item_ids)
    wanted = _unique(skus)
    if wanted:
        by_sku = {
            item.sku.lower(): item
            for item in session.scalars(
                select(Item)
                .where(func.lower(Item.sku).in_([sku.lower() for sku in wanted]))
                .options(selectinload(Item.barcodes))
            )
        }
        unknown = [sku for sku in wanted if sku.lower() not in by_sku]
        if unknown:
            raise NotFoundError(
                _("There is no item with SKU {skus}.").format(skus=", ".join(unknown))
            )
        for sku in wanted:
            item = by_sku[sku.lower()]
            found[item.id] = item
            order.append(item.id)
    seen: set[int] = set()
    result: list[Item] = []
    for item_id in order:
        if item_id not in seen:
            seen.add(item_id)
            result.append(found[item_id])
    return result


def _unit_barcodes(item: Item) -> list[str]:
    # Carton codes (pack quantity above 1) would count a whole pack when scanned, so a
    # label for one unit never carries them.
    return [barcode.code for barcode in item.barcodes if barcode.pack_qty == 1]


def item_ean13(item: Item) -> str | None:
    """The item's EAN-13 for its label: its first valid 13-digit unit barcode, if any."""
    for code in _unit_barcodes(item):
        if len(code) == 13 and is_gtin_shaped(code) and gtin_problem(code) is None:
            return code
    return None


def item_gtin14(item: Item) -> str | None:
    """The item's GTIN as the 14 digits of GS1 AI (01): its first valid unit GTIN."""
    for code in _unit_barcodes(item):
        if is_gtin_shaped(code) and gtin_problem(code) is None:
            return code.zfill(14)
    return None


def format_price(price: Decimal, currency: str) -> str:
    """A price as the label prints it, in the current language's locale (``129,00 kr``)."""
    text = str(format_currency(price, currency, locale=locale_name()))
    # CLDR's currency spacing, which babel does not apply: "SEK 129.00", not "SEK129.00".
    return _LETTER_DIGIT.sub("\\1\xa0\\2", text)


def item_labels(
    session: Session,
    item_ids: Sequence[int] = (),
    skus: Sequence[str] = (),
    with_price: bool = False,
) -> list[ItemLabel]:
    """Label data of the items named: EAN-13 when the item has one, else its SKU."""
    if not item_ids and not skus:
        raise ValidationError(_("Choose at least one item to print labels for."), field="items")
    currency = get_setting(session, "currency") or "SEK"
    labels: list[ItemLabel] = []
    for item in _items(session, item_ids, skus):
        price = None
        if with_price and item.sales_price is not None:
            price = format_price(item.sales_price, currency)
        labels.append(ItemLabel(item.name, item.sku, item_ean13(item), price))
    return labels


def bin_labels(
    session: Session, bin_ids: Sequence[int] = (), codes: Sequence[str] = ()
) -> list[BinLabel]:
    """Label data of the bins named, in the order named."""
    if not bin_ids and not codes:
        raise ValidationError(_("Choose at least one bin to print labels for."), field="bins")
    found: list[Location] = []
    if bin_ids:
        by_id = {
            location.id: location
            for location in session.scalars(
                select(Location).where(
                    Location.id.in_(bin_ids), Location.kind == LocationKind.INTERNAL
                )
            )
        }
        missing = [str(bin_id) for bin_id in bin_ids if bin_id not in by_id]
        if missing:
            raise NotFoundError(
                _("Bin {ids} does not exist (it may have been removed); refresh the list.").format(
                    ids=", ".join(missing)
                )
            )
        found.extend(by_id[bin_id] for bin_id in bin_ids)
    wanted = _unique(codes)
    if wanted:
        by_code = {
            location.code.upper(): location
            for location in session.scalars(
                select(Location).where(
                    func.upper(Location.code).in_([code.upper() for code in wanted]),
                    Location.kind == LocationKind.INTERNAL,
                )
            )
        }
        unknown = [code for code in wanted if code.upper() not in by_code]
        if unknown:
            raise NotFoundError(_("There is no bin {codes}.").format(codes=", ".join(unknown)))
        found.extend(by_code[code.upper()] for code in wanted)
    seen: set[int] = set()
    labels: list[BinLabel] = []
    for location in found:
        if location.id not in seen:
            seen.add(location.id)
            labels.append(BinLabel(location.code, location.name))
    return labels


def lot_labels(
    session: Session,
    item_ids: Sequence[int] = (),
    skus: Sequence[str] = (),
    lot_codes: Sequence[str] = (),
) -> list[LotLabel]:
    """GS1-128 lot label data: every lot in stock of the items named, or the lots named.

    Each item needs a GTIN (its EAN-13 or other unit GTIN) for AI (01).
    """
    wanted_lots = [code.strip() for code in lot_codes if code.strip()]
    if not item_ids and not skus and not wanted_lots:
        raise ValidationError(
            _("Name the items (SKU) or the lot numbers to print lot labels for."), field="lots"
        )
    items = _items(session, item_ids, skus) if item_ids or skus else []
    rows: list[tuple[Item, Lot]] = []
    if wanted_lots:
        query = (
            select(Item, Lot).join(Item, Item.id == Lot.item_id).where(Lot.code.in_(wanted_lots))
        )
        if items:
            query = query.where(Item.id.in_([item.id for item in items]))
        matches = session.execute(query.order_by(Item.sku, Lot.code)).tuples().all()
        for code in dict.fromkeys(wanted_lots):
            hits = [(item, lot) for item, lot in matches if lot.code == code]
            if not hits:
                if items:
                    raise NotFoundError(
                        _("There is no lot {lot} of {skus}.").format(
                            lot=code, skus=", ".join(item.sku for item in items)
                        )
                    )
                raise NotFoundError(_("There is no lot {lot}.").format(lot=code))
            if len(hits) > 1 and not items:
                raise ValidationError(
                    _("Lot {lot} exists for several items ({skus}); name the item too.").format(
                        lot=code, skus=", ".join(item.sku for item, _lot in hits)
                    ),
                    field="lots",
                )
            rows.extend(hits)
    else:
        for item in items:
            if not item.lot_tracked:
                raise ValidationError(
                    _("Item {sku} is not lot-tracked; print item labels for it instead.").format(
                        sku=item.sku
                    ),
                    field="lots",
                )
            lots = session.scalars(
                select(Lot)
                .join(StockLevel, StockLevel.lot_id == Lot.id)
                .where(Lot.item_id == item.id)
                .group_by(Lot.id)
                .having(func.sum(StockLevel.quantity) > 0)
                .order_by(Lot.expiry, Lot.code)
            ).all()
            if not lots:
                raise NotFoundError(
                    _("Item {sku} has no lots in stock to print labels for.").format(sku=item.sku)
                )
            rows.extend((item, lot) for lot in lots)
    labels: list[LotLabel] = []
    for item, lot in rows:
        gtin14 = item_gtin14(item)
        if gtin14 is None:
            raise ValidationError(
                _(
                    "Item {sku} has no EAN-13 or other GTIN, which a GS1 lot label needs. "
                    "Add its barcode in the item editor."
                ).format(sku=item.sku),
                field="lots",
            )
        expiry_text = format_date(lot.expiry, "medium", locale=locale_name()) if lot.expiry else ""
        labels.append(LotLabel(item.name, item.sku, gtin14, lot.code, lot.expiry, expiry_text))
    return labels


def collect_labels(session: Session, request: LabelRequest) -> list[Label]:
    """The label data a request names (one of each; copies are made when printing)."""
    if request.kind is LabelKind.ITEMS:
        return list(item_labels(session, request.item_ids, request.skus, request.with_price))
    if request.kind is LabelKind.BINS:
        return list(bin_labels(session, request.bin_ids, request.bin_codes))
    return list(lot_labels(session, request.item_ids, request.skus, request.lot_codes))


def count_labels(session: Session, request: LabelRequest) -> int:
    """How many labels a request prints, copies included (for a preview)."""
    return len(collect_labels(session, request)) * max(1, request.copies)


def _check_copies(copies: int) -> None:
    if not 1 <= copies <= MAX_COPIES:
        raise ValidationError(
            _("Copies must be a whole number from 1 to {most}.").format(most=MAX_COPIES),
            field="copies",
        )


def make_labels_pdf(session: Session, request: LabelRequest) -> LabelsPdf:
    """The PDF of the labels a request names; bad names or data are refused first."""
    layout = _layout(request.layout)
    _check_copies(request.copies)
    labels = collect_labels(session, request)
    try:
        pdf = render.render_labels(labels, layout, request.copies)
    except LabelError as exc:
        raise ValidationError(str(exc)) from exc
    total = len(labels) * request.copies
    return LabelsPdf(pdf, total, render.page_count(total, layout), layout.name)
