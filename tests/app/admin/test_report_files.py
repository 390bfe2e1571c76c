"""The report files an office hands in unchanged: the PDF's text layer, the report fonts' build,
the follow-up report's measures, and the DOCX templates' build.

The PDF's text is read back with pdftotext (poppler-utils) and compared, paragraph by
paragraph and cell by cell, with the page it was printed from.
"""

from __future__ import annotations

import html as html_lib
import io
import re
import shutil
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

from .test_report_yearly import AGENCY, SEED, _report

THAI = re.compile("[\u0e00-\u0e7f]")


def _pdftotext(pdf: bytes, *args: str) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", *args, "-", "-"], input=pdf, capture_output=True,
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
                                                           sub.MarkArray.MarkRecord)]
            elif kind == "MarkMarkPos":
                pairs = [(g, r.MarkAnchor) for g, r in zip(sub.Mark1Coverage.glyphs,
                                                           sub.Mark1Array.MarkRecord)]
                pairs += [(g, a) for g, r in zip(sub.Mark2Coverage.glyphs,
                                                 sub.Mark2Array.Mark2Record)
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
