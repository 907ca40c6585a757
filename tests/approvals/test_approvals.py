"""The two-person rule itself: whoever asks never approves, nor the person a change is about."""

import pytest
import sqlalchemy as sa

from tests.helpers import add_case, db_session, request_erasure
from victimcare.accounts.models import User
from victimcare.approvals import operations as approvals
from victimcare.approvals.models import ApprovalKind, Outcome, PendingChange


def _users(session, *names):
    return [session.scalar(sa.select(User).where(User.username == name)) for name in names]


def _role_grant(session, by="admin1", to="auditor1", role="officer"):
    from victimcare.accounts import operations as accounts

    admin, user = _users(session, by, to)
    return accounts.update_user(user, display_name=user.display_name, agency=user.agency, role=role, by=admin)


def test_the_requester_can_never_approve_their_own_request(seeded):
    with db_session(seeded) as session:
        row = _role_grant(session)
        (admin1,) = _users(session, "admin1")
        assert not approvals.may_decide(admin1, row)
        with pytest.raises(approvals.ApprovalRefused):
            approvals.decide(row, admin1, approve=True)
        assert row.waiting and _users(session, "auditor1")[0].role == "auditor"


def test_nobody_decides_a_change_to_their_own_account(seeded):
    with db_session(seeded) as session:
        row = _role_grant(session, by="admin1", to="admin2", role="supervisor")
        (admin2,) = _users(session, "admin2")
        with pytest.raises(approvals.ApprovalRefused):
            approvals.decide(row, admin2, approve=True)
        assert row.waiting


def test_a_request_is_decided_once(seeded):
    with db_session(seeded) as session:
        row = _role_grant(session)
        (admin2,) = _users(session, "admin2")
        assert approvals.decide(row, admin2, approve=False) is Outcome.REFUSED
        with pytest.raises(approvals.ApprovalRefused):
            approvals.decide(row, admin2, approve=True)
        assert row.outcome is Outcome.REFUSED and _users(session, "auditor1")[0].role == "auditor"


def test_the_requester_may_withdraw(seeded):
    with db_session(seeded) as session:
        row = _role_grant(session)
        (admin1,) = _users(session, "admin1")
        assert approvals.decide(row, admin1, approve=False) is Outcome.WITHDRAWN
        assert not row.waiting


def test_one_request_per_subject_waits_at_a_time(seeded):
    from victimcare.accounts.operations import AccountError

    with db_session(seeded) as session:
        _role_grant(session)
        with pytest.raises(AccountError):
            _role_grant(session, role="case_worker")


def test_queues_show_each_approver_what_they_may_decide(seeded):
    reference = add_case(seeded, "social-demo")
    erasure_id = request_erasure(seeded, reference, "supervisor1")
    with db_session(seeded) as session:
        grant = _role_grant(session)
        admin1, admin2, supervisor1, supervisor2, supervisor3 = _users(
            session, "admin1", "admin2", "supervisor1", "supervisor2", "supervisor3"
        )
        assert [r.id for r in approvals.waiting_on(admin2)] == [grant.id]
        assert approvals.waiting_on(admin1) == [] and [r.id for r in approvals.asked_by(admin1)] == [grant.id]
        assert [str(r.id) for r in approvals.waiting_on(supervisor2)] == [erasure_id]
        assert approvals.waiting_on(supervisor1) == [] and approvals.waiting_on(supervisor3) == []
        waiting = session.scalars(
            approvals.waiting_query().where(PendingChange.kind == ApprovalKind.ERASURE)
        ).all()
        assert [str(r.id) for r in waiting] == [erasure_id]
