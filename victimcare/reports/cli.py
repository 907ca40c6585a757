"""``flask --app app reports …``: keeping the statistics table current."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

reports_cli = AppGroup("reports", help="Statistics and periodic reports.")


@reports_cli.command("rebuild")
def rebuild():
    """Rewrite the statistics table from the records (after an upgrade that asks for it, a change of
    STAGE_TIME_LIMITS, or edits made outside the app). Figures count the records directly meanwhile."""
    from victimcare.extensions import db
    from victimcare.reports import statistics

    began = time.monotonic()
    rows = statistics.rebuild()
    db.session.commit()
    click.echo(f"{rows} rows written in {time.monotonic() - began:.0f} s; the statistics table is current.")


@reports_cli.command("status")
def status():
    """Say whether figures read the statistics table or count the records directly."""
    from victimcare.reports import statistics

    if statistics.ready():
        click.echo("current: figures read the statistics table")
    else:
        click.echo("not current: figures count the records directly; run `flask reports rebuild`")
        raise SystemExit(1)
