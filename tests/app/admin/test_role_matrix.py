"""Every console endpoint × every role × own / child / other agency.

An account never sees or changes another agency's data: outside its scope every endpoint
answers 404 (never 200), a viewer is refused (403) every change, and an anonymous visitor is
sent to the sign-in page.  The table below classifies each ``admin.*`` endpoint; an endpoint
that is not in it fails the test, so a new view cannot ship unclassified.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import url_for

from survey_app.models import Agency

from .console_world import PASSWORD, SET, USERS, World, build_world, login

PUBLIC = "public"  # anyone (the sign-in page)
ACCOUNT = "account"  # any signed-in account; shows only what is in its scope
WRITER = "writer"  # unscoped page for accounts that may change things
SYSTEM = "system"  # system admins only
READ = "read"  # an agency's or assessment's page: everyone in scope
WRITE = "write"  # changes an agency or assessment: writers in scope (GET and POST)
READ_WRITE = "read_write"  # GET for everyone in scope, POST for writers in scope

_counter = itertools.count(1)


def _agency_data(world: World, target: str) -> dict:
    return {"code": target, "name_th": f"หน่วยงาน {target}", "agency_type": "area_office",
            "parent_id": str(world.agency["A"]) if target == "A1" else ""}


def _new_agency_data(world: World, role: str) -> dict:
    own = USERS.get(role, (None, None))[1]
    return {"code": f"N{next(_counter)}", "name_th": "หน่วยงานใหม่", "agency_type": "school",
            "parent_id": str(world.agency[own]) if own else ""}


def _new_user_data(world: World, role: str) -> dict:
    own = USERS.get(role, (None, None))[1] or "A"
    return {"username": f"u{next(_counter)}", "role": "viewer",
            "agency_id": str(world.agency[own]), "password": PASSWORD}


def _forms_export() -> bytes:
    from questionnaires import load_instrument_set

    from ...forms_exports import code_frame, forms_frame

    iset = load_instrument_set(SET)
    return forms_frame(iset, "IIT", code_frame(iset, "IIT", 3)).to_csv(index=False).encode()


NEW_PASSWORD = "the-walker-s-new-password"


def _set_text(set_id: str) -> str:
    """ita-2569's definition under another id (a valid new set)."""
    from questionnaires import load_instrument_set

    text = Path(load_instrument_set("ita-2569").source).read_text(encoding="utf-8")
    return text.replace('id = "ita-2569"', f'id = "{set_id}"', 1)


def _confirm_data(set_id: str) -> dict:
    from survey_app.services.instrument_sets import text_sha256

    text = _set_text(set_id)
    return {"text": text, "filename": f"{set_id}.toml", "sha256": text_sha256(text)}


WINDOW = {"opens_at": "2026-01-05T08:00", "closes_at": "2026-03-01T16:30"}

#: endpoint → (access, fixed URL values, POST data for an allowed request).
#: Data builders take (world, target agency code or the role for unscoped endpoints).
ENDPOINTS: dict[str, tuple[str, dict, Callable[[World, str], dict] | None]] = {
    # accounts
    "admin.login": (PUBLIC, {}, None),
    "admin.logout": (ACCOUNT, {}, lambda w, x: {}),
    "admin.home": (ACCOUNT, {}, None),
    "admin.users": (WRITER, {}, _new_user_data),
    "admin.password_change": (ACCOUNT, {}, lambda w, x: {
        "current_password": PASSWORD, "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD}),
    # another account (the target agency's staff account, see _staff_accounts)
    "admin.user_manage": (WRITE, {}, None),
    "admin.user_role": (WRITE, {}, lambda w, x: {"role": "viewer",
                                                 "agency_id": str(w.agency[x])}),
    "admin.user_reset_password": (WRITE, {}, lambda w, x: {}),
    "admin.user_active": (WRITE, {}, lambda w, x: {"active": "0"}),
    "admin.audit": (SYSTEM, {}, None),
    # agencies
    "admin.agency_new": (WRITER, {}, _new_agency_data),
    "admin.agency": (READ, {}, None),
    "admin.agency_edit": (WRITE, {}, _agency_data),
    "admin.published": (READ_WRITE, {}, lambda w, x: {"s-0-year": "2565", "s-1-year": "",
                                                 "s-0-total": "90.5"}),
    "admin.published_import": (WRITE, {}, lambda w, x: {
        "file": (io.BytesIO(b"fiscal_year,total,1\n2560,80.25,91\n"), "past.csv")}),
    "admin.published_oit": (READ_WRITE, {"year": 2569}, lambda w, x: {
        f"O{n}-result": "pass" for n in range(1, 44)}),
    "admin.comparison": (READ, {}, None),
    # assessments
    "admin.assessment_new": (WRITE, {}, lambda w, x: {
        "fiscal_year_be": str(2570 + next(_counter)), "instrument_set": SET, **WINDOW}),
    "admin.assessment": (READ, {}, None),
    "admin.assessment_edit": (WRITE, {}, lambda w, x: dict(WINDOW)),
    "admin.assessment_open": (WRITE, {}, lambda w, x: {}),
    "admin.assessment_close": (WRITE, {}, lambda w, x: {}),
    # a system admin's action on any assessment (A's: the first made)
    "admin.assessment_reopen": (SYSTEM, {"assessment_id": 1},
                                lambda w, x: {"reason": "ขยายเวลาตามคำขอของหน่วยงาน"}),
    "admin.assessment_rotate_link": (WRITE, {}, lambda w, x: {}),
    "admin.codes_generate": (WRITE, {}, lambda w, x: {"count": "2",
                                                      "nonce": f"nonce-{next(_counter):012d}"}),
    "admin.codes_revoke": (WRITE, {}, lambda w, x: {"batch": "first"}),
    "admin.poster": (READ, {}, None),
    "admin.poster_pdf": (READ, {}, None),
    "admin.oit": (READ_WRITE, {}, lambda w, x: {"O1-passed": "pass",
                                                "O1-urls": "https://example.go.th/o1"}),
    "admin.oit_download": (READ, {}, None),
    "admin.measures": (READ_WRITE, {}, lambda w, x: {"indicator": "9", "measure": "มาตรการ",
                                                     "start_quarter": "1", "end_quarter": "4"}),
    "admin.measure_edit": (WRITE, {}, lambda w, x: {"indicator": "8", "measure": "แก้ไข",
                                                    "start_quarter": "2", "end_quarter": "3"}),
    "admin.measure_delete": (WRITE, {}, lambda w, x: {}),
    "admin.measure_progress": (READ_WRITE, {}, lambda w, x: {
        "q1-status": "done", "q1-note": "ประชุมแล้ว", "q1-urls": "example.go.th/ita"}),
    "admin.measures_dashboard": (READ, {}, None),
    "admin.follow_up_preview": (READ, {"period": "q1"}, None),
    "admin.follow_up_report": (READ, {"period": "year", "fmt": "docx"}, None),
    # rehearsal imports (Google Forms exports)
    "admin.responses_import": (WRITE, {}, lambda w, x: {
        "instrument": "IIT", "file": (io.BytesIO(_forms_export()), "rehearsal.csv")}),
    "admin.responses_import_confirm": (WRITE, {}, lambda w, x: {"token": "not-a-preview"}),
    "admin.responses_import_delete": (WRITE, {}, lambda w, x: {"import_id": "999999"}),
    # instrument sets: anyone signed in reads; only a system admin adds
    "admin.sets": (ACCOUNT, {}, None),
    "admin.set_detail": (ACCOUNT, {"set_id": "ita-2569"}, None),
    "admin.set_upload": (SYSTEM, {}, lambda w, x: {
        "file": (io.BytesIO(_set_text(f"matrix-{next(_counter)}").encode()), "set.toml")}),
    "admin.set_confirm": (SYSTEM, {}, lambda w, x: _confirm_data(f"matrix-{next(_counter)}")),
    # results, exports and reports (helper B's views)
    "admin.results": (READ, {}, None),
    "admin.supervisor": (ACCOUNT, {}, None),
    "admin.area_workbook": (ACCOUNT, {}, None),
    "admin.area_report": (ACCOUNT, {"fmt": "docx"}, None),
    "admin.exports": (READ, {}, None),
    "admin.export_download": (READ, {"kind": "responses-iit", "fmt": "csv"}, None),
    "admin.report_preview": (READ, {}, None),
    "admin.report": (READ, {"fmt": "docx"}, None),
    "admin.report_narrative": (READ_WRITE, {}, lambda w, x: {"monitoring-1": "ติดตามรายไตรมาส"}),
}

#: POSTs that end something the rest of the walk needs run last, in this order.
LAST = ("admin.measure_delete", "admin.logout")
ROLES = ("anonymous", *USERS)
SCOPED = (READ, WRITE, READ_WRITE)


def _admin_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")]


def test_every_admin_endpoint_is_classified(app):
    unknown = sorted({r.endpoint for r in _admin_rules(app)} - ENDPOINTS.keys())
    assert not unknown, f"classify these console endpoints in ENDPOINTS: {unknown}"
    gone = sorted(ENDPOINTS.keys() - {r.endpoint for r in _admin_rules(app)})
    assert not gone, f"ENDPOINTS lists endpoints that no longer exist: {gone}"


def _in_scope(role: str, target: str) -> bool:
    own = USERS[role][1]
    return own is None or target == own or (own == "A" and target == "A1")


def expected(role: str, access: str, method: str, target: str | None) -> set[int]:
    """The status codes this request may answer."""
    allowed = {200, 302}
    if access == PUBLIC:
        return allowed
    if role == "anonymous":
        return {302}  # to the sign-in page (checked below)
    user_role = USERS[role][0]
    writer = user_role != "viewer"
    if access == ACCOUNT:
        return allowed
    if access == WRITER:
        return allowed if writer else {403}
    if access == SYSTEM:
        return allowed if user_role == "system_admin" else {403}
    changes = access == WRITE or (access == READ_WRITE and method == "POST")
    if not _in_scope(role, target):
        # A viewer is refused a change before anything is looked up, so 403 reveals nothing.
        return {404} if writer or not changes else {403, 404}
    if changes and not writer:
        return {403}
    return allowed


def _staff_accounts(app, world: World) -> dict[str, int]:
    """Agency code → an account of that agency that no walker signs in with."""
    from survey_app.extensions import db
    from survey_app.services.accounts import create_user

    with app.app_context():
        ids = {}
        for code in ("A", "A1", "B"):
            agency = db.session.get(Agency, world.agency[code])
            ids[code] = create_user(db.session, username=f"staff_{code}", password=PASSWORD,
                                    role="viewer", agency=agency).id
        db.session.commit()
    return ids


def _requests(app, world: World):
    """Yield (endpoint, access, method, target, url, data builder) for every case."""
    staff = _staff_accounts(app, world)
    cases = []
    with app.test_request_context():
        for rule in _admin_rules(app):
            access, fixed, data = ENDPOINTS[rule.endpoint]
            targets = ["A", "A1", "B"] if access in SCOPED else [None]
            for target, method in itertools.product(targets, ("GET", "POST")):
                if method not in rule.methods:
                    continue
                values = dict(fixed)
                if target is not None:
                    for arg in rule.arguments - values.keys():
                        values[arg] = {"agency_id": world.agency, "assessment_id": world.assessment,
                                       "measure_id": world.measure, "user_id": staff}[arg][target]
                url = url_for(rule.endpoint, **values)
                cases.append((rule.endpoint, access, method, target, url, data))
    order = {name: i for i, name in enumerate(LAST, start=1)}
    # GETs first, then POSTs; the walk-ending POSTs last.
    cases.sort(key=lambda c: (c[2] == "POST", order.get(c[0], 0)))
    return cases


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.usefixtures("light_documents")  # access here; the files elsewhere
def test_role_matrix(app, role):
    world = build_world(app)
    client = app.test_client()
    if role != "anonymous":
        login(client, role)
    failures = []
    checked = 0
    for endpoint, access, method, target, url, data in _requests(app, world):
        if endpoint == "admin.login":
            continue  # covered by the sign-in tests; it would switch accounts here
        body = None
        if method == "POST" and data is not None:
            body = data(world, target if target is not None else role)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data=body or {}, content_type=None
                                   if not body or "file" not in body else "multipart/form-data")
        response.get_data()  # run streamed downloads to the end, then release them
        response.close()
        want = expected(role, access, method, target)
        checked += 1
        status = response.status_code
        if status not in want:
            failures.append(f"{role} {method} {url} ({endpoint}, target {target}): "
                            f"{status}, expected {sorted(want)}")
        elif role == "anonymous" and access != PUBLIC:
            if "/admin/login" not in response.headers.get("Location", ""):
                failures.append(f"anonymous {method} {url}: not sent to the sign-in page")
        if target is not None and not _in_scope_or_anon(role, target) and status == 200:
            failures.append(f"{role} {method} {url}: 200 outside its scope")
    assert not failures, "\n".join(failures)
    assert checked > 40


def _in_scope_or_anon(role: str, target: str) -> bool:
    return role == "anonymous" or _in_scope(role, target)
