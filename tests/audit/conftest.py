"""Fixtures of the confidentiality log's tests, and what an attacker holding the database does first."""

import pytest
import sqlalchemy as sa

from vocabulary import AuditAction, FieldGroup, ObjectType

AUDIT_TABLES = ("audit_events", "audit_head", "audit_checkpoints")


def drop_triggers(session):
    """What whoever holds the database file (or PostgreSQL's superuser) can do first."""
    if session.get_bind().dialect.name == "postgresql":
        for table in AUDIT_TABLES:
            session.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
    else:
        names = session.scalars(
            sa.text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN "
                "('audit_events', 'audit_head', 'audit_checkpoints')"
            )
        ).all()
        for name in names:
            session.execute(sa.text(f"DROP TRIGGER {name}"))
    session.commit()


@pytest.fixture
def five_events(app):
    """A log of exactly five events (no demo set-up)."""
    from victimcare.audit import operations as audit
    from victimcare.extensions import db

    assert (
        app.test_cli_runner().invoke(args=["audit", "checkpoint", "--first"]).exit_code == 0
    )  # a new installation
    with app.app_context():
        for n in range(5):
            audit.record(
                AuditAction.VIEW,
                object_type=ObjectType.CASE,
                object_id=f"case-{n}",
                fields=[FieldGroup.IDENTITY],
            )
        db.session.commit()
    return app
