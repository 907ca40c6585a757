"""The home page: who you are, where you work, and what you can do from here."""

from flask import Blueprint, render_template

from victimcare.access import Permission, requires

bp = Blueprint("home", __name__)


@bp.route("/")
@requires(Permission.HOME_VIEW)
def index():
    return render_template("home/index.html")
