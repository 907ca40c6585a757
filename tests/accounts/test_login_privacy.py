"""What is typed at login stays out of the database and the logs, and old throttle rows go away."""

import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import db_session, log_in, raw_database_bytes
from victimcare.accounts.models import LoginThrottle, User
from victimcare.database import utcnow

PASSWORD_IN_THE_WRONG_BOX = "Mat-khau-Bi-Mat-2026"


def test_a_password_typed_as_the_username_is_not_kept_anywhere_in_the_database(seeded, client):
    assert log_in(client, PASSWORD_IN_THE_WRONG_BOX, "whatever").status_code == 401
    raw = raw_database_bytes(seeded)
    assert PASSWORD_IN_THE_WRONG_BOX.encode() not in raw
    assert PASSWORD_IN_THE_WRONG_BOX.lower().encode() not in raw
    for _ in range(5):  # and it still counts towards the lock
        response = log_in(client, PASSWORD_IN_THE_WRONG_BOX, "whatever")
    assert "tạm thời bị khóa" in response.text


def test_throttle_rows_idle_for_a_day_are_purged_at_the_next_failure(seeded, client):
    for name in ("old-typo", "police1"):
        log_in(client, name, "wrong-password-guess")
    with db_session(seeded) as session:
        for row in session.scalars(sa.select(LoginThrottle)):
            row.last_failure_at = utcnow() - timedelta(days=2)
        session.commit()
    log_in(client, "fresh-typo", "wrong-password-guess")
    with db_session(seeded) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle)) == 1


def test_a_lock_still_in_force_is_not_purged(seeded, client):
    for _ in range(12):
        log_in(client, "police1", "wrong-password-guess")
    with db_session(seeded) as session:
        row = session.scalar(sa.select(LoginThrottle))
        row.last_failure_at = utcnow() - timedelta(days=2)
        row.locked_until = utcnow() + timedelta(minutes=30)
        session.commit()
    log_in(client, "someone-else", "wrong-password-guess")
    assert "tạm thời bị khóa" in log_in(client, "police1", "victimcare-demo").text


def test_a_database_error_names_no_values(seeded, caplog):
    """A failed statement's message (logged, or shown in a traceback) carries no SQL parameters."""
    from victimcare.extensions import db

    marker = "$argon2id$v=19$SECRET-HASH-MARKER"
    with seeded.app_context(), caplog.at_level(logging.DEBUG):
        police = db.session.scalar(sa.select(User).where(User.username == "police1"))
        copy = User(
            username="police1",
            display_name="x",
            password_hash=marker,
            agency_id=police.agency_id,
            role="officer",
        )
        db.session.add(copy)
        with pytest.raises(sa.exc.IntegrityError) as error:
            db.session.flush()
        db.session.rollback()
        db.session.remove()
    assert marker not in str(error.value)
    assert marker not in caplog.text
