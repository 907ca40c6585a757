"""VictimCare: case management for victims of human trafficking.

``create_app`` builds the Flask app in named steps; nothing runs at import time.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from flask import Flask

from victimcare.config import INSTANCE_PATH, PROJECT_ROOT, load_config


def create_app(config: Mapping | None = None, *, environ: Mapping | None = None) -> Flask:
    """Build the app from the environment; ``config`` overrides individual settings (tests)."""
    import os

    environ = os.environ if environ is None else environ
    instance_path = Path(environ.get("VICTIMCARE_INSTANCE", INSTANCE_PATH))
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.from_object(load_config(environ, instance_path))
    if config:
        app.config.update(config)
    configure_logging(app)
    trust_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_errorhandlers(app)
    register_commands(app)
    from victimcare.access import check_every_route_has_policy

    check_every_route_has_policy(app)
    return app


def configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("victimcare").setLevel(logging.INFO)


def trust_proxies(app: Flask) -> None:
    """Behind N reverse proxies, take the client's address and scheme from the last N hops.

    Without it every request seems to come from the proxy: one shared login rate limit for the
    whole office and a log that names only the proxy. With 0 (no proxy) X-Forwarded-For is
    ignored, so a client cannot pick the address it is limited and logged under.
    """
    count = app.config["TRUSTED_PROXIES"]
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def register_extensions(app: Flask) -> None:
    """Extensions, and the SQLAlchemy listeners of the parts that need them (none listen at import time)."""
    from victimcare import audit, cases, crypto, database
    from victimcare.accounts.sessions import load_user
    from victimcare.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate
    from victimcare.i18n import select_locale
    from victimcare.private_files import make_sqlite_file_private
    from victimcare.reports import statistics as report_statistics

    database.init_app(app)
    crypto.init_app(app)  # seals values before a flush: before cases' listener reads them
    cases.init_app(app)
    audit.init_app(app)
    report_statistics.init_app(app)  # counts what the others wrote, at each commit
    make_sqlite_file_private(app.config["SQLALCHEMY_DATABASE_URI"])
    db.init_app(app)
    with app.app_context():
        database.ping_after_idle(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    bootstrap.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please log in to continue.")
    # Sessions are revoked server-side; Flask-Login's own IP/agent check would log people out
    # whenever a mobile network changes address.
    login_manager.session_protection = None


def register_blueprints(app: Flask) -> None:
    import victimcare.accounts.labels  # noqa: F401  (registers labels)
    import victimcare.approvals.labels  # noqa: F401
    import victimcare.audit.labels  # noqa: F401
    import victimcare.audit.models  # noqa: F401  (mapped for migrations)
    import victimcare.cases.labels  # noqa: F401
    import victimcare.crypto.models  # noqa: F401
    import victimcare.referrals.labels  # noqa: F401
    import victimcare.support.labels  # noqa: F401
    from victimcare import home
    from victimcare.accounts import admin_views, views
    from victimcare.approvals import views as approval_views
    from victimcare.audit import views as audit_views
    from victimcare.cases import views as case_views
    from victimcare.places import views as place_views
    from victimcare.referrals import views as referral_views
    from victimcare.reports import views as report_views
    from victimcare.support import views as support_views

    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(case_views.bp)
    app.register_blueprint(audit_views.bp)
    app.register_blueprint(referral_views.bp)
    app.register_blueprint(support_views.bp)
    app.register_blueprint(report_views.bp)
    app.register_blueprint(approval_views.bp)
    app.register_blueprint(place_views.bp)
    # The case page's sections from the domains that build on cases (victimcare/cases/hooks.py).
    from victimcare.cases import assignment_page
    from victimcare.referrals import page as referral_page
    from victimcare.support import page as support_page

    support_page.init_app(app)
    referral_page.init_app(app)
    assignment_page.init_app(app)


def register_request_hooks(app: Flask) -> None:
    from victimcare import access, transactions
    from victimcare.accounts.labels import user_role_label
    from victimcare.audit.operations import commit_views
    from victimcare.i18n import register_i18n
    from victimcare.labels import label
    from victimcare.web_safety import refuse_nul_in_address, register_security_headers

    transactions.init_app(app)
    app.before_request(refuse_nul_in_address)
    app.before_request(access.enforce)
    app.after_request(commit_views)
    register_security_headers(app)
    register_i18n(app)
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["role_of"] = user_role_label
    app.jinja_env.filters["group_label"] = lambda value: label(access.FieldGroup(value))
    app.jinja_env.globals["has_permission"] = access.has_permission
    app.jinja_env.globals["Permission"] = access.Permission


def register_errorhandlers(app: Flask) -> None:
    from victimcare.accounts import step_up
    from victimcare.errors import register_errorhandlers as register

    register(app)
    app.register_error_handler(step_up.StepUpRequired, step_up.respond)


def register_commands(app: Flask) -> None:
    from victimcare import database_roles  # noqa: F401 - adds `flask db grant-app-role` to Flask-Migrate's group
    from victimcare.accounts.cli import agencies_cli, users_cli
    from victimcare.audit.cli import audit_cli
    from victimcare.cases.cli import cases_cli
    from victimcare.crypto.cli import keys_cli
    from victimcare.demo import seed_demo_command
    from victimcare.referrals.cli import referrals_cli
    from victimcare.reports.cli import reports_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(agencies_cli)
    app.cli.add_command(cases_cli)
    app.cli.add_command(keys_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(referrals_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(seed_demo_command)
