"""Improvement measures (มาตรการ): what an agency plans for each indicator it must raise."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from questionnaires import InstrumentSet

from ..models import Assessment, ImprovementMeasure
from .results import stored_result


def measures_by_indicator(session: Session, assessment: Assessment
                          ) -> dict[str, list[ImprovementMeasure]]:
    out: dict[str, list[ImprovementMeasure]] = {}
    for m in session.scalars(sa.select(ImprovementMeasure)
                             .where(ImprovementMeasure.assessment_id == assessment.id)
                             .order_by(ImprovementMeasure.indicator, ImprovementMeasure.position,
                                       ImprovementMeasure.id)):
        out.setdefault(m.indicator, []).append(m)
    return out


def measure_of(session: Session, assessment: Assessment, measure_id: int
               ) -> ImprovementMeasure | None:
    """Return one measure of ``assessment`` (None if it does not exist or is another's)."""
    row = session.get(ImprovementMeasure, measure_id)
    return row if row is not None and row.assessment_id == assessment.id else None


def add_measure(session: Session, assessment: Assessment, *, indicator: str, measure: str,
                responsible: str = "", steps: str = "", period: str = "") -> ImprovementMeasure:
    position = session.scalar(sa.select(sa.func.coalesce(sa.func.max(ImprovementMeasure.position), 0))
                              .where(ImprovementMeasure.assessment_id == assessment.id,
                                     ImprovementMeasure.indicator == indicator)) + 1
    row = ImprovementMeasure(assessment_id=assessment.id, indicator=indicator,
                             measure=measure.strip(), responsible=responsible.strip(),
                             steps=steps.strip(), period=period.strip(), position=position)
    session.add(row)
    session.flush()
    return row


def update_measure(row: ImprovementMeasure, *, indicator: str, measure: str,
                   responsible: str = "", steps: str = "", period: str = "") -> None:
    row.indicator = indicator
    row.measure = measure.strip()
    row.responsible = responsible.strip()
    row.steps = steps.strip()
    row.period = period.strip()


def indicator_scores(session: Session, assessment: Assessment) -> dict[str, float]:
    """Return this assessment's indicator scores known so far (from its stored result).

    Reading it may store a freshly computed result: the caller commits.
    """
    scores = stored_result(session, assessment).indicators
    return {c: score for c, score in scores.items() if score is not None}


def indicator_order(iset: InstrumentSet, scores: dict[str, float], target: float) -> list[str]:
    """Indicators below the target first, each group in the instrument set's order."""
    order = list(iset.indicators)
    below = [c for c in order if c in scores and scores[c] < target]
    return below + [c for c in order if c not in below]
