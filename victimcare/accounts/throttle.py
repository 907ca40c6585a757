"""Per-account login throttling: a progressive delay after repeated failures, kept in the database.

Keyed by the username typed, whether or not such an account exists, so that the lock-out
message gives away nothing an attacker could not already see. What was typed is never stored:
the row's key is an HMAC of it under a key from the keyring, so a password typed into the
username box leaves nothing readable behind, and rows idle for a day are purged on the next failure.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from victimcare import crypto
from victimcare.accounts.models import LoginThrottle
from victimcare.database import utcnow
from victimcare.extensions import db

KEY_PURPOSE = "login_throttle"


def normalise_username(username: str) -> str:
    return username.strip().lower()[:64]


def throttle_key(username: str) -> bytes:
    """HMAC-SHA256 of the normalised username under the throttle's own key, derived from the keyring."""
    vault = crypto.vault()
    return vault.keyed_hash(KEY_PURPOSE, normalise_username(username))


def _row(username: str) -> LoginThrottle | None:
    # populate_existing: record_failure writes with Core statements, which the identity map does not see.
    return db.session.get(LoginThrottle, throttle_key(username), populate_existing=True)


def locked_for(username: str, now: datetime | None = None) -> timedelta | None:
    """How long the account stays locked, or None when a login may be tried."""
    now = now or utcnow()
    row = _row(username)
    if row and row.locked_until and row.locked_until > now:
        return row.locked_until - now
    return None


def lock_delay(failures: int) -> timedelta | None:
    """Doubling delay from the Nth failure (30 s, 1 min, 2 min …), capped at the maximum."""
    config = current_app.config
    over = failures - config["LOGIN_LOCK_AFTER_FAILURES"]
    if over < 0:
        return None
    return min(config["LOGIN_LOCK_BASE_DELAY"] * (2 ** min(over, 20)), config["LOGIN_LOCK_MAX_DELAY"])


def record_failure(username: str, now: datetime | None = None) -> None:
    """Count one failure in a single upsert, so parallel guesses cannot lose counts or collide."""
    now = now or utcnow()
    purge_expired(now)
    key = throttle_key(username)
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(LoginThrottle).values(key=key, failures=1, last_failure_at=now)
    failures = db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[LoginThrottle.key],
            set_={
                "failures": LoginThrottle.failures + 1,
                "last_failure_at": statement.excluded.last_failure_at,
            },
        ).returning(LoginThrottle.failures)
    ).scalar_one()
    delay = lock_delay(failures)
    db.session.execute(
        sa.update(LoginThrottle)
        .where(LoginThrottle.key == key)
        .values(locked_until=now + delay if delay else None)
        .execution_options(synchronize_session=False)
    )


def purge_expired(now: datetime | None = None) -> int:
    """Forget accounts whose lock has ended and whose last failure is older than the retention.

    Run on every failure (an indexed DELETE, cheap), so the table only ever holds recent attempts
    and needs no cron job. The lock never outlasts LOGIN_LOCK_MAX_DELAY, which is shorter.
    """
    now = now or utcnow()
    result = db.session.execute(
        sa.delete(LoginThrottle)
        .where(LoginThrottle.last_failure_at < now - current_app.config["LOGIN_THROTTLE_RETENTION"])
        .where(sa.or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def locked_keys(now: datetime | None = None) -> set[bytes]:
    """The keys of every account locked now (the administrators' user list marks them)."""
    now = now or utcnow()
    return set(db.session.scalars(sa.select(LoginThrottle.key).where(LoginThrottle.locked_until > now)))


def clear(username: str) -> None:
    row = _row(username)
    if row:
        db.session.delete(row)
        db.session.flush()
