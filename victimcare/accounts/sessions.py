"""Server-side login sessions (DESIGN.md §7b).

The signed Flask cookie carries ``user_id:token``; the token's hash names a row here. Ending the
row (logout, password change, an administrator's "end session", idle or absolute timeout) ends
the session everywhere, which a cookie-only session cannot do.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

import sqlalchemy as sa
from flask import current_app, request
from sqlalchemy.orm import joinedload

from victimcare.accounts.models import User, UserSession
from victimcare.database import utcnow
from victimcare.extensions import db
from victimcare.transactions import write_apart

# Flask session key of a login waiting for its code (when the password was given, as a timestamp).
# Set whether the password was right or not: the access gate sends such a browser to the code page.
CODE_PENDING = "login_code_since"


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def start_session(user: User, *, awaiting_code: bool = False) -> UserSession:
    """A fresh 256-bit session for ``user``; the token lives only in the cookie.

    ``awaiting_code``: half logged in, until the second factor's code is given at the code page.
    A complete login counts as the user's latest confirmation (see ``step_up``).
    """
    token = secrets.token_urlsafe(32)
    row = UserSession(
        token_hash=_hash(token),
        user=user,
        awaiting_code=awaiting_code,
        confirmed_at=None if awaiting_code else utcnow(),
        client_address=(request.remote_addr or "")[:64] if request else None,
        user_agent=(request.user_agent.string or "")[:200] if request else None,
    )
    db.session.add(row)
    db.session.flush()
    user.session_token = token
    user.current_session = row
    return row


def expiry_reason(row: UserSession, now=None) -> str | None:
    """Why the session can no longer be used, or None while it is live."""
    now = now or utcnow()
    config = current_app.config
    if row.ended_at is not None:
        return row.end_reason or "ended"
    if row.awaiting_code and now - row.created_at > config["LOGIN_CODE_TIMEOUT"]:
        return "code_timeout"
    if now - row.created_at > config["SESSION_ABSOLUTE_TIMEOUT"]:
        return "absolute_timeout"
    if now - row.last_seen_at > config["SESSION_IDLE_TIMEOUT"]:
        return "idle_timeout"
    if not row.user.active:
        return "user_inactive"
    if not row.user.agency.active:
        return "agency_inactive"
    return None


# The user (and, joined in turn, their agency) in the same query: every request asks this, so the
# statement is built once.
_SESSION_BY_TOKEN = (
    sa.select(UserSession)
    .options(joinedload(UserSession.user))
    .where(UserSession.token_hash == sa.bindparam("token_hash"))
)


def _row_of(login_id: str | None) -> tuple[UserSession | None, str]:
    """The session row a cookie's ``user:token`` names (with its user), and the token."""
    user_id, _, token = (login_id or "").partition(":")
    if not token:
        return None, token
    try:
        user_uuid = uuid.UUID(user_id)
    except ValueError:
        return None, token
    row = db.session.scalar(_SESSION_BY_TOKEN, {"token_hash": _hash(token)})
    if row is None or row.user_id != user_uuid:
        return None, token
    return row, token


def awaiting_session(login_id: str | None) -> UserSession | None:
    """The half-logged-in session a cookie names, while it may still take its code; else None."""
    row, _token = _row_of(login_id)
    if row is None or not row.awaiting_code or expiry_reason(row) is not None:
        return None
    return row


def load_user(login_id: str) -> User | None:
    """Flask-Login's user loader: the user of a live, complete session, touching its last-seen time.

    A half-logged-in session (password given, code not yet) loads nobody: to every page but the
    code page it looks exactly like no login at all.
    """
    row, token = _row_of(login_id)
    if row is None or row.awaiting_code:
        return None
    now = utcnow()
    reason = expiry_reason(row, now)
    if reason:
        if row.ended_at is None:
            with write_apart(db.session):
                end_session(row, reason)
        return None
    if now - row.last_seen_at > current_app.config["SESSION_TOUCH_INTERVAL"]:
        # Bookkeeping of its own, committed at once so the idle clock is right.
        with write_apart(db.session):
            row.last_seen_at = now
    user = row.user
    user.session_token = token
    user.current_session = row
    return user


def end_session(row: UserSession, reason: str) -> None:
    if row.ended_at is None:
        row.ended_at = utcnow()
        row.end_reason = reason
        db.session.flush()


def end_all_sessions(user: User, reason: str, keep: UserSession | None = None) -> int:
    """End every live session of ``user`` except ``keep``; returns how many were ended."""
    rows = db.session.scalars(
        sa.select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    ).all()
    ended = 0
    for row in rows:
        if row is not keep:
            end_session(row, reason)
            ended += 1
    return ended


def live_sessions_query():
    """Sessions not ended and not past their timeouts, newest first."""
    now = utcnow()
    config = current_app.config
    return (
        sa.select(UserSession)
        .where(
            UserSession.ended_at.is_(None),
            UserSession.awaiting_code.is_(False),
            UserSession.created_at > now - config["SESSION_ABSOLUTE_TIMEOUT"],
            UserSession.last_seen_at > now - config["SESSION_IDLE_TIMEOUT"],
        )
        .order_by(UserSession.last_seen_at.desc())
    )
