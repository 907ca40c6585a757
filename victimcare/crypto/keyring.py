"""The keyring file: versioned KEKs, the blind-index root key and the audit signing key (from which
the audit chain's MAC key is derived).

``KeyProvider`` is the seam where a KMS or Vault can replace the file later: the rest of the
code only asks it to wrap and unwrap data keys.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import stat
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from victimcare.crypto.errors import DecryptionError, KeyNotFound, KeyringError
from victimcare.private_files import create_once

FORMAT = "victimcare-keyring/v1"
NONCE_BYTES = 12


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode(), validate=True)


class KeyProvider(Protocol):
    primary_kek_id: int

    def wrap(self, kek_id: int, plaintext: bytes, aad: bytes) -> bytes: ...

    def unwrap(self, kek_id: int, wrapped: bytes, aad: bytes) -> bytes: ...


@dataclass
class Keyring:
    """Keys held in one JSON file, readable by the app's user only."""

    keks: dict[int, bytes]
    primary_kek_id: int
    index_root_key: bytes
    audit_signing_key: bytes
    created: dict[int, str] = field(default_factory=dict)
    path: Path | None = None
    mtime: float | None = None

    # -- KeyProvider -------------------------------------------------------------------------
    def wrap(self, kek_id: int, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + AESGCM(self._kek(kek_id)).encrypt(nonce, plaintext, aad)

    def unwrap(self, kek_id: int, wrapped: bytes, aad: bytes) -> bytes:
        try:
            return AESGCM(self._kek(kek_id)).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad)
        except InvalidTag:
            raise DecryptionError(f"data key does not open under KEK {kek_id}") from None

    def _kek(self, kek_id: int) -> bytes:
        try:
            return self.keks[kek_id]
        except KeyError:
            raise KeyNotFound(f"KEK {kek_id} is not in the keyring") from None

    @cached_property
    def audit_mac_key(self) -> bytes:
        """The key of the audit chain's HMAC (chain v2), never stored in the database.

        Derived from the audit signing key (HKDF-SHA256, its own label) rather than stored, so every
        keyring written before chain v2 loads unchanged and the key lives exactly where the checkpoint
        signing key lives.
        """
        return HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"victimcare/audit-chain-mac/v2"
        ).derive(self.audit_signing_key)

    # -- lifecycle ---------------------------------------------------------------------------
    @classmethod
    def generate(cls) -> Keyring:
        signing = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return cls(
            keks={1: secrets.token_bytes(32)},
            primary_kek_id=1,
            index_root_key=secrets.token_bytes(32),
            audit_signing_key=signing,
            created={1: datetime.now(UTC).isoformat(timespec="seconds")},
        )

    def add_kek(self) -> int:
        """A new KEK becomes primary; older ones stay until nothing uses them."""
        new_id = max(self.keks) + 1
        self.keks[new_id] = secrets.token_bytes(32)
        self.created[new_id] = datetime.now(UTC).isoformat(timespec="seconds")
        self.primary_kek_id = new_id
        return new_id

    def retire_kek(self, kek_id: int) -> None:
        if kek_id == self.primary_kek_id:
            raise KeyringError("the primary KEK cannot be retired")
        self._kek(kek_id)
        del self.keks[kek_id]
        self.created.pop(kek_id, None)

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "primary_kek": self.primary_kek_id,
                "keks": [
                    {"id": i, "key": _b64(k), "created_at": self.created.get(i, "")}
                    for i, k in sorted(self.keks.items())
                ],
                "index_root_key": _b64(self.index_root_key),
                "audit_signing_key": _b64(self.audit_signing_key),
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> Keyring:
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise KeyringError(f"not a {FORMAT} file")
            keks = {int(k["id"]): _unb64(k["key"]) for k in data["keks"]}
            keyring = cls(
                keks=keks,
                primary_kek_id=int(data["primary_kek"]),
                index_root_key=_unb64(data["index_root_key"]),
                audit_signing_key=_unb64(data["audit_signing_key"]),
                created={int(k["id"]): k.get("created_at", "") for k in data["keks"]},
            )
        except KeyringError:
            raise
        except (ValueError, KeyError, TypeError) as error:
            raise KeyringError(f"the keyring file is malformed ({type(error).__name__})") from None
        if keyring.primary_kek_id not in keyring.keks or any(len(k) != 32 for k in keks.values()):
            raise KeyringError("the keyring file is malformed (primary KEK missing or a key is not 256 bits)")
        return keyring

    def save(self, path: Path | None = None) -> None:
        """Write atomically (temp file, fsync, rename), mode 0600."""
        path = Path(path or self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".keyring-")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(self.to_json())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.path = path
        self.mtime = path.stat().st_mtime


def load_keyring(path: Path, *, create: bool, strict_permissions: bool) -> Keyring:
    """Load the keyring; create it when allowed (development), refuse loose permissions when strict."""
    path = Path(path)
    if not path.exists():
        if not create:
            raise KeyringError(
                f"The keyring file {path} does not exist. Set VICTIMCARE_KEYRING to the keyring of "
                f"this installation, or create a new one with `python -m victimcare.crypto init {path}`."
            )
        # Several workers may start at once: only the first keyring written is ever used.
        create_once(path, Keyring.generate().to_json())
    mode = path.stat().st_mode
    if strict_permissions and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyringError(
            f"The keyring file {path} is readable by other users (mode {oct(mode & 0o777)}); "
            f"run `chmod 600 {path}`."
        )
    try:
        keyring = Keyring.from_json(path.read_text())
    except OSError as error:
        raise KeyringError(f"The keyring file {path} cannot be read: {error.strerror}") from None
    keyring.path = path
    keyring.mtime = path.stat().st_mtime
    return keyring
