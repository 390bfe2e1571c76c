"""The OIT checklist: what an admin judged, with its evidence, the scores it gives so far, and
the checklist as a workbook for submission."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from scoring.rollup import oit_indicators, oit_sub_indicator_scores

from ..models import Assessment, OitResult
from .exports import neutralise
from .instrument_sets import assessment_set

#: The longest note an item keeps (characters).
NOTE_MAX = 4000
#: ``example.go.th/page``: a link typed without its scheme (a host with a dot, then a path).
_BARE_HOST = re.compile(r"^[^\s/:?#@]+\.[^\s/:?#@]+(?::\d+)?(?:[/?#]\S*)?$")


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
    """Split one-URL-per-line text; return (urls, the lines that are not http(s) URLs).

    A line typed without a scheme but starting with a host (``example.go.th/page``) gets
    ``https://``; anything else that is not an http(s) URL with a host is returned as bad.

    >>> parse_evidence_urls("example.go.th/ita\\nhttp://a.go.th\\nnot a link\\n")
    (('https://example.go.th/ita', 'http://a.go.th'), ['not a link'])
    """
    urls, bad = [], []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if "://" not in line and _BARE_HOST.match(line):
            line = "https://" + line
        try:
            parts = urlsplit(line)
            ok = parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in line
        except ValueError:
            ok = False
        (urls if ok else bad).append(line)
    return tuple(urls), bad


def save_oit(session: Session, assessment: Assessment, entries: list[OitEntry]) -> list[str]:
    """Store the checklist; return the codes of the items whose judgement or evidence changed."""
    known = {o.code for o in assessment_set(assessment).oit_items}
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


def oit_scores(assessment: Assessment, passed: dict[str, bool]) -> OitScores:
    """Score the checklist as it stands (unjudged items count as not passed), via ``scoring``."""
    iset = assessment_set(assessment)
    subs = oit_sub_indicator_scores(iset, passed, missing="fail")
    return OitScores(len(passed), len(iset.oit_items), subs, oit_indicators(iset, subs))


# -- the checklist as a workbook ----------------------------------------------------------------

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Column headers of the checklist download, Thai first (the submission is in Thai).
CHECKLIST_HEADER = (
    "ข้อ (item)", "ประเด็น (title)", "ตัวชี้วัดย่อย (sub-indicator)", "รอบการเผยแพร่ (due)",
    "ผลการตรวจ (judgement)", "ลิงก์หลักฐาน (evidence links)", "หมายเหตุ (notes)",
)
_JUDGEMENT = {True: "ผ่าน (pass)", False: "ไม่ผ่าน (fail)", None: "ยังไม่ตรวจ (not judged)"}
DUE_LABELS = {"monthly": "รายเดือน (monthly)", "quarterly": "รายไตรมาส (quarterly)",
              "half-year": "รอบ 6 เดือน (half-yearly)", "yearly": "รายปี (yearly)"}


def checklist_rows(session: Session, assessment: Assessment) -> list[tuple]:
    """One row per OIT item of the assessment's set, in the set's order, as stored."""
    iset = assessment_set(assessment)
    entries = oit_entries(session, assessment)
    rows = []
    for item in iset.oit_items:
        entry = entries.get(item.code, OitEntry(item.code, None))
        sub = iset.sub_indicators[item.sub_indicator]
        rows.append((item.code, item.text_th, f"{sub.code} {sub.name_th}",
                     DUE_LABELS.get(item.due or "", ""), _JUDGEMENT[entry.passed],
                     "\n".join(entry.evidence_urls), entry.note))
    return rows


def checklist_xlsx(session: Session, assessment: Assessment) -> bytes:
    """The OIT checklist as an XLSX workbook; every cell goes through :func:`neutralise`."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "OIT"
    sheet.append([neutralise(h) for h in CHECKLIST_HEADER])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in checklist_rows(session, assessment):
        sheet.append([neutralise(v) for v in row])
    for letter, width in zip("ABCDEFG", (7, 60, 40, 18, 18, 60, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
