"""Small helpers several console view modules share (no views here)."""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable

from flask import Response, current_app, make_response, render_template, send_file
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from ..extensions import db
from ..headers import policy_allowing_style
from ..models import Assessment
from ..services import exports
from ..services.ballots import pending_counts
from ..services.document_cache import cache_folder
from ..services.qr import qr_svg
from ..services.reports import MIMETYPES
from .access import audit
from .forms import Choice


def pending_ballots(rows) -> dict[int, int]:
    """IIT ballots still in the box, per assessment of these agency rows (SECURITY.md)."""
    return pending_counts(db.session, [a.assessment.id for r in rows for a in r.assessments])


def choices(pairs) -> list:
    """Turn (value, label) pairs into a select field's choices."""
    return [Choice(v, label) for v, label in pairs]


def audit_label(assessment: Assessment) -> str:
    """How the audit log names an assessment."""
    return f"{assessment.agency.code} {assessment.fiscal_year_be} #{assessment.id}"


def qr_markup(url: str) -> Markup:
    """An inline SVG QR code (no XML declaration: it sits inside the HTML)."""
    text = qr_svg(url).decode()
    text = text[text.index("<svg"):]
    # A viewBox lets the stylesheet size it (segno writes only width and height).
    size = re.search(r'width="(\d+)"', text).group(1)
    text = text.replace("<svg ", f'<svg viewBox="0 0 {size} {size}" shape-rendering="crispEdges" ', 1)
    # segno's own markup; the only input is our URL, which segno escapes in <title>.
    return Markup(text)  # noqa: S704


@functools.lru_cache(maxsize=64)
def public_qr_markup(url: str) -> Markup:
    """:func:`qr_markup` of a public link (an assessment's EIT link: the same QR code on every
    view of its page and poster), drawn once per worker.  Never for a code slip's link, which
    holds a plain access code that no process keeps (SECURITY.md)."""
    return qr_markup(url)


def render_printed(template: str, **context) -> Markup:
    """Render printed matter for respondents (code slips, the poster) in Thai, whatever the
    admin's language: respondents read Thai first."""
    with force_locale("th"):
        # render_template escapes everything it fills in; the result is HTML to embed.
        return Markup(render_template(template, **context))  # noqa: S704


def page_css(name: str) -> str:
    return render_template(f"admin/results/{name}.css")


def with_inline_css(html: str, css: str, *, fonts: bool = False) -> Response:
    """Send a page whose one inline ``<style>`` the CSP allows by its hash (no 'unsafe-inline').

    ``fonts``: the page loads the report's own font from /static/fonts.
    """
    response = make_response(html)
    policy = policy_allowing_style(css)
    response.headers["Content-Security-Policy"] = policy + ("; font-src 'self'" if fonts else "")
    return response


def download_name(assessment: Assessment, kind: str, ext: str) -> str:
    return exports.export_filename(assessment.agency.code, assessment.fiscal_year_be, kind, ext)


def record_download(assessment: Assessment, name: str, action: str = "export") -> None:
    """Write a download to the audit log and commit it."""
    audit(action, target=name, agency_id=assessment.agency_id,
          detail=f"assessment {assessment.id}")
    db.session.commit()


def document_folder():
    """Where rendered report files are kept (services/document_cache.py)."""
    return cache_folder(current_app.config, current_app.instance_path)


def send_report(assessment: Assessment, name: str, fmt: str, make: Callable[[], bytes]):
    """Make a report file (DOCX or PDF), record its download and send it; a renderer's failure
    is a message (503), never a bare 500."""
    try:
        data = make()
    except Exception:
        return report_failed(fmt, assessment)
    record_download(assessment, name, "report")
    return send_file(io.BytesIO(data), mimetype=MIMETYPES[fmt], as_attachment=True,
                     download_name=name)


def report_failed(fmt: str, assessment: Assessment | None = None):
    """Log a report renderer's failure and answer with a message (503), never a bare 500."""
    current_app.logger.exception("%s report failed", fmt.upper())
    return render_template("admin/results/message.html", assessment=assessment, message=_(
        "The %(fmt)s report could not be made; try again or tell the administrator.",
        fmt=fmt.upper())), 503
