"""Locale selection, WTForms' own messages, and lazy-string helpers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel import support
from flask import current_app, g, has_request_context, request, session
from flask_babel import format_date, get_locale, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.i18n import messages_path

from visits.config import LOCALES, PROJECT_DIR
from visits.errors import Invalid

TRANSLATIONS_DIR = PROJECT_DIR / "translations"

# Each language's name in that language, as the switcher shows it.
LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "ky": "Кыргызча"}
LANGUAGE_LABELS = {"en": _l("English"), "ru": _l("Russian"), "ky": _l("Kyrgyz")}


def npm_today() -> date:
    """Today in the NPM's time zone (``TIMEZONE``), not the server's.

    A visit in Bishkek ends at midnight there, not at midnight UTC.
    """
    return datetime.now(get_timezone()).date()


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes the 28th in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def show_day(day: date | None, style: str = "medium") -> str:
    """A date as the reader's language writes it (Babel): the one way pages show a date.

    Templates use it as the ``day`` filter: ``{{ visit.start_date|day }}``,
    ``|day("long")`` where there is room. Nothing (None) shows as nothing.
    """
    return format_date(day, style) if day is not None else ""


def select_locale() -> str:
    """The user's preference, else the one chosen while signed out, else the browser's.

    Outside a request (a command, a service called from a test) the default.
    """
    if not has_request_context():
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if current_user and current_user.is_authenticated and current_user.preferred_locale in LOCALES:
        return str(current_user.preferred_locale)
    chosen = session.get("locale")
    if chosen in LOCALES:
        return str(chosen)
    best = request.accept_languages.best_match(LOCALES)
    return best or str(current_app.config["BABEL_DEFAULT_LOCALE"])


class UnknownLanguage(Invalid):
    """A language the app does not offer: the switcher never sends one."""

    status = 400


def choose_language(user: Any, locale: str) -> None:
    """Keep ``locale`` as a signed-in user's language (the session keeps it for anyone)."""
    if locale not in LOCALES:
        raise UnknownLanguage(
            _("This language is not available. Choose English, Russian or Kyrgyz.")
        )
    if user.is_authenticated:
        user.preferred_locale = locale


def _wtforms_catalog() -> support.NullTranslations:
    """WTForms' messages: ours first (WTForms ships no Kyrgyz), then its own."""
    locale = str(get_locale())
    cache: dict[str, support.NullTranslations] = g.setdefault("wtforms_catalogs", {})
    if locale not in cache:
        ours = support.Translations.load(str(TRANSLATIONS_DIR), [locale], domain="wtforms")
        if isinstance(ours, support.Translations):
            cache[locale] = ours
        else:
            cache[locale] = support.Translations.load(messages_path(), [locale], domain="wtforms")
    return cache[locale]


class WTFormsTranslations:
    """The object WTForms asks to translate its built-in validation messages."""

    def gettext(self, string: str) -> str:
        return _wtforms_catalog().gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_catalog().ngettext(singular, plural, n)


wtforms_translations = WTFormsTranslations()
