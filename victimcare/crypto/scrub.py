"""After an erasure: leave no copy of the destroyed wrapped keys in the database's own files.

Shredding sets ``data_keys.wrapped`` to NULL, but the database keeps the old bytes for a while:
SQLite in the WAL (every frame written since the last checkpoint) and, until that checkpoint, in
the main file's old page; PostgreSQL in the dead tuple the UPDATE left behind. So once the erasure
has committed:

- SQLite (``secure_delete`` is on, so a rewritten page keeps no freed bytes) is checkpointed with
  ``wal_checkpoint(TRUNCATE)``: the clean pages replace the old ones in the main file and the WAL
  is cut to zero bytes.
- PostgreSQL rewrites the key table with ``VACUUM FULL data_keys``. A plain VACUUM is not enough:
  it frees the dead tuple's line pointer but may leave its bytes in the page's free space. And a
  dead row an older transaction could still see (in any database of the cluster) is copied into
  the new file, so the rewrite first waits, briefly, for the transactions older than it to end. The table is small (one short
  row per person), so the rewrite takes its exclusive lock briefly; a lock timeout keeps a busy
  moment from queueing page views behind it.

Both need what a request may not have (no reader in the WAL; the table's owner on PostgreSQL), so
a failure is logged and left to ``flask keys vacuum``, which cron runs (see the README). Copies
the database no longer controls — backups, WAL archives, replicas — are dealt with by retiring the
KEK that wrapped the key (``rotation.pending_erasures``).
"""

from __future__ import annotations

import logging
import sqlite3
import time

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_AFTER_COMMIT = "victimcare.scrub_after_commit"  # session.info key: an erasure is in this transaction
SQLITE_WAIT_MS = 3000  # how long the checkpoint waits for readers to leave the WAL
POSTGRES_LOCK_TIMEOUT = "5s"


def scrub(engine: Engine) -> bool:
    """Remove destroyed keys' old bytes from the database files; True when done, False to retry later."""
    try:
        if engine.dialect.name == "sqlite":
            return _checkpoint_sqlite(engine)
        if engine.dialect.name == "postgresql":
            return _vacuum_postgres(engine)
    except (sa.exc.DBAPIError, sqlite3.Error) as error:
        # Only the error's class: its message could quote a statement's parameters.
        log.warning(
            "erasure scrub deferred to `flask keys vacuum`: %s", type(getattr(error, "orig", error)).__name__
        )
        return False
    return True


def _checkpoint_sqlite(engine: Engine) -> bool:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_WAIT_MS}")
        try:
            busy, _log_frames, _moved = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()
    finally:
        raw.close()
    if busy:
        log.warning("erasure scrub deferred to `flask keys vacuum`: readers kept the WAL busy")
    return not busy


def _vacuum_postgres(engine: Engine) -> bool:
    # VACUUM refuses to run inside a transaction block.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if not connection.scalar(_OWNS_DATA_KEYS):
            log.info("erasure scrub left to `flask keys vacuum` run as the owner of data_keys")
            return False
        if not _older_transactions_gone(connection):
            log.warning("erasure scrub deferred to `flask keys vacuum`: an older transaction still runs")
            return False
        connection.execute(sa.text(f"SET lock_timeout = '{POSTGRES_LOCK_TIMEOUT}'"))
        try:
            connection.execute(sa.text("VACUUM FULL data_keys"))
        finally:
            connection.execute(sa.text("RESET lock_timeout"))
    return True


def _older_transactions_gone(connection, wait_seconds: float = 5.0) -> bool:
    """Wait until no transaction that began before now is left (a report query, another app's work).

    VACUUM FULL copies a dead row that is not yet dead to everyone, key and all, into the new file;
    and its own snapshot counts too, which is held back by any older transaction with an id in the
    whole cluster, not only in this database. Every erasure committed before this moment is then
    dead to everyone.
    """
    start = connection.scalar(sa.text("SELECT pg_snapshot_xmax(pg_current_snapshot())::text"))
    deadline = time.monotonic() + wait_seconds
    while connection.scalar(_OLDER_TRANSACTIONS, {"start": start}):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


# VACUUM needs the table's owner (the migrations' role); the app's own role may not be it.
_OWNS_DATA_KEYS = sa.text(
    "SELECT pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = 'data_keys'::regclass"
)
# Transactions older than ``start``: any with an id in the cluster (they hold back every snapshot's
# xmin), and snapshots in this database (a larger age is older).
_OLDER_TRANSACTIONS = sa.text(
    "SELECT pg_snapshot_xmin(pg_current_snapshot()) < CAST(:start AS xid8) OR EXISTS ("
    " SELECT FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    " AND age(backend_xmin) > age(CAST(CAST(:start AS xid8) AS xid)))"
)


def scrub_after_commit(session: Session) -> None:
    """Ask for a scrub once this session's transaction commits (an erasure is in it)."""
    session.info[_AFTER_COMMIT] = True


def scrub_on_commit(session: Session) -> None:
    """The erasure has committed whatever happens here: a failure is logged and left to cron."""
    if session.info.pop(_AFTER_COMMIT, False):
        try:
            scrub(session.get_bind())
        except Exception as error:  # noqa: BLE001 - never turn a committed erasure into an error page
            log.warning("erasure scrub deferred to `flask keys vacuum`: %s", type(error).__name__)


def forget_on_rollback(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)
