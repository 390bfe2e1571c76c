"""``ita published``: the results NACC published, per agency and year."""

from __future__ import annotations

import click

from .context import CLI_ACTOR, AuditLine, agency_or_fail, app_context, audit_and_commit


@click.group("published")
def published_group() -> None:
    """The results NACC published: the year's record of an agency (see README)."""




def _published_failed(exc) -> click.ClickException:
    from ..refusals import each

    return click.ClickException("nothing was stored:\n  " + "\n  ".join(each(exc, "en"))
                                + ("\n(use --keep-as-given to store the figures as published)"
                                   if exc.mismatches else ""))


def _as_given(keep_as_given: bool) -> str:
    return " (kept as given)" if keep_as_given else ""


@published_group.command("set")
@click.argument("agency_code")
@click.argument("fiscal_year", type=int)
@click.argument("figures", nargs=-1)
@click.option("--keep-as-given", is_flag=True,
              help="Store parts or a total the indicators do not give back, as published.")
@click.option("--oit-items", "oit_items", metavar="FILE|CODES",
              help="NACC's OIT result item by item: O1=pass,O2=fail,… or a CSV/XLSX file "
                   "with item and result columns (the OIT checklist download, judged, will "
                   "do); gives the OIT sub-indicators and indicators 9/10.")
def published_set_command(agency_code: str, fiscal_year: int, figures: tuple[str, ...],
                          keep_as_given: bool, oit_items: str | None) -> None:
    """Set an agency's published result of a year: FIGURES are CODE=SCORE (total=94.67
    IIT=29.35 1=99.02 9.5=75 …), and/or --oit-items; the year's figures become exactly these
    (with the OIT sub-indicators and indicators 9/10 the items give)."""
    from pathlib import Path

    from ..extensions import db
    from ..refusals import say
    from ..services.published import (
        PublishedError,
        oit_items_note,
        parse_oit_items,
        parse_score,
        read_oit_items,
        set_published,
    )

    if not figures and not oit_items:
        raise click.UsageError("give FIGURES (CODE=SCORE …) or --oit-items")
    items = None
    if oit_items:
        try:
            if "=" in oit_items:
                items = parse_oit_items(oit_items)
            else:
                items = read_oit_items(Path(oit_items).read_bytes(), oit_items)
        except OSError as exc:
            raise click.ClickException(f"--oit-items {oit_items}: {exc.strerror} (give a file "
                                       "or O1=pass,O2=fail,…)") from None
        except PublishedError as exc:
            raise _published_failed(exc) from None
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
    with app_context():
        agency = agency_or_fail(db.session, agency_code)
        try:
            changed = set_published(db.session, agency, fiscal_year, scores, source="cli",
                                    entered_by=CLI_ACTOR, keep_as_given=keep_as_given,
                                    oit_items=items)
        except PublishedError as exc:
            db.session.rollback()
            raise _published_failed(exc) from None
        detail = (f"year {fiscal_year}" + (f", {oit_items_note(items)}" if items else "")
                  + _as_given(keep_as_given))
        lines = [AuditLine(agency.code, detail, agency.id)] if changed else []
        audit_and_commit("published_update", *lines)
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
    columns agency, fiscal_year, total, IIT, EIT, OIT, 1 … 10, 9.1 …, and OIT items O1 …
    (pass/fail) if NACC's OIT result is given item by item; all rows or none."""
    from pathlib import Path

    from ..extensions import db
    from ..services.published import (
        PublishedError,
        all_codes,
        all_oit_item_codes,
        parse_upload,
        store_upload,
    )

    with app_context():
        default = agency_or_fail(db.session, agency_code) if agency_code else None
        try:
            rows = parse_upload(Path(file).read_bytes(), file, all_codes(db.session),
                                all_oit_item_codes(db.session))
            stored = store_upload(db.session, rows, default_agency=default, year=fiscal_year,
                                  allowed=lambda a: True, source="cli", entered_by=CLI_ACTOR,
                                  keep_as_given=keep_as_given)
        except PublishedError as exc:
            db.session.rollback()
            raise _published_failed(exc) from None
        audit_and_commit("published_import", *(
            AuditLine(agency.code, f"year {year}, file {Path(file).name}"
                      + _as_given(keep_as_given), agency.id)
            for agency, year in stored))
        click.echo(f"imported {len(stored)} rows: "
                   + ", ".join(f"{a.code} {y}" for a, y in stored))


@published_group.command("show")
@click.argument("agency_code")
@click.option("--year", "fiscal_year", type=int, help="Only this year.")
def published_show_command(agency_code: str, fiscal_year: int | None) -> None:
    """Show an agency's published results: figures, verdict on the year's set, provenance."""
    from ..extensions import db
    from ..services.published import natural, year_summaries

    with app_context():
        agency = agency_or_fail(db.session, agency_code)
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
    from ..extensions import db
    from ..services.published import remove_published

    with app_context():
        agency = agency_or_fail(db.session, agency_code)
        if not remove_published(db.session, agency, fiscal_year):
            raise click.ClickException(f"{agency.code} has no published result for {fiscal_year}")
        audit_and_commit("published_remove",
                         AuditLine(agency.code, f"year {fiscal_year}", agency.id))
        click.echo(f"{agency.code} {fiscal_year}: removed")
