"""Time the supervisor's comparison (and the area workbook) over many agencies (issue 19 item 2).

Three fresh databases are built through the app's own services: an area office with 5
schools, one with 300 schools (about 88,000 responses, as in the issue), and a ministry with
8,300 agencies below it (about 60 responses each).  Every agency is made with
``agencies.get_or_create_agency``, its closed B.E. 2569 assessment with
``assessments.create_assessment``, its answers with ``demo.add_synthetic_responses`` (the
demo's bulk compact inserts of plausible respondents), released as the mixer releases them at
the close (``publication.release_due``, after every 500 agencies); its OIT checklist is
judged with ``oit.save_oit`` (for the 8,300 agencies the same rows are bulk-inserted, one
multi-row INSERT per 1,000 agencies, to keep the fill to a few minutes); one agency in ten
also has a published result
(``published.set_published``: indicators typed as NACC publishes them).  The supervisor
account is made with ``accounts.create_user``.

On PostgreSQL the filled database is then vacuumed and analysed (``VACUUM ANALYZE``), as
autovacuum would have done during the fill on a server with its defaults: the fill updates a
response tally row per answer, and a server with autovacuum off (as the test machine's) would
otherwise leave several dead row versions per live one and no planner statistics.

Then, through the Flask test client signed in as the office's (or ministry's) supervisor:

- **warm**: the median of ``--repeat`` loads of ``/admin/supervisor?year=2569`` after a first,
  untimed load (nothing changed);
- **after one change**: one agency gets a published EIT batch (5 answers), then one load;
- **cold**: the first load after every stored result is dropped (``DELETE FROM
  scored_result``) and the comparisons the process keeps are forgotten (as in a new worker):
  every agency is rated again from its answers;
- the area workbook (``/admin/supervisor/area.xlsx``), warm and cold, for the record;
- the floor: the median load of a console page that reads nothing of the agencies (the
  password page), measured in the same run;
- **growth 5 → 300** (when both sizes are in the run): the two databases stay open after their
  own figures and their warm pages are loaded in turn, ``--pairs`` pairs (default 31, at
  least 15) of one load of each back to back, the order alternating from pair to pair (5 then
  300, 300 then 5, …), after two untimed loads of each.  The growth is the median of the
  pairs' ratios (300 / 5), printed with its quartiles and each size's median load in the
  pairs.  Both pages are measured in the same seconds, so the machine's load changing between
  the two sizes' runs (a minute or more apart, each with its own fill) no longer decides the
  figure, as it did when the growth was the ratio of the two warm medians of ``--repeat``
  loads; that figure is still printed beside it ("measured apart"), with the floor's ratio.

Goals (issue 19 item 2): 300 schools warm ≤ 0.1 s and cold ≤ 1 s; 8,300 agencies warm ≤ 2 s
and cold ≤ 5 s; from 5 to 300 schools at most 3× warm (the interleaved median).  Each is
printed PASS or MISS.

    .venv/bin/python benchmarks/area_bench.py                         # PostgreSQL
    .venv/bin/python benchmarks/area_bench.py --sizes 5 300           # without the 8,300
    .venv/bin/python benchmarks/area_bench.py --backend sqlite
    .venv/bin/python benchmarks/area_bench.py --sizes 8300 --template ita_areabench

``--template NAME`` (PostgreSQL): each size's filled, vacuumed database is kept as
``NAME_<size>`` the first time, and later runs measure a copy of it (``CREATE DATABASE …
TEMPLATE``) instead of filling again (the 8,300 fill takes a quarter of an hour); ``fill`` then
prints the copy's time.  Drop the kept databases when done (``DROP DATABASE NAME_<size>``).

Not part of the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling scratch_db
from scratch_db import PG_SERVER, scratch_pg_database

YEAR = 2569
SET = "ita-2569"
PASSWORD = "area-bench-" + secrets.token_hex(8)
#: size → responses per agency (40 % IIT): 88,000 over 300 schools as in the issue.
RESPONSES = {5: 293, 300: 293}
LARGE_RESPONSES = 60
GOALS = {300: (0.100, 1.0), 8300: (2.0, 5.0)}  # size → (warm, cold) seconds
GROWTH = 3.0
PAIRS = 31  # interleaved pairs of loads for the growth (odd: the median is one of them)


def _published_figures(iset, rng) -> dict[str, float]:
    """Indicator scores as NACC publishes them (two decimals)."""
    return {code: round(float(rng.uniform(60, 100)), 2) for code in iset.indicators}


def build(app, size: int, *, seed: int) -> str:
    """Fill the database: an office (``size`` ≤ 300) or a ministry with ``size`` agencies."""
    from survey_app.demo import add_synthetic_responses
    from survey_app.extensions import db
    from survey_app.models import OitResult
    from survey_app.services.accounts import create_user
    from survey_app.services.agencies import get_or_create_agency
    from survey_app.services.assessments import create_assessment
    from survey_app.services.instrument_sets import load_set
    from survey_app.services.oit import OitEntry, save_oit
    from survey_app.services.publication import release_due
    from survey_app.services.published import set_published

    rng = np.random.default_rng(seed)
    large = size > 300
    per_agency = LARGE_RESPONSES if large else RESPONSES.get(size, 293)
    now = dt.datetime.now(dt.UTC)
    with app.app_context():
        s = db.session
        iset = load_set(SET, s)
        top, _ = get_or_create_agency(
            s, code="TOP", name_th="กระทรวง" if large else "สำนักงานเขตพื้นที่การศึกษา",
            agency_type="ministry" if large else "area_office", eligible_headcount=40)
        create_user(s, username="supervisor", password=PASSWORD, role="agency_admin", agency=top)
        s.commit()
        oit_rows: list[dict] = []
        for k in range(size):
            agency, _ = get_or_create_agency(
                s, code=f"S{k:05d}", name_th=f"โรงเรียนทดสอบ {k}", name_en=f"School {k}",
                agency_type="school", eligible_headcount=int(rng.integers(150, 400)),
                parent=top)
            assessment = create_assessment(
                s, agency, fiscal_year_be=YEAR, instrument_set=SET,
                opens_at=now - dt.timedelta(days=30), closes_at=now - dt.timedelta(hours=1))
            passed = rng.random(len(iset.oit_items)) < 0.85
            if large:
                oit_rows += [{"assessment_id": assessment.id, "item": o.code,
                              "passed": bool(p), "evidence_urls": "", "note": ""}
                             for o, p in zip(iset.oit_items, passed, strict=True)]
            else:
                save_oit(s, assessment, [OitEntry(o.code, bool(p))
                                         for o, p in zip(iset.oit_items, passed, strict=True)])
            add_synthetic_responses(s, assessment, per_agency, seed=seed + k)  # commits
            if k % 10 == 9:
                set_published(s, agency, YEAR, _published_figures(iset, rng), source="cli",
                              entered_by="area_bench")
            if len(oit_rows) >= 1000 * len(iset.oit_items) or k == size - 1:
                if oit_rows:
                    s.execute(sa.insert(OitResult), oit_rows)
                    oit_rows = []
                s.commit()
            if k % 500 == 499 or k == size - 1:  # the close: the answers released (commits),
                release_due(s, batch_size=5)      # 500 assessments to a transaction
                print(f"    {k + 1} agencies", file=sys.stderr, flush=True)
    return f"/admin/supervisor?year={YEAR}"


def _timed(client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    response.get_data()
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    return elapsed


def _one_change(app, seed: int) -> None:
    """One agency gets a published EIT batch of 5 (the window opened for them, then closed)."""
    from survey_app.demo import add_synthetic_responses
    from survey_app.extensions import db
    from survey_app.models import Assessment
    from survey_app.services.publication import release_due

    with app.app_context():
        s = db.session
        assessment = s.scalar(sa.select(Assessment).order_by(Assessment.id).limit(1))
        closes = assessment.closes_at
        assessment.closes_at = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
        s.commit()
        add_synthetic_responses(s, assessment, 12, seed=seed)  # 5 IIT (withheld), 7 EIT
        assessment = s.get(Assessment, assessment.id)
        release_due(s, batch_size=5)  # open: the EIT batch is published
        s.get(Assessment, assessment.id).closes_at = closes
        s.commit()


def _drop_results(app) -> None:
    """Every stored result dropped, and the comparisons this process keeps: the next load is
    what a worker that never made the comparison meets after the results are dropped."""
    from survey_app.extensions import db
    from survey_app.models import ScoredResult
    from survey_app.services.area import forget_comparisons

    with app.app_context():
        db.session.execute(sa.delete(ScoredResult))
        db.session.commit()
    forget_comparisons()


def _admin_engine() -> sa.Engine:
    return sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)


def _kept_exists(name: str) -> bool:
    admin = _admin_engine()
    with admin.connect() as conn:
        found = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
    admin.dispose()
    return found is not None


def _copy_database(source: str, target: str) -> None:
    """``CREATE DATABASE target TEMPLATE source`` (nobody may be connected to ``source``)."""
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    admin.dispose()


def _sign_in_password(app) -> None:
    """The supervisor of a kept database gets this run's password."""
    from survey_app.extensions import db
    from survey_app.services.accounts import set_password, user_by_username

    with app.app_context():
        set_password(db.session, user_by_username(db.session, "supervisor"), PASSWORD)
        db.session.commit()


class Site:
    """One size's filled database, its app and a client signed in as its supervisor."""

    def __init__(self, size: int, *, backend: str, seed: int, template: str | None = None):
        from survey_app import create_app
        from survey_app.extensions import db
        from survey_app.services.schema import upgrade

        self.size = size
        self._tmp = tmp = Path(tempfile.mkdtemp(prefix="ita-area-"))
        self._drop = None
        kept = None if template is None else f"{template}_{size}"
        if backend == "sqlite":
            url = f"sqlite:///{tmp / 'ita.sqlite3'}"
        else:
            url, self._drop = scratch_pg_database("area")
        reuse = kept is not None and _kept_exists(kept)
        try:
            started = time.perf_counter()
            if reuse:  # the empty scratch database replaced by a copy of the kept one
                name = sa.make_url(url).database
                self._drop()
                _copy_database(kept, name)
            self.app = app = create_app({
                "DATABASE_URL": url, "INSTANCE_PATH": str(tmp / "instance"),
                "SECRET_KEY": secrets.token_hex(16), "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False, "TESTING": True})
            if reuse:
                _sign_in_password(app)
                self.page = f"/admin/supervisor?year={YEAR}"
            else:
                with app.app_context():
                    upgrade(db.engine)
                self.page = build(app, size, seed=seed)
            self.fill = time.perf_counter() - started
            if backend == "postgresql" and not reuse:  # what autovacuum does after a fill
                with app.app_context(), db.engine.connect() as conn:
                    conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                        "VACUUM ANALYZE")
                if kept is not None:  # kept before any load changes it
                    db.dispose(app)
                    _copy_database(sa.make_url(url).database, kept)
            self.client = app.test_client()
            login = self.client.post("/admin/login", data={"username": "supervisor",
                                                           "password": PASSWORD})
            assert login.status_code == 302, login.status_code
        except BaseException:
            self.close()
            raise

    def load(self) -> float:
        """One load of the supervisor page (seconds)."""
        return _timed(self.client, self.page)

    def close(self) -> None:
        from survey_app.extensions import db

        app = getattr(self, "app", None)
        if app is not None:
            db.dispose(app)
        if self._drop is not None:
            self._drop()
            self._drop = None
        shutil.rmtree(self._tmp, ignore_errors=True)  # the SQLite file, the instance folder


def measure(site: Site, *, repeat: int, seed: int) -> dict[str, float]:
    """The figures of one size (the module docstring), in this order: floor, first, warm,
    after one change, cold, workbook warm and cold."""
    client, page, app = site.client, site.page, site.app
    out: dict[str, float] = {"fill": site.fill}
    workbook = f"/admin/supervisor/area.xlsx?year={YEAR}"
    floor = "/admin/account/password"
    _timed(client, floor)
    out["floor"] = statistics.median(_timed(client, floor) for _ in range(repeat))
    out["first"] = _timed(client, page)  # every agency rated from its answers, stored
    out["warm"] = statistics.median(_timed(client, page) for _ in range(repeat))
    _one_change(app, seed + 99)
    out["after_change"] = _timed(client, page)
    _drop_results(app)
    out["cold"] = _timed(client, page)
    out["workbook_warm"] = statistics.median(_timed(client, workbook)
                                             for _ in range(max(1, repeat // 2)))
    _drop_results(app)
    out["workbook_cold"] = _timed(client, workbook)
    return out


def interleaved_growth(small: Site, large: Site, pairs: int) -> dict[str, float]:
    """The warm growth from ``small`` to ``large`` measured in the same minutes: ``pairs``
    pairs of loads, one of each database back to back (the order alternating from pair to
    pair: small-large, large-small, …), after two untimed loads of each.  Returns the median
    of the pairs' ratios (large / small) with its quartiles, and the median load of each."""
    for site in (small, large, small, large):  # whatever the last measure left undone
        site.load()
    ratios, smalls, larges = [], [], []
    for k in range(pairs):
        if k % 2 == 0:
            t_small = small.load()
            t_large = large.load()
        else:
            t_large = large.load()
            t_small = small.load()
        smalls.append(t_small)
        larges.append(t_large)
        ratios.append(t_large / t_small)
    q1, _, q3 = statistics.quantiles(ratios, n=4)  # pairs ≥ 15 (main)
    return {"ratio": statistics.median(ratios), "q1": q1, "q3": q3,
            "small": statistics.median(smalls), "large": statistics.median(larges)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 300, 8300])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--repeat", type=int, default=5, help="warm loads (median)")
    parser.add_argument("--pairs", type=int, default=PAIRS,
                        help="interleaved pairs of 5- and 300-agency loads for the growth "
                             f"(median of their ratios; default {PAIRS}, at least 15)")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--template", metavar="NAME",
                        help="PostgreSQL: keep each filled database as NAME_<size> and measure "
                             "a copy of it in later runs (no fill)")
    args = parser.parse_args()
    if args.template is not None and args.backend != "postgresql":
        parser.error("--template needs --backend postgresql")
    if args.template is not None and not args.template.startswith("ita_"):
        parser.error("--template: a name starting with ita_")
    if args.pairs < 15:
        parser.error("--pairs: at least 15")
    results = {}
    growth = None
    kept: dict[int, Site] = {}  # 5 and 300 stay open until their loads are interleaved
    try:
        for size in args.sizes:
            print(f"building {size} agencies ({args.backend}) …", file=sys.stderr, flush=True)
            site = Site(size, backend=args.backend, seed=args.seed, template=args.template)
            try:
                results[size] = r = measure(site, repeat=args.repeat, seed=args.seed)
            except BaseException:
                site.close()
                raise
            if size in (5, 300) and {5, 300} <= set(args.sizes):
                kept[size] = site
            else:
                site.close()
            print(f"{size:>5} agencies: fill {r['fill']:.0f} s; floor {r['floor'] * 1000:.0f} ms; "
                  f"first {r['first']:.3f} s; warm {r['warm']:.3f} s; after one change "
                  f"{r['after_change']:.3f} s; cold {r['cold']:.3f} s; workbook warm "
                  f"{r['workbook_warm']:.3f} s, cold {r['workbook_cold']:.3f} s", flush=True)
            if len(kept) == 2:
                growth = interleaved_growth(kept[5], kept[300], args.pairs)
                for site in kept.values():
                    site.close()
                kept.clear()
    finally:
        for site in kept.values():
            site.close()
    for size, (warm, cold) in GOALS.items():
        if size in results:
            r = results[size]
            for name, goal in (("warm", warm), ("cold", cold)):
                print(f"{'PASS' if r[name] <= goal else 'MISS'} {size} agencies {name} "
                      f"{r[name]:.3f} s ≤ {goal} s")
            print(f"{'PASS' if r['after_change'] <= cold else 'MISS'} {size} agencies after one "
                  f"change {r['after_change']:.3f} s ≤ {cold} s")
    if growth is not None:
        apart = results[300]["warm"] / results[5]["warm"]
        print(f"{'PASS' if growth['ratio'] <= GROWTH else 'MISS'} growth 5 → 300 agencies warm "
              f"{growth['ratio']:.2f}× ≤ {GROWTH}×  (median of {args.pairs} interleaved pairs, "
              f"quartiles {growth['q1']:.2f}–{growth['q3']:.2f}×; loads "
              f"{growth['small'] * 1000:.1f} and {growth['large'] * 1000:.1f} ms)")
        print(f"     growth from the two warm medians measured apart: {apart:.2f}×  "
              f"(floor ratio {results[300]['floor'] / results[5]['floor']:.2f}×)")


if __name__ == "__main__":
    main()
