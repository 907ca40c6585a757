"""/audit: the confidentiality log for supervisors (their province) and auditors (everything)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import to_utc
from flask_login import current_user

from victimcare.access import Permission, requires
from victimcare.accounts import step_up
from victimcare.audit import operations as audit
from victimcare.audit import review
from victimcare.audit.models import AuditEvent
from victimcare.extensions import db
from victimcare.forms import parse_day
from victimcare.pagination import paginate
from vocabulary import AuditAction, ObjectType

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 100
ACTIONS = tuple(AuditAction)  # the filter's choices


def _day(name: str) -> datetime | None:
    """The filter's day as local midnight; a day that is not one (or before 1900, after 2100) is ignored
    and named on the page (``_filter_errors``)."""
    day = parse_day(request.args.get(name))
    return None if day is None else datetime(day.year, day.month, day.day)


def _filter_errors() -> list[str]:
    labels = {"from": _("From"), "to": _("To")}
    return [
        _(
            "%(field)s: not a valid date (dd/mm/yyyy) between 1900 and 2100; this filter was not applied.",
            field=labels[name],
        )
        for name in labels
        if request.args.get(name, "").strip() and _day(name) is None
    ]


def _filtered():
    query = review.events_in_scope(current_user)
    for arg, column in (
        ("user", AuditEvent.actor_username),
        ("agency", AuditEvent.agency_code),
        ("case", AuditEvent.case_reference),
        ("action", AuditEvent.action),
    ):
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
    page = paginate(_filtered().order_by(AuditEvent.seq.desc()), PAGE_SIZE)
    return render_template(
        "audit/index.html",
        events=page.items,
        flags=review.flags(page.items),
        actions=ACTIONS,
        page=page,
        filter_errors=_filter_errors(),
        reasons=review.break_glass_reasons(page.items, current_user),
    )


def _aware(local_midnight: datetime) -> datetime:
    """A day typed in Vietnam's time zone, as the aware UTC moment it starts."""
    return to_utc(local_midnight).replace(tzinfo=UTC)


EXPORT_LIMIT = 100_000


@bp.route("/export.csv")
@requires(Permission.AUDIT_VIEW)
@step_up.required
def export():
    """The filtered log as CSV (no personal values in it); the export is logged before it leaves."""
    events = db.session.scalars(_filtered().order_by(AuditEvent.seq).limit(EXPORT_LIMIT)).all()
    marks = review.flags(events)
    audit.record(
        AuditAction.EXPORT,
        object_type=ObjectType.AUDIT_LOG,
        detail={"rows": len(events), "filters": dict(request.args)},
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "seq",
            "time_utc",
            "user",
            "agency",
            "role",
            "action",
            "object_type",
            "object_id",
            "case_reference",
            "fields",
            "purpose",
            "outcome",
            "flags",
            "hash",
        ]
    )
    for e in events:
        writer.writerow(
            [
                e.seq,
                e.occurred_at.isoformat(),
                e.actor_username or "",
                e.agency_code or "",
                e.role or "",
                e.action,
                e.object_kind or "",
                e.object_id or "",
                e.case_reference or "",
                " ".join(e.fields),
                e.purpose or "",
                e.outcome,
                " ".join(marks.get(e.seq, [])),
                e.hash.hex(),
            ]
        )
    response = current_app.response_class(out.getvalue().encode("utf-8-sig"), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=victimcare-audit.csv"
    return response
