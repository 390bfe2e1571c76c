"""Fixtures of the console tests (the app fixtures come from ``tests/app/conftest.py``)."""

from __future__ import annotations

import pytest

from .console_world import World, build_world


@pytest.fixture
def world(app) -> World:
    return build_world(app)
