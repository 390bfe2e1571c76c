"""A demo agency with an open assessment, IIT codes and plausible responses."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from questionnaires import load_instrument_set

from ..models import Agency, Assessment, utcnow
from .assessments import create_assessment, get_or_create_agency
from .codes import format_code, issue_codes
from .responses import local_today, response_counts, store_eit_response, store_iit_response

DEMO_AGENCY = {
    "code": "CMI3",
    "name_th": "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาเชียงใหม่ เขต 3",
    "name_en": "Chiang Mai Primary Educational Service Area Office 3",
    "agency_type": "area_office",
    "eligible_headcount": 90,
}
DEMO_YEAR = 2569
DEMO_SET = "ita-2566"
# Weights of the best, second-best … answer: a well-run office, as the seed's 2566 results.
_ORDINAL_WEIGHTS = (0.70, 0.24, 0.04, 0.02)
_YESNO_WEIGHTS = (0.94, 0.06)
_EIT_GROUP_WEIGHTS = {"school": 0.45, "public": 0.3, "private": 0.1, "state_agency": 0.1,
                      "other": 0.05}


@dataclass
class DemoInfo:
    created: bool
    agency_code: str
    agency_name_th: str
    agency_name_en: str
    assessment_id: int
    fiscal_year_be: int
    instrument_set: str
    opens_at: str
    closes_at: str
    iit_url: str
    eit_url: str
    eit_qr_png: str
    eit_qr_svg: str
    iit_qr_png: str
    unused_iit_codes: list[str]
    iit_code_urls: list[str]
    responses: dict[str, int]
    admin_login: dict[str, str] | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def plausible_answers(
    instrument_set: str, instrument: str, rng: np.random.Generator
) -> dict[str, int]:
    """Return one respondent's answers, mostly the best-scoring option of each question."""
    iset = load_instrument_set(instrument_set)
    answers: dict[str, int] = {}
    for item in iset.items_for(instrument):
        for q in item.questions:
            scores = item.scale.scores(q.direction)
            ranked = sorted(scores, key=scores.get, reverse=True)
            weights = _YESNO_WEIGHTS if len(ranked) == 2 else _ORDINAL_WEIGHTS
            answers[q.column] = int(rng.choice(ranked, p=weights[: len(ranked)]))
    return answers


def ensure_demo(
    session: Session,
    *,
    code_key: str,
    base_url: str,
    timezone: str = "Asia/Bangkok",
    seed: int = 2569,
    iit_codes: int = 50,
    iit_responses: int = 40,
    eit_responses: int = 200,
    extra_codes: int = 5,
) -> DemoInfo:
    """Create the demo (or reuse it) and return what a newcomer needs; commits.

    Running it again adds no responses: it issues ``extra_codes`` fresh unused codes, because
    the plain codes of earlier runs were never stored.
    """
    now = utcnow()
    rng = np.random.default_rng(seed)
    agency, _ = get_or_create_agency(session, **DEMO_AGENCY)
    assessment = session.scalar(
        sa.select(Assessment).where(
            Assessment.agency_id == agency.id,
            Assessment.fiscal_year_be == DEMO_YEAR,
            Assessment.instrument_set == DEMO_SET,
        )
    )
    notes: list[str] = []
    created = assessment is None
    if created:
        assessment = create_assessment(
            session,
            agency,
            fiscal_year_be=DEMO_YEAR,
            instrument_set=DEMO_SET,
            opens_at=now - dt.timedelta(days=21),
            closes_at=now + dt.timedelta(days=90),
            eit_minimum=load_instrument_set(DEMO_SET).methodology.minimum_sample["EIT"].count,
        )
        codes = issue_codes(session, assessment, iit_codes, key=code_key, batch="demo")
        session.commit()
        today = local_today(timezone, now)
        for i, code in enumerate(codes[:iit_responses]):
            store_iit_response(
                session, assessment, code, plausible_answers(DEMO_SET, "IIT", rng),
                key=code_key, submitted_on=today - dt.timedelta(days=int(i % 20)),
            )
        groups = list(_EIT_GROUP_WEIGHTS)
        weights = list(_EIT_GROUP_WEIGHTS.values())
        for i in range(eit_responses):
            store_eit_response(
                session, assessment, str(rng.choice(groups, p=weights)),
                plausible_answers(DEMO_SET, "EIT", rng),
                submitted_on=today - dt.timedelta(days=int(i % 20)),
            )
        unused = codes[iit_responses:]
    else:
        if not assessment.is_open(now):
            assessment.opens_at = min(assessment.opens_at, now - dt.timedelta(days=1))
            assessment.closes_at = now + dt.timedelta(days=90)
            notes.append("The demo assessment had closed; its closing date was moved on.")
        unused = issue_codes(session, assessment, extra_codes, key=code_key, batch="demo-extra")
        session.commit()
        notes.append("The demo already existed: no responses were added; fresh codes issued.")

    base = base_url.rstrip("/")
    token = assessment.public_token
    printed = [format_code(c) for c in unused]
    return DemoInfo(
        created=created,
        agency_code=agency.code,
        agency_name_th=agency.name_th,
        agency_name_en=agency.name_en,
        assessment_id=assessment.id,
        fiscal_year_be=assessment.fiscal_year_be,
        instrument_set=assessment.instrument_set,
        opens_at=assessment.opens_at.isoformat(timespec="seconds"),
        closes_at=assessment.closes_at.isoformat(timespec="seconds"),
        iit_url=f"{base}/iit/{token}",
        eit_url=f"{base}/eit/{token}",
        eit_qr_png=f"{base}/eit/{token}/qr.png",
        eit_qr_svg=f"{base}/eit/{token}/qr.svg",
        iit_qr_png=f"{base}/iit/{token}/qr.png",
        unused_iit_codes=printed,
        iit_code_urls=[f"{base}/iit/{token}?code={c}" for c in printed],
        responses=response_counts(session, assessment),
        notes=notes,
    )


def demo_agency(session: Session) -> Agency | None:
    return session.scalar(sa.select(Agency).where(Agency.code == DEMO_AGENCY["code"]))
