"""The B.E. 2567-2569 instrument sets: their content, their honesty, and bad copies refused."""

from pathlib import Path

import pytest

from questionnaires import DefinitionError, load_instrument_set

NEW_SETS = ("ita-2567", "ita-2568", "ita-2569")
TIERS = ["excellent", "good", "pass", "improve", "improve_urgently"]


@pytest.mark.parametrize("name", NEW_SETS)
def test_questionnaires_are_the_2567_replica_shape(name):
    iset = load_instrument_set(name)
    assert iset.fiscal_year_be == int(name[-4:])
    assert [i.code for i in iset.items_for("IIT")] == [f"i{k}" for k in range(1, 16)]
    assert [i.code for i in iset.items_for("EIT")] == [f"e{k}" for k in range(1, 10)]
    for k in range(1, 9):  # three items per survey indicator
        assert sum(i.indicator == str(k) for i in iset.items) == 3
    for code in ("i3", "i9"):
        item = iset.item(code)
        assert item.scale.kind == "yes_no" and item.direction == "yes_bad"
        assert [o.label_th for o in item.scale.options] == ["มี", "ไม่มี"]
    for code in ("e3", "e9"):
        assert [o.label_th for o in iset.item(code).scale.options] == ["ไม่เคย", "เคย"]
    six = [i for i in iset.items if i.scale.kind == "ordinal"]
    assert len(six) == 20
    for item in six:  # equal intervals 0-100 on six levels
        assert [o.code for o in item.scale.options] == [1, 2, 3, 4, 5, 6]
        assert [o.score for o in item.scale.options] == [0, 20, 40, 60, 80, 100]
    # item-specific labels: i1's scale is not i2's
    assert iset.item("i1").scale.options[0].label_th == "ไม่เป็นไปตามที่กำหนด"
    assert iset.item("i2").scale.options[0].label_th != iset.item("i1").scale.options[0].label_th
    assert {iset.item(c).direction for c in ("i5", "i6", "i7", "i8", "i11")} == {"reverse"}
    assert iset.item("e1").scale.options[-1].label_th == "เห็นด้วยอย่างยิ่ง"


@pytest.mark.parametrize("name", NEW_SETS)
def test_methodology_is_tiers_with_floors_and_no_grades(name):
    m = load_instrument_set(name).methodology
    assert m.weights == {"IIT": 0.3, "EIT": 0.3, "OIT": 0.4}
    assert m.grades == ()
    assert [v.code for v in m.verdicts] == TIERS
    assert [v.label_th for v in m.verdicts] == [
        "ผ่านดีเยี่ยม", "ผ่านดี", "ผ่าน", "ต้องปรับปรุง", "ต้องปรับปรุงโดยด่วน"]
    assert [v.min_total for v in m.verdicts] == [95, 85, 85, 70, 0]
    assert m.verdicts[0].floors == {"IIT": 95, "EIT": 95, "OIT": 95}
    assert m.verdicts[1].floors == {"IIT": 85, "EIT": 85, "OIT": 85}
    assert [v.passed for v in m.verdicts] == [True, True, True, False, False]
    assert m.minimum_sample["IIT"].provenance.startswith("[open]")


def test_oit_lists():
    assert len(load_instrument_set("ita-2567").oit_items) == 43  # 2566's, no 2567 list found
    for name in ("ita-2568", "ita-2569"):
        iset = load_instrument_set(name)
        assert [o.code for o in iset.oit_items] == [f"O{k}" for k in range(1, 27)]
        assert set(iset.sub_indicators) == {"9.1", "9.2", "9.3", "9.4", "9.5", "10.1", "10.2"}
    iset = load_instrument_set("ita-2569")
    o25, o26 = (next(o for o in iset.oit_items if o.code == c) for c in ("O25", "O26"))
    assert o25.text_th == "การนำผลการประเมิน ITA ไปสู่การพัฒนาองค์กร"
    assert o26.text_th == "รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"
    assert o25.sub_indicator == o26.sub_indicator == "10.2"  # where 2566's O42/O43 were


@pytest.mark.parametrize("name", NEW_SETS)
def test_provenance_names_its_sources_and_what_is_not_confirmed(name):
    iset = load_instrument_set(name)
    text = " ".join(iset.provenance.split())
    for source in ("pongvarid/upoit", "src/plugins/tool.ts", "src/views/dev/GenPort4.vue",
                   "src/tmp/test.json", "pongvarid/upita_server",
                   "iit/migrations/0014_auto_20240111_0454.py",
                   "mgronline.com/uptodate/detail/9680000079675", "www.sakonarea1.go.th"):
        assert source in text, source
    # the 15-or-30 conflict is resolved, and said so
    assert "30ข้อ" in text and "conflict resolved" in text
    for open_value in ("NOT the official wording", "Answer-to-score map", "[open]",
                       "Minimum sample"):
        assert open_value in text, open_value
    if name != "ita-2567":
        assert "rtrdasmartrailway/web-app-rtrda" in text and "NOT official" in text


def copy_with(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = Path(load_instrument_set(name).source).read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    path = tmp_path / f"{name}-broken.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


GOOD_TIER = ('code = "good"\nlabel_th = "ผ่านดี"\nlabel_en = "Pass (good)"\nmin_total = 85.0\n'
             'passed = true\nfloors = { IIT = 85.0, EIT = 85.0, OIT = 85.0 }')


@pytest.mark.parametrize(("old", "new", "where", "reason"), [
    # broken tiers
    (GOOD_TIER, GOOD_TIER.replace("EIT = 85.0", "XIT = 85.0"), "verdict good",
     "floor for unknown instrument 'XIT'"),
    (GOOD_TIER, GOOD_TIER.replace("EIT = 85.0", "EIT = 185.0"), "verdict good",
     "floor 185 for EIT is outside 0–100"),
    (GOOD_TIER, GOOD_TIER.replace("min_total = 85.0", "min_total = 105"), "verdict good",
     "min_total 105 is outside 0–100"),
    (GOOD_TIER, GOOD_TIER.replace("85.0", "95.0"), "verdict good",
     "can never be reached: verdict excellent before it asks no more"),
    ('code = "improve"\nlabel_th = "ต้องปรับปรุง"\nlabel_en = "Needs improvement"\nmin_total = 70.0',
     'code = "improve"\nlabel_th = "ต้องปรับปรุง"\nlabel_en = "Needs improvement"\nmin_total = 0.0',
     "verdict improve_urgently", "can never be reached"),
    (GOOD_TIER, GOOD_TIER.replace('code = "good"', 'code = "excellent"'), "verdict excellent",
     "duplicate code"),

    # a scale without scores
    ('{ code = 6, label_th = "เห็นด้วยอย่างยิ่ง", label_en = "Strongly agree", score = 100 }',
     '{ code = 6, label_th = "เห็นด้วยอย่างยิ่ง", label_en = "Strongly agree" }',
     "scale agree option 6", "option without a score"),
    # an OIT item in an unknown sub-indicator
    ('code = "O25"\nsub_indicator = "10.2"', 'code = "O25"\nsub_indicator = "10.9"',
     "OIT item O25", "unknown sub-indicator '10.9'"),
])
def test_a_broken_copy_of_ita_2569_is_refused_with_file_entry_and_reason(tmp_path, old, new,
                                                                         where, reason):
    path = copy_with(tmp_path, "ita-2569", old, new)
    with pytest.raises(DefinitionError) as exc:
        load_instrument_set(path)
    assert (exc.value.source, exc.value.where) == (str(path), where)
    assert reason in exc.value.reason
    assert str(exc.value).startswith(f"{path}: {where}: ")


def test_grade_bands_stay_checked_where_a_set_has_them(tmp_path):
    path = copy_with(tmp_path, "ita-2566", 'grade = "F"\nmin = 0.0', 'grade = "F"\nmin = 10.0')
    with pytest.raises(DefinitionError, match="the lowest band must start at 0"):
        load_instrument_set(path)


def test_a_tier_shadowed_by_any_earlier_one_not_only_the_one_before_it(tmp_path):
    # ผ่านดีเยี่ยม at 80 without floors, then ผ่านดี at 70 with floors: each pair of neighbours
    # is fine, but ผ่าน (85, no floors) can never be reached, ผ่านดีเยี่ยม takes every total >= 80
    text = Path(load_instrument_set("ita-2569").source).read_text(encoding="utf-8")
    excellent = ('min_total = 95.0\npassed = true\n'
                 'floors = { IIT = 95.0, EIT = 95.0, OIT = 95.0 }')
    assert excellent in text and GOOD_TIER in text
    text = text.replace(excellent, "min_total = 80.0\npassed = true").replace(
        GOOD_TIER, GOOD_TIER.replace("min_total = 85.0", "min_total = 70.0"))
    path = tmp_path / "shadowed.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError) as exc:
        load_instrument_set(path)
    assert exc.value.where == "verdict pass"
    assert "can never be reached: verdict excellent before it asks no more" in exc.value.reason
