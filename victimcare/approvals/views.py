"""/approvals: what waits for the current user's decision, and what they asked for.

Administrators decide role grants and agency changes; supervisors decide erasures of their own
agency's cases. Deciding is one POST per request; the operation enforces who may decide.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from victimcare import access
from victimcare.access import Permission, requires
from victimcare.accounts import step_up
from victimcare.accounts.forms import ConfirmForm
from victimcare.accounts.labels import role_label
from victimcare.accounts.models import AgencyKind
from victimcare.accounts.operations import AccountError
from victimcare.approvals import operations
from victimcare.approvals.models import ApprovalKind, Outcome, PendingChange
from victimcare.cases.operations import ErasureRefused
from victimcare.extensions import db
from victimcare.labels import label

bp = Blueprint("approvals", __name__, url_prefix="/approvals")


@bp.app_template_filter("approval_summary")
def approval_summary(row: PendingChange) -> str:
    """The requested change in words: coded values only, so it may stand on any approver's queue."""
    from victimcare.cases.operations import ErasureReason

    if row.kind is ApprovalKind.ROLE_GRANT:
        return _(
            "%(user)s: role %(role)s at %(agency)s",
            user=row.user.username,
            role=role_label(row.change["role"], row.agency.kind),
            agency=row.agency.code,
        )
    if row.kind is ApprovalKind.AGENCY_CHANGE:
        return _(
            "%(agency)s: kind %(kind)s, province %(province)s",
            agency=row.agency.code,
            kind=label(AgencyKind(row.change["agency_kind"])),
            province=row.change["province_code"],
        )
    return _(
        "Case %(reference)s: %(reason)s",
        reference=row.case.reference,
        reason=label(ErasureReason(row.reason)),
    )


@bp.route("")
@requires(Permission.APPROVAL_DECIDE)
def index():
    return render_template(
        "approvals/index.html",
        to_decide=operations.waiting_on(current_user),
        mine=operations.asked_by(current_user),
    )


@bp.route("/<approval_id>/<any(approve, refuse):decision>", methods=["POST"])
@requires(Permission.APPROVAL_DECIDE)
def decide(approval_id: str, decision: str):
    row = _get_to_decide(approval_id)
    if decision == "approve":
        step_up.demand()  # an erasure, a role that reads cases, an agency's new kind or province
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        outcome = operations.decide(row, current_user, approve=decision == "approve")
    except (
        operations.ApprovalRefused,
        AccountError,
        ErasureRefused,
    ) as refused:  # or the domain refused to apply it
        db.session.rollback()
        flash(str(refused), "danger")
    else:
        db.session.commit()
        flash(
            {
                Outcome.APPROVED: _("Approved: the change has taken effect."),
                Outcome.REFUSED: _("Refused."),
                Outcome.WITHDRAWN: _("Your request has been withdrawn."),
            }[outcome],
            "success",
        )
    if row.case is not None and access.for_case(current_user, row.case).visible:
        return redirect(url_for("cases.show", reference=row.case.reference))
    return redirect(url_for("approvals.index"))


def _get_to_decide(approval_id: str) -> PendingChange:
    """404 for a request about a case the user may not know; 403 for one they may not decide."""
    try:
        row = db.session.get(PendingChange, uuid.UUID(approval_id))
    except ValueError:
        row = None
    if row is None or (row.case is not None and not access.for_case(current_user, row.case).visible):
        abort(404)
    if current_user.id != row.requested_by_id and not operations.may_decide(current_user, row):
        abort(403)
    return row
