"""score_agencies (the many-agency path) agrees with assess (one agency) agency by agency."""

import numpy as np
import pandas as pd
import pytest

from questionnaires import load_instrument_set
from scoring import assess, score_agencies

ISET = load_instrument_set("ita-2566")


def frame(instrument, agencies, rng, n_per=20):
    rows = []
    for agency in agencies:
        for _ in range(n_per):
            row = {"agency": agency}
            for col in ISET.columns_for(instrument):
                scale = ISET.item(ISET.question(col).item).scale
                row[col] = rng.choice([*sorted(scale.codes), None])
            rows.append(row)
    return pd.DataFrame(rows).astype({c: "Int8" for c in ISET.columns_for(instrument)})


@pytest.mark.parametrize("threads", [1, 2])
def test_each_agency_matches_assess(threads):
    rng = np.random.default_rng(5)
    agencies = ["A", "B", "C"]
    iit, eit = frame("IIT", agencies, rng), frame("EIT", agencies, rng, n_per=12)
    oit = pd.DataFrame({"9": [95.0, 80.0, 100.0], "10": [93.75, 50.0, 100.0]}, index=agencies)
    table = score_agencies(ISET, iit=iit, eit=eit, given=oit, threads=threads)
    assert list(table.index) == agencies
    for agency in agencies:
        one = assess(ISET, iit=iit[iit.agency == agency].drop(columns="agency"),
                     eit=eit[eit.agency == agency].drop(columns="agency"),
                     given={"9": oit.loc[agency, "9"], "10": oit.loc[agency, "10"]},
                     bootstrap=0)
        row = table.loc[agency]
        assert row["total"] == pytest.approx(one.total, abs=1e-9)
        assert row["grade"] == one.grade
        assert row["verdict"] == one.verdict.code
        for code in one.indicators:
            assert row[code] == pytest.approx(one.indicators[code].score, abs=1e-9)
        assert (row["n_IIT"], row["n_EIT"]) == (20, 12)


def test_given_scores_win_and_missing_instruments_leave_no_total():
    rng = np.random.default_rng(1)
    iit = frame("IIT", ["A"], rng)
    given = pd.DataFrame({"1": [50.0]}, index=["A"])
    table = score_agencies(ISET, iit=iit, given=given)
    assert table.loc["A", "1"] == 50.0
    assert np.isnan(table.loc["A", "total"]) and table.loc["A", "grade"] is None
    assert table.loc["A", "n_EIT"] == 0


def test_pooled_item_means_are_the_mean_of_every_answer():
    """Pooling the agencies' own item means equals scoring all their answers as one agency."""
    from scoring import pooled_item_means

    rng = np.random.default_rng(11)
    agencies = ["A", "B", "C"]
    iit = frame("IIT", agencies, rng)
    iit = iit[~((iit.agency == "C") & (iit.index % 3 == 0))]  # unequal sizes
    results = {a: assess(ISET, iit=iit[iit.agency == a].drop(columns="agency"), bootstrap=0)
               for a in agencies}
    pooled = pooled_item_means(results)
    everyone = assess(ISET, iit=iit.drop(columns="agency"), bootstrap=0)
    items = {it.code: it for ind in everyone.indicators.values() for it in ind.items}
    assert set(pooled.index) == set(items)
    for code, row in pooled.iterrows():
        assert row["mean"] == pytest.approx(items[code].summary.mean, abs=1e-9)
        assert row["n"] == items[code].summary.n
        own = [it.summary.mean for r in results.values() for ind in r.indicators.values()
               for it in ind.items if it.code == code and it.summary.mean is not None]
        assert row["lowest"] == min(own) and row["agencies"] == len(own)
        assert row["indicator"] == ISET.item(code).indicator and row["instrument"] == "IIT"


@pytest.mark.parametrize("set_id", ["ita-2566", "ita-2569"])
def test_many_checklists_score_as_one_checklist_each(set_id):
    """oit_checklist_indicators gives, bit for bit, what oit_indicators of
    oit_sub_indicator_scores(missing="fail") gives each checklist: fully judged, judged in
    part (unjudged items count as not passed) and all failed."""
    from scoring import oit_checklist_indicators, oit_indicators, oit_sub_indicator_scores

    iset = load_instrument_set(set_id)
    rng = np.random.default_rng(7)
    codes = [o.code for o in iset.oit_items]
    checklists = {f"u{k}": {c: bool(p) for c, p in zip(codes, rng.random(len(codes)) < 0.8,
                                                      strict=True) if rng.random() < 0.9 or k < 20}
                  for k in range(200)}
    checklists["none passed"] = dict.fromkeys(codes, False)
    checklists["one judged"] = {codes[0]: True}
    table = oit_checklist_indicators(iset, pd.DataFrame.from_dict(checklists, orient="index"))
    for unit, judged in checklists.items():
        one = oit_indicators(iset, oit_sub_indicator_scores(iset, judged, missing="fail"))
        assert {c: float(v) for c, v in table.loc[unit].items()} == one


def test_many_checklists_refuse_an_item_not_in_the_set():
    from scoring import oit_checklist_indicators
    from scoring.reasons import ReasonedError

    with pytest.raises(ReasonedError):
        oit_checklist_indicators(ISET, pd.DataFrame({"NOT-AN-ITEM": [True]}))
