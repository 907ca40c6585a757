"""Browser tests: the app served on loopback, driven by Playwright in Debian's Chromium.

Chromium comes from Debian (``/usr/bin/chromium``) because Playwright cannot download its own
browsers here. Without it the tests skip, except in CI, where a missing browser is a failure.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests import helpers

CHROMIUM = os.environ.get("VICTIMCARE_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.exit(f"CI=true but Chromium is missing at {CHROMIUM}", returncode=1)
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    return {
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-dev-shm-usage",
        ],
    }


LIVE = {}  # the app the browser talks to, for log_in to read a demo user's authenticator


@pytest.fixture(scope="session")
def live_app(databases, tmp_path_factory):
    app = helpers.make_app(databases.new(), tmp_path_factory.mktemp("e2e-instance"))
    helpers.seed(app, with_cases=True)
    LIVE["app"] = app
    return app


@pytest.fixture(scope="session")
def base_url(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture
def screenshot(page, request):
    """``screenshot("name")`` saves the page as a PNG under test-results/ (kept by CI)."""

    def take(name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{request.node.name}-{name}.png".replace("/", "_")
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


LOG_IN_BUTTON = "button[type=submit]:has-text('Đăng nhập'), button[type=submit]:has-text('Log in')"


def log_in(page, username: str, password: str = "victimcare-demo") -> None:
    """The password, then, when the code page comes (a second factor, or a wrong password), the code
    the demo user's authenticator shows now."""
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click(LOG_IN_BUTTON)
    if page.url.endswith("/login/code"):
        page.fill("input[name=code]", helpers.totp_code(LIVE["app"], username))
        with page.expect_navigation():
            page.click(LOG_IN_BUTTON)
