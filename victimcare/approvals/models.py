"""A change waiting for a second person's approval, and what became of it.

The requested change is coded data (a role, an agency id, a reason code), never personal data:
the table may be listed on any approver's queue.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from victimcare.accounts.models import Agency, User
from victimcare.database import UTCDateTime, str_enum, utcnow, uuid_pk
from victimcare.extensions import db


class ApprovalKind(StrEnum):
    ROLE_GRANT = (
        "role_grant"  # a role that reads cases or decides approvals, or such a role in another agency
    )
    AGENCY_CHANGE = "agency_change"  # an agency's kind or province: what its staff see, and whose supervisors
    ERASURE = "erasure"  # crypto-shredding a case's person


class Outcome(StrEnum):
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"  # by the person who asked


class PendingChange(db.Model):
    """One request; ``decided_at`` is empty while it waits. ``agency_id`` is whose queue it is on."""

    __tablename__ = "pending_changes"
    __table_args__ = (sa.Index("ix_pending_changes_waiting", "decided_at", "agency_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    kind: Mapped[ApprovalKind] = mapped_column(str_enum(ApprovalKind, 20))
    agency_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agencies.id"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    change: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    reason: Mapped[str | None] = mapped_column(sa.String(40))
    requested_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[Outcome | None] = mapped_column(str_enum(Outcome, 20))

    agency: Mapped[Agency] = relationship(lazy="joined")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    case = relationship("Case")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def waiting(self) -> bool:
        return self.decided_at is None

    def __repr__(self) -> str:
        return f"<PendingChange {self.id} {self.kind}>"
