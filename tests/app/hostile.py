"""A seeded generator of hostile POST bodies: what an attacker or a broken client sends.

Each body starts from what the honest page posts and gets one to three mutations, every one of
which makes it unacceptable: an option code written any way but the plain ASCII digits the form
sends (Thai, Arabic-Indic or full-width digits, a sign, a space, a decimal point, an exponent,
an underscore, a leading zero, hundreds or thousands of digits), an unknown or repeated field, a
file part or any multipart body, a body that is not a form at all, invalid percent-encoding,
NUL and control characters, a missing or forged CSRF token, ticket or nonce, values far too
long.  Bodies are plain data (``Body``), so a failure can print the one that broke.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from urllib.parse import urlencode

from werkzeug.datastructures import CombinedMultiDict, FileMultiDict, MultiDict
from werkzeug.test import encode_multipart

#: Option codes as nobody's form writes them.
HOSTILE_NUMBERS = (
    "๑", "๔", "๐", "١", "٤", "１", "４", "０", "①", "¹", "𝟏", "+1", "-1", "+0", "-0", "1.0",
    "4.", ".4", " 1", "1 ", "\t2", "2\n", "01", "004", "1e0", "1E0", "0x1", "0b1", "1_0", "1,0",
    "9" * 400, "9" * 5000, "-" + "9" * 50, "NaN", "inf", "-inf", "true", "null", "[1]", "{}",
    "1\x00", "\x00", "", "   ", "٣", "３", "५", "߂", "᠒", "1\u200b", "\u202e1", "99", "5", "-5",
    "256", "4294967297", "1/1", "½", "Ⅳ", "iv",
)  # fmt: skip

HOSTILE_TEXT = (
    "\x00", "a\x00b", "\x01\x02\x7f", "\r\n\r\n", "'; DROP TABLE response; --", "<script>",
    "%00", "\ud7ff", "\ufffd", "\u202e", "๑๒๓๔-๕๖๗๘-๙๐", "ＫＡＢＣ-ＤＥＦＧ-ＨＪ", "x" * 300,
    "ก" * 2000, "=1+1", "{{7*7}}", "../../etc/passwd", "null", "", " ",
)  # fmt: skip

UNKNOWN_KEYS = (
    "i99", "e99", "i1.9", "i01", "I1.1", "i1.1 ", " e1", "e1\x00", "__proto__", "csrf_token2",
    "ticket[]", "code[]", "eligible[]", "a" * 500, "ข้อ1", "", "website2", "is_admin", "role",
)  # fmt: skip

#: The multipart boundary of every multipart body (the shape of the test client's own).
BOUNDARY = "---------------WerkzeugFormPart_2566"


@dataclass
class Body:
    """One request body and how it is sent."""

    fields: list[tuple[str, str]] = field(default_factory=list)
    files: list[tuple[str, bytes, str]] = field(default_factory=list)  # (field, content, name)
    multipart: bool = False
    raw: bytes | None = None
    content_type: str | None = None
    mutations: list[str] = field(default_factory=list)

    def encode(self) -> tuple[bytes, str]:
        """The body's bytes and Content-Type, as the test client would have encoded them.

        Multipart bodies are written with one fixed boundary of the test client's shape: the
        parts are the same, and the form parser compiles its patterns for a boundary once
        instead of once per body (a tenth of the fuzz's CPU went there)."""
        if self.raw is not None:
            return self.raw, self.content_type or "application/x-www-form-urlencoded"
        if self.files or self.multipart:
            files = FileMultiDict()
            for name, content, filename in self.files:
                files.add_file(name, io.BytesIO(content), filename)
            parts = CombinedMultiDict([MultiDict(self.fields), files])  # the client's order
            data = encode_multipart(parts, boundary=BOUNDARY)[1]
            return data, f"multipart/form-data; boundary={BOUNDARY}"
        return urlencode(self.fields).encode(), "application/x-www-form-urlencoded"

    def __repr__(self) -> str:  # short enough for a failure message
        return f"Body(mutations={self.mutations}, fields={self.fields[:6]!r}…)"


class HostileBodies:
    """Mutate an honest body into hostile ones, reproducibly from ``seed``."""

    def __init__(self, seed: str, honest: list[tuple[str, str]], *, numeric: list[str],
                 text: list[str], secrets_: list[str], required: list[str]):
        self.rng = random.Random(seed)
        self.honest = honest
        self.numeric = numeric  # fields holding an option code
        self.text = text  # free text fields (code, username, password, group …)
        self.secrets = secrets_  # csrf_token, ticket, nonce …
        self.required = required  # fields whose absence alone makes the body unacceptable

    # -- mutations: each alone makes the body unacceptable ----------------------------------

    def _number(self, body: Body) -> None:
        names = self.rng.sample(self.numeric, k=min(len(self.numeric), self.rng.randint(1, 3)))
        for name in names:
            bad = self.rng.choice(HOSTILE_NUMBERS)
            body.fields = [(k, bad if k == name else v) for k, v in body.fields]
        body.mutations.append("number")

    def _text(self, body: Body) -> None:
        name = self.rng.choice(self.text)
        bad = self.rng.choice(HOSTILE_TEXT)
        body.fields = [(k, bad if k == name else v) for k, v in body.fields]
        body.mutations.append(f"text:{name}")

    def _unknown_key(self, body: Body) -> None:
        body.fields.insert(self.rng.randrange(len(body.fields) + 1),
                           (self.rng.choice(UNKNOWN_KEYS), self.rng.choice(("1", "4", "x", ""))))
        body.mutations.append("unknown-key")

    def _duplicate(self, body: Body) -> None:
        if not body.fields:
            return self._unknown_key(body)
        name, value = self.rng.choice(body.fields)
        other = self.rng.choice((value, "1", "4", "0", "y", "x"))
        body.fields.append((name, other))
        body.mutations.append("duplicate")

    def _file_part(self, body: Body) -> None:
        if not body.fields:
            return self._multipart(body)
        name = self.rng.choice([k for k, _ in body.fields])
        body.fields = [(k, v) for k, v in body.fields if k != name]
        content = self.rng.choice((b"4", b"\x00\xff" * 100, b"i1.1=4", b""))
        body.files.append((name, content, self.rng.choice(("a.txt", "", "../x", "ก.csv"))))
        body.mutations.append("file-part")

    def _multipart(self, body: Body) -> None:
        body.multipart = True
        body.mutations.append("multipart")

    def _raw(self, body: Body) -> None:
        kind = self.rng.randrange(6)
        pairs = "&".join(f"{k}={v}" for k, v in body.fields[:5])
        if kind == 0:
            body.raw, body.content_type = b'{"e1": 4, "respondent_group": "public"}', \
                "application/json"
        elif kind == 1:
            body.raw, body.content_type = pairs.encode() + b"&%ZZ=%G1&%=%", None
        elif kind == 2:
            body.raw, body.content_type = b"\xff\xfe\x00garbage=\xc3\x28", None
        elif kind == 3:
            body.raw = b"--xyz\r\nContent-Disposition: form-data; name=\"e1\"\r\n\r\n4\r\n"
            body.content_type = "multipart/form-data; boundary=xyz"  # never closed
        elif kind == 4:
            body.raw, body.content_type = pairs.encode(), "text/plain"
        else:
            body.raw, body.content_type = b"a=" + b"9" * (300 * 1024), None  # over the cap
        body.mutations.append(f"raw:{kind}")

    def _drop_required(self, body: Body) -> None:
        names = set(self.rng.sample(self.required, k=min(len(self.required),
                                                         self.rng.randint(1, 3))))
        body.fields = [(k, v) for k, v in body.fields if k not in names]
        body.mutations.append("drop-required")

    def _forge_secret(self, body: Body) -> None:
        name = self.rng.choice(self.secrets)
        bad = self.rng.choice(("", "x", "a.b.c", "eyJhIjoxfQ.AAAA.BBBB", "\x00", "1" * 5000))
        if self.rng.random() < 0.3:
            body.fields = [(k, v) for k, v in body.fields if k != name]
        else:
            body.fields = [(k, bad if k == name else v) for k, v in body.fields]
        body.mutations.append(f"secret:{name}")

    def bodies(self, n: int, *, weights: dict[str, float] | None = None):
        """Yield ``n`` hostile bodies."""
        available = {
            "number": self._number, "text": self._text, "unknown_key": self._unknown_key,
            "duplicate": self._duplicate, "file_part": self._file_part,
            "multipart": self._multipart, "raw": self._raw,
            "drop_required": self._drop_required, "forge_secret": self._forge_secret,
        }
        usable = {k: f for k, f in available.items()
                  if not ((k == "number" and not self.numeric) or (k == "text" and not self.text)
                          or (k == "forge_secret" and not self.secrets)
                          or (k == "drop_required" and not self.required))}
        w = weights or {}
        names = list(usable)
        probs = [w.get(k, 1.0) for k in names]
        for _ in range(n):
            body = Body(fields=list(self.honest))
            for name in self.rng.choices(names, probs, k=self.rng.randint(1, 3)):
                if body.raw is None:
                    usable[name](body)
            yield body
