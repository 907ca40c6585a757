"""Language and formats: Vietnamese first, English per user; dates always dd/mm/yyyy.

Vietnamese agencies read dates day-first whatever the interface language, so both locales use
the same date pattern; numbers follow the locale (1.234.567 in Vietnamese).
"""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, has_request_context, session
from flask_babel import format_decimal, get_locale, to_user_timezone
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


def format_moment(value: datetime | None) -> str:
    # strftime, not Babel's pattern engine: lists show dozens of these per page.
    return "" if value is None else to_user_timezone(value).strftime("%d/%m/%Y %H:%M")


def format_number(value) -> str:
    return "" if value is None else format_decimal(value)


def register_i18n(app: Flask) -> None:
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["moment"] = format_moment
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
