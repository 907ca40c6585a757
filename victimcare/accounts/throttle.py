"""Per-account login throttling: a progressive delay after repeated failures, kept in the database.

Keyed by the username typed, whether or not such an account exists, so that the lock-out
message gives away nothing an attacker could not already see.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from victimcare.accounts.models import LoginThrottle
from victimcare.database import utcnow
from victimcare.extensions import db


def normalise_username(username: str) -> str:
    return username.strip().lower()[:64]


def locked_for(username: str, now: datetime | None = None) -> timedelta | None:
    """How long the account stays locked, or None when a login may be tried."""
    now = now or utcnow()
    row = db.session.get(LoginThrottle, normalise_username(username))
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
    now = now or utcnow()
    key = normalise_username(username)
    row = db.session.get(LoginThrottle, key) or LoginThrottle(username=key, failures=0)
    db.session.add(row)
    row.failures += 1
    row.last_failure_at = now
    delay = lock_delay(row.failures)
    row.locked_until = now + delay if delay else None
    db.session.flush()


def clear(username: str) -> None:
    row = db.session.get(LoginThrottle, normalise_username(username))
    if row:
        db.session.delete(row)
        db.session.flush()
