"""The ITA survey web app: ``create_app()`` builds it from defaults, ``ITA_*`` env and overrides.

The factory lives in :mod:`survey_app.factory`; its names (``create_app``, ``HSTS``, …) are
loaded from there on first use, so that importing the package imports neither Flask nor
SQLAlchemy: ``ita score`` and ``ita --help`` (:mod:`survey_app.cli`) start without them.
"""

from __future__ import annotations

from importlib.util import find_spec


def __getattr__(name: str) -> object:
    # A submodule (``from survey_app import config``) is left to the import system, which
    # loads it without the factory.
    if not name.startswith("__") and find_spec(f"{__name__}.{name}") is None:
        from . import factory

        if hasattr(factory, name):
            value = globals()[name] = getattr(factory, name)  # looked up here once
            return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
