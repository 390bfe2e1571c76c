"""``ita translate``: the Thai and English UI catalogues."""

from __future__ import annotations

import click


@click.group("translate")
def translate_group() -> None:
    """Keep the Thai and English UI catalogues (survey_app/translations) in step with the code."""


@translate_group.command("update")
def translate_update_command() -> None:
    """Extract the marked UI text (babel.cfg) and merge it into each locale's messages.po.

    New text arrives untranslated in Thai (English copies its msgid); fill in the Thai msgstr,
    then run ``ita translate compile``.
    """
    from .. import catalogue

    left = catalogue.update()
    for locale, problems in left.items():
        click.echo(f"{catalogue.po_path(locale)}: {len(problems)} to do")
        for problem in problems:
            click.echo(f"  {problem}")


@translate_group.command("compile")
def translate_compile_command() -> None:
    """Compile each locale's messages.po into the messages.mo the app reads."""
    from .. import catalogue

    for locale in catalogue.LOCALES:
        problems = catalogue.problems(locale)
        if problems:
            raise click.ClickException(
                f"{catalogue.po_path(locale)} is not ready ({len(problems)} problems), e.g. "
                f"{problems[0]}; run `ita translate update` and translate what it lists")
    for path in catalogue.compile_catalogues():
        click.echo(f"wrote {path}")

