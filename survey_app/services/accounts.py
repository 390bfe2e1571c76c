"""Console accounts: create, check a password, change a password, and manage another account.

Managing (a temporary password, deactivating and reactivating, the role and agency) follows one
rule, :func:`may_manage`: a system admin manages every account; an agency admin the agency
admins and viewers of its own agency tree; a viewer nobody.  No change may leave the console
without an active system admin, and nobody deactivates or re-roles their own account (they
would lock themselves out); ``actor=None`` is the command line, which only that last rule binds.

Passwords are hashed with Werkzeug's ``generate_password_hash`` at ``HASH_METHOD``: scrypt
(N=2**15, r=8, p=1) with a random salt, a memory-hard, modern work factor.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import ROLES, AdminSession, Agency, Role, User, utcnow
from .agencies import agency_scope, in_scope
from .refusals import Refusal

MIN_PASSWORD_LENGTH = 10
#: The work factor of every password the app stores (Werkzeug 3's default, spelled out).
HASH_METHOD = "scrypt:32768:8:1"


def hash_password(password: str) -> str:
    """A salted hash of ``password`` at ``HASH_METHOD``."""
    return generate_password_hash(password, HASH_METHOD)


@functools.cache
def _dummy_hash(method: str) -> str:
    """A hash at ``method`` of a password nobody has: checked when the username is unknown, so
    that a wrong username takes as long as a wrong password and does not reveal which usernames
    exist.  Made at the process's first sign-in (not at import: every ``ita`` command and
    server worker would pay a hash it may never use), before the account is looked up, so that
    the first sign-in is as slow for a known username as for an unknown one."""
    return generate_password_hash("not-a-real-password-0000", method)


class AccountError(Refusal):
    """An account cannot be created or changed as asked (a key of ``survey_app.refusals``)."""


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password_too_short", n=MIN_PASSWORD_LENGTH)
    if password.strip() == "" or len(set(password)) < 4:
        raise AccountError("password_too_simple")


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    agency: Agency | None = None,
    display_name: str = "",
    must_change: bool = False,
) -> User:
    """Add a new account (the caller commits).

    ``must_change``: the password was chosen by someone else (an admin), so the owner must
    replace it at the first sign-in.
    """
    username = username.strip()
    if not username or len(username) > 64 or any(ch.isspace() for ch in username):
        raise AccountError("username_invalid")
    if role not in ROLES:
        raise AccountError("role_unknown", role=role, roles=", ".join(ROLES))
    if role != Role.SYSTEM_ADMIN and agency is None:
        raise AccountError("account_needs_agency")
    check_password_strength(password)
    exists = session.scalar(sa.select(User.id).where(sa.func.lower(User.username) == username.lower()))
    if exists is not None:
        raise AccountError("username_taken", username=username)
    user = User(
        username=username,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        role=role,
        agency_id=agency.id if agency is not None and role != Role.SYSTEM_ADMIN else None,
        active=True,
        must_change_password=must_change,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """Return the active account with this username and password, or None."""
    dummy = _dummy_hash(HASH_METHOD)
    user = session.scalar(sa.select(User).where(User.username == username.strip()))
    if user is None:
        check_password_hash(dummy, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def set_password(session: Session, user: User, password: str, *,
                 must_change: bool = False) -> None:
    """Give ``user`` a new password and end every one of their sign-ins (the caller commits).

    ``must_change``: a temporary password the owner must replace at the next sign-in.
    """
    check_password_strength(password)
    user.password_hash = hash_password(password)
    user.must_change_password = must_change
    end_all_sessions(session, user)


# -- server-side sign-ins ----------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def start_session(session: Session, user: User, *, max_age: dt.timedelta) -> str:
    """Record a new sign-in of ``user``; return its random token (only the hash is stored).

    Sign-ins older than ``max_age`` are removed on the way (the caller commits).
    """
    session.execute(sa.delete(AdminSession).where(AdminSession.created_at < utcnow() - max_age))
    token = secrets.token_urlsafe(32)
    session.add(AdminSession(token_hash=_token_hash(token), user_id=user.id))
    session.flush()
    user.session_token = token
    return token


def user_for_session(session: Session, token: str, *, max_age: dt.timedelta) -> User | None:
    """Return the active account signed in with ``token``, or None (unknown, ended, expired)."""
    if not token or len(token) > 128:
        return None
    row = session.execute(
        sa.select(User, AdminSession.created_at)
        .join(AdminSession, AdminSession.user_id == User.id)
        .where(AdminSession.token_hash == _token_hash(token))
    ).first()
    if row is None:
        return None
    user, created_at = row
    if not user.active or created_at < utcnow() - max_age:
        return None
    user.session_token = token
    return user


def end_session(session: Session, token: str | None) -> None:
    """End one sign-in (logout); the caller commits."""
    if token:
        session.execute(sa.delete(AdminSession).where(AdminSession.token_hash == _token_hash(token)))


def end_all_sessions(session: Session, user: User) -> int:
    """End every sign-in of ``user`` (password change); return how many ended."""
    return session.execute(sa.delete(AdminSession).where(AdminSession.user_id == user.id)).rowcount


# -- an account's own password ---------------------------------------------------------------


def change_own_password(session: Session, user: User, current: str, new: str) -> None:
    """Replace ``user``'s password after checking the current one (the caller commits)."""
    if not check_password_hash(user.password_hash, current):
        raise AccountError("password_current_wrong")
    if check_password_hash(user.password_hash, new):
        raise AccountError("password_same")
    set_password(session, user, new)


# -- managing another account ----------------------------------------------------------------

#: Letters and digits that cannot be misread for one another on paper or on screen.
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def temporary_password() -> str:
    """A random temporary password (3 groups of 4, about 69 bits), e.g. ``k7Qm-4XpT-9cWd``."""
    while True:
        groups = ("".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(4))
                  for _ in range(3))
        password = "-".join(groups)
        if len(set(password)) >= 4:
            return password


def may_manage(session: Session, actor: User | None, target: User) -> bool:
    """Whether ``actor`` (None: the command line) may change ``target``'s account."""
    if actor is None or actor.role == Role.SYSTEM_ADMIN:
        return True
    if actor.role != Role.AGENCY_ADMIN or target.role == Role.SYSTEM_ADMIN:
        return False
    return in_scope(session, actor, target.agency_id)


def _active_system_admins(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.role == Role.SYSTEM_ADMIN, User.active.is_(True))) or 0


def _check_change(session: Session, actor: User | None, target: User, *,
                  removes_system_admin: bool) -> None:
    if not may_manage(session, actor, target):
        raise AccountError("account_not_yours")
    if actor is not None and actor.id == target.id:
        raise AccountError("account_self")
    if (removes_system_admin and target.role == Role.SYSTEM_ADMIN and target.active
            and _active_system_admins(session) <= 1):
        raise AccountError("account_last_system_admin", username=target.username)


def reset_password(session: Session, actor: User | None, target: User) -> str:
    """Give ``target`` a temporary password to change at first sign-in; return it."""
    if not may_manage(session, actor, target):
        raise AccountError("account_not_yours")
    if actor is not None and actor.id == target.id:
        raise AccountError("account_self_password")
    password = temporary_password()
    set_password(session, target, password, must_change=True)
    return password


def set_active(session: Session, actor: User | None, target: User, active: bool) -> None:
    """Deactivate (it can no longer sign in) or reactivate ``target`` (the caller commits)."""
    _check_change(session, actor, target, removes_system_admin=not active)
    target.active = active
    end_all_sessions(session, target)


def change_role(session: Session, actor: User | None, target: User, *, role: str,
                agency: Agency | None) -> None:
    """Give ``target`` another role and agency, both within ``actor``'s reach."""
    if role not in ROLES:
        raise AccountError("role_unknown", role=role, roles=", ".join(ROLES))
    _check_change(session, actor, target, removes_system_admin=role != Role.SYSTEM_ADMIN)
    if actor is not None and role not in assignable_roles(actor):
        raise AccountError("account_role_not_allowed")
    if role != Role.SYSTEM_ADMIN:
        if agency is None:
            raise AccountError("account_needs_agency")
        if actor is not None and not in_scope(session, actor, agency.id):
            raise AccountError("account_not_yours")
    target.role = role
    target.agency_id = None if role == Role.SYSTEM_ADMIN else agency.id
    end_all_sessions(session, target)


def assignable_roles(user: User) -> tuple[str, ...]:
    """Return the roles ``user`` may give a new account (only a system admin makes another)."""
    return ROLES if user.role == Role.SYSTEM_ADMIN else (Role.AGENCY_ADMIN, Role.VIEWER)


def user_by_username(session: Session, username: str) -> User | None:
    return session.scalar(sa.select(User).where(User.username == username.strip()))


def users_in_scope(session: Session, user: User) -> list[User]:
    """Return the accounts of the agencies ``user`` may see (every account for a system admin)."""
    scope = agency_scope(session, user)
    query = sa.select(User).order_by(User.username)
    if scope is not None:
        query = query.where(User.agency_id.in_(scope))
    return list(session.scalars(query))
