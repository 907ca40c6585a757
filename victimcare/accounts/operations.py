"""Account use cases: logging in, changing passwords, administering users and agencies.

Each function changes state and flushes; the caller (a request or a CLI command) commits once.
"""

from __future__ import annotations

import secrets
import string
import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from victimcare import access
from victimcare.accounts import passwords, sessions, throttle, two_factor
from victimcare.accounts.models import Agency, AgencyKind, Role, User, UserSession
from victimcare.audit import operations as audit
from victimcare.database import utcnow
from victimcare.extensions import db
from vocabulary import AuditAction, ObjectType


class AccountError(ValueError):
    """A request that cannot be carried out; the message is shown to the user as is."""


@dataclass(frozen=True)
class LoginResult:
    """``needs_code``: answer with the code page. A wrong password is answered so too (``user``
    None), so that only the code page's verdict tells whether the whole login was right."""

    user: User | None = None
    locked_for: timedelta | None = None
    needs_code: bool = False


def find_user(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == throttle.normalise_username(username)))


def authenticate(username: str, password: str) -> LoginResult:
    """Check a password, throttling per account.

    Without a second factor a right password opens a new server-side session. With one, it opens a
    half-logged-in session that waits for the code; a wrong password gets the same answer, the code
    page, with no session behind it. Both count as a failure until the code is right, so the lock
    (and the time taken) cannot tell a right password from a wrong one either.
    """
    lock = throttle.locked_for(username)
    user = find_user(username)
    if lock:
        audit.record(
            AuditAction.LOGIN_FAILED, actor=None, username=user.username if user else None, outcome="locked"
        )
        return LoginResult(locked_for=lock)
    if (
        user is None or not user.is_active
    ):  # a deactivated account or agency: the same answer as a wrong password
        passwords.burn_verify_time(password)
        ok = False
    else:
        ok = passwords.verify_password(user.password_hash, password)
    if not ok:
        throttle.record_failure(username)
        locked = throttle.locked_for(username)
        # Only known usernames are logged: a mistyped password in the username box stays out.
        audit.record(
            AuditAction.LOCKOUT if locked else AuditAction.LOGIN_FAILED,
            username=user.username if user else None,
            outcome="refused",
        )
        return LoginResult(needs_code=True)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    if user.has_second_factor:
        throttle.record_failure(username)
        sessions.start_session(user, awaiting_code=True)
        # One event, as a wrong password writes one: the two answers take the same work.
        audit.record(AuditAction.LOGIN_PASSWORD, username=user.username, outcome="awaiting_code")
        return LoginResult(user=user, needs_code=True)
    throttle.clear(username)
    user.last_login_at = utcnow()
    sessions.start_session(user)
    audit.record(AuditAction.LOGIN, actor=user)
    return LoginResult(user=user)


def complete_login(login_id: str | None, code: str) -> User | None:
    """The second step: the code (or a recovery code) of the half-logged-in session the cookie names.

    A cookie that names no such session (the password was wrong, or too much time passed) does the
    same work and is refused the same way. One code per password: a wrong code ends the attempt.
    """
    row = sessions.awaiting_session(login_id)
    user = row.user if row is not None else None
    how = two_factor.check_code(user, code)
    if row is None:
        return None
    if how is None:
        sessions.end_session(row, "wrong_code")
        audit.record(AuditAction.LOGIN_FAILED, username=user.username, outcome="wrong_code")
        return None
    row.awaiting_code = False
    row.confirmed_at = utcnow()
    user.session_token = login_id.partition(":")[2]
    user.current_session = row
    throttle.clear(user.username)
    user.last_login_at = utcnow()
    db.session.flush()
    audit.record(AuditAction.LOGIN, actor=user, detail={"second_factor": how})
    return user


def cancel_login(login_id: str | None) -> None:
    row = sessions.awaiting_session(login_id)
    if row is not None:
        sessions.end_session(row, "cancelled")


def logout(user: User) -> None:
    if user.current_session is not None:
        sessions.end_session(user.current_session, "logout")
    audit.record(AuditAction.LOGOUT, actor=user)


def _check_new_password(user_or_name: User | str, new_password: str, display_name: str = "") -> None:
    username = user_or_name.username if isinstance(user_or_name, User) else user_or_name
    if isinstance(user_or_name, User):
        display_name = user_or_name.display_name
    problems = passwords.password_problems(new_password, username=username, display_name=display_name)
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
    *,
    username: str,
    display_name: str,
    agency: Agency,
    role: Role | str,
    password: str,
    must_change_password: bool = True,
    locale: str = "vi",
    check_policy: bool = True,
    by: User | None = None,
) -> User:
    """Create an account. Made by an administrator (``by``) with a role that needs approval, it
    stays inactive until a second administrator approves the role (the command line, run by the
    operator who holds the keyring, creates the first accounts directly)."""
    username = throttle.normalise_username(username)
    if not username or not all(c in string.ascii_lowercase + string.digits + "._-" for c in username):
        raise AccountError(
            _("A username may contain only letters a–z, digits, dots, dashes and underscores.")
        )
    if find_user(username):
        raise AccountError(_("The username %(name)s is already taken.", name=username))
    if check_policy:
        _check_new_password(username, password, display_name)
    guarded = by is not None and needs_approval(role)
    user = User(
        username=username,
        display_name=display_name.strip(),
        agency=agency,
        role=Role(role),
        password_hash=passwords.hash_password(password),
        must_change_password=must_change_password,
        locale=locale,
        active=not guarded,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        AuditAction.USER_CHANGE,
        actor=by,
        object_type=ObjectType.USER,
        object_id=user.id,
        detail={"change": "created", "role": user.role.value},
    )
    if guarded:
        _request_role_grant(user, agency, Role(role), by, activate=True)
    return user


def needs_approval(role: Role | str) -> bool:
    """Whether giving this role takes a second administrator's approval (see access.ROLES_NEEDING_APPROVAL)."""
    return Role(role) in access.ROLES_NEEDING_APPROVAL


def update_user(user: User, *, display_name: str, agency: Agency, role: Role | str, by: User | None = None):
    """Change a user's profile; returns the request waiting for approval, if the change needs one.

    Nobody changes their own role or agency. A role that reads cases or decides approvals — or
    such a role moved to another agency — waits for a second administrator; any other new agency
    or role takes effect at once and ends the user's sessions.
    """
    role = Role(role)
    changed_access = user.agency_id != agency.id or user.role != role
    if changed_access and by is not None and by.id == user.id:
        raise AccountError(_("You cannot change your own role or agency; ask another administrator."))
    user.display_name = display_name.strip()
    db.session.flush()
    audit.record(
        AuditAction.USER_CHANGE,
        actor=by,
        object_type=ObjectType.USER,
        object_id=user.id,
        detail={"change": "updated"},
    )
    if not changed_access:
        return None
    if by is not None and needs_approval(role):
        return _request_role_grant(user, agency, role, by)
    _set_access(user, agency, role)
    return None


def _request_role_grant(user: User, agency: Agency, role: Role, by: User, activate: bool = False):
    from victimcare.approvals import operations as approvals
    from victimcare.approvals.models import ApprovalKind

    change = {"role": role.value, "agency_id": str(agency.id), **({"activate": True} if activate else {})}
    try:
        return approvals.request_change(
            ApprovalKind.ROLE_GRANT, agency=agency, user=user, by=by, change=change
        )
    except approvals.ApprovalRefused as refused:
        raise AccountError(str(refused)) from None


def _set_access(user: User, agency: Agency, role: Role) -> None:
    """A new agency or role ends the user's sessions, so it takes effect at once."""
    user.agency = agency
    user.role = role
    sessions.end_all_sessions(user, "access_changed")
    db.session.flush()
    audit.record(
        AuditAction.USER_CHANGE,
        object_type=ObjectType.USER,
        object_id=user.id,
        detail={"change": "access", "role": role.value, "agency": agency.code},
    )


def may_approve_role_grant(approver: User, row) -> bool:
    """Role grants are approved by another administrator: supervisors of a new agency may not exist yet."""
    return access.has_permission(approver, access.Permission.ADMIN_USERS)


def apply_role_grant(row, approver: User) -> None:
    agency = db.session.get(Agency, uuid.UUID(row.change["agency_id"]))
    _set_access(row.user, agency, Role(row.change["role"]))
    if row.change.get("activate"):
        row.user.active = True
        db.session.flush()


def set_user_active(user: User, active: bool, *, by: User) -> None:
    from victimcare.approvals import operations as approvals
    from victimcare.approvals.models import ApprovalKind

    if user.id == by.id and not active:
        raise AccountError(_("You cannot deactivate your own account."))
    if active and approvals.waiting_for(ApprovalKind.ROLE_GRANT, user=user) is not None:
        raise AccountError(_("This account's role waits for a second administrator's approval."))
    user.active = active
    if not active:
        sessions.end_all_sessions(user, "deactivated")
    db.session.flush()
    audit.record(
        AuditAction.USER_CHANGE,
        object_type=ObjectType.USER,
        object_id=user.id,
        detail={"change": "activated" if active else "deactivated"},
    )


def generate_temporary_password() -> str:
    """A random one-time password, shown once to the administrator and changed at first login."""
    return "-".join(secrets.token_urlsafe(6) for _part in range(3))


def reset_password(user: User, by: User | None = None) -> str:
    """Give ``user`` a one-time password to change at next login; returns it to show once.

    The administrator who sees it could log in as that user: the event names the account's role and
    is flagged in the supervisors' and auditors' review (``audit.review``).
    """
    temporary = generate_temporary_password()
    user.password_hash = passwords.hash_password(temporary)
    user.password_changed_at = utcnow()
    user.must_change_password = True
    sessions.end_all_sessions(user, "password_reset")
    throttle.clear(user.username)
    db.session.flush()
    audit.record(
        AuditAction.USER_CHANGE,
        actor=by,
        object_type=ObjectType.USER,
        object_id=user.id,
        detail={"change": "password_reset", "role": user.role.value},
    )
    return temporary


def locked_for(user: User) -> timedelta | None:
    return throttle.locked_for(user.username)


def unlock(user: User) -> None:
    throttle.clear(user.username)


def end_session(row: UserSession) -> None:
    sessions.end_session(row, "ended_by_admin")


def find_agency(code: str) -> Agency | None:
    return db.session.scalar(sa.select(Agency).where(Agency.code == code.strip()))


def save_agency(agency: Agency | None, *, by: User | None = None, **fields) -> Agency:
    """Create (``agency`` is None) or update an agency from form data.

    A new kind or province of an existing agency changes what its staff see and which
    supervisors oversee its cases: asked for by an administrator (``by``), it waits for a second
    one (see ``waiting_agency_change``); the other fields are saved at once.
    """
    code = fields["code"].strip()
    other = find_agency(code)
    if other is not None and other is not agency:
        raise AccountError(_("The agency code %(code)s is already used.", code=code))
    kind, province = AgencyKind(fields["kind"]), fields["province_code"].strip()
    guarded = (
        agency is not None and by is not None and (agency.kind, agency.province_code) != (kind, province)
    )
    if agency is None:
        agency = Agency()
        db.session.add(agency)
    agency.code = code
    agency.name = fields["name"].strip()
    agency.district_code = (fields.get("district_code") or "").strip() or None
    agency.commune_code = (fields.get("commune_code") or "").strip() or None
    if not guarded:
        agency.kind, agency.province_code = kind, province
    db.session.flush()
    audit.record(
        AuditAction.AGENCY_CHANGE,
        actor=by,
        object_type=ObjectType.AGENCY,
        object_id=agency.id,
        detail={"code": agency.code},
    )
    if guarded:
        _request_agency_change(agency, kind, province, by)
    return agency


def _request_agency_change(agency: Agency, kind: AgencyKind, province: str, by: User):
    from victimcare.approvals import operations as approvals
    from victimcare.approvals.models import ApprovalKind

    try:
        return approvals.request_change(
            ApprovalKind.AGENCY_CHANGE,
            agency=agency,
            by=by,
            change={"agency_kind": kind.value, "province_code": province},
        )
    except approvals.ApprovalRefused as refused:
        raise AccountError(str(refused)) from None


def may_approve_agency_change(approver: User, row) -> bool:
    return access.has_permission(approver, access.Permission.ADMIN_AGENCIES)


def apply_agency_change(row, approver: User) -> None:
    """The new kind or province; its staff log in again, so they see what the new kind sees."""
    agency = row.agency
    agency.kind = AgencyKind(row.change["agency_kind"])
    agency.province_code = row.change["province_code"]
    for user in agency.users:
        sessions.end_all_sessions(user, "access_changed")
    db.session.flush()
    audit.record(
        AuditAction.AGENCY_CHANGE,
        object_type=ObjectType.AGENCY,
        object_id=agency.id,
        detail={"code": agency.code, "kind": agency.kind.value, "province": agency.province_code},
    )


def set_agency_active(agency: Agency, active: bool, *, by: User) -> None:
    """Deactivating an agency stops its staff at once: they cannot log in, their sessions end."""
    if not active and by.agency_id == agency.id:
        raise AccountError(_("You cannot deactivate your own agency."))
    agency.active = active
    if not active:
        for user in agency.users:
            sessions.end_all_sessions(user, "agency_deactivated")
    db.session.flush()
    audit.record(
        AuditAction.AGENCY_CHANGE,
        actor=by,
        object_type=ObjectType.AGENCY,
        object_id=agency.id,
        detail={"code": agency.code, "change": "activated" if active else "deactivated"},
    )
