"""How far the OIT score (and the total, and the verdict) rest on the OIT grouping.

From B.E. 2568 the OIT items' grouping into sub-indicators 9.1–10.2 is not published (see the
set's provenance).  With an indicator scored as the mean of its sub-indicators' pass rates, one
failed item costs more in a small group than in a large one, so the grouping alone can move an
agency across a floor.  :func:`oit_grouping_range` scores the same pass/fail judgements under
the other groupings considered:

* ``pooled``: no sub-indicators; an indicator is the share of its items passed (the reading
  in which the grouping does not matter);
* ``boundaries``: every grouping of an indicator's items, in item-code order, into as many
  consecutive groups as the set has sub-indicators for it (the set's own grouping moved at its
  boundaries), each group at least :data:`MIN_GROUP` items; the lowest and the highest OIT
  over all of them.

Indicators 9 and 10 are scored independently, so the lowest OIT is the mean of each
indicator's lowest score (likewise the highest).  The total and the verdict under the lowest
and highest OIT come from :func:`scoring.rollup.roll_up` with the other indicators unchanged.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from questionnaires import InstrumentSet

from .rollup import oit_indicators, oit_sub_indicator_scores, roll_up

#: The smallest group considered plausible (the sets' smallest sub-indicator holds 2 items).
MIN_GROUP = 2


@dataclass(frozen=True)
class Outcome:
    """The OIT score, total and verdict under one grouping."""

    oit: float
    total: float | None
    verdict: str | None  # the tier's code (None without a total)
    grade: str | None


@dataclass(frozen=True)
class OitSensitivity:
    as_set: Outcome
    low: Outcome
    high: Outcome
    groupings: int  # how many groupings were scored
    #: the tiers (codes) reached under any grouping, strictest first
    verdicts: tuple[str, ...]

    @property
    def verdict_changes(self) -> bool:
        return len(self.verdicts) > 1

    @property
    def spread(self) -> float:
        return self.high.oit - self.low.oit


def _number(code: str) -> tuple[int, str]:
    m = re.search(r"\d+", code)
    return (int(m.group()) if m else 0, code)


def _indicator_scores(iset: InstrumentSet, indicator: str,
                      passed: Mapping[str, bool]) -> list[float]:
    """The indicator's score under every grouping considered (the set's first)."""
    subs = iset.sub_indicators_for(indicator)
    items = sorted((o.code for s in subs for o in iset.oit_items_for(s.code)), key=_number)
    ok = [bool(passed.get(c, False)) for c in items]
    n, k = len(ok), len(subs)
    out = [100.0 * sum(ok) / n]  # pooled
    for cuts in itertools.combinations(range(1, n), k - 1):
        bounds = (0, *cuts, n)
        if any(b - a < MIN_GROUP for a, b in itertools.pairwise(bounds)):
            continue
        out.append(float(np.mean([100.0 * sum(ok[a:b]) / (b - a)
                                  for a, b in itertools.pairwise(bounds)])))
    return out


def oit_grouping_range(iset: InstrumentSet, passed: Mapping[str, bool],
                       indicators: Mapping[str, float | None]) -> OitSensitivity:
    """Score the OIT judgements ``passed`` under the groupings considered (module docstring).

    ``indicators`` are the result's indicator scores (1–10, None where unknown); an OIT item
    not judged counts as not passed, as on the dashboard.

    >>> from questionnaires import load_instrument_set
    >>> iset = load_instrument_set("ita-2569")
    >>> passed = {o.code: True for o in iset.oit_items} | {"O11": False}
    >>> s = oit_grouping_range(iset, passed, {c: 90.0 for c in "12345678"})
    >>> round(s.as_set.oit, 2), round(s.low.oit, 2), round(s.high.oit, 2)
    (95.0, 95.0, 99.0)
    """
    oit_codes = [c for c, ind in iset.indicators.items() if ind.instrument == "OIT"]
    as_set = oit_indicators(iset, oit_sub_indicator_scores(iset, passed, missing="fail"))
    per = {c: [as_set[c], *_indicator_scores(iset, c, passed)] for c in oit_codes}
    groupings = int(np.prod([len(v) - 1 for v in per.values()])) + 1
    rows = []
    for pick in (lambda v: v[0], min, max):
        row = {c: (np.nan if indicators.get(c) is None else indicators[c])
               for c in iset.indicators}
        row.update({c: pick(per[c]) for c in oit_codes})
        rows.append(row)
    # every combination's verdict, to say whether the tier can change
    combos = [dict(zip(oit_codes, values, strict=True))
              for values in itertools.product(*(sorted(set(per[c])) for c in oit_codes))]
    frame = pd.DataFrame(rows + [{**rows[0], **combo} for combo in combos])
    rolled = roll_up(iset, frame)

    def outcome(k: int) -> Outcome:
        r = rolled.iloc[k]
        total = None if pd.isna(r["total"]) else float(r["total"])
        return Outcome(oit=float(r["OIT"]), total=total, verdict=r["verdict"],
                       grade=r["grade"])

    order = [v.code for v in iset.methodology.verdicts]
    reached = {v for v in rolled["verdict"] if v is not None}
    return OitSensitivity(as_set=outcome(0), low=outcome(1), high=outcome(2),
                          groupings=groupings,
                          verdicts=tuple(c for c in order if c in reached))
