"""The ``ita`` command line: one entry point for scoring, the database, the server and demos.

Each command is a thin click wrapper over a plain function, so that scripts and tests can call
the function directly.  One module per group (``database``, ``users``, ``sets``, ``export``,
``published``, ``translate``), ``score`` for scoring files and ``commands`` for the other
commands; ``context`` holds what the database commands share.  Every module imports only
click at its top: Flask, SQLAlchemy and the app are imported by the commands that use them,
so ``ita --help`` and ``ita score`` start without them.
"""

from __future__ import annotations

import click

from . import commands, database, export, published, sets, translate, users
from .score import score_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ita-survey")
def main() -> None:
    """ita-survey: collect and score ITA surveys (IIT, EIT, OIT)."""


for _command in (
    database.db_group,
    commands.backup_command,
    commands.restore_command,
    commands.serve_command,
    commands.mix_command,
    commands.demo_command,
    commands.create_admin_command,
    commands.report_command,
    users.users_group,
    sets.sets_group,
    export.export_group,
    translate.translate_group,
    score_command,
    published.published_group,
):
    main.add_command(_command)
