"""Which data of an instrument set no public source confirms, read from the set itself.

A set says what is not confirmed in one of two ways, and this module is the one reader of both:

* a structured list, ``unconfirmed = ["score_map", "oit_grouping", …]`` at the top of the file
  (codes from :data:`DATA`); a set that lists ``unconfirmed = []`` declares everything confirmed;
* otherwise its provenance notes: each note ends with a bracketed tag (``[open]``, ``[NOT
  official]``, ``[partial]``, ``[open: assumed unchanged]`` …), and the text since the previous
  tag says what the tag is about.  A note whose tag marks it as not confirmed is classified by
  its topic (the first rule of :data:`_TOPICS` whose words it contains).

The pages that show figures (results dashboard, yearly report, set page, poster) ask
:func:`unconfirmed` and :func:`affects`; the words they print are in the templates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Every datum a set may leave unconfirmed, and the instruments whose figures rest on it.
DATA: dict[str, tuple[str, ...]] = {
    "score_map": ("IIT", "EIT"),          # the answer→score map
    "wording": ("IIT", "EIT"),            # the questions' wording is the project's
    "item_indicators": ("IIT", "EIT"),    # which indicator each item counts towards
    "directions": ("IIT", "EIT"),         # whether a higher answer is better or worse
    "questionnaire": ("IIT", "EIT"),      # the year's questionnaires (assumed as another year's)
    "oit_list": ("OIT",),                 # the year's OIT item list (assumed as another year's)
    "oit_grouping": ("OIT",),             # the OIT items' grouping into sub-indicators
    "oit_titles": (),                     # some OIT item titles (the score does not change)
    "minimum_sample": (),                 # the minimum-sample rule (no score changes)
    "other": (),
}

#: A provenance tag, e.g. ``[open]``, ``[NOT official]``, ``[confirmed case]``.
TAG = re.compile(r"\[([^\[\]\n\"=]{2,})\]")
#: Words inside a tag that mark the note before it as not confirmed.
UNCONFIRMED_WORDS = ("open", "not official", "not confirmed", "partial", "assumed", "not in the",
                     "not nacc")

#: Topic rules, in order: (code, words any of which classify a note).
_TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("score_map", ("answer-to-score", "answer→score", "score map")),
    ("oit_grouping", ("grouping",)),
    ("oit_titles", ("o2 and o5",)),
    ("wording", ("wording",)),
    ("item_indicators", ("items' indicators", "item→indicator")),
    ("directions", ("direction",)),
    ("minimum_sample", ("minimum sample",)),
    ("oit_list", ("oit:", "oit list")),
    ("questionnaire", ("questionnaire", "iit count")),
)
#: A note may name several data: these are checked besides its first topic.
_ALSO = {"item_indicators": ("directions",)}


@dataclass(frozen=True)
class Unconfirmed:
    """One datum no public source confirms: its code (:data:`DATA`) and the note saying so."""

    code: str
    note: str

    @property
    def instruments(self) -> tuple[str, ...]:
        return DATA[self.code]


def _notes(iset) -> list[str]:
    notes = [iset.provenance, iset.methodology.provenance,
             *(r.provenance for r in iset.methodology.minimum_sample.values()),
             *(i.note for i in iset.items)]
    return [n for n in notes if n]


def tagged_notes(text: str) -> list[tuple[str, str]]:
    """Split provenance text into (note, tag): each note is the text since the previous tag."""
    out, start = [], 0
    for match in TAG.finditer(text):
        note = " ".join(text[start:match.start()].split()).lstrip(".;,: ")
        out.append((note, match.group(1)))
        start = match.end()
    return out


def is_unconfirmed_tag(tag: str) -> bool:
    return any(word in tag.lower() for word in UNCONFIRMED_WORDS)


def _classify(note: str) -> list[str]:
    low = note.lower()
    for code, words in _TOPICS:
        if any(w in low for w in words):
            also = [c for c, words in _TOPICS if c in _ALSO.get(code, ())
                    and any(w in low for w in words)]
            return [code, *also]
    return ["other"]


def unconfirmed(iset) -> tuple[Unconfirmed, ...]:
    """The set's unconfirmed data, each once, in :data:`DATA` order.

    >>> from questionnaires import load_instrument_set
    >>> [u.code for u in unconfirmed(load_instrument_set("ita-2566"))]
    ['score_map', 'wording', 'minimum_sample']
    >>> [u.code for u in unconfirmed(load_instrument_set("ita-2568"))][:4]
    ['score_map', 'wording', 'item_indicators', 'directions']
    """
    found: dict[str, str] = {}
    declared = getattr(iset, "declared_unconfirmed", None)
    if declared is not None:
        for code in declared:
            found.setdefault(code, "")
    else:
        for text in _notes(iset):
            for note, tag in tagged_notes(text):
                if note and is_unconfirmed_tag(tag):
                    for code in _classify(note):
                        found.setdefault(code, f"{note} [{tag}]")
        if any(not inst.wording_official for inst in iset.instruments.values()):
            found.setdefault("wording", "")
    return tuple(Unconfirmed(code, found[code]) for code in DATA if code in found)


def affects(iset, instrument: str) -> tuple[Unconfirmed, ...]:
    """The unconfirmed data that the figures of ``instrument`` rest on."""
    return tuple(u for u in unconfirmed(iset) if instrument in u.instruments)


def codes(iset) -> frozenset[str]:
    return frozenset(u.code for u in unconfirmed(iset))
