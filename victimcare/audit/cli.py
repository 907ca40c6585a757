"""``flask audit verify``: exit 0 when the log is intact, otherwise name the first bad row."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from victimcare.audit.verify import verify_chain
from victimcare.extensions import db

audit_cli = AppGroup("audit", help="Check the confidentiality log.")


@audit_cli.command("verify")
def verify():
    """Recompute the hash chain of the audit log and check its signed checkpoints."""
    verdict = verify_chain(db.session)
    if verdict.ok:
        click.echo(f"Audit log intact: {verdict.checked} event(s).")
        return
    click.echo(f"Audit log BROKEN at seq {verdict.first_bad_seq}: {verdict.problem} "
               f"({verdict.checked} event(s) checked before it).", err=True)
    raise SystemExit(1)


@audit_cli.command("checkpoint")
@click.option("--first", is_flag=True,
              help="Sign even though no earlier checkpoint exists (once, on a new installation).")
def checkpoint(first):
    """Sign the chain's current head now (cron: every AUDIT_CHECKPOINT_INTERVAL, 15 minutes)."""
    from victimcare.audit.checkpoints import CheckpointRefused, write_checkpoint

    try:
        with db.engine.begin() as connection:
            made = write_checkpoint(connection, first=first)
    except CheckpointRefused as refusal:
        click.echo(f"No checkpoint signed: {refusal}.", err=True)
        raise SystemExit(1) from None
    click.echo(f"Checkpoint at {made.size} event(s).")
