"""``ita users``: the console accounts."""

from __future__ import annotations

import click

from .context import AuditLine, app_context, audit_and_commit, refused


@click.group("users")
def users_group() -> None:
    """List console accounts, set a password, deactivate or reactivate an account."""


def _read_new_password(password_stdin: bool) -> str:
    import sys

    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("New password", hide_input=True, confirmation_prompt=True)


def _account_or_fail(session, username: str):
    from ..services.accounts import user_by_username

    user = user_by_username(session, username)
    if user is None:
        raise click.ClickException(f"unknown account {username!r}")
    return user


@users_group.command("list")
def users_list_command() -> None:
    """Print every console account: username, role, agency, active, must change password."""
    import sqlalchemy as sa

    from ..extensions import db
    from ..models import User

    with app_context():
        rows = db.session.scalars(sa.select(User).order_by(User.username)).all()
        click.echo("username\trole\tagency\tactive\tmust_change_password")
        for u in rows:
            click.echo(f"{u.username}\t{u.role}\t{u.agency.code if u.agency else '-'}\t"
                       f"{'yes' if u.active else 'no'}\t{'yes' if u.must_change_password else 'no'}")


@users_group.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True,
              help="Read the new password from the first line of stdin (for scripts).")
@click.option("--must-change", is_flag=True,
              help="A temporary password: the owner must choose a new one at sign-in.")
def users_set_password_command(username: str, password_stdin: bool, must_change: bool) -> None:
    """Give an account a new password (asked for twice, hidden); its sign-ins end."""
    from ..extensions import db
    from ..services.accounts import AccountError, set_password

    password = _read_new_password(password_stdin)
    with app_context():
        user = _account_or_fail(db.session, username)
        try:
            set_password(db.session, user, password, must_change=must_change)
        except AccountError as exc:
            raise refused(exc) from None
        audit_and_commit("user_password_set", AuditLine(
            user.username, "must change at sign-in" if must_change else "", user.agency_id))
    click.echo(f"new password set for {username!r}"
               + ("; it must be changed at the next sign-in" if must_change else ""))


def _set_active(username: str, active: bool) -> None:
    from ..extensions import db
    from ..services.accounts import AccountError, set_active

    with app_context():
        user = _account_or_fail(db.session, username)
        try:
            set_active(db.session, None, user, active)
        except AccountError as exc:
            raise refused(exc) from None
        audit_and_commit("user_activate" if active else "user_deactivate",
                         AuditLine(user.username, agency_id=user.agency_id))
    click.echo(f"account {username!r} " + ("reactivated" if active else
                                            "deactivated; its sign-ins have ended"))


@users_group.command("deactivate")
@click.argument("username")
def users_deactivate_command(username: str) -> None:
    """Deactivate an account: it can no longer sign in, and its sign-ins end."""
    _set_active(username, False)


@users_group.command("activate")
@click.argument("username")
def users_activate_command(username: str) -> None:
    """Reactivate a deactivated account."""
    _set_active(username, True)

