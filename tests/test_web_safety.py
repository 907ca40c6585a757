"""Security headers on every answer, cookie flags, and error pages that leak nothing."""

import pytest

REQUIRED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def _assert_safe_headers(response, *, cacheable=False):
    for name, value in REQUIRED.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    if not cacheable:
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/login", "/", "/account", "/admin/users", "/no-such-page"])
def test_every_page_carries_the_security_headers(login_as, path):
    _assert_safe_headers(login_as("admin1").get(path))


def test_anonymous_answers_and_redirects_carry_them_too(seeded, client):
    _assert_safe_headers(client.get("/"))  # redirect to login
    _assert_safe_headers(client.post("/login", data={}))  # CSRF refusal


def test_static_files_carry_them_and_may_be_cached(client):
    with client.get("/static/css/app.css") as response:
        assert response.status_code == 200
        _assert_safe_headers(response, cacheable=True)


def test_pages_load_no_script_or_style_from_another_site(login_as):
    import re

    page = login_as("admin1").get("/").text
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert assets, "the page loads Bootstrap and our CSS"
    assert all(url.startswith("/") and not url.startswith("//") for url in assets), assets


def test_bootstrap_is_served_locally(client):
    for path in ("/bootstrap/static/css/bootstrap.min.css", "/bootstrap/static/js/bootstrap.min.js"):
        with client.get(path) as response:
            assert response.status_code == 200


def test_session_cookie_is_httponly_and_samesite_lax(client):
    client.get("/login")
    cookie = client.get_cookie("victimcare_session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_production_cookie_is_host_prefixed_and_secure(app_factory, tmp_path):
    from victimcare.config import ProductionConfig

    production = ProductionConfig(
        {"SECRET_KEY": "x" * 64, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}, tmp_path
    )
    cookie_settings = {k: getattr(production, k) for k in dir(production) if k.startswith("SESSION_COOKIE_")}
    app = app_factory(**cookie_settings)
    client = app.test_client()
    response = client.get("/login", base_url="https://localhost")
    set_cookie = response.headers["Set-Cookie"]
    assert set_cookie.startswith("__Host-victimcare_session=")
    assert "Secure" in set_cookie and "HttpOnly" in set_cookie and "Path=/" in set_cookie


def test_an_unexpected_error_shows_the_app_page_without_details(seeded):
    @seeded.route("/boom")
    def boom():
        raise RuntimeError("secret internal detail /srv/victimcare/db.py line 42")

    boom.access_policy = "public"
    response = seeded.test_client().get("/boom")
    assert response.status_code == 500
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    assert "Đã xảy ra lỗi" in response.text
    _assert_safe_headers(response)


@pytest.mark.parametrize(
    "code,text",
    [
        (400, "Yêu cầu không hợp lệ"),
        (403, "Không được phép"),
        (404, "Không tìm thấy"),
        (429, "Quá nhiều yêu cầu"),
    ],
)
def test_error_pages_are_in_the_apps_look(seeded, code, text):
    from flask import abort

    @seeded.route(f"/fail-{code}")
    def fail():
        abort(code)

    fail.access_policy = "public"
    response = seeded.test_client().get(f"/fail-{code}")
    assert response.status_code == code
    assert text in response.text and "VictimCare" in response.text


def test_a_body_larger_than_the_limit_is_refused_unread_with_a_vietnamese_page(seeded):
    """A 20 MB anonymous multipart POST to /login is answered 413 before a byte of it is read or spooled."""
    import io

    read = []

    class CountingStream(io.BytesIO):
        def read(self, *args):
            chunk = super().read(*args)
            read.append(len(chunk))
            return chunk

    body = (
        b'--b\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\n'
        + b"x" * 20_000_000
        + b"\r\n--b--\r\n"
    )
    response = seeded.test_client().post(
        "/login",
        input_stream=CountingStream(body),
        content_length=len(body),
        content_type="multipart/form-data; boundary=b",
    )
    assert response.status_code == 413
    assert "Dữ liệu quá lớn" in response.text
    assert sum(read) == 0
    assert seeded.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024


def test_the_request_size_limit_is_configurable(tmp_path):
    from victimcare.config import load_config

    config = load_config({"VICTIMCARE_ENV": "testing", "VICTIMCARE_MAX_CONTENT_LENGTH": "500000"}, tmp_path)
    assert config.MAX_CONTENT_LENGTH == 500_000
