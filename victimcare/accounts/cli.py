"""``flask users …``: account administration from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from victimcare.accounts import operations
from victimcare.accounts.models import AgencyKind, Role
from victimcare.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.argument("username")
@click.option("--agency", "agency_code", required=True, help="Code of the user's agency.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", "display_name", required=True, help="The staff member's full name.")
@click.password_option(
    "--password",
    envvar="VICTIMCARE_NEW_PASSWORD",
    help="Asked for when not given (or set VICTIMCARE_NEW_PASSWORD).",
)
@click.option(
    "--must-change/--no-must-change",
    default=True,
    show_default=True,
    help="Ask for a new password at first login.",
)
def create_user(username, agency_code, role, display_name, password, must_change):
    """Create the account USERNAME."""
    agency = operations.find_agency(agency_code)
    if agency is None:
        raise click.BadParameter(f"no agency with code {agency_code!r}", param_hint="--agency")
    try:
        user = operations.create_user(
            username=username,
            display_name=display_name,
            agency=agency,
            role=role,
            password=password,
            must_change_password=must_change,
        )
    except operations.AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {user.username} ({user.role.value}) at {agency.code}.")


@users_cli.command("totp")
@click.argument("username")
def totp_code(username):
    """Print USERNAME's current authenticator code (development and testing only)."""
    from flask import current_app

    from victimcare.accounts import totp
    from victimcare.database import utcnow

    if current_app.config["ENV_NAME"] not in ("development", "testing"):
        raise click.ClickException("users totp only runs in development or testing, never in production.")
    user = operations.find_user(username)
    if user is None or not user.has_second_factor:
        raise click.ClickException(f"{username} has no authenticator set up.")
    now = utcnow()
    left = 30 - int(now.timestamp()) % 30
    click.echo(f"{totp.code_at(user.totp_secret, now)}  (valid for {left} more seconds)")


agencies_cli = AppGroup("agencies", help="Manage agencies.")


@agencies_cli.command("create")
@click.argument("code")
@click.option("--name", required=True, help="The agency's official name.")
@click.option("--kind", type=click.Choice([k.value for k in AgencyKind]), required=True)
@click.option("--province", "province_code", required=True, help="Province code.")
@click.option("--commune", "commune_code", default="", help="Commune code, for commune-level agencies.")
def create_agency(code, name, kind, province_code, commune_code):
    """Create the agency CODE (e.g. before its first administrator exists)."""
    try:
        agency = operations.save_agency(
            None, code=code, name=name, kind=kind, province_code=province_code, commune_code=commune_code
        )
    except operations.AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created agency {agency.code}.")
