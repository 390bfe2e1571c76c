"""A demo agency with an open assessment, IIT codes and plausible responses.

The current assessment (B.E. 2569) runs on the 2569 instrument set; a closed B.E. 2566
assessment on ita-2566 keeps the seed document's year, so that the yearly report of the seed's
methodology and the history (the seed's published totals) still show.

The ``ita demo`` command, the tests and the benchmarks build it; no service, view or respondent
page imports it (an import-linter contract in ``pyproject.toml`` says so).  The figures and
names it uses are in :mod:`.data`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Agency, Assessment, Role, utcnow
from ..services.agencies import get_or_create_agency
from ..services.assessments import (
    AssessmentState,
    assessment_state,
    create_assessment,
    response_counts,
)
from ..services.ballots import erase_mixed_ballots, mix_assessment
from ..services.codes import format_code, hash_code, issue_codes
from ..services.instrument_sets import assessment_set, load_set
from ..services.publication import release_due
from ..services.published import published_for, published_years, set_published
from ..services.responses import local_today, store_eit_response, store_iit_response
from .data import (
    DEMO_ADMIN,
    DEMO_AGENCY,
    DEMO_MEASURES,
    DEMO_OIT_FAILS,
    DEMO_OIT_FAILS_2566,
    DEMO_PAST_TOTALS,
    DEMO_PUBLISHED_2566,
    DEMO_SCHOOLS,
    DEMO_SCHOOLS_COMPLETE,
    DEMO_SET,
    DEMO_VIEWER_OTHER,
    DEMO_YEAR,
    EIT_GROUP_WEIGHTS,
    ORDINAL_WEIGHTS,
    OTHER_AGENCY,
    PAST_DEMO_SET,
    PAST_DEMO_YEAR,
    YESNO_WEIGHTS,
)


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
    viewer_login: dict[str, str] | None = None
    child_agencies: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: The closed B.E. 2566 assessment on ita-2566 (the seed's year and methodology).
    past_assessment_id: int | None = None
    past_fiscal_year_be: int | None = None
    past_instrument_set: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def plausible_answers(
    session: Session, instrument_set: str, instrument: str, rng: np.random.Generator, *,
    ordinal_weights: tuple[float, ...] = ORDINAL_WEIGHTS,
    yesno_weights: tuple[float, ...] = YESNO_WEIGHTS,
) -> dict[str, int]:
    """Return one respondent's answers, mostly the best-scoring option of each question.

    Each respondent has a general view of the agency (a tilt drawn once) that colours all their
    answers alike, as real answers do; without it the items would be independent and every
    indicator's Cronbach's alpha would sit near zero.
    """
    iset = load_set(instrument_set, session)
    tilt = rng.normal(0.6, 0.8)
    answers: dict[str, int] = {}
    for column, ranked, base in _ranked_options(iset, instrument, ordinal_weights,
                                                yesno_weights):
        weights = base * np.exp(-tilt * np.arange(len(ranked)))  # best first
        answers[column] = int(rng.choice(ranked, p=weights / weights.sum()))
    return answers


def _ranked_options(iset, instrument: str, ordinal_weights: tuple[float, ...] = ORDINAL_WEIGHTS,
                    yesno_weights: tuple[float, ...] = YESNO_WEIGHTS):
    """Per question: (column, its option codes best-scoring first, their base weights)."""
    for item in iset.items_for(instrument):
        for q in item.questions:
            scores = item.scale.scores(q.direction)
            ranked = sorted(scores, key=scores.get, reverse=True)
            yield q.column, ranked, np.asarray(_level_weights(
                yesno_weights if item.scale.kind == "yes_no" else ordinal_weights, len(ranked)))


def plausible_codes(iset, instrument: str, n: int, rng: np.random.Generator
                    ) -> tuple[list[str], np.ndarray]:
    """``n`` respondents' answers at once, drawn as :func:`plausible_answers` draws one
    (a general view per respondent tilting every answer alike): (columns, uint8 matrix)."""
    tilt = rng.normal(0.6, 0.8, size=(n, 1))
    columns, out = [], []
    for column, ranked, base in _ranked_options(iset, instrument):
        weights = base * np.exp(-tilt * np.arange(len(ranked)))
        cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
        pick = (rng.random((n, 1)) > cumulative[:, :-1]).sum(axis=1)
        columns.append(column)
        out.append(np.asarray(ranked, dtype=np.uint8)[pick])
    return columns, np.column_stack(out) if out else np.empty((n, 0), dtype=np.uint8)


#: Of ``ita demo --responses N``: the share that is IIT (staff); the rest is EIT.  As in
#: ``benchmarks/score_bench.py``'s national year: 40 % IIT, 60 % EIT.
SYNTHETIC_IIT_SHARE = 0.4


def add_synthetic_responses(session: Session, assessment: Assessment, n: int, *,
                            timezone: str = "Asia/Bangkok", seed: int = 2569) -> dict[str, int]:
    """Add ``n`` synthetic plausible responses (40 % IIT, 60 % EIT) to ``assessment``; commits.

    Bulk compact inserts (``compact.insert_coded``), days spread over the window so far.  The
    IIT rows go straight into ``response``, not through the ballot box: they are made up, no
    code is redeemed, so there is no redeem transaction to unlink them from and no one to
    protect (SECURITY.md); their order is random all the same.  Returns rows added per
    instrument.
    """
    from ..services.compact import insert_coded

    if n < 0:
        raise ValueError("the number of responses cannot be negative")
    rng = np.random.default_rng(seed + n)
    iset = assessment_set(assessment)
    today = local_today(timezone)
    first = min(local_today(timezone, assessment.opens_at), today)
    span = (today - first).days + 1
    connection = session.connection()
    added = {}
    n_iit = round(n * SYNTHETIC_IIT_SHARE)
    for instrument, count in (("IIT", n_iit), ("EIT", n - n_iit)):
        columns, codes = plausible_codes(iset, instrument, count, rng)
        offsets = rng.integers(0, span, count)
        days_by_offset = [first + dt.timedelta(days=int(d)) for d in range(span)]
        groups = None
        if instrument == "EIT":
            known = [g for g in EIT_GROUP_WEIGHTS if g in {r.code for r in iset.respondent_groups}]
            weights = np.asarray([EIT_GROUP_WEIGHTS[g] for g in known])
            groups = [known[k] for k in rng.choice(len(known), count, p=weights / weights.sum())]
        added[instrument] = insert_coded(
            connection, assessment.id, instrument, columns, codes,
            submitted_on=[days_by_offset[d] for d in offsets], groups=groups)
    session.commit()
    return added


def _level_weights(weights: tuple[float, ...], levels: int) -> list[float]:
    """The first ``levels`` weights; a longer scale halves the last weight for each extra level."""
    out = list(weights[:levels])
    while len(out) < levels:
        out.append(out[-1] / 2)
    return out


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
    batch_size: int = 5,
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
            eit_minimum=load_set(DEMO_SET, session).methodology.minimum_sample["EIT"].count,
        )
        codes = issue_codes(session, assessment, iit_codes, key=code_key, batch="demo")
        session.commit()
        today = local_today(timezone, now)
        for i, code in enumerate(codes[:iit_responses]):
            store_iit_response(
                session, assessment, hash_code(code_key, code),
                plausible_answers(session, DEMO_SET, "IIT", rng),
                submitted_on=today - dt.timedelta(days=int(i % 20)),
            )
        _mix_demo_ballots(session, assessment)
        groups = list(EIT_GROUP_WEIGHTS)
        weights = list(EIT_GROUP_WEIGHTS.values())
        for i in range(eit_responses):
            store_eit_response(
                session, assessment, str(rng.choice(groups, p=weights)),
                plausible_answers(session, DEMO_SET, "EIT", rng),
                submitted_on=today - dt.timedelta(days=int(i % 20)),
            )
        unused = codes[iit_responses:]
    else:
        if assessment_state(assessment, now) is not AssessmentState.OPEN:
            assessment.opens_at = min(assessment.opens_at, now - dt.timedelta(days=1))
            assessment.closes_at = now + dt.timedelta(days=90)
            notes.append("The demo assessment had closed; its closing date was moved on.")
        unused = issue_codes(session, assessment, extra_codes, key=code_key, batch="demo-extra")
        session.commit()
        notes.append("The demo already existed: no responses were added; fresh codes issued.")

    base = base_url.rstrip("/")
    past = ensure_past_demo(session, agency, code_key=code_key, seed=seed)
    console = ensure_demo_console(session, agency, assessment, code_key=code_key,
                                  base_url=base, timezone=timezone, seed=seed)
    # What the mixer would release within seconds: the closed years' and schools' answers, and
    # the open year's EIT in a batch (its IIT waits for the close: publication.py).
    release_due(session, batch_size=batch_size)
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
        iit_code_urls=[f"{base}/iit/{token}#{c}" for c in printed],
        responses=response_counts(session, assessment),
        admin_login=console.admin_login,
        viewer_login=console.viewer_login,
        child_agencies=console.children,
        notes=notes + console.notes,
        past_assessment_id=past.id,
        past_fiscal_year_be=past.fiscal_year_be,
        past_instrument_set=past.instrument_set,
    )


def _mix_demo_ballots(session: Session, assessment: Assessment) -> None:
    """Mix the demo's IIT ballots into its results at once, as one batch (made-up answers:
    there is no one to protect, and a newcomer should see every result straight away)."""
    engine = session.get_bind()
    if mix_assessment(engine, assessment.id, minimum=1):
        erase_mixed_ballots(engine)


#: The B.E. 2566 answer window (the fiscal year runs from October 2565 to September 2566).
_PAST_WINDOW = (dt.datetime(2023, 3, 1, 1, 0, tzinfo=dt.UTC),
                dt.datetime(2023, 5, 31, 9, 30, tzinfo=dt.UTC))


def ensure_past_demo(session: Session, agency: Agency, *, code_key: str, seed: int,
                     iit_responses: int = 40, eit_responses: int = 120) -> Assessment:
    """The demo office's closed B.E. 2566 assessment on ita-2566 (idempotent; commits).

    Its answers are generated like the current year's (a well-run office, as the seed's
    figures: "our own survey"); its checklist and improvement measures are the seed's (nearly).
    The seed's published result (``DEMO_PUBLISHED_2566``) is the year's result: the dashboard,
    reports and the history of later years show it.
    """
    existing = session.scalar(sa.select(Assessment).where(
        Assessment.agency_id == agency.id, Assessment.fiscal_year_be == PAST_DEMO_YEAR,
        Assessment.instrument_set == PAST_DEMO_SET))
    if existing is not None:
        _publish_2566(session, agency)
        session.commit()
        return existing
    now = utcnow()
    rng = np.random.default_rng(seed + 2566)
    # Answers are taken only while an assessment is open: open it now, then move its window
    # back to B.E. 2566 once the answers are in.
    past = create_assessment(session, agency, fiscal_year_be=PAST_DEMO_YEAR,
                             instrument_set=PAST_DEMO_SET, opens_at=now - dt.timedelta(days=1),
                             closes_at=now + dt.timedelta(days=1),
                             eit_minimum=load_set(PAST_DEMO_SET, session)
                             .methodology.minimum_sample["EIT"].count)
    codes = issue_codes(session, past, iit_responses, key=code_key, batch="demo-2566")
    session.commit()
    opens, closes = _PAST_WINDOW
    day = opens.date()
    for i, code in enumerate(codes):
        store_iit_response(session, past, hash_code(code_key, code),
                           plausible_answers(session, PAST_DEMO_SET, "IIT", rng),
                           submitted_on=day + dt.timedelta(days=i % 60))
    _mix_demo_ballots(session, past)
    groups, weights = list(EIT_GROUP_WEIGHTS), list(EIT_GROUP_WEIGHTS.values())
    for i in range(eit_responses):
        store_eit_response(session, past, str(rng.choice(groups, p=weights)),
                           plausible_answers(session, PAST_DEMO_SET, "EIT", rng),
                           submitted_on=day + dt.timedelta(days=i % 60))
    past.opens_at, past.closes_at = opens, closes
    _seed_oit(session, past, DEMO_OIT_FAILS_2566, "https://www.cmi3.example.go.th")
    _seed_measures(session, past)
    _publish_2566(session, agency)
    session.commit()
    return past


def _publish_2566(session: Session, agency: Agency) -> None:
    """Give the office its published B.E. 2566 result (the seed's), unless it has one."""
    if published_for(session, agency.id, PAST_DEMO_YEAR) is None:
        set_published(session, agency, PAST_DEMO_YEAR, dict(DEMO_PUBLISHED_2566),
                      source="demo", entered_by="demo")


# -- the console's side of the demo: accounts, a small hierarchy, OIT, past results ---------


@dataclass
class DemoConsole:
    admin_login: dict[str, str]
    viewer_login: dict[str, str]
    children: list[dict]
    notes: list[str]


def _demo_account(session: Session, username: str, role: str, agency: Agency,
                  display_name: str) -> tuple[str, bool]:
    """Create the account, or give it a fresh password; return (password, created)."""
    import secrets

    from ..models import User
    from ..services.accounts import create_user, set_password

    password = secrets.token_urlsafe(12)
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        create_user(session, username=username, password=password, role=role, agency=agency,
                    display_name=display_name)
        return password, True
    set_password(session, user, password)
    return password, False


def _seed_oit(session: Session, assessment: Assessment, fails: tuple[str, ...],
              site: str) -> None:
    from ..models import OitResult

    if session.scalar(sa.select(sa.func.count()).select_from(OitResult)
                      .where(OitResult.assessment_id == assessment.id)):
        return
    for item in assessment_set(assessment).oit_items:
        passed = item.code not in fails
        session.add(OitResult(
            assessment_id=assessment.id, item=item.code, passed=passed,
            evidence_urls=f"{site}/ita/{assessment.fiscal_year_be}/{item.code.lower()}" if passed else "",
            note="" if passed else "ยังไม่ได้เผยแพร่ข้อมูลบนเว็บไซต์ของหน่วยงาน"))



def _seed_measures(session: Session, assessment: Assessment) -> None:
    from ..models import ImprovementMeasure
    from ..quarters import parse_period

    if session.scalar(sa.select(sa.func.count()).select_from(ImprovementMeasure)
                      .where(ImprovementMeasure.assessment_id == assessment.id)):
        return
    session.add_all(
        ImprovementMeasure(assessment_id=assessment.id, indicator=indicator, measure=measure,
                           responsible=responsible, steps=steps, position=k,
                           **dict(zip(("start_quarter", "end_quarter", "period"),
                                      parse_period(period), strict=True)))
        for k, (indicator, measure, responsible, steps, period) in enumerate(DEMO_MEASURES))


def ensure_demo_console(session: Session, agency: Agency, assessment: Assessment, *,
                        code_key: str, base_url: str, timezone: str, seed: int) -> DemoConsole:
    """Add the console's demo data (idempotent; commits): child schools with assessments and
    responses, OIT results, past totals, two improvement measures, a demo admin of CMI3 and a
    viewer of another office.

    Accounts get a fresh random password on every run (it is printed; only its hash is kept).
    """
    now = utcnow()
    today = local_today(timezone, now)
    rng = np.random.default_rng(seed + 1)
    notes: list[str] = []
    children = []
    for code, name_th, name_en, headcount, weights, fails in DEMO_SCHOOLS:
        school, _ = get_or_create_agency(session, code=code, name_th=name_th, name_en=name_en,
                                         agency_type="school", eligible_headcount=headcount,
                                         parent=agency)
        school_assessment = session.scalar(sa.select(Assessment).where(
            Assessment.agency_id == school.id, Assessment.fiscal_year_be == DEMO_YEAR,
            Assessment.instrument_set == DEMO_SET))
        if school_assessment is None:
            school_assessment = create_assessment(
                session, school, fiscal_year_be=DEMO_YEAR, instrument_set=DEMO_SET,
                opens_at=assessment.opens_at, closes_at=assessment.closes_at)
            n_iit = headcount if code in DEMO_SCHOOLS_COMPLETE else max(headcount * 2 // 3, 5)
            codes = issue_codes(session, school_assessment, n_iit + 3, key=code_key,
                                batch="demo")
            session.commit()
            for i, c in enumerate(codes[:n_iit]):
                store_iit_response(session, school_assessment, hash_code(code_key, c),
                                   plausible_answers(session, DEMO_SET, "IIT", rng, ordinal_weights=weights),
                                   submitted_on=today - dt.timedelta(days=i % 10))
            _mix_demo_ballots(session, school_assessment)
            for i in range(30 + headcount):
                group = str(rng.choice(list(EIT_GROUP_WEIGHTS), p=list(EIT_GROUP_WEIGHTS.values())))
                store_eit_response(session, school_assessment, group,
                                   plausible_answers(session, DEMO_SET, "EIT", rng, ordinal_weights=weights),
                                   submitted_on=today - dt.timedelta(days=i % 10))
            # The schools have closed (their answers are all in), so their results, IIT
            # included, are published; the office's own year is still open.
            school_assessment.closes_at = now - dt.timedelta(days=1)
        _seed_oit(session, school_assessment, fails, f"https://{code.lower()}.example.ac.th")
        children.append({"agency_code": code, "agency_name_th": name_th,
                         "assessment_id": school_assessment.id,
                         "responses": response_counts(session, school_assessment)})
    _seed_oit(session, assessment, DEMO_OIT_FAILS, "https://www.cmi3.example.go.th")
    known = published_years(session, agency)
    for year, score in DEMO_PAST_TOTALS.items():
        if year not in known:
            set_published(session, agency, year, {"total": score}, source="demo",
                          entered_by="demo")
    _seed_measures(session, assessment)
    other, _ = get_or_create_agency(session, **OTHER_AGENCY)
    admin_password, admin_new = _demo_account(
        session, DEMO_ADMIN, Role.AGENCY_ADMIN, agency, "ผู้ดูแลการประเมิน สพป.เชียงใหม่ เขต 3 (ตัวอย่าง)")
    viewer_password, _ = _demo_account(
        session, DEMO_VIEWER_OTHER, Role.VIEWER, other, "ผู้ดูข้อมูล สพป.เชียงใหม่ เขต 1 (ตัวอย่าง)")
    session.commit()
    if not admin_new:
        notes.append("The demo accounts already existed: they were given new passwords.")
    login_url = f"{base_url}/admin/login"
    return DemoConsole(
        admin_login={"url": login_url, "username": DEMO_ADMIN, "password": admin_password,
                     "role": Role.AGENCY_ADMIN, "agency": agency.code},
        viewer_login={"url": login_url, "username": DEMO_VIEWER_OTHER,
                      "password": viewer_password, "role": Role.VIEWER, "agency": other.code},
        children=children,
        notes=notes,
    )
