"""PostgreSQL: the app runs as a role that owns nothing; it appends to the log and cannot undo it."""

import os

import pytest
import sqlalchemy as sa

from tests.helpers import add_case, db_session, log_in

pytestmark = pytest.mark.pg


@pytest.fixture
def app_role(database_url):
    """A login role with no privileges yet, as the README's production section creates it."""
    role = f"vc_app_{os.getpid()}"
    owner = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with owner.begin() as connection:
        connection.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))
        connection.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
    yield role
    with owner.begin() as connection:
        connection.execute(sa.text(f'DROP OWNED BY "{role}"'))
        connection.execute(sa.text(f'DROP ROLE "{role}"'))
    owner.dispose()


def test_the_app_role_appends_to_the_log_but_cannot_rewrite_it(app_factory, app_role, database_url):
    from victimcare.demo import seed_demo
    from victimcare.extensions import db

    as_app = app_factory(
        SQLALCHEMY_DATABASE_URI=sa.engine.make_url(database_url)
        .set(username=app_role)
        .render_as_string(hide_password=False),
        DATABASE_MIGRATION_URL=database_url,
    )
    runner = as_app.test_cli_runner()
    # As in production: migrations and grants connect as the owner (DATABASE_MIGRATION_URL).
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    granted = runner.invoke(args=["db", "grant-app-role", app_role])
    assert granted.exit_code == 0, granted.output
    assert runner.invoke(args=["audit", "checkpoint", "--first"]).exit_code == 0
    with as_app.app_context():
        seed_demo()
        db.session.commit()
    reference = add_case(as_app, "police-demo", full_name="Lò Thị Xuyến")
    client = as_app.test_client()
    log_in(client, "police1", "victimcare-demo")
    assert client.get(f"/cases/{reference}").status_code == 200  # the whole app works with these grants
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    intact = runner.invoke(args=["audit", "verify"])
    assert intact.exit_code == 0, intact.output

    attempts = [
        "UPDATE audit_events SET object_id = 'other' WHERE seq = 1",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
        "ALTER TABLE audit_events DISABLE TRIGGER ALL",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete",
        "DROP TRIGGER audit_events_no_update_or_delete ON audit_events",
        "UPDATE audit_checkpoints SET size = 0",
        "DELETE FROM audit_checkpoints",
        "TRUNCATE audit_checkpoints",
        "ALTER TABLE audit_checkpoints DISABLE TRIGGER ALL",
        "DELETE FROM audit_head",
        "TRUNCATE audit_head",
        "ALTER TABLE audit_head DISABLE TRIGGER ALL",
        "UPDATE audit_head SET last_seq = 1",
        "INSERT INTO audit_head (id, last_seq, last_hash) VALUES (2, 0, '')",
    ]
    with db_session(as_app) as session:
        for statement in attempts:
            with pytest.raises(
                sa.exc.DatabaseError, match="permission denied|must be owner|only moves forward"
            ):
                session.execute(sa.text(statement))
            session.rollback()
        owner_of_anything = session.scalar(
            sa.text(
                "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = current_user"
            )
        )
        assert owner_of_anything == 0
    quiet = runner.invoke(args=["audit", "verify"])
    assert quiet.exit_code == 0 and "Warning" not in quiet.output


def test_grant_app_role_refuses_the_owner_and_verify_warns_when_the_app_runs_as_it(app):
    app.test_cli_runner().invoke(args=["audit", "checkpoint", "--first"])
    warned = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert warned.exit_code == 0 and "could disable" in warned.output
    refused = app.test_cli_runner().invoke(args=["db", "grant-app-role", "postgres"])
    assert refused.exit_code != 0 and "disable the audit triggers" in refused.output
