"""The audit log, for system admins."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template, request

from ..extensions import db
from ..models import Agency
from ..services.audit import PER_PAGE, audit_page
from . import bp
from .access import system_admin_required


@bp.get("/audit", endpoint="audit")
@system_admin_required
def audit_log():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    agency_id = request.args.get("agency", type=int)
    events, total = audit_page(db.session, page=page, agency_id=agency_id)
    agencies = list(db.session.scalars(sa.select(Agency).order_by(Agency.code)))
    return render_template("admin/audit.html", events=events, total=total, page=page,
                           pages=max((total + PER_PAGE - 1) // PER_PAGE, 1), agency_id=agency_id,
                           agencies=agencies, by_id={a.id: a for a in agencies})
