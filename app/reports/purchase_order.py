"""The purchase order as a supplier receives it: our header, their address, the order
number as a Code 128 barcode (vector, so it scans after printing), the lines with
their SKU and ours, packs, quantity, price and amount, the total and the delivery date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from app.i18n import _
from app.reports.common import (
    LineColumn,
    Party,
    address_pair,
    build_document,
    document_header,
    fmt_amount,
    fmt_date,
    fmt_money,
    fmt_price,
    fmt_qty,
    line_tables,
    party_block,
    round_money,
    styles,
    text,
)


@dataclass(frozen=True)
class PurchaseOrderPdfLine:
    """One order line as printed; ``quantity`` = ``packs`` × ``pack_size`` item units."""

    supplier_sku: str
    sku: str
    name: str
    packs: Decimal
    pack_size: Decimal
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    delivery_date: dt.date | None


@dataclass(frozen=True)
class PurchaseOrderPdf:
    """Everything the purchase order PDF shows (built by ``purchase_orders.po_pdf_data``)."""

    number: str
    order_date: dt.date
    delivery_date: dt.date | None
    currency: str
    company: Party
    supplier: Party
    supplier_code: str
    our_reference: str
    lines: tuple[PurchaseOrderPdfLine, ...]
    total: Decimal
    note: str = ""
    # A word stamped under the title when the order is not a live one ("Draft", "Cancelled").
    stamp: str = ""


def _header(data: PurchaseOrderPdf) -> Table:
    fields = [
        (_("Order date"), fmt_date(data.order_date)),
        (_("Delivery date"), fmt_date(data.delivery_date) or _("as soon as possible")),
    ]
    return document_header(
        data.company,
        _("Purchase order"),
        fields,
        company_share=0.52,
        stamp=data.stamp,
        barcode=data.number,
    )


def _addresses(data: PurchaseOrderPdf) -> Table:
    supplier = party_block(
        _("Supplier"),
        data.supplier,
        [_("Supplier number: {code}").format(code=data.supplier_code)],
    )
    deliver_to = party_block(
        _("Deliver to"),
        Party(data.company.name, data.company.address),
        [
            _("Our reference: {name}").format(name=data.our_reference)
            if data.our_reference
            else "",
            _("Currency: {currency}").format(currency=data.currency),
        ],
    )
    return address_pair(supplier, deliver_to)


def _packs(line: PurchaseOrderPdfLine) -> str:
    if line.pack_size == 1:
        return ""
    return f"{fmt_qty(line.packs)} × {fmt_qty(line.pack_size)}"


def _lines(data: PurchaseOrderPdf) -> list[Flowable]:
    columns: list[LineColumn[PurchaseOrderPdfLine]] = [
        LineColumn(_("Supplier SKU"), 21, lambda line: line.supplier_sku),
        LineColumn(_("Our SKU"), 20, lambda line: line.sku),
        LineColumn(_("Description"), 34, lambda line: line.name),
        LineColumn(_("Packs"), 16, _packs, right=True),
        LineColumn(_("Quantity"), 16, lambda line: fmt_qty(line.quantity), right=True),
        LineColumn(_("Unit"), 12, lambda line: line.unit),
        LineColumn(_("Unit price"), 18, lambda line: fmt_price(line.unit_price), right=True),
        LineColumn(_("Amount"), 22, lambda line: fmt_amount(line.amount), right=True),
        LineColumn(
            _("Delivery"), 21, lambda line: fmt_date(line.delivery_date or data.delivery_date)
        ),
    ]
    return list(line_tables(columns, data.lines))


def _totals(data: PurchaseOrderPdf) -> Table:
    s = styles()
    table = Table(
        [
            [
                text(_("Total excl. VAT"), s.head_right),
                text(fmt_money(data.total, data.currency), s.head_right),
            ]
        ],
        colWidths=[None, 40 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEABOVE", (1, 0), (1, 0), 0.8, colors.black),
                ("LINEBELOW", (1, 0), (1, 0), 0.8, colors.black),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def render_purchase_order(data: PurchaseOrderPdf) -> bytes:
    """The purchase order as PDF bytes (A4, "page X of Y")."""
    s = styles()
    story: list[Flowable] = [
        _header(data),
        Spacer(1, 6 * mm),
        _addresses(data),
        Spacer(1, 6 * mm),
        *_lines(data),
        Spacer(1, 2 * mm),
        _totals(data),
        Spacer(1, 6 * mm),
    ]
    if data.note:
        story += [text(_("Note"), s.label), text(data.note, s.body), Spacer(1, 4 * mm)]
    story.append(
        text(
            _(
                "Please confirm this order and quote the order number {number} on the "
                "delivery note and the invoice."
            ).format(number=data.number),
            s.small,
        )
    )
    title = _("Purchase order {number}").format(number=data.number)
    return build_document(story, title=title, company=data.company)


def total_of(lines: tuple[PurchaseOrderPdfLine, ...]) -> Decimal:
    """The order total: the sum of the lines' amounts rounded to cents, as printed."""
    return sum((round_money(line.amount) for line in lines), Decimal(0))
