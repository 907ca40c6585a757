"""/audit: the confidentiality log for supervisors (their province) and auditors (everything)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import csv
import io

from flask import Blueprint, current_app, render_template, request
from flask_babel import to_utc
from flask_login import current_user

from victimcare.access import Permission, requires
from victimcare.audit import operations as audit
from victimcare.audit import review
from victimcare.audit.models import AuditEvent
from victimcare.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 100
ACTIONS = ("view", "search", "create", "update", "transition", "erase", "break_glass", "login", "login_failed",
           "lockout", "logout", "user_change", "agency_change", "key_rotate", "refer", "accept", "decline",
           "withdraw", "complete", "expire", "consent", "approval_request", "approval_decision", "legal_hold")


def _day(name: str):
    try:
        return datetime.strptime(request.args.get(name, ""), "%d/%m/%Y")
    except ValueError:
        return None


def _filtered():
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
    return query


@bp.route("")
@requires(Permission.AUDIT_VIEW)
def index():
    query = _filtered()
    page = max(request.args.get("page", 1, type=int), 1)
    rows = db.session.scalars(
        query.order_by(AuditEvent.seq.desc()).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    ).all()
    events, has_next = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    return render_template("audit/index.html", events=events, flags=review.flags(events), actions=ACTIONS,
                           page=page, has_next=has_next, reasons=review.break_glass_reasons(events, current_user))


def _aware(local_midnight: datetime) -> datetime:
    """A day typed in Vietnam's time zone, as the aware UTC moment it starts."""
    return to_utc(local_midnight).replace(tzinfo=UTC)


EXPORT_LIMIT = 100_000


@bp.route("/export.csv")
@requires(Permission.AUDIT_VIEW)
def export():
    """The filtered log as CSV (no personal values in it); the export is logged before it leaves."""
    events = db.session.scalars(_filtered().order_by(AuditEvent.seq).limit(EXPORT_LIMIT)).all()
    marks = review.flags(events)
    audit.record("export", object_type="audit_log", detail={"rows": len(events), "filters": dict(request.args)})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["seq", "time_utc", "user", "agency", "role", "action", "object_type", "object_id",
                     "case_reference", "fields", "purpose", "outcome", "flags", "hash"])
    for e in events:
        writer.writerow([e.seq, e.occurred_at.isoformat(), e.actor_username or "", e.agency_code or "", e.role or "",
                         e.action, e.object_type or "", e.object_id or "", e.case_reference or "",
                         " ".join(e.fields), e.purpose or "", e.outcome, " ".join(marks.get(e.seq, [])), e.hash.hex()])
    response = current_app.response_class(out.getvalue().encode("utf-8-sig"), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=victimcare-audit.csv"
    return response
