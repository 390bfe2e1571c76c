"""Links that leave the site on paper: QR codes, printed slips and posters."""

from __future__ import annotations

from flask import current_app, url_for

from .config import PUBLIC_BASE_URL_MISSING, ConfigError


def public_url(endpoint: str, **values: object) -> str:
    """Return an absolute URL on ``PUBLIC_BASE_URL`` (QR codes, code slips, posters).

    Never built from the request's Host header, which a client chooses; only a laptop or the
    demo (embedded database) and tests without the setting fall back to the request's URL.
    """
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return str(base).rstrip("/") + url_for(endpoint, **values)
    if current_app.config.get("PUBLIC_URL_FROM_REQUEST"):
        return url_for(endpoint, _external=True, **values)
    raise ConfigError(PUBLIC_BASE_URL_MISSING)


def code_slip_url(token: str, printed_code: str) -> str:
    """Return the link a code slip's QR carries: the code sits in the URL fragment
    (``/iit/<token>#K7QM-4XPT-9C``), which browsers never send to a server or proxy."""
    return f"{public_url('respond.iit_code', token=token)}#{printed_code}"
