"""Key rotation: a new KEK becomes primary and every data key is re-wrapped under it.

Online (no downtime: old and new KEKs are both in the keyring while it runs) and resumable
(each batch commits; a rerun continues with the keys still under an old KEK).

Rotation followed by retirement is also what completes an erasure outside the live database:
a backup or replica taken before the erasure still holds the person's key, wrapped under the KEK
of that time; once that KEK is retired, nothing can open it (``pending_erasures``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from victimcare.crypto.envelope import dek_aad
from victimcare.crypto.keyring import Keyring
from victimcare.crypto.models import DataKey
from victimcare.database import utcnow


def usage(session: Session) -> dict[int, int]:
    """How many live data keys each KEK wraps."""
    rows = session.execute(
        sa.select(DataKey.kek_id, sa.func.count())
        .where(DataKey.destroyed_at.is_(None))
        .group_by(DataKey.kek_id)
    ).all()
    return dict(rows)


def rewrap_all(
    session: Session, keyring: Keyring, *, batch: int = 1000, progress: Callable[[int], None] | None = None
) -> int:
    """Re-wrap every live data key not yet under the primary KEK; commits per batch."""
    primary = keyring.primary_kek_id
    done = 0
    while True:
        rows = session.scalars(
            sa.select(DataKey)
            .where(DataKey.kek_id != primary, DataKey.destroyed_at.is_(None))
            .order_by(DataKey.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        ).all()
        if not rows:
            return done
        now = utcnow()
        for row in rows:
            dek = keyring.unwrap(row.kek_id, row.wrapped, dek_aad(row.person_id, row.version, row.kek_id))
            row.wrapped = keyring.wrap(primary, dek, dek_aad(row.person_id, row.version, primary))
            row.kek_id = primary
            row.rewrapped_at = now
        session.commit()
        done += len(rows)
        if progress:
            progress(len(rows))


@dataclass(frozen=True)
class PendingErasure:
    """An erased person whose old wrapped key may still sit in a copy (backup, WAL archive, replica)
    that can open it while KEK ``kek_id`` (or an older one) is in the keyring."""

    person_id: uuid.UUID
    kek_id: int
    erased_at: datetime


def pending_erasures(session: Session, keyring: Keyring, person_ids=None) -> list[PendingErasure]:
    """Erasures not yet complete everywhere, oldest first.

    A destroyed ``data_keys`` row keeps the id of the KEK that wrapped it when it was destroyed
    (rotation re-wraps live keys only). Rotation only ever moves a key to a newer KEK, so every copy
    of that key was wrapped by that KEK or an older one: once no KEK with that id or lower is left
    in the keyring, no copy anywhere can be opened.
    """
    if not keyring.keks:
        return []
    oldest = min(keyring.keks)
    keys = DataKey.__table__.c
    query = (
        sa.select(keys.person_id, sa.func.max(keys.kek_id), sa.func.min(keys.destroyed_at))
        .where(keys.destroyed_at.is_not(None))
        .group_by(keys.person_id)
        .having(sa.func.max(keys.kek_id) >= oldest)
    )
    if person_ids is not None:
        query = query.where(keys.person_id.in_(list(person_ids)))
    rows = [
        PendingErasure(person, kek, when.replace(tzinfo=UTC)) for person, kek, when in session.execute(query)
    ]
    return sorted(rows, key=lambda row: row.erased_at)


def next_rotation_due(keyring: Keyring, rotation_days: int) -> datetime | None:
    """When the schedule says the primary KEK is replaced (its creation plus the rotation period)."""
    created = keyring.created.get(keyring.primary_kek_id)
    if not created:
        return None
    return datetime.fromisoformat(created) + timedelta(days=rotation_days)
