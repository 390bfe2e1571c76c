"""The OIT checklist: what an admin judged, with its evidence, and the scores it gives so far."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from questionnaires import load_instrument_set
from scoring.rollup import oit_indicators, oit_sub_indicator_scores

from ..models import Assessment, OitResult


def oit_results(session: Session, assessment: Assessment) -> dict[str, bool]:
    """Return the judged OIT items of ``assessment`` as item code → passed.

    Items not judged yet are absent: ``scoring.assess(..., oit=..., oit_missing="fail")``
    counts them as not passed, which is what the checklist page shows while it is filled in.
    """
    rows = session.execute(
        sa.select(OitResult.item, OitResult.passed).where(
            OitResult.assessment_id == assessment.id, OitResult.passed.is_not(None))
    )
    return {item: bool(passed) for item, passed in rows}


@dataclass(frozen=True)
class OitEntry:
    """One checklist item as the admin fills it in."""

    item: str
    passed: bool | None
    evidence_urls: tuple[str, ...] = ()
    note: str = ""


def oit_entries(session: Session, assessment: Assessment) -> dict[str, OitEntry]:
    rows = session.scalars(sa.select(OitResult).where(OitResult.assessment_id == assessment.id))
    return {
        r.item: OitEntry(r.item, r.passed, tuple(u for u in r.evidence_urls.splitlines() if u),
                         r.note)
        for r in rows
    }


def parse_evidence_urls(text: str) -> tuple[tuple[str, ...], list[str]]:
    """Split one-URL-per-line text; return (urls, the lines that are not http(s) URLs)."""
    urls, bad = [], []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            parts = urlsplit(line)
            ok = parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in line
        except ValueError:
            ok = False
        (urls if ok else bad).append(line)
    return tuple(urls), bad


def save_oit(session: Session, assessment: Assessment, entries: list[OitEntry]) -> list[str]:
    """Store the checklist; return the codes of the items whose judgement or evidence changed."""
    known = {o.code for o in load_instrument_set(assessment.instrument_set).oit_items}
    existing = {r.item: r for r in session.scalars(
        sa.select(OitResult).where(OitResult.assessment_id == assessment.id))}
    changed = []
    for entry in entries:
        if entry.item not in known:
            raise ValueError(f"unknown OIT item {entry.item!r}")
        urls = "\n".join(entry.evidence_urls)
        row = existing.get(entry.item)
        if row is None:
            if entry.passed is None and not urls and not entry.note:
                continue
            row = OitResult(assessment_id=assessment.id, item=entry.item)
            session.add(row)
        elif (row.passed, row.evidence_urls, row.note) == (entry.passed, urls, entry.note):
            continue
        row.passed, row.evidence_urls, row.note = entry.passed, urls, entry.note
        changed.append(entry.item)
    session.flush()
    return changed


@dataclass(frozen=True)
class OitScores:
    judged: int
    items: int
    sub_indicators: dict[str, float]
    indicators: dict[str, float]


def oit_scores(instrument_set: str, passed: dict[str, bool]) -> OitScores:
    """Score the checklist as it stands (unjudged items count as not passed), via ``scoring``."""
    iset = load_instrument_set(instrument_set)
    subs = oit_sub_indicator_scores(iset, passed, missing="fail")
    return OitScores(len(passed), len(iset.oit_items), subs, oit_indicators(iset, subs))
