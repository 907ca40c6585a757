"""Step-up (issue 17): dangerous acts ask for a fresh code (or the password), valid five minutes."""

import re

import sqlalchemy as sa

from tests.helpers import add_case, db_session, detached, post, request_erasure, totp_code
from victimcare.accounts.models import User
from victimcare.approvals.models import PendingChange
from victimcare.audit.models import AuditEvent

STALE = 6  # minutes: past the five a confirmation (or the login) lasts


def _confirm(client, answer, target, carried=None):
    data = {"step_up_code": answer, **(carried or {})}
    return post(client, f"/account/confirm?next={target}", data, token_page="/account")


def test_a_fresh_login_opens_dangerous_acts_for_five_minutes(login_as, clock):
    client = login_as("auditor1")
    assert client.get("/audit/export.csv").status_code == 200
    clock.advance(minutes=STALE)
    response = client.get("/audit/export.csv?action=login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/confirm?next=/audit/export.csv?action%3Dlogin"


def test_the_export_asks_for_a_code_then_returns_and_the_confirmation_is_logged(seeded, login_as, clock):
    client = login_as("auditor1")
    clock.advance(minutes=STALE)
    page = client.get("/account/confirm?next=/audit/export.csv")
    assert page.status_code == 200 and "Xác nhận đúng là bạn" in page.text
    done = _confirm(client, totp_code(seeded, "auditor1"), "/audit/export.csv")
    assert (done.status_code, done.headers["Location"]) == (302, "/audit/export.csv")
    assert client.get("/audit/export.csv").status_code == 200
    with db_session(seeded) as session:
        event = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "step_up")).one()
        assert event.actor_username == "auditor1" and event.outcome == "ok"
        assert event.detail == {"method": "totp", "for": "/audit/export.csv"}
    clock.advance(minutes=STALE)
    assert client.get("/audit/export.csv").status_code == 302, "the confirmation expired"


def test_a_wrong_code_is_refused_counted_and_flagged(seeded, login_as, clock):
    client = login_as("auditor1")
    clock.advance(minutes=STALE)
    refused = _confirm(client, "123456", "/audit/export.csv")
    assert refused.status_code == 400 and "Mã không đúng" in refused.text
    assert client.get("/audit/export.csv").status_code == 302
    with db_session(seeded) as session:
        event = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "step_up")).one()
        assert event.outcome == "refused"
    assert 'data-flag="denied"' in client.get("/audit?action=step_up").text


def test_a_code_confirms_once(seeded, login_as, clock):
    client = login_as("auditor1")
    clock.advance(minutes=STALE)
    code = totp_code(seeded, "auditor1")
    assert _confirm(client, code, "/audit/export.csv").status_code == 302
    assert _confirm(client, code, "/audit/export.csv").status_code == 400


def test_five_wrong_confirmations_lock_the_account(seeded, login_as, clock):
    client = login_as("auditor1")
    clock.advance(minutes=STALE)
    for _ in range(5):
        _confirm(client, "123456", "/")
    locked = _confirm(client, totp_code(seeded, "auditor1"), "/")
    assert locked.status_code == 400 and "tạm thời bị khóa" in locked.text


def test_a_held_back_form_is_sent_again_as_it_was(seeded, login_as, clock):
    """An erasure request posted after five minutes: the confirmation page carries its fields, and
    once the code is right the browser sends the same form again (307)."""
    reference = add_case(seeded, "social-demo")
    client = login_as("supervisor1")
    clock.advance(minutes=STALE)
    form = {"reason": "person_request", "confirm": "y"}
    held = post(client, f"/cases/{reference}/erase", form, token_page=f"/cases/{reference}")
    assert held.status_code == 200 and "Xác nhận đúng là bạn" in held.text
    assert 'name="reason" value="person_request"' in held.text
    assert 'name="step_up_resend" value="1"' in held.text
    action = re.search(r'action="(/account/confirm[^"]+)"', held.text).group(1).replace("&amp;", "&")
    with db_session(seeded) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(PendingChange)) == 0
    answer = {"step_up_code": totp_code(seeded, "supervisor1"), "step_up_resend": "1", **form}
    sent = post(client, action, answer, token_page="/account")
    assert (sent.status_code, sent.headers["Location"]) == (307, f"/cases/{reference}/erase")
    again = post(client, sent.headers["Location"], answer, token_page="/account")
    assert again.status_code == 302 and again.headers["Location"] == f"/cases/{reference}"
    with db_session(seeded) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(PendingChange)) == 1


def test_a_user_without_a_second_factor_confirms_with_the_password(seeded, login_as, clock):
    reference = add_case(seeded, "police-demo")
    client = login_as("border1")
    clock.advance(minutes=STALE)
    form = {"reason": "Người bị hại đang gặp nguy hiểm, cần liên hệ ngay"}
    held = post(client, f"/cases/{reference}/break-glass", form)
    assert held.status_code == 200 and 'type="password"' in held.text
    target = f"/cases/{reference}/break-glass"
    wrong = _confirm(client, "not-my-password", target, {"step_up_resend": "1", **form})
    assert wrong.status_code == 400 and "Mật khẩu không đúng." in wrong.text
    assert 'name="reason"' in wrong.text, "the held-back form is still carried"
    right = _confirm(client, "victimcare-demo", target, {"step_up_resend": "1", **form})
    assert right.status_code == 307
    granted = post(client, target, form, token_page="/account")
    assert granted.headers["Location"] == f"/cases/{reference}"


def test_refusing_an_approval_needs_no_confirmation_but_approving_does(seeded, login_as, clock):
    approval = request_erasure(seeded, add_case(seeded, "social-demo"), "supervisor1")
    client = login_as("supervisor2")
    clock.advance(minutes=STALE)
    approve = post(client, f"/approvals/{approval}/approve", token_page="/approvals")
    assert approve.status_code == 200 and "Xác nhận đúng là bạn" in approve.text
    refuse = post(client, f"/approvals/{approval}/refuse", token_page="/approvals")
    assert refuse.status_code == 302


def test_every_listed_act_asks_for_a_confirmation(seeded, login_as, clock):
    admin, supervisor = login_as("admin1"), login_as("supervisor1")
    reference = add_case(seeded, "social-demo")
    clock.advance(minutes=STALE)
    border1 = detached(seeded, User, username="border1").id
    for client, url, page in [
        (admin, "/admin/users/new", "/admin/users/new"),
        (admin, f"/admin/users/{border1}", f"/admin/users/{border1}"),
        (admin, f"/admin/users/{border1}/reset-password", f"/admin/users/{border1}"),
        (admin, f"/admin/users/{border1}/reset-second-factor", f"/admin/users/{border1}"),
        (admin, "/admin/agencies/new", "/admin/agencies/new"),
        (supervisor, f"/cases/{reference}/erase", f"/cases/{reference}"),
        (supervisor, "/reports/export", "/reports"),
        (supervisor, "/account/two-factor/recovery-codes", "/account/two-factor"),
        (supervisor, "/account/two-factor/new", "/account/two-factor"),
    ]:
        response = post(client, url, token_page=page)
        assert response.status_code == 200 and "Xác nhận đúng là bạn" in response.text, url
    assert supervisor.get("/audit/export.csv").headers["Location"].startswith("/account/confirm")
