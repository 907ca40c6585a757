"""What was released and what was approved: counts and codes only, never a person's data."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from victimcare.accounts.models import User
from victimcare.database import UTCDateTime, utcnow, uuid_pk
from victimcare.extensions import db


class ReportApproval(db.Model):
    """A supervisor's sign-off of a period's figures for a jurisdiction (DHIS2's data approval).

    The figures are frozen as canonical JSON with their SHA-256 (also in the confidentiality log), so
    a later edit that changes them is shown against what was approved.
    """

    __tablename__ = "report_approvals"
    __table_args__ = (sa.Index("ix_report_approvals_scope_period", "scope_key", "period"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    period: Mapped[str] = mapped_column(sa.String(40))
    scope_key: Mapped[str] = mapped_column(sa.String(60))  # "agency:<code>" or "province:<code>"
    figures: Mapped[dict] = mapped_column(sa.JSON)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    approved_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    approved_by: Mapped[User] = relationship(lazy="joined")


class ReportExport(db.Model):
    """The export register: every report file released, by whom, to whom, and its SHA-256."""

    __tablename__ = "report_exports"

    id: Mapped[uuid.UUID] = uuid_pk()
    period: Mapped[str] = mapped_column(sa.String(40))
    scope_key: Mapped[str] = mapped_column(sa.String(60))
    file_format: Mapped[str] = mapped_column(sa.String(10))
    recipient: Mapped[str] = mapped_column(sa.String(200))  # an agency or office, never a victim
    sha256: Mapped[str] = mapped_column(sa.String(64))
    exported_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    exported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    exported_by: Mapped[User] = relationship(lazy="joined")
