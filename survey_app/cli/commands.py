"""The ``ita`` commands outside a group: backup and restore, the server, the mixer, the demo,
the first console account and the reports."""

from __future__ import annotations

import click

from ..roles import Role
from .context import (
    AuditLine,
    agency_or_fail,
    app_context,
    assessment_or_fail,
    audit_and_commit,
    mix_closed,
    refused,
    safe_url,
)
from .options import ConstantDefault


@click.command("backup")
@click.argument("output", type=click.Path(dir_okay=False))
def backup_command(output: str) -> None:
    """Copy the database at ITA_DATABASE_URL into OUTPUT (a new file, owner-readable only).

    PostgreSQL: pg_dump's custom format (the client tools of the server's version); SQLite:
    the online backup API.  It mixes what can be mixed first, then says how many IIT ballots
    still wait: those are in the backup next to the used codes (SECURITY.md, "Backups").
    """
    from ..extensions import db
    from ..services.backup import BackupError, backup
    from ..services.schema import current_revision, is_up_to_date

    with app_context(schema=False) as app:
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
            raise refused(exc) from None
        where = safe_url(db.engine)
    click.echo(f"backed up {where} (revision {report.revision}) to "
               f"{report.path}: {report.size:,} bytes")
    click.echo(f"the backup holds {report.ballots_waiting} IIT ballots still waiting to be "
               "mixed" + (" (next to the used codes: keep it as safe as the server)"
                          if report.ballots_waiting else ""))


@click.command("restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True,
              help="Drop everything in the database at ITA_DATABASE_URL first.")
def restore_command(backup_file: str, force: bool) -> None:
    """Restore a backup made by `ita backup` into the database at ITA_DATABASE_URL.

    The database must be empty (a new one) unless --force is given.
    """
    from ..extensions import db
    from ..services.backup import BackupError, restore
    from ..services.schema import head_revision

    with app_context(schema=False):
        try:
            report = restore(db.engine, backup_file, force=force)
        except BackupError as exc:
            raise refused(exc) from None
        where = safe_url(db.engine)
    click.echo(f"restored {backup_file} into {where}: revision "
               f"{report.revision}, {report.ballots_waiting} IIT ballots waiting")
    if report.revision != head_revision():
        click.echo("the schema is older than this version of the app: run `ita db upgrade`")


#: Where `ita serve` listens unless --port says otherwise (and what `ita demo` prints).
DEFAULT_PORT = 8000


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", type=click.IntRange(min=1),
              help="Worker processes (default: the number of CPU cores).")
@click.option("--threads", cls=ConstantDefault, default_from="survey_app.server:DEFAULT_THREADS",
              show_default=True, type=click.IntRange(min=1),
              help="Request threads per worker process.")
def serve_command(host: str, port: int, workers: int | None, threads: int) -> None:
    """Start the production server (gunicorn, gthread workers with HTTP keep-alive).

    One worker process per CPU core unless --workers says otherwise, each with --threads
    request threads; idle connections are kept open for 5 s, so a respondent's pages reuse
    one connection. The embedded SQLite database is migrated on start; a server database
    must be migrated with `ita db upgrade` first.
    """
    from ..config import PUBLIC_BASE_URL_MISSING
    from ..server import default_workers, prepare_database, run_gunicorn

    workers = workers or default_workers()

    with app_context(schema=False) as app:
        if not app.config["PUBLIC_BASE_URL"] and not app.config["PUBLIC_URL_FROM_REQUEST"]:
            raise click.ClickException(PUBLIC_BASE_URL_MISSING)
        try:
            message = prepare_database(app)
        except RuntimeError as exc:
            raise refused(exc) from None
        recovered = _mix_due(app)
        watcher = app.config["MIXER_IN_SERVE"] and _start_mixer(app)
    if message:
        click.echo(message, err=True)
    if recovered:
        click.echo(recovered, err=True)
    if watcher:
        click.echo(f"the mixer runs every {app.config['MIXER_INTERVAL']:g} s in a process of "
                   "its own (ITA_MIXER_IN_SERVE=false if `ita mix --watch` runs instead)",
                   err=True)
    click.echo(f"ITA survey app on http://{host}:{port}/ ({workers} workers × {threads} "
               "threads)", err=True)
    click.echo(f"  admin console: http://{host}:{port}/admin/login", err=True)
    try:
        run_gunicorn(host=host, port=port, workers=workers, threads=threads)
    finally:
        if watcher:
            watcher()


def _start_mixer(app):
    """Start the mixer as a process of its own (``ita mix --watch``); return its stop.

    Not a thread of this process: gunicorn forks the workers from it, at the start and again
    whenever a worker is replaced, and a process must not fork while it holds an SQLite
    database open — the child inherits the open file and the parent's lock bookkeeping and
    can then write past another connection's lock and corrupt the file
    (https://www.sqlite.org/howtocorrupt.html, section 2.6).  The mixer process has the same
    environment, so the same settings and database; it stops when this process stops it, or
    by itself if this process is gone (``ITA_MIXER_PARENT_PID``).
    """
    import os
    import subprocess
    import sys

    interval = max(float(app.config["MIXER_INTERVAL"]), MIN_MIX_INTERVAL)
    process = subprocess.Popen(  # noqa: S603  (this interpreter and fixed arguments)
        [sys.executable, "-m", "survey_app.cli", "mix", "--watch", "--interval", f"{interval:g}"],
        env={**os.environ, MIXER_PARENT_ENV: str(os.getpid())}, stdout=subprocess.DEVNULL)

    def halt() -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    return halt


def _mix_due(app) -> str:
    """One pass of the mixer, with an erase in any case (recovery after a crash)."""
    from ..extensions import db
    from ..services.ballots import mix_all_due

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
    lines += [f"stored the result of assessment {a}" for a in report.refreshed]
    if not report.erased:
        lines.append("ERASE OWED: the mixed ballots could not be erased yet (an old snapshot "
                     "or a lock); the mixer tries again at every pass")
    return "\n".join(lines)



#: Shortest pause between two mixer passes (``ita mix --interval``).
MIN_MIX_INTERVAL = 0.1
#: Set by `ita serve` for the mixer process it starts: the mixer stops once that process is gone.
MIXER_PARENT_ENV = "ITA_MIXER_PARENT_PID"


@click.command("mix")
@click.option("--watch", is_flag=True,
              help="Keep running: a pass every --interval seconds (for a service manager).")
@click.option("--interval", type=click.FloatRange(min=MIN_MIX_INTERVAL), default=None,
              help="Seconds between passes with --watch (default: ITA_MIXER_INTERVAL, 2).")
def mix_command(watch: bool, interval: float | None) -> None:
    """Run the IIT mixer now (see SECURITY.md): one pass, or with --watch one every few seconds.

    A pass moves every open assessment's ballots into the results once at least ITA_MIX_BATCH
    wait, and all remaining ballots of closed assessments, in shuffled order; erases the mixed
    ballots (VACUUM and VACUUM FULL on PostgreSQL, WAL checkpoint on SQLite) and retries an
    erase still owed; then publishes what may be published (IIT at the close, EIT in batches)
    and stores the result of each assessment it published, so no viewer computes it.
    Only one mixer runs at a time (another pass skips at once).  `ita serve` starts this
    command as a process of its own unless ITA_MIXER_IN_SERVE=false.
    """
    import os
    import signal
    import threading

    with app_context() as app:
        if not watch:
            click.echo(_mix_due(app) or "nothing to mix")
            return
        from ..extensions import db
        from ..services.ballots import start_watcher

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
        parent = os.environ.get(MIXER_PARENT_ENV)
        try:  # started by `ita serve`: stop with it, even if it could not say so
            while not done.wait(1.0):
                if parent and os.getppid() != int(parent):
                    break
        finally:
            stop()


@click.command("demo")
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

    from ..demo import add_synthetic_responses, ensure_demo
    from ..extensions import db
    from ..models import Assessment
    from ..services.assessments import response_counts
    from ..services.schema import upgrade

    with app_context(schema=False) as app:
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


@click.command("create-admin")
@click.option("--username", required=True, help="Login name (no spaces).")
@click.option("--role", required=True,
              type=click.Choice([r.value for r in Role]),
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

    from ..extensions import db
    from ..models import Agency
    from ..services.accounts import AccountError, create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with app_context():
        agency = None
        if agency_code:
            agency = db.session.scalar(sa.select(Agency).where(Agency.code == agency_code))
            if agency is None:
                raise click.ClickException(f"unknown agency code {agency_code!r}")
        try:
            user = create_user(db.session, username=username, password=password, role=role,
                               agency=agency, display_name=display_name)
        except AccountError as exc:
            raise refused(exc) from None
        audit_and_commit("user_create",
                         AuditLine(user.username, f"role {user.role}", user.agency_id))
    scope = f" for agency {agency_code}" if agency_code and role != Role.SYSTEM_ADMIN else ""
    click.echo(f"created {role} account {username!r}{scope}")


@click.command("report")
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
    from ..extensions import db
    from ..services import reports
    from ..services.document_cache import cached_document
    from ..services.exports import export_filename
    from ..services.measures import follow_up_view

    with app_context():
        mix_closed()
        if assessment_id is not None:
            assessment = assessment_or_fail(db.session, assessment_id)
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
            audit_and_commit("report", AuditLine(
                export_filename(assessment.agency.code, assessment.fiscal_year_be, kind, fmt),
                f"assessment {assessment.id}", assessment.agency_id))
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

    from ..labels import agency_type_labels_th
    from ..services import area, reports
    from ..services.document_cache import cached_document

    agency = agency_or_fail(session, area_code)
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

    from ..services.document_cache import cache_folder

    return cache_folder(current_app.config, current_app.instance_path)

