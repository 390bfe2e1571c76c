"""The Content-Security-Policy every page is sent with, and the one exception pages may ask for."""

from __future__ import annotations

import base64
import hashlib

#: The pages need nothing from elsewhere: styles, images and the one script (``iit-code.js``,
#: which moves a slip's code from the URL fragment into the form) from us only; no inline script.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def policy_allowing_style(css: str) -> str:
    """Return the policy that also allows one inline ``<style>`` with exactly ``css`` (by hash)."""
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode()
    return CONTENT_SECURITY_POLICY.replace("style-src 'self'", f"style-src 'self' 'sha256-{digest}'")
