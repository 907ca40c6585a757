"""Page views read without SQLite's write lock, and log what they showed in a short write of their own."""

import sqlite3

import pytest
import sqlalchemy as sa
from flask import before_render_template

from tests.conftest import BACKEND
from tests.helpers import add_case, db_session
from victimcare import transactions
from victimcare.accounts.models import Agency
from victimcare.audit.models import AuditEvent
from victimcare.extensions import db

sqlite_only = pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite's locking")


def _sqlite_path(app) -> str:
    return sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database


@sqlite_only
def test_another_worker_can_write_while_a_page_renders_and_the_view_is_still_logged(login_as, seeded):
    reference = add_case(seeded, "police-demo", full_name="Lò Thị Xuyến")
    police = login_as("police1")
    seen = []

    def another_worker_writes(sender, template, context, **extra):
        if template.name != "cases/show.html":
            return
        other = sqlite3.connect(_sqlite_path(seeded), timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once if the page held the write lock
            other.execute("UPDATE agencies SET name = name || '.' WHERE code = 'social-demo'")
            other.execute("COMMIT")
            seen.append("wrote")
        finally:
            other.close()

    before_render_template.connect(another_worker_writes, seeded)
    try:
        response = police.get(f"/cases/{reference}")
    finally:
        before_render_template.disconnect(another_worker_writes, seeded)

    assert response.status_code == 200 and "Lò Thị Xuyến" in response.text
    assert seen == ["wrote"], "the page held the write lock while it rendered"
    with db_session(seeded) as session:
        views = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.case_reference == reference)
        ).all()
        assert len(views) == 1, "the view is logged although the database changed under the page"
        assert session.scalar(sa.select(Agency.name).where(Agency.code == "social-demo")).endswith(".")


@sqlite_only
def test_a_write_inside_a_read_requests_transaction_is_refused_and_write_apart_commits_it(seeded):
    with seeded.test_request_context("/login"):
        seeded.preprocess_request()
        assert transactions.reading()
        db.session.scalar(sa.select(Agency.id).limit(1))
        with pytest.raises(transactions.WriteInReadTransaction):
            db.session.execute(sa.update(Agency).where(Agency.code == "social-demo").values(name="Sở Y tế"))
        db.session.rollback()
        with transactions.write_apart(db.session):
            db.session.execute(
                sa.update(Agency).where(Agency.code == "social-demo").values(name="Sở LĐ-TB&XH")
            )
        assert transactions.reading(), "the request goes on reading"
    with db_session(seeded) as session:
        assert session.scalar(sa.select(Agency.name).where(Agency.code == "social-demo")) == "Sở LĐ-TB&XH"


@sqlite_only
def test_outside_read_requests_a_transaction_takes_the_write_lock_before_it_reads(seeded):
    """A POST (or a CLI command) reads, then writes: it must hold the lock from the start."""
    with db_session(seeded) as session:
        session.scalar(sa.select(Agency.id).limit(1))
        other = sqlite3.connect(_sqlite_path(seeded), timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
