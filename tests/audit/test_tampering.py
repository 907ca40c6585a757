"""Issue 13 item 10: someone holding the database file (or PostgreSQL's superuser) rewrites the log.

Each scenario passed `audit verify` before chain v2: the chain held no secret, REPLACE slipped past
the DELETE trigger, and a log cut or emptied together with its checkpoints left nothing to contradict it.
"""

import hashlib
import hmac
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.audit.conftest import drop_triggers
from tests.helpers import db_session
from victimcare import crypto
from victimcare.audit.chain import canonical
from victimcare.audit.models import AuditEvent
from victimcare.crypto.encoding import lp
from vocabulary import AuditAction, FieldGroup, ObjectType


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def _checkpoint(app):
    return app.test_cli_runner().invoke(args=["audit", "checkpoint"])


def _append(app, count: int) -> None:
    from victimcare.audit import operations as audit
    from victimcare.extensions import db

    with app.app_context():
        for n in range(count):
            audit.record(
                AuditAction.VIEW,
                object_type=ObjectType.CASE,
                object_id=f"later-{n}",
                fields=[FieldGroup.IDENTITY],
            )
        db.session.commit()


def _v1_hash(prev_hash: bytes, seq: int, event) -> bytes:
    """The unkeyed hash anyone can compute: all an attacker without the keyring can produce."""
    return hashlib.sha256(lp("audit/v1", prev_hash, seq, canonical(event))).digest()


def _hash_of(session, seq: int) -> bytes:
    return session.scalar(sa.text("SELECT hash FROM audit_events WHERE seq = :s"), {"s": seq})


def _set_head(session, seq: int, head_hash: bytes) -> None:
    session.execute(
        sa.text("UPDATE audit_head SET last_seq = :s, last_hash = :h"), {"s": seq, "h": head_hash}
    )


def _remove_checkpoints(session, app, sizes=None) -> None:
    """Rows and files: the attacker holds the checkpoint directory too."""
    folder = Path(app.config["AUDIT_CHECKPOINT_DIR"])
    if sizes is None:
        session.execute(sa.text("DELETE FROM audit_checkpoints"))
        files = list(folder.glob("checkpoint-*.txt"))
    else:
        for size in sizes:
            session.execute(sa.text("DELETE FROM audit_checkpoints WHERE size = :s"), {"s": size})
        files = [folder / f"checkpoint-{size:012d}.txt" for size in sizes]
    for path in files:
        path.unlink()


def _rewritten_v1(session, from_seq: int, object_id: str) -> list[dict]:
    """Events from ``from_seq`` on, with one changed and every hash after it recomputed (v1: without
    ``chain_version``, the column's default, since the unkeyed hash is all the attacker can make)."""
    from victimcare.audit.chain import CHAINED_FIELDS

    rows = []
    prev_hash = _hash_of(session, from_seq - 1)
    for stored in session.scalars(
        sa.select(AuditEvent).where(AuditEvent.seq >= from_seq).order_by(AuditEvent.seq)
    ):
        row = {"seq": stored.seq, **{name: getattr(stored, name) for name in CHAINED_FIELDS}}
        if row["seq"] == from_seq:
            row["object_id"] = object_id
        row.update(prev_hash=prev_hash, hash=_v1_hash(prev_hash, row["seq"], SimpleNamespace(**row)))
        rows.append(row)
        prev_hash = row["hash"]
    session.expunge_all()
    return rows


def _insert(row: dict, *prefixes: str):
    return sa.insert(AuditEvent.__table__).prefix_with(*prefixes).values(**row)


@pytest.fixture
def clock(monkeypatch):
    """Sign checkpoints as if at another moment."""
    from victimcare.audit import checkpoints
    from victimcare.database import utcnow

    def at(moment):
        monkeypatch.setattr(checkpoints, "utcnow", lambda: moment)

    yield at
    monkeypatch.setattr(checkpoints, "utcnow", utcnow)


def test_cutting_the_newest_events_and_their_checkpoint_leaves_a_stale_one_that_verify_refuses(
    five_events, clock
):
    from victimcare.database import utcnow

    clock(utcnow() - timedelta(minutes=40))
    assert _checkpoint(five_events).exit_code == 0  # cron, 40 minutes ago…
    clock(utcnow())
    _append(five_events, 3)
    assert _checkpoint(five_events).exit_code == 0  # …and now
    assert _verify(five_events).exit_code == 0
    with db_session(five_events) as session:
        drop_triggers(session)
        session.execute(sa.text("DELETE FROM audit_events WHERE seq > 5"))
        _remove_checkpoints(session, five_events, sizes=[8])
        _set_head(session, 5, _hash_of(session, 5))
        session.commit()
    broken = _verify(five_events)
    assert broken.exit_code != 0 and "seq 6" in broken.output and "newest signed checkpoint" in broken.output


def test_insert_or_replace_and_an_existing_seq_are_refused_on_sqlite(five_events):
    with db_session(five_events) as session:
        if session.get_bind().dialect.name != "sqlite":
            pytest.skip("INSERT OR REPLACE is SQLite's")
        rows = _rewritten_v1(session, 3, "case-other")
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            session.execute(_insert(rows[0], "OR REPLACE"))
        session.rollback()
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            session.execute(_insert(rows[0]))
        session.rollback()
        drop_triggers(session)  # with the file in hand, the rewrite goes through, and verify sees it
        for row in rows:
            session.execute(_insert(row, "OR REPLACE"))
        _set_head(session, 5, rows[-1]["hash"])
        session.commit()
    broken = _verify(five_events)
    assert broken.exit_code != 0 and "seq 3" in broken.output


@pytest.mark.parametrize("claimed", ["v1", "v2 without the key"])
def test_a_forged_view_appended_with_a_correctly_computed_hash_is_caught(five_events, claimed):
    """The triggers let it in (it is appended at the head); only the key tells it apart."""
    from victimcare.audit.chain import CHAINED_FIELDS
    from victimcare.database import utcnow

    forged = {name: None for name in CHAINED_FIELDS} | {
        "occurred_at": utcnow(),
        "actor_username": "police1",
        "agency_code": "police-demo",
        "role": "officer",
        "action": "view",
        "object_type": "case",
        "case_reference": "VC-2026-000001",
        "fields": ["identity"],
        "outcome": "ok",
        "detail": {},
    }
    with db_session(five_events) as session:
        prev_hash = _hash_of(session, 5)
        event = SimpleNamespace(**forged)
        if claimed == "v1":
            values = {"hash": _v1_hash(prev_hash, 6, event)}
        else:
            guessed_key = hashlib.sha256(b"victimcare").digest()
            values = {
                "chain_version": 2,
                "hash": hmac.digest(guessed_key, lp("audit/v2", prev_hash, 6, canonical(event)), "sha256"),
            }
        session.execute(sa.text("UPDATE audit_head SET last_seq = last_seq + 1"))
        session.execute(
            sa.insert(AuditEvent.__table__).values(seq=6, prev_hash=prev_hash, **forged, **values)
        )
        session.execute(sa.text("UPDATE audit_head SET last_hash = :h"), {"h": values["hash"]})
        session.commit()
    broken = _verify(five_events)
    assert broken.exit_code != 0 and "seq 6" in broken.output


@pytest.mark.parametrize("how", ["cut", "rewritten"])
def test_a_log_cut_or_rewritten_after_removing_every_checkpoint_is_caught_and_never_signed_again(
    five_events, how
):
    assert _checkpoint(five_events).exit_code == 0
    with db_session(five_events) as session:
        drop_triggers(session)
        _remove_checkpoints(session, five_events)
        if how == "cut":
            session.execute(sa.text("DELETE FROM audit_events WHERE seq >= 4"))
            _set_head(session, 3, _hash_of(session, 3))
        else:
            rows = _rewritten_v1(session, 3, "case-other")
            session.execute(sa.text("DELETE FROM audit_events WHERE seq >= 3"))
            for row in rows:
                session.execute(_insert(row))
            _set_head(session, 5, rows[-1]["hash"])
        session.commit()
    assert _verify(five_events).exit_code != 0
    refused = _checkpoint(five_events)  # the next cron run does not bless what is left
    assert refused.exit_code != 0 and "--first" in refused.output
    assert _verify(five_events).exit_code != 0


def test_an_emptied_log_with_its_checkpoints_gone_is_caught(five_events):
    from victimcare.audit.models import GENESIS

    assert _checkpoint(five_events).exit_code == 0
    with db_session(five_events) as session:
        drop_triggers(session)
        session.execute(sa.text("DELETE FROM audit_events"))
        _remove_checkpoints(session, five_events)
        _set_head(session, 0, GENESIS)
        session.commit()
    broken = _verify(five_events)
    assert broken.exit_code != 0 and "no signed checkpoint" in broken.output
    assert _checkpoint(five_events).exit_code != 0
    assert _verify(five_events).exit_code != 0


def test_checkpoints_and_the_head_are_protected_like_the_events(five_events):
    assert _checkpoint(five_events).exit_code == 0
    with db_session(five_events) as session:
        statements = [
            "UPDATE audit_checkpoints SET size = 9",
            "DELETE FROM audit_checkpoints",
            "UPDATE audit_head SET last_seq = 3",
            "UPDATE audit_head SET last_seq = 9",
            "UPDATE audit_head SET last_hash = (SELECT hash FROM audit_events WHERE seq = 3)",
            "DELETE FROM audit_head",
        ]
        if session.get_bind().dialect.name == "sqlite":
            statements += [
                "INSERT OR REPLACE INTO audit_checkpoints SELECT * FROM audit_checkpoints",
                "INSERT OR REPLACE INTO audit_head SELECT * FROM audit_head",
            ]
        else:
            statements += ["TRUNCATE audit_checkpoints", "TRUNCATE audit_head"]
        for statement in statements:
            with pytest.raises(sa.exc.DatabaseError, match="append-only|only moves forward"):
                session.execute(sa.text(statement))
            session.rollback()
    _append(five_events, 2)  # the app's own path still moves the head
    assert _checkpoint(five_events).exit_code == 0
    intact = _verify(five_events)
    assert intact.exit_code == 0 and "7 event(s)" in intact.output


@pytest.mark.parametrize("where", ["database", "directory"])
def test_checkpoints_removed_from_the_database_or_the_directory_alone_are_noticed(five_events, where):
    assert _checkpoint(five_events).exit_code == 0
    with db_session(five_events) as session:
        drop_triggers(session)
        if where == "database":
            session.execute(sa.text("DELETE FROM audit_checkpoints WHERE size = 5"))
        else:
            (Path(five_events.config["AUDIT_CHECKPOINT_DIR"]) / "checkpoint-000000000005.txt").unlink()
        session.commit()
    broken = _verify(five_events)
    assert broken.exit_code != 0 and "differ" in broken.output


def test_events_written_before_chain_v2_keep_verifying(app):
    """Upgrade a log of v1 events: they still verify, and the keyed events follow them."""
    import flask_migrate

    from victimcare.audit.models import GENESIS
    from victimcare.database import utcnow
    from victimcare.extensions import db

    with app.app_context():
        flask_migrate.downgrade(revision="296cc641045e")
        prev_hash = GENESIS
        with db.engine.begin() as connection:
            for seq in (1, 2, 3):
                event = {
                    name: None
                    for name in (
                        "actor_id",
                        "actor_username",
                        "agency_code",
                        "role",
                        "session_hash",
                        "client_address",
                        "request_id",
                        "object_type",
                        "case_reference",
                        "purpose",
                        "ciphertext_sha256",
                    )
                }
                event |= {
                    "occurred_at": utcnow(),
                    "action": "view",
                    "object_id": f"old-{seq}",
                    "fields": ["identity"],
                    "outcome": "ok",
                    "detail": {},
                }
                digest = _v1_hash(prev_hash, seq, SimpleNamespace(**event))
                connection.execute(
                    sa.insert(AuditEvent.__table__).values(seq=seq, prev_hash=prev_hash, hash=digest, **event)
                )
                prev_hash = digest
            connection.execute(
                sa.text("UPDATE audit_head SET last_seq = 3, last_hash = :h"), {"h": prev_hash}
            )
        flask_migrate.upgrade()
        db.session.remove()
    unsigned = _verify(app)
    assert unsigned.exit_code != 0  # no checkpoint vouches for them yet
    assert app.test_cli_runner().invoke(args=["audit", "checkpoint", "--first"]).exit_code == 0
    _append(app, 2)
    assert _checkpoint(app).exit_code == 0
    intact = _verify(app)
    assert intact.exit_code == 0 and "5 event(s)" in intact.output
    with db_session(app) as session:
        assert session.scalars(sa.select(AuditEvent.chain_version).order_by(AuditEvent.seq)).all() == [
            1,
            1,
            1,
            2,
            2,
        ]


def test_the_chain_key_comes_from_the_keyring_which_old_keyrings_still_give_and_the_database_never_holds(
    five_events,
):
    from victimcare.crypto.keyring import Keyring

    keyring = crypto.vault(five_events).keyring
    reloaded = Keyring.from_json(keyring.to_json())  # the keyring format did not change: old files load
    key = reloaded.audit_mac_key
    assert key == keyring.audit_mac_key and len(key) == 32
    assert key not in (keyring.audit_signing_key, keyring.index_root_key, *keyring.keks.values())
    other = Keyring.generate()
    assert other.audit_mac_key != key  # each installation its own
    url = five_events.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):
        from victimcare.extensions import db

        with five_events.app_context():
            db.engine.dispose()  # fold the WAL into the file
        path = Path(url.removeprefix("sqlite:///"))
        assert key not in path.read_bytes() and keyring.audit_signing_key not in path.read_bytes()
