"""Agencies: who may see which (the scope), the console's agency tree, creating and editing.

Functions take the session and the account they act for; they add and flush, the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Agency, Assessment, Role, User
from .assessments import AssessmentState, assessment_state, response_counts_by_assessment
from .id_lists import rows_of
from .refusals import Refusal

AGENCY_TYPES = ("area_office", "school", "ministry", "department", "local", "other")
#: Agency types with no agencies below them: a school is assessed on its own.
LEAF_TYPES = frozenset({"school"})


def may_have_children(agency: Agency) -> bool:
    """Whether agencies may be added below ``agency`` (not below a school)."""
    return agency.agency_type not in LEAF_TYPES


def may_add_agencies(user: User) -> bool:
    """Whether ``user`` may add agencies: a system admin, or an agency admin of an agency
    that can have agencies below it (a school's admin has nothing to add)."""
    if not user.can_write:
        return False
    return user.role == Role.SYSTEM_ADMIN or user.agency is None or may_have_children(user.agency)


class AgencyError(Refusal):
    """A change to an agency that is refused (a key of ``survey_app.refusals``)."""


# -- scope -----------------------------------------------------------------------------------


def agency_scope(session: Session, user: User) -> set[int] | None:
    """Return the ids of the agencies ``user`` may see, or None for every agency."""
    if user.role == Role.SYSTEM_ADMIN:
        return None
    return subtree(session, user.agency_id)


def subtree(session: Session, agency_id: int | None) -> set[int]:
    """Return the ids of an agency and of everything below it, however deep."""
    children: dict[int | None, list[int]] = {}
    for child_id, parent_id in rows_of(session, sa.select(Agency.id, Agency.parent_id)):
        children.setdefault(parent_id, []).append(child_id)
    scope, todo = set(), [agency_id]
    while todo:
        current = todo.pop()
        if current is None or current in scope:
            continue
        scope.add(current)
        todo.extend(children.get(current, ()))
    return scope


def visible_agencies(session: Session, user: User) -> sa.Select:
    """A SELECT of the agencies in scope, ordered by code."""
    query = sa.select(Agency).order_by(Agency.code)
    scope = agency_scope(session, user)
    return query if scope is None else query.where(Agency.id.in_(scope))


def in_scope(session: Session, user: User, agency_id: int | None) -> bool:
    scope = agency_scope(session, user)
    return scope is None or agency_id in scope


# -- the console's overview ------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentRow:
    assessment: Assessment
    state: AssessmentState
    iit: int
    eit: int


@dataclass(frozen=True)
class AgencyRow:
    agency: Agency
    depth: int
    assessments: list[AssessmentRow]


def agency_tree(session: Session, user: User) -> list[AgencyRow]:
    """Return the account's agencies as a tree (parents first) with their assessments."""
    agencies = list(session.scalars(visible_agencies(session, user)))
    ids = {a.id for a in agencies}
    assessments = list(session.scalars(
        sa.select(Assessment).where(Assessment.agency_id.in_(ids))
        .order_by(Assessment.fiscal_year_be.desc(), Assessment.id.desc())
    )) if ids else []
    counts = response_counts_by_assessment(session, [a.id for a in assessments])
    by_agency: dict[int, list[AssessmentRow]] = {}
    for a in assessments:
        by_agency.setdefault(a.agency_id, []).append(AssessmentRow(
            a, assessment_state(a), counts[a.id]["IIT"], counts[a.id]["EIT"]))
    children: dict[int | None, list[Agency]] = {}
    for a in agencies:
        parent = a.parent_id if a.parent_id in ids else None
        children.setdefault(parent, []).append(a)
    rows: list[AgencyRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for a in children.get(parent, []):
            rows.append(AgencyRow(a, depth, by_agency.get(a.id, [])))
            walk(a.id, depth + 1)

    walk(None, 0)
    return rows


# -- creating and editing --------------------------------------------------------------------


def get_or_create_agency(
    session: Session,
    *,
    code: str,
    name_th: str,
    name_en: str = "",
    agency_type: str,
    eligible_headcount: int | None = None,
    parent: Agency | None = None,
) -> tuple[Agency, bool]:
    agency = session.scalar(sa.select(Agency).where(Agency.code == code))
    if agency is not None:
        return agency, False
    agency = Agency(
        code=code,
        name_th=name_th,
        name_en=name_en,
        agency_type=agency_type,
        eligible_headcount=eligible_headcount,
        parent=parent,
    )
    session.add(agency)
    session.flush()
    return agency, True


def save_agency(session: Session, agency: Agency | None, *, code: str, name_th: str,
                name_en: str, agency_type: str, eligible_headcount: int | None,
                parent_id: int | None) -> Agency:
    """Create (``agency`` None) or update an agency; refuse a duplicate code or a cycle."""
    code = code.strip().upper()
    clash = session.scalar(sa.select(Agency.id).where(Agency.code == code))
    if clash is not None and (agency is None or clash != agency.id):
        raise AgencyError("agency_code_taken")
    if agency_type not in AGENCY_TYPES:
        raise AgencyError("agency_type_unknown")
    if agency is not None and parent_id is not None:
        # The new parent must not be the agency itself or one of its descendants.
        ancestor = session.get(Agency, parent_id)
        while ancestor is not None:
            if ancestor.id == agency.id:
                raise AgencyError("agency_parent_cycle")
            ancestor = ancestor.parent
    if agency is None:
        agency = Agency(code=code)
        session.add(agency)
    agency.code = code
    agency.name_th = name_th.strip()
    agency.name_en = name_en.strip()
    agency.agency_type = agency_type
    agency.eligible_headcount = eligible_headcount
    agency.parent_id = parent_id
    session.flush()
    return agency
