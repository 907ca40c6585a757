"""The one place that decides who may see or do what (DESIGN.md §5).

Every view declares its policy with ``@public`` or ``@requires(Permission.X)``; one
``before_request`` gate enforces it, and ``create_app`` refuses to start when a URL rule has no
declared policy, so a new route cannot be forgotten. Default deny.
"""
from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user

from victimcare.accounts.models import Role, User
from victimcare.extensions import login_manager

PUBLIC = "public"


class Permission(StrEnum):
    """Permissions named ``resource:action``, kept alphabetical."""

    ACCOUNT_SELF = "account:self"
    ADMIN_AGENCIES = "admin:agencies"
    ADMIN_SESSIONS = "admin:sessions"
    ADMIN_USERS = "admin:users"
    CASE_CREATE = "case:create"
    CASE_ERASE = "case:erase"
    CASE_LIST = "case:list"
    CASE_VIEW = "case:view"
    HOME_VIEW = "home:view"


_EVERY_USER = {Permission.ACCOUNT_SELF, Permission.HOME_VIEW}
_CASE_WORK = {Permission.CASE_CREATE, Permission.CASE_LIST, Permission.CASE_VIEW}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OFFICER: frozenset(_EVERY_USER | _CASE_WORK),
    Role.CASE_WORKER: frozenset(_EVERY_USER | _CASE_WORK),
    Role.SUPERVISOR: frozenset(_EVERY_USER | {Permission.CASE_LIST, Permission.CASE_VIEW, Permission.CASE_ERASE}),
    Role.AUDITOR: frozenset(_EVERY_USER),
    Role.ADMIN: frozenset(
        _EVERY_USER
        | {Permission.ADMIN_AGENCIES, Permission.ADMIN_SESSIONS, Permission.ADMIN_USERS}
    ),
}

# Endpoints a user who must change their password may still reach.
_PASSWORD_CHANGE_ALLOWED = {"accounts.change_password", "accounts.logout", "accounts.set_language"}


def has_permission(user: User, permission: Permission) -> bool:
    return bool(user.is_authenticated) and permission in ROLE_PERMISSIONS.get(user.role, ())


def public(view: Callable) -> Callable:
    """Declare a view open to anyone, logged in or not."""
    view.access_policy = PUBLIC
    return view


def requires(permission: Permission) -> Callable[[Callable], Callable]:
    """Declare the permission a view needs; the gate in ``enforce`` checks it."""

    def declare(view: Callable) -> Callable:
        view.access_policy = permission
        return view

    return declare


def _is_static(endpoint: str) -> bool:
    return endpoint == "static" or endpoint.endswith(".static")


def policy_of(app: Flask, endpoint: str) -> str | Permission | None:
    if _is_static(endpoint):
        return PUBLIC
    return getattr(app.view_functions[endpoint], "access_policy", None)


def check_every_route_has_policy(app: Flask) -> None:
    missing = sorted(
        rule.rule for rule in app.url_map.iter_rules() if policy_of(app, rule.endpoint) is None
    )
    if missing:
        raise RuntimeError(f"Routes without an access policy: {', '.join(missing)}")


def enforce() -> object | None:
    """``before_request`` gate: login, forced password change, then the route's permission."""
    from flask import current_app

    endpoint = request.endpoint
    if endpoint is None:  # 404 or 405: let Flask answer
        return None
    policy = policy_of(current_app, endpoint)
    if policy == PUBLIC:
        return None
    if policy is None:
        abort(403)
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.must_change_password and endpoint not in _PASSWORD_CHANGE_ALLOWED:
        return redirect(url_for("accounts.change_password"))
    if not has_permission(current_user, policy):
        abort(403)
    return None


# -- cases ---------------------------------------------------------------------------------------

def visible_cases(user: User):
    """SQL condition on ``Case``: the cases ``user`` may know exist (lists filter in the query).

    Owning agency's staff see their agency's cases; supervisors see every case owned by an agency
    in their province. Referrals widen this when they land.
    """
    import sqlalchemy as sa

    from victimcare.accounts.models import Agency
    from victimcare.cases.models import Case

    if not has_permission(user, Permission.CASE_VIEW):
        return sa.false()
    own = Case.owning_agency_id == user.agency_id
    if user.role == Role.SUPERVISOR:
        in_province = Case.owning_agency_id.in_(
            sa.select(Agency.id).where(Agency.province_code == user.agency.province_code)
        )
        return sa.or_(own, in_province)
    return own


def can_see_case(user: User, case) -> bool:
    if not has_permission(user, Permission.CASE_VIEW):
        return False
    if case.owning_agency_id == user.agency_id:
        return True
    return user.role == Role.SUPERVISOR and case.owning_agency.province_code == user.agency.province_code
