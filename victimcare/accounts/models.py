"""Agencies, users, their server-side login sessions and per-account login throttling."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from victimcare.crypto import EncryptedText
from victimcare.database import UTCDateTime, str_enum, utcnow, uuid_pk
from victimcare.extensions import db
from vocabulary import AgencyKind, Role  # defined in vocabulary; imported from here too


class Agency(db.Model):
    """An agency; its jurisdiction is a province and optionally a commune (districts since 2025 are gone)."""

    __tablename__ = "agencies"

    id: Mapped[uuid.UUID] = uuid_pk()
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[AgencyKind] = mapped_column(str_enum(AgencyKind))
    province_code: Mapped[str] = mapped_column(sa.String(10))
    district_code: Mapped[str | None] = mapped_column(sa.String(10))
    commune_code: Mapped[str | None] = mapped_column(sa.String(10))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="agency")

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"


class User(UserMixin, db.Model):
    """A person who logs in. Usernames are stored lower-case so login is case-insensitive.

    The second factor's secret is sealed like personal data, under a data key of the user's own
    (``encryption_subject_id``), so nobody holding the database, an administrator included, reads it.
    """

    __tablename__ = "users"
    __encryption_subject_is_self__ = True

    id: Mapped[uuid.UUID] = uuid_pk()
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    must_change_password: Mapped[bool] = mapped_column(default=False)
    agency_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, 20))
    locale: Mapped[str] = mapped_column(sa.String(5), default="vi")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # TOTP (RFC 6238): the confirmed secret, one being set up (until its first code), when it was
    # confirmed, and the last time step accepted: a code is never accepted twice.
    totp_secret = EncryptedText()
    totp_pending_secret = EncryptedText()
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    agency: Mapped[Agency] = relationship(back_populates="users", lazy="joined")
    sessions: Mapped[list[UserSession]] = relationship(back_populates="user")

    # Set by the session loader for this request only: the server-side session and its token.
    current_session = None
    session_token = None

    @property
    def is_active(self) -> bool:
        """Staff of a deactivated agency are stopped with it: login and every session check ask this."""
        return self.active and self.agency.active

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None

    def encryption_subject_id(self) -> uuid.UUID:
        return self.id

    def get_id(self) -> str:
        """Flask-Login's id is ``user:session`` so that one cookie names one revocable session."""
        return f"{self.id}:{self.session_token}" if self.session_token else str(self.id)

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class UserSession(db.Model):
    """A login session. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "user_sessions"

    id: Mapped[uuid.UUID] = uuid_pk()
    token_hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(sa.String(30))
    client_address: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(200))
    # Half logged in: the password was checked, the second factor not yet. Such a session is
    # never loaded as a logged-in user; only the code page reads it.
    awaiting_code: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The last time the user confirmed who they are in this session (the login, or a step-up before
    # a dangerous act): step-up asks again once it is older than STEP_UP_VALIDITY.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="sessions")

    def __repr__(self) -> str:
        return f"<UserSession {self.id}>"


class RecoveryCode(db.Model):
    """A single-use code that stands in for the authenticator; only its argon2 hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id}>"


class LoginThrottle(db.Model):
    """Failed logins per username, existing or not, so a lock-out never reveals who has an account.

    ``key`` is an HMAC of the username typed (see ``throttle.throttle_key``), never the text itself.
    """

    __tablename__ = "login_throttles"

    key: Mapped[bytes] = mapped_column(sa.LargeBinary(32), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<LoginThrottle failures={self.failures}>"
