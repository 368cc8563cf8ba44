"""What the two order editors share below their headers: the table of the order's lines
and the order's total (the customer-order editor, :mod:`app.ui.order_editor`, and the
purchase-order editor, :mod:`app.ui.purchase_order_editor`).

In both, the lines are worked from the keyboard the same way: Enter (or a double click)
on a line loads it into the line form to change it, Delete takes it off the order. The
line forms themselves differ (a sales line is a quantity, a purchase line whole packs)
and stay in each editor.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QTableView

from app.i18n import _
from app.ui.formatting import fmt_money
from app.ui.widgets import make_table_view, set_column_widths


def lines_table(
    model: QAbstractItemModel,
    name: str,
    widths: dict[int, int],
    stretch: int,
    *,
    change: Callable[[], None],
    remove: Callable[[], None],
) -> QTableView:
    """The table of an order's lines: ``change`` on Enter or a double click (load the
    selected line into the form), ``remove`` on Delete (take it off the order)."""
    view = make_table_view(model)
    view.setObjectName(name)
    set_column_widths(view, widths, stretch=stretch)
    view.doubleClicked.connect(lambda _index: change())
    # Only while the table has the focus: elsewhere Enter and Delete belong to the field.
    remove_key = QShortcut(QKeySequence(Qt.Key.Key_Delete), view, remove)
    remove_key.setContext(Qt.ShortcutContext.WidgetShortcut)
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):  # the keypad's Enter too
        change_key = QShortcut(QKeySequence(key), view, change)
        change_key.setContext(Qt.ShortcutContext.WidgetShortcut)
    return view


def total_label(name: str) -> QLabel:
    """The order's total, in bold under its lines (see :func:`total_text`)."""
    label = QLabel()
    label.setObjectName(name)
    label.setProperty("role", "heading")
    return label


def total_text(total: Decimal, currency: str) -> str:
    """What the total label says: "Total: 2,072.00 SEK"."""
    return _("Total: {amount} {currency}").format(amount=fmt_money(total), currency=currency)
