"""Language and formats: Vietnamese first, English per user; dates always dd/mm/yyyy.

Vietnamese agencies read dates day-first whatever the interface language, so both locales use
the same date pattern; numbers follow the locale (1.234.567 in Vietnamese).
"""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, has_request_context, session
from flask_babel import format_datetime, format_decimal, get_locale, to_user_timezone
from flask_login import current_user

DATE_PATTERN = "dd/MM/yyyy"
DATETIME_PATTERN = "dd/MM/yyyy HH:mm"


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
    return "" if value is None else format_datetime(value, DATETIME_PATTERN)


def format_number(value) -> str:
    return "" if value is None else format_decimal(value)


def register_i18n(app: Flask) -> None:
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["moment"] = format_moment
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
