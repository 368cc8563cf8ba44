"""Hylla's command line: the window, or the same services headless for scripts.

``python main.py`` opens the window; with a command it runs without one and exits
non-zero with a one-line reason on failure (an import that fails prints its summary
and then one line per bad row). Qt is imported only to open the window, so headless
commands run where no display or Qt libraries exist.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar

from app.i18n import LANGUAGES, N_, _, ngettext, set_language
from app.services.csvio import EXPORT_KINDS, IMPORT_KINDS, check_readable, kind_label
from app.services.database import Database, open_database
from app.services.errors import HyllaError, ImportFileError, ValidationError
from app.services.users import workstation_user

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

PROG = "hylla"
R = TypeVar("R")

# argparse's own words ("usage:", "options", its error messages) come from its gettext
# domain, which has no Swedish catalog; they are listed here so they are extracted into
# ours, and argparse is pointed at our catalog below.
ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("the following arguments are required: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("unrecognized arguments: %s"),
    N_("expected one argument"),
    N_("argument %(argument_name)s: %(message)s"),
)
argparse._ = _  # type: ignore[attr-defined]
EXIT_FAILURE = 1
EXIT_USAGE = 2
# Written out rather than imported: the label module pulls in reportlab when used.
LABEL_KINDS = ("items", "bins", "lots")
LABEL_LAYOUTS = ("a4-3x8", "a4-3x7", "roll-62x29", "roll-57x32")
# The reports (app.services.reports.ReportKind), written out for the same reason.
REPORT_NAMES = ("turnover", "write-downs", "valuation", "dead-stock", "abc")
REPORT_PERIOD_NAMES = ("turnover", "write-downs", "abc")


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line, like every other failure."""

    def error(self, message: str) -> NoReturn:
        self.exit(
            EXIT_USAGE,
            _("{prog}: {message} (see --help)").format(prog=PROG, message=message) + "\n",
        )


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command (help texts in the user's language)."""
    database_help = _(
        "the database: a SQLite file or a postgresql:// URL "
        "(default: HYLLA_DATABASE_URL, else your own database file)"
    )
    parser = _Parser(
        prog=PROG,
        description=_("Hylla stock control. Without a command, the window opens."),
    )
    parser.add_argument("--database", metavar="PATH|URL", default=None, help=database_help)
    # The window normally asks who signs in; scripts (screenshots, benchmarks) sign in
    # with these instead. Commands need neither: they run as the operating-system
    # account's Hylla user (app/services/auth.py says why).
    parser.add_argument(
        "--user",
        metavar="NAME",
        default=None,
        help=_(
            "the window: sign in as NAME without the dialog, with --password-stdin "
            "(a new database gets NAME as its administrator)"
        ),
    )
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help=_("the window: read the password of --user from the first line of standard input"),
    )
    # The commands take --database too; SUPPRESS keeps a value given before the command.
    common = _Parser(add_help=False)
    common.add_argument(
        "--database", metavar="PATH|URL", default=argparse.SUPPRESS, help=database_help
    )
    commands = parser.add_subparsers(dest="command", metavar=_("COMMAND"), parser_class=_Parser)

    demo = commands.add_parser(
        "demo", parents=[common], help=_("fill an empty database with a realistic demo warehouse")
    )
    demo.set_defaults(handler=_demo)

    import_ = commands.add_parser(
        "import", parents=[common], help=_("import a CSV or .xlsx file (all rows or none)")
    )
    import_.add_argument(
        "kind",
        metavar="KIND",
        choices=IMPORT_KINDS,
        help=_("what the file holds: {kinds}").format(kinds=" | ".join(IMPORT_KINDS)),
    )
    import_.add_argument("file", metavar="FILE", type=Path, help=_("the file to import"))
    import_.add_argument(
        "--dry-run",
        action="store_true",
        help=_("check the file and say what would change, without saving"),
    )
    import_.set_defaults(handler=_import)

    export = commands.add_parser("export", parents=[common], help=_("export to a CSV file"))
    export.add_argument(
        "kind",
        metavar="KIND",
        choices=EXPORT_KINDS,
        help=_("what to export: {kinds}").format(kinds=" | ".join(EXPORT_KINDS)),
    )
    export.add_argument("file", metavar="FILE", type=Path, help=_("the CSV file to write"))
    export.set_defaults(handler=_export)

    proposals = commands.add_parser(
        "proposals",
        parents=[common],
        help=_("run the purchase proposals: print them, or write them to a CSV file"),
    )
    proposals.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        default=None,
        help=_("the CSV file to write (supplier,sku,qty,order_date,due_date,policy,reason)"),
    )
    proposals.set_defaults(handler=_proposals)

    backup = commands.add_parser(
        "backup", parents=[common], help=_("copy the database to a backup file")
    )
    backup.add_argument(
        "file",
        metavar="FILE",
        type=Path,
        help=_("the backup file to write (a new file, unless --force)"),
    )
    backup.add_argument(
        "--force",
        action="store_true",
        help=_("replace FILE if it exists (never the database itself)"),
    )
    backup.set_defaults(handler=_backup)

    restore = commands.add_parser(
        "restore",
        parents=[common],
        help=_("replace the database with a backup (the current data is backed up first)"),
    )
    restore.add_argument("file", metavar="FILE", type=Path, help=_("the backup file to restore"))
    restore.set_defaults(handler=_restore)

    labels = commands.add_parser(
        "labels", parents=[common], help=_("print item, bin or lot labels to a PDF file")
    )
    labels.add_argument(
        "kind",
        metavar="KIND",
        choices=LABEL_KINDS,
        help=_("what the labels are for: {kinds}").format(kinds=" | ".join(LABEL_KINDS)),
    )
    labels.add_argument(
        "--sku",
        action="append",
        default=[],
        metavar="SKU",
        help=_("an item (items, lots: every lot of it in stock); repeat for more"),
    )
    labels.add_argument(
        "--bin", action="append", default=[], metavar="CODE", help=_("a bin; repeat for more")
    )
    labels.add_argument(
        "--lot", action="append", default=[], metavar="CODE", help=_("a lot number (lots)")
    )
    labels.add_argument(
        "--copies", type=_copies, default=1, metavar="N", help=_("copies of each label (1)")
    )
    labels.add_argument(
        "--layout",
        default=LABEL_LAYOUTS[0],
        metavar="NAME",
        help=_("the label stock: {layouts}").format(layouts=" | ".join(LABEL_LAYOUTS)),
    )
    labels.add_argument("--price", action="store_true", help=_("print the price (items)"))
    _add_pdf_output(labels)
    labels.set_defaults(handler=_labels)

    barcode = commands.add_parser(
        "barcode",
        parents=[common],
        help=_("show as JSON what Hylla reads in a scanned text and what it resolves to"),
    )
    barcode.add_argument(
        "text",
        metavar="TEXT",
        help=_("the scanned text, e.g. 7310865004703 or (01)07310865004703(10)AB12"),
    )
    barcode.set_defaults(handler=_barcode)

    po = commands.add_parser("po", parents=[common], help=_("purchase orders"))
    po_commands = po.add_subparsers(
        dest="po_command", metavar=_("COMMAND"), parser_class=_Parser, required=True
    )
    _add_document_command(
        po_commands,
        common,
        "pdf",
        _("write a purchase order as a PDF file"),
        _("the order number, e.g. PO-1001"),
        _po_pdf,
    )

    count = commands.add_parser("count", parents=[common], help=_("stock counts"))
    count_commands = count.add_subparsers(
        dest="count_command", metavar=_("COMMAND"), parser_class=_Parser, required=True
    )
    for name, help_text, handler in (
        ("sheet", _("write a count sheet (to count on paper) as a PDF file"), _count_sheet),
        ("variance", _("write the variance report of a count as a PDF file"), _count_variance),
    ):
        _add_document_command(
            count_commands, common, name, help_text, _("the count number, e.g. CC-1001"), handler
        )

    report = commands.add_parser(
        "report",
        parents=[common],
        help=_("write a report (turnover, write-downs, valuation, dead stock, ABC) as PDF or CSV"),
    )
    report.add_argument(
        "name",
        metavar="NAME",
        choices=REPORT_NAMES,
        help=_("the report: {names}").format(names=" | ".join(REPORT_NAMES)),
    )
    report.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        metavar="FILE",
        help=_("the file to write: a PDF, or a CSV file with --csv"),
    )
    report.add_argument(
        "--from",
        dest="start",
        type=_report_date,
        metavar="DATE",
        help=_("first day of the period, YYYY-MM-DD (turnover, write-downs, abc)"),
    )
    report.add_argument(
        "--to",
        dest="end",
        type=_report_date,
        metavar="DATE",
        help=_("last day of the period (default: today; the period: a year)"),
    )
    report.add_argument(
        "--as-of",
        dest="as_of",
        type=_report_date,
        metavar="DATE",
        help=_("the day the report is as of, at its end (valuation, dead-stock; default: today)"),
    )
    report.add_argument(
        "--csv", action="store_true", help=_("write the report's rows as a CSV file instead")
    )
    report.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None,
        help=_("the report's language: sv | en (default: yours)"),
    )
    report.set_defaults(handler=_report)
    order = commands.add_parser("order", parents=[common], help=_("customer orders"))
    order_commands = order.add_subparsers(
        dest="order_command", metavar=_("COMMAND"), parser_class=_Parser, required=True
    )
    for name, help_text, number_help, handler in (
        (
            "pick-list",
            _("write an order's pick list as a PDF file"),
            _("the order number, e.g. SO-1001"),
            _order_pick_list,
        ),
        (
            "delivery-note",
            _("write the delivery note of a shipment as a PDF file"),
            _("a shipment number (DN-1001), or an order number for its latest shipment"),
            _order_delivery_note,
        ),
    ):
        _add_document_command(order_commands, common, name, help_text, number_help, handler)
    return parser


def _add_pdf_output(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "-o", "--output", required=True, type=Path, metavar="FILE", help=_("the PDF file to write")
    )


def _add_document_command(
    commands: argparse._SubParsersAction[_Parser],
    common: _Parser,
    name: str,
    help_text: str,
    number_help: str,
    handler: Callable[[argparse.Namespace], int],
) -> None:
    """A command that writes one document, named by its NUMBER, as a PDF file."""
    command = commands.add_parser(name, parents=[common], help=help_text)
    command.add_argument("number", metavar="NUMBER", help=number_help)
    _add_pdf_output(command)
    command.set_defaults(handler=handler)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code (2 for a usage error)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already reported in one line
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    try:
        if handler is None:
            return _window(args.database, args.user, args.password_stdin)
        return handler(args)
    except ImportFileError as exc:
        _fail(exc.summary)
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_FAILURE
    except HyllaError as exc:
        _fail(exc.message)
        return EXIT_FAILURE
    except OSError as exc:
        reason = exc.strerror or str(exc)
        _fail(f"{exc.filename}: {reason}" if exc.filename else reason)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        _fail(_("Interrupted; the current step was not saved."))
        return 130


def _fail(message: str) -> None:
    # One line: a message made of several (e.g. field errors) is joined.
    text = " ".join(part.strip() for part in message.splitlines() if part.strip())
    print(f"{PROG}: {text}", file=sys.stderr)


def _open(args: argparse.Namespace) -> Database:
    return open_database(args.database)


def _read(args: argparse.Namespace, fn: Callable[..., R], /, *fn_args: object) -> R:
    """``fn(session, *fn_args)`` in one reading transaction on the database of ``args``."""
    db = _open(args)
    try:
        return db.read(fn, *fn_args)
    finally:
        db.dispose()


def _check_folder(output: Path) -> None:
    # Checked before the database is opened, so a mistyped folder creates nothing.
    folder = output.expanduser().resolve().parent
    if not folder.is_dir():
        raise ValidationError(_("The folder {folder} does not exist.").format(folder=folder))


def _window(database: str | None, user: str | None = None, password_stdin: bool = False) -> int:
    if (user is None) != (not password_stdin):
        raise ValidationError(_("--user and --password-stdin go together: give both or neither."))
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise ValidationError(_("No password arrived on standard input (one line)."))
    try:
        from app.ui.app import run_gui
    except ImportError as exc:
        raise HyllaError(
            _(
                "The window cannot start: {reason}. Headless commands still work (see --help)."
            ).format(reason=exc)
        ) from exc
    if user is None:
        return run_gui(database)
    return run_gui(database, user, password)


def _demo(args: argparse.Namespace) -> int:
    from app.services import demo

    db = _open(args)
    try:

        def fill(session: Session) -> object:
            if not demo.database_is_empty(session):
                raise ValidationError(
                    _(
                        "{where} already holds data. The demo only fills an empty database: "
                        "name a new file with --database."
                    ).format(where=db.describe())
                )
            user = workstation_user(session)
            return demo.create_demo(session, user.id)

        summary = db.run(fill)
    finally:
        db.dispose()
    print(summary.describe())  # type: ignore[attr-defined]
    return 0


def _import(args: argparse.Namespace) -> int:
    from app.services.imports import import_file

    # Checked before the database is opened, so a mistyped file name creates nothing.
    check_readable(args.file)
    db = _open(args)
    try:

        def run(session: Session) -> object:
            user = workstation_user(session)
            return import_file(session, user.id, args.kind, args.file, dry_run=args.dry_run)

        summary = db.run(run)
    finally:
        db.dispose()
    print(summary.describe())  # type: ignore[attr-defined]
    return 0


def _export(args: argparse.Namespace) -> int:
    from app.services.exports import export_file

    db = _open(args)
    try:
        count = db.run(export_file, args.kind, args.file)
    finally:
        db.dispose()
    print(
        ngettext(
            "Exported {n} row of {kind} to {path}.",
            "Exported {n} rows of {kind} to {path}.",
            count,
        ).format(n=count, kind=kind_label(args.kind), path=args.file)
    )
    return 0


def _proposals(args: argparse.Namespace) -> int:
    from app.services import proposals
    from app.services.csvio import format_decimal

    if args.output is not None:
        _check_folder(args.output)

    def run(session: Session) -> proposals.ProposalRun:
        user = workstation_user(session)
        if args.output is None:
            return proposals.run_proposals(session, user.id)
        return proposals.export_proposals(session, user.id, args.output)

    db = _open(args)
    try:
        result = db.run(run)
    finally:
        db.dispose()
    if args.output is not None:
        count = len(result.proposed())
        print(
            ngettext(
                "Wrote {n} proposal line to {path}.", "Wrote {n} proposal lines to {path}.", count
            ).format(n=count, path=args.output)
        )
        print(result.message)
        return 0
    # Printed for people: each supplier, then its lines (the CSV file is for programs).
    for total in result.suppliers:
        lines = [line for line in result.lines if line.supplier_id == total.supplier_id]
        name = f"{total.code} — {total.name}" if total.supplier_id else _("No supplier")
        print(
            ngettext(
                "{supplier}: {n} line, {value} {currency}",
                "{supplier}: {n} lines, {value} {currency}",
                total.lines,
            ).format(
                supplier=name,
                n=total.lines,
                value=f"{total.value:.2f}",
                currency=total.currency,
            )
        )
        if total.note:
            print("  " + total.note)
        for line in lines:
            if line.proposed:
                what = _("{qty} {unit}, order {order}, due {due}").format(
                    qty=format_decimal(line.quantity),
                    unit=line.unit,
                    order=line.order_date.isoformat(),
                    due=line.due_date.isoformat(),
                )
            else:
                what = _("manual: not proposed")
            print(f"  {line.sku:<20} {what}")
            for warning in line.warnings:
                print("    ! " + warning)
    print(result.message)
    return 0


def _backup(args: argparse.Namespace) -> int:
    from app.services.backup import backup_database

    db = _open(args)
    try:
        result = backup_database(db, args.file, overwrite=args.force)
        where = db.describe()
    finally:
        db.dispose()
    print(
        _("Backed up {where} to {path} ({size} kB).").format(
            where=where, path=result.path, size=max(1, round(result.size_bytes / 1024))
        )
    )
    return 0


def _restore(args: argparse.Namespace) -> int:
    from app.services.backup import check_backup_file, restore_database

    # Refuse a bad backup before touching (or creating) the database.
    check_backup_file(args.file.expanduser().resolve())
    # Not migrated on open: the content is about to be replaced anyway.
    db = open_database(args.database, migrate=False)
    try:
        restore_database(db, args.file)
        where = db.describe()
    finally:
        db.dispose()
    # The backup may be from an older Hylla: bring it to this version's schema now.
    open_database(args.database).dispose()
    print(_("Restored {path} into {where}.").format(path=args.file, where=where))
    return 0


def _barcode(args: argparse.Namespace) -> int:
    import json

    from app.services.scanning import resolve_scan, scan_report

    result = _read(args, resolve_scan, args.text)
    print(json.dumps(scan_report(result), ensure_ascii=False, indent=2))
    if result.outcome in ("unknown", "invalid"):
        _fail(result.problem or result.message)
        return EXIT_FAILURE
    return 0


def _copies(text: str) -> int:
    try:
        copies = int(text)
    except ValueError:
        copies = 0
    if not 1 <= copies <= 999:
        raise argparse.ArgumentTypeError(_("copies must be a whole number from 1 to 999"))
    return copies


def _labels(args: argparse.Namespace) -> int:
    from app.services.labels import LabelKind, LabelRequest, make_labels_pdf

    kind = LabelKind(args.kind)
    misplaced = {
        LabelKind.ITEMS: ("--bin", "--lot"),
        LabelKind.BINS: ("--sku", "--lot", "--price"),
        LabelKind.LOTS: ("--bin", "--price"),
    }[kind]
    given = {"--sku": args.sku, "--bin": args.bin, "--lot": args.lot, "--price": args.price}
    wrong = [option for option in misplaced if given[option]]
    if wrong:
        raise ValidationError(
            _("{options} cannot be used for {what}.").format(
                options=", ".join(wrong),
                what={
                    LabelKind.ITEMS: _("item labels"),
                    LabelKind.BINS: _("bin labels"),
                    LabelKind.LOTS: _("lot labels"),
                }[kind],
            )
        )
    if kind is LabelKind.ITEMS and not args.sku:
        raise ValidationError(_("Name the items with --sku SKU (repeat it for more)."))
    if kind is LabelKind.BINS and not args.bin:
        raise ValidationError(_("Name the bins with --bin CODE (repeat it for more)."))
    if kind is LabelKind.LOTS and not (args.sku or args.lot):
        raise ValidationError(_("Name the items with --sku SKU, or the lots with --lot CODE."))
    request = LabelRequest(
        kind,
        skus=tuple(args.sku),
        bin_codes=tuple(args.bin),
        lot_codes=tuple(args.lot),
        layout=args.layout,
        copies=args.copies,
        with_price=args.price,
    )
    _check_folder(args.output)
    made = _read(args, make_labels_pdf, request)
    args.output.write_bytes(made.pdf)
    pages = ngettext("{n} page", "{n} pages", made.pages).format(n=made.pages)
    print(
        ngettext(
            "Wrote {n} label ({pages}) to {path}.",
            "Wrote {n} labels ({pages}) to {path}.",
            made.labels,
        ).format(n=made.labels, pages=pages, path=args.output)
    )
    return 0


def _po_pdf(args: argparse.Namespace) -> int:
    from app.services.errors import NotFoundError
    from app.services.purchase_orders import find_po_by_number, purchase_order_pdf

    _check_folder(args.output)

    def render(session: Session) -> tuple[str, bytes]:
        po = find_po_by_number(session, args.number)
        if po is None:
            raise NotFoundError(
                _("There is no purchase order {number}.").format(number=args.number.strip())
            )
        return po.number, purchase_order_pdf(session, po.id)

    number, pdf = _read(args, render)
    args.output.write_bytes(pdf)
    print(_("Wrote purchase order {number} to {path}.").format(number=number, path=args.output))
    return 0


def _count_pdf(args: argparse.Namespace, variance: bool) -> int:
    from app.services import counting

    _check_folder(args.output)

    def render(session: Session) -> bytes:
        count_id = counting.count_id_by_number(session, args.number)
        if variance:
            return counting.variance_report_pdf(session, count_id)
        return counting.count_sheet_pdf(session, count_id)

    pdf = _read(args, render)
    args.output.write_bytes(pdf)
    number = args.number.strip().upper()
    if variance:
        print(
            _("Wrote the variance report of {number} to {path}.").format(
                number=number, path=args.output
            )
        )
    else:
        print(
            _("Wrote the count sheet of {number} to {path}.").format(
                number=number, path=args.output
            )
        )
    return 0


def _count_sheet(args: argparse.Namespace) -> int:
    return _count_pdf(args, variance=False)


def _count_variance(args: argparse.Namespace) -> int:
    return _count_pdf(args, variance=True)


def _report_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("“{text}” is not a date; write it as YYYY-MM-DD, e.g. 2025-12-31").format(text=text)
        ) from None


def _report(args: argparse.Namespace) -> int:
    from app.services.reports import (
        ReportKind,
        ReportRequest,
        report_pdf,
        report_title,
        write_report_csv,
    )

    if args.lang:
        set_language(args.lang)
    kind = ReportKind(args.name)
    if args.name in REPORT_PERIOD_NAMES and args.as_of is not None:
        raise ValidationError(
            _("The {name} report covers a period: use --from and --to, not --as-of.").format(
                name=args.name
            )
        )
    if args.name not in REPORT_PERIOD_NAMES and (args.start or args.end):
        raise ValidationError(
            _("The {name} report is as of one day: use --as-of, not --from or --to.").format(
                name=args.name
            )
        )
    suffix = args.output.suffix.lower()
    if args.csv and suffix == ".pdf":
        raise ValidationError(
            _("--csv writes a CSV file: name it {name}.").format(name=args.output.stem + ".csv")
        )
    if not args.csv and suffix == ".csv":
        raise ValidationError(_("To write a CSV file, add --csv; without it the report is a PDF."))
    _check_folder(args.output)
    request = ReportRequest(kind, start=args.start, end=args.end, as_of=args.as_of)
    title = report_title(kind)
    if args.csv:
        rows = _read(args, write_report_csv, request, args.output)
        print(
            ngettext(
                "Wrote {n} row of the report “{report}” to {path}.",
                "Wrote {n} rows of the report “{report}” to {path}.",
                rows,
            ).format(n=rows, report=title, path=args.output)
        )
        return 0
    pdf = _read(args, report_pdf, request)
    args.output.write_bytes(pdf)
    print(_("Wrote the report “{report}” to {path}.").format(report=title, path=args.output))
    return 0


def _order_pdf(args: argparse.Namespace, delivery_note: bool) -> int:
    from app.services import orders, picking, shipping

    _check_folder(args.output)

    def render(session: Session) -> tuple[str, bytes]:
        if not delivery_note:
            order_id = orders.order_id_by_number(session, args.number)
            return orders.get_order(session, order_id).number, picking.pick_list_pdf(
                session, order_id
            )
        if args.number.strip().upper().startswith("DN"):
            shipment_id = shipping.shipment_id_by_number(session, args.number)
        else:
            order_id = orders.order_id_by_number(session, args.number)
            shipment_id = shipping.latest_shipment_id(session, order_id)
        return shipping.get_shipment(session, shipment_id).number, shipping.delivery_note_pdf(
            session, shipment_id
        )

    number, pdf = _read(args, render)
    args.output.write_bytes(pdf)
    if delivery_note:
        print(_("Wrote delivery note {number} to {path}.").format(number=number, path=args.output))
    else:
        print(
            _("Wrote the pick list of {number} to {path}.").format(number=number, path=args.output)
        )
    return 0


def _order_pick_list(args: argparse.Namespace) -> int:
    return _order_pdf(args, delivery_note=False)


def _order_delivery_note(args: argparse.Namespace) -> int:
    return _order_pdf(args, delivery_note=True)
