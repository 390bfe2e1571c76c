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
- **URL builders**: :meth:`werkzeug.routing.Rule._compile_builder` returns an unbound function
  whose code depends only on the rule's parsed parts, its defaults, their converters and
  whether unknown arguments are appended; it is bound to each rule afterwards, so one compiled
  function serves every app's copy of the same rule.

Neither changes what a page renders or a URL it builds (the whole suite runs through them);
they only stop the suite recompiling identical code.
"""

from __future__ import annotations

import flask
import jinja2
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
_BUILDERS: dict[tuple, object] = {}


def _builder_key(rule: Rule, append_unknown: bool) -> tuple:
    defaults = rule.defaults or {}
    return (
        rule.rule, tuple(rule._trace), append_unknown,
        tuple(sorted((str(k), repr(v)) for k, v in defaults.items())),
        tuple(sorted((name, type(conv).__qualname__,
                      repr(sorted((k, v) for k, v in vars(conv).items() if k != "map")))
                     for name, conv in rule._converters.items())),
    )


def install() -> None:
    """Share compiled templates and URL builders among the apps of this process."""
    if getattr(flask.Flask, "_ita_process_caches", False):
        return
    create_environment = flask.Flask.create_jinja_environment

    def create_jinja_environment(self):
        environment = create_environment(self)
        environment.bytecode_cache = _TEMPLATES
        return environment

    compile_builder = Rule._compile_builder

    def cached_compile_builder(self, append_unknown: bool = True):
        key = _builder_key(self, append_unknown)
        builder = _BUILDERS.get(key)
        if builder is None:
            builder = _BUILDERS[key] = compile_builder(self, append_unknown)
        return builder

    flask.Flask.create_jinja_environment = create_jinja_environment
    Rule._compile_builder = cached_compile_builder
    flask.Flask._ita_process_caches = True
