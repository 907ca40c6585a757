"""PostgreSQL roles: the owner runs migrations; the app runs as a role that owns nothing.

A table's owner can disable its triggers, so an app connected as the owner could rewrite the
confidentiality log. The app role gets only what the app does: SELECT and INSERT on the log and
its checkpoints, SELECT and UPDATE on the chain head (the append path moves it; a trigger lets it
move only forward), and SELECT/INSERT/UPDATE/DELETE on every other table. The statements are
here, in one place, for ``flask db grant-app-role ROLE`` (README, production) and its test.
"""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app
from flask_migrate.cli import db as db_cli

APPEND_ONLY = ("audit_events", "audit_checkpoints")
MOVES_FORWARD = ("audit_head",)
READ_ONLY = ("alembic_version",)


def privileges(table: str) -> str:
    if table in APPEND_ONLY:
        return "SELECT, INSERT"
    if table in MOVES_FORWARD:
        return "SELECT, UPDATE"
    if table in READ_ONLY:
        return "SELECT"
    return "SELECT, INSERT, UPDATE, DELETE"


def grant_statements(role: str, tables: list[str], quote) -> list[str]:
    """Revoke everything, then grant each table's privileges: re-run after every ``db upgrade``."""
    who = quote(role)
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {who}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {who}",
        f"GRANT USAGE ON SCHEMA public TO {who}",
    ]
    statements += [f"GRANT {privileges(table)} ON TABLE {quote(table)} TO {who}" for table in sorted(tables)]
    statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {who}")
    return statements


def migration_engine() -> sa.Engine:
    """The owner's connection: ``DATABASE_MIGRATION_URL`` when set, else the app's own."""
    from victimcare.extensions import db

    url = current_app.config.get("DATABASE_MIGRATION_URL")
    if not url:
        return db.engine
    return sa.create_engine(url, poolclass=sa.pool.NullPool, hide_parameters=True)


def grant_app_role(connection, role: str) -> list[str]:
    """Run the grants for ``role``; refuse a role that could undo them (it owns tables, or is superuser)."""
    owns = connection.execute(
        sa.text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = :role"),
        {"role": role},
    ).scalar()
    superuser = connection.execute(
        sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = :role"), {"role": role}
    ).scalar()
    if superuser is None:
        raise click.ClickException(
            f"there is no PostgreSQL role {role!r}: create it first (README, production)"
        )
    if owns or superuser:
        raise click.ClickException(
            f"{role!r} owns tables or is a superuser: it could disable the audit triggers"
        )
    tables = sa.inspect(connection).get_table_names(schema="public")
    quote = connection.dialect.identifier_preparer.quote
    statements = grant_statements(role, tables, quote)
    for statement in statements:
        connection.execute(sa.text(statement))
    return statements


@db_cli.command("grant-app-role")
@click.argument("role")
def grant_app_role_command(role: str) -> None:
    """Give ROLE (the app's PostgreSQL role) exactly what the app needs; run as the owner after upgrades."""
    engine = migration_engine()
    if engine.dialect.name != "postgresql":
        raise click.ClickException("roles exist on PostgreSQL only")
    with engine.begin() as connection:
        statements = grant_app_role(connection, role)
    click.echo("\n".join(f"{statement};" for statement in statements))
