"""Vietnamese working days: Monday to Friday, less the public holidays the government announces.

Deadlines "within N working days" (referral answers, support decisions) count from the day after
the start and end when the office closes on the N-th working day. Pure Python; the holiday list
is data (``victimcare/data/public_holidays_vn.csv``), passed in.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta, tzinfo


def is_working_day(day: date, holidays: Collection[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: Collection[date]) -> date:
    """The ``days``-th working day after ``start``."""
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            counted += 1
    return day


def working_days_deadline(start: datetime, days: int, holidays: Collection[date], zone: tzinfo) -> datetime:
    """End of the ``days``-th working day after ``start``, local time in ``zone``; aware, in UTC."""
    local_day = start.astimezone(zone).date()
    last_day = add_working_days(local_day, days, holidays)
    return datetime.combine(last_day, time(23, 59, 59), tzinfo=zone).astimezone(UTC)
