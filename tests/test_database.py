"""Listeners are registered by ``create_app`` (each part's ``init_app``), never by importing a module;
pooled connections are tested after idling, and a dead one is replaced before a request uses it."""

import re
import subprocess
import sys
import time

import sqlalchemy as sa

from victimcare.config import PROJECT_ROOT
from victimcare.database import ping_after_idle

_PROBE = """
import os
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from victimcare import audit, cases, crypto, database, transactions
from victimcare.audit import operations
from victimcare.cases import models
from victimcare.crypto import fields, scrub

LISTENERS = [
    (Session, "before_flush", fields.seal_pending),
    (Session, "before_flush", models.refresh_minor_snapshots),
    (Session, "after_commit", scrub.scrub_on_commit),
    (Session, "after_rollback", scrub.forget_on_rollback),
    (Session, "after_commit", operations.checkpoint_after_commit),
    (Engine, "connect", database._sqlite_pragmas),
    (Engine, "begin", transactions._sqlite_begin),
    (Engine, "commit", transactions._sqlite_end),
    (Engine, "rollback", transactions._sqlite_end),
    (Engine, "before_cursor_execute", transactions._refuse_writes_while_reading),
]
print(sum(sa.event.contains(*listener) for listener in LISTENERS))
from victimcare import create_app
create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"},
           environ={"VICTIMCARE_ENV": "testing", "VICTIMCARE_INSTANCE": os.environ["PROBE_INSTANCE"]})
print(sum(sa.event.contains(*listener) for listener in LISTENERS))
"""


def test_importing_registers_no_listener_and_create_app_registers_them(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=PROJECT_ROOT,
        env={"PATH": "", "PROBE_INSTANCE": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "10"]


def test_no_module_listens_at_import_time():
    """Only ``database.listen``, called from an ``init_app``, registers a listener."""
    pattern = re.compile(r"listens_for|event\.listen\(")
    found = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for path in sorted((PROJECT_ROOT / "victimcare").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line) and not (path.name == "database.py" and "sa.event.listen(target" in line)
    ]
    assert found == []


def _engine(tmp_path, pings: list):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'pool.db'}")
    ping_after_idle(engine, seconds=0.2)
    real = engine.dialect.do_ping

    def counted(dbapi_connection):
        pings.append(dbapi_connection)
        return real(dbapi_connection)

    engine.dialect.do_ping = counted
    return engine


def test_a_connection_used_a_moment_ago_is_not_pinged_and_an_idle_one_is(tmp_path):
    pings: list = []
    engine = _engine(tmp_path, pings)
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
    with engine.connect() as connection:  # back in the pool a moment ago
        connection.exec_driver_sql("SELECT 1")
    assert pings == []
    time.sleep(0.3)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1
    assert len(pings) == 1
    engine.dispose()


def test_an_idle_connection_that_fails_its_ping_is_replaced(tmp_path):
    pings: list = []
    engine = _engine(tmp_path, pings)
    with engine.connect() as connection:
        first = connection.connection.dbapi_connection
    time.sleep(0.3)
    engine.dialect.do_ping = lambda dbapi_connection: (
        pings.append(dbapi_connection) or False
    )  # the server went away
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1
        assert connection.connection.dbapi_connection is not first
    assert pings == [first]
    engine.dispose()
