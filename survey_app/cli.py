"""The ``ita`` command line: one entry point for scoring, the database, the server and demos.

Each command is a thin click wrapper over a plain function, so that scripts and tests can call
the function directly.
"""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ita-survey")
def main() -> None:
    """ita-survey: collect and score ITA surveys (IIT, EIT, OIT)."""


# -- scoring ---------------------------------------------------------------------------------
# (the `score` command is defined below by scoring's front end)


@main.command("score")
@click.option("--set", "set_name", default="ita-2566", show_default=True,
              help="Instrument set id (shipped definitions) or path to a definition .toml file.")
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
@click.option("--bootstrap", type=click.IntRange(min=0), default=2000, show_default=True,
              help="Bootstrap resamples for the 95% intervals (0: off).")
@click.option("--seed", type=int, default=2566, show_default=True, help="Bootstrap seed.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
def score_command(set_name, iit, eit, oit, indicators, history, headcount, fiscal_year,
                  bootstrap, seed, fmt, output):
    """Score ITA responses, OIT results and/or given indicator scores.

    Any mix works: what is given as responses or OIT items is computed, what is given as
    scores is taken as it is.
    """
    import json
    import sys

    from questionnaires import DefinitionError, load_instrument_set
    from scoring.inputs import InputFileError, score_files
    from scoring.report import result_to_csv, result_to_dict, result_to_table

    if not any((iit, eit, oit, indicators)):
        raise click.UsageError("give at least one of --iit, --eit, --oit, --indicators")
    try:
        iset = load_instrument_set(set_name)
    except DefinitionError as exc:
        raise click.ClickException(str(exc)) from None

    bar = None

    def progress(label: str, done: int, total: int) -> None:
        nonlocal bar
        if total < 5_000_000:  # small files are read before a bar would be seen
            return
        if bar is None:
            bar = click.progressbar(length=total, label=f"reading {label}", file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        result = score_files(iset, iit=iit, eit=eit, oit=oit, indicators=indicators,
                             history=history, headcount=headcount, fiscal_year_be=fiscal_year,
                             bootstrap=bootstrap, seed=seed, progress=progress)
    except InputFileError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)

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
