"""Hylla's own benchmark: DESIGN.md's large data set and the speed budgets measured on it.

Run it with ``python -m benchmarks`` (see ``benchmarks/__main__.py``).
"""
