"""The PDF's text layer: each glyph of the report fonts read back as the text it draws.

WeasyPrint maps a glyph to text the first time it draws it, taking the whole of the shaped
cluster for the cluster's last glyph and nothing for the others.  For Thai, where a consonant,
its marks and SARA AM shape as one cluster, that gives a glyph the wrong text for the rest of
the document (``กำร`` for ``การ``, a consonant read as nothing, tone marks coming loose).
:func:`glyph_texts` instead derives each glyph's text from the font itself: its character map,
then every substitution that leads to it (a tone mark's shifted form reads as the tone mark, a
ligature as its parts), with the SARA AM glyph of :mod:`survey_app.tools.fonts` read as ``ำ``
and the NIKHAHIT it is drawn with as nothing.  :func:`write_pdf` gives WeasyPrint those texts.
"""

from __future__ import annotations

import functools
import hashlib
import io

AM_AA = "uni0E32.am"  # survey_app.tools.fonts: the SARA AA drawn for SARA AM
THAI_PREFIX = "uni0E"
# survey_app.tools.fonts draws each Thai mark this many units (of 1000) right of its origin; the
# PDF then gives the mark that advance (WeasyPrint moves the next letter back by as much), so a
# reader sees the mark inside its letter's box, not at the next letter's start
MARK_SHIFT = 130
NIKHAHIT = "\u0e4d"
SARA_AM = "\u0e33"


@functools.lru_cache(maxsize=8)
def _glyph_texts(digest: str, content: bytes, index: int) -> tuple[dict[int, str], dict[int, int]]:
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(content), fontNumber=index, lazy=True)
    order = font.getGlyphOrder()
    widths: dict[int, int] = {}
    if AM_AA in order and "GDEF" in font:  # a font built by survey_app.tools.fonts
        classes = font["GDEF"].table.GlyphClassDef.classDefs
        widths = {gid: MARK_SHIFT for gid, name in enumerate(order)
                  if classes.get(name) == 3 and name.startswith(THAI_PREFIX)}
    names: dict[str, str] = {}
    for code, name in sorted(font.getBestCmap().items()):
        names.setdefault(name, chr(code))  # lowest code point first (space before NBSP)
    if "GSUB" in font:
        lookups = font["GSUB"].table.LookupList.Lookup
        changed = True
        while changed:  # follow substitutions until every reachable glyph has a text
            changed = False
            for lookup in lookups:
                for sub in lookup.SubTable:
                    if lookup.LookupType == 7:
                        sub = sub.ExtSubTable
                    for target, text in _substitutions(sub, names):
                        if target not in names and text is not None:
                            names[target] = text
                            changed = True
    if AM_AA in names:
        names[AM_AA] = SARA_AM
    texts: dict[int, str] = {}
    for gid, name in enumerate(order):
        text = names.get(name)
        if text is None:
            continue
        if NIKHAHIT in text and AM_AA in names:
            text = text.replace(NIKHAHIT, "")  # its SARA AM glyph says ำ
        texts[gid] = text
    return texts, widths


def _substitutions(sub, names: dict[str, str]):
    """(target glyph, its text) for one GSUB subtable, given the texts known so far."""
    kind = type(sub).__name__
    if kind == "SingleSubst":
        for source, target in sub.mapping.items():
            yield target, names.get(source)
    elif kind == "MultipleSubst":  # one glyph drawn as several: each keeps its own text
        return
    elif kind == "AlternateSubst":
        for source, targets in sub.alternates.items():
            for target in targets:
                yield target, names.get(source)
    elif kind == "LigatureSubst":
        for first, ligatures in sub.ligatures.items():
            for lig in ligatures:
                parts = [names.get(first), *(names.get(c) for c in lig.Component)]
                yield lig.LigGlyph, None if None in parts else "".join(parts)


def glyph_texts(content: bytes, index: int = 0) -> dict[int, str]:
    """Glyph id → the text it draws, for a font file's bytes (cached by content)."""
    return _glyph_texts(hashlib.sha256(content).hexdigest(), content, index)[0]


def mark_widths(content: bytes, index: int = 0) -> dict[int, int]:
    """Glyph id → the advance the PDF gives a Thai mark of a built font (none otherwise)."""
    return _glyph_texts(hashlib.sha256(content).hexdigest(), content, index)[1]


class _FontTexts(dict):
    """A font's glyph → text map that keeps the font's own text for every glyph it knows."""

    def __init__(self, known: dict[int, str]):
        super().__init__()
        self.known = known

    def __setitem__(self, glyph_id, text):
        super().__setitem__(glyph_id, self.known.get(glyph_id, text))


class _Fonts(dict):
    """WeasyPrint's fonts of one document: each font gets :class:`_FontTexts` when added."""

    def __setitem__(self, key, font):
        if not isinstance(font.to_unicode, _FontTexts) and getattr(font, "file_content", None):
            texts = _FontTexts(glyph_texts(font.file_content, getattr(font, "index", 0)))
            for glyph_id, text in font.to_unicode.items():
                texts[glyph_id] = text
            font.to_unicode = texts
            index = getattr(font, "index", 0)
            font.widths.update(mark_widths(font.file_content, index))
        super().__setitem__(key, font)


def write_pdf(html: str, base_url: str) -> bytes:
    """Render an HTML page to PDF with WeasyPrint, every glyph read back as the text it draws."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    document = HTML(string=html, base_url=base_url).render(font_config=FontConfiguration())
    document.fonts = _Fonts(document.fonts)
    return document.write_pdf()
