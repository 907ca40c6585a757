"""Period codes, their neighbours, and their edges in Vietnam's time."""

from datetime import UTC, date, datetime

import pytest

from victimcare.reports import periods
from victimcare.reports.periods import PeriodError, PeriodKind


@pytest.mark.parametrize(
    "code, start, end",
    [
        ("2026-07", date(2026, 7, 1), date(2026, 8, 1)),
        ("2026-12", date(2026, 12, 1), date(2027, 1, 1)),
        ("2026-Q3", date(2026, 7, 1), date(2026, 10, 1)),
        ("2026-S1", date(2026, 1, 1), date(2026, 7, 1)),
        ("2026", date(2026, 1, 1), date(2027, 1, 1)),
        ("2026-01-05..2026-02-10", date(2026, 1, 5), date(2026, 2, 11)),
    ],
)
def test_each_code_names_its_days_and_reads_back_the_same(code, start, end):
    period = periods.parse(code)
    assert (period.start, period.end, period.code) == (start, end, code)


@pytest.mark.parametrize(
    "code, previous, year_earlier",
    [
        ("2026-01", "2025-12", "2025-01"),
        ("2026-Q1", "2025-Q4", "2025-Q1"),
        ("2026-S2", "2026-S1", "2025-S2"),
        ("2026", "2025", "2025"),
        ("2026-03-01..2026-03-10", "2026-02-19..2026-02-28", "2025-03-01..2025-03-10"),
    ],
)
def test_each_figure_has_the_period_before_and_a_year_earlier(code, previous, year_earlier):
    period = periods.parse(code)
    assert (period.previous().code, period.year_earlier().code) == (previous, year_earlier)


def test_periods_are_cut_at_midnight_in_hanoi():
    start, end = periods.parse("2026-03").utc_bounds()
    assert start == datetime(2026, 2, 28, 17, 0, tzinfo=UTC)  # 00:00 on 1 March in Hà Nội
    assert end == datetime(2026, 3, 31, 17, 0, tzinfo=UTC)
    late_on_31_march = datetime(2026, 3, 31, 16, 30, tzinfo=UTC)  # 23:30 local
    assert start <= late_on_31_march < end


@pytest.mark.parametrize(
    "code",
    [
        "2026-13",
        "2026-Q5",
        "2026-S3",
        "1899",
        "26",
        "2026-02-30..2026-03-01",
        "2026-03-10..2026-03-01",
        "2020-01-01..2026-01-01",
        "",
        "2026-7",
        "drop table",
    ],
)
def test_anything_else_is_refused_with_a_reason(code):
    with pytest.raises(PeriodError) as refused:
        periods.parse(code)
    assert str(refused.value)


def test_presets_hold_the_day_they_are_built_from():
    day = date(2026, 8, 17)
    assert [periods.containing(kind, day).code for kind in PeriodKind if kind != PeriodKind.CUSTOM] == [
        "2026-08",
        "2026-Q3",
        "2026-S2",
        "2026",
    ]
    assert [m.code for m in periods.parse("2026-Q3").months()] == ["2026-07", "2026-08", "2026-09"]
