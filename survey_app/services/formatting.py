"""How a figure or a typed text is written for a person: the one "two decimals or a dash"
rule, and a text split into its lines.

Figures arrive already rounded by :mod:`scoring`; this only writes them out.
"""

from __future__ import annotations

DASH = "–"


def two_decimals(value: float | None, *, signed: bool = False, dash: str = DASH) -> str:
    """Write ``value`` with two decimals (``+``/``-`` first when ``signed``), or ``dash`` for None."""
    if value is None:
        return dash
    return f"{value:+.2f}" if signed else f"{value:.2f}"


def split_lines(text: str | None) -> tuple[str, ...]:
    """Split a typed text into its lines: ``\\r\\n`` is one break, blank lines go."""
    if not text:
        return ()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return tuple(line.strip() for line in lines if line.strip())
