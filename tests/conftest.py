"""Options of the whole test run.

Tests marked ``slow`` (the fuzz, the PDF renders) run by default and in CI; ``pytest --quick``
leaves them out for a developer's quick loop.
"""

import os
import resource
import time

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
    parser.addoption(
        "--cpu-log", metavar="PREFIX",
        help="append each test's CPU seconds (test process, reaped children) to PREFIX.<worker>.tsv",
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


def _cpu() -> tuple[float, float]:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time(), children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    prefix = item.config.getoption("--cpu-log")
    if not prefix:
        yield
        return
    before = _cpu()
    yield
    after = _cpu()
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with open(f"{prefix}.{worker}.tsv", "a", encoding="utf-8") as log:
        log.write(f"{item.nodeid}\t{after[0] - before[0]:.3f}\t{after[1] - before[1]:.3f}\n")
