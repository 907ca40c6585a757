"""/audit: the confidentiality log for supervisors (their province) and auditors (everything): the
events in words, their flags, the reviewers' marks, the CSV export and each person's activity."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from victimcare.access import Permission, requires
from victimcare.accounts import step_up
from victimcare.accounts.models import User
from victimcare.audit import activity, filters, reading, review
from victimcare.audit import operations as audit
from victimcare.audit.forms import ReviewForm
from victimcare.audit.models import AuditEvent
from victimcare.extensions import db
from victimcare.forms import has_control_characters
from victimcare.pagination import paginate
from victimcare.transactions import write_apart
from vocabulary import AuditAction, ObjectType

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 100


def _filtered(wanted: filters.LogFilter):
    return review.events_in_scope(current_user).where(*wanted.conditions)


def _sweep() -> None:
    """Keep the counted flags close to the log (cron does it too: ``flask audit sweep-flags``)."""
    with write_apart(db.session):
        review.sweep_flags()


@bp.route("")
@requires(Permission.AUDIT_VIEW)
def index():
    _sweep()
    wanted = filters.parse(request.args, current_user)
    if wanted.errors:
        page = paginate(_filtered(wanted).where(sa.false()), PAGE_SIZE)
    else:
        page = paginate(_filtered(wanted).order_by(AuditEvent.seq.desc()), PAGE_SIZE)
    return _page(wanted, page, ReviewForm(formdata=None))


def _page(wanted, page, form: ReviewForm, status: int = 200):
    return (
        render_template(
            "audit/index.html",
            rows=reading.rows(page.items, current_user),
            wanted=wanted,
            users=filters.reviewable_users(current_user),
            agencies=filters.reviewable_agencies(current_user),
            actions=filters.action_choices(),
            page=page,
            form=form,
            back=request.full_path if request.method == "GET" else form.back.data,
            reasons=review.break_glass_reasons(page.items, current_user),
        ),
        status,
    )


@bp.route("/review", methods=["POST"])
@requires(Permission.AUDIT_VIEW)
def mark_reviewed():
    """Mark one flagged event, or a day of them, reviewed; back to the log as it was filtered."""
    form = ReviewForm()
    back = _back_to_the_log(form.back.data)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "danger")
        return redirect(back)
    try:
        if form.seq.data is not None:
            count = review.review_event(current_user, form.seq.data, form.note.data)
        else:
            count = review.review_day(current_user, form.day.data, form.note.data)
    except LookupError:
        abort(404)
    except review.ReviewRefused as refused:
        flash(str(refused), "danger")
        return redirect(back)
    db.session.commit()
    flash(_("%(num)d flagged event(s) marked reviewed.", num=count), "success")
    return redirect(back)


def _back_to_the_log(target: str | None) -> str:
    """Where the reviewer came from, if it is a page of the log on this site; the log otherwise."""
    log = url_for("audit.index")
    if target and "\\" not in target and not has_control_characters(target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith(log):
            return target
    return log


EXPORT_LIMIT = 100_000


@bp.route("/export.csv")
@requires(Permission.AUDIT_VIEW)
@step_up.required
def export():
    """The filtered log as CSV, in the reader's words and local time (no personal values in it); the
    export is logged before it leaves. Filters that cannot be applied send the reader back to them."""
    wanted = filters.parse(request.args, current_user)
    if wanted.errors:
        return redirect(url_for("audit.index", **wanted.args))
    events = db.session.scalars(_filtered(wanted).order_by(AuditEvent.seq).limit(EXPORT_LIMIT)).all()
    audit.record(
        AuditAction.EXPORT,
        object_type=ObjectType.AUDIT_LOG,
        detail={"rows": len(events), "filters": wanted.args},
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("No."),
            _("Time (Vietnam)"),
            _("User"),
            _("Agency"),
            _("Role"),
            _("Action"),
            _("Purpose"),
            _("Result"),
            _("Record"),
            _("Fields"),
            _("Details"),
            _("Flags"),
            _("Review"),
            _("Hash"),
        ]
    )
    hashes = {e.seq: e.hash.hex() for e in events}
    for row in reading.rows(events, current_user):
        writer.writerow(
            [
                row.seq,
                row.time,
                row.user,
                row.agency,
                row.role,
                row.action,
                row.purpose,
                row.outcome or _("Done"),
                row.record,
                row.fields,
                row.summary + (f" · {_('under an accepted referral')}" if row.under_referral else ""),
                ", ".join(text for _code, text in row.flags),
                row.review,
                hashes[row.seq],
            ]
        )
    response = current_app.response_class(out.getvalue().encode("utf-8-sig"), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=victimcare-audit.csv"
    return response


@bp.route("/users/<uuid:user_id>")
@requires(Permission.AUDIT_VIEW)
def user_activity(user_id: uuid.UUID):
    """What one person opened in a month: each case with its views, and their other events by kind."""
    person = db.session.get(User, user_id)
    if person is None or person.id not in {u.id for u in filters.reviewable_users(current_user)}:
        abort(404)
    month, error = activity.month_asked(request.args.get("month", ""))
    summary = activity.of_month(current_user, person, month)
    return render_template(
        "audit/user.html",
        person=person,
        month=month,
        month_error=error,
        typed=request.args.get("month", ""),
        summary=summary,
        previous=(month - timedelta(days=1)).replace(day=1),
        following=(month + timedelta(days=32)).replace(day=1),
        this_month=activity.this_month(),
        last_day=(month + timedelta(days=32)).replace(day=1) - timedelta(days=1),
        date=date,
    )
