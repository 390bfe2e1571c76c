"""Thai first, English available: the locale, B.E. dates, WTForms' messages and bilingual fields.

UI text lives in gettext catalogues, ``survey_app/translations/{th,en}/LC_MESSAGES/messages.po``,
whose msgids are the English text; Python marks it with ``gettext``/``lazy_gettext`` and
templates with ``_()``.  ``ita translate update`` extracts it into the catalogues and
``ita translate compile`` builds the ``.mo`` files the app reads (see :mod:`survey_app.catalogue`).
The language is Thai unless the session chose English with ``?lang=en``.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import date, datetime
from functools import cached_property

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from flask import Flask, current_app, g, request, session
from flask_babel import Babel, Domain, get_locale, get_translations
from flask_wtf import FlaskForm
from markupsafe import Markup, escape

from .quarters import buddhist_year

DEFAULT_LOCALE = "th"

#: Thai compounds a browser's dictionary splits at the end of a line ("หน่วย/งาน", "ขั้น/ตอน",
#: "คำ/ตอบ"): :func:`keep_words` keeps each whole.  Found by listing the line breaks of the
#: respondent pages at 360 px (tests/browser/test_phone_layout.py checks them).
THAI_COMPOUNDS = (
    "หน่วยงาน", "ประถมศึกษา", "มัธยมศึกษา", "การศึกษา", "ขั้นตอน", "คำตอบ", "ดำเนินงาน",
    "ดำเนินการ", "ปีงบประมาณ", "งบประมาณ", "เจ้าหน้าที่", "ข้อมูล", "รับฟัง", "ผู้มีส่วนได้ส่วนเสีย",
    "คำติชม", "ความคิดเห็น", "ภาพรวม", "รายบุคคล", "ผู้รับบริการ", "ผู้ติดต่อ", "ประโยชน์", "โปร่งใส", "ทุจริต", "ทุกคน",
    "ผู้บริหาร", "ตำแหน่ง", "เทคโนโลยี", "ช่องทาง", "เว็บไซต์",
)
_COMPOUND = re.compile("|".join(sorted(map(re.escape, THAI_COMPOUNDS), key=len, reverse=True)))


def keep_words(text: object) -> Markup:
    """Escape ``text`` and wrap each Thai compound of :data:`THAI_COMPOUNDS` in a no-wrap
    ``<span class="nw">`` (the text itself is unchanged: copying or reading it aloud is not)."""
    # the text is escaped first; the only markup added is the span around our own words
    return Markup(_COMPOUND.sub(lambda m: f'<span class="nw">{m.group(0)}</span>',  # noqa: S704
                                str(escape(text))))

#: Each language's name and its switch, written in that language (the switch is read by
#: someone who wants that language).
LANGUAGES: dict[str, tuple[str, str]] = {
    "th": ("ภาษาไทย", "เปลี่ยนเป็นภาษาไทย"),
    "en": ("English", "Switch to English"),
}

#: Babel date patterns: Thai counts years in the Buddhist era, which Babel's Gregorian calendar
#: does not, so ``{be_year}`` (:func:`~survey_app.quarters.buddhist_year`) goes in as a literal;
#: month names come from Babel.
_DATETIME_PATTERNS = {
    "th": "d MMMM {be_year} 'เวลา' HH:mm 'น.'",
    "en": "d MMMM y, HH:mm",
}

#: A day alone (no time): in full, and short for a chart's axis (no year).
_DATE_PATTERNS = {
    "th": ("d MMMM {be_year}", "d MMM"),
    "en": ("d MMMM y", "d MMM"),
}

#: Each language's Babel locale, parsed once (Flask-Babel would parse a code on every request).
_LOCALES = {code: Locale.parse(code) for code in LANGUAGES}


def select_locale() -> Locale:
    """Flask-Babel's locale selector: the session's choice, else Thai."""
    lang = session.get("lang") if request else None
    return _LOCALES[lang if lang in LANGUAGES else DEFAULT_LOCALE]


def remember_language() -> None:
    """Before each request: ``?lang=th|en`` switches the language for the session."""
    lang = request.args.get("lang")
    if lang in LANGUAGES and session.get("lang") != lang:  # the cookie is rewritten only on a change
        session["lang"] = lang


def current_language() -> str:
    """Return the language code of the current request (``th`` outside a request)."""
    locale = _resolved(_LOCALE)  # the request's, once resolved
    if locale is None:
        locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LOCALE


def localized(obj: object, name: str) -> str:
    """Return ``obj.<name>_th`` or ``obj.<name>_en`` for the current language (Thai if empty)."""
    text = getattr(obj, f"{name}_{current_language()}", "") or ""
    return text or getattr(obj, f"{name}_th")


def format_datetime(value: datetime, timezone: str | None = None, locale: str | None = None) -> str:
    """Return a local date and time: Thai style with the B.E. year, or English style.

    ``timezone`` defaults to the app's ``TIMEZONE`` setting and ``locale`` to the request's.

    >>> from datetime import UTC
    >>> format_datetime(datetime(2026, 12, 31, 20, 5, tzinfo=UTC), "Asia/Bangkok", "th")
    '1 มกราคม 2570 เวลา 03:05 น.'
    >>> format_datetime(datetime(2026, 12, 31, 20, 5, tzinfo=UTC), "Asia/Bangkok", "en")
    '1 January 2027, 03:05'
    """
    local = value.astimezone(zoneinfo.ZoneInfo(timezone or current_app.config["TIMEZONE"]))
    language = locale or current_language()
    pattern = _DATETIME_PATTERNS.get(language, _DATETIME_PATTERNS[DEFAULT_LOCALE])
    return babel_format_datetime(
        local, pattern.format(be_year=buddhist_year(local)), locale=Locale.parse(language)
    )


def format_date(value: date, locale: str | None = None, *, short: bool = False) -> str:
    """Return a day: Thai style with the B.E. year, or English style; ``short`` drops the year.

    ``locale`` defaults to the request's.

    >>> format_date(date(2026, 12, 2), "th"), format_date(date(2026, 12, 2), "th", short=True)
    ('2 ธันวาคม 2569', '2 ธ.ค.')
    >>> format_date(date(2026, 12, 2), "en"), format_date(date(2026, 12, 2), "en", short=True)
    ('2 December 2026', '2 Dec')
    """
    language = locale or current_language()
    full, brief = _DATE_PATTERNS.get(language, _DATE_PATTERNS[DEFAULT_LOCALE])
    pattern = brief if short else full.format(be_year=buddhist_year(value))
    return babel_format_date(value, pattern, locale=Locale.parse(language))


# -- the request's catalogue, looked up once per request --------------------------------------
#
# Flask-Babel finds the translations anew for every gettext call: three lookups of ``g`` for its
# namespace, the locale's identifier built again and the domain's cache searched.  The request's
# translations depend only on its locale and domain, which Flask-Babel keeps on that namespace
# (``g._flask_babel``): :class:`RequestDomain` keeps what it found there too, with the locale and
# domain it was found for, and a later call whose locale and domain are still those (the same
# objects: ``force_locale`` and ``refresh`` replace or drop them) takes it without the search.

_LOCALE = "babel_locale"
_DOMAIN = "babel_domain"
_KEPT = "ita_translations"


def _resolved(name: str):
    """What Flask-Babel's namespace holds under ``name`` (None outside an app context or if
    nothing was resolved yet)."""
    try:
        return g._flask_babel.__dict__.get(name)
    except (AttributeError, RuntimeError):  # no namespace yet; no app context
        return None


def _kept(found: dict, domain):
    """The translations kept on the namespace ``found`` if they were found for its locale now
    and for ``domain``; else None."""
    kept = found.get(_KEPT)
    if kept is not None and kept[0] is found.get(_LOCALE) and kept[1] is domain:
        return kept[2]
    return None


def request_translations():
    """``flask_babel.get_translations()``, found once per request, locale and domain."""
    try:
        found = g._flask_babel.__dict__
    except (AttributeError, RuntimeError):
        return get_translations()
    kept = _kept(found, found.get(_DOMAIN))
    # else through RequestDomain, which keeps what it finds
    return kept if kept is not None else get_translations()


class RequestDomain(Domain):
    """The app's default domain: keeps the translations it finds for the request (see above)."""

    def get_translations(self):
        try:
            namespace = g._flask_babel
        except (AttributeError, RuntimeError):  # not yet made; outside an app context
            return super().get_translations()
        found = namespace.__dict__
        kept = _kept(found, self)
        if kept is not None:
            return kept
        translations = super().get_translations()  # resolves the locale onto the namespace
        if found.get(_LOCALE) is not None:
            setattr(namespace, _KEPT, (found[_LOCALE], self, translations))
        return translations


class RequestBabel(Babel):
    """Flask-Babel with :class:`RequestDomain` as its domain and templates' ``_()`` going
    straight to :func:`request_translations`."""

    @cached_property
    def domain_instance(self) -> RequestDomain:  # Flask-Babel's, of the domain class above
        return RequestDomain(domain=self.domain)

    def init_app(self, app: Flask, *args, **kwargs) -> None:
        super().init_app(app, *args, **kwargs)
        if self._configure_jinja:  # Flask-Babel's callables, without the search per call
            app.jinja_env.install_gettext_callables(
                gettext=lambda s: request_translations().ugettext(s),
                ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
                newstyle=True,
                pgettext=lambda c, s: request_translations().upgettext(c, s),
                npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
            )


class CatalogueTranslations:
    """WTForms' own messages from our catalogue (WTForms ships no Thai one).

    ``ita translate update`` adds every msgid of WTForms' ``wtforms.pot`` to the catalogue, so
    "This field is required." reads "กรุณากรอกช่องนี้" in Thai.
    """

    def gettext(self, string: str) -> str:
        return request_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return request_translations().ungettext(singular, plural, n)


_CATALOGUE_TRANSLATIONS = CatalogueTranslations()


class TranslatedForm(FlaskForm):
    """Base of every form: validation messages in the request's language."""

    class Meta:
        def get_translations(self, form):
            return _CATALOGUE_TRANSLATIONS
