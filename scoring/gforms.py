"""Read a Google Forms export (CSV or XLSX) into the responses frame of the code CSV.

Schools and area offices rehearse the IIT and EIT in Google Forms.  Its export has one row per
response and one column per question, headed by the question's text; a grid question ("multiple
choice grid") gives one column per row of the grid, headed ``คำถาม [แถว]``; answers are the
option labels as the form shows them.  This module matches those headers to the instrument
set's questions by their text and those labels to the scale's options, and returns the frame
``ita export responses`` writes (question columns ``i1.2``, option codes, ``respondent_group``).

What is matched, in order:

- a header the mapping file names (see :class:`Mapping`);
- ``ประทับเวลา`` / ``Timestamp``, ``ที่อยู่อีเมล`` / ``Email Address`` and a quiz's
  ``คะแนน`` / ``Score`` columns (and a question's ``[Score]`` / ``[Feedback]`` columns) are
  dropped: never read further, never stored, named only by their header;
- a header that is a column code itself (``i1.2``);
- a header whose text is a question's Thai or English text, or ``item text [sub-item text]``
  for a grid, after :func:`normalise` (whitespace, Thai and Latin punctuation, zero-width
  characters and numbering prefixes such as ``1.`` or ``ข้อ 1`` do not count);
- for EIT, a column whose answers are all respondent groups' labels (or a header such as
  ``กลุ่มผู้ตอบ`` / ``respondent_group``) is the respondent group.

Answers: the option's Thai or English label (normalised the same way), or the option code
itself (a linear-scale question exports numbers); blank = no answer.

Nothing is given up at the first problem: every header and every answer that cannot be matched
is reported (:class:`Problem`, with the header's column letter and the row as a spreadsheet
numbers it, header = row 1), and the mapping inferred so far can be written
(:meth:`Mapping.to_toml`, :meth:`Mapping.to_csv`), edited and passed back.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import os
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from questionnaires import InstrumentSet, Question, Scale

from .reasons import words

FORMATS = ("auto", "gforms", "codes")
ROWS_SHOWN = 5  # rows named in one message; the others are counted
DROP = "drop"
GROUP = "respondent_group"

#: Headers Google Forms adds that are not questions (Thai and English exports).
DROPPED_HEADERS = ("ประทับเวลา", "timestamp", "ที่อยู่อีเมล", "email address", "อีเมล", "email",
                   "คะแนน", "score", "คะแนนรวม", "total score")
#: A question's extra columns in a quiz-mode form: ``Question [Score]``, ``Question [Feedback]``.
DROPPED_SUFFIXES = ("score", "คะแนน", "feedback", "ความคิดเห็น")
#: Headers that name the respondent group column.
GROUP_HEADERS = ("respondent_group", "respondent group", "กลุ่มผู้ตอบ", "กลุ่มผู้ตอบแบบวัด",
                 "ประเภทผู้ตอบ", "ท่านเป็นผู้รับบริการกลุ่มใด")

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
# "1.", "1)", "1.2", "ข้อ 1", "ข้อที่ 1.", "Q1:", "(1)", Thai digits too
_PREFIX = re.compile(r"^\s*(?:ข้อที่|ข้อ|q|item|no\.?)?\s*\(?[0-9๐-๙]+(?:\.[0-9๐-๙]+)*\s*[.):\-]?\s+"
                     r"|^\s*(?:ข้อที่|ข้อ)\s*[0-9๐-๙]+(?:\.[0-9๐-๙]+)*\s*[.):\-]?\s*",
                     re.IGNORECASE)
_GRID = re.compile(r"^(?P<title>.*\S)\s*\[(?P<row>[^\[\]]*)\]\s*$", re.DOTALL)
_CODE_LIKE = re.compile(r"^[A-Za-z]{1,3}[0-9]+(?:\.[0-9]+)*$")  # i2, e4.1, O12: a column code
_KEEP = frozenset("ๆฯ")  # Thai marks that are part of a word, not punctuation


def normalise(text: str) -> str:
    """Return the key a header or label is matched by.

    NFKC, zero-width characters removed, case folded, a leading number (``1.``, ``ข้อ 1``)
    dropped, punctuation and symbols (Thai and Latin) and every space removed: Thai needs no
    spaces between words, and forms differ in where they put them.

    >>> normalise("ข้อ 1.  บุคลากร / ให้บริการ\u200b มากน้อยเพียงใด?")
    'บุคลากรให้บริการมากน้อยเพียงใด'
    >>> normalise("2) Within the set time-limits")
    'withinthesettimelimits'
    """
    text = unicodedata.normalize("NFKC", str(text)).translate(_ZERO_WIDTH).casefold().strip()
    text = _PREFIX.sub("", text, count=1)
    return "".join(ch for ch in text if ch in _KEEP or not (
        ch.isspace() or unicodedata.category(ch)[0] in "PSZC"))


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _short(value: str, limit: int = 60) -> str:
    value = " ".join(str(value).split())
    return value if len(value) <= limit else value[:limit - 1] + "…"


def _cell(value) -> str | None:
    """The text of a cell, ``None`` for a blank (an integral float is shown as an integer)."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    text = str(value).strip()
    return text or None


# -- problems ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A header or an answer that could not be matched.

    ``row`` is the row as a spreadsheet numbers it (header = 1; ``None`` for a mapping-file
    problem), ``letter`` the column's letter.  ``kind`` is one of ``unknown_header``,
    ``duplicate_header``, ``unknown_label``, ``unknown_group``, ``no_questions``, ``mapping``.
    """

    kind: str
    reason_en: str
    reason_th: str
    row: int | None = None
    letter: str | None = None
    header: str | None = None
    value: str | None = None
    #: Every row with the same value in the same column (one message for all of them).
    rows: tuple[int, ...] = ()

    def where(self, lang: str = "en") -> str:
        parts = []
        rows = self.rows or ((self.row,) if self.row is not None else ())
        if len(rows) == 1:
            parts.append(f"{'แถว' if lang == 'th' else 'row'} {rows[0]}")
        elif rows:
            shown = ", ".join(str(r) for r in rows[:ROWS_SHOWN])
            more = len(rows) - ROWS_SHOWN
            if more > 0:
                shown += f" และอีก {more} แถว" if lang == "th" else f" and {more} more"
            parts.append(f"{'แถว' if lang == 'th' else 'rows'} {shown}")
        if self.letter is not None:
            label = "คอลัมน์" if lang == "th" else "column"
            header = f" '{_short(self.header)}'" if self.header is not None else ""
            parts.append(f"{label} {self.letter}{header}")
        return ", ".join(parts)

    def message(self, lang: str = "en") -> str:
        reason = self.reason_th if lang == "th" else self.reason_en
        where = self.where(lang)
        return f"{where}: {reason}" if where else reason


def _options_text(scale: Scale) -> tuple[str, str]:
    en = ", ".join(f"{o.code} = {o.label_en or o.label_th}" for o in scale.options)
    th = ", ".join(f"{o.code} = {o.label_th}" for o in scale.options)
    return en, th


# -- the mapping file ------------------------------------------------------------------------


@dataclass
class Mapping:
    """Header → column code and label → option code, per instrument; editable by a person.

    ``columns[instrument][header]`` is a question column (``i1.2``), ``drop`` (ignore the
    column) or ``respondent_group``; an empty string marks a header still to be filled in.
    ``labels[instrument][(scope, label)]`` is an option code (or a respondent group code for
    scope ``respondent_group``); ``scope`` is ``""`` for every question, a scale code
    (``level4``), an item (``i4``) or a question column (``i4.2``); the narrowest wins.
    """

    set_id: str = ""
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    labels: dict[str, dict[tuple[str, str], str]] = field(default_factory=dict)

    def merge(self, other: Mapping) -> Mapping:
        out = Mapping(self.set_id or other.set_id)
        for src in (self, other):
            for inst, cols in src.columns.items():
                out.columns.setdefault(inst, {}).update(cols)
            for inst, labels in src.labels.items():
                out.labels.setdefault(inst, {}).update(labels)
        return out

    # writing
    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["instrument", "kind", "text", "code", "scope"])
        for inst in sorted(set(self.columns) | set(self.labels)):
            for header, code in self.columns.get(inst, {}).items():
                writer.writerow([inst, "column", header, code, ""])
            for (scope, label), code in self.labels.get(inst, {}).items():
                writer.writerow([inst, "label", label, code, scope])
        return buffer.getvalue()

    def to_toml(self) -> str:
        lines = [f"# Google Forms mapping for {self.set_id or 'an ITA instrument set'}: "
                 "header -> question column (or \"drop\", \"respondent_group\"),",
                 "# label -> option code.  Fill in every \"\" and pass the file back with "
                 "--mapping FILE (ita score) or on the console's import page.",
                 "# [IIT.labels.\"<scope>\"]: scope is a scale (level4), an item (i4), a "
                 "question (i4.2) or \"\" for every question.", ""]
        if self.set_id:
            lines += [f"set = {_toml_str(self.set_id)}", ""]
        for inst in sorted(set(self.columns) | set(self.labels)):
            lines.append(f"[{inst}.columns]")
            for header, code in self.columns.get(inst, {}).items():
                lines.append(f"{_toml_str(header)} = {_toml_str(code)}")
            lines.append("")
            scopes: dict[str, list[tuple[str, str]]] = {}
            for (scope, label), code in self.labels.get(inst, {}).items():
                scopes.setdefault(scope, []).append((label, code))
            for scope, pairs in scopes.items():
                lines.append(f"[{inst}.labels.{_toml_str(scope)}]")
                lines += [f"{_toml_str(label)} = {_toml_str(code)}" for label, code in pairs]
                lines.append("")
        return "\n".join(lines)

    def write(self, path: str | os.PathLike) -> None:
        path = Path(path)
        text = self.to_csv() if path.suffix.lower() == ".csv" else self.to_toml()
        path.write_text(text, encoding="utf-8-sig" if path.suffix.lower() == ".csv" else "utf-8")


def _toml_str(text: str) -> str:
    out = ['"']
    for ch in str(text):
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


class MappingError(ValueError):
    """A mapping file that cannot be read; ``reasons`` lists every line at fault as a key of
    :data:`scoring.reasons.REASONS` and its values, ``problems`` their English words."""

    def __init__(self, name: str, reasons: list[tuple[str, dict[str, object]]]):
        self.name, self.reasons = name, reasons
        self.problems = [words(key, values) for key, values in reasons]
        super().__init__("\n".join(f"{name}: {p}" for p in self.problems))


def parse_mapping(data: bytes | str, *, name: str = "mapping") -> Mapping:
    """Read a mapping file's text: TOML, or CSV ``instrument,kind,text,code,scope``.

    The format is told by ``name``'s suffix (``.csv`` / ``.toml``), else by the text.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise MappingError(name, [("mapping_not_utf8", {})]) from None
    text = data.lstrip("\ufeff")
    suffix = Path(name).suffix.lower()
    is_csv = suffix == ".csv" or (suffix != ".toml" and text.lstrip().startswith("instrument,"))
    return _parse_csv(text, name) if is_csv else _parse_toml(text, name)


def read_mapping(path: str | os.PathLike) -> Mapping:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MappingError(str(path), [("mapping_unreadable",
                                           {"detail": exc.strerror or str(exc)})]) from None
    return parse_mapping(data, name=str(path))


def _parse_toml(text: str, name: str) -> Mapping:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(name, [("mapping_not_toml", {"detail": str(exc)})]) from None
    out, problems = Mapping(str(doc.get("set", ""))), []
    for inst, body in doc.items():
        if inst == "set":
            continue
        if inst not in ("IIT", "EIT") or not isinstance(body, dict):
            problems.append(("mapping_section_unknown", {"section": inst}))
            continue
        for key, section in body.items():
            if key == "columns" and isinstance(section, dict):
                for header, code in section.items():
                    if not isinstance(code, str):
                        problems.append(("mapping_column_code_not_text",
                                         {"section": inst, "header": repr(header)}))
                        continue
                    out.columns.setdefault(inst, {})[header] = code.strip()
            elif key == "labels" and isinstance(section, dict):
                for scope, pairs in section.items():
                    if not isinstance(pairs, dict):
                        problems.append(("mapping_labels_not_table",
                                         {"section": inst, "scope": repr(scope)}))
                        continue
                    for label, code in pairs.items():
                        if isinstance(code, bool) or not isinstance(code, (str, int)):
                            problems.append(("mapping_label_code_invalid", {
                                "section": inst, "scope": repr(scope), "label": repr(label)}))
                            continue
                        out.labels.setdefault(inst, {})[(scope, label)] = str(code).strip()
            else:
                problems.append(("mapping_key_unknown", {"section": inst, "key": key}))
    if problems:
        raise MappingError(name, problems)
    return out


def _parse_csv(text: str, name: str) -> Mapping:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [c.strip() for c in rows[0]][:4] != ["instrument", "kind", "text", "code"]:
        raise MappingError(name, [("mapping_csv_header", {})])
    out, problems = Mapping(), []
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        row = ([*row, "", "", "", "", ""])[:5]
        inst, kind, label, code, scope = (row[0].strip(), row[1].strip(), row[2], row[3].strip(),
                                          row[4].strip())
        if inst not in ("IIT", "EIT"):
            problems.append(("mapping_csv_instrument", {"line": number, "value": repr(inst)}))
        elif kind == "column":
            out.columns.setdefault(inst, {})[label] = code
        elif kind == "label":
            out.labels.setdefault(inst, {})[(scope, label)] = code
        else:
            problems.append(("mapping_csv_kind", {"line": number, "value": repr(kind)}))
    if problems:
        raise MappingError(name, problems)
    return out


# -- matching --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnMatch:
    """What one header of the export became.

    ``target`` is a question column, ``drop``, ``respondent_group`` or ``None`` (unmatched);
    ``how`` is ``mapping``, ``dropped``, ``code``, ``text``, ``grid``, ``answers`` or ``""``.
    """

    letter: str
    header: str
    target: str | None
    how: str


@dataclass(frozen=True)
class FormsImport:
    """The result of reading one export: the code frame, what matched, what did not."""

    instrument: str
    set_id: str
    frame: pd.DataFrame
    columns: tuple[ColumnMatch, ...]
    problems: tuple[Problem, ...]
    missing: tuple[str, ...]  # question columns of the set the export has no column for
    mapping: Mapping  # every header and every answer label seen, as matched (or "")

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def rows(self) -> int:
        return len(self.frame)


class _Index:
    """The instrument's question texts and option labels, normalised."""

    def __init__(self, iset: InstrumentSet, instrument: str):
        self.iset, self.instrument = iset, instrument
        self.items = iset.items_for(instrument)
        self.columns = {c for item in self.items for c in item.columns}
        self.singles: dict[str, str] = {}
        self.grids: dict[tuple[str, str], str] = {}
        rows: dict[str, set[str]] = {}
        self.texts: dict[str, str] = {}  # column → a text to suggest
        for item in self.items:
            titles = {normalise(item.text_th), normalise(item.text_en)} - {""}
            if not item.sub_items:
                for key in titles:
                    self.singles.setdefault(key, item.code)
                self.texts[item.code] = item.text_th
                continue
            for q in item.sub_items:
                self.texts[q.column] = f"{item.text_th} [{q.text_th}]"
                for sub in {normalise(q.text_th), normalise(q.text_en)} - {""}:
                    rows.setdefault(sub, set()).add(q.column)
                    for title in titles:
                        self.grids[(title, sub)] = q.column
                        self.singles.setdefault(title + sub, q.column)
        # a grid row asked as its own question: only when no other item has the same row
        for sub, columns in rows.items():
            if len(columns) == 1:
                self.singles.setdefault(sub, next(iter(columns)))
        self.groups: dict[str, str] = {}
        for g in iset.respondent_groups:
            for key in {normalise(g.code), normalise(g.label_th), normalise(g.label_en)} - {""}:
                self.groups[key] = g.code
        self.group_codes = {g.code for g in iset.respondent_groups}

    def question(self, column: str) -> Question:
        return self.iset.question(column)

    def scale(self, column: str) -> Scale:
        return self.iset.item(self.question(column).item).scale

    def match_header(self, header: str) -> tuple[str | None, str]:
        if header in self.columns:
            return header, "code"
        grid = _GRID.match(header)
        if grid:
            pair = (normalise(grid["title"]), normalise(grid["row"]))
            if pair in self.grids:
                return self.grids[pair], "grid"
        key = normalise(header)
        if key in self.singles:
            return self.singles[key], "text"
        return None, ""

    def suggestion(self, header: str) -> str | None:
        key = normalise(header)
        keys = {normalise(text): column for column, text in self.texts.items()}
        close = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.6)
        return keys[close[0]] if close else None


def _is_dropped(header: str) -> bool:
    key = " ".join(unicodedata.normalize("NFKC", header).translate(_ZERO_WIDTH).casefold().split())
    if key in DROPPED_HEADERS:
        return True
    grid = _GRID.match(key)
    return bool(grid and grid["row"].strip() in DROPPED_SUFFIXES)


def looks_like_forms(headers: Iterable[str], iset: InstrumentSet, instrument: str) -> bool:
    """Tell a Google Forms export from a code CSV by its header.

    A Forms export has a Timestamp (ประทับเวลา) column, or no header that is a column code of
    this set while some header does not even look like one (``i1.2``: a code CSV of another
    year's set is a code CSV, refused by its unknown columns).
    """
    from .responses import KNOWN_EXTRA_COLUMNS

    headers = [str(h).strip() for h in headers]
    if any(_is_dropped(h) for h in headers):
        return True
    codes = set(iset.columns_for(instrument)) | set(KNOWN_EXTRA_COLUMNS)
    if any(h in codes for h in headers):
        return False
    return not all(_CODE_LIKE.match(h) for h in headers)


def _scoped_label(mapping_labels: dict[tuple[str, str], str], question: Question, scale: Scale,
                  value: str) -> str | None:
    key = normalise(value)
    for scope in (question.column, question.item, scale.code, ""):
        for (s, label), code in mapping_labels.items():
            if s == scope and code != "" and (label == value or normalise(label) == key):
                return code
    return None


def convert(frame: pd.DataFrame, iset: InstrumentSet, instrument: str, *,
            mapping: Mapping | None = None) -> FormsImport:
    """Turn a Google Forms export (already read into ``frame``) into the code frame.

    ``frame``'s columns are the export's headers in order; its rows the responses (row ``i``
    is the file's row ``i + 2``).  Every unmatched header and answer becomes a
    :class:`Problem`; the frame holds what did match.
    """
    if instrument not in ("IIT", "EIT"):
        raise ValueError(f"instrument must be IIT or EIT, not {instrument!r}")
    index = _Index(iset, instrument)
    given = mapping or Mapping()
    map_columns = given.columns.get(instrument, {})
    map_labels = given.labels.get(instrument, {})
    problems: list[Problem] = []
    matches: list[ColumnMatch] = []
    inferred = Mapping(iset.id, {instrument: {}}, {instrument: {}})
    taken: dict[str, str] = {}  # target column → letter of the header that took it
    headers = [str(h) for h in frame.columns]

    for pos, header in enumerate(headers):
        letter = column_letter(pos)
        mapped = map_columns.get(header)
        if mapped is None:
            mapped = next((c for h, c in map_columns.items()
                           if normalise(h) == normalise(header) and normalise(h)), None)
        target, how = None, ""
        if mapped:
            if mapped in (DROP, GROUP) or mapped in index.columns:
                target, how = mapped, "mapping"
                if mapped == GROUP and instrument != "EIT":
                    problems.append(Problem(
                        "mapping", "the mapping names a respondent group column, which only "
                        "EIT has", "ไฟล์จับคู่กำหนดคอลัมน์กลุ่มผู้ตอบ ซึ่งมีเฉพาะ EIT",
                        row=1, letter=letter, header=header))
                    target = None
            else:
                problems.append(Problem(
                    "mapping", f"the mapping gives '{_short(mapped)}', which is not a question "
                    f"of {instrument} in {iset.id} (nor drop, respondent_group)",
                    f"ไฟล์จับคู่ระบุ '{_short(mapped)}' ซึ่งไม่ใช่ข้อคำถามของ {instrument} "
                    f"ใน {iset.id}", row=1, letter=letter, header=header))
        elif _is_dropped(header):
            target, how = DROP, "dropped"
        else:
            target, how = index.match_header(header)
            if target is None and instrument == "EIT" and (
                    normalise(header) in {normalise(h) for h in GROUP_HEADERS} or _all_groups(
                        frame.iloc[:, pos], index)):
                target, how = GROUP, "answers"
        if target not in (None, DROP):
            if target in taken:
                problems.append(Problem(
                    "duplicate_header", f"matches {target}, as column {taken[target]} does: "
                    "map one of them in the mapping file",
                    f"ตรงกับข้อ {target} ซ้ำกับคอลัมน์ {taken[target]}: "
                    "ระบุในไฟล์จับคู่ว่าคอลัมน์ใดเป็นข้อใด", row=1, letter=letter, header=header))
                target, how = None, ""
            else:
                taken[target] = letter
        if target is None and not any(p.letter == letter for p in problems):
            hint = index.suggestion(header)
            hint_en = f" (closest: {hint})" if hint else ""
            hint_th = f" (ใกล้เคียงที่สุด: ข้อ {hint})" if hint else ""
            problems.append(Problem(
                "unknown_header",
                f"no {instrument} question of {iset.id} has this text{hint_en}: give its "
                "column in the mapping file, or drop",
                f"ไม่พบข้อคำถาม {instrument} ของ {iset.id} ที่มีข้อความนี้{hint_th}: "
                "ระบุรหัสข้อในไฟล์จับคู่ หรือ drop", row=1, letter=letter, header=header))
        matches.append(ColumnMatch(letter, header, target, how))
        inferred.columns[instrument][header] = target or ""

    out: dict[str, list] = {}
    for pos, match in enumerate(matches):
        if match.target in (None, DROP):
            continue
        series = frame.iloc[:, pos]
        if match.target == GROUP:
            out[GROUP] = _groups(series, match, index, map_labels, problems, inferred)
        else:
            out[match.target] = _answers(series, match, index, map_labels, problems, inferred)

    ordered = [c for c in iset.columns_for(instrument) if c in out]
    if GROUP in out:
        ordered = [GROUP, *ordered]
    codes = pd.DataFrame({c: out[c] for c in ordered}, index=range(len(frame)))
    for column in ordered:
        if column != GROUP:
            codes[column] = codes[column].astype("Int64")
    if not any(c != GROUP for c in ordered) and not problems:
        problems.append(Problem("no_questions",
                                f"no column is a question of {instrument} in {iset.id}",
                                f"ไม่มีคอลัมน์ใดเป็นข้อคำถามของ {instrument} ใน {iset.id}"))
    missing = tuple(c for c in iset.columns_for(instrument) if c not in out)
    return FormsImport(instrument, iset.id, codes, tuple(matches), tuple(problems), missing,
                       inferred)


def _all_groups(series: pd.Series, index: _Index) -> bool:
    values = {_cell(v) for v in series} - {None}
    return bool(values) and all(normalise(v) in index.groups for v in values)


def _groups(series, match, index: _Index, map_labels, problems, inferred) -> list:
    codes: list = []
    known = ", ".join(f"{g.label_th} / {g.label_en}" for g in index.iset.respondent_groups)
    unmatched: dict[str, list[int]] = {}
    for i, value in enumerate(series):
        text = _cell(value)
        if text is None:
            codes.append(None)
            continue
        code = next((c for (s, label), c in map_labels.items()
                     if s == GROUP and c and normalise(label) == normalise(text)), None)
        if code is not None and code not in index.group_codes:
            code = None
        code = code or index.groups.get(normalise(text))
        inferred.labels[index.instrument].setdefault((GROUP, text), code or "")
        if code is None:
            unmatched.setdefault(text, []).append(i + 2)
        codes.append(code)
    for text, rows in unmatched.items():
        problems.append(Problem(
            "unknown_group", f"'{_short(text)}' is not a respondent group ({known})",
            f"'{_short(text)}' ไม่ใช่กลุ่มผู้ตอบ ({known})", row=rows[0], letter=match.letter,
            header=match.header, value=text, rows=tuple(rows)))
    return codes


def _answers(series, match, index: _Index, map_labels, problems, inferred) -> list:
    question = index.question(match.target)
    scale = index.scale(match.target)
    labels: dict[str, int] = {}
    for o in scale.options:
        for key in {normalise(o.label_th), normalise(o.label_en)} - {""}:
            labels.setdefault(key, o.code)
    by_code = {str(o.code): o.code for o in scale.options}
    options_en, options_th = _options_text(scale)
    cache: dict[str, int | None] = {}
    bad_mapping: dict[str, str] = {}  # text → the option code the mapping gave, not the scale's
    unmatched: dict[str, list[int]] = {}
    codes: list = []
    for i, value in enumerate(series):
        text = _cell(value)
        if text is None:
            codes.append(None)
            continue
        if text not in cache:
            code: int | None = None
            mapped = _scoped_label(map_labels, question, scale, text)
            if mapped is not None and mapped in by_code:
                code = by_code[mapped]
            elif mapped is not None:
                bad_mapping[text] = mapped
            else:
                code = labels.get(normalise(text), by_code.get(text))
            cache[text] = code
            scope = scale.code if code is not None else match.target
            inferred.labels[index.instrument].setdefault(
                (scope, text), "" if code is None else str(code))
        code = cache[text]
        if code is None:
            unmatched.setdefault(text, []).append(i + 2)
        codes.append(code)
    for text, rows in unmatched.items():
        if text in bad_mapping:
            en = (f"the mapping gives '{text}' the option code {bad_mapping[text]!r}, which "
                  f"{match.target} does not have ({options_en})")
            th = (f"ไฟล์จับคู่ให้ '{text}' เป็นรหัส {bad_mapping[text]!r} ซึ่งข้อ {match.target} "
                  f"ไม่มี ({options_th})")
        else:
            en = f"'{_short(text)}' is not an option of {match.target} ({options_en})"
            th = f"'{_short(text)}' ไม่ใช่ตัวเลือกของข้อ {match.target} ({options_th})"
        problems.append(Problem("unknown_label", en, th, row=rows[0], letter=match.letter,
                                header=match.header, value=text, rows=tuple(rows)))
    return codes


# -- files -----------------------------------------------------------------------------------


class FormsExportError(Exception):
    """A Google Forms export that cannot be read in full: every problem, one line each.

    Not a ``ValueError`` on purpose: a caller that reports a ``ValueError`` by its first line
    would drop the others; ``lines`` has them all.
    """

    def __init__(self, path: str | os.PathLike, problems: Iterable[Problem]):
        self.path = str(path)
        self.problems = tuple(problems)
        self.lines = [f"{self.path}: {p.message()}" for p in self.problems]
        super().__init__("\n".join(self.lines))


class FormsExport(os.PathLike):
    """A response file with how to read it (``ita score --format-in``, ``--mapping``).

    It is a path (``os.fspath`` gives the file).  Bound to an instrument set and instrument
    (:func:`bind_exports`), :func:`scoring.inputs.read_table` reads it with :meth:`read`:
    the code frame of the matched export, or :class:`FormsExportError` with every problem.
    """

    def __init__(self, path: str | os.PathLike, *, format_in: str = "auto",
                 mapping: Mapping | None = None, iset: InstrumentSet | None = None,
                 instrument: str | None = None):
        if format_in not in FORMATS:
            raise ValueError(f"format_in must be one of {', '.join(FORMATS)}")
        self.path, self.format_in, self.mapping = os.fspath(path), format_in, mapping
        self.iset, self.instrument = iset, instrument
        self.result: FormsImport | None = None

    @property
    def bound(self) -> bool:
        return self.iset is not None and self.instrument is not None

    def __fspath__(self) -> str:
        return self.path

    def __str__(self) -> str:
        return self.path

    def read(self, read_table: Callable[..., pd.DataFrame], *,
             progress: Callable[[int], None] | None = None) -> pd.DataFrame:
        """Read and match the export; keep the result in ``self.result``."""
        self.result = read_export(self.path, self.iset, self.instrument, mapping=self.mapping,
                                  read_table=read_table, progress=progress)
        if not self.result.ok:
            raise FormsExportError(self.path, self.result.problems)
        return self.result.frame


def read_export(path: str | os.PathLike, iset: InstrumentSet, instrument: str, *,
                mapping: Mapping | None = None, read_table: Callable[..., pd.DataFrame],
                progress: Callable[[int], None] | None = None) -> FormsImport:
    """Read a Google Forms export (CSV or XLSX) and match it; see :func:`convert`.

    ``read_table`` is :func:`scoring.inputs.read_table` (passed in: that module calls this
    one): it reads the file first, so that every check it makes on a file (unreadable, empty,
    a header with no name …) applies.  The cells are then read again as text, so that an
    answer label such as "None" is a label, not a blank.
    """
    checked = read_table(path, progress=progress, dtype=str)
    text = _read_text(Path(path))
    if text.shape != checked.shape:  # the checks of read_table dropped or kept otherwise
        text = checked
    return convert(text, iset, instrument, mapping=mapping)


def _read_text(path: Path) -> pd.DataFrame:
    """Every cell as text; only an empty cell is a blank (as read_table's rows and columns)."""
    options = {"dtype": str, "keep_default_na": False, "na_values": [""]}
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        frame = pd.read_excel(path, engine="openpyxl", **options)
    else:
        frame = pd.read_csv(path, encoding="utf-8-sig", skipinitialspace=True, **options)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.dropna(how="all").reset_index(drop=True)


def peek_header(path: str | os.PathLike) -> list[str] | None:
    """Return the first row of a CSV or XLSX file, or ``None`` when it cannot be read (the
    reader that follows says why)."""
    path = Path(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            import openpyxl

            workbook = openpyxl.load_workbook(path, read_only=True)
            try:
                sheet = workbook.worksheets[0]
                row = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
            finally:
                workbook.close()
            return ["" if v is None else str(v).strip() for v in row]
        with open(path, encoding="utf-8-sig", newline="") as fh:
            line = fh.readline(1 << 20)
        return [c.strip() for c in next(csv.reader([line]), [])]
    except Exception:
        return None


def bind_exports(iset: InstrumentSet, **paths) -> tuple:
    """The hook :func:`scoring.inputs.score_files` calls on its ``iit`` and ``eit`` paths.

    Each path (or :class:`FormsExport`) that is a Google Forms export, told by its header
    (:func:`looks_like_forms`) or given with ``format_in="gforms"``, comes back as a
    :class:`FormsExport` bound to ``iset`` and its instrument; a code CSV comes back as the
    plain path.  Returned in the order given (``iit=…, eit=…``).
    """
    out = []
    for name, path in paths.items():
        instrument = name.upper()
        if path is None:
            out.append(None)
            continue
        given = path if isinstance(path, FormsExport) else FormsExport(path)
        fmt = given.format_in
        if fmt == "auto":
            header = peek_header(given.path)
            fmt = "gforms" if header and looks_like_forms(header, iset, instrument) else "codes"
        if fmt == "codes":
            out.append(given.path)
            continue
        given.iset, given.instrument = iset, instrument
        out.append(given)
    return tuple(out)
