"""Signed checkpoints of the chain (C2SP tlog-checkpoint text, Ed25519), kept in the database and
in files outside it, so a chain rewritten or cut short inside the database is still caught.
"""
from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask import current_app

from victimcare.audit.models import AuditCheckpoint, AuditEvent, AuditHead
from victimcare.database import utcnow

EVERY_EVENTS = 1000


def _key_id(name: str, public: Ed25519PublicKey) -> bytes:
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(name.encode() + b"\n" + b"\x01" + raw).digest()[:4]


def signed_note(origin: str, size: int, head_hash: bytes, private: Ed25519PrivateKey) -> str:
    body = f"{origin}\n{size}\n{base64.b64encode(head_hash).decode()}\n"
    signature = private.sign(body.encode())
    stamp = base64.b64encode(_key_id(origin, private.public_key()) + signature).decode()
    return f"{body}\n\u2014 {origin} {stamp}\n"


def parse_note(text: str, public: Ed25519PublicKey) -> tuple[str, int, bytes] | None:
    """(origin, size, hash) of a checkpoint whose signature holds; None when it does not."""
    body, sep, signatures = text.partition("\n\n")
    if not sep:
        return None
    lines = body.split("\n")
    if len(lines) < 3:
        return None
    origin = lines[0]
    for line in signatures.strip().split("\n"):
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "\u2014" or parts[1] != origin:
            continue
        blob = base64.b64decode(parts[2])
        if blob[:4] != _key_id(origin, public):
            continue
        try:
            public.verify(blob[4:], (body + "\n").encode())
        except InvalidSignature:
            return None
        return origin, int(lines[1]), base64.b64decode(lines[2])
    return None


def _private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(current_app.extensions["victimcare.vault"].keyring.audit_signing_key)


def directory() -> Path:
    return Path(current_app.config["AUDIT_CHECKPOINT_DIR"])


def write_checkpoint(connection) -> AuditCheckpoint | None:
    """Sign the current head and store the note in the database and as a file; None on an empty log."""
    head = connection.execute(sa.select(AuditHead.last_seq, AuditHead.last_hash).where(AuditHead.id == 1)).one()
    if head.last_seq == 0:
        return None
    text = signed_note(current_app.config["AUDIT_CHECKPOINT_ORIGIN"], head.last_seq, head.last_hash, _private_key())
    exists = connection.execute(sa.select(AuditCheckpoint.size).where(AuditCheckpoint.size == head.last_seq)).first()
    if not exists:
        connection.execute(sa.insert(AuditCheckpoint.__table__).values(
            size=head.last_seq, head_hash=head.last_hash, note=text, created_at=utcnow()))
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"checkpoint-{head.last_seq:012d}.txt").write_text(text)
    return AuditCheckpoint(size=head.last_seq, head_hash=head.last_hash, note=text)


def due(connection) -> bool:
    """Every 1,000 events or 15 minutes since the last checkpoint."""
    last = connection.execute(
        sa.select(AuditCheckpoint.size, AuditCheckpoint.created_at).order_by(AuditCheckpoint.size.desc()).limit(1)
    ).first()
    size = connection.execute(sa.select(AuditHead.last_seq).where(AuditHead.id == 1)).scalar_one()
    if last is None:
        return size > 0
    from datetime import UTC, timedelta

    created = last.created_at if last.created_at.tzinfo else last.created_at.replace(tzinfo=UTC)
    return size - last.size >= EVERY_EVENTS or (size > last.size and utcnow() - created >= timedelta(minutes=15))


def check_all(session) -> tuple[int, str] | None:
    """(first bad seq, problem) for the first checkpoint the log contradicts; None when all hold."""
    public = _private_key().public_key()
    notes = [row.note for row in session.scalars(sa.select(AuditCheckpoint))]
    folder = directory()
    if folder.exists():
        notes += [path.read_text() for path in sorted(folder.glob("checkpoint-*.txt"))]
    for text in notes:
        parsed = parse_note(text, public)
        if parsed is None:
            return 0, "a checkpoint's signature does not hold"
        _, size, head_hash = parsed
        stored = session.scalar(sa.select(AuditEvent.hash).where(AuditEvent.seq == size))
        if stored is None:
            last = session.scalar(sa.select(sa.func.max(AuditEvent.seq))) or 0
            return last + 1, f"a signed checkpoint covers {size} events; the log ends at {last}"
        if stored != head_hash:
            return size, f"differs from the signed checkpoint at {size}"
    return None
