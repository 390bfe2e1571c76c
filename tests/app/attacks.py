"""The attacks of issue 8 on IIT anonymity, run through the web app as a respondent and a viewer.

Used by ``tests/app/test_ballot_box.py`` and by ``benchmarks/anonymity_attacks.py`` (which
prints the figures, and also runs against an older checkout to measure "before").  Only the
web flows and plain SQL are used, so the same code attacks any version of the app.

* ``xmin``: on PostgreSQL, rows written in the transaction that redeemed a code carry that
  transaction's id; a used code whose ``xmin`` appears in any other table is paired.
* WAL replay: on SQLite, a copy of the database file and its ``-wal`` is replayed one commit
  at a time; a commit that both marks codes used and adds IIT answers pairs them.
* The console viewer: a read-only account watches each code batch's use count and downloads
  the IIT CSV after every flip; the rows new since the previous download are the candidates
  for the people whose codes flipped in between.
"""

from __future__ import annotations

import collections
import csv
import io
import random
import re
import secrets
import shutil
import sqlite3
import struct
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from questionnaires import load_instrument_set

SET = "ita-2566"
VIEWER_PASSWORD = "viewer-password-123"


@dataclass
class AttackResult:
    backend: str
    people: int
    mix_batch: int
    xmin_pairs: int | None = None  # PostgreSQL: used codes sharing xmin with another row
    xmin_tables: dict[str, int] = field(default_factory=dict)
    wal_commits: int | None = None  # SQLite: commits found in the -wal copy
    wal_pairs: int | None = None  # SQLite: used codes linked to fewer than K answer sets
    payload_hits: int | None = None  # SQLite: ballot payloads readable in db file + wal
    viewer_candidates: list[int] = field(default_factory=list)  # per person: set size
    viewer_correct: bool = True  # the person's answers were always among the candidates

    @property
    def viewer_identified(self) -> int:
        return sum(1 for n in self.viewer_candidates if n == 1)

    @property
    def viewer_closer_than_k(self) -> int:
        return sum(1 for n in self.viewer_candidates if n < self.mix_batch)


def distinct_answers(rng: random.Random) -> dict[str, str]:
    """A full IIT answer set drawn at random (so every person's row is recognisable)."""
    iset = load_instrument_set(SET)
    answers = {}
    for item in iset.items_for("IIT"):
        codes = sorted(item.scale.codes)
        for q in item.questions:
            answers[q.column] = str(rng.choice(codes))
    return answers


def submit_iit(client, token: str, code: str, answers: dict[str, str]) -> int:
    """Enter ``code`` (by POST), confirm eligibility, answer; return the final status."""
    assert client.post(f"/iit/{token}", data={"code": code}).status_code == 302
    assert client.post(f"/iit/{token}/start", data={"eligible": "y"}).status_code == 302
    page = client.get(f"/iit/{token}/questionnaire").get_data(as_text=True)
    ticket = re.search(r'name="ticket" value="([^"]+)"', page).group(1)
    return client.post(f"/iit/{token}/questionnaire",
                       data={"ticket": ticket, **answers}).status_code


def used_by_batch(hub_html: str) -> dict[str, int]:
    rows = re.findall(r'<tr><td>([^<]+)</td><td class="num">(\d+)</td><td class="num">(\d+)</td>'
                      r'\s*<td class="num">(\d+)</td>', hub_html)
    return {batch: int(used) for batch, _issued, _unused, used in rows}


def csv_rows(data: bytes, columns: list[str]) -> collections.Counter:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    return collections.Counter(tuple(row[c] for c in columns) for row in reader)


def xmin_pairs(engine: sa.Engine) -> tuple[int, dict[str, int]]:
    """Return how many used codes share ``xmin`` with a row of another table, and per table."""
    with engine.connect() as conn:
        used = set(conn.execute(sa.text(
            "SELECT xmin::text FROM access_code WHERE status = 'used'")).scalars())
        tables = [t for t in sa.inspect(conn).get_table_names() if t != "access_code"]
        paired: set[str] = set()
        per_table: dict[str, int] = {}
        for table in tables:
            found = set(conn.execute(sa.text(f'SELECT xmin::text FROM "{table}"')).scalars())
            hits = found & used
            per_table[table] = len(hits)
            paired |= hits
    return len(paired), per_table


def _sqlite_state(path: Path) -> tuple[set[str], collections.Counter]:
    """Used code hashes and the multiset of IIT answer sets (ballots and responses)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        used = {h for (h,) in conn.execute(
            "SELECT code_hash FROM access_code WHERE status = 'used'")}
        answers: collections.Counter = collections.Counter()
        tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "ballot" in tables:
            import json

            for (text,) in conn.execute("SELECT answers FROM ballot"):
                answers[tuple(sorted(json.loads(text).items()))] += 1
        layouts = {a: text.split() for a, text in conn.execute(
            "SELECT assessment_id, questions FROM response_layout WHERE instrument = 'IIT'")}
        for assessment_id, codes in conn.execute(
                "SELECT assessment_id, answers FROM response WHERE instrument = 'IIT'"):
            answers[tuple(sorted((q, o) for q, o in zip(layouts[assessment_id], codes,
                                                         strict=False) if o != 255))] += 1
        return used, answers
    finally:
        conn.close()


def wal_replay(db_path: Path, wal_path: Path, *, mix_batch: int) -> tuple[int, int]:
    """Replay a copy of the WAL one commit at a time; return (commits, pairs).

    A pair is a used code that a single commit links to fewer than ``mix_batch`` new IIT
    answer sets.  Only frames of the WAL's current generation (matching salts) are replayed.
    """
    wal = wal_path.read_bytes() if wal_path.exists() else b""
    if len(wal) < 32:
        return 0, 0
    _magic, _version, page_size, _seq, salt1, salt2 = struct.unpack(">6I", wal[:24])
    image = bytearray(db_path.read_bytes())
    pending: list[tuple[int, bytes]] = []
    commits = pairs = 0
    with tempfile.TemporaryDirectory() as tmp:
        snapshot = Path(tmp) / "replay.sqlite3"
        snapshot.write_bytes(image)
        before = _sqlite_state(snapshot)
        offset = 32
        while offset + 24 + page_size <= len(wal):
            pgno, commit_size, s1, s2 = struct.unpack(">4I", wal[offset:offset + 16])
            if (s1, s2) != (salt1, salt2):
                break
            pending.append((pgno, wal[offset + 24:offset + 24 + page_size]))
            offset += 24 + page_size
            if not commit_size:
                continue
            for number, page in pending:
                start = (number - 1) * page_size
                if len(image) < start + page_size:
                    image.extend(b"\0" * (start + page_size - len(image)))
                image[start:start + page_size] = page
            del image[commit_size * page_size:]
            pending.clear()
            commits += 1
            snapshot.write_bytes(image)
            after = _sqlite_state(snapshot)
            new_codes = after[0] - before[0]
            new_answers = after[1] - before[1]
            if new_codes and 0 < sum(new_answers.values()) < mix_batch:
                pairs += len(new_codes)
            before = after
    return commits, pairs


def payload_hits(paths: list[Path], payloads: list[str]) -> int:
    """How many of ``payloads`` (ballot JSON texts) can be read in the raw bytes of files."""
    data = b"".join(p.read_bytes() for p in paths if p.exists())
    return sum(1 for text in payloads if text.encode() in data)


def ballot_payload(answers: dict[str, str]) -> str:
    import json

    return json.dumps({q: int(v) for q, v in answers.items()}, separators=(",", ":"),
                      sort_keys=True)


def run_attacks(database_url: str, workdir: Path, *, people: int, mix_batch: int,
                seed: int = 8) -> AttackResult:
    """Let ``people`` staff answer IIT (one code batch each, the worst case: the viewer knows
    whose slip is whose) while a viewer watches; then attack.  The assessment stays open."""
    import datetime as dt

    from survey_app import create_app
    from survey_app.extensions import db
    from survey_app.models import Agency, utcnow
    from survey_app.services.accounts import create_user
    from survey_app.services.assessments import create_assessment
    try:
        from survey_app.services.agencies import get_or_create_agency
    except ImportError:  # versions before the console split (to measure "before")
        from survey_app.services.assessments import get_or_create_agency
    from survey_app.services.codes import issue_codes

    backend = sa.make_url(database_url).get_backend_name()
    app = create_app({
        "TESTING": True, "SECRET_KEY": "attack-" + secrets.token_hex(8),
        "DATABASE_URL": database_url, "INSTANCE_PATH": str(workdir / "instance"),
        "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "SERVER_NAME": "ita.test",
        "MIX_BATCH": mix_batch,
    })
    rng = random.Random(seed)
    result = AttackResult(backend=backend, people=people, mix_batch=mix_batch)
    try:
        with app.app_context():
            agency, _ = get_or_create_agency(
                db.session, code="ATK", name_th="หน่วยงานทดสอบ", name_en="Attack test",
                agency_type="area_office", eligible_headcount=40)
            now = utcnow()
            assessment = create_assessment(
                db.session, agency, fiscal_year_be=2569, instrument_set=SET,
                opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=30))
            codes = [issue_codes(db.session, assessment, 1, key=app.config["CODE_HASH_KEY"],
                                 batch=f"person-{i:02d}")[0] for i in range(people)]
            create_user(db.session, username="watcher", password=VIEWER_PASSWORD,
                        role="viewer", agency=db.session.get(Agency, agency.id))
            db.session.commit()
            assessment_id, token = assessment.id, assessment.public_token
        columns = list(load_instrument_set(SET).columns_for("IIT"))
        viewer = app.test_client()
        assert viewer.post("/admin/login", data={"username": "watcher",
                                                 "password": VIEWER_PASSWORD}).status_code == 302
        hub_url = f"/admin/assessments/{assessment_id}"
        csv_url = f"/admin/assessments/{assessment_id}/exports/responses-iit.csv"
        seen_rows: collections.Counter = collections.Counter()
        seen_used = used_by_batch(viewer.get(hub_url).get_data(as_text=True))
        waiting: list[tuple[int, tuple[str, ...]]] = []  # flipped, not yet seen in the CSV
        payloads = []
        for i, code in enumerate(codes):
            answers = distinct_answers(rng)
            payloads.append(ballot_payload(answers))
            assert submit_iit(app.test_client(), token, code, answers) == 302
            used = used_by_batch(viewer.get(hub_url).get_data(as_text=True))
            flipped = [b for b, n in used.items() if n > seen_used.get(b, 0)]
            assert flipped == [f"person-{i:02d}"]  # the viewer sees whose slip was used
            seen_used = used
            waiting.append((i, tuple(answers[c] for c in columns)))
            with viewer.get(csv_url) as download:
                rows = csv_rows(download.get_data(), columns)
            new = rows - seen_rows
            seen_rows = rows
            if new:
                for _person, truth in waiting:
                    result.viewer_candidates.append(sum(new.values()))
                    result.viewer_correct &= truth in new
                waiting.clear()
        result.viewer_candidates.extend([0] * 0)  # people still waiting were never exposed
        with app.app_context():
            engine = db.engine
            if backend == "postgresql":
                result.xmin_pairs, result.xmin_tables = xmin_pairs(engine)
            elif backend == "sqlite":
                db_path = Path(engine.url.database)
                copy = workdir / "stolen"
                copy.mkdir(exist_ok=True)
                for suffix in ("", "-wal"):
                    source = Path(str(db_path) + suffix)
                    if source.exists():
                        shutil.copyfile(source, copy / (db_path.name + suffix))
                stolen_db = copy / db_path.name
                stolen_wal = copy / (db_path.name + "-wal")
                result.wal_commits, result.wal_pairs = wal_replay(stolen_db, stolen_wal,
                                                                  mix_batch=mix_batch)
                result.payload_hits = payload_hits([stolen_db, stolen_wal], payloads)
    finally:
        db.dispose(app)
    return result
