"""The stored scored result of an assessment, and the fingerprint that says it is still right.

A stored result (``scored_result``) is used only while its fingerprint equals the fingerprint
of the assessment's inputs now, so a writer that forgets to say "the data changed" cannot make
a page show an old figure: there is nothing to invalidate.  The fingerprint is the SHA-256 of
everything a result depends on, each read with a query that costs about the same at 1,000 and
at 100,000 responses:

- the published responses: per instrument, how many and the newest publication (published
  responses only change by a new publication: ``publication.py``);
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

Ballots still waiting in the box and responses not yet published are not results yet and
are not part of it.
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
from scoring.assess import (
    AssessmentResult,
    GroupResult,
    IndicatorResult,
    InstrumentResult,
    ItemSummary,
    QuestionSummary,
    SubIndicatorResult,
)
from scoring.report import SCHEMA_VERSION
from scoring.report import result_to_dict as _result_to_dict
from scoring.statistics import Summary
from scoring.tiers import FloorMiss, IndicatorWeight, InstrumentNeed, TierGap
from scoring.trend import TrendRow

from ..models import Assessment, OitResult, ResponseImport, ScoredResult, utcnow
from . import publication

_PACKAGE = Path(__file__).resolve().parent.parent
#: The code a result depends on: a change in any of these files changes every fingerprint.
CODE_FILES = (
    *sorted((_PACKAGE.parent / "scoring").glob("*.py")),
    *sorted((_PACKAGE.parent / "questionnaires").glob("*.py")),
    *(_PACKAGE / "services" / f"{name}.py"
      for name in ("results", "result_store", "imports", "exports", "oit", "instrument_sets",
                   "publication", "bulk_results")),
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
    #: "collected" (the answers collected here) or "published" (NACC's published figures).
    source: str = "collected"
    #: The published result it was rated from (``source == "published"``).
    published: Any = None


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
    """Instrument → [published responses, newest publication id] (``publication.marks``)."""
    return publication.marks(session, assessment_id)


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
        "score_map": assessment.score_map,
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
        sa.select(ScoredResult.fingerprint, ScoredResult.scores, ScoredResult.precise,
                  ScoredResult.schema_version)
        .where(ScoredResult.assessment_id == assessment_id, ScoredResult.variant == variant)
    ).first()
    if row is None or row.schema_version != SCHEMA_VERSION:
        return None  # another shape of stored result: recomputed
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
              "scores": scores_text, "precise": precise_text, "schema_version": SCHEMA_VERSION,
              "computed_at": utcnow()}
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(ScoredResult).values(**values)
    session.execute(statement.on_conflict_do_update(
        index_elements=[ScoredResult.assessment_id, ScoredResult.variant],
        set_={k: statement.excluded[k] for k in ("fingerprint", "scores", "precise",
                                                 "schema_version", "computed_at")}))
    return _decode(scores_text, precise_text, computed=True)


# -- the typed result back from its stored object ---------------------------------------------


def result_to_dict(result: AssessmentResult) -> dict[str, Any]:
    """:func:`scoring.report.result_to_dict`: the stored object of a result (figures rounded
    once, there), ``schema_version`` :data:`SCHEMA_VERSION`."""
    return _result_to_dict(result)


def result_from_dict(scores: dict[str, Any], iset: InstrumentSet) -> AssessmentResult:
    """Rebuild scoring's typed :class:`~scoring.AssessmentResult` from :func:`result_to_dict`'s
    object (a stored result, or a published one rated on the set), its figures as rounded there.

    ``iset`` is the set the result was rated on (its verdict tiers).  So a computed and a
    published result reach the view models as the same typed objects.

    Raises ``ValueError`` for an object of another ``schema_version``.
    """
    version = scores.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ValueError(f"stored result of schema version {version!r}; this code reads "
                         f"{SCHEMA_VERSION}")
    tiers = {v.code: v for v in iset.methodology.verdicts}
    indicators = {code: _indicator(code, d) for code, d in scores["indicators"].items()}
    instruments = {
        code: InstrumentResult(
            code=code, name_th=d["name_th"], name_en=d["name_en"], score=d["score"],
            weight=d["weight"], weighted=d["weighted"], responses=d["responses"],
            minimum_sample=d["minimum_sample"], sample_met=d["sample_met"],
            margin_of_error=d["margin_of_error"], bootstrap=_pair(d["bootstrap_ci95"]),
            interval_note=d["none_reasons"].get("bootstrap_ci95"))
        for code, d in scores["instruments"].items()}
    verdict = scores["verdict"]
    gap = scores["gap"]
    intervals = scores["intervals"]
    return AssessmentResult(
        instrument_set=scores["instrument_set"], fiscal_year_be=scores["fiscal_year_be"],
        indicators=indicators, instruments=instruments, total=scores["total"],
        grade=scores["grade"], verdict=None if verdict is None else tiers[verdict["code"]],
        passed=scores["passed"], total_bootstrap=_pair(scores["total_bootstrap_ci95"]),
        target=scores["target"], strengths=tuple(scores["strengths"]),
        to_develop=tuple(scores["to_develop"]),
        eit_groups=tuple(GroupResult(code=g["code"], label_th=g["label_th"],
                                     label_en=g["label_en"], n=g["n"],
                                     suppressed=g["suppressed"], indicators=g["indicators"],
                                     score=g["score"]) for g in scores["eit_groups"]),
        history=tuple(TrendRow(h["fiscal_year_be"], h["total"], h["development"],
                               h["difference"]) for h in scores["history"]),
        headcount=scores["headcount"], bootstrap_resamples=scores["bootstrap"]["resamples"],
        # results stored before the bootstrap could stop early drew all they were allowed
        bootstrap_maximum=scores["bootstrap"].get("max_resamples",
                                                  scores["bootstrap"]["resamples"]),
        seed=scores["bootstrap"]["seed"],
        floors_missed=() if verdict is None else tuple(
            FloorMiss(f["instrument"], f["score"], f["floor"], f["tier"])
            for f in verdict.get("floors_missed", ())),
        gap=None if gap is None else TierGap(
            tier=tiers[gap["next_tier"]["code"]], total=gap["total"]["score"],
            total_met=gap["total"]["met"],
            instruments=tuple(InstrumentNeed(code, n["score"], n["floor"], n["for_total"],
                                             n["need"], n["met"], n["reachable"])
                              for code, n in gap["instruments"].items()),
            indicators=tuple(IndicatorWeight(w["code"], w["instrument"], w["per_point"],
                                             w["score"], w["max_gain"])
                             for w in gap["indicators"])),
        interval_method=intervals["method"], total_interval_note=intervals["total_none_reason"])


def _pair(pair: list[float] | None) -> tuple[float, float] | None:
    return None if not pair else (pair[0], pair[1])


def _summary(d: dict[str, Any]) -> Summary | None:
    if d["n"] is None:
        return None
    reasons = d.get("none_reasons", {})
    ci = d["ci95"]
    return Summary(n=d["n"], no_answer=d["no_answer"], mean=d["mean"], sd=d["sd"],
                   median=d["median"], ci_low=ci[0] if ci else None,
                   ci_high=ci[1] if ci else None,
                   note=reasons.get("mean") or reasons.get("sd") or reasons.get("ci95"))


def _indicator(code: str, d: dict[str, Any]) -> IndicatorResult:
    summary = _summary(d)
    reasons = d["none_reasons"]
    own = {k: v for k, v in reasons.items() if k in ("cronbach_alpha", "bootstrap_ci95")}
    return IndicatorResult(
        code=code, instrument=d["instrument"], name_th=d["name_th"], name_en=d["name_en"],
        score=d["score"], source=d["source"], grade=d["grade"], passed=d["passed"],
        summary=summary, bootstrap=_pair(d["bootstrap_ci95"]), alpha=d["cronbach_alpha"],
        notes=own,
        items=tuple(
            ItemSummary(code=it["code"], indicator=code, summary=_summary(it),
                        questions=tuple(
                            QuestionSummary(column=q["column"], n=q["n"],
                                            no_answer=q["no_answer"], mean=q["mean"],
                                            distribution={int(o): (v["count"], v["percent"])
                                                          for o, v in q["distribution"].items()},
                                            note=q["none_reasons"].get("mean"))
                            for q in it["questions"]))
            for it in d["items"]),
        sub_indicators=tuple(
            SubIndicatorResult(s, code, sub["name_th"], sub["name_en"], sub["score"],
                               sub["source"], sub["items"], sub["items_passed"])
            for s, sub in d["sub_indicators"].items()))
