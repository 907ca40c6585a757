"""The one place that decides who may see or do what (DESIGN.md §5).

Every view declares its policy with ``@public`` or ``@requires(Permission.X)``; one
``before_request`` gate enforces it, and ``create_app`` refuses to start when a URL rule has no
declared policy, so a new route cannot be forgotten. Default deny.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from flask import Flask, abort, g, redirect, request, session, url_for
from flask_login import current_user

from victimcare.accounts.models import User
from victimcare.extensions import login_manager
from victimcare.transactions import reading
from vocabulary import AgencyKind, FieldGroup, Role

PUBLIC = "public"


class Permission(StrEnum):
    """Permissions named ``resource:action``, kept alphabetical."""

    ACCOUNT_SELF = "account:self"
    ADMIN_AGENCIES = "admin:agencies"
    ADMIN_SESSIONS = "admin:sessions"
    ADMIN_USERS = "admin:users"
    APPROVAL_DECIDE = "approval:decide"
    AUDIT_VIEW = "audit:view"
    CASE_ASSIGN = "case:assign"
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
            Permission.CASE_ASSIGN,
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


# What each kind of agency's work needs to see (need-to-know).
GROUPS_BY_AGENCY_KIND: dict[AgencyKind, frozenset[FieldGroup]] = {
    AgencyKind.POLICE: frozenset(
        {FieldGroup.IDENTITY, FieldGroup.CONTACT, FieldGroup.NARRATIVE, FieldGroup.INVESTIGATION}
    ),
    AgencyKind.BORDER_GUARD: frozenset(
        {FieldGroup.IDENTITY, FieldGroup.CONTACT, FieldGroup.NARRATIVE, FieldGroup.INVESTIGATION}
    ),
    AgencyKind.PROCURACY: frozenset({FieldGroup.IDENTITY, FieldGroup.NARRATIVE, FieldGroup.INVESTIGATION}),
    AgencyKind.SOCIAL_AFFAIRS: frozenset(
        {FieldGroup.IDENTITY, FieldGroup.CONTACT, FieldGroup.NARRATIVE, FieldGroup.SUPPORT}
    ),
    AgencyKind.COMMUNE: frozenset({FieldGroup.IDENTITY, FieldGroup.CONTACT, FieldGroup.SUPPORT}),
    AgencyKind.WOMENS_UNION: frozenset({FieldGroup.IDENTITY, FieldGroup.CONTACT, FieldGroup.SUPPORT}),
    AgencyKind.HEALTH: frozenset({FieldGroup.IDENTITY, FieldGroup.MEDICAL}),
    AgencyKind.JUSTICE: frozenset({FieldGroup.IDENTITY, FieldGroup.NARRATIVE}),
    AgencyKind.FOREIGN_AFFAIRS: frozenset({FieldGroup.IDENTITY, FieldGroup.CONTACT}),
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
    AgencyKind.HEALTH: FieldGroup.MEDICAL,
    AgencyKind.SOCIAL_AFFAIRS: FieldGroup.SUPPORT,
    AgencyKind.WOMENS_UNION: FieldGroup.SUPPORT,
    AgencyKind.COMMUNE: FieldGroup.SUPPORT,
}


class Reason(StrEnum):
    """Why a user sees a case: the audit log and the page say which."""

    OWNER = "owner"
    SUPERVISOR = "supervisor"
    BREAK_GLASS = "break_glass"
    REFERRAL = "referral"


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
WORKERS: dict[Work, frozenset[AgencyKind]] = {
    Work.SUPPORT: frozenset(
        {AgencyKind.SOCIAL_AFFAIRS, AgencyKind.COMMUNE, AgencyKind.WOMENS_UNION, AgencyKind.BORDER_GUARD}
    ),
    Work.REINTEGRATION: frozenset({AgencyKind.SOCIAL_AFFAIRS, AgencyKind.COMMUNE, AgencyKind.WOMENS_UNION}),
    Work.PROTECTION: frozenset({AgencyKind.POLICE, AgencyKind.BORDER_GUARD, AgencyKind.SOCIAL_AFFAIRS}),
    Work.MEDICAL: frozenset({AgencyKind.HEALTH}),
}


@dataclass(frozen=True)
class CaseAccess:
    """Everything one user may do with one case, decided once (``for_case``).

    Views, operations, previews, history and exports ask this object; templates receive only what
    a read model built from it. ``groups`` are the parts of the record the user may read;
    ``recordable`` the kinds of work they may add; ``may_act`` whether they fire steps and edit.
    """

    visible: bool
    reason: Reason | None = None
    groups: frozenset[FieldGroup] = frozenset()
    may_act: bool = False
    owning_supervisor: bool = False
    recordable: frozenset[Work] = frozenset()
    break_glass: object | None = None  # the unexpired BreakGlassGrant, when that is the reason
    referrals: tuple = ()  # the accepted referrals to the user's agency, when that is the reason
    exchanged: tuple | None = None  # every referral between the user's agency and the case, if read

    def reads(self, *groups: FieldGroup) -> bool:
        """Whether every one of ``groups`` is readable."""
        return set(groups) <= self.groups

    def reads_work(self, work: Work) -> bool:
        return bool(self.groups & WORK_GROUPS[work])

    def may_record(self, work: Work) -> bool:
        return work in self.recordable

    def shown_of(self, groups) -> frozenset[FieldGroup]:
        """The part of ``groups`` this user may be shown.

        Whatever a page shows — the case itself, a preview of what someone else will see, a history
        entry, an export — is at most what the person looking may read themselves; the rest is named,
        never shown.
        """
        return frozenset(FieldGroup(g) for g in groups) & self.groups


NO_ACCESS = CaseAccess(visible=False)


def for_case(user: User, case) -> CaseAccess:
    """The one decision on what ``user`` may see and do on ``case`` (need-to-know, default deny).

    The owning agency's staff see the case with their agency kind's groups (its case workers also
    the medical group: they coordinate care); supervisors of the province see it read-only; an
    unexpired break-glass grant opens it to one user; an accepted referral opens what it shared,
    plus the part where the receiving agency records its own work, while it stays accepted.

    A read request changes no grant or referral, so there the answer is kept for the request; a
    request that writes decides afresh each time it asks.
    """
    memo = g.setdefault("_victimcare_case_access", {}) if reading() else {}
    key = (user.get_id(), case.id)
    if key not in memo:
        memo[key] = _decide(user, case)
    return memo[key]


def _decide(user: User, case) -> CaseAccess:  # noqa: C901 (the rules read top to bottom, as the docstring says)
    import sqlalchemy as sa

    if not has_permission(user, Permission.CASE_VIEW):
        return NO_ACCESS
    kind_groups = GROUPS_BY_AGENCY_KIND.get(user.agency.kind, frozenset())
    owner = case.owning_agency_id == user.agency_id
    if owner:
        groups = set(kind_groups)
        if user.role == Role.CASE_WORKER:
            groups.add(FieldGroup.MEDICAL)  # the owning agency's case workers coordinate care
        return _seen(
            user, Reason.OWNER, frozenset(groups), may_act=has_permission(user, Permission.CASE_EDIT)
        )
    if user.role == Role.SUPERVISOR and case.owning_agency.province_code == user.agency.province_code:
        return _seen(user, Reason.SUPERVISOR, kind_groups)
    grant = _active_grant(user, case)
    if grant is not None:
        return _seen(user, Reason.BREAK_GLASS, kind_groups, break_glass=grant)
    # Every referral between the user's agency and this case, in one read: the accepted ones to
    # it decide; the case page lists them all without asking again.
    referral = _referral_model()
    exchanged = tuple(
        _db().session.scalars(
            sa.select(referral)
            .where(
                referral.case_id == case.id,
                sa.or_(referral.to_agency_id == user.agency_id, referral.from_agency_id == user.agency_id),
            )
            .order_by(referral.sent_at.desc())
        )
    )
    referrals = tuple(r for r in exchanged if r.to_agency_id == user.agency_id and r.status == _accepted())
    if not referrals:
        return NO_ACCESS
    groups = {FieldGroup(group) for referral in referrals for group in referral.shared_groups}
    if user.agency.kind in OWN_WORK_GROUP:
        groups.add(OWN_WORK_GROUP[user.agency.kind])
    groups &= kind_groups
    if not groups:
        return NO_ACCESS
    recordable = frozenset(
        work
        for work in Work
        if has_permission(user, Permission.CASE_EDIT)
        and groups & WORK_GROUPS[work]
        and user.agency.kind in WORKERS[work]
    )
    return CaseAccess(
        True,
        Reason.REFERRAL,
        frozenset(groups),
        recordable=recordable,
        referrals=referrals,
        exchanged=exchanged,
    )


def _seen(user: User, reason: Reason, groups: frozenset[FieldGroup], *, may_act=False, break_glass=None):
    """Owner, supervisor or emergency access: the owner records what it reads; the others only read."""
    recordable = frozenset(w for w in Work if may_act and groups & WORK_GROUPS[w])
    return CaseAccess(
        True,
        reason,
        groups,
        may_act=may_act,
        owning_supervisor=reason == Reason.OWNER
        and user.role == Role.SUPERVISOR
        and has_permission(user, Permission.CASE_ERASE),
        recordable=recordable,
        break_glass=break_glass,
    )


def _accepted():
    from workflows.referral import ReferralStatus

    return ReferralStatus.ACCEPTED


def _db():
    from victimcare.extensions import db

    return db


def _active_grant(user: User, case):
    """The user's unexpired emergency grant on this case, if any."""
    import sqlalchemy as sa

    from victimcare.cases.models import BreakGlassGrant
    from victimcare.database import utcnow

    return _db().session.scalar(
        sa.select(BreakGlassGrant).where(
            BreakGlassGrant.user_id == user.id,
            BreakGlassGrant.case_id == case.id,
            BreakGlassGrant.expires_at > utcnow(),
        )
    )


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
