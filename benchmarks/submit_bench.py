"""Submissions under ``ita serve``: EIT and IIT respondents against a trivial and an INSERT route.

For each database (the embedded SQLite file, and PostgreSQL in a database created for the run
and dropped after it) the script

1. builds a fresh demo (``ensure_demo``), issues one one-time IIT code per IIT respondent
   (``issue_codes``) and creates a table ``bench_insert`` for the INSERT route;
2. serves a tiny Flask app (``GET /trivial`` answers ``ok``; ``POST /insert`` INSERTs one row
   and COMMITs, on an engine made by the app's own ``make_engine``) with ``ita serve`` itself:
   the same command, server, worker class and worker count as the product, only the WSGI app
   each worker loads is the tiny one;
3. serves the product with ``ita serve`` (its real configuration) and runs the clients:
   EIT (2 requests) = GET the form (CSRF token and one-time nonce parsed from it), POST
   complete answers, answered by the thank-you page; IIT (3 requests) = GET the code page,
   POST the code with the eligibility box ticked, answered by the questionnaire (CSRF token
   and signed ticket), POST complete answers, answered by the thank-you page; each
   respondent with its own code and its own cookies;
4. counts what is stored: EIT responses, IIT responses + ballots still in the box, INSERT rows,
   against what the server acknowledged (a 200 thank-you page to the answers; a 200 of the
   INSERT).

Clients are ``--clients`` threads spread over ``--processes`` processes, each with its own
keep-alive ``http.client`` connection (a new one whenever the server closes it).  A flow counts
as accepted when every one of its requests got the expected answer.

Rate limits: every respondent comes from 127.0.0.1, which the per-IP limits (EIT 60 per hour,
code entry 30 rejected per 10 minutes) would stop after a few dozen flows.  The product runs
with ``ITA_EIT_RATE_LIMIT`` and ``ITA_CODE_RATE_LIMIT`` raised to 1,000,000 per minute: the
limiter still counts every request (its cost is measured), it just never refuses one.
Everything else is the app's real configuration.

Both servers run side by side; ``--rounds`` (3) rounds of trivial, INSERT, EIT and IIT follow
each other, so floor and product see the same load; each figure is the median round, and the
last lines print every goal (EIT/INSERT >= 0.25, IIT/EIT >= 0.5, p99 < 200 ms, stored =
acknowledged) as PASS or MISS.

    .venv/bin/python benchmarks/submit_bench.py                  # SQLite and PostgreSQL, 8 clients
    .venv/bin/python benchmarks/submit_bench.py --db sqlite --duration 10 --clients 16
    .venv/bin/python benchmarks/submit_bench.py --profile DIR    # + cProfile of the workers
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

RELAXED_LIMIT = "1000000 per minute"
PG_SERVER = os.environ.get("ITA_BENCH_PG_URL",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
HOST = "127.0.0.1"

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
_HIDDEN = {name: re.compile(rf'name="{name}" value="([^"]*)"') for name in ("nonce", "ticket")}
_RADIO = re.compile(r'type="radio" name="([^"]+)" value="([^"]+)"')


# -- the servers ---------------------------------------------------------------------------------


def baseline_app():
    """The reference WSGI app: a trivial route and a single INSERT + COMMIT route."""
    import sqlalchemy as sa
    from flask import Flask, request

    from survey_app.extensions import make_engine

    engine = make_engine(os.environ["BENCH_DATABASE_URL"])
    table = _bench_table(sa)
    app = Flask("bench")

    @app.get("/trivial")
    def trivial():
        return "ok"

    @app.post("/insert")
    def insert():
        with engine.begin() as conn:
            conn.execute(sa.insert(table).values(payload=request.form.get("payload", "")[:64]))
        return "ok"

    return app


def _bench_table(sa):
    return sa.Table("bench_insert", sa.MetaData(),
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("payload", sa.String(64), nullable=False))


def profiled_app(inner, directory: str):
    """Wrap a WSGI app in cProfile (one thread per worker); dump the stats every 100 requests."""
    import cProfile

    profile = cProfile.Profile()
    path = Path(directory) / f"worker-{os.getpid()}.prof"
    served = 0

    def app(environ, start_response):
        nonlocal served
        profile.enable()
        try:
            body = b"".join(inner(environ, start_response))
        finally:
            profile.disable()
        served += 1
        if served % 100 == 0:
            profile.dump_stats(path)
        return [body]

    return app


def serve(argv: list[str]) -> None:
    """``--serve-baseline`` / ``--serve-profiled``: run ``ita serve`` with another worker app."""
    from survey_app import cli, server

    kind, rest = argv[0], argv[1:]
    if kind == "--serve-baseline":
        server._Gunicorn.load = lambda self: baseline_app()
    else:
        directory = os.environ["BENCH_PROFILE_DIR"]

        def load(self):
            from survey_app import create_app

            return profiled_app(create_app(), directory)

        server._Gunicorn.load = load
    cli.main(["serve", *rest], standalone_mode=True)


class Server:
    """``ita serve`` (or the baseline under ``ita serve``) in a subprocess."""

    def __init__(self, env: dict[str, str], kind: str, workers: int | None,
                 threads: int | None):
        self.port = _free_port()
        args = ["--port", str(self.port), "--host", HOST]
        if workers:
            args += ["--workers", str(workers)]
        if threads:
            args += ["--threads", str(threads)]
        if kind == "product":
            cmd = [str(Path(sys.executable).parent / "ita"), "serve", *args]
        else:
            cmd = [sys.executable, __file__, f"--serve-{kind}", *args]
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the server exited:\n" + self.output())
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/trivial")
                conn.getresponse().read()
                conn.close()
                # every worker should be up: give them a moment after the first answer
                time.sleep(1.0)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start:\n" + self.output())

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]

    def header(self) -> str:
        lines = [x for x in self.output().splitlines() if x.startswith("ITA survey app on")]
        return lines[0] if lines else ""

    def cpu_seconds(self) -> float:
        """User + system CPU of the server's process tree (master and workers) so far."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in _tree(self.proc.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick
        return total

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# -- the database ----------------------------------------------------------------------------


class Database:
    """A fresh instance folder (and, for PostgreSQL, a fresh database) with the demo in it."""

    def __init__(self, kind: str, codes: int):
        import sqlalchemy as sa

        self.kind = kind
        self.instance = tempfile.mkdtemp(prefix=f"ita-bench-{kind}-")
        self.env = {**os.environ, "ITA_INSTANCE_PATH": self.instance,
                    "ITA_EIT_RATE_LIMIT": RELAXED_LIMIT, "ITA_CODE_RATE_LIMIT": RELAXED_LIMIT,
                    "ITA_SECRET_KEY": secrets.token_hex(32)}
        for name in ("ITA_DATABASE_URL", "ITA_PUBLIC_BASE_URL", "ITA_RATELIMIT_ENABLED"):
            self.env.pop(name, None)
        self.pg_name = None
        if kind == "postgresql":
            self.pg_name = f"ita_bench_{os.getpid()}_{secrets.token_hex(3)}"
            admin = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT",
                                     poolclass=sa.NullPool)
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{self.pg_name}"')
            url = sa.make_url(PG_SERVER).set(database=self.pg_name)
            self.url = url.render_as_string(hide_password=False)
            self.env["ITA_DATABASE_URL"] = self.url
            self.env["ITA_PUBLIC_BASE_URL"] = "http://127.0.0.1:8000"
        else:
            self.url = f"sqlite:///{Path(self.instance) / 'ita.sqlite3'}"
        self.env["BENCH_DATABASE_URL"] = self.url
        self._prepare(codes)

    def _app(self):
        from survey_app import create_app

        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(self.env)
        try:
            return create_app()
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def _prepare(self, codes: int) -> None:
        import sqlalchemy as sa

        from survey_app.demo import ensure_demo
        from survey_app.extensions import db
        from survey_app.models import Assessment
        from survey_app.services.codes import issue_codes
        from survey_app.services.schema import upgrade

        app = self._app()
        with app.app_context():
            upgrade(db.engine)
            info = ensure_demo(db.session, code_key=app.config["CODE_HASH_KEY"],
                               base_url="http://127.0.0.1:8000",
                               timezone=app.config["TIMEZONE"])
            assessment = db.session.get(Assessment, info.assessment_id)
            self.assessment_id = assessment.id
            self.token = urlsplit(info.eit_url).path.rsplit("/", 1)[1]
            self.codes = issue_codes(db.session, assessment, codes,
                                     key=app.config["CODE_HASH_KEY"], batch="bench")
            db.session.commit()
            _bench_table(sa).create(db.engine)
        db.dispose(app)

    def counts(self) -> dict[str, int]:
        import sqlalchemy as sa

        from survey_app.extensions import db
        from survey_app.models import Ballot, Response

        app = self._app()
        with app.app_context():
            s = db.session
            a = self.assessment_id

            def n(query):
                return s.scalar(sa.select(sa.func.count()).select_from(query.subquery()))

            out = {
                "EIT": n(sa.select(Response.id).where(Response.assessment_id == a,
                                                      Response.instrument == "EIT")),
                "IIT": n(sa.select(Response.id).where(Response.assessment_id == a,
                                                      Response.instrument == "IIT"))
                + n(sa.select(Ballot.id).where(Ballot.assessment_id == a)),
                "insert": s.scalar(sa.text("SELECT count(*) FROM bench_insert")),
            }
        db.dispose(app)
        return out

    def drop(self) -> None:
        import sqlalchemy as sa

        if self.pg_name:
            admin = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT",
                                     poolclass=sa.NullPool)
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
        shutil.rmtree(self.instance, ignore_errors=True)


# -- the clients -----------------------------------------------------------------------------


class Refused(Exception):
    """The server answered, but not what an accepted flow gets."""


class Browser:
    """One keep-alive connection; a fresh cookie jar per respondent."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.sent = 0  # requests sent (the flows' request counts are reported)

    def request(self, method: str, path: str, form: dict | None = None
                ) -> tuple[int, dict[str, str], str]:
        self.sent += 1
        headers = {"Accept-Language": "th"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body, headers)
            response = self.conn.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            raise
        for value in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(value)
            for name, morsel in cookie.items():
                if not morsel.value or morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, dict(response.headers), data.decode("utf-8", "replace")


def _expect(status: int, headers: dict, want: int) -> None:
    if status != want:
        raise Refused(f"HTTP {status}")


def _thanked(status: int, headers, page: str) -> None:
    """The answers' POST must be answered by the thank-you page itself (200, no redirect), not
    by a re-shown form (4xx) or "already received" (409)."""
    _expect(status, headers, 200)
    if 'class="done"' not in page:
        raise Refused("200 without the thank-you page")


def _answers(page: str, rng: random.Random) -> dict[str, str]:
    options: dict[str, list[str]] = {}
    for name, value in _RADIO.findall(page):
        options.setdefault(name, []).append(value)
    return {name: rng.choice(values) for name, values in options.items()}


def _hidden(page: str, name: str) -> str:
    match = _CSRF.search(page) if name == "csrf_token" else _HIDDEN[name].search(page)
    if match is None:
        raise Refused(f"no {name} on the page")
    return match.group(1)


def flow_trivial(b: Browser, ctx: dict) -> bool:
    status, headers, _ = b.request("GET", "/trivial")
    _expect(status, headers, 200)
    ctx["acknowledged"] += 1
    return True


def flow_insert(b: Browser, ctx: dict) -> bool:
    status, headers, _ = b.request("POST", "/insert", {"payload": "x" * 32})
    _expect(status, headers, 200)
    ctx["acknowledged"] += 1
    return True


def flow_eit(b: Browser, ctx: dict) -> bool:
    """GET the form, POST the answers: acknowledged when the thank-you page answers."""
    b.cookies = {}
    path = f"/eit/{ctx['token']}"
    status, headers, page = b.request("GET", path)
    _expect(status, headers, 200)
    form = _answers(page, ctx["rng"])
    form.update(csrf_token=_hidden(page, "csrf_token"), nonce=_hidden(page, "nonce"), website="")
    status, headers, page = b.request("POST", path, form)
    _thanked(status, headers, page)
    ctx["acknowledged"] += 1
    return True


def flow_iit(b: Browser, ctx: dict) -> bool:
    """GET the code page, POST the code (answered by the questionnaire), POST the answers:
    acknowledged when the thank-you page answers."""
    b.cookies = {}
    try:
        code = ctx["codes"].pop()
    except IndexError:
        return False
    path = f"/iit/{ctx['token']}"
    status, headers, page = b.request("GET", path)
    _expect(status, headers, 200)
    status, headers, page = b.request("POST", path, {"csrf_token": _hidden(page, "csrf_token"),
                                                     "code": code, "eligible": "y"})
    _expect(status, headers, 200)  # the questionnaire answers the code
    form = _answers(page, ctx["rng"])
    form.update(csrf_token=_hidden(page, "csrf_token"), ticket=_hidden(page, "ticket"))
    status, headers, page = b.request("POST", f"{path}/questionnaire", form)
    _thanked(status, headers, page)
    ctx["acknowledged"] += 1
    return True


FLOWS = {"trivial": flow_trivial, "insert": flow_insert, "EIT": flow_eit, "IIT": flow_iit}


def client_process(scenario: str, port: int, token: str, codes: list[str], threads: int,
                   start, duration: float, warmup: int, queue) -> None:
    """Run ``threads`` clients; put (latencies, errors, acknowledged, first, last) on ``queue``.

    ``start`` is (warmed, go, at): every client waits at ``warmed`` after its warm-up flows,
    then at ``go``, and the timed window opens at ``at.value`` (set by run_clients in
    between), so a slow start on a loaded machine never eats into the window."""
    warmed, go, at = start
    lock = threading.Lock()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    totals = {"acknowledged": 0, "exhausted": 0}
    ends: list[float] = []
    shared_codes = list(codes)

    def run(seed: int) -> None:
        ctx = {"token": token, "codes": shared_codes, "rng": random.Random(seed),
               "acknowledged": 0}
        flow = FLOWS[scenario]
        browser = Browser(port)
        mine: list[float] = []
        my_errors: dict[str, int] = {}
        for _ in range(warmup):
            try:
                flow(browser, ctx)
            except (Refused, OSError, http.client.HTTPException):
                pass
        warm_acks = ctx["acknowledged"]
        warmed.wait(timeout=600)
        go.wait(timeout=600)
        start_at = at.value
        last = start_at
        time.sleep(max(start_at - time.time(), 0))
        sent = browser.sent
        deadline = start_at + duration
        while time.time() < deadline:
            t = time.perf_counter()
            try:
                if not flow(browser, ctx):
                    with lock:
                        totals["exhausted"] += 1
                    break
                mine.append(time.perf_counter() - t)
            except (Refused, OSError, http.client.HTTPException) as exc:
                kind = str(exc) if isinstance(exc, Refused) else type(exc).__name__
                my_errors[kind] = my_errors.get(kind, 0) + 1
            last = time.time()
        with lock:
            totals["requests"] = totals.get("requests", 0) + browser.sent - sent
            latencies.extend(mine)
            for k, v in my_errors.items():
                errors[k] = errors.get(k, 0) + v
            totals["acknowledged"] += ctx["acknowledged"]
            totals.setdefault("warm_acks", 0)
            totals["warm_acks"] += warm_acks
            ends.append(last)

    workers = [threading.Thread(target=run, args=(os.getpid() * 100 + i,))
               for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    queue.put({"latencies": latencies, "errors": errors, "end": max(ends),
               "acknowledged": totals["acknowledged"], "warm_acks": totals.get("warm_acks", 0),
               "requests": totals.get("requests", 0),
               "exhausted": totals["exhausted"]})


def run_clients(scenario: str, server: Server, db: Database, args, codes: list[str]) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    processes = min(args.processes, args.clients)
    per = [args.clients // processes + (1 if i < args.clients % processes else 0)
           for i in range(processes)]
    chunks = [codes[i::processes] for i in range(processes)]
    start = (ctx.Barrier(args.clients + 1), ctx.Barrier(args.clients + 1), ctx.Value("d", 0.0))
    cpu0 = server.cpu_seconds()
    procs = [ctx.Process(target=client_process,
                         args=(scenario, server.port, db.token, chunks[i], per[i], start,
                               args.duration, args.warmup, queue))
             for i in range(processes)]
    for p in procs:
        p.start()
    start[0].wait(timeout=600)  # every client warmed up
    start[2].value = start_at = time.time() + 0.2
    start[1].wait(timeout=600)
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    cpu = server.cpu_seconds() - cpu0
    latencies = sorted(x for r in results for x in r["latencies"])
    errors: dict[str, int] = {}
    for r in results:
        for k, v in r["errors"].items():
            errors[k] = errors.get(k, 0) + v
    elapsed = max(r["end"] for r in results) - start_at
    n = len(latencies)
    return {
        "scenario": scenario, "accepted": n, "elapsed": elapsed,
        "rate": n / elapsed if elapsed > 0 else 0.0,
        "p50": _pct(latencies, 50), "p95": _pct(latencies, 95), "p99": _pct(latencies, 99),
        "errors": errors, "acknowledged": sum(r["acknowledged"] for r in results),
        "exhausted": sum(r["exhausted"] for r in results),
        # requests per accepted flow in the timed window (failed flows' requests included)
        "requests": sum(r["requests"] for r in results) / max(n, 1),
        # CPU of the whole run, warm-up included: per flow, over every flow served
        "cpu_ms": 1000 * cpu / max(n + sum(r["warm_acks"] for r in results), 1),
    }


def _pct(values: list[float], p: int) -> float:
    if not values:
        return float("nan")
    return 1000 * values[min(len(values) - 1, int(len(values) * p / 100))]


# -- the run ---------------------------------------------------------------------------------


def bench_database(kind: str, args) -> dict[str, dict]:
    """Both servers up at once; ``--rounds`` rounds of trivial, INSERT, EIT, IIT in turn (so
    the floor and the product see the same load); a scenario's figure is its median round."""
    print(f"\n== {kind} ==", flush=True)
    t = time.perf_counter()
    db = Database(kind, codes=args.codes)
    print(f"fresh demo database, {len(db.codes):,} IIT codes issued "
          f"[{time.perf_counter() - t:.1f} s, not timed]", flush=True)
    rounds: dict[str, list[dict]] = {s: [] for s in ("trivial", "insert", "EIT", "IIT")}
    servers: list[Server] = []
    try:
        before = db.counts()
        baseline = Server(db.env, "baseline", args.workers, args.threads)
        servers.append(baseline)
        kind_served = "profiled" if args.profile else "product"
        if args.profile:
            db.env["BENCH_PROFILE_DIR"] = str(Path(args.profile).absolute() / kind)
            Path(db.env["BENCH_PROFILE_DIR"]).mkdir(parents=True, exist_ok=True)
        product = Server(db.env, kind_served, args.workers, args.threads)
        servers.append(product)
        print(f"server: {product.header() or 'ita serve'}", flush=True)
        codes = list(db.codes)
        per_round = len(codes) // args.rounds
        for n in range(args.rounds):
            print(f"-- round {n + 1} of {args.rounds}, load average {os.getloadavg()[0]:.1f}",
                  flush=True)
            for scenario, server in (("trivial", baseline), ("insert", baseline),
                                     ("EIT", product), ("IIT", product)):
                mine = codes[n * per_round:(n + 1) * per_round] if scenario == "IIT" else []
                rounds[scenario].append(_report(run_clients(scenario, server, db, args, mine),
                                                args))
        after = db.counts()
    finally:
        for server in servers:
            server.stop()
        db.drop()
    results = {s: _median(rs) for s, rs in rounds.items()}
    for scenario, key in (("EIT", "EIT"), ("IIT", "IIT"), ("insert", "insert")):
        stored = after[key] - before[key]
        acked = sum(r["acknowledged"] for r in rounds[scenario])
        results[scenario]["stored"], results[scenario]["acknowledged"] = stored, acked
        mark = "equal" if stored == acked else (
            "MORE stored (unacknowledged requests were stored)" if stored > acked
            else "LOST: fewer stored than acknowledged")
        print(f"stored vs acknowledged, {scenario}: {stored:,} stored, {acked:,} "
              f"acknowledged (warm-up included): {mark}", flush=True)
    insert, eit, iit = (max(results[s]["rate"], 1e-9) for s in ("insert", "EIT", "IIT"))
    ratios = [f"{r['rate'] / max(rr['rate'], 1e-9):.3f}"
              for r, rr in zip(rounds["EIT"], rounds["insert"], strict=True)]
    iit_ratios = [f"{r['rate'] / max(rr['rate'], 1e-9):.2f}"
                  for r, rr in zip(rounds["IIT"], rounds["EIT"], strict=True)]
    print(f"median of {args.rounds} rounds ({kind}, {args.clients} clients):", flush=True)
    for scenario in ("trivial", "insert", "EIT", "IIT"):
        r = results[scenario]
        print(f"  {scenario:>7}: {r['rate']:8.1f}/s  p99 {r['p99']:6.1f} ms  server CPU "
              f"{r['cpu_ms']:.2f} ms/flow  {r['requests']:.1f} requests/flow", flush=True)
    worst_p99 = max(results[s]["p99"] for s in ("EIT", "IIT"))
    lost = any(results[s]["stored"] < results[s]["acknowledged"] for s in ("EIT", "IIT", "insert"))
    print(f"goals ({kind}): EIT/INSERT {eit / insert:.3f} (rounds {', '.join(ratios)}; >= 0.25: "
          f"{'PASS' if eit >= insert / 4 else 'MISS'})   IIT/EIT {iit / eit:.2f} (rounds "
          f"{', '.join(iit_ratios)}; >= 0.50: {'PASS' if iit >= eit / 2 else 'MISS'})   "
          f"p99 EIT/IIT {worst_p99:.0f} ms (< 200 ms with {args.clients} clients: "
          f"{'PASS' if worst_p99 < 200 else 'MISS'})   stored = acknowledged: "
          f"{'MISS' if lost else 'PASS'}   trivial/INSERT "
          f"{results['trivial']['rate'] / insert:.2f}", flush=True)
    return results


def _median(runs: list[dict]) -> dict:
    ordered = sorted(runs, key=lambda r: r["rate"])
    return dict(ordered[len(ordered) // 2])


def _report(r: dict, args) -> dict:
    errors = ", ".join(f"{k} ×{v}" for k, v in sorted(r["errors"].items())) or "0"
    extra = f"  (codes ran out after {r['elapsed']:.1f} s)" if r["exhausted"] else ""
    print(f"{r['scenario']:>7}: {r['rate']:8.1f} accepted/s  p50 {r['p50']:6.1f} ms  "
          f"p95 {r['p95']:6.1f} ms  p99 {r['p99']:6.1f} ms  errors {errors}  "
          f"server CPU {r['cpu_ms']:.2f} ms/flow  ({r['accepted']:,} in "
          f"{r['elapsed']:.1f} s){extra}", flush=True)
    return r


def summarise_profile(directory: Path, top: int) -> None:
    """Print the workers' cProfile totals grouped by package, then the top functions."""
    import pstats

    files = sorted(str(p) for p in directory.glob("*/worker-*.prof"))
    if not files:
        print("no profile written")
        return
    for kind_dir in sorted({Path(f).parent for f in files}):
        stats = pstats.Stats(*[str(p) for p in kind_dir.glob("worker-*.prof")])
        total = sum(v[2] for v in stats.stats.values())
        groups: dict[str, float] = {}
        for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
            groups[_group(filename)] = groups.get(_group(filename), 0.0) + tottime
        print(f"\nprofile ({kind_dir.name}, {len(files)} worker files): {total:.2f} s in "
              "requests, own time by package:")
        for name, t in sorted(groups.items(), key=lambda kv: -kv[1])[:14]:
            print(f"  {100 * t / total:5.1f} %  {name}")
        stats.sort_stats("cumulative").print_stats(top)


def _group(filename: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0]
    for part in ("survey_app", "questionnaires", "scoring"):
        if f"/{part}/" in filename:
            return part + "/" + filename.split(f"/{part}/", 1)[1].split("/", 1)[0]
    if filename.startswith("<") or filename == "~":
        return "builtins (C functions, compiled templates)"
    return "stdlib " + Path(filename).stem


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] in ("--serve-baseline", "--serve-profiled"):
        serve(sys.argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of every scenario, interleaved (median reported)")
    parser.add_argument("--processes", type=int, default=4, help="client processes")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per scenario")
    parser.add_argument("--warmup", type=int, default=2, help="flows per client, not timed")
    parser.add_argument("--codes", type=int, default=6000, help="IIT codes issued")
    parser.add_argument("--workers", type=int, help="ita serve --workers (default: its own)")
    parser.add_argument("--threads", type=int, help="ita serve --threads (default: its own)")
    parser.add_argument("--profile", metavar="DIR",
                        help="serve the product with cProfile in each worker (1 thread per "
                             "worker) and print where the time goes")
    args = parser.parse_args()
    if args.profile and not args.threads:
        args.threads = 1
    print(f"clients: {args.clients} ({args.processes} processes, keep-alive http.client), "
          f"{args.duration:g} s per scenario after {args.warmup} warm-up flow(s) per client; "
          f"CPUs: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    print(f"rate limits relaxed for one loopback IP: ITA_EIT_RATE_LIMIT and ITA_CODE_RATE_LIMIT "
          f"= '{RELAXED_LIMIT}' (the limiter still counts every request); everything else is "
          "the app's real configuration")
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    all_results = {k: bench_database(k, args) for k in kinds}
    if args.profile:
        summarise_profile(Path(args.profile), 25)
    lost = any(r.get("stored", r["acknowledged"]) < r["acknowledged"]
               for res in all_results.values() for r in res.values())
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
