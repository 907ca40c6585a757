"""Server-side sessions: logout, password change, an admin's "end session" and timeouts really end them."""

from datetime import timedelta

import sqlalchemy as sa

from tests.helpers import db_session, log_in, post
from victimcare.accounts.models import User, UserSession
from victimcare.database import utcnow


def _sessions_of(app, username):
    with db_session(app) as session:
        user = session.scalar(sa.select(User).where(User.username == username))
        return session.scalars(sa.select(UserSession).where(UserSession.user_id == user.id)).all()


def _age_sessions(app, **changes):
    with db_session(app) as session:
        for row in session.scalars(sa.select(UserSession)):
            for name, delta in changes.items():
                setattr(row, name, getattr(row, name) - delta)
        session.commit()


def test_logout_ends_the_session_even_for_a_copied_cookie(login_as, seeded):
    client = login_as("police1")
    stolen = client.get_cookie("victimcare_session").value
    post(client, "/logout", token_page="/")
    thief = seeded.test_client()
    thief.set_cookie("victimcare_session", stolen)
    assert thief.get("/").status_code == 302
    [row] = _sessions_of(seeded, "police1")
    assert row.end_reason == "logout"


def test_idle_sessions_end_after_fifteen_minutes(login_as, seeded):
    client = login_as("social1")
    _age_sessions(seeded, last_seen_at=timedelta(minutes=14))
    assert client.get("/").status_code == 200
    _age_sessions(seeded, last_seen_at=timedelta(minutes=16))
    assert client.get("/").status_code == 302
    assert _sessions_of(seeded, "social1")[0].end_reason == "idle_timeout"


def test_sessions_end_after_ten_hours_however_active(login_as, seeded):
    client = login_as("social1")
    _age_sessions(seeded, created_at=timedelta(hours=10, minutes=1))
    assert client.get("/").status_code == 302
    assert _sessions_of(seeded, "social1")[0].end_reason == "absolute_timeout"


def test_changing_the_password_ends_every_other_session(login_as, seeded):
    laptop, phone = login_as("health1"), login_as("health1")
    response = post(
        laptop,
        "/account/password",
        {
            "current_password": "victimcare-demo",
            "new_password": "kho tranh gio bac ha 2026",
            "confirm": "kho tranh gio bac ha 2026",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200, "the user who changed it stays logged in"
    assert phone.get("/").status_code == 302, "the other session is over"
    fresh = seeded.test_client()
    assert log_in(fresh, "health1", "victimcare-demo").status_code == 401
    assert log_in(fresh, "health1", "kho tranh gio bac ha 2026").status_code == 302


def test_a_weak_new_password_is_refused_with_a_reason(login_as):
    client = login_as("health1")
    response = post(
        client,
        "/account/password",
        {
            "current_password": "victimcare-demo",
            "new_password": "passwordpassword",
            "confirm": "passwordpassword",
        },
    )
    assert response.status_code == 400
    assert "quá dễ đoán" in response.text
    short = post(
        client,
        "/account/password",
        {
            "current_password": "victimcare-demo",
            "new_password": "short",
            "confirm": "short",
        },
    )
    assert "ít nhất 12 ký tự" in short.text


def test_a_wrong_current_password_changes_nothing(login_as, seeded):
    client = login_as("health1")
    response = post(
        client,
        "/account/password",
        {
            "current_password": "not-it",
            "new_password": "kho tranh gio bac ha 2026",
            "confirm": "kho tranh gio bac ha 2026",
        },
    )
    assert response.status_code == 400
    assert "Mật khẩu hiện tại không đúng" in response.text
    assert log_in(seeded.test_client(), "health1", "victimcare-demo").status_code == 302


def test_an_admin_can_end_another_users_session(login_as, seeded):
    victim_client = login_as("border1")
    admin = login_as("admin1")
    [row] = _sessions_of(seeded, "border1")
    page = admin.get("/admin/sessions")
    assert "border1" in page.text
    assert post(admin, f"/admin/sessions/{row.id}/end", token_page="/admin/sessions").status_code == 302
    assert victim_client.get("/").status_code == 302
    assert _sessions_of(seeded, "border1")[0].end_reason == "ended_by_admin"


def test_deactivating_a_user_ends_their_sessions(login_as, seeded):
    client = login_as("border1")
    admin = login_as("admin1")
    with db_session(seeded) as session:
        user_id = session.scalar(sa.select(User.id).where(User.username == "border1"))
    post(admin, f"/admin/users/{user_id}/deactivate", token_page=f"/admin/users/{user_id}")
    assert client.get("/").status_code == 302


def test_last_seen_is_kept_fresh_by_activity(login_as, seeded):
    client = login_as("police1")
    _age_sessions(seeded, last_seen_at=timedelta(minutes=10))
    client.get("/")
    [row] = _sessions_of(seeded, "police1")
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)
