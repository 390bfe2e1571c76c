"""The DOCX templates' page layout, styles and tables (python-docx), shared by the yearly
report (:mod:`.yearly`), the follow-up report (:mod:`.follow_up`) and the area summary
(:mod:`.area`).

Layout: A4, TH Sarabun New in every script slot (Thai is a complex script, so ``w:cs`` and
``w:szCs`` are set as well as the Latin ones), real Heading 1/2/3 styles (navigation pane),
page numbers, and tables whose column widths are written twice — in the grid
(``w:tblGrid/w:gridCol``, which LibreOffice uses) and on every cell (``w:tcW``, which Word uses)
— with a fixed layout and a repeated header row.  A table's header words come from
``text.j2``'s ``col`` macro (``T.col(key)``), the same words the web page and the PDF print;
:func:`table` refuses a column narrower than its longest header word or sample value, so no
word or number is broken inside.  Wide tables go in landscape sections (:func:`landscape`).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import zipfile
import zlib
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from ...services.reports import FONTS, TEMPLATES, report_env

OUT_DIR = TEMPLATES / "report"
FONT = "TH Sarabun New"
BODY_PT = 15
TABLE_PT = 13
PAGE_MM = (210, 297)
MARGINS_MM = (30, 20)  # left, right
TEXT_WIDTH_MM = PAGE_MM[0] - sum(MARGINS_MM)  # 160
WIDE_WIDTH_MM = PAGE_MM[1] - sum(MARGINS_MM)  # 247, a landscape page
CELL_MARGIN_MM = 2 * 108 / 1440 * 25.4  # Table Grid's left and right cell margins
# TH Sarabun New (and Laksaman, the metric clone LibreOffice uses where it is missing) has
# Sarabun's advance widths to within 2 %: Sarabun measures a word, with this margin
WIDTH_MARGIN = 1.03


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
    # Latin letters and digits are English (LibreOffice breaks them by the Thai dictionary
    # otherwise: "Rating Scor / e", "(94.1 / 3)"); Thai is the complex-script language
    lang.set(qn("w:val"), "en-US")
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
    contents = styles.add_style("Contents ITA", WD_STYLE_TYPE.PARAGRAPH)
    contents.base_style = normal
    contents.paragraph_format.space_after = Pt(3)
    contents.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT,
                                                     WD_TAB_LEADER.DOTS)
    signature = styles.add_style("Signature ITA", WD_STYLE_TYPE.PARAGRAPH)
    signature.base_style = normal
    signature.paragraph_format.left_indent = Mm(TEXT_WIDTH_MM * 0.45)
    signature.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    signature.paragraph_format.keep_with_next = True
    spacer = styles.add_style("Spacer ITA", WD_STYLE_TYPE.PARAGRAPH)
    spacer.base_style = normal
    style_fonts(spacer, 4)
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


@functools.cache
def _advances() -> tuple[dict[int, int], int]:
    from fontTools.ttLib import TTFont

    font = TTFont(str(FONTS / "Sarabun-Bold.ttf"))
    cmap, hmtx = font.getBestCmap(), font["hmtx"]
    return {code: hmtx[name][0] for code, name in cmap.items()}, font["head"].unitsPerEm


def word_mm(word: str, size: float = TABLE_PT) -> float:
    """How wide ``word`` prints in the table font (bold, the widest case), in mm."""
    advances, upem = _advances()
    units = sum(advances.get(ord(ch), upem // 2) for ch in word)
    return units / upem * size * WIDTH_MARGIN * 25.4 / 72


# The Thai words of the table headers: a line may break between two of them (Thai has no
# spaces), never inside one.  Longest match first; a sequence not listed stays whole.
THAI_WORDS = tuple(sorted((
    "คะแนน", "หลัง", "ถ่วง", "น้ำหนัก", "ประเด็น", "การ", "ประเมิน", "จำนวน", "มาตรการ", "ผลต่าง",
    "ของ", "ตัวชี้วัด", "ที่", "ผล", "หน่วยงาน", "ผู้ตอบ", "ขั้นต่ำ", "รวม", "เฉลี่ย", "ต่ำสุด", "ราย",
    "คำตอบ", "ได้รับ", "ขาด", "อีก", "แผนงาน", "กิจกรรม", "ผู้รับผิดชอบ", "ขั้นตอน", "วิธี", "ปฏิบัติ",
    "ระยะเวลา", "สถานะ", "เกณฑ์", "ลำดับ", "เครื่องมือ", "พัฒนาการ", "ปีงบประมาณ", "ระดับ",
    "หมายเหตุ", "แนวทาง", "ไตรมาส"), key=len, reverse=True))


def _thai_pieces(token: str) -> list[str]:
    out, k, rest = [], 0, ""
    while k < len(token):
        word = next((w for w in THAI_WORDS if token.startswith(w, k)), None)
        if word is None:
            rest += token[k]
            k += 1
            continue
        if rest:
            out.append(rest)
            rest = ""
        out.append(word)
        k += len(word)
    return [*out, rest] if rest else out


def words(text: str) -> list[str]:
    """The unbreakable pieces of a cell's text: split at spaces, after a slash, and between
    the Thai words of :data:`THAI_WORDS`."""
    return [p for w in re.split(r"\s+|(?<=/)", text) if w for p in _thai_pieces(w)]


def column_need_mm(texts: list[str]) -> float:
    """The narrowest column that holds every word of ``texts`` whole."""
    return max((word_mm(w) for t in texts for w in words(t)), default=0.0) + CELL_MARGIN_MM


@functools.cache
def _text_module():
    return report_env().get_template("report/text.j2").make_module()


def head_word(key: str) -> str:
    """A header's words as the documents print them (``T.col(key)``)."""
    return str(_text_module().col(key))


def _set_width(el_parent, tag_name: str, mm: float) -> None:
    el = el_parent.find(qn(tag_name))
    if el is None:
        el = OxmlElement(tag_name)
        el_parent.append(el)
    el.set(qn("w:w"), str(round(mm / 25.4 * 1440)))
    el.set(qn("w:type"), "dxa")


def table(doc, columns: list[tuple], rows: list[list], *, width_mm: float = TEXT_WIDTH_MM,
          split_rows: bool = False, keep_together: bool = False) -> None:
    """A table with explicit widths in the grid and on every cell, a repeated header row.

    ``columns``: ``(header, width_mm)`` or ``(header, width_mm, samples)``; a header is a key
    of ``T.col`` (or a template expression in ``{{ }}``); ``samples``: the longest values the
    column holds (numbers, months), checked like the header's words.
    ``rows``: each row is a list of cells, a cell a string (one paragraph), a list of strings
    (paragraphs; ``{%p`` tags among them), or ``("centre"|"number", text)``; a row given as a
    plain string is a docxtpl row tag (``{%tr … %}``) in a row of its own.  ``split_rows``: a
    tall row may continue on the next page (the header row repeats there); ``keep_together``:
    the rows stay on one page with the header.
    """
    widths_mm = [c[1] for c in columns]
    assert abs(sum(widths_mm) - width_mm) < 0.5, widths_mm
    header = []
    for column in columns:
        key, mm = column[0], column[1]
        shown = key if "{{" in key else head_word(key)
        need = column_need_mm([shown if "{{" not in shown else "", *(column[2:3] or [[]])[0]])
        if mm + 0.05 < need:
            raise ValueError(f"column {shown!r}: {mm} mm is narrower than its longest word "
                             f"({need:.1f} mm)")
        header.append(key if "{{" in key else "{{ T.col('" + key + "') }}")
    t = doc.add_table(rows=0, cols=len(widths_mm))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    tbl_pr = t._tbl.tblPr
    _set_width(tbl_pr, "w:tblW", width_mm)
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
                if keep_together or head:
                    p.paragraph_format.keep_with_next = True
                if line:
                    p.add_run(line)

    add_row(header, head=True)
    for row in rows:
        if isinstance(row, str):
            add_row([row] + [""] * (len(widths_mm) - 1))
        else:
            add_row(row)
    if keep_together:  # the last row keeps with this, not with what follows the table
        doc.add_paragraph(style="Spacer ITA")


def landscape(doc, on: bool) -> None:
    """Start a new section on a new page, landscape (``on``) or back to portrait."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE if on else WD_ORIENT.PORTRAIT
    width, height = (PAGE_MM[1], PAGE_MM[0]) if on else PAGE_MM
    section.page_width, section.page_height = Mm(width), Mm(height)
    section.left_margin, section.right_margin = Mm(MARGINS_MM[0]), Mm(MARGINS_MM[1])
    section.top_margin, section.bottom_margin = Mm(25 if not on else 20), Mm(20)
    section.different_first_page_header_footer = False


def bookmark(paragraph, name: str) -> None:
    """Mark a heading so that the contents' page reference finds it."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(zlib.crc32(name.encode()) % 100_000))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), start.get(qn("w:id")))
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(end)


def contents(doc, entries: list[tuple[str, str]]) -> None:
    """The table of contents, filled: one line per heading with a dotted leader and the page
    the heading is on (a PAGEREF field to its bookmark: Word and LibreOffice compute it)."""
    for name, title in entries:
        p = para(doc, "", "Contents ITA")
        p.add_run(title)
        p.add_run("\t")
        field(p, f"PAGEREF {name} \\h", "")


def page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


SCORE = ["100.00"]
GRADE = ["AA"]


def indicator_table(doc, loop: str, ind: str = "ind", first: str = "indicator_no") -> None:
    """ตัวชี้วัดที่ | ประเด็นตัวชี้วัด | คะแนน | ระดับ | หมายเหตุ, one row per indicator ``ind`` of
    ``loop``; the ระดับ (grade) column only when the set grades indicators (``M.grades``: B.E.
    2566), the tier-only sets' table goes without it.  Its rows stay on one page."""
    cells = [("centre", f"{{{{ {ind}.code }}}}"), f"{{{{ {ind}.name_th }}}}",
             ("number", f"{{{{ {ind}.score|f }}}}")]
    verdict = ("centre", f"{{{{ T.remark({ind}, r.target) }}}}")
    remark = ("remark", 26, ["ไม่ผ่าน"])
    tag(doc, "{%p if M.grades %}")
    table(doc, [(first, 20), ("indicator_name", 74), ("score", 22, SCORE), ("grade", 18, GRADE),
                remark],
          [f"{{%tr for {loop} %}}", [*cells, ("centre", f"{{{{ {ind}.grade or '-' }}}}"), verdict],
           "{%tr endfor %}"], keep_together=True)
    tag(doc, "{%p else %}")
    table(doc, [(first, 20), ("indicator_name", 92), ("score", 22, SCORE), remark],
          [f"{{%tr for {loop} %}}", [*cells, verdict], "{%tr endfor %}"], keep_together=True)
    tag(doc, "{%p endif %}")


def chart(doc, name: str) -> None:
    """A chart image (``charts.<name>``, drawn at the text's width) in a paragraph of its own,
    clear of the table above it."""
    tag(doc, f"{{%p if charts.{name} %}}")
    p = para(doc, f"{{{{ charts.{name} }}}}")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Pt(8)
    p.paragraph_format.space_after = Pt(6)
    tag(doc, "{%p endif %}")


def new_document(title: str, *, toc: bool = False):
    """An A4 document with the report's styles, page numbers, and the fields updated on
    opening (the table of contents)."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(MARGINS_MM[0]), Mm(MARGINS_MM[1])
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


def save(doc, out: Path | None) -> bytes:
    """Every run of the body in the Thai font too (runs override nothing, but Word's "keep
    source formatting" paste and LibreOffice read run properties first), then save with fixed
    dates, so that building twice gives the same bytes; return them."""
    for paragraph in doc.paragraphs:
        for run in paragraph.runs:
            set_fonts(run._r.get_or_add_rPr())
    fixed = dt.datetime(2026, 1, 1)
    doc.core_properties.created = doc.core_properties.modified = fixed
    doc.core_properties.last_printed = fixed
    doc.core_properties.revision = 1
    raw = io.BytesIO()
    doc.save(raw)
    out_zip = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out_zip, "w",
                                                         zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, source.read(info.filename))
    data = out_zip.getvalue()
    if out is not None:
        out.write_bytes(data)
    return data


