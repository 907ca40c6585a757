"""Who carries a case: taking an unassigned case, a supervisor's (re)assignment, the transfer's
acceptor, and each worker's caseload.

Every open case should have one worker of the agency that owns it. Cases opened at intake go to
whoever opened them; imported ones wait, unassigned, for a worker to take them or a supervisor to
hand them out; a transfer goes to the person who accepts it, or the colleague they choose. Each
change writes a ``CaseAssignment`` row (the case history) and an audit event, in the caller's
transaction; the view commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from victimcare import access
from victimcare.accounts.models import Agency, Role, User
from victimcare.audit import operations as audit
from victimcare.cases.models import AssignmentHow, Case, CaseAssignment
from victimcare.cases.path import StaleCase, check_version, lock_case
from victimcare.database import utcnow
from victimcare.extensions import db
from vocabulary import AuditAction, ObjectType
from workflows.victim_path import N_, STOPPED_CLOCK, Stage

# The roles that carry cases: those that may act on the owning agency's cases.
WORKER_ROLES = (Role.OFFICER, Role.CASE_WORKER, Role.SUPERVISOR)
DUE_SOON = timedelta(days=3)


class AssignmentRefused(Exception):
    """The assignment cannot be made; ``reason`` is a msgid the view translates."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def workers(agency_id: uuid.UUID) -> list[User]:
    """The active people of an agency who may be given its cases, by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.agency_id == agency_id, User.active.is_(True), User.role.in_(WORKER_ROLES))
            .order_by(User.display_name, User.username)
        )
    )


def is_open(case: Case) -> bool:
    return case.stage != Stage.CLOSED


def may_take(user: User, case: Case) -> bool:
    """A worker of the owning agency takes an open case nobody carries."""
    return (
        access.for_case(user, case).may_act
        and user.role in WORKER_ROLES
        and case.assigned_user_id is None
        and is_open(case)
    )


def supervises(user: User, case: Case) -> bool:
    """Supervisors of the owning agency hand out and move its cases."""
    return (
        access.has_permission(user, access.Permission.CASE_ASSIGN)
        and access.for_case(user, case).reason == access.Reason.OWNER
    )


def may_assign(user: User, case: Case) -> bool:
    return supervises(user, case) and is_open(case)


def take(case: Case, user: User, expected_version: int | None = None) -> CaseAssignment:
    if not access.for_case(user, case).may_act:
        raise PermissionError("not a worker of the owning agency")
    with _guarded(case, expected_version):
        if not is_open(case):
            raise AssignmentRefused(N_("This case is closed: it needs no worker."))
        if case.assigned_user_id is not None:
            raise AssignmentRefused(N_("Someone already carries this case; ask your supervisor to move it."))
        return _assign(case, user, by=user, how=AssignmentHow.TAKEN)


def assign(case: Case, to: User | None, by: User, expected_version: int | None = None) -> CaseAssignment:
    """A supervisor of the owning agency gives the case to a worker of that agency (or to themselves)."""
    if not supervises(by, case):
        raise PermissionError("only the owning agency's supervisors assign its cases")
    with _guarded(case, expected_version):
        if not is_open(case):
            raise AssignmentRefused(N_("This case is closed: it needs no worker."))
        _check_worker(to, case.owning_agency_id)
        if case.assigned_user_id == to.id:
            raise AssignmentRefused(N_("The case is already assigned to this person."))
        return _assign(case, to, by=by, how=AssignmentHow.ASSIGNED)


def on_transfer(case: Case, accepted_by: User, colleague: User | None = None) -> CaseAssignment:
    """The receiving agency now owns the case: it goes to whoever accepted, or the colleague they chose.

    Called by the transfer's acceptance, in its transaction, after the owner changed.
    """
    to = colleague or accepted_by
    _check_worker(to, case.owning_agency_id)
    return _assign(case, to, by=accepted_by, how=AssignmentHow.TRANSFER)


def find_worker(user_id, agency_id: uuid.UUID) -> User:
    """The worker a form named, by id; refused unless they may carry the agency's cases."""
    try:
        user = db.session.get(User, uuid.UUID(str(user_id)))
    except ValueError:
        user = None
    _check_worker(user, agency_id)
    return user


def _check_worker(user: User | None, agency_id: uuid.UUID) -> None:
    if user is None or user.agency_id != agency_id or not user.is_active or user.role not in WORKER_ROLES:
        raise AssignmentRefused(N_("Choose a worker of the agency that holds the case."))


def _assign(case: Case, to: User, *, by: User, how: AssignmentHow) -> CaseAssignment:
    previous = case.assigned_user
    case.assigned_user_id = to.id
    row = CaseAssignment(
        case_id=case.id,
        user_id=to.id,
        previous_user_id=previous.id if previous else None,
        assigned_by_id=by.id,
        agency_id=case.owning_agency_id,
        how=how,
    )
    db.session.add(row)
    db.session.flush()
    db.session.expire(case, ["assigned_user"])
    audit.record(
        AuditAction.ASSIGN,
        actor=by,
        object_type=ObjectType.CASE,
        object_id=case.id,
        case=case,
        purpose=how.value,
        detail={"to": to.username, "from": previous.username if previous else None},
    )
    return row


class _guarded:
    """Lock the case (PostgreSQL), check the version the form was opened on, and turn a lost race
    (a concurrent save bumped the version) into ``StaleCase``."""

    def __init__(self, case: Case, expected_version: int | None):
        self.case, self.expected_version = case, expected_version

    def __enter__(self):
        lock_case(self.case)
        check_version(self.case, self.expected_version)

    def __exit__(self, kind, error, traceback):
        if isinstance(error, StaleDataError):
            raise StaleCase(self.case.reference) from None
        return False


def my_work(user: User):
    """SQL condition on ``Case``: the cases whose work falls to ``user``.

    Those they carry for their agency, and those referred to their agency (accepted) by another
    one: a referral is answered by the agency, and nobody of it is assigned to another's case.
    """
    from victimcare.referrals.models import Referral
    from workflows.referral import ReferralStatus

    referred = list(
        db.session.scalars(
            sa.select(Referral.case_id).where(
                Referral.to_agency_id == user.agency_id, Referral.status == ReferralStatus.ACCEPTED
            )
        )
    )
    mine = sa.and_(Case.assigned_user_id == user.id, Case.owning_agency_id == user.agency_id)
    if not referred:
        return mine
    return sa.or_(mine, sa.and_(Case.id.in_(set(referred)), Case.owning_agency_id != user.agency_id))


def history_of(case: Case) -> list[CaseAssignment]:
    return list(
        db.session.scalars(
            sa.select(CaseAssignment)
            .where(CaseAssignment.case_id == case.id)
            .order_by(CaseAssignment.created_at)
        )
    )


# -- the caseload page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """One worker's open cases (or, with ``user`` None, the agency's unassigned ones).

    ``gone``: the cases are assigned to someone who can no longer carry them here (deactivated,
    moved to another agency, given another role): they need a new worker.
    """

    user: User | None
    open: int
    overdue: int
    due_soon: int
    gone: bool = False


def caseload(agency: Agency, now: datetime | None = None) -> list[Load]:
    """Per worker of ``agency``: open cases, overdue, due within three days; unassigned last.

    One GROUP BY over the (owning agency, assigned user, stage) index; workers with no case are
    listed too, so a supervisor sees who has room.
    """
    now = now or utcnow()
    running = Case.stage.not_in(STOPPED_CLOCK)
    rows = db.session.execute(
        sa.select(
            Case.assigned_user_id,
            sa.func.count(),
            sa.func.count().filter(running, Case.stage_deadline < now),
            sa.func.count().filter(running, Case.stage_deadline >= now, Case.stage_deadline < now + DUE_SOON),
        )
        .where(Case.owning_agency_id == agency.id, Case.stage != Stage.CLOSED)
        .group_by(Case.assigned_user_id)
    ).all()
    counts = {user_id: (n, overdue, soon) for user_id, n, overdue, soon in rows}
    people = {u.id: u for u in workers(agency.id)}
    missing = [user_id for user_id in counts if user_id is not None and user_id not in people]
    if missing:  # cases still assigned to people who left, moved or changed role: they need a new worker
        people.update({u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(missing)))})
    loads = [
        Load(person, *counts.get(user_id, (0, 0, 0)), gone=user_id in missing)
        for user_id, person in sorted(people.items(), key=lambda p: (p[1].display_name, p[1].username))
    ]
    if None in counts:
        loads.append(Load(None, *counts[None]))
    return loads
