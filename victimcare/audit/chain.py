"""The hash chain. Each event's ``hash`` binds the previous hash, its sequence number and the RFC 8785
JSON of what it says:

- chain v1 (events written before v2): ``SHA-256(lp("audit/v1", prev_hash, seq, json))``. Anyone
  holding the database could compute it, so a forged event appended at the end looked genuine.
- chain v2: ``HMAC-SHA256(mac_key, lp("audit/v2", prev_hash, seq, json))`` with the keyring's audit
  MAC key, which the database never holds: an event cannot be forged or rewritten without the keyring.

Old events keep verifying under v1; the version never goes back down along the chain (verify checks).
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime

import rfc8785

from victimcare.crypto.encoding import lp

CURRENT_VERSION = 2

CHAINED_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor_username",
    "agency_code",
    "role",
    "session_hash",
    "client_address",
    "request_id",
    "action",
    "object_type",
    "object_id",
    "case_reference",
    "fields",
    "purpose",
    "outcome",
    "detail",
    "ciphertext_sha256",
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


def event_hash(
    prev_hash: bytes, seq: int, event, *, version: int = CURRENT_VERSION, mac_key: bytes | None = None
) -> bytes:
    """The chain value of ``event`` under chain ``version`` (v2 needs the keyring's ``mac_key``)."""
    if version == 1:
        return hashlib.sha256(lp("audit/v1", prev_hash, seq, canonical(event))).digest()
    if version == 2:
        if mac_key is None:
            raise ValueError("chain v2 needs the audit MAC key")
        return hmac.digest(mac_key, lp("audit/v2", prev_hash, seq, canonical(event)), "sha256")
    raise ValueError(f"unknown audit chain version {version}")


def mac_key() -> bytes:
    """The audit MAC key of this app's keyring."""
    from victimcare import crypto

    return crypto.vault().keyring.audit_mac_key
