"""Figures for an indicator, period and jurisdiction: one GROUP BY over the clear coded columns.

Each source (``indicators.Source``) is a SELECT with one row per counted unit, its moment, the agency
whose jurisdiction it falls in, and the coded facts breakdowns read. Counts are ``count(*)`` of those
rows, so every breakdown's rows add up to the total. Nothing personal is decrypted; an erased person
keeps their coded facts and still counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from victimcare.accounts.models import Agency
from victimcare.cases.models import Case, Exploitation, Gender, IntakeChannel, StageEvent, Victim
from victimcare.extensions import db
from victimcare.referrals.models import Referral
from victimcare.reports.indicators import (
    AGE_BANDS,
    CLOSING_TRIGGERS,
    RETURN_ROUTES,
    Breakdown,
    Indicator,
    Source,
)
from victimcare.reports.periods import Period, PeriodKind
from victimcare.support.models import FollowUp, Measure, ProtectionMeasure, SupportService
from workflows.referral import ReferralStatus
from workflows.support import Beneficiary, ServiceStatus, SupportType

UNKNOWN = "unknown"
VIETNAM_HOURS = 7  # Asia/Ho_Chi_Minh: +07:00, no daylight saving since 1975
COUNTED_SERVICE = (ServiceStatus.IN_PROGRESS, ServiceStatus.DELIVERED)

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
}


@dataclass(frozen=True)
class Scope:
    """Whose figures: the agencies a reader's jurisdiction covers, and whether they are the reader's own."""

    agency_ids: tuple
    own_agency: bool  # exact counts; otherwise small cells are protected


def _source(source: Source, indicator: Indicator, today: date):
    """The rows of a source with the columns breakdowns need (``Case`` and ``Victim`` joined in)."""
    if source == Source.RECEIVED:
        moment = sa.func.coalesce(Case.received_at, Case.created_at)
        return (
            sa.select(
                moment.label("moment"), Case.owning_agency_id.label("agency_id"), *_person_facts(moment)
            )
            .select_from(Case)
            .join(Victim, Case.victim_id == Victim.id),
            True,
        )
    if source == Source.STEP:
        moment = StageEvent.created_at
        reason = sa.case(*((StageEvent.trigger == t, r) for t, r in CLOSING_TRIGGERS.items()), else_=UNKNOWN)
        supported = sa.exists().where(
            SupportService.case_id == Case.id,
            SupportService.person_id == Case.victim_id,
            SupportService.status.in_([str(s) for s in COUNTED_SERVICE]),
        )
        return (
            sa.select(
                moment.label("moment"),
                Case.owning_agency_id.label("agency_id"),
                reason.label(Breakdown.CLOSURE_REASON),
                sa.case((supported, "yes"), else_="no").label(Breakdown.SUPPORTED),
                *_person_facts(moment),
            )
            .select_from(StageEvent)
            .join(Case, StageEvent.case_id == Case.id)
            .join(Victim, Case.victim_id == Victim.id)
            .where(StageEvent.trigger.in_(indicator.triggers)),
            True,
        )
    if source == Source.SUPPORT:
        return (
            sa.select(
                SupportService.starts_on.label("moment"),
                sa.func.coalesce(SupportService.provider_agency_id, Case.owning_agency_id).label("agency_id"),
                SupportService.support_type.label(Breakdown.SUPPORT_TYPE),
                SupportService.beneficiary.label(Breakdown.BENEFICIARY),
            )
            .select_from(SupportService)
            .join(Case, SupportService.case_id == Case.id)
            .where(SupportService.status.in_([str(s) for s in COUNTED_SERVICE])),
            False,
        )
    if source == Source.MEASURE:
        return (
            sa.select(
                ProtectionMeasure.starts_on.label("moment"),
                sa.func.coalesce(ProtectionMeasure.deciding_agency_id, Case.owning_agency_id).label(
                    "agency_id"
                ),
                ProtectionMeasure.measure.label(Breakdown.MEASURE),
            )
            .select_from(ProtectionMeasure)
            .join(Case, ProtectionMeasure.case_id == Case.id),
            False,
        )
    if source == Source.REFERRAL:
        receiver = sa.orm.aliased(Agency)
        return (
            sa.select(
                Referral.sent_at.label("moment"),
                Referral.from_agency_id.label("agency_id"),
                receiver.kind.label(Breakdown.RECEIVER_KIND),
                Referral.status.label(Breakdown.REFERRAL_STATUS),
            )
            .select_from(Referral)
            .join(receiver, Referral.to_agency_id == receiver.id),
            True,
        )
    if source == Source.FOLLOW_UP:
        on_time = sa.case(
            (FollowUp.done_on.is_(None) & (FollowUp.due_on < today), "missed"),
            (FollowUp.done_on.is_(None), "not_yet_due"),
            (FollowUp.done_on <= FollowUp.due_on, "on_time"),
            else_="late",
        )
        return (
            sa.select(
                FollowUp.due_on.label("moment"),
                Case.owning_agency_id.label("agency_id"),
                on_time.label(Breakdown.ON_TIME),
            )
            .select_from(FollowUp)
            .join(Case, FollowUp.case_id == Case.id),
            False,
        )
    raise ValueError(source)


def _person_facts(moment) -> list:
    """The breakdowns of DOMAIN.md §6, each exclusive with an unknown of its own."""
    age = sa.extract("year", moment) - Victim.birth_year
    age_band = sa.case(
        (Victim.birth_year.is_(None), UNKNOWN),
        *((age.between(low, high), band) for band, low, high in AGE_BANDS),
        else_=UNKNOWN,
    )
    forms = sa.func.json_array_length(Case.exploitation)
    exploitation = sa.case(
        (sa.func.coalesce(forms, 0) == 0, UNKNOWN),
        (forms == 1, _json_first(Case.exploitation)),
        else_="several",
    )
    return [
        sa.case(
            (Victim.gender.is_(None) | (Victim.gender == Gender.UNKNOWN), UNKNOWN),
            else_=sa.type_coerce(Victim.gender, sa.String),
        ).label(Breakdown.SEX),
        age_band.label(Breakdown.AGE_BAND),
        sa.case(
            (Victim.is_ethnic_minority.is_(True), "minority"),
            (Victim.is_ethnic_minority.is_(False), "kinh"),
            else_=UNKNOWN,
        ).label(Breakdown.ETHNICITY),
        sa.case(
            (Case.trafficked_abroad.is_(True), "abroad"),
            (Case.trafficked_abroad.is_(False), "domestic"),
            else_=UNKNOWN,
        ).label(Breakdown.ABROAD),
        sa.case(
            (Case.trafficked_abroad.is_(False), "domestic"),
            else_=sa.func.coalesce(Case.destination_country, UNKNOWN),
        ).label(Breakdown.DESTINATION),
        exploitation.label(Breakdown.EXPLOITATION),
        sa.case(
            *((Case.intake_channel == channel, route) for channel, route in RETURN_ROUTES.items()),
            else_="other",
        ).label(Breakdown.RETURN_ROUTE),
        sa.func.coalesce(Victim.province_code, UNKNOWN).label(Breakdown.PROVINCE),
        sa.func.coalesce(Case.intake_channel, UNKNOWN).label(Breakdown.CHANNEL),
    ]


def _json_first(column):
    if db.engine.dialect.name == "postgresql":
        return column.op("->>")(0)
    return sa.func.json_extract(column, "$[0]")


def _bounded(indicator: Indicator, scope: Scope, start, end, today: date):
    """The source's rows in [start, end) within the scope, as a subquery.

    The filters name the base columns inside the subquery, so each source's index (agency and
    date) narrows the rows before anything is grouped.
    """
    query, timed = _source(indicator.source, indicator, today)
    low, high = _bounds(start, end, timed)
    agency, moment = query.selected_columns.agency_id, query.selected_columns.moment
    if indicator.source == Source.RECEIVED:  # coalesce(received_at, created_at), as two indexable ranges
        within = sa.or_(
            sa.and_(Case.received_at >= low, Case.received_at < high),
            sa.and_(Case.received_at.is_(None), Case.created_at >= low, Case.created_at < high),
        )
    else:
        within = sa.and_(moment >= low, moment < high)
    rows = query.where(agency.in_(scope.agency_ids), within).subquery()
    return rows, sa.true()


def _bounds(start: date, end: date, timed: bool):
    if not timed:
        return start, end
    return Period(PeriodKind.CUSTOM, start, end).utc_bounds()


def total(indicator: Indicator, scope: Scope, period: Period, today: date) -> int:
    rows, where = _bounded(indicator, scope, period.start, period.end, today)
    return db.session.scalar(sa.select(sa.func.count()).select_from(rows).where(where)) or 0


def totals(indicator: Indicator, scope: Scope, periods: Iterable[Period], today: date) -> list[int]:
    """Several periods' totals in one query (the tile's now, before and a year earlier)."""
    periods = list(periods)
    first, last = min(p.start for p in periods), max(p.end for p in periods)
    rows, where = _bounded(indicator, scope, first, last, today)
    _query, timed = _source(indicator.source, indicator, today)
    counts = []
    for period in periods:
        low, high = _bounds(period.start, period.end, timed)
        counts.append(sa.func.count().filter((rows.c.moment >= low) & (rows.c.moment < high)))
    return list(db.session.execute(sa.select(*counts).select_from(rows).where(where)).one())


def by_month(indicator: Indicator, scope: Scope, period: Period, today: date) -> dict[str, int]:
    """Counts per local calendar month (``2026-07``) within the period."""
    rows, where = _bounded(indicator, scope, period.start, period.end, today)
    _query, timed = _source(indicator.source, indicator, today)
    month = _local_month(rows.c.moment, timed)
    query = sa.select(month, sa.func.count()).select_from(rows).where(where).group_by(month)
    found = dict(db.session.execute(query).all())
    return {m.code: found.get(m.code, 0) for m in period.months()}


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
    indicator: Indicator, by: Breakdown, scope: Scope, period: Period, today: date
) -> dict[str, int]:
    """Counts per value of ``by``: every known value (0 included), the others found, then unknown."""
    return breakdowns(indicator, (by,), scope, period, today)[by]


def breakdowns(
    indicator: Indicator, bys, scope: Scope, period: Period, today: date
) -> dict[Breakdown, dict[str, int]]:
    """Several breakdowns of one indicator from one read of its rows.

    One GROUP BY over every requested column reads the source once; each breakdown is then the sum
    over the others (a report asks about ten breakdowns of each indicator: one scan, not ten).
    """
    bys = tuple(bys)
    rows, where = _bounded(indicator, scope, period.start, period.end, today)
    # Read enum-typed columns as text: "unknown" is a row here, not a stored value.
    columns = [
        rows.c.agency_id if by == Breakdown.AGENCY else sa.type_coerce(rows.c[by.value], sa.String)
        for by in bys
    ]
    query = sa.select(*columns, sa.func.count()).select_from(rows).where(where).group_by(*columns)
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


def _ordered(by: Breakdown, found: dict[str, int]) -> dict[str, int]:
    ordered = {value: found.pop(value, 0) for value in KNOWN_VALUES.get(by, ())}
    unknown = found.pop(UNKNOWN, 0)
    ordered.update(sorted(found.items()))
    ordered[UNKNOWN] = unknown
    return ordered
