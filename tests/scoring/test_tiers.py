"""Verdict tiers from B.E. 2567: every boundary, the published case, floors missed, the gap.

The rule (ita-2567..2569, provenance: pongvarid/upoit src/plugins/tool.ts): ผ่านดีเยี่ยม total
>= 95 and IIT, EIT, OIT each >= 95; ผ่านดี total >= 85 and each >= 85; ผ่าน total >= 85;
ต้องปรับปรุง 70-84.99; ต้องปรับปรุงโดยด่วน below 70; total and floors compared after rounding half
up to two decimals.  Published case (mgronline.com/uptodate/detail/9680000079675): 94.64 in
B.E. 2568, rated ผ่าน because EIT was below 85.
"""

import json

import pytest
from click.testing import CliRunner

from questionnaires import load_instrument_set
from scoring import assess, floors_missed, indicator_weights, next_tier_gap
from survey_app.cli import main

ISET = load_instrument_set("ita-2569")
CODES = {inst: [i.code for i in ISET.indicators_for(inst)] for inst in ISET.instruments}


def rate(iit, eit, oit, iset=ISET):
    """Assess from given indicator scores: every indicator of an instrument at its score."""
    given = {c: v for inst, v in (("IIT", iit), ("EIT", eit), ("OIT", oit))
             for c in CODES[inst]}
    return assess(iset, given=given, bootstrap=0)


def oit_for_total(total, iit, eit):
    return (total - 0.3 * iit - 0.3 * eit) / 0.4


@pytest.mark.parametrize(("scores", "expected"), [
    # total 94.995 rounds to 95.00: with every instrument at 94.995 (rounded 95.00) ผ่านดีเยี่ยม
    ((94.995, 94.995, 94.995), "excellent"),
    ((94.994, 94.994, 94.994), "good"),
    # total 84.995 rounds to 85.00; EIT 60 misses ผ่านดี's floor, so ผ่าน, else ต้องปรับปรุง
    ((100, 60, oit_for_total(84.995, 100, 60)), "pass"),
    ((100, 60, oit_for_total(84.9949, 100, 60)), "improve"),
    ((84.995, 84.995, 84.995), "good"),
    ((84.994, 84.994, 84.994), "improve"),
    # total 69.995 rounds to 70.00
    ((69.995, 69.995, 69.995), "improve"),
    ((69.994, 69.994, 69.994), "improve_urgently"),
    ((0, 0, 0), "improve_urgently"),
    ((100, 100, 100), "excellent"),
])
def test_total_boundaries_with_the_rounding(scores, expected):
    assert rate(*scores).verdict.code == expected


@pytest.mark.parametrize("inst", ["IIT", "EIT", "OIT"])
@pytest.mark.parametrize(("score", "expected", "missed"), [
    (84.99, "pass", 85),  # ผ่านดี's floor missed: ผ่าน although the total is well above 85
    (84.994, "pass", 85),
    (84.995, "good", 95),  # rounds to 85.00
    (85.00, "good", 95),
    (94.99, "good", 95),  # ผ่านดีเยี่ยม's floor missed
    (95.00, "excellent", None),
])
def test_each_floor_at_its_boundary(inst, score, expected, missed):
    scores = {"IIT": 100, "EIT": 100, "OIT": 100, inst: score}
    r = rate(scores["IIT"], scores["EIT"], scores["OIT"])
    assert r.verdict.code == expected
    if missed == 95 and r.total < 95:
        missed = None  # OIT (weight 0.4) at 85 leaves a total of 94: the total, not a floor
    if missed is None:
        assert r.floors_missed == ()
    else:
        assert [(f.instrument, f.floor) for f in r.floors_missed] == [(inst, missed)]
        assert r.floors_missed[0].score == round(score + 1e-9, 2)


def test_the_published_case_94_64_is_pass_not_good_because_eit_is_below_85():
    iset = load_instrument_set("ita-2568")
    r = rate(98.70, 84.10, 99.50, iset=iset)
    assert round(r.total, 2) == 94.64
    assert r.verdict.code == "pass" and r.verdict.label_th == "ผ่าน" and r.passed is True
    (miss,) = r.floors_missed
    assert (miss.instrument, miss.score, miss.floor, miss.tier) == ("EIT", 84.10, 85, "good")
    # the same agency's 92.43 in B.E. 2567 was ผ่านดี: every instrument at least 85
    r2567 = rate(95.0, 86.0, oit_for_total(92.43, 95.0, 86.0),
                 iset=load_instrument_set("ita-2567"))
    assert round(r2567.total, 2) == 92.43 and r2567.verdict.label_th == "ผ่านดี"


def test_floors_missed_only_explain_a_tier_the_total_would_have_earned():
    # total 80: ต้องปรับปรุง because of the total; the floors of ผ่าน (none) explain nothing
    assert floors_missed(ISET, "improve", 80.0, {"IIT": 60, "EIT": 90, "OIT": 88}) == ()
    # the top tier has nothing above it
    assert floors_missed(ISET, "excellent", 99.0, {"IIT": 99, "EIT": 99, "OIT": 99}) == ()
    # 2566 tiers have no floors
    iset2566 = load_instrument_set("ita-2566")
    assert floors_missed(iset2566, "fail", 80.0, {"IIT": 60, "EIT": 90, "OIT": 88}) == ()
    # two floors missed at once, both named
    misses = floors_missed(ISET, "pass", 86.0, {"IIT": 84.0, "EIT": 80.0, "OIT": 91.25})
    assert [(f.instrument, f.score) for f in misses] == [("IIT", 84.0), ("EIT", 80.0)]


def needs(gap):
    return {n.instrument: (n.floor, n.for_total, n.need, n.met, n.reachable)
            for n in gap.instruments}


def test_gap_published_case_the_floor_is_what_eit_must_reach():
    # total = .3×98.7 + .3×84.1 + .4×99.5 = 94.64; next tier ผ่านดี (85, floors 85).
    # for_total(EIT) = (85 - (94.64 - 25.23)) / 0.3 = 51.966… → 51.97 (rounded up)
    gap = next_tier_gap(ISET, "pass", 94.64, {"IIT": 98.7, "EIT": 84.1, "OIT": 99.5})
    assert gap.tier.code == "good" and gap.total_met is True
    assert needs(gap) == {"IIT": (85, 66.57, 85, True, True),
                          "EIT": (85, 51.97, 85, False, True),
                          "OIT": (85, 75.40, 85, True, True)}


def test_gap_by_the_total_alone_when_the_next_tier_has_no_floors():
    # all at 80: total 80, ต้องปรับปรุง; next ผ่าน needs a total of 85.
    # IIT alone: (85 - (80 - 24)) / 0.3 = 96.666… → 96.67; OIT alone: (85 - 48) / 0.4 = 92.5
    gap = next_tier_gap(ISET, "improve", 80.0, {"IIT": 80, "EIT": 80, "OIT": 80})
    assert gap.tier.code == "pass" and gap.total_met is False
    assert needs(gap) == {"IIT": (None, 96.67, 96.67, False, True),
                          "EIT": (None, 96.67, 96.67, False, True),
                          "OIT": (None, 92.5, 92.5, False, True)}


def test_gap_that_one_instrument_alone_cannot_close():
    # all at 50: next ต้องปรับปรุง needs 70; IIT alone: (70 - 35) / 0.3 = 116.67 > 100
    gap = next_tier_gap(ISET, "improve_urgently", 50.0, {"IIT": 50, "EIT": 50, "OIT": 50})
    assert gap.tier.code == "improve"
    assert needs(gap)["IIT"] == (None, 116.67, 116.67, False, False)
    assert needs(gap)["OIT"] == (None, 100.0, 100.0, False, True)  # (70 - 30) / 0.4


def test_gap_when_the_total_must_rise_and_a_floor_binds():
    # total 96 with IIT 90: ผ่านดี; ผ่านดีเยี่ยม needs IIT 95 (its floor), the total suffices
    # (.3×90 + .3×100 + .4×97.5 = 96); IIT for the total: (95 - (96 - 27)) / 0.3 = 86.67
    gap = next_tier_gap(ISET, "good", 96.0, {"IIT": 90, "EIT": 100, "OIT": 97.5})
    assert gap.tier.code == "excellent" and gap.total_met is True
    assert needs(gap)["IIT"] == (95, 86.67, 95, False, True)
    assert needs(gap)["OIT"] == (95, 95.0, 95, True, True)  # (95 - 57) / 0.4 = 95


def test_no_gap_at_the_top_or_without_a_total():
    assert next_tier_gap(ISET, "excellent", 99.0, {"IIT": 99, "EIT": 99, "OIT": 99}) is None
    assert next_tier_gap(ISET, None, None, {"IIT": 99, "EIT": None, "OIT": 99}) is None
    assert rate(100, 100, 100).gap is None
    r = rate(98.70, 84.10, 99.50)
    assert r.gap.tier.code == "good"


def test_gap_works_for_2566_too_the_tiers_are_data():
    iset = load_instrument_set("ita-2566")
    gap = next_tier_gap(iset, "fail", 80.0, {"IIT": 80, "EIT": 80, "OIT": 80})
    assert gap.tier.code == "pass" and needs(gap)["OIT"] == (None, 92.5, 92.5, False, True)


def test_indicator_weights_are_the_roll_up_derivative():
    # IIT: 0.30 / 5 indicators, EIT: 0.30 / 3, OIT: 0.40 / 2
    scores = {"1": 90, "2": 90, "3": 90, "4": 90, "5": 90, "6": 90, "7": 50, "8": 70,
              "9": 100, "10": 95}
    weights = indicator_weights(ISET, scores)
    assert [(w.code, round(w.per_point, 6)) for w in weights] == [
        ("10", 0.2), ("9", 0.2), ("7", 0.1), ("8", 0.1), ("6", 0.1),
        ("1", 0.06), ("2", 0.06), ("3", 0.06), ("4", 0.06), ("5", 0.06)]
    by_code = {w.code: w for w in weights}
    assert by_code["10"].max_gain == pytest.approx(1.0)  # 0.2 × (100 - 95)
    assert by_code["7"].max_gain == pytest.approx(5.0)  # 0.1 × (100 - 50)
    # one more point on each indicator moves the assessed total by exactly its weight
    base = assess(ISET, given=scores, bootstrap=0).total
    for code, w in by_code.items():
        bumped = assess(ISET, given={**scores, code: scores[code] - 1}, bootstrap=0).total
        assert base - bumped == pytest.approx(w.per_point)


def test_ita_score_json_and_table_for_the_published_case(tmp_path):
    path = tmp_path / "given.csv"
    rows = [f"{c},98.7" for c in CODES["IIT"]] + [f"{c},84.1" for c in CODES["EIT"]] \
        + [f"{c},99.5" for c in CODES["OIT"]]
    path.write_text("indicator,score\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["score", "--set", "ita-2568", "--indicators", str(path),
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total"] == 94.64 and data["grade"] is None
    assert data["verdict"]["code"] == "pass"
    assert data["verdict"]["floors_missed"] == [
        {"instrument": "EIT", "score": 84.10, "floor": 85, "tier": "good"}]
    gap = data["gap"]
    assert gap["next_tier"]["code"] == "good" and gap["total"] == {
        "score": 94.64, "need": 85, "met": True}
    assert gap["instruments"]["EIT"] == {"score": 84.1, "floor": 85, "for_total": 51.97,
                                         "need": 85, "met": False, "reachable": True}
    assert [w["code"] for w in gap["indicators"]][:2] == ["9", "10"]
    assert gap["indicators"][0]["per_point"] == 0.2

    table = CliRunner().invoke(main, ["score", "--set", "ita-2568", "--indicators", str(path)])
    assert table.exit_code == 0, table.output
    assert "คะแนนรวม ITA (total): 94.64   ผลการประเมิน (verdict): ผ่าน (Pass) — EIT 84.10 < 85" \
        in table.output  # no grade: the set has tiers, not AA-F
    assert "EIT ต้องได้อย่างน้อย 85.00" in table.output
    assert "ผ่านดี (Pass (good))" in table.output
    assert "9 +0.20, 10 +0.20, 6 +0.10" in table.output


def test_2566_json_keeps_its_keys_with_nothing_to_explain(tmp_path):
    path = tmp_path / "given.csv"
    path.write_text("indicator,score\n" + "\n".join(f"{k},96" for k in range(1, 11)) + "\n",
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["score", "--indicators", str(path), "--format", "json"])
    data = json.loads(result.output)
    assert data["grade"] == "AA" and data["verdict"]["code"] == "pass"
    assert data["verdict"]["floors_missed"] == [] and data["gap"] is None


def test_floors_missed_many_is_floors_missed_unit_by_unit():
    from scoring.tiers import floors_missed_many

    iset = load_instrument_set("ita-2568")
    units = [("pass", 94.64, {"IIT": 98.7, "EIT": 84.1, "OIT": 99.5}),  # the published case
             ("pass", 94.64, {"IIT": 98.7, "EIT": None, "OIT": 84.994}),  # unknown EIT
             ("pass", 84.995, {"IIT": 84.995, "EIT": 84.994, "OIT": 84.995}),  # 85.00, 84.99
             ("pass", None, {"IIT": 50.0, "EIT": 50.0, "OIT": 50.0}),  # no total
             ("excellent", 99.0, {"IIT": 99.0, "EIT": 99.0, "OIT": 99.0}),  # the top tier
             (None, 70.0, {"IIT": 70.0, "EIT": 70.0, "OIT": 70.0})]
    many = floors_missed_many(iset, [u[0] for u in units], [u[1] for u in units],
                              {inst: [u[2][inst] for u in units] for inst in ("IIT", "EIT", "OIT")})
    assert [[(f.instrument, f.score, f.floor, f.tier) for f in m] for m in many] == [
        [("EIT", 84.1, 85.0, "good")], [("OIT", 84.99, 85.0, "good")],
        [("EIT", 84.99, 85.0, "good")], [], [], []]
    assert many == [floors_missed(iset, *u) for u in units]  # one unit at a time: the same
