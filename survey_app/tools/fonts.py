"""Give the report fonts a SARA AM glyph of their own, so that a PDF's text reads back right.

HarfBuzz (through Pango) always decomposes SARA AM (ำ) into NIKHAHIT + SARA AA before the
font's own substitutions, so the plain font draws ``ำ`` with the very glyph of ``า``.  A PDF maps
each glyph to one text (its ToUnicode map): with one glyph for both, ``การ`` and ``กำ`` cannot
both read back.  This build adds ``uni0E32.am`` (the outline of SARA AA) and a contextual
substitution, appended after every lookup of the Thai ``ccmp`` feature, that draws a SARA AA
following a NIKHAHIT (with or without a tone mark between them) with that glyph.  The page looks
exactly as before; :mod:`survey_app.services.pdf_text` then maps ``uni0E32.am`` to ``ำ`` and the
NIKHAHIT glyphs to nothing (their tone mark, when one is fused in).

Run ``python -m survey_app.tools.fonts`` after replacing the fonts in ``static/fonts``; running
it on a built font changes nothing (tests/app/admin/test_report_files.py checks the committed
files are built).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from fontTools.ttLib import TTFont
from fontTools.ttLib.tables import otTables as ot

from ..services.pdf_text import AM_AA, MARK_SHIFT, THAI_PREFIX

FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"
FONT_FILES = ("Sarabun-Regular.ttf", "Sarabun-Bold.ttf")
AA = "uni0E32"
NIKHAHIT_PREFIX = "uni0E4D"
TONE_PREFIXES = ("uni0E48", "uni0E49", "uni0E4A", "uni0E4B")


def _coverage(glyphs: list[str]) -> ot.Coverage:
    cov = ot.Coverage()
    cov.glyphs = glyphs
    return cov


def _lookup(kind: int, subtables: list) -> ot.Lookup:
    lookup = ot.Lookup()
    lookup.LookupType, lookup.LookupFlag = kind, 0
    lookup.SubTable, lookup.SubTableCount = subtables, len(subtables)
    return lookup


def _context(backtrack: list[list[str]], single_index: int) -> ot.ChainContextSubst:
    sub = ot.ChainContextSubst()
    sub.Format = 3
    sub.BacktrackCoverage = [_coverage(g) for g in backtrack]  # nearest glyph first
    sub.BacktrackGlyphCount = len(backtrack)
    sub.InputCoverage, sub.InputGlyphCount = [_coverage([AA])], 1
    sub.LookAheadCoverage, sub.LookAheadGlyphCount = [], 0
    record = ot.SubstLookupRecord()
    record.SequenceIndex, record.LookupListIndex = 0, single_index
    sub.SubstLookupRecord, sub.SubstCount = [record], 1
    return sub


def build(font: TTFont) -> bool:
    """Add the SARA AM glyph and its substitution to ``font``; False when it has them."""
    order = font.getGlyphOrder()
    if AM_AA in order:
        return False
    nikhahits = sorted((g for g in order if g.startswith(NIKHAHIT_PREFIX)), key=order.index)
    tones = sorted((g for g in order if g.startswith(TONE_PREFIXES)), key=order.index)
    # the glyph: SARA AA's outline, advance and class under a name of its own
    font.setGlyphOrder([*order, AM_AA])
    glyf = font["glyf"]
    glyf.glyphOrder = font.getGlyphOrder()
    glyf[AM_AA] = glyf[AA]
    font["hmtx"][AM_AA] = font["hmtx"][AA]
    font["maxp"].numGlyphs = len(font.getGlyphOrder())
    if "post" in font and hasattr(font["post"], "extraNames"):
        font["post"].extraNames.append(AM_AA)
    class_def = font["GDEF"].table.GlyphClassDef.classDefs
    if AA in class_def:
        class_def[AM_AA] = class_def[AA]
    _shift_marks(font)
    # the substitution: SARA AA after NIKHAHIT, or after NIKHAHIT and a tone mark
    gsub = font["GSUB"].table
    lookups = gsub.LookupList.Lookup
    single = ot.SingleSubst()
    single.mapping = {AA: AM_AA}
    single_index = len(lookups)
    lookups.append(_lookup(1, [single]))
    lookups.append(_lookup(6, [_context([nikhahits], single_index),
                               _context([tones, nikhahits], single_index)]))
    gsub.LookupList.LookupCount = len(lookups)
    thai = next(s for s in gsub.ScriptList.ScriptRecord if s.ScriptTag == "thai")
    records = gsub.FeatureList.FeatureRecord
    for index in thai.Script.DefaultLangSys.FeatureIndex:
        if records[index].FeatureTag == "ccmp":
            feature = records[index].Feature
            feature.LookupListIndex.append(single_index + 1)
            feature.LookupCount = len(feature.LookupListIndex)
            break
    else:
        raise ValueError("the font has no Thai ccmp feature")
    return True


def _shift_marks(font: TTFont, shift: int = MARK_SHIFT) -> None:
    """Draw every Thai mark ``shift`` units right of its origin and attach it ``shift`` units
    further left: the ink stays where it was, the origin moves before the next letter's.

    A PDF reader orders a line's glyphs by their origins.  A mark's origin is where the next
    letter starts, and the mark-positioning offsets move it a few units either way, so about
    one mark in five came out after the following letter (``สว่น`` read as ``สว่น`` broken in two).
    """
    class_def = font["GDEF"].table.GlyphClassDef.classDefs
    marks = {g for g, c in class_def.items() if c == 3 and g.startswith(THAI_PREFIX)}
    glyf, hmtx = font["glyf"], font["hmtx"]
    for name in sorted(marks):
        glyph = glyf[name]
        if glyph.isComposite():
            for component in glyph.components:
                if component.glyphName not in marks:
                    component.x += shift
        elif glyph.numberOfContours > 0:
            glyph.coordinates.translate((shift, 0))
        glyph.recalcBounds(glyf)
        advance, _ = hmtx[name]
        hmtx[name] = (advance, getattr(glyph, "xMin", 0))
    gpos = font["GPOS"].table
    for lookup in gpos.LookupList.Lookup:
        for sub in lookup.SubTable:
            if lookup.LookupType == 9:
                sub = sub.ExtSubTable
            kind = type(sub).__name__
            if kind in ("MarkBasePos", "MarkLigPos"):
                coverage, array = sub.MarkCoverage.glyphs, sub.MarkArray
            elif kind == "MarkMarkPos":
                coverage, array = sub.Mark1Coverage.glyphs, sub.Mark1Array
                for name, record in zip(sub.Mark2Coverage.glyphs, sub.Mark2Array.Mark2Record, strict=True):
                    if name in marks:
                        for anchor in record.Mark2Anchor:
                            if anchor is not None:
                                anchor.XCoordinate += shift
            else:
                continue
            for name, record in zip(coverage, array.MarkRecord, strict=True):
                if name in marks:
                    record.MarkAnchor.XCoordinate += shift


def build_file(path: Path) -> bool:
    """Build one font file in place; return whether it changed."""
    font = TTFont(io.BytesIO(path.read_bytes()))
    if not build(font):
        return False
    out = io.BytesIO()
    font.save(out)
    path.write_bytes(out.getvalue())
    return True


def main(argv: list[str] | None = None) -> int:
    paths = [Path(a) for a in (argv if argv is not None else sys.argv[1:])] or \
        [FONTS / name for name in FONT_FILES]
    for path in paths:
        print(f"{path.name}: {'built' if build_file(path) else 'already built'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
