"""A small world for the console tests: agencies A (with child A1) and B, one assessment each,
and an account of every role (the password is the same for all).

The builders live in tests/factories.py; this module keeps the names the tests import."""

from __future__ import annotations

from ...factories import PASSWORD, SET, USERS, World, build_world, csrf_token, login

__all__ = ["PASSWORD", "SET", "USERS", "World", "build_world", "csrf_token", "login"]
