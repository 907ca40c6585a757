"""Password hashing (argon2id, argon2-cffi's defaults) and the password policy.

The policy follows NIST SP 800-63B: a minimum length, and a check against known common
passwords and guessable patterns (zxcvbn's bundled lists) instead of composition rules.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from zxcvbn import zxcvbn

MIN_STRENGTH = 3  # zxcvbn score 0–4; 3 is "safely unguessable" against online attack


@cache
def _hasher(profile: str) -> PasswordHasher:
    if profile == "cheapest":
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher()


def hasher() -> PasswordHasher:
    return _hasher(current_app.config["PASSWORD_HASH_PROFILE"])


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


@cache
def _dummy_hash(profile: str) -> str:
    return _hasher(profile).hash("not-a-real-password-only-for-timing")


def burn_verify_time(password: str) -> None:
    """Spend what a real check costs, so response time does not reveal unknown usernames."""
    verify_password(_dummy_hash(current_app.config["PASSWORD_HASH_PROFILE"]), password)


def password_problems(password: str, *, username: str = "", display_name: str = "") -> list[str]:
    """Reasons, in the user's language, why a new password is refused; empty when it is fine."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return [_("The password must have at least %(n)d characters.", n=minimum)]
    hints = [part for part in (username, *display_name.split(), "victimcare") if part]
    if zxcvbn(password[:100], user_inputs=hints)["score"] < MIN_STRENGTH:
        return [
            _(
                "This password is too easy to guess (a common password, a word, a name or a "
                "simple pattern). Try a longer phrase of several unrelated words."
            )
        ]
    return []
