"""PostgreSQL: two people fire a step on the same case at the same moment; one wins, one is told."""

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from tests.helpers import add_case, db_session
from victimcare.accounts.models import User
from victimcare.cases import path
from victimcare.cases.models import Case, StageEvent
from victimcare.extensions import db

pytestmark = pytest.mark.pg


def test_one_of_two_simultaneous_steps_wins(seeded):
    reference = add_case(seeded, "police-demo")
    barrier = threading.Barrier(2)
    outcomes = []

    def fire(trigger: str, facts: dict):
        with seeded.app_context():
            user = db.session.scalar(sa.select(User).where(User.username == "police1"))
            case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
            version = case.version
            barrier.wait()
            try:
                path.fire_transition(case, trigger, facts, user, expected_version=version)
                db.session.commit()
                outcomes.append("ok")
            except (path.StaleCase, sa.orm.exc.StaleDataError):
                db.session.rollback()
                outcomes.append("stale")
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=fire, args=("suspend", {"last_contact_on": date(2026, 11, 20)})),
        threading.Thread(
            target=fire,
            args=("decline_assistance", {"declined_how": "in_writing", "declined_on": date(2026, 11, 20)}),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "stale"]
    with db_session(seeded) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        assert case.stage in ("suspended", "closed")
        assert session.scalar(sa.select(sa.func.count()).select_from(StageEvent)) == 1
