"""IIT one-time access codes: generate, print, normalise and hash.

A code is 10 characters from a 31-letter alphabet without the look-alikes 0/O, 1/I/L
(31**10 ≈ 2**49.5 possibilities), printed in groups as ``K7QM-4XPT-9C``.  Only a keyed hash is
stored.  A plain SHA-256 would not do: with only ~2**50 possible codes, anyone holding a copy of
the database could hash every possible code offline and recover the unused ones.  HMAC-SHA256
keyed with a server secret that is not in the database makes that impossible without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import AccessCode, Assessment

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
GROUPS = (4, 4, 2)
_HASH_CONTEXT = b"ita-access-code:v1:"


def generate_code() -> str:
    """Return a new random code, normalised (no dashes)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """Return a normalised code in its printed form, e.g. ``K7QM-4XPT-9C``."""
    parts, start = [], 0
    for size in GROUPS:
        parts.append(code[start : start + size])
        start += size
    return "-".join(parts)


def normalise_code(text: str) -> str | None:
    """Return the code a person typed, normalised; None if it cannot be a code.

    Case, spaces and dashes (including the typographic ones phones insert) do not matter.
    """
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\u2010\u2011\u2013\u2212\t")
    if len(cleaned) != CODE_LENGTH or not all(ch in ALPHABET for ch in cleaned):
        return None
    return cleaned


def hash_code(key: str, code: str) -> str:
    """Return the stored form of a normalised code: hex HMAC-SHA256 under ``key``."""
    return hmac.new(key.encode(), _HASH_CONTEXT + code.encode(), hashlib.sha256).hexdigest()


def issue_codes(
    session: Session, assessment: Assessment, count: int, *, key: str, batch: str
) -> list[str]:
    """Create ``count`` unused codes for ``assessment`` and return them (the only copy).

    The caller prints them and commits; the plain codes are never stored.
    """
    codes: list[str] = []
    hashes: set[str] = set()
    while len(codes) < count:
        code = generate_code()
        h = hash_code(key, code)
        if h in hashes:
            continue
        hashes.add(h)
        codes.append(code)
    # A collision with an existing code is astronomically unlikely; the unique constraint on
    # code_hash would make the commit fail rather than issue a duplicate.
    session.add_all(
        AccessCode(assessment_id=assessment.id, batch=batch, code_hash=h, status="unused")
        for h in (hash_code(key, c) for c in codes)
    )
    session.flush()
    return codes


def revoke_codes(session: Session, key: str, codes: Iterable[str]) -> int:
    """Revoke unused codes (e.g. a lost slip); return how many were revoked."""
    hashes = [hash_code(key, c) for c in (normalise_code(x) for x in codes) if c]
    result = session.execute(
        sa.update(AccessCode)
        .where(AccessCode.code_hash.in_(hashes), AccessCode.status == "unused")
        .values(status="revoked")
    )
    return result.rowcount
