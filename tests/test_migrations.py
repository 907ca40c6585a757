"""Migrations are code: head matches the models, and every revision goes down and up again."""

import flask_migrate
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from victimcare.config import PROJECT_ROOT
from victimcare.extensions import db


def _diff(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_the_database_built_by_upgrade_head_matches_the_models(app):
    assert _diff(app) == []


def test_every_revision_downgrades_and_upgrades_again(app):
    script = ScriptDirectory(str(PROJECT_ROOT / "migrations"))
    revisions = [r.revision for r in script.walk_revisions("base", "heads")]
    with app.app_context():
        for revision in revisions:  # newest first
            flask_migrate.downgrade(revision=f"{revision}-1" if revision != revisions[-1] else "base")
        assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]
        flask_migrate.upgrade()
    assert _diff(app) == []


def test_there_is_a_single_head():
    script = ScriptDirectory(str(PROJECT_ROOT / "migrations"))
    assert len(script.get_heads()) == 1


def test_cases_opened_before_the_path_revision_keep_their_data(app):
    """Upgrading a database with cases in it fills the new required columns."""
    import uuid

    with app.app_context():
        flask_migrate.downgrade(revision="8537326e7729")
        agency_id, victim_id, case_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        hexed = db.engine.dialect.name == "sqlite"
        key = (lambda u: u.hex) if hexed else (lambda u: u)
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO agencies (id, code, name, kind, province_code, active, created_at) "
                    "VALUES (:id, 'old-agency', 'Old', 'police', '15', true, CURRENT_TIMESTAMP)"
                ),
                {"id": key(agency_id)},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO victims (id, gender, nationality, created_at, version) "
                    "VALUES (:id, 'Feminine', 'VN', CURRENT_TIMESTAMP, 1)"
                ),
                {"id": key(victim_id)},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO cases (id, reference, victim_id, owning_agency_id, stage, created_at, version) "
                    "VALUES (:id, 'VC-2025-000001', :victim, :agency, 'intake', CURRENT_TIMESTAMP, 1)"
                ),
                {"id": key(case_id), "victim": key(victim_id), "agency": key(agency_id)},
            )
        flask_migrate.upgrade()
        from victimcare.cases.models import Case

        case = db.session.scalar(sa.select(Case).where(Case.reference == "VC-2025-000001"))
        assert case.legal_regime == "2024" and case.exploitation == [] and case.facts == {}
        assert case.stage == "intake" and case.stage_started_at is not None
        db.session.remove()
