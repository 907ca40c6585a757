"""police1 records an intake, verifies, identifies the person as a victim, and watches the stepper move."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def _current_step(page):
    return page.locator(".vc-stepper [aria-current=step]")


def test_police_take_a_new_case_through_verification_and_identification(page, screenshot):
    log_in(page, "police1")
    if page.locator("html").get_attribute("lang") != "vi":
        page.get_by_test_id("language-switch").click()
    page.goto("/cases/new")
    page.select_option("#channel", "border_handover")
    page.fill("#received_at", "20/11/2026 08:30")
    page.fill("#full_name", "Vừ Thị Chía")
    page.select_option("#gender", "Feminine")
    page.fill("#date_of_birth", "03/03/2008")
    page.select_option("#is_ethnic_minority", "yes")
    page.check("input[name=exploitation][value=ForcedMarriage]")
    page.select_option("#trafficked_abroad", "yes")
    page.fill("#destination_country", "CN")
    page.get_by_role("button", name="Mở hồ sơ").click()

    expect(page.get_by_test_id("full-name")).to_have_text("Vừ Thị Chía")
    expect(_current_step(page)).to_have_text("Tiếp nhận")
    reference = re.search(r"/cases/(VC-\d{4}-\d{6})", page.url).group(1)
    screenshot("intake")

    page.locator("[data-trigger=start_verification]").click()
    expect(page.locator("#received_at")).to_have_value("20/11/2026 08:30")  # known facts are filled in
    page.fill("#notified_social_affairs_at", "20/11/2026 09:00")
    page.get_by_role("button", name="Xác nhận").click()
    expect(_current_step(page)).to_have_text("Xác minh")
    expect(page.get_by_test_id("deadline")).to_be_visible()
    screenshot("verification")

    page.locator("[data-trigger=request_identification]").click()
    page.get_by_role("button", name="Xác nhận").click()  # no evidence ticked: refused with the reason
    expect(page.get_by_test_id("refusal")).to_contain_text("Ghi ít nhất một căn cứ")
    page.check("input[name=evidence][value=dd]")
    page.check("input[name=evidence][value=e]")
    page.get_by_role("button", name="Xác nhận").click()
    expect(_current_step(page)).to_have_text("Xác định nạn nhân")
    screenshot("identification")

    page.locator("[data-trigger=confirm_safe]").click()
    page.select_option("#confirmation_document", "certificate_of_return")
    page.fill("#confirmation_number", "77/GCN-QLXNC")
    page.fill("#confirmation_issuer", "Công an tỉnh Lào Cai")
    page.fill("#confirmation_date", "21/11/2026")
    page.get_by_role("button", name="Xác nhận").click()
    expect(_current_step(page)).to_have_text("Bảo vệ")
    expect(page.get_by_test_id("history").locator("li")).to_have_count(4)
    screenshot("protection")

    page.goto("/cases?stage=protection")
    expect(page.get_by_role("link", name=reference)).to_be_visible()


def test_health_cannot_open_a_police_case(page):
    log_in(page, "police1")
    page.goto("/cases")
    reference = page.locator("table a[href^='/cases/VC-']").first.inner_text()
    page.locator("form[action='/logout'] button").click()
    log_in(page, "health1")
    response = page.goto(f"/cases/{reference}")
    assert response.status == 404
