"""The ``ita`` command line: one entry point for scoring, the database, the server and demos.

Each command is a thin click wrapper over a plain function, so that scripts and tests can call
the function directly.
"""

from __future__ import annotations

from contextlib import contextmanager

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ita-survey")
def main() -> None:
    """ita-survey: collect and score ITA surveys (IIT, EIT, OIT)."""


# -- the database, the server and the demo ---------------------------------------------------


@contextmanager
def _app_context(config: dict | None = None, *, schema: bool = True):
    """Create the app and enter its context; close its connections at the end.

    With ``schema`` (every command but ``ita db upgrade``), an embedded database that is not at
    the newest revision is migrated first (one line on stderr says so), and a server database
    that is not is refused with one line naming the command to run.
    """
    from . import create_app
    from .config import ConfigError
    from .extensions import db

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
                _ensure_schema(app)
            yield app
    finally:
        db.dispose(app)


def _ensure_schema(app) -> None:
    """Migrate an embedded database that is behind; refuse a server database that is."""
    from .server import prepare_database

    try:
        message = prepare_database(app)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:
        from .extensions import database_error_summary

        raise click.ClickException(
            f"cannot read the database: {database_error_summary(exc)}") from None
    if message:
        click.echo(message, err=True)


@main.group("db")
def db_group() -> None:
    """Manage the database schema (Alembic migrations)."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@click.option("--no-backup", is_flag=True,
              help="Do not back the database up before migrating it.")
@click.option("--backup-dir", type=click.Path(file_okay=False),
              help="Where the backup taken first goes [default: INSTANCE/backups].")
def db_upgrade_command(revision: str, no_backup: bool, backup_dir: str | None) -> None:
    """Migrate the database at ITA_DATABASE_URL (default: the embedded SQLite file).

    A database that has data and is behind is backed up first (as `ita backup` does, without
    mixing: the mixer needs the new schema), unless --no-backup.
    """
    from .extensions import db
    from .services.backup import waiting_ballots
    from .services.schema import current_revision, pending_revisions, upgrade

    with _app_context(schema=False) as app:
        before = current_revision(db.engine)
        try:
            steps = pending_revisions(db.engine, revision)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        if not steps:
            click.echo(f"database already at revision {before}, nothing to do: "
                       f"{_safe_url(db.engine)}")
            return
        if before is not None and not no_backup:
            from pathlib import Path

            folder = Path(backup_dir) if backup_dir else Path(app.instance_path) / "backups"
            _backup_before_upgrade(db.engine, before, folder)
        upgrade(db.engine, revision)
        click.echo(f"applied {len(steps)} migrations: {', '.join(steps)}")
        click.echo(f"database at revision {current_revision(db.engine)}: {_safe_url(db.engine)}")
        waiting = waiting_ballots(db.engine)
        if waiting:
            click.echo(f"{waiting} IIT ballots wait in the box: run `ita mix` (`ita serve` "
                       "also mixes them at start-up)")


def _backup_before_upgrade(engine, before: str, folder) -> None:
    import datetime as dt

    from .refusals import say
    from .services.backup import BackupError, backup

    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    suffix = "dump" if engine.url.get_backend_name() == "postgresql" else "sqlite3"
    try:
        report = backup(engine, folder / f"ita-before-upgrade-{before}-{stamp}.{suffix}")
    except BackupError as exc:
        raise click.ClickException(f"{say(exc, 'en')} (nothing was migrated; --no-backup "
                                   "skips the backup)") from None
    click.echo(f"backed up the database (revision {before}, {report.size:,} bytes, "
               f"{report.ballots_waiting} IIT ballots waiting) to {report.path}")


@main.command("backup")
@click.argument("output", type=click.Path(dir_okay=False))
def backup_command(output: str) -> None:
    """Copy the database at ITA_DATABASE_URL into OUTPUT (a new file, owner-readable only).

    PostgreSQL: pg_dump's custom format (the client tools of the server's version); SQLite:
    the online backup API.  It mixes what can be mixed first, then says how many IIT ballots
    still wait: those are in the backup next to the used codes (SECURITY.md, "Backups").
    """
    from .extensions import db
    from .refusals import say
    from .services.backup import BackupError, backup
    from .services.schema import current_revision, is_up_to_date

    with _app_context(schema=False) as app:
        if is_up_to_date(db.engine):
            mixed = _mix_due(app)
            if mixed:
                click.echo(mixed, err=True)
        else:
            click.echo(f"not mixed first: the database is at revision "
                       f"{current_revision(db.engine)}, not the newest (`ita db upgrade`)",
                       err=True)
        try:
            report = backup(db.engine, output)
        except BackupError as exc:
            raise click.ClickException(say(exc, "en")) from None
        where = _safe_url(db.engine)
    click.echo(f"backed up {where} (revision {report.revision}) to "
               f"{report.path}: {report.size:,} bytes")
    click.echo(f"the backup holds {report.ballots_waiting} IIT ballots still waiting to be "
               "mixed" + (" (next to the used codes: keep it as safe as the server)"
                          if report.ballots_waiting else ""))


@main.command("restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True,
              help="Drop everything in the database at ITA_DATABASE_URL first.")
def restore_command(backup_file: str, force: bool) -> None:
    """Restore a backup made by `ita backup` into the database at ITA_DATABASE_URL.

    The database must be empty (a new one) unless --force is given.
    """
    from .extensions import db
    from .refusals import say
    from .services.backup import BackupError, restore
    from .services.schema import head_revision

    with _app_context(schema=False):
        try:
            report = restore(db.engine, backup_file, force=force)
        except BackupError as exc:
            raise click.ClickException(say(exc, "en")) from None
        where = _safe_url(db.engine)
    click.echo(f"restored {backup_file} into {where}: revision "
               f"{report.revision}, {report.ballots_waiting} IIT ballots waiting")
    if report.revision != head_revision():
        click.echo("the schema is older than this version of the app: run `ita db upgrade`")


def _safe_url(engine) -> str:
    return engine.url.render_as_string(hide_password=True)


#: Where `ita serve` listens unless --port says otherwise (and what `ita demo` prints).
DEFAULT_PORT = 8000


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", type=click.IntRange(min=1),
              help="Worker processes (default: the number of CPU cores).")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(min=1),
              help="Request threads per worker process.")
def serve_command(host: str, port: int, workers: int | None, threads: int) -> None:
    """Start the production server (gunicorn, gthread workers with HTTP keep-alive).

    One worker process per CPU core unless --workers says otherwise, each with --threads
    request threads; idle connections are kept open for 5 s, so a respondent's pages reuse
    one connection. The embedded SQLite database is migrated on start; a server database
    must be migrated with `ita db upgrade` first.
    """
    from .config import PUBLIC_BASE_URL_MISSING
    from .server import default_workers, prepare_database, run_gunicorn

    workers = workers or default_workers()

    with _app_context(schema=False) as app:
        if not app.config["PUBLIC_BASE_URL"] and not app.config["PUBLIC_URL_FROM_REQUEST"]:
            raise click.ClickException(PUBLIC_BASE_URL_MISSING)
        try:
            message = prepare_database(app)
        except RuntimeError as exc:
            raise click.ClickException(str(exc)) from None
        recovered = _mix_due(app)
        watcher = app.config["MIXER_IN_SERVE"] and _start_mixer(app)
    if message:
        click.echo(message, err=True)
    if recovered:
        click.echo(recovered, err=True)
    if watcher:
        click.echo(f"the mixer runs every {app.config['MIXER_INTERVAL']:g} s in this process "
                   "(ITA_MIXER_IN_SERVE=false if `ita mix --watch` runs instead)", err=True)
    click.echo(f"ITA survey app on http://{host}:{port}/ ({workers} workers × {threads} "
               "threads)", err=True)
    click.echo(f"  admin console: http://{host}:{port}/admin/login", err=True)
    try:
        run_gunicorn(host=host, port=port, workers=workers, threads=threads)
    finally:
        if watcher:
            watcher()


def _start_mixer(app):
    """Start the mixer's thread on an engine of its own (no pooled connection is kept between
    passes, so none is shared with the worker processes gunicorn forks); return its stop."""
    from .extensions import make_engine
    from .services.ballots import start_watcher

    engine = make_engine(app.config["DATABASE_URL"],
                         sqlite_busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"],
                         connect_timeout_s=app.config["DB_CONNECT_TIMEOUT_S"], pooled=False)
    stop = start_watcher(engine, batch_size=app.config["MIX_BATCH"],
                         interval=app.config["MIXER_INTERVAL"])

    def halt() -> None:
        stop()
        engine.dispose()

    return halt


def _mix_due(app) -> str:
    """One pass of the mixer, with an erase in any case (recovery after a crash)."""
    from .extensions import db
    from .services.ballots import mix_all_due

    return _report_lines(app, mix_all_due(db.engine, batch_size=app.config["MIX_BATCH"]))


def _report_lines(app, report) -> str:
    if report.busy:
        return "another mixer is running: nothing done"
    lines = [f"mixed {n} IIT ballots of assessment {a}" for a, n in sorted(report.mixed.items())]
    lines += [f"assessment {a}: {n} IIT ballots waiting for a batch of "
              f"{app.config['MIX_BATCH']} (or the close)"
              for a, n in sorted(report.waiting.items()) if n]
    lines += [f"published {n} {instrument} answers of assessment {a}"
              for a, done in sorted(report.published.items())
              for instrument, n in sorted(done.items())]
    if not report.erased:
        lines.append("ERASE OWED: the mixed ballots could not be erased yet (an old snapshot "
                     "or a lock); the mixer tries again at every pass")
    return "\n".join(lines)


def _mix_closed() -> None:
    """A pass of the mixer before reading results (closed assessments mixed and published)."""
    from flask import current_app

    from .extensions import db
    from .services.ballots import run_pass

    run_pass(db.engine, batch_size=current_app.config["MIX_BATCH"])


@main.command("mix")
@click.option("--watch", is_flag=True,
              help="Keep running: a pass every --interval seconds (for a service manager).")
@click.option("--interval", type=click.FloatRange(min=0.1), default=None,
              help="Seconds between passes with --watch (default: ITA_MIXER_INTERVAL, 2).")
def mix_command(watch: bool, interval: float | None) -> None:
    """Run the IIT mixer now (see SECURITY.md): one pass, or with --watch one every few seconds.

    A pass moves every open assessment's ballots into the results once at least ITA_MIX_BATCH
    wait, and all remaining ballots of closed assessments, in shuffled order; erases the mixed
    ballots (VACUUM and VACUUM FULL on PostgreSQL, WAL checkpoint on SQLite) and retries an
    erase still owed; then publishes what may be published (IIT at the close, EIT in batches).
    Only one mixer runs at a time (another pass skips at once).  `ita serve` runs the same
    loop in a thread unless ITA_MIXER_IN_SERVE=false.
    """
    import signal
    import threading

    with _app_context() as app:
        if not watch:
            click.echo(_mix_due(app) or "nothing to mix")
            return
        from .extensions import db
        from .services.ballots import start_watcher

        every = interval or app.config["MIXER_INTERVAL"]
        done = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: done.set())

        def show(report) -> None:
            text = _report_lines(app, report)
            if text and not report.busy:
                click.echo(text, err=not report.erased)

        click.echo(f"mixer: a pass every {every:g} s (stop with Ctrl+C or SIGTERM)")
        stop = start_watcher(db.engine, batch_size=app.config["MIX_BATCH"], interval=every,
                             on_report=show)
        try:
            done.wait()
        finally:
            stop()


@main.command("demo")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(1, 65535),
              help="The port `ita serve --port` will listen on; used in the printed URLs.")
@click.option("--base-url",
              help="Where the app will be reached, when not http://127.0.0.1:PORT (behind a "
                   "proxy); used in the printed URLs.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (for scripts).")
@click.option("--responses", "synthetic", type=click.IntRange(min=0), default=0,
              show_default=True,
              help="Also add N synthetic plausible responses to the current (B.E. 2569) "
                   "assessment, 40% IIT and 60% EIT, by bulk inserts (100,000 take seconds). "
                   "The IIT ones skip the ballot box (they are made up and redeem no code) "
                   "and are published at the close like any.  Each run adds N more.")
def demo_command(port: int, base_url: str | None, as_json: bool, synthetic: int) -> None:
    """Create (or reuse) a demo agency, an open assessment, IIT codes and responses.

    The printed links use --port (then start the server with `ita serve --port` the same);
    a demo made for another port is reused, its links printed with this one.
    """
    import json

    from .extensions import db
    from .models import Assessment
    from .services.assessments import response_counts
    from .services.demo import add_synthetic_responses, ensure_demo
    from .services.schema import upgrade

    with _app_context(schema=False) as app:
        upgrade(db.engine)
        info = ensure_demo(
            db.session,
            code_key=app.config["CODE_HASH_KEY"],
            base_url=base_url or f"http://127.0.0.1:{port}",
            timezone=app.config["TIMEZONE"],
            batch_size=app.config["MIX_BATCH"],
        )
        if synthetic:
            assessment = db.session.get(Assessment, info.assessment_id)
            added = add_synthetic_responses(db.session, assessment, synthetic,
                                            timezone=app.config["TIMEZONE"])
            info.responses = response_counts(db.session, assessment)
            info.notes.append(f"Added {synthetic:,} synthetic responses (IIT {added['IIT']:,}, "
                              f"EIT {added['EIT']:,}).")
    if as_json:
        click.echo(json.dumps(info.as_dict(), ensure_ascii=False, indent=2))
        return
    status = "created" if info.created else "already there"
    click.echo(f"Demo {status}: {info.agency_name_th} ({info.agency_code})")
    click.echo(f"  assessment #{info.assessment_id}, fiscal year B.E. {info.fiscal_year_be}, "
               f"instrument set {info.instrument_set}, open until {info.closes_at}")
    click.echo(f"  responses stored: IIT {info.responses['IIT']}, EIT {info.responses['EIT']}")
    if info.past_assessment_id is not None:
        click.echo(f"  assessment #{info.past_assessment_id}, fiscal year B.E. "
                   f"{info.past_fiscal_year_be}, instrument set {info.past_instrument_set} "
                   "(closed: the seed document's year, for its report and the history)")
    click.echo("")
    click.echo(f"  IIT (staff, one-time code): {info.iit_url}")
    click.echo(f"  EIT (public link):          {info.eit_url}")
    click.echo(f"  EIT QR code:                {info.eit_qr_png}")
    click.echo(f"                              {info.eit_qr_svg}")
    click.echo("")
    click.echo("  Unused IIT codes (each works once; only these copies exist):")
    for code in info.unused_iit_codes:
        click.echo(f"    {code}")
    click.echo(f"  A code slip's QR link looks like: {info.iit_code_urls[0]}")
    if info.admin_login is not None:
        click.echo("")
        click.echo(f"  Admin console:              {info.admin_login['url']}")
        click.echo(f"    agency admin of {info.admin_login['agency']}:     "
                   f"{info.admin_login['username']} / {info.admin_login['password']}")
    if info.viewer_login is not None:
        click.echo(f"    viewer of {info.viewer_login['agency']} (another office, sees none of "
                   f"{info.agency_code}): {info.viewer_login['username']} / "
                   f"{info.viewer_login['password']}")
    if info.child_agencies:
        click.echo(f"  Schools under {info.agency_code}: "
                   + ", ".join(c["agency_code"] for c in info.child_agencies))
    for note in info.notes:
        click.echo(f"  Note: {note}")
    click.echo("")
    serve = "ita serve" if port == DEFAULT_PORT else f"ita serve --port {port}"
    click.echo(f"  Start the server with: {serve}")
    click.echo(f"  Export the answers:    ita export responses --assessment {info.assessment_id} "
               "--instrument EIT --output eit.csv")


@main.command("create-admin")
@click.option("--username", required=True, help="Login name (no spaces).")
@click.option("--role", required=True,
              type=click.Choice(["system_admin", "agency_admin", "viewer"]),
              help="system_admin: everything; agency_admin: an agency and its child agencies; "
                   "viewer: read-only, same scope.")
@click.option("--agency", "agency_code", help="Agency code (required unless system_admin).")
@click.option("--display-name", default="", help="Name shown in the console.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of stdin (for scripts).")
def create_admin_command(username: str, role: str, agency_code: str | None, display_name: str,
                         password_stdin: bool) -> None:
    """Create a console account; the password is asked for twice (hidden)."""
    import sys

    import sqlalchemy as sa

    from .extensions import db
    from .models import Agency
    from .refusals import say
    from .services.accounts import AccountError, create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _app_context():
        agency = None
        if agency_code:
            agency = db.session.scalar(sa.select(Agency).where(Agency.code == agency_code))
            if agency is None:
                raise click.ClickException(f"unknown agency code {agency_code!r}")
        try:
            user = create_user(db.session, username=username, password=password, role=role,
                               agency=agency, display_name=display_name)
        except AccountError as exc:
            raise click.ClickException(say(exc, "en")) from None
        from .services.audit import record

        record(db.session, None, "user_create", username="(cli)", agency_id=user.agency_id,
               target=user.username, detail=f"role {user.role}")
        db.session.commit()
    scope = f" for agency {agency_code}" if agency_code and role != "system_admin" else ""
    click.echo(f"created {role} account {username!r}{scope}")


@main.group("users")
def users_group() -> None:
    """List console accounts, set a password, deactivate or reactivate an account."""


def _read_new_password(password_stdin: bool) -> str:
    import sys

    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("New password", hide_input=True, confirmation_prompt=True)


def _account_or_fail(session, username: str):
    from .services.accounts import user_by_username

    user = user_by_username(session, username)
    if user is None:
        raise click.ClickException(f"unknown account {username!r}")
    return user


@users_group.command("list")
def users_list_command() -> None:
    """Print every console account: username, role, agency, active, must change password."""
    import sqlalchemy as sa

    from .extensions import db
    from .models import User

    with _app_context():
        rows = db.session.scalars(sa.select(User).order_by(User.username)).all()
        click.echo("username\trole\tagency\tactive\tmust_change_password")
        for u in rows:
            click.echo(f"{u.username}\t{u.role}\t{u.agency.code if u.agency else '-'}\t"
                       f"{'yes' if u.active else 'no'}\t{'yes' if u.must_change_password else 'no'}")


@users_group.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True,
              help="Read the new password from the first line of stdin (for scripts).")
@click.option("--must-change", is_flag=True,
              help="A temporary password: the owner must choose a new one at sign-in.")
def users_set_password_command(username: str, password_stdin: bool, must_change: bool) -> None:
    """Give an account a new password (asked for twice, hidden); its sign-ins end."""
    from .extensions import db
    from .refusals import say
    from .services.accounts import AccountError, set_password
    from .services.audit import record

    password = _read_new_password(password_stdin)
    with _app_context():
        user = _account_or_fail(db.session, username)
        try:
            set_password(db.session, user, password, must_change=must_change)
        except AccountError as exc:
            raise click.ClickException(say(exc, "en")) from None
        record(db.session, None, "user_password_set", username="(cli)", agency_id=user.agency_id,
               target=user.username, detail="must change at sign-in" if must_change else "")
        db.session.commit()
    click.echo(f"new password set for {username!r}"
               + ("; it must be changed at the next sign-in" if must_change else ""))


def _set_active(username: str, active: bool) -> None:
    from .extensions import db
    from .refusals import say
    from .services.accounts import AccountError, set_active
    from .services.audit import record

    with _app_context():
        user = _account_or_fail(db.session, username)
        try:
            set_active(db.session, None, user, active)
        except AccountError as exc:
            raise click.ClickException(say(exc, "en")) from None
        record(db.session, None, "user_activate" if active else "user_deactivate",
               username="(cli)", agency_id=user.agency_id, target=user.username)
        db.session.commit()
    click.echo(f"account {username!r} " + ("reactivated" if active else
                                            "deactivated; its sign-ins have ended"))


@users_group.command("deactivate")
@click.argument("username")
def users_deactivate_command(username: str) -> None:
    """Deactivate an account: it can no longer sign in, and its sign-ins end."""
    _set_active(username, False)


@users_group.command("activate")
@click.argument("username")
def users_activate_command(username: str) -> None:
    """Reactivate a deactivated account."""
    _set_active(username, True)


@main.group("sets")
def sets_group() -> None:
    """The registry of instrument sets: the shipped files and the sets an office adds."""


def set_summary(iset, status) -> list[str]:
    """The lines `ita sets add` prints about a set (its shape, tiers and provenance)."""
    m = iset.methodology
    counts = ", ".join(
        f"{code} {len(iset.oit_items) if code == 'OIT' else len(iset.items_for(code))} items"
        f" / {len(iset.indicators_for(code))} indicators" for code in iset.instruments)
    tiers = "; ".join(
        f"{v.code} {v.label_th} >= {v.min_total:g}"
        + (" (" + ", ".join(f"{i} >= {f:g}" for i, f in v.floors.items()) + ")" if v.floors else "")
        for v in m.verdicts)
    lines = [f"{iset.id}: fiscal year B.E. {iset.fiscal_year_be}, {iset.title_en}",
             f"  instruments: {counts}",
             "  weights: " + ", ".join(f"{i} {w * 100:g}%" for i, w in m.weights.items())
             + f"; indicator target {m.indicator_target:g}",
             f"  tiers: {tiers}"]
    if m.grades:
        lines.append("  grades: " + ", ".join(f"{g.grade} >= {g.min_score:g}" for g in m.grades))
    lines.append("  scales: " + "; ".join(
        f"{s.code} " + "/".join(f"{o.score:g}" for o in s.options) for s in iset.scales.values()))
    lines.append(f"  provenance: {status.summary()}")
    return lines


@sets_group.command("add")
@click.argument("file", type=click.Path(dir_okay=False))
def sets_add_command(file: str) -> None:
    """Validate a definition FILE (TOML), print its summary and store it for new assessments.

    A file whose id is already there with other content is refused (a changed file must get a
    new set id); the same content again changes nothing.
    """
    from pathlib import Path

    from questionnaires import DefinitionError

    from .extensions import db
    from .services.audit import record
    from .services.instrument_sets import add_set, decode_upload, provenance_status

    path = Path(file)
    with _app_context():
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise click.ClickException(f"{file}: file: cannot be read ({exc.strerror})") from None
        try:
            candidate = add_set(db.session, decode_upload(data, path.name), path.name,
                                added_by="cli")
        except DefinitionError as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from None
        if candidate.already is None:
            record(db.session, None, "set_add", username="(cli)", target=candidate.iset.id,
                   detail=f"{path.name} sha256 {candidate.sha256} fiscal year "
                          f"{candidate.iset.fiscal_year_be}")
        db.session.commit()
    for line in set_summary(candidate.iset, provenance_status(candidate.iset)):
        click.echo(line)
    if candidate.already is None:
        click.echo(f"stored {candidate.iset.id} (sha256 {candidate.sha256[:12]}); "
                   "it is offered for new assessments")
    else:
        click.echo(f"{candidate.iset.id} is already there ({candidate.already}) with the same "
                   "content: nothing changed")


@sets_group.command("list")
def sets_list_command() -> None:
    """Show every set: id, fiscal year, where it comes from, use and provenance status."""
    from .extensions import db
    from .services.instrument_sets import list_sets

    with _app_context():
        sets = list_sets(db.session)
    click.echo(f"{'id':<20} {'year':<5} {'source':<16} {'used':>4}  provenance")
    for s in sets:
        source = s.origin + (" (stored)" if s.stored and s.origin == "shipped" else "")
        click.echo(f"{s.id:<20} {s.fiscal_year_be:<5} {source:<16} {s.in_use:>4}  "
                   f"{s.provenance.summary()}")
        if s.file_changed:
            click.echo(f"{'':<20} warning: the shipped file {s.id}.toml differs from the copy "
                       f"assessments use (sha256 {s.sha256[:12]}); they keep that copy, nothing "
                       "is rescored; ship the changed file under a new id")


def _added_set(set_id: str):
    """The stored set ``set_id`` of the app's database, or None (no such set, no database)."""
    import sqlalchemy as sa

    from .extensions import db
    from .services.instrument_sets import SET_ID, load_set
    from .services.schema import is_up_to_date

    if not SET_ID.match(set_id):
        return None
    with _app_context():
        try:
            if not is_up_to_date(db.engine):
                return None
            from questionnaires import DefinitionError

            try:
                return load_set(set_id, db.session)
            except DefinitionError:
                return None
        except sa.exc.SQLAlchemyError:
            return None


@main.group("export")
def export_group() -> None:
    """Export stored data."""


@export_group.command("responses")
@click.option("--assessment", "assessment_id", required=True, type=int, help="Assessment id.")
@click.option("--instrument", required=True, type=click.Choice(["IIT", "EIT"]))
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv",
              show_default=True, help="xlsx adds a codebook sheet.")
@click.option("--output", type=click.Path(dir_okay=False), help="File [default: stdout].")
def export_responses_command(assessment_id: int, instrument: str, fmt: str,
                             output: str | None) -> None:
    """Write one instrument's responses (CSV: UTF-8 with BOM), the input of `ita score`.

    Streamed in batches: memory stays flat however many responses there are.
    """
    import sys

    from .extensions import db
    from .services.exports import iter_responses_csv, write_responses_xlsx, write_streamed_csv

    with _app_context():
        _mix_closed()
        try:
            if fmt == "xlsx":
                rows = write_responses_xlsx(db.session, assessment_id, instrument,
                                            output or sys.stdout.buffer)
            else:
                rows = 0

                def counted(chunks):
                    nonlocal rows
                    for chunk in chunks:
                        rows += chunk.count("\n")
                        yield chunk

                # the header line is the first newline counted
                write_streamed_csv(counted(iter_responses_csv(db.session, assessment_id,
                                                              instrument)),
                                   output or sys.stdout.buffer)
                rows -= 1
        except LookupError as exc:
            raise click.ClickException(str(exc)) from None
    if output:
        click.echo(f"wrote {rows} {instrument} responses to {output}", err=True)


@export_group.command("imported")
@click.option("--assessment", "assessment_id", required=True, type=int, help="Assessment id.")
@click.option("--instrument", required=True, type=click.Choice(["IIT", "EIT"]))
@click.option("--output", type=click.Path(dir_okay=False), help="File [default: stdout].")
def export_imported_command(assessment_id: int, instrument: str, output: str | None) -> None:
    """Write the rehearsal data imported from Google Forms (CSV: UTF-8 with BOM), the input of
    `ita score`; never mixed with the collected responses `ita export responses` writes."""
    import sys

    from .extensions import db
    from .services.imports import imported_frame

    with _app_context():
        assessment = _assessment_or_fail(db.session, assessment_id)
        frame = imported_frame(db.session, assessment, instrument)
    text = "\ufeff" + frame.to_csv(index=False, lineterminator="\n")
    if output:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        click.echo(f"wrote {len(frame)} imported {instrument} responses to {output}", err=True)
    else:
        sys.stdout.buffer.write(text.encode("utf-8"))


def _assessment_or_fail(session, assessment_id: int):
    from .models import Assessment

    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        raise click.ClickException(f"no assessment with id {assessment_id}")
    return assessment


@export_group.command("codebook")
@click.option("--assessment", "assessment_id", required=True, type=int, help="Assessment id.")
@click.option("--instrument", type=click.Choice(["IIT", "EIT"]),
              help="Only this instrument's columns [default: both].")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False), help="File [default: stdout].")
def export_codebook_command(assessment_id: int, instrument: str | None, fmt: str,
                            output: str | None) -> None:
    """Write the codebook: every column of the responses files and every option's score."""
    import sys

    from .extensions import db
    from .services.exports import codebook_csv, write_codebook_xlsx

    with _app_context():
        assessment = _assessment_or_fail(db.session, assessment_id)
        if fmt == "xlsx":
            write_codebook_xlsx(assessment, output or sys.stdout.buffer,
                                instrument)
        else:
            data = codebook_csv(assessment, instrument).encode("utf-8")
            if output:
                with open(output, "wb") as fh:
                    fh.write(data)
            else:
                sys.stdout.buffer.write(data)
    if output:
        click.echo(f"wrote the codebook to {output}", err=True)


@export_group.command("scores")
@click.option("--assessment", "assessment_id", required=True, type=int, help="Assessment id.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False), help="File [default: stdout].")
@click.option("--bootstrap", type=click.IntRange(min=0), default=2000, show_default=True,
              help="Bootstrap resamples for the 95% intervals (0: off).")
def export_scores_command(assessment_id: int, fmt: str, output: str | None,
                          bootstrap: int) -> None:
    """Write an assessment's scores as `ita score` computes them (CSV, XLSX or JSON)."""
    import sys

    from .extensions import db
    from .services.exports import scores_csv, scores_json, write_scores_xlsx
    from .services.results import results_view, stored_result

    with _app_context():
        _mix_closed()
        assessment = _assessment_or_fail(db.session, assessment_id)
        scores = stored_result(db.session, assessment, bootstrap=bootstrap).scores
        db.session.commit()  # the stored result, if it had to be computed
        if fmt == "xlsx":
            view = results_view(db.session, assessment, result=scores)
            write_scores_xlsx(view, scores, output or sys.stdout.buffer)
        else:
            text = scores_csv(scores) if fmt == "csv" else scores_json(scores)
            if output:
                with open(output, "w", encoding="utf-8") as fh:
                    fh.write(text)
            else:
                sys.stdout.buffer.write(text.encode("utf-8"))
    if output:
        click.echo(f"wrote the scores to {output}", err=True)


@main.command("report")
@click.option("--assessment", "assessment_id", type=int, help="Assessment id: its yearly report.")
@click.option("--area", "area_code",
              help="Agency code: the area summary of it and every agency below it.")
@click.option("--year", "fiscal_year_be", type=int,
              help="Fiscal year (B.E.) of the area summary [default: the newest].")
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "xlsx"]), default="docx",
              show_default=True, help="xlsx: the area workbook (Score-Final shape; --area only).")
@click.option("--follow-up", "follow_up", type=click.Choice(["1", "2", "3", "4", "year"]),
              help="With --assessment, instead of the yearly report: the follow-up report of "
                   "the measures (รายงานผลการดำเนินงานตามมาตรการ) of quarter 1-4 of their fiscal "
                   "year, or of the whole year.")
@click.option("--output", required=True, type=click.Path(dir_okay=False))
def report_command(assessment_id: int | None, area_code: str | None, fiscal_year_be: int | None,
                   fmt: str, follow_up: str | None, output: str) -> None:
    """Write the yearly analysis report of an assessment, its measures' follow-up report, or
    an area's summary (Thai).

    DOCX to edit, PDF to hand in; with --area also the area workbook (XLSX).
    """
    if (assessment_id is None) == (area_code is None):
        raise click.UsageError("give either --assessment ID or --area AGENCY_CODE")
    if assessment_id is not None and (fmt == "xlsx" or fiscal_year_be is not None):
        raise click.UsageError("--format xlsx and --year go with --area")
    if area_code is not None and follow_up is not None:
        raise click.UsageError("--follow-up goes with --assessment")
    from .extensions import db
    from .services import reports
    from .services.audit import record
    from .services.document_cache import cached_document
    from .services.exports import export_filename
    from .services.measures import follow_up_view

    with _app_context():
        _mix_closed()
        if assessment_id is not None:
            assessment = _assessment_or_fail(db.session, assessment_id)
            if follow_up is None:
                view = reports.report_view(db.session, assessment)
                data = cached_document(_document_folder(), "report", fmt, view,
                                       lambda: reports.report_file(view, fmt))
                db.session.commit()  # the stored result, if it had to be computed
            else:
                quarter = None if follow_up == "year" else int(follow_up)
                view = follow_up_view(db.session, assessment, quarter)
                data = cached_document(_document_folder(), "follow-up", fmt, view,
                                       lambda: reports.follow_up_file(view, fmt))
            kind = ("report" if follow_up is None
                    else "follow-up-" + (follow_up if follow_up == "year" else f"q{follow_up}"))
            record(db.session, None, "report", username="(cli)", agency_id=assessment.agency_id,
                   target=export_filename(assessment.agency.code, assessment.fiscal_year_be,
                                          kind, fmt),
                   detail=f"assessment {assessment.id}")
            db.session.commit()
        else:
            data = _area_document(db.session, area_code, fiscal_year_be, fmt)
            db.session.commit()  # the stored results, if they had to be computed
    with open(output, "wb") as fh:
        fh.write(data)
    if area_code is not None:
        what = "area workbook" if fmt == "xlsx" else f"{fmt.upper()} area summary"
    elif follow_up is None:
        what = f"{fmt.upper()} report"
    else:
        what = f"{fmt.upper()} follow-up report ({follow_up})"
    click.echo(f"wrote the {what} to {output}", err=True)


def _area_document(session, area_code: str, fiscal_year_be: int | None, fmt: str) -> bytes:
    import io

    import sqlalchemy as sa

    from .labels import agency_type_labels_th
    from .models import Agency
    from .services import area, reports
    from .services.document_cache import cached_document

    agency = session.scalar(sa.select(Agency).where(Agency.code == area_code))
    if agency is None:
        raise click.ClickException(f"no agency with code {area_code!r}")
    view = area.area_of(session, agency, fiscal_year_be)
    if fiscal_year_be is not None and fiscal_year_be not in view.years:
        raise click.ClickException(f"{area_code} and the agencies below it have no assessment "
                                   f"in B.E. {fiscal_year_be}")
    if fmt == "xlsx":
        buffer = io.BytesIO()
        area.write_area_workbook(view, buffer, type_labels=agency_type_labels_th(),
                                 title=area.workbook_title(view))
        return buffer.getvalue()
    summary = area.area_report_view(session, view)
    return cached_document(_document_folder(), "area", fmt, summary,
                           lambda: reports.area_file(summary, fmt))


def _document_folder():
    from flask import current_app

    from .services.document_cache import cache_folder

    return cache_folder(current_app.config, current_app.instance_path)


# -- the message catalogues ------------------------------------------------------------------


@main.group("translate")
def translate_group() -> None:
    """Keep the Thai and English UI catalogues (survey_app/translations) in step with the code."""


@translate_group.command("update")
def translate_update_command() -> None:
    """Extract the marked UI text (babel.cfg) and merge it into each locale's messages.po.

    New text arrives untranslated in Thai (English copies its msgid); fill in the Thai msgstr,
    then run ``ita translate compile``.
    """
    from . import catalogue

    left = catalogue.update()
    for locale, problems in left.items():
        click.echo(f"{catalogue.po_path(locale)}: {len(problems)} to do")
        for problem in problems:
            click.echo(f"  {problem}")


@translate_group.command("compile")
def translate_compile_command() -> None:
    """Compile each locale's messages.po into the messages.mo the app reads."""
    from . import catalogue

    for locale in catalogue.LOCALES:
        problems = catalogue.problems(locale)
        if problems:
            raise click.ClickException(
                f"{catalogue.po_path(locale)} is not ready ({len(problems)} problems), e.g. "
                f"{problems[0]}; run `ita translate update` and translate what it lists")
    for path in catalogue.compile_catalogues():
        click.echo(f"wrote {path}")


# -- scoring ---------------------------------------------------------------------------------
# (the `score` command is defined below by scoring's front end)
# Google Forms exports for `ita score` (scoring/gforms.py): --format-in, --mapping, --write-mapping


def _forms_option(ctx: click.Context, param: click.Parameter, value):
    """Keep --format-in, --mapping and --write-mapping for :func:`_google_forms_inputs`."""
    ctx.meta.setdefault("ita_forms", {})[param.name] = value
    return value


def _problem_lines(lines: list[str]) -> None:
    """Print every problem on its own line and exit with status 1 (no traceback)."""
    for line in lines:
        click.echo(f"Error: {line}", err=True)
    raise SystemExit(1)


def _google_forms_inputs(iset, iit, eit):
    """Return ``score_files``' iit and eit: the paths, or Google Forms exports to read with
    the given format and mapping.  Writes ``--write-mapping`` first; an export that does not
    match in full then stops here with every problem."""
    from scoring.gforms import FormsExport, MappingError, read_mapping
    from scoring.inputs import InputFileError

    given = click.get_current_context().meta.get("ita_forms", {})
    format_in, mapping_path = given.get("format_in") or "auto", given.get("mapping")
    try:
        mapping = read_mapping(mapping_path) if mapping_path else None
        if given.get("write_mapping"):
            problems = _write_forms_mapping(iset, {"IIT": iit, "EIT": eit}, format_in, mapping,
                                            given["write_mapping"])
            if problems:
                _problem_lines(problems)
    except (InputFileError, MappingError) as exc:
        _problem_lines(str(exc).splitlines())
    except click.ClickException:
        raise
    except Exception as exc:
        reason = (str(exc).strip().splitlines() or [""])[0][:300]
        _problem_lines([f"cannot read these files: {type(exc).__name__}: {reason}"])
    if mapping is None and format_in == "auto":
        return iit, eit
    return tuple(FormsExport(p, format_in=format_in, mapping=mapping) if p else None
                 for p in (iit, eit))


def _forms_errors(command):
    """Print a Google Forms export's problems one line each (exit 1), not just the first."""
    import functools

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from scoring.gforms import FormsExportError

        try:
            return command(*args, **kwargs)
        except FormsExportError as exc:
            _problem_lines(exc.lines)

    return wrapper


def _write_forms_mapping(iset, paths: dict, format_in: str, mapping, output: str) -> list[str]:
    """Read each Google Forms export, write the mapping inferred from all of them, and return
    every problem (one line each) of the exports that do not match in full."""
    from scoring.gforms import FormsExport, Mapping, bind_exports, read_export
    from scoring.inputs import read_table

    inferred, problems = Mapping(iset.id), []
    bound = bind_exports(iset, **{inst.lower(): FormsExport(p, format_in=format_in) if p else None
                                  for inst, p in paths.items()})
    for inst, path in zip(paths, bound, strict=True):
        if not isinstance(path, FormsExport):  # none, or a code CSV
            continue
        result = read_export(path.path, iset, inst, mapping=mapping, read_table=read_table)
        inferred = inferred.merge(result.mapping)
        problems += [f"{path}: {p.message()}" for p in result.problems]
    if not inferred.columns:
        raise click.UsageError("--write-mapping: no --iit/--eit file is a Google Forms export")
    inferred.write(output)
    click.echo(f"wrote the mapping to {output}", err=True)
    return problems


@main.command("score")
@_forms_errors
@click.option("--format-in", type=click.Choice(["auto", "gforms", "codes"]), default="auto",
              show_default=True, expose_value=False, callback=_forms_option,
              help="--iit/--eit files: a Google Forms export (gforms), the code CSV (codes), "
                   "or told by the header (auto).")
@click.option("--mapping", type=click.Path(dir_okay=False), expose_value=False,
              callback=_forms_option,
              help="Google Forms mapping file (TOML or CSV): header -> question, label -> option.")
@click.option("--write-mapping", type=click.Path(dir_okay=False), expose_value=False,
              callback=_forms_option,
              help="Write the mapping inferred from the Google Forms export(s) here "
                   "(.toml or .csv), to edit and pass back with --mapping.")
@click.option("--set", "set_name", default="ita-2566", show_default=True,
              help="Instrument set id (shipped, or added with `ita sets add`) or path to a "
                   "definition .toml file.")
@click.option("--iit", type=click.Path(dir_okay=False), help="IIT responses (CSV or XLSX).")
@click.option("--eit", type=click.Path(dir_okay=False), help="EIT responses (CSV or XLSX).")
@click.option("--oit", type=click.Path(dir_okay=False), help="OIT results: rows item,passed (1/0).")
@click.option("--indicators", type=click.Path(dir_okay=False),
              help="Given scores: rows indicator,score (1…10 or a sub-indicator such as 9.5).")
@click.option("--history", type=click.Path(dir_okay=False),
              help="Earlier years: rows fiscal_year,total.")
@click.option("--headcount", type=click.IntRange(min=1),
              help="Eligible staff: IIT minimum sample and finite population correction.")
@click.option("--year", "fiscal_year", type=click.IntRange(2400, 2700),
              help="Fiscal year (B.E.) of these results [default: the instrument set's].")
@click.option("--interval", type=click.Choice(["logit", "bootstrap", "percentile"]),
              default="logit", show_default=True,
              help="95% interval method: logit (analytic t-interval on the logit scale), "
                   "bootstrap (BCa) or percentile (bootstrap).")
@click.option("--bootstrap", type=click.IntRange(min=0), default=2000, show_default=True,
              help="Resamples of the bootstrap interval methods (0: no intervals at all).")
@click.option("--seed", type=int, default=2566, show_default=True, help="Bootstrap seed.")
@click.option("--score-map", "score_map", default=None,
              help="An alternative answer->score map (questionnaires/score_maps.toml, e.g. "
                   "replica-points) instead of the set's own; the output says so.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
def score_command(set_name, iit, eit, oit, indicators, history, headcount, fiscal_year,
                  interval, bootstrap, seed, score_map, fmt, output):
    """Score ITA responses, OIT results and/or given indicator scores.

    Any mix works: what is given as responses or OIT items is computed, what is given as
    scores is taken as it is.
    """
    import json
    import os
    import sys

    from questionnaires import DefinitionError, load_instrument_set
    from scoring.inputs import InputFileError, score_files
    from scoring.report import result_to_csv, result_to_dict, result_to_table

    if not any((iit, eit, oit, indicators)):
        raise click.UsageError("give at least one of --iit, --eit, --oit, --indicators")
    try:
        iset = load_instrument_set(set_name)
    except DefinitionError as exc:
        iset = _added_set(set_name)  # a set an office added (`ita sets add`)
        if iset is None:
            raise click.ClickException(str(exc)) from None

    bars: dict[str, click.progressbar] = {}
    large = any(path and os.path.getsize(path) >= 5_000_000 for path in (iit, eit)
                if path and os.path.isfile(path))

    def progress(label: str, done: int, total: int) -> None:
        if not large:  # small inputs are done before a bar would be seen
            return
        if label not in bars:
            for other in bars.values():
                other.render_finish()
            text = label if label == "bootstrap" else f"reading {label}"
            bars[label] = click.progressbar(length=total, label=text, file=sys.stderr)
        bar = bars[label]
        bar.update(done - bar.pos)

    smap = None
    if score_map is not None:
        from questionnaires.score_maps import fits, score_maps

        maps = score_maps()
        if score_map not in maps:
            raise click.UsageError(f"--score-map: unknown map '{score_map}' "
                                   f"(known: {', '.join(maps)})")
        smap = maps[score_map]
        if not fits(iset, smap):
            raise click.UsageError(f"--score-map: {score_map} has no scores for a scale of "
                                   f"{iset.id}")
    iit, eit = _google_forms_inputs(iset, iit, eit)  # --format-in, --mapping, --write-mapping
    try:
        result = score_files(iset, iit=iit, eit=eit, oit=oit, indicators=indicators,
                             history=history, headcount=headcount, fiscal_year_be=fiscal_year,
                             bootstrap=bootstrap, seed=seed, interval=interval,
                             progress=progress, score_map=smap)
    except InputFileError as exc:
        raise click.ClickException(str(exc)) from None
    except (MemoryError, RecursionError, ArithmeticError, ValueError, TypeError,
            LookupError, OSError) as exc:
        # A case the readers do not name yet: still one line, never a traceback.
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        raise click.ClickException(f"cannot score these files: {type(exc).__name__}: "
                                   f"{reason}") from None
    finally:
        for bar in bars.values():
            bar.render_finish()

    if fmt == "json":
        text = json.dumps(result_to_dict(result), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "csv":
        text = result_to_csv(result)
    else:
        text = result_to_table(result)
    if output:
        with open(output, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8") as fh:
            fh.write(text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


# -- the published result (NACC's figures per agency and year) ------------------------------


@main.group("published")
def published_group() -> None:
    """The results NACC published: the year's record of an agency (see README)."""


def _agency_or_fail(session, code: str):
    import sqlalchemy as sa

    from .models import Agency

    agency = session.scalar(sa.select(Agency).where(Agency.code == code))
    if agency is None:
        raise click.ClickException(f"no agency with code {code!r}")
    return agency


def _published_failed(exc) -> click.ClickException:
    from .refusals import each

    return click.ClickException("nothing was stored:\n  " + "\n  ".join(each(exc, "en"))
                                + ("\n(use --keep-as-given to store the figures as published)"
                                   if exc.mismatches else ""))


@published_group.command("set")
@click.argument("agency_code")
@click.argument("fiscal_year", type=int)
@click.argument("figures", nargs=-1, required=True)
@click.option("--keep-as-given", is_flag=True,
              help="Store parts or a total the indicators do not give back, as published.")
def published_set_command(agency_code: str, fiscal_year: int, figures: tuple[str, ...],
                          keep_as_given: bool) -> None:
    """Set an agency's published result of a year: FIGURES are CODE=SCORE (total=94.67
    IIT=29.35 1=99.02 9.5=75 …); the year's figures become exactly these."""
    from .extensions import db
    from .refusals import say
    from .services.audit import record
    from .services.published import PublishedError, parse_score, set_published

    scores: dict[str, float | None] = {}
    for figure in figures:
        code, sep, value = figure.partition("=")
        if not sep or not code.strip():
            raise click.ClickException(f"{figure!r}: write CODE=SCORE, e.g. total=94.67")
        try:
            scores[code.strip()] = parse_score(value)
        except PublishedError as exc:
            raise click.ClickException(f"{code.strip()}: {value!r} is {say(exc, 'en')}") \
                from None
    with _app_context():
        agency = _agency_or_fail(db.session, agency_code)
        try:
            changed = set_published(db.session, agency, fiscal_year, scores, source="cli",
                                    entered_by="(cli)", keep_as_given=keep_as_given)
        except PublishedError as exc:
            db.session.rollback()
            raise _published_failed(exc) from None
        if changed:
            record(db.session, None, "published_update", username="(cli)", agency_id=agency.id,
                   target=agency.code, detail=f"year {fiscal_year}"
                   + (" (kept as given)" if keep_as_given else ""))
        db.session.commit()
        click.echo(f"{agency.code} {fiscal_year}: " + ("stored" if changed else "unchanged"))


@published_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--agency", "agency_code", help="The agency of rows without an agency column.")
@click.option("--year", "fiscal_year", type=int, help="The year of rows without fiscal_year.")
@click.option("--keep-as-given", is_flag=True,
              help="Store parts or totals the indicators do not give back, as published.")
def published_import_command(file: str, agency_code: str | None, fiscal_year: int | None,
                             keep_as_given: bool) -> None:
    """Import published results from a CSV or XLSX file: one row per agency (and year),
    columns agency, fiscal_year, total, IIT, EIT, OIT, 1 … 10, 9.1 …; all rows or none."""
    from pathlib import Path

    from .extensions import db
    from .services.audit import record
    from .services.published import PublishedError, all_codes, parse_upload, store_upload

    with _app_context():
        default = _agency_or_fail(db.session, agency_code) if agency_code else None
        try:
            rows = parse_upload(Path(file).read_bytes(), file, all_codes(db.session))
            stored = store_upload(db.session, rows, default_agency=default, year=fiscal_year,
                                  allowed=lambda a: True, source="cli", entered_by="(cli)",
                                  keep_as_given=keep_as_given)
        except PublishedError as exc:
            db.session.rollback()
            raise _published_failed(exc) from None
        for agency, year in stored:
            record(db.session, None, "published_import", username="(cli)", agency_id=agency.id,
                   target=agency.code, detail=f"year {year}, file {Path(file).name}"
                   + (" (kept as given)" if keep_as_given else ""))
        db.session.commit()
        click.echo(f"imported {len(stored)} rows: "
                   + ", ".join(f"{a.code} {y}" for a, y in stored))


@published_group.command("show")
@click.argument("agency_code")
@click.option("--year", "fiscal_year", type=int, help="Only this year.")
def published_show_command(agency_code: str, fiscal_year: int | None) -> None:
    """Show an agency's published results: figures, verdict on the year's set, provenance."""
    from .extensions import db
    from .services.published import natural, year_summaries

    with _app_context():
        agency = _agency_or_fail(db.session, agency_code)
        shown = 0
        for y in year_summaries(db.session, agency):
            pub = y.published
            if fiscal_year is not None and pub.fiscal_year_be != fiscal_year:
                continue
            shown += 1
            head = sorted(pub.scores, key=lambda c: (c[0].isdigit(), natural(c)))
            click.echo(f"{pub.fiscal_year_be}  set {y.set_id or '-'}  grade {y.grade or '-'}  "
                       f"verdict {y.verdict_en or '-'}  ({pub.source}, {pub.entered_by or '-'}, "
                       f"{pub.entered_at:%Y-%m-%d}{', kept as given' if pub.as_given else ''})")
            click.echo("  " + "  ".join(f"{c}={pub.scores[c]:.2f}" for c in head))
        if not shown:
            click.echo(f"{agency.code}: no published result"
                       + (f" for {fiscal_year}" if fiscal_year else ""))


@published_group.command("remove")
@click.argument("agency_code")
@click.argument("fiscal_year", type=int)
def published_remove_command(agency_code: str, fiscal_year: int) -> None:
    """Remove an agency's published result of a year (its answers collected here become the
    year's result again)."""
    from .extensions import db
    from .services.audit import record
    from .services.published import remove_published

    with _app_context():
        agency = _agency_or_fail(db.session, agency_code)
        if not remove_published(db.session, agency, fiscal_year):
            raise click.ClickException(f"{agency.code} has no published result for {fiscal_year}")
        record(db.session, None, "published_remove", username="(cli)", agency_id=agency.id,
               target=agency.code, detail=f"year {fiscal_year}")
        db.session.commit()
        click.echo(f"{agency.code} {fiscal_year}: removed")
