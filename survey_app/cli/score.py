"""``ita score``: score response files, OIT results and given scores, without the app.

This module imports only click at its top, and ``scoring``, ``questionnaires`` and pandas when
the command runs: no Flask, SQLAlchemy or WTForms (pyproject.toml's import contracts and
tests/test_cli_imports.py hold it to that).  The one way into the app is the fallback to
a set an office added with ``ita sets add``, taken only when ``--set`` names no shipped set.

Google Forms exports (scoring/gforms.py) come in through --format-in, --mapping and
--write-mapping.
"""

from __future__ import annotations

import click

from .options import ConstantDefault


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


@click.command("score")
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
              cls=ConstantDefault, default_from="scoring.intervals:DEFAULT_METHOD",
              show_default=True,
              help="95% interval method: logit (analytic t-interval on the logit scale), "
                   "bootstrap (BCa) or percentile (bootstrap).")
@click.option("--bootstrap", type=click.IntRange(min=0), cls=ConstantDefault,
              default_from="scoring.assess:DEFAULT_BOOTSTRAP", show_default=True,
              help="Most resamples of the bootstrap interval methods, fewer once the ends "
                   "are precise (0: no intervals at all).")
@click.option("--seed", type=int, cls=ConstantDefault, default_from="scoring.assess:DEFAULT_SEED",
              show_default=True, help="Bootstrap seed.")
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
        from .sets import added_set

        iset = added_set(set_name)  # a set an office added (`ita sets add`)
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


