"""Server CPU of one EIT flow and one IIT flow in one process, through the Flask test client on
SQLite: a figure that a loaded machine disturbs far less than a served run.

EIT = GET the form, POST the answers (answered by the thank-you page); IIT = GET the code page,
POST the code with the eligibility box (answered by the questionnaire), POST the answers.  A
tree from before either change is measured with its own flow (EIT: a 302, then GET thanks;
IIT: a 302, then GET the questionnaire), so two versions compare in turn.  The two flows
alternate within each of the rounds; the best round of each is printed, and IIT/EIT: the goal
"IIT flows/s >= 0.5 of EIT flows/s" (submit_bench.py) needs an IIT flow at no more than twice
an EIT flow's CPU.

    .venv/bin/python benchmarks/flow_cpu_bench.py                 # this checkout, 150 flows x 3
    git archive 3ac8e41 | tar -x -C /tmp/old && .venv/bin/python benchmarks/flow_cpu_bench.py /tmp/old
"""

from __future__ import annotations

import argparse
import os
import pathlib
import re
import sys
import tempfile
import time

_PER_REQUEST = re.compile(r'name="(csrf_token|nonce|ticket)"[^>]*value="([^"]*)"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", nargs="?",
                        default=str(pathlib.Path(__file__).resolve().parents[1]),
                        help="the tree whose survey_app and tests/app/conftest.py are imported "
                             "(default: this checkout)")
    parser.add_argument("flows", nargs="?", type=int, default=150,
                        help="flows of each kind per round (default 150)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (default 3): best of")
    args = parser.parse_args()
    root, flows = args.root, args.flows
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
    relaxed = "1000000 per minute"
    app = create_app(app_config(url, tmp, WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True,
                                EIT_RATE_LIMIT=relaxed, CODE_RATE_LIMIT=relaxed))
    setup = make_assessment(app, codes=20 + flows * args.rounds)
    token, codes = setup.token, list(setup.codes)
    eit_answers, iit_answers = full_answers("EIT"), full_answers("IIT")

    def eit_flow() -> None:
        client = app.test_client()
        page = client.get(f"/eit/{token}").get_data(as_text=True)
        sent = client.post(f"/eit/{token}", data={**eit_answers, "respondent_group": "public",
                                                  **dict(_PER_REQUEST.findall(page))})
        if sent.status_code == 302:  # an older tree: the thank-you page is a third request
            sent = client.get(sent.headers["Location"])
        assert sent.status_code == 200 and 'class="done"' in sent.get_data(as_text=True)

    def iit_flow() -> None:
        client = app.test_client()
        page = client.get(f"/iit/{token}").get_data(as_text=True)
        entered = client.post(f"/iit/{token}", data={
            "code": codes.pop(), "eligible": "y", **dict(_PER_REQUEST.findall(page))})
        if entered.status_code == 302:  # an older tree: the questionnaire is a GET of its own
            entered = client.get(entered.headers["Location"])
        assert entered.status_code == 200
        page = entered.get_data(as_text=True)
        sent = client.post(f"/iit/{token}/questionnaire",
                           data={**iit_answers, **dict(_PER_REQUEST.findall(page))})
        if sent.status_code == 302:
            sent = client.get(sent.headers["Location"])
        assert sent.status_code == 200 and 'class="done"' in sent.get_data(as_text=True)

    for _ in range(10):
        eit_flow()
        iit_flow()
    best = {"EIT": float("inf"), "IIT": float("inf")}
    for _ in range(args.rounds):
        for name, flow in (("EIT", eit_flow), ("IIT", iit_flow)):
            start = time.process_time()
            for _ in range(flows):
                flow()
            best[name] = min(best[name], (time.process_time() - start) / flows * 1000)
    ratio = best["IIT"] / best["EIT"]
    print(f"{root}: EIT flow {best['EIT']:.2f} ms, IIT flow {best['IIT']:.2f} ms CPU per flow "
          f"(test client, SQLite, best of {args.rounds} x {flows}); IIT/EIT {ratio:.2f} "
          f"(<= 2.00: {'PASS' if ratio <= 2 else 'MISS'}); load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
