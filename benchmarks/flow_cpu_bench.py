"""Server CPU of one EIT flow (GET form, POST answers answered by the thank-you page) in one
process, through the Flask test client on SQLite: a figure that a loaded machine disturbs far
less than a served run.  A tree from before the thank-you page answered the POST itself (a 302,
then GET thanks) is measured with its own flow, so two versions compare in turn.

    .venv/bin/python benchmarks/flow_cpu_bench.py                 # this checkout, 150 flows x 3
    git archive 3ac8e41 | tar -x -C /tmp/old && .venv/bin/python benchmarks/flow_cpu_bench.py /tmp/old

ROOT (default: this checkout) is the tree whose ``survey_app`` and ``tests/app/conftest.py``
are imported, so two versions can be compared in turn with one interpreter.
"""

from __future__ import annotations

import os
import pathlib
import re
import sys
import tempfile
import time


def main() -> int:
    root = sys.argv[1] if len(sys.argv) > 1 else str(pathlib.Path(__file__).resolve().parents[1])
    flows = int(sys.argv[2]) if len(sys.argv) > 2 else 150
    sys.path.insert(0, root)
    os.chdir(root)
    from survey_app import create_app
    from survey_app.extensions import make_engine
    from survey_app.services.schema import upgrade
    from tests.app.conftest import app_config, full_answers, make_assessment

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="ita-flow-"))
    url = f"sqlite:///{tmp}/flow.sqlite3"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    app = create_app(app_config(url, tmp, WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True,
                                EIT_RATE_LIMIT="1000000 per minute"))
    token = make_assessment(app).token
    answers = full_answers("EIT")
    per_request = re.compile(r'name="(csrf_token|nonce)"[^>]*value="([^"]*)"')

    def flow() -> None:
        client = app.test_client()
        page = client.get(f"/eit/{token}").get_data(as_text=True)
        sent = client.post(f"/eit/{token}", data={**answers, "respondent_group": "public",
                                                  **dict(per_request.findall(page))})
        if sent.status_code == 302:  # an older tree: the thank-you page is a third request
            sent = client.get(sent.headers["Location"])
        assert sent.status_code == 200 and 'class="done"' in sent.get_data(as_text=True)

    for _ in range(20):
        flow()
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for _ in range(flows):
            flow()
        best = min(best, (time.process_time() - start) / flows * 1000)
    print(f"{root}: EIT flow {best:.2f} ms CPU per flow (test client, SQLite, best of 3 x "
          f"{flows}); load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
