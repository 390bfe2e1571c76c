"""deploy/ stays in step with the app: the environment template names real settings, the
systemd units call real `ita` commands and options, nginx's body limit covers the import limit.

(nginx's site itself is run by tests/app/test_behind_nginx.py.)
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click

from survey_app import config
from survey_app.cli import main

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
#: Flask settings the app reads without listing them in config.DEFAULTS.
FLASK_SETTINGS = {"INSTANCE_PATH"}


def test_environment_template_names_only_real_settings():
    names = re.findall(r"^ITA_([A-Z_]+)=", (DEPLOY / "ita.env.example").read_text(), re.M)
    assert {"DATABASE_URL", "SECRET_KEY", "PUBLIC_BASE_URL", "PROXY_FIX"} <= set(names)
    assert set(names) <= set(config.DEFAULTS) | FLASK_SETTINGS


def _ita_calls() -> list[list[str]]:
    calls = []
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart="):
                words = shlex.split(line.removeprefix("ExecStart="))
                if words[0] == "/bin/sh":  # sh -c 'exec /opt/ita/venv/bin/ita …'
                    words = shlex.split(words[2].removeprefix("exec "))
                if words[0].endswith("/bin/ita"):
                    calls.append(words[1:])
    return calls


def test_systemd_units_call_real_commands_and_options():
    calls = _ita_calls()
    assert sorted(c[0] for c in calls) == ["backup", "mix", "serve"]
    for words in calls:
        command = main.get_command(click.Context(main), words[0])
        assert command is not None, words
        known = {opt for p in command.params for opt in getattr(p, "opts", [])}
        used = {w for w in words[1:] if w.startswith("--")}
        assert used <= known, (words, used - known)


def test_nginx_takes_the_largest_upload_the_app_accepts():
    site = "\n".join(line.split("#", 1)[0] for line in
                     (DEPLOY / "nginx" / "ita.conf").read_text().splitlines())
    limit = re.search(r"client_max_body_size (\d+)m;", site)
    assert limit and int(limit.group(1)) * 1024 * 1024 > config.DEFAULTS["IMPORT_MAX_BYTES"]
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site
    assert "$proxy_add_x_forwarded_for" not in site
