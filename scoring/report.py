"""Present an :class:`~scoring.assess.AssessmentResult`: JSON-ready dict, CSV rows, text table.

This is the only place results are rounded: scores to the methodology's decimals (half up),
Cronbach's alpha to three.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import asdict
from typing import Any

from .assess import AssessmentResult, IndicatorResult, InstrumentResult
from .intervals import BATCH, DESCRIPTIONS, MC_SE_BOUND, MIN_BATCHES
from .rollup import round_half_up
from .statistics import CONFIDENCE, Summary
from .tiers import FloorMiss, TierGap

SCHEMA_VERSION = 1


def _r(value: float | None, decimals: int = 2) -> float | None:
    return None if value is None else round_half_up(value, decimals)


def _pair(pair: tuple[float, float] | None, decimals: int = 2) -> list[float] | None:
    return None if pair is None else [_r(pair[0], decimals), _r(pair[1], decimals)]


def _summary(s: Summary | None) -> dict[str, Any]:
    if s is None:
        return {"n": None, "no_answer": None, "mean": None, "sd": None, "median": None,
                "ci95": None}
    return {"n": s.n, "no_answer": s.no_answer, "mean": _r(s.mean), "sd": _r(s.sd),
            "median": _r(s.median),
            "ci95": None if s.ci_low is None else [_r(s.ci_low), _r(s.ci_high)]}


def _summary_reasons(s: Summary | None) -> dict[str, str]:
    """Why each statistic of a summary that is null is null."""
    if s is None or s.note is None:
        return {}
    keys = ("mean", "sd", "median", "ci95") if s.n == 0 else ("sd", "ci95")
    return dict.fromkeys(keys, s.note)


def indicator_reasons(ind: IndicatorResult) -> dict[str, str]:
    """Statistic → why it is null, for the indicator's statistics that are."""
    return {**_summary_reasons(ind.summary), **ind.notes}


def indicator_dict(ind: IndicatorResult) -> dict[str, Any]:
    return {
        "name_th": ind.name_th,
        "name_en": ind.name_en,
        "instrument": ind.instrument,
        "score": _r(ind.score),
        "grade": ind.grade,
        "passed": ind.passed,
        "source": ind.source,
        **_summary(ind.summary),
        "bootstrap_ci95": _pair(ind.bootstrap),
        "cronbach_alpha": _r(ind.alpha, 3),
        "none_reasons": indicator_reasons(ind),
        "items": [
            {"code": it.code, **_summary(it.summary),
             "none_reasons": _summary_reasons(it.summary),
             "questions": [
                 {"column": q.column, "n": q.n, "no_answer": q.no_answer, "mean": _r(q.mean),
                  "distribution": {str(code): {"count": c, "percent": _r(p)}
                                   for code, (c, p) in q.distribution.items()},
                  "none_reasons": {} if q.note is None else {"mean": q.note, "percent": q.note}}
                 for q in it.questions]}
            for it in ind.items],
        "sub_indicators": {
            s.code: {"name_th": s.name_th, "name_en": s.name_en, "score": _r(s.score),
                     "source": s.source, "items": s.items, "items_passed": s.items_passed}
            for s in ind.sub_indicators},
    }


def instrument_dict(inst: InstrumentResult) -> dict[str, Any]:
    return {
        "name_th": inst.name_th,
        "name_en": inst.name_en,
        "score": _r(inst.score),
        "weight": inst.weight,
        "weighted": _r(inst.weighted),
        "responses": inst.responses,
        "minimum_sample": inst.minimum_sample,
        "sample_met": inst.sample_met,
        "margin_of_error": _r(inst.margin_of_error),
        "bootstrap_ci95": _pair(inst.bootstrap),
        "none_reasons": {} if inst.interval_note is None
        else {"bootstrap_ci95": inst.interval_note},
    }


def result_to_dict(result: AssessmentResult) -> dict[str, Any]:
    """Return the result as the JSON object ``ita score --format json`` prints (see docs/scoring.md)."""
    verdict = result.verdict
    return {
        "schema_version": SCHEMA_VERSION,
        "instrument_set": result.instrument_set,
        "score_map": result.score_map,
        "fiscal_year_be": result.fiscal_year_be,
        "indicators": {code: indicator_dict(ind) for code, ind in result.indicators.items()},
        "instruments": {code: instrument_dict(i) for code, i in result.instruments.items()},
        "total": _r(result.total),
        "total_bootstrap_ci95": _pair(result.total_bootstrap),
        "grade": result.grade,
        "passed": result.passed,
        "verdict": None if verdict is None else {
            "code": verdict.code, "label_th": verdict.label_th, "label_en": verdict.label_en,
            "floors_missed": [floor_miss_dict(f) for f in result.floors_missed]},
        "gap": gap_dict(result.gap),
        "target": result.target,
        "strengths": list(result.strengths),
        "to_develop": list(result.to_develop),
        "eit_groups": [
            {**asdict(g), "indicators": {c: _r(v) for c, v in g.indicators.items()},
             "score": _r(g.score)} for g in result.eit_groups],
        "history": [
            {"fiscal_year_be": t.fiscal_year_be, "total": _r(t.total),
             "development": t.development, "development_en": t.development_en,
             "difference": _r(t.difference)} for t in result.history],
        "headcount": result.headcount,
        "bootstrap": {"resamples": result.bootstrap_resamples,
                      "max_resamples": result.bootstrap_maximum, "seed": result.seed,
                      "stopping": stopping_words(result)},
        "intervals": interval_info(result),
    }


def floor_miss_dict(miss: FloorMiss) -> dict[str, Any]:
    return {"instrument": miss.instrument, "score": _r(miss.score), "floor": miss.floor,
            "tier": miss.tier}


def gap_dict(gap: TierGap | None) -> dict[str, Any] | None:
    """The ``gap`` object of the JSON: what it takes to reach the next tier (see docs/scoring.md)."""
    if gap is None:
        return None
    return {
        "next_tier": {"code": gap.tier.code, "label_th": gap.tier.label_th,
                      "label_en": gap.tier.label_en},
        "total": {"score": _r(gap.total), "need": gap.tier.min_total, "met": gap.total_met},
        "instruments": {
            n.instrument: {"score": _r(n.score), "floor": n.floor, "for_total": n.for_total,
                           "need": n.need, "met": n.met, "reachable": n.reachable}
            for n in gap.instruments},
        "indicators": [
            {"code": w.code, "instrument": w.instrument, "per_point": _r(w.per_point, 4),
             "score": _r(w.score), "max_gain": _r(w.max_gain)} for w in gap.indicators],
    }


def stopping_words(result: AssessmentResult, thai: bool = False) -> str | None:
    """How many bootstrap resamples were drawn and why no more, in words (None: no bootstrap).

    The rule is :func:`scoring.intervals.bootstrap_intervals`'.
    """
    drawn, most = result.bootstrap_resamples, result.bootstrap_maximum
    if not most:
        return None
    if not drawn:
        return "ไม่ได้สุ่มซ้ำ: ไม่มีคะแนนใดมีการกระจายให้สุ่ม" if thai else \
            "no resamples drawn: no score had a spread to resample"
    if drawn < most:
        if thai:
            return (f"สุ่มซ้ำ {drawn:,} ครั้งจากที่กำหนดไว้สูงสุด {most:,} ครั้ง: สุ่มทีละ {BATCH} ครั้ง "
                    f"และหยุดเมื่อความคลาดเคลื่อนมาตรฐานจากการสุ่ม (Monte Carlo) ของปลายช่วงทุกปลาย"
                    f"ไม่เกิน {MC_SE_BOUND:g} คะแนน (หนึ่งในห้าของทศนิยมตำแหน่งที่สองที่แสดง)")
        return (f"{drawn:,} of at most {most:,} resamples: drawn {BATCH} at a time and stopped "
                f"once every interval end's Monte Carlo standard error was at most "
                f"{MC_SE_BOUND:g} points (a fifth of the printed hundredth)")
    if thai:
        return (f"สุ่มซ้ำครบ {most:,} ครั้งที่กำหนดไว้สูงสุด: จะหยุดก่อนเมื่อความคลาดเคลื่อนมาตรฐาน"
                f"จากการสุ่ม (Monte Carlo) ของปลายช่วงทุกปลายไม่เกิน {MC_SE_BOUND:g} คะแนน "
                f"(ดูทุก {BATCH} ครั้งตั้งแต่ {MIN_BATCHES * BATCH} ครั้ง)")
    return (f"all {most:,} resamples allowed were drawn: resampling stops earlier only once "
            f"every interval end's Monte Carlo standard error is at most {MC_SE_BOUND:g} "
            f"points (a fifth of the printed hundredth), looked at every {BATCH} resamples "
            f"from {MIN_BATCHES * BATCH} on")


def interval_info(result: AssessmentResult) -> dict[str, Any]:
    """How the ``bootstrap_ci95`` intervals were computed (``method`` null: turned off)."""
    method = result.interval_method
    return {"method": method, "confidence": CONFIDENCE,
            "description": None if method is None else DESCRIPTIONS[method],
            "total_none_reason": result.total_interval_note}


CSV_COLUMNS = ("level", "code", "name_th", "name_en", "instrument", "score", "grade", "passed",
               "weighted", "n", "no_answer", "sd", "ci95_low", "ci95_high", "bootstrap_low",
               "bootstrap_high", "cronbach_alpha", "resamples", "stopping_rule")


def result_to_rows(result: AssessmentResult) -> list[dict[str, Any]]:
    """Return one row per indicator, sub-indicator, instrument and the total (for CSV/XLSX)."""
    return rows_from_dict(result_to_dict(result))


def rows_from_dict(scores: dict[str, Any]) -> list[dict[str, Any]]:
    """Return :func:`result_to_rows` of the result whose :func:`result_to_dict` is ``scores``.

    The rows hold only figures the JSON object holds (rounded there, once), so a stored JSON
    object gives exactly the rows of the result it was made from.
    """
    def low_high(pair: list[float] | None) -> tuple[float | None, float | None]:
        return (None, None) if not pair else (pair[0], pair[1])

    rows = []
    for code, ind in scores["indicators"].items():
        boot_low, boot_high = low_high(ind["bootstrap_ci95"])
        ci_low, ci_high = low_high(ind["ci95"])
        rows.append({
            "level": "indicator", "code": code, "name_th": ind["name_th"],
            "name_en": ind["name_en"], "instrument": ind["instrument"], "score": ind["score"],
            "grade": ind["grade"], "passed": ind["passed"], "weighted": None,
            "n": ind["n"], "no_answer": ind["no_answer"], "sd": ind["sd"],
            "ci95_low": ci_low, "ci95_high": ci_high,
            "bootstrap_low": boot_low, "bootstrap_high": boot_high,
            "cronbach_alpha": ind["cronbach_alpha"]})
        for sub_code, sub in ind["sub_indicators"].items():
            rows.append({"level": "sub_indicator", "code": sub_code, "name_th": sub["name_th"],
                         "name_en": sub["name_en"], "instrument": ind["instrument"],
                         "score": sub["score"]})
    for code, inst in scores["instruments"].items():
        boot_low, boot_high = low_high(inst["bootstrap_ci95"])
        rows.append({"level": "instrument", "code": code, "name_th": inst["name_th"],
                     "name_en": inst["name_en"], "instrument": code, "score": inst["score"],
                     "weighted": inst["weighted"], "n": inst["responses"],
                     "bootstrap_low": boot_low, "bootstrap_high": boot_high})
    boot_low, boot_high = low_high(scores["total_bootstrap_ci95"])
    rows.append({"level": "total", "code": "ITA", "name_th": "คะแนนรวม ITA",
                 "name_en": "ITA total", "score": scores["total"], "grade": scores["grade"],
                 "passed": scores["passed"], "weighted": scores["total"],
                 "bootstrap_low": boot_low, "bootstrap_high": boot_high})
    # the bootstrap's resamples and stopping rule on every row whose interval they made
    resampling = scores["bootstrap"]
    if resampling.get("stopping") is not None:
        for row in rows:
            if row.get("bootstrap_low") is not None:
                row["resamples"] = resampling["resamples"]
                row["stopping_rule"] = resampling["stopping"]
    return [{c: row.get(c) for c in CSV_COLUMNS} for row in rows]


def result_to_csv(result: AssessmentResult) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in result_to_rows(result):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buf.getvalue()


# -- text table -------------------------------------------------------------------------------

def _width(text: str) -> int:
    """Terminal width of text: Thai vowel and tone marks take no column of their own."""
    return sum(0 if unicodedata.combining(ch) or unicodedata.category(ch) == "Mn" else 1
               for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def _table(headers: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    # leave out columns with nothing to say (e.g. n and intervals when scores were given)
    keep = [i for i in range(len(headers)) if any(str(r[i]) not in ("", "-") for r in rows)]
    headers = [headers[i] for i in keep]
    rows = [[r[i] for i in keep] for r in rows]
    right = {keep.index(i) for i in right if i in keep}
    widths = [max(_width(str(c)) for c in col) for col in zip(headers, *rows, strict=True)]
    line = "  ".join(_pad(h, w, i in right) for i, (h, w) in enumerate(zip(headers, widths,
                                                                          strict=True)))
    out = [line, "  ".join("-" * w for w in widths)]
    for row in rows:
        out.append("  ".join(_pad(str(c), w, i in right)
                             for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    return out


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{round_half_up(value):.2f}"


def result_to_table(result: AssessmentResult) -> str:
    """Render a readable Thai/English table in the shape of the seed's results tables."""
    lines = [f"ผลการประเมิน ITA ปีงบประมาณ พ.ศ. {result.fiscal_year_be} "
             f"(ITA results, fiscal year B.E. {result.fiscal_year_be}) · {result.instrument_set}",
             ""]
    if result.score_map is not None:
        lines[1:1] = [f"คะแนนคำนวณด้วยแผนคะแนนทางเลือก {result.score_map} ไม่ใช่แผนคะแนนของชุดแบบวัด "
                      f"(computed with the alternative score map {result.score_map}, "
                      "not the set's own)"]
    rows = []
    for ind in result.indicators.values():
        inst = result.instruments[ind.instrument]
        first = ind.code == next(c for c, i in result.indicators.items()
                                 if i.instrument == ind.instrument)
        ci = "-" if ind.bootstrap is None else f"{_fmt(ind.bootstrap[0])}–{_fmt(ind.bootstrap[1])}"
        n = "-" if ind.summary is None else str(ind.summary.n)
        verdict = "-" if ind.passed is None else ("ผ่าน" if ind.passed else "ไม่ผ่าน")
        rows.append([ind.code, f"{ind.name_th} ({ind.name_en})", _fmt(ind.score),
                     ind.grade or "-", verdict, n, ci, ind.instrument if first else "",
                     _fmt(inst.weighted) if first else ""])
        for sub in ind.sub_indicators:
            rows.append(["", f"  {sub.code} {sub.name_th}", _fmt(sub.score), "", "", "", "", "",
                         ""])
    lines += _table(["ตัวชี้วัด", "ประเด็นตัวชี้วัด (indicator)", "คะแนน", "ระดับ", "หมายเหตุ",
                     "n", "95% interval", "เครื่องมือ", "ถ่วงน้ำหนัก"],
                    rows, right={2, 5, 8})
    verdict = "-" if result.verdict is None else \
        f"{result.verdict.label_th} ({result.verdict.label_en})"
    if result.floors_missed:
        verdict += " — " + ", ".join(f"{f.instrument} {_fmt(f.score)} < {f.floor:g}"
                                     for f in result.floors_missed)
    # a total without a grade: the set rates with tiers only (B.E. 2567 onwards), no AA-F
    grade = "" if result.grade is None and result.total is not None else \
        f"   ระดับ (grade): {result.grade or '-'}"
    lines += ["", f"คะแนนรวม ITA (total): {_fmt(result.total)}{grade}   "
                  f"ผลการประเมิน (verdict): {verdict}"]
    lines += _gap_lines(result.gap)
    if result.total_bootstrap:
        lines.append(f"ช่วงความเชื่อมั่น 95% (95% interval): {_fmt(result.total_bootstrap[0])}–"
                     f"{_fmt(result.total_bootstrap[1])}")
    elif result.total_interval_note:
        lines.append(f"ช่วงความเชื่อมั่น 95% (95% interval): - ({result.total_interval_note})")
    if result.interval_method is not None and any(
            i.bootstrap or i.notes.get("bootstrap_ci95") for i in result.indicators.values()):
        lines.append(f"วิธีคำนวณช่วงความเชื่อมั่น (interval method): {result.interval_method}: "
                     f"{DESCRIPTIONS[result.interval_method]}")
        if stopping_words(result) is not None:
            lines.append(f"การสุ่มซ้ำ (bootstrap resamples): {stopping_words(result, thai=True)} "
                         f"({stopping_words(result)})")
    for inst in result.instruments.values():
        if inst.responses is None:
            continue
        need = "-" if inst.minimum_sample is None else str(inst.minimum_sample)
        met = "" if inst.sample_met is None else (" ✓" if inst.sample_met else " (ไม่ครบ / short)")
        lines.append(f"{inst.code}: {inst.responses} responses, ขั้นต่ำ (minimum) {need}{met}, "
                     f"ความคลาดเคลื่อน (margin of error) ±{_fmt(inst.margin_of_error)}")

    def listing(codes):
        return ", ".join(f"{c} ({_fmt(result.indicators[c].score)})" for c in codes) or "-"

    lines += ["", f"จุดแข็ง (strengths, ≥ {result.target:g}): {listing(result.strengths)}",
              f"จุดที่ควรพัฒนา (to develop): {listing(result.to_develop)}"]
    if result.eit_groups:
        lines += ["", "EIT ตามกลุ่มผู้ตอบ (by respondent group):"]
        grows = [[g.label_th, "-" if g.suppressed else str(g.n),
                  "ไม่แสดง (suppressed)" if g.suppressed else _fmt(g.score)]
                 for g in result.eit_groups]
        lines += _table(["กลุ่ม", "n", "EIT"], grows, right={1, 2})
    if len(result.history) > 1:
        lines += [""]
        hrows = [[str(t.fiscal_year_be), _fmt(t.total), t.development,
                  "-" if t.difference is None else f"{t.difference:+.2f}"]
                 for t in result.history]
        lines += _table(["ปีงบประมาณ พ.ศ.", "ผลคะแนน ITA", "พัฒนาการ", "ผลต่าง"], hrows,
                        right={1, 3})
    return "\n".join(lines) + "\n"


def _gap_lines(gap: TierGap | None) -> list[str]:
    """Lines of the table for the gap to the next tier (none at the top tier)."""
    if gap is None:
        return []
    tick = " ✓"
    lines = [f"ระดับถัดไป (next tier): {gap.tier.label_th} ({gap.tier.label_en}): "
             f"คะแนนรวมอย่างน้อย {gap.tier.min_total:.2f} (total at least "
             f"{gap.tier.min_total:.2f}; now {_fmt(gap.total)}{tick if gap.total_met else ''})"]
    for n in gap.instruments:
        if n.reachable:
            lines.append(f"  {n.instrument} ต้องได้อย่างน้อย {n.need:.2f} ({n.instrument} needs at "
                         f"least {n.need:.2f}; now {_fmt(n.score)}{tick if n.met else ''})")
        else:
            lines.append(f"  {n.instrument} เพียงอย่างเดียวไม่พอ: ต้องได้ {n.need:.2f} "
                         f"(not reachable with {n.instrument} alone: it would need "
                         f"{n.need:.2f}; now {_fmt(n.score)})")
    lines.append("ตัวชี้วัดที่เพิ่มคะแนนรวมได้มากที่สุดต่อ 1 คะแนน (indicators that move the total "
                 "most per point): " + ", ".join(f"{w.code} +{w.per_point:.2f}"
                                                  for w in gap.indicators))
    return lines

