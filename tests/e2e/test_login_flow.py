"""A demo user logs in, sees the home page in Vietnamese, switches to English and logs out."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LOG_IN_BUTTON, log_in
from tests.helpers import totp_code
from victimcare.demo import USERS

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("username,display_name", [(u[0], u[1]) for u in USERS], ids=[u[0] for u in USERS])
def test_demo_user_logs_in_switches_language_and_logs_out(page, screenshot, username, display_name):
    log_in(page, username)
    expect(page.locator("h1")).to_have_text(f"Xin chào, {display_name}")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    screenshot("home-vi")

    page.get_by_test_id("language-switch").click()
    expect(page.locator("h1")).to_have_text(f"Hello, {display_name}")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_text("You have logged out.")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_a_wrong_password_shows_the_vietnamese_message(page):
    page.goto("/login")
    if page.locator("html").get_attribute("lang") != "vi":
        page.get_by_test_id("language-switch").click()
    log_in(page, "police1", "not the password at all")
    expect(page.get_by_role("alert")).to_have_text("Tên đăng nhập, mật khẩu hoặc mã xác thực không đúng.")


def test_the_page_runs_without_content_security_policy_violations(page):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    log_in(page, "admin1")
    page.goto("/admin/users")
    page.set_viewport_size({"width": 400, "height": 800})
    menu_link = page.locator("#nav a[href='/admin/users']")
    expect(menu_link).to_be_hidden()
    page.locator(".navbar-toggler").click()  # the collapsed menu opens: Bootstrap's JS runs under the CSP
    expect(menu_link).to_be_visible()
    assert violations == []


def test_a_supervisor_logs_in_with_the_code_of_the_authenticator(page, screenshot, live_app):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto("/login")
    page.fill("input[name=username]", "supervisor1")
    page.fill("input[name=password]", "victimcare-demo")
    page.click(LOG_IN_BUTTON)
    expect(page).to_have_url(re.compile(r"/login/code$"))
    expect(page.locator("input[name=code]")).to_be_focused()
    screenshot("code-page")
    page.goto("/cases")
    expect(page).to_have_url(re.compile(r"/login/code$"))  # nothing but the code page before the code
    page.fill("input[name=code]", totp_code(live_app, "supervisor1"))
    page.click(LOG_IN_BUTTON)
    expect(page.locator("h1")).to_have_text(re.compile(r"(Xin chào|Hello), Hoàng Minh Đức"))
    assert violations == []


def test_a_wrong_code_sends_back_to_the_login_page(page):
    page.goto("/login")
    page.fill("input[name=username]", "supervisor1")
    page.fill("input[name=password]", "victimcare-demo")
    page.click(LOG_IN_BUTTON)
    expect(page).to_have_url(re.compile(r"/login/code$"))
    page.fill("input[name=code]", "000000")
    page.click(LOG_IN_BUTTON)
    expect(page.get_by_role("alert")).to_have_text(
        re.compile("Tên đăng nhập, mật khẩu hoặc mã xác thực không đúng.|Wrong username, password or code.")
    )
