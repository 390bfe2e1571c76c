"""The instrument-set loader: every shipped file loads; a bad file is rejected with a reason."""

import re
from pathlib import Path

import pandas as pd
import pytest

from questionnaires import DefinitionError, available_instrument_sets, load_instrument_set
from scoring import assess

SHIPPED = Path(load_instrument_set("ita-2566").source)
FIXTURES = Path(__file__).parent.parent / "data" / "definitions"


@pytest.mark.parametrize("name", available_instrument_sets())
def test_every_shipped_definition_loads(name):
    iset = load_instrument_set(name)
    assert iset.id == name
    for inst in iset.instruments:
        assert iset.indicators_for(inst)
    for item in iset.items:
        for q in item.questions:
            assert q.text_th and q.text_en
            assert set(item.scale.scores(q.direction)) == set(item.scale.codes)
    assert iset.provenance.strip()


def test_ita_2566_content_matches_the_reference():
    iset = load_instrument_set("ita-2566")
    assert [i.code for i in iset.items_for("IIT")] == [f"i{k}" for k in range(1, 31)]
    assert [i.code for i in iset.items_for("EIT")] == [f"e{k}" for k in range(1, 16)]
    assert len(iset.oit_items) == 43
    counts = {s: len(iset.oit_items_for(s)) for s in iset.sub_indicators}
    assert counts == {"9.1": 10, "9.2": 8, "9.3": 4, "9.4": 4, "9.5": 4, "10.1": 8, "10.2": 5}
    for k in range(1, 9):
        assert sum(i.indicator == str(k) for i in iset.items) in (5, 6)
    assert iset.methodology.weights == {"IIT": 0.3, "EIT": 0.3, "OIT": 0.4}
    assert [g.grade for g in iset.methodology.grades] == ["AA", "A", "B", "C", "D", "E", "F"]
    assert iset.item("i11").questions[1].direction == "reverse"
    assert iset.item("i4").direction == "yes_bad" and iset.item("i26").direction == "yes_good"
    # the file says which values no official source confirms
    for needle in ("EIT wording", "score map", "Minimum sample"):
        assert needle.lower() in iset.provenance.lower()


def broken(tmp_path, old, new, count=1):
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


@pytest.mark.parametrize(("old", "new", "where", "reason"), [
    ('indicator = "2"\nscale = "level4"\ntext_th = "ท่านรู้',
     'indicator = "12"\nscale = "level4"\ntext_th = "ท่านรู้', "item i7", "unknown indicator '12'"),
    ('code = "i2"\n', 'code = "i1"\n', "item i1", "duplicate code"),
    ('{ code = 4, label_th = "มากที่สุด", label_en = "Most", score = 100 }',
     '{ code = 4, label_th = "มากที่สุด", label_en = "Most" }', "scale level4 option 4",
     "option without a score"),
    ('sub_indicator = "9.3"', 'sub_indicator = "9.9"', "OIT item O19", "unknown sub-indicator"),
    ('direction = "yes_bad"', 'direction = "sideways"', "item i4", "unknown direction"),
    ('code = "i9"\nindicator = "2"\nscale = "level4"\ndirection = "reverse"',
     'code = "i9"\nindicator = "2"\nscale = "level4"\ndirection = "yes_bad"', "item i9",
     "needs a yes/no scale"),
    ('weights = { IIT = 0.30, EIT = 0.30, OIT = 0.40 }',
     'weights = { IIT = 0.30, EIT = 0.30, OIT = 0.30 }', "methodology weights", "add up to 1"),
    ('score = "200/3"', 'score = "two thirds"', "scale level4 option 3", "must be a number"),
    ('score = 100 }', 'score = 120 }', "scale level4 option 4", "outside 0–100"),
])
def test_bad_definitions_are_rejected_with_file_entry_and_reason(tmp_path, old, new, where,
                                                                 reason):
    path = broken(tmp_path, old, new)
    with pytest.raises(DefinitionError) as exc:
        load_instrument_set(path)
    assert exc.value.source == str(path)
    assert exc.value.where == where
    assert reason in exc.value.reason
    assert str(path) in str(exc.value)


def test_sub_indicator_with_no_items_is_rejected(tmp_path):
    text = SHIPPED.read_text(encoding="utf-8")
    text = re.sub(r'sub_indicator = "9\.3"', 'sub_indicator = "9.2"', text)
    path = tmp_path / "no-items.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"sub-indicator 9\.3: has no items"):
        load_instrument_set(path)


def test_not_toml_and_unknown_names(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("this is = = not toml", encoding="utf-8")
    with pytest.raises(DefinitionError, match="not valid TOML"):
        load_instrument_set(path)
    with pytest.raises(DefinitionError, match="unknown instrument set"):
        load_instrument_set("ita-1999")


def test_another_year_is_a_data_file_not_code():
    """Another score map and verdict tiers with an EIT floor, from data alone."""
    iset = load_instrument_set(FIXTURES / "test-tiers.toml")
    assert iset.scales["level4"].scores("positive") == {1: 0, 2: 25, 3: 60, 4: 100}
    assert iset.scales["level4"].scores("reverse") == {1: 100, 2: 60, 3: 25, 4: 0}
    strong = {str(k): 100.0 for k in range(1, 11)}
    assert assess(iset, given=strong).verdict.code == "pass_good"
    # a high total (30 + 25.2 + 40 = 95.2) with EIT below its floor is lowered to plain ผ่าน
    weak_eit = {**strong, "6": 84.0, "7": 84.0, "8": 84.0}
    r = assess(iset, given=weak_eit)
    assert r.total >= 95 - 1e-9 and r.verdict.code == "pass" and r.verdict.label_th == "ผ่าน"
    # the score map of the file is what scores the answers
    frame = pd.DataFrame({"i2": [3]})
    assert assess(iset, iit=frame, bootstrap=0).indicators["1"].score == 60
