"""Key rotation: a new KEK becomes primary and every data key is re-wrapped under it.

Online (no downtime: old and new KEKs are both in the keyring while it runs) and resumable
(each batch commits; a rerun continues with the keys still under an old KEK).
"""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from victimcare.crypto.keyring import Keyring
from victimcare.crypto.models import DataKey
from victimcare.crypto.vault import dek_aad
from victimcare.database import utcnow


def usage(session: Session) -> dict[int, int]:
    """How many live data keys each KEK wraps."""
    rows = session.execute(
        sa.select(DataKey.kek_id, sa.func.count())
        .where(DataKey.destroyed_at.is_(None))
        .group_by(DataKey.kek_id)
    ).all()
    return dict(rows)


def rewrap_all(session: Session, keyring: Keyring, *, batch: int = 1000,
               progress: Callable[[int], None] | None = None) -> int:
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
