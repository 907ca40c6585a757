"""What a person receives: support services, protection, the reintegration plan and its follow-ups.

Types, statuses, dates, amounts and levels are coded and in clear, for statistics (DOMAIN.md §6);
everything that can name or locate someone (decision references, threats, relatives, goals,
notes, medical notes) is sealed under the case's victim's key, so erasing the person erases it too.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from victimcare.accounts.models import Agency, User
from victimcare.cases.models import Case, Victim
from victimcare.crypto import EncryptedJSON, EncryptedText
from victimcare.database import UTCDateTime, str_enum, utcnow, uuid_pk
from victimcare.extensions import db
from workflows.support import Beneficiary, ServiceStatus, SupportType


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class AtRisk(StrEnum):
    PERSON = "person"
    RELATIVES = "relatives"


class Measure(StrEnum):
    """Protection measures of Decree 162 for victims, persons under identification and relatives."""

    SAFE_SHELTER = "safe_shelter"
    IDENTITY_SECRECY = "identity_secrecy"
    ADDRESS_SECRECY = "address_secrecy"
    PROTECTIVE_FORCE = "protective_force"
    THREAT_DETECTION = "threat_detection"
    POLICE_ARMY_ASSISTANCE = "police_army_assistance"


class FollowUpOutcome(StrEnum):
    ON_TRACK = "on_track"
    NEEDS_SUPPORT = "needs_support"
    NOT_REACHED = "not_reached"
    RE_TRAFFICKED = "re_trafficked"


class _CaseRecord:
    """Rows sealed under the case's victim's key."""

    case: Case

    def encryption_subject_id(self) -> uuid.UUID:
        return self.case.victim_id

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}>"


class SupportService(_CaseRecord, db.Model):
    """One support given (or planned, refused, stopped) to one person of a case."""

    __tablename__ = "support_services"
    # Statistics count by date within a jurisdiction (victimcare/reports).
    __table_args__ = (sa.Index("ix_support_services_starts", "starts_on"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    case_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("victims.id"))
    beneficiary: Mapped[Beneficiary] = mapped_column(str_enum(Beneficiary))  # status when recorded
    support_type: Mapped[SupportType] = mapped_column(str_enum(SupportType))
    status: Mapped[ServiceStatus] = mapped_column(str_enum(ServiceStatus))
    provider_agency_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("agencies.id"))
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    amount_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    applied_on: Mapped[date | None]
    decision_due_on: Mapped[date | None]  # 9 working days after the application (Decree 162 Art 24)
    decided_on: Mapped[date | None]
    decision_reference = EncryptedText()
    notes = EncryptedText()
    medical_notes = EncryptedText()  # the medical field group: health workers and the owner's case workers
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    case: Mapped[Case] = relationship()
    person: Mapped[Victim] = relationship()
    provider: Mapped[Agency | None] = relationship(lazy="joined")
    extensions: Mapped[list[LodgingExtension]] = relationship(
        back_populates="service", order_by="LodgingExtension.new_end_on", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def extended_until(self) -> date | None:
        return self.extensions[-1].new_end_on if self.extensions else None


class LodgingExtension(db.Model):
    """A decision extending essential-needs support past 120 days (Decree 162 Art 17)."""

    __tablename__ = "lodging_extensions"

    id: Mapped[uuid.UUID] = uuid_pk()
    service_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("support_services.id"), index=True)
    decided_on: Mapped[date]
    new_end_on: Mapped[date]
    decision_reference = EncryptedText()
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    service: Mapped[SupportService] = relationship(back_populates="extensions")

    def encryption_subject_id(self) -> uuid.UUID:
        return self.service.case.victim_id

    def __repr__(self) -> str:
        return f"<LodgingExtension {self.id}>"


class RiskAssessment(_CaseRecord, db.Model):
    """Who is threatened, by what, how seriously; and whether the person refused protection."""

    __tablename__ = "risk_assessments"

    id: Mapped[uuid.UUID] = uuid_pk()
    case_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    assessed_on: Mapped[date]
    level: Mapped[RiskLevel] = mapped_column(str_enum(RiskLevel))
    at_risk: Mapped[list] = mapped_column(sa.JSON, default=list)  # AtRisk values
    threat = EncryptedText()
    relatives = EncryptedText()  # who among the relatives is at risk
    person_refused: Mapped[bool] = mapped_column(default=False)
    commitment_reference = EncryptedText()  # the written commitment that goes with a refusal
    closed_trial_requested: Mapped[bool] = mapped_column(default=False)
    agency_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("agencies.id"))
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship()
    agency: Mapped[Agency | None] = relationship(lazy="joined")


class ProtectionMeasure(_CaseRecord, db.Model):
    """A measure applied to the person or a relative, by a deciding agency, until ended or handed over."""

    __tablename__ = "protection_measures"
    # Statistics count by date within a jurisdiction (victimcare/reports).
    __table_args__ = (sa.Index("ix_protection_measures_starts", "starts_on"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    case_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    measure: Mapped[Measure] = mapped_column(str_enum(Measure))
    for_relative: Mapped[bool] = mapped_column(default=False)
    protected_name = EncryptedText()  # the relative's name, when it protects a relative
    deciding_agency_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("agencies.id"))
    starts_on: Mapped[date]
    ended_on: Mapped[date | None]
    handed_over_to_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("agencies.id"))
    handed_over_on: Mapped[date | None]
    notes = EncryptedText()
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    case: Mapped[Case] = relationship()
    deciding_agency: Mapped[Agency | None] = relationship(foreign_keys=[deciding_agency_id], lazy="joined")
    handed_over_to: Mapped[Agency | None] = relationship(foreign_keys=[handed_over_to_id], lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    def in_force(self, today: date) -> bool:
        """Applies today (a measure handed over still protects; only its owner changed)."""
        return self.starts_on <= today and (self.ended_on is None or self.ended_on >= today)

    @property
    def settled(self) -> bool:
        """Ended, or handed over to another agency: what closing a case needs."""
        return self.ended_on is not None or self.handed_over_to_id is not None


class ReintegrationPlan(_CaseRecord, db.Model):
    """Goals for going home (housing, schooling, work, health, family, legal status), one per case."""

    __tablename__ = "reintegration_plans"

    id: Mapped[uuid.UUID] = uuid_pk()
    case_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("cases.id"), unique=True)
    starts_on: Mapped[date]
    goals = EncryptedJSON()  # {"housing": "...", "schooling": "...", ...}
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    case: Mapped[Case] = relationship()

    __mapper_args__ = {"version_id_col": version}


class FollowUp(_CaseRecord, db.Model):
    """A scheduled visit after reintegration, and what it found."""

    __tablename__ = "follow_ups"

    id: Mapped[uuid.UUID] = uuid_pk()
    case_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("cases.id"))
    due_on: Mapped[date]
    done_on: Mapped[date | None]
    outcome: Mapped[FollowUpOutcome | None] = mapped_column(str_enum(FollowUpOutcome))
    re_trafficking_risk: Mapped[RiskLevel | None] = mapped_column(str_enum(RiskLevel))
    notes = EncryptedText()
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    case: Mapped[Case] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # The overdue list: open visits by due day.
        sa.Index("ix_follow_ups_case_due", "case_id", "due_on"),
        sa.Index("ix_follow_ups_open_due", "done_on", "due_on"),
    )
