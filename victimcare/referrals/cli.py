"""``flask --app app referrals …``: jobs for cron."""

from __future__ import annotations

import click
from flask.cli import AppGroup

referrals_cli = AppGroup("referrals", help="Referrals between agencies.")


@referrals_cli.command("expire")
def expire():
    """Expire pending referrals past their answer deadline. Safe to run again: it changes nothing new."""
    from victimcare.extensions import db
    from victimcare.referrals.operations import expire_overdue

    count = expire_overdue()
    db.session.commit()
    click.echo(f"{count} referral(s) expired.")
