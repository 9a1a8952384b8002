"""The languages a page speaks: gettext catalogues (Babel), plurals and local formats.

The English in the code is the source text. Code marks what people read with
:func:`_` (one text), :func:`ngettext` (a text that depends on a count) and
:func:`N_` (a text kept in a constant, translated where it is shown); a text with
values in it is one whole sentence with named places (``{name}``), never pieces
joined together, so another language can put the words in its own order.

One kernel draws one page for one person, so the page's language is the kernel's:
:func:`use` sets it when the page knows who it is for (the join page, "My
choices", the console, the room screen). The catalogues ship inside the package
(``coproduction/locale/``, found with ``importlib.resources``); ``coproduction
translations`` says how complete each one is. People's own words are never
translated by machine: only the kit's own texts are here.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import gettext as _gettext
import re
import string
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources

DOMAIN = "coproduction"
SOURCE = "en"
#: A made-up language for tests: every text that went through a catalogue comes out
#: wrapped in these marks and longer, so a text that did not is easy to find.
PSEUDO = "qps"
PSEUDO_OPEN, PSEUDO_CLOSE = "\u27e6", "\u27e7"


@dataclass(frozen=True)
class Language:
    """One language a workshop can use: its code, its name in its own script."""

    code: str
    name: str          # as its speakers write it: "اردو", "Polski"
    english_name: str
    direction: str     # "ltr" or "rtl"


#: The languages the kit ships a catalogue for, English (the source) first.
SHIPPED = {
    "en": Language("en", "English", "English", "ltr"),
    "ur": Language("ur", "\u0627\u0631\u062f\u0648", "Urdu", "rtl"),
    "pl": Language("pl", "Polski", "Polish", "ltr"),
}
_PSEUDO_LANGUAGE = Language(PSEUDO, "Pseudo", "Pseudo (for tests)", "ltr")
_CODE_RE = re.compile(r"^[a-z]{2,3}(?:_[A-Z]{2})?$")


def N_(text: str) -> str:
    """Mark a text kept in a constant for the catalogue; :func:`_` translates it when shown."""
    return text


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a text and its plural for the catalogue, kept to be said later for a count
    (:func:`ngettext`)."""
    return singular, plural


class _Pseudo(_gettext.NullTranslations):
    """Every text wrapped and a third longer, its ``{places}`` kept as they are."""

    def gettext(self, message):
        return pseudo(message)

    def ngettext(self, singular, plural, n):
        return pseudo(singular if n == 1 else plural)


def pseudo(text: str) -> str:
    """``text`` as the pseudo-language shows it (see :data:`PSEUDO`)."""
    if not text:
        return text
    return f"{PSEUDO_OPEN}{text}{'~' * max(2, len(text) // 3)}{PSEUDO_CLOSE}"


def catalogue_folder():
    """Where the shipped catalogues are (a folder inside the package)."""
    return resources.files("coproduction") / "locale"


@lru_cache(maxsize=None)
def _translations(code: str) -> _gettext.NullTranslations:
    if code == PSEUDO:
        return _Pseudo()
    if code == SOURCE:
        return _gettext.NullTranslations()
    with resources.as_file(catalogue_folder()) as folder:
        return _gettext.translation(DOMAIN, localedir=str(folder), languages=[code],
                                    fallback=True)


_active: list[str] = [SOURCE]
#: Every page in this one language, whatever people choose (the tests' pseudo-language).
_forced: list[str | None] = [None]


def use(code: str | None) -> str:
    """Speak ``code`` on this kernel's page from now on; an unknown code means English.

    Returns the code now in use.
    """
    code = code if code in SHIPPED or code == PSEUDO else SOURCE
    _active[0] = _forced[0] or code
    return code


def force(code: str | None) -> None:
    """Every page in ``code`` from now on, whatever is chosen (None: as chosen again).
    For tests: the pseudo-language shows what did not go through this module."""
    _forced[0] = code
    _active[0] = code or SOURCE


def current() -> str:
    """The code of the language this kernel's page speaks."""
    return _active[0]


def language(code: str | None = None) -> Language:
    """The :class:`Language` for ``code`` (default: the one in use)."""
    code = current() if code is None else code
    return _PSEUDO_LANGUAGE if code == PSEUDO else SHIPPED.get(code, SHIPPED[SOURCE])


def direction(code: str | None = None) -> str:
    """``"rtl"`` for a language written right to left, else ``"ltr"``."""
    return language(code).direction


def _(text: str) -> str:
    """``text`` in the page's language (the English source where no translation exists)."""
    return _translations(current()).gettext(text) if text else text


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a text that fits ``n`` in the page's language (Polish has three)."""
    return _translations(current()).ngettext(singular, plural, n)


def _said(text: str) -> str:
    """A date, number or amount as written for the page (marked in the pseudo-language)."""
    return pseudo(text) if current() == PSEUDO else text


def isolated(text: str) -> str:
    """People's own words, to set inside one of the kit's sentences: when they run the
    other way from the page (English words on an Urdu page, Urdu on an English one) they
    are wrapped in Unicode's first-strong isolate marks, so that the sentence around them
    and their own full stops keep their places. Otherwise they are left as they are."""
    import unicodedata

    other = ("L",) if direction() == "rtl" else ("R", "AL")
    if any(unicodedata.bidirectional(ch) in other for ch in text):
        return f"\u2068{text}\u2069"
    return text


def language_called(code: str) -> str:
    """A language's name as the page's language says it ("Urdu" on an English page,
    "اردو" on an Urdu one), from Babel's locale data: a name in another script in the
    middle of a sentence runs the wrong way. The picker on the join page names each
    language in its own script instead (:attr:`Language.name`)."""
    from babel import Locale, UnknownLocaleError

    try:
        return _said(Locale.parse(code).get_display_name(babel_locale()) or code)
    except (UnknownLocaleError, ValueError):
        return SHIPPED[code].name if code in SHIPPED else code


def babel_locale() -> str:
    # The kit's English is British English: "31 January 2027", "£25".
    return "en_GB" if current() in (SOURCE, PSEUDO) else current()


@contextlib.contextmanager
def speaking(code: str):
    """Speak ``code`` for a moment (a fingerprint of the English text, a sheet printed in
    another language), then the page's own language again."""
    before = current()
    use(code)
    try:
        yield
    finally:
        use(before)


def number(value) -> str:
    """A number written the page language's way (``1,234.5``; ``1 234,5`` in Polish)."""
    from babel.numbers import format_decimal

    return _said(format_decimal(value, locale=babel_locale()))


def percent(share: float) -> str:
    """A share as a percentage, the page language's way ("67%"; "67 %" in Polish)."""
    from babel.numbers import format_percent

    return _said(format_percent(share, locale=babel_locale()))


def money(amount, currency: str, *, pence: bool = False) -> str:
    """An amount of money in the page's language: ``£25``, with ``pence`` ``£250.00``;
    ``25 GBP`` and ``250,00 GBP`` in Polish."""
    from babel import Locale
    from babel.numbers import format_currency, parse_pattern

    value = Decimal(str(amount))
    if pence or value != value.to_integral_value():
        return _said(format_currency(value, currency, locale=babel_locale()))
    locale = Locale.parse(babel_locale())
    pattern = parse_pattern(locale.currency_formats["standard"].pattern)
    pattern.frac_prec = (0, 0)
    return _said(pattern.apply(value, locale, currency=currency, currency_digits=False))


def day(value: _dt.date | str, form: str = "long") -> str:
    """A date in the page's language ("2 December 2026"; "2 grudnia 2026")."""
    from babel.dates import format_date

    if isinstance(value, str):
        value = _dt.date.fromisoformat(value[:10])
    return _said(format_date(value, format=form, locale=babel_locale()))


def day_of_week(value: _dt.date) -> str:
    """A date with its weekday ("Mon 15 March 2027"; "pon. 15 marca 2027")."""
    from babel.dates import format_date

    return _said(format_date(value, format="EEE d MMMM y", locale=babel_locale()))


def month_of(value: _dt.date) -> str:
    """A month and its year, as a heading ("March 2027"; "marzec 2027")."""
    from babel.dates import format_date

    return _said(format_date(value, format="LLLL y", locale=babel_locale()))


def short_day(value: _dt.date) -> str:
    """A weekday and the day of the month ("Mon 15")."""
    from babel.dates import format_date

    return _said(format_date(value, format="EEE d", locale=babel_locale()))


def clock(value: _dt.datetime | _dt.time) -> str:
    """A time of day in the page's language."""
    from babel.dates import format_time

    return _said(format_time(value, format="short", locale=babel_locale()))


def page_language() -> str:
    """What the page template needs to speak the page's language, as JSON: the code, the
    direction, and the words of the template and its scripts (see frontend/src/head/
    language.js)."""
    import json

    code = current()
    return json.dumps({
        "lang": code, "dir": direction(code),
        "words": {
            "views": _("How this page looks"), "large": _("Bigger text"),
            "contrast": _("Stronger colours"), "loading": _("Getting your page ready"),
            "lost": _("This page has lost touch with the workshop. Anything you do now is "
                      "not saved. What you typed is kept here."),
            "again": _("Connect again"),
            "put_back": _("We put back what you had typed. It is saved when you press the "
                          "button next to it."),
            "read": _("Read this to me"), "stop": _("Stop reading"),
            "no_voice": _("This device has no voice to read aloud"),
            "pause_title": _("Someone needs a pause"),
        }}, ensure_ascii=False, sort_keys=True)


def html_open() -> str:
    """The ``<html>`` tag of a printed page in the page's language and direction."""
    code = current()
    lang = SOURCE if code == PSEUDO else code.replace("_", "-")
    return f'<html lang="{lang}" dir="{direction(code)}">'


def places(text: str) -> set[str]:
    """The named places (``{name}``) a text has, to check a translation keeps them."""
    found = set()
    for _literal, field, _spec, _conv in string.Formatter().parse(text):
        if field is not None:
            found.add(field)
    return found


def valid_code(code: str) -> bool:
    """Whether ``code`` looks like a language code (``ur``, ``pl``, ``pt_BR``)."""
    return bool(_CODE_RE.match(code or ""))
