"""The crypto glue: per-person data keys, sealed values and blind-index buckets.

One ``Vault`` per app holds the keyring; unwrapped data keys are cached per database session
(one request or one CLI batch), never longer.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
import uuid
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy.orm import Session

from victimcare.crypto.encoding import lp
from victimcare.crypto.errors import DataErased, DecryptionError, KeyNotFound
from victimcare.crypto.keyring import Keyring, load_keyring
from victimcare.crypto.models import DataKey
from victimcare.crypto.scrub import scrub_after_commit
from victimcare.database import utcnow

VALUE_FORMAT = 0x01
_HEADER = struct.Struct(">BI")  # format byte, DEK version
NONCE_BYTES = 12
_MIN_SEALED = _HEADER.size + NONCE_BYTES + 16  # header, nonce, GCM tag
_CACHE = "victimcare.deks"  # session.info key: {(person_id, version): (dek, AESGCM)}
_ACTIVE = "victimcare.active_dek"  # session.info key: {person_id: version}
_EMPTY: dict = {}


def dek_aad(person_id: uuid.UUID, version: int, kek_id: int) -> bytes:
    return lp("dek/v1", person_id, version, kek_id)


@lru_cache(maxsize=4096)
def _value_aad_parts(table: str, column: str, version: int) -> tuple[bytes, bytes]:
    return lp("fle/v1", table) + _UUID_LENGTH, lp(column, version)


_UUID_LENGTH = struct.pack(">I", 16)

# The columns ``Vault.remember_keys`` unwraps from: select them beside a person's row to read their keys
# in the same statement.
KEY_COLUMNS = (
    DataKey.__table__.c.person_id,
    DataKey.__table__.c.version,
    DataKey.__table__.c.kek_id,
    DataKey.__table__.c.wrapped,
)


def value_aad(table: str, row_id: uuid.UUID, column: str, version: int) -> bytes:
    """``lp("fle/v1", table, row id, column, DEK version)``, with the constant parts cached:
    this runs for every field read or written, so it must cost little beside AES-GCM itself."""
    head, tail = _value_aad_parts(table, column, version)
    return head + row_id.bytes + tail


def seal_with(
    aead: AESGCM, version: int, table: str, row_id: uuid.UUID, column: str, plaintext: bytes
) -> bytes:
    """``0x01 | DEK version (u32) | nonce | ciphertext‖tag`` under a fresh random nonce."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = aead.encrypt(nonce, plaintext, value_aad(table, row_id, column, version))
    return _HEADER.pack(VALUE_FORMAT, version) + nonce + sealed


class Vault:
    def __init__(self, keyring: Keyring, index_bits: dict[str, int]):
        self.keyring = keyring
        self.index_bits = index_bits
        self._index_keys: dict[str, bytes] = {}
        self._purpose_keys: dict[str, bytes] = {}

    # -- keyring -----------------------------------------------------------------------------
    def reload_keyring_if_changed(self) -> bool:
        """Another process may have rotated keys: pick up a newer keyring file."""
        path = self.keyring.path
        if path is None or not Path(path).exists() or Path(path).stat().st_mtime == self.keyring.mtime:
            return False
        self.keyring = load_keyring(path, create=False, strict_permissions=False)
        return True

    def _unwrap(self, row) -> bytes:
        """``row``: a ``DataKey`` or a row of its columns (person_id, version, kek_id, wrapped)."""
        aad = dek_aad(row.person_id, row.version, row.kek_id)
        try:
            return self.keyring.unwrap(row.kek_id, row.wrapped, aad)
        except KeyNotFound:
            if self.reload_keyring_if_changed():
                return self.keyring.unwrap(row.kek_id, row.wrapped, aad)
            raise

    # -- data keys ---------------------------------------------------------------------------
    @staticmethod
    def _cache(session: Session) -> dict:
        return session.info.setdefault(_CACHE, {})

    def _remember(self, session: Session, person_id, version: int, dek: bytes) -> AESGCM:
        aead = AESGCM(dek)
        self._cache(session)[(person_id, version)] = aead
        return aead

    def new_data_key(self, person_id: uuid.UUID) -> tuple[dict, bytes]:
        """Version 1 of a new person's DEK: its ``data_keys`` row (wrapped) and the raw key."""
        dek = AESGCM.generate_key(256)
        kek_id = self.keyring.primary_kek_id
        row = {
            "id": uuid.uuid4(),
            "person_id": person_id,
            "version": 1,
            "kek_id": kek_id,
            "wrapped": self.keyring.wrap(kek_id, dek, dek_aad(person_id, 1, kek_id)),
            "created_at": utcnow(),
            "rewrapped_at": None,
            "destroyed_at": None,
        }
        return row, dek

    def new_person_key(self, session: Session, person_id: uuid.UUID) -> int:
        """Create version 1 of a new person's DEK (no lookup: the caller knows they are new)."""
        row, dek = self.new_data_key(person_id)
        session.add(DataKey(**row))
        self._remember(session, person_id, 1, dek)
        session.info.setdefault(_ACTIVE, {})[person_id] = 1
        return 1

    def active_version(self, session: Session, person_id: uuid.UUID) -> int:
        """The version new values are sealed with, creating the person's first DEK if needed."""
        active = session.info.setdefault(_ACTIVE, {})
        version = active.get(person_id)
        if version is not None:
            return version
        rows = session.scalars(
            sa.select(DataKey).where(DataKey.person_id == person_id).order_by(DataKey.version.desc())
        ).all()
        if not rows:
            return self.new_person_key(session, person_id)
        if rows[0].destroyed_at is not None:
            raise DataErased(f"person {person_id} has been erased")
        self._remember(session, person_id, rows[0].version, self._unwrap(rows[0]))
        active[person_id] = rows[0].version
        return rows[0].version

    def _aead(self, session: Session, person_id: uuid.UUID, version: int) -> AESGCM:
        cached = session.info.get(_CACHE, _EMPTY).get((person_id, version))
        if cached is not None:
            return cached
        row = session.scalar(
            sa.select(DataKey).where(DataKey.person_id == person_id, DataKey.version == version)
        )
        if row is None:
            raise KeyNotFound(f"no data key v{version} for person {person_id}")
        if row.destroyed_at is not None:
            raise DataErased(f"person {person_id} has been erased")
        return self._remember(session, person_id, version, self._unwrap(row))

    def preload(self, session: Session, person_ids) -> None:
        """Unwrap many people's keys in one query (a list page, a search, an export).

        Plain columns, not ``DataKey`` objects: a list page preloads fifty keys, and building fifty
        tracked objects cost more than unwrapping them.
        """
        cached = {person for person, _ in self._cache(session)}
        wanted = set(person_ids) - cached
        if not wanted:
            return
        keys = DataKey.__table__.c
        self.remember_keys(
            session,
            session.execute(
                sa.select(*KEY_COLUMNS).where(keys.person_id.in_(wanted), keys.destroyed_at.is_(None))
            ),
        )

    def remember_keys(self, session: Session, rows) -> None:
        """Unwrap keys read alongside other rows (``KEY_COLUMNS``; all None where a person has none).

        A page about one case reads its victim's keys in the same statement as the case.
        """
        for row in rows:
            if row.wrapped is not None:
                self._remember(session, row.person_id, row.version, self._unwrap(row))

    def shred(self, session: Session, person_id: uuid.UUID) -> int | None:
        """Destroy every DEK of a person: their sealed values can never be opened again.

        Returns the newest KEK that wrapped one of them (None if the person had no key): copies
        made before (backups, replicas) open nothing once that KEK and the older ones are retired.
        The destroyed rows keep ``kek_id`` for that reason (``rotation.pending_erasures``); once
        the transaction commits, ``scrub`` makes the database's own files forget the old bytes.
        """
        rows = session.scalars(sa.select(DataKey).where(DataKey.person_id == person_id)).all()
        now = utcnow()
        for row in rows:
            row.wrapped = None
            row.destroyed_at = row.destroyed_at or now
        cache = self._cache(session)
        for key in [k for k in cache if k[0] == person_id]:
            del cache[key]
        session.info.setdefault(_ACTIVE, {}).pop(person_id, None)
        session.flush()
        scrub_after_commit(session)
        return max((row.kek_id for row in rows), default=None)

    # -- values ------------------------------------------------------------------------------
    def seal(self, session, *, person_id, table, row_id, column, plaintext: bytes) -> bytes:
        version = self.active_version(session, person_id)
        return seal_with(self._aead(session, person_id, version), version, table, row_id, column, plaintext)

    def open(self, session, *, person_id, table, row_id, column, blob: bytes) -> bytes:
        if len(blob) < _MIN_SEALED or blob[0] != VALUE_FORMAT:
            raise DecryptionError(f"{table}.{column} of {row_id} is not a sealed value")
        version = int.from_bytes(blob[1:5], "big")
        try:
            return self._aead(session, person_id, version).decrypt(
                blob[5:17], blob[17:], value_aad(table, row_id, column, version)
            )
        except InvalidTag:
            raise DecryptionError(
                f"{table}.{column} of {row_id} failed authentication (moved, altered or wrong key)"
            ) from None

    # -- blind indexes -----------------------------------------------------------------------
    def _index_key(self, index: str) -> bytes:
        key = self._index_keys.get(index)
        if key is None:
            key = HKDF(hashes.SHA256(), 32, salt=None, info=lp("bi/v1", index)).derive(
                self.keyring.index_root_key
            )
            self._index_keys[index] = key
        return key

    def bucket(self, index: str, normalised: str | None) -> int | None:
        """trunc_L(HMAC-SHA256(k_index, lp(value))): equal values share a bucket, and so do a few others."""
        if not normalised:
            return None
        digest = hmac.new(self._index_key(index), lp(normalised), hashlib.sha256).digest()
        bits = self.index_bits[index]
        return int.from_bytes(digest[:4], "big") >> (32 - bits)

    # -- keyed hashes ------------------------------------------------------------------------
    def keyed_hash(self, purpose: str, value: str) -> bytes:
        """Full HMAC-SHA256 of ``value`` under a key derived for ``purpose`` alone: equal values
        meet without being stored, and nobody without the keyring can test a guess against it."""
        key = self._purpose_keys.get(purpose)
        if key is None:
            key = HKDF(hashes.SHA256(), 32, salt=None, info=lp("kh/v1", purpose)).derive(
                self.keyring.index_root_key
            )
            self._purpose_keys[purpose] = key
        return hmac.new(key, lp(value), hashlib.sha256).digest()


_EXTENSION = "victimcare.vault"  # app.extensions key


def attach(app, vault: Vault) -> None:
    app.extensions[_EXTENSION] = vault


def vault(app=None) -> Vault:
    """The vault of ``app`` or the current app (``crypto.vault()``): every caller asks here."""
    return (app or current_app).extensions[_EXTENSION]
