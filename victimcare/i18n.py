"""Language and formats: Vietnamese first, English per user; dates always dd/mm/yyyy.

Vietnamese agencies read dates day-first whatever the interface language, so both locales use
the same date pattern; numbers follow the locale (1.234.567 in Vietnamese).

Times are stored in UTC and shown in Vietnam's time (``BABEL_DEFAULT_TIMEZONE``). Every date or
time that reaches a page, a flash message or a form goes through ``format_day``,
``format_moment`` or ``format_month`` (the ``|day``, ``|moment`` and ``|month`` filters), never
``strftime`` of its own: a sent referral's deadline once showed in UTC, seven hours off the
outbox's.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, has_request_context, session
from flask_babel import format_decimal, get_locale, get_translations, to_user_timezone
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    return chosen if chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def format_day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    return value.strftime("%d/%m/%Y")


def format_moment(value: datetime | None, tz=None) -> str:
    """``tz``: the user's time zone, when the caller formats many (``get_timezone()`` once)."""
    # strftime, not Babel's pattern engine: lists show dozens of these per page.
    if value is None:
        return ""
    local = to_user_timezone(value) if tz is None else value.astimezone(_zoneinfo(tz))
    return local.strftime("%d/%m/%Y %H:%M")


@cache
def _zoneinfo(tz: tzinfo) -> tzinfo:
    """The standard library's zone for Babel's pytz one: the same offsets, and a list's fifty
    conversions cost a third (pytz converts twice and normalises)."""
    name = getattr(tz, "zone", None)
    return ZoneInfo(name) if name else tz


def format_month(value: date | datetime | None) -> str:
    """mm/yyyy, the month a date (or a time, in Vietnam) falls in."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    return value.strftime("%m/%Y")


def _translations():
    """The request's catalogue, looked up once: Flask-Babel's own lookup walks three context
    proxies on every call, and a page translates dozens of strings."""
    translations = g.get("_victimcare_translations")
    if translations is None:
        translations = g._victimcare_translations = get_translations()
    return translations


def format_number(value) -> str:
    return "" if value is None else format_decimal(value)


def register_i18n(app: Flask) -> None:
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["moment"] = format_moment
    app.jinja_env.filters["month"] = format_month
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
