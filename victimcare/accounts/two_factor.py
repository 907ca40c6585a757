"""Second-factor use cases: who must have one, setting it up, checking a code, recovery codes, reset.

Each function changes state and flushes; the caller (a request or a CLI command) commits once.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from victimcare.accounts import sessions, totp
from victimcare.accounts.models import RecoveryCode, User
from victimcare.audit import operations as audit
from victimcare.database import utcnow
from victimcare.extensions import db
from vocabulary import AuditAction, ObjectType


class SecondFactorError(ValueError):
    """A request that cannot be carried out; the message is shown to the user as is."""


def required_for(user: User) -> bool:
    """Whether the user's role must log in with a second factor (SECOND_FACTOR_ROLES)."""
    return user.role.value in current_app.config["SECOND_FACTOR_ROLES"]


def must_enrol(user: User) -> bool:
    """A user whose role requires a second factor and who has none yet: they set it up before anything else."""
    return required_for(user) and not user.has_second_factor


def start_enrolment(user: User) -> str:
    """A new secret waiting for its first code; an existing factor keeps working until then."""
    secret = totp.new_secret()
    user.totp_pending_secret = secret
    db.session.flush()
    return secret


def confirm_enrolment(user: User, code: str) -> list[str]:
    """The first code proves the app holds the secret: it becomes the factor. Returns the new
    recovery codes, shown once; every older code and secret stops working."""
    secret = user.totp_pending_secret
    if not secret:
        raise SecondFactorError(_("Start the set-up again: no new authenticator is waiting."))
    step = totp.accepted_step(secret, code, None, utcnow())
    if step is None:
        raise SecondFactorError(
            _("That code is not right. Check the phone's time and type the code the app shows now.")
        )
    replacing = user.has_second_factor
    user.totp_secret = secret
    user.totp_pending_secret = None
    user.totp_last_step = step
    user.totp_enabled_at = utcnow()
    codes = _replace_recovery_codes(user)
    if user.current_session is not None:
        user.current_session.confirmed_at = utcnow()
    audit.record(
        AuditAction.USER_CHANGE,
        actor=user,
        object_type=ObjectType.USER,
        object_id=user.id,
        detail={"change": "second_factor_replaced" if replacing else "second_factor_enrolled"},
    )
    return codes


def regenerate_recovery_codes(user: User) -> list[str]:
    """A new set of ten; the old set stops working."""
    if not user.has_second_factor:
        raise SecondFactorError(_("Set up an authenticator app first."))
    codes = _replace_recovery_codes(user)
    audit.record(
        AuditAction.USER_CHANGE,
        actor=user,
        object_type=ObjectType.USER,
        object_id=user.id,
        detail={"change": "recovery_codes_regenerated"},
    )
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = totp.new_recovery_codes()
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=totp.hash_recovery_code(c)) for c in codes)
    db.session.flush()
    return [totp.shown(c) for c in codes]


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def check_code(user: User | None, code: str) -> str | None:
    """Accept a TOTP code (never the same step twice) or an unused recovery code, and use it up.

    Returns how it was accepted ("totp" or "recovery_code"), or None. ``user`` None (no such login
    in progress) does the same work and accepts nothing, so its answer takes as long.
    """
    if totp.is_totp_code(code):
        if user is None or not user.has_second_factor:
            totp.accepted_step(totp.new_secret(), code, None, utcnow())
            return None
        step = totp.accepted_step(user.totp_secret, code, user.totp_last_step, utcnow())
        if step is None:
            return None
        user.totp_last_step = step
        db.session.flush()
        return "totp"
    unused = []
    if user is not None and user.has_second_factor:
        unused = db.session.scalars(
            sa.select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
    used = totp.matching_recovery_code([(row, row.code_hash) for row in unused], code)
    if used is None:
        return None
    used.used_at = utcnow()
    db.session.flush()
    return "recovery_code"


def reset(user: User, *, by: User) -> None:
    """An administrator removes another user's second factor (a lost phone, no recovery code left).

    Never one's own: that would let a stolen administrator session drop the factor that guards it.
    The user's sessions end; a role that requires the factor sets it up again at the next login. The
    event is flagged in the review, like a password reset: it weakens the account until then.
    """
    if user.id == by.id:
        raise SecondFactorError(_("You cannot reset your own second factor; ask another administrator."))
    user.totp_secret = None
    user.totp_pending_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    sessions.end_all_sessions(user, "second_factor_reset")
    db.session.flush()
    audit.record(
        AuditAction.USER_CHANGE,
        actor=by,
        object_type=ObjectType.USER,
        object_id=user.id,
        detail={"change": "second_factor_reset", "role": user.role.value},
    )
