"""Erasure leaves no copy of the erased wrapped key in the database's own files (SQLite here; tests/pg)."""

import pytest
import sqlalchemy as sa

from tests.conftest import BACKEND
from tests.helpers import add_case, db_session, raw_database_bytes
from victimcare.cases.models import Case
from victimcare.crypto.models import DataKey


def _wrapped_key(app, reference) -> bytes:
    with db_session(app) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        return session.scalar(sa.select(DataKey.wrapped).where(DataKey.person_id == case.victim_id))


def _checkpoint(app) -> None:
    from victimcare.extensions import db

    with app.app_context():
        raw = db.engine.raw_connection()  # outside any transaction: SQLite checkpoints only there
        assert raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
        raw.close()


def _erase(app, reference) -> None:
    result = app.test_cli_runner().invoke(
        args=["cases", "erase", reference, "--reason", "person_request", "--yes"]
    )
    assert result.exit_code == 0, result.output


@pytest.mark.skipif(BACKEND != "sqlite", reason="reads SQLite's files; tests/pg reads PostgreSQL's pages")
def test_no_byte_of_an_erased_key_stays_in_the_sqlite_files(seeded):
    settled = add_case(seeded, full_name="Lò Thị Xuyến")  # its key reaches the main file
    _checkpoint(seeded)
    fresh = add_case(seeded, full_name="Sùng A Chứ")  # created and erased between checkpoints: WAL only
    add_case(seeded, full_name="Hoàng Thị Mai")  # someone else, so pages are shared and rewritten
    keys = {reference: _wrapped_key(seeded, reference) for reference in (settled, fresh)}
    assert all(key in raw_database_bytes(seeded) for key in keys.values())
    _erase(seeded, fresh)
    assert keys[fresh] not in raw_database_bytes(seeded)
    _erase(seeded, settled)
    assert keys[settled] not in raw_database_bytes(seeded)


def test_keys_vacuum_scrubs_the_files_for_cron(seeded):
    """What cron runs when an erasure's own scrub was deferred (readers in the WAL, or on PostgreSQL
    an app role that does not own data_keys)."""
    add_case(seeded, full_name="Lò Thị Xuyến")
    result = seeded.test_cli_runner().invoke(args=["keys", "vacuum"])
    assert result.exit_code == 0, result.output
    if BACKEND == "sqlite":
        from pathlib import Path

        wal = Path(seeded.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///") + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0


@pytest.mark.skipif(BACKEND != "sqlite", reason="a reader holding SQLite's WAL")
def test_a_reader_in_the_wal_defers_the_scrub_to_cron_without_failing_the_erasure(seeded, caplog):
    import sqlite3

    reference = add_case(seeded, full_name="Sùng A Chứ")
    key = _wrapped_key(seeded, reference)
    reader = sqlite3.connect(
        seeded.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"), isolation_level=None
    )
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM data_keys").fetchone()  # a long page render, holding its snapshot
    try:
        _erase(seeded, reference)
        assert "deferred to `flask keys vacuum`" in caplog.text
        assert key in raw_database_bytes(seeded), "the reader's snapshot still needs the old page"
    finally:
        reader.execute("COMMIT")
        reader.close()
    assert seeded.test_cli_runner().invoke(args=["keys", "vacuum"]).exit_code == 0
    assert key not in raw_database_bytes(seeded)
