"""/audit: the confidentiality log for supervisors (their province) and auditors (everything)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Blueprint, render_template, request
from flask_babel import to_utc
from flask_login import current_user

from victimcare.access import Permission, requires
from victimcare.audit import review
from victimcare.audit.models import AuditEvent
from victimcare.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 100
ACTIONS = ("view", "search", "create", "update", "transition", "erase", "break_glass", "login", "login_failed",
           "lockout", "logout", "user_change", "agency_change", "key_rotate")


def _day(name: str):
    try:
        return datetime.strptime(request.args.get(name, ""), "%d/%m/%Y")
    except ValueError:
        return None


@bp.route("")
@requires(Permission.AUDIT_VIEW)
def index():
    query = review.events_in_scope(current_user)
    for arg, column in (("user", AuditEvent.actor_username), ("agency", AuditEvent.agency_code),
                        ("case", AuditEvent.case_reference), ("action", AuditEvent.action)):
        value = request.args.get(arg, "").strip()
        if value:
            query = query.where(column == value)
    start, end = _day("from"), _day("to")
    if start:
        query = query.where(AuditEvent.occurred_at >= _aware(start))
    if end:
        query = query.where(AuditEvent.occurred_at < _aware(end + timedelta(days=1)))
    page = max(request.args.get("page", 1, type=int), 1)
    rows = db.session.scalars(
        query.order_by(AuditEvent.seq.desc()).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    ).all()
    events, has_next = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    return render_template("audit/index.html", events=events, flags=review.flags(events), actions=ACTIONS,
                           page=page, has_next=has_next)


def _aware(local_midnight: datetime) -> datetime:
    """A day typed in Vietnam's time zone, as the aware UTC moment it starts."""
    return to_utc(local_midnight).replace(tzinfo=UTC)
