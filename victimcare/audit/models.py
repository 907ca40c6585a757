"""Audit events and the one-row head of their hash chain."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from victimcare.database import UTCDateTime, utcnow
from victimcare.extensions import db
from vocabulary import ObjectType

GENESIS = bytes(32)


class AuditEvent(db.Model):
    """One thing that happened to personal data or to access. Values never; names of fields only."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    actor_username: Mapped[str | None] = mapped_column(sa.String(64))
    agency_code: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    role: Mapped[str | None] = mapped_column(sa.String(20))
    session_hash: Mapped[str | None] = mapped_column(sa.String(16))
    client_address: Mapped[str | None] = mapped_column(sa.String(64))
    request_id: Mapped[str | None] = mapped_column(sa.String(32))
    action: Mapped[str] = mapped_column(sa.String(30), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(30))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    case_reference: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    fields: Mapped[list] = mapped_column(sa.JSON, default=list)
    purpose: Mapped[str | None] = mapped_column(sa.String(40))
    outcome: Mapped[str] = mapped_column(sa.String(20), default="ok")
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    ciphertext_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    prev_hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32))
    hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32))
    # How ``hash`` is computed (victimcare.audit.chain); rows from before chain v2 read 1.
    chain_version: Mapped[int] = mapped_column(sa.SmallInteger, server_default="1")

    @property
    def object_kind(self) -> ObjectType | str | None:
        """``object_type`` as the vocabulary names it now: stored events are never rewritten, so an
        old spelling (``case_people``) is mapped when the log is read."""
        return ObjectType.read(self.object_type)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.seq} {self.action}>"


class AuditHead(db.Model):
    """The chain's newest sequence number and hash; updating it serialises appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), default=0)
    last_hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32), default=GENESIS)


class AuditCheckpoint(db.Model):
    """A signed statement of the chain's size and head hash (also written to files outside the database)."""

    __tablename__ = "audit_checkpoints"

    size: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    head_hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32))
    note: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditFlag(db.Model):
    """The flags the sweep found on one event (``review.sweep_flags``), with what a reviewer's count
    filters on — whose event, the provinces of its agency and of its case then, reviewed or not — so
    unreviewed flags are counted from an index rather than recomputed from the whole log. Derived
    from the chain, not part of it."""

    __tablename__ = "audit_flags"
    __table_args__ = (
        sa.Index("ix_audit_flags_agency_province", "agency_province", "reviewed"),
        sa.Index("ix_audit_flags_case_province", "case_province", "reviewed"),
        sa.Index("ix_audit_flags_reviewed", "reviewed"),
    )

    seq: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    flags: Mapped[str] = mapped_column(sa.String(300))  # space-separated ``vocabulary.Flag`` values
    actor_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    agency_province: Mapped[str | None] = mapped_column(sa.String(10))
    case_province: Mapped[str | None] = mapped_column(sa.String(10))
    reviewed: Mapped[bool] = mapped_column(default=False)


class AuditFlagSweep(db.Model):
    """One row: the last event the flag sweep has judged (events after it are judged live)."""

    __tablename__ = "audit_flag_sweep"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), default=0)


class AuditReview(db.Model):
    """A reviewer's mark on one flagged event: who, when, and their note. The marking is itself an event
    of the log (action ``review``, naming the events and the note's SHA-256)."""

    __tablename__ = "audit_reviews"

    seq: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    reviewed_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(sa.Text)
