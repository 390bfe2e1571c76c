"""EIT submissions through nginx (TLS) in front of one, then two `ita serve` instances.

The deployment of ``deploy/`` as ``tests/app/test_behind_nginx.py`` runs it
(``tests/app/proxy_stack.py``: the repository's nginx site file, loopback ports, one PostgreSQL
database created for the run and dropped after it, rate limits in Redis under a key prefix of
the run's own).  Each instance is ``ita serve --workers 1 --threads 4``; so one instance is one
worker process and two instances are two.

For each number of instances: ``--clients`` threads, each with its own keep-alive HTTPS
connection to nginx, repeat the EIT flow for ``--duration`` seconds: GET the form (CSRF token
and one-time nonce), POST complete answers (a 200, the thank-you page itself, is an acknowledged
response).  Printed: acknowledged responses per second, the POST's p50 and p99 latency, the
whole flow's p50, failures, and the stored count against the acknowledged one.

The per-IP EIT limit is raised to 1,000,000 per minute (every client is 127.0.0.1); the
limiter still counts every submission in Redis.

    .venv/bin/python benchmarks/proxy_bench.py                      # 1 and 2 instances
    .venv/bin/python benchmarks/proxy_bench.py --duration 30 --clients 24
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# The app, the tests' helpers and the stack are imported where a run needs them, so that
# `--help` answers without importing Flask, SQLAlchemy and pandas (tests/test_docs.py asks it).
REDIS_URL = "redis://127.0.0.1:6379/0"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_load(stack, token: str, clients: int, duration: float) -> dict:
    post_ms: list[float] = []
    flow_ms: list[float] = []
    failures = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client() -> None:
        nonlocal failures
        browser = stack.browser()
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                page = browser.get(f"/eit/{token}")
                posted = time.perf_counter()
                status = _post(browser, token, page)
            except Exception:  # a refused or broken request counts as a failure
                browser.close()
                status = None
            done = time.perf_counter()
            with lock:
                if status == 200:
                    post_ms.append((done - posted) * 1000)
                    flow_ms.append((done - started) * 1000)
                else:
                    failures += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + 120)
    elapsed = time.monotonic() - began
    from tests.app.proxy_stack import close_all

    close_all()
    return {"acknowledged": len(post_ms), "failures": failures, "elapsed": elapsed,
            "per_second": len(post_ms) / elapsed,
            "post_p50": statistics.median(post_ms) if post_ms else float("nan"),
            "post_p99": percentile(post_ms, 0.99) if post_ms else float("nan"),
            "flow_p50": statistics.median(flow_ms) if flow_ms else float("nan")}


def _post(browser, token: str, page) -> int:
    from tests.app.conftest import full_answers

    form = {"csrf_token": page.field("csrf_token"), "nonce": page.field("nonce"),
            "respondent_group": "public", **full_answers("EIT")}
    return browser.post(f"/eit/{token}", form).status


def bench(instances: int, clients: int, duration: float) -> dict:
    from survey_app.extensions import make_engine
    from survey_app.services.schema import upgrade
    from tests.app.conftest import make_assessment
    from tests.app.databases import empty_database
    from tests.app.proxy_stack import close_all, eit_submit, running_stack

    prefix = f"ita-proxy-bench-{secrets.token_hex(6)}"
    with tempfile.TemporaryDirectory(prefix="ita-proxy-bench-") as tmp:
        folder = Path(tmp)
        with empty_database("postgresql", folder, "bench") as url:
            engine = make_engine(url)
            upgrade(engine)
            engine.dispose()
            settings = {"ITA_RATELIMIT_STORAGE_URI": REDIS_URL,
                        "ITA_RATELIMIT_KEY_PREFIX": prefix,
                        "ITA_EIT_RATE_LIMIT": "1000000 per minute"}
            try:
                with running_stack(folder, url, instances=instances,
                                   settings=settings) as stack:
                    setup = make_assessment(stack.app, codes=1, agency_code="BENCH")
                    for _ in range(10):  # warm up both servers and the connection pools
                        eit_submit(stack.browser(), setup.token)
                    close_all()
                    result = run_load(stack, setup.token, clients, duration)
                    result["stored"] = stack.scalar(
                        "SELECT count(*) FROM response WHERE assessment_id = :a",
                        a=setup.assessment_id) - 10
            finally:
                _forget_prefix(prefix)
    return result


def _forget_prefix(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    for key in client.scan_iter(f"*{prefix}*"):  # only this run's keys
        client.delete(key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    print(f"EIT through nginx (TLS), {args.clients} clients, {args.duration:.0f} s each")
    print("instances  responses/s  POST p50 ms  POST p99 ms  flow p50 ms  failures  "
          "stored/acknowledged")
    for n in args.instances:
        r = bench(n, args.clients, args.duration)
        print(f"{n:>9}  {r['per_second']:>11.1f}  {r['post_p50']:>11.1f}  {r['post_p99']:>11.1f}"
              f"  {r['flow_p50']:>11.1f}  {r['failures']:>8}  {r['stored']}/{r['acknowledged']}")


if __name__ == "__main__":
    main()
