"""``flask audit verify``: exit 0 when the log is intact, otherwise name the first bad row; ``checkpoint``
signs the head; ``sweep-flags`` keeps the counted flags up to date."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from victimcare.audit.verify import verify_chain
from victimcare.extensions import db

audit_cli = AppGroup("audit", help="Check the confidentiality log.")


@audit_cli.command("verify")
def verify():
    """Recompute the hash chain of the audit log and check its signed checkpoints."""
    verdict = verify_chain(db.session)
    if _role_can_disable_triggers():
        click.echo(
            "Warning: the app's PostgreSQL role owns the log (or is a superuser), so it could disable "
            "the log's triggers; run the app as the role `flask db grant-app-role` grants (README).",
            err=True,
        )
    if verdict.ok:
        click.echo(f"Audit log intact: {verdict.checked} event(s).")
        return
    click.echo(
        f"Audit log BROKEN at seq {verdict.first_bad_seq}: {verdict.problem} "
        f"({verdict.checked} event(s) checked before it).",
        err=True,
    )
    raise SystemExit(1)


def _role_can_disable_triggers() -> bool:
    if db.engine.dialect.name != "postgresql":
        return False
    return bool(
        db.session.execute(
            sa.text(
                "SELECT rolsuper OR EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename = 'audit_events' AND tableowner = current_user) FROM pg_roles WHERE rolname = current_user"
            )
        ).scalar()
    )


@audit_cli.command("checkpoint")
@click.option(
    "--first",
    is_flag=True,
    help="Sign even though no earlier checkpoint exists (once, on a new installation).",
)
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


@audit_cli.command("sweep-flags")
def sweep_flags():
    """Judge the flags of the events not judged yet, so unreviewed flags count fast (cron: every 5 minutes)."""
    from victimcare.audit.review import sweep_flags as sweep

    judged = 0
    while batch := sweep():
        db.session.commit()
        judged += batch
    click.echo(f"Flags judged on {judged} event(s).")
