"""Recording support, protection, reintegration and medical care; reading them back for a case.

Each write checks ``access.for_case(...).may_record``, writes the record and its audit event in the
caller's transaction, and flushes; the view commits. Versioned records refuse a stale save
(``StaleRecord``) so a second editor never overwrites the first unseen.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from victimcare import access, working_days
from victimcare.access import Work
from victimcare.accounts.models import User
from victimcare.audit import operations as audit
from victimcare.cases.models import Case, Victim
from victimcare.extensions import db
from victimcare.i18n import format_day
from victimcare.support.models import (
    FollowUp,
    LodgingExtension,
    ProtectionMeasure,
    ReintegrationPlan,
    RiskAssessment,
    RiskLevel,
    SupportService,
)
from vocabulary import AuditAction, FieldGroup, ObjectType
from workflows import support as rules
from workflows.support import Beneficiary, ChecklistItem, Due, ServiceStatus, SupportType

MEDICAL_TYPES = (SupportType.MEDICAL, SupportType.PSYCHOLOGICAL)


class StaleRecord(Exception):
    """Someone saved this record after the user opened it."""


def _check(actor: User, case: Case, work: Work) -> None:
    if not access.for_case(actor, case).may_record(work):
        raise PermissionError(f"may not record {work} on this case")


def _check_version(record, expected_version) -> None:
    if expected_version is not None and int(expected_version) != record.version:
        raise StaleRecord(str(record.id))


# -- who the support is for ----------------------------------------------------------------------


def people_of(case: Case) -> list[tuple[Victim, str | None]]:
    """The case's victim first, then the people around the case, each with their role (None: the victim)."""
    return [(case.victim, None), *((p.person, p.role) for p in case.people)]


def identified(case: Case) -> bool:
    """Confirmed as a victim by a confirmation document, or under the 2011 regime (identified before)."""
    return bool((case.facts or {}).get("confirmation_document")) or case.legal_regime == "2011"


def status_of(case: Case, person: Victim, role: str | None) -> Beneficiary:
    return rules.beneficiary_status(
        role=role,
        identified=identified(case),
        nationality=person.nationality,
        abroad=bool(case.person_abroad),
    )


def find_person(case: Case, person_id) -> tuple[Victim, str | None] | None:
    for person, role in people_of(case):
        if str(person.id) == str(person_id):
            return person, role
    return None


# -- support services ------------------------------------------------------------------------------

SERVICE_FIELDS = (
    "status",
    "provider_agency_id",
    "starts_on",
    "ends_on",
    "amount_vnd",
    "applied_on",
    "decided_on",
    "decision_reference",
    "notes",
)


def work_of(support_type) -> Work:
    """Medical and psychological care belong to the medical group, whoever records them; the rest is support.

    The record's type decides, never the form or page it came through, so a reader without the
    medical group can neither list such a row nor reach it through the support form.
    """
    return Work.MEDICAL if SupportType(support_type) in MEDICAL_TYPES else Work.SUPPORT


def record_service(case: Case, actor: User, person_id, data: dict) -> SupportService:
    """A new support service for one person of the case; only types their status makes them eligible for."""
    work = work_of(data["support_type"])
    _check(actor, case, work)
    found = find_person(case, person_id)
    if found is None:
        raise ValueError("not a person of this case")
    person, role = found
    status = status_of(case, person, role)
    if SupportType(data["support_type"]) not in rules.eligible_types(status, case.legal_regime):
        raise ValueError("not eligible")
    service = SupportService(
        case=case,
        person_id=person.id,
        beneficiary=status,
        support_type=data["support_type"],
        recorded_by_id=actor.id,
    )
    _apply(service, data)
    db.session.add(service)
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        object_type=ObjectType.SUPPORT_SERVICE,
        object_id=service.id,
        case=case,
        fields=[_group(work)],
        detail={"type": str(service.support_type), "status": str(service.status)},
    )
    return service


def update_service(service: SupportService, actor: User, data: dict, expected_version) -> None:
    work = work_of(service.support_type)
    _check(actor, service.case, work)
    _check_version(service, expected_version)
    _apply(service, data)
    db.session.flush()
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        object_type=ObjectType.SUPPORT_SERVICE,
        object_id=service.id,
        case=service.case,
        fields=[_group(work)],
        detail={"type": str(service.support_type), "status": str(service.status)},
    )


def _group(work: Work) -> FieldGroup:
    return FieldGroup.MEDICAL if work == Work.MEDICAL else FieldGroup.SUPPORT


def _apply(service: SupportService, data: dict) -> None:
    for name in (*SERVICE_FIELDS, "medical_notes"):
        if name in data:
            value = data[name]
            setattr(service, name, None if value == "" else value)
    if service.support_type not in rules.MONEY_TYPES:
        service.amount_vnd = None
    service.decision_due_on = decision_due_on(service)


def decision_due_on(service: SupportService) -> date | None:
    if service.support_type not in rules.DECISION_TYPES or service.applied_on is None:
        return None
    days = current_app.config["SUPPORT_DECISION_WORKING_DAYS"]
    return rules.decision_due(service.applied_on, working_days.holidays(), days)


def extend_lodging(service: SupportService, actor: User, data: dict) -> LodgingExtension:
    """A decision extending essential-needs support to a new end date."""
    _check(actor, service.case, Work.SUPPORT)
    if service.support_type != SupportType.ESSENTIAL_NEEDS:
        raise ValueError("only essential needs are extended")
    extension = LodgingExtension(
        service=service,
        decided_on=data["decided_on"],
        new_end_on=data["new_end_on"],
        decision_reference=data.get("decision_reference") or None,
        recorded_by_id=actor.id,
    )
    db.session.add(extension)
    db.session.flush()
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        object_type=ObjectType.LODGING_EXTENSION,
        object_id=extension.id,
        case=service.case,
        fields=[FieldGroup.SUPPORT],
        detail={"new_end_on": extension.new_end_on.isoformat()},
    )
    return extension


def lodging_limit(service: SupportService) -> date | None:
    if service.support_type != SupportType.ESSENTIAL_NEEDS or service.starts_on is None:
        return None
    return rules.lodging_limit(
        service.starts_on, service.extended_until, current_app.config["SUPPORT_LODGING_DAYS"]
    )


@dataclass(frozen=True)
class Deadline:
    """A support limit as the case page shows it."""

    kind: str  # "lodging" or "decision"
    limit: date
    due: Due


def deadlines_of(service: SupportService, today: date) -> list[Deadline]:
    found = []
    limit = lodging_limit(service)
    if limit is not None:
        ended = service.status not in rules.OPEN_STATUSES or (
            service.ends_on is not None and service.ends_on <= limit
        )
        found.append(Deadline("lodging", limit, rules.standing(limit, today=today, done=ended)))
    if service.decision_due_on is not None:
        done = service.decided_on is not None or service.status in (
            ServiceStatus.REFUSED,
            ServiceStatus.STOPPED,
        )
        found.append(
            Deadline(
                "decision",
                service.decision_due_on,
                rules.standing(service.decision_due_on, today=today, done=done),
            )
        )
    return found


# -- protection ------------------------------------------------------------------------------------

# Protection records are read in either group (police and border guards protect, as social affairs do).
_PROTECTION_GROUPS = sorted(access.WORK_GROUPS[Work.PROTECTION])


def assess_risk(case: Case, actor: User, data: dict) -> RiskAssessment:
    _check(actor, case, Work.PROTECTION)
    assessment = RiskAssessment(case=case, agency_id=actor.agency_id, recorded_by_id=actor.id, **data)
    db.session.add(assessment)
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        object_type=ObjectType.RISK_ASSESSMENT,
        object_id=assessment.id,
        case=case,
        fields=_PROTECTION_GROUPS,
        detail={
            "level": str(assessment.level),
            "refused": assessment.person_refused,
            "closed_trial": assessment.closed_trial_requested,
        },
    )
    return assessment


def apply_measure(case: Case, actor: User, data: dict) -> ProtectionMeasure:
    _check(actor, case, Work.PROTECTION)
    measure = ProtectionMeasure(case=case, recorded_by_id=actor.id, **data)
    db.session.add(measure)
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        object_type=ObjectType.PROTECTION_MEASURE,
        object_id=measure.id,
        case=case,
        fields=_PROTECTION_GROUPS,
        detail={"measure": str(measure.measure)},
    )
    return measure


def end_measure(measure: ProtectionMeasure, actor: User, data: dict, expected_version) -> None:
    """End a measure on a day, or hand it over to another agency."""
    _check(actor, measure.case, Work.PROTECTION)
    _check_version(measure, expected_version)
    for name in ("ended_on", "handed_over_to_id", "handed_over_on"):
        setattr(measure, name, data.get(name))
    db.session.flush()
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        object_type=ObjectType.PROTECTION_MEASURE,
        object_id=measure.id,
        case=measure.case,
        fields=_PROTECTION_GROUPS,
        detail={"ended": measure.ended_on is not None, "handed_over": measure.handed_over_to_id is not None},
    )


# -- reintegration ---------------------------------------------------------------------------------


def save_plan(case: Case, actor: User, data: dict, expected_version=None) -> ReintegrationPlan:
    """Create or change the plan; a new plan schedules the follow-up visits from its start."""
    _check(actor, case, Work.REINTEGRATION)
    plan = plan_of(case)
    created = plan is None
    if created:
        plan = ReintegrationPlan(case=case, recorded_by_id=actor.id, starts_on=data["starts_on"])
        db.session.add(plan)
    else:
        _check_version(plan, expected_version)
    plan.starts_on = data["starts_on"]
    plan.goals = data["goals"]
    if created:
        months = current_app.config["SUPPORT_FOLLOW_UP_MONTHS"]
        for due_on in rules.follow_up_schedule(plan.starts_on, months):
            db.session.add(FollowUp(case=case, due_on=due_on))
    db.session.flush()
    audit.record(
        AuditAction.CREATE if created else AuditAction.UPDATE,
        actor=actor,
        object_type=ObjectType.REINTEGRATION_PLAN,
        object_id=plan.id,
        case=case,
        fields=[FieldGroup.SUPPORT],
    )
    return plan


def record_follow_up(follow_up: FollowUp, actor: User, data: dict, expected_version) -> None:
    _check(actor, follow_up.case, Work.REINTEGRATION)
    _check_version(follow_up, expected_version)
    for name in ("done_on", "outcome", "re_trafficking_risk", "notes"):
        setattr(follow_up, name, data.get(name) or None)
    follow_up.recorded_by_id = actor.id
    db.session.flush()
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        object_type=ObjectType.FOLLOW_UP,
        object_id=follow_up.id,
        case=follow_up.case,
        fields=[FieldGroup.SUPPORT],
        detail={"outcome": str(follow_up.outcome) if follow_up.outcome else None},
    )


def plan_of(case: Case) -> ReintegrationPlan | None:
    return db.session.scalar(sa.select(ReintegrationPlan).where(ReintegrationPlan.case_id == case.id))


# -- reading a case's support back ---------------------------------------------------------------


@dataclass
class CaseSupport:
    """Everything the case page shows of support, protection and reintegration, loaded once."""

    services: list[SupportService]
    assessments: list[RiskAssessment]
    measures: list[ProtectionMeasure]
    plan: ReintegrationPlan | None
    follow_ups: list[FollowUp]
    today: date
    deadlines: dict[uuid.UUID, list[Deadline]] = field(default_factory=dict)

    @property
    def measures_in_force(self) -> list[ProtectionMeasure]:
        return [m for m in self.measures if m.in_force(self.today)]

    @property
    def closed_trial_requested(self) -> bool:
        return any(a.closed_trial_requested for a in self.assessments)

    @property
    def next_follow_up(self) -> FollowUp | None:
        return next((f for f in self.follow_ups if f.done_on is None), None)

    def follow_up_due(self, follow_up: FollowUp) -> Due:
        return rules.standing(follow_up.due_on, today=self.today, done=follow_up.done_on is not None)


_SERVICE_WORKS = frozenset({Work.SUPPORT, Work.MEDICAL})


def load(
    case: Case,
    today: date | None = None,
    *,
    services: frozenset[Work] = _SERVICE_WORKS,
    reintegration: bool = True,
) -> CaseSupport:
    """The case's records; the case page leaves out the parts the user cannot read (protection always
    loads: its banner, measures and a closed-trial request, is for everyone who sees the case).
    ``services`` names the works whose service rows to load (support, medical care, or both)."""
    today = today or working_days.today()

    def rows(model, *order, wanted=True, where=None, options=()):
        if not wanted:
            return []
        return list(
            db.session.scalars(
                sa.select(model)
                .options(*options)
                .where(model.case_id == case.id, sa.true() if where is None else where)
                .order_by(*order)
            ).unique()
        )

    medical = SupportService.support_type.in_([str(t) for t in MEDICAL_TYPES])
    service_rows = (
        sa.true() if services >= _SERVICE_WORKS else (medical if Work.MEDICAL in services else ~medical)
    )
    found = CaseSupport(
        services=rows(
            SupportService,
            SupportService.recorded_at,
            wanted=bool(services),
            where=service_rows,
            options=[joinedload(SupportService.extensions)],  # few rows: one statement, not two
        ),
        assessments=rows(
            RiskAssessment, RiskAssessment.assessed_on.desc(), RiskAssessment.recorded_at.desc()
        ),
        measures=rows(ProtectionMeasure, ProtectionMeasure.starts_on),
        plan=plan_of(case) if reintegration else None,
        follow_ups=rows(FollowUp, FollowUp.due_on, wanted=reintegration),
        today=today,
    )
    found.deadlines = {s.id: deadlines_of(s, today) for s in found.services}
    return found


# -- what the victim's path reads from these records ---------------------------------------------


def essential_needs_decided(support: CaseSupport, case: Case) -> bool:
    """The victim's essential-needs support is decided (reference recorded) and under way or delivered."""
    return any(
        s.support_type == SupportType.ESSENTIAL_NEEDS
        and s.person_id == case.victim_id
        and s.status in (ServiceStatus.IN_PROGRESS, ServiceStatus.DELIVERED)
        and s.decision_reference
        for s in support.services
    )


def checklist(case: Case, support: CaseSupport | None = None) -> list[ChecklistItem]:
    """The closing checklist: what a supervisor needs before approving a case's closure."""
    support = support or load(case)
    considered = {s.support_type for s in support.services if s.person_id == case.victim_id}
    eligible = rules.eligible_types(status_of(case, case.victim, None), case.legal_regime)
    not_considered = tuple(f"({rules.LETTERS[t]})" for t in eligible if t not in considered)
    open_measures = tuple(str(m.measure) for m in support.measures if not m.settled)
    open_visits = tuple(format_day(f.due_on) for f in support.follow_ups if f.done_on is None)
    no_visits = () if support.follow_ups else ("plan",)
    return [
        ChecklistItem(
            "support_considered",
            rules.CHECKLIST_LABELS["support_considered"],
            not not_considered,
            not_considered,
        ),
        ChecklistItem(
            "protection_ended", rules.CHECKLIST_LABELS["protection_ended"], not open_measures, open_measures
        ),
        ChecklistItem(
            "follow_ups_done",
            rules.CHECKLIST_LABELS["follow_ups_done"],
            not open_visits and not no_visits,
            open_visits or no_visits,
        ),
    ]


def derived_items(case: Case) -> dict[str, ChecklistItem]:
    """Every fact the victim's path reads from support records (``Transition.derived``), by name."""
    support = load(case)
    items = {item.name: item for item in checklist(case, support)}
    items["essential_needs_decided"] = ChecklistItem(
        "essential_needs_decided", rules.ESSENTIAL_NEEDS_LABEL, essential_needs_decided(support, case)
    )
    return items


def step_defaults(case: Case) -> dict:
    """The protection step's facts as the records have them (``cases.path.defaults_for``): the level of
    the latest risk assessment, and measures applied when one is in force or not yet ended, a refusal
    when the latest assessment records one, no measures needed when the risk is low and none is on
    file. Otherwise the decision is the user's."""
    support = load(case, services=frozenset(), reintegration=False)
    latest = support.assessments[0] if support.assessments else None  # newest first
    found = {"risk_level": str(latest.level)} if latest else {}
    if support.measures_in_force or any(not m.settled for m in support.measures):
        found["protection_decision"] = "measures_applied"
    elif latest is not None and latest.person_refused:
        found["protection_decision"] = "refused_with_commitment"
    elif latest is not None and latest.level == RiskLevel.LOW and not support.measures:
        found["protection_decision"] = "not_needed"
    return found


# -- the follow-up list ------------------------------------------------------------------------------


def follow_ups_for(user: User, today: date, horizon_days: int = 14, *, mine: bool = False) -> list[FollowUp]:
    """Open visits due within ``horizon_days`` (or overdue) on the open cases the user's agency works on
    (``mine``: on those whose work falls to the user, as the home queue counts them)."""
    from datetime import timedelta

    from victimcare.cases.assignment import my_work
    from workflows.victim_path import Stage

    query = (
        sa.select(FollowUp)
        .join(Case, FollowUp.case_id == Case.id)
        .where(
            access.visible_cases(user),
            my_work(user) if mine else sa.true(),
            Case.stage != Stage.CLOSED,
            FollowUp.done_on.is_(None),
            FollowUp.due_on <= today + timedelta(days=horizon_days),
        )
        .order_by(FollowUp.due_on)
    )
    return [
        f for f in db.session.scalars(query) if access.for_case(user, f.case).may_record(Work.REINTEGRATION)
    ]


def people_choices(case: Case) -> list[tuple[str, Victim, str | None]]:
    """(id, person, role) of everyone support can be recorded for, for the person picker."""
    return [(str(p.id), p, role) for p, role in people_of(case)]
