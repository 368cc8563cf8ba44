"""Document numbers (PO-1001, SO-1001, DN-1001, GR-1001…): the next one to give out,
and the sequence number a scanned or typed number names.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import InstrumentedAttribute, Session

FIRST_NUMBER = 1001
# Scanners may put an AIM symbology identifier (]C0 for Code 128) before the data.
_SYMBOLOGY_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")


def _lock_numbering(session: Session, key: int) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sql_text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def next_number(
    session: Session, seq_column: InstrumentedAttribute[int], prefix: str, lock: int
) -> tuple[int, str]:
    """The next sequence number and its document number (PO-1001, GR-1001…)."""
    _lock_numbering(session, lock)
    last = session.scalar(select(func.max(seq_column)))
    seq = max(FIRST_NUMBER, (last or 0) + 1)
    return seq, f"{prefix}{seq}"


def number_seq(text: str, pattern: re.Pattern[str]) -> int | None:
    """The sequence number in ``text`` as typed or scanned (a symbology identifier such
    as ``]C0`` dropped), by ``pattern``, whose first group is the digits; None when the
    text is no such number."""
    match = pattern.match(_SYMBOLOGY_PREFIX.sub("", text.strip()).strip())
    return int(match[1]) if match is not None else None
