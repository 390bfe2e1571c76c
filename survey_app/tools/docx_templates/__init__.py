"""Build the reports' DOCX templates (docxtpl) with python-docx: ``report.docx`` (the yearly
report, :mod:`.yearly`), ``follow_up.docx`` (the measures' follow-up, :mod:`.follow_up`) and
``area.docx`` (the area summary, :mod:`.area`), written to ``survey_app/templates/report``.

Run ``python -m survey_app.tools.docx_templates`` after changing the layout.  The generated
files are committed so that a person can open them in Word or LibreOffice, change fonts,
spacing or margins and save them; ``services.reports`` fills them with docxtpl.  The words
are not here: every sentence is a macro of ``text.j2`` (``T.…``) or ``area_text.j2``
(``A.…``) and every table header ``T.col(key)``, as in the web reports and the PDFs.  Building
twice gives the same bytes (tests/app/admin/test_report_files.py rebuilds and compares).
"""

from __future__ import annotations

from . import area, follow_up, yearly

BUILDERS = {"report.docx": yearly, "follow_up.docx": follow_up, "area.docx": area}


def build_all() -> dict[str, bytes]:
    """Write every template; return each file's bytes by name."""
    return {name: module.build() for name, module in BUILDERS.items()}
