"""The yearly ITA analysis report, in the seed document's structure: DOCX (editable) and PDF.

``report_model`` arranges the results view model (figures already rounded by ``scoring``) and
the admin's improvement measures into the report's sections; ``build_report_docx`` writes them
with python-docx in Thai (TH Sarabun New 16 pt, the complex-script font set too, A4), and the
HTML template ``admin/results/report.html`` renders the same model, which headless Chromium
prints to PDF.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from typing import Any

from flask import render_template
from sqlalchemy.orm import Session

from questionnaires import load_instrument_set

from ..models import Assessment, ImprovementMeasure
from . import charts
from .formatting import two_decimals
from .measures import measures_by_indicator
from .results import results_view

THAI_FONT = "TH Sarabun New"
BODY_PT = 16
MISSING_MEASURE = ("ยังไม่ได้กำหนดมาตรการสำหรับตัวชี้วัดนี้ — กรุณากรอกมาตรการ ผู้รับผิดชอบ "
                   "ขั้นตอน และระยะเวลาในระบบจัดการ (หน้ามาตรการปรับปรุง) แล้วสร้างรายงานใหม่")
PART_NAMES = {
    "IIT": ("ส่วนที่ 1 แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายใน "
            "(Internal Integrity and Transparency Assessment: IIT) "
            "บุคลากรภาครัฐทุกระดับที่ปฏิบัติงานมาไม่น้อยกว่า 1 ปี สะท้อนความคิดเห็นต่อคุณธรรม"
            "และความโปร่งใสของหน่วยงานตนเอง ใน 5 ตัวชี้วัด ได้แก่"),
    "EIT": ("ส่วนที่ 2 แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายนอก "
            "(External Integrity and Transparency Assessment: EIT) "
            "ผู้รับบริการหรือผู้ติดต่อหน่วยงานในช่วงปีงบประมาณ สะท้อนความคิดเห็นต่อการดำเนินงาน"
            "ของหน่วยงาน ใน 3 ตัวชี้วัด ได้แก่"),
    "OIT": ("ส่วนที่ 3 แบบตรวจการเปิดเผยข้อมูลสาธารณะ "
            "(Open Data Integrity and Transparency Assessment: OIT) "
            "ตรวจระดับการเปิดเผยข้อมูลที่หน่วยงานเผยแพร่ไว้บนเว็บไซต์หลัก แบ่งเป็น 2 ตัวชี้วัด ได้แก่"),
}


def load_measures(session: Session, assessment: Assessment) -> list[ImprovementMeasure]:
    """Return the assessment's improvement measures, by indicator and position."""
    return [m for ms in measures_by_indicator(session, assessment).values() for m in ms]


def _f(value: float | None) -> str:
    return two_decimals(value, dash="-")


def _signed(value: float | None) -> str:
    return two_decimals(value, signed=True, dash="-")


def report_model(view: dict[str, Any], measures: list) -> dict[str, Any]:
    """Arrange the results view and the measures into the report's sections (plain data)."""
    scores = view["scores"]
    iset = load_instrument_set(view["assessment"]["instrument_set"])
    agency = view["agency"]["name_th"]
    year = view["assessment"]["fiscal_year_be"]
    inds = scores["indicators"]
    grade_label = {g["grade"]: g for g in view["iset"]["grades"]}
    target = scores["target"]

    def verdict_of(ind):
        return "-" if ind["passed"] is None else ("ผ่าน" if ind["passed"] else "ไม่ผ่าน")

    def row(code):
        ind = inds[code]
        return {"code": code, "name": ind["name_th"], "score": _f(ind["score"]),
                "grade": ind["grade"] or "-", "note": verdict_of(ind)}

    framework = []
    for inst in ("IIT", "EIT", "OIT"):
        framework.append({
            "text": PART_NAMES[inst],
            "indicators": [{"code": i.code, "name": i.name_th,
                            "subs": [f"ตัวชี้วัดย่อยที่ {s.code} {s.name_th}"
                                     for s in iset.sub_indicators_for(i.code)]}
                           for i in iset.indicators_for(inst)]})

    total, grade = scores["total"], scores["grade"]
    grade_words = ""
    if grade in grade_label:
        grade_words = f"ระดับ {grade} ({grade_label[grade]['label_en']})"
    highest, lowest = view["highest"], view["lowest"]
    if total is None:
        summary = (f"{agency} ยังไม่มีคะแนนรวมของปีงบประมาณ พ.ศ. {year} "
                   "เนื่องจากข้อมูลยังไม่ครบ (ต้องมีคำตอบ IIT และ EIT และผลการตรวจ OIT)")
    else:
        summary = (f"ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของ{agency} "
                   f"ประจำปีงบประมาณ พ.ศ. {year} ได้คะแนน {_f(total)} ซึ่งถือว่ามีคุณธรรมและ"
                   f"ความโปร่งใสในการดำเนินงานอยู่ใน{grade_words}")
        if scores["verdict"]:
            summary += f" ผลการประเมิน{scores['verdict']['label_th']}"
        if highest and lowest:
            summary += (f" โดยตัวชี้วัดที่ {highest[0]['code']} ได้คะแนนสูงสุด "
                        f"{_f(highest[0]['score'])} คะแนน ส่วนตัวชี้วัดที่ได้คะแนนต่ำกว่าตัวชี้วัดอื่น ๆ "
                        f"คือ ตัวชี้วัดที่ {lowest[0]['code']} ได้คะแนน {_f(lowest[0]['score'])} คะแนน")

    history = [{"year": h["fiscal_year_be"], "total": _f(h["total"]),
                "development": h["development"], "difference": _signed(h["difference"])}
               for h in scores["history"]]

    weighted = []
    for inst in ("IIT", "EIT", "OIT"):
        codes = [i.code for i in iset.indicators_for(inst)]
        for k, code in enumerate(codes):
            ind = inds[code]
            weighted.append({"code": code, "name": ind["name_th"], "score": _f(ind["score"]),
                             "instrument": inst if k == 0 else "",
                             "weighted": _f(scores["instruments"][inst]["weighted"])
                             if k == 0 else "", "sub": False, "rowspan": len(codes)})
            for sub_code, sub in ind["sub_indicators"].items():
                weighted.append({"code": "", "name": f"{sub_code} {sub['name_th']}",
                                 "score": _f(sub["score"]), "instrument": "", "weighted": "",
                                 "sub": True})

    below = [c for c in scores["to_develop"]]
    by_indicator: dict[str, list] = {}
    for m in measures:
        by_indicator.setdefault(str(m.indicator), []).append(m)
    measure_sections = []
    for code in [*below, *[c for c in inds if c not in below and c in by_indicator]]:
        ind = inds[code]
        rows = [{"issue": f"ตัวชี้วัดที่ {code} {ind['name_th']}" if k == 0 else "",
                 "measure": m.measure, "responsible": m.responsible or "-",
                 "steps": m.steps or "-", "period": m.period or "-", "missing": False}
                for k, m in enumerate(by_indicator.get(code, []))]
        if not rows:
            rows = [{"issue": f"ตัวชี้วัดที่ {code} {ind['name_th']}", "measure": MISSING_MEASURE,
                     "responsible": "-", "steps": "-", "period": "-", "missing": True}]
        measure_sections.append({"code": code, "name": ind["name_th"], "score": _f(ind["score"]),
                                 "below": code in below, "rows": rows})

    instruments = scores["instruments"]
    return {
        "agency": agency,
        "year": year,
        "next_year": year + 1,
        "title": "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
        "subtitle": f"ของ {agency}",
        "title_year": f"ประจำปีงบประมาณ พ.ศ. {year + 1}",
        "analysis_title": (f"การวิเคราะห์ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงาน "
                           f"ประจำปีงบประมาณ พ.ศ. {year}"),
        "framework_title": ("เกณฑ์การประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ "
                            "(Integrity and Transparency Assessment: ITA)"),
        "framework_intro": ("การประเมิน ITA เก็บข้อมูลจาก 3 ส่วน ตามแนวทางและเครื่องมือที่"
                            "สำนักงาน ป.ป.ช. กำหนด ดังนี้"),
        "framework": framework,
        "summary": summary,
        "total": _f(total),
        "grade": grade or "-",
        "verdict": scores["verdict"]["label_th"] if scores["verdict"] else "-",
        "history": history,
        "ranked": [row(c) for c in [*scores["strengths"], *scores["to_develop"]]],
        "grades": [{"grade": g["grade"], "range": _band(view["iset"]["grades"], k),
                    "note": "ผ่าน" if g["passed"] else "ไม่ผ่าน"}
                   for k, g in enumerate(view["iset"]["grades"])],
        "weighted": weighted,
        "parts": [{"code": k, "name": v["name_th"], "score": _f(v["score"]),
                   "weight": v["weight"], "weighted": _f(v["weighted"])}
                  for k, v in instruments.items()],
        "target": f"{target:g}",
        "strengths": [row(c) for c in scores["strengths"]],
        "to_develop": [row(c) for c in scores["to_develop"]],
        "measures": measure_sections,
        "responses": {k: instruments[k]["responses"] for k in ("IIT", "EIT")},
        "oit": view["oit"],
    }


def _band(grades: list[dict], k: int) -> str:
    low = grades[k]["min_score"]
    high = 100.0 if k == 0 else grades[k - 1]["min_score"] - 0.01
    return f"{low:.2f} – {high:.2f}" if k else f"{low:.2f} – 100"


# -- DOCX -------------------------------------------------------------------------------------


def _thai_run(run, *, size: int = BODY_PT, bold: bool = False) -> None:
    """Set the Thai font on a run for every script, so Word does not fall back to another."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = THAI_FONT
    run.font.size = Pt(size)
    run.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), THAI_FONT)
    for tag in ("w:szCs",):
        el = rpr.find(qn(tag))
        if el is None:
            el = rpr.makeelement(qn(tag), {})
            rpr.append(el)
        el.set(qn("w:val"), str(size * 2))
    if bold:
        if rpr.find(qn("w:bCs")) is None:
            rpr.append(rpr.makeelement(qn("w:bCs"), {}))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:bidi"), "th-TH")


def _para(doc_or_cell, text: str, *, size: int = BODY_PT, bold: bool = False,
          align: str | None = None, indent: bool = False):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    p = doc_or_cell.add_paragraph()
    if align == "center":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif align == "right":
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if indent:
        p.paragraph_format.first_line_indent = Cm(1.25)
    _thai_run(p.add_run(text), size=size, bold=bold)
    return p


def _table(doc, header: list[str], rows: list[list[str]], *, widths: list[float] | None = None,
           bold_rows: set[int] | None = None, center_cols: set[int] | None = None):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    for r, values in enumerate([header, *rows]):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.text = ""
            p = cell.paragraphs[0]
            if r == 0 or (center_cols and c in center_cols):
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _thai_run(p.add_run(str(value)), size=14,
                      bold=r == 0 or bool(bold_rows and (r - 1) in bold_rows))
            if widths:
                cell.width = Cm(widths[c])
    return table


def build_report_docx(model: dict[str, Any]) -> bytes:
    """Write the report model as a DOCX (A4, Thai) and return its bytes."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.0)
    normal = doc.styles["Normal"]
    normal.font.name = THAI_FONT
    normal.font.size = Pt(BODY_PT)
    from docx.oxml.ns import qn

    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), THAI_FONT)
    sz = rpr.makeelement(qn("w:szCs"), {qn("w:val"): str(BODY_PT * 2)})
    rpr.append(sz)
    doc.core_properties.title = f"{model['title']} {model['subtitle']} {model['title_year']}"
    doc.core_properties.language = "th-TH"

    # cover
    for _ in range(6):
        _para(doc, "")
    _para(doc, model["title"], size=24, bold=True, align="center")
    _para(doc, model["subtitle"], size=22, bold=True, align="center")
    _para(doc, model["title_year"], size=22, bold=True, align="center")
    doc.add_page_break()

    _para(doc, model["agency"], size=18, bold=True, align="center")
    _para(doc, model["analysis_title"], size=18, bold=True, align="center")
    _para(doc, model["framework_title"], bold=True)
    _para(doc, model["framework_intro"], indent=True)
    for part in model["framework"]:
        _para(doc, part["text"], indent=True)
        for ind in part["indicators"]:
            _para(doc, f"ตัวชี้วัดที่ {ind['code']} {ind['name']}", indent=True)
            for sub in ind["subs"]:
                _para(doc, f"    - {sub}", indent=True)

    _para(doc, f"ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของ{model['agency']} "
               f"ประจำปีงบประมาณ พ.ศ. {model['year']}", bold=True)
    _para(doc, "1. " + model["summary"], indent=True)
    _para(doc, f"2. ผลคะแนนการประเมินของ{model['agency']} ที่ผ่านมา สรุปได้ดังนี้", indent=True)
    _table(doc, ["ปีงบประมาณ พ.ศ.", "ผลคะแนน ITA", "พัฒนาการ", "ผลต่างของคะแนน ITA"],
           [[str(h["year"]), h["total"], h["development"], h["difference"]]
            for h in model["history"]] or [["-", "ยังไม่มีผลคะแนนของปีใด", "-", "-"]],
           center_cols={0, 1, 2, 3})
    _para(doc, "")
    _para(doc, "3. ผลการประเมินเป็นรายตัวชี้วัด เรียงตามลำดับคะแนน ดังนี้", indent=True)
    _table(doc, ["ตัวชี้วัดที่", "ประเด็นตัวชี้วัด", "คะแนน", "ระดับ", "หมายเหตุ"],
           [[r["code"], r["name"], r["score"], r["grade"], r["note"]] for r in model["ranked"]],
           widths=[2.0, 7.5, 2.2, 2.0, 2.3], center_cols={0, 2, 3, 4})
    _para(doc, "หมายเหตุ : คะแนนและระดับผลการประเมิน", size=14, bold=True)
    _table(doc, ["ระดับ", "คะแนน", "หมายเหตุ"],
           [[g["grade"], g["range"], g["note"]] for g in model["grades"]],
           center_cols={0, 1, 2})
    _para(doc, "")
    _para(doc, model["analysis_title"] + f" ของ{model['agency']}", bold=True, align="center")
    rows = [[w["code"], w["name"], w["score"], w["instrument"], w["weighted"]]
            for w in model["weighted"]]
    rows.append(["", "คะแนนคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงาน "
                     "ระดับผลการประเมิน (Rating Score)", "", "",
                 f"{model['total']} {model['grade']}"])
    _table(doc, ["ลำดับ", "ตัวชี้วัด", "คะแนน", "เครื่องมือ", "คะแนนหลังถ่วงน้ำหนัก"], rows,
           widths=[1.6, 8.0, 2.0, 2.0, 2.4], bold_rows={len(rows) - 1},
           center_cols={0, 2, 3, 4})
    _para(doc, "")

    _para(doc, "การวิเคราะห์ จุดแข็ง จุดที่ควรพัฒนา และข้อจำกัดของผลการประเมิน ITA", bold=True)
    _para(doc, f"{model['agency']} ได้ตั้งเป้าหมายของแต่ละตัวชี้วัดไว้ที่ร้อยละ {model['target']} "
               "(เป็นคะแนนที่ยังไม่ได้คูณค่าน้ำหนัก)", indent=True)
    target = model["target"]
    _indicator_group(doc, f"1. จุดแข็ง (ตัวชี้วัดที่ได้คะแนนตั้งแต่ร้อยละ {target})",
                     model["strengths"], f"ตั้งแต่เป้าหมายร้อยละ {target}")
    _indicator_group(doc, f"2. จุดที่ควรพัฒนา (ตัวชี้วัดที่ได้คะแนนน้อยกว่าร้อยละ {target})",
                     model["to_develop"], f"ต่ำกว่าเป้าหมายร้อยละ {target}")

    if model["measures"]:
        doc.add_page_break()
        _para(doc, "3. การนำผลการประเมิน ITA ไปสู่การปรับปรุงแก้ไขการดำเนินงาน", bold=True)
        _para(doc, f"แผนงานกิจกรรมในการพัฒนาสู่การปฏิบัติตามข้อสังเกตจากผลการประเมินคุณธรรม"
                   f"และความโปร่งใสในการดำเนินงาน ของ{model['agency']} "
                   f"ประจำปีงบประมาณ พ.ศ. {model['next_year']}", indent=True)
        for sec in model["measures"]:
            _para(doc, f"ตัวชี้วัดที่ {sec['code']} {sec['name']} (คะแนน {sec['score']})",
                  bold=True)
            _table(doc, ["ประเด็นการประเมิน", "มาตรการ", "ผู้รับผิดชอบ", "ขั้นตอน/วิธีการ",
                         "ระยะเวลา"],
                   [[r["issue"], r["measure"], r["responsible"], r["steps"], r["period"]]
                    for r in sec["rows"]], widths=[3.2, 4.2, 2.6, 4.2, 2.4])
            _para(doc, "")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# -- PDF --------------------------------------------------------------------------------------


class PdfUnavailable(RuntimeError):
    """No Chromium to print with; the message says what to install."""


INSTALL_HINT = ("PDF needs headless Chromium and Thai fonts: apt-get install chromium "
                "fonts-thai-tlwg (or set ITA_CHROMIUM to the browser's path). "
                "The DOCX report always works.")


def chromium_path(configured: str | None = None) -> str | None:
    """Return the Chromium to print with: ``ITA_CHROMIUM``, /usr/bin/chromium, or on PATH."""
    for candidate in (configured, os.environ.get("ITA_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser"),
                      shutil.which("google-chrome")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def html_to_pdf(html: str, *, chromium: str | None = None, timeout: float = 60) -> bytes:
    """Print a self-contained HTML page (inline CSS, inline SVG) to PDF with headless Chromium."""
    browser = chromium_path(chromium)
    if browser is None:
        raise PdfUnavailable(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="ita-report-") as tmp:
        page = os.path.join(tmp, "report.html")
        out = os.path.join(tmp, "report.pdf")
        with open(page, "w", encoding="utf-8") as fh:
            fh.write(html)
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu",
                   "--disable-background-networking", "--disable-component-update",
                   "--no-first-run", "--disable-dev-shm-usage",
                   f"--user-data-dir={os.path.join(tmp, 'profile')}",
                   f"--print-to-pdf={out}", "--no-pdf-header-footer", f"file://{page}"]
        try:
            subprocess.run(command, check=True, timeout=timeout, capture_output=True)  # noqa: S603
        except (subprocess.SubprocessError, OSError) as exc:
            raise RuntimeError(f"Chromium could not print the report: {exc}") from None
        if not os.path.exists(out):
            raise RuntimeError("Chromium printed no PDF")
        with open(out, "rb") as fh:
            return fh.read()


def _indicator_group(doc, heading: str, rows: list[dict], relation: str) -> None:
    """Write a strengths or points-to-develop block: heading, table, one line per indicator."""
    _para(doc, f"{heading} จำนวน {len(rows)} ตัวชี้วัด คือ", bold=True)
    if rows:
        _table(doc, ["ตัวชี้วัดที่", "ประเด็นตัวชี้วัด", "คะแนน", "ระดับ", "หมายเหตุ"],
               [[r["code"], r["name"], r["score"], r["grade"], r["note"]] for r in rows],
               center_cols={0, 2, 3, 4})
    for k, r in enumerate(rows, 1):
        _para(doc, f"({k}) ตัวชี้วัดที่ {r['code']} {r['name']} ได้คะแนนร้อยละ {r['score']} "
                   f"{relation}", indent=True)


# -- the report as a document -----------------------------------------------------------------


def report_html(session: Session, assessment: Assessment, view: dict[str, Any]) -> tuple[str, str]:
    """Render the report page (self-contained: inline CSS and SVG); return (html, css).

    Needs an app context (templates), not a request: ``ita report`` calls it too.
    """
    model = report_model(view, load_measures(session, assessment))
    css = render_template("admin/results/report.css")
    bars = [{"code": c, "name_th": d["name_th"], "name_en": d["name_en"], "score": d["score"]}
            for c, d in view["scores"]["indicators"].items()]
    html = render_template(
        "admin/results/report.html", m=model, inline_css=css,
        bars_svg=charts.indicator_bars_svg(bars, view["scores"]["target"], lang="th",
                                           title="คะแนนรายตัวชี้วัดเทียบกับเป้าหมาย"),
        trend_svg=charts.trend_svg(view["scores"]["history"], lang="th",
                                   title="ผลคะแนน ITA ย้อนหลัง",
                                   pass_mark=view["iset"]["pass_mark"]))
    return html, css


def report_docx(session: Session, assessment: Assessment, view: dict[str, Any] | None = None
                ) -> bytes:
    """Return the yearly report as a DOCX document."""
    view = view if view is not None else results_view(session, assessment)
    return build_report_docx(report_model(view, load_measures(session, assessment)))


def report_pdf(session: Session, assessment: Assessment, view: dict[str, Any] | None = None, *,
               chromium: str | None = None) -> bytes:
    """Return the yearly report as a PDF (raises PdfUnavailable, or RuntimeError if it fails)."""
    view = view if view is not None else results_view(session, assessment)
    html, _ = report_html(session, assessment, view)
    return html_to_pdf(html, chromium=chromium)
