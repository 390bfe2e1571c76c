"""`ita --help` and `ita score` start without the web app (issue 21).

Each runs in a fresh interpreter, so what it imports is what `ita` imports: a module-level
``import flask`` (or an import of the app factory) anywhere on the way in fails these tests.
They check what is loaded, not how long it takes (benchmarks/cli_bench.py times it).
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from questionnaires import load_instrument_set
from survey_app.cli import main

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
THE_APP = ("flask", "flask_babel", "flask_login", "flask_wtf", "wtforms", "werkzeug",
           "sqlalchemy", "alembic", "survey_app.factory", "survey_app.extensions")

# Runs `ita ARGS` as the console script does, then prints the loaded modules as JSON.
RUN_ITA = """
import json, sys
from survey_app.cli import main
try:
    main(sys.argv[1:], prog_name="ita")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def ita_fresh(*args: str) -> tuple[int, set[str], str]:
    done = subprocess.run([sys.executable, "-c", RUN_ITA, *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["code"], set(report["modules"]), done.stdout


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_help_imports_neither_the_app_nor_pandas():
    code, modules, out = ita_fresh("--help")
    assert code == 0 and "score" in out and "published" in out
    assert loaded(modules, (*THE_APP, "pandas", "numpy", "scoring")) == []


def test_score_imports_scoring_and_not_the_app(tmp_path):
    iset = load_instrument_set("ita-2566")
    frame = pd.DataFrame([{c: 4 if iset.item(iset.question(c).item).scale.kind == "ordinal"
                           else 1 for c in iset.columns_for("IIT")} for _ in range(8)])
    frame.to_csv(tmp_path / "iit.csv", index=False)
    out = tmp_path / "scores.json"
    code, modules, _ = ita_fresh("score", "--iit", str(tmp_path / "iit.csv"),
                                 "--oit", str(DATA / "seed_2566_oit.csv"),
                                 "--format", "json", "--output", str(out))
    assert code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["instruments"]["IIT"]["responses"] == 8
    assert {"pandas", "scoring.assess"} <= modules  # it did score
    assert loaded(modules, THE_APP) == []


def test_defaults_are_read_from_the_constants(monkeypatch):
    assess = importlib.import_module("scoring.assess")  # (`scoring.assess` is the function)
    monkeypatch.setattr(assess, "DEFAULT_BOOTSTRAP", 123)
    monkeypatch.setattr(assess, "DEFAULT_SEED", 7)
    shown = CliRunner().invoke(main, ["score", "--help"], terminal_width=200).output
    assert "[default: 123; x>=0]" in shown and "[default: 7]" in shown
    shown = CliRunner().invoke(main, ["export", "scores", "--help"], terminal_width=200).output
    assert "[default: 123; x>=0]" in shown
