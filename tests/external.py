"""External tools the tests call (pdftotext, pdftoppm, zbarimg, Chromium, npm, servers).

Without one a test skips with the reason on a developer's machine; under ``CI=true`` it fails,
so that CI never passes by skipping what it was meant to check.
"""

from __future__ import annotations

import os
import shutil

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def missing(what: str) -> None:
    """Skip (fail under CI=true) because something the test needs is missing."""
    if IN_CI:
        pytest.fail(f"{what} is missing")
    pytest.skip(f"{what} is missing")


def tool(name: str) -> str:
    """The path of the command ``name``; skip (fail under CI=true) when it is not installed."""
    path = shutil.which(name)
    if path is None:
        missing(f"{name} (not installed)")
    return path
