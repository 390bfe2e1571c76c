"""IIT one-time access codes: generate, print, normalise and hash.

A code is 10 characters from a 31-letter alphabet without the look-alikes 0/O, 1/I/L
(31**10 ≈ 2**49.5 possibilities), printed in groups as ``K7QM-4XPT-9C``.  Only a keyed hash is
stored.  A plain SHA-256 would not do: with only ~2**50 possible codes, anyone holding a copy of
the database could hash every possible code offline and recover the unused ones.  HMAC-SHA256
keyed with a server secret that is not in the database makes that impossible without the key.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass

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


# -- batches ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchRow:
    batch: str
    issued: int
    unused: int
    used: int
    revoked: int


def code_batches(session: Session, assessment: Assessment) -> list[BatchRow]:
    """Return each batch's code counts by status (counts only: codes are never readable)."""
    rows = session.execute(
        sa.select(AccessCode.batch, AccessCode.status, sa.func.count())
        .where(AccessCode.assessment_id == assessment.id)
        .group_by(AccessCode.batch, AccessCode.status)
    )
    counts: dict[str, dict[str, int]] = {}
    for batch, status, n in rows:
        counts.setdefault(batch, {})[status] = n
    return [
        BatchRow(b, sum(c.values()), c.get("unused", 0), c.get("used", 0), c.get("revoked", 0))
        for b, c in sorted(counts.items())
    ]


def next_batch_label(session: Session, assessment: Assessment) -> str:
    """Return a new batch label such as ``2569-01`` (year, then a running number)."""
    existing = set(session.scalars(
        sa.select(AccessCode.batch).where(AccessCode.assessment_id == assessment.id).distinct()))
    n = len(existing) + 1
    while f"{assessment.fiscal_year_be}-{n:02d}" in existing:
        n += 1
    return f"{assessment.fiscal_year_be}-{n:02d}"


def batch_exists(session: Session, assessment: Assessment, batch: str) -> bool:
    return session.scalar(sa.select(sa.func.count()).select_from(AccessCode).where(
        AccessCode.assessment_id == assessment.id, AccessCode.batch == batch)) > 0


def revoke_batch(session: Session, assessment: Assessment, batch: str) -> int:
    """Revoke the unused codes of one batch (used codes stay used); return how many."""
    result = session.execute(
        sa.update(AccessCode)
        .where(AccessCode.assessment_id == assessment.id, AccessCode.batch == batch,
               AccessCode.status == "unused")
        .values(status="revoked")
    )
    return result.rowcount


def codes_csv(rows: list[tuple[str, str]]) -> str:
    """Return ``code,url`` CSV text (UTF-8 with BOM when encoded, for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["code", "url"])
    writer.writerows(rows)
    return buffer.getvalue()
