"""Signed values (the session cookie, the IIT ticket, the EIT "answered" cookie): itsdangerous's
URL-safe serializers without the compression attempt on short values.

itsdangerous runs ``zlib.compress`` on every value it signs and keeps the result when shorter.
Setting up the compressor costs about 60 µs (more than the signing itself), and a value of a
few hundred bytes, mostly random tokens, practically never comes out shorter: so a value under
:data:`COMPRESS_FROM` bytes is written as itsdangerous writes any value that compression does not
shorten, and a longer one is tried as before.  Reading is itsdangerous's own (it reads both).
"""

from __future__ import annotations

from typing import Any

import itsdangerous
from itsdangerous.encoding import base64_encode
from itsdangerous.url_safe import URLSafeSerializerMixin

#: Serialized values shorter than this (bytes of JSON) are not tried with zlib.
COMPRESS_FROM = 512


class _PlainWhenShort:
    def dump_payload(self, obj: Any) -> bytes:
        payload = super(URLSafeSerializerMixin, self).dump_payload(obj)  # the JSON, as bytes
        if len(payload) >= COMPRESS_FROM:
            return super().dump_payload(obj)  # type: ignore[misc]
        return base64_encode(payload)


class URLSafeSerializer(_PlainWhenShort, itsdangerous.URLSafeSerializer):
    pass


class URLSafeTimedSerializer(_PlainWhenShort, itsdangerous.URLSafeTimedSerializer):
    pass
