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
