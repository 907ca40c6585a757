"""PostgreSQL: two people answer the same referral at the same moment; one wins, one is told."""

import threading
import uuid

import pytest
import sqlalchemy as sa

from tests.helpers import add_case, add_referral, db_session
from victimcare.accounts.models import User
from victimcare.cases.models import Case
from victimcare.extensions import db
from victimcare.referrals import operations
from victimcare.referrals.models import Referral, ReferralEvent

pytestmark = pytest.mark.pg


def _race(app, referral_id: str, answers: list[tuple[str, str, str | None]]) -> list[str]:
    barrier = threading.Barrier(len(answers))
    outcomes = []

    def answer(username: str, trigger: str, reason: str | None):
        with app.app_context():
            user = db.session.scalar(sa.select(User).where(User.username == username))
            referral = db.session.get(Referral, uuid.UUID(referral_id))
            version = referral.version
            barrier.wait()
            try:
                operations.answer(referral, trigger, user, reason=reason, expected_version=version)
                db.session.commit()
                outcomes.append("ok")
            except operations.ReferralChanged:
                db.session.rollback()
                outcomes.append("changed")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=answer, args=a) for a in answers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return sorted(outcomes)


def test_accept_and_decline_at_once_one_wins(seeded):
    reference = add_case(seeded, "police-demo")
    referral_id = add_referral(seeded, reference, "health-demo")
    outcomes = _race(seeded, referral_id, [("health1", "accept", None), ("health1", "decline", "Hết giường")])
    assert outcomes == ["changed", "ok"]
    with db_session(seeded) as session:
        referral = session.get(Referral, uuid.UUID(referral_id))
        assert referral.status in ("accepted", "declined")
        steps = session.scalars(
            sa.select(ReferralEvent.trigger).where(ReferralEvent.referral_id == referral.id)
        ).all()
        winner = {"accepted": "accept", "declined": "decline"}[referral.status.value]
        assert sorted(steps) == sorted(["send", winner])


def test_a_transfer_accepted_while_the_sender_withdraws_it_ends_one_way(seeded):
    reference = add_case(seeded, "border-demo")
    referral_id = add_referral(
        seeded,
        reference,
        "social-demo",
        by="border1",
        purpose="protection",
        kind="transfer",
        legal_basis="danger_to_life",
    )
    outcomes = _race(seeded, referral_id, [("social1", "accept", None), ("border1", "withdraw", None)])
    assert outcomes == ["changed", "ok"]
    with db_session(seeded) as session:
        referral = session.get(Referral, uuid.UUID(referral_id))
        owner = session.scalar(sa.select(Case).where(Case.reference == reference)).owning_agency.code
        assert (referral.status, owner) in {("completed", "social-demo"), ("withdrawn", "border-demo")}
