"""Every console page of the demo, as its agency admin reaches them by following links: none
prints Python's ``None`` as text (issue 18, the pages around the documents)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from ...external import tool
from .test_console_demo import _login, demo  # noqa: F401  (the demo fixture)

SKIP = re.compile(r"/logout|/lang/|\.(png|svg|pdf|docx|xlsx|csv|zip)$")
LANGUAGE = re.compile(r"(^|&)lang=")  # the crawl stays in Thai: an English "None" is a word


VOID = {"br", "img", "input", "meta", "link", "hr", "source", "col", "wbr"}


class _Page(HTMLParser):
    """The links and the Thai text of one page: script, style and the English beside a Thai
    label (``lang="en"``, where "None" is the word of an answer) left out."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.text: list[str] = []
        self._open: list[bool] = []  # per open element: is its text left out
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in VOID:
            return
        hide = tag in ("script", "style") or attrs.get("lang") == "en"
        self._open.append(hide)
        self._hidden += hide

    def handle_endtag(self, tag):
        if tag not in VOID and self._open:
            self._hidden -= self._open.pop()

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)


def crawl(client, start: str = "/admin/", limit: int = 400) -> dict[str, str]:
    """Follow the console's links from ``start``: path → visible text of each HTML page."""
    seen: dict[str, str] = {}
    queue = [start]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = ""
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = _Page()
        page.feed(response.get_data(as_text=True))
        seen[path] = " ".join(page.text)
        for href in page.links:
            url = urldefrag(urljoin("http://ita.test" + path, href)).url
            parts = urlsplit(url)
            if parts.netloc != "ita.test" or not parts.path.startswith("/admin/"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if (not SKIP.search(parts.path) and not LANGUAGE.search(parts.query)
                    and target not in seen):
                queue.append(target)
    return seen


def test_no_console_page_of_the_demo_prints_none(demo):  # noqa: F811
    _, info, app = demo
    client = app.test_client()
    assert _login(client, info["admin_login"]).status_code == 302
    pages = crawl(client)
    assert len(pages) > 30, sorted(pages)
    # the dashboard is among them (where "96.67 (None)" was)
    assert f"/admin/assessments/{info['assessment_id']}/results" in pages
    printed = {path: re.findall(r".{0,30}\bNone\b.{0,10}", text)
               for path, text in pages.items() if re.search(r"\bNone\b", text)}
    assert printed == {}, "\n".join(f"{p}: {t}" for p, t in printed.items())


def test_a_console_404_keeps_the_console_layout_with_a_way_back(demo):  # noqa: F811
    _, info, app = demo
    client = app.test_client()
    assert _login(client, info["admin_login"]).status_code == 302
    a = info["assessment_id"]
    for path in ("/admin/no-such-page", f"/admin/assessments/{a + 999}/results",
                 f"/admin/assessments/{a}/follow-up/q9"):
        response = client.get(path)
        assert response.status_code == 404, path
        html = response.get_data(as_text=True)
        assert 'class="admin' in html and "admin-nav" in html, path  # the console's menu
        assert 'href="/admin/"' in html and "กลับหน้าแรกของระบบจัดการ" in html, path
        assert "คิวอาร์โค้ด" not in html, path  # not the respondent's "check the QR code"
    # signed out: still the console's page, its way back leads to the sign-in
    signed_out = app.test_client().get("/admin/no-such-page")
    assert signed_out.status_code == 404
    assert "กลับหน้าแรกของระบบจัดการ" in signed_out.get_data(as_text=True)
    # a respondent's 404 stays the respondent's page
    respondent = app.test_client().get("/eit/no-such-token-at-all").get_data(as_text=True)
    assert "admin-nav" not in respondent and "คิวอาร์โค้ด" in respondent


def test_the_poster_downloads_as_an_a4_pdf_with_a_print_hint(demo, tmp_path):  # noqa: F811
    import subprocess


    _, info, app = demo
    client = app.test_client()
    assert _login(client, info["admin_login"]).status_code == 302
    a = info["assessment_id"]
    page = client.get(f"/admin/assessments/{a}/poster").get_data(as_text=True)
    pdf_link = f"/admin/assessments/{a}/poster.pdf"
    assert pdf_link in page and "ไลน์" in page
    assert 'id="print-hint"' in page and "ขนาดจริง" in page
    # the number and its unit are bound: "4 นาที" never breaks between them
    assert re.search(r"\d+\u00a0นาที", page) and re.search(r"\d+\u00a0ข้อ", page)
    response = client.get(pdf_link)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"].endswith('.pdf')
    path = tmp_path / "poster.pdf"
    path.write_bytes(response.data)
    pdfinfo = subprocess.run([tool("pdfinfo"), str(path)], capture_output=True, text=True,
                             check=True).stdout
    assert re.search(r"Pages:\s+1\n", pdfinfo)  # one A4 page
    assert "(A4)" in pdfinfo
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "/eit/" in text and "EIT" in text
    assert re.search(r"\d+\s+น", text.replace("\u00a0", " ")), text  # number and unit on a line
    with app.app_context():
        import sqlalchemy as sa

        from survey_app.extensions import db
        from survey_app.models import AuditEvent

        assert db.session.scalar(sa.select(AuditEvent.target).where(
            AuditEvent.detail == "EIT poster (PDF)")).endswith(".pdf")
