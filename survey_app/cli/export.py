"""``ita export``: stored responses, imported rehearsal data, the codebook and the scores."""

from __future__ import annotations

import click

from .context import app_context, assessment_or_fail, mix_closed, refused
from .options import ConstantDefault


@click.group("export")
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

    from ..extensions import db
    from ..services.exports import iter_responses_csv, write_responses_xlsx, write_streamed_csv

    with app_context():
        mix_closed()
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
            raise refused(exc) from None
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

    from ..extensions import db
    from ..services.imports import imported_frame

    with app_context():
        assessment = assessment_or_fail(db.session, assessment_id)
        frame = imported_frame(db.session, assessment, instrument)
    text = "\ufeff" + frame.to_csv(index=False, lineterminator="\n")
    if output:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        click.echo(f"wrote {len(frame)} imported {instrument} responses to {output}", err=True)
    else:
        sys.stdout.buffer.write(text.encode("utf-8"))



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

    from ..extensions import db
    from ..services.exports import codebook_csv, write_codebook_xlsx

    with app_context():
        assessment = assessment_or_fail(db.session, assessment_id)
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
@click.option("--bootstrap", type=click.IntRange(min=0), cls=ConstantDefault,
              default_from="scoring.assess:DEFAULT_BOOTSTRAP", show_default=True,
              help="Bootstrap resamples for the 95% intervals (0: off).")
def export_scores_command(assessment_id: int, fmt: str, output: str | None,
                          bootstrap: int) -> None:
    """Write an assessment's scores as `ita score` computes them (CSV, XLSX or JSON)."""
    import sys

    from ..extensions import db
    from ..services.exports import scores_csv, scores_json, write_scores_xlsx
    from ..services.results import results_view, stored_result

    with app_context():
        mix_closed()
        assessment = assessment_or_fail(db.session, assessment_id)
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


