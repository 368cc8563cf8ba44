"""What the two lists of orders share: customer orders (the Orders page) and purchase
orders (the Purchase orders page).

Both choose by status in a combo beside the filter (every order, the open ones, or one
status; each page adds its own choices, in its own order, to :func:`status_combo`) and
count in orders; :class:`OrderListPage` does that on top of :class:`RowListPage`.
"""

from __future__ import annotations

from enum import Enum
from typing import ClassVar, Protocol, TypeVar

from PySide6.QtWidgets import QComboBox

from app.i18n import ngettext
from app.ui.list_page import HasId, RowListPage, count_text

#: The combo's data for "every order" and for "the open ones"; a status is its value.
ALL_STATUSES = "all"
OPEN_STATUSES = "open"


class ListedOrder(HasId, Protocol):
    """A row of an order list: selected by its id, chosen by its status."""

    @property
    def status(self) -> Enum: ...


OrderT = TypeVar("OrderT", bound=ListedOrder)


def status_combo(name: str, min_length: int) -> QComboBox:
    """The status choice of an order list, wide enough for ``min_length`` characters
    (so the filter beside it keeps its place whichever choice is shown)."""
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(min_length)
    return combo


class OrderListPage(RowListPage[OrderT]):
    """The list half of an order page, mixed into its QWidget as :class:`RowListPage` is.

    The page makes ``status_combo`` (see :func:`status_combo`), connects its
    ``currentIndexChanged`` to :meth:`_apply_status`, and names in ``open_statuses`` the
    statuses its "open" choice shows.
    """

    status_combo: QComboBox
    open_statuses: ClassVar[tuple[Enum, ...]]

    def _apply_status(self, *_args: object) -> None:
        """Show the loaded orders the status combo lets through: all, the open ones, or
        those in one status."""
        chosen = self.status_combo.currentData()
        if chosen == ALL_STATUSES:
            rows = self._rows
        elif chosen == OPEN_STATUSES:
            rows = [r for r in self._rows if r.status in self.open_statuses]
        else:
            rows = [r for r in self._rows if r.status.value == chosen]
        self.model.set_rows(rows)
        self._update_count()

    def _count_text(self, shown: int, total: int) -> str:
        return count_text(
            shown,
            total,
            ngettext("{n} order", "{n} orders", total),
            ngettext("{shown} of {n} order", "{shown} of {n} orders", total),
        )
