"""Reading the log for review: who may see which events, and the flags worth a supervisor's look."""
from __future__ import annotations

from datetime import datetime, time

import sqlalchemy as sa
from flask_babel import to_user_timezone

from victimcare.accounts.models import Agency, Role, User
from victimcare.audit.models import AuditEvent
from victimcare.extensions import db

WORKING_HOURS = (time(7, 0), time(18, 0))  # Vietnamese offices, Monday to Friday


def events_in_scope(user: User):
    """Auditors review everything; supervisors the events of their province's agencies and cases."""
    query = sa.select(AuditEvent)
    if user.role == Role.AUDITOR:
        return query
    from victimcare.cases.models import Case

    province_agencies = sa.select(Agency.code).where(Agency.province_code == user.agency.province_code)
    province_cases = (
        sa.select(Case.reference).join(Agency, Case.owning_agency_id == Agency.id)
        .where(Agency.province_code == user.agency.province_code)
    )
    return query.where(sa.or_(AuditEvent.agency_code.in_(province_agencies),
                              AuditEvent.case_reference.in_(province_cases)))


def after_hours(moment: datetime) -> bool:
    local = to_user_timezone(moment)
    return local.weekday() >= 5 or not (WORKING_HOURS[0] <= local.time() < WORKING_HOURS[1])


def flags(events: list[AuditEvent]) -> dict[int, list[str]]:
    """Flags per event seq: break glass, outside working hours, a case owned by another agency."""
    from victimcare.cases.models import Case

    references = {e.case_reference for e in events if e.case_reference}
    owners = dict(db.session.execute(
        sa.select(Case.reference, Agency.code).join(Agency, Case.owning_agency_id == Agency.id)
        .where(Case.reference.in_(references))
    ).all()) if references else {}
    found: dict[int, list[str]] = {}
    for event in events:
        marks = []
        if event.action == "break_glass" or event.purpose == "break_glass":
            marks.append("break_glass")
        if event.actor_username and after_hours(event.occurred_at):
            marks.append("after_hours")
        owner = owners.get(event.case_reference)
        if event.action == "view" and owner and event.agency_code and owner != event.agency_code:
            marks.append("other_agency")
        if event.action in ("login_failed", "lockout"):
            marks.append("denied")
        if marks:
            found[event.seq] = marks
    return found


def case_viewers(case) -> list[AuditEvent]:
    """Who has seen this person's record: every view of the case, newest first."""
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.case_reference == case.reference, AuditEvent.action == "view")
        .order_by(AuditEvent.seq.desc()).limit(200)
    ).all()
