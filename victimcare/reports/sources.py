"""The rows each indicator counts, as one SELECT over the clear coded columns.

Every source (``indicators.Source``) is a SELECT with one row per counted unit: the case it belongs
to, its ``moment`` (a UTC instant when ``timed``, else a local day), the agency whose jurisdiction
it falls in, and the coded facts breakdowns read, each labelled with its ``Breakdown`` value.
Snapshot sources add ``until_day`` (the local day the case left the stage; NULL while it is still
there) and ``due_day`` (the local day its time limit passes); time limits add ``timing`` (``on_time``,
``late``, ``withdrawn`` or ``open``: whether an open one is missed depends on the report's day, so
readers decide it); answers add ``value`` (hours to answer).

Two readers use these SELECTs: ``figures`` counts them directly (the reference), and
``statistics`` stores their rows per case in ``report_facts``, which ``figures`` reads when it is
current. Both count the same rows by construction. Nothing personal is decrypted; an erased person
keeps their coded facts and still counts.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app

from victimcare.accounts.models import Agency
from victimcare.cases.models import Case, Gender, StageEvent, Victim
from victimcare.extensions import db
from victimcare.referrals.models import Referral
from victimcare.reports.indicators import (
    AGE_BANDS,
    ANSWER_BANDS,
    CLOSING_TRIGGERS,
    RETURN_ROUTES,
    Breakdown,
    Indicator,
    Source,
)
from victimcare.support.models import (
    FollowUp,
    LodgingExtension,
    ProtectionMeasure,
    RiskAssessment,
    SupportService,
)
from workflows.referral import ReferralStatus
from workflows.support import LODGING_DAYS, ServiceStatus, SupportType
from workflows.victim_path import Stage

UNKNOWN = "unknown"
VIETNAM_HOURS = 7  # Asia/Ho_Chi_Minh: +07:00, no daylight saving since 1975
COUNTED_SERVICE = (ServiceStatus.IN_PROGRESS, ServiceStatus.DELIVERED)
LODGING_COUNTED = (ServiceStatus.IN_PROGRESS, ServiceStatus.DELIVERED, ServiceStatus.STOPPED)
# Columns a source may carry besides its breakdowns.
EXTRA_COLUMNS = ("until_day", "due_day", "timing", "value")
STORED_BREAKDOWNS = tuple(b for b in Breakdown if b not in (Breakdown.AGENCY, Breakdown.ON_TIME))


def stage_limits() -> dict[str, int]:
    """Each stage's time limit in seconds, as the app is configured (``STAGE_TIME_LIMITS``)."""
    from victimcare.cases.path import time_limits

    return {Stage(stage).value: int(limit.total_seconds()) for stage, limit in time_limits().items()}


def lodging_days() -> int:
    """How long essential needs last before an extension is needed (``SUPPORT_LODGING_DAYS``)."""
    return int(current_app.config.get("SUPPORT_LODGING_DAYS", LODGING_DAYS))


def limits() -> dict[str, int]:
    """The settings the stored rows were computed with: stage limits and the lodging days."""
    return {**stage_limits(), "lodging_days": lodging_days()}


def select_for(
    indicator: Indicator, *, agencies: Iterable | None = None, cases: Iterable | None = None
) -> tuple[sa.Select, bool]:
    """The indicator's rows, and whether their moment is a UTC instant (else a local day).

    ``agencies`` and ``cases`` narrow the rows early where a source needs it (the spells' window
    over stage events); callers still filter on the result's ``agency_id``. ``cases`` may be
    ``CASE_IDS``: the rows of the cases in the ``:case_ids`` parameter of a statement compiled once.
    """
    builder = _BUILDERS[indicator.source]
    return builder(indicator, tuple(agencies) if agencies is not None else None, _ids(cases))


CASE_IDS = "case_ids"  # a parameter, expanded when the statement runs


def _ids(cases):
    return cases if cases is None or cases == CASE_IDS else tuple(cases)


def _among(column, cases):
    if cases == CASE_IDS:
        return column.op("IN")(sa.literal_column(f":{CASE_IDS}"))
    return column.in_(cases)


# -- the sources ---------------------------------------------------------------------------------


def _received(indicator, agencies, cases):
    moment = sa.func.coalesce(Case.received_at, Case.created_at)
    query = (
        sa.select(
            Case.id.label("case_id"),
            moment.label("moment"),
            Case.owning_agency_id.label("agency_id"),
            *person_facts(),
        )
        .select_from(Case)
        .join(Victim, Case.victim_id == Victim.id)
    )
    return _narrow(query, Case.id, cases), True


def _step(indicator, agencies, cases):
    reason = sa.case(*((StageEvent.trigger == t, r) for t, r in CLOSING_TRIGGERS.items()), else_=UNKNOWN)
    supported = sa.exists().where(
        SupportService.case_id == Case.id,
        SupportService.person_id == Case.victim_id,
        SupportService.status.in_([str(s) for s in COUNTED_SERVICE]),
    )
    query = (
        sa.select(
            StageEvent.case_id.label("case_id"),
            StageEvent.created_at.label("moment"),
            Case.owning_agency_id.label("agency_id"),
            reason.label(Breakdown.CLOSURE_REASON),
            sa.case((supported, "yes"), else_="no").label(Breakdown.SUPPORTED),
            *person_facts(),
        )
        .select_from(StageEvent)
        .join(Case, StageEvent.case_id == Case.id)
        .join(Victim, Case.victim_id == Victim.id)
        .where(StageEvent.trigger.in_(indicator.triggers))
    )
    return _narrow(query, StageEvent.case_id, cases), True


def _support(indicator, agencies, cases):
    query = (
        sa.select(
            SupportService.case_id.label("case_id"),
            SupportService.starts_on.label("moment"),
            sa.func.coalesce(SupportService.provider_agency_id, Case.owning_agency_id).label("agency_id"),
            SupportService.support_type.label(Breakdown.SUPPORT_TYPE),
            SupportService.beneficiary.label(Breakdown.BENEFICIARY),
            Case.legal_regime.label(Breakdown.LEGAL_REGIME),
        )
        .select_from(SupportService)
        .join(Case, SupportService.case_id == Case.id)
        .where(SupportService.status.in_([str(s) for s in COUNTED_SERVICE]))
    )
    return _narrow(query, SupportService.case_id, cases), False


def _measure(indicator, agencies, cases):
    query = (
        sa.select(
            ProtectionMeasure.case_id.label("case_id"),
            ProtectionMeasure.starts_on.label("moment"),
            sa.func.coalesce(ProtectionMeasure.deciding_agency_id, Case.owning_agency_id).label("agency_id"),
            ProtectionMeasure.measure.label(Breakdown.MEASURE),
        )
        .select_from(ProtectionMeasure)
        .join(Case, ProtectionMeasure.case_id == Case.id)
    )
    return _narrow(query, ProtectionMeasure.case_id, cases), False


def _refusal(indicator, agencies, cases):
    query = (
        sa.select(
            RiskAssessment.case_id.label("case_id"),
            RiskAssessment.assessed_on.label("moment"),
            sa.func.coalesce(RiskAssessment.agency_id, Case.owning_agency_id).label("agency_id"),
            *person_facts(),
        )
        .select_from(RiskAssessment)
        .join(Case, RiskAssessment.case_id == Case.id)
        .join(Victim, Case.victim_id == Victim.id)
        .where(RiskAssessment.person_refused.is_(True))
    )
    return _narrow(query, RiskAssessment.case_id, cases), False


def _referral_parts():
    sender, receiver = sa.orm.aliased(Agency), sa.orm.aliased(Agency)
    route = sa.type_coerce(sender.kind, sa.String) + ">" + sa.type_coerce(receiver.kind, sa.String)
    return sender, receiver, route


def _referral(indicator, agencies, cases):
    sender, receiver, route = _referral_parts()
    query = (
        sa.select(
            Referral.case_id.label("case_id"),
            Referral.sent_at.label("moment"),
            Referral.from_agency_id.label("agency_id"),
            route.label(Breakdown.ROUTE),
            receiver.kind.label(Breakdown.RECEIVER_KIND),
            Referral.kind.label(Breakdown.REFERRAL_KIND),
            Referral.status.label(Breakdown.REFERRAL_STATUS),
        )
        .select_from(Referral)
        .join(sender, Referral.from_agency_id == sender.id)
        .join(receiver, Referral.to_agency_id == receiver.id)
    )
    return _narrow(query, Referral.case_id, cases), True


def _answer(indicator, agencies, cases):
    """Answers given (accepted or declined), placed when given, for the agency that answered."""
    sender, receiver, route = _referral_parts()
    seconds = seconds_between(Referral.sent_at, Referral.answered_at)
    band = sa.case(
        *((seconds <= hours * 3600, code) for code, hours in ANSWER_BANDS if hours is not None),
        else_=ANSWER_BANDS[-1][0],
    )
    query = (
        sa.select(
            Referral.case_id.label("case_id"),
            Referral.answered_at.label("moment"),
            Referral.to_agency_id.label("agency_id"),
            (seconds / 3600.0).label("value"),
            band.label(Breakdown.ANSWER_TIME),
            route.label(Breakdown.ROUTE),
            Referral.status.label(Breakdown.REFERRAL_STATUS),
        )
        .select_from(Referral)
        .join(sender, Referral.from_agency_id == sender.id)
        .join(receiver, Referral.to_agency_id == receiver.id)
        .where(Referral.answered_at.is_not(None))
    )
    return _narrow(query, Referral.case_id, cases), True


def _answer_limit(indicator, agencies, cases):
    """Each referral's answer deadline, placed on its day, for the agency that must answer."""
    sender, receiver, route = _referral_parts()
    due_day = local_day(Referral.answer_due_at)
    timing = sa.case(
        (Referral.answered_at.is_not(None) & (Referral.answered_at <= Referral.answer_due_at), "on_time"),
        (Referral.answered_at.is_not(None), "late"),
        (Referral.status == ReferralStatus.WITHDRAWN, "withdrawn"),
        else_="open",
    )
    query = (
        sa.select(
            Referral.case_id.label("case_id"),
            due_day.label("moment"),
            Referral.to_agency_id.label("agency_id"),
            due_day.label("due_day"),
            timing.label("timing"),
            route.label(Breakdown.ROUTE),
        )
        .select_from(Referral)
        .join(sender, Referral.from_agency_id == sender.id)
        .join(receiver, Referral.to_agency_id == receiver.id)
    )
    return _narrow(query, Referral.case_id, cases), False


def _follow_up(indicator, agencies, cases):
    timing = sa.case(
        (FollowUp.done_on.is_(None), "open"),
        (FollowUp.done_on <= FollowUp.due_on, "on_time"),
        else_="late",
    )
    query = (
        sa.select(
            FollowUp.case_id.label("case_id"),
            FollowUp.due_on.label("moment"),
            Case.owning_agency_id.label("agency_id"),
            FollowUp.due_on.label("due_day"),
            timing.label("timing"),
        )
        .select_from(FollowUp)
        .join(Case, FollowUp.case_id == Case.id)
    )
    return _narrow(query, FollowUp.case_id, cases), False


def _decision_limit(indicator, agencies, cases):
    timing = sa.case(
        (SupportService.decided_on.is_(None), "open"),
        (SupportService.decided_on <= SupportService.decision_due_on, "on_time"),
        else_="late",
    )
    query = (
        sa.select(
            SupportService.case_id.label("case_id"),
            SupportService.decision_due_on.label("moment"),
            sa.func.coalesce(SupportService.provider_agency_id, Case.owning_agency_id).label("agency_id"),
            SupportService.decision_due_on.label("due_day"),
            timing.label("timing"),
            SupportService.support_type.label(Breakdown.SUPPORT_TYPE),
        )
        .select_from(SupportService)
        .join(Case, SupportService.case_id == Case.id)
        .where(SupportService.decision_due_on.is_not(None))
    )
    return _narrow(query, SupportService.case_id, cases), False


def _lodging_limit(indicator, agencies, cases):
    """Essential needs end within 120 days of their start, or by the date an extension decided."""
    extended = (
        sa.select(sa.func.max(LodgingExtension.new_end_on))
        .where(LodgingExtension.service_id == SupportService.id)
        .scalar_subquery()
    )
    limit = sa.type_coerce(
        sa.func.coalesce(extended, plus_days(SupportService.starts_on, lodging_days() - 1)), sa.Date
    )
    timing = sa.case(
        (SupportService.ends_on.is_(None), "open"),
        (SupportService.ends_on <= limit, "on_time"),
        else_="late",
    )
    query = (
        sa.select(
            SupportService.case_id.label("case_id"),
            limit.label("moment"),
            sa.func.coalesce(SupportService.provider_agency_id, Case.owning_agency_id).label("agency_id"),
            limit.label("due_day"),
            timing.label("timing"),
        )
        .select_from(SupportService)
        .join(Case, SupportService.case_id == Case.id)
        .where(
            SupportService.support_type == SupportType.ESSENTIAL_NEEDS,
            SupportService.status.in_([str(s) for s in LODGING_COUNTED]),
            SupportService.starts_on.is_not(None),
        )
    )
    return _narrow(query, SupportService.case_id, cases), False


def spells(agencies=None, cases=None):
    """A case's time in each stage: intake from the case's creation, then one spell per step.

    ``until`` is the next step's moment (NULL while the case is still in the stage), so the stage a
    case was in at an instant T is the spell with start < T <= until. It is read from the stage
    events, never from the case's current stage, so past periods keep their figures.
    """
    events = sa.select(
        StageEvent.case_id.label("case_id"),
        StageEvent.created_at.label("start"),
        sa.type_coerce(StageEvent.to_stage, sa.String).label("stage"),
        sa.literal(1).label("seq"),
    ).select_from(StageEvent)
    opened = sa.select(
        Case.id.label("case_id"),
        Case.created_at.label("start"),
        sa.literal(Stage.INTAKE.value, sa.String).label("stage"),
        sa.literal(0).label("seq"),
    ).select_from(Case)
    if agencies is not None:
        events = events.join(Case, StageEvent.case_id == Case.id).where(Case.owning_agency_id.in_(agencies))
        opened = opened.where(Case.owning_agency_id.in_(agencies))
    if cases is not None:
        events = events.where(_among(StageEvent.case_id, cases))
        opened = opened.where(_among(Case.id, cases))
    steps = sa.union_all(opened, events).subquery("steps")
    until = sa.func.lead(steps.c.start).over(
        partition_by=steps.c.case_id, order_by=(steps.c.start, steps.c.seq)
    )
    return sa.select(steps.c.case_id, steps.c.start, steps.c.stage, until.label("until")).subquery("spells")


def _limit_seconds(stage_column):
    limits = stage_limits()
    return sa.case(*((stage_column == stage, seconds) for stage, seconds in limits.items()), else_=None)


def _spell(indicator, agencies, cases):
    """Open spells (not closed): the stage each open case was in at a period's end."""
    spell = spells(agencies, cases)
    due_day = day_after_seconds(spell.c.start, _limit_seconds(spell.c.stage))
    query = (
        sa.select(
            spell.c.case_id.label("case_id"),
            local_day(spell.c.start).label("moment"),
            Case.owning_agency_id.label("agency_id"),
            local_day(spell.c.until).label("until_day"),
            due_day.label("due_day"),
            spell.c.stage.label(Breakdown.STAGE),
            *person_facts(),
        )
        .select_from(spell)
        .join(Case, spell.c.case_id == Case.id)
        .join(Victim, Case.victim_id == Victim.id)
        .where(spell.c.stage != Stage.CLOSED.value)
    )
    return query, False


def _overdue(indicator, agencies, cases):
    """Spells whose limit passed before the case left the stage; suspended cases' clocks stand still."""
    spell = spells(agencies, cases)
    seconds = _limit_seconds(spell.c.stage)
    due_day = day_after_seconds(spell.c.start, seconds)
    until_day = local_day(spell.c.until)
    query = (
        sa.select(
            spell.c.case_id.label("case_id"),
            local_day(spell.c.start).label("moment"),
            Case.owning_agency_id.label("agency_id"),
            until_day.label("until_day"),
            due_day.label("due_day"),
            spell.c.stage.label(Breakdown.STAGE),
        )
        .select_from(spell)
        .join(Case, spell.c.case_id == Case.id)
        .where(
            spell.c.stage.not_in([Stage.CLOSED.value, Stage.SUSPENDED.value]),
            seconds.is_not(None),
            spell.c.until.is_(None) | (due_day < until_day),
        )
    )
    return query, False


def _verification_limit(indicator, agencies, cases):
    """Each time a case entered verification: left within the limit, late, or still there."""
    spell = spells(agencies, cases)
    limit = stage_limits().get(Stage.VERIFICATION.value, 3 * 86400)
    due_day = day_after_seconds(spell.c.start, limit)
    timing = sa.case(
        (spell.c.until.is_(None), "open"),
        (seconds_between(spell.c.start, spell.c.until) <= limit, "on_time"),
        else_="late",
    )
    query = (
        sa.select(
            spell.c.case_id.label("case_id"),
            due_day.label("moment"),
            Case.owning_agency_id.label("agency_id"),
            due_day.label("due_day"),
            timing.label("timing"),
        )
        .select_from(spell)
        .join(Case, spell.c.case_id == Case.id)
        .where(spell.c.stage == Stage.VERIFICATION.value)
    )
    return query, False


_BUILDERS = {
    Source.RECEIVED: _received,
    Source.STEP: _step,
    Source.SUPPORT: _support,
    Source.MEASURE: _measure,
    Source.REFUSAL: _refusal,
    Source.REFERRAL: _referral,
    Source.ANSWER: _answer,
    Source.ANSWER_LIMIT: _answer_limit,
    Source.FOLLOW_UP: _follow_up,
    Source.DECISION_LIMIT: _decision_limit,
    Source.LODGING_LIMIT: _lodging_limit,
    Source.SPELL: _spell,
    Source.OVERDUE: _overdue,
    Source.VERIFICATION_LIMIT: _verification_limit,
}


def _narrow(query: sa.Select, case_column, cases):
    return query if cases is None else query.where(_among(case_column, cases))


# -- the facts of a person and a case -----------------------------------------------------------


def person_facts() -> list:
    """The breakdowns of DOMAIN.md §6, each exclusive with an unknown of its own (Case and Victim joined).

    The age band is the age at intake: the year the case was received less the birth year.
    """
    intake = sa.func.coalesce(Case.received_at, Case.created_at)
    age = sa.extract("year", intake) - Victim.birth_year
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
        Case.legal_regime.label(Breakdown.LEGAL_REGIME),
    ]


# -- dates and times, per database ---------------------------------------------------------------


def _postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def _json_first(column):
    if _postgres():
        return column.op("->>")(0)
    return sa.func.json_extract(column, "$[0]")


def local_day(instant):
    """The day in Hà Nội of a stored UTC instant (NULL stays NULL)."""
    if _postgres():
        return sa.cast(instant + sa.text(f"interval '{VIETNAM_HOURS} hours'"), sa.Date)
    return sa.type_coerce(sa.func.date(instant, f"+{VIETNAM_HOURS} hours"), sa.Date)


def day_after_seconds(instant, seconds):
    """The day in Hà Nội of ``instant`` plus ``seconds`` (an integer or an integer expression)."""
    if _postgres():
        return sa.cast(
            instant
            + sa.literal_column("interval '1 second'") * seconds
            + sa.text(f"interval '{VIETNAM_HOURS} hours'"),
            sa.Date,
        )
    if isinstance(seconds, int):
        shift = f"+{seconds} seconds"
    else:
        shift = sa.literal("+") + sa.cast(seconds, sa.String) + sa.literal(" seconds")
    return sa.type_coerce(sa.func.date(instant, shift, f"+{VIETNAM_HOURS} hours"), sa.Date)


def seconds_between(start, end):
    """Whole seconds from ``start`` to ``end`` (two stored UTC instants)."""
    if _postgres():
        return sa.func.floor(sa.extract("epoch", end - start))
    return sa.cast(sa.func.strftime("%s", end), sa.Integer) - sa.cast(
        sa.func.strftime("%s", start), sa.Integer
    )


def plus_days(day, days: int):
    if _postgres():
        return day + days
    return sa.func.date(day, f"+{days} days")
