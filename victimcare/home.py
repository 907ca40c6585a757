"""The home page: each role's work queue (victimcare/queue.py), then the user's other tools."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from victimcare import queue
from victimcare.access import Permission, requires

bp = Blueprint("home", __name__)


@bp.route("/")
@requires(Permission.HOME_VIEW)
def index():
    return render_template("home/index.html", sections=queue.for_user(current_user))


@bp.app_template_global("case_list_filters")
def case_list_filters() -> list[str]:
    """The work queue's filters in force on the case list, so a list opened from the home page says what it is."""
    return queue.active_filters(request.args)
