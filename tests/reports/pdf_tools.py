"""Reading rendered PDFs back: text and ruled tables (pdfplumber), barcodes (pdftoppm +
zxing-cpp), PNG pages to look at."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pytest
import zxingcpp
from PIL import Image


def pdf_text(pdf: bytes) -> list[str]:
    """The text of each page."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [page.extract_text() or "" for page in document.pages]


def pdf_tables(pdf: bytes) -> list[list[list[str]]]:
    """Every ruled table with text on every page, cells stripped, in order."""
    tables: list[list[list[str]]] = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            for table in page.extract_tables(
                {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
            ):
                rows = [[(cell or "").replace("\n", " ").strip() for cell in row] for row in table]
                # Rules drawn for looks (a box round an address, lines round a total)
                # enclose no text; only real tables are returned.
                if any(cell for row in rows for cell in row):
                    tables.append(rows)
    return tables


def _pdftoppm() -> str:
    path = shutil.which("pdftoppm")
    if path is None:
        pytest.fail("pdftoppm is missing: install poppler-utils", pytrace=False)
    return path


def render_pages(pdf: bytes, folder: Path, dpi: int, *, crisp: bool = False) -> list[Path]:
    """The pages as PNG files at ``dpi`` (``crisp``: no anti-aliasing, as printed dots)."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "document.pdf"
    source.write_bytes(pdf)
    options = ["-aa", "no", "-aaVector", "no", "-gray"] if crisp else []
    subprocess.run(
        [_pdftoppm(), "-png", "-r", str(dpi), *options, str(source), str(folder / "page")],
        check=True,
    )
    return sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1]))


def decode_barcodes(pdf: bytes, folder: Path, dpi: int) -> list[tuple[str, str]]:
    """(format, text) of every symbol zxing-cpp finds on the first page at ``dpi``."""
    first = render_pages(pdf, folder, dpi, crisp=True)[0]
    with Image.open(first) as image:
        return [(str(result.format), result.text) for result in zxingcpp.read_barcodes(image)]
