"""Counts in words, one way everywhere: ``1 item``, ``2 items``, ``1 delivery``."""

from __future__ import annotations


def counted(n: int, unit: str) -> str:
    """``n`` with its unit, given in the plural (``items``, ``deliveries``); thousands grouped."""
    if n != 1:
        return f"{n:,} {unit}"
    return f"1 {unit[:-3]}y" if unit.endswith("ies") else f"1 {unit.removesuffix('s')}"
