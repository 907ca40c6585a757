"""The app's Vietnamese calendar: the holiday file named by ``PUBLIC_HOLIDAYS_FILE``, read once."""

from __future__ import annotations

import csv
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app

from workflows import working_days

DEFAULT_HOLIDAYS_FILE = Path(__file__).parent / "data" / "public_holidays_vn.csv"


@cache
def _read_holidays(path: str) -> frozenset[date]:
    with open(path, encoding="utf-8", newline="") as handle:
        return frozenset(date.fromisoformat(row["date"]) for row in csv.DictReader(handle))


def holidays() -> frozenset[date]:
    return _read_holidays(str(current_app.config.get("PUBLIC_HOLIDAYS_FILE") or DEFAULT_HOLIDAYS_FILE))


def local_day(moment: datetime) -> date:
    """The Vietnamese calendar day of an aware moment (a consent given at 23:30 UTC is the next day)."""
    return moment.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def today() -> date:
    """Today in Vietnam (the day deadlines are counted in); tests freeze it by replacing this."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def deadline_after(start: datetime, days: int) -> datetime:
    """End of the ``days``-th Vietnamese working day after ``start`` (UTC)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return working_days.working_days_deadline(start, days, holidays(), zone)
