"""Encrypted model fields: plaintext in Python, AES-GCM ciphertext in the database.

A model declares ``full_name = EncryptedText()``; that adds a binary column named ``full_name``
(attribute ``full_name_sealed``) and makes ``full_name`` read and write plaintext. Values are
sealed in ``before_flush``, when the row id and the person are known, so the associated data can
name table, row, column and key version. (A SQLAlchemy ``TypeDecorator`` cannot do this: it
never sees the row it is binding for.) Values are opened lazily on first read.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from functools import partial

import sqlalchemy as sa
from sqlalchemy.orm import Session, mapped_column, object_session

from victimcare.crypto.envelope import vault
from victimcare.crypto.errors import CryptoError, DataErased

_PLAIN = "_victimcare_plain"  # instance.__dict__ key: {field: plaintext}
_DIRTY = "_victimcare_dirty"  # instance.__dict__ key: fields set since the last flush


class _Pending:
    """Placeholder bound to the column until the flush seals the value; it can never be stored."""

    def __repr__(self) -> str:
        return "<pending encryption>"


PENDING = _Pending()


class Encrypted:
    """Base of the field declarations; subclasses say how a value becomes bytes and back."""

    def encode(self, value) -> bytes:
        raise NotImplementedError

    def decode(self, data: bytes):
        raise NotImplementedError

    def __set_name__(self, owner, name: str) -> None:
        self.name = name
        self.sealed_attr = f"{name}_sealed"
        setattr(owner, self.sealed_attr, mapped_column(name, sa.LargeBinary, nullable=True, deferred=False))
        fields = dict(getattr(owner, "__encrypted_fields__", {}))
        fields[name] = self
        owner.__encrypted_fields__ = fields

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        plain = instance.__dict__.setdefault(_PLAIN, {})
        if self.name not in plain:
            plain[self.name] = self._open(instance)
        return plain[self.name]

    def __set__(self, instance, value) -> None:
        instance.__dict__.setdefault(_PLAIN, {})[self.name] = value
        instance.__dict__.setdefault(_DIRTY, set()).add(self.name)
        setattr(instance, self.sealed_attr, PENDING)  # marks the row dirty for the flush

    def _open(self, instance):
        blob = getattr(instance, self.sealed_attr)
        if blob is None:
            return None
        session = object_session(instance)
        if session is None:
            raise CryptoError(f"{type(instance).__name__}.{self.name} cannot be opened outside a session")
        try:
            data = vault().open(
                session,
                person_id=instance.encryption_subject_id(),
                table=instance.__tablename__,
                row_id=instance.id,
                column=self.name,
                blob=blob,
            )
        except DataErased:
            return None  # erased people read as empty; their coded facts remain
        return self.decode(data)


class EncryptedText(Encrypted):
    def encode(self, value: str) -> bytes:
        return value.encode("utf-8")

    def decode(self, data: bytes) -> str:
        return data.decode("utf-8")


class EncryptedDate(Encrypted):
    def encode(self, value: date) -> bytes:
        return value.isoformat().encode()

    def decode(self, data: bytes) -> date:
        return date.fromisoformat(data.decode())


class EncryptedJSON(Encrypted):
    def encode(self, value) -> bytes:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def decode(self, data: bytes):
        return json.loads(data)


def seal_pending(session: Session, flush_context, instances) -> None:
    """``before_flush``: seal every encrypted field set since the last flush, then refresh indexes."""
    the_vault = None
    new = session.new  # an IdentitySet built on each access: take it once
    for instance in [*new, *session.dirty]:
        dirty = instance.__dict__.get(_DIRTY)
        if not dirty:
            continue
        the_vault = the_vault or vault()
        if getattr(instance, "id", None) is None:
            instance.id = uuid.uuid4()  # the associated data names the row before its INSERT
        person_id = instance.encryption_subject_id()
        if instance in new and getattr(instance, "__encryption_subject_is_self__", False):
            the_vault.new_person_key(session, person_id)
        seal = partial(
            the_vault.seal, session, person_id=person_id, table=instance.__tablename__, row_id=instance.id
        )
        sealed_values = _sealed_values(
            instance,
            dirty,
            lambda name, plaintext: seal(column=name, plaintext=plaintext),  # noqa: B023 (called in this iteration)
            the_vault,
        )
        for attr, sealed in sealed_values.items():
            setattr(instance, attr, sealed)
        dirty.clear()


def _sealed_values(instance, names, seal, the_vault) -> dict[str, bytes | None]:
    """Sealed bytes of the named fields (None for empty ones), keyed by column attribute, then the
    instance's blind indexes refreshed: the one sealing step of both the flush and bulk inserts."""
    fields = instance.__encrypted_fields__
    plain = instance.__dict__.get(_PLAIN, {})
    sealed = {}
    for name in sorted(names):
        value = plain.get(name)
        sealed[fields[name].sealed_attr] = (
            None if value in (None, "") else seal(name, fields[name].encode(value))
        )
    refresh = getattr(instance, "refresh_blind_indexes", None)
    if refresh is not None:
        refresh(the_vault, set(names))
    return sealed


def bulk_row(instance, vault, dek: bytes, version: int = 1) -> dict:
    """The table row of a new, transient ``instance``: fields sealed, indexes computed, defaults filled.

    For bulk imports, which insert with Core ``executemany`` instead of one ORM flush per object;
    the sealing and indexing are the same code as ``seal_pending``.
    """
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from victimcare.crypto.envelope import seal_with

    if getattr(instance, "id", None) is None:
        instance.id = uuid.uuid4()
    aead = AESGCM(dek)
    sealed = _sealed_values(
        instance,
        instance.__encrypted_fields__,
        lambda name, plaintext: seal_with(
            aead, version, instance.__tablename__, instance.id, name, plaintext
        ),
        vault,
    )
    instance.__dict__.pop(_DIRTY, None)
    mapper = sa.inspect(type(instance))
    row = {}
    for column in mapper.local_table.columns:
        key = mapper.get_property_by_column(column).key
        value = sealed[key] if key in sealed else instance.__dict__.get(key)
        if value is None and column.default is not None:
            value = column.default.arg if column.default.is_scalar else column.default.arg(None)
        if column is mapper.version_id_col and value is None:
            value = 1
        row[column.name] = value
    return row


def forget_plaintext(instance) -> None:
    """Drop cached plaintext (after an erasure or a refresh), so the next read opens again."""
    instance.__dict__.pop(_PLAIN, None)
