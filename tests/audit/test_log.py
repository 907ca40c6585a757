"""The confidentiality log: what is recorded, what is never recorded, and tampering caught."""

import threading

import pytest
import sqlalchemy as sa

from tests.audit.conftest import drop_triggers
from tests.helpers import add_case, db_session, post
from victimcare import demo
from victimcare.audit.models import AuditEvent
from victimcare.audit.verify import verify_chain
from vocabulary import AuditAction, ObjectType


def _events(app, **where):
    with db_session(app) as session:
        query = sa.select(AuditEvent).order_by(AuditEvent.seq)
        for name, value in where.items():
            query = query.where(getattr(AuditEvent, name) == value)
        rows = session.scalars(query).all()
        session.expunge_all()
        return rows


def _raw_log(app) -> str:
    with db_session(app) as session:
        rows = session.execute(sa.text("SELECT * FROM audit_events")).all()
    return repr(rows)


def test_opening_a_case_page_records_a_view_naming_exactly_the_groups_it_opened(login_as, seeded):
    # Police read contact and investigation too, but this case holds neither: nothing of them was opened.
    reference = add_case(seeded, "police-demo", full_name="Lò Thị Xuyến")
    login_as("police1").get(f"/cases/{reference}")
    [view] = _events(seeded, action="view", case_reference=reference)
    assert view.actor_username == "police1" and view.agency_code == "police-demo" and view.role == "officer"
    assert view.fields == ["identity", "narrative"]
    assert "Xuy" not in _raw_log(seeded)


def test_a_case_page_that_shows_contact_details_names_the_contact_group(login_as, seeded):
    reference = add_case(seeded, "police-demo", full_name="Lò Thị Xuyến", phone="0912345678")
    page = login_as("police1").get(f"/cases/{reference}").text
    assert "0912345678" in page
    [view] = _events(seeded, action="view", case_reference=reference)
    assert view.fields == ["contact", "identity", "narrative"]


def test_a_search_records_its_kind_and_count_but_never_the_term(login_as, seeded):
    add_case(seeded, "police-demo", full_name="Lò Thị Xuyến", phone="0912345678")
    client = login_as("police1")
    post(client, "/cases", {"kind": "name", "q": "Lo Thi Xuyen"}, token_page="/cases")
    post(client, "/cases", {"kind": "phone", "q": "0912 345 678"}, token_page="/cases")
    searches = _events(seeded, action="search")
    assert [(e.detail["index"], e.detail["results"]) for e in searches] == [("name", 1), ("phone", 1)]
    log = _raw_log(seeded)
    for term in ("Lo Thi Xuyen", "Xuyen", "Xuy", "912 345", "912345678"):
        assert term not in log


def test_changes_logins_and_breaks_of_glass_are_recorded(login_as, seeded):
    reference = add_case(seeded, "police-demo")
    health = login_as("health1")
    post(
        health,
        f"/cases/{reference}/break-glass",
        {"reason": "Người bệnh bất tỉnh, cần liên hệ người thân ngay"},
    )
    health.get(f"/cases/{reference}")
    actions = [e.action for e in _events(seeded)]
    assert actions.count("agency_change") == 5 and actions.count("user_change") == len(
        demo.USERS
    )  # the demo set-up
    assert {"create", "login", "break_glass"} <= set(actions)
    [glass_view] = [e for e in _events(seeded, action="view") if e.actor_username == "health1"]
    assert glass_view.purpose == "break_glass"
    assert "bất tỉnh" not in _raw_log(seeded)
    assert verify_chain_ok(seeded)


def verify_chain_ok(app) -> bool:
    """The chain holds once its head is signed now (verify also wants a fresh checkpoint)."""
    assert app.test_cli_runner().invoke(args=["audit", "checkpoint", "--first"]).exit_code == 0
    with db_session(app) as session:
        return verify_chain(session).ok


def test_the_database_refuses_to_update_or_delete_log_rows(login_as, seeded):
    add_case(seeded, "police-demo")
    with db_session(seeded) as session:
        before = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
        for statement in ("UPDATE audit_events SET action = 'nothing'", "DELETE FROM audit_events"):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                session.execute(sa.text(statement))
            session.rollback()
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before > 0


TAMPERING = {
    "a row altered": ("UPDATE audit_events SET object_id = 'case-other' WHERE seq = 3", 3),
    "a row deleted": ("DELETE FROM audit_events WHERE seq = 2", 2),
    "a row inserted": (
        "INSERT INTO audit_events (seq, occurred_at, action, fields, outcome, detail, prev_hash, hash) "
        "SELECT 6, occurred_at, 'view', fields, outcome, detail, prev_hash, hash FROM audit_events WHERE seq = 5",
        6,
    ),
    "the newest rows cut off": ("DELETE FROM audit_events WHERE seq >= 4", 4),
}


@pytest.mark.parametrize("what", TAMPERING)
def test_verify_names_the_first_bad_row_after_tampering(five_events, what):
    statement, bad_seq = TAMPERING[what]
    runner = five_events.test_cli_runner()
    intact = runner.invoke(args=["audit", "verify"])
    assert intact.exit_code == 0 and "5 event(s)" in intact.output
    with db_session(five_events) as session:
        drop_triggers(session)
        session.execute(sa.text(statement))
        session.commit()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code != 0
    assert f"seq {bad_seq}" in broken.output


def test_concurrent_appends_leave_one_unbroken_chain(app):
    seeded = app
    from victimcare.audit import operations as audit
    from victimcare.extensions import db

    errors = []

    def append(n):
        try:
            with seeded.app_context():
                for i in range(10):
                    audit.record(AuditAction.VIEW, object_type=ObjectType.CASE, object_id=f"thread-{n}-{i}")
                    db.session.commit()
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=append, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert verify_chain_ok(seeded)
    with db_session(seeded) as session:
        assert verify_chain(session).checked == 80


def test_supervisors_and_auditors_review_the_log_others_cannot(login_as, seeded):
    reference = add_case(seeded, "social-demo", full_name="Chảo Thị Mẩy")
    login_as("social1").get(f"/cases/{reference}")
    for username in ("police1", "social1", "health1", "admin1"):
        assert login_as(username).get("/audit").status_code == 403
    page = login_as("auditor1").get(f"/audit?case={reference}").text
    assert "social1" in page and reference in page and "Mẩy" not in page
    supervisor = login_as("supervisor1")
    assert "social1" in supervisor.get("/audit?user=social1&action=view").text
    case_page = supervisor.get(f"/cases/{reference}").text
    assert 'data-testid="viewers"' in case_page and "social1" in case_page


def test_a_supervisor_sees_only_their_provinces_events(login_as, seeded):
    from victimcare.accounts import operations as accounts
    from victimcare.extensions import db

    with seeded.app_context():
        accounts.save_agency(
            None, code="police-other", name="Công an tỉnh khác", kind="police", province_code="01"
        )
        db.session.commit()
    reference = add_case(seeded, "police-other")
    page = login_as("supervisor1").get("/audit").text
    assert reference not in page
    assert reference in login_as("auditor1").get("/audit").text


def test_emergency_access_and_other_agencies_views_are_flagged(login_as, seeded):
    reference = add_case(seeded, "police-demo")
    health = login_as("health1")
    post(
        health,
        f"/cases/{reference}/break-glass",
        {"reason": "Người bệnh bất tỉnh, cần liên hệ người thân ngay"},
    )
    health.get(f"/cases/{reference}")
    page = login_as("auditor1").get(f"/audit?case={reference}").text
    assert 'data-flag="break_glass"' in page and 'data-flag="other_agency"' in page


def test_a_checkpoint_catches_the_newest_rows_cut_off_even_with_the_head_rewritten(five_events):
    runner = five_events.test_cli_runner()
    assert "Checkpoint at 5" in runner.invoke(args=["audit", "checkpoint"]).output
    with db_session(five_events) as session:
        drop_triggers(session)
        session.execute(sa.text("DELETE FROM audit_events WHERE seq >= 4"))
        session.execute(sa.text("DELETE FROM audit_checkpoints"))  # the attacker holds the database file
        last = session.execute(sa.text("SELECT hash FROM audit_events WHERE seq = 3")).scalar_one()
        session.execute(sa.text("UPDATE audit_head SET last_seq = 3, last_hash = :h"), {"h": last})
        session.commit()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code != 0 and "seq 4" in broken.output and "checkpoint" in broken.output


def test_a_forged_checkpoint_file_is_refused(five_events):
    from pathlib import Path

    runner = five_events.test_cli_runner()
    runner.invoke(args=["audit", "checkpoint"])
    note = Path(five_events.config["AUDIT_CHECKPOINT_DIR"]) / "checkpoint-000000000005.txt"
    note.write_text(note.read_text().replace("\n5\n", "\n4\n"))
    assert runner.invoke(args=["audit", "verify"]).exit_code != 0


def test_every_thousandth_event_is_signed_after_commit(app, monkeypatch):
    from pathlib import Path

    from victimcare.audit import operations as audit
    from victimcare.extensions import db

    monkeypatch.setattr(audit, "EVERY_EVENTS", 3)
    app.test_cli_runner().invoke(args=["audit", "checkpoint", "--first"])
    with app.app_context():
        for n in range(7):
            audit.record(AuditAction.VIEW, object_type=ObjectType.CASE, object_id=f"c{n}")
            db.session.commit()
        db.session.remove()
    files = sorted(p.name for p in Path(app.config["AUDIT_CHECKPOINT_DIR"]).glob("checkpoint-*.txt"))
    assert files == [
        "checkpoint-000000000000.txt",
        "checkpoint-000000000003.txt",
        "checkpoint-000000000006.txt",
    ]


def test_the_csv_export_holds_no_personal_values_and_is_itself_logged(login_as, seeded):
    reference = add_case(seeded, "police-demo", full_name="Lò Thị Xuyến")
    login_as("police1").get(f"/cases/{reference}")
    response = login_as("auditor1").get(f"/audit/export.csv?case={reference}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.data.decode("utf-8-sig")
    assert (
        text.startswith("STT,Thời điểm (giờ Việt Nam),Người dùng") and "police1" in text and reference in text
    )
    assert "Xuy" not in text
    [export] = _events(seeded, action="export")
    assert export.actor_username == "auditor1" and export.detail["rows"] >= 2


def test_bulk_viewing_and_searches_without_follow_up_are_flagged(login_as, seeded):
    from victimcare.audit import review

    references = [
        add_case(seeded, "police-demo", full_name=f"Người Số {n}") for n in range(review.BULK_CASES)
    ]
    police = login_as("police1")
    post(police, "/cases", {"kind": "name", "q": "Người Số 1"}, token_page="/cases")  # found, never opened…
    for reference in references:
        police.get(f"/cases/{reference}")
    page = login_as("auditor1").get("/audit?user=police1").text
    assert 'data-flag="bulk_viewing"' in page
    assert 'data-flag="no_follow_up"' not in page  # …until the same person opened cases afterwards
    social = login_as("social1")
    social_case = add_case(seeded, "social-demo", full_name="Chảo Thị Mẩy")
    post(social, "/cases", {"kind": "name", "q": "Chảo Thị Mẩy"}, token_page="/cases")
    assert social_case
    assert 'data-flag="no_follow_up"' in login_as("auditor1").get("/audit?user=social1&action=search").text


def test_when_the_log_cannot_be_written_the_page_is_not_served(login_as, seeded, monkeypatch):
    from victimcare.audit import operations as audit

    reference = add_case(seeded, "police-demo", full_name="Lò Thị Xuyến")
    police = login_as("police1")

    def broken(*args, **kwargs):
        raise RuntimeError("audit storage unavailable")

    monkeypatch.setattr(audit, "record", broken)
    response = police.get(f"/cases/{reference}")
    assert response.status_code == 500
    assert "Xuy" not in response.text


def test_when_the_view_event_cannot_be_committed_the_rendered_page_is_not_sent(login_as, seeded, monkeypatch):
    from victimcare.extensions import db

    reference = add_case(seeded, "police-demo", full_name="Lò Thị Xuyến")
    police = login_as("police1")

    def disk_full():
        raise RuntimeError("could not write to the log")

    monkeypatch.setattr(db.session, "commit", disk_full)
    monkeypatch.setitem(seeded.config, "PROPAGATE_EXCEPTIONS", False)  # as in production
    response = police.get(f"/cases/{reference}")
    assert response.status_code == 500
    assert "Xuy" not in response.text
    monkeypatch.undo()
    assert _events(seeded, action="view", case_reference=reference) == []
