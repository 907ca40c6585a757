"""Error pages in the app's look that say what happened and nothing about the inside."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Not allowed"), _l("Your role does not allow this action.")),
    404: (_l("Not found"), _l("There is no such page, or you do not have access to it.")),
    405: (_l("Not allowed"), _l("This page cannot be used this way.")),
    409: (_l("Changed by someone else"), _l("Someone saved this record after you opened it.")),
    413: (
        _l("Too much data"),
        _l(
            "What was sent is larger than this system accepts, so none of it was read or saved. "
            "Shorten the text and try again."
        ),
    ),
    429: (_l("Too many requests"), _l("Too many attempts in a short time. Wait a minute and try again.")),
    500: (
        _l("Something went wrong"),
        _l(
            "An unexpected error occurred. Nothing was saved. Try again, and tell your administrator if it happens again."
        ),
    ),
}


def render_error(code: int, message=None):
    title, default_message = MESSAGES.get(code, MESSAGES[500])
    return render_template(
        "errors/error.html", code=code, title=title, message=message or default_message
    ), code


def register_errorhandlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            _l("The form had expired or was not sent from this site. Reload the page and submit it again."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in MESSAGES:
            return render_error(error.code)
        return error

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        # The traceback goes to the server log only; never to the page.
        log.exception("unhandled error")
        from victimcare.extensions import db

        db.session.rollback()
        return render_error(500)

    app.register_error_handler(InternalServerError, lambda e: render_error(500))
