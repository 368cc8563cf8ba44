"""The pick list a picker carries: the order number as a Code 128 barcode (vector, so the
pick screen can scan it off the paper), the customer, then one row per bin and lot to
take goods from, in bin-path order so one walk through the aisles picks the order, with
an empty "picked" column to tick or write in. What is on backorder is listed after, so
nobody looks for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from app.i18n import _
from app.reports.common import (
    LineColumn,
    Party,
    bold,
    build_document,
    document_header,
    fmt_date,
    fmt_datetime,
    fmt_lot,
    fmt_qty,
    grid_style,
    line_tables,
    party_block,
    styles,
    text,
)


@dataclass(frozen=True)
class PickListPdfLine:
    """Take ``quantity`` of one item (and lot) from one bin; ``bin_code`` "" = no bin has it.

    ``note`` is printed in bold under the description (e.g. only expired stock is left).
    """

    bin_code: str
    sku: str
    name: str
    lot: str
    expiry: dt.date | None
    quantity: Decimal
    unit: str
    note: str = ""


@dataclass(frozen=True)
class WaitingPdfLine:
    """An item on backorder: not picked now."""

    sku: str
    name: str
    quantity: Decimal
    unit: str
    expected_date: dt.date | None


@dataclass(frozen=True)
class PickListPdf:
    """Everything the pick list shows (built by ``picking.pick_list_data``)."""

    number: str
    order_date: dt.date
    requested_date: dt.date | None
    customer: Party
    customer_code: str
    customer_reference: str
    company: Party
    printed_at: dt.datetime
    lines: tuple[PickListPdfLine, ...]
    waiting: tuple[WaitingPdfLine, ...] = ()
    note: str = ""


def _header(data: PickListPdf) -> Table:
    fields = [
        (_("Order date"), fmt_date(data.order_date)),
        (_("Requested"), fmt_date(data.requested_date) or _("as soon as possible")),
        (_("Printed"), fmt_datetime(data.printed_at)),
    ]
    return document_header(
        data.company, _("Pick list"), fields, company_share=0.52, barcode=data.number
    )


def _customer(data: PickListPdf) -> list[Flowable]:
    extra = [_("Customer number: {code}").format(code=data.customer_code)]
    if data.customer_reference:
        extra.append(_("Their reference: {ref}").format(ref=data.customer_reference))
    return party_block(_("Customer"), data.customer, extra)


def _description(line: PickListPdfLine) -> Paragraph:
    s = styles()
    if not line.note:
        return text(line.name, s.cell)
    return Paragraph(escape(line.name) + "<br/><b>" + escape(line.note) + "</b>", s.cell)


def _bin(line: PickListPdfLine) -> Paragraph:
    s = styles()
    return bold(line.bin_code, s.cell) if line.bin_code else text(_("(no bin)"), s.cell)


def _lines(data: PickListPdf) -> list[Flowable]:
    s = styles()
    columns: list[LineColumn[PickListPdfLine]] = [
        LineColumn(_("Bin"), 22, _bin),
        LineColumn(_("SKU"), 27, lambda line: line.sku),
        LineColumn(_("Description"), 56, _description),
        LineColumn(_("Lot"), 28, lambda line: fmt_lot(line.lot, line.expiry)),
        LineColumn(
            _("To pick"), 19, lambda line: bold(fmt_qty(line.quantity), s.cell_right), right=True
        ),
        LineColumn(_("Unit"), 12, lambda line: line.unit),
        # Left empty: the picker writes the figure picked by hand.
        LineColumn(_("Picked"), 16, lambda line: "", right=True),
    ]
    # Taller rows leave room to write a figure in the "picked" column.
    style = grid_style(extra=[("TOPPADDING", (0, 1), (-1, -1), 4.5)])
    return list(line_tables(columns, data.lines, style))


def _waiting(data: PickListPdf) -> list[Flowable]:
    if not data.waiting:
        return []
    s = styles()
    columns: list[LineColumn[WaitingPdfLine]] = [
        LineColumn(_("SKU"), 27, lambda line: line.sku),
        LineColumn(_("Description"), 83, lambda line: line.name),
        LineColumn(_("On backorder"), 24, lambda line: fmt_qty(line.quantity), right=True),
        LineColumn(_("Unit"), 16, lambda line: line.unit),
        LineColumn(_("Expected"), 30, lambda line: fmt_date(line.expected_date)),
    ]
    return [
        Spacer(1, 6 * mm),
        text(_("Not to pick now (on backorder)"), s.label),
        Spacer(1, 1 * mm),
        *line_tables(columns, data.waiting),
    ]


def render_pick_list(data: PickListPdf) -> bytes:
    """The pick list as PDF bytes (A4, "page X of Y")."""
    s = styles()
    story: list[Flowable] = [
        _header(data),
        Spacer(1, 6 * mm),
        *_customer(data),
        Spacer(1, 6 * mm),
    ]
    if data.lines:
        story += _lines(data)
    else:
        story.append(text(_("Nothing is left to pick on this order."), s.body))
    story += _waiting(data)
    if data.note:
        story += [Spacer(1, 6 * mm), text(_("Note"), s.label), text(data.note, s.body)]
    title = _("Pick list {number}").format(number=data.number)
    return build_document(story, title=title, company=data.company)
