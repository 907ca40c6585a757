"""Two-step login (issue 17): TOTP codes, recovery codes, the half-logged-in session, set-up, reset."""

import re
import uuid

import pyotp
import pytest
import sqlalchemy as sa

from tests.helpers import (
    db_session,
    detached,
    log_in,
    post,
    raw_database_bytes,
    totp_code,
)
from victimcare.accounts import totp
from victimcare.accounts.models import RecoveryCode, User, UserSession
from victimcare.audit.models import AuditEvent
from victimcare.database import utcnow
from victimcare.demo import demo_totp_secret

PASSWORD = "victimcare-demo"
WRONG = "Tên đăng nhập, mật khẩu hoặc mã xác thực không đúng."
LOCKED = "tạm thời bị khóa"


def _password(client, username, password=PASSWORD):
    return post(client, "/login", {"username": username, "password": password})


def _code(client, code):
    return post(client, "/login/code", {"code": code})


def _code_now(username, seconds=0):
    from datetime import timedelta

    return totp.code_at(demo_totp_secret(username), utcnow() + timedelta(seconds=seconds))


@pytest.fixture
def step_start(clock):
    """Move the clock to just after a 30-second step begins, so a test's codes stay in their step."""
    clock.advance(seconds=31 - utcnow().timestamp() % 30)


def _enrol(client) -> tuple[str, list[str]]:
    """Set up an authenticator from the account pages; returns the secret and the recovery codes."""
    assert post(client, "/account/two-factor/new", token_page="/account/two-factor").status_code == 302
    page = client.get("/account/two-factor/setup")
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.text  # the QR code is drawn here, not fetched
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
    done = post(client, "/account/two-factor/setup", {"code": totp.code_at(secret, utcnow())})
    assert done.status_code == 200, done.text
    codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", done.text)
    assert len(codes) == 10
    return secret, codes


def _logout(client):
    post(client, "/logout", token_page="/account")


# -- logging in with a code ------------------------------------------------------------------------


def test_a_supervisor_logs_in_with_the_password_then_the_code(seeded, client):
    first = _password(client, "supervisor1")
    assert first.status_code == 302 and first.headers["Location"] == "/login/code"
    assert client.get("/").headers["Location"] == "/login/code", "nothing but the code page yet"
    done = _code(client, _code_now("supervisor1"))
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert "Xin chào" in client.get("/").text
    with db_session(seeded) as session:
        login = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "login")).one()
        assert login.actor_username == "supervisor1" and login.detail == {"second_factor": "totp"}


def test_the_same_code_is_refused_the_second_time(seeded, client):
    code = _code_now("supervisor1")
    _password(client, "supervisor1")
    assert _code(client, code).status_code == 302
    _logout(client)
    _password(client, "supervisor1")
    again = _code(client, code)
    assert again.status_code == 401 and WRONG in again.text
    assert client.get("/").status_code == 302


def test_a_code_from_two_steps_ago_is_refused_and_one_step_of_drift_is_accepted(seeded, step_start):
    old = seeded.test_client()
    _password(old, "supervisor1")
    assert _code(old, _code_now("supervisor1", seconds=-60)).status_code == 401
    drifted = seeded.test_client()
    _password(drifted, "supervisor1")
    assert _code(drifted, _code_now("supervisor1", seconds=-30)).status_code == 302


def test_an_earlier_code_is_refused_once_a_later_one_was_used(seeded):
    first = seeded.test_client()
    _password(first, "supervisor1")
    assert _code(first, _code_now("supervisor1")).status_code == 302
    second = seeded.test_client()
    _password(second, "supervisor1")
    assert _code(second, _code_now("supervisor1", seconds=-30)).status_code == 401


def test_a_wrong_password_and_a_wrong_code_answer_alike(seeded):
    """An outsider cannot tell a right password from a wrong one: both lead to the code page, with a
    cookie of the same shape, and end with the same message; every page answers them alike."""
    wrong_password, wrong_code = seeded.test_client(), seeded.test_client()
    a = _password(wrong_password, "supervisor1", "not-the-password")
    b = _password(wrong_code, "supervisor1")
    assert (a.status_code, a.headers["Location"]) == (b.status_code, b.headers["Location"])
    for path in ("/", "/login", "/account", "/cases", "/audit", "/login/code"):
        ra, rb = wrong_password.get(path), wrong_code.get(path)
        assert (ra.status_code, ra.headers.get("Location")) == (rb.status_code, rb.headers.get("Location"))
    assert _without_token(wrong_password.get("/login/code").text) == _without_token(
        wrong_code.get("/login/code").text
    )
    assert wrong_password.get_cookie("victimcare_session").value.count(".") == (
        wrong_code.get_cookie("victimcare_session").value.count(".")
    )
    code = _code_now("supervisor1")
    fa, fb = _code(wrong_password, code), _code(wrong_code, "000000")
    assert fa.status_code == fb.status_code == 401
    assert WRONG in fa.text and WRONG in fb.text


def _without_token(html: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", html)


def test_a_half_logged_in_session_reaches_nothing_but_the_code_page(seeded, client):
    _password(client, "admin1")
    for rule in seeded.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.endswith("static"):
            continue
        url = re.sub(r"<any\(([a-z_]+)[^)]*\):[a-z_]+>", r"\1", rule.rule)
        url = re.sub(r"<uuid:[a-z_]+>", str(uuid.uuid4()), url)
        url = re.sub(r"<[a-z_]+>", "x", url)
        response = client.get(url)
        if rule.endpoint == "accounts.login_code":
            assert response.status_code == 200
            assert "admin1" not in response.text and "Đỗ Quang Huy" not in response.text
            continue
        assert (response.status_code, response.headers.get("Location")) in {
            (302, "/login/code"),
            (403, None),
        }, (url, response.status_code)
    logout = post(client, "/logout", token_page="/login/code")
    assert logout.headers["Location"] == "/login/code"


def test_start_again_ends_the_half_login(seeded, client):
    _password(client, "supervisor1")
    assert post(client, "/login/cancel", token_page="/login/code").headers["Location"] == "/login"
    assert client.get("/login").status_code == 200
    with db_session(seeded) as session:
        row = session.scalars(sa.select(UserSession)).one()
        assert row.end_reason == "cancelled"


def test_the_code_must_come_within_five_minutes(seeded, client, clock):
    _password(client, "supervisor1")
    clock.advance(minutes=6)
    late = client.get("/login/code")
    assert late.headers["Location"] == "/login"
    assert "không được nhập kịp thời" in client.get("/login").text


def test_wrong_codes_lock_the_account_like_wrong_passwords(seeded):
    for _ in range(5):
        client = seeded.test_client()
        _password(client, "supervisor1")
        assert _code(client, "123456").status_code == 401
    client = seeded.test_client()
    refused = _password(client, "supervisor1")
    assert refused.status_code == 401 and LOCKED in refused.text


def test_a_successful_code_clears_the_failure_count(seeded, client):
    for _ in range(3):
        other = seeded.test_client()
        _password(other, "supervisor1")
        _code(other, "123456")
    assert log_in(client, "supervisor1", PASSWORD).status_code == 302
    from victimcare.accounts.models import LoginThrottle
    from victimcare.accounts.throttle import throttle_key

    with seeded.app_context():
        key = throttle_key("supervisor1")
    with db_session(seeded) as session:
        assert session.get(LoginThrottle, key) is None


# -- setting it up -------------------------------------------------------------------------------


def test_enrolment_then_login_with_a_code_from_the_secret(login_as, seeded, clock):
    client = login_as("police1")
    secret, _codes = _enrol(client)
    assert detached(seeded, User, username="police1").has_second_factor
    _logout(client)
    assert _password(client, "police1").headers["Location"] == "/login/code"
    set_up_step = detached(seeded, User, username="police1").totp_last_step
    assert _code(client, pyotp.TOTP(secret).generate_otp(set_up_step)).status_code == 401, "that code, again"
    clock.advance(seconds=30)  # the app shows the next code
    _password(client, "police1")
    assert _code(client, totp.code_at(secret, utcnow())).status_code == 302
    assert client.get("/").status_code == 200


def test_a_wrong_first_code_keeps_the_old_state(login_as, seeded):
    client = login_as("police1")
    post(client, "/account/two-factor/new", token_page="/account/two-factor")
    response = post(client, "/account/two-factor/setup", {"code": "000000"})
    assert response.status_code == 400 and "Mã không đúng" in response.text
    assert not detached(seeded, User, username="police1").has_second_factor


def test_the_secret_is_not_in_the_database_in_clear(login_as, seeded):
    client = login_as("police1")
    secret, codes = _enrol(client)
    raw = raw_database_bytes(seeded)
    import base64

    for value in (secret, demo_totp_secret("supervisor1")):
        assert value.encode() not in raw
        assert base64.b32decode(value) not in raw
    for code in codes:
        assert code.replace("-", "").encode() not in raw
    with db_session(seeded) as session:
        sealed = session.scalar(sa.select(User.__table__.c.totp_secret).where(User.username == "police1"))
        assert sealed and secret.encode() not in sealed


def test_a_recovery_code_works_once(login_as, seeded):
    client = login_as("police1")
    _secret, codes = _enrol(client)
    _logout(client)
    _password(client, "police1")
    assert _code(client, codes[0].upper()).status_code == 302, "case and dash do not matter"
    _logout(client)
    _password(client, "police1")
    assert _code(client, codes[0]).status_code == 401
    _password(client, "police1")
    assert _code(client, codes[1]).status_code == 302
    with db_session(seeded) as session:
        assert session.scalar(sa.select(sa.func.count()).where(RecoveryCode.used_at.is_not(None))) == 2


def test_new_recovery_codes_replace_the_old_set(login_as, seeded):
    client = login_as("police1")
    _secret, old = _enrol(client)
    new_page = post(client, "/account/two-factor/recovery-codes", token_page="/account/two-factor")
    new = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", new_page.text)
    assert len(new) == 10 and not set(new) & set(old)
    _logout(client)
    _password(client, "police1")
    assert _code(client, old[2]).status_code == 401
    _password(client, "police1")
    assert _code(client, new[2]).status_code == 302


def test_a_role_that_requires_it_is_taken_to_set_up_and_can_do_nothing_else(seeded, clock):
    seeded.config["SECOND_FACTOR_ROLES"] = ("officer", "supervisor", "auditor", "admin")  # after the demo
    client = seeded.test_client()
    assert log_in(client, "police1", PASSWORD).status_code == 302
    for path in ("/", "/cases", "/account", "/referrals"):
        assert client.get(path).headers["Location"] == "/account/two-factor", path
    page = client.get("/account/two-factor")
    assert page.status_code == 200 and 'data-testid="two-factor-required"' in page.text
    secret, _codes = _enrol(client)
    assert client.get("/cases").status_code == 200
    _logout(client)
    clock.advance(seconds=30)
    _password(client, "police1")
    assert _code(client, totp.code_at(secret, utcnow())).status_code == 302


def test_a_new_phone_replaces_the_old_one_only_once_confirmed(seeded, login_as):
    client = login_as("supervisor1")
    post(client, "/account/two-factor/new", token_page="/account/two-factor")
    _logout(client)
    assert log_in(client, "supervisor1", PASSWORD).status_code == 302, "the old phone still works"


# -- the development command ---------------------------------------------------------------------


def test_users_totp_prints_the_current_code_outside_production(seeded):
    result = seeded.test_cli_runner().invoke(args=["users", "totp", "supervisor1"])
    assert result.exit_code == 0
    assert result.output.split()[0] == _code_now("supervisor1")
    assert "police1" in seeded.test_cli_runner().invoke(args=["users", "totp", "police1"]).output


def test_users_totp_refuses_in_production(seeded):
    seeded.config["ENV_NAME"] = "production"
    result = seeded.test_cli_runner().invoke(args=["users", "totp", "supervisor1"])
    assert result.exit_code != 0 and "never in production" in result.output


# -- an administrator's reset --------------------------------------------------------------------


def _user_id(app, username):
    return detached(app, User, username=username).id


def test_an_admin_resets_another_users_factor_ending_their_sessions_flagged_in_review(seeded, login_as):
    supervisor = login_as("supervisor1")
    admin = login_as("admin1")
    target = _user_id(seeded, "supervisor1")
    response = post(admin, f"/admin/users/{target}/reset-second-factor", token_page=f"/admin/users/{target}")
    assert response.status_code == 302
    assert supervisor.get("/").status_code == 302, "their sessions ended"
    assert not detached(seeded, User, username="supervisor1").has_second_factor
    with db_session(seeded) as session:
        event = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "user_change").order_by(AuditEvent.seq.desc())
        ).first()
        assert event.detail["change"] == "second_factor_reset" and event.actor_username == "admin1"
    review = login_as("auditor1").get("/audit?action=user_change").text
    assert 'data-flag="second_factor_reset"' in review
    # Their role requires a second factor: at the next login they set up a new one first.
    again = seeded.test_client()
    assert log_in(again, "supervisor1", PASSWORD).headers["Location"] == "/"
    assert again.get("/").headers["Location"] == "/account/two-factor"


def test_an_admin_cannot_reset_their_own_factor(seeded, login_as):
    admin = login_as("admin1")
    own = _user_id(seeded, "admin1")
    response = post(admin, f"/admin/users/{own}/reset-second-factor", token_page=f"/admin/users/{own}")
    assert response.status_code == 302
    assert "Bạn không thể tự đặt lại" in admin.get(response.headers["Location"]).text
    assert detached(seeded, User, username="admin1").has_second_factor


@pytest.mark.parametrize("username", ["supervisor1", "auditor1", "admin1", "admin2"])
def test_demo_users_of_roles_that_require_it_are_enrolled(seeded, username, step_start):
    assert detached(seeded, User, username=username).has_second_factor
    assert totp_code(seeded, username) == _code_now(username)


def test_the_readme_gives_each_enrolled_demo_user_their_secret():
    from victimcare.config import PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text()
    for username in ("supervisor1", "supervisor2", "supervisor3", "auditor1", "admin1", "admin2"):
        row = re.search(rf"^\| `{username}`.*$", readme, re.M).group(0)
        assert f"`{demo_totp_secret(username)}`" in row, username
