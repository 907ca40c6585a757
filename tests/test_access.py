"""Every route declares who may use it, and the app refuses to start when one does not."""

import pytest
from flask import Blueprint

from victimcare.access import PUBLIC, ROLE_PERMISSIONS, Permission, policy_of
from victimcare.accounts.models import Role


def test_every_url_rule_has_a_declared_policy(app):
    for rule in app.url_map.iter_rules():
        assert policy_of(app, rule.endpoint) is not None, rule.rule


def test_only_login_its_code_step_language_and_static_files_are_public(app):
    public = sorted(rule.rule for rule in app.url_map.iter_rules() if policy_of(app, rule.endpoint) == PUBLIC)
    assert public == [
        "/account/language",
        "/bootstrap/static/<path:filename>",
        "/login",
        "/login/cancel",
        "/login/code",
        "/static/<path:filename>",
    ]


def test_the_app_refuses_to_start_with_a_route_that_has_no_policy(app_factory, monkeypatch):
    forgotten = Blueprint("forgotten", __name__)

    @forgotten.route("/forgotten")
    def page():
        return "secret"

    import victimcare

    original = victimcare.register_blueprints

    def with_forgotten(app):
        original(app)
        app.register_blueprint(forgotten)

    monkeypatch.setattr(victimcare, "register_blueprints", with_forgotten)
    with pytest.raises(RuntimeError, match="/forgotten"):
        app_factory()


def test_only_administrators_hold_administration_permissions():
    admin_permissions = {p for p in Permission if p.value.startswith("admin:")}
    for role in Role:
        held = ROLE_PERMISSIONS[role] & admin_permissions
        assert held == (admin_permissions if role == Role.ADMIN else set()), role
