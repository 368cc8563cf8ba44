"""The delivery note that goes with a shipment: our header, the customer's address, the
shipment number as a Code 128 barcode (vector), what is in the parcel (item, lot,
quantity), and for each line of the order what was ordered, shipped before, shipped now
and what is still to come, with the date it is expected. No prices: it travels with
the goods.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table

from app.i18n import _
from app.reports.common import (
    LineColumn,
    Party,
    address_pair,
    build_document,
    document_header,
    fmt_date,
    fmt_datetime,
    fmt_lot,
    fmt_qty,
    line_tables,
    party_block,
    styles,
    text,
)


@dataclass(frozen=True)
class DeliveryNotePdfLine:
    """So much of one item (and lot) in the shipment."""

    sku: str
    name: str
    lot: str
    expiry: dt.date | None
    quantity: Decimal
    unit: str


@dataclass(frozen=True)
class DeliveryNoteOrderLine:
    """One order line's progress: ordered, shipped before, now, and still to come."""

    sku: str
    name: str
    unit: str
    ordered: Decimal
    shipped_before: Decimal
    shipped_now: Decimal
    backordered: Decimal
    expected_date: dt.date | None


@dataclass(frozen=True)
class DeliveryNotePdf:
    """Everything the delivery note shows (built by ``shipping.delivery_note_data``)."""

    number: str
    order_number: str
    shipped_at: dt.datetime
    company: Party
    customer: Party
    customer_code: str
    customer_reference: str
    shipped_by: str
    lines: tuple[DeliveryNotePdfLine, ...]
    order_lines: tuple[DeliveryNoteOrderLine, ...]
    note: str = ""


def _header(data: DeliveryNotePdf) -> Table:
    fields = [
        (_("Order"), data.order_number),
        (_("Shipped"), fmt_datetime(data.shipped_at)),
        (_("Packed by"), data.shipped_by),
    ]
    return document_header(
        data.company, _("Delivery note"), fields, company_share=0.52, barcode=data.number
    )


def _addresses(data: DeliveryNotePdf) -> Table:
    extra = [_("Customer number: {code}").format(code=data.customer_code)]
    if data.customer_reference:
        extra.append(_("Your reference: {ref}").format(ref=data.customer_reference))
    deliver_to = party_block(_("Deliver to"), data.customer, extra)
    sender = party_block(_("Sender"), Party(data.company.name, data.company.address))
    return address_pair(deliver_to, sender)


def _contents(data: DeliveryNotePdf) -> list[Flowable]:
    # Column edges line up with the progress table below (a tidier page; and text
    # extraction, which follows ruled lines across the page, reads both tables right).
    columns: list[LineColumn[DeliveryNotePdfLine]] = [
        LineColumn(_("SKU"), 27, lambda line: line.sku),
        LineColumn(_("Description"), 67, lambda line: line.name),
        LineColumn(_("Lot"), 42, lambda line: fmt_lot(line.lot, line.expiry)),
        LineColumn(_("Quantity"), 18, lambda line: fmt_qty(line.quantity), right=True),
        LineColumn(_("Unit"), 26, lambda line: line.unit),
    ]
    return list(line_tables(columns, data.lines))


def _progress(data: DeliveryNotePdf) -> list[Flowable]:
    if not data.order_lines:
        return []
    s = styles()
    columns: list[LineColumn[DeliveryNoteOrderLine]] = [
        LineColumn(_("SKU"), 27, lambda line: line.sku),
        LineColumn(_("Description"), 49, lambda line: line.name),
        LineColumn(_("Ordered"), 18, lambda line: fmt_qty(line.ordered), right=True),
        LineColumn(
            _("Delivered before"), 22, lambda line: fmt_qty(line.shipped_before), right=True
        ),
        LineColumn(_("This delivery"), 20, lambda line: fmt_qty(line.shipped_now), right=True),
        LineColumn(
            _("To come"),
            18,
            lambda line: fmt_qty(line.backordered) if line.backordered else "",
            right=True,
        ),
        LineColumn(
            _("Expected"),
            26,
            lambda line: fmt_date(line.expected_date) if line.backordered else "",
        ),
    ]
    return [
        Spacer(1, 6 * mm),
        text(_("Your order {number}").format(number=data.order_number), s.label),
        Spacer(1, 1 * mm),
        *line_tables(columns, data.order_lines),
    ]


def render_delivery_note(data: DeliveryNotePdf) -> bytes:
    """The delivery note as PDF bytes (A4, "page X of Y")."""
    s = styles()
    story: list[Flowable] = [
        _header(data),
        Spacer(1, 6 * mm),
        _addresses(data),
        Spacer(1, 6 * mm),
        *_contents(data),
        *_progress(data),
    ]
    if data.note:
        story += [Spacer(1, 6 * mm), text(_("Note"), s.label), text(data.note, s.body)]
    story += [
        Spacer(1, 8 * mm),
        text(
            _(
                "Please check the goods on arrival and tell us within 8 days, quoting "
                "{number}, if anything is missing or damaged."
            ).format(number=data.number),
            s.small,
        ),
    ]
    title = _("Delivery note {number}").format(number=data.number)
    return build_document(story, title=title, company=data.company)
