"""The one place that decides who may see or do what (DESIGN.md §5).

Every view declares its policy with ``@public`` or ``@requires(Permission.X)``; one
``before_request`` gate enforces it, and ``create_app`` refuses to start when a URL rule has no
declared policy, so a new route cannot be forgotten. Default deny.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from flask import Flask, abort, g, redirect, request, session, url_for
from flask_login import current_user

from victimcare.accounts.models import Role, User
from victimcare.extensions import login_manager
from victimcare.transactions import reading

PUBLIC = "public"


class Permission(StrEnum):
    """Permissions named ``resource:action``, kept alphabetical."""

    ACCOUNT_SELF = "account:self"
    ADMIN_AGENCIES = "admin:agencies"
    ADMIN_SESSIONS = "admin:sessions"
    ADMIN_USERS = "admin:users"
    APPROVAL_DECIDE = "approval:decide"
    AUDIT_VIEW = "audit:view"
    CASE_BREAK_GLASS = "case:break_glass"
    CASE_CREATE = "case:create"
    CASE_EDIT = "case:edit"
    CASE_ERASE = "case:erase"
    CASE_HOLD = "case:hold"
    CASE_LIST = "case:list"
    CASE_VIEW = "case:view"
    HOME_VIEW = "home:view"
    REFERRAL_WORK = "referral:work"
    REPORTS_APPROVE = "reports:approve"
    REPORTS_VIEW = "reports:view"


_EVERY_USER = {Permission.ACCOUNT_SELF, Permission.HOME_VIEW}
_CASE_WORK = {
    Permission.CASE_BREAK_GLASS,
    Permission.CASE_CREATE,
    Permission.CASE_EDIT,
    Permission.CASE_LIST,
    Permission.CASE_VIEW,
    Permission.REFERRAL_WORK,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OFFICER: frozenset(_EVERY_USER | _CASE_WORK),
    Role.CASE_WORKER: frozenset(_EVERY_USER | _CASE_WORK),
    Role.SUPERVISOR: frozenset(
        _EVERY_USER
        | _CASE_WORK
        | {
            Permission.APPROVAL_DECIDE,
            Permission.AUDIT_VIEW,
            Permission.CASE_ERASE,
            Permission.CASE_HOLD,
            Permission.REPORTS_APPROVE,
            Permission.REPORTS_VIEW,
        }
    ),
    Role.AUDITOR: frozenset(_EVERY_USER | {Permission.AUDIT_VIEW}),
    Role.ADMIN: frozenset(
        _EVERY_USER
        | {
            Permission.ADMIN_AGENCIES,
            Permission.ADMIN_SESSIONS,
            Permission.ADMIN_USERS,
            Permission.APPROVAL_DECIDE,
        }
    ),
    Role.STEERING: frozenset(_EVERY_USER | {Permission.REPORTS_VIEW}),
}

# Roles whose grant takes a second person's approval (separation of duties, DESIGN.md §5): those
# that read cases, and those that decide approvals (else one person could grant themselves a
# deputy who approves for them). Derived from the table, so a new role is guarded by what it may do.
_GUARDED_PERMISSIONS = frozenset({Permission.CASE_VIEW, Permission.APPROVAL_DECIDE})
ROLES_NEEDING_APPROVAL: frozenset[Role] = frozenset(
    role for role, permissions in ROLE_PERMISSIONS.items() if permissions & _GUARDED_PERMISSIONS
)

# Endpoints a user who must change their password may still reach.
_PASSWORD_CHANGE_ALLOWED = {"accounts.change_password", "accounts.logout", "accounts.set_language"}
# Endpoints a user who must set up a second factor may still reach.
_ENROLMENT_ALLOWED = {
    "accounts.two_factor_page",
    "accounts.new_two_factor",
    "accounts.setup_two_factor",
    "accounts.logout",
    "accounts.set_language",
}


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
    missing = sorted(rule.rule for rule in app.url_map.iter_rules() if policy_of(app, rule.endpoint) is None)
    if missing:
        raise RuntimeError(f"Routes without an access policy: {', '.join(missing)}")


def enforce() -> object | None:
    """``before_request`` gate: login (both steps), forced password change, forced set-up of the
    second factor, then the route's permission."""
    from flask import current_app

    from victimcare.accounts.sessions import CODE_PENDING
    from victimcare.accounts.two_factor import must_enrol

    endpoint = request.endpoint
    if endpoint is None:  # 404 or 405: let Flask answer
        return None
    policy = policy_of(current_app, endpoint)
    if policy == PUBLIC:
        return None
    if policy is None:
        abort(403)
    if session.get(CODE_PENDING):  # half logged in (or a wrong password: the same answer)
        return redirect(url_for("accounts.login_code"))
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.must_change_password:
        if endpoint not in _PASSWORD_CHANGE_ALLOWED:
            return redirect(url_for("accounts.change_password"))
    elif endpoint not in _ENROLMENT_ALLOWED and must_enrol(current_user):
        return redirect(url_for("accounts.two_factor_page"))
    if not has_permission(current_user, policy):
        abort(403)
    return None


# -- cases ---------------------------------------------------------------------------------------


class FieldGroup(StrEnum):
    """Parts of a case shown or hidden together (DESIGN.md §5)."""

    IDENTITY = "identity"
    CONTACT = "contact"
    NARRATIVE = "narrative"
    INVESTIGATION = "investigation"
    MEDICAL = "medical"
    SUPPORT = "support"


# What each kind of agency's work needs to see (need-to-know).
GROUPS_BY_AGENCY_KIND: dict[str, frozenset[FieldGroup]] = {
    "police": frozenset(
        {FieldGroup.IDENTITY, FieldGroup.CONTACT, FieldGroup.NARRATIVE, FieldGroup.INVESTIGATION}
    ),
    "border_guard": frozenset(
        {FieldGroup.IDENTITY, FieldGroup.CONTACT, FieldGroup.NARRATIVE, FieldGroup.INVESTIGATION}
    ),
    "procuracy": frozenset({FieldGroup.IDENTITY, FieldGroup.NARRATIVE, FieldGroup.INVESTIGATION}),
    "social_affairs": frozenset(
        {FieldGroup.IDENTITY, FieldGroup.CONTACT, FieldGroup.NARRATIVE, FieldGroup.SUPPORT}
    ),
    "commune": frozenset({FieldGroup.IDENTITY, FieldGroup.CONTACT, FieldGroup.SUPPORT}),
    "womens_union": frozenset({FieldGroup.IDENTITY, FieldGroup.CONTACT, FieldGroup.SUPPORT}),
    "health": frozenset({FieldGroup.IDENTITY, FieldGroup.MEDICAL}),
    "justice": frozenset({FieldGroup.IDENTITY, FieldGroup.NARRATIVE}),
    "foreign_affairs": frozenset({FieldGroup.IDENTITY, FieldGroup.CONTACT}),
}

BREAK_GLASS_DURATION_MINUTES = 60


def _active_grant_case_ids(user: User):
    import sqlalchemy as sa

    from victimcare.cases.models import BreakGlassGrant
    from victimcare.database import utcnow

    return sa.select(BreakGlassGrant.case_id).where(
        BreakGlassGrant.user_id == user.id, BreakGlassGrant.expires_at > utcnow()
    )


def visible_cases(user: User):
    """SQL condition on ``Case``: the cases ``user`` may know exist (lists filter in the query).

    The owning agency's staff see its cases; supervisors see every case owned by an agency in
    their province; an unexpired break-glass grant opens one case to one user; an accepted
    referral opens the case to the receiving agency.
    """
    import sqlalchemy as sa

    from victimcare.accounts.models import Agency
    from victimcare.cases.models import Case
    from victimcare.extensions import db

    if not has_permission(user, Permission.CASE_VIEW):
        return sa.false()
    conditions = [Case.owning_agency_id == user.agency_id]
    if user.role == Role.SUPERVISOR:
        conditions.append(
            Case.owning_agency_id.in_(
                sa.select(Agency.id).where(Agency.province_code == user.agency.province_code)
            )
        )
    # Grants and accepted referrals are few: resolve them first, in one query. An OR with their
    # subqueries would make the planner give up the (owning agency, created) index and sort every case.
    opened = db.session.scalars(
        sa.union_all(
            _active_grant_case_ids(user),
            _accepted_referrals(user).with_only_columns(_referral_model().case_id),
        )
    ).all()
    if opened:
        conditions.append(Case.id.in_(list(set(opened))))
    return sa.or_(*conditions)


def _referral_model():
    from victimcare.referrals.models import Referral

    return Referral


def _accepted_referrals(user: User, case=None):
    """Referrals to the user's agency that are accepted now: they open the case, scoped to their groups."""
    import sqlalchemy as sa

    from workflows.referral import ReferralStatus

    referral = _referral_model()
    query = sa.select(referral).where(
        referral.to_agency_id == user.agency_id, referral.status == ReferralStatus.ACCEPTED
    )
    return query if case is None else query.where(referral.case_id == case.id)


# The part of the record a receiving agency writes its own work into (DOMAIN.md §4–§5).
OWN_WORK_GROUP = {
    "health": FieldGroup.MEDICAL,
    "social_affairs": FieldGroup.SUPPORT,
    "womens_union": FieldGroup.SUPPORT,
    "commune": FieldGroup.SUPPORT,
}


def referred_groups(user: User, case) -> frozenset[FieldGroup]:
    """What accepted referrals to the user's agency share of ``case``, plus where it records its work.

    A receiving agency's case page asks this up to four times (can it see, which groups, may it
    record each kind of work). A read request changes no referral, so there the answer is kept for
    the request; a request that writes asks the database every time.
    """
    from victimcare.extensions import db

    memo = g.setdefault("_victimcare_referred_groups", {}) if reading() else {}
    key = (user.id, case.id)
    if key not in memo:
        referrals = db.session.scalars(_accepted_referrals(user, case)).all()
        groups = {FieldGroup(group) for referral in referrals for group in referral.shared_groups}
        if referrals and user.agency.kind in OWN_WORK_GROUP:
            groups.add(OWN_WORK_GROUP[user.agency.kind])
        memo[key] = frozenset(groups & GROUPS_BY_AGENCY_KIND.get(user.agency.kind, frozenset()))
    return memo[key]


def active_break_glass(user: User, case):
    """The user's unexpired emergency grant on this case, if any."""
    import sqlalchemy as sa

    from victimcare.cases.models import BreakGlassGrant
    from victimcare.database import utcnow
    from victimcare.extensions import db

    return db.session.scalar(
        sa.select(BreakGlassGrant).where(
            BreakGlassGrant.user_id == user.id,
            BreakGlassGrant.case_id == case.id,
            BreakGlassGrant.expires_at > utcnow(),
        )
    )


def can_see_case(user: User, case) -> bool:
    if not has_permission(user, Permission.CASE_VIEW):
        return False
    return _sees_whole_case(user, case) or bool(referred_groups(user, case))


def _sees_whole_case(user: User, case) -> bool:
    """Owner, supervisor of the jurisdiction, or emergency access: the agency kind's groups."""
    if case.owning_agency_id == user.agency_id:
        return True
    if user.role == Role.SUPERVISOR and case.owning_agency.province_code == user.agency.province_code:
        return True
    return active_break_glass(user, case) is not None


def is_owning_supervisor(user: User, case) -> bool:
    """Erasure and legal holds belong to the supervisors of the agency that owns the case."""
    return (
        has_permission(user, Permission.CASE_ERASE)
        and user.role == Role.SUPERVISOR
        and case.owning_agency_id == user.agency_id
    )


def can_act_on_case(user: User, case) -> bool:
    """Fire steps and edit records: the owning agency's officers, case workers and supervisors."""
    return has_permission(user, Permission.CASE_EDIT) and case.owning_agency_id == user.agency_id


def field_groups(user: User, case) -> frozenset[FieldGroup]:
    """The parts of ``case`` this user may read: their agency kind's needs, if they see the case at all."""
    if not has_permission(user, Permission.CASE_VIEW):
        return frozenset()
    if not _sees_whole_case(user, case):
        return referred_groups(user, case)  # a receiving agency: only what was shared, while accepted
    groups = set(GROUPS_BY_AGENCY_KIND.get(user.agency.kind, ()))
    if case.owning_agency_id == user.agency_id and user.role == Role.CASE_WORKER:
        groups.add(FieldGroup.MEDICAL)  # the owning agency's case workers coordinate care
    return frozenset(groups)


def shown_of(user: User, case, groups) -> frozenset[FieldGroup]:
    """The part of ``groups`` that ``user`` may be shown on ``case``.

    Whatever a page shows — the case itself, a preview of what someone else will see, a history
    entry, an export — is at most what the person looking may read themselves; the rest is named,
    never shown.
    """
    return frozenset(FieldGroup(g) for g in groups) & field_groups(user, case)


# -- work recorded on a case: support, protection, reintegration, medical care -------------------


class Work(StrEnum):
    """Kinds of records agencies add to a case besides its stages (DOMAIN.md §4–§5)."""

    SUPPORT = "support"
    PROTECTION = "protection"
    REINTEGRATION = "reintegration"
    MEDICAL = "medical"


# The field groups a kind of record is read in: seeing any one of them shows it.
WORK_GROUPS: dict[Work, frozenset[FieldGroup]] = {
    Work.SUPPORT: frozenset({FieldGroup.SUPPORT}),
    Work.REINTEGRATION: frozenset({FieldGroup.SUPPORT}),
    # Police and border guards protect, as social affairs do: either group shows protection.
    Work.PROTECTION: frozenset({FieldGroup.SUPPORT, FieldGroup.INVESTIGATION}),
    Work.MEDICAL: frozenset({FieldGroup.MEDICAL}),
}
# Kinds of agency that do this work on a case referred to them (the owner records what it sees).
WORKERS: dict[Work, frozenset[str]] = {
    Work.SUPPORT: frozenset({"social_affairs", "commune", "womens_union", "border_guard"}),
    Work.REINTEGRATION: frozenset({"social_affairs", "commune", "womens_union"}),
    Work.PROTECTION: frozenset({"police", "border_guard", "social_affairs"}),
    Work.MEDICAL: frozenset({"health"}),
}


def can_read_work(groups: frozenset[FieldGroup], work: Work) -> bool:
    return bool(groups & WORK_GROUPS[work])


def can_record_work(user: User, case, work: Work, groups: frozenset[FieldGroup] | None = None) -> bool:
    """Add or change support, protection, reintegration or medical records on ``case``.

    The owning agency's staff record what they can read; an agency the case was referred to
    records the work its kind does, while the referral is accepted. Supervisors elsewhere in the
    province and emergency access read only.
    """
    if not has_permission(user, Permission.CASE_EDIT):
        return False
    groups = field_groups(user, case) if groups is None else groups
    if not can_read_work(groups, work):
        return False
    if case.owning_agency_id == user.agency_id:
        return True
    return user.agency.kind in WORKERS[work] and bool(referred_groups(user, case))


# -- statistics ---------------------------------------------------------------------------------


class ReportScope(StrEnum):
    AGENCY = "agency"
    PROVINCE = "province"


def report_scopes(user: User) -> dict[ReportScope, tuple[tuple, bool]]:
    """The jurisdictions whose figures ``user`` may read: agency ids, and whether counts are exact.

    A supervisor reads their own agency's figures exactly, and their province's with small cells
    protected (other agencies' people are in them); the steering committee reads its province's,
    protected, and nothing else. Figures never name a person, so no other rule is needed.
    """
    import sqlalchemy as sa

    from victimcare.accounts.models import Agency
    from victimcare.extensions import db

    if not has_permission(user, Permission.REPORTS_VIEW):
        return {}
    province = tuple(
        db.session.scalars(
            sa.select(Agency.id)
            .where(Agency.province_code == user.agency.province_code)
            .order_by(Agency.code)
        )
    )
    scopes = {ReportScope.PROVINCE: (province, False)}
    if user.role == Role.SUPERVISOR:
        scopes = {ReportScope.AGENCY: ((user.agency_id,), True), **scopes}
    return scopes
