"""Options of the whole test run.

Tests marked ``slow`` (the fuzz, the PDF renders) run by default and in CI; ``pytest --quick``
leaves them out for a developer's quick loop.  The garbage collector of each test process runs less often
and leaves out what collection imported (``GC_THRESHOLD``, ``pytest_collection_finish``).
"""

import gc
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


#: The garbage collector's first threshold in a test process (Python's default is 700).
GC_THRESHOLD = 5000


def pytest_configure(config):
    # Compile each template and URL builder once per test process, not once per app.
    from .process_caches import install

    install()
    # The tests allocate many short-lived objects (apps, engines, ORM rows, frames): at the
    # default threshold the collector ran about every 700 allocations and was a tenth of a
    # console test process's CPU.  Reference counting still frees everything at once; only
    # cycles wait a little longer.
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])


def pytest_collection_finish(session):
    # What collection imported (the app, pandas, SQLAlchemy, every test module) lives as long
    # as the process: leave it out of the collector's full passes.
    gc.freeze()


#: Tests sharing servers or a browser that a module or the test process starts (the browsers
#: and their live servers, the deployment behind nginx, the rate-limit workers' parent): under
#: ``-n``, each group runs on one worker, so what they share is started once, not on both.
ONE_WORKER = {
    "tests/browser/": "browser",
    "tests/app/test_behind_nginx.py": "deployment",
    "tests/app/test_rate_limit_shared.py": "shared rate limit",
}


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, unknown without it (-p no:xdist)
def pytest_xdist_make_scheduler(config, log):
    """xdist's default (``load``: any test to any free worker), except that each group of
    ``ONE_WORKER`` goes to one worker as a whole.  (``--dist loadgroup`` with ``xdist_group``
    marks would say the same, but xdist 3.8 renames the tests through an attribute pytest 9
    no longer reads, so it does not group.)"""
    if config.getvalue("dist") != "load":
        return None  # a --dist the runner asked for
    from xdist.scheduler import LoadScopeScheduling

    class OneWorkerGroups(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            for prefix, group in ONE_WORKER.items():
                if nodeid.startswith(prefix):
                    return group
            return nodeid  # a test of its own, as under load

    return OneWorkerGroups(config, log)


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
