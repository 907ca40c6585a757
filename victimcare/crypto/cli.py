"""``flask keys …``: rotate, inspect and retire key-encryption keys."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from victimcare.crypto import rotation
from victimcare.crypto.errors import KeyringError
from victimcare.extensions import db

keys_cli = AppGroup("keys", help="Manage the keyring.")


def _vault():
    return current_app.extensions["victimcare.vault"]


@keys_cli.command("rotate")
@click.option("--resume", is_flag=True, help="Only finish re-wrapping; do not add another KEK.")
def rotate(resume: bool):
    """Add a new primary KEK and re-wrap every data key under it (safe to rerun)."""
    vault = _vault()
    vault.reload_keyring_if_changed()
    keyring = vault.keyring
    if not resume:
        new_id = keyring.add_kek()
        keyring.save()  # the new KEK is on disk before any data key depends on it
        click.echo(f"KEK {new_id} is now primary.")
    pending = sum(n for kek, n in rotation.usage(db.session).items() if kek != keyring.primary_kek_id)
    with click.progressbar(length=pending, label="Re-wrapping data keys", file=sys.stderr) as bar:
        count = rotation.rewrap_all(db.session, keyring, progress=bar.update)
    from victimcare.audit import operations as audit

    audit.record("key_rotate", purpose="cli", detail={"primary_kek": keyring.primary_kek_id, "rewrapped": count})
    db.session.commit()
    click.echo(f"Re-wrapped {count} data key(s) under KEK {keyring.primary_kek_id}.")


@keys_cli.command("status")
def status():
    """Which KEKs exist, which is primary, and how many data keys each still wraps."""
    vault = _vault()
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


@keys_cli.command("retire")
@click.argument("kek_id", type=int)
def retire(kek_id: int):
    """Remove KEK_ID from the keyring once no data key uses it."""
    vault = _vault()
    in_use = rotation.usage(db.session).get(kek_id, 0)
    if in_use:
        raise click.ClickException(f"KEK {kek_id} still wraps {in_use} data key(s); run `flask keys rotate --resume`.")
    try:
        vault.keyring.retire_kek(kek_id)
    except KeyringError as error:
        raise click.ClickException(str(error)) from None
    vault.keyring.save()
    click.echo(f"KEK {kek_id} retired.")
