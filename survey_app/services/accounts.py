"""Console accounts: create, check a password, change a password.

Passwords are hashed with Werkzeug's ``generate_password_hash``, which in Werkzeug 3 uses
scrypt (N=2**15, r=8, p=1) with a random salt: a memory-hard, modern work factor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import ROLES, AdminSession, Agency, User, utcnow
from .agencies import agency_scope

MIN_PASSWORD_LENGTH = 10
# Checked against when the username is unknown, so that a wrong username takes as long as a
# wrong password and does not reveal which usernames exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0000")


class AccountError(ValueError):
    """An account cannot be created as asked; the message says why."""


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if password.strip() == "" or len(set(password)) < 4:
        raise AccountError("the password is too simple")


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    agency: Agency | None = None,
    display_name: str = "",
) -> User:
    """Add a new account (the caller commits)."""
    username = username.strip()
    if not username or len(username) > 64 or any(ch.isspace() for ch in username):
        raise AccountError("the username must be 1–64 characters without spaces")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    if role != "system_admin" and agency is None:
        raise AccountError(f"a {role} account needs an agency (--agency CODE)")
    check_password_strength(password)
    exists = session.scalar(sa.select(User.id).where(sa.func.lower(User.username) == username.lower()))
    if exists is not None:
        raise AccountError(f"the username {username!r} is already taken")
    user = User(
        username=username,
        display_name=display_name.strip(),
        password_hash=generate_password_hash(password),
        role=role,
        agency_id=agency.id if agency is not None and role != "system_admin" else None,
        active=True,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """Return the active account with this username and password, or None."""
    user = session.scalar(sa.select(User).where(User.username == username.strip()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """Give ``user`` a new password and end every one of their sign-ins (the caller commits)."""
    check_password_strength(password)
    user.password_hash = generate_password_hash(password)
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


def assignable_roles(user: User) -> tuple[str, ...]:
    """Return the roles ``user`` may give a new account (only a system admin makes another)."""
    return ROLES if user.role == "system_admin" else ("agency_admin", "viewer")


def users_in_scope(session: Session, user: User) -> list[User]:
    """Return the accounts of the agencies ``user`` may see (every account for a system admin)."""
    scope = agency_scope(session, user)
    query = sa.select(User).order_by(User.username)
    if scope is not None:
        query = query.where(User.agency_id.in_(scope))
    return list(session.scalars(query))
