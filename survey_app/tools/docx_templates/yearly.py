"""``report.docx``: the yearly report, section by section in the seed's order.  Every sentence
is a macro of ``text.j2`` (``T.…``), every table header ``T.col(key)``: the words the web page
and the PDF print."""

from __future__ import annotations

from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH

from .layout import (
    GRADE,
    OUT_DIR,
    SCORE,
    TEXT_WIDTH_MM,
    WIDE_WIDTH_MM,
    bookmark,
    chart,
    contents,
    indicator_table,
    landscape,
    new_document,
    page_break,
    para,
    save,
    table,
    tag,
)

OUT = OUT_DIR / "report.docx"
PERIOD = ["(กรกฎาคม", "มิถุนายน)", "(ตลอดปีงบประมาณ)"]  # the longest words of a period
# the Heading 1 sections the contents list: (bookmark, heading macro call)
CHAPTERS = (("past", "T.past_title()"), ("results", "T.results_title(report)"),
            ("analysis", "T.analysis_title(report)"), ("strengths", "T.sw_title(report)"),
            ("improve", "T.improve_title()"), ("sustain", "T.sustain_title()"))


def heading(doc, name: str, call: str):
    p = doc.add_heading("{{ " + call + " }}", level=1)
    bookmark(p, f"ita_{name}")
    return p


def cover(doc) -> None:
    """Logo, title, agency, year and the cover date (the office's, when it gave them)."""
    for _ in range(5):
        para(doc)
    tag(doc, "{%p if logo %}")
    para(doc, "{{ logo }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    tag(doc, "{%p endif %}")
    para(doc)
    para(doc, "{{ T.cover_title() }}", "Cover")
    para(doc, "{{ T.cover_agency(report) }}", "Cover")
    para(doc, "{{ T.cover_year(report) }}", "Cover")
    tag(doc, "{%p if doc.cover_date %}")
    for _ in range(6):
        para(doc)
    p = para(doc, "{{ T.cover_date(doc) }}", "Lead ITA")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    tag(doc, "{%p endif %}")
    page_break(doc)


def front(doc) -> None:
    """The foreword (when written) and the contents with each chapter's page."""
    tag(doc, "{%p if doc.foreword %}")
    doc.add_heading("{{ T.foreword_title() }}", level=1)
    tag(doc, "{%p for line in doc.foreword %}")
    para(doc, "{{ line }}", "Body Text Indent ITA")
    tag(doc, "{%p endfor %}")
    para(doc)
    para(doc, "{{ report.agency.name_th }}").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    page_break(doc)
    tag(doc, "{%p endif %}")
    para(doc, "{{ T.toc_title() }}", "Lead ITA").alignment = WD_ALIGN_PARAGRAPH.CENTER
    contents(doc, [(f"ita_{name}", "{{ " + call + " }}") for name, call in CHAPTERS[:-1]])
    tag(doc, "{%p if report.measures %}")
    contents(doc, [(f"ita_{CHAPTERS[-1][0]}", "{{ " + CHAPTERS[-1][1] + " }}")])
    tag(doc, "{%p endif %}")
    page_break(doc)


def past(doc) -> None:
    heading(doc, "past", "T.past_title()")
    tag(doc, "{%p for line in doc.background %}")
    para(doc, "{{ line }}", "Body Text Indent ITA")
    tag(doc, "{%p else %}")
    para(doc, "{{ T.background(report) }}", "Body Text Indent ITA")
    tag(doc, "{%p endfor %}")
    doc.add_heading("{{ T.framework_title() }}", level=2)
    para(doc, "{{ T.framework_intro(M) }}", "Body Text Indent ITA")
    tag(doc, "{%p for inst in M.instruments %}")
    para(doc, "{{ T.part_intro(loop.index, inst) }}", "Body Text Indent ITA")
    tag(doc, "{%p for ind in inst.indicators %}")
    para(doc, "{{ T.indicator_line(ind) }}", "Item ITA")
    tag(doc, "{%p for sub in ind.sub_indicators %}")
    para(doc, "{{ T.sub_line(sub) }}", "Sub Item ITA")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")


def results(doc) -> None:
    """The comparison (when typed), the summary, history (table, comparison with the year
    before, chart), the ranked indicators and the grade or tier rules."""
    heading(doc, "results", "T.results_title(report)")
    tag(doc, "{%p set k = 1 if doc.comparison else 0 %}")
    tag(doc, "{%p if doc.comparison %}")
    para(doc, "1. {{ T.comparison(report) }}", "Body Text Indent ITA")
    tag(doc, "{%p endif %}")
    para(doc, "{{ k + 1 }}. {{ T.summary(report) }}", "Body Text Indent ITA")
    para(doc, "{{ k + 2 }}. {{ T.history_intro(report) }}", "Body Text Indent ITA") \
        .paragraph_format.keep_with_next = True
    table(doc, [("year", 34, ["2569"]), ("ita", 38, SCORE), ("development", 40, ["เพิ่มขึ้น"]),
                ("difference", 48, ["+100.00"])],
          ["{%tr for p in r.trend %}",
           [("centre", "{{ p.fiscal_year_be }}"), ("centre", "{{ p.total|f }}"),
            ("centre", "{{ p.development }}"), ("centre", "{{ p.difference|signed }}")],
           "{%tr endfor %}"], keep_together=True)
    tag(doc, "{%p if r.trend|length > 1 %}")
    para(doc, "{{ T.history_compare(report) }}", "Body Text Indent ITA")
    tag(doc, "{%p endif %}")
    chart(doc, "trend")
    para(doc, "{{ k + 3 }}. {{ T.ranked_intro(report) }}", "Body Text Indent ITA") \
        .paragraph_format.keep_with_next = True
    indicator_table(doc, "ind in r.ranked")
    chart(doc, "indicators")
    tag(doc, "{%p if M.grades %}")
    para(doc, "{{ T.grades_note() }}", "Lead ITA")
    table(doc, [("grade", 30, GRADE), ("score", 70, ["100.00"]), ("remark", 60)],
          ["{%tr for g in M.grades %}",
           [("centre", "{{ g.grade }}"), ("centre", "{{ T.band(g) }}"),
            ("centre", "{{ T.verdict_word(g.passed) }}")],
           "{%tr endfor %}"], keep_together=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if M.has_tiers %}")
    para(doc, "{{ T.tiers_note() }}", "Lead ITA")
    table(doc, [("result", 50), ("rule", 110, ["100.00"])],
          ["{%tr for tier in M.tiers %}",
           [("centre", "{{ tier.label_th }}"), "{{ T.tier_rule(tier) }}"],
           "{%tr endfor %}"], keep_together=True)
    tag(doc, "{%p endif %}")


def analysis(doc) -> None:
    """The weighted table with its total and verdict, and the by-channel table."""
    heading(doc, "analysis", "T.analysis_title(report)")
    table(doc, [("order", 18), ("indicator", 68), ("score", 22, SCORE),
                ("instrument", 24, ["IIT"]), ("weighted", 28, ["100.00", "(ผ่านดี)"])],
          ["{%tr for inst in r.instruments %}",
           "{%tr for ind in inst.indicators %}",
           [("centre", "{{ ind.code }}"), "{{ ind.name_th }}", ("number", "{{ ind.score|f }}"),
            ("centre", "{{ inst.code if loop.first }}"),
            ("number", "{{ inst.weighted|f if loop.first }}")],
           "{%tr for sub in ind.sub_indicators %}",
           ["", "    {{ sub.code }} {{ sub.name_th }}", ("number", "{{ sub.score|f }}"), "", ""],
           "{%tr endfor %}",
           "{%tr endfor %}",
           "{%tr endfor %}",
           ["", "{{ T.total_row() }}", "", "", ("number", "{{ T.total_result(r) }}")]])
    para(doc, "{{ T.channel_title() }}", "Lead ITA")
    # one column per instrument of the framework (IIT, EIT, OIT)
    table(doc, [("{{ T.channel_head(r.instruments[0]) }}", 54),
                ("{{ T.channel_head(r.instruments[1]) }}", 53),
                ("{{ T.channel_head(r.instruments[2]) }}", 53)],
          ["{%tr for row in r.channel_rows %}",
           ["{{ T.channel_cell(row[0]) if row[0] }}", "{{ T.channel_cell(row[1]) if row[1] }}",
            "{{ T.channel_cell(row[2]) if row[2] }}"],
           "{%tr endfor %}"])


def strengths(doc) -> None:
    heading(doc, "strengths", "T.sw_title(report)")
    para(doc, "{{ T.target_sentence(report) }}", "Body Text Indent ITA")
    doc.add_heading("{{ T.strengths_title(report) }}", level=2)
    tag(doc, "{%p for inst in r.instruments %}")
    tag(doc, "{%p set notes = report.strengths_of(inst.code) %}")
    doc.add_heading("{{ T.instrument_result(1, loop.index, inst) }}", level=3)
    para(doc, "{{ T.instrument_count('จุดแข็ง', notes|length) }}")
    tag(doc, "{%p if notes %}")
    indicator_table(doc, "s in notes", "s.indicator")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for s in notes %}")
    para(doc, "{{ T.indicator_result(loop.index, s.indicator) }}", "Body Text Indent ITA") \
        .paragraph_format.keep_with_next = True
    para(doc, "{{ T.factors_title() }}", "Lead ITA")
    tag(doc, "{%p for line in s.factors|lines %}")
    para(doc, "{{ line }}", "Body Text Indent ITA")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")


def develop(doc) -> None:
    doc.add_heading("{{ T.develop_title(report) }}", level=2)
    tag(doc, "{%p for inst in r.instruments %}")
    tag(doc, "{%p set notes = report.to_develop_of(inst.code) %}")
    tag(doc, "{%p if notes %}")
    doc.add_heading("{{ T.instrument_result(2, loop.index, inst) }}", level=3)
    tag(doc, "{%p for d in notes %}")
    para(doc, "{{ T.indicator_result(loop.index, d.indicator) }}", "Body Text Indent ITA") \
        .paragraph_format.keep_with_next = True
    tag(doc, "{%p for line in d.analysis|lines %}")
    para(doc, "{{ line }}", "Body Text Indent ITA")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if d.weak_items %}")
    para(doc, "{{ T.issues_title() }}", "Lead ITA")
    tag(doc, "{%p for w in d.weak_items %}")
    para(doc, "{{ loop.index }}) {{ T.weak_item(w) }}", "Item ITA")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")


def oit(doc) -> None:
    """OIT sub-indicators below full marks, then the office's standing internal measures."""
    doc.add_heading("{{ T.oit_title() }}", level=2)
    tag(doc, "{%p for f in report.oit_findings %}")
    para(doc, "{{ T.oit_finding(f) }}", "Body Text Indent ITA")
    tag(doc, "{%p for o in f.sub_indicator.not_passed %}")
    para(doc, "- {{ T.oit_item(o) }}", "Item ITA")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    para(doc, "{{ T.oit_all_full() }}", "Body Text Indent ITA")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if doc.internal_measures %}")
    para(doc, "{{ T.internal_title(report) }}", "Body Text Indent ITA")
    tag(doc, "{%p for line in doc.internal_measures %}")
    para(doc, "{{ loop.index }}. {{ line }}", "Item ITA")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")


def comparison(doc) -> None:
    """Our own survey beside the published result (``report.comparison``, only where both
    exist): the words of ``report/published.j2``, as the web page and the PDF print them."""
    tag(doc, "{%p if report.comparison %}")
    doc.add_heading("{{ P.comparison_title() }}", level=2)
    para(doc, "{{ P.comparison_intro(report.comparison) }}", "Body Text Indent ITA")
    table(doc, [("indicator_instrument", 38), ("published", 21, ["100.00"]),
                ("ours", 26, ["100.00"]), ("gap", 22, ["+100.00"]),
                ("interval", 27, ["100.00", "–"]), ("inside", 26, ["อยู่ในช่วง"])],
          ["{%tr for row in report.comparison.rows %}",
           ["{{ row.code }} {{ row.name_th }}", ("number", "{{ row.published|f }}"),
            ("number", "{{ row.ours|f }}"), ("number", "{{ row.difference|signed }}"),
            ("centre", "{{ P.interval(row) }}"), ("centre", "{{ P.inside_word(row) }}")],
           "{%tr endfor %}"])
    para(doc, "{{ P.comparison_summary(report.comparison) }}", "Body Text Indent ITA")
    tag(doc, "{%p endif %}")


def improve(doc) -> None:
    heading(doc, "improve", "T.improve_title()")
    tag(doc, "{%p if report.measures_below %}")
    para(doc, "{{ T.improve_intro(report) }}", "Body Text Indent ITA")
    indicator_table(doc, "s in report.measures_below", "s.indicator", "indicator")
    tag(doc, "{%p else %}")
    para(doc, "{{ T.improve_none(report) }}", "Body Text Indent ITA")
    tag(doc, "{%p endif %}")


def plans(doc) -> None:
    """The guidelines and each indicator's plan, on landscape pages (five wide columns)."""
    landscape(doc, True)
    doc.add_heading("{{ T.guidelines_title() }}", level=2)
    table(doc, [("indicator", 57), ("issue", 95), ("guideline", 95)],
          ["{%tr for s in report.measures %}",
           ["ตัวชี้วัดที่ {{ s.indicator.code }} {{ s.indicator.name_th }}",
            ["{%p for w in s.issues %}", "{{ loop.index }}. {{ T.weak_item(w) }}",
             "{%p else %}", "-", "{%p endfor %}"],
            ["{%p for m in s.measures %}", "{{ loop.index }}. {{ m.measure|join(' ') }}",
             "{%p else %}", "{{ T.missing_measure() }}", "{%p endfor %}"]],
           "{%tr endfor %}"], width_mm=WIDE_WIDTH_MM, split_rows=True)
    tag(doc, "{%p for s in report.planned %}")
    doc.add_heading("{{ T.plan_title(report, s.indicator) }}", level=2)
    table(doc, [("issue", 58), ("plan", 60), ("responsible", 32), ("steps", 62),
                ("period", 35, PERIOD)],
          ["{%tr for m in s.measures %}",
           [["{%p if loop.first %}", "{%p for w in s.issues %}",
             "{{ loop.index }}. {{ T.weak_item(w) }}", "{%p else %}", "-", "{%p endfor %}",
             "{%p else %}", "", "{%p endif %}"],
            ["{%p for line in m.measure %}", "{{ line }}", "{%p endfor %}"],
            "{{ m.responsible or '-' }}",
            ["{%p for line in m.steps %}", "{{ line }}", "{%p else %}", "-", "{%p endfor %}"],
            "{{ T.measure_period(m) }}"],
           "{%tr endfor %}"], width_mm=WIDE_WIDTH_MM, split_rows=True)
    tag(doc, "{%p endfor %}")
    landscape(doc, False)


def sustain(doc) -> None:
    heading(doc, "sustain", "T.sustain_title()")
    para(doc, "{{ T.sustain_intro(report) }}", "Lead ITA")
    tag(doc, "{%p for s in report.planned %}")
    doc.add_heading("{{ T.sustain_measure(s.indicator) }}", level=2)
    para(doc, "{{ T.steps_title() }}", "Lead ITA")
    tag(doc, "{%p for m in s.measures %}")
    para(doc, "{{ loop.index }}. {{ m.measure|join(' ') }}", "Body Text Indent ITA")
    tag(doc, "{%p for line in m.steps %}")
    para(doc, "{{ line }}", "Item ITA")
    tag(doc, "{%p endfor %}")
    para(doc, "{{ T.responsible(m.responsible) }} · {{ T.period(T.measure_period(m)) }}",
         "Item ITA")
    tag(doc, "{%p endfor %}")
    p = para(doc, "", "Body Text Indent ITA")
    p.add_run("{{ T.monitoring_title() }}").bold = True
    p.add_run(" {{ s.monitoring }}")
    tag(doc, "{%p endfor %}")


def unconfirmed(doc) -> None:
    """The notice on unconfirmed data (``report/unconfirmed_text.j2`` as plain lines, given by
    ``reports.unconfirmed_lines``): the same words as the web page's and the PDF's section."""
    tag(doc, "{%p if unconfirmed_lines %}")
    doc.add_heading("{{ unconfirmed_title }}", level=2)
    tag(doc, "{%p for line in unconfirmed_lines %}")
    para(doc, "{{ line }}", "Body Text Indent ITA")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")


def signature(doc) -> None:
    """The approval block: ลงชื่อ, the director's name and position (when the office gave
    them), the date."""
    tag(doc, "{%p if doc.signed %}")
    para(doc)
    para(doc)
    for line in ("{{ T.sign_line() }}", "{{ T.sign_name(doc) }}", "{{ T.sign_position(doc) }}",
                 "{{ T.sign_date(doc) }}"):
        para(doc, line, "Signature ITA")
    tag(doc, "{%p endif %}")


def build(out: Path | None = OUT) -> bytes:
    """Build ``report.docx`` (into ``out``; None: nowhere); return its bytes."""
    assert TEXT_WIDTH_MM < WIDE_WIDTH_MM
    doc = new_document("{{ T.cover_title() }}")
    cover(doc)
    front(doc)
    past(doc)
    results(doc)
    analysis(doc)
    strengths(doc)
    develop(doc)
    oit(doc)
    comparison(doc)
    improve(doc)
    tag(doc, "{%p if report.measures %}")
    plans(doc)
    sustain(doc)
    tag(doc, "{%p endif %}")
    unconfirmed(doc)
    signature(doc)
    para(doc, "{{ T.foot(report) }}", "Note ITA")
    return save(doc, out)
