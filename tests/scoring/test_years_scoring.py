"""Scoring the B.E. 2569 set from responses: 6-level, reverse, yes/no, never/ever, blanks.

Every expected figure is worked by hand from the set's equal-interval map (option codes 1-6 →
0, 20, 40, 60, 80, 100; a reverse item takes the mirror image; yes/no and never/ever 100/0 by
direction) and the roll-up (item mean over those who answered → indicator mean → instrument
mean → 30/30/40).
"""

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from questionnaires import load_instrument_set
from scoring import ResponseDataError, assess
from survey_app.cli import main

ISET = load_instrument_set("ita-2569")
NA = np.nan


def best_iit_answer(code):
    """The answer that scores 100 on an IIT item."""
    item = ISET.item(code)
    if item.scale.kind == "yes_no":
        return 0  # ไม่มี on a yes_bad item
    return 1 if item.direction == "reverse" else 6


def test_hand_worked_iit_indicators_1_and_2():
    frame = pd.DataFrame({
        # i1 procedure, positive: 6 → 100, 4 → 60, blank → left out: mean 80
        "i1": [6, 4, NA],
        # i2 equal share, positive: 1 → 0, 2 → 20, 3 → 40: mean 20
        "i2": [1, 2, 3],
        # i3 มี/ไม่มี, yes_bad: ไม่มี (0) → 100, มี (1) → 0: mean 66.67
        "i3": [0, 1, 0],
        # i4 objective, positive: all 6 → 100
        "i4": [6, 6, 6],
        # i5 false claims, reverse: 1 (none) → 100, 6 → 0, 2 → 80: mean 60
        "i5": [1, 6, 2],
        # i6 presence, reverse: 1 (ไม่มี) → 100, 3 → 60, blank: mean 80
        "i6": [1, 3, NA],
    })
    r = assess(ISET, iit=frame, bootstrap=0)
    items = {it.code: it.summary.mean for it in r.indicators["1"].items}
    assert items == pytest.approx({"i1": 80, "i2": 20, "i3": 200 / 3})
    assert r.indicators["1"].score == pytest.approx((80 + 20 + 200 / 3) / 3)  # 55.56
    items = {it.code: it.summary.mean for it in r.indicators["2"].items}
    assert items == pytest.approx({"i4": 100, "i5": 60, "i6": 80})
    assert r.indicators["2"].score == pytest.approx(80)
    assert r.indicators["1"].summary.no_answer == 0  # a blank i1 is not a blank indicator
    # indicators 3-5 were not asked: IIT, and so the total, stay unknown
    assert r.indicators["3"].score is None and r.instruments["IIT"].score is None
    assert r.total is None and r.verdict is None and r.gap is None


def test_hand_worked_eit_with_never_ever_items():
    frame = pd.DataFrame({
        "e1": [6, 5], "e2": [4, NA],  # agree: 100, 80 → 90; 60
        "e3": [0, 1],  # never/ever, yes_bad: ไม่เคย → 100, เคย → 0: 50
        "e4": [5, 5], "e5": [3, 5], "e6": [2, 6],  # 80; (40 + 80) / 2 = 60; (20 + 100) / 2 = 60
        "e7": [6, 6], "e8": [1, 6],  # 100; 50
        "e9": [1, NA],  # never/ever, yes_good: เคย → 100
    })
    r = assess(ISET, eit=frame, bootstrap=0)
    assert r.indicators["6"].score == pytest.approx((90 + 60 + 50) / 3)
    assert r.indicators["7"].score == pytest.approx((80 + 60 + 60) / 3)
    assert r.indicators["8"].score == pytest.approx((100 + 50 + 100) / 3)
    assert r.instruments["EIT"].score == pytest.approx((200 / 3 + 200 / 3 + 250 / 3) / 3)
    assert r.instruments["EIT"].responses == 2


@pytest.mark.parametrize(("column", "value"), [("i1", 7), ("i3", 2), ("e9", 6)])
def test_a_code_that_is_not_an_option_of_the_item_is_refused(column, value):
    inst = "IIT" if column.startswith("i") else "EIT"
    frame = pd.DataFrame({column: [value]})
    with pytest.raises(ResponseDataError) as exc:
        assess(ISET, **{inst.lower(): frame}, bootstrap=0)
    assert exc.value.column == column


def write_inputs(tmp_path):
    """IIT: 10 staff, every answer the best; EIT: 8 service users, "agree" (80) throughout,
    never asked for a bribe (e3 ไม่เคย → 100), invited to take part (e9 เคย → 100); OIT: 24 of 26
    items published, O19 (9.5) and O26 (10.2) not."""
    iit = pd.DataFrame([{c: best_iit_answer(c) for c in ISET.columns_for("IIT")}
                        for _ in range(10)])
    iit.loc[0, "i2"] = None  # a blank
    iit_path = tmp_path / "iit.csv"
    iit.to_csv(iit_path, index=False)
    eit = pd.DataFrame([{"respondent_group": "public",
                         **{c: 5 for c in ISET.columns_for("EIT")}, "e3": 0, "e9": 1}
                        for _ in range(8)])
    eit_path = tmp_path / "eit.csv"
    eit.to_csv(eit_path, index=False)
    oit_path = tmp_path / "oit.csv"
    oit_path.write_text("item,passed\n" + "\n".join(
        f"{o.code},{0 if o.code in ('O19', 'O26') else 1}" for o in ISET.oit_items) + "\n",
        encoding="utf-8")
    return iit_path, eit_path, oit_path


def test_ita_score_set_2569_end_to_end_from_csv(tmp_path):
    iit, eit, oit = write_inputs(tmp_path)
    result = CliRunner().invoke(main, [
        "score", "--set", "ita-2569", "--iit", str(iit), "--eit", str(eit), "--oit", str(oit),
        "--headcount", "12", "--bootstrap", "0", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["instrument_set"] == "ita-2569" and data["fiscal_year_be"] == 2569
    # IIT: every item 100
    assert all(data["indicators"][str(k)]["score"] == 100 for k in range(1, 6))
    assert data["instruments"]["IIT"]["score"] == 100
    assert data["instruments"]["IIT"]["minimum_sample"] == 12  # 12 staff, at most 30: all
    # EIT: 6 = (80 + 80 + 100) / 3 = 86.67, 7 = 80, 8 = 86.67; EIT = 84.44
    assert [data["indicators"][c]["score"] for c in "678"] == [86.67, 80.0, 86.67]
    assert data["instruments"]["EIT"]["score"] == 84.44
    # OIT: 9.5 = 3/4 = 75 → 9 = (100 + 100 + 100 + 100 + 75) / 5 = 95;
    # 10.2 = 2/3 → 10 = (100 + 66.67) / 2 = 83.33; OIT = 89.17
    subs = data["indicators"]["9"]["sub_indicators"]
    assert subs["9.5"] == {**subs["9.5"], "score": 75.0, "items": 4, "items_passed": 3}
    assert data["indicators"]["9"]["score"] == 95.0
    assert data["indicators"]["10"]["score"] == 83.33
    assert data["instruments"]["OIT"]["score"] == 89.17
    # total = 30 + 0.3 × 84.444 + 0.4 × 89.167 = 91.00: ผ่าน, EIT below ผ่านดี's floor
    assert data["total"] == 91.0
    assert data["grade"] is None  # tiers, not AA-F
    assert data["verdict"]["code"] == "pass" and data["verdict"]["label_th"] == "ผ่าน"
    assert data["verdict"]["floors_missed"] == [
        {"instrument": "EIT", "score": 84.44, "floor": 85, "tier": "good"}]
    assert data["gap"]["instruments"]["EIT"]["need"] == 85
    assert data["passed"] is True

    table = CliRunner().invoke(main, [
        "score", "--set", "ita-2569", "--iit", str(iit), "--eit", str(eit), "--oit", str(oit),
        "--bootstrap", "0"])
    assert table.exit_code == 0, table.output
    for text in ("ita-2569", "91.00", "ผ่าน (Pass) — EIT 84.44 < 85", "EIT ต้องได้อย่างน้อย 85.00"):
        assert text in table.output


def test_a_2566_answer_file_is_refused_by_the_2569_set(tmp_path):
    path = tmp_path / "iit.csv"
    path.write_text("i1.1,i1.2\n4,3\n", encoding="utf-8")  # the 2566 form's sub-items
    result = CliRunner().invoke(main, ["score", "--set", "ita-2569", "--iit", str(path),
                                       "--format", "json"])
    assert result.exit_code != 0
    assert "i1.1" in result.output and "unknown column" in result.output
