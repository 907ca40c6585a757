"""Behind a reverse proxy each real client has its own login limit and is logged under its own address."""

import sqlalchemy as sa

from tests.helpers import csrf_token, db_session, log_in, seed
from victimcare.audit.models import AuditEvent
from victimcare.config import ConfigurationError, load_config

PROXY = "10.0.0.2"


def _client(app, remote: str, forwarded: str | None = None):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = remote
    if forwarded:
        client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded
    return client


def _fail(client, username="police1"):
    """A whole failed attempt: the password, then (a wrong password leads there too) the code page."""
    return log_in(client, username, "wrong-password-guess").status_code


def test_behind_one_trusted_proxy_each_client_has_its_own_bucket_and_is_logged_by_its_address(app_factory):
    app = app_factory(TRUSTED_PROXIES=1, LOGIN_RATE_LIMIT="3 per minute")
    seed(app)
    attacker, colleague = _client(app, PROXY, "203.0.113.7"), _client(app, PROXY, "198.51.100.4")
    assert [_fail(attacker, f"guess{i}") for i in range(4)] == [401, 401, 401, 429]
    assert _fail(colleague, "social1") == 401, "the colleague is not locked out"
    with db_session(app) as session:
        addresses = set(
            session.scalars(sa.select(AuditEvent.client_address).where(AuditEvent.action == "login_failed"))
        )
    assert addresses == {"203.0.113.7", "198.51.100.4"}


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(app_factory):
    app = app_factory(LOGIN_RATE_LIMIT="3 per minute")
    seed(app)
    spoofers = [_client(app, "192.0.2.9", f"203.0.113.{i}") for i in range(4)]
    codes = [_fail(client, f"guess{i}") for i, client in enumerate(spoofers)]
    assert codes == [401, 401, 401, 429], "a forged header does not buy a fresh bucket"
    with db_session(app) as session:
        addresses = set(
            session.scalars(sa.select(AuditEvent.client_address).where(AuditEvent.action == "login_failed"))
        )
    assert addresses == {"192.0.2.9"}


def test_thirty_successful_logins_from_one_address_are_not_throttled(seeded):
    codes = []
    for _ in range(30):
        client = _client(seeded, "192.0.2.30")
        codes.append(
            client.post(
                "/login",
                data={"username": "social1", "password": "victimcare-demo", "csrf_token": csrf_token(client)},
            ).status_code
        )
    assert codes == [302] * 30


def test_the_twenty_first_failure_from_one_address_in_a_minute_is_refused(seeded):
    client = _client(seeded, "192.0.2.21")
    codes = [_fail(client, f"nobody{i}") for i in range(21)]
    assert codes[:20] == [401] * 20 and codes[20] == 429


def test_the_number_of_trusted_proxies_must_be_a_whole_number(tmp_path):
    assert load_config({"VICTIMCARE_TRUSTED_PROXIES": "2"}, tmp_path).TRUSTED_PROXIES == 2
    assert load_config({}, tmp_path).TRUSTED_PROXIES == 0
    try:
        load_config({"VICTIMCARE_TRUSTED_PROXIES": "yes"}, tmp_path)
    except ConfigurationError as error:
        assert "VICTIMCARE_TRUSTED_PROXIES" in str(error)
    else:
        raise AssertionError("a bad value must be refused")


def _succeed(app, remote: str, username: str = "social1") -> int:
    client = _client(app, remote)
    return client.post(
        "/login",
        data={"username": username, "password": "victimcare-demo", "csrf_token": csrf_token(client)},
    ).status_code


def test_successful_logins_between_failures_use_none_of_the_addresss_failure_budget(app_factory):
    app = app_factory(LOGIN_RATE_LIMIT="3 per minute")
    seed(app)
    office = "192.0.2.40"
    guesser = _client(app, office)
    codes = [_fail(guesser, "nobody0")]
    codes += [_succeed(app, office, name) for name in ("social1", "health1", "police1", "border1")]
    codes += [_fail(guesser, f"nobody{i}") for i in (1, 2)]
    assert codes == [401, 302, 302, 302, 302, 401, 401], "four logins did not count against the office"
    assert _fail(guesser, "nobody3") == 429, "the third failure in the minute still throttles"


def test_an_address_out_of_failures_is_refused_even_the_right_password_and_others_are_not(app_factory):
    """Failures from one address still throttle that address (per-account locks are separate)."""
    app = app_factory(LOGIN_RATE_LIMIT="3 per minute")
    seed(app)
    guesser = _client(app, "192.0.2.50")
    assert [_fail(guesser, f"nobody{i}") for i in range(3)] == [401, 401, 401]
    assert _succeed(app, "192.0.2.50") == 429
    assert _succeed(app, "192.0.2.51") == 302  # another address is not affected
