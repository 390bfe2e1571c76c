"""The report files an office hands in unchanged: the PDF's text layer, the report fonts' build,
the follow-up report's measures, and the DOCX templates' build.

The PDF's text is read back with pdftotext (poppler-utils) and compared, paragraph by
paragraph and cell by cell, with the page it was printed from.
"""

from __future__ import annotations

import html as html_lib
import io
import re
import subprocess
from types import SimpleNamespace

import pytest
from fontTools.ttLib import TTFont

from questionnaires import load_instrument_set
from survey_app.services import pdf_text, reports
from survey_app.services import view_models as vm
from survey_app.services.assessments import AssessmentState
from survey_app.services.measures import build_follow_up
from survey_app.tools import fonts as font_tool

from ...external import tool
from .test_report_yearly import AGENCY, SEED, _report

THAI = re.compile("[\u0e00-\u0e7f]")


def _pdftotext(pdf: bytes, *args: str) -> str:
    text = subprocess.run([tool("pdftotext"), *args, "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8")
    return re.sub(r"\n\d+\n*\f", "\n", text)  # each page's number at its foot


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _blocks(page: str) -> tuple[list[str], list[str]]:
    """The page's Thai paragraphs and headings, and its Thai table cells, as plain text."""
    page = re.sub(r"(?s)<style.*?</style>|<svg.*?</svg>|<title>.*?</title>", "", page)
    paragraphs, cells = [], []
    for tag, inner in re.findall(r"(?s)<(p|h1|h2|h3|li|td|th)\b[^>]*>(.*?)</\1>", page):
        text = html_lib.unescape(re.sub(r"<[^>]+>", " ", inner)).strip()
        if THAI.search(text):
            (cells if tag in ("td", "th") else paragraphs).append(text)
    return paragraphs, cells


def _assert_text_layer(page: str, pdf: bytes) -> int:
    """Every Thai paragraph of ``page`` reads back whole from ``pdf`` (paragraphs in reading
    order, table cells in drawing order: a cell's lines interleave with its row's in reading
    order); returns how many were compared."""
    flowing = _squash(_pdftotext(pdf))
    drawn = _squash(_pdftotext(pdf, "-raw"))
    paragraphs, cells = _blocks(page)
    missing = [p for p in paragraphs if _squash(p) not in flowing]
    missing += [c for c in cells if _squash(c) not in drawn]
    assert not missing, missing[:5]
    for wrong in ("กำร", "ประจาปี", "สำนักงำน"):
        assert wrong not in flowing
    return len(paragraphs) + len(cells)


def _seed_report() -> vm.ReportView:
    iset = load_instrument_set("ita-2566")
    given = {c: v["score"] for c, v in SEED["indicators"].items() if v["instrument"] != "OIT"}
    oit = {o.code: o.code not in ("O29", "O37") for o in iset.oit_items}
    history = [(h["fiscal_year_be"], h["total"]) for h in SEED["history"]
               if h["fiscal_year_be"] < 2566]
    return _report(iset, given, oit, history, 2566)


def _y2569_report() -> vm.ReportView:
    iset = load_instrument_set("ita-2569")
    given = {c: 88.0 + k for k, c in enumerate(
        c for c, i in iset.indicators.items() if i.instrument != "OIT")}
    oit = {o.code: k % 7 != 0 for k, o in enumerate(iset.oit_items)}
    return _report(iset, given, oit, [(2568, 91.0)], 2569)


def _measure(k: int, indicator: str, text: str, start: int, end: int, progress=()):
    return SimpleNamespace(id=k, indicator=indicator, position=k, issue="", measure=text,
                           responsible="กลุ่มอำนวยการ", steps="", period="",
                           start_quarter=start, end_quarter=end, progress=list(progress))


def _follow_up(quarter: int | None) -> vm.FollowUpView:
    done = SimpleNamespace(quarter=1, status="done", note="ประชุมชี้แจงบุคลากรครบทุกกลุ่มงาน",
                           evidence_urls="https://example.go.th/ita/o26")
    rows = [_measure(1, "6", "จัดทำคู่มือการให้บริการ", 1, 1, [done]),
            _measure(2, "7", "เผยแพร่ข้อมูลข่าวสารผ่านช่องทางออนไลน์", 1, 4),
            _measure(3, "10", "ประชุมคณะกรรมการประเมินความเสี่ยงการทุจริต", 3, 3)]
    info = vm.AssessmentInfo(1, 2568, "ita-2569", AssessmentState.CLOSED)
    return build_follow_up(load_instrument_set("ita-2569"), rows, agency=AGENCY,
                           assessment=info, fiscal_year_be=2569, quarter=quarter, closed=1)


@pytest.mark.parametrize("which", ["seed", "y2569"])
def test_the_yearly_pdf_reads_back_as_its_source_text(which):
    report = _seed_report() if which == "seed" else _y2569_report()
    page, _ = reports.render_report_html(report, font_base=reports.PDF_FONT_BASE)
    compared = _assert_text_layer(page, reports.report_pdf(report))
    assert compared > 150


@pytest.mark.parametrize("quarter", [1, None])
def test_the_follow_up_pdf_reads_back_as_its_source_text(quarter):
    view = _follow_up(quarter)
    page, _ = reports.follow_up_html(view, font_base=reports.PDF_FONT_BASE)
    assert _assert_text_layer(page, reports.follow_up_pdf(view)) > 20


def test_words_with_sara_am_and_stacked_marks_read_back_exactly():
    words = "การ กำลัง น้ำ ค่ำ ประจำปี ผู้มีส่วนได้ส่วนเสีย ที่ผ่านมา อยู่ใน ญี่ปุ่น ปั้น ฟ้า"
    page = ("<html><head><style>" + reports.report_env().get_template(
        "report/report.css.j2").render(font_base=reports.PDF_FONT_BASE)
        + " p { font-size: 10pt; text-indent: 0 }</style></head><body><p>" + words + "</p><p><strong>" + words
        + "</strong></p></body></html>")
    text = _pdftotext(reports.html_pdf(page))
    assert text.split("\n")[:2] == [words, words]  # spaces too: nothing loose, nothing added


def test_the_shipped_fonts_are_built_and_the_build_changes_nothing_more(tmp_path):
    for name in font_tool.FONT_FILES:
        shipped = font_tool.FONTS / name
        font = TTFont(io.BytesIO(shipped.read_bytes()))
        assert pdf_text.AM_AA in font.getGlyphOrder(), name
        texts = pdf_text.glyph_texts(shipped.read_bytes())
        order = font.getGlyphOrder()
        by_name = {order[gid]: text for gid, text in texts.items()}
        assert by_name["uni0E32"] == "า" and by_name[pdf_text.AM_AA] == "ำ"
        assert by_name["uni0E4D"] == "" and by_name["uni0E4D0E48"] == "\u0e48"
        assert by_name["uni0E48.small"] == "\u0e48"  # a shifted tone mark reads as the mark
        copy = tmp_path / name
        copy.write_bytes(shipped.read_bytes())
        assert font_tool.build_file(copy) is False
        assert copy.read_bytes() == shipped.read_bytes()


def _attachments(font: TTFont) -> dict[tuple[str, str, int], float]:
    """Each Thai mark's outline left edge relative to each of its anchors (by lookup)."""
    glyf = font["glyf"]
    out = {}
    for k, lookup in enumerate(font["GPOS"].table.LookupList.Lookup):
        for sub in lookup.SubTable:
            kind = type(sub).__name__
            pairs = []
            if kind in ("MarkBasePos", "MarkLigPos"):
                pairs = [(g, r.MarkAnchor) for g, r in zip(sub.MarkCoverage.glyphs,
                                                           sub.MarkArray.MarkRecord, strict=True)]
            elif kind == "MarkMarkPos":
                pairs = [(g, r.MarkAnchor) for g, r in zip(sub.Mark1Coverage.glyphs,
                                                           sub.Mark1Array.MarkRecord, strict=True)]
                pairs += [(g, a) for g, r in zip(sub.Mark2Coverage.glyphs,
                                                 sub.Mark2Array.Mark2Record, strict=True)
                          for a in r.Mark2Anchor if a is not None]
            for n, (name, anchor) in enumerate(pairs):
                if name.startswith("uni0E") and glyf[name].numberOfContours:
                    glyf[name].recalcBounds(glyf)
                    out[(name, f"{k}.{n}", anchor.XCoordinate)] = \
                        glyf[name].xMin - anchor.XCoordinate
    return out


def test_moving_a_marks_origin_moves_no_ink():
    """The build draws each Thai mark right of its origin and attaches it as much further left:
    a mark's outline keeps its place relative to every anchor it attaches by."""
    font = TTFont(io.BytesIO((font_tool.FONTS / "Sarabun-Regular.ttf").read_bytes()))
    before = _attachments(font)
    font_tool._shift_marks(font, 60)
    after = _attachments(font)
    assert len(before) == len(after) > 100
    assert sorted(before.values()) == sorted(after.values())
    moved = [name for name in {k[0] for k in before} if font["hmtx"][name][0] == 0]
    assert moved  # zero-width marks, all of them checked


# -- the office's document: edited on the report-texts page, printed in every format ----------


def _png(size=(120, 60)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (20, 60, 140)).save(out, format="PNG")
    return out.getvalue()


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    return match.group(1) if match else ""


DOCUMENT = {
    "document": "1",
    "foreword": "รายงานฉบับนี้จัดทำขึ้นเพื่อวิเคราะห์ผลการประเมิน\r\nและกำหนดมาตรการส่งเสริมคุณธรรม",
    "background": "สำนักงานรับการประเมินจากสำนักงานคณะกรรมการการศึกษาขั้นพื้นฐานอย่างต่อเนื่อง",
    "internal_measures": "ประกาศเจตนารมณ์เพื่อเป็นองค์กรคุณธรรม\nมาตรการป้องกันการรับสินบน\n"
                         "มาตรการตรวจสอบการใช้ดุลพินิจ",
    "comparison_scope": "ในภาพรวมระดับประเทศของสำนักงานเขตพื้นที่การศึกษา",
    "comparison_units": "245", "comparison_score": "94.67",
    "director_name": "นายสมชาย ใจดี",
    "director_position": "ผู้อำนวยการสำนักงานเขตพื้นที่การศึกษาประถมศึกษาเชียงใหม่ เขต 3",
    "cover_date": "2026-12-15",
}


def test_the_offices_document_is_saved_audited_and_printed(app, client):
    import docx
    import sqlalchemy as sa

    from survey_app.extensions import db
    from survey_app.models import Assessment, AuditEvent, ReportDocument

    from .results_data import login, seed_one

    seeded = seed_one(app)
    login(client)
    url = f"/admin/assessments/{seeded.assessment_id}/report/texts"
    page = client.get(url).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'class="paragraph"' in page
    data = dict(DOCUMENT, csrf_token=_csrf(page), logo=(io.BytesIO(_png()), "logo.png"))
    saved = client.post(url, data=data, content_type="multipart/form-data")
    assert saved.status_code == 302
    with app.app_context():
        row = db.session.scalar(sa.select(ReportDocument))
        assert row.director_name == "นายสมชาย ใจดี" and row.comparison_units == 245
        assert row.logo_type == "png" and row.logo.startswith(b"\x89PNG")
        detail = db.session.scalars(sa.select(AuditEvent.detail).where(
            AuditEvent.action == "report_texts")).one()
        assert "document logo" in detail and "document foreword" in detail
        assessment = db.session.get(Assessment, seeded.assessment_id)
        report = reports.report_view(db.session, assessment, bootstrap=0)
    html, _ = reports.render_report_html(report, font_base=reports.PDF_FONT_BASE)
    for words in ("คำนำ", "รายงานฉบับนี้จัดทำขึ้นเพื่อวิเคราะห์ผลการประเมิน", "(นายสมชาย ใจดี)",
                  "จากการประเมินทั้งสิ้น 245 หน่วยงาน ได้คะแนนเฉลี่ยร้อยละ 94.67",
                  "มาตรการป้องกันการรับสินบน", "ธันวาคม 2569", "data:image/png;base64,",
                  "สำนักงานรับการประเมินจากสำนักงานคณะกรรมการการศึกษาขั้นพื้นฐานอย่างต่อเนื่อง"):
        assert words in html, words
    pdf_text = _squash(_pdftotext(reports.report_pdf(report)))
    for words in ("(นายสมชาย ใจดี)", "มาตรการตรวจสอบการใช้ดุลพินิจ", "15 ธันวาคม พ.ศ. 2569"):
        assert _squash(words) in pdf_text, words
    document = docx.Document(io.BytesIO(reports.report_docx(report)))
    text = "\n".join(p.text for p in document.paragraphs)
    for words in ("คำนำ", "(นายสมชาย ใจดี)", "3. มาตรการตรวจสอบการใช้ดุลพินิจ",
                  "ได้คะแนนเฉลี่ยร้อยละ 94.67"):
        assert words in text, words
    assert len(document.inline_shapes) >= 1  # the logo (and the charts where pdftoppm runs)
    # the follow-up report signs too
    with app.app_context():
        from survey_app.services.measures import follow_up_view

        view = follow_up_view(db.session, db.session.get(Assessment, seeded.assessment_id), 1)
    assert "(นายสมชาย ใจดี)" in reports.follow_up_html(view)[0]
    follow = docx.Document(io.BytesIO(reports.follow_up_docx(view)))
    assert "(นายสมชาย ใจดี)" in "\n".join(p.text for p in follow.paragraphs)


@pytest.mark.parametrize("field, value, message", [
    ("logo", b"not an image", "ตราสัญลักษณ์ต้องเป็นไฟล์ภาพ PNG หรือ JPEG"),
    ("logo", b"\x89PNG" + b"0" * (210 * 1024), "ไฟล์ตราสัญลักษณ์ใหญ่เกิน 200 KB"),
    ("comparison_score", "120", "คะแนนต้องอยู่ระหว่าง 0 ถึง 100"),
    ("comparison_units", "สองร้อย", "กรุณากรอกตัวเลข"),
    ("cover_date", "2026-13-40", "วันที่ไม่ถูกต้อง"),
    ("director_name", "ก" * 201, "ข้อความยาวเกิน"),
])
def test_a_bad_document_field_is_named_in_thai_and_nothing_is_stored(app, client, field, value,
                                                                    message):
    import sqlalchemy as sa

    from survey_app.extensions import db
    from survey_app.models import ReportDocument

    from .results_data import login, seed_one

    seeded = seed_one(app)
    login(client)
    url = f"/admin/assessments/{seeded.assessment_id}/report/texts"
    data = dict(DOCUMENT, csrf_token=_csrf(client.get(url).get_data(as_text=True)))
    data[field] = (io.BytesIO(value), "logo.png") if field == "logo" else value
    refused = client.post(url, data=data, content_type="multipart/form-data")
    assert refused.status_code == 400
    assert message in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportDocument)) == 0


# -- the DOCX templates: rebuilt from the tool, and what LibreOffice makes of the filled files --


def test_rebuilding_the_docx_templates_gives_the_committed_files():
    from survey_app.tools import docx_templates

    for name, module in docx_templates.BUILDERS.items():
        assert module.build(None) == module.OUT.read_bytes(), name


def test_a_docx_parts_xml_compiles_once_and_a_changed_one_again(monkeypatch):
    """docxtpl gives the report environment each DOCX part's XML as a string on every fill:
    the same XML reuses its compiled code (same output, still escaped); other XML compiles."""
    import secrets

    import jinja2

    compiled = []
    compile_source = jinja2.Environment.compile

    def counting_compile(self, source, *args, **kwargs):
        compiled.append(source)
        return compile_source(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting_compile)
    env = reports.report_env()
    mark = secrets.token_hex(8)  # XML never seen before in this process
    xml = f"<w:t>{{{{ x }}}} {mark}</w:t>"
    assert env.from_string(xml).render(x="<b>") == f"<w:t>&lt;b&gt; {mark}</w:t>"
    assert env.from_string(xml).render(x="ข") == f"<w:t>ข {mark}</w:t>"
    assert compiled == [xml]
    changed = xml.replace("<w:t>", "<w:t xml:space=\"preserve\">")
    assert env.from_string(changed).render(x=1).startswith('<w:t xml:space="preserve">1 ')
    assert compiled == [xml, changed]


def test_a_docx_parts_xml_is_cleaned_once_and_fills_as_before(monkeypatch, tmp_path):
    """docxtpl's patch_xml runs once per distinct part XML (``reports._patch_once``), and the
    filled document says exactly what it says without the shortcut."""
    import secrets
    import zipfile

    import docx
    from docxtpl import DocxTemplate

    mark = secrets.token_hex(8)  # a part never seen before in this process
    source = docx.Document()
    source.add_paragraph(f"{{{{ x }}}} {mark} {{% if y %}}yes{{% endif %}}")
    path = tmp_path / "t.docx"
    source.save(str(path))
    cleaned = []
    patch_xml = DocxTemplate.patch_xml

    def counting_patch(self, src_xml):
        cleaned.append(src_xml)
        return patch_xml(self, src_xml)

    monkeypatch.setattr(DocxTemplate, "patch_xml", counting_patch)

    def body(document: bytes) -> str:
        return zipfile.ZipFile(io.BytesIO(document)).read("word/document.xml").decode()

    first = body(reports.fill_docx(path, {"x": "<b>", "y": True}))
    again = body(reports.fill_docx(path, {"x": "ข", "y": False}))
    assert [mark in c for c in cleaned] == [True]  # the body once; the second fill reused it
    assert f"&lt;b&gt; {mark} yes</w:t>" in first and f"ข {mark} </w:t>" in again
    monkeypatch.setattr(reports, "_patch_once", lambda _template: None)
    assert body(reports.fill_docx(path, {"x": "<b>", "y": True})) == first
    assert len(cleaned) == 2


def _soffice_pdfs(documents: dict[str, bytes], tmp_path) -> dict[str, bytes]:
    """Convert DOCX files headless with LibreOffice, all in one run (one start of LibreOffice
    costs about as much as a conversion), with its own profile (tests run in parallel)."""
    soffice = tool("soffice")  # LibreOffice (libreoffice-writer-nogui; .ci/run installs it)
    sources = []
    for name, document in documents.items():
        sources.append(tmp_path / f"{name}.docx")
        sources[-1].write_bytes(document)
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), *map(str, sources)],
                   check=True, capture_output=True, timeout=240)
    return {name: (tmp_path / f"{name}.pdf").read_bytes() for name in documents}


def _pages(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout.decode()).group(1))


def _quartered(report: vm.ReportView) -> vm.ReportView:
    """The seed's report with its measures planned in quarters (the period column's words)."""
    from dataclasses import replace

    grouped = tuple(replace(s, measures=tuple(replace(m, start_quarter=3, end_quarter=3)
                                              for m in s.measures)) for s in report.measures)
    return replace(report, measures=grouped)


def _tokens(texts) -> list[str]:
    """The words a table must never break: its header words and every number."""
    from survey_app.tools.docx_templates.layout import THAI_WORDS, words

    out = []
    for text in texts:
        out += [w for w in words(text) if re.fullmatch(r"[\d.+\-–]+|[A-Z]{2,}", w)
                or w in THAI_WORDS]
    return out


def test_the_docx_files_in_libreoffice_keep_words_whole_and_pages_few(tmp_path):
    """The yearly report's and the follow-up report's DOCX, converted in one LibreOffice run."""
    report = _quartered(_seed_report())
    view = _follow_up(1)
    filled = {"report": reports.report_docx(report), "follow_up": reports.follow_up_docx(view)}
    converted = _soffice_pdfs(filled, tmp_path)
    _check_the_report_in_libreoffice(report, filled["report"], converted["report"])
    _check_the_follow_up_in_libreoffice(view, converted["follow_up"])


def _check_the_report_in_libreoffice(report: vm.ReportView, filled: bytes, converted: bytes):
    import collections

    import docx
    from docx.oxml.ns import qn

    from survey_app.tools.docx_templates.layout import THAI_WORDS, column_need_mm, words

    document = docx.Document(io.BytesIO(filled))
    # every column at least as wide as its header's longest word
    for table in document.tables:
        grid = [int(c.get(qn("w:w"))) / 1440 * 25.4
                for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        for mm, cell in zip(grid, table.rows[0].cells, strict=True):
            pieces = words(cell.text)
            if all(p in THAI_WORDS or not THAI.search(p) for p in pieces):  # T.col's words
                assert mm + 0.1 >= column_need_mm([cell.text]), (cell.text, mm)
    # the plan tables sit on landscape pages; the charts are drawn at 150 mm
    assert any(s.page_width > s.page_height for s in document.sections)
    tool("pdftoppm")  # the charts are rasterised by pdftoppm
    assert {round(s.width.mm) for s in document.inline_shapes} == {reports.CHART_MM}
    assert _pages(converted) <= 1.2 * _pages(reports.report_pdf(report))
    # headers and numbers are whole in what LibreOffice laid out (a broken one is not found)
    # (LibreOffice's own PDF reads back with spaces and Thai marks out of place: compare lines
    # without either, so that only a line break inside a word is a difference)
    text = _bare(_pdftotext(converted))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    wanted = collections.Counter(_bare(t) for t in _tokens(cells))
    for token, n in wanted.items():
        assert text.count(token) >= n, token
    assert _bare("ไตรมาส 3 (เมษายน – มิถุนายน)") in text.replace("\n", "")


MARKS = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"


def _bare(text: str) -> str:
    """Text without spaces and Thai marks, its line breaks kept but those pdftotext puts before
    a mark it reads out of its line (LibreOffice's PDF: ``ขัน\\n้ ตอน``)."""
    text = re.sub(f"\n(?=[{MARKS}])", "", text)
    return re.sub(f"[ \t{MARKS}]", "", text)


def _check_the_follow_up_in_libreoffice(view: vm.FollowUpView, converted: bytes):
    assert _pages(converted) <= 1.2 * _pages(reports.follow_up_pdf(view))
    text = _squash(_pdftotext(converted))
    for measure in ("จัดทำคู่มือการให้บริการ", "เผยแพร่ข้อมูลข่าวสารผ่านช่องทางออนไลน์",
                    "ประชุมคณะกรรมการประเมินความเสี่ยงการทุจริต", "ยังไม่ถึงกำหนด"):
        assert _squash(measure) in text, measure


# -- the prose: no placeholder, no code-and-question sentences, periods read once --------------


def _docx_all_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("which", ["seed", "y2569"])
def test_no_placeholder_none_or_strung_item_codes_in_any_document(which):
    report = _seed_report() if which == "seed" else _y2569_report()
    html, _ = reports.render_report_html(report)
    text = _docx_all_text(reports.report_docx(report))
    for document in (html, text):
        assert "None" not in document and "กรุณากรอก" not in document
    assert 'class="missing"' not in html
    # the drafted prose names no item code and strings no question text into its sentence
    for key, draft in reports.narrative_drafts(report.results).items():
        assert not re.search(r"\b[a-z]{1,2}\d+\b", draft), (key, draft)
        for ind in report.results.indicators:
            for item in ind.items:
                assert item.text_th not in draft, (key, item.code)
    # an indicator without a measure has no plan table: only those with measures do
    planned = {s.indicator.code for s in report.planned}
    assert planned == {code for code, rows in MEASURES_BY_CODE.items() if rows}


MEASURES_BY_CODE = {"6": [1], "10": [1]}  # tests/app/admin/test_report_yearly.py's MEASURES


def test_a_tier_year_has_no_dash_columns_and_the_total_carries_its_verdict():
    report = _y2569_report()
    html, _ = reports.render_report_html(report)
    ranked = re.search(r'<table id="ranked".*?</table>', html, re.S).group(0)
    remarks = re.findall(r'<td class="c">([^<]*)</td></tr>', ranked)
    assert remarks and "-" not in remarks
    assert set(remarks) <= {"ถึงเป้าหมาย", "ต่ำกว่าเป้าหมาย"}
    total = re.search(r'data-figure="total">([^<]*)<', html).group(1)
    assert total.startswith("93.") or total.split()[0] == vm.format_score(report.results.total)
    assert f"({report.results.verdict.label_th})" in total
    seed = _seed_report()
    seed_total = re.search(r'data-figure="total">([^<]*)<',
                           reports.render_report_html(seed)[0]).group(1)
    assert seed_total == "94.67 A (ผ่าน)"


def test_a_measures_period_reads_once_with_the_fiscal_years_months():
    from survey_app.quarters import quarter_end, quarter_start

    text = reports._text()
    m = SimpleNamespace(start_quarter=3, end_quarter=3,
                        period="ไตรมาส 3 ของปีงบประมาณ พฤษภาคม – มิถุนายน 2567")
    assert str(text.measure_period(m)) == "ไตรมาส 3 (เมษายน – มิถุนายน)"
    whole = SimpleNamespace(start_quarter=1, end_quarter=4, period="")
    assert str(text.measure_period(whole)) == "ทุกไตรมาส (ตลอดปีงบประมาณ)"
    noted = SimpleNamespace(start_quarter=1, end_quarter=2, period="ภายในเดือนมีนาคม")
    assert str(text.measure_period(noted)) == "ไตรมาส 1–2 (ตุลาคม – มีนาคม) ภายในเดือนมีนาคม"
    # the months the text names are the quarters' own (quarters.py): Q1 Oct-Dec ... Q4 Jul-Sep
    names = ["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม",
             "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"]
    for q in (1, 2, 3, 4):
        first, last = quarter_start(2569, q).month, quarter_end(2569, q).month
        assert str(text.quarter_months(q, q)) == f"{names[first - 1]} – {names[last - 1]}"


def test_the_history_labels_every_year_and_compares_with_the_year_before():
    report = _y2569_report()  # history 2568, this year 2569
    html, _ = reports.render_report_html(report)
    assert "ผลคะแนนปีงบประมาณ พ.ศ. 2569 ได้" in html and "เทียบกับปีงบประมาณ พ.ศ. 2568" in html
    charts = reports.report_env().get_template("report/charts.svg.j2").make_module()
    points = [vm.TrendPoint(2566, 90.0, "-", "-", None), vm.TrendPoint(2569, 93.0, "", "", 3.0)]
    svg = str(charts.trend(points, "t", 85.0))
    labelled = re.findall(r'data-year="(\d+)"[^>]*>(\d+)</text>', svg)
    assert sorted(int(y) for y, _ in labelled) == [2566, 2567, 2568, 2569]


def test_a_chart_is_drawn_once_per_process(monkeypatch):

    tool("pdftoppm")
    svg = ('<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100">'
           '<rect x="10" y="10" width="120" height="40" fill="#1f4e79"/></svg>')
    first = reports.chart_png(svg, width_mm=40, dpi=30)
    assert first.startswith(b"\x89PNG")
    drawn = []
    monkeypatch.setattr(reports.subprocess, "run", lambda *a, **k: drawn.append(a))
    assert reports.chart_png(svg, width_mm=40, dpi=30) == first  # from memory: nothing drawn
    assert not drawn
    other = svg.replace("120", "60")
    with pytest.raises(FileNotFoundError):  # a new chart is drawn (here: by the stand-in)
        reports.chart_png(other, width_mm=40, dpi=30)
    assert len(drawn) == 1
