"""The stored scored result of an assessment, and the fingerprint that says it is still right.

A stored result (``scored_result``) is used only while its fingerprint equals the fingerprint
of the assessment's inputs now, so a writer that forgets to say "the data changed" cannot make
a page show an old figure: there is nothing to invalidate.  The fingerprint is the SHA-256 of
everything a result depends on, each read with a query that costs about the same at 1,000 and
at 100,000 responses:

- the collected responses: per instrument, how many and the largest id (responses are never
  updated or deleted, and a mixed IIT batch or an EIT submission adds rows with new ids);
- the judged OIT items (item → passed; at most a checklist's length);
- with imported rehearsal sets: each import's id, instrument and rows (a set is never changed,
  only added or removed);
- the assessment's settings: fiscal year, instrument set and the hash it is pinned to, the
  indicator target, the EIT minimum; the agency's eligible headcount;
- the earlier years' totals the trend uses (entered past results, or the stored results of the
  agency's earlier assessments, themselves fingerprinted);
- how it is computed: the variant (responses included, interval method, resamples, seed) and a
  hash of the code that computes it (``scoring``, ``questionnaires`` and the modules that build
  its inputs), so an upgrade with changed formulas recomputes every result.

Ballots still waiting in the box are not results yet and are not part of it.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from questionnaires import InstrumentSet

from ..models import Assessment, OitResult, Response, ResponseImport, ResponseTally, ScoredResult, utcnow

_PACKAGE = Path(__file__).resolve().parent.parent
#: The code a result depends on: a change in any of these files changes every fingerprint.
CODE_FILES = (
    *sorted((_PACKAGE.parent / "scoring").glob("*.py")),
    *sorted((_PACKAGE.parent / "questionnaires").glob("*.py")),
    *(_PACKAGE / "services" / f"{name}.py"
      for name in ("results", "result_store", "imports", "exports", "oit", "instrument_sets")),
)


@dataclass(frozen=True)
class StoredResult:
    """An assessment's result as stored: what every reader of the cache gets.

    ``scores`` is :func:`scoring.report.result_to_dict`'s object (read back from its JSON, the
    same on the call that computed it as on every later one); ``indicators`` and ``total`` are
    the unrounded scores (None where unknown); ``computed`` says whether this call computed it.
    """

    scores: dict[str, Any]
    indicators: dict[str, float | None]
    total: float | None
    computed: bool = False


@functools.cache
def code_digest() -> str:
    """SHA-256 over the source of the code that computes a result (once per process)."""
    digest = hashlib.sha256()
    for path in CODE_FILES:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


_SET_DIGESTS: dict[int, tuple[InstrumentSet, str]] = {}


def set_digest(assessment: Assessment, iset: InstrumentSet) -> str:
    """The hash an assessment's set is pinned to; for an unpinned (older) row, of the set itself."""
    if assessment.instrument_set_sha256:
        return assessment.instrument_set_sha256
    known = _SET_DIGESTS.get(id(iset))
    if known is None or known[0] is not iset:
        known = (iset, hashlib.sha256(repr(iset).encode()).hexdigest())
        _SET_DIGESTS[id(iset)] = known
    return known[1]


def response_marks(session: Session, assessment_id: int) -> dict[str, list[int]]:
    """Instrument → [responses, largest response id] of the collected responses.

    The count comes from the tally; the largest id from the response index (assessment,
    instrument, id): both a few rows at any size.
    """
    marks = {}
    for instrument, n in session.execute(
            sa.select(ResponseTally.instrument, sa.func.sum(ResponseTally.responses))
            .where(ResponseTally.assessment_id == assessment_id)
            .group_by(ResponseTally.instrument)):
        top = session.scalar(sa.select(sa.func.max(Response.id)).where(
            Response.assessment_id == assessment_id, Response.instrument == instrument))
        marks[instrument] = [int(n), int(top)]
    return marks


def oit_marks(session: Session, assessment_id: int) -> list[list]:
    """[item, passed] of every judged OIT item, in item order."""
    rows = session.execute(
        sa.select(OitResult.item, OitResult.passed)
        .where(OitResult.assessment_id == assessment_id, OitResult.passed.is_not(None))
        .order_by(OitResult.item))
    return [[item, bool(passed)] for item, passed in rows]


def import_marks(session: Session, assessment_id: int) -> list[list]:
    """[id, instrument, rows] of every imported rehearsal set."""
    rows = session.execute(
        sa.select(ResponseImport.id, ResponseImport.instrument, ResponseImport.rows)
        .where(ResponseImport.assessment_id == assessment_id).order_by(ResponseImport.id))
    return [[i, instrument, n] for i, instrument, n in rows]


def fingerprint(session: Session, assessment: Assessment, iset: InstrumentSet, *,
                variant: str, include_imported: bool | str,
                history: list[tuple[int, float]]) -> str:
    """Return the SHA-256 of everything the assessment's result depends on (module docstring)."""
    parts = {
        "code": code_digest(),
        "variant": variant,
        "set": [assessment.instrument_set, set_digest(assessment, iset)],
        "fiscal_year_be": assessment.fiscal_year_be,
        "target": assessment.indicator_target,
        "eit_minimum": assessment.eit_minimum,
        "headcount": assessment.agency.eligible_headcount,
        "responses": response_marks(session, assessment.id),
        "oit": oit_marks(session, assessment.id),
        "imports": import_marks(session, assessment.id) if include_imported else None,
        "history": [[year, total] for year, total in history],
    }
    text = json.dumps(parts, sort_keys=True, ensure_ascii=True, allow_nan=True)
    return hashlib.sha256(text.encode()).hexdigest()


def load(session: Session, assessment_id: int, variant: str
         ) -> tuple[str, StoredResult] | None:
    """The stored (fingerprint, result) of one variant of an assessment's result, if any."""
    row = session.execute(
        sa.select(ScoredResult.fingerprint, ScoredResult.scores, ScoredResult.precise)
        .where(ScoredResult.assessment_id == assessment_id, ScoredResult.variant == variant)
    ).first()
    if row is None:
        return None
    return row.fingerprint, _decode(row.scores, row.precise)


def _decode(scores: str, precise: str, *, computed: bool = False) -> StoredResult:
    exact = json.loads(precise)
    return StoredResult(scores=json.loads(scores), indicators=exact["indicators"],
                        total=exact["total"], computed=computed)


def save(session: Session, assessment_id: int, variant: str, key: str, *,
         scores: dict[str, Any], indicators: dict[str, float | None],
         total: float | None) -> StoredResult:
    """Store (insert or replace) one variant of a result in the caller's transaction.

    Written in the same transaction as the reads it came from, so a rollback takes it back with
    them; two requests computing the same result at once both write it, the later one wins
    (``ON CONFLICT DO UPDATE``, no error).  Returns the result as read back from what was stored.
    """
    scores_text = json.dumps(scores, ensure_ascii=False, separators=(",", ":"))
    precise_text = json.dumps({"indicators": indicators, "total": total},
                              separators=(",", ":"))
    values = {"assessment_id": assessment_id, "variant": variant, "fingerprint": key,
              "scores": scores_text, "precise": precise_text, "computed_at": utcnow()}
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(ScoredResult).values(**values)
    session.execute(statement.on_conflict_do_update(
        index_elements=[ScoredResult.assessment_id, ScoredResult.variant],
        set_={k: statement.excluded[k] for k in ("fingerprint", "scores", "precise",
                                                 "computed_at")}))
    return _decode(scores_text, precise_text, computed=True)
