"""Reporting periods and their codes, cut in Vietnam's time zone (DESIGN.md §10).

Codes follow DHIS2's: ``2026-07`` (month), ``2026-Q3`` (quarter), ``2026-S1`` (half-year), ``2026``
(year), and ``2026-01-05..2026-02-10`` for a custom range of days (both ends included). A period is
a range of local days; ``utc_bounds`` turns it into the instants a database compares with, so a case
received at 23:30 on 31 March in Hà Nội counts in March. Pure Python: no Flask, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from workflows.victim_path import N_

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_HALF = re.compile(r"^(\d{4})-S([12])$")
_YEAR = re.compile(r"^(\d{4})$")
_CUSTOM = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_CUSTOM_DAYS = 3 * 366


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"
    CUSTOM = "custom"


class PeriodError(ValueError):
    """A period code that names no period we report on; the message is a msgid for the user."""


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: date  # first local day
    end: date  # first local day after the period

    @property
    def code(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == PeriodKind.HALF_YEAR:
            return f"{self.start.year}-S{(self.start.month - 1) // 6 + 1}"
        if self.kind == PeriodKind.YEAR:
            return str(self.start.year)
        return f"{self.start.isoformat()}..{(self.end - timedelta(days=1)).isoformat()}"

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as UTC instants: midnight in Hà Nội at each end."""
        return _local_midnight(self.start), _local_midnight(self.end)

    def previous(self) -> Period:
        """The period of the same kind just before (a custom range: the same number of days before)."""
        if self.kind == PeriodKind.CUSTOM:
            days = self.end - self.start
            return Period(self.kind, self.start - days, self.start)
        return _calendar_period(self.kind, _shift_months(self.start, -_MONTHS[self.kind]))

    def year_earlier(self) -> Period:
        if self.kind == PeriodKind.CUSTOM:
            return Period(self.kind, _shift_years(self.start, -1), _shift_years(self.end, -1))
        return _calendar_period(self.kind, _shift_months(self.start, -12))

    def months(self) -> list[Period]:
        """The calendar months this period touches, for a trend chart."""
        found, month = [], date(self.start.year, self.start.month, 1)
        while month < self.end:
            found.append(_calendar_period(PeriodKind.MONTH, month))
            month = _shift_months(month, 1)
        return found


_MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.HALF_YEAR: 6, PeriodKind.YEAR: 12}


def parse(code: str) -> Period:
    """The period a code names; PeriodError (with a translatable message) for anything else."""
    code = (code or "").strip()
    if match := _MONTH.match(code):
        year, month = _year(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(N_("There is no such month."))
        return _calendar_period(PeriodKind.MONTH, date(year, month, 1))
    if match := _QUARTER.match(code):
        return _calendar_period(
            PeriodKind.QUARTER, date(_year(match.group(1)), 3 * int(match.group(2)) - 2, 1)
        )
    if match := _HALF.match(code):
        return _calendar_period(
            PeriodKind.HALF_YEAR, date(_year(match.group(1)), 6 * int(match.group(2)) - 5, 1)
        )
    if match := _YEAR.match(code):
        return _calendar_period(PeriodKind.YEAR, date(_year(match.group(1)), 1, 1))
    if match := _CUSTOM.match(code):
        try:
            first, last = date.fromisoformat(match.group(1)), date.fromisoformat(match.group(2))
        except ValueError:
            raise PeriodError(N_("Not a valid date (yyyy-mm-dd).")) from None
        _year(str(first.year)), _year(str(last.year))
        if last < first:
            raise PeriodError(N_("The range ends before it starts."))
        if (last - first).days >= MAX_CUSTOM_DAYS:
            raise PeriodError(N_("A custom range may cover at most three years."))
        return Period(PeriodKind.CUSTOM, first, last + timedelta(days=1))
    raise PeriodError(N_("Not a period code: use 2026-07, 2026-Q3, 2026-S1, 2026 or 2026-01-05..2026-02-10."))


def containing(kind: PeriodKind, day: date) -> Period:
    """The calendar period of ``kind`` that holds ``day`` (the presets: this month, this quarter…)."""
    months = _MONTHS[kind]
    first_month = (day.month - 1) // months * months + 1
    return _calendar_period(kind, date(day.year, first_month, 1))


def local_today(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(VIETNAM).date()


def _year(text: str) -> int:
    year = int(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(N_("Choose a year between 2000 and 2100."))
    return year


def _calendar_period(kind: PeriodKind, start: date) -> Period:
    return Period(kind, start, _shift_months(start, _MONTHS[kind]))


def _shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), VIETNAM).astimezone(UTC)
