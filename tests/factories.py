"""Builders of the tests' data, in one place: apps' settings, agencies, assessments, accounts,
answers, responses and the respondent's walk through the forms.

The fixtures (tests/app/conftest.py, tests/app/admin/conftest.py) call these; the modules that
held them before (tests/app/conftest.py, tests/app/admin/console_world.py and
tests/app/admin/results_data.py) import them from here, so either import keeps working.

Every password the app hashes in a test process is hashed at a lower work factor
(``TEST_HASH_METHOD``, the autouse fixture ``test_password_hashes``), still scrypt and still
checked at sign-in by the app's own code: every console test signs in at least once, and the
app's strength (N=2**15, about a tenth of a second of CPU per hash or check) made those
sign-ins and accounts a large part of the suite.  The strength the app ships is checked where it
matters (tests/app/admin/test_console_auth.py::test_passwords_are_scrypt_hashes, under
``app_password_strength``); ``ita`` commands run as processes of their own hash at full strength.

Builders marked ``built_once`` (``seed_one`` and the area worlds of the results tests) run once
per test process, database kind and options; later tests get the rows they stored inserted as
they were.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import functools
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from unittest import mock

import numpy as np
import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from questionnaires import load_instrument_set
from survey_app.extensions import db
from survey_app.models import (
    Agency,
    Assessment,
    ImprovementMeasure,
    OitResult,
    Response,
    Role,
    User,
    utcnow,
)
from survey_app.services import accounts
from survey_app.services.accounts import create_user
from survey_app.services.agencies import get_or_create_agency
from survey_app.services.assessments import create_assessment
from survey_app.services.codes import issue_codes
from survey_app.services.compact import encode, layout_for
from survey_app.services.publication import release_due
from survey_app.services.published import set_published

SET = "ita-2566"
#: The password of every account of the console world (``build_world``).
PASSWORD = "a-long-test-password"
#: The password of the accounts of the seeded results data (``add_user``, ``seed_one``).
SEED_PASSWORD = "correct horse battery staple"


# -- passwords -------------------------------------------------------------------------------


#: scrypt at N=2**7 (the app's is N=2**15; below 2**7 Werkzeug's memory bound refuses it): the
#: same code paths, a third of a millisecond instead of a tenth of a second.
TEST_HASH_METHOD = "scrypt:128:8:1"
#: The work factor the app ships (``accounts.HASH_METHOD`` before any test changes it).
APP_HASH_METHOD = accounts.HASH_METHOD


@functools.cache
def password_hash(password: str) -> str:
    """A scrypt hash of ``password`` (``TEST_HASH_METHOD``), computed once per test process."""
    return generate_password_hash(password, TEST_HASH_METHOD)


@pytest.fixture(scope="session", autouse=True)
def test_password_hashes() -> Iterator[None]:
    """The app hashes passwords at ``TEST_HASH_METHOD`` for the whole test process (accounts it
    creates, passwords it sets, the unknown-username check at sign-in).  Autouse in
    tests/app/ and tests/browser/ (their conftests import it)."""
    with mock.patch.object(accounts, "HASH_METHOD", TEST_HASH_METHOD):
        yield


@contextlib.contextmanager
def app_password_strength() -> Iterator[None]:
    """While it lasts, the app hashes at the work factor it ships (``APP_HASH_METHOD``)."""
    with mock.patch.object(accounts, "HASH_METHOD", APP_HASH_METHOD):
        yield


def login(client, username: str = "admin", password: str = PASSWORD):
    """Sign in through the console's form; the answer must be the redirect to the console."""
    response = client.post("/admin/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)


# -- the app -----------------------------------------------------------------------------------


#: The apps' secret key, one per test process: each test has its own app, database and client,
#: and one key lets data built once per process (``build_world``'s access codes, hashed with the
#: key derived from it) be reused by every app.
PROCESS_SECRET_KEY = "test-secret-" + secrets.token_hex(8)


def app_config(database_url: str, tmp_path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": PROCESS_SECRET_KEY,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "ita.test",
    }
    config.update(overrides)
    return config


# -- data built once per test process, inserted as rows afterwards -----------------------------


#: Tables the database fills itself (triggers on ``response``: migration 0011_response_tally).
FILLED_BY_TRIGGERS = ("response_tally",)
_BUILT: dict[tuple, tuple[object, list[tuple[sa.Table, list[dict]]]]] = {}


def _tables() -> list[sa.Table]:
    from survey_app.models import Base

    return list(Base.metadata.sorted_tables)


def _is_empty(connection: sa.Connection) -> bool:
    """No row in any table (one query: whether any table has a row)."""
    return not connection.scalar(sa.select(sa.or_(*(sa.exists().select_from(t)
                                                    for t in _tables()))))


def _rows(connection: sa.Connection, table: sa.Table) -> list[dict]:
    order = list(table.primary_key.columns) or list(table.columns)
    return [dict(r) for r in connection.execute(sa.select(table).order_by(*order)).mappings()]


def built_once(builder):
    """Run ``builder(app, **options)`` on an empty database once per test process, database
    kind and options; on a later empty database insert the rows it stored, as they were (ids
    included; the triggers refill their tables, checked equal), and return its result again.

    For builders whose rows depend on the app's keys only through their options (``_world``
    takes its access codes' key as one).  On a database that is not empty the builder simply
    runs."""

    @functools.wraps(builder)
    def build(app, **options):
        with app.app_context():
            engine = db.engine
        with engine.connect() as connection:
            empty = _is_empty(connection)
        if not empty:
            return builder(app, **options)
        key = (builder.__module__, builder.__qualname__, engine.dialect.name,
               tuple(sorted(options.items())))
        if key not in _BUILT:
            result = builder(app, **options)
            with engine.connect() as connection:
                _BUILT[key] = (result, [(t, _rows(connection, t)) for t in _tables()])
            return copy.deepcopy(result)
        result, stored = _BUILT[key]
        with engine.begin() as connection:
            for table, rows in stored:
                if rows and table.name not in FILLED_BY_TRIGGERS:
                    connection.execute(table.insert(), rows)
            if engine.dialect.name == "postgresql":
                for table, rows in stored:
                    keys = [c for c in table.primary_key.columns if c.autoincrement is True
                            or (c.autoincrement == "auto" and isinstance(c.type, sa.Integer)
                                and len(table.primary_key.columns) == 1)]
                    for column in keys:
                        if rows:
                            connection.execute(sa.text(
                                "SELECT setval(pg_get_serial_sequence(:t, :c), :v)"),
                                {"t": table.name, "c": column.name,
                                 "v": max(r[column.name] for r in rows)})
            for table, rows in stored:
                if table.name in FILLED_BY_TRIGGERS:
                    assert _rows(connection, table) == rows, f"{table.name} refilled differently"
        return copy.deepcopy(result)

    return build


# -- one assessment with access codes ----------------------------------------------------------


@dataclass
class Setup:
    assessment_id: int
    token: str
    codes: list[str]


def make_assessment(
    app,
    *,
    codes: int = 3,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    agency_code: str = "TEST1",
) -> Setup:
    """Create an agency and an assessment (open now unless told) with ``codes`` IIT codes.

    Built once per test process, database kind, code key and options (``built_once``): a
    later test's empty database gets the same rows, codes and token."""
    return _assessment(app, codes=codes, opens_at=opens_at, closes_at=closes_at,
                       agency_code=agency_code, code_key=app.config["CODE_HASH_KEY"])


@built_once
def _assessment(app, *, codes: int, opens_at: dt.datetime | None, closes_at: dt.datetime | None,
                agency_code: str, code_key: str) -> Setup:
    now = utcnow()
    with app.app_context():
        session = db.session
        agency, _ = get_or_create_agency(
            session, code=agency_code, name_th="หน่วยงานทดสอบ", name_en="Test agency",
            agency_type="area_office", eligible_headcount=40,
        )
        assessment = create_assessment(
            session, agency, fiscal_year_be=2569, instrument_set=SET,
            opens_at=opens_at or now - dt.timedelta(days=1),
            closes_at=closes_at or now + dt.timedelta(days=30),
        )
        issued = issue_codes(session, assessment, codes, key=code_key, batch="test")
        session.commit()
        return Setup(assessment.id, assessment.public_token, issued)


def full_answers(instrument: str, option: int | None = None) -> dict[str, str]:
    """Every question of ``instrument`` answered (with its scale's first code unless told)."""
    iset = load_instrument_set(SET)
    answers = {}
    for item in iset.items_for(instrument):
        for q in item.questions:
            code = option if option in item.scale.codes else item.scale.options[-1].code
            answers[q.column] = str(code)
    return answers


def close_assessment(app, assessment_id: int) -> None:
    """Move an assessment's window into the past."""
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assessment.opens_at = utcnow() - dt.timedelta(days=30)
        assessment.closes_at = utcnow() - dt.timedelta(minutes=1)
        db.session.commit()


def count_rows(app, table: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))


def stored_answers(app, instrument: str | None = None, where: str = "") -> list[dict[str, int]]:
    """Each stored response's answers (column → option; blanks left out), oldest id first,
    decoded from ``response.answers`` with its layout."""
    from survey_app.services.compact import BLANK, stored_layout

    query = "SELECT id, assessment_id, instrument, answers FROM response"
    conditions = ([f"instrument = '{instrument}'"] if instrument else []) + (
        [where] if where else [])
    if conditions:
        query += " WHERE " + " AND ".join(conditions)
    with app.app_context():
        connection = db.session.connection()
        rows = connection.execute(sa.text(query + " ORDER BY id")).all()
        layouts = {(a, i): stored_layout(connection, a, i) for _id, a, i, _b in rows}
        return [{q: o for q, o in zip(layouts[(a, i)], bytes(b), strict=False) if o != BLANK}
                for _id, a, i, b in rows]


def count_answers(app) -> int:
    """How many answers (non-blank question cells) all stored responses hold."""
    return sum(len(a) for a in stored_answers(app))


def stored_iit(app) -> int:
    """IIT answers stored anywhere: ballots waiting in the box plus mixed IIT responses."""
    return count_rows(app, "ballot") + count_rows(app, "response WHERE instrument = 'IIT'")


def close_and_mix(app, assessment_id: int) -> int:
    """Close the assessment and run a pass of the mixer, as the console's close does: its
    remaining ballots are mixed and its answers published.  Returns the ballots mixed."""
    from survey_app.services.ballots import run_pass

    close_assessment(app, assessment_id)
    with app.app_context():
        report = run_pass(db.engine, batch_size=app.config["MIX_BATCH"])
    return report.mixed.get(assessment_id, 0)


def ticket_of(page: str) -> str:
    """The signed ticket of an IIT questionnaire page."""
    return re.search(r'name="ticket" value="([^"]+)"', page).group(1)


class Respondent:
    """Walks a test client through the respondent flows."""

    def __init__(self, client, token: str):
        self.client = client
        self.token = token

    def enter_code(self, code: str, *, eligible: bool = True):
        """Send the code page: the code, with the eligibility box ticked unless told (a valid
        code is answered with the questionnaire itself)."""
        data = {"code": code, **({"eligible": "y"} if eligible else {})}
        return self.client.post(f"/iit/{self.token}", data=data)

    def open_iit_questionnaire(self):
        """GET the questionnaire's own address (what its language switch opens)."""
        return self.client.get(f"/iit/{self.token}/questionnaire")

    def ticket(self) -> str:
        """The ticket of the questionnaire at its own address (the session's verified code)."""
        return ticket_of(self.open_iit_questionnaire().get_data(as_text=True))

    def start_iit(self, code: str) -> str:
        """Enter the code and confirm eligibility; return the ticket of the questionnaire
        that answers."""
        entered = self.enter_code(code)
        assert entered.status_code == 200, entered.status_code
        return ticket_of(entered.get_data(as_text=True))

    def submit_iit(self, ticket: str, answers: dict[str, str] | None = None, **extra):
        data = {"ticket": ticket, **(full_answers("IIT") if answers is None else answers)}
        data.update(extra)
        return self.client.post(f"/iit/{self.token}/questionnaire", data=data)

    def eit_nonce(self) -> str:
        page = self.client.get(f"/eit/{self.token}").get_data(as_text=True)
        return re.search(r'name="nonce" value="([^"]+)"', page).group(1)

    def submit_eit(self, answers: dict[str, str] | None = None, *, group: str | None = "public",
                   nonce: str | None = None, **extra):
        data = {"nonce": self.eit_nonce() if nonce is None else nonce,
                **(full_answers("EIT") if answers is None else answers)}
        if group is not None:
            data["respondent_group"] = group
        data.update(extra)
        return self.client.post(f"/eit/{self.token}", data=data)


# -- the console world: agencies A (with child A1) and B, an account of every role -------------

USERS = {
    # username: (role, agency code)
    "root": (Role.SYSTEM_ADMIN, None),
    "admin_a": (Role.AGENCY_ADMIN, "A"),
    "viewer_a": (Role.VIEWER, "A"),
    "admin_b": (Role.AGENCY_ADMIN, "B"),
    "viewer_b": (Role.VIEWER, "B"),
}


@dataclass
class World:
    agency: dict[str, int]  # code → id
    assessment: dict[str, int]  # agency code → assessment id
    measure: dict[str, int]  # agency code → an improvement measure id
    token: dict[str, str]  # agency code → public token


def build_world(app) -> World:
    """Agencies A (with child A1) and B, one open assessment each with two codes and a
    measure, and an account of every role in ``USERS`` (password ``PASSWORD``).

    Built once per test process, database kind and code key (``built_once``), its rows
    inserted as they were into a later test's empty database."""
    return _world(app, code_key=app.config["CODE_HASH_KEY"])


@built_once
def _world(app, *, code_key: str) -> World:
    now = utcnow()
    with app.app_context():
        s = db.session
        a, _ = get_or_create_agency(s, code="A", name_th="สำนักงาน ก", name_en="Office A",
                                    agency_type="area_office", eligible_headcount=40)
        a1, _ = get_or_create_agency(s, code="A1", name_th="โรงเรียน ก1", agency_type="school",
                                     eligible_headcount=12, parent=a)
        b, _ = get_or_create_agency(s, code="B", name_th="สำนักงาน ข", agency_type="area_office",
                                    eligible_headcount=30)
        agencies = {"A": a, "A1": a1, "B": b}
        assessments, measures = {}, {}
        for code, agency in agencies.items():
            assessment = create_assessment(
                s, agency, fiscal_year_be=2569, instrument_set=SET,
                opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=30))
            issue_codes(s, assessment, 2, key=code_key, batch="first")
            m = ImprovementMeasure(assessment_id=assessment.id, indicator="9",
                                   measure=f"มาตรการของ {code}")
            s.add(m)
            s.flush()
            assessments[code], measures[code] = assessment, m
        for username, (role, code) in USERS.items():
            create_user(s, username=username, password=PASSWORD, role=role,
                        agency=agencies[code] if code else None)
        s.commit()
        return World(
            agency={c: x.id for c, x in agencies.items()},
            assessment={c: x.id for c, x in assessments.items()},
            measure={c: x.id for c, x in measures.items()},
            token={c: x.public_token for c, x in assessments.items()},
        )


# -- results data: responses inserted as rows, from a seeded generator -------------------------


@dataclass
class Seeded:
    agency_id: int
    assessment_id: int
    code: str


def answers_for(iset, instrument: str, rng: np.random.Generator, quality: float) -> dict[str, int]:
    """One respondent: the best option with probability ``quality``, else any option."""
    out = {}
    for item in iset.items_for(instrument):
        for q in item.questions:
            scores = item.scale.scores(q.direction)
            best = max(scores, key=scores.get)
            out[q.column] = best if rng.random() < quality else int(rng.choice(sorted(scores)))
    return out


@functools.cache
def _drawn_answers(instrument_set: str, seed: int, iit: int, eit: int, quality: float,
                   eit_quality: float | None) -> dict[str, tuple[dict[str, int], ...]]:
    """The respondents of ``add_assessment``: ``iit`` then ``eit`` draws of ``answers_for`` from
    one generator seeded with ``seed``.  The same arguments draw the same answers, so they are
    drawn once per test process (read them, do not change them)."""
    iset = load_instrument_set(instrument_set)
    rng = np.random.default_rng(seed)
    eit_quality = quality if eit_quality is None else eit_quality
    return {"IIT": tuple(answers_for(iset, "IIT", rng, quality) for _ in range(iit)),
            "EIT": tuple(answers_for(iset, "EIT", rng, eit_quality) for _ in range(eit))}


def add_agency(session, code: str, name_th: str, *, parent: Agency | None = None,
               headcount: int | None = 60) -> Agency:
    agency = Agency(code=code, name_th=name_th, name_en=f"Agency {code}",
                    agency_type="area_office", eligible_headcount=headcount, parent=parent)
    session.add(agency)
    session.flush()
    return agency


def add_assessment(session, agency: Agency, *, year: int = 2569, iit: int = 35, eit: int = 60,
                   quality: float = 0.8, seed: int = 1, oit_failed: tuple[str, ...] = ("O29",),
                   oit_unjudged: tuple[str, ...] = (), groups: tuple[str, ...] | None = None,
                   eit_minimum: int | None = None, instrument_set: str = SET,
                   eit_quality: float | None = None, closed: bool = True) -> Assessment:
    """An assessment with ``iit`` and ``eit`` responses.  ``closed`` (the default): its window
    has ended and its answers are published, as the mixer does at the close (IIT reaches the
    results only then: SECURITY.md); otherwise it is open and only EIT (in a batch) is."""
    iset = load_instrument_set(instrument_set)
    now = utcnow()
    assessment = create_assessment(session, agency, fiscal_year_be=year,
                                   instrument_set=instrument_set,
                                   opens_at=now - dt.timedelta(days=10),
                                   closes_at=now + dt.timedelta(days=10),
                                   eit_minimum=eit_minimum)
    if closed:
        assessment.closes_at = now - dt.timedelta(hours=1)
    day = dt.date(2026, 11, 1)
    group_cycle = groups or ("school", "school", "public", "private", "state_agency")
    layouts: dict[tuple[str, frozenset[str]], tuple[str, ...]] = {}  # one lookup per column set
    drawn = _drawn_answers(instrument_set, seed, iit, eit, quality, eit_quality)
    for instrument, n in (("IIT", iit), ("EIT", eit)):
        for k in range(n):
            answers = drawn[instrument][k]
            key = (instrument, frozenset(answers))
            if key not in layouts:
                layouts[key] = layout_for(session.connection(), assessment.id, instrument, answers)
            layout = layouts[key]
            session.add(Response(
                assessment_id=assessment.id, instrument=instrument,
                submitted_on=day + dt.timedelta(days=k % 7),
                respondent_group=group_cycle[k % len(group_cycle)] if instrument == "EIT" else None,
                answers=encode(layout, answers)))
    for item in iset.oit_items:
        if item.code in oit_unjudged:
            continue
        session.add(OitResult(assessment_id=assessment.id, item=item.code,
                              passed=item.code not in oit_failed,
                              evidence_urls="https://example.test/" + item.code))
    session.flush()
    release_due(session, batch_size=5)  # what the mixer publishes (commits)
    return assessment


def add_user(session, username: str, role: str, agency: Agency | None) -> User:
    """An account of ``role`` whose password is ``SEED_PASSWORD``."""
    user = User(username=username, display_name=username, role=role,
                agency_id=agency.id if agency else None,
                password_hash=password_hash(SEED_PASSWORD))
    session.add(user)
    session.flush()
    return user


def publish(session, agency_id: int, year: int, scores: dict[str, float], *,
            keep_as_given: bool = False) -> None:
    """Enter a published result for an agency's year (as the console does; checked)."""
    set_published(session, session.get(Agency, agency_id), year, scores, source="console",
                  entered_by="test", keep_as_given=keep_as_given)


@built_once
def seed_one(app, *, code: str = "CMI3", name_th: str = "สำนักงานเขตพื้นที่การศึกษาทดสอบ",
             measures: bool = True, past: bool = True) -> Seeded:
    """One agency with a full assessment, two past totals and measures; an admin ``admin``."""
    with app.app_context():
        session = db.session
        agency = add_agency(session, code, name_th)
        assessment = add_assessment(session, agency)
        if past:
            publish(session, agency.id, 2567, {"total": 90.01})
            publish(session, agency.id, 2568, {"total": 86.13})
        if measures:
            session.add_all([
                ImprovementMeasure(assessment_id=assessment.id, indicator="6",
                                   measure="จัดทำแผนผังขั้นตอนการให้บริการ",
                                   responsible="กลุ่มอำนวยการ",
                                   steps="ประชุมชี้แจงและประชาสัมพันธ์", period="ไตรมาส 3",
                                   position=1),
                ImprovementMeasure(assessment_id=assessment.id, indicator="7",
                                   measure="=HYPERLINK(\"http://evil.test\")",
                                   responsible="กลุ่มส่งเสริมการศึกษาทางไกล",
                                   steps="-cmd", period="ทุกไตรมาส", position=1),
            ])
        add_user(session, "admin", Role.AGENCY_ADMIN, agency)
        session.commit()
        return Seeded(agency.id, assessment.id, code)
