"""The hash chain: ``SHA-256(lp("audit/v1", prev_hash, seq, RFC 8785 JSON of the event))``."""
from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

import rfc8785

from victimcare.crypto.encoding import lp

CHAINED_FIELDS = (
    "occurred_at", "actor_id", "actor_username", "agency_code", "role", "session_hash", "client_address",
    "request_id", "action", "object_type", "object_id", "case_reference", "fields", "purpose", "outcome",
    "detail", "ciphertext_sha256",
)


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def canonical(event) -> bytes:
    """RFC 8785 canonical JSON of everything the event says (not its chain fields)."""
    return rfc8785.dumps({name: _plain(getattr(event, name)) for name in CHAINED_FIELDS})


def event_hash(prev_hash: bytes, seq: int, event) -> bytes:
    return hashlib.sha256(lp("audit/v1", prev_hash, seq, canonical(event))).digest()
