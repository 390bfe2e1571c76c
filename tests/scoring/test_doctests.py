"""The docstring examples in scoring/ run and stay true."""

import doctest
import importlib

import pytest


@pytest.mark.parametrize("name", ["scoring.rollup", "scoring.statistics", "scoring.trend",
                                  "scoring.tiers", "scoring.assess",
                                  "scoring.agencies", "scoring.gforms"])
def test_docstring_examples(name):
    module = importlib.import_module(name)  # scoring.trend the module, not the function
    failures, tried = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried > 0 and failures == 0
