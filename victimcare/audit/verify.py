"""Checking the chain: contiguous sequence, every hash recomputed, the head agreeing with the tail."""
from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from victimcare.audit.chain import event_hash
from victimcare.audit.models import GENESIS, AuditEvent, AuditHead


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def verify_chain(session: Session) -> Verdict:
    """Walk the log in order; the first row that breaks the chain is named."""
    expected_seq, prev_hash = 1, GENESIS
    events = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=1000))
    with closing(events):  # a server-side cursor on PostgreSQL: close it even when stopping early
        for event in events:
            if event.seq != expected_seq:
                reason = "missing" if event.seq > expected_seq else "duplicated"
                return Verdict(False, expected_seq - 1, expected_seq, f"sequence {expected_seq} is {reason}")
            if event.prev_hash != prev_hash:
                return Verdict(False, expected_seq - 1, event.seq, "does not follow the previous event")
            if event_hash(prev_hash, event.seq, event) != event.hash:
                return Verdict(False, expected_seq - 1, event.seq, "its content does not match its hash")
            prev_hash, expected_seq = event.hash, expected_seq + 1
    last = expected_seq - 1
    head = session.get(AuditHead, 1)
    if head is None or head.last_seq != last or head.last_hash != prev_hash:
        recorded = head.last_seq if head else 0
        if recorded > last:
            return Verdict(False, last, last + 1, f"events after {last} are missing (the head records {recorded})")
        return Verdict(False, last, last, "the chain head does not match the last event")
    from victimcare.audit.checkpoints import check_all

    contradiction = check_all(session)
    if contradiction:
        return Verdict(False, last, contradiction[0], contradiction[1])
    return Verdict(True, last)
