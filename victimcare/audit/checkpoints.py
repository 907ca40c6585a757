"""Signed checkpoints of the chain (C2SP tlog-checkpoint text, Ed25519), kept in the database and
in files outside it, so a chain rewritten or cut short inside the database is still caught.

Each note carries the moment it was signed (an extension line ``time …``). Cron re-signs the head
every ``AUDIT_CHECKPOINT_INTERVAL``, even when nothing was appended, and ``audit verify`` fails when
the newest note is older than the interval plus ``AUDIT_CHECKPOINT_GRACE``: whoever deletes the
newest events and checkpoints (rows and files) can leave only an old, stale checkpoint behind. A
checkpoint is signed only when the log extends the previous one; the first ever needs ``--first``,
so a log emptied or cut together with its checkpoints is never signed again as if it were whole.
What remains possible is cutting the events appended since the last signature (at most one
interval), which no record that the attacker also holds can reveal.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask import current_app

from victimcare import crypto
from victimcare.audit.models import GENESIS, AuditCheckpoint, AuditEvent, AuditHead
from victimcare.audit.verify import Position
from victimcare.database import utcnow

EVERY_EVENTS = 1000


class CheckpointRefused(RuntimeError):
    """The log does not extend the previous checkpoint (or there is none): nothing was signed."""


@dataclass(frozen=True)
class Note:
    origin: str
    size: int
    head_hash: bytes
    signed_at: datetime | None  # None in notes written before signed times


def _key_id(name: str, public: Ed25519PublicKey) -> bytes:
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(name.encode() + b"\n" + b"\x01" + raw).digest()[:4]


def signed_note(
    origin: str, size: int, head_hash: bytes, private: Ed25519PrivateKey, signed_at: datetime | None = None
) -> str:
    body = f"{origin}\n{size}\n{base64.b64encode(head_hash).decode()}\n"
    if signed_at is not None:
        body += f"time {signed_at.astimezone(UTC).isoformat(timespec='seconds')}\n"
    signature = private.sign(body.encode())
    stamp = base64.b64encode(_key_id(origin, private.public_key()) + signature).decode()
    return f"{body}\n\u2014 {origin} {stamp}\n"


def parse_note(text: str, public: Ed25519PublicKey) -> Note | None:
    """The checkpoint a note states, when its signature holds; None when it does not."""
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
        return Note(origin, int(lines[1]), base64.b64decode(lines[2]), _signed_at(lines[3:]))
    return None


def _signed_at(extensions: list[str]) -> datetime | None:
    for line in extensions:
        if line.startswith("time "):
            return datetime.fromisoformat(line.removeprefix("time "))
    return None


def _private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(crypto.vault().keyring.audit_signing_key)


def directory() -> Path:
    return Path(current_app.config["AUDIT_CHECKPOINT_DIR"])


def _texts(executor) -> tuple[list[str], list[str]]:
    """The notes kept in the database and those in the checkpoint directory."""
    stored = list(executor.execute(sa.select(AuditCheckpoint.note)).scalars())
    folder = directory()
    files = [path.read_text() for path in sorted(folder.glob("checkpoint-*.txt"))] if folder.exists() else []
    return stored, files


def _hash_at(executor, size: int) -> bytes | None:
    if size == 0:
        return GENESIS
    return executor.execute(sa.select(AuditEvent.hash).where(AuditEvent.seq == size)).scalar()


def write_checkpoint(connection, *, first: bool = False) -> AuditCheckpoint:
    """Sign the current head (now) into the database and a file, once the log is seen to contain
    the newest previous checkpoint; ``first`` allows signing when there is none (a new installation).

    The events between the two are not recomputed here: each is keyed (``audit verify`` checks
    them), and what a checkpoint adds is that the log never goes back below one, which these
    two lookups establish while holding the write lock only for a moment.
    """
    # Holding the head (as appenders do) keeps it still meanwhile and serialises checkpointers.
    head = connection.execute(
        sa.select(AuditHead.last_seq, AuditHead.last_hash).where(AuditHead.id == 1).with_for_update()
    ).one()
    previous = _newest_note(connection)
    if previous is None and not first:
        raise CheckpointRefused(
            "there is no earlier signed checkpoint, so the log cannot be shown to extend it; on a new "
            "installation run `flask audit checkpoint --first` once"
        )
    if previous is not None and (
        head.last_seq < previous.size or _hash_at(connection, previous.size) != previous.head_hash
    ):
        raise CheckpointRefused(f"the log no longer contains the signed checkpoint at {previous.size}")
    if _hash_at(connection, head.last_seq) != head.last_hash:
        raise CheckpointRefused("the chain head does not match the last event")
    now = utcnow()
    text = signed_note(
        current_app.config["AUDIT_CHECKPOINT_ORIGIN"],
        head.last_seq,
        head.last_hash,
        _private_key(),
        signed_at=now,
    )
    exists = connection.execute(
        sa.select(AuditCheckpoint.size).where(AuditCheckpoint.size == head.last_seq)
    ).first()
    if not exists:
        connection.execute(
            sa.insert(AuditCheckpoint.__table__).values(
                size=head.last_seq, head_hash=head.last_hash, note=text, created_at=now
            )
        )
    _write_file(head.last_seq, text)  # re-signed at the same size, the file carries the newer time
    return AuditCheckpoint(size=head.last_seq, head_hash=head.last_hash, note=text)


def _newest_note(connection) -> Note | None:
    """The largest checkpoint whose signature holds: the newest row and the newest file only, so
    signing stays quick however many checkpoints a year leaves (``audit verify`` reads them all)."""
    public = _private_key().public_key()
    texts = list(
        connection.execute(
            sa.select(AuditCheckpoint.note).order_by(AuditCheckpoint.size.desc()).limit(1)
        ).scalars()
    )
    folder = directory()
    if folder.exists():
        texts += [path.read_text() for path in sorted(folder.glob("checkpoint-*.txt"))[-1:]]
    notes = [note for note in (parse_note(text, public) for text in texts) if note]
    return max(notes, key=lambda note: note.size, default=None)


def _write_file(size: int, text: str) -> None:
    """Written whole or not at all (a reader never sees half a note)."""
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"checkpoint-{size:012d}.txt"
    temporary = folder / f".{final.name}.{os.getpid()}"
    temporary.write_text(text)
    os.replace(temporary, final)


def check_all(session, position: Position, *, now: datetime | None = None) -> tuple[int, str] | None:
    """(first seq in doubt, problem) when the checkpoints do not vouch for the log; None when they do.

    Every note must be signed and agree with the log; there must be one; the newest in the database
    and the newest in the directory must be the same; the newest must be fresh; and unkeyed (v1)
    events at the end of the log must be covered by one.
    """
    public = _private_key().public_key()
    stored_texts, file_texts = _texts(session)
    stored, files = [], []
    for texts, notes in ((stored_texts, stored), (file_texts, files)):
        for text in texts:
            note = parse_note(text, public)
            if note is None:
                return 0, "a checkpoint's signature does not hold"
            notes.append(note)
    last = position.seq
    for note in stored + files:
        if note.size > last:
            return last + 1, f"a signed checkpoint covers {note.size} events; the log ends at {last}"
        if _hash_at(session, note.size) != note.head_hash:
            return note.size, f"differs from the signed checkpoint at {note.size}"
    if not stored and not files:
        return 1, (
            "no signed checkpoint: the log and its checkpoints may have been emptied "
            "(a new installation: run `flask audit checkpoint --first`)"
        )
    newest_stored = max((n.size for n in stored), default=None)
    newest_file = max((n.size for n in files), default=None)
    if newest_stored != newest_file:
        return (
            min(s for s in (newest_stored, newest_file) if s is not None) + 1,
            f"the newest checkpoint in the database ({newest_stored}) and in {directory()} "
            f"({newest_file}) differ: checkpoints were removed from one of them",
        )
    return _stale(stored + files, newest_stored, now) or _unkeyed_tail(position, newest_stored)


def _stale(notes: list[Note], newest_size: int, now: datetime | None) -> tuple[int, str] | None:
    allowed = current_app.config["AUDIT_CHECKPOINT_INTERVAL"] + current_app.config["AUDIT_CHECKPOINT_GRACE"]
    # The newest checkpoint's own time (its file is re-signed while the log stands still).
    newest = max((n.signed_at for n in notes if n.size == newest_size and n.signed_at), default=None)
    if newest is None or (now or utcnow()) - newest > allowed:
        when = newest.isoformat(timespec="minutes") if newest else "an unknown time"
        return newest_size + 1, (
            f"the newest signed checkpoint is from {when}, more than {allowed} ago: events after it may have "
            f"been cut (is `flask audit checkpoint` running from cron?)"
        )
    return None


def _unkeyed_tail(position: Position, newest_size: int) -> tuple[int, str] | None:
    if position.version == 1 and position.seq > newest_size:
        return (
            newest_size + 1,
            f"events after {newest_size} are chain v1 (unkeyed) and no checkpoint covers them",
        )
    return None
