"""Pooled connections are tested after idling, and a dead one is replaced before a request uses it."""

from __future__ import annotations

import time

import sqlalchemy as sa

from victimcare.database import ping_after_idle


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
