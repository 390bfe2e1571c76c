"""The registry of instrument sets: the shipped definition files and the sets an office added.

:func:`load_set` is the one way the app gets the set of an id: every view, form, service and
command that shows, asks or scores an assessment's questions goes through it (or through
:func:`assessment_set`).  The rules that keep an assessment's set from changing under it:

* A set an office adds (console upload or ``ita sets add``) is stored in
  ``instrument_set_definition`` as its text with a SHA-256.  A row is never updated: an upload
  whose id exists with other content is refused ("a changed file must get a new set id"); the
  same content again is a no-op.
* A shipped file is copied into the same table when the first assessment uses it, and the
  assessment records the hash.  From then on the stored copy is what that id means in this
  database: if the shipped file changes later (a new release edits it), existing and new
  assessments on that id keep the stored copy, and ``ita sets list``, the sets page and the
  assessment page say that the file differs.  Nothing is rescored silently; a corrected file
  is adopted by shipping it under a new id.

Hashes are over the text with line endings normalised to ``\\n`` (and no byte-order mark), so a
copy saved on Windows is the same content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

from questionnaires import (
    DEFINITIONS_DIR,
    DefinitionError,
    InstrumentSet,
    available_instrument_sets,
    load_instrument_set,
    parse_instrument_set,
)
from questionnaires.provenance import TAG, UNCONFIRMED_WORDS

from ..models import Assessment, InstrumentSetDefinition

#: A set id: what URLs, file names and the ``assessment.instrument_set`` column (32) can hold.
SET_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
#: The largest definition file accepted (the shipped ones are about 45 kB; a request may carry
#: 256 kB, MAX_CONTENT_LENGTH).
MAX_DEFINITION_BYTES = 200_000
# Parsed stored definitions by hash: a hash names one text, so the entry never goes stale.
_PARSED: dict[str, InstrumentSet] = {}


def normalise(text: str) -> str:
    """The text a hash is taken over: no byte-order mark, ``\\n`` line endings."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def text_sha256(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def _stored(session: Session, set_id: str) -> InstrumentSetDefinition | None:
    if not SET_ID.match(set_id):
        return None
    return session.get(InstrumentSetDefinition, set_id)


def _parsed(row: InstrumentSetDefinition) -> InstrumentSet:
    iset = _PARSED.get(row.sha256)
    if iset is None:
        iset = parse_instrument_set(row.text, f"{row.set_id} (stored copy)")
        _PARSED[row.sha256] = iset
    return iset


def _shipped_text(set_id: str) -> str | None:
    if set_id not in available_instrument_sets():
        return None
    return normalise((DEFINITIONS_DIR / f"{set_id}.toml").read_text(encoding="utf-8"))


def load_set(set_id: str, session: Session) -> InstrumentSet:
    """Return the instrument set of ``set_id``: its stored copy if there is one, else the
    shipped file.

    Raises
    ------
    DefinitionError
        If no set has this id.
    """
    row = _stored(session, set_id)
    if row is not None:
        return _parsed(row)
    if set_id in available_instrument_sets():
        return load_instrument_set(set_id)
    known = ", ".join(s.id for s in list_sets(session)) or "none"
    raise DefinitionError(set_id, "instrument set", "set_unknown", known=known)


def assessment_set(assessment: Assessment) -> InstrumentSet:
    """Return the instrument set an assessment was created with (see :func:`load_set`).

    The hash the assessment recorded names its definition: once parsed in this process, the
    set is returned without a query (stored rows are never updated).
    """
    return pinned_set(object_session(assessment), assessment.instrument_set,
                      assessment.instrument_set_sha256)


def pinned_set(session: Session, set_id: str, expected: str | None) -> InstrumentSet:
    """The set ``set_id`` as pinned to the hash ``expected`` (:func:`assessment_set` of an
    assessment given by its columns: no query once parsed in this process)."""
    if expected is not None and expected in _PARSED:
        return _PARSED[expected]
    iset = load_set(set_id, session)
    if expected is not None:
        row = _stored(session, set_id)
        if row is None or row.sha256 != expected:
            raise DefinitionError(
                set_id, "instrument set", "set_stored_altered", sha256=expected[:12])
    return iset


def pin_set(session: Session, set_id: str, *, added_by: str = "assessment") -> str:
    """Make sure ``set_id`` has a stored copy (a shipped file is copied now) and return its hash.

    Called when an assessment is created, so that the assessment keeps this exact definition.
    """
    row = _stored(session, set_id)
    if row is not None:
        return row.sha256
    text = _shipped_text(set_id)
    if text is None:
        load_set(set_id, session)  # raises the "unknown instrument set" message
        raise AssertionError("unreachable")  # pragma: no cover
    iset = load_instrument_set(set_id)
    digest = text_sha256(text)
    session.add(InstrumentSetDefinition(
        set_id=set_id, origin="shipped", fiscal_year_be=iset.fiscal_year_be, sha256=digest,
        text=text, filename=f"{set_id}.toml", added_by=added_by))
    session.flush()
    return digest


def answer_minutes(questions: int) -> int:
    """About how long a questionnaire of ``questions`` answers takes: a quarter of a minute
    per answer and two minutes to read the page (what the respondent pages and the poster
    say)."""
    return questions // 4 + 2


# -- adding a set ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A validated definition that may be stored: its set, text and hash, and whether the
    registry already holds exactly this content (then storing it is a no-op)."""

    iset: InstrumentSet
    text: str
    sha256: str
    already: str | None  # None, "shipped" or "stored"


def decode_upload(data: bytes, filename: str) -> str:
    """Return the text of an uploaded definition file, or raise with the loader's format."""
    if len(data) > MAX_DEFINITION_BYTES:
        raise DefinitionError(filename, "file", "set_file_too_large",
                              kb=MAX_DEFINITION_BYTES // 1000)
    try:
        return normalise(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise DefinitionError(filename, "file", "set_file_not_utf8") from None


def check_definition(session: Session, text: str, filename: str) -> Candidate:
    """Validate a definition text with the loader's rules and against the registry.

    Raises
    ------
    DefinitionError
        ``<file>: <entry>: <reason>`` for a file the loader refuses, an id that cannot be used,
        or an id the registry holds with other content.
    """
    text = normalise(text)
    iset = parse_instrument_set(text, filename)
    where = f"id {iset.id!r}"
    if not SET_ID.match(iset.id):
        raise DefinitionError(filename, where, "set_id_invalid")
    digest = text_sha256(text)
    row = _stored(session, iset.id)
    if row is not None:
        if row.sha256 != digest:
            raise DefinitionError(filename, where, "set_id_stored_other")
        return Candidate(iset, text, digest, "stored")
    shipped = _shipped_text(iset.id)
    if shipped is not None:
        if text_sha256(shipped) != digest:
            raise DefinitionError(filename, where, "set_id_shipped_other")
        return Candidate(iset, text, digest, "shipped")
    return Candidate(iset, text, digest, None)


def add_set(session: Session, text: str, filename: str, *, added_by: str) -> Candidate:
    """Validate and store a definition (a no-op when the registry holds this content); flushes.

    The caller commits.  Raises :class:`DefinitionError` as :func:`check_definition`.
    """
    candidate = check_definition(session, text, filename)
    if candidate.already is None:
        session.add(InstrumentSetDefinition(
            set_id=candidate.iset.id, origin="added", fiscal_year_be=candidate.iset.fiscal_year_be,
            sha256=candidate.sha256, text=candidate.text, filename=filename[-255:],
            added_by=added_by[:64]))
        session.flush()
    return candidate


# -- listing -----------------------------------------------------------------------------------

_TAG = TAG
_UNCONFIRMED = UNCONFIRMED_WORDS
_SOURCE = re.compile(r"https?://|\b[\w-]+(?:\.[\w-]+)+/|\b[\w-]+/[\w.-]+/"
                     r"|\b[\w-]+\.(?:md|pdf|docx?|xlsx?|html?|json|toml|py|ts|vue)\b")


@dataclass(frozen=True)
class ProvenanceStatus:
    """How honest a set's provenance is, as far as text can tell.

    ``unconfirmed`` counts the bracketed tags of the definition's provenance notes that mark a
    value as not confirmed (``[open]``, ``[partial]``, ``[NOT official]``, ``… assumed …``);
    ``confirmed`` the other tags; ``names_sources`` whether the provenance names at least one
    source (a web address, a domain with a path, a repository path or a document's file name).
    """

    confirmed: int
    unconfirmed: int
    names_sources: bool
    has_provenance: bool

    def summary(self) -> str:
        if not self.has_provenance:
            return "no provenance"
        sources = "names sources" if self.names_sources else "names no source"
        return f"{self.unconfirmed} unconfirmed, {self.confirmed} confirmed; {sources}"


def provenance_status(iset: InstrumentSet) -> ProvenanceStatus:
    notes = [iset.provenance, iset.methodology.provenance,
             *(r.provenance for r in iset.methodology.minimum_sample.values()),
             *(i.note for i in iset.items)]
    text = "\n".join(n for n in notes if n)
    tags = [t.lower() for t in _TAG.findall(text)]
    unconfirmed = sum(any(word in t for word in _UNCONFIRMED) for t in tags)
    return ProvenanceStatus(confirmed=len(tags) - unconfirmed, unconfirmed=unconfirmed,
                            names_sources=bool(_SOURCE.search(text)),
                            has_provenance=bool(text.strip()))


@dataclass(frozen=True)
class SetInfo:
    """One row of the registry, for ``ita sets list`` and the console's sets page."""

    id: str
    fiscal_year_be: int
    title_th: str
    title_en: str
    origin: str  # "shipped" or "added"
    sha256: str
    stored: bool  # a copy is in the database (an added set, or a shipped set in use)
    file_changed: bool  # a shipped file that differs from the stored copy
    in_use: int  # assessments on this set
    provenance: ProvenanceStatus
    added_at: dt.datetime | None
    added_by: str


def list_sets(session: Session) -> list[SetInfo]:
    """Every set: the shipped files and the stored ones, by fiscal year then id."""
    in_use = dict(session.execute(
        sa.select(Assessment.instrument_set, sa.func.count()).group_by(Assessment.instrument_set)
    ).all())
    rows = {r.set_id: r for r in session.scalars(sa.select(InstrumentSetDefinition))}
    out = []
    for set_id in sorted(set(available_instrument_sets()) | rows.keys()):
        row = rows.get(set_id)
        shipped = _shipped_text(set_id)
        if row is not None:
            iset, digest = _parsed(row), row.sha256
        else:
            iset, digest = load_instrument_set(set_id), text_sha256(shipped or "")
        out.append(SetInfo(
            id=set_id, fiscal_year_be=iset.fiscal_year_be, title_th=iset.title_th,
            title_en=iset.title_en, origin=row.origin if row is not None else "shipped",
            sha256=digest, stored=row is not None,
            file_changed=row is not None and shipped is not None
            and text_sha256(shipped) != row.sha256,
            in_use=in_use.get(set_id, 0), provenance=provenance_status(iset),
            added_at=row.added_at if row is not None else None,
            added_by=row.added_by if row is not None else ""))
    return sorted(out, key=lambda s: (s.fiscal_year_be, s.id))


def set_info(session: Session, set_id: str) -> SetInfo | None:
    return next((s for s in list_sets(session) if s.id == set_id), None)


def default_set_id(sets: list[SetInfo], fiscal_year_be: int) -> str | None:
    """The set a new assessment of ``fiscal_year_be`` takes unless the admin picks another:
    the set of that year (a shipped one before an added one), else the newest earlier year's,
    else the oldest set there is."""
    if not sets:
        return None

    def rank(s: SetInfo):
        return (s.origin != "shipped", s.id)

    same = sorted((s for s in sets if s.fiscal_year_be == fiscal_year_be), key=rank)
    if same:
        return same[0].id
    earlier = [s for s in sets if s.fiscal_year_be < fiscal_year_be]
    if earlier:
        newest = max(s.fiscal_year_be for s in earlier)
        return sorted((s for s in earlier if s.fiscal_year_be == newest), key=rank)[0].id
    return min(sets, key=lambda s: (s.fiscal_year_be, *rank(s))).id
