"""Moving a case along the victim's path: the operation behind every stage button.

The workflow (``workflows.victim_path``) decides whether a step may happen; this module checks
who is asking, guards against stale and concurrent writes, and records the step.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from victimcare import access
from victimcare.accounts.models import User
from victimcare.audit import operations as audit
from victimcare.cases import hooks
from victimcare.cases.models import Case, StageEvent
from victimcare.database import utcnow
from victimcare.extensions import db
from vocabulary import AuditAction, ObjectType
from workflows import victim_path
from workflows.victim_path import STOPPED_CLOCK, CasePath, Stage, Transition, TransitionRefused

__all__ = [
    "StaleCase",
    "TransitionRefused",
    "defaults_for",
    "derived_items",
    "fire_transition",
    "start_stage",
    "stage_deadline",
    "overdue_cases",
]


class StaleCase(Exception):
    """Someone saved the case after this user loaded it."""


def time_limits() -> dict:
    limits = dict(victim_path.TIME_LIMITS)
    for stage, hours in current_app.config.get("STAGE_TIME_LIMITS", {}).items():
        limits[Stage(stage)] = timedelta(hours=hours)
    return limits


def stage_deadline(stage: str, started_at: datetime) -> datetime | None:
    return victim_path.deadline(stage, started_at, time_limits())


def start_stage(case: Case, stage: Stage, when: datetime | None = None) -> None:
    when = when or utcnow()
    case.stage = stage
    case.stage_started_at = when
    case.stage_deadline = stage_deadline(stage, when)


def check_version(case: Case, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != case.version:
        raise StaleCase(case.reference)


def lock_case(case: Case) -> None:
    """On PostgreSQL, hold the case row for this transaction; a second writer fails at once.

    (SQLite serialises writers itself; the version check then catches the loser.)
    """
    if db.session.get_bind().dialect.name == "postgresql":
        try:
            db.session.execute(sa.select(Case.id).where(Case.id == case.id).with_for_update(nowait=True))
        except sa.exc.OperationalError:
            raise StaleCase(case.reference) from None


def _jsonable(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def fire_transition(
    case: Case, trigger: str, facts: dict, actor: User, expected_version: int | None = None
) -> StageEvent:
    """Check and record one step; raises TransitionRefused (with reasons), StaleCase or PermissionError."""
    if not access.for_case(actor, case).may_act:
        raise PermissionError("not allowed to act on this case")
    lock_case(case)
    check_version(case, expected_version)
    facts = {**facts, **derived_facts(case, trigger)}
    path = CasePath(case.stage, case.suspended_from)
    transition: Transition = victim_path.fire(
        path, trigger, agency_kind=actor.agency.kind, role=actor.role, facts=facts
    )
    event = record_step(case, transition, path, facts, actor_id=actor.id, agency_id=actor.agency_id)
    audit.record(
        AuditAction.TRANSITION,
        actor=actor,
        object_type=ObjectType.CASE,
        object_id=case.id,
        case=case,
        fields=sorted(sealed_fact_groups(event.details or {})),
        detail={"trigger": trigger, "from": event.from_stage, "to": event.to_stage},
    )
    return event


def fact_groups(name: str) -> frozenset[access.FieldGroup]:
    """The field groups any one of which shows the fact ``name`` (none for a name the path does not know)."""
    return frozenset(access.FieldGroup(group.value) for group in victim_path.FACT_GROUPS.get(name, ()))


def sealed_fact_groups(sealed: dict) -> set[access.FieldGroup]:
    """The field groups a step's sealed facts belong to: what its audit events name."""
    return {group for name in sealed for group in fact_groups(name)}


def derived_items(case: Case, transition: Transition) -> list:
    """What a step reads from the case's records rather than its form (``Transition.derived``), each
    with whether it holds now: the step's page shows them, and the step itself checks them."""
    if not transition.derived:
        return []
    found = hooks.derived(case)  # support registers the facts it derives (it builds on cases)
    return [found[name] for name in transition.derived]


def defaults_for(case: Case, transition: Transition) -> dict:
    """What a step's form proposes before the user changes anything: what the records already say
    (how and when the person was received, the latest risk assessment, the measures on file) and
    the case's version. A fact the records say nothing about is left for the user to choose."""
    from victimcare.support.operations import step_defaults  # support builds on cases

    known = {"channel": case.intake_channel, "received_at": case.received_at}
    asked = {fact.name for fact in transition.facts}
    if asked & {"risk_level", "protection_decision"}:
        known.update(step_defaults(case))
    return {"version": case.version} | {
        name: value for name, value in known.items() if name in asked and value
    }


def derived_facts(case: Case, trigger: str) -> dict:
    transition = victim_path.find(trigger, case.stage, case.suspended_from)
    if transition is None:
        return {}
    return {item.name: item.done for item in derived_items(case, transition)}


def record_step(
    case: Case,
    transition: Transition,
    path: CasePath,
    facts: dict,
    *,
    actor_id,
    agency_id,
    when: datetime | None = None,
) -> StageEvent:
    """Write a step the workflow has allowed: the history entry, the new stage and its deadline."""
    clear = {f.name: _jsonable(facts.get(f.name)) for f in transition.facts if not f.sealed}
    clear.update({name: facts.get(name) for name in transition.derived})
    sensitive = {f.name: _jsonable(facts[f.name]) for f in transition.facts if f.sealed and facts.get(f.name)}
    now = when or utcnow()
    event = StageEvent(
        case=case,
        trigger=transition.trigger,
        from_stage=case.stage,
        to_stage=path.stage,
        actor_id=actor_id,
        agency_id=agency_id,
        facts=clear,
        created_at=now,
    )
    if sensitive:
        event.details = sensitive
    db.session.add(event)
    start_stage(case, Stage(path.stage), now)
    case.suspended_from = path.suspended_from
    case.facts = {**(case.facts or {}), **{k: v for k, v in clear.items() if v not in (None, "")}}
    if transition.closure:
        case.closure_reason, case.closed_at = transition.closure, now
    elif path.stage == Stage.REOPENED:
        case.closure_reason = case.closed_at = None
    if transition.trigger == "start_verification":
        case.intake_channel = facts["channel"]
        case.received_at = facts["received_at"]
    db.session.flush()
    return event


def overdue_cases():
    """Open cases past their stage deadline, oldest deadline first."""
    return (
        db.session.scalars(
            sa.select(Case)
            .where(Case.stage_deadline < utcnow(), Case.stage.not_in(STOPPED_CLOCK))
            .order_by(Case.owning_agency_id, Case.stage_deadline)
        )
        .unique()
        .all()
    )


def _coded(name: str, value) -> bool:
    """Whether a stored step fact may stay in clear: a coded kind holding a valid coded value."""
    from victimcare.accounts.models import Agency
    from victimcare.provinces import is_province

    fact = victim_path.FACTS_BY_NAME.get(name)
    if fact is None:
        return name in victim_path.DERIVED_GROUPS
    if fact.sealed:
        return False
    if fact.kind == "province" and value not in (None, ""):
        return is_province(value)
    if fact.kind == "agency" and value not in (None, ""):
        return db.session.scalar(sa.select(Agency.id).where(Agency.code == str(value))) is not None
    return True


def seal_free_text_facts() -> int:
    """Move step facts stored in clear before free text was sealed into the events' sealed details.

    Free text (an issuer, an onward referral written out, a province typed in) moves under the
    person's key; a valid agency or province code stays in clear. The case's current facts keep only
    coded values. An erased person's clear text is dropped: there is no key left to seal it under.
    Idempotent; returns how many history entries changed.
    """
    changed = 0
    for event in db.session.scalars(sa.select(StageEvent)).unique():
        loose = {k: v for k, v in (event.facts or {}).items() if not _coded(k, v)}
        if not loose:
            continue
        event.facts = {k: v for k, v in event.facts.items() if k not in loose}
        if event.case.victim.erased_at is None:
            event.details = {
                **(event.details or {}),
                **{k: v for k, v in loose.items() if v not in (None, "")},
            }
        changed += 1
    for case in db.session.scalars(sa.select(Case)).unique():
        if any(not _coded(k, v) for k, v in (case.facts or {}).items()):
            case.facts = {k: v for k, v in case.facts.items() if _coded(k, v)}
    db.session.flush()
    return changed
