"""Importing items, bins, suppliers, supplier terms, opening stock and demand history.

An import is all-or-nothing: every row is checked against the file and the database
first, every problem is collected as "Row N: …" (N is the spreadsheet row number, the
header is row 1), and only a file without problems is written. A dry run does the same
checks and counts, and writes nothing. Existing rows are updated by their key (item
SKU, bin or supplier code, supplier + SKU, item + day); a row equal to what is stored is
left alone, so importing the same file twice changes nothing the second time.

Cells and columns, for every kind:

- A column that the file lacks leaves that field of existing rows as it is (new rows
  get the default).
- An empty cell clears a field that may be empty (a price, min/max, a service level,
  a category, a supplier's SKU…); a field that cannot be empty (unit, policy, yes/no
  flags, lead time and minimum order value of a supplier, price/pack/MOQ of a supplier
  item) keeps its value, and a new row gets the default.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, selectinload

from app.i18n import _
from app.models import (
    DemandHistory,
    Item,
    Location,
    LocationKind,
    Lot,
    MoveKind,
    Policy,
    Role,
    StockLevel,
    Supplier,
    SupplierItem,
    utcnow,
)
from app.services import ledger
from app.services.auth import require_role
from app.services.csvio import (
    IMPORT_KINDS,
    Row,
    Table,
    kind_label,
    read_table,
    rejection,
    row_problem,
    table_format,
)
from app.services.demand import local_today
from app.services.errors import FieldErrors, HyllaError, ValidationError
from app.services.items import BarcodeInput, ItemInput, save_item, validate_item
from app.services.ledger import parse_money, parse_quantity
from app.services.locations import CODE_PATTERN as BIN_CODE_PATTERN
from app.services.locations import save_bin, virtual_location_id
from app.services.lots import get_or_create_lot
from app.services.parsing import parse_bool, parse_date
from app.services.suppliers import SupplierInput, save_supplier, validate_supplier
from app.services.users import UserId, record_audit

BARCODE_SEPARATORS = re.compile(r"[|\s]+")
# IN lists are sent in chunks; PostgreSQL and SQLite both take this many parameters.
CHUNK = 500


@dataclass(frozen=True)
class ImportSummary:
    """What an import did (or, for a dry run, would do)."""

    kind: str
    created: int
    updated: int
    unchanged: int
    dry_run: bool = False

    def describe(self) -> str:
        """One translated line, e.g. "items: 12 new, 3 changed, 40 unchanged"."""
        text = _("{kind}: {new} new, {changed} changed, {unchanged} unchanged").format(
            kind=kind_label(self.kind),
            new=self.created,
            changed=self.updated,
            unchanged=self.unchanged,
        )
        if self.dry_run:
            return _("Dry run, nothing was saved. {summary}").format(summary=text)
        return text


Action = Callable[[Session, UserId], None]


@dataclass
class _Plan:
    """Counts, problems and the writes to do once every row has passed."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    actions: list[tuple[int, Action]] = field(default_factory=list)

    def problem(self, row: Row, message: str, column: str | None = None) -> None:
        self.problems.append(row_problem(row.number, message, column))

    def count(self, created: bool, changed: bool) -> None:
        if created:
            self.created += 1
        elif changed:
            self.updated += 1
        else:
            self.unchanged += 1


def import_file(
    session: Session, user_id: UserId, kind: str, path: Path, *, dry_run: bool = False
) -> ImportSummary:
    """Import ``path`` (CSV or .xlsx) of ``kind`` into the caller's transaction.

    Raises ImportFileError listing every problem, having changed nothing, if any row
    is bad. With ``dry_run`` nothing is written; the summary says what would happen.
    The writes run inside a savepoint, so even a write that fails after every check
    passed (which the checks are there to prevent) leaves nothing of the import behind.
    """
    fmt = table_format(kind, IMPORT_KINDS)
    if not dry_run:
        # Imports change master data and opening stock: a manager's work. Anyone may
        # check a file with a dry run.
        require_role(session, user_id, Role.MANAGER, _("import files"))
    table = read_table(Path(path), fmt)
    plan = _PLANNERS[kind](session, table)
    problems = sorted([*table.problems, *plan.problems], key=lambda p: p[0])
    if problems:
        raise rejection(table.path, [text for _row, text in problems])
    summary = ImportSummary(kind, plan.created, plan.updated, plan.unchanged, dry_run)
    if dry_run:
        return summary
    with session.begin_nested():  # an exception rolls back to here and propagates
        for number, action in plan.actions:
            try:
                action(session, user_id)
            except HyllaError as exc:
                if isinstance(exc, FieldErrors):
                    messages = list(exc.errors.values())
                else:
                    messages = [exc.message]
                raise rejection(
                    table.path,
                    [row_problem(number, text)[1] if number else text for text in messages],
                ) from exc
        session.flush()
    record_audit(
        session,
        user_id,
        "import",
        kind,
        None,
        {"file": table.path.name, "new": plan.created, "changed": plan.updated},
    )
    return summary


def _chunks(values: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _required_qty(plan: _Plan, row: Row, missing: str) -> Decimal | None:
    """The row's ``qty`` (0 or more), or None after noting the problem on the plan."""
    if not row.get("qty"):
        plan.problem(row, missing, "qty")
        return None
    try:
        return parse_quantity(row.get("qty"), allow_zero=True, field="qty")
    except ValidationError as exc:
        plan.problem(row, exc.message, "qty")
        return None


def _duplicate(
    plan: _Plan,
    seen: dict[object, int],
    key: object,
    row: Row,
    column: str,
    template: str,
    **values: object,
) -> bool:
    """Record ``key`` for ``row``; if an earlier row had it, report both and return True.

    ``template`` (translated) names the earlier row as ``{other}``; it is formatted once,
    so braces inside the values (a barcode may hold them) stay as they are.
    """
    other = seen.get(key)
    if other is not None:
        plan.problem(row, template.format(other=other, **values), column)
        return True
    seen[key] = row.number
    return False


def _field_errors(plan: _Plan, row: Row, exc: FieldErrors, table: Table) -> None:
    for name, message in exc.errors.items():
        column = "barcode" if name.startswith("barcodes") else name
        plan.problem(row, message, column if column in table.format.columns else None)


# --- items ------------------------------------------------------------------------------------


def _plan_items(session: Session, table: Table) -> _Plan:
    """Items by SKU.

    The ``barcode`` column may list several codes separated by ``|`` or spaces. A
    non-empty barcode cell replaces the item's barcode list (a code it already had keeps
    its pack quantity and label); an empty cell keeps the item's barcodes. Supplier
    terms, order quantity, default bin, negative-stock permission and the active flag
    are not in the file and are kept.
    """
    plan = _Plan()
    existing = {
        item.sku.lower(): item
        for item in session.scalars(select(Item).options(selectinload(Item.barcodes)))
    }
    bin_codes = dict(
        session.execute(
            select(Location.id, Location.code).where(Location.kind == LocationKind.INTERNAL)
        )
        .tuples()
        .all()
    )
    stocked = set(
        session.scalars(select(StockLevel.item_id).where(StockLevel.quantity != 0).distinct())
    )
    seen_skus: dict[object, int] = {}
    seen_barcodes: dict[object, int] = {}
    for row in table.rows:
        sku = row.get("sku")
        if sku and _duplicate(
            plan,
            seen_skus,
            sku.lower(),
            row,
            "sku",
            _("SKU {sku} is also on row {other}."),
            sku=sku,
        ):
            continue
        item = existing.get(sku.lower()) if sku else None
        data = _item_input(plan, row, table, item, bin_codes)
        if data is None:
            continue
        try:
            clean = validate_item(session, data, item.id if item else None)
        except FieldErrors as exc:
            _field_errors(plan, row, exc, table)
            continue
        clashes = False
        for code, _pack, _label in clean["barcodes"]:  # type: ignore[attr-defined]
            clashes |= _duplicate(
                plan,
                seen_barcodes,
                code,
                row,
                "barcode",
                _("Barcode {code} is also on row {other}."),
                code=code,
            )
        if clashes:
            continue
        if item is not None and item.lot_tracked != clean["lot_tracked"] and item.id in stocked:
            plan.problem(
                row, _("Lot tracking can only change while the item has no stock."), "lot_tracked"
            )
            continue
        changed = item is None or _item_differs(item, clean)
        plan.count(item is None, changed)
        if changed:
            plan.actions.append((row.number, _save_item_action(data, item.id if item else None)))
    return plan


def _save_item_action(data: ItemInput, item_id: int | None) -> Action:
    def action(session: Session, user_id: UserId) -> None:
        save_item(session, user_id, data, item_id)

    return action


def _item_input(
    plan: _Plan, row: Row, table: Table, item: Item | None, bin_codes: dict[int, str]
) -> ItemInput | None:
    """The item as the file states it, with what the file does not say taken from ``item``."""

    def cell(column: str, current: object) -> object:
        # Present column: its cell (empty clears); absent column: the stored value.
        return row.get(column) if table.has(column) else current

    def kept(column: str, current: object) -> object:
        # Fields that cannot be empty: an empty cell keeps the stored value.
        return row.get(column) if row.get(column) else current

    lot_tracked: bool = item.lot_tracked if item else False
    if row.get("lot_tracked"):
        try:
            lot_tracked = parse_bool(row.get("lot_tracked"), "lot_tracked")
        except ValidationError as exc:
            plan.problem(row, exc.message, "lot_tracked")
            return None
    known = {b.code: b for b in item.barcodes} if item else {}
    codes = [code for code in BARCODE_SEPARATORS.split(row.get("barcode")) if code]
    if codes:
        barcodes = tuple(
            BarcodeInput(code, known[code].pack_qty, known[code].label)
            if code in known
            else BarcodeInput(code)
            for code in codes
        )
    else:
        barcodes = tuple(BarcodeInput(b.code, b.pack_qty, b.label) for b in known.values())
    return ItemInput(
        sku=row.get("sku"),
        name=row.get("name"),
        unit=str(kept("unit", item.unit if item else "pcs")),
        category=str(cell("category", item.category if item else "")),
        sales_price=cell("sales_price", item.sales_price if item else None),  # type: ignore[arg-type]
        policy=kept("policy", item.policy if item else Policy.REORDER_POINT),  # type: ignore[arg-type]
        min_qty=cell("min_qty", item.min_qty if item else None),  # type: ignore[arg-type]
        max_qty=cell("max_qty", item.max_qty if item else None),  # type: ignore[arg-type]
        order_qty=item.order_qty if item else None,
        service_level=cell("service_level", item.service_level if item else None),  # type: ignore[arg-type]
        lot_tracked=lot_tracked,
        shelf_life_days=cell("shelf_life_days", item.shelf_life_days if item else None),  # type: ignore[arg-type]
        allow_negative=item.allow_negative if item else False,
        active=item.active if item else True,
        default_location=(
            bin_codes.get(item.default_location_id, "") if item and item.default_location_id else ""
        ),
        barcodes=barcodes,
        supplier_items=None,
    )


_ITEM_FIELDS = (
    "sku",
    "name",
    "unit",
    "category",
    "sales_price",
    "policy",
    "min_qty",
    "max_qty",
    "order_qty",
    "service_level",
    "lot_tracked",
    "shelf_life_days",
    "allow_negative",
    "active",
    "default_location_id",
)


def _item_differs(item: Item, clean: dict[str, object]) -> bool:
    if any(getattr(item, name) != clean[name] for name in _ITEM_FIELDS):
        return True
    have = {b.code: (b.pack_qty, b.label) for b in item.barcodes}
    wanted = {code: (pack, label) for code, pack, label in clean["barcodes"]}  # type: ignore[attr-defined]
    return have != wanted


# --- locations --------------------------------------------------------------------------------


def _plan_locations(session: Session, table: Table) -> _Plan:
    """Bins by code (codes are upper case); the ``name`` column renames a bin."""
    plan = _Plan()
    existing = {loc.code.upper(): loc for loc in session.scalars(select(Location))}
    seen: dict[object, int] = {}
    for row in table.rows:
        code = row.get("code").upper()
        name = row.get("name")
        if not code:
            plan.problem(row, _("Give the bin a code, e.g. A-01-03."), "code")
            continue
        if not BIN_CODE_PATTERN.match(code):
            plan.problem(
                row,
                _("A bin code is 1–40 letters, digits, '-', '.', '_' or '/', e.g. A-01-03."),
                "code",
            )
            continue
        if _duplicate(
            plan, seen, code, row, "code", _("Bin {code} is also on row {other}."), code=code
        ):
            continue
        if len(name) > 100:
            plan.problem(row, _("A bin name can be at most 100 characters."), "name")
            continue
        location = existing.get(code)
        if location is not None and location.kind is not LocationKind.INTERNAL:
            plan.problem(
                row,
                _(
                    "{code} is one of Hylla's own virtual locations, not a bin. Choose another "
                    "code."
                ).format(code=code),
                "code",
            )
            continue
        if location is None:
            plan.count(True, True)
            plan.actions.append((row.number, _save_bin_action(code, name, None)))
        elif table.has("name") and (location.name != name or location.code != code):
            plan.count(False, True)
            plan.actions.append((row.number, _save_bin_action(code, name, location.id)))
        else:
            plan.count(False, False)
    return plan


def _save_bin_action(code: str, name: str, location_id: int | None) -> Action:
    def action(session: Session, user_id: UserId) -> None:
        save_bin(session, user_id, code, name, location_id)

    return action


# --- suppliers --------------------------------------------------------------------------------


def _plan_suppliers(session: Session, table: Table) -> _Plan:
    """Suppliers by code (case-insensitive). Address and the active flag are kept."""
    plan = _Plan()
    existing = {s.code.upper(): s for s in session.scalars(select(Supplier))}
    seen: dict[object, int] = {}
    for row in table.rows:
        code = row.get("code")
        if code and _duplicate(
            plan,
            seen,
            code.upper(),
            row,
            "code",
            _("Supplier {code} is also on row {other}."),
            code=code,
        ):
            continue
        supplier = existing.get(code.upper()) if code else None

        def cell(column: str, current: str, row: Row = row) -> str:
            return row.get(column) if table.has(column) else current

        def kept(column: str, current: object, row: Row = row) -> object:
            return row.get(column) if row.get(column) else current

        data = SupplierInput(
            code=code,
            name=row.get("name"),
            email=cell("email", supplier.email if supplier else ""),
            address=supplier.address if supplier else "",
            lead_time_days=kept(  # type: ignore[arg-type]
                "lead_time_days", supplier.lead_time_days if supplier else ""
            ),
            min_order_value=kept(  # type: ignore[arg-type]
                "min_order_value", supplier.min_order_value if supplier else ""
            ),
            currency=str(kept("currency", supplier.currency if supplier else "")),
            active=supplier.active if supplier else True,
        )
        try:
            clean = validate_supplier(session, data, supplier.id if supplier else None)
        except FieldErrors as exc:
            _field_errors(plan, row, exc, table)
            continue
        changed = supplier is None or any(
            getattr(supplier, name) != value for name, value in clean.items()
        )
        plan.count(supplier is None, changed)
        if changed:
            plan.actions.append(
                (row.number, _save_supplier_action(data, supplier.id if supplier else None))
            )
    return plan


def _save_supplier_action(data: SupplierInput, supplier_id: int | None) -> Action:
    def action(session: Session, user_id: UserId) -> None:
        save_supplier(session, user_id, data, supplier_id)

    return action


# --- supplier items ---------------------------------------------------------------------------


def _whole_days(text: str) -> int | None:
    try:
        days = int(text)
    except ValueError:
        return None
    return days if 0 <= days <= 3650 else None


def _plan_supplier_items(session: Session, table: Table) -> _Plan:
    """One supplier's terms for one item, by supplier code + SKU.

    An empty ``lead_time_days`` means the supplier's own lead time. ``preferred: yes``
    makes this supplier the item's only preferred one: another supplier of the item that
    was preferred stops being so (counted as changed).
    """
    plan = _Plan()
    suppliers = {
        code.upper(): supplier_id
        for supplier_id, code in session.execute(select(Supplier.id, Supplier.code)).tuples()
    }
    items = {
        sku.lower(): item_id for item_id, sku in session.execute(select(Item.id, Item.sku)).tuples()
    }
    existing = {(si.supplier_id, si.item_id): si for si in session.scalars(select(SupplierItem))}
    seen: dict[object, int] = {}
    preferred_rows: dict[object, int] = {}
    preferred_keys: dict[int, tuple[int, int]] = {}
    for row in table.rows:
        supplier_code, sku = row.get("supplier"), row.get("sku")
        supplier_id = suppliers.get(supplier_code.upper())
        item_id = items.get(sku.lower())
        bad = False
        if supplier_id is None:
            plan.problem(
                row,
                _("There is no supplier {code}. Import the suppliers first.").format(
                    code=supplier_code or "—"
                ),
                "supplier",
            )
            bad = True
        if item_id is None:
            plan.problem(row, _("There is no item with SKU {sku}.").format(sku=sku or "—"), "sku")
            bad = True
        if bad or supplier_id is None or item_id is None:
            continue
        key = (supplier_id, item_id)
        if _duplicate(
            plan,
            seen,
            key,
            row,
            "sku",
            _("Supplier {code} and SKU {sku} are also on row {other}."),
            code=supplier_code,
            sku=sku,
        ):
            continue
        current = existing.get(key)
        values = _supplier_item_values(plan, row, table, current)
        if values is None:
            continue
        if values["preferred"] and _duplicate(
            plan,
            preferred_rows,
            item_id,
            row,
            "preferred",
            _("SKU {sku} already has a preferred supplier on row {other}; mark only one."),
            sku=sku,
        ):
            continue
        if values["preferred"]:
            preferred_keys[item_id] = key
        changed = current is None or any(
            getattr(current, name) != value for name, value in values.items()
        )
        plan.count(current is None, changed)
        if changed:
            plan.actions.append((row.number, _save_supplier_item_action(key, values)))
    for key, si in existing.items():
        chosen = preferred_keys.get(si.item_id)
        if si.preferred and chosen is not None and chosen != key and key not in seen:
            plan.count(False, True)
            plan.actions.append((0, _save_supplier_item_action(key, {"preferred": False})))
    return plan


def _supplier_item_values(
    plan: _Plan, row: Row, table: Table, current: SupplierItem | None
) -> dict[str, object] | None:
    values: dict[str, object] = {}
    ok = True
    supplier_sku = (
        row.get("supplier_sku")
        if table.has("supplier_sku")
        else (current.supplier_sku if current else "")
    )
    if len(supplier_sku) > 64:
        plan.problem(row, _("A supplier's SKU can be at most 64 characters."), "supplier_sku")
        ok = False
    values["supplier_sku"] = supplier_sku
    parsers: tuple[tuple[str, Callable[[str], Decimal], Decimal], ...] = (
        ("price", lambda t: parse_money(t, field="price"), Decimal(0)),
        ("pack_size", lambda t: parse_quantity(t, field="pack_size"), Decimal(1)),
        ("moq", lambda t: parse_quantity(t, allow_zero=True, field="moq"), Decimal(0)),
    )
    for name, parse, default in parsers:
        text = row.get(name)
        if not text:
            values[name] = getattr(current, name) if current else default
            continue
        try:
            values[name] = parse(text)
        except ValidationError as exc:
            plan.problem(row, exc.message, name)
            ok = False
    lead: int | None = current.lead_time_days if current else None
    if table.has("lead_time_days"):
        text = row.get("lead_time_days")
        lead = _whole_days(text) if text else None
        if text and lead is None:
            plan.problem(row, _("Lead time is a whole number of days, e.g. 7."), "lead_time_days")
            ok = False
    values["lead_time_days"] = lead
    preferred = current.preferred if current else False
    if row.get("preferred"):
        try:
            preferred = parse_bool(row.get("preferred"), "preferred")
        except ValidationError as exc:
            plan.problem(row, exc.message, "preferred")
            ok = False
    values["preferred"] = preferred
    return values if ok else None


def _save_supplier_item_action(key: tuple[int, int], values: dict[str, object]) -> Action:
    supplier_id, item_id = key

    def action(session: Session, user_id: UserId) -> None:
        si = session.scalar(
            select(SupplierItem).where(
                SupplierItem.supplier_id == supplier_id, SupplierItem.item_id == item_id
            )
        )
        if si is None:
            si = SupplierItem(supplier_id=supplier_id, item_id=item_id, **values)
            session.add(si)
            verb = "create"
        else:
            for name, value in values.items():
                setattr(si, name, value)
            verb = "update"
        session.flush()
        record_audit(
            session,
            user_id,
            verb,
            "supplier_item",
            si.id,
            {"supplier_id": supplier_id, "item_id": item_id, **values},
        )

    return action


# --- stock (opening balances) -----------------------------------------------------------------


@dataclass(frozen=True)
class _StockLine:
    item_id: int
    sku: str
    location_id: int
    lot_code: str
    expiry: dt.date | None
    diff: Decimal
    unit_cost: Decimal | None


def _plan_stock(session: Session, table: Table) -> _Plan:
    """Opening balances: each row states what is on hand of an item in a bin (and lot).

    The bin must exist. Hylla posts an opening move (from the OPENING location, or back
    to it) for the difference to what is on hand now, so importing the same file again
    changes nothing. ``unit_cost`` values stock coming in (empty: the item's current
    cost); it does not revalue stock already there. Stock not named in the file stays.
    """
    plan = _Plan()
    items = {
        sku.lower(): (item_id, sku, lot_tracked)
        for item_id, sku, lot_tracked in session.execute(
            select(Item.id, Item.sku, Item.lot_tracked)
        ).tuples()
    }
    places = {
        code.upper(): (location_id, kind)
        for location_id, code, kind in session.execute(
            select(Location.id, Location.code, Location.kind)
        ).tuples()
    }
    file_item_ids = sorted(
        {items[r.get("sku").lower()][0] for r in table.rows if r.get("sku").lower() in items}
    )
    lots: dict[tuple[int, str], tuple[int, dt.date | None]] = {}
    levels: dict[tuple[int, int, int], Decimal] = {}
    for chunk in _chunks(file_item_ids):
        for found_lot, lot_item, lot_code, lot_expiry in session.execute(
            select(Lot.id, Lot.item_id, Lot.code, Lot.expiry).where(Lot.item_id.in_(chunk))
        ).tuples():
            lots[(lot_item, lot_code)] = (found_lot, lot_expiry)
        for level_item, level_location, level_lot, quantity in session.execute(
            select(
                StockLevel.item_id, StockLevel.location_id, StockLevel.lot_key, StockLevel.quantity
            ).where(StockLevel.item_id.in_(chunk))
        ).tuples():
            levels[(level_item, level_location, level_lot)] = quantity
    seen: dict[object, int] = {}
    lot_expiries: dict[tuple[int, str], tuple[dt.date, int]] = {}
    for row in table.rows:
        line = _stock_line(plan, row, items, places)
        if line is None:
            continue
        if _duplicate(
            plan,
            seen,
            (line.item_id, line.location_id, line.lot_code),
            row,
            "sku",
            _("SKU {sku} in this bin and lot is also on row {other}."),
            sku=line.sku,
        ):
            continue
        lot_id: int | None = None
        sets_expiry = False
        if line.lot_code:
            lot_key = (line.item_id, line.lot_code)
            if line.expiry is not None:
                earlier = lot_expiries.setdefault(lot_key, (line.expiry, row.number))
                if earlier[0] != line.expiry:
                    plan.problem(
                        row,
                        _("Lot {code} has expiry {other_expiry} on row {other}.").format(
                            code=line.lot_code,
                            other_expiry=earlier[0].isoformat(),
                            other=earlier[1],
                        ),
                        "expiry",
                    )
                    continue
            stored = lots.get(lot_key)
            if stored is not None:
                lot_id, known = stored
                if line.expiry is not None and known is not None and known != line.expiry:
                    plan.problem(
                        row,
                        _("Lot {code} already has expiry {known}, not {given}.").format(
                            code=line.lot_code,
                            known=known.isoformat(),
                            given=line.expiry.isoformat(),
                        ),
                        "expiry",
                    )
                    continue
                sets_expiry = line.expiry is not None and known is None
        on_hand = (
            levels.get((line.item_id, line.location_id, lot_id or 0), Decimal(0))
            if lot_id is not None or not line.lot_code
            else Decimal(0)
        )
        line = _StockLine(
            line.item_id,
            line.sku,
            line.location_id,
            line.lot_code,
            line.expiry,
            line.diff - on_hand,
            line.unit_cost,
        )
        changed = line.diff != 0 or sets_expiry
        plan.count(on_hand == 0 and line.diff > 0, changed)
        if changed:
            plan.actions.append((row.number, _post_opening_action(line)))
    return plan


def _stock_line(
    plan: _Plan,
    row: Row,
    items: dict[str, tuple[int, str, bool]],
    places: dict[str, tuple[int, LocationKind]],
) -> _StockLine | None:
    """The row's values with ``diff`` holding the stated quantity; None if the row is bad."""
    ok = True
    sku, code, lot = row.get("sku"), row.get("location"), row.get("lot")
    item = items.get(sku.lower())
    if item is None:
        plan.problem(row, _("There is no item with SKU {sku}.").format(sku=sku or "—"), "sku")
        ok = False
    place = places.get(code.upper())
    if place is None:
        plan.problem(
            row,
            _("There is no bin {code}. Import the locations first.").format(code=code or "—"),
            "location",
        )
        ok = False
    elif place[1] is not LocationKind.INTERNAL:
        plan.problem(row, _("{code} is not a bin of the warehouse.").format(code=code), "location")
        ok = False
    if item is not None:
        if item[2] and not lot:
            plan.problem(
                row, _("{sku} is lot-tracked: give the lot number.").format(sku=item[1]), "lot"
            )
            ok = False
        elif lot and not item[2]:
            plan.problem(
                row,
                _("{sku} is not lot-tracked: leave the lot empty.").format(sku=item[1]),
                "lot",
            )
            ok = False
    if len(lot) > 64:
        plan.problem(row, _("A lot number can be at most 64 characters."), "lot")
        ok = False
    expiry: dt.date | None = None
    if row.get("expiry"):
        try:
            expiry = parse_date(row.get("expiry"), "expiry")
        except ValidationError as exc:
            plan.problem(row, exc.message, "expiry")
            ok = False
        if not lot:
            plan.problem(row, _("An expiry date belongs to a lot: give the lot number."), "expiry")
            ok = False
    qty = _required_qty(plan, row, _("Give the quantity on hand (0 or more)."))
    ok = ok and qty is not None
    cost: Decimal | None = None
    if row.get("unit_cost"):
        try:
            cost = parse_money(row.get("unit_cost"), field="unit_cost")
        except ValidationError as exc:
            plan.problem(row, exc.message, "unit_cost")
            ok = False
    if not ok or item is None or place is None or qty is None:
        return None
    return _StockLine(item[0], item[1], place[0], lot, expiry, qty, cost)


def _post_opening_action(line: _StockLine) -> Action:
    def action(session: Session, user_id: UserId) -> None:
        lot_id = None
        if line.lot_code:
            lot_id = get_or_create_lot(session, line.item_id, line.lot_code, line.expiry).id
        opening = virtual_location_id(session, LocationKind.OPENING)
        if line.diff == 0:
            return
        inward = line.diff > 0
        ledger.post_move(
            session,
            item_id=line.item_id,
            quantity=abs(line.diff),
            from_location_id=opening if inward else line.location_id,
            to_location_id=line.location_id if inward else opening,
            kind=MoveKind.OPENING,
            user_id=user_id,
            lot_id=lot_id,
            unit_cost=line.unit_cost if inward else None,
            reference=_("Opening balance (import)"),
        )

    return action


# --- demand history ---------------------------------------------------------------------------


def _plan_history(session: Session, table: Table) -> _Plan:
    """Demand per item and day. A day already stored for the item is replaced."""
    plan = _Plan()
    items = {
        sku.lower(): item_id for item_id, sku in session.execute(select(Item.id, Item.sku)).tuples()
    }
    seen: dict[object, int] = {}
    wanted: dict[tuple[int, dt.date], Decimal] = {}
    today = local_today()
    for row in table.rows:
        ok = True
        sku = row.get("sku")
        item_id = items.get(sku.lower())
        if item_id is None:
            plan.problem(row, _("There is no item with SKU {sku}.").format(sku=sku or "—"), "sku")
            ok = False
        day: dt.date | None = None
        try:
            day = parse_date(row.get("date"), "date")
        except ValidationError as exc:
            plan.problem(row, exc.message, "date")
            ok = False
        if day is not None and day > today:
            # Demand that has not happened yet is a typo (2052 for 2025); stored, it would
            # sit outside every forecast window and never be seen again.
            plan.problem(
                row,
                _("{day} is after today: the history is demand that has already happened.").format(
                    day=day.isoformat()
                ),
                "date",
            )
            ok = False
        qty = _required_qty(plan, row, _("Give the quantity (0 or more)."))
        ok = ok and qty is not None
        if not ok or item_id is None or day is None or qty is None:
            continue
        if _duplicate(
            plan,
            seen,
            (item_id, day),
            row,
            "date",
            _("SKU {sku} on {day} is also on row {other}."),
            sku=sku,
            day=day.isoformat(),
        ):
            continue
        wanted[(item_id, day)] = qty
    if plan.problems or not wanted:
        return plan
    stored: dict[tuple[int, dt.date], tuple[int, Decimal]] = {}
    days = [day for _item, day in wanted]
    first, last = min(days), max(days)
    for chunk in _chunks(sorted({item_id for item_id, _day in wanted})):
        for row_id, item_id, day, quantity in session.execute(
            select(
                DemandHistory.id, DemandHistory.item_id, DemandHistory.day, DemandHistory.quantity
            ).where(DemandHistory.item_id.in_(chunk), DemandHistory.day.between(first, last))
        ).tuples():
            stored[(item_id, day)] = (row_id, quantity)
    new_rows: list[dict[str, object]] = []
    changed_rows: list[dict[str, object]] = []
    for (item_id, day), qty in wanted.items():
        current = stored.get((item_id, day))
        if current is None:
            new_rows.append({"item_id": item_id, "day": day, "quantity": qty})
        elif current[1] != qty:
            changed_rows.append({"id": current[0], "quantity": qty})
        plan.count(current is None, current is not None and current[1] != qty)
    if new_rows or changed_rows:
        plan.actions.append((0, _write_history_action(new_rows, changed_rows)))
    return plan


def _write_history_action(
    new_rows: list[dict[str, object]], changed_rows: list[dict[str, object]]
) -> Action:
    def action(session: Session, user_id: UserId) -> None:
        now = utcnow()
        # History files run to millions of rows: written in bulk, not object by object.
        if new_rows:
            session.execute(
                insert(DemandHistory),
                [{**r, "source": "import", "imported_at": now} for r in new_rows],
            )
        if changed_rows:
            session.execute(
                update(DemandHistory),
                [{**r, "source": "import", "imported_at": now} for r in changed_rows],
            )

    return action


_PLANNERS: dict[str, Callable[[Session, Table], _Plan]] = {
    "items": _plan_items,
    "locations": _plan_locations,
    "suppliers": _plan_suppliers,
    "supplier-items": _plan_supplier_items,
    "stock": _plan_stock,
    "history": _plan_history,
}

__all__ = ["IMPORT_KINDS", "ImportSummary", "import_file"]
