"""Order quantities: the economic order quantity, and rounding to packs and MOQ.

EOQ (Harris 1913): Q* = sqrt(2 D S / (h c)) with D the annual demand, S the cost of
placing one order, h the yearly holding rate (a fraction of the unit cost) and c the
unit cost. It minimises the yearly ordering cost D S / Q plus holding cost h c Q / 2.
"""

from __future__ import annotations

import numpy as np

# Quantities are stored with three decimals (app/models/base.py Qty).
QTY_DECIMALS = 3
_QTY_STEP = 10.0**-QTY_DECIMALS
# Float noise below this share of a pack does not make another pack.
_PACK_TOLERANCE = 1e-9


def eoq(
    annual_demand: np.ndarray | float,
    ordering_cost: np.ndarray | float,
    unit_cost: np.ndarray | float,
    holding_rate: np.ndarray | float,
) -> np.ndarray:
    """Q* = sqrt(2 D S / (h c)); NaN where the unit cost, holding rate or ordering cost
    cannot give one (c ≤ 0, h ≤ 0, S < 0 or not a number); 0 without demand."""
    demand = np.asarray(annual_demand, dtype=np.float64)
    order = np.asarray(ordering_cost, dtype=np.float64)
    cost = np.asarray(unit_cost, dtype=np.float64)
    rate = np.asarray(holding_rate, dtype=np.float64)
    holding = rate * cost
    valid = (holding > 0) & (order >= 0) & np.isfinite(holding) & np.isfinite(order)
    with np.errstate(divide="ignore", invalid="ignore"):
        quantity = np.sqrt(2.0 * np.maximum(demand, 0.0) * order / holding)
    return np.where(valid, quantity, np.nan)


def annual_cost(
    quantity: np.ndarray | float,
    annual_demand: np.ndarray | float,
    ordering_cost: np.ndarray | float,
    unit_cost: np.ndarray | float,
    holding_rate: np.ndarray | float,
) -> np.ndarray:
    """Yearly ordering + cycle-stock holding cost of ordering ``quantity`` each time:
    D S / Q + h c Q / 2 (inf for Q ≤ 0 with demand)."""
    q = np.asarray(quantity, dtype=np.float64)
    demand = np.asarray(annual_demand, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ordering = np.where(demand > 0, demand * ordering_cost / q, 0.0)
    ordering = np.where((demand > 0) & (q <= 0), np.inf, ordering)
    return ordering + np.asarray(holding_rate) * np.asarray(unit_cost) * q / 2.0


def round_up_to_step(quantity: np.ndarray | float) -> np.ndarray:
    """``quantity`` rounded up to the Qty scale (0.001), ignoring float noise below it."""
    q = np.asarray(quantity, dtype=np.float64)
    return np.round(np.ceil(np.round(q / _QTY_STEP, 6)) * _QTY_STEP, QTY_DECIMALS)


def round_to_packs(
    raw_qty: np.ndarray | float,
    pack_size: np.ndarray | float,
    moq: np.ndarray | float,
) -> tuple[np.ndarray, np.ndarray]:
    """The quantity to order for each raw quantity, and whether the MOQ raised it.

    Nothing is ordered for a raw quantity ≤ 0. Otherwise the quantity is the raw one
    rounded up to whole packs (``pack_size`` NaN or ≤ 0: to the Qty scale), at least
    the MOQ (``moq`` NaN or ≤ 0: none), the MOQ itself rounded up to whole packs.
    """
    raw = np.asarray(raw_qty, dtype=np.float64)
    pack = np.asarray(pack_size, dtype=np.float64)
    minimum = np.asarray(moq, dtype=np.float64)
    raw, pack, minimum = np.broadcast_arrays(raw, pack, minimum)
    has_pack = np.isfinite(pack) & (pack > 0)
    safe_pack = np.where(has_pack, pack, 1.0)
    minimum = np.where(np.isfinite(minimum) & (minimum > 0), minimum, 0.0)

    def up(quantity: np.ndarray) -> np.ndarray:
        packs = np.ceil(quantity / safe_pack - _PACK_TOLERANCE)
        return np.where(has_pack, packs * safe_pack, round_up_to_step(quantity))

    by_raw = up(raw)
    by_moq = up(minimum)
    moq_applied = (raw > 0) & (by_moq > by_raw)
    quantity = np.where(raw > 0, np.maximum(by_raw, by_moq), 0.0)
    return np.round(quantity, QTY_DECIMALS + 3), moq_applied
