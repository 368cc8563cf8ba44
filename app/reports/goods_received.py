"""The goods-received note: what one posted receipt put on which shelf (lot, expiry,
bin, quantity), who received it and when, and for an order what is still outstanding.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table

from app.i18n import _, ngettext
from app.reports.common import (
    Party,
    bold,
    build_document,
    chunked_tables,
    document_header,
    fmt_date,
    fmt_datetime,
    fmt_qty,
    grid_style,
    party_block,
    styles,
    text,
)


@dataclass(frozen=True)
class GoodsReceivedPdfLine:
    """One put-away: an item (and lot) into one bin."""

    sku: str
    name: str
    lot: str
    expiry: dt.date | None
    bin_code: str
    quantity: Decimal
    unit: str


@dataclass(frozen=True)
class OrderProgressPdfLine:
    """An order line after this receipt: ordered, received before, now, still outstanding."""

    sku: str
    name: str
    unit: str
    ordered: Decimal
    received_before: Decimal
    received_now: Decimal
    outstanding: Decimal


@dataclass(frozen=True)
class GoodsReceivedPdf:
    """Everything the goods-received note shows (built by ``receiving.grn_pdf_data``)."""

    number: str
    po_number: str
    company: Party
    supplier: Party
    supplier_code: str
    received_by: str
    posted_at: dt.datetime
    lines: tuple[GoodsReceivedPdfLine, ...]
    order_lines: tuple[OrderProgressPdfLine, ...] = ()


def _header(data: GoodsReceivedPdf) -> Table:
    fields = [(_("Receipt"), data.number)]
    if data.po_number:
        fields.append((_("Purchase order"), data.po_number))
    fields += [
        (_("Received by"), data.received_by),
        (_("Posted"), fmt_datetime(data.posted_at)),
    ]
    return document_header(data.company, _("Goods received note"), fields, company_share=0.5)


def _received(data: GoodsReceivedPdf) -> list[Flowable]:
    s = styles()
    header = [
        text(_("SKU"), s.head),
        text(_("Description"), s.head),
        text(_("Lot"), s.head),
        text(_("Expiry"), s.head),
        text(_("Bin"), s.head),
        text(_("Quantity"), s.head_right),
        text(_("Unit"), s.head),
    ]
    rows = [
        [
            text(line.sku, s.cell),
            text(line.name, s.cell),
            text(line.lot, s.cell),
            text(fmt_date(line.expiry), s.cell),
            text(line.bin_code, s.cell),
            text(fmt_qty(line.quantity), s.cell_right),
            text(line.unit, s.cell),
        ]
        for line in data.lines
    ]
    widths = [w * mm for w in (27, 47, 24, 27, 21, 20, 14)]
    return list(chunked_tables(header, rows, widths, grid_style()))


def _order_progress(data: GoodsReceivedPdf) -> list[Flowable]:
    s = styles()
    header = [
        text(_("SKU"), s.head),
        text(_("Description"), s.head),
        text(_("Ordered"), s.head_right),
        text(_("Received before"), s.head_right),
        text(_("Received now"), s.head_right),
        text(_("Outstanding"), s.head_right),
        text(_("Unit"), s.head),
    ]
    rows = [
        [
            text(line.sku, s.cell),
            text(line.name, s.cell),
            text(fmt_qty(line.ordered), s.cell_right),
            text(fmt_qty(line.received_before), s.cell_right),
            text(fmt_qty(line.received_now), s.cell_right),
            text(fmt_qty(line.outstanding), s.cell_right),
            text(line.unit, s.cell),
        ]
        for line in data.order_lines
    ]
    widths = [w * mm for w in (27, 55, 20, 20, 20, 24, 14)]
    return list(chunked_tables(header, rows, widths, grid_style()))


def render_goods_received(data: GoodsReceivedPdf) -> bytes:
    """The goods-received note as PDF bytes (A4, "page X of Y")."""
    s = styles()
    story: list[Flowable] = [
        _header(data),
        Spacer(1, 6 * mm),
        *party_block(
            _("Supplier"),
            data.supplier,
            [_("Supplier number: {code}").format(code=data.supplier_code)],
        ),
        Spacer(1, 6 * mm),
        bold(_("Received goods"), s.body),
        Spacer(1, 1.5 * mm),
        *_received(data),
    ]
    if data.order_lines:
        outstanding = [line for line in data.order_lines if line.outstanding > 0]
        story += [
            Spacer(1, 6 * mm),
            bold(_("Order {number} after this receipt").format(number=data.po_number), s.body),
            Spacer(1, 1.5 * mm),
            *_order_progress(data),
            Spacer(1, 1.5 * mm),
            text(
                ngettext(
                    "Still outstanding on backorder: {n} line.",
                    "Still outstanding on backorder: {n} lines.",
                    len(outstanding),
                ).format(n=len(outstanding))
                if outstanding
                else _("The order is complete: nothing is outstanding."),
                s.small,
            ),
        ]
    story += [
        Spacer(1, 14 * mm),
        text(_("Signature") + ": ______________________________", s.body),
    ]
    title = _("Goods received note {number}").format(number=data.number)
    return build_document(story, title=title, company=data.company)
