"""How a figure is written for a person: the one "two decimals or a dash" rule.

Figures arrive already rounded by :mod:`scoring`; this only writes them out.
"""

from __future__ import annotations

DASH = "–"


def two_decimals(value: float | None, *, signed: bool = False, dash: str = DASH) -> str:
    """Write ``value`` with two decimals (``+``/``-`` first when ``signed``), or ``dash`` for None."""
    if value is None:
        return dash
    return f"{value:+.2f}" if signed else f"{value:.2f}"
