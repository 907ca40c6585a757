"""Login, logout, one's own account page, password change and language choice."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from victimcare.access import Permission, public, requires
from victimcare.accounts import operations
from victimcare.accounts.forms import ChangePasswordForm, LanguageForm, LoginForm
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
    """Only failures count against an address: a successful login redirects (302). So an office
    behind one NAT address is not locked out by its own staff logging in all morning."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_rate_limit, methods=["POST"], deduct_when=_failed_login)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result = operations.authenticate(form.username.data, form.password.data)
        db.session.commit()
        if result.user:
            session.clear()  # nothing from before login carries over
            login_user(result.user)
            session["locale"] = result.user.locale
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
            form.form_errors.append(_("Wrong username or password."))
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form), status


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
    return render_template("accounts/account.html")


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
