"""Work that every app of a test process would otherwise repeat: compiled once per process.

A deployed worker builds its one app once, so compiling its templates and URL builders is a
cost paid at start.  The suite builds an app per test (about a thousand of them), and a
profile of the console tests showed most of their CPU there: Jinja compiling the same
templates again for each new app (27 %) and Werkzeug compiling a URL builder per rule per app
(9 %).  :func:`install` shares both across the apps of one test process:

- **templates**: one in-memory :class:`jinja2.BytecodeCache` for every app's environment.  It is
  Jinja's own mechanism (the one ``FileSystemBytecodeCache`` uses): a template's code is reused
  only when its source is the same (Jinja checks the source's checksum), and the key here also
  holds what changes the compiled code (the environment's extensions, delimiters and options).
- **URL rules**: :meth:`werkzeug.routing.Rule.compile` parses the rule into the parts the
  matcher uses and compiles two URL builders.  What it makes depends only on the rule's text,
  its host or subdomain, ``merge_slashes``, the map's converter classes and ``host_matching``,
  and the rule's defaults: for a rule seen before with the same of all these, each app's copy
  gets the parsed parts and the builders' functions (Werkzeug binds them to each rule) and its
  own converter objects, made for its own map from the arguments the first parse found.

- **SQL statements**: SQLAlchemy compiles each statement once per engine (its compiled cache
  is the engine's, and the ORM's flush caches key on the engine's dialect object), and every
  test builds a new app, so a new engine: a profile of small console tests had about a sixth
  of their CPU in SQLAlchemy's compiler.  Here engines whose dialects are alike (the same class
  and the same settings and server version, every plain attribute of the dialect equal) share
  one compiled statement for the same statement cache key: what SQLAlchemy itself reuses on
  one engine.

- **PDF pages**: WeasyPrint prints the same HTML to the same bytes (its output carries no
  date), and several tests print the very same page (the seed's yearly report in two modules,
  the office's document on SQLite and then on PostgreSQL, the follow-up report for its text
  and for LibreOffice): ``survey_app.services.pdf_text.write_pdf`` prints each distinct
  (HTML, font folder with its files' sizes and times) once per process, the last 16 kept.

None of them changes what a page renders, a URL it builds or matches or the SQL a statement
sends (the whole suite runs through them); they only stop the suite recompiling identical
code.
"""

from __future__ import annotations

import functools
import os
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass

import flask
import jinja2
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.util import LRUCache
from werkzeug.routing import Rule


class _SharedBytecodeCache(jinja2.BytecodeCache):
    def __init__(self) -> None:
        self._code: dict[tuple, bytes] = {}

    @staticmethod
    def _signature(environment: jinja2.Environment) -> tuple:
        return (
            tuple(sorted(environment.extensions)),
            environment.block_start_string, environment.block_end_string,
            environment.variable_start_string, environment.variable_end_string,
            environment.comment_start_string, environment.comment_end_string,
            environment.line_statement_prefix, environment.line_comment_prefix,
            environment.trim_blocks, environment.lstrip_blocks, environment.newline_sequence,
            environment.keep_trailing_newline, environment.optimized,
        )

    def get_bucket(self, environment, name, filename, source):
        key = (self.get_cache_key(name, filename), self._signature(environment))
        bucket = jinja2.bccache.Bucket(environment, repr(key), self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _SharedBytecodeCache()


@dataclass(frozen=True)
class _CompiledRule:
    parts: tuple
    trace: tuple
    converters: tuple  # (variable, converter name, args, kwargs), in the order parsed
    build: object  # the builders (Rule._compile_builder(False) and (True)), unbound
    build_unknown: object


_RULES: dict[tuple, _CompiledRule] = {}
#: Werkzeug's own ``Rule.compile`` (tests/app/test_process_caches.py compares against it).
werkzeug_compile = Rule.compile


def _rule_key(rule: Rule) -> tuple:
    url_map = rule.map
    return (
        rule.rule, url_map.host_matching, rule.host if url_map.host_matching else rule.subdomain,
        rule.merge_slashes, tuple(sorted(url_map.converters.items())),
        tuple(sorted((str(k), repr(v)) for k, v in (rule.defaults or {}).items())),
    )


#: Compiled statements of every engine of this process, by dialect kind and statement key.
_STATEMENTS = LRUCache(20000)
_KINDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # dialect -> its kind
#: SQLAlchemy's own ``ClauseElement._compile_w_cache`` (tests/app/test_process_caches.py).
sqlalchemy_compile_w_cache = ClauseElement._compile_w_cache
_PLAIN = (type(None), bool, int, float, str)


def _plain(value) -> bool:
    if isinstance(value, tuple):
        return all(_plain(v) for v in value)
    return isinstance(value, _PLAIN)


def dialect_kind(dialect) -> tuple:
    """What makes two dialects compile a statement alike: the class and every plain setting
    (paramstyle, server version, default schema ...); other attributes by their type."""
    kind = _KINDS.get(dialect)
    if kind is None or kind[1] != dialect.server_version_info:
        settings = tuple(sorted(
            (name, value if _plain(value) else type(value).__qualname__)
            for name, value in vars(dialect).items()))
        kind = (type(dialect), dialect.server_version_info, settings)
        _KINDS[dialect] = kind
    return kind


class _SharedStatements:
    """A compiled cache as SQLAlchemy reads it (``get``, item assignment) whose keys, which
    start with the dialect object, are looked up by the dialect's kind instead."""

    __slots__ = ("kind",)

    def __init__(self, kind: tuple) -> None:
        self.kind = kind

    def get(self, key, default=None):
        return _STATEMENTS.get((self.kind, *key[1:]), default)

    def __setitem__(self, key, compiled) -> None:
        _STATEMENTS[(self.kind, *key[1:])] = compiled


def _compile_w_cache(self, dialect, *, compiled_cache, **kw):
    if compiled_cache is not None:
        compiled_cache = _SharedStatements(dialect_kind(dialect))
    return sqlalchemy_compile_w_cache(self, dialect, compiled_cache=compiled_cache, **kw)


#: Printed PDFs by (HTML, font folder's state), the last ``_PDF_KEPT`` printed or read.
_PDFS: OrderedDict[tuple, bytes] = OrderedDict()
_PDF_KEPT = 16
_PDF_LOCK = threading.Lock()


def _folder_state(folder: str) -> tuple:
    with os.scandir(folder) as entries:
        return tuple(sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in entries
                            if e.is_file()))


def printed_once(write_pdf):
    """``write_pdf(html, base_url)`` printing each distinct page once (module docstring)."""

    @functools.wraps(write_pdf)
    def write(html: str, base_url: str) -> bytes:
        key = (html, base_url, _folder_state(base_url))
        with _PDF_LOCK:  # a live server's threads may print too (tests/browser)
            pdf = _PDFS.get(key)
            if pdf is not None:
                _PDFS.move_to_end(key)
                return pdf
        pdf = write_pdf(html, base_url)
        with _PDF_LOCK:
            _PDFS[key] = pdf
            while len(_PDFS) > _PDF_KEPT:
                _PDFS.popitem(last=False)
        return pdf

    return write


def install() -> None:
    """Share compiled templates, URL rules, SQL statements and printed PDF pages among the
    apps of this process."""
    if getattr(flask.Flask, "_ita_process_caches", False):
        return
    create_environment = flask.Flask.create_jinja_environment

    def create_jinja_environment(self):
        environment = create_environment(self)
        environment.bytecode_cache = _TEMPLATES
        return environment

    def cached_compile(self) -> None:
        key = _rule_key(self)
        known = _RULES.get(key)
        if known is None:
            made = []
            get_converter = self.get_converter

            def recording_get_converter(variable, converter, args, kwargs):
                made.append((variable, converter, args, dict(kwargs)))
                return get_converter(variable, converter, args, kwargs)

            self.get_converter = recording_get_converter
            try:
                werkzeug_compile(self)
            finally:
                del self.get_converter
            known = _RULES[key] = _CompiledRule(
                tuple(self._parts), tuple(self._trace), tuple(made),
                self._build.__func__, self._build_unknown.__func__)
        self._parts = list(known.parts)
        self._trace = list(known.trace)
        self._converters = {}
        for variable, converter, args, kwargs in known.converters:
            self._converters[variable] = self.get_converter(variable, converter, args, kwargs)
            self.arguments.add(variable)
        self._build = known.build.__get__(self, None)
        self._build_unknown = known.build_unknown.__get__(self, None)

    flask.Flask.create_jinja_environment = create_jinja_environment
    Rule.compile = cached_compile
    ClauseElement._compile_w_cache = _compile_w_cache
    from survey_app.services import pdf_text

    pdf_text.write_pdf = printed_once(pdf_text.write_pdf)
    flask.Flask._ita_process_caches = True
