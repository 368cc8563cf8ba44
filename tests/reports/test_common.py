"""The line tables of documents (``LineColumn``/``line_tables``): headings and text align
with their column, a cell of its own is kept as it is, text is escaped, long lists are
split into tables that each repeat the heading."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from app.reports import common
from app.reports.common import LineColumn, bold, build_pdf, line_tables, styles
from tests.reports.pdf_tools import pdf_tables


@dataclass(frozen=True)
class _Line:
    sku: str
    quantity: int


COLUMNS: list[LineColumn[_Line]] = [
    LineColumn("SKU", 30, lambda line: line.sku),
    LineColumn("Quantity", 20, lambda line: str(line.quantity), right=True),
    LineColumn("Checked", 22, lambda line: bold("yes")),
]


def test_headings_and_cells_follow_their_columns() -> None:
    (table,) = line_tables(COLUMNS, [_Line("<b>A&B</b>", 3)])
    heading, row = table._cellvalues
    assert [p.style.name for p in heading] == ["head", "head_right", "head"]
    assert [p.style.name for p in row[:2]] == ["cell", "cell_right"]
    assert row[1].style.alignment == TA_RIGHT
    # A flowable of its own is not wrapped again.
    assert isinstance(row[2], Paragraph) and row[2].style is styles().body
    assert table._colWidths == [30 * mm, 20 * mm, 22 * mm]
    assert table.repeatRows == 1
    tables = pdf_tables(build_pdf([table], title="t", author="a", footer="f"))
    assert tables == [[["SKU", "Quantity", "Checked"], ["<b>A&B</b>", "3", "yes"]]]


def test_no_lines_still_print_the_heading() -> None:
    (table,) = line_tables(COLUMNS, [])
    assert len(table._cellvalues) == 1


def test_a_long_list_is_split_into_tables_that_repeat_the_heading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(common, "ROWS_PER_TABLE", 2)
    tables = line_tables(COLUMNS, [_Line(f"S{n}", n) for n in range(5)])
    assert [len(t._cellvalues) for t in tables] == [3, 3, 2]
    assert [t._cellvalues[1][0].getPlainText() for t in tables] == ["S0", "S2", "S4"]
    assert all(t._cellvalues[0][0].getPlainText() == "SKU" for t in tables)
