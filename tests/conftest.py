"""Options of the whole test run."""


def pytest_addoption(parser):
    parser.addoption(
        "--screenshots", action="store_true",
        help="save the browser tests' screenshots under docs/screenshots/ (the README's pictures)",
    )
