"""What the two order lists share: the status choice, what it lets through, and the count."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QComboBox, QWidget
from pytestqt.qtbot import QtBot

from app.models.purchasing import PurchaseOrderStatus
from app.ui.list_page import filter_field, muted_label
from app.ui.order_list import ALL_STATUSES, OPEN_STATUSES, OrderListPage, status_combo
from app.ui.table_model import Column, RowTableModel
from app.ui.widgets import make_table_view


@dataclass(frozen=True)
class Row:
    id: int
    status: PurchaseOrderStatus


ROWS = [
    Row(1, PurchaseOrderStatus.DRAFT),
    Row(2, PurchaseOrderStatus.SENT),
    Row(3, PurchaseOrderStatus.RECEIVED),
    Row(4, PurchaseOrderStatus.CANCELLED),
    Row(5, PurchaseOrderStatus.SENT),
]


class _Page(OrderListPage[Row], QWidget):
    """The smallest order list: a status combo, a count and a table (no database)."""

    open_statuses = (PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.SENT)

    def __init__(self, rows: list[Row]) -> None:
        super().__init__()
        self._rows = rows
        self._select_after_load: int | None = None
        self.model: RowTableModel[Row] = RowTableModel(
            [Column("Status", lambda r: r.status.value)], lambda r: r.status.value, parent=self
        )
        self.filter_edit = filter_field("test_filter", "Filter  (Ctrl+F)")
        self.status_combo = status_combo("test_status", 16)
        self.status_combo.addItem("All orders", ALL_STATUSES)
        self.status_combo.addItem("Open", OPEN_STATUSES)
        for status in PurchaseOrderStatus:
            self.status_combo.addItem(status.value, status.value)
        self.count_label = muted_label()
        self.table = make_table_view(self.model)
        self.status_combo.currentIndexChanged.connect(self._apply_status)
        self.filter_edit.textChanged.connect(self._filter_changed)
        self._apply_status()

    def choose(self, data: str) -> list[int]:
        """Choose ``data`` in the status combo; the ids of the orders then shown."""
        self.status_combo.setCurrentIndex(self.status_combo.findData(data))
        return [row.id for row in self.model.visible_rows()]


def test_all_shows_every_order_and_counts_them(qtbot: QtBot) -> None:
    page = _Page(ROWS)
    qtbot.addWidget(page)
    assert [row.id for row in page.model.visible_rows()] == [1, 2, 3, 4, 5]
    assert page.count_label.text() == "5 orders"


def test_open_shows_the_statuses_the_page_counts_as_open(qtbot: QtBot) -> None:
    page = _Page(ROWS)
    qtbot.addWidget(page)
    assert page.choose(OPEN_STATUSES) == [1, 2, 5]
    # The count is of every loaded order, whatever the status choice hides.
    assert page.count_label.text() == "3 of 5 orders"


def test_a_status_shows_the_orders_in_it_only(qtbot: QtBot) -> None:
    page = _Page(ROWS)
    qtbot.addWidget(page)
    assert page.choose(PurchaseOrderStatus.SENT.value) == [2, 5]
    assert page.choose(PurchaseOrderStatus.PARTLY_RECEIVED.value) == []
    assert page.count_label.text() == "0 of 5 orders"
    assert page.choose(ALL_STATUSES) == [1, 2, 3, 4, 5]


def test_one_order_is_counted_in_the_singular(qtbot: QtBot) -> None:
    page = _Page(ROWS[:1])
    qtbot.addWidget(page)
    assert page.count_label.text() == "1 order"
    assert page.choose(PurchaseOrderStatus.SENT.value) == []
    assert page.count_label.text() == "0 of 1 order"


def test_the_status_combo_keeps_its_width_whatever_is_chosen() -> None:
    combo = status_combo("orders_status", 16)
    assert combo.objectName() == "orders_status"
    assert combo.minimumContentsLength() == 16
    assert (
        combo.sizeAdjustPolicy() == QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
    )
    assert combo.count() == 0
    combo.deleteLater()
