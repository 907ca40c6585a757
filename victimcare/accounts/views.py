"""Login, logout, one's own account page, password change and language choice."""

from __future__ import annotations

import secrets
import uuid
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from victimcare.access import Permission, public, requires
from victimcare.accounts import operations, step_up, totp, two_factor
from victimcare.accounts.forms import (
    ChangePasswordForm,
    CodeForm,
    ConfirmForm,
    LanguageForm,
    LoginForm,
    StepUpForm,
)
from victimcare.accounts.sessions import CODE_PENDING
from victimcare.database import utcnow
from victimcare.extensions import db, limiter
from victimcare.forms import has_control_characters

bp = Blueprint("accounts", __name__)


def safe_next(target: str | None) -> str:
    """Only same-site paths, so a crafted link cannot send a user elsewhere after login.

    No backslash (browsers read ``/\\host`` as ``//host``) and no control character (CR/LF would
    split the Location header; Werkzeug refuses it with an error instead).
    """
    if target and "\\" not in target and not has_control_characters(target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("home.index")


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed_login(response) -> bool:
    """Only failures count against an address: a complete login is not counted, so an office behind
    one NAT address is not locked out by its own staff logging in all morning. A password that leads
    to the code page counts (a wrong one leads there too, and nothing may tell them apart)."""
    return not g.get("login_completed")


def _wrong_login_message() -> str:
    return _("Wrong username, password or code.")


def _clear_session() -> None:
    """Nothing from before (or from a login attempt) carries over, but the language chosen."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def _await_code(result) -> None:
    """The cookie of a half login: the real session's ``user:token``, or for a wrong password one
    of the same shape naming nothing, so the cookie does not tell them apart either."""
    _clear_session()
    if result.user is not None:
        login_id = result.user.get_id()
    else:
        login_id = f"{uuid.uuid4()}:{secrets.token_urlsafe(32)}"
    session["_user_id"] = login_id
    session["_fresh"] = True
    session[CODE_PENDING] = utcnow().timestamp()
    session["login_next"] = safe_next(request.args.get("next"))


def _logged_in(user) -> None:
    g.login_completed = True
    locale = session.get("locale")
    session.clear()  # nothing from before login carries over
    login_user(user)
    session["locale"] = user.locale or locale


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_rate_limit, methods=["POST"], deduct_when=_failed_login)
def login():
    if session.get(CODE_PENDING):
        return redirect(url_for("accounts.login_code"))
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result = operations.authenticate(form.username.data, form.password.data)
        db.session.commit()
        if result.needs_code:
            _await_code(result)
            return redirect(url_for("accounts.login_code"))
        if result.user:
            _logged_in(result.user)
            return redirect(safe_next(request.args.get("next")))
        status = 401
        if result.locked_for:
            wait = format_timedelta(result.locked_for, threshold=1, add_direction=False)
            form.form_errors.append(
                _(
                    "Too many failed attempts. For your safety this account is locked; try again in %(wait)s.",
                    wait=wait,
                )
            )
        else:
            form.form_errors.append(_wrong_login_message())
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form), status


@bp.route("/login/code", methods=["GET", "POST"])
@public
def login_code():
    """The second step. It looks and answers the same whether the password was right or not."""
    since = session.get(CODE_PENDING)
    if since is None:
        return redirect(url_for("accounts.login"))
    if utcnow().timestamp() - since > current_app.config["LOGIN_CODE_TIMEOUT"].total_seconds():
        _clear_session()
        flash(_("The code was not given in time. Log in again."), "warning")
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        user = operations.complete_login(session.get("_user_id"), form.code.data)
        db.session.commit()
        target = session.get("login_next") or url_for("home.index")
        if user is not None:
            _logged_in(user)
            return redirect(safe_next(target))
        _clear_session()
        login_form = LoginForm(formdata=None)
        login_form.form_errors.append(_wrong_login_message())
        return render_template("accounts/login.html", form=login_form), 401
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/login_code.html", form=form, cancel=ConfirmForm()), status


@bp.route("/login/cancel", methods=["POST"])
@public
def cancel_login():
    if ConfirmForm().validate_on_submit():
        operations.cancel_login(session.get("_user_id"))
        db.session.commit()
        _clear_session()
    return redirect(url_for("accounts.login"))


@bp.route("/logout", methods=["POST"])
@requires(Permission.ACCOUNT_SELF)
def logout():
    operations.logout(current_user)
    db.session.commit()
    locale = current_user.locale
    logout_user()
    session.clear()
    session["locale"] = locale  # the login page stays in the language the user chose
    flash(_("You have logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account")
@requires(Permission.ACCOUNT_SELF)
def account():
    return render_template(
        "accounts/account.html", second_factor_required=two_factor.required_for(current_user)
    )


# -- the second factor ----------------------------------------------------------------------------


@bp.route("/account/two-factor")
@requires(Permission.ACCOUNT_SELF)
def two_factor_page():
    return render_template(
        "accounts/two_factor.html",
        required=two_factor.required_for(current_user),
        codes_left=two_factor.recovery_codes_left(current_user) if current_user.has_second_factor else 0,
        confirm=ConfirmForm(),
    )


@bp.route("/account/two-factor/new", methods=["POST"])
@requires(Permission.ACCOUNT_SELF)
def new_two_factor():
    """A new secret to scan. Replacing a working factor is a dangerous act: it asks for step-up."""
    if current_user.has_second_factor:
        step_up.demand()
    if ConfirmForm().validate_on_submit():
        two_factor.start_enrolment(current_user)
        db.session.commit()
        return redirect(url_for("accounts.setup_two_factor"))
    return redirect(url_for("accounts.two_factor_page"))


@bp.route("/account/two-factor/setup", methods=["GET", "POST"])
@requires(Permission.ACCOUNT_SELF)
def setup_two_factor():
    """The QR code and the secret as text, and the first code, which confirms the app holds it."""
    secret = current_user.totp_pending_secret
    if not secret:
        return redirect(url_for("accounts.two_factor_page"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.confirm_enrolment(current_user, form.code.data)
        except two_factor.SecondFactorError as error:
            form.code.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("Two-step login is on. Keep the recovery codes below somewhere safe."), "success")
            return render_template("accounts/recovery_codes.html", codes=codes)
    uri = totp.provisioning_uri(secret, current_user.username)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "accounts/two_factor_setup.html",
        form=form,
        qr=totp.qr_svg_data_uri(uri),
        secret=totp.grouped(secret),
    ), status


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@requires(Permission.ACCOUNT_SELF)
def recovery_codes():
    """A new set of recovery codes, shown once; the old set stops working."""
    step_up.demand()
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("accounts.two_factor_page"))
    try:
        codes = two_factor.regenerate_recovery_codes(current_user)
    except two_factor.SecondFactorError as error:
        flash(str(error), "danger")
        return redirect(url_for("accounts.two_factor_page"))
    db.session.commit()
    return render_template("accounts/recovery_codes.html", codes=codes)


@bp.route("/account/confirm", methods=["GET", "POST"])
@requires(Permission.ACCOUNT_SELF)
def confirm():
    """Step-up: confirm who you are, then go back to what you were doing (see ``step_up``)."""
    target = safe_next(request.args.get("next"))
    resend = request.form.get(step_up.RESEND) == "1"
    form = StepUpForm()
    if form.validate_on_submit():
        try:
            step_up.confirm(current_user, form.step_up_code.data, purpose=urlsplit(target).path)
        except step_up.StepUpRefused as refused:
            db.session.commit()  # the failure counts and is logged
            form.step_up_code.errors = [str(refused)]
        else:
            db.session.commit()
            # 307: the browser sends the held-back form again, as it was, to where it was going.
            return redirect(target, code=307 if resend else 302)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "accounts/step_up.html",
        form=form,
        action=url_for("accounts.confirm", next=target),
        carried=step_up.carried_fields() if resend else [],
        resend=resend,
    ), status


@bp.route("/account/password", methods=["GET", "POST"])
@requires(Permission.ACCOUNT_SELF)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            operations.change_password(current_user, form.current_password.data, form.new_password.data)
        except operations.AccountError as error:
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # the cookie now names the new session
            flash(_("Your password has been changed. Other sessions have been ended."), "success")
            return redirect(url_for("accounts.account"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/change_password.html", form=form), status


@bp.route("/account/language", methods=["POST"])
@public
def set_language():
    form = LanguageForm()
    if form.validate_on_submit() and form.locale.data in current_app.config["LANGUAGES"]:
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            current_user.locale = form.locale.data
            db.session.commit()
    return redirect(safe_next(form.next.data))
