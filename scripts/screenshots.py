"""Screenshots of every page for the README, made from the real window under Xvfb.

Run through ``make screenshots`` (which starts a virtual X server with xvfb-run and
fills a throw-away demo database); the pictures land in ``docs/screenshots/`` as
``<lang>-<page>.png`` so the README always shows the window as it is.

    python scripts/screenshots.py --database DEMO.db --lang sv --out docs/screenshots
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


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

    from app.services import users
    from app.services.database import open_database
    from app.ui.app import configure_application
    from app.ui.main_window import MainWindow
    from app.ui.runner import Runner

    app = QApplication(sys.argv[:1])
    configure_application(app)
    # A fresh window state each time: the shots must not depend on the previous run.
    state = Path(args.database).with_name(f"window-{args.lang}.ini")
    state.unlink(missing_ok=True)
    settings = QSettings(str(state), QSettings.Format.IniFormat)
    db = open_database(args.database)
    user = db.run(users.workstation_user, "maja")
    runner = Runner(db)
    window = MainWindow(runner, user, db.describe(), settings)
    window.resize(1360, 820)
    window.show()
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

    def shoot(widget: QWidget, name: str) -> None:
        settle()
        path = args.out / f"{args.lang}-{name}.png"
        widget.grab().save(str(path))
        print(path)

    window.start()
    wait_for(window.items_page.items_loaded)
    shoot(window, "items")
    item_id = window.items_page.selected_id()

    window.items_page.filter_edit.setText("kaffe")
    shoot(window, "items-filtered")
    window.items_page.filter_edit.clear()

    if item_id is not None:
        editor = window.items_page.open_item(item_id)
        wait_for(editor.loaded)
        tabs = ("editor", "editor-suppliers", "editor-stock", "editor-history")
        for index, name in enumerate(tabs):
            editor.tabs.setCurrentIndex(index)
            shoot(editor, name)
        editor.close()

    window.show_page(window.STOCK)
    wait_for(window.stock_page.stock_loaded)
    window.stock_page.table.selectRow(3)
    wait_for(window.stock_page.moves_loaded, 3000)
    shoot(window, "stock")

    # The other pages load on their own when shown; give each a moment, then shoot it.
    for name in ("locations", "purchase_orders", "receiving", "counts", "settings"):
        page = getattr(window, f"{name}_page", None)
        if page is None:
            continue
        window.pages.setCurrentWidget(page)
        window.nav.setCurrentRow(window.pages.indexOf(page))
        settle(1500)
        shoot(window, name.replace("_", "-"))

    window.close()
    runner.shutdown()
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
