"""Build the reports' DOCX templates (docxtpl) with python-docx: ``report.docx``, the yearly
report, ``follow_up.docx``, the measures' follow-up report, and ``area.docx``, the area summary.

Run it after changing the layout: ``python survey_app/templates/report/build_docx_template.py``.
The generated files are committed next to this script so that a person can open them in
Word or LibreOffice, change fonts, spacing or margins and save them; ``services.reports`` fills
them with docxtpl.  The words are not here: every sentence is a macro of ``text.j2`` (``T.…``)
or ``area_text.j2`` (``A.…``), the same macros the web reports and the PDFs use.

Layout: A4, TH Sarabun New 16 pt in every script slot (Thai is a complex script, so ``w:cs``
and ``w:szCs`` are set as well as the Latin ones), real Heading 1/2/3 styles (navigation pane,
table of contents), a TOC field Word fills when the document opens, page numbers, and tables
whose column widths are written twice — in the grid (``w:tblGrid/w:gridCol``, which LibreOffice
uses) and on every cell (``w:tcW``, which Word uses) — with a fixed layout and a repeated header
row.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

OUT = Path(__file__).with_name("report.docx")
FOLLOW_UP_OUT = Path(__file__).with_name("follow_up.docx")
AREA_OUT = Path(__file__).with_name("area.docx")
FONT = "TH Sarabun New"
BODY_PT = 16
TABLE_PT = 14
TEXT_WIDTH_MM = 160  # A4 210 mm less 30 mm left and 20 mm right margins


def set_fonts(rpr, size: float | None = None, bold: bool | None = None) -> None:
    """Put the Thai font in every script slot of a run or style's properties."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        if fonts.get(qn(theme)) is not None:
            del fonts.attrib[qn(theme)]
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            el = rpr.find(qn(tag))
            if el is None:
                el = OxmlElement(tag)
                rpr.append(el)
            el.set(qn("w:val"), str(int(size * 2)))
    if bold:
        for tag in ("w:b", "w:bCs"):
            if rpr.find(qn(tag)) is None:
                rpr.append(OxmlElement(tag))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "th-TH")
    lang.set(qn("w:bidi"), "th-TH")


def style_fonts(style, size: float, bold: bool = False) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    set_fonts(style.element.get_or_add_rPr(), size, bold)


def setup_styles(doc) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    style_fonts(normal, BODY_PT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    for name, size in (("Heading 1", 18), ("Heading 2", 16), ("Heading 3", 16)):
        style = styles[name]
        style_fonts(style, size, bold=True)
        style.font.italic = False
        fmt = style.paragraph_format
        fmt.keep_with_next = True
        fmt.space_before = Pt(10 if name == "Heading 1" else 6)
        fmt.space_after = Pt(3)
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER if name == "Heading 1" else WD_ALIGN_PARAGRAPH.LEFT
    cover = styles.add_style("Cover", WD_STYLE_TYPE.PARAGRAPH)
    cover.base_style = normal
    style_fonts(cover, 24, bold=True)
    cover.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cover.paragraph_format.space_after = Pt(8)
    body = styles.add_style("Body Text Indent ITA", WD_STYLE_TYPE.PARAGRAPH)
    body.base_style = normal
    body.paragraph_format.first_line_indent = Cm(1.25)
    body.paragraph_format.space_after = Pt(2)
    strong = styles.add_style("Lead ITA", WD_STYLE_TYPE.PARAGRAPH)
    strong.base_style = normal
    style_fonts(strong, BODY_PT, bold=True)
    strong.paragraph_format.keep_with_next = True
    strong.paragraph_format.space_before = Pt(4)
    item = styles.add_style("Item ITA", WD_STYLE_TYPE.PARAGRAPH)
    item.base_style = normal
    item.paragraph_format.left_indent = Cm(1.25)
    sub = styles.add_style("Sub Item ITA", WD_STYLE_TYPE.PARAGRAPH)
    sub.base_style = normal
    sub.paragraph_format.left_indent = Cm(2.25)
    cell = styles.add_style("Table Text ITA", WD_STYLE_TYPE.PARAGRAPH)
    cell.base_style = normal
    style_fonts(cell, TABLE_PT)
    head = styles.add_style("Table Head ITA", WD_STYLE_TYPE.PARAGRAPH)
    head.base_style = cell
    style_fonts(head, TABLE_PT, bold=True)
    head.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    centred = styles.add_style("Table Centre ITA", WD_STYLE_TYPE.PARAGRAPH)
    centred.base_style = cell
    centred.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number = styles.add_style("Table Number ITA", WD_STYLE_TYPE.PARAGRAPH)
    number.base_style = cell
    number.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    note = styles.add_style("Note ITA", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    style_fonts(note, 12)
    for name in ("Title", "Subtitle"):
        style_fonts(styles[name], 20, bold=True)
    doc_defaults = doc.styles.element.find(qn("w:docDefaults"))
    if doc_defaults is not None:
        rpr = doc_defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            set_fonts(rpr, BODY_PT)


def para(doc_or_cell, text: str = "", style: str | None = None):
    p = doc_or_cell.add_paragraph(style=style)
    if text:
        p.add_run(text)
    return p


def tag(doc_or_cell, text: str) -> None:
    """A paragraph holding only a docxtpl block tag (``{%p … %}``): docxtpl removes it."""
    doc_or_cell.add_paragraph(text, style="Normal")


def field(paragraph, instruction: str, placeholder: str = "") -> None:
    """Insert a complex field (TOC, PAGE) that Word computes."""
    def fld(kind: str):
        run = paragraph.add_run()
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            el.set(qn("w:dirty"), "true")
        run._r.append(el)

    fld("begin")
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    fld("separate")
    if placeholder:
        paragraph.add_run(placeholder)
    fld("end")


def _set_width(el_parent, tag_name: str, mm: float) -> None:
    el = el_parent.find(qn(tag_name))
    if el is None:
        el = OxmlElement(tag_name)
        el_parent.append(el)
    el.set(qn("w:w"), str(round(mm / 25.4 * 1440)))
    el.set(qn("w:type"), "dxa")


def table(doc, widths_mm: list[float], header: list[str], rows: list[list], *,
          split_rows: bool = False) -> None:
    """A table with explicit widths in the grid and on every cell, a repeated header row.

    ``rows``: each row is a list of cells, a cell a string (one paragraph), a list of strings
    (paragraphs; ``{%p`` tags among them), or ``("centre"|"number", text)``; a row given as a
    plain string is a docxtpl row tag (``{%tr … %}``) in a row of its own.  ``split_rows``: a
    tall row may continue on the next page (the header row repeats there).
    """
    assert abs(sum(widths_mm) - TEXT_WIDTH_MM) < 0.5, widths_mm
    t = doc.add_table(rows=0, cols=len(widths_mm))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    tbl_pr = t._tbl.tblPr
    _set_width(tbl_pr, "w:tblW", TEXT_WIDTH_MM)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    grid = t._tbl.tblGrid
    for col, mm in zip(grid.findall(qn("w:gridCol")), widths_mm, strict=True):
        col.set(qn("w:w"), str(round(mm / 25.4 * 1440)))

    def add_row(cells: list, *, head: bool = False) -> None:
        row = t.add_row()
        tr_pr = row._tr.get_or_add_trPr()
        if head or not split_rows:
            tr_pr.append(OxmlElement("w:cantSplit"))
        if head:
            tr_pr.append(OxmlElement("w:tblHeader"))
        for cell, mm, content in zip(row.cells, widths_mm, cells, strict=True):
            _set_width(cell._tc.get_or_add_tcPr(), "w:tcW", mm)
            cell.width = Mm(mm)
            style = "Table Head ITA" if head else "Table Text ITA"
            if isinstance(content, tuple):
                style = {"centre": "Table Centre ITA", "number": "Table Number ITA"}[content[0]]
                content = content[1]
            lines = content if isinstance(content, list) else [content]
            first = cell.paragraphs[0]
            first.style = doc.styles[style]
            for k, line in enumerate(lines):
                p = first if k == 0 else cell.add_paragraph(style=style)
                if line.startswith("{%p"):
                    p.style = doc.styles["Table Text ITA"]
                if line:
                    p.add_run(line)

    add_row(header, head=True)
    for row in rows:
        if isinstance(row, str):
            add_row([row] + [""] * (len(widths_mm) - 1))
        else:
            add_row(row)


def page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def indicator_table(doc, loop: str, ind: str = "ind", first: str = "ตัวชี้วัดที่") -> None:
    """ตัวชี้วัดที่ | ประเด็นตัวชี้วัด | คะแนน | ระดับ | หมายเหตุ, one row per indicator ``ind`` of
    ``loop``; the ระดับ (grade) column only when the set grades indicators (``M.grades``: B.E.
    2566), the tier-only sets' table goes without it."""
    cells = [("centre", f"{{{{ {ind}.code }}}}"), f"{{{{ {ind}.name_th }}}}",
             ("number", f"{{{{ {ind}.score|f }}}}")]
    verdict = ("centre", f"{{{{ T.verdict_word({ind}.passed) }}}}")
    tag(doc, "{%p if M.grades %}")
    table(doc, [22, 78, 22, 18, 20], [first, "ประเด็นตัวชี้วัด", "คะแนน", "ระดับ", "หมายเหตุ"],
          [f"{{%tr for {loop} %}}", [*cells, ("centre", f"{{{{ {ind}.grade or '-' }}}}"), verdict],
           "{%tr endfor %}"])
    tag(doc, "{%p else %}")
    table(doc, [22, 96, 22, 20], [first, "ประเด็นตัวชี้วัด", "คะแนน", "หมายเหตุ"],
          [f"{{%tr for {loop} %}}", [*cells, verdict], "{%tr endfor %}"])
    tag(doc, "{%p endif %}")


def new_document(title: str, *, toc: bool = False):
    """An A4 document with the report's styles, page numbers, and the fields updated on
    opening (the table of contents)."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(20)
    section.top_margin, section.bottom_margin = Mm(25), Mm(20)
    section.different_first_page_header_footer = True
    setup_styles(doc)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field(footer, "PAGE", "1")
    doc.core_properties.title = title
    doc.core_properties.language = "th-TH"
    doc.core_properties.author = "ita-survey"
    if toc:
        settings = doc.settings.element
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.append(update)
    return doc


def save(doc, out: Path) -> None:
    """Every run of the body in the Thai font too (runs override nothing, but Word's "keep
    source formatting" paste and LibreOffice read run properties first), then save."""
    for paragraph in doc.paragraphs:
        for run in paragraph.runs:
            set_fonts(run._r.get_or_add_rPr())
    doc.save(out)


def build() -> None:
    doc = new_document("{{ T.cover_title() }}", toc=True)

    # cover
    for _ in range(8):
        para(doc)
    para(doc, "{{ T.cover_title() }}", "Cover")
    para(doc, "{{ T.cover_agency(report) }}", "Cover")
    para(doc, "{{ T.cover_year(report) }}", "Cover")
    page_break(doc)

    # table of contents: Word fills it on opening (updateFields); LibreOffice: Tools ▸ Update
    para(doc, "{{ T.toc_title() }}", "Lead ITA").alignment = WD_ALIGN_PARAGRAPH.CENTER
    field(para(doc), 'TOC \\o "1-2" \\h \\z \\u',
          "(สารบัญ: คลิกขวาแล้วเลือก “อัปเดตเขตข้อมูล” / Update Field เพื่อแสดงเลขหน้า)")
    page_break(doc)

    doc.add_heading("{{ T.past_title() }}", level=1)
    para(doc, "{{ T.background(report) }}", "Body Text Indent ITA")
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

    doc.add_heading("{{ T.results_title(report) }}", level=1)
    para(doc, "1. {{ T.summary(report) }}", "Body Text Indent ITA")
    para(doc, "2. {{ T.history_intro(report) }}", "Body Text Indent ITA")
    table(doc, [34, 42, 38, 46],
          ["ปีงบประมาณ พ.ศ.", "ผลคะแนน ITA", "พัฒนาการ", "ผลต่างของคะแนน ITA"],
          ["{%tr for p in r.trend %}",
           [("centre", "{{ p.fiscal_year_be }}"), ("centre", "{{ p.total|f }}"),
            ("centre", "{{ p.development }}"), ("centre", "{{ p.difference|signed }}")],
           "{%tr endfor %}"])
    tag(doc, "{%p if charts.trend %}")
    para(doc, "{{ charts.trend }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    tag(doc, "{%p endif %}")
    para(doc, "3. {{ T.ranked_intro(report) }}", "Body Text Indent ITA")
    indicator_table(doc, "ind in r.ranked")
    tag(doc, "{%p if charts.indicators %}")
    para(doc, "{{ charts.indicators }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if M.grades %}")
    para(doc, "{{ T.grades_note() }}", "Lead ITA")
    table(doc, [30, 70, 60], ["ระดับ", "คะแนน", "หมายเหตุ"],
          ["{%tr for g in M.grades %}",
           [("centre", "{{ g.grade }}"), ("centre", "{{ T.band(g) }}"),
            ("centre", "{{ T.verdict_word(g.passed) }}")],
           "{%tr endfor %}"])
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if M.has_tiers %}")
    para(doc, "{{ T.tiers_note() }}", "Lead ITA")
    table(doc, [50, 110], ["ผลการประเมิน", "เกณฑ์"],
          ["{%tr for tier in M.tiers %}",
           [("centre", "{{ tier.label_th }}"), "{{ T.tier_rule(tier) }}"],
           "{%tr endfor %}"])
    tag(doc, "{%p endif %}")

    doc.add_heading("{{ T.analysis_title(report) }}", level=1)
    table(doc, [16, 72, 20, 24, 28],
          ["ลำดับ", "ตัวชี้วัด", "คะแนน", "เครื่องมือ", "คะแนนหลังถ่วงน้ำหนัก"],
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
           ["", "{{ T.total_row() }}", "", "", ("number", "{{ r.total|f }} {{ r.grade or '' }}")]])
    para(doc, "{{ T.channel_title() }}", "Lead ITA")
    # one column per instrument of the framework (IIT, EIT, OIT)
    table(doc, [54, 53, 53],
          ["{{ T.channel_head(r.instruments[0]) }}", "{{ T.channel_head(r.instruments[1]) }}",
           "{{ T.channel_head(r.instruments[2]) }}"],
          ["{%tr for row in r.channel_rows %}",
           ["{{ T.channel_cell(row[0]) if row[0] }}", "{{ T.channel_cell(row[1]) if row[1] }}",
            "{{ T.channel_cell(row[2]) if row[2] }}"],
           "{%tr endfor %}"])

    doc.add_heading("{{ T.sw_title(report) }}", level=1)
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

    doc.add_heading("{{ T.oit_title() }}", level=2)
    tag(doc, "{%p for f in report.oit_findings %}")
    para(doc, "{{ T.oit_finding(f) }}", "Body Text Indent ITA")
    tag(doc, "{%p for o in f.sub_indicator.not_passed %}")
    para(doc, "- {{ T.oit_item(o) }}", "Item ITA")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    para(doc, "{{ T.oit_all_full() }}", "Body Text Indent ITA")
    tag(doc, "{%p endfor %}")

    doc.add_heading("{{ T.improve_title() }}", level=1)
    tag(doc, "{%p if report.measures_below %}")
    para(doc, "{{ T.improve_intro(report) }}", "Body Text Indent ITA")
    indicator_table(doc, "s in report.measures_below", "s.indicator", "ตัวชี้วัด")
    tag(doc, "{%p else %}")
    para(doc, "{{ T.improve_none(report) }}", "Body Text Indent ITA")
    tag(doc, "{%p endif %}")

    tag(doc, "{%p if report.measures %}")
    doc.add_heading("{{ T.guidelines_title() }}", level=2)
    table(doc, [38, 56, 66], ["ตัวชี้วัด", "ประเด็นการประเมิน", "มาตรการแนวทาง"],
          ["{%tr for s in report.measures %}",
           ["ตัวชี้วัดที่ {{ s.indicator.code }} {{ s.indicator.name_th }}",
            ["{%p for w in s.issues %}", "{{ loop.index }}. {{ T.weak_item(w) }}",
             "{%p else %}", "-", "{%p endfor %}"],
            ["{%p for m in s.measures %}", "{{ loop.index }}. {{ m.measure|join(' ') }}",
             "{%p else %}", "{{ T.missing_measure() }}", "{%p endfor %}"]],
           "{%tr endfor %}"], split_rows=True)
    tag(doc, "{%p for s in report.measures %}")
    doc.add_heading("{{ T.plan_title(report, s.indicator) }}", level=2)
    table(doc, [30, 40, 22, 38, 30],
          ["ประเด็นการประเมิน", "แผนงาน/กิจกรรม", "ผู้รับผิดชอบ", "ขั้นตอน/วิธีการปฏิบัติ",
           "ระยะเวลา"],
          ["{%tr for m in s.measures %}",
           [["{%p if loop.first %}", "{%p for w in s.issues %}",
             "{{ loop.index }}. {{ T.weak_item(w) }}", "{%p else %}", "-", "{%p endfor %}",
             "{%p else %}", "", "{%p endif %}"],
            ["{%p for line in m.measure %}", "{{ line }}", "{%p endfor %}"],
            "{{ m.responsible or '-' }}",
            ["{%p for line in m.steps %}", "{{ line }}", "{%p else %}", "-", "{%p endfor %}"],
            "{{ T.measure_period(m) }}"],
           "{%tr else %}",
           [["{%p for w in s.issues %}", "{{ loop.index }}. {{ T.weak_item(w) }}",
             "{%p else %}", "-", "{%p endfor %}"], "{{ T.missing_measure() }}", "-", "-", "-"],
           "{%tr endfor %}"], split_rows=True)
    tag(doc, "{%p endfor %}")

    doc.add_heading("{{ T.sustain_title() }}", level=1)
    para(doc, "{{ T.sustain_intro(report) }}", "Lead ITA")
    tag(doc, "{%p for s in report.measures %}")
    doc.add_heading("{{ T.sustain_measure(s.indicator) }}", level=2)
    para(doc, "{{ T.steps_title() }}", "Lead ITA")
    tag(doc, "{%p for m in s.measures %}")
    para(doc, "{{ loop.index }}. {{ m.measure|join(' ') }}", "Body Text Indent ITA")
    tag(doc, "{%p for line in m.steps %}")
    para(doc, "{{ line }}", "Item ITA")
    tag(doc, "{%p endfor %}")
    para(doc, "{{ T.responsible(m.responsible) }} · {{ T.period(T.measure_period(m)) }}",
         "Item ITA")
    tag(doc, "{%p else %}")
    para(doc, "{{ T.missing_measure() }}", "Body Text Indent ITA")
    tag(doc, "{%p endfor %}")
    p = para(doc, "", "Body Text Indent ITA")
    p.add_run("{{ T.monitoring_title() }}").bold = True
    p.add_run(" {{ s.monitoring }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    para(doc, "{{ T.foot(report) }}", "Note ITA")
    save(doc, OUT)


def build_follow_up() -> None:
    """``follow_up.docx``: the follow-up report of the measures, a quarter's or the year's
    (``fu``, a FollowUpView), in the same styles as the yearly report."""
    doc = new_document("{{ T.fu_title() }}")
    for _ in range(8):
        para(doc)
    for line in ("{{ T.fu_title() }}", "{{ T.fu_agency(fu) }}", "{{ T.fu_year(fu) }}",
                 "{{ T.fu_period(fu) }}"):
        para(doc, line, "Cover")
    page_break(doc)

    doc.add_heading("{{ T.fu_purpose_title() }}", level=1)
    para(doc, "{{ T.fu_purpose(fu) }} {{ T.fu_serves(fu) }}", "Body Text Indent ITA")

    doc.add_heading("{{ T.fu_summary_title(fu) }}", level=1)
    para(doc, "{{ T.fu_summary(fu) }}", "Body Text Indent ITA")
    table(doc, [100, 60], ["สถานะ", "จำนวนมาตรการ"],
          ["{%tr for c in fu.counts %}",
           ["{{ T.status_word(c.status) }}", ("centre", "{{ c.count }}")],
           "{%tr endfor %}",
           ["รวม", ("centre", "{{ fu.total }}")]])
    doc.add_heading("{{ T.fu_overdue_title() }}", level=2)
    tag(doc, "{%p for m in fu.overdue %}")
    para(doc, "{{ loop.index }}) {{ T.fu_overdue_line(m) }}", "Item ITA")
    tag(doc, "{%p else %}")
    para(doc, "{{ T.fu_overdue_none() }}", "Body Text Indent ITA")
    tag(doc, "{%p endfor %}")

    doc.add_heading("{{ T.fu_table_title(fu) }}", level=1)
    tag(doc, "{%p if fu.reported %}")
    table(doc, [12, 30, 52, 24, 20, 22],
          ["ลำดับ", "ตัวชี้วัด", "ประเด็น / มาตรการ", "ผู้รับผิดชอบ", "ระยะเวลา", "สถานะ"],
          ["{%tr for m in fu.reported %}",
           [("centre", "{{ loop.index }}"), "{{ m.indicator_code }} {{ m.indicator_name_th }}",
            ["{%p for line in m.issue %}", "{{ line }}", "{%p endfor %}",
             "{%p for line in m.measure %}", "{{ line }}", "{%p endfor %}"],
            "{{ m.responsible or '-' }}", "{{ T.measure_period(m) }}",
            ("centre", "{{ T.status_word(m.status) }}")],
           "{%tr endfor %}"], split_rows=True)
    tag(doc, "{%p if fu.quarter is none %}")
    para(doc, "{{ T.fu_grid_title() }}", "Lead ITA")
    table(doc, [12, 56, 23, 23, 23, 23],
          ["ลำดับ", "มาตรการ", "ไตรมาส 1", "ไตรมาส 2", "ไตรมาส 3", "ไตรมาส 4"],
          ["{%tr for m in fu.reported %}",
           [("centre", "{{ loop.index }}"), "{{ m.measure|join(' ') }}",
            ("centre", "{{ T.status_word(m.quarters[0].status) }}"),
            ("centre", "{{ T.status_word(m.quarters[1].status) }}"),
            ("centre", "{{ T.status_word(m.quarters[2].status) }}"),
            ("centre", "{{ T.status_word(m.quarters[3].status) }}")],
           "{%tr endfor %}"])
    tag(doc, "{%p endif %}")

    doc.add_heading("{{ T.fu_details_title() }}", level=1)
    tag(doc, "{%p for m in fu.reported %}")
    doc.add_heading("{{ T.fu_measure_head(loop.index, m) }}", level=2)
    para(doc, "{{ T.fu_measure_facts(m) }}", "Body Text Indent ITA")
    tag(doc, "{%p for q in fu.quarters %}")
    tag(doc, "{%p set p = m.progress(q) %}")
    para(doc, "{{ T.fu_quarter_line(fu, p) }}", "Lead ITA").paragraph_format.keep_with_next = True
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
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    para(doc, "{{ T.fu_none() }}", "Body Text Indent ITA")
    tag(doc, "{%p endif %}")
    para(doc, "{{ T.fu_foot(fu) }}", "Note ITA")
    save(doc, FOLLOW_UP_OUT)


def build_area() -> None:
    """The area summary report (``area.docx``): macros of ``area_text.j2`` (``A.…``)."""
    doc = new_document("{{ A.title() }}")
    para(doc, "{{ A.title() }}{{ A.area_line(R) }}", "Cover")
    para(doc, "{{ A.year_line(R) }}", "Cover")
    doc.add_heading("{{ A.overview_title() }}", level=2)
    para(doc, "{{ A.overview(R) }}", "Body Text Indent ITA")
    para(doc, "{{ A.average(R) }}", "Body Text Indent ITA")
    para(doc, "{{ A.minimum_note() }}", "Note ITA")

    doc.add_heading("{{ A.distribution_title() }}", level=2)
    tag(doc, "{%p if distribution and R.rated %}")
    table(doc, [80, 80], ["ผลการประเมิน", "จำนวนหน่วยงาน"],
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
    table(doc, [14, 56, 30, 20, 40], ["ลำดับ", "หน่วยงาน", "ผู้ตอบ/ขั้นต่ำ", "คะแนนรวม",
                                      "ผลการประเมิน"],
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
    table(doc, [22, 62, 20, 20, 18, 18],
          ["ตัวชี้วัด", "ประเด็นการประเมิน", "คะแนนเฉลี่ย", "ต่ำสุดรายหน่วยงาน", "จำนวนคำตอบ",
           "หน่วยงาน"],
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
    table(doc, [56, 22, 22, 38, 22], ["หน่วยงาน", "เครื่องมือ", "ได้รับ", "ขั้นต่ำ", "ขาดอีก"],
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
    save(doc, AREA_OUT)


if __name__ == "__main__":
    build()
    build_follow_up()
    build_area()
    print(f"wrote {OUT}, {FOLLOW_UP_OUT} and {AREA_OUT}")
