"""Options whose default is a constant of another module, imported only when it is needed.

``ita --help`` lists the commands without importing what they use; an option's default is
read from where it is defined (``scoring.assess.DEFAULT_SEED``, …) when the command runs or
shows its own ``--help``, not re-spelled here.
"""

from __future__ import annotations

from importlib import import_module

import click


class ConstantDefault(click.Option):
    """A click option defaulting to ``default_from = "package.module:NAME"``, imported late.

    ``--help`` of the command shows the value (``[default: 2566]``), as a plain default does.
    """

    def __init__(self, *args, default_from: str, **kwargs) -> None:
        module, _, name = default_from.partition(":")

        def default():
            return getattr(import_module(module), name)

        super().__init__(*args, default=default, **kwargs)

    def get_default(self, ctx: click.Context, call: bool = True):
        return super().get_default(ctx, call=True)
