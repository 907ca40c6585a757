"""border1 transfers a victim to social affairs; social1 accepts and finds the case; health1 cannot open it."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def _log_out(page):
    page.locator("form[action='/logout'] button").click()


def test_border_guards_transfer_a_victim_to_social_affairs(page, screenshot):
    log_in(page, "border1")
    page.goto("/cases/new")
    page.select_option("#channel", "border_handover")
    page.fill("#received_at", "21/11/2026 07:45")
    page.fill("#full_name", "Sùng Thị Dợ")
    page.select_option("#gender", "Feminine")
    page.fill("#date_of_birth", "12/06/2001")
    page.check("input[name=exploitation][value=ForcedMarriage]")
    page.locator("main form button[type=submit]").click()
    reference = re.search(r"/cases/(VC-\d{4}-\d{6})", page.url).group(1)

    page.goto(f"/cases/{reference}/consents/new")
    page.check("input[name=agency_kinds][value=social_affairs]")
    page.check("input[name=purposes][value=protection]")
    page.fill("#given_at", "21/11/2026 08:00")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("consents")).to_be_visible()

    page.get_by_test_id("refer").click()
    page.locator("[data-purpose=protection]").click()
    page.check("input[name=kind][value=transfer]")
    social_affairs = page.locator("#to_agency option", has_text="Bảo trợ xã hội").get_attribute("value")
    page.select_option("#to_agency", social_affairs)
    page.get_by_test_id("review").click()
    expect(page.get_by_test_id("preview")).to_contain_text("Sùng Thị Dợ")
    screenshot("preview")
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("case-referrals")).to_be_visible()
    _log_out(page)

    log_in(page, "social1")
    expect(page.get_by_test_id("referral-count")).to_be_visible()
    page.get_by_test_id("nav-referrals").click()
    page.locator("[data-testid=referral-row] a", has_text=reference).click()
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("full-name")).to_have_text("Sùng Thị Dợ")
    screenshot("accepted")
    page.goto("/cases")
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    _log_out(page)

    log_in(page, "health1")
    response = page.goto(f"/cases/{reference}")
    assert response.status == 404
