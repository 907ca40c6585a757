"""Shared set-up for benchmarks: an app on a throwaway database built by the migrations."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import flask_migrate

from victimcare import create_app


def bench_app(database_url: str | None = None, **overrides):
    """An app on ``database_url`` (default: a new SQLite file), schema at head, demo data seeded."""
    workdir = Path(tempfile.mkdtemp(prefix="victimcare-bench-"))
    url = database_url or f"sqlite:///{workdir / 'bench.db'}"
    environ = {"VICTIMCARE_ENV": "testing", "VICTIMCARE_INSTANCE": str(workdir)}
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, **overrides}, environ=environ)
    with app.app_context():
        flask_migrate.upgrade()
        from victimcare.demo import seed_demo
        from victimcare.extensions import db

        seed_demo()
        db.session.commit()
        from victimcare.audit.checkpoints import write_checkpoint

        with db.engine.begin() as connection:  # as a new installation does (README): later ones extend it
            write_checkpoint(connection, first=True)
    return app


def settings_line(app) -> str:
    from victimcare.extensions import db

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            with engine.connect() as c:
                mode = c.exec_driver_sql("PRAGMA journal_mode").scalar()
                sync = c.exec_driver_sql("PRAGMA synchronous").scalar()
            return f"SQLite {engine.dialect.dbapi.sqlite_version}, journal_mode={mode}, synchronous={sync} (2=FULL)"
        with engine.connect() as c:
            fsync = c.exec_driver_sql("SHOW fsync").scalar()
            commit = c.exec_driver_sql("SHOW synchronous_commit").scalar()
            version = c.exec_driver_sql("SHOW server_version").scalar()
        return f"PostgreSQL {version}, fsync={fsync}, synchronous_commit={commit}"


def postgres_url(suffix: str = "") -> str | None:
    """A fresh PostgreSQL database for a benchmark, or None when no server is reachable."""
    import sqlalchemy as sa

    admin = os.environ.get("VICTIMCARE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    name = f"victimcare_bench_{os.getpid()}{suffix}"
    try:
        engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        with engine.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception:  # noqa: BLE001 - no server: the benchmark says so and skips that part
        return None
    return sa.engine.make_url(admin).set(database=name).render_as_string(hide_password=False)


def drop_postgres(url: str, app=None) -> None:
    """Remove a benchmark's PostgreSQL database."""
    import sqlalchemy as sa

    if app is not None:
        from victimcare.extensions import db

        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    admin = os.environ.get("VICTIMCARE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    name = sa.engine.make_url(url).database
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
