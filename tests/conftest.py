"""Options of the whole test run.

Tests marked ``slow`` (the fuzz, the PDF renders) run by default and in CI; ``pytest --quick``
leaves them out for a developer's quick loop.
"""

import pytest


def pytest_addoption(parser):
    parser.addoption(
        "--quick", action="store_true",
        help="leave out the tests marked slow (the fuzz, the PDF renders); CI runs them all",
    )
    parser.addoption(
        "--screenshots", action="store_true",
        help="save the browser tests' screenshots under docs/screenshots/ (the README's pictures)",
    )


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--quick"):
        return
    skip = pytest.mark.skip(reason="slow: left out by --quick (the default and CI run it)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def pytest_configure(config):
    # Compile each template and URL builder once per test process, not once per app.
    from .process_caches import install

    install()
