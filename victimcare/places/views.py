"""The communes of a province as JSON (for ``static/js/places.js``), and the template filters that
show a stored place code as its name."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify

from victimcare import places
from victimcare.access import Permission, requires

bp = Blueprint("places", __name__, url_prefix="/places")


@bp.route("/communes/<province_code>")
@requires(Permission.HOME_VIEW)
def communes(province_code: str):
    """Public data, but only logged-in pages ask for it."""
    if province_code not in places.provinces():
        abort(404)
    return jsonify(list(places.communes(province_code).values()))


def _named(name_of):
    """A filter showing a code's name; a stored value that is no known code shows as it is."""

    def show(code) -> str:
        if not code:
            return ""
        return name_of(code) or str(code)

    return show


bp.add_app_template_filter(_named(places.province_name), "province_name")
bp.add_app_template_filter(_named(places.commune_name), "commune_name")
bp.add_app_template_filter(_named(places.country_name), "country_name")
