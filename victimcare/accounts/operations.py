"""Account use cases: logging in, changing passwords, administering users and agencies.

Each function changes state and flushes; the caller (a request or a CLI command) commits once.
"""
from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from victimcare.accounts import passwords, sessions, throttle
from victimcare.accounts.models import Agency, Role, User, UserSession
from victimcare.audit import operations as audit
from victimcare.database import utcnow
from victimcare.extensions import db


class AccountError(ValueError):
    """A request that cannot be carried out; the message is shown to the user as is."""


@dataclass(frozen=True)
class LoginResult:
    user: User | None = None
    locked_for: timedelta | None = None


def find_user(username: str) -> User | None:
    return db.session.scalar(
        sa.select(User).where(User.username == throttle.normalise_username(username))
    )


def authenticate(username: str, password: str) -> LoginResult:
    """Check a login attempt, throttling per account; on success open a new server-side session."""
    lock = throttle.locked_for(username)
    user = find_user(username)
    if lock:
        audit.record("login_failed", actor=None, username=user.username if user else None, outcome="locked")
        return LoginResult(locked_for=lock)
    if user is None or not user.active:
        passwords.burn_verify_time(password)
        ok = False
    else:
        ok = passwords.verify_password(user.password_hash, password)
    if not ok:
        throttle.record_failure(username)
        locked = throttle.locked_for(username)
        # Only known usernames are logged: a mistyped password in the username box stays out.
        audit.record("lockout" if locked else "login_failed", username=user.username if user else None,
                     outcome="refused")
        return LoginResult(locked_for=locked)
    throttle.clear(username)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    sessions.start_session(user)
    audit.record("login", actor=user)
    return LoginResult(user=user)


def logout(user: User) -> None:
    if user.current_session is not None:
        sessions.end_session(user.current_session, "logout")
    audit.record("logout", actor=user)


def _check_new_password(user_or_name: User | str, new_password: str, display_name: str = "") -> None:
    username = user_or_name.username if isinstance(user_or_name, User) else user_or_name
    if isinstance(user_or_name, User):
        display_name = user_or_name.display_name
    problems = passwords.password_problems(
        new_password, username=username, display_name=display_name
    )
    if problems:
        raise AccountError(problems[0])


def change_password(user: User, current_password: str, new_password: str) -> UserSession:
    """Change one's own password; every session ends and the caller gets a fresh one."""
    if not passwords.verify_password(user.password_hash, current_password):
        raise AccountError(_("The current password is not correct."))
    if current_password == new_password:
        raise AccountError(_("The new password must differ from the current one."))
    _check_new_password(user, new_password)
    user.password_hash = passwords.hash_password(new_password)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    sessions.end_all_sessions(user, "password_changed")
    return sessions.start_session(user)


def create_user(
    *, username: str, display_name: str, agency: Agency, role: Role | str, password: str,
    must_change_password: bool = True, locale: str = "vi", check_policy: bool = True,
) -> User:
    username = throttle.normalise_username(username)
    if not username or not all(c in string.ascii_lowercase + string.digits + "._-" for c in username):
        raise AccountError(
            _("A username may contain only letters a–z, digits, dots, dashes and underscores.")
        )
    if find_user(username):
        raise AccountError(_("The username %(name)s is already taken.", name=username))
    if check_policy:
        _check_new_password(username, password, display_name)
    user = User(
        username=username,
        display_name=display_name.strip(),
        agency=agency,
        role=Role(role),
        password_hash=passwords.hash_password(password),
        must_change_password=must_change_password,
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user_change", object_type="user", object_id=user.id, detail={"change": "created", "role": user.role.value})
    return user


def update_user(user: User, *, display_name: str, agency: Agency, role: Role | str) -> None:
    """Change a user's profile. A new agency or role ends their sessions, so it takes effect at once."""
    role = Role(role)
    changed_access = user.agency_id != agency.id or user.role != role
    user.display_name = display_name.strip()
    user.agency = agency
    user.role = role
    if changed_access:
        sessions.end_all_sessions(user, "access_changed")
    db.session.flush()
    audit.record("user_change", object_type="user", object_id=user.id, detail={"change": "updated", "role": role.value})


def set_user_active(user: User, active: bool, *, by: User) -> None:
    if user.id == by.id and not active:
        raise AccountError(_("You cannot deactivate your own account."))
    user.active = active
    if not active:
        sessions.end_all_sessions(user, "deactivated")
    db.session.flush()
    audit.record("user_change", object_type="user", object_id=user.id,
                 detail={"change": "activated" if active else "deactivated"})


def generate_temporary_password() -> str:
    """A random one-time password, shown once to the administrator and changed at first login."""
    return "-".join(secrets.token_urlsafe(6) for _part in range(3))


def reset_password(user: User) -> str:
    """Give ``user`` a one-time password to change at next login; returns it to show once."""
    temporary = generate_temporary_password()
    user.password_hash = passwords.hash_password(temporary)
    user.password_changed_at = utcnow()
    user.must_change_password = True
    sessions.end_all_sessions(user, "password_reset")
    throttle.clear(user.username)
    db.session.flush()
    audit.record("user_change", object_type="user", object_id=user.id, detail={"change": "password_reset"})
    return temporary


def locked_for(user: User) -> timedelta | None:
    return throttle.locked_for(user.username)


def unlock(user: User) -> None:
    throttle.clear(user.username)


def end_session(row: UserSession) -> None:
    sessions.end_session(row, "ended_by_admin")


def find_agency(code: str) -> Agency | None:
    return db.session.scalar(sa.select(Agency).where(Agency.code == code.strip()))


def save_agency(agency: Agency | None, **fields) -> Agency:
    """Create (``agency`` is None) or update an agency from form data."""
    code = fields["code"].strip()
    other = find_agency(code)
    if other is not None and other is not agency:
        raise AccountError(_("The agency code %(code)s is already used.", code=code))
    if agency is None:
        agency = Agency()
        db.session.add(agency)
    agency.code = code
    agency.name = fields["name"].strip()
    agency.kind = fields["kind"]
    agency.province_code = fields["province_code"].strip()
    agency.district_code = (fields.get("district_code") or "").strip() or None
    agency.commune_code = (fields.get("commune_code") or "").strip() or None
    agency.active = fields.get("active", True)
    db.session.flush()
    audit.record("agency_change", object_type="agency", object_id=agency.id, detail={"code": agency.code})
    return agency
