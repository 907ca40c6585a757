"""``flask keys …``: rotate, inspect and retire key-encryption keys; scrub erased keys from the files.

Retiring is what completes an erasure in copies the database no longer controls: run
``keys rotate`` then, after a fresh backup, ``keys retire <old id>`` on a schedule (README).
"""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from victimcare.crypto import rotation, scrub, signals
from victimcare.crypto.envelope import vault as the_vault
from victimcare.crypto.errors import KeyringError
from victimcare.database import utcnow
from victimcare.extensions import db

keys_cli = AppGroup("keys", help="Manage the keyring.")


@keys_cli.command("rotate")
@click.option("--resume", is_flag=True, help="Only finish re-wrapping; do not add another KEK.")
def rotate(resume: bool):
    """Add a new primary KEK and re-wrap every data key under it (safe to rerun)."""
    signals.check_key_changes_are_logged()
    vault = the_vault()
    vault.reload_keyring_if_changed()
    keyring = vault.keyring
    if not resume:
        new_id = keyring.add_kek()
        keyring.save()  # the new KEK is on disk before any data key depends on it
        click.echo(f"KEK {new_id} is now primary.")
    pending = sum(n for kek, n in rotation.usage(db.session).items() if kek != keyring.primary_kek_id)
    with click.progressbar(length=pending, label="Re-wrapping data keys", file=sys.stderr) as bar:
        count = rotation.rewrap_all(db.session, keyring, progress=bar.update)
    signals.log_key_change({"primary_kek": keyring.primary_kek_id, "rewrapped": count})
    db.session.commit()
    click.echo(f"Re-wrapped {count} data key(s) under KEK {keyring.primary_kek_id}.")


@keys_cli.command("status")
def status():
    """Which KEKs exist, which is primary, how many data keys each wraps, and the erasures they hold open."""
    vault = the_vault()
    vault.reload_keyring_if_changed()
    keyring = vault.keyring
    counts = rotation.usage(db.session)
    for kek_id in sorted(set(keyring.keks) | set(counts)):
        marks = []
        if kek_id == keyring.primary_kek_id:
            marks.append("primary")
        if kek_id not in keyring.keks:
            marks.append("MISSING FROM KEYRING")
        elif counts.get(kek_id, 0) == 0 and kek_id != keyring.primary_kek_id:
            marks.append("unused: can be retired")
        click.echo(f"KEK {kek_id}: {counts.get(kek_id, 0)} data key(s) {' '.join(marks)}".rstrip())
    due = rotation.next_rotation_due(keyring, current_app.config["KEY_ROTATION_DAYS"])
    if due is not None:
        late = " OVERDUE" if due < utcnow() else ""
        click.echo(
            f"Next rotation due {due:%Y-%m-%d} (every {current_app.config['KEY_ROTATION_DAYS']} days){late}."
        )
    _print_pending_erasures(keyring)


def _print_pending_erasures(keyring) -> None:
    """Erasures complete in the live database whose old wrapped keys a backup could still open."""
    pending = rotation.pending_erasures(db.session, keyring)
    click.echo(f"Erasures waiting for KEK retirement: {len(pending)}")
    references = signals.case_references([p.person_id for p in pending])
    for item in pending:
        cases = ", ".join(references.get(item.person_id, [])) or "no case"
        click.echo(
            f"  erased {item.erased_at:%Y-%m-%d} ({cases}): complete everywhere once KEK {item.kek_id} is retired"
            + (" (rotate first: it is primary)" if item.kek_id >= keyring.primary_kek_id else "")
        )


@keys_cli.command("retire")
@click.argument("kek_id", type=int, required=False)
@click.option(
    "--unused", is_flag=True, help="Retire every KEK but the primary that wraps no data key (for cron)."
)
def retire(kek_id: int | None, unused: bool):
    """Remove KEK_ID from the keyring once no data key uses it."""
    if (kek_id is None) == (not unused):
        raise click.UsageError("give a KEK id or --unused")
    signals.check_key_changes_are_logged()
    vault = the_vault()
    vault.reload_keyring_if_changed()
    keyring = vault.keyring
    counts = rotation.usage(db.session)
    if unused:
        retiring = [k for k in sorted(keyring.keks) if k != keyring.primary_kek_id and not counts.get(k)]
    else:
        if counts.get(kek_id):
            raise click.ClickException(
                f"KEK {kek_id} still wraps {counts[kek_id]} data key(s); run `flask keys rotate --resume`."
            )
        retiring = [kek_id]
    before = len(rotation.pending_erasures(db.session, keyring))
    try:
        for kek in retiring:
            keyring.retire_kek(kek)
    except KeyringError as error:
        raise click.ClickException(str(error)) from None
    keyring.save()
    completed = before - len(rotation.pending_erasures(db.session, keyring))
    signals.log_key_change({"retired_keks": retiring, "erasures_completed": completed})
    db.session.commit()
    if not retiring:
        click.echo("No KEK to retire.")
        return
    click.echo(
        f"KEK {', '.join(map(str, retiring))} retired; {completed} erasure(s) are now complete "
        "in every copy made before."
    )
    click.echo(
        "Destroy every older copy of the keyring file (keyring backups too): a copy that still holds a "
        "retired KEK would open what it wrapped in old database backups."
    )


@keys_cli.command("vacuum")
def vacuum():
    """Make the database's own files forget erased keys (SQLite: truncate the WAL; PostgreSQL:
    rewrite data_keys). Runs after every erasure; run it from cron too, as the table's owner."""
    if not scrub.scrub(db.engine):
        raise click.ClickException(
            "the database was busy or this role may not rewrite data_keys; "
            "run again (as the owner role on PostgreSQL)."
        )
    click.echo("Erased keys are gone from the database files.")
