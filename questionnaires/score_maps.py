"""Alternative answer→score maps, and an instrument set rescored with one.

NACC publishes no answer→score map, so an assessment may be scored with an alternative map
(``questionnaires/score_maps.toml``) to see what the map changes.  A map is data:
:func:`apply_score_map` returns a copy of the set whose scales carry the map's scores, and
:func:`scoring.assess` takes the map as an argument; nothing else in the arithmetic changes.

A map gives, for an ordinal scale of *k* options, the *k* scores from the worst answer of a
positive item to the best (a reverse item takes the mirror image, as in a set), and for a
yes/no scale the score of the good and of the bad answer.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path

from .model import InstrumentSet, Option, Scale

MAPS_FILE = Path(__file__).with_name("score_maps.toml")


@dataclass(frozen=True)
class ScoreMap:
    code: str
    label_th: str
    label_en: str
    provenance: str
    ordinal: dict[int, tuple[float, ...]]  # number of options → scores, worst to best
    yes_good: float
    yes_bad: float
    extrapolated: tuple[int, ...] = ()  # option counts whose scores no source gives

    def __hash__(self) -> int:
        return hash(self.code)


def _number(value) -> float:
    return float(Fraction(value)) if isinstance(value, str) else float(value)


def parse_score_maps(text: str, source: str = "score_maps.toml") -> dict[str, ScoreMap]:
    raw = tomllib.loads(text)
    out = {}
    for row in raw.get("maps", []):
        code = row["code"]
        ordinal = {}
        for levels, scores in row.get("ordinal", {}).items():
            values = tuple(_number(v) for v in scores)
            if len(values) != int(levels) or any(not 0 <= v <= 100 for v in values):
                raise ValueError(f"{source}: map {code}: ordinal {levels} needs {levels} "
                                 "scores within 0–100")
            ordinal[int(levels)] = values
        yes_no = row.get("yes_no", {})
        out[code] = ScoreMap(code=code, label_th=row["label_th"], label_en=row["label_en"],
                             provenance=row.get("provenance", ""), ordinal=ordinal,
                             yes_good=_number(yes_no.get("good", 100)),
                             yes_bad=_number(yes_no.get("bad", 0)),
                             extrapolated=tuple(int(k) for k in row.get("extrapolated", ())))
    return out


@cache
def score_maps() -> dict[str, ScoreMap]:
    """The shipped alternative maps by code."""
    return parse_score_maps(MAPS_FILE.read_text(encoding="utf-8"))


def fits(iset: InstrumentSet, smap: ScoreMap) -> bool:
    """Whether the map gives scores for every ordinal scale of the set."""
    return all(len(s.options) in smap.ordinal for s in iset.scales.values()
               if s.kind == "ordinal")


def _rescale(scale: Scale, smap: ScoreMap) -> Scale:
    order = sorted(range(len(scale.options)), key=lambda k: scale.options[k].score)
    if scale.kind == "yes_no":
        values = (smap.yes_bad, smap.yes_good)
    else:
        values = smap.ordinal[len(scale.options)]
    score = {k: values[rank] for rank, k in enumerate(order)}
    mirror = {k: values[len(values) - 1 - rank] for rank, k in enumerate(order)}
    options = tuple(Option(o.code, o.label_th, o.label_en, score[k], mirror[k])
                    for k, o in enumerate(scale.options))
    return dataclasses.replace(scale, options=options)


def apply_score_map(iset: InstrumentSet, smap: ScoreMap | None) -> InstrumentSet:
    """Return ``iset`` with every scale scored by ``smap`` (``iset`` itself for None).

    >>> from questionnaires import load_instrument_set
    >>> iset = apply_score_map(load_instrument_set("ita-2566"), score_maps()["replica-points"])
    >>> [o.score for o in iset.scales["level4"].options], iset.item("i9").scale.scores("reverse")
    ([25.0, 50.0, 75.0, 100.0], {1: 100.0, 2: 75.0, 3: 50.0, 4: 25.0})
    """
    if smap is None:
        return iset
    if not fits(iset, smap):
        raise ValueError(f"score map {smap.code} has no scores for a scale of {iset.id}")
    scales = {code: _rescale(s, smap) for code, s in iset.scales.items()}
    items = tuple(dataclasses.replace(i, scale=scales[i.scale.code]) for i in iset.items)
    return dataclasses.replace(iset, scales=scales, items=items)
