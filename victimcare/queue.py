"""The home page's work queue: what waits for this user today, each role its own.

Every entry is a count that links to the list it counts (a filter of the case list, a referral box,
the follow-up visits, the approvals, the log) and, where it is about cases, the first few of them
by reference, stage and date. The queue never names a person, so the home page decrypts nothing
and logs no view. Each count is one indexed query that stops at ``COUNT_CAP``, so the page costs
the same at 100,000 cases as at 100 (bench/pages.py).

``filter_cases`` holds the case list's filters the queue links to (due soon, unassigned, a worker's
cases, open, support limits due, ready to close), so the count on the home page and the list it
opens are the same query.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _

from victimcare import access, working_days
from victimcare.access import FieldGroup, Permission, has_permission
from victimcare.accounts.models import Role, User
from victimcare.cases import assignment
from victimcare.cases.models import Case
from victimcare.database import utcnow
from victimcare.extensions import db
from victimcare.i18n import format_day, format_moment
from victimcare.labels import label
from workflows import support as rules
from workflows.victim_path import STOPPED_CLOCK, Stage

SOON = timedelta(days=3)  # "due soon" for a stage of the path
SHOWN = 5  # cases listed under an entry
COUNT_CAP = 999  # counts stop there and show "999+": the number past it changes nothing today
FOLLOW_UP_DAYS = 14  # visits due within two weeks, as the follow-up list shows them


@dataclass(frozen=True)
class Line:
    """One case (or referral) under an entry: what it is, how it stands, where to act on it."""

    reference: str
    text: str
    url: str
    urgent: bool = False


@dataclass(frozen=True)
class Entry:
    key: str  # stable name, for tests and the page's data-testid
    title: str
    count: int
    url: str
    tone: str = "primary"  # danger: past a limit; warning: close to one; secondary: to hand out
    lines: list[Line] = field(default_factory=list)

    @property
    def shown_count(self) -> str:
        return f"{COUNT_CAP}+" if self.count > COUNT_CAP else str(self.count)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    entries: list[Entry]
    empty: str  # what to do next when nothing waits here
    actions: list[tuple[str, str]] = field(default_factory=list)  # (label, url)

    @property
    def waiting(self) -> list[Entry]:
        return [e for e in self.entries if e.count]


def for_user(user: User, now: datetime | None = None) -> list[Section]:
    """The queue of ``user``: the sections their role works in, in the order of a working day."""
    now = now or utcnow()
    today = working_days.today()
    sections = []
    if has_permission(user, Permission.CASE_EDIT):
        sections.append(_my_cases(user, now))
    if has_permission(user, Permission.REFERRAL_WORK):
        sections.append(_referrals(user, now))
    if has_permission(user, Permission.CASE_EDIT) and _does_support(user):
        sections.append(_support(user, today))
    if has_permission(user, Permission.CASE_ASSIGN):
        sections.append(_team(user, now))
    if has_permission(user, Permission.APPROVAL_DECIDE):
        sections.append(_approvals(user))
    if has_permission(user, Permission.AUDIT_VIEW):
        sections.append(_review(user))
    return sections


# -- my cases --------------------------------------------------------------------------------------


def _running():
    return Case.stage.not_in(STOPPED_CLOCK)


def _mine(user: User):
    """The cases assigned to ``user``, as the case list's "Assigned to me" reads it. (Adding the owning
    agency would let SQLite prefer the agency's deadline index and read all its overdue cases.)"""
    return Case.assigned_user_id == user.id


def _capped_count(*conditions) -> int:
    """How many cases meet ``conditions``, stopping one past the cap (the page says "999+").

    It selects a constant, not a column, so an index holding the conditions' columns answers alone.
    """
    return _capped(sa.select(sa.literal(1)).select_from(Case).where(*conditions))


def _capped(query: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.limit(COUNT_CAP + 1).subquery()))


def _my_cases(user: User, now: datetime) -> Section:
    soon = now + SOON
    overdue, due_soon = db.session.execute(
        sa.select(
            sa.func.count().filter(Case.stage_deadline < now),
            sa.func.count().filter(Case.stage_deadline >= now),
        ).where(_mine(user), _running(), Case.stage_deadline < soon)
    ).one()
    tz = get_timezone()

    def lines(*window) -> list[Line]:
        rows = db.session.execute(
            sa.select(Case.reference, Case.stage, Case.stage_deadline)
            .where(_mine(user), _running(), *window)
            .order_by(Case.stage_deadline, Case.reference)
            .limit(SHOWN)
        )
        return [
            Line(
                reference,
                f"{label(stage)} · "
                + (_("Overdue since %(when)s") if deadline < now else _("Due %(when)s"))
                % {"when": format_moment(deadline, tz)},
                url_for("cases.show", reference=reference),
                urgent=deadline < now,
            )
            for reference, stage, deadline in rows
        ]

    entries = [
        Entry(
            "my_overdue",
            _("My cases past their stage's time limit"),
            overdue,
            url_for("cases.index", mine=1, overdue=1, sort="deadline"),
            "danger",
            lines(Case.stage_deadline < now) if overdue else [],
        ),
        Entry(
            "my_due_soon",
            _("My cases due within 3 days"),
            due_soon,
            url_for("cases.index", mine=1, due_soon=1, sort="deadline"),
            "warning",
            lines(Case.stage_deadline >= now, Case.stage_deadline < soon) if due_soon else [],
        ),
    ]
    if not has_permission(user, Permission.CASE_ASSIGN):  # supervisors see them under their team
        entries.append(_unassigned_entry(user, _("Open cases of your agency nobody carries: take one")))
    actions = [(_("All my cases"), url_for("cases.index", mine=1, open=1, sort="deadline"))]
    if has_permission(user, Permission.CASE_CREATE):
        actions.append((_("New intake"), url_for("cases.new")))
    return Section(
        "my_cases",
        _("My cases"),
        entries,
        _("None of your cases is past its time limit or due in the next 3 days."),
        actions,
    )


def _unassigned_entry(user: User, title: str) -> Entry:
    count = _capped_count(_unassigned(user))
    return Entry(
        "unassigned", title, count, url_for("cases.index", unassigned=1, sort="deadline"), "secondary"
    )


def _unassigned(user: User):
    return sa.and_(
        Case.owning_agency_id == user.agency_id, Case.assigned_user_id.is_(None), Case.stage != Stage.CLOSED
    )


# -- referrals ----------------------------------------------------------------------------------------


def _referrals(user: User, now: datetime) -> Section:
    from victimcare.referrals.models import Referral
    from workflows.referral import ReferralKind, ReferralStatus

    pending = sa.and_(Referral.to_agency_id == user.agency_id, Referral.status == ReferralStatus.PENDING)
    waiting, late = db.session.execute(
        sa.select(sa.func.count(), sa.func.count().filter(Referral.answer_due_at < now)).where(pending)
    ).one()
    rows = db.session.execute(
        sa.select(Referral.id, Case.reference, Referral.purpose, Referral.kind, Referral.answer_due_at)
        .join(Case, Referral.case_id == Case.id)
        .where(pending)
        .order_by(Referral.answer_due_at)
        .limit(SHOWN)
    ).all()
    tz = get_timezone()
    lines = [
        Line(
            reference,
            label(purpose)
            + (" · " + _("transfer") if kind == ReferralKind.TRANSFER else "")
            + " · "
            + _("answer by %(when)s", when=format_moment(due, tz)),
            url_for("referrals.show", referral_id=referral_id),
            urgent=due < now,
        )
        for referral_id, reference, purpose, kind, due in rows
    ]
    sent_late = db.session.scalar(
        sa.select(sa.func.count()).where(
            Referral.from_agency_id == user.agency_id,
            Referral.status == ReferralStatus.PENDING,
            Referral.answer_due_at < now,
        )
    )
    return Section(
        "referrals",
        _("Referrals"),
        [
            Entry(
                "referrals_waiting",
                _("Waiting for your agency's answer"),
                waiting,
                url_for("referrals.index", status=ReferralStatus.PENDING.value),
                "danger" if late else "warning",
                lines,
            ),
            Entry(
                "referrals_sent_overdue",
                _("Sent by your agency, not answered in time"),
                sent_late,
                url_for("referrals.index", box="outbox", overdue=1),
                "danger",
            ),
        ],
        _("No referral waits for your agency's answer, and every one it sent was answered in time."),
        [(_("Open referrals"), url_for("referrals.index"))],
    )


# -- support: follow-up visits, lodging limits, decisions on applications ------------------------------


def _does_support(user: User) -> bool:
    """Agencies whose work is support and reintegration (social affairs, communes, the women's union)."""
    return FieldGroup.SUPPORT in access.GROUPS_BY_AGENCY_KIND.get(user.agency.kind, frozenset())


def _support(user: User, today: date) -> Section:
    from victimcare.support.models import FollowUp

    work = assignment.my_work(user)
    horizon = today + timedelta(days=FOLLOW_UP_DAYS)
    visits = (
        sa.select(FollowUp.id, FollowUp.due_on, Case.reference)
        .join(Case, FollowUp.case_id == Case.id)
        .where(work, FollowUp.done_on.is_(None), FollowUp.due_on <= horizon)
    )
    visit_count = _capped(visits)
    visit_lines = [
        Line(
            reference,
            (_("Visit overdue since %(day)s") if due < today else _("Visit due %(day)s"))
            % {"day": format_day(due)},
            url_for("cases.show", reference=reference, _anchor="reintegration"),
            urgent=due < today,
        )
        for _id, due, reference in db.session.execute(
            visits.order_by(FollowUp.due_on, Case.reference).limit(SHOWN)
        )
    ]
    due = support_deadlines_due(user, today)
    limit_lines = [
        Line(
            reference,
            (
                _("Lodging limit %(day)s")
                if kind == "lodging"
                else _("Decision on the application due %(day)s")
            )
            % {"day": format_day(limit)}
            + (" · " + _("overdue") if limit < today else ""),
            url_for("cases.show", reference=reference, _anchor="support"),
            urgent=limit < today,
        )
        for reference, kind, limit in due[:SHOWN]
    ]
    return Section(
        "support",
        _("Support and follow-up"),
        [
            Entry(
                "follow_ups_due",
                _("Follow-up visits due within two weeks or overdue"),
                visit_count,
                url_for("support.follow_ups", mine=1),
                "danger" if any(line.urgent for line in visit_lines) else "warning",
                visit_lines,
            ),
            Entry(
                "support_due",
                _("Lodging limits and support decisions falling due"),
                len(due),
                url_for("cases.index", support_due=1, sort="deadline"),
                "danger" if any(line.urgent for line in limit_lines) else "warning",
                limit_lines,
            ),
        ],
        _("No visit, lodging limit or decision on an application falls due in the next two weeks."),
        [(_("All follow-up visits"), url_for("support.follow_ups"))],
    )


def support_deadlines_due(user: User, today: date) -> list[tuple[str, str, date]]:
    """(case reference, "lodging" or "decision", limit) of the support limits overdue or due within two
    weeks on the cases whose work falls to ``user``, soonest first.

    SQL narrows to the services that can be near a limit (open essential needs begun long enough ago
    for the 120-day limit to be near; applications whose decision is due soon and not taken); the
    limit itself, with its extensions, comes from the same rules the case page applies.
    """
    from victimcare.support import operations as support
    from victimcare.support.models import SupportService

    lodging_days = current_app.config["SUPPORT_LODGING_DAYS"]
    soon = today + timedelta(days=rules.DUE_SOON_DAYS)
    near = sa.or_(
        sa.and_(
            SupportService.support_type == rules.SupportType.ESSENTIAL_NEEDS,
            SupportService.status.in_(sorted(rules.OPEN_STATUSES)),
            SupportService.starts_on <= soon - timedelta(days=lodging_days),
        ),
        sa.and_(
            SupportService.decision_due_on < soon,
            SupportService.decided_on.is_(None),
            SupportService.status.not_in([rules.ServiceStatus.REFUSED, rules.ServiceStatus.STOPPED]),
        ),
    )
    services = db.session.scalars(
        sa.select(SupportService)
        .join(Case, SupportService.case_id == Case.id)
        .where(assignment.my_work(user), Case.stage != Stage.CLOSED, near)
        .limit(COUNT_CAP + 1)
    ).all()
    found = [
        (service.case.reference, deadline.kind, deadline.limit)
        for service in services
        for deadline in support.deadlines_of(service, today)
        if deadline.due in (rules.Due.OVERDUE, rules.Due.DUE_SOON)
    ]
    return sorted(found, key=lambda item: (item[2], item[0]))


# -- a supervisor's team ---------------------------------------------------------------------------------


def _team(user: User, now: datetime) -> Section:
    overdue = _capped_count(Case.owning_agency_id == user.agency_id, _running(), Case.stage_deadline < now)
    return Section(
        "team",
        _("Your agency's cases"),
        [
            _unassigned_entry(user, _("Open cases nobody carries: assign them")),
            Entry(
                "agency_overdue",
                _("Open cases past their stage's time limit"),
                overdue,
                url_for("cases.index", agency=user.agency.code, overdue=1, sort="deadline"),
                "danger",
            ),
        ],
        _("Every open case of your agency has a worker and none is past its time limit."),
        [(_("Each worker's caseload"), url_for("cases.caseload"))],
    )


# -- approvals and review ----------------------------------------------------------------------------------


def ready_to_close():
    """SQL condition on ``Case``: at reintegration, every follow-up visit recorded and every protection
    measure ended or handed over; the closing step (a supervisor's) checks the rest of its checklist."""
    from victimcare.support.models import FollowUp, ProtectionMeasure

    visits = sa.select(FollowUp.id).where(FollowUp.case_id == Case.id)
    return sa.and_(
        Case.stage == Stage.REINTEGRATION,
        visits.exists(),
        ~visits.where(FollowUp.done_on.is_(None)).exists(),
        ~sa.select(ProtectionMeasure.id)
        .where(
            ProtectionMeasure.case_id == Case.id,
            ProtectionMeasure.ended_on.is_(None),
            ProtectionMeasure.handed_over_to_id.is_(None),
        )
        .exists(),
    )


def _approvals(user: User) -> Section:
    from victimcare.approvals import operations as approvals
    from victimcare.approvals.models import ApprovalKind

    entries = []
    if user.role == Role.SUPERVISOR:
        closing = sa.and_(Case.owning_agency_id == user.agency_id, ready_to_close())
        rows = db.session.scalars(
            sa.select(Case.reference).where(closing).order_by(Case.stage_started_at).limit(SHOWN)
        ).all()
        entries.append(
            Entry(
                "closures",
                _("Cases ready for your approval to close"),
                _capped_count(closing),
                url_for("cases.index", closing=1),
                "warning",
                [
                    Line(r, _("Visits done, protection ended"), url_for("cases.show", reference=r))
                    for r in rows
                ],
            )
        )
    waiting = approvals.waiting_on(user)
    erasures = [row for row in waiting if row.kind == ApprovalKind.ERASURE]
    others = [row for row in waiting if row.kind != ApprovalKind.ERASURE]
    entries.append(
        Entry(
            "erasures",
            _("Erasures waiting for your second approval"),
            len(erasures),
            url_for("approvals.index"),
            "danger",
            [
                Line(row.case.reference, label(ApprovalKind.ERASURE), url_for("approvals.index"))
                for row in erasures[:SHOWN]
                if row.case is not None
            ],
        )
    )
    entries.append(
        Entry(
            "role_grants",
            _("Role grants and agency changes waiting for your second approval"),
            len(others),
            url_for("approvals.index"),
            "danger",
        )
    )
    return Section(
        "approvals",
        _("Waiting for your approval"),
        entries,
        _("Nothing waits for your approval."),
        [(_("Open approvals"), url_for("approvals.index"))],
    )


def _review(user: User) -> Section:
    from victimcare.audit.review import unreviewed_flag_count

    return Section(
        "review",
        _("Confidentiality log"),
        [
            Entry(
                "flags",
                _("Flagged events not yet reviewed"),
                unreviewed_flag_count(user),
                url_for("audit.index"),
                "warning",
            )
        ],
        _("No flagged event waits for review. Read the log now and then all the same."),
        [(_("Open the log"), url_for("audit.index"))],
    )


# -- the case list's filters behind the queue's links ----------------------------------------------------

QUEUE_FILTERS = ("due_soon", "unassigned", "assigned", "open", "support_due", "closing")


def filter_cases(query: sa.Select, args, user: User) -> sa.Select:
    """Narrow the case list (``cases.views._filtered_query``) by the filters the queue links to."""
    now = utcnow()
    if args.get("due_soon"):
        query = query.where(_running(), Case.stage_deadline >= now, Case.stage_deadline < now + SOON)
    if args.get("unassigned"):
        query = query.where(_unassigned(user))
    if args.get("assigned"):
        query = query.where(Case.assigned_user_id == _uuid_or_none(args.get("assigned")))
    if args.get("open"):
        query = query.where(Case.stage != Stage.CLOSED)
    if args.get("support_due"):
        references = {
            reference for reference, _kind, _limit in support_deadlines_due(user, working_days.today())
        }
        query = query.where(Case.reference.in_(sorted(references)))
    if args.get("closing"):
        query = query.where(Case.owning_agency_id == user.agency_id, ready_to_close())
    return query


def _uuid_or_none(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(text))
    except ValueError:
        return None  # matches nobody: an altered link shows an empty list, not an error


def active_filters(args) -> list[str]:
    """The labels of the queue filters in force on the case list, for the line above it."""
    names = {
        "due_soon": _("due within 3 days"),
        "unassigned": _("nobody carries them"),
        "open": _("open"),
        "support_due": _("lodging limit or support decision falling due"),
        "closing": _("ready for closing approval"),
    }
    shown = [names[name] for name in names if args.get(name)]
    if args.get("assigned"):
        worker_id = _uuid_or_none(args.get("assigned"))
        worker = db.session.get(User, worker_id) if worker_id else None
        shown.append(_("carried by %(name)s", name=worker.display_name if worker else "—"))
    return shown
