"""Field-level encryption of personal data (DESIGN.md §6).

Envelope encryption: each person (data subject) has AES-256 data keys (DEKs), stored wrapped
under a key-encryption key (KEK) from the keyring. Every value is sealed with AES-256-GCM under
its person's DEK, with associated data naming its table, row, column and key version, so a value
copied elsewhere fails to open. Destroying a person's DEKs shreds their data for good.
Blind indexes (truncated HMACs) make equality search possible without decrypting everything.

Nothing here imports another domain; models only declare ``full_name = EncryptedText()``.
"""

from victimcare.crypto.envelope import Vault, vault
from victimcare.crypto.errors import (
    CryptoError,
    DataErased,
    DecryptionError,
    KeyNotFound,
    KeyringError,
)
from victimcare.crypto.fields import Encrypted, EncryptedDate, EncryptedJSON, EncryptedText

__all__ = [
    "CryptoError",
    "DataErased",
    "DecryptionError",
    "KeyNotFound",
    "KeyringError",
    "Encrypted",
    "EncryptedDate",
    "EncryptedJSON",
    "EncryptedText",
    "Vault",
    "vault",
]


def init_app(app) -> None:
    """Load the keyring (created on first run outside production), attach the vault, and listen to
    the sessions: values are sealed before every flush, erased keys scrubbed after the commit."""
    from sqlalchemy.orm import Session

    from victimcare.crypto import fields, scrub
    from victimcare.crypto.envelope import attach
    from victimcare.crypto.keyring import load_keyring
    from victimcare.database import listen

    listen(Session, "before_flush", fields.seal_pending)
    listen(Session, "after_commit", scrub.scrub_on_commit)
    listen(Session, "after_rollback", scrub.forget_on_rollback)

    production = app.config["ENV_NAME"] == "production"
    keyring = load_keyring(
        app.config["VICTIMCARE_KEYRING"], create=not production, strict_permissions=production
    )
    attach(app, Vault(keyring, app.config["BLIND_INDEX_BITS"]))
