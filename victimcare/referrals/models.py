"""Referrals, their history, and the consents that allow sharing.

A referral's status, purpose, kind, urgency, agencies and dates are coded and in clear, for the
statistics of answer times; its message and a decline's reason may name people, so they are
sealed under the victim's key, like everything personal.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from victimcare.accounts.models import Agency, User
from victimcare.cases.models import Case
from victimcare.crypto import EncryptedText
from victimcare.database import UTCDateTime, str_enum, utcnow, uuid_pk
from victimcare.extensions import db
from workflows.referral import LegalBasis, Purpose, ReferralKind, ReferralStatus, Urgency


class ConsentGiver(StrEnum):
    PERSON = "person"
    GUARDIAN = "guardian"


class ConsentMethod(StrEnum):
    SIGNED_FORM = "signed_form"
    VERBAL_WITH_WITNESS = "verbal_with_witness"


class Consent(db.Model):
    """What the person (or a child's guardian) agreed may be shared, with whom and what for."""

    __tablename__ = "consents"

    id: Mapped[uuid.UUID] = uuid_pk()
    case_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    given_by: Mapped[ConsentGiver] = mapped_column(str_enum(ConsentGiver))
    guardian_name = EncryptedText()
    agency_kinds: Mapped[list] = mapped_column(sa.JSON, default=list)
    purposes: Mapped[list] = mapped_column(sa.JSON, default=list)
    for_statistics: Mapped[bool] = mapped_column(default=False)
    contact_family: Mapped[bool] = mapped_column(default=False)
    method: Mapped[ConsentMethod] = mapped_column(str_enum(ConsentMethod))
    witness_name = EncryptedText()
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when it was recorded
    withdrawn_on: Mapped[date | None]  # the day the person withdrew it
    withdrawal_reason = EncryptedText()
    withdrawn_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))

    case: Mapped[Case] = relationship(lazy="joined")
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None

    def covers(self, agency_kind: str, purpose: str) -> bool:
        return self.active and agency_kind in self.agency_kinds and purpose in self.purposes

    def encryption_subject_id(self) -> uuid.UUID:
        return self.case.victim_id

    def __repr__(self) -> str:
        return f"<Consent {self.id}>"


class Referral(db.Model):
    """One handoff of a case from one agency to another, for one purpose."""

    __tablename__ = "referrals"

    id: Mapped[uuid.UUID] = uuid_pk()
    case_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    kind: Mapped[ReferralKind] = mapped_column(str_enum(ReferralKind))
    purpose: Mapped[Purpose] = mapped_column(str_enum(Purpose))
    urgency: Mapped[Urgency] = mapped_column(str_enum(Urgency))
    from_agency_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agencies.id"))
    to_agency_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agencies.id"))
    shared_groups: Mapped[list] = mapped_column(sa.JSON, default=list)
    legal_basis: Mapped[LegalBasis] = mapped_column(str_enum(LegalBasis))
    consent_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("consents.id"), index=True)
    message = EncryptedText()
    status: Mapped[ReferralStatus] = mapped_column(str_enum(ReferralStatus), default=ReferralStatus.PENDING)
    sent_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason = EncryptedText()
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    case: Mapped[Case] = relationship(lazy="joined")
    from_agency: Mapped[Agency] = relationship(foreign_keys=[from_agency_id], lazy="joined")
    to_agency: Mapped[Agency] = relationship(foreign_keys=[to_agency_id], lazy="joined")
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    consent: Mapped[Consent | None] = relationship()
    events: Mapped[list[ReferralEvent]] = relationship(
        back_populates="referral", order_by="ReferralEvent.created_at"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # Access checks and the inbox: accepted (or pending) referrals to an agency.
        sa.Index("ix_referrals_to_agency_status", "to_agency_id", "status"),
        sa.Index("ix_referrals_from_agency_status", "from_agency_id", "status"),
        # Statistics: referrals an agency sent in a period (victimcare/reports).
        sa.Index("ix_referrals_from_sent", "from_agency_id", "sent_at"),
    )

    @property
    def is_overdue(self) -> bool:
        return self.status == ReferralStatus.PENDING and self.answer_due_at < utcnow()

    def encryption_subject_id(self) -> uuid.UUID:
        return self.case.victim_id

    def __repr__(self) -> str:
        return f"<Referral {self.id}>"


class ReferralEvent(db.Model):
    """One step of a referral, shown in the case's history beside its stage events."""

    __tablename__ = "referral_events"

    id: Mapped[uuid.UUID] = uuid_pk()
    referral_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    trigger: Mapped[str] = mapped_column(sa.String(20))
    from_status: Mapped[ReferralStatus | None] = mapped_column(str_enum(ReferralStatus))
    to_status: Mapped[ReferralStatus] = mapped_column(str_enum(ReferralStatus))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    agency_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("agencies.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    referral: Mapped[Referral] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(lazy="joined")
    agency: Mapped[Agency | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<ReferralEvent {self.id}>"
