"""The stored result read back as scoring's typed result (``result_from_dict``), and the
published figures checked and rated on their set (``services.published``).  No database."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from questionnaires import load_instrument_set
from scoring import assess
from scoring.report import result_to_dict
from survey_app.refusals import each, say
from survey_app.services.published import (
    Published,
    PublishedError,
    check,
    parse_upload,
    rate_published,
    set_codes,
)
from survey_app.services.result_store import SCHEMA_VERSION, result_from_dict

ISET = load_instrument_set("ita-2566")
#: The seed's published B.E. 2566 figures (tests/data/seed_2566_results.json, provenance there).
SEED = json.loads((Path(__file__).parents[1] / "data" / "seed_2566_results.json")
                  .read_text(encoding="utf-8"))


def seed_figures() -> dict[str, float]:
    out = {"total": SEED["total"], **SEED["weighted_parts"]}
    out.update({c: d["score"] for c, d in SEED["indicators"].items()})
    out.update({c: d["score"] for c, d in SEED["oit_sub_indicators"].items()})
    return out


def frame(instrument: str, rng, n: int) -> pd.DataFrame:
    rows = []
    for _ in range(n):
        row = {}
        for col in ISET.columns_for(instrument):
            scale = ISET.item(ISET.question(col).item).scale
            row[col] = rng.choice([*sorted(scale.codes), None])
        rows.append(row)
    return pd.DataFrame(rows).astype({c: "Int8" for c in ISET.columns_for(instrument)})


@pytest.mark.parametrize("bootstrap", [0, 200])
def test_result_from_dict_gives_back_the_same_object(bootstrap):
    rng = np.random.default_rng(16)
    oit = {o.code: bool(rng.random() < 0.9) for o in ISET.oit_items}
    result = assess(ISET, iit=frame("IIT", rng, 30), eit=frame("EIT", rng, 40), oit=oit,
                    history=[(2564, 95.57), (2565, 96.53)], bootstrap=bootstrap)
    stored = json.loads(json.dumps(result_to_dict(result)))
    typed = result_from_dict(stored, ISET)
    assert result_to_dict(typed) == stored
    assert typed.verdict is ISET.methodology.verdicts[[v.code for v in ISET.methodology.verdicts]
                                                      .index(typed.verdict.code)]
    assert typed.indicators["1"].items and typed.indicators["1"].summary.n > 0


def test_result_from_dict_refuses_another_schema_version():
    stored = result_to_dict(assess(ISET, given={"1": 90}, bootstrap=0))
    stored["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(ValueError, match="schema version"):
        result_from_dict(stored, ISET)


def test_the_seed_figures_agree_with_the_set():
    assert check(ISET, seed_figures()) == ()


def test_a_wrong_total_is_named_with_the_difference():
    figures = {**seed_figures(), "total": 95.00}
    (miss,) = check(ISET, figures)
    assert (miss.code, miss.published, miss.computed, miss.difference) == \
        ("total", 95.00, 94.67, 0.33)
    assert say(miss.describe(), "en") == "total: published 95.00, recomputed 94.67 (difference +0.33)"


def test_an_indicator_that_its_sub_indicators_do_not_give_is_named():
    figures = {**seed_figures(), "10": 95.00}
    codes = {m.code for m in check(ISET, figures)}
    assert "10" in codes and "OIT" in codes and "total" in codes


def test_an_unknown_code_is_refused():
    with pytest.raises(PublishedError) as caught:
        check(ISET, {"11": 90.0})
    assert "column 11: unknown" in say(caught.value, "en")


def test_the_published_result_rated_on_its_set_is_the_seeds():
    import datetime as dt

    pub = Published(1, 2566, seed_figures(), "cli", False, "x", dt.datetime.now(dt.UTC))
    scores = result_to_dict(rate_published(ISET, pub, history=[(2565, 96.53)]))
    assert scores["total"] == 94.67 and scores["grade"] == "A"
    assert {c: i["weighted"] for c, i in scores["instruments"].items()} == SEED["weighted_parts"]
    assert [int(c) for c in scores["strengths"]] == SEED["strengths_sorted"]
    assert [int(c) for c in scores["to_develop"]] == SEED["to_develop_sorted"]
    assert scores["history"][-1] == {"fiscal_year_be": 2566, "total": 94.67,
                                     "development": "ลดลง", "development_en": "decreased",
                                     "difference": -1.86}


def test_kept_as_given_the_published_total_stands():
    import datetime as dt

    figures = {**seed_figures(), "total": 95.00}
    pub = Published(1, 2566, figures, "cli", True, "x", dt.datetime.now(dt.UTC))
    rated = rate_published(ISET, pub)
    assert rated.total == 95.00 and rated.grade == "AA"


def test_upload_errors_name_row_and_column():
    codes = set_codes(ISET)
    data = (b"agency,fiscal_year,total,1\nA,2566,94.67,99.02\nB,25x6,90,\nC,2566,101,abc\n"
            )
    with pytest.raises(PublishedError) as caught:
        parse_upload(data, "r.csv", codes)
    assert each(caught.value, "en") == [
        "row 3, column fiscal_year: '25x6' is not a B.E. year (2400–2700)",
        "row 4, column total: '101' is outside 0–100",
        "row 4, column 1: 'abc' is not a number"]
    for data, name, words in [(b"agency,fiscal_year,11\nA,2566,90\n", "r.csv", "column 3 '11': unknown"),
                              (b"PK\x03\x04broken", "r.xlsx", "not a readable XLSX"),
                              (b"\xff\xfe\x00a", "r.csv", "not UTF-8")]:
        with pytest.raises(PublishedError) as caught:
            parse_upload(data, name, codes)
        assert words in say(caught.value, "en")
