"""AIM symbology identifiers (``]C1``, ``]E0``, ``]d2``…) that scanners may put before the data.

A scanner set to "transmit AIM ID" starts every scan with ``]`` + a letter for the symbol
type + a modifier character. The identifier is how a reader knows that ``]C1`` data is a
GS1 element string while ``]C0`` data is plain Code 128 text; Hylla strips it and says
which symbol was read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "]" + symbology letter + modifier (ISO/IEC 15424).
_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")


@dataclass(frozen=True)
class Symbology:
    """What a symbology identifier says: the symbol's name and whether it carries GS1 data."""

    identifier: str
    name: str
    gs1: bool


# Names are symbology names (not translated), as printed on scanners and in GS1 documents.
KNOWN: dict[str, Symbology] = {
    s.identifier: s
    for s in (
        Symbology("]A0", "Code 39", False),
        Symbology("]C0", "Code 128", False),
        Symbology("]C1", "GS1-128", True),
        Symbology("]C2", "Code 128", False),
        Symbology("]E0", "EAN-13", False),
        Symbology("]E1", "EAN add-on", False),
        Symbology("]E2", "EAN add-on", False),
        Symbology("]E3", "EAN-13 + add-on", False),
        Symbology("]E4", "EAN-8", False),
        Symbology("]I0", "ITF", False),
        Symbology("]I1", "ITF-14", False),
        Symbology("]d1", "DataMatrix", False),
        Symbology("]d2", "GS1 DataMatrix", True),
        Symbology("]Q0", "QR", False),
        Symbology("]Q1", "QR", False),
        Symbology("]Q3", "GS1 QR", True),
        Symbology("]e0", "GS1 DataBar", True),
        Symbology("]J1", "GS1 DotCode", True),
        Symbology("]z0", "Aztec", False),
        Symbology("]z1", "GS1 Aztec", True),
    )
}


def split_symbology(text: str) -> tuple[Symbology | None, str]:
    """The symbology identifier at the start of ``text`` (if any) and the data after it.

    An identifier Hylla does not know is still stripped (it is never part of the data)
    and reported by its three characters.
    """
    match = _PREFIX.match(text)
    if match is None:
        return None, text
    identifier = match.group(0)
    symbology = KNOWN.get(identifier, Symbology(identifier, identifier, False))
    return symbology, text[match.end() :]
