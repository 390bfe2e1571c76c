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
