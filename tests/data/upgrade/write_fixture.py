"""Write ``rev0002.json.gz``: a database made and filled by the app at schema revision 0002.

Provenance of the committed fixture (tests/app/test_upgrade_old_database.py reads it):

    git archive 951ab5d | tar -x -C /tmp/old        # the last commit whose head was 0002
    cd /tmp/old && PYTHONPATH=/tmp/old ITA_INSTANCE_PATH=/tmp/old/inst \
        python -c "from survey_app.cli import main; main()" demo
    PYTHONPATH=/tmp/old python tests/data/upgrade/write_fixture.py \
        /tmp/old/inst/ita.sqlite3 tests/data/upgrade/rev0002.json.gz

Run it with the OLD code first on PYTHONPATH: the expected results are that revision's
``assessment_result(..., bootstrap=0)`` (``scoring.report.result_to_dict``), so the test checks
today's code against what the old release showed, not against itself.  Every table's rows are
kept as JSON (dates and times as ISO text, booleans as true/false).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import sys

import sqlalchemy as sa


def main(sqlite_path: str, output: str) -> None:
    from scoring.report import result_to_dict
    from survey_app import create_app
    from survey_app.extensions import db
    from survey_app.models import Assessment
    from survey_app.services.results import assessment_result

    url = f"sqlite:///{sqlite_path}"
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine)
    tables = {}
    with engine.connect() as conn:
        revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        for table in meta.sorted_tables:
            if table.name == "alembic_version":
                continue
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            tables[table.name] = {
                "columns": [c.name for c in table.columns],
                "rows": [[_plain(v) for v in row] for row in rows],
            }
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "fixture", "TESTING": True})
    results = {}
    with app.app_context():
        for assessment in db.session.scalars(sa.select(Assessment).order_by(Assessment.id)):
            results[str(assessment.id)] = result_to_dict(
                assessment_result(db.session, assessment, bootstrap=0))
    document = {"revision": revision, "written_by": "ita-survey commit 951ab5d, `ita demo`",
                "tables": tables, "results": results}
    with gzip.open(output, "wt", encoding="utf-8") as fh:
        json.dump(document, fh, ensure_ascii=False, separators=(",", ":"))


def _plain(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
