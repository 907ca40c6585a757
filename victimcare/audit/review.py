"""Reading the log for review: who may see which events, and the flags worth a supervisor's look."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import to_user_timezone

from victimcare.accounts.models import Agency, Role, User
from victimcare.audit.models import AuditEvent
from victimcare.extensions import db
from vocabulary import AuditAction, ObjectType

WORKING_HOURS = (time(7, 0), time(18, 0))  # Vietnamese offices, Monday to Friday
BULK_WINDOW = timedelta(minutes=10)
BULK_CASES = 20  # distinct cases opened by one person within the window
BULK_INTAKE_CHECKS = 10  # intake duplicate checks by one person within the window: someone may be probing


def events_in_scope(user: User):
    """Auditors review everything; supervisors the events of their province's agencies and cases."""
    query = sa.select(AuditEvent)
    if user.role == Role.AUDITOR:
        return query
    from victimcare.cases.models import Case

    province_agencies = sa.select(Agency.code).where(Agency.province_code == user.agency.province_code)
    province_cases = (
        sa.select(Case.reference)
        .join(Agency, Case.owning_agency_id == Agency.id)
        .where(Agency.province_code == user.agency.province_code)
    )
    return query.where(
        sa.or_(AuditEvent.agency_code.in_(province_agencies), AuditEvent.case_reference.in_(province_cases))
    )


def after_hours(moment: datetime) -> bool:
    local = to_user_timezone(moment)
    return local.weekday() >= 5 or not (WORKING_HOURS[0] <= local.time() < WORKING_HOURS[1])


def flags(events: list[AuditEvent], *, activity: bool = True) -> dict[int, list[str]]:
    """Flags per event seq: break glass, outside working hours, a case owned by another agency,
    sharing on a legal basis instead of consent, role grants, agency changes, resets of passwords and
    second factors; with ``activity``, also what needs each person's surrounding events (bulk viewing,
    searches opening nothing, many intake checks), which costs a read of their views around the events."""
    from victimcare.cases.models import Case

    references = {e.case_reference for e in events if e.case_reference}
    owners = (
        dict(
            db.session.execute(
                sa.select(Case.reference, Agency.code)
                .join(Agency, Case.owning_agency_id == Agency.id)
                .where(Case.reference.in_(references))
            ).all()
        )
        if references
        else {}
    )
    around = _activity_around(events) if activity else {}
    found: dict[int, list[str]] = {}
    for event in events:
        marks = []
        if event.action == AuditAction.BREAK_GLASS or event.purpose == "break_glass":
            marks.append("break_glass")
        if event.actor_username and after_hours(event.occurred_at):
            marks.append("after_hours")
        owner = owners.get(event.case_reference)
        if event.action == AuditAction.VIEW and owner and event.agency_code and owner != event.agency_code:
            marks.append("other_agency")
        if event.action in (AuditAction.LOGIN_FAILED, AuditAction.LOCKOUT, AuditAction.DENIED) or (
            event.action == AuditAction.STEP_UP and event.outcome == "refused"
        ):
            marks.append("denied")
        if (
            event.action == AuditAction.REFER
            and (event.detail or {}).get("legal_basis", "consent") != "consent"
        ):
            marks.append("legal_basis")  # shared without the person's consent
        marks += _duty_marks(event)
        marks += _activity_marks(event, around) if activity else []
        if marks:
            found[event.seq] = marks
    return found


# Separation of duties: requests and decisions that change who reads cases, and resets that let an
# administrator act as someone else, are flagged for supervisors and auditors.
_APPROVAL_ACTIONS = (AuditAction.APPROVAL_REQUEST, AuditAction.APPROVAL_DECISION)
_FLAGGED_KINDS = (ObjectType.ROLE_GRANT, ObjectType.AGENCY_CHANGE)  # approval kinds, named as object types


def _duty_marks(event: AuditEvent) -> list[str]:
    detail = event.detail or {}
    if event.action in _APPROVAL_ACTIONS and detail.get("kind") in _FLAGGED_KINDS:
        return [detail["kind"]]
    if (
        event.action == AuditAction.USER_CHANGE
        and detail.get("change") in ("password_reset", "second_factor_reset")
        and event.actor_username
    ):
        return [detail["change"]]
    return []


def case_viewers(case) -> list[AuditEvent]:
    """Who has seen this person's record: every view of the case, newest first."""
    return db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.case_reference == case.reference, AuditEvent.action == AuditAction.VIEW)
        .order_by(AuditEvent.seq.desc())
        .limit(200)
    ).all()


def _activity_around(events: list[AuditEvent]) -> dict[str, list[AuditEvent]]:
    """Each person's views and searches around the events shown, in one query."""
    people = {
        e.actor_username
        for e in events
        if e.actor_username and e.action in (AuditAction.VIEW, AuditAction.SEARCH)
    }
    if not people:
        return {}
    start = min(e.occurred_at for e in events) - BULK_WINDOW
    end = max(e.occurred_at for e in events) + BULK_WINDOW
    rows = db.session.scalars(
        sa.select(AuditEvent)
        .where(
            AuditEvent.actor_username.in_(people),
            AuditEvent.action.in_((AuditAction.VIEW, AuditAction.SEARCH)),
            AuditEvent.occurred_at.between(start, end),
        )
        .order_by(AuditEvent.seq)
    ).all()
    by_person: dict[str, list[AuditEvent]] = {}
    for row in rows:
        by_person.setdefault(row.actor_username, []).append(row)
    return by_person


def _activity_marks(event: AuditEvent, activity: dict[str, list[AuditEvent]]) -> list[str]:
    """Bulk viewing (many cases in a short time) and searches that found someone but opened nothing."""
    mine = activity.get(event.actor_username or "", [])
    marks = []
    if event.action == AuditAction.VIEW and event.case_reference:
        recent = {
            e.case_reference
            for e in mine
            if e.action == AuditAction.VIEW
            and e.case_reference
            and event.occurred_at - BULK_WINDOW <= e.occurred_at <= event.occurred_at
        }
        if len(recent) >= BULK_CASES:
            marks.append("bulk_viewing")
    if event.object_type == ObjectType.INTAKE_CHECK:
        checks = [
            e
            for e in mine
            if e.object_type == ObjectType.INTAKE_CHECK
            and event.occurred_at - BULK_WINDOW <= e.occurred_at <= event.occurred_at
        ]
        if len(checks) >= BULK_INTAKE_CHECKS:
            marks.append("many_intake_checks")
    if event.action == AuditAction.SEARCH and event.detail.get("results"):
        followed = any(
            e.action == AuditAction.VIEW
            and e.case_reference
            and e.seq > event.seq
            and e.occurred_at <= event.occurred_at + BULK_WINDOW
            for e in mine
        )
        if not followed:
            marks.append("no_follow_up")
    return marks


GRANT_MATCH = timedelta(seconds=60)  # events logged before they named their grant: the grant made then


def break_glass_reasons(events: list[AuditEvent], user: User) -> dict[int, str]:
    """The written reasons of the emergency accesses among ``events``, for a supervisor of the case's
    province (who judges whether the access was justified), by event seq. Each reason shown is
    decrypted and logged as a view of that grant; auditors and other provinces see none."""
    from victimcare.audit.operations import record_view

    if user.role != Role.SUPERVISOR:
        return {}
    reasons = {}
    for event in events:
        if event.action != AuditAction.BREAK_GLASS or not event.case_reference:
            continue
        grant = _grant_of(event)
        if grant is None or grant.case.owning_agency.province_code != user.agency.province_code:
            continue
        reason = grant.reason  # None once the person is erased: nothing to show, nothing to log
        if reason:
            reasons[event.seq] = reason
            record_view(
                grant.case,
                ["break_glass_reason"],
                purpose="review",
                object_type=ObjectType.BREAK_GLASS_GRANT,
                object_id=grant.id,
            )
    return reasons


def _grant_of(event: AuditEvent):
    import uuid

    from victimcare.cases.models import BreakGlassGrant, Case

    grant_id = (event.detail or {}).get("grant")
    if grant_id:
        return db.session.get(BreakGlassGrant, uuid.UUID(grant_id))
    return db.session.scalar(
        sa.select(BreakGlassGrant)
        .join(Case, BreakGlassGrant.case_id == Case.id)
        .where(
            Case.reference == event.case_reference,
            BreakGlassGrant.user_id == event.actor_id,
            BreakGlassGrant.created_at.between(
                event.occurred_at - GRANT_MATCH, event.occurred_at + GRANT_MATCH
            ),
        )
        .order_by(BreakGlassGrant.created_at)
    )


# -- the home queue's count ------------------------------------------------------------------------
# Until reviews are recorded, every flag counts as unreviewed; the count looks at the newest events of
# the last FLAG_WINDOW (at most FLAG_SCAN of them) and keeps those in the user's scope, and leaves out
# the flags that need each person's surrounding activity (bulk viewing, searches that opened nothing,
# many intake checks: a busy hour reads thousands of views), so the home page stays fast however long
# the log grows. To be replaced by the count of flags without a review.
FLAG_WINDOW = timedelta(days=7)
FLAG_SCAN = 200


def unreviewed_flag_count(user: User) -> int:
    """Flagged events in ``user``'s scope (as ``events_in_scope``) waiting for a look: the home queue's count."""
    from victimcare.database import utcnow

    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.occurred_at >= utcnow() - FLAG_WINDOW)
        .order_by(AuditEvent.seq.desc())
        .limit(FLAG_SCAN)
    ).all()
    events = _in_scope(user, events)
    return len(flags(events, activity=False)) if events else 0


def _in_scope(user: User, events: list[AuditEvent]) -> list[AuditEvent]:
    """``events_in_scope`` applied to a few events in hand: one query for the agencies of the province
    and one for the owners of the cases they name, instead of the province's every case reference."""
    if user.role == Role.AUDITOR:
        return events
    from victimcare.cases.models import Case

    province = user.agency.province_code
    agencies = set(db.session.scalars(sa.select(Agency.code).where(Agency.province_code == province)))
    references = {e.case_reference for e in events if e.case_reference and e.agency_code not in agencies}
    cases = set()
    if references:
        cases = set(
            db.session.scalars(
                sa.select(Case.reference)
                .join(Agency, Case.owning_agency_id == Agency.id)
                .where(Case.reference.in_(references), Agency.province_code == province)
            )
        )
    return [e for e in events if e.agency_code in agencies or e.case_reference in cases]
