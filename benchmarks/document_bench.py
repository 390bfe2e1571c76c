"""Report downloads with and without the document cache (services/document_cache.py, issue 19).

A fresh SQLite database gets the demo (``ensure_demo``: what ``ita demo`` builds); signed in as
its agency admin through the Flask test client, each document is downloaded

* **cold**: the cache folder emptied first, so the file is rendered (what every download cost
  before the cache);
* **warm**: the same download again, ``--repeat`` times (median): the view is built (stored
  result, texts, measures) and the kept file read;
* **preview**: the report's web page (the same view, rendered as HTML), the floor a warm
  download is compared with.

Goal: a warm yearly-report download (PDF and DOCX) under 100 ms ("tens of ms").

    .venv/bin/python benchmarks/document_bench.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL_MS = 100.0


def _timed(client, url: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = 1000 * (time.perf_counter() - start)
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    return elapsed, response.data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from survey_app import create_app
    from survey_app.demo import ensure_demo
    from survey_app.extensions import db
    from survey_app.services.document_cache import cache_folder
    from survey_app.services.schema import upgrade

    tmp = Path(tempfile.mkdtemp(prefix="ita-documents-"))
    try:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp / 'ita.sqlite3'}",
                          "INSTANCE_PATH": str(tmp / "instance"),
                          "SECRET_KEY": secrets.token_hex(16), "WTF_CSRF_ENABLED": False,
                          "RATELIMIT_ENABLED": False, "TESTING": True})
        with app.app_context():
            upgrade(db.engine)
            info = ensure_demo(db.session, code_key=app.config["CODE_HASH_KEY"],
                               base_url="http://bench.test", timezone=app.config["TIMEZONE"])
        folder = cache_folder(app.config, app.instance_path)
        client = app.test_client()
        login = client.post("/admin/login", data={"username": info.admin_login["username"],
                                                  "password": info.admin_login["password"]})
        assert login.status_code == 302, login.status_code
        aid = info.assessment_id
        preview = f"/admin/assessments/{aid}/report"
        _timed(client, preview)  # templates compiled, the result stored
        floor = statistics.median(_timed(client, preview)[0] for _ in range(args.repeat))
        print(f"load average {os.getloadavg()[0]:.1f}; demo assessment {aid}; "
              f"report preview (web page, the floor): {floor:.1f} ms (median of {args.repeat})")
        passed = True
        for fmt in ("pdf", "docx"):
            url = f"/admin/assessments/{aid}/report.{fmt}"
            shutil.rmtree(folder, ignore_errors=True)
            cold, first = _timed(client, url)
            runs = [_timed(client, url) for _ in range(args.repeat)]
            warm = statistics.median(t for t, _ in runs)
            same = all(body == first for _, body in runs)
            ok = warm < GOAL_MS and same
            passed &= ok
            print(f"report.{fmt}: cold {cold:8.1f} ms  warm {warm:6.1f} ms (median of "
                  f"{args.repeat}) -> {cold / warm:5.0f}x faster, {warm / floor:.1f}x the "
                  f"preview; same bytes: {'yes' if same else 'NO'}  goal warm < {GOAL_MS:g} ms: "
                  f"{'PASS' if ok else 'MISS'}")
        return 0 if passed else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
