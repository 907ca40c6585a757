"""Logging in: demo users, wrong passwords, CSRF, per-account lock-out and per-IP limits."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import csrf_token, db_session, log_in, post
from victimcare.accounts.models import LoginThrottle, User, UserSession
from victimcare.accounts.throttle import throttle_key
from victimcare.database import utcnow
from victimcare.demo import USERS

DEMO_USERNAMES = [u[0] for u in USERS]


@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_every_demo_user_can_log_in_and_reach_the_home_page(login_as, username):
    client = login_as(username)
    page = client.get("/")
    assert page.status_code == 200
    assert "Xin chào" in page.text


def test_login_is_case_insensitive_on_the_username(seeded, client):
    assert log_in(client, "Police1", "victimcare-demo").status_code == 302


def test_wrong_password_and_unknown_user_get_the_same_vietnamese_message(seeded, client):
    wrong = log_in(client, "police1", "not-the-password")
    unknown = log_in(client, "nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    message = "Tên đăng nhập, mật khẩu hoặc mã xác thực không đúng."
    assert message in wrong.text and message in unknown.text
    assert "police1" not in wrong.text.replace('value="police1"', "")


def test_a_login_post_without_csrf_token_is_refused(seeded, client):
    response = client.post("/login", data={"username": "police1", "password": "victimcare-demo"})
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.text
    assert client.get("/").status_code == 302  # still not logged in


def test_a_login_post_with_a_forged_csrf_token_is_refused(seeded, client):
    csrf_token(client)
    response = client.post(
        "/login", data={"username": "police1", "password": "victimcare-demo", "csrf_token": "forged"}
    )
    assert response.status_code == 400


def test_twelve_wrong_passwords_lock_the_account_and_the_right_one_is_refused(seeded, client):
    for _ in range(12):
        response = log_in(client, "police1", "wrong-password-guess")
        assert response.status_code == 401
    assert "tạm thời bị khóa" in response.text
    refused = log_in(client, "police1", "victimcare-demo")
    assert refused.status_code == 401
    assert "tạm thời bị khóa" in refused.text
    assert client.get("/").status_code == 302


def test_the_lock_ends_after_its_delay(seeded, client):
    for _ in range(5):
        log_in(client, "police1", "wrong-password-guess")
    assert "tạm thời bị khóa" in log_in(client, "police1", "victimcare-demo").text
    with db_session(seeded) as session:
        row = session.get(LoginThrottle, throttle_key("police1"))
        row.locked_until = utcnow() - timedelta(seconds=1)
        session.commit()
    assert log_in(client, "police1", "victimcare-demo").status_code == 302


def test_an_unknown_username_locks_the_same_way_so_the_lock_reveals_nothing(seeded, client):
    for _ in range(6):
        response = log_in(client, "no-such-user", "wrong-password-guess")
    assert "tạm thời bị khóa" in response.text


def test_lock_delay_doubles_and_is_capped_at_one_hour(seeded):
    from victimcare.accounts.throttle import lock_delay

    with seeded.app_context():
        assert lock_delay(4) is None
        assert lock_delay(5) == timedelta(seconds=30)
        assert lock_delay(6) == timedelta(minutes=1)
        assert lock_delay(12) == timedelta(hours=1)
        assert lock_delay(500) == timedelta(hours=1)


def test_a_successful_login_clears_the_failure_count(seeded, client):
    for _ in range(4):
        log_in(client, "police1", "wrong-password-guess")
    assert log_in(client, "police1", "victimcare-demo").status_code == 302
    with db_session(seeded) as session:
        assert session.get(LoginThrottle, throttle_key("police1")) is None


def test_a_deactivated_user_cannot_log_in(seeded, client):
    with db_session(seeded) as session:
        session.scalar(sa.select(User).where(User.username == "police1")).active = False
        session.commit()
    assert log_in(client, "police1", "victimcare-demo").status_code == 401


def test_too_many_posts_from_one_address_get_the_429_page(seeded):
    seeded.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    client = seeded.test_client()
    codes = [log_in(client, f"u{i}", "x").status_code for i in range(4)]
    assert codes[:3] == [401, 401, 401]
    assert codes[3] == 429
    assert "Quá nhiều" in client.post("/login", data={"csrf_token": csrf_token(client)}).text


def test_login_starts_a_new_server_side_session_each_time(seeded):
    first, second = seeded.test_client(), seeded.test_client()
    log_in(first, "police1", "victimcare-demo")
    log_in(second, "police1", "victimcare-demo")
    with db_session(seeded) as session:
        rows = session.scalars(sa.select(UserSession)).all()
        assert len(rows) == 2
        assert rows[0].token_hash != rows[1].token_hash


def test_login_redirects_only_to_paths_on_this_site(seeded, client):
    response = log_in(client, "police1", "victimcare-demo", query_string={"next": "https://evil.example/x"})
    assert response.headers["Location"] == "/"
    client = seeded.test_client()
    response = post(client, "/login?next=/account", {"username": "police1", "password": "victimcare-demo"})
    assert response.headers["Location"] == "/account"


def test_a_page_needing_login_redirects_to_the_login_page(seeded, client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
