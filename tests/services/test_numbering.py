"""Document numbers as a scanner or a keyboard gives them back."""

from __future__ import annotations

import re

import pytest

from app.services.numbering import number_seq

SO = re.compile(r"^(?:SO-?)?(\d{1,9})$", re.IGNORECASE)


@pytest.mark.parametrize(
    ("text", "seq"),
    [
        ("SO-1001", 1001),
        (" so1002 ", 1002),
        ("1003", 1003),
        ("]C0SO-1004", 1004),  # Code 128's symbology identifier before the data
        ("]C0 1005", 1005),
    ],
)
def test_a_number_names_its_sequence_number(text: str, seq: int) -> None:
    assert number_seq(text, SO) == seq


@pytest.mark.parametrize("text", ["", "PO-1001", "SO-", "SO-10a", "SO-1234567890", "]C0"])
def test_anything_else_names_none(text: str) -> None:
    assert number_seq(text, SO) is None
