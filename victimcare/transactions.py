"""How a transaction begins: read requests read without SQLite's write lock.

SQLite has one writer at a time. A transaction that reads and then writes must take the write lock
up front (``BEGIN IMMEDIATE``): a deferred one fails outright when another worker committed in
between. So every transaction used to take it, and a page view held it while it queried and
rendered: two gunicorn workers took turns, and a waiting one slept in SQLite's busy handler.

Now a GET or HEAD request reads in a deferred transaction (WAL lets readers run beside the
writer). What such a request writes (the events of what it showed, a session's last-seen time)
is written apart, after the reads, in a short transaction of its own: ``write_apart`` ends the
read, begins with ``BEGIN IMMEDIATE`` and commits. A write inside the read transaction is a bug,
and is refused loudly rather than left to fail one time in a thousand under load.

PostgreSQL needs none of this (MVCC; appenders lock only the audit head row): there the write
joins the read's transaction (one commit, not two), and the same rule keeps that lock short: the
audit head is taken after the page is rendered, not before.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, g, request
from sqlalchemy.engine import Engine

from victimcare.database import listen

_reading: ContextVar[bool] = ContextVar("victimcare_reading", default=False)
_DEFERRED = "victimcare.deferred_transaction"  # connection.info key: this transaction began deferred
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriteInReadTransaction(RuntimeError):
    """A read request tried to write inside its read transaction; use ``write_apart``."""


def reading() -> bool:
    """Whether this request reads only; its writes must go through ``write_apart``."""
    return _reading.get()


@contextmanager
def write_apart(session):
    """End the read transaction, then write in a transaction of its own that takes the write lock
    (on PostgreSQL: write in the read's transaction), and commit.

    Outside a read request it simply commits what the block wrote.
    """
    if not _reading.get():
        yield
        session.commit()
        return
    if session.get_bind().dialect.name == "sqlite":
        # Ends the read (nothing is pending in a read request): SQLite cannot turn a read into a
        # write once another worker has committed. PostgreSQL can, so there the write joins the
        # read's transaction and the page saves a commit's round trip.
        session.commit()
    token = _reading.set(False)
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _reading.reset(token)


def _sqlite_begin(connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    deferred = _reading.get()
    connection.info[_DEFERRED] = deferred
    connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def _sqlite_end(connection) -> None:
    connection.info.pop(_DEFERRED, None)


def _refuse_writes_while_reading(connection, cursor, statement, parameters, context, executemany) -> None:
    if connection.info.get(_DEFERRED) and statement.lstrip()[:7].upper().startswith(_WRITES):
        raise WriteInReadTransaction(
            "a read request wrote inside its read transaction; wrap the write in transactions.write_apart()"
        )


def _start_request() -> None:
    if request.method in ("GET", "HEAD"):
        g._victimcare_reading = _reading.set(True)


def _end_request(exc=None) -> None:
    token = g.pop("_victimcare_reading", None)
    if token is not None:
        _reading.reset(token)


def init_app(app: Flask) -> None:
    """How every transaction begins, and the request hook that says whether it reads.

    The hook comes first of the request hooks, so no query of the request runs before the mode is known.
    """
    listen(Engine, "begin", _sqlite_begin)
    listen(Engine, "commit", _sqlite_end)
    listen(Engine, "rollback", _sqlite_end)
    listen(Engine, "before_cursor_execute", _refuse_writes_while_reading)
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.teardown_request(_end_request)
