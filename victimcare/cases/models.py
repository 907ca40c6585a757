"""The people in a case and the case itself.

Personal fields are encrypted (``EncryptedText`` …) and found through blind indexes; coded
fields stay in clear for statistics. ``__repr__`` shows ids only, never personal data.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from victimcare.accounts.models import Agency, User
from victimcare.crypto import EncryptedDate, EncryptedJSON, EncryptedText, normalise
from victimcare.database import UTCDateTime, str_enum, utcnow, uuid_pk
from victimcare.extensions import db
from workflows.victim_path import ClosureReason, Stage


class Gender(StrEnum):
    """HTCDS 2.0 prs_Gender value names."""

    FEMININE = "Feminine"
    MASCULINE = "Masculine"
    TRANSGENDER_FEMININE = "TransgenderFeminine"
    TRANSGENDER_MASCULINE = "TransgenderMasculine"
    NON_CONFORMING = "NonConforming"
    UNKNOWN = "NonSpecifiedUnknown"


class DocumentType(StrEnum):
    """Identity documents seen at intake in Vietnam."""

    CITIZEN_ID = "citizen_id"  # căn cước / CCCD
    PASSPORT = "passport"
    BIRTH_CERTIFICATE = "birth_certificate"
    OTHER = "other"


ADULT_AGE = 18


class Victim(db.Model):
    """A person (data subject) at the centre of a case: the victim or a person under identification."""

    __tablename__ = "victims"
    __encryption_subject_is_self__ = True

    id: Mapped[uuid.UUID] = uuid_pk()
    # Personal data, sealed under this person's data key.
    full_name = EncryptedText()
    other_names = EncryptedText()
    date_of_birth = EncryptedDate()
    id_number = EncryptedText()
    phone = EncryptedText()
    home_address = EncryptedText()
    guardian = EncryptedJSON()  # {"name", "relation", "phone"}
    relatives = EncryptedJSON()  # [{"name", "relation", "phone", "address"}]
    # Coded facts for statistics, in clear.
    gender: Mapped[Gender] = mapped_column(str_enum(Gender), default=Gender.UNKNOWN)
    birth_year: Mapped[int | None]
    nationality: Mapped[str] = mapped_column(sa.String(2), default="VN")  # ISO 3166-1 alpha-2
    is_ethnic_minority: Mapped[bool | None]
    # A statistics snapshot ("a child when registered"), recomputed whenever the birth data changes
    # (set_birth and the before_flush hook below). Decisions never read it: they ask is_minor_on().
    minor_at_intake: Mapped[bool | None]
    id_document_type: Mapped[DocumentType | None] = mapped_column(str_enum(DocumentType))
    province_code: Mapped[str | None] = mapped_column(sa.String(10))
    commune_code: Mapped[str | None] = mapped_column(sa.String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erasure_reason: Mapped[str | None] = mapped_column(sa.String(30))
    erased_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    # Blind indexes (truncated HMAC buckets): equality search without decryption.
    bi_name_folded: Mapped[int | None] = mapped_column(index=True)
    bi_name_tokens: Mapped[int | None] = mapped_column(index=True)
    bi_id_number: Mapped[int | None] = mapped_column(index=True)
    bi_phone: Mapped[int | None] = mapped_column(index=True)
    bi_dup_key: Mapped[int | None] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(default=1)

    cases: Mapped[list[Case]] = relationship(back_populates="victim")

    __mapper_args__ = {"version_id_col": version}

    def encryption_subject_id(self) -> uuid.UUID:
        return self.id

    def refresh_blind_indexes(self, vault, changed: set[str]) -> None:
        """Recompute the buckets of the fields that changed (called while sealing)."""
        if changed & {"full_name"}:
            self.bi_name_folded = vault.bucket("name_folded", normalise.fold_name(self.full_name))
            self.bi_name_tokens = vault.bucket("name_tokens", normalise.name_tokens(self.full_name))
        if changed & {"id_number"}:
            self.bi_id_number = vault.bucket("id_number", self.normalised_id_number())
        if changed & {"phone"}:
            self.bi_phone = vault.bucket("phone", normalise.phone(self.phone))
        if changed & {"full_name", "date_of_birth"}:
            self.bi_dup_key = vault.bucket(
                "dup_key", normalise.duplicate_key(self.full_name, self.birth_year)
            )

    def normalised_id_number(self) -> str:
        doc_type = DocumentType(self.id_document_type).value if self.id_document_type else None
        return normalise.id_number(doc_type, self.id_number)

    def set_birth(self, day: date | None, year: int | None = None) -> None:
        """Date of birth (sealed) and the birth year (clear, for age bands) kept consistent."""
        self.date_of_birth = day
        self.birth_year = day.year if day else year
        self.refresh_minor_at_intake()

    def age_on(self, day: date) -> int | None:
        """Age in whole years on ``day``; None when nothing about the birth is known.

        With only the year known, the birthday is taken as 31 December of that year, the rule
        Vietnamese criminal procedure applies to a young person of uncertain age (BLTTHS 2015
        Art 417): the doubt falls on the side of treating them as the younger.
        """
        born = self.date_of_birth or (date(self.birth_year, 12, 31) if self.birth_year else None)
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def is_minor_on(self, day: date) -> bool | None:
        """Under 18 on ``day`` (Civil Code 2015 Art 21: a minor acts through their legal representative)."""
        age = self.age_on(day)
        return None if age is None else age < ADULT_AGE

    @property
    def is_minor(self) -> bool | None:
        """A child today, derived from the birth data every time it is asked, so it is never stale."""
        from victimcare.working_days import today

        return self.is_minor_on(today())

    def refresh_minor_at_intake(self) -> None:
        from victimcare.working_days import local_day

        self.minor_at_intake = self.is_minor_on(local_day(self.created_at or utcnow()))

    def __repr__(self) -> str:
        return f"<Victim {self.id}>"


def refresh_minor_snapshots(session: Session, flush_context, instances) -> None:
    """Whatever code changed a person's birth data, their snapshot follows before it is written."""
    new = session.new
    for victim in [*new, *session.dirty]:
        if isinstance(victim, Victim) and (victim in new or _birth_changed(victim)):
            with session.no_autoflush:
                victim.refresh_minor_at_intake()


def _birth_changed(victim: Victim) -> bool:
    attrs = sa.inspect(victim).attrs
    return attrs.birth_year.history.has_changes() or attrs.date_of_birth_sealed.history.has_changes()


class CaseReferenceCounter(db.Model):
    """Last case number issued per year; references carry no personal data."""

    __tablename__ = "case_reference_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class Exploitation(StrEnum):
    """HTCDS 2.0 vic_TypeOfExploitation value names (Law 53/2024 Art 2 forms included)."""

    SEXUAL_EXPLOITATION = "SexualExploitation"
    FORCED_LABOUR = "ForcedLabour"
    FORCED_MARRIAGE = "ForcedMarriage"
    FORCED_ADOPTION = "ForcedAdoption"
    SURROGACY = "Surrogacy"
    ORGAN_REMOVAL = "OrganRemoval"
    CHILD_LABOUR = "ChildLabour"
    FORCED_BEGGING = "ForcedBegging"
    SERVITUDE = "Servitude"
    OTHER = "Other"


class IntakeChannel(StrEnum):
    """How the case reached us (DOMAIN.md §1, §6: "how they came back")."""

    HOTLINE_111 = "hotline_111"
    CRIME_REPORT = "crime_report"
    BORDER_HANDOVER = "border_handover"
    RESCUE = "rescue"
    REPATRIATION = "repatriation"
    SELF_PRESENTED = "self_presented"


# How each kind of agency usually receives a person: the intake form's first guess (issue 16). Border
# posts receive people handed over at the border, the police reports of a crime, social affairs the
# 111 hotline it runs, foreign affairs people brought home; others, people who come in themselves.
USUAL_CHANNEL = {
    "border_guard": IntakeChannel.BORDER_HANDOVER,
    "police": IntakeChannel.CRIME_REPORT,
    "social_affairs": IntakeChannel.HOTLINE_111,
    "foreign_affairs": IntakeChannel.REPATRIATION,
}


class Case(db.Model):
    __tablename__ = "cases"

    id: Mapped[uuid.UUID] = uuid_pk()
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    victim_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("victims.id"), index=True)
    owning_agency_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    # The worker of the owning agency who carries the case (victimcare/cases/assignment.py).
    assigned_user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    stage: Mapped[Stage] = mapped_column(str_enum(Stage), default=Stage.INTAKE, index=True)
    stage_started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stage_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    suspended_from: Mapped[Stage | None] = mapped_column(str_enum(Stage))
    closure_reason: Mapped[ClosureReason | None] = mapped_column(str_enum(ClosureReason))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Legal regime: people identified before 1 July 2025 keep the 2011 law's support (Art 63).
    legal_regime: Mapped[str] = mapped_column(sa.String(4), default="2024")
    # Coded facts for statistics, in clear.
    intake_channel: Mapped[IntakeChannel | None] = mapped_column(str_enum(IntakeChannel))
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    exploitation: Mapped[list] = mapped_column(sa.JSON, default=list)
    trafficked_abroad: Mapped[bool | None]
    destination_country: Mapped[str | None] = mapped_column(sa.String(2))
    # Where the person is now: support for a person under identification abroad is narrower (Law Art 37).
    person_abroad: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    facts: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # coded facts recorded at transitions
    # Personal narratives, sealed under the victim's key.
    narrative = EncryptedText()
    investigation_notes = EncryptedText()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    victim: Mapped[Victim] = relationship(back_populates="cases", lazy="joined")
    owning_agency: Mapped[Agency] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    assigned_user: Mapped[User | None] = relationship(foreign_keys=[assigned_user_id])
    events: Mapped[list[StageEvent]] = relationship(back_populates="case", order_by="StageEvent.created_at")
    people: Mapped[list[CasePerson]] = relationship(back_populates="case")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # The case list: an agency's cases, newest first, one page at a time.
        sa.Index("ix_cases_agency_created", "owning_agency_id", "created_at", "reference"),
        # Deadlines of an agency's cases; the stage is in it so the queue counts the overdue ones without
        # reading the table.
        sa.Index("ix_cases_agency_deadline", "owning_agency_id", "stage_deadline", "stage"),
        # Statistics: an agency's cases received in a period (victimcare/reports).
        sa.Index("ix_cases_agency_received", "owning_agency_id", "received_at"),
        # The work queue (counted from the indexes alone): a worker's cases by deadline; an agency's
        # unassigned open cases and caseloads; its cases at a stage (ready to close) oldest first.
        sa.Index(
            "ix_cases_assigned_deadline", "assigned_user_id", "stage_deadline", "stage", "owning_agency_id"
        ),
        sa.Index("ix_cases_agency_assigned", "owning_agency_id", "assigned_user_id", "stage"),
        sa.Index("ix_cases_agency_stage", "owning_agency_id", "stage", "stage_started_at"),
    )

    @property
    def is_overdue(self) -> bool:
        return self.stage_deadline is not None and self.stage_deadline < utcnow()

    def encryption_subject_id(self) -> uuid.UUID:
        return self.victim_id or self.victim.id

    def __repr__(self) -> str:
        return f"<Case {self.reference}>"


class StageEvent(db.Model):
    """One step of a case's history: a transition, with the facts recorded for it."""

    __tablename__ = "stage_events"
    # Statistics count by date within a jurisdiction (victimcare/reports).
    __table_args__ = (sa.Index("ix_stage_events_trigger_created", "trigger", "created_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    case_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    trigger: Mapped[str] = mapped_column(sa.String(40))
    from_stage: Mapped[Stage | None] = mapped_column(str_enum(Stage))
    to_stage: Mapped[Stage] = mapped_column(str_enum(Stage))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    agency_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("agencies.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    facts: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # coded, in clear
    details = EncryptedJSON()  # sensitive facts: document numbers, references, notes

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(lazy="joined")
    agency: Mapped[Agency | None] = relationship(lazy="joined")

    def encryption_subject_id(self) -> uuid.UUID:
        return self.case.victim_id

    def __repr__(self) -> str:
        return f"<StageEvent {self.id}>"


class PersonRole(StrEnum):
    """People around a case besides its victim (DOMAIN.md §4–§5)."""

    ACCOMPANYING_CHILD = "accompanying_child"
    RELATIVE_AT_RISK = "relative_at_risk"
    UNDER_IDENTIFICATION = "under_identification"


class CasePerson(db.Model):
    """A child travelling with the victim, a relative who needs protection, or another person under identification."""

    __tablename__ = "case_people"
    __table_args__ = (sa.UniqueConstraint("case_id", "person_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    case_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("victims.id"))
    role: Mapped[PersonRole] = mapped_column(str_enum(PersonRole))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="people")
    person: Mapped[Victim] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<CasePerson {self.id}>"


class BreakGlassGrant(db.Model):
    """Emergency access outside the need-to-know rules: written reason, time-limited, flagged."""

    __tablename__ = "break_glass_grants"

    id: Mapped[uuid.UUID] = uuid_pk()
    case_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), index=True)
    reason = EncryptedText()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(lazy="joined")
    user: Mapped[User] = relationship()

    def encryption_subject_id(self) -> uuid.UUID:
        return self.case.victim_id

    def __repr__(self) -> str:
        return f"<BreakGlassGrant {self.id}>"


class LegalHoldReason(StrEnum):
    """Why a case's personal data must be kept: erasure is refused while a hold is on."""

    CRIMINAL_PROCEEDINGS = "criminal_proceedings"  # investigation, prosecution or trial under way
    COURT_ORDER = "court_order"
    COMPLAINT_OR_INSPECTION = "complaint_or_inspection"  # a complaint, denunciation or inspection pending


class LegalHold(db.Model):
    """A hold set and lifted by the owning agency's supervisor; rows stay as its history."""

    __tablename__ = "legal_holds"

    id: Mapped[uuid.UUID] = uuid_pk()
    case_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    reason: Mapped[LegalHoldReason] = mapped_column(str_enum(LegalHoldReason))
    set_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lifted_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    set_by: Mapped[User] = relationship(foreign_keys=[set_by_id])

    def __repr__(self) -> str:
        return f"<LegalHold {self.id}>"


class AssignmentHow(StrEnum):
    """How a case came to its worker."""

    TAKEN = "taken"  # a worker took an unassigned case of their agency
    ASSIGNED = "assigned"  # a supervisor of the owning agency assigned or reassigned it
    TRANSFER = "transfer"  # the agency accepted a transfer: the accepting user, or the colleague they chose


class CaseAssignment(db.Model):
    """One change of a case's worker, kept for the case history (the log has its event too)."""

    __tablename__ = "case_assignments"

    id: Mapped[uuid.UUID] = uuid_pk()
    case_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    previous_user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    assigned_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agencies.id"))
    how: Mapped[AssignmentHow] = mapped_column(str_enum(AssignmentHow, 20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    previous_user: Mapped[User | None] = relationship(foreign_keys=[previous_user_id], lazy="joined")
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id], lazy="joined")
    agency: Mapped[Agency] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<CaseAssignment {self.id}>"
