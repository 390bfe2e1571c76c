"""What the commands that use the database share: the app's context, the audit-and-commit step,
and the look-ups that end a command with one line when nothing is found.

Flask, SQLAlchemy and the app are imported inside the functions, when a command runs.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import NamedTuple

import click

#: Who the audit log says acted, for every command (there is no signed-in user).
CLI_ACTOR = "(cli)"


def refused(exc: Exception, suffix: str = "") -> click.ClickException:
    """End a command with a service's refusal, worded in English by the one catalogue
    (``survey_app.refusals``); any other error by its own text."""
    from ..refusals import say
    from ..services.refusals import Refusal

    text = say(exc, "en") if isinstance(exc, Refusal) else str(exc)
    return click.ClickException(text + suffix)


@contextmanager
def app_context(config: dict | None = None, *, schema: bool = True):
    """Create the app and enter its context; close its connections at the end.

    With ``schema`` (every command but ``ita db upgrade``), an embedded database that is not at
    the newest revision is migrated first (one line on stderr says so), and a server database
    that is not is refused with one line naming the command to run.
    """
    from ..config import ConfigError
    from ..extensions import db
    from ..factory import create_app

    # Exports, reports and migrations are batch jobs: no statement or lock time limit (the
    # web app's limits are there to answer a waiting person quickly).
    batch = {"DB_STATEMENT_TIMEOUT_MS": 0, "DB_LOCK_TIMEOUT_MS": 0}
    try:
        app = create_app({**batch, **(config or {})})
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        with app.app_context():
            if schema:
                ensure_schema(app)
            yield app
    finally:
        db.dispose(app)


def ensure_schema(app) -> None:
    """Migrate an embedded database that is behind; refuse a server database that is."""
    from ..server import prepare_database

    try:
        message = prepare_database(app)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:
        from ..extensions import database_error_summary

        raise click.ClickException(
            f"cannot read the database: {database_error_summary(exc)}") from None
    if message:
        click.echo(message, err=True)


def safe_url(engine) -> str:
    """The database URL to print: its password hidden."""
    return engine.url.render_as_string(hide_password=True)


class AuditLine(NamedTuple):
    """One line of the audit log (what was done to which ``target``)."""

    target: str
    detail: str = ""
    agency_id: int | None = None


def audit_and_commit(action: str, *lines: AuditLine) -> None:
    """Record ``lines`` as ``action`` by the command line in the audit log and commit the
    session: the change and its audit lines are stored together or not at all.  No lines:
    commit only (a command that changed nothing records nothing)."""
    from ..extensions import db
    from ..services.audit import record

    for line in lines:
        record(db.session, None, action, username=CLI_ACTOR, agency_id=line.agency_id,
               target=line.target, detail=line.detail)
    db.session.commit()


def mix_closed() -> None:
    """A pass of the mixer before reading results (closed assessments mixed and published)."""
    from flask import current_app

    from ..extensions import db
    from ..services.ballots import run_pass

    run_pass(db.engine, batch_size=current_app.config["MIX_BATCH"])


def assessment_or_fail(session, assessment_id: int):
    from ..models import Assessment

    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        raise click.ClickException(f"no assessment with id {assessment_id}")
    return assessment


def agency_or_fail(session, code: str):
    import sqlalchemy as sa

    from ..models import Agency

    agency = session.scalar(sa.select(Agency).where(Agency.code == code))
    if agency is None:
        raise click.ClickException(f"no agency with code {code!r}")
    return agency
