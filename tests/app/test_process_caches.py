"""The test process's shared URL rules (tests/process_caches.py) are what Werkzeug makes itself:
every rule of an app built with them has the parts, converters, arguments and URL builders that
Werkzeug's own ``Rule.compile`` gives a fresh copy of it."""

from __future__ import annotations

import pytest
from flask import url_for

from survey_app import create_app
from survey_app.extensions import db

from .. import process_caches
from ..factories import app_config


def _made(rule) -> tuple:
    converters = {name: (type(c), {k: v for k, v in vars(c).items() if k != "map"}, c.map)
                  for name, c in rule._converters.items()}
    return (rule._parts, rule._trace, converters, rule.arguments,
            [(b.__self__, b.__func__.__code__.co_code, b.__func__.__code__.co_consts)
             for b in (rule._build, rule._build_unknown)])


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # no database is read
def test_every_rule_is_what_werkzeug_compiles(app, database_url, tmp_path):
    second = create_app(app_config(database_url, tmp_path))  # its rules from the shared ones
    rules = list(second.url_map.iter_rules())
    assert any(r.arguments for r in rules) and len(process_caches._RULES) >= len(rules)
    for rule in rules:
        fresh = rule.empty()
        fresh.map = second.url_map
        fresh.strict_slashes, fresh.merge_slashes = rule.strict_slashes, rule.merge_slashes
        fresh.subdomain = rule.subdomain
        process_caches.werkzeug_compile(fresh)
        made, own = _made(rule), _made(fresh)
        assert made[:4] == own[:4], rule.rule
        assert [b[0] for b in made[4]] == [rule, rule]  # bound to this app's copy
        assert [b[1:] for b in made[4]] == [b[1:] for b in own[4]], rule.rule
    with second.test_request_context():
        assert url_for("admin.set_detail", set_id="a b", q=1) == "/admin/sets/a%20b?q=1"
    db.dispose(second)
