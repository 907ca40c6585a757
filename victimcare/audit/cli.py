"""``flask audit verify``: exit 0 when the log is intact, otherwise name the first bad row."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from victimcare.audit.verify import verify_chain
from victimcare.extensions import db

audit_cli = AppGroup("audit", help="Check the confidentiality log.")


@audit_cli.command("verify")
def verify():
    """Recompute the hash chain of the audit log."""
    verdict = verify_chain(db.session)
    if verdict.ok:
        click.echo(f"Audit log intact: {verdict.checked} event(s).")
        return
    click.echo(f"Audit log BROKEN at seq {verdict.first_bad_seq}: {verdict.problem} "
               f"({verdict.checked} event(s) checked before it).", err=True)
    raise SystemExit(1)
