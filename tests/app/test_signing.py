"""The signed values' serializers (survey_app/signing.py): no zlib attempt on a short value,
the same as itsdangerous's otherwise, and both forms read back by itsdangerous itself."""

from __future__ import annotations

import itsdangerous
import pytest

from survey_app import signing

SHORT = {"csrf_token": "a" * 40, "eit_nonces": ["n" * 16] * 3}  # compressible, but short
LONG = {"answers": "x" * 2000}


@pytest.mark.parametrize("kind", ["URLSafeSerializer", "URLSafeTimedSerializer"])
def test_short_values_are_not_compressed_and_long_ones_are(kind):
    ours = getattr(signing, kind)("key", salt="s")
    theirs = getattr(itsdangerous, kind)("key", salt="s")
    short, long = ours.dumps(SHORT), ours.dumps(LONG)
    assert theirs.dumps(SHORT).startswith(".")  # itsdangerous would have compressed it
    assert not short.startswith(".") and long.startswith(".")
    assert theirs.loads(short) == SHORT and theirs.loads(long) == LONG
    assert ours.loads(theirs.dumps(SHORT)) == SHORT  # cookies signed before still read


def test_the_session_cookie_is_flasks_own_format(app):
    """The session interface signs with Flask's salt, key derivation and tagged JSON: a
    cookie it writes reads back through Flask's own serializer, and the other way round."""
    from flask.sessions import SecureCookieSessionInterface

    ours = app.session_interface.get_signing_serializer(app)
    flasks = SecureCookieSessionInterface().get_signing_serializer(app)
    value = {"csrf_token": "t" * 40, "pair": ("a", 1)}
    assert flasks.loads(ours.dumps(value)) == value
    assert ours.loads(flasks.dumps(value)) == value
    assert app.session_interface.get_signing_serializer(app) is ours  # built once
