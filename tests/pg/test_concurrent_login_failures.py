"""PostgreSQL: parallel wrong guesses at one username are all counted, and none fails on the new row."""

import threading

import pytest
import sqlalchemy as sa

from tests.helpers import db_session
from victimcare.accounts import throttle
from victimcare.accounts.models import LoginThrottle
from victimcare.extensions import db

pytestmark = pytest.mark.pg


def test_eight_parallel_failures_count_eight(seeded):
    barrier = threading.Barrier(8)
    errors = []

    def fail():
        with seeded.app_context():
            barrier.wait()
            try:
                throttle.record_failure("brand-new-guess")
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - any failure is the finding
                errors.append(type(error).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=fail) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    with db_session(seeded) as session:
        assert session.scalar(sa.select(LoginThrottle.failures)) == 8
        with seeded.test_request_context():
            assert throttle.locked_for("brand-new-guess") is not None
