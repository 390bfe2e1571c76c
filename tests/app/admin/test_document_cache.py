"""Rendered reports are kept by what they show and how they are drawn (services/document_cache.py).

The same inputs give the kept bytes without rendering; a changed text, result, measure or
template gives a new document.  What is counted is the renderer's calls (``report_file``), so
charts and PDF pages are the small stand-ins of ``light_documents``: the real renders are read
in test_report_yearly.py and test_report_files.py.
"""

from __future__ import annotations

import io

import docx
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import (
    Assessment,
    AuditEvent,
    ImprovementMeasure,
    OitResult,
    ReportNarrative,
)
from survey_app.services import document_cache, reports

from .results_data import login, seed_one


def _counting(monkeypatch, name: str) -> list[str]:
    """Count the calls of ``reports.<name>`` (the renderer behind a download)."""
    calls: list[str] = []
    real = getattr(reports, name)

    def counted(view, fmt):
        calls.append(fmt)
        return real(view, fmt)

    monkeypatch.setattr(reports, name, counted)
    return calls


def test_the_same_report_is_rendered_once_and_a_changed_text_renders_again(app, client,
                                                                            monkeypatch,
                                                                            light_documents):
    seeded = seed_one(app)
    login(client)
    calls = _counting(monkeypatch, "report_file")
    url = f"/admin/assessments/{seeded.assessment_id}/report.docx"
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert second.data == first.data and calls == ["docx"]
    kept = list((document_cache.cache_folder(app.config, app.instance_path)).glob("*.docx"))
    assert len(kept) == 1
    with app.app_context():  # every download is still audited
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "report")) == 2

    with app.app_context():  # the office edits a text: a new document
        assessment = db.session.get(Assessment, seeded.assessment_id)
        weak = reports.report_view(db.session, assessment).results.to_develop[0].code
        db.session.add(ReportNarrative(assessment_id=assessment.id, kind="develop", indicator=weak,
                                       text="ข้อความที่สำนักงานเขียนเอง"))
        db.session.commit()
    edited = client.get(url)
    assert calls == ["docx", "docx"] and edited.data != first.data
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(edited.data)).paragraphs)
    assert "ข้อความที่สำนักงานเขียนเอง" in text

    with app.app_context():  # a measure changes: a new document
        db.session.execute(sa.update(ImprovementMeasure).where(
            ImprovementMeasure.assessment_id == seeded.assessment_id)
            .values(responsible="กลุ่มนโยบายและแผน"))
        db.session.commit()
    client.get(url)
    assert len(calls) == 3
    client.get(url)
    assert len(calls) == 3  # and that one is kept in turn


def test_a_changed_result_gives_a_new_pdf(app, client, monkeypatch, light_documents):
    seeded = seed_one(app)
    login(client)
    calls = _counting(monkeypatch, "report_file")
    url = f"/admin/assessments/{seeded.assessment_id}/report.pdf"
    first = client.get(url)
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    assert client.get(url).data == first.data and calls == ["pdf"]
    with app.app_context():  # an OIT item judged again: another result fingerprint
        item = db.session.scalars(sa.select(OitResult).where(
            OitResult.assessment_id == seeded.assessment_id, OitResult.passed.is_(True))).first()
        item.passed = False
        db.session.commit()
    assert client.get(url).status_code == 200
    assert calls == ["pdf", "pdf"]


def test_a_changed_template_or_font_gives_a_new_key(tmp_path, monkeypatch):
    template = tmp_path / "report"
    template.mkdir()
    (template / "report.html.j2").write_text("<p>{{ x }}</p>", encoding="utf-8")
    sources = (template,)
    view = ("a view", 1.5)
    uncached = document_cache.rendering_digest.__wrapped__  # read the files at every call
    monkeypatch.setattr(document_cache, "rendering_digest", lambda: uncached(sources))
    before = document_cache.document_key("report", "pdf", view)
    assert before == document_cache.document_key("report", "pdf", ("a view", 1.5))
    assert before != document_cache.document_key("report", "docx", view)
    assert before != document_cache.document_key("report", "pdf", ("a view", 1.6))
    (template / "report.html.j2").write_text("<p>{{ x }}!</p>", encoding="utf-8")
    assert document_cache.document_key("report", "pdf", view) != before


def test_the_cache_folder_and_unkeyable_views(tmp_path):
    rendered = []

    def render():
        rendered.append(1)
        return b"doc"

    folder = tmp_path / "docs"
    assert document_cache.cached_document(folder, "report", "pdf", ("v",), render) == b"doc"
    assert document_cache.cached_document(folder, "report", "pdf", ("v",), render) == b"doc"
    assert len(rendered) == 1
    # something without a value repr (an address in it) is never kept
    document_cache.cached_document(folder, "report", "pdf", object(), render)
    document_cache.cached_document(folder, "report", "pdf", object(), render)
    assert len(rendered) == 3
    # "" turns the cache off; a folder that cannot be written only costs the speed-up
    assert document_cache.cache_folder({"DOCUMENT_CACHE_DIR": ""}, str(tmp_path)) is None
    document_cache.cached_document(None, "report", "pdf", ("v",), render)
    assert len(rendered) == 4
    blocked = tmp_path / "file"
    blocked.write_text("x")
    assert document_cache.cached_document(blocked, "report", "pdf", ("w",), render) == b"doc"
