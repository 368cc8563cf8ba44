"""Moving stock from one bin to another (omflyttning): overflow to the pick face, a re-slot.

A transfer is one ``TRANSFER`` move between two bins, posted through the ledger in the
caller's transaction. FIFO layers and the weighted average belong to the item, not to a
bin, so a transfer changes where the goods are and nothing of what they are worth.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.barcodes.errors import BarcodeError
from app.barcodes.scan import parse_scan
from app.i18n import _, format_number
from app.models import Item, LocationKind, Lot, MoveKind, Role, StockLevel
from app.services import ledger
from app.services.auth import require_role
from app.services.errors import NotFoundError, ValidationError
from app.services.locations import find_location, get_location, location_label
from app.services.users import UserId

#: The field names a refusal names, so a form can show it beside the right input.
TO_BIN_FIELD = "to_bin"
QUANTITY_FIELD = "quantity"
LOT_FIELD = "lot"


@dataclass(frozen=True)
class BinMove:
    """A posted move of stock between two bins."""

    move_id: int
    item_id: int
    sku: str
    name: str
    unit: str
    from_bin_id: int
    from_code: str
    to_bin_id: int
    to_code: str
    quantity: Decimal
    lot_id: int | None
    lot_code: str
    #: What is left of the item (in that lot) in the source bin after the move.
    left_in_source: Decimal
    #: What happened, in words for the status bar.
    message: str


@dataclass(frozen=True)
class _Bin:
    id: int
    code: str


def _bin_code_from_scan(text: str) -> str:
    """The bin code in ``text`` as typed or scanned: a scanner that sends a symbology
    identifier (``]C0A-01-01``) puts it before the label's text."""
    stripped = text.strip()
    try:
        scan = parse_scan(stripped)
    except BarcodeError:
        return stripped
    return scan.code if scan.kind == "text" else stripped


def _source_bin(session: Session, bin_id: int) -> _Bin:
    row = get_location(session, bin_id)
    if row is None or row.kind is not LocationKind.INTERNAL:
        raise NotFoundError(_("Bin {id} does not exist.").format(id=bin_id))
    return _Bin(bin_id, row.code)


def _target_bin(session: Session, to_bin: int | str, source: _Bin) -> _Bin:
    """The bin to move to, by id or by its code as typed or scanned; refused with a
    message for the bin field when it cannot take the goods."""
    if isinstance(to_bin, int):
        row = get_location(session, to_bin)
        if row is None:
            raise NotFoundError(_("Bin {id} does not exist.").format(id=to_bin))
    else:
        code = _bin_code_from_scan(to_bin)
        if not code:
            raise ValidationError(
                _("Scan the label of the bin to move to, or type its code."), field=TO_BIN_FIELD
            )
        row = find_location(session, code)
        if row is None:
            raise ValidationError(
                _("There is no bin {code}. Scan the bin's label or check the code.").format(
                    code=code
                ),
                field=TO_BIN_FIELD,
            )
    if row.kind is not LocationKind.INTERNAL:
        raise ValidationError(
            _(
                "{code} is not a bin but where goods come from or go to ({role}). "
                "Scan the label of a bin on the shelves."
            ).format(code=row.code, role=location_label(row.kind, row.code)),
            field=TO_BIN_FIELD,
        )
    if row.id == source.id:
        raise ValidationError(
            _("The goods are already in {code}. Scan or type the bin to move them to.").format(
                code=source.code
            ),
            field=TO_BIN_FIELD,
        )
    if not row.active:
        raise ValidationError(
            _(
                "Bin {code} is inactive. Choose another bin, or have it reactivated on the "
                "Locations page."
            ).format(code=row.code),
            field=TO_BIN_FIELD,
        )
    return _Bin(row.id, row.code)


def move_between_bins(
    session: Session,
    user_id: UserId,
    item_id: int,
    from_bin_id: int,
    to_bin: int | str,
    quantity: Decimal | int | str,
    lot_id: int | None = None,
) -> BinMove:
    """Move ``quantity`` of an item (in lot ``lot_id``) from one bin to another.

    ``to_bin`` is the target bin's id, or its code as typed or scanned. One TRANSFER move
    is posted in the caller's transaction; any user may do this (it is everyday work).
    Refuses with a message for the field concerned (``to_bin``, ``quantity``, ``lot``)
    and changes nothing when the move cannot be made.
    """
    require_role(session, user_id, Role.STAFF, _("move stock"))
    # Locked before the level is read: a move of the same goods from another workstation
    # waits here, then sees what this one left (the ledger locks the same row).
    item = session.execute(
        select(Item.sku, Item.name, Item.unit, Item.lot_tracked)
        .where(Item.id == item_id)
        .with_for_update()
    ).one_or_none()
    if item is None:
        raise NotFoundError(_("Item {id} does not exist.").format(id=item_id))
    source = _source_bin(session, from_bin_id)
    target = _target_bin(session, to_bin, source)
    qty = ledger.parse_quantity(quantity, field=QUANTITY_FIELD)

    lot_code = ""
    if lot_id is not None:
        lot = session.execute(select(Lot.item_id, Lot.code).where(Lot.id == lot_id)).one_or_none()
        if lot is None or lot.item_id != item_id:
            raise ValidationError(
                _("That lot does not belong to item {sku}.").format(sku=item.sku), field=LOT_FIELD
            )
        lot_code = lot.code
    elif item.lot_tracked:
        raise ValidationError(
            _("{sku} is lot-tracked: say which lot to move.").format(sku=item.sku),
            field=LOT_FIELD,
        )

    available = session.scalar(
        select(StockLevel.quantity).where(
            StockLevel.item_id == item_id,
            StockLevel.location_id == source.id,
            StockLevel.lot_key == (lot_id or 0),
        )
    )
    available = available if available is not None else Decimal(0)
    # Even for an item allowed to go negative: goods that are not in a bin cannot be
    # carried out of it.
    if qty > available:
        if available <= 0:
            message = (
                _("There is no {sku} of lot {lot} in {bin}.")
                if lot_code
                else _("There is no {sku} in {bin}.")
            ).format(sku=item.sku, lot=lot_code, bin=source.code)
        else:
            message = (
                _(
                    "Only {available} {unit} of {sku} (lot {lot}) are in {bin}; "
                    "you cannot move {qty}."
                )
                if lot_code
                else _("Only {available} {unit} of {sku} are in {bin}; you cannot move {qty}.")
            ).format(
                available=format_number(available),
                unit=item.unit,
                sku=item.sku,
                lot=lot_code,
                bin=source.code,
                qty=format_number(qty),
            )
        raise ValidationError(message, field=QUANTITY_FIELD)

    posted = ledger.post_move(
        session,
        item_id=item_id,
        quantity=qty,
        from_location_id=source.id,
        to_location_id=target.id,
        kind=MoveKind.TRANSFER,
        user_id=user_id,
        lot_id=lot_id,
    )
    message = (
        _("Moved {qty} {unit} {sku} (lot {lot}) from {source} to {target}.")
        if lot_code
        else _("Moved {qty} {unit} {sku} from {source} to {target}.")
    ).format(
        qty=format_number(qty),
        unit=item.unit,
        sku=item.sku,
        lot=lot_code,
        source=source.code,
        target=target.code,
    )
    return BinMove(
        move_id=posted.id,
        item_id=item_id,
        sku=item.sku,
        name=item.name,
        unit=item.unit,
        from_bin_id=source.id,
        from_code=source.code,
        to_bin_id=target.id,
        to_code=target.code,
        quantity=qty,
        lot_id=lot_id,
        lot_code=lot_code,
        left_in_source=available - qty,
        message=message,
    )
