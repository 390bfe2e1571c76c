"""Why a definition is refused: every key the loader (and the console's registry of sets) gives
is in ``questionnaires.reasons.REASONS`` (whose English the CLI prints and whose keys the console
translates), and every key there is given.

The keys are read from the source: the key argument of every ``DefinitionError(source, where,
"key", …)`` and ``self.fail(where, "key", …)``, and the kinds' keys of ``loader._KIND_REASONS``.
The console's own refusals of a definition (survey_app's registry and upload page) are read as
text, not imported: ``questionnaires`` knows nothing of the app.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import questionnaires
from questionnaires import DefinitionError, parse_instrument_set
from questionnaires.loader import _KIND_REASONS
from questionnaires.reasons import PLACES, REASONS, words

PACKAGE = Path(questionnaires.__file__).parent
#: Every file that raises a DefinitionError.
SOURCES = [*PACKAGE.glob("*.py"),
           PACKAGE.parent / "survey_app" / "services" / "instrument_sets.py",
           PACKAGE.parent / "survey_app" / "admin" / "sets.py"]
#: Call name → the position of its key argument.
KEY_ARGUMENT = {"DefinitionError": 2, "fail": 1}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _given_keys() -> set[str]:
    keys = {key for pair in _KIND_REASONS.values() for key in pair}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                position = KEY_ARGUMENT.get(name)
                if position is not None and len(node.args) > position:
                    key = node.args[position]
                    if isinstance(key, ast.Constant):  # (else fail() passing its key on)
                        keys.add(key.value)
    return keys


def test_every_key_given_has_words_and_every_word_is_given():
    given = _given_keys()
    assert len(given) > 60, sorted(given)  # the reading found them
    assert given - REASONS.keys() == set(), "keys without words"
    assert REASONS.keys() - given == set(), "words nobody gives"


@pytest.mark.parametrize("key", sorted(REASONS))
def test_the_words_take_their_values_and_nothing_else(key):
    values = {name: f"<{name}>" for name in PLACEHOLDER.findall(REASONS[key])}
    text = words(key, values)
    assert "%(" not in text and all(sample in text for sample in values.values())


def test_an_error_keeps_its_key_values_and_english_line():
    text = ("schema_version = 1\nid = 'x'\nfiscal_year_be = 2570\ntitle_th = 't'\n"
            "title_en = 't'\n[instruments.XIT]\nname_th = 'x'\nname_en = 'x'\n")
    with pytest.raises(DefinitionError) as exc:
        parse_instrument_set(text, "x.toml")
    assert (exc.value.source, exc.value.where, exc.value.key) == (
        "x.toml", "instrument XIT", "set_instrument_unknown")
    assert exc.value.values == {"known": "IIT, EIT, OIT"}
    assert exc.value.reason == "unknown instrument (known: IIT, EIT, OIT)"
    assert str(exc.value) == "x.toml: instrument XIT: unknown instrument (known: IIT, EIT, OIT)"


def test_a_key_that_has_no_words_fails_loudly():
    with pytest.raises(KeyError):
        DefinitionError("x.toml", "file", "no_such_reason")


def test_the_places_that_are_words_are_places_the_code_names():
    named = set()
    for path in SOURCES:
        named |= {node.value for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                  if isinstance(node, ast.Constant) and node.value in PLACES}
    assert named == PLACES.keys()
    assert all(english == where for where, english in PLACES.items())
