"""The second factor's primitives: TOTP codes (RFC 6238, PyOTP) and single-use recovery codes.

A TOTP code is accepted for the current 30-second step or one step either side (a phone's clock
drifts), and only for a step later than the last one accepted: a code seen over a shoulder or
replayed is refused, even within its 30 seconds. Recovery codes are kept as argon2 hashes, like
passwords; checking one always costs the same number of hash checks, used codes or not, so the
time taken tells nothing about the account.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

import pyotp
import segno
from pyotp.utils import strings_equal

from victimcare.accounts import passwords

ISSUER = "VictimCare"
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_RECOVERY_LENGTH = 10
_TOTP_CODE = re.compile(r"^\d{6}$")


def new_secret() -> str:
    """160 random bits in base32, what authenticator apps expect (RFC 4226 recommends 160)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg_data_uri(uri: str) -> str:
    """The QR code as an SVG data URI, drawn here: the secret never goes to an outside service."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalise(code: str) -> str:
    """What was typed, without the spaces and dashes people add, lower-case."""
    return re.sub(r"[\s-]", "", code or "").lower()


def is_totp_code(code: str) -> bool:
    return bool(_TOTP_CODE.match(normalise(code)))


def accepted_step(secret: str, code: str, last_step: int | None, now: datetime) -> int | None:
    """The time step ``code`` belongs to, if it is valid now (±1 step) and later than ``last_step``."""
    code = normalise(code)
    if not _TOTP_CODE.match(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if strings_equal(code, totp.generate_otp(step)) and (last_step is None or step > last_step):
            return step
    return None


def code_at(secret: str, moment: datetime) -> str:
    """The code an authenticator app shows at ``moment`` (the development command, the tests)."""
    return pyotp.TOTP(secret).at(moment)


def new_recovery_codes() -> list[str]:
    return [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        for _code in range(RECOVERY_CODE_COUNT)
    ]


def shown(recovery_code: str) -> str:
    half = _RECOVERY_LENGTH // 2
    return f"{recovery_code[:half]}-{recovery_code[half:]}"


def hash_recovery_code(code: str) -> str:
    return passwords.hash_password(normalise(code))


def matching_recovery_code(hashes: list[tuple[object, str]], code: str):
    """The key of the hash ``code`` matches among ``hashes`` (key, hash), or None.

    Always RECOVERY_CODE_COUNT checks, padded with a dummy one, and no early exit: how long it takes
    says neither how many codes are left nor which one matched.
    """
    code = normalise(code)
    found = None
    for key, code_hash in hashes:
        if passwords.verify_password(code_hash, code) and found is None:
            found = key
    for _padding in range(RECOVERY_CODE_COUNT - len(hashes)):
        passwords.burn_verify_time(code)
    return found
