"""`flask keys …` and the confidentiality log: crypto imports no other domain, yet every key change is logged."""

import sqlalchemy as sa

from tests.helpers import db_session
from victimcare.audit.models import AuditEvent
from victimcare.config import Config
from victimcare.crypto import signals
from victimcare.demo import USERS

# The demo's only data keys: those sealing the authenticator secrets of the roles that require one.
DEMO_KEYS = sum(1 for user in USERS if user[3].value in Config.SECOND_FACTOR_ROLES)


def _key_events(app):
    with db_session(app) as session:
        return [
            (e.action, e.purpose, e.detail)
            for e in session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "key_rotate"))
        ]


def test_rotating_and_retiring_keys_are_logged(seeded):
    runner = seeded.test_cli_runner()
    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
    assert runner.invoke(args=["keys", "retire", "--unused"]).exit_code == 0
    assert _key_events(seeded) == [
        ("key_rotate", "cli", {"primary_kek": 2, "rewrapped": DEMO_KEYS}),
        ("key_rotate", "cli", {"retired_keks": [1], "erasures_completed": 0}),
    ]


def test_no_key_changes_while_nothing_would_log_it(seeded):
    """Were the log's listener ever missing, a rotation would stop before it changed anything."""
    from victimcare.audit import _record_key_change

    signals.keys_changed.disconnect(_record_key_change)
    try:
        result = seeded.test_cli_runner().invoke(args=["keys", "rotate"])
    finally:
        signals.keys_changed.connect(_record_key_change)
    assert result.exit_code != 0 and "nothing records key changes" in str(result.exception)
    assert _key_events(seeded) == []
    assert "KEK 2" not in seeded.test_cli_runner().invoke(args=["keys", "status"]).output  # no new KEK
