"""``ita sets``: the registry of instrument sets (the shipped files and the sets an office adds)."""

from __future__ import annotations

import click

from .context import AuditLine, app_context, audit_and_commit, refused


@click.group("sets")
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

    from ..extensions import db
    from ..services.instrument_sets import add_set, decode_upload, provenance_status

    path = Path(file)
    with app_context():
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise click.ClickException(f"{file}: file: cannot be read ({exc.strerror})") from None
        try:
            candidate = add_set(db.session, decode_upload(data, path.name), path.name,
                                added_by="cli")
        except DefinitionError as exc:
            db.session.rollback()
            raise refused(exc) from None
        lines = [AuditLine(candidate.iset.id, f"{path.name} sha256 {candidate.sha256} fiscal "
                           f"year {candidate.iset.fiscal_year_be}")
                 ] if candidate.already is None else []
        audit_and_commit("set_add", *lines)
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
    from ..extensions import db
    from ..services.instrument_sets import list_sets

    with app_context():
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


def added_set(set_id: str):
    """The stored set ``set_id`` of the app's database, or None (no such set, no database)."""
    import sqlalchemy as sa

    from ..extensions import db
    from ..services.instrument_sets import SET_ID, load_set
    from ..services.schema import is_up_to_date

    if not SET_ID.match(set_id):
        return None
    with app_context():
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

