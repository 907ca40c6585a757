"""Flags judged against the facts of the time, and reviewers marking them (issue 16)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.audit.conftest import drop_triggers
from tests.helpers import add_case, add_consent, add_referral, db_session, post
from victimcare.audit.models import AuditEvent, AuditFlag, AuditReview
from victimcare.audit.verify import verify_chain


@pytest.fixture(autouse=True)
def office_hours(monkeypatch):
    """Every event in working hours, whenever the suite runs: the flags tested are the others."""
    from victimcare.audit import review

    monkeypatch.setattr(review, "after_hours", lambda moment: False)


def _events(app, **where) -> list[AuditEvent]:
    with db_session(app) as session:
        query = sa.select(AuditEvent).order_by(AuditEvent.seq)
        for name, value in where.items():
            query = query.where(getattr(AuditEvent, name) == value)
        rows = session.scalars(query).all()
        session.expunge_all()
        return rows


def _answer(client, referral_id: str, trigger: str):
    return post(client, f"/referrals/{referral_id}/{trigger}", {}, token_page=f"/referrals/{referral_id}")


def _transfer(login_as, app, reference: str) -> None:
    referral_id = add_referral(
        app, reference, "social-demo", purpose="protection", kind="transfer", legal_basis="danger_to_life"
    )
    assert _answer(login_as("social1"), referral_id, "accept").status_code == 302


def _row(page: str, seq: int) -> str:
    start = page.index(f'data-seq="{seq}"')
    return page[start : page.index("</tr>", start)]


def _chain_ok(app) -> bool:
    assert app.test_cli_runner().invoke(args=["audit", "checkpoint", "--first"]).exit_code == 0
    with db_session(app) as session:
        return verify_chain(session).ok


def test_a_view_records_who_owned_the_case_then(login_as, seeded):
    reference = add_case(seeded, "police-demo")
    login_as("police1").get(f"/cases/{reference}")
    [view] = _events(seeded, action="view", case_reference=reference)
    assert view.detail == {"owner": "police-demo"}
    assert _chain_ok(seeded)


def test_after_a_transfer_the_first_owners_earlier_views_are_not_another_agencys(login_as, seeded):
    reference = add_case(seeded, "police-demo")
    login_as("police1").get(f"/cases/{reference}")
    _transfer(login_as, seeded, reference)
    login_as("social1").get(f"/cases/{reference}")
    views = _events(seeded, action="view", case_reference=reference)
    assert [(v.actor_username, v.detail["owner"]) for v in views] == [
        ("police1", "police-demo"),
        ("social1", "social-demo"),
    ]
    page = login_as("supervisor1").get(f"/audit?case={reference}").text
    for view in views:
        assert 'data-flag="other_agency"' not in _row(page, view.seq)


def test_events_from_before_get_the_owner_from_the_transfers_logged_after_them(login_as, seeded, monkeypatch):
    from victimcare.audit import operations

    reference = add_case(seeded, "police-demo")
    with monkeypatch.context() as old_version:  # events written before views recorded their owner
        old_version.setattr(operations, "_facts_of_the_view", lambda case, viewer: {})
        login_as("police1").get(f"/cases/{reference}")
        _transfer(login_as, seeded, reference)
        login_as("health1").get(f"/cases/{reference}")  # not found: no view
    [view] = _events(seeded, action="view", case_reference=reference)
    assert view.detail == {}
    page = login_as("auditor1").get(f"/audit?case={reference}").text
    assert 'data-flag="other_agency"' not in _row(page, view.seq)
    assert _chain_ok(seeded)  # old and new events verify side by side


def test_views_under_an_accepted_referral_are_marked_as_such_not_as_another_agencys(login_as, seeded):
    reference = add_case(seeded, "police-demo")
    referral_id = add_referral(seeded, reference, "health-demo", consent_id=add_consent(seeded, reference))
    health = login_as("health1")
    assert _answer(health, referral_id, "accept").status_code == 302
    health.get(f"/cases/{reference}")
    [view] = [v for v in _events(seeded, action="view", case_reference=reference) if v.object_type == "case"]
    assert view.detail == {"owner": "police-demo", "referral": referral_id}
    row = _row(login_as("supervisor1").get(f"/audit?case={reference}").text, view.seq)
    assert 'data-basis="referral"' in row and "theo yêu cầu chuyển gửi đã được chấp nhận" in row
    assert 'data-flag="other_agency"' not in row


def test_the_recorded_owner_cannot_be_rewritten(login_as, seeded):
    reference = add_case(seeded, "police-demo")
    login_as("health1")  # a login of health1, then a view by police1
    login_as("police1").get(f"/cases/{reference}")
    [view] = _events(seeded, action="view", case_reference=reference)
    assert _chain_ok(seeded)
    with db_session(seeded) as session:
        drop_triggers(session)
        session.execute(
            sa.text("UPDATE audit_events SET detail = :detail WHERE seq = :seq"),
            {"detail": '{"owner": "health-demo"}', "seq": view.seq},
        )
        session.commit()
        verdict = verify_chain(session)
    assert not verdict.ok and verdict.first_bad_seq == view.seq


# -- reviews ---------------------------------------------------------------------------------------


@pytest.fixture
def emergency(login_as, seeded):
    """health1 breaks the glass on a police case and opens it: two flagged events."""
    reference = add_case(seeded, "police-demo")
    health = login_as("health1")
    post(health, f"/cases/{reference}/break-glass", {"reason": "Người bệnh bất tỉnh, cần báo người thân"})
    health.get(f"/cases/{reference}")
    [glass] = _events(seeded, action="break_glass")
    [view] = _events(seeded, action="view", case_reference=reference)
    return reference, glass.seq, view.seq


def _review(client, **data):
    return post(client, "/audit/review", {"back": "/audit", **data}, token_page="/audit")


def _count(app, username: str, **cap) -> int:
    from victimcare.accounts.models import User
    from victimcare.audit.review import unreviewed_flag_count
    from victimcare.extensions import db

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        count = unreviewed_flag_count(user, **cap)
        db.session.remove()
        return count


def test_a_supervisor_marks_a_flagged_event_reviewed_with_a_note(login_as, seeded, emergency):
    reference, glass, view = emergency
    supervisor = login_as("supervisor1")
    assert _count(seeded, "supervisor1") == 2
    response = _review(supervisor, seq=glass, note="Đã gọi trạm y tế: cấp cứu thật, hợp lệ.")
    assert response.status_code == 302 and response.headers["Location"] == "/audit"
    page = supervisor.get(f"/audit?case={reference}").text
    assert "Đã đánh dấu 1 sự kiện bị cảnh báo là đã rà soát." in page
    row = _row(page, glass)
    assert 'data-testid="reviewed"' in row and "Đã gọi trạm y tế: cấp cứu thật, hợp lệ." in row
    assert "Đã rà soát bởi" in row and "supervisor1" in row
    assert 'data-testid="review-event"' in _row(page, view)  # the other one still waits
    [event] = _events(seeded, action="review")
    assert event.actor_username == "supervisor1" and event.detail["events"] == [glass]
    assert "cấp cứu" not in repr(event.detail)  # the note's digest, not the note
    assert _count(seeded, "supervisor1") == 1 and _count(seeded, "auditor1") == 1
    assert _chain_ok(seeded)


def test_a_review_is_refused_twice_without_a_flag_for_ones_own_events_and_without_a_note(
    login_as, seeded, emergency
):
    _reference, glass, _view = emergency
    supervisor = login_as("supervisor1")
    _review(supervisor, seq=glass, note="Hợp lệ.")
    again = _review(supervisor, seq=glass, note="Lần nữa.")
    assert "Sự kiện này đã được rà soát." in supervisor.get(again.headers["Location"]).text
    [login] = [e for e in _events(seeded, action="login") if e.actor_username == "health1"]
    unflagged = _review(supervisor, seq=login.seq, note="?")
    assert (
        "Sự kiện này không có cảnh báo nào cần rà soát." in supervisor.get(unflagged.headers["Location"]).text
    )
    empty = _review(login_as("auditor1"), seq=emergency[2], note="  ")
    assert empty.status_code == 302
    with db_session(seeded) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditReview)) == 1
    assert _review(login_as("police1"), seq=glass, note="x").status_code == 403
    assert _review(supervisor, seq=10**9, note="x").status_code == 404


def test_nobody_reviews_their_own_flagged_events(login_as, seeded, monkeypatch):
    from victimcare.audit import review

    monkeypatch.setattr(review, "after_hours", lambda moment: True)  # everything flagged
    supervisor = login_as("supervisor1")
    [own] = [e for e in _events(seeded, action="login") if e.actor_username == "supervisor1"]
    response = _review(supervisor, seq=own.seq, note="Tôi làm thêm giờ.")
    assert (
        "Sự kiện của chính bạn phải do người khác rà soát."
        in supervisor.get(response.headers["Location"]).text
    )
    assert 'data-testid="review-event"' not in _row(supervisor.get("/audit").text, own.seq)


def test_a_whole_day_is_marked_reviewed_but_for_the_reviewers_own_events(login_as, seeded, monkeypatch):
    from victimcare.audit import review
    from victimcare.i18n import format_day

    monkeypatch.setattr(review, "after_hours", lambda moment: True)
    login_as("police1")
    login_as("social1")
    auditor = login_as("auditor1")
    with seeded.test_request_context():
        from victimcare.database import utcnow

        today = format_day(utcnow())
    waiting = _count(seeded, "auditor1")
    assert waiting == 2  # police1's and social1's logins; not the auditor's own
    response = _review(auditor, day=today, note="Trực đêm theo lịch.")
    assert f"Đã đánh dấu {waiting} sự kiện" in auditor.get(response.headers["Location"]).text
    assert _count(seeded, "auditor1") == 0
    [event] = _events(seeded, action="review")
    assert event.detail["count"] == waiting and event.detail["day"]
    again = _review(auditor, day=today, note="Lần nữa.")
    assert "Không có sự kiện bị cảnh báo nào của ngày đó" in auditor.get(again.headers["Location"]).text
    bad = _review(auditor, day="31/02/2026", note="x")
    assert "Ngày không hợp lệ (dd/mm/yyyy)." in auditor.get(bad.headers["Location"]).text


@pytest.mark.parametrize(
    "back, location",
    [
        ("https://evil.example/", "/audit"),
        ("//evil.example/audit", "/audit"),
        ("/\\evil.example/audit", "/audit"),
        ("/cases", "/audit"),
        ("/audit?case=42&from=01/01/2026", "/audit?case=42&from=01/01/2026"),
    ],
)
def test_the_review_goes_back_to_the_log_only(login_as, seeded, emergency, back, location):
    response = _review(login_as("supervisor1"), seq=emergency[1], note="Hợp lệ.", back=back)
    assert response.headers["Location"] == location


def test_the_count_is_the_same_before_and_after_the_sweep(login_as, seeded, emergency, monkeypatch):
    import victimcare.database
    from victimcare.audit import review

    assert _count(seeded, "supervisor1") == 2 and _count(seeded, "police1") == 0
    later = victimcare.database.utcnow() + timedelta(hours=1)
    monkeypatch.setattr(victimcare.database, "utcnow", lambda: later)
    with seeded.app_context():
        from victimcare.extensions import db

        judged = review.sweep_flags()
        db.session.commit()
        assert judged > 0 and review.sweep_flags() == 0  # nothing left, nothing written twice
        flags = {(f.seq, flag) for f in db.session.scalars(sa.select(AuditFlag)) for flag in f.flags.split()}
        db.session.remove()
    _reference, glass, view = emergency
    assert {(glass, "break_glass"), (view, "break_glass"), (view, "other_agency")} <= flags
    assert _count(seeded, "supervisor1") == 2 and _count(seeded, "supervisor1", cap=1) == 1  # "1+"
    _review(login_as("supervisor1"), seq=view, note="Hợp lệ.")
    assert _count(seeded, "supervisor1") == 1
    with db_session(seeded) as session:
        assert session.get(AuditFlag, view).reviewed and not session.get(AuditFlag, glass).reviewed


@pytest.mark.parametrize("swept", [False, True])
def test_a_supervisor_counts_only_their_provinces_flags(login_as, seeded, monkeypatch, swept):
    import victimcare.database
    from tests.helpers import log_in
    from victimcare.accounts import operations as accounts
    from victimcare.audit import review
    from victimcare.extensions import db

    monkeypatch.setattr(review, "after_hours", lambda moment: True)  # every login flagged
    with seeded.app_context():
        agency = accounts.save_agency(
            None, code="police-other", name="Công an tỉnh khác", kind="police", province_code="01"
        )
        accounts.create_user(
            username="police9",
            display_name="Người Tỉnh Khác",
            agency=agency,
            role="officer",
            password="mật khẩu thử",
            check_policy=False,
            must_change_password=False,
        )
        db.session.commit()
    assert log_in(seeded.test_client(), "police9", "mật khẩu thử").status_code == 302
    login_as("police1")
    if swept:
        later = victimcare.database.utcnow() + timedelta(hours=1)
        monkeypatch.setattr(victimcare.database, "utcnow", lambda: later)
        with seeded.app_context():
            assert review.sweep_flags() > 0
            db.session.commit()
    assert _count(seeded, "supervisor1") == 1  # police1's login, not the other province's
    assert _count(seeded, "auditor1") == 2


def test_the_sweep_command_judges_settled_events_only(seeded, monkeypatch):
    runner = seeded.test_cli_runner()
    assert "Flags judged on 0 event(s)." in runner.invoke(args=["audit", "sweep-flags"]).output
    import victimcare.database

    later = victimcare.database.utcnow() + timedelta(hours=1)
    monkeypatch.setattr(victimcare.database, "utcnow", lambda: later)
    output = runner.invoke(args=["audit", "sweep-flags"]).output
    assert "Flags judged on 0 event(s)." not in output
