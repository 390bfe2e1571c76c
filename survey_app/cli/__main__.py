"""``python -m survey_app.cli``: the ``ita`` command (how `ita serve` starts its mixer process)."""

from . import main

main()
