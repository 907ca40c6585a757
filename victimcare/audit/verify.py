"""Checking the log: contiguous sequence, every hash recomputed (v2 with the keyring's MAC key), the
chain version never going back, the head agreeing with the tail, and signed checkpoints that are
present, fresh and agree with the log (``checkpoints.check_all``).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from victimcare.audit.chain import event_hash, mac_key
from victimcare.audit.models import GENESIS, AuditEvent, AuditHead


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


@dataclass
class Position:
    """Where a walk along the chain stands: the last event checked, its hash and chain version."""

    seq: int = 0
    hash: bytes = GENESIS
    version: int = 1


def walk(events: Iterable, position: Position, key: bytes) -> Verdict | None:
    """Check ``events`` (in seq order) as the continuation of ``position``, which moves along.

    Returns the verdict on the first event that breaks the chain, None when all of them hold.
    """
    for event in events:
        expected = position.seq + 1
        checked = position.seq
        if event.seq != expected:
            reason = "missing" if event.seq > expected else "duplicated"
            return Verdict(False, checked, expected, f"sequence {expected} is {reason}")
        if event.prev_hash != position.hash:
            return Verdict(False, checked, event.seq, "does not follow the previous event")
        if event.chain_version not in (1, 2):
            return Verdict(False, checked, event.seq, f"unknown chain version {event.chain_version}")
        if event.chain_version < position.version:
            # Only a writer without the key would fall back to the unkeyed v1 hash.
            return Verdict(
                False,
                checked,
                event.seq,
                f"chain v{event.chain_version} after v{position.version}: not written with the key",
            )
        computed = event_hash(position.hash, event.seq, event, version=event.chain_version, mac_key=key)
        if not hmac.compare_digest(computed, event.hash):
            return Verdict(False, checked, event.seq, "its content does not match its hash")
        position.seq, position.hash, position.version = event.seq, event.hash, event.chain_version
    return None


def verify_chain(session: Session, *, now: datetime | None = None) -> Verdict:
    """Walk the log in order; the first row that breaks the chain is named."""
    position = Position()
    events = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=1000))
    with closing(events):  # a server-side cursor on PostgreSQL: close it even when stopping early
        broken = walk(events, position, mac_key())
    if broken:
        return broken
    last = position.seq
    head = session.get(AuditHead, 1)
    if head is None or head.last_seq != last or head.last_hash != position.hash:
        recorded = head.last_seq if head else 0
        if recorded > last:
            return Verdict(
                False, last, last + 1, f"events after {last} are missing (the head records {recorded})"
            )
        return Verdict(False, last, last, "the chain head does not match the last event")
    from victimcare.audit.checkpoints import check_all

    contradiction = check_all(session, position, now=now)
    if contradiction:
        return Verdict(False, last, contradiction[0], contradiction[1])
    return Verdict(True, last)
