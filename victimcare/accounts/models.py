"""Agencies, users, their server-side login sessions and per-account login throttling."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    """A person who logs in. Usernames are stored lower-case so login is case-insensitive."""

    __tablename__ = "users"

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

    agency: Mapped[Agency] = relationship(back_populates="users", lazy="joined")
    sessions: Mapped[list[UserSession]] = relationship(back_populates="user")

    # Set by the session loader for this request only: the server-side session and its token.
    current_session = None
    session_token = None

    @property
    def is_active(self) -> bool:
        """Staff of a deactivated agency are stopped with it: login and every session check ask this."""
        return self.active and self.agency.active

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

    user: Mapped[User] = relationship(back_populates="sessions")

    def __repr__(self) -> str:
        return f"<UserSession {self.id}>"


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
