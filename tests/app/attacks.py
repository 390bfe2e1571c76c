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
    """Enter ``code`` and confirm eligibility (one POST, answered by the questionnaire),
    answer; return the final status."""
    entered = client.post(f"/iit/{token}", data={"code": code, "eligible": "y"})
    assert entered.status_code == 200
    page = entered.get_data(as_text=True)
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
            assert submit_iit(app.test_client(), token, code, answers) == 200
            worker_pass(app)  # the mixer, within seconds (no-op where the request mixes)
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


# -- the attacks of issue 17 -------------------------------------------------------------------
#
# Each returns (pinned, targets): how many of the people attacked were pinned to a set of answers
# smaller than K (``mix_batch``).  They work on any version: the mixer is run "as the worker
# would" after each step when the version has one (:func:`worker_pass`), and the console is
# driven over its own pages.

CODE_PATTERN = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}\b")


def worker_pass(app) -> None:
    """What the background mixer does within seconds of a submission (a no-op on versions
    that mix inside the respondent's request)."""
    from survey_app.extensions import db
    from survey_app.services import ballots

    run = getattr(ballots, "run_pass", None)
    if run is not None:
        with app.app_context():
            run(db.engine, batch_size=app.config["MIX_BATCH"])


def pg_page_leftovers(engine: sa.Engine, payloads: list[str], xmins: set[int]
                      ) -> tuple[set[int], set[int]]:
    """Read every page (``pageinspect.get_raw_page``) of every relation of the app's schema:
    heaps, indexes, TOAST tables and their indexes.  Return the indexes of ``payloads`` found
    in any page's bytes (live rows or free space), and of those found with one of ``xmins``
    (a used code's transaction id, 4 bytes little-endian) in the 64 bytes before them — the
    row header of the deleted ballot."""
    xid_bytes = {struct.pack("<I", x) for x in xmins}
    found: set[int] = set()
    linked: set[int] = set()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pageinspect")
        relations = conn.exec_driver_sql("""
            WITH app AS (
                SELECT c.oid, c.reltoastrelid FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'),
            rels AS (
                SELECT oid FROM app
                UNION SELECT reltoastrelid FROM app WHERE reltoastrelid <> 0
                UNION SELECT i.indexrelid FROM pg_index i
                      WHERE i.indrelid IN (SELECT oid FROM app UNION SELECT reltoastrelid FROM app))
            SELECT oid::regclass::text, pg_relation_size(oid) / current_setting('block_size')::int
            FROM rels""").all()
        for name, blocks in relations:
            for block in range(int(blocks)):
                page = bytes(conn.execute(sa.text("SELECT get_raw_page(:r, 'main', :b)"),
                                          {"r": name, "b": block}).scalar())
                for k, text in enumerate(payloads):
                    at = page.find(text.encode())
                    while at >= 0:
                        found.add(k)
                        if any(x in page[max(at - 64, 0):at] for x in xid_bytes):
                            linked.add(k)
                        at = page.find(text.encode(), at + 1)
    return found, linked


def used_xmins(engine: sa.Engine) -> set[int]:
    with engine.connect() as conn:
        return {int(x) for x in conn.execute(sa.text(
            "SELECT xmin::text FROM access_code WHERE status = 'used'")).scalars()}


def mixed_count(app, assessment_id: int) -> int:
    """IIT answers of the assessment no longer in the box (mixed), from the database."""
    from survey_app.extensions import db

    with app.app_context():
        return db.session.execute(sa.text(
            "SELECT count(*) FROM access_code WHERE status = 'used' AND assessment_id = :a"),
            {"a": assessment_id}).scalar() - db.session.execute(sa.text(
            "SELECT count(*) FROM ballot WHERE assessment_id = :a"),
            {"a": assessment_id}).scalar()


def attack_world(app, *, people: int, extra_codes: int = 0, agency: str = "ATK"):
    """An agency with an open assessment, ``people`` slips (one batch each), an agency admin
    ("insider", who knows whose slip is whose), a system admin and a second assessment of
    another agency with one ballot waiting (its page keeps the ballot table's page alive)."""
    import datetime as dt

    from survey_app.extensions import db
    from survey_app.models import Agency, utcnow
    from survey_app.services.accounts import create_user
    from survey_app.services.agencies import get_or_create_agency
    from survey_app.services.assessments import create_assessment
    from survey_app.services.codes import issue_codes

    key = app.config["CODE_HASH_KEY"]
    with app.app_context():
        now = utcnow()
        made = {}
        for code in (agency, agency + "-OTHER"):
            a, _ = get_or_create_agency(db.session, code=code, name_th="หน่วยงานทดสอบ " + code,
                                        name_en=code, agency_type="area_office",
                                        eligible_headcount=40)
            made[code] = (a, create_assessment(
                db.session, a, fiscal_year_be=2569, instrument_set=SET,
                opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=30)))
        _agency, assessment = made[agency]
        codes = [issue_codes(db.session, assessment, 1, key=key, batch=f"person-{i:02d}")[0]
                 for i in range(people)]
        _other_agency, other = made[agency + "-OTHER"]
        other_code = issue_codes(db.session, other, 1, key=key, batch="waiting")[0]
        create_user(db.session, username="insider", password=VIEWER_PASSWORD,
                    role="agency_admin", agency=db.session.get(Agency, _agency.id))
        create_user(db.session, username="root", password=VIEWER_PASSWORD, role="system_admin",
                    agency=None)
        db.session.commit()
        world = {"assessment": assessment.id, "token": assessment.public_token, "codes": codes,
                 "other": other.id, "other_token": other.public_token,
                 "other_code": other_code}
    return world


def console(app, username: str):
    client = app.test_client()
    assert client.post("/admin/login", data={"username": username,
                                             "password": VIEWER_PASSWORD}).status_code == 302
    return client


def iit_export(client, assessment_id: int, columns: list[str]) -> collections.Counter:
    with client.get(f"/admin/assessments/{assessment_id}/exports/responses-iit.csv") as got:
        if got.status_code != 200:
            return collections.Counter()
        return csv_rows(got.get_data(), columns)


def close_open_attack(app, *, mix_batch: int, background: int, targets: int,
                      via: str = "buttons", seed: int = 17) -> tuple[int, int]:
    """The insider flushes the box (close now + open now, or the closing date moved into the
    past and back through the edit form), waits until a target's slip is used, does it again
    and diffs the IIT export.  If the insider cannot open again, a system admin reopens with a
    reason (the legitimate way) so the next target can answer.  Returns (pinned, targets)."""
    from survey_app.extensions import db
    from survey_app.models import Assessment, utcnow

    world = attack_world(app, people=background + targets)
    aid, token = world["assessment"], world["token"]
    columns = list(load_instrument_set(SET).columns_for("IIT"))
    rng = random.Random(seed)
    insider, root = console(app, "insider"), console(app, "root")
    truth = {}

    def answer(i):
        given = distinct_answers(rng)
        truth[i] = tuple(given[c] for c in columns)
        assert submit_iit(app.test_client(), token, world["codes"][i], given) == 200
        worker_pass(app)

    def is_open():
        with app.app_context():
            a = db.session.get(Assessment, aid)
            return a.opens_at <= utcnow() < a.closes_at

    def cycle():
        if via == "buttons":
            insider.post(f"/admin/assessments/{aid}/close")
            worker_pass(app)
            insider.post(f"/admin/assessments/{aid}/open")
        else:
            _edit_window(app, insider, aid, closes_in_days=-1)
            worker_pass(app)
            _edit_window(app, insider, aid, closes_in_days=30)
        worker_pass(app)
        if not is_open():  # the insider may not reopen: a system admin does, with a reason
            got = root.post(f"/admin/assessments/{aid}/reopen",
                            data={"reason": "ขยายเวลาตามคำขอของหน่วยงาน"})
            assert got.status_code in (302, 303), got.status_code
            assert is_open()

    for i in range(background):
        answer(i)
    pinned = 0
    seen = iit_export(insider, aid, columns)
    for t in range(background, background + targets):
        cycle()
        seen = iit_export(insider, aid, columns)
        answer(t)
        cycle()
        rows = iit_export(insider, aid, columns)
        new = rows - seen
        if truth[t] in new and sum(new.values()) < mix_batch:
            pinned += 1
    return pinned, targets


def _edit_window(app, client, assessment_id: int, *, closes_in_days: int) -> None:
    """Move the closing time through the console's edit form (local time, as typed)."""
    import datetime as dt
    import zoneinfo

    page = client.get(f"/admin/assessments/{assessment_id}/edit").get_data(as_text=True)
    fields = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page))
    zone = zoneinfo.ZoneInfo(app.config["TIMEZONE"])
    closes = dt.datetime.now(zone) + dt.timedelta(days=closes_in_days)
    opens = dt.datetime.now(zone) - dt.timedelta(days=60)
    fields.update({"opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
                   "closes_at": closes.strftime("%Y-%m-%dT%H:%M")})
    client.post(f"/admin/assessments/{assessment_id}/edit", data=fields)


def flooding_attack(app, *, mix_batch: int, background: int, targets: int,
                    seed: int = 18) -> tuple[int, int]:
    """n−1 flooding: once a target's slip is used, the insider makes K−1 codes on the console's
    own code sheet, answers them with one known pattern, and diffs the IIT export.  At the end
    the assessment closes (close now) and the insider diffs once more.  Returns (pinned,
    targets): a target is pinned when the rows new in the diff that first holds the target's
    answers, less the insider's own, are fewer than K."""
    world = attack_world(app, people=background + targets)
    aid, token = world["assessment"], world["token"]
    columns = list(load_instrument_set(SET).columns_for("IIT"))
    rng = random.Random(seed)
    insider = console(app, "insider")
    own = {q: "1" for q in columns}  # the insider's known pattern
    own_row = tuple(own[c] for c in columns)
    truth = {}
    for i in range(background):
        given = distinct_answers(rng)
        truth[i] = tuple(given[c] for c in columns)
        assert submit_iit(app.test_client(), token, world["codes"][i], given) == 200
        worker_pass(app)
    seen = iit_export(insider, aid, columns)
    exposed: dict[int, int] = {}

    def diff():
        nonlocal seen
        rows = iit_export(insider, aid, columns)
        new = rows - seen
        seen = rows
        others = sum(n for row, n in new.items() if row != own_row)
        for person, row in truth.items():
            if person not in exposed and row in new:
                exposed[person] = others

    for flood, t in enumerate(range(background, background + targets)):
        given = distinct_answers(rng)
        truth[t] = tuple(given[c] for c in columns)
        assert submit_iit(app.test_client(), token, world["codes"][t], given) == 200
        worker_pass(app)
        page = insider.post(f"/admin/assessments/{aid}/codes",
                            data={"count": mix_batch - 1, "batch": f"flood {flood}",
                                  "nonce": f"flood-nonce-{flood:04d}-abcdef"})
        codes = CODE_PATTERN.findall(page.get_data(as_text=True))
        codes = list(dict.fromkeys(codes))
        assert len(codes) == mix_batch - 1, page.status_code
        for code in codes:
            assert submit_iit(app.test_client(), token, code, own) == 200
            worker_pass(app)
        diff()
    insider.post(f"/admin/assessments/{aid}/close")
    worker_pass(app)
    diff()
    pinned = sum(1 for t in range(background, background + targets)
                 if exposed.get(t, mix_batch) < mix_batch)
    return pinned, targets


def eit_export_attack(app, *, mix_batch: int, people: int, seed: int = 19) -> tuple[int, int]:
    """An admin watches someone answer EIT on the office tablet and diffs the EIT export after
    every answer.  Returns (pinned, people): pinned when the rows new in the first diff holding
    that person's answers are fewer than K."""
    from survey_app.extensions import db
    from survey_app.services.codes import issue_codes  # noqa: F401

    world = attack_world(app, people=0)
    aid, token = world["assessment"], world["token"]
    iset = load_instrument_set(SET)
    columns = list(iset.columns_for("EIT"))
    rng = random.Random(seed)
    insider = console(app, "insider")
    url = f"/admin/assessments/{aid}/exports/responses-eit.csv"

    def export():
        with insider.get(url) as got:
            reader = csv.DictReader(io.StringIO(got.get_data().decode("utf-8-sig")))
            return collections.Counter(tuple(row[c] for c in columns) for row in reader)

    seen = export()
    pinned = 0
    pending: list[tuple[str, ...]] = []
    del db
    for _ in range(people):
        answers = {}
        for item in iset.items_for("EIT"):
            codes = sorted(item.scale.codes)
            for q in item.questions:
                answers[q.column] = str(rng.choice(codes))
        client = app.test_client()
        page = client.get(f"/eit/{token}").get_data(as_text=True)
        nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)
        data = {**answers, "respondent_group": "public", "nonce": nonce}
        got = client.post(f"/eit/{token}", data=data)
        assert got.status_code == 200, got.status_code
        worker_pass(app)
        pending.append(tuple(answers[c] for c in columns))
        rows = export()
        new = rows - seen
        seen = rows
        if new:
            for row in pending:
                if row in new and sum(new.values()) < mix_batch:
                    pinned += 1
            pending = [row for row in pending if row not in new]
    return pinned, people


def sqlite_file_scan(app, db_path: Path, payloads: list[str], *, mix_batch: int,
                     mixed: list[int]) -> int:
    """Copy the database file and its ``-wal`` now and count the mixed ballots (indexes
    ``mixed`` of ``payloads``) readable in them, raw or by replaying the WAL."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp)
        for suffix in ("", "-wal"):
            source = Path(str(db_path) + suffix)
            if source.exists():
                shutil.copyfile(source, copy / (db_path.name + suffix))
        data = b"".join(p.read_bytes() for p in copy.iterdir())
        readable = {k for k in mixed if payloads[k].encode() in data}
        _commits, pairs = wal_replay(copy / db_path.name, copy / (db_path.name + "-wal"),
                                     mix_batch=mix_batch)
    return max(len(readable), min(pairs, len(mixed)))
