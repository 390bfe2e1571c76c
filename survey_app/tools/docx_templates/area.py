"""``area.docx``: the area summary report (``report``, an AreaReportView; ``R`` its rollup):
sentences from ``area_text.j2`` (``A.…``), table headers from ``text.j2`` (``T.col``)."""

from __future__ import annotations

from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH

from .layout import OUT_DIR, new_document, para, save, table, tag

OUT = OUT_DIR / "area.docx"


def build(out: Path | None = OUT) -> bytes:
    """Build ``area.docx`` (into ``out``; None: nowhere); return its bytes."""
    doc = new_document("{{ A.title() }}")
    para(doc, "{{ A.title() }}{{ A.area_line(R) }}", "Cover")
    para(doc, "{{ A.year_line(R) }}", "Cover")
    doc.add_heading("{{ A.overview_title() }}", level=2)
    para(doc, "{{ A.overview(R) }}", "Body Text Indent ITA")
    para(doc, "{{ A.average(R) }}", "Body Text Indent ITA")
    para(doc, "{{ A.minimum_note() }}", "Note ITA")

    doc.add_heading("{{ A.distribution_title() }}", level=2)
    tag(doc, "{%p if distribution and R.rated %}")
    table(doc, [("result", 80), ("agencies", 80)],
          ["{%tr for label, n in distribution %}",
           [("centre", "{{ label }}"), ("centre", "{{ n }}")],
           "{%tr endfor %}"])
    tag(doc, "{%p if charts.distribution %}")
    para(doc, "{{ charts.distribution }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    tag(doc, "{%p endif %}")
    tag(doc, "{%p else %}")
    para(doc, "{{ A.distribution_empty() }}", "Body Text Indent ITA")
    tag(doc, "{%p endif %}")

    doc.add_heading("{{ A.ranking_title() }}", level=2)
    table(doc, [("order", 16), ("agency", 54), ("sample", 30, ["9999/9999"]),
                ("total_score", 20, ["100.00"]), ("result", 40)],
          ["{%tr for row in R.rows %}",
           [("centre", "{{ A.rank_cell(row) }}"), "{{ row.agency.name_th }}",
            ("centre", "{{ A.sample_cell(row) }}"), ("number", "{{ row.total|f }}"),
            "{{ A.result_cell(row) }}"],
           "{%tr endfor %}"], split_rows=True)

    doc.add_heading("{{ A.below_title(report) }}", level=2)
    tag(doc, "{%p for b in report.below_target %}")
    para(doc, "{{ A.below_line(b) }}", "Item ITA")
    tag(doc, "{%p endfor %}")

    doc.add_heading("{{ A.items_title() }}", level=2)
    tag(doc, "{%p if report.weakest_items %}")
    para(doc, "{{ A.items_intro(report) }}", "Body Text Indent ITA")
    table(doc, [("indicator", 22, ["10 (OIT)"]), ("issue", 44), ("mean", 20, ["100.00"]),
                ("lowest", 26, ["100.00"]), ("answers", 22, ["99999"]),
                ("agency", 26, ["999"])],
          ["{%tr for w in report.weakest_items %}",
           [("centre", "{{ w.indicator }} ({{ w.instrument }})"), "{{ A.item_text(w) }}",
            ("number", "{{ w.mean|f }}"), ("number", "{{ w.lowest|f }}"),
            ("number", "{{ w.n }}"), ("number", "{{ w.agencies }}")],
           "{%tr endfor %}"])
    tag(doc, "{%p else %}")
    para(doc, "{{ A.items_empty() }}", "Body Text Indent ITA")
    tag(doc, "{%p endif %}")

    doc.add_heading("{{ A.short_title() }}", level=2)
    tag(doc, "{%p if R.needs_answers %}")
    table(doc, [("agency", 52), ("instrument", 24, ["IIT"]), ("received", 22, ["99999"]),
                ("minimum", 40), ("still", 22, ["99999"])],
          ["{%tr for x in R.needs_answers %}",
           ["{{ x.agency.name_th }}", ("centre", "{{ x.check.instrument }}"),
            ("number", "{{ x.check.received }}"), ("centre", "{{ A.minimum_cell(x.check) }}"),
            ("number", "{{ A.still_cell(x.check) }}")],
           "{%tr endfor %}"])
    tag(doc, "{%p else %}")
    para(doc, "{{ A.short_none() }}", "Body Text Indent ITA")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if R.without_assessment %}")
    doc.add_heading("{{ A.missing_title() }}", level=3)
    tag(doc, "{%p for a in R.without_assessment %}")
    para(doc, "{{ A.missing_line(a) }}", "Item ITA")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    para(doc, "{{ A.foot() }}", "Note ITA")
    return save(doc, out)
