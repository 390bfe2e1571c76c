"""Collection monitoring: responses per day per instrument, progress against each minimum, and
the history chart spaced by its years — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import doctest
import itertools
import re

import pytest
import sqlalchemy as sa

from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import Agency, Assessment, Response
from survey_app.services import ballots, reports
from survey_app.services import view_models as vm
from survey_app.services.collection import collection_view
from survey_app.services.responses import local_today

from ..attacks import worker_pass
from ..conftest import Respondent, app_config, full_answers, make_assessment
from .results_data import add_agency, add_assessment, add_user, login, publish, seed_one

K = 3


@pytest.fixture
def mix_app(database_url, tmp_path):
    app = create_app(app_config(database_url, tmp_path, MIX_BATCH=K))
    yield app
    db.dispose(app)


def _view(app, assessment_id: int) -> vm.CollectionView:
    with app.app_context():
        return collection_view(db.session, db.session.get(Assessment, assessment_id),
                               timezone=app.config["TIMEZONE"])


def _on(view: vm.CollectionView, instrument: str) -> dict[dt.date, int]:
    return {d.day: d.responses for d in view.instrument(instrument).days if d.responses}


def _submit_iit(client, token: str, code: str) -> None:
    respondent = Respondent(client, token)
    ticket = respondent.start_iit(code)
    assert respondent.submit_iit(ticket).status_code == 200


def test_eit_counts_at_once_iit_only_after_mixing(mix_app):
    setup = make_assessment(mix_app, codes=4)
    today = local_today(mix_app.config["TIMEZONE"])
    for _ in range(2):
        assert Respondent(mix_app.test_client(), setup.token).submit_eit().status_code == 200
    view = _view(mix_app, setup.assessment_id)
    assert _on(view, "EIT") == {today: 2} and _on(view, "IIT") == {}
    assert view.days[-1] == today  # an open assessment's axis runs to today

    for code in setup.codes[:2]:  # two ballots wait: counted, never on a day
        _submit_iit(mix_app.test_client(), setup.token, code)
    iit = _view(mix_app, setup.assessment_id).instrument("IIT")
    assert (iit.responses, iit.pending, _on(_view(mix_app, setup.assessment_id), "IIT")) \
        == (0, 2, {})

    _submit_iit(mix_app.test_client(), setup.token, setup.codes[2])  # the third: a batch of K
    worker_pass(mix_app)  # the mixer's next pass (never the request)
    view = _view(mix_app, setup.assessment_id)
    assert (view.instrument("IIT").responses, view.instrument("IIT").pending) == (3, 0)
    assert _on(view, "IIT") == {today: 3}
    assert view.instrument("IIT").days[-1].cumulative == 3

    _submit_iit(mix_app.test_client(), setup.token, setup.codes[3])
    client = mix_app.test_client()
    with mix_app.app_context():
        agency = db.session.get(Assessment, setup.assessment_id).agency
        add_user(db.session, "admin", "agency_admin", agency)
        db.session.commit()
    login(client)
    for page in (f"/admin/assessments/{setup.assessment_id}",
                 f"/admin/assessments/{setup.assessment_id}/results"):
        html = client.get(page).get_data(as_text=True)
        assert "data-pending" not in html  # the waiting ballot is never counted on its own
        bars = re.findall(r'data-instrument="(\w+)" data-day="([\d-]+)" data-responses="(\d+)"',
                          html)
        assert sorted(bars) == [("EIT", today.isoformat(), "2"), ("IIT", today.isoformat(), "3")]


def test_a_batch_takes_the_day_of_its_newest_ballot(app):
    setup = make_assessment(app, codes=0)
    monday = dt.date(2026, 11, 2)
    with app.app_context():
        assessment = db.session.get(Assessment, setup.assessment_id)
        for k in range(3):  # ballots of Monday, Tuesday and Wednesday
            ballots.add_ballot(db.session, assessment, full_answers("IIT"),
                               submitted_on=monday + dt.timedelta(days=k))
        db.session.add(Response(assessment_id=assessment.id, instrument="EIT",
                                submitted_on=monday, respondent_group="public", answers=b""))
        db.session.commit()
        assert ballots.mix_assessment(db.engine, assessment.id, minimum=3) == 3
    view = _view(app, setup.assessment_id)
    assert _on(view, "IIT") == {monday + dt.timedelta(days=2): 3}  # all on Wednesday
    assert _on(view, "EIT") == {monday: 1}
    assert view.days[0] <= monday and len(set(view.days)) == len(view.days)
    assert all(b - a == dt.timedelta(days=1) for a, b in zip(view.days, view.days[1:], strict=False))
    rows = {day: [d.responses for d in counts] for day, counts in view.days_with_responses}
    assert rows == {monday: [0, 1], monday + dt.timedelta(days=2): [3, 0]}


def test_one_grouped_query_however_many_responses(app):
    """The per-day counts come from one GROUP BY, not a read per response."""
    small = make_assessment(app, codes=0, agency_code="SMALL")
    large = make_assessment(app, codes=0, agency_code="LARGE")
    with app.app_context():
        for setup, n in ((small, 3), (large, 300)):
            db.session.add_all(Response(assessment_id=setup.assessment_id, instrument="EIT",
                                        submitted_on=dt.date(2026, 11, 1 + k % 20), answers=b"")
                               for k in range(n))
        db.session.commit()

    def statements(assessment_id: int) -> tuple[vm.CollectionView, list[str]]:
        seen: list[str] = []

        def record(_conn, _cursor, statement, *_args) -> None:
            seen.append(statement)

        with app.app_context():
            assessment = db.session.get(Assessment, assessment_id)
            _ = assessment.agency  # loaded before counting, as a view has it
            sa.event.listen(db.engine, "before_cursor_execute", record)
            try:
                view = collection_view(db.session, assessment, timezone="Asia/Bangkok")
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", record)
        return view, seen

    _small_view, small_sql = statements(small.assessment_id)
    large_view, large_sql = statements(large.assessment_id)
    assert large_view.instrument("EIT").responses == 300
    assert len([s for s in large_sql if "FROM response" in s]) == 1
    assert len(large_sql) == len(small_sql)


# -- the page: chart in Thai and English, progress, the headcount ------------------------------


def test_chart_in_thai_and_english_with_its_table(app, client):
    seeded = seed_one(app)  # IIT 35 and EIT 60 over 1–7 November 2026, headcount 60
    login(client)
    th = client.get(f"/admin/assessments/{seeded.assessment_id}?lang=th").get_data(as_text=True)
    assert th.count('class="chart"') == 2 and "<script" not in th
    assert "<title>จำนวนผู้ตอบรายวัน</title>" in th
    assert "<title>จำนวนผู้ตอบสะสมเทียบกับจำนวนขั้นต่ำ</title>" in th
    assert "<desc>1 พฤศจิกายน 2569 ถึง " in th and "IIT 35 ชุด, EIT 60 ชุด</desc>" in th
    assert 'data-day="2026-11-01">1 พ.ย.</text>' in th  # the axis: short Thai dates
    assert "IIT ขั้นต่ำ 30" in th and "EIT ขั้นต่ำ 30" in th  # the cumulative chart's minimums
    row = re.search(r'<tr data-day="2026-11-01"><td>([^<]+)</td>((?:<td class="num">\d+</td>)+)',
                    th)
    assert row.group(1) == "1 พฤศจิกายน 2569"
    # IIT day, so far; EIT … : EIT answers carry the day of the batch they were published in
    # (SECURITY.md), here one batch at the close, on the newest day, 7 November
    assert re.findall(r"\d+", row.group(2)) == ["5", "5", "0", "0"]
    last = re.search(r'<tr data-day="2026-11-07"><td>[^<]+</td>((?:<td class="num">\d+</td>)+)',
                     th)
    assert re.findall(r"\d+", last.group(1)) == ["5", "35", "60", "60"]
    assert 'data-day="2026-11-08"' not in th.split("<details")[1]  # the table skips empty days

    en = client.get(f"/admin/assessments/{seeded.assessment_id}?lang=en").get_data(as_text=True)
    assert "<title>Responses per day</title>" in en
    assert "<desc>1 November 2026 to " in en and "IIT 35, EIT 60</desc>" in en
    assert 'data-day="2026-11-01">1 Nov</text>' in en and "IIT minimum 30" in en
    assert "<td>7 November 2026</td>" in en
    assert "ไม่" not in en.split('id="collection"')[1].split("</section>")[0]


def _page_progress(html: str) -> dict[str, str]:
    return {i: re.sub(r"\s+", " ", t).strip() for i, t in
            re.findall(r'data-progress-text="(\w+)">([^<]*)<', html)}


def test_progress_against_each_minimum(app, client):
    with app.app_context():
        agency = add_agency(db.session, "PROG", "หน่วยงานความคืบหน้า", headcount=200)
        assessment = add_assessment(db.session, agency, iit=12, eit=20, eit_minimum=15,
                                    closed=False)  # still collecting
        add_user(db.session, "admin", "agency_admin", agency)
        db.session.commit()
        assessment_id = assessment.id
    login(client)
    url = f"/admin/assessments/{assessment_id}"
    # headcount 200: ceil(10% of 200) = 20, at least 30 (ita-2566) → 30; EIT: its own 15
    assert _page_progress(client.get(url + "?lang=en").get_data(as_text=True)) == {
        "IIT": "IIT 12 of 30 — 18 more needed", "EIT": "EIT 20 of 15 — minimum reached"}
    assert _page_progress(client.get(url + "?lang=th").get_data(as_text=True)) == {
        "IIT": "IIT 12 จาก 30 ชุด — ต้องการอีก 18 ชุด",
        "EIT": "EIT 20 จาก 15 ชุด — ครบจำนวนขั้นต่ำแล้ว"}
    view = _view(app, assessment_id)
    iit = view.instrument("IIT")
    assert (iit.minimum, iit.met, iit.still_needed) == (30, False, 18)
    assert view.headcount_problem is None

    with app.app_context():  # answers waiting count towards what is still needed
        assessment = db.session.get(Assessment, assessment_id)
        for _ in range(18):
            ballots.add_ballot(db.session, assessment, full_answers("IIT"),
                               submitted_on=dt.date(2026, 11, 8))
        db.session.commit()
    html = client.get(url + "?lang=en").get_data(as_text=True)
    # IIT progress counts every answer received; the waiting ones are never counted on their own
    assert _page_progress(html)["IIT"] == "IIT 30 of 30 — minimum reached"
    assert "data-pending" not in html and "waiting to be mixed)" not in html
    # the bar: 12 of 30 in the results, then 18 waiting, the minimum at the end
    bar = re.search(r'<svg[^>]*data-progress="IIT">(.*?)</svg>', html, re.S).group(1)
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="2" width="([\d.]+)"', bar)]
    assert widths == [320, 128.0, 192.0]


def test_headcount_missing_or_out_of_date_says_so_with_a_link(app, client):
    with app.app_context():
        agency = add_agency(db.session, "HEAD", "หน่วยงานไม่มีจำนวนบุคลากร")
        agency.eligible_headcount = None
        assessment = add_assessment(db.session, agency, iit=12, eit=5)
        add_user(db.session, "admin", "agency_admin", agency)
        add_user(db.session, "viewer", "viewer", agency)
        db.session.commit()
        assessment_id, agency_id = assessment.id, agency.id
    url = f"/admin/assessments/{assessment_id}"
    login(client)
    html = client.get(url + "?lang=en").get_data(as_text=True)
    notice = re.search(r'id="headcount-problem">(.*?)</p>', html, re.S).group(1)
    assert "is not recorded" in notice
    assert f'href="/admin/agencies/{agency_id}/edit"' in notice
    assert _page_progress(html)["IIT"] == "IIT 12 — the minimum sample is unknown"
    th = client.get(url + "?lang=th").get_data(as_text=True)
    assert "ยังไม่ได้บันทึกจำนวนบุคลากรที่มีสิทธิ์ตอบ IIT" in th

    with app.app_context():
        db.session.get(Agency, agency_id).eligible_headcount = 10  # below the 12 received
        db.session.commit()
    html = client.get(url + "/results?lang=en").get_data(as_text=True)
    notice = re.search(r'id="headcount-problem">(.*?)</p>', html, re.S).group(1)
    assert "(10) is below the IIT answers received (12): it is out of date" in notice
    assert f'href="/admin/agencies/{agency_id}/edit"' in notice
    assert _view(app, assessment_id).headcount_problem == "out_of_date"

    viewer = app.test_client()
    login(viewer, "viewer")
    notice = re.search(r'id="headcount-problem">(.*?)</p>',
                       viewer.get(url + "?lang=en").get_data(as_text=True), re.S).group(1)
    assert "/edit" not in notice and "An agency administrator can correct it." in notice


def test_no_responses_yet(app, client):
    setup = make_assessment(app, codes=0)
    with app.app_context():
        add_user(db.session, "admin", "agency_admin",
                 db.session.get(Assessment, setup.assessment_id).agency)
        db.session.commit()
    login(client)
    html = client.get(f"/admin/assessments/{setup.assessment_id}?lang=en").get_data(as_text=True)
    assert "No responses stored yet." in html and 'class="chart"' not in html
    assert _page_progress(html) == {"IIT": "IIT 0 of 30 — 30 more needed",
                                    "EIT": "EIT 0 of 30 — 30 more needed"}


def test_date_formatter_examples():
    import survey_app.i18n

    failures, tried = doctest.testmod(survey_app.i18n)
    assert tried >= 4 and failures == 0


# -- the history chart: years spaced by their gaps ---------------------------------------------


def _circles(svg: str) -> dict[int, float]:
    return {int(y): float(x) for x, y in
            re.findall(r'<circle cx="([\d.]+)" cy="[\d.]+" r="4" fill="[^"]+" data-year="(\d+)"',
                       svg)}


def _assert_spaced_by_years(svg: str, years: list[int]) -> None:
    x = _circles(svg)
    assert sorted(x) == years
    unit = (x[years[-1]] - x[years[0]]) / (years[-1] - years[0])
    for a, b in itertools.pairwise(years):
        assert x[b] - x[a] == pytest.approx(unit * (b - a), abs=0.15), (a, b)


def test_trend_macro_spaces_years_by_their_gaps():
    charts = reports.report_env().get_template("report/charts.svg.j2").make_module()
    points = [vm.TrendPoint(y, t, "-", "-", None)
              for y, t in ((2559, 78.76), (2560, 90.01), (2566, 94.67), (2569, 92.0))]
    svg = str(charts.trend(points, "ผลคะแนน ITA ย้อนหลัง", 85.0))
    _assert_spaced_by_years(svg, [2559, 2560, 2566, 2569])
    missing = [int(y) for y in re.findall(r'data-missing-year="(\d+)"', svg)]
    assert missing == [2561, 2562, 2563, 2564, 2565, 2567, 2568]
    # the line is solid between neighbouring years and dashed across a gap
    assert re.findall(r'data-gap="([\d-]+)"', svg) == ["2560-2566", "2566-2569"]
    # consecutive years stay evenly spaced, as before
    even = str(charts.trend([*points[:2], vm.TrendPoint(2561, 91.0, "-", "-", None)], "t"))
    _assert_spaced_by_years(even, [2559, 2560, 2561])
    assert "data-missing-year" not in even and "data-gap" not in even


def test_history_gaps_on_the_dashboard_and_in_the_report(app, client):
    seeded = seed_one(app, past=False)  # this year: 2569
    with app.app_context():
        publish(db.session, seeded.agency_id, 2562, {"total": 80.5})
        publish(db.session, seeded.agency_id, 2566, {"total": 88.1})
        db.session.commit()
        report = reports.report_view(db.session, db.session.get(Assessment, seeded.assessment_id),
                                     bootstrap=0)
        html, _css = reports.render_report_html(report)  # the web preview and the PDF
        docx_svg = reports.report_charts(report)["trend"]  # rasterised into the DOCX
    years = [2562, 2566, 2569]
    trend_svg = html.split('<div class="figure">')[1]
    _assert_spaced_by_years(trend_svg, years)
    _assert_spaced_by_years(docx_svg, years)
    login(client)
    page = client.get(f"/admin/assessments/{seeded.assessment_id}/results").get_data(as_text=True)
    _assert_spaced_by_years(page.split('id="h-trend"')[1], years)

