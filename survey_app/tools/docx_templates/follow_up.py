"""``follow_up.docx``: the measures' follow-up report of a quarter or of the year (``fu``, a
FollowUpView), in the yearly report's styles; every measure listed (one planned for a later
quarter shown as not yet due), the approval block at the end."""

from __future__ import annotations

from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH

from .layout import (
    OUT_DIR,
    new_document,
    page_break,
    para,
    save,
    table,
    tag,
)
from .yearly import PERIOD, signature

OUT = OUT_DIR / "follow_up.docx"
STATUS: list[str] = []  # status words may wrap between their Thai words


def cover(doc) -> None:
    for _ in range(5):
        para(doc)
    tag(doc, "{%p if logo %}")
    para(doc, "{{ logo }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    tag(doc, "{%p endif %}")
    para(doc)
    for line in ("{{ T.fu_title() }}", "{{ T.fu_agency(fu) }}", "{{ T.fu_year(fu) }}",
                 "{{ T.fu_period(fu) }}"):
        para(doc, line, "Cover")
    page_break(doc)


def summary(doc) -> None:
    doc.add_heading("{{ T.fu_purpose_title() }}", level=1)
    para(doc, "{{ T.fu_purpose(fu) }} {{ T.fu_serves(fu) }}", "Body Text Indent ITA")
    doc.add_heading("{{ T.fu_summary_title(fu) }}", level=1)
    para(doc, "{{ T.fu_summary(fu) }}", "Body Text Indent ITA")
    table(doc, [("status", 100, STATUS), ("count", 60)],
          ["{%tr for c in fu.shown_counts %}",
           ["{{ T.status_word(c.status) }}", ("centre", "{{ c.count }}")],
           "{%tr endfor %}",
           ["{{ T.col('total') }}", ("centre", "{{ fu.total }}")]], keep_together=True)
    doc.add_heading("{{ T.fu_overdue_title() }}", level=2)
    tag(doc, "{%p for m in fu.overdue %}")
    para(doc, "{{ loop.index }}) {{ T.fu_overdue_line(m) }}", "Item ITA")
    tag(doc, "{%p else %}")
    para(doc, "{{ T.fu_overdue_none() }}", "Body Text Indent ITA")
    tag(doc, "{%p endfor %}")


def measures(doc) -> None:
    """Every measure with its status, and for the year the grid of quarters."""
    doc.add_heading("{{ T.fu_table_title(fu) }}", level=1)
    tag(doc, "{%p if fu.reported %}")
    table(doc, [("order", 16), ("indicator", 28), ("issue_measure", 36), ("responsible", 30),
                ("period", 32, PERIOD), ("status", 18, STATUS)],
          ["{%tr for m in fu.reported %}",
           [("centre", "{{ loop.index }}"), "{{ m.indicator_code }} {{ m.indicator_name_th }}",
            ["{%p for line in m.issue %}", "{{ line }}", "{%p endfor %}",
             "{%p for line in m.measure %}", "{{ line }}", "{%p endfor %}"],
            "{{ m.responsible or '-' }}", "{{ T.measure_period(m) }}",
            ("centre", "{{ T.status_word(m.shown_status(fu.as_of)) }}")],
           "{%tr endfor %}"], split_rows=True)
    tag(doc, "{%p if fu.quarter is none %}")
    para(doc, "{{ T.fu_grid_title() }}", "Lead ITA")
    table(doc, [("order", 16), ("measure", 48)] + [(f"{{{{ T.quarter_col({q}) }}}}", 24, STATUS)
                                                     for q in (1, 2, 3, 4)],
          ["{%tr for m in fu.reported %}",
           [("centre", "{{ loop.index }}"), "{{ m.measure|join(' ') }}",
            *[("centre", f"{{{{ T.status_word(m.shown_status({q})) }}}}") for q in (1, 2, 3, 4)]],
           "{%tr endfor %}"])
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endif %}")


def details(doc) -> None:
    doc.add_heading("{{ T.fu_details_title() }}", level=1)
    tag(doc, "{%p for m in fu.reported %}")
    doc.add_heading("{{ T.fu_measure_head(loop.index, m) }}", level=2)
    para(doc, "{{ T.fu_measure_facts(m) }}", "Body Text Indent ITA")
    tag(doc, "{%p for q in fu.quarters %}")
    tag(doc, "{%p set p = m.progress(q) %}")
    para(doc, "{{ T.fu_quarter_line(fu, m, p) }}", "Lead ITA") \
        .paragraph_format.keep_with_next = True
    tag(doc, "{%p for line in p.note %}")
    para(doc, "{{ line }}", "Body Text Indent ITA")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if p.evidence %}")
    para(doc, "{{ T.fu_evidence_title() }}", "Body Text Indent ITA")
    tag(doc, "{%p for url in p.evidence %}")
    para(doc, "- {{ url }}", "Item ITA")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    para(doc, "{{ T.fu_none() }}", "Body Text Indent ITA")
    tag(doc, "{%p endfor %}")


def build(out: Path | None = OUT) -> bytes:
    """Build ``follow_up.docx`` (into ``out``; None: nowhere); return its bytes."""
    doc = new_document("{{ T.fu_title() }}")
    cover(doc)
    summary(doc)
    measures(doc)
    details(doc)
    signature(doc)
    para(doc, "{{ T.fu_foot(fu) }}", "Note ITA")
    return save(doc, out)
