"""The test process's shared URL rules (tests/process_caches.py) are what Werkzeug makes itself:
every rule of an app built with them has the parts, converters, arguments and URL builders that
Werkzeug's own ``Rule.compile`` gives a fresh copy of it.  Its shared SQL statements are shared
only by alike dialects, and send the SQL each engine's own dialect compiles."""

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


def _sent(engine, statement) -> tuple[str, object, list]:
    """Execute ``statement`` on ``engine``: the SQL sent, the compiled object, the rows."""
    import sqlalchemy as sa

    seen = []

    def before(_conn, _cursor, sql, _params, context, _many):
        seen.append((sql, context.compiled))

    sa.event.listen(engine, "before_cursor_execute", before)
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    sa.event.remove(engine, "before_cursor_execute", before)
    assert len(seen) == 1
    return seen[0][0], seen[0][1], rows


def test_alike_engines_share_a_compiled_statement_and_send_their_own_sql():
    import sqlalchemy as sa

    table = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("a_rather_long_column_name", sa.String))
    engines = [sa.create_engine("sqlite://"), sa.create_engine("sqlite://"),
               sa.create_engine("sqlite://", paramstyle="named")]  # unlike: other parameters
    for k, engine in enumerate(engines):
        with engine.begin() as connection:
            table.create(connection)
            connection.execute(table.insert(), [{"a_rather_long_column_name": f"row {k}"}])
    statement = sa.select(table.c.a_rather_long_column_name.label("a_long_label")).where(
        table.c.id == 1)
    sent = [_sent(engine, statement) for engine in engines]
    assert sent[0][1] is sent[1][1]  # compiled once for the two alike engines
    assert sent[2][1] is not sent[0][1]  # and once more for the other
    for engine, (sql, _compiled, _rows) in zip(engines, sent, strict=True):
        assert sql == str(statement.compile(dialect=engine.dialect))  # what it compiles itself
    assert sent[0][0] != sent[2][0]
    assert [r for _sql, _c, r in sent] == [[("row 0",)], [("row 1",)], [("row 2",)]]
    assert process_caches.dialect_kind(engines[0].dialect) == process_caches.dialect_kind(
        engines[1].dialect) != process_caches.dialect_kind(engines[2].dialect)
    for engine in engines:
        engine.dispose()


def test_a_page_is_printed_once_until_it_or_its_fonts_change(tmp_path):
    import os
    import secrets
    import shutil

    from survey_app.services import pdf_text, reports

    weasyprint = pdf_text.write_pdf.__wrapped__  # what the process's write_pdf prints once
    printed = []

    def counting(html, base_url):
        printed.append(html)
        return weasyprint(html, base_url)

    write = process_caches.printed_once(counting)
    fonts = tmp_path / "fonts"
    shutil.copytree(reports.FONTS, fonts)
    page = f"<html><body><p>หน้า {secrets.token_hex(4)}</p></body></html>"  # never printed
    first = write(page, str(fonts))
    assert first.startswith(b"%PDF") and first == weasyprint(page, str(fonts))
    assert write(page, str(fonts)) == first and len(printed) == 1
    other = page.replace("หน้า", "อีกหน้า")
    assert write(other, str(fonts)) != first and len(printed) == 2
    font = next(fonts.iterdir())
    os.utime(font, ns=(0, font.stat().st_mtime_ns + 10**9))  # a font rebuilt: printed again
    assert write(page, str(fonts)) == first and len(printed) == 3
