"""`flask keys rotate|status|retire`: online, resumable, and nothing is lost."""

import pytest
import sqlalchemy as sa

from tests.conftest import BACKEND
from tests.helpers import add_case, db_session
from victimcare import crypto
from victimcare.cases.operations import search_cases
from victimcare.config import Config
from victimcare.crypto import rotation
from victimcare.crypto.models import DataKey
from victimcare.demo import USERS

NAMES = ["Lò Thị Xuyến", "Đặng Văn Hải", "Hoàng Thị Mai", "Sùng A Chứ"]
# The demo supervisors', auditors' and administrators' authenticator secrets are sealed under keys of
# their own, which rotate with the people's.
KEYS = len(NAMES) + sum(1 for user in USERS if user[3].value in Config.SECOND_FACTOR_ROLES)


@pytest.fixture
def people(seeded):
    return {name: add_case(seeded, full_name=name, phone=f"09123456{i:02d}") for i, name in enumerate(NAMES)}


def _kek_ids(app):
    with db_session(app) as session:
        return set(session.scalars(sa.select(DataKey.kek_id)))


def test_rotation_rewraps_every_key_and_everything_still_opens_and_is_found(seeded, people):
    runner = seeded.test_cli_runner()
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "KEK 2 is now primary" in result.output and f"Re-wrapped {KEYS}" in result.output
    assert _kek_ids(seeded) == {2}
    with db_session(seeded) as session:
        session.info.clear()
        for name, reference in people.items():
            [case] = search_cases(None, "name", name.upper())
            assert case.reference == reference and case.victim.full_name == name
    status = runner.invoke(args=["keys", "status"])
    assert "KEK 1: 0 data key(s) unused: can be retired" in status.output
    assert f"KEK 2: {KEYS} data key(s) primary" in status.output


def test_an_interrupted_rotation_resumes(seeded, people, monkeypatch):
    original = rotation.rewrap_all
    calls = []

    def crash_after_first_batch(session, keyring, batch=1000, progress=None):
        def progress_then_crash(n):
            calls.append(n)
            raise KeyboardInterrupt("power cut")

        return original(session, keyring, batch=2, progress=progress_then_crash)

    monkeypatch.setattr(rotation, "rewrap_all", crash_after_first_batch)
    runner = seeded.test_cli_runner()
    interrupted = runner.invoke(args=["keys", "rotate"])
    assert interrupted.exit_code != 0 and calls == [2]
    assert _kek_ids(seeded) == {1, 2}, "half the keys moved, half did not"
    monkeypatch.setattr(rotation, "rewrap_all", original)
    resumed = runner.invoke(args=["keys", "rotate", "--resume"])
    assert resumed.exit_code == 0 and f"Re-wrapped {KEYS - 2}" in resumed.output
    assert _kek_ids(seeded) == {2}
    with db_session(seeded):
        assert {c.victim.full_name for n in NAMES for c in search_cases(None, "name", n)} == set(NAMES)


def test_a_kek_in_use_cannot_be_retired_and_an_unused_one_can(seeded, people):
    runner = seeded.test_cli_runner()
    refused = runner.invoke(args=["keys", "retire", "1"])
    assert refused.exit_code != 0 and f"still wraps {KEYS}" in refused.output
    runner.invoke(args=["keys", "rotate"])
    assert runner.invoke(args=["keys", "retire", "1"]).exit_code == 0
    assert 1 not in crypto.vault(seeded).keyring.keks
    with db_session(seeded):
        assert [c.victim.full_name for c in search_cases(None, "phone", "0912345600")] == [NAMES[0]]


def test_another_worker_picks_up_the_rotated_keyring(seeded, people, app_factory):
    other_worker = app_factory(VICTIMCARE_KEYRING=seeded.config["VICTIMCARE_KEYRING"])
    seeded.test_cli_runner().invoke(args=["keys", "rotate"])
    with other_worker.app_context():
        from victimcare.extensions import db

        [case] = search_cases(None, "name", NAMES[1])
        assert case.victim.full_name == NAMES[1]
        db.session.remove()


# -- erasure in copies the live database no longer controls ----------------------------------------


def _backup(app, path) -> str:
    """What a nightly backup does: SQLite's online backup of the live database into another file."""
    import sqlite3

    source = sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    target = sqlite3.connect(path)
    with target:
        source.backup(target)
    source.close()
    target.close()
    return f"sqlite:///{path}"


def _readable(url, keyring, instance, names) -> dict:
    """Each person's name as an app restored on ``url`` reads it with the keyring: the name, or the error."""
    from tests.helpers import make_app
    from victimcare.cases.models import Victim
    from victimcare.crypto import CryptoError
    from victimcare.extensions import db

    restored = make_app(url, instance, VICTIMCARE_KEYRING=keyring)
    found = {}
    with restored.app_context():
        for name, victim_id in names.items():
            db.session.info.clear()
            try:
                found[name] = db.session.get(Victim, victim_id).full_name
            except CryptoError as error:
                found[name] = type(error).__name__
            db.session.remove()
        db.engine.dispose()
    return found


@pytest.mark.skipif(BACKEND != "sqlite", reason="copies the database file")
def test_a_backup_taken_before_an_erasure_opens_nothing_once_its_kek_is_retired(seeded, people, tmp_path):
    from victimcare.cases.models import Case

    with db_session(seeded) as session:
        ids = {
            name: session.scalar(sa.select(Case.victim_id).where(Case.reference == ref))
            for name, ref in people.items()
        }
    erased, others = NAMES[0], NAMES[1:]
    old_backup = _backup(seeded, tmp_path / "before-erasure.db")
    runner = seeded.test_cli_runner()
    assert (
        runner.invoke(
            args=["cases", "erase", people[erased], "--reason", "person_request", "--yes"]
        ).exit_code
        == 0
    )

    def read(url):
        return _readable(url, seeded.config["VICTIMCARE_KEYRING"], tmp_path / "restore", ids)

    assert read(old_backup)[erased] == erased, "until its KEK goes, the old copy still opens"
    status = runner.invoke(args=["keys", "status"]).output
    assert "Erasures waiting for KEK retirement: 1" in status
    assert (
        f"({people[erased]}): complete everywhere once KEK 1 is retired (rotate first: it is primary)"
        in status
    )

    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
    new_backup = _backup(seeded, tmp_path / "after-rotation.db")
    retired = runner.invoke(args=["keys", "retire", "--unused"])
    assert retired.exit_code == 0 and "1 erasure(s) are now complete" in retired.output

    old = read(old_backup)
    assert old[erased] == "KeyNotFound", "the erased person's old wrapped key opens under no key in force"
    assert all(old[name] == "KeyNotFound" for name in others), (
        "nobody in a pre-retirement copy opens any more"
    )
    fresh = read(new_backup)
    assert fresh == {erased: None, **{name: name for name in others}}, (
        "a copy taken after the rotation reads as live"
    )
    assert "Erasures waiting for KEK retirement: 0" in runner.invoke(args=["keys", "status"]).output
