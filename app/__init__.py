"""Hylla: stock control for small warehouses."""

from __future__ import annotations

__version__ = "0.1.0"
