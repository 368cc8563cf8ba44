"""The interchange tables that imports read and exports write (CSV, and .xlsx for reading).

One place knows the canonical columns of each kind (DESIGN.md "Interchange formats"),
how a file is decoded (UTF-8 with or without BOM, else Windows-1252), which delimiter
it uses (``,``, ``;`` or tab, sniffed from the header line), and how text cells are
protected from spreadsheets that would run them as formulas.

Formula neutralisation is reversible so that an export imports back exactly: a text
cell that starts with ``= + - @``, tab or CR gets a leading ``'``; so does one that
already starts with ``'`` followed by one of those or by another ``'``. Import removes
exactly one such ``'`` again. Numeric columns are never prefixed (``-5`` stays a number).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import logging
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.i18n import N_, _, ngettext
from app.services.errors import HyllaError, ImportFileError, ValidationError

log = logging.getLogger(__name__)

FORMULA_TRIGGERS = frozenset("=+-@\t\r")
QUOTE = "'"
DELIMITERS = (",", ";", "\t")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
XLSX_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class TableFormat:
    """The canonical columns of one kind of file.

    ``required`` columns must be in the header; ``text`` columns hold text (they are
    neutralised on export and un-neutralised on import), the others numbers, dates
    or yes/no.
    """

    kind: str
    columns: tuple[str, ...]
    required: frozenset[str]
    text: frozenset[str]


def _format(kind: str, columns: str, required: str, text: str) -> TableFormat:
    return TableFormat(
        kind, tuple(columns.split(",")), frozenset(required.split(",")), frozenset(text.split(","))
    )


FORMATS: dict[str, TableFormat] = {
    f.kind: f
    for f in (
        _format(
            "items",
            "sku,name,unit,category,barcode,sales_price,policy,min_qty,max_qty,"
            "service_level,lot_tracked,shelf_life_days",
            "sku,name",
            "sku,name,unit,category,barcode,policy",
        ),
        _format("locations", "code,name", "code", "code,name"),
        _format(
            "suppliers",
            "code,name,email,lead_time_days,min_order_value,currency",
            "code,name",
            "code,name,email,currency",
        ),
        _format(
            "supplier-items",
            "supplier,sku,supplier_sku,price,pack_size,moq,lead_time_days,preferred",
            "supplier,sku",
            "supplier,sku,supplier_sku",
        ),
        _format(
            "stock", "sku,location,lot,expiry,qty,unit_cost", "sku,location,qty", "sku,location,lot"
        ),
        _format("history", "date,sku,qty", "date,sku,qty", "sku"),
        _format(
            "moves",
            "moved_at,sku,lot,qty,from,to,unit_cost,kind,reference,user",
            "moved_at,sku,qty,from,to",
            "sku,lot,from,to,kind,reference,user",
        ),
    )
}
IMPORT_KINDS: tuple[str, ...] = (
    "items",
    "locations",
    "suppliers",
    "supplier-items",
    "stock",
    "history",
)
EXPORT_KINDS: tuple[str, ...] = (*IMPORT_KINDS, "moves")
KIND_LABELS: dict[str, str] = {
    "items": N_("items"),
    "locations": N_("locations"),
    "suppliers": N_("suppliers"),
    "supplier-items": N_("supplier items"),
    "stock": N_("stock"),
    "history": N_("demand history"),
    "moves": N_("moves"),
}


def table_format(kind: str, kinds: Sequence[str] = EXPORT_KINDS) -> TableFormat:
    """The format of ``kind``, or a ValidationError that lists the kinds there are."""
    if kind not in kinds:
        raise ValidationError(
            _("“{kind}” is not a kind of file Hylla knows. Use one of: {kinds}.").format(
                kind=kind, kinds=", ".join(kinds)
            ),
            field="kind",
        )
    return FORMATS[kind]


def kind_label(kind: str) -> str:
    """The translated name of a kind of file, for messages."""
    return _(KIND_LABELS.get(kind, kind))


# --- Formula neutralisation -------------------------------------------------------------------


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet shows it and never runs it (reversed by :func:`restore`)."""
    if not text:
        return text
    if text[0] in FORMULA_TRIGGERS or (
        text[0] == QUOTE and len(text) > 1 and (text[1] in FORMULA_TRIGGERS or text[1] == QUOTE)
    ):
        return QUOTE + text
    return text


def restore(text: str) -> str:
    """Undo :func:`neutralise` on a text cell read from a file."""
    if len(text) > 1 and text[0] == QUOTE and (text[1] in FORMULA_TRIGGERS or text[1] == QUOTE):
        return text[1:]
    return text


# --- Writing cells ----------------------------------------------------------------------------


def format_decimal(value: Decimal | None) -> str:
    """A number as plain digits with a decimal point and no trailing zeros ("" for None)."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def format_int(value: int | None) -> str:
    """A whole number, "" for None."""
    return "" if value is None else str(value)


def format_bool(value: bool) -> str:
    """``yes`` or ``no`` (the file format is the same in every language)."""
    return "yes" if value else "no"


def format_date(value: dt.date | None) -> str:
    """An ISO date ``YYYY-MM-DD``, "" for None."""
    return "" if value is None else value.isoformat()


# --- Reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One data row: its spreadsheet row number (the header is row 1) and its cells.

    ``values`` holds every column of the header, trimmed; a column the file lacks is
    simply not there (see :meth:`Table.has`).
    """

    number: int
    values: Mapping[str, str]

    def get(self, column: str) -> str:
        """The cell of ``column``, "" if empty or absent."""
        return self.values.get(column, "")


@dataclass(frozen=True)
class Table:
    """A file read and checked against its format."""

    path: Path
    format: TableFormat
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    problems: tuple[tuple[int, str], ...] = field(default=())

    def has(self, column: str) -> bool:
        """True if the file has the column (empty cells or not)."""
        return column in self.columns


def row_problem(row: int, message: str, column: str | None = None) -> tuple[int, str]:
    """A problem of one row, worded "Row N…" so the person can find it in the spreadsheet."""
    if column:
        return row, _("Row {row}, {column}: {message}").format(
            row=row, column=column, message=message
        )
    return row, _("Row {row}: {message}").format(row=row, message=message)


def rejection(path: Path, problems: Sequence[str]) -> ImportFileError:
    """The error that says nothing was imported and lists every problem."""
    n = len(problems)
    return ImportFileError(
        ngettext(
            "Nothing was imported from {file}: {n} problem was found.",
            "Nothing was imported from {file}: {n} problems were found.",
            n,
        ).format(file=path.name, n=n),
        list(problems),
    )


def check_readable(path: Path) -> None:
    """Refuse a path that is not a readable file, before anything else is done."""
    if path.is_dir():
        raise ImportFileError(_("{path} is a folder, not a file.").format(path=path))
    if not path.exists():
        raise ImportFileError(_("There is no file {path}.").format(path=path))
    if not os.access(path, os.R_OK):
        raise ImportFileError(
            _("Hylla may not read {path}. Check the file's permissions.").format(path=path)
        )


def decode(data: bytes, path: Path) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:4096]:
        raise ImportFileError(
            _("{file} is not plain text (perhaps UTF-16). Save it as CSV (UTF-8) or .xlsx.").format(
                file=path.name
            )
        )
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                _(
                    "{file} says it is UTF-8 but byte {offset} is not. Save it again as CSV "
                    "(UTF-8)."
                ).format(file=path.name, offset=exc.start + len(codecs.BOM_UTF8))
            ) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _(
                "{file} is neither UTF-8 nor Windows-1252 text (byte {offset}). Save it as CSV "
                "(UTF-8)."
            ).format(file=path.name, offset=exc.start)
        ) from exc


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of ``,`` ``;`` and tab."""
    header = text.split("\n", 1)[0]
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _csv_records(text: str, path: Path) -> list[list[str]]:
    # strict: a stray or unclosed quote is reported, not silently swallowed into a cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text), strict=True)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
    except csv.Error as exc:
        raise ImportFileError(
            _("{file} cannot be read at row {row}: {reason}. Check the quotes in that row.").format(
                file=path.name, row=len(records) + 1, reason=exc
            )
        ) from exc
    return records


def cell_text(value: Any) -> str:
    """A spreadsheet cell's value as the text a CSV file would hold.

    Floats are read through ``repr`` into a Decimal (never arithmetic on the float),
    so 0.1 stays 0.1; whole numbers lose their ``.0``.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        number = Decimal(repr(value))
        if not number.is_finite():
            return repr(value)
        if number == number.to_integral_value():
            number = number.to_integral_value()
        return format(number, "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _xlsx_records(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # openpyxl warns about spreadsheet features it skips (styles, validation);
            # they do not matter for reading values.
            warnings.simplefilter("ignore")
            workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - zipfile, XML and openpyxl errors alike
        # Python's name for what failed (BadZipFile, KeyError…) means nothing to the
        # person at the workstation: it goes to the log, the message says what to do.
        log.warning("%s is not a readable workbook: %r", path, exc)
        raise ImportFileError(
            _(
                "{file} is not a readable Excel workbook: it may be damaged or saved in "
                "another format with an .xlsx name. Open it in your spreadsheet program "
                "and save it again as .xlsx or CSV."
            ).format(file=path.name)
        ) from exc
    try:
        if not workbook.worksheets:
            return []
        sheet = workbook.worksheets[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [
                [cell_text(value) for value in values]
                for values in sheet.iter_rows(min_row=1, values_only=True)
            ]
    finally:
        workbook.close()


def _records(path: Path) -> list[list[str]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(
            _("{file} cannot be read: {reason}.").format(file=path.name, reason=exc.strerror)
        ) from exc
    if data.startswith(OLE_MAGIC):
        raise ImportFileError(
            _("{file} is an old Excel (.xls) file. Save it as .xlsx or CSV (UTF-8).").format(
                file=path.name
            )
        )
    if data.startswith(ZIP_MAGIC) or path.suffix.lower() in XLSX_SUFFIXES:
        return _xlsx_records(path)
    return _csv_records(decode(data, path), path)


def _check_header(header: list[str], fmt: TableFormat) -> list[str]:
    problems: list[str] = []
    known = ", ".join(fmt.columns)
    unknown = [name for name in header if name and name not in fmt.columns]
    if unknown:
        problems.append(
            ngettext(
                "Unknown column: {names}. The columns of {kind} are: {known}.",
                "Unknown columns: {names}. The columns of {kind} are: {known}.",
                len(unknown),
            ).format(names=", ".join(unknown), kind=fmt.kind, known=known)
        )
    missing = [name for name in fmt.columns if name in fmt.required and name not in header]
    if missing:
        problems.append(
            ngettext(
                "Missing column: {names}. The required columns of {kind} are: {required}.",
                "Missing columns: {names}. The required columns of {kind} are: {required}.",
                len(missing),
            ).format(
                names=", ".join(missing),
                kind=fmt.kind,
                required=", ".join(c for c in fmt.columns if c in fmt.required),
            )
        )
    twice = sorted({name for name in header if name and header.count(name) > 1})
    if twice:
        problems.append(_("Columns named more than once: {names}.").format(names=", ".join(twice)))
    if "" in header:
        problems.append(
            _("Column {n} of the header row has no name.").format(n=header.index("") + 1)
        )
    return problems


def read_table(path: Path, fmt: TableFormat) -> Table:
    """Read and check a CSV or .xlsx file of ``fmt``'s kind.

    File-level problems (missing, unreadable, bad header) raise ImportFileError at
    once; problems of single rows are returned in ``Table.problems`` so the caller can
    report them with its own.
    """
    check_readable(path)
    records = _records(path)
    if not records or not any(cell.strip() for cell in records[0]):
        raise ImportFileError(
            _("{file} is empty. Its first row must name the columns, e.g. {columns}.").format(
                file=path.name, columns=",".join(fmt.columns)
            )
        )
    header = [cell.replace("\ufeff", "").strip().lower() for cell in records[0]]
    while header and not header[-1]:
        header.pop()
    header_problems = _check_header(header, fmt)
    if header_problems:
        raise ImportFileError(
            _(
                "{file} cannot be imported: its header row has problems. Nothing was changed."
            ).format(file=path.name),
            header_problems,
        )
    width = len(header)
    rows: list[Row] = []
    problems: list[tuple[int, str]] = []
    for number, record in enumerate(records[1:], start=2):
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue
        if any(cells[width:]):
            problems.append(
                row_problem(
                    number,
                    _(
                        "it has {cells} cells but the header has {columns} columns. Check the "
                        "delimiter and the quotes."
                    ).format(cells=len(cells), columns=width),
                )
            )
            continue
        cells += [""] * (width - len(cells))
        values = {
            name: restore(cell) if name in fmt.text else cell
            for name, cell in zip(header, cells, strict=False)
        }
        rows.append(Row(number, values))
    return Table(path, fmt, tuple(header), tuple(rows), tuple(problems))


# --- Writing ----------------------------------------------------------------------------------


def write_table(path: Path, fmt: TableFormat, rows: Iterable[Sequence[str]]) -> int:
    """Write the canonical header and ``rows`` (already formatted cells) as CSV.

    UTF-8 without BOM, ``,`` delimiter, text columns neutralised. The file is written
    beside its target and renamed into place, so a failed export leaves no half file.
    Returns the number of data rows.
    """
    if path.suffix.lower() in (*XLSX_SUFFIXES, ".xls"):
        raise ValidationError(
            _("Exports are CSV files. Name the file {name}.").format(name=path.stem + ".csv"),
            field="path",
        )
    if path.is_dir():
        raise HyllaError(
            _("{path} is a folder. Name the file to write, e.g. {kind}.csv.").format(
                path=path, kind=fmt.kind
            )
        )
    text_columns = [name in fmt.text for name in fmt.columns]
    partial = path.with_name("." + path.name + ".partial")
    count = 0
    try:
        with partial.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, delimiter=",", lineterminator="\r\n")
            writer.writerow(fmt.columns)
            for row in rows:
                writer.writerow(
                    [
                        neutralise(cell) if is_text else cell
                        for cell, is_text in zip(row, text_columns, strict=True)
                    ]
                )
                count += 1
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise HyllaError(
            _("Cannot write {path}: {reason}.").format(path=path, reason=exc.strerror or exc)
        ) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count
