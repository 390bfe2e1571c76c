"""Time the console's result pages and exports as the demo's assessment grows.

For each size (default 1,000 / 10,000 / 100,000 responses) a fresh database gets the demo
(``ita demo``: the area office with four schools, an open B.E. 2569 assessment, a closed
B.E. 2566 one) and its current assessment is filled up to that many responses, 40% IIT (put
into the ballot box and mixed, as respondents' answers are) and 60% EIT.  Then, through the
Flask test client, signed in as the demo's agency admin:

- the dashboard (``/admin/assessments/<id>/results``), the supervisor page (the area office
  and its schools, ``/admin/supervisor``) and the scores XLSX download, each **cold** (what a
  user meets now: K = ``MIX_BATCH`` EIT submissions, then the mixer's pass that publishes them
  (``run_pass``, timed: it stores the result too), then the first load; the median of
  ``--repeat`` such rounds, each after its own batch and pass) and **warm** (the median of
  ``--repeat`` loads after it); before that, for the record, the first load after a
  batch published without the pass storing the result (``release_due`` alone: the load
  recomputes, as every first view did before); every page is loaded once before, untimed, so
  that neither counts the process's first template compilation or the other assessments'
  first results;
- the responses CSV download of EIT and IIT, beside ``pandas.read_csv`` of the downloaded
  file (the floor);
- a fresh computation of the assessment's result (``assessment_result``: what every page
  load cost before results were stored).

Goals: dashboard and supervisor at the largest size within 2× their time at the smallest
(issue 10 §1; warm: a page load when nothing changed), and at the largest size the first load
after a submission and the mixer's pass within 2× a warm load (issue 19 item 3).

    .venv/bin/python benchmarks/growth_bench.py                       # SQLite, 1k/10k/100k
    .venv/bin/python benchmarks/growth_bench.py --backend postgresql --sizes 1000 100000

When ``ita demo --responses N`` exists it fills the assessment; otherwise the benchmark fills
it with the services' own storage functions (``add_ballot`` + ``mix_assessment`` for IIT,
``_add_response`` for EIT), answers drawn from a pool of the demo's plausible respondents.
Either way every answer is then released (``publication._release``, as at a close) so the
result holds all N.
Not part of the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling scratch_db
from scratch_db import scratch_pg_database

ROOT = Path(__file__).resolve().parent.parent
IIT_SHARE = 0.4
POOL = 500
ITA = str(Path(sys.executable).with_name("ita"))
CHUNK = 5000


def _demo_has_responses_option() -> bool:
    out = subprocess.run([ITA, "demo", "--help"], capture_output=True, text=True, cwd=ROOT)
    return "--responses" in out.stdout


def _fill(app, assessment_id: int, total: int, seed: int) -> None:
    """Add responses until the assessment has ``total`` (services' storage functions)."""
    from survey_app.demo import plausible_answers
    from survey_app.extensions import db
    from survey_app.models import Assessment
    from survey_app.services.assessments import response_counts
    from survey_app.services.ballots import add_ballot, erase_mixed_ballots, mix_assessment
    from survey_app.services.responses import _add_response

    rng = np.random.default_rng(seed)
    with app.app_context():
        session = db.session
        assessment = session.get(Assessment, assessment_id)
        have = response_counts(session, assessment)
        want = {"IIT": round(total * IIT_SHARE)}
        want["EIT"] = total - want["IIT"]
        pools = {inst: [plausible_answers(session, assessment.instrument_set, inst, rng)
                        for _ in range(POOL)] for inst in ("IIT", "EIT")}
        groups = ["school", "public", "private", "state_agency", "other"]
        day = dt.date(2026, 11, 1)
        missing = want["IIT"] - have["IIT"]
        while missing > 0:
            n = min(CHUNK, missing)
            for k in rng.integers(0, POOL, n):
                add_ballot(session, assessment, pools["IIT"][k], submitted_on=day)
            session.commit()
            mix_assessment(db.engine, assessment_id, minimum=1)
            missing -= n
        erase_mixed_ballots(db.engine)
        missing = want["EIT"] - have["EIT"]
        while missing > 0:
            n = min(CHUNK, missing)
            for k in rng.integers(0, POOL, n):
                _add_response(session, assessment, "EIT", pools["EIT"][k], submitted_on=day,
                              respondent_group=groups[int(k) % len(groups)])
            session.commit()
            missing -= n


def _publish_all(app, assessment_id: int) -> None:
    """Release every answer of the filled assessment, as a close would (the window stays open
    for the submissions the cold loads follow), so its result holds all N."""
    from survey_app.extensions import db
    from survey_app.models import utcnow
    from survey_app.services.publication import _release

    with app.app_context():
        for instrument in ("IIT", "EIT"):
            _release(db.session, assessment_id, instrument, at_close=False, now=utcnow())
        db.session.commit()


def _submissions_then_pass(app, assessment_id: int, rng, *, mixer: bool) -> float:
    """What a user meets now: K EIT submissions (one batch), then the mixer's pass
    (``run_pass``: it publishes them and stores the result); returns the pass's seconds.
    With ``mixer=False`` the batch is published by ``release_due`` alone, as passes did before
    they stored the result (the next load recomputes it: the old cold load)."""
    from survey_app.demo import plausible_answers
    from survey_app.extensions import db
    from survey_app.models import Assessment
    from survey_app.services.ballots import run_pass
    from survey_app.services.publication import release_due
    from survey_app.services.responses import store_eit_response

    batch = app.config["MIX_BATCH"]
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        for _ in range(batch):
            store_eit_response(db.session, assessment, "public",
                               plausible_answers(db.session, assessment.instrument_set, "EIT",
                                                 rng),
                               submitted_on=dt.date(2026, 11, 2))
        start = time.perf_counter()
        if mixer:
            report = run_pass(db.engine, batch_size=batch)
            assert report.refreshed == (assessment_id,), report
        else:
            assert release_due(db.session, batch_size=batch)[assessment_id]["EIT"] == batch
        return time.perf_counter() - start


def _timed(client, url: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    response = client.get(url)
    body = response.get_data()
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}: {body[:300]!r}")
    return elapsed, body


def measure(size: int, *, backend: str, repeat: int, seed: int) -> dict[str, float]:
    import pandas as pd

    from survey_app import create_app
    from survey_app.demo import ensure_demo
    from survey_app.extensions import db
    from survey_app.services.results import assessment_result
    from survey_app.services.schema import upgrade

    tmp = Path(tempfile.mkdtemp(prefix="ita-growth-"))
    drop = None
    if backend == "sqlite":
        url = f"sqlite:///{tmp / 'ita.sqlite3'}"
    else:
        url, drop = scratch_pg_database("growth")
    try:
        if _demo_has_responses_option():
            env = {**os.environ, "ITA_DATABASE_URL": url, "ITA_INSTANCE_PATH": str(tmp),
                   "ITA_SECRET_KEY": secrets.token_hex(32),
                   "ITA_PUBLIC_BASE_URL": "http://bench.test"}
            subprocess.run([ITA, "demo", "--responses", str(size)], check=True, env=env,
                           cwd=ROOT, capture_output=True)
        app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp / "instance"),
                          "SECRET_KEY": secrets.token_hex(16), "WTF_CSRF_ENABLED": False,
                          "RATELIMIT_ENABLED": False, "TESTING": True})
        with app.app_context():
            upgrade(db.engine)
            info = ensure_demo(db.session, code_key=app.config["CODE_HASH_KEY"],
                               base_url="http://bench.test", timezone=app.config["TIMEZONE"])
        aid = info.assessment_id
        started = time.perf_counter()
        _fill(app, aid, size, seed)
        _publish_all(app, aid)
        fill_s = time.perf_counter() - started
        rng = np.random.default_rng(seed + 1)
        client = app.test_client()
        login = client.post("/admin/login", data={"username": info.admin_login["username"],
                                                  "password": info.admin_login["password"]})
        assert login.status_code == 302, login.status_code
        pages = {"dashboard": f"/admin/assessments/{aid}/results",
                 "supervisor": f"/admin/supervisor?year={info.fiscal_year_be}",
                 "scores_xlsx": f"/admin/assessments/{aid}/exports/scores.xlsx"}
        out: dict[str, float] = {"fill": fill_s}
        for url_ in pages.values():  # templates compiled, the schools' and 2566's results stored
            _timed(client, url_)
        for name, url_ in pages.items():
            _submissions_then_pass(app, aid, rng, mixer=False)
            out[f"{name}_recompute"], _ = _timed(client, url_)
            # the first load after a batch and its pass, ``repeat`` times (each after its own
            # batch): one load's time is mostly noise at these sizes, so the median is taken
            passes, colds = [], []
            for _ in range(repeat):
                passes.append(_submissions_then_pass(app, aid, rng, mixer=True))
                colds.append(_timed(client, url_)[0])
            out[f"{name}_pass"] = statistics.median(passes)
            out[f"{name}_cold"] = statistics.median(colds)
            out[f"{name}_warm"] = statistics.median(_timed(client, url_)[0]
                                                    for _ in range(repeat))
        for inst in ("EIT", "IIT"):
            out[f"csv_{inst}"], body = _timed(
                client, f"/admin/assessments/{aid}/exports/responses-{inst.lower()}.csv")
            start = time.perf_counter()
            frame = pd.read_csv(io.BytesIO(body))
            out[f"read_csv_{inst}"] = time.perf_counter() - start
            out[f"rows_{inst}"] = len(frame)
        with app.app_context():
            from survey_app.models import Assessment

            start = time.perf_counter()
            assessment_result(db.session, db.session.get(Assessment, aid))
            out["fresh_compute"] = time.perf_counter() - start
        db.dispose(app)
        return out
    finally:
        if drop is not None:
            drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=3, help="warm loads per page (median)")
    parser.add_argument("--seed", type=int, default=2569)
    args = parser.parse_args()

    figures = {}
    for size in args.sizes:
        f = measure(size, backend=args.backend, repeat=args.repeat, seed=args.seed)
        figures[size] = f
        total = f["rows_IIT"] + f["rows_EIT"]
        print(f"\n{size:,} responses ({args.backend}; IIT {f['rows_IIT']:,}, "
              f"EIT {f['rows_EIT']:,} after the cold loads) [filled in {f['fill']:.1f} s]")
        for name in ("dashboard", "supervisor", "scores_xlsx"):
            print(f"  {name:<12} cold {f[name + '_cold'] * 1000:8.0f} ms   "
                  f"warm {f[name + '_warm'] * 1000:7.1f} ms   "
                  f"-> {f[name + '_cold'] / f[name + '_warm']:.2f}x  "
                  f"[mixer pass {f[name + '_pass'] * 1000:.0f} ms; "
                  f"a load recomputing it {f[name + '_recompute'] * 1000:.0f} ms]")
        print(f"  fresh computation of the result (every load before the store): "
              f"{f['fresh_compute'] * 1000:.0f} ms")
        csv_s = f["csv_IIT"] + f["csv_EIT"]
        floor = f["read_csv_IIT"] + f["read_csv_EIT"]
        print(f"  responses CSV (IIT + EIT): {csv_s * 1000:.0f} ms "
              f"({total / csv_s:,.0f} responses/s); pandas.read_csv of them "
              f"{floor * 1000:.0f} ms (floor) -> {csv_s / floor:.1f}x the floor")
    small, large = min(figures), max(figures)
    print(f"\ngoals ({large:,} vs {small:,} responses, warm page loads):")
    for name in ("dashboard", "supervisor"):
        ratio = figures[large][f"{name}_warm"] / figures[small][f"{name}_warm"]
        print(f"  {name}: {figures[large][name + '_warm'] * 1000:.1f} ms vs "
              f"{figures[small][name + '_warm'] * 1000:.1f} ms -> {ratio:.2f}x  goal <= 2x: "
              f"{'PASS' if ratio <= 2 else 'MISS'}")
    print(f"goals ({large:,} responses, the first load after a submission and the mixer's "
          f"pass vs a warm load):")
    for name in ("dashboard", "supervisor", "scores_xlsx"):
        f = figures[large]
        ratio = f[f"{name}_cold"] / f[f"{name}_warm"]
        print(f"  {name}: cold {f[name + '_cold'] * 1000:.1f} ms vs warm "
              f"{f[name + '_warm'] * 1000:.1f} ms -> {ratio:.2f}x  goal <= 2x: "
              f"{'PASS' if ratio <= 2 else 'MISS'}")
    print(f"  (load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())})")


if __name__ == "__main__":
    main()
