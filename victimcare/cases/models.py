"""The people in a case and the case itself.

Personal fields are encrypted (``EncryptedText`` …) and found through blind indexes; coded
fields stay in clear for statistics. ``__repr__`` shows ids only, never personal data.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from victimcare.accounts.models import Agency, User
from victimcare.crypto import EncryptedDate, EncryptedJSON, EncryptedText
from victimcare.crypto import normalise
from victimcare.database import UTCDateTime, str_enum, utcnow, uuid_pk
from victimcare.extensions import db


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
    is_minor: Mapped[bool | None]
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
            self.bi_dup_key = vault.bucket("dup_key", normalise.duplicate_key(self.full_name, self.birth_year))

    def normalised_id_number(self) -> str:
        doc_type = DocumentType(self.id_document_type).value if self.id_document_type else None
        return normalise.id_number(doc_type, self.id_number)

    def set_birth(self, day: date | None, year: int | None = None) -> None:
        """Date of birth (sealed) and the birth year (clear, for age bands) kept consistent."""
        self.date_of_birth = day
        self.birth_year = day.year if day else year

    def __repr__(self) -> str:
        return f"<Victim {self.id}>"


class CaseReferenceCounter(db.Model):
    """Last case number issued per year; references carry no personal data."""

    __tablename__ = "case_reference_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class Case(db.Model):
    __tablename__ = "cases"

    id: Mapped[uuid.UUID] = uuid_pk()
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    victim_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("victims.id"), index=True)
    owning_agency_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    stage: Mapped[str] = mapped_column(sa.String(30), default="intake", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    victim: Mapped[Victim] = relationship(back_populates="cases", lazy="joined")
    owning_agency: Mapped[Agency] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def encryption_subject_id(self) -> uuid.UUID:
        return self.victim_id or self.victim.id

    def __repr__(self) -> str:
        return f"<Case {self.reference}>"
