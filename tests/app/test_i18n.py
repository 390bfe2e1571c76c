"""Every UI string exists in Thai and English with the same placeholders."""

from __future__ import annotations

import re
import string

from survey_app.i18n import STRINGS


def test_every_string_has_both_languages_and_the_same_fields():
    fields = string.Formatter()
    for key, (th, en) in STRINGS.items():
        assert th.strip() and en.strip(), key
        # The language switch is written in the language it switches to.
        assert re.search("[\u0e00-\u0e7f]", th) or key.startswith("switch_language"), key
        th_fields = {f for _, f, _, _ in fields.parse(th) if f}
        en_fields = {f for _, f, _, _ in fields.parse(en) if f}
        assert th_fields == en_fields, key
