"""Fixtures: an app on a throwaway database built by ``alembic upgrade head``.

The schema is built once per run and copied for each test (a file copy on SQLite, a
``CREATE DATABASE … TEMPLATE`` on PostgreSQL), so every test starts clean and fast.
``VICTIMCARE_TEST_BACKEND=postgresql`` runs the same suite on PostgreSQL.
"""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import helpers
from victimcare import create_app

BACKEND = os.environ.get("VICTIMCARE_TEST_BACKEND", "sqlite")
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(config, items):
    if BACKEND != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL: run `make test-pg`")
        for item in items:
            if "pg" in item.keywords:
                item.add_marker(skip)


def _unavailable(reason: str):
    if IN_CI:
        pytest.exit(f"CI=true but {reason}", returncode=1)
    pytest.skip(reason)


class SQLiteDatabases:
    def __init__(self, directory):
        self.directory = directory
        self.template = directory / "template.db"

    def template_url(self) -> str:
        return f"sqlite:///{self.template}"

    def new(self) -> str:
        path = self.directory / f"test-{uuid.uuid4().hex}.db"
        shutil.copyfile(self.template, path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        pass


class PostgresDatabases:
    counter = itertools.count()

    def __init__(self, admin_url: str):
        self.admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        self.base_url = sa.engine.make_url(admin_url)
        self.prefix = f"vc_test_{os.getpid()}"
        self.template_name = f"{self.prefix}_template"
        self._execute(f'DROP DATABASE IF EXISTS "{self.template_name}"')
        self._execute(f'CREATE DATABASE "{self.template_name}"')

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(sa.text(sql))

    def _url(self, name: str) -> str:
        return self.base_url.set(database=name).render_as_string(hide_password=False)

    def template_url(self) -> str:
        return self._url(self.template_name)

    def new(self) -> str:
        name = f"{self.prefix}_{next(self.counter)}"
        self._execute(f'DROP DATABASE IF EXISTS "{name}"')
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template_name}"')
        return self._url(name)

    def drop(self, url: str) -> None:
        name = sa.engine.make_url(url).database
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.template_name}" WITH (FORCE)')
        self.admin.dispose()


def _postgres_admin_url() -> str:
    return os.environ.get("VICTIMCARE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(autouse=True)
def _test_clock(request, monkeypatch):
    """Every test runs on ``helpers.CLOCK`` from real time; browser tests share one live database, so
    their clock only ever moves forward."""
    import victimcare.database

    monkeypatch.setattr(victimcare.database, "datetime", helpers.ClockDatetime)
    if request.node.get_closest_marker("e2e") is None:
        helpers.CLOCK.offset = timedelta(0)


@pytest.fixture
def clock():
    """``clock.advance(minutes=6)`` moves the app's time on (sessions, step-up, TOTP codes)."""
    return helpers.CLOCK


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    if BACKEND == "postgresql":
        url = _postgres_admin_url()
        try:
            with sa.create_engine(url, poolclass=sa.pool.NullPool).connect():
                pass
        except Exception as error:  # noqa: BLE001 - any failure means "not here"
            _unavailable(f"PostgreSQL is not reachable at {url}: {type(error).__name__}")
        factory = PostgresDatabases(url)
    else:
        factory = SQLiteDatabases(tmp_path_factory.mktemp("db"))
    app = helpers.make_app(factory.template_url(), tmp_path_factory.mktemp("instance"))
    helpers.upgrade_to_head(app)
    yield factory
    if isinstance(factory, PostgresDatabases):
        factory.close()


@pytest.fixture
def database_url(databases):
    url = databases.new()
    yield url
    databases.drop(url)


@pytest.fixture
def app_factory(database_url, tmp_path):
    """Builds apps on this test's database, and closes their connections afterwards."""
    from victimcare.extensions import db

    apps = []

    def build(**overrides):
        app = helpers.make_app(database_url, tmp_path / f"instance-{len(apps)}", **overrides)
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(app_factory):
    return app_factory()


@pytest.fixture
def seeded(app):
    """The app with the demo agencies and users of DESIGN.md §8."""
    helpers.seed(app)
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login_as(seeded):
    """``login_as("police1")`` gives a test client logged in as that demo user."""

    def login(username: str, password: str | None = None):
        client = seeded.test_client()
        response = helpers.log_in(client, username, password or seeded.config["DEMO_PASSWORD"])
        assert response.status_code == 302, response.text
        return client

    return login


__all__ = ["create_app"]
