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
    LineColumn,
    Party,
    bold,
    build_document,
    document_header,
    fmt_date,
    fmt_datetime,
    fmt_qty,
    line_tables,
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
    columns: list[LineColumn[GoodsReceivedPdfLine]] = [
        LineColumn(_("SKU"), 27, lambda line: line.sku),
        LineColumn(_("Description"), 47, lambda line: line.name),
        LineColumn(_("Lot"), 24, lambda line: line.lot),
        LineColumn(_("Expiry"), 27, lambda line: fmt_date(line.expiry)),
        LineColumn(_("Bin"), 21, lambda line: line.bin_code),
        LineColumn(_("Quantity"), 20, lambda line: fmt_qty(line.quantity), right=True),
        LineColumn(_("Unit"), 14, lambda line: line.unit),
    ]
    return list(line_tables(columns, data.lines))


def _order_progress(data: GoodsReceivedPdf) -> list[Flowable]:
    columns: list[LineColumn[OrderProgressPdfLine]] = [
        LineColumn(_("SKU"), 27, lambda line: line.sku),
        LineColumn(_("Description"), 55, lambda line: line.name),
        LineColumn(_("Ordered"), 20, lambda line: fmt_qty(line.ordered), right=True),
        LineColumn(
            _("Received before"), 20, lambda line: fmt_qty(line.received_before), right=True
        ),
        LineColumn(_("Received now"), 20, lambda line: fmt_qty(line.received_now), right=True),
        LineColumn(_("Outstanding"), 24, lambda line: fmt_qty(line.outstanding), right=True),
        LineColumn(_("Unit"), 14, lambda line: line.unit),
    ]
    return list(line_tables(columns, data.order_lines))


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
