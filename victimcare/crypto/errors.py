"""Explicit errors, so a crypto failure is never mistaken for missing data."""


class CryptoError(Exception):
    """Base of every error raised by victimcare.crypto."""


class KeyringError(CryptoError):
    """The keyring file is missing, unreadable, malformed or too widely readable."""


class KeyNotFound(CryptoError):
    """A KEK or DEK named by stored data is not available."""


class DecryptionError(CryptoError):
    """A value failed authentication: wrong key, wrong row or column, or tampering."""


class DataErased(CryptoError):
    """The person's data keys were destroyed: their personal data is gone for good."""
