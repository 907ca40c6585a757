"""Figures for an indicator, period and jurisdiction: one GROUP BY over coded columns.

The rows an indicator counts are its source's (``sources``): read from the statistics table
(``statistics``) when it is current, else counted directly from the base tables. ``via`` chooses
(``"auto"``, ``"facts"`` or ``"direct"``); both give the same numbers, which the tests check. Counts
are ``count(*)`` of those rows, so every breakdown's rows add up to the total. A flow (received,
steps, services…) counts the rows placed in the period; a snapshot (open or overdue cases) counts
the spells a case was in at the period's end. Nothing personal is decrypted; an erased person keeps
their coded facts and still counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from victimcare.accounts.models import Agency
from victimcare.cases.models import Case, Exploitation, Gender, IntakeChannel
from victimcare.extensions import db
from victimcare.reports import sources, statistics
from victimcare.reports.indicators import (
    AGE_BANDS,
    ANSWER_BANDS,
    CLOSING_TRIGGERS,
    RETURN_ROUTES,
    Breakdown,
    Indicator,
    Source,
)
from victimcare.reports.models import ReportFact
from victimcare.reports.periods import Period, PeriodKind
from victimcare.reports.sources import UNKNOWN, VIETNAM_HOURS
from victimcare.support.models import Measure
from workflows.referral import ReferralKind, ReferralStatus
from workflows.support import Beneficiary, SupportType
from workflows.victim_path import OPEN_STAGES, Stage

# The rows every breakdown of a closed list shows, zero or not, in this order; unknown comes last.
KNOWN_VALUES: dict[Breakdown, tuple[str, ...]] = {
    Breakdown.SEX: tuple(g.value for g in Gender if g != Gender.UNKNOWN),
    Breakdown.AGE_BAND: tuple(band for band, _low, _high in AGE_BANDS),
    Breakdown.ETHNICITY: ("kinh", "minority"),
    Breakdown.ABROAD: ("abroad", "domestic"),
    Breakdown.EXPLOITATION: (*(e.value for e in Exploitation), "several"),
    Breakdown.RETURN_ROUTE: (*RETURN_ROUTES.values(), "other"),
    Breakdown.CHANNEL: tuple(c.value for c in IntakeChannel),
    Breakdown.CLOSURE_REASON: tuple(CLOSING_TRIGGERS.values()),
    Breakdown.SUPPORT_TYPE: tuple(t.value for t in SupportType),
    Breakdown.BENEFICIARY: tuple(b.value for b in Beneficiary),
    Breakdown.MEASURE: tuple(m.value for m in Measure),
    Breakdown.REFERRAL_STATUS: tuple(s.value for s in ReferralStatus),
    Breakdown.ON_TIME: ("on_time", "late", "missed", "not_yet_due"),
    Breakdown.SUPPORTED: ("yes", "no"),
    Breakdown.STAGE: (*(s.value for s in OPEN_STAGES), Stage.SUSPENDED.value),
    Breakdown.REFERRAL_KIND: tuple(k.value for k in ReferralKind),
    Breakdown.ANSWER_TIME: tuple(code for code, _hours in ANSWER_BANDS),
    Breakdown.LEGAL_REGIME: ("2011", "2024"),
}
# Breakdowns whose every unit has a known value: no unknown row is printed for them.
NEVER_UNKNOWN = frozenset(
    {
        Breakdown.RETURN_ROUTE,
        Breakdown.ON_TIME,
        Breakdown.CLOSURE_REASON,
        Breakdown.STAGE,
        Breakdown.REFERRAL_KIND,
        Breakdown.ANSWER_TIME,
        Breakdown.LEGAL_REGIME,
    }
)


@dataclass(frozen=True)
class Scope:
    """Whose figures: the agencies a reader's jurisdiction covers, and whether they are the reader's own."""

    agency_ids: tuple
    own_agency: bool  # exact counts; otherwise small cells are protected


def via_facts(via: str = "auto") -> bool:
    if via == "auto":
        return statistics.ready()
    return via == "facts"


# -- the rows of an indicator in a scope --------------------------------------------------------


def _rows(indicator: Indicator, scope: Scope, periods: list[Period], via: str):
    """The indicator's rows in the scope that can count in any of ``periods``, as a subquery.

    Returns the subquery and whether its ``moment`` is a UTC instant. The filters name indexed
    columns (the statistics table's indicator, agency and day; the base tables' agency and date).
    """
    first, last = min(p.start for p in periods), max(p.end for p in periods)
    if via_facts(via):
        query = _facts_query(indicator).where(
            ReportFact.indicator == indicator.code, ReportFact.agency_id.in_(scope.agency_ids)
        )
        moment, until, timed = ReportFact.day, ReportFact.until_day, False
    else:
        query, timed = sources.select_for(indicator, agencies=scope.agency_ids)
        columns = query.selected_columns
        query = query.where(columns.agency_id.in_(scope.agency_ids))
        moment, until = columns.moment, columns.get("until_day")
    if (
        indicator.snapshot
    ):  # a spell open at some period's end: begun before the last, not ended before the first
        ends = sorted(p.end for p in periods)
        if via_facts(via):  # the table writes a far day for "still open": one range of its spells index
            query = query.where(moment < ends[-1], until >= ends[0]).with_hint(
                ReportFact, "INDEXED BY ix_report_facts_spells", "sqlite"
            )  # SQLite's statistics cannot tell that this range is narrower than the days before the end
        else:
            query = query.where(moment < ends[-1], until.is_(None) | (until >= ends[0]))
    elif indicator.source == Source.RECEIVED and not via_facts(via):
        low, high = _bounds(first, last, timed)  # coalesce(received_at, created_at), as two indexable ranges
        query = query.where(
            sa.or_(
                sa.and_(Case.received_at >= low, Case.received_at < high),
                sa.and_(Case.received_at.is_(None), Case.created_at >= low, Case.created_at < high),
            )
        )
    else:
        low, high = _bounds(first, last, timed)
        query = query.where(moment >= low, moment < high)
    return query.subquery("counted"), timed


def _facts_query(indicator: Indicator) -> sa.Select:
    """The statistics table's columns under the names a source gives them."""
    columns = [ReportFact.day.label("moment"), ReportFact.agency_id]
    columns += [getattr(ReportFact, name) for name in sources.EXTRA_COLUMNS]
    columns += [getattr(ReportFact, b.value) for b in sources.STORED_BREAKDOWNS]
    return sa.select(*columns)


def _bounds(start: date, end: date, timed: bool):
    if not timed:
        return start, end
    return Period(PeriodKind.CUSTOM, start, end).utc_bounds()


def _in(rows, indicator: Indicator, period: Period, timed: bool):
    """Whether a row counts in ``period``: placed in it, or (a snapshot) open at its end."""
    if indicator.snapshot:
        end = period.end
        alive = (rows.c.moment < end) & (rows.c.until_day.is_(None) | (rows.c.until_day >= end))
        if indicator.source == Source.OVERDUE:
            alive = alive & (rows.c.due_day < end)
        return alive
    low, high = _bounds(period.start, period.end, timed)
    return (rows.c.moment >= low) & (rows.c.moment < high)


def _column(rows, by: Breakdown, today: date):
    """A breakdown's value per row; enum-typed columns read as text ("unknown" is a row, not a value)."""
    if by == Breakdown.AGENCY:
        return rows.c.agency_id
    if by == Breakdown.ON_TIME:  # an open limit is missed once its day has passed (as of the report's day)
        return sa.case(
            ((rows.c.timing == "open") & (rows.c.due_day < today), "missed"),
            (rows.c.timing == "open", "not_yet_due"),
            else_=rows.c.timing,
        )
    return sa.type_coerce(rows.c[by.value], sa.String)


# -- counts ------------------------------------------------------------------------------------


def total(indicator: Indicator, scope: Scope, period: Period, today: date, via: str = "auto") -> int:
    return totals(indicator, scope, [period], today, via)[0]


def totals(
    indicator: Indicator, scope: Scope, periods: Iterable[Period], today: date, via: str = "auto"
) -> list[int]:
    """Several periods' totals in one query (the tile's now, before and a year earlier)."""
    periods = list(periods)
    rows, timed = _rows(indicator, scope, periods, via)
    counts = [sa.func.count().filter(_in(rows, indicator, p, timed)) for p in periods]
    return list(db.session.execute(sa.select(*counts).select_from(rows)).one())


def by_month(
    indicator: Indicator, scope: Scope, period: Period, today: date, via: str = "auto"
) -> dict[str, int]:
    """Counts per local calendar month (``2026-07``) within the period; a snapshot: at each month's end."""
    months = period.months()
    if indicator.snapshot:
        return dict(zip((m.code for m in months), totals(indicator, scope, months, today, via), strict=True))
    rows, timed = _rows(indicator, scope, [period], via)
    month = _local_month(rows.c.moment, timed)
    query = sa.select(month, sa.func.count()).select_from(rows).group_by(month)
    found = dict(db.session.execute(query).all())
    return {m.code: found.get(m.code, 0) for m in months}


def _local_month(moment, timed: bool):
    """``YYYY-MM`` of a stored UTC instant in Hà Nội's time (+07:00 all year), or of a local date."""
    if db.engine.dialect.name == "postgresql":
        shifted = moment + sa.text(f"interval '{VIETNAM_HOURS} hours'") if timed else moment
        return sa.func.to_char(shifted, "YYYY-MM")
    return (
        sa.func.strftime("%Y-%m", moment, f"+{VIETNAM_HOURS} hours")
        if timed
        else sa.func.strftime("%Y-%m", moment)
    )


def breakdown(
    indicator: Indicator, by: Breakdown, scope: Scope, period: Period, today: date, via: str = "auto"
) -> dict[str, int]:
    """Counts per value of ``by``: every known value (0 included), the others found, then unknown."""
    return breakdowns(indicator, (by,), scope, period, today, via)[by]


def breakdowns(
    indicator: Indicator, bys, scope: Scope, period: Period, today: date, via: str = "auto"
) -> dict[Breakdown, dict[str, int]]:
    """Several breakdowns of one indicator from one read of its rows.

    One GROUP BY over every requested column reads the rows once; each breakdown is then the sum
    over the others (a report asks about ten breakdowns of each indicator: one scan, not ten).
    """
    bys = tuple(bys)
    rows, timed = _rows(indicator, scope, [period], via)
    columns = [_column(rows, by, today) for by in bys]
    query = (
        sa.select(*columns, sa.func.count())
        .select_from(rows)
        .where(_in(rows, indicator, period, timed))
        .group_by(*columns)
    )
    found: dict[Breakdown, dict[str, int]] = {by: {} for by in bys}
    agencies = None
    for *keys, count in db.session.execute(query):
        for by, key in zip(bys, keys, strict=True):
            if by == Breakdown.AGENCY and key is not None:
                if agencies is None:
                    agencies = {a.id: a.code for a in db.session.scalars(sa.select(Agency))}
                key = agencies.get(key)
            key = UNKNOWN if key is None else str(key)
            found[by][key] = found[by].get(key, 0) + count
    return {by: _ordered(by, found[by]) for by in bys}


def median(
    indicator: Indicator, scope: Scope, period: Period, today: date, via: str = "auto"
) -> float | None:
    """The median of the rows' values (hours to answer) in the period; None when there are none."""
    if indicator.median is None:
        return None
    rows, timed = _rows(indicator, scope, [period], via)
    query = sa.select(rows.c.value).where(_in(rows, indicator, period, timed), rows.c.value.is_not(None))
    values = sorted(db.session.scalars(query))
    if not values:
        return None
    middle = len(values) // 2
    found = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
    return round(found, 1)


def explain(indicator: Indicator, scope: Scope, period: Period, today: date, via: str = "auto") -> list[str]:
    """The database's plan for an indicator's breakdowns (printed by the benchmark)."""
    rows, timed = _rows(indicator, scope, [period], via)
    columns = [_column(rows, by, today) for by in indicator.breakdowns]
    query = (
        sa.select(*columns, sa.func.count())
        .select_from(rows)
        .where(_in(rows, indicator, period, timed))
        .group_by(*columns)
    )
    compiled = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    return [" ".join(str(p) for p in line) for line in db.session.execute(sa.text(prefix + compiled))]


def _ordered(by: Breakdown, found: dict[str, int]) -> dict[str, int]:
    ordered = {value: found.pop(value, 0) for value in KNOWN_VALUES.get(by, ())}
    unknown = found.pop(UNKNOWN, 0)
    ordered.update(sorted(found.items()))
    if unknown or by not in NEVER_UNKNOWN:
        ordered[UNKNOWN] = unknown
    return ordered
