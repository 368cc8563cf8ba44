"""Translated names of stored codes (policies, move kinds), for showing only."""

from __future__ import annotations

from app.i18n import _
from app.models.enums import MoveKind, Policy


def policy_label(policy: Policy) -> str:
    """How a replenishment policy reads in the interface."""
    labels = {
        Policy.ZERO_POINT: _("Zero-point"),
        Policy.REORDER_POINT: _("Reorder point"),
        Policy.MIN_MAX: _("Min/max"),
        Policy.MANUAL: _("Manual"),
    }
    return labels[policy]


def move_kind_label(kind: MoveKind) -> str:
    """How a kind of stock move reads in the interface."""
    labels = {
        MoveKind.RECEIPT: _("Receipt"),
        MoveKind.ISSUE: _("Issue"),
        MoveKind.TRANSFER: _("Transfer"),
        MoveKind.ADJUSTMENT: _("Adjustment"),
        MoveKind.SCRAP: _("Scrap"),
        MoveKind.RETURN: _("Return"),
        MoveKind.OPENING: _("Opening balance"),
    }
    return labels[kind]


def yes_no(value: bool) -> str:
    """Yes or No."""
    return _("Yes") if value else _("No")
