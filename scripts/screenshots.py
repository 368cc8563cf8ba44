"""Screenshots of every page for the README, made from the real window under Xvfb.

Run through ``make screenshots`` (which starts a virtual X server with xvfb-run and
fills a throw-away demo database); the pictures land in ``docs/screenshots/`` as
``<lang>-<page key>.png``, one for every page of the window's registry
(app/ui/pages.py, so a new page is shot without changing this script), plus the sign-in
dialog and a few views inside pages (the item editor's tabs, a filtered list, a customer
order in its editor).

    python scripts/screenshots.py --database DEMO.db --lang sv --out docs/screenshots

The demo database gets "maja" as its administrator with a random password (Hylla has
no default password); the sign-in dialog is filled in and submitted by the script, as a
person would, and shot on the way.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WIDTH, HEIGHT = 1360, 820


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True)
    parser.add_argument("--lang", choices=("sv", "en"), required=True)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    # The catalog is chosen when app.i18n is first imported.
    os.environ["HYLLA_LANG"] = args.lang
    os.environ.setdefault("HYLLA_DATA_DIR", str(Path(args.database).parent))

    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    from app.services import auth, dashboard, users
    from app.services.database import open_database
    from app.ui.app import configure_application
    from app.ui.main_window import MainWindow
    from app.ui.pages import PAGES
    from app.ui.runner import Runner
    from app.ui.sign_in import SignInDialog

    app = QApplication(sys.argv[:1])
    configure_application(app)
    # A fresh window state each time: the shots must not depend on the previous run.
    state = Path(args.database).with_name(f"window-{args.lang}.ini")
    state.unlink(missing_ok=True)
    settings = QSettings(str(state), QSettings.Format.IniFormat)
    db = open_database(args.database)
    runner = Runner(db)
    args.out.mkdir(parents=True, exist_ok=True)

    def settle(ms: int = 400) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_for(signal: object, ms: int = 10_000) -> None:
        loop = QEventLoop()
        signal.connect(loop.quit)  # type: ignore[attr-defined]
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def until(done: Callable[[], bool], seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while not done() and time.monotonic() < deadline:
            settle(100)

    def quiet() -> None:
        """Until the database worker has nothing left to do (the page has loaded)."""
        until(lambda: runner.pending_count() == 0)
        settle(500)

    def shoot(widget: QWidget, name: str) -> None:
        settle()
        path = args.out / f"{args.lang}-{name}.png"
        widget.grab().save(str(path))
        print(path)

    password = secrets.token_urlsafe(12)
    if not db.read(auth.needs_first_admin):
        maja = db.run(users.workstation_user, "maja")
        db.run(auth.set_password, maja.id, maja.id, password)
    user = db.run(auth.sign_in_unattended, "maja", password).user
    assert user is not None
    sign_in_dialog = SignInDialog(runner, settings)
    sign_in_dialog.show()
    wait_for(sign_in_dialog.loaded)
    sign_in_dialog.select_user("maja")
    sign_in_dialog.password_edit.setText(password)
    shoot(sign_in_dialog, "sign-in")
    sign_in_dialog.submit()
    wait_for(sign_in_dialog.signed_in)
    sign_in_dialog.close()

    # The demo has no customer orders: a few make the Orders, Picking and Start pages show
    # what they are for.
    try:
        _sample_orders(db, user.id)
    except Exception as exc:  # noqa: BLE001 - the shots go on with empty order pages
        print(f"sample orders not made: {exc}", file=sys.stderr)
    # The Start page shows the last proposal run: work today's out, as the first person
    # in the morning would.
    try:
        db.run(dashboard.work_out_proposals, user.id)
    except Exception as exc:  # noqa: BLE001 - the shots go on; the tile then says so
        print(f"proposals not worked out: {exc}", file=sys.stderr)

    window = MainWindow(runner, user, db.describe(), settings)
    window.resize(WIDTH, HEIGHT)
    window.show()
    window.start()
    quiet()

    for spec in PAGES:
        page = window.open_page(spec.key)
        quiet()
        if spec.key == "stock":
            page.table.selectRow(3)
            quiet()
        shoot(window, spec.key)
        if spec.key == "items":
            _items_extras(page, shoot, quiet, wait_for)
        elif spec.key == "orders":
            _orders_extras(page, shoot, quiet)

    window.close()
    runner.shutdown()
    db.dispose()
    return 0


def _sample_orders(db: Any, user_id: Any) -> None:
    """Three customer orders (once per database): one to pick, one partly on backorder,
    one still a draft."""
    from decimal import Decimal

    from app.services import customers, orders, stock

    def make(session: Any) -> None:
        if orders.list_orders(session):
            return
        on_hand: dict[int, Decimal] = {}
        for row in stock.list_stock(session):
            on_hand[row.item_id] = on_hand.get(row.item_id, Decimal(0)) + row.quantity
        stocked = [(item, qty) for item, qty in on_hand.items() if qty >= 4][:5]
        if len(stocked) < 5:
            return
        people = [
            customers.save_customer(session, user_id, customers.CustomerInput(code, name)).id
            for code, name in (
                ("K-1001", "Cafe Kvarnen AB"),
                ("K-1002", "Hotell Norrsken"),
                ("K-1003", "Skolköket i Bergby"),
            )
        ]

        def line(index: int, quantity: Decimal) -> Any:
            return orders.OrderLineInput(stocked[index][0], quantity)

        first = orders.create_order(
            session, user_id, people[0], lines=[line(0, Decimal(2)), line(1, Decimal(3))]
        )
        orders.confirm_order(session, user_id, first.id)
        short = stocked[2][1] + Decimal(6)  # more than there is: the rest on backorder
        second = orders.create_order(
            session, user_id, people[1], lines=[line(2, short), line(3, Decimal(1))]
        )
        orders.confirm_order(session, user_id, second.id)
        orders.create_order(session, user_id, people[2], lines=[line(4, Decimal(4))])

    db.run(make)


def _items_extras(
    page: Any,
    shoot: Callable[[Any, str], None],
    quiet: Callable[[], None],
    wait_for: Callable[..., None],
) -> None:
    """The filtered list and the item editor's tabs."""
    item_id = page.selected_id()
    page.filter_edit.setText("kaffe")
    shoot(page.window(), "items-filtered")
    page.filter_edit.clear()
    if item_id is None:
        return
    editor = page.open_item(item_id)
    wait_for(editor.loaded)
    quiet()
    for index, name in enumerate(("editor", "editor-suppliers", "editor-stock", "editor-history")):
        editor.tabs.setCurrentIndex(index)
        shoot(editor, name)
    editor.close()


def _orders_extras(page: Any, shoot: Callable[[Any, str], None], quiet: Callable[[], None]) -> None:
    """An order open in the editor (the first one of the list)."""
    open_selected = getattr(page, "open_selected", None)
    table = getattr(page, "table", None)
    if open_selected is None or table is None or table.model().rowCount() == 0:
        return
    table.selectRow(0)
    editor = open_selected()
    if editor is None:
        return
    quiet()
    shoot(page.window(), "order-editor")
    show_list = getattr(page, "show_list", None)
    if show_list is not None:
        show_list()
        quiet()


if __name__ == "__main__":
    sys.exit(main())
