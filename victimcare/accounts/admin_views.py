"""Account administration for the ``admin`` role: users, agencies and live sessions.

Administrators manage who may log in; nothing here shows a victim's data.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from victimcare.access import Permission, requires
from victimcare.accounts import operations, sessions, step_up, throttle, two_factor
from victimcare.accounts.forms import AgencyForm, ConfirmForm, NewUserForm, UserForm
from victimcare.accounts.models import Agency, User, UserSession
from victimcare.approvals import operations as approvals
from victimcare.approvals.models import ApprovalKind
from victimcare.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")
_WAITING = _l(
    "Saved. The new role, agency, kind or province takes effect when a second administrator approves it "
    "(Approvals)."
)


def _get_or_404(model, object_id: str):
    try:
        row = db.session.get(model, uuid.UUID(object_id))
    except ValueError:
        row = None
    if row is None:
        abort(404)
    return row


def _agencies() -> list[Agency]:
    return db.session.scalars(sa.select(Agency).order_by(Agency.name)).all()


def _agency(form_value: str) -> Agency:
    return _get_or_404(Agency, form_value)


@bp.route("/")
@requires(Permission.ADMIN_USERS)
def index():
    return redirect(url_for("admin.users"))


@bp.route("/users")
@requires(Permission.ADMIN_USERS)
def users():
    rows = db.session.scalars(sa.select(User).order_by(User.username)).all()
    locked_keys = throttle.locked_keys()
    locked = {user.username for user in rows if throttle.throttle_key(user.username) in locked_keys}
    live = dict(
        db.session.execute(
            sa.select(UserSession.user_id, sa.func.count())
            .where(UserSession.id.in_(sessions.live_sessions_query().with_only_columns(UserSession.id)))
            .group_by(UserSession.user_id)
        ).all()
    )
    return render_template("admin/users.html", users=rows, locked=locked, live=live)


@bp.route("/users/new", methods=["GET", "POST"])
@requires(Permission.ADMIN_USERS)
def new_user():
    if request.method == "POST":
        step_up.demand()  # giving a role
    form = NewUserForm(_agencies())
    if form.validate_on_submit():
        try:
            temporary = operations.generate_temporary_password()
            user = operations.create_user(
                username=form.username.data,
                display_name=form.display_name.data,
                agency=_agency(form.agency.data),
                role=form.role.data,
                password=temporary,
                check_policy=False,
                by=current_user,
            )
        except operations.AccountError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            return render_template(
                "admin/temporary_password.html",
                user=user,
                temporary=temporary,
                pending=approvals.waiting_for(ApprovalKind.ROLE_GRANT, user=user),
            )
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<user_id>", methods=["GET", "POST"])
@requires(Permission.ADMIN_USERS)
def edit_user(user_id: str):
    user = _get_or_404(User, user_id)
    if request.method == "POST":
        step_up.demand()  # a new role or agency
    form = UserForm(_agencies(), obj=None if request.method == "POST" else user)
    if request.method == "GET":
        form.agency.data = str(user.agency_id)
        form.role.data = user.role.value
    if form.validate_on_submit():
        try:
            pending = operations.update_user(
                user,
                display_name=form.display_name.data,
                agency=_agency(form.agency.data),
                role=form.role.data,
                by=current_user,
            )
        except operations.AccountError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_WAITING if pending else _("Saved."), "warning" if pending else "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    live = db.session.scalars(sessions.live_sessions_query().where(UserSession.user_id == user.id)).all()
    status = 400 if request.method == "POST" else 200
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        live_sessions=live,
        confirm=ConfirmForm(),
        locked=operations.locked_for(user),
        pending=approvals.waiting_for(ApprovalKind.ROLE_GRANT, user=user),
    ), status


@bp.route("/users/<user_id>/<any(activate, deactivate):action>", methods=["POST"])
@requires(Permission.ADMIN_USERS)
def set_active(user_id: str, action: str):
    user = _get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        try:
            operations.set_user_active(user, action == "activate", by=current_user)
        except operations.AccountError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(
                _("Account activated.")
                if user.active
                else _("Account deactivated; its sessions have ended."),
                "success",
            )
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<user_id>/reset-password", methods=["POST"])
@requires(Permission.ADMIN_USERS)
def reset_password(user_id: str):
    user = _get_or_404(User, user_id)
    step_up.demand()  # whoever sees the temporary password can log in as the user
    if not ConfirmForm().validate_on_submit():
        abort(400)
    temporary = operations.reset_password(user, by=current_user)
    db.session.commit()
    return render_template("admin/temporary_password.html", user=user, temporary=temporary)


@bp.route("/users/<user_id>/reset-second-factor", methods=["POST"])
@requires(Permission.ADMIN_USERS)
def reset_second_factor(user_id: str):
    """For a user who lost their authenticator and their recovery codes; never one's own."""
    user = _get_or_404(User, user_id)
    step_up.demand()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        two_factor.reset(user, by=current_user)
    except two_factor.SecondFactorError as error:
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("The second factor has been removed and the user's sessions have ended."), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<user_id>/unlock", methods=["POST"])
@requires(Permission.ADMIN_USERS)
def unlock(user_id: str):
    user = _get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        operations.unlock(user)
        db.session.commit()
        flash(_("The account can log in again."), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/sessions")
@requires(Permission.ADMIN_SESSIONS)
def live_sessions():
    rows = db.session.scalars(sessions.live_sessions_query()).all()
    return render_template("admin/sessions.html", sessions=rows, confirm=ConfirmForm())


@bp.route("/sessions/<session_id>/end", methods=["POST"])
@requires(Permission.ADMIN_SESSIONS)
def end_session(session_id: str):
    row = _get_or_404(UserSession, session_id)
    if ConfirmForm().validate_on_submit():
        operations.end_session(row)
        db.session.commit()
        flash(_("The session has been ended."), "success")
    if request.form.get("back") == "user":
        return redirect(url_for("admin.edit_user", user_id=row.user_id))
    return redirect(url_for("admin.live_sessions"))


@bp.route("/agencies")
@requires(Permission.ADMIN_AGENCIES)
def agencies():
    return render_template("admin/agencies.html", agencies=_agencies())


@bp.route("/agencies/new", methods=["GET", "POST"])
@bp.route("/agencies/<agency_id>", methods=["GET", "POST"])
@requires(Permission.ADMIN_AGENCIES)
def edit_agency(agency_id: str | None = None):
    agency = _get_or_404(Agency, agency_id) if agency_id else None
    if request.method == "POST":
        step_up.demand()  # a new kind or province changes what its staff see
    form = AgencyForm(obj=agency)
    if form.validate_on_submit():
        try:
            saved = operations.save_agency(agency, by=current_user, **form.data)
        except operations.AccountError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            pending = approvals.waiting_for(ApprovalKind.AGENCY_CHANGE, agency=saved)
            db.session.commit()
            flash(_WAITING if pending else _("Saved."), "warning" if pending else "success")
            return redirect(url_for("admin.agencies"))
    status = 400 if request.method == "POST" else 200
    pending = approvals.waiting_for(ApprovalKind.AGENCY_CHANGE, agency=agency) if agency else None
    return render_template("admin/agency_form.html", form=form, agency=agency, pending=pending), status


@bp.route("/agencies/<agency_id>/<any(activate, deactivate):action>", methods=["POST"])
@requires(Permission.ADMIN_AGENCIES)
def set_agency_active(agency_id: str, action: str):
    agency = _get_or_404(Agency, agency_id)
    if ConfirmForm().validate_on_submit():
        try:
            operations.set_agency_active(agency, action == "activate", by=current_user)
        except operations.AccountError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(
                _("Agency activated.")
                if agency.active
                else _("Agency deactivated: its staff can no longer log in and their sessions have ended."),
                "success",
            )
    return redirect(url_for("admin.edit_agency", agency_id=agency.id))
