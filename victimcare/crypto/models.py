"""Wrapped per-person data keys."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from victimcare.database import UTCDateTime, utcnow, uuid_pk
from victimcare.extensions import db


class DataKey(db.Model):
    """A person's AES-256 data key, wrapped under KEK ``kek_id``; NULL once destroyed (erasure)."""

    __tablename__ = "data_keys"
    __table_args__ = (sa.UniqueConstraint("person_id", "version"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    person_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    version: Mapped[int] = mapped_column(default=1)
    kek_id: Mapped[int] = mapped_column(index=True)
    wrapped: Mapped[bytes | None] = mapped_column(sa.LargeBinary(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rewrapped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<DataKey {self.person_id} v{self.version} kek{self.kek_id}>"
