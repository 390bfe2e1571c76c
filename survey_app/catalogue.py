"""The message catalogues: extract, update, compile and check them (``ita translate``).

The same steps as ``pybabel extract -F babel.cfg`` / ``update`` / ``compile``, run in-process so
that the CLI and the tests share them.  Msgids are the English text: the English catalogue
copies each msgid into its msgstr (as gettext's ``msgen`` does), the Thai one is written by
hand.  WTForms' own messages (its ``wtforms.pot``) join the extracted ones, because WTForms
ships no Thai catalogue.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from wtforms.i18n import messages_path

PACKAGE = Path(__file__).resolve().parent
SOURCE_ROOT = PACKAGE.parent
MAPPING_FILE = SOURCE_ROOT / "babel.cfg"
TRANSLATIONS = PACKAGE / "translations"
DOMAIN = "messages"
LOCALES = ("th", "en")
#: The language the msgids are written in; its catalogue copies them.
SOURCE_LOCALE = "en"
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None, "lazy_pgettext": ((1, "c"), 2),
            "lazy_ngettext": (1, 2)}
WTFORMS_TEMPLATE = Path(messages_path()) / "wtforms.pot"

_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(locale: str) -> Path:
    return po_path(locale).with_suffix(".mo")


def extract(source_root: Path = SOURCE_ROOT) -> Catalog:
    """Return the template catalogue: every marked string of the code and templates, and WTForms'."""
    with MAPPING_FILE.open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, str(MAPPING_FILE))
    template = Catalog(project="ita-survey", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        source_root, method_map, options_map, keywords=KEYWORDS
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    with WTFORMS_TEMPLATE.open("rb") as fh:
        for message in read_po(fh):
            if message.id:
                template.add(message.id, None, [("wtforms/locale/wtforms.pot", 0)],
                             flags=message.flags)
    return template


def read_catalogue(locale: str) -> Catalog:
    with po_path(locale).open("rb") as fh:
        return read_po(fh, locale=locale, domain=DOMAIN)


def _write_po(path: Path, catalog: Catalog) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, ignore_obsolete=True, include_lineno=False,
             sort_output=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def compiled(catalog: Catalog) -> bytes:
    """Return the ``.mo`` bytes of a catalogue (fuzzy entries left out)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _is_translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(strings) and all(s and s.strip() for s in strings)


@dataclass(frozen=True)
class Problem:
    locale: str
    msgid: str
    problem: str

    def __str__(self) -> str:
        return f"{self.locale}: {self.problem}: {self.msgid!r}"


def placeholders(text: str) -> list[str]:
    """Return the sorted placeholders of a message: ``%(name)s``, ``%(n)d``, ``%s``, ``{name}``.

    >>> placeholders("Judged %(n)s of %(total)s (95%%)")
    ['%(n)s', '%(total)s']
    """
    return sorted(m.group(0) for m in _PLACEHOLDER.finditer(text.replace("%%", "")))


def has_stray_percent(text: str) -> bool:
    """Say whether ``text`` has a ``%`` that is neither a placeholder nor written ``%%``.

    >>> has_stray_percent("95%%"), has_stray_percent("95% of %(n)s")
    (False, True)
    """
    return re.search(r"%(?!\(\w+\)[sd]|[sd])", text.replace("%%", "")) is not None


def problems(locale: str, template: Catalog | None = None,
             catalog: Catalog | None = None) -> list[Problem]:
    """Return what is wrong with a locale's catalogue against the code's template.

    A msgid the code uses but the catalogue lacks, an empty or fuzzy translation, a msgid the
    code no longer uses, and a translation whose placeholders differ from its msgid's.
    """
    template = template if template is not None else extract()
    catalog = catalog if catalog is not None else read_catalogue(locale)
    found: list[Problem] = []
    wanted = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in template if m.id}
    have = {}
    for message in catalog:
        if not message.id:
            continue
        key = (message.id if isinstance(message.id, str) else message.id[0], message.context)
        have[key] = message
    for key in sorted(wanted - have.keys(), key=str):
        found.append(Problem(locale, key[0], "not in the catalogue (run ita translate update)"))
    for key in sorted(have.keys() - wanted, key=str):
        found.append(Problem(locale, key[0], "no longer used (run ita translate update)"))
    for key, message in have.items():
        if key not in wanted:
            continue
        if message.fuzzy:
            found.append(Problem(locale, key[0], "fuzzy"))
        if not _is_translated(message):
            found.append(Problem(locale, key[0], "not translated"))
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = placeholders(ids[-1])
        for string in strings:
            if placeholders(string) != expected:
                found.append(Problem(locale, key[0], f"placeholders {placeholders(string)} "
                                                      f"differ from {expected}"))
            # Templates format every message with %, Python those with a placeholder.
            in_template = any(f.endswith(".html") for f, _ in message.locations)
            if ("%" in ids[-1] or in_template) and has_stray_percent(string):
                found.append(Problem(locale, key[0], "a % in the translation must be written %%"))
    return found


def update(locales: Iterable[str] = LOCALES) -> dict[str, list[Problem]]:
    """Extract the messages and merge them into each locale's ``.po``; return what is left to do.

    New msgids arrive untranslated (the English catalogue copies them), removed ones are
    dropped, and nothing is guessed: fuzzy matching is off.
    """
    template = extract()
    left: dict[str, list[Problem]] = {}
    for locale in locales:
        path = po_path(locale)
        if path.exists():
            catalog = read_catalogue(locale)
        else:
            catalog = Catalog(locale=locale, domain=DOMAIN, project="ita-survey", fuzzy=False)
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        if locale == SOURCE_LOCALE:
            for message in catalog:
                if message.id and not _is_translated(message):
                    message.string = message.id
        _write_po(path, catalog)
        left[locale] = problems(locale, template)
    return left


def compile_catalogues(locales: Iterable[str] = LOCALES) -> list[Path]:
    """Write each locale's ``.mo`` from its ``.po``; return the files written."""
    written = []
    for locale in locales:
        path = mo_path(locale)
        path.write_bytes(compiled(read_catalogue(locale)))
        written.append(path)
    return written
