"""What was released and approved, and the statistics table: counts and codes only, never a person's data."""

from __future__ import annotations

import uuid
from datetime import date, datetime

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


class ReportFact(db.Model):
    """One counted unit of one indicator, with the coded facts its breakdowns read (``sources``).

    A copy of what ``sources`` selects, kept per case so that figures read one narrow table instead
    of joining cases, victims and stage events on every request. ``statistics`` rewrites a case's
    rows in the transaction that changes anything counted about it; ``flask reports rebuild``
    rewrites them all. Coded values only: nothing here names or locates a person.
    """

    __tablename__ = "report_facts"
    __table_args__ = (
        # Counts and breakdowns of a jurisdiction over a range of days: the one range scan figures need.
        sa.Index("ix_report_facts_indicator_agency_day", "indicator", "agency_id", "day"),
        # Snapshots: spells still open at a period's end (until_day on or after it), counted from the
        # index alone. Only spells have an until_day (9999-12-31 while open), so only they are in it.
        sa.Index(
            "ix_report_facts_spells",
            "indicator",
            "agency_id",
            "until_day",
            "day",
            "due_day",
            sqlite_where=sa.text("until_day IS NOT NULL"),
            postgresql_where=sa.text("until_day IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    indicator: Mapped[str] = mapped_column(sa.String(40))
    case_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    agency_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    day: Mapped[date | None]  # the local day that places the unit in a period (a spell: its first day)
    until_day: Mapped[date | None]  # a spell: the local day the case left the stage (9999-12-31: not yet)
    due_day: Mapped[date | None]  # a time limit: the local day it passes
    timing: Mapped[str | None] = mapped_column(sa.String(12))  # on_time, late, withdrawn or open
    value: Mapped[float | None] = mapped_column(sa.Float)  # an answer: hours taken
    sex: Mapped[str | None] = mapped_column(sa.String(40))
    age_band: Mapped[str | None] = mapped_column(sa.String(40))
    ethnicity: Mapped[str | None] = mapped_column(sa.String(40))
    abroad: Mapped[str | None] = mapped_column(sa.String(40))
    destination: Mapped[str | None] = mapped_column(sa.String(40))
    exploitation: Mapped[str | None] = mapped_column(sa.String(40))
    return_route: Mapped[str | None] = mapped_column(sa.String(40))
    province: Mapped[str | None] = mapped_column(sa.String(40))
    channel: Mapped[str | None] = mapped_column(sa.String(40))
    closure_reason: Mapped[str | None] = mapped_column(sa.String(40))
    support_type: Mapped[str | None] = mapped_column(sa.String(40))
    beneficiary: Mapped[str | None] = mapped_column(sa.String(40))
    measure: Mapped[str | None] = mapped_column(sa.String(40))
    receiver_kind: Mapped[str | None] = mapped_column(sa.String(40))
    referral_status: Mapped[str | None] = mapped_column(sa.String(40))
    supported: Mapped[str | None] = mapped_column(sa.String(40))
    stage: Mapped[str | None] = mapped_column(sa.String(40))
    route: Mapped[str | None] = mapped_column(sa.String(81))
    referral_kind: Mapped[str | None] = mapped_column(sa.String(40))
    answer_time: Mapped[str | None] = mapped_column(sa.String(40))
    legal_regime: Mapped[str | None] = mapped_column(sa.String(40))


class ReportFactsState(db.Model):
    """Whether ``report_facts`` may be read: built by this code's version, with these time limits.

    One row. Figures fall back to counting the base tables when it is missing or differs, so a stale
    table is never read; ``flask reports rebuild`` makes it current.
    """

    __tablename__ = "report_facts_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int]
    limits: Mapped[dict] = mapped_column(
        sa.JSON
    )  # stage → seconds, and lodging_days: as deadlines were computed
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
