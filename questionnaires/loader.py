"""Load and validate instrument-set definition files (TOML).

A definition that is wrong in any way is rejected with :class:`DefinitionError`, whose message
names the file, the entry (item, indicator, scale …) and the reason, so that a year's data can
be corrected without reading code.  The file format is documented in ``definitions/README.md``.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from .model import (
    DIRECTIONS,
    INSTRUMENTS,
    OIT_DUE,
    OIT_MEASURES,
    SURVEY_INSTRUMENTS,
    Grade,
    Indicator,
    Instrument,
    InstrumentSet,
    Item,
    Methodology,
    OitItem,
    Option,
    Question,
    RespondentGroup,
    SampleRule,
    Scale,
    SubIndicator,
    VerdictTier,
)
from .reasons import REASONS, words

DEFINITIONS_DIR = Path(__file__).parent / "definitions"
_ITEM_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_SAMPLE_RULES = ("percent_with_floor", "fixed")


class DefinitionError(ValueError):
    """A definition file is invalid; the message names file, entry and reason.

    The reason is a key of :data:`~questionnaires.reasons.REASONS` and the values of its words
    (``key``, ``values``); ``reason`` is its English words, which the console translates by key.
    """

    def __init__(self, source: str, where: str, key: str, /, **values: object):
        if key not in REASONS:
            raise KeyError(f"no reason {key!r} in questionnaires.reasons.REASONS")
        self.source, self.where, self.key, self.values = source, where, key, values
        self.reason = words(key, values)
        super().__init__(f"{source}: {where}: {self.reason}")


def available_instrument_sets() -> list[str]:
    """Return the ids of the shipped instrument sets, oldest year first."""
    return sorted(p.stem for p in DEFINITIONS_DIR.glob("*.toml"))


@cache
def load_instrument_set(name_or_path: str | Path) -> InstrumentSet:
    """Load a shipped instrument set by id (``"ita-2566"``) or any definition file by path.

    Raises
    ------
    DefinitionError
        If the file is missing, is not valid TOML, or breaks any rule of the format.
    """
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = DEFINITIONS_DIR / f"{name_or_path}.toml"
        if not path.is_file():
            known = ", ".join(available_instrument_sets()) or "none"
            raise DefinitionError(str(name_or_path), "instrument set",
                                  "set_unknown_shipped", known=known)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DefinitionError(source, "file", "set_file_missing") from None
    except UnicodeDecodeError:
        raise DefinitionError(source, "file", "set_file_not_utf8") from None
    return parse_instrument_set(text, source)


def parse_instrument_set(text: str, source: str) -> InstrumentSet:
    """Validate the text of a definition file and return its set; ``source`` names it in errors.

    This is what :func:`load_instrument_set` does after reading a file; an application that keeps
    definitions elsewhere (a database, an upload) validates them with the same rules and messages.

    Raises
    ------
    DefinitionError
        If the text is not valid TOML or breaks any rule of the format.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(source, "file", "set_toml_invalid", detail=str(exc)) from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer of 100,000 digits
        raise DefinitionError(source, "file", "set_toml_unreadable",
                              detail=str(exc)[:200]) from None
    return _Builder(source, raw).build()


class _Builder:
    def __init__(self, source: str, raw: dict[str, Any]):
        self.source = source
        self.raw = raw

    def fail(self, where: str, key: str, /, **values: object) -> DefinitionError:
        return DefinitionError(self.source, where, key, **values)

    def get(self, table: dict[str, Any], key: str, where: str, kind: type | tuple = str) -> Any:
        if key not in table:
            raise self.fail(where, "set_value_missing", key=key)
        value = table[key]
        if isinstance(value, bool) and kind is not bool:
            raise self.fail(where, _KIND_REASONS[kind][1], key=key)
        if not isinstance(value, kind):
            raise self.fail(where, _KIND_REASONS[kind][0], key=key)
        if isinstance(value, str) and not value.strip():
            raise self.fail(where, "set_value_empty", key=key)
        return value

    def number(self, value: Any, where: str, key: str) -> float:
        """Accept a number or an exact fraction such as ``"200/3"``."""
        if isinstance(value, bool):
            raise self.fail(where, "set_number_invalid", key=key)
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            try:
                return float(Fraction(value.replace(" ", "")))
            except (ValueError, ZeroDivisionError):
                pass
        raise self.fail(where, "set_number_or_fraction", key=key, value=repr(value))

    def unique(self, codes: list[str], what: str) -> None:
        seen: set[str] = set()
        for code in codes:
            if code in seen:
                raise self.fail(f"{what} {code}", "set_code_twice")
            seen.add(code)

    # -- sections ---------------------------------------------------------------------------

    def build(self) -> InstrumentSet:
        raw = self.raw
        if raw.get("schema_version") != 1:
            raise self.fail("schema_version", "set_schema_version")
        set_id = self.get(raw, "id", "instrument set")
        instruments = self.instruments()
        indicators = self.indicators(instruments)
        sub_indicators = self.sub_indicators(indicators)
        scales = self.scales()
        items = self.items(indicators, scales)
        oit_items = self.oit_items(sub_indicators)
        groups = self.respondent_groups()
        methodology = self.methodology(instruments)

        for code, ind in indicators.items():
            if ind.instrument in SURVEY_INSTRUMENTS and not any(i.indicator == code for i in items):
                raise self.fail(f"indicator {code}", "set_no_items")
            if ind.instrument == "OIT" and not any(s.indicator == code
                                                   for s in sub_indicators.values()):
                raise self.fail(f"indicator {code}", "set_oit_indicator_no_subs")
        for code in sub_indicators:
            if not any(o.sub_indicator == code for o in oit_items):
                raise self.fail(f"sub-indicator {code}", "set_no_items")
        for inst in instruments:
            if not any(i.instrument == inst for i in indicators.values()):
                raise self.fail(f"instrument {inst}", "set_instrument_no_indicators")
        if "EIT" in instruments and not groups:
            raise self.fail("respondent_groups", "set_eit_no_groups")

        return InstrumentSet(
            id=set_id,
            fiscal_year_be=self.get(raw, "fiscal_year_be", "instrument set", int),
            title_th=self.get(raw, "title_th", "instrument set"),
            title_en=self.get(raw, "title_en", "instrument set"),
            provenance=raw.get("provenance", ""),
            source=self.source,
            instruments=instruments,
            indicators=indicators,
            sub_indicators=sub_indicators,
            scales=scales,
            items=items,
            oit_items=oit_items,
            respondent_groups=groups,
            methodology=methodology,
            declared_unconfirmed=self.declared_unconfirmed(),
        )

    def declared_unconfirmed(self) -> tuple[str, ...] | None:
        from .provenance import DATA

        value = self.raw.get("unconfirmed")
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail("unconfirmed", "set_unconfirmed_not_list")
        for code in value:
            if code not in DATA:
                raise self.fail("unconfirmed", "set_unconfirmed_unknown", code=code,
                                known=", ".join(DATA))
        return tuple(value)

    def instruments(self) -> dict[str, Instrument]:
        table = self.get(self.raw, "instruments", "instruments", dict)
        out = {}
        for code, body in table.items():
            where = f"instrument {code}"
            if code not in INSTRUMENTS:
                raise self.fail(where, "set_instrument_unknown",
                                known=", ".join(INSTRUMENTS))
            official = body.get("wording_official", True)
            if not isinstance(official, bool):
                raise self.fail(where, "set_wording_official")
            out[code] = Instrument(code, self.get(body, "name_th", where),
                                   self.get(body, "name_en", where), official)
        return out

    def indicators(self, instruments: dict[str, Instrument]) -> dict[str, Indicator]:
        rows = self.get(self.raw, "indicators", "indicators", list)
        self.unique([str(r.get("code")) for r in rows], "indicator")
        out = {}
        for r in rows:
            code = str(self.get(r, "code", "indicator", (str, int)))
            where = f"indicator {code}"
            inst = self.get(r, "instrument", where)
            if inst not in instruments:
                raise self.fail(where, "set_instrument_unknown_named", instrument=inst)
            out[code] = Indicator(code, inst, self.get(r, "name_th", where),
                                  self.get(r, "name_en", where))
        return out

    def sub_indicators(self, indicators: dict[str, Indicator]) -> dict[str, SubIndicator]:
        rows = self.raw.get("sub_indicators", [])
        self.unique([str(r.get("code")) for r in rows], "sub-indicator")
        out = {}
        for r in rows:
            code = self.get(r, "code", "sub-indicator")
            where = f"sub-indicator {code}"
            parent = str(self.get(r, "indicator", where, (str, int)))
            if parent not in indicators:
                raise self.fail(where, "set_indicator_unknown", indicator=parent)
            if indicators[parent].instrument != "OIT":
                raise self.fail(where, "set_sub_indicator_not_oit")
            out[code] = SubIndicator(code, parent, self.get(r, "name_th", where),
                                     self.get(r, "name_en", where))
        return out

    def scales(self) -> dict[str, Scale]:
        table = self.get(self.raw, "scales", "scales", dict)
        out = {}
        for code, body in table.items():
            where = f"scale {code}"
            kind = self.get(body, "kind", where)
            if kind not in ("ordinal", "yes_no"):
                raise self.fail(where, "set_scale_kind")
            rows = self.get(body, "options", where, list)
            if len(rows) < 2:
                raise self.fail(where, "set_scale_too_few_options")
            if kind == "yes_no" and len(rows) != 2:
                raise self.fail(where, "set_scale_yes_no_options")
            opt_codes = [r.get("code") for r in rows]
            self.unique([str(c) for c in opt_codes], f"{where} option")
            scores = []
            for r in rows:
                owhere = f"{where} option {r.get('code')}"
                self.get(r, "code", owhere, int)
                if "score" not in r:
                    raise self.fail(owhere, "set_option_no_score")
                score = self.number(r["score"], owhere, "score")
                if not 0 <= score <= 100:
                    raise self.fail(owhere, "set_option_score_outside", score=f"{score:g}")
                scores.append(score)
            # The default reverse score is the mirror image: the option with the k-th lowest
            # score gets the k-th highest score (exact, unlike 100 - score in floating point).
            ranked = sorted(range(len(scores)), key=lambda k: scores[k])
            mirror = {ranked[k]: scores[ranked[-1 - k]] for k in range(len(ranked))}
            options = []
            for k, (r, score) in enumerate(zip(rows, scores, strict=True)):
                owhere = f"{where} option {r['code']}"
                reverse = (self.number(r["reverse_score"], owhere, "reverse_score")
                           if "reverse_score" in r else mirror[k])
                options.append(Option(r["code"], self.get(r, "label_th", owhere),
                                      self.get(r, "label_en", owhere), score, reverse))
            out[code] = Scale(code, kind, self.get(body, "label_th", where),
                              self.get(body, "label_en", where), tuple(options))
        return out

    def direction(self, value: Any, where: str, scale: Scale) -> str:
        if value not in DIRECTIONS:
            raise self.fail(where, "set_direction_unknown", direction=repr(value),
                            known=", ".join(DIRECTIONS))
        if value.startswith("yes_") and scale.kind != "yes_no":
            raise self.fail(where, "set_direction_needs_yes_no", direction=value,
                            scale=scale.code)
        return value

    def items(self, indicators: dict[str, Indicator], scales: dict[str, Scale]) -> tuple[Item, ...]:
        rows = self.raw.get("items", [])
        self.unique([str(r.get("code")) for r in rows], "item")
        out = []
        for r in rows:
            code = self.get(r, "code", "item")
            where = f"item {code}"
            if not _ITEM_CODE.match(code):
                raise self.fail(where, "set_item_code_invalid")
            ind = str(self.get(r, "indicator", where, (str, int)))
            if ind not in indicators:
                raise self.fail(where, "set_indicator_unknown", indicator=ind)
            instrument = indicators[ind].instrument
            if instrument not in SURVEY_INSTRUMENTS:
                raise self.fail(where, "set_item_indicator_not_survey", indicator=ind,
                                instrument=instrument)
            scale_code = self.get(r, "scale", where)
            if scale_code not in scales:
                raise self.fail(where, "set_scale_unknown", scale=scale_code)
            scale = scales[scale_code]
            direction = self.direction(r.get("direction", "positive"), where, scale)
            subs = []
            for k, s in enumerate(r.get("sub_items", []), start=1):
                swhere = f"item {code}.{k}"
                sdir = self.direction(s.get("direction", direction), swhere, scale)
                subs.append(Question(f"{code}.{k}", code, self.get(s, "text_th", swhere),
                                     self.get(s, "text_en", swhere), sdir))
            if len(subs) == 1:
                raise self.fail(where, "set_item_one_sub_item")
            out.append(Item(code, instrument, ind, scale, direction,
                            self.get(r, "text_th", where), self.get(r, "text_en", where),
                            tuple(subs), r.get("note", "")))
        return tuple(out)

    def oit_items(self, sub_indicators: dict[str, SubIndicator]) -> tuple[OitItem, ...]:
        rows = self.raw.get("oit_items", [])
        self.unique([str(r.get("code")) for r in rows], "OIT item")
        out = []
        for r in rows:
            code = self.get(r, "code", "OIT item")
            where = f"OIT item {code}"
            sub = str(self.get(r, "sub_indicator", where, (str, int, float)))
            if sub not in sub_indicators:
                raise self.fail(where, "set_sub_indicator_unknown", sub=sub)
            due = r.get("due")
            if due is not None and due not in OIT_DUE:
                raise self.fail(where, "set_oit_due_invalid", allowed=", ".join(OIT_DUE),
                                value=repr(due))
            measures = r.get("measures")
            if measures is not None and measures not in OIT_MEASURES:
                raise self.fail(where, "set_oit_measures_invalid",
                                allowed=", ".join(OIT_MEASURES), value=repr(measures))
            out.append(OitItem(code, sub, self.get(r, "text_th", where),
                               self.get(r, "text_en", where), due, measures))
        return tuple(out)

    def respondent_groups(self) -> tuple[RespondentGroup, ...]:
        rows = self.raw.get("respondent_groups", [])
        self.unique([str(r.get("code")) for r in rows], "respondent group")
        return tuple(RespondentGroup(self.get(r, "code", "respondent group"),
                                     self.get(r, "label_th", f"respondent group {r['code']}"),
                                     self.get(r, "label_en", f"respondent group {r['code']}"))
                     for r in rows)

    def methodology(self, instruments: dict[str, Instrument]) -> Methodology:
        m = self.get(self.raw, "methodology", "methodology", dict)
        where = "methodology"
        weights_raw = self.get(m, "weights", where, dict)
        weights = {}
        for inst, w in weights_raw.items():
            if inst not in INSTRUMENTS:
                raise self.fail("methodology weights", "set_instrument_unknown_named", instrument=inst)
            weights[inst] = self.number(w, "methodology weights", inst)
        if abs(sum(weights.values()) - 1) > 1e-9:
            raise self.fail("methodology weights", "set_weights_sum",
                            sum=f"{sum(weights.values()):g}")

        grades = []
        # Grade bands are optional: from B.E. 2567 a year rates with verdict tiers only.
        grades_raw = m.get("grades", [])
        if not isinstance(grades_raw, list):
            raise self.fail(where, "set_grades_not_list")
        for g in grades_raw:
            gwhere = f"grade {g.get('grade')}"
            grades.append(Grade(self.get(g, "grade", gwhere),
                                self.number(self.get(g, "min", gwhere, (int, float)), gwhere, "min"),
                                self.get(g, "label_th", gwhere), self.get(g, "label_en", gwhere),
                                self.get(g, "passed", gwhere, bool)))
        self.unique([g.grade for g in grades], "grade")
        grades.sort(key=lambda g: -g.min_score)
        for g in grades:
            if not 0 <= g.min_score <= 100:
                raise self.fail(f"grade {g.grade}", "set_grade_min_outside",
                                min=f"{g.min_score:g}")
        if grades and grades[-1].min_score != 0:
            raise self.fail("methodology grades", "set_grades_lowest_not_zero")

        verdicts = self.verdicts(self.get(m, "verdicts", where, list), instruments)

        rules = {}
        for inst, r in self.get(m, "minimum_sample", where, dict).items():
            rwhere = f"minimum_sample {inst}"
            if inst not in SURVEY_INSTRUMENTS:
                raise self.fail(rwhere, "set_sample_instrument")
            rule = self.get(r, "rule", rwhere)
            if rule not in _SAMPLE_RULES:
                raise self.fail(rwhere, "set_sample_rule_unknown", rule=rule,
                                known=", ".join(_SAMPLE_RULES))
            rules[inst] = SampleRule(inst, rule, float(r.get("percent", 0)), int(r.get("floor", 0)),
                                     int(r.get("count", 0)), r.get("provenance", ""))

        decimals = self.get(m, "decimals", where, int)
        if m.get("rounding", "half_up") != "half_up":
            raise self.fail(where, "set_rounding_unsupported")
        return Methodology(
            weights=weights,
            pass_mark=self.number(self.get(m, "pass_mark", where, (int, float)), where, "pass_mark"),
            indicator_target=self.number(self.get(m, "indicator_target", where, (int, float)),
                                         where, "indicator_target"),
            decimals=decimals,
            grades=tuple(grades),
            verdicts=tuple(verdicts),
            minimum_sample=rules,
            min_group_size=int(m.get("min_group_size", 5)),
            provenance=m.get("provenance", ""),
        )

    def verdicts(self, rows: list, instruments: dict[str, Instrument]) -> tuple[VerdictTier, ...]:
        """Read the verdict tiers, checked in order, strictest first.

        A tier is reached when the rounded total is at least ``min_total`` and every rounded
        instrument score is at least its floor.  The list must run from the strictest tier down
        (no tier may ask no more than any tier after it, or that later one could never be
        reached) and end with a catch-all.
        """
        verdicts: list[VerdictTier] = []
        for v in rows:
            if not isinstance(v, dict):
                raise self.fail("methodology verdicts", "set_verdict_not_table")
            vwhere = f"verdict {v.get('code')}"
            code = self.get(v, "code", vwhere)
            min_total = self.number(self.get(v, "min_total", vwhere, (int, float)), vwhere,
                                    "min_total")
            if not 0 <= min_total <= 100:
                raise self.fail(vwhere, "set_verdict_min_total_outside",
                                value=f"{min_total:g}")
            floors_raw = v.get("floors", {})
            if not isinstance(floors_raw, dict):
                raise self.fail(vwhere, "set_verdict_floors_not_table")
            floors = {}
            for inst, f in floors_raw.items():
                if inst not in INSTRUMENTS:
                    raise self.fail(vwhere, "set_verdict_floor_unknown_instrument",
                                    instrument=inst)
                if inst not in instruments:
                    raise self.fail(vwhere, "set_verdict_floor_absent_instrument",
                                    instrument=inst)
                floor = self.number(f, vwhere, f"floors.{inst}")
                if not 0 <= floor <= 100:
                    raise self.fail(vwhere, "set_verdict_floor_outside",
                                    floor=f"{floor:g}", instrument=inst)
                floors[inst] = floor
            verdicts.append(VerdictTier(code, self.get(v, "label_th", vwhere),
                                        self.get(v, "label_en", vwhere), min_total,
                                        self.get(v, "passed", vwhere, bool), floors))
        self.unique([v.code for v in verdicts], "verdict")
        if not verdicts or verdicts[-1].min_total != 0 or verdicts[-1].floors:
            raise self.fail("methodology verdicts", "set_verdict_last_not_catch_all")
        for earlier, later in itertools.combinations(verdicts, 2):
            if _easier(earlier, later):
                raise self.fail(f"verdict {later.code}", "set_verdict_unreachable",
                                earlier=earlier.code)
        return tuple(verdicts)


def _easier(earlier: VerdictTier, later: VerdictTier) -> bool:
    """Whether ``earlier`` asks no more than ``later``, so that ``later`` is never reached."""
    return earlier.min_total <= later.min_total and all(
        floor <= later.floors.get(inst, 0) for inst, floor in earlier.floors.items())


#: The kinds :meth:`_Builder.get` asks for → the reason keys of a value of another kind, and of
#: a boolean given for it.
_KIND_REASONS: dict[type | tuple, tuple[str, str]] = {
    str: ("set_value_not_text", "set_value_boolean_not_text"),
    int: ("set_value_not_whole_number", "set_value_boolean_not_whole_number"),
    dict: ("set_value_not_table", "set_value_boolean_not_table"),
    list: ("set_value_not_list", "set_value_boolean_not_list"),
    bool: ("set_value_not_true_false", "set_value_not_true_false"),  # a boolean is one
    (str, int): ("set_value_not_text_or_whole_number",
                 "set_value_boolean_not_text_or_whole_number"),
    (int, float): ("set_value_not_whole_or_number", "set_value_boolean_not_whole_or_number"),
    (str, int, float): ("set_value_not_text_whole_or_number",
                        "set_value_boolean_not_text_whole_or_number"),
}
