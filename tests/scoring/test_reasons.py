"""Why scoring refuses a file: every key its code gives is in ``scoring.reasons.REASONS`` (whose
English the CLI prints and whose keys the console translates), and every key there is given.

The keys are read from scoring's source: the key argument of every ``InputFileError``,
``ResponseDataError``, ``HeadcountError`` and ``ReasonedError``, a reader's ``reject(…, "key")``
and the ``("key", {…})`` pairs of a mapping file's problems.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import scoring
from scoring.gforms import MappingError, parse_mapping
from scoring.inputs import InputFileError
from scoring.reasons import REASONS, ReasonedError, words

SCORING = Path(scoring.__file__).parent
#: Call name → the position of its key argument.
KEY_ARGUMENT = {"InputFileError": 1, "ResponseDataError": 0, "HeadcountError": 0,
                "ReasonedError": 0, "reject": 1}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _given_keys() -> set[str]:
    keys: set[str] = set()
    for path in SCORING.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                position = KEY_ARGUMENT.get(name)
                if position is not None and len(node.args) > position:
                    key = node.args[position]
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        keys.add(key.value)
            elif isinstance(node, ast.FunctionDef) and node.name == "reject":
                keys |= {d.value for d in node.args.defaults if isinstance(d, ast.Constant)}
            elif isinstance(node, ast.Tuple) and len(node.elts) == 2 \
                    and isinstance(node.elts[1], ast.Dict) \
                    and isinstance(node.elts[0], ast.Constant) \
                    and str(node.elts[0].value).startswith("mapping_"):
                keys.add(node.elts[0].value)
    return keys


def test_every_key_scoring_gives_has_words_and_every_word_is_given():
    given = _given_keys()
    assert len(given) > 40, sorted(given)  # the reading found them
    assert given - REASONS.keys() == set(), "keys without words"
    assert REASONS.keys() - given == set(), "words nobody gives"


@pytest.mark.parametrize("key", sorted(REASONS))
def test_the_words_take_their_values_and_nothing_else(key):
    values = {name: f"<{name}>" for name in PLACEHOLDER.findall(REASONS[key])}
    text = words(key, values)
    assert "%(" not in text and all(sample in text for sample in values.values())
    assert "{" not in REASONS[key]  # the catalogue's placeholders are %(name)s only


def test_an_error_keeps_its_key_values_and_english_line():
    exc = InputFileError("f.csv", "header_column_twice", row=1, column="i2")
    assert (exc.key, exc.values, exc.row, exc.column) == ("header_column_twice", {}, 1, "i2")
    assert exc.reason == "column appears twice"
    assert str(exc) == "f.csv: row 1, column 'i2': column appears twice"
    exc = InputFileError("f.csv", "score_outside_range", row=3, column="score", value="101")
    assert str(exc) == "f.csv: row 3, column 'score': score 101 is outside 0–100"
    assert exc.values == {"value": "101"}


def test_a_key_that_has_no_words_fails_loudly():
    with pytest.raises(KeyError):
        InputFileError("f.csv", "no_such_reason")
    with pytest.raises(KeyError):
        ReasonedError("no_such_reason")


def test_a_mapping_file_names_each_problem_by_key_and_in_english():
    with pytest.raises(MappingError) as exc:
        parse_mapping("instrument,kind,text,code,scope\nOIT,column,x,i2,\nIIT,colour,y,i3,\n",
                      name="m.csv")
    assert exc.value.reasons == [("mapping_csv_instrument", {"line": 2, "value": "'OIT'"}),
                                 ("mapping_csv_kind", {"line": 3, "value": "'colour'"})]
    assert str(exc.value).splitlines() == [
        "m.csv: row 2: instrument must be IIT or EIT, not 'OIT'",
        "m.csv: row 3: kind must be column or label, not 'colour'"]
