"""One person's activity in a month, for their reviewers: which cases they opened (how often, when,
which parts) and what else they did, by kind. References and field names only, like the log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import to_user_timezone

from victimcare.access import FieldGroup
from victimcare.accounts.models import User
from victimcare.audit import review
from victimcare.audit.filters import local_midnight
from victimcare.audit.labels import code_label
from victimcare.audit.models import AuditEvent
from victimcare.audit.vocabulary import EventField
from victimcare.database import utcnow
from victimcare.extensions import db
from victimcare.i18n import format_moment
from vocabulary import AuditAction

MOST_EVENTS = 20_000  # a month of one person's work is far below this


@dataclass
class OpenedCase:
    reference: str
    views: int = 0
    first: datetime | None = None
    last: datetime | None = None
    fields: set = field(default_factory=set)

    @property
    def fields_label(self) -> str:
        return ", ".join(sorted(code_label(f, FieldGroup, EventField) for f in self.fields))

    @property
    def first_label(self) -> str:
        return format_moment(self.first)

    @property
    def last_label(self) -> str:
        return format_moment(self.last)


@dataclass
class Activity:
    cases: list[OpenedCase]
    other: list[tuple[str, int]]  # (action label, how many), most frequent first
    total: int


def this_month() -> date:
    return to_user_timezone(utcnow()).date().replace(day=1)


def month_asked(text: str) -> tuple[date, str | None]:
    """``mm/yyyy`` (or ``yyyy-mm``) as the month's first day; this month, with a reason, otherwise."""
    text = text.strip()
    if not text:
        return this_month(), None
    for pattern in ("%m/%Y", "%Y-%m"):
        try:
            month = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if 1900 <= month.year <= 2100:
            return month, None
    return this_month(), _("Not a valid month (mm/yyyy); this month is shown.")


def of_month(viewer: User, person: User, month: date) -> Activity:
    """``person``'s events in ``month`` (local time) that ``viewer`` may review."""
    start = local_midnight(month)
    end = local_midnight((month + timedelta(days=32)).replace(day=1))
    events = db.session.execute(
        review.events_in_scope(viewer)
        .with_only_columns(
            AuditEvent.action, AuditEvent.case_reference, AuditEvent.fields, AuditEvent.occurred_at
        )
        .where(
            AuditEvent.actor_id == person.id, AuditEvent.occurred_at >= start, AuditEvent.occurred_at < end
        )
        .order_by(AuditEvent.seq)
        .limit(MOST_EVENTS)
    ).all()
    cases: dict[str, OpenedCase] = {}
    other: dict[str, int] = {}
    for action, reference, fields, moment in events:
        if action == AuditAction.VIEW and reference:
            opened = cases.setdefault(reference, OpenedCase(reference, first=moment))
            opened.views += 1
            opened.last = moment
            opened.fields.update(fields or ())
        else:
            other[action] = other.get(action, 0) + 1
    return Activity(
        cases=sorted(cases.values(), key=lambda c: c.last, reverse=True),
        other=sorted(((code_label(a, AuditAction), n) for a, n in other.items()), key=lambda pair: -pair[1]),
        total=len(events),
    )
