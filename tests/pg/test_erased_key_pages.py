"""PostgreSQL: an erased person's wrapped key leaves no dead tuple behind in the key table's pages."""

import pytest
import sqlalchemy as sa

from tests.helpers import add_case, db_session
from victimcare.cases.models import Case
from victimcare.crypto.models import DataKey
from victimcare.extensions import db

pytestmark = pytest.mark.pg


def _table_pages(app) -> bytes:
    """The bytes of data_keys as they are on disk (the tests run as the superuser ``postgres``)."""
    with app.app_context(), db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("CHECKPOINT"))  # dirty buffers reach the file
        return connection.scalar(sa.text("SELECT pg_read_binary_file(pg_relation_filepath('data_keys'))"))


def _cron_vacuum_if_deferred(app, caplog) -> None:
    """Another database's long transaction on this shared server may defer the scrub (by design): then
    the cron job finishes it once that transaction ends."""
    for _ in range(10):
        if "deferred to `flask keys vacuum`" not in caplog.text:
            return
        caplog.clear()
        app.test_cli_runner().invoke(args=["keys", "vacuum"])


def test_no_copy_of_an_erased_key_stays_in_the_key_tables_pages(seeded, caplog):
    references = [
        add_case(seeded, full_name=name) for name in ("Lò Thị Xuyến", "Sùng A Chứ", "Hoàng Thị Mai")
    ]
    with db_session(seeded) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == references[1]))
        wrapped = session.scalar(sa.select(DataKey.wrapped).where(DataKey.person_id == case.victim_id))
        others = session.scalars(sa.select(DataKey.wrapped).where(DataKey.person_id != case.victim_id)).all()
    assert wrapped in _table_pages(seeded)
    result = seeded.test_cli_runner().invoke(
        args=["cases", "erase", references[1], "--reason", "person_request", "--yes"]
    )
    assert result.exit_code == 0, result.output
    _cron_vacuum_if_deferred(seeded, caplog)
    pages = _table_pages(seeded)
    assert wrapped not in pages, (
        "the UPDATE's dead tuple (or a plain VACUUM's freed space, or a row an older\
 transaction could see) still holds the key"
    )
    assert all(key in pages for key in others), "everyone else's key is still there"
