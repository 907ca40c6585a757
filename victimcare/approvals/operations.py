"""Asking for a change, deciding it, and the queues of what waits.

One rule for every kind: the person who decides is never the person who asked, nor the person the
change is about. Who else may decide, and what approval does, is each kind's policy (``POLICIES``),
written next to the domain it changes. Functions flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from victimcare.accounts.models import Agency, User
from victimcare.approvals.models import ApprovalKind, Outcome, PendingChange
from victimcare.audit import operations as audit
from victimcare.database import utcnow
from victimcare.extensions import db
from vocabulary import AuditAction, ObjectType

# What the log calls the subject of each kind of request.
OBJECT_TYPES = {
    ApprovalKind.ROLE_GRANT: ObjectType.ROLE_GRANT,
    ApprovalKind.AGENCY_CHANGE: ObjectType.AGENCY_CHANGE,
    ApprovalKind.ERASURE: ObjectType.ERASURE,
}


class ApprovalRefused(ValueError):
    """A request or decision that cannot be carried out; the message is shown to the user as is."""


@dataclass(frozen=True)
class Policy:
    may_decide: Callable[[User, PendingChange], bool]  # besides "not the requester, not the subject"
    apply: Callable[[PendingChange, User], None]  # makes the change take effect; flushes


def policy(kind: ApprovalKind) -> Policy:
    # Imported here: the domains import this module to ask for approval.
    from victimcare.accounts import operations as accounts
    from victimcare.cases import operations as cases

    return {
        ApprovalKind.ROLE_GRANT: Policy(accounts.may_approve_role_grant, accounts.apply_role_grant),
        ApprovalKind.AGENCY_CHANGE: Policy(accounts.may_approve_agency_change, accounts.apply_agency_change),
        ApprovalKind.ERASURE: Policy(cases.may_approve_erasure, cases.apply_erasure),
    }[kind]


def waiting_for(kind: ApprovalKind, *, user: User | None = None, case=None, agency: Agency | None = None):
    """The request of this kind still waiting on this user, case or agency, if any."""
    query = sa.select(PendingChange).where(PendingChange.kind == kind, PendingChange.decided_at.is_(None))
    if user is not None:
        query = query.where(PendingChange.user_id == user.id)
    if case is not None:
        query = query.where(PendingChange.case_id == case.id)
    if agency is not None:
        query = query.where(PendingChange.agency_id == agency.id)
    return db.session.scalars(query.limit(1)).first()


def request_change(
    kind: ApprovalKind,
    *,
    agency: Agency,
    by: User,
    change: dict,
    user: User | None = None,
    case=None,
    reason: str | None = None,
) -> PendingChange:
    """Record a change for a second person to approve; one request per subject waits at a time."""
    if waiting_for(kind, user=user, case=case, agency=None if user or case else agency) is not None:
        raise ApprovalRefused(_("A change of this kind is already waiting for approval here."))
    row = PendingChange(
        kind=kind,
        agency=agency,
        user_id=user.id if user else None,
        case_id=case.id if case else None,
        change=change,
        reason=reason,
        requested_by_id=by.id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        AuditAction.APPROVAL_REQUEST,
        actor=by,
        object_type=OBJECT_TYPES[kind],
        object_id=row.id,
        case=case,
        purpose=reason,
        detail={**_detail(row), "kind": kind.value},
    )
    return row


def _detail(row: PendingChange) -> dict:
    """What the log says of a request: coded values and the subject's id, never personal data."""
    detail = {key: value for key, value in row.change.items() if key != "agency_id"}
    detail["agency"] = row.agency.code
    if row.user_id:
        detail["user_id"] = str(row.user_id)
    return detail


def may_decide(user: User, row: PendingChange) -> bool:
    """Whether ``user`` may approve or refuse ``row`` (the requester may only withdraw it)."""
    if not user.is_active or user.id in (row.requested_by_id, row.user_id):
        return False
    return policy(row.kind).may_decide(user, row)


def decide(row: PendingChange, user: User, approve: bool) -> Outcome:
    """Approve (the change takes effect now), refuse, or — by the requester — withdraw a request."""
    if user.id == row.user_id:
        raise ApprovalRefused(_("Nobody decides a change to their own account."))
    if user.id == row.requested_by_id:
        if approve:
            raise ApprovalRefused(_("You asked for this change: another person must approve it."))
        outcome = Outcome.WITHDRAWN
    elif not may_decide(user, row):
        raise ApprovalRefused(_("You may not decide this change."))
    else:
        outcome = Outcome.APPROVED if approve else Outcome.REFUSED
    _claim(row, user, outcome)
    audit.record(
        AuditAction.APPROVAL_DECISION,
        actor=user,
        object_type=OBJECT_TYPES[row.kind],
        object_id=row.id,
        case=row.case,
        purpose=row.reason,
        outcome=outcome.value,
        detail={**_detail(row), "kind": row.kind.value},
    )
    if outcome is Outcome.APPROVED:
        policy(row.kind).apply(row, user)
    return outcome


def _claim(row: PendingChange, user: User, outcome: Outcome) -> None:
    """Mark the request decided, unless someone decided it first (two approvers at once)."""
    claimed = db.session.execute(
        sa.update(PendingChange)
        .where(PendingChange.id == row.id, PendingChange.decided_at.is_(None))
        .values(decided_by_id=user.id, decided_at=utcnow(), outcome=outcome)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(row, ["decided_by_id", "decided_at", "outcome"])
    if claimed != 1:
        raise ApprovalRefused(_("This change has already been decided."))


def waiting_query():
    return (
        sa.select(PendingChange)
        .where(PendingChange.decided_at.is_(None))
        .order_by(PendingChange.requested_at)
    )


def waiting_on(user: User) -> list[PendingChange]:
    """What ``user`` may decide now: the queue of a supervisor (their agency) or an administrator."""
    from victimcare.access import Permission, has_permission

    if not has_permission(user, Permission.APPROVAL_DECIDE):
        return []
    query = waiting_query().where(PendingChange.requested_by_id != user.id)
    if not has_permission(user, Permission.ADMIN_USERS):
        query = query.where(PendingChange.agency_id == user.agency_id)
    return [row for row in db.session.scalars(query) if may_decide(user, row)]


def asked_by(user: User) -> list[PendingChange]:
    """The requests ``user`` made that still wait."""
    return db.session.scalars(waiting_query().where(PendingChange.requested_by_id == user.id)).all()
