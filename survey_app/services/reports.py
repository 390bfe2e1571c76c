"""The yearly ITA analysis report, in the seed document's structure: web page, PDF and DOCX.

:func:`report_view` builds the typed :class:`~survey_app.services.view_models.ReportView`
(the results view, the office's own words or drafts of them, the weakest items per indicator,
the improvement measures grouped once by indicator).  Three renderers read it:

- :func:`render_report_html` — ``templates/report/report.html.j2`` (the web preview);
- :func:`report_pdf` — the same page through WeasyPrint (Pango breaks Thai lines with libthai;
  no browser process), with the Sarabun font shipped in ``static/fonts`` (OFL);
- :func:`report_docx` — ``templates/report/report.docx`` (docxtpl; built by
  ``python -m survey_app.tools.docx_templates``, editable in Word or LibreOffice).

The Thai text lives once, in ``templates/report/text.j2``; all three renderers and the drafts
call its macros.

The follow-up report of the improvement measures (:class:`~survey_app.services.view_models.
FollowUpView`, per quarter or for the year) goes through the same helpers: :func:`render_page`
(``report/follow_up.html.j2``), :func:`html_pdf` and :func:`fill_docx` (``follow_up.docx``, built
by the same tool).
The area summary report (:func:`area_report_view` in :mod:`.area`) goes through them too, with
its own templates, ``report/area.html.j2``, ``report/area.docx`` and ``report/area_text.j2``.
"""

from __future__ import annotations

import functools
import io
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

import jinja2
import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import Session

from scoring.assess import DEFAULT_BOOTSTRAP

from ..models import Assessment, ReportNarrative, utcnow
from ..quarters import buddhist_year
from . import pdf_text
from . import view_models as vm
from .formatting import split_lines, two_decimals
from .measures import measures_by_indicator
from .report_document import report_document
from .results import collected_result, comparison_view, results_view

PACKAGE = Path(__file__).resolve().parent.parent
TEMPLATES = PACKAGE / "templates"
FONTS = PACKAGE / "static" / "fonts"
PDF_FONT_BASE = FONTS.as_uri() + "/"  # the PDF's fonts: the files themselves
DOCX_TEMPLATE = TEMPLATES / "report" / "report.docx"
FOLLOW_UP_TEMPLATE = TEMPLATES / "report" / "follow_up.docx"
AREA_DOCX_TEMPLATE = TEMPLATES / "report" / "area.docx"
CHART_MM = 150  # a chart's width in the DOCX (the text is 160 mm wide)
LOGO_MM = 30  # the logo's height on the cover
WEAK_ITEMS = 3  # ประเด็นการประเมิน: this many of an indicator's lowest items
NARRATIVE_KINDS = ("strength", "develop", "monitoring")
NARRATIVE_MAX = 5000  # characters of one text
MIMETYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _signed(value: float | None) -> str:
    return two_decimals(value, signed=True, dash="-")


class _ReportEnvironment(jinja2.Environment):
    """A Jinja environment that compiles each template given as a string once.

    docxtpl hands the XML of each part of a DOCX template (body, headers, footers) to
    ``from_string`` on every render, and compiling it is most of a render's work; the XML of a
    template file is the same each time, so its compiled code is kept (a few sources, keyed by
    their text, so a changed template compiles afresh)."""

    def from_string(self, source, globals=None, template_class=None):
        if not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        cls = template_class or self.template_class
        return cls.from_code(self, _compiled(self, source), self.make_globals(globals), None)


@functools.lru_cache(maxsize=16)
def _compiled(env: jinja2.Environment, source: str):
    return env.compile(source)


#: docxtpl's cleaned XML of each template part, by the part's source text (``_patch_once``).
_PATCHED: dict[str, str] = {}


def _patch_once(template) -> None:
    """docxtpl cleans each part's XML with regular expressions (``patch_xml``: a quarter of a
    fill's work) before compiling it; the XML of a template file is the same each time, so the
    cleaned text is kept by its source (a few, like the compiled code: ``_compiled``)."""
    patch = template.patch_xml

    def patched(src_xml: str) -> str:
        found = _PATCHED.get(src_xml)
        if found is None:
            if len(_PATCHED) >= 16:
                _PATCHED.clear()
            found = _PATCHED[src_xml] = patch(src_xml)
        return found

    template.patch_xml = patched


@functools.cache
def report_env() -> jinja2.Environment:
    """The Jinja environment of the report templates (autoescaping; HTML and DOCX XML alike)."""
    env = _ReportEnvironment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=False, lstrip_blocks=False)
    add_filters(env)
    return env


def add_filters(env: jinja2.Environment) -> None:
    """The filters the report templates use (also registered on the Flask app's environment)."""
    env.filters["f"] = vm.format_score
    env.filters["signed"] = _signed
    env.filters["lines"] = split_lines
    env.filters["be_year"] = buddhist_year


def _text():
    return report_env().get_template("report/text.j2").make_module()


def _published_text():
    """The published result's words (``report/published.j2``), for the DOCX's comparison."""
    return report_env().get_template("report/published.j2").make_module()


def _plain(markup: Markup) -> str:
    """A macro's output (escaped markup) as the plain text it says."""
    return markup.unescape()


# -- the office's own words -------------------------------------------------------------------


def load_narratives(session: Session, assessment: Assessment) -> dict[tuple[str, str], str]:
    """Return the texts the office wrote, keyed by (kind, indicator)."""
    rows = session.scalars(sa.select(ReportNarrative)
                           .where(ReportNarrative.assessment_id == assessment.id))
    return {(r.kind, r.indicator): r.text for r in rows}


def narrative_drafts(results: vm.ResultsView) -> dict[tuple[str, str], str]:
    """Drafts built from the data for every text the report asks the office to write."""
    text = _text()
    drafts: dict[tuple[str, str], str] = {}
    for ind in results.strengths:
        drafts[("strength", ind.code)] = _plain(text.draft_strength(results.agency, ind))
    for ind in results.to_develop:
        drafts[("develop", ind.code)] = _plain(
            text.draft_develop(ind, tuple(w for w in weak_items(ind) if w.score is not None),
                              results.target))
    for ind in results.indicators:
        drafts[("monitoring", ind.code)] = _plain(text.draft_monitoring(results.agency))
    return drafts


def save_narratives(session: Session, assessment: Assessment,
                    texts: Mapping[tuple[str, str], str],
                    drafts: Mapping[tuple[str, str], str]) -> list[tuple[str, str]]:
    """Store the office's texts; a text left empty or equal to its draft follows the data again.

    Returns the (kind, indicator) keys that changed.  Raises ``ValueError`` naming the first
    unknown key or over-long text; nothing is stored then.
    """
    for (kind, indicator), value in texts.items():
        if kind not in NARRATIVE_KINDS or (kind, indicator) not in drafts:
            raise ValueError(f"unknown text {kind} {indicator}")
        if len(value) > NARRATIVE_MAX:
            raise ValueError(f"{kind} {indicator}: longer than {NARRATIVE_MAX} characters")
    saved = {(r.kind, r.indicator): r for r in session.scalars(
        sa.select(ReportNarrative).where(ReportNarrative.assessment_id == assessment.id))}
    changed = []
    for key, value in texts.items():
        value = "\n".join(split_lines(value))
        row = saved.get(key)
        if not value or value == "\n".join(split_lines(drafts[key])):
            if row is not None:
                session.delete(row)
                changed.append(key)
            continue
        if row is None:
            session.add(ReportNarrative(assessment_id=assessment.id, kind=key[0],
                                        indicator=key[1], text=value))
            changed.append(key)
        elif row.text != value:
            row.text = value
            row.updated_at = utcnow()
            changed.append(key)
    session.flush()
    return changed


# -- the report view --------------------------------------------------------------------------


def weak_items(ind: vm.IndicatorScore, limit: int = WEAK_ITEMS, *,
               own: vm.IndicatorScore | None = None) -> tuple[vm.WeakItem, ...]:
    """An indicator's weakest points by score: its lowest survey items, or its OIT
    sub-indicators below full marks (lowest first).  A result without item scores (a
    published one) takes the set's own topics for the indicator instead; ``own`` (the same
    indicator in our own survey) then adds its lowest items, labelled as ours."""
    if ind.items:
        scored = sorted((it for it in ind.items if it.mean is not None),
                        key=lambda it: (it.mean, it.code))
        return tuple(vm.WeakItem(it.code, it.text_th, it.mean) for it in scored[:limit])
    subs = sorted((s for s in ind.sub_indicators if s.score is not None and s.score < 100),
                  key=lambda s: (s.score, s.code))
    if subs or ind.sub_indicators:
        return tuple(vm.WeakItem(s.code, s.name_th, s.score) for s in subs)
    topics = tuple(vm.WeakItem(t.code, t.text_th, None) for t in ind.topics)
    if own is not None and own.items:
        return topics + tuple(vm.WeakItem(w.code, w.text_th, w.score, own_survey=True)
                              for w in weak_items(own, limit))
    return topics


def report_view(session: Session, assessment: Assessment, *,
                results: vm.ResultsView | None = None,
                bootstrap: int = DEFAULT_BOOTSTRAP) -> vm.ReportView:
    """Return the yearly report of a stored assessment (see :func:`build_report_view`)."""
    if results is None:
        results = results_view(session, assessment, bootstrap=bootstrap)
    own = comparison = None
    if results.record is not None and results.record.published and results.record.has_collected:
        own = results_view(session, assessment, bootstrap=bootstrap,
                           result=collected_result(session, assessment,
                                                   bootstrap=bootstrap).scores)
        comparison = comparison_view(session, assessment, bootstrap=bootstrap)
    return build_report_view(results, saved=load_narratives(session, assessment),
                             measures=measures_by_indicator(session, assessment),
                             own_survey=own, comparison=comparison,
                             document=report_document(session, assessment))


def build_report_view(results: vm.ResultsView, *, saved: Mapping[tuple[str, str], str],
                      measures: Mapping[str, list], own_survey: vm.ResultsView | None = None,
                      comparison: vm.ComparisonView | None = None,
                      document: vm.ReportDocument | None = None) -> vm.ReportView:
    """Arrange a results view, the office's texts and its measures into the report.

    ``measures``: indicator code → objects with ``measure``, ``responsible``, ``steps``,
    ``period`` and optionally ``issue``, ``start_quarter`` and ``end_quarter`` (the console's
    :class:`~survey_app.models.ImprovementMeasure`), in order.  ``own_survey``: the answers
    collected here when ``results`` is the published result (their weakest items are added to
    the ประเด็นการประเมิน, labelled); ``comparison``: the two side by side.
    """
    drafts = narrative_drafts(results)

    def own(code: str) -> vm.IndicatorScore | None:
        return None if own_survey is None else own_survey.indicator(code)


    def words(kind: str, code: str) -> tuple[str, bool]:
        if (kind, code) in saved:
            return saved[(kind, code)], True
        return drafts[(kind, code)], False

    strengths = tuple(vm.StrengthNote(ind, *words("strength", ind.code))
                      for ind in results.strengths)
    to_develop = tuple(vm.DevelopNote(ind, *words("develop", ind.code),
                                      weak_items(ind, own=own(ind.code)))
                       for ind in results.to_develop)
    findings = tuple(vm.OitFinding(ind, sub) for ind in results.indicators
                     for sub in ind.sub_indicators if sub.score is not None and sub.score < 100)
    below = [ind.code for ind in results.to_develop]
    order = below + [ind.code for ind in results.indicators
                     if ind.code not in below and measures.get(ind.code)]
    grouped = tuple(
        vm.IndicatorMeasures(
            indicator=results.indicator(code), below_target=code in below,
            issues=weak_items(results.indicator(code), own=own(code)),
            measures=tuple(vm.MeasureLine(measure=split_lines(m.measure),
                                          responsible=(m.responsible or "").strip(),
                                          steps=split_lines(m.steps),
                                          period=(m.period or "").strip(),
                                          issue=split_lines(getattr(m, "issue", "")),
                                          start_quarter=getattr(m, "start_quarter", None),
                                          end_quarter=getattr(m, "end_quarter", None))
                           for m in measures.get(code, [])),
            monitoring=words("monitoring", code)[0])
        for code in order)
    return vm.ReportView(results=results, strengths=strengths, to_develop=to_develop,
                         oit_findings=findings, measures=grouped, comparison=comparison,
                         document=document or vm.ReportDocument())


# -- renderers --------------------------------------------------------------------------------


def render_page(template: str, *, font_base: str = "/static/fonts/", **context
                ) -> tuple[str, str]:
    """Render a self-contained report page (inline CSS and SVG) of ``templates/report``;
    return (html, css).  Every report (the yearly one, the follow-up, the area summary) goes
    through here."""
    env = report_env()
    css = env.get_template("report/report.css.j2").render(font_base=font_base)
    html = env.get_template(template).render(inline_css=Markup(css), **context)  # noqa: S704
    return html, css


def html_pdf(html: str) -> bytes:
    """Print a page of :func:`render_page` (rendered with ``font_base=PDF_FONT_BASE``) to PDF
    with WeasyPrint, Sarabun embedded."""
    return pdf_text.write_pdf(html, str(FONTS))


def render_report_html(report: vm.ReportView, *, font_base: str = "/static/fonts/"
                       ) -> tuple[str, str]:
    """Render the yearly report page; return (html, css)."""
    return render_page("report/report.html.j2", font_base=font_base, report=report)


def report_pdf(report: vm.ReportView) -> bytes:
    """Print the yearly report page to PDF."""
    return html_pdf(render_report_html(report, font_base=PDF_FONT_BASE)[0])


def chart_png(svg: str, *, width_mm: float = 160, dpi: int = 150) -> bytes | None:
    """Rasterise one chart for the DOCX: WeasyPrint draws it, poppler's pdftoppm makes a PNG.

    Returns None when ``pdftoppm`` (poppler-utils) is missing; the DOCX then goes without it.
    The same chart is drawn once per process (the last 32 kept): a report whose office texts
    changed, or another document of the same figures, reuses its charts.
    """
    tool = shutil.which("pdftoppm")
    if tool is None:
        return None
    return _chart_png(tool, svg, width_mm, dpi)


@functools.lru_cache(maxsize=32)
def _chart_png(tool: str, svg: str, width_mm: float, dpi: int) -> bytes:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    match = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    ratio = float(match.group(2)) / float(match.group(1)) if match else 0.5
    css = report_env().get_template("report/report.css.j2").render(font_base=PDF_FONT_BASE)
    page = (f"<html><head><style>{css} @page {{ size: {width_mm}mm {width_mm * ratio:.1f}mm; "
            f"margin: 0 }} body {{ margin: 0 }} .chart {{ max-width: none }}</style></head>"
            f"<body>{svg}</body></html>")
    pdf = HTML(string=page, base_url=str(FONTS)).write_pdf(font_config=FontConfiguration())
    with tempfile.TemporaryDirectory(prefix="ita-chart-") as tmp:
        source = Path(tmp) / "chart.pdf"
        source.write_bytes(pdf)
        subprocess.run([tool, "-png", "-r", str(dpi), "-singlefile", str(source),  # noqa: S603
                        str(Path(tmp) / "chart")], check=True, capture_output=True, timeout=60)
        return (Path(tmp) / "chart.png").read_bytes()


def report_charts(report: vm.ReportView) -> dict[str, str]:
    """The report's charts as SVG, from the same macros the web page uses."""
    charts = report_env().get_template("report/charts.svg.j2").make_module()
    r = report.results
    out = {"indicators": str(charts.indicator_bars(r.indicators, r.target,
                                                   "คะแนนรายตัวชี้วัดเทียบกับเป้าหมาย"))}
    if len(r.trend) > 1:
        out["trend"] = str(charts.trend(r.trend, "ผลคะแนน ITA ย้อนหลัง", r.methodology.pass_mark))
    return out


def fill_docx(path: Path, context: Mapping[str, object],
              charts: Mapping[str, str] | None = None) -> bytes:
    """Fill a DOCX template of ``templates/report`` (docxtpl) and return the document's bytes.

    The context gets ``T`` (the text macros) and ``charts`` (each SVG of ``charts`` as a PNG
    image, when ``pdftoppm`` can draw it).
    """
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    template = DocxTemplate(str(path))
    _patch_once(template)
    images = {}
    for name, svg in (charts or {}).items():
        png = chart_png(svg)
        if png is not None:
            images[name] = InlineImage(template, io.BytesIO(png), width=Mm(CHART_MM))
    document = context.get("doc")
    logo = ""
    if isinstance(document, vm.ReportDocument) and document.logo:
        logo = InlineImage(template, io.BytesIO(document.logo), height=Mm(LOGO_MM))
    template.render({**context, "T": _text(), "P": _published_text(), "charts": images,
                     "logo": logo},
                    jinja_env=report_env())
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def unconfirmed_lines(results: vm.ResultsView) -> list[str]:
    """The report's notice on unconfirmed data as plain Thai lines (``report/unconfirmed_text.j2``),
    for the DOCX (the HTML/PDF include ``report/_unconfirmed.html.j2``); empty when none."""
    u = report_env().get_template("report/unconfirmed_text.j2").make_module()
    lines = []
    if results.score_map:
        lines.append(_plain(u.score_map(results.score_map)))
    if results.unconfirmed_shown:
        lines.append(_plain(u.intro(results)))
        lines += [f"- {_plain(u.datum(d.code))} ({', '.join(d.instruments)})"
                  for d in results.unconfirmed_shown]
    if results.oit_sensitivity:
        lines.append(_plain(u.sensitivity(results.oit_sensitivity)))
    return lines


def report_docx(report: vm.ReportView) -> bytes:
    """Fill the yearly report's DOCX template and return the document's bytes.

    ``unconfirmed_lines`` (title ``unconfirmed_title``) carries the notice on unconfirmed data.
    """
    u = report_env().get_template("report/unconfirmed_text.j2").make_module()
    return fill_docx(DOCX_TEMPLATE, {"report": report, "r": report.results,
                                     "M": report.results.methodology, "doc": report.document,
                                     "unconfirmed_title": _plain(u.title()),
                                     "unconfirmed_lines": unconfirmed_lines(report.results)},
                     report_charts(report))


def report_file(report: vm.ReportView, fmt: str) -> bytes:
    """The yearly report as ``docx`` or ``pdf``."""
    return report_docx(report) if fmt == "docx" else report_pdf(report)


# -- the follow-up report of the measures (รายงานผลการดำเนินงานตามมาตรการ) --------------------


def follow_up_html(view: vm.FollowUpView, *, font_base: str = "/static/fonts/"
                   ) -> tuple[str, str]:
    """Render the follow-up report page of a quarter or the year; return (html, css)."""
    return render_page("report/follow_up.html.j2", font_base=font_base, fu=view)


def follow_up_pdf(view: vm.FollowUpView) -> bytes:
    return html_pdf(follow_up_html(view, font_base=PDF_FONT_BASE)[0])


def follow_up_docx(view: vm.FollowUpView) -> bytes:
    return fill_docx(FOLLOW_UP_TEMPLATE, {"fu": view, "doc": view.document})


def follow_up_file(view: vm.FollowUpView, fmt: str) -> bytes:
    """The follow-up report as ``docx`` or ``pdf``."""
    return follow_up_docx(view) if fmt == "docx" else follow_up_pdf(view)


# -- the area summary report ------------------------------------------------------------------


def area_charts(report: vm.AreaReportView) -> dict[str, str]:
    """The area summary's chart: agencies by grade or by verdict tier."""
    charts = report_env().get_template("report/charts.svg.j2").make_module()
    pairs = area_distribution(report)
    return {"distribution": str(charts.grade_bars(pairs, "จำนวนหน่วยงานตามผลการประเมิน",
                                                    width=640))} \
        if pairs else {}


def area_distribution(report: vm.AreaReportView) -> list[tuple[str, int]]:
    """(grade or tier label, agencies) of the ranked agencies, best first."""
    r = report.rollup
    return list(r.distribution) + [(t.label_th, t.n) for t in r.tiers]


def render_area_html(report: vm.AreaReportView, *, font_base: str = "/static/fonts/"
                     ) -> tuple[str, str]:
    """Render the area summary page; return (html, css)."""
    return render_page("report/area.html.j2", font_base=font_base, report=report,
                       distribution=area_distribution(report))


def area_pdf(report: vm.AreaReportView) -> bytes:
    """Print the area summary to PDF (the yearly report's renderer and stylesheet)."""
    return html_pdf(render_area_html(report, font_base=PDF_FONT_BASE)[0])


def area_docx(report: vm.AreaReportView) -> bytes:
    """Fill ``templates/report/area.docx`` with the area summary."""
    return fill_docx(AREA_DOCX_TEMPLATE,
                     {"report": report, "R": report.rollup, "A": _area_text(),
                      "distribution": area_distribution(report)},
                     area_charts(report))


def area_file(report: vm.AreaReportView, fmt: str) -> bytes:
    """The area summary as ``docx`` or ``pdf``."""
    return area_docx(report) if fmt == "docx" else area_pdf(report)


def _area_text():
    return report_env().get_template("report/area_text.j2").make_module()
