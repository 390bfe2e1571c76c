"""Many assessments' figures at once: the set-based reads and the one vectorised pass behind the
supervisor page, the area workbook and the area summary (:mod:`.area`).

One agency's dashboard rates its assessment with :func:`scoring.assess` (intervals, alpha,
distributions: :func:`.results.stored_result`).  A comparison of hundreds or thousands of
agencies shows only point figures — indicators, parts, total, tier, missed floors — so it reads
what every agency needs in a few queries for the whole scope and rates the assessments whose
stored points are missing or stale in one pass of :func:`scoring.score_agencies` per instrument
set (the same formulas: both go through :mod:`scoring.rollup`).

The points are stored as their own variant of the stored result (:data:`POINTS`, in
``scored_result``) under the same rule as the full result (:mod:`.result_store`): a row is used
only while its fingerprint equals the fingerprint of its inputs now, here everything the point
figures depend on — the code, the set and its hash, the score map, the published responses
(per instrument: how many and the newest publication) and the judged OIT items.  The
fingerprints are taken before the answers are read and again after; a point whose inputs
changed meanwhile is shown but not stored.  So nothing has to be invalidated, and a change
shows at once.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from questionnaires import InstrumentSet
from questionnaires.score_maps import apply_score_map, score_maps
from scoring import score_agencies
from scoring.report import SCHEMA_VERSION
from scoring.responses import score_responses
from scoring.rollup import oit_checklist_indicators

from ..models import Assessment, OitResult, Response, ResponseLayout, ScoredResult, utcnow
from .compact import code_columns, decode
from .id_lists import among, rows_of
from .instrument_sets import pinned_set
from .publication import PUBLISHED, marks_of
from .result_store import code_digest, set_digest

#: The stored result's variant of the point figures (no intervals, no statistics).
POINTS = "points:collected"

#: The columns of an assessment the bulk pass reads (Core rows, no ORM objects).
ASSESSMENT_COLUMNS = (Assessment.id, Assessment.agency_id, Assessment.fiscal_year_be,
                      Assessment.instrument_set, Assessment.instrument_set_sha256,
                      Assessment.score_map, Assessment.eit_minimum, Assessment.indicator_target)

_CHUNK = 5000  # ids per IN list (SQLite's bound parameters; PostgreSQL's plan size)


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for k in range(0, len(ids), _CHUNK):
        yield list(ids[k:k + _CHUNK])


def oit_marks_of(session: Session, assessment_ids: Sequence[int]) -> dict[int, str]:
    """Assessment id → its judged OIT items as ``item:1`` / ``item:0``, sorted and joined by
    commas (absent: none judged), in one query per chunk."""
    out: dict[int, str] = {}
    for ids in _chunks(assessment_ids):
        text = sa.func.aggregate_strings(
            OitResult.item + sa.case((OitResult.passed, ":1"), else_=":0"), ",")
        rows = rows_of(session,
            sa.select(OitResult.assessment_id, text)
            .where(among(session, OitResult.assessment_id, ids), OitResult.passed.is_not(None))
            .group_by(OitResult.assessment_id))
        out.update((a, ",".join(sorted(joined.split(",")))) for a, joined in rows)
    return out


def _judged(marks: str) -> dict[str, bool]:
    """:func:`oit_marks_of`'s text as item → passed."""
    return {part[:-2]: part[-1] == "1" for part in marks.split(",")} if marks else {}


def points_fingerprints(assessments: Sequence[Any], isets: dict[int, InstrumentSet],
                        marks: dict[int, dict[str, list[int]]], oit: dict[int, str]
                        ) -> dict[int, str]:
    """Assessment id → the SHA-256 of everything its point figures depend on (module
    docstring): the code, the variant, the set and its hash, the score map, the published
    responses per instrument (``marks``) and the judged OIT items (``oit``), joined by ``|``.
    The part common to a set and score map is hashed once and each assessment's own part
    added to a copy."""
    bases: dict[tuple, Any] = {}
    out = {}
    for a in assessments:
        iset = isets[a.id]
        head = (a.instrument_set, set_digest(a, iset), a.score_map or "")
        base = bases.get(head)
        if base is None:
            base = bases[head] = hashlib.sha256(
                "|".join([code_digest(), POINTS, *head, ""]).encode())
        digest = base.copy()
        digest.update((json.dumps(marks.get(a.id, {}), sort_keys=True) + "|"
                       + oit.get(a.id, "")).encode())
        out[a.id] = digest.hexdigest()
    return out


def _stored_points(session: Session, assessment_ids: Sequence[int]
                   ) -> dict[int, tuple[str, dict[str, float | None]]]:
    owners, keys, texts = [], [], []
    for ids in _chunks(assessment_ids):
        rows = session.execute(
            sa.select(ScoredResult.assessment_id, ScoredResult.fingerprint, ScoredResult.precise)
            .where(among(session, ScoredResult.assessment_id, ids), ScoredResult.variant == POINTS,
                   ScoredResult.schema_version == SCHEMA_VERSION))
        for assessment_id, key, precise in rows:
            owners.append(assessment_id)
            keys.append(key)
            texts.append(precise)
    documents = json.loads("[" + ",".join(texts) + "]")  # one parse for the scope
    return {a: (key, document["indicators"])
            for a, key, document in zip(owners, keys, documents, strict=True)}


def _save_points(session: Session, points: dict[int, tuple[str, dict[str, float | None]]]
                 ) -> None:
    if not points:
        return
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    now = utcnow()
    ids = sorted(points)
    keys = [points[a][0] for a in ids]
    texts = [json.dumps({"indicators": points[a][1], "total": None}, separators=(",", ":"))
             for a in ids]
    statement = insert(ScoredResult)
    updated = ("fingerprint", "scores", "precise", "schema_version", "computed_at")
    if postgresql:  # every row in one statement: three arrays, unnested by the server
        from sqlalchemy.dialects.postgresql import ARRAY
        given = sa.func.unnest(sa.bindparam("ids", ids, type_=ARRAY(sa.Integer)),
                               sa.bindparam("keys", keys, type_=ARRAY(sa.String)),
                               sa.bindparam("texts", texts, type_=ARRAY(sa.Text))) \
            .table_valued("assessment_id", "fingerprint", "precise").render_derived()
        statement = statement.from_select(
            ["assessment_id", "variant", "fingerprint", "scores", "precise", "schema_version",
             "computed_at"],
            sa.select(given.c.assessment_id, sa.literal(POINTS), given.c.fingerprint,
                      sa.literal("{}"), given.c.precise, sa.literal(SCHEMA_VERSION),
                      sa.literal(now, ScoredResult.computed_at.type)))
        session.execute(statement.on_conflict_do_update(
            index_elements=[ScoredResult.assessment_id, ScoredResult.variant],
            set_={k: statement.excluded[k] for k in updated}))
        return
    statement = statement.on_conflict_do_update(
        index_elements=[ScoredResult.assessment_id, ScoredResult.variant],
        set_={k: statement.excluded[k] for k in updated})
    rows = [{"assessment_id": a, "variant": POINTS, "fingerprint": key, "scores": "{}",
             "precise": text, "schema_version": SCHEMA_VERSION, "computed_at": now}
            for a, key, text in zip(ids, keys, texts, strict=True)]
    for k in range(0, len(rows), 1000):
        session.execute(statement, rows[k:k + 1000])


def collected_points(session: Session, assessments: Sequence[Any], *,
                     marks: dict[int, dict[str, list[int]]] | None = None,
                     oit: dict[int, str] | None = None) -> dict[int, dict[str, float | None]]:
    """Assessment id → its indicator scores (unrounded; None where unknown) from the answers
    collected here, as :func:`.results.collected_result` gives them: the stored points where
    current, the others rated now in one vectorised pass per set and stored (module docstring).

    ``assessments``: rows with :data:`ASSESSMENT_COLUMNS` (or Assessment objects); ``marks``
    and ``oit``: their :func:`.publication.marks_of` and :func:`oit_marks_of` if the caller has
    read them already (read here otherwise).
    """
    if not assessments:
        return {}
    ids = [a.id for a in assessments]
    isets = _sets(session, assessments)
    marks = marks_of(session, ids) if marks is None else marks
    oit = oit_marks_of(session, ids) if oit is None else oit

    def keys(of: Sequence[Any]) -> dict[int, str]:
        return points_fingerprints(of, isets, marks, oit)

    before = keys(assessments)
    stored = _stored_points(session, ids)
    out = {a: stored[a][1] for a in ids if a in stored and stored[a][0] == before[a]}
    stale = [a for a in assessments if a.id not in out]
    if not stale:
        return out
    fresh = _rate(session, stale, isets, oit)
    out.update(fresh)
    stale_ids = [a.id for a in stale]
    marks, oit = marks_of(session, stale_ids), oit_marks_of(session, stale_ids)
    after = keys(stale)  # what changed while the answers were read is shown, not stored
    _save_points(session, {a: (before[a], fresh[a]) for a in stale_ids if after[a] == before[a]})
    return out


def _sets(session: Session, assessments: Sequence[Any]) -> dict[int, InstrumentSet]:
    """Assessment id → the set it was created with (:func:`.instrument_sets.pinned_set`)."""
    by_key: dict[tuple, InstrumentSet] = {}
    out = {}
    for a in assessments:
        key = (a.instrument_set, a.instrument_set_sha256)
        if key not in by_key:
            by_key[key] = pinned_set(session, *key)
        out[a.id] = by_key[key]
    return out


def _rate(session: Session, assessments: Sequence[Any], isets: dict[int, InstrumentSet],
          oit: dict[int, str]) -> dict[int, dict[str, float | None]]:
    """Rate assessments from their published answers and OIT checklists: one
    :func:`scoring.score_agencies` pass per (set, score map)."""
    groups: dict[tuple, list[Any]] = {}
    for a in assessments:
        groups.setdefault((id(isets[a.id]), a.score_map), []).append(a)
    out: dict[int, dict[str, float | None]] = {}
    for members in groups.values():
        iset = isets[members[0].id]
        score_map = members[0].score_map
        rated_on = apply_score_map(iset, score_maps().get(score_map)) if score_map else iset
        ids = [a.id for a in members]
        frames = {inst: answers_frame(session, ids, inst, iset.columns_for(inst))
                  for inst in ("IIT", "EIT")}
        known = {o.code for o in iset.oit_items}
        checklists = {}
        for a in ids:
            judged = {k: v for k, v in _judged(oit.get(a, "")).items() if k in known}
            if judged:  # none judged: OIT unknown (as on the dashboard)
                checklists[a] = judged
        # every checklist scored at once (unjudged items count as not passed, as on the
        # dashboard: scoring.rollup.oit_checklist_indicators)
        given = oit_checklist_indicators(iset, pd.DataFrame.from_dict(checklists, orient="index")) \
            if checklists else None
        table = score_agencies(
            rated_on, by="assessment",
            iit=frames["IIT"] if len(frames["IIT"]) else None,
            eit=frames["EIT"] if len(frames["EIT"]) else None,
            given=given)
        codes = list(iset.indicators)
        values = table.reindex(ids)[codes] if len(table) else pd.DataFrame(index=ids,
                                                                            columns=codes)
        for a, row in zip(ids, values.itertuples(index=False, name=None), strict=True):
            out[a] = {c: None if v is None or (isinstance(v, float) and math.isnan(v))
                      else float(v) for c, v in zip(codes, row, strict=True)}
    return out


def item_means_of(session: Session, assessments: Sequence[Any]) -> pd.DataFrame:
    """Each survey item's answers and mean per assessment, from the published answers (as
    :func:`scoring.assess` summarises each item, without the statistics): one row per
    assessment and item answered, columns ``agency`` (the assessment id), ``item``,
    ``indicator``, ``instrument``, ``n`` and ``mean`` (:func:`scoring.pool_item_means`'s
    input).  One read of the answers per instrument and (set, score map)."""
    isets = _sets(session, assessments)
    groups: dict[tuple, list[Any]] = {}
    for a in assessments:
        groups.setdefault((id(isets[a.id]), a.score_map), []).append(a)
    parts = []
    for members in groups.values():
        iset = isets[members[0].id]
        score_map = members[0].score_map
        rated_on = apply_score_map(iset, score_maps().get(score_map)) if score_map else iset
        ids = [a.id for a in members]
        for inst in ("IIT", "EIT"):
            frame = answers_frame(session, ids, inst, iset.columns_for(inst))
            if not len(frame):
                continue
            owners, labels = pd.factorize(frame["assessment"].to_numpy(), sort=True)
            scored = score_responses(frame, rated_on, inst, extra_columns=("assessment",))
            for k, (code, indicator) in enumerate(zip(scored.items, scored.item_indicator,
                                                      strict=True)):
                column = scored.item_scores[:, k]
                answered = ~np.isnan(column)
                n = np.bincount(owners, weights=answered, minlength=len(labels))
                total = np.bincount(owners, weights=np.where(answered, column, 0.0),
                                    minlength=len(labels))
                hit = n > 0
                parts.append(pd.DataFrame({
                    "agency": labels[hit], "item": code, "indicator": indicator,
                    "instrument": inst, "n": n[hit].astype(int), "mean": total[hit] / n[hit]}))
    columns = ["agency", "item", "indicator", "instrument", "n", "mean"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def answers_frame(session: Session, assessment_ids: Sequence[int], instrument: str,
                  columns: Sequence[str]) -> pd.DataFrame:
    """The published answers of one instrument of many assessments, as one code frame (the
    set's ``columns``) with an ``assessment`` column: one SELECT of the compact answers per
    chunk of assessments, decoded once per stored layout."""
    columns = list(columns)
    connection = session.connection()
    layouts: dict[int, str] = {}
    blobs: dict[str, tuple[list[int], list[bytes]]] = {}
    for ids in _chunks(assessment_ids):
        layouts.update(connection.execute(
            sa.select(ResponseLayout.assessment_id, ResponseLayout.questions)
            .where(among(session, ResponseLayout.assessment_id, ids),
                   ResponseLayout.instrument == instrument)).all())
        result = connection.execute(
            sa.select(Response.assessment_id, Response.answers)
            .where(among(session, Response.assessment_id, ids), Response.instrument == instrument,
                   PUBLISHED)
            .order_by(Response.assessment_id, Response.id))
        try:
            rows = result.cursor.fetchall()  # no Row objects per response
        finally:
            result.close()
        for assessment_id, answers in rows:
            owners, data = blobs.setdefault(layouts.get(assessment_id, ""), ([], []))
            owners.append(assessment_id)
            data.append(bytes(answers))
    if not blobs:
        return pd.DataFrame(columns=[*columns, "assessment"])
    owners_all, matrices = [], []
    for layout, (owners, data) in blobs.items():
        matrices.append(decode(data, layout.split(), columns))
        owners_all.extend(owners)
    frame = pd.DataFrame(code_columns(np.concatenate(matrices), columns))
    frame["assessment"] = np.asarray(owners_all, dtype=np.int64)
    return frame
