"""Lots (batches) of lot-tracked items, with their expiry dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import Lot
from app.services.errors import ValidationError


@dataclass(frozen=True)
class LotRef:
    """A lot of one item."""

    id: int
    item_id: int
    code: str
    expiry: dt.date | None


def get_or_create_lot(
    session: Session, item_id: int, code: str, expiry: dt.date | None = None
) -> LotRef:
    """The item's lot ``code``, created if new; a conflicting expiry is refused."""
    code = code.strip()
    if not code:
        raise ValidationError(_("Give the lot number."), field="lot")
    if len(code) > 64:
        raise ValidationError(_("A lot number can be at most 64 characters."), field="lot")
    lot = session.scalar(select(Lot).where(Lot.item_id == item_id, Lot.code == code))
    if lot is None:
        lot = Lot(item_id=item_id, code=code, expiry=expiry)
        session.add(lot)
        session.flush()
    elif expiry is not None and lot.expiry is not None and lot.expiry != expiry:
        raise ValidationError(
            _("Lot {code} already has expiry {known}, not {given}.").format(
                code=code, known=lot.expiry.isoformat(), given=expiry.isoformat()
            ),
            field="expiry",
        )
    elif expiry is not None and lot.expiry is None:
        lot.expiry = expiry
        session.flush()
    return LotRef(lot.id, lot.item_id, lot.code, lot.expiry)
