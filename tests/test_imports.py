"""The import contracts in pyproject.toml (``[tool.importlinter]``) hold.

They say which way the layers point (CLI → views → services → models), that ``scoring`` and
``questionnaires`` never import the app, that services never import a view, the CLI or
Flask-Login, that the console's view modules are independent, and that no sibling modules
import each other in a cycle.  ``lint-imports`` prints the same report.
"""

from __future__ import annotations

import os
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)  # the root packages are found from the project directory
    monkeypatch.syspath_prepend(os.fspath(ROOT))
    code = lint_imports(config_filename=os.fspath(ROOT / "pyproject.toml"), no_cache=True)
    report = capsys.readouterr().out
    assert code == 0, report
    assert "0 broken" in report
