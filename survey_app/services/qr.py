"""QR codes for the public links, at print quality."""

from __future__ import annotations

import io

import segno

#: Error correction Q (25 %) survives a poster that is creased, stained or partly covered.
ERROR = "q"


def qr_png(url: str, *, scale: int = 10, border: int = 4) -> bytes:
    """Return a PNG of ``url``'s QR code (``scale`` pixels per module: sharp at A4 size)."""
    buffer = io.BytesIO()
    segno.make(url, error=ERROR, micro=False).save(
        buffer, kind="png", scale=scale, border=border, dark="#000000", light="#ffffff"
    )
    return buffer.getvalue()


def qr_svg(url: str, *, border: int = 4) -> bytes:
    """Return a scalable SVG of ``url``'s QR code (1 unit per module)."""
    buffer = io.BytesIO()
    segno.make(url, error=ERROR, micro=False).save(
        buffer, kind="svg", scale=1, border=border, xmldecl=True, svgns=True,
        title=url, dark="#000000", light="#ffffff", unit=None,
    )
    return buffer.getvalue()
