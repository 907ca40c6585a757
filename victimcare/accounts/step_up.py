"""Step-up: the user confirms who they are again before a dangerous act (DESIGN.md §7b).

Exports, erasure and its approval, role and agency changes, emergency access, resets and new
recovery codes ask for a fresh code from the authenticator app (or the password, for a user with
no second factor). A confirmation — or the login itself — opens such acts for STEP_UP_VALIDITY
(five minutes) in that session only; each confirmation is in the log.

A view calls ``demand()`` once it has loaded and authorised what it acts on (so a user who may not
act still gets 403 or 404, not a confirmation page), or is wrapped in ``@required`` when the access
gate alone authorises it. Unconfirmed, a GET goes to the confirmation page and comes back; a POST is
answered with the confirmation page carrying the form's fields, and once the code is right the
browser sends the same form again (307), so nothing typed is lost.
"""

from __future__ import annotations

from functools import wraps

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user

from victimcare.accounts import passwords, throttle, two_factor
from victimcare.accounts.forms import StepUpForm
from victimcare.accounts.models import User
from victimcare.audit import operations as audit
from victimcare.database import utcnow
from vocabulary import AuditAction

RESEND = "step_up_resend"  # marks a confirmation carrying a form to send again
OWN_FIELDS = {"csrf_token", "step_up_code", RESEND}


class StepUpRequired(Exception):
    """Raised by ``demand``; answered by ``respond`` (registered as an error handler)."""


class StepUpRefused(ValueError):
    """A wrong or locked confirmation; the message is shown to the user as is."""


def is_fresh(user: User) -> bool:
    row = getattr(user, "current_session", None)
    if row is None or row.confirmed_at is None:
        return False
    return utcnow() - row.confirmed_at <= current_app.config["STEP_UP_VALIDITY"]


def demand() -> None:
    """Stop here unless the user confirmed who they are within the last few minutes."""
    if not is_fresh(current_user):
        raise StepUpRequired


def required(view):
    """``demand()`` before the view runs, for views the access gate alone authorises."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        demand()
        return view(*args, **kwargs)

    return wrapper


def here() -> str:
    """This request's path and query, to come back to."""
    query = request.query_string.decode("latin-1")
    return f"{request.path}?{query}" if query else request.path


def carried_fields() -> list[tuple[str, str]]:
    """The fields of the form being held back, to send again once the user has confirmed."""
    return [(name, value) for name, value in request.form.items(multi=True) if name not in OWN_FIELDS]


def respond(_error: StepUpRequired):
    """The answer to an unconfirmed dangerous act (the app's handler of ``StepUpRequired``)."""
    if request.method == "GET":
        return redirect(url_for("accounts.confirm", next=here()))
    return render_template(
        "accounts/step_up.html",
        form=StepUpForm(formdata=None),
        action=url_for("accounts.confirm", next=here()),
        carried=carried_fields(),
        resend=True,
    )


def confirm(user: User, answer: str, *, purpose: str) -> str:
    """Check a code (or the password, without a second factor); throttled like logins.

    Returns how the user confirmed. A wrong answer counts against the account's lock and is logged.
    """
    lock = throttle.locked_for(user.username)
    if lock:
        wait = format_timedelta(lock, threshold=1, add_direction=False)
        raise StepUpRefused(
            _(
                "Too many failed attempts. For your safety this account is locked; try again in %(wait)s.",
                wait=wait,
            )
        )
    if user.has_second_factor:
        how = two_factor.check_code(user, answer)
    else:
        how = "password" if passwords.verify_password(user.password_hash, answer) else None
    if how is None:
        throttle.record_failure(user.username)
        audit.record(AuditAction.STEP_UP, actor=user, outcome="refused", detail={"for": purpose})
        if user.has_second_factor:
            raise StepUpRefused(_("That code is not right, or it was already used. Wait for the next one."))
        raise StepUpRefused(_("The password is not correct."))
    throttle.clear(user.username)
    user.current_session.confirmed_at = utcnow()
    audit.record(AuditAction.STEP_UP, actor=user, detail={"method": how, "for": purpose})
    return how
