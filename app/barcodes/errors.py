"""The one error of the barcode layer: a scan that cannot be read as what it claims to be."""

from __future__ import annotations


class BarcodeError(ValueError):
    """A scanned text that is malformed; ``message`` says what is wrong in a worker's words.

    A ``ValueError`` so generic callers can treat it as bad input; services turn it into an
    "invalid" scan result rather than letting it escape to the window.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
